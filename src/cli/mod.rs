//! Command-line interface: one file per subcommand — flags → a query (or an
//! ingest) → a table, CSV or JSON on stdout, and the exit code. No store reading
//! and no computation here: that is `query`, `store` and the core.

mod demo;
mod forecast;
mod ingest;
mod kpi;
mod report;
mod roster;
mod schema;
mod serve;
mod simulate;
mod staff;
mod status;
mod tickets;

use anyhow::{Context, Result};
use clap::ValueEnum;
use clap::{Parser, Subcommand};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

/// callboard — contact-centre metrics and workforce management.
///
/// Load ACD call records (canonical CSV/Parquet, Asterisk queue_log, any vendor export
/// through a mapping), agent states, schedules, QA scores, costs, headcount and tickets
/// into a crash-safe local store; compute the 23 standard KPIs; size staffing with
/// Erlang C, A and B; measure ticket SLAs against a policy. Build rosters,
/// write the review pack, and serve the dashboard, wallboard and JSON API. Start
/// with `callboard demo`.
#[derive(Debug, Parser)]
#[command(name = "callboard", version, about, long_about)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the main job on the bundled sample data: load it into a fresh store and print
    /// what was loaded and its KPIs.
    Demo(demo::Args),
    /// Write a consistent synthetic contact centre (all seven tables) from a seeded
    /// simulation.
    Simulate(simulate::Args),
    /// Load CSV or Parquet files into the store, rejecting bad rows with reasons.
    Ingest(ingest::Args),
    /// The 23 contact-centre KPIs, by interval, day, week or month, per queue, team or
    /// agent, with their status against the targets.
    ///
    /// Each KPI has a status against the domain manual's target (good, watch, poor,
    /// unknown); a KPI whose input table is missing, or that is not defined for the
    /// grouping, is null with the reason.
    ///
    /// Where the figures come from: every ingest keeps per-15-minute summaries beside
    /// the data, and a report whose period and buckets are whole quarter-hours is
    /// answered from them ("summaries": the same figures as the rows, to the last
    /// bit). Per team or agent, or with call settings other than the defaults, the
    /// calls are read from the rows and agent time from the summaries
    /// ("summaries+rows"); anything else, or --from-rows, reads the rows ("rows").
    /// The JSON says which in settings.served_from.
    Kpi(kpi::Args),
    /// Agents (or lines) an interval needs, by Erlang C, Erlang A or Erlang B; for one
    /// interval or a whole file of them.
    Staff(staff::Args),
    /// Calls per queue and interval for the weeks ahead, with 80 % and 95 % bands,
    /// from the store's calls or an interval-count file (the method chosen per queue
    /// by a weekly backtest).
    Forecast(forecast::Args),
    /// The shift plan that covers a staffing requirement — how many of each shift
    /// start when, breaks placed — and with --agents the week's roster (who works
    /// which shift), optimised by HiGHS with the gap it proved, and every interval
    /// left short and why.
    Roster(roster::Args),
    /// Ticket SLAs against a policy: compliance per rule, breaches, tickets at risk,
    /// recurring problems, repeat calls.
    Tickets(tickets::Args),
    /// The management review pack for a period: index.html (KPIs against target and
    /// the previous period, charts with generated sentences, ticket SLAs),
    /// charts/*.png|svg, kpis.xlsx and report.json.
    Report(report::Args),
    /// Serve the dashboard, the live wallboard and the JSON API over HTTP (axum):
    /// http://127.0.0.1:8080/ by default.
    Serve(serve::Args),
    /// Show what the store holds; `--verify` reads every file back.
    Status(status::Args),
    /// Print the canonical tables (columns, types, rules) as Markdown.
    Schema(schema::Args),
}

/// The store location flag shared by commands that read or write it.
#[derive(Debug, Clone, clap::Args)]
pub struct DataDir {
    /// The store directory [default: $CALLBOARD_DATA, else ./callboard-data].
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
}

impl DataDir {
    /// The resolved directory.
    pub fn path(&self) -> PathBuf {
        crate::store::resolve_data_dir(self.data_dir.as_deref())
    }
}

/// The period flags of the commands that report on calls (`kpi`, `report`).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct CallPeriod {
    /// Period start (RFC 3339, or a date = midnight in --timezone) [default: midnight of the first call's day].
    #[arg(long, value_name = "T")]
    pub from: Option<String>,
    /// Period end, exclusive [default: midnight after the last call's day].
    #[arg(long, value_name = "T")]
    pub to: Option<String>,
}

impl CallPeriod {
    /// The period as a query takes it.
    pub fn query(&self) -> crate::query::PeriodQuery {
        crate::query::PeriodQuery {
            from: self.from.clone(),
            to: self.to.clone(),
        }
    }
}

/// Parses the command line and runs it.
pub fn run() -> Result<ExitCode> {
    let cli = Cli::parse();
    match cli.command {
        Command::Demo(a) => demo::run(a),
        Command::Simulate(a) => simulate::run(a),
        Command::Ingest(a) => ingest::run(a),
        Command::Kpi(a) => kpi::run(a),
        Command::Staff(a) => staff::run(a),
        Command::Forecast(a) => forecast::run(a),
        Command::Roster(a) => roster::run(a),
        Command::Tickets(a) => tickets::run(a),
        Command::Report(a) => report::run(a),
        Command::Serve(a) => serve::run(a),
        Command::Status(a) => status::run(a),
        Command::Schema(a) => schema::run(a),
    }
}

/// Output format, shared by every command; each offers the ones it writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Readable on an 80-column terminal.
    Table,
    /// The JSON of docs/cli.md (indented on a terminal or with --pretty, else
    /// compact).
    Json,
    /// One line per row.
    Csv,
}

impl Format {
    /// A flag parser offering only `allowed` (the --help lists just those).
    pub fn among(
        allowed: &'static [Format],
    ) -> impl clap::builder::TypedValueParser<Value = Format> {
        use clap::builder::TypedValueParser;
        clap::builder::PossibleValuesParser::new(
            allowed.iter().filter_map(|f| f.to_possible_value()),
        )
        .map(|s| Format::from_str(&s, false).expect("only listed values parse"))
    }
}

/// A fraction as a percentage with one decimal (`84.8 %`), `–` when there is none.
pub fn percent(x: Option<f64>) -> String {
    x.map_or("–".into(), |v| format!("{:.1} %", v * 100.0))
}

/// Writes `value` as JSON to stdout through a buffer: indented when `pretty` or on a
/// terminal, compact otherwise (a pipe or file: smaller and faster to write).
pub fn print_json(value: &impl serde::Serialize, pretty: bool) -> Result<()> {
    let stdout = std::io::stdout();
    let pretty = pretty || stdout.is_terminal();
    let mut out = std::io::BufWriter::with_capacity(1 << 16, stdout.lock());
    if pretty {
        serde_json::to_writer_pretty(&mut out, value)
    } else {
        serde_json::to_writer(&mut out, value)
    }
    .context("cannot write the JSON")?;
    writeln!(out).context("cannot write the JSON")?;
    out.flush().context("cannot write the JSON")
}
