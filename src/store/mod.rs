//! The embedded store: partitioned Parquet under the data directory, made crash-safe by
//! a manifest committed last.
//!
//! ```text
//! <data-dir>/
//!   manifest.json                        the only source of truth: which files are live
//!   lock                                 held (flock) by the one writer at a time
//!   tables/<table>/day=YYYY-MM-DD/<ingest>-<n>.parquet
//!   rejects/<table>/<ingest>.csv         rows an ingest refused, with line and reason
//!   tmp/                                 files being written; cleared on open
//! ```
//!
//! A write goes: Parquet files into `tmp/` (fsynced) → renamed into their partition
//! directories (still invisible: not in the manifest) → `manifest.json.tmp` written and
//! fsynced → renamed over `manifest.json` → directory fsynced. A process killed at any
//! point leaves either the old manifest (the batch is absent; its renamed files are
//! orphans, deleted by the next writer) or the new one (the batch is wholly there).
//! Readers only ever read files the manifest lists.
//!
//! Besides the files: [`readers`] read the tables back as the core's inputs,
//! [`fold`] is the update tables' rule, [`summaries`] are the per-slot report
//! summaries kept beside the data, and [`verify`] reads everything back.

mod error;
pub mod fold;
mod keys;
mod manifest;
pub mod readers;
pub mod summaries;
mod verify;

pub use error::{At, Result, StoreError};
pub use keys::{KeyIndex, KeyPart, key_file_agrees, key_hash};
pub use manifest::{BacklogEvent, IngestRecord, Manifest, StoredFile};
pub use verify::verify;

use callboard_core::schema::Table;
use polars::prelude::{
    DataFrame, LazyFrame, ParquetCompression, ParquetWriter, PlRefPath, PolarsResult,
    ScanArgsParquet,
};
use std::collections::HashSet;
use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Name of the manifest file.
pub const MANIFEST: &str = "manifest.json";

/// An open store. Opening for writing takes an exclusive lock on `<dir>/lock`.
pub struct Store {
    root: PathBuf,
    manifest: Manifest,
    _lock: Option<File>,
}

/// The data directory: `--data-dir`, else `$CALLBOARD_DATA`, else `./callboard-data`.
pub fn resolve_data_dir(flag: Option<&Path>) -> PathBuf {
    match flag {
        Some(p) => p.to_path_buf(),
        None => std::env::var_os("CALLBOARD_DATA")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from("callboard-data")),
    }
}

impl Store {
    /// Opens (creating if needed) the store at `root` for writing: takes the writer
    /// lock, clears `tmp/` and deletes partition files no manifest lists (leftovers of a
    /// writer that was killed).
    pub fn open_for_write(root: &Path) -> Result<Store> {
        fs::create_dir_all(root).at("cannot create the data directory", root)?;
        let lock = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(root.join("lock"))
            .at("cannot open", &root.join("lock"))?;
        if lock.try_lock().is_err() {
            return Err(StoreError::Locked {
                dir: root.to_path_buf(),
            });
        }
        let manifest = Manifest::load(root)?;
        let store = Store {
            root: root.to_path_buf(),
            manifest,
            _lock: Some(lock),
        };
        store.clean_up()?;
        Ok(store)
    }

    /// Opens the store at `root` for reading (no lock: readers see the last committed
    /// manifest). A directory without a manifest reads as an empty store.
    pub fn open_read(root: &Path) -> Result<Store> {
        Ok(Store {
            root: root.to_path_buf(),
            manifest: Manifest::load(root)?,
            _lock: None,
        })
    }

    /// The data directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The committed manifest.
    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    /// A read-only view of this store that sees only the live files `keep` accepts
    /// (tables not asked about are seen whole): what the readers read when only part
    /// of a table matters, such as the days an ingest touched.
    pub fn view(&self, keep: impl Fn(Table, &StoredFile) -> bool) -> Store {
        let mut manifest = self.manifest.clone();
        for t in Table::ALL {
            if let Some(files) = manifest.tables.get_mut(t.name()) {
                files.retain(|f| keep(t, f));
            }
        }
        Store {
            root: self.root.clone(),
            manifest,
            _lock: None,
        }
    }

    /// Absolute paths of the live files of `table`.
    pub fn files(&self, table: Table) -> Vec<PathBuf> {
        self.manifest
            .files(table)
            .iter()
            .map(|f| self.root.join(&f.path))
            .collect()
    }

    /// Whether every row of `table` is the only one of its key: no ingest recorded an
    /// update (false when an ingest predates the record).
    pub fn never_updated(&self, table: Table) -> bool {
        self.manifest
            .ingests
            .iter()
            .filter(|r| r.table == table.name())
            .all(|r| r.updated == Some(0))
    }

    /// Rows stored in `table` (from the manifest, no file reads).
    pub fn row_count(&self, table: Table) -> u64 {
        self.manifest.files(table).iter().map(|f| f.rows).sum()
    }

    /// A lazy scan over every live file of `table`; `None` when the table is empty.
    pub fn scan(&self, table: Table) -> Result<Option<LazyFrame>> {
        let files = self.files(table);
        if files.is_empty() {
            return Ok(None);
        }
        let paths: Vec<PlRefPath> = files
            .iter()
            .map(|p| PlRefPath::try_from_path(p))
            .collect::<PolarsResult<_>>()
            .map_err(|source| StoreError::Table { table, source })?;
        let lf = LazyFrame::scan_parquet_files(paths.into(), ScanArgsParquet::default())
            .map_err(|source| StoreError::Table { table, source })?;
        Ok(Some(lf))
    }

    /// The id the next ingest will get: `NNNNNN-YYYYMMDDTHHMMSS`.
    pub fn next_ingest_id(&self, now: chrono::DateTime<chrono::Utc>) -> String {
        format!(
            "{:06}-{}",
            self.manifest.next_ingest,
            now.format("%Y%m%dT%H%M%S")
        )
    }

    /// The directory for temporary files.
    pub fn tmp_dir(&self) -> PathBuf {
        self.root.join("tmp")
    }

    fn clean_up(&self) -> Result<()> {
        let tmp = self.tmp_dir();
        if tmp.exists() {
            fs::remove_dir_all(&tmp).at("cannot clear", &tmp)?;
        }
        fs::create_dir_all(&tmp).at("cannot create", &tmp)?;
        // Live files and their key files.
        let live: HashSet<PathBuf> = Table::ALL
            .iter()
            .flat_map(|t| self.manifest.files(*t))
            .flat_map(|f| {
                let p = self.root.join(&f.path);
                [keys::key_file(&p), p]
            })
            .collect();
        let tables = self.root.join("tables");
        if !tables.exists() {
            return Ok(());
        }
        for table_dir in read_dir_paths(&tables)? {
            for part in read_dir_paths(&table_dir)? {
                for file in read_dir_paths(&part)? {
                    if !live.contains(&file) {
                        fs::remove_file(&file).at("cannot remove orphan", &file)?;
                    }
                }
            }
        }
        Ok(())
    }

    /// Makes a staged batch visible: moves its files into place and commits the
    /// manifest. On error nothing becomes visible.
    /// `backlog`, when given, replaces the queue_log lines held back for the next ingest.
    pub fn commit(
        &mut self,
        staged: Vec<StagedFile>,
        records: Vec<IngestRecord>,
        backlog: Option<Vec<BacklogEvent>>,
    ) -> Result<()> {
        crash_point("before-rename");
        let mut next = self.manifest.clone();
        let mut dirs = HashSet::new();
        for s in &staged {
            let dest = self.root.join(&s.rel_path);
            let dir = dest
                .parent()
                .expect("partition files live in a directory")
                .to_path_buf();
            fs::create_dir_all(&dir).at("cannot create", &dir)?;
            // The key file first: a live file may lack one (then its keys are read
            // from the file), never the other way round.
            let key_tmp = keys::key_file(&s.tmp_path);
            if key_tmp.exists() {
                fs::rename(&key_tmp, keys::key_file(&dest)).at("cannot move", &key_tmp)?;
            }
            fs::rename(&s.tmp_path, &dest).at("cannot move a staged file into", &dest)?;
            dirs.insert(dir);
            next.add_file(
                s.table,
                StoredFile {
                    path: s.rel_path.clone(),
                    partition: s.partition.clone(),
                    rows: s.rows,
                    max_span_ms: s.max_span_ms,
                },
            );
        }
        for d in &dirs {
            sync_dir(d)?;
        }
        crash_point("before-manifest");
        next.next_ingest += 1;
        next.version += 1;
        next.ingests.extend(records);
        if let Some(b) = backlog {
            next.queue_log_backlog = b;
        }
        next.save(&self.root)?;
        crash_point("after-manifest");
        self.manifest = next;
        Ok(())
    }

    /// Records the currency of cost rows (one per store).
    pub fn set_currency(&mut self, currency: &str) {
        if self.manifest.currency.is_none() {
            self.manifest.currency = Some(currency.to_owned());
        }
    }
}

/// A Parquet file written to `tmp/`, waiting for [`Store::commit`].
#[derive(Debug, Clone)]
pub struct StagedFile {
    /// Table.
    pub table: Table,
    /// Partition value (`YYYY-MM-DD` or `all`).
    pub partition: String,
    /// Where it is now.
    pub tmp_path: PathBuf,
    /// Where it goes, relative to the data directory.
    pub rel_path: String,
    /// Rows in it.
    pub rows: u64,
    /// The longest `end − start` of its rows, for tables of intervals.
    pub max_span_ms: Option<i64>,
}

/// Writes `df` to a new Parquet file in `tmp_dir`, fsynced, and describes where it
/// goes on commit.
pub fn stage_parquet(
    tmp_dir: &Path,
    table: Table,
    partition: &str,
    ingest_id: &str,
    seq: usize,
    df: &mut DataFrame,
) -> Result<StagedFile> {
    let name = format!("{ingest_id}-{seq}.parquet");
    let tmp_path = tmp_dir.join(format!("{}-{partition}-{name}", table.name()));
    let file = File::create(&tmp_path).at("cannot create", &tmp_path)?;
    let rows = df.height() as u64;
    let max_span_ms = interval_span(df);
    ParquetWriter::new(&file)
        .with_compression(ParquetCompression::Snappy)
        .finish(df)
        .at("cannot write", &tmp_path)?;
    file.sync_all().at("cannot sync", &tmp_path)?;
    if keys::has_key_files(table) {
        keys::write_key_file(table, df, &keys::key_file(&tmp_path))?;
    }
    let dir = if partition == "all" {
        "all".to_owned()
    } else {
        format!("day={partition}")
    };
    Ok(StagedFile {
        table,
        partition: partition.to_owned(),
        tmp_path,
        rel_path: format!("tables/{}/{dir}/{name}", table.name()),
        rows,
        max_span_ms,
    })
}

/// The longest `end − start` of a frame with both timestamp columns, ms.
fn interval_span(df: &DataFrame) -> Option<i64> {
    let ms = |c: &str| -> Option<polars::prelude::Series> {
        let s = df.column(c).ok()?.as_materialized_series();
        s.to_physical_repr()
            .cast(&polars::prelude::DataType::Int64)
            .ok()
    };
    let (start, end) = (ms("start")?, ms("end")?);
    let (start, end) = (start.i64().ok()?, end.i64().ok()?);
    Some(
        start
            .iter()
            .zip(end.iter())
            .filter_map(|(s, e)| Some(e? - s?))
            .max()
            .unwrap_or(0)
            .max(0),
    )
}

/// Writes `bytes` to `path` atomically (temp file, fsync, rename, directory fsync);
/// `before_rename` runs between the fsync and the rename.
pub fn write_atomic(path: &Path, bytes: &[u8], before_rename: impl FnOnce()) -> Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(dir).at("cannot create", dir)?;
    let tmp = path.with_extension("tmp");
    {
        let mut f = File::create(&tmp).at("cannot create", &tmp)?;
        f.write_all(bytes).at("cannot write", &tmp)?;
        f.sync_all().at("cannot sync", &tmp)?;
    }
    before_rename();
    fs::rename(&tmp, path).at("cannot replace", path)?;
    sync_dir(dir)
}

/// Writes each `(name, bytes)` into `dir` atomically as [`write_atomic`] does,
/// the many files at once: all written to temporary files, then each synced
/// (the disk takes them together), all renamed into place and the directory
/// synced once. A run killed midway leaves each file old or new, never half of
/// one (140 calendars: one directory sync instead of 140).
pub fn write_atomic_many(dir: &Path, files: &[(String, Vec<u8>)]) -> Result<()> {
    fs::create_dir_all(dir).at("cannot create", dir)?;
    let mut done = Vec::with_capacity(files.len());
    for (name, bytes) in files {
        let tmp = dir.join(format!("{name}.tmp"));
        let mut f = File::create(&tmp).at("cannot create", &tmp)?;
        f.write_all(bytes).at("cannot write", &tmp)?;
        done.push((tmp, dir.join(name)));
    }
    // Synced after all are written: the disk takes them together.
    for (tmp, _) in &done {
        File::open(tmp)
            .and_then(|f| f.sync_all())
            .at("cannot sync", tmp)?;
    }
    for (tmp, path) in &done {
        fs::rename(tmp, path).at("cannot replace", path)?;
    }
    sync_dir(dir)
}

/// Writes `path` through `write`, which is given a temporary path beside it
/// (`<stem>.tmp.<ext>`: writers that go by the extension still see it), then
/// syncs it and renames it into place: a run killed midway leaves the old file
/// or none, never half of one. For outputs streamed by a crate's own writer (a
/// PNG, a workbook, a large CSV). The temporary file is removed if anything
/// fails.
pub fn replace_by<E: From<std::io::Error>>(
    path: &Path,
    write: impl FnOnce(&Path) -> std::result::Result<(), E>,
) -> std::result::Result<(), E> {
    let stem = path.file_stem().unwrap_or_default().to_string_lossy();
    let name = match path.extension() {
        Some(ext) => format!("{stem}.tmp.{}", ext.to_string_lossy()),
        None => format!("{stem}.tmp"),
    };
    let tmp = path.with_file_name(name);
    let done = write(&tmp).and_then(|()| {
        File::open(&tmp).and_then(|f| f.sync_all())?;
        fs::rename(&tmp, path)?;
        let dir = path.parent().filter(|d| !d.as_os_str().is_empty());
        Ok(File::open(dir.unwrap_or(Path::new("."))).and_then(|d| d.sync_all())?)
    });
    if done.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    done
}

/// Fault injection for the crash-safety tests: with `CALLBOARD_CRASH_AT=<point>` the
/// process aborts there, as abruptly as `kill -9` (no destructors, no flushing).
pub(crate) fn crash_point(point: &str) {
    if std::env::var_os("CALLBOARD_CRASH_AT").is_some_and(|p| p == point) {
        std::process::abort();
    }
}

pub(crate) fn sync_dir(dir: &Path) -> Result<()> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .at("cannot sync directory", dir)
}

fn read_dir_paths(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for e in fs::read_dir(dir).at("cannot list", dir)? {
        out.push(e.at("cannot list", dir)?.path());
    }
    out.sort();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The names of the files in `dir`, sorted.
    fn names_in(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = fs::read_dir(dir)
            .expect("list")
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    /// Many files at once: each the new bytes, an old one replaced, an other
    /// file left alone, no temporary file left.
    #[test]
    fn many_files_are_written_whole_and_replace_the_old() {
        let dir = tempfile::tempdir().expect("dir");
        fs::write(dir.path().join("a.ics"), "old a").expect("write");
        fs::write(dir.path().join("keep.txt"), "kept").expect("write");
        let files = vec![
            ("a.ics".to_owned(), b"new a".to_vec()),
            ("b.ics".to_owned(), b"new b".to_vec()),
        ];
        write_atomic_many(dir.path(), &files).expect("written");
        assert_eq!(names_in(dir.path()), ["a.ics", "b.ics", "keep.txt"]);
        let read = |n: &str| fs::read_to_string(dir.path().join(n)).expect("read");
        assert_eq!(
            (read("a.ics"), read("b.ics"), read("keep.txt")),
            ("new a".into(), "new b".into(), "kept".into())
        );
        // A directory that cannot be made: an error naming it.
        let blocked = dir.path().join("keep.txt").join("sub");
        let err = write_atomic_many(&blocked, &files).expect_err("a file is in the way");
        assert!(err.to_string().contains("sub"), "{err}");
    }

    /// A replacement whose writer fails (after writing half a file) leaves the
    /// old file as it was and no temporary file; one that succeeds is the new
    /// file, and the writer saw the file's own extension.
    #[test]
    fn a_replacement_is_all_or_nothing() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("out.csv");
        fs::write(&path, "old\n").expect("write");
        let names = || names_in(dir.path());
        let failed = replace_by(&path, |tmp| {
            assert!(tmp.to_string_lossy().ends_with("out.tmp.csv"));
            fs::write(tmp, "half of a new")?;
            Err(std::io::Error::other("the writer failed"))
        });
        assert_eq!(failed.expect_err("failed").to_string(), "the writer failed");
        assert_eq!(fs::read_to_string(&path).expect("read"), "old\n");
        assert_eq!(names(), ["out.csv"]);
        replace_by(&path, |tmp| fs::write(tmp, "new\n")).expect("replaced");
        assert_eq!(fs::read_to_string(&path).expect("read"), "new\n");
        assert_eq!(names(), ["out.csv"]);
    }
}
