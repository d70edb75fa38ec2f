//! Input files: format detection, headers, and the row loops for CSV and Parquet.
//!
//! Each loop turns its rows into [`Cell`]s in the table spec's column order and hands
//! them to a callback with the row's position, so validation is written once.

use super::error::{IngestError, On, Result};
use callboard_core::time::{TimeZoneSpec, format_timestamp};
use callboard_core::validate::{Cell, MAX_COLUMNS};
use polars::prelude::{Column, DataType, ParquetReader, SerReader, TimeUnit};
use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

/// Rows per Parquet slice read at once.
const PARQUET_SLICE: usize = 1 << 16;

/// A file's format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Delimited text with a header row.
    Csv {
        /// Field delimiter.
        delimiter: u8,
    },
    /// Apache Parquet.
    Parquet,
}

/// An input file whose format and header are known.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// The path as given.
    pub path: PathBuf,
    /// Format.
    pub format: Format,
    /// Column names in file order.
    pub header: Vec<String>,
    /// Size in bytes.
    pub size: u64,
    /// How its lines end, to name the line a record starts on.
    pub lines: Lines,
}

/// How a CSV file's lines end, to name the line each record starts on. The csv
/// reader's own count for a record is where its scan began, before the blank
/// lines it skips (and with CRLF endings, on the '\n' of the line before), so
/// the line is counted back from where the reader stands after the record:
/// less the line breaks inside its quoted fields, less its own '\n' when the
/// reader has passed it (LF endings, except at an unterminated last line; with
/// CRLF the reader stops on the '\r').
#[derive(Debug, Clone, Copy, Default)]
pub struct Lines {
    crlf: bool,
    ends_with_newline: bool,
    size: u64,
}

impl Lines {
    /// The endings of the file at `path`: its first line's, and its last byte.
    pub fn probe(path: &Path) -> std::io::Result<Lines> {
        let mut f = File::open(path)?;
        let size = f.metadata()?.len();
        let mut head = vec![0u8; 64 * 1024];
        let n = read_up_to(&mut f, &mut head)?;
        Lines::of(&mut f, &head[..n], size)
    }

    /// The endings of `f`, `size` bytes, whose first bytes are `head` (its last
    /// byte read from `f`; the position is left anywhere).
    fn of(f: &mut File, head: &[u8], size: u64) -> std::io::Result<Lines> {
        let first_line = head.split(|&b| b == b'\n').next().unwrap_or(&[]);
        let mut last = [0u8; 1];
        if size > 0 {
            f.seek(SeekFrom::Start(size - 1))?;
            f.read_exact(&mut last)?;
        }
        Ok(Lines {
            crlf: first_line.ends_with(b"\r"),
            ends_with_newline: last[0] == b'\n',
            size,
        })
    }

    /// The line (1-based) a record just read starts on: `inside`, the line
    /// breaks inside its fields; `after`, the reader's position after it.
    pub fn start(&self, inside: u64, after: &csv::Position) -> u64 {
        let unterminated = after.byte() == self.size && !self.ends_with_newline;
        let own = u64::from(!self.crlf && !unterminated);
        after.line().saturating_sub(inside + own).max(2)
    }
}

/// The per-row callback: position, cells in spec order, and a problem found before
/// validation (wrong field count, bad UTF-8).
type RowFn<'f> = dyn FnMut(RowPosition, &[Cell<'_>], Option<&str>) -> Result<()> + 'f;

/// Where a row came from, for rejects.
#[derive(Debug, Clone, Copy)]
pub struct RowPosition {
    /// 1-based line in the file (CSV: the line the record starts on; the header is
    /// line 1) or 1-based row number (Parquet).
    pub line: u64,
    /// Byte offset of the record's start (CSV), for recovering its original text.
    pub byte: Option<u64>,
}

impl SourceFile {
    /// Opens `path`, tells CSV from Parquet, and reads the header. Errors are one
    /// sentence naming the file.
    pub fn open(path: &Path) -> Result<SourceFile> {
        let shown = path.display();
        let mut f = File::open(path)
            .map_err(|e| IngestError::input(&shown, format!("cannot open the file ({e})")))?;
        let size = f.metadata().map(|m| m.len()).unwrap_or(0);
        let mut head = vec![0u8; 64 * 1024];
        let n = read_up_to(&mut f, &mut head)
            .map_err(|e| IngestError::input(&shown, format!("cannot read the file ({e})")))?;
        head.truncate(n);
        if head.starts_with(b"PAR1") {
            let reader = ParquetReader::new(f);
            let mut reader = reader;
            let schema = reader.schema().map_err(|e| {
                IngestError::input(&shown, format!("not a readable Parquet file ({e})"))
            })?;
            let header = schema.iter_names().map(|s| s.to_string()).collect();
            return Ok(SourceFile {
                path: path.to_path_buf(),
                format: Format::Parquet,
                header,
                size,
                lines: Lines::default(),
            });
        }
        if n == 0 {
            return Err(IngestError::input(
                &shown,
                "the file is empty; a CSV file needs at least a header row".to_string(),
            ));
        }
        let text_end = if n == head.len() {
            floor_char_boundary(&head)
        } else {
            n
        };
        if head.contains(&0) || std::str::from_utf8(&head[..text_end]).is_err() {
            return Err(IngestError::input(
                &shown,
                "not a CSV or Parquet file (it holds binary data); export the table as UTF-8 CSV or Parquet".to_string(),
            ));
        }
        let first_line = head.split(|&b| b == b'\n').next().unwrap_or(&[]);
        let lines = Lines::of(&mut f, &head, size).on(&shown, "cannot read the file")?;
        let delimiter = [b',', b'\t', b';', b'|']
            .into_iter()
            .max_by_key(|d| first_line.iter().filter(|b| *b == d).count())
            .filter(|d| first_line.contains(d))
            .unwrap_or(b',');
        f.seek(SeekFrom::Start(0)).on(&shown, "cannot rewind")?;
        let mut rdr = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .flexible(true)
            .from_reader(BufReader::new(f));
        let header: Vec<String> = rdr
            .headers()
            .map_err(|e| {
                IngestError::at_line(&shown, 1, format!("cannot read the header row ({e})"))
            })?
            .iter()
            .map(|h| h.trim().trim_start_matches('\u{feff}').to_owned())
            .collect();
        Ok(SourceFile {
            path: path.to_path_buf(),
            format: Format::Csv { delimiter },
            header,
            size,
            lines,
        })
    }

    /// Calls `row` for every data row with cells in the order of `map` (`map[j]` is the
    /// file column of spec column `j`). `progress` gets the bytes (CSV) or rows
    /// (Parquet) done so far. Returns rows read.
    pub fn for_each_row(
        &self,
        map: &[Option<usize>],
        zone: &TimeZoneSpec,
        mut progress: impl FnMut(u64),
        mut row: impl FnMut(RowPosition, &[Cell<'_>], Option<&str>) -> Result<()>,
    ) -> Result<u64> {
        match self.format {
            Format::Csv { delimiter } => self.csv_rows(delimiter, map, &mut progress, &mut row),
            Format::Parquet => self.parquet_rows(map, zone, &mut progress, &mut row),
        }
    }

    fn csv_rows(
        &self,
        delimiter: u8,
        map: &[Option<usize>],
        progress: &mut dyn FnMut(u64),
        row: &mut RowFn<'_>,
    ) -> Result<u64> {
        let shown = self.path.display();
        let f = File::open(&self.path).on(&shown, "cannot open the file")?;
        let mut rdr = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .flexible(true)
            .buffer_capacity(1 << 20)
            .from_reader(BufReader::with_capacity(1 << 20, f));
        rdr.byte_headers()
            .on(&shown, "cannot read the header row")?;
        let width = self.header.len();
        let mut rec = csv::ByteRecord::new();
        let mut read = 0u64;
        loop {
            match rdr.read_byte_record(&mut rec) {
                Ok(true) => {}
                Ok(false) => break,
                Err(e) => {
                    let line = e.position().map(|p| p.line()).unwrap_or(0);
                    return Err(IngestError::at_line(
                        &shown,
                        line,
                        format!("cannot read the file further ({e})"),
                    ));
                }
            }
            read += 1;
            let pos = rec
                .position()
                .expect("records read from a reader have a position");
            let at = RowPosition {
                line: self.lines.start(newlines(rec.as_slice()), rdr.position()),
                byte: Some(pos.byte()),
            };
            if read.is_multiple_of(65_536) {
                progress(pos.byte());
            }
            if rec.len() != width {
                let why = format!("row has {} fields, the header has {width}", rec.len());
                row(at, &[], Some(&why))?;
                continue;
            }
            let mut bad = None;
            let mut cells = [Cell::Null; MAX_COLUMNS];
            for (j, m) in map.iter().enumerate() {
                cells[j] = match m {
                    None => Cell::Null,
                    Some(i) => match std::str::from_utf8(&rec[*i]) {
                        Ok(s) => Cell::Text(s),
                        Err(_) => {
                            bad = Some(format!("{}: not valid UTF-8 text", self.header[*i]));
                            Cell::Null
                        }
                    },
                };
            }
            row(at, &cells[..map.len()], bad.as_deref())?;
        }
        progress(self.size);
        Ok(read)
    }

    fn parquet_rows(
        &self,
        map: &[Option<usize>],
        zone: &TimeZoneSpec,
        progress: &mut dyn FnMut(u64),
        row: &mut RowFn<'_>,
    ) -> Result<u64> {
        let shown = self.path.display();
        let file = File::open(&self.path).on(&shown, "cannot open the file")?;
        let mut reader = ParquetReader::new(file.try_clone().on(&shown, "cannot open")?);
        let total = reader
            .num_rows()
            .on(&shown, "not a readable Parquet file")?;
        let metadata = reader
            .get_metadata()
            .on(&shown, "cannot read Parquet metadata")?
            .clone();
        let wanted: Vec<String> = map
            .iter()
            .flatten()
            .map(|&i| self.header[i].clone())
            .collect();
        let mut offset = 0usize;
        while offset < total {
            let mut r = ParquetReader::new(file.try_clone().on(&shown, "cannot open")?);
            r.set_metadata(metadata.clone());
            let df = r
                .with_columns(Some(wanted.clone()))
                .with_slice(Some((offset, PARQUET_SLICE)))
                .finish()
                .map_err(|e| {
                    IngestError::input(
                        &shown,
                        format!(
                            "cannot read rows {}–{} ({e})",
                            offset + 1,
                            offset + PARQUET_SLICE
                        ),
                    )
                })?;
            let height = df.height();
            if height == 0 {
                break;
            }
            let columns: Vec<Option<Vec<Cell<'_>>>> = map
                .iter()
                .map(|m| {
                    m.map(|i| {
                        column_cells(df.column(&self.header[i]).expect("projected column"), zone)
                    })
                    .transpose()
                })
                .collect::<Result<_, String>>()
                .map_err(|problem| IngestError::input(&shown, problem))?;
            for k in 0..height {
                let mut cells = [Cell::Null; MAX_COLUMNS];
                for (j, c) in columns.iter().enumerate() {
                    cells[j] = c.as_ref().map_or(Cell::Null, |v| v[k]);
                }
                let at = RowPosition {
                    line: (offset + k + 1) as u64,
                    byte: None,
                };
                row(at, &cells[..map.len()], None)?;
            }
            offset += height;
            progress(offset as u64);
        }
        Ok(offset as u64)
    }
}

/// One Parquet column as cells. Naive datetimes are local times in `zone`.
fn column_cells<'a>(c: &'a Column, zone: &TimeZoneSpec) -> Result<Vec<Cell<'a>>, String> {
    let s = c.as_materialized_series();
    Ok(match s.dtype() {
        DataType::String => s
            .str()
            .map_err(|e| e.to_string())?
            .iter()
            .map(|v| v.map_or(Cell::Null, Cell::Text))
            .collect(),
        DataType::Boolean => s
            .bool()
            .map_err(|e| e.to_string())?
            .iter()
            .map(|v| v.map_or(Cell::Null, Cell::Bool))
            .collect(),
        DataType::Float32 | DataType::Float64 => s
            .cast(&DataType::Float64)
            .map_err(|e| e.to_string())?
            .f64()
            .map_err(|e| e.to_string())?
            .iter()
            .map(|v| v.map_or(Cell::Null, Cell::Float))
            .collect(),
        dt if dt.is_integer() => s
            .cast(&DataType::Int64)
            .map_err(|e| e.to_string())?
            .i64()
            .map_err(|e| e.to_string())?
            .iter()
            .map(|v| v.map_or(Cell::Null, Cell::Int))
            .collect(),
        DataType::Date => s
            .date()
            .map_err(|e| e.to_string())?
            .physical()
            .iter()
            .map(|v| v.map_or(Cell::Null, Cell::DateDays))
            .collect(),
        DataType::Datetime(unit, tz) => {
            let per_ms = match unit {
                TimeUnit::Nanoseconds => 1_000_000,
                TimeUnit::Microseconds => 1_000,
                TimeUnit::Milliseconds => 1,
            };
            let naive = tz.is_none() && *zone != TimeZoneSpec::Utc;
            s.datetime()
                .map_err(|e| e.to_string())?
                .physical()
                .iter()
                .map(|v| match v {
                    None => Cell::Null,
                    Some(x) => {
                        let ms = x.div_euclid(per_ms);
                        if naive {
                            match zone.local_to_utc_ms(ms) {
                                Ok(t) => Cell::TimestampMs(t),
                                // Leave the text for the validator to explain.
                                Err(_) => Cell::Text(leak_free_naive(ms)),
                            }
                        } else {
                            Cell::TimestampMs(ms)
                        }
                    }
                })
                .collect()
        }
        other => {
            return Err(format!(
                "column {} has type {other}, which callboard cannot read; store it as text, number, boolean, date or datetime",
                c.name()
            ));
        }
    })
}

/// A static description for an impossible local time (no per-row allocation is kept).
fn leak_free_naive(_ms: i64) -> &'static str {
    "local time inside a daylight-saving gap"
}

/// The line breaks in `bytes`.
pub fn newlines(bytes: &[u8]) -> u64 {
    bytes.iter().filter(|b| **b == b'\n').count() as u64
}

/// Lines of a text held in memory, counted as an editor shows them, for
/// records met in order: each offset's line counted on from the last one's.
pub struct LineIndex<'a> {
    bytes: &'a [u8],
    counted_to: usize,
    line: u64,
}

impl<'a> LineIndex<'a> {
    /// An index of `bytes` (line 1 at offset 0).
    pub fn new(bytes: &'a [u8]) -> LineIndex<'a> {
        LineIndex {
            bytes,
            counted_to: 0,
            line: 1,
        }
    }

    /// The line (1-based) of the record the csv reader placed at `offset`: that
    /// is where the record before it ended, so the line breaks of blank lines
    /// (and a CRLF's '\n') are skipped to where the record itself starts.
    /// Offsets must not go back (an earlier one is taken as the last).
    pub fn line_of(&mut self, offset: usize) -> u64 {
        let mut at = offset.min(self.bytes.len());
        while at < self.bytes.len() && matches!(self.bytes[at], b'\n' | b'\r') {
            at += 1;
        }
        let at = at.max(self.counted_to);
        self.line += newlines(&self.bytes[self.counted_to..at]);
        self.counted_to = at;
        self.line
    }
}

/// Re-reads the original text of the CSV record starting at byte `start`.
pub fn original_csv_record(path: &Path, delimiter: u8, start: u64) -> Option<String> {
    let mut f = File::open(path).ok()?;
    f.seek(SeekFrom::Start(start)).ok()?;
    let mut rdr = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(BufReader::new(f.try_clone().ok()?));
    let mut rec = csv::ByteRecord::new();
    rdr.read_byte_record(&mut rec).ok()?;
    let len = rdr.position().byte();
    let mut buf = vec![0u8; len as usize];
    f.seek(SeekFrom::Start(start)).ok()?;
    f.read_exact(&mut buf).ok()?;
    let text = String::from_utf8_lossy(&buf);
    Some(text.trim_matches(['\r', '\n']).to_owned())
}

/// Renders cells as a CSV line (Parquet rows have no original text).
pub fn cells_as_text(cells: &[Cell<'_>]) -> String {
    let fields: Vec<String> = cells
        .iter()
        .map(|c| match *c {
            Cell::Null => String::new(),
            Cell::Text(s) => s.to_owned(),
            Cell::Int(i) => i.to_string(),
            Cell::Float(x) => x.to_string(),
            Cell::Bool(b) => b.to_string(),
            Cell::TimestampMs(t) => format_timestamp(t),
            Cell::DateDays(d) => callboard_core::time::format_date(d),
        })
        .collect();
    // Into memory: the only failure would be a bug in csv, and then the reject
    // keeps its line and reason with an empty original rather than none at all.
    let mut w = csv::WriterBuilder::new().from_writer(Vec::new());
    if w.write_record(&fields).is_err() {
        return String::new();
    }
    let bytes = w.into_inner().unwrap_or_default();
    String::from_utf8_lossy(&bytes).trim_end().to_owned()
}

fn read_up_to(f: &mut File, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match f.read(&mut buf[n..])? {
            0 => break,
            k => n += k,
        }
    }
    Ok(n)
}

/// The longest prefix of `b` that does not end inside a UTF-8 sequence.
fn floor_char_boundary(b: &[u8]) -> usize {
    let mut end = b.len();
    while end > 0 && end > b.len().saturating_sub(4) && (b[end - 1] & 0xC0) == 0x80 {
        end -= 1;
    }
    if end > 0 && b[end - 1] >= 0xC0 {
        end - 1
    } else {
        end
    }
}
