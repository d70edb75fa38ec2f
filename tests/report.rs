//! `callboard report`: the review pack read back — every number of `index.html`
//! and `kpis.xlsx` against `callboard kpi` / `tickets` JSON for the same period;
//! each chart's PNG decoded and SVG parsed with its marks counted; charts whose
//! data are missing left out with their notes; the sentences on a hand-made
//! month; golden SVGs; the page in a real headless browser.

use crate::support::*;
use calamine::{Data, Reader, Xlsx, open_workbook};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// The sample centre's store and its pack (built once for the tests here).
fn sample_pack() -> &'static (PathBuf, PathBuf) {
    static PACK: OnceLock<(PathBuf, PathBuf)> = OnceLock::new();
    PACK.get_or_init(|| {
        let root = Path::new(env!("CARGO_TARGET_TMPDIR")).join("report-sample");
        let _ = std::fs::remove_dir_all(&root);
        let data = root.join("store");
        let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample_data");
        ingest_json(&data, &tables(&sample, "csv"), &[]);
        let out = root.join("pack");
        let r = pack(&data, &out, &["--centre", "sample centre"]);
        assert!(r.stdout.contains("index.html"), "{}", r.stdout);
        (data, out)
    })
}

/// `callboard report` of the store `data` into `out`, with `extra` flags.
fn pack(data: &Path, out: &Path, extra: &[&str]) -> Run {
    let (d, o) = (data.display().to_string(), out.display().to_string());
    let mut args = vec!["report", "--data-dir", d.as_str(), "--out", o.as_str()];
    args.extend(extra);
    ok(args)
}

fn json_file(path: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(path).expect("read")).expect("JSON")
}

fn cli_json(args: &[&str]) -> serde_json::Value {
    let r = ok(args);
    serde_json::from_str(&r.stdout).expect("JSON")
}

/// Every `name="value"` attribute of the tags that hold `marker`.
fn attributes(html: &str, marker: &str) -> Vec<BTreeMap<String, String>> {
    html.split('<')
        .filter(|tag| tag.contains(marker))
        .map(|tag| {
            let tag = tag.split('>').next().unwrap_or_default();
            let mut out = BTreeMap::new();
            for part in tag.split("\" ") {
                if let Some((k, v)) = part.split_once("=\"") {
                    let k = k.rsplit(' ').next().unwrap_or_default();
                    out.insert(k.to_string(), v.trim_end_matches('"').to_string());
                }
            }
            out
        })
        .collect()
}

/// The KPI rows of the page: (kpi id, value, previous) in order.
fn page_kpis(html: &str) -> Vec<(String, Option<f64>)> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find("<tr data-kpi=\"") {
        rest = &rest[i + 14..];
        let id = rest[..rest.find('"').expect("id")].to_string();
        let j = rest.find("data-value=\"").expect("value") + 12;
        let v = &rest[j..j + rest[j..].find('"').expect("end")];
        out.push((id, (!v.is_empty()).then(|| v.parse().expect("number"))));
    }
    out
}

#[test]
fn every_number_of_the_page_and_the_workbook_equals_the_kpi_and_tickets_json() {
    let (data, out) = sample_pack();
    let d = data.display().to_string();
    let report = json_file(&out.join("report.json"));
    let from = report["period"]["from"].as_str().expect("from").to_string();
    let to = report["period"]["to"].as_str().expect("to").to_string();
    let base = [
        "--data-dir",
        d.as_str(),
        "--from",
        &from,
        "--to",
        &to,
        "--format",
        "json",
    ];
    let kpi = |extra: &[&str]| {
        let mut a = vec!["kpi"];
        a.extend(base);
        a.extend(extra);
        cli_json(&a)
    };
    let total = kpi(&[]);
    let html = std::fs::read_to_string(out.join("index.html")).expect("index.html");
    // The headline: all 23 KPIs, each the JSON's value to the last bit.
    let shown = page_kpis(&html);
    assert_eq!(shown.len(), 23);
    let row = &total["rows"][0];
    for (id, v) in &shown {
        assert_eq!(*v, row["kpis"][id]["value"].as_f64(), "{id}");
    }
    let counts = &attributes(&html, "id=\"counts\"")[0];
    for k in ["total", "answered", "abandoned"] {
        assert_eq!(
            counts[&format!("data-{k}")].parse::<u64>().expect("count"),
            row["counts"][k].as_u64().expect("count"),
            "{k}"
        );
    }
    // Tickets by month: every rule row of the page equals the JSON's.
    let mut ta = vec!["tickets"];
    ta.extend(base);
    ta.extend(["--by", "month"]);
    let tickets = cli_json(&ta);
    let rows = attributes(&html, "data-rule=\"");
    let mut checked = 0;
    for r in tickets["rows"].as_array().expect("rows") {
        for (rule, c) in r["rules"].as_object().expect("rules") {
            let on_page = rows.iter().find(|a| {
                a["data-month"] == r["bucket_start"].as_str().expect("month")
                    && a["data-rule"] == *rule
            });
            let busy = ["met", "breached", "open"]
                .iter()
                .any(|k| c[k].as_u64() != Some(0));
            assert_eq!(on_page.is_some(), busy, "{rule}");
            checked += usize::from(busy);
        }
    }
    assert!(checked >= 3, "rules on the page: {checked}");
    for (k, attr) in [
        ("met", "data-met"),
        ("breached", "data-breached"),
        ("open", "data-open"),
    ] {
        let page: u64 = attributes(&html, attr)
            .iter()
            .map(|a| a[attr].parse::<u64>().expect("n"))
            .sum();
        let json: u64 = tickets["rows"]
            .as_array()
            .expect("rows")
            .iter()
            .flat_map(|r| r["rules"].as_object().expect("rules").values())
            .map(|c| c[k].as_u64().expect("n"))
            .sum();
        assert_eq!(page, json, "{k}");
    }
    let breaches = &attributes(&html, "id=\"breaches\"")[0];
    assert_eq!(
        breaches["data-count"].parse::<usize>().expect("n"),
        tickets["breaches"].as_array().expect("breaches").len()
    );

    // Agents needed on the focus day: each hour's `staff` answer for its calls and
    // handle time; scheduled: the sample's schedules.csv recounted here.
    let schedules =
        csv_rows(&Path::new(env!("CARGO_MANIFEST_DIR")).join("sample_data/schedules.csv"));
    let ms = |t: &str| {
        chrono::DateTime::parse_from_rfc3339(t)
            .expect("time")
            .timestamp_millis()
    };
    let staffing = report["staffing"].as_array().expect("staffing");
    assert_eq!(staffing.len(), 24);
    for h in staffing {
        let start = ms(h["hour_start"].as_str().expect("hour"));
        let work_ms: i64 = schedules
            .iter()
            .filter(|r| r[3] == "work")
            .map(|r| (ms(&r[2]).min(start + 3_600_000) - ms(&r[1]).max(start)).max(0))
            .sum();
        let scheduled = h["scheduled"].as_f64().expect("scheduled");
        assert!(
            (scheduled - work_ms as f64 / 3_600_000.0).abs() < 1e-9,
            "{h}"
        );
        if let Some(aht) = h["aht_s"].as_f64() {
            let calls = h["offered"].as_u64().expect("offered").to_string();
            let aht = aht.to_string();
            let staff = cli_json(&[
                "staff",
                "--calls",
                &calls,
                "--aht",
                &aht,
                "--interval-minutes",
                "60",
                "--sl-target",
                "0.8",
                "--sl-seconds",
                "20",
                "--format",
                "json",
            ]);
            assert_eq!(h["required"], staff["agents"], "{h}");
        }
    }

    // Weekly shrinkage: 1 − adherence × work ÷ paid, adherence from `kpi --by
    // week`, work and paid time recounted from schedules.csv.
    let weeks = kpi(&["--by", "week"]);
    let week_rows = weeks["rows"].as_array().expect("weeks");
    let shrinkage = report["weekly_shrinkage"].as_array().expect("shrinkage");
    assert_eq!(shrinkage.len(), week_rows.len());
    let (p0, p1) = (ms(&from), ms(&to));
    for (i, w) in week_rows.iter().enumerate() {
        let a = ms(w["bucket_start"].as_str().expect("week")).max(p0);
        let b = week_rows
            .get(i + 1)
            .map_or(p1, |n| ms(n["bucket_start"].as_str().expect("week")))
            .min(p1);
        let (mut paid, mut work) = (0i64, 0i64);
        for r in &schedules {
            let overlap = (ms(&r[2]).min(b) - ms(&r[1]).max(a)).max(0);
            match r[3].as_str() {
                "work" => {
                    work += overlap;
                    paid += overlap;
                }
                "break" | "training" | "meeting" => paid += overlap,
                _ => {}
            }
        }
        let adherence = w["kpis"]["schedule_adherence"]["value"]
            .as_f64()
            .expect("adherence");
        let want = 1.0 - adherence * work as f64 / paid as f64;
        let got = shrinkage[i].as_f64().expect("shrinkage");
        assert!((got - want).abs() < 1e-12, "week {i}: {got} against {want}");
    }

    // The workbook, read back by an independent reader.
    let mut wb: Xlsx<_> = open_workbook(out.join("kpis.xlsx")).expect("xlsx opens");
    let number = |c: Option<&Data>| match c {
        Some(Data::Float(f)) => Some(*f),
        Some(Data::Int(i)) => Some(*i as f64),
        _ => None,
    };
    let sheet = wb.worksheet_range("Total").expect("Total");
    for (i, r) in sheet.rows().skip(1).enumerate() {
        let id = r[0].to_string();
        assert_eq!(
            number(r.get(2)),
            row["kpis"][&id]["value"].as_f64(),
            "Total row {i} {id}"
        );
        assert_eq!(
            r[5].to_string(),
            row["kpis"][&id]["status"].as_str().expect("status")
        );
    }
    assert_eq!(sheet.rows().count(), 24);
    for (name, extra) in [
        ("By day", vec!["--by", "day"]),
        ("By queue", vec!["--group", "queue"]),
        ("By agent", vec!["--group", "agent"]),
    ] {
        let json = kpi(&extra);
        let rows = json["rows"].as_array().expect("rows");
        let sheet = wb.worksheet_range(name).expect(name);
        let header: Vec<String> = sheet
            .rows()
            .next()
            .expect("header")
            .iter()
            .map(|c| c.to_string())
            .collect();
        assert_eq!(sheet.rows().count(), rows.len() + 1, "{name}");
        for (r, want) in sheet.rows().skip(1).zip(rows) {
            assert_eq!(number(r.get(1)), want["counts"]["total"].as_f64(), "{name}");
            for (c, id) in header.iter().enumerate().skip(4) {
                assert_eq!(
                    number(r.get(c)),
                    want["kpis"][id]["value"].as_f64(),
                    "{name} {id}"
                );
            }
        }
    }
    let sheet = wb.worksheet_range("Tickets").expect("Tickets");
    let mut json_rows: Vec<(String, u64, u64)> = tickets["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .flat_map(|r| {
            r["rules"]
                .as_object()
                .expect("rules")
                .iter()
                .map(|(rule, c)| {
                    (
                        rule.clone(),
                        c["met"].as_u64().expect("met"),
                        c["breached"].as_u64().expect("b"),
                    )
                })
        })
        .collect();
    let mut sheet_rows: Vec<(String, u64, u64)> = sheet
        .rows()
        .skip(1)
        .map(|r| {
            (
                r[1].to_string(),
                number(r.get(2)).expect("met") as u64,
                number(r.get(3)).expect("breached") as u64,
            )
        })
        .collect();
    // One month in the sample: rows compared as sets (the JSON object is keyed).
    json_rows.sort();
    sheet_rows.sort();
    assert_eq!(sheet_rows, json_rows);
}

/// Mean and variance of a PNG's grey levels, with its size.
fn png_stats(path: &Path) -> (u32, u32, f64) {
    let decoder = png::Decoder::new(std::io::BufReader::new(
        std::fs::File::open(path).expect("png"),
    ));
    let mut reader = decoder.read_info().expect("PNG header");
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).expect("PNG decodes");
    let channels = info.color_type.samples();
    let px: Vec<f64> = buf[..info.buffer_size()]
        .chunks(channels)
        .map(|p| p.iter().take(3).map(|v| f64::from(*v)).sum::<f64>() / 3.0)
        .collect();
    let mean = px.iter().sum::<f64>() / px.len() as f64;
    let var = px.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / px.len() as f64;
    (info.width, info.height, var)
}

#[test]
fn each_chart_decodes_parses_and_draws_one_mark_per_value() {
    let (_, out) = sample_pack();
    let report = json_file(&out.join("report.json"));
    let charts = report["charts"].as_array().expect("charts");
    let ids: Vec<&str> = charts
        .iter()
        .map(|c| c["id"].as_str().expect("id"))
        .collect();
    assert_eq!(
        ids,
        [
            "contacts_per_day",
            "service_level_per_day",
            "service_level_by_hour",
            "required_vs_scheduled",
            "asa_and_aht_per_day",
            "abandon_per_day",
            "offered_heatmap",
            "agent_time_per_week",
            "agents_scatter",
            "ticket_compliance"
        ]
    );
    let axis: BTreeMap<&str, &str> = [
        ("contacts_per_day", "calls per day"),
        ("service_level_per_day", "answered in time, %"),
        ("service_level_by_hour", "answered in time, %"),
        ("required_vs_scheduled", "agents"),
        ("asa_and_aht_per_day", "seconds"),
        ("abandon_per_day", "abandoned, % of offered"),
        ("offered_heatmap", "hour of the day (local time)"),
        ("agent_time_per_week", "%"),
        ("agents_scatter", "average handle time (AHT), seconds"),
        ("ticket_compliance", "met, % of met + breached"),
    ]
    .into_iter()
    .collect();
    // Marks the sample's numbers call for, counted here from the KPI JSON.
    let by_day = report["kpi"]["by_day"]["rows"].as_array().expect("days");
    let days_with = |id: &str| {
        by_day
            .iter()
            .filter(|r| !r["kpis"][id]["value"].is_null())
            .count()
    };
    let stacked: usize = by_day
        .iter()
        .map(|r| {
            let c = &r["counts"];
            let (t, a, b) = (
                c["total"].as_u64().expect("n"),
                c["answered"].as_u64().expect("n"),
                c["abandoned"].as_u64().expect("n"),
            );
            usize::from(a > 0) + usize::from(b > 0) + usize::from(t - a - b > 0)
        })
        .sum();
    let agents_both = report["kpi"]["by_agent"]["rows"]
        .as_array()
        .expect("agents")
        .iter()
        .filter(|r| {
            !r["kpis"]["average_handle_time"]["value"].is_null()
                && !r["kpis"]["first_call_resolution"]["value"].is_null()
        })
        .count();
    let expected: BTreeMap<&str, usize> = [
        ("contacts_per_day", stacked),
        ("service_level_per_day", days_with("service_level")),
        (
            "asa_and_aht_per_day",
            days_with("average_speed_of_answer") + days_with("average_handle_time"),
        ),
        (
            "abandon_per_day",
            days_with("abandon_rate") + days_with("average_time_to_abandon"),
        ),
        ("offered_heatmap", 7 * 24),
        ("agents_scatter", agents_both),
    ]
    .into_iter()
    .collect();
    for c in charts {
        let id = c["id"].as_str().expect("id");
        let marks = c["marks"].as_u64().expect("marks") as usize;
        if let Some(want) = expected.get(id) {
            assert_eq!(marks, *want, "{id}: marks against the KPI JSON");
        }
        assert!(marks > 0, "{id}");
        let (w, h, var) = png_stats(&out.join(format!("charts/{id}.png")));
        assert_eq!((w, h), (1280, 720), "{id}");
        assert!(
            var > 200.0,
            "{id}: a PNG that is nearly blank (variance {var:.0})"
        );
        let svg = std::fs::read_to_string(out.join(format!("charts/{id}.svg"))).expect("svg");
        let doc = roxmltree::Document::parse(&svg).expect("SVG parses");
        let texts: Vec<String> = doc
            .descendants()
            .filter(|n| n.has_tag_name("text"))
            .map(|n| n.text().unwrap_or_default().trim().to_string())
            .collect();
        let title = c["title"].as_str().expect("title");
        assert!(texts.iter().any(|t| t == title), "{id}: title missing");
        assert!(
            texts.iter().any(|t| t == axis[id]),
            "{id}: axis label {:?} missing",
            axis[id]
        );
        assert!(
            texts.iter().any(|t| t.starts_with("callboard · ")),
            "{id}: source line"
        );
        let count = |tag: &str| doc.descendants().filter(|n| n.has_tag_name(tag)).count();
        match id {
            // Lines and points: a circle per value.
            "service_level_per_day"
            | "service_level_by_hour"
            | "required_vs_scheduled"
            | "asa_and_aht_per_day"
            | "abandon_per_day"
            | "agent_time_per_week"
            | "agents_scatter" => assert_eq!(count("circle"), marks, "{id}"),
            // Bars and cells: a rectangle per value, after the background.
            _ => assert_eq!(count("rect"), marks + 1, "{id}"),
        }
        // The page holds the same drawing inline.
        let html = std::fs::read_to_string(out.join("index.html")).expect("html");
        assert!(
            html.contains(&format!("<section class=\"chart\" id=\"{id}\">")),
            "{id}"
        );
    }
}

#[test]
fn charts_without_their_data_are_left_out_with_a_note() {
    // Calls only: no tickets, no agent states or schedules, no QA.
    let dir = tempdir();
    let data = dir.path().join("store");
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample_data");
    ingest_json(&data, &[sample.join("calls.csv")], &[]);
    let out = dir.path().join("pack");
    let r = pack(&data, &out, &["--compare", "none"]);
    assert!(
        r.stderr.contains("left out: the store holds no tickets"),
        "{}",
        r.stderr
    );
    let report = json_file(&out.join("report.json"));
    let left: BTreeMap<String, String> = report["left_out"]
        .as_array()
        .expect("left_out")
        .iter()
        .map(|l| {
            (
                l["id"].as_str().expect("id").into(),
                l["note"].as_str().expect("note").into(),
            )
        })
        .collect();
    for id in [
        "ticket_compliance",
        "agent_time_per_week",
        "required_vs_scheduled",
    ] {
        assert!(left.contains_key(id), "{id} not left out: {left:?}");
        assert!(
            !out.join(format!("charts/{id}.png")).exists(),
            "{id} drawn anyway"
        );
        let html = std::fs::read_to_string(out.join("index.html")).expect("html");
        assert!(
            html.contains(&format!("data-left-out=\"{id}\"")),
            "{id}: no note on the page"
        );
        assert!(!html.contains(&format!("<section class=\"chart\" id=\"{id}\">")));
    }
    assert!(report["tickets"].is_null());
    assert!(out.join("charts/contacts_per_day.png").exists());
}

/// The entry of chart `id` in a report.json (it must be drawn).
fn chart_of(report: &serde_json::Value, id: &str) -> serde_json::Value {
    report["charts"]
        .as_array()
        .expect("charts")
        .iter()
        .find(|c| c["id"] == id)
        .cloned()
        .unwrap_or_else(|| panic!("{id} is not drawn"))
}

/// Two weeks of calls from Monday 2 March 2026, ten a day at 10:00–10:50: on the
/// Mondays five are answered after 60 s, five after 5 s (service level 50 %); on
/// every other day all ten after 5 s (100 %).
fn monday_fixture(dir: &Path) -> PathBuf {
    let mut csv =
        String::from("call_id,queue,arrived_at,outcome,wait_s,agent_id,talk_s,hold_s,acw_s\n");
    for day in 0..14 {
        for k in 0..10 {
            let wait = if day % 7 == 0 && k < 5 { 60 } else { 5 };
            csv.push_str(&format!(
                "D{day:02}K{k},sales,2026-03-{:02}T10:{:02}:00Z,answered,{wait},A1,200,0,30\n",
                2 + day,
                k * 5
            ));
        }
    }
    write(dir, "calls.csv", &csv)
}

#[test]
fn the_sentences_say_what_a_hand_made_month_shows() {
    let dir = tempdir();
    let data = dir.path().join("store");
    ingest_json(&data, &[monday_fixture(dir.path())], &[]);
    let out = dir.path().join("pack");
    pack(&data, &out, &[]);
    let report = json_file(&out.join("report.json"));
    let chart = |id: &str| chart_of(&report, id);
    let sl = chart("service_level_per_day");
    assert_eq!(
        sl["sentences"][0],
        "Service level fell below the 80.0 % target on 2 of 14 days, all Mondays 10:00–11:00."
    );
    assert_eq!(
        sl["sentences"][1],
        "The lowest was 50.0 % on Monday 2 Mar 2026."
    );
    let hour = chart("service_level_by_hour");
    assert_eq!(
        hour["sentences"][0],
        "On Monday 2 Mar 2026, the period's lowest day, service level was below target in 1 of 1 hour."
    );
    let contacts = chart("contacts_per_day");
    assert_eq!(
        contacts["sentences"][0],
        "140 contacts over 14 days, 10 a day on average."
    );
    // Golden: the charts' titles, marks and sentences on this fixture.
    let summary: Vec<serde_json::Value> = report["charts"]
        .as_array()
        .expect("charts")
        .iter()
        .map(|c| serde_json::json!({"id": c["id"], "title": c["title"], "marks": c["marks"], "sentences": c["sentences"]}))
        .collect();
    golden(
        "monday_charts.json",
        &serde_json::to_string_pretty(&summary).expect("json"),
    );
}

#[test]
fn a_forecast_for_the_period_is_set_against_what_came() {
    // The Monday fortnight (10 calls a day) and a hand-made forecast of its first
    // three days, two half hours a day: Mon 4 + 4 (80 % band 3–6 each), Tue 6 + 6
    // (5–7), Wed 4.5 + 4.5 (4.25–4.9); a row after the period is ignored.
    // Worked by hand: forecast 8, 12, 9 against 10, 10, 10 offered; WAPE =
    // (2 + 2 + 1) / 30 = 16.7 %; 29 against 30 = −3.3 %; bands 6–12, 10–14 and
    // 8.5–9.8: only Wednesday's 10 falls outside.
    let dir = tempdir();
    let data = dir.path().join("store");
    ingest_json(&data, &[monday_fixture(dir.path())], &[]);
    let mut csv = String::from("interval_start,queue,calls,calls_lo80,calls_hi80\n");
    for (day, calls, lo, hi) in [(2, 4.0, 3.0, 6.0), (3, 6.0, 5.0, 7.0), (4, 4.5, 4.25, 4.9)] {
        for half in ["10:00", "10:30"] {
            csv.push_str(&format!(
                "2026-03-{day:02}T{half}:00Z,sales,{calls},{lo},{hi}\n"
            ));
        }
    }
    csv.push_str("2026-04-01T10:00:00Z,sales,99,90,110\n");
    let forecast = write(dir.path(), "forecast.csv", &csv);
    let out = dir.path().join("pack");
    pack(
        &data,
        &out,
        &["--forecast", &forecast.display().to_string()],
    );
    let report = json_file(&out.join("report.json"));
    let days = report["forecast_days"].as_array().expect("days");
    let got: Vec<(String, f64, f64, f64, u64)> = days
        .iter()
        .map(|d| {
            (
                d["date"].as_str().expect("date").to_string(),
                d["forecast"].as_f64().expect("f"),
                d["lo80"].as_f64().expect("lo"),
                d["hi80"].as_f64().expect("hi"),
                d["offered"].as_u64().expect("offered"),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            ("2026-03-02".to_string(), 8.0, 6.0, 12.0, 10),
            ("2026-03-03".to_string(), 12.0, 10.0, 14.0, 10),
            ("2026-03-04".to_string(), 9.0, 8.5, 9.8, 10),
        ]
    );
    let chart = chart_of(&report, "forecast_vs_actual");
    assert_eq!(chart["marks"], 6);
    assert_eq!(
        chart["sentences"][0],
        "Over 3 days the forecast was off by 16.7 % of the calls that came (WAPE), under in all (-3.3 %)."
    );
    assert_eq!(
        chart["sentences"][1],
        "Calls fell outside the 80 % band on 1 of 3 days."
    );
    let svg = std::fs::read_to_string(out.join("charts/forecast_vs_actual.svg")).expect("svg");
    let doc = roxmltree::Document::parse(&svg).expect("SVG parses");
    assert_eq!(
        doc.descendants()
            .filter(|n| n.has_tag_name("circle"))
            .count(),
        6
    );
    // A bad forecast file names its line.
    let bad = write(
        dir.path(),
        "bad.csv",
        "interval_start,calls\n2026-03-02T10:00:00Z,many\n",
    );
    let r = run([
        "report",
        "--data-dir",
        &data.display().to_string(),
        "--out",
        &out.display().to_string(),
        "--forecast",
        &bad.display().to_string(),
    ]);
    assert_ne!(r.code, 0);
    assert!(
        r.stderr.contains("bad.csv:2") && r.stderr.contains("calls"),
        "{}",
        r.stderr
    );
}

/// Compares `text` with `tests/golden/report/<name>`; `UPDATE_GOLDEN=1` rewrites
/// it (a change in the visual language is then a reviewed diff).
fn golden(name: &str, text: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden/report")
        .join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::create_dir_all(path.parent().expect("dir")).expect("mkdir");
        std::fs::write(&path, text).expect("write golden");
        return;
    }
    let want = std::fs::read_to_string(&path).unwrap_or_else(|_| {
        panic!(
            "{} missing: run with UPDATE_GOLDEN=1 and review it",
            path.display()
        )
    });
    if let Some((i, (got, was))) = text
        .lines()
        .zip(want.lines())
        .enumerate()
        .find(|(_, (a, b))| a != b)
    {
        panic!(
            "{name} differs from its golden file at line {}:\n  now:    {got}\n  golden: {was}\n(UPDATE_GOLDEN=1 to accept, then review the diff)",
            i + 1
        );
    }
    assert_eq!(
        text.lines().count(),
        want.lines().count(),
        "{name}: not as many lines as its golden file"
    );
}

#[test]
fn two_charts_on_a_tiny_fixture_match_their_golden_svg() {
    use callboard::charts::{Body, Chart, Panel, Scale, Series, TargetLine};
    let days = vec!["Mon 02".to_string(), "Tue 03".into(), "Wed 04".into()];
    let stacked = Chart {
        id: "contacts_per_day",
        title: "Contacts per day, 2 Mar 2026 – 4 Mar 2026".into(),
        source: "callboard · 2026-03-02 … 2026-03-04 · tiny".into(),
        body: Body::StackedBars {
            categories: days.clone(),
            series: vec![
                Series {
                    name: "answered".into(),
                    values: vec![Some(90.0), Some(120.0), Some(60.0)],
                },
                Series {
                    name: "abandoned".into(),
                    values: vec![Some(10.0), Some(0.0), Some(5.0)],
                },
            ],
            y_label: "calls per day".into(),
            mean: Some(95.0),
        },
    };
    let lines = Chart {
        id: "service_level_per_day",
        title: "Service level per day, 2 Mar 2026 – 4 Mar 2026".into(),
        source: "callboard · 2026-03-02 … 2026-03-04 · tiny".into(),
        body: Body::Lines {
            categories: days,
            panels: vec![Panel {
                y_label: "answered in time, %".into(),
                scale: Scale::Percent,
                series: vec![Series {
                    name: "service level".into(),
                    values: vec![Some(0.9), None, Some(0.7)],
                }],
                band: None,
                target: Some(TargetLine {
                    value: 0.8,
                    higher_is_better: true,
                    label: "target 80 %".into(),
                }),
            }],
        },
    };
    assert_eq!(stacked.marks(), 5);
    assert_eq!(lines.marks(), 2);
    for chart in [stacked, lines] {
        let svg = chart.svg().expect("draws");
        // Coordinates rounded to one decimal, so float noise is not a diff.
        let rounded = round_numbers(&svg);
        golden(&format!("{}.svg", chart.id), &rounded);
    }
}

/// Every decimal number in `text` rounded to one decimal.
fn round_numbers(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut num = String::new();
    let flush = |num: &mut String, out: &mut String| {
        if num.contains('.') && !num.ends_with('.') {
            if let Ok(v) = num.parse::<f64>() {
                out.push_str(&format!("{v:.1}"));
            } else {
                out.push_str(num);
            }
        } else {
            out.push_str(num);
        }
        num.clear();
    };
    for c in text.chars() {
        if c.is_ascii_digit() || (c == '.' && !num.is_empty()) {
            num.push(c);
        } else {
            flush(&mut num, &mut out);
            out.push(c);
        }
    }
    flush(&mut num, &mut out);
    out
}

#[test]
fn the_page_loads_in_a_real_browser_without_errors_or_network() {
    let Some(chromium) = chromium() else { return };
    let (_, out) = sample_pack();
    let html = std::fs::read_to_string(out.join("index.html")).expect("html");
    // Self-contained: nothing fetched (no src/href to anywhere; the only URLs are
    // SVG namespaces).
    for needle in [
        "src=\"http",
        "href=\"http",
        "url(http",
        "<script",
        "<link",
        "<img",
    ] {
        assert!(!html.contains(needle), "the page refers out: {needle}");
    }
    let shot = out.join("screenshot.png");
    let (dom, log) = headless(
        chromium,
        &format!("file://{}", out.join("index.html").display()),
        &shot,
        "1200,2000",
        true,
    );
    assert!(
        dom.contains("Contact-centre review"),
        "DOM:\n{}",
        &dom[..dom.len().min(2000)]
    );
    assert_eq!(
        dom.matches("<section class=\"chart\"").count(),
        10,
        "charts in the DOM"
    );
    assert_eq!(dom.matches("<svg").count(), 10, "inline SVGs in the DOM");
    let console: Vec<&str> = log.lines().filter(|l| l.contains("CONSOLE")).collect();
    assert!(console.is_empty(), "console messages: {console:?}");
    let (w, _, var) = png_stats(&shot);
    assert_eq!(w, 1200);
    assert!(var > 200.0, "a blank screenshot");
}
