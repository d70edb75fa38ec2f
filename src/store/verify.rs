//! Store verification (`callboard status --verify`): every live file read back whole
//! and checked against what the manifest and its key file say.

use super::{At, Result, Store, StoreError, key_file_agrees};
use callboard_core::schema::Table;
use polars::prelude::{ParquetReader, SerReader};

/// Reads every live file of every table in full: each must open, decode, hold the
/// rows the manifest lists, and agree with its key file. The first file that does
/// not is the error.
pub fn verify(store: &Store) -> Result<()> {
    for t in Table::ALL {
        for (f, path) in store.manifest().files(t).iter().zip(store.files(t)) {
            let file = std::fs::File::open(&path)
                .at("listed in the manifest but cannot be opened:", &path)?;
            let df = ParquetReader::new(file).finish().at("cannot read", &path)?;
            if df.height() as u64 != f.rows {
                return Err(StoreError::Verify {
                    path,
                    problem: format!("holds {} rows, the manifest says {}", df.height(), f.rows),
                });
            }
            if !key_file_agrees(t, &df, &path)? {
                return Err(StoreError::Verify {
                    path,
                    problem: "its key file does not match its rows; delete the .keys file (the keys are then read from the Parquet file)".into(),
                });
            }
        }
    }
    Ok(())
}
