//! The queueing formulas: Erlang B (blocking), Erlang C (M/M/n, callers wait for
//! ever) and Erlang A (M/M/n+M, callers hang up after an exponential patience).
//!
//! Everything is computed without factorials or powers that overflow:
//!
//! * Erlang B by the recursion on its reciprocal, `1/B(k) = 1 + (k/A)·1/B(k−1)`,
//!   `1/B(0) = 1` — one multiply-add a step. For large loads the recursion starts at
//!   `k₀ = A − 8√A` from the estimate `1/B(k₀) ≈ A/(A − k₀)`: an error there is
//!   multiplied by `Π k/A ≈ e^−32` on the way to `A`, far below f64 precision (a test
//!   checks it against the full recursion).
//! * Erlang C from B: `C = n·B / (n − A·(1 − B))`.
//! * Erlang A by the series `Σ_j π(n+j)/π(n) = Σ_j Π_{i≤j} λ/(nμ + iθ)` with running
//!   rescaling, so loads far above the agents do not overflow.

/// Erlang B blocking probability `B(n, A)` for `n` servers and `a` Erlangs
/// (`n = 0` blocks everything: 1).
pub fn erlang_b(n: u64, a: f64) -> f64 {
    if a <= 0.0 {
        return if n == 0 { 1.0 } else { 0.0 };
    }
    1.0 / BlockingRecursion::at(n, a).reciprocal
}

/// Walks `1/B(k, A)` upwards in `k`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct BlockingRecursion {
    /// Current `k`.
    pub k: u64,
    /// `1 / B(k, A)` (may be +∞ when B underflows).
    pub reciprocal: f64,
    /// `1 / B(k − 1, A)`, NaN when not known (k = 0, or a jump landed here).
    pub previous: f64,
    inv_a: f64,
}

impl BlockingRecursion {
    /// Positioned at `k = n` (for `a > 0`).
    pub fn at(n: u64, a: f64) -> Self {
        let mut rec = BlockingRecursion {
            k: 0,
            reciprocal: 1.0,
            previous: f64::NAN,
            inv_a: 1.0 / a,
        }
        .warm_start(n);
        while rec.k < n {
            rec.step();
        }
        rec
    }

    /// For a large load, jumps (from k = 0) to `k₀ = A − 8√A` with the estimate
    /// `1/B(k₀) ≈ A/(A − k₀)`, when that is on the way to `n`; see the module doc.
    fn warm_start(mut self, n: u64) -> Self {
        let a = 1.0 / self.inv_a;
        if a >= 64.0 {
            let k0 = (a - 8.0 * a.sqrt()).floor().max(0.0) as u64;
            if k0 < n && k0 > 0 {
                self.k = k0;
                self.reciprocal = a / (a - k0 as f64);
                self.previous = f64::NAN;
            }
        }
        self
    }

    /// Moves to `k + 1`.
    pub fn step(&mut self) {
        self.k += 1;
        self.previous = self.reciprocal;
        self.reciprocal = 1.0 + self.k as f64 * self.inv_a * self.reciprocal;
    }

    /// `B(k, A)`.
    pub fn blocking(&self) -> f64 {
        1.0 / self.reciprocal
    }
}

/// Erlang B recursions for several loads at once, each advanced to its own target
/// (`None`: left at k = 0), in lockstep so that their dependency chains overlap.
pub(crate) fn blocking_lanes<const L: usize>(
    loads: &[f64],
    targets: &[Option<u64>],
) -> [BlockingRecursion; L] {
    let idle = BlockingRecursion {
        k: 0,
        reciprocal: 1.0,
        previous: f64::NAN,
        inv_a: 0.0,
    };
    let mut recs = [idle; L];
    let mut left = [0u64; L];
    for (l, (&a, t)) in loads.iter().zip(targets).take(L).enumerate() {
        if let Some(n) = *t
            && a > 0.0
        {
            recs[l] = BlockingRecursion {
                inv_a: 1.0 / a,
                ..idle
            }
            .warm_start(n);
            left[l] = n.saturating_sub(recs[l].k);
        }
    }
    let steps = left.iter().copied().max().unwrap_or(0);
    let mut k: [f64; L] = std::array::from_fn(|l| recs[l].k as f64);
    let mut r: [f64; L] = std::array::from_fn(|l| recs[l].reciprocal);
    let mut prev: [f64; L] = std::array::from_fn(|l| recs[l].previous);
    let inv: [f64; L] = std::array::from_fn(|l| recs[l].inv_a);
    for s in 0..steps {
        for l in 0..L {
            let k1 = k[l] + 1.0;
            let r1 = 1.0 + k1 * inv[l] * r[l];
            let active = s < left[l];
            prev[l] = if active { r[l] } else { prev[l] };
            k[l] = if active { k1 } else { k[l] };
            r[l] = if active { r1 } else { r[l] };
        }
    }
    for (l, rec) in recs.iter_mut().enumerate() {
        rec.k += left[l];
        rec.reciprocal = r[l];
        rec.previous = prev[l];
    }
    recs
}

/// Erlang B for a real number of servers `x ≥ 0` (the continuous extension
/// `1/B(x, A) = A ∫₀^∞ e^{−At} (1 + t)^x dt`), by the same recursion started from the
/// fractional part `f = x − ⌊x⌋`, where `B(f, A) = e^{−A} A^f / Γ(f + 1, A)`.
pub fn erlang_b_continuous(x: f64, a: f64) -> f64 {
    if a <= 0.0 {
        return if x <= 0.0 { 1.0 } else { 0.0 };
    }
    let whole = x.floor().max(0.0);
    let f = (x - whole).max(0.0);
    // Γ(f+1, A) = Γ(f+1) · Q(f+1, A); in logs to stay finite.
    let mut r = if f == 0.0 {
        1.0
    } else {
        let q = statrs::function::gamma::checked_gamma_ur(f + 1.0, a).unwrap_or(1.0);
        let ln_b = -a + f * a.ln() - statrs::function::gamma::ln_gamma(f + 1.0) - q.ln();
        (-ln_b).exp()
    };
    let inv_a = 1.0 / a;
    let mut k = f;
    for _ in 0..whole as u64 {
        k += 1.0;
        r = 1.0 + k * inv_a * r;
    }
    1.0 / r
}

/// Erlang C measures for `n` agents, `a` Erlangs, mean handle time `aht_s`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ErlangC {
    /// Probability that a call waits, `C(n, A)` (1 when `n ≤ A`: the queue grows
    /// without bound).
    pub probability_of_waiting: f64,
    /// Service level `P(wait ≤ t) = 1 − C·e^{−(n−A)t/AHT}` (0 when unstable).
    pub service_level: f64,
    /// Average speed of answer, mean wait over all calls, `C·AHT/(n−A)`; `None` when
    /// unstable (infinite).
    pub asa_s: Option<f64>,
    /// Mean wait of the calls that wait, `AHT/(n−A)`; `None` when unstable.
    pub wait_of_delayed_s: Option<f64>,
    /// Occupancy `A/n` (1 at most).
    pub occupancy: f64,
}

/// Erlang C for `n` agents (`n` may be fractional: continuous Erlang C).
pub fn erlang_c(n: f64, a: f64, aht_s: f64, threshold_s: f64) -> ErlangC {
    if a <= 0.0 {
        return ErlangC {
            probability_of_waiting: 0.0,
            service_level: 1.0,
            asa_s: Some(0.0),
            wait_of_delayed_s: Some(0.0),
            occupancy: 0.0,
        };
    }
    if n <= a {
        return unstable(n, a);
    }
    let b = if n.fract() == 0.0 {
        erlang_b(n as u64, a)
    } else {
        erlang_b_continuous(n, a)
    };
    erlang_c_from_b(n, a, b, aht_s, threshold_s)
}

fn unstable(n: f64, a: f64) -> ErlangC {
    ErlangC {
        probability_of_waiting: 1.0,
        service_level: 0.0,
        asa_s: None,
        wait_of_delayed_s: None,
        occupancy: if n > 0.0 { (a / n).min(1.0) } else { 1.0 },
    }
}

pub(crate) fn erlang_c_from_b(n: f64, a: f64, b: f64, aht_s: f64, threshold_s: f64) -> ErlangC {
    let c = (n * b / (n - a * (1.0 - b))).clamp(0.0, 1.0);
    let gap = n - a;
    ErlangC {
        probability_of_waiting: c,
        service_level: (1.0 - c * (-gap * threshold_s / aht_s).exp()).clamp(0.0, 1.0),
        asa_s: Some(c * aht_s / gap),
        wait_of_delayed_s: Some(aht_s / gap),
        occupancy: a / n,
    }
}

/// Erlang A (M/M/n+M) measures.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ErlangA {
    /// Probability that a caller waits (finds every agent busy).
    pub probability_of_waiting: f64,
    /// Probability that a caller hangs up before being answered.
    pub abandon_rate: f64,
    /// Service level: answered within the threshold, over all callers.
    pub service_level: f64,
    /// Mean wait of answered callers (ASA), seconds.
    pub asa_s: f64,
    /// Mean wait of every caller, abandoners included, seconds.
    pub wait_all_s: f64,
    /// Occupancy: carried load `A·(1 − abandon rate)` over `n`.
    pub occupancy: f64,
}

/// Erlang A for `n ≥ 1` agents, `a` Erlangs, mean handle time `aht_s`, mean patience
/// `patience_s`, service threshold `threshold_s`.
///
/// With λ arrivals/s, μ = 1/AHT, θ = 1/patience and π the stationary distribution:
/// π(k) ∝ A^k/k! for k ≤ n, π(n+j) = π(n)·Π_{i≤j} λ/(nμ+iθ). A caller arriving at
/// queue position m (PASTA) is served with probability nμ/(nμ+mθ); its offered wait
/// V is a sum of exponentials of rates nμ+(i−1)θ, i = 1…m, whose CDF is the
/// regularized incomplete beta I_p(m, nμ/θ) with p = 1 − e^{−θt}, so
/// P(served, wait ≤ t) = E[e^{−θV}; V ≤ t] = nμ/(nμ+mθ) · I_p(m, nμ/θ + 1), and its
/// mean served wait is nμ/(nμ+mθ)·Σ_{i≤m} 1/(nμ+iθ).
pub fn erlang_a(n: u64, a: f64, aht_s: f64, patience_s: f64, threshold_s: f64) -> ErlangA {
    if a <= 0.0 {
        return ErlangA {
            probability_of_waiting: 0.0,
            abandon_rate: 0.0,
            service_level: 1.0,
            asa_s: 0.0,
            wait_all_s: 0.0,
            occupancy: 0.0,
        };
    }
    let b = if n == 0 { 1.0 } else { erlang_b(n, a) };
    erlang_a_from_b(n, a, b, aht_s, patience_s, threshold_s)
}

pub(crate) fn erlang_a_from_b(
    n: u64,
    a: f64,
    b: f64,
    aht_s: f64,
    patience_s: f64,
    threshold_s: f64,
) -> ErlangA {
    let mu = 1.0 / aht_s;
    let theta = 1.0 / patience_s;
    let lambda = a * mu;
    let nmu = n as f64 * mu;
    // Rates b_beta = nμ/θ + 1 and p for the incomplete beta recurrence.
    let beta = nmu / theta + 1.0;
    let p = -(-theta * threshold_s).exp_m1();
    // I_p(1, β) = 1 − (1−p)^β; term t_m = Γ(m+β)/(m!Γ(β)) p^m (1−p)^β, I_{m+1} = I_m − t_m.
    let mut t_m = (-threshold_s * (nmu + theta)).exp();
    let mut inc_beta = 1.0 - t_m;
    // Series over queue lengths j (position m = j + 1), rescaled against overflow.
    let mut term = 1.0f64; // π(n+j)/π(n), rescaled
    let mut scale_log = 0.0f64; // accumulated ln of rescaling factors
    let (mut s0, mut s1, mut s_sl, mut s_wait) = (0.0f64, 0.0f64, 0.0f64, 0.0f64);
    let mut harmonic = 0.0f64;
    let mut j: u64 = 0;
    loop {
        let m = (j + 1) as f64;
        harmonic += 1.0 / (nmu + m * theta);
        let served = nmu / (nmu + m * theta);
        s0 += term;
        s1 += j as f64 * term;
        s_sl += term * served * inc_beta.max(0.0);
        s_wait += term * served * harmonic;
        // Next term and incomplete beta.
        t_m *= (m - 1.0 + beta) / m * p;
        inc_beta -= t_m;
        j += 1;
        term *= lambda / (nmu + j as f64 * theta);
        if term > 1e250 {
            term *= 1e-250;
            s0 *= 1e-250;
            s1 *= 1e-250;
            s_sl *= 1e-250;
            s_wait *= 1e-250;
            scale_log += 250.0 * std::f64::consts::LN_10;
        }
        // Terms fall once nμ + jθ > λ; stop when they no longer count.
        if nmu + j as f64 * theta > lambda && term < 1e-17 * s0 {
            break;
        }
        if j > 50_000_000 {
            break; // cannot happen for valid inputs (θ > 0 makes the terms fall)
        }
    }
    // Σ_{k<n} π(k)/π(n) = 1/B − 1, in the same rescaled units.
    let below = (1.0 / b - 1.0) * (-scale_log).exp();
    let total = below + s0;
    let expected_queue = s1 / total;
    let abandon = (theta * expected_queue / lambda).clamp(0.0, 1.0);
    let served_now = below / total;
    let service_level = (served_now + s_sl / total).clamp(0.0, 1.0);
    let wait_all_s = expected_queue / lambda;
    let answered = 1.0 - abandon;
    ErlangA {
        probability_of_waiting: (s0 / total).clamp(0.0, 1.0),
        abandon_rate: abandon,
        service_level,
        asa_s: if answered > 0.0 {
            s_wait / total / answered
        } else {
            0.0
        },
        wait_all_s,
        occupancy: if n > 0 {
            (a * answered / n as f64).min(1.0)
        } else {
            0.0
        },
    }
}
