//! `callboard kpi`: flags → [`query::kpi`] → a table, CSV or JSON.

use super::{CallPeriod, DataDir, Format, print_json};
use crate::query::kpi::{Group, KpiQuery, KpiReport, SlProfile, catalog};
use crate::query::{By, open_store};
use anyhow::Result;
use callboard_core::kpi::calls::{CallCounts, SlAbandons};
use callboard_core::kpi::catalog::{KPIS, Status, Unit};
use callboard_core::kpi::report::Row;
use callboard_core::time::format_timestamp;
use std::io::IsTerminal;
use std::process::ExitCode;

/// Buckets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ByArg {
    /// The whole period.
    Total,
    /// Intervals of --interval.
    Interval,
    /// Days.
    Day,
    /// ISO weeks.
    Week,
    /// Months.
    Month,
}

impl From<ByArg> for By {
    fn from(b: ByArg) -> By {
        match b {
            ByArg::Total => By::Total,
            ByArg::Interval => By::Interval,
            ByArg::Day => By::Day,
            ByArg::Week => By::Week,
            ByArg::Month => By::Month,
        }
    }
}

/// Groups.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum GroupArg {
    /// By queue.
    Queue,
    /// By the agents' team.
    Team,
    /// By agent.
    Agent,
}

/// The service-level definition profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SlProfileArg {
    /// Abandons are failures.
    Negative,
    /// Abandons are left out.
    Ignore,
    /// Abandons within the threshold are successes.
    Positive,
}

fn defaults() -> KpiQuery {
    KpiQuery::default()
}

/// Flags of `callboard kpi` (its --help text is the `Kpi` command's doc in cli/mod.rs).
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  callboard kpi                                   # the whole store, one row per KPI
  callboard kpi --by day --format csv > daily.csv
  callboard kpi --by interval --interval 30m --group queue --format json
  callboard kpi --from 2026-03-02 --to 2026-03-09 --timezone Asia/Shanghai
  callboard kpi --explain service_level           # formula, target, what to check")]
pub struct Args {
    #[command(flatten)]
    data: DataDir,
    #[command(flatten)]
    period: CallPeriod,
    /// Buckets.
    #[arg(long, value_enum, default_value_t = ByArg::Total)]
    by: ByArg,
    /// Interval length for --by interval: 15m, 30m or 60m.
    #[arg(long, default_value_t = defaults().interval, value_name = "LEN")]
    interval: String,
    /// Group rows by queue, team or agent.
    #[arg(long, value_enum)]
    group: Option<GroupArg>,
    /// Service-level threshold, seconds.
    #[arg(long, default_value_t = defaults().sl_seconds, value_name = "S")]
    sl_seconds: f64,
    /// Abandons at or under this wait are misdials, left out of every KPI, seconds.
    #[arg(long, default_value_t = defaults().short_abandon_seconds, value_name = "S")]
    short_abandon_seconds: f64,
    /// How abandoned calls enter the service level: negative (failures, the manual's
    /// definition), ignore (left out of the denominator), positive (abandoned within
    /// --sl-seconds count as successes).
    #[arg(long, value_enum, default_value_t = SlProfileArg::Negative)]
    sl_abandons: SlProfileArg,
    /// First-contact resolution: a repeat call within this window means unresolved (e.g. 7d, 48h).
    #[arg(long, default_value_t = defaults().fcr_window, value_name = "LEN")]
    fcr_window: String,
    /// IANA zone of the buckets (days start at local midnight).
    #[arg(long, default_value_t = defaults().timezone, value_name = "TZ")]
    timezone: String,
    /// Only these queues (repeatable).
    #[arg(long, value_name = "NAME")]
    queue: Vec<String>,
    /// Output format.
    #[arg(long, default_value = "table", value_parser = Format::among(&[Format::Table, Format::Json, Format::Csv]))]
    format: Format,
    /// Indent the JSON even when it does not go to a terminal.
    #[arg(long)]
    pretty: bool,
    /// Compute from the rows even where the store's per-slot summaries could answer
    /// (they give the same figures; this is for checking that, or timing the rows;
    /// the JSON then says served_from "rows").
    #[arg(long)]
    from_rows: bool,
    /// Print what a KPI means instead of computing it: formula, inputs, target and what
    /// to look at when it drifts (an id such as service_level, or every KPI when
    /// given alone). Needs no store.
    #[arg(long, value_name = "ID", num_args = 0..=1, default_missing_value = "all")]
    explain: Option<String>,
}

impl Args {
    fn query(&self) -> KpiQuery {
        KpiQuery {
            period: self.period.query(),
            by: self.by.into(),
            interval: self.interval.clone(),
            group: self.group.map(|g| match g {
                GroupArg::Queue => Group::Queue,
                GroupArg::Team => Group::Team,
                GroupArg::Agent => Group::Agent,
            }),
            queue: self.queue.clone(),
            sl_seconds: self.sl_seconds,
            short_abandon_seconds: self.short_abandon_seconds,
            sl_abandons: match self.sl_abandons {
                SlProfileArg::Negative => SlProfile::Negative,
                SlProfileArg::Ignore => SlProfile::Ignore,
                SlProfileArg::Positive => SlProfile::Positive,
            },
            fcr_window: self.fcr_window.clone(),
            timezone: self.timezone.clone(),
            from_rows: self.from_rows,
        }
    }
}

/// `--explain`: the catalog entry of one KPI, or all of them.
fn explain(which: &str) -> Result<ExitCode> {
    for (i, k) in catalog(which)?.iter().enumerate() {
        if i > 0 {
            println!();
        }
        println!("{}. {} ({}, {})", k.number, k.name, k.id, k.manual_name);
        println!("  unit        {}", k.unit.as_str());
        println!("  formula     {}", k.definition);
        let inputs: Vec<&str> = k.inputs.iter().map(|t| t.name()).collect();
        println!("  inputs      {}", inputs.join(", "));
        println!("  target      {}", k.target_text);
        if !k.hints.is_empty() {
            println!("  if it drifts, look at: {}", k.hints.join("; "));
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Runs `callboard kpi`.
pub fn run(args: Args) -> Result<ExitCode> {
    if let Some(which) = &args.explain {
        return explain(which);
    }
    let store = open_store(&args.data.path())?;
    let report = crate::query::kpi::run(&store, &args.query())?;
    for note in &report.notes {
        eprintln!("note: {note}");
    }
    match args.format {
        Format::Json => print_json(&report, args.pretty)?,
        Format::Csv => print_csv(&report.rows)?,
        Format::Table => print_table(&report),
    }
    Ok(ExitCode::SUCCESS)
}

/// The whole-period table, as `callboard demo` shows it.
pub fn print_report_table(report: &KpiReport) {
    print_table(report);
}

fn print_csv(rows: &[Row]) -> Result<()> {
    let mut w = csv::Writer::from_writer(std::io::BufWriter::new(std::io::stdout().lock()));
    let mut header = vec!["bucket_start", "group"];
    header.extend(CallCounts::NAMES);
    header.extend(KPIS.iter().map(|k| k.id));
    w.write_record(&header)?;
    for r in rows {
        let mut rec = vec![
            r.bucket_start.map(format_timestamp).unwrap_or_default(),
            r.group.clone().unwrap_or_default(),
        ];
        rec.extend(r.counts.values().map(|x| x.to_string()));
        rec.extend(
            r.kpis
                .iter()
                .map(|k| k.value.map(|v| v.to_string()).unwrap_or_default()),
        );
        w.write_record(&rec)?;
    }
    w.flush()?;
    Ok(())
}

fn shown(unit: Unit, v: Option<f64>) -> String {
    match v {
        None => "–".into(),
        Some(x) => match unit {
            Unit::Ratio => format!("{:.1} %", x * 100.0),
            Unit::Seconds => format!("{x:.1} s"),
            Unit::Count => format!("{x:.0}"),
            Unit::Rings | Unit::PerHour | Unit::Score | Unit::Currency => format!("{x:.2}"),
        },
    }
}

/// `text` in the terminal colour of a status: green, yellow, red, grey.
fn paint(text: &str, st: Status) -> String {
    let code = match st {
        Status::Good => "32",
        Status::Watch => "33",
        Status::Poor => "31",
        Status::Unknown => "90",
    };
    format!("\x1b[{code}m{text}\x1b[0m")
}

/// The status word, coloured on a terminal.
fn coloured(st: Status, colour: bool) -> String {
    if colour {
        paint(st.as_str(), st)
    } else {
        st.as_str().into()
    }
}

/// Up to this many rows print as blocks of all 23 KPIs; more as a wide table.
const BLOCK_ROWS: usize = 12;

/// The counts line and one line per KPI: value (or why none), status, target.
fn print_block(r: &Row, colour: bool) {
    let c = &r.counts;
    println!(
        "{} calls: {} answered, {} abandoned ({} short), {} timeout, {} blocked, {} ivr\n",
        c.total, c.answered, c.abandoned, c.short_abandons, c.timeout, c.blocked, c.ivr
    );
    for (k, v) in KPIS.iter().zip(&r.kpis) {
        // The table shows what fits, marked when cut; `--explain` prints it whole.
        let target: String = if k.target_text.chars().count() > 26 {
            k.target_text.chars().take(25).chain(['…']).collect()
        } else {
            k.target_text.to_owned()
        };
        let value = match &v.reason {
            Some(reason) if v.value.is_none() => format!("– ({reason})"),
            _ => shown(v.unit, v.value),
        };
        println!(
            "{:<28} {:>12}  {:<8} {}",
            k.name,
            value.chars().take(40).collect::<String>(),
            coloured(v.status, colour),
            target
        );
    }
}

/// A wide-table cell of width 8: the value coloured by status on a terminal, else
/// followed by `!` (poor) or `~` (watch).
fn marked(value: &str, st: Status, colour: bool) -> String {
    if colour {
        return paint(&format!("{value:>8}"), st);
    }
    let mark = match st {
        Status::Poor => "!",
        Status::Watch => "~",
        _ => " ",
    };
    format!("{:>8}", format!("{value}{mark}"))
}

fn print_table(report: &KpiReport) {
    let (rows, s, q) = (&report.rows, &report.settings, &report.query);
    let colour = std::io::stdout().is_terminal();
    println!(
        "KPIs {} – {} ({})",
        format_timestamp(s.from_ms),
        format_timestamp(s.to_ms),
        s.zone.name()
    );
    // A bucket as `2026-03-02 08:30`.
    let bucket = |r: &Row| {
        r.bucket_start.map(|t| {
            format_timestamp(t)
                .trim_end_matches(":00Z")
                .replace('T', " ")
        })
    };
    let label = |r: &Row| match (bucket(r), &r.group) {
        (Some(b), Some(g)) => format!("{b}  {g}"),
        (Some(b), None) => b,
        (None, Some(g)) => g.clone(),
        (None, None) => String::new(),
    };
    if rows.len() <= BLOCK_ROWS {
        // Few rows: one block each with all 23 KPIs, status in words.
        for (i, r) in rows.iter().enumerate() {
            let name = label(r);
            if !name.is_empty() {
                println!("{}── {name} ──", if i == 0 { "" } else { "\n" });
            }
            print_block(r, colour);
        }
    } else {
        // Many rows: a wide table of the headline KPIs, each cell marked by its status.
        println!(
            "{:<16} {:<10} {:>6} {:>8} {:>8} {:>8} {:>8} {:>8}",
            "bucket", "group", "calls", "SL", "ASA", "aband.", "AHT", "occup."
        );
        for r in rows {
            let cell = |k: &str| {
                let v = r.kpis.iter().find(|x| x.id == k).expect("every id");
                marked(&shown(v.unit, v.value), v.status, colour)
            };
            println!(
                "{:<16} {:<10} {:>6} {} {} {} {} {}",
                bucket(r).unwrap_or_else(|| "total".into()),
                r.group
                    .clone()
                    .unwrap_or_default()
                    .chars()
                    .take(10)
                    .collect::<String>(),
                r.counts.total,
                cell("service_level"),
                cell("average_speed_of_answer"),
                cell("abandon_rate"),
                cell("average_handle_time"),
                cell("occupancy")
            );
        }
        println!(
            "{}",
            if colour {
                "(green good, yellow watch, red poor against the domain.md targets)"
            } else {
                "(! poor, ~ watch against the domain.md targets)"
            }
        );
        println!(
            "(all 23 KPIs with statuses and reasons: narrow the period or the groups to {BLOCK_ROWS} rows or fewer, or use --format json or csv)"
        );
    }
    println!(
        "\nprofile: service level {} (abandons {}), threshold {} s; abandons ≤ {} s are misdials, left out; FCR window {}{}",
        match s.calls.sl_abandons {
            SlAbandons::Negative => "= answered within t ÷ offered",
            SlAbandons::Ignore => "= answered within t ÷ (offered − abandoned)",
            SlAbandons::Positive => "= (answered + abandoned) within t ÷ offered",
        },
        s.calls.sl_abandons.as_str(),
        s.calls.sl_seconds,
        s.calls.short_abandon_seconds,
        q.fcr_window,
        if q.queue.is_empty() {
            String::new()
        } else {
            format!("; queues {}", q.queue.join(", "))
        }
    );
}
