//! queue_log ingest against the real PBXware export in shared/, checked by an
//! independent count over the raw file.

use crate::support::*;
use polars::prelude::*;
use std::collections::HashMap;
use std::path::Path;

fn stored_calls(data: &Path) -> DataFrame {
    stored_table(data, "calls")
}

#[test]
fn pbxware_export_gives_the_calls_counted_from_the_raw_file() {
    let Some(file) = real_file(PBXWARE) else {
        return;
    };
    // Independent count: plain iteration over the raw export.
    let (mut rdr, index) = csv_with_columns(&file);
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
    // Every queue entry ends in exactly one of these, so each is one loaded call.
    let ended_calls: u64 = [
        "CONNECT",
        "ABANDON",
        "EXITWITHTIMEOUT",
        "EXITEMPTY",
        "EXITWITHKEY",
    ]
    .iter()
    .map(|e| events.get(*e).copied().unwrap_or(0))
    .sum();
    assert_eq!(
        ended_calls, events["ENTERQUEUE"],
        "the export holds whole calls"
    );
    assert_eq!(f["loaded"].as_u64(), Some(ended_calls));
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

    // Agent states for its six agents.
    let states = stored_table(&data, "agent_states");
    let agents: std::collections::HashSet<&str> = states
        .column("agent_id")
        .expect("agent")
        .str()
        .expect("str")
        .iter()
        .flatten()
        .collect();
    assert_eq!(agents.len(), 6, "{agents:?}");
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

fn call_lines(n: u64, t: i64) -> String {
    format!(
        "{t}|f{n}|sales|NONE|ENTERQUEUE||555{n}|1\n{}|f{n}|sales|SIP/201|CONNECT|5|b{n}|6\n{}|f{n}|sales|SIP/201|COMPLETEAGENT|5|60|1\n",
        t + 5,
        t + 65
    )
}

fn wait_for_calls(data: &Path, want: u64) -> u64 {
    let started = std::time::Instant::now();
    loop {
        let n = if data.join("manifest.json").exists() {
            rows(data, "calls")
        } else {
            0
        };
        if n >= want || started.elapsed() > std::time::Duration::from_secs(30) {
            return n;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

#[test]
fn follow_loads_bursts_and_survives_rotation_exactly_once() {
    use std::io::Write;
    let dir = tempdir();
    let data = dir.path().join("store");
    let log = dir.path().join("queue_log");
    let mut text = String::new();
    for n in 0..3 {
        text += &call_lines(n, 1_700_000_000 + n as i64 * 100);
    }
    text += "1700001000|f3|sales|NONE|ENTERQUEUE||5553|1\n";
    std::fs::write(&log, &text).expect("write");
    let child = bin()
        .args([
            "ingest",
            "--follow",
            "--poll-ms",
            "50",
            "--data-dir",
            data.to_str().expect("utf-8"),
            log.to_str().expect("utf-8"),
        ])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawns");
    let child = KillOnDrop::new(child);
    assert_eq!(wait_for_calls(&data, 3), 3, "first burst");
    // Second burst: the open call ends; a half-written line waits for its end.
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(&log)
        .expect("append");
    write!(f, "1700001005|f3|sales|SIP/201|CONNECT|5|b3|6\n1700001065|f3|sales|SIP/201|COMPLETECALLER|5|60|1\n{}170000", call_lines(4, 1_700_002_000)).expect("append");
    f.flush().expect("flush");
    assert_eq!(wait_for_calls(&data, 5), 5, "second burst");
    // The half line completes; then the log rotates: the old file gets a last call
    // (its writer still had it open), the new file two more.
    writeln!(f, "2000|f5|sales|NONE|ENTERQUEUE||5555|1").expect("append");
    std::fs::rename(&log, dir.path().join("queue_log.1")).expect("rotate");
    write!(f, "1700002005|f5|sales|SIP/201|CONNECT|5|b5|6\n1700002065|f5|sales|SIP/201|COMPLETEAGENT|5|60|1\n").expect("append");
    drop(f);
    let mut new_text = String::new();
    for n in 6..8 {
        new_text += &call_lines(n, 1_700_003_000 + n as i64 * 100);
    }
    std::fs::write(&log, new_text).expect("new log");
    let got = wait_for_calls(&data, 8);
    // Each batch also brings the report summaries up to date.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while status(&data, false)["summaries"] != "current" && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert_eq!(status(&data, false)["summaries"], "current");
    std::thread::sleep(std::time::Duration::from_millis(300));
    let out = child.finish();
    assert_eq!(got, 8, "stderr: {}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(rows(&data, "calls"), 8, "each call exactly once");
    let calls = stored_calls(&data);
    let ids = calls
        .column("call_id")
        .expect("id")
        .str()
        .expect("str")
        .clone();
    let distinct: std::collections::HashSet<&str> = ids.iter().flatten().collect();
    assert_eq!(distinct.len(), 8);
    status(&data, true);
}

#[test]
fn a_database_export_names_each_bad_rows_line_as_an_editor_shows_it() {
    // The queue_log table exported as CSV, with blank lines, in LF and in CRLF:
    // the bad time on line 5 and the one on line 8 (counted by hand) are named
    // there, not where the csv reader began its scan.
    let dir = tempdir();
    let rows = [
        "time,callid,queuename,agent,event,data1,data2,data3",
        "1700000010,c1,sales,NONE,ENTERQUEUE,,5551234,1",
        "",
        "",
        "yesterday,c1,sales,SIP/201,CONNECT,30,b1,12",
        "1700000340,c1,sales,SIP/201,COMPLETECALLER,30,300,1",
        "",
        "soon,c2,sales,NONE,ENTERQUEUE,,5559999,1",
    ];
    for (k, ending) in ["\n", "\r\n"].into_iter().enumerate() {
        let file = write(
            dir.path(),
            &format!("ql{k}.csv"),
            &(rows.join(ending) + ending),
        );
        let j = ingest_json(&dir.path().join(format!("store{k}")), &[file], &[]);
        let f = &j["files"][0];
        let rejects = csv_rows(Path::new(f["rejects_path"].as_str().expect("rejects")));
        let lines: Vec<&str> = rejects.iter().map(|r| r[0].as_str()).collect();
        assert_eq!(lines, ["5", "8"], "{ending:?}: {rejects:?}");
    }
}
