//! Tables whose rows change after they are loaded (tickets, agents): a later row with
//! a stored key updates it — its non-empty fields win, and `created_at` keeps the
//! earliest value — unless it changes nothing, when it is a duplicate.
//!
//! The store keeps every accepted row (append-only, in manifest order); the current
//! row of a key is the fold of its rows in that order. Readers fold the same way.

use super::error::{On, Result};
use super::source::SourceFile;
use crate::store::{KeyPart, Store, key_hash};
use callboard_core::schema::Table;
use callboard_core::time::TimeZoneSpec;
use callboard_core::validate::{FieldError, IntervalIndex, MAX_COLUMNS, RowValidator, Value};
use polars::prelude::{ParquetReader, SerReader};
use std::collections::HashMap;
use std::fs::File;

/// An owned copy of a stored value.
#[derive(Debug, Clone, PartialEq)]
pub enum Owned {
    /// Empty.
    Null,
    /// Text.
    Str(Box<str>),
    /// Float.
    Float(f64),
    /// Count.
    Count(u32),
    /// Boolean.
    Bool(bool),
    /// Timestamp ms.
    Ts(i64),
    /// Date days.
    Date(i32),
}

impl Owned {
    fn from_value(v: &Value<'_>) -> Owned {
        match *v {
            Value::Null => Owned::Null,
            Value::Str(s) => Owned::Str(s.into()),
            Value::Float(x) => Owned::Float(x),
            Value::Count(c) => Owned::Count(c),
            Value::Bool(b) => Owned::Bool(b),
            Value::TimestampMs(t) => Owned::Ts(t),
            Value::DateDays(d) => Owned::Date(d),
        }
    }

    fn as_value(&self) -> Value<'_> {
        match self {
            Owned::Null => Value::Null,
            Owned::Str(s) => Value::Str(s),
            Owned::Float(x) => Value::Float(*x),
            Owned::Count(c) => Value::Count(*c),
            Owned::Bool(b) => Value::Bool(*b),
            Owned::Ts(t) => Value::TimestampMs(*t),
            Owned::Date(d) => Value::DateDays(*d),
        }
    }
}

/// What applying a row did.
pub enum Applied {
    /// A key not seen before.
    New,
    /// Changed a stored row.
    Updated,
    /// Changed nothing.
    Duplicate,
    /// The merged row breaks a row rule.
    Invalid(FieldError),
}

/// Current rows by key.
pub struct UpdateState {
    rows: HashMap<u128, Vec<Owned>>,
    key_idx: Vec<usize>,
    earliest_idx: Option<usize>,
}

impl UpdateState {
    /// Folds every stored row of `table`.
    pub fn load(store: &Store, table: Table) -> Result<UpdateState> {
        let spec = table.spec();
        let mut state = UpdateState {
            rows: HashMap::new(),
            key_idx: spec
                .key
                .iter()
                .map(|k| spec.index_of(k).expect("keys name columns"))
                .collect(),
            earliest_idx: spec.index_of("created_at"),
        };
        let validator = RowValidator::new(spec, TimeZoneSpec::Utc);
        for path in store.files(table) {
            let source = SourceFile::open(&path)?;
            let map: Vec<Option<usize>> = spec
                .columns
                .iter()
                .map(|c| source.header.iter().position(|h| h == c.name))
                .collect();
            source.for_each_row(
                &map,
                &TimeZoneSpec::Utc,
                |_| {},
                |_, cells, _| {
                    if let Ok(row) = validator.parse_fields(cells) {
                        let _ =
                            state.apply(state.hash(&row), &row[..spec.columns.len()], &validator);
                    }
                    Ok(())
                },
            )?;
        }
        Ok(state)
    }

    fn hash(&self, row: &[Value<'_>]) -> u128 {
        let parts: Vec<KeyPart<'_>> = self
            .key_idx
            .iter()
            .map(|&k| match row[k] {
                Value::Str(s) => KeyPart::Str(s),
                Value::TimestampMs(t) => KeyPart::Int(t),
                _ => KeyPart::Null,
            })
            .collect();
        key_hash(&parts, &mut Vec::new())
    }

    /// Applies `row` (whose key hashes to `h`).
    pub fn apply(&mut self, h: u128, row: &[Value<'_>], validator: &RowValidator) -> Applied {
        let Some(current) = self.rows.get(&h) else {
            self.rows
                .insert(h, row.iter().map(Owned::from_value).collect());
            return Applied::New;
        };
        let mut merged = current.clone();
        for (i, v) in row.iter().enumerate() {
            if *v == Value::Null {
                continue;
            }
            let new = Owned::from_value(v);
            merged[i] = match (Some(i) == self.earliest_idx, &merged[i], &new) {
                (true, Owned::Ts(old), Owned::Ts(n)) => Owned::Ts((*old).min(*n)),
                _ => new,
            };
        }
        if &merged == current {
            return Applied::Duplicate;
        }
        let mut check = [Value::Null; MAX_COLUMNS];
        for (i, m) in merged.iter().enumerate() {
            check[i] = m.as_value();
        }
        if let Err(e) = validator.check_row(&check) {
            return Applied::Invalid(e);
        }
        self.rows.insert(h, merged);
        Applied::Updated
    }
}

/// Every stored agent-state interval, for the overlap rule.
pub fn load_intervals(store: &Store) -> Result<IntervalIndex> {
    let mut idx = IntervalIndex::new();
    for path in store.files(Table::AgentStates) {
        add_intervals(&mut idx, &path)?;
    }
    Ok(idx)
}

/// Adds the intervals of one stored agent-states file.
pub fn add_intervals(idx: &mut IntervalIndex, path: &std::path::Path) -> Result<()> {
    let file = File::open(path).on(path.display(), "cannot open")?;
    let df = ParquetReader::new(file)
        .with_columns(Some(vec!["agent_id".into(), "start".into(), "end".into()]))
        .finish()
        .on(path.display(), "cannot read")?;
    let columns = || -> polars::prelude::PolarsResult<_> {
        let agent = df.column("agent_id")?.str()?.clone();
        let start = df
            .column("start")?
            .as_materialized_series()
            .to_physical_repr()
            .i64()?
            .clone();
        let end = df
            .column("end")?
            .as_materialized_series()
            .to_physical_repr()
            .i64()?
            .clone();
        Ok((agent, start, end))
    };
    let (agent, start, end) = columns().on(path.display(), "cannot read")?;
    for ((a, s), e) in agent.iter().zip(start.iter()).zip(end.iter()) {
        if let (Some(a), Some(s), Some(e)) = (a, s, e) {
            idx.insert(a, s, e);
        }
    }
    Ok(())
}
