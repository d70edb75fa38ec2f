//! Declarative mappings: any vendor's delimited export → a canonical table, described
//! in a TOML file (`--mapping FILE.toml`; the format is in `docs/mappings.md`).
//!
//! A mapping names the target table, how to read the file (delimiter, header,
//! encoding), the time zone of its wall-clock times, rules that skip rows on purpose,
//! and for each target column an expression: a source column, a constant, a
//! concatenation, a date and a time composed into an instant (rolling the day forward
//! past midnight), a value map, "empty unless", and ordered conditional rules. Every
//! produced row then goes through the same validation, de-duplication and store as a
//! canonical file.

use super::error::{IngestError, On, Result};
use super::rejects::{self, Reject};
use super::source::RowPosition;
use super::{FileSummary, IngestOptions, Loader};
use crate::store::Store;
use callboard_core::schema::Table;
use callboard_core::time::{TimeZoneSpec, days_from_civil, format_timestamp};
use callboard_core::validate::Cell;
use chrono::{Datelike, NaiveDate, NaiveTime, Timelike};
use serde::Deserialize;
use std::collections::{BTreeMap, HashSet};
use std::path::Path;

/// How to read the source file.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceOptions {
    /// Field delimiter: one character, `\t` for tab (default `,`).
    pub delimiter: Option<String>,
    /// Whether the first line names the columns (default true).
    pub header: Option<bool>,
    /// Column names when there is no header.
    pub columns: Option<Vec<String>>,
    /// `utf-8` (default) or `latin1`.
    pub encoding: Option<String>,
    /// Values that mean "no value" in this file (e.g. `["?", "NULL"]`): read as empty
    /// everywhere, in expressions and conditions alike.
    pub missing: Option<Vec<String>>,
}

/// A test on one source column.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Test {
    /// The source column.
    pub column: String,
    /// Holds when the (trimmed) value equals this.
    pub equals: Option<String>,
    /// Holds when the value differs from this.
    pub not_equals: Option<String>,
    /// Holds when the value is one of these.
    #[serde(rename = "in")]
    pub one_of: Option<Vec<String>>,
    /// Holds when the value is empty (true) or not (false).
    pub empty: Option<bool>,
}

/// One test, or all of a list.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum Condition {
    /// A single test.
    One(Test),
    /// Every test must hold.
    All(Vec<Test>),
}

/// A rule that drops rows on purpose.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SkipRule {
    /// When to drop.
    pub when: Condition,
}

/// How one target column is computed. Exactly one of `column`, `value`, `concat`,
/// `date` or `rules` gives the value; `map` and `unless` then transform it.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expr {
    /// Copy this source column.
    pub column: Option<String>,
    /// A constant.
    pub value: Option<String>,
    /// Join parts; `{name}` inserts a source column.
    pub concat: Option<Vec<String>>,
    /// Source column with the date.
    pub date: Option<String>,
    /// chrono format of the date (default `%Y-%m-%d`).
    pub date_format: Option<String>,
    /// Source column with the time of day.
    pub time: Option<String>,
    /// chrono format of the time (default `%H:%M:%S`).
    pub time_format: Option<String>,
    /// Roll the date forward a day when `time` is earlier than this column's time (a
    /// call that passed midnight).
    pub roll_if_before: Option<String>,
    /// Replace values by this map (values not in it are kept).
    pub map: Option<BTreeMap<String, String>>,
    /// Empty when the value equals this.
    pub unless: Option<String>,
    /// Ordered rules: the first whose `when` holds gives the value; none: empty.
    pub rules: Option<Vec<CaseRule>>,
}

/// One conditional rule of an [`Expr`].
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseRule {
    /// When it applies.
    pub when: Condition,
    /// Copy this source column.
    pub column: Option<String>,
    /// Or this constant.
    pub value: Option<String>,
}

/// A mapping file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MappingFile {
    /// Target table (`calls`, `tickets`, …).
    pub table: String,
    /// IANA zone of the file's wall-clock times.
    pub timezone: Option<String>,
    /// Reading options.
    #[serde(default)]
    pub source: SourceOptions,
    /// Rows dropped on purpose (counted as skipped).
    #[serde(default)]
    pub skip: Vec<SkipRule>,
    /// Target column → expression.
    pub columns: BTreeMap<String, Expr>,
}

/// A loaded, checked mapping.
#[derive(Debug, Clone)]
pub struct Mapping {
    /// Where it came from.
    pub path: String,
    /// Target table.
    pub table: Table,
    file: MappingFile,
    delimiter: u8,
    zone: Option<TimeZoneSpec>,
    /// Expressions in the table's column order.
    exprs: Vec<Option<Expr>>,
}

impl Condition {
    fn tests(&self) -> &[Test] {
        match self {
            Condition::One(t) => std::slice::from_ref(t),
            Condition::All(v) => v,
        }
    }
}

impl Mapping {
    /// Reads and checks a mapping file; errors name the file and what to fix.
    pub fn load(path: &Path) -> Result<Mapping> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).on(&shown, "cannot read the mapping")?;
        let file: MappingFile = toml::from_str(&text)
            .map_err(|e| IngestError::input(&shown, format!("not a valid mapping: {e}")))?;
        let table = Table::from_kind(&file.table)
            .ok_or_else(|| IngestError::input(&shown, format!("unknown table {:?}; use calls, agent_states, schedules, agents, qa, costs or tickets", file.table)))?;
        let spec = table.spec();
        let mut exprs = vec![None; spec.columns.len()];
        for (name, e) in &file.columns {
            let i = spec.index_of(name).ok_or_else(|| {
                IngestError::input(&shown, format!("the {table} table has no column {name:?}"))
            })?;
            let sources = [
                e.column.is_some(),
                e.value.is_some(),
                e.concat.is_some(),
                e.date.is_some(),
                e.rules.is_some(),
            ];
            if sources.iter().filter(|x| **x).count() != 1 {
                return Err(IngestError::input(
                    &shown,
                    format!(
                        "column {name:?} needs exactly one of column, value, concat, date or rules"
                    ),
                ));
            }
            if e.date.is_some() != e.time.is_some() && e.time.is_some() {
                return Err(IngestError::input(
                    &shown,
                    format!("column {name:?} has a time but no date"),
                ));
            }
            exprs[i] = Some(e.clone());
        }
        let delimiter = match file.source.delimiter.as_deref() {
            None => b',',
            Some("\\t") | Some("\t") | Some("tab") => b'\t',
            Some(d) if d.len() == 1 => d.as_bytes()[0],
            Some(d) => {
                return Err(IngestError::input(
                    &shown,
                    format!("delimiter {d:?} must be one character (or \\t)"),
                ));
            }
        };
        if let Some(enc) = &file.source.encoding
            && !matches!(
                enc.to_ascii_lowercase().as_str(),
                "utf-8" | "utf8" | "latin1" | "iso-8859-1"
            )
        {
            return Err(IngestError::input(
                &shown,
                format!("encoding {enc:?} is not supported; use utf-8 or latin1"),
            ));
        }
        let zone = file
            .timezone
            .as_deref()
            .map(TimeZoneSpec::parse)
            .transpose()
            .map_err(|e| IngestError::input(&shown, format!("{e}")))?;
        Ok(Mapping {
            path: shown,
            table,
            file,
            delimiter,
            zone,
            exprs,
        })
    }

    /// Every source column the mapping reads.
    fn referenced(&self) -> HashSet<String> {
        let mut out = HashSet::new();
        let add_cond = |c: &Condition, out: &mut HashSet<String>| {
            for t in c.tests() {
                out.insert(t.column.clone());
            }
        };
        for s in &self.file.skip {
            add_cond(&s.when, &mut out);
        }
        for e in self.exprs.iter().flatten() {
            for c in [&e.column, &e.date, &e.time, &e.roll_if_before]
                .into_iter()
                .flatten()
            {
                out.insert(c.clone());
            }
            for part in e.concat.iter().flatten() {
                for name in placeholders(part) {
                    out.insert(name);
                }
            }
            for r in e.rules.iter().flatten() {
                add_cond(&r.when, &mut out);
                if let Some(c) = &r.column {
                    out.insert(c.clone());
                }
            }
        }
        out
    }
}

/// The `{name}` placeholders of a concat part.
fn placeholders(part: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = part;
    while let Some(a) = rest.find('{') {
        match rest[a + 1..].find('}') {
            Some(b) => {
                out.push(rest[a + 1..a + 1 + b].to_owned());
                rest = &rest[a + 2 + b..];
            }
            None => break,
        }
    }
    out
}

struct RowView<'a> {
    header: &'a [String],
    fields: Vec<&'a str>,
    missing: &'a [String],
}

impl RowView<'_> {
    fn get(&self, column: &str) -> &str {
        let v = self
            .header
            .iter()
            .position(|h| h == column)
            .and_then(|i| self.fields.get(i))
            .map_or("", |s| s.trim());
        if self.missing.iter().any(|m| m == v) {
            ""
        } else {
            v
        }
    }

    fn holds(&self, c: &Condition) -> bool {
        c.tests().iter().all(|t| {
            let v = self.get(&t.column);
            t.equals.as_ref().is_none_or(|x| v == x)
                && t.not_equals.as_ref().is_none_or(|x| v != x)
                && t.one_of.as_ref().is_none_or(|xs| xs.iter().any(|x| x == v))
                && t.empty.is_none_or(|e| v.is_empty() == e)
        })
    }
}

fn parse_time(s: &str, fmt: &str) -> Option<NaiveTime> {
    NaiveTime::parse_from_str(s, fmt).ok()
}

/// Evaluates `e` on a row: `Ok(None)` is an empty value; `Err` a reason to reject.
fn evaluate(e: &Expr, row: &RowView<'_>, zone: &TimeZoneSpec) -> Result<Option<String>, String> {
    let mut v: Option<String> = if let Some(c) = &e.column {
        Some(row.get(c).to_owned())
    } else if let Some(x) = &e.value {
        Some(x.clone())
    } else if let Some(parts) = &e.concat {
        let mut s = String::new();
        for p in parts {
            let mut rest = p.as_str();
            while let Some(a) = rest.find('{') {
                s.push_str(&rest[..a]);
                match rest[a + 1..].find('}') {
                    Some(b) => {
                        s.push_str(row.get(&rest[a + 1..a + 1 + b]));
                        rest = &rest[a + 2 + b..];
                    }
                    None => {
                        s.push_str(&rest[a..]);
                        rest = "";
                    }
                }
            }
            s.push_str(rest);
        }
        Some(s)
    } else if let Some(dcol) = &e.date {
        let dtext = row.get(dcol);
        if dtext.is_empty() {
            return Ok(None);
        }
        let dfmt = e.date_format.as_deref().unwrap_or("%Y-%m-%d");
        // A date, or a date and time in one column when the format has both.
        // (A date-only parse would accept and drop the time fields, so the full form
        // is tried first.)
        let (date, time) = match chrono::NaiveDateTime::parse_from_str(dtext, dfmt) {
            Ok(x) => (x.date(), Some(x.time())),
            Err(_) => NaiveDate::parse_from_str(dtext, dfmt)
                .map(|d| (d, None))
                .map_err(|_| format!("{dcol}: {dtext:?} is not a date in the format {dfmt}"))?,
        };
        let mut days = days_from_civil(date.year(), date.month(), date.day());
        let mut secs = time.map_or(0, |t| i64::from(t.num_seconds_from_midnight()));
        if let Some(tcol) = &e.time {
            let tfmt = e.time_format.as_deref().unwrap_or("%H:%M:%S");
            let ttext = row.get(tcol);
            let t = parse_time(ttext, tfmt)
                .ok_or_else(|| format!("{tcol}: {ttext:?} is not a time in the format {tfmt}"))?;
            secs = i64::from(t.num_seconds_from_midnight());
            if let Some(rcol) = &e.roll_if_before
                && let Some(r) = parse_time(row.get(rcol), tfmt)
                && t < r
            {
                days += 1;
            }
        }
        let local = i64::from(days) * 86_400_000 + secs * 1000;
        let ms = zone.local_to_utc_ms(local).map_err(|e| e.to_string())?;
        Some(format_timestamp(ms))
    } else if let Some(rules) = &e.rules {
        rules
            .iter()
            .find(|r| row.holds(&r.when))
            .and_then(|r| match (&r.column, &r.value) {
                (Some(c), _) => Some(row.get(c).to_owned()),
                (None, Some(x)) => Some(x.clone()),
                (None, None) => None,
            })
    } else {
        None
    };
    if let (Some(map), Some(x)) = (&e.map, &v)
        && let Some(m) = map.get(x)
    {
        v = Some(m.clone());
    }
    if let (Some(u), Some(x)) = (&e.unless, &v)
        && x == u
    {
        v = None;
    }
    Ok(v.filter(|x| !x.is_empty()))
}

/// Reads `path` through `mapping` into the store (or only checks, with `--dry-run`).
pub fn ingest(
    store: &mut Store,
    mapping: &Mapping,
    path: &Path,
    opts: &IngestOptions,
    ingest_id: &str,
) -> Result<FileSummary> {
    let shown = path.display().to_string();
    let bytes = std::fs::read(path).on(&shown, "cannot read the file")?;
    let latin1 =
        mapping.file.source.encoding.as_deref().is_some_and(|e| {
            e.eq_ignore_ascii_case("latin1") || e.eq_ignore_ascii_case("iso-8859-1")
        });
    let text: String = if latin1 {
        bytes.iter().map(|&b| b as char).collect()
    } else {
        String::from_utf8(bytes).map_err(|e| IngestError::input(&shown, format!("not UTF-8 text (byte {}); set encoding = \"latin1\" in the mapping's [source] if it is Latin-1", e.utf8_error().valid_up_to())))?
    };
    let has_header = mapping.file.source.header.unwrap_or(true);
    let mut rdr = csv::ReaderBuilder::new()
        .delimiter(mapping.delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    // Lines are counted from the bytes themselves (exact, whatever the line endings).
    let bytes = text.as_bytes();
    let mut lines = super::source::LineIndex::new(bytes);
    let mut rec = csv::StringRecord::new();
    let header: Vec<String> = if has_header {
        match rdr.read_record(&mut rec) {
            Ok(true) => rec
                .iter()
                .map(|x| x.trim().trim_start_matches('\u{feff}').to_owned())
                .collect(),
            _ => {
                return Err(IngestError::input(
                    &shown,
                    "empty, or its header cannot be read".to_string(),
                ));
            }
        }
    } else {
        mapping.file.source.columns.clone().ok_or_else(|| {
            IngestError::input(
                &mapping.path,
                "header = false needs the source column names (columns = [...])",
            )
        })?
    };
    let missing: Vec<String> = mapping
        .referenced()
        .into_iter()
        .filter(|c| !header.contains(c))
        .collect();
    if !missing.is_empty() {
        return Err(IngestError::input(
            &shown,
            format!(
                "the mapping {} reads column(s) {} that the file does not have (its header: {})",
                mapping.path,
                missing.join(", "),
                header.join(", ")
            ),
        ));
    }
    let zone = mapping.zone.unwrap_or(opts.zone);
    let spec = mapping.table.spec();
    let mut loader = Loader::new(
        store,
        mapping.table,
        opts,
        ingest_id,
        shown.clone(),
        Vec::new(),
    )?;
    let mut parse_rejects: Vec<Reject> = Vec::new();
    let mut read = 0u64;
    let mut values: Vec<Option<String>> = vec![None; spec.columns.len()];
    loop {
        match rdr.read_record(&mut rec) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                read += 1;
                let line = e.position().map_or(0, |p| lines.line_of(p.byte() as usize));
                parse_rejects.push(Reject {
                    line,
                    byte: None,
                    column: None,
                    reason: format!("not readable: {e}"),
                    rendered: Some(String::new()),
                });
                continue;
            }
        }
        read += 1;
        let line = lines.line_of(rec.position().map_or(0, |p| p.byte()) as usize);
        let original = rec
            .iter()
            .collect::<Vec<_>>()
            .join(&(mapping.delimiter as char).to_string());
        if rec.len() != header.len() {
            parse_rejects.push(Reject {
                line,
                byte: None,
                column: None,
                reason: format!(
                    "the line has {} fields, the header has {} (a missing delimiter?)",
                    rec.len(),
                    header.len()
                ),
                rendered: Some(original),
            });
            continue;
        }
        let row = RowView {
            header: &header,
            fields: rec.iter().collect(),
            missing: mapping.file.source.missing.as_deref().unwrap_or(&[]),
        };
        if mapping.file.skip.iter().any(|s| row.holds(&s.when)) {
            loader.summary.skipped += 1;
            continue;
        }
        let mut failed = None;
        for (i, e) in mapping.exprs.iter().enumerate() {
            values[i] = match e {
                None => None,
                Some(e) => match evaluate(e, &row, &zone) {
                    Ok(v) => v,
                    Err(reason) => {
                        failed = Some((spec.columns[i].name, reason));
                        None
                    }
                },
            };
        }
        if let Some((col, reason)) = failed {
            parse_rejects.push(Reject {
                line,
                byte: None,
                column: Some(col.to_owned()),
                reason,
                rendered: Some(original),
            });
            continue;
        }
        let cells: Vec<Cell<'_>> = values
            .iter()
            .map(|v| v.as_deref().map_or(Cell::Null, Cell::Text))
            .collect();
        let before = loader.rejects.len();
        loader.on_row(RowPosition { line, byte: None }, &cells, None)?;
        if let Some(r) = loader.rejects.get_mut(before) {
            r.rendered = Some(original);
        }
    }
    // Rows that failed to map count as rejected alongside those the table refused.
    loader.summary.read = read - parse_rejects.len() as u64;
    let (mut summary, staged, currency) = loader.finish(store, ingest_id, None)?;
    summary.read += parse_rejects.len() as u64;
    summary.rejected += parse_rejects.len() as u64;
    if !parse_rejects.is_empty() {
        let mut firsts: Vec<String> = parse_rejects
            .iter()
            .take(10)
            .map(Reject::describe)
            .collect();
        firsts.append(&mut summary.first_rejects);
        firsts.truncate(10);
        summary.first_rejects = firsts;
        if !opts.dry_run {
            let rel = format!("rejects/{}/{ingest_id}-mapping.csv", mapping.table.name());
            rejects::write(&store.root().join(&rel), None, &parse_rejects)?;
            let p = store.root().join(&rel).display().to_string();
            summary.rejects_path = Some(match summary.rejects_path.take() {
                Some(other) => format!("{p} and {other}"),
                None => p,
            });
        }
    }
    summary
        .warnings
        .push(format!("read through the mapping {}", mapping.path));
    if opts.dry_run {
        return Ok(summary);
    }
    if let Some(c) = currency {
        store.set_currency(&c);
    }
    store
        .commit(staged, vec![summary.record(ingest_id, mapping.table)], None)
        .map_err(IngestError::Commit)?;
    Ok(summary)
}

#[cfg(test)]
mod fuzz {
    //! Arbitrary mapping files and rows never panic the mapping reader.

    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn arbitrary_mapping_text_is_refused_or_loaded_never_a_panic(text in "\\PC{0,300}") {
            let dir = tempfile::tempdir().expect("dir");
            let p = dir.path().join("m.toml");
            std::fs::write(&p, &text).expect("write");
            let _ = Mapping::load(&p);
        }

        #[test]
        fn arbitrary_rows_evaluate_or_reject(fields in prop::collection::vec("\\PC{0,12}", 4)) {
            let header: Vec<String> = ["date", "time", "outcome", "n"].iter().map(|s| s.to_string()).collect();
            let row = RowView { header: &header, fields: fields.iter().map(String::as_str).collect(), missing: &[] };
            let e = Expr {
                date: Some("date".into()),
                date_format: Some("%y%m%d".into()),
                time: Some("time".into()),
                roll_if_before: Some("n".into()),
                ..Expr::default()
            };
            let _ = evaluate(&e, &row, &TimeZoneSpec::parse("Asia/Jerusalem").expect("zone"));
            let rules = Expr {
                rules: Some(vec![CaseRule { when: Condition::One(Test { column: "outcome".into(), equals: Some("A".into()), not_equals: None, one_of: None, empty: None }), column: Some("n".into()), value: None }]),
                map: Some(BTreeMap::from([("x".to_string(), "y".to_string())])),
                unless: Some("0".into()),
                ..Expr::default()
            };
            let _ = evaluate(&rules, &row, &TimeZoneSpec::Utc);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_date_and_time_in_one_column_keep_the_time_and_missing_markers_read_as_empty() {
        let header: Vec<String> = ["opened", "closed"].iter().map(|s| s.to_string()).collect();
        let missing = vec!["?".to_owned()];
        let row = RowView {
            header: &header,
            fields: vec!["29-02-2016 01:16", "?"],
            missing: &missing,
        };
        let e = |col: &str| Expr {
            date: Some(col.into()),
            date_format: Some("%d-%m-%Y %H:%M".into()),
            ..Expr::default()
        };
        let zone = TimeZoneSpec::parse("Europe/Lisbon").expect("zone");
        // Lisbon is UTC+0 in February: the wall clock is the UTC time, minutes kept.
        assert_eq!(
            evaluate(&e("opened"), &row, &zone),
            Ok(Some("2016-02-29T01:16:00Z".into()))
        );
        // `?` is no value: an absent timestamp, not a bad date.
        assert_eq!(evaluate(&e("closed"), &row, &zone), Ok(None));
        let plain = Expr {
            column: Some("closed".into()),
            ..Expr::default()
        };
        assert_eq!(evaluate(&plain, &row, &zone), Ok(None));
        // A date-only format still reads dates.
        let row = RowView {
            header: &header,
            fields: vec!["29-02-2016", ""],
            missing: &[],
        };
        let d = Expr {
            date: Some("opened".into()),
            date_format: Some("%d-%m-%Y".into()),
            ..Expr::default()
        };
        assert_eq!(
            evaluate(&d, &row, &zone),
            Ok(Some("2016-02-29T00:00:00Z".into()))
        );
    }
}
