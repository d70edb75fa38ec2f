//! Integration tests: the `callboard` binary run as a user runs it.
//!
//! Map:
//! * `support` — run the binary, make temporary directories, read CSV/JSON output.
//! * `demo`    — the README's main job on the bundled sample data.
//! * `ingest`  — acceptance of `callboard ingest`: rejects with line and reason,
//!   refused files, idempotency, Parquet, updates, overlaps, currencies, time zones,
//!   garbage input.
//! * `mapping` — declarative mappings: the real Anonymous Bank month, malformed lines.
//! * `queue_log` — Asterisk queue_log dialects, the real PBXware export, open calls.
//! * `crash`   — the store after `kill -9` and after aborts at each commit step.
//! * `simulate` — determinism and the simulate → ingest round trip.
//! * `kpi`     — `callboard kpi`: the cli.md JSON, reasons for nulls, real-data cross-check.
//! * `staff`   — `callboard staff`: the cli.md JSON, exact positions, files with bad rows.
//! * `tickets` — `callboard tickets`: the update rule, the simulator's breach rate, the
//!   real ServiceNow log against an independent count.
//! * `forecast` — the core's forecasting methods and backtest on the real bank series.
//! * `query`   — the query layer called in-process on a store in a temp dir.
//! * `roster`  — `callboard roster`: hand-worked plans, an independent validator of the files.
//! * `roster_named` — `callboard roster --agents`: every hard and duty rule validated
//!   from the files, calendars parsed back, the schedules round trip.
//! * `report`  — `callboard report`: the pack read back against the kpi/tickets JSON,
//!   charts decoded and counted, left-out notes, sentences, golden SVGs, a real browser.
//! * `server`  — `callboard serve`: every route through `oneshot` against the CLI's
//!   JSON, the 4xx errors, OpenAPI, a followed queue_log reaching an SSE client
//!   within a second, graceful shutdown, the pages in a real browser.
//! * `docs`    — `docs/data-model.md` matches the core schema.

mod crash;
mod demo;
mod docs;
mod forecast;
mod ingest;
mod kpi;
mod mapping;
mod query;
mod queue_log;
mod report;
mod roster;
mod roster_named;
mod server;
mod simulate;
mod staff;
mod summaries;
mod support;
mod tickets;
