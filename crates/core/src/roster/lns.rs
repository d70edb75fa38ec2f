//! Fix and optimise over the full named model: a few agents' columns freed, every
//! other agent's week fixed as it stands, the model solved again from the
//! current roster (a feasible start), the answer kept when it costs less.
//!
//! Why: where the model sees every shift (the demo's week, duty and queue rows
//! on) the local search does not see those rows, and the solver, given the
//! whole model, did not better its start in the time (the demo's week: 13 s, and
//! 57 s at a 120 s limit, without a step). With most agents fixed the same
//! model is small: most solves still stop at their second, but with a better
//! roster found often enough (the demo's week: 104 888 → 90 765 at 30 s, 4 of
//! 10 solves gaining). The neighbourhoods are the agents who can cover the scarce rows
//! together — the night-capable (night duty), each queue's skilled agents — in
//! groups of a few, then agents picked by a fixed pseudo-random sequence (the
//! same inputs, the same order).

use super::lp::{LinearModel, LpSolution, SolveOptions};
use std::time::Instant;

/// At most this many agents freed at once (the demo's week at 30 s: 2 → 102 496,
/// 3 → 103 733, 4 → 90 949, 5 → 93 610, 6 → 103 732).
pub(super) const MOST_FREE: usize = 4;

/// The neighbourhoods: each of `groups` (agents who share a scarce role) cut into
/// runs of at most [`MOST_FREE`] (a group larger than that in overlapping
/// halves, so agents of different runs meet), then `random` sets of
/// [`MOST_FREE`] agents from a fixed sequence.
pub(super) fn neighbourhoods(
    agents: usize,
    groups: &[Vec<usize>],
    random: usize,
) -> Vec<Vec<usize>> {
    let mut out: Vec<Vec<usize>> = Vec::new();
    for group in groups.iter().filter(|g| !g.is_empty()) {
        if group.len() <= MOST_FREE {
            out.push(group.clone());
            continue;
        }
        let step = MOST_FREE / 2;
        let mut from = 0;
        while from < group.len() {
            out.push(group.iter().skip(from).take(MOST_FREE).copied().collect());
            if from + MOST_FREE >= group.len() {
                break;
            }
            from += step;
        }
    }
    // A linear congruential sequence (Knuth's MMIX constants): repeatable.
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    let take = MOST_FREE.min(agents);
    for _ in 0..random {
        let mut set: Vec<usize> = Vec::new();
        while set.len() < take {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            let a = ((state >> 33) % agents as u64) as usize;
            if !set.contains(&a) {
                set.push(a);
            }
        }
        set.sort_unstable();
        out.push(set);
    }
    out
}

/// How far the search went.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(super) struct Tally {
    /// Neighbourhoods solved.
    pub(super) solved: usize,
    /// Of those, the ones that lowered the objective.
    pub(super) improved: usize,
}

/// From `start` (a solution of `lp`), the neighbourhoods in turn, round after
/// round, each solved with every other agent's columns fixed at the current
/// values, until a whole round gains nothing or `deadline` passes (with a node
/// limit in `options` and a deadline the work fits in, the same answer on any
/// machine). `agent_columns`: per agent, (candidate, column) of their shifts.
/// Each solve has at most `per_solve_s` seconds. Returns the best solution (its
/// bound is the sub-model's, not a bound on `lp`: the caller keeps its own) and
/// the tally.
pub(super) fn improve(
    lp: &LinearModel,
    agent_columns: &[Vec<(usize, usize)>],
    start: LpSolution,
    sets: &[Vec<usize>],
    options: &SolveOptions,
    per_solve_s: f64,
    deadline: Instant,
) -> (LpSolution, Tally) {
    let mut best = start;
    let mut tally = Tally::default();
    let mut sub = lp.clone();
    let mut idle = 0;
    for set in sets.iter().cycle() {
        let left = deadline
            .saturating_duration_since(Instant::now())
            .as_secs_f64();
        // Every neighbourhood solved since the last gain: nothing more to find.
        if left < 0.05 || idle >= sets.len() {
            break;
        }
        for (a, cols) in agent_columns.iter().enumerate() {
            let free = set.contains(&a);
            for &(_, x) in cols {
                let (lo, hi) = if free {
                    (lp.columns[x].lower, lp.columns[x].upper)
                } else {
                    let v = best.values[x].round();
                    (v, v)
                };
                sub.columns[x].lower = lo;
                sub.columns[x].upper = hi;
            }
        }
        let solved = sub.solve(
            &SolveOptions {
                time_limit_s: per_solve_s.min(left),
                mip_gap: 1e-6,
                ..*options
            },
            Some(&best.values),
        );
        tally.solved += 1;
        match solved {
            Ok(s) if s.objective < best.objective - 1e-6 * best.objective.abs().max(1.0) => {
                best = s;
                tally.improved += 1;
                idle = 0;
            }
            _ => idle += 1,
        }
    }
    (best, tally)
}

#[cfg(test)]
mod tests {
    use super::super::assign::tests::{eight_hours, exact, monday};
    use super::super::assign::{Agent, AssignRules, build, with_names_fixed};
    use super::super::duty::DutyRules;
    use super::super::{Weights, Zone, demand};
    use super::*;

    #[test]
    fn a_freed_agent_takes_the_shift_nobody_worked_and_the_rest_stays() {
        // Monday 08–16, 1 agent an hour; one 08–16 shift (1 an hour). A and B
        // may both work it. Started from nobody working: 8 agent-hours under ×
        // 100 = 800. Freeing A alone (B fixed off), A takes the shift: 8 paid
        // hours × 1 × 0.01 = 0.08, nothing under, nothing over. Freeing B next (A
        // fixed on) gains nothing: B on too would be 8 hours over; nor does A
        // again. A whole round without a gain ends it: 3 solved, 1 improved.
        let templates = vec![eight_hours("day", 8)];
        let requirement = monday(8, 8, 1.0);
        let zone = Zone::Utc;
        let model = build(
            &requirement,
            &[],
            &templates,
            &Weights::default(),
            &[Agent::new("A"), Agent::new("B")],
            &AssignRules::default(),
            &DutyRules::default(),
            &zone,
            demand::candidates(&requirement, &templates, &zone),
        )
        .expect("builds");
        let options = exact();
        let start = with_names_fixed(&model.demand.lp, &model.agent_columns, &[vec![], vec![]])
            .solve(&options, None)
            .expect("solves");
        assert!(
            (start.objective - 800.0).abs() < 1e-6,
            "{}",
            start.objective
        );
        let (best, tally) = improve(
            &model.demand.lp,
            &model.agent_columns,
            start,
            &[vec![0], vec![1]],
            &options,
            10.0,
            Instant::now() + std::time::Duration::from_secs(60),
        );
        assert!((best.objective - 0.08).abs() < 1e-6, "{}", best.objective);
        assert_eq!(
            tally,
            Tally {
                solved: 3,
                improved: 1
            }
        );
        let works = |a: usize| {
            model.agent_columns[a]
                .iter()
                .any(|(_, x)| best.values[*x] > 0.5)
        };
        assert!(works(0) && !works(1));
    }

    #[test]
    fn neighbourhoods_cut_large_groups_into_overlapping_runs_and_repeat() {
        // A group of 7 in runs of 4 by steps of 2: 0–3, 2–5, 4–6 (the last run
        // reaches the end); a group of 2 as it is; then 2 random sets of 4 of 20.
        let big: Vec<usize> = (0..7).collect();
        let sets = neighbourhoods(20, &[big, vec![12, 15], Vec::new()], 2);
        assert_eq!(sets[0], vec![0, 1, 2, 3]);
        assert_eq!(sets[1], vec![2, 3, 4, 5]);
        assert_eq!(sets[2], vec![4, 5, 6]);
        assert_eq!(sets[3], vec![12, 15]);
        assert_eq!(sets.len(), 6);
        for set in &sets[4..] {
            assert_eq!(set.len(), 4);
            assert!(set.iter().all(|a| *a < 20));
            let mut unique = set.clone();
            unique.dedup();
            assert_eq!(unique.len(), 4, "{set:?}");
        }
        assert_eq!(
            sets,
            neighbourhoods(20, &[(0..7).collect(), vec![12, 15]], 2)
        );
        // Fewer agents than a set: all of them.
        assert_eq!(neighbourhoods(3, &[], 1), vec![vec![0, 1, 2]]);
    }
}
