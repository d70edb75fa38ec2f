//! Agents' weeks as day patterns, in a bound. Stage 1's relaxation counts each
//! contract class's shifts per day but not how they fall to its agents: nothing
//! in it stops a class from working Monday to Saturday with every agent off one
//! day of it, each day off alone between worked days, or everyone working half a
//! weekend. Here each group of like agents (one class, the same days free, the
//! same limits) is dealt whole-day patterns — the set of days an agent works —
//! as continuous counts, so every named roster is one of its points: the class's
//! shifts on a day are its agents whose pattern holds that day, their paid hours
//! lie between the pattern's days at the class's shortest and longest shift, and
//! a pattern pays what a week of those days always pays (days off alone between
//! worked days, preferred days off worked, weekend shifts above the mean).
//!
//! The weekend rule's mean `m` is the total over the agents who may work
//! weekends, which the roster chooses. The counts above the mean sum to the
//! deficits below it (both are the absolute deviations' half), so with the total
//! held in `[lo, hi]` (means `m_lo ≤ m ≤ m_hi`) the excess is at least each
//! agent's count above `m_hi` summed, and at least each one's count below
//! `m_lo` summed: the larger of two pattern costs, exact where `lo = hi`. A few
//! such segments, the outer two open, cover every total; the least of their
//! values bounds every roster.

use super::lp::{Column, LinearModel, Row};
use std::time::Instant;

/// Like agents of one contract class.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Group {
    /// How many agents.
    pub(super) size: f64,
    /// The days (bits, by day index) they may work some shift of their class.
    pub(super) workable: u32,
    /// Their `max_days_week`.
    pub(super) max_days: u32,
    /// Their `max_consecutive_days`.
    pub(super) max_run: u32,
    /// Their `max_hours_week` (infinite: no maximum).
    pub(super) max_hours: f64,
    /// The days they would rather have off (bits).
    pub(super) preferred_off: u32,
}

/// One contract class of stage 1.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Class {
    /// Per day index, the class's share columns of that day's candidates with
    /// their paid hours.
    pub(super) shares: Vec<Vec<(usize, f64)>>,
    /// Its agents, grouped.
    pub(super) groups: Vec<Group>,
}

/// The week and the soft rules' weights.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Week {
    /// Per day index, whether it is a weekend day.
    pub(super) weekend: Vec<bool>,
    /// Per single day off between worked days.
    pub(super) single_day_off: f64,
    /// Per shift on a preferred day off.
    pub(super) preference: f64,
    /// Per weekend shift above the mean.
    pub(super) fairness: f64,
}

impl Week {
    /// The weekend days (bits).
    fn weekend_mask(&self) -> u32 {
        (0..self.weekend.len())
            .filter(|d| self.weekend[*d])
            .map(|d| 1 << d)
            .sum()
    }
}

/// The longest run of set bits in `mask`.
fn longest_run(mask: u32) -> u32 {
    let (mut best, mut m) = (0, mask);
    while m != 0 {
        m &= m << 1;
        best += 1;
    }
    best
}

/// Days off alone between two worked days in `pattern` (days 1 … days − 2).
fn lone_days_off(pattern: u32, days: usize) -> u32 {
    (1..days.saturating_sub(1))
        .filter(|d| {
            pattern & (1 << d) == 0
                && pattern & (1 << (d - 1)) != 0
                && pattern & (1 << (d + 1)) != 0
        })
        .count() as u32
}

/// The patterns `group` may work: subsets of its workable days within its days,
/// its run and (at the class's shortest shift `shortest` hours) its maximum.
fn patterns(group: &Group, shortest: f64) -> Vec<u32> {
    let mut out = Vec::new();
    let mut s = group.workable;
    // Every subset of the workable days, the empty one included.
    loop {
        let n = s.count_ones();
        if n <= group.max_days
            && longest_run(s) <= group.max_run
            && f64::from(n) * shortest <= group.max_hours + 1e-9
        {
            out.push(s);
        }
        if s == 0 {
            break;
        }
        s = (s - 1) & group.workable;
    }
    out
}

/// `lp` (stage 1's relaxation) with the classes' agents dealt day patterns.
/// With `weekend_total = Some((lo, hi))` the weekend rule's total is held within
/// `[lo, hi]` (either side open) and the excess above the mean is priced as the
/// larger of the two sums of the module's note; without it the rule is left
/// out. Returns the model and the weekend total's column (None without
/// weekend-able agents).
pub(super) fn model(
    lp: &LinearModel,
    classes: &[Class],
    week: &Week,
    weekend_total: Option<(Option<f64>, Option<f64>)>,
) -> (LinearModel, Option<usize>) {
    let mut m = lp.relaxed();
    let days = week.weekend.len();
    let weekend_mask = week.weekend_mask();
    let able = weekend_able(classes, week);
    // The two sums' terms: per pattern column, its count below m_lo and above m_hi.
    let priced = weekend_total.filter(|_| week.fairness > 0.0 && able >= 2.0);
    let means = priced.map(|(lo, hi)| (lo.map(|t| t / able), hi.map(|t| t / able)));
    let mut below: Vec<(usize, f64)> = Vec::new();
    let mut above: Vec<(usize, f64)> = Vec::new();
    let mut weekend_terms: Vec<(usize, f64)> = Vec::new();
    for (k, class) in classes.iter().enumerate() {
        let hours = class.shares.iter().flatten().map(|(_, h)| *h);
        let shortest = hours.clone().fold(f64::INFINITY, f64::min);
        let longest = hours.fold(0.0, f64::max);
        if !shortest.is_finite() {
            continue;
        }
        let mut on_day: Vec<Vec<(usize, f64)>> = class
            .shares
            .iter()
            .map(|s| s.iter().map(|(y, _)| (*y, 1.0)).collect())
            .collect();
        let paid: Vec<(usize, f64)> = class.shares.iter().flatten().copied().collect();
        let (mut least, mut most) = (paid.clone(), paid);
        for (g, group) in class.groups.iter().enumerate() {
            let mut count = Vec::new();
            for s in patterns(group, shortest) {
                let n = s.count_ones();
                let w = f64::from((s & weekend_mask).count_ones());
                let cost = week.single_day_off * f64::from(lone_days_off(s, days))
                    + week.preference * f64::from((s & group.preferred_off).count_ones());
                let x = m.add_column(Column::continuous(
                    format!("class {k} group {g}: agents working days {s:b}"),
                    cost,
                ));
                count.push((x, 1.0));
                for (d, terms) in on_day.iter_mut().enumerate() {
                    if s & (1 << d) != 0 {
                        terms.push((x, -1.0));
                    }
                }
                least.push((x, -f64::from(n) * shortest));
                most.push((x, -(f64::from(n) * longest).min(group.max_hours)));
                if group.workable & weekend_mask != 0 {
                    if w > 0.0 {
                        weekend_terms.push((x, w));
                    }
                    if let Some((lo, hi)) = means {
                        if let Some(lo) = lo.filter(|lo| *lo > w) {
                            below.push((x, lo - w));
                        }
                        if let Some(hi) = hi.filter(|hi| w > *hi) {
                            above.push((x, w - hi));
                        }
                    }
                }
            }
            m.add_row(Row {
                name: format!("class {k} group {g}: each agent one pattern"),
                terms: count,
                lower: group.size,
                upper: group.size,
            });
        }
        for (d, terms) in on_day.into_iter().enumerate() {
            m.add_row(Row {
                name: format!("class {k}: shifts on day {d} are its agents working it"),
                terms,
                lower: 0.0,
                upper: 0.0,
            });
        }
        m.add_row(Row {
            name: format!("class {k}: paid hours at least the patterns' shortest"),
            terms: least,
            lower: 0.0,
            upper: f64::INFINITY,
        });
        m.add_row(Row {
            name: format!("class {k}: paid hours at most the patterns' longest"),
            terms: most,
            lower: f64::NEG_INFINITY,
            upper: 0.0,
        });
    }
    if means.is_some() {
        let excess = m.add_column(Column::continuous(
            "weekend shifts above the mean".into(),
            week.fairness,
        ));
        for (side, mut terms) in [("above", above), ("below", below)] {
            terms.push((excess, -1.0));
            m.add_row(Row {
                name: format!("the excess at least the counts {side} the segment's mean"),
                terms,
                lower: f64::NEG_INFINITY,
                upper: 0.0,
            });
        }
    }
    if weekend_terms.is_empty() {
        return (m, None);
    }
    let total = m.add_column(Column::continuous("weekend shifts in all".into(), 0.0));
    weekend_terms.push((total, -1.0));
    m.add_row(Row {
        name: "weekend shifts counted".into(),
        terms: weekend_terms,
        lower: 0.0,
        upper: 0.0,
    });
    if let Some((lo, hi)) = weekend_total {
        m.columns[total].lower = lo.unwrap_or(0.0);
        m.columns[total].upper = hi.unwrap_or(f64::INFINITY);
    }
    (m, Some(total))
}

/// One segment of weekend totals and its model's value: a lower bound on every
/// roster whose weekend total lies in `[lo, hi]` (None: open).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Segment {
    pub(super) lo: Option<f64>,
    pub(super) hi: Option<f64>,
    pub(super) value: f64,
}

impl Segment {
    /// Whether the total `t` lies in the segment.
    pub(super) fn holds(&self, t: f64) -> bool {
        self.lo.is_none_or(|lo| t >= lo) && self.hi.is_none_or(|hi| t <= hi)
    }
}

/// The agents counted in the weekend rule's mean: those who may work a weekend
/// day.
pub(super) fn weekend_able(classes: &[Class], week: &Week) -> f64 {
    let mask = week.weekend_mask();
    classes
        .iter()
        .flat_map(|c| &c.groups)
        .filter(|g| g.workable & mask != 0)
        .map(|g| g.size)
        .sum()
}

/// The segments around `at` (the relaxation's weekend total), `width` wide —
/// two below, two above and the open ones beyond, which together hold every
/// total — solved nearest first, each by `deadline`; those not solved in time are
/// left out (the caller's weaker bound stands for their totals).
pub(super) fn segments(
    lp: &LinearModel,
    classes: &[Class],
    week: &Week,
    at: f64,
    width: f64,
    deadline: Instant,
) -> Vec<Segment> {
    let a = at.round();
    let cuts = [a - width, a, a + width, a + 2.0 * width];
    let mut spans: Vec<(Option<f64>, Option<f64>)> = cuts
        .windows(2)
        .map(|w| (Some(w[0].max(0.0)), Some(w[1].max(0.0))))
        .collect();
    spans.push((None, Some(cuts[0].max(0.0))));
    spans.push((Some(cuts[3]), None));
    let mut out = Vec::new();
    for (lo, hi) in spans {
        if deadline
            .saturating_duration_since(Instant::now())
            .as_secs_f64()
            < 0.05
        {
            break;
        }
        let (m, _) = model(lp, classes, week, Some((lo, hi)));
        if let Some((value, _)) = super::floor::solved_below(&m, deadline) {
            out.push(Segment { lo, hi, value });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::lp::SolveOptions;
    use super::*;

    /// A stage 1 of one class, a share column per day (8 paid hours a shift)
    /// against `need`: 100 an agent short, 10 an agent over.
    fn stage_one(need: &[f64]) -> (LinearModel, Vec<Vec<(usize, f64)>>) {
        let mut lp = LinearModel::default();
        let mut shares = Vec::new();
        for (d, n) in need.iter().enumerate() {
            let y = lp.add_column(Column::continuous(format!("day {d}"), 0.0));
            let under = lp.add_column(Column::continuous(format!("under {d}"), 100.0));
            let over = lp.add_column(Column::continuous(format!("over {d}"), 10.0));
            lp.add_row(Row {
                name: format!("cover {d}"),
                terms: vec![(y, 1.0), (under, 1.0), (over, -1.0)],
                lower: *n,
                upper: *n,
            });
            shares.push(vec![(y, 8.0)]);
        }
        (lp, shares)
    }

    fn group(size: f64, days: usize, max_days: u32) -> Group {
        Group {
            size,
            workable: (1 << days) - 1,
            max_days,
            max_run: 7,
            max_hours: f64::INFINITY,
            preferred_off: 0,
        }
    }

    fn value(m: &LinearModel) -> f64 {
        m.solve(&SolveOptions::default(), None)
            .expect("solved")
            .objective
    }

    #[test]
    fn patterns_respect_days_runs_and_hours() {
        let mut g = group(1.0, 4, 2);
        // Subsets of 4 days with at most 2: 1 + 4 + 6.
        assert_eq!(patterns(&g, 8.0).len(), 11);
        g.max_run = 1;
        // Of the 6 pairs, 3 are two days in a row.
        assert_eq!(patterns(&g, 8.0).len(), 8);
        g.max_hours = 10.0;
        // One 8-hour day at most.
        assert_eq!(patterns(&g, 8.0).len(), 5);
        assert_eq!(lone_days_off(0b101, 3), 1);
        assert_eq!(lone_days_off(0b1001, 4), 0);
        assert_eq!(lone_days_off(0b110, 3), 0);
        assert_eq!(longest_run(0b1110_1101), 3);
    }

    #[test]
    fn a_hand_worked_week_pays_its_lone_day_off() {
        // Monday to Wednesday needing 2, 1, 1; two agents of at most two days.
        // Stage 1's relaxation covers it exactly (0). Both agents must work
        // Monday (else 100 an agent short), so their patterns are {Mon},
        // {Mon, Tue} or {Mon, Wed}; Tuesday's one and Wednesday's one take one
        // agent each, and {Mon, Wed} leaves Tuesday off alone: 10. No fraction
        // does better — a share of Wednesday short to spare a share of the lone
        // day costs 100 for 10.
        let (lp, shares) = stage_one(&[2.0, 1.0, 1.0]);
        assert!(value(&lp).abs() < 1e-6);
        let classes = [Class {
            shares,
            groups: vec![group(2.0, 3, 2)],
        }];
        let week = Week {
            weekend: vec![false; 3],
            single_day_off: 10.0,
            preference: 5.0,
            fairness: 5.0,
        };
        let (m, total) = model(&lp, &classes, &week, None);
        assert!(total.is_none());
        assert!((value(&m) - 10.0).abs() < 1e-6, "{}", value(&m));
        // Wednesday preferred off: that agent's week pays 5 more.
        let mut preferring = classes.clone();
        preferring[0].groups = vec![group(1.0, 3, 2), group(1.0, 3, 2)];
        preferring[0].groups[1].preferred_off = 0b100;
        let (m, _) = model(&lp, &preferring, &week, None);
        // Whoever works Wednesday is one of the two: the other may take it, so
        // the preference costs nothing; both preferring it, 5.
        assert!((value(&m) - 10.0).abs() < 1e-6, "{}", value(&m));
        preferring[0].groups[0].preferred_off = 0b100;
        let (m, _) = model(&lp, &preferring, &week, None);
        assert!((value(&m) - 15.0).abs() < 1e-6, "{}", value(&m));
    }

    #[test]
    fn a_hand_worked_weekend_pays_its_share_above_the_mean() {
        // One weekend day needing 2 among 3 agents of one day: two work it, the
        // mean is 2/3, the excess 2·(1 − 2/3) = 2/3 (fairness 5: 10/3), the
        // whole-number floor `least_excess(2, 3)`.
        let (lp, shares) = stage_one(&[2.0]);
        let classes = [Class {
            shares,
            groups: vec![group(3.0, 1, 1)],
        }];
        let week = Week {
            weekend: vec![true],
            single_day_off: 10.0,
            preference: 5.0,
            fairness: 5.0,
        };
        assert_eq!(weekend_able(&classes, &week), 3.0);
        let exact = 5.0 * super::super::floor::least_excess(2, 3);
        let of = |lo: Option<f64>, hi: Option<f64>| {
            value(&model(&lp, &classes, &week, Some((lo, hi))).0)
        };
        // The total held at 2: both sums are 2/3.
        assert!((of(Some(2.0), Some(2.0)) - exact).abs() < 1e-6);
        // Either open side alone, cut at 2: the same, one sum each.
        assert!((of(None, Some(2.0)) - exact).abs() < 1e-6);
        assert!((of(Some(2.0), None) - exact).abs() < 1e-6);
        // Held in [1.5, 2.5] (means 1/2 and 5/6): above, 2·(1/6) = 1/3; below,
        // 1·(1/2) = 1/2; the larger, 5 × 1/2 = 2.5 (the total stays at 2: a
        // half shift short costs 50).
        assert!((of(Some(1.5), Some(2.5)) - 2.5).abs() < 1e-6);
        // Without the rule, nothing.
        assert!(value(&model(&lp, &classes, &week, None).0).abs() < 1e-6);
        // The segments around 2, two wide, hold every total and, the nearest
        // holding 2, reach the floor.
        let far = Instant::now() + std::time::Duration::from_secs(30);
        let cut = segments(&lp, &classes, &week, 2.0, 2.0, far);
        assert_eq!(cut.len(), 5);
        for t in 0..=3 {
            assert!(cut.iter().any(|s| s.holds(f64::from(t))), "{t}");
        }
        let at_two = cut
            .iter()
            .filter(|s| s.holds(2.0))
            .map(|s| s.value)
            .fold(f64::NEG_INFINITY, f64::max);
        assert!((at_two - exact).abs() < 1e-5, "{cut:?}");
    }
}
