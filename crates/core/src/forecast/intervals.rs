//! Prediction intervals: a negative binomial (Poisson–gamma) band around the point
//! forecast, its dispersion fitted on backtest errors. A plain Poisson band is far
//! too narrow on real arrivals: the forecast's own error adds to the noise.
//!
//! Model: actual ~ NB(mean f, size k), Var = f + f²/k, with one 1/k for the 80 %
//! band and one for the 95 % band, each **calibrated by coverage**: pair (a, f) lies
//! in the central band of level L roughly when (|a − f| − ½)² ≤ z²(f + f²/k) (z the
//! normal quantile, ½ for the integer end points), so each pair needs at least
//! 1/k = ((|a − f| − ½)²/z² − f)/f², and the fitted 1/k is the L-quantile of those
//! needs: about L of the fitting pairs fall inside. Calibrating each level by
//! quantiles rather than by moments keeps one large miss from widening every
//! band (the moment fit, kept as [`Dispersion::moments`], gave 90 % coverage for a
//! nominal 80 % on the bank's later weeks). Coverage itself is counted exactly with
//! the negative binomial's CDF.

use statrs::distribution::{ContinuousCDF, DiscreteCDF, NegativeBinomial, Normal, Poisson};

/// The fitted overdispersion per band: 1/k ≥ 0 (0 = Poisson).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Dispersion {
    /// 1/k of Var = f + f²/k for the 80 % band.
    pub inverse_size80: f64,
    /// 1/k for the 95 % band (≥ the 80 % one, so the bands nest).
    pub inverse_size95: f64,
}

/// A prediction interval at 80 % and 95 %, whole calls.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Band {
    /// 10th percentile.
    pub lo80: f64,
    /// 90th percentile.
    pub hi80: f64,
    /// 2.5th percentile.
    pub lo95: f64,
    /// 97.5th percentile.
    pub hi95: f64,
}

/// Pairs worth fitting on: finite, with a positive forecast.
fn usable(pairs: impl IntoIterator<Item = (f64, f64)>) -> impl Iterator<Item = (f64, f64)> {
    pairs
        .into_iter()
        .filter(|(a, f)| a.is_finite() && f.is_finite() && *f > 0.0)
}

/// The standard normal quantile of the upper end of a central `level` band.
fn z(level: f64) -> f64 {
    Normal::standard().inverse_cdf(0.5 + level / 2.0)
}

/// Per-level calibration (see the module text): the `level`-quantile of each pair's
/// needed 1/k, floored at 0; 0 without pairs.
fn calibrate(pairs: &[(f64, f64)], level: f64) -> f64 {
    if pairs.is_empty() {
        return 0.0;
    }
    let z2 = z(level).powi(2);
    let mut need: Vec<f64> = pairs
        .iter()
        .map(|(a, f)| {
            let gap = ((a - f).abs() - 0.5).max(0.0);
            (gap * gap / z2 - f) / (f * f)
        })
        .collect();
    let k = ((level * need.len() as f64).ceil() as usize).clamp(1, need.len()) - 1;
    let (_, v, _) = need.select_nth_unstable_by(k, f64::total_cmp);
    v.max(0.0)
}

impl Dispersion {
    /// No overdispersion: both bands Poisson.
    pub const POISSON: Dispersion = Dispersion {
        inverse_size80: 0.0,
        inverse_size95: 0.0,
    };

    /// Calibrated on (actual, forecast) pairs, each band by coverage (module text);
    /// non-finite pairs and forecasts of 0 are skipped.
    pub fn fit(pairs: impl IntoIterator<Item = (f64, f64)>) -> Dispersion {
        let pairs: Vec<(f64, f64)> = usable(pairs).collect();
        let inverse_size80 = calibrate(&pairs, 0.80);
        Dispersion {
            inverse_size80,
            inverse_size95: calibrate(&pairs, 0.95).max(inverse_size80),
        }
    }

    /// The method-of-moments fit, one 1/k for both bands: Σ((a − f)² − f) ÷ Σ f²,
    /// floored at 0. Kept for comparison: one large miss widens every band.
    pub fn moments(pairs: impl IntoIterator<Item = (f64, f64)>) -> Dispersion {
        let (mut num, mut den) = (0.0, 0.0);
        for (a, f) in usable(pairs) {
            num += (a - f).powi(2) - f;
            den += f * f;
        }
        let inverse_size = if den > 0.0 { (num / den).max(0.0) } else { 0.0 };
        Dispersion {
            inverse_size80: inverse_size,
            inverse_size95: inverse_size,
        }
    }

    /// The band around a point forecast `mean` (0 → all zeros: a closed interval).
    pub fn band(&self, mean: f64) -> Band {
        if !(mean > 0.0 && mean.is_finite()) {
            return Band {
                lo80: 0.0,
                hi80: 0.0,
                lo95: 0.0,
                hi95: 0.0,
            };
        }
        let (lo80, hi80) = central(mean, self.inverse_size80, 0.80);
        let (lo95, hi95) = central(mean, self.inverse_size95, 0.95);
        Band {
            lo80,
            hi80,
            lo95,
            hi95,
        }
    }

    /// Shares of `pairs`' actuals inside their forecast's 80 % and 95 % bands.
    pub fn coverage(&self, pairs: impl IntoIterator<Item = (f64, f64)>) -> (f64, f64) {
        let (mut in80, mut in95, mut n) = (0usize, 0usize, 0usize);
        for (a, f) in pairs {
            if !a.is_finite() {
                continue;
            }
            n += 1;
            in80 += usize::from(inside(a, f, self.inverse_size80, 0.80));
            in95 += usize::from(inside(a, f, self.inverse_size95, 0.95));
        }
        let share = |k: usize| {
            if n == 0 {
                f64::NAN
            } else {
                k as f64 / n as f64
            }
        };
        (share(in80), share(in95))
    }
}

/// The CDF of the count model with mean `mean` > 0 and 1/k `inverse_size`.
fn count_cdf(mean: f64, inverse_size: f64) -> Box<dyn Fn(u64) -> f64> {
    // NegativeBinomial(r, p) counts failures before r successes: mean r(1 − p)/p =
    // `mean` with r = k, p = k/(k + mean).
    if inverse_size > 1e-12 {
        let k = 1.0 / inverse_size;
        if let Ok(d) = NegativeBinomial::new(k, k / (k + mean)) {
            return Box::new(move |x| d.cdf(x));
        }
    }
    match Poisson::new(mean) {
        Ok(d) => Box::new(move |x| d.cdf(x)),
        // Unreachable for mean > 0; a point mass keeps the band at the mean.
        Err(_) => Box::new(move |x| if x as f64 >= mean { 1.0 } else { 0.0 }),
    }
}

/// The central `level` band (whole calls) of the count model around `mean` > 0.
fn central(mean: f64, inverse_size: f64, level: f64) -> (f64, f64) {
    let cdf = count_cdf(mean, inverse_size);
    let tail = (1.0 - level) / 2.0;
    (quantile(&cdf, tail), quantile(&cdf, 1.0 - tail))
}

/// Whether actual `a` lies in the central `level` band around forecast `f`, from
/// two CDF values (no quantile search): a ≥ the lower quantile ⇔ F(a) ≥ tail, and
/// a ≤ the upper quantile ⇔ a = 0 or F(a − 1) < 1 − tail.
fn inside(a: f64, f: f64, inverse_size: f64, level: f64) -> bool {
    if !(f > 0.0 && f.is_finite()) {
        return a == 0.0;
    }
    let cdf = count_cdf(f, inverse_size);
    let tail = (1.0 - level) / 2.0;
    let a = a.round().max(0.0) as u64;
    cdf(a) >= tail && (a == 0 || cdf(a - 1) < 1.0 - tail)
}

/// The smallest count whose CDF reaches `p` (statrs' generic inverse gives up when
/// the quantile is 0, so the search is done here: doubling, then bisection).
fn quantile(cdf: &dyn Fn(u64) -> f64, p: f64) -> f64 {
    if cdf(0) >= p {
        return 0.0;
    }
    let mut hi: u64 = 1;
    while cdf(hi) < p {
        if hi > u64::MAX / 4 {
            return hi as f64;
        }
        hi *= 2;
    }
    // cdf(lo) < p ≤ cdf(hi)
    let mut lo = hi / 2;
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if cdf(mid) >= p {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    hi as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_distr::{Distribution, Gamma};

    #[test]
    fn calibration_takes_the_quantile_of_each_pairs_need_as_worked_by_hand() {
        // Ten forecasts of 10; errors |a − f| of 0 … 8 and 20. Pair i needs
        // 1/k = ((|e| − ½)²/z² − 10)/100. 80 %: the 8th smallest need, |e| = 7:
        // (6.5²/1.2815515655446008² − 10)/100 = 0.157249501759597. 95 %: the 10th,
        // |e| = 20: (19.5²/1.9599639845400536² − 10)/100 = 0.8898583266116897
        // (z from Python's statistics.NormalDist).
        let errors = [0.0, -1.0, 2.0, -3.0, 4.0, -5.0, 6.0, -7.0, 8.0, 20.0];
        let d = Dispersion::fit(errors.iter().map(|e| (10.0 + e, 10.0)));
        assert!(
            (d.inverse_size80 - 0.157249501759597).abs() < 1e-12,
            "{d:?}"
        );
        assert!(
            (d.inverse_size95 - 0.8898583266116897).abs() < 1e-12,
            "{d:?}"
        );
    }

    #[test]
    fn poisson_like_errors_fit_no_overdispersion_and_the_band_is_poisson() {
        // Errors well inside Poisson noise: every need is negative → 1/k = 0.
        let d = Dispersion::fit([(12.0, 10.0), (8.0, 10.0), (11.0, 10.0), (9.0, 10.0)]);
        assert_eq!(d, Dispersion::POISSON);
        // Poisson(10): P(X ≤ 5) = 0.0671, P(X ≤ 6) = 0.1301 → 10th percentile 6;
        // P(X ≤ 13) = 0.8645, P(X ≤ 14) = 0.9165 → 90th percentile 14.
        let b = d.band(10.0);
        assert_eq!((b.lo80, b.hi80), (6.0, 14.0));
    }

    #[test]
    fn a_known_dispersion_is_recovered_and_its_bands_cover_as_stated() {
        // Poisson–gamma draws with 1/k = 0.1 around forecasts of 20 … 80: the fit
        // should find about 0.1 for both bands, and the bands cover about 80 / 95 %.
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        let k = 10.0;
        let pairs: Vec<(f64, f64)> = (0..20_000)
            .map(|i| {
                let f = 20.0 + (i % 61) as f64;
                let rate = Gamma::new(k, f / k).expect("gamma").sample(&mut rng);
                let a = rand_distr::Poisson::new(rate)
                    .expect("poisson")
                    .sample(&mut rng);
                (a, f)
            })
            .collect();
        let d = Dispersion::fit(pairs.iter().copied());
        assert!((d.inverse_size80 - 0.1).abs() < 0.02, "{d:?}");
        assert!((d.inverse_size95 - 0.1).abs() < 0.02, "{d:?}");
        let (c80, c95) = d.coverage(pairs.iter().copied());
        assert!(
            (c80 - 0.80).abs() < 0.02 && (c95 - 0.95).abs() < 0.01,
            "{c80} {c95}"
        );
        // A plain Poisson band is far too narrow on such data.
        let (p80, _) = Dispersion::POISSON.coverage(pairs.iter().copied());
        assert!(p80 < 0.6, "{p80}");
    }

    #[test]
    fn the_moment_fit_is_the_hand_worked_one_and_one_miss_widens_it() {
        // (a, f): (30, 20), (10, 20): Σ(e² − f) = (100 − 20) × 2 = 160; Σf² = 800.
        let d = Dispersion::moments([(30.0, 20.0), (10.0, 20.0), (f64::NAN, 5.0)]);
        assert!((d.inverse_size80 - 0.2).abs() < 1e-12);
        // Wider than Poisson at the same mean.
        let (nb, p) = (d.band(20.0), Dispersion::POISSON.band(20.0));
        assert!(nb.lo80 < p.lo80 && nb.hi80 > p.hi80);
        assert!(nb.lo95 <= nb.lo80 && nb.hi95 >= nb.hi80);
        // Nineteen exact forecasts and one miss of 100: the moments widen every
        // band; the calibrated 80 % band stays Poisson.
        let pairs: Vec<(f64, f64)> = (0..19)
            .map(|_| (20.0, 20.0))
            .chain([(120.0, 20.0)])
            .collect();
        assert!(Dispersion::moments(pairs.iter().copied()).inverse_size80 > 1.0);
        assert_eq!(Dispersion::fit(pairs.iter().copied()).inverse_size80, 0.0);
    }

    #[test]
    fn small_means_have_bands_that_start_at_zero() {
        // Poisson(0.5): P(X = 0) = 0.6065 ≥ 0.10, P(X ≤ 1) = 0.9098 ≥ 0.90,
        // P(X ≤ 2) = 0.9856 ≥ 0.975 → [0, 1] and [0, 2].
        let b = Dispersion::POISSON.band(0.5);
        assert_eq!((b.lo80, b.hi80, b.lo95, b.hi95), (0.0, 1.0, 0.0, 2.0));
        let nb = Dispersion {
            inverse_size80: 0.5,
            inverse_size95: 0.5,
        }
        .band(0.2);
        assert_eq!((nb.lo80, nb.lo95), (0.0, 0.0));
    }

    #[test]
    fn closed_intervals_have_a_zero_band() {
        let b = Dispersion {
            inverse_size80: 0.3,
            inverse_size95: 0.3,
        }
        .band(0.0);
        assert_eq!((b.lo95, b.hi95), (0.0, 0.0));
    }

    #[test]
    fn coverage_counts_actuals_inside_the_band() {
        // Poisson(10) 80 %: [6, 14] (above). Actuals 6 and 14 in, 5 and 20 out.
        let (c80, _) =
            Dispersion::POISSON.coverage([(6.0, 10.0), (14.0, 10.0), (20.0, 10.0), (5.0, 10.0)]);
        assert_eq!(c80, 0.5);
        // The CDF test agrees with the quantile band at every actual.
        let d = Dispersion {
            inverse_size80: 0.2,
            inverse_size95: 0.4,
        };
        for f in [0.3, 2.5, 17.0, 140.0] {
            let b = d.band(f);
            for a in 0..400 {
                let a = f64::from(a);
                assert_eq!(inside(a, f, 0.2, 0.80), (b.lo80..=b.hi80).contains(&a));
                assert_eq!(inside(a, f, 0.4, 0.95), (b.lo95..=b.hi95).contains(&a));
            }
        }
    }
}
