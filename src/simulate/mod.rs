//! The app side of the simulator (`callboard simulate`): the core's seeded records
//! written as the canonical tables' files ([`tables`]: CSV, Parquet, or one
//! Asterisk queue_log).

pub mod tables;
