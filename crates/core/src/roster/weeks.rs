//! The first names on a plan, one agent's week at a time: each agent (highest
//! contract minimum first) takes the week of the plan's shifts still unnamed that
//! costs them least — their minimum hours met with as few hours above it as the
//! shifts allow (the plan holds about the contracts' minimums in all: hours one
//! agent takes above theirs, a later one misses), days off in pairs, preferences
//! — with every start inside one window of the allowed start spread, so the week
//! keeps its start times. A dynamic programme over the days per window finds it.
//!
//! Why: named shift by shift (longest first), the plan's shifts left ~47 hours of
//! minimums short at the size and starts spread over the day; the local
//! search then mended the minimums with shifts nobody needed.

use super::Weights;
use super::assign::{
    Agent, AssignModel, AssignRules, ClassShares, Facts, SoftWeights, may_add, preference_cost,
};
use super::demand::{PlannedShift, gcd};
use std::collections::BTreeMap;

/// Per hour above an agent's minimum, in units of the over-coverage weight (a
/// later agent misses what one takes above their minimum).
const ABOVE_MINIMUM: f64 = 5.0;
/// Per shift an agent takes of another contract class's share of the plan.
const OTHER_CLASS: f64 = 2.0;

/// A day's choice in a window: (candidate, paid time in units, its cost).
pub(super) type Choice = (usize, usize, f64);

/// Per agent, the candidates of `model` they work (see the module's comment);
/// shifts no week took go to whoever can still work them (furthest below their
/// minimum first). Past `deadline` the remaining agents get no week of their
/// own, only what is left (at the size all 150 weeks take 0.2 s).
#[allow(clippy::too_many_arguments)]
pub(super) fn weeks_from_plan(
    model: &AssignModel,
    plan: &[PlannedShift],
    agents: &[Agent],
    rules: &AssignRules,
    weights: &Weights,
    classes: &[ClassShares],
    templates: &[super::ShiftTemplate],
    first_day: i32,
    days: usize,
    deadline: std::time::Instant,
) -> Vec<Vec<usize>> {
    let facts = &model.facts;
    let mut pool: BTreeMap<usize, u32> = model.planned_counts(plan);
    let mut share: Vec<BTreeMap<usize, f64>> = classes.iter().map(|(_, s)| s.clone()).collect();
    let mut class_of: Vec<Option<usize>> = vec![None; agents.len()];
    for (k, (members, _)) in classes.iter().enumerate() {
        for a in members {
            class_of[*a] = Some(k);
        }
    }
    // The unit of paid time: every planned shift a whole number of them.
    let programme = Programme::new(
        facts,
        pool.keys().copied(),
        (first_day, days),
        rules.max_start_spread_min,
    );
    let soft = &rules.soft;
    let rest = i64::from(rules.rest_min) * 60_000;
    let name = |c: usize| templates[model.demand.candidates[c].template].name.as_str();
    let mut order: Vec<usize> = (0..agents.len()).collect();
    order.sort_by(|a, b| {
        agents[*b]
            .min_hours_week
            .total_cmp(&agents[*a].min_hours_week)
            .then(a.cmp(b))
    });
    let mut taken: Vec<Vec<usize>> = vec![Vec::new(); agents.len()];
    for &a in &order {
        let agent = &agents[a];
        if agent.min_hours_week <= 0.0 || std::time::Instant::now() >= deadline {
            continue;
        }
        let open: Vec<(usize, f64)> = model.agent_columns[a]
            .iter()
            .filter(|(c, _)| pool.get(c).is_some_and(|n| *n > 0))
            .map(|(c, _)| {
                let own =
                    class_of[a].is_some_and(|k| share[k].get(c).is_some_and(|v| *v > 0.5 - 1e-9));
                let cost = preference_cost(agent, &facts[*c], name(*c), soft)
                    + if own { 0.0 } else { OTHER_CLASS };
                (*c, cost)
            })
            .collect();
        let mut best: Option<(f64, Vec<usize>)> = None;
        for week in programme.per_window(agent, &open, soft, weights.over * ABOVE_MINIMUM) {
            if best.as_ref().is_none_or(|b| week.0 < b.0 - 1e-9) {
                best = Some(week);
            }
        }
        let Some((_, week)) = best else { continue };
        for c in week {
            let f = facts[c];
            // The rest between days, which the window keeps unless shifts are
            // long and the window wide: checked, a shift that breaks it left.
            if taken[a]
                .iter()
                .any(|&o| facts[o].end + rest > f.start && f.end + rest > facts[o].start)
            {
                continue;
            }
            take(&mut pool, &mut share, class_of[a], c);
            taken[a].push(c);
        }
    }
    // What no week took: to whoever may still work it, furthest below their
    // minimum first, then fewest hours.
    let left: Vec<usize> = pool
        .iter()
        .flat_map(|(c, n)| std::iter::repeat_n(*c, *n as usize))
        .collect();
    for c in left {
        let hours = |a: usize| -> f64 { taken[a].iter().map(|o| facts[*o].paid_hours).sum() };
        let fits = |a: usize| {
            model.agent_columns[a].iter().any(|(x, _)| *x == c)
                && may_add(&agents[a], facts, &taken[a], c, hours(a), rest, first_day)
        };
        let who = (0..agents.len()).filter(|a| fits(*a)).min_by(|a, b| {
            let below = |a: usize| (agents[a].min_hours_week - hours(a)).max(0.0);
            below(*b)
                .total_cmp(&below(*a))
                .then(hours(*a).total_cmp(&hours(*b)))
                .then(a.cmp(b))
        });
        if let Some(a) = who {
            take(&mut pool, &mut share, class_of[a], c);
            taken[a].push(c);
        }
    }
    for list in &mut taken {
        list.sort_by_key(|c| facts[*c].start);
    }
    taken
}

/// What the programme over an agent's days needs of the shifts: their local
/// days, their paid time in whole units, the start spread a window allows.
#[derive(Clone)]
pub(super) struct Programme<'a> {
    facts: &'a [Facts],
    unit_min: i64,
    first_day: i32,
    days: usize,
    spread: f64,
    /// Per day, what working it costs more when the day before was worked
    /// too (empty: nothing).
    pairs: Vec<f64>,
}

impl<'a> Programme<'a> {
    /// Over `days` local days from `first_day`; the unit of paid time divides the
    /// paid length of every one of `shifts`.
    pub(super) fn new(
        facts: &'a [Facts],
        shifts: impl Iterator<Item = usize>,
        (first_day, days): (i32, usize),
        max_start_spread_min: u32,
    ) -> Programme<'a> {
        let unit_min = shifts
            .map(|c| (facts[c].paid_hours * 60.0).round() as i64)
            .fold(0, gcd)
            .max(1);
        Programme {
            facts,
            unit_min,
            first_day,
            days,
            spread: f64::from(max_start_spread_min) / 60.0,
            pairs: Vec::new(),
        }
    }

    /// The programme with `pairs[d]` added when day `d` and the day before are
    /// both worked.
    pub(super) fn with_pairs(mut self, pairs: Vec<f64>) -> Programme<'a> {
        self.pairs = pairs;
        self
    }

    /// Days in the week.
    pub(super) fn days(&self) -> usize {
        self.days
    }

    /// The week's day (0-based) of shift `c`.
    pub(super) fn day_of(&self, c: usize) -> usize {
        (self.facts[c].day - self.first_day).clamp(0, self.days as i32 - 1) as usize
    }

    /// The agent's cheapest week of `costs` (shift, its cost) over any start
    /// ([`best_week`]); `None` when the programme would be too large.
    pub(super) fn any_start(
        &self,
        agent: &Agent,
        costs: &[(usize, f64)],
        soft: &SoftWeights,
        per_hour_above: f64,
    ) -> Option<(f64, Vec<usize>)> {
        self.cheapest_week(agent, costs, |_| true, soft, per_hour_above)
    }

    /// Per window of start times — one from each start time there is (at most 24
    /// of them), as wide as the allowed spread, so the week keeps its starts —
    /// the agent's cheapest week of `costs` inside it, in window order.
    pub(super) fn per_window(
        &self,
        agent: &Agent,
        costs: &[(usize, f64)],
        soft: &SoftWeights,
        per_hour_above: f64,
    ) -> Vec<(f64, Vec<usize>)> {
        let mut starts: Vec<f64> = costs
            .iter()
            .map(|(c, _)| self.facts[*c].start_hour)
            .collect();
        starts.sort_by(f64::total_cmp);
        starts.dedup_by(|x, y| (*x - *y).abs() < 1e-9);
        let step = starts.len().div_ceil(24).max(1);
        starts
            .iter()
            .step_by(step)
            .filter_map(|from| {
                let inside = |c: usize| {
                    let h = self.facts[c].start_hour;
                    h + 1e-9 >= *from && h <= from + self.spread + 1e-9
                };
                self.cheapest_week(agent, costs, inside, soft, per_hour_above)
            })
            .collect()
    }

    /// The agent's cheapest week of `costs` with every start inside the window
    /// from `from` (an hour of the day) as wide as the allowed spread.
    pub(super) fn in_window(
        &self,
        agent: &Agent,
        costs: &[(usize, f64)],
        from: f64,
        soft: &SoftWeights,
    ) -> Option<(f64, Vec<usize>)> {
        let inside = |c: usize| {
            let h = self.facts[c].start_hour;
            h + 1e-9 >= from && h <= from + self.spread + 1e-9
        };
        self.cheapest_week(agent, costs, inside, soft, 0.0)
    }

    /// [`best_week`] over the shifts of `costs` that `keep` allows.
    fn cheapest_week(
        &self,
        agent: &Agent,
        costs: &[(usize, f64)],
        keep: impl Fn(usize) -> bool,
        soft: &SoftWeights,
        per_hour_above: f64,
    ) -> Option<(f64, Vec<usize>)> {
        let choices = self.cheapest_by_units(costs, keep);
        let unit_h = self.unit_min as f64 / 60.0;
        best_week(
            agent,
            &choices,
            unit_h,
            soft,
            per_hour_above,
            self.days,
            &self.pairs,
        )
    }

    /// Per day, per paid length, the cheapest of `costs` that `keep` allows.
    fn cheapest_by_units(
        &self,
        costs: &[(usize, f64)],
        keep: impl Fn(usize) -> bool,
    ) -> Vec<Vec<Choice>> {
        let mut by_day: Vec<BTreeMap<usize, (usize, f64)>> = vec![BTreeMap::new(); self.days];
        for &(c, cost) in costs {
            if !keep(c) {
                continue;
            }
            let units = ((self.facts[c].paid_hours * 60.0).round() as i64 / self.unit_min) as usize;
            let slot = by_day[self.day_of(c)].entry(units).or_insert((c, cost));
            if cost < slot.1 {
                *slot = (c, cost);
            }
        }
        by_day
            .into_iter()
            .map(|m| m.into_iter().map(|(u, (c, cost))| (c, u, cost)).collect())
            .collect()
    }
}

/// One of the plan's shifts `c` named: off the pool and the class's share.
fn take(
    pool: &mut BTreeMap<usize, u32>,
    share: &mut [BTreeMap<usize, f64>],
    class: Option<usize>,
    c: usize,
) {
    if let Some(n) = pool.get_mut(&c) {
        *n = n.saturating_sub(1);
    }
    if let Some(v) = class.and_then(|k| share[k].get_mut(&c)) {
        *v -= 1.0;
    }
}

/// The agent's cheapest week from `choices` (per day: candidate, paid units,
/// cost): at most one shift a day, their days and runs of days, at most their
/// maximum hours; cost = the choices' + single days off + hours below the
/// minimum + `per_hour_above` per hour above it + `pairs[d]` per day `d`
/// worked after a worked day (the empty week among them). None when the
/// programme would be too large.
pub(super) fn best_week(
    agent: &Agent,
    choices: &[Vec<Choice>],
    unit_h: f64,
    soft: &SoftWeights,
    per_hour_above: f64,
    days: usize,
    pairs: &[f64],
) -> Option<(f64, Vec<usize>)> {
    let most: usize = choices
        .iter()
        .map(|d| d.iter().map(|x| x.1).max().unwrap_or(0))
        .sum();
    let max_units = if agent.max_hours_week.is_finite() {
        ((agent.max_hours_week / unit_h) + 1e-9).floor().max(0.0) as usize
    } else {
        most
    }
    .min(most);
    let max_days = agent.max_days_week.min(days as u32) as usize;
    let max_run = agent.max_consecutive_days.min(days as u32) as usize;
    // State: (units, days worked, current run, worked yesterday, worked the day
    // before); value: cost and how it was reached.
    let index = |u: usize, d: usize, r: usize, y: usize, z: usize| {
        (((u * (max_days + 1) + d) * (max_run + 1) + r) * 2 + y) * 2 + z
    };
    let size = (max_units + 1) * (max_days + 1) * (max_run + 1) * 4;
    if size > 4_000_000 {
        return None;
    }
    // Per day: cost per state and (previous state, choice or none).
    let mut layers: Vec<Vec<(f64, u32, i32)>> = Vec::with_capacity(days + 1);
    let mut now = vec![(f64::INFINITY, u32::MAX, -1); size];
    // A run carried into the week starts the count (less what the clamp to the
    // week's days took off the maximum).
    let carried = (agent.run_before as usize)
        .saturating_sub((agent.max_consecutive_days as usize).saturating_sub(max_run))
        .min(max_run);
    now[index(0, 0, carried, 0, 0)].0 = 0.0;
    for (day, options) in choices.iter().enumerate() {
        let mut next = vec![(f64::INFINITY, u32::MAX, -1i32); size];
        for u in 0..=max_units {
            for d in 0..=max_days {
                for r in 0..=max_run {
                    for y in 0..2 {
                        for z in 0..2 {
                            let from = index(u, d, r, y, z);
                            let cost = now[from].0;
                            if !cost.is_finite() {
                                continue;
                            }
                            // Off.
                            let to = index(u, d, 0, 0, y);
                            if cost < next[to].0 {
                                next[to] = (cost, from as u32, -1);
                            }
                            if d == max_days || r == max_run {
                                continue;
                            }
                            let single = if day >= 2 && y == 0 && z == 1 {
                                soft.single_day_off
                            } else {
                                0.0
                            } + if y == 1 {
                                pairs.get(day).copied().unwrap_or(0.0)
                            } else {
                                0.0
                            };
                            for (i, &(_, units, extra)) in options.iter().enumerate() {
                                if u + units > max_units {
                                    continue;
                                }
                                let to = index(u + units, d + 1, r + 1, 1, y);
                                let c = cost + extra + single;
                                if c < next[to].0 {
                                    next[to] = (c, from as u32, i as i32);
                                }
                            }
                        }
                    }
                }
            }
        }
        layers.push(std::mem::replace(&mut now, next));
    }
    // The end: hours below and above the minimum.
    let mut best: Option<(f64, usize)> = None;
    for u in 0..=max_units {
        let hours = u as f64 * unit_h;
        let below = (agent.min_hours_week - hours).max(0.0) * soft.min_hours;
        let above = (hours - agent.min_hours_week).max(0.0) * per_hour_above;
        for d in 0..=max_days {
            for r in 0..=max_run {
                for y in 0..2 {
                    for z in 0..2 {
                        let at = index(u, d, r, y, z);
                        let cost = now[at].0 + below + above;
                        if now[at].0.is_finite() && best.is_none_or(|b| cost < b.0 - 1e-12) {
                            best = Some((cost, at));
                        }
                    }
                }
            }
        }
    }
    let (cost, mut at) = best?;
    let mut week = Vec::new();
    let mut state = now[at];
    for day in (0..choices.len()).rev() {
        if state.2 >= 0 {
            week.push(choices[day][state.2 as usize].0);
        }
        at = state.1 as usize;
        state = layers[day][at];
    }
    week.reverse();
    Some((cost, week))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn agent(min: f64, max: f64, days: u32) -> Agent {
        Agent {
            min_hours_week: min,
            max_hours_week: max,
            max_days_week: days,
            max_consecutive_days: 5,
            ..Agent::new("A")
        }
    }

    /// The agent's best week of `choices` (units of half an hour, default
    /// weights, a week of seven days).
    fn week_of(agent: &Agent, choices: &[Vec<Choice>]) -> (f64, Vec<usize>) {
        let (soft, weights) = (SoftWeights::default(), Weights::default());
        best_week(
            agent,
            choices,
            0.5,
            &soft,
            weights.over * ABOVE_MINIMUM,
            7,
            &[],
        )
        .expect("a week")
    }

    /// Hours of a week from `choices` (units of half an hour).
    fn hours(week: &[usize], choices: &[Vec<Choice>]) -> f64 {
        week.iter()
            .map(|c| {
                choices
                    .iter()
                    .flatten()
                    .find(|x| x.0 == *c)
                    .map_or(0.0, |x| x.1 as f64 * 0.5)
            })
            .sum()
    }

    #[test]
    fn a_week_meets_the_minimum_exactly_when_the_lengths_allow() {
        // Every day a 5.5-hour (11 units) and a 7.5-hour shift (15 units):
        // 4 × 7.5 = 30 meets the minimum of 30 with nothing above it, on four
        // days in a row (no single day off): cost 0. (Five 5.5-hour shifts make
        // only 27.5: 2 500 short.)
        let choices: Vec<Vec<Choice>> = (0..7)
            .map(|d| vec![(10 * d, 11, 0.0), (10 * d + 1, 15, 0.0)])
            .collect();
        let (cost, week) = week_of(&agent(30.0, 40.0, 5), &choices);
        assert!(cost.abs() < 1e-9, "{cost}");
        assert!((hours(&week, &choices) - 30.0).abs() < 1e-9);
    }

    #[test]
    fn hours_above_the_minimum_cost_less_than_hours_below_it() {
        // Only 5.5-hour shifts, and one 9.5-hour one on Wednesday; five days at
        // most. Five short ones: 27.5 h, 2.5 below (× 1000 = 2 500); four short
        // ones and the long one: 31.5 h, 1.5 above (× 10 × 5 = 75).
        let mut choices: Vec<Vec<Choice>> = (0..7).map(|d| vec![(10 * d, 11, 0.0)]).collect();
        choices[2].push((99, 19, 0.0));
        let (cost, week) = week_of(&agent(30.0, 40.0, 5), &choices);
        assert!((cost - 75.0).abs() < 1e-9, "{cost}");
        assert!(week.contains(&99));
        assert!((hours(&week, &choices) - 31.5).abs() < 1e-9);
    }

    #[test]
    fn a_run_carried_into_the_week_counts_against_the_maximum() {
        // 7.5-hour shifts on Monday to Wednesday only, minimum 22.5 h, at most 5
        // days in a row. No run before: all three, cost 0. A run of 3 up to the
        // week: at most 2 of the three (a 6th day in a row otherwise), 7.5 h
        // short × 1 000 = 7 500, and not Monday with Wednesday (Tuesday off
        // alone, 10 more). A run of 2: all three again. A maximum of 9 days (more
        // than the week's 7) and a run of 3: all three.
        let mut choices: Vec<Vec<Choice>> = vec![Vec::new(); 7];
        for (d, day) in choices.iter_mut().enumerate().take(3) {
            day.push((d, 15, 0.0));
        }
        let run = |most: u32, before: u32| {
            let mut a = agent(22.5, 40.0, 5);
            a.max_consecutive_days = most;
            a.run_before = before;
            week_of(&a, &choices)
        };
        let (cost, week) = run(5, 0);
        assert!(
            cost.abs() < 1e-9 && week == vec![0, 1, 2],
            "{cost} {week:?}"
        );
        let (cost, mut week) = run(5, 3);
        week.sort_unstable();
        assert!((cost - 7_500.0).abs() < 1e-9, "{cost}");
        assert!(week == vec![0, 1] || week == vec![1, 2], "{week:?}");
        assert!(run(5, 2).0.abs() < 1e-9);
        assert!(run(9, 3).0.abs() < 1e-9);
    }

    #[test]
    fn a_pair_cost_weighs_two_days_worked_in_a_row() {
        // Friday costs 3, Saturday and Sunday nothing; 8-hour shifts, a
        // minimum of 16 h: two of the three. Without a pair cost, the weekend
        // (0). With 4 on Sunday after a worked Saturday: Saturday and Sunday 4,
        // Friday and Saturday 3 (Saturday's pair cost is 0), Friday and Sunday
        // 3 + Saturday off alone 10 — so Friday and Saturday.
        let mut choices: Vec<Vec<Choice>> = vec![Vec::new(); 7];
        choices[4].push((4, 16, 3.0));
        choices[5].push((5, 16, 0.0));
        choices[6].push((6, 16, 0.0));
        let a = agent(16.0, 16.0, 2);
        let (soft, weights) = (SoftWeights::default(), Weights::default());
        let (cost, week) = week_of(&a, &choices);
        assert!(cost.abs() < 1e-9 && week == vec![5, 6], "{cost} {week:?}");
        let pairs = [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 4.0];
        let (cost, week) = best_week(
            &a,
            &choices,
            0.5,
            &soft,
            weights.over * ABOVE_MINIMUM,
            7,
            &pairs,
        )
        .expect("a week");
        assert!(
            (cost - 3.0).abs() < 1e-9 && week == vec![4, 5],
            "{cost} {week:?}"
        );
    }

    #[test]
    fn a_single_day_off_between_worked_days_is_weighed() {
        // Shifts only on Monday and Wednesday, 5.5 h each, minimum 11: both must
        // be worked, Tuesday is a single day off (10).
        let mut choices: Vec<Vec<Choice>> = vec![Vec::new(); 7];
        choices[0].push((1, 11, 0.0));
        choices[2].push((2, 11, 0.0));
        let (cost, week) = week_of(&agent(11.0, 24.0, 4), &choices);
        assert_eq!(week, vec![1, 2]);
        assert!((cost - 10.0).abs() < 1e-9, "{cost}");
    }
}
