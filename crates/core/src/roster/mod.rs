//! Rostering (issue 13): how many of each shift start when, with their breaks
//! placed, to cover a staffing requirement ([`demand`], stage 1) — solved exactly as
//! a mixed-integer program by HiGHS ([`lp`]). The model is built as plain data
//! ([`lp::LinearModel`]) apart from the solver call, so it can be tested unsolved.
//!
//! Times are instants (ms since the epoch, UTC); shift templates speak the centre's
//! wall clock, turned into instants with its [`TimeZoneSpec`].

pub mod assign;
mod columns;
pub mod demand;
pub mod duty;
mod floor;
mod improve;
mod lns;
pub mod lp;
mod patterns;
mod polish;
mod weeks;

use crate::time::TimeZoneSpec;
use serde::{Deserialize, Serialize};

/// Agents needed per interval, from `start_ms` in steps of `interval_ms`.
#[derive(Debug, Clone, PartialEq)]
pub struct Requirement {
    /// The first interval's start, ms.
    pub start_ms: i64,
    /// Interval length, ms.
    pub interval_ms: i64,
    /// Agents needed in each interval (≥ 0; may be fractional).
    pub agents: Vec<f64>,
    /// Calls offered in each interval, when known (for predicted service level).
    pub calls: Option<Vec<f64>>,
    /// Mean handle time in each interval, s, when known.
    pub aht_s: Option<Vec<f64>>,
}

impl Requirement {
    /// The end of the last interval, ms.
    pub fn end_ms(&self) -> i64 {
        self.start_ms + self.interval_ms * self.agents.len() as i64
    }
}

/// A break of a shift: its length, whether it is paid, and the earliest and latest
/// start (minutes after the shift's start); where in between is the model's choice.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BreakRule {
    /// Name (`break`, `lunch`, …): the activity written to the roster.
    pub name: String,
    /// Length, minutes.
    pub minutes: u32,
    /// Paid time (a coffee break) or not (lunch).
    #[serde(default)]
    pub paid: bool,
    /// Its earliest start, minutes after the shift starts.
    pub earliest: u32,
    /// Its latest start, minutes after the shift starts.
    pub latest: u32,
}

/// A kind of shift.
#[derive(Debug, Clone, PartialEq)]
pub struct ShiftTemplate {
    /// Name.
    pub name: String,
    /// Allowed start times, minutes after local midnight.
    pub starts: Vec<u32>,
    /// Length, minutes (breaks included).
    pub minutes: u32,
    /// The weekdays it may start on, Monday first.
    pub days: [bool; 7],
    /// Cost per paid hour.
    pub cost_per_hour: f64,
    /// Its breaks, in order.
    pub breaks: Vec<BreakRule>,
}

impl ShiftTemplate {
    /// Paid hours of one shift: its length less its unpaid breaks.
    pub fn paid_hours(&self) -> f64 {
        let unpaid: u32 = self
            .breaks
            .iter()
            .filter(|b| !b.paid)
            .map(|b| b.minutes)
            .sum();
        f64::from(self.minutes.saturating_sub(unpaid)) / 60.0
    }

    /// Checks the template: starts within the day, a positive length, breaks that
    /// fit their windows inside the shift and whose windows do not overlap.
    pub fn check(&self) -> Result<(), RosterError> {
        let bad = |problem: String| RosterError::Template {
            template: self.name.clone(),
            problem,
        };
        if self.starts.is_empty() {
            return Err(bad("no start times".into()));
        }
        if let Some(s) = self.starts.iter().find(|s| **s >= 24 * 60) {
            return Err(bad(format!(
                "start {s} min is not within the day (0 … 1439)"
            )));
        }
        if self.minutes == 0 || self.minutes > 24 * 60 {
            return Err(bad("the length must be 1 minute to 24 hours".into()));
        }
        if !self.days.iter().any(|d| *d) {
            return Err(bad("no day of the week to start on".into()));
        }
        if !(self.cost_per_hour.is_finite() && (0.0..=1e6).contains(&self.cost_per_hour)) {
            return Err(bad("cost_per_hour must be a number from 0 to 1e6".into()));
        }
        for (i, b) in self.breaks.iter().enumerate() {
            if b.minutes == 0 {
                return Err(bad(format!("break {:?} has no length", b.name)));
            }
            if b.earliest > b.latest || b.latest + b.minutes > self.minutes {
                return Err(bad(format!(
                    "break {:?} ({} min starting {} to {} min after the start) {}",
                    b.name,
                    b.minutes,
                    b.earliest,
                    b.latest,
                    if b.earliest > b.latest {
                        "starts at the earliest after its latest start"
                    } else {
                        "does not end inside the shift"
                    }
                )));
            }
            // The stretches each break may occupy must not meet, so every shift's
            // breaks fall apart whatever the placement.
            if let Some(o) = self.breaks[..i]
                .iter()
                .find(|o| o.earliest < b.latest + b.minutes && b.earliest < o.latest + o.minutes)
            {
                return Err(bad(format!(
                    "the windows of breaks {:?} and {:?} overlap; give them separate windows",
                    o.name, b.name
                )));
            }
        }
        Ok(())
    }
}

/// The objective's weights.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Weights {
    /// Per agent-hour below the requirement.
    pub under: f64,
    /// Per agent-hour above it.
    pub over: f64,
    /// Per unit of shift cost (cost per paid hour × paid hours).
    pub cost: f64,
}

impl Default for Weights {
    /// Under-coverage weighs most (a missed call costs more than an idle agent);
    /// cost breaks ties between equally covering plans.
    fn default() -> Self {
        Weights {
            under: 100.0,
            over: 10.0,
            cost: 0.01,
        }
    }
}

/// Why a roster cannot be planned.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RosterError {
    /// A template is unusable.
    #[error("shift template {template:?}: {problem}")]
    Template {
        /// Its name.
        template: String,
        /// What is wrong.
        problem: String,
    },
    /// The requirement is unusable.
    #[error("requirement: {0}")]
    Requirement(String),
    /// No template can start inside the requirement's period.
    #[error(
        "no shift template can start between {from} and {to}; check their days and start times"
    )]
    NoShifts {
        /// The period's start.
        from: String,
        /// Its end.
        to: String,
    },
    /// An agent's hard rules contradict each other (refused before solving).
    #[error("agent {agent}: {rule}: {problem}")]
    Agent {
        /// The agent.
        agent: String,
        /// The rule (column) at fault.
        rule: String,
        /// What is wrong.
        problem: String,
    },
    /// The solver gave no roster.
    #[error(transparent)]
    Solve(#[from] lp::SolveError),
}

/// The local wall-clock zone rosters are planned in.
pub type Zone = TimeZoneSpec;
