//! Row keys (`call_id`, agent + start, …) as 128-bit hashes, for idempotent ingest.
//!
//! The index holds one `u128` per stored row (16 bytes; 10 M calls ≈ 0.3 GB with the
//! set's overhead) instead of the key strings. A false duplicate needs two different
//! keys with the same 128-bit XXH3 hash: at 10⁹ rows the chance is about 10⁻²¹.

use anyhow::{Context, Result};
use callboard_core::schema::Table;
use polars::prelude::{Column, DataType, Int64Chunked, ParquetReader, SerReader, StringChunked};
use std::collections::HashSet;
use std::fs::File;
use xxhash_rust::xxh3::xxh3_128;

/// One component of a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyPart<'a> {
    /// Empty optional column.
    Null,
    /// Text.
    Str(&'a str),
    /// A number (timestamps as ms, dates as days).
    Int(i64),
}

/// Hashes key parts into `buf` (reused across rows: no allocation per row).
pub fn key_hash(parts: &[KeyPart<'_>], buf: &mut Vec<u8>) -> u128 {
    buf.clear();
    for p in parts {
        match p {
            KeyPart::Null => buf.push(0),
            KeyPart::Str(s) => {
                buf.push(1);
                buf.extend_from_slice(&(s.len() as u32).to_le_bytes());
                buf.extend_from_slice(s.as_bytes());
            }
            KeyPart::Int(i) => {
                buf.push(2);
                buf.extend_from_slice(&i.to_le_bytes());
            }
        }
    }
    xxh3_128(buf)
}

/// Keys are already uniform 128-bit hashes: hashing them again (SipHash) would only
/// cost time, so the set uses their low 64 bits as they are.
#[derive(Debug, Default, Clone, Copy)]
pub struct PreHashed(u64);

impl std::hash::Hasher for PreHashed {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        // Only reached for non-u128 keys; fold them in.
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }
    fn write_u128(&mut self, i: u128) {
        self.0 = i as u64;
    }
}

/// A set of key hashes.
pub type KeySet = HashSet<u128, std::hash::BuildHasherDefault<PreHashed>>;

/// The keys of every stored row of one table.
#[derive(Debug, Default)]
pub struct KeyIndex {
    set: KeySet,
}

impl KeyIndex {
    /// Whether the key is known.
    pub fn contains(&self, h: u128) -> bool {
        self.set.contains(&h)
    }

    /// Adds a key; false if it was already there.
    pub fn insert(&mut self, h: u128) -> bool {
        self.set.insert(h)
    }

    /// Reads the key columns of every live file of `table`.
    pub fn load(store: &super::Store, table: Table) -> Result<KeyIndex> {
        let mut idx = KeyIndex {
            set: KeySet::with_capacity_and_hasher(
                store.row_count(table) as usize,
                Default::default(),
            ),
        };
        for path in store.files(table) {
            idx.add_file(table, &path)?;
        }
        Ok(idx)
    }

    /// Adds the keys of one stored file of `table`.
    pub fn add_file(&mut self, table: Table, path: &std::path::Path) -> Result<()> {
        let cols: Vec<String> = table.spec().key.iter().map(|s| s.to_string()).collect();
        let mut buf = Vec::with_capacity(64);
        let file = File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
        let df = ParquetReader::new(file)
            .with_columns(Some(cols.clone()))
            .finish()
            .with_context(|| format!("cannot read keys from {}", path.display()))?;
        let columns: Vec<KeyColumn> = cols
            .iter()
            .map(|c| KeyColumn::from_column(df.column(c)?))
            .collect::<Result<_>>()?;
        let mut parts = Vec::with_capacity(columns.len());
        for i in 0..df.height() {
            parts.clear();
            parts.extend(columns.iter().map(|c| c.get(i)));
            self.set.insert(key_hash(&parts, &mut buf));
        }
        Ok(())
    }
}

/// A stored key column, read back as key parts.
pub enum KeyColumn {
    /// Text.
    Str(StringChunked),
    /// Any integer-backed type (datetime ms, date days).
    Int(Int64Chunked),
}

impl KeyColumn {
    /// Wraps a stored column.
    pub fn from_column(c: &Column) -> Result<KeyColumn> {
        let s = c.as_materialized_series();
        Ok(match s.dtype() {
            DataType::String => KeyColumn::Str(s.str()?.rechunk().into_owned()),
            _ => KeyColumn::Int(
                s.to_physical_repr()
                    .cast(&DataType::Int64)?
                    .i64()?
                    .rechunk()
                    .into_owned(),
            ),
        })
    }

    /// The part at row `i`.
    pub fn get(&self, i: usize) -> KeyPart<'_> {
        match self {
            KeyColumn::Str(c) => c.get(i).map_or(KeyPart::Null, KeyPart::Str),
            KeyColumn::Int(c) => c.get(i).map_or(KeyPart::Null, KeyPart::Int),
        }
    }
}
