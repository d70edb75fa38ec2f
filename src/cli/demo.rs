//! `callboard demo`: the main job on the bundled sample data — an ingest, then the
//! queries every user starts with, printed.

use super::ingest::print_report;
use crate::ingest::{IngestOptions, LoadRequest, load};
use crate::query::kpi::KpiQuery;
use crate::query::open_store;
use crate::query::status::StatusQuery;
use crate::query::tickets::{TicketGroup, TicketsQuery};
use crate::store::MANIFEST;
use anyhow::{Context, Result, bail};
use callboard_core::schema::Table;
use callboard_core::time::TimeZoneSpec;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

/// Flags of `callboard demo`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Store to (re)create for the demo. An existing directory is only replaced if it
    /// is empty or a callboard store.
    #[arg(long, default_value = "callboard-demo-data", value_name = "DIR")]
    data_dir: PathBuf,
    /// The sample data [default: ./sample_data, else the one next to the sources].
    #[arg(long, value_name = "DIR")]
    sample_dir: Option<PathBuf>,
    /// Where the demo writes its files (the forecast).
    #[arg(long, default_value = "reports", value_name = "DIR")]
    reports_dir: PathBuf,
}

fn sample_dir(flag: Option<PathBuf>) -> Result<PathBuf> {
    if let Some(d) = flag {
        return Ok(d);
    }
    let local = PathBuf::from("sample_data");
    if local.join("calls.csv").exists() {
        return Ok(local);
    }
    let built_in = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample_data");
    if built_in.join("calls.csv").exists() {
        return Ok(built_in);
    }
    bail!(
        "cannot find sample_data/ (looked in . and {}); run from the callboard checkout or pass --sample-dir",
        built_in.display()
    )
}

fn fresh_store(dir: &Path) -> Result<()> {
    if dir.exists() {
        let empty = std::fs::read_dir(dir)
            .with_context(|| format!("cannot list {}", dir.display()))?
            .next()
            .is_none();
        if !empty && !dir.join(MANIFEST).exists() {
            bail!(
                "{} exists and is not a callboard store; pass another --data-dir",
                dir.display()
            );
        }
        std::fs::remove_dir_all(dir).with_context(|| format!("cannot clear {}", dir.display()))?;
    }
    Ok(())
}

pub fn run(args: Args) -> Result<ExitCode> {
    let samples = sample_dir(args.sample_dir)?;
    // Headcount and plans first, then activity, so each file can be checked against them.
    let order = [
        Table::Agents,
        Table::Schedules,
        Table::AgentStates,
        Table::Calls,
        Table::QaEvaluations,
        Table::Costs,
        Table::Tickets,
    ];
    let files: Vec<PathBuf> = order
        .iter()
        .map(|t| samples.join(format!("{}.csv", t.name())))
        .filter(|p| p.exists())
        .collect();
    if files.is_empty() {
        bail!(
            "{} holds no sample tables (calls.csv, …)",
            samples.display()
        );
    }
    fresh_store(&args.data_dir)?;
    println!(
        "callboard demo: loading the sample centre from {} into {}\n",
        samples.display(),
        args.data_dir.display()
    );
    let began = Instant::now();
    let opts = IngestOptions {
        kind: None,
        zone: TimeZoneSpec::Utc,
        dry_run: false,
        progress: true,
        queue_log: false,
        ring_seconds: 6.0,
        summaries: true,
    };
    let report = load(
        &args.data_dir,
        &LoadRequest {
            files,
            mapping: None,
            options: opts.clone(),
        },
    )?;
    print_report(&report, false);
    let store = open_store(&args.data_dir)?;
    let status = crate::query::status::run(&store, &StatusQuery::default())?;
    println!(
        "\nstore {} after {:.2} s:",
        args.data_dir.display(),
        began.elapsed().as_secs_f64()
    );
    for t in Table::ALL {
        let Some(s) = status.tables.get(t.name()) else {
            continue;
        };
        let span = match (&s.first_day, &s.last_day) {
            (Some(a), Some(b)) => format!("{a} … {b}"),
            _ => String::new(),
        };
        println!(
            "  {:<15} {:>8} rows in {:>3} partitions  {}",
            t.name(),
            s.rows,
            s.partitions,
            span
        );
    }
    let kpis = crate::query::kpi::run(&store, &KpiQuery::default())?;
    if let Some(total) = kpis.rows.first().filter(|r| r.counts.total > 0) {
        let c = &total.counts;
        let mut outcomes = [
            ("answered", c.answered),
            ("abandoned", c.abandoned),
            ("timeout", c.timeout),
            ("blocked", c.blocked),
            ("ivr", c.ivr),
        ];
        outcomes.sort_by_key(|o| std::cmp::Reverse(o.1));
        println!("\ncalls by outcome:");
        for (o, n) in outcomes.iter().filter(|(_, n)| *n > 0) {
            println!(
                "  {:<10} {:>8}  {:>5.1} %",
                o,
                n,
                *n as f64 / c.total as f64 * 100.0
            );
        }
    }
    println!();
    for note in &kpis.notes {
        eprintln!("note: {note}");
    }
    super::kpi::print_report_table(&kpis);
    println!("\nticket SLAs (policies/desk.toml):\n");
    let tickets = crate::query::tickets::run(
        &store,
        &TicketsQuery {
            group: Some(TicketGroup::Kind),
            ..TicketsQuery::default()
        },
    )?;
    super::tickets::print_report_table(&tickets, 5);
    // The two weeks after the sample, per queue and half hour, staffed for 80 % in
    // 20 s by Erlang C with the shrinkage the sample's schedules and states show.
    let forecast = crate::query::forecast::run(
        Some(&store),
        &crate::query::forecast::ForecastQuery {
            staffing: Some(crate::query::staffing::StaffQuery::default()),
            measure_shrinkage: true,
            ..Default::default()
        },
    )?;
    std::fs::create_dir_all(&args.reports_dir)
        .with_context(|| format!("cannot create {}", args.reports_dir.display()))?;
    let path = args.reports_dir.join("demo-forecast.csv");
    let mut file = std::io::BufWriter::new(
        std::fs::File::create(&path)
            .with_context(|| format!("cannot create {}", path.display()))?,
    );
    super::forecast::write_csv(&forecast, &mut file)
        .and_then(|()| Ok(std::io::Write::flush(&mut file)?))
        .with_context(|| format!("cannot write {}", path.display()))?;
    println!("\nforecast, {} … {}:", forecast.from, forecast.to);
    for q in &forecast.queues {
        println!(
            "  {:<10} {:>7.0} calls, peak {:>5.1} a half hour at {}  ({}, backtest WAPE {})",
            q.queue,
            q.total_calls,
            q.peak_calls,
            q.peak_interval.as_deref().unwrap_or("–"),
            q.method,
            super::percent(q.wape)
        );
    }
    if let Some(s) = forecast.shrinkage {
        println!(
            "\nstaffing: 80 % of calls answered in 20 s (Erlang C), {:.1} % shrinkage measured from the sample's schedules and agent states",
            s * 100.0
        );
    }
    super::forecast::print_daily_peaks(&forecast);
    println!(
        "  every interval with its 80 % and 95 % bands, agents and positions: {}",
        path.display()
    );
    // The named roster for the forecast's first week, from that requirement file
    // as it is, with the sample's agents, shift templates and rules (duty rules
    // on); a short time limit (the summary says the gap it proved). Then the
    // roster goes into the store as the schedules table: adherence is measured
    // against it as that week's agent states arrive.
    let roster_dir = args.reports_dir.join("roster");
    let first_day = forecast.from.get(..10).unwrap_or_default().to_owned();
    let roster_input = samples.join("roster");
    let spinner = std::io::IsTerminal::is_terminal(&std::io::stderr()).then(|| {
        let bar = indicatif::ProgressBar::new_spinner();
        bar.set_message("rostering the sample's agents on the forecast's first week (HiGHS, 30 s)");
        bar.enable_steady_tick(std::time::Duration::from_millis(120));
        bar
    });
    let plan = crate::query::roster::run(&crate::query::roster::RosterQuery {
        requirements: path.clone(),
        shifts: roster_input.join("shifts.toml"),
        rules: Some(roster_input.join("rules.toml")),
        start: Some(first_day),
        timezone: "UTC".into(),
        time_limit: Some("30s".into()),
        agents: Some(roster_input.join("agents.csv")),
        // The sample's own schedules run to the week before: each agent rests
        // after their last shift there (a night shift into Monday included).
        previous: Some(samples.join("schedules.csv")),
    });
    if let Some(bar) = spinner {
        bar.finish_and_clear();
    }
    let plan = plan?;
    super::roster::write_files(&plan, &roster_dir)?;
    println!("\nnamed roster for the forecast's first week (callboard roster --agents):");
    super::roster::print_summary(&plan, &roster_dir);
    let schedules = load(
        &args.data_dir,
        &LoadRequest {
            files: vec![roster_dir.join("roster.csv")],
            mapping: None,
            options: IngestOptions {
                kind: Some(Table::Schedules),
                progress: false,
                ..opts
            },
        },
    )?;
    println!(
        "  roster.csv ingested as schedules: {} rows loaded; callboard kpi --from {} measures adherence against it as the week's agent states arrive",
        schedules.totals.loaded,
        plan.from.get(..10).unwrap_or_default()
    );
    // The management review pack for the sample month.
    // Reopened: the store now holds the roster's schedules too.
    let store = open_store(&args.data_dir)?;
    let index = super::report::write(
        &store,
        &crate::query::report::ReportQuery::default(),
        crate::report::Formats::default(),
        None,
        &args.reports_dir,
        "sample centre",
    )?;
    println!(
        "\nreview pack for the sample month (callboard report): {}\n  charts/*.png and *.svg, kpis.xlsx and report.json beside it",
        index.display()
    );
    println!(
        "\nnext: callboard kpi --data-dir {d} --by day --group queue   (see callboard kpi --help)\n      callboard tickets --data-dir {d} --by month --group severity\n      callboard forecast --data-dir {d} --interval 15m --horizon 28d --staffing --staff-to p80\n      callboard report --data-dir {d} --from 2026-03-09 --to 2026-03-16 --out reports/week-11",
        d = args.data_dir.display()
    );
    Ok(ExitCode::SUCCESS)
}
