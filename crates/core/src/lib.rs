//! `callboard-core`: the pure, deterministic heart of callboard.
//!
//! No files, network, threads or clock here ("now" is always a parameter): everything is
//! a function of its inputs, so all of it is testable with tiny fixtures.
//!
//! The map of the domain:
//!
//! * [`schema`] — the seven canonical tables of `docs/data-model.md` (columns, types,
//!   required/optional, rules, keys, partitioning), defined once and used by ingest, the
//!   simulator, the docs and the tests.
//! * [`validate`] — raw cells → typed, checked values; the rules of the data model.
//! * [`time`] — instants (ms since the epoch, UTC), dates, time zones, fast RFC 3339.
//! * [`simulate`] — the seeded discrete-event contact-centre simulator.
//! * [`erlang`] — Erlang B, C and A and the staffing search.
//! * [`forecast`] — interval volume forecasts from a history, and their backtest.
//! * [`queue_log`] — Asterisk queue_log events → calls and agent states.
//! * [`kpi`] — the 23 KPIs: their definitions, targets and statuses.
//! * [`tickets`] — ticket SLAs against a policy, recurring problems, repeat contacts.

pub mod erlang;
pub mod forecast;
pub mod kpi;
pub mod queue_log;
pub mod roster;
pub mod schema;
pub mod simulate;
pub mod tickets;
pub mod time;
pub mod validate;
