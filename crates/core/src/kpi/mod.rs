//! The 23 contact-centre KPIs of `domain.md` §1.
//!
//! * [`catalog`] — each KPI as data (id, names, unit, family, definition, inputs,
//!   target and better side, hints) and the good / watch / poor / unknown status.
//! * [`buckets`] — period cut into intervals, days, ISO weeks or months, in a zone.
//! * [`calls`] — the call-based KPIs (volume, waiting, handling) and FCR by repeat contact.
//! * [`agent_time`] — adherence, occupancy, logged-in time and attendance, clipped to buckets.
//! * [`staff_cost`] — QA score, prorated costs and agent turnover.
//! * [`intern`] — names to dense ids for the row sweeps.
//! * [`report`] — all 23 KPIs per bucket and group, with the grouping limits and reasons.
//!

pub mod agent_time;
pub mod buckets;
pub mod calls;
pub mod catalog;
pub mod intern;
pub mod report;
pub mod staff_cost;
