//! `kpis.xlsx`: the KPI tables (total, by day, by queue, by agent) and ticket
//! compliance as a workbook — real numbers with number formats (percentages,
//! seconds, counts), frozen header rows, and each KPI cell filled with its
//! status colour (green good, yellow watch, red poor).

use super::{Pack, ReportError};
use crate::charts::build::local_day;
use crate::query::kpi::KpiReport;
use callboard_core::kpi::catalog::{KPIS, Status, Unit};
use callboard_core::time::format_date;
use rust_xlsxwriter::{Color, Format, Workbook, Worksheet, XlsxError};
use std::path::Path;

fn number_format(unit: Unit) -> &'static str {
    match unit {
        Unit::Ratio => "0.0%",
        Unit::Seconds => "0.0",
        Unit::Count => "#,##0",
        Unit::Currency => "#,##0.00",
        Unit::Rings | Unit::PerHour | Unit::Score => "0.00",
    }
}

fn fill(status: Status) -> Option<Color> {
    match status {
        Status::Good => Some(Color::RGB(0xD9_F0_DF)),
        Status::Watch => Some(Color::RGB(0xFC_F0_C8)),
        Status::Poor => Some(Color::RGB(0xF6_D3_CF)),
        Status::Unknown => None,
    }
}

fn cell_format(unit: Unit, status: Status) -> Format {
    let f = Format::new().set_num_format(number_format(unit));
    match fill(status) {
        Some(c) => f.set_background_color(c),
        None => f,
    }
}

fn header(ws: &mut Worksheet, names: &[String]) -> Result<(), XlsxError> {
    let bold = Format::new()
        .set_bold()
        .set_background_color(Color::RGB(0xEE_EE_EE));
    for (c, n) in names.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, n, &bold)?;
    }
    ws.set_freeze_panes(1, 1)?;
    ws.set_column_width(0, 22)?;
    Ok(())
}

/// One sheet: a label column, the call counts, then the 23 KPIs (ids as headers).
fn kpi_sheet(
    ws: &mut Worksheet,
    name: &str,
    report: &KpiReport,
    label: &dyn Fn(&callboard_core::kpi::report::Row) -> String,
    first: &str,
) -> Result<(), XlsxError> {
    ws.set_name(name)?;
    let mut names = vec![
        first.to_string(),
        "calls".into(),
        "answered".into(),
        "abandoned".into(),
    ];
    names.extend(KPIS.iter().map(|k| k.id.to_string()));
    header(ws, &names)?;
    let count = Format::new().set_num_format("#,##0");
    for (i, row) in report.rows.iter().enumerate() {
        let r = i as u32 + 1;
        ws.write_string(r, 0, label(row))?;
        ws.write_number_with_format(r, 1, row.counts.total as f64, &count)?;
        ws.write_number_with_format(r, 2, row.counts.answered as f64, &count)?;
        ws.write_number_with_format(r, 3, row.counts.abandoned as f64, &count)?;
        for (j, def) in KPIS.iter().enumerate() {
            let c = 4 + j as u16;
            if let Some(k) = row.kpis.iter().find(|k| k.id == def.id)
                && let Some(v) = k.value
            {
                ws.write_number_with_format(r, c, v, &cell_format(def.unit, k.status))?;
            }
        }
    }
    for j in 1..names.len() as u16 {
        ws.set_column_width(j, 14)?;
    }
    Ok(())
}

fn build(pack: &Pack, path: &Path) -> Result<(), XlsxError> {
    let d = &pack.data;
    let mut wb = Workbook::new();
    // Total: one row per KPI, with target, status and the previous period.
    {
        let ws = wb.add_worksheet();
        ws.set_name("Total")?;
        let names: Vec<String> = [
            "kpi", "name", "value", "unit", "target", "status", "previous",
        ]
        .iter()
        .map(|s| (*s).to_string())
        .collect();
        header(ws, &names)?;
        ws.set_column_width(1, 30)?;
        ws.set_column_width(4, 36)?;
        let now = d.total.rows.first();
        let before = d.previous.as_ref().and_then(|p| p.rows.first());
        for (i, def) in KPIS.iter().enumerate() {
            let r = i as u32 + 1;
            ws.write_string(r, 0, def.id)?;
            ws.write_string(r, 1, def.name)?;
            let k = now.and_then(|row| row.kpis.iter().find(|k| k.id == def.id));
            if let Some(v) = k.and_then(|k| k.value) {
                let st = k.map_or(Status::Unknown, |k| k.status);
                ws.write_number_with_format(r, 2, v, &cell_format(def.unit, st))?;
            }
            ws.write_string(r, 3, def.unit.as_str())?;
            ws.write_string(r, 4, def.target_text)?;
            ws.write_string(r, 5, k.map_or("unknown", |k| k.status.as_str()))?;
            if let Some(v) = before
                .and_then(|row| row.kpis.iter().find(|k| k.id == def.id))
                .and_then(|k| k.value)
            {
                ws.write_number_with_format(
                    r,
                    6,
                    v,
                    &Format::new().set_num_format(number_format(def.unit)),
                )?;
            }
        }
    }
    let zone = d.by_day.settings.zone;
    let day = move |row: &callboard_core::kpi::report::Row| {
        row.bucket_start
            .map(|b| format_date(local_day(b, &zone)))
            .unwrap_or_default()
    };
    kpi_sheet(wb.add_worksheet(), "By day", &d.by_day, &day, "day")?;
    let group = |row: &callboard_core::kpi::report::Row| row.group.clone().unwrap_or_default();
    kpi_sheet(wb.add_worksheet(), "By queue", &d.by_queue, &group, "queue")?;
    kpi_sheet(wb.add_worksheet(), "By agent", &d.by_agent, &group, "agent")?;
    if let Some(t) = &d.tickets {
        let ws = wb.add_worksheet();
        ws.set_name("Tickets")?;
        let names: Vec<String> = [
            "month",
            "rule",
            "met",
            "breached",
            "open",
            "not_applicable",
            "compliance",
        ]
        .iter()
        .map(|s| (*s).to_string())
        .collect();
        header(ws, &names)?;
        ws.set_column_width(1, 26)?;
        let pct = Format::new().set_num_format("0.0%");
        let mut r = 1u32;
        for row in &t.rows {
            let month = row
                .bucket_start
                .map(|b| format_date(local_day(b, &t.settings.zone)))
                .unwrap_or_default();
            for (rule, c) in t.policy.rules.iter().zip(&row.rules) {
                ws.write_string(r, 0, &month)?;
                ws.write_string(r, 1, &rule.id)?;
                ws.write_number(r, 2, c.met as f64)?;
                ws.write_number(r, 3, c.breached as f64)?;
                ws.write_number(r, 4, c.open as f64)?;
                ws.write_number(r, 5, c.not_applicable as f64)?;
                if let Some(v) = c.compliance() {
                    ws.write_number_with_format(r, 6, v, &pct)?;
                }
                r += 1;
            }
        }
    }
    wb.save(path)
}

/// Writes the workbook to `path`.
pub fn workbook(pack: &Pack, path: &Path) -> Result<(), ReportError> {
    // Saved beside and renamed: a run killed midway leaves the old workbook.
    crate::store::replace_by(path, |tmp| build(pack, tmp)).map_err(|e| ReportError::Workbook {
        path: path.to_path_buf(),
        message: e.to_string(),
    })
}
