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
use std::time::Instant;

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
    /// Scratch: the change per interval of a move, and the intervals it touches.
    change: Vec<f64>,
    is_touched: Vec<bool>,
    touched: Vec<usize>,
}

impl<'a> Search<'a> {
    fn new(model: &'a DemandModel, plan: &[f64]) -> Search<'a> {
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

    fn count(&self, c: usize) -> f64 {
        self.values[self.model.shift_columns[c]]
    }

    /// One round of every kind of move, each applied while it pays; whether any
    /// did.
    fn round(&mut self, near: &[Vec<usize>]) -> bool {
        let mut gained = false;
        let candidates = 0..self.model.shift_columns.len();
        // Drops, then adds.
        for c in candidates.clone() {
            while self.count(c) > 0.5 {
                let (cost, breaks) = self.best_drop(c);
                if cost >= -1e-9 {
                    break;
                }
                self.drop_one(c, &breaks);
                gained = true;
            }
        }
        for c in candidates.clone() {
            loop {
                let (cost, breaks) = self.best_add(c);
                if cost >= -1e-9 {
                    break;
                }
                self.add(c, &breaks);
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
            if self.count(c) < 0.5 {
                continue;
            }
            let (drop_cost, dropped) = self.best_drop(c);
            self.drop_one(c, &dropped);
            let mut best: Option<(f64, usize, Vec<usize>)> = None;
            for &d in &near[c] {
                let (cost, breaks) = self.best_add(d);
                if drop_cost + cost < best.as_ref().map_or(-1e-9, |b| b.0) {
                    best = Some((drop_cost + cost, d, breaks));
                }
            }
            match best {
                Some((_, d, breaks)) => {
                    self.add(d, &breaks);
                    gained = true;
                }
                None => self.add(c, &dropped),
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
        coverage + cost
    }
}

/// The plan improved by the local search (see the module's comment), until
/// `deadline`; never worse than `plan`, which must be whole. Its presence and
/// slack columns are left for the caller to recompute.
pub(super) fn polish(model: &DemandModel, plan: &[f64], deadline: Instant) -> Vec<f64> {
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
    let mut search = Search::new(model, plan);
    while search.round(&near) && Instant::now() < deadline {}
    search.values
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::roster::demand::build;
    use crate::roster::demand::tests::day;
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
        let search = Search::new(&model, &plan);
        assert!(
            (search.objective() - 440.8).abs() < 1e-9,
            "{}",
            search.objective()
        );
        let far = Instant::now() + std::time::Duration::from_secs(5);
        let polished = polish(&model, &plan, far);
        assert_eq!(polished[model.shift_columns[0]], 1.0);
        assert_eq!(polished[model.shift_columns[1]], 1.0);
        // The model scores the polished plan as the search does (its presence
        // and slack columns recomputed).
        let whole = model.rounded(&polished, 1.0);
        assert!((model.lp.objective_at(&whole) - 0.8).abs() < 1e-9);
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
        assert!((Search::new(&model, &plan).objective() - 210.8).abs() < 1e-9);
        let far = Instant::now() + std::time::Duration::from_secs(5);
        let polished = polish(&model, &plan, far);
        assert_eq!(polished[model.shift_columns[0]], 3.0);
        assert_eq!(polished[choices[0].1], 2.0, "two breaks at 09:00");
        assert_eq!(polished[choices[1].1], 1.0, "one at 10:00");
        let whole = model.rounded(&polished, 1.0);
        assert!((model.lp.objective_at(&whole) - 21.2).abs() < 1e-9);
    }
}
