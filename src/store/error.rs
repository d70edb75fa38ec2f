//! The store's one error type: what failed, on which file, and why.

use callboard_core::schema::Table;
use polars::prelude::PolarsError;
use std::path::{Path, PathBuf};

/// Why a store operation failed. Each message names the file or table and, where
/// the reader can act, what to do; the underlying I/O or Parquet error is the source.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A file-system call on `path` failed (`what`: "cannot create", "cannot read", …).
    #[error("{what} {}", path.display())]
    Io {
        /// What was being done.
        what: &'static str,
        /// The file or directory.
        path: PathBuf,
        /// The operating system's reason.
        source: std::io::Error,
    },
    /// A Parquet file could not be written or read back.
    #[error("{what} {}", path.display())]
    Parquet {
        /// What was being done.
        what: &'static str,
        /// The file.
        path: PathBuf,
        /// polars' reason.
        source: PolarsError,
    },
    /// The columns of a table could not be read.
    #[error("cannot read the {table} table")]
    Table {
        /// The table.
        table: Table,
        /// polars' reason.
        source: PolarsError,
    },
    /// A stored column is missing or of another type than the schema's.
    #[error("the stored {table} table's column {column:?} cannot be read as {expected}")]
    Column {
        /// The table.
        table: Table,
        /// The column.
        column: String,
        /// The type the reader wanted.
        expected: &'static str,
        /// polars' reason.
        source: PolarsError,
    },
    /// A stored `calls.outcome` outside the five canonical words (the loader accepts
    /// no other, so the file was written by something else or is damaged).
    #[error(
        "the stored calls table holds the outcome {word:?}, which is none of answered, abandoned, timeout, blocked, ivr; run `callboard status --verify`"
    )]
    UnknownOutcome {
        /// The word read.
        word: String,
    },
    /// Another process holds the writer lock.
    #[error(
        "the data directory {} is in use by another callboard process; wait for it to finish",
        dir.display()
    )]
    Locked {
        /// The data directory.
        dir: PathBuf,
    },
    /// `manifest.json` is not JSON of the manifest's shape.
    #[error("{} is damaged (not a callboard manifest)", path.display())]
    DamagedManifest {
        /// The manifest.
        path: PathBuf,
        /// serde_json's reason.
        source: serde_json::Error,
    },
    /// A manifest of another format version.
    #[error(
        "{} has format {found}, this callboard reads format {expected}; use a matching callboard version",
        path.display()
    )]
    ManifestFormat {
        /// The manifest.
        path: PathBuf,
        /// Its format.
        found: u32,
        /// The format this build reads.
        expected: u32,
    },
    /// A summaries' `meta.json` that cannot be read.
    #[error("cannot read {}", path.display())]
    SummaryMeta {
        /// The file.
        path: PathBuf,
        /// serde_json's reason.
        source: serde_json::Error,
    },
    /// `status --verify`: a live file that does not hold what the manifest says.
    #[error("{}: {problem}", path.display())]
    Verify {
        /// The file.
        path: PathBuf,
        /// What disagrees, and what to do.
        problem: String,
    },
    /// A worker thread of a read panicked (a bug, not bad data).
    #[error("the {what} pass failed")]
    Worker {
        /// Which pass.
        what: &'static str,
    },
}

/// `Result` with a [`StoreError`].
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Names the file of an I/O or Parquet failure: `.at("cannot create", &path)`.
pub trait At<T> {
    /// The error as a [`StoreError`] saying what was being done to `path`.
    fn at(self, what: &'static str, path: &Path) -> Result<T>;
}

impl<T> At<T> for std::io::Result<T> {
    fn at(self, what: &'static str, path: &Path) -> Result<T> {
        self.map_err(|source| StoreError::Io {
            what,
            path: path.to_path_buf(),
            source,
        })
    }
}

impl<T> At<T> for polars::prelude::PolarsResult<T> {
    fn at(self, what: &'static str, path: &Path) -> Result<T> {
        self.map_err(|source| StoreError::Parquet {
            what,
            path: path.to_path_buf(),
            source,
        })
    }
}
