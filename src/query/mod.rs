//! The questions users ask, one module each: a typed request whose `Default` holds
//! every default, a typed result that serialises to the JSON shape of
//! `docs/cli.md`, and a `run` that answers it from the store with the core's
//! computation. No command-line parsing and no printing here: the CLI, the report
//! and the server present the same results.
//!
//! * [`kpi`] — the 23 KPIs over a period, bucketed and grouped;
//! * [`forecast`] — volume and handle-time forecasts with prediction intervals;
//! * [`roster`] — the shift plan that covers a staffing requirement;
//! * [`report`] — everything the review pack shows, from the queries above;
//! * [`tickets`] — ticket SLA compliance, breaches, risk, recurring problems;
//! * [`staffing`] — agents needed for one interval or a file of them;
//! * [`status`] — what the store holds, and whether it reads back whole.

pub mod agent_day;
pub mod coverage;
pub mod forecast;
pub mod kpi;
pub mod report;
pub mod roster;
pub mod roster_named;
pub mod staffing;
pub mod status;
pub mod tickets;

use crate::store::StoreError;
use callboard_core::erlang::StaffingError;
use callboard_core::kpi::buckets::Bucketing;
use callboard_core::tickets::{DurationError, PolicyError};
use callboard_core::time::{DAY_MS, TimeError, TimeZoneSpec, parse_timestamp};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// Why a question could not be answered. The messages name the concept at fault
/// ("the period's end must be after its start"), never a command-line flag, so they
/// read right in a terminal and in an HTTP 400 alike.
#[derive(Debug, thiserror::Error)]
pub enum QueryError {
    /// The store could not be read.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A store with nothing loaded.
    #[error(
        "{} holds no data yet; load some with `callboard ingest` (or try `callboard demo`)",
        dir.display()
    )]
    EmptyStore {
        /// The data directory.
        dir: PathBuf,
    },
    /// A period left open at an end with no calls to take it from.
    #[error("no calls in the store: give the period's start and end")]
    NoCallsForPeriod,
    /// A store without tickets asked for a ticket report.
    #[error(
        "{} holds no tickets; load a ticket log with `callboard ingest` (e.g. a ServiceNow export with --mapping mappings/servicenow_incidents.toml)",
        dir.display()
    )]
    NoTickets {
        /// The data directory.
        dir: PathBuf,
    },
    /// A store without schedules asked for roster coverage.
    #[error(
        "{} holds no schedules; load a roster (`callboard roster … --agents` writes roster.csv) with `callboard ingest --kind schedules`",
        dir.display()
    )]
    NoSchedules {
        /// The data directory.
        dir: PathBuf,
    },
    /// `to <= from`.
    #[error("the period's end must be after its start")]
    PeriodEndBeforeStart,
    /// A moment that is not a timestamp or date.
    #[error("{what}: {source}")]
    Moment {
        /// "the period's start", "the period's end", "the as-of moment".
        what: &'static str,
        /// Why.
        source: TimeError,
    },
    /// A time zone that is not an IANA name.
    #[error("time zone: {0}")]
    TimeZone(#[source] TimeError),
    /// An interval length other than 15, 30 or 60 minutes.
    #[error("interval {given:?}: use 15m, 30m or 60m")]
    IntervalLength {
        /// What was given.
        given: String,
    },
    /// Ticket reports bucket by creation day, week or month, not by interval.
    #[error("ticket reports are by total, day, week or month, not by interval")]
    TicketsByInterval,
    /// A length (`7d`, `24h`) that is not one.
    #[error("{what}: {source}")]
    Duration {
        /// Which setting.
        what: &'static str,
        /// Why.
        source: DurationError,
    },
    /// A setting that must be more than zero.
    #[error("{what} must be positive")]
    NotPositive {
        /// Which setting.
        what: &'static str,
    },
    /// A setting that must be zero or more.
    #[error("{what} must be ≥ 0")]
    Negative {
        /// Which setting.
        what: &'static str,
    },
    /// A KPI id not in the catalog.
    #[error("{given:?}: no such KPI; the ids are {}", ids.join(", "))]
    UnknownKpi {
        /// What was given.
        given: String,
        /// The catalog's ids.
        ids: Vec<&'static str>,
    },
    /// A policy file that cannot be read.
    #[error("cannot read {}", path.display())]
    PolicyFile {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A policy that is not TOML of the policy's shape.
    #[error("{name}: {message}")]
    PolicySyntax {
        /// The file, or "the desk policy".
        name: String,
        /// The TOML parser's words, with line and column.
        message: String,
    },
    /// A policy whose rules do not hold together.
    #[error("{name}: {source}")]
    Policy {
        /// The file, or "the desk policy".
        name: String,
        /// Which key is wrong.
        source: PolicyError,
    },
    /// Staffing inputs outside their ranges.
    #[error(transparent)]
    Staffing(#[from] StaffingError),
    /// Erlang A without the callers' patience.
    #[error(
        "Erlang A needs the callers' mean patience in seconds (the patience setting, or a patience_s column)"
    )]
    NoPatience,
    /// A file of intervals that cannot be used.
    #[error("{}: {problem}", path.display())]
    IntervalFile {
        /// The file.
        path: PathBuf,
        /// What is wrong, with the line where there is one.
        problem: String,
    },
    /// A forecasting method name that is none of the known ones.
    #[error("unknown forecasting method {given:?}; use auto or one of {}", names.join(", "))]
    UnknownMethod {
        /// What was given.
        given: String,
        /// The known names.
        names: Vec<String>,
    },
    /// No calls (or no history file) to forecast from.
    #[error(
        "no history to forecast from: load calls into the store, or give an interval-count file"
    )]
    NoHistory,
    /// Staffing a forecast row without a handle time.
    #[error(
        "queue {queue}: staffing needs a handle time; give aht_s in the history or a handle time to use"
    )]
    NoHandleTime {
        /// The queue.
        queue: String,
    },
    /// Shrinkage asked to be measured where the store cannot tell it.
    #[error(
        "shrinkage cannot be measured: it needs the store's schedules and agent states over the 4 weeks before the history ends; give it as a fraction instead"
    )]
    NoShrinkageData,
    /// An output file that cannot be written.
    #[error("cannot write {}: {problem}", path.display())]
    OutputFile {
        /// The file.
        path: PathBuf,
        /// Why.
        problem: String,
    },
    /// A queue's history the methods refuse.
    #[error("queue {queue}: {problem}")]
    Forecast {
        /// The queue.
        queue: String,
        /// Why.
        problem: String,
    },
    /// An input file (a forecast's history or special days, a roster's requirement,
    /// shifts or rules) that cannot be read.
    #[error("{}{}: {problem}", path.display(), if *line > 0 { format!(":{line}") } else { String::new() })]
    InputFile {
        /// The file.
        path: PathBuf,
        /// The line (1 = the header; 0 = the file as a whole).
        line: u64,
        /// What is wrong.
        problem: String,
    },
    /// An agent the store has no rows for.
    #[error("no agent {agent:?} in the store's agent states, schedules or calls")]
    NoAgent {
        /// The id asked for.
        agent: String,
    },
    /// A date that is not one.
    #[error("{what}: {given:?} is not a date YYYY-MM-DD in the time zone")]
    Date {
        /// What the date was for.
        what: &'static str,
        /// What was given.
        given: String,
    },
    /// The roster's model or solver refused.
    #[error(transparent)]
    Roster(#[from] callboard_core::roster::RosterError),
    /// A worker thread panicked (a bug, not bad input).
    #[error("the {what} pass failed")]
    Worker {
        /// Which pass.
        what: &'static str,
    },
}

impl QueryError {
    /// Whether the asker can fix it (bad parameters, missing data) rather than the
    /// store or the program being at fault: a 4xx, not a 5xx, over HTTP.
    pub fn is_client_error(&self) -> bool {
        !matches!(self, QueryError::Store(_) | QueryError::Worker { .. })
    }
}

/// An error with its sources, `a: b: c` (for notes and logs that show one line).
pub fn error_chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut next = e.source();
    while let Some(s) = next {
        out.push_str(": ");
        out.push_str(&s.to_string());
        next = s.source();
    }
    out
}

/// `Result` with a [`QueryError`].
pub type Result<T, E = QueryError> = std::result::Result<T, E>;

/// Buckets of a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum By {
    /// The whole period.
    #[default]
    Total,
    /// Intervals of the report's interval length.
    Interval,
    /// Days (local midnight to midnight).
    Day,
    /// ISO weeks (Monday to Monday).
    Week,
    /// Calendar months.
    Month,
}

impl By {
    /// The word in the JSON `settings`.
    pub fn as_str(self) -> &'static str {
        match self {
            By::Total => "total",
            By::Interval => "interval",
            By::Day => "day",
            By::Week => "week",
            By::Month => "month",
        }
    }

    /// The core's bucketing; `interval` (`15m`, `30m`, `60m` or `1h`) is read only
    /// for [`By::Interval`].
    pub fn bucketing(self, interval: &str) -> Result<Bucketing> {
        Ok(match self {
            By::Total => Bucketing::Total,
            By::Day => Bucketing::Day,
            By::Week => Bucketing::Week,
            By::Month => Bucketing::Month,
            By::Interval => match interval {
                "15m" => Bucketing::Interval(15),
                "30m" => Bucketing::Interval(30),
                "60m" | "1h" => Bucketing::Interval(60),
                other => {
                    return Err(QueryError::IntervalLength {
                        given: other.to_owned(),
                    });
                }
            },
        })
    }
}

/// A report's period as asked: each end a timestamp (RFC 3339) or a date
/// (midnight in the report's zone), or open (then taken from the data).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PeriodQuery {
    /// Start (inclusive); default: local midnight of the first record's day.
    pub from: Option<String>,
    /// End (exclusive); default: local midnight after the last record's day.
    pub to: Option<String>,
}

/// A resolved period, ms since the epoch: `[from_ms, to_ms)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    /// Start, inclusive.
    pub from_ms: i64,
    /// End, exclusive.
    pub to_ms: i64,
}

/// Parses a time zone name.
pub fn time_zone(name: &str) -> Result<TimeZoneSpec> {
    TimeZoneSpec::parse(name).map_err(QueryError::TimeZone)
}

/// An input file's problem at `line` (1 = the header, 0 = the file as a whole).
pub fn input_error(path: &std::path::Path, line: u64, problem: impl Into<String>) -> QueryError {
    QueryError::InputFile {
        path: path.to_path_buf(),
        line,
        problem: problem.into(),
    }
}

/// A CSV record and the line (1-based) it starts on.
pub type CsvRow = (u64, csv::StringRecord);

/// A CSV input file read whole: its header names trimmed (and a byte-order mark
/// dropped), then every record with the line it starts on (1-based). The line
/// is counted from the record's byte offset (as ingest's mappings count it), so
/// blank lines, CRLF endings and line breaks inside quoted fields are counted
/// as an editor shows them: the `csv` crate's own line numbers drift with each
/// of those. The first record it cannot read is an error naming its line.
pub fn open_csv(path: &std::path::Path) -> Result<(Vec<CsvRow>, Vec<String>)> {
    let bytes = std::fs::read(path).map_err(|e| input_error(path, 0, e.to_string()))?;
    let mut lines = crate::ingest::LineIndex::new(&bytes);
    // A record the reader cannot take: its line, and what is wrong in words.
    let unreadable = |lines: &mut crate::ingest::LineIndex<'_>, e: csv::Error| {
        let line = e.position().map_or(0, |p| lines.line_of(p.byte() as usize));
        let problem = match e.kind() {
            csv::ErrorKind::UnequalLengths {
                expected_len, len, ..
            } => format!(
                "the row has {len} field{}, the header {expected_len}",
                if *len == 1 { "" } else { "s" }
            ),
            csv::ErrorKind::Utf8 { err, .. } => {
                format!("field {} is not UTF-8 text", err.field() + 1)
            }
            _ => e.to_string(),
        };
        input_error(path, line, problem)
    };
    let mut rdr = csv::Reader::from_reader(bytes.as_slice());
    let header = rdr
        .headers()
        .map_err(|e| unreadable(&mut lines, e))?
        .iter()
        .map(|h| h.trim().trim_start_matches('\u{feff}').to_owned())
        .collect();
    let mut rows = Vec::new();
    for rec in rdr.records() {
        let rec = rec.map_err(|e| unreadable(&mut lines, e))?;
        let line = rec
            .position()
            .map_or(0, |p| lines.line_of(p.byte() as usize));
        rows.push((line, rec));
    }
    Ok((rows, header))
}

/// Parses a moment (timestamp, or a date at midnight in `zone`).
pub fn moment(text: &str, zone: &TimeZoneSpec, what: &'static str) -> Result<i64> {
    parse_timestamp(text.trim(), zone).map_err(|source| QueryError::Moment { what, source })
}

/// A length such as `30m`, `48h` or `7d` (zero allowed), in ms.
pub fn duration_ms(text: &str, what: &'static str) -> Result<i64> {
    callboard_core::tickets::parse_duration_ms(text)
        .map_err(|source| QueryError::Duration { what, source })
}

/// A positive length such as `30m`, `48h` or `7d`, in ms.
pub fn positive_duration_ms(text: &str, what: &'static str) -> Result<i64> {
    let ms = duration_ms(text, what)?;
    if ms <= 0 {
        return Err(QueryError::NotPositive { what });
    }
    Ok(ms)
}

impl PeriodQuery {
    /// The period: the ends given, else whole local days around `first ..= last`
    /// (the first and last record's times, `None` when there are none).
    pub fn resolve(
        &self,
        zone: &TimeZoneSpec,
        first: Option<i64>,
        last: Option<i64>,
        empty: impl Fn() -> QueryError,
    ) -> Result<Period> {
        let local_day = |t: i64| (t + zone.offset_ms_at(t)).div_euclid(DAY_MS) as i32;
        let midnight = |day: i32, what| {
            zone.local_midnight_ms(day)
                .map_err(|source| QueryError::Moment { what, source })
        };
        const START: &str = "the period's start";
        const END: &str = "the period's end";
        let from_ms = match (&self.from, first) {
            (Some(t), _) => moment(t, zone, START)?,
            (None, Some(f)) => midnight(local_day(f), START)?,
            (None, None) => return Err(empty()),
        };
        let to_ms = match (&self.to, last) {
            (Some(t), _) => moment(t, zone, END)?,
            (None, Some(l)) => midnight(local_day(l) + 1, END)?,
            (None, None) => return Err(empty()),
        };
        if to_ms <= from_ms {
            return Err(QueryError::PeriodEndBeforeStart);
        }
        Ok(Period { from_ms, to_ms })
    }
}

/// Opens the store at `dir` for reading; a store with nothing loaded is an error
/// that says how to load some.
pub fn open_store(dir: &std::path::Path) -> Result<crate::store::Store> {
    let store = crate::store::Store::open_read(dir)?;
    if store.manifest().version == 0 {
        return Err(QueryError::EmptyStore {
            dir: dir.to_path_buf(),
        });
    }
    Ok(store)
}

/// Opens the store at `dir` for reading, empty or not (a directory without a
/// manifest reads as an empty store): for questions an empty store answers, such
/// as its status.
pub fn open_any_store(dir: &std::path::Path) -> Result<crate::store::Store> {
    Ok(crate::store::Store::open_read(dir)?)
}
