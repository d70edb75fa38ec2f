//! `callboard demo`: the main job of the README on the bundled sample data.

use crate::support::*;

#[test]
fn the_demo_loads_the_sample_and_prints_its_kpis_and_ticket_slas() {
    let dir = tempdir();
    let data = dir.path().join("demo-store");
    let d = data.display().to_string();
    let r = ok(["demo", "--data-dir", d.as_str()]);
    let out = &r.stdout;
    // Every sample table loaded without rejects.
    let s = status(&data, false);
    for table in [
        "calls",
        "agent_states",
        "schedules",
        "agents",
        "qa_evaluations",
        "costs",
        "tickets",
    ] {
        assert!(rows(&data, table) > 0, "{table} empty: {s}");
    }
    // The KPI table: all 23 names, the profile line.
    for name in [
        "Service level",
        "Average speed of answer (ASA)",
        "Abandon rate",
        "Agent turnover",
    ] {
        assert!(out.contains(name), "{name} missing:\n{out}");
    }
    assert!(out.contains("profile: service level"), "{out}");
    // The ticket SLA summary: every desk rule with a compliance, and the lists.
    for rule in [
        "repair_callback",
        "complaint_escalation",
        "complaint_answer",
        "complaint_resolution",
        "complaint_follow_up",
    ] {
        let line = out
            .lines()
            .find(|l| l.trim_start().starts_with(rule))
            .unwrap_or_else(|| panic!("{rule} missing:\n{out}"));
        assert!(line.trim_end().ends_with('%'), "{line}");
    }
    for heading in [
        "breaches:",
        "at risk",
        "recurring problems",
        "repeat calls while open",
    ] {
        assert!(out.contains(heading), "{heading} missing:\n{out}");
    }
    // A second run replaces its own store.
    ok(["demo", "--data-dir", d.as_str()]);
}
