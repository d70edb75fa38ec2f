//! Day-of-month effects: pay days and billing runs move volumes on the same
//! weekday by a quarter or more. Estimated from the history's daily totals, each
//! against its own weekday's level around it, and shrunk toward 1 by how much the
//! evidence says (empirical Bayes):
//!
//! * each whole day's ratio r = its total ÷ the mean total of the same weekday in
//!   the 4 weeks either side (the level and the weekday taken out);
//! * per day of month d (1–31) the mean ratio r̄_d over its n_d days;
//! * the noise of one ratio σ² (the pooled variance within days of month) and the
//!   true spread of the effects τ² (the variance of the r̄_d less the noise part
//!   σ²/n_d, at least 0);
//! * the factor m_d = 1 + (r̄_d − 1) · τ² ÷ (τ² + σ²/n_d): a day seen often with a
//!   steady effect keeps it, a day seen twice with a noisy one stays near 1, and a
//!   history with no effect at all (τ² = 0) gets 1 everywhere.
//!
//! Only a history spanning [`MIN_SPAN_DAYS`] or more is used (each day of the
//! month seen about three times).

use super::{DayCounts, ForecastError, History, Method, TargetDay};
use crate::time::civil_from_days;
use std::borrow::Cow;

/// The shortest history (first to last day) the effects are estimated from.
pub const MIN_SPAN_DAYS: i32 = 90;

/// Multipliers per day of the month.
#[derive(Debug, Clone, PartialEq)]
pub struct DayOfMonth {
    /// Factor of days 1 … 31 (index 0 = the 1st); 1 = no effect.
    pub factors: [f64; 31],
    /// Whole days behind each factor.
    pub days_seen: [u32; 31],
}

/// The day of the month (1–31) of a day since 1970-01-01.
fn day_of_month(day: i32) -> usize {
    civil_from_days(day).2 as usize
}

impl DayOfMonth {
    /// No effect.
    pub const NONE: DayOfMonth = DayOfMonth {
        factors: [1.0; 31],
        days_seen: [0; 31],
    };

    /// Estimated from `history` (see the module text); `None` when it spans under
    /// [`MIN_SPAN_DAYS`].
    pub fn estimate(history: &History) -> Option<DayOfMonth> {
        let days = history.days();
        let (first, last) = (days.first()?, days.last()?);
        if last.day - first.day < MIN_SPAN_DAYS {
            return None;
        }
        let totals: Vec<(i32, u8, f64)> = days
            .iter()
            .filter_map(|d| history.day_total(d).map(|t| (d.day, d.weekday, t)))
            .collect();
        // Backfitting: a day's neighbours may be pay days themselves, so their
        // totals are divided by the current factors and the estimate repeated.
        let mut out = DayOfMonth::NONE;
        for _ in 0..8 {
            out = estimate_once(&totals, &out);
        }
        Some(out)
    }

    /// The largest effect, |factor − 1|, over the days of the month.
    pub fn largest_effect(&self) -> f64 {
        self.factors
            .iter()
            .map(|f| (f - 1.0).abs())
            .fold(0.0, f64::max)
    }

    /// Whether every factor is 1.
    pub fn is_none(&self) -> bool {
        self.factors.iter().all(|f| *f == 1.0)
    }

    /// The factor of a day since 1970-01-01.
    pub fn factor(&self, day: i32) -> f64 {
        self.factors[day_of_month(day) - 1]
    }

    /// Multiplies each target day's forecast by its factor.
    pub fn scale(&self, targets: &[TargetDay], forecasts: &mut [Vec<f64>]) {
        if self.is_none() {
            return;
        }
        for (t, f) in targets.iter().zip(forecasts) {
            let k = self.factor(t.day);
            f.iter_mut().for_each(|v| *v *= k);
        }
    }

    /// `method`'s forecast of `targets` with the effects estimated on `history`:
    /// the method learns from the adjusted history, its forecast is scaled back.
    pub fn forecast(
        method: &Method,
        history: &History,
        targets: &[TargetDay],
    ) -> Result<(DayOfMonth, Vec<Vec<f64>>), ForecastError> {
        let calendar = DayOfMonth::estimate(history).unwrap_or(DayOfMonth::NONE);
        let mut f = method.forecast(&calendar.adjust(history), targets)?;
        calendar.scale(targets, &mut f);
        Ok((calendar, f))
    }

    /// `history` with each day divided by its factor: what the methods learn from.
    pub fn adjust<'h>(&self, history: &'h History) -> Cow<'h, History> {
        if self.is_none() {
            return Cow::Borrowed(history);
        }
        let days = history
            .days()
            .iter()
            .map(|d| {
                let f = self.factor(d.day);
                DayCounts {
                    day: d.day,
                    weekday: d.weekday,
                    counts: d.counts.iter().map(|c| c / f).collect(),
                }
            })
            .collect();
        Cow::Owned(History::new(history.slots(), days).expect("the same days, only scaled"))
    }
}

/// One pass of the estimate, the neighbours' totals divided by `current`'s factors.
fn estimate_once(totals: &[(i32, u8, f64)], current: &DayOfMonth) -> DayOfMonth {
    let mut ratios: Vec<Vec<f64>> = vec![Vec::new(); 31];
    for (i, &(day, weekday, total)) in totals.iter().enumerate() {
        let near = |&&(d, w, t): &&(i32, u8, f64)| {
            (w == weekday && d != day && (d - day).abs() <= 28).then(|| t / current.factor(d))
        };
        // Neighbours sit within 28 days either side, so only that stretch of
        // the sorted totals need be looked at.
        let lo = i.saturating_sub(29);
        let hi = (i + 30).min(totals.len());
        let level: Vec<f64> = totals[lo..hi].iter().filter_map(|x| near(&x)).collect();
        if level.len() < 2 {
            continue;
        }
        let mean = level.iter().sum::<f64>() / level.len() as f64;
        if mean > 0.0 {
            ratios[day_of_month(day) - 1].push(total / mean);
        }
    }
    let seen: Vec<(usize, f64, f64)> = ratios
        .iter()
        .enumerate()
        .filter(|(_, r)| r.len() >= 2)
        .map(|(d, r)| (d, r.iter().sum::<f64>() / r.len() as f64, r.len() as f64))
        .collect();
    if seen.len() < 2 {
        return DayOfMonth::NONE;
    }
    // σ²: the pooled within-day variance of the ratios.
    let (mut ss, mut dof) = (0.0, 0.0);
    for &(d, mean, n) in &seen {
        ss += ratios[d].iter().map(|r| (r - mean).powi(2)).sum::<f64>();
        dof += n - 1.0;
    }
    let sigma2 = ss / dof.max(1.0);
    // τ²: the spread of the day means beyond what their noise explains.
    let k = seen.len() as f64;
    let grand = seen.iter().map(|s| s.1).sum::<f64>() / k;
    let between = seen.iter().map(|s| (s.1 - grand).powi(2)).sum::<f64>() / (k - 1.0);
    let noise = seen.iter().map(|s| sigma2 / s.2).sum::<f64>() / k;
    let tau2 = (between - noise).max(0.0);
    let mut out = DayOfMonth::NONE;
    for (d, r) in ratios.iter().enumerate() {
        out.days_seen[d] = r.len() as u32;
    }
    if tau2 > 0.0 {
        for &(d, mean, n) in &seen {
            out.factors[d] = 1.0 + (mean - 1.0) * tau2 / (tau2 + sigma2 / n);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::days_from_civil;
    use rand::SeedableRng;
    use rand_distr::{Distribution, Poisson};

    /// Every day of 2024 and 2025 with one slot: 400 calls on weekdays, 150 on
    /// Saturdays, closed Sundays, × `effect(day of month)`, Poisson noise.
    fn two_years(effect: impl Fn(usize) -> f64) -> History {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(11);
        let start = days_from_civil(2024, 1, 1);
        let days = (0..731)
            .map(|i| {
                let day = start + i;
                let weekday = crate::time::weekday(day);
                let base = match weekday {
                    6 => 0.0,
                    5 => 150.0,
                    _ => 400.0,
                } * effect(day_of_month(day));
                let calls = if base > 0.0 {
                    Poisson::new(base).expect("rate").sample(&mut rng)
                } else {
                    0.0
                };
                DayCounts {
                    day,
                    weekday,
                    counts: vec![calls],
                }
            })
            .collect();
        History::new(1, days).expect("valid")
    }

    #[test]
    fn planted_pay_days_are_found_and_other_days_stay_near_one() {
        // Pay days: the 1st × 1.3, the 15th × 1.25, the 28th × 0.8.
        let effect = |d: usize| match d {
            1 => 1.3,
            15 => 1.25,
            28 => 0.8,
            _ => 1.0,
        };
        let m = DayOfMonth::estimate(&two_years(effect)).expect("two years");
        // Within 0.05: each day of the month is seen about 21 times with 5 %
        // Poisson noise a day, and its neighbours' own effects are backfitted.
        assert!((m.factors[0] - 1.3).abs() < 0.05, "{:?}", m.factors);
        assert!((m.factors[14] - 1.25).abs() < 0.05, "{:?}", m.factors);
        assert!((m.factors[27] - 0.8).abs() < 0.05, "{:?}", m.factors);
        // Every other day within 5 % of 1.
        for (d, f) in m.factors.iter().enumerate() {
            if ![0, 14, 27].contains(&d) {
                assert!((f - 1.0).abs() < 0.05, "day {}: {f}", d + 1);
            }
        }
        assert!(m.days_seen[0] >= 20, "{:?}", m.days_seen);
    }

    #[test]
    fn without_an_effect_every_factor_is_shrunk_to_one() {
        let m = DayOfMonth::estimate(&two_years(|_| 1.0)).expect("two years");
        // Poisson noise alone: the spread of the day means is what their noise
        // explains, so τ² is (about) 0 and nothing is kept.
        assert!(m.largest_effect() < 0.01, "{:?}", m.factors);
    }

    #[test]
    fn a_short_history_has_no_effects_and_adjusting_divides_by_the_factor() {
        let full = two_years(|d| if d == 1 { 1.5 } else { 1.0 });
        let short = History::new(1, full.days()[..60].to_vec()).expect("valid");
        assert_eq!(DayOfMonth::estimate(&short), None);
        let mut m = DayOfMonth::NONE;
        m.factors[0] = 2.0;
        let adjusted = m.adjust(&full);
        // 2024-01-01 (the 1st, a Monday) halves; 2024-01-02 stays.
        assert_eq!(adjusted.days()[0].counts[0], full.days()[0].counts[0] / 2.0);
        assert_eq!(adjusted.days()[1].counts[0], full.days()[1].counts[0]);
    }
}
