//! A bound that sees the fairness rules' whole numbers. Stage 1's relaxation
//! bounds every named roster but knows nothing of fairness, whose relaxed value
//! is 0 (every agent works the mean, a fraction). In whole shifts it cannot be:
//! `T` weekend (or night) shifts among `N` agents who may work them, each agent's
//! shifts above the mean `T/N` sum to at least `r·(1 − r/N)` with `r = T mod N`
//! (the agents all at ⌊T/N⌋ or ⌈T/N⌉; proof: the excesses above the mean sum to
//! half the absolute deviations, least when no two counts differ by two).
//!
//! That least excess depends on `T`, which the roster chooses; so stage 1's
//! relaxation is solved with each total fixed a little below and above where its
//! optimum puts it. The relaxation's value is convex in the total: it is at
//! least its optimum everywhere, and beyond a fixed point at least the line
//! through the optimum and that point. The bound is then the least, over whole
//! totals of both rules, of that lower profile plus both rules' least excess —
//! a lower bound on every named roster's objective (its other soft terms are
//! ≥ 0, and stage 1's terms are each at most the named model's).

use super::lp::{Column, LinearModel, Row, SolveOptions, SolveStatus};
use super::patterns::Segment;
use std::time::Instant;

/// The least sum of the agents' counts above the mean: `total` whole shifts
/// among `able` agents (0 when fewer than two agents: the model then has no
/// fairness rows).
pub(super) fn least_excess(total: u64, able: u64) -> f64 {
    if able < 2 {
        return 0.0;
    }
    let r = (total % able) as f64;
    r * (1.0 - r / able as f64)
}

/// The value of the relaxation `model` solved by `deadline` (interior point), a
/// little under the solver's for its tolerance, with its values; infinity when
/// infeasible, `None` when not solved in the time.
pub(super) fn solved_below(model: &LinearModel, deadline: Instant) -> Option<(f64, Vec<f64>)> {
    let left = deadline
        .saturating_duration_since(Instant::now())
        .as_secs_f64();
    if left < 0.05 {
        return None;
    }
    let options = SolveOptions {
        time_limit_s: left,
        interior_point: true,
        ..SolveOptions::default()
    };
    match model.solve(&options, None) {
        Ok(s) if s.status == SolveStatus::Optimal => {
            Some((s.objective - 1e-7 * s.objective.abs().max(1.0), s.values))
        }
        Err(super::lp::SolveError::Infeasible(_)) => Some((f64::INFINITY, Vec::new())),
        _ => None,
    }
}

/// Stage 1's relaxation as one rule's total moves: at least `base` everywhere,
/// and beyond each side's point `(t, value)` the line from the optimum through it
/// (`None`: not solved; a value of infinity: no plan has that total or beyond).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Profile {
    /// The total at the relaxation's optimum.
    pub(super) at: f64,
    /// The relaxation's optimum.
    pub(super) base: f64,
    /// The relaxation with the total fixed below `at`.
    pub(super) below: Option<(f64, f64)>,
    /// The relaxation with the total fixed above `at`.
    pub(super) above: Option<(f64, f64)>,
}

impl Profile {
    /// A lower bound on the relaxation with the total fixed at `t`.
    pub(super) fn at_least(&self, t: f64) -> f64 {
        let side = if t >= self.at { self.above } else { self.below };
        match side {
            Some((p, v)) if (t - self.at).abs() >= (p - self.at).abs() => {
                if !v.is_finite() {
                    return f64::INFINITY;
                }
                let slope = (v - self.base) / (p - self.at).abs().max(1e-9);
                (v + slope * ((t - self.at).abs() - (p - self.at).abs())).max(self.base)
            }
            _ => self.base,
        }
    }
}

/// The two rules' profiles (weekend, night) of stage 1's model `lp`, its columns
/// `kinds[k]` the shift counts each rule counts; each total moved `step` shifts
/// either way. Every solve stops by `deadline`; `None` when the relaxation
/// itself was not solved by then.
pub(super) fn profiles(
    lp: &LinearModel,
    kinds: [Vec<usize>; 2],
    step: f64,
    deadline: Instant,
) -> Option<[Profile; 2]> {
    let mut model = lp.relaxed();
    let mut totals = [0; 2];
    for (k, cols) in kinds.iter().enumerate() {
        let t = model.add_column(Column::continuous(format!("total {k}"), 0.0));
        let mut terms: Vec<(usize, f64)> = cols.iter().map(|c| (*c, 1.0)).collect();
        terms.push((t, -1.0));
        model.add_row(Row {
            name: format!("total {k} counted"),
            terms,
            lower: 0.0,
            upper: 0.0,
        });
        totals[k] = t;
    }
    let solve = |model: &LinearModel| solved_below(model, deadline);
    let (base, values) = solve(&model)?;
    if !base.is_finite() {
        return None;
    }
    let mut out = [0, 1].map(|k| Profile {
        at: values[totals[k]],
        base,
        below: None,
        above: None,
    });
    for (k, profile) in out.iter_mut().enumerate() {
        for up in [false, true] {
            let t = if up {
                profile.at + step
            } else {
                profile.at - step
            };
            if t < 0.0 {
                continue;
            }
            let column = &mut model.columns[totals[k]];
            let free = (column.lower, column.upper);
            (column.lower, column.upper) = (t, t);
            let solved = solve(&model);
            let column = &mut model.columns[totals[k]];
            (column.lower, column.upper) = free;
            let Some((v, _)) = solved else {
                continue;
            };
            if up {
                profile.above = Some((t, v));
            } else {
                profile.below = Some((t, v));
            }
        }
    }
    Some(out)
}

/// The least, over whole totals up to `most[k]`, of the profiles' lower bound
/// (the larger of the two) plus `weight` × both rules' least excess among
/// `able[k]` agents — the weekend part lifted, where a day-pattern segment
/// (`roster::patterns`) holds the weekend total, to that segment's value (which
/// bounds stage 1's terms, the weekend rule and the days off together; the
/// night rule's excess is apart from them, so it adds to either).
pub(super) fn bound(
    profiles: &[Profile; 2],
    able: [u64; 2],
    most: [u64; 2],
    weight: f64,
    segments: &[Segment],
) -> f64 {
    let lower: [Vec<f64>; 2] = [0, 1].map(|k| {
        (0..=most[k])
            .map(|t| profiles[k].at_least(t as f64))
            .collect()
    });
    let excess: [Vec<f64>; 2] = [0, 1].map(|k| {
        (0..=most[k])
            .map(|t| weight * least_excess(t, able[k]))
            .collect()
    });
    let mut best = f64::INFINITY;
    for (t, (lw, ew)) in lower[0].iter().zip(&excess[0]).enumerate() {
        let lifted = segments
            .iter()
            .filter(|s| s.holds(t as f64))
            .map(|s| s.value)
            .fold(f64::NEG_INFINITY, f64::max);
        for (ln, en) in lower[1].iter().zip(&excess[1]) {
            best = best.min((lw.max(*ln) + ew).max(lifted) + en);
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The least excess by brute force: every way to deal `total` among `able`
    /// agents (each at most `total`), the smallest sum above the mean.
    fn brute(total: u64, able: u64) -> f64 {
        fn deal(left: u64, agents: u64, mean: f64) -> f64 {
            if agents == 1 {
                return (left as f64 - mean).max(0.0);
            }
            (0..=left)
                .map(|n| (n as f64 - mean).max(0.0) + deal(left - n, agents - 1, mean))
                .fold(f64::INFINITY, f64::min)
        }
        deal(total, able, total as f64 / able as f64)
    }

    #[test]
    fn the_least_excess_is_the_brute_forces() {
        // E.g. 5 shifts among 3 agents: mean 5/3, counts 2, 2, 1 — two agents 1/3
        // above, 2/3 in all; r = 2, 2·(1 − 2/3) = 2/3.
        assert!((least_excess(5, 3) - 2.0 / 3.0).abs() < 1e-12);
        for able in 2..=4 {
            for total in 0..=9 {
                let (a, b) = (least_excess(total, able), brute(total, able));
                assert!((a - b).abs() < 1e-9, "{total} among {able}: {a} vs {b}");
            }
        }
        assert_eq!(least_excess(7, 1), 0.0);
    }

    #[test]
    fn day_pattern_segments_lift_the_weekend_totals_they_hold() {
        // A flat profile at 100, three weekend-able agents, totals 0 … 3, no
        // nights; fairness 5. Alone: T = 3 gives 100 + 5·0 = 100.
        let flat = Profile {
            at: 1.5,
            base: 100.0,
            below: None,
            above: None,
        };
        assert!((bound(&[flat, flat], [3, 0], [3, 0], 5.0, &[]) - 100.0).abs() < 1e-12);
        // Segments: totals up to 1 at least 120, from 1 to 3 at least 104. Per
        // total: T = 0: 120; T = 1: max(100 + 10/3, 120, 104) = 120; T = 2:
        // max(103.33, 104) = 104; T = 3: max(100, 104) = 104. The least, 104.
        let cut = [
            Segment {
                lo: None,
                hi: Some(1.0),
                value: 120.0,
            },
            Segment {
                lo: Some(1.0),
                hi: Some(3.0),
                value: 104.0,
            },
        ];
        assert!((bound(&[flat, flat], [3, 0], [3, 0], 5.0, &cut) - 104.0).abs() < 1e-12);
        // A total no segment holds keeps the profile's bound: without the first
        // segment, T = 0 gives 100.
        assert!((bound(&[flat, flat], [3, 0], [3, 0], 5.0, &cut[1..]) - 100.0).abs() < 1e-12);
        // The night rule's excess adds to a segment's value: two night-capable
        // agents whose total can only be 1 (the profile closed either side).
        let night = Profile {
            at: 1.0,
            base: 100.0,
            below: Some((0.5, f64::INFINITY)),
            above: Some((1.5, f64::INFINITY)),
        };
        // Night total 1 of 2: excess 1/2, 2.5 at fairness 5: 104 + 2.5.
        assert!((bound(&[flat, night], [3, 2], [3, 2], 5.0, &cut) - 106.5).abs() < 1e-12);
    }

    #[test]
    fn the_profile_is_flat_between_its_points_and_rises_on_their_lines() {
        let p = Profile {
            at: 10.0,
            base: 100.0,
            below: Some((8.0, 104.0)),
            above: Some((12.0, 101.0)),
        };
        assert_eq!(p.at_least(10.0), 100.0);
        assert_eq!(p.at_least(9.0), 100.0);
        assert_eq!(p.at_least(11.5), 100.0);
        // Below: slope 2 a shift from 8 down; above: 0.5 a shift from 12 up.
        assert!((p.at_least(6.0) - 108.0).abs() < 1e-12);
        assert!((p.at_least(16.0) - 103.0).abs() < 1e-12);
        let closed = Profile {
            above: Some((12.0, f64::INFINITY)),
            ..p
        };
        assert_eq!(closed.at_least(13.0), f64::INFINITY);
        assert_eq!(closed.at_least(11.0), 100.0);
    }

    #[test]
    fn a_hand_worked_bound_sees_the_whole_shifts() {
        // One count x of weekend shifts, 2.5 wanted: 4 a shift under or over.
        // The relaxation: x = 2.5, value 0; fixed at 1.5 or 3.5, value 4. Four
        // agents may work weekends, fairness 5 a shift above the mean; nobody
        // works nights (their total is 0). Over whole totals T:
        //   T = 2: profile 0 (between the points) + 5·2·(1 − 2/4) = 5;
        //   T = 3: 0 + 5·3·(1 − 3/4) = 3.75;
        //   T = 4: 4 + 4·(4 − 3.5) = 6, excess 0: 6;
        // so the bound is 3.75 (the true least, 4·0.5 + 3.75 = 5.75 at T = 3,
        // is above it: the profile is flat within a shift of the optimum).
        let mut lp = LinearModel::default();
        let x = lp.add_column(Column {
            integer: true,
            ..Column::continuous("x".into(), 0.0)
        });
        let under = lp.add_column(Column::continuous("under".into(), 4.0));
        let over = lp.add_column(Column::continuous("over".into(), 4.0));
        lp.add_row(Row {
            name: "cover".into(),
            terms: vec![(x, 1.0), (under, 1.0), (over, -1.0)],
            lower: 2.5,
            upper: 2.5,
        });
        let far = Instant::now() + std::time::Duration::from_secs(30);
        let [weekend, night] = profiles(&lp, [vec![x], vec![]], 1.0, far).expect("solved");
        assert!((weekend.at - 2.5).abs() < 1e-6, "{weekend:?}");
        assert!(weekend.base.abs() < 1e-6);
        let (lo, hi) = (weekend.below.expect("below"), weekend.above.expect("above"));
        assert!(
            (lo.0 - 1.5).abs() < 1e-6 && (lo.1 - 4.0).abs() < 1e-5,
            "{lo:?}"
        );
        assert!(
            (hi.0 - 3.5).abs() < 1e-6 && (hi.1 - 4.0).abs() < 1e-5,
            "{hi:?}"
        );
        assert_eq!(night.above.map(|p| p.1), Some(f64::INFINITY));
        let b = bound(&[weekend, night], [4, 4], [6, 0], 5.0, &[]);
        assert!((b - 3.75).abs() < 1e-5, "{b}");
    }
}
