//! Charts, drawn once with plotters for every presenter: the review pack embeds
//! their SVG and writes their PNG for slides; the dashboard reuses the SVG.
//!
//! A chart is plain data ([`Chart`]: a title, a source line, a [`Body`] of
//! series) built from a typed query result by the functions of [`build`], and
//! drawn by [`draw`] on any plotters backend — [`Chart::svg`] and
//! [`Chart::write_png`] pick one. One visual language throughout:
//!
//! * the Okabe–Ito palette (safe for the common colour-blind readers), in an order
//!   whose lightness steps apart so series stay apart in greyscale print;
//! * the manual's targets as a dashed black line, the catalog's good / watch / poor
//!   bands as faint green / yellow / red backgrounds;
//! * a title naming the subject and the period, units on the axes, a source line
//!   ("callboard · 2026-03-02 … 2026-03-29 · sample centre") at the foot;
//! * one font, DejaVu Sans, embedded in the binary and registered once (no system
//!   fontconfig; the SVG names `sans-serif`).

pub mod build;
mod draw;

use plotters::prelude::*;
use std::path::Path;
use std::sync::Once;

/// Slide size of every chart, pixels (16:9).
pub const SIZE: (u32, u32) = (1280, 720);

/// DejaVu Sans (Bitstream Vera licence, `assets/fonts/LICENSE-DejaVu.txt`).
static FONT: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
static REGISTER: Once = Once::new();

/// Registers the embedded font as `sans-serif` (once per process).
pub fn register_font() {
    REGISTER.call_once(|| {
        // The font is embedded and known good; a failure would only leave text
        // undrawn in PNGs, so it is not worth a panic.
        let _ = plotters::style::register_font("sans-serif", FontStyle::Normal, FONT);
    });
}

/// The palette, in drawing order: blue, orange, vermillion, bluish green, reddish
/// purple, sky blue, yellow (Okabe & Ito 2008), then grey.
pub const PALETTE: [RGBColor; 8] = [
    RGBColor(0x00, 0x72, 0xB2),
    RGBColor(0xE6, 0x9F, 0x00),
    RGBColor(0xD5, 0x5E, 0x00),
    RGBColor(0x00, 0x9E, 0x73),
    RGBColor(0xCC, 0x79, 0xA7),
    RGBColor(0x56, 0xB4, 0xE9),
    RGBColor(0xF0, 0xE4, 0x42),
    RGBColor(0x99, 0x99, 0x99),
];

/// Text and target lines.
pub const INK: RGBColor = RGBColor(0x22, 0x22, 0x22);
/// Source line and secondary text.
pub const MUTED: RGBColor = RGBColor(0x66, 0x66, 0x66);
/// Band backgrounds: good, watch, poor.
pub const BANDS: [RGBColor; 3] = [
    RGBColor(0xE3, 0xF2, 0xE6),
    RGBColor(0xFB, 0xF3, 0xD5),
    RGBColor(0xF8, 0xE0, 0xDC),
];

/// How values read on an axis.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scale {
    /// Fractions shown as percentages.
    Percent,
    /// Plain numbers.
    Number,
}

impl Scale {
    /// `v` for an axis label.
    pub fn label(self, v: f64) -> String {
        match self {
            Scale::Percent => {
                let p = v * 100.0;
                if (p - p.round()).abs() < 1e-6 {
                    format!("{p:.0} %")
                } else {
                    format!("{p:.1} %")
                }
            }
            Scale::Number if v.abs() >= 1000.0 => format!("{:.0}", v),
            Scale::Number if v.fract().abs() < 1e-9 => format!("{v:.0}"),
            Scale::Number => format!("{v:.1}"),
        }
    }
}

/// A target drawn on a panel: the line, and the bands of the KPI catalog (good on
/// the better side, watch within 10 % of the bound, poor beyond).
#[derive(Debug, Clone, PartialEq)]
pub struct TargetLine {
    /// The bound.
    pub value: f64,
    /// Whether higher values are better.
    pub higher_is_better: bool,
    /// Legend text ("target 80 %").
    pub label: String,
}

/// A named series of values, one per category (`None`: no value there).
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// Legend name.
    pub name: String,
    /// Values.
    pub values: Vec<Option<f64>>,
}

/// One panel of a line chart.
#[derive(Debug, Clone, PartialEq)]
pub struct Panel {
    /// Axis description with its unit ("seconds").
    pub y_label: String,
    /// How values read.
    pub scale: Scale,
    /// The series (a point marker per value).
    pub series: Vec<Series>,
    /// The target, if the manual gives one.
    pub target: Option<TargetLine>,
    /// A shaded band behind the series (a prediction interval).
    pub band: Option<Band>,
}

/// A band between two bounds per category, drawn shaded.
#[derive(Debug, Clone, PartialEq)]
pub struct Band {
    /// Legend name.
    pub name: String,
    /// Lower bounds.
    pub low: Vec<Option<f64>>,
    /// Upper bounds.
    pub high: Vec<Option<f64>>,
}

/// A point of a scatter chart.
#[derive(Debug, Clone, PartialEq)]
pub struct Point {
    /// Who (an agent id).
    pub label: String,
    /// Colour group (a team).
    pub group: String,
    /// x.
    pub x: f64,
    /// y.
    pub y: f64,
    /// An outlier: more than two standard deviations from the mean on an axis.
    pub flagged: bool,
    /// Named on the chart: an outlier among the [`MOST_LABELS`] furthest (with
    /// thousands of agents, hundreds are outliers and their names would pile
    /// into one unreadable band).
    pub labelled: bool,
}

/// At most this many points of a scatter are named on the chart.
pub const MOST_LABELS: usize = 12;

/// What a chart shows.
#[derive(Debug, Clone, PartialEq)]
pub enum Body {
    /// Stacked bars per category, with a mean line over the stacks' totals.
    StackedBars {
        /// Category labels (days).
        categories: Vec<String>,
        /// Stacked from the bottom.
        series: Vec<Series>,
        /// y axis description.
        y_label: String,
        /// The mean of the totals, drawn dashed.
        mean: Option<f64>,
    },
    /// Lines with a marker per value, in one or more panels stacked vertically.
    Lines {
        /// Category labels.
        categories: Vec<String>,
        /// Panels, top to bottom.
        panels: Vec<Panel>,
    },
    /// Grouped bars per category (one per series), each labelled above with a note.
    GroupedBars {
        /// Category labels (months).
        categories: Vec<String>,
        /// One bar per series per category.
        series: Vec<Series>,
        /// Per series, per category: the text over the bar ("3 breached").
        notes: Vec<Vec<String>>,
        /// y axis description.
        y_label: String,
        /// How values read.
        scale: Scale,
    },
    /// A grid of cells coloured by value (light = low, dark = high).
    Heatmap {
        /// Row labels (weekdays), top to bottom.
        rows: Vec<String>,
        /// Column labels (hours).
        columns: Vec<String>,
        /// Values, per row, per column.
        values: Vec<Vec<Option<f64>>>,
        /// What the colour means ("offered calls, mean per hour").
        legend: String,
    },
    /// Points coloured by group, flagged ones labelled.
    Scatter {
        /// The points.
        points: Vec<Point>,
        /// x axis description.
        x_label: String,
        /// y axis description.
        y_label: String,
        /// y scale.
        y_scale: Scale,
    },
}

/// A chart: what it shows and how it is titled.
#[derive(Debug, Clone, PartialEq)]
pub struct Chart {
    /// File stem and HTML id (`service_level_per_day`).
    pub id: &'static str,
    /// Title: subject and period.
    pub title: String,
    /// Source line at the foot.
    pub source: String,
    /// The drawing's data.
    pub body: Body,
}

/// Why a chart could not be drawn (a plotters error, in words).
#[derive(Debug, thiserror::Error)]
#[error("chart {id}: {message}")]
pub struct ChartError {
    /// The chart.
    pub id: &'static str,
    /// What went wrong.
    pub message: String,
}

impl Chart {
    /// The data marks drawn (a marker, bar, cell or point per value present): what
    /// a test counts in the SVG.
    pub fn marks(&self) -> usize {
        let present = |s: &Series| s.values.iter().filter(|v| v.is_some()).count();
        match &self.body {
            Body::StackedBars { series, .. } => series
                .iter()
                .map(|s| {
                    s.values
                        .iter()
                        .filter(|v| v.is_some_and(|v| v > 0.0))
                        .count()
                })
                .sum(),
            Body::Lines { panels, .. } => panels
                .iter()
                .flat_map(|p| p.series.iter())
                .map(present)
                .sum(),
            Body::GroupedBars { series, .. } => series.iter().map(present).sum(),
            Body::Heatmap { values, .. } => values.iter().flatten().filter(|v| v.is_some()).count(),
            Body::Scatter { points, .. } => points.len(),
        }
    }

    /// The chart as an SVG document (`SIZE`, scalable by its viewBox).
    pub fn svg(&self) -> Result<String, ChartError> {
        register_font();
        let mut out = String::new();
        {
            let root = SVGBackend::with_string(&mut out, SIZE).into_drawing_area();
            draw::draw(self, &root).map_err(|message| ChartError {
                id: self.id,
                message,
            })?;
            root.present().map_err(|e| ChartError {
                id: self.id,
                message: e.to_string(),
            })?;
        }
        // A viewBox so the page can scale it; the title for screen readers.
        let open = format!(
            "<svg width=\"{}\" height=\"{}\" viewBox=\"0 0 {} {}\" role=\"img\" aria-label=\"{}\"",
            SIZE.0,
            SIZE.1,
            SIZE.0,
            SIZE.1,
            escape(&self.title)
        );
        Ok(out.replacen(
            &format!(
                "<svg width=\"{}\" height=\"{}\" viewBox=\"0 0 {} {}\"",
                SIZE.0, SIZE.1, SIZE.0, SIZE.1
            ),
            &open,
            1,
        ))
    }

    /// Draws the chart as a PNG file of `SIZE`.
    pub fn write_png(&self, path: &Path) -> Result<(), ChartError> {
        register_font();
        let fail = |message: String| ChartError {
            id: self.id,
            message,
        };
        // Drawn beside and renamed: a run killed midway leaves the old chart.
        crate::store::replace_by(path, |tmp| {
            let root = BitMapBackend::new(tmp, SIZE).into_drawing_area();
            draw::draw(self, &root).map_err(std::io::Error::other)?;
            root.present().map_err(std::io::Error::other)
        })
        .map_err(|e| fail(e.to_string()))
    }
}

/// `text` safe inside HTML or XML text and attributes.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}
