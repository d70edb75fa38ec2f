//! callboard: contact-centre metrics and workforce management.
//!
//! Data flows one way (docs/architecture.md):
//!
//! ```text
//! ingest ──▶ store ──▶ query ──▶ presenters (cli, charts + report, server)
//!                        │
//!                        └── callboard-core (pure computation: KPIs, Erlang, SLAs)
//! ```
//!
//! * [`ingest`] — files (canonical CSV/Parquet, Asterisk queue_log, vendor exports
//!   through a mapping) checked row by row into the store; [`ingest::load`] is the
//!   one entry point.
//! * [`store`] — the crash-safe partitioned-Parquet store, its typed column
//!   readers, the update-table fold, the per-slot report summaries, verification.
//! * [`query`] — one module per question (KPIs, tickets, staffing, status): a typed
//!   request whose `Default` holds the defaults, a `Serialize` result in the JSON
//!   shape of docs/cli.md, typed errors; no printing.
//! * [`cli`] — flags → query → table / CSV / JSON.
//! * [`charts`] — plotters charts from query results, as SVG and PNG.
//! * [`report`] — the review pack: HTML, charts, Excel workbook, JSON.
//! * [`server`] — `callboard serve`: the JSON API, dashboard and live wallboard.
//! * [`simulate`] — the simulator's records written as files.

pub mod charts;
pub mod cli;
pub mod ingest;
pub mod query;
pub mod report;
pub mod server;
pub mod simulate;
pub mod store;
