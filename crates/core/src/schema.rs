//! The seven canonical input tables of `docs/data-model.md`, defined once.
//!
//! Ingest validates against these specs, the simulator writes these columns in this
//! order, the store partitions by each table's partition column and de-duplicates by
//! its key, and `docs/data-model.md` is generated from them (a test keeps the two in
//! step). Nothing here does I/O.

use std::fmt;

/// One of the canonical tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Table {
    /// One row per call that reached the centre's lines.
    Calls,
    /// What each agent was doing, as time intervals.
    AgentStates,
    /// The planned roster.
    Schedules,
    /// Who works here (headcount, teams, joiners and leavers).
    Agents,
    /// Quality-monitoring scores.
    QaEvaluations,
    /// What the centre spent.
    Costs,
    /// Work orders, complaints, enquiries.
    Tickets,
}

impl Table {
    /// Every table, in the order of `data-model.md`.
    pub const ALL: [Table; 7] = [
        Table::Calls,
        Table::AgentStates,
        Table::Schedules,
        Table::Agents,
        Table::QaEvaluations,
        Table::Costs,
        Table::Tickets,
    ];

    /// The table's name as used in files, the store and JSON (`qa_evaluations`, …).
    pub fn name(self) -> &'static str {
        match self {
            Table::Calls => "calls",
            Table::AgentStates => "agent_states",
            Table::Schedules => "schedules",
            Table::Agents => "agents",
            Table::QaEvaluations => "qa_evaluations",
            Table::Costs => "costs",
            Table::Tickets => "tickets",
        }
    }

    /// Parses a table name or the `--kind` alias (`qa` for `qa_evaluations`).
    pub fn from_kind(kind: &str) -> Option<Table> {
        match kind {
            "qa" => Some(Table::QaEvaluations),
            _ => Table::ALL.into_iter().find(|t| t.name() == kind),
        }
    }

    /// The column specification of this table.
    pub fn spec(self) -> &'static TableSpec {
        let spec: &'static TableSpec = match self {
            Table::Calls => &CALLS,
            Table::AgentStates => &AGENT_STATES_SPEC,
            Table::Schedules => &SCHEDULES,
            Table::Agents => &AGENTS,
            Table::QaEvaluations => &QA_EVALUATIONS,
            Table::Costs => &COSTS,
            Table::Tickets => &TICKETS,
        };
        spec
    }

    /// Guesses the table from a header: the table all of whose required columns are
    /// present and which shares the most columns with the header. `None` when no table's
    /// required columns are all there.
    pub fn guess_from_header<S: AsRef<str>>(header: &[S]) -> Option<Table> {
        let has = |c: &str| header.iter().any(|h| h.as_ref().trim() == c);
        Table::ALL
            .into_iter()
            .filter(|t| {
                t.spec()
                    .columns
                    .iter()
                    .filter(|c| c.required == Required::Yes)
                    .all(|c| has(c.name))
            })
            .max_by_key(|t| {
                let shared = t.spec().columns.iter().filter(|c| has(c.name)).count();
                // Prefer the table whose own columns the header covers best.
                (shared * 100) / t.spec().columns.len()
            })
    }
}

impl fmt::Display for Table {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The type of a column's values once parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnType {
    /// UTF-8 text.
    String,
    /// An instant: RFC 3339 with offset, or local time in the ingest time zone.
    Timestamp,
    /// A calendar date `YYYY-MM-DD`.
    Date,
    /// A date (midnight in the ingest time zone) or a timestamp.
    DateOrTimestamp,
    /// A 64-bit float (durations are seconds).
    Float,
    /// An unsigned whole number.
    Count,
    /// `true/false`, `1/0`, `yes/no`, `y/n`, any case.
    Bool,
    /// One of a fixed list of lower-case words.
    Enum(&'static [&'static str]),
}

impl ColumnType {
    /// The name used in the data-model table.
    pub fn doc_name(self) -> String {
        match self {
            ColumnType::String => "string".into(),
            ColumnType::Timestamp => "timestamp".into(),
            ColumnType::Date => "date".into(),
            ColumnType::DateOrTimestamp => "date or timestamp".into(),
            ColumnType::Float => "f64".into(),
            ColumnType::Count => "u32".into(),
            ColumnType::Bool => "bool".into(),
            ColumnType::Enum(_) => "enum".into(),
        }
    }
}

/// Whether a column must be present and filled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Required {
    /// The column must exist in the file and every row must fill it.
    Yes,
    /// The column may be absent or empty.
    No,
    /// The column may be absent from the file, but a row matching the condition must
    /// fill it (for example `agent_id` when the call was answered).
    When(Condition),
}

/// A row condition under which a conditionally required column must be filled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Condition {
    /// `calls.outcome` is `answered`.
    Answered,
    /// `tickets.kind` is `complaint`.
    Complaint,
}

impl Condition {
    /// The words used in the data-model table.
    pub fn doc_name(self) -> &'static str {
        match self {
            Condition::Answered => "if answered",
            Condition::Complaint => "for complaints",
        }
    }
}

/// A value-range rule beyond the column's type.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Rule {
    /// No extra rule.
    None,
    /// Must not be empty after trimming.
    NonEmpty,
    /// Must be ≥ 0.
    NonNegative,
    /// Must lie in `[lo, hi]`.
    Range(f64, f64),
}

/// One column of a canonical table.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ColumnSpec {
    /// Column name, as in file headers and the store.
    pub name: &'static str,
    /// Value type.
    pub column_type: ColumnType,
    /// Whether it must be present.
    pub required: Required,
    /// Range rule on the value.
    pub rule: Rule,
    /// The rule in words, for the docs (units, defaults, meaning).
    pub doc: &'static str,
}

/// A cross-column rule of a table, checked after the columns parse.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowRule {
    /// `end` must be after `start` (column names given).
    EndAfterStart {
        /// The start column.
        start: &'static str,
        /// The end column.
        end: &'static str,
    },
    /// `left_on` must not be before `hired_on`.
    NotBefore {
        /// The earlier column.
        earlier: &'static str,
        /// The later column.
        later: &'static str,
    },
    /// Ticket timestamps must not go backwards: created ≤ escalated/answered/completed/
    /// resolved ≤ callback.
    TicketChronology,
}

/// The specification of one canonical table.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TableSpec {
    /// The table.
    pub table: Table,
    /// One-line description, for docs and `--help`.
    pub about: &'static str,
    /// Columns in canonical order.
    pub columns: &'static [ColumnSpec],
    /// Columns whose values identify a row: a second row with the same key is a
    /// duplicate (or, for tables with [`TableSpec::updates`], an update).
    pub key: &'static [&'static str],
    /// The timestamp or date column the store partitions by (one partition per UTC
    /// day); `None` keeps the table in one partition.
    pub partition_by: Option<&'static str>,
    /// Cross-column rules.
    pub row_rules: &'static [RowRule],
    /// Whether a later row with a stored key updates the stored row (its non-empty
    /// fields win) instead of being a duplicate.
    pub updates: bool,
    /// Extra notes for the docs.
    pub notes: &'static str,
}

impl TableSpec {
    /// Position of a column by name.
    pub fn index_of(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c.name == name)
    }

    /// The column spec by name.
    ///
    /// # Panics
    /// Never for the names used in this module's own specs; callers pass static names.
    pub fn column(&self, name: &str) -> Option<&ColumnSpec> {
        self.columns.iter().find(|c| c.name == name)
    }
}

/// Values of `calls.outcome`.
pub const OUTCOMES: &[&str] = &["answered", "abandoned", "timeout", "blocked", "ivr"];
/// Values of `agent_states.state`.
pub const AGENT_STATES: &[&str] = &[
    "ready",
    "talk",
    "hold",
    "acw",
    "not_ready",
    "break",
    "lunch",
    "training",
    "meeting",
];
/// Values of `schedules.activity`.
pub const ACTIVITIES: &[&str] = &["work", "break", "lunch", "training", "meeting", "off"];
/// Values of `tickets.kind`.
pub const TICKET_KINDS: &[&str] = &["repair", "complaint", "enquiry", "service"];
/// Values of `tickets.severity`.
pub const SEVERITIES: &[&str] = &["major", "important", "minor"];

const fn col(
    name: &'static str,
    column_type: ColumnType,
    required: Required,
    rule: Rule,
    doc: &'static str,
) -> ColumnSpec {
    ColumnSpec {
        name,
        column_type,
        required,
        rule,
        doc,
    }
}

use ColumnType as T;
use Required as R;

static CALLS: TableSpec = TableSpec {
    table: Table::Calls,
    about: "one row per call that reached the centre's lines",
    columns: &[
        col(
            "call_id",
            T::String,
            R::Yes,
            Rule::NonEmpty,
            "unique per source; a repeated id in a later ingest is a duplicate (skipped and counted), not a new call",
        ),
        col("queue", T::String, R::Yes, Rule::NonEmpty, "non-empty"),
        col("arrived_at", T::Timestamp, R::Yes, Rule::None, ""),
        col(
            "outcome",
            T::Enum(OUTCOMES),
            R::Yes,
            Rule::None,
            "`answered`, `abandoned`, `timeout`, `blocked`, `ivr`",
        ),
        col(
            "wait_s",
            T::Float,
            R::Yes,
            Rule::NonNegative,
            "≥ 0; time in queue until answer, abandon or exit; 0 for blocked/ivr",
        ),
        col(
            "agent_id",
            T::String,
            R::When(Condition::Answered),
            Rule::NonEmpty,
            "",
        ),
        col(
            "talk_s",
            T::Float,
            R::When(Condition::Answered),
            Rule::NonNegative,
            "≥ 0, conversation time excluding hold",
        ),
        col(
            "hold_s",
            T::Float,
            R::No,
            Rule::NonNegative,
            "≥ 0, default 0",
        ),
        col(
            "acw_s",
            T::Float,
            R::No,
            Rule::NonNegative,
            "≥ 0, after-call work; default 0",
        ),
        col(
            "rings",
            T::Count,
            R::No,
            Rule::None,
            "rings heard before answer",
        ),
        col("transferred", T::Bool, R::No, Rule::None, "default false"),
        col(
            "resolved",
            T::Bool,
            R::No,
            Rule::None,
            "first-contact resolution disposition, if the desk records one",
        ),
        col(
            "caller_id",
            T::String,
            R::No,
            Rule::None,
            "phone number or customer id, for repeat-contact FCR",
        ),
    ],
    key: &["call_id"],
    partition_by: Some("arrived_at"),
    row_rules: &[],
    updates: false,
    notes: "Answered rows without agent or talk time, negative durations, unknown outcomes and unparseable timestamps are rejected.",
};

static AGENT_STATES_SPEC: TableSpec = TableSpec {
    table: Table::AgentStates,
    about: "what each agent was doing, as time intervals",
    columns: &[
        col("agent_id", T::String, R::Yes, Rule::NonEmpty, ""),
        col(
            "state",
            T::Enum(AGENT_STATES),
            R::Yes,
            Rule::None,
            "`ready` (idle, waiting for a call), `talk`, `hold`, `acw`, `not_ready`, `break`, `lunch`, `training`, `meeting`; logged-out time is simply absent",
        ),
        col("start", T::Timestamp, R::Yes, Rule::None, ""),
        col("end", T::Timestamp, R::Yes, Rule::None, "> start"),
        col("reason", T::String, R::No, Rule::None, "pause reason code"),
    ],
    key: &["agent_id", "start"],
    partition_by: Some("start"),
    row_rules: &[RowRule::EndAfterStart {
        start: "start",
        end: "end",
    }],
    updates: false,
    notes: "Overlapping intervals of one agent are rejected (the later row) with the reason.",
};

static SCHEDULES: TableSpec = TableSpec {
    table: Table::Schedules,
    about: "the planned roster",
    columns: &[
        col("agent_id", T::String, R::Yes, Rule::NonEmpty, ""),
        col("start", T::Timestamp, R::Yes, Rule::None, ""),
        col("end", T::Timestamp, R::Yes, Rule::None, "> start"),
        col(
            "activity",
            T::Enum(ACTIVITIES),
            R::Yes,
            Rule::None,
            "`work`, `break`, `lunch`, `training`, `meeting`, `off`",
        ),
    ],
    key: &["agent_id", "start"],
    partition_by: Some("start"),
    row_rules: &[RowRule::EndAfterStart {
        start: "start",
        end: "end",
    }],
    updates: false,
    notes: "",
};

static AGENTS: TableSpec = TableSpec {
    table: Table::Agents,
    about: "who works here",
    columns: &[
        col("agent_id", T::String, R::Yes, Rule::NonEmpty, "unique"),
        col("name", T::String, R::No, Rule::None, ""),
        col("team", T::String, R::No, Rule::None, ""),
        col("hired_on", T::Date, R::No, Rule::None, ""),
        col("left_on", T::Date, R::No, Rule::None, "≥ hired_on"),
        col(
            "full_time",
            T::Bool,
            R::No,
            Rule::None,
            "default true (turnover counts full-time staff)",
        ),
    ],
    key: &["agent_id"],
    partition_by: None,
    row_rules: &[RowRule::NotBefore {
        earlier: "hired_on",
        later: "left_on",
    }],
    updates: true,
    notes: "A later row with a known `agent_id` updates that agent (its non-empty fields win), so a leaver's `left_on` can be loaded later.",
};

static QA_EVALUATIONS: TableSpec = TableSpec {
    table: Table::QaEvaluations,
    about: "quality monitoring scores",
    columns: &[
        col("agent_id", T::String, R::Yes, Rule::NonEmpty, ""),
        col("evaluated_at", T::Timestamp, R::Yes, Rule::None, ""),
        col("score", T::Float, R::Yes, Rule::Range(0.0, 100.0), "0–100"),
        col("call_id", T::String, R::No, Rule::None, ""),
    ],
    key: &["agent_id", "evaluated_at"],
    partition_by: Some("evaluated_at"),
    row_rules: &[],
    updates: false,
    notes: "",
};

static COSTS: TableSpec = TableSpec {
    table: Table::Costs,
    about: "what the centre spent",
    columns: &[
        col("period_start", T::DateOrTimestamp, R::Yes, Rule::None, ""),
        col(
            "period_end",
            T::DateOrTimestamp,
            R::Yes,
            Rule::None,
            "> start (a date end is exclusive)",
        ),
        col("amount", T::Float, R::Yes, Rule::NonNegative, "≥ 0"),
        col(
            "currency",
            T::String,
            R::No,
            Rule::None,
            "one currency per store; a mix is rejected",
        ),
        col(
            "category",
            T::String,
            R::No,
            Rule::None,
            "staff, telecom, facilities, …",
        ),
    ],
    key: &["period_start", "period_end", "category"],
    partition_by: Some("period_start"),
    row_rules: &[RowRule::EndAfterStart {
        start: "period_start",
        end: "period_end",
    }],
    updates: false,
    notes: "",
};

static TICKETS: TableSpec = TableSpec {
    table: Table::Tickets,
    about: "work orders, complaints, enquiries",
    columns: &[
        col("ticket_id", T::String, R::Yes, Rule::NonEmpty, "unique"),
        col("created_at", T::Timestamp, R::Yes, Rule::None, ""),
        col(
            "kind",
            T::Enum(TICKET_KINDS),
            R::Yes,
            Rule::None,
            "`repair`, `complaint`, `enquiry`, `service`",
        ),
        col(
            "category",
            T::String,
            R::No,
            Rule::None,
            "for repairs: `safety`, `leak`, `other` (drives the call-back deadline)",
        ),
        col(
            "severity",
            T::Enum(SEVERITIES),
            R::When(Condition::Complaint),
            Rule::None,
            "`major`, `important`, `minor`",
        ),
        col(
            "channel",
            T::String,
            R::No,
            Rule::None,
            "`phone`, `visit`, `letter`, `fax`, `web`, …",
        ),
        col("customer_id", T::String, R::No, Rule::None, ""),
        col(
            "unit",
            T::String,
            R::No,
            Rule::None,
            "flat/building/address, for recurring-problem analysis",
        ),
        col("department", T::String, R::No, Rule::None, ""),
        col(
            "call_id",
            T::String,
            R::No,
            Rule::None,
            "the call that opened it",
        ),
        col("escalated_at", T::Timestamp, R::No, Rule::None, ""),
        col(
            "answered_at",
            T::Timestamp,
            R::No,
            Rule::None,
            "first clear answer to the customer",
        ),
        col(
            "completed_at",
            T::Timestamp,
            R::No,
            Rule::None,
            "work done (repairs: leak test passed)",
        ),
        col("resolved_at", T::Timestamp, R::No, Rule::None, "closed"),
        col(
            "callback_at",
            T::Timestamp,
            R::No,
            Rule::None,
            "follow-up call/visit done",
        ),
        col(
            "requested_by",
            T::Timestamp,
            R::No,
            Rule::None,
            "the customer's own deadline",
        ),
        col(
            "satisfaction",
            T::Float,
            R::No,
            Rule::Range(1.0, 5.0),
            "1–5",
        ),
    ],
    key: &["ticket_id"],
    partition_by: Some("created_at"),
    row_rules: &[RowRule::TicketChronology],
    updates: true,
    notes: "Timestamps must not go backwards (created ≤ escalated/answered/completed/resolved ≤ callback); a row that breaks this is rejected.\n\nTickets change after they are first loaded. A later row with a known `ticket_id` **updates** that ticket instead of being a duplicate: its non-empty fields win, and `created_at` keeps the earliest value seen. A row identical to what is stored counts as a duplicate.",
};

/// Renders the tables as the Markdown of `docs/data-model.md` (the part generated from
/// this module; a test checks the checked-in file against it).
pub fn data_model_markdown() -> String {
    let mut out = String::new();
    for table in Table::ALL {
        let spec = table.spec();
        out.push_str(&format!("## {} — {}\n\n", table.name(), spec.about));
        out.push_str("| column | type | req | rule |\n|---|---|---|---|\n");
        for c in spec.columns {
            let req = match c.required {
                Required::Yes => "yes",
                Required::No => "no",
                Required::When(cond) => cond.doc_name(),
            };
            out.push_str(&format!(
                "| {} | {} | {} | {} |\n",
                c.name,
                c.column_type.doc_name(),
                req,
                c.doc
            ));
        }
        out.push_str(&format!(
            "\nKey: `{}`{}. Stored partitioned by {}.\n",
            spec.key.join("` + `"),
            if spec.updates {
                " (a later row with a stored key updates it)"
            } else {
                " (a later row with a stored key is a duplicate)"
            },
            match spec.partition_by {
                Some(c) => format!("the UTC day of `{c}`"),
                None => "nothing (one partition)".into(),
            }
        ));
        if !spec.notes.is_empty() {
            out.push('\n');
            out.push_str(spec.notes);
            out.push('\n');
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip_and_qa_alias() {
        for t in Table::ALL {
            assert_eq!(Table::from_kind(t.name()), Some(t));
        }
        assert_eq!(Table::from_kind("qa"), Some(Table::QaEvaluations));
        assert_eq!(Table::from_kind("queue_log"), None);
    }

    #[test]
    fn header_guess_distinguishes_states_from_schedules() {
        let states = ["agent_id", "state", "start", "end"];
        let schedules = ["agent_id", "start", "end", "activity"];
        assert_eq!(Table::guess_from_header(&states), Some(Table::AgentStates));
        assert_eq!(Table::guess_from_header(&schedules), Some(Table::Schedules));
        let calls = [
            "call_id",
            "queue",
            "arrived_at",
            "outcome",
            "wait_s",
            "agent_id",
        ];
        assert_eq!(Table::guess_from_header(&calls), Some(Table::Calls));
        assert_eq!(Table::guess_from_header(&["agent_id"]), Some(Table::Agents));
        assert_eq!(Table::guess_from_header(&["foo", "bar"]), None);
    }

    #[test]
    fn keys_and_partitions_name_real_columns() {
        for t in Table::ALL {
            let s = t.spec();
            for k in s.key {
                assert!(s.index_of(k).is_some(), "{t}: key {k}");
            }
            if let Some(p) = s.partition_by {
                assert!(s.index_of(p).is_some(), "{t}: partition {p}");
            }
        }
    }
}

/// Outcome of a call (`calls.outcome`): the column's five words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Answered by an agent.
    Answered,
    /// The caller hung up while queued.
    Abandoned,
    /// The queue sent the caller away after its maximum wait.
    Timeout,
    /// All trunks busy.
    Blocked,
    /// Handled entirely by the IVR.
    Ivr,
}

impl Outcome {
    /// Every outcome, in the column's documented order.
    pub const ALL: [Outcome; 5] = [
        Outcome::Answered,
        Outcome::Abandoned,
        Outcome::Timeout,
        Outcome::Blocked,
        Outcome::Ivr,
    ];

    /// The outcome a canonical word names; `None` for any other text.
    pub fn from_word(word: &str) -> Option<Outcome> {
        Outcome::ALL.into_iter().find(|o| o.as_str() == word)
    }

    /// The canonical word.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Answered => "answered",
            Outcome::Abandoned => "abandoned",
            Outcome::Timeout => "timeout",
            Outcome::Blocked => "blocked",
            Outcome::Ivr => "ivr",
        }
    }
}
