//! `callboard tickets`: flags → [`query::tickets`] → a table, CSV or JSON.

use super::{DataDir, Format, print_json};
use crate::query::open_any_store;
use crate::query::tickets::{TicketGroup, TicketsQuery, TicketsReport, load_policy};
use crate::query::{By, PeriodQuery, time_zone};
use anyhow::Result;
use callboard_core::tickets::Policy;
use callboard_core::time::{DAY_MS, format_timestamp};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

/// Buckets (by the tickets' `created_at`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ByArg {
    /// The whole period.
    Total,
    /// Days.
    Day,
    /// ISO weeks.
    Week,
    /// Months: the manual's monthly review.
    Month,
}

/// Groups.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum GroupArg {
    /// repair, complaint, enquiry, service.
    Kind,
    /// Category.
    Category,
    /// Complaint severity.
    Severity,
    /// Channel.
    Channel,
    /// Department.
    Department,
}

/// Flags of `callboard tickets`.
///
/// Every ticket of the store evaluated against an SLA policy (the desk's five rules
/// of the domain manual by default): per rule met, breached or open as of a moment,
/// compliance = met ÷ (met + breached); counts opened / resolved / still open; median
/// and 90th-percentile times to answer, resolve and call back; the breach list; the
/// tickets due within 24 h and still open; recurring problems (the same category at
/// the same unit or building); repeat calls while a ticket is open.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  callboard tickets                                  # whole period, every rule
  callboard tickets --by month                       # the monthly review
  callboard tickets --by week --group severity --format csv > weekly.csv
  callboard tickets --as-of 2026-03-20T17:00:00Z --format json
  callboard tickets --policy policies/servicenow.toml --timezone Europe/Lisbon
  callboard tickets --policy my-desk.toml --show-policy   # check an edited policy")]
pub struct Args {
    #[command(flatten)]
    data: DataDir,
    /// Tickets created from (RFC 3339, or a date = midnight in --timezone) [default: the first ticket's day].
    #[arg(long, value_name = "T")]
    from: Option<String>,
    /// Tickets created before [default: midnight after the last ticket's day].
    #[arg(long, value_name = "T")]
    to: Option<String>,
    /// Evaluate as of this moment [default: the latest timestamp in the ticket data].
    #[arg(long, value_name = "T")]
    as_of: Option<String>,
    /// IANA zone of buckets and of "the same day".
    #[arg(long, default_value_t = TicketsQuery::default().timezone, value_name = "TZ")]
    timezone: String,
    /// Buckets.
    #[arg(long, value_enum, default_value_t = ByArg::Total)]
    by: ByArg,
    /// Group rows by a ticket column.
    #[arg(long, value_enum)]
    group: Option<GroupArg>,
    /// SLA policy file (TOML) [default: the desk policy, policies/desk.toml].
    #[arg(long, value_name = "FILE")]
    policy: Option<PathBuf>,
    /// A ticket-rule still open and due within this is "at risk".
    #[arg(long, default_value_t = TicketsQuery::default().at_risk, value_name = "LEN")]
    at_risk: String,
    /// Rows of each list (breaches, at risk, recurring) in the table; JSON and CSV
    /// carry them all.
    #[arg(long, default_value_t = 10, value_name = "N")]
    top: usize,
    /// Output format.
    #[arg(long, default_value = "table", value_parser = Format::among(&[Format::Table, Format::Json, Format::Csv]))]
    format: Format,
    /// Indent the JSON even when it does not go to a terminal.
    #[arg(long)]
    pretty: bool,
    /// Print the policy (the desk's or --policy FILE) rule by rule in words and
    /// exit: a check of an edited policy. Needs no store.
    #[arg(long)]
    show_policy: bool,
}

impl Args {
    fn query(&self) -> TicketsQuery {
        TicketsQuery {
            period: PeriodQuery {
                from: self.from.clone(),
                to: self.to.clone(),
            },
            as_of: self.as_of.clone(),
            timezone: self.timezone.clone(),
            by: match self.by {
                ByArg::Total => By::Total,
                ByArg::Day => By::Day,
                ByArg::Week => By::Week,
                ByArg::Month => By::Month,
            },
            group: self.group.map(|g| match g {
                GroupArg::Kind => TicketGroup::Kind,
                GroupArg::Category => TicketGroup::Category,
                GroupArg::Severity => TicketGroup::Severity,
                GroupArg::Channel => TicketGroup::Channel,
                GroupArg::Department => TicketGroup::Department,
            }),
            policy: self.policy.clone(),
            at_risk: self.at_risk.clone(),
            repeat_contacts: true,
        }
    }
}

/// Runs `callboard tickets`.
pub fn run(args: Args) -> Result<ExitCode> {
    if args.show_policy {
        let zone = time_zone(&args.timezone)?;
        show_policy(&load_policy(args.policy.as_deref(), &zone)?);
        return Ok(ExitCode::SUCCESS);
    }
    let store = open_any_store(&args.data.path())?;
    let report = crate::query::tickets::run(&store, &args.query())?;
    match args.format {
        Format::Json => print_json(&report, args.pretty)?,
        Format::Csv => print_csv(&report)?,
        Format::Table => print_table(&report, args.top),
    }
    Ok(ExitCode::SUCCESS)
}

/// The report as a table with `top` rows of each list, as `callboard demo` shows it.
pub fn print_report_table(report: &TicketsReport, top: usize) {
    print_table(report, top);
}

fn show_policy(p: &Policy) {
    println!("policy {}: {}", p.name, p.calendar.describe());
    for r in &p.rules {
        println!("\n{}", r.id);
        // The description, wrapped at 80 columns.
        let mut line = String::new();
        for word in r.description.split_whitespace() {
            if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > 76 {
                println!("  {line}");
                line.clear();
            }
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
        }
        if !line.is_empty() {
            println!("  {line}");
        }
        for line in r.describe() {
            println!("  {line}");
        }
    }
    let rc = &p.recurring;
    println!(
        "\nrecurring problems: ≥ {} tickets of one category at one unit within {}",
        rc.count,
        late(rc.window_ms)
    );
    if let Some(s) = &rc.separator {
        println!("  and per building: the unit up to {s:?}");
    }
    if !rc.kinds.is_empty() {
        println!("  of kinds {}", rc.kinds.join(", "));
    }
}

fn print_csv(r: &TicketsReport) -> Result<()> {
    let (s, policy) = (r, &r.policy);
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    writeln!(
        out,
        "bucket_start,group,rule,met,breached,open,not_applicable,compliance,opened,resolved,still_open"
    )?;
    for r in &s.rows {
        for (rule, c) in policy.rules.iter().zip(&r.rules) {
            let group = r.group.as_deref().unwrap_or("");
            let group = if group.contains([',', '"', '\n']) {
                format!("\"{}\"", group.replace('"', "\"\""))
            } else {
                group.to_owned()
            };
            writeln!(
                out,
                "{},{},{},{},{},{},{},{},{},{},{}",
                r.bucket_start.map(format_timestamp).unwrap_or_default(),
                group,
                rule.id,
                c.met,
                c.breached,
                c.open,
                c.not_applicable,
                c.compliance()
                    .map(|x| format!("{x:.4}"))
                    .unwrap_or_default(),
                r.opened,
                r.resolved,
                r.open
            )?;
        }
    }
    out.flush()?;
    Ok(())
}

fn late(ms: i64) -> String {
    let m = ms / 60_000;
    if m >= 2 * 24 * 60 {
        format!("{:.1} d", ms as f64 / DAY_MS as f64)
    } else if m >= 120 {
        format!("{:.1} h", ms as f64 / 3_600_000.0)
    } else {
        format!("{m} min")
    }
}

/// A moment to the minute, for the table (`2026-03-05 08:08`).
fn minute(ms: i64) -> String {
    let t = format_timestamp(ms);
    format!("{} {}", &t[..10], &t[11..16])
}

fn print_table(report: &TicketsReport, top: usize) {
    let (s, problems, policy, st) = (report, &report.recurring, &report.policy, &report.settings);
    println!(
        "tickets created {} … {} ({})\nevaluated as of {} UTC against the {} policy",
        minute(st.from_ms),
        minute(st.to_ms),
        st.zone.name(),
        minute(st.as_of_ms),
        policy.name
    );
    for r in &s.rows {
        let mut head = Vec::new();
        if let Some(b) = r.bucket_start {
            head.push(format_timestamp(b)[..10].to_owned());
        }
        if let Some(g) = &r.group {
            head.push(if g.is_empty() {
                "(none)".into()
            } else {
                g.clone()
            });
        }
        if !head.is_empty() {
            println!("\n{}", head.join(" · "));
        } else {
            println!();
        }
        println!(
            "  opened {}, resolved {}, still open {}",
            r.opened, r.resolved, r.open
        );
        let times: Vec<String> = [
            ("answer", &r.to_answer),
            ("resolve", &r.to_resolve),
            ("call back", &r.to_callback),
        ]
        .iter()
        .filter_map(|(what, x)| {
            let (m, p) = (x.median_s?, x.p90_s?);
            Some(format!("{what} {:.1}/{:.1}", m / 3600.0, p / 3600.0))
        })
        .collect();
        if !times.is_empty() {
            println!("  hours median/p90: {}", times.join(", "));
        }
        if r.repairs_completed > 0 {
            println!(
                "  repair call-back coverage {} of {} completed (target 100 %)",
                super::percent(r.callback_coverage()),
                r.repairs_completed
            );
        }
        let applied = |c: &&callboard_core::tickets::RuleCounts| c.met + c.breached + c.open > 0;
        if !r.rules.iter().any(|c| applied(&c)) {
            println!("  (no rule of the policy applies)");
            continue;
        }
        println!(
            "  {:<22} {:>7} {:>8} {:>6} {:>11}",
            "rule", "met", "breached", "open", "compliance"
        );
        for (rule, c) in policy.rules.iter().zip(&r.rules) {
            if !applied(&c) {
                continue;
            }
            println!(
                "  {:<22} {:>7} {:>8} {:>6} {:>11}",
                rule.id,
                c.met,
                c.breached,
                c.open,
                super::percent(c.compliance())
            );
        }
    }
    let n = top;
    println!(
        "\nbreaches: {} (latest first; * still without a stop time)",
        s.breaches.len()
    );
    for b in s.breaches.iter().take(n) {
        println!(
            "  {:<12} {:<22} due {}  late {}{}",
            b.ticket_id,
            b.rule,
            minute(b.due_ms),
            late(b.by_ms),
            if b.open { " *" } else { "" }
        );
    }
    println!(
        "at risk (due within {}, still open): {}",
        report.query.at_risk,
        s.at_risk.len()
    );
    for b in s.at_risk.iter().take(n) {
        println!(
            "  {:<12} {:<22} due {}  in {}",
            b.ticket_id,
            b.rule,
            minute(b.due_ms),
            late(b.by_ms)
        );
    }
    let units = problems.iter().filter(|p| p.level == "unit").count();
    println!(
        "recurring problems (≥ {} within {}): {} at a unit, {} across a building",
        policy.recurring.count,
        late(policy.recurring.window_ms),
        units,
        problems.len() - units
    );
    for p in problems.iter().take(n) {
        let ids = if p.ticket_ids.len() > 3 {
            format!(
                "{}, … ({})",
                p.ticket_ids[..2].join(", "),
                p.ticket_ids.len()
            )
        } else {
            p.ticket_ids.join(", ")
        };
        println!("  {:<8} {:<12} {:<12} {}", p.level, p.unit, p.category, ids);
    }
    if let Some(rc) = &report.repeat_contacts {
        let (c, ids) = (&rc.counts, &rc.tickets);
        println!(
            "repeat calls while open: {} of {} tickets with a known customer ({} calls);\n  resolved first time {}",
            c.with_repeat,
            c.tickets,
            c.repeat_calls,
            super::percent(c.resolved_first_time())
        );
        for (id, n) in ids.iter().take(n) {
            println!(
                "  {id:<12} {n} repeat call{}",
                if *n == 1 { "" } else { "s" }
            );
        }
    }
}
