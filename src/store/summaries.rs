//! The store's per-slot summaries: the calls accumulated per queue and 15-minute
//! slot, agent time per agent and slot, and the scheduled segments' starts, kept up
//! to date by every ingest that commits, so `callboard kpi` can answer most reports from
//! a few hundred thousand summary rows instead of tens of millions of call and
//! agent-state rows. They give the same figures to the last bit (the sums are whole
//! milliseconds and microseconds); `kpi` falls back to the rows whenever a report
//! needs something they do not hold (other call settings, a period or bucket that
//! is not whole slots, calls per agent or team of some queues only).
//!
//! ```text
//! <data-dir>/summaries/<fingerprint of the calls, agent_states, schedules files>/
//!   calls.parquet      slot_ms, queue (code), first_ms, last_ms, the counters
//!   agent_calls.parquet slot_ms, agent (code), the counters of the calls the agent took
//!   agents.parquet     agent (code), slot (number), logged-in/busy/ready/adherent/scheduled ms
//!   everyone.parquet   slot and the same times summed over the agents (reports not
//!                      per agent or team)
//!   segments.parquet   agent (code), start_ms, attended
//!   meta.json          written last: the settings, queue and agent names
//! ```
//!
//! Crash safety: the set is written under `summaries/.building/` and renamed into
//! place whole; a set is used only when it was built from exactly the live files of
//! its tables, so a process killed between an ingest's commit and the summaries
//! leaves the reports on the rows (correct, slower) until the next ingest rebuilds
//! them.

use super::readers::{read_agent_states, read_calls_for_report, read_schedules};
use super::{At, Result, Store, StoreError, StoredFile, sync_dir};
use callboard_core::kpi::agent_time::{
    AgentSlot, AgentSlots, AgentStates, SLOT_MS, SegmentStart, SlotTotal, WorkRow, agent_slots,
};
use callboard_core::kpi::calls::{AccumFields, CallAccum, CallSettings, SlAbandons};
use callboard_core::kpi::report::{AGENT_SLOT_MS, AgentCallSlot, CallSlot, SlotSums, call_slots};
use callboard_core::schema::Table;
use callboard_core::time::DAY_MS;
use polars::prelude::{
    Column, DataFrame, IntoColumn, NamedFrom, ParquetReader, ParquetWriter, PolarsResult,
    SerReader, Series,
};
use serde::{Deserialize, Serialize};
use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// The summaries' directory under the data directory.
pub const DIR: &str = "summaries";
/// Bumped when the files change shape.
// 5: FCR censors every call whose window runs past the last arrival (sets of 4
// counted the censored calls with a repeat as failures).
// 6: the calls per agent and hour (agent_calls.parquet, `call_agents`).
const FORMAT: u32 = 6;
/// The FCR window the summaries are built with (`kpi`'s default).
pub const FCR_WINDOW_MS: i64 = callboard_core::kpi::calls::DEFAULT_FCR_WINDOW_MS;

/// What a summary set was built from and with.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Meta {
    format: u32,
    /// The manifest version it was built at.
    pub manifest_version: u64,
    slot_ms: i64,
    /// Call settings the counters used.
    pub sl_seconds: f64,
    /// See `sl_seconds`.
    pub short_abandon_seconds: f64,
    /// FCR window of the repeat-contact flags.
    pub fcr_window_ms: i64,
    /// Queue names by code.
    pub queues: Vec<String>,
    /// Agent names by code (agent time).
    pub agents: Vec<String>,
    /// Agent names by code (the calls per agent; absent in sets of format 5 and
    /// before, which are not used but must still read).
    #[serde(default)]
    pub call_agents: Vec<String>,
    /// Which tables there were.
    pub has_calls: bool,
    /// See `has_calls`.
    pub has_states: bool,
    /// See `has_calls`.
    pub has_work: bool,
    /// Whether every agent-time cell fit its 32 bits ([`AgentSlots::exact`]).
    pub agent_time_exact: bool,
    /// The live files of the source tables it was built from.
    pub files: Vec<String>,
    /// The last call's arrival (FCR's censoring line), ms.
    pub last_arrival_ms: Option<i64>,
    /// The longest agent-state interval, ms (how far back a new row can reach).
    pub max_state_ms: i64,
    /// The longest scheduled segment, ms.
    pub max_segment_ms: i64,
    /// Whether it was built by updating the previous set.
    pub incremental: bool,
    /// Seconds the build took.
    pub built_in_s: f64,
}

/// A current summary set, opened (its files are read on demand).
pub struct Summaries {
    dir: PathBuf,
    /// What it holds.
    pub meta: Meta,
}

/// Summary files kept decoded per process (the map is emptied when full).
const DECODED_FILES: usize = 16;

/// Summary files decoded by this process, by path, size and modification time (a
/// frame's clone shares its buffers).
#[allow(clippy::type_complexity)]
fn decoded() -> &'static std::sync::Mutex<std::collections::HashMap<(PathBuf, u64, i128), DataFrame>>
{
    static DECODED: std::sync::OnceLock<
        std::sync::Mutex<std::collections::HashMap<(PathBuf, u64, i128), DataFrame>>,
    > = std::sync::OnceLock::new();
    DECODED.get_or_init(Default::default)
}

/// The tables the summaries are built from.
const SOURCES: [Table; 3] = [Table::Calls, Table::AgentStates, Table::Schedules];

/// Names the content of the source tables: committed files never change, so the
/// same live files are the same data. Ingests of other tables (tickets, QA, …)
/// leave it, and the summaries, as they are.
fn fingerprint(store: &Store) -> String {
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    for t in SOURCES {
        h.update(t.name().as_bytes());
        let mut files: Vec<_> = store.manifest().files(t).iter().collect();
        files.sort_by(|a, b| a.path.cmp(&b.path));
        for f in files {
            h.update(f.path.as_bytes());
            h.update(&f.rows.to_le_bytes());
        }
    }
    format!("{:032x}", h.digest128())
}

fn set_dir(store: &Store) -> PathBuf {
    store.root().join(DIR).join(fingerprint(store))
}

impl Summaries {
    /// The set for the store's current manifest, if there is one.
    pub fn open(store: &Store) -> Result<Option<Summaries>> {
        Summaries::at(set_dir(store))
    }

    /// The set in `dir`: `None` without a meta.json or of another format; an error
    /// for a meta.json that cannot be read.
    fn at(dir: PathBuf) -> Result<Option<Summaries>> {
        let meta_path = dir.join("meta.json");
        let Ok(bytes) = fs::read(&meta_path) else {
            return Ok(None);
        };
        let meta: Meta =
            serde_json::from_slice(&bytes).map_err(|source| StoreError::SummaryMeta {
                path: meta_path.clone(),
                source,
            })?;
        if meta.format != FORMAT || meta.slot_ms != SLOT_MS {
            return Ok(None);
        }
        Ok(Some(Summaries { dir, meta }))
    }

    /// Whether the call counters were built with these settings.
    pub fn fits(&self, sl_seconds: f64, short_abandon_seconds: f64, fcr_window_ms: i64) -> bool {
        self.meta.sl_seconds == sl_seconds
            && self.meta.short_abandon_seconds == short_abandon_seconds
            && self.meta.fcr_window_ms == fcr_window_ms
    }

    /// Reads the file `name` of the set and takes what `take` needs from it; any
    /// failure names the file. A file already read by this process (same path, size
    /// and modification time) is not decoded again: a long-running reader such as
    /// the server opens each summary file once per store version.
    fn read<T>(&self, name: &str, take: impl FnOnce(DataFrame) -> PolarsResult<T>) -> Result<T> {
        use std::os::unix::fs::MetadataExt;
        let path = self.dir.join(name);
        let m = fs::metadata(&path).at("cannot open", &path)?;
        let key = (
            path.clone(),
            m.len(),
            i128::from(m.mtime()) * 1_000_000_000 + i128::from(m.mtime_nsec()),
        );
        let memo = decoded();
        let cached = memo.lock().ok().and_then(|m| m.get(&key).cloned());
        let df = match cached {
            Some(df) => df,
            None => {
                let f = File::open(&path).at("cannot open", &path)?;
                let df = ParquetReader::new(f).finish().at("cannot read", &path)?;
                if let Ok(mut m) = memo.lock() {
                    if m.len() >= DECODED_FILES {
                        m.clear();
                    }
                    m.insert(key, df.clone());
                }
                df
            }
        };
        take(df).at("cannot read", &path)
    }

    /// The call slots (empty when the store has no calls).
    pub fn calls(&self) -> Result<Vec<CallSlot>> {
        if !self.meta.has_calls {
            return Ok(Vec::new());
        }
        self.read("calls.parquet", |df| Self::call_slots_of(&df))
    }

    /// The calls per agent and hour (none when the store has no calls; agents by
    /// [`Meta::call_agents`]), handed to `take` one at a time as they are decoded:
    /// a large store holds millions, which are not collected.
    pub fn agent_calls_into<T>(
        &self,
        take: impl FnOnce(&mut dyn Iterator<Item = AgentCallSlot>) -> T,
    ) -> Result<T> {
        if !self.meta.has_calls {
            return Ok(take(&mut std::iter::empty()));
        }
        self.read("agent_calls.parquet", |df| {
            let i64s =
                |c: &str| -> PolarsResult<_> { Ok(df.column(c)?.i64()?.into_no_null_iter()) };
            let mut slot = i64s("slot_ms")?;
            let mut agent = df.column("agent")?.u32()?.into_no_null_iter();
            let mut fields = CallAccum::FIELDS
                .iter()
                .map(|f| i64s(f))
                .collect::<PolarsResult<Vec<_>>>()?;
            let mut rows = std::iter::from_fn(|| {
                let (slot_ms, agent) = (slot.next()?, agent.next()?);
                let mut f = AccumFields([0; CallAccum::FIELDS.len()]);
                for (v, column) in f.0.iter_mut().zip(fields.iter_mut()) {
                    *v = column.next()?;
                }
                Some(AgentCallSlot {
                    slot_ms,
                    agent,
                    acc: CallAccum::from_fields(&f, SlAbandons::Negative),
                })
            });
            Ok(take(&mut rows))
        })
    }

    /// The calls per agent and hour, collected (see [`Self::agent_calls_into`]).
    fn agent_calls(&self) -> Result<Vec<AgentCallSlot>> {
        self.agent_calls_into(|rows| rows.collect())
    }

    /// The counter columns, in [`CallAccum::FIELDS`] order.
    fn fields_of(df: &DataFrame) -> PolarsResult<Vec<Vec<i64>>> {
        CallAccum::FIELDS
            .iter()
            .map(|f| Ok(df.column(f)?.i64()?.into_no_null_iter().collect()))
            .collect()
    }

    fn call_slots_of(df: &DataFrame) -> PolarsResult<Vec<CallSlot>> {
        let i64s = |c: &str| -> PolarsResult<Vec<i64>> {
            Ok(df.column(c)?.i64()?.into_no_null_iter().collect())
        };
        let slot = i64s("slot_ms")?;
        let first = i64s("first_ms")?;
        let last = i64s("last_ms")?;
        let queue: Vec<u32> = df.column("queue")?.u32()?.into_no_null_iter().collect();
        let fields = Self::fields_of(df)?;
        let mut out = Vec::with_capacity(slot.len());
        for i in 0..slot.len() {
            let f = AccumFields(std::array::from_fn(|j| fields[j][i]));
            out.push(CallSlot {
                slot_ms: slot[i],
                queue: queue[i],
                first_ms: first[i],
                last_ms: last[i],
                acc: CallAccum::from_fields(&f, SlAbandons::Negative),
            });
        }
        Ok(out)
    }

    /// Agent time per slot and the scheduled segments: per agent, or with
    /// `everyone` summed over the agents (for reports not grouped by agent or team:
    /// a few thousand rows instead of millions). `None` when the slots cannot stand
    /// in for the rows (see [`AgentSlots::exact`]).
    pub fn agent_slots(&self, everyone: bool) -> Result<Option<AgentSlots>> {
        let mut out = AgentSlots {
            names: self.meta.agents.clone(),
            has_states: self.meta.has_states,
            has_work: self.meta.has_work,
            exact: self.meta.agent_time_exact,
            ..AgentSlots::default()
        };
        if !out.exact {
            return Ok(None);
        }
        if !(out.has_states || out.has_work) {
            return Ok(Some(out));
        }
        let name = if everyone {
            "everyone.parquet"
        } else {
            "agents.parquet"
        };
        self.read(name, |df| Self::agent_time_of(&df, everyone, &mut out))?;
        out.segments = self.read("segments.parquet", |df| Self::segments_of(&df))?;
        Ok(Some(out))
    }

    fn agent_time_of(df: &DataFrame, everyone: bool, out: &mut AgentSlots) -> PolarsResult<()> {
        let slot: Vec<i32> = df.column("slot")?.i32()?.into_no_null_iter().collect();
        if everyone {
            let ms: Vec<Vec<i64>> = MS_COLUMNS
                .iter()
                .map(|c| Ok(df.column(c)?.i64()?.into_no_null_iter().collect()))
                .collect::<PolarsResult<_>>()?;
            out.totals = (0..slot.len())
                .map(|i| SlotTotal {
                    slot: slot[i],
                    ms: std::array::from_fn(|k| ms[k][i]),
                })
                .collect();
        } else {
            let agent: Vec<u32> = df.column("agent")?.u32()?.into_no_null_iter().collect();
            let ms: Vec<Vec<u32>> = MS_COLUMNS
                .iter()
                .map(|c| Ok(df.column(c)?.u32()?.into_no_null_iter().collect()))
                .collect::<PolarsResult<_>>()?;
            out.slots = (0..slot.len())
                .map(|i| AgentSlot {
                    agent: agent[i],
                    slot: slot[i],
                    ms: std::array::from_fn(|k| ms[k][i]),
                })
                .collect();
        }
        Ok(())
    }

    fn segments_of(df: &DataFrame) -> PolarsResult<Vec<SegmentStart>> {
        let start = df.column("start_ms")?.i64()?;
        let attended = df.column("attended")?.bool()?;
        Ok(df
            .column("agent")?
            .u32()?
            .into_no_null_iter()
            .zip(start.into_no_null_iter())
            .zip(attended.iter().map(|x| x.unwrap_or(false)))
            .map(|((agent, start_ms), attended)| SegmentStart {
                agent,
                start_ms,
                attended,
            })
            .collect())
    }
}

/// The agent-time columns, in [`AgentSlot::ms`] order.
const MS_COLUMNS: [&str; 5] = [
    "logged_in_ms",
    "busy_ms",
    "ready_ms",
    "adherent_ms",
    "scheduled_ms",
];

/// Writes the per-agent cells.
fn write_agent_slots(dir: &Path, s: &[AgentSlot]) -> Result<()> {
    let mut columns = vec![
        Series::new(
            "agent".into(),
            s.iter().map(|c| c.agent).collect::<Vec<u32>>(),
        )
        .into_column(),
        Series::new(
            "slot".into(),
            s.iter().map(|c| c.slot).collect::<Vec<i32>>(),
        )
        .into_column(),
    ];
    for (k, name) in MS_COLUMNS.iter().enumerate() {
        columns.push(
            Series::new(
                (*name).into(),
                s.iter().map(|c| c.ms[k]).collect::<Vec<u32>>(),
            )
            .into_column(),
        );
    }
    write(dir, "agents.parquet", columns)
}

/// Writes the per-slot sums over the agents.
fn write_totals(dir: &Path, s: &[SlotTotal]) -> Result<()> {
    let mut columns = vec![
        Series::new(
            "slot".into(),
            s.iter().map(|c| c.slot).collect::<Vec<i32>>(),
        )
        .into_column(),
    ];
    for (k, name) in MS_COLUMNS.iter().enumerate() {
        columns.push(i64_column(name, s.iter().map(|c| c.ms[k]).collect()));
    }
    write(dir, "everyone.parquet", columns)
}

fn write(dir: &Path, name: &str, columns: Vec<Column>) -> Result<()> {
    let height = columns.first().map_or(0, |c| c.len());
    let path = dir.join(name);
    let mut df = DataFrame::new(height, columns).at("cannot assemble", &path)?;
    let f = File::create(&path).at("cannot create", &path)?;
    ParquetWriter::new(&f)
        .finish(&mut df)
        .at("cannot write", &path)?;
    f.sync_all().at("cannot sync", &path)
}

fn i64_column(name: &str, v: Vec<i64>) -> Column {
    Series::new(name.into(), v).into_column()
}

/// A summary set in memory, as built or merged before it is written.
struct Built {
    queues: Vec<String>,
    calls: Vec<CallSlot>,
    call_agents: Vec<String>,
    agent_calls: Vec<AgentCallSlot>,
    has_calls: bool,
    last_arrival_ms: Option<i64>,
    agents: AgentSlots,
    max_state_ms: i64,
    max_segment_ms: i64,
}

/// The longest agent-state interval and scheduled segment, ms.
fn longest(states: Option<&AgentStates>, work: Option<&[WorkRow<'_>]>) -> (i64, i64) {
    let state = states.map_or(0, |st| {
        (0..st.names().len())
            .flat_map(|i| st.of(i))
            .map(|r| r.end_ms - r.start_ms)
            .max()
            .unwrap_or(0)
    });
    let segment = work
        .unwrap_or(&[])
        .iter()
        .map(|w| w.end_ms - w.start_ms)
        .max()
        .unwrap_or(0);
    (state.max(0), segment.max(0))
}

/// The agent side from `store` (or the view of it given).
fn agent_side(store: &Store) -> Result<(AgentSlots, i64, i64)> {
    let states = read_agent_states(store)?;
    let sched = read_schedules(store)?;
    let work = sched.as_ref().map(|s| s.work_segments());
    let (max_state, max_segment) = longest(states.as_ref(), work.as_deref());
    Ok((
        agent_slots(states.as_ref(), work.as_deref()),
        max_state,
        max_segment,
    ))
}

/// Everything from the rows.
fn build_full(store: &Store) -> Result<Built> {
    type CallSide = (bool, Vec<String>, Vec<String>, SlotSums, Option<i64>);
    let call_side = || -> Result<CallSide> {
        Ok(
            match read_calls_for_report(store, &[], Some(FCR_WINDOW_MS), true)? {
                Some(c) => (
                    true,
                    c.queues.clone(),
                    c.agents.clone(),
                    call_slots(&c, &CallSettings::default(), FCR_WINDOW_MS),
                    c.arrivals().iter().copied().max(),
                ),
                None => (false, Vec::new(), Vec::new(), SlotSums::default(), None),
            },
        )
    };
    // Both sides at once when their working sets fit comfortably together (about
    // 100 bytes a call and 80 an agent-state interval while they are read), else
    // one after the other so a large store stays within its memory.
    let (calls, states) = (
        store.row_count(Table::Calls),
        store.row_count(Table::AgentStates) + store.row_count(Table::Schedules),
    );
    let together = calls * 100 + states * 80 < PARALLEL_BUDGET_BYTES;
    let ((has_calls, queues, call_agents, sums, last), (agents, max_state_ms, max_segment_ms)) =
        if together {
            std::thread::scope(|scope| -> Result<_> {
                let agent = scope.spawn(|| agent_side(store));
                let c = call_side()?;
                let a = agent.join().map_err(|_| StoreError::Worker {
                    what: "agent-time summary",
                })??;
                Ok((c, a))
            })?
        } else {
            (call_side()?, agent_side(store)?)
        };
    Ok(Built {
        queues,
        calls: sums.queues,
        call_agents,
        agent_calls: sums.agents,
        has_calls,
        last_arrival_ms: last,
        agents,
        max_state_ms,
        max_segment_ms,
    })
}

/// Working memory under which [`build_full`] builds the call and agent sides at
/// the same time.
const PARALLEL_BUDGET_BYTES: u64 = 1 << 30;

/// Codes of `names` in `merged`, adding the ones it lacks.
fn remap(names: &[String], merged: &mut Vec<String>) -> Vec<u32> {
    let mut at: std::collections::HashMap<String, u32> = merged
        .iter()
        .enumerate()
        .map(|(i, n)| (n.clone(), i as u32))
        .collect();
    names
        .iter()
        .map(|n| {
            *at.entry(n.clone()).or_insert_with(|| {
                merged.push(n.clone());
                merged.len() as u32 - 1
            })
        })
        .collect()
}

/// The old slots before `from` and the fresh ones from it (their codes given the
/// merged set's by `recode`), sorted by `key`: (slot start, code).
fn spliced<T>(
    old: Vec<T>,
    fresh: Vec<T>,
    from: i64,
    key: impl Fn(&T) -> (i64, u32),
    recode: impl Fn(T) -> T,
) -> Vec<T> {
    let mut out: Vec<T> = old.into_iter().filter(|c| key(c).0 < from).collect();
    out.extend(fresh.into_iter().filter(|c| key(c).0 >= from).map(recode));
    out.sort_unstable_by_key(key);
    out
}

/// Midnight (UTC ms) of a partition's day, `None` for `all`.
fn partition_ms(f: &StoredFile) -> Option<i64> {
    f.day().map(|d| i64::from(d) * DAY_MS)
}

/// The previous set updated for the files added since it was built: only the
/// slots the new rows can change are recomputed, from the days they need.
/// `None` when that cannot be done exactly (a file it was built from is gone, a
/// file without a day): then everything is rebuilt.
fn build_incremental(store: &Store, old: &Summaries) -> Result<Option<Built>> {
    let was: std::collections::HashSet<&str> = old.meta.files.iter().map(String::as_str).collect();
    let mut live = 0;
    let mut lo: [Option<i64>; 3] = [None; 3];
    for (k, t) in SOURCES.iter().enumerate() {
        for f in store.manifest().files(*t) {
            if was.contains(f.path.as_str()) {
                live += 1;
                continue;
            }
            let Some(ms) = partition_ms(f) else {
                return Ok(None);
            };
            lo[k] = Some(lo[k].map_or(ms, |x: i64| x.min(ms)));
        }
    }
    if live != was.len() {
        return Ok(None);
    }
    let day_of = |t: i64| t.div_euclid(DAY_MS) * DAY_MS;

    // Calls: a new call at `lo` can change the repeat-contact flag of calls back to
    // `lo − window`, and the later last arrival decides calls whose window ran past
    // the old one; every slot from there is recomputed from the calls since then.
    let mut queues = old.meta.queues.clone();
    let mut call_agents = old.meta.call_agents.clone();
    let (calls, agent_calls, last_arrival_ms) = match lo[0] {
        None => (old.calls()?, old.agent_calls()?, old.meta.last_arrival_ms),
        Some(lo_c) => {
            // From the hour (the per-agent slots' span, a whole number of slots).
            let from = (lo_c.min(old.meta.last_arrival_ms.unwrap_or(lo_c)) - FCR_WINDOW_MS)
                .div_euclid(AGENT_SLOT_MS)
                * AGENT_SLOT_MS;
            let view = store.view(|t, f| {
                t != Table::Calls || partition_ms(f).is_none_or(|d| d >= day_of(from))
            });
            // The view holds the new files, so it has calls.
            let Some(fresh) = read_calls_for_report(&view, &[], Some(FCR_WINDOW_MS), true)? else {
                return Ok(None);
            };
            let codes = remap(&fresh.queues, &mut queues);
            let agent_codes = remap(&fresh.agents, &mut call_agents);
            let last = fresh.arrivals().iter().copied().max();
            let sums = call_slots(&fresh, &CallSettings::default(), FCR_WINDOW_MS);
            let slots = spliced(
                old.calls()?,
                sums.queues,
                from,
                |c| (c.slot_ms, c.queue),
                |c| CallSlot {
                    queue: codes[c.queue as usize],
                    ..c
                },
            );
            let by_agent = spliced(
                old.agent_calls()?,
                sums.agents,
                from,
                |c| (c.slot_ms, c.agent),
                |c| AgentCallSlot {
                    agent: agent_codes[c.agent as usize],
                    ..c
                },
            );
            (slots, by_agent, last.max(old.meta.last_arrival_ms))
        }
    };

    // Agent time: new rows start at `lo` or later, so slots before it keep their
    // time; a new state can still make a segment that began up to one segment
    // length earlier "attended", and adherence needs whole segments. Recompute from
    // `from` = lo − the longest segment, reading the rows that can reach it.
    let lo_a = match (lo[1], lo[2]) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    };
    let (agents, max_state_ms, max_segment_ms) = match lo_a {
        None => {
            let Some(kept) = old.agent_slots(false)? else {
                return Ok(None);
            };
            (kept, old.meta.max_state_ms, old.meta.max_segment_ms)
        }
        Some(lo_a) => {
            let Some(mut merged) = old.agent_slots(false)? else {
                return Ok(None);
            };
            // The new files' longest intervals bound what to re-read; the manifest
            // records them per file (for schedules over every activity, an upper
            // bound of the work segments': it only re-reads a little more).
            let new_span = |t: Table| {
                store
                    .manifest()
                    .files(t)
                    .iter()
                    .filter(|f| !was.contains(f.path.as_str()))
                    .try_fold(0i64, |m, f| Some(m.max(f.max_span_ms?)))
            };
            let (Some(ns), Some(nw)) = (new_span(Table::AgentStates), new_span(Table::Schedules))
            else {
                return Ok(None);
            };
            let max_state = old.meta.max_state_ms.max(ns);
            let max_segment = old.meta.max_segment_ms.max(nw);
            let from = (lo_a - max_segment).div_euclid(SLOT_MS) * SLOT_MS;
            let read_from = day_of(from - max_state.max(max_segment));
            let view = store.view(|t, f| {
                !matches!(t, Table::AgentStates | Table::Schedules)
                    || partition_ms(f).is_none_or(|d| d >= read_from)
            });
            let (fresh, _, _) = agent_side(&view)?;
            let codes = remap(&fresh.names, &mut merged.names);
            let first_slot = from.div_euclid(SLOT_MS);
            merged.slots.retain(|c| i64::from(c.slot) < first_slot);
            merged.slots.extend(
                fresh
                    .slots
                    .iter()
                    .filter(|c| i64::from(c.slot) >= first_slot)
                    .map(|c| AgentSlot {
                        agent: codes[c.agent as usize],
                        ..*c
                    }),
            );
            merged.slots.sort_unstable_by_key(|c| (c.agent, c.slot));
            merged.segments.retain(|g| g.start_ms < from);
            merged.segments.extend(
                fresh
                    .segments
                    .iter()
                    .filter(|g| g.start_ms >= from)
                    .map(|g| SegmentStart {
                        agent: codes[g.agent as usize],
                        ..*g
                    }),
            );
            merged.segments.sort_by_key(|g| (g.agent, g.start_ms));
            merged.has_states |= fresh.has_states;
            merged.has_work |= fresh.has_work;
            merged.exact &= fresh.exact;
            (merged, max_state, max_segment)
        }
    };
    Ok(Some(Built {
        queues,
        has_calls: !store.manifest().files(Table::Calls).is_empty(),
        calls,
        call_agents,
        agent_calls,
        last_arrival_ms,
        agents,
        max_state_ms,
        max_segment_ms,
    }))
}

/// The newest readable set of this format, whatever it was built from.
fn previous(store: &Store) -> Option<Summaries> {
    let base = store.root().join(DIR);
    fs::read_dir(&base)
        .ok()?
        .filter_map(|e| Summaries::at(e.ok()?.path()).ok().flatten())
        .max_by_key(|s| s.meta.manifest_version)
}

/// What [`refresh`] did.
#[derive(Debug, Clone, Copy)]
pub struct Refreshed {
    /// Seconds it took.
    pub seconds: f64,
    /// Updated from the previous set (else built from nothing).
    pub incremental: bool,
}

impl std::fmt::Display for Refreshed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let how = if self.incremental {
            "updated"
        } else {
            "rebuilt"
        };
        write!(
            f,
            "report summaries (15-minute slots) {how} in {:.1} s",
            self.seconds
        )
    }
}

/// Brings the summaries up to the store's current files: nothing to do when they
/// are current; otherwise the previous set updated for the new files (only the
/// days they can change are read), or everything rebuilt when there is none. Older
/// sets are removed. `None` when they were current.
pub fn refresh(store: &Store) -> Result<Option<Refreshed>> {
    let started = Instant::now();
    let target = set_dir(store);
    if matches!(Summaries::open(store), Ok(Some(_))) {
        return Ok(None);
    }
    let base = store.root().join(DIR);
    let building = base.join(".building");
    if building.exists() {
        fs::remove_dir_all(&building).at("cannot clear", &building)?;
    }
    fs::create_dir_all(&building).at("cannot create", &building)?;
    // A previous set that cannot be read or merged is only a reason to rebuild.
    let (built, incremental) = match previous(store)
        .map(|old| build_incremental(store, &old))
        .and_then(Result::ok)
        .flatten()
    {
        Some(b) => (b, true),
        None => (build_full(store)?, false),
    };
    write_set(store, &building, built, incremental, started)?;
    super::crash_point("before-summaries");
    if target.exists() {
        // A set of an older format, or damaged.
        fs::remove_dir_all(&target).at("cannot remove", &target)?;
    }
    fs::rename(&building, &target).at("cannot move the new summaries into", &target)?;
    sync_dir(&base)?;
    // Older sets are of no use once this one is in place.
    for e in fs::read_dir(&base).at("cannot list", &base)? {
        let p = e.at("cannot list", &base)?.path();
        if p != target && p.is_dir() {
            fs::remove_dir_all(&p).at("cannot remove", &p)?;
        }
    }
    Ok(Some(Refreshed {
        seconds: started.elapsed().as_secs_f64(),
        incremental,
    }))
}

/// Writes a set's files and, last, its meta.json into `dir`.
fn write_set(
    store: &Store,
    dir: &Path,
    b: Built,
    incremental: bool,
    started: Instant,
) -> Result<()> {
    let settings = CallSettings::default();
    if b.has_calls {
        let slots = &b.calls;
        let mut columns = vec![
            i64_column("slot_ms", slots.iter().map(|c| c.slot_ms).collect()),
            Series::new(
                "queue".into(),
                slots.iter().map(|c| c.queue).collect::<Vec<u32>>(),
            )
            .into_column(),
            i64_column("first_ms", slots.iter().map(|c| c.first_ms).collect()),
            i64_column("last_ms", slots.iter().map(|c| c.last_ms).collect()),
        ];
        let fields: Vec<AccumFields> = slots.iter().map(|c| c.acc.fields()).collect();
        for (j, name) in CallAccum::FIELDS.iter().enumerate() {
            columns.push(i64_column(name, fields.iter().map(|f| f.0[j]).collect()));
        }
        write(dir, "calls.parquet", columns)?;
        let slots = &b.agent_calls;
        let mut columns = vec![
            i64_column("slot_ms", slots.iter().map(|c| c.slot_ms).collect()),
            Series::new(
                "agent".into(),
                slots.iter().map(|c| c.agent).collect::<Vec<u32>>(),
            )
            .into_column(),
        ];
        let fields: Vec<AccumFields> = slots.iter().map(|c| c.acc.fields()).collect();
        for (j, name) in CallAccum::FIELDS.iter().enumerate() {
            columns.push(i64_column(name, fields.iter().map(|f| f.0[j]).collect()));
        }
        write(dir, "agent_calls.parquet", columns)?;
    }
    let a = &b.agents;
    if a.has_states || a.has_work {
        write_agent_slots(dir, &a.slots)?;
        write_totals(dir, &a.summed())?;
        let g = &a.segments;
        write(
            dir,
            "segments.parquet",
            vec![
                Series::new(
                    "agent".into(),
                    g.iter().map(|c| c.agent).collect::<Vec<u32>>(),
                )
                .into_column(),
                i64_column("start_ms", g.iter().map(|c| c.start_ms).collect()),
                Series::new(
                    "attended".into(),
                    g.iter().map(|c| c.attended).collect::<Vec<bool>>(),
                )
                .into_column(),
            ],
        )?;
    }
    let meta = Meta {
        format: FORMAT,
        manifest_version: store.manifest().version,
        slot_ms: SLOT_MS,
        sl_seconds: settings.sl_seconds,
        short_abandon_seconds: settings.short_abandon_seconds,
        fcr_window_ms: FCR_WINDOW_MS,
        queues: b.queues,
        agents: b.agents.names.clone(),
        call_agents: b.call_agents,
        has_calls: b.has_calls,
        has_states: a.has_states,
        has_work: a.has_work,
        agent_time_exact: a.exact,
        files: SOURCES
            .iter()
            .flat_map(|t| store.manifest().files(*t))
            .map(|f| f.path.clone())
            .collect(),
        last_arrival_ms: b.last_arrival_ms,
        max_state_ms: b.max_state_ms,
        max_segment_ms: b.max_segment_ms,
        incremental,
        built_in_s: started.elapsed().as_secs_f64(),
    };
    let meta_path = dir.join("meta.json");
    {
        use std::io::Write;
        let mut f = File::create(&meta_path).at("cannot create", &meta_path)?;
        let text = serde_json::to_vec_pretty(&meta).expect("the meta always encodes as JSON");
        f.write_all(&text).at("cannot write", &meta_path)?;
        f.sync_all().at("cannot sync", &meta_path)?;
    }
    sync_dir(dir)
}
