//! Simulation settings: the centre's queues, staffing, arrival shape and behaviours.

use rand::Rng;
use rand_distr::{Distribution, Exp, LogNormal};

/// A duration distribution, in seconds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum DurationDist {
    /// Always zero.
    Zero,
    /// Exponential with the given mean.
    Exponential {
        /// Mean in seconds.
        mean_s: f64,
    },
    /// Log-normal with the given mean and coefficient of variation (sd ÷ mean).
    LogNormal {
        /// Mean in seconds.
        mean_s: f64,
        /// Coefficient of variation.
        cv: f64,
    },
}

impl DurationDist {
    /// The distribution's mean in seconds.
    pub fn mean_s(&self) -> f64 {
        match *self {
            DurationDist::Zero => 0.0,
            DurationDist::Exponential { mean_s } | DurationDist::LogNormal { mean_s, .. } => mean_s,
        }
    }

    pub(crate) fn sampler(&self) -> Sampler {
        match *self {
            DurationDist::Zero => Sampler::Zero,
            DurationDist::Exponential { mean_s } if mean_s > 0.0 => {
                Sampler::Exp(Exp::new(1.0 / mean_s).expect("rate of a positive mean is valid"))
            }
            DurationDist::LogNormal { mean_s, cv } if mean_s > 0.0 => {
                // For X ~ LogNormal(mu, sigma): E[X] = exp(mu + sigma²/2), CV² = exp(sigma²) − 1.
                let sigma2 = (1.0 + cv.max(0.0).powi(2)).ln();
                let mu = mean_s.ln() - sigma2 / 2.0;
                Sampler::LogNormal(LogNormal::new(mu, sigma2.sqrt()).expect("finite parameters"))
            }
            _ => Sampler::Zero,
        }
    }
}

#[derive(Debug, Clone, Copy)]
pub(crate) enum Sampler {
    Zero,
    Exp(Exp<f64>),
    LogNormal(LogNormal<f64>),
}

impl Sampler {
    /// A sample in ms, rounded to `resolution_ms`.
    pub(crate) fn sample_ms<R: Rng>(&self, rng: &mut R, resolution_ms: i64) -> i64 {
        let s = match self {
            Sampler::Zero => return 0,
            Sampler::Exp(d) => d.sample(rng),
            Sampler::LogNormal(d) => d.sample(rng),
        };
        round_to(s * 1000.0, resolution_ms)
    }
}

pub(crate) fn round_to(ms: f64, resolution_ms: i64) -> i64 {
    let r = resolution_ms.max(1) as f64;
    ((ms / r).round() * r).min(1e15) as i64
}

/// One queue (skill) of the centre and the team that answers it.
#[derive(Debug, Clone, PartialEq)]
pub struct QueueConfig {
    /// Queue name as it appears in `calls.queue`.
    pub name: String,
    /// Share of the centre's calls (shares are normalised).
    pub share: f64,
    /// Talk time (hold excluded).
    pub talk: DurationDist,
    /// Fraction of answered calls put on hold.
    pub hold_share: f64,
    /// Hold time of calls put on hold.
    pub hold: DurationDist,
    /// After-call work.
    pub acw: DurationDist,
    /// Caller patience; `None` means callers never hang up.
    pub patience: Option<DurationDist>,
    /// Longest wait before the queue sends the caller away (`timeout`); `None`: never.
    pub max_wait_s: Option<f64>,
    /// Fraction of calls that are misdials, hanging up within 5 s if not answered.
    pub misdial_share: f64,
}

/// How the arrival rate varies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArrivalProfile {
    /// A constant rate, day and night, every day (for checks against queueing theory).
    Flat,
    /// A weekday × time-of-day shape: quiet nights, morning and afternoon peaks,
    /// a lunch dip, Mondays busiest, weekends quiet.
    Realistic,
}

/// How agents are staffed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Staffing {
    /// Agents work generated 9-hour shifts (with breaks and lunch), five days a week,
    /// with late starts, late returns from breaks, absences and leavers.
    Rostered {
        /// Headcount at the start (leavers are replaced).
        agents: u32,
    },
    /// A fixed number of agents per queue, always logged in and ready between calls
    /// (for checks against queueing theory).
    Constant {
        /// Agents per queue, in queue order.
        per_queue: Vec<u32>,
    },
}

/// Everything the simulator needs. [`SimConfig::realistic`] gives sensible defaults.
#[derive(Debug, Clone, PartialEq)]
pub struct SimConfig {
    /// First day simulated, as days since 1970-01-01 (UTC midnight).
    pub start_day: i32,
    /// Number of days.
    pub days: u32,
    /// The queues.
    pub queues: Vec<QueueConfig>,
    /// Staffing model.
    pub staffing: Staffing,
    /// Mean calls per day over the whole period (all queues).
    pub calls_per_day: f64,
    /// Arrival shape.
    pub profile: ArrivalProfile,
    /// Seed: the same seed and settings give the same output, byte for byte.
    pub seed: u64,
    /// Most calls in the system at once (waiting or talking); more are blocked.
    pub trunks: Option<u32>,
    /// Fraction of calls fully handled by the IVR.
    pub ivr_share: f64,
    /// Fraction of answered calls transferred.
    pub transfer_share: f64,
    /// Probability that a caller calls again within a few days.
    pub repeat_share: f64,
    /// Durations and arrival times are rounded to this many ms (1000: whole seconds, as
    /// ACDs record them; 1: effectively continuous).
    pub resolution_ms: i64,
    /// Whether to generate QA, costs and tickets.
    pub side_tables: bool,
    /// Fraction of ticket deadlines missed on purpose (per rule).
    pub ticket_late_share: f64,
}

/// The default queue names, in order.
pub const QUEUE_NAMES: [&str; 6] = [
    "sales",
    "support",
    "repairs",
    "billing",
    "complaints",
    "general",
];

impl SimConfig {
    /// A realistic centre: `queues` queues (1–6), `agents` agents, `calls_per_day` calls
    /// a day (`None`: sized for about 80 % occupancy of the rostered agents).
    pub fn realistic(
        start_day: i32,
        days: u32,
        queues: usize,
        agents: u32,
        calls_per_day: Option<f64>,
        seed: u64,
    ) -> Self {
        let n = queues.clamp(1, QUEUE_NAMES.len());
        let base_shares = [0.45, 0.30, 0.15, 0.06, 0.03, 0.01];
        let queues: Vec<QueueConfig> = (0..n)
            .map(|i| QueueConfig {
                name: QUEUE_NAMES[i].to_owned(),
                share: base_shares[i],
                talk: DurationDist::LogNormal {
                    mean_s: [240.0, 330.0, 280.0, 200.0, 420.0, 180.0][i],
                    cv: 0.8,
                },
                hold_share: 0.25,
                hold: DurationDist::LogNormal {
                    mean_s: 45.0,
                    cv: 0.7,
                },
                acw: DurationDist::LogNormal {
                    mean_s: 40.0,
                    cv: 0.6,
                },
                patience: Some(DurationDist::Exponential { mean_s: 180.0 }),
                max_wait_s: Some(300.0),
                misdial_share: 0.01,
            })
            .collect();
        let mut cfg = SimConfig {
            start_day,
            days,
            queues,
            staffing: Staffing::Rostered { agents },
            calls_per_day: 0.0,
            profile: ArrivalProfile::Realistic,
            seed,
            trunks: Some((f64::from(agents) * 0.5).ceil() as u32 + 4),
            ivr_share: 0.06,
            transfer_share: 0.03,
            repeat_share: 0.12,
            resolution_ms: 1000,
            side_tables: true,
            ticket_late_share: 0.08,
        };
        cfg.calls_per_day = calls_per_day.unwrap_or_else(|| cfg.sized_calls_per_day());
        cfg
    }

    /// The expected arrivals (the Poisson mean) of queue `queue` (an index into
    /// `queues`) in 15-minute slot `slot`, counted from the start of the first day:
    /// what the simulator draws from, so a forecast can be judged against the truth.
    /// Before the IVR and the trunks: offered calls are `(1 − ivr_share)` of it
    /// when nothing is blocked.
    pub fn arrival_mean(&self, queue: usize, slot: i64) -> f64 {
        use super::engine::{HOUR_WEIGHTS, SLOTS_PER_DAY, WEEKDAY_WEIGHTS};
        let Some(q) = self.queues.get(queue) else {
            return 0.0;
        };
        let total_share: f64 = self.queues.iter().map(|q| q.share.max(0.0)).sum();
        if total_share <= 0.0 {
            return 0.0;
        }
        let weight = match self.profile {
            ArrivalProfile::Flat => 1.0 / SLOTS_PER_DAY as f64,
            ArrivalProfile::Realistic => {
                let day = self.start_day + slot.div_euclid(SLOTS_PER_DAY) as i32;
                let dow = usize::from(crate::time::weekday(day));
                let hour = (slot.rem_euclid(SLOTS_PER_DAY) / 4) as usize;
                let hour_sum: f64 = HOUR_WEIGHTS.iter().sum();
                let week_mean: f64 = WEEKDAY_WEIGHTS.iter().sum::<f64>() / 7.0;
                WEEKDAY_WEIGHTS[dow] / week_mean * HOUR_WEIGHTS[hour] / hour_sum / 4.0
            }
        };
        self.calls_per_day * weight * (q.share.max(0.0) / total_share)
    }

    /// Calls a day the rostered agents can take at a realistic occupancy (about 65–75 %
    /// over the logged-in day: peaks run hotter than nights).
    pub fn sized_calls_per_day(&self) -> f64 {
        let agents = match &self.staffing {
            Staffing::Rostered { agents } => f64::from(*agents),
            Staffing::Constant { per_queue } => per_queue.iter().map(|&a| f64::from(a)).sum(),
        };
        let total_share: f64 = self.queues.iter().map(|q| q.share).sum();
        let aht: f64 = self
            .queues
            .iter()
            .map(|q| {
                (q.talk.mean_s() + q.hold_share * q.hold.mean_s() + q.acw.mean_s()) * q.share
                    / total_share
            })
            .sum();
        // 5 of 7 days, 7.5 logged-in hours a day, 58 % occupancy on average, ~85 % of calls reach agents.
        (agents * 5.0 / 7.0 * 7.5 * 3600.0 * 0.58 / aht.max(1.0) / 0.85).round()
    }

    /// An M/M/c check configuration: one queue, constant Poisson arrivals at
    /// `calls_per_hour`, exponential talk of mean `aht_s`, no hold, no after-call work,
    /// no abandonment, `agents` always ready, millisecond resolution.
    pub fn stationary_mmc(
        calls_per_hour: f64,
        aht_s: f64,
        agents: u32,
        days: u32,
        seed: u64,
    ) -> Self {
        Self::stationary(calls_per_hour, aht_s, agents, None, days, seed)
    }

    /// Like [`SimConfig::stationary_mmc`], with exponential caller patience of mean
    /// `patience_s` when given (M/M/n+M, the Erlang A model).
    pub fn stationary(
        calls_per_hour: f64,
        aht_s: f64,
        agents: u32,
        patience_s: Option<f64>,
        days: u32,
        seed: u64,
    ) -> Self {
        SimConfig {
            start_day: 20_514, // 2026-03-02, a Monday
            days,
            queues: vec![QueueConfig {
                name: "check".into(),
                share: 1.0,
                talk: DurationDist::Exponential { mean_s: aht_s },
                hold_share: 0.0,
                hold: DurationDist::Zero,
                acw: DurationDist::Zero,
                patience: patience_s.map(|mean_s| DurationDist::Exponential { mean_s }),
                max_wait_s: None,
                misdial_share: 0.0,
            }],
            staffing: Staffing::Constant {
                per_queue: vec![agents],
            },
            calls_per_day: calls_per_hour * 24.0,
            profile: ArrivalProfile::Flat,
            seed,
            trunks: None,
            ivr_share: 0.0,
            transfer_share: 0.0,
            repeat_share: 0.0,
            resolution_ms: 1,
            side_tables: false,
            ticket_late_share: 0.0,
        }
    }
}
