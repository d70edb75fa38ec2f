//! MSTL (multiple seasonal-trend decomposition by LOESS) with a daily and a weekly
//! season, through the `augurs-mstl` crate; the de-seasonalised series is forecast
//! by simple exponential smoothing with its weight fitted by one-step squared
//! error (ETS(A,N,N), what an automatic ETS picks on such a series; `augurs-ets`
//! would add nalgebra to the build for that one model).
//!
//! A contact centre's day is not a continuous series: nights are closed and some
//! weekdays never open. The series is built from the **open** slots (a non-zero
//! count somewhere in the window) of the **open** weekdays (data somewhere in the
//! window), over the latest `weeks` weeks; a missing cell (a day left out as
//! special, an interval without data) is filled with its weekday and slot's mean
//! over the window, so the seasons stay in phase. Closed slots and weekdays, and a
//! weekday's slot without a call in the whole window, forecast 0.

use super::{ForecastError, History, TargetDay};
use augurs_core::{Fit, Forecast, Predict};
use augurs_mstl::{FittedTrendModel, MSTLModel, TrendModel};
use std::borrow::Cow;

/// Boxed errors as the trend-model traits want them.
type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Simple exponential smoothing with α chosen on a grid by one-step squared error.
#[derive(Debug, Clone, Copy, Default)]
struct SmoothedLevel;

/// A fitted [`SmoothedLevel`].
#[derive(Debug, Clone)]
struct FittedLevel {
    level: f64,
    fitted: Vec<f64>,
}

/// The smoothing weights tried.
const ALPHAS: [f64; 10] = [0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.7, 0.9];

/// Runs SES with weight `alpha` over `y`: (one-step forecasts, final level, SSE).
fn smooth(y: &[f64], alpha: f64) -> (Vec<f64>, f64, f64) {
    let mut level = y[0];
    let mut fitted = Vec::with_capacity(y.len());
    let mut sse = 0.0;
    for &v in y {
        fitted.push(level);
        sse += (v - level).powi(2);
        level += alpha * (v - level);
    }
    (fitted, level, sse)
}

impl TrendModel for SmoothedLevel {
    fn name(&self) -> Cow<'_, str> {
        Cow::Borrowed("SES")
    }

    fn fit(&self, y: &[f64]) -> Result<Box<dyn FittedTrendModel + Sync + Send>, BoxError> {
        if y.is_empty() {
            return Err("an empty series has no level".into());
        }
        let (fitted, level, _) = ALPHAS
            .iter()
            .map(|a| smooth(y, *a))
            .min_by(|a, b| a.2.total_cmp(&b.2))
            .expect("ALPHAS is not empty");
        Ok(Box::new(FittedLevel { level, fitted }))
    }
}

impl FittedTrendModel for FittedLevel {
    fn predict_inplace(
        &self,
        horizon: usize,
        _level: Option<f64>,
        forecast: &mut Forecast,
    ) -> Result<(), BoxError> {
        forecast.point = vec![self.level; horizon];
        Ok(())
    }

    fn predict_in_sample_inplace(
        &self,
        _level: Option<f64>,
        forecast: &mut Forecast,
    ) -> Result<(), BoxError> {
        forecast.point = self.fitted.clone();
        Ok(())
    }

    fn training_data_size(&self) -> Option<usize> {
        Some(self.fitted.len())
    }
}

/// MSTL forecasts of `targets` (days after `history`) from its latest `weeks` weeks.
pub(super) fn forecast(
    history: &History,
    targets: &[TargetDay],
    weeks: usize,
) -> Result<Vec<Vec<f64>>, ForecastError> {
    if weeks < 2 {
        return Err(ForecastError::Parameter(
            "MSTL needs a window of at least two weeks",
        ));
    }
    let last = history.days().last().ok_or(ForecastError::Empty)?.day;
    let first = last - 7 * weeks as i32 + 1;
    let window: Vec<_> = history.days().iter().filter(|d| d.day >= first).collect();
    let slots = history.slots();
    // Open weekdays and slots, and each (weekday, slot)'s mean as the filling.
    let mut open_day = [false; 7];
    let mut open_slot = vec![false; slots];
    let mut sum = vec![[0.0f64; 7]; slots];
    let mut n = vec![[0u32; 7]; slots];
    for d in &window {
        for (s, v) in d.counts.iter().enumerate() {
            if v.is_finite() {
                open_day[usize::from(d.weekday)] = true;
                open_slot[s] |= *v != 0.0;
                sum[s][usize::from(d.weekday)] += v;
                n[s][usize::from(d.weekday)] += 1;
            }
        }
    }
    let open: Vec<usize> = (0..slots).filter(|s| open_slot[*s]).collect();
    let days_per_week = open_day.iter().filter(|o| **o).count();
    let fill = |s: usize, w: u8| {
        let k = n[s][usize::from(w)];
        if k > 0 {
            sum[s][usize::from(w)] / f64::from(k)
        } else {
            0.0
        }
    };
    // The series: every open weekday of the window, its open slots in order.
    let mut y = Vec::with_capacity(7 * weeks * open.len());
    let mut by_day = window.iter().peekable();
    for day in first..=last {
        let w = crate::time::weekday(day);
        let today = by_day.next_if(|d| d.day == day);
        if !open_day[usize::from(w)] {
            continue;
        }
        for &s in &open {
            y.push(
                today
                    .map(|d| d.counts[s])
                    .filter(|v| v.is_finite())
                    .unwrap_or_else(|| fill(s, w)),
            );
        }
    }
    let daily = open.len();
    let weekly = daily * days_per_week;
    // Steps ahead: each target's position after the series' end.
    let mut offsets = Vec::with_capacity(targets.len());
    for t in targets {
        if !history.days().iter().any(|d| d.weekday == t.weekday) {
            return Err(ForecastError::NoSuchWeekday {
                day: t.day,
                weekday: t.weekday,
            });
        }
        let between = (last + 1..t.day)
            .filter(|d| open_day[usize::from(crate::time::weekday(*d))])
            .count();
        offsets.push(open_day[usize::from(t.weekday)].then_some(between));
    }
    let horizon = offsets
        .iter()
        .flatten()
        .max()
        .map_or(0, |m| (m + 1) * daily);
    if daily == 0 || horizon == 0 {
        return Ok(vec![vec![0.0; slots]; targets.len()]);
    }
    // Both seasons when the window holds two weeks of them, else the daily one.
    let periods: Vec<usize> = [daily, weekly]
        .into_iter()
        .filter(|p| *p > 1 && 2 * p <= y.len())
        .collect();
    if periods.is_empty() {
        return Err(ForecastError::Parameter(
            "MSTL needs two days of history in its window",
        ));
    }
    let failed = |_| ForecastError::Parameter("the MSTL decomposition failed on this history");
    let fitted = MSTLModel::new(periods, SmoothedLevel)
        .fit(&y)
        .map_err(failed)?;
    let ahead = fitted.predict(horizon, None).map_err(failed)?.point;
    // A weekday's slot with no call in the whole window is closed: exactly 0, not
    // the seasons' small leftovers.
    Ok(offsets
        .iter()
        .zip(targets)
        .map(|(o, t)| {
            let mut day = vec![0.0; slots];
            if let Some(o) = o {
                for (i, &s) in open.iter().enumerate() {
                    if sum[s][usize::from(t.weekday)] > 0.0 {
                        day[s] = ahead[o * daily + i].max(0.0);
                    }
                }
            }
            day
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::super::{DayCounts, Method};
    use super::*;

    /// Weekdays only (Monday–Friday), 6 slots, the first and last closed; a
    /// Monday-heavy week and a midday peak, plus a level that steps up by
    /// `step` from week 6.
    fn history(weeks: i32, step: f64) -> History {
        let mut days = Vec::new();
        for w in 0..weeks {
            for wd in 0..5u8 {
                let level = if w >= 5 { 1.0 + step } else { 1.0 };
                let day_factor = [1.4, 1.0, 1.0, 0.9, 0.7][usize::from(wd)];
                let counts = [0.0, 20.0, 40.0, 60.0, 30.0, 0.0]
                    .iter()
                    .map(|v| v * day_factor * level)
                    .collect();
                days.push(DayCounts {
                    day: 4 + 7 * w + i32::from(wd),
                    weekday: wd,
                    counts,
                });
            }
        }
        History::new(6, days).expect("valid")
    }

    fn week_after(h: &History) -> Vec<TargetDay> {
        let monday = h.days().last().expect("days").day + 3;
        (0..5)
            .map(|i| TargetDay {
                day: monday + i,
                weekday: i as u8,
            })
            .collect()
    }

    #[test]
    fn a_pure_daily_and_weekly_pattern_is_recovered_and_closed_stays_zero() {
        let h = history(8, 0.0);
        let targets = week_after(&h);
        let f = Method::Mstl { weeks: 8 }
            .forecast(&h, &targets)
            .expect("forecast");
        let truth = Method::SeasonalNaive.forecast(&h, &targets).expect("naive");
        for (d, day) in f.iter().enumerate() {
            for (s, v) in day.iter().enumerate() {
                if s == 0 || s == 5 {
                    assert_eq!(*v, 0.0, "day {d} slot {s}: closed");
                } else {
                    // The decomposition is approximate (LOESS): within 2 %.
                    let t = truth[d][s];
                    assert!((v - t).abs() <= 0.02 * t, "day {d} slot {s}: {v} vs {t}");
                }
            }
        }
    }

    #[test]
    fn a_weekday_never_seen_is_an_error_as_for_every_method() {
        let h = history(8, 0.0);
        let saturday = TargetDay {
            day: h.days().last().expect("days").day + 1,
            weekday: 5,
        };
        assert!(matches!(
            Method::Mstl { weeks: 8 }.forecast(&h, &[saturday]),
            Err(ForecastError::NoSuchWeekday { weekday: 5, .. })
        ));
    }

    #[test]
    fn a_step_in_level_is_followed() {
        // Level × 1.3 for the last three weeks: MSTL's smoothed level follows it;
        // an 8-week mean profile lags (3 of 8 weeks at the new level).
        let h = history(8, 0.3);
        let targets = week_after(&h);
        let total = |f: Vec<Vec<f64>>| f.iter().flatten().sum::<f64>();
        let truth: f64 = 150.0 * (1.4 + 1.0 + 1.0 + 0.9 + 0.7) * 1.3;
        let mstl = total(
            Method::Mstl { weeks: 8 }
                .forecast(&h, &targets)
                .expect("mstl"),
        );
        let mean8 = total(
            Method::Profile {
                stat: super::super::ProfileStat::Mean,
                weeks: 8,
            }
            .forecast(&h, &targets)
            .expect("mean"),
        );
        assert!((mstl - truth).abs() < 0.03 * truth, "{mstl} vs {truth}");
        assert!((mean8 - truth).abs() > 0.1 * truth, "{mean8} vs {truth}");
    }

    #[test]
    fn the_smoothing_weight_is_fitted_by_one_step_error() {
        // A constant series: every α has SSE 0 and the level is that constant.
        let fitted = SmoothedLevel.fit(&[5.0; 20]).expect("fit");
        let f = fitted.predict(3, None).expect("predict");
        assert_eq!(f.point, vec![5.0; 3]);
        // A step from 0 to 10: the largest α tracks it best (SSE 100 × (1 − α)²…).
        let (_, level, sse) = smooth(&[0.0, 0.0, 10.0, 10.0, 10.0], 0.9);
        assert!((level - 9.99).abs() < 1e-9);
        assert!((sse - (100.0 + 1.0 + 0.01)).abs() < 1e-9);
    }
}
