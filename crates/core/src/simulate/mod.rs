//! The seeded discrete-event contact-centre simulator.
//!
//! A multi-queue centre: time-varying Poisson arrivals (weekday × time-of-day), log-normal
//! talk, hold and after-call work, exponential caller patience with misdials (short
//! abandons), queue time-outs, blocked calls when every trunk is busy, IVR-only calls,
//! transfers and repeat callers. Agents follow generated 9-hour shifts with two breaks
//! and a lunch, start late, come back late from breaks, are absent some days, and leave
//! (replaced by new hires). Side tables: QA scores, daily costs and tickets.
//!
//! The tables agree with each other by construction: a call's wait is its time in the
//! queue; only a logged-in, ready agent answers; the agent's talk, hold and after-call
//! work states are exactly the call's durations. Same [`SimConfig`] → same records.

mod config;
mod engine;
mod records;
mod tickets;

pub use config::{ArrivalProfile, DurationDist, QUEUE_NAMES, QueueConfig, SimConfig, Staffing};
pub use engine::run;
pub use records::*;

/// Currency of simulated costs.
pub const CURRENCY: &str = "CNY";

#[cfg(test)]
mod tests;
