//! Crash safety: the store holds a batch wholly or not at all, whenever the writer dies.

use crate::support::*;
use std::path::Path;
use std::time::{Duration, Instant};

fn big_calls(dir: &Path) -> (std::path::PathBuf, u64) {
    let out = dir.join("centre");
    // About 60 000 calls: long enough to kill mid-write in a debug build.
    let o = out.display().to_string();
    ok([
        "simulate",
        "--out",
        o.as_str(),
        "--days",
        "10",
        "--agents",
        "120",
        "--seed",
        "5",
    ]);
    let path = out.join("calls.csv");
    let rows = csv_rows(&path).len() as u64;
    (path, rows)
}

fn assert_whole_or_nothing(data: &Path, expected: u64) -> u64 {
    let s = status(data, true);
    let n = s["tables"]["calls"]["rows"].as_u64().expect("rows");
    assert!(
        n == 0 || n == expected,
        "store holds {n} of {expected} calls: a partial batch"
    );
    n
}

/// Every live calls file has its key file and no key file is left without one.
fn assert_key_files_match(data: &Path, when: &str) {
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(data.join("manifest.json")).expect("manifest"))
            .expect("json");
    let live: std::collections::BTreeSet<String> = manifest["tables"]["calls"]
        .as_array()
        .expect("calls files")
        .iter()
        .map(|f| f["path"].as_str().expect("path").to_owned())
        .collect();
    let mut keys = std::collections::BTreeSet::new();
    for day in std::fs::read_dir(data.join("tables/calls")).expect("calls dir") {
        for f in std::fs::read_dir(day.expect("day").path()).expect("day dir") {
            let p = f.expect("file").path();
            let rel = p.strip_prefix(data).expect("inside").display().to_string();
            if let Some(parquet) = rel.strip_suffix(".keys") {
                keys.insert(parquet.to_owned());
            }
        }
    }
    assert_eq!(
        keys, live,
        "{when}: one key file per live calls file, no orphans"
    );
}

#[test]
fn aborting_at_every_commit_step_leaves_the_batch_wholly_or_not_at_all() {
    let dir = tempdir();
    let (file, total) = big_calls(dir.path());
    for (point, visible) in [
        ("before-rename", false),
        ("before-manifest", false),
        ("manifest-written", false),
        ("after-manifest", true),
    ] {
        let data = dir.path().join(format!("store-{point}"));
        let r: Run = bin()
            .args([
                "ingest",
                "--data-dir",
                data.to_str().expect("utf-8"),
                file.to_str().expect("utf-8"),
            ])
            .env("CALLBOARD_CRASH_AT", point)
            .output()
            .expect("runs")
            .into();
        assert_ne!(r.code, 0, "{point}: the process must have died");
        let n = assert_whole_or_nothing(&data, total);
        assert_eq!(n > 0, visible, "{point}");
        // The next writer cleans up and the ingest then completes exactly.
        let j = ingest_json(&data, std::slice::from_ref(&file), &[]);
        assert_eq!(
            j["files"][0]["loaded"].as_u64().expect("n") + n,
            total,
            "{point}"
        );
        assert_eq!(assert_whole_or_nothing(&data, total), total);
        let leftovers = std::fs::read_dir(data.join("tmp")).expect("tmp").count();
        assert_eq!(leftovers, 0, "{point}: tmp/ is cleared");
        assert_key_files_match(&data, point);
    }
}

#[test]
fn kill_9_at_any_moment_leaves_a_readable_store() {
    let dir = tempdir();
    let (file, total) = big_calls(dir.path());
    // Time a full ingest, then kill others at fractions of that time.
    let probe = dir.path().join("probe");
    let started = Instant::now();
    ingest_json(&probe, std::slice::from_ref(&file), &[]);
    let full = started.elapsed();
    let data = dir.path().join("store");
    for fraction in [0.1, 0.3, 0.5, 0.7, 0.85, 0.95] {
        let mut child = bin()
            .args([
                "ingest",
                "--data-dir",
                data.to_str().expect("utf-8"),
                file.to_str().expect("utf-8"),
            ])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("spawns");
        std::thread::sleep(Duration::from_secs_f64(full.as_secs_f64() * fraction));
        let _ = child.kill(); // SIGKILL on Unix
        let _ = child.wait();
        if assert_whole_or_nothing(&data, total) == total {
            break;
        }
    }
    let j = ingest_json(&data, &[file], &[]);
    let loaded = j["files"][0]["loaded"].as_u64().expect("loaded");
    let dups = j["files"][0]["duplicates"].as_u64().expect("duplicates");
    assert!(
        loaded == total || dups == total,
        "loaded {loaded}, duplicates {dups}"
    );
    assert_eq!(assert_whole_or_nothing(&data, total), total);
}
