//! `callboard demo`: the main job of the README on the bundled sample data.

use crate::support::*;

#[test]
fn the_demo_loads_the_sample_and_prints_its_kpis_and_ticket_slas() {
    let dir = tempdir();
    let data = dir.path().join("demo-store");
    let d = data.display().to_string();
    let reports = dir.path().join("reports");
    let rp = reports.display().to_string();
    let r = ok([
        "demo",
        "--data-dir",
        d.as_str(),
        "--reports-dir",
        rp.as_str(),
    ]);
    let out = &r.stdout;
    // Every sample table loaded whole: no rejects in the ingest lines, and the
    // store holds one row per data line of each sample file.
    let ingest_lines: Vec<&str> = out
        .lines()
        .filter(|l| l.contains(" → ") && l.contains(" read = "))
        .collect();
    assert_eq!(ingest_lines.len(), 7, "one line per sample table:\n{out}");
    for line in &ingest_lines {
        assert!(
            line.contains("+ 0 rejected"),
            "rejects in the sample: {line}"
        );
    }
    let sample = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("sample_data");
    for table in [
        "calls",
        "agent_states",
        "schedules",
        "agents",
        "qa_evaluations",
        "costs",
        "tickets",
    ] {
        let file = sample.join(format!("{table}.csv"));
        let lines = csv::Reader::from_path(&file)
            .expect("sample file")
            .records()
            .count() as u64;
        assert!(lines > 0, "{} is empty", file.display());
        // The named roster the demo writes goes into schedules after the sample's.
        let rostered = match table {
            "schedules" => csv_rows(&reports.join("roster").join("roster.csv")).len() as u64,
            _ => 0,
        };
        assert_eq!(rows(&data, table), lines + rostered, "{table}");
    }
    // The KPI table: every one of the catalog's 23 KPIs by name, and the profile line.
    let kpis = callboard_core::kpi::catalog::KPIS;
    assert_eq!(kpis.len(), 23);
    for k in kpis {
        assert!(out.contains(k.name), "{} missing:\n{out}", k.name);
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
    // The forecast of the two weeks after the sample: every queue, 14 × 48 half
    // hours each, and its summary.
    let mut rdr = csv::Reader::from_path(reports.join("demo-forecast.csv")).expect("forecast");
    let rows: Vec<csv::StringRecord> = rdr.records().map(|r| r.expect("row")).collect();
    let queues: std::collections::BTreeSet<&str> = rows.iter().map(|r| &r[1]).collect();
    assert!(!queues.is_empty());
    assert_eq!(rows.len(), 14 * 48 * queues.len());
    assert!(out.contains("backtest WAPE"), "{out}");
    // Staffed: agents and positions per row; the printed requirement (positions at
    // each day's busiest interval, agents in brackets) is the file's daily maxima.
    let header = rdr.headers().expect("header").clone();
    let col = |n: &str| header.iter().position(|h| h == n).expect(n);
    let (c_agents, c_positions) = (col("agents"), col("positions"));
    let queue_list: Vec<&str> = queues.iter().copied().collect();
    let table_head = out
        .lines()
        .position(|l| {
            l.trim_start().starts_with("day ") && queue_list.iter().all(|q| l.contains(q))
        })
        .unwrap_or_else(|| panic!("no requirement table:\n{out}"));
    let table: Vec<&str> = out.lines().skip(table_head + 1).take(14).collect();
    for line in table {
        let date = line.split_whitespace().nth(1).expect("a date");
        let cells: Vec<&str> = line.split_whitespace().skip(2).collect();
        for (i, q) in queue_list.iter().enumerate() {
            let day: Vec<&csv::StringRecord> = rows
                .iter()
                .filter(|r| &r[1] == *q && r[0].starts_with(date))
                .collect();
            let max = |c: usize| {
                day.iter()
                    .map(|r| r[c].parse::<u64>().expect("a count"))
                    .max()
                    .expect("48 rows")
            };
            assert_eq!(cells[2 * i], max(c_positions).to_string(), "{line}");
            assert_eq!(cells[2 * i + 1], format!("({})", max(c_agents)), "{line}");
        }
    }
    // The shift plan for the forecast's first week: the files pass the roster
    // tests' independent validator (breaks inside their windows, coverage.csv a
    // recount of the plan), and the requirement is the forecast's agents summed.
    assert!(
        out.contains("named roster for the forecast's first week"),
        "{out}"
    );
    let plan = reports.join("roster");
    let scheduled = crate::roster::validate(&plan, &sample.join("roster").join("shifts.toml"));
    // The named roster: every hard and duty rule of the sample's rules file holds
    // (or its shortfall is recounted exactly), and the roster went into the store.
    crate::roster_named::validate_named(
        &plan,
        &sample.join("roster").join("shifts.toml"),
        &sample.join("roster").join("agents.csv"),
        11 * 60,
        &crate::roster_named::Duty {
            min_on_duty: 1,
            handover_min: 15,
            lunch: Some((12 * 60, 13 * 60 + 30, 1)),
            night: Some((17 * 60 + 30, 8 * 60 + 30, 1)),
        },
        &["sales", "support", "repairs"],
        Some(&sample.join("schedules.csv")),
    );
    let roster_rows = csv_rows(&plan.join("roster.csv")).len();
    assert!(
        out.contains(&format!(
            "roster.csv ingested as schedules: {roster_rows} rows loaded"
        )),
        "{out}"
    );
    assert_eq!(scheduled.len(), 7 * 48);
    let coverage = csv_rows(&plan.join("coverage.csv"));
    for row in &coverage {
        let want: f64 = rows
            .iter()
            .filter(|r| r[0] == row[0])
            .map(|r| r[c_agents].parse::<f64>().expect("agents"))
            .sum();
        assert_eq!(row[1].parse::<f64>().expect("required"), want, "{row:?}");
    }
    // A second run replaces its own store.
    ok([
        "demo",
        "--data-dir",
        d.as_str(),
        "--reports-dir",
        rp.as_str(),
    ]);
}
