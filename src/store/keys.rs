//! Row keys (`call_id`, agent + start, …) as 128-bit hashes, for idempotent ingest.
//!
//! The index holds one `u128` per stored row (16 bytes; 10 M calls ≈ 0.3 GB with the
//! set's overhead) instead of the key strings. A false duplicate needs two different
//! keys with the same 128-bit XXH3 hash: at 10⁹ rows the chance is about 10⁻²¹.

use super::{At, Result};
use callboard_core::schema::Table;
use polars::prelude::PolarsResult;
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

/// Tables whose stored files get a key file: those whose duplicates cannot be
/// found by day (the key does not hold the partition column) and that are not
/// updated in place — the calls.
pub fn has_key_files(table: Table) -> bool {
    let spec = table.spec();
    !spec.updates && !spec.partition_by.is_some_and(|p| spec.key.contains(&p))
}

/// The key file beside a stored (or staged) Parquet file.
pub fn key_file(parquet: &std::path::Path) -> std::path::PathBuf {
    let mut name = parquet.as_os_str().to_owned();
    name.push(".keys");
    name.into()
}

/// The sorted key hashes of `df`'s rows, 16 bytes each, little-endian: a key file.
fn key_bytes(table: Table, df: &polars::prelude::DataFrame) -> PolarsResult<Vec<u8>> {
    let columns: Vec<KeyColumn> = table
        .spec()
        .key
        .iter()
        .map(|c| KeyColumn::from_column(df.column(c)?))
        .collect::<PolarsResult<_>>()?;
    let (mut parts, mut buf) = (Vec::with_capacity(columns.len()), Vec::with_capacity(64));
    let mut hashes: Vec<u128> = (0..df.height())
        .map(|i| {
            parts.clear();
            parts.extend(columns.iter().map(|c| c.get(i)));
            key_hash(&parts, &mut buf)
        })
        .collect();
    hashes.sort_unstable();
    Ok(hashes.iter().flat_map(|h| h.to_le_bytes()).collect())
}

/// Writes the key file of `df`'s rows, fsynced: what a later ingest probes instead
/// of reading and hashing the stored keys.
pub fn write_key_file(
    table: Table,
    df: &polars::prelude::DataFrame,
    path: &std::path::Path,
) -> Result<()> {
    use std::io::Write;
    let bytes = key_bytes(table, df).at("cannot compute the key file", path)?;
    let mut f = File::create(path).at("cannot create", path)?;
    f.write_all(&bytes).at("cannot write", path)?;
    f.sync_all().at("cannot sync", path)
}

/// Whether the key file beside `parquet` (a file of `table` holding `df`) is
/// missing (fine: the keys are then read from the file) or holds exactly its keys.
pub fn key_file_agrees(
    table: Table,
    df: &polars::prelude::DataFrame,
    parquet: &std::path::Path,
) -> Result<bool> {
    let path = key_file(parquet);
    if !has_key_files(table) || !path.exists() {
        return Ok(true);
    }
    let stored = std::fs::read(&path).at("cannot read", &path)?;
    Ok(stored == key_bytes(table, df).at("cannot compute the keys of", parquet)?)
}

/// Reads a key file written for `rows` rows; `None` if it is missing or not whole.
fn read_key_file(path: &std::path::Path, rows: u64) -> Option<Vec<u128>> {
    let bytes = std::fs::read(path).ok()?;
    if bytes.len() as u64 != rows * 16 {
        return None;
    }
    let v: Vec<u128> = bytes
        .chunks_exact(16)
        .map(|c| u128::from_le_bytes(c.try_into().expect("16 bytes")))
        .collect();
    v.is_sorted().then_some(v)
}

/// Whether sorted `v` holds `h`: interpolation on the hashes' top bits (they are
/// uniform, so a few probes), then binary search for what is left.
fn sorted_contains(v: &[u128], h: u128) -> bool {
    let (mut lo, mut hi) = (0usize, v.len());
    for _ in 0..8 {
        if hi - lo <= 32 {
            break;
        }
        let (a, b, x) = (v[lo] >> 64, v[hi - 1] >> 64, h >> 64);
        if h < v[lo] || h > v[hi - 1] {
            return false;
        }
        let pos = lo + ((x - a) * (hi - 1 - lo) as u128 / (b - a).max(1)) as usize;
        match v[pos].cmp(&h) {
            std::cmp::Ordering::Equal => return true,
            std::cmp::Ordering::Less => lo = pos + 1,
            std::cmp::Ordering::Greater => hi = pos,
        }
    }
    v[lo..hi].binary_search(&h).is_ok()
}

/// The keys of every stored row of one table: a hash set, or — for a table with
/// key files — the stored files' sorted keys probed in place while the ingest is
/// small next to the store (a feed of 2 000 calls need not hash 10 M stored ones);
/// past that many probes they all go into the set.
#[derive(Debug, Default)]
pub struct KeyIndex {
    set: KeySet,
    sorted: Vec<Vec<u128>>,
    probes: u64,
    probe_limit: u64,
}

impl KeyIndex {
    /// Adds a key unless it is known (stored or added before); false if it was.
    pub fn insert_new(&mut self, h: u128) -> bool {
        if !self.sorted.is_empty() {
            self.probes += 1;
            if self.probes > self.probe_limit {
                self.move_sorted_into_set();
            } else if self.sorted.iter().any(|v| sorted_contains(v, h)) {
                return false;
            }
        }
        self.set.insert(h)
    }

    /// Forgets a key added by [`KeyIndex::insert_new`] for a row then refused.
    pub fn remove(&mut self, h: u128) {
        self.set.remove(&h);
    }

    fn move_sorted_into_set(&mut self) {
        let rows: usize = self.sorted.iter().map(Vec::len).sum();
        self.set.reserve(rows);
        for v in std::mem::take(&mut self.sorted) {
            self.set.extend(v);
        }
    }

    /// The keys of every live file of `table`: from their key files where they have
    /// them (probed in place), else read from the files.
    pub fn load(store: &super::Store, table: Table) -> Result<KeyIndex> {
        let mut idx = KeyIndex::default();
        let mut unsorted = Vec::new();
        for (f, path) in store.manifest().files(table).iter().zip(store.files(table)) {
            match has_key_files(table)
                .then(|| read_key_file(&key_file(&path), f.rows))
                .flatten()
            {
                Some(v) => idx.sorted.push(v),
                None => unsorted.push((path, f.rows)),
            }
        }
        let rows: u64 = unsorted.iter().map(|u| u.1).sum();
        idx.set.reserve(rows as usize);
        for (path, _) in unsorted {
            idx.add_file(table, &path)?;
        }
        // Probing every key file costs about as much per key as one insert into
        // the set does per stored row: past stored rows ÷ files probes, the set wins.
        let stored: usize = idx.sorted.iter().map(Vec::len).sum();
        idx.probe_limit = (stored / idx.sorted.len().max(1)).max(1024) as u64;
        Ok(idx)
    }

    /// Adds the keys of one stored file of `table`.
    pub fn add_file(&mut self, table: Table, path: &std::path::Path) -> Result<()> {
        let cols: Vec<String> = table.spec().key.iter().map(|s| s.to_string()).collect();
        let mut buf = Vec::with_capacity(64);
        let file = File::open(path).at("cannot open", path)?;
        let df = ParquetReader::new(file)
            .with_columns(Some(cols.clone()))
            .finish()
            .at("cannot read keys from", path)?;
        let columns: Vec<KeyColumn> = cols
            .iter()
            .map(|c| KeyColumn::from_column(df.column(c)?))
            .collect::<PolarsResult<_>>()
            .at("cannot read keys from", path)?;
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
    pub fn from_column(c: &Column) -> PolarsResult<KeyColumn> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorted_probes_find_exactly_the_stored_keys() {
        // xxh3 of 0..50 000 as stored keys (uniform, like real ones); the odd
        // numbers' hashes are looked up, present or not.
        let h = |i: u64| xxh3_128(&i.to_le_bytes());
        let mut v: Vec<u128> = (0..50_000u64).map(|i| h(2 * i)).collect();
        v.sort_unstable();
        for i in 0..50_000u64 {
            assert!(sorted_contains(&v, h(2 * i)), "{i}");
            assert!(!sorted_contains(&v, h(2 * i + 1)), "{i}");
        }
        assert!(sorted_contains(&v, v[0]) && sorted_contains(&v, v[v.len() - 1]));
        assert!(!sorted_contains(&v, 0) && !sorted_contains(&v, u128::MAX));
        assert!(!sorted_contains(&[], 1) && sorted_contains(&[7], 7));
        // Skewed (not uniform) keys still work: interpolation gives up to binary search.
        let skew: Vec<u128> = (0..10_000u128).map(|i| i * i * i).collect();
        for i in 1..10_000u128 {
            assert!(sorted_contains(&skew, i * i * i));
            assert!(!sorted_contains(&skew, i * i * i + 1), "i³ + 1 is no cube");
        }
    }

    #[test]
    fn many_probes_move_the_keys_into_the_set_and_answers_stay_the_same() {
        let h = |i: u64| xxh3_128(&i.to_le_bytes());
        let mut a: Vec<u128> = (0..3_000u64).map(h).collect();
        let mut b: Vec<u128> = (3_000..6_000u64).map(h).collect();
        a.sort_unstable();
        b.sort_unstable();
        let mut idx = KeyIndex {
            sorted: vec![a, b],
            probe_limit: 100,
            ..KeyIndex::default()
        };
        for i in 0..12_000u64 {
            assert_eq!(idx.insert_new(h(i)), i >= 6_000, "{i}");
            if i == 50 {
                assert_eq!(idx.sorted.len(), 2, "still probing in place");
            }
        }
        assert!(idx.sorted.is_empty(), "moved into the set");
        assert!(!idx.insert_new(h(11_999)) && !idx.insert_new(h(1)));
        // insert_new: stored or added keys are refused, a removed one comes back.
        let mut sorted: Vec<u128> = (0..100u64).map(h).collect();
        sorted.sort_unstable();
        let mut idx = KeyIndex {
            sorted: vec![sorted],
            probe_limit: 1_000,
            ..KeyIndex::default()
        };
        assert!(!idx.insert_new(h(5)), "stored");
        assert!(
            idx.insert_new(h(500)) && !idx.insert_new(h(500)),
            "added once"
        );
        idx.remove(h(500));
        assert!(idx.insert_new(h(500)), "forgotten after a refusal");
    }
}
