//! `callboard serve`: every route through `router(state).oneshot(…)` (no socket)
//! against the CLI's JSON for the same question, the errors (400, 401, 403, 404,
//! 413, paths), the OpenAPI document; one real socket with a followed queue_log
//! whose appended lines must reach a server-sent-event client within a second with
//! hand-counted numbers, then a graceful shutdown; the pages in a real browser.

use crate::support::*;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use callboard::server::live::{Hub, WallboardConfig, spawn_followers};
use callboard::server::{AppState, ServerConfig, router};
use http_body_util::BodyExt;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};
use tower::ServiceExt;

const TOKEN: &str = "a-test-token-of-some-length";

/// The sample centre's store (built once).
fn sample_store() -> &'static PathBuf {
    static STORE: OnceLock<PathBuf> = OnceLock::new();
    STORE.get_or_init(|| {
        let root = Path::new(env!("CARGO_TARGET_TMPDIR")).join("server-sample");
        let _ = std::fs::remove_dir_all(&root);
        let data = root.join("store");
        let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample_data");
        ingest_json(&data, &tables(&sample, "csv"), &[]);
        data
    })
}

fn state(data: &Path, token: Option<&str>) -> AppState {
    let config = ServerConfig {
        token: token.map(str::to_owned),
        body_limit_bytes: 1 << 20,
        centre: "sample centre".into(),
        ..ServerConfig::new(data.to_path_buf())
    };
    AppState::new(
        config,
        Arc::new(Hub::new(WallboardConfig::default(), Vec::new())),
    )
}

struct Answer {
    status: StatusCode,
    content_type: String,
    csp: Option<String>,
    body: Vec<u8>,
}

impl Answer {
    fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "not JSON ({e}): {}",
                String::from_utf8_lossy(&self.body[..self.body.len().min(500)])
            )
        })
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// Asserts an error answer: its status and the API's error shape.
    fn error(&self, status: StatusCode, code: &str) -> String {
        assert_eq!(self.status, status, "{}", self.text());
        assert!(
            self.content_type.starts_with("application/json"),
            "{}",
            self.content_type
        );
        let j = self.json();
        assert_eq!(j["error"], code, "{j}");
        j["message"].as_str().expect("a message").to_owned()
    }
}

async fn send(state: &AppState, req: Request<Body>) -> Answer {
    let res = router(state.clone())
        .oneshot(req)
        .await
        .expect("infallible");
    let status = res.status();
    let content_type = res
        .headers()
        .get(header::CONTENT_TYPE)
        .map(|v| v.to_str().unwrap_or_default().to_owned())
        .unwrap_or_default();
    let csp = res
        .headers()
        .get(header::CONTENT_SECURITY_POLICY)
        .map(|v| v.to_str().unwrap_or_default().to_owned());
    let body = res
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes()
        .to_vec();
    Answer {
        status,
        content_type,
        csp,
        body,
    }
}

async fn get(state: &AppState, uri: &str) -> Answer {
    send(
        state,
        Request::get(uri).body(Body::empty()).expect("request"),
    )
    .await
}

fn cli_json(args: &[&str]) -> serde_json::Value {
    serde_json::from_str(&ok(args).stdout).expect("JSON")
}

#[tokio::test]
async fn every_json_route_answers_what_the_cli_answers() {
    let data = sample_store();
    let d = data.display().to_string();
    let s = state(data, None);
    for (uri, args) in [
        ("/api/kpi", vec!["kpi", "--format", "json"]),
        (
            "/api/kpi?by=day&group=queue&sl_seconds=30",
            vec![
                "kpi",
                "--format",
                "json",
                "--by",
                "day",
                "--group",
                "queue",
                "--sl-seconds",
                "30",
            ],
        ),
        (
            "/api/kpi?from=2026-03-02&to=2026-03-09&by=interval&interval=60m&queue=sales",
            vec![
                "kpi",
                "--format",
                "json",
                "--from",
                "2026-03-02",
                "--to",
                "2026-03-09",
                "--by",
                "interval",
                "--interval",
                "60m",
                "--queue",
                "sales",
            ],
        ),
        (
            "/api/tickets?by=month&group=kind",
            vec![
                "tickets", "--format", "json", "--by", "month", "--group", "kind",
            ],
        ),
        ("/api/status", vec!["status", "--format", "json"]),
        (
            "/api/forecast?horizon=7d&interval=60m&backtest_weeks=2",
            vec![
                "forecast",
                "--format",
                "json",
                "--horizon",
                "7d",
                "--interval",
                "60m",
                "--backtest-weeks",
                "2",
            ],
        ),
    ] {
        let mut args = args.clone();
        args.extend(["--data-dir", d.as_str()]);
        let want = cli_json(&args);
        let a = get(&s, uri).await;
        assert_eq!(a.status, StatusCode::OK, "{uri}: {}", a.text());
        assert_eq!(a.json(), want, "{uri}");
        // The second answer comes from the cache and is the same.
        assert_eq!(get(&s, uri).await.json(), want, "{uri} (cached)");
    }
    // Staffing reads no store.
    let want = cli_json(&[
        "staff",
        "--calls",
        "100",
        "--aht",
        "180",
        "--sl-target",
        "0.9",
        "--format",
        "json",
    ]);
    let a = get(&s, "/api/staff?calls=100&aht=180&sl_target=0.9").await;
    assert_eq!(a.json(), want);
    // Erlang C by hand (the published table value): 100 calls of 180 s in 30 min is
    // 10 erlangs; 80 % in 20 s needs 14 agents.
    assert_eq!(
        get(&s, "/api/staff?calls=100&aht=180").await.json()["agents"],
        14
    );
}

#[tokio::test]
async fn coverage_counts_the_schedules_and_sizes_each_interval_as_staff_does() {
    let data = sample_store();
    let d = data.display().to_string();
    let s = state(data, None);
    let a = get(
        &s,
        "/api/roster/coverage?from=2026-03-02&to=2026-03-09&interval=60m",
    )
    .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());
    let j = a.json();
    let rows = j["rows"].as_array().expect("rows");
    assert_eq!(rows.len(), 7 * 24);
    // Scheduled agent-hours: recounted from schedules.csv (work segments, clipped
    // to the week).
    let (mut rdr, col) =
        csv_with_columns(&Path::new(env!("CARGO_MANIFEST_DIR")).join("sample_data/schedules.csv"));
    let (start, end, act) = (col("start"), col("end"), col("activity"));
    let (from, to) = (
        chrono::DateTime::parse_from_rfc3339("2026-03-02T00:00:00Z").expect("t"),
        chrono::DateTime::parse_from_rfc3339("2026-03-09T00:00:00Z").expect("t"),
    );
    let hours: f64 = rdr
        .records()
        .map(|r| r.expect("record"))
        .filter(|r| &r[act] == "work")
        .map(|r| {
            let a = chrono::DateTime::parse_from_rfc3339(&r[start])
                .expect("start")
                .max(from);
            let b = chrono::DateTime::parse_from_rfc3339(&r[end])
                .expect("end")
                .min(to);
            ((b - a).num_seconds().max(0)) as f64 / 3600.0
        })
        .sum();
    let got = j["totals"]["scheduled_agent_hours"]
        .as_f64()
        .expect("hours");
    assert!((got - hours).abs() < 1e-6, "{got} vs {hours}");
    // The busiest hour's requirement is what `callboard staff` says for its calls
    // and handle time (from `callboard kpi` by the hour).
    let busiest = rows
        .iter()
        .max_by_key(|r| r["offered"].as_u64().expect("offered"))
        .expect("a row");
    let start_t = busiest["interval_start"].as_str().expect("start");
    let kpi = cli_json(&[
        "kpi",
        "--format",
        "json",
        "--by",
        "interval",
        "--interval",
        "60m",
        "--from",
        start_t,
        "--to",
        "2026-03-09",
        "--data-dir",
        d.as_str(),
    ]);
    let first = &kpi["rows"][0];
    // Offered, as domain.md defines it: short abandons left out.
    let offered = first["counts"]["answered"].as_u64().expect("a")
        + first["counts"]["abandoned"].as_u64().expect("b")
        - first["counts"]["short_abandons"].as_u64().expect("s")
        + first["counts"]["timeout"].as_u64().expect("t");
    assert_eq!(busiest["offered"].as_u64(), Some(offered));
    let aht = first["kpis"]["average_handle_time"]["value"]
        .as_f64()
        .expect("aht value");
    let staff = cli_json(&[
        "staff",
        "--calls",
        &offered.to_string(),
        "--aht",
        &aht.to_string(),
        "--interval-minutes",
        "60",
        "--format",
        "json",
    ]);
    assert_eq!(busiest["required"], staff["agents"]);
}

#[tokio::test]
async fn bad_parameters_are_400s_that_name_the_parameter() {
    let s = state(sample_store(), None);
    for (uri, says) in [
        ("/api/kpi?by=year", "by"),
        ("/api/kpi?sl_seconds=abc", "sl_seconds"),
        ("/api/kpi?bogus=1", "bogus"),
        ("/api/kpi?by=day&by=week", "by is given twice"),
        ("/api/kpi?interval=7m&by=interval", "15m, 30m or 60m"),
        (
            "/api/kpi?from=2026-03-09&to=2026-03-02",
            "end must be after",
        ),
        ("/api/kpi?timezone=Mars/Olympus", "time zone"),
        ("/api/staff?aht=180", "calls is required"),
        ("/api/staff?calls=100&aht=180&model=erlang-z", "model"),
        ("/api/tickets?group=colour", "group"),
        ("/api/forecast?backtest_weeks=-1", "backtest_weeks"),
        ("/api/roster/coverage?sl_target=2", "service-level target"),
        ("/api/live?foo=1", "foo"),
        ("/api/status?verify=maybe", "verify"),
        ("/?period=decade", "period"),
        ("/roster?week=soon", "week"),
    ] {
        let message = get(&s, uri)
            .await
            .error(StatusCode::BAD_REQUEST, "bad_parameter");
        assert!(message.contains(says), "{uri}: {message}");
    }
}

#[tokio::test]
async fn paths_unknown_routes_and_missing_data_are_json_errors() {
    let s = state(sample_store(), None);
    for uri in [
        "/api/kpi?queue=../../etc/passwd",
        "/api/kpi?timezone=%2Fetc%2Fpasswd",
        "/download/..%2F..%2Fetc%2Fpasswd",
        "/assets/..%2F..%2FCargo.toml",
        "/api/../../etc/passwd",
        "/agents/..%2F..%2Fetc%2Fpasswd",
        // An '&' in the path is no separator there: the climb after it is seen too.
        "/agents/a%26..%2F..%2Fetc%2Fpasswd",
        "/agents/a&..%2F..%2Fetc%2Fpasswd",
    ] {
        get(&s, uri)
            .await
            .error(StatusCode::BAD_REQUEST, "bad_parameter");
    }
    get(&s, "/api/nothing")
        .await
        .error(StatusCode::NOT_FOUND, "not_found");
    get(&s, "/no/such/page")
        .await
        .error(StatusCode::NOT_FOUND, "not_found");
    // An empty store: the KPIs say how to load data; the status answers.
    let empty = tempdir();
    let e = state(empty.path(), None);
    let m = get(&e, "/api/kpi")
        .await
        .error(StatusCode::NOT_FOUND, "no_data");
    assert!(m.contains("callboard ingest"), "{m}");
    assert_eq!(get(&e, "/api/status").await.status, StatusCode::OK);
    // A store without schedules has no roster to cover.
    let calls_only = tempdir();
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample_data/calls.csv");
    ingest_json(calls_only.path(), &[sample], &[]);
    let c = state(calls_only.path(), None);
    get(&c, "/api/roster/coverage")
        .await
        .error(StatusCode::NOT_FOUND, "no_roster");
    get(&c, "/api/tickets")
        .await
        .error(StatusCode::NOT_FOUND, "no_data");
}

fn post(uri: &str, token: Option<&str>, body: Vec<u8>) -> Request<Body> {
    let mut r = Request::post(uri);
    if let Some(t) = token {
        r = r.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    r.body(Body::from(body)).expect("request")
}

#[tokio::test]
async fn writes_need_the_token_and_fit_the_body_limit() {
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample_data/agents.csv");
    let bytes = std::fs::read(&sample).expect("agents.csv");
    let store = tempdir();
    let s = state(store.path(), Some(TOKEN));
    send(&s, post("/api/ingest?kind=agents", None, bytes.clone()))
        .await
        .error(StatusCode::UNAUTHORIZED, "unauthorized");
    send(
        &s,
        post(
            "/api/ingest?kind=agents",
            Some("wrong-token-wrong-token"),
            bytes.clone(),
        ),
    )
    .await
    .error(StatusCode::UNAUTHORIZED, "unauthorized");
    // No token configured: writes are off whatever is sent.
    let off = state(store.path(), None);
    send(
        &off,
        post("/api/ingest?kind=agents", Some(TOKEN), bytes.clone()),
    )
    .await
    .error(StatusCode::FORBIDDEN, "writes_disabled");
    // Over the 1 MiB limit of these tests.
    send(
        &s,
        post(
            "/api/ingest?kind=calls",
            Some(TOKEN),
            vec![b'x'; (1 << 20) + 1],
        ),
    )
    .await
    .error(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large");
    send(
        &s,
        post("/api/ingest?kind=nonsense", Some(TOKEN), bytes.clone()),
    )
    .await
    .error(StatusCode::BAD_REQUEST, "bad_parameter");
    assert_eq!(status(store.path(), false)["tables"]["agents"]["rows"], 0);
    // The right token: the same summary the CLI gives for the same file.
    let a = send(
        &s,
        post("/api/ingest?kind=agents", Some(TOKEN), bytes.clone()),
    )
    .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());
    let got = a.json();
    let other = tempdir();
    let want = ingest_json(other.path(), &[sample], &["--kind", "agents"]);
    assert_eq!(got["totals"], want["totals"]);
    assert!(got["totals"]["loaded"].as_u64().expect("loaded") > 0);
    assert_eq!(
        status(store.path(), false)["tables"]["agents"]["rows"],
        got["totals"]["loaded"]
    );
    // Again: idempotent.
    let again = send(&s, post("/api/ingest?kind=agents", Some(TOKEN), bytes))
        .await
        .json();
    assert_eq!(again["totals"]["loaded"], 0);
    // Each upload's file is removed once loaded, and the directory with the
    // server (it used to stay behind, one per server run, in the temp dir).
    let uploads = s.upload_dir().to_path_buf();
    let left: Vec<_> = std::fs::read_dir(&uploads)
        .expect("the uploads' directory while the server runs")
        .collect();
    assert!(left.is_empty(), "{left:?}");
    assert_ne!(uploads, off.upload_dir(), "one directory per server");
    drop((s, off));
    assert!(!uploads.exists(), "{}", uploads.display());
}

#[tokio::test]
async fn the_openapi_document_lists_every_route() {
    let s = state(sample_store(), None);
    let doc = get(&s, "/api/openapi.json").await.json();
    assert!(
        doc["openapi"].as_str().expect("version").starts_with("3.1"),
        "{}",
        doc["openapi"]
    );
    let paths = doc["paths"].as_object().expect("paths");
    for (route, method) in [
        ("/api/kpi", "get"),
        ("/api/tickets", "get"),
        ("/api/staff", "get"),
        ("/api/forecast", "get"),
        ("/api/roster/coverage", "get"),
        ("/api/status", "get"),
        ("/api/live", "get"),
        ("/api/live/events", "get"),
        ("/api/ingest", "post"),
    ] {
        assert!(
            paths.get(route).and_then(|p| p.get(method)).is_some(),
            "{route} {method}"
        );
        // Every route the document lists answers something other than 404.
        if method == "get" && route != "/api/live/events" {
            assert_ne!(
                get(&s, route).await.status,
                StatusCode::NOT_FOUND,
                "{route}"
            );
        }
    }
    assert_eq!(paths.len(), 9, "{:?}", paths.keys().collect::<Vec<_>>());
    let kpi_params: Vec<&str> = doc["paths"]["/api/kpi"]["get"]["parameters"]
        .as_array()
        .expect("params")
        .iter()
        .filter_map(|p| p["name"].as_str())
        .collect();
    for flag in [
        "from",
        "to",
        "by",
        "interval",
        "group",
        "sl_seconds",
        "queue",
        "timezone",
    ] {
        assert!(kpi_params.contains(&flag), "{flag} in {kpi_params:?}");
    }
}

#[tokio::test]
async fn the_dashboard_shows_the_kpis_charts_agents_and_tickets() {
    let data = sample_store();
    let d = data.display().to_string();
    let s = state(data, None);
    let a = get(&s, "/").await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());
    let csp = a.csp.clone().expect("a CSP");
    assert!(
        csp.contains("default-src 'none'") && csp.contains("script-src 'self'"),
        "{csp}"
    );
    let html = a.text();
    assert_eq!(html.matches("class=\"tile ").count(), 23);
    assert!(html.matches("<svg").count() >= 8, "charts");
    // The agent table has one row per agent that answered, as `kpi --group agent`.
    let agents = cli_json(&[
        "kpi",
        "--format",
        "json",
        "--group",
        "agent",
        "--data-dir",
        d.as_str(),
    ]);
    let n = agents["rows"].as_array().expect("rows").len();
    let table = &html[html.find("id=\"agent-table\"").expect("table")..];
    let table = &table[..table.find("</table>").expect("end")];
    assert_eq!(
        table.matches("<tr>").count(),
        n + 1,
        "header + one per agent"
    );
    assert!(html.contains("id=\"ticket-rules\""));
    // Every number the tiles show is the CLI's, rounded.
    let total = cli_json(&["kpi", "--format", "json", "--data-dir", d.as_str()]);
    let sl = total["rows"][0]["kpis"]["service_level"]["value"]
        .as_f64()
        .expect("value");
    let tile = &html[html.find("data-kpi=\"service_level\"").expect("tile")..];
    assert!(
        tile.contains(&format!("{:.1} %", sl * 100.0)),
        "{}",
        &tile[..300]
    );
    // A team: its tiles are `kpi --group team`'s row for it; an unknown team is a 400.
    let teams = cli_json(&[
        "kpi",
        "--format",
        "json",
        "--group",
        "team",
        "--data-dir",
        d.as_str(),
    ]);
    let row = &teams["rows"][0];
    let team = row["group"].as_str().expect("a team");
    let team_aht = row["kpis"]["average_handle_time"]["value"]
        .as_f64()
        .expect("value");
    let html = get(&s, &format!("/?team={team}")).await.text();
    let tile = &html[html.find("data-kpi=\"average_handle_time\"").expect("tile")..];
    assert!(
        tile.contains(&format!("{team_aht:.1} s")),
        "{}",
        &tile[..300]
    );
    assert!(html.contains("id=\"team-note\""));
    get(&s, "/?team=nobody")
        .await
        .error(StatusCode::BAD_REQUEST, "bad_parameter");
    // The CSV downloads: the agents' file has the same agents.
    let csv = get(&s, "/download/agents.csv").await;
    assert!(csv.content_type.starts_with("text/csv"));
    assert_eq!(csv.text().lines().count(), n + 1);
    get(&s, "/download/secrets.csv")
        .await
        .error(StatusCode::NOT_FOUND, "not_found");
    // A period with no calls says so instead of failing.
    let quiet = get(&s, "/?from=2030-01-01&to=2030-01-07").await;
    assert!(
        quiet.status == StatusCode::OK || quiet.status == StatusCode::NOT_FOUND,
        "{}",
        quiet.text()
    );
    // The roster page: one row per scheduled agent of the week.
    let r = get(&s, "/roster?week=2026-03-02").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert!(r.text().contains("id=\"roster-grid\""));
}

#[tokio::test]
async fn the_roster_pages_hours_are_the_work_of_the_shifts_it_shows() {
    // Recounted from the sample's schedules.csv: each agent's segments merged
    // into shifts (contiguous, "off" apart), the shifts that start in the week of
    // 2026-03-09 (UTC) kept, their work segments summed. A night shift from
    // Sunday the 8th is last week's: its hours after midnight are not this
    // week's (the page once counted them, beside cells that did not show them;
    // in the sample's steady weeks the tail in and the tail out cancel, so the
    // week after the sample, which holds only tails, is what tells them apart).
    let s = state(sample_store(), None);
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample_data");
    let (from, to) = ("2026-03-09T00:00:00Z", "2026-03-16T00:00:00Z");
    let (mut rdr, col) = csv_with_columns(&root.join("schedules.csv"));
    let (agent, start, end, activity) =
        (col("agent_id"), col("start"), col("end"), col("activity"));
    let mut rows: Vec<(String, String, String, String)> = rdr
        .records()
        .map(|r| r.expect("record"))
        .map(|r| {
            (
                r[agent].to_owned(),
                r[start].to_owned(),
                r[end].to_owned(),
                r[activity].to_owned(),
            )
        })
        .filter(|r| r.3 != "off")
        .collect();
    rows.sort();
    let minutes = |a: &str, b: &str| {
        let t = |x: &str| {
            chrono::DateTime::parse_from_rfc3339(x)
                .expect("time")
                .timestamp()
        };
        (t(b) - t(a)) as f64 / 3600.0
    };
    // (agent, shift start, shift end, work hours)
    let mut shifts: Vec<(String, String, String, f64)> = Vec::new();
    for (who, a, b, what) in rows {
        let work = if what == "work" { minutes(&a, &b) } else { 0.0 };
        match shifts.last_mut() {
            Some(last) if last.0 == who && last.2 == a => {
                last.2 = b;
                last.3 += work;
            }
            _ => shifts.push((who, a, b, work)),
        }
    }
    let mut want: std::collections::BTreeMap<String, f64> = Default::default();
    for (who, a, _, hours) in &shifts {
        if a.as_str() >= from && a.as_str() < to {
            *want.entry(who.clone()).or_default() += hours;
        }
    }
    // Shifts that start before the instant `t` and end after it.
    let across = |t: &str| {
        shifts
            .iter()
            .filter(|(_, a, b, _)| a.as_str() < t && b.as_str() > t)
            .count()
    };
    assert!(
        across(from) > 0,
        "the fixture has a shift across the week's start"
    );
    let r = get(&s, "/roster?week=2026-03-09").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let html = r.text();
    for (who, hours) in &want {
        let row = &html[html.find(&format!(">{who}</a></td>")).expect(who)..];
        let cell = &row[row.find("<td class=\"num\">").expect("hours") + 16..];
        let shown = &cell[..cell.find(" h</td>").expect("h")];
        assert_eq!(shown, format!("{hours:.1}"), "{who}");
    }
    // The week after the sample: only the tails of Sunday's night shifts fall
    // in it, so nobody works a shift of that week.
    assert!(
        across("2026-03-30T00:00:00Z") > 0,
        "the fixture's last night shifts run into the next week"
    );
    let r = get(&s, "/roster?week=2026-03-30").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let html = r.text();
    assert!(html.contains("Who works when (0 agents)"), "{html}");
    // No call of that week is in the store: the page says so, and its chart
    // draws no "needed" line of zeros, only who is scheduled (the tails).
    assert!(
        html.contains("No calls of this week are in the store yet"),
        "{html}"
    );
    assert!(!html.contains("needed for the calls that came"), "{html}");
    assert!(html.contains("Agents scheduled by hour"), "{html}");
    // Without a week asked, the page opens on the week of the latest shift's
    // start — not the week after, which holds only the tails.
    let last = shifts.iter().map(|s| s.1.as_str()).max().expect("shifts");
    let day = chrono::DateTime::parse_from_rfc3339(last)
        .expect("time")
        .date_naive();
    let monday = day
        - chrono::Duration::days(i64::from(
            chrono::Datelike::weekday(&day).num_days_from_monday(),
        ));
    let title = format!(
        "Roster: {} – {}",
        monday.format("%-d %b %Y"),
        (monday + chrono::Duration::days(6)).format("%-d %b %Y")
    );
    let r = get(&s, "/roster").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert!(r.text().contains(&title), "{title}: {}", r.text());
    // A week with calls keeps its comparison.
    let r = get(&s, "/roster?week=2026-03-09").await;
    assert!(r.text().contains("needed for the calls that came"));
}

#[tokio::test]
async fn an_agents_day_shows_their_schedule_states_and_calls() {
    let s = state(sample_store(), None);
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample_data");
    let (from, to) = ("2026-03-03T00:00:00Z", "2026-03-04T00:00:00Z");
    let on_day = |t: &str| t >= from && t < to;
    // Independent counts from the sample's CSV files (RFC 3339 UTC strings compare
    // in time order), for the agent of the day's first answered call.
    let (mut rdr, col) = csv_with_columns(&root.join("calls.csv"));
    let (agent, arrived, outcome) = (col("agent_id"), col("arrived_at"), col("outcome"));
    let answered: Vec<csv::StringRecord> = rdr
        .records()
        .map(|r| r.expect("record"))
        .filter(|r| &r[outcome] == "answered" && on_day(&r[arrived]))
        .collect();
    let who = answered.first().expect("calls that day")[agent].to_owned();
    let calls = answered.iter().filter(|r| r[agent] == who).count();
    let (mut rdr, col) = csv_with_columns(&root.join("schedules.csv"));
    let (agent, start, end) = (col("agent_id"), col("start"), col("end"));
    let segments = rdr
        .records()
        .map(|r| r.expect("record"))
        .filter(|r| r[agent] == who && r[end] > *from && r[start] < *to)
        .count();
    assert!(calls > 0 && segments > 0, "the fixture day has work");
    let a = get(&s, &format!("/agents/{who}?date=2026-03-03")).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());
    let html = a.text();
    assert!(html.contains(&format!("Calls answered ({calls})")), "calls");
    let timeline = &html[html.find("id=\"timeline\"").expect("timeline")..];
    let timeline = &timeline[..timeline.find("</svg>").expect("end")];
    let scheduled = timeline[..timeline.find(">actual<").expect("rows")]
        .matches("<rect")
        .count();
    assert_eq!(scheduled, segments);
    get(&s, "/agents/nobody")
        .await
        .error(StatusCode::NOT_FOUND, "no_agent");
    get(&s, &format!("/agents/{who}?date=someday"))
        .await
        .error(StatusCode::BAD_REQUEST, "bad_parameter");
}

/// Appends `lines` to `path` (one write, flushed).
fn append(path: &Path, lines: &[String]) {
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(path)
        .expect("open the log");
    for l in lines {
        writeln!(f, "{l}").expect("append");
    }
    f.flush().expect("flush");
}

/// Reads server-sent events from a raw socket: (event data, when read).
fn events(addr: std::net::SocketAddr) -> std::sync::mpsc::Receiver<(serde_json::Value, Instant)> {
    let (tx, rx) = std::sync::mpsc::channel();
    let mut sock = std::net::TcpStream::connect(addr).expect("connect");
    write!(
        sock,
        "GET /api/live/events HTTP/1.1\r\nHost: {addr}\r\nAccept: text/event-stream\r\n\r\n"
    )
    .expect("request");
    std::thread::spawn(move || {
        let mut reader = BufReader::new(sock);
        let mut line = String::new();
        while reader.read_line(&mut line).is_ok_and(|n| n > 0) {
            // Chunked encoding frames the events; data lines are whole.
            if let Some(data) = line.trim_end().strip_prefix("data: ")
                && let Ok(v) = serde_json::from_str(data)
                && tx.send((v, Instant::now())).is_err()
            {
                return;
            }
            line.clear();
        }
    });
    rx
}

/// A fixed-offset zone in which it is now about noon, so that the logs' lines from
/// the last minutes fall on the wallboard's "today" whatever the hour the tests run
/// (in UTC, a run just after midnight put them on yesterday). `Etc/GMT-N` is UTC+N.
fn midday_zone() -> String {
    use chrono::Timelike;
    let offset = 12 - i64::from(chrono::Utc::now().hour());
    match offset {
        0 => "UTC".to_owned(),
        o if o > 0 => format!("Etc/GMT-{o}"),
        o => format!("Etc/GMT+{}", -o),
    }
}

/// A server on a real loopback socket, with followers feeding its wallboard hub.
struct LiveServer {
    runtime: tokio::runtime::Runtime,
    hub: Arc<Hub>,
    addr: std::net::SocketAddr,
    quit: Option<tokio::sync::oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
    stop: Arc<AtomicBool>,
    followers: Vec<std::thread::JoinHandle<()>>,
}

impl LiveServer {
    /// Serves `data` and follows `log` into `live_store` (polled every 100 ms);
    /// waits until the first batch shows `agents` agents.
    fn start(data: &Path, log: &Path, live_store: &Path, agents: usize) -> LiveServer {
        let hub = Arc::new(Hub::new(
            WallboardConfig {
                poll_ms: 100,
                timezone: midday_zone(),
                ..WallboardConfig::default()
            },
            vec![log.display().to_string()],
        ));
        let stop = Arc::new(AtomicBool::new(false));
        let followers = spawn_followers(
            Arc::clone(&hub),
            live_store.to_path_buf(),
            vec![log.to_path_buf()],
            callboard::ingest::IngestOptions {
                kind: None,
                zone: callboard_core::time::TimeZoneSpec::Utc,
                dry_run: false,
                progress: false,
                queue_log: true,
                ring_seconds: 6.0,
                summaries: true,
            },
            Arc::clone(&stop),
        );
        let deadline = Instant::now() + Duration::from_secs(20);
        while hub.current().agents.len() < agents {
            assert!(Instant::now() < deadline, "the follower never read the log");
            std::thread::sleep(Duration::from_millis(50));
        }
        let runtime = tokio::runtime::Runtime::new().expect("runtime");
        let state = AppState::new(
            ServerConfig {
                centre: "sample centre".into(),
                ..ServerConfig::new(data.to_path_buf())
            },
            Arc::clone(&hub),
        );
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let (quit, quit_rx) = tokio::sync::oneshot::channel::<()>();
        let server = runtime.spawn(callboard::server::serve(listener, state, async {
            let _ = quit_rx.await;
        }));
        LiveServer {
            runtime,
            hub,
            addr,
            quit: Some(quit),
            server: Some(server),
            stop,
            followers,
        }
    }

    /// Shuts the server down gracefully (asserting it returns within 10 s, event
    /// streams open or not) and stops the followers.
    fn shut_down(mut self) {
        self.quit
            .take()
            .expect("once")
            .send(())
            .expect("the server listens for shutdown");
        let server = self.server.take().expect("once");
        let done = self
            .runtime
            .block_on(async { tokio::time::timeout(Duration::from_secs(10), server).await });
        assert!(
            matches!(done, Ok(Ok(Ok(())))),
            "the server did not shut down cleanly"
        );
        self.stop.store(true, Ordering::Relaxed);
        for f in self.followers.drain(..) {
            f.join().expect("the follower stops");
        }
    }
}

#[test]
fn appended_queue_log_lines_reach_the_wallboard_within_a_second() {
    let dir = tempdir();
    let data = dir.path().join("store");
    let log = dir.path().join("queue_log");
    let now = chrono::Utc::now().timestamp();
    // Two agents log in; one call is answered and completed.
    std::fs::write(
        &log,
        format!(
            "{t0}|NONE|sales|Agent/1001|ADDMEMBER|\n{t0}|NONE|sales|Agent/1002|ADDMEMBER|\n{t1}|c1|sales|NONE|ENTERQUEUE||5550001|1\n{t2}|c1|sales|Agent/1001|CONNECT|4|c1b|3\n{t3}|c1|sales|Agent/1001|COMPLETECALLER|4|30|1\n",
            t0 = now - 120,
            t1 = now - 100,
            t2 = now - 96,
            t3 = now - 66
        ),
    )
    .expect("log");
    let live = LiveServer::start(&data, &log, &data, 2);
    let (hub, addr) = (Arc::clone(&live.hub), live.addr);
    assert!(hub.current().seq > 0);
    let rx = events(addr);
    let (first, _) = rx
        .recv_timeout(Duration::from_secs(5))
        .expect("the current snapshot");
    let all = |v: &serde_json::Value| -> serde_json::Value {
        v["queues"]
            .as_array()
            .expect("queues")
            .iter()
            .find(|q| q["queue"] == "all")
            .expect("all")
            .clone()
    };
    assert_eq!(all(&first)["agents"]["available"], 2);
    assert_eq!(all(&first)["waiting"], 0);
    assert_eq!(all(&first)["today"]["answered"], 1);
    // Now: three callers queue, 1002 takes the second, a third agent logs in paused.
    let t = chrono::Utc::now().timestamp();
    append(
        &log,
        &[
            format!("{}|c2|sales|NONE|ENTERQUEUE||5550002|1", t - 30),
            format!("{}|c3|sales|NONE|ENTERQUEUE||5550003|1", t - 20),
            format!("{}|c4|support|NONE|ENTERQUEUE||5550004|1", t - 10),
            format!("{}|c3|sales|Agent/1002|CONNECT|12|c3b|2", t - 8),
            format!("{}|NONE|support|Agent/1003|ADDMEMBER|", t - 5),
            format!("{t}|NONE|support|Agent/1003|PAUSE|lunch"),
        ],
    );
    let appended = Instant::now();
    let mut last = None;
    while let Ok((v, at)) = rx.recv_timeout(Duration::from_secs(5)) {
        if all(&v)["waiting"] == 2 && v["agents"].as_array().is_some_and(|a| a.len() == 3) {
            last = Some((v, at));
            break;
        }
    }
    let (snap, at) = last.expect("an event with the appended lines");
    let latency = at.duration_since(appended);
    eprintln!("wallboard latency after an append: {latency:?}");
    assert!(latency < Duration::from_secs(1), "{latency:?}");
    // Hand count: waiting c2 (sales) and c4 (support); 1001 available, 1002 on a
    // call, 1003 paused for lunch; the longest wait is c2's (≈ 30 s).
    let a = all(&snap);
    assert_eq!(a["waiting"], 2);
    assert_eq!(a["agents"]["available"], 1);
    assert_eq!(a["agents"]["on_call"], 1);
    assert_eq!(a["agents"]["paused"], 1);
    assert_eq!(a["paused_reasons"]["lunch"], 1);
    let longest = a["longest_wait_s"].as_f64().expect("longest");
    assert!((29.0..40.0).contains(&longest), "{longest}");
    let queue = |name: &str| {
        snap["queues"]
            .as_array()
            .expect("queues")
            .iter()
            .find(|q| q["queue"] == name)
            .expect(name)
            .clone()
    };
    assert_eq!(queue("sales")["waiting"], 1);
    assert_eq!(queue("support")["waiting"], 1);
    assert_eq!(queue("support")["agents"]["paused"], 1);
    assert_eq!(queue("sales")["agents"]["on_call"], 1);
    // The finished call c1 was stored by the follower (not only shown).
    assert_eq!(rows(&data, "calls"), 1);
    // Graceful shutdown with the event stream still open: the server returns.
    live.shut_down();
}

/// Loads `url` in headless chromium: (DOM, console lines).
fn browse(
    chromium: &str,
    url: &str,
    shot: &Path,
    size: &str,
    virtual_time: bool,
) -> (String, Vec<String>) {
    let (dom, log) = headless(chromium, url, shot, size, virtual_time);
    (
        dom,
        log.lines()
            .filter(|l| l.contains("CONSOLE") || l.contains("Content Security Policy"))
            .map(str::to_owned)
            .collect(),
    )
}

#[test]
fn the_pages_work_in_a_real_browser() {
    let Some(chromium) = chromium() else { return };
    let data = sample_store();
    // The sample's queue_log-like day, followed: a small live picture.
    let dir = tempdir();
    let log = dir.path().join("queue_log");
    let now = chrono::Utc::now().timestamp();
    std::fs::write(
        &log,
        format!(
            "{a}|NONE|sales|Agent/1001|ADDMEMBER|\n{a}|NONE|sales|Agent/1002|ADDMEMBER|\n{a}|NONE|support|Agent/1003|ADDMEMBER|\n{b}|NONE|support|Agent/1003|PAUSE|training\n{c}|c9|sales|NONE|ENTERQUEUE||5559|1\n{d}|c8|sales|NONE|ENTERQUEUE||5558|1\n{e}|c8|sales|Agent/1002|CONNECT|5|c8b|1\n",
            a = now - 600,
            b = now - 300,
            c = now - 45,
            d = now - 30,
            e = now - 25
        ),
    )
    .expect("log");
    let live = LiveServer::start(data, &log, &dir.path().join("live-store"), 3);
    let addr = live.addr;
    let shots = Path::new(env!("CARGO_TARGET_TMPDIR")).join("server-shots");
    std::fs::create_dir_all(&shots).expect("shots dir");

    let (dom, console) = browse(
        chromium,
        &format!("http://{addr}/"),
        &shots.join("dashboard.png"),
        "1400,2400",
        true,
    );
    assert!(console.is_empty(), "dashboard console: {console:?}");
    assert!(
        dom.contains("data-ready=\"1\""),
        "the script did not run:\n{}",
        &dom[..dom.len().min(1500)]
    );
    assert_eq!(dom.matches("class=\"tile ").count(), 23, "tiles");
    assert!(dom.matches("<svg").count() >= 8, "charts");

    let (dom, console) = browse(
        chromium,
        &format!("http://{addr}/wallboard"),
        &shots.join("wallboard.png"),
        "1920,1080",
        false,
    );
    assert!(console.is_empty(), "wallboard console: {console:?}");
    assert!(
        dom.contains("data-ready=\"1\""),
        "the wallboard's script did not run"
    );
    assert!(
        dom.contains("data-events=\"/api/live/events\""),
        "the event stream's address"
    );
    // The live numbers: 1 waiting (c9), 1 on a call, 1 available, 1 paused.
    let all = &dom[dom.find("data-queue=\"all\"").expect("the all row")..];
    let figure = |f: &str| -> String {
        let i = all.find(&format!("data-f=\"{f}\"")).expect(f);
        let rest = &all[i..];
        let start = rest.find('>').expect(">") + 1;
        rest[start..start + rest[start..].find('<').expect("<")].to_owned()
    };
    assert_eq!(figure("waiting"), "1");
    assert_eq!(figure("on_call"), "1");
    assert_eq!(figure("available"), "1");
    assert_eq!(figure("paused"), "1");

    let (dom, console) = browse(
        chromium,
        &format!("http://{addr}/roster?week=2026-03-02"),
        &shots.join("roster.png"),
        "1400,1600",
        true,
    );
    assert!(console.is_empty(), "roster console: {console:?}");
    assert!(dom.contains("data-ready=\"1\""));
    assert!(dom.contains("id=\"roster-grid\""));

    for name in ["dashboard.png", "wallboard.png", "roster.png"] {
        let mut bytes = Vec::new();
        std::fs::File::open(shots.join(name))
            .and_then(|mut f| f.read_to_end(&mut bytes))
            .expect("screenshot");
        assert!(
            bytes.len() > 20_000,
            "{name} looks blank ({} bytes)",
            bytes.len()
        );
    }
    live.shut_down();
}
