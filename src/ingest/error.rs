//! The ingest's one error type: a file that cannot be used (naming it, and the line
//! where there is one), an I/O or Parquet failure on a file, or the store refusing.
//! Rows that break a rule are not errors: they go to the rejects file.

use crate::store::StoreError;
use polars::prelude::PolarsError;

/// Why an ingest stopped. Each message names the file (and line) it is about.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    /// A file that cannot be loaded as it is: unreadable header, missing columns,
    /// unknown table, a mapping that does not hold together, …
    #[error("{file}{}: {problem}", line.map_or(String::new(), |l| format!(":{l}")))]
    Input {
        /// The file, as given.
        file: String,
        /// The line (1 = the header), where the problem has one.
        line: Option<u64>,
        /// What is wrong and what to do.
        problem: String,
    },
    /// A file-system call on a file failed.
    #[error("{file}: {what}")]
    Io {
        /// The file.
        file: String,
        /// What was being done ("cannot open the file").
        what: &'static str,
        /// The operating system's reason.
        source: std::io::Error,
    },
    /// A Parquet file that cannot be read.
    #[error("{file}: {what}")]
    Parquet {
        /// The file.
        file: String,
        /// What was being done.
        what: &'static str,
        /// polars' reason.
        source: PolarsError,
    },
    /// A kind word that names no table.
    #[error(
        "unknown kind {given:?}; use one of calls, agent_states, schedules, agents, qa, costs, tickets, queue_log"
    )]
    UnknownKind {
        /// What was given.
        given: String,
    },
    /// The store could not be opened, read or written.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The batch could not be committed (nothing of it is visible).
    #[error("cannot commit the ingest")]
    Commit(#[source] StoreError),
    /// The rejects file could not be written.
    #[error("cannot write the rejects file {file}")]
    Rejects {
        /// The rejects file.
        file: String,
        /// Why.
        source: std::io::Error,
    },
    /// Rows read ≠ loaded + rejected + duplicates + skipped + open (a bug).
    #[error("internal error: counts do not add up for {file}")]
    Counts {
        /// The file.
        file: String,
    },
    /// A worker thread stopped or panicked (a bug, or the error it sent first).
    #[error("the {what} stopped")]
    Worker {
        /// Which worker.
        what: &'static str,
    },
}

impl IngestError {
    /// A file that cannot be used, for `problem`.
    pub fn input(file: impl std::fmt::Display, problem: impl Into<String>) -> Self {
        IngestError::Input {
            file: file.to_string(),
            line: None,
            problem: problem.into(),
        }
    }

    /// A problem at one line of a file.
    pub fn at_line(file: impl std::fmt::Display, line: u64, problem: impl Into<String>) -> Self {
        IngestError::Input {
            file: file.to_string(),
            line: Some(line),
            problem: problem.into(),
        }
    }
}

/// `Result` with an [`IngestError`].
pub type Result<T, E = IngestError> = std::result::Result<T, E>;

/// Names the file of an I/O or Parquet failure: `.on(&shown, "cannot open the file")`.
pub trait On<T> {
    /// The failure as an [`IngestError`] about `file`.
    fn on(self, file: impl std::fmt::Display, what: &'static str) -> Result<T>;
}

impl<T> On<T> for std::io::Result<T> {
    fn on(self, file: impl std::fmt::Display, what: &'static str) -> Result<T> {
        self.map_err(|source| IngestError::Io {
            file: file.to_string(),
            what,
            source,
        })
    }
}

impl<T> On<T> for polars::prelude::PolarsResult<T> {
    fn on(self, file: impl std::fmt::Display, what: &'static str) -> Result<T> {
        self.map_err(|source| IngestError::Parquet {
            file: file.to_string(),
            what,
            source,
        })
    }
}

impl<T> On<T> for std::result::Result<T, csv::Error> {
    fn on(self, file: impl std::fmt::Display, what: &'static str) -> Result<T> {
        self.map_err(|e| IngestError::Input {
            file: file.to_string(),
            line: e.position().map(|p| p.line()),
            problem: format!("{what} ({e})"),
        })
    }
}
