//! `callboard tickets` as a user runs it.

use crate::support::*;
use serde_json::Value;
use std::collections::HashMap;

fn tickets_json(data: &std::path::Path, extra: &[&str]) -> Value {
    let d = data.display().to_string();
    let mut args = vec!["tickets", "--data-dir", d.as_str(), "--format", "json"];
    args.extend(extra);
    serde_json::from_str(&ok(&args).stdout).expect("json")
}

const HEADER: &str = "ticket_id,created_at,kind,category,severity,channel,customer_id,unit,department,call_id,escalated_at,answered_at,completed_at,resolved_at,callback_at,requested_by,satisfaction\n";

#[test]
fn an_open_ticket_then_its_resolution_loaded_later_is_one_ticket_met() {
    let dir = tempdir();
    let data = dir.path().join("store");
    // Day 1: an important complaint, escalated, not yet resolved.
    let first = write(
        dir.path(),
        "day1.csv",
        &format!(
            "{HEADER}T1,2026-03-02T09:00:00Z,complaint,noise,important,phone,c1,B01-0101,cr,,2026-03-02T09:40:00Z,,,,,,\n"
        ),
    );
    ingest_json(&data, &[first], &[]);
    let j = tickets_json(&data, &["--as-of", "2026-03-04T09:00:00Z"]);
    let rule = &j["rows"][0]["rules"]["complaint_resolution"];
    assert_eq!(
        (rule["open"].as_u64(), rule["met"].as_u64()),
        (Some(1), Some(0))
    );
    assert_eq!(j["rows"][0]["counts"]["open"], 1);
    // Day 3: the export now carries its resolution exactly at the 3-day deadline.
    let second = write(
        dir.path(),
        "day3.csv",
        &format!(
            "{HEADER}T1,2026-03-02T09:00:00Z,complaint,noise,important,phone,c1,B01-0101,cr,,2026-03-02T09:40:00Z,,,2026-03-05T09:00:00Z,,,\n"
        ),
    );
    let s = ingest_json(&data, &[second], &[]);
    assert_eq!(s["totals"]["loaded"], 1, "{s}");
    let j = tickets_json(&data, &[]);
    let row = &j["rows"][0];
    assert_eq!(
        row["counts"],
        serde_json::json!({"opened": 1, "resolved": 1, "open": 0})
    );
    let rule = &row["rules"]["complaint_resolution"];
    assert_eq!(
        (rule["met"].as_u64(), rule["breached"].as_u64()),
        (Some(1), Some(0))
    );
    assert_eq!(rule["compliance"], 1.0);
    assert_eq!(row["rules"]["complaint_escalation"]["met"], 1);
    // The follow-up is open (due 2 days after the resolution; as-of = the resolution).
    assert_eq!(row["rules"]["complaint_follow_up"]["open"], 1);
    assert_eq!(j["as_of"], "2026-03-05T09:00:00Z");
    // Every rule id is in every row, not-applicable counted.
    for id in [
        "repair_callback",
        "complaint_escalation",
        "complaint_answer",
        "complaint_resolution",
        "complaint_follow_up",
    ] {
        assert!(row["rules"][id].is_object(), "{id}");
    }
    assert_eq!(row["rules"]["repair_callback"]["not_applicable"], 1);
    assert_eq!(row["rules"]["repair_callback"]["compliance"], Value::Null);
}

#[test]
fn the_simulators_tickets_give_the_breach_rate_they_were_made_with() {
    // The simulator misses 8 % of deadlines on purpose (per rule, late by 1 min –
    // 2 days). The complaint rules are checked; repair call-backs are not, since the
    // 2 % of repairs never called back add breaches of their own.
    let dir = tempdir();
    simulate(dir.path(), 28, 5, false);
    let data = dir.path().join("store");
    ingest_json(
        &data,
        &[dir.path().join("tickets.csv"), dir.path().join("calls.csv")],
        &[],
    );
    let j = tickets_json(&data, &[]);
    let row = &j["rows"][0];
    for id in [
        "complaint_escalation",
        "complaint_answer",
        "complaint_resolution",
        "complaint_follow_up",
    ] {
        let r = &row["rules"][id];
        let (met, breached) = (
            r["met"].as_f64().expect("met"),
            r["breached"].as_f64().expect("b"),
        );
        let n = met + breached;
        let rate = breached / n;
        // 99 % interval of a binomial proportion around 0.08 (normal approximation);
        // stops cut off at the end of the data only shorten the denominator.
        let half = 2.576 * (0.08f64 * 0.92 / n).sqrt();
        assert!(n > 50.0, "{id}: only {n} decided");
        assert!(
            (rate - 0.08).abs() < half + 0.01,
            "{id}: breach rate {rate:.4} of {n}, expected 0.08 ± {half:.4}"
        );
    }
    // The lists agree with the counts.
    let total_breached: u64 = row["rules"]
        .as_object()
        .expect("rules")
        .values()
        .map(|r| r["breached"].as_u64().expect("n"))
        .sum();
    assert_eq!(
        j["breaches"].as_array().expect("list").len() as u64,
        total_breached
    );
    // The simulator plants recurring leaks at four units.
    let units: Vec<&str> = j["recurring"]
        .as_array()
        .expect("list")
        .iter()
        .filter(|r| r["level"] == "unit" && r["category"] == "leak")
        .map(|r| r["unit"].as_str().expect("unit"))
        .collect();
    for u in ["B03-1201", "B07-0305", "B12-1808", "B15-0602"] {
        assert!(units.contains(&u), "{u} not among {units:?}");
    }
    // The table fits an 80-column terminal, by month and severity too.
    let d = data.display().to_string();
    for extra in [&[][..], &["--by", "week", "--group", "severity"][..]] {
        let mut args = vec!["tickets", "--data-dir", d.as_str()];
        args.extend(extra);
        let out = ok(&args).stdout;
        for line in out.lines() {
            assert!(
                line.chars().count() <= 80,
                "{} wide: {line}",
                line.chars().count()
            );
        }
        assert!(out.contains("complaint_resolution"), "{out}");
    }
    // Tickets opened by calls are linked to them, every one found.
    let c = &j["repeat_contacts"];
    assert!(c["linked_to_calls"].as_u64().expect("linked") > 100, "{c}");
    assert_eq!(c["call_id_not_found"], 0, "{c}");
    assert!(
        c["with_repeat_calls"].as_u64().expect("n")
            <= c["tickets_with_customer"].as_u64().expect("n")
    );
    // Per ticket: one entry for each ticket with repeat calls, adding up.
    let per: Vec<u64> = c["tickets"]
        .as_array()
        .expect("tickets")
        .iter()
        .map(|t| t["repeat_calls"].as_u64().expect("n"))
        .collect();
    assert_eq!(
        per.len() as u64,
        c["with_repeat_calls"].as_u64().expect("n")
    );
    assert_eq!(
        per.iter().sum::<u64>(),
        c["repeat_calls"].as_u64().expect("n")
    );
    assert!(per.windows(2).all(|w| w[0] >= w[1]), "most first");
}

/// Parses `DD-MM-YYYY HH:MM` as UTC ms, independently of callboard's parsers.
fn dmy(s: &str) -> Option<i64> {
    let (d, t) = s.split_once(' ')?;
    let p: Vec<i64> = d
        .split('-')
        .map(|x| x.parse().ok())
        .collect::<Option<_>>()?;
    let (h, m) = t.split_once(':')?;
    let date = chrono::NaiveDate::from_ymd_opt(p[2] as i32, p[1] as u32, p[0] as u32)?;
    let dt = date.and_hms_opt(h.parse().ok()?, m.parse().ok()?, 0)?;
    Some(dt.and_utc().timestamp_millis())
}

#[test]
fn the_real_servicenow_log_matches_an_independent_count() {
    let Some(file) = real_file(SERVICENOW) else {
        return;
    };
    // Independent pass over the raw audit log: one ticket per `number`; the last
    // non-missing priority and resolved_at win; opened_at the earliest.
    let (mut r, col) = csv_with_columns(&file);
    let (num, pri, opened, resolved) = (
        col("number"),
        col("priority"),
        col("opened_at"),
        col("resolved_at"),
    );
    let mut t: HashMap<String, (i64, Option<String>, Option<i64>)> = HashMap::new();
    let mut rows = 0;
    for rec in r.records() {
        let rec = rec.expect("record");
        rows += 1;
        let o = dmy(&rec[opened]).expect("opened_at");
        let e = t.entry(rec[num].to_owned()).or_insert((o, None, None));
        e.0 = e.0.min(o);
        if rec[pri].trim() != "?" {
            e.1 = Some(rec[pri].trim().to_owned());
        }
        if let Some(x) = dmy(&rec[resolved]) {
            e.2 = Some(x);
        }
    }
    assert_eq!((rows, t.len()), (5998, 890));
    let as_of = t
        .values()
        .flat_map(|x| [Some(x.0), x.2])
        .flatten()
        .max()
        .expect("as of");
    let day = 86_400_000;
    let mut want: HashMap<&str, (u64, u64, u64)> = HashMap::new(); // opened, met, breached
    let mut resolve_h = Vec::new();
    for (o, p, res) in t.values() {
        let (sev, days) = match p.as_deref() {
            Some("1 - Critical") => ("major", 1),
            Some("2 - High") => ("important", 3),
            _ => ("minor", 5),
        };
        let due = o + days * day;
        let e = want.entry(sev).or_default();
        e.0 += 1;
        match res {
            Some(x) if *x <= due => e.1 += 1,
            Some(_) => e.2 += 1,
            None if as_of > due => e.2 += 1,
            None => {}
        }
        if let Some(x) = res {
            resolve_h.push((x - o) as f64 / 3_600_000.0);
        }
    }
    // callboard: ingest through the shipped mapping, evaluate with the shipped policy.
    let dir = tempdir();
    let data = dir.path().join("store");
    let s = ingest_json(&data, &[file], &["--mapping", SERVICENOW_MAPPING]);
    assert_eq!(s["totals"]["read"], 5998);
    assert_eq!(s["totals"]["rejected"], 0, "{s}");
    let j = tickets_json(
        &data,
        &["--policy", SERVICENOW_POLICY, "--group", "severity"],
    );
    assert_eq!(j["policy"], "servicenow");
    assert_eq!(
        j["as_of"].as_str(),
        Some(callboard_core::time::format_timestamp(as_of).as_str())
    );
    let rows = j["rows"].as_array().expect("rows");
    assert_eq!(rows.len(), 3);
    for row in rows {
        let sev = row["group"].as_str().expect("group");
        let (opened, met, breached) = want[sev];
        let r = &row["rules"]["incident_resolution"];
        assert_eq!(row["counts"]["opened"].as_u64(), Some(opened), "{sev}");
        assert_eq!(
            (r["met"].as_u64(), r["breached"].as_u64()),
            (Some(met), Some(breached)),
            "{sev}"
        );
        let c = met as f64 / (met + breached) as f64;
        assert!(
            (r["compliance"].as_f64().expect("c") - c).abs() < 1e-4,
            "{sev}"
        );
    }
    // The publisher's own sanity check (README): 861 resolved, median 54.47 h.
    let total = tickets_json(&data, &["--policy", SERVICENOW_POLICY]);
    let times = &total["rows"][0]["times"]["to_resolve"];
    resolve_h.sort_by(f64::total_cmp);
    assert_eq!((times["n"].as_u64(), resolve_h.len()), (Some(861), 861));
    let median_h = times["median_s"].as_f64().expect("median") / 3600.0;
    assert!(
        (median_h - resolve_h[430]).abs() < 1e-9 && (median_h - 54.47).abs() < 0.01,
        "{median_h}"
    );
}

#[test]
fn a_policy_is_shown_in_words_without_a_store_and_a_broken_one_is_refused() {
    let dir = tempdir();
    let policy = write(
        dir.path(),
        "office.toml",
        r#"name = "office"
[calendar]
days = "business"
holidays = ["2026-10-01"]
hours = "09:00-17:30"
[[rule]]
id = "first_answer"
description = "every enquiry answered within four business hours"
applies = { kind = "enquiry" }
start = "created_at"
stop = "answered_at"
due = [{ when = { channel = ["web", "letter"] }, after = "1d" }, { after = "4h" }]
"#,
    );
    let p = policy.display().to_string();
    // No --data-dir and no store: the policy alone.
    let out = ok(["tickets", "--show-policy", "--policy", p.as_str()]).stdout;
    for line in [
        "policy office: business days (mon tue wed thu fri), hours 09:00-17:30, 1 holiday,",
        "first_answer",
        "  applies to: kind = enquiry",
        "  clock: from created_at to answered_at",
        "    channel in web/letter: 1d after the start",
        "    otherwise: 4h after the start",
    ] {
        assert!(out.contains(line), "{line:?} missing:\n{out}");
    }
    // A due line with two ways of giving a time: refused, naming the file and rule.
    let bad = write(
        dir.path(),
        "bad.toml",
        "name = \"x\"\n[[rule]]\nid = \"r\"\nstart = \"created_at\"\nstop = \"resolved_at\"\ndue = [{ after = \"1d\", column = \"requested_by\" }]\n",
    );
    let b = bad.display().to_string();
    let r = run(["tickets", "--show-policy", "--policy", b.as_str()]);
    assert_ne!(r.code, 0);
    assert!(
        r.stderr.contains("bad.toml") && r.stderr.contains("rule \"r\""),
        "{}",
        r.stderr
    );
}
