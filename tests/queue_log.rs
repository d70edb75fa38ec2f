//! queue_log ingest against the real PBXware export in shared/, checked by an
//! independent count over the raw file.

use crate::support::*;
use polars::prelude::*;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

const PBXWARE: &str =
    "../shared/data/real/asterisk-pbxware-queue-log-2018/queue_log_2018-11-29_to_2018-12-03.csv";

fn real_file() -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join(PBXWARE);
    p.exists().then_some(p)
}

fn stored_calls(data: &Path) -> DataFrame {
    stored_table(data, "calls")
}

#[test]
fn pbxware_export_gives_the_calls_counted_from_the_raw_file() {
    let Some(file) = real_file() else {
        eprintln!("skipped: {PBXWARE} not present");
        return;
    };
    // Independent count: plain iteration over the raw export.
    let mut rdr = csv::Reader::from_path(&file).expect("csv");
    let header: Vec<String> = rdr
        .headers()
        .expect("header")
        .iter()
        .map(str::to_owned)
        .collect();
    let index = |n: &str| header.iter().position(|h| h == n).expect(n);
    let (c_event, c_htime, c_ttime) = (index("event"), index("htime"), index("ttime"));
    let mut events: HashMap<String, u64> = HashMap::new();
    let (mut connect_wait, mut talk) = (0.0f64, 0.0f64);
    for r in rdr.records() {
        let r = r.expect("record");
        let e = r[c_event].to_owned();
        match e.as_str() {
            "CONNECT" => connect_wait += r[c_htime].parse::<f64>().expect("htime"),
            "COMPLETEAGENT" | "COMPLETECALLER" | "ATTENDEDTRANSFER" => {
                talk += r[c_ttime].parse::<f64>().expect("ttime")
            }
            _ => {}
        }
        *events.entry(e).or_default() += 1;
    }
    let ended = events["COMPLETEAGENT"] + events["COMPLETECALLER"] + events["ATTENDEDTRANSFER"];

    let dir = tempdir();
    let data = dir.path().join("store");
    let j = ingest_json(&data, std::slice::from_ref(&file), &[]);
    let f = &j["files"][0];
    assert_eq!(f["kind"], "queue_log");
    assert_eq!(f["lines"], 755);
    assert_eq!(
        f["read"].as_u64(),
        Some(events["ENTERQUEUE"]),
        "one call per queue entry"
    );
    assert_eq!(f["loaded"], 74);
    assert_eq!(f["open"], 0);
    assert_eq!(
        f["events"]["QUEUESTART"].as_u64(),
        Some(events["QUEUESTART"])
    );

    let calls = stored_calls(&data);
    let outcome = calls
        .column("outcome")
        .expect("outcome")
        .str()
        .expect("str")
        .clone();
    let count = |o: &str| outcome.iter().filter(|x| *x == Some(o)).count() as u64;
    assert_eq!(count("answered"), events["CONNECT"]);
    assert_eq!(
        count("answered"),
        ended,
        "every CONNECT ends in COMPLETE* or a transfer"
    );
    assert_eq!(count("abandoned"), events["ABANDON"]);
    assert_eq!(count("timeout"), events["EXITWITHTIMEOUT"]);
    let answered = calls
        .clone()
        .lazy()
        .filter(col("outcome").eq(lit("answered")))
        .collect()
        .expect("filter");
    let wait: f64 = answered
        .column("wait_s")
        .expect("wait")
        .f64()
        .expect("f64")
        .sum()
        .expect("sum");
    let talk_stored: f64 = answered
        .column("talk_s")
        .expect("talk")
        .f64()
        .expect("f64")
        .sum()
        .expect("sum");
    assert!(
        (wait - connect_wait).abs() < 1e-9,
        "answered waits {wait} vs CONNECT hold times {connect_wait}"
    );
    assert!(
        (talk_stored - talk).abs() < 1e-9,
        "talk {talk_stored} vs {talk}"
    );
    let transferred = answered
        .column("transferred")
        .expect("t")
        .bool()
        .expect("bool")
        .sum()
        .unwrap_or(0);
    assert_eq!(u64::from(transferred), events["ATTENDEDTRANSFER"]);

    // Re-ingesting adds nothing.
    let again = ingest_json(&data, &[file], &[]);
    assert_eq!(again["files"][0]["loaded"], 0);
    assert_eq!(again["files"][0]["duplicates"], 74);
    assert_eq!(again["files"][0]["agent_states"]["loaded"], 0);
}

#[test]
fn raw_log_split_in_two_completes_the_open_call_and_rejects_garbage() {
    let dir = tempdir();
    let data = dir.path().join("store");
    let first = write(
        dir.path(),
        "queue_log.1",
        "1700000000|NONE|sales|SIP/201|ADDMEMBER|\n\
         1700000010|c1|sales|NONE|ENTERQUEUE||5551234|1\n\
         1700000040|c1|sales|SIP/201|CONNECT|30|b1|12\n\
         1700000340|c1|sales|SIP/201|COMPLETECALLER|30|300|1\n\
         1700000400|c2|sales|NONE|ENTERQUEUE||5559999|1\n\
         not a line at all\n\
         1700000401|NONE|NONE|NONE|QUEUESTART|\n",
    );
    let j = ingest_json(&data, &[first], &[]);
    let f = &j["files"][0];
    assert_eq!(
        (
            f["loaded"].as_u64(),
            f["open"].as_u64(),
            f["rejected"].as_u64()
        ),
        (Some(1), Some(1), Some(1))
    );
    assert_eq!(f["read"], 3, "1 call + 1 open + 1 unreadable line");
    let rejects = csv_rows(Path::new(f["rejects_path"].as_str().expect("rejects")));
    assert_eq!(rejects[0][0], "6");
    assert!(rejects[0][2].contains("not a queue_log line"));
    // The rest of the log: c2 is answered, and the open call completes.
    let second = write(
        dir.path(),
        "queue_log.2",
        "1700000420|c2|sales|SIP/201|CONNECT|20|b2|6\n\
         1700000500|c2|sales|SIP/201|TRANSFER|200|ctx|20|80|1\n",
    );
    let j = ingest_json(&data, &[second], &[]);
    let f = &j["files"][0];
    assert_eq!(
        (f["loaded"].as_u64(), f["open"].as_u64()),
        (Some(1), Some(0))
    );
    assert_eq!(rows(&data, "calls"), 2);
    let calls = stored_calls(&data);
    let transferred = calls
        .column("transferred")
        .expect("t")
        .bool()
        .expect("bool")
        .sum()
        .unwrap_or(0);
    assert_eq!(transferred, 1);
}

/// simulate → queue_log → ingest gives the same calls as the canonical CSV of the
/// same seed (IVR-only calls never reach a queue and are not in a queue_log).
#[test]
fn simulated_queue_log_round_trips_to_the_same_calls() {
    let dir = tempdir();
    let (csv_dir, ql_dir) = (dir.path().join("csv"), dir.path().join("ql"));
    simulate(&csv_dir, 3, 5, false);
    let q = ql_dir.display().to_string();
    ok([
        "simulate",
        "--out",
        q.as_str(),
        "--days",
        "3",
        "--seed",
        "5",
        "--format",
        "queue_log",
    ]);
    let data = dir.path().join("store");
    let j = ingest_json(&data, &[ql_dir.join("queue_log")], &["--kind", "queue_log"]);
    assert_eq!(j["files"][0]["rejected"], 0, "{j:#}");
    assert_eq!(j["files"][0]["open"], 0);
    assert!(
        j["files"][0]["agent_states"]["loaded"]
            .as_u64()
            .expect("states")
            > 0
    );
    let stored = stored_calls(&data);
    let get_str = |c: &str| stored.column(c).expect(c).str().expect("str").clone();
    let (ids, outcomes, agents, callers) = (
        get_str("call_id"),
        get_str("outcome"),
        get_str("agent_id"),
        get_str("caller_id"),
    );
    let waits = stored
        .column("wait_s")
        .expect("w")
        .f64()
        .expect("f64")
        .clone();
    let talks = stored
        .column("talk_s")
        .expect("t")
        .f64()
        .expect("f64")
        .clone();
    let transferred = stored
        .column("transferred")
        .expect("x")
        .bool()
        .expect("bool")
        .clone();
    let mut by_number = std::collections::HashMap::new();
    for i in 0..stored.height() {
        // call_id = "<epoch>.<n>:<queue>:<enter epoch>"
        let id = ids.get(i).expect("id");
        let n: u64 = id
            .split(':')
            .next()
            .and_then(|u| u.split('.').nth(1))
            .and_then(|n| n.parse().ok())
            .expect("uniqueid");
        by_number.insert(n, i);
    }
    let canonical = csv_rows(&csv_dir.join("calls.csv"));
    let mut compared = 0;
    for r in &canonical {
        if r[3] == "ivr" {
            continue;
        }
        let n: u64 = r[0][1..].parse().expect("C-number");
        let i = *by_number
            .get(&n)
            .unwrap_or_else(|| panic!("call {} missing after the round trip", r[0]));
        assert_eq!(outcomes.get(i), Some(r[3].as_str()), "{}", r[0]);
        if r[3] != "blocked" {
            assert_eq!(
                waits.get(i),
                Some(r[4].parse::<f64>().expect("wait")),
                "{} wait",
                r[0]
            );
            assert_eq!(callers.get(i), Some(r[12].as_str()), "{} caller", r[0]);
        }
        if r[3] == "answered" {
            assert_eq!(agents.get(i), Some(r[5].as_str()), "{} agent", r[0]);
            assert_eq!(
                talks.get(i),
                Some(r[6].parse::<f64>().expect("talk")),
                "{} talk",
                r[0]
            );
            assert_eq!(
                transferred.get(i),
                Some(r[10] == "true"),
                "{} transferred",
                r[0]
            );
        }
        compared += 1;
    }
    assert_eq!(compared, stored.height(), "no extra calls");
    assert!(compared > 1000);
}
