//! Drawing a [`Chart`] on any plotters backend. Data marks are the only
//! rectangles and circles drawn after the background (legend swatches and target
//! bands are polygons), so a reader of the SVG can count the marks.

use super::{BANDS, Body, Chart, INK, MUTED, PALETTE, Panel, Point, Scale, Series, TargetLine};
use plotters::coord::Shift;
use plotters::prelude::*;
use std::collections::BTreeMap;

type Area<'a, DB> = DrawingArea<DB, Shift>;

/// Turns any plotters error into words.
fn words<E: std::fmt::Debug>(e: E) -> String {
    format!("{e:?}")
}

const FONT: &str = "sans-serif";
/// Grid lines: light enough to recede behind the data.
const GRID: RGBColor = RGBColor(0xE2, 0xE2, 0xE2);

/// Draws `chart` on `root` (filled white first).
pub fn draw<DB: DrawingBackend>(chart: &Chart, root: &Area<'_, DB>) -> Result<(), String> {
    root.fill(&WHITE).map_err(words)?;
    let (w, h) = root.dim_in_pixel();
    let (head, rest) = root.split_vertically(64);
    let (body, foot) = rest.split_vertically(h.saturating_sub(64 + 36));
    head.draw(&Text::new(
        chart.title.clone(),
        (28, 20),
        (FONT, 28).into_font().color(&INK),
    ))
    .map_err(words)?;
    foot.draw(&Text::new(
        chart.source.clone(),
        (28, 10),
        (FONT, 15).into_font().color(&MUTED),
    ))
    .map_err(words)?;
    let _ = w;
    match &chart.body {
        Body::StackedBars {
            categories,
            series,
            y_label,
            mean,
        } => stacked(&body, categories, series, y_label, *mean),
        Body::Lines { categories, panels } => {
            let parts = body.split_evenly((panels.len().max(1), 1));
            for (panel, area) in panels.iter().zip(parts.iter()) {
                lines(area, categories, panel)?;
            }
            Ok(())
        }
        Body::GroupedBars {
            categories,
            series,
            notes,
            y_label,
            scale,
        } => grouped(&body, categories, series, notes, y_label, *scale),
        Body::Heatmap {
            rows,
            columns,
            values,
            legend,
        } => heatmap(&body, rows, columns, values, legend),
        Body::Scatter {
            points,
            x_label,
            y_label,
            y_scale,
        } => scatter(&body, points, x_label, y_label, *y_scale),
    }
}

/// A row of legend entries (swatch polygons and names) at the top right of `area`.
fn legend<DB: DrawingBackend>(
    area: &Area<'_, DB>,
    entries: &[(String, RGBColor)],
) -> Result<(), String> {
    let (w, _) = area.dim_in_pixel();
    let width: i32 = entries
        .iter()
        .map(|(name, _)| 30 + 9 * name.chars().count() as i32)
        .sum();
    let mut x = (w as i32 - width - 24).max(90);
    for (name, colour) in entries {
        area.draw(&Polygon::new(
            vec![(x, 8), (x + 16, 8), (x + 16, 22), (x, 22)],
            colour.filled(),
        ))
        .map_err(words)?;
        area.draw(&Text::new(
            name.clone(),
            (x + 22, 8),
            (FONT, 15).into_font().color(&INK),
        ))
        .map_err(words)?;
        x += 30 + 9 * name.chars().count() as i32;
    }
    Ok(())
}

/// The label of category `x` (a whole number inside the range), else empty.
fn category(categories: &[String], x: f64) -> String {
    let i = x.round();
    if (x - i).abs() > 1e-6 || i < 0.0 {
        return String::new();
    }
    categories.get(i as usize).cloned().unwrap_or_default()
}

/// A y range that holds `values` (and the target), padded, from 0 unless the
/// values sit far above it; percentages stay within [0, 1] unless a value is not.
fn y_range(values: impl Iterator<Item = f64>, target: Option<f64>, scale: Scale) -> (f64, f64) {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for v in values.chain(target) {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if !lo.is_finite() {
        return (0.0, 1.0);
    }
    let span = (hi - lo).max(hi.abs() * 0.1).max(1e-9);
    let mut bottom = if lo >= 0.0 && lo < span * 1.5 {
        0.0
    } else {
        lo - span * 0.15
    };
    let mut top = hi + span * 0.15;
    if scale == Scale::Percent {
        bottom = bottom.max(0.0);
        if hi <= 1.0 {
            top = top.min(1.0);
        }
        if top - bottom < 0.1 {
            top = (bottom + 0.1).min(1.0);
            bottom = top - 0.1;
        }
    }
    (bottom, top)
}

type Chart2d<'a, DB> = ChartContext<
    'a,
    DB,
    Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>,
>;

/// A chart over categories (x at 0, 1, …, labelled by name) and `lo..hi` on y,
/// its mesh drawn in the house style.
fn category_chart<'a, DB: DrawingBackend>(
    area: &'a Area<'_, DB>,
    categories: &[String],
    (lo, hi): (f64, f64),
    y_label: &str,
    scale: Scale,
) -> Result<Chart2d<'a, DB>, String> {
    let n = categories.len();
    let mut chart = ChartBuilder::on(area)
        .margin(16)
        .margin_top(34)
        .x_label_area_size(44)
        .y_label_area_size(84)
        .build_cartesian_2d(-0.5f64..(n as f64 - 0.5), lo..hi)
        .map_err(words)?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(n.min(16))
        .x_label_formatter(&|x| category(categories, *x))
        .y_label_formatter(&|y| scale.label(*y))
        // About one label per 50 pixels: a stacked panel is short.
        .y_labels((area.dim_in_pixel().1 as usize / 50).clamp(3, 8))
        .y_desc(y_label)
        .label_style((FONT, 15))
        .axis_desc_style((FONT, 16))
        .bold_line_style(GRID)
        .light_line_style(WHITE.mix(0.0))
        .draw()
        .map_err(words)?;
    Ok(chart)
}

fn stacked<DB: DrawingBackend>(
    area: &Area<'_, DB>,
    categories: &[String],
    series: &[Series],
    y_label: &str,
    mean: Option<f64>,
) -> Result<(), String> {
    let n = categories.len();
    let totals: Vec<f64> = (0..n)
        .map(|i| series.iter().map(|s| s.values[i].unwrap_or(0.0)).sum())
        .collect();
    let (_, top) = y_range(totals.iter().copied(), mean, Scale::Number);
    let mut chart = category_chart(area, categories, (0.0, top), y_label, Scale::Number)?;
    let mut base = vec![0.0; n];
    for (k, s) in series.iter().enumerate() {
        let colour = PALETTE[k % PALETTE.len()];
        let bars: Vec<Rectangle<(f64, f64)>> = s
            .values
            .iter()
            .enumerate()
            .filter_map(|(i, v)| {
                let v = v.filter(|v| *v > 0.0)?;
                let r = Rectangle::new(
                    [(i as f64 - 0.38, base[i]), (i as f64 + 0.38, base[i] + v)],
                    colour.filled(),
                );
                base[i] += v;
                Some(r)
            })
            .collect();
        chart.draw_series(bars).map_err(words)?;
    }
    let mut entries: Vec<(String, RGBColor)> = series
        .iter()
        .enumerate()
        .map(|(k, s)| (s.name.clone(), PALETTE[k % PALETTE.len()]))
        .collect();
    if let Some(m) = mean {
        chart
            .draw_series(DashedLineSeries::new(
                [(-0.5, m), (n as f64 - 0.5, m)],
                10,
                6,
                INK.stroke_width(2),
            ))
            .map_err(words)?;
        entries.push((
            format!("daily mean {}", Scale::Number.label(m.round())),
            INK,
        ));
    }
    legend(area, &entries)
}

/// Target bands and the dashed target line on a panel spanning x0..x1, y lo..hi.
fn target_marks<DB: DrawingBackend>(
    chart: &mut ChartContext<
        '_,
        DB,
        Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>,
    >,
    t: &TargetLine,
    (x0, x1): (f64, f64),
    (lo, hi): (f64, f64),
) -> Result<(), String> {
    let watch = if t.higher_is_better {
        t.value * 0.9
    } else {
        t.value * 1.1
    };
    let bands: [(f64, f64, RGBColor); 3] = if t.higher_is_better {
        [
            (t.value, hi, BANDS[0]),
            (watch, t.value, BANDS[1]),
            (lo, watch, BANDS[2]),
        ]
    } else {
        [
            (lo, t.value, BANDS[0]),
            (t.value, watch, BANDS[1]),
            (watch, hi, BANDS[2]),
        ]
    };
    for (a, b, colour) in bands {
        let (a, b) = (a.clamp(lo, hi), b.clamp(lo, hi));
        if b > a {
            chart
                .draw_series(std::iter::once(Polygon::new(
                    vec![(x0, a), (x1, a), (x1, b), (x0, b)],
                    colour.filled(),
                )))
                .map_err(words)?;
        }
    }
    chart
        .draw_series(DashedLineSeries::new(
            [(x0, t.value), (x1, t.value)],
            10,
            6,
            INK.stroke_width(2),
        ))
        .map_err(words)?;
    Ok(())
}

fn lines<DB: DrawingBackend>(
    area: &Area<'_, DB>,
    categories: &[String],
    panel: &Panel,
) -> Result<(), String> {
    let n = categories.len();
    let values = panel
        .series
        .iter()
        .flat_map(|s| s.values.iter().flatten().copied());
    let bounds = panel
        .band
        .iter()
        .flat_map(|b| b.low.iter().chain(&b.high).flatten().copied());
    let (lo, hi) = y_range(
        values.chain(bounds),
        panel.target.as_ref().map(|t| t.value),
        panel.scale,
    );
    let mut chart = category_chart(area, categories, (lo, hi), &panel.y_label, panel.scale)?;
    let mut entries = Vec::new();
    if let Some(t) = &panel.target {
        target_marks(&mut chart, t, (-0.5, n as f64 - 0.5), (lo, hi))?;
        entries.push((t.label.clone(), INK));
    }
    if let Some(b) = &panel.band {
        // One polygon per run of categories with both bounds.
        let shade = RGBColor(0xC6, 0xDB, 0xEF);
        let mut run: Vec<(f64, f64, f64)> = Vec::new();
        let mut runs = Vec::new();
        for (i, (l, h)) in b.low.iter().zip(&b.high).enumerate() {
            match (l, h) {
                (Some(l), Some(h)) => run.push((i as f64, *l, *h)),
                _ if !run.is_empty() => runs.push(std::mem::take(&mut run)),
                _ => {}
            }
        }
        if !run.is_empty() {
            runs.push(run);
        }
        for r in runs {
            let mut points: Vec<(f64, f64)> = r.iter().map(|(x, _, h)| (*x, *h)).collect();
            points.extend(r.iter().rev().map(|(x, l, _)| (*x, *l)));
            chart
                .draw_series(std::iter::once(Polygon::new(points, shade.filled())))
                .map_err(words)?;
        }
        entries.push((b.name.clone(), shade));
    }
    for (k, s) in panel.series.iter().enumerate() {
        let colour = PALETTE[k % PALETTE.len()];
        // A line through each run of values; a gap where there is none.
        let mut run: Vec<(f64, f64)> = Vec::new();
        let mut runs = Vec::new();
        for (i, v) in s.values.iter().enumerate() {
            match v {
                Some(v) => run.push((i as f64, *v)),
                None if !run.is_empty() => runs.push(std::mem::take(&mut run)),
                None => {}
            }
        }
        if !run.is_empty() {
            runs.push(run);
        }
        for r in &runs {
            chart
                .draw_series(LineSeries::new(r.iter().copied(), colour.stroke_width(3)))
                .map_err(words)?;
        }
        chart
            .draw_series(
                runs.iter()
                    .flatten()
                    .map(|p| Circle::new(*p, 5, colour.filled())),
            )
            .map_err(words)?;
        // A series with no value at all draws nothing and takes no legend
        // entry; the others keep their colours.
        if !runs.is_empty() {
            entries.push((s.name.clone(), colour));
        }
    }
    legend(area, &entries)
}

fn grouped<DB: DrawingBackend>(
    area: &Area<'_, DB>,
    categories: &[String],
    series: &[Series],
    notes: &[Vec<String>],
    y_label: &str,
    scale: Scale,
) -> Result<(), String> {
    let values = series
        .iter()
        .flat_map(|s| s.values.iter().flatten().copied());
    // Bars start at zero: a cut axis would make small differences look large.
    let (_, hi) = y_range(values, None, scale);
    let lo = 0.0;
    let hi = if scale == Scale::Percent {
        1.08f64.max(hi)
    } else {
        hi * 1.08
    };
    let mut chart = category_chart(area, categories, (lo, hi), y_label, scale)?;
    let k = series.len().max(1) as f64;
    let width = 0.8 / k;
    for (j, s) in series.iter().enumerate() {
        let colour = PALETTE[j % PALETTE.len()];
        let x = |i: usize| i as f64 - 0.4 + width * j as f64;
        chart
            .draw_series(s.values.iter().enumerate().filter_map(|(i, v)| {
                v.map(|v| {
                    Rectangle::new(
                        [(x(i) + 0.01, lo), (x(i) + width - 0.01, v)],
                        colour.filled(),
                    )
                })
            }))
            .map_err(words)?;
        if let Some(notes) = notes.get(j) {
            chart
                .draw_series(s.values.iter().enumerate().filter_map(|(i, v)| {
                    let text = notes.get(i).filter(|t| !t.is_empty())?;
                    v.map(|v| {
                        Text::new(
                            text.clone(),
                            (x(i) + width / 2.0, v + (hi - lo) * 0.03),
                            (FONT, 13).into_font().color(&INK).pos(
                                plotters::style::text_anchor::Pos::new(
                                    plotters::style::text_anchor::HPos::Center,
                                    plotters::style::text_anchor::VPos::Bottom,
                                ),
                            ),
                        )
                    })
                }))
                .map_err(words)?;
        }
    }
    let entries: Vec<(String, RGBColor)> = series
        .iter()
        .enumerate()
        .map(|(j, s)| (s.name.clone(), PALETTE[j % PALETTE.len()]))
        .collect();
    legend(area, &entries)
}

/// Light to dark blue by `t` in [0, 1] (sequential, readable in greyscale).
fn shade(t: f64) -> RGBColor {
    let (a, b) = ((0xF1, 0xF6, 0xFB), (0x08, 0x30, 0x6B));
    let mix = |x: u8, y: u8| {
        (f64::from(x) + (f64::from(y) - f64::from(x)) * t.clamp(0.0, 1.0)).round() as u8
    };
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

fn heatmap<DB: DrawingBackend>(
    area: &Area<'_, DB>,
    rows: &[String],
    columns: &[String],
    values: &[Vec<Option<f64>>],
    label: &str,
) -> Result<(), String> {
    let (nr, nc) = (rows.len(), columns.len());
    let present = values.iter().flatten().flatten().copied();
    let (lo, hi) = present.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
        (a.min(v), b.max(v))
    });
    let (lo, hi) = if lo.is_finite() {
        (lo, hi.max(lo + 1e-9))
    } else {
        (0.0, 1.0)
    };
    let mut chart = ChartBuilder::on(area)
        .margin(16)
        .margin_top(40)
        .margin_right(24)
        .x_label_area_size(40)
        .y_label_area_size(84)
        .build_cartesian_2d(-0.5f64..(nc as f64 - 0.5), -0.5f64..(nr as f64 - 0.5))
        .map_err(words)?;
    // Rows top to bottom: row r sits at y = nr − 1 − r.
    let row_label = |y: f64| category(&rows.iter().rev().cloned().collect::<Vec<_>>(), y);
    chart
        .configure_mesh()
        .disable_mesh()
        .x_labels(nc.min(24))
        .y_labels(nr)
        .x_label_formatter(&|x| category(columns, *x))
        .y_label_formatter(&|y| row_label(*y))
        .x_desc("hour of the day (local time)")
        .label_style((FONT, 15))
        .axis_desc_style((FONT, 16))
        .bold_line_style(GRID)
        .light_line_style(WHITE.mix(0.0))
        .draw()
        .map_err(words)?;
    let mut cells = Vec::new();
    for (r, row) in values.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            if let Some(v) = v {
                let y = (nr - 1 - r) as f64;
                let x = c as f64;
                cells.push(Rectangle::new(
                    [(x - 0.48, y - 0.46), (x + 0.48, y + 0.46)],
                    shade((v - lo) / (hi - lo)).filled(),
                ));
            }
        }
    }
    chart.draw_series(cells).map_err(words)?;
    // The colour key: a strip of swatches from the least to the most.
    let (w, _) = area.dim_in_pixel();
    let x0 = w as i32 - 24 - 10 * 24 - 260;
    area.draw(&Text::new(
        format!("{label}: {} ", Scale::Number.label(lo)),
        (x0 - 8, 10),
        (FONT, 15)
            .into_font()
            .color(&INK)
            .pos(plotters::style::text_anchor::Pos::new(
                plotters::style::text_anchor::HPos::Right,
                plotters::style::text_anchor::VPos::Top,
            )),
    ))
    .map_err(words)?;
    for k in 0..10 {
        let x = x0 + 24 * k;
        area.draw(&Polygon::new(
            vec![(x, 8), (x + 24, 8), (x + 24, 26), (x, 26)],
            shade(f64::from(k) / 9.0).filled(),
        ))
        .map_err(words)?;
    }
    area.draw(&Text::new(
        Scale::Number.label(hi),
        (x0 + 248, 10),
        (FONT, 15).into_font().color(&INK),
    ))
    .map_err(words)
}

fn scatter<DB: DrawingBackend>(
    area: &Area<'_, DB>,
    points: &[Point],
    x_label: &str,
    y_label: &str,
    y_scale: Scale,
) -> Result<(), String> {
    let groups: BTreeMap<&str, RGBColor> = {
        let mut names: Vec<&str> = points.iter().map(|p| p.group.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        names
            .into_iter()
            .enumerate()
            .map(|(k, g)| (g, PALETTE[k % PALETTE.len()]))
            .collect()
    };
    let pad = |lo: f64, hi: f64| {
        let span = (hi - lo).max(hi.abs() * 0.1).max(1e-9);
        (lo - span * 0.1, hi + span * 0.12)
    };
    let (x0, x1) = pad(
        points.iter().map(|p| p.x).fold(f64::INFINITY, f64::min),
        points.iter().map(|p| p.x).fold(f64::NEG_INFINITY, f64::max),
    );
    let (y0, y1) = pad(
        points.iter().map(|p| p.y).fold(f64::INFINITY, f64::min),
        points.iter().map(|p| p.y).fold(f64::NEG_INFINITY, f64::max),
    );
    let (y0, y1) = if y_scale == Scale::Percent {
        (y0.max(0.0), y1.min(1.05))
    } else {
        (y0, y1)
    };
    let mut chart = ChartBuilder::on(area)
        .margin(16)
        .margin_top(34)
        .x_label_area_size(48)
        .y_label_area_size(84)
        .build_cartesian_2d(x0..x1, y0..y1)
        .map_err(words)?;
    chart
        .configure_mesh()
        .x_desc(x_label)
        .y_desc(y_label)
        .x_label_formatter(&|x| Scale::Number.label(*x))
        .y_label_formatter(&|y| y_scale.label(*y))
        .label_style((FONT, 15))
        .axis_desc_style((FONT, 16))
        .bold_line_style(GRID)
        .light_line_style(WHITE.mix(0.0))
        .draw()
        .map_err(words)?;
    chart
        .draw_series(
            points
                .iter()
                .map(|p| Circle::new((p.x, p.y), 6, groups[p.group.as_str()].filled())),
        )
        .map_err(words)?;
    chart
        .draw_series(points.iter().filter(|p| p.labelled).map(|p| {
            EmptyElement::at((p.x, p.y))
                + Text::new(
                    p.label.clone(),
                    (9, -20),
                    (FONT, 15).into_font().color(&INK),
                )
        }))
        .map_err(words)?;
    let entries: Vec<(String, RGBColor)> = groups
        .iter()
        .map(|(g, c)| {
            (
                if g.is_empty() {
                    "no team".to_string()
                } else {
                    (*g).to_string()
                },
                *c,
            )
        })
        .collect();
    legend(area, &entries)
}
