//! Rolling-origin backtest: a method replayed from past week starts, each forecast
//! made only from the days before its origin and scored against what happened.
//!
//! Scores are pooled over every (day, slot) with data:
//! * WAPE = Σ|actual − forecast| ÷ Σ actual;
//! * bias = Σ(forecast − actual) ÷ Σ actual (positive: over-forecast);
//! * MASE against seasonal naive = Σ|actual − forecast| ÷ Σ|actual − seasonal naive|
//!   on the same points (below 1: better than repeating last week).

use super::methods::Method;
use super::{ForecastError, History, TargetDay};

/// A method's pooled scores.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Score {
    /// Weighted absolute percentage error, as a fraction.
    pub wape: f64,
    /// Signed error over actuals, as a fraction.
    pub bias: f64,
    /// Absolute error ÷ seasonal naive's on the same points; `None` when naive is
    /// exact everywhere.
    pub mase: Option<f64>,
    /// (day, slot) points scored.
    pub points: usize,
    /// Σ actual over those points.
    pub actual_total: f64,
}

/// A method's backtest from weekly origins.
#[derive(Debug, Clone, PartialEq)]
pub struct WeeklyBacktest {
    /// The method's name.
    pub method: String,
    /// The origins: the week starts (days since 1970-01-01, a Monday) forecast from.
    pub origins: Vec<i32>,
    /// Pooled over every origin's week.
    pub score: Score,
    /// Per origin, in order.
    pub per_origin: Vec<Score>,
    /// Every scored point as (actual, forecast), origin by origin: what the
    /// prediction intervals are fitted and checked on.
    pub pairs: Vec<(f64, f64)>,
}

/// Running sums of a score.
#[derive(Default)]
struct Sums {
    abs: f64,
    signed: f64,
    actual: f64,
    naive_abs: f64,
    points: usize,
}

impl Sums {
    fn add(&mut self, actual: f64, forecast: f64, naive: f64) {
        if !actual.is_finite() {
            return;
        }
        self.abs += (actual - forecast).abs();
        self.signed += forecast - actual;
        self.actual += actual;
        self.naive_abs += (actual - naive).abs();
        self.points += 1;
    }

    fn merge(&mut self, o: &Sums) {
        self.abs += o.abs;
        self.signed += o.signed;
        self.actual += o.actual;
        self.naive_abs += o.naive_abs;
        self.points += o.points;
    }

    fn score(&self) -> Score {
        Score {
            wape: self.abs / self.actual,
            bias: self.signed / self.actual,
            mase: (self.naive_abs > 0.0).then(|| self.abs / self.naive_abs),
            points: self.points,
            actual_total: self.actual,
        }
    }
}

/// The Mondays that start a week of `history` after its first day (so each has
/// some history before it), ascending.
fn week_starts(history: &History) -> Result<Vec<i32>, ForecastError> {
    let first = history.days().first().ok_or(ForecastError::Empty)?.day;
    let mut starts: Vec<i32> = history
        .days()
        .iter()
        .map(|d| d.day - i32::from(d.weekday))
        .filter(|&ws| ws > first)
        .collect();
    starts.dedup();
    Ok(starts)
}

/// Forecasts the week starting `ws` from `train` with `method` and scores it
/// against `history`'s days of that week (seasonal naive alongside, for MASE); the
/// scored (actual, forecast) pairs are appended to `pairs`.
fn replay_week(
    history: &History,
    train: &History,
    ws: i32,
    method: &Method,
    pairs: &mut Vec<(f64, f64)>,
) -> Result<Sums, ForecastError> {
    let week: Vec<_> = history
        .days()
        .iter()
        .filter(|d| d.day >= ws && d.day < ws + 7)
        .collect();
    let targets: Vec<TargetDay> = week
        .iter()
        .map(|d| TargetDay {
            day: d.day,
            weekday: d.weekday,
        })
        .collect();
    let forecast = method.forecast(train, &targets)?;
    let naive = Method::SeasonalNaive.forecast(train, &targets)?;
    let mut sums = Sums::default();
    for ((d, f), n) in week.iter().zip(&forecast).zip(&naive) {
        for ((a, f), n) in d.counts.iter().zip(f).zip(n) {
            sums.add(*a, *f, *n);
            if a.is_finite() {
                pairs.push((*a, *f));
            }
        }
    }
    Ok(sums)
}

/// Replays `method` from each of the last `origins` week starts of `history` (a
/// week starts on Monday): the forecast of that week's days from the days before
/// it, scored against them. Origins with no earlier day are skipped; at least one
/// must remain.
pub fn weekly_backtest(
    history: &History,
    method: &Method,
    origins: usize,
) -> Result<WeeklyBacktest, ForecastError> {
    let starts = week_starts(history)?;
    let chosen = &starts[starts.len().saturating_sub(origins)..];
    if chosen.is_empty() {
        return Err(ForecastError::Parameter(
            "the backtest needs a week with history before it",
        ));
    }
    let mut total = Sums::default();
    let mut per_origin = Vec::with_capacity(chosen.len());
    let mut pairs = Vec::new();
    for &ws in chosen {
        let sums = replay_week(history, &history.before(ws), ws, method, &mut pairs)?;
        per_origin.push(sums.score());
        total.merge(&sums);
    }
    Ok(WeeklyBacktest {
        method: method.name(),
        origins: chosen.to_vec(),
        score: total.score(),
        per_origin,
        pairs,
    })
}

/// The automatic choice replayed honestly: from each of the last `origins` week
/// starts, every candidate is backtested on the `selection_weeks` weeks before that
/// origin only, the lowest WAPE is chosen, and the chosen method forecasts the
/// origin's week. Scores pool those forecasts (`method` is `auto`); the methods
/// chosen, origin by origin, are returned beside them.
pub fn auto_backtest(
    history: &History,
    candidates: &[Method],
    origins: usize,
    selection_weeks: usize,
) -> Result<(WeeklyBacktest, Vec<String>), ForecastError> {
    let starts = week_starts(history)?;
    let chosen_starts = &starts[starts.len().saturating_sub(origins)..];
    let (mut total, mut per_origin, mut pairs, mut picks) =
        (Sums::default(), Vec::new(), Vec::new(), Vec::new());
    let mut used = Vec::new();
    for &ws in chosen_starts {
        let train = history.before(ws);
        let best = candidates
            .iter()
            .filter_map(|m| {
                weekly_backtest(&train, m, selection_weeks)
                    .ok()
                    .map(|b| (*m, b.score.wape))
            })
            .filter(|(_, w)| w.is_finite())
            .min_by(|a, b| a.1.total_cmp(&b.1));
        let Some((method, _)) = best else {
            continue;
        };
        let sums = replay_week(history, &train, ws, &method, &mut pairs)?;
        per_origin.push(sums.score());
        total.merge(&sums);
        picks.push(method.name());
        used.push(ws);
    }
    if used.is_empty() {
        return Err(ForecastError::Parameter(
            "the automatic choice needs weeks of history before each origin",
        ));
    }
    Ok((
        WeeklyBacktest {
            method: "auto".into(),
            origins: used,
            score: total.score(),
            per_origin,
            pairs,
        },
        picks,
    ))
}

#[cfg(test)]
mod tests {
    use super::super::DayCounts;
    use super::super::methods::ProfileStat;
    use super::*;

    /// Mondays only (1970-01-05 was a Monday: day 4), one slot.
    fn mondays(values: &[f64]) -> History {
        let days = values
            .iter()
            .enumerate()
            .map(|(w, v)| DayCounts {
                day: 4 + 7 * w as i32,
                weekday: 0,
                counts: vec![*v],
            })
            .collect();
        History::new(1, days).expect("valid")
    }

    #[test]
    fn scores_are_the_hand_worked_ones() {
        // Mondays 10, 20, 40, 20. Origins: the last two weeks.
        // Week 3 (actual 40): naive 20, mean of 2 = 15. Week 4 (actual 20): naive 40,
        // mean of 2 = 30. Mean-2: |40−15| + |20−30| = 35 over 60 → WAPE 35/60;
        // bias (−25 + 10)/60; naive errors 20 + 20 = 40 → MASE 35/40.
        let h = mondays(&[10.0, 20.0, 40.0, 20.0]);
        let m = Method::Profile {
            stat: ProfileStat::Mean,
            weeks: 2,
        };
        let b = weekly_backtest(&h, &m, 2).expect("backtest");
        assert_eq!(b.origins, vec![4 + 14, 4 + 21]);
        assert!((b.score.wape - 35.0 / 60.0).abs() < 1e-12);
        assert!((b.score.bias + 15.0 / 60.0).abs() < 1e-12);
        assert_eq!(b.score.mase, Some(35.0 / 40.0));
        assert_eq!(b.score.points, 2);
        assert_eq!(b.per_origin.len(), 2);
        // Seasonal naive against itself: MASE 1.
        let n = weekly_backtest(&h, &Method::SeasonalNaive, 2).expect("backtest");
        assert_eq!(n.score.mase, Some(1.0));
    }

    #[test]
    fn a_pure_weekly_pattern_is_forecast_exactly() {
        let h = mondays(&[7.0; 6]);
        for m in [
            Method::SeasonalNaive,
            Method::Profile {
                stat: ProfileStat::Median,
                weeks: 4,
            },
        ] {
            let b = weekly_backtest(&h, &m, 4).expect("backtest");
            assert_eq!(b.score.wape, 0.0);
            assert_eq!(b.score.mase, None, "naive is exact too");
        }
    }

    #[test]
    fn the_honest_auto_choice_follows_a_step_change() {
        // Mondays at 10 for 8 weeks, then 20: repeating last week is exact a week
        // after the step, the 4-week mean lags for four. Chosen on the 2 weeks
        // before each origin, auto picks seasonal naive once it has seen the step
        // twice, and is then exact.
        let mut values = vec![10.0; 8];
        values.extend([20.0; 6]);
        let h = mondays(&values);
        let candidates = [
            Method::SeasonalNaive,
            Method::Profile {
                stat: ProfileStat::Mean,
                weeks: 4,
            },
        ];
        let (b, picks) = auto_backtest(&h, &candidates, 3, 2).expect("auto");
        assert_eq!(picks, ["seasonal_naive"; 3]);
        assert_eq!(b.score.wape, 0.0);
        assert_eq!(b.method, "auto");
    }

    #[test]
    fn origins_without_history_are_skipped() {
        let h = mondays(&[1.0, 2.0]);
        let b = weekly_backtest(&h, &Method::SeasonalNaive, 10).expect("backtest");
        assert_eq!(b.origins, vec![11]);
        assert!(weekly_backtest(&mondays(&[1.0]), &Method::SeasonalNaive, 3).is_err());
    }
}

#[cfg(test)]
mod ground_truth {
    //! Poisson counts drawn from a known weekly rate: the forecast of weeks 9–10 from
    //! weeks 1–8 is judged against the oracle that knows the rate.
    use super::super::intervals::Dispersion;
    use super::super::methods::ProfileStat;
    use super::super::{DayCounts, History, TargetDay};
    use super::*;
    use rand::SeedableRng;
    use rand_distr::{Distribution, Poisson};

    /// Calls per half hour: closed 20:00–08:00 and on Sundays, a midday peak,
    /// Mondays busier.
    fn rate(weekday: u8, slot: usize) -> f64 {
        if weekday == 6 || !(16..40).contains(&slot) {
            return 0.0;
        }
        let hour = slot as f64 / 2.0;
        let day = [1.3, 1.0, 1.0, 1.0, 0.9, 0.5, 0.0][weekday as usize];
        day * (40.0 + 30.0 * (-((hour - 12.0) / 3.0).powi(2)).exp())
    }

    fn days(weeks: i32, rng: &mut rand_chacha::ChaCha8Rng) -> Vec<DayCounts> {
        (0..weeks * 7)
            .map(|i| {
                let day = 4 + i; // 1970-01-05 was a Monday
                let weekday = (i % 7) as u8;
                let counts = (0..48)
                    .map(|s| match rate(weekday, s) {
                        0.0 => 0.0,
                        r => Poisson::new(r).expect("rate > 0").sample(rng),
                    })
                    .collect();
                DayCounts {
                    day,
                    weekday,
                    counts,
                }
            })
            .collect()
    }

    #[test]
    fn weeks_9_and_10_from_weeks_1_to_8_are_as_good_as_the_noise_allows() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        let all = History::new(48, days(10, &mut rng)).expect("valid");
        let cut = 4 + 8 * 7;
        let train = all.before(cut);
        let test: Vec<&DayCounts> = all.days().iter().filter(|d| d.day >= cut).collect();
        let targets: Vec<TargetDay> = test
            .iter()
            .map(|d| TargetDay {
                day: d.day,
                weekday: d.weekday,
            })
            .collect();
        let m = Method::Profile {
            stat: ProfileStat::Mean,
            weeks: 8,
        };
        let f = m.forecast(&train, &targets).expect("forecast");
        let (mut err, mut oracle, mut act) = (0.0, 0.0, 0.0);
        for (d, f) in test.iter().zip(&f) {
            for (s, (a, f)) in d.counts.iter().zip(f).enumerate() {
                err += (a - f).abs();
                oracle += (a - rate(d.weekday, s)).abs();
                act += a;
                if rate(d.weekday, s) == 0.0 {
                    assert_eq!(*f, 0.0, "closed hours stay 0");
                }
            }
        }
        // The mean of 8 weeks has its own noise (√(1 + 1/8) ≈ 1.06 × the oracle's).
        let (wape, floor) = (err / act, oracle / act);
        assert!(
            wape < 1.12 * floor,
            "WAPE {wape} against the noise floor {floor}"
        );
        // Bands fitted on a backtest of the training weeks cover the test weeks.
        let b = weekly_backtest(&train, &m, 4).expect("backtest");
        let dispersion = Dispersion::fit(b.pairs.iter().copied());
        let pairs = test
            .iter()
            .zip(&f)
            .flat_map(|(d, f)| d.counts.iter().copied().zip(f.iter().copied()))
            .filter(|(_, f)| *f > 0.0);
        let (c80, c95) = dispersion.coverage(pairs);
        println!("synthetic: WAPE {wape:.4}, oracle {floor:.4}, coverage {c80:.3} / {c95:.3}");
        assert!((0.72..=0.88).contains(&c80), "80 %: {c80}");
        assert!((0.90..=0.99).contains(&c95), "95 %: {c95}");
    }
}
