//! `callboard roster`: flags → [`crate::query::roster`] → the files of docs/cli.md
//! and a summary.

use super::{Format, percent, print_json};
use crate::query::roster::{RosterQuery, RosterReport};
use anyhow::{Context, Result};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Flags of `callboard roster`.
#[derive(Debug, clap::Args)]
#[command(after_long_help = "\
Examples:
  callboard forecast --staffing --output week.csv && \\
    callboard roster --requirements week.csv --shifts sample_data/roster/shifts.toml
  callboard roster --requirements need.csv --shifts shifts.toml --rules rules.toml \\
    --start 2026-03-30 --timezone Europe/London --output reports/roster
  callboard roster --requirements need.csv --shifts shifts.toml --format json

The requirement file has interval_start and agents (optional queue, calls,
aht_s): `callboard forecast --staffing` writes one as it is; several queues' rows
for one interval are added up (the plan covers the total). The interval length is
the smallest spacing of the starts; intervals not listed need 0.

The shift templates (TOML, [[shift]]) give each kind of shift its start times
(\"06:00\", a list, or { from = \"06:00\", to = \"10:00\", every = \"30m\" }), length,
days, cost per paid hour and breaks ([[shift.break]] length, paid, earliest and
latest start after the shift's start): the optimiser places each break.

The plan is optimised by HiGHS, a mixed-integer solver: it minimises
under-coverage, over-coverage and cost with the weights of the rules file
([weights] under, over, cost; defaults 100, 10, 0.01 per agent-hour and per unit
of cost) and proves how far from the best possible plan its answer can be (the
gap: 0 % = optimal); at the time limit the best plan found is written. It never
answers \"infeasible\": an interval it leaves short is listed with the reason.

With --agents (CSV: agent_id, then optional team, skills, min_hours_week,
max_hours_week, max_days_week, max_consecutive_days, unavailable,
preferred_days_off, preferred_shifts, nights_ok) the roster names who works which
shift: contracts, availability, skills (per queue, when the requirement names
queues), nights_ok and rest ([rest] min_between_shifts, default 11h) are hard;
preferences, days off in pairs, stable start times and fair weekends and nights
are weighed ([preferences]). Contracts that cannot hold (a minimum the agent's
days cannot reach) are refused up front, naming the agent and the rule. The
desk's duty rules ([duty] min_on_duty, handover, lunch_cover, night_duty;
[timetable] summer) apply with or without agents; see docs/rostering.md.

Written to --output (default reports/roster): shifts.csv (start, end, template,
count), breaks.csv (where each group's breaks go), coverage.csv (interval_start,
required, scheduled, under, over and, when the requirement has calls and aht_s,
predicted_service_level by Erlang C) and summary.json; with --agents also
roster.csv (agent_id, start, end, activity: the schedules table — `callboard
ingest --kind schedules` takes it back for adherence) and ics/<agent_id>.ics, a
calendar per agent. Each file is replaced whole, and the folder holds one run (a
plan written where a roster was removes roster.csv and the calendars).

Examples with agents:
  callboard roster --requirements week.csv --shifts sample_data/roster/shifts.toml \\
    --agents sample_data/roster/agents.csv --rules sample_data/roster/rules.toml")]
pub struct Args {
    /// The staffing requirement CSV.
    #[arg(long, value_name = "FILE")]
    requirements: PathBuf,
    /// The shift templates TOML.
    #[arg(long, value_name = "FILE")]
    shifts: PathBuf,
    /// Named agents CSV (agent_id, team, skills, min/max_hours_week, max_days_week,
    /// max_consecutive_days, unavailable, preferred_days_off, preferred_shifts,
    /// nights_ok): with it the roster names who works which shift.
    #[arg(long, value_name = "FILE")]
    agents: Option<PathBuf>,
    /// The shifts agents already work (schedules CSV: agent_id, start, end,
    /// activity — e.g. last week's roster.csv): each agent then rests
    /// ([rest] min_between_shifts) after their last shift before the week, a
    /// shift running into the week is not doubled, and days worked in a row up
    /// to it count towards max_consecutive_days.
    #[arg(long, value_name = "FILE", requires = "agents")]
    previous: Option<PathBuf>,
    /// Rules TOML: [weights] under, over, cost; [solver] time_limit, mip_gap,
    /// max_nodes; [service] sl_seconds; [rest], [preferences], [nights], [duty],
    /// [timetable] (docs/rostering.md).
    #[arg(long, value_name = "FILE")]
    rules: Option<PathBuf>,
    /// Roster the 7 days from this local date [default: the requirement's span, or
    /// its first 7 days when it is longer].
    #[arg(long, value_name = "DATE")]
    start: Option<String>,
    /// IANA zone of the centre's wall clock (shift start times and days).
    #[arg(long, default_value = "UTC", value_name = "TZ")]
    timezone: String,
    /// Where the files go.
    #[arg(long, default_value = "reports/roster", value_name = "DIR")]
    output: PathBuf,
    /// The command's time limit (e.g. 60s, 5m) [default: the rules file's, else
    /// 60s]: reading, solving and writing end within it; the best plan found by
    /// then is written, with its gap.
    #[arg(long, value_name = "LEN")]
    time_limit: Option<String>,
    /// Output format on stdout.
    #[arg(long, default_value = "table", value_parser = Format::among(&[Format::Table, Format::Json]))]
    format: Format,
    /// Indent the JSON even when it does not go to a terminal.
    #[arg(long)]
    pretty: bool,
}

/// Runs `callboard roster`.
pub fn run(args: Args) -> Result<ExitCode> {
    let q = RosterQuery {
        agents: args.agents.clone(),
        previous: args.previous.clone(),
        requirements: args.requirements.clone(),
        shifts: args.shifts.clone(),
        rules: args.rules.clone(),
        start: args.start.clone(),
        timezone: args.timezone.clone(),
        time_limit: args.time_limit.clone(),
    };
    // The solver can take up to its time limit: a spinner on a terminal says so.
    let spinner = std::io::IsTerminal::is_terminal(&std::io::stderr()).then(|| {
        let bar = indicatif::ProgressBar::new_spinner();
        bar.set_message(format!(
            "optimising the {} (HiGHS; stops at the time limit, {})",
            if q.agents.is_some() {
                "named roster"
            } else {
                "shift plan"
            },
            q.time_limit.as_deref().unwrap_or("the rules' or 60s")
        ));
        bar.enable_steady_tick(std::time::Duration::from_millis(120));
        bar
    });
    let report = crate::query::roster::run(&q);
    if let Some(bar) = spinner {
        bar.finish_and_clear();
    }
    let report = report?;
    write_files(&report, &args.output)?;
    match args.format {
        Format::Json => print_json(&report, args.pretty)?,
        _ => print_summary(&report, &args.output),
    }
    Ok(ExitCode::SUCCESS)
}

/// Writes summary.json, shifts.csv, breaks.csv, coverage.csv and, with agents,
/// roster.csv and ics/ into `dir`. Each file is replaced whole (written beside,
/// synced, renamed), so a run killed midway leaves every file either as it was
/// or new; the files of an earlier run this one does not write (a named roster
/// before a plan, an agent no longer rostered) are removed so that the folder
/// never mixes two runs.
pub fn write_files(report: &RosterReport, dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    fn csv_file<T: serde::Serialize>(path: &Path, rows: &[T], header: &[&str]) -> Result<()> {
        let mut w = csv::Writer::from_writer(Vec::new());
        if rows.is_empty() {
            w.write_record(header)?;
        }
        for r in rows {
            w.serialize(r)?;
        }
        replace(path, &w.into_inner()?)
    }
    // summary.json: the whole report, as --format json prints it.
    replace(&dir.join("summary.json"), &serde_json::to_vec(report)?)?;
    if report.named.agents > 0 {
        csv_file(
            &dir.join("roster.csv"),
            &report.named.roster,
            &["agent_id", "start", "end", "activity"],
        )?;
        write_calendars(report, &dir.join("ics"))?;
    } else {
        remove_stale(&dir.join("roster.csv"))?;
        remove_calendars(&dir.join("ics"), &[])?;
    }
    csv_file(
        &dir.join("shifts.csv"),
        &report.shifts,
        &["start", "end", "template", "count"],
    )?;
    csv_file(
        &dir.join("breaks.csv"),
        &report.breaks,
        &["shift_start", "template", "break", "start", "end", "count"],
    )?;
    // coverage.csv: the service-level column only when the requirement has calls
    // (then on every row, empty where an interval has none).
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header = vec!["interval_start", "required", "scheduled", "under", "over"];
    if report.with_service_level {
        header.push("predicted_service_level");
    }
    w.write_record(&header)?;
    for r in &report.coverage_rows {
        let mut rec = vec![
            r.interval_start.clone(),
            r.required.to_string(),
            r.scheduled.to_string(),
            r.under.to_string(),
            r.over.to_string(),
        ];
        if report.with_service_level {
            rec.push(
                r.predicted_service_level
                    .map(|v| v.to_string())
                    .unwrap_or_default(),
            );
        }
        w.write_record(&rec)?;
    }
    replace(&dir.join("coverage.csv"), &w.into_inner()?)
}

/// `path` replaced by `bytes` whole (the store's atomic write).
fn replace(path: &Path, bytes: &[u8]) -> Result<()> {
    crate::store::write_atomic(path, bytes, || {})
        .with_context(|| format!("cannot write {}", path.display()))
}

/// `path` removed if it is there.
fn remove_stale(path: &Path) -> Result<()> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            Err(e).with_context(|| format!("cannot remove {} (of an earlier run)", path.display()))
        }
        _ => Ok(()),
    }
}

/// The `.ics` files in `dir` other than `keep` removed (calendars of an earlier
/// run); nothing else in `dir` is touched.
fn remove_calendars(dir: &Path, keep: &[std::ffi::OsString]) -> Result<()> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok(());
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let is_ics = Path::new(&name).extension().is_some_and(|e| e == "ics");
        if is_ics && !keep.contains(&name) {
            remove_stale(&entry.path())?;
        }
    }
    Ok(())
}

/// One RFC 5545 calendar per agent: a VEVENT per shift (UTC times), its UID made
/// of the agent, the shift's start and template (stable across runs, so a calendar
/// client updates rather than duplicates), DTSTAMP the roster's period start (no
/// "now": the same inputs give the same files), breaks in the description.
pub fn write_calendars(report: &RosterReport, dir: &Path) -> Result<()> {
    use icalendar::{Calendar, Component, EventLike};
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let utc = |ms: i64| chrono::DateTime::from_timestamp_millis(ms).unwrap_or_default();
    let stamp = callboard_core::time::parse_timestamp(
        &report.from,
        &callboard_core::time::TimeZoneSpec::Utc,
    )
    .map(utc)
    .unwrap_or_default();
    let mut written: Vec<std::ffi::OsString> = Vec::new();
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    for week in &report.named.agent_weeks {
        let mut cal = Calendar::new();
        cal.name(&format!("callboard roster {}", week.agent_id));
        for s in report
            .named
            .agent_shifts
            .iter()
            .filter(|s| s.agent_id == week.agent_id)
        {
            let breaks: Vec<String> = report
                .named
                .roster
                .iter()
                .filter(|r| {
                    r.agent_id == s.agent_id
                        && r.activity != "work"
                        && r.start >= s.start
                        && r.end <= s.end
                })
                .map(|r| format!("{} {}–{} UTC", r.activity, &r.start[11..16], &r.end[11..16]))
                .collect();
            let event = icalendar::Event::new()
                .uid(&format!(
                    "{}-{}-{}@callboard",
                    s.agent_id, s.start, s.template
                ))
                .timestamp(stamp)
                .summary(&format!("{} shift", s.template))
                .description(&if breaks.is_empty() {
                    "no breaks".to_owned()
                } else {
                    breaks.join("; ")
                })
                .starts(utc(s.start_ms))
                .ends(utc(s.end_ms))
                .done();
            cal.push(event);
        }
        let name = format!("{}.ics", file_safe(&week.agent_id));
        files.push((name.clone(), cal.done().to_string().into_bytes()));
        written.push(name.into());
    }
    crate::store::write_atomic_many(dir, &files)
        .with_context(|| format!("cannot write the calendars in {}", dir.display()))?;
    remove_calendars(dir, &written)
}

/// An agent id as a file name: anything but letters, digits, `-`, `_` and `.`
/// becomes `_` (no path can be built from an id).
pub fn file_safe(id: &str) -> String {
    let s: String = id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if s.starts_with('.') {
        format!("_{s}")
    } else {
        s
    }
}

/// An RFC 3339 instant as the summary prints it: `2026-03-30 06:30`.
fn minute(t: &str) -> String {
    t.replace('T', " ").trim_end_matches(":00Z").to_owned()
}

/// Prints the summary of a plan whose files are in `dir`.
pub fn print_summary(r: &RosterReport, dir: &Path) {
    let mut out = std::io::stdout().lock();
    let _ = write_summary(&mut out, r, dir);
}

fn write_summary(out: &mut dyn Write, r: &RosterReport, dir: &Path) -> std::io::Result<()> {
    let named = r.named.agents > 0;
    writeln!(
        out,
        "{} {} … {} ({}-minute intervals, {})",
        if named { "named roster" } else { "shift plan" },
        r.from,
        r.to,
        r.interval_minutes,
        r.timezone
    )?;
    if let Some((from, to)) = &r.first_week_of {
        writeln!(
            out,
            "  (the requirement runs {from} … {to}: its first week; --start DATE for another)"
        )?;
    }
    writeln!(
        out,
        "  {} shifts from {} templates ({} possible starts); {:.1} paid hours, cost {:.2}",
        r.shift_count, r.templates, r.candidate_shifts, r.paid_hours, r.cost
    )?;
    writeln!(
        out,
        "  coverage {} of the required agent-hours; under {:.1}, over {:.1} agent-hours",
        percent(Some(r.coverage)),
        r.under_agent_hours,
        r.over_agent_hours
    )?;
    writeln!(
        out,
        "  solver: {} in {:.2} s, gap {} (objective {:.3}, bound {:.3}; weights under {}, over {}, cost {})",
        match r.solver_status {
            callboard_core::roster::lp::SolveStatus::Optimal => "optimal",
            callboard_core::roster::lp::SolveStatus::TimeLimit =>
                "stopped at the time limit (the best plan found)",
            callboard_core::roster::lp::SolveStatus::NodeLimit =>
                "stopped at the node limit (the best plan found; repeatable)",
        },
        r.solve_seconds,
        percent(Some(r.mip_gap)),
        r.objective,
        r.bound,
        r.weights.under,
        r.weights.over,
        r.weights.cost
    )?;
    if named {
        let n = &r.named;
        let working = n.agent_weeks.iter().filter(|w| w.shifts > 0).count();
        writeln!(
            out,
            "  {} of {} agents rostered; the shift plan (stage 1) reached gap {}, its bound bounds the roster's; the names chose among {} shifts{}",
            working,
            n.agents,
            percent(r.plan_mip_gap),
            n.stage2_candidates,
            if n.all_candidates {
                " (all)"
            } else {
                " (stage 1's and their neighbouring starts)"
            }
        )?;
        // The objective's terms: those recounted from the roster, then the
        // queue and duty rows' by the model's own count.
        let mut terms = format!(
            "  objective = under {:.1} + over {:.1} + cost {:.1} + soft rules {:.1}",
            r.weights.under * r.under_agent_hours,
            r.weights.over * r.over_agent_hours,
            r.weights.cost * r.cost,
            n.soft_penalty
        );
        if n.queue_penalty > 0.0 {
            terms.push_str(&format!(" + queues short {:.1}", n.queue_penalty));
        }
        if n.duty_penalty > 0.0 {
            terms.push_str(&format!(" + duty rules short {:.1}", n.duty_penalty));
        }
        writeln!(out, "{terms}")?;
        if n.bent_rules.is_empty() {
            writeln!(out, "  no soft rule bent")?;
        } else {
            writeln!(
                out,
                "  soft rules bent ({}, penalty {:.1}):",
                n.bent_rules.len(),
                n.soft_penalty
            )?;
            let mut rules: Vec<&str> = n.bent_rules.iter().map(|b| b.rule).collect();
            rules.sort_unstable();
            rules.dedup();
            for rule in rules {
                // The largest first: the ones a scheduler acts on.
                let mut list: Vec<_> = n.bent_rules.iter().filter(|b| b.rule == rule).collect();
                list.sort_by(|a, b| b.penalty.total_cmp(&a.penalty));
                writeln!(out, "    {rule} ({}):", list.len())?;
                for b in list.iter().take(5) {
                    writeln!(out, "      {}: {}", b.agent_id, b.detail)?;
                }
                if list.len() > 5 {
                    writeln!(out, "      … and {} more (--format json)", list.len() - 5)?;
                }
            }
        }
        for q in n.queue_shortfalls.iter().take(10) {
            writeln!(
                out,
                "  queue {} short {} … {}: {}",
                q.queue,
                minute(&q.from),
                minute(&q.to),
                q.why
            )?;
        }
        if n.queue_shortfalls.len() > 10 {
            writeln!(
                out,
                "  … and {} more queue shortfalls (--format json)",
                n.queue_shortfalls.len() - 10
            )?;
        }
    }
    if !r.duty_gaps.is_empty() {
        writeln!(out, "  duty rules left short ({}):", r.duty_gaps.len())?;
        // The first ten, under their reasons (in the order they first come).
        let shown = &r.duty_gaps[..r.duty_gaps.len().min(10)];
        let mut reasons: Vec<&str> = Vec::new();
        for g in shown {
            if !reasons.contains(&g.why.as_str()) {
                reasons.push(&g.why);
            }
        }
        for why in reasons {
            if !why.is_empty() {
                writeln!(out, "    {why}:")?;
            }
            for g in shown.iter().filter(|g| g.why == why) {
                writeln!(
                    out,
                    "      {} {} … {}: {} short",
                    g.rule,
                    minute(&g.from),
                    minute(&g.to),
                    g.short_by
                )?;
            }
        }
        if r.duty_gaps.len() > 10 {
            writeln!(
                out,
                "    … and {} more (--format json)",
                r.duty_gaps.len() - 10
            )?;
        }
    }
    if !r.service_by_day.is_empty() {
        writeln!(out, "  predicted service level by day:")?;
        for d in &r.service_by_day {
            writeln!(out, "    {}  {}", d.date, percent(Some(d.service_level)))?;
        }
    }
    if r.shortfalls.is_empty() {
        writeln!(out, "  every interval covered")?;
    } else {
        // Grouped by reason, the reason said once; ten runs each at most here (the
        // JSON and coverage.csv have them all).
        writeln!(
            out,
            "  left short ({} runs of intervals):",
            r.shortfalls.len()
        )?;
        let mut reasons: Vec<&str> = Vec::new();
        for s in &r.shortfalls {
            if !reasons.contains(&s.why.as_str()) {
                reasons.push(&s.why);
            }
        }
        for why in reasons {
            writeln!(out, "    {why}:")?;
            let runs: Vec<_> = r.shortfalls.iter().filter(|s| s.why == why).collect();
            for s in runs.iter().take(10) {
                writeln!(
                    out,
                    "      {} … {}  {:.1} short at most",
                    minute(&s.from),
                    minute(&s.to),
                    s.short_by
                )?;
            }
            if runs.len() > 10 {
                writeln!(
                    out,
                    "      … and {} more (see coverage.csv)",
                    runs.len() - 10
                )?;
            }
        }
    }
    if !r.rules_not_applied.is_empty() {
        writeln!(
            out,
            "  rules for the named roster, not applied to the shift plan: [{}]",
            r.rules_not_applied.join("], [")
        )?;
    }
    writeln!(
        out,
        "written: {}/shifts.csv, breaks.csv, coverage.csv, summary.json{}",
        dir.display(),
        if named {
            ", roster.csv, ics/<agent_id>.ics"
        } else {
            ""
        }
    )
}
