//! Columnar builders: validated rows → a polars `DataFrame` in the store's schema.
//!
//! Stored types: text and enums → `String`; timestamps (and date-or-timestamp) →
//! `Datetime(ms)` holding UTC; dates → `Date`; floats → `Float64`; counts → `UInt32`;
//! booleans → `Boolean`. Values are appended straight into Arrow buffers: no allocation
//! per row.

use callboard_core::schema::{ColumnType, TableSpec};
use callboard_core::validate::Value;
use polars::prelude::*;

enum ColumnBuilder {
    Text(StringChunkedBuilder),
    Float(PrimitiveChunkedBuilder<Float64Type>),
    Count(PrimitiveChunkedBuilder<UInt32Type>),
    Bool(BooleanChunkedBuilder),
    Timestamp(PrimitiveChunkedBuilder<Int64Type>),
    Date(PrimitiveChunkedBuilder<Int32Type>),
}

/// Rows of one table (one partition) being gathered before a Parquet write.
pub struct TableBuilder {
    spec: &'static TableSpec,
    columns: Vec<ColumnBuilder>,
    rows: usize,
}

impl TableBuilder {
    /// An empty builder with room for `capacity` rows.
    pub fn new(spec: &'static TableSpec, capacity: usize) -> Self {
        let columns = spec
            .columns
            .iter()
            .map(|c| {
                let name = PlSmallStr::from_static(c.name);
                match c.column_type {
                    ColumnType::String | ColumnType::Enum(_) => {
                        ColumnBuilder::Text(StringChunkedBuilder::new(name, capacity))
                    }
                    ColumnType::Float => {
                        ColumnBuilder::Float(PrimitiveChunkedBuilder::new(name, capacity))
                    }
                    ColumnType::Count => {
                        ColumnBuilder::Count(PrimitiveChunkedBuilder::new(name, capacity))
                    }
                    ColumnType::Bool => {
                        ColumnBuilder::Bool(BooleanChunkedBuilder::new(name, capacity))
                    }
                    ColumnType::Timestamp | ColumnType::DateOrTimestamp => {
                        ColumnBuilder::Timestamp(PrimitiveChunkedBuilder::new(name, capacity))
                    }
                    ColumnType::Date => {
                        ColumnBuilder::Date(PrimitiveChunkedBuilder::new(name, capacity))
                    }
                }
            })
            .collect();
        TableBuilder {
            spec,
            columns,
            rows: 0,
        }
    }

    /// Rows appended so far.
    pub fn len(&self) -> usize {
        self.rows
    }

    /// Whether no rows were appended.
    pub fn is_empty(&self) -> bool {
        self.rows == 0
    }

    /// Appends a validated row (values in spec order; their types match by
    /// construction of the validator).
    pub fn push(&mut self, row: &[Value<'_>]) {
        for (b, v) in self.columns.iter_mut().zip(row) {
            match (b, *v) {
                (ColumnBuilder::Text(b), Value::Str(s)) => b.append_value(s),
                (ColumnBuilder::Text(b), _) => b.append_null(),
                (ColumnBuilder::Float(b), Value::Float(x)) => b.append_value(x),
                (ColumnBuilder::Float(b), _) => b.append_null(),
                (ColumnBuilder::Count(b), Value::Count(x)) => b.append_value(x),
                (ColumnBuilder::Count(b), _) => b.append_null(),
                (ColumnBuilder::Bool(b), Value::Bool(x)) => b.append_value(x),
                (ColumnBuilder::Bool(b), _) => b.append_null(),
                (ColumnBuilder::Timestamp(b), Value::TimestampMs(x)) => b.append_value(x),
                (ColumnBuilder::Timestamp(b), _) => b.append_null(),
                (ColumnBuilder::Date(b), Value::DateDays(x)) => b.append_value(x),
                (ColumnBuilder::Date(b), _) => b.append_null(),
            }
        }
        self.rows += 1;
    }

    /// Finishes into a `DataFrame` and leaves an empty builder behind.
    pub fn take(&mut self) -> DataFrame {
        let fresh = TableBuilder::new(self.spec, 1024);
        let old = std::mem::replace(self, fresh);
        let height = old.rows;
        let columns: Vec<Column> = old
            .columns
            .into_iter()
            .map(|b| match b {
                ColumnBuilder::Text(b) => b.finish().into_column(),
                ColumnBuilder::Float(b) => b.finish().into_column(),
                ColumnBuilder::Count(b) => b.finish().into_column(),
                ColumnBuilder::Bool(b) => b.finish().into_column(),
                ColumnBuilder::Timestamp(b) => b
                    .finish()
                    .into_datetime(TimeUnit::Milliseconds, None)
                    .into_column(),
                ColumnBuilder::Date(b) => b.finish().into_date().into_column(),
            })
            .collect();
        DataFrame::new(height, columns).expect("every column has one value per row")
    }
}

/// The stored polars type of a column type.
pub fn stored_dtype(t: ColumnType) -> DataType {
    match t {
        ColumnType::String | ColumnType::Enum(_) => DataType::String,
        ColumnType::Float => DataType::Float64,
        ColumnType::Count => DataType::UInt32,
        ColumnType::Bool => DataType::Boolean,
        ColumnType::Timestamp | ColumnType::DateOrTimestamp => {
            DataType::Datetime(TimeUnit::Milliseconds, None)
        }
        ColumnType::Date => DataType::Date,
    }
}
