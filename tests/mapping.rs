//! `--mapping`: the shipped Anonymous Bank mapping on the real February file, checked
//! against an independent count; malformed lines; mapping errors.

use crate::support::*;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

#[test]
fn anonymous_bank_february_loads_through_the_shipped_mapping() {
    let Some(file) = real_file(BANK) else {
        return;
    };
    // Independent count over the raw file.
    let text = std::fs::read_to_string(&file).expect("read");
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().expect("header").split('\t').collect();
    let at = |n: &str| header.iter().position(|h| *h == n).expect(n);
    let (c_out, c_qstart, c_qtime, c_ser) =
        (at("outcome"), at("q_start"), at("q_time"), at("ser_time"));
    let mut expect: HashMap<&str, u64> = HashMap::new();
    let (mut rows, mut answered_wait, mut talk) = (0u64, 0.0f64, 0.0f64);
    for l in lines {
        let f: Vec<&str> = l.split('\t').collect();
        rows += 1;
        let outcome = match (f[c_out], f[c_qstart]) {
            ("PHANTOM", _) => "skipped",
            ("AGENT", _) => {
                answered_wait += f[c_qtime].parse::<f64>().expect("q_time");
                talk += f[c_ser].parse::<f64>().expect("ser_time");
                "answered"
            }
            ("HANG", "0:00:00") => "ivr",
            ("HANG", _) => "abandoned",
            (o, _) => panic!("unexpected outcome {o}"),
        };
        *expect.entry(outcome).or_default() += 1;
    }
    assert_eq!(rows, 33_344);

    let dir = tempdir();
    let data = dir.path().join("store");
    let m = BANK_MAPPING;
    let j = ingest_json(&data, std::slice::from_ref(&file), &["--mapping", m]);
    let f = &j["files"][0];
    let (loaded, skipped, rejected) = (
        f["loaded"].as_u64().expect("n"),
        f["skipped"].as_u64().expect("n"),
        f["rejected"].as_u64().expect("n"),
    );
    assert_eq!(loaded + skipped + rejected, 33_344);
    assert_eq!(rejected, 0);
    assert_eq!(skipped, expect["skipped"]);
    let calls = stored_table(&data, "calls");
    let outcome = calls
        .column("outcome")
        .expect("outcome")
        .str()
        .expect("str")
        .clone();
    for o in ["answered", "abandoned", "ivr"] {
        let n = outcome.iter().filter(|x| *x == Some(o)).count() as u64;
        assert_eq!(n, expect[o], "{o}");
    }
    let is_answered: Vec<bool> = outcome.iter().map(|x| x == Some("answered")).collect();
    let sum = |c: &str| -> f64 {
        let v = calls.column(c).expect(c).f64().expect("f64").clone();
        v.iter()
            .zip(&is_answered)
            .filter(|(_, a)| **a)
            .map(|(x, _)| x.unwrap_or(0.0))
            .sum()
    };
    assert!((sum("wait_s") - answered_wait).abs() < 1e-6);
    assert!((sum("talk_s") - talk).abs() < 1e-6);
    // Israel is UTC+2 in February: 1999-02-01 07:02:56 local is 05:02:56 UTC.
    let first = calls
        .column("call_id")
        .expect("id")
        .str()
        .expect("str")
        .iter()
        .position(|x| x == Some("990201-AA0101-34536"))
        .expect("first call");
    let arrived = calls
        .column("arrived_at")
        .expect("t")
        .as_materialized_series()
        .to_physical_repr()
        .i64()
        .expect("i64")
        .get(first);
    assert_eq!(arrived, Some(917_845_376_000));
    // Idempotent.
    let again = ingest_json(&data, &[file], &["--mapping", m]);
    assert_eq!(again["files"][0]["loaded"], 0);
    assert_eq!(again["files"][0]["duplicates"].as_u64(), Some(loaded));
}

fn bank_fixture(dir: &Path) -> PathBuf {
    let header = "vru+line\tcall_id\tcustomer_id\tpriority\ttype\tdate\tvru_entry\tvru_exit\tvru_time\tq_start\tq_exit\tq_time\toutcome\tser_start\tser_exit\tser_time\tserver";
    let rows = [
        "AA0101\t1\t0\t0\tPS\t990201\t23:59:50\t0:00:05\t15\t0:00:00\t0:00:00\t0\tAGENT\t0:00:05\t0:01:05\t60\tDORIT",
        "AA0101\t2\t17\t2\tNW\t990201\t8:00:00\t8:00:10\t10\t8:00:10\t8:01:10\t60\tHANG\t0:00:00\t0:00:00\t0\tNO_SERVER",
        "AA0101 3\t0\t0\tPS\t990201\t8:00:00\t8:00:10\t10\t0:00:00\t0:00:00\t0\tHANG\t0:00:00\t0:00:00\t0\tNO_SERVER",
        "AA0101\t4\t0\t0\tPS\t990201\t8:00:00\t8:00:10\t10\t0:00:00\t0:00:00\t0\tPHANTOM\t0:00:00\t0:00:00\t0\tNO_SERVER",
        "AA0101\t5\t0\t0\tPS\t990231\t8:00:00\t8:00:10\t10\t0:00:00\t0:00:00\t0\tHANG\t0:00:00\t0:00:00\t0\tNO_SERVER",
        "AA0101\t6\t0",
    ];
    write(
        dir,
        "bank.txt",
        &format!("{header}\r\n{}\r\n", rows.join("\r\n")),
    )
}

#[test]
fn malformed_lines_are_rejected_and_midnight_rolls_the_day() {
    let dir = tempdir();
    let data = dir.path().join("store");
    let m = BANK_MAPPING;
    let j = ingest_json(&data, &[bank_fixture(dir.path())], &["--mapping", m]);
    let f = &j["files"][0];
    assert_eq!(
        (
            f["read"].as_u64(),
            f["loaded"].as_u64(),
            f["skipped"].as_u64(),
            f["rejected"].as_u64()
        ),
        (Some(6), Some(2), Some(1), Some(3))
    );
    let rejects = csv_rows(Path::new(
        f["rejects_path"]
            .as_str()
            .expect("rejects")
            .split(" and ")
            .next()
            .expect("path"),
    ));
    let lines: Vec<&str> = rejects.iter().map(|r| r[0].as_str()).collect();
    assert_eq!(lines, ["4", "6", "7"]);
    assert!(
        rejects[0][2].contains("fields"),
        "a space where a tab belongs: {:?}",
        rejects[0]
    );
    assert!(rejects[1][2].contains("not a date"), "{:?}", rejects[1]);
    let calls = stored_table(&data, "calls");
    let ids = calls
        .column("call_id")
        .expect("id")
        .str()
        .expect("str")
        .clone();
    let i = ids
        .iter()
        .position(|x| x == Some("990201-AA0101-1"))
        .expect("call 1");
    // Left the IVR at 00:00:05 on the 2nd (the visit passed midnight), Israel time (UTC+2).
    let t = calls
        .column("arrived_at")
        .expect("t")
        .as_materialized_series()
        .to_physical_repr()
        .i64()
        .expect("i64")
        .get(i);
    assert_eq!(t, Some(917_906_405_000));
}

#[test]
fn a_bad_mapping_is_refused_with_its_reason() {
    let dir = tempdir();
    let data = dir.path().join("store").display().to_string();
    let file = bank_fixture(dir.path());
    let f = file.display().to_string();
    for (text, words) in [
        ("table = \"widgets\"\n[columns]\n", "unknown table"),
        (
            "table = \"calls\"\n[columns]\nnope = { value = \"x\" }\n",
            "no column \"nope\"",
        ),
        (
            "table = \"calls\"\n[columns]\nqueue = { value = \"x\", column = \"type\" }\n",
            "exactly one of",
        ),
        (
            "table = \"calls\"\n[columns]\nqueue = { column = \"absent\" }\n",
            "absent",
        ),
        ("table = \"calls\"\n[columns\n", "not a valid mapping"),
    ] {
        let m = write(dir.path(), "m.toml", text).display().to_string();
        let r = run([
            "ingest",
            "--data-dir",
            data.as_str(),
            "--mapping",
            m.as_str(),
            f.as_str(),
        ]);
        assert_eq!(r.code, 1, "{text}");
        assert!(r.stderr.contains(words), "{text}: {}", r.stderr);
    }
}
