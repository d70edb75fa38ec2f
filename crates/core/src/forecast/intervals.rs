//! Prediction intervals: a negative binomial (Poisson–gamma) band around the point
//! forecast, its dispersion fitted on backtest errors. A plain Poisson band is far
//! too narrow on real arrivals: the forecast's own error adds to the noise.
//!
//! Model: actual ~ NB(mean f, size k), Var = f + f²/k. The method of moments on
//! backtest pairs (a, f) gives 1/k = Σ((a − f)² − f) ÷ Σ f², floored at 0 (then the
//! band is Poisson).

use statrs::distribution::{DiscreteCDF, NegativeBinomial, Poisson};

/// The fitted overdispersion: `inverse_size` = 1/k ≥ 0 (0 = Poisson).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Dispersion {
    /// 1/k of Var = f + f²/k.
    pub inverse_size: f64,
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

impl Dispersion {
    /// The method-of-moments fit on (actual, forecast) pairs; non-finite pairs and
    /// forecasts of 0 are skipped.
    pub fn fit(pairs: impl IntoIterator<Item = (f64, f64)>) -> Dispersion {
        let (mut num, mut den) = (0.0, 0.0);
        for (a, f) in pairs {
            if a.is_finite() && f.is_finite() && f > 0.0 {
                num += (a - f).powi(2) - f;
                den += f * f;
            }
        }
        Dispersion {
            inverse_size: if den > 0.0 { (num / den).max(0.0) } else { 0.0 },
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
        let q = |p: f64| -> f64 {
            // NegativeBinomial(r, p) counts failures before r successes: mean
            // r(1 − p)/p = `mean` with r = k, p = k/(k + mean).
            let nb = (self.inverse_size > 1e-12)
                .then(|| {
                    let k = 1.0 / self.inverse_size;
                    NegativeBinomial::new(k, k / (k + mean)).ok()
                })
                .flatten();
            match nb {
                Some(d) => quantile(|x| d.cdf(x), p),
                None => Poisson::new(mean).map_or(mean, |d| quantile(|x| d.cdf(x), p)),
            }
        };
        Band {
            lo80: q(0.10),
            hi80: q(0.90),
            lo95: q(0.025),
            hi95: q(0.975),
        }
    }

    /// Shares of `pairs`' actuals inside their forecast's 80 % and 95 % bands.
    pub fn coverage(&self, pairs: impl IntoIterator<Item = (f64, f64)>) -> (f64, f64) {
        let (mut in80, mut in95, mut n) = (0usize, 0usize, 0usize);
        for (a, f) in pairs {
            if !a.is_finite() {
                continue;
            }
            let b = self.band(f);
            n += 1;
            in80 += usize::from(a >= b.lo80 && a <= b.hi80);
            in95 += usize::from(a >= b.lo95 && a <= b.hi95);
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

/// The smallest count whose CDF reaches `p` (statrs' generic inverse gives up when
/// the quantile is 0, so the search is done here: doubling, then bisection).
fn quantile(cdf: impl Fn(u64) -> f64, p: f64) -> f64 {
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

    #[test]
    fn poisson_data_fit_no_overdispersion_and_its_band_is_poisson() {
        // Pairs whose squared errors equal the mean on average: 1/k = 0.
        let pairs = [
            (12.0, 10.0),
            (8.0, 10.0),
            (10.0 + 6f64.sqrt(), 10.0),
            (10.0 - 6f64.sqrt(), 10.0),
        ];
        // Σ(e² − f) = (4 − 10) + (4 − 10) + (6 − 10) + (6 − 10) = −20 → floored at 0.
        let d = Dispersion::fit(pairs);
        assert_eq!(d.inverse_size, 0.0);
        // Poisson(10): P(X ≤ 5) = 0.0671, P(X ≤ 6) = 0.1301 → 10th percentile 6;
        // P(X ≤ 13) = 0.8645, P(X ≤ 14) = 0.9165 → 90th percentile 14.
        let b = d.band(10.0);
        assert_eq!((b.lo80, b.hi80), (6.0, 14.0));
    }

    #[test]
    fn the_moment_fit_is_the_hand_worked_one() {
        // (a, f): (30, 20), (10, 20): Σ(e² − f) = (100 − 20) × 2 = 160; Σf² = 800.
        let d = Dispersion::fit([(30.0, 20.0), (10.0, 20.0), (f64::NAN, 5.0)]);
        assert!((d.inverse_size - 0.2).abs() < 1e-12);
        // Wider than Poisson at the same mean.
        let (nb, p) = (d.band(20.0), Dispersion { inverse_size: 0.0 }.band(20.0));
        assert!(nb.lo80 < p.lo80 && nb.hi80 > p.hi80);
        assert!(nb.lo95 <= nb.lo80 && nb.hi95 >= nb.hi80);
    }

    #[test]
    fn small_means_have_bands_that_start_at_zero() {
        // Poisson(0.5): P(X = 0) = 0.6065 ≥ 0.10, P(X ≤ 1) = 0.9098 ≥ 0.90,
        // P(X ≤ 2) = 0.9856 ≥ 0.975 → [0, 1] and [0, 2].
        let b = Dispersion { inverse_size: 0.0 }.band(0.5);
        assert_eq!((b.lo80, b.hi80, b.lo95, b.hi95), (0.0, 1.0, 0.0, 2.0));
        let nb = Dispersion { inverse_size: 0.5 }.band(0.2);
        assert_eq!((nb.lo80, nb.lo95), (0.0, 0.0));
    }

    #[test]
    fn closed_intervals_have_a_zero_band() {
        let b = Dispersion { inverse_size: 0.3 }.band(0.0);
        assert_eq!((b.lo95, b.hi95), (0.0, 0.0));
    }

    #[test]
    fn coverage_counts_actuals_inside_the_band() {
        let d = Dispersion { inverse_size: 0.0 };
        // Poisson(10) 80 %: [6, 14]. Actuals 6 and 14 in, 20 out.
        let (c80, _) = d.coverage([(6.0, 10.0), (14.0, 10.0), (20.0, 10.0)]);
        assert!((c80 - 2.0 / 3.0).abs() < 1e-12);
    }
}
