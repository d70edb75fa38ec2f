//! Row validation: raw cells (text from CSV, typed values from Parquet) → typed values
//! checked against the rules of a [`TableSpec`].
//!
//! A row is accepted whole or rejected whole: [`RowValidator::validate`] parses every
//! field into a fixed-size array on the stack (no allocation on the good path) and
//! returns the first broken rule with its column. Cross-row rules (duplicates,
//! overlapping agent states) are the caller's, helped by [`IntervalIndex`].

use crate::schema::{ColumnType, Condition, Required, RowRule, Rule, TableSpec};
use crate::time::{TimeZoneSpec, parse_date, parse_timestamp};
use std::collections::BTreeMap;

/// The most columns any canonical table has.
pub const MAX_COLUMNS: usize = 17;

/// One raw field as a reader produced it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Cell<'a> {
    /// Absent column or null value.
    Null,
    /// Text, to be parsed by the column type (CSV, or Parquet strings).
    Text(&'a str),
    /// A whole number (Parquet integer columns).
    Int(i64),
    /// A float (Parquet float columns).
    Float(f64),
    /// A boolean (Parquet boolean columns).
    Bool(bool),
    /// An instant in milliseconds since the Unix epoch, UTC (Parquet datetimes).
    TimestampMs(i64),
    /// Days since 1970-01-01 (Parquet dates).
    DateDays(i32),
}

/// A validated value, typed by its column.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub enum Value<'a> {
    /// Empty optional field.
    #[default]
    Null,
    /// Text (trimmed).
    Str(&'a str),
    /// A float.
    Float(f64),
    /// An unsigned count.
    Count(u32),
    /// A boolean.
    Bool(bool),
    /// Milliseconds since the Unix epoch, UTC.
    TimestampMs(i64),
    /// Days since 1970-01-01.
    DateDays(i32),
}

impl Value<'_> {
    /// The instant in milliseconds, if this is a timestamp.
    pub fn timestamp_ms(&self) -> Option<i64> {
        match *self {
            Value::TimestampMs(t) => Some(t),
            _ => None,
        }
    }
    /// The text, if this is text.
    pub fn as_str(&self) -> Option<&str> {
        match *self {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }
}

/// Why a row was rejected: the column (index into the spec, or `None` for a row-level
/// rule) and a sentence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// Index of the offending column in the table spec.
    pub column: Option<usize>,
    /// What is wrong, in words a user can act on.
    pub reason: String,
}

/// A validated row: values in the spec's column order.
pub type Row<'a> = [Value<'a>; MAX_COLUMNS];

/// Validates rows of one table.
#[derive(Debug, Clone)]
pub struct RowValidator {
    spec: &'static TableSpec,
    zone: TimeZoneSpec,
    outcome_idx: Option<usize>,
    kind_idx: Option<usize>,
    row_rules: Vec<ResolvedRowRule>,
}

#[derive(Debug, Clone)]
enum ResolvedRowRule {
    EndAfterStart(usize, usize),
    NotBefore(usize, usize),
    TicketChronology {
        created: usize,
        middle: [usize; 4],
        callback: usize,
    },
}

impl RowValidator {
    /// A validator for `spec`, reading timestamps without offset in `zone`.
    pub fn new(spec: &'static TableSpec, zone: TimeZoneSpec) -> Self {
        let idx = |n: &str| {
            spec.index_of(n)
                .expect("row rules name columns of their own spec")
        };
        let row_rules = spec
            .row_rules
            .iter()
            .map(|r| match *r {
                RowRule::EndAfterStart { start, end } => {
                    ResolvedRowRule::EndAfterStart(idx(start), idx(end))
                }
                RowRule::NotBefore { earlier, later } => {
                    ResolvedRowRule::NotBefore(idx(earlier), idx(later))
                }
                RowRule::TicketChronology => ResolvedRowRule::TicketChronology {
                    created: idx("created_at"),
                    middle: [
                        idx("escalated_at"),
                        idx("answered_at"),
                        idx("completed_at"),
                        idx("resolved_at"),
                    ],
                    callback: idx("callback_at"),
                },
            })
            .collect();
        RowValidator {
            spec,
            zone,
            outcome_idx: spec.index_of("outcome"),
            kind_idx: spec.index_of("kind"),
            row_rules,
        }
    }

    /// The table spec.
    pub fn spec(&self) -> &'static TableSpec {
        self.spec
    }

    /// Parses and checks one row. `cells[i]` is the raw value of spec column `i`
    /// ([`Cell::Null`] when the file lacks the column).
    pub fn validate<'a>(&self, cells: &[Cell<'a>]) -> Result<Row<'a>, FieldError> {
        let row = self.parse_fields(cells)?;
        self.check_row(&row)?;
        Ok(row)
    }

    /// The per-field half of [`RowValidator::validate`]: types, value rules and
    /// always-required columns. Tables whose rows update stored rows check the rest
    /// ([`RowValidator::check_row`]) on the merged row.
    pub fn parse_fields<'a>(&self, cells: &[Cell<'a>]) -> Result<Row<'a>, FieldError> {
        let mut row: Row<'a> = [Value::Null; MAX_COLUMNS];
        for (i, col) in self.spec.columns.iter().enumerate() {
            let cell = cells.get(i).copied().unwrap_or(Cell::Null);
            let v = parse_cell(cell, col.column_type, &self.zone).map_err(|reason| FieldError {
                column: Some(i),
                reason: format!("{}: {reason}", col.name),
            })?;
            match col.rule {
                Rule::None | Rule::NonEmpty => {}
                Rule::NonNegative => {
                    if let Value::Float(x) = v
                        && x < 0.0
                    {
                        return Err(err(
                            i,
                            format!("{}: {x} is negative; must be ≥ 0", col.name),
                        ));
                    }
                }
                Rule::Range(lo, hi) => {
                    if let Value::Float(x) = v
                        && !(lo..=hi).contains(&x)
                    {
                        return Err(err(i, format!("{}: {x} is outside {lo}–{hi}", col.name)));
                    }
                }
            }
            if v == Value::Null && col.required == Required::Yes {
                return Err(err(i, format!("{}: missing; it is required", col.name)));
            }
            row[i] = v;
        }
        Ok(row)
    }

    /// The whole-row half of [`RowValidator::validate`]: conditionally required
    /// columns (agent and talk time of answered calls, severity of complaints) and the
    /// cross-column rules (end after start, ticket chronology).
    pub fn check_row(&self, row: &Row<'_>) -> Result<(), FieldError> {
        for (i, col) in self.spec.columns.iter().enumerate() {
            let needed = match col.required {
                Required::Yes | Required::No => false,
                Required::When(Condition::Answered) => self
                    .outcome_idx
                    .is_some_and(|o| row[o] == Value::Str("answered")),
                Required::When(Condition::Complaint) => self
                    .kind_idx
                    .is_some_and(|k| row[k] == Value::Str("complaint")),
            };
            if needed && row[i] == Value::Null {
                let why = match col.required {
                    Required::When(c) => format!(" ({})", c.doc_name()),
                    _ => String::new(),
                };
                return Err(err(
                    i,
                    format!("{}: missing; it is required{why}", col.name),
                ));
            }
        }
        for rule in &self.row_rules {
            self.check_row_rule(rule, row)?;
        }
        Ok(())
    }

    fn check_row_rule(&self, rule: &ResolvedRowRule, row: &Row<'_>) -> Result<(), FieldError> {
        let name = |i: usize| self.spec.columns[i].name;
        match *rule {
            ResolvedRowRule::EndAfterStart(s, e) => {
                if let (Some(a), Some(b)) = (row[s].timestamp_ms(), row[e].timestamp_ms())
                    && b <= a
                {
                    return Err(err(e, format!("{}: must be after {}", name(e), name(s))));
                }
            }
            ResolvedRowRule::NotBefore(a, b) => {
                if let (Value::DateDays(x), Value::DateDays(y)) = (row[a], row[b])
                    && y < x
                {
                    return Err(err(b, format!("{}: is before {}", name(b), name(a))));
                }
            }
            ResolvedRowRule::TicketChronology {
                created,
                middle,
                callback,
            } => {
                let c = row[created].timestamp_ms();
                let cb = row[callback].timestamp_ms();
                for m in middle {
                    if let Some(t) = row[m].timestamp_ms() {
                        if c.is_some_and(|c| t < c) {
                            return Err(err(m, format!("{}: is before created_at", name(m))));
                        }
                        if cb.is_some_and(|cb| cb < t) {
                            return Err(err(
                                callback,
                                format!("callback_at: is before {}", name(m)),
                            ));
                        }
                    }
                }
                if let (Some(c), Some(cb)) = (c, cb)
                    && cb < c
                {
                    return Err(err(callback, "callback_at: is before created_at".into()));
                }
            }
        }
        Ok(())
    }
}

fn err(column: usize, reason: String) -> FieldError {
    FieldError {
        column: Some(column),
        reason,
    }
}

/// Parses a boolean the way `data-model.md` allows: `true/false`, `1/0`, `yes/no`,
/// `y/n`, any case.
pub fn parse_bool(s: &str) -> Option<bool> {
    let s = s.trim();
    if ["true", "1", "yes", "y"]
        .iter()
        .any(|w| s.eq_ignore_ascii_case(w))
    {
        Some(true)
    } else if ["false", "0", "no", "n"]
        .iter()
        .any(|w| s.eq_ignore_ascii_case(w))
    {
        Some(false)
    } else {
        None
    }
}

fn parse_cell<'a>(
    cell: Cell<'a>,
    ty: ColumnType,
    zone: &TimeZoneSpec,
) -> Result<Value<'a>, String> {
    let text = match cell {
        Cell::Null => return Ok(Value::Null),
        Cell::Text(s) => {
            let s = s.trim();
            if s.is_empty() {
                // Blank is absent: "missing" if the column is required.
                return Ok(Value::Null);
            }
            s
        }
        other => return convert_typed(other, ty),
    };
    match ty {
        ColumnType::String => Ok(Value::Str(text)),
        ColumnType::Enum(allowed) => allowed
            .iter()
            .find(|a| **a == text)
            .map(|a| Value::Str(a))
            .ok_or_else(|| {
                format!(
                    "unknown value {text:?}; expected one of {}",
                    allowed.join(", ")
                )
            }),
        ColumnType::Float => match text.parse::<f64>() {
            Ok(x) if x.is_finite() => Ok(Value::Float(x)),
            _ => Err(format!("{text:?} is not a number")),
        },
        ColumnType::Count => text
            .parse::<u32>()
            .map(Value::Count)
            .map_err(|_| format!("{text:?} is not a whole number ≥ 0")),
        ColumnType::Bool => parse_bool(text)
            .map(Value::Bool)
            .ok_or_else(|| format!("{text:?} is not a boolean (true/false, 1/0, yes/no, y/n)")),
        ColumnType::Timestamp => parse_timestamp(text, zone)
            .map(Value::TimestampMs)
            .map_err(|e| e.to_string()),
        ColumnType::Date => parse_date(text)
            .map(Value::DateDays)
            .ok_or_else(|| format!("{text:?} is not a date (YYYY-MM-DD)")),
        ColumnType::DateOrTimestamp => match parse_date(text) {
            Some(days) if text.len() == 10 => zone
                .local_midnight_ms(days)
                .map(Value::TimestampMs)
                .map_err(|e| e.to_string()),
            _ => parse_timestamp(text, zone)
                .map(Value::TimestampMs)
                .map_err(|e| e.to_string()),
        },
    }
}

fn convert_typed<'a>(cell: Cell<'a>, ty: ColumnType) -> Result<Value<'a>, String> {
    let wrong = |what: &str| Err(format!("a {what} value cannot be a {}", ty.doc_name()));
    match (cell, ty) {
        (Cell::Float(x), ColumnType::Float) if x.is_finite() => Ok(Value::Float(x)),
        (Cell::Float(_), ColumnType::Float) => Err("not a finite number".into()),
        (Cell::Int(i), ColumnType::Float) => Ok(Value::Float(i as f64)),
        (Cell::Int(i), ColumnType::Count) => u32::try_from(i)
            .map(Value::Count)
            .map_err(|_| format!("{i} is not a whole number ≥ 0")),
        (Cell::Float(x), ColumnType::Count)
            if x.fract() == 0.0 && (0.0..=u32::MAX as f64).contains(&x) =>
        {
            Ok(Value::Count(x as u32))
        }
        (Cell::Bool(b), ColumnType::Bool) => Ok(Value::Bool(b)),
        (Cell::Int(i), ColumnType::Bool) if i == 0 || i == 1 => Ok(Value::Bool(i == 1)),
        (Cell::TimestampMs(t), ColumnType::Timestamp | ColumnType::DateOrTimestamp) => {
            Ok(Value::TimestampMs(t))
        }
        (Cell::DateDays(d), ColumnType::Date) => Ok(Value::DateDays(d)),
        (Cell::DateDays(d), ColumnType::DateOrTimestamp) => {
            Ok(Value::TimestampMs(i64::from(d) * 86_400_000))
        }
        (Cell::TimestampMs(t), ColumnType::Date) => {
            Ok(Value::DateDays(t.div_euclid(86_400_000) as i32))
        }
        (Cell::Int(_), _) => wrong("integer"),
        (Cell::Float(_), _) => wrong("float"),
        (Cell::Bool(_), _) => wrong("boolean"),
        (Cell::TimestampMs(_), _) => wrong("timestamp"),
        (Cell::DateDays(_), _) => wrong("date"),
        (Cell::Null | Cell::Text(_), _) => Ok(Value::Null),
    }
}

/// Per-agent set of non-overlapping half-open intervals `[start, end)` in ms, for the
/// "overlapping intervals of one agent are rejected" rule.
#[derive(Debug, Default, Clone)]
pub struct IntervalIndex {
    by_agent: rustc_hash::FxHashMap<String, BTreeMap<i64, i64>>,
}

impl IntervalIndex {
    /// An empty index.
    pub fn new() -> Self {
        Self::default()
    }

    /// The stored interval of `agent` that overlaps `[start, end)`, if any.
    pub fn overlapping(&self, agent: &str, start: i64, end: i64) -> Option<(i64, i64)> {
        let map = self.by_agent.get(agent)?;
        // The stored intervals do not overlap each other, so the one starting last
        // before `end` overlaps `[start, end)` if any does: one descent in the
        // usual case (no overlap); the earliest overlapping one is reported.
        match map.range(..end).next_back() {
            Some((_, &e)) if e > start => {}
            _ => return None,
        }
        if let Some((&s, &e)) = map.range(..=start).next_back()
            && e > start
        {
            return Some((s, e));
        }
        map.range(start..end).next().map(|(&s, &e)| (s, e))
    }

    /// Whether an interval of `agent` starts at `start` (its key is known).
    pub fn starts_at(&self, agent: &str, start: i64) -> bool {
        self.by_agent
            .get(agent)
            .is_some_and(|m| m.contains_key(&start))
    }

    /// Records `[start, end)` for `agent` (the caller checked it does not overlap).
    pub fn insert(&mut self, agent: &str, start: i64, end: i64) {
        match self.by_agent.get_mut(agent) {
            Some(m) => {
                m.insert(start, end);
            }
            None => {
                self.by_agent
                    .insert(agent.to_owned(), BTreeMap::from([(start, end)]));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::Table;

    fn calls() -> RowValidator {
        RowValidator::new(Table::Calls.spec(), TimeZoneSpec::utc())
    }

    fn text<'a>(v: &[&'a str]) -> Vec<Cell<'a>> {
        v.iter()
            .map(|s| {
                if s.is_empty() {
                    Cell::Null
                } else {
                    Cell::Text(s)
                }
            })
            .collect()
    }

    #[test]
    fn good_answered_call_parses_every_type() {
        let row = calls()
            .validate(&text(&[
                "c1",
                "sales",
                "2026-03-02T08:15:30+08:00",
                "answered",
                "12.5",
                "a7",
                "300",
                "",
                "30",
                "2",
                "yes",
                "",
                "555",
            ]))
            .expect("valid");
        // 08:15:30 at +08:00 is 00:15:30 UTC.
        assert_eq!(row[2], Value::TimestampMs(1_772_410_530_000));
        assert_eq!(row[4], Value::Float(12.5));
        assert_eq!(row[7], Value::Null);
        assert_eq!(row[9], Value::Count(2));
        assert_eq!(row[10], Value::Bool(true));
    }

    #[test]
    fn each_broken_rule_names_its_column() {
        let v = calls();
        let cases: [(&[&str], usize, &str); 5] = [
            (&["c", "q", "yesterday", "abandoned", "3"], 2, "arrived_at"),
            (
                &["c", "q", "2026-03-02T08:00:00Z", "abandoned", "-1"],
                4,
                "negative",
            ),
            (
                &["c", "q", "2026-03-02T08:00:00Z", "lost", "1"],
                3,
                "unknown value",
            ),
            (
                &["c", "q", "2026-03-02T08:00:00Z", "answered", "1", "", "30"],
                5,
                "agent_id: missing",
            ),
            (
                &["c", " ", "2026-03-02T08:00:00Z", "ivr", "0"],
                1,
                "queue: missing",
            ),
        ];
        for (cells, col, words) in cases {
            let e = v.validate(&text(cells)).expect_err("must be rejected");
            assert_eq!(e.column, Some(col), "{cells:?}");
            assert!(e.reason.contains(words), "{} lacks {words}", e.reason);
        }
    }

    #[test]
    fn state_end_must_follow_start() {
        let v = RowValidator::new(Table::AgentStates.spec(), TimeZoneSpec::utc());
        let e = v
            .validate(&text(&[
                "a",
                "ready",
                "2026-03-02T08:00:00Z",
                "2026-03-02T08:00:00Z",
            ]))
            .expect_err("zero-length");
        assert!(e.reason.contains("after start"));
    }

    #[test]
    fn ticket_chronology_is_enforced() {
        let v = RowValidator::new(Table::Tickets.spec(), TimeZoneSpec::utc());
        let mut cells = vec![Cell::Null; 17];
        cells[0] = Cell::Text("T1");
        cells[1] = Cell::Text("2026-03-02T08:00:00Z");
        cells[2] = Cell::Text("repair");
        cells[12] = Cell::Text("2026-03-03T08:00:00Z");
        cells[14] = Cell::Text("2026-03-02T09:00:00Z");
        let e = v.validate(&cells).expect_err("callback before completion");
        assert!(e.reason.contains("callback_at"));
        cells[14] = Cell::Text("2026-03-04T09:00:00Z");
        assert!(v.validate(&cells).is_ok());
        cells[2] = Cell::Text("complaint");
        let e = v.validate(&cells).expect_err("complaint without severity");
        assert!(e.reason.contains("severity"));
    }

    #[test]
    fn cost_dates_are_local_midnights_and_end_exclusive() {
        let zone = TimeZoneSpec::parse("Asia/Shanghai").expect("zone");
        let v = RowValidator::new(Table::Costs.spec(), zone);
        let row = v
            .validate(&text(&["2026-03-01", "2026-03-02", "100"]))
            .expect("valid");
        // Midnight in Shanghai (+08:00) is 16:00 UTC the day before.
        assert_eq!(row[0], Value::TimestampMs(1_772_294_400_000));
        assert_eq!(row[1], Value::TimestampMs(1_772_380_800_000));
    }

    #[test]
    fn booleans_accept_the_documented_spellings() {
        for s in ["TRUE", "1", "Yes", "y"] {
            assert_eq!(parse_bool(s), Some(true));
        }
        for s in ["false", "0", "NO", "N"] {
            assert_eq!(parse_bool(s), Some(false));
        }
        assert_eq!(parse_bool("maybe"), None);
    }

    #[test]
    fn interval_index_finds_overlaps_on_both_sides() {
        let mut idx = IntervalIndex::new();
        idx.insert("a", 100, 200);
        assert_eq!(idx.overlapping("a", 150, 160), Some((100, 200)));
        assert_eq!(idx.overlapping("a", 50, 101), Some((100, 200)));
        assert_eq!(idx.overlapping("a", 200, 300), None);
        assert_eq!(idx.overlapping("a", 0, 100), None);
        assert_eq!(idx.overlapping("b", 150, 160), None);
    }

    proptest::proptest! {
        #[test]
        fn overlap_answers_equal_a_scan_of_every_stored_interval(
            gaps in proptest::collection::vec((0..50i64, 1..50i64), 0..30),
            probes in proptest::collection::vec((0..2_000i64, 1..200i64), 1..30),
        ) {
            // Non-overlapping stored intervals (gap, length) back to back, inserted
            // in a shuffled order; every probe's answer is the earliest stored
            // interval it overlaps, as a plain scan finds it.
            let mut stored = Vec::new();
            let mut t = 0;
            for (gap, len) in gaps {
                stored.push((t + gap, t + gap + len));
                t += gap + len;
            }
            let mut idx = IntervalIndex::new();
            for &(s, e) in stored.iter().rev() {
                idx.insert("a", s, e);
            }
            for (start, len) in probes {
                let end = start + len;
                let scan = stored.iter().copied().find(|&(s, e)| s < end && e > start);
                proptest::prop_assert_eq!(idx.overlapping("a", start, end), scan);
            }
        }
    }
}
