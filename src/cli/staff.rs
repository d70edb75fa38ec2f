//! `callboard staff`: flags → [`query::staffing`] → a table, JSON, or a staffed
//! file of intervals.

use super::Format;
use crate::query::QueryError;
use crate::query::staffing::{ModelKind, OutputKind, StaffQuery};
use anyhow::{Context, Result};
use callboard_core::erlang::{Metrics, Model, Staffing, StaffingRequest};
use std::path::PathBuf;
use std::process::ExitCode;

/// Queueing model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ModelArg {
    /// Callers wait as long as it takes (the classic calculator).
    ErlangC,
    /// Callers hang up after an exponential patience (--patience); fewer agents
    /// than the load can suffice.
    ErlangA,
    /// Lines/trunks for a blocking target (--max-blocking).
    ErlangB,
}

/// A shrinkage flag: a fraction of paid time, or `measured` from the store.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Shrinkage {
    /// Given, e.g. 0.3.
    Fraction(f64),
    /// Measured from the store's schedules and agent states.
    Measured,
}

impl std::fmt::Display for Shrinkage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Shrinkage::Fraction(x) => write!(f, "{x}"),
            Shrinkage::Measured => f.write_str("measured"),
        }
    }
}

fn parse_shrinkage(text: &str) -> Result<Shrinkage, String> {
    if text == "measured" {
        return Ok(Shrinkage::Measured);
    }
    text.parse::<f64>()
        .map(Shrinkage::Fraction)
        .map_err(|_| format!("{text:?} is neither a fraction such as 0.3 nor `measured`"))
}

/// The staffing targets, shared by `staff` and `forecast --staffing`.
#[derive(Debug, Clone, clap::Args)]
pub struct Targets {
    /// Fraction of calls to answer within --sl-seconds (0.8 = 80 %).
    #[arg(long, default_value_t = StaffQuery::default().sl_target, value_name = "F")]
    sl_target: f64,
    /// Service-level threshold, seconds.
    #[arg(long, default_value_t = StaffQuery::default().sl_seconds, value_name = "S")]
    sl_seconds: f64,
    /// Queueing model.
    #[arg(long, value_enum, default_value_t = ModelArg::ErlangC)]
    model: ModelArg,
    /// Callers' mean patience before hanging up, seconds (Erlang A).
    #[arg(long, value_name = "S")]
    patience: Option<f64>,
    /// Cap on the abandon rate (Erlang A), e.g. 0.05.
    #[arg(long, value_name = "F")]
    max_abandon: Option<f64>,
    /// Cap on the average speed of answer, seconds.
    #[arg(long, value_name = "S")]
    max_asa: Option<f64>,
    /// Blocking target for Erlang B, e.g. 0.01 (1 % of calls hear busy).
    #[arg(long, value_name = "F")]
    max_blocking: Option<f64>,
    /// Share of paid time not on the phones (breaks, training, absence), e.g. 0.3.
    ///
    /// With `callboard forecast --staffing`, `measured` takes it from the store: the
    /// share of scheduled paid time not spent ready or handling calls over the last
    /// 4 weeks.
    #[arg(long, default_value_t = Shrinkage::Fraction(StaffQuery::default().shrinkage), value_name = "F", value_parser = parse_shrinkage)]
    shrinkage: Shrinkage,
    /// Cap on occupancy, e.g. 0.85.
    #[arg(long, value_name = "F")]
    max_occupancy: Option<f64>,
}

impl Targets {
    /// Whether shrinkage is to be measured from the store.
    pub fn shrinkage_measured(&self) -> bool {
        self.shrinkage == Shrinkage::Measured
    }

    /// A staffing query with these targets (calls and handle time left at 0;
    /// shrinkage 0 when it is to be measured).
    pub fn query(&self) -> StaffQuery {
        StaffQuery {
            sl_target: self.sl_target,
            sl_seconds: self.sl_seconds,
            model: match self.model {
                ModelArg::ErlangC => ModelKind::ErlangC,
                ModelArg::ErlangA => ModelKind::ErlangA,
                ModelArg::ErlangB => ModelKind::ErlangB,
            },
            patience_s: self.patience,
            max_abandon: self.max_abandon,
            max_asa_s: self.max_asa,
            max_blocking: self.max_blocking,
            shrinkage: match self.shrinkage {
                Shrinkage::Fraction(f) => f,
                Shrinkage::Measured => 0.0,
            },
            max_occupancy: self.max_occupancy,
            ..StaffQuery::default()
        }
    }
}

/// Flags of `callboard staff`.
///
/// How many agents an interval needs to meet its targets, by Erlang C (callers wait),
/// Erlang A (callers hang up) or Erlang B (lines for a blocking target). The answer is
/// the fewest agents meeting every target given, computed exactly (no float rounding
/// of 119.00000000000001 to 120); positions = agents ÷ (1 − shrinkage), rounded up.
#[derive(Debug, clap::Args)]
#[command(
    allow_negative_numbers = true,
    after_help = "Examples:
  callboard staff --calls 100 --aht 180 --interval-minutes 30 --sl-target 0.8 --sl-seconds 20
  callboard staff --calls 100 --aht 180 --model erlang-a --patience 300 --max-abandon 0.05
  callboard staff --calls 100 --aht 180 --model erlang-b --max-blocking 0.01
  callboard staff --input forecast.csv --output staffing.csv --shrinkage 0.3

A file has the columns interval_start, calls, aht_s and optionally queue, sl_target,
sl_seconds, patience_s, shrinkage, max_occupancy; flags give the values of the columns
a file lacks. The interval length is read from the spacing of interval_start unless
--interval-minutes is given."
)]
pub struct Args {
    /// Calls offered in the interval.
    #[arg(long, value_name = "N", required_unless_present = "input")]
    calls: Option<f64>,
    /// Average handle time (talk + hold + after-call work), seconds.
    #[arg(long, value_name = "S", required_unless_present = "input")]
    aht: Option<f64>,
    /// Interval length, minutes [default: 30, or the spacing of the file's intervals].
    #[arg(long, value_name = "M")]
    interval_minutes: Option<f64>,
    #[command(flatten)]
    targets: Targets,
    /// Output format for one interval.
    #[arg(long, default_value = "table", value_parser = Format::among(&[Format::Table, Format::Json]))]
    format: Format,
    /// Also report the fractional agents (continuous Erlang B/C) that meet the target
    /// exactly, for adding up several queues before rounding once.
    #[arg(long)]
    fractional: bool,
    /// A CSV or Parquet file of intervals (see below).
    #[arg(long, value_name = "FILE", conflicts_with_all = ["calls", "aht"])]
    input: Option<PathBuf>,
    /// Where to write the staffed intervals (.csv or .parquet) [default: CSV on stdout].
    #[arg(long, value_name = "FILE", requires = "input")]
    output: Option<PathBuf>,
}

impl Args {
    fn query(&self) -> StaffQuery {
        StaffQuery {
            calls: self.calls.unwrap_or(0.0),
            aht_s: self.aht.unwrap_or(0.0),
            interval_minutes: self.interval_minutes,
            ..self.targets.query()
        }
    }
}

/// Runs `callboard staff`.
pub fn run(args: Args) -> Result<ExitCode> {
    if args.targets.shrinkage_measured() {
        anyhow::bail!(
            "--shrinkage measured needs a store's schedules and agent states: use it with `callboard forecast --staffing`, or give staff a fraction such as 0.3"
        );
    }
    if let Some(input) = args.input.clone() {
        return run_file(&args, &input);
    }
    let q = args.query();
    let r = crate::query::staffing::run(&q, args.fractional).map_err(|e| match e {
        QueryError::NoPatience => anyhow::anyhow!("{e}: add --patience SECONDS"),
        e => e.into(),
    })?;
    match args.format {
        Format::Json => super::print_json(&r.answer, true)?,
        _ => {
            print_table(&r.request, &r.staffing, q.shrinkage);
            if args.fractional {
                match r.answer.fractional_agents {
                    Some(x) => println!("fractional agents meeting the target exactly: {x:.4}"),
                    None => println!("fractional agents: not available for Erlang A"),
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn run_file(args: &Args, input: &std::path::Path) -> Result<ExitCode> {
    let t0 = std::time::Instant::now();
    let timings = std::env::var_os("CALLBOARD_TIMINGS").is_some();
    let lap = |what: &str| {
        if timings {
            eprintln!("  {what}: {:.1} ms", t0.elapsed().as_secs_f64() * 1e3);
        }
    };
    let to_parquet = args.output.as_ref().is_some_and(|p| {
        p.extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("parquet"))
    });
    let kind = if to_parquet {
        OutputKind::Parquet
    } else {
        OutputKind::Csv
    };
    let staffed = crate::query::staffing::run_file(&args.query(), input, kind)?;
    lap("solved");
    match (&args.output, kind) {
        (Some(path), OutputKind::Parquet) => staffed.write_parquet(path)?,
        (Some(path), OutputKind::Csv) => {
            // Replaced whole: a run killed midway leaves the old file.
            crate::store::replace_by(path, |tmp| {
                staffed.write_csv(&mut std::io::BufWriter::new(std::fs::File::create(tmp)?))
            })
            .with_context(|| format!("cannot write {}", path.display()))?;
        }
        (None, _) => staffed
            .write_csv(&mut std::io::BufWriter::new(std::io::stdout().lock()))
            .context("cannot write the output")?,
    }
    lap("written");
    let rejects = &staffed.rejects;
    eprintln!(
        "{}: {} intervals ({} min each): {} staffed, {} rejected",
        input.display(),
        staffed.rows,
        staffed.interval_minutes,
        staffed.staffed,
        rejects.len()
    );
    if !rejects.is_empty() {
        for (line, why) in rejects.iter().take(10) {
            eprintln!("  line {line}: {why}");
        }
        if rejects.len() > 10 {
            eprintln!("  … and {} more", rejects.len() - 10);
        }
        if let Some(path) = &args.output {
            let rpath: PathBuf = path.with_extension("rejects.csv");
            staffed.write_rejects(&rpath)?;
            eprintln!("  rejected rows with reasons: {}", rpath.display());
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn secs(x: Option<f64>) -> String {
    x.map_or("∞".into(), |v| format!("{v:.1} s"))
}

fn print_table(req: &StaffingRequest, s: &Staffing, shrinkage: f64) {
    let t = req.traffic();
    let what = if req.model() == Model::ErlangB {
        "lines"
    } else {
        "agents"
    };
    println!(
        "{}: {} calls in {} min, AHT {} s → {:.3} Erlangs",
        req.model().name(),
        t.calls(),
        t.interval_s() / 60.0,
        t.aht_s(),
        t.erlangs()
    );
    let tg = req.targets();
    let mut goals = Vec::new();
    if let Some(sl) = tg.service_level {
        goals.push(format!(
            "{:.1} % answered within {} s",
            sl * 100.0,
            tg.sl_seconds
        ));
    }
    if let Some(x) = tg.max_asa_s {
        goals.push(format!("ASA ≤ {x} s"));
    }
    if let Some(x) = tg.max_abandon {
        goals.push(format!("abandon ≤ {:.1} %", x * 100.0));
    }
    if let Some(x) = tg.max_occupancy {
        goals.push(format!("occupancy ≤ {:.1} %", x * 100.0));
    }
    if let Some(x) = tg.max_blocking {
        goals.push(format!("blocking ≤ {:.2} %", x * 100.0));
    }
    println!("targets: {}", goals.join(", "));
    let n = s.metrics.agents;
    let rows: Vec<Metrics> = (n.saturating_sub(1)..=n + 1)
        .map(|k| req.evaluate(k))
        .collect();
    if req.model() == Model::ErlangB {
        println!("\n  {what:>7}  blocking  occupancy");
        for m in &rows {
            let mark = if m.agents == n { "▶" } else { " " };
            println!(
                "{mark} {:>7}  {:>8}  {:>9}",
                m.agents,
                m.blocking
                    .map_or("–".into(), |b| format!("{:.2} %", b * 100.0)),
                super::percent(Some(m.occupancy))
            );
        }
    } else {
        let abandon = matches!(req.model(), Model::ErlangA { .. });
        println!(
            "\n  {what:>7}  {:>13}  {:>8}  {:>9}  {:>9}{}",
            "service level",
            "P(wait)",
            "ASA",
            "occupancy",
            if abandon { "  abandoned" } else { "" }
        );
        for m in &rows {
            let mark = if m.agents == n { "▶" } else { " " };
            println!(
                "{mark} {:>7}  {:>13}  {:>8}  {:>9}  {:>9}{}",
                m.agents,
                super::percent(m.service_level),
                super::percent(m.probability_of_waiting),
                secs(m.asa_s),
                super::percent(Some(m.occupancy)),
                if abandon {
                    format!("  {:>9}", super::percent(m.abandon_rate))
                } else {
                    String::new()
                }
            );
        }
    }
    println!(
        "\n{n} {what} needed (binding target: {}); {} positions to schedule at {:.0} % shrinkage",
        s.binding.as_str().replace('_', " "),
        s.positions,
        shrinkage * 100.0
    );
}
