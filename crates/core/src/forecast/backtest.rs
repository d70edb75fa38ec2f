//! Rolling-origin backtest: a method replayed from past week starts, each forecast
//! made only from the days before its origin and scored against what happened.
//!
//! Scores are pooled over every (day, slot) with data:
//! * WAPE = Σ|actual − forecast| ÷ Σ actual;
//! * bias = Σ(forecast − actual) ÷ Σ actual (positive: over-forecast);
//! * MASE against seasonal naive = Σ|actual − forecast| ÷ Σ|actual − seasonal naive|
//!   on the same points (below 1: better than repeating last week).

use super::calendar::DayOfMonth;
use super::intervals::Dispersion;
use super::methods::Method;
use super::{ForecastError, History, TargetDay};
use std::ops::Range;

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
    /// Every scored point as (actual, forecast), origin by origin (`per_origin[i]
    /// .points` of them each): what the prediction intervals are fitted and checked
    /// on.
    pub pairs: Vec<(f64, f64)>,
    /// The running sums behind `per_origin`, to pool any run of origins exactly.
    sums: Vec<Sums>,
}

/// Running sums of a score.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
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

impl WeeklyBacktest {
    fn new(method: String, origins: Vec<i32>, sums: Vec<Sums>, pairs: Vec<(f64, f64)>) -> Self {
        let mut total = Sums::default();
        sums.iter().for_each(|s| total.merge(s));
        WeeklyBacktest {
            method,
            origins,
            score: total.score(),
            per_origin: sums.iter().map(Sums::score).collect(),
            pairs,
            sums,
        }
    }

    /// The scored pairs of origins `range` (indices into `origins`).
    pub fn pairs_of(&self, range: Range<usize>) -> &[(f64, f64)] {
        let start: usize = self.sums[..range.start].iter().map(|s| s.points).sum();
        let len: usize = self.sums[range].iter().map(|s| s.points).sum();
        &self.pairs[start..start + len]
    }

    /// The same backtest over origins `range` only (indices into `origins`).
    pub fn window(&self, range: Range<usize>) -> WeeklyBacktest {
        WeeklyBacktest::new(
            self.method.clone(),
            self.origins[range.clone()].to_vec(),
            self.sums[range.clone()].to_vec(),
            self.pairs_of(range).to_vec(),
        )
    }

    /// Prediction-band coverage out of sample: for each of the last `tested`
    /// origins, bands fitted on the `fit_weeks` origins before it, counted on its
    /// week; pooled (80 %, 95 %). `None` when the backtest is too short.
    pub fn out_of_sample_coverage(&self, fit_weeks: usize, tested: usize) -> Option<(f64, f64)> {
        let n = self.origins.len();
        if fit_weeks == 0 || tested == 0 || n < fit_weeks + tested {
            return None;
        }
        let (mut points, mut in80, mut in95) = (0.0, 0.0, 0.0);
        for o in n - tested..n {
            let d = Dispersion::fit(self.pairs_of(o - fit_weeks..o).iter().copied());
            let week = self.pairs_of(o..o + 1);
            let (c80, c95) = d.coverage(week.iter().copied());
            let k = week.len() as f64;
            if k > 0.0 {
                points += k;
                in80 += c80 * k;
                in95 += c95 * k;
            }
        }
        (points > 0.0).then(|| (in80 / points, in95 / points))
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

/// Replays every method of `methods` from each of the last `origins` week starts
/// of `history` (a week starts on Monday): the forecast of that week's days from
/// the days before it, scored against them (seasonal naive alongside, for MASE).
/// Origins with no earlier day are skipped; at least one must remain. One result
/// per method, in order: a method that cannot forecast some origin's week (a
/// weekday its history never saw) is an error of its own.
pub fn backtest_methods(
    history: &History,
    methods: &[Method],
    origins: usize,
) -> Result<Vec<Result<WeeklyBacktest, ForecastError>>, ForecastError> {
    replay_methods(history, methods, origins, false)
}

/// [`backtest_methods`] with day-of-month effects: at each origin the effects are
/// estimated on the days before it, the methods forecast the adjusted history and
/// their forecasts are scaled back ([`super::calendar`]). Names end in `+dom`.
pub fn backtest_methods_by_calendar(
    history: &History,
    methods: &[Method],
    origins: usize,
) -> Result<Vec<Result<WeeklyBacktest, ForecastError>>, ForecastError> {
    replay_methods(history, methods, origins, true)
}

/// The replay behind [`backtest_methods`] and [`backtest_methods_by_calendar`].
fn replay_methods(
    history: &History,
    methods: &[Method],
    origins: usize,
    by_calendar: bool,
) -> Result<Vec<Result<WeeklyBacktest, ForecastError>>, ForecastError> {
    let starts = week_starts(history)?;
    let chosen = &starts[starts.len().saturating_sub(origins)..];
    if chosen.is_empty() {
        return Err(ForecastError::Parameter(
            "the backtest needs a week with history before it",
        ));
    }
    /// One method's replay so far: per-origin sums and the scored pairs.
    type Run = Result<(Vec<Sums>, Vec<(f64, f64)>), ForecastError>;
    let mut runs: Vec<Run> = methods
        .iter()
        .map(|_| Ok((Vec::new(), Vec::new())))
        .collect();
    for &ws in chosen {
        let train = history.before(ws);
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
        let naive = Method::SeasonalNaive.forecast(&train, &targets);
        let calendar = by_calendar
            .then(|| DayOfMonth::estimate(&train))
            .flatten()
            .unwrap_or(DayOfMonth::NONE);
        let adjusted = calendar.adjust(&train);
        for (method, run) in methods.iter().zip(&mut runs) {
            let Ok((sums_so_far, pairs)) = run else {
                continue;
            };
            let forecast = method.forecast(&adjusted, &targets).map(|mut f| {
                calendar.scale(&targets, &mut f);
                f
            });
            let forecast = match (forecast, &naive) {
                (Ok(f), Ok(n)) => (f, n),
                (Err(e), _) => {
                    *run = Err(e);
                    continue;
                }
                (_, Err(e)) => {
                    *run = Err(e.clone());
                    continue;
                }
            };
            let mut sums = Sums::default();
            for ((d, f), n) in week.iter().zip(&forecast.0).zip(forecast.1) {
                for ((a, f), n) in d.counts.iter().zip(f).zip(n) {
                    sums.add(*a, *f, *n);
                    if a.is_finite() {
                        pairs.push((*a, *f));
                    }
                }
            }
            sums_so_far.push(sums);
        }
    }
    Ok(methods
        .iter()
        .zip(runs)
        .map(|(m, run)| {
            let name = if by_calendar {
                format!("{}+dom", m.name())
            } else {
                m.name()
            };
            run.map(|(sums, pairs)| WeeklyBacktest::new(name, chosen.to_vec(), sums, pairs))
        })
        .collect())
}

/// One method's backtest from the last `origins` week starts (see
/// [`backtest_methods`]).
pub fn weekly_backtest(
    history: &History,
    method: &Method,
    origins: usize,
) -> Result<WeeklyBacktest, ForecastError> {
    backtest_methods(history, std::slice::from_ref(method), origins)?
        .pop()
        .unwrap_or(Err(ForecastError::Empty))
}

/// The automatic choice over origins `range` of `backtests` (same origins each):
/// the lowest pooled WAPE among the candidates that beat `baseline` (the plain
/// profile) by more than the noise — per-origin absolute errors lower on average
/// by more than one standard error of the mean difference, over two origins at
/// least — else the baseline. Without a baseline (`usize::MAX`), the lowest pooled
/// WAPE. Returns an index into `backtests`.
pub fn choose(backtests: &[WeeklyBacktest], baseline: usize, range: Range<usize>) -> usize {
    let pooled = |b: &WeeklyBacktest| {
        let (mut abs, mut actual) = (0.0, 0.0);
        for s in &b.sums[range.clone()] {
            abs += s.abs;
            actual += s.actual;
        }
        abs / actual
    };
    let beats_baseline = |i: usize| -> bool {
        let Some(base) = backtests.get(baseline) else {
            return true;
        };
        if i == baseline {
            return true;
        }
        let diffs: Vec<f64> = backtests[i].sums[range.clone()]
            .iter()
            .zip(&base.sums[range.clone()])
            .map(|(b, p)| b.abs - p.abs)
            .collect();
        if diffs.len() < 2 {
            return false;
        }
        let n = diffs.len() as f64;
        let mean = diffs.iter().sum::<f64>() / n;
        let var = diffs.iter().map(|d| (d - mean).powi(2)).sum::<f64>() / (n - 1.0);
        mean < -(var / n).sqrt()
    };
    (0..backtests.len())
        .filter(|&i| pooled(&backtests[i]).is_finite() && beats_baseline(i))
        .min_by(|&a, &b| pooled(&backtests[a]).total_cmp(&pooled(&backtests[b])))
        .unwrap_or(baseline)
}

/// The automatic choice replayed honestly on `backtests` (one per candidate, same
/// origins): for each of the last `tested` origins, [`choose`] on the
/// `selection_weeks` origins before it only, and the chosen method's forecast of
/// that origin's week scored. Scores pool those forecasts (`method` is `auto`);
/// the names chosen, origin by origin, beside them. `None` when the backtests hold
/// fewer than `selection_weeks + tested` origins.
pub fn replay_choice(
    backtests: &[WeeklyBacktest],
    baseline: usize,
    selection_weeks: usize,
    tested: usize,
) -> Option<(WeeklyBacktest, Vec<String>)> {
    let n = backtests.first()?.origins.len();
    if tested == 0 || selection_weeks == 0 || n < selection_weeks + tested {
        return None;
    }
    let (mut sums, mut pairs, mut picks) = (Vec::new(), Vec::new(), Vec::new());
    for o in n - tested..n {
        let b = &backtests[choose(backtests, baseline, o - selection_weeks..o)];
        sums.push(b.sums[o]);
        pairs.extend_from_slice(b.pairs_of(o..o + 1));
        picks.push(b.method.clone());
    }
    let origins = backtests[0].origins[n - tested..].to_vec();
    Some((
        WeeklyBacktest::new("auto".into(), origins, sums, pairs),
        picks,
    ))
}

/// [`replay_choice`] from the history: every candidate backtested from the last
/// `origins + selection_weeks` week starts, then the choice replayed on the last
/// `origins`. Candidates that cannot forecast some week are left out.
pub fn auto_backtest(
    history: &History,
    candidates: &[Method],
    baseline: usize,
    origins: usize,
    selection_weeks: usize,
) -> Result<(WeeklyBacktest, Vec<String>), ForecastError> {
    let all = backtest_methods(history, candidates, origins + selection_weeks)?;
    let baseline_name = candidates.get(baseline).map(Method::name);
    let usable: Vec<WeeklyBacktest> = all.into_iter().filter_map(Result::ok).collect();
    let baseline = usable
        .iter()
        .position(|b| Some(&b.method) == baseline_name.as_ref())
        .unwrap_or(usize::MAX);
    replay_choice(&usable, baseline, selection_weeks, origins).ok_or(ForecastError::Parameter(
        "the automatic choice needs weeks of history before each origin",
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
        let (b, picks) = auto_backtest(&h, &candidates, 1, 3, 2).expect("auto");
        // By the last origin the 4-week mean has seen four 20s: both were exact on
        // one of its two selection weeks and the mean missed the other by 2.5, a
        // difference within its own noise (mean −1.25, standard error 1.25), so the
        // guard keeps the plain profile — exact too.
        assert_eq!(
            picks,
            ["seasonal_naive", "seasonal_naive", "profile_mean_4"]
        );
        assert_eq!(b.score.wape, 0.0);
        assert_eq!(b.method, "auto");
    }

    /// A backtest with the given absolute errors per origin (actuals 100 each).
    fn errors(name: &str, abs: &[f64]) -> WeeklyBacktest {
        let sums = abs
            .iter()
            .map(|a| Sums {
                abs: *a,
                signed: 0.0,
                actual: 100.0,
                naive_abs: 10.0,
                points: 0,
            })
            .collect();
        WeeklyBacktest::new(
            name.into(),
            (0..abs.len() as i32).collect(),
            sums,
            Vec::new(),
        )
    }

    #[test]
    fn the_guard_keeps_the_plain_profile_unless_the_gain_is_beyond_noise() {
        let profile = errors("profile", &[10.0, 10.0, 10.0, 10.0]);
        // Lower pooled error (35 vs 40) but from one lucky week: differences
        // −8, +1, +1, +1 have mean −1.25 and standard error 2.25 → not beyond noise.
        let lucky = errors("lucky", &[2.0, 11.0, 11.0, 11.0]);
        // Lower every week (36): −1 each → mean −1, standard error 0 → beyond noise.
        let steady = errors("steady", &[9.0, 9.0, 9.0, 9.0]);
        let all = [profile.clone(), lucky.clone(), steady];
        assert_eq!(choose(&all[..2], 0, 0..4), 0);
        // Lucky has the lowest pooled error of the three, but only steady's gain is
        // beyond noise.
        assert_eq!(choose(&all, 0, 0..4), 2);
        // Without a baseline, the lowest pooled WAPE; over a window, that window's.
        assert_eq!(choose(&all[..2], usize::MAX, 0..4), 1);
        assert_eq!(choose(&all[..2], usize::MAX, 1..4), 0);
        // The honest replay: each of the last two origins chosen on the two before.
        let (auto, picks) = replay_choice(&all, 0, 2, 2).expect("replay");
        assert_eq!(picks, ["steady", "steady"]);
        assert!((auto.score.wape - 18.0 / 200.0).abs() < 1e-12);
        assert!(replay_choice(&all, 0, 3, 2).is_none(), "needs 5 origins");
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
