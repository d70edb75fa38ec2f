//! Staffing: the fewest agents (or lines) meeting every target, and positions.
//!
//! Inputs are validated once ([`StaffingRequest::new`]); after that nothing fails.
//! The search starts at a bound that can never exceed the answer and walks up one
//! agent at a time, updating Erlang B by one recursion step and the service-level
//! exponential by one multiplication, so a step costs a few nanoseconds:
//!
//! * Erlang C: from `max(⌊A⌋ + 1, ⌈A / max occupancy⌉)` (a stable queue needs `n > A`,
//!   and occupancy `A/n` must not exceed its cap), both computed exactly.
//! * Erlang A: from `⌊target·A⌋` and `⌊A·(1 − max abandon)⌋`: an agent carries at
//!   most one Erlang, so the answered share — an upper bound on the service level and
//!   `1 −` the abandon rate — is at most `n/A`. Fewer agents than the load can do.
//! * Erlang B: from `⌊A·(1 − max blocking)⌋`, by the same argument.

use super::exact::{Decimal, Ratio, positions};
use super::models::{BlockingRecursion, erlang_a_from_b, erlang_c_from_b};
use thiserror::Error;

/// Why a staffing request was refused.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum StaffingError {
    /// Calls negative or not a number.
    #[error("calls must be a number ≥ 0 (got {0})")]
    Calls(f64),
    /// Handle time not positive.
    #[error("average handle time must be more than 0 seconds (got {0})")]
    HandleTime(f64),
    /// Interval not positive.
    #[error("the interval must be more than 0 minutes (got {0})")]
    Interval(f64),
    /// Service-level fraction outside (0, 1).
    #[error("the service-level target must be between 0 and 1, e.g. 0.8 for 80 % (got {0})")]
    ServiceTarget(f64),
    /// Threshold negative.
    #[error("the service-level threshold must be ≥ 0 seconds (got {0})")]
    ServiceSeconds(f64),
    /// Patience not positive.
    #[error("mean patience must be more than 0 seconds (got {0})")]
    Patience(f64),
    /// Erlang A without patience.
    #[error("Erlang A needs the callers' mean patience (--patience SECONDS)")]
    MissingPatience,
    /// Shrinkage outside [0, 1).
    #[error("shrinkage must be from 0 up to (not including) 1, e.g. 0.3 for 30 % (got {0})")]
    Shrinkage(f64),
    /// Occupancy cap outside (0, 1].
    #[error("the occupancy cap must be above 0 and at most 1 (got {0})")]
    Occupancy(f64),
    /// Abandonment cap outside (0, 1).
    #[error("the abandonment cap must be between 0 and 1 (got {0})")]
    Abandon(f64),
    /// ASA cap not positive.
    #[error("the ASA cap must be more than 0 seconds (got {0})")]
    Asa(f64),
    /// Blocking target outside (0, 1).
    #[error("the blocking target must be between 0 and 1, e.g. 0.01 (got {0})")]
    Blocking(f64),
    /// A model without the target it needs.
    #[error("{0}")]
    MissingTarget(&'static str),
}

/// Offered traffic of one interval: `A = calls × AHT / interval` Erlangs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Traffic {
    calls: f64,
    aht_s: f64,
    interval_s: f64,
    erlangs: f64,
    exact: Option<Ratio>,
}

impl Traffic {
    /// Validates and builds the traffic of `calls` calls of mean handle time `aht_s`
    /// seconds in an interval of `interval_minutes` minutes.
    pub fn new(calls: f64, aht_s: f64, interval_minutes: f64) -> Result<Traffic, StaffingError> {
        if !(calls.is_finite() && calls >= 0.0) {
            return Err(StaffingError::Calls(calls));
        }
        if !(aht_s.is_finite() && aht_s > 0.0) {
            return Err(StaffingError::HandleTime(aht_s));
        }
        if !(interval_minutes.is_finite() && interval_minutes > 0.0) {
            return Err(StaffingError::Interval(interval_minutes));
        }
        let interval_s = interval_minutes * 60.0;
        let exact = match (
            Decimal::from_f64(calls),
            Decimal::from_f64(aht_s),
            Decimal::from_f64(interval_s),
        ) {
            (Some(c), Some(h), Some(i)) => Ratio::product_over(c, h, i),
            _ => None,
        };
        Ok(Traffic {
            calls,
            aht_s,
            interval_s,
            erlangs: calls * aht_s / interval_s,
            exact,
        })
    }

    /// The offered load in Erlangs.
    pub fn erlangs(&self) -> f64 {
        self.erlangs
    }

    /// Mean handle time, seconds.
    pub fn aht_s(&self) -> f64 {
        self.aht_s
    }

    /// Calls in the interval.
    pub fn calls(&self) -> f64 {
        self.calls
    }

    /// Interval length, seconds.
    pub fn interval_s(&self) -> f64 {
        self.interval_s
    }

    /// ⌊A⌋, exactly.
    fn floor(&self) -> u64 {
        match self.exact {
            Some(r) => r.floor() as u64,
            None => self.erlangs.floor() as u64,
        }
    }

    /// ⌈A / cap⌉, exactly.
    fn ceil_over(&self, cap: f64) -> u64 {
        if let (Some(r), Some(d)) = (self.exact, Decimal::from_f64(cap))
            && let Some(n) = r.ceil_div_decimal(d)
        {
            return n as u64;
        }
        // Fallback for unwieldy inputs: float with a relative guard against 1 ulp noise.
        let x = self.erlangs / cap;
        let c = x.ceil();
        if c - x > 1.0 - 1e-9 * x.max(1.0) {
            c - 1.0
        } else {
            c
        }
        .max(0.0) as u64
    }
}

/// The queueing model.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Model {
    /// Lines/trunks for a blocking target (callers who find all busy are lost).
    ErlangB,
    /// Agents; callers wait as long as it takes.
    ErlangC,
    /// Agents; callers hang up after an exponential patience of this mean (seconds).
    ErlangA {
        /// Mean patience, seconds.
        patience_s: f64,
    },
}

impl Model {
    /// `erlang-b`, `erlang-c`, `erlang-a`.
    pub fn name(&self) -> &'static str {
        match self {
            Model::ErlangB => "erlang-b",
            Model::ErlangC => "erlang-c",
            Model::ErlangA { .. } => "erlang-a",
        }
    }
}

/// The targets a staffing answer must meet; `None` means "no such target".
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Targets {
    /// Fraction of calls answered within `sl_seconds` (Erlang A: of all callers).
    pub service_level: Option<f64>,
    /// The service-level threshold, seconds.
    pub sl_seconds: f64,
    /// Cap on the average speed of answer, seconds.
    pub max_asa_s: Option<f64>,
    /// Cap on the abandon rate (Erlang A).
    pub max_abandon: Option<f64>,
    /// Cap on occupancy.
    pub max_occupancy: Option<f64>,
    /// Cap on blocking (Erlang B).
    pub max_blocking: Option<f64>,
}

/// A validated staffing question for one interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StaffingRequest {
    traffic: Traffic,
    model: Model,
    targets: Targets,
    shrinkage: f64,
    /// ⌈A / max occupancy⌉, exactly, when there is a cap.
    agents_for_occupancy: Option<u64>,
    /// The shrinkage as the decimal the user wrote, for exact positions.
    shrinkage_decimal: Option<Decimal>,
}

/// The measures of a given number of agents.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Metrics {
    /// Agents (lines for Erlang B).
    pub agents: u64,
    /// Service level (Erlang C: P(wait ≤ t); Erlang A: answered within t over all
    /// callers); `None` for Erlang B.
    pub service_level: Option<f64>,
    /// Probability of waiting; `None` for Erlang B.
    pub probability_of_waiting: Option<f64>,
    /// ASA: mean wait of answered calls, seconds; `None` for Erlang B or an unstable
    /// Erlang C queue (infinite).
    pub asa_s: Option<f64>,
    /// Mean wait of every caller including abandoners (Erlang A only).
    pub wait_all_s: Option<f64>,
    /// Abandon rate (Erlang A only).
    pub abandon_rate: Option<f64>,
    /// Blocking probability (Erlang B only).
    pub blocking: Option<f64>,
    /// Occupancy.
    pub occupancy: f64,
}

/// Which target decided the answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Binding {
    /// No calls: nothing needed.
    NoLoad,
    /// The queue must be stable (Erlang C: more agents than Erlangs).
    Stability,
    /// The service-level target.
    ServiceLevel,
    /// The ASA cap.
    Asa,
    /// The abandonment cap.
    Abandonment,
    /// The occupancy cap.
    Occupancy,
    /// The blocking target.
    Blocking,
}

impl Binding {
    /// The word used in outputs.
    pub fn as_str(self) -> &'static str {
        match self {
            Binding::NoLoad => "no_load",
            Binding::Stability => "stability",
            Binding::ServiceLevel => "service_level",
            Binding::Asa => "asa",
            Binding::Abandonment => "abandonment",
            Binding::Occupancy => "occupancy",
            Binding::Blocking => "blocking",
        }
    }
}

/// A staffing answer.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Staffing {
    /// The fewest agents meeting every target, and their measures.
    pub metrics: Metrics,
    /// Agents ÷ (1 − shrinkage), rounded up exactly.
    pub positions: u64,
    /// The target that fails with one agent fewer.
    pub binding: Binding,
}

/// Requests whose recursions run interleaved in [`StaffingRequest::solve_many`].
const LANES: usize = 8;

/// Tolerance on probability/time targets: a value within 1e-12 of its target meets
/// it (float noise, not a real shortfall).
const SLACK: f64 = 1e-12;

impl StaffingRequest {
    /// Validates a request. Erlang B needs `max_blocking`; Erlang C and A need a
    /// service-level target or an ASA, abandonment or occupancy cap.
    pub fn new(
        traffic: Traffic,
        model: Model,
        targets: Targets,
        shrinkage: f64,
    ) -> Result<Self, StaffingError> {
        if let Some(t) = targets.service_level
            && !(t > 0.0 && t < 1.0)
        {
            return Err(StaffingError::ServiceTarget(t));
        }
        if !(targets.sl_seconds.is_finite() && targets.sl_seconds >= 0.0) {
            return Err(StaffingError::ServiceSeconds(targets.sl_seconds));
        }
        if let Model::ErlangA { patience_s } = model
            && !(patience_s.is_finite() && patience_s > 0.0)
        {
            return Err(StaffingError::Patience(patience_s));
        }
        if !(shrinkage.is_finite() && (0.0..1.0).contains(&shrinkage)) {
            return Err(StaffingError::Shrinkage(shrinkage));
        }
        if let Some(o) = targets.max_occupancy
            && !(o > 0.0 && o <= 1.0)
        {
            return Err(StaffingError::Occupancy(o));
        }
        if let Some(a) = targets.max_abandon
            && !(a > 0.0 && a < 1.0)
        {
            return Err(StaffingError::Abandon(a));
        }
        if let Some(a) = targets.max_asa_s
            && !(a.is_finite() && a > 0.0)
        {
            return Err(StaffingError::Asa(a));
        }
        if let Some(b) = targets.max_blocking
            && !(b > 0.0 && b < 1.0)
        {
            return Err(StaffingError::Blocking(b));
        }
        match model {
            Model::ErlangB if targets.max_blocking.is_none() => {
                return Err(StaffingError::MissingTarget(
                    "Erlang B sizes lines for a blocking target: give --max-blocking, e.g. 0.01",
                ));
            }
            Model::ErlangC | Model::ErlangA { .. }
                if targets.service_level.is_none()
                    && targets.max_asa_s.is_none()
                    && targets.max_abandon.is_none()
                    && targets.max_occupancy.is_none() =>
            {
                return Err(StaffingError::MissingTarget(
                    "give a service-level target (--sl-target and --sl-seconds) or an ASA, abandonment or occupancy cap",
                ));
            }
            _ => {}
        }
        Ok(StaffingRequest {
            traffic,
            model,
            targets,
            shrinkage,
            agents_for_occupancy: targets.max_occupancy.map(|cap| traffic.ceil_over(cap)),
            shrinkage_decimal: Decimal::from_f64(shrinkage),
        })
    }

    /// The traffic.
    pub fn traffic(&self) -> &Traffic {
        &self.traffic
    }

    /// The model.
    pub fn model(&self) -> Model {
        self.model
    }

    /// The targets.
    pub fn targets(&self) -> &Targets {
        &self.targets
    }

    /// The measures of exactly `n` agents.
    pub fn evaluate(&self, n: u64) -> Metrics {
        let a = self.traffic.erlangs;
        let b = if a > 0.0 {
            BlockingRecursion::at(n, a).blocking()
        } else if n == 0 {
            1.0
        } else {
            0.0
        };
        self.metrics_with_b(n, b)
    }

    fn metrics_with_b(&self, n: u64, b: f64) -> Metrics {
        let a = self.traffic.erlangs;
        let aht = self.traffic.aht_s;
        let t = self.targets.sl_seconds;
        let none = Metrics {
            agents: n,
            service_level: None,
            probability_of_waiting: None,
            asa_s: None,
            wait_all_s: None,
            abandon_rate: None,
            blocking: None,
            occupancy: 0.0,
        };
        if a <= 0.0 {
            return match self.model {
                Model::ErlangB => Metrics {
                    blocking: Some(0.0),
                    ..none
                },
                Model::ErlangC => Metrics {
                    service_level: Some(1.0),
                    probability_of_waiting: Some(0.0),
                    asa_s: Some(0.0),
                    ..none
                },
                Model::ErlangA { .. } => Metrics {
                    service_level: Some(1.0),
                    probability_of_waiting: Some(0.0),
                    asa_s: Some(0.0),
                    wait_all_s: Some(0.0),
                    abandon_rate: Some(0.0),
                    ..none
                },
            };
        }
        match self.model {
            Model::ErlangB => Metrics {
                blocking: Some(b),
                occupancy: if n > 0 { a * (1.0 - b) / n as f64 } else { 0.0 },
                ..none
            },
            Model::ErlangC => {
                if !self.stable(n) {
                    return Metrics {
                        service_level: Some(0.0),
                        probability_of_waiting: Some(1.0),
                        occupancy: if n > 0 { (a / n as f64).min(1.0) } else { 1.0 },
                        ..none
                    };
                }
                let c = erlang_c_from_b(n as f64, a, b, aht, t);
                Metrics {
                    service_level: Some(c.service_level),
                    probability_of_waiting: Some(c.probability_of_waiting),
                    asa_s: c.asa_s,
                    occupancy: c.occupancy,
                    ..none
                }
            }
            Model::ErlangA { patience_s } => {
                let e = erlang_a_from_b(n, a, b, aht, patience_s, t);
                Metrics {
                    service_level: Some(e.service_level),
                    probability_of_waiting: Some(e.probability_of_waiting),
                    asa_s: Some(e.asa_s),
                    wait_all_s: Some(e.wait_all_s),
                    abandon_rate: Some(e.abandon_rate),
                    occupancy: e.occupancy,
                    ..none
                }
            }
        }
    }

    fn stable(&self, n: u64) -> bool {
        match self.traffic.exact {
            Some(r) => r.below(u128::from(n)),
            None => n as f64 > self.traffic.erlangs,
        }
    }

    /// The first target `m` fails, in the order service level, ASA, abandonment,
    /// occupancy, blocking, then stability (an unstable queue fails the service
    /// level already, which is the target to report); `None` when all are met.
    pub fn failed_target(&self, m: &Metrics) -> Option<Binding> {
        let tg = &self.targets;
        if let Some(t) = tg.service_level
            && m.service_level.is_some_and(|s| s < t - SLACK)
        {
            return Some(Binding::ServiceLevel);
        }
        if let Some(cap) = tg.max_asa_s
            && m.asa_s.is_none_or(|x| x > cap * (1.0 + SLACK))
            && self.model != Model::ErlangB
        {
            return Some(Binding::Asa);
        }
        if let Some(cap) = tg.max_abandon
            && m.abandon_rate.is_some_and(|x| x > cap + SLACK)
        {
            return Some(Binding::Abandonment);
        }
        if let Some(cap) = tg.max_occupancy {
            let over = match (self.model, self.traffic.exact) {
                // A/n ≤ cap exactly, as n ≥ ⌈A/cap⌉.
                (Model::ErlangC, Some(_)) => m.agents < self.agents_for_occupancy.unwrap_or(0),
                _ => m.occupancy > cap + SLACK,
            };
            if over && self.model != Model::ErlangB {
                return Some(Binding::Occupancy);
            }
        }
        if let Some(cap) = tg.max_blocking
            && m.blocking.is_some_and(|x| x > cap + SLACK)
        {
            return Some(Binding::Blocking);
        }
        if self.model == Model::ErlangC && !self.stable(m.agents) && self.traffic.erlangs > 0.0 {
            return Some(Binding::Stability);
        }
        None
    }

    /// The fewest agents meeting every target.
    pub fn solve(&self) -> Staffing {
        match self.start() {
            None => self.no_load(),
            Some(start) => self.walk(BlockingRecursion::at(start, self.traffic.erlangs)),
        }
    }

    /// [`StaffingRequest::solve`] for many requests at once: the Erlang B recursions
    /// of up to eight requests run interleaved, so the CPU overlaps their dependency
    /// chains (about four times the throughput of one by one). Same answers.
    pub fn solve_many(requests: &[StaffingRequest]) -> Vec<Staffing> {
        let mut out = Vec::with_capacity(requests.len());
        for chunk in requests.chunks(LANES) {
            let mut starts = [None; LANES];
            let mut loads = [0.0; LANES];
            for (i, r) in chunk.iter().enumerate() {
                starts[i] = r.start();
                loads[i] = r.traffic.erlangs;
            }
            let (starts, loads) = (&starts[..chunk.len()], &loads[..chunk.len()]);
            let recs: [BlockingRecursion; LANES] = super::models::blocking_lanes(loads, starts);
            for ((req, start), rec) in chunk.iter().zip(starts).zip(recs) {
                out.push(match start {
                    None => req.no_load(),
                    Some(_) => req.walk(rec),
                });
            }
        }
        out
    }

    fn no_load(&self) -> Staffing {
        Staffing {
            metrics: self.metrics_with_b(0, 1.0),
            positions: 0,
            binding: Binding::NoLoad,
        }
    }

    /// Where the search starts: a number of agents that cannot exceed the answer
    /// (see the module doc); `None` when there is no load.
    fn start(&self) -> Option<u64> {
        let a = self.traffic.erlangs;
        if a <= 0.0 {
            return None;
        }
        let tg = &self.targets;
        Some(match self.model {
            Model::ErlangC => {
                let mut n = self.traffic.floor() + 1;
                if let Some(n_occ) = self.agents_for_occupancy {
                    n = n.max(n_occ);
                }
                n
            }
            Model::ErlangA { .. } => {
                let mut n = 0u64;
                if let Some(t) = tg.service_level {
                    n = n.max((t * a).floor() as u64);
                }
                if let Some(cap) = tg.max_abandon {
                    n = n.max((a * (1.0 - cap)).floor() as u64);
                }
                n.saturating_sub(1).max(1)
            }
            Model::ErlangB => {
                ((a * (1.0 - tg.max_blocking.unwrap_or(0.0))).floor() as u64).saturating_sub(1)
            }
        })
    }

    /// Walks up from the recursion's position to the first agent count meeting
    /// every target.
    fn walk(&self, mut rec: BlockingRecursion) -> Staffing {
        if let Model::ErlangA { .. } = self.model {
            return self.gallop(rec.k);
        }
        let a = self.traffic.erlangs;
        let start = rec.k;
        // Walk up; an unreachable cap keeps the loop finite (targets are validated,
        // so every model meets them a few √A above A).
        let limit = start + 64 + (a + 100.0 * a.sqrt()) as u64 * 2;
        let mut binding = Binding::Stability;
        let mut metrics = self.metrics_with_b(rec.k, rec.blocking());
        while rec.k < limit {
            match self.failed_target(&metrics) {
                None => break,
                Some(b) => binding = b,
            }
            rec.step();
            metrics = self.metrics_with_b(rec.k, rec.blocking());
        }
        if metrics.agents == start {
            // Met at the bound itself: the bound's own constraint is the binding one.
            // B(start − 1) is usually known from the last recursion step.
            let below = match start.checked_sub(1) {
                Some(k) if rec.previous.is_finite() => self.metrics_with_b(k, 1.0 / rec.previous),
                Some(k) => self.evaluate(k),
                None => self.evaluate(0),
            };
            binding = self.failed_target(&below).unwrap_or(binding);
        }
        Staffing {
            metrics,
            positions: self.positions(metrics.agents),
            binding,
        }
    }

    /// Erlang A: each evaluation sums a series, so instead of stepping one agent at a
    /// time, probe `start + 1, + 2, + 4, …` until the targets are met, then bisect
    /// (every target is monotone in the agents). About 2·log₂(distance) evaluations.
    fn gallop(&self, start: u64) -> Staffing {
        let fails = |n: u64| self.failed_target(&self.evaluate(n));
        let mut lo = start; // the highest count known to fail (or the bound itself)
        let met_at_start = fails(start).is_none();
        let mut hi = start;
        if !met_at_start {
            let mut step = 1u64;
            // Validated targets are met within a few √A above A; the cap only keeps
            // the loop finite.
            let cap = start + 16 + (self.traffic.erlangs * 4.0 + 1e4) as u64;
            loop {
                hi = (lo + step).min(cap);
                if fails(hi).is_none() || hi == cap {
                    break;
                }
                lo = hi;
                step = step.saturating_mul(2);
            }
            // Invariant: fails(lo), meets(hi).
            while hi - lo > 1 {
                let mid = lo + (hi - lo) / 2;
                if fails(mid).is_none() {
                    hi = mid;
                } else {
                    lo = mid;
                }
            }
        }
        let metrics = self.evaluate(hi);
        let binding = hi
            .checked_sub(1)
            .and_then(|below| self.failed_target(&self.evaluate(below)))
            .unwrap_or(Binding::ServiceLevel);
        Staffing {
            metrics,
            positions: self.positions(hi),
            binding,
        }
    }

    /// The fractional number of agents (continuous Erlang B/C) at which the binding
    /// target is met exactly: the smallest real `x` in `(n − 1, n]` meeting every
    /// target, found by bisection to 1e-9 agents. For adding up the needs of several
    /// queues before rounding once. `None` for Erlang A (no continuous form here).
    pub fn solve_fractional(&self) -> Option<f64> {
        let n = self.solve().metrics.agents;
        if n == 0 {
            return Some(0.0);
        }
        let a = self.traffic.erlangs;
        let t = self.targets.sl_seconds;
        let aht = self.traffic.aht_s;
        let meets = |x: f64| -> bool {
            match self.model {
                Model::ErlangA { .. } => true,
                Model::ErlangB => self
                    .targets
                    .max_blocking
                    .is_none_or(|cap| super::models::erlang_b_continuous(x, a) <= cap + SLACK),
                Model::ErlangC => {
                    if x <= a {
                        return false;
                    }
                    let c = super::models::erlang_c(x, a, aht, t);
                    let tg = &self.targets;
                    tg.service_level
                        .is_none_or(|s| c.service_level >= s - SLACK)
                        && tg
                            .max_asa_s
                            .is_none_or(|cap| c.asa_s.is_some_and(|v| v <= cap * (1.0 + SLACK)))
                        && tg.max_occupancy.is_none_or(|cap| a / x <= cap + SLACK)
                }
            }
        };
        if matches!(self.model, Model::ErlangA { .. }) {
            return None;
        }
        let (mut lo, mut hi) = ((n - 1) as f64, n as f64);
        for _ in 0..40 {
            let mid = 0.5 * (lo + hi);
            if meets(mid) { hi = mid } else { lo = mid }
        }
        Some(hi)
    }

    /// `agents / (1 − shrinkage)` rounded up, exactly.
    pub fn positions(&self, agents: u64) -> u64 {
        match self.shrinkage_decimal.and_then(|s| positions(agents, s)) {
            Some(p) => p,
            None => {
                let x = agents as f64 / (1.0 - self.shrinkage);
                let c = x.ceil();
                (if c - x > 1.0 - 1e-9 * x.max(1.0) {
                    c - 1.0
                } else {
                    c
                }) as u64
            }
        }
    }
}
