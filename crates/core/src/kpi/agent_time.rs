//! The agent-time KPIs: schedule adherence, occupancy, calls per agent hour and
//! attendance, from agent-state and schedule intervals clipped to the buckets (only
//! the overlapping part counts).
//!
//! * logged-in time = every agent-state interval, any state;
//! * occupancy = (talk + hold + acw) ÷ (talk + hold + acw + ready);
//! * adherence = overlap of the agent's ready/talk/hold/acw states with its scheduled
//!   `work` segments ÷ scheduled `work` time;
//! * attendance = (agent, local calendar day of the segment start) pairs with scheduled
//!   work in which some agent-state interval overlaps one of those segments ÷ pairs;
//!   a pair belongs to the bucket holding its segment start.

use super::buckets::bucket_of;
use super::intern::Interner;
use crate::time::{DAY_MS, TimeZoneSpec};
use rustc_hash::FxHashMap;

/// What an agent state counts towards.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum StateKind {
    /// `ready`: available, counts in occupancy's denominator and adherence.
    Ready,
    /// `talk`, `hold`, `acw`: busy.
    Busy,
    /// Anything else (`not_ready`, `break`, `lunch`, …): logged in only.
    #[default]
    Other,
}

impl StateKind {
    /// The kind of a state word.
    pub fn of(word: &str) -> Self {
        match word {
            "ready" => Self::Ready,
            "talk" | "hold" | "acw" => Self::Busy,
            _ => Self::Other,
        }
    }
    fn working(self) -> bool {
        self != Self::Other
    }
}

/// One agent-state interval; the agent is the slice of [`AgentStates`] it sits in.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct StateRow {
    /// What the state counts towards.
    pub kind: StateKind,
    /// Start, ms.
    pub start_ms: i64,
    /// End, ms.
    pub end_ms: i64,
}

/// Agent-state intervals grouped by agent, each agent's in time order: one array
/// of 24-byte rows (no strings), so the sweeps slice it instead of copying per-agent
/// lists. An agent's intervals do not overlap (the store's rule), so ordering by
/// start also orders by end.
#[derive(Debug, Clone, Default)]
pub struct AgentStates {
    names: Vec<String>,
    /// Agent `i` owns `rows[offsets[i]..offsets[i + 1]]`.
    offsets: Vec<usize>,
    rows: Vec<StateRow>,
}

impl AgentStates {
    /// From column-shaped input: `names[agent[i]]` is the agent of the `i`-th of
    /// `rows` (which must yield `agent.len()` rows; missing ones stay empty). Rows
    /// are placed by a counting sort on the agent (stable) and each agent's rows
    /// then sorted by start (a check when already in time order).
    pub fn build(
        names: Vec<String>,
        agent: &[u32],
        rows_in: impl IntoIterator<Item = StateRow>,
    ) -> Self {
        let mut b = StatesBuilder::new(names, agent);
        b.fill(agent, rows_in, |r, x| *r = x);
        b.finish()
    }

    /// From named rows `(agent, state word, start ms, end ms)`, for tests and small
    /// inputs.
    pub fn from_named(rows: &[(&str, &str, i64, i64)]) -> Self {
        let mut ids = Interner::default();
        let agent: Vec<u32> = rows.iter().map(|r| ids.id(r.0)).collect();
        let names = ids.names().iter().map(|n| (*n).to_owned()).collect();
        let rows = rows.iter().map(|r| StateRow {
            kind: StateKind::of(r.1),
            start_ms: r.2,
            end_ms: r.3,
        });
        Self::build(names, &agent, rows)
    }

    /// The agents, indexed by code.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// Agent `i`'s intervals in time order.
    pub fn of(&self, i: usize) -> &[StateRow] {
        &self.rows[self.offsets[i]..self.offsets[i + 1]]
    }

    /// Number of intervals.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// No intervals.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
}

/// Builds [`AgentStates`] one column at a time, so a caller never holds every
/// column of a large table at once: each [`fill`](Self::fill) scatters one column's
/// values to the rows' agent-grouped places.
#[derive(Debug)]
pub struct StatesBuilder {
    names: Vec<String>,
    offsets: Vec<usize>,
    rows: Vec<StateRow>,
}

impl StatesBuilder {
    /// Room for `agent.len()` rows, grouped by the agent codes in `agent`.
    pub fn new(names: Vec<String>, agent: &[u32]) -> Self {
        let mut offsets = vec![0usize; names.len() + 1];
        for &a in agent {
            offsets[a as usize + 1] += 1;
        }
        for i in 0..names.len() {
            offsets[i + 1] += offsets[i];
        }
        Self {
            names,
            offsets,
            rows: vec![StateRow::default(); agent.len()],
        }
    }

    /// Sets one field of every row: the `i`-th value goes to the row of input row
    /// `i` (`agent` must be the codes given to [`new`](Self::new)).
    pub fn fill<T>(
        &mut self,
        agent: &[u32],
        values: impl IntoIterator<Item = T>,
        mut set: impl FnMut(&mut StateRow, T),
    ) {
        let mut next = self.offsets.clone();
        for (&a, v) in agent.iter().zip(values) {
            let at = &mut next[a as usize];
            set(&mut self.rows[*at], v);
            *at += 1;
        }
    }

    /// Each agent's rows in time order.
    pub fn finish(mut self) -> AgentStates {
        for w in self.offsets.windows(2) {
            let v = &mut self.rows[w[0]..w[1]];
            if !v.is_sorted_by_key(|r| (r.start_ms, r.end_ms)) {
                v.sort_unstable_by_key(|r| (r.start_ms, r.end_ms));
            }
        }
        AgentStates {
            names: self.names,
            offsets: self.offsets,
            rows: self.rows,
        }
    }
}

/// One scheduled `work` segment.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WorkRow<'a> {
    /// Agent.
    pub agent: &'a str,
    /// Start, ms.
    pub start_ms: i64,
    /// End, ms.
    pub end_ms: i64,
}

/// Agent time of one bucket (and group), in ms.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct AgentTime {
    /// Every state.
    pub logged_in_ms: f64,
    /// talk + hold + acw.
    pub busy_ms: f64,
    /// ready.
    pub ready_ms: f64,
    /// Working states inside scheduled work.
    pub adherent_ms: f64,
    /// Scheduled work.
    pub scheduled_ms: f64,
    /// (agent, day) pairs with scheduled work.
    pub pairs: u64,
    /// Of those, pairs the agent logged in for.
    pub attended: u64,
}

impl AgentTime {
    /// Occupancy, if there was busy or ready time.
    pub fn occupancy(&self) -> Option<f64> {
        let d = self.busy_ms + self.ready_ms;
        (d > 0.0).then(|| self.busy_ms / d)
    }
    /// Adherence, if work was scheduled.
    pub fn adherence(&self) -> Option<f64> {
        (self.scheduled_ms > 0.0).then(|| self.adherent_ms / self.scheduled_ms)
    }
    /// Attendance, if work was scheduled.
    pub fn attendance(&self) -> Option<f64> {
        (self.pairs > 0).then(|| self.attended as f64 / self.pairs as f64)
    }
    /// Answered calls per logged-in hour.
    pub fn calls_per_hour(&self, answered: u64) -> Option<f64> {
        (self.logged_in_ms > 0.0).then(|| answered as f64 / (self.logged_in_ms / 3_600_000.0))
    }
}

/// Adds `f(bucket, overlap_ms)` for every bucket `[a, b)` overlaps.
fn spread(starts: &[i64], to_ms: i64, a: i64, b: i64, mut f: impl FnMut(usize, f64)) {
    if b <= a || starts.is_empty() {
        return;
    }
    let first = if a < starts[0] {
        0
    } else {
        match bucket_of(starts, to_ms, a) {
            Some(i) => i,
            None => return,
        }
    };
    for i in first..starts.len() {
        let s = starts[i];
        let e = starts.get(i + 1).copied().unwrap_or(to_ms);
        if s >= b {
            break;
        }
        let o = (b.min(e) - a.max(s)) as f64;
        if o > 0.0 {
            f(i, o);
        }
    }
}

/// One piece of agent time, as [`pieces`] hands them out with its span `[a, b)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Piece {
    /// An agent-state interval of this kind.
    State(StateKind),
    /// A scheduled `work` segment.
    Scheduled,
    /// Working time (ready/talk/hold/acw) inside a scheduled segment.
    Adherent,
    /// A scheduled segment again, for attendance: whether any state overlaps it.
    Segment { attended: bool },
}

/// Walks agent time agent by agent: each agent's state intervals, then its
/// scheduled segments with the working time inside them; agents with schedules but
/// no states come last. `f(state agent code, agent, piece, a, b)`; the code is
/// `None` for agents with no states. Both [`agent_time`] (per bucket) and
/// [`agent_slots`] (per 15-minute slot) add up these pieces, so they agree.
fn pieces<'a>(
    states: &'a AgentStates,
    work: &'a [WorkRow<'a>],
    mut f: impl FnMut(Option<usize>, &'a str, Piece, i64, i64),
) {
    let mut ids = Interner::default();
    for n in states.names() {
        ids.id(n);
    }
    // Scheduled segments by agent: state agents in code order, then the others by name.
    let code: Vec<u32> = work
        .iter()
        .map(|w| ids.get(w.agent).unwrap_or(u32::MAX))
        .collect();
    let mut order: Vec<usize> = (0..work.len()).collect();
    order.sort_by_key(|&i| (code[i], work[i].agent));
    let mut next = 0;
    for id in 0..states.names().len() {
        let name = states.names()[id].as_str();
        let mine = states.of(id);
        for r in mine {
            f(Some(id), name, Piece::State(r.kind), r.start_ms, r.end_ms);
        }
        while next < order.len() && code[order[next]] == id as u32 {
            segment(&work[order[next]], Some(id), mine, &mut f);
            next += 1;
        }
    }
    for &i in &order[next..] {
        segment(&work[i], None, &[], &mut f);
    }
}

/// The pieces of one scheduled segment of the agent whose states are `mine`.
fn segment<'a>(
    w: &WorkRow<'a>,
    id: Option<usize>,
    mine: &[StateRow],
    f: &mut impl FnMut(Option<usize>, &'a str, Piece, i64, i64),
) {
    f(id, w.agent, Piece::Scheduled, w.start_ms, w.end_ms);
    // The agent's intervals that end after the segment starts.
    let mine = &mine[mine.partition_point(|r| r.end_ms <= w.start_ms)..];
    for r in mine.iter().take_while(|r| r.start_ms < w.end_ms) {
        if r.kind.working() {
            let (a, b) = (r.start_ms.max(w.start_ms), r.end_ms.min(w.end_ms));
            if b > a {
                f(id, w.agent, Piece::Adherent, a, b);
            }
        }
    }
    let attended = mine.first().is_some_and(|r| r.start_ms < w.end_ms);
    f(
        id,
        w.agent,
        Piece::Segment { attended },
        w.start_ms,
        w.end_ms,
    );
}

/// Attendance pairs (agent, local day of a segment start), each counted once: in the
/// bucket of its earliest segment start, attended when any of its segments was.
struct Attendance<'b, K> {
    pairs: FxHashMap<(K, i64), (bool, usize, usize)>,
    starts: &'b [i64],
    to_ms: i64,
    zone: &'b TimeZoneSpec,
}

impl<'b, K: std::hash::Hash + Eq> Attendance<'b, K> {
    fn new(starts: &'b [i64], to_ms: i64, zone: &'b TimeZoneSpec) -> Self {
        Attendance {
            pairs: FxHashMap::default(),
            starts,
            to_ms,
            zone,
        }
    }

    /// A segment of `agent` (in group `g`) starting at `start_ms`.
    fn add(&mut self, agent: K, g: usize, start_ms: i64, attended: bool) {
        let local_day = (start_ms + self.zone.offset_ms_at(start_ms)).div_euclid(DAY_MS);
        if let Some(k) = bucket_of(self.starts, self.to_ms, start_ms) {
            let e = self
                .pairs
                .entry((agent, local_day))
                .or_insert((false, k, g));
            e.0 |= attended;
            e.1 = e.1.min(k);
        }
    }

    /// Adds the pairs to `out[bucket][group]`.
    fn count_into(self, out: &mut [Vec<AgentTime>]) {
        for (attended, b, g) in self.pairs.into_values() {
            out[b][g].pairs += 1;
            out[b][g].attended += u64::from(attended);
        }
    }
}

/// Agent time per bucket and group. `group_of` maps an agent to a group index (or
/// `None` to leave the agent out); the result is `[bucket][group]`.
pub fn agent_time(
    states: &AgentStates,
    work: &[WorkRow<'_>],
    starts: &[i64],
    to_ms: i64,
    groups: usize,
    group_of: &dyn Fn(&str) -> Option<usize>,
    zone: &TimeZoneSpec,
) -> Vec<Vec<AgentTime>> {
    let mut out = vec![vec![AgentTime::default(); groups]; starts.len()];
    // Each state agent's group, found once.
    let group_by_id: Vec<Option<usize>> = states.names().iter().map(|n| group_of(n)).collect();
    let mut pairs = Attendance::new(starts, to_ms, zone);
    pieces(states, work, |id, agent, piece, a, b| {
        let Some(g) = id.map_or_else(|| group_of(agent), |i| group_by_id[i]) else {
            return;
        };
        match piece {
            Piece::State(kind) => spread(starts, to_ms, a, b, |i, o| {
                let t = &mut out[i][g];
                t.logged_in_ms += o;
                match kind {
                    StateKind::Busy => t.busy_ms += o,
                    StateKind::Ready => t.ready_ms += o,
                    StateKind::Other => {}
                }
            }),
            Piece::Scheduled => spread(starts, to_ms, a, b, |i, o| out[i][g].scheduled_ms += o),
            Piece::Adherent => spread(starts, to_ms, a, b, |i, o| out[i][g].adherent_ms += o),
            Piece::Segment { attended } => {
                pairs.add(agent, g, a, attended);
            }
        }
    });
    pairs.count_into(&mut out);
    out
}

/// The length of the store's summary slots: 15 minutes, so every bucket the KPIs
/// use (15/30/60-minute intervals, local days, weeks, months in any time zone of
/// whole quarter-hour offsets) is a union of slots.
pub const SLOT_MS: i64 = 15 * 60_000;

/// One agent's time in one 15-minute slot (UTC-aligned), in whole ms: logged in
/// (every state), busy (talk + hold + acw), ready, adherent (working states inside
/// scheduled work) and scheduled work, in that order. 28 bytes, as there are
/// millions.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AgentSlot {
    /// Agent code (index into [`AgentSlots::names`]).
    pub agent: u32,
    /// Slot number: the slot starts at `slot × SLOT_MS`.
    pub slot: i32,
    /// Logged-in, busy, ready, adherent and scheduled ms.
    pub ms: [u32; 5],
}

/// All agents' time in one slot, summed: [`AgentSlot`]'s figures without the
/// agent, for reports that are not grouped by agent or team.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SlotTotal {
    /// Slot number.
    pub slot: i32,
    /// Logged-in, busy, ready, adherent and scheduled ms.
    pub ms: [i64; 5],
}

/// A scheduled segment's start and whether the agent showed up (attendance).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SegmentStart {
    /// Agent code.
    pub agent: u32,
    /// Segment start, ms.
    pub start_ms: i64,
    /// Some agent-state interval overlaps the segment.
    pub attended: bool,
}

/// Agent time summed per agent and 15-minute slot, plus every scheduled segment's
/// start: enough to give [`agent_time`]'s answer for any buckets made of whole
/// slots without the rows (see [`agent_time_from_slots`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AgentSlots {
    /// Agent names by code.
    pub names: Vec<String>,
    /// Non-empty (agent, slot) cells, by agent then slot.
    pub slots: Vec<AgentSlot>,
    /// Per-slot sums over the agents, used in place of `slots` for a report without
    /// grouping (either may be given; both are added).
    pub totals: Vec<SlotTotal>,
    /// Scheduled `work` segments, by agent.
    pub segments: Vec<SegmentStart>,
    /// Whether there was an agent-states table (else its KPIs are null).
    pub has_states: bool,
    /// Whether there was a schedules table.
    pub has_work: bool,
    /// False when a cell overflowed its 32 bits (thousands of overlapping
    /// schedule segments): the slots then cannot stand in for the rows.
    pub exact: bool,
}

/// One agent's slots while [`agent_slots`] walks it: dense from the first slot
/// seen, with a map for the odd piece far before or after.
#[derive(Default)]
struct AgentCells {
    base: i64,
    dense: Vec<[i64; 5]>,
    sparse: FxHashMap<i64, [i64; 5]>,
}

impl AgentCells {
    /// Slots a dense run may span (about 30 years).
    const DENSE: i64 = 1 << 20;

    fn add(&mut self, slot: i64, field: usize, ms: i64) {
        if self.dense.is_empty() {
            self.base = slot;
        }
        let at = slot - self.base;
        if (0..Self::DENSE).contains(&at) {
            let at = at as usize;
            if at >= self.dense.len() {
                self.dense.resize(at + 1, [0; 5]);
            }
            self.dense[at][field] += ms;
        } else {
            self.sparse.entry(slot).or_insert([0; 5])[field] += ms;
        }
    }

    /// Moves the cells out as `agent`'s; false if one does not fit 32 bits.
    fn drain_into(&mut self, agent: u32, out: &mut Vec<AgentSlot>) -> bool {
        let dense = self.dense.drain(..).enumerate();
        let base = self.base;
        let mut cells: Vec<(i64, [i64; 5])> = dense
            .map(|(i, c)| (base + i as i64, c))
            .chain(self.sparse.drain())
            .filter(|(_, c)| c.iter().any(|&x| x != 0))
            .collect();
        cells.sort_unstable_by_key(|c| c.0);
        let mut exact = true;
        out.extend(cells.into_iter().map(|(slot, c)| {
            let mut ms = [0u32; 5];
            for (m, x) in ms.iter_mut().zip(c) {
                *m = u32::try_from(x).unwrap_or_else(|_| {
                    exact = false;
                    u32::MAX
                });
            }
            AgentSlot {
                agent,
                slot: i32::try_from(slot).unwrap_or_else(|_| {
                    exact = false;
                    0
                }),
                ms,
            }
        }));
        exact
    }
}

/// Adds `f(slot, overlap_ms)` for every 15-minute slot `[a, b)` overlaps.
fn spread_slots(a: i64, b: i64, mut f: impl FnMut(i64, i64)) {
    if b <= a {
        return;
    }
    let mut slot = a.div_euclid(SLOT_MS);
    loop {
        let (s, e) = (slot * SLOT_MS, (slot + 1) * SLOT_MS);
        if s >= b {
            break;
        }
        f(slot, b.min(e) - a.max(s));
        slot += 1;
    }
}

/// Sums agent time per agent and 15-minute slot (the same pieces as
/// [`agent_time`]).
/// `None` is a missing table.
pub fn agent_slots(states: Option<&AgentStates>, work: Option<&[WorkRow<'_>]>) -> AgentSlots {
    let empty = AgentStates::default();
    let (has_states, has_work) = (states.is_some(), work.is_some());
    let (states, work) = (states.unwrap_or(&empty), work.unwrap_or(&[]));
    let mut names = Interner::default();
    for n in states.names() {
        names.id(n);
    }
    let mut out = AgentSlots::default();
    let mut cells = AgentCells::default();
    let mut current: Option<u32> = None;
    let mut exact = true;
    pieces(states, work, |id, agent, piece, a, b| {
        let code = id.map_or_else(|| names.id(agent), |i| i as u32);
        if current != Some(code) {
            if let Some(c) = current {
                exact &= cells.drain_into(c, &mut out.slots);
            }
            current = Some(code);
        }
        let field = match piece {
            Piece::State(kind) => {
                spread_slots(a, b, |slot, o| cells.add(slot, 0, o));
                match kind {
                    StateKind::Busy => 1,
                    StateKind::Ready => 2,
                    StateKind::Other => return,
                }
            }
            Piece::Adherent => 3,
            Piece::Scheduled => 4,
            Piece::Segment { attended } => {
                out.segments.push(SegmentStart {
                    agent: code,
                    start_ms: a,
                    attended,
                });
                return;
            }
        };
        spread_slots(a, b, |slot, o| cells.add(slot, field, o));
    });
    if let Some(c) = current {
        exact &= cells.drain_into(c, &mut out.slots);
    }
    out.exact = exact;
    out.names = names.names().iter().map(|n| (*n).to_owned()).collect();
    out.has_states = has_states;
    out.has_work = has_work;
    out
}

impl AgentSlots {
    /// The per-slot sums over all agents ([`AgentSlots::totals`]) of the cells.
    pub fn summed(&self) -> Vec<SlotTotal> {
        let mut by_slot: FxHashMap<i32, [i64; 5]> = FxHashMap::default();
        for c in &self.slots {
            let t = by_slot.entry(c.slot).or_default();
            for (x, m) in t.iter_mut().zip(c.ms) {
                *x += i64::from(m);
            }
        }
        let mut out: Vec<SlotTotal> = by_slot
            .into_iter()
            .map(|(slot, ms)| SlotTotal { slot, ms })
            .collect();
        out.sort_unstable_by_key(|c| c.slot);
        out
    }
}

/// [`agent_time`] from per-slot sums: the same figures, provided every bucket
/// start and `to_ms` fall on slot boundaries (the caller checks).
pub fn agent_time_from_slots(
    slots: &AgentSlots,
    starts: &[i64],
    to_ms: i64,
    groups: usize,
    group_of: &dyn Fn(&str) -> Option<usize>,
    zone: &TimeZoneSpec,
) -> Vec<Vec<AgentTime>> {
    let mut out = vec![vec![AgentTime::default(); groups]; starts.len()];
    let group: Vec<Option<usize>> = slots.names.iter().map(|n| group_of(n)).collect();
    let mut add = |b: usize, g: usize, ms: [f64; 5]| {
        let t = &mut out[b][g];
        t.logged_in_ms += ms[0];
        t.busy_ms += ms[1];
        t.ready_ms += ms[2];
        t.adherent_ms += ms[3];
        t.scheduled_ms += ms[4];
    };
    for c in &slots.slots {
        let Some(g) = group[c.agent as usize] else {
            continue;
        };
        if let Some(b) = bucket_of(starts, to_ms, i64::from(c.slot) * SLOT_MS) {
            add(b, g, c.ms.map(f64::from));
        }
    }
    // The sums over all agents: their one group is every agent's.
    let everyone = slots.names.first().map_or(Some(0), |n| group_of(n));
    for c in &slots.totals {
        let Some(g) = everyone else { break };
        if let Some(b) = bucket_of(starts, to_ms, i64::from(c.slot) * SLOT_MS) {
            add(b, g, c.ms.map(|x| x as f64));
        }
    }
    let mut pairs = Attendance::new(starts, to_ms, zone);
    for seg in &slots.segments {
        if let Some(g) = group[seg.agent as usize] {
            pairs.add(seg.agent, g, seg.start_ms, seg.attended);
        }
    }
    pairs.count_into(&mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kpi::buckets::{Bucketing, bucket_starts};

    const H: i64 = 3_600_000;

    /// One agent, one day (UTC), two half-days as buckets would be too coarse: use
    /// hourly buckets 08:00–12:00 (0 = 1970-01-01, offsets in hours).
    ///   scheduled work 08:00–10:00 and 10:30–12:00 (3.5 h)
    ///   states: ready 08:10–09:00, talk 09:00–09:30, acw 09:30–09:45, break 09:45–10:40,
    ///           ready 10:40–11:00, hold 11:00–11:15, talk 11:15–12:30
    #[test]
    fn adherence_occupancy_and_logged_in_time_are_clipped_by_hand() {
        let zone = TimeZoneSpec::Utc;
        let starts = bucket_starts(8 * H, 12 * H, Bucketing::Interval(60), &zone);
        let m = |h: f64| (h * 60.0).round() as i64 * 60_000;
        let states = AgentStates::from_named(&[
            ("a", "ready", m(8.0 + 10.0 / 60.0), m(9.0)),
            ("a", "talk", m(9.0), m(9.5)),
            ("a", "acw", m(9.5), m(9.75)),
            ("a", "break", m(9.75), m(10.0 + 40.0 / 60.0)),
            ("a", "ready", m(10.0 + 40.0 / 60.0), m(11.0)),
            ("a", "hold", m(11.0), m(11.25)),
            ("a", "talk", m(11.25), m(12.5)),
        ]);
        let work = [
            WorkRow {
                agent: "a",
                start_ms: m(8.0),
                end_ms: m(10.0),
            },
            WorkRow {
                agent: "a",
                start_ms: m(10.5),
                end_ms: m(12.0),
            },
        ];
        let t = agent_time(&states, &work, &starts, 12 * H, 1, &|_| Some(0), &zone);
        let min = |x: f64| x / 60_000.0;
        // 08–09: scheduled 60, working 50 (ready from 08:10), logged in 50.
        assert_eq!(
            (
                min(t[0][0].scheduled_ms),
                min(t[0][0].adherent_ms),
                min(t[0][0].logged_in_ms)
            ),
            (60.0, 50.0, 50.0)
        );
        // 09–10: scheduled 60; working 09:00–09:45 = 45; busy 45, ready 0; logged in 60.
        assert_eq!(
            (
                min(t[1][0].adherent_ms),
                min(t[1][0].busy_ms),
                min(t[1][0].logged_in_ms)
            ),
            (45.0, 45.0, 60.0)
        );
        // 10–11: scheduled 10:30–11:00 = 30; working inside = ready 10:40–11:00 = 20.
        assert_eq!(
            (
                min(t[2][0].scheduled_ms),
                min(t[2][0].adherent_ms),
                min(t[2][0].ready_ms)
            ),
            (30.0, 20.0, 20.0)
        );
        // 11–12: scheduled 60, working 60; busy 60 (the talk after 12:00 is clipped).
        assert_eq!(
            (min(t[3][0].adherent_ms), min(t[3][0].busy_ms)),
            (60.0, 60.0)
        );
        // Whole period by summing: adherence (50+45+20+60)/(60+60+30+60) = 175/210.
        let (adh, sched): (f64, f64) = t
            .iter()
            .map(|b| (b[0].adherent_ms, b[0].scheduled_ms))
            .fold((0.0, 0.0), |a, x| (a.0 + x.0, a.1 + x.1));
        assert!((adh / sched - 175.0 / 210.0).abs() < 1e-12);
        let occ = t[1][0].occupancy().expect("busy time");
        assert!((occ - 1.0).abs() < 1e-12);
        // One (agent, day) pair, attended, in the bucket of 08:00.
        assert_eq!((t[0][0].pairs, t[0][0].attended), (1, 1));
        assert!((t[3][0].calls_per_hour(2).expect("logged in") - 2.0).abs() < 1e-12);
    }

    #[test]
    fn states_are_grouped_by_agent_in_time_order_whatever_the_input_order() {
        // Interleaved agents, each out of time order: b's rows come first.
        let states = AgentStates::from_named(&[
            ("b", "talk", 50, 60),
            ("a", "ready", 30, 40),
            ("b", "ready", 10, 20),
            ("a", "break", 0, 10),
            ("a", "acw", 10, 30),
        ]);
        assert_eq!(states.names(), ["b", "a"]);
        assert_eq!(states.len(), 5);
        let span = |i: usize| -> Vec<(StateKind, i64, i64)> {
            states
                .of(i)
                .iter()
                .map(|r| (r.kind, r.start_ms, r.end_ms))
                .collect()
        };
        assert_eq!(
            span(0),
            [(StateKind::Ready, 10, 20), (StateKind::Busy, 50, 60)]
        );
        assert_eq!(
            span(1),
            [
                (StateKind::Other, 0, 10),
                (StateKind::Busy, 10, 30),
                (StateKind::Ready, 30, 40)
            ]
        );
        assert!(AgentStates::from_named(&[]).is_empty());
    }

    #[test]
    fn an_absent_agent_is_scheduled_but_not_attended() {
        let zone = TimeZoneSpec::Utc;
        let starts = bucket_starts(0, 2 * DAY_MS, Bucketing::Day, &zone);
        let work = [
            WorkRow {
                agent: "b",
                start_ms: 9 * H,
                end_ms: 17 * H,
            },
            WorkRow {
                agent: "b",
                start_ms: DAY_MS + 9 * H,
                end_ms: DAY_MS + 17 * H,
            },
        ];
        let states = AgentStates::from_named(&[("b", "ready", DAY_MS + 16 * H, DAY_MS + 18 * H)]);
        let t = agent_time(&states, &work, &starts, 2 * DAY_MS, 1, &|_| Some(0), &zone);
        assert_eq!((t[0][0].pairs, t[0][0].attended), (1, 0));
        assert_eq!((t[1][0].pairs, t[1][0].attended), (1, 1));
        assert_eq!(t[0][0].attendance(), Some(0.0));
        assert_eq!(t[1][0].adherence(), Some(1.0 / 8.0));
    }
}
