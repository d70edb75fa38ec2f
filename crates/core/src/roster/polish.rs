//! A local search on a whole shift plan (stage 1 with no rows beyond its own):
//! the plan's shifts and breaks are moved one at a time — a shift added (its
//! breaks placed where they hurt least), one dropped, one exchanged for another
//! starting near it, one break moved inside its window — the best of each kind
//! applied while it lowers the objective, round after round until none does or
//! the time is up (at the size it settles in under 0.2 s: 8 888 → 7 614).
//!
//! Why: the solver spends its first seconds at size on the root's cuts, and the
//! rounded relaxation it starts from holds the relaxation's fractions rounded up
//! (too many shifts where they were small) — the plan the time limit leaves was
//! the weak side of the gap (docs/rostering.md). Here every move costs a few
//! dozen intervals' arithmetic: the objective is the model's own, interval by
//! interval (under and over at their weights, from the agent-cells on the
//! phones) plus each shift's cost, read off the model's rows, so the plan handed
//! to the solver is one it scores the same.

use super::demand::DemandModel;
use std::collections::BTreeMap;
use std::time::Instant;

/// The caps one shift uses: (cap, weight).
type CapUse = Vec<(usize, f64)>;

/// Who takes each of the plan's shifts and what that uses: the named stage's
/// contract classes (each a share of every shift count, capped per day, in days
/// and in hours, with its minimum hours short at a cost — docs/rostering.md), or
/// for a plain plan one class that may take every shift, with no caps. The search
/// keeps each class's share whole, so its plan is one the classes can work.
struct Classes {
    /// Per class, per candidate: the caps one shift of it uses (cap, weight);
    /// `None` where the class may not take it.
    caps_of: Vec<Vec<Option<CapUse>>>,
    /// Per class: each cap's limit, and what the plan uses of it.
    limit: Vec<Vec<f64>>,
    used: Vec<Vec<f64>>,
    /// Per class, per candidate: the shift's paid hours.
    paid: Vec<Vec<f64>>,
    /// Per class: its paid hours; its minimum and the cost of an hour short.
    hours: Vec<f64>,
    minimum: Vec<(f64, f64)>,
    /// Per class, per candidate: the plan's shifts the class takes.
    split: Vec<Vec<f64>>,
    /// Caps on counts whatever the class (night shifts): limit, use; per
    /// candidate the caps it counts in.
    total_limit: Vec<f64>,
    total_used: Vec<f64>,
    in_total: Vec<Vec<usize>>,
}

impl Classes {
    /// One class taking every shift of `counts` (per candidate), no caps.
    fn plain(counts: Vec<f64>) -> Classes {
        let n = counts.len();
        Classes {
            caps_of: vec![vec![Some(Vec::new()); n]],
            limit: vec![Vec::new()],
            used: vec![Vec::new()],
            paid: vec![vec![0.0; n]],
            hours: vec![0.0],
            minimum: vec![(0.0, 0.0)],
            split: vec![counts],
            total_limit: Vec::new(),
            total_used: Vec::new(),
            in_total: vec![Vec::new(); n],
        }
    }

    /// The model's contract classes with `split` (per class: candidate → its
    /// shifts) as the plan's shares.
    fn of(model: &DemandModel, split: &[BTreeMap<usize, f64>]) -> Classes {
        let n = model.shift_columns.len();
        let classes = &model.capacities.classes;
        let mut out = Classes {
            caps_of: Vec::new(),
            limit: Vec::new(),
            used: Vec::new(),
            paid: Vec::new(),
            hours: Vec::new(),
            minimum: Vec::new(),
            split: Vec::new(),
            total_limit: model
                .capacities
                .totals
                .iter()
                .map(|(_, cap)| *cap)
                .collect(),
            total_used: vec![0.0; model.capacities.totals.len()],
            in_total: vec![Vec::new(); n],
        };
        for (k, class) in classes.iter().enumerate() {
            let mut caps_of: Vec<Option<CapUse>> = vec![None; n];
            for c in class.share.keys() {
                caps_of[*c] = Some(Vec::new());
            }
            for (i, (terms, _)) in class.caps.iter().enumerate() {
                for (c, w) in terms {
                    if let Some(list) = caps_of[*c].as_mut() {
                        list.push((i, *w));
                    }
                }
            }
            let mut taken = vec![0.0; n];
            if let Some(held) = split.get(k) {
                for (c, v) in held {
                    taken[*c] = *v;
                }
            }
            let paid: Vec<f64> = (0..n)
                .map(|c| class.paid_hours.get(&c).copied().unwrap_or(0.0))
                .collect();
            out.used.push(
                class
                    .caps
                    .iter()
                    .map(|(terms, _)| terms.iter().map(|(c, w)| w * taken[*c]).sum())
                    .collect(),
            );
            out.limit
                .push(class.caps.iter().map(|(_, cap)| *cap).collect());
            out.hours
                .push(taken.iter().zip(&paid).map(|(v, h)| v * h).sum());
            out.minimum.push(class.minimum);
            out.caps_of.push(caps_of);
            out.paid.push(paid);
            out.split.push(taken);
        }
        for (i, (members, _)) in model.capacities.totals.iter().enumerate() {
            for c in members {
                out.in_total[*c].push(i);
                out.total_used[i] += out.split.iter().map(|s| s[*c]).sum::<f64>();
            }
        }
        out
    }

    /// The change in class `k`'s minimum-hours cost when it gains `delta` hours.
    fn short_change(&self, k: usize, delta: f64) -> f64 {
        let (minimum, weight) = self.minimum[k];
        let short = |h: f64| weight * (minimum - h).max(0.0);
        short(self.hours[k] + delta) - short(self.hours[k])
    }

    /// Whether class `k` may take one more shift of `c` within its caps (and,
    /// with `new`, a shift the plan did not have: within the totals' caps).
    fn fits(&self, k: usize, c: usize, new: bool) -> bool {
        let Some(caps) = &self.caps_of[k][c] else {
            return false;
        };
        caps.iter()
            .all(|(i, w)| self.used[k][*i] + w <= self.limit[k][*i] + 1e-9)
            && (!new
                || self.in_total[c]
                    .iter()
                    .all(|i| self.total_used[*i] + 1.0 <= self.total_limit[*i] + 1e-9))
    }

    /// The class to give one more shift of `c` and what that costs it (its
    /// minimum), the cheapest among those it fits.
    fn to_add(&self, c: usize) -> Option<(usize, f64)> {
        (0..self.split.len())
            .filter(|k| self.fits(*k, c, true))
            .map(|k| (k, self.short_change(k, self.paid[k][c])))
            .min_by(|a, b| a.1.total_cmp(&b.1))
    }

    /// The class to take one shift of `c` from, and what that costs it.
    fn to_drop(&self, c: usize) -> Option<(usize, f64)> {
        (0..self.split.len())
            .filter(|k| self.split[*k][c] > 0.5)
            .map(|k| (k, self.short_change(k, -self.paid[k][c])))
            .min_by(|a, b| a.1.total_cmp(&b.1))
    }

    /// Class `k` takes `times` (±1) more shifts of `c`.
    fn apply(&mut self, k: usize, c: usize, times: f64) {
        self.split[k][c] += times;
        self.hours[k] += times * self.paid[k][c];
        if let Some(caps) = &self.caps_of[k][c] {
            for (i, w) in caps {
                self.used[k][*i] += times * w;
            }
        }
        for i in &self.in_total[c] {
            self.total_used[*i] += times;
        }
    }

    /// The minimums' cost of the plan.
    #[cfg(test)]
    fn cost(&self) -> f64 {
        (0..self.split.len())
            .map(|k| self.minimum[k].1 * (self.minimum[k].0 - self.hours[k]).max(0.0))
            .sum()
    }
}

/// The plan being improved, with what every move needs.
struct Search<'a> {
    model: &'a DemandModel,
    /// Per column (shift or break): the agent-cells it adds per interval.
    adds: Vec<Vec<(usize, f64)>>,
    /// Per interval: the agent-cells on the phones now.
    cells: Vec<f64>,
    /// Per interval: cells per agent, the requirement, the costs of an agent
    /// short and over.
    per_agent: Vec<f64>,
    required: Vec<f64>,
    under: Vec<f64>,
    over: Vec<f64>,
    /// Column values (shift counts, break placements).
    values: Vec<f64>,
    /// Who takes the shifts.
    classes: Classes,
    /// Scratch: the change per interval of a move, and the intervals it touches.
    change: Vec<f64>,
    is_touched: Vec<bool>,
    touched: Vec<usize>,
}

impl<'a> Search<'a> {
    fn new(model: &'a DemandModel, plan: &[f64], classes: Classes) -> Search<'a> {
        let n = model.slack_columns.len();
        let lp = &model.lp;
        let mut adds: Vec<Vec<(usize, f64)>> = vec![Vec::new(); lp.columns.len()];
        let rows = &lp.rows[model.presence_row..model.presence_row + n];
        for (t, (row, m)) in rows.iter().zip(&model.presence_columns).enumerate() {
            for (col, a) in &row.terms {
                if col != m {
                    adds[*col].push((t, *a));
                }
            }
        }
        let covers = &lp.rows[model.presence_row + n..model.presence_row + 2 * n];
        let per_agent = model.cells_per_agent();
        let mut cells = vec![0.0; n];
        for (col, list) in adds.iter().enumerate() {
            for (t, a) in list {
                cells[*t] += plan[col] * a;
            }
        }
        Search {
            model,
            adds,
            cells,
            per_agent,
            required: covers.iter().map(|r| r.lower).collect(),
            under: model
                .slack_columns
                .iter()
                .map(|(u, _)| lp.columns[*u].cost)
                .collect(),
            over: model
                .slack_columns
                .iter()
                .map(|(_, o)| lp.columns[*o].cost)
                .collect(),
            values: plan.to_vec(),
            classes,
            change: vec![0.0; n],
            is_touched: vec![false; n],
            touched: Vec::new(),
        }
    }

    fn interval_cost(&self, t: usize, cells: f64) -> f64 {
        let gap = self.required[t] - cells / self.per_agent[t];
        self.under[t] * gap.max(0.0) + self.over[t] * (-gap).max(0.0)
    }

    /// Adds `times` × column `col` to the pending change.
    fn stage(&mut self, col: usize, times: f64) {
        for &(t, a) in &self.adds[col] {
            if !self.is_touched[t] {
                self.is_touched[t] = true;
                self.touched.push(t);
            }
            self.change[t] += times * a;
        }
    }

    /// What the pending change would cost (coverage only).
    fn pending_cost(&self) -> f64 {
        self.touched
            .iter()
            .map(|&t| {
                self.interval_cost(t, self.cells[t] + self.change[t])
                    - self.interval_cost(t, self.cells[t])
            })
            .sum()
    }

    fn clear(&mut self) {
        for &t in &self.touched {
            self.change[t] = 0.0;
            self.is_touched[t] = false;
        }
        self.touched.clear();
    }

    /// Applies `times` × column `col` to the plan.
    fn apply(&mut self, col: usize, times: f64) {
        self.values[col] += times;
        for &(t, a) in &self.adds[col] {
            self.cells[t] += times * a;
        }
    }

    /// The cost of one more shift of candidate `c` with its breaks placed one
    /// after another where they cost least; the placements chosen.
    fn best_add(&mut self, c: usize) -> (f64, Vec<usize>) {
        let x = self.model.shift_columns[c];
        self.clear();
        self.stage(x, 1.0);
        let mut chosen = Vec::new();
        for b in 0..self.model.break_columns[c].len() {
            let mut best: Option<(f64, usize)> = None;
            for i in 0..self.model.break_columns[c][b].len() {
                let y = self.model.break_columns[c][b][i].1;
                self.stage(y, 1.0);
                let cost = self.pending_cost();
                self.stage(y, -1.0);
                if best.is_none_or(|(c, _)| cost < c - 1e-12) {
                    best = Some((cost, y));
                }
            }
            if let Some((_, y)) = best {
                self.stage(y, 1.0);
                chosen.push(y);
            }
        }
        let cost = self.pending_cost() + self.model.lp.columns[x].cost;
        self.clear();
        (cost, chosen)
    }

    /// The cost of one shift of candidate `c` fewer (it must have one), each break
    /// taken off the placement where that costs least; the placements.
    fn best_drop(&mut self, c: usize) -> (f64, Vec<usize>) {
        let x = self.model.shift_columns[c];
        self.clear();
        self.stage(x, -1.0);
        let mut chosen = Vec::new();
        for b in 0..self.model.break_columns[c].len() {
            let mut best: Option<(f64, usize)> = None;
            for i in 0..self.model.break_columns[c][b].len() {
                let y = self.model.break_columns[c][b][i].1;
                if self.values[y] < 0.5 {
                    continue;
                }
                self.stage(y, -1.0);
                let cost = self.pending_cost();
                self.stage(y, 1.0);
                if best.is_none_or(|(c, _)| cost < c - 1e-12) {
                    best = Some((cost, y));
                }
            }
            if let Some((_, y)) = best {
                self.stage(y, -1.0);
                chosen.push(y);
            }
        }
        let cost = self.pending_cost() - self.model.lp.columns[x].cost;
        self.clear();
        (cost, chosen)
    }

    fn add(&mut self, c: usize, breaks: &[usize]) {
        self.apply(self.model.shift_columns[c], 1.0);
        for &y in breaks {
            self.apply(y, 1.0);
        }
    }

    fn drop_one(&mut self, c: usize, breaks: &[usize]) {
        self.apply(self.model.shift_columns[c], -1.0);
        for &y in breaks {
            self.apply(y, -1.0);
        }
    }

    /// One round of every kind of move, each applied while it pays; whether any
    /// did.
    fn round(&mut self, near: &[Vec<usize>]) -> bool {
        let mut gained = false;
        let candidates = 0..self.model.shift_columns.len();
        // Drops, then adds.
        for c in candidates.clone() {
            while let Some((k, minimum)) = self.classes.to_drop(c) {
                let (cost, breaks) = self.best_drop(c);
                if cost + minimum >= -1e-9 {
                    break;
                }
                self.drop_one(c, &breaks);
                self.classes.apply(k, c, -1.0);
                gained = true;
            }
        }
        for c in candidates.clone() {
            while let Some((k, minimum)) = self.classes.to_add(c) {
                let (cost, breaks) = self.best_add(c);
                if cost + minimum >= -1e-9 {
                    break;
                }
                self.add(c, &breaks);
                self.classes.apply(k, c, 1.0);
                gained = true;
            }
        }
        // A break moved inside its window.
        for c in candidates.clone() {
            for b in 0..self.model.break_columns[c].len() {
                loop {
                    let choices = &self.model.break_columns[c][b];
                    let mut best: Option<(f64, usize, usize)> = None;
                    for &(_, from) in choices {
                        if self.values[from] < 0.5 {
                            continue;
                        }
                        for &(_, to) in choices {
                            if to == from {
                                continue;
                            }
                            self.clear();
                            self.stage(from, -1.0);
                            self.stage(to, 1.0);
                            let cost = self.pending_cost();
                            if cost < best.map_or(-1e-9, |b| b.0) {
                                best = Some((cost, from, to));
                            }
                        }
                    }
                    self.clear();
                    let Some((_, from, to)) = best else {
                        break;
                    };
                    self.apply(from, -1.0);
                    self.apply(to, 1.0);
                    gained = true;
                }
            }
        }
        // A shift exchanged for one starting near it.
        for c in candidates.clone() {
            let Some((k, minimum)) = self.classes.to_drop(c) else {
                continue;
            };
            let (drop_cost, dropped) = self.best_drop(c);
            let drop_cost = drop_cost + minimum;
            self.drop_one(c, &dropped);
            self.classes.apply(k, c, -1.0);
            let mut best: Option<(f64, usize, usize, Vec<usize>)> = None;
            for &d in &near[c] {
                let Some((to, minimum)) = self.classes.to_add(d) else {
                    continue;
                };
                let (cost, breaks) = self.best_add(d);
                let total = drop_cost + cost + minimum;
                if total < best.as_ref().map_or(-1e-9, |b| b.0) {
                    best = Some((total, d, to, breaks));
                }
            }
            match best {
                Some((_, d, to, breaks)) => {
                    self.add(d, &breaks);
                    self.classes.apply(to, d, 1.0);
                    gained = true;
                }
                None => {
                    self.add(c, &dropped);
                    self.classes.apply(k, c, 1.0);
                }
            }
        }
        // A shift handed from one class to another (coverage unchanged): hours
        // to the class short of its minimum, room where another needs it. (One
        // class, a plain plan's, has no other to hand to.)
        let classes = self.classes.split.len();
        for c in candidates.filter(|_| classes > 1) {
            for k in 0..classes {
                while self.classes.split[k][c] > 0.5 {
                    let given = self.classes.short_change(k, -self.classes.paid[k][c]);
                    self.classes.apply(k, c, -1.0);
                    let best = (0..classes)
                        .filter(|to| *to != k && self.classes.fits(*to, c, false))
                        .map(|to| {
                            (
                                to,
                                given + self.classes.short_change(to, self.classes.paid[to][c]),
                            )
                        })
                        .min_by(|a, b| a.1.total_cmp(&b.1))
                        .filter(|b| b.1 < -1e-9);
                    match best {
                        Some((to, _)) => {
                            self.classes.apply(to, c, 1.0);
                            gained = true;
                        }
                        None => {
                            self.classes.apply(k, c, 1.0);
                            break;
                        }
                    }
                }
            }
        }
        gained
    }

    #[cfg(test)]
    fn objective(&self) -> f64 {
        let coverage: f64 = (0..self.cells.len())
            .map(|t| self.interval_cost(t, self.cells[t]))
            .sum();
        let cost: f64 = self
            .model
            .shift_columns
            .iter()
            .map(|x| self.model.lp.columns[*x].cost * self.values[*x])
            .sum();
        coverage + cost + self.classes.cost()
    }
}

/// The plan improved by the local search (see the module's comment), until
/// `deadline`; never worse than `plan`, which must be whole. With `split` (per
/// contract class of the model's capacities: candidate → its shifts, adding up to
/// the plan's counts and within every cap) the search keeps the classes' caps and
/// weighs their minimums; without, the plan is a plain one. Its presence and
/// slack columns (and the classes' shares) are left for the caller to recompute.
pub(super) fn polish(
    model: &DemandModel,
    plan: &[f64],
    split: Option<&[BTreeMap<usize, f64>]>,
    deadline: Instant,
) -> Vec<f64> {
    let candidates = model.shift_columns.len();
    // Candidates starting within two hours of each other: the exchanges.
    let mut order: Vec<usize> = (0..candidates).collect();
    order.sort_by_key(|c| (model.candidates[*c].start_ms, *c));
    const NEAR_MS: i64 = 2 * 3_600_000;
    let mut near: Vec<Vec<usize>> = vec![Vec::new(); candidates];
    for (i, &c) in order.iter().enumerate() {
        let at = model.candidates[c].start_ms;
        for &d in order[i + 1..]
            .iter()
            .take_while(|d| model.candidates[**d].start_ms - at <= NEAR_MS)
        {
            near[c].push(d);
            near[d].push(c);
        }
    }
    let classes = match split {
        Some(split) => Classes::of(model, split),
        None => Classes::plain(model.shift_columns.iter().map(|x| plan[*x]).collect()),
    };
    let mut search = Search::new(model, plan, classes);
    while search.round(&near) && Instant::now() < deadline {}
    search.values
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::roster::demand::tests::day;
    use crate::roster::demand::{ClassCapacity, build};
    use crate::roster::{BreakRule, ShiftTemplate, Weights, Zone};

    fn template(name: &str, start_hour: u32, breaks: Vec<BreakRule>) -> ShiftTemplate {
        ShiftTemplate {
            name: name.into(),
            starts: vec![start_hour * 60],
            minutes: 4 * 60,
            days: [true; 7],
            cost_per_hour: 10.0,
            breaks,
        }
    }

    /// Whole counts per candidate (in candidate order) and breaks at their
    /// windows' first place: a plan as the search takes it.
    fn plan_of(model: &DemandModel, counts: &[f64]) -> Vec<f64> {
        let mut plan = vec![0.0; model.lp.columns.len()];
        for (c, &k) in counts.iter().enumerate() {
            plan[model.shift_columns[c]] = k;
            for choices in &model.break_columns[c] {
                plan[choices[0].1] = k;
            }
        }
        plan
    }

    #[test]
    fn a_shift_in_the_wrong_place_is_dropped_and_one_added_where_needed() {
        // One agent wanted 08:00–16:00; A works 08–12, B 12–16 (4 h, no breaks).
        // Weights: under 100, over 10 an agent-hour, cost 0.01 × 10 × 4 h = 0.4 a
        // shift. Two A and no B: 4 agent-hours over (40) and 4 short (400), plus
        // 0.8. Dropping an A saves 40.4; adding a B saves 399.6: one each, the
        // optimum by hand (nothing short or over, 0.8 of cost).
        let mut agents = vec![0.0; 24];
        agents[8..16].fill(1.0);
        let templates = [template("A", 8, vec![]), template("B", 12, vec![])];
        let model =
            build(&day(&agents), &templates, &Weights::default(), &Zone::Utc).expect("model");
        assert_eq!(model.candidates.len(), 2);
        let plan = plan_of(&model, &[2.0, 0.0]);
        let search = Search::new(&model, &plan, Classes::plain(vec![2.0, 0.0]));
        assert!(
            (search.objective() - 440.8).abs() < 1e-9,
            "{}",
            search.objective()
        );
        let far = Instant::now() + std::time::Duration::from_secs(5);
        let polished = polish(&model, &plan, None, far);
        assert_eq!(polished[model.shift_columns[0]], 1.0);
        assert_eq!(polished[model.shift_columns[1]], 1.0);
        // The model scores the polished plan as the search does (its presence
        // and slack columns recomputed).
        let whole = model.rounded(&polished, 1.0);
        assert!((model.lp.objective_at(&whole) - 0.8).abs() < 1e-9);
    }

    #[test]
    fn contract_classes_keep_their_caps_and_get_their_minimum() {
        // One agent wanted 08:00–16:00; A works 08–12, B 12–16 (4 h, no breaks,
        // 0.4 of cost each). Two classes may take either: class 0 at most one
        // shift, a 4-hour minimum short at 1000 an hour; class 1 neither cap nor
        // minimum. Start: one A, class 1's: B's 4 hours short (400), class 0's
        // minimum (4000), 0.4 → 4400.4.
        //   Drops: A from class 1 uncovers 08–12: +399.6. No.
        //   Adds: A to class 0 (−4000 of its minimum, +40 over, +0.4) → 41.2 after
        //   B is added too (to class 1, the one it fits: −400 + 0.4): two A, one B.
        //   Next round: the A class 1 holds dropped (−40 − 0.4; class 0's would
        //   cost its minimum back): one A (class 0), one B (class 1), nothing
        //   short or over — 0.8, the optimum (two shifts are needed to cover 8
        //   hours; class 0 holds one and needs it).
        let mut agents = vec![0.0; 24];
        agents[8..16].fill(1.0);
        let templates = [template("A", 8, vec![]), template("B", 12, vec![])];
        let mut model =
            build(&day(&agents), &templates, &Weights::default(), &Zone::Utc).expect("model");
        let both: BTreeMap<usize, usize> = [(0, 0), (1, 0)].into();
        let hours: BTreeMap<usize, f64> = [(0, 4.0), (1, 4.0)].into();
        model.capacities.classes = vec![
            ClassCapacity {
                share: both.clone(),
                caps: vec![(vec![(0, 1.0), (1, 1.0)], 1.0)],
                paid_hours: hours.clone(),
                minimum: (4.0, 1000.0),
                members: vec![0],
            },
            ClassCapacity {
                share: both,
                caps: Vec::new(),
                paid_hours: hours,
                minimum: (0.0, 1000.0),
                members: vec![1],
            },
        ];
        let plan = plan_of(&model, &[1.0, 0.0]);
        let split = [BTreeMap::new(), BTreeMap::from([(0, 1.0)])];
        let start = Search::new(&model, &plan, Classes::of(&model, &split));
        assert!(
            (start.objective() - 4400.4).abs() < 1e-9,
            "{}",
            start.objective()
        );
        let far = Instant::now() + std::time::Duration::from_secs(5);
        let polished = polish(&model, &plan, Some(&split), far);
        assert_eq!(polished[model.shift_columns[0]], 1.0);
        assert_eq!(polished[model.shift_columns[1]], 1.0);
        // The search's own account: class 0 holds one shift (its cap) and its
        // four hours; the objective is the hand-worked 0.8.
        let mut search = Search::new(&model, &plan, Classes::of(&model, &split));
        let near = vec![Vec::new(), Vec::new()];
        while search.round(&near) {}
        assert!(
            (search.objective() - 0.8).abs() < 1e-9,
            "{}",
            search.objective()
        );
        assert_eq!(search.classes.used[0][0], 1.0);
        assert_eq!(search.classes.hours[0], 4.0);
    }

    #[test]
    fn breaks_move_and_a_shift_is_added_to_reach_the_hand_worked_optimum() {
        // Two agents wanted 08:00–12:00 except 09:00–10:00, where one will do.
        // A works 08–12 with a paid 1-hour break at 09:00 or 10:00 (0.4 of cost
        // a shift). With n shifts, k breaks at 09:00: on the phones n, n − k, k,
        // n from 08 to 12 against 2, 1, 2, 2 (10 an hour over, 100 short):
        //   n = 2: k = 0 → 210.8; k = 1 or 2 → 100.8;
        //   n = 3: k = 2 → 10 + 10 + 1.2 = 21.2 (k = 1 or 3 → 131.2, k = 0 → 241.2);
        //   n = 1 ≥ 200; n = 4 ≥ 41.6 (two hours two over).
        // The optimum: three shifts, two breaks at 09:00, one at 10:00 (21.2).
        // Start: two shifts, both breaks at 10:00 (210.8).
        let mut agents = vec![0.0; 24];
        agents[8..12].fill(2.0);
        agents[9] = 1.0;
        let coffee = BreakRule {
            name: "break".into(),
            minutes: 60,
            paid: true,
            earliest: 60,
            latest: 120,
        };
        let templates = [template("A", 8, vec![coffee])];
        let model =
            build(&day(&agents), &templates, &Weights::default(), &Zone::Utc).expect("model");
        let mut plan = plan_of(&model, &[2.0]);
        let choices = &model.break_columns[0][0];
        assert_eq!(choices.len(), 2, "a break at 09:00 or 10:00");
        plan[choices[0].1] = 0.0;
        plan[choices[1].1] = 2.0;
        assert!(
            (Search::new(&model, &plan, Classes::plain(vec![2.0])).objective() - 210.8).abs()
                < 1e-9
        );
        let far = Instant::now() + std::time::Duration::from_secs(5);
        let polished = polish(&model, &plan, None, far);
        assert_eq!(polished[model.shift_columns[0]], 3.0);
        assert_eq!(polished[choices[0].1], 2.0, "two breaks at 09:00");
        assert_eq!(polished[choices[1].1], 1.0, "one at 10:00");
        let whole = model.rounded(&polished, 1.0);
        assert!((model.lp.objective_at(&whole) - 21.2).abs() < 1e-9);
    }
}
