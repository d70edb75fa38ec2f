//! `callboard ingest` as a user runs it.

use crate::support::*;

const HEADER: &str = "call_id,queue,arrived_at,outcome,wait_s,agent_id,talk_s,hold_s,acw_s,rings,transferred,caller_id";

fn good_call(i: usize) -> String {
    format!("c{i},sales,2026-03-02T08:{i:02}:00Z,answered,{i}.5,a1,120,0,30,2,false,555{i}")
}

/// Lines 2…15: good rows except line 7 (bad timestamp), 9 (negative wait) and 12
/// (unknown outcome).
fn calls_with_three_bad_rows() -> String {
    let mut lines = vec![HEADER.to_owned()];
    for line in 2..=15 {
        let i = line;
        lines.push(match line {
            7 => format!("c{i},sales,2026-03-02T25:61:00Z,answered,3,a1,120,0,30,2,false,5557"),
            9 => format!("c{i},sales,2026-03-02T08:09:00Z,abandoned,-4,,,,,,false,5559"),
            12 => format!("c{i},sales,2026-03-02T08:12:00Z,hung_up,3,,,,,,false,5512"),
            _ => good_call(i),
        });
    }
    lines.join("\n") + "\n"
}

#[test]
fn bad_rows_are_rejected_with_line_and_reason_and_the_rest_load() {
    let dir = tempdir();
    let data = dir.path().join("store");
    let file = write(dir.path(), "calls.csv", &calls_with_three_bad_rows());
    let j = ingest_json(&data, std::slice::from_ref(&file), &[]);
    let f = &j["files"][0];
    assert_eq!(f["kind"], "calls");
    assert_eq!(f["read"], 14);
    assert_eq!(f["loaded"], 11);
    assert_eq!(f["rejected"], 3);
    assert_eq!(f["duplicates"], 0);
    assert_eq!(j["totals"]["read"], 14);
    let rejects = std::path::PathBuf::from(f["rejects_path"].as_str().expect("a rejects file"));
    assert!(rejects.starts_with(data.join("rejects").join("calls")));
    let rows = csv_rows(&rejects);
    let lines: Vec<&str> = rows.iter().map(|r| r[0].as_str()).collect();
    assert_eq!(lines, ["7", "9", "12"]);
    assert_eq!(rows[0][1], "arrived_at");
    assert!(rows[0][2].contains("not a timestamp"), "{}", rows[0][2]);
    assert_eq!(rows[1][1], "wait_s");
    assert!(rows[1][2].contains("negative"), "{}", rows[1][2]);
    assert_eq!(rows[2][1], "outcome");
    assert!(
        rows[2][2].contains("unknown value \"hung_up\""),
        "{}",
        rows[2][2]
    );
    // The original text of each line is kept verbatim.
    let text = calls_with_three_bad_rows();
    let original: Vec<&str> = text.lines().collect();
    assert_eq!(rows[0][3], original[6]);
    assert_eq!(rows[2][3], original[11]);
    assert_eq!(rows_in(&data, "calls"), 11);
}

fn rows_in(data: &std::path::Path, table: &str) -> u64 {
    rows(data, table)
}

#[test]
fn the_table_summary_names_lines_and_reasons() {
    let dir = tempdir();
    let data = dir.path().join("store");
    let file = write(dir.path(), "calls.csv", &calls_with_three_bad_rows());
    let r = ok([
        "ingest",
        "--data-dir",
        data.to_str().expect("utf-8"),
        file.to_str().expect("utf-8"),
    ]);
    assert!(
        r.stdout
            .contains("14 read = 11 loaded + 3 rejected + 0 duplicates"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("line 7: arrived_at"), "{}", r.stdout);
    assert!(r.stdout.contains("line 12: outcome"), "{}", r.stdout);
}

#[test]
fn a_file_missing_a_required_column_is_refused_and_nothing_is_written() {
    let dir = tempdir();
    let data = dir.path().join("store");
    let text = "call_id,queue,outcome,wait_s\nc1,sales,answered,3\n";
    let file = write(dir.path(), "calls.csv", text);
    let good = write(
        dir.path(),
        "more.csv",
        &format!("{HEADER}\n{}\n", good_call(1)),
    );
    let r = run([
        "ingest",
        "--kind",
        "calls",
        "--data-dir",
        data.to_str().expect("utf-8"),
        good.to_str().expect("utf-8"),
        file.to_str().expect("utf-8"),
    ]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("calls.csv"), "{}", r.stderr);
    assert!(r.stderr.contains("`arrived_at`"), "{}", r.stderr);
    assert_eq!(
        r.stderr.trim().lines().count(),
        1,
        "one sentence: {}",
        r.stderr
    );
    assert!(
        !data.exists(),
        "nothing written, not even the good file of the same command"
    );
}

#[test]
fn unusable_files_are_refused_with_one_sentence() {
    let dir = tempdir();
    let data = dir.path().join("store");
    let d = data.to_str().expect("utf-8");
    let binary = dir.path().join("image.csv");
    std::fs::write(&binary, [0u8, 159, 146, 150, 0, 1, 2, 3]).expect("write");
    let cases: Vec<(Vec<String>, &str)> = vec![
        (
            vec![binary.display().to_string()],
            "not a CSV or Parquet file",
        ),
        (
            vec![dir.path().join("absent.csv").display().to_string()],
            "cannot open",
        ),
        (
            vec![
                write(dir.path(), "odd.csv", "foo,bar\n1,2\n")
                    .display()
                    .to_string(),
            ],
            "cannot tell which table",
        ),
        (
            vec![
                "--kind".into(),
                "widgets".into(),
                write(dir.path(), "w.csv", "a\n1\n").display().to_string(),
            ],
            "--kind: unknown kind",
        ),
        (
            vec![write(dir.path(), "empty.csv", "").display().to_string()],
            "empty",
        ),
        (
            vec![
                write(dir.path(), "dup.csv", "call_id,call_id\n1,2\n")
                    .display()
                    .to_string(),
            ],
            "appears twice",
        ),
    ];
    for (args, words) in cases {
        let mut all = vec!["ingest".to_owned(), "--data-dir".into(), d.into()];
        all.extend(args);
        let r = run(&all);
        assert_eq!(r.code, 1, "{all:?}: {}", r.stderr);
        assert!(r.stderr.contains(words), "{all:?}: {}", r.stderr);
        assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
    }
    assert!(!data.join("manifest.json").exists());
}

#[test]
fn duplicates_in_the_file_and_in_the_store_are_counted_not_loaded() {
    let dir = tempdir();
    let data = dir.path().join("store");
    let text = format!(
        "{HEADER}\n{}\n{}\n{}\n",
        good_call(1),
        good_call(2),
        good_call(1)
    );
    let file = write(dir.path(), "calls.csv", &text);
    let first = ingest_json(&data, std::slice::from_ref(&file), &[]);
    assert_eq!(first["files"][0]["loaded"], 2);
    assert_eq!(first["files"][0]["duplicates"], 1);
    let again = ingest_json(&data, &[file], &[]);
    assert_eq!(again["files"][0]["loaded"], 0);
    assert_eq!(again["files"][0]["duplicates"], 3);
    assert_eq!(rows(&data, "calls"), 2);
}

#[test]
fn dry_run_validates_and_writes_nothing() {
    let dir = tempdir();
    let data = dir.path().join("store");
    let file = write(dir.path(), "calls.csv", &calls_with_three_bad_rows());
    let j = ingest_json(&data, &[file], &["--dry-run"]);
    assert_eq!(j["files"][0]["loaded"], 11);
    assert_eq!(j["files"][0]["rejected"], 3);
    assert!(j["files"][0]["rejects_path"].is_null());
    assert!(!data.join("manifest.json").exists());
}

#[test]
fn timestamps_without_offset_are_read_in_the_given_zone() {
    let dir = tempdir();
    let data = dir.path().join("store");
    let text = "call_id,queue,arrived_at,outcome,wait_s\nc1,q,2026-07-01 00:30:00,ivr,0\nc2,q,2026-07-01T00:30:00+00:00,ivr,0\n";
    let file = write(dir.path(), "calls.csv", text);
    let j = ingest_json(&data, &[file], &["--timezone", "Europe/Paris"]);
    assert_eq!(j["files"][0]["loaded"], 2);
    // 00:30 in Paris (UTC+2 in July) is 22:30 UTC the day before: two partitions.
    let s = status(&data, true);
    assert_eq!(s["tables"]["calls"]["first_day"], "2026-06-30");
    assert_eq!(s["tables"]["calls"]["last_day"], "2026-07-01");
    let r = run([
        "ingest",
        "--timezone",
        "Mars/Olympus",
        "--data-dir",
        data.to_str().expect("utf-8"),
        "x.csv",
    ]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("unknown time zone"), "{}", r.stderr);
}

#[test]
fn overlapping_agent_states_are_rejected_against_file_and_store() {
    let dir = tempdir();
    let data = dir.path().join("store");
    let first = write(
        dir.path(),
        "s1.csv",
        "agent_id,state,start,end\na1,ready,2026-03-02T08:00:00Z,2026-03-02T08:10:00Z\na1,talk,2026-03-02T08:10:00Z,2026-03-02T08:15:00Z\na1,acw,2026-03-02T08:14:00Z,2026-03-02T08:16:00Z\n",
    );
    let j = ingest_json(&data, &[first], &[]);
    assert_eq!(j["files"][0]["loaded"], 2);
    assert_eq!(j["files"][0]["rejected"], 1);
    let second = write(
        dir.path(),
        "s2.csv",
        "agent_id,state,start,end\na1,break,2026-03-02T07:55:00Z,2026-03-02T08:01:00Z\na2,ready,2026-03-02T07:55:00Z,2026-03-02T08:01:00Z\n",
    );
    let j = ingest_json(&data, &[second], &[]);
    assert_eq!(j["files"][0]["loaded"], 1);
    assert_eq!(j["files"][0]["rejected"], 1);
    let rejects = csv_rows(std::path::Path::new(
        j["files"][0]["rejects_path"].as_str().expect("path"),
    ));
    assert!(rejects[0][2].contains("overlaps"), "{:?}", rejects[0]);
}

#[test]
fn stored_days_are_read_as_far_back_as_the_longest_interval_reaches() {
    // The store reads only the days a new row can touch: its own day for duplicate
    // keys, and back by the longest stored interval for overlaps. a1's night state
    // (stored under 1 March) runs 30 hours into 3 March; a 3 March state inside it
    // must still be refused, a re-sent row still be a duplicate, and a state of
    // another day be loaded.
    let dir = tempdir();
    let data = dir.path().join("store");
    let first = write(
        dir.path(),
        "s1.csv",
        "agent_id,state,start,end\n\
         a1,not_ready,2026-03-01T20:00:00Z,2026-03-03T02:00:00Z\n\
         a2,ready,2026-03-05T08:00:00Z,2026-03-05T09:00:00Z\n",
    );
    ingest_json(&data, &[first], &[]);
    let second = write(
        dir.path(),
        "s2.csv",
        "agent_id,state,start,end\n\
         a1,ready,2026-03-03T01:00:00Z,2026-03-03T01:30:00Z\n\
         a2,ready,2026-03-05T08:00:00Z,2026-03-05T09:00:00Z\n\
         a1,ready,2026-03-03T02:00:00Z,2026-03-03T03:00:00Z\n",
    );
    let j = ingest_json(&data, &[second], &[]);
    let f = &j["files"][0];
    assert_eq!(
        (&f["loaded"], &f["rejected"], &f["duplicates"]),
        (&1.into(), &1.into(), &1.into())
    );
    let rejects = csv_rows(std::path::Path::new(
        f["rejects_path"].as_str().expect("path"),
    ));
    assert!(rejects[0][2].contains("overlaps"), "{:?}", rejects[0]);
    assert!(
        rejects[0][2].contains("2026-03-01T20:00:00Z"),
        "{:?}",
        rejects[0]
    );
}

#[test]
fn calls_are_found_duplicate_through_key_files_or_without_them() {
    // A feed of a few calls into a stored day probes the stored files' key files;
    // a key file that is damaged is ignored and the keys are read from the file.
    let dir = tempdir();
    let data = dir.path().join("store");
    let body: String = (0..3000)
        .map(|i| format!("c{i},q,2026-03-0{}T09:00:00Z,answered,10,a,60\n", 2 + i % 3))
        .collect();
    let all = write(
        dir.path(),
        "all.csv",
        &format!("call_id,queue,arrived_at,outcome,wait_s,agent_id,talk_s\n{body}"),
    );
    ingest_json(&data, &[all], &[]);
    let feed = write(
        dir.path(),
        "feed.csv",
        "call_id,queue,arrived_at,outcome,wait_s,agent_id,talk_s\n\
         c7,q,2026-03-03T09:00:00Z,answered,10,a,60\n\
         new1,q,2026-03-04T09:00:00Z,answered,10,a,60\n\
         c2999,q,2026-03-04T09:00:00Z,answered,10,a,60\n",
    );
    let j = ingest_json(&data, std::slice::from_ref(&feed), &[]);
    assert_eq!(
        (&j["files"][0]["loaded"], &j["files"][0]["duplicates"]),
        (&1.into(), &2.into())
    );
    // Truncate every key file: the next ingest reads the keys from the Parquet files.
    for day in std::fs::read_dir(data.join("tables/calls")).expect("dir") {
        for f in std::fs::read_dir(day.expect("day").path()).expect("day dir") {
            let p = f.expect("file").path();
            if p.extension().is_some_and(|e| e == "keys") {
                std::fs::write(&p, b"short").expect("truncate");
            }
        }
    }
    let d = data.to_str().expect("utf-8");
    let r = run(["status", "--data-dir", d, "--verify"]);
    assert_ne!(r.code, 0, "verify notices the damaged key files");
    assert!(r.stderr.contains("key file does not match"), "{}", r.stderr);
    let j = ingest_json(&data, &[feed], &[]);
    assert_eq!(
        (&j["files"][0]["loaded"], &j["files"][0]["duplicates"]),
        (&0.into(), &3.into())
    );
    assert_eq!(rows(&data, "calls"), 3001);
}

#[test]
fn a_refused_row_does_not_make_its_key_a_duplicate() {
    // Y overlaps X by its end and is refused; Z has Y's key (agent, start) but ends
    // in time: it is loaded, not counted as a duplicate of the refused row.
    let dir = tempdir();
    let data = dir.path().join("store");
    let file = write(
        dir.path(),
        "s.csv",
        "agent_id,state,start,end\n\
         a1,ready,2026-03-02T08:00:00Z,2026-03-02T08:10:00Z\n\
         a1,break,2026-03-02T07:55:00Z,2026-03-02T08:01:00Z\n\
         a1,break,2026-03-02T07:55:00Z,2026-03-02T08:00:00Z\n",
    );
    let j = ingest_json(&data, &[file], &[]);
    let f = &j["files"][0];
    assert_eq!(
        (&f["loaded"], &f["rejected"], &f["duplicates"]),
        (&2.into(), &1.into(), &0.into())
    );
}

#[test]
fn a_second_currency_is_rejected() {
    let dir = tempdir();
    let data = dir.path().join("store");
    let file = write(
        dir.path(),
        "costs.csv",
        "period_start,period_end,amount,currency,category\n2026-03-01,2026-03-02,100,CNY,staff\n2026-03-02,2026-03-03,100,EUR,staff\n2026-03-03,2026-03-04,-5,CNY,staff\n",
    );
    let j = ingest_json(&data, &[file], &[]);
    assert_eq!(j["files"][0]["loaded"], 1);
    assert_eq!(j["files"][0]["rejected"], 2);
}

#[test]
fn a_later_ticket_row_updates_the_stored_ticket() {
    let dir = tempdir();
    let data = dir.path().join("store");
    let header = "ticket_id,created_at,kind,severity,resolved_at,callback_at";
    let opened = write(
        dir.path(),
        "t1.csv",
        &format!("{header}\nT1,2026-03-02T08:00:00Z,complaint,minor,,\n"),
    );
    let resolved = write(
        dir.path(),
        "t2.csv",
        &format!("{header}\nT1,2026-03-02T09:00:00Z,complaint,,2026-03-03T08:00:00Z,\n"),
    );
    let backwards = write(
        dir.path(),
        "t3.csv",
        &format!("{header}\nT1,,complaint,,,2026-03-02T10:00:00Z\n"),
    );
    assert_eq!(
        ingest_json(&data, std::slice::from_ref(&opened), &[])["files"][0]["loaded"],
        1
    );
    let j = ingest_json(&data, std::slice::from_ref(&resolved), &[]);
    assert_eq!(j["files"][0]["loaded"], 1);
    assert_eq!(j["files"][0]["updated"], 1);
    // Nothing new: the same rows again are duplicates.
    let j = ingest_json(&data, &[opened, resolved], &[]);
    assert_eq!(j["totals"]["duplicates"], 2);
    assert_eq!(j["totals"]["loaded"], 0);
    // created_at is required on every row, updates included.
    let j = ingest_json(&data, &[backwards], &[]);
    assert_eq!(j["files"][0]["rejected"], 1);
    // A call-back before the stored resolution breaks the merged ticket's chronology.
    let backwards = write(
        dir.path(),
        "t4.csv",
        &format!("{header}\nT1,2026-03-02T08:00:00Z,complaint,,,2026-03-02T10:00:00Z\n"),
    );
    let j = ingest_json(&data, &[backwards], &[]);
    assert_eq!(j["files"][0]["rejected"], 1);
    let reasons = csv_rows(std::path::Path::new(
        j["files"][0]["rejects_path"].as_str().expect("path"),
    ));
    assert!(
        reasons[0][2].contains("callback_at: is before resolved_at"),
        "{:?}",
        reasons[0]
    );
    assert_eq!(
        rows(&data, "tickets"),
        2,
        "the opening row and its one update"
    );
}

#[test]
fn garbage_never_panics() {
    let dir = tempdir();
    let data = dir.path().join("store");
    let d = data.to_str().expect("utf-8");
    // Deterministic pseudo-random fuzzing of the CSV path, row by row.
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let alphabet: Vec<char> = "0123456789-:TZ+.,\"\n abc\u{e9}\u{2603}answered"
        .chars()
        .collect();
    let mut stored = 0;
    for round in 0..12 {
        let mut text = format!("{HEADER}\n");
        for _ in 0..200 {
            let len = (next() % 90) as usize;
            for _ in 0..len {
                text.push(alphabet[(next() % alphabet.len() as u64) as usize]);
            }
            if next() % 3 == 0 {
                text.push_str(&good_call((next() % 50) as usize));
            }
            text.push('\n');
        }
        let file = write(dir.path(), &format!("fuzz{round}.csv"), &text);
        let r = run([
            "ingest",
            "--data-dir",
            d,
            "--format",
            "json",
            file.to_str().expect("utf-8"),
        ]);
        assert!(r.code == 0 || r.code == 1, "exit {}: {}", r.code, r.stderr);
        assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
        let after = if data.exists() {
            rows(&data, "calls")
        } else {
            0
        };
        if r.code == 0 {
            let j: serde_json::Value = serde_json::from_str(&r.stdout).expect("json");
            let f = &j["files"][0];
            let sum = ["loaded", "rejected", "duplicates", "skipped", "open"]
                .iter()
                .map(|k| f[k].as_u64().expect("count"))
                .sum::<u64>();
            assert_eq!(f["read"].as_u64(), Some(sum), "round {round}");
            // The loaded rows, and only they, are in the store.
            assert_eq!(
                after,
                stored + f["loaded"].as_u64().expect("loaded"),
                "round {round}"
            );
        } else {
            // A refused file: one sentence naming it, and nothing written.
            assert!(
                r.stderr.starts_with("error: ") && r.stderr.contains(&format!("fuzz{round}.csv")),
                "round {round}: {}",
                r.stderr
            );
            assert_eq!(after, stored, "round {round}: a refused file wrote rows");
        }
        stored = after;
    }
    status(&data, true);
}

#[test]
fn crlf_files_report_the_right_line_and_text() {
    let dir = tempdir();
    let data = dir.path().join("store");
    let text = "call_id,queue,arrived_at,outcome,wait_s\r\nc1,q,2026-03-02T08:00:00Z,ivr,0\r\nc2,q,yesterday,ivr,0\r\nc3,q,2026-03-02T08:00:00Z,ivr,0\r\n";
    let file = write(dir.path(), "windows.csv", text);
    let j = ingest_json(&data, &[file], &[]);
    let rejects = csv_rows(std::path::Path::new(
        j["files"][0]["rejects_path"].as_str().expect("path"),
    ));
    assert_eq!(rejects[0][0], "3");
    assert_eq!(rejects[0][3], "c2,q,yesterday,ivr,0");
}

#[test]
fn rejects_name_the_line_an_editor_shows() {
    // Blank lines, a line break inside quotes, CRLF and LF endings and a last
    // line without one: each bad row's line counted by hand. They were named
    // by the csv reader's count, before the blank lines it skips (line 4 for a
    // row on line 6).
    let dir = tempdir();
    let header = "call_id,queue,arrived_at,outcome,wait_s";
    let rows = [
        "c1,q,2026-03-02T08:00:00Z,ivr,0",
        "",
        "",
        "c2,q,yesterday,ivr,0",
        "\"c3\nstill c3\",q,2026-03-02T08:00:00Z,ivr,0",
        "c4,q,2026-03-02T08:00:00Z,maybe,0",
        "",
        "c5,q,tomorrow,ivr,0",
    ];
    for (k, (ending, last)) in [("\n", "\n"), ("\r\n", "\r\n"), ("\n", ""), ("\r\n", "")]
        .into_iter()
        .enumerate()
    {
        let mut text = format!("{header}{ending}{}", rows.join(ending));
        text.push_str(last);
        let file = write(dir.path(), &format!("lines{k}.csv"), &text);
        let data = dir.path().join(format!("store{k}"));
        let j = ingest_json(&data, &[file], &[]);
        let rejects = csv_rows(std::path::Path::new(
            j["files"][0]["rejects_path"].as_str().expect("path"),
        ));
        let lines: Vec<&str> = rejects.iter().map(|r| r[0].as_str()).collect();
        assert_eq!(lines, ["5", "8", "10"], "{text:?}");
        assert_eq!(rejects[2][3], "c5,q,tomorrow,ivr,0", "{text:?}");
    }
}

#[test]
fn concurrent_ingests_either_load_or_are_refused_and_the_store_stays_whole() {
    let dir = tempdir();
    let data = dir.path().join("store");
    let d = data.to_str().expect("utf-8");
    // Two files of distinct calls per round, loaded by two processes at once: the
    // writer lock lets one in; the other loads after it or is refused with the
    // reason. Every round: each exit is 0 (its calls loaded, once) or 1 with "in use"
    // (none of its calls), and the store holds exactly what the winners loaded.
    let mut expected = 0u64;
    for round in 0..4 {
        let files: Vec<std::path::PathBuf> = (0..2)
            .map(|side| {
                let mut text = format!("{HEADER}\n");
                for i in 0..400 {
                    let id = (round * 2 + side) * 1000 + i;
                    text.push_str(&format!(
                        "k{id},sales,2026-03-0{}T{:02}:{:02}:00Z,answered,3.5,a1,120,0,30,2,false,9{id}\n",
                        2 + side,
                        8 + i / 60,
                        i % 60
                    ));
                }
                write(dir.path(), &format!("r{round}s{side}.csv"), &text)
            })
            .collect();
        let children: Vec<std::process::Child> = files
            .iter()
            .map(|f| {
                bin()
                    .args(["ingest", "--data-dir", d, "--format", "json"])
                    .arg(f)
                    .stdout(std::process::Stdio::piped())
                    .stderr(std::process::Stdio::piped())
                    .spawn()
                    .expect("spawns")
            })
            .collect();
        let guards: Vec<KillOnDrop> = children.into_iter().map(KillOnDrop::new).collect();
        for g in guards {
            let out = g.wait();
            let r: Run = out.into();
            match r.code {
                0 => {
                    let j: serde_json::Value = serde_json::from_str(&r.stdout).expect("json");
                    assert_eq!(j["totals"]["loaded"], 400, "round {round}: {}", r.stdout);
                    expected += 400;
                }
                1 => assert!(
                    r.stderr.contains("in use by another callboard process"),
                    "round {round}: {}",
                    r.stderr
                ),
                code => panic!("round {round}: exit {code}: {}", r.stderr),
            }
        }
        assert_eq!(rows(&data, "calls"), expected, "round {round}");
        status(&data, true);
    }
    assert!(
        expected >= 4 * 400,
        "at least one ingest of each round loads"
    );
}
