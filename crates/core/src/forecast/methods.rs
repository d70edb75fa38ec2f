//! Forecasting methods over a [`History`]: seasonal naive and the weekday × interval
//! profile. Each forecasts whole target days, one value per slot.

use super::{ForecastError, History, TargetDay};

/// How a profile combines the same weekday's past values of one slot.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ProfileStat {
    /// The mean.
    Mean,
    /// The median (robust to one odd week).
    Median,
    /// Exponentially weighted: the newest week weight 1, each older one × (1 − α).
    Ewma {
        /// α in (0, 1].
        alpha: f64,
    },
}

/// A forecasting method.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Method {
    /// Seasonal naive: each slot as on the latest day of the same weekday.
    SeasonalNaive,
    /// Weekday × interval profile over the latest `weeks` days of the target's
    /// weekday.
    Profile {
        /// How the weeks combine.
        stat: ProfileStat,
        /// How many of the latest same-weekday days.
        weeks: usize,
    },
    /// The per-slot median of [`Method::MEMBERS`]' forecasts: combinations are
    /// more robust than any one method picked by a backtest.
    Combination,
    /// Top-down: the day's total from simple exponential smoothing of the daily
    /// totals with weekday factors (each weekday's mean total over the latest 8
    /// weeks ÷ the mean of those), times the intraday shares of the target's
    /// weekday over its latest 4 days. Follows a change of level faster than a
    /// profile.
    TopDown {
        /// Smoothing weight of the newest day, in (0, 1].
        alpha: f64,
    },
    /// MSTL with daily and weekly seasons over the latest `weeks` weeks, its
    /// de-seasonalised level by exponential smoothing (the `augurs-mstl` crate).
    Mstl {
        /// The window, in weeks (at least 2).
        weeks: usize,
    },
}

impl Method {
    /// The methods [`Method::Combination`] takes the median of.
    pub const MEMBERS: [Method; 5] = [
        Method::SeasonalNaive,
        Method::Profile {
            stat: ProfileStat::Mean,
            weeks: 4,
        },
        Method::Profile {
            stat: ProfileStat::Median,
            weeks: 4,
        },
        Method::Profile {
            stat: ProfileStat::Ewma { alpha: 0.3 },
            weeks: 8,
        },
        Method::Profile {
            stat: ProfileStat::Mean,
            weeks: 8,
        },
    ];

    /// A short name for reports (`seasonal_naive`, `profile_mean_4`, …).
    pub fn name(&self) -> String {
        match self {
            Method::SeasonalNaive => "seasonal_naive".into(),
            Method::Profile { stat, weeks } => match stat {
                ProfileStat::Mean => format!("profile_mean_{weeks}"),
                ProfileStat::Median => format!("profile_median_{weeks}"),
                ProfileStat::Ewma { alpha } => format!("profile_ewma_{weeks}_{alpha}"),
            },
            Method::Combination => "combination_median".into(),
            Method::TopDown { alpha } => format!("top_down_ses_{alpha}"),
            Method::Mstl { weeks } => format!("mstl_{weeks}"),
        }
    }

    /// Forecasts `targets` (days after the history) from `history`: one vector of
    /// slot values per target, ≥ 0. A slot with no data in any day used is 0.
    pub fn forecast(
        &self,
        history: &History,
        targets: &[TargetDay],
    ) -> Result<Vec<Vec<f64>>, ForecastError> {
        if history.days().is_empty() {
            return Err(ForecastError::Empty);
        }
        if *self == Method::Combination {
            let each = Method::MEMBERS
                .iter()
                .map(|m| m.forecast(history, targets))
                .collect::<Result<Vec<_>, _>>()?;
            return Ok((0..targets.len())
                .map(|t| {
                    (0..history.slots())
                        .map(|s| {
                            let values: Vec<f64> = each.iter().map(|f| f[t][s]).collect();
                            median(values)
                        })
                        .collect()
                })
                .collect());
        }
        if let Method::TopDown { alpha } = *self {
            return top_down(history, targets, alpha);
        }
        if let Method::Mstl { weeks } = *self {
            return super::mstl::forecast(history, targets, weeks);
        }
        let weeks = match *self {
            Method::SeasonalNaive => 1,
            Method::Combination | Method::TopDown { .. } | Method::Mstl { .. } => {
                unreachable!("handled above")
            }
            Method::Profile { weeks, stat } => {
                if weeks == 0 {
                    return Err(ForecastError::Parameter(
                        "a profile needs at least one week",
                    ));
                }
                if let ProfileStat::Ewma { alpha } = stat
                    && !(alpha > 0.0 && alpha <= 1.0)
                {
                    return Err(ForecastError::Parameter(
                        "the EWMA weight α must be in (0, 1]",
                    ));
                }
                weeks
            }
        };
        targets
            .iter()
            .map(|t| {
                // The latest `weeks` days of the target's weekday, newest first.
                let same: Vec<&[f64]> = history
                    .days()
                    .iter()
                    .rev()
                    .filter(|d| d.weekday == t.weekday)
                    .take(weeks)
                    .map(|d| d.counts.as_slice())
                    .collect();
                if same.is_empty() {
                    return Err(ForecastError::NoSuchWeekday {
                        day: t.day,
                        weekday: t.weekday,
                    });
                }
                Ok((0..history.slots())
                    .map(|s| {
                        let values: Vec<f64> = same
                            .iter()
                            .map(|d| d[s])
                            .filter(|v| v.is_finite())
                            .collect();
                        self.combine(&values).max(0.0)
                    })
                    .collect())
            })
            .collect()
    }

    /// One slot's value from its past values, newest first (empty → 0).
    fn combine(&self, newest_first: &[f64]) -> f64 {
        if newest_first.is_empty() {
            return 0.0;
        }
        match self {
            Method::SeasonalNaive
            | Method::Combination
            | Method::TopDown { .. }
            | Method::Mstl { .. } => newest_first[0],
            Method::Profile { stat, .. } => match stat {
                ProfileStat::Mean => newest_first.iter().sum::<f64>() / newest_first.len() as f64,
                ProfileStat::Median => median(newest_first.to_vec()),
                ProfileStat::Ewma { alpha } => {
                    let (mut num, mut den, mut w) = (0.0, 0.0, 1.0);
                    for v in newest_first {
                        num += w * v;
                        den += w;
                        w *= 1.0 - alpha;
                    }
                    num / den
                }
            },
        }
    }
}

/// The top-down forecast (see [`Method::TopDown`]).
fn top_down(
    history: &History,
    targets: &[TargetDay],
    alpha: f64,
) -> Result<Vec<Vec<f64>>, ForecastError> {
    if !(alpha > 0.0 && alpha <= 1.0) {
        return Err(ForecastError::Parameter(
            "the smoothing weight α must be in (0, 1]",
        ));
    }
    // Whole days only: a day with a gap in an observed slot has no total.
    let totals: Vec<(u8, f64)> = history
        .days()
        .iter()
        .filter_map(|d| history.day_total(d).map(|t| (d.weekday, t)))
        .collect();
    // Weekday factors from the latest 8 totals of each weekday.
    let mut factor = [None; 7];
    for (w, f) in factor.iter_mut().enumerate() {
        let recent: Vec<f64> = totals
            .iter()
            .rev()
            .filter(|(d, _)| usize::from(*d) == w)
            .take(8)
            .map(|(_, t)| *t)
            .collect();
        if !recent.is_empty() {
            *f = Some(recent.iter().sum::<f64>() / recent.len() as f64);
        }
    }
    let seen: Vec<f64> = factor.iter().flatten().copied().collect();
    let mean = seen.iter().sum::<f64>() / seen.len().max(1) as f64;
    let factor = factor.map(|f| f.map(|f| if mean > 0.0 { f / mean } else { 0.0 }));
    // The level: SES over the totals with their weekday factor taken out.
    let mut level: Option<f64> = None;
    for (w, t) in &totals {
        if let Some(s) = factor[usize::from(*w)].filter(|s| *s > 0.0) {
            let x = t / s;
            level = Some(level.map_or(x, |l| alpha * x + (1.0 - alpha) * l));
        }
    }
    let shares = Method::Profile {
        stat: ProfileStat::Mean,
        weeks: 4,
    };
    targets
        .iter()
        .map(|t| {
            let Some(s) = factor[usize::from(t.weekday)] else {
                // Days of that weekday but none whole: no data, so 0 as a profile
                // would say; no such day at all: an error, as for a profile.
                if history.days().iter().any(|d| d.weekday == t.weekday) {
                    return Ok(vec![0.0; history.slots()]);
                }
                return Err(ForecastError::NoSuchWeekday {
                    day: t.day,
                    weekday: t.weekday,
                });
            };
            // The weekday's intraday shape, scaled to the smoothed total.
            let shape = shares.forecast(history, &[*t])?.remove(0);
            let shape_total: f64 = shape.iter().sum();
            let total = level.unwrap_or(0.0) * s;
            Ok(shape
                .iter()
                .map(|v| {
                    if shape_total > 0.0 {
                        (total * v / shape_total).max(0.0)
                    } else {
                        0.0
                    }
                })
                .collect())
        })
        .collect()
}

/// The median of non-empty `v` (the mean of the middle two for an even count).
fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

#[cfg(test)]
mod tests {
    use super::super::DayCounts;
    use super::*;

    /// Four weeks of Mondays and Tuesdays, 3 slots: Mondays 10, 20, 30, 40 in slot 0.
    fn weeks() -> History {
        let mut days = Vec::new();
        for w in 0..4 {
            let base = 7 * w;
            days.push(DayCounts {
                day: base,
                weekday: 0,
                counts: vec![10.0 * (w as f64 + 1.0), 5.0, 0.0],
            });
            days.push(DayCounts {
                day: base + 1,
                weekday: 1,
                counts: vec![1.0, f64::NAN, 0.0],
            });
        }
        History::new(3, days).expect("valid")
    }

    const MONDAY: TargetDay = TargetDay {
        day: 28,
        weekday: 0,
    };

    #[test]
    fn seasonal_naive_repeats_the_latest_same_weekday() {
        let f = Method::SeasonalNaive
            .forecast(&weeks(), &[MONDAY])
            .expect("forecast");
        assert_eq!(f, vec![vec![40.0, 5.0, 0.0]]);
    }

    #[test]
    fn profiles_combine_the_latest_weeks_as_worked_by_hand() {
        let h = weeks();
        let f = |stat, weeks| {
            Method::Profile { stat, weeks }
                .forecast(&h, &[MONDAY])
                .expect("forecast")[0][0]
        };
        // Slot 0 of the Mondays, newest first: 40, 30, 20, 10.
        assert_eq!(f(ProfileStat::Mean, 4), 25.0);
        assert_eq!(f(ProfileStat::Mean, 2), 35.0);
        assert_eq!(f(ProfileStat::Median, 3), 30.0);
        assert_eq!(f(ProfileStat::Median, 4), 25.0);
        // α = 0.5: (40 + 15 + 5 + 1.25) ÷ (1 + 0.5 + 0.25 + 0.125) = 61.25 ÷ 1.875.
        assert!((f(ProfileStat::Ewma { alpha: 0.5 }, 4) - 61.25 / 1.875).abs() < 1e-12);
    }

    #[test]
    fn the_combination_is_the_median_of_its_members() {
        // Slot 0 of the Mondays, newest first 40, 30, 20, 10: naive 40, mean-4 25,
        // median-4 25, EWMA(0.3) over them (40 + 21 + 9.8 + 3.43) ÷ 2.533 = 29.30…,
        // mean-8 (only 4 there) 25 → median 25.
        let f = Method::Combination
            .forecast(&weeks(), &[MONDAY])
            .expect("forecast");
        assert_eq!(f[0][0], 25.0);
        assert_eq!(f[0][2], 0.0);
    }

    #[test]
    fn top_down_follows_a_change_of_level_as_worked_by_hand() {
        // Mondays only, two slots split 3 : 1; totals 10, 10, 10, 10, 20, 20.
        let days = [10.0, 10.0, 10.0, 10.0, 20.0, 20.0]
            .iter()
            .enumerate()
            .map(|(w, t)| DayCounts {
                day: 4 + 7 * w as i32,
                weekday: 0,
                counts: vec![0.75 * t, 0.25 * t],
            })
            .collect();
        let h = History::new(2, days).expect("valid");
        let target = TargetDay {
            day: 4 + 42,
            weekday: 0,
        };
        // One weekday: factor 1. SES α 0.5: 10, 10, 10, 10, 15, 17.5 → 17.5, split
        // 3 : 1 (the latest 4 Mondays' shape) → 13.125 and 4.375. The 4-week mean
        // profile says 15 in all.
        let f = Method::TopDown { alpha: 0.5 }
            .forecast(&h, &[target])
            .expect("forecast");
        assert!((f[0][0] - 13.125).abs() < 1e-12 && (f[0][1] - 4.375).abs() < 1e-12);
        let p = Method::Profile {
            stat: ProfileStat::Mean,
            weeks: 4,
        }
        .forecast(&h, &[target])
        .expect("forecast");
        assert_eq!(p[0][0] + p[0][1], 15.0);
    }

    #[test]
    fn every_method_recovers_a_pure_weekly_profile_and_keeps_closed_hours_zero() {
        // Nine weeks, 8 slots a day: closed slots 0–1 and 7 every day and all of
        // Sunday; open slots a weekday × slot shape with no noise.
        let shape = |weekday: u8, slot: usize| -> f64 {
            if weekday == 6 || !(2..7).contains(&slot) {
                0.0
            } else {
                (10 + 5 * slot) as f64 * [1.3, 1.1, 1.0, 1.0, 0.9, 0.5, 0.0][usize::from(weekday)]
            }
        };
        let days = (0..63)
            .map(|i| {
                let weekday = (i % 7) as u8;
                DayCounts {
                    day: 4 + i,
                    weekday,
                    counts: (0..8).map(|s| shape(weekday, s)).collect(),
                }
            })
            .collect();
        let h = History::new(8, days).expect("valid");
        let targets: Vec<TargetDay> = (0..7)
            .map(|i| TargetDay {
                day: 4 + 63 + i,
                weekday: i as u8,
            })
            .collect();
        let mut methods = Method::MEMBERS.to_vec();
        methods.extend([
            Method::Combination,
            Method::TopDown { alpha: 0.3 },
            Method::Mstl { weeks: 8 },
        ]);
        for m in methods {
            let f = m.forecast(&h, &targets).expect("forecast");
            for (t, day) in targets.iter().zip(&f) {
                for (s, v) in day.iter().enumerate() {
                    let want = shape(t.weekday, s);
                    // Exact for the averages; MSTL's LOESS seasons within 2 %.
                    let tolerance = if matches!(m, Method::Mstl { .. }) {
                        0.02 * want
                    } else {
                        1e-9
                    };
                    assert!(
                        (v - want).abs() <= tolerance,
                        "{}: weekday {} slot {s}: {v} vs {want}",
                        m.name(),
                        t.weekday
                    );
                    if want == 0.0 {
                        assert_eq!(*v, 0.0, "{}: closed stays 0", m.name());
                    }
                }
            }
        }
    }

    #[test]
    fn closed_slots_stay_zero_and_missing_ones_are_skipped() {
        let h = weeks();
        let tuesday = TargetDay {
            day: 29,
            weekday: 1,
        };
        let m = Method::Profile {
            stat: ProfileStat::Mean,
            weeks: 4,
        };
        // Slot 1 of the Tuesdays has no data at all: 0, not NaN; slot 2 is closed: 0.
        assert_eq!(
            m.forecast(&h, &[tuesday]).expect("forecast"),
            vec![vec![1.0, 0.0, 0.0]]
        );
    }

    #[test]
    fn a_weekday_never_seen_is_an_error_not_a_guess() {
        let sunday = TargetDay {
            day: 34,
            weekday: 6,
        };
        assert_eq!(
            Method::SeasonalNaive.forecast(&weeks(), &[sunday]),
            Err(ForecastError::NoSuchWeekday {
                day: 34,
                weekday: 6
            })
        );
    }

    #[test]
    fn histories_are_checked() {
        let day = |day, counts: Vec<f64>| DayCounts {
            day,
            weekday: 0,
            counts,
        };
        assert!(matches!(
            History::new(2, vec![day(0, vec![1.0])]),
            Err(ForecastError::SlotCount { .. })
        ));
        assert!(matches!(
            History::new(1, vec![day(1, vec![1.0]), day(1, vec![1.0])]),
            Err(ForecastError::Order { day: 1 })
        ));
    }
}
