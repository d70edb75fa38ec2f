//! `callboard simulate`: determinism and the round trip through ingest.

use crate::support::*;

#[test]
fn same_seed_gives_the_same_bytes() {
    let a = tempdir();
    let b = tempdir();
    simulate(a.path(), 3, 42, false);
    simulate(b.path(), 3, 42, false);
    for t in tables(a.path(), "csv") {
        let name = t.file_name().expect("file name");
        let x = std::fs::read(&t).expect("read");
        let y = std::fs::read(b.path().join(name)).expect("read");
        assert!(
            x == y,
            "{name:?} differs between two runs with the same seed"
        );
        assert!(!x.is_empty());
    }
}

/// The acceptance run: a simulated week loads with 0 rejects, and again with 0 new rows.
#[test]
fn a_simulated_week_loads_cleanly_and_idempotently() {
    let dir = tempdir();
    let out = dir.path().join("centre");
    let data = dir.path().join("store");
    simulate(&out, 7, 1, false);
    let files = tables(&out, "csv");
    let first = ingest_json(&data, &files, &[]);
    assert_eq!(first["totals"]["rejected"], 0, "{first:#}");
    for f in first["files"].as_array().expect("files") {
        assert!(f["loaded"].as_u64().expect("loaded") > 0, "{f}");
        assert_eq!(f["read"], f["loaded"]);
    }
    let again = ingest_json(&data, &files, &[]);
    assert_eq!(again["totals"]["loaded"], 0);
    assert_eq!(again["totals"]["duplicates"], first["totals"]["read"]);
    let s = status(&data, true);
    assert_eq!(s["tables"]["calls"]["rows"], first["files"][3]["loaded"]);
}

#[test]
fn parquet_output_holds_the_same_rows_as_csv() {
    let dir = tempdir();
    let csv_dir = dir.path().join("csv");
    let pq_dir = dir.path().join("pq");
    simulate(&csv_dir, 3, 9, false);
    simulate(&pq_dir, 3, 9, true);
    let from_csv = dir.path().join("a");
    let j = ingest_json(&from_csv, &tables(&csv_dir, "csv"), &[]);
    assert_eq!(j["totals"]["rejected"], 0);
    let from_pq = dir.path().join("b");
    let k = ingest_json(&from_pq, &tables(&pq_dir, "parquet"), &[]);
    assert_eq!(k["totals"]["rejected"], 0);
    assert_eq!(j["totals"]["loaded"], k["totals"]["loaded"]);
    // Same keys: the Parquet files are all duplicates of what the CSV files loaded.
    let l = ingest_json(&from_csv, &tables(&pq_dir, "parquet"), &[]);
    assert_eq!(l["totals"]["loaded"], 0, "{l:#}");
    assert_eq!(l["totals"]["duplicates"], j["totals"]["loaded"]);
}

#[test]
fn bad_flags_are_refused_with_a_clear_sentence() {
    let dir = tempdir();
    let out = dir.path().display().to_string();
    let r = run(["simulate", "--out", out.as_str(), "--start", "March"]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("--start"), "{}", r.stderr);
    let r = run(["simulate", "--out", out.as_str(), "--days", "0"]);
    assert_eq!(r.code, 2, "clap usage error: {}", r.stderr);
}
