//! The named roster's inputs and read-outs: the agents CSV, the rules file's
//! assignment and duty sections, roster.csv rows, and every soft rule the roster
//! bends — recounted from the roster itself, not read off the model.

use super::{Result, input_error, open_csv};
use callboard_core::roster::ShiftTemplate;
use callboard_core::roster::assign::{
    Agent, AgentShift, AssignRules, DayOff, NightDefinition, SoftWeights, is_night, local_day,
    prefers_off,
};
use callboard_core::roster::duty::{CoverWindow, DutyRules};
use callboard_core::time::{
    DAY_MS, TimeZoneSpec, format_date, format_timestamp, parse_date, parse_timestamp, weekday,
};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

const WEEKDAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// `[rest]`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RestSpec {
    min_between_shifts: String,
}

impl Default for RestSpec {
    fn default() -> Self {
        RestSpec {
            min_between_shifts: "11h".into(),
        }
    }
}

/// A window of `[duty]`: `{ from, to, agents, summer_from, summer_to }`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WindowSpec {
    from: String,
    to: String,
    #[serde(default = "one")]
    agents: u32,
    summer_from: Option<String>,
    summer_to: Option<String>,
}

fn one() -> u32 {
    1
}

/// `[duty]` (domain.md §3; absent = off).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DutySpec {
    min_on_duty: u32,
    handover: Option<String>,
    lunch_cover: Option<WindowSpec>,
    night_duty: Option<WindowSpec>,
    weight: Option<f64>,
}

/// `[preferences]`: the soft rules' weights and the start spread allowed.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PreferenceSpec {
    #[serde(flatten)]
    weights: SoftWeightsSpec,
    max_start_spread: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
struct SoftWeightsSpec {
    preference: Option<f64>,
    single_day_off: Option<f64>,
    start_spread: Option<f64>,
    fairness: Option<f64>,
    min_hours: Option<f64>,
}

/// `[timetable]`: `summer = { from = "06-01", to = "08-31" }`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TimetableSpec {
    summer: Option<SeasonSpec>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
struct SeasonSpec {
    from: String,
    to: String,
}

/// `[nights]`: what a night shift is.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NightSpec {
    from: String,
    to: String,
    min: String,
}

impl Default for NightSpec {
    fn default() -> Self {
        NightSpec {
            from: "22:00".into(),
            to: "06:00".into(),
            min: "3h".into(),
        }
    }
}

/// `HH:MM` → minutes after midnight, `24:00` allowed (a window's end).
fn clock(s: &str) -> Option<u32> {
    super::roster::clock(s).or_else(|| (s.trim() == "24:00").then_some(24 * 60))
}

/// The rules file's assignment and duty sections as the core's rules; a fault
/// names the file (`path` with its text) and the line of the key.
pub fn rules(
    path: Option<(&Path, &str)>,
    rest: &RestSpec,
    duty: &DutySpec,
    preferences: &PreferenceSpec,
    timetable: &TimetableSpec,
    nights: &NightSpec,
    under_weight: f64,
) -> Result<(AssignRules, DutyRules)> {
    // `what` is `[section] key` or `[section] key.part`: its line in the file.
    let bad = |what: &str, problem: String| {
        let (file, line) = match path {
            Some((p, text)) => {
                let (section, key) = what
                    .trim_start_matches('[')
                    .split_once("] ")
                    .unwrap_or((what, ""));
                let key = key.split('.').next().unwrap_or(key);
                (p, super::roster::key_line(text, section, key))
            }
            None => (Path::new("rules"), 0),
        };
        input_error(file, line, format!("{what} {problem}"))
    };
    let at = |s: &str, what: &str| {
        clock(s).ok_or_else(|| bad(what, format!("{s:?} is not a time of day HH:MM")))
    };
    let minutes_of = |text: &str, what: &str| -> Result<u32> {
        let ms = callboard_core::tickets::parse_duration_ms(text).map_err(|e| {
            bad(
                what,
                format!("{text:?} is not a length such as 90m or 11h ({e})"),
            )
        })?;
        Ok((ms / 60_000).clamp(0, i64::from(u32::MAX)) as u32)
    };
    let window = |w: &Option<WindowSpec>, what: &str| -> Result<Option<CoverWindow>> {
        let Some(w) = w else { return Ok(None) };
        Ok(Some(CoverWindow {
            from: at(&w.from, &format!("[duty] {what}.from"))?,
            to: at(&w.to, &format!("[duty] {what}.to"))?,
            summer_from: w
                .summer_from
                .as_deref()
                .map(|s| at(s, &format!("[duty] {what}.summer_from")))
                .transpose()?,
            summer_to: w
                .summer_to
                .as_deref()
                .map(|s| at(s, &format!("[duty] {what}.summer_to")))
                .transpose()?,
            agents: w.agents,
        }))
    };
    let month_day = |s: &str| -> Result<(u32, u32)> {
        let parsed = s.split_once('-').and_then(|(m, d)| {
            let (m, d): (u32, u32) = (m.parse().ok()?, d.parse().ok()?);
            ((1..=12).contains(&m) && (1..=31).contains(&d)).then_some((m, d))
        });
        parsed.ok_or_else(|| bad("[timetable] summer", format!("date {s:?} is not MM-DD")))
    };
    let summer = match &timetable.summer {
        Some(s) => Some((month_day(&s.from)?, month_day(&s.to)?)),
        None => None,
    };
    let duty_rules = DutyRules {
        min_on_duty: duty.min_on_duty,
        lunch_cover: window(&duty.lunch_cover, "lunch_cover")?,
        night_duty: window(&duty.night_duty, "night_duty")?,
        handover_min: match &duty.handover {
            Some(h) => minutes_of(h, "[duty] handover")?,
            None => 0,
        },
        summer,
        weight: duty.weight.unwrap_or(under_weight * 10.0),
    };
    let d = SoftWeights::default();
    let w = &preferences.weights;
    let assign = AssignRules {
        rest_min: minutes_of(&rest.min_between_shifts, "[rest] min_between_shifts")?,
        max_start_spread_min: match &preferences.max_start_spread {
            Some(s) => minutes_of(s, "[preferences] max_start_spread")?,
            None => 120,
        },
        night: NightDefinition {
            from: at(&nights.from, "[nights] from")?,
            to: at(&nights.to, "[nights] to")?,
            min_minutes: minutes_of(&nights.min, "[nights] min")?,
        },
        soft: SoftWeights {
            preference: w.preference.unwrap_or(d.preference),
            single_day_off: w.single_day_off.unwrap_or(d.single_day_off),
            start_spread: w.start_spread.unwrap_or(d.start_spread),
            fairness: w.fairness.unwrap_or(d.fairness),
            min_hours: w.min_hours.unwrap_or(d.min_hours),
        },
    };
    for (name, v) in [
        ("[preferences] preference", assign.soft.preference),
        ("[preferences] single_day_off", assign.soft.single_day_off),
        ("[preferences] start_spread", assign.soft.start_spread),
        ("[preferences] fairness", assign.soft.fairness),
        ("[preferences] min_hours", assign.soft.min_hours),
        ("[duty] weight", duty_rules.weight),
    ] {
        if let Some(fault) = out_of_range(v) {
            return Err(bad(name, fault));
        }
    }
    Ok((assign, duty_rules))
}

/// What is wrong with a rules file's weight (or gap, or threshold): None when it
/// is a number from 0 to 1e9 — the one range every number of the file keeps.
pub(super) fn out_of_range(v: f64) -> Option<String> {
    (!(v.is_finite() && (0.0..=1e9).contains(&v)))
        .then(|| format!("must be a number from 0 to 1e9 (found {v})"))
}

/// Each agent's rest after the shifts they already work (`--previous`, the
/// schedules table's CSV: agent_id, start, end, activity): the latest end of a
/// worked segment that starts before `from` (a shift running into the week
/// counts whole); when that end plus `rest_min` reaches past `from`, the agent is
/// unavailable from `from` until then (segments that touch are one shift). An
/// agent who worked k days in a row up to the week, with `max_consecutive_days`
/// m below 7, carries the run (`Agent::run_before`): of the week's first
/// m + 1 − k days at most m − k are worked, the model choosing which is off.
/// Agents not in the file are untouched; rows of agents not rostered are read
/// and checked, then ignored.
pub fn hold_previous(
    path: &Path,
    zone: &TimeZoneSpec,
    agents: &mut [Agent],
    from: i64,
    rest_min: u32,
) -> Result<()> {
    let (rows, header) = open_csv(path)?;
    let col = |n: &str| header.iter().position(|h| h == n);
    let (Some(c_agent), Some(c_start), Some(c_end)) = (col("agent_id"), col("start"), col("end"))
    else {
        return Err(input_error(
            path,
            1,
            "a previous-schedules file needs the columns agent_id, start, end (optional: activity) — the schedules table, e.g. an earlier roster.csv",
        ));
    };
    let c_activity = col("activity");
    let mut segments: BTreeMap<String, Vec<(i64, i64)>> = BTreeMap::new();
    for (line, rec) in rows {
        let field = |c: usize| rec.get(c).unwrap_or("").trim();
        let time = |c: usize, name: &str| {
            let s = field(c);
            parse_timestamp(s, zone)
                .map_err(|e| input_error(path, line, format!("column {name}: {s:?}: {e}")))
        };
        let (start, end) = (time(c_start, "start")?, time(c_end, "end")?);
        if end < start {
            return Err(input_error(
                path,
                line,
                "column end: before its start".to_owned(),
            ));
        }
        let activity = c_activity.map(field).unwrap_or("work");
        if activity != "off" {
            segments
                .entry(field(c_agent).to_owned())
                .or_default()
                .push((start, end));
        }
    }
    let rest = i64::from(rest_min) * 60_000;
    let first = local_day(from, zone);
    for agent in agents.iter_mut() {
        let Some(list) = segments.get_mut(&agent.id) else {
            continue;
        };
        // Segments that touch are one shift (a night shift split at midnight,
        // its breaks); only the shifts that start before `from` count.
        list.sort_unstable();
        let mut shifts: Vec<(i64, i64)> = Vec::new();
        for &(a, b) in list.iter() {
            match shifts.last_mut() {
                Some((_, e)) if a <= *e => *e = (*e).max(b),
                _ => shifts.push((a, b)),
            }
        }
        shifts.retain(|(s, _)| *s < from);
        let until = shifts.last().map_or(from, |(_, end)| end + rest);
        if until > from {
            agent.unavailable.push((from, until));
        }
        // Days worked in a row up to the week, against a maximum below a week
        // (7, the default, is no limit): the week's first days continue that
        // run, and the model chooses the day that ends it.
        if agent.max_consecutive_days < 7 {
            let worked: BTreeSet<i32> = shifts.iter().map(|(s, _)| local_day(*s, zone)).collect();
            agent.run_before = (1..).take_while(|k| worked.contains(&(first - k))).count() as u32;
        }
    }
    Ok(())
}

/// Reads the agents CSV (docs/cli.md): `agent_id` required; `team, skills,
/// min_hours_week, max_hours_week, max_days_week, max_consecutive_days,
/// unavailable, preferred_days_off, preferred_shifts, nights_ok` optional, empty
/// = no limit. Any fault names the line and the column.
pub fn read_agents(
    path: &Path,
    zone: &TimeZoneSpec,
    templates: &[ShiftTemplate],
) -> Result<Vec<Agent>> {
    let (rows, header) = open_csv(path)?;
    let col = |n: &str| header.iter().position(|h| h == n);
    let Some(c_id) = col("agent_id") else {
        return Err(input_error(
            path,
            1,
            "an agents file needs the column agent_id (optional: team, skills, min_hours_week, max_hours_week, max_days_week, max_consecutive_days, unavailable, preferred_days_off, preferred_shifts, nights_ok)",
        ));
    };
    let known = [
        "agent_id",
        "name",
        "team",
        "skills",
        "min_hours_week",
        "max_hours_week",
        "max_days_week",
        "max_consecutive_days",
        "unavailable",
        "preferred_days_off",
        "preferred_shifts",
        "nights_ok",
    ];
    if let Some(h) = header.iter().find(|h| !known.contains(&h.as_str())) {
        return Err(input_error(
            path,
            1,
            format!("unknown column {h:?}; the columns are {}", known.join(", ")),
        ));
    }
    let mut out = Vec::new();
    for (line, rec) in rows {
        let field = |n: &str| col(n).and_then(|c| rec.get(c)).unwrap_or("").trim();
        let bad = |column: &str, problem: String| {
            input_error(path, line, format!("column {column}: {problem}"))
        };
        let id = rec.get(c_id).unwrap_or("").trim();
        if id.is_empty() {
            return Err(bad("agent_id", "empty".into()));
        }
        let mut agent = Agent::new(id);
        agent.team = field("team").to_owned();
        let list = |n: &str| -> Vec<String> {
            field(n)
                .split(';')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect()
        };
        agent.skills = list("skills");
        let number = |n: &str| -> Result<Option<f64>> {
            let v = field(n);
            if v.is_empty() {
                return Ok(None);
            }
            v.parse::<f64>()
                .ok()
                .filter(|x| x.is_finite() && *x >= 0.0)
                .map(Some)
                .ok_or_else(|| bad(n, format!("{v:?} is not a number ≥ 0")))
        };
        let whole = |n: &str, max: u32| -> Result<Option<u32>> {
            match number(n)? {
                None => Ok(None),
                Some(x) if x.fract() == 0.0 && x <= f64::from(max) => Ok(Some(x as u32)),
                Some(x) => Err(bad(n, format!("{x} is not a whole number 0 … {max}"))),
            }
        };
        if let Some(h) = number("min_hours_week")? {
            if h > 168.0 {
                return Err(bad(
                    "min_hours_week",
                    format!(
                        "{:?} is more than the 168 hours of a week",
                        field("min_hours_week")
                    ),
                ));
            }
            agent.min_hours_week = h;
        }
        if let Some(h) = number("max_hours_week")? {
            agent.max_hours_week = h;
        }
        if let Some(d) = whole("max_days_week", 7)? {
            agent.max_days_week = d;
        }
        if let Some(d) = whole("max_consecutive_days", 7)? {
            agent.max_consecutive_days = d;
        }
        for item in list("unavailable") {
            let range = if let Some((a, b)) = item.split_once('/') {
                let t = |s: &str| {
                    parse_timestamp(s, zone).map_err(|e| bad("unavailable", format!("{s:?}: {e}")))
                };
                (t(a)?, t(b)?)
            } else {
                let day = parse_date(&item).ok_or_else(|| {
                    bad(
                        "unavailable",
                        format!("{item:?} is neither a date 2026-03-04 nor a range 2026-03-04T08:00/2026-03-04T12:00"),
                    )
                })?;
                let start = zone
                    .local_midnight_ms(day)
                    .map_err(|e| bad("unavailable", e.to_string()))?;
                let end = zone
                    .local_midnight_ms(day + 1)
                    .map_err(|e| bad("unavailable", e.to_string()))?;
                (start, end)
            };
            if range.1 <= range.0 {
                return Err(bad(
                    "unavailable",
                    format!("{item:?} ends before it starts"),
                ));
            }
            agent.unavailable.push(range);
        }
        for item in list("preferred_days_off") {
            let lower = item.to_ascii_lowercase();
            let day = if let Some(w) = WEEKDAYS.iter().position(|d| lower.starts_with(d)) {
                DayOff::Weekday(w as u8)
            } else if let Some(d) = parse_date(&item) {
                DayOff::Date(d)
            } else {
                return Err(bad(
                    "preferred_days_off",
                    format!("{item:?} is neither a weekday (sat) nor a date (2026-03-07)"),
                ));
            };
            agent.preferred_days_off.push(day);
        }
        agent.preferred_shifts = list("preferred_shifts");
        if let Some(s) = agent
            .preferred_shifts
            .iter()
            .find(|s| !templates.iter().any(|t| &t.name == *s))
        {
            return Err(bad(
                "preferred_shifts",
                format!(
                    "{s:?} is not a shift template (the templates: {})",
                    templates
                        .iter()
                        .map(|t| t.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ));
        }
        agent.nights_ok = match field("nights_ok").to_ascii_lowercase().as_str() {
            "" | "true" | "yes" | "1" | "y" => true,
            "false" | "no" | "0" | "n" => false,
            other => return Err(bad("nights_ok", format!("{other:?} is not true or false"))),
        };
        out.push(agent);
    }
    if out.is_empty() {
        return Err(input_error(path, 0, "the file lists no agents"));
    }
    Ok(out)
}

/// One row of `roster.csv` (the schedules table).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RosterRow {
    /// The agent.
    pub agent_id: String,
    /// Start, RFC 3339 UTC.
    pub start: String,
    /// End.
    pub end: String,
    /// `work`, `break` or `lunch`.
    pub activity: &'static str,
}

/// The schedules table's activity for a break named `name`.
pub fn break_activity(name: &str) -> &'static str {
    if name.to_ascii_lowercase().contains("lunch") {
        "lunch"
    } else {
        "break"
    }
}

/// Each shift as work stretches around its breaks.
pub fn roster_rows(
    shifts: &[AgentShift],
    agents: &[Agent],
    templates: &[ShiftTemplate],
) -> Vec<RosterRow> {
    let mut out = Vec::new();
    for s in shifts {
        let t = &templates[s.template];
        let mut breaks: Vec<(i64, i64, &'static str)> = s
            .breaks
            .iter()
            .map(|(b, at)| {
                let rule = &t.breaks[*b];
                (
                    *at,
                    at + i64::from(rule.minutes) * 60_000,
                    break_activity(&rule.name),
                )
            })
            .collect();
        breaks.sort_unstable();
        let id = &agents[s.agent].id;
        let row = |a: i64, b: i64, activity| RosterRow {
            agent_id: id.clone(),
            start: format_timestamp(a),
            end: format_timestamp(b),
            activity,
        };
        let mut at = s.start_ms;
        for (a, b, activity) in breaks {
            if a > at {
                out.push(row(at, a, "work"));
            }
            out.push(row(a, b, activity));
            at = b;
        }
        if s.end_ms > at {
            out.push(row(at, s.end_ms, "work"));
        }
    }
    out
}

/// An agent's week in the roster.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AgentWeek {
    /// The agent.
    pub agent_id: String,
    /// Shifts worked.
    pub shifts: usize,
    /// Paid hours.
    pub paid_hours: f64,
    /// Contract minimum (0 = none).
    pub min_hours_week: f64,
    /// Contract maximum (none = no limit).
    pub max_hours_week: Option<f64>,
    /// Shifts starting on a Saturday or Sunday.
    pub weekend_shifts: usize,
    /// Night shifts.
    pub night_shifts: usize,
}

/// A soft rule bent, or a contract minimum missed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BentRule {
    /// The agent.
    pub agent_id: String,
    /// `min_hours_week`, `preferred_days_off`, `preferred_shifts`,
    /// `days_off_in_pairs`, `start_spread`, `fair_weekends`, `fair_nights`.
    pub rule: &'static str,
    /// How much, in the rule's unit (hours, shifts, days).
    pub amount: f64,
    /// In words.
    pub detail: String,
    /// The objective's penalty for it.
    pub penalty: f64,
}

/// Each agent's week and every soft rule bent, counted from the roster.
pub fn recount(
    shifts: &[AgentShift],
    agents: &[Agent],
    templates: &[ShiftTemplate],
    rules: &AssignRules,
    zone: &TimeZoneSpec,
    period: (i64, i64),
    fair_able: &[Vec<bool>; 2],
) -> (Vec<AgentWeek>, Vec<BentRule>) {
    let first_day = local_day(period.0, zone);
    let days = (local_day(period.1 - 1, zone) - first_day + 1).max(1);
    let soft = &rules.soft;
    let mut weeks = Vec::new();
    let mut bent = Vec::new();
    let day_name = |d: i32| format!("{} {}", WEEKDAYS[usize::from(weekday(d))], format_date(d));
    for (a, agent) in agents.iter().enumerate() {
        let mine: Vec<&AgentShift> = shifts.iter().filter(|s| s.agent == a).collect();
        let paid: f64 = mine
            .iter()
            .map(|s| templates[s.template].paid_hours())
            .sum();
        let night = |s: &AgentShift| is_night(s.start_ms, s.end_ms, &rules.night, zone);
        let weekend = |s: &AgentShift| weekday(local_day(s.start_ms, zone)) >= 5;
        weeks.push(AgentWeek {
            agent_id: agent.id.clone(),
            shifts: mine.len(),
            paid_hours: paid,
            min_hours_week: agent.min_hours_week,
            max_hours_week: agent
                .max_hours_week
                .is_finite()
                .then_some(agent.max_hours_week),
            weekend_shifts: mine.iter().filter(|s| weekend(s)).count(),
            night_shifts: mine.iter().filter(|s| night(s)).count(),
        });
        let mut push = |rule, amount: f64, detail: String, weight: f64| {
            bent.push(BentRule {
                agent_id: agent.id.clone(),
                rule,
                amount,
                detail,
                penalty: amount * weight,
            })
        };
        if paid + 1e-9 < agent.min_hours_week {
            let short = agent.min_hours_week - paid;
            push(
                "min_hours_week",
                short,
                format!(
                    "{paid:.1} h rostered of a {} h minimum",
                    agent.min_hours_week
                ),
                soft.min_hours,
            );
        }
        let worked: Vec<i32> = mine.iter().map(|s| local_day(s.start_ms, zone)).collect();
        for s in &mine {
            let d = local_day(s.start_ms, zone);
            if prefers_off(agent, d) {
                push(
                    "preferred_days_off",
                    1.0,
                    format!("works {}, a preferred day off", day_name(d)),
                    soft.preference,
                );
            }
            let name = &templates[s.template].name;
            if !agent.preferred_shifts.is_empty() && !agent.preferred_shifts.contains(name) {
                push(
                    "preferred_shifts",
                    1.0,
                    format!(
                        "works {name} on {}, prefers {}",
                        day_name(d),
                        agent.preferred_shifts.join(" or ")
                    ),
                    soft.preference,
                );
            }
        }
        for d in first_day + 1..first_day + days - 1 {
            if worked.contains(&(d - 1)) && !worked.contains(&d) && worked.contains(&(d + 1)) {
                push(
                    "days_off_in_pairs",
                    1.0,
                    format!("{} off alone", day_name(d)),
                    soft.single_day_off,
                );
            }
        }
        if mine.len() > 1 {
            let hour = |s: &AgentShift| {
                (s.start_ms + zone.offset_ms_at(s.start_ms)).rem_euclid(DAY_MS) as f64 / 3_600_000.0
            };
            let (lo, hi) = mine.iter().fold((f64::MAX, f64::MIN), |(lo, hi), s| {
                (lo.min(hour(s)), hi.max(hour(s)))
            });
            let allowed = f64::from(rules.max_start_spread_min) / 60.0;
            if hi - lo > allowed + 1e-9 {
                push(
                    "start_spread",
                    hi - lo - allowed,
                    format!(
                        "starts {} … {} ({:.1} h apart, {allowed:.1} h allowed)",
                        clock_text(lo),
                        clock_text(hi),
                        hi - lo
                    ),
                    soft.start_spread,
                );
            }
        }
    }
    // Fair shares: above the mean of the agents who could work such shifts at
    // all (`fair_able`, as the model counted them).
    for (k, (rule, what, pick)) in [
        (
            "fair_weekends",
            "weekend",
            (|w: &AgentWeek| w.weekend_shifts) as fn(&AgentWeek) -> usize,
        ),
        ("fair_nights", "night", |w: &AgentWeek| w.night_shifts),
    ]
    .into_iter()
    .enumerate()
    {
        let able: Vec<usize> = (0..agents.len())
            .filter(|a| fair_able[k].get(*a).copied().unwrap_or(false))
            .collect();
        if able.len() < 2 || soft.fairness <= 0.0 {
            continue;
        }
        let mean = able.iter().map(|a| pick(&weeks[*a])).sum::<usize>() as f64 / able.len() as f64;
        for &a in &able {
            let n = pick(&weeks[a]) as f64;
            if n > mean + 1e-9 {
                bent.push(BentRule {
                    agent_id: agents[a].id.clone(),
                    rule,
                    amount: n - mean,
                    detail: format!("{n} {what} shifts, the mean is {mean:.1}"),
                    penalty: (n - mean) * soft.fairness,
                });
            }
        }
    }
    (weeks, bent)
}

fn clock_text(hours: f64) -> String {
    let m = (hours * 60.0).round() as i64;
    format!("{:02}:{:02}", m / 60, m % 60)
}
