//! Forecasting against real data: the bank's 164 weekdays of five-minute arrivals
//! (shared/data/real/bank-calls-2003-5min), aggregated to half hours and replayed
//! from weekly origins over its last 8 weeks, in-process through
//! `callboard_core::forecast`.

use crate::support::*;
use callboard_core::forecast::{
    DayCounts, Dispersion, History, Method, ProfileStat, weekly_backtest,
};

/// The bank series as a history of five-minute counts (169 a day), days placed as
/// the file's `day_index` says: the i-th Monday–Friday from Monday 2003-03-03.
fn bank_history() -> Option<History> {
    let file = real_file(BANK_5MIN)?;
    let base = chrono::NaiveDate::from_ymd_opt(2003, 3, 3)
        .expect("date")
        .signed_duration_since(chrono::NaiveDate::default())
        .num_days() as i32;
    let mut rdr = csv::Reader::from_path(&file).expect("csv");
    let mut days: Vec<DayCounts> = Vec::new();
    for r in rdr.records() {
        let r = r.expect("record");
        let (i, slot, calls): (i32, usize, f64) = (
            r[1].parse().expect("day_index"),
            r[2].parse().expect("slot"),
            r[3].parse().expect("calls"),
        );
        if days
            .last()
            .is_none_or(|d| d.day != base + 7 * (i / 5) + i % 5)
        {
            days.push(DayCounts {
                day: base + 7 * (i / 5) + i % 5,
                weekday: (i % 5) as u8,
                counts: vec![f64::NAN; 169],
            });
        }
        days.last_mut().expect("a day").counts[slot] = calls;
    }
    Some(History::new(169, days).expect("a valid history"))
}

#[test]
fn bank_half_hours_weekly_backtest_per_method() {
    let Some(five) = bank_history() else {
        return;
    };
    assert_eq!(five.days().len(), 164);
    let h = five.aggregate(6);
    assert_eq!(h.slots(), 29, "28 half hours and the 21:00 five minutes");

    // Independent seasonal-naive WAPE by plain loops over the last 8 weeks: 164
    // weekdays are 32 weeks and 4 days, so those weeks hold 7 × 5 + 4 = 39 days;
    // each half hour against the same one 5 weekdays earlier.
    let d = h.days();
    let tested = 39;
    let (mut err, mut act) = (0.0, 0.0);
    for i in d.len() - tested..d.len() {
        for s in 0..29 {
            err += (d[i].counts[s] - d[i - 5].counts[s]).abs();
            act += d[i].counts[s];
        }
    }
    let naive_wape = err / act;

    let methods = [
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
    println!("bank 2003, 30-minute, 8 weekly origins (pooled):");
    println!("| method | WAPE | bias | MASE vs seasonal naive |");
    let mut scores = Vec::new();
    for m in &methods {
        let b = weekly_backtest(&h, m, 8).expect("backtest");
        assert_eq!(b.origins.len(), 8);
        assert_eq!(b.score.points, tested * 29);
        println!(
            "| {} | {:.4} | {:+.4} | {:.3} |",
            b.method,
            b.score.wape,
            b.score.bias,
            b.score.mase.unwrap_or(f64::NAN)
        );
        scores.push(b.score);
    }
    assert!(
        (scores[0].wape - naive_wape).abs() < 1e-12,
        "{} vs {naive_wape}",
        scores[0].wape
    );
    // The finding on this kind of data: the 4-week same-slot mean beats
    // repeating last week, and by a clear margin.
    let mean4 = scores[1];
    assert!(mean4.wape < 0.9 * scores[0].wape, "{mean4:?}");
    assert!(mean4.mase.expect("naive errs") < 0.9);
    // About 1 100 calls a half hour: Poisson noise alone costs √(2 ÷ (π·1 100)) ≈
    // 2.4 % WAPE, so no method can be near zero; none should be far above naive.
    for s in &scores {
        assert!(s.wape > 0.03 && s.wape < 0.5, "{s:?}");
        assert!(s.bias.abs() < 0.15, "{s:?}");
    }
}

#[test]
fn bank_prediction_intervals_are_calibrated_in_the_backtest_and_not_too_narrow_later() {
    let Some(five) = bank_history() else {
        return;
    };
    let h = five.aggregate(6);
    let m = Method::Profile {
        stat: ProfileStat::Mean,
        weeks: 4,
    };
    let b = weekly_backtest(&h, &m, 8).expect("backtest");
    // Fitted on the first four origins' errors, checked on the last four (out of
    // sample), and on all eight in sample.
    let split = b.pairs.len() - 4 * 5 * 29 + 29; // the last 4 weeks: 3 × 5 + 4 days
    let (early, late) = b.pairs.split_at(split);
    let fitted = Dispersion::fit(early.iter().copied());
    let (c80, c95) = fitted.coverage(late.iter().copied());
    let all = Dispersion::fit(b.pairs.iter().copied());
    let (i80, i95) = all.coverage(b.pairs.iter().copied());
    let poisson = Dispersion { inverse_size: 0.0 }.coverage(late.iter().copied());
    println!(
        "bank 30-min, 4-week mean: 1/k = {:.4} (first 4 origins); coverage of the last 4: 80 % → {c80:.3}, 95 % → {c95:.3}; in sample (1/k = {:.4}): {i80:.3}, {i95:.3}; a plain Poisson band: {:.3}, {:.3}",
        fitted.inverse_size, all.inverse_size, poisson.0, poisson.1
    );
    // The calibration bounds hold in the backtest the band is fitted on.
    assert!((0.72..=0.88).contains(&i80), "80 % in sample: {i80}");
    assert!((0.90..=0.99).contains(&i95), "95 % in sample: {i95}");
    // Out of sample the earlier weeks' errors were larger, so the band is wide
    // (measured 0.90 / 0.97): never too narrow, but not yet within 72–88 % — the
    // open calibration item of issue 12.
    assert!(c80 >= 0.72 && c95 >= 0.90, "{c80} {c95}");
    // And a Poisson band is too narrow here.
    assert!(poisson.0 < 0.72, "{poisson:?}");
}
