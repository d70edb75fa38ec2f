//! Typed column readers: the store's tables read back as the core's inputs (calls
//! for a report, agent states, scheduled work, headcount, QA scores, costs, tickets,
//! the calls a ticket report links to). Each reads only the columns it needs, one
//! at a time where a table is large, and update tables come back folded
//! ([`super::fold`]).

use super::fold::{Update, current_rows, earliest, later_wins};
use super::{Result, Store, StoreError};
use callboard_core::kpi::agent_time::{AgentStates, StateKind, StatesBuilder, WorkRow};
use callboard_core::kpi::calls::repeat_contact_resolution;
use callboard_core::kpi::intern::Interner;
use callboard_core::kpi::report::{Calls, NO_CALLER, NONE};
use callboard_core::kpi::staff_cost::{CostRow, QaRow};
use callboard_core::schema::{Outcome, Table};
use callboard_core::tickets::{COLUMNS as TICKET_COLUMNS, Stamp, Ticket};
use polars::prelude::{
    BooleanChunked, Column, DataFrame, DataType, Float64Chunked, Int64Chunked, PolarsResult,
    StringChunked,
};

/// A polars failure on `column` of `table`, read as `expected`.
fn column_error(
    table: Table,
    column: &str,
    expected: &'static str,
) -> impl Fn(polars::prelude::PolarsError) -> StoreError {
    let column = column.to_owned();
    move |source| StoreError::Column {
        table,
        column: column.clone(),
        expected,
        source,
    }
}

/// The columns of a table as read (one chunk per stored file or batch).
fn read(store: &Store, table: Table, columns: &[&str]) -> Result<Option<DataFrame>> {
    let Some(lf) = store.scan(table)? else {
        return Ok(None);
    };
    use polars::prelude::col;
    let df = lf
        .select(columns.iter().map(|c| col(*c)).collect::<Vec<_>>())
        .collect()
        .map_err(|source| StoreError::Table { table, source })?;
    Ok(Some(df))
}

/// Some columns of `table`'s rows whose `agent_id` is `agent` (the filter pushed
/// into the scan); `None` when the table is empty.
pub fn agent_rows(
    store: &Store,
    table: Table,
    agent: &str,
    columns: &[&str],
) -> Result<Option<DataFrame>> {
    use polars::prelude::{col, lit};
    let Some(lf) = store.scan(table)? else {
        return Ok(None);
    };
    let df = lf
        .filter(col("agent_id").eq(lit(agent)))
        .select(columns.iter().map(|c| col(*c)).collect::<Vec<_>>())
        .collect()
        .map_err(|source| StoreError::Table { table, source })?;
    Ok(Some(df))
}

/// Some columns of a table, each one contiguous chunk; `None` when the table is
/// empty.
pub fn table_columns(store: &Store, table: Table, columns: &[&str]) -> Result<Option<DataFrame>> {
    Ok(read(store, table, columns)?.map(|mut df| {
        // In place: the typed columns taken below then share the frame's buffers
        // instead of each being a second, contiguous copy.
        df.rechunk_mut_par();
        df
    }))
}

/// A text column of a frame read from `table`.
pub fn text_column(df: &DataFrame, table: Table, c: &str) -> Result<StringChunked> {
    let get = || -> PolarsResult<StringChunked> { Ok(df.column(c)?.str()?.rechunk().into_owned()) };
    get().map_err(column_error(table, c, "text"))
}

/// A timestamp or date column as its integer (ms since the epoch, or days).
pub fn millis_column(df: &DataFrame, table: Table, c: &str) -> Result<Int64Chunked> {
    let get = || -> PolarsResult<Int64Chunked> {
        Ok(df
            .column(c)?
            .as_materialized_series()
            .to_physical_repr()
            .cast(&DataType::Int64)?
            .i64()?
            .rechunk()
            .into_owned())
    };
    get().map_err(column_error(table, c, "a timestamp"))
}

/// A numeric column as floats.
pub fn float_column(df: &DataFrame, table: Table, c: &str) -> Result<Float64Chunked> {
    let get = || -> PolarsResult<Float64Chunked> {
        Ok(df
            .column(c)?
            .as_materialized_series()
            .cast(&DataType::Float64)?
            .f64()?
            .rechunk()
            .into_owned())
    };
    get().map_err(column_error(table, c, "a number"))
}

/// A boolean column.
pub fn flag_column(df: &DataFrame, table: Table, c: &str) -> Result<BooleanChunked> {
    let get =
        || -> PolarsResult<BooleanChunked> { Ok(df.column(c)?.bool()?.rechunk().into_owned()) };
    get().map_err(column_error(table, c, "true/false"))
}

/// One column of a table, as stored (not rechunked: the readers iterate the chunks
/// as they come); `None` when the table is empty.
fn one_column(store: &Store, table: Table, name: &str) -> Result<Option<Column>> {
    read(store, table, &[name])?
        .map(|mut df| df.drop_in_place(name))
        .transpose()
        .map_err(column_error(table, name, "a column"))
}

/// One column of a table known to have rows.
fn present_column(store: &Store, table: Table, name: &str) -> Result<Column> {
    one_column(store, table, name)?.ok_or_else(|| StoreError::Column {
        table,
        column: name.to_owned(),
        expected: "a column",
        source: polars::prelude::PolarsError::NoData("the table emptied while read".into()),
    })
}

/// The names an interner saw, copied out so the column they came from can be dropped.
fn owned_names(i: &Interner<'_>) -> Vec<String> {
    i.names().iter().map(|n| (*n).to_owned()).collect()
}

/// A text column as codes into its distinct values (an empty cell codes as "").
fn coded(c: &Column, table: Table) -> Result<(Vec<u32>, Vec<String>)> {
    let mut names = Interner::default();
    let s = c.str().map_err(column_error(table, c.name(), "text"))?;
    let codes = s.iter().map(|x| names.id(x.unwrap_or(""))).collect();
    Ok((codes, owned_names(&names)))
}

/// Repeat-contact FCR per call (`None`: window runs past the data, or no caller).
type RepeatFlags = Vec<Option<bool>>;

/// The calls a KPI report reads, as coded columns, one column at a time so the
/// frame never holds them all: only the calls of `only` queues (all when empty);
/// without `with_agents`, no answering agents (nothing grouped by agent needs
/// them). With `fcr_window_ms`, repeat-contact FCR flags are worked out over every
/// call (a repeat counts in any queue, domain.md); without it (a reader that needs
/// no FCR, such as the forecast) callers are not read at all. `None` when the store
/// has no calls.
pub fn read_calls_for_report(
    store: &Store,
    only: &[String],
    fcr_window_ms: Option<i64>,
    with_agents: bool,
) -> Result<Option<Calls>> {
    const T: Table = Table::Calls;
    let Some(queue) = one_column(store, T, "queue")? else {
        return Ok(None);
    };
    let (queue_code, queue_names) = coded(&queue, T)?;
    drop(queue);
    let wanted: Vec<bool> = queue_names
        .iter()
        .map(|q| only.is_empty() || only.contains(q))
        .collect();
    // The calls kept, when a filter leaves some out.
    let keep: Option<Vec<usize>> = wanted.contains(&false).then(|| {
        (0..queue_code.len())
            .filter(|&i| wanted[queue_code[i] as usize])
            .collect()
    });
    // A column's values at the kept calls, through `f`.
    macro_rules! pick {
        ($c:expr, $f:expr) => {
            match &keep {
                Some(k) => k.iter().map(|&i| $f($c.get(i))).collect(),
                None => $c.iter().map($f).collect(),
            }
        };
    }
    // Each column in turn: read, gathered to the kept calls, dropped.
    let codes = |name: &str| -> Result<(Vec<u32>, Vec<String>)> {
        let c = present_column(store, T, name)?;
        let mut names = Interner::default();
        let c = c.str().map_err(column_error(T, name, "text"))?;
        let all: Vec<u32> = pick!(c, |x: Option<_>| x.map_or(NONE, |x| names.id(x)));
        Ok((all, owned_names(&names)))
    };
    // Repeat-contact FCR on a second thread while this one reads the other
    // columns: callers need only telling apart, so each is a 128-bit hash (as the
    // store keys rows) instead of an entry in a map of millions of names. The flags
    // are found over every call and only then kept for the queues asked for.
    let keep = &keep;
    std::thread::scope(|scope| -> Result<Option<Calls>> {
        let fcr = scope.spawn(|| -> Result<(Vec<i64>, Option<RepeatFlags>)> {
            let arrived_ms: Vec<i64> = {
                let c = present_column(store, T, "arrived_at")?;
                let c = c
                    .as_materialized_series()
                    .to_physical_repr()
                    .cast(&DataType::Int64)
                    .map_err(column_error(T, "arrived_at", "a timestamp"))?;
                c.i64()
                    .map_err(column_error(T, "arrived_at", "a timestamp"))?
                    .iter()
                    .map(|x| x.unwrap_or(0))
                    .collect()
            };
            let repeat = match fcr_window_ms {
                None => None,
                Some(window_ms) => {
                    let caller: Vec<u128> = {
                        let c = present_column(store, T, "caller_id")?;
                        c.str()
                            .map_err(column_error(T, "caller_id", "text"))?
                            .iter()
                            .map(|x| {
                                x.map_or(NO_CALLER, |x| xxhash_rust::xxh3::xxh3_128(x.as_bytes()))
                            })
                            .collect()
                    };
                    let last = arrived_ms.iter().copied().max().unwrap_or(0);
                    Some(repeat_contact_resolution(
                        &caller,
                        NO_CALLER,
                        &arrived_ms,
                        window_ms,
                        last,
                    ))
                }
            };
            Ok(match keep {
                Some(k) => (
                    k.iter().map(|&i| arrived_ms[i]).collect(),
                    repeat.map(|r| k.iter().map(|&i| r[i]).collect()),
                ),
                None => (arrived_ms, repeat),
            })
        });
        let (agent, agent_names) = if with_agents {
            codes("agent_id")?
        } else {
            (
                vec![NONE; keep.as_ref().map_or(queue_code.len(), Vec::len)],
                Vec::new(),
            )
        };
        let numbers = |name: &str, empty: f64| -> Result<Vec<f64>> {
            let c = present_column(store, T, name)?;
            let c = c
                .as_materialized_series()
                .cast(&DataType::Float64)
                .map_err(column_error(T, name, "a number"))?;
            let c = c.f64().map_err(column_error(T, name, "a number"))?;
            Ok(pick!(c, |x: Option<f64>| x.unwrap_or(empty)))
        };
        let flags = |name: &str| -> Result<BooleanChunked> {
            let c = present_column(store, T, name)?;
            Ok(c.bool()
                .map_err(column_error(T, name, "true/false"))?
                .clone())
        };
        let outcome: Vec<Outcome> = {
            let c = present_column(store, T, "outcome")?;
            let c = c.str().map_err(column_error(T, "outcome", "text"))?;
            // The five canonical words; anything else is an error, never a
            // silent default.
            let mut unknown: Option<String> = None;
            let mut decode = |x: Option<&str>| {
                let word = x.unwrap_or("");
                Outcome::from_word(word).unwrap_or_else(|| {
                    unknown.get_or_insert_with(|| word.to_owned());
                    Outcome::Ivr
                })
            };
            let all: Vec<Outcome> = pick!(c, &mut decode);
            if let Some(word) = unknown {
                return Err(StoreError::UnknownOutcome { word });
            }
            all
        };
        let rings: Vec<u32> = {
            let c = present_column(store, T, "rings")?;
            let c = c
                .as_materialized_series()
                .cast(&DataType::UInt32)
                .map_err(column_error(T, "rings", "a count"))?;
            let c = c.u32().map_err(column_error(T, "rings", "a count"))?;
            pick!(c, |x: Option<u32>| x.unwrap_or(NONE))
        };
        let transferred = flags("transferred")?;
        let transferred = pick!(transferred, |x: Option<bool>| x.unwrap_or(false));
        let resolved = flags("resolved")?;
        let resolved = pick!(resolved, |x: Option<bool>| x.map_or(2, u8::from));
        let (wait_s, talk_s, hold_s, acw_s) = (
            numbers("wait_s", 0.0)?,
            numbers("talk_s", f64::NAN)?,
            numbers("hold_s", f64::NAN)?,
            numbers("acw_s", f64::NAN)?,
        );
        let (arrived_ms, repeat) = fcr
            .join()
            .map_err(|_| StoreError::Worker { what: "FCR" })??;
        Ok(Some(Calls {
            queue: match keep {
                Some(k) => k.iter().map(|&i| queue_code[i]).collect(),
                None => queue_code,
            },
            queues: queue_names,
            agents: agent_names,
            arrived_ms,
            agent,
            caller: Vec::new(),
            outcome,
            resolved,
            transferred,
            wait_s,
            talk_s,
            hold_s,
            acw_s,
            rings,
            repeat,
        }))
    })
}

/// The schedules' columns; [`ScheduleColumns::work_segments`] gives the rows the
/// KPIs use.
pub struct ScheduleColumns {
    agent: StringChunked,
    start: Int64Chunked,
    end: Int64Chunked,
    activity: StringChunked,
}

impl ScheduleColumns {
    /// The scheduled `work` segments (breaks, lunch, training … are not work).
    pub fn work_segments(&self) -> Vec<WorkRow<'_>> {
        (0..self.agent.len())
            .filter(|&i| self.activity.get(i) == Some("work"))
            .map(|i| WorkRow {
                agent: self.agent.get(i).unwrap_or(""),
                start_ms: self.start.get(i).unwrap_or(0),
                end_ms: self.end.get(i).unwrap_or(0),
            })
            .collect()
    }

    /// Every segment overlapping `[from_ms, to_ms)`: (agent, start ms, end ms,
    /// activity), in stored order.
    pub fn segments(&self, from_ms: i64, to_ms: i64) -> Vec<(&str, i64, i64, &str)> {
        (0..self.agent.len())
            .filter_map(|i| {
                let (a, b) = (self.start.get(i)?, self.end.get(i)?);
                (b > from_ms && a < to_ms).then(|| {
                    (
                        self.agent.get(i).unwrap_or(""),
                        a,
                        b,
                        self.activity.get(i).unwrap_or(""),
                    )
                })
            })
            .collect()
    }

    /// Scheduled paid time and `work` time inside `[from_ms, to_ms)`, ms. Paid:
    /// work, break, training and meeting; lunch and off are unpaid.
    pub fn paid_and_work_ms(&self, from_ms: i64, to_ms: i64) -> (i64, i64) {
        let (mut paid, mut work) = (0, 0);
        for i in 0..self.agent.len() {
            let (Some(a), Some(b)) = (self.start.get(i), self.end.get(i)) else {
                continue;
            };
            let overlap = (b.min(to_ms) - a.max(from_ms)).max(0);
            match self.activity.get(i) {
                Some("work") => {
                    work += overlap;
                    paid += overlap;
                }
                Some("break" | "training" | "meeting") => paid += overlap,
                _ => {}
            }
        }
        (paid, work)
    }
}

/// The schedules table; `None` when it is empty.
pub fn read_schedules(store: &Store) -> Result<Option<ScheduleColumns>> {
    const T: Table = Table::Schedules;
    let Some(df) = table_columns(store, T, &["agent_id", "start", "end", "activity"])? else {
        return Ok(None);
    };
    Ok(Some(ScheduleColumns {
        agent: text_column(&df, T, "agent_id")?,
        start: millis_column(&df, T, "start")?,
        end: millis_column(&df, T, "end")?,
        activity: text_column(&df, T, "activity")?,
    }))
}

/// The agent states, the largest table, one column at a time: agent ids and states
/// coded against small name lists, then the times placed straight into the
/// agent-grouped rows. `None` when the table is empty.
pub fn read_agent_states(store: &Store) -> Result<Option<AgentStates>> {
    const T: Table = Table::AgentStates;
    let Some(agent) = one_column(store, T, "agent_id")? else {
        return Ok(None);
    };
    let (agent_code, names) = coded(&agent, T)?;
    drop(agent);
    let kind: Vec<StateKind> = {
        let c = present_column(store, T, "state")?;
        let (mut words, mut kinds) = (Interner::default(), Vec::new());
        c.str()
            .map_err(column_error(T, "state", "text"))?
            .iter()
            .map(|y| {
                let y = y.unwrap_or("");
                let w = words.id(y) as usize;
                if w == kinds.len() {
                    kinds.push(StateKind::of(y));
                }
                kinds[w]
            })
            .collect()
    };
    // Kinds, then each time column in turn, scattered into the agent-grouped rows.
    let mut rows = StatesBuilder::new(names, &agent_code);
    rows.fill(&agent_code, kind, |r, k| r.kind = k);
    for (name, start) in [("start", true), ("end", false)] {
        let c = present_column(store, T, name)?;
        let c = c.as_materialized_series().to_physical_repr().into_owned();
        let t = c
            .i64()
            .map_err(column_error(T, name, "a timestamp"))?
            .iter()
            .map(|x| x.unwrap_or(0));
        if start {
            rows.fill(&agent_code, t, |r, x| r.start_ms = x);
        } else {
            rows.fill(&agent_code, t, |r, x| r.end_ms = x);
        }
    }
    Ok(Some(rows.finish()))
}

/// An agent's current headcount row (the agents table folded).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AgentRecord {
    /// `agent_id`.
    pub agent_id: String,
    /// Team.
    pub team: Option<String>,
    /// Hired on, days since 1970-01-01.
    pub hired_days: Option<i64>,
    /// Left on, days since 1970-01-01.
    pub left_days: Option<i64>,
    /// Full time.
    pub full_time: Option<bool>,
}

impl Update for AgentRecord {
    fn key(&self) -> &str {
        &self.agent_id
    }
    fn update(&mut self, later: Self) {
        later_wins(&mut self.team, later.team);
        later_wins(&mut self.hired_days, later.hired_days);
        later_wins(&mut self.left_days, later.left_days);
        later_wins(&mut self.full_time, later.full_time);
    }
}

/// The agents table folded to one current row per agent, in the order agents first
/// appear; `None` when it is empty.
pub fn read_agents(store: &Store) -> Result<Option<Vec<AgentRecord>>> {
    const T: Table = Table::Agents;
    let Some(df) = table_columns(
        store,
        T,
        &["agent_id", "team", "hired_on", "left_on", "full_time"],
    )?
    else {
        return Ok(None);
    };
    let (id, team) = (
        text_column(&df, T, "agent_id")?,
        text_column(&df, T, "team")?,
    );
    let (hired, left) = (
        millis_column(&df, T, "hired_on")?,
        millis_column(&df, T, "left_on")?,
    );
    let full = flag_column(&df, T, "full_time")?;
    let rows = (0..id.len()).filter_map(|i| {
        Some(AgentRecord {
            agent_id: id.get(i)?.to_owned(),
            team: team.get(i).map(str::to_owned),
            hired_days: hired.get(i),
            left_days: left.get(i),
            full_time: full.get(i),
        })
    });
    Ok(Some(current_rows(rows)))
}

/// The QA evaluations' columns.
pub struct QaColumns {
    agent: StringChunked,
    evaluated: Int64Chunked,
    score: Float64Chunked,
}

impl QaColumns {
    /// One row per evaluation.
    pub fn rows(&self) -> Vec<QaRow<'_>> {
        (0..self.agent.len())
            .map(|i| QaRow {
                agent: self.agent.get(i).unwrap_or(""),
                evaluated_ms: self.evaluated.get(i).unwrap_or(0),
                score: self.score.get(i).unwrap_or(0.0),
            })
            .collect()
    }
}

/// The QA evaluations; `None` when the table is empty.
pub fn read_qa_scores(store: &Store) -> Result<Option<QaColumns>> {
    const T: Table = Table::QaEvaluations;
    let Some(df) = table_columns(store, T, &["agent_id", "evaluated_at", "score"])? else {
        return Ok(None);
    };
    Ok(Some(QaColumns {
        agent: text_column(&df, T, "agent_id")?,
        evaluated: millis_column(&df, T, "evaluated_at")?,
        score: float_column(&df, T, "score")?,
    }))
}

/// The cost rows; `None` when the table is empty.
pub fn read_costs(store: &Store) -> Result<Option<Vec<CostRow>>> {
    const T: Table = Table::Costs;
    let Some(df) = table_columns(store, T, &["period_start", "period_end", "amount"])? else {
        return Ok(None);
    };
    let (a, b, m) = (
        millis_column(&df, T, "period_start")?,
        millis_column(&df, T, "period_end")?,
        float_column(&df, T, "amount")?,
    );
    Ok(Some(
        (0..a.len())
            .map(|i| CostRow {
                start_ms: a.get(i).unwrap_or(0),
                end_ms: b.get(i).unwrap_or(0),
                amount: m.get(i).unwrap_or(0.0),
            })
            .collect(),
    ))
}

/// The ticket columns, in [`Stamp::ALL`] order for the timestamps.
pub struct TicketColumns {
    id: StringChunked,
    kind: StringChunked,
    /// category, severity, channel, department, unit, customer, call.
    texts: [StringChunked; 7],
    stamps: Vec<Int64Chunked>,
}

/// The tickets table; `None` when it is empty.
pub fn read_ticket_columns(store: &Store) -> Result<Option<TicketColumns>> {
    const T: Table = Table::Tickets;
    let Some(df) = table_columns(store, T, &TICKET_COLUMNS)? else {
        return Ok(None);
    };
    let stamps = Stamp::ALL
        .iter()
        .map(|s| millis_column(&df, T, s.name()))
        .collect::<Result<_>>()?;
    let text = |c: &str| text_column(&df, T, c);
    Ok(Some(TicketColumns {
        id: text("ticket_id")?,
        kind: text("kind")?,
        texts: [
            text("category")?,
            text("severity")?,
            text("channel")?,
            text("department")?,
            text("unit")?,
            text("customer_id")?,
            text("call_id")?,
        ],
        stamps,
    }))
}

impl<'a> Update for Ticket<'a> {
    fn key(&self) -> &str {
        self.id
    }
    fn update(&mut self, later: Self) {
        if !later.kind.is_empty() {
            self.kind = later.kind;
        }
        for (old, new) in [
            (&mut self.category, later.category),
            (&mut self.severity, later.severity),
            (&mut self.channel, later.channel),
            (&mut self.department, later.department),
            (&mut self.unit, later.unit),
            (&mut self.customer, later.customer),
            (&mut self.call_id, later.call_id),
        ] {
            later_wins(old, new);
        }
        let created = earliest(self.stamps[0], later.stamps[0]);
        for (old, new) in self.stamps.iter_mut().zip(later.stamps) {
            later_wins(old, new);
        }
        self.stamps[0] = created;
    }
}

impl TicketColumns {
    /// The current tickets: the rows of one `ticket_id` folded in store order when
    /// `fold` (some ingest updated a ticket); otherwise every row is a ticket.
    pub fn current_tickets(&self, fold: bool) -> Vec<Ticket<'_>> {
        // Each column into a plain vector (a sequential read), then one pass building
        // the rows: no per-cell chunk lookups, and the wide rows are written once.
        let texts: Vec<Vec<Option<&str>>> = self.texts.iter().map(|x| x.iter().collect()).collect();
        let stamps: Vec<Vec<Option<i64>>> =
            self.stamps.iter().map(|x| x.iter().collect()).collect();
        let rows = self
            .id
            .iter()
            .zip(self.kind.iter())
            .enumerate()
            .map(|(i, (id, kind))| Ticket {
                id: id.unwrap_or(""),
                kind: kind.unwrap_or(""),
                category: texts[0][i],
                severity: texts[1][i],
                channel: texts[2][i],
                department: texts[3][i],
                unit: texts[4][i],
                customer: texts[5][i],
                call_id: texts[6][i],
                stamps: std::array::from_fn(|k| stamps[k][i]),
            });
        if fold {
            current_rows(rows)
        } else {
            rows.collect()
        }
    }
}

/// The calls' ids, callers and arrivals: what linking tickets to calls reads.
pub struct ContactColumns {
    /// `call_id`.
    pub call_id: StringChunked,
    /// `caller_id`.
    pub caller_id: StringChunked,
    /// `arrived_at`, ms.
    pub arrived_ms: Int64Chunked,
}

/// The calls' contact columns; `None` when the store has no calls.
pub fn read_call_contacts(store: &Store) -> Result<Option<ContactColumns>> {
    const T: Table = Table::Calls;
    let Some(df) = table_columns(store, T, &["call_id", "caller_id", "arrived_at"])? else {
        return Ok(None);
    };
    Ok(Some(ContactColumns {
        call_id: text_column(&df, T, "call_id")?,
        caller_id: text_column(&df, T, "caller_id")?,
        arrived_ms: millis_column(&df, T, "arrived_at")?,
    }))
}
