//! `callboard kpi`: the 23 KPIs of the store, bucketed and grouped, coloured against
//! the manual's targets.

use super::DataDir;
use super::summaries::Summaries;
use crate::store::Store;
use anyhow::{Context, Result, anyhow, bail};
use callboard_core::kpi::agent_time::{AgentStates, SLOT_MS, StateKind, StatesBuilder, WorkRow};
use callboard_core::kpi::buckets::Bucketing;
use callboard_core::kpi::calls::{CallCounts, CallSettings, SlAbandons, repeat_contact_resolution};
use callboard_core::kpi::catalog::{KPIS, Status, Unit};
use callboard_core::kpi::intern::Interner;
use callboard_core::kpi::report::{
    CallPart, CallSlot, Calls, Grouping, Inputs, NO_CALLER, NONE, Row, Settings, call_part,
    compute, period_starts,
};
use callboard_core::kpi::staff_cost::{AgentRow, CostRow, QaRow};
use callboard_core::schema::Table;
use callboard_core::simulate::Outcome;
use callboard_core::time::{DAY_MS, TimeZoneSpec, format_timestamp, parse_timestamp};
use polars::prelude::{
    BooleanChunked, DataFrame, DataType, Float64Chunked, Int64Chunked, StringChunked,
};
use serde_json::{Map, Value, json};
use std::collections::HashMap;
use std::io::IsTerminal;
use std::process::ExitCode;

/// Buckets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum By {
    /// The whole period.
    Total,
    /// Intervals of --interval.
    Interval,
    /// Days.
    Day,
    /// ISO weeks.
    Week,
    /// Months.
    Month,
}

/// Groups.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Group {
    /// By queue.
    Queue,
    /// By the agents' team.
    Team,
    /// By agent.
    Agent,
}

/// The service-level definition profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SlProfile {
    /// Abandons are failures.
    Negative,
    /// Abandons are left out.
    Ignore,
    /// Abandons within the threshold are successes.
    Positive,
}

/// Output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Readable on an 80-column terminal.
    Table,
    /// The JSON of docs/cli.md.
    Json,
    /// One line per row, every KPI a column.
    Csv,
}

/// Flags of `callboard kpi`.
///
/// The 23 KPIs of the domain manual over any period, bucketed and grouped, each with
/// its status against the manual's target (good, watch, poor, unknown). A KPI whose
/// input table is missing, or that is not defined for the grouping, is null with the
/// reason.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  callboard kpi                                   # the whole store, one row per KPI
  callboard kpi --by day --format csv > daily.csv
  callboard kpi --by interval --interval 30m --group queue --format json
  callboard kpi --from 2026-03-02 --to 2026-03-09 --timezone Asia/Shanghai
  callboard kpi --explain service_level           # formula, target, what to check")]
pub struct Args {
    #[command(flatten)]
    data: DataDir,
    /// Period start (RFC 3339, or a date = midnight in --timezone) [default: midnight of the first call's day].
    #[arg(long, value_name = "T")]
    from: Option<String>,
    /// Period end, exclusive [default: midnight after the last call's day].
    #[arg(long, value_name = "T")]
    to: Option<String>,
    /// Buckets.
    #[arg(long, value_enum, default_value_t = By::Total)]
    by: By,
    /// Interval length for --by interval: 15m, 30m or 60m.
    #[arg(long, default_value = "30m", value_name = "LEN")]
    interval: String,
    /// Group rows by queue, team or agent.
    #[arg(long, value_enum)]
    group: Option<Group>,
    /// Service-level threshold, seconds.
    #[arg(long, default_value_t = 20.0, value_name = "S")]
    sl_seconds: f64,
    /// Abandons at or under this wait are misdials, left out of every KPI, seconds.
    #[arg(long, default_value_t = 5.0, value_name = "S")]
    short_abandon_seconds: f64,
    /// How abandoned calls enter the service level: negative (failures, the manual's
    /// definition), ignore (left out of the denominator), positive (abandoned within
    /// --sl-seconds count as successes).
    #[arg(long, value_enum, default_value_t = SlProfile::Negative)]
    sl_abandons: SlProfile,
    /// First-contact resolution: a repeat call within this window means unresolved (e.g. 7d, 48h).
    #[arg(long, default_value = "7d", value_name = "LEN")]
    fcr_window: String,
    /// IANA zone of the buckets (days start at local midnight).
    #[arg(long, default_value = "UTC", value_name = "TZ")]
    timezone: String,
    /// Only these queues (repeatable).
    #[arg(long, value_name = "NAME")]
    queue: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
    /// Compute from the rows even where the store's per-slot summaries could answer
    /// (they give the same figures; this is for checking that, or timing the rows).
    #[arg(long)]
    from_rows: bool,
    /// Print what a KPI means instead of computing it: formula, inputs, target and what
    /// to look at when it drifts (an id such as service_level, or every KPI when
    /// given alone). Needs no store.
    #[arg(long, value_name = "ID", num_args = 0..=1, default_missing_value = "all")]
    explain: Option<String>,
}

/// `--explain`: the catalog entry of one KPI, or all of them.
fn explain(which: &str) -> Result<ExitCode> {
    let chosen: Vec<_> = KPIS
        .iter()
        .filter(|k| which == "all" || k.id == which)
        .collect();
    if chosen.is_empty() {
        let ids: Vec<&str> = KPIS.iter().map(|k| k.id).collect();
        bail!(
            "--explain {which:?}: no such KPI; the ids are {}",
            ids.join(", ")
        );
    }
    for (i, k) in chosen.iter().enumerate() {
        if i > 0 {
            println!();
        }
        println!("{}. {} ({}, {})", k.number, k.name, k.id, k.manual_name);
        println!("  unit        {}", k.unit.as_str());
        println!("  formula     {}", k.definition);
        let inputs: Vec<&str> = k.inputs.iter().map(|t| t.name()).collect();
        println!("  inputs      {}", inputs.join(", "));
        println!("  target      {}", k.target_text);
        if !k.hints.is_empty() {
            println!("  if it drifts, look at: {}", k.hints.join("; "));
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// An agent's current row: team, hired (days), left (days), full time.
type FoldedAgent<'a> = (Option<&'a str>, Option<i64>, Option<i64>, Option<bool>);

fn duration_ms(text: &str, what: &str) -> Result<i64> {
    let t = text.trim();
    let (num, unit) = t.split_at(t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len()));
    let n: i64 = num
        .parse()
        .map_err(|_| anyhow!("{what} {text:?} is not a length like 30m, 48h or 7d"))?;
    let per = match unit {
        "m" => 60_000,
        "h" => 3_600_000,
        "d" => DAY_MS,
        _ => bail!("{what} {text:?} is not a length like 30m, 48h or 7d"),
    };
    if n <= 0 {
        bail!("{what} must be positive");
    }
    Ok(n * per)
}

/// The names an interner saw, copied out so the column they came from can be dropped.
fn owned_names(i: &Interner<'_>) -> Vec<String> {
    i.names().iter().map(|n| (*n).to_owned()).collect()
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
        .map_err(anyhow::Error::from)
        .with_context(|| format!("cannot read the {table} table"))?;
    Ok(Some(df))
}

/// The columns of a table, one chunk per column.
pub(super) fn frame(store: &Store, table: Table, columns: &[&str]) -> Result<Option<DataFrame>> {
    Ok(read(store, table, columns)?.map(|mut df| {
        // In place: the typed columns taken below then share the frame's buffers
        // instead of each being a second, contiguous copy.
        df.rechunk_mut_par();
        df
    }))
}

pub(super) fn text(df: &DataFrame, c: &str) -> Result<StringChunked> {
    Ok(df.column(c)?.str()?.rechunk().into_owned())
}
pub(super) fn ms(df: &DataFrame, c: &str) -> Result<Int64Chunked> {
    Ok(df
        .column(c)?
        .as_materialized_series()
        .to_physical_repr()
        .cast(&DataType::Int64)?
        .i64()?
        .rechunk()
        .into_owned())
}
fn float(df: &DataFrame, c: &str) -> Result<Float64Chunked> {
    Ok(df
        .column(c)?
        .as_materialized_series()
        .cast(&DataType::Float64)?
        .f64()?
        .rechunk()
        .into_owned())
}
fn flag(df: &DataFrame, c: &str) -> Result<BooleanChunked> {
    Ok(df.column(c)?.bool()?.rechunk().into_owned())
}

/// One column of a table, or `None` when the store has no such table.
pub(super) fn column(
    store: &Store,
    table: Table,
    name: &str,
) -> Result<Option<polars::prelude::Column>> {
    // Not rechunked: the readers below iterate the chunks as they come.
    Ok(read(store, table, &[name])?
        .map(|mut df| df.drop_in_place(name))
        .transpose()?)
}

/// A text column as codes into its distinct values (an empty cell codes as "").
fn coded(c: &polars::prelude::Column) -> Result<(Vec<u32>, Vec<String>)> {
    let mut names = Interner::default();
    let codes = c.str()?.iter().map(|x| names.id(x.unwrap_or(""))).collect();
    Ok((codes, owned_names(&names)))
}

/// The calls as coded columns, read one column at a time so the frame never holds
/// them all; with `--queue` filters, only those queues' calls; without
/// `with_agents`, no answering agents (none needed: nothing grouped by agent).
pub(super) fn read_calls(
    store: &Store,
    only: &[String],
    fcr_window_ms: i64,
    with_agents: bool,
) -> Result<Option<Calls>> {
    let Some(queue) = column(store, Table::Calls, "queue")? else {
        return Ok(None);
    };
    let (queue_code, queue_names) = coded(&queue)?;
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
        let c = column(store, Table::Calls, name)?.context("calls table")?;
        let mut names = Interner::default();
        let c = c.str()?;
        let all: Vec<u32> = pick!(c, |x: Option<_>| x.map_or(NONE, |x| names.id(x)));
        Ok((all, owned_names(&names)))
    };
    // Repeat-contact FCR on a second thread while this one reads the other
    // columns: callers need only telling apart, so each is a 128-bit hash (as the
    // store keys rows) instead of an entry in a map of millions of names. A repeat
    // call counts in any queue (domain.md), so the flags are found over every call
    // and only then kept for the queues asked for.
    let keep = &keep;
    std::thread::scope(|scope| -> Result<Option<Calls>> {
        let fcr = scope.spawn(|| -> Result<(Vec<i64>, Vec<Option<bool>>)> {
            let caller: Vec<u128> = {
                let c = column(store, Table::Calls, "caller_id")?.context("calls table")?;
                c.str()?
                    .iter()
                    .map(|x| x.map_or(NO_CALLER, |x| xxhash_rust::xxh3::xxh3_128(x.as_bytes())))
                    .collect()
            };
            let arrived_ms: Vec<i64> = {
                let c = column(store, Table::Calls, "arrived_at")?.context("calls table")?;
                let c = c
                    .as_materialized_series()
                    .to_physical_repr()
                    .cast(&DataType::Int64)?;
                c.i64()?.iter().map(|x| x.unwrap_or(0)).collect()
            };
            let last = arrived_ms.iter().copied().max().unwrap_or(0);
            let repeat =
                repeat_contact_resolution(&caller, NO_CALLER, &arrived_ms, fcr_window_ms, last);
            Ok(match keep {
                Some(k) => (
                    k.iter().map(|&i| arrived_ms[i]).collect(),
                    k.iter().map(|&i| repeat[i]).collect(),
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
            let c = column(store, Table::Calls, name)?.context("calls table")?;
            let c = c.as_materialized_series().cast(&DataType::Float64)?;
            let c = c.f64()?;
            Ok(pick!(c, |x: Option<f64>| x.unwrap_or(empty)))
        };
        let flags = |name: &str| -> Result<BooleanChunked> {
            let c = column(store, Table::Calls, name)?.context("calls table")?;
            Ok(c.bool()?.clone())
        };
        let outcome: Vec<Outcome> = {
            let c = column(store, Table::Calls, "outcome")?.context("calls table")?;
            let c = c.str()?;
            pick!(c, |x: Option<&str>| match x {
                Some("answered") => Outcome::Answered,
                Some("abandoned") => Outcome::Abandoned,
                Some("timeout") => Outcome::Timeout,
                Some("blocked") => Outcome::Blocked,
                _ => Outcome::Ivr,
            })
        };
        let rings: Vec<u32> = {
            let c = column(store, Table::Calls, "rings")?.context("calls table")?;
            let c = c.as_materialized_series().cast(&DataType::UInt32)?;
            let c = c.u32()?;
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
        let (arrived_ms, repeat) = fcr.join().map_err(|_| anyhow!("the FCR pass failed"))??;
        let calls = Calls {
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
            repeat: Some(repeat),
        };
        Ok(Some(calls))
    })
}

/// The schedules' columns (the `work` segments are the rows [`Schedules::rows`]
/// gives).
pub(super) struct Schedules {
    agent: StringChunked,
    start: Int64Chunked,
    end: Int64Chunked,
    activity: StringChunked,
}

impl Schedules {
    /// The scheduled `work` segments.
    pub(super) fn rows(&self) -> Result<Vec<WorkRow<'_>>> {
        Ok((0..self.agent.len())
            .filter(|&i| self.activity.get(i) == Some("work"))
            .map(|i| WorkRow {
                agent: self.agent.get(i).unwrap_or(""),
                start_ms: self.start.get(i).unwrap_or(0),
                end_ms: self.end.get(i).unwrap_or(0),
            })
            .collect())
    }
}

/// The schedules table, if any.
pub(super) fn read_work(store: &Store) -> Result<Option<Schedules>> {
    let Some(df) = frame(
        store,
        Table::Schedules,
        &["agent_id", "start", "end", "activity"],
    )?
    else {
        return Ok(None);
    };
    Ok(Some(Schedules {
        agent: text(&df, "agent_id")?,
        start: ms(&df, "start")?,
        end: ms(&df, "end")?,
        activity: text(&df, "activity")?,
    }))
}

/// The agent states, the largest table, one column at a time: agent ids and states
/// coded against small name lists, then the times placed straight into the
/// agent-grouped rows.
pub(super) fn read_states(store: &Store) -> Result<Option<AgentStates>> {
    let Some(agent) = column(store, Table::AgentStates, "agent_id")? else {
        return Ok(None);
    };
    let (agent_code, names) = coded(&agent)?;
    drop(agent);
    let kind: Vec<StateKind> = {
        let c = column(store, Table::AgentStates, "state")?.context("agent_states table")?;
        let (mut words, mut kinds) = (Interner::default(), Vec::new());
        c.str()?
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
        let c = column(store, Table::AgentStates, name)?.context("agent_states table")?;
        let c = c.as_materialized_series().to_physical_repr().into_owned();
        let t = c.i64()?.iter().map(|x| x.unwrap_or(0));
        if start {
            rows.fill(&agent_code, t, |r, x| r.start_ms = x);
        } else {
            rows.fill(&agent_code, t, |r, x| r.end_ms = x);
        }
    }
    Ok(Some(rows.finish()))
}

/// The whole-period table for `callboard demo`.
pub fn print_summary(data_dir: std::path::PathBuf) -> Result<()> {
    let args = Args {
        data: DataDir {
            data_dir: Some(data_dir),
        },
        from: None,
        to: None,
        by: By::Total,
        interval: "30m".into(),
        group: None,
        sl_seconds: 20.0,
        short_abandon_seconds: 5.0,
        fcr_window: "7d".into(),
        sl_abandons: SlProfile::Negative,
        timezone: "UTC".into(),
        queue: Vec::new(),
        format: Format::Table,
        explain: None,
        from_rows: false,
    };
    run(args).map(|_| ())
}

pub fn run(args: Args) -> Result<ExitCode> {
    if let Some(which) = &args.explain {
        return explain(which);
    }
    let zone = TimeZoneSpec::parse(&args.timezone).map_err(|e| anyhow!("--timezone: {e}"))?;
    let by = match args.by {
        By::Total => Bucketing::Total,
        By::Day => Bucketing::Day,
        By::Week => Bucketing::Week,
        By::Month => Bucketing::Month,
        By::Interval => match args.interval.as_str() {
            "15m" => Bucketing::Interval(15),
            "30m" => Bucketing::Interval(30),
            "60m" | "1h" => Bucketing::Interval(60),
            other => bail!("--interval {other:?}: use 15m, 30m or 60m"),
        },
    };
    if !(args.sl_seconds.is_finite() && args.sl_seconds >= 0.0) {
        bail!("--sl-seconds must be ≥ 0");
    }
    if !(args.short_abandon_seconds.is_finite() && args.short_abandon_seconds >= 0.0) {
        bail!("--short-abandon-seconds must be ≥ 0");
    }
    let fcr_window_ms = duration_ms(&args.fcr_window, "--fcr-window")?;
    let dir = args.data.path();
    let store = Store::open_read(&dir)?;
    if store.manifest().version == 0 {
        bail!(
            "{} holds no data yet; load some with `callboard ingest` (or try `callboard demo`)",
            dir.display()
        );
    }

    // The store's per-slot summaries, when current: the period's default ends come
    // from them, and most reports are answered from them (see `summaries`).
    // Damaged summaries are only a slower report, not a failed one.
    let ignore = |e: anyhow::Error| {
        eprintln!(
            "note: computing from the rows, the store's summaries cannot be read ({e:#}); `callboard ingest --summaries` rebuilds them"
        );
    };
    let summaries = if args.from_rows {
        None
    } else {
        Summaries::open(&store).unwrap_or_else(|e| {
            ignore(e);
            None
        })
    };
    let wanted = |q: &str| args.queue.is_empty() || args.queue.iter().any(|x| x == q);
    let call_slots: Option<Vec<CallSlot>> = summaries.as_ref().and_then(|sm| {
        let queues = &sm.meta.queues;
        match sm.calls() {
            Ok(slots) => Some(
                slots
                    .into_iter()
                    .filter(|c| wanted(&queues[c.queue as usize]))
                    .collect(),
            ),
            Err(e) => {
                ignore(e);
                None
            }
        }
    });
    let summaries = summaries.filter(|_| call_slots.is_some());
    let mut calls = match &call_slots {
        Some(_) => None,
        None => read_calls(&store, &args.queue, fcr_window_ms, true)?,
    };
    // Period.
    let local_day = |t: i64| (t + zone.offset_ms_at(t)).div_euclid(DAY_MS) as i32;
    let when = |t: &str| parse_timestamp(t.trim(), &zone).map_err(|e| anyhow!("{e}"));
    let (first, last) = match (&call_slots, &calls) {
        (Some(slots), _) => (
            slots.iter().map(|c| c.first_ms).min(),
            slots.iter().map(|c| c.last_ms).max(),
        ),
        (None, Some(c)) => (
            c.arrivals().iter().copied().min(),
            c.arrivals().iter().copied().max(),
        ),
        (None, None) => (None, None),
    };
    let from_ms = match (&args.from, first) {
        (Some(t), _) => when(t).context("--from")?,
        (None, Some(f)) => zone
            .local_midnight_ms(local_day(f))
            .map_err(|e| anyhow!(e))?,
        (None, None) => bail!("no calls in the store: give --from and --to"),
    };
    let to_ms = match (&args.to, last) {
        (Some(t), _) => when(t).context("--to")?,
        (None, Some(l)) => zone
            .local_midnight_ms(local_day(l) + 1)
            .map_err(|e| anyhow!(e))?,
        (None, None) => bail!("no calls in the store: give --from and --to"),
    };
    if to_ms <= from_ms {
        bail!("--to must be after --from");
    }

    // Headcount first (small; teams group the calls), then the calls' side of the
    // report, so the calls are dropped before the agent states are read.
    // Per queue, every KPI from agent states, schedules, QA, costs and headcount is
    // "not defined per queue" whatever those tables hold: they are not read.
    let per_queue = args.group == Some(Group::Queue);
    let needed = |table: Table, columns: &[&str]| -> Result<Option<DataFrame>> {
        if per_queue {
            Ok(None)
        } else {
            frame(&store, table, columns)
        }
    };
    let agents_df = needed(
        Table::Agents,
        &["agent_id", "team", "hired_on", "left_on", "full_time"],
    )?;
    let ag = match &agents_df {
        Some(df) => Some((
            text(df, "agent_id")?,
            text(df, "team")?,
            ms(df, "hired_on")?,
            ms(df, "left_on")?,
            flag(df, "full_time")?,
        )),
        None => None,
    };
    // Agents are an update table: fold rows in store order, later non-empty fields win.
    let mut folded: HashMap<&str, FoldedAgent<'_>> = HashMap::new();
    let mut teams: HashMap<&str, &str> = HashMap::new();
    if let Some((id, team, hired, left, full)) = &ag {
        for i in 0..id.len() {
            let Some(a) = id.get(i) else { continue };
            let e = folded.entry(a).or_default();
            e.0 = team.get(i).or(e.0);
            e.1 = hired.get(i).or(e.1);
            e.2 = left.get(i).or(e.2);
            e.3 = full.get(i).or(e.3);
        }
        for (a, f) in &folded {
            if let Some(t) = f.0 {
                teams.insert(a, t);
            }
        }
    }
    let midnight = |days: i64| zone.local_midnight_ms(days as i32).unwrap_or(days * DAY_MS);
    let agents: Option<Vec<AgentRow<'_>>> = ag.as_ref().map(|_| {
        folded
            .iter()
            .map(|(a, f)| AgentRow {
                agent: a,
                hired_ms: f.1.map(midnight),
                left_ms: f.2.map(midnight),
                full_time: f.3.unwrap_or(true),
            })
            .collect()
    });

    let group = match args.group {
        None => Grouping::None,
        Some(Group::Queue) => Grouping::Queue,
        Some(Group::Team) => Grouping::Team,
        Some(Group::Agent) => Grouping::Agent,
    };
    let settings = Settings {
        from_ms,
        to_ms,
        by,
        group,
        zone,
        calls: CallSettings {
            sl_seconds: args.sl_seconds,
            short_abandon_seconds: args.short_abandon_seconds,
            sl_abandons: match args.sl_abandons {
                SlProfile::Negative => SlAbandons::Negative,
                SlProfile::Ignore => SlAbandons::Ignore,
                SlProfile::Positive => SlAbandons::Positive,
            },
        },
        fcr_window_ms,
    };
    // The summaries serve buckets made of whole 15-minute slots; their call
    // counters only the settings they were built with, and only in total or per
    // queue (per agent or team the calls are read).
    let whole_slots = period_starts(&settings)
        .iter()
        .chain([&to_ms])
        .all(|t| t.rem_euclid(SLOT_MS) == 0);
    let summaries = summaries.filter(|_| whole_slots);
    let slots_for_calls = summaries
        .as_ref()
        .is_some_and(|sm| sm.fits(args.sl_seconds, args.short_abandon_seconds, fcr_window_ms))
        && matches!(group, Grouping::None | Grouping::Queue);
    let calls = match (&call_slots, &summaries) {
        // No calls table: its KPIs "need calls", as from the rows.
        (Some(_), Some(sm)) if slots_for_calls && !sm.meta.has_calls => None,
        (Some(slots), Some(sm)) if slots_for_calls => {
            Some(CallPart::from_slots(slots, &sm.meta.queues, &settings))
        }
        _ => {
            drop(call_slots);
            if calls.is_none() {
                calls = read_calls(&store, &args.queue, fcr_window_ms, true)?;
            }
            calls.map(|c| call_part(&c, &teams, &settings))
        }
    };
    let agent_slots = match &summaries {
        Some(sm) if !per_queue => sm
            .agent_slots(group == Grouping::None)
            .map_err(ignore)
            .ok()
            .flatten(),
        _ => None,
    };
    let agent_rows = agent_slots.is_none() && !per_queue;
    let states = if agent_rows {
        read_states(&store)?
    } else {
        None
    };

    // Schedules, QA, costs.
    let sched = if agent_rows { read_work(&store)? } else { None };
    let work = sched.as_ref().map(Schedules::rows).transpose()?;
    let qa_df = needed(Table::QaEvaluations, &["agent_id", "evaluated_at", "score"])?;
    let qc = match &qa_df {
        Some(df) => Some((
            text(df, "agent_id")?,
            ms(df, "evaluated_at")?,
            float(df, "score")?,
        )),
        None => None,
    };
    let qa: Option<Vec<QaRow<'_>>> = qc.as_ref().map(|(a, t, s)| {
        (0..a.len())
            .map(|i| QaRow {
                agent: a.get(i).unwrap_or(""),
                evaluated_ms: t.get(i).unwrap_or(0),
                score: s.get(i).unwrap_or(0.0),
            })
            .collect()
    });
    let costs: Option<Vec<CostRow>> =
        match needed(Table::Costs, &["period_start", "period_end", "amount"])? {
            Some(df) => {
                let (a, b, m) = (
                    ms(&df, "period_start")?,
                    ms(&df, "period_end")?,
                    float(&df, "amount")?,
                );
                Some(
                    (0..a.len())
                        .map(|i| CostRow {
                            start_ms: a.get(i).unwrap_or(0),
                            end_ms: b.get(i).unwrap_or(0),
                            amount: m.get(i).unwrap_or(0.0),
                        })
                        .collect(),
                )
            }
            None => None,
        };

    let inputs = Inputs {
        calls: calls.as_ref(),
        states: states.as_ref(),
        work: work.as_deref(),
        agent_slots: agent_slots.as_ref(),
        qa: qa.as_deref(),
        costs: costs.as_deref(),
        agents: agents.as_deref(),
        teams,
    };
    let rows = compute(&inputs, &settings);
    match args.format {
        Format::Json => println!(
            "{}",
            serde_json::to_string_pretty(&json_report(&rows, &settings, &args))?
        ),
        Format::Csv => print_csv(&rows)?,
        Format::Table => print_table(&rows, &settings, &args),
    }
    Ok(ExitCode::SUCCESS)
}

fn json_report(rows: &[Row], s: &Settings, args: &Args) -> Value {
    let rows: Vec<Value> = rows
        .iter()
        .map(|r| {
            let mut o = Map::new();
            if let Some(b) = r.bucket_start {
                o.insert("bucket_start".into(), json!(format_timestamp(b)));
            }
            if let Some(g) = &r.group {
                o.insert("group".into(), json!(g));
            }
            let c = &r.counts;
            o.insert(
                "counts".into(),
                json!({"total": c.total, "answered": c.answered, "abandoned": c.abandoned, "short_abandons": c.short_abandons,
                       "timeout": c.timeout, "blocked": c.blocked, "ivr": c.ivr}),
            );
            let mut k = Map::new();
            for v in &r.kpis {
                let mut e = Map::new();
                e.insert("value".into(), v.value.map_or(Value::Null, |x| json!(x)));
                e.insert("unit".into(), json!(v.unit.as_str()));
                e.insert("status".into(), json!(v.status.as_str()));
                if let Some(reason) = &v.reason {
                    e.insert("reason".into(), json!(reason));
                }
                k.insert(v.id.into(), Value::Object(e));
            }
            o.insert("kpis".into(), Value::Object(k));
            Value::Object(o)
        })
        .collect();
    json!({
        "from": format_timestamp(s.from_ms),
        "to": format_timestamp(s.to_ms),
        "settings": {
            "sl_seconds": s.calls.sl_seconds,
            "short_abandon_seconds": s.calls.short_abandon_seconds,
            "fcr_window_days": s.fcr_window_ms as f64 / DAY_MS as f64,
            "timezone": s.zone.name(),
            "by": format!("{:?}", args.by).to_lowercase(),
            "interval": args.interval,
            "group": args.group.map(|g| format!("{g:?}").to_lowercase()),
            "queues": args.queue,
            "sl_abandons": s.calls.sl_abandons.as_str(),
            "service_level": match s.calls.sl_abandons {
                SlAbandons::Negative => "answered within sl_seconds ÷ offered; short abandons removed",
                SlAbandons::Ignore => "answered within sl_seconds ÷ (offered − abandoned); short abandons removed",
                SlAbandons::Positive => "(answered + abandoned) within sl_seconds ÷ offered; short abandons removed",
            },
        },
        "rows": rows,
    })
}

fn print_csv(rows: &[Row]) -> Result<()> {
    let mut w = csv::Writer::from_writer(std::io::stdout().lock());
    let mut header = vec!["bucket_start", "group"];
    header.extend(CallCounts::NAMES);
    header.extend(KPIS.iter().map(|k| k.id));
    w.write_record(&header)?;
    for r in rows {
        let mut rec = vec![
            r.bucket_start.map(format_timestamp).unwrap_or_default(),
            r.group.clone().unwrap_or_default(),
        ];
        rec.extend(r.counts.values().map(|x| x.to_string()));
        rec.extend(
            r.kpis
                .iter()
                .map(|k| k.value.map(|v| v.to_string()).unwrap_or_default()),
        );
        w.write_record(&rec)?;
    }
    w.flush()?;
    Ok(())
}

fn shown(unit: Unit, v: Option<f64>) -> String {
    match v {
        None => "–".into(),
        Some(x) => match unit {
            Unit::Ratio => format!("{:.1} %", x * 100.0),
            Unit::Seconds => format!("{x:.1} s"),
            Unit::Count => format!("{x:.0}"),
            Unit::Rings | Unit::PerHour | Unit::Score | Unit::Currency => format!("{x:.2}"),
        },
    }
}

/// `text` in the terminal colour of a status: green, yellow, red, grey.
fn paint(text: &str, st: Status) -> String {
    let code = match st {
        Status::Good => "32",
        Status::Watch => "33",
        Status::Poor => "31",
        Status::Unknown => "90",
    };
    format!("\x1b[{code}m{text}\x1b[0m")
}

/// The status word, coloured on a terminal.
fn coloured(st: Status, colour: bool) -> String {
    if colour {
        paint(st.as_str(), st)
    } else {
        st.as_str().into()
    }
}

/// Up to this many rows print as blocks of all 23 KPIs; more as a wide table.
const BLOCK_ROWS: usize = 12;

/// The counts line and one line per KPI: value (or why none), status, target.
fn print_block(r: &Row, colour: bool) {
    let c = &r.counts;
    println!(
        "{} calls: {} answered, {} abandoned ({} short), {} timeout, {} blocked, {} ivr\n",
        c.total, c.answered, c.abandoned, c.short_abandons, c.timeout, c.blocked, c.ivr
    );
    for (k, v) in KPIS.iter().zip(&r.kpis) {
        // The table shows what fits, marked when cut; `--explain` prints it whole.
        let target: String = if k.target_text.chars().count() > 26 {
            k.target_text.chars().take(25).chain(['…']).collect()
        } else {
            k.target_text.to_owned()
        };
        let value = match &v.reason {
            Some(reason) if v.value.is_none() => format!("– ({reason})"),
            _ => shown(v.unit, v.value),
        };
        println!(
            "{:<28} {:>12}  {:<8} {}",
            k.name,
            value.chars().take(40).collect::<String>(),
            coloured(v.status, colour),
            target
        );
    }
}

/// A wide-table cell of width 8: the value coloured by status on a terminal, else
/// followed by `!` (poor) or `~` (watch).
fn marked(value: &str, st: Status, colour: bool) -> String {
    if colour {
        return paint(&format!("{value:>8}"), st);
    }
    let mark = match st {
        Status::Poor => "!",
        Status::Watch => "~",
        _ => " ",
    };
    format!("{:>8}", format!("{value}{mark}"))
}

fn print_table(rows: &[Row], s: &Settings, args: &Args) {
    let colour = std::io::stdout().is_terminal();
    println!(
        "KPIs {} – {} ({})",
        format_timestamp(s.from_ms),
        format_timestamp(s.to_ms),
        s.zone.name()
    );
    // A bucket as `2026-03-02 08:30`.
    let bucket = |r: &Row| {
        r.bucket_start.map(|t| {
            format_timestamp(t)
                .trim_end_matches(":00Z")
                .replace('T', " ")
        })
    };
    let label = |r: &Row| match (bucket(r), &r.group) {
        (Some(b), Some(g)) => format!("{b}  {g}"),
        (Some(b), None) => b,
        (None, Some(g)) => g.clone(),
        (None, None) => String::new(),
    };
    if rows.len() <= BLOCK_ROWS {
        // Few rows: one block each with all 23 KPIs, status in words.
        for (i, r) in rows.iter().enumerate() {
            let name = label(r);
            if !name.is_empty() {
                println!("{}── {name} ──", if i == 0 { "" } else { "\n" });
            }
            print_block(r, colour);
        }
    } else {
        // Many rows: a wide table of the headline KPIs, each cell marked by its status.
        println!(
            "{:<16} {:<10} {:>6} {:>8} {:>8} {:>8} {:>8} {:>8}",
            "bucket", "group", "calls", "SL", "ASA", "aband.", "AHT", "occup."
        );
        for r in rows {
            let cell = |k: &str| {
                let v = r.kpis.iter().find(|x| x.id == k).expect("every id");
                marked(&shown(v.unit, v.value), v.status, colour)
            };
            println!(
                "{:<16} {:<10} {:>6} {} {} {} {} {}",
                bucket(r).unwrap_or_else(|| "total".into()),
                r.group
                    .clone()
                    .unwrap_or_default()
                    .chars()
                    .take(10)
                    .collect::<String>(),
                r.counts.total,
                cell("service_level"),
                cell("average_speed_of_answer"),
                cell("abandon_rate"),
                cell("average_handle_time"),
                cell("occupancy")
            );
        }
        println!(
            "{}",
            if colour {
                "(green good, yellow watch, red poor against the domain.md targets)"
            } else {
                "(! poor, ~ watch against the domain.md targets)"
            }
        );
        println!(
            "(all 23 KPIs with statuses and reasons: narrow the period or the groups to {BLOCK_ROWS} rows or fewer, or use --format json or csv)"
        );
    }
    println!(
        "\nprofile: service level {} (abandons {}), threshold {} s; abandons ≤ {} s are misdials, left out; FCR window {}{}",
        match s.calls.sl_abandons {
            SlAbandons::Negative => "= answered within t ÷ offered",
            SlAbandons::Ignore => "= answered within t ÷ (offered − abandoned)",
            SlAbandons::Positive => "= (answered + abandoned) within t ÷ offered",
        },
        s.calls.sl_abandons.as_str(),
        s.calls.sl_seconds,
        s.calls.short_abandon_seconds,
        args.fcr_window,
        if args.queue.is_empty() {
            String::new()
        } else {
            format!("; queues {}", args.queue.join(", "))
        }
    );
}
