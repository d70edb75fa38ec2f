//! Stage 2, assignment: which named agent works which shift over the week.
//!
//! The model is stage 1's ([`demand`]) with each shift count tied to binary agent
//! columns: y_c = Σ_a x_{a,c}, x_{a,c} = 1 when agent a works candidate c. The
//! breaks stay aggregated per candidate (Aykin's break columns): agents on the same
//! shift are interchangeable for coverage, so which of them takes which placement
//! is dealt out afterwards ([`AssignModel::read`]) — the model stays as small as
//! stage 1's plus one column per (agent, shift they may work).
//!
//! Per agent, hard: availability, skills, night work only with `nights_ok`, one
//! shift a local day, rest between shifts (clique rows: for each start time of a
//! later day, the shifts of an earlier day that would end too close to it and the
//! later shifts starting by then — at most one of them), contract hours (the
//! minimum as a heavily weighted slack, so a roster always exists; a minimum that
//! availability cannot reach is refused up front by [`check_agents`]), days a week
//! and consecutive days. Soft, weighted: preferred days off and shifts (a cost on
//! the agent's column), single days off between worked days, spread of start
//! times above a maximum, and a fair share of weekend and night shifts (above the
//! mean of those who can work them). Per queue, when the requirement names queues
//! and agents have skills: the agents present with each skill (grouped by equal
//! skill sets) against the queue's requirement, a penalised slack.

use super::demand::{self, Candidate, DemandModel, PlannedShift, ShiftPlan};
use super::duty::{self, DutyColumns, DutyRules};
use super::lp::{Column, LpSolution, Row, SolveOptions};
use super::{Requirement, RosterError, ShiftTemplate, Weights, Zone};
use crate::time::{DAY_MS, format_date, format_timestamp, weekday};
use std::collections::{BTreeMap, BTreeSet};
use std::time::Instant;

/// A preferred day off: a weekday (Monday = 0) or a local date (days since 1970).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DayOff {
    /// Every such weekday.
    Weekday(u8),
    /// That date.
    Date(i32),
}

/// A named agent and their contract.
#[derive(Debug, Clone, PartialEq)]
pub struct Agent {
    /// As in the store's agents table.
    pub id: String,
    /// Team (informational).
    pub team: String,
    /// Queues they can take; empty = every queue.
    pub skills: Vec<String>,
    /// Contract minimum paid hours in the week.
    pub min_hours_week: f64,
    /// Contract maximum paid hours in the week.
    pub max_hours_week: f64,
    /// Days worked at most.
    pub max_days_week: u32,
    /// Consecutive days worked at most (a run from before the week counts:
    /// `run_before`).
    pub max_consecutive_days: u32,
    /// Days worked in a row up to the week's first day (from the shifts before
    /// it, `--previous`): the week's first days continue that run.
    pub run_before: u32,
    /// Times they cannot work, [from, to) ms.
    pub unavailable: Vec<(i64, i64)>,
    /// Days they would rather have off.
    pub preferred_days_off: Vec<DayOff>,
    /// Templates they would rather work (empty: no preference).
    pub preferred_shifts: Vec<String>,
    /// Whether they may work night shifts.
    pub nights_ok: bool,
}

impl Agent {
    /// An agent with no limits but their id.
    pub fn new(id: &str) -> Agent {
        Agent {
            id: id.into(),
            team: String::new(),
            skills: Vec::new(),
            min_hours_week: 0.0,
            max_hours_week: f64::INFINITY,
            max_days_week: 7,
            max_consecutive_days: 7,
            run_before: 0,
            unavailable: Vec::new(),
            preferred_days_off: Vec::new(),
            preferred_shifts: Vec::new(),
            nights_ok: true,
        }
    }
}

/// Which shifts are night shifts: those with at least `min_minutes` inside the
/// daily window `from`–`to` (the EU working-time directive's night worker works at
/// least 3 hours of the night period).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NightDefinition {
    /// Window start, minutes after midnight.
    pub from: u32,
    /// Window end, minutes after midnight (before `from`: past midnight).
    pub to: u32,
    /// Minutes inside the window that make a night shift.
    pub min_minutes: u32,
}

impl Default for NightDefinition {
    fn default() -> Self {
        NightDefinition {
            from: 22 * 60,
            to: 6 * 60,
            min_minutes: 180,
        }
    }
}

/// Weights of the soft rules (objective units, as [`Weights`]).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SoftWeights {
    /// Per shift on a preferred day off or of a template not preferred.
    pub preference: f64,
    /// Per single day off between two worked days.
    pub single_day_off: f64,
    /// Per hour of start-time spread above the maximum.
    pub start_spread: f64,
    /// Per weekend or night shift above the mean of those who can work them.
    pub fairness: f64,
    /// Per hour below an agent's contract minimum.
    pub min_hours: f64,
}

impl Default for SoftWeights {
    /// Preferences yield to coverage (an uncovered agent-hour weighs 100); the
    /// contract minimum does not.
    fn default() -> Self {
        SoftWeights {
            preference: 5.0,
            single_day_off: 10.0,
            start_spread: 5.0,
            fairness: 5.0,
            min_hours: 1000.0,
        }
    }
}

/// The assignment's rules.
#[derive(Debug, Clone, PartialEq)]
pub struct AssignRules {
    /// Rest between the end of one shift and the start of the next, minutes.
    pub rest_min: u32,
    /// Spread of an agent's start times (local clock) allowed before it costs, minutes.
    pub max_start_spread_min: u32,
    /// What a night shift is.
    pub night: NightDefinition,
    /// Soft weights.
    pub soft: SoftWeights,
}

impl Default for AssignRules {
    fn default() -> Self {
        AssignRules {
            rest_min: 11 * 60,
            max_start_spread_min: 120,
            night: NightDefinition::default(),
            soft: SoftWeights::default(),
        }
    }
}

/// One queue's requirement (same intervals as the total).
#[derive(Debug, Clone, PartialEq)]
pub struct QueueNeed {
    /// The queue.
    pub queue: String,
    /// Agents needed per interval.
    pub agents: Vec<f64>,
}

/// A shift worked by a named agent.
#[derive(Debug, Clone, PartialEq)]
pub struct AgentShift {
    /// Index into the agents.
    pub agent: usize,
    /// Template index.
    pub template: usize,
    /// Start, ms.
    pub start_ms: i64,
    /// End, ms.
    pub end_ms: i64,
    /// Breaks: (break index in the template, start ms).
    pub breaks: Vec<(usize, i64)>,
}

/// Minutes of `[start, end)` inside the night window of the local clock.
pub fn night_minutes(start: i64, end: i64, night: &NightDefinition, zone: &Zone) -> u32 {
    let mut minutes = 0;
    let mut t = start;
    while t < end {
        let local = t + zone.offset_ms_at(t);
        let m = (local.rem_euclid(DAY_MS) / 60_000) as u32;
        let inside = if night.from <= night.to {
            (night.from..night.to).contains(&m)
        } else {
            m >= night.from || m < night.to
        };
        if inside {
            minutes += 1;
        }
        t += 60_000;
    }
    minutes
}

/// Whether a shift over `[start, end)` is a night shift.
pub fn is_night(start: i64, end: i64, night: &NightDefinition, zone: &Zone) -> bool {
    night_minutes(start, end, night, zone) >= night.min_minutes
}

/// The local day (days since 1970) an instant falls on.
pub fn local_day(t: i64, zone: &Zone) -> i32 {
    (t + zone.offset_ms_at(t)).div_euclid(DAY_MS) as i32
}

/// The requirement's first local day and how many local days it spans.
pub(super) fn local_days(requirement: &Requirement, zone: &Zone) -> (i32, usize) {
    let first = local_day(requirement.start_ms, zone);
    let days = (local_day(requirement.end_ms() - 1, zone) - first + 1).max(1) as usize;
    (first, days)
}

/// Facts about one candidate that the rules read.
#[derive(Debug, Clone, Copy)]
pub(super) struct Facts {
    pub(super) start: i64,
    pub(super) end: i64,
    pub(super) day: i32,
    pub(super) paid_hours: f64,
    pub(super) night: bool,
    pub(super) weekend: bool,
    pub(super) start_hour: f64,
}

fn facts(c: &Candidate, templates: &[ShiftTemplate], rules: &AssignRules, zone: &Zone) -> Facts {
    let t = &templates[c.template];
    let end = c.start_ms + i64::from(t.minutes) * 60_000;
    let day = local_day(c.start_ms, zone);
    let local = c.start_ms + zone.offset_ms_at(c.start_ms);
    Facts {
        start: c.start_ms,
        end,
        day,
        paid_hours: t.paid_hours(),
        night: is_night(c.start_ms, end, &rules.night, zone),
        weekend: weekday(day) >= 5,
        start_hour: local.rem_euclid(DAY_MS) as f64 / 3_600_000.0,
    }
}

/// The facts of each of `candidates`, in order.
pub(super) fn facts_of(
    candidates: &[Candidate],
    templates: &[ShiftTemplate],
    rules: &AssignRules,
    zone: &Zone,
) -> Vec<Facts> {
    candidates
        .iter()
        .map(|c| facts(c, templates, rules, zone))
        .collect()
}

/// The model with each agent's columns fixed to the shifts of `taken` (per agent,
/// candidate indices): solved, it completes those names into a whole solution.
pub(super) fn with_names_fixed(
    lp: &super::lp::LinearModel,
    agent_columns: &[Vec<(usize, usize)>],
    taken: &[Vec<usize>],
) -> super::lp::LinearModel {
    let mut fixed = lp.clone();
    for (cols, mine) in agent_columns.iter().zip(taken) {
        for &(c, x) in cols {
            let v = if mine.contains(&c) { 1.0 } else { 0.0 };
            fixed.columns[x].lower = v;
            fixed.columns[x].upper = v;
        }
    }
    fixed
}

/// The queues an agent can take among `queues` (all when they list no skills).
fn skill_set(agent: &Agent, queues: &[QueueNeed]) -> Vec<usize> {
    (0..queues.len())
        .filter(|q| agent.skills.is_empty() || agent.skills.contains(&queues[*q].queue))
        .collect()
}

/// Whether `agent` may work candidate `c` (hard rules of one shift alone).
pub(super) fn may_work(agent: &Agent, f: &Facts, queues: &[QueueNeed]) -> bool {
    agent.max_days_week > 0
        && f.paid_hours <= agent.max_hours_week + 1e-9
        && (agent.nights_ok || !f.night)
        && !agent
            .unavailable
            .iter()
            .any(|(a, b)| *a < f.end && f.start < *b)
        && (queues.is_empty() || !skill_set(agent, queues).is_empty())
}

/// The most paid hours of `longest` (per local day from `first`, the longest
/// shift the agent may take then) on at most `max_days_week` days, no run of
/// days longer than `max_consecutive_days` (the run carried into the week
/// continuing on the first days): a programme over the days, its state the
/// days worked and the current run.
fn most_hours(longest: &BTreeMap<i32, f64>, first: i32, agent: &Agent) -> f64 {
    let Some(&last) = longest.keys().max() else {
        return 0.0;
    };
    let days = agent.max_days_week as usize;
    let run = agent.max_consecutive_days as usize;
    let at = |d: usize, r: usize| d * (run + 1) + r;
    let mut now = vec![f64::NEG_INFINITY; (days + 1) * (run + 1)];
    now[at(0, (agent.run_before as usize).min(run))] = 0.0;
    for day in first..=last {
        let h = longest.get(&day).copied().unwrap_or(0.0);
        let mut next = vec![f64::NEG_INFINITY; now.len()];
        for d in 0..=days {
            for r in 0..=run {
                let v = now[at(d, r)];
                if v == f64::NEG_INFINITY {
                    continue;
                }
                next[at(d, 0)] = next[at(d, 0)].max(v);
                if h > 0.0 && d < days && r < run {
                    next[at(d + 1, r + 1)] = next[at(d + 1, r + 1)].max(v + h);
                }
            }
        }
        now = next;
    }
    // (From +0: an empty week is said as "0.0 h", not "-0.0 h".)
    now.into_iter().fold(0.0, f64::max)
}

/// Whether `agent` would rather have the local day `day` (days since 1970)
/// off.
pub fn prefers_off(agent: &Agent, day: i32) -> bool {
    agent.preferred_days_off.iter().any(|d| match d {
        DayOff::Weekday(w) => weekday(day) == *w,
        DayOff::Date(d) => day == *d,
    })
}

/// The preference penalty of `agent` working a shift: on a preferred day off, of
/// a template they would rather not work.
pub(super) fn preference_cost(agent: &Agent, f: &Facts, template: &str, soft: &SoftWeights) -> f64 {
    let off_day = prefers_off(agent, f.day);
    let unwanted =
        !agent.preferred_shifts.is_empty() && !agent.preferred_shifts.iter().any(|p| p == template);
    soft.preference * (f64::from(u8::from(off_day)) + f64::from(u8::from(unwanted)))
}

/// Whether any of `agents` may work candidate `c` by the rules of that shift
/// alone (availability, contract maximum, nights, skills) — the eligibility the
/// model gives a column for; the shift's facts are read once for all of them.
pub fn anyone_may_work<'a>(
    agents: impl IntoIterator<Item = &'a Agent>,
    c: &Candidate,
    templates: &[ShiftTemplate],
    rules: &AssignRules,
    queues: &[QueueNeed],
    zone: &Zone,
) -> bool {
    let f = facts(c, templates, rules, zone);
    agents.into_iter().any(|a| may_work(a, &f, queues))
}

/// Refuses agents whose hard rules contradict each other before any solving:
/// duplicate ids, a minimum above the maximum, a minimum their availability,
/// days, runs of days (a run carried into the week, from `first_day`, counting)
/// and the templates cannot reach, zero consecutive days with a minimum.
pub fn check_agents(
    agents: &[Agent],
    candidates: &[Candidate],
    templates: &[ShiftTemplate],
    rules: &AssignRules,
    queues: &[QueueNeed],
    zone: &Zone,
    first_day: i32,
) -> Result<(), RosterError> {
    let refuse = |a: &Agent, rule: &str, problem: String| RosterError::Agent {
        agent: a.id.clone(),
        rule: rule.into(),
        problem,
    };
    let mut seen = BTreeSet::new();
    let facts = facts_of(candidates, templates, rules, zone);
    for a in agents {
        if !seen.insert(a.id.as_str()) {
            return Err(refuse(a, "agent_id", "listed twice".into()));
        }
        if a.min_hours_week > a.max_hours_week {
            return Err(refuse(
                a,
                "min_hours_week",
                format!(
                    "the minimum {} h is above the maximum {} h (max_hours_week)",
                    a.min_hours_week, a.max_hours_week
                ),
            ));
        }
        if a.min_hours_week <= 0.0 {
            continue;
        }
        // The most hours they could work: the longest shift they may take on each
        // day, on at most max_days_week days with no run longer than
        // max_consecutive_days (a run carried into the week counting) — rest
        // ignored, so this refuses only what is certainly impossible.
        let mut best: BTreeMap<i32, f64> = BTreeMap::new();
        for f in facts.iter().filter(|f| may_work(a, f, queues)) {
            let e = best.entry(f.day).or_insert(0.0);
            *e = e.max(f.paid_hours);
        }
        let reachable = most_hours(&best, first_day, a);
        if reachable + 1e-9 < a.min_hours_week {
            return Err(refuse(
                a,
                "min_hours_week",
                format!(
                    "the minimum {} h cannot be reached: the shifts their availability, skills, nights_ok, max_days_week ({}) and max_consecutive_days ({}{}) allow add up to {:.1} h at most; lower the minimum or widen the availability",
                    a.min_hours_week,
                    a.max_days_week,
                    a.max_consecutive_days,
                    if a.run_before > 0 {
                        format!(", {} worked in a row before the week", a.run_before)
                    } else {
                        String::new()
                    },
                    reachable
                ),
            ));
        }
    }
    Ok(())
}

/// The stage-2 model with the meaning of its columns.
#[derive(Debug, Clone)]
pub struct AssignModel {
    /// Stage 1's model, extended.
    pub demand: DemandModel,
    /// Per agent: (candidate index, column) of the shifts they may work.
    pub agent_columns: Vec<Vec<(usize, usize)>>,
    /// The duty rows' slacks.
    pub duty: DutyColumns,
    /// The per-queue rows' slacks (each queue short, per interval).
    pub queue_short: Vec<usize>,
    /// What the rules read of each candidate, in candidate order.
    pub(super) facts: Vec<Facts>,
    /// The week's first local day.
    pub(super) first_day: i32,
}

/// Builds the assignment model over `candidates` (no solver involved).
#[allow(clippy::too_many_arguments)]
pub fn build(
    requirement: &Requirement,
    queues: &[QueueNeed],
    templates: &[ShiftTemplate],
    weights: &Weights,
    agents: &[Agent],
    rules: &AssignRules,
    duty_rules: &DutyRules,
    zone: &Zone,
    candidates: Vec<Candidate>,
) -> Result<AssignModel, RosterError> {
    let mut model = demand::build_for(requirement, templates, weights, candidates)?;
    let facts = facts_of(&model.candidates, templates, rules, zone);
    let (first_day, days) = local_days(requirement, zone);
    let soft = &rules.soft;
    let lp = &mut model.lp;
    let mut agent_columns = vec![Vec::new(); agents.len()];
    let mut takers: Vec<Vec<(usize, usize)>> = vec![Vec::new(); facts.len()];
    for (a, agent) in agents.iter().enumerate() {
        for (c, f) in facts.iter().enumerate() {
            if !may_work(agent, f, queues) {
                continue;
            }
            let t = &templates[model.candidates[c].template];
            let x = lp.add_column(Column {
                name: format!(
                    "{} works {} at {}",
                    agent.id,
                    t.name,
                    format_timestamp(f.start)
                ),
                cost: preference_cost(agent, f, &t.name, soft),
                lower: 0.0,
                upper: 1.0,
                integer: true,
            });
            agent_columns[a].push((c, x));
            takers[c].push((a, x));
        }
    }
    // Shift counts are the agents working them.
    for (c, list) in takers.iter().enumerate() {
        let y = model.shift_columns[c];
        if list.is_empty() {
            lp.columns[y].upper = 0.0;
            continue;
        }
        let mut terms: Vec<(usize, f64)> = list.iter().map(|(_, x)| (*x, 1.0)).collect();
        terms.push((y, -1.0));
        lp.add_row(Row {
            name: format!("agents on {}", lp.columns[y].name),
            terms,
            lower: 0.0,
            upper: 0.0,
        });
    }
    add_agent_rows(lp, agents, &facts, &agent_columns, rules, first_day, days);

    // Queues: the agents present with each skill against each queue's need.
    let queue_short = if queues.len() > 1 {
        let groups = skill_groups(agents, queues, &takers);
        add_queue_rows(lp, requirement, queues, weights, &facts, &groups)
    } else {
        Vec::new()
    };
    // Duty rules; night duty counts the night-capable agents.
    let night_columns = duty_rules
        .night_duty
        .map(|_| night_capable(&mut model.lp, agents, &takers));
    let duty = duty::add_rows(
        &mut model,
        requirement,
        templates,
        duty_rules,
        zone,
        night_columns.as_deref(),
        agents.len().max(1) as f64,
    );
    Ok(AssignModel {
        demand: model,
        agent_columns,
        duty,
        queue_short,
        facts,
        first_day,
    })
}

/// The per-agent rows (one shift a day, rest, contract hours, days, runs of days)
/// and the soft rules' columns, over `agent_columns[a]` = (candidate, column) of
/// the shifts agent a may work. Shared by the full model and the plan assignment.
#[allow(clippy::too_many_arguments)]
fn add_agent_rows(
    lp: &mut super::lp::LinearModel,
    agents: &[Agent],
    facts: &[Facts],
    agent_columns: &[Vec<(usize, usize)>],
    rules: &AssignRules,
    first_day: i32,
    days: usize,
) {
    let soft = &rules.soft;
    let rest = i64::from(rules.rest_min) * 60_000;
    let hour_cols = |lp: &mut super::lp::LinearModel, name: String, cost: f64| {
        lp.add_column(Column::continuous(name, cost))
    };
    // Weekend and night totals for the fairness rows.
    let counted = fair_able(agent_columns, facts);
    for (k, (what, pick)) in ["weekend", "night"].into_iter().zip(FAIR_KINDS).enumerate() {
        let able: Vec<usize> = (0..agents.len()).filter(|a| counted[k][*a]).collect();
        if soft.fairness <= 0.0 || able.len() < 2 {
            continue;
        }
        let total = hour_cols(lp, format!("{what} shifts in all"), 0.0);
        let mut terms: Vec<(usize, f64)> = able
            .iter()
            .flat_map(|a| agent_columns[*a].iter())
            .filter(|(c, _)| pick(&facts[*c]))
            .map(|(_, x)| (*x, 1.0))
            .collect();
        terms.push((total, -1.0));
        lp.add_row(Row {
            name: format!("{what} shifts counted"),
            terms,
            lower: 0.0,
            upper: 0.0,
        });
        let share = 1.0 / able.len() as f64;
        for &a in &able {
            let dev = hour_cols(
                lp,
                format!("{}'s {what} shifts above the mean", agents[a].id),
                soft.fairness,
            );
            let mut terms: Vec<(usize, f64)> = agent_columns[a]
                .iter()
                .filter(|(c, _)| pick(&facts[*c]))
                .map(|(_, x)| (*x, -1.0))
                .collect();
            terms.push((dev, 1.0));
            terms.push((total, share));
            lp.add_row(Row {
                name: format!("{}'s fair share of {what} shifts", agents[a].id),
                terms,
                lower: 0.0,
                upper: f64::INFINITY,
            });
        }
    }
    for (a, agent) in agents.iter().enumerate() {
        let cols = &agent_columns[a];
        if cols.is_empty() {
            continue;
        }
        let id = &agent.id;
        let mut by_day: Vec<Vec<(usize, usize)>> = vec![Vec::new(); days];
        for &(c, x) in cols {
            let d = (facts[c].day - first_day).clamp(0, days as i32 - 1) as usize;
            by_day[d].push((c, x));
        }
        for (d, list) in by_day.iter().enumerate().filter(|(_, l)| l.len() > 1) {
            lp.add_row(Row {
                name: format!(
                    "{id} works one shift on {}",
                    format_date(first_day + d as i32)
                ),
                terms: list.iter().map(|(_, x)| (*x, 1.0)).collect(),
                lower: f64::NEG_INFINITY,
                upper: 1.0,
            });
        }
        // Rest: for each start s' of a later day, at most one of the earlier day's
        // shifts ending after s' − rest and the later day's starting by s'. Only
        // the last s' of each distinct earlier set is kept (the others are implied).
        for d in 0..days {
            for k in 1..=2 {
                if d + k >= days || by_day[d].is_empty() || by_day[d + k].is_empty() {
                    continue;
                }
                let mut starts: Vec<i64> =
                    by_day[d + k].iter().map(|(c, _)| facts[*c].start).collect();
                starts.sort_unstable();
                starts.dedup();
                let clash = |s: i64| -> Vec<usize> {
                    by_day[d]
                        .iter()
                        .filter(|(c, _)| facts[*c].end + rest > s)
                        .map(|(_, x)| *x)
                        .collect()
                };
                for (i, &s) in starts.iter().enumerate() {
                    let earlier = clash(s);
                    if earlier.is_empty() {
                        break;
                    }
                    if starts.get(i + 1).is_some_and(|n| clash(*n) == earlier) {
                        continue;
                    }
                    let mut terms: Vec<(usize, f64)> = earlier.iter().map(|x| (*x, 1.0)).collect();
                    terms.extend(
                        by_day[d + k]
                            .iter()
                            .filter(|(c, _)| facts[*c].start <= s)
                            .map(|(_, x)| (*x, 1.0)),
                    );
                    lp.add_row(Row {
                        name: format!("{id} rests before {}", format_timestamp(s)),
                        terms,
                        lower: f64::NEG_INFINITY,
                        upper: 1.0,
                    });
                }
            }
        }
        // Contract hours.
        let hours: Vec<(usize, f64)> = cols
            .iter()
            .map(|(c, x)| (*x, facts[*c].paid_hours))
            .collect();
        if agent.min_hours_week > 0.0 {
            let short = hour_cols(
                lp,
                format!("{id}'s hours below the minimum"),
                soft.min_hours,
            );
            let mut terms = hours.clone();
            terms.push((short, 1.0));
            lp.add_row(Row {
                name: format!("{id}'s minimum hours"),
                terms,
                lower: agent.min_hours_week,
                upper: f64::INFINITY,
            });
        }
        if agent.max_hours_week.is_finite() {
            lp.add_row(Row {
                name: format!("{id}'s maximum hours"),
                terms: hours,
                lower: f64::NEG_INFINITY,
                upper: agent.max_hours_week,
            });
        }
        let worked = |from: usize, to: usize| -> Vec<(usize, f64)> {
            by_day[from..to]
                .iter()
                .flatten()
                .map(|(_, x)| (*x, 1.0))
                .collect()
        };
        if (agent.max_days_week as usize) < days {
            lp.add_row(Row {
                name: format!("{id}'s days"),
                terms: worked(0, days),
                lower: f64::NEG_INFINITY,
                upper: f64::from(agent.max_days_week),
            });
        }
        let run = agent.max_consecutive_days as usize;
        // A run carried into the week (k days up to it, k ≤ m): the week's first
        // m + 1 − k days hold at most m − k of them worked (the window of m + 1
        // days through the week's start; those starting later are the rows below,
        // those starting earlier follow from this one). The solver picks the day.
        let carried = (agent.run_before as usize).min(run);
        if carried > 0 && run < days + carried {
            let len = (run + 1 - carried).min(days);
            lp.add_row(Row {
                name: format!("{id}'s run of {carried} days into the week"),
                terms: worked(0, len),
                lower: f64::NEG_INFINITY,
                upper: (run - carried) as f64,
            });
        }
        if run < days {
            for d in 0..days - run {
                lp.add_row(Row {
                    name: format!(
                        "{id}'s consecutive days from {}",
                        format_date(first_day + d as i32)
                    ),
                    terms: worked(d, d + run + 1),
                    lower: f64::NEG_INFINITY,
                    upper: run as f64,
                });
            }
        }
        // A single day off between two worked days costs.
        if soft.single_day_off > 0.0 {
            for d in 1..days.saturating_sub(1) {
                if by_day[d - 1].is_empty() || by_day[d + 1].is_empty() {
                    continue;
                }
                let single = hour_cols(
                    lp,
                    format!("{id} has {} alone off", format_date(first_day + d as i32)),
                    soft.single_day_off,
                );
                let mut terms: Vec<(usize, f64)> = vec![(single, 1.0)];
                terms.extend(by_day[d - 1].iter().map(|(_, x)| (*x, -1.0)));
                terms.extend(by_day[d].iter().map(|(_, x)| (*x, 1.0)));
                terms.extend(by_day[d + 1].iter().map(|(_, x)| (*x, -1.0)));
                lp.add_row(Row {
                    name: format!(
                        "{id}'s single day off on {}",
                        format_date(first_day + d as i32)
                    ),
                    terms,
                    lower: -1.0,
                    upper: f64::INFINITY,
                });
            }
        }
        // Start spread: hi ≥ each worked start, lo ≤ each worked start (a day off
        // lifts its bound by 24 h), excess ≥ hi − lo − allowed.
        let worked_days = by_day.iter().filter(|l| !l.is_empty()).count();
        if soft.start_spread > 0.0 && worked_days > 1 && agent.max_days_week > 1 {
            let hi = hour_cols(lp, format!("{id}'s latest start"), 0.0);
            let lo = hour_cols(lp, format!("{id}'s earliest start"), 0.0);
            let excess = hour_cols(
                lp,
                format!("{id}'s start spread above the maximum"),
                soft.start_spread,
            );
            for list in by_day.iter().filter(|l| !l.is_empty()) {
                let mut terms: Vec<(usize, f64)> = list
                    .iter()
                    .map(|(c, x)| (*x, -facts[*c].start_hour))
                    .collect();
                terms.push((hi, 1.0));
                lp.add_row(Row {
                    name: format!("{id}'s latest start"),
                    terms,
                    lower: 0.0,
                    upper: f64::INFINITY,
                });
                let mut terms: Vec<(usize, f64)> = list
                    .iter()
                    .map(|(c, x)| (*x, 24.0 - facts[*c].start_hour))
                    .collect();
                terms.push((lo, 1.0));
                lp.add_row(Row {
                    name: format!("{id}'s earliest start"),
                    terms,
                    lower: f64::NEG_INFINITY,
                    upper: 24.0,
                });
            }
            lp.add_row(Row {
                name: format!("{id}'s start spread"),
                terms: vec![(excess, 1.0), (hi, -1.0), (lo, 1.0)],
                lower: -f64::from(rules.max_start_spread_min) / 60.0,
                upper: f64::INFINITY,
            });
        }
    }
}

/// (start, template) → the candidate's index in `candidates`.
fn by_start(candidates: &[Candidate]) -> BTreeMap<(i64, usize), usize> {
    candidates
        .iter()
        .enumerate()
        .map(|(i, c)| ((c.start_ms, c.template), i))
        .collect()
}

impl AssignModel {
    /// (start, template) → the model's candidate index.
    fn index(&self) -> BTreeMap<(i64, usize), usize> {
        by_start(&self.demand.candidates)
    }

    /// Stage 1's shifts as (candidate index, count), in candidate (start) order;
    /// shifts outside this model's candidates are left out.
    pub(super) fn planned_counts(&self, plan: &[PlannedShift]) -> BTreeMap<usize, u32> {
        let index = self.index();
        let mut counts = BTreeMap::new();
        for s in plan {
            if let Some(&c) = index.get(&(s.start_ms, s.template)) {
                *counts.entry(c).or_default() += s.count;
            }
        }
        counts
    }

    /// The roster at a solution: each agent's shifts, the breaks of each candidate
    /// dealt out to its agents in id order.
    pub fn read(&self, values: &[f64], templates: &[ShiftTemplate]) -> Vec<AgentShift> {
        let d = &self.demand;
        let mut on: Vec<Vec<usize>> = vec![Vec::new(); d.candidates.len()];
        for (a, cols) in self.agent_columns.iter().enumerate() {
            for &(c, x) in cols {
                if values[x] > 0.5 {
                    on[c].push(a);
                }
            }
        }
        let mut out = Vec::new();
        for (c, list) in on.iter().enumerate() {
            if list.is_empty() {
                continue;
            }
            let cand = &d.candidates[c];
            let t = &templates[cand.template];
            // Per break, its placements one per agent (solution counts, in time order).
            let mut placements: Vec<Vec<i64>> = Vec::new();
            for (b, choices) in d.break_columns[c].iter().enumerate() {
                let mut at: Vec<i64> = Vec::new();
                for &(start, col) in choices {
                    for _ in 0..values[col].round().max(0.0) as usize {
                        at.push(start);
                    }
                }
                // Counts that do not match (never at a solution) fall back to the
                // window's start.
                let mid = cand.start_ms + i64::from(t.breaks[b].earliest) * 60_000;
                at.resize(list.len(), mid);
                placements.push(at);
            }
            for (k, &a) in list.iter().enumerate() {
                out.push(AgentShift {
                    agent: a,
                    template: cand.template,
                    start_ms: cand.start_ms,
                    end_ms: cand.start_ms + i64::from(t.minutes) * 60_000,
                    breaks: placements
                        .iter()
                        .enumerate()
                        .map(|(b, p)| (b, p[k]))
                        .collect(),
                });
            }
        }
        out.sort_by_key(|s| (s.agent, s.start_ms));
        out
    }
}

/// A contract class's agents (indices into the agents) and its share of stage 1's
/// plan per candidate of the model.
pub type ClassShares = (Vec<usize>, BTreeMap<usize, f64>);

/// A first assignment of agents to stage 1's plan, the longest shifts first (the
/// days interleaved): each goes to an agent whom every hard rule allows — one of
/// the contract class stage 1 gave it to while that class's share of it lasts
/// (`classes`: per class its agents and, per candidate, its share of the plan),
/// the one furthest below their minimum hours, then with the fewest hours.
/// Longest first, so the minimums are met with the long shifts and the short ones
/// fill in (in time order, the first days' short shifts went to full-timers who
/// then had no days left to reach their minimum). Returns per agent the
/// candidate indices.
pub fn greedy(
    model: &AssignModel,
    plan: &[PlannedShift],
    agents: &[Agent],
    rules: &AssignRules,
    classes: &[ClassShares],
) -> Vec<Vec<usize>> {
    let facts = &model.facts;
    let may: Vec<BTreeSet<usize>> = model
        .agent_columns
        .iter()
        .map(|cols| cols.iter().map(|(c, _)| *c).collect())
        .collect();
    let rest = i64::from(rules.rest_min) * 60_000;
    let mut taken: Vec<Vec<usize>> = vec![Vec::new(); agents.len()];
    let mut hours = vec![0.0; agents.len()];
    // One slot per shift to name, the days interleaved (each day's first slot,
    // then each day's second, …) so that scarce agents spread over the week
    // instead of filling its first days.
    // (Candidates are in start order, so each day's slots are too.)
    let mut by_day: BTreeMap<i32, Vec<usize>> = BTreeMap::new();
    for (c, count) in model.planned_counts(plan) {
        by_day
            .entry(facts[c].day)
            .or_default()
            .extend(std::iter::repeat_n(c, count as usize));
    }
    let longest = by_day.values().map(Vec::len).max().unwrap_or(0);
    let mut slots: Vec<usize> = (0..longest)
        .flat_map(|k| by_day.values().filter_map(move |v| v.get(k).copied()))
        .collect();
    // Longest first (a stable sort keeps the days interleaved).
    slots.sort_by(|a, b| facts[*b].paid_hours.total_cmp(&facts[*a].paid_hours));
    let mut class_of: Vec<Option<usize>> = vec![None; agents.len()];
    for (k, (members, _)) in classes.iter().enumerate() {
        for a in members {
            class_of[*a] = Some(k);
        }
    }
    let mut left: Vec<BTreeMap<usize, f64>> = classes.iter().map(|(_, s)| s.clone()).collect();
    for c in slots {
        let f = facts[c];
        {
            let fits = |a: usize| {
                may[a].contains(&c)
                    && may_add(
                        &agents[a],
                        facts,
                        &taken[a],
                        c,
                        hours[a],
                        rest,
                        model.first_day,
                    )
            };
            // Whether the agent's class still holds a share of this shift.
            let given = |a: usize| {
                class_of[a].is_some_and(|k| left[k].get(&c).is_some_and(|v| *v > 0.5 - 1e-9))
            };
            let best = (0..agents.len()).filter(|a| fits(*a)).min_by(|a, b| {
                let below = |a: usize| (agents[a].min_hours_week - hours[a]).max(0.0);
                given(*b)
                    .cmp(&given(*a))
                    .then(below(*b).total_cmp(&below(*a)))
                    .then(hours[*a].total_cmp(&hours[*b]))
                    .then(a.cmp(b))
            });
            let Some(a) = best else { continue };
            if let Some(k) = class_of[a]
                && let Some(v) = left[k].get_mut(&c)
            {
                *v -= 1.0;
            }
            taken[a].push(c);
            hours[a] += f.paid_hours;
        }
    }
    taken
}

/// Whether an agent working `list` (`hours` paid) may also work candidate `c`
/// (which they may work at all): within their maximum hours and days, no other
/// shift that local day or within the rest of it, runs of days within their
/// maximum (a run from the week's `first_day` continuing their `run_before`).
pub(super) fn may_add(
    agent: &Agent,
    facts: &[Facts],
    list: &[usize],
    c: usize,
    hours: f64,
    rest_ms: i64,
    first_day: i32,
) -> bool {
    let f = facts[c];
    if hours + f.paid_hours > agent.max_hours_week + 1e-9
        || list.len() as u32 >= agent.max_days_week
        || list.iter().any(|&o| {
            let g = facts[o];
            g.day == f.day || (g.end + rest_ms > f.start && f.end + rest_ms > g.start)
        })
    {
        return false;
    }
    let mut days: Vec<i32> = list.iter().map(|&o| facts[o].day).collect();
    days.push(f.day);
    days.sort_unstable();
    let first = 1 + if days[0] == first_day {
        agent.run_before
    } else {
        0
    };
    let (mut run, mut longest) = (first, first);
    for w in days.windows(2) {
        run = if w[1] == w[0] + 1 { run + 1 } else { 1 };
        longest = longest.max(run);
    }
    longest <= agent.max_consecutive_days
}

/// A continuous column equal to the sum of `of` (one row ties them): `what` names
/// both. None when `of` is empty.
fn sum_column(lp: &mut super::lp::LinearModel, what: String, of: &[usize]) -> Option<usize> {
    if of.is_empty() {
        return None;
    }
    let sum = lp.add_column(Column::continuous(what.clone(), 0.0));
    let mut terms: Vec<(usize, f64)> = of.iter().map(|x| (*x, 1.0)).collect();
    terms.push((sum, -1.0));
    lp.add_row(Row {
        name: what,
        terms,
        lower: 0.0,
        upper: 0.0,
    });
    Some(sum)
}

/// Per candidate, a column of the night-capable among its takers (`takers`: per
/// candidate, (agent, column) pairs; None where none is night-capable), for
/// night duty's rows.
fn night_capable(
    lp: &mut super::lp::LinearModel,
    agents: &[Agent],
    takers: &[Vec<(usize, usize)>],
) -> Vec<Option<usize>> {
    takers
        .iter()
        .enumerate()
        .map(|(c, list)| {
            let xs: Vec<usize> = list
                .iter()
                .filter(|(a, _)| agents[*a].nights_ok)
                .map(|(_, x)| *x)
                .collect();
            sum_column(lp, format!("night-capable agents on candidate {c}"), &xs)
        })
        .collect()
}

/// The agents grouped by skill set, for [`add_queue_rows`]: per set, per
/// candidate the columns of its members on it (`takers`: per candidate, its
/// (agent, column) pairs).
fn skill_groups(
    agents: &[Agent],
    queues: &[QueueNeed],
    takers: &[Vec<(usize, usize)>],
) -> Vec<(Vec<usize>, Vec<Vec<usize>>)> {
    let sets: Vec<Vec<usize>> = agents.iter().map(|a| skill_set(a, queues)).collect();
    let mut groups: BTreeMap<&Vec<usize>, Vec<Vec<usize>>> = BTreeMap::new();
    for set in sets.iter().filter(|s| !s.is_empty()) {
        groups
            .entry(set)
            .or_insert_with(|| vec![Vec::new(); takers.len()]);
    }
    for (c, list) in takers.iter().enumerate() {
        for &(a, x) in list {
            if let Some(on) = groups.get_mut(&sets[a]) {
                on[c].push(x);
            }
        }
    }
    groups
        .into_iter()
        .map(|(set, on)| (set.clone(), on))
        .collect()
}

/// Per queue and interval, the agents present with the queue among their skills
/// against the queue's need, short at the under weight. `groups`: per skill set,
/// per candidate the columns whose sum is that set's agents on the candidate (the
/// named model's agents, or stage 1's contract classes' shares).
fn add_queue_rows(
    lp: &mut super::lp::LinearModel,
    requirement: &Requirement,
    queues: &[QueueNeed],
    weights: &Weights,
    facts: &[Facts],
    groups: &[(Vec<usize>, Vec<Vec<usize>>)],
) -> Vec<usize> {
    let n = requirement.agents.len();
    let mut short = Vec::new();
    // Per interval, per queue: the terms of the skilled agents present.
    let mut per_cell: Vec<Vec<Vec<(usize, f64)>>> = vec![vec![Vec::new(); queues.len()]; n];
    for (set, on) in groups {
        for (c, f) in facts.iter().enumerate() {
            let Some(g) = sum_column(
                lp,
                format!("agents with skills {set:?} on candidate {c}"),
                &on[c],
            ) else {
                continue;
            };
            // The intervals the shift overlaps.
            let span = requirement.interval_ms;
            let first = ((f.start - requirement.start_ms).div_euclid(span)).max(0) as usize;
            let last = (((f.end - requirement.start_ms) + span - 1).div_euclid(span))
                .clamp(0, n as i64) as usize;
            for (i, cell) in per_cell.iter_mut().enumerate().take(last).skip(first) {
                let a = requirement.start_ms + i as i64 * requirement.interval_ms;
                let b = a + requirement.interval_ms;
                let overlap = (f.end.min(b) - f.start.max(a)).max(0);
                if overlap > 0 {
                    for &q in set {
                        cell[q].push((g, overlap as f64 / requirement.interval_ms as f64));
                    }
                }
            }
        }
    }
    let hours = requirement.interval_ms as f64 / 3_600_000.0;
    for (i, cell) in per_cell.into_iter().enumerate() {
        for (need, terms) in queues.iter().zip(cell) {
            if need.agents[i] <= 0.0 {
                continue;
            }
            let at = format_timestamp(requirement.start_ms + i as i64 * requirement.interval_ms);
            let under = lp.add_column(Column::continuous(
                format!("{} short at {at}", need.queue),
                weights.under * hours,
            ));
            short.push(under);
            let mut terms = terms;
            terms.push((under, 1.0));
            lp.add_row(Row {
                name: format!("{} covered at {at}", need.queue),
                terms,
                lower: need.agents[i],
                upper: f64::INFINITY,
            });
        }
    }
    short
}

/// Rows that hold stage 1's plan to what the agents can work at all — per
/// contract class (agents with equal minimum, maximum and days, and, where the
/// requirement names queues, equal skills; where night duty is a rule, equal
/// `nights_ok`): per local day no more of its shifts than its agents free that
/// day, no more paid hours than its maximums, no more shifts than its days, its
/// minimums' hours (short at the same weight); no more night shifts than the
/// night-capable agents' days; and, with queues, each queue's need against the
/// classes with its skill (as the named model's queue rows). Each is implied by
/// the assignment's rows, so the plan's bound stays a bound on the named roster,
/// and the plan becomes one the names can follow. With `night_duty`, returns per
/// candidate a column of the night-capable classes' shares (None: no such class
/// may work it), for the night-duty rows — unless the skills and night
/// capability would split the classes into more share columns than
/// [`FULL_MODEL_COLUMNS`]: then the classes are by contract only, without the
/// queue rows, and None is returned (night duty counts every shift).
#[allow(clippy::too_many_arguments)]
pub fn add_capacity_rows(
    model: &mut DemandModel,
    requirement: &Requirement,
    templates: &[ShiftTemplate],
    weights: &Weights,
    agents: &[Agent],
    rules: &AssignRules,
    queues: &[QueueNeed],
    zone: &Zone,
    night_duty: bool,
) -> Option<Vec<Option<usize>>> {
    let facts = facts_of(&model.candidates, templates, rules, zone);
    let days = facts.iter().map(|f| f.day).collect::<BTreeSet<_>>().len() as u32;
    // Contract classes (equal minimum, maximum and days): each class's share of
    // every shift count is a column of its own, so the plan keeps each class's
    // totals — enough long shifts for the full-timers' minimums, not only enough
    // hours in all. The shares are continuous: the relaxation stays a bound.
    type ClassKey = (u64, u64, u32, Vec<usize>, bool);
    let split = |roles: bool| {
        let mut classes: BTreeMap<ClassKey, Vec<usize>> = BTreeMap::new();
        for (a, agent) in agents.iter().enumerate() {
            let key = (
                agent.min_hours_week.to_bits(),
                agent.max_hours_week.to_bits(),
                agent.max_days_week,
                if roles && queues.len() > 1 {
                    skill_set(agent, queues)
                } else {
                    Vec::new()
                },
                roles && night_duty && agent.nights_ok,
            );
            classes.entry(key).or_default().push(a);
        }
        classes
    };
    // Split by skills and night capability too, unless that makes the shares
    // more columns than the full model may have (many skill sets): then by
    // contract only, without the queue rows and night duty's counting (the
    // bound stays a bound, only a weaker one).
    let mut classes = split(true);
    let roles = classes.len() * facts.len() <= FULL_MODEL_COLUMNS;
    if !roles {
        classes = split(false);
    }
    let cols = model.shift_columns.clone();
    let rows_before = model.lp.rows.len();
    let lp = &mut model.lp;
    let mut shares: Vec<Vec<(usize, f64)>> = vec![Vec::new(); facts.len()];
    let mut capacities = demand::Capacities::default();
    for (k, members) in classes.values().enumerate() {
        let first = &agents[members[0]];
        let mut class = demand::ClassCapacity::default();
        // Per local day: the class's shifts, and its agents free then.
        let mut on_day: BTreeMap<i32, Vec<(usize, f64)>> = BTreeMap::new();
        let mut day_able: BTreeMap<i32, BTreeSet<usize>> = BTreeMap::new();
        for (c, f) in facts.iter().enumerate() {
            let able: Vec<usize> = members
                .iter()
                .copied()
                .filter(|a| may_work(&agents[*a], f, queues))
                .collect();
            if able.is_empty() {
                continue;
            }
            let y = lp.add_column(Column::continuous(
                format!("contract class {k}'s share of candidate {c}"),
                0.0,
            ));
            shares[c].push((y, 1.0));
            class.share.insert(c, y);
            class.paid_hours.insert(c, f.paid_hours);
            on_day.entry(f.day).or_default().push((c, 1.0));
            day_able.entry(f.day).or_default().extend(able);
        }
        if class.share.is_empty() {
            continue;
        }
        // The caps, each a row over the class's shares and kept for the start.
        let n = members.len() as f64;
        let mut caps: Vec<_> = on_day
            .into_iter()
            .map(|(day, terms)| {
                (
                    format!(
                        "class {k}'s shifts on {} within its agents free then",
                        format_date(day)
                    ),
                    terms,
                    day_able[&day].len() as f64,
                )
            })
            .collect();
        caps.push((
            format!("class {k}'s shifts within its agents' days"),
            class.share.keys().map(|c| (*c, 1.0)).collect(),
            n * f64::from(first.max_days_week.min(days)),
        ));
        if first.max_hours_week.is_finite() {
            caps.push((
                format!("class {k}'s paid hours within its maximums"),
                class.paid_hours.iter().map(|(c, h)| (*c, *h)).collect(),
                n * first.max_hours_week,
            ));
        }
        for (name, terms, cap) in caps {
            lp.add_row(Row {
                name,
                terms: terms.iter().map(|(c, w)| (class.share[c], *w)).collect(),
                lower: f64::NEG_INFINITY,
                upper: cap,
            });
            class.caps.push((terms, cap));
        }
        // An agent's shortfall is at least their minimum less their hours, so the
        // class's is at least its minimums less its hours: still a bound.
        if first.min_hours_week > 0.0 {
            class.minimum = (n * first.min_hours_week, rules.soft.min_hours);
            let short = lp.add_column(Column::continuous(
                format!("class {k}'s hours below its minimums"),
                rules.soft.min_hours,
            ));
            let mut terms: Vec<(usize, f64)> = class
                .paid_hours
                .iter()
                .map(|(c, h)| (class.share[c], *h))
                .collect();
            terms.push((short, 1.0));
            lp.add_row(Row {
                name: format!("class {k}'s paid hours up to its minimums"),
                terms,
                lower: n * first.min_hours_week,
                upper: f64::INFINITY,
            });
        }
        class.members = members.clone();
        capacities.classes.push(class);
    }
    for (c, mut terms) in shares.into_iter().enumerate() {
        if terms.is_empty() {
            // Nobody may work it.
            lp.columns[cols[c]].upper = 0.0;
            continue;
        }
        terms.push((cols[c], -1.0));
        lp.add_row(Row {
            name: format!("candidate {c} split by contract class"),
            terms,
            lower: 0.0,
            upper: 0.0,
        });
    }
    let night: Vec<usize> = (0..facts.len()).filter(|c| facts[*c].night).collect();
    if !night.is_empty() {
        let able = agents
            .iter()
            .filter(|a| night.iter().any(|c| may_work(a, &facts[*c], queues)));
        let cap: f64 = able.map(|a| f64::from(a.max_days_week.min(7))).sum();
        lp.add_row(Row {
            name: "night shifts within the night-capable agents' days".into(),
            terms: night.iter().map(|c| (cols[*c], 1.0)).collect(),
            lower: f64::NEG_INFINITY,
            upper: cap,
        });
        capacities.totals.push((night, cap));
    }
    capacities.rows = lp.rows.len() - rows_before;
    capacities.day = facts.iter().map(|f| f.day).collect();
    // Split by roles, a class's members share their skills and nights_ok: its
    // first member speaks for it. Per candidate, (that member, the class's
    // share) stand as the named model's (agent, column) takers.
    let mut takers: Vec<Vec<(usize, usize)>> = vec![Vec::new(); facts.len()];
    for class in &capacities.classes {
        for (c, y) in &class.share {
            takers[*c].push((class.members[0], *y));
        }
    }
    if roles && queues.len() > 1 {
        let groups = skill_groups(agents, queues, &takers);
        add_queue_rows(lp, requirement, queues, weights, &facts, &groups);
    }
    let night = (roles && night_duty).then(|| night_capable(lp, agents, &takers));
    model.capacities = capacities;
    night
}

/// Stage 1's model for the named roster: the plan's, with the contract
/// classes' capacity rows ([`add_capacity_rows`]) and the duty rows, night duty
/// counting the night-capable classes' shares. Every row is implied by the
/// named model's, so its relaxation bounds the named roster from below.
#[allow(clippy::too_many_arguments)]
pub fn stage_one(
    requirement: &Requirement,
    queues: &[QueueNeed],
    templates: &[ShiftTemplate],
    weights: &Weights,
    agents: &[Agent],
    rules: &AssignRules,
    duty_rules: &DutyRules,
    zone: &Zone,
    candidates: Vec<Candidate>,
) -> Result<DemandModel, RosterError> {
    let mut stage1 = demand::build_for(requirement, templates, weights, candidates)?;
    let night = add_capacity_rows(
        &mut stage1,
        requirement,
        templates,
        weights,
        agents,
        rules,
        queues,
        zone,
        duty_rules.night_duty.is_some(),
    );
    duty::add_rows(
        &mut stage1,
        requirement,
        templates,
        duty_rules,
        zone,
        night.as_deref(),
        1e4,
    );
    Ok(stage1)
}

/// Agents on stage 1's shifts by a small MILP of its own: one binary per (agent,
/// planned shift they may work), at most the plan's count per shift, every
/// per-agent rule of the full model; it maximises the paid hours filled (valued
/// at the under-coverage weight) less the soft rules' penalties. Much smaller
/// than the full model (no coverage or break rows), it names the plan well within
/// seconds; the full model then starts from it. Returns per agent the candidate
/// indices of `model`.
#[allow(clippy::too_many_arguments)]
pub fn assign_to_plan(
    model: &AssignModel,
    requirement: &Requirement,
    plan: &[PlannedShift],
    agents: &[Agent],
    templates: &[ShiftTemplate],
    weights: &Weights,
    rules: &AssignRules,
    duty_rules: &DutyRules,
    queues: &[QueueNeed],
    zone: &Zone,
    options: &SolveOptions,
    classes: &[ClassShares],
) -> Result<Vec<Vec<usize>>, RosterError> {
    let d = &model.demand;
    let facts = &model.facts;
    let counts = model.planned_counts(plan);
    let mut lp = super::lp::LinearModel::default();
    let mut cols: Vec<Vec<(usize, usize)>> = vec![Vec::new(); agents.len()];
    let mut per_slot: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (a, agent) in agents.iter().enumerate() {
        for &(c, _) in &model.agent_columns[a] {
            if !counts.contains_key(&c) {
                continue;
            }
            let name = &templates[d.candidates[c].template].name;
            let x = lp.add_column(Column {
                name: format!(
                    "{} works {name} at {}",
                    agent.id,
                    format_timestamp(facts[c].start)
                ),
                cost: -weights.under * facts[c].paid_hours
                    + preference_cost(agent, &facts[c], name, &rules.soft),
                lower: 0.0,
                upper: 1.0,
                integer: true,
            });
            cols[a].push((c, x));
            per_slot.entry(c).or_default().push(x);
        }
    }
    for (c, xs) in &per_slot {
        lp.add_row(Row {
            name: format!("planned {}", d.candidates[*c].start_ms),
            terms: xs.iter().map(|x| (*x, 1.0)).collect(),
            lower: f64::NEG_INFINITY,
            upper: f64::from(counts[c]),
        });
    }
    // The duty rules by presence (breaks are not placed here): who is on the
    // planned shifts must keep the desk staffed, and nights to the night-capable.
    if duty_rules.any() {
        let grid = d.grid_ms;
        let (from, to) = (requirement.start_ms, requirement.end_ms());
        let mut t = from;
        while t < to {
            let (work, night) = duty_rules.needed_at(t, zone);
            for (need, nights_only, what) in [(work, false, "on work"), (night, true, "night duty")]
            {
                if need == 0 {
                    continue;
                }
                let mut terms: Vec<(usize, f64)> = Vec::new();
                for (a, list) in cols.iter().enumerate() {
                    if nights_only && !agents[a].nights_ok {
                        continue;
                    }
                    for &(c, x) in list {
                        if facts[c].start <= t && t < facts[c].end {
                            terms.push((x, 1.0));
                        }
                    }
                }
                let slack = lp.add_column(Column::continuous(
                    format!("{what} short at {}", format_timestamp(t)),
                    duty_rules.weight * grid as f64 / 3_600_000.0,
                ));
                terms.push((slack, 1.0));
                lp.add_row(Row {
                    name: format!("{what} at {}", format_timestamp(t)),
                    terms,
                    lower: f64::from(need),
                    upper: f64::INFINITY,
                });
            }
            t += grid;
        }
    }
    // The queues as in the full model: who takes a planned shift decides which
    // queues it covers. (In the demo's week this MILP does not better the greedy
    // start in its time, with or without these rows; the fix-and-optimise
    // after the search is what mends the names there.)
    if queues.len() > 1 {
        let mut takers: Vec<Vec<(usize, usize)>> = vec![Vec::new(); facts.len()];
        for (a, list) in cols.iter().enumerate() {
            for &(c, x) in list {
                takers[c].push((a, x));
            }
        }
        let groups = skill_groups(agents, queues, &takers);
        add_queue_rows(&mut lp, requirement, queues, weights, facts, &groups);
    }
    let (first_day, days) = local_days(requirement, zone);
    add_agent_rows(&mut lp, agents, facts, &cols, rules, first_day, days);
    // The greedy names, completed (slacks, spreads) with the names fixed, start the
    // search: the answer is never worse than the greedy one.
    let first = greedy(model, plan, agents, rules, classes);
    let start = with_names_fixed(&lp, &cols, &first)
        .relaxed()
        .solve(options, None)
        .ok()
        .map(|s| s.values);
    let solution = lp.solve(options, start.as_deref())?;
    Ok(cols
        .iter()
        .map(|list| {
            list.iter()
                .filter(|(_, x)| solution.values[*x] > 0.5)
                .map(|(c, _)| *c)
                .collect()
        })
        .collect())
}

/// The named roster and how it was found.
#[derive(Debug, Clone)]
pub struct NamedRoster {
    /// The shifts, by agent then start.
    pub shifts: Vec<AgentShift>,
    /// Stage 1's solve (its bound bounds the whole problem from below).
    pub plan: ShiftPlan,
    /// Stage 2's solve.
    pub solution: LpSolution,
    /// Candidates stage 2 chose among (all, or stage 1's and their neighbours).
    pub candidates: Vec<Candidate>,
    /// Whether stage 2 saw every candidate (then its own bound is valid too).
    pub all_candidates: bool,
    /// The best lower bound on the objective proven for the whole problem.
    pub bound: f64,
    /// (objective − bound) ÷ objective.
    pub gap: f64,
    /// Wall time of both stages, s.
    pub seconds: f64,
    /// The objective's terms the roster's files do not recount, by the model's
    /// own count: the queues left short, the duty rules' slacks.
    pub model_terms: ModelTerms,
    /// Per fairness rule (weekend, night), per agent, whether the agent is
    /// counted in its mean: the model's agents with a shift of its kind they
    /// may work.
    pub fair_able: [Vec<bool>; 2],
}

/// The named model's objective terms of its per-queue and duty rows.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct ModelTerms {
    /// Σ over the queue rows' slacks: `under` per agent-hour a queue is short.
    pub queues: f64,
    /// Σ over the duty rows' slacks (on work, night duty, handovers).
    pub duty: f64,
}

/// Per fairness rule, per agent, whether the model counts them in the rule's
/// mean: whether any of their columns `agent_columns[a]` (candidate, column)
/// is a shift of the rule's kind. The fairness rows and the summary's recount
/// (`NamedRoster::fair_able`) both read it.
fn fair_able(agent_columns: &[Vec<(usize, usize)>], facts: &[Facts]) -> [Vec<bool>; 2] {
    FAIR_KINDS.map(|pick| {
        agent_columns
            .iter()
            .map(|cols| cols.iter().any(|(c, _)| pick(&facts[*c])))
            .collect()
    })
}

impl ModelTerms {
    /// The terms of `model` at its columns' `values`.
    fn of(model: &AssignModel, values: &[f64]) -> ModelTerms {
        let lp = &model.demand.lp;
        let sum = |cols: &mut dyn Iterator<Item = usize>| -> f64 {
            cols.map(|c| lp.columns[c].cost * values.get(c).copied().unwrap_or(0.0))
                .sum::<f64>()
                + 0.0
        };
        let d = &model.duty;
        ModelTerms {
            queues: sum(&mut model.queue_short.iter().copied()),
            duty: sum(&mut d
                .on_work
                .iter()
                .chain(&d.night)
                .chain(&d.handover)
                .map(|(_, c)| *c)),
        }
    }
}

/// At most this many (agent, shift) columns before stage 2 narrows the shifts to
/// stage 1's and their neighbouring starts.
pub const FULL_MODEL_COLUMNS: usize = 60_000;

/// Both stages: the shift plan (duty rules included), then named agents on the
/// plan's shifts ([`assign_to_plan`], started from [`greedy`]), improved by a
/// local search over every candidate, then the full model (over every candidate
/// when it stays small, else the plan's and the search's shifts and their
/// neighbours) started from the better of the two. The time limit is shared: a
/// third for the plan, up to 0.1 of the rest for naming the plan, up to 0.15 of
/// the limit for the search, then, where the model sees every shift, 60 % of
/// what is left to fix and optimise ([`super::lns`]) and the rest for the full
/// model. At size (narrowed) the
/// plan has a sixth, the weeks come from [`super::columns`] (priced until 55 %
/// of the limit, whole by 70 %), and the search takes the rest but 8 %.
#[allow(clippy::too_many_arguments)]
pub fn solve_named(
    requirement: &Requirement,
    queues: &[QueueNeed],
    templates: &[ShiftTemplate],
    weights: &Weights,
    agents: &[Agent],
    rules: &AssignRules,
    duty_rules: &DutyRules,
    zone: &Zone,
    options: &SolveOptions,
) -> Result<NamedRoster, RosterError> {
    let started = Instant::now();
    for t in templates {
        t.check()?;
    }
    let all = demand::candidates(requirement, templates, zone);
    check_agents(
        agents,
        &all,
        templates,
        rules,
        queues,
        zone,
        local_days(requirement, zone).0,
    )?;
    let stage1 = stage_one(
        requirement,
        queues,
        templates,
        weights,
        agents,
        rules,
        duty_rules,
        zone,
        all.clone(),
    )?;
    let full = all.len() * agents.len() <= FULL_MODEL_COLUMNS;
    // At size (without duty rules) the weeks come from `roster::columns`, which
    // takes the time; stage 1 gives the bound (its root) and the shifts the
    // model is narrowed to.
    let by_columns = !full && !duty_rules.any();
    let first = SolveOptions {
        time_limit_s: options.time_limit_s / if by_columns { 6.0 } else { 3.0 },
        max_nodes: options.max_nodes.map(|n| n / 3),
        ..*options
    };
    let plan = stage1.solve(templates, &first)?;
    let all_facts = facts_of(&all, templates, rules, zone);
    // Narrowed (at size), the fairness rules' whole numbers in a bound of their
    // own (`roster::floor`), its relaxations solved beside the rest on a thread
    // of their own once stage 1 is done (at size five of ~1 s each; beside stage
    // 1 they slowed it: plan gap 5.5 % against 2.5 %), done by 85 % of the limit.
    let floor = (!full && rules.soft.fairness > 0.0 && options.max_nodes.is_none()).then(|| {
        let kinds = FAIR_KINDS.map(|pick| {
            (0..all.len())
                .filter(|c| pick(&all_facts[*c]))
                .map(|c| stage1.shift_columns[c])
                .collect::<Vec<usize>>()
        });
        let lp = stage1.lp.clone();
        let step = (agents.len() as f64 / 20.0).round().max(1.0);
        let deadline = started + std::time::Duration::from_secs_f64(options.time_limit_s * 0.85);
        // Day patterns (`roster::patterns`): the weekend rule's segments, solved
        // after the profiles.
        let weeks = pattern_classes(
            &stage1,
            agents,
            &all_facts,
            queues,
            rules,
            local_days(requirement, zone),
        );
        std::thread::spawn(move || {
            let profiles = super::floor::profiles(&lp, kinds, step, deadline)?;
            let segments = weeks.map(|(classes, week)| {
                let able = super::patterns::weekend_able(&classes, &week);
                let at = profiles[0].at;
                let cut = super::patterns::segments(&lp, &classes, &week, at, 3.0 * step, deadline);
                (able, cut)
            });
            Some((profiles, segments))
        })
    });
    let candidates: Vec<Candidate> = if full {
        all.clone()
    } else {
        // The plan's shifts and the template's next start before and after each.
        let mut keep = BTreeSet::new();
        for s in &plan.shifts {
            let t = &templates[s.template];
            let i = all
                .iter()
                .position(|c| c.template == s.template && c.start_ms == s.start_ms);
            if let Some(i) = i {
                keep.insert(i);
                let near = |j: usize| {
                    all[j].template == s.template
                        && (all[j].start_ms - s.start_ms).abs() < i64::from(t.minutes) * 60_000 / 4
                };
                if let Some(j) = (0..i).rev().find(|j| all[*j].template == s.template)
                    && near(j)
                {
                    keep.insert(j);
                }
                if let Some(j) = (i + 1..all.len()).find(|j| all[*j].template == s.template)
                    && near(j)
                {
                    keep.insert(j);
                }
            }
        }
        keep.into_iter().map(|i| all[i]).collect()
    };
    let spent = started.elapsed().as_secs_f64();
    let left = (options.time_limit_s - spent).max(options.time_limit_s / 3.0);
    let grid = demand::grid_ms(requirement, templates, &all);
    // At size (narrowed), the weeks as columns (`roster::columns`): priced
    // until 58 % of the limit, dived to whole numbers until 73 % (at size, of
    // 45/60, 50/65, 55/70, 60/72 and 65/80 %, 55/70 gave the lowest roster:
    // 11 132 against 11 224–11 291; later the search settled in ~4 s and its
    // last ~3 s of perturbation never gained, and the roster turned on whether
    // the pricing's 27th round (~0.8 s of master) ended by 55 %: 11 113 with it,
    // 11 203 without; 58/73 gave 11 100–11 113 at 29–32 s, 60/75 11 230 once,
    // the search cut short. Later, the machine slower, 55/70 and 58/73 side by
    // side gave the same, 11 195–11 203, four runs each); with a node limit
    // (repeatable runs) 25 rounds and no clock. Not under duty rules: the
    // weeks' master does not see them, where stage 1's plan, named below, does.
    let columns = if !by_columns {
        None
    } else {
        let at = |share: f64| {
            options
                .max_nodes
                .is_none()
                .then(|| started + std::time::Duration::from_secs_f64(options.time_limit_s * share))
        };
        super::columns::weeks_by_columns(
            requirement,
            queues,
            templates,
            weights,
            agents,
            rules,
            &all,
            &all_facts,
            grid,
            local_days(requirement, zone),
            fair_means(&plan.shifts, &all, &all_facts, agents, queues, rules),
            &super::columns::Limits {
                columns_until: at(0.58),
                dive_until: at(0.73),
                prune_at: super::columns::PRUNE_AT,
                max_rounds: if options.max_nodes.is_some() {
                    25
                } else {
                    usize::MAX
                },
            },
        )
    };
    // Without a plan (stage 1 stopped before its first, as on a busy machine),
    // the shifts of the columns' weeks, else every candidate (at size a model
    // too large to complete in the time).
    let candidates = match &columns {
        Some(c) if candidates.is_empty() => {
            let taken: BTreeSet<usize> = c.weeks.iter().flatten().copied().collect();
            taken.into_iter().map(|i| all[i]).collect()
        }
        _ => candidates,
    };
    let candidates = if candidates.is_empty() {
        all.clone()
    } else {
        candidates
    };
    let build_over = |candidates: Vec<Candidate>| {
        build(
            requirement,
            queues,
            templates,
            weights,
            agents,
            rules,
            duty_rules,
            zone,
            candidates,
        )
    };
    let model = build_over(candidates)?;
    // Each contract class's share of the plan, per candidate of the model: the
    // first names follow it.
    let in_model = model.index();
    let classes: Vec<ClassShares> = stage1
        .capacities
        .classes
        .iter()
        .map(|class| {
            let shares = class
                .share
                .iter()
                .filter_map(|(c, col)| {
                    let share = plan.solution.values[*col];
                    let at = in_model.get(&(all[*c].start_ms, all[*c].template))?;
                    (share > 1e-6).then_some((*at, share))
                })
                .collect();
            (class.members.clone(), shares)
        })
        .collect();
    // Names on the plan: when the model sees every shift, the assignment MILP
    // (started from the greedy names); at size (narrowed) the weeks as columns
    // above, or, where those are not used, the weeks built one agent at a time
    // (`roster::weeks`) — there the MILP spent a fifth of the limit (8.6 s of
    // 30) without bettering its start, time the local search below puts to use.
    let taken = if columns.is_some() {
        Vec::new()
    } else if full {
        assign_to_plan(
            &model,
            requirement,
            &plan.shifts,
            agents,
            templates,
            weights,
            rules,
            duty_rules,
            queues,
            zone,
            &SolveOptions {
                time_limit_s: left * 0.1,
                mip_gap: 1e-3,
                max_nodes: options.max_nodes.map(|n| n / 3),
                ..*options
            },
            &classes,
        )
        .unwrap_or_else(|_| greedy(&model, &plan.shifts, agents, rules, &classes))
    } else {
        let (first_day, days) = local_days(requirement, zone);
        super::weeks::weeks_from_plan(
            &model,
            &plan.shifts,
            agents,
            rules,
            weights,
            &classes,
            templates,
            first_day,
            days,
            Instant::now() + std::time::Duration::from_secs_f64(options.time_limit_s / 10.0),
        )
    };
    // Names on the plan that reach stage 1's bound (which holds for every named
    // roster) are optimal: no search or full model can better them. Checked when
    // the model sees every shift (small instances, where it is cheap); else that
    // completion is kept as the named plan's answer below (the model, seeing
    // every shift already, stays as it is).
    let mut named_plan = None;
    if full {
        let named = with_names_fixed(&model.demand.lp, &model.agent_columns, &taken)
            .solve(
                &SolveOptions {
                    time_limit_s: left / 10.0,
                    mip_gap: 1e-6,
                    max_nodes: options.max_nodes.map(|n| n / 3),
                    ..*options
                },
                None,
            )
            .ok();
        match named {
            Some(solution)
                if solution.status == super::lp::SolveStatus::Optimal
                    && solution.objective
                        <= plan.solution.bound + 1e-6 * solution.objective.abs().max(1.0) =>
            {
                let bound = plan.solution.bound.min(solution.objective);
                return Ok(NamedRoster {
                    model_terms: ModelTerms::of(&model, &solution.values),
                    fair_able: fair_able(&model.agent_columns, &model.facts),
                    shifts: model.read(&solution.values, templates),
                    plan,
                    solution: LpSolution {
                        bound,
                        gap: 0.0,
                        ..solution
                    },
                    candidates: model.demand.candidates.clone(),
                    all_candidates: full,
                    bound,
                    gap: 0.0,
                    seconds: started.elapsed().as_secs_f64(),
                });
            }
            other => named_plan = other,
        }
    }
    // The local search over every candidate (the plan's shifts are not the only
    // ones an agent may take); the model then holds the shifts it chose as well.
    let key = |c: &Candidate| (c.start_ms, c.template);
    let in_all: BTreeMap<(i64, usize), usize> =
        all.iter().enumerate().map(|(i, c)| (key(c), i)).collect();
    let before: Vec<Vec<usize>> = match &columns {
        Some(c) => c.weeks.clone(),
        None => taken
            .iter()
            .map(|list| {
                list.iter()
                    .map(|c| in_all[&key(&model.demand.candidates[*c])])
                    .collect()
            })
            .collect(),
    };
    // The model over its candidates and the shifts of `names` it lacks (the
    // model changes, so the named plan is completed again).
    let widen = |model: AssignModel, names: &[Vec<usize>]| -> Result<AssignModel, RosterError> {
        let known = model.index();
        let extra: BTreeSet<usize> = names
            .iter()
            .flatten()
            .copied()
            .filter(|c| !known.contains_key(&key(&all[*c])))
            .collect();
        if extra.is_empty() {
            return Ok(model);
        }
        let mut union: Vec<Candidate> = model.demand.candidates.clone();
        union.extend(extra.iter().map(|c| all[*c]));
        union.sort_by_key(key);
        build_over(union)
    };
    // Names (per agent, indices into `all`) completed with the names fixed on
    // `model`: breaks placed and slacks set by the solver.
    let complete = |model: &AssignModel, names: &[Vec<usize>], time_limit_s: f64| {
        let in_model = model.index();
        let names: Vec<Vec<usize>> = names
            .iter()
            .map(|list| list.iter().map(|c| in_model[&key(&all[*c])]).collect())
            .collect();
        with_names_fixed(&model.demand.lp, &model.agent_columns, &names)
            .solve(
                &SolveOptions {
                    time_limit_s,
                    // Narrowed, the completion is the answer: to 1e-4 (at 1e-2
                    // the solver returned 11 286 at size for names the search
                    // had at 11 176; 0.4 s either way). Else it starts the full
                    // model, which takes the time that is left.
                    mip_gap: if full { 1e-2 } else { 1e-4 },
                    max_nodes: options.max_nodes.map(|n| n / 3),
                    ..*options
                },
                None,
            )
            .ok()
    };
    // Narrowed, the weeks found so far completed first: the search starts from
    // the solver's breaks (its own, placed one at a time, left 14–16 agent-hours
    // more under-coverage on the dive's weeks at size — 1 500 in the objective —
    // and the search, misled, ended above where it started).
    let model = if full { model } else { widen(model, &before)? };
    if !full && named_plan.is_none() {
        named_plan = complete(&model, &before, left / 10.0);
    }
    let placed = named_plan
        .as_ref()
        .filter(|_| !full)
        .map(|s| model.read(&s.values, templates))
        .unwrap_or_default();
    let after = super::improve::improve(
        requirement,
        queues,
        templates,
        weights,
        agents,
        rules,
        zone,
        &all,
        &all_facts,
        &before,
        &placed,
        grid,
        // The search settles by itself; when the full model is narrowed (at size
        // it cannot even finish its relaxation in the time, and the search is
        // what improves the roster) it then perturbs until all but the time kept
        // to complete its answer (8 % of the limit, at least 1.5 s: 1 s at size);
        // else the model, which sees every shift, takes over after 15 % of the
        // limit at most. A node limit (reproducible runs) gives it
        // the limit's work instead.
        !full,
        !full,
        Instant::now()
            + std::time::Duration::from_secs_f64(if options.max_nodes.is_some() {
                options.time_limit_s
            } else if full {
                options.time_limit_s * 0.15
            } else {
                (options.time_limit_s * 0.15).max(
                    options.time_limit_s
                        - started.elapsed().as_secs_f64()
                        - (options.time_limit_s * 0.08).max(1.5),
                )
            }),
    );
    let size = model.demand.candidates.len();
    let model = widen(model, &after)?;
    // The first names' completed objective: the same names complete to the
    // same on the widened model (its added shifts are not theirs), so they are
    // completed there again only when they would win (at size the search
    // always won, and that second completion was 0.6–1.0 s past its end).
    let before_objective = named_plan.as_ref().map(|s| s.objective);
    if model.demand.candidates.len() != size {
        named_plan = None;
    }
    let candidates = model.demand.candidates.clone();
    // Each answer completed with the names fixed; the lower objective starts the
    // full model (the search's own objective does not see every row).
    let mut start = complete(&model, &after, left / 10.0);
    if start.is_none() && !full {
        // On a busy machine the completion can outlast its tenth; narrowed,
        // the full model below would not do better: the time left, at least a
        // tenth of the limit, rather than no roster.
        start = complete(
            &model,
            &after,
            (options.time_limit_s - started.elapsed().as_secs_f64())
                .max(options.time_limit_s / 10.0),
        );
    }
    if after != before {
        let found = start.as_ref().map_or(f64::INFINITY, |s| s.objective);
        let old = match (named_plan, before_objective) {
            (Some(plan), _) => Some(plan),
            (None, Some(o)) if o >= found => None,
            _ => complete(&model, &before, left / 10.0),
        };
        if old.as_ref().map_or(f64::INFINITY, |s| s.objective)
            < start.as_ref().map_or(f64::INFINITY, |s| s.objective)
        {
            start = old;
        }
    }
    let solution = match start {
        // Narrowed (at size), the full model cannot finish its presolve in the
        // seconds left (3.2 s at size without a node): the completed answer is
        // the roster, stopped by the time limit with stage 1's bound.
        Some(done) if !full => LpSolution {
            status: if options.max_nodes.is_some() {
                super::lp::SolveStatus::NodeLimit
            } else {
                super::lp::SolveStatus::TimeLimit
            },
            seconds: started.elapsed().as_secs_f64(),
            ..done
        },
        start => {
            // Fix and optimise first (`roster::lns`): the agents who share a
            // scarce role (night duty, a queue) freed a few at a time, then
            // random few, the rest fixed — until 85 % of the time left or a
            // round without a gain. The whole model then takes the rest from
            // the best of it (small instances: where it proves the optimum; in
            // the demo's week it never bettered the start, so 60 % gave it time
            // the fix and optimise would have used: 90 765 → 89 725 at 30 s
            // without --previous, 91 244–92 978 → 89 570 with it).
            let start = match start {
                Some(s) if full => {
                    // Nothing left when the stages before ran over (a tight
                    // limit): a negative length would panic.
                    let left = (options.time_limit_s - started.elapsed().as_secs_f64()).max(0.0);
                    let (best, _) = super::lns::improve(
                        &model.demand.lp,
                        &model.agent_columns,
                        s,
                        &scarce_neighbourhoods(agents, queues, duty_rules),
                        &SolveOptions {
                            max_nodes: options.max_nodes.map(|n| (n / 10).max(1)),
                            ..*options
                        },
                        if options.max_nodes.is_some() {
                            options.time_limit_s
                        } else {
                            1.0
                        },
                        // Under a node limit the limit's time is only a cap,
                        // less the twentieth the whole model is given at least
                        // below (it ran to the limit, then that twentieth: 31.0 s
                        // for the demo's week at 30 s with max_nodes = 500).
                        if options.max_nodes.is_some() {
                            started
                                + std::time::Duration::from_secs_f64(options.time_limit_s * 0.95)
                        } else {
                            Instant::now() + std::time::Duration::from_secs_f64(left * 0.85)
                        },
                    );
                    Some(best)
                }
                other => other,
            };
            let second = SolveOptions {
                time_limit_s: (options.time_limit_s - started.elapsed().as_secs_f64())
                    .max(options.time_limit_s / 20.0),
                max_nodes: options.max_nodes.map(|n| n / 3),
                ..*options
            };
            let values = start.as_ref().map(|s| s.values.clone());
            let whole = model.demand.lp.solve(&second, values.as_deref());
            // The solver returns its best, which may be the start; a start
            // better than what it returns is kept (with the solver's bound). A
            // solve that fails keeps the start, with no bound of its own (the
            // start's is its fixed model's, no bound on the whole).
            match (start, whole) {
                (Some(s), Ok(whole)) if s.objective < whole.objective - 1e-9 => LpSolution {
                    values: s.values,
                    objective: s.objective,
                    gap: super::lp::relative_gap(s.objective, whole.bound),
                    ..whole
                },
                (_, Ok(whole)) => whole,
                (Some(s), Err(_)) => LpSolution {
                    status: super::lp::SolveStatus::TimeLimit,
                    bound: f64::NEG_INFINITY,
                    gap: 1.0,
                    seconds: started.elapsed().as_secs_f64(),
                    ..s
                },
                (None, Err(e)) => return Err(e.into()),
            }
        }
    };
    let shifts = model.read(&solution.values, templates);
    let mut bound = plan.solution.bound;
    if let Some(c) = &columns {
        bound = bound.max(c.bound);
    }
    if full {
        bound = bound.max(solution.bound);
    }
    if let Some((profiles, segments)) = floor.and_then(|h| h.join().ok().flatten()) {
        bound = bound.max(fairness_floor(
            &model,
            agents,
            rules,
            &profiles,
            segments.as_ref(),
        ));
    }
    let bound = bound.min(solution.objective);
    let gap = super::lp::relative_gap(solution.objective, bound);
    Ok(NamedRoster {
        model_terms: ModelTerms::of(&model, &solution.values),
        fair_able: fair_able(&model.agent_columns, &model.facts),
        shifts,
        plan,
        solution,
        candidates,
        all_candidates: full,
        bound,
        gap,
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// The fix-and-optimise neighbourhoods of [`super::lns`]: the night-capable
/// agents when night duty is a rule, each queue's skilled agents when the
/// requirement names queues, then as many random sets as there are agents.
fn scarce_neighbourhoods(
    agents: &[Agent],
    queues: &[QueueNeed],
    duty_rules: &DutyRules,
) -> Vec<Vec<usize>> {
    let mut groups: Vec<Vec<usize>> = Vec::new();
    if duty_rules.night_duty.is_some() {
        groups.push((0..agents.len()).filter(|a| agents[*a].nights_ok).collect());
    }
    if queues.len() > 1 {
        for q in 0..queues.len() {
            groups.push(
                (0..agents.len())
                    .filter(|a| skill_set(&agents[*a], queues).contains(&q))
                    .collect(),
            );
        }
    }
    super::lns::neighbourhoods(agents.len(), &groups, agents.len())
}

/// The shifts each fairness rule counts: weekend, night (the model's rows, the
/// local search's terms and the fairness floor alike).
pub(super) const FAIR_KINDS: [fn(&Facts) -> bool; 2] = [|f| f.weekend, |f| f.night];

/// The fairness floor (`roster::floor`) for `model`'s objective: who may work
/// weekend and night shifts there (the fairness rows' agents), and at most how
/// many such shifts they can work (one a local day, their days a week); with the
/// day patterns' weekend segments when they counted the same agents in the mean.
fn fairness_floor(
    model: &AssignModel,
    agents: &[Agent],
    rules: &AssignRules,
    profiles: &[super::floor::Profile; 2],
    segments: Option<&(f64, Vec<super::patterns::Segment>)>,
) -> f64 {
    let mut able = [0u64; 2];
    let mut most = [0u64; 2];
    for (k, pick) in FAIR_KINDS.into_iter().enumerate() {
        for (a, cols) in model.agent_columns.iter().enumerate() {
            let days: BTreeSet<i32> = cols
                .iter()
                .filter(|(c, _)| pick(&model.facts[*c]))
                .map(|(c, _)| model.facts[*c].day)
                .collect();
            if !days.is_empty() {
                able[k] += 1;
                most[k] += (days.len() as u64).min(u64::from(agents[a].max_days_week));
            }
        }
    }
    let segments = match segments {
        Some((n, cut)) if *n == able[0] as f64 => cut.as_slice(),
        _ => &[],
    };
    super::floor::bound(profiles, able, most, rules.soft.fairness, segments)
}

/// The fairness rules' means as stage 1's `plan` has them: its weekend (night)
/// shifts over the agents who may work one (None without fairness or such
/// agents).
fn fair_means(
    plan: &[PlannedShift],
    all: &[Candidate],
    facts: &[Facts],
    agents: &[Agent],
    queues: &[QueueNeed],
    rules: &AssignRules,
) -> [Option<f64>; 2] {
    let at = by_start(all);
    FAIR_KINDS.map(|pick| {
        let total: f64 = plan
            .iter()
            .filter(|s| {
                at.get(&(s.start_ms, s.template))
                    .is_some_and(|c| pick(&facts[*c]))
            })
            .map(|s| f64::from(s.count))
            .sum();
        let able = agents
            .iter()
            .filter(|a| (0..all.len()).any(|c| pick(&facts[c]) && may_work(a, &facts[c], queues)))
            .count();
        (rules.soft.fairness > 0.0 && able >= 2).then(|| total / able as f64)
    })
}

/// Stage 1's contract classes as `roster::patterns` sees them: each class's
/// share columns by day, its agents grouped by the days they may work and their
/// limits. None when a shift starts outside the week's days, or the week is too
/// long for a pattern's bits or its groups' patterns too many.
fn pattern_classes(
    stage1: &DemandModel,
    agents: &[Agent],
    facts: &[Facts],
    queues: &[QueueNeed],
    rules: &AssignRules,
    (first_day, days): (i32, usize),
) -> Option<(Vec<super::patterns::Class>, super::patterns::Week)> {
    use super::patterns::{Class, Group, Week};
    if days > 16 {
        return None;
    }
    let index = |day: i32| -> Option<usize> {
        let d = day - first_day;
        (0..days as i32).contains(&d).then_some(d as usize)
    };
    let mut classes = Vec::new();
    for class in &stage1.capacities.classes {
        let mut shares = vec![Vec::new(); days];
        for (c, y) in &class.share {
            shares[index(facts[*c].day)?].push((*y, facts[*c].paid_hours));
        }
        let mut groups: BTreeMap<(u32, u32, u32, u64, u32), f64> = BTreeMap::new();
        for &a in &class.members {
            let agent = &agents[a];
            let workable = class
                .share
                .keys()
                .filter(|c| may_work(agent, &facts[**c], queues))
                .map(|c| 1u32 << index(facts[*c].day).unwrap_or(0))
                .fold(0, |m, b| m | b);
            let preferred_off = (0..days)
                .filter(|d| prefers_off(agent, first_day + *d as i32))
                .map(|d| 1u32 << d)
                .fold(0, |m, b| m | b);
            let key = (
                workable,
                agent.max_days_week,
                agent.max_consecutive_days,
                agent.max_hours_week.to_bits(),
                preferred_off,
            );
            *groups.entry(key).or_default() += 1.0;
        }
        classes.push(Class {
            shares,
            groups: groups
                .into_iter()
                .map(
                    |((workable, max_days, max_run, hours, preferred_off), size)| Group {
                        size,
                        workable,
                        max_days,
                        max_run,
                        max_hours: f64::from_bits(hours),
                        preferred_off,
                    },
                )
                .collect(),
        });
    }
    let week = Week {
        weekend: (0..days)
            .map(|d| weekday(first_day + d as i32) >= 5)
            .collect(),
        single_day_off: rules.soft.single_day_off,
        preference: rules.soft.preference,
        fairness: rules.soft.fairness,
    };
    // Every subset of a group's days is a column: many groups of long weeks
    // would make a model larger than the full model may be (then no patterns).
    let columns: usize = classes
        .iter()
        .flat_map(|c| &c.groups)
        .map(|g| 1usize << g.workable.count_ones())
        .sum();
    (columns <= FULL_MODEL_COLUMNS).then_some((classes, week))
}

/// The roster as stage 1's plan shape (one shift per agent), for recounting.
pub fn as_planned(shifts: &[AgentShift]) -> Vec<PlannedShift> {
    shifts
        .iter()
        .map(|s| PlannedShift {
            template: s.template,
            start_ms: s.start_ms,
            end_ms: s.end_ms,
            count: 1,
            breaks: s.breaks.iter().map(|(b, at)| (*b, *at, 1)).collect(),
        })
        .collect()
}

#[cfg(test)]
pub(in crate::roster) mod tests {
    use super::*;

    pub(in crate::roster) const HOUR: i64 = 3_600_000;
    /// Monday 2026-03-02 00:00 UTC.
    pub(in crate::roster) const MONDAY: i64 = 1_772_409_600_000;

    /// An eight-hour template starting at `start` o'clock every day, 1 an hour.
    pub(in crate::roster) fn eight_hours(name: &str, start: u32) -> ShiftTemplate {
        ShiftTemplate {
            name: name.into(),
            starts: vec![start * 60],
            minutes: 480,
            days: [true; 7],
            cost_per_hour: 1.0,
            breaks: Vec::new(),
        }
    }

    /// Solved to the optimum, one thread, no node limit.
    pub(in crate::roster) fn exact() -> SolveOptions {
        SolveOptions {
            time_limit_s: 10.0,
            mip_gap: 0.0,
            threads: 1,
            max_nodes: None,
            interior_point: false,
        }
    }

    /// `agents` an hour on Monday for `hours` hours from `from` o'clock.
    pub(in crate::roster) fn monday(from: i64, hours: usize, agents: f64) -> Requirement {
        Requirement {
            start_ms: MONDAY + from * HOUR,
            interval_ms: HOUR,
            agents: vec![agents; hours],
            calls: None,
            aht_s: None,
        }
    }

    #[test]
    fn the_model_gives_columns_only_where_a_shift_is_allowed_and_rests_by_clique_rows() {
        // Two days, an early (08–16) and a late (16–24) a day: four shifts. A is
        // unavailable Monday evening (no column for Monday's late); B may not work
        // nights — neither shift is one (the late has 2 h in 22:00–06:00, < 3 h).
        let templates = vec![eight_hours("early", 8), eight_hours("late", 16)];
        let requirement = Requirement {
            start_ms: MONDAY,
            interval_ms: HOUR,
            agents: vec![1.0; 48],
            calls: None,
            aht_s: None,
        };
        let mut a = Agent::new("A");
        a.unavailable = vec![(MONDAY + 16 * HOUR, MONDAY + 24 * HOUR)];
        let mut b = Agent::new("B");
        b.nights_ok = false;
        let zone = Zone::Utc;
        let all = demand::candidates(&requirement, &templates, &zone);
        assert_eq!(all.len(), 4);
        let model = build(
            &requirement,
            &[],
            &templates,
            &Weights::default(),
            &[a, b],
            &AssignRules::default(),
            &DutyRules::default(),
            &zone,
            all,
        )
        .expect("builds");
        assert_eq!(model.agent_columns[0].len(), 3);
        assert_eq!(model.agent_columns[1].len(), 4);
        // Rest 11 h: Monday's late (ends Tuesday 00:00) and Tuesday's early (08:00,
        // 8 h later) cannot both be B's — one row with exactly those two columns.
        let col = |agent: usize, start: i64| {
            model.agent_columns[agent]
                .iter()
                .find(|(c, _)| model.demand.candidates[*c].start_ms == start)
                .map(|(_, x)| *x)
                .expect("column")
        };
        let (late_mon, early_tue) = (col(1, MONDAY + 16 * HOUR), col(1, MONDAY + 32 * HOUR));
        let rest: Vec<&Row> = model
            .demand
            .lp
            .rows
            .iter()
            .filter(|r| r.name.starts_with("B rests"))
            .collect();
        assert_eq!(rest.len(), 1, "{rest:?}");
        let mut terms: Vec<usize> = rest[0].terms.iter().map(|(c, _)| *c).collect();
        terms.sort_unstable();
        let mut want = vec![late_mon, early_tue];
        want.sort_unstable();
        assert_eq!(terms, want);
        assert_eq!(rest[0].upper, 1.0);
        // A has no Monday late, so no rest row at all.
        assert!(
            !model
                .demand
                .lp
                .rows
                .iter()
                .any(|r| r.name.starts_with("A rests"))
        );
    }

    /// Stage 1's relaxed optimum for the named roster of `agents`.
    fn stage_one_bound(
        requirement: &Requirement,
        queues: &[QueueNeed],
        templates: &[ShiftTemplate],
        agents: &[Agent],
        duty_rules: &DutyRules,
    ) -> f64 {
        let zone = Zone::Utc;
        let all = demand::candidates(requirement, templates, &zone);
        let model = stage_one(
            requirement,
            queues,
            templates,
            &Weights::default(),
            agents,
            &AssignRules::default(),
            duty_rules,
            &zone,
            all,
        )
        .expect("builds");
        model
            .lp
            .relaxed()
            .solve(&exact(), None)
            .expect("solves")
            .objective
    }

    #[test]
    fn a_run_carried_into_the_week_ends_on_the_day_the_model_chooses() {
        // Monday and Tuesday each need one agent 08–16; one 08:00 shift a day.
        // A works at most 2 days in a row and prefers Mondays off (5). With no
        // run before the week A works both: 2 × 8 paid hours × 0.01 + 5 = 5.16.
        // A run of 1 up to the week leaves one of the two: Tuesday (Monday's 8
        // agent-hours short × 100 + 0.08 = 800.08), not Monday (805.08, the day
        // a fixed "latest day off" gave). A run of 2 leaves Monday off whatever
        // it costs: 800.08 too, Tuesday worked. A run of 1 under a maximum of
        // 3: both again, 5.16.
        let mut need = vec![1.0; 8];
        need.extend([0.0; 16]);
        need.extend([1.0; 8]);
        let requirement = Requirement {
            agents: need,
            ..monday(8, 0, 0.0)
        };
        let templates = vec![eight_hours("day", 8)];
        let zone = Zone::Utc;
        let solve = |most: u32, before: u32| {
            let mut a = Agent::new("A");
            a.max_consecutive_days = most;
            a.run_before = before;
            a.preferred_days_off = vec![DayOff::Weekday(0)];
            let model = build(
                &requirement,
                &[],
                &templates,
                &Weights::default(),
                &[a],
                &AssignRules::default(),
                &DutyRules::default(),
                &zone,
                demand::candidates(&requirement, &templates, &zone),
            )
            .expect("builds");
            let solution = model.demand.lp.solve(&exact(), None).expect("solves");
            let days: Vec<i64> = model
                .read(&solution.values, &templates)
                .iter()
                .map(|s| (s.start_ms - MONDAY) / (24 * HOUR))
                .collect();
            (solution.objective, days)
        };
        let close = |(got, days): (f64, Vec<i64>), want: f64, worked: &[i64]| {
            assert!((got - want).abs() < 1e-6, "{got} against {want}");
            assert_eq!(days, worked);
        };
        close(solve(2, 0), 5.16, &[0, 1]);
        close(solve(2, 1), 800.08, &[1]);
        close(solve(2, 2), 800.08, &[1]);
        close(solve(3, 1), 5.16, &[0, 1]);
    }

    #[test]
    fn stage_ones_classes_become_day_pattern_groups_by_the_days_their_agents_may_work() {
        // Monday to Wednesday, an 08:00 shift a day. One contract, four agents:
        // A off Tuesday (Monday and Wednesday free), B and C free every day, D
        // free but preferring Wednesdays off — three groups of one class.
        let requirement = monday(0, 72, 1.0);
        let templates = vec![eight_hours("early", 8)];
        let mut a = Agent::new("A");
        a.unavailable = vec![(MONDAY + 24 * HOUR, MONDAY + 48 * HOUR)];
        let mut d = Agent::new("D");
        d.preferred_days_off = vec![DayOff::Weekday(2)];
        let agents = [a, Agent::new("B"), Agent::new("C"), d];
        let (zone, rules) = (Zone::Utc, AssignRules::default());
        let all = demand::candidates(&requirement, &templates, &zone);
        let facts = facts_of(&all, &templates, &rules, &zone);
        let stage1 = stage_one(
            &requirement,
            &[],
            &templates,
            &Weights::default(),
            &agents,
            &rules,
            &DutyRules::default(),
            &zone,
            all,
        )
        .expect("builds");
        let (classes, week) = pattern_classes(
            &stage1,
            &agents,
            &facts,
            &[],
            &rules,
            local_days(&requirement, &zone),
        )
        .expect("a week of three days");
        assert_eq!(week.weekend, vec![false; 3]);
        assert_eq!(classes.len(), 1);
        // One share a day, of 8 paid hours.
        assert!(
            classes[0]
                .shares
                .iter()
                .all(|s| s.len() == 1 && s[0].1 == 8.0)
        );
        let mut groups: Vec<(u32, u32, f64)> = classes[0]
            .groups
            .iter()
            .map(|g| (g.workable, g.preferred_off, g.size))
            .collect();
        groups.sort_by(|x, y| x.partial_cmp(y).expect("numbers"));
        assert_eq!(
            groups,
            vec![(0b101, 0, 1.0), (0b111, 0, 2.0), (0b111, 0b100, 1.0)]
        );
        assert_eq!(super::super::patterns::weekend_able(&classes, &week), 0.0);
    }

    #[test]
    fn stage_ones_bound_counts_a_queue_its_skilled_agents_cannot_cover() {
        // Monday 08:00–16:00, 2 agents an hour in all, 2 of them on `sales`; one
        // 08–16 shift (8 paid hours at 1 an hour). A takes sales, B and C repairs.
        // Two shifts cover the total (A's and one repairs agent's), but sales has
        // only A: 1 short each hour, 8 agent-hours × 100 = 800; the two shifts cost
        // 16 × 0.01 = 0.16; a third (C) would add over-cover only. Bound 800.16.
        // Without the queue rows the classes' shares cover everything: 0.16.
        let templates = vec![eight_hours("day", 8)];
        let requirement = monday(8, 8, 2.0);
        let queues = vec![
            QueueNeed {
                queue: "sales".into(),
                agents: vec![2.0; 8],
            },
            QueueNeed {
                queue: "repairs".into(),
                agents: vec![0.0; 8],
            },
        ];
        let mut agents = vec![Agent::new("A"), Agent::new("B"), Agent::new("C")];
        agents[0].skills = vec!["sales".into()];
        agents[1].skills = vec!["repairs".into()];
        agents[2].skills = vec!["repairs".into()];
        let with_queues = stage_one_bound(
            &requirement,
            &queues,
            &templates,
            &agents,
            &DutyRules::default(),
        );
        assert!((with_queues - 800.16).abs() < 1e-6, "{with_queues}");
        let without = stage_one_bound(
            &requirement,
            &[],
            &templates,
            &agents,
            &DutyRules::default(),
        );
        assert!((without - 0.16).abs() < 1e-6, "{without}");
    }

    #[test]
    fn stage_ones_night_duty_counts_only_the_night_capable() {
        // Monday 16:00–24:00, 1 agent an hour; one 16–24 shift (2 h inside
        // 22:00–06:00: not a night shift, so anyone may work it). Night duty from
        // 17:30 needs 1 night-capable agent; the only agent is not one. One shift
        // covers the requirement (8 × 0.01 = 0.08) and night duty stays short
        // 17:30–24:00: 6.5 agent-hours × the duty weight. Counting every shift, as
        // the plan without names does, it would be covered.
        let templates = vec![eight_hours("late", 16)];
        let requirement = Requirement {
            start_ms: MONDAY + 16 * HOUR,
            interval_ms: HOUR / 2,
            agents: vec![1.0; 16],
            calls: None,
            aht_s: None,
        };
        let duty = DutyRules {
            night_duty: Some(duty::CoverWindow {
                from: 17 * 60 + 30,
                to: 8 * 60 + 30,
                summer_from: None,
                summer_to: None,
                agents: 1,
            }),
            weight: 1000.0,
            ..DutyRules::default()
        };
        let mut day_only = Agent::new("A");
        day_only.nights_ok = false;
        let short = stage_one_bound(&requirement, &[], &templates, &[day_only], &duty);
        assert!((short - (0.08 + 6.5 * 1000.0)).abs() < 1e-6, "{short}");
        let covered = stage_one_bound(&requirement, &[], &templates, &[Agent::new("B")], &duty);
        assert!((covered - 0.08).abs() < 1e-6, "{covered}");
    }

    /// `check_agents` on agent `a` over Monday to Wednesday, an 8-hour shift
    /// at 08:00 each day.
    fn checked_on_three_days(a: Agent) -> Result<(), RosterError> {
        let templates = vec![eight_hours("early", 8)];
        let requirement = Requirement {
            start_ms: MONDAY,
            interval_ms: HOUR,
            agents: vec![1.0; 72],
            calls: None,
            aht_s: None,
        };
        let zone = Zone::Utc;
        let all = demand::candidates(&requirement, &templates, &zone);
        let first = local_days(&requirement, &zone).0;
        check_agents(
            &[a],
            &all,
            &templates,
            &AssignRules::default(),
            &[],
            &zone,
            first,
        )
    }

    #[test]
    fn a_minimum_the_available_days_cannot_reach_is_refused_naming_the_agent() {
        let mut a = Agent::new("A");
        a.min_hours_week = 20.0; // 3 days × 8 h = 24 h possible…
        a.max_days_week = 2; // …but only 2 days: 16 h.
        let e = checked_on_three_days(a).expect_err("refused");
        assert!(
            matches!(&e, RosterError::Agent { agent, rule, .. } if agent == "A" && rule == "min_hours_week"),
            "{e}"
        );
        assert!(e.to_string().contains("16.0 h"), "{e}");
    }

    #[test]
    fn a_minimum_the_runs_of_days_cannot_reach_is_refused() {
        // Monday to Wednesday, an 8-hour shift each day; a minimum of 16 h on
        // up to 3 days. At most one day in a row: Monday and Wednesday, 16 h —
        // taken. With a run of one day carried into the week, Monday must be
        // off: Tuesday alone (8 h), or Wednesday alone — refused, 8.0 h at most.
        // Two days in a row and that run: Tuesday and Wednesday, 16 h — taken.
        let check = |run: u32, before: u32| {
            let mut a = Agent::new("A");
            a.min_hours_week = 16.0;
            a.max_days_week = 3;
            a.max_consecutive_days = run;
            a.run_before = before;
            checked_on_three_days(a)
        };
        assert!(check(1, 0).is_ok());
        let e = check(1, 1).expect_err("refused");
        assert!(
            matches!(&e, RosterError::Agent { agent, rule, .. } if agent == "A" && rule == "min_hours_week"),
            "{e}"
        );
        assert!(
            e.to_string().contains("8.0 h") && e.to_string().contains("1 worked in a row"),
            "{e}"
        );
        assert!(check(2, 1).is_ok());
    }
}
