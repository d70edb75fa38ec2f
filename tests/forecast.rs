//! Forecasting against real data: the bank's 164 weekdays of five-minute arrivals
//! (shared/data/real/bank-calls-2003-5min), aggregated to half hours and replayed
//! from weekly origins over its last 8 weeks, in-process through
//! `callboard_core::forecast`.

use crate::support::*;
use callboard_core::forecast::{
    DayCounts, Dispersion, History, Method, ProfileStat, weekly_backtest,
};

/// A store of `days` simulated days of calls (seed `seed`) under `dir`.
fn simulated_calls(dir: &std::path::Path, days: u32, seed: u64) -> std::path::PathBuf {
    let centre = dir.join("centre");
    simulate(&centre, days, seed, false);
    let data = dir.join("store");
    ingest_json(&data, &[centre.join("calls.csv")], &[]);
    data
}

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

    // The methods `auto` chooses among, in their order.
    let methods = callboard::query::forecast::METHODS;
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
    // The automatic choice made honestly: at each origin, chosen by a backtest of
    // the 8 weeks before it only.
    let (auto, picks) =
        callboard_core::forecast::auto_backtest(&h, &methods, 1, 8, 8).expect("auto backtest");
    assert_eq!(auto.score.points, tested * 29);
    println!(
        "| auto, chosen on the 8 weeks before each origin | {:.4} | {:+.4} | {:.3} |  picks: {}",
        auto.score.wape,
        auto.score.bias,
        auto.score.mase.unwrap_or(f64::NAN),
        picks.join(", ")
    );
    // Issue 12's goal: the automatic choice beats every peer model and baseline
    // (statsforecast's best here, SeasonalWindowAverage 4 weeks, 8.5638 %; MSTL
    // 11.75 %, AutoETS 10.60 %, AutoTheta 25.87 %), with bias within ±6 %.
    assert!(auto.score.wape < 0.08563794559824874, "{:?}", auto.score);
    assert!(auto.score.bias.abs() < 0.06);
    // The same backtest run by statsforecast 2.1.1 (SeasonalNaive(145) and
    // SeasonalWindowAverage(145, 4 / 8) on the weekday-only series, the same 8
    // origins; benches/peers/forecast_peers.py): independent figures to match.
    for (i, (wape, bias)) in [
        (0, (0.09726404955564104, 0.0034541423931535803)),
        (1, (0.08563794559824874, 0.006329091334504542)),
        (4, (0.09308259405697154, 0.018894674434190854)),
    ] {
        let name = methods[i].name();
        assert!(
            ["seasonal_naive", "profile_mean_4", "profile_mean_8"].contains(&name.as_str()),
            "{name}"
        );
        assert!((scores[i].wape - wape).abs() < 1e-9, "{i}: {:?}", scores[i]);
        assert!((scores[i].bias - bias).abs() < 1e-9, "{i}: {:?}", scores[i]);
    }
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
fn bank_prediction_intervals_are_calibrated_out_of_sample() {
    let Some(five) = bank_history() else {
        return;
    };
    let h = five.aggregate(6);
    let m = Method::Profile {
        stat: ProfileStat::Mean,
        weeks: 4,
    };
    // 16 weekly origins: each of the last 8 weeks gets bands fitted on the 8 weeks
    // before it only (as the forecast command reports), then counted.
    let b = weekly_backtest(&h, &m, 16).expect("backtest");
    let (c80, c95) = b.out_of_sample_coverage(8, 8).expect("16 origins");
    // The same by hand from the pairs, week by week.
    let (mut n, mut in80, mut in95) = (0usize, 0usize, 0usize);
    for o in 8..16 {
        let d = Dispersion::fit(b.pairs_of(o - 8..o).iter().copied());
        for &(a, f) in b.pairs_of(o..o + 1) {
            let band = d.band(f);
            n += 1;
            in80 += usize::from(band.lo80 <= a && a <= band.hi80);
            in95 += usize::from(band.lo95 <= a && a <= band.hi95);
        }
    }
    assert_eq!(n, b.window(8..16).score.points);
    assert!((c80 - in80 as f64 / n as f64).abs() < 1e-12);
    assert!((c95 - in95 as f64 / n as f64).abs() < 1e-12);
    // In sample on the last 8 weeks, the moment fit out of sample, and Poisson.
    let recent = b.pairs_of(8..16);
    let (i80, i95) = Dispersion::fit(recent.iter().copied()).coverage(recent.iter().copied());
    let (mut m80, mut m95) = (0.0, 0.0);
    for o in 8..16 {
        let d = Dispersion::moments(b.pairs_of(o - 8..o).iter().copied());
        let (x, y) = d.coverage(b.pairs_of(o..o + 1).iter().copied());
        let k = b.pairs_of(o..o + 1).len() as f64 / n as f64;
        m80 += x * k;
        m95 += y * k;
    }
    let poisson = Dispersion::POISSON.coverage(recent.iter().copied());
    println!(
        "bank 30-min, 4-week mean, last 8 weeks: bands out of sample cover {c80:.3} (80 %) and {c95:.3} (95 %); in sample {i80:.3}, {i95:.3}; the moment fit out of sample {m80:.3}, {m95:.3}; a plain Poisson band {:.3}, {:.3}",
        poisson.0, poisson.1
    );
    // The calibration bounds, out of sample and in sample.
    assert!((0.72..=0.88).contains(&c80), "80 % out of sample: {c80}");
    assert!((0.90..=0.99).contains(&c95), "95 % out of sample: {c95}");
    assert!((0.72..=0.88).contains(&i80), "80 % in sample: {i80}");
    assert!((0.90..=0.99).contains(&i95), "95 % in sample: {i95}");
    // A plain Poisson band is far too narrow on real arrivals (the issue measured
    // 72 % for a nominal 80 % elsewhere; here it is worse).
    assert!(poisson.0 < 0.72, "{poisson:?}");
}

#[test]
fn forecast_query_on_the_bank_file_chooses_by_backtest_and_keeps_closed_hours_zero() {
    let Some(file) = real_file(BANK_5MIN) else {
        return;
    };
    // The file as an ACD interval export: interval_start, calls (five-minute rows,
    // summed into half hours by the query).
    let dir = tempdir();
    let mut text = String::from("interval_start,calls\n");
    let mut rdr = csv::Reader::from_path(&file).expect("csv");
    for r in rdr.records() {
        let r = r.expect("record");
        text.push_str(&format!("{},{}\n", &r[0], &r[3]));
    }
    let history = write(dir.path(), "history.csv", &text);
    let q = callboard::query::forecast::ForecastQuery {
        history: Some(history),
        horizon: "7d".into(),
        ..Default::default()
    };
    let r = callboard::query::forecast::run(None, &q).expect("forecast");
    assert_eq!(r.rows.len(), 7 * 48);
    let queue = &r.queues[0];
    // auto kept the plain 4-week mean unless a candidate beat it beyond noise: the
    // method chosen is the plain profile or scored lower than it.
    let score = |name: &str| {
        queue
            .backtest
            .iter()
            .find(|m| m.method == name)
            .expect("scored")
            .wape
    };
    assert!(
        queue.method == "profile_mean_4" || score(&queue.method) < score("profile_mean_4"),
        "{queue:?}"
    );
    // 235 days of history: its day-of-month effects are estimated (month ends
    // about 4 % busier) but under the 5 % that makes them worth trying, so the 8
    // methods are tried as they are.
    let effect = queue.day_of_month_effect.expect("over 90 days");
    assert!(effect > 0.0 && effect < 0.05, "{effect}");
    assert_eq!(queue.backtest.len(), 8);
    assert!(queue.day_of_month_factors.is_none());
    assert_eq!(queue.backtest_origins, 8);
    assert_eq!(queue.checked_origins, 8);
    // The honest replay of that choice beats every statsforecast model and baseline
    // on these 8 origins (statsforecast's best, the 4-week window average: 8.5638 %;
    // the core backtest test has the table).
    let auto = queue.auto_wape.expect("auto replayed");
    assert!(auto < 0.08563794559824874, "{auto}");
    assert!(queue.auto_bias.expect("bias").abs() < 0.06);
    // The bank answers 07:00–21:05: the night has no history and forecasts 0 with a
    // zero band; the weekend too (the file holds weekdays only).
    for row in &r.rows {
        let hour: u32 = row.interval_start[11..13].parse().expect("hour");
        if !(7..22).contains(&hour) {
            assert_eq!((row.calls, row.calls_hi95), (0.0, 0.0), "{row:?}");
        }
        assert!(row.calls_lo95 <= row.calls_lo80 && row.calls_hi80 <= row.calls_hi95);
    }
    let (c80, c95) = (
        queue.coverage80.expect("a backtest"),
        queue.coverage95.expect("a backtest"),
    );
    assert!((0.72..=0.88).contains(&c80), "{c80}");
    assert!((0.90..=0.99).contains(&c95), "{c95}");
    println!(
        "bank forecast: {} chosen, WAPE {:.4}; auto replayed honestly {auto:.4} (bias {:+.4}); bands out of sample {c80:.3} / {c95:.3}; candidates: {}",
        queue.method,
        queue.wape.expect("wape"),
        queue.auto_bias.expect("bias"),
        queue
            .backtest
            .iter()
            .map(|m| format!("{} {:.4}", m.method, m.wape))
            .collect::<Vec<_>>()
            .join(", ")
    );
}

#[test]
fn forecast_command_from_the_store_writes_the_cli_md_file() {
    let dir = tempdir();
    let data = simulated_calls(dir.path(), 21, 4);
    let out = dir.path().join("forecast.csv");
    let d = data.to_str().expect("utf-8");
    let r = ok([
        "forecast",
        "--data-dir",
        d,
        "--horizon",
        "2d",
        "--interval",
        "60m",
        "--output",
        out.to_str().expect("utf-8"),
    ]);
    // Three weeks: two weekly origins, the later one also checked out of sample.
    assert!(
        r.stdout.contains("backtest (2 weekly origins): WAPE"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("auto replayed honestly"), "{}", r.stdout);
    let mut rdr = csv::Reader::from_path(&out).expect("forecast file");
    let header: Vec<String> = rdr
        .headers()
        .expect("header")
        .iter()
        .map(String::from)
        .collect();
    assert_eq!(
        header,
        [
            "interval_start",
            "queue",
            "calls",
            "calls_lo80",
            "calls_hi80",
            "calls_lo95",
            "calls_hi95",
            "aht_s",
            "method"
        ]
    );
    let rows: Vec<csv::StringRecord> = rdr.records().map(|r| r.expect("row")).collect();
    let queues: std::collections::BTreeSet<&str> = rows.iter().map(|r| &r[1]).collect();
    // Every queue, 48 hourly rows each, forecasts ≥ 0 inside their bands.
    assert_eq!(rows.len(), 48 * queues.len());
    for r in &rows {
        let v = |i: usize| r[i].parse::<f64>().expect("number");
        assert!(
            v(2) >= 0.0 && v(3) <= v(4) && v(5) <= v(3) && v(4) <= v(6),
            "{r:?}"
        );
    }
    // The same forecast as Parquet feeds `callboard staff --input` as it is.
    let parquet = dir.path().join("forecast.parquet");
    ok([
        "forecast",
        "--data-dir",
        d,
        "--horizon",
        "2d",
        "--interval",
        "60m",
        "--output",
        parquet.to_str().expect("utf-8"),
    ]);
    let staffed = dir.path().join("staffed.csv");
    ok([
        "staff",
        "--input",
        parquet.to_str().expect("utf-8"),
        "--output",
        staffed.to_str().expect("utf-8"),
    ]);
    let staffed_rows = csv::Reader::from_path(&staffed)
        .expect("staffed")
        .records()
        .count();
    assert_eq!(staffed_rows, rows.len());
    // Bad input is a sentence, not a panic.
    let r = run(["forecast", "--data-dir", d, "--interval", "20m"]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("20m"), "{}", r.stderr);
    let r = run(["forecast", "--data-dir", d, "--method", "magic"]);
    assert!(
        r.stderr.contains("unknown forecasting method"),
        "{}",
        r.stderr
    );
}

#[test]
fn forecast_staffing_matches_the_staff_command_row_by_row() {
    let dir = tempdir();
    let data = simulated_calls(dir.path(), 21, 5);
    let out = dir.path().join("forecast.csv");
    let d = data.to_str().expect("utf-8");
    ok([
        "forecast",
        "--data-dir",
        d,
        "--horizon",
        "1d",
        "--interval",
        "60m",
        "--staffing",
        "--staff-to",
        "p80",
        "--shrinkage",
        "0.3",
        "--output",
        out.to_str().expect("utf-8"),
    ]);
    let mut rdr = csv::Reader::from_path(&out).expect("forecast file");
    let header: Vec<String> = rdr
        .headers()
        .expect("header")
        .iter()
        .map(String::from)
        .collect();
    assert_eq!(&header[9..], ["agents", "positions"]);
    let rows: Vec<csv::StringRecord> = rdr.records().map(|r| r.expect("row")).collect();
    let mut checked = 0;
    for r in rows
        .iter()
        .filter(|r| r[4].parse::<f64>().expect("hi80") > 0.0)
        .step_by(7)
        .take(4)
    {
        // Sized for the 80 % band's upper bound (column calls_hi80).
        let j: serde_json::Value = serde_json::from_str(
            &ok([
                "staff",
                "--calls",
                &r[4],
                "--aht",
                &r[7],
                "--interval-minutes",
                "60",
                "--shrinkage",
                "0.3",
                "--format",
                "json",
            ])
            .stdout,
        )
        .expect("json");
        assert_eq!(r[9].parse::<u64>().ok(), j["agents"].as_u64(), "{r:?}");
        assert_eq!(r[10].parse::<u64>().ok(), j["positions"].as_u64(), "{r:?}");
        checked += 1;
    }
    assert_eq!(checked, 4);
    // A night hour with no calls needs nobody (the simulated repairs queue has some).
    let quiet: Vec<_> = rows.iter().filter(|r| &r[4] == "0.0").collect();
    assert!(!quiet.is_empty());
    for r in quiet {
        assert_eq!((&r[9], &r[10]), ("0", "0"), "{r:?}");
    }
}

#[test]
fn forecasts_across_daylight_saving_changes_keep_the_wall_clock() {
    use chrono::{TimeZone, Timelike};
    let london = chrono_tz::Europe::London;
    // Six weeks of 15-minute history around the autumn change (25 Oct 2026: 01:00–
    // 02:00 happens twice), written as UTC instants. Wall-clock profile: 10 calls
    // per quarter hour 09:00–17:00, 4 in 01:00–02:00, else 0.
    let dir = tempdir();
    let mut text = String::from("interval_start,calls\n");
    let (from, to) = (
        chrono::Utc.with_ymd_and_hms(2026, 10, 5, 0, 0, 0).unwrap(),
        chrono::Utc.with_ymd_and_hms(2026, 11, 16, 0, 0, 0).unwrap(),
    );
    let mut t = from;
    while t < to {
        let hour = t.with_timezone(&london).hour();
        let calls = match hour {
            9..=16 => 10,
            1 => 4,
            _ => 0,
        };
        text.push_str(&format!("{},{calls}\n", t.format("%Y-%m-%dT%H:%M:%SZ")));
        t += chrono::Duration::minutes(15);
    }
    let history = write(dir.path(), "history.csv", &text);
    let run = |from: &str, horizon: &str| {
        callboard::query::forecast::run(
            None,
            &callboard::query::forecast::ForecastQuery {
                history: Some(history.clone()),
                from: Some(from.into()),
                horizon: horizon.into(),
                interval: "15m".into(),
                timezone: "Europe/London".into(),
                method: "profile_mean_4".into(),
                ..Default::default()
            },
        )
        .expect("forecast")
    };
    // The repeated hour of 25 October was two intervals of 4 calls each, not one
    // of 8: the 01:00 slots of the next Sunday forecast 4 (a summed hour would give
    // (4 + 4 + 4 + 8) ÷ 4 = 5).
    let r = run("2026-11-15T00:00:00Z", "1d");
    assert_eq!(r.rows.len(), 96);
    let at = |r: &callboard::query::forecast::ForecastReport, utc: &str| {
        r.rows
            .iter()
            .find(|x| x.interval_start == utc)
            .unwrap_or_else(|| panic!("{utc}"))
            .calls
    };
    assert_eq!(at(&r, "2026-11-15T01:00:00Z"), 4.0);
    // The autumn change itself: 25 hours = 100 quarter hours; both 01:00 hours (00:00Z
    // at +01:00 and 01:00Z at +00:00) forecast as the wall clock's 01:00.
    let autumn = run("2026-10-25T00:00:00+01:00", "25h");
    assert_eq!(autumn.rows.len(), 100);
    assert_eq!(at(&autumn, "2026-10-25T00:00:00Z"), 4.0);
    assert_eq!(at(&autumn, "2026-10-25T01:00:00Z"), 4.0);
    // 09:00 local is 09:00Z after the change and 08:00Z before it.
    assert_eq!(at(&autumn, "2026-10-25T09:00:00Z"), 10.0);
    assert_eq!(at(&autumn, "2026-10-25T08:45:00Z"), 0.0);
}

#[test]
fn special_days_are_left_out_and_forecast_as_told_and_the_planted_holiday_is_found() {
    // Six weeks from Monday 2026-01-05, half hours: 20 calls 09:00–17:00 on weekdays,
    // 0 otherwise. Planted: Monday 2026-02-02 at 2 calls an interval (a holiday
    // nobody marked) and Tuesday 2026-01-20 at 40 (a campaign the file marks).
    let dir = tempdir();
    let mut text = String::from("interval_start,calls\n");
    let start = chrono::NaiveDate::from_ymd_opt(2026, 1, 5).expect("date");
    for d in 0..42 {
        let date = start + chrono::Days::new(d);
        let weekday = d % 7;
        for slot in 0..48u32 {
            let open = weekday < 5 && (18..34).contains(&slot);
            let calls = match (open, date.to_string().as_str()) {
                (false, _) => 0,
                (true, "2026-02-02") => 2,
                (true, "2026-01-20") => 40,
                (true, _) => 20,
            };
            text.push_str(&format!(
                "{date}T{:02}:{:02}:00Z,{calls}\n",
                slot / 2,
                (slot % 2) * 30
            ));
        }
    }
    let history = write(dir.path(), "history.csv", &text);
    let special = write(
        dir.path(),
        "special.csv",
        "date,kind,factor\n2026-01-20,campaign,2\n2026-02-16,holiday,0.5\n2026-02-17,campaign,1.5\n2026-02-18,closed,\n",
    );
    let r = callboard::query::forecast::run(
        None,
        &callboard::query::forecast::ForecastQuery {
            history: Some(history),
            special_days: Some(special),
            from: Some("2026-02-16".into()),
            horizon: "4d".into(),
            method: "profile_mean_4".into(),
            ..Default::default()
        },
    )
    .expect("forecast");
    let q = &r.queues[0];
    assert_eq!(q.quiet_days_left_out, ["2026-02-02"]);
    assert_eq!(q.marked_days_left_out, ["2026-01-20"]);
    let at = |t: &str| {
        r.rows
            .iter()
            .find(|x| x.interval_start == t)
            .unwrap_or_else(|| panic!("{t}"))
            .calls
    };
    // Holiday Monday: the profile (20: the quiet Monday left out) × 0.5.
    assert_eq!(at("2026-02-16T10:00:00Z"), 10.0);
    // Campaign Tuesday: 20 (the marked campaign left out) × 1.5.
    assert_eq!(at("2026-02-17T10:00:00Z"), 30.0);
    // Closed Wednesday: 0 all day; an ordinary Thursday: 20.
    assert!(
        r.rows
            .iter()
            .filter(|x| x.interval_start.starts_with("2026-02-18"))
            .all(|x| x.calls == 0.0)
    );
    assert_eq!(at("2026-02-19T10:00:00Z"), 20.0);
    // A bad file is refused with its line.
    let bad = write(
        dir.path(),
        "bad.csv",
        "date,kind,factor\n2026-02-16,party,2\n",
    );
    let e = callboard::query::forecast::run(
        None,
        &callboard::query::forecast::ForecastQuery {
            history: Some(dir.path().join("history.csv")),
            special_days: Some(bad),
            ..Default::default()
        },
    )
    .expect_err("refused");
    assert!(e.to_string().contains(":2: kind"), "{e}");
}

#[test]
fn under_two_weeks_of_history_gives_a_flagged_profile_of_what_exists() {
    let dir = tempdir();
    let data = simulated_calls(dir.path(), 5, 6);
    let d = data.to_str().expect("utf-8");
    let r = ok([
        "forecast",
        "--data-dir",
        d,
        "--from",
        "2026-03-09",
        "--horizon",
        "5d",
        "--format",
        "json",
    ]);
    let j: serde_json::Value = serde_json::from_str(&r.stdout).expect("json");
    for q in j["queues"].as_array().expect("queues") {
        assert_eq!(q["thin_history"], true, "{q}");
        assert_eq!(q["history_days"], 5);
        assert_eq!(q["method"], "profile_mean_4");
        assert!(q["wape"].is_null() && q["backtest"].as_array().expect("list").is_empty());
    }
    // Five simulated days (Monday 2 March on) have no weekend: the Saturday and
    // Sunday of the next week are not guessed — the profile has no such weekday.
    let r = run(["forecast", "--data-dir", d, "--horizon", "7d"]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(
        r.stderr.contains("no Saturday in the history"),
        "{}",
        r.stderr
    );
}

#[test]
fn planted_pay_days_are_learnt_and_forecast_by_auto() {
    // 26 weeks of weekdays from Monday 2025-06-02, hourly 09:00–17:00 UTC at 30
    // calls, × 1.4 on the 1st and the 15th of each month (pay days; a weekend pay
    // day moves nothing here). A pinch of deterministic wobble (±2 calls by
    // weekday and hour) so no method is exact by accident.
    let dir = tempdir();
    let mut text = String::from("interval_start,calls\n");
    let start = chrono::NaiveDate::from_ymd_opt(2025, 6, 2).expect("date");
    for d in 0..182u64 {
        let date = start + chrono::Days::new(d);
        let weekday = d % 7;
        if weekday >= 5 {
            continue;
        }
        let pay = if [1, 15].contains(&chrono::Datelike::day(&date)) {
            1.4
        } else {
            1.0
        };
        for hour in 9..17u64 {
            let wobble = ((weekday * 3 + hour * 2 + d) % 5) as f64 - 2.0;
            text.push_str(&format!(
                "{date}T{hour:02}:00:00Z,{}\n",
                (30.0 + wobble) * pay
            ));
        }
    }
    let history = write(dir.path(), "history.csv", &text);
    let r = callboard::query::forecast::run(
        None,
        &callboard::query::forecast::ForecastQuery {
            history: Some(history),
            interval: "60m".into(),
            horizon: "21d".into(),
            ..Default::default()
        },
    )
    .expect("forecast");
    let q = &r.queues[0];
    // The history ends on Friday 2025-11-28; the forecast runs 2025-11-29 …
    // 2025-12-19 and holds Monday 2025-12-01 and Monday 2025-12-15, both pay days.
    let effect = q.day_of_month_effect.expect("26 weeks");
    assert!(effect > 0.3 && effect < 0.5, "{effect}");
    assert_eq!(q.backtest.len(), 16, "each method also tried +dom");
    assert!(q.method.ends_with("+dom"), "{q:?}");
    let factors = q.day_of_month_factors.as_ref().expect("used");
    assert!(
        (factors[0] - 1.4).abs() < 0.05 && (factors[14] - 1.4).abs() < 0.05,
        "{factors:?} {}",
        q.method
    );
    let day_total = |date: &str| -> f64 {
        r.rows
            .iter()
            .filter(|x| x.interval_start.starts_with(date))
            .map(|x| x.calls)
            .sum()
    };
    // 8 hours × 30 a day (the wobble averages about 0 over the weeks), × 1.4 on
    // the pay-day Mondays against the ordinary Mondays between them.
    for pay_day in ["2025-12-01", "2025-12-15"] {
        let ratio = day_total(pay_day) / day_total("2025-12-08");
        assert!((ratio - 1.4).abs() < 0.07, "{pay_day}: {ratio}");
    }
    assert!((day_total("2025-12-08") - 240.0).abs() < 12.0);
    // And the backtest says it: the +dom method beats the plain one clearly.
    let wape = |name: &str| {
        q.backtest
            .iter()
            .find(|m| m.method == name)
            .expect("scored")
            .wape
    };
    let (with, without) = (wape(&q.method), wape(q.method.trim_end_matches("+dom")));
    println!(
        "pay days: {} {with:.4}, without the effects {without:.4}",
        q.method
    );
    assert!(with < 0.75 * without, "{with} vs {without}");
}

#[test]
fn simulated_weeks_9_and_10_are_forecast_within_the_poisson_noise_of_the_true_rate() {
    use callboard_core::simulate::{CollectSink, Outcome, SimConfig, run};
    // Ten weeks of a simulated centre from Monday 2026-03-02 (day 20 514): three
    // queues, the realistic weekday × hour shape, nothing blocked (no trunk limit),
    // so offered calls per slot are Poisson with mean (1 − IVR share) × the rate
    // the simulator draws from.
    let mut cfg = SimConfig::realistic(20_514, 70, 3, 40, Some(3000.0), 12);
    cfg.trunks = None;
    cfg.side_tables = false;
    let mut sink = CollectSink::default();
    run(&cfg, &mut sink);
    let day_ms = 86_400_000i64;
    let start_ms = 20_514 * day_ms;
    let mut counts = vec![[0.0f64; 3]; 70 * 48];
    for c in &sink.calls {
        if matches!(
            c.outcome,
            Outcome::Answered | Outcome::Abandoned | Outcome::Timeout
        ) {
            counts[((c.arrived_ms - start_ms) / 1_800_000) as usize][usize::from(c.queue)] += 1.0;
        }
    }
    // Weeks 1–8 as an interval-count file (every interval, zeros included).
    let dir = tempdir();
    let mut text = String::from("interval_start,queue,calls\n");
    for (i, row) in counts.iter().enumerate().take(56 * 48) {
        for (q, n) in row.iter().enumerate() {
            let t = callboard_core::time::format_timestamp(start_ms + i as i64 * 1_800_000);
            text.push_str(&format!("{t},{},{n}\n", cfg.queues[q].name));
        }
    }
    let history = write(dir.path(), "weeks-1-8.csv", &text);
    let r = callboard::query::forecast::run(
        None,
        &callboard::query::forecast::ForecastQuery {
            history: Some(history),
            horizon: "14d".into(),
            ..Default::default()
        },
    )
    .expect("forecast");
    assert_eq!(r.from, "2026-04-27T00:00:00Z");
    assert_eq!(r.rows.len(), 3 * 14 * 48);
    let (mut err, mut oracle, mut actual) = (0.0, 0.0, 0.0);
    let (mut n, mut in80, mut in95) = (0usize, 0usize, 0usize);
    for row in &r.rows {
        let q = cfg
            .queues
            .iter()
            .position(|x| x.name == row.queue)
            .expect("a simulated queue");
        let t = callboard_core::time::parse_timestamp(
            &row.interval_start,
            &callboard_core::time::TimeZoneSpec::utc(),
        )
        .expect("RFC 3339");
        let i = ((t - start_ms) / 1_800_000) as usize;
        let a = counts[i][q];
        let truth = (cfg.arrival_mean(q, 2 * i as i64) + cfg.arrival_mean(q, 2 * i as i64 + 1))
            * (1.0 - cfg.ivr_share);
        err += (a - row.calls).abs();
        oracle += (a - truth).abs();
        actual += a;
        n += 1;
        in80 += usize::from(row.calls_lo80 <= a && a <= row.calls_hi80);
        in95 += usize::from(row.calls_lo95 <= a && a <= row.calls_hi95);
    }
    let (wape, floor) = (err / actual, oracle / actual);
    let (c80, c95) = (in80 as f64 / n as f64, in95 as f64 / n as f64);
    println!(
        "simulated weeks 9–10 ({actual:.0} calls): WAPE {wape:.4} against the true rate's {floor:.4} (Poisson noise alone); bands cover {c80:.3} / {c95:.3}; methods {}",
        r.queues
            .iter()
            .map(|q| format!("{} {}", q.queue, q.method))
            .collect::<Vec<_>>()
            .join(", ")
    );
    // A profile of k weeks adds its own noise: √(1 + 1/k) × the floor (1.12 for 4
    // weeks, 1.06 for 8); 1.15 leaves room for the choice between them.
    assert!(wape < 1.15 * floor, "{wape} vs {floor}");
    assert!((0.72..=0.88).contains(&c80), "80 %: {c80}");
    assert!((0.90..=0.99).contains(&c95), "95 %: {c95}");
}

#[test]
fn anonymous_bank_month_through_the_store_equals_a_profile_recounted_from_the_raw_file() {
    let Some(file) = real_file(BANK) else {
        return;
    };
    // Independent count over the raw file with the shipped mapping's semantics:
    // PHANTOM skipped; offered = AGENT, or HANG after joining the queue; the call
    // arrives at vru_exit on `date` (the next day when the IVR visit passed
    // midnight), Israel wall clock (no DST in February 1999).
    let text = std::fs::read_to_string(&file).expect("read");
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().expect("header").split('\t').collect();
    let at = |n: &str| header.iter().position(|h| h.trim() == n).expect(n);
    let (c_type, c_date, c_in, c_out, c_qs, c_outcome) = (
        at("type"),
        at("date"),
        at("vru_entry"),
        at("vru_exit"),
        at("q_start"),
        at("outcome"),
    );
    let secs = |s: &str| -> i64 {
        let p: Vec<i64> = s
            .trim()
            .split(':')
            .map(|x| x.parse().expect("H:MM:SS"))
            .collect();
        p[0] * 3600 + p[1] * 60 + p[2]
    };
    let mut counts: std::collections::BTreeMap<(String, i32, usize), f64> = Default::default();
    let (mut first, mut last) = ((i32::MAX, 0i64), (i32::MIN, 0i64));
    for l in lines {
        let f: Vec<&str> = l.split('\t').map(str::trim).collect();
        let offered = f[c_outcome] == "AGENT" || (f[c_outcome] == "HANG" && f[c_qs] != "0:00:00");
        if !offered {
            continue;
        }
        let d = f[c_date];
        let date = chrono::NaiveDate::parse_from_str(d, "%y%m%d").expect("YYMMDD");
        let mut day = date
            .signed_duration_since(chrono::NaiveDate::default())
            .num_days() as i32;
        let (t_in, t_out) = (secs(f[c_in]), secs(f[c_out]));
        if t_out < t_in {
            day += 1;
        }
        first = first.min((day, t_out));
        last = last.max((day, t_out));
        *counts
            .entry((f[c_type].to_owned(), day, (t_out / 1800) as usize))
            .or_default() += 1.0;
    }
    let dir = tempdir();
    let data = dir.path().join("store");
    ingest_json(&data, &[file], &["--mapping", BANK_MAPPING]);
    let r = ok([
        "forecast",
        "--data-dir",
        data.to_str().expect("utf-8"),
        "--timezone",
        "Asia/Jerusalem",
        "--method",
        "profile_mean_4",
        "--keep-quiet-days",
        "--from",
        "1999-03-01T00:00:00",
        "--horizon",
        "7d",
        "--format",
        "json",
    ]);
    let j: serde_json::Value = serde_json::from_str(&r.stdout).expect("json");
    let zone: chrono_tz::Tz = "Asia/Jerusalem".parse().expect("zone");
    let queues: std::collections::BTreeSet<&str> =
        counts.keys().map(|(q, _, _)| q.as_str()).collect();
    let rows = j["rows"].as_array().expect("rows");
    assert_eq!(rows.len(), 7 * 48 * queues.len());
    let (mut checked, mut calls) = (0, 0.0);
    for row in rows {
        let t = chrono::DateTime::parse_from_rfc3339(row["interval_start"].as_str().expect("t"))
            .expect("RFC 3339")
            .with_timezone(&zone);
        let target = t
            .date_naive()
            .signed_duration_since(chrono::NaiveDate::default())
            .num_days() as i32;
        let slot = (chrono::Timelike::hour(&t) * 2 + chrono::Timelike::minute(&t) / 30) as usize;
        let queue = row["queue"].as_str().expect("queue");
        // The latest 4 days of the target's weekday in the history; a slot after
        // the last call of the last day is unknown, not 0.
        let values: Vec<f64> = (first.0..=last.0)
            .rev()
            .filter(|d| (d - target).rem_euclid(7) == 0)
            .take(4)
            .filter(|d| *d < last.0 || (slot as i64) * 1800 <= last.1)
            .map(|d| {
                counts
                    .get(&(queue.to_owned(), d, slot))
                    .copied()
                    .unwrap_or(0.0)
            })
            .collect();
        let want = values.iter().sum::<f64>() / values.len() as f64;
        let got = row["calls"].as_f64().expect("calls");
        assert!((got - want).abs() < 1e-9, "{queue} {t}: {got} vs {want}");
        checked += 1;
        calls += got;
    }
    println!(
        "Anonymous Bank, March 1999 week from the February store: {checked} intervals, {calls:.0} calls, {} queues",
        queues.len()
    );
    assert!(calls > 1000.0, "{calls}");
}
