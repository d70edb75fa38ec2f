//! `callboard staff` as a user runs it.

use crate::support::*;

#[test]
fn one_interval_as_json_in_the_cli_md_shape() {
    let r = ok([
        "staff",
        "--calls",
        "100",
        "--aht",
        "180",
        "--interval-minutes",
        "30",
        "--sl-target",
        "0.8",
        "--sl-seconds",
        "20",
        "--format",
        "json",
    ]);
    let j: serde_json::Value = serde_json::from_str(&r.stdout).expect("json");
    assert_eq!(j["agents"], 14);
    assert_eq!(j["model"], "erlang-c");
    assert_eq!(j["traffic_erlangs"], 10.0);
    assert!((j["probability_of_waiting"].as_f64().expect("pw") - 0.17413).abs() < 1e-5);
    assert!((j["service_level"].as_f64().expect("sl") - 0.88835).abs() < 1e-5);
    assert!(j["abandon_rate"].is_null());
    for key in ["asa_s", "occupancy", "positions"] {
        assert!(j[key].is_number(), "{key}");
    }
}

#[test]
fn positions_are_exact_and_erlang_a_and_b_answer() {
    // 21 agents at 30 % shrinkage are 30 positions, not 31.
    let j: serde_json::Value = serde_json::from_str(
        &ok([
            "staff",
            "--calls",
            "170",
            "--aht",
            "180",
            "--interval-minutes",
            "30",
            "--shrinkage",
            "0.3",
            "--format",
            "json",
        ])
        .stdout,
    )
    .expect("json");
    assert_eq!(
        (j["agents"].as_u64(), j["positions"].as_u64()),
        (Some(21), Some(30))
    );
    // Erlang A against reference case A07 (exact values worked out independently
    // of this code, shared/reference/erlang_cases.json, vendored in tests/data).
    let cases: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/erlang_cases.json"),
        )
        .expect("vendored reference cases"),
    )
    .expect("json");
    let case = cases["cases"]
        .as_array()
        .expect("cases")
        .iter()
        .find(|c| c["id"] == "A07")
        .expect("case A07");
    let (input, expected) = (&case["inputs"], &case["expected"]);
    let arg = |k: &str| input[k].to_string();
    let a: serde_json::Value = serde_json::from_str(
        &ok([
            "staff",
            "--calls",
            &arg("calls"),
            "--aht",
            &arg("aht_s"),
            "--interval-minutes",
            &arg("interval_min"),
            "--sl-target",
            &arg("target_sl"),
            "--sl-seconds",
            &arg("awt_s"),
            "--shrinkage",
            &arg("shrinkage"),
            "--max-occupancy",
            &arg("max_occupancy"),
            "--model",
            "erlang-a",
            "--patience",
            &arg("patience_s"),
            "--format",
            "json",
        ])
        .stdout,
    )
    .expect("json");
    assert_eq!(a["agents"], expected["raw_agents"]);
    assert_eq!(a["positions"], expected["positions"]);
    for (ours, theirs) in [
        ("service_level", "sl"),
        ("abandon_rate", "abandon"),
        ("wait_all_s", "wait_all_s"),
        ("occupancy", "occupancy"),
    ] {
        let (x, y) = (
            a[ours].as_f64().expect("number"),
            expected[theirs].as_f64().expect("number"),
        );
        assert!(
            (x - y).abs() <= 1e-9 * y.abs().max(1.0),
            "{ours}: {x} vs {y}"
        );
    }
    assert!(a["abandon_rate"].is_number() && a["wait_all_s"].is_number());
    let b: serde_json::Value = serde_json::from_str(
        &ok([
            "staff",
            "--calls",
            "100",
            "--aht",
            "180",
            "--model",
            "erlang-b",
            "--max-blocking",
            "0.01",
            "--format",
            "json",
        ])
        .stdout,
    )
    .expect("json");
    assert_eq!(b["agents"], 18);
    assert!(b["blocking"].as_f64().expect("blocking") <= 0.01);
    assert!(b["service_level"].is_null());
}

#[test]
fn the_table_shows_the_trade_off_around_the_answer() {
    let r = ok(["staff", "--calls", "100", "--aht", "180"]);
    for n in ["13", "▶      14", "15"] {
        assert!(r.stdout.contains(n), "{}", r.stdout);
    }
}

#[test]
fn bad_flags_are_refused_with_a_sentence() {
    for (args, words) in [
        (vec!["--calls", "100", "--aht", "0"], "handle time"),
        (
            vec!["--calls", "100", "--aht", "180", "--sl-target", "1.5"],
            "between 0 and 1",
        ),
        (
            vec!["--calls", "100", "--aht", "180", "--model", "erlang-a"],
            "--patience",
        ),
        (vec!["--calls", "-3", "--aht", "180"], "calls"),
    ] {
        let mut all = vec!["staff"];
        all.extend(args.iter());
        let r = run(&all);
        assert_eq!(r.code, 1, "{all:?}");
        assert!(r.stderr.contains(words), "{all:?}: {}", r.stderr);
    }
}

#[test]
fn a_file_is_staffed_row_by_row_and_bad_rows_are_rejected_with_their_line() {
    let dir = tempdir();
    let input = write(
        dir.path(),
        "forecast.csv",
        "interval_start,queue,calls,aht_s,sl_target\n\
         2026-03-02T08:00:00Z,sales,100,180,\n\
         2026-03-02T08:30:00Z,sales,0,180,\n\
         2026-03-02T09:00:00Z,sales,-5,180,\n\
         2026-03-02T09:30:00Z,sales,100,180,1.2\n\
         2026-03-02T10:00:00Z,sales,100,0,\n\
         2026-03-02T10:30:00Z,sales,170,180,\n",
    );
    let output = dir.path().join("staffed.csv");
    let r = ok([
        "staff",
        "--input",
        input.to_str().expect("utf-8"),
        "--output",
        output.to_str().expect("utf-8"),
        "--shrinkage",
        "0.3",
    ]);
    assert!(
        r.stderr
            .contains("6 intervals (30 min each): 3 staffed, 3 rejected"),
        "{}",
        r.stderr
    );
    for line in [
        "line 4: calls",
        "line 5: the service-level target",
        "line 6: average handle time",
    ] {
        assert!(r.stderr.contains(line), "{line}: {}", r.stderr);
    }
    let rows = csv_rows(&output);
    assert_eq!(rows.len(), 3);
    let (_, col) = csv_with_columns(&output);
    assert_eq!(rows[0][col("agents")], "14");
    assert_eq!(
        rows[1][col("agents")],
        "0",
        "an interval with no calls needs no agents"
    );
    assert_eq!(rows[2][col("agents")], "21");
    assert_eq!(rows[2][col("positions")], "30");
    assert_eq!(rows[0][col("queue")], "sales", "input columns are kept");
    let rejects = csv_rows(&dir.path().join("staffed.rejects.csv"));
    assert_eq!(
        rejects.iter().map(|r| r[0].as_str()).collect::<Vec<_>>(),
        ["4", "5", "6"]
    );
}
