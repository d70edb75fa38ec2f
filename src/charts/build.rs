//! The charts of the review pack (and the dashboard), each a function from a typed
//! query result to a [`Chart`] — or, when its data are missing, to the note that
//! says why it is left out (never an empty drawing).

use super::{Band, Body, Chart, Panel, Point, Scale, Series, TargetLine};
use crate::query::kpi::KpiReport;
use crate::query::tickets::TicketsReport;
use callboard_core::kpi::catalog::{Better, by_id};
use callboard_core::kpi::report::Row;
use callboard_core::time::{DAY_MS, TimeZoneSpec, civil_from_days, format_date, weekday};
use std::collections::BTreeMap;

/// A chart, or the note saying why it is left out.
pub type Built = Result<Chart, String>;

pub use callboard_core::forecast::WEEKDAYS;
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// A KPI's value in a row.
pub fn value(row: &Row, id: &str) -> Option<f64> {
    row.kpis.iter().find(|k| k.id == id).and_then(|k| k.value)
}

/// Offered calls: answered + abandoned + timed out (docs/cli.md).
pub fn offered(row: &Row) -> u64 {
    row.counts.answered + row.counts.abandoned + row.counts.timeout
}

/// The local day (days since 1970) of an instant.
pub fn local_day(ms: i64, zone: &TimeZoneSpec) -> i32 {
    (ms + zone.offset_ms_at(ms)).div_euclid(DAY_MS) as i32
}

/// `Mon 02` for a local day.
pub fn day_label(day: i32) -> String {
    let (_, _, d) = civil_from_days(day);
    format!("{} {d:02}", &WEEKDAYS[usize::from(weekday(day))][..3])
}

/// `2 Mar 2026` for a local day.
pub fn long_date(day: i32) -> String {
    let (y, m, d) = civil_from_days(day);
    format!("{d} {} {y}", MONTHS[(m - 1) as usize])
}

/// `Mar 2026` for a local day.
pub fn month_label(day: i32) -> String {
    let (y, m, _) = civil_from_days(day);
    format!("{} {y}", MONTHS[(m - 1) as usize])
}

/// The period in words: `2 Mar 2026 – 29 Mar 2026` (the last day included).
pub fn period_words(report: &KpiReport) -> String {
    let zone = &report.settings.zone;
    let first = local_day(report.settings.from_ms, zone);
    let last = local_day(report.settings.to_ms - 1, zone);
    format!("{} – {}", long_date(first), long_date(last))
}

/// The source line: `callboard · 2026-03-02 … 2026-03-29 · <centre>`.
pub fn source(report: &KpiReport, centre: &str) -> String {
    let zone = &report.settings.zone;
    format!(
        "callboard · {} … {} · {centre}",
        format_date(local_day(report.settings.from_ms, zone)),
        format_date(local_day(report.settings.to_ms - 1, zone))
    )
}

/// The catalog target of a KPI as a line (one-sided targets only).
pub fn target(id: &str) -> Option<TargetLine> {
    let def = by_id(id)?;
    let t = def.target?;
    let label = |v: f64| {
        let scale = if def.unit == callboard_core::kpi::catalog::Unit::Ratio {
            Scale::Percent
        } else {
            Scale::Number
        };
        let unit = if def.unit == callboard_core::kpi::catalog::Unit::Seconds {
            " s"
        } else {
            ""
        };
        format!("target {}{unit}", scale.label(v))
    };
    match t.better {
        Better::Higher => t.low.map(|v| TargetLine {
            value: v,
            higher_is_better: true,
            label: label(v),
        }),
        Better::Lower => t.high.map(|v| TargetLine {
            value: v,
            higher_is_better: false,
            label: label(v),
        }),
        Better::Inside => None,
    }
}

/// Rows of a by-day (or by-week) report with their local day.
fn days(report: &KpiReport) -> Vec<(i32, &Row)> {
    report
        .rows
        .iter()
        .filter_map(|r| Some((local_day(r.bucket_start?, &report.settings.zone), r)))
        .collect()
}

fn any_calls(report: &KpiReport) -> bool {
    report.rows.iter().any(|r| r.counts.total > 0)
}

/// Contacts per day: answered / abandoned / other stacked, with the daily mean.
pub fn contacts_per_day(by_day: &KpiReport, centre: &str) -> Built {
    if !any_calls(by_day) {
        return Err("no calls in the period: contacts per day is left out".into());
    }
    let rows = days(by_day);
    let c = |f: fn(&Row) -> u64| -> Series {
        Series {
            name: String::new(),
            values: rows.iter().map(|(_, r)| Some(f(r) as f64)).collect(),
        }
    };
    let mut answered = c(|r| r.counts.answered);
    answered.name = "answered".into();
    let mut abandoned = c(|r| r.counts.abandoned);
    abandoned.name = "abandoned".into();
    let mut other = c(|r| r.counts.total - r.counts.answered - r.counts.abandoned);
    other.name = "other (timed out, blocked, IVR)".into();
    let total: u64 = rows.iter().map(|(_, r)| r.counts.total).sum();
    Ok(Chart {
        id: "contacts_per_day",
        title: format!("Contacts per day, {}", period_words(by_day)),
        source: source(by_day, centre),
        body: Body::StackedBars {
            categories: rows.iter().map(|(d, _)| day_label(*d)).collect(),
            series: vec![answered, abandoned, other],
            y_label: "calls per day".into(),
            mean: Some(total as f64 / rows.len().max(1) as f64),
        },
    })
}

fn per_day_lines(
    by_day: &KpiReport,
    ids: &[(&str, &str, Scale, &str)],
) -> (Vec<String>, Vec<Panel>) {
    let rows = days(by_day);
    let panels = ids
        .iter()
        .map(|(id, name, scale, unit)| Panel {
            y_label: (*unit).into(),
            scale: *scale,
            series: vec![Series {
                name: (*name).into(),
                values: rows.iter().map(|(_, r)| value(r, id)).collect(),
            }],
            target: target(id),
            band: None,
        })
        .collect();
    (rows.iter().map(|(d, _)| day_label(*d)).collect(), panels)
}

fn has_values(panels: &[Panel]) -> bool {
    panels
        .iter()
        .flat_map(|p| p.series.iter())
        .any(|s| s.values.iter().any(Option::is_some))
}

/// Service level per day against the target.
pub fn service_level_per_day(by_day: &KpiReport, centre: &str) -> Built {
    let (categories, panels) = per_day_lines(
        by_day,
        &[(
            "service_level",
            "service level",
            Scale::Percent,
            "answered in time, %",
        )],
    );
    if !has_values(&panels) {
        return Err("no offered calls in the period: service level per day is left out".into());
    }
    Ok(Chart {
        id: "service_level_per_day",
        title: format!(
            "Service level per day, {} (answered within {} s)",
            period_words(by_day),
            by_day.settings.calls.sl_seconds
        ),
        source: source(by_day, centre),
        body: Body::Lines { categories, panels },
    })
}

/// Service level per hour of one day (`day`, local).
pub fn service_level_by_hour(by_hour: &KpiReport, day: i32, centre: &str) -> Built {
    let zone = &by_hour.settings.zone;
    let rows: Vec<(i64, &Row)> = by_hour
        .rows
        .iter()
        .filter_map(|r| {
            let t = r.bucket_start?;
            (local_day(t, zone) == day).then_some((t, r))
        })
        .collect();
    let hour = |t: i64| ((t + zone.offset_ms_at(t)).rem_euclid(DAY_MS) / 3_600_000) as u32;
    let values: Vec<Option<f64>> = rows
        .iter()
        .map(|(_, r)| value(r, "service_level"))
        .collect();
    if values.iter().all(Option::is_none) {
        return Err(format!(
            "no offered calls on {}: service level by hour is left out",
            long_date(day)
        ));
    }
    Ok(Chart {
        id: "service_level_by_hour",
        title: format!(
            "Service level by hour on {}, {}",
            WEEKDAYS[usize::from(weekday(day))],
            long_date(day)
        ),
        source: source(by_hour, centre),
        body: Body::Lines {
            categories: rows
                .iter()
                .map(|(t, _)| format!("{:02}:00", hour(*t)))
                .collect(),
            panels: vec![Panel {
                y_label: "answered in time, %".into(),
                scale: Scale::Percent,
                series: vec![Series {
                    name: "service level".into(),
                    values,
                }],
                target: target("service_level"),
                band: None,
            }],
        },
    })
}

/// Average speed of answer (ASA) and average handle time (AHT) per day.
pub fn asa_and_aht_per_day(by_day: &KpiReport, centre: &str) -> Built {
    let (categories, panels) = per_day_lines(
        by_day,
        &[
            (
                "average_speed_of_answer",
                "average speed of answer (ASA)",
                Scale::Number,
                "seconds",
            ),
            (
                "average_handle_time",
                "average handle time (AHT)",
                Scale::Number,
                "seconds",
            ),
        ],
    );
    if !has_values(&panels) {
        return Err("no answered calls in the period: ASA and AHT are left out".into());
    }
    Ok(Chart {
        id: "asa_and_aht_per_day",
        title: format!(
            "Speed of answer and handle time per day, {}",
            period_words(by_day)
        ),
        source: source(by_day, centre),
        body: Body::Lines { categories, panels },
    })
}

/// Abandon rate and the average time to abandon per day.
pub fn abandon_per_day(by_day: &KpiReport, centre: &str) -> Built {
    let (categories, panels) = per_day_lines(
        by_day,
        &[
            (
                "abandon_rate",
                "abandon rate",
                Scale::Percent,
                "abandoned, % of offered",
            ),
            (
                "average_time_to_abandon",
                "time to abandon",
                Scale::Number,
                "seconds waited",
            ),
        ],
    );
    if !has_values(&panels) {
        return Err("no offered calls in the period: the abandon chart is left out".into());
    }
    Ok(Chart {
        id: "abandon_per_day",
        title: format!("Abandoned calls per day, {}", period_words(by_day)),
        source: source(by_day, centre),
        body: Body::Lines { categories, panels },
    })
}

/// Mean offered calls per weekday × hour (local): (values per weekday per hour,
/// days of each weekday counted).
pub fn offered_by_weekday_hour(by_hour: &KpiReport) -> [[Option<f64>; 24]; 7] {
    let zone = &by_hour.settings.zone;
    let mut sum = [[0.0; 24]; 7];
    let mut n = [[0u32; 24]; 7];
    for r in &by_hour.rows {
        let Some(t) = r.bucket_start else { continue };
        let local = t + zone.offset_ms_at(t);
        let day = local.div_euclid(DAY_MS) as i32;
        let h = (local.rem_euclid(DAY_MS) / 3_600_000) as usize;
        let w = usize::from(weekday(day));
        sum[w][h] += offered(r) as f64;
        n[w][h] += 1;
    }
    let mut out = [[None; 24]; 7];
    for w in 0..7 {
        for h in 0..24 {
            if n[w][h] > 0 {
                out[w][h] = Some(sum[w][h] / f64::from(n[w][h]));
            }
        }
    }
    out
}

/// Weekday × hour heatmap of offered calls (mean per hour).
pub fn offered_heatmap(by_hour: &KpiReport, centre: &str) -> Built {
    if !any_calls(by_hour) {
        return Err("no calls in the period: the weekday × hour heatmap is left out".into());
    }
    let grid = offered_by_weekday_hour(by_hour);
    Ok(Chart {
        id: "offered_heatmap",
        title: format!(
            "Offered calls by weekday and hour, {}",
            period_words(by_hour)
        ),
        source: source(by_hour, centre),
        body: Body::Heatmap {
            rows: WEEKDAYS.iter().map(|d| d[..3].to_string()).collect(),
            columns: (0..24).map(|h| format!("{h:02}")).collect(),
            values: grid.iter().map(|row| row.to_vec()).collect(),
            legend: "offered calls per hour, mean".into(),
        },
    })
}

/// Occupancy, schedule adherence, attendance and shrinkage per week (`shrinkage`
/// per row of `by_week`: scheduled paid time not ready or on calls).
pub fn agent_time_per_week(by_week: &KpiReport, shrinkage: &[Option<f64>], centre: &str) -> Built {
    let rows = days(by_week);
    let mut panels: Vec<Panel> = [
        ("occupancy", "occupancy"),
        ("schedule_adherence", "schedule adherence"),
        ("attendance", "attendance"),
    ]
    .iter()
    .map(|(id, name)| Panel {
        y_label: "%".into(),
        scale: Scale::Percent,
        series: vec![Series {
            name: (*name).into(),
            values: rows.iter().map(|(_, r)| value(r, id)).collect(),
        }],
        target: target(id),
        band: None,
    })
    .collect();
    panels.push(Panel {
        y_label: "%".into(),
        scale: Scale::Percent,
        series: vec![Series {
            name: "shrinkage (paid time not ready or on calls)".into(),
            values: (0..rows.len())
                .map(|i| shrinkage.get(i).copied().flatten())
                .collect(),
        }],
        target: None,
        band: None,
    });
    panels.retain(|p| p.series[0].values.iter().any(Option::is_some));
    if panels.is_empty() {
        return Err(
            "no agent states or schedules in the period: occupancy, adherence and attendance are left out"
                .into(),
        );
    }
    Ok(Chart {
        id: "agent_time_per_week",
        title: format!("Agent time per week, {}", period_words(by_week)),
        source: source(by_week, centre),
        body: Body::Lines {
            categories: rows
                .iter()
                .map(|(d, _)| format!("week of {}", day_label(*d)))
                .collect(),
            panels,
        },
    })
}

/// The points more than two standard deviations out (`out`, per point), at most
/// `most` of them, the furthest first (ties by id).
fn furthest_outliers(out: &[f64], ids: &[&str], most: usize) -> Vec<usize> {
    let mut furthest: Vec<usize> = (0..out.len()).filter(|i| out[*i] > 2.0).collect();
    furthest.sort_by(|a, b| out[*b].total_cmp(&out[*a]).then(ids[*a].cmp(ids[*b])));
    furthest.truncate(most);
    furthest
}

/// Agents: AHT against first-call resolution (or the QA score when FCR is not
/// known), coloured by team; agents more than two standard deviations from the
/// mean on either axis are flagged, and the furthest [`super::MOST_LABELS`] of
/// them named on the chart.
pub fn agents_scatter(
    by_agent: &KpiReport,
    teams: &BTreeMap<String, String>,
    centre: &str,
) -> Built {
    let pick = |y: &str| -> Vec<(String, f64, f64)> {
        by_agent
            .rows
            .iter()
            .filter_map(|r| {
                Some((
                    r.group.clone()?,
                    value(r, "average_handle_time")?,
                    value(r, y)?,
                ))
            })
            .collect()
    };
    let (y_id, y_label, y_scale, mut found) = (
        "first_call_resolution",
        "first-call resolution, %",
        Scale::Percent,
        pick("first_call_resolution"),
    );
    let (y_id, y_label, y_scale) = if found.len() < 2 {
        found = pick("monitoring_score");
        (
            "monitoring_score",
            "QA monitoring score (0–100)",
            Scale::Number,
        )
    } else {
        (y_id, y_label, y_scale)
    };
    if found.len() < 2 {
        return Err(
            "fewer than two agents with both a handle time and an FCR or QA score: the agent scatter is left out"
                .into(),
        );
    }
    let z = |v: &[f64]| {
        let n = v.len() as f64;
        let mean = v.iter().sum::<f64>() / n;
        let sd = (v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n).sqrt();
        v.iter()
            .map(|x| if sd > 0.0 { (x - mean) / sd } else { 0.0 })
            .collect::<Vec<_>>()
    };
    let zx = z(&found.iter().map(|p| p.1).collect::<Vec<_>>());
    let zy = z(&found.iter().map(|p| p.2).collect::<Vec<_>>());
    // How far out each agent is: the larger of its two distances, in standard
    // deviations; the furthest outliers are named (ties by id).
    let out: Vec<f64> = zx
        .iter()
        .zip(&zy)
        .map(|(a, b)| a.abs().max(b.abs()))
        .collect();
    let ids: Vec<&str> = found.iter().map(|p| p.0.as_str()).collect();
    let furthest = furthest_outliers(&out, &ids, super::MOST_LABELS);
    let points = found
        .iter()
        .enumerate()
        .map(|(i, (id, x, y))| Point {
            label: id.clone(),
            group: teams.get(id).cloned().unwrap_or_default(),
            x: *x,
            y: *y,
            flagged: out[i] > 2.0,
            labelled: furthest.contains(&i),
        })
        .collect();
    let _ = y_id;
    Ok(Chart {
        id: "agents_scatter",
        title: format!(
            "Agents: handle time against {}, {}",
            if y_scale == Scale::Percent {
                "first-call resolution"
            } else {
                "QA score"
            },
            period_words(by_agent)
        ),
        source: source(by_agent, centre),
        body: Body::Scatter {
            points,
            x_label: "average handle time (AHT), seconds".into(),
            y_label: y_label.into(),
            y_scale,
        },
    })
}

/// Ticket SLA compliance per rule per month, with the breaches over each bar.
pub fn ticket_compliance(tickets: &TicketsReport, period: &KpiReport, centre: &str) -> Built {
    let zone = &tickets.settings.zone;
    let months: Vec<i32> = tickets
        .rows
        .iter()
        .filter_map(|r| Some(local_day(r.bucket_start?, zone)))
        .collect();
    let mut series = Vec::new();
    let mut notes = Vec::new();
    for (k, rule) in tickets.policy.rules.iter().enumerate() {
        let values: Vec<Option<f64>> = tickets
            .rows
            .iter()
            .map(|r| r.rules.get(k).and_then(|c| c.compliance()))
            .collect();
        if values.iter().all(Option::is_none) {
            continue;
        }
        notes.push(
            tickets
                .rows
                .iter()
                .map(|r| {
                    let b = r.rules.get(k).map_or(0, |c| c.breached);
                    if b > 0 {
                        format!("{b} late")
                    } else {
                        String::new()
                    }
                })
                .collect(),
        );
        series.push(Series {
            name: rule.id.replace('_', " "),
            values,
        });
    }
    if series.is_empty() {
        return Err(
            "no ticket met or breached a rule in the period: the compliance chart is left out"
                .into(),
        );
    }
    Ok(Chart {
        id: "ticket_compliance",
        title: format!("Ticket SLA compliance per month, {}", period_words(period)),
        source: source(period, centre),
        body: Body::GroupedBars {
            categories: months.iter().map(|d| month_label(*d)).collect(),
            series,
            notes,
            y_label: "met, % of met + breached".into(),
            scale: Scale::Percent,
        },
    })
}

/// Agents needed (Erlang C on the calls that came) against agents scheduled on
/// work, hour by hour through one day.
pub fn required_vs_scheduled(
    staffing: &[crate::query::report::HourStaffing],
    day: i32,
    period: &KpiReport,
    centre: &str,
) -> Built {
    if staffing.iter().all(|h| h.scheduled.is_none()) {
        return Err(
            "the store holds no schedules: required against scheduled agents is left out".into(),
        );
    }
    if staffing
        .iter()
        .all(|h| h.scheduled.is_none_or(|s| s <= 0.0))
    {
        return Err(format!(
            "no agent is scheduled on {}: required against scheduled agents is left out",
            long_date(day)
        ));
    }
    let hours: Vec<String> = staffing
        .iter()
        .map(|h| h.hour_start.get(11..16).unwrap_or_default().to_string())
        .collect();
    // No hour with a need (no calls yet): the needed series has no value, so
    // it draws nothing and stays out of the legend (scheduled keeps its colour).
    let needed = staffing.iter().any(|h| h.required.is_some());
    let series = vec![
        Series {
            name: format!(
                "needed for the calls that came (Erlang C, 80 % in {} s)",
                period.settings.calls.sl_seconds
            ),
            values: staffing
                .iter()
                .map(|h| h.required.map(|r| r as f64))
                .collect(),
        },
        Series {
            name: "scheduled on work".into(),
            values: staffing.iter().map(|h| h.scheduled).collect(),
        },
    ];
    Ok(Chart {
        id: "required_vs_scheduled",
        title: format!(
            "Agents {} by hour on {}, {}",
            if needed {
                "needed and scheduled"
            } else {
                "scheduled"
            },
            WEEKDAYS[usize::from(weekday(day))],
            long_date(day)
        ),
        source: source(period, centre),
        body: Body::Lines {
            categories: hours,
            panels: vec![Panel {
                y_label: "agents".into(),
                scale: Scale::Number,
                series,
                target: None,
                band: None,
            }],
        },
    })
}

/// The forecast made for the period against the calls that came, per day, with
/// the forecast's 80 % band (the sum of its intervals' bounds).
pub fn forecast_vs_actual(
    days: &[crate::query::report::ForecastDay],
    period: &KpiReport,
    centre: &str,
) -> Built {
    if days.is_empty() {
        return Err("no forecast given for the period (--forecast FILE, a callboard forecast CSV): forecast against actual is left out".into());
    }
    let label = |date: &str| {
        callboard_core::time::parse_date(date)
            .map(day_label)
            .unwrap_or_else(|| date.to_string())
    };
    let has_band = days.iter().all(|d| d.lo80.is_some() && d.hi80.is_some());
    Ok(Chart {
        id: "forecast_vs_actual",
        title: format!(
            "Forecast against offered calls per day, {}",
            period_words(period)
        ),
        source: source(period, centre),
        body: Body::Lines {
            categories: days.iter().map(|d| label(&d.date)).collect(),
            panels: vec![Panel {
                y_label: "calls per day".into(),
                scale: Scale::Number,
                series: vec![
                    Series {
                        name: "forecast".into(),
                        values: days.iter().map(|d| Some(d.forecast)).collect(),
                    },
                    Series {
                        name: "offered".into(),
                        values: days.iter().map(|d| Some(d.offered as f64)).collect(),
                    },
                ],
                target: None,
                band: has_band.then(|| Band {
                    name: "80 % band (intervals' bounds summed)".into(),
                    low: days.iter().map(|d| d.lo80).collect(),
                    high: days.iter().map(|d| d.hi80).collect(),
                }),
            }],
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_series_without_values_draws_no_legend_entry_and_the_others_keep_their_colours() {
        let chart = |first: Vec<Option<f64>>| Chart {
            id: "test",
            title: "t".into(),
            source: "s".into(),
            body: Body::Lines {
                categories: vec!["a".into(), "b".into()],
                panels: vec![Panel {
                    y_label: "agents".into(),
                    scale: Scale::Number,
                    series: vec![
                        Series {
                            name: "first-series".into(),
                            values: first,
                        },
                        Series {
                            name: "second-series".into(),
                            values: vec![Some(1.0), Some(2.0)],
                        },
                    ],
                    target: None,
                    band: None,
                }],
            },
        };
        // The palette's second colour (orange) is the second series' either way.
        let orange = {
            let c = super::super::PALETTE[1];
            format!("#{:02X}{:02X}{:02X}", c.0, c.1, c.2)
        };
        let both = chart(vec![Some(2.0), Some(1.0)]).svg().expect("svg");
        assert!(both.contains("first-series") && both.contains("second-series"));
        let alone = chart(vec![None, None]).svg().expect("svg");
        assert!(!alone.contains("first-series"), "{alone}");
        assert!(alone.contains("second-series"));
        assert!(alone.to_uppercase().contains(&orange), "{orange}");
    }

    #[test]
    fn only_the_furthest_outliers_are_named() {
        // Five points beyond two standard deviations, two of them tied (3.0):
        // at most three named — the furthest (4.5), then the tie by id (a before
        // b); 2.5 and 2.1 are outliers left unnamed; 2.0 is not an outlier.
        let out = [1.0, 3.0, 2.5, 4.5, 2.0, 3.0, 2.1];
        let ids = ["g", "b", "c", "d", "e", "a", "f"];
        assert_eq!(furthest_outliers(&out, &ids, 3), vec![3, 5, 1]);
        // With room for all, every outlier, none else.
        assert_eq!(furthest_outliers(&out, &ids, 12), vec![3, 5, 1, 2, 6]);
    }
}
