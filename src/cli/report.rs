//! `callboard report`: flags → [`query::report`] → [`report`] files: the review
//! pack, with a progress bar on a terminal and the path of `index.html` at the end.

use super::{CallPeriod, DataDir};
use crate::query::open_store;
use crate::query::report::{Compare, ReportQuery};
use crate::query::time_zone;
use crate::report::{self, Formats};
use anyhow::{Context, Result};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

/// What to compare the headline with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CompareArg {
    /// The period of the same length just before.
    Previous,
    /// No comparison.
    None,
}

/// Which files to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FormatArg {
    /// `index.html`: the self-contained page (inline SVG charts).
    Html,
    /// `charts/*.png`, 1280 × 720, for slides.
    Png,
    /// `charts/*.svg`.
    Svg,
    /// `kpis.xlsx`: the KPI tables and ticket compliance.
    Xlsx,
}

/// Flags of `callboard report`.
///
/// The management review pack for a period: a headline of the 23 KPIs against the
/// manual's targets and the previous period; charts (contacts per day, service
/// level per day and by hour on the worst day (with the agents needed against those
/// scheduled that day), ASA and AHT, abandons, a weekday ×
/// hour heatmap, occupancy / adherence / attendance per week, agents' handle time
/// against first-call resolution, ticket SLA compliance per month) each with two or
/// three sentences generated from its numbers; the ticket SLA section. A chart
/// whose data are missing is left out with a note, never drawn empty.
///
/// Writes to --out: index.html (one file, no network, prints on A4/Letter),
/// charts/*.png and *.svg, kpis.xlsx, and report.json — every number the pack
/// used, in the shapes of `callboard kpi` and `callboard tickets` JSON.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  callboard report                                         # the whole store, compared with nothing before it
  callboard report --from 2026-03-01 --to 2026-04-01       # March, against February
  callboard report --from 2026-03-01 --to 2026-04-01 --queue sales --out reports/sales-march
  callboard report --format png --format xlsx              # slides and the workbook only
  callboard report --from 2026-03-23 --to 2026-03-30 --forecast reports/forecast-w13.csv")]
pub struct Args {
    #[command(flatten)]
    data: DataDir,
    #[command(flatten)]
    period: CallPeriod,
    /// Compare the headline with the period of the same length before.
    #[arg(long, value_enum, default_value_t = CompareArg::Previous)]
    compare: CompareArg,
    /// Only this queue (repeat for several).
    #[arg(long, value_name = "Q")]
    queue: Vec<String>,
    /// Output directory [default: reports/<first day>_<last day>].
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Files to write (repeat; report.json is always written) [default: all].
    #[arg(long, value_enum, value_name = "FORMAT")]
    format: Vec<FormatArg>,
    /// IANA zone of days, hours and weeks.
    #[arg(long, default_value_t = ReportQuery::default().timezone, value_name = "TZ")]
    timezone: String,
    /// Service-level threshold, seconds.
    #[arg(long, default_value_t = ReportQuery::default().sl_seconds, value_name = "S")]
    sl_seconds: f64,
    /// The day shown hour by hour (service level; agents needed against scheduled), a date in --timezone [default: the day of the lowest service level].
    #[arg(long, value_name = "DATE")]
    day: Option<String>,
    /// A forecast made for the period (the CSV of `callboard forecast --output`): the pack
    /// sets it against the calls that came, per day with its 80 % band.
    #[arg(long, value_name = "FILE")]
    forecast: Option<PathBuf>,
    /// The centre's name for titles and source lines.
    #[arg(long, default_value = "contact centre", value_name = "NAME")]
    centre: String,
}

/// Builds the pack from the store as `args` say and writes it; returns the
/// index path (or the output directory when no HTML was asked for).
pub fn build(args: &Args) -> Result<PathBuf> {
    time_zone(&args.timezone)?;
    let store = open_store(&args.data.path())?;
    let q = ReportQuery {
        period: args.period.query(),
        compare: match args.compare {
            CompareArg::Previous => Compare::Previous,
            CompareArg::None => Compare::None,
        },
        queue: args.queue.clone(),
        timezone: args.timezone.clone(),
        sl_seconds: args.sl_seconds,
        day: args.day.clone(),
        forecast: args.forecast.clone(),
    };
    let formats = if args.format.is_empty() {
        Formats::default()
    } else {
        Formats {
            html: args.format.contains(&FormatArg::Html),
            png: args.format.contains(&FormatArg::Png),
            svg: args.format.contains(&FormatArg::Svg),
            xlsx: args.format.contains(&FormatArg::Xlsx),
        }
    };
    write(
        &store,
        &q,
        formats,
        args.out.as_deref(),
        std::path::Path::new("reports"),
        &args.centre,
    )
}

/// Answers `q`, assembles and writes the pack into `out`, else
/// `<base>/<first day>_<last day>` (a bar on a terminal).
pub fn write(
    store: &crate::store::Store,
    q: &ReportQuery,
    formats: Formats,
    out: Option<&std::path::Path>,
    base: &std::path::Path,
    centre: &str,
) -> Result<PathBuf> {
    let bar = std::io::stderr().is_terminal().then(|| {
        let bar = indicatif::ProgressBar::new(0);
        bar.set_style(
            indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} {msg}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar.set_message("reading the KPIs and tickets");
        bar
    });
    let data = crate::query::report::run(store, q)?;
    let pack = report::assemble(&data, centre);
    let dir = out.map_or_else(
        || report::default_dir(base, &data),
        std::path::Path::to_path_buf,
    );
    if let Some(b) = &bar {
        b.set_length(pack.figures.len() as u64 + 3);
        b.set_message("drawing the charts");
    }
    let step = |what: &str| {
        if let Some(b) = &bar {
            b.inc(1);
            b.set_message(what.to_owned());
        }
    };
    let written = report::write(&pack, &dir, formats, &step)
        .with_context(|| format!("writing the review pack to {}", dir.display()))?;
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    for (_, note) in &pack.left_out {
        eprintln!("left out: {note}");
    }
    Ok(written.index.unwrap_or(dir))
}

/// Runs `callboard report`.
pub fn run(args: Args) -> Result<ExitCode> {
    let path = build(&args)?;
    println!("review pack: {}", path.display());
    Ok(ExitCode::SUCCESS)
}
