//! What the store holds: rows, files and days per table, ingests, whether the
//! report summaries are current; and, when asked, whether every file reads back.

use super::Result;
use crate::store::summaries::Summaries;
use crate::store::{Store, verify};
use callboard_core::schema::Table;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// A status question. `Default`: the figures from the manifest, no file read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct StatusQuery {
    /// Read every live file in full and check its rows against the manifest.
    pub verify: bool,
}

/// One table's figures.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TableStatus {
    /// Rows stored.
    pub rows: u64,
    /// Live files.
    pub files: usize,
    /// Partitions (days, or `all`).
    pub partitions: usize,
    /// First day partition, `YYYY-MM-DD`.
    pub first_day: Option<String>,
    /// Last day partition.
    pub last_day: Option<String>,
}

/// Whether the report summaries match the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum SummaryState {
    /// Built from exactly the live files: reports use them.
    #[serde(rename = "current")]
    Current,
    /// Reports read the rows until `callboard ingest --summaries` rebuilds them.
    #[serde(rename = "out of date")]
    OutOfDate,
    /// No calls, agent states or schedules yet.
    #[serde(rename = "none")]
    None,
}

/// The status document (`status --format json`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoreStatus {
    /// The data directory.
    pub data_dir: String,
    /// The manifest's version (0: nothing loaded).
    pub manifest_version: u64,
    /// Ingests recorded.
    pub ingests: usize,
    /// Whether every file was read back (and did so whole).
    pub verified: bool,
    /// Per table, by name.
    pub tables: BTreeMap<String, TableStatus>,
    /// The report summaries.
    pub summaries: SummaryState,
}

/// Describes the store; with `verify`, reads every file back first (the first
/// file that does not read back whole is the error).
pub fn run(store: &Store, q: &StatusQuery) -> Result<StoreStatus> {
    if q.verify {
        verify(store)?;
    }
    let tables = Table::ALL
        .iter()
        .map(|&t| {
            let files = store.manifest().files(t);
            let days: BTreeSet<&str> = files
                .iter()
                .map(|f| f.partition.as_str())
                .filter(|p| *p != "all")
                .collect();
            let partitions: BTreeSet<&str> = files.iter().map(|f| f.partition.as_str()).collect();
            let status = TableStatus {
                rows: store.row_count(t),
                files: files.len(),
                partitions: partitions.len(),
                first_day: days.first().map(|s| s.to_string()),
                last_day: days.last().map(|s| s.to_string()),
            };
            (t.name().to_owned(), status)
        })
        .collect();
    let summaries = match Summaries::open(store) {
        Ok(Some(_)) => SummaryState::Current,
        _ if [Table::Calls, Table::AgentStates, Table::Schedules]
            .iter()
            .all(|t| store.row_count(*t) == 0) =>
        {
            SummaryState::None
        }
        _ => SummaryState::OutOfDate,
    };
    Ok(StoreStatus {
        data_dir: store.root().display().to_string(),
        manifest_version: store.manifest().version,
        ingests: store.manifest().ingests.len(),
        verified: q.verify,
        tables,
        summaries,
    })
}
