//! Every rule of the desk policy at its edges, the business calendar, recurring
//! windows and repeat contacts, on hand-made tickets.

use super::*;
use crate::time::{DAY_MS, parse_timestamp};

const H: i64 = 3_600_000;
const S: i64 = 1_000;

fn desk(zone: &str) -> Policy {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../policies/desk.toml"
    ))
    .expect("policies/desk.toml");
    let spec: PolicySpec = toml::from_str(&text).expect("the shipped policy parses");
    Policy::compile(&spec, &TimeZoneSpec::parse(zone).expect("zone")).expect("compiles")
}

fn ts(s: &str) -> i64 {
    parse_timestamp(s, &TimeZoneSpec::Utc).expect("timestamp")
}

fn ticket<'a>(id: &'a str, kind: &'a str, created: i64) -> Ticket<'a> {
    let mut t = Ticket {
        id,
        kind,
        ..Ticket::default()
    };
    t.stamps[Stamp::Created as usize] = Some(created);
    t
}

fn with(mut t: Ticket<'_>, s: Stamp, v: i64) -> Ticket<'_> {
    t.stamps[s as usize] = Some(v);
    t
}

fn verdict(p: &Policy, rule: &str, t: &Ticket<'_>, as_of: i64) -> Check {
    let r = p.rules.iter().find(|r| r.id == rule).expect("rule");
    check(r, &p.calendar, t, as_of)
}

#[test]
fn a_repair_call_back_exactly_on_the_deadline_is_met_and_a_second_later_breached() {
    let p = desk("UTC");
    let done = ts("2026-03-02T10:00:00Z");
    for (category, days) in [
        (Some("safety"), 2),
        (Some("leak"), 3),
        (Some("other"), 2),
        (None, 2),
    ] {
        let mut t = with(
            ticket("R1", "repair", done - DAY_MS),
            Stamp::Completed,
            done,
        );
        t.category = category;
        let due = done + days * DAY_MS;
        let on_time = with(t, Stamp::Callback, due);
        let c = verdict(&p, "repair_callback", &on_time, due + DAY_MS);
        assert_eq!(
            (c.verdict, c.due_ms, c.margin_ms),
            (Verdict::Met, Some(due), Some(0))
        );
        let late = with(t, Stamp::Callback, due + S);
        let c = verdict(&p, "repair_callback", &late, due + DAY_MS);
        assert_eq!((c.verdict, c.margin_ms), (Verdict::Breached, Some(-S)));
        // No call-back yet: open while as-of ≤ due, breached once past it.
        assert_eq!(
            verdict(&p, "repair_callback", &t, due).verdict,
            Verdict::Open
        );
        let c = verdict(&p, "repair_callback", &t, due + S);
        assert_eq!((c.verdict, c.margin_ms), (Verdict::Breached, Some(-S)));
    }
    // Not completed: the rule does not apply (its start clock is empty).
    let t = ticket("R2", "repair", done);
    assert_eq!(
        verdict(&p, "repair_callback", &t, done).verdict,
        Verdict::NotApplicable
    );
    // Complaint rules do not apply to repairs.
    let t = with(ticket("R3", "repair", done), Stamp::Completed, done);
    assert_eq!(
        verdict(&p, "complaint_resolution", &t, done).verdict,
        Verdict::NotApplicable
    );
}

#[test]
fn complaints_by_severity_escalation_answer_resolution_and_follow_up() {
    let p = desk("UTC");
    let c0 = ts("2026-03-02T15:30:00Z");
    let complaint = |sev| {
        let mut t = ticket("C1", "complaint", c0);
        t.severity = Some(sev);
        t
    };
    // Major: escalated by the end of the same day (its last millisecond), answered
    // in 2 days, resolved in 10.
    let eod = ts("2026-03-02T23:59:59.999Z");
    let m = complaint("major");
    assert_eq!(
        verdict(
            &p,
            "complaint_escalation",
            &with(m, Stamp::Escalated, eod),
            eod
        )
        .verdict,
        Verdict::Met
    );
    assert_eq!(
        verdict(
            &p,
            "complaint_escalation",
            &with(m, Stamp::Escalated, eod + S),
            eod + S
        )
        .verdict,
        Verdict::Breached
    );
    assert_eq!(
        verdict(&p, "complaint_answer", &m, c0).due_ms,
        Some(c0 + 2 * DAY_MS)
    );
    assert_eq!(
        verdict(&p, "complaint_resolution", &m, c0).due_ms,
        Some(c0 + 10 * DAY_MS)
    );
    // Important: escalation within 1 hour, resolution 3 days, no answer rule.
    let i = complaint("important");
    let c = verdict(
        &p,
        "complaint_escalation",
        &with(i, Stamp::Escalated, c0 + H),
        c0 + H,
    );
    assert_eq!((c.verdict, c.margin_ms), (Verdict::Met, Some(0)));
    assert_eq!(
        verdict(&p, "complaint_answer", &i, c0).verdict,
        Verdict::NotApplicable
    );
    assert_eq!(
        verdict(&p, "complaint_resolution", &i, c0).due_ms,
        Some(c0 + 3 * DAY_MS)
    );
    // Minor: the requested date when given, else 2 days; no escalation rule.
    let n = complaint("minor");
    assert_eq!(
        verdict(&p, "complaint_escalation", &n, c0).verdict,
        Verdict::NotApplicable
    );
    assert_eq!(
        verdict(&p, "complaint_resolution", &n, c0).due_ms,
        Some(c0 + 2 * DAY_MS)
    );
    let asked = with(n, Stamp::Requested, c0 + 5 * DAY_MS);
    assert_eq!(
        verdict(&p, "complaint_resolution", &asked, c0).due_ms,
        Some(c0 + 5 * DAY_MS)
    );
    // Follow-up: 2 days after resolution, only once resolved.
    assert_eq!(
        verdict(&p, "complaint_follow_up", &n, c0).verdict,
        Verdict::NotApplicable
    );
    let closed = with(n, Stamp::Resolved, c0 + DAY_MS);
    let c = verdict(&p, "complaint_follow_up", &closed, c0 + 3 * DAY_MS);
    assert_eq!((c.verdict, c.margin_ms), (Verdict::Open, Some(0)));
    assert_eq!(
        verdict(&p, "complaint_follow_up", &closed, c0 + 3 * DAY_MS + S).verdict,
        Verdict::Breached
    );
}

#[test]
fn the_same_day_is_the_local_day_of_the_report_zone() {
    // 15:30Z is 23:30 in Shanghai (UTC+8): the local day ends 30 minutes later.
    let p = desk("Asia/Shanghai");
    let c0 = ts("2026-03-02T15:30:00Z");
    let mut t = ticket("C2", "complaint", c0);
    t.severity = Some("major");
    let c = verdict(&p, "complaint_escalation", &t, c0);
    assert_eq!(c.due_ms, Some(ts("2026-03-02T15:59:59.999Z")));
    // In UTC the same ticket has until midnight UTC.
    let c = verdict(&desk("UTC"), "complaint_escalation", &t, c0);
    assert_eq!(c.due_ms, Some(ts("2026-03-02T23:59:59.999Z")));
}

#[test]
fn business_days_skip_weekends_and_holidays_and_hours_count_inside_opening_times() {
    let spec: PolicySpec = toml::from_str(
        r#"
name = "office"
[calendar]
days = "business"
holidays = ["2026-03-09"]
hours = "09:00-17:00"
[[rule]]
id = "r"
start = "created_at"
stop = "resolved_at"
due = [{ when = { kind = "complaint" }, after = "2d" }, { after = "3h" }]
"#,
    )
    .expect("toml");
    let p = Policy::compile(&spec, &TimeZoneSpec::Utc).expect("compiles");
    // Friday 2026-03-06 16:00 + 2 business days: Monday is a holiday → Wednesday 16:00.
    let fri = ts("2026-03-06T16:00:00Z");
    let c = verdict(&p, "r", &ticket("A", "complaint", fri), fri);
    assert_eq!(c.due_ms, Some(ts("2026-03-11T16:00:00Z")));
    // Friday 16:00 + 3 business hours: 1 h on Friday, 2 h on Tuesday (Monday is off).
    let c = verdict(&p, "r", &ticket("B", "repair", fri), fri);
    assert_eq!(c.due_ms, Some(ts("2026-03-10T11:00:00Z")));
    // Saturday night: the clock starts on the next working day's opening.
    let sat = ts("2026-03-07T22:00:00Z");
    let c = verdict(&p, "r", &ticket("C", "repair", sat), sat);
    assert_eq!(c.due_ms, Some(ts("2026-03-10T12:00:00Z")));
    // "The same day" on this calendar is the close of business: Friday 16:00 →
    // Friday 17:00; after closing, or at the weekend, the next working day's close
    // (Monday is the holiday, so Tuesday).
    let cal = &p.calendar;
    assert_eq!(cal.end_of_day(fri), ts("2026-03-06T17:00:00Z"));
    assert_eq!(
        cal.end_of_day(ts("2026-03-06T18:00:00Z")),
        ts("2026-03-10T17:00:00Z")
    );
    assert_eq!(cal.end_of_day(sat), ts("2026-03-10T17:00:00Z"));
}

#[test]
fn bad_policies_are_refused_with_the_reason() {
    let bad = |body: &str| {
        let spec: PolicySpec = toml::from_str(body).expect("toml");
        Policy::compile(&spec, &TimeZoneSpec::Utc)
            .expect_err("refused")
            .to_string()
    };
    let rule = |due: &str| {
        format!(
            "name = \"x\"\n[[rule]]\nid = \"r\"\nstart = \"created_at\"\nstop = \"resolved_at\"\ndue = [{due}]\n"
        )
    };
    assert!(bad(&rule("{ after = \"2 weeks\" }")).contains("unit"));
    assert!(bad(&rule("{ after = \"2d\", end_of_day = true }")).contains("exactly one"));
    assert!(bad(&rule("{ column = \"closed_at\" }")).contains("not a ticket timestamp"));
    assert!(bad(&rule("")).contains("no due line"));
    let spec: Result<PolicySpec, _> = toml::from_str("name = \"x\"\nrules = []");
    assert!(spec.is_err(), "unknown keys are refused");
}

#[test]
fn summary_counts_rules_breaches_and_tickets_at_risk() {
    let p = desk("UTC");
    let d = ts("2026-03-02T00:00:00Z");
    let mk = |id, sev, created: i64| {
        let mut t = ticket(id, "complaint", created);
        t.severity = Some(sev);
        t
    };
    let tickets = vec![
        // Resolved in time, followed up in time.
        with(
            with(mk("A", "minor", d + H), Stamp::Resolved, d + DAY_MS),
            Stamp::Callback,
            d + 2 * DAY_MS,
        ),
        // Resolved 1 h late, no follow-up yet (as-of d+4d, follow-up due d+4d+2h... open).
        with(
            mk("B", "important", d + 2 * H),
            Stamp::Resolved,
            d + 3 * DAY_MS + 3 * H,
        ),
        // Still open, due at d+2d+3h: breached at as-of.
        mk("C", "minor", d + 3 * H),
        // Created later the same week, due in 20 h: at risk.
        mk("D", "minor", d + 2 * DAY_MS + 20 * H),
    ];
    let as_of = d + 4 * DAY_MS;
    let s = Settings {
        from_ms: d,
        to_ms: d + 7 * DAY_MS,
        as_of_ms: as_of,
        by: Bucketing::Total,
        group: Some(Text::Severity),
        zone: TimeZoneSpec::Utc,
        at_risk_ms: 24 * H,
    };
    let out = summarise(&tickets, &p, &s);
    let groups: Vec<&str> = out
        .rows
        .iter()
        .map(|r| r.group.as_deref().unwrap_or("?"))
        .collect();
    assert_eq!(groups, ["important", "minor"]);
    let minor = &out.rows[1];
    assert_eq!((minor.opened, minor.resolved, minor.open), (3, 1, 2));
    let res = policy_index(&p, "complaint_resolution");
    assert_eq!(
        minor.rules[res],
        RuleCounts {
            met: 1,
            breached: 1,
            open: 1,
            not_applicable: 0
        }
    );
    assert_eq!(minor.rules[res].compliance(), Some(0.5));
    assert_eq!(out.rows[0].rules[res].breached, 1);
    // Breaches latest first: C (open, 22 h past due at as-of 4d: due 2d+3h), B (1 h late).
    let br: Vec<(&str, &str, i64, bool)> = out
        .breaches
        .iter()
        .map(|b| (b.ticket_id, b.rule, b.by_ms, b.open))
        .collect();
    assert!(
        br.contains(&("C", "complaint_resolution", DAY_MS + 21 * H, true)),
        "{br:?}"
    );
    assert!(
        br.contains(&("B", "complaint_resolution", H, false)),
        "{br:?}"
    );
    // B's escalation (important: 1 h) never happened: breached and open too.
    assert!(
        br.contains(&("B", "complaint_escalation", as_of - (d + 3 * H), true)),
        "{br:?}"
    );
    // D: due d+4d+20h, 20 h left: at risk. B's follow-up is due d+5d+3h (27 h): not.
    let risk: Vec<(&str, &str, i64)> = out
        .at_risk
        .iter()
        .map(|f| (f.ticket_id, f.rule, f.by_ms))
        .collect();
    assert_eq!(risk, [("D", "complaint_resolution", 20 * H)]);
    // Times: minor resolved A in 23 h.
    assert_eq!(minor.to_resolve.n, 1);
    assert_eq!(minor.to_resolve.median_s, Some(23.0 * 3600.0));
}

fn policy_index(p: &Policy, id: &str) -> usize {
    p.rules.iter().position(|r| r.id == id).expect("rule")
}

#[test]
fn percentiles_interpolate_between_ranks() {
    let s = spread(vec![4000, 1000, 3000, 2000]);
    assert_eq!(s.n, 4);
    assert_eq!(s.median_s, Some(2.5));
    assert!((s.p90_s.expect("p90") - 3.7).abs() < 1e-12);
    assert_eq!(spread(Vec::new()).median_s, None);
}

#[test]
fn recurring_problems_need_count_tickets_inside_the_window() {
    let p = desk("UTC");
    let d = ts("2026-01-01T00:00:00Z");
    let mk = |id, unit, cat, day: i64| {
        let mut t = ticket(id, "repair", d + day * DAY_MS);
        t.unit = Some(unit);
        t.category = Some(cat);
        t
    };
    let tickets = vec![
        // Three leaks at B03-1201 within 90 days (0, 40, 90): flagged.
        mk("L1", "B03-1201", "leak", 0),
        mk("L2", "B03-1201", "leak", 40),
        mk("L3", "B03-1201", "leak", 90),
        // A fourth 200 days on is outside every window with two others.
        mk("L4", "B03-1201", "leak", 290),
        // Three leaks at B07-0305 spread over 91 days: not flagged at the unit…
        mk("M1", "B07-0305", "leak", 0),
        mk("M2", "B07-0305", "leak", 45),
        mk("M3", "B07-0305", "leak", 91),
        // …but with one at the neighbour flat, building B07 has 3 in 90 days.
        mk("N1", "B07-0306", "leak", 50),
        // Different category at the same unit does not count.
        mk("O1", "B03-1201", "safety", 41),
    ];
    let r = recurring(&tickets, &p.recurring);
    let got: Vec<(&str, &str, &str, Vec<&str>)> = r
        .iter()
        .map(|x| (x.level, x.place, x.category, x.ticket_ids.clone()))
        .collect();
    assert_eq!(
        got,
        [
            ("unit", "B03-1201", "leak", vec!["L1", "L2", "L3"]),
            ("building", "B07", "leak", vec!["M1", "M2", "N1", "M3"]),
        ]
    );
}

#[test]
fn repeat_contacts_are_calls_from_the_customer_while_the_ticket_is_open() {
    let d = ts("2026-03-02T09:00:00Z");
    let mut t1 = with(ticket("T1", "repair", d), Stamp::Resolved, d + 2 * DAY_MS);
    t1.call_id = Some("c1");
    let mut t2 = ticket("T2", "complaint", d);
    t2.customer = Some("cust-9");
    let mut t3 = ticket("T3", "enquiry", d);
    t3.call_id = Some("missing");
    let calls = [
        ("c1", Some("cust-1"), d + 60 * S), // the opening call (ends after created_at)
        ("c2", Some("cust-1"), d + DAY_MS), // a repeat while open
        ("c3", Some("cust-1"), d + 3 * DAY_MS), // after resolution: not counted
        ("c4", Some("cust-9"), d - H),      // before the ticket: not counted
        ("c5", Some("cust-9"), d + H),      // T2 open at as-of: counted
    ];
    let c = repeat_contacts(&[t1, t2, t3], &calls, d + 4 * DAY_MS);
    assert_eq!(
        c,
        Contacts {
            tickets: 2,
            with_repeat: 2,
            repeat_calls: 2,
            linked: 1,
            unlinked: 1,
            per_ticket: vec![(0, 1), (1, 1)],
        }
    );
    assert_eq!(c.resolved_first_time(), Some(0.0));
}

#[test]
fn month_buckets_count_only_tickets_inside_the_period() {
    let p = desk("UTC");
    // Period 2026-03-02 … 03-09; the March bucket starts on 03-01.
    let (from, to) = (ts("2026-03-02T00:00:00Z"), ts("2026-03-09T00:00:00Z"));
    let mut before = ticket("A", "enquiry", ts("2026-03-01T12:00:00Z"));
    before.channel = Some("fax");
    let mut inside = ticket("B", "enquiry", ts("2026-03-03T12:00:00Z"));
    inside.channel = Some("web");
    let s = Settings {
        from_ms: from,
        to_ms: to,
        as_of_ms: to,
        by: Bucketing::Month,
        group: Some(Text::Channel),
        zone: TimeZoneSpec::Utc,
        at_risk_ms: 24 * H,
    };
    let out = summarise(&[before, inside], &p, &s);
    // One row: the fax ticket lies before the period, so its group has no row.
    assert_eq!(out.rows.len(), 1);
    assert_eq!(out.rows[0].group.as_deref(), Some("web"));
    assert_eq!(out.rows[0].bucket_start, Some(ts("2026-03-01T00:00:00Z")));
    assert_eq!(out.rows[0].opened, 1);
}

mod fuzz {
    //! Arbitrary policy files and tickets never panic, and every ticket gets exactly
    //! one verdict per rule.
    use super::*;
    use proptest::prelude::*;

    fn policy_text() -> impl Strategy<Value = String> {
        let due = prop_oneof![
            "[0-9]{1,3}(s|m|h|d|x|)".prop_map(|d| format!("{{ after = \"{d}\" }}")),
            Just("{ end_of_day = true }".to_owned()),
            Just("{ column = \"requested_by\" }".to_owned()),
            Just("{ when = { severity = \"major\" }, after = \"1d\" }".to_owned()),
            Just("{ when = { has = \"answered_at\" }, column = \"answered_at\" }".to_owned()),
        ];
        (
            prop::collection::vec(due, 0..4),
            prop_oneof![Just("calendar"), Just("business"), Just("weekly")],
            prop_oneof![Just(""), Just("hours = \"09:00-17:00\""), Just("hours = \"17:00-09:00\"")],
            prop_oneof![Just("created_at"), Just("completed_at"), Just("closed_at")],
        )
            .prop_map(|(dues, days, hours, start)| {
                format!(
                    "name = \"p\"\n[calendar]\ndays = \"{days}\"\n{hours}\nholidays = [\"2026-03-04\"]\n\
                     [[rule]]\nid = \"r\"\nstart = \"{start}\"\nstop = \"resolved_at\"\ndue = [{}]\n",
                    dues.join(", ")
                )
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn arbitrary_text_is_refused_or_compiled_never_a_panic(text in "\\PC{0,400}") {
            if let Ok(spec) = toml::from_str::<PolicySpec>(&text) {
                let _ = Policy::compile(&spec, &TimeZoneSpec::Utc);
            }
        }

        #[test]
        fn every_ticket_gets_one_verdict_per_rule(
            text in policy_text(),
            stamps in prop::collection::vec(
                (0i64..40 * DAY_MS, prop::option::of(0i64..20 * DAY_MS), prop::option::of(0i64..20 * DAY_MS),
                 prop::option::of(0i64..20 * DAY_MS), prop::bool::ANY),
                1..40,
            ),
            as_of in 0i64..60 * DAY_MS,
        ) {
            let spec: PolicySpec = toml::from_str(&text).expect("generated policies are TOML");
            let Ok(policy) = Policy::compile(&spec, &TimeZoneSpec::parse("Asia/Shanghai").expect("zone")) else {
                return Ok(());
            };
            let base = ts("2026-03-01T00:00:00Z");
            let ids: Vec<String> = (0..stamps.len()).map(|i| format!("T{i}")).collect();
            let tickets: Vec<Ticket<'_>> = stamps
                .iter()
                .zip(&ids)
                .map(|(&(c, done, res, ans, major), id)| {
                    let mut t = ticket(id, if major { "complaint" } else { "repair" }, base + c);
                    t.severity = major.then_some("major");
                    t.stamps[Stamp::Completed as usize] = done.map(|d| base + c + d);
                    t.stamps[Stamp::Resolved as usize] = res.map(|d| base + c + d);
                    t.stamps[Stamp::Answered as usize] = ans.map(|d| base + c + d);
                    t
                })
                .collect();
            let s = Settings {
                from_ms: base,
                to_ms: base + 40 * DAY_MS,
                as_of_ms: base + as_of,
                by: Bucketing::Week,
                group: Some(Text::Kind),
                zone: TimeZoneSpec::Utc,
                at_risk_ms: DAY_MS,
            };
            let out = summarise(&tickets, &policy, &s);
            let per_rule: u64 = out.rows.iter().map(|r| {
                let c = r.rules[0];
                c.met + c.breached + c.open + c.not_applicable
            }).sum();
            // Tickets created after as-of do not exist yet.
            let existing = tickets.iter().filter(|t| t.created() <= s.as_of_ms).count() as u64;
            prop_assert_eq!(per_rule, existing);
            let opened: u64 = out.rows.iter().map(|r| r.opened).sum();
            prop_assert_eq!(opened, existing);
            let breached: u64 = out.rows.iter().map(|r| r.rules[0].breached).sum();
            prop_assert_eq!(out.breaches.len() as u64, breached);
            // A due time is never before the start on any calendar.
            for t in &tickets {
                let c = check(&policy.rules[0], &policy.calendar, t, s.as_of_ms);
                if let (Some(due), Some(start)) = (c.due_ms, t.stamp(policy.rules[0].start)) {
                    let by_column = spec.rules[0].due.iter().any(|d| d.column.is_some());
                    prop_assert!(due >= start || by_column, "due {} before start {}", due, start);
                }
            }
        }
    }
}

#[test]
fn as_of_sees_tickets_as_they_stood_then() {
    let p = desk("UTC");
    let d = ts("2026-03-02T00:00:00Z");
    let mut a = ticket("A", "complaint", d);
    a.severity = Some("minor");
    // Resolved on day 1 (in time), called back on day 5 (late: due day 3).
    let a = with(
        with(a, Stamp::Resolved, d + DAY_MS),
        Stamp::Callback,
        d + 5 * DAY_MS,
    );
    let mut b = ticket("B", "complaint", d + 4 * DAY_MS);
    b.severity = Some("minor");
    let s = |as_of| Settings {
        from_ms: d,
        to_ms: d + 7 * DAY_MS,
        as_of_ms: as_of,
        by: Bucketing::Total,
        group: None,
        zone: TimeZoneSpec::Utc,
        at_risk_ms: 24 * H,
    };
    let follow = policy_index(&p, "complaint_follow_up");
    let res = policy_index(&p, "complaint_resolution");
    // As of day 2: A resolved, its follow-up still open (due day 3); B not created.
    let then = summarise(&[a, b], &p, &s(d + 2 * DAY_MS));
    let r = &then.rows[0];
    assert_eq!((r.opened, r.resolved, r.open), (1, 1, 0));
    assert_eq!(
        r.rules[follow],
        RuleCounts {
            met: 0,
            breached: 0,
            open: 1,
            not_applicable: 0
        }
    );
    assert_eq!(then.at_risk.len(), 1, "due in 23 h");
    // As of day 6: the call-back happened, late. B (created day 4) is due exactly
    // at as-of (day 6 00:00), so still open.
    let now = summarise(&[a, b], &p, &s(d + 6 * DAY_MS));
    let r = &now.rows[0];
    assert_eq!((r.opened, r.resolved, r.open), (2, 1, 1));
    assert_eq!(r.rules[follow].breached, 1);
    assert_eq!(
        r.rules[res],
        RuleCounts {
            met: 1,
            breached: 0,
            open: 1,
            not_applicable: 0
        }
    );
}

#[test]
fn the_ticket_columns_are_the_schemas_and_end_with_the_stamps() {
    let schema: Vec<&str> = crate::schema::Table::Tickets
        .spec()
        .columns
        .iter()
        .map(|c| c.name)
        .collect();
    assert!(COLUMNS.iter().all(|c| schema.contains(c)), "{COLUMNS:?}");
    assert_eq!(COLUMNS[9..], Stamp::ALL.map(Stamp::name));
}
