//! `callboard tickets`: ticket SLA compliance against a policy, breaches, tickets at
//! risk, recurring problems and repeat contacts.

use super::DataDir;
use super::kpi::{frame, ms, text};
use crate::store::Store;
use anyhow::{Context, Result, anyhow, bail};
use callboard_core::kpi::buckets::Bucketing;
use callboard_core::schema::Table;
use callboard_core::tickets::{
    COLUMNS, Contacts, Policy, PolicySpec, Recurrence, Settings, Stamp, Summary, Text, Ticket,
    latest_stamp, parse_duration_ms, recurring, repeat_contacts, summarise,
};
use callboard_core::time::{DAY_MS, TimeZoneSpec, format_timestamp, parse_timestamp};
use polars::prelude::{Int64Chunked, StringChunked};
use serde_json::{Value, json};
use std::path::PathBuf;
use std::process::ExitCode;

/// The desk policy shipped in `policies/desk.toml`, used when no `--policy` is given.
const DESK_POLICY: &str = include_str!("../../policies/desk.toml");

/// Buckets (by the tickets' `created_at`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum By {
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
pub enum Group {
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

/// Output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Readable on an 80-column terminal.
    Table,
    /// The JSON of docs/cli.md.
    Json,
    /// One line per row and rule.
    Csv,
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
    #[arg(long, default_value = "UTC", value_name = "TZ")]
    timezone: String,
    /// Buckets.
    #[arg(long, value_enum, default_value_t = By::Total)]
    by: By,
    /// Group rows by a ticket column.
    #[arg(long, value_enum)]
    group: Option<Group>,
    /// SLA policy file (TOML) [default: the desk policy, policies/desk.toml].
    #[arg(long, value_name = "FILE")]
    policy: Option<PathBuf>,
    /// A ticket-rule still open and due within this is "at risk".
    #[arg(long, default_value = "24h", value_name = "LEN")]
    at_risk: String,
    /// Rows of each list (breaches, at risk, recurring) in the table; JSON and CSV
    /// carry them all.
    #[arg(long, default_value_t = 10, value_name = "N")]
    top: usize,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
    /// Print the policy (the desk's or --policy FILE) rule by rule in words and
    /// exit: a check of an edited policy. Needs no store.
    #[arg(long)]
    show_policy: bool,
}

/// The ticket columns read, in [`Stamp::ALL`] order for the timestamps.
struct Columns {
    id: StringChunked,
    kind: StringChunked,
    texts: [StringChunked; 7], // category, severity, channel, department, unit, customer, call
    stamps: Vec<Int64Chunked>,
}

fn read_tickets(store: &Store) -> Result<Option<Columns>> {
    let Some(df) = frame(store, Table::Tickets, &COLUMNS)? else {
        return Ok(None);
    };
    let stamps = Stamp::ALL
        .iter()
        .map(|s| ms(&df, s.name()))
        .collect::<Result<_>>()?;
    Ok(Some(Columns {
        id: text(&df, "ticket_id")?,
        kind: text(&df, "kind")?,
        texts: [
            text(&df, "category")?,
            text(&df, "severity")?,
            text(&df, "channel")?,
            text(&df, "department")?,
            text(&df, "unit")?,
            text(&df, "customer_id")?,
            text(&df, "call_id")?,
        ],
        stamps,
    }))
}

/// The current tickets: rows of one `ticket_id` folded in store (manifest) order —
/// a later non-empty field wins, `created_at` keeps the earliest (docs/store.md) —
/// when `fold` (some ingest updated a ticket); otherwise every row is a ticket.
fn tickets_of(c: &Columns, fold: bool) -> Vec<Ticket<'_>> {
    // Each column into a plain vector (a sequential read), then one pass building
    // the rows: no per-cell chunk lookups, and the wide rows are written once.
    let texts: Vec<Vec<Option<&str>>> = c.texts.iter().map(|x| x.iter().collect()).collect();
    let stamps: Vec<Vec<Option<i64>>> = c.stamps.iter().map(|x| x.iter().collect()).collect();
    let rows =
        c.id.iter()
            .zip(c.kind.iter())
            .enumerate()
            .map(|(i, (id, kind))| {
                let mut st = [None; 7];
                for (k, s) in stamps.iter().enumerate() {
                    st[k] = s[i];
                }
                Ticket {
                    id: id.unwrap_or(""),
                    kind: kind.unwrap_or(""),
                    category: texts[0][i],
                    severity: texts[1][i],
                    channel: texts[2][i],
                    department: texts[3][i],
                    unit: texts[4][i],
                    customer: texts[5][i],
                    call_id: texts[6][i],
                    stamps: st,
                }
            });
    if !fold {
        return rows.collect();
    }
    // Fold the rows of one id.
    let mut out: Vec<Ticket<'_>> = Vec::with_capacity(c.id.len());
    let mut index: rustc_hash::FxHashMap<&str, usize> = rustc_hash::FxHashMap::default();
    index.reserve(c.id.len());
    for row in rows {
        match index.entry(row.id) {
            std::collections::hash_map::Entry::Vacant(v) => {
                v.insert(out.len());
                out.push(row);
            }
            std::collections::hash_map::Entry::Occupied(o) => {
                let e = &mut out[*o.get()];
                if !row.kind.is_empty() {
                    e.kind = row.kind;
                }
                for (old, new) in [
                    (&mut e.category, row.category),
                    (&mut e.severity, row.severity),
                    (&mut e.channel, row.channel),
                    (&mut e.department, row.department),
                    (&mut e.unit, row.unit),
                    (&mut e.customer, row.customer),
                    (&mut e.call_id, row.call_id),
                ] {
                    *old = new.or(*old);
                }
                let created = match (e.stamps[0], row.stamps[0]) {
                    (Some(a), Some(b)) => Some(a.min(b)),
                    (a, b) => a.or(b),
                };
                for (old, new) in e.stamps.iter_mut().zip(row.stamps) {
                    *old = new.or(*old);
                }
                e.stamps[0] = created;
            }
        }
    }
    out
}

/// Loads and compiles a policy file (or the shipped desk policy).
pub fn load_policy(path: Option<&std::path::Path>, zone: &TimeZoneSpec) -> Result<Policy> {
    let (text, name) = match path {
        Some(p) => (
            std::fs::read_to_string(p).with_context(|| format!("cannot read {}", p.display()))?,
            p.display().to_string(),
        ),
        None => (DESK_POLICY.to_owned(), "the desk policy".to_owned()),
    };
    let spec: PolicySpec = toml::from_str(&text).map_err(|e| anyhow!("{name}: {e}"))?;
    Policy::compile(&spec, zone).map_err(|e| anyhow!("{name}: {e}"))
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

/// The whole-period summary for `callboard demo`.
pub fn print_summary(data_dir: PathBuf) -> Result<()> {
    let args = Args {
        data: DataDir {
            data_dir: Some(data_dir),
        },
        from: None,
        to: None,
        as_of: None,
        timezone: "UTC".into(),
        by: By::Total,
        group: Some(Group::Kind),
        policy: None,
        at_risk: "24h".into(),
        top: 5,
        format: Format::Table,
        show_policy: false,
    };
    run(args).map(|_| ())
}

/// Runs `callboard tickets`.
pub fn run(args: Args) -> Result<ExitCode> {
    let zone = TimeZoneSpec::parse(&args.timezone).map_err(|e| anyhow!("--timezone: {e}"))?;
    let policy = load_policy(args.policy.as_deref(), &zone)?;
    if args.show_policy {
        show_policy(&policy);
        return Ok(ExitCode::SUCCESS);
    }
    let at_risk_ms = parse_duration_ms(&args.at_risk).map_err(|e| anyhow!("--at-risk: {e}"))?;
    let dir = args.data.path();
    let store = Store::open_read(&dir)?;
    let Some(cols) = read_tickets(&store)? else {
        bail!(
            "{} holds no tickets; load a ticket log with `callboard ingest` (e.g. a \
             ServiceNow export with --mapping mappings/servicenow_incidents.toml)",
            dir.display()
        );
    };
    // Rows of one ticket fold into one, unless no ingest ever updated a ticket.
    let tickets = tickets_of(&cols, !store.never_updated(Table::Tickets));
    let when = |t: &str| parse_timestamp(t.trim(), &zone).map_err(|e| anyhow!("{e}"));
    let local_day = |t: i64| (t + zone.offset_ms_at(t)).div_euclid(DAY_MS) as i32;
    let first = tickets.iter().map(Ticket::created).min();
    let last = tickets.iter().map(Ticket::created).max();
    let (Some(first), Some(last)) = (first, last) else {
        bail!("{} holds no tickets yet", dir.display());
    };
    let from_ms = match &args.from {
        Some(t) => when(t).context("--from")?,
        None => zone
            .local_midnight_ms(local_day(first))
            .map_err(|e| anyhow!(e))?,
    };
    let to_ms = match &args.to {
        Some(t) => when(t).context("--to")?,
        None => zone
            .local_midnight_ms(local_day(last) + 1)
            .map_err(|e| anyhow!(e))?,
    };
    if to_ms <= from_ms {
        bail!("--to must be after --from");
    }
    // The latest event in the data: the default as-of, and (when as-of is at or
    // after it) the sign that no ticket needs its as-of view.
    let latest = latest_stamp(&tickets);
    let as_of_ms = match &args.as_of {
        Some(t) => when(t).context("--as-of")?,
        None => latest.unwrap_or(last),
    };
    let settings = Settings {
        from_ms,
        to_ms,
        as_of_ms,
        by: match args.by {
            By::Total => Bucketing::Total,
            By::Day => Bucketing::Day,
            By::Week => Bucketing::Week,
            By::Month => Bucketing::Month,
        },
        group: args.group.map(|g| match g {
            Group::Kind => Text::Kind,
            Group::Category => Text::Category,
            Group::Severity => Text::Severity,
            Group::Channel => Text::Channel,
            Group::Department => Text::Department,
        }),
        zone,
        at_risk_ms,
    };
    // The summary on this thread, recurring problems and repeat contacts on another.
    let (summary, problems, contacts) = std::thread::scope(|scope| {
        let others = scope.spawn(|| -> Result<_> {
            // Tickets of the period as they stood at as-of (later events not yet
            // happened); nothing to change in the usual case of the latest as-of.
            let inside = |t: &Ticket<'_>| t.created() >= from_ms && t.created() < to_ms;
            let unchanged = latest.is_none_or(|l| l <= as_of_ms);
            let in_period: std::borrow::Cow<'_, [Ticket<'_>]> =
                if unchanged && tickets.iter().all(inside) {
                    std::borrow::Cow::Borrowed(&tickets)
                } else {
                    tickets
                        .iter()
                        .filter(|t| inside(t))
                        .filter_map(|t| t.seen_at(as_of_ms))
                        .collect()
                };
            let problems = recurring(&in_period, &policy.recurring);
            // Per-ticket repeat calls named by id (the indices are into this list).
            let contacts = contacts(&store, &in_period, as_of_ms)?.map(|c| {
                let ids: Vec<(&str, u64)> = c
                    .per_ticket
                    .iter()
                    .map(|&(i, n)| (in_period[i].id, n))
                    .collect();
                (c, ids)
            });
            Ok((problems, contacts))
        });
        let summary = summarise(&tickets, &policy, &settings);
        let (problems, contacts) = others
            .join()
            .map_err(|_| anyhow!("the recurring-problem pass failed"))??;
        Ok::<_, anyhow::Error>((summary, problems, contacts))
    })?;
    match args.format {
        Format::Json => {
            use std::io::Write;
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            let report = json_report(&summary, &problems, contacts, &policy, &settings);
            serde_json::to_writer_pretty(&mut out, &report)?;
            writeln!(out)?;
            out.flush()?;
        }
        Format::Csv => print_csv(&summary, &policy),
        Format::Table => print_table(&summary, &problems, contacts, &policy, &settings, &args),
    }
    Ok(ExitCode::SUCCESS)
}

/// Repeat contacts, when the store has calls. Only the calls that matter are kept:
/// those the tickets name, and those of the tickets' customers (the rest of a large
/// store is scanned, not held).
fn contacts(store: &Store, tickets: &[Ticket<'_>], as_of: i64) -> Result<Option<Contacts>> {
    use rustc_hash::FxHashSet;
    let Some(df) = frame(store, Table::Calls, &["call_id", "caller_id", "arrived_at"])? else {
        return Ok(None);
    };
    let (id, caller) = (text(&df, "call_id")?, text(&df, "caller_id")?);
    let at = ms(&df, "arrived_at")?;
    // Ids as 128-bit hashes (as the store keys rows): set lookups compare numbers.
    let h = |x: &str| xxhash_rust::xxh3::xxh3_128(x.as_bytes());
    let named: FxHashSet<u128> = tickets.iter().filter_map(|t| t.call_id.map(h)).collect();
    let mut customers: FxHashSet<u128> = tickets.iter().filter_map(|t| t.customer.map(h)).collect();
    // Pass 1: the calls tickets name (their callers become customers too).
    let mut keep = vec![false; id.len()];
    if !named.is_empty() {
        for (i, x) in id.iter().enumerate() {
            if x.is_some_and(|x| named.contains(&h(x))) {
                keep[i] = true;
                if let Some(c) = caller.get(i) {
                    customers.insert(h(c));
                }
            }
        }
    }
    // Pass 2: every call of those customers.
    for (i, c) in caller.iter().enumerate() {
        if c.is_some_and(|c| customers.contains(&h(c))) {
            keep[i] = true;
        }
    }
    let calls: Vec<(&str, Option<&str>, i64)> = keep
        .iter()
        .enumerate()
        .filter(|(_, k)| **k)
        .map(|(i, _)| {
            (
                id.get(i).unwrap_or(""),
                caller.get(i),
                at.get(i).unwrap_or(0),
            )
        })
        .collect();
    Ok(Some(repeat_contacts(tickets, &calls, as_of)))
}

fn ratio(x: Option<f64>) -> Value {
    x.map_or(Value::Null, |v| json!((v * 10_000.0).round() / 10_000.0))
}

fn json_report<'a>(
    s: &'a Summary<'_>,
    problems: &'a [Recurrence<'_>],
    contacts: Option<(Contacts, Vec<(&str, u64)>)>,
    policy: &'a Policy,
    st: &'a Settings,
) -> Report<'a> {
    let spread = |x: &callboard_core::tickets::Spread| json!({"n": x.n, "median_s": x.median_s, "p90_s": x.p90_s});
    let rows: Vec<Value> = s
        .rows
        .iter()
        .map(|r| {
            let mut o = serde_json::Map::new();
            if let Some(b) = r.bucket_start {
                o.insert("bucket_start".into(), json!(format_timestamp(b)));
            }
            if let Some(g) = &r.group {
                o.insert("group".into(), json!(g));
            }
            o.insert(
                "counts".into(),
                json!({"opened": r.opened, "resolved": r.resolved, "open": r.open}),
            );
            let rules: serde_json::Map<String, Value> = policy
                .rules
                .iter()
                .zip(&r.rules)
                .map(|(rule, c)| {
                    (
                        rule.id.clone(),
                        json!({"met": c.met, "breached": c.breached, "open": c.open,
                               "not_applicable": c.not_applicable, "compliance": ratio(c.compliance())}),
                    )
                })
                .collect();
            o.insert("rules".into(), Value::Object(rules));
            o.insert(
                "times".into(),
                json!({"to_answer": spread(&r.to_answer), "to_resolve": spread(&r.to_resolve),
                       "to_callback": spread(&r.to_callback)}),
            );
            o.insert(
                "repair_callback_coverage".into(),
                json!({"completed": r.repairs_completed, "called_back": r.repairs_called_back,
                       "coverage": ratio(r.callback_coverage())}),
            );
            Value::Object(o)
        })
        .collect();
    let breaches = s.breaches.iter().map(|b| Breach {
        ticket_id: b.ticket_id,
        rule: b.rule,
        due: format_timestamp(b.due_ms),
        late_by_s: b.by_ms / 1000,
        open: b.open,
    });
    let at_risk = s.at_risk.iter().map(|b| Risk {
        ticket_id: b.ticket_id,
        rule: b.rule,
        due: format_timestamp(b.due_ms),
        due_in_s: b.by_ms / 1000,
        open: b.open,
    });
    let recurring = problems.iter().map(|p| Problem {
        level: p.level,
        unit: p.place,
        category: p.category,
        ticket_ids: &p.ticket_ids,
        first: format_timestamp(p.first_ms),
        last: format_timestamp(p.last_ms),
    });
    Report {
        from: format_timestamp(st.from_ms),
        to: format_timestamp(st.to_ms),
        as_of: format_timestamp(st.as_of_ms),
        policy: &policy.name,
        timezone: st.zone.name(),
        rows,
        breaches: breaches.collect(),
        at_risk: at_risk.collect(),
        recurring: recurring.collect(),
        repeat_contacts: contacts.map(|(c, ids)| {
            let tickets: Vec<Value> = ids
                .iter()
                .map(|(id, n)| json!({"ticket_id": id, "repeat_calls": n}))
                .collect();
            json!({
                "tickets_with_customer": c.tickets, "with_repeat_calls": c.with_repeat,
                "repeat_calls": c.repeat_calls, "resolved_first_time": ratio(c.resolved_first_time()),
                "linked_to_calls": c.linked, "call_id_not_found": c.unlinked,
                "tickets": tickets})
        }),
    }
}

/// The JSON report (`docs/cli.md`): long lists serialised straight from borrowed
/// fields, no intermediate value tree.
#[derive(serde::Serialize)]
struct Report<'a> {
    from: String,
    to: String,
    as_of: String,
    policy: &'a str,
    timezone: &'a str,
    rows: Vec<Value>,
    breaches: Vec<Breach<'a>>,
    at_risk: Vec<Risk<'a>>,
    recurring: Vec<Problem<'a>>,
    repeat_contacts: Option<Value>,
}

#[derive(serde::Serialize)]
struct Breach<'a> {
    ticket_id: &'a str,
    rule: &'a str,
    due: String,
    late_by_s: i64,
    open: bool,
}

#[derive(serde::Serialize)]
struct Risk<'a> {
    ticket_id: &'a str,
    rule: &'a str,
    due: String,
    due_in_s: i64,
    open: bool,
}

#[derive(serde::Serialize)]
struct Problem<'a> {
    level: &'a str,
    unit: &'a str,
    category: &'a str,
    ticket_ids: &'a [&'a str],
    first: String,
    last: String,
}

fn print_csv(s: &Summary, policy: &Policy) {
    println!(
        "bucket_start,group,rule,met,breached,open,not_applicable,compliance,opened,resolved,still_open"
    );
    for r in &s.rows {
        for (rule, c) in policy.rules.iter().zip(&r.rules) {
            let group = r.group.as_deref().unwrap_or("");
            let group = if group.contains([',', '"', '\n']) {
                format!("\"{}\"", group.replace('"', "\"\""))
            } else {
                group.to_owned()
            };
            println!(
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
            );
        }
    }
}

fn pct(x: Option<f64>) -> String {
    x.map_or("–".into(), |v| format!("{:.1} %", v * 100.0))
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

fn print_table(
    s: &Summary,
    problems: &[Recurrence],
    contacts: Option<(Contacts, Vec<(&str, u64)>)>,
    policy: &Policy,
    st: &Settings,
    args: &Args,
) {
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
                pct(r.callback_coverage()),
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
                pct(c.compliance())
            );
        }
    }
    let n = args.top;
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
        args.at_risk,
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
        println!(
            "  {:<8} {:<12} {:<12} {}",
            p.level, p.place, p.category, ids
        );
    }
    if let Some((c, ids)) = contacts {
        println!(
            "repeat calls while open: {} of {} tickets with a known customer ({} calls);\n  resolved first time {}",
            c.with_repeat,
            c.tickets,
            c.repeat_calls,
            pct(c.resolved_first_time())
        );
        for (id, n) in ids.iter().take(n) {
            println!(
                "  {id:<12} {n} repeat call{}",
                if *n == 1 { "" } else { "s" }
            );
        }
    }
}
