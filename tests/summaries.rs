//! The store's per-slot report summaries: `kpi` answers from them exactly what it
//! answers from the rows, they follow every ingest, survive a crash, and reports
//! they cannot serve fall back to the rows.

use crate::support::*;
use std::path::Path;

fn kpi(data: &Path, extra: &[&str]) -> String {
    let d = data.display().to_string();
    let mut args = vec!["kpi", "--data-dir", d.as_str(), "--format", "json"];
    args.extend(extra);
    ok(args).stdout
}

/// The one summary set of a store (its directory), if any.
/// The report as JSON without `settings.served_from`, and that value: the figures
/// of two paths compare equal, and the path is asserted on its own.
fn kpi_served(data: &Path, extra: &[&str]) -> (serde_json::Value, String) {
    let mut j: serde_json::Value = serde_json::from_str(&kpi(data, extra)).expect("json");
    let served = j["settings"]
        .as_object_mut()
        .expect("settings")
        .remove("served_from")
        .expect("served_from");
    (j, served.as_str().expect("text").to_owned())
}

fn summary_sets(data: &Path) -> Vec<std::path::PathBuf> {
    match std::fs::read_dir(data.join("summaries")) {
        Ok(d) => d
            .map(|e| e.expect("entry").path())
            .filter(|p| p.join("meta.json").exists())
            .collect(),
        Err(_) => Vec::new(),
    }
}

#[test]
fn summaries_give_the_rows_figures_byte_for_byte() {
    let dir = tempdir();
    let centre = dir.path().join("centre");
    simulate(&centre, 9, 11, false);
    let data = dir.path().join("store");
    ingest_json(&data, &tables(&centre, "csv"), &[]);
    assert_eq!(summary_sets(&data).len(), 1, "the ingest built them");
    // Each variant with the path that must serve it: a regression that sends
    // everything to the rows would give the same figures, so the path is checked.
    const S: &str = "summaries";
    const SR: &str = "summaries+rows";
    const R: &str = "rows";
    let variants: &[(&[&str], &str)] = &[
        (&[], S),
        (&["--group", "queue"], S),
        (&["--group", "team"], S),
        (&["--group", "agent", "--by", "day"], S),
        // Per agent in half hours, or for some queues only: the calls are read.
        (
            &["--group", "agent", "--by", "interval", "--interval", "30m"],
            SR,
        ),
        (&["--group", "team", "--queue", "sales"], SR),
        (&["--by", "interval", "--interval", "15m"], S),
        (
            &["--by", "interval", "--interval", "60m", "--group", "queue"],
            S,
        ),
        (&["--by", "week", "--timezone", "Asia/Kolkata"], S),
        (
            &[
                "--by",
                "month",
                "--timezone",
                "America/New_York",
                "--group",
                "team",
            ],
            S,
        ),
        (&["--by", "day", "--timezone", "Asia/Kathmandu"], S),
        // Kathmandu's days start at :15 past the hour: per agent, the rows.
        (
            &[
                "--by",
                "day",
                "--timezone",
                "Asia/Kathmandu",
                "--group",
                "agent",
            ],
            SR,
        ),
        (&["--queue", "sales", "--by", "day"], S),
        (&["--sl-abandons", "positive"], S),
        (&["--sl-abandons", "ignore", "--group", "queue"], S),
        (&["--sl-seconds", "30"], SR),
        (&["--fcr-window", "2d"], SR),
        (&["--short-abandon-seconds", "3", "--by", "day"], SR),
        (&["--from", "2026-03-03T10:07:00Z", "--by", "day"], R),
        (
            &["--from", "2026-03-04", "--to", "2026-03-09", "--by", "week"],
            S,
        ),
    ];
    for (v, path) in variants {
        let mut rows = v.to_vec();
        rows.push("--from-rows");
        let (a, b) = (kpi_served(&data, v), kpi_served(&data, &rows));
        assert_eq!(a.1, *path, "{v:?}: served from");
        assert_eq!(b.1, R, "{v:?} --from-rows: served from");
        assert!(a.0 == b.0, "{v:?}: summaries and rows differ");
        assert!(!a.0["rows"].as_array().expect("rows").is_empty(), "{v:?}");
    }
    let before = kpi_served(&data, &["--by", "day"]);
    assert_eq!(before.1, "summaries");
    for set in summary_sets(&data) {
        std::fs::remove_dir_all(set).expect("remove");
    }
    // Without summaries the rows answer, with the same figures.
    assert_eq!(
        kpi_served(&data, &["--by", "day"]),
        (before.0.clone(), "rows".to_owned())
    );
    let r = ok([
        "ingest",
        "--data-dir",
        data.to_str().expect("utf-8"),
        "--summaries",
    ]);
    assert!(r.stdout.contains("rebuilt"), "{}", r.stdout);
    assert_eq!(summary_sets(&data).len(), 1);
    assert_eq!(kpi_served(&data, &["--by", "day"]), before);
}

#[test]
fn summaries_follow_ingests_and_only_the_tables_they_hold() {
    let dir = tempdir();
    let centre = dir.path().join("centre");
    simulate(&centre, 4, 5, false);
    let data = dir.path().join("store");
    ingest_json(&data, &[centre.join("calls.csv")], &[]);
    let first = summary_sets(&data);
    assert_eq!(first.len(), 1);
    // Tickets and QA do not touch them; re-ingesting the same calls neither.
    let d = data.to_str().expect("utf-8");
    for f in ["tickets.csv", "qa_evaluations.csv", "calls.csv"] {
        let r = ok([
            "ingest",
            "--data-dir",
            d,
            centre.join(f).to_str().expect("utf-8"),
        ]);
        assert!(!r.stdout.contains("report summaries"), "{f}: {}", r.stdout);
        assert_eq!(summary_sets(&data), first, "{f}");
    }
    // Agent states do: the set is updated into a new one.
    let r = ok([
        "ingest",
        "--data-dir",
        d,
        centre.join("agent_states.csv").to_str().expect("utf-8"),
    ]);
    assert!(
        r.stdout
            .contains("report summaries (15-minute slots) updated"),
        "{}",
        r.stdout
    );
    let second = summary_sets(&data);
    assert_eq!(second.len(), 1);
    assert_ne!(second, first);
    assert_eq!(kpi_served(&data, &[]).1, "summaries");
    assert_eq!(
        kpi_served(&data, &[]).0,
        kpi_served(&data, &["--from-rows"]).0
    );
}

#[test]
fn a_crash_before_the_summaries_leaves_reports_on_the_rows() {
    let dir = tempdir();
    let centre = dir.path().join("centre");
    simulate(&centre, 3, 8, false);
    let data = dir.path().join("store");
    ingest_json(&data, &[centre.join("calls.csv")], &[]);
    let r: Run = bin()
        .args([
            "ingest",
            "--data-dir",
            data.to_str().expect("utf-8"),
            centre.join("agent_states.csv").to_str().expect("utf-8"),
        ])
        .env("CALLBOARD_CRASH_AT", "before-summaries")
        .output()
        .expect("runs")
        .into();
    assert_ne!(r.code, 0, "the process must have died");
    assert_eq!(status(&data, true)["summaries"], "out of date");
    // The states are committed; the summaries on disk are the calls-only set, which
    // no longer matches the store, so the report reads the rows and counts the states.
    let j: serde_json::Value = serde_json::from_str(&kpi(&data, &[])).expect("json");
    assert!(
        j["rows"][0]["kpis"]["occupancy"]["value"].is_number(),
        "agent states are counted: {}",
        j["rows"][0]["kpis"]["occupancy"]
    );
    let rows = kpi_served(&data, &["--from-rows"]).0;
    // Out of date: the rows answer.
    assert_eq!(kpi_served(&data, &[]), (rows.clone(), "rows".to_owned()));
    // The next ingest (or `ingest --summaries`) rebuilds them.
    ok([
        "ingest",
        "--data-dir",
        data.to_str().expect("utf-8"),
        "--summaries",
    ]);
    assert_eq!(summary_sets(&data).len(), 1);
    assert_eq!(status(&data, false)["summaries"], "current");
    assert_eq!(kpi_served(&data, &[]), (rows, "summaries".to_owned()));
}

#[test]
fn damaged_summaries_are_noted_and_the_rows_answer() {
    let dir = tempdir();
    let centre = dir.path().join("centre");
    simulate(&centre, 2, 3, false);
    let data = dir.path().join("store");
    ingest_json(&data, &tables(&centre, "csv"), &[]);
    let (good, path) = kpi_served(&data, &[]);
    assert_eq!(path, "summaries");
    let set = summary_sets(&data).pop().expect("a set");
    std::fs::write(set.join("everyone.parquet"), b"not parquet").expect("write");
    let d = data.to_str().expect("utf-8");
    let r = ok(["kpi", "--data-dir", d, "--format", "json"]);
    let mut damaged: serde_json::Value = serde_json::from_str(&r.stdout).expect("json");
    // The calls still from their summaries, agent time from the rows.
    let path = damaged["settings"]
        .as_object_mut()
        .expect("settings")
        .remove("served_from");
    assert_eq!(path, Some(serde_json::json!("summaries+rows")));
    assert_eq!(damaged, good);
    assert!(
        r.stderr.contains("summaries cannot be read"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_repeat_call_in_another_queue_counts_against_fcr() {
    // domain.md: a later call from the same caller in any queue. Caller X is
    // answered in billing, then calls sales an hour later: with --queue billing
    // the billing call is not resolved (FCR 0), not censored or resolved. The
    // last call (10 days on) ends the data so the 7-day windows are decided.
    let dir = tempdir();
    let data = dir.path().join("store");
    let file = write(
        dir.path(),
        "calls.csv",
        "call_id,queue,arrived_at,outcome,wait_s,agent_id,talk_s,caller_id\n\
         c1,billing,2026-03-02T09:00:00Z,answered,10,a,60,X\n\
         c2,sales,2026-03-02T10:00:00Z,answered,10,b,60,X\n\
         c3,sales,2026-03-12T10:00:00Z,answered,10,b,60,Y\n",
    );
    ingest_json(&data, &[file], &[]);
    for extra in [
        &["--queue", "billing"][..],
        &["--queue", "billing", "--from-rows"],
    ] {
        let j: serde_json::Value = serde_json::from_str(&kpi(&data, extra)).expect("json");
        let fcr = &j["rows"][0]["kpis"]["first_call_resolution"];
        assert_eq!(fcr["value"], 0.0, "{extra:?}: {fcr}");
    }
    // Over both queues: c1 repeated (0), c2 resolved (1), c3 censored → 0.5.
    let j: serde_json::Value = serde_json::from_str(&kpi(&data, &[])).expect("json");
    assert_eq!(j["rows"][0]["kpis"]["first_call_resolution"]["value"], 0.5);
}

#[test]
fn a_bulk_load_can_leave_the_summaries_to_the_end() {
    let dir = tempdir();
    let centre = dir.path().join("centre");
    simulate(&centre, 2, 4, false);
    let data = dir.path().join("store");
    ingest_json(&data, &[centre.join("calls.csv")], &["--no-summaries"]);
    ingest_json(
        &data,
        &[centre.join("agent_states.csv")],
        &["--no-summaries"],
    );
    assert!(summary_sets(&data).is_empty());
    assert_eq!(status(&data, false)["summaries"], "out of date");
    let rows = kpi_served(&data, &[]);
    assert_eq!(rows.1, "rows", "out of date: the rows answer");
    let d = data.to_str().expect("utf-8");
    let r = ok(["ingest", "--data-dir", d, "--summaries"]);
    assert!(r.stdout.contains("rebuilt"), "{}", r.stdout);
    let r = ok(["ingest", "--data-dir", d, "--summaries"]);
    assert!(r.stdout.contains("up to date"), "{}", r.stdout);
    assert_eq!(kpi_served(&data, &[]), (rows.0, "summaries".to_owned()));
    // --summaries loads nothing.
    let r = run(["ingest", "--data-dir", d, "--summaries", "x.csv"]);
    assert_ne!(r.code, 0);
    assert!(r.stderr.contains("loads nothing"), "{}", r.stderr);
}

/// `file`'s data lines grouped by the UTC date of column `column`, each group
/// written as its own CSV (with the header) under `dir`; the paths by date.
fn split_by_day(file: &Path, column: &str, dir: &Path) -> Vec<(String, std::path::PathBuf)> {
    let text = std::fs::read_to_string(file).expect("read");
    let mut lines = text.lines();
    let header = lines.next().expect("header");
    let at = header
        .split(',')
        .position(|c| c == column)
        .expect("the column");
    let mut days: std::collections::BTreeMap<String, String> = Default::default();
    for line in lines {
        let day = line.split(',').nth(at).expect("field")[..10].to_owned();
        let chunk = days.entry(day).or_insert_with(|| format!("{header}\n"));
        chunk.push_str(line);
        chunk.push('\n');
    }
    let stem = file
        .file_stem()
        .expect("name")
        .to_string_lossy()
        .to_string();
    days.into_iter()
        .map(|(day, body)| {
            let path = dir.join(format!("{stem}-{day}.csv"));
            std::fs::write(&path, body).expect("write");
            (day, path)
        })
        .collect()
}

#[test]
fn summaries_updated_day_by_day_equal_the_rows() {
    // A centre loaded a day at a time, out of order, each table on its own: every
    // ingest updates the summaries from the days it can change, and every report
    // still equals the rows'.
    let dir = tempdir();
    let centre = dir.path().join("centre");
    // Ten days: longer than the 7-day FCR window, so calls get decided as later days
    // arrive (repeat callers call back within days).
    simulate(&centre, 10, 21, false);
    let parts = dir.path().join("parts");
    std::fs::create_dir_all(&parts).expect("mkdir");
    let calls = split_by_day(&centre.join("calls.csv"), "arrived_at", &parts);
    let states = split_by_day(&centre.join("agent_states.csv"), "start", &parts);
    let sched = split_by_day(&centre.join("schedules.csv"), "start", &parts);
    assert!(calls.len() >= 10, "a file per day");
    let data = dir.path().join("store");
    ingest_json(&data, &[centre.join("agents.csv")], &[]);
    let d = data.to_str().expect("utf-8");
    let variants: &[&[&str]] = &[
        &[],
        &["--by", "day", "--group", "queue"],
        &["--by", "day", "--group", "agent"],
        &["--by", "interval", "--interval", "60m", "--group", "team"],
    ];
    let same = |when: &str| {
        for v in variants {
            let mut rows = v.to_vec();
            rows.push("--from-rows");
            let (a, b) = (kpi_served(&data, v), kpi_served(&data, &rows));
            assert_ne!(a.1, "rows", "{when} {v:?}: the summaries must serve");
            assert!(a.0 == b.0, "{when} {v:?}: summaries and rows differ");
        }
    };
    // The second half's days interleaved with the first's (5, 0, 6, 1, …: late
    // data before early); per day: schedules, then calls, then states.
    let n = calls.len();
    let order: Vec<usize> = (0..n)
        .map(|k| if k % 2 == 0 { n / 2 + k / 2 } else { k / 2 })
        .collect();
    let mut sorted = order.clone();
    sorted.sort_unstable();
    assert_eq!(sorted, (0..n).collect::<Vec<_>>(), "every day once");
    let mut incremental = 0;
    for (step, &i) in order.iter().enumerate() {
        for table in [&sched, &calls, &states] {
            let Some((day, path)) = table.get(i) else {
                continue;
            };
            ok(["ingest", "--data-dir", d, path.to_str().expect("utf-8")]);
            let set = summary_sets(&data).pop().expect("a set");
            let meta: serde_json::Value =
                serde_json::from_slice(&std::fs::read(set.join("meta.json")).expect("meta"))
                    .expect("json");
            incremental += usize::from(meta["incremental"] == true);
            if step % 2 == 1 {
                same(&format!("after {day} of {}", path.display()));
            }
        }
    }
    same("at the end");
    assert_eq!(
        rows(&data, "calls"),
        csv_rows(&centre.join("calls.csv")).len() as u64
    );
    assert!(incremental >= 2 * n, "updated, not rebuilt: {incremental}");
    // And a full rebuild gives the same reports.
    let before: Vec<String> = variants.iter().map(|v| kpi(&data, v)).collect();
    for set in summary_sets(&data) {
        std::fs::remove_dir_all(set).expect("remove");
    }
    ok(["ingest", "--data-dir", d, "--summaries"]);
    let after: Vec<String> = variants.iter().map(|v| kpi(&data, v)).collect();
    assert!(before == after, "a rebuild from scratch changes nothing");
}

#[test]
fn a_later_state_reaches_back_into_a_shift_that_began_the_day_before() {
    // Agent a works a night shift 22:00 → 06:00 (it starts on 2 March); nothing
    // shows a logged in at first. Then a's 01:00–02:00 state on 3 March arrives: the
    // shift becomes attended, though it began on a day the new file does not touch.
    // Agent b's ready state 23:00 → 03:00 (stored under 2 March) meets a shift
    // 01:00–02:00 loaded later under 3 March: adherence needs the earlier day's row;
    // agent c's even more so.
    let dir = tempdir();
    let data = dir.path().join("store");
    let calls = write(
        dir.path(),
        "calls.csv",
        "call_id,queue,arrived_at,outcome,wait_s,agent_id,talk_s\n\
         c1,q,2026-03-02T09:00:00Z,answered,10,a,60\n\
         c2,q,2026-03-03T09:00:00Z,answered,10,b,60\n",
    );
    let night = write(
        dir.path(),
        "night.csv",
        "agent_id,start,end,activity\na,2026-03-02T22:00:00Z,2026-03-03T06:00:00Z,work\n",
    );
    let b_state = write(
        dir.path(),
        "b_state.csv",
        "agent_id,state,start,end\n\
         b,ready,2026-03-02T23:00:00Z,2026-03-03T03:00:00Z\n\
         c,ready,2026-03-01T20:00:00Z,2026-03-03T02:00:00Z\n",
    );
    ingest_json(&data, &[calls, night, b_state], &[]);
    let j: serde_json::Value = serde_json::from_str(&kpi(&data, &[])).expect("json");
    assert_eq!(j["rows"][0]["kpis"]["attendance"]["value"], 0.0);
    let a_state = write(
        dir.path(),
        "a_state.csv",
        "agent_id,state,start,end\na,ready,2026-03-03T01:00:00Z,2026-03-03T02:00:00Z\n",
    );
    let b_shift = write(
        dir.path(),
        "b_shift.csv",
        "agent_id,start,end,activity\n\
         b,2026-03-03T01:00:00Z,2026-03-03T02:00:00Z,work\n\
         c,2026-03-03T01:00:00Z,2026-03-03T01:30:00Z,work\n",
    );
    ingest_json(&data, &[a_state, b_shift], &[]);
    for v in [
        &[][..],
        &["--by", "day"],
        &["--by", "day", "--group", "agent"],
    ] {
        let mut rows = v.to_vec();
        rows.push("--from-rows");
        let (a, b) = (kpi_served(&data, v), kpi_served(&data, &rows));
        assert_ne!(a.1, "rows", "{v:?}: the summaries must serve");
        assert!(a.0 == b.0, "{v:?}: summaries and rows differ");
    }
    // (a, 2 March), (b, 3 March), (c, 3 March) all attended; adherence: a 1 h of
    // 8 h, b 1 h of 1 h, c ½ h of ½ h (its 30-hour state is stored under 1 March,
    // two days before the new shift) → 2.5 h ÷ 9.5 h.
    let j: serde_json::Value = serde_json::from_str(&kpi(&data, &[])).expect("json");
    let k = &j["rows"][0]["kpis"];
    assert_eq!(k["attendance"]["value"], 1.0);
    let adherence = k["schedule_adherence"]["value"].as_f64().expect("value");
    assert!((adherence - 2.5 / 9.5).abs() < 1e-12, "{adherence}");
}

#[test]
fn a_store_without_calls_says_the_call_kpis_need_calls_either_way() {
    let dir = tempdir();
    let centre = dir.path().join("centre");
    simulate(&centre, 2, 6, false);
    let data = dir.path().join("store");
    ingest_json(
        &data,
        &[
            centre.join("agent_states.csv"),
            centre.join("schedules.csv"),
        ],
        &[],
    );
    let period = ["--from", "2026-03-02", "--to", "2026-03-04", "--by", "day"];
    let mut rows = period.to_vec();
    rows.push("--from-rows");
    let (j, path) = kpi_served(&data, &period);
    assert_eq!(path, "summaries");
    assert!(j == kpi_served(&data, &rows).0, "summaries and rows differ");
    assert_eq!(
        j["rows"][0]["kpis"]["service_level"]["reason"],
        "needs calls"
    );
    assert!(j["rows"][0]["kpis"]["occupancy"]["value"].is_number());
}
