//! Rosters (issue 13, first part): the shift plan that covers a staffing
//! requirement — how many of each shift template start when, with their breaks
//! placed — solved exactly by HiGHS (`callboard_core::roster`), its coverage per
//! interval, and every interval left short with the reason.

use super::roster_named::{
    AgentWeek, BentRule, DutySpec, NightSpec, PreferenceSpec, RestSpec, RosterRow, TimetableSpec,
    read_agents, recount, roster_rows,
};
use super::{QueryError, Result, input_error, open_csv, positive_duration_ms, time_zone};
use callboard_core::erlang::models::erlang_c;
use callboard_core::roster::assign::{self, Agent, AssignRules, QueueNeed};
use callboard_core::roster::demand::{self, PlannedShift};
use callboard_core::roster::duty::{self, DutyGap, DutySpan};
use callboard_core::roster::lp::{SolveOptions, SolveStatus};
use callboard_core::roster::{BreakRule, Requirement, ShiftTemplate, Weights};
use callboard_core::time::{DAY_MS, TimeZoneSpec, format_date, format_timestamp, parse_timestamp};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// A roster as asked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RosterQuery {
    /// The staffing requirement CSV (`interval_start, agents`, optional `queue`,
    /// `calls`, `aht_s`; `forecast --staffing` output as it is).
    pub requirements: PathBuf,
    /// The shift templates TOML.
    pub shifts: PathBuf,
    /// The rules TOML (weights, solver limits; optional).
    pub rules: Option<PathBuf>,
    /// Roster the 7 days from this local date (default: the requirement's span, or
    /// its first 7 days when it is longer).
    pub start: Option<String>,
    /// IANA zone of the centre's wall clock (shift start times, days).
    pub timezone: String,
    /// The solver's time limit (`60s`; overrides the rules file).
    pub time_limit: Option<String>,
    /// Named agents CSV: with it, the roster names who works which shift.
    pub agents: Option<PathBuf>,
    /// The schedules agents already work (an earlier roster.csv, the schedules
    /// table): each agent rests after their last shift before the week.
    pub previous: Option<PathBuf>,
}

impl Default for RosterQuery {
    fn default() -> Self {
        RosterQuery {
            requirements: PathBuf::new(),
            shifts: PathBuf::new(),
            rules: None,
            start: None,
            timezone: "UTC".into(),
            time_limit: None,
            agents: None,
            previous: None,
        }
    }
}

/// The rules file (the parts stage 1 uses; the named stage's rules are accepted
/// and listed as not yet applied).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
struct RulesFile {
    #[serde(default)]
    weights: Weights,
    #[serde(default)]
    solver: SolverRules,
    #[serde(default)]
    service: ServiceRules,
    rest: Option<RestSpec>,
    duty: Option<DutySpec>,
    preferences: Option<PreferenceSpec>,
    timetable: Option<TimetableSpec>,
    nights: Option<NightSpec>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct SolverRules {
    time_limit: String,
    mip_gap: f64,
    max_nodes: Option<u64>,
}

impl Default for SolverRules {
    fn default() -> Self {
        SolverRules {
            time_limit: "60s".into(),
            mip_gap: 1e-4,
            max_nodes: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct ServiceRules {
    /// The threshold of the predicted service level, seconds.
    sl_seconds: f64,
}

impl Default for ServiceRules {
    fn default() -> Self {
        ServiceRules { sl_seconds: 20.0 }
    }
}

/// One row of `shifts.csv`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ShiftRow {
    /// Start, RFC 3339 UTC.
    pub start: String,
    /// End.
    pub end: String,
    /// Template name.
    pub template: String,
    /// How many start then.
    pub count: u32,
}

/// One row of `breaks.csv`: where the breaks of a group of shifts go.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BreakRow {
    /// The shifts' start.
    pub shift_start: String,
    /// Their template.
    pub template: String,
    /// The break's name (`break`, `lunch`, …).
    #[serde(rename = "break")]
    pub name: String,
    /// Its start.
    pub start: String,
    /// Its end.
    pub end: String,
    /// How many of those shifts take it then.
    pub count: u32,
}

/// One row of `coverage.csv`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CoverageRow {
    /// Interval start, RFC 3339 UTC.
    pub interval_start: String,
    /// Agents required.
    pub required: f64,
    /// Agents on the phones (time-average over the interval).
    pub scheduled: f64,
    /// max(required − scheduled, 0).
    pub under: f64,
    /// max(scheduled − required, 0).
    pub over: f64,
    /// Erlang C service level with the scheduled agents (when the requirement
    /// carries calls and handle time; none for an interval without calls).
    pub predicted_service_level: Option<f64>,
}

/// A run of consecutive intervals left below the requirement.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Shortfall {
    /// First interval's start.
    pub from: String,
    /// Last interval's end.
    pub to: String,
    /// The most agents missing in one interval of the run.
    pub short_by: f64,
    /// Why, in a scheduler's words.
    pub why: String,
}

/// The predicted service level of one local day.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DayService {
    /// Local date.
    pub date: String,
    /// Calls-weighted mean of the intervals' predicted service level.
    pub service_level: f64,
}

/// The shift plan and what it achieves.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RosterReport {
    /// The period rostered: first interval's start.
    pub from: String,
    /// Its end.
    pub to: String,
    /// Requirement interval, minutes.
    pub interval_minutes: i64,
    /// The wall clock's zone.
    pub timezone: String,
    /// Shift templates read.
    pub templates: usize,
    /// Shifts that could start (templates × days × start times in the period).
    pub candidate_shifts: usize,
    /// `optimal` (proven within the gap asked), `time_limit` or `node_limit`.
    pub solver_status: SolveStatus,
    /// The relative MIP gap reached.
    pub mip_gap: f64,
    /// The objective of the plan.
    pub objective: f64,
    /// The best bound proven.
    pub bound: f64,
    /// Solver wall time, seconds (both stages with agents).
    pub solve_seconds: f64,
    /// With agents: the gap the shift plan (stage 1) reached; its bound is the
    /// named roster's lower bound.
    pub plan_mip_gap: Option<f64>,
    /// The weights used.
    pub weights: Weights,
    /// Share of required agent-hours covered: Σ min(scheduled, required) ÷ Σ required.
    pub coverage: f64,
    /// Agent-hours below the requirement.
    pub under_agent_hours: f64,
    /// Agent-hours above it.
    pub over_agent_hours: f64,
    /// Paid hours of all shifts.
    pub paid_hours: f64,
    /// Their cost (paid hours × cost per hour).
    pub cost: f64,
    /// Shifts in the plan.
    pub shift_count: u32,
    /// Predicted service level per local day (when the requirement has calls).
    pub service_by_day: Vec<DayService>,
    /// Intervals left short, and why.
    pub shortfalls: Vec<Shortfall>,
    /// Where a duty rule is left short (recounted from the shifts).
    pub duty_gaps: Vec<DutyGap>,
    /// When the requirement spans more than a week and no start was given: its
    /// span (the plan covers its first 7 days).
    pub first_week_of: Option<(String, String)>,
    /// Whether the requirement carries calls and handle time (coverage.csv then has
    /// the predicted_service_level column).
    pub with_service_level: bool,
    /// Rules in the rules file that apply to the named roster (not built yet).
    pub rules_not_applied: Vec<String>,
    /// The plan.
    pub shifts: Vec<ShiftRow>,
    /// Where its breaks go.
    pub breaks: Vec<BreakRow>,
    /// Coverage per interval.
    pub coverage_rows: Vec<CoverageRow>,
    /// The named roster (empty without agents).
    #[serde(flatten)]
    pub named: NamedReport,
}

/// What the named stage adds to the report.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct NamedReport {
    /// Agents read (0: no named stage).
    pub agents: usize,
    /// Shifts the assignment chose among.
    pub stage2_candidates: usize,
    /// Whether that was every candidate (else stage 1's shifts and their
    /// neighbouring starts).
    pub all_candidates: bool,
    /// Σ penalties of the soft rules bent (and contract minimums missed).
    pub soft_penalty: f64,
    /// The objective's term for the queues left short (`under` per agent-hour
    /// a queue's skilled agents are short), by the model's own count.
    pub queue_penalty: f64,
    /// The objective's term for the duty rules' slacks (`[duty] weight`), by
    /// the model's own count.
    pub duty_penalty: f64,
    /// Queues left short by the skills rostered, and why.
    pub queue_shortfalls: Vec<QueueShortfall>,
    /// Each agent's week.
    pub agent_weeks: Vec<AgentWeek>,
    /// Soft rules bent: who, how much.
    pub bent_rules: Vec<BentRule>,
    /// Each agent's shifts.
    pub agent_shifts: Vec<AgentShiftRow>,
    /// roster.csv: the schedules table.
    pub roster: Vec<RosterRow>,
}

/// A shift of a named agent.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AgentShiftRow {
    /// The agent.
    pub agent_id: String,
    /// The template.
    pub template: String,
    /// Start, RFC 3339.
    pub start: String,
    /// End.
    pub end: String,
    /// Start, ms.
    #[serde(skip)]
    pub start_ms: i64,
    /// End, ms.
    #[serde(skip)]
    pub end_ms: i64,
}

/// A run of intervals where the agents with a queue's skill fall short of it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QueueShortfall {
    /// The queue.
    pub queue: String,
    /// First interval's start.
    pub from: String,
    /// Last interval's end.
    pub to: String,
    /// Most agents missing in one interval.
    pub short_by: f64,
    /// Why.
    pub why: String,
}

/// Builds the shift plan.
pub fn run(q: &RosterQuery) -> Result<RosterReport> {
    let started = std::time::Instant::now();
    let zone = time_zone(&q.timezone)?;
    let (rules, rules_text) = match &q.rules {
        Some(p) => read_rules(p)?,
        None => (RulesFile::default(), String::new()),
    };
    let time_limit = q
        .time_limit
        .clone()
        .unwrap_or_else(|| rules.solver.time_limit.clone());
    let time_limit_ms = positive_duration_ms(&time_limit, "the solver's time limit")?;
    let templates = read_templates(&q.shifts)?;
    let (mut requirement, mut queue_needs) = read_requirement(&q.requirements, &zone)?;
    let requirement_span = (
        format_timestamp(requirement.start_ms),
        format_timestamp(requirement.end_ms()),
    );
    let mut first_week_of = None;
    if let Some(start) = &q.start {
        let bad = || QueryError::Date {
            what: "the roster's start",
            given: start.clone(),
        };
        let day = callboard_core::time::parse_date(start).ok_or_else(bad)?;
        let from = zone.local_midnight_ms(day).map_err(|_| bad())?;
        let to = zone.local_midnight_ms(day + 7).map_err(|_| bad())?;
        if from >= requirement.end_ms() || to <= requirement.start_ms {
            return Err(input_error(
                &q.requirements,
                0,
                format!(
                    "no intervals in the 7 days from {start}: the file covers {} … {}",
                    format_timestamp(requirement.start_ms),
                    format_timestamp(requirement.end_ms())
                ),
            ));
        }
        queue_needs = window_queues(&requirement, queue_needs, from, to);
        requirement = window(requirement, from, to);
    } else if requirement.end_ms() - requirement.start_ms > 7 * DAY_MS {
        // A roster is a week: the first 7 days of a longer requirement (a two-week
        // forecast), from the local midnight of its first interval.
        let first = requirement.start_ms;
        let day = (first + zone.offset_ms_at(first)).div_euclid(DAY_MS) as i32;
        let from = zone.local_midnight_ms(day).unwrap_or(first).min(first);
        let to = zone.local_midnight_ms(day + 7).unwrap_or(from + 7 * DAY_MS);
        queue_needs = window_queues(&requirement, queue_needs, from, to);
        requirement = window(requirement, from, to);
        first_week_of = Some(requirement_span);
    }
    let weights = rules.weights;
    let (assign_rules, duty_rules) = super::roster_named::rules(
        q.rules.as_deref().map(|p| (p, rules_text.as_str())),
        &rules.rest.clone().unwrap_or_default(),
        &rules.duty.clone().unwrap_or_default(),
        &rules.preferences.clone().unwrap_or_default(),
        &rules.timetable.clone().unwrap_or_default(),
        &rules.nights.clone().unwrap_or_default(),
        weights.under,
    )?;
    // The limit is the command's: reading the inputs counts, and a fiftieth is
    // kept for what follows the solver (recounting, explaining, writing).
    let limit_s = time_limit_ms as f64 / 1000.0;
    let options = SolveOptions {
        time_limit_s: ((limit_s - started.elapsed().as_secs_f64()) * 0.98).max(limit_s / 10.0),
        mip_gap: rules.solver.mip_gap,
        threads: 1,
        max_nodes: rules.solver.max_nodes,
        interior_point: false,
    };
    let period = (requirement.start_ms, requirement.end_ms());
    let all_candidates = demand::candidates(&requirement, &templates, &zone);
    let mut named_parts = None;
    let (planned, status, gap, objective, bound, seconds, plan_gap) = match &q.agents {
        None => {
            let mut model = demand::build(&requirement, &templates, &weights, &zone)?;
            duty::add_rows(
                &mut model,
                &requirement,
                &templates,
                &duty_rules,
                &zone,
                None,
                1e4,
            );
            let plan = model.solve(&templates, &options)?;
            let s = plan.solution;
            (
                plan.shifts,
                s.status,
                s.gap,
                s.objective,
                s.bound,
                s.seconds,
                None,
            )
        }
        Some(path) => {
            let mut agents = read_agents(path, &zone, &templates)?;
            if let Some(previous) = &q.previous {
                super::roster_named::hold_previous(
                    previous,
                    &zone,
                    &mut agents,
                    requirement.start_ms,
                    assign_rules.rest_min,
                )?;
            }
            // Queue rows only when agents have skills and the requirement names
            // more than one queue; a single named queue still keeps agents
            // without its skill off the roster.
            let queues: Vec<QueueNeed> = if agents.iter().any(|a| !a.skills.is_empty()) {
                queue_needs
                    .iter()
                    .map(|(queue, agents)| QueueNeed {
                        queue: queue.clone(),
                        agents: agents.clone(),
                    })
                    .collect()
            } else {
                Vec::new()
            };
            let named = assign::solve_named(
                &requirement,
                &queues,
                &templates,
                &weights,
                &agents,
                &assign_rules,
                &duty_rules,
                &zone,
                &options,
            )
            .map_err(|e| match e {
                callboard_core::roster::RosterError::Agent { .. } => {
                    input_error(path, 0, e.to_string())
                }
                other => other.into(),
            })?;
            let planned = group_shifts(&assign::as_planned(&named.shifts));
            let s = &named.solution;
            let status = s.status;
            let out = (
                planned,
                status,
                named.gap,
                s.objective,
                named.bound,
                named.seconds,
                Some(named.plan.solution.gap),
            );
            named_parts = Some((agents, queues, named));
            out
        }
    };
    // With agents `planned` is the roster grouped: the same recount.
    let scheduled = demand::scheduled(&requirement, &templates, &planned);
    let hours = requirement.interval_ms as f64 / 3_600_000.0;
    let mut coverage_rows = Vec::with_capacity(scheduled.len());
    let (mut covered, mut required_total, mut under_h, mut over_h) = (0.0, 0.0, 0.0, 0.0);
    let mut by_day: BTreeMap<i32, (f64, f64)> = BTreeMap::new();
    for (i, (&req, &sch)) in requirement.agents.iter().zip(&scheduled).enumerate() {
        let t = requirement.start_ms + i as i64 * requirement.interval_ms;
        let sch = (sch * 1e9).round() / 1e9;
        let (under, over) = ((req - sch).max(0.0), (sch - req).max(0.0));
        covered += req.min(sch) * hours;
        required_total += req * hours;
        under_h += under * hours;
        over_h += over * hours;
        let sl = match (&requirement.calls, &requirement.aht_s) {
            (Some(c), Some(a)) if c[i] > 0.0 && a[i] > 0.0 => {
                let erlangs = c[i] * a[i] / (requirement.interval_ms as f64 / 1000.0);
                let sl = erlang_c(sch, erlangs, a[i], rules.service.sl_seconds).service_level;
                let day = (t + zone.offset_ms_at(t)).div_euclid(DAY_MS) as i32;
                let e = by_day.entry(day).or_default();
                e.0 += sl * c[i];
                e.1 += c[i];
                Some(sl)
            }
            _ => None,
        };
        coverage_rows.push(CoverageRow {
            interval_start: format_timestamp(t),
            required: req,
            scheduled: sch,
            under,
            over,
            predicted_service_level: sl,
        });
    }
    let named_agents = named_parts.as_ref().map(|(agents, _, _)| agents.as_slice());
    // What can reach each instant: the reasons of the shortfalls and of the duty
    // gaps both read it.
    let reach = Reach::new(
        &requirement,
        &all_candidates,
        &templates,
        &zone,
        named_agents,
        &assign_rules,
    );
    let shortfalls = shortfalls(
        &requirement,
        &coverage_rows,
        &reach,
        &weights,
        named_agents.is_some(),
    );
    let (mut paid_hours, mut cost, mut shift_count) = (0.0, 0.0, 0);
    for s in &planned {
        let t = &templates[s.template];
        paid_hours += t.paid_hours() * f64::from(s.count);
        cost += t.paid_hours() * t.cost_per_hour * f64::from(s.count);
        shift_count += s.count;
    }
    let mut rules_not_applied = Vec::new();
    if q.agents.is_none() {
        for (name, given) in [
            ("rest", rules.rest.is_some()),
            ("preferences", rules.preferences.is_some()),
            ("nights", rules.nights.is_some()),
        ] {
            if given {
                rules_not_applied.push(name.to_owned());
            }
        }
    }
    // The duty rules recounted from what is worked.
    let spans: Vec<DutySpan> = match &named_parts {
        Some((agents, _, named)) => named
            .shifts
            .iter()
            .map(|s| {
                let breaks: Vec<(usize, i64, u32)> =
                    s.breaks.iter().map(|(b, at)| (*b, *at, 1)).collect();
                duty_span(
                    s.template,
                    s.start_ms,
                    s.end_ms,
                    1,
                    &breaks,
                    &templates,
                    agents[s.agent].nights_ok,
                )
            })
            .collect(),
        // A group of the plan stays one span with its count (expanded one per
        // shift, a rules file asking 99 999 999 on duty made that many).
        None => planned
            .iter()
            .map(|p| {
                duty_span(
                    p.template, p.start_ms, p.end_ms, p.count, &p.breaks, &templates, true,
                )
            })
            .collect(),
    };
    let grid = demand::grid_ms(&requirement, &templates, &all_candidates);
    let mut duty_gaps = duty::duty_gaps(&spans, &duty_rules, period.0, period.1, grid, &zone);
    duty_reasons(
        &mut duty_gaps,
        &spans,
        &reach,
        named_agents,
        &assign_rules,
        &zone,
        duty_rules.weight,
    );
    let mut named_report = NamedReport::default();
    if let Some((agents, queues, named)) = &named_parts {
        let (weeks, bent) = recount(
            &named.shifts,
            agents,
            &templates,
            &assign_rules,
            &zone,
            period,
            &named.fair_able,
        );
        named_report = NamedReport {
            agents: agents.len(),
            stage2_candidates: named.candidates.len(),
            all_candidates: named.all_candidates,
            // + 0.0: an empty sum is −0.0, which the JSON printed as `-0.0`.
            soft_penalty: bent.iter().map(|b| b.penalty).sum::<f64>() + 0.0,
            queue_penalty: named.model_terms.queues,
            duty_penalty: named.model_terms.duty,
            queue_shortfalls: queue_shortfalls(
                &requirement,
                queues,
                &named.shifts,
                agents,
                &all_candidates,
                &templates,
                &assign_rules,
                &zone,
            ),
            roster: roster_rows(&named.shifts, agents, &templates),
            agent_shifts: named
                .shifts
                .iter()
                .map(|s| AgentShiftRow {
                    agent_id: agents[s.agent].id.clone(),
                    template: templates[s.template].name.clone(),
                    start: format_timestamp(s.start_ms),
                    end: format_timestamp(s.end_ms),
                    start_ms: s.start_ms,
                    end_ms: s.end_ms,
                })
                .collect(),
            agent_weeks: weeks,
            bent_rules: bent,
        };
    }
    Ok(RosterReport {
        from: format_timestamp(requirement.start_ms),
        to: format_timestamp(requirement.end_ms()),
        interval_minutes: requirement.interval_ms / 60_000,
        timezone: zone.name().to_owned(),
        templates: templates.len(),
        candidate_shifts: all_candidates.len(),
        solver_status: status,
        mip_gap: gap,
        objective,
        bound,
        solve_seconds: seconds,
        plan_mip_gap: plan_gap,
        weights,
        coverage: if required_total > 0.0 {
            covered / required_total
        } else {
            1.0
        },
        under_agent_hours: under_h,
        over_agent_hours: over_h,
        paid_hours,
        cost,
        shift_count,
        service_by_day: by_day
            .into_iter()
            .map(|(d, (s, c))| DayService {
                date: format_date(d),
                service_level: s / c,
            })
            .collect(),
        shortfalls,
        duty_gaps,
        with_service_level: requirement.calls.is_some() && requirement.aht_s.is_some(),
        first_week_of,
        rules_not_applied,
        shifts: shift_rows(&planned, &templates),
        breaks: break_rows(&planned, &templates),
        coverage_rows,
        named: named_report,
    })
}

fn duty_span(
    template: usize,
    start: i64,
    end: i64,
    count: u32,
    breaks: &[(usize, i64, u32)],
    templates: &[ShiftTemplate],
    nights_ok: bool,
) -> DutySpan {
    DutySpan {
        start,
        end,
        count,
        breaks: breaks
            .iter()
            .map(|(b, at, k)| {
                (
                    *at,
                    at + i64::from(templates[template].breaks[*b].minutes) * 60_000,
                    *k,
                )
            })
            .collect(),
        nights_ok,
    }
}

/// One-shift groups merged back into the plan's shape: per (start, template) a
/// count, breaks summed per placement.
fn group_shifts(shifts: &[PlannedShift]) -> Vec<PlannedShift> {
    let mut map: BTreeMap<(i64, usize), PlannedShift> = BTreeMap::new();
    for s in shifts {
        let e = map
            .entry((s.start_ms, s.template))
            .or_insert_with(|| PlannedShift {
                count: 0,
                breaks: Vec::new(),
                ..s.clone()
            });
        e.count += s.count;
        for &(b, at, k) in &s.breaks {
            match e.breaks.iter_mut().find(|(x, y, _)| *x == b && *y == at) {
                Some(found) => found.2 += k,
                None => e.breaks.push((b, at, k)),
            }
        }
    }
    let mut out: Vec<PlannedShift> = map.into_values().collect();
    for s in &mut out {
        s.breaks.sort_unstable();
    }
    out
}

fn shift_rows(shifts: &[PlannedShift], templates: &[ShiftTemplate]) -> Vec<ShiftRow> {
    shifts
        .iter()
        .map(|s| ShiftRow {
            start: format_timestamp(s.start_ms),
            end: format_timestamp(s.end_ms),
            template: templates[s.template].name.clone(),
            count: s.count,
        })
        .collect()
}

fn break_rows(shifts: &[PlannedShift], templates: &[ShiftTemplate]) -> Vec<BreakRow> {
    let mut out = Vec::new();
    for s in shifts {
        let t = &templates[s.template];
        for &(b, at, count) in &s.breaks {
            let rule = &t.breaks[b];
            out.push(BreakRow {
                shift_start: format_timestamp(s.start_ms),
                template: t.name.clone(),
                name: rule.name.clone(),
                start: format_timestamp(at),
                end: format_timestamp(at + i64::from(rule.minutes) * 60_000),
                count,
            });
        }
    }
    out
}

/// Runs of intervals below the requirement, each with the reason: no template
/// works then, or covering it would cost more over-coverage around it than the
/// weights allow.
fn shortfalls(
    requirement: &Requirement,
    rows: &[CoverageRow],
    reach: &Reach,
    weights: &Weights,
    named: bool,
) -> Vec<Shortfall> {
    let works_at = |t: i64| reach.works_at(t);
    let reason = |t: i64| {
        if works_at(t) && !workable_at(reach.candidates, &reach.anyone, t, reach.templates) {
            "no agent may work a shift covering it (their unavailability, nights_ok or contract maximum rule it out); widen availability or add agents".to_owned()
        } else if works_at(t) && named {
            format!(
                "the agents who could work then are rostered up to their contract hours, days, consecutive days or rest, or covering it would put more agents on the hours around it than it is worth (under weighs {}, over {} per agent-hour); add agents or loosen a contract",
                weights.under, weights.over
            )
        } else if works_at(t) {
            format!(
                "covering it would put more agents on the hours around it than it is worth (under weighs {}, over {} per agent-hour); raise [weights] under or add a shorter or differently timed shift",
                weights.under, weights.over
            )
        } else if reach.reached_before(t) {
            "only a shift started before the period could work then (shifts start inside the period); start the requirement earlier or cover it by hand".to_owned()
        } else {
            "no shift template works then; add one whose hours (and days) include it".to_owned()
        }
    };
    let mut out: Vec<Shortfall> = Vec::new();
    let mut open: Option<(usize, f64, bool)> = None;
    let close = |out: &mut Vec<Shortfall>, start: usize, end: usize, short: f64| {
        let from = requirement.start_ms + start as i64 * requirement.interval_ms;
        out.push(Shortfall {
            from: format_timestamp(from),
            to: format_timestamp(requirement.start_ms + end as i64 * requirement.interval_ms),
            short_by: short,
            why: reason(from),
        });
    };
    for (i, r) in rows.iter().enumerate() {
        let t = requirement.start_ms + i as i64 * requirement.interval_ms;
        let short = r.under > 1e-9;
        match (&mut open, short) {
            (Some((_, worst, kind)), true) if *kind == works_at(t) => *worst = worst.max(r.under),
            (Some((start, worst, _)), _) => {
                let (start, worst) = (*start, *worst);
                close(&mut out, start, i, worst);
                open = short.then(|| (i, r.under, works_at(t)));
            }
            (None, true) => open = Some((i, r.under, works_at(t))),
            (None, false) => {}
        }
    }
    if let Some((start, worst, _)) = open {
        close(&mut out, start, rows.len(), worst);
    }
    out
}

/// What shifts could reach an instant: the candidates, and those that could have
/// started in the day before the period (which a roster of the period cannot use).
/// `anyone`: per candidate, whether some agent may work it (every one without
/// agents).
struct Reach<'a> {
    candidates: &'a [demand::Candidate],
    templates: &'a [ShiftTemplate],
    earlier: Vec<demand::Candidate>,
    start_ms: i64,
    anyone: Vec<bool>,
}

impl<'a> Reach<'a> {
    fn new(
        requirement: &Requirement,
        candidates: &'a [demand::Candidate],
        templates: &'a [ShiftTemplate],
        zone: &TimeZoneSpec,
        agents: Option<&[Agent]>,
        rules: &AssignRules,
    ) -> Self {
        let before = Requirement {
            start_ms: requirement.start_ms - DAY_MS,
            agents: vec![0.0; (DAY_MS / requirement.interval_ms).max(1) as usize],
            calls: None,
            aht_s: None,
            ..*requirement
        };
        let mut reach = Reach {
            candidates,
            templates,
            earlier: demand::candidates(&before, templates, zone),
            start_ms: requirement.start_ms,
            anyone: Vec::new(),
        };
        reach.anyone = reach.workable(agents.map(|a| a.iter()), rules, zone);
        reach
    }

    /// Per candidate: whether one of `agents` may work it (every one without).
    fn workable<'b>(
        &self,
        agents: Option<impl IntoIterator<Item = &'b Agent> + Clone>,
        rules: &AssignRules,
        zone: &TimeZoneSpec,
    ) -> Vec<bool> {
        self.candidates
            .iter()
            .map(|c| {
                agents.clone().is_none_or(|agents| {
                    assign::anyone_may_work(agents, c, self.templates, rules, &[], zone)
                })
            })
            .collect()
    }

    /// Whether some candidate works at `t`.
    fn works_at(&self, t: i64) -> bool {
        self.candidates.iter().any(|c| covers(c, t, self.templates))
    }

    /// Whether a shift started before the period would work at `t`.
    fn reached_before(&self, t: i64) -> bool {
        self.earlier.iter().any(|c| {
            let len = i64::from(self.templates[c.template].minutes) * 60_000;
            c.start_ms < self.start_ms && t < c.start_ms + len
        })
    }
}

/// Each duty gap's reason, in a scheduler's words: no template then, only a
/// shift from before the period, nobody who may (night duty: nobody
/// night-capable), or those who may are held by their contracts and rest (or the
/// duty weight did not pay for it).
fn duty_reasons(
    gaps: &mut [duty::DutyGap],
    spans: &[DutySpan],
    reach: &Reach,
    agents: Option<&[Agent]>,
    rules: &AssignRules,
    zone: &TimeZoneSpec,
    duty_weight: f64,
) {
    if gaps.is_empty() {
        return;
    }
    let (candidates, templates) = (reach.candidates, reach.templates);
    let night_capable = reach.workable(
        agents.map(|a| a.iter().filter(|a| a.nights_ok)),
        rules,
        zone,
    );
    for g in gaps {
        let t = g.from_ms;
        let (workable, one, many) = match g.rule {
            "night_duty" => (
                &night_capable,
                "night-capable agent (nights_ok)",
                "night-capable agents (nights_ok)",
            ),
            _ => (&reach.anyone, "agent", "agents"),
        };
        let on_break = spans.iter().any(|s| s.on_break_at(t));
        let held = if agents.is_some() {
            "are rostered up to their contract hours, days, consecutive days or rest"
        } else {
            "would cost more than the gap"
        };
        g.why = if g.rule == "handover" {
            let end = g.to_ms;
            let relief = candidates.iter().zip(workable).any(|(c, w)| {
                *w && c.start_ms <= t
                    && end < c.start_ms + i64::from(templates[c.template].minutes) * 60_000
            });
            if relief {
                // Named, it is the agents who are held, not the shifts.
                let who = if agents.is_some() {
                    format!("the {many} who could work a shift relieving it")
                } else {
                    "the shifts that could relieve it".to_owned()
                };
                format!(
                    "{who} {held} (duty weight {duty_weight} a handover missed); add agents or loosen a contract"
                )
            } else {
                "no shift starts early enough to overlap the one ending (and runs past its end); add a start before it".to_owned()
            }
        } else if !reach.works_at(t) {
            if reach.reached_before(t) {
                "only a shift started before the period could work then; start the requirement earlier or cover it by hand".to_owned()
            } else {
                "no shift template works then; add one whose hours (and days) include it".to_owned()
            }
        } else if g.rule == "on_work" && on_break {
            "the agents on duty then are on their breaks (each placed inside its window where it costs least); another agent then, or a break window that avoids it, would cover it".to_owned()
        } else if !workable_at(candidates, workable, t, templates) {
            format!(
                "no {one} may work a shift covering it (availability, nights_ok, contract maximum); widen availability or add agents"
            )
        } else {
            format!(
                "the {many} who could work then {held} (duty weight {duty_weight} per agent-hour short); add agents or loosen a contract"
            )
        };
    }
}

/// Whether candidate `c` works at instant `t`.
fn covers(c: &demand::Candidate, t: i64, templates: &[ShiftTemplate]) -> bool {
    c.start_ms <= t && t < c.start_ms + i64::from(templates[c.template].minutes) * 60_000
}

/// Whether a candidate marked in `workable` works at instant `t`.
fn workable_at(
    candidates: &[demand::Candidate],
    workable: &[bool],
    t: i64,
    templates: &[ShiftTemplate],
) -> bool {
    candidates
        .iter()
        .zip(workable)
        .any(|(c, w)| *w && covers(c, t, templates))
}

/// Runs of intervals where the rostered agents with a queue's skill (present on a
/// shift, breaks not subtracted) fall short of the queue's requirement.
#[allow(clippy::too_many_arguments)]
fn queue_shortfalls(
    requirement: &Requirement,
    queues: &[QueueNeed],
    shifts: &[assign::AgentShift],
    agents: &[Agent],
    candidates: &[demand::Candidate],
    templates: &[ShiftTemplate],
    rules: &AssignRules,
    zone: &TimeZoneSpec,
) -> Vec<QueueShortfall> {
    let mut out: Vec<QueueShortfall> = Vec::new();
    if queues.len() < 2 {
        return out;
    }
    let skilled = |a: &Agent, q: &str| a.skills.is_empty() || a.skills.iter().any(|s| s == q);
    for need in queues {
        let mut open: Option<(usize, f64, bool)> = None;
        // Per candidate: whether an agent with the skill may work it.
        let workable: Vec<bool> = candidates
            .iter()
            .map(|c| {
                let skilled_agents = agents.iter().filter(|a| skilled(a, &need.queue));
                assign::anyone_may_work(skilled_agents, c, templates, rules, queues, zone)
            })
            .collect();
        let available = |t: i64| workable_at(candidates, &workable, t, templates);
        let close = |out: &mut Vec<QueueShortfall>,
                     start: usize,
                     end: usize,
                     short: f64,
                     avail: bool| {
            out.push(QueueShortfall {
                queue: need.queue.clone(),
                from: format_timestamp(requirement.start_ms + start as i64 * requirement.interval_ms),
                to: format_timestamp(requirement.start_ms + end as i64 * requirement.interval_ms),
                short_by: short,
                why: if avail {
                    format!(
                        "the agents with skill `{}` are rostered elsewhere in the week or held by their contract hours, days or rest; {short:.1} needed",
                        need.queue
                    )
                } else {
                    format!("no agent with skill `{}` is available; {short:.1} needed", need.queue)
                },
            });
        };
        for i in 0..=requirement.agents.len() {
            let short = if i < requirement.agents.len() {
                let a = requirement.start_ms + i as i64 * requirement.interval_ms;
                let b = a + requirement.interval_ms;
                let present: f64 = shifts
                    .iter()
                    .filter(|s| skilled(&agents[s.agent], &need.queue))
                    .map(|s| (s.end_ms.min(b) - s.start_ms.max(a)).max(0) as f64)
                    .sum::<f64>()
                    / requirement.interval_ms as f64;
                (need.agents[i] - present).max(0.0)
            } else {
                0.0
            };
            let t = requirement.start_ms + i as i64 * requirement.interval_ms;
            match (&mut open, short > 1e-9) {
                (Some((_, worst, avail)), true) if *avail == available(t) => {
                    *worst = worst.max(short)
                }
                (Some((start, worst, avail)), _) => {
                    let (start, worst, avail) = (*start, *worst, *avail);
                    close(&mut out, start, i, worst, avail);
                    open = (short > 1e-9).then(|| (i, short, available(t)));
                }
                (None, true) => open = Some((i, short, available(t))),
                (None, false) => {}
            }
        }
    }
    out
}

/// The intervals of `r` inside `[from, to)` (zeros where it had none).
fn window(r: Requirement, from: i64, to: i64) -> Requirement {
    let n = ((to - from) / r.interval_ms).max(0) as usize;
    let pick = |v: &[f64], i: usize| -> f64 {
        let t = from + i as i64 * r.interval_ms;
        let k = (t - r.start_ms).div_euclid(r.interval_ms);
        if (t - r.start_ms).rem_euclid(r.interval_ms) == 0 && k >= 0 {
            v.get(k as usize).copied().unwrap_or(0.0)
        } else {
            0.0
        }
    };
    let cut = |v: &[f64]| (0..n).map(|i| pick(v, i)).collect::<Vec<_>>();
    Requirement {
        start_ms: from,
        interval_ms: r.interval_ms,
        agents: cut(&r.agents),
        calls: r.calls.as_deref().map(cut),
        aht_s: r.aht_s.as_deref().map(cut),
    }
}

/// Each queue's agents cut to `[from, to)` like [`window`].
fn window_queues(
    r: &Requirement,
    queues: Vec<(String, Vec<f64>)>,
    from: i64,
    to: i64,
) -> Vec<(String, Vec<f64>)> {
    queues
        .into_iter()
        .map(|(q, agents)| {
            let cut = window(
                Requirement {
                    agents,
                    calls: None,
                    aht_s: None,
                    ..*r
                },
                from,
                to,
            );
            (q, cut.agents)
        })
        .collect()
}

/// Queue and agents per interval, from the requirement file (empty without a
/// queue column or with one queue).
type QueueAgents = Vec<(String, Vec<f64>)>;

/// Reads the requirement: rows per (queue,) interval summed over queues (stage 1
/// covers the total; handle time is the calls-weighted mean), and each queue's
/// agents when it names two or more. The interval is the smallest spacing of the
/// starts; intervals not listed need 0.
fn read_requirement(path: &Path, zone: &TimeZoneSpec) -> Result<(Requirement, QueueAgents)> {
    let (rows, header) = open_csv(path)?;
    let col = |n: &str| header.iter().position(|h| h == n);
    let (Some(c_start), Some(c_agents)) = (col("interval_start"), col("agents")) else {
        return Err(input_error(
            path,
            1,
            "a requirement file needs the columns interval_start and agents (optional: queue, calls, aht_s)",
        ));
    };
    let (c_calls, c_aht, c_queue) = (col("calls"), col("aht_s"), col("queue"));
    // Per interval start: agents, calls, calls × aht.
    let mut cells: BTreeMap<i64, (f64, f64, f64, bool)> = BTreeMap::new();
    let mut by_queue: BTreeMap<String, BTreeMap<i64, f64>> = BTreeMap::new();
    for (line, rec) in rows {
        let field = |c: usize| rec.get(c).unwrap_or("").trim();
        let t = parse_timestamp(field(c_start), zone)
            .map_err(|e| input_error(path, line, format!("interval_start: {e}")))?;
        // Bounded far above any centre's (the solver takes 1e20 for infinite).
        let number = |c: usize, what: &str, most: f64| -> Result<f64> {
            field(c)
                .parse::<f64>()
                .ok()
                .filter(|x| x.is_finite() && (0.0..=most).contains(x))
                .ok_or_else(|| {
                    input_error(
                        path,
                        line,
                        format!("{what}: {:?} is not a number from 0 to {most}", field(c)),
                    )
                })
        };
        let agents = number(c_agents, "agents", 1e6)?;
        if let Some(cq) = c_queue {
            *by_queue
                .entry(field(cq).to_owned())
                .or_default()
                .entry(t)
                .or_default() += agents;
        }
        let e = cells.entry(t).or_insert((0.0, 0.0, 0.0, true));
        e.0 += agents;
        match (c_calls, c_aht) {
            (Some(cc), Some(ca)) if !field(cc).is_empty() && !field(ca).is_empty() => {
                let calls = number(cc, "calls", 1e9)?;
                e.1 += calls;
                e.2 += calls * number(ca, "aht_s", 1e6)?;
            }
            _ => e.3 = false,
        }
    }
    let starts: Vec<i64> = cells.keys().copied().collect();
    let (Some(&first), Some(&last)) = (starts.first(), starts.last()) else {
        return Err(input_error(path, 2, "the file holds no intervals"));
    };
    let interval = starts
        .windows(2)
        .map(|w| w[1] - w[0])
        .min()
        .ok_or_else(|| {
            input_error(
                path,
                2,
                "one interval is not enough to tell the interval length; list at least two",
            )
        })?;
    if let Some(t) = starts.iter().find(|t| (**t - first) % interval != 0) {
        return Err(input_error(
            path,
            0,
            format!(
                "interval {} is off the {}-minute grid the other intervals follow",
                format_timestamp(*t),
                interval / 60_000
            ),
        ));
    }
    let n = ((last - first) / interval + 1) as usize;
    let mut agents = vec![0.0; n];
    let mut calls = vec![0.0; n];
    let mut aht = vec![0.0; n];
    let mut with_calls = true;
    for (t, (a, c, ca, has)) in &cells {
        let i = ((t - first) / interval) as usize;
        agents[i] = *a;
        calls[i] = *c;
        aht[i] = if *c > 0.0 { ca / c } else { 0.0 };
        with_calls &= *has;
    }
    let queues = if by_queue.len() > 1 {
        by_queue
            .into_iter()
            .map(|(q, m)| {
                let mut v = vec![0.0; n];
                for (t, a) in m {
                    v[((t - first) / interval) as usize] = a;
                }
                (q, v)
            })
            .collect()
    } else {
        Vec::new()
    };
    Ok((
        Requirement {
            start_ms: first,
            interval_ms: interval,
            agents,
            calls: with_calls.then_some(calls),
            aht_s: with_calls.then_some(aht),
        },
        queues,
    ))
}

/// `[[shift]]` as written (docs/cli.md).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ShiftSpec {
    name: String,
    start: StartSpec,
    length: String,
    days: Option<Vec<String>>,
    cost_per_hour: Option<f64>,
    #[serde(rename = "break", default)]
    breaks: Vec<BreakSpec>,
}

/// Start times: one, a list, or a range with a step.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum StartSpec {
    One(String),
    List(Vec<String>),
    Range {
        from: String,
        to: String,
        every: String,
    },
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct BreakSpec {
    name: Option<String>,
    length: String,
    #[serde(default)]
    paid: bool,
    earliest: String,
    latest: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ShiftsFile {
    shift: Vec<ShiftSpec>,
}

/// `HH:MM` → minutes after midnight.
pub(super) fn clock(s: &str) -> Option<u32> {
    let (h, m) = s.trim().split_once(':')?;
    let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
    (h < 24 && m < 60).then_some(h * 60 + m)
}

fn minutes(s: &str) -> Option<u32> {
    let ms = callboard_core::tickets::parse_duration_ms(s).ok()?;
    (ms % 60_000 == 0)
        .then(|| u32::try_from(ms / 60_000).ok())
        .flatten()
}

/// A TOML file read into `T` (with its text, for naming lines later), a fault
/// named with its line and column.
fn toml_file<T: serde::de::DeserializeOwned>(path: &Path) -> Result<(T, String)> {
    let text = std::fs::read_to_string(path).map_err(|e| input_error(path, 0, e.to_string()))?;
    let value = toml::from_str(&text).map_err(|e| match e.span() {
        Some(span) => {
            let before = &text[..span.start];
            let line = before.matches('\n').count() as u64 + 1;
            let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            input_error(path, line, format!("column {column}: {}", e.message()))
        }
        None => input_error(path, 0, e.message().to_owned()),
    })?;
    Ok((value, text))
}

/// The line (1-based) of `key = …` in the TOML `text`'s `[section]`, else of
/// the section's header, else 0 (not in the file: a default).
pub(super) fn key_line(text: &str, section: &str, key: &str) -> u64 {
    let mut current = "";
    let mut header = 0;
    for (i, line) in text.lines().enumerate() {
        let t = line.trim();
        if t.starts_with('[') {
            current = t
                .trim_start_matches('[')
                .split(']')
                .next()
                .unwrap_or("")
                .trim();
            if current == section && header == 0 {
                header = i as u64 + 1;
            }
            continue;
        }
        if current == section
            && t.strip_prefix(key)
                .is_some_and(|rest| rest.trim_start().starts_with('='))
        {
            return i as u64 + 1;
        }
    }
    header
}

fn read_templates(path: &Path) -> Result<Vec<ShiftTemplate>> {
    let (file, text): (ShiftsFile, String) = toml_file(path)?;
    // Each template's `[[shift]]` line, to name in its faults.
    let headers: Vec<u64> = text
        .lines()
        .enumerate()
        .filter(|(_, l)| l.trim().starts_with("[[shift]]"))
        .map(|(i, _)| i as u64 + 1)
        .collect();
    let mut out = Vec::with_capacity(file.shift.len());
    for (k, s) in file.shift.into_iter().enumerate() {
        let line = headers.get(k).copied().unwrap_or(0);
        let bad =
            |problem: String| input_error(path, line, format!("shift {:?}: {problem}", s.name));
        let starts = match &s.start {
            StartSpec::One(t) => {
                vec![clock(t).ok_or_else(|| bad(format!("start {t:?} is not HH:MM")))?]
            }
            StartSpec::List(ts) => ts
                .iter()
                .map(|t| clock(t).ok_or_else(|| bad(format!("start {t:?} is not HH:MM"))))
                .collect::<Result<_>>()?,
            StartSpec::Range { from, to, every } => {
                let (a, b) = (
                    clock(from).ok_or_else(|| bad(format!("start.from {from:?} is not HH:MM")))?,
                    clock(to).ok_or_else(|| bad(format!("start.to {to:?} is not HH:MM")))?,
                );
                let step = minutes(every).filter(|m| *m > 0).ok_or_else(|| {
                    bad(format!("start.every {every:?} is not a length such as 30m"))
                })?;
                if b < a {
                    return Err(bad("start.to is before start.from".into()));
                }
                (a..=b).step_by(step as usize).collect()
            }
        };
        let length = minutes(&s.length).ok_or_else(|| {
            bad(format!(
                "length {:?} is not a length such as 8h or 7h30m",
                s.length
            ))
        })?;
        let days = match &s.days {
            None => [true; 7],
            Some(list) => {
                let mut d = [false; 7];
                for name in list {
                    let i = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
                        .iter()
                        .position(|n| name.trim().to_ascii_lowercase().starts_with(n))
                        .ok_or_else(|| bad(format!("day {name:?} is not mon … sun")))?;
                    d[i] = true;
                }
                d
            }
        };
        let breaks = s
            .breaks
            .iter()
            .map(|b| {
                let m = |v: &str, what: &str| {
                    minutes(v).ok_or_else(|| {
                        bad(format!("break {what} {v:?} is not a length such as 30m"))
                    })
                };
                Ok(BreakRule {
                    name: b
                        .name
                        .clone()
                        .unwrap_or_else(|| if b.paid { "break" } else { "lunch" }.into()),
                    minutes: m(&b.length, "length")?,
                    paid: b.paid,
                    earliest: m(&b.earliest, "earliest")?,
                    latest: m(&b.latest, "latest")?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let template = ShiftTemplate {
            name: s.name.clone(),
            starts,
            minutes: length,
            days,
            cost_per_hour: s.cost_per_hour.unwrap_or(1.0),
            breaks,
        };
        template
            .check()
            .map_err(|e| input_error(path, line, e.to_string()))?;
        out.push(template);
    }
    if out.is_empty() {
        return Err(input_error(path, 0, "no [[shift]] templates"));
    }
    Ok(out)
}

/// The rules file (with its text), its numbers checked: weights, the MIP gap
/// and the service level's threshold from 0 to 1e9.
fn read_rules(path: &Path) -> Result<(RulesFile, String)> {
    let (rules, text): (RulesFile, String) = toml_file(path)?;
    let w = &rules.weights;
    for (section, key, v) in [
        ("weights", "under", w.under),
        ("weights", "over", w.over),
        ("weights", "cost", w.cost),
        ("solver", "mip_gap", rules.solver.mip_gap),
        ("service", "sl_seconds", rules.service.sl_seconds),
    ] {
        if let Some(fault) = super::roster_named::out_of_range(v) {
            return Err(input_error(
                path,
                key_line(&text, section, key),
                format!("[{section}] {key} {fault}"),
            ));
        }
    }
    Ok((rules, text))
}

#[cfg(test)]
mod fuzz {
    //! Mutated roster inputs (requirement, templates, agents, rules, previous
    //! schedules) through the whole command: an answer or an error, never a
    //! panic.
    use super::*;
    use proptest::prelude::*;

    const NEED: &str = "interval_start,agents\n2026-03-02T06:00:00Z,1\n2026-03-02T07:00:00Z,2\n2026-03-02T08:00:00Z,2\n2026-03-02T09:00:00Z,1\n2026-03-03T06:00:00Z,1\n2026-03-03T07:00:00Z,1\n";
    const SHIFTS: &str = "[[shift]]\nname = \"early\"\nstart = { from = \"06:00\", to = \"07:00\", every = \"30m\" }\nlength = \"3h\"\ndays = [\"mon\", \"tue\"]\ncost_per_hour = 20\n[[shift.break]]\nlength = \"15m\"\npaid = true\nearliest = \"1h\"\nlatest = \"2h\"\n[[shift]]\nname = \"short\"\nstart = [\"07:00\", \"08:00\"]\nlength = \"2h\"\n";
    const AGENTS: &str = "agent_id,team,skills,min_hours_week,max_hours_week,max_days_week,max_consecutive_days,unavailable,preferred_days_off,preferred_shifts,nights_ok\nA,t,,2,10,2,2,2026-03-03T06:00/2026-03-03T07:00,tue,early,true\nB,t,,0,6,1,1,,,,false\n";
    const RULES: &str = "[weights]\nunder = 100\nover = 10\ncost = 0.01\n[solver]\ntime_limit = \"2s\"\n[rest]\nmin_between_shifts = \"11h\"\n[preferences]\nmax_start_spread = \"2h\"\n[nights]\nfrom = \"22:00\"\nto = \"06:00\"\nmin = \"3h\"\n[duty]\nmin_on_duty = 1\nhandover = \"15m\"\n";

    // A's Sunday (two touching segments) holds A until Monday 05:00 and, at
    // most 2 days in a row, carries a run of 1 into the week (Monday or
    // Tuesday off): Monday still reaches A's minimum.
    const PREVIOUS: &str = "agent_id,start,end,activity\nA,2026-03-01T12:00:00Z,2026-03-01T14:00:00Z,work\nA,2026-03-01T14:00:00Z,2026-03-01T18:00:00Z,work\nB,2026-03-01T08:00:00Z,2026-03-01T16:00:00Z,off\n";

    /// Tokens that break parsers more often than random text does.
    fn token() -> impl Strategy<Value = String> {
        prop_oneof![
            "\\PC{0,6}",
            prop::sample::select(vec![
                "-1",
                "NaN",
                "inf",
                "1e308",
                "0",
                "24:00",
                "99:99",
                "23:59",
                "0m",
                "0h",
                "25h",
                "9999999h",
                "",
                ",",
                "\"",
                "\n",
                "[[shift]]",
                "[[shift.break]]",
                "2026-02-30T00:00:00Z",
                "2026-03-02",
                "mon",
                "sun",
                ";",
                "/",
                "true",
            ])
            .prop_map(String::from),
        ]
    }

    /// `text` with one value replaced by `with`: a CSV cell (files ending in a
    /// header of `,`-separated names), else a TOML value (quoted or not, by
    /// `quoted`), chosen by `at`; with `raw`, bytes from `at` on, `cut` long.
    fn mutated(
        text: &str,
        csv: bool,
        (at, cut, raw, quoted): (usize, usize, bool, bool),
        with: &str,
    ) -> String {
        if raw {
            let mut at = at % (text.len() + 1);
            while !text.is_char_boundary(at) {
                at -= 1;
            }
            let mut end = (at + cut).min(text.len());
            while !text.is_char_boundary(end) {
                end += 1;
            }
            return format!("{}{}{}", &text[..at], with, &text[end..]);
        }
        let mut lines: Vec<String> = text.lines().map(String::from).collect();
        if csv {
            // The header one time in eight (a missing column is refused at once).
            let line = if at % 8 == 0 {
                0
            } else {
                1 + (at / 8) % (lines.len() - 1)
            };
            let mut cells: Vec<String> = lines[line].split(',').map(String::from).collect();
            let cell = (at / lines.len()) % cells.len();
            cells[cell] = with.to_owned();
            lines[line] = cells.join(",");
        } else {
            let values: Vec<usize> = (0..lines.len())
                .filter(|i| lines[*i].contains(" = "))
                .collect();
            let line = values[at % values.len()];
            let (key, value) = lines[line].split_once(" = ").unwrap_or_default();
            // A string stays a string, a number becomes another number, unless
            // `quoted` says otherwise.
            let numbers = [
                "-1",
                "0",
                "-0",
                "0.5",
                "1e308",
                "nan",
                "inf",
                "99999999",
                "4294967296",
            ];
            lines[line] = match (value.starts_with('"'), quoted) {
                (true, true) => format!("{key} = {with:?}"),
                (false, true) => format!("{key} = {}", numbers[at % numbers.len()]),
                _ => format!("{key} = {with}"),
            };
        }
        lines.join("\n") + "\n"
    }

    /// A rules file asking 99 999 999 agents on duty (a fuzz case once): the plan
    /// puts thousands on, and the duty recount takes its groups whole — expanded
    /// one span per shift it ran for minutes. Each gap is short by the ask less
    /// the shifts on work then, recounted from the written shift and break rows.
    #[test]
    fn an_absurd_duty_ask_gives_the_plan_and_its_gaps() {
        let dir = tempfile::tempdir().expect("dir");
        let rules = RULES.replace("min_on_duty = 1", "min_on_duty = 99999999");
        for (name, text) in [
            ("need.csv", NEED),
            ("shifts.toml", SHIFTS),
            ("rules.toml", &rules),
        ] {
            std::fs::write(dir.path().join(name), text).expect("write");
        }
        let q = RosterQuery {
            requirements: dir.path().join("need.csv"),
            shifts: dir.path().join("shifts.toml"),
            rules: Some(dir.path().join("rules.toml")),
            time_limit: Some("2s".into()),
            ..RosterQuery::default()
        };
        let r = run(&q).expect("a plan");
        let planned: u32 = r.shifts.iter().map(|s| s.count).sum();
        assert!(planned > 1_000, "{planned}");
        let on_work = |t: &str| -> i64 {
            let on: i64 = r
                .shifts
                .iter()
                .filter(|s| s.start.as_str() <= t && t < s.end.as_str())
                .map(|s| i64::from(s.count))
                .sum();
            let off: i64 = r
                .breaks
                .iter()
                .filter(|b| b.start.as_str() <= t && t < b.end.as_str())
                .map(|b| i64::from(b.count))
                .sum();
            on - off
        };
        let gaps: Vec<&DutyGap> = r.duty_gaps.iter().filter(|g| g.rule == "on_work").collect();
        assert!(!gaps.is_empty());
        for g in gaps {
            assert_eq!(
                i64::from(g.short_by),
                99_999_999 - on_work(&g.from),
                "{g:?}"
            );
        }
    }

    /// The inputs before mutation are a valid named week: the mutations start
    /// from something the command takes.
    #[test]
    fn the_unmutated_inputs_give_a_named_roster() {
        let dir = tempfile::tempdir().expect("dir");
        let names = [
            "need.csv",
            "shifts.toml",
            "agents.csv",
            "rules.toml",
            "previous.csv",
        ];
        for (name, text) in names.iter().zip([NEED, SHIFTS, AGENTS, RULES, PREVIOUS]) {
            std::fs::write(dir.path().join(name), text).expect("write");
        }
        let q = RosterQuery {
            requirements: dir.path().join(names[0]),
            shifts: dir.path().join(names[1]),
            agents: Some(dir.path().join(names[2])),
            rules: Some(dir.path().join(names[3])),
            previous: Some(dir.path().join(names[4])),
            ..RosterQuery::default()
        };
        let r = run(&q).expect("a roster");
        assert_eq!(r.named.agents, 2);
        assert!(!r.named.roster.is_empty());
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(96))]

        #[test]
        fn mutated_inputs_give_a_roster_or_an_error_never_a_panic(
            file in 0usize..5,
            edits in prop::collection::vec(((any::<usize>(), 0usize..12, prop::bool::weighted(0.15), prop::bool::weighted(0.85)), token()), 1..4),
            named in any::<bool>(),
        ) {
            let mut texts = [NEED.to_owned(), SHIFTS.to_owned(), AGENTS.to_owned(), RULES.to_owned(), PREVIOUS.to_owned()];
            for (how, with) in &edits {
                texts[file] = mutated(&texts[file], file % 2 == 0, *how, with);
            }
            let dir = tempfile::tempdir().expect("dir");
            let names = ["need.csv", "shifts.toml", "agents.csv", "rules.toml", "previous.csv"];
            for (name, text) in names.iter().zip(&texts) {
                std::fs::write(dir.path().join(name), text).expect("write");
            }
            let q = RosterQuery {
                requirements: dir.path().join(names[0]),
                shifts: dir.path().join(names[1]),
                agents: (named || file >= 2 && file != 3).then(|| dir.path().join(names[2])),
                rules: Some(dir.path().join(names[3])),
                previous: Some(dir.path().join(names[4])),
                time_limit: Some("2s".into()),
                ..RosterQuery::default()
            };
            if let Err(e) = run(&q) {
                prop_assert!(!e.to_string().trim().is_empty());
            }
        }
    }
}
