//! The query layer called in-process (no subprocess): a store built in a temporary
//! directory through `ingest::load`, then `query::kpi::run` and `query::tickets::run`
//! checked against hand-worked figures.

use crate::support::*;
use callboard::ingest::{IngestOptions, LoadRequest, load};
use callboard::query::kpi::{Group, KpiQuery, ServedFrom};
use callboard::query::tickets::TicketsQuery;
use callboard::query::{By, QueryError, open_store};
use callboard_core::time::TimeZoneSpec;
use std::path::{Path, PathBuf};

const CALLS: &str = "call_id,queue,arrived_at,outcome,wait_s,talk_s,hold_s,acw_s,agent_id,caller_id,rings,transferred,resolved
c1,sales,2026-03-02T09:00:00Z,answered,10,100,0,20,a1,x,,false,
c2,sales,2026-03-02T09:05:00Z,answered,30,200,10,30,a1,y,,false,
c3,sales,2026-03-02T09:10:00Z,abandoned,40,,,,,z,,false,
c4,billing,2026-03-02T09:20:00Z,abandoned,3,,,,,w,,false,
c5,billing,2026-03-02T10:00:00Z,answered,5,60,0,0,a2,v,,false,
";

fn options() -> IngestOptions {
    IngestOptions {
        kind: None,
        zone: TimeZoneSpec::Utc,
        dry_run: false,
        progress: false,
        queue_log: false,
        ring_seconds: 6.0,
        summaries: true,
    }
}

fn store_with(dir: &Path, files: Vec<PathBuf>) -> PathBuf {
    let data = dir.join("store");
    let report = load(
        &data,
        &LoadRequest {
            files,
            mapping: None,
            options: options(),
        },
    )
    .expect("loads");
    assert_eq!(report.totals.rejected, 0, "{:?}", report.files);
    data
}

fn kpi_value(row: &callboard_core::kpi::report::Row, id: &str) -> Option<f64> {
    row.kpis
        .iter()
        .find(|k| k.id == id)
        .expect("every id")
        .value
}

#[test]
fn kpi_run_in_process_gives_the_hand_worked_figures_from_either_path() {
    let dir = tempdir();
    let calls = write(dir.path(), "calls.csv", CALLS);
    let data = store_with(dir.path(), vec![calls]);
    let store = open_store(&data).expect("opens");
    // By hand: 5 calls; c4 abandoned after 3 s is a short abandon (≤ 5 s), left out.
    // Offered 4: answered within 20 s are c1 (10 s) and c5 (5 s) → SL 2 ÷ 4 = 0.5.
    // ASA = (10 + 30 + 5) ÷ 3 = 15 s; AHT = (120 + 240 + 60) ÷ 3 = 140 s;
    // abandon rate = 1 (c3) ÷ 4.
    let q = KpiQuery::default();
    let summaries = callboard::query::kpi::run(&store, &q).expect("report");
    let rows = callboard::query::kpi::run(
        &store,
        &KpiQuery {
            from_rows: true,
            ..q.clone()
        },
    )
    .expect("report");
    assert_eq!(summaries.served_from, ServedFrom::Summaries);
    assert_eq!(rows.served_from, ServedFrom::Rows);
    for r in [&summaries, &rows] {
        let row = &r.rows[0];
        assert_eq!(row.counts.total, 5);
        assert_eq!(row.counts.short_abandons, 1);
        assert_eq!(kpi_value(row, "service_level"), Some(0.5));
        assert_eq!(kpi_value(row, "average_speed_of_answer"), Some(15.0));
        assert_eq!(kpi_value(row, "average_handle_time"), Some(140.0));
        assert_eq!(kpi_value(row, "abandon_rate"), Some(0.25));
    }
    assert_eq!(summaries.rows, rows.rows);
    // The period defaults to the calls' whole day.
    assert_eq!(
        callboard_core::time::format_timestamp(summaries.settings.from_ms),
        "2026-03-02T00:00:00Z"
    );
    // Per queue: sales offered 3 (c1, c2, c3), 1 within 20 s.
    let by_queue = callboard::query::kpi::run(
        &store,
        &KpiQuery {
            group: Some(Group::Queue),
            ..q.clone()
        },
    )
    .expect("report");
    let sales = by_queue
        .rows
        .iter()
        .find(|r| r.group.as_deref() == Some("sales"))
        .expect("sales");
    let sl = kpi_value(sales, "service_level").expect("value");
    assert!((sl - 1.0 / 3.0).abs() < 1e-12, "{sl}");
    // The JSON is the cli.md shape, with where it came from.
    let j = serde_json::to_value(&summaries).expect("json");
    assert_eq!(j["settings"]["served_from"], "summaries");
    assert_eq!(j["rows"][0]["counts"]["total"], 5);
    assert!(j["rows"][0].get("bucket_start").is_none());
}

#[test]
fn kpi_run_refuses_bad_settings_with_words_not_flags() {
    let dir = tempdir();
    let calls = write(dir.path(), "calls.csv", CALLS);
    let data = store_with(dir.path(), vec![calls]);
    let store = open_store(&data).expect("opens");
    let bad = |q: KpiQuery| {
        callboard::query::kpi::run(&store, &q)
            .expect_err("refused")
            .to_string()
    };
    let period = |from: &str, to: &str| KpiQuery {
        period: callboard::query::PeriodQuery {
            from: Some(from.into()),
            to: Some(to.into()),
        },
        ..KpiQuery::default()
    };
    assert_eq!(
        bad(period("2026-03-03", "2026-03-02")),
        "the period's end must be after its start"
    );
    let e = bad(KpiQuery {
        by: By::Interval,
        interval: "20m".into(),
        ..KpiQuery::default()
    });
    assert!(e.contains("20m") && !e.contains("--"), "{e}");
    let e = bad(KpiQuery {
        fcr_window: "0d".into(),
        ..KpiQuery::default()
    });
    assert_eq!(e, "the FCR window must be positive");
    let empty = tempdir();
    assert!(matches!(
        open_store(empty.path()),
        Err(QueryError::EmptyStore { .. })
    ));
}

#[test]
fn tickets_run_in_process_counts_a_hand_worked_breach() {
    let dir = tempdir();
    // Two major complaints (desk policy: complaint_answer due 2 days after
    // creation). T1 is answered an hour later (met), T2 eighteen days later
    // (breached, 16 days late). Compliance 1 ÷ 2.
    let tickets = write(
        dir.path(),
        "tickets.csv",
        "ticket_id,created_at,kind,category,severity,channel,customer_id,unit,department,call_id,escalated_at,answered_at,completed_at,resolved_at,callback_at,requested_by,satisfaction
T1,2026-03-02T09:00:00Z,complaint,noise,major,web,C1,B01-0101,customer-relations,,2026-03-02T09:30:00Z,2026-03-02T10:00:00Z,,2026-03-03T09:00:00Z,2026-03-03T10:00:00Z,,
T2,2026-03-02T09:00:00Z,complaint,noise,major,web,C2,B02-0102,customer-relations,,2026-03-02T09:30:00Z,2026-03-20T09:00:00Z,,2026-03-21T09:00:00Z,2026-03-21T10:00:00Z,,
",
    );
    let data = store_with(dir.path(), vec![tickets]);
    let store = open_store(&data).expect("opens");
    let r = callboard::query::tickets::run(&store, &TicketsQuery::default()).expect("report");
    assert_eq!(r.rows.len(), 1);
    assert_eq!(r.rows[0].opened, 2);
    assert_eq!(r.rows[0].resolved, 2);
    let answer: Vec<_> = r
        .breaches
        .iter()
        .filter(|b| b.rule == "complaint_answer")
        .collect();
    assert_eq!(answer.len(), 1, "{:?}", r.breaches);
    assert_eq!(answer[0].ticket_id, "T2");
    assert_eq!(answer[0].by_ms, 16 * 86_400_000);
    let j = serde_json::to_value(&r).expect("json");
    assert_eq!(j["rows"][0]["counts"]["opened"], 2);
    assert_eq!(j["rows"][0]["rules"].as_object().expect("rules").len(), 5);
    let rule = &j["rows"][0]["rules"]["complaint_answer"];
    assert_eq!(
        (rule["met"].as_u64(), rule["breached"].as_u64()),
        (Some(1), Some(1))
    );
    assert_eq!(rule["compliance"], 0.5);
}

#[test]
fn measured_shrinkage_is_the_hand_worked_share_of_paid_time() {
    // One agent, 2 March: work 09:00–12:00, a paid break 12:00–12:15, work
    // 12:15–17:00, unpaid lunch 17:00–17:30 → paid 8 h, work 7 h 45.
    // States: ready 09:00–11:00, not_ready 11:00–12:00, talk 12:15–16:15 → 6 h
    // ready or on calls inside work. Shrinkage = 1 − 6 ÷ 8 = 0.25.
    let dir = tempdir();
    let schedules = write(
        dir.path(),
        "schedules.csv",
        "agent_id,start,end,activity
a1,2026-03-02T09:00:00Z,2026-03-02T12:00:00Z,work
a1,2026-03-02T12:00:00Z,2026-03-02T12:15:00Z,break
a1,2026-03-02T12:15:00Z,2026-03-02T17:00:00Z,work
a1,2026-03-02T17:00:00Z,2026-03-02T17:30:00Z,lunch
",
    );
    let states = write(
        dir.path(),
        "agent_states.csv",
        "agent_id,state,start,end,reason
a1,ready,2026-03-02T09:00:00Z,2026-03-02T11:00:00Z,
a1,not_ready,2026-03-02T11:00:00Z,2026-03-02T12:00:00Z,
a1,talk,2026-03-02T12:15:00Z,2026-03-02T16:15:00Z,
",
    );
    let data = store_with(dir.path(), vec![schedules, states]);
    let store = open_store(&data).expect("opens");
    let day =
        |t: &str| callboard_core::time::parse_timestamp(t, &TimeZoneSpec::Utc).expect("timestamp");
    let s = callboard::query::forecast::measured_shrinkage(
        &store,
        day("2026-03-02T00:00:00Z"),
        day("2026-03-03T00:00:00Z"),
    )
    .expect("measured");
    assert!((s - 0.25).abs() < 1e-12, "{s}");
}
