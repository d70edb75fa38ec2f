//! The manifest: the committed list of live files per table and the log of ingests.

use super::{At, Result, StoreError};
use super::{MANIFEST, write_atomic};
use callboard_core::schema::Table;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

/// Format version written into every manifest.
const FORMAT: u32 = 1;

/// One live Parquet file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredFile {
    /// Path relative to the data directory.
    pub path: String,
    /// Partition value (`YYYY-MM-DD`, or `all`).
    pub partition: String,
    /// Rows in the file.
    pub rows: u64,
    /// For tables of intervals (`start`, `end`): the longest one in the file, ms
    /// (how far back from its day a row of the file can reach). Absent in files
    /// written before it was recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_span_ms: Option<i64>,
}

impl StoredFile {
    /// Its partition's UTC day (days since 1970-01-01); `None` for `all`.
    pub fn day(&self) -> Option<i32> {
        callboard_core::time::parse_date(&self.partition)
    }
}

/// What one committed ingest did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IngestRecord {
    /// Ingest id.
    pub id: String,
    /// The source file as given.
    pub source: String,
    /// Table loaded.
    pub table: String,
    /// Rows read.
    pub read: u64,
    /// Rows loaded.
    pub loaded: u64,
    /// Rows rejected.
    pub rejected: u64,
    /// Duplicate rows.
    pub duplicates: u64,
    /// Of `loaded`, rows that updated an earlier row of the same key (tickets,
    /// agents); absent in manifests written before it was recorded. Readers fold an
    /// update table's rows only when some ingest may have updated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated: Option<u64>,
}

/// The committed state of the store.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// Manifest format.
    pub format: u32,
    /// Incremented by every commit.
    pub version: u64,
    /// Sequence number of the next ingest.
    pub next_ingest: u64,
    /// The store's currency, once a cost row fixed it.
    #[serde(default)]
    pub currency: Option<String>,
    /// Live files per table name.
    pub tables: BTreeMap<String, Vec<StoredFile>>,
    /// Every committed ingest, oldest first.
    pub ingests: Vec<IngestRecord>,
    /// queue_log lines of calls (and agent sessions) still in progress at the end of
    /// the last queue_log ingest, replayed with the next one.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub queue_log_backlog: Vec<BacklogEvent>,
}

/// A held-back queue_log line (stock field order).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BacklogEvent {
    /// Event time, epoch seconds.
    pub time_s: i64,
    /// Caller uniqueid.
    pub callid: String,
    /// Queue.
    pub queue: String,
    /// Member interface.
    pub agent: String,
    /// Event name.
    pub event: String,
    /// data1 … data5.
    pub data: [String; 5],
}

impl Manifest {
    /// Reads `<root>/manifest.json`; an absent file is an empty store.
    pub fn load(root: &Path) -> Result<Manifest> {
        let path = root.join(MANIFEST);
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(Manifest {
                    format: FORMAT,
                    next_ingest: 1,
                    ..Manifest::default()
                });
            }
            Err(e) => return Err(e).at("cannot read", &path),
        };
        let m: Manifest =
            serde_json::from_str(&text).map_err(|source| StoreError::DamagedManifest {
                path: path.clone(),
                source,
            })?;
        if m.format != FORMAT {
            return Err(StoreError::ManifestFormat {
                path,
                found: m.format,
                expected: FORMAT,
            });
        }
        Ok(m)
    }

    /// Writes the manifest atomically.
    pub fn save(&self, root: &Path) -> Result<()> {
        let text = serde_json::to_vec_pretty(self).expect("a manifest always encodes as JSON");
        write_atomic(&root.join(MANIFEST), &text, || {
            super::crash_point("manifest-written")
        })
    }

    /// Live files of `table`.
    pub fn files(&self, table: Table) -> &[StoredFile] {
        self.tables
            .get(table.name())
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    pub(super) fn add_file(&mut self, table: Table, file: StoredFile) {
        self.tables
            .entry(table.name().to_owned())
            .or_default()
            .push(file);
    }
}
