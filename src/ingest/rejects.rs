//! The rejects file: every refused row with its line, column, reason and original
//! text, as CSV (`line,column,reason,original`).

use super::error::{IngestError, Result};
use super::source::{Format, SourceFile, original_csv_record};
use crate::store::write_atomic;
use std::path::Path;

/// One refused row.
#[derive(Debug, Clone)]
pub struct Reject {
    /// 1-based line (CSV) or row (Parquet).
    pub line: u64,
    /// Byte offset of the CSV record, to recover its text.
    pub byte: Option<u64>,
    /// The offending column, if one.
    pub column: Option<String>,
    /// Why.
    pub reason: String,
    /// The row as text, when there is no original text to re-read (Parquet).
    pub rendered: Option<String>,
}

impl Reject {
    /// `line 7: arrived_at: "yesterday" is not a timestamp …`
    pub fn describe(&self) -> String {
        format!("line {}: {}", self.line, self.reason)
    }
}

/// Writes the rejects of `source` to `path` (atomically).
pub fn write(path: &Path, source: Option<&SourceFile>, rejects: &[Reject]) -> Result<()> {
    let failed = |e: csv::Error| IngestError::Rejects {
        file: path.display().to_string(),
        source: e.into(),
    };
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(["line", "column", "reason", "original"])
        .map_err(failed)?;
    for r in rejects {
        let original = match (&r.rendered, r.byte, source.map(|s| (s.format, &s.path))) {
            (Some(t), _, _) => t.clone(),
            (None, Some(b), Some((Format::Csv { delimiter }, path))) => {
                original_csv_record(path, delimiter, b).unwrap_or_default()
            }
            _ => String::new(),
        };
        let line = r.line.to_string();
        w.write_record([
            line.as_str(),
            r.column.as_deref().unwrap_or(""),
            r.reason.as_str(),
            original.as_str(),
        ])
        .map_err(failed)?;
    }
    let bytes = w.into_inner().map_err(|e| failed(e.into_error().into()))?;
    Ok(write_atomic(path, &bytes, || {})?)
}
