//! The desk's duty rules (domain.md §3) as rows of either stage's model: at least N
//! agents on work at every moment, more over the lunch-cover window, someone on duty
//! over the night-duty window, and the handover overlap at every shift's end. Each
//! is a penalised slack, so a roster always exists; the report recounts what was
//! bent from the roster itself ([`duty_gaps`]).
//!
//! The windows are the centre's wall clock and switch with the timetable: summer
//! (a month-day range) moves the lunch cover's end and the night duty's start.

use super::demand::DemandModel;
use super::lp::{Column, Row};
use super::{Requirement, ShiftTemplate, Zone};
use crate::time::{DAY_MS, civil_from_days, format_timestamp};
use serde::Serialize;

/// A daily window of the wall clock (`from` > `to` runs past midnight).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CoverWindow {
    /// Start, minutes after midnight (winter).
    pub from: u32,
    /// End, minutes after midnight (winter).
    pub to: u32,
    /// Its start in summer, when it differs.
    pub summer_from: Option<u32>,
    /// Its end in summer, when it differs.
    pub summer_to: Option<u32>,
    /// Agents needed over it.
    pub agents: u32,
}

impl CoverWindow {
    fn contains(&self, minute: u32, summer: bool) -> bool {
        let (from, to) = if summer {
            (
                self.summer_from.unwrap_or(self.from),
                self.summer_to.unwrap_or(self.to),
            )
        } else {
            (self.from, self.to)
        };
        if from <= to {
            (from..to).contains(&minute)
        } else {
            minute >= from || minute < to
        }
    }
}

/// The duty rules (all off by default).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DutyRules {
    /// Agents on work (not on a break) at every moment of the day.
    pub min_on_duty: u32,
    /// Lunch cover: agents on work over the window.
    pub lunch_cover: Option<CoverWindow>,
    /// Night duty: agents on duty (breaks included) over the window — with agents,
    /// only those with `nights_ok` count.
    pub night_duty: Option<CoverWindow>,
    /// Handover, minutes: every shift that ends inside the period is relieved by
    /// someone on duty from this long before its end until after it.
    pub handover_min: u32,
    /// Summer, as (month, day) from and to, both included; the rest is winter.
    pub summer: Option<((u32, u32), (u32, u32))>,
    /// Penalty per agent-hour short of a duty rule (per handover missed: the same
    /// for one hour).
    pub weight: f64,
}

impl DutyRules {
    /// Whether any rule is on.
    pub fn any(&self) -> bool {
        self.min_on_duty > 0
            || self.lunch_cover.is_some()
            || self.night_duty.is_some()
            || self.handover_min > 0
    }

    /// Whether the local day (days since 1970) falls in summer.
    pub fn is_summer(&self, day: i32) -> bool {
        let Some((from, to)) = self.summer else {
            return false;
        };
        let (_, m, d) = civil_from_days(day);
        if from <= to {
            from <= (m, d) && (m, d) <= to
        } else {
            (m, d) >= from || (m, d) <= to
        }
    }

    /// (on work, on duty by night-capable agents) needed in the cell starting at `t`.
    pub fn needed_at(&self, t: i64, zone: &Zone) -> (u32, u32) {
        let local = t + zone.offset_ms_at(t);
        let day = local.div_euclid(DAY_MS) as i32;
        let minute = (local.rem_euclid(DAY_MS) / 60_000) as u32;
        let summer = self.is_summer(day);
        let mut work = self.min_on_duty;
        if let Some(w) = self.lunch_cover.filter(|w| w.contains(minute, summer)) {
            work = work.max(w.agents);
        }
        let night = self
            .night_duty
            .filter(|w| w.contains(minute, summer))
            .map_or(0, |w| w.agents);
        (work, night)
    }
}

/// The duty rows' slack columns, for reading a solution.
#[derive(Debug, Clone, Default)]
pub struct DutyColumns {
    /// (cell start, slack column) of the on-work rows.
    pub on_work: Vec<(i64, usize)>,
    /// (cell start, slack column) of the night rows.
    pub night: Vec<(i64, usize)>,
    /// (shift end, slack column) of the handover rows.
    pub handover: Vec<(i64, usize)>,
}

/// Adds the duty rows to `model`. `night_columns[c]` counts, for candidate c, the
/// shifts worked by night-capable agents (the assignment stage); `None` counts
/// every shift (the plan has no names). `big` bounds any one shift's count.
pub fn add_rows(
    model: &mut DemandModel,
    requirement: &Requirement,
    templates: &[ShiftTemplate],
    rules: &DutyRules,
    zone: &Zone,
    night_columns: Option<&[Option<usize>]>,
    big: f64,
) -> DutyColumns {
    let mut out = DutyColumns::default();
    if !rules.any() {
        return out;
    }
    let grid = model.grid_ms;
    let (from, to) = (requirement.start_ms, requirement.end_ms());
    let cells = ((to - from) / grid) as usize;
    let cell_of = |t: i64| ((t - from).div_euclid(grid)).clamp(0, cells as i64) as usize;
    let needs: Vec<(u32, u32)> = (0..cells)
        .map(|i| rules.needed_at(from + i as i64 * grid, zone))
        .collect();
    let mut work: Vec<Vec<(usize, f64)>> = vec![Vec::new(); cells];
    let mut night: Vec<Vec<(usize, f64)>> = vec![Vec::new(); cells];
    for (i, c) in model.candidates.iter().enumerate() {
        let end = c.start_ms + i64::from(templates[c.template].minutes) * 60_000;
        for cell in cell_of(c.start_ms)..cell_of(end) {
            if needs[cell].0 > 0 {
                work[cell].push((model.shift_columns[i], 1.0));
            }
            if needs[cell].1 > 0 {
                let col = match night_columns {
                    Some(cols) => cols[i],
                    None => Some(model.shift_columns[i]),
                };
                if let Some(col) = col {
                    night[cell].push((col, 1.0));
                }
            }
        }
        for (b, choices) in model.break_columns[i].iter().enumerate() {
            let len = i64::from(templates[c.template].breaks[b].minutes) * 60_000;
            for &(at, col) in choices {
                for cell in cell_of(at)..cell_of(at + len) {
                    if needs[cell].0 > 0 {
                        work[cell].push((col, -1.0));
                    }
                }
            }
        }
    }
    let hours = grid as f64 / 3_600_000.0;
    let lp = &mut model.lp;
    let mut add = |terms: Vec<(usize, f64)>, need: u32, what: &str, at: i64| {
        let slack = lp.add_column(Column::continuous(
            format!("{what} short at {}", format_timestamp(at)),
            rules.weight * hours,
        ));
        let mut terms = terms;
        terms.push((slack, 1.0));
        lp.add_row(Row {
            name: format!("{what} at {}", format_timestamp(at)),
            terms,
            lower: f64::from(need),
            upper: f64::INFINITY,
        });
        slack
    };
    for (i, terms) in work.into_iter().enumerate() {
        let at = from + i as i64 * grid;
        if needs[i].0 > 0 {
            let s = add(terms, needs[i].0, "on work", at);
            out.on_work.push((at, s));
        }
    }
    for (i, terms) in night.into_iter().enumerate() {
        let at = from + i as i64 * grid;
        if needs[i].1 > 0 {
            let s = add(terms, needs[i].1, "night duty", at);
            out.night.push((at, s));
        }
    }
    if rules.handover_min > 0 {
        let h = i64::from(rules.handover_min) * 60_000;
        let mut ends: Vec<i64> = model
            .candidates
            .iter()
            .map(|c| c.start_ms + i64::from(templates[c.template].minutes) * 60_000)
            .filter(|e| *e < to)
            .collect();
        ends.sort_unstable();
        ends.dedup();
        for e in ends {
            // z = 1 when any shift ends at e; then someone on duty from e − h past e.
            let z = model.lp.add_column(Column {
                name: format!("a shift ends at {}", format_timestamp(e)),
                cost: 0.0,
                lower: 0.0,
                upper: 1.0,
                integer: true,
            });
            let mut relief = Vec::new();
            for (i, c) in model.candidates.iter().enumerate() {
                let end = c.start_ms + i64::from(templates[c.template].minutes) * 60_000;
                if end == e {
                    model.lp.add_row(Row {
                        name: format!("shifts ending at {}", format_timestamp(e)),
                        terms: vec![(model.shift_columns[i], 1.0), (z, -big)],
                        lower: f64::NEG_INFINITY,
                        upper: 0.0,
                    });
                } else if c.start_ms <= e - h && end > e {
                    relief.push((model.shift_columns[i], 1.0));
                }
            }
            let slack = model.lp.add_column(Column::continuous(
                format!("handover missed at {}", format_timestamp(e)),
                rules.weight,
            ));
            relief.push((slack, 1.0));
            relief.push((z, -1.0));
            model.lp.add_row(Row {
                name: format!("handover at {}", format_timestamp(e)),
                terms: relief,
                lower: 0.0,
                upper: f64::INFINITY,
            });
            out.handover.push((e, slack));
        }
    }
    out
}

/// One duty rule left short, recounted from the roster.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DutyGap {
    /// `on_work`, `night_duty` or `handover`.
    pub rule: &'static str,
    /// From, RFC 3339.
    pub from: String,
    /// To, RFC 3339.
    pub to: String,
    /// From, ms (for the caller's reasons; `from` is its text).
    #[serde(skip)]
    pub from_ms: i64,
    /// To, ms.
    #[serde(skip)]
    pub to_ms: i64,
    /// Short by (agents; 1 for a handover).
    pub short_by: u32,
    /// Why, in a scheduler's words (filled by the caller, who knows the agents;
    /// empty here).
    pub why: String,
}

/// `count` alike worked shifts as the duty recount sees them: on duty over
/// `[start, end)`, `k` of them off work over each of `breaks` `(start, end, k)`
/// (the model's count: shifts on less breaks); `nights_ok` whether they count
/// for night duty. A plan's group stays one span however many it holds.
#[derive(Debug, Clone, PartialEq)]
pub struct DutySpan {
    /// Start, ms.
    pub start: i64,
    /// End, ms.
    pub end: i64,
    /// How many shifts.
    pub count: u32,
    /// Breaks (start, end, how many of the shifts take it then), ms.
    pub breaks: Vec<(i64, i64, u32)>,
    /// Counts for night duty.
    pub nights_ok: bool,
}

impl DutySpan {
    /// The span's shifts on work (not on a break) at `t`.
    pub fn on_work_at(&self, t: i64) -> u32 {
        if !(self.start <= t && t < self.end) {
            return 0;
        }
        let off: u32 = self
            .breaks
            .iter()
            .filter(|(a, b, _)| *a <= t && t < *b)
            .map(|(_, _, k)| *k)
            .sum();
        self.count.saturating_sub(off)
    }

    /// Whether some of the span's shifts are on a break at `t`.
    pub fn on_break_at(&self, t: i64) -> bool {
        self.start <= t
            && t < self.end
            && self
                .breaks
                .iter()
                .any(|(a, b, k)| *k > 0 && *a <= t && t < *b)
    }
}

/// Every stretch where the worked shifts leave a duty rule short, on the grid of
/// `grid_ms` over `[from, to)`, runs of equal shortage merged.
pub fn duty_gaps(
    spans: &[DutySpan],
    rules: &DutyRules,
    from: i64,
    to: i64,
    grid_ms: i64,
    zone: &Zone,
) -> Vec<DutyGap> {
    let mut out: Vec<DutyGap> = Vec::new();
    if !rules.any() {
        return out;
    }
    // A run continues the rule's latest gap when it follows on with the same
    // shortage (the rules' gaps interleave, so not only the very last one).
    let mut push = |rule: &'static str, at: i64, until: i64, short: u32| {
        if let Some(last) = out.iter_mut().rev().find(|g| g.rule == rule)
            && last.short_by == short
            && last.to_ms == at
        {
            last.to = format_timestamp(until);
            last.to_ms = until;
            return;
        }
        out.push(DutyGap {
            rule,
            from: format_timestamp(at),
            to: format_timestamp(until),
            from_ms: at,
            to_ms: until,
            short_by: short,
            why: String::new(),
        });
    };
    let mut t = from;
    while t < to {
        let (work, night) = rules.needed_at(t, zone);
        let on = |s: &&DutySpan| s.start <= t && t < s.end;
        if work > 0 {
            let n = spans
                .iter()
                .fold(0u32, |n, s| n.saturating_add(s.on_work_at(t)));
            if n < work {
                push("on_work", t, t + grid_ms, work - n);
            }
        }
        if night > 0 {
            let n = spans
                .iter()
                .filter(on)
                .filter(|s| s.nights_ok)
                .fold(0u32, |n, s| n.saturating_add(s.count));
            if n < night {
                push("night_duty", t, t + grid_ms, night - n);
            }
        }
        t += grid_ms;
    }
    if rules.handover_min > 0 {
        let h = i64::from(rules.handover_min) * 60_000;
        let mut ends: Vec<i64> = spans.iter().map(|s| s.end).filter(|e| *e < to).collect();
        ends.sort_unstable();
        ends.dedup();
        for e in ends {
            if !spans
                .iter()
                .any(|s| s.count > 0 && s.start <= e - h && s.end > e)
            {
                out.push(DutyGap {
                    rule: "handover",
                    from: format_timestamp(e - h),
                    to: format_timestamp(e),
                    from_ms: e - h,
                    to_ms: e,
                    short_by: 1,
                    why: String::new(),
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOUR: i64 = 3_600_000;

    #[test]
    fn a_group_of_shifts_counts_as_its_shifts_less_those_on_a_break() {
        // 00:00–04:00 UTC, hourly cells. One group of 3 shifts 00:00–04:00, 2
        // of them on a break 01:00–02:00; a single shift 02:00–04:00 able to do
        // nights, the group not. On work needs 3 at every moment; night duty 4
        // from 00:00 to 03:00 (the window's cells 00, 01, 02).
        let group = DutySpan {
            start: 0,
            end: 4 * HOUR,
            count: 3,
            breaks: vec![(HOUR, 2 * HOUR, 2)],
            nights_ok: false,
        };
        let single = DutySpan {
            start: 2 * HOUR,
            end: 4 * HOUR,
            count: 1,
            breaks: Vec::new(),
            nights_ok: true,
        };
        assert_eq!(group.on_work_at(HOUR), 1);
        assert_eq!(group.on_work_at(0), 3);
        assert_eq!(group.on_work_at(4 * HOUR), 0);
        assert!(group.on_break_at(HOUR) && !group.on_break_at(2 * HOUR));
        let rules = DutyRules {
            min_on_duty: 3,
            night_duty: Some(CoverWindow {
                from: 0,
                to: 180,
                summer_from: None,
                summer_to: None,
                agents: 4,
            }),
            ..DutyRules::default()
        };
        let gaps = duty_gaps(&[group, single], &rules, 0, 4 * HOUR, HOUR, &Zone::Utc);
        let seen: Vec<(&str, i64, i64, u32)> = gaps
            .iter()
            .map(|g| (g.rule, g.from_ms / HOUR, g.to_ms / HOUR, g.short_by))
            .collect();
        // On work: 3, 1, 4, 4 — short 2 over 01:00–02:00 only. Night duty
        // (night-capable on duty, breaks included): 0, 0, 1 against 4 — short 4
        // over 00:00–02:00, then 3 over 02:00–03:00.
        assert_eq!(
            seen,
            vec![
                ("night_duty", 0, 2, 4),
                ("on_work", 1, 2, 2),
                ("night_duty", 2, 3, 3),
            ]
        );
    }
}
