//! The management review pack (`callboard report`): from [`ReportData`] (the
//! queries' results) to the charts with their sentences ([`assemble`]), then the
//! files ([`write`]): `index.html` (self-contained, inline SVG and CSS, prints on
//! A4/Letter), `charts/*.png|svg`, `kpis.xlsx` and `report.json` — the numbers every
//! chart and sentence used, in the queries' own JSON shapes.

pub mod html;
pub mod sentences;
mod xlsx;

use crate::charts::build::{self as cb, value};
use crate::charts::{Body, Chart, ChartError};
use crate::query::kpi::KpiReport;
use crate::query::report::{ForecastDay, HourStaffing, ReportData};
use crate::query::tickets::TicketsReport;
use callboard_core::time::{DAY_MS, format_date};
use rayon::prelude::*;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// A chart in the pack: the drawing's data and what it says.
#[derive(Debug, Clone)]
pub struct Figure {
    /// The chart.
    pub chart: Chart,
    /// Two or three sentences from its numbers.
    pub sentences: Vec<String>,
}

/// The pack before it is written.
#[derive(Debug, Clone)]
pub struct Pack {
    /// The numbers.
    pub data: ReportData,
    /// The centre's name for titles and source lines.
    pub centre: String,
    /// The charts drawn, in reading order.
    pub figures: Vec<Figure>,
    /// Charts left out: (id, why).
    pub left_out: Vec<(&'static str, String)>,
}

/// Which files to write (`report.json` is always written).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Formats {
    /// `index.html`.
    pub html: bool,
    /// `charts/*.png`.
    pub png: bool,
    /// `charts/*.svg`.
    pub svg: bool,
    /// `kpis.xlsx`.
    pub xlsx: bool,
}

impl Default for Formats {
    fn default() -> Self {
        Formats {
            html: true,
            png: true,
            svg: true,
            xlsx: true,
        }
    }
}

/// What went wrong writing the pack.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// A chart could not be drawn.
    #[error(transparent)]
    Chart(#[from] ChartError),
    /// A file could not be written.
    #[error("{}: {source}", path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The workbook could not be written.
    #[error("{}: {message}", path.display())]
    Workbook {
        /// The file.
        path: PathBuf,
        /// Why.
        message: String,
    },
}

/// `path` replaced whole by `bytes` (a run killed midway leaves the old file).
fn write_file(path: &Path, bytes: &[u8]) -> Result<(), ReportError> {
    crate::store::write_atomic(path, bytes, || {}).map_err(|e| ReportError::Write {
        path: path.to_path_buf(),
        source: std::io::Error::other(e.to_string()),
    })
}

/// Local day and a value per row of a by-day report.
fn per_day(report: &crate::query::kpi::KpiReport, id: &str) -> Vec<(i32, Option<f64>)> {
    report
        .rows
        .iter()
        .filter_map(|r| {
            Some((
                cb::local_day(r.bucket_start?, &report.settings.zone),
                value(r, id),
            ))
        })
        .collect()
}

/// The charts and their sentences, each where its data exist.
pub fn assemble(data: &ReportData, centre: &str) -> Pack {
    let mut figures = Vec::new();
    let mut left_out = Vec::new();
    let mut add =
        |id: &'static str, built: cb::Built, say: &dyn Fn(&Chart) -> Vec<String>| match built {
            Ok(chart) => {
                let sentences = say(&chart);
                figures.push(Figure { chart, sentences });
            }
            Err(note) => left_out.push((id, note)),
        };
    let sl_target = cb::target("service_level").map_or(0.8, |t| t.value);
    let zone = &data.by_day.settings.zone;
    let hourly: Vec<(i32, u32, Option<f64>)> = data
        .by_hour
        .rows
        .iter()
        .filter_map(|r| {
            let t = r.bucket_start?;
            let local = t + zone.offset_ms_at(t);
            Some((
                local.div_euclid(DAY_MS) as i32,
                (local.rem_euclid(DAY_MS) / 3_600_000) as u32,
                value(r, "service_level"),
            ))
        })
        .collect();
    add(
        "contacts_per_day",
        cb::contacts_per_day(&data.by_day, centre),
        &|_| {
            let days: Vec<(i32, u64, u64, u64)> = data
                .by_day
                .rows
                .iter()
                .filter_map(|r| {
                    Some((
                        cb::local_day(r.bucket_start?, zone),
                        r.counts.total,
                        r.counts.answered,
                        r.counts.abandoned,
                    ))
                })
                .collect();
            sentences::contacts(&days)
        },
    );
    add(
        "service_level_per_day",
        cb::service_level_per_day(&data.by_day, centre),
        &|_| sentences::service_level(&per_day(&data.by_day, "service_level"), &hourly, sl_target),
    );
    match data.focus_day {
        Some(day) => add(
            "service_level_by_hour",
            cb::service_level_by_hour(&data.by_hour, day, centre),
            &|_| {
                let hours: Vec<(u32, Option<f64>)> = hourly
                    .iter()
                    .filter(|(d, _, _)| *d == day)
                    .map(|(_, h, v)| (*h, *v))
                    .collect();
                sentences::service_level_hours(day, &hours, sl_target)
            },
        ),
        None => add(
            "service_level_by_hour",
            Err("no day with offered calls: service level by hour is left out".into()),
            &|_| Vec::new(),
        ),
    }
    match data.focus_day {
        Some(day) => add(
            "required_vs_scheduled",
            cb::required_vs_scheduled(&data.staffing, day, &data.total, centre),
            &|_| sentences::staffing(day, &data.staffing),
        ),
        None => add(
            "required_vs_scheduled",
            Err("no day with offered calls: required against scheduled agents is left out".into()),
            &|_| Vec::new(),
        ),
    }
    add(
        "asa_and_aht_per_day",
        cb::asa_and_aht_per_day(&data.by_day, centre),
        &|_| {
            vec![
                sentences::seconds_range(
                    "average speed of answer",
                    &per_day(&data.by_day, "average_speed_of_answer"),
                    cb::target("average_speed_of_answer").map(|t| t.value),
                ),
                sentences::seconds_range(
                    "average handle time",
                    &per_day(&data.by_day, "average_handle_time"),
                    cb::target("average_handle_time").map(|t| t.value),
                ),
            ]
        },
    );
    add(
        "abandon_per_day",
        cb::abandon_per_day(&data.by_day, centre),
        &|_| {
            sentences::abandons(
                &per_day(&data.by_day, "abandon_rate"),
                cb::target("abandon_rate").map(|t| t.value),
                data.total
                    .rows
                    .first()
                    .and_then(|r| value(r, "average_time_to_abandon")),
            )
        },
    );
    add(
        "forecast_vs_actual",
        cb::forecast_vs_actual(&data.forecast_days, &data.total, centre),
        &|_| sentences::forecast(&data.forecast_days),
    );
    add(
        "offered_heatmap",
        cb::offered_heatmap(&data.by_hour, centre),
        &|_| sentences::heatmap(&cb::offered_by_weekday_hour(&data.by_hour)),
    );
    add(
        "agent_time_per_week",
        cb::agent_time_per_week(&data.by_week, &data.weekly_shrinkage, centre),
        &|chart| match &chart.body {
            Body::Lines { panels, .. } => sentences::agent_time(
                &panels
                    .iter()
                    .map(|p| (p.series[0].name.as_str(), p.series[0].values.clone()))
                    .collect::<Vec<_>>(),
            ),
            _ => Vec::new(),
        },
    );
    add(
        "agents_scatter",
        cb::agents_scatter(&data.by_agent, &data.teams, centre),
        &|chart| match &chart.body {
            Body::Scatter {
                points, y_label, ..
            } => sentences::agents(
                points.len(),
                points.iter().filter(|p| p.flagged).count(),
                &points
                    .iter()
                    .filter(|p| p.labelled)
                    .map(|p| p.label.clone())
                    .collect::<Vec<_>>(),
                if y_label.starts_with("first") {
                    "a first-call resolution"
                } else {
                    "a QA score"
                },
            ),
            _ => Vec::new(),
        },
    );
    match &data.tickets {
        Some(t) => add(
            "ticket_compliance",
            cb::ticket_compliance(t, &data.total, centre),
            &|_| {
                let months: Vec<String> = t
                    .rows
                    .iter()
                    .filter_map(|r| {
                        Some(cb::month_label(cb::local_day(
                            r.bucket_start?,
                            &t.settings.zone,
                        )))
                    })
                    .collect();
                let rules: Vec<sentences::RuleMonths> = t
                    .policy
                    .rules
                    .iter()
                    .enumerate()
                    .map(|(k, rule)| {
                        (
                            rule.id.replace('_', " "),
                            t.rows
                                .iter()
                                .zip(&months)
                                .map(|(r, m)| {
                                    let c = r.rules.get(k);
                                    (
                                        m.clone(),
                                        c.and_then(|c| c.compliance()),
                                        c.map_or(0, |c| c.breached),
                                    )
                                })
                                .collect(),
                        )
                    })
                    .collect();
                sentences::tickets(&rules)
            },
        ),
        None => add(
            "ticket_compliance",
            Err("the store holds no tickets: ticket compliance is left out".into()),
            &|_| Vec::new(),
        ),
    }

    Pack {
        data: data.clone(),
        centre: centre.to_owned(),
        figures,
        left_out,
    }
}

/// The default output directory: `<base>/<first day>_<last day>`.
pub fn default_dir(base: &Path, data: &ReportData) -> PathBuf {
    let s = &data.total.settings;
    let day = |ms: i64| format_date(cb::local_day(ms, &s.zone));
    base.join(format!("{}_{}", day(s.from_ms), day(s.to_ms - 1)))
}

/// The files written.
#[derive(Debug, Clone, Default)]
pub struct Written {
    /// Every file, in writing order.
    pub files: Vec<PathBuf>,
    /// `index.html`, when written.
    pub index: Option<PathBuf>,
}

/// Writes the pack into `dir`; `step` is told each part as it is done (for a
/// progress bar).
pub fn write(
    pack: &Pack,
    dir: &Path,
    formats: Formats,
    step: &(dyn Fn(&str) + Sync),
) -> Result<Written, ReportError> {
    let charts_dir = dir.join("charts");
    std::fs::create_dir_all(&charts_dir).map_err(|source| ReportError::Write {
        path: charts_dir.clone(),
        source,
    })?;
    // report.json (the largest file: every breach and recurring problem of the
    // tickets) is written beside the rest.
    let json_path = dir.join("report.json");
    let (written, json) = rayon::join(
        || write_pages(pack, dir, &charts_dir, formats, step),
        || write_json(pack, formats, &json_path),
    );
    let mut written = written?;
    json?;
    written.files.push(json_path);
    step("report.json");
    Ok(written)
}

/// The charts (in parallel: each drawn to SVG, for the page and the file, and
/// PNG), `index.html` and `kpis.xlsx`, as `formats` asks.
fn write_pages(
    pack: &Pack,
    dir: &Path,
    charts_dir: &Path,
    formats: Formats,
    step: &(dyn Fn(&str) + Sync),
) -> Result<Written, ReportError> {
    let mut written = Written::default();
    let drawn: Vec<Result<(String, Vec<PathBuf>), ReportError>> = pack
        .figures
        .par_iter()
        .map(|f| {
            let svg = f.chart.svg()?;
            let mut files = Vec::new();
            if formats.svg {
                let p = charts_dir.join(format!("{}.svg", f.chart.id));
                write_file(&p, svg.as_bytes())?;
                files.push(p);
            }
            if formats.png {
                let p = charts_dir.join(format!("{}.png", f.chart.id));
                f.chart.write_png(&p)?;
                files.push(p);
            }
            step(f.chart.id);
            Ok((svg, files))
        })
        .collect();
    let mut svgs = Vec::new();
    for d in drawn {
        let (svg, files) = d?;
        svgs.push(svg);
        written.files.extend(files);
    }
    if formats.html {
        let p = dir.join("index.html");
        write_file(&p, html::page(pack, &svgs).as_bytes())?;
        written.files.push(p.clone());
        written.index = Some(p);
        step("index.html");
    }
    if formats.xlsx {
        let p = dir.join("kpis.xlsx");
        xlsx::workbook(pack, &p)?;
        written.files.push(p);
        step("kpis.xlsx");
    }
    Ok(written)
}

/// `report.json`: every query result in its CLI shape, and per chart its files,
/// marks and sentences. Serialised straight from the query results (no JSON tree
/// in between: the tickets' breaches and recurring problems of a large store run
/// to a hundred megabytes).
#[derive(Serialize)]
struct PackJson<'a> {
    period: PeriodJson,
    centre: &'a str,
    queues: &'a [String],
    compare: &'static str,
    kpi: KpiJson<'a>,
    teams: &'a BTreeMap<String, String>,
    focus_day: Option<String>,
    staffing: &'a [HourStaffing],
    forecast_days: &'a [ForecastDay],
    weekly_shrinkage: &'a [Option<f64>],
    tickets: &'a Option<TicketsReport>,
    charts: Vec<ChartJson<'a>>,
    left_out: Vec<LeftOutJson<'a>>,
    notes: &'a [String],
}

#[derive(Serialize)]
struct PeriodJson {
    from: String,
    to: String,
}

#[derive(Serialize)]
struct KpiJson<'a> {
    total: &'a KpiReport,
    previous: &'a Option<KpiReport>,
    by_day: &'a KpiReport,
    by_hour: &'a KpiReport,
    by_week: &'a KpiReport,
    by_queue: &'a KpiReport,
    by_agent: &'a KpiReport,
}

#[derive(Serialize)]
struct ChartJson<'a> {
    id: &'a str,
    title: &'a str,
    marks: usize,
    png: Option<String>,
    svg: Option<String>,
    sentences: &'a [String],
}

#[derive(Serialize)]
struct LeftOutJson<'a> {
    id: &'a str,
    note: &'a str,
}

/// Writes `report.json`, compact (it runs to tens of megabytes on a large store;
/// `jq .` indents it).
fn write_json(pack: &Pack, formats: Formats, path: &Path) -> Result<(), ReportError> {
    let d = &pack.data;
    let body = PackJson {
        period: PeriodJson {
            from: callboard_core::time::format_timestamp(d.total.settings.from_ms),
            to: callboard_core::time::format_timestamp(d.total.settings.to_ms),
        },
        centre: &pack.centre,
        queues: &d.query.queue,
        compare: if d.previous.is_some() {
            "previous"
        } else {
            "none"
        },
        kpi: KpiJson {
            total: &d.total,
            previous: &d.previous,
            by_day: &d.by_day,
            by_hour: &d.by_hour,
            by_week: &d.by_week,
            by_queue: &d.by_queue,
            by_agent: &d.by_agent,
        },
        teams: &d.teams,
        focus_day: d.focus_day.map(format_date),
        staffing: &d.staffing,
        forecast_days: &d.forecast_days,
        weekly_shrinkage: &d.weekly_shrinkage,
        tickets: &d.tickets,
        charts: pack
            .figures
            .iter()
            .map(|f| ChartJson {
                id: f.chart.id,
                title: &f.chart.title,
                marks: f.chart.marks(),
                png: formats.png.then(|| format!("charts/{}.png", f.chart.id)),
                svg: formats.svg.then(|| format!("charts/{}.svg", f.chart.id)),
                sentences: &f.sentences,
            })
            .collect(),
        left_out: pack
            .left_out
            .iter()
            .map(|(id, note)| LeftOutJson { id, note })
            .collect(),
        notes: &d.notes,
    };
    let fail = |source: std::io::Error| ReportError::Write {
        path: path.to_path_buf(),
        source,
    };
    // Replaced whole (a run killed midway leaves the old file).
    crate::store::replace_by(path, |tmp| {
        let f = std::fs::File::create(tmp)?;
        let mut out = std::io::BufWriter::with_capacity(1 << 20, f);
        serde_json::to_writer(&mut out, &body).map_err(std::io::Error::other)?;
        use std::io::Write;
        out.flush()
    })
    .map_err(fail)
}
