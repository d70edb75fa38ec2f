//! The discrete-event engine: one time-ordered event heap drives arrivals, caller
//! patience, agents' calls, breaks, logins and logouts. Each queue is served first come,
//! first served by its own team; the longest-idle ready agent takes the next call.
//!
//! Streams of randomness are separate (arrivals, handling, agents, tickets) so that
//! changing one behaviour does not reshuffle the others; all are seeded from
//! [`SimConfig::seed`], so the same settings give the same records in the same order.

use super::config::{Sampler, SimConfig, Staffing, round_to};
use super::records::*;
use super::tickets::TicketMaker;
use crate::time::DAY_MS;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Normal, Poisson};
use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};

pub(crate) const SLOT_MS: i64 = 15 * 60 * 1000;
pub(crate) const SLOTS_PER_DAY: i64 = 96;
const SHIFT_MS: i64 = 9 * 3_600_000;
/// Share of each hour in a realistic day (00:00 … 23:00).
pub(crate) const HOUR_WEIGHTS: [f64; 24] = [
    0.25, 0.15, 0.1, 0.1, 0.12, 0.25, 0.6, 1.6, 3.6, 5.6, 6.4, 6.2, 4.9, 5.0, 5.9, 5.7, 5.2, 4.4,
    3.1, 2.2, 1.6, 1.2, 0.8, 0.45,
];
/// Expected presence in each half hour of a 9-hour shift: breaks around 2 h and
/// 6.5 h in, lunch somewhere between 3 h and 5 h (staggered across the team).
const SHIFT_PRESENCE: [f64; 18] = [
    1.0, 1.0, 1.0, 0.75, 0.75, 1.0, 0.67, 0.5, 0.5, 0.33, 1.0, 1.0, 0.75, 0.75, 1.0, 1.0, 1.0, 1.0,
];
/// Relative volume Monday … Sunday.
pub(crate) const WEEKDAY_WEIGHTS: [f64; 7] = [1.18, 1.06, 1.0, 0.98, 0.94, 0.5, 0.34];

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Event {
    /// Start of a 15-minute arrival slot (index from the start).
    Slot(i64),
    /// Start of a day (index from the start): plan shifts, settle costs.
    DayStart(i64),
    /// A call arrives (index into the pending-arrival list).
    Arrival(u32),
    /// A waiting call's patience or the queue's maximum wait runs out (slab slot, call id).
    Deadline(u32, u64),
    /// An agent finishes after-call work.
    AgentFree(u32),
    /// An agent logs in.
    Login(u32),
    /// An agent's shift ends.
    Logout(u32),
    /// A scheduled break or lunch (agent, is lunch, planned length in ms).
    BreakStart(u32, bool, i64),
    /// An agent returns from a break.
    BreakEnd(u32),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Status {
    Out,
    Ready { since: i64 },
    Busy,
    Away { state: AgentState, since: i64 },
}

#[derive(Debug, Clone)]
struct Agent {
    /// Primary queue (team).
    queue: u16,
    /// Bit `q` set: the agent answers queue `q` (night agents answer every queue).
    skills: u64,
    status: Status,
    epoch: u64,
    pending_break: Option<(bool, i64)>,
    pending_logout: bool,
    /// Shift start after midnight, per weekday (Monday first).
    shift_start_ms: [i64; 7],
    /// Breaks start this much earlier/later than the template (staggers the team).
    break_offset_ms: i64,
    /// Lunch starts this long after the shift's third hour (staggers the team).
    lunch_offset_ms: i64,
    /// First of two consecutive days off (0 = Monday).
    off_from: u32,
    hired_on: i32,
    left_on: Option<i32>,
    full_time: bool,
}

#[derive(Debug, Clone, Copy)]
struct Waiting {
    id: u64,
    queue: u16,
    arrived_ms: i64,
    caller: u64,
    give_up: Outcome,
    alive: bool,
}

struct QueueRuntime {
    talk: Sampler,
    hold: Sampler,
    acw: Sampler,
    patience: Option<Sampler>,
    max_wait_ms: Option<i64>,
    hold_share: f64,
    misdial_share: f64,
    share: f64,
    waiting: VecDeque<u32>,
    ready: VecDeque<(u32, u64)>,
}

/// Runs the simulation described by `config`, streaming every record into `sink`.
/// Returns the number of calls produced.
pub fn run(config: &SimConfig, sink: &mut dyn SimSink) -> u64 {
    let mut sim = Engine::new(config);
    sim.run(sink);
    sim.next_call_id
}

struct Engine<'c> {
    cfg: &'c SimConfig,
    start_ms: i64,
    end_ms: i64,
    heap: BinaryHeap<Reverse<(i64, u64, Event)>>,
    seq: u64,
    queues: Vec<QueueRuntime>,
    agents: Vec<Agent>,
    slab: Vec<Waiting>,
    free: Vec<u32>,
    arrivals: Vec<(u16, i64)>,
    free_arrivals: Vec<u32>,
    trunk_releases: BinaryHeap<Reverse<i64>>,
    waiting_total: u32,
    next_call_id: u64,
    next_caller: u64,
    recent_callers: Vec<u64>,
    recent_pos: usize,
    arrival_rng: ChaCha8Rng,
    handle_rng: ChaCha8Rng,
    agent_rng: ChaCha8Rng,
    tickets: TicketMaker,
    qa_prob: f64,
    qa_score: Normal<f64>,
    day_calls: u64,
    day_work_ms: i64,
}

fn rng_for(seed: u64, stream: u64) -> ChaCha8Rng {
    let mut r = ChaCha8Rng::seed_from_u64(seed);
    r.set_stream(stream);
    r
}

impl<'c> Engine<'c> {
    fn new(cfg: &'c SimConfig) -> Self {
        let start_ms = i64::from(cfg.start_day) * DAY_MS;
        let end_ms = start_ms + i64::from(cfg.days) * DAY_MS;
        let total_share: f64 = cfg
            .queues
            .iter()
            .map(|q| q.share.max(0.0))
            .sum::<f64>()
            .max(f64::MIN_POSITIVE);
        let queues: Vec<QueueRuntime> = cfg
            .queues
            .iter()
            .map(|q| QueueRuntime {
                talk: q.talk.sampler(),
                hold: q.hold.sampler(),
                acw: q.acw.sampler(),
                patience: q.patience.map(|p| p.sampler()),
                max_wait_ms: q
                    .max_wait_s
                    .map(|s| round_to(s * 1000.0, cfg.resolution_ms)),
                hold_share: q.hold_share,
                misdial_share: q.misdial_share,
                share: q.share.max(0.0) / total_share,
                waiting: VecDeque::new(),
                ready: VecDeque::new(),
            })
            .collect();
        let mut agent_rng = rng_for(cfg.seed, 3);
        let agents = build_agents(cfg, &queues, &mut agent_rng);
        let headcount = agents.len().max(1) as f64;
        let qa_prob = if cfg.side_tables && cfg.calls_per_day > 0.0 {
            // About 4.5 evaluations per agent a month.
            (4.5 * headcount / (cfg.calls_per_day * 30.0)).min(1.0)
        } else {
            0.0
        };
        let recent = ((cfg.calls_per_day * 1.5) as usize).clamp(16, 1 << 22);
        Engine {
            cfg,
            start_ms,
            end_ms,
            heap: BinaryHeap::new(),
            seq: 0,
            queues,
            agents,
            slab: Vec::new(),
            free: Vec::new(),
            arrivals: Vec::new(),
            free_arrivals: Vec::new(),
            trunk_releases: BinaryHeap::new(),
            waiting_total: 0,
            next_call_id: 0,
            next_caller: 0,
            recent_callers: vec![u64::MAX; recent],
            recent_pos: 0,
            arrival_rng: rng_for(cfg.seed, 1),
            handle_rng: rng_for(cfg.seed, 2),
            agent_rng,
            tickets: TicketMaker::new(rng_for(cfg.seed, 4), end_ms, cfg.ticket_late_share),
            qa_prob,
            qa_score: Normal::new(84.0, 7.0).expect("finite parameters"),
            day_calls: 0,
            day_work_ms: 0,
        }
    }

    fn push(&mut self, t: i64, e: Event) {
        self.seq += 1;
        self.heap.push(Reverse((t, self.seq, e)));
    }

    fn run(&mut self, sink: &mut dyn SimSink) {
        if self.cfg.side_tables || matches!(self.cfg.staffing, Staffing::Rostered { .. }) {
            for (i, a) in self.agents.iter().enumerate() {
                sink.agent(&AgentRecord {
                    agent: i as u32,
                    queue: a.queue,
                    hired_on: a.hired_on,
                    left_on: a.left_on,
                    full_time: a.full_time,
                });
            }
        }
        for d in -1..i64::from(self.cfg.days) {
            self.push(self.start_ms + d.max(0) * DAY_MS, Event::DayStart(d));
        }
        if self.cfg.days > 0 {
            self.push(self.start_ms, Event::Slot(0));
        }
        if let Staffing::Constant { .. } = self.cfg.staffing {
            for i in 0..self.agents.len() as u32 {
                self.push(self.start_ms, Event::Login(i));
                self.push(self.end_ms, Event::Logout(i));
            }
        }
        while let Some(Reverse((t, _, ev))) = self.heap.pop() {
            match ev {
                Event::Slot(k) => self.slot(k, t),
                Event::DayStart(d) => self.day_start(d, t, sink),
                Event::Arrival(i) => self.arrival(i, t, sink),
                Event::Deadline(w, id) => self.deadline(w, id, t, sink),
                Event::AgentFree(a) => self.available(a, t, sink),
                Event::Login(a) => {
                    if self.agents[a as usize].status == Status::Out {
                        self.agents[a as usize].pending_logout = false;
                        self.available(a, t, sink);
                    }
                }
                Event::Logout(a) => self.logout(a, t, sink),
                Event::BreakStart(a, lunch, len) => self.break_start(a, lunch, len, t, sink),
                Event::BreakEnd(a) => {
                    if let Status::Away { state, since } = self.agents[a as usize].status {
                        sink.agent_state(&StateRecord {
                            agent: a,
                            state,
                            start_ms: since,
                            end_ms: t,
                        });
                        self.agents[a as usize].status = Status::Busy;
                        self.available(a, t, sink);
                    }
                }
            }
        }
        // Calls still waiting when nobody is left to answer them leave as timeouts.
        for q in 0..self.queues.len() {
            while let Some(w) = self.queues[q].waiting.pop_front() {
                let c = self.slab[w as usize];
                if c.alive {
                    let t = self.end_ms.max(c.arrived_ms);
                    self.emit_unanswered(c, Outcome::Timeout, t, sink);
                }
            }
        }
        if self.cfg.side_tables && self.cfg.days > 0 {
            self.settle_costs(i64::from(self.cfg.days) - 1, sink);
        }
    }

    fn slot(&mut self, k: i64, t: i64) {
        if k + 1 < i64::from(self.cfg.days) * SLOTS_PER_DAY {
            self.push(t + SLOT_MS, Event::Slot(k + 1));
        }
        for q in 0..self.queues.len() {
            let mean = self.cfg.arrival_mean(q, k);
            if mean <= 0.0 {
                continue;
            }
            let n = Poisson::new(mean)
                .map(|p| p.sample(&mut self.arrival_rng) as u64)
                .unwrap_or(0);
            for _ in 0..n {
                let at = t + round_to(
                    self.arrival_rng.random::<f64>() * SLOT_MS as f64,
                    self.cfg.resolution_ms,
                )
                .min(SLOT_MS - self.cfg.resolution_ms.clamp(1, SLOT_MS));
                let idx = match self.free_arrivals.pop() {
                    Some(i) => {
                        self.arrivals[i as usize] = (q as u16, at);
                        i
                    }
                    None => {
                        self.arrivals.push((q as u16, at));
                        (self.arrivals.len() - 1) as u32
                    }
                };
                self.push(at, Event::Arrival(idx));
            }
        }
    }

    fn day_start(&mut self, d: i64, t: i64, sink: &mut dyn SimSink) {
        if d > 0 && self.cfg.side_tables {
            self.settle_costs(d - 1, sink);
        }
        if let Staffing::Rostered { .. } = self.cfg.staffing {
            self.plan_day(d, sink);
        }
        if d < 0 {
            return; // the eve of the period only hands over its night shift
        }
        if self.cfg.side_tables {
            let walk_ins = (self.cfg.calls_per_day * 0.01).max(0.0);
            self.tickets.walk_ins(t, walk_ins, sink);
        }
    }

    fn settle_costs(&mut self, d: i64, sink: &mut dyn SimSink) {
        let day = self.cfg.start_day + d as i32;
        let staff = (self.day_work_ms as f64 / 3_600_000.0 * 38.0 * 100.0).round() / 100.0;
        let telecom = (self.day_calls as f64 * 0.25 * 100.0).round() / 100.0;
        for (amount, category) in [
            (staff, CostCategory::Staff),
            (telecom, CostCategory::Telecom),
            (450.0, CostCategory::Facilities),
        ] {
            sink.cost(&CostRecord {
                day,
                amount,
                category,
            });
        }
        self.day_calls = 0;
        self.day_work_ms = 0;
    }

    /// Plans day `d`'s shifts: schedule segments, login, breaks and logout. Day −1
    /// contributes only the part of its night shifts that runs into the period, so the
    /// first night is staffed like every other.
    fn plan_day(&mut self, d: i64, sink: &mut dyn SimSink) {
        let day = self.cfg.start_day + d as i32;
        let day_ms = self.start_ms + d * DAY_MS;
        let floor = self.start_ms;
        let dow = u32::from(crate::time::weekday(day));
        for i in 0..self.agents.len() {
            let a = &self.agents[i];
            let employed = a.hired_on <= day && a.left_on.is_none_or(|l| day < l);
            let off = dow == a.off_from || dow == (a.off_from + 1) % 7;
            if !employed || off {
                continue;
            }
            let s = day_ms + a.shift_start_ms[dow as usize];
            if s + SHIFT_MS <= floor {
                continue;
            }
            let lunch_at = s + 3 * 3_600_000 + a.lunch_offset_ms;
            let b1 = s + 2 * 3_600_000 - a.break_offset_ms;
            let b2 = s + 6 * 3_600_000 + 1_800_000 + a.break_offset_ms;
            let plan = [
                (s, b1, Activity::Work),
                (b1, b1 + 900_000, Activity::Break),
                (b1 + 900_000, lunch_at, Activity::Work),
                (lunch_at, lunch_at + 3_600_000, Activity::Lunch),
                (lunch_at + 3_600_000, b2, Activity::Work),
                (b2, b2 + 900_000, Activity::Break),
                (b2 + 900_000, s + SHIFT_MS, Activity::Work),
            ];
            for &(start_ms, end_ms, activity) in &plan {
                if end_ms <= floor {
                    continue;
                }
                let start_ms = start_ms.max(floor);
                sink.schedule(&ScheduleRecord {
                    agent: i as u32,
                    start_ms,
                    end_ms,
                    activity,
                });
                if activity == Activity::Work {
                    self.day_work_ms += end_ms - start_ms;
                }
            }
            let rng = &mut self.agent_rng;
            if rng.random_bool(0.03) {
                continue; // absent: scheduled, never logs in
            }
            let late = if rng.random_bool(0.2) {
                rng.random_range(30_000..600_000)
            } else {
                0
            };
            let early = if rng.random_bool(0.05) {
                rng.random_range(60_000..900_000)
            } else {
                0
            };
            let res = self.cfg.resolution_ms;
            self.push(
                (s + round_to(late as f64, res)).max(floor),
                Event::Login(i as u32),
            );
            for &(start_ms, end_ms, activity) in &plan {
                if activity != Activity::Work && start_ms >= floor {
                    self.push(
                        start_ms,
                        Event::BreakStart(i as u32, activity == Activity::Lunch, end_ms - start_ms),
                    );
                }
            }
            self.push(
                s + SHIFT_MS - round_to(early as f64, res),
                Event::Logout(i as u32),
            );
        }
    }

    fn close_ready(&mut self, a: u32, t: i64, sink: &mut dyn SimSink) {
        if let Status::Ready { since } = self.agents[a as usize].status
            && t > since
        {
            sink.agent_state(&StateRecord {
                agent: a,
                state: AgentState::Ready,
                start_ms: since,
                end_ms: t,
            });
        }
        let ag = &mut self.agents[a as usize];
        ag.epoch += 1;
        ag.status = Status::Busy;
    }

    fn logout(&mut self, a: u32, t: i64, sink: &mut dyn SimSink) {
        match self.agents[a as usize].status {
            Status::Ready { .. } => {
                let q = self.agents[a as usize].queue as usize;
                if matches!(self.cfg.staffing, Staffing::Constant { .. })
                    && !self.queues[q].waiting.is_empty()
                {
                    self.agents[a as usize].pending_logout = true;
                    return;
                }
                self.close_ready(a, t, sink);
                self.agents[a as usize].status = Status::Out;
            }
            Status::Out => {}
            Status::Busy | Status::Away { .. } => self.agents[a as usize].pending_logout = true,
        }
    }

    fn break_start(&mut self, a: u32, lunch: bool, len: i64, t: i64, sink: &mut dyn SimSink) {
        match self.agents[a as usize].status {
            Status::Ready { .. } => {
                self.close_ready(a, t, sink);
                self.go_away(a, lunch, len, t);
            }
            Status::Busy => self.agents[a as usize].pending_break = Some((lunch, len)),
            Status::Out | Status::Away { .. } => {}
        }
    }

    fn go_away(&mut self, a: u32, lunch: bool, len: i64, t: i64) {
        let late = if self.agent_rng.random_bool(0.3) {
            self.agent_rng.random_range(0..120_000)
        } else {
            0
        };
        let state = if lunch {
            AgentState::Lunch
        } else {
            AgentState::Break
        };
        self.agents[a as usize].status = Status::Away { state, since: t };
        let back = t + len + round_to(late as f64, self.cfg.resolution_ms);
        self.push(back, Event::BreakEnd(a));
    }

    /// Agent `a` has nothing to do at `t` (status Busy or Out): log out, take a pending
    /// break, answer the next waiting call, or become ready.
    fn available(&mut self, a: u32, t: i64, sink: &mut dyn SimSink) {
        let q = self.agents[a as usize].queue as usize;
        let constant = matches!(self.cfg.staffing, Staffing::Constant { .. });
        if self.agents[a as usize].pending_logout && !(constant && self.has_waiting(q)) {
            let ag = &mut self.agents[a as usize];
            ag.pending_logout = false;
            ag.pending_break = None;
            ag.status = Status::Out;
            return;
        }
        if let Some((lunch, len)) = self.agents[a as usize].pending_break.take() {
            self.go_away(a, lunch, len, t);
            return;
        }
        // The agent's own queue first; otherwise the longest-waiting call among the
        // other queues it is skilled for.
        let skills = self.agents[a as usize].skills;
        let mut best: Option<(i64, usize)> = None;
        let others = (0..self.queues.len()).filter(|&x| x != q && skills & (1 << x) != 0);
        let order: Vec<usize> = if self.has_waiting(q) {
            vec![q]
        } else {
            others.collect()
        };
        for sq in order {
            if self.has_waiting(sq) {
                let head = self.queues[sq].waiting[0];
                let at = self.slab[head as usize].arrived_ms;
                if best.is_none_or(|(b, _)| at < b) {
                    best = Some((at, sq));
                }
            }
        }
        if let Some((_, sq)) = best {
            let w = self.queues[sq]
                .waiting
                .pop_front()
                .expect("has_waiting saw a head");
            self.slab[w as usize].alive = false;
            self.waiting_total -= 1;
            let c = self.slab[w as usize];
            self.free.push(w);
            self.agents[a as usize].status = Status::Busy;
            self.answer(a, c.id, c.queue, c.arrived_ms, c.caller, t, sink);
            return;
        }
        let ag = &mut self.agents[a as usize];
        ag.status = Status::Ready { since: t };
        ag.epoch += 1;
        let epoch = ag.epoch;
        for sq in 0..self.queues.len() {
            if skills & (1 << sq) != 0 {
                self.queues[sq].ready.push_back((a, epoch));
            }
        }
    }

    fn has_waiting(&mut self, q: usize) -> bool {
        while let Some(&w) = self.queues[q].waiting.front() {
            if self.slab[w as usize].alive {
                return true;
            }
            self.queues[q].waiting.pop_front();
            self.free.push(w);
        }
        false
    }

    fn next_caller(&mut self) -> u64 {
        let rng = &mut self.arrival_rng;
        let n = self.recent_callers.len();
        if self.cfg.repeat_share > 0.0 && rng.random_bool(self.cfg.repeat_share) {
            let pick = self.recent_callers[rng.random_range(0..n)];
            if pick != u64::MAX {
                return pick;
            }
        }
        let c = self.next_caller;
        self.next_caller += 1;
        self.recent_callers[self.recent_pos] = c;
        self.recent_pos = (self.recent_pos + 1) % n;
        c
    }

    fn arrival(&mut self, idx: u32, t: i64, sink: &mut dyn SimSink) {
        let (q, _) = self.arrivals[idx as usize];
        self.free_arrivals.push(idx);
        let qi = q as usize;
        let id = self.next_call_id;
        self.next_call_id += 1;
        self.day_calls += 1;
        let caller = self.next_caller();
        let waiting = Waiting {
            id,
            queue: q,
            arrived_ms: t,
            caller,
            give_up: Outcome::Abandoned,
            alive: true,
        };
        if self.cfg.ivr_share > 0.0 && self.handle_rng.random_bool(self.cfg.ivr_share) {
            self.emit_unanswered(waiting, Outcome::Ivr, t, sink);
            return;
        }
        while self.trunk_releases.peek().is_some_and(|r| r.0 <= t) {
            self.trunk_releases.pop();
        }
        if let Some(trunks) = self.cfg.trunks
            && self.waiting_total as usize + self.trunk_releases.len() >= trunks as usize
        {
            self.emit_unanswered(waiting, Outcome::Blocked, t, sink);
            return;
        }
        // Longest-idle ready agent, skipping entries made stale by a state change.
        while let Some((a, epoch)) = self.queues[qi].ready.pop_front() {
            let ag = &self.agents[a as usize];
            if ag.epoch == epoch && matches!(ag.status, Status::Ready { .. }) {
                self.close_ready(a, t, sink);
                self.answer(a, id, q, t, caller, t, sink);
                return;
            }
        }
        let misdial = self.queues[qi].misdial_share > 0.0
            && self.handle_rng.random_bool(self.queues[qi].misdial_share);
        let res = self.cfg.resolution_ms;
        let patience = if misdial {
            Some(round_to(self.handle_rng.random_range(500.0..5000.0), res))
        } else {
            self.queues[qi]
                .patience
                .map(|p| p.sample_ms(&mut self.handle_rng, res))
        };
        let (deadline, give_up) = match (patience, self.queues[qi].max_wait_ms) {
            (Some(p), Some(m)) if p < m => (Some(p), Outcome::Abandoned),
            (Some(_), Some(m)) | (None, Some(m)) => (Some(m), Outcome::Timeout),
            (Some(p), None) => (Some(p), Outcome::Abandoned),
            (None, None) => (None, Outcome::Timeout),
        };
        let w = Waiting { give_up, ..waiting };
        let slot = match self.free.pop() {
            Some(s) => {
                self.slab[s as usize] = w;
                s
            }
            None => {
                self.slab.push(w);
                (self.slab.len() - 1) as u32
            }
        };
        self.queues[qi].waiting.push_back(slot);
        self.waiting_total += 1;
        if let Some(d) = deadline {
            self.push(t + d, Event::Deadline(slot, id));
        }
    }

    fn deadline(&mut self, w: u32, id: u64, t: i64, sink: &mut dyn SimSink) {
        let c = self.slab[w as usize];
        // A call already answered, or a slot since reused by a later call, is not this one.
        if !c.alive || c.id != id {
            return;
        }
        // The slot stays in its queue, marked dead, and is freed when the queue walk
        // drops it.
        self.slab[w as usize].alive = false;
        self.waiting_total -= 1;
        self.emit_unanswered(c, c.give_up, t, sink);
    }

    fn emit_unanswered(&mut self, c: Waiting, outcome: Outcome, t: i64, sink: &mut dyn SimSink) {
        sink.call(&CallRecord {
            id: c.id,
            queue: c.queue,
            arrived_ms: c.arrived_ms,
            outcome,
            wait_ms: t - c.arrived_ms,
            agent: None,
            talk_ms: 0,
            hold_ms: 0,
            acw_ms: 0,
            rings: 0,
            transferred: false,
            caller: c.caller,
        });
    }

    #[allow(clippy::too_many_arguments)]
    fn answer(
        &mut self,
        a: u32,
        id: u64,
        q: u16,
        arrived_ms: i64,
        caller: u64,
        t: i64,
        sink: &mut dyn SimSink,
    ) {
        let res = self.cfg.resolution_ms;
        let qr = &self.queues[q as usize];
        let rng = &mut self.handle_rng;
        let talk_ms = qr.talk.sample_ms(rng, res).max(res.min(1000));
        let hold_ms = if qr.hold_share > 0.0 && rng.random_bool(qr.hold_share) {
            qr.hold.sample_ms(rng, res)
        } else {
            0
        };
        let acw_ms = qr.acw.sample_ms(rng, res);
        let transferred = self.cfg.transfer_share > 0.0 && rng.random_bool(self.cfg.transfer_share);
        let rings = 1 + u32::from(rng.random_bool(0.5)) + u32::from(rng.random_bool(0.25));
        let record = CallRecord {
            id,
            queue: q,
            arrived_ms,
            outcome: Outcome::Answered,
            wait_ms: t - arrived_ms,
            agent: Some(a),
            talk_ms,
            hold_ms,
            acw_ms,
            rings,
            transferred,
            caller,
        };
        sink.call(&record);
        let mut at = t;
        for (state, len) in [
            (AgentState::Talk, talk_ms),
            (AgentState::Hold, hold_ms),
            (AgentState::Acw, acw_ms),
        ] {
            if len > 0 {
                sink.agent_state(&StateRecord {
                    agent: a,
                    state,
                    start_ms: at,
                    end_ms: at + len,
                });
                at += len;
            }
        }
        self.trunk_releases.push(Reverse(t + talk_ms + hold_ms));
        self.push(at, Event::AgentFree(a));
        if self.qa_prob > 0.0 && self.handle_rng.random_bool(self.qa_prob) {
            let delay = self.handle_rng.random_range(3_600_000..72 * 3_600_000);
            let score = (self.qa_score.sample(&mut self.handle_rng).clamp(0.0, 100.0) * 10.0)
                .round()
                / 10.0;
            sink.qa(&QaRecord {
                agent: a,
                evaluated_ms: round_to((at + delay) as f64, 1000),
                score,
                call: id,
            });
        }
        if self.cfg.side_tables {
            self.tickets.on_answered_call(&record, at, sink);
        }
    }
}

/// Builds the headcount: agents split over queues by share, shift starts chosen
/// greedily to cover each queue's average daily demand curve, days off staggered
/// (most agents off at the weekend), a few leavers each replaced by a new hire.
fn build_agents(cfg: &SimConfig, queues: &[QueueRuntime], rng: &mut ChaCha8Rng) -> Vec<Agent> {
    let blank = |queue: u16| Agent {
        queue,
        skills: 1 << queue,
        status: Status::Out,
        epoch: 0,
        pending_break: None,
        pending_logout: false,
        shift_start_ms: [0; 7],
        break_offset_ms: 0,
        lunch_offset_ms: 0,
        off_from: 5,
        hired_on: cfg.start_day - 365,
        left_on: None,
        full_time: true,
    };
    match &cfg.staffing {
        Staffing::Constant { per_queue } => per_queue
            .iter()
            .enumerate()
            .flat_map(|(q, &n)| (0..n).map(move |_| q as u16))
            .map(blank)
            .collect(),
        Staffing::Rostered { agents } => {
            let n = *agents as usize;
            // The desk is staffed around the clock: a night team answering every queue,
            // sized to the night's share of demand, at least two so that every night is
            // covered whatever the days off.
            let night_share: f64 = [22usize, 23, 0, 1, 2, 3, 4, 5, 6]
                .iter()
                .map(|&h| HOUR_WEIGHTS[h])
                .sum::<f64>()
                / HOUR_WEIGHTS.iter().sum::<f64>();
            let night = if n >= 8 {
                ((n as f64 * night_share * 1.5).ceil() as usize).max(3)
            } else {
                0
            };
            let all_queues = if queues.len() >= 64 {
                u64::MAX
            } else {
                (1u64 << queues.len()) - 1
            };
            // Teams sized by workload (share of calls × handle time), not by calls alone.
            let aht: Vec<f64> = cfg
                .queues
                .iter()
                .map(|q| q.talk.mean_s() + q.hold_share * q.hold.mean_s() + q.acw.mean_s())
                .collect();
            let workload: Vec<f64> = queues.iter().zip(&aht).map(|(r, a)| r.share * a).collect();
            let day_agents = n - night;
            let teams = team_sequence(day_agents, &workload);
            let mut out = Vec::with_capacity(n + 4);
            for k in 0..night {
                let mut agent = blank(0);
                agent.skills = all_queues;
                agent.shift_start_ms = [22 * 3_600_000; 7];
                agent.off_from = [0, 3, 5, 1, 4, 6, 2][k % 7];
                agent.break_offset_ms = (k as i64 % 2) * 900_000;
                agent.lunch_offset_ms = (k as i64 % 3) * 3_600_000;
                agent.hired_on = cfg.start_day - rng.random_range(30..5 * 365);
                out.push(agent);
            }
            // Days off first: weekday staffing follows weekday volume.
            let mut days_off = DaysOff::new(day_agents);
            for (k, &team) in teams.iter().enumerate() {
                let mut agent = blank(team as u16);
                // Blended agents: their own team's queue first, any other when idle.
                agent.skills = all_queues;
                agent.off_from = days_off.take();
                agent.break_offset_ms = (k as i64 % 2) * 900_000;
                agent.lunch_offset_ms = (k as i64 % 3) * 1_800_000;
                agent.hired_on = cfg.start_day - rng.random_range(30..5 * 365);
                agent.full_time = !rng.random_bool(0.1);
                out.push(agent);
            }
            // Then, for each weekday, the shift starts of those working it. Target staff
            // per half hour: the offered load a plus √a (square-root staffing, so quiet
            // hours keep a margin), scaled to the agents on duty; each agent in turn
            // takes the start that fills the most uncovered target, ties broken towards
            // the least covered hours.
            let hour_sum: f64 = HOUR_WEIGHTS.iter().sum();
            let load_e: f64 = workload.iter().sum::<f64>() * cfg.calls_per_day / 3600.0;
            let raw: Vec<f64> = (0..48)
                .map(|h| {
                    let a = load_e * HOUR_WEIGHTS[h / 2] / hour_sum;
                    a + a.sqrt()
                })
                .collect();
            let presence: f64 = SHIFT_PRESENCE.iter().sum();
            let works = |a: &Agent, dow: u32| dow != a.off_from && dow != (a.off_from + 1) % 7;
            for dow in 0..7u32 {
                let on: Vec<usize> = (night..out.len())
                    .filter(|&i| works(&out[i], dow))
                    .collect();
                let nights = (0..night).filter(|&i| works(&out[i], dow)).count();
                let scale = (on.len() + nights) as f64 * presence
                    / raw.iter().sum::<f64>().max(f64::MIN_POSITIVE);
                let target: Vec<f64> = raw.iter().map(|r| r * scale).collect();
                let mut cover = vec![0.0f64; 48];
                for (j, p) in SHIFT_PRESENCE.iter().enumerate() {
                    cover[(44 + j) % 48] += nights as f64 * p;
                }
                for i in on {
                    let gain = |s: usize| {
                        let deficit: f64 = (0..18)
                            .map(|j| {
                                SHIFT_PRESENCE[j]
                                    * (target[(s + j) % 48] - cover[(s + j) % 48]).max(0.0)
                            })
                            .sum();
                        let spread: f64 = (0..18)
                            .map(|j| {
                                SHIFT_PRESENCE[j] * target[(s + j) % 48]
                                    / (cover[(s + j) % 48] + 1.0)
                            })
                            .sum();
                        (deficit, spread)
                    };
                    let best = (0..48)
                        .max_by(|&a, &b| {
                            let (ga, gb) = (gain(a), gain(b));
                            ga.0.total_cmp(&gb.0)
                                .then(ga.1.total_cmp(&gb.1))
                                .then(b.cmp(&a))
                        })
                        .unwrap_or(16);
                    for (j, p) in SHIFT_PRESENCE.iter().enumerate() {
                        cover[(best + j) % 48] += p;
                    }
                    out[i].shift_start_ms[dow as usize] = best as i64 * 1_800_000;
                }
            }
            let leavers = ((n as f64) * 0.25 * f64::from(cfg.days) / 365.0).round() as usize;
            let leavers = if cfg.days >= 7 && n >= 4 {
                leavers.max(1)
            } else {
                leavers
            };
            for _ in 0..leavers.min(n) {
                let who = rng.random_range(0..n);
                if out[who].left_on.is_some() {
                    continue;
                }
                let lo = (cfg.days / 4).max(1);
                let hi = (3 * cfg.days / 4).max(lo + 1);
                let day = cfg.start_day + rng.random_range(lo..hi) as i32;
                out[who].left_on = Some(day);
                let mut hire = out[who].clone();
                hire.left_on = None;
                hire.hired_on = day;
                hire.full_time = true;
                out.push(hire);
            }
            out
        }
    }
}

/// Hands out pairs of consecutive days off so that each weekday keeps staff in
/// proportion to its volume (few off on Monday, most off at the weekend).
struct DaysOff {
    room: [f64; 7],
}

impl DaysOff {
    fn new(team: usize) -> Self {
        let total: f64 = WEEKDAY_WEIGHTS.iter().sum();
        let n = team as f64;
        // Staff on day d = 5n·w_d/Σw, so n − that are off; the offs sum to 2n.
        DaysOff {
            room: std::array::from_fn(|d| n - 5.0 * n * WEEKDAY_WEIGHTS[d] / total),
        }
    }

    fn take(&mut self) -> u32 {
        let d = (0..7)
            .max_by(|&a, &b| {
                let r = |x: usize| self.room[x] + self.room[(x + 1) % 7];
                r(a).total_cmp(&r(b)).then(b.cmp(&a))
            })
            .unwrap_or(5);
        self.room[d] -= 1.0;
        self.room[(d + 1) % 7] -= 1.0;
        d as u32
    }
}

/// Team of each of `n` agents, interleaved (a, b, a, c, a, b, …) with team sizes
/// proportional to `weights`, so that every shift pattern mixes the teams.
fn team_sequence(n: usize, weights: &[f64]) -> Vec<usize> {
    let counts = split_by_share(n, weights);
    let mut given = vec![0usize; counts.len()];
    (0..n)
        .map(|k| {
            // The team furthest behind its share at this point of the sequence.
            let t = (0..counts.len())
                .filter(|&t| given[t] < counts[t])
                .max_by(|&a, &b| {
                    let lag =
                        |t: usize| counts[t] as f64 * (k + 1) as f64 / n as f64 - given[t] as f64;
                    lag(a).total_cmp(&lag(b)).then(b.cmp(&a))
                })
                .unwrap_or(0);
            given[t] += 1;
            t
        })
        .collect()
}

/// Splits `n` into parts proportional to `shares` (largest remainder), each ≥ 1 when
/// `n` allows.
fn split_by_share(n: usize, shares: &[f64]) -> Vec<usize> {
    let total: f64 = shares.iter().sum::<f64>().max(f64::MIN_POSITIVE);
    let mut parts: Vec<usize> = shares
        .iter()
        .map(|s| ((s / total) * n as f64).floor() as usize)
        .collect();
    if n >= shares.len() {
        for p in parts.iter_mut() {
            *p = (*p).max(1);
        }
    }
    while parts.iter().sum::<usize>() > n {
        if let Some(m) = parts.iter_mut().max() {
            *m -= 1;
        }
    }
    let mut i = 0;
    while parts.iter().sum::<usize>() < n {
        let len = parts.len();
        parts[i % len] += 1;
        i += 1;
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_gives_everyone_a_team() {
        assert_eq!(
            split_by_share(30, &[0.45, 0.35, 0.2]).iter().sum::<usize>(),
            30
        );
        assert!(
            split_by_share(3, &[0.98, 0.01, 0.01])
                .iter()
                .all(|&p| p == 1)
        );
    }
}
