//! The HTML pages: the supervisor's dashboard (`/`), the wallboard
//! (`/wallboard`), the roster (`/roster`), the CSV downloads of the dashboard's
//! tables (`/download/{table}`) and the embedded assets (`/assets/…`). Pages are
//! askama templates (`templates/`), escaped by default; charts are the review
//! pack's SVG; the only script is `assets/app.js` (sorting, the wallboard's event
//! stream, the ready marker).

use super::AppState;
use super::error::ApiError;
use super::live::LiveSnapshot;
use super::params::{self, choice};
use crate::charts::build as cb;
use crate::query::PeriodQuery;
use crate::query::report::{Compare, ReportData, ReportQuery};
use crate::report::html::shown;
use crate::report::sentences::{percent, thousands};
use askama::Template;
use axum::Router;
use axum::extract::{Path as UrlPath, RawQuery, State};
use axum::http::{HeaderValue, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use callboard_core::kpi::catalog::KPIS;
use callboard_core::time::{DAY_MS, TimeZoneSpec, format_date, format_timestamp};
use serde::Deserialize;
use std::collections::BTreeSet;
use std::fmt::Write;
use std::sync::Arc;

/// The page routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(dashboard))
        .route("/wallboard", get(wallboard))
        .route("/roster", get(roster))
        .route("/agents/{id}", get(agent_day))
        .route("/download/{table}", get(download))
        .route("/assets/{file}", get(asset))
}

const APP_CSS: &str = include_str!("../../assets/web/app.css");
const APP_JS: &str = include_str!("../../assets/web/app.js");

async fn asset(UrlPath(file): UrlPath<String>) -> Result<Response, ApiError> {
    let (body, kind) = match file.as_str() {
        "app.css" => (APP_CSS, "text/css; charset=utf-8"),
        "app.js" => (APP_JS, "text/javascript; charset=utf-8"),
        _ => return Err(ApiError::not_found("not_found", "no such asset")),
    };
    Ok((
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(kind)),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=3600"),
            ),
        ],
        body,
    )
        .into_response())
}

fn page(t: &impl Template) -> Result<Response, ApiError> {
    let html = t
        .render()
        .map_err(|e| ApiError::internal("rendering the page", &e))?;
    Ok(Html(html).into_response())
}

/// Parameters of the dashboard and its downloads.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct DashboardParams {
    /// today, yesterday, this_week, last_week, this_month, last_month or all.
    period: Option<String>,
    /// First date (with `to`; overrides `period`).
    from: Option<String>,
    /// Last date, inclusive.
    to: Option<String>,
    /// Only these queues.
    #[serde(default)]
    queue: Vec<String>,
    /// Only this team's agents in the agent table.
    team: Option<String>,
    /// IANA zone of the dates [UTC].
    timezone: Option<String>,
}

const PERIODS: [(&str, &str); 7] = [
    ("today", "Today"),
    ("yesterday", "Yesterday"),
    ("this_week", "This week"),
    ("last_week", "Last week"),
    ("this_month", "This month"),
    ("last_month", "Last month"),
    ("all", "All data"),
];

/// The period a shortcut names, as local dates `[from, to)` (days since 1970),
/// relative to `today`.
fn shortcut(name: &str, today: i32) -> Option<(i32, i32)> {
    let monday = today - i32::from(callboard_core::time::weekday(today));
    let (y, m, _) = ymd(today);
    let month_start = |y: i32, m: u32| days_from_ymd(y, m, 1);
    let (py, pm) = if m == 1 { (y - 1, 12) } else { (y, m - 1) };
    let (ny, nm) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
    Some(match name {
        "today" => (today, today + 1),
        "yesterday" => (today - 1, today),
        "this_week" => (monday, monday + 7),
        "last_week" => (monday - 7, monday),
        "this_month" => (month_start(y, m), month_start(ny, nm)),
        "last_month" => (month_start(py, pm), month_start(y, m)),
        _ => return None,
    })
}

fn ymd(day: i32) -> (i32, u32, u32) {
    use chrono::Datelike;
    let d = chrono::NaiveDate::from_num_days_from_ce_opt(day + 719_163).unwrap_or_default();
    (d.year(), d.month(), d.day())
}

fn days_from_ymd(y: i32, m: u32, d: u32) -> i32 {
    use chrono::Datelike;
    chrono::NaiveDate::from_ymd_opt(y, m, d).map_or(0, |d| d.num_days_from_ce() - 719_163)
}

fn local_today(zone: &TimeZoneSpec) -> i32 {
    let now = chrono::Utc::now().timestamp_millis();
    (now + zone.offset_ms_at(now)).div_euclid(DAY_MS) as i32
}

impl DashboardParams {
    fn report_query(&self) -> Result<ReportQuery, ApiError> {
        let timezone = self.timezone.clone().unwrap_or_else(|| "UTC".into());
        let zone = crate::query::time_zone(&timezone)?;
        let period = match (&self.from, &self.to) {
            (Some(from), Some(to)) => {
                let to_day = callboard_core::time::parse_date(to).ok_or_else(|| {
                    ApiError::bad_parameter(format!("to: {to:?} is not a date (YYYY-MM-DD)"))
                })?;
                PeriodQuery {
                    from: Some(from.clone()),
                    to: Some(format_date(to_day + 1)),
                }
            }
            (None, None) => {
                let name =
                    choice("period", &self.period, &PERIODS.map(|(k, _)| k))?.unwrap_or("all");
                match shortcut(name, local_today(&zone)) {
                    Some((a, b)) => PeriodQuery {
                        from: Some(format_date(a)),
                        to: Some(format_date(b)),
                    },
                    None => PeriodQuery::default(),
                }
            }
            _ => {
                return Err(ApiError::bad_parameter(
                    "give both from and to (dates), or a period",
                ));
            }
        };
        Ok(ReportQuery {
            period,
            compare: Compare::None,
            queue: self.queue.clone(),
            timezone,
            ..ReportQuery::default()
        })
    }
}

impl AppState {
    /// The report's numbers for `q`, cached per store version.
    async fn report_data(
        &self,
        raw: Option<String>,
        q: ReportQuery,
    ) -> Result<Arc<ReportData>, ApiError> {
        let key = format!("report?{}", raw.unwrap_or_default());
        self.cached_value(key, move |store| Ok(crate::query::report::run(store, &q)?))
            .await
    }
}

/// One KPI tile.
struct Tile {
    id: &'static str,
    name: &'static str,
    value: String,
    status: &'static str,
    target: &'static str,
    hint: String,
}

/// One chart.
struct FigureView {
    id: &'static str,
    svg: String,
    sentences: Vec<String>,
}

/// One agent row (sort keys beside the text).
struct AgentView {
    id: String,
    team: String,
    answered: u64,
    aht: (String, String),
    occupancy: (String, String),
    adherence: (String, String),
    qa: (String, String),
}

/// One ticket rule's compliance over the period.
struct RuleView {
    rule: String,
    met: u64,
    breached: u64,
    open: u64,
    compliance: String,
}

/// A flagged ticket-rule.
struct FlagView {
    ticket: String,
    rule: String,
    due: String,
    by: String,
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    centre: String,
    period_text: String,
    from: String,
    to: String,
    shortcuts: Vec<(String, &'static str, bool)>,
    queues: Vec<(String, bool)>,
    teams: Vec<(String, bool)>,
    tiles: Vec<Tile>,
    figures: Vec<FigureView>,
    agents: Vec<AgentView>,
    team_note: String,
    has_tickets: bool,
    rules: Vec<RuleView>,
    at_risk: Vec<FlagView>,
    at_risk_total: usize,
    breaches: Vec<FlagView>,
    breaches_total: usize,
    notes: Vec<String>,
    downloads: Vec<(&'static str, String)>,
}

fn query_suffix(raw: &Option<String>) -> String {
    raw.as_deref()
        .filter(|q| !q.is_empty())
        .map_or(String::new(), |q| format!("?{q}"))
}

fn sortable(v: Option<f64>, text: String) -> (String, String) {
    (v.map_or(String::new(), |x| format!("{x}")), text)
}

async fn dashboard(
    State(s): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let p: DashboardParams = params::parse(raw.as_deref(), &["queue"])?;
    let q = ReportQuery {
        forecast: s.config().forecast.clone(),
        ..p.report_query()?
    };
    let data = s.report_data(raw.clone(), q).await?;
    let centre = s.config().centre.clone();
    // The charts are built and drawn on the blocking pool, not the async threads.
    let (pack, figures) = {
        let data = Arc::clone(&data);
        let centre = centre.clone();
        tokio::task::spawn_blocking(move || {
            let pack = crate::report::assemble(&data, &centre);
            let figures = pack
                .figures
                .iter()
                .map(|f| {
                    Ok(FigureView {
                        id: f.chart.id,
                        svg: f
                            .chart
                            .svg()
                            .map_err(|e| ApiError::internal("drawing a chart", &e))?,
                        sentences: f.sentences.clone(),
                    })
                })
                .collect::<Result<Vec<_>, ApiError>>();
            figures.map(|f| (pack, f))
        })
        .await
        .map_err(|e| ApiError::internal("drawing the charts", &e))??
    };
    // With a team: the tiles are that team's (as `kpi --group team` gives them);
    // the charts stay the centre's.
    let team_report = match &p.team {
        Some(team) => {
            let q = crate::query::kpi::KpiQuery {
                period: PeriodQuery {
                    from: Some(format_timestamp(data.total.settings.from_ms)),
                    to: Some(format_timestamp(data.total.settings.to_ms)),
                },
                group: Some(crate::query::kpi::Group::Team),
                queue: p.queue.clone(),
                timezone: p.timezone.clone().unwrap_or_else(|| "UTC".into()),
                ..Default::default()
            };
            let report = s
                .cached_value(
                    format!("teams?{}", raw.clone().unwrap_or_default()),
                    move |store| Ok(crate::query::kpi::run(store, &q)?),
                )
                .await?;
            if !report.rows.iter().any(|r| r.group.as_ref() == Some(team)) {
                return Err(ApiError::bad_parameter(format!(
                    "team: no team {team:?} in the agents table"
                )));
            }
            Some(report)
        }
        None => None,
    };
    let total = match (&team_report, &p.team) {
        (Some(r), Some(team)) => r.rows.iter().find(|r| r.group.as_ref() == Some(team)),
        _ => data.total.rows.first(),
    };
    let tiles = KPIS
        .iter()
        .map(|k| {
            let v = total.and_then(|r| r.kpis.iter().find(|x| x.id == k.id));
            Tile {
                id: k.id,
                name: k.name,
                value: shown(k.unit, v.and_then(|v| v.value)),
                status: v.map_or("unknown", |v| v.status.as_str()),
                target: k.target_text,
                hint: if k.hints.is_empty() {
                    k.definition.to_owned()
                } else {
                    format!(
                        "{} — if it drifts, look at: {}",
                        k.definition,
                        k.hints.join("; ")
                    )
                },
            }
        })
        .collect();
    let settings = &data.total.settings;
    let zone = settings.zone;
    let from_day = cb::local_day(settings.from_ms, &zone);
    let to_day = cb::local_day(settings.to_ms - 1, &zone);
    let team_names: BTreeSet<String> = data.teams.values().cloned().collect();
    let agents: Vec<AgentView> = data
        .by_agent
        .rows
        .iter()
        .filter_map(|r| {
            let id = r.group.clone()?;
            let team = data.teams.get(&id).cloned().unwrap_or_default();
            if p.team.as_ref().is_some_and(|t| *t != team) {
                return None;
            }
            let aht = cb::value(r, "average_handle_time");
            let occ = cb::value(r, "occupancy");
            let adh = cb::value(r, "schedule_adherence");
            let qa = cb::value(r, "monitoring_score");
            Some(AgentView {
                id,
                team,
                answered: r.counts.answered,
                aht: sortable(aht, aht.map_or("–".into(), |v| format!("{v:.0} s"))),
                occupancy: sortable(occ, occ.map_or("–".into(), percent)),
                adherence: sortable(adh, adh.map_or("–".into(), percent)),
                qa: sortable(qa, qa.map_or("–".into(), |v| format!("{v:.1}"))),
            })
        })
        .collect();
    let flag = |f: &crate::query::tickets::FlaggedRule| FlagView {
        ticket: f.ticket_id.clone(),
        rule: f.rule.replace('_', " "),
        due: format_timestamp(f.due_ms)
            .replace('T', " ")
            .replace('Z', ""),
        by: format!("{:.1} h", f.by_ms as f64 / 3_600_000.0),
    };
    let (mut rules, mut at_risk, mut breaches, mut at_risk_total, mut breaches_total) =
        (Vec::new(), Vec::new(), Vec::new(), 0, 0);
    if let Some(t) = &data.tickets {
        for (i, rule) in t.policy.rules.iter().enumerate() {
            let (mut met, mut breached, mut open) = (0, 0, 0);
            for r in &t.rows {
                if let Some(c) = r.rules.get(i) {
                    met += c.met;
                    breached += c.breached;
                    open += c.open;
                }
            }
            let decided = met + breached;
            rules.push(RuleView {
                rule: rule.id.replace('_', " "),
                met,
                breached,
                open,
                compliance: if decided == 0 {
                    "–".into()
                } else {
                    percent(met as f64 / decided as f64)
                },
            });
        }
        let mut risk: Vec<_> = t.at_risk.iter().collect();
        risk.sort_by_key(|f| f.due_ms);
        at_risk_total = risk.len();
        at_risk = risk.into_iter().take(20).map(flag).collect();
        let mut late: Vec<_> = t.breaches.iter().collect();
        late.sort_by_key(|f| std::cmp::Reverse(f.due_ms));
        breaches_total = late.len();
        breaches = late.into_iter().take(20).map(flag).collect();
    }
    let suffix = query_suffix(&raw);
    let mut notes = data.notes.clone();
    notes.extend(pack.left_out.iter().map(|(_, why)| why.clone()));
    let view = DashboardPage {
        period_text: if from_day == to_day {
            cb::long_date(from_day)
        } else {
            format!("{} – {}", cb::long_date(from_day), cb::long_date(to_day))
        },
        from: format_date(from_day),
        to: format_date(to_day),
        shortcuts: PERIODS
            .iter()
            .map(|(k, label)| {
                (
                    format!("/?period={k}"),
                    *label,
                    p.period.as_deref() == Some(k) || (*k == "all" && raw.is_none()),
                )
            })
            .collect(),
        queues: data
            .by_queue
            .rows
            .iter()
            .filter_map(|r| r.group.clone())
            .map(|q| {
                let on = p.queue.contains(&q);
                (q, on)
            })
            .collect(),
        teams: team_names
            .into_iter()
            .map(|t| {
                let on = p.team.as_ref() == Some(&t);
                (t, on)
            })
            .collect(),
        tiles,
        figures,
        team_note: p.team.as_ref().map_or(String::new(), |t| {
            format!("team {t} only, as are the KPI tiles; the charts are the whole centre's")
        }),
        agents,
        has_tickets: data.tickets.is_some(),
        rules,
        at_risk,
        at_risk_total,
        breaches,
        breaches_total,
        notes,
        downloads: vec![
            ("KPIs", format!("/download/kpis.csv{suffix}")),
            ("Days", format!("/download/days.csv{suffix}")),
            ("Queues", format!("/download/queues.csv{suffix}")),
            ("Agents", format!("/download/agents.csv{suffix}")),
            ("Tickets at risk", format!("/download/at_risk.csv{suffix}")),
            ("Breaches", format!("/download/breaches.csv{suffix}")),
        ],
        centre,
    };
    page(&view)
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

/// A KPI report as CSV: one line per row, the KPIs as columns (values unrounded).
fn kpi_csv(rows: &[callboard_core::kpi::report::Row], label: &str) -> String {
    let mut out = format!("{label},offered");
    for k in KPIS.iter() {
        let _ = write!(out, ",{}", k.id);
    }
    out.push('\n');
    for r in rows {
        let name = r
            .group
            .clone()
            .or_else(|| r.bucket_start.map(format_timestamp))
            .unwrap_or_else(|| "total".into());
        let _ = write!(out, "{},{}", csv_field(&name), cb::offered(r));
        for k in KPIS.iter() {
            let v = r.kpis.iter().find(|x| x.id == k.id).and_then(|x| x.value);
            let _ = write!(out, ",{}", v.map_or(String::new(), |v| v.to_string()));
        }
        out.push('\n');
    }
    out
}

async fn download(
    State(s): State<AppState>,
    UrlPath(table): UrlPath<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let p: DashboardParams = params::parse(raw.as_deref(), &["queue"])?;
    let q = p.report_query()?;
    let names = [
        "kpis.csv",
        "days.csv",
        "queues.csv",
        "agents.csv",
        "at_risk.csv",
        "breaches.csv",
    ];
    if !names.contains(&table.as_str()) {
        return Err(ApiError::not_found(
            "not_found",
            format!("no table {table:?}; the downloads are {}", names.join(", ")),
        ));
    }
    let data = s.report_data(raw, q).await?;
    let flagged = |list: &[crate::query::tickets::FlaggedRule]| {
        let mut out = String::from("ticket_id,rule,due,by_hours,open\n");
        for f in list {
            let _ = writeln!(
                out,
                "{},{},{},{},{}",
                csv_field(&f.ticket_id),
                csv_field(&f.rule),
                format_timestamp(f.due_ms),
                f.by_ms as f64 / 3_600_000.0,
                f.open
            );
        }
        out
    };
    let body = match table.as_str() {
        "kpis.csv" => kpi_csv(&data.total.rows, "period"),
        "days.csv" => kpi_csv(&data.by_day.rows, "day_start"),
        "queues.csv" => kpi_csv(&data.by_queue.rows, "queue"),
        "agents.csv" => {
            let rows: Vec<_> = data
                .by_agent
                .rows
                .iter()
                .filter(|r| {
                    p.team
                        .as_ref()
                        .is_none_or(|t| r.group.as_ref().and_then(|g| data.teams.get(g)) == Some(t))
                })
                .cloned()
                .collect();
            kpi_csv(&rows, "agent_id")
        }
        "at_risk.csv" => flagged(data.tickets.as_ref().map_or(&[][..], |t| &t.at_risk)),
        _ => flagged(data.tickets.as_ref().map_or(&[][..], |t| &t.breaches)),
    };
    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/csv; charset=utf-8"),
            ),
            (
                header::CONTENT_DISPOSITION,
                HeaderValue::from_str(&format!("attachment; filename=\"{table}\""))
                    .unwrap_or(HeaderValue::from_static("attachment")),
            ),
        ],
        body,
    )
        .into_response())
}

/// One queue's tile row on the wallboard, as shown.
struct WallQueue {
    queue: String,
    waiting: u64,
    longest: String,
    longest_s: f64,
    service_level: String,
    abandon_rate: String,
    offered: String,
    answered: String,
    abandoned: String,
    forecast: String,
    available: u64,
    on_call: u64,
    wrap_up: u64,
    paused: u64,
    logged_off: u64,
    paused_reasons: String,
    colours: [&'static str; 4],
}

/// One agent on the wallboard, as shown.
struct WallAgent {
    id: String,
    state: &'static str,
    label: String,
    since_s: f64,
    in_state: String,
}

#[derive(Template)]
#[template(path = "wallboard.html")]
struct WallboardPage {
    centre: String,
    events_url: String,
    as_of: String,
    seq: u64,
    replay: bool,
    queues: Vec<WallQueue>,
    agents: Vec<WallAgent>,
    errors: Vec<String>,
}

fn wall_view(snapshot: &LiveSnapshot) -> (Vec<WallQueue>, Vec<WallAgent>) {
    // The centre's total first: it is what a room looks at.
    let mut ordered: Vec<&super::live::QueueLive> = snapshot.queues.iter().collect();
    ordered.sort_by_key(|q| q.queue != "all");
    let queues = ordered
        .into_iter()
        .map(|q| WallQueue {
            queue: q.queue.clone(),
            waiting: q.waiting,
            longest: clock_text(q.longest_wait_s),
            longest_s: q.longest_wait_s,
            service_level: q.today.service_level.map_or("–".into(), percent),
            abandon_rate: q.today.abandon_rate.map_or("–".into(), percent),
            offered: thousands(q.today.offered),
            answered: thousands(q.today.answered),
            abandoned: thousands(q.today.abandoned),
            forecast: q
                .today
                .forecast_so_far
                .map_or(String::new(), |f| thousands(f.round() as u64)),
            available: q.agents.available,
            on_call: q.agents.on_call,
            wrap_up: q.agents.wrap_up,
            paused: q.agents.paused,
            logged_off: q.agents.logged_off,
            paused_reasons: q
                .paused_reasons
                .iter()
                .map(|(r, n)| format!("{} {n}", if r.is_empty() { "no reason" } else { r }))
                .collect::<Vec<_>>()
                .join(", "),
            colours: [
                q.status.waiting,
                q.status.longest_wait,
                q.status.service_level,
                q.status.abandon_rate,
            ],
        })
        .collect();
    let agents = snapshot
        .agents
        .iter()
        .map(|a| WallAgent {
            id: a.agent_id.clone(),
            state: a.state,
            label: match (a.state, &a.reason) {
                ("paused", Some(r)) => format!("paused: {r}"),
                (s, _) => s.replace('_', " "),
            },
            since_s: a.seconds_in_state,
            in_state: clock_text(a.seconds_in_state),
        })
        .collect();
    (queues, agents)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct WallboardParams {
    #[serde(default)]
    queue: Vec<String>,
}

async fn wallboard(
    State(s): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let p: WallboardParams = params::parse(raw.as_deref(), &["queue"])?;
    let current = s.live().current();
    let snapshot = current.only(&p.queue);
    let query = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(p.queue.iter().map(|q| ("queue", q)))
        .finish();
    let (queues, agents) = wall_view(&snapshot);
    page(&WallboardPage {
        centre: s.config().centre.clone(),
        events_url: if query.is_empty() {
            "/api/live/events".into()
        } else {
            format!("/api/live/events?{query}")
        },
        as_of: snapshot
            .as_of
            .get(11..19)
            .map_or(snapshot.as_of.clone(), str::to_owned),
        seq: snapshot.seq,
        replay: snapshot.replay,
        errors: snapshot
            .errors
            .iter()
            .map(|(f, e)| format!("{f}: {e}"))
            .collect(),
        queues,
        agents,
    })
}

/// One shift on the roster page: its span and the breaks inside it.
#[derive(Debug, Clone)]
struct Shift {
    span: String,
    inside: String,
}

/// One agent's week on the roster page.
struct RosterRow {
    agent: String,
    hours: String,
    days: Vec<Vec<Shift>>,
}

#[derive(Template)]
#[template(path = "roster.html")]
struct RosterPage {
    centre: String,
    week_text: String,
    prev: String,
    next: String,
    days: Vec<String>,
    rows: Vec<RosterRow>,
    coverage_svg: String,
    coverage_note: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RosterParams {
    /// Any date in the week to show [default: the week of the latest schedule].
    week: Option<String>,
    /// IANA zone [UTC].
    timezone: Option<String>,
}

async fn roster(State(s): State<AppState>, RawQuery(raw): RawQuery) -> Result<Response, ApiError> {
    let p: RosterParams = params::parse(raw.as_deref(), &[])?;
    let timezone = p.timezone.clone().unwrap_or_else(|| "UTC".into());
    let zone = crate::query::time_zone(&timezone)?;
    let asked = match &p.week {
        Some(w) => Some(callboard_core::time::parse_date(w).ok_or_else(|| {
            ApiError::bad_parameter(format!("week: {w:?} is not a date (YYYY-MM-DD)"))
        })?),
        None => None,
    };
    let centre = s.config().centre.clone();
    let key = format!("roster?{}", raw.clone().unwrap_or_default());
    let view: Arc<RosterPage> = s
        .cached_value(key, move |store| {
            roster_view(store, asked, &zone, &timezone, centre)
        })
        .await?;
    page(view.as_ref())
}

fn roster_view(
    store: &crate::store::Store,
    asked: Option<i32>,
    zone: &TimeZoneSpec,
    timezone: &str,
    centre: String,
) -> Result<RosterPage, ApiError> {
    let schedules = crate::store::readers::read_schedules(store)
        .map_err(|e| ApiError::internal("reading the schedules", &e))?
        .ok_or_else(|| {
            ApiError::not_found(
                "no_roster",
                "the store holds no schedules; load a roster (roster.csv from `callboard roster --agents`) with `callboard ingest --kind schedules`",
            )
        })?;
    // The default week holds the latest shift's start: a segment that starts
    // where the same agent's last one ended continues a shift (a night shift's
    // hours past Sunday midnight do not make the next week the roster's).
    let mut all = schedules.segments(i64::MIN, i64::MAX);
    all.sort_by_key(|s| (s.0, s.1));
    let latest = all
        .iter()
        .enumerate()
        .filter(|(i, s)| {
            *i == 0 || {
                let before = &all[i - 1];
                before.0 != s.0 || before.2 != s.1
            }
        })
        .map(|(_, s)| s.1)
        .max()
        .unwrap_or(0);
    let day_of = |ms: i64| (ms + zone.offset_ms_at(ms)).div_euclid(DAY_MS) as i32;
    let some_day = asked.unwrap_or_else(|| day_of(latest));
    let monday = some_day - i32::from(callboard_core::time::weekday(some_day));
    let start_ms = |day: i32| {
        let guess = i64::from(day) * DAY_MS;
        guess - zone.offset_ms_at(guess)
    };
    let (from_ms, to_ms) = (start_ms(monday), start_ms(monday + 7));
    let clock = |ms: i64| {
        let local = ms + zone.offset_ms_at(ms);
        format!(
            "{:02}:{:02}",
            local.rem_euclid(DAY_MS) / 3_600_000,
            local.rem_euclid(3_600_000) / 60_000
        )
    };
    // Each agent's shifts: contiguous segments merged, shown on the day they start
    // (a night shift is one cell, not two halves), breaks and lunch listed inside.
    let mut week: Vec<_> = schedules.segments(from_ms - DAY_MS, to_ms + DAY_MS);
    week.sort_by_key(|s| (s.0, s.1));
    // An agent's hours are their shifts' work (breaks and lunch out), counted
    // with the shift where it is shown: a night shift from the week before is
    // not this week's (its hours past midnight were counted here before, so
    // the hours did not add up to the cells).
    let mut by_agent: std::collections::BTreeMap<&str, (f64, Vec<Vec<Shift>>)> = Default::default();
    let mut shifts: Vec<(&str, i64, i64, Vec<String>, f64)> = Vec::new();
    for (agent, a, b, activity) in week {
        if activity == "off" {
            continue;
        }
        let worked = if activity == "work" {
            (b - a) as f64 / 3_600_000.0
        } else {
            0.0
        };
        let inside = (activity != "work").then(|| format!("{activity} {}", clock(a)));
        match shifts.last_mut() {
            Some((who, _, end, list, hours)) if *who == agent && *end == a => {
                *end = b;
                list.extend(inside);
                *hours += worked;
            }
            _ => shifts.push((agent, a, b, inside.into_iter().collect(), worked)),
        }
    }
    for (agent, a, b, inside, hours) in shifts {
        if a < from_ms || a >= to_ms {
            continue;
        }
        let entry = by_agent
            .entry(agent)
            .or_insert_with(|| (0.0, vec![Vec::new(); 7]));
        entry.0 += hours;
        entry.1[(day_of(a) - monday).clamp(0, 6) as usize].push(Shift {
            span: format!("{}–{}", clock(a), clock(b)),
            inside: inside.join(" · "),
        });
    }
    // Required against scheduled, hour by hour from the schedules read above, drawn
    // through the week's busiest scheduled day.
    let hourly = crate::query::kpi::run(
        store,
        &crate::query::kpi::KpiQuery {
            period: PeriodQuery {
                from: Some(format_timestamp(from_ms)),
                to: Some(format_timestamp(to_ms)),
            },
            by: crate::query::By::Interval,
            interval: "60m".into(),
            timezone: timezone.to_owned(),
            ..Default::default()
        },
    );
    let target = crate::query::staffing::StaffQuery::default();
    let (coverage_svg, coverage_note) = match hourly {
        Ok(hourly) => {
            let rows = crate::query::coverage::interval_coverage(
                Some(&schedules),
                &hourly,
                3_600_000,
                |_| true,
                target.sl_seconds,
                target.sl_target,
            )?;
            let busiest = (0..7)
                .max_by_key(|d| {
                    rows.iter()
                        .filter(|(t, _)| day_of(*t) == monday + d)
                        .map(|(_, r)| r.scheduled.round() as i64)
                        .sum::<i64>()
                })
                .unwrap_or(0);
            // A week no call has come in yet (a roster for the weeks ahead): no
            // need to draw as 0, only who is scheduled.
            let no_calls = rows.iter().all(|(_, r)| r.offered == 0);
            let hours: Vec<crate::query::report::HourStaffing> = rows
                .iter()
                .filter(|(t, _)| day_of(*t) == monday + busiest)
                .map(|(_, r)| crate::query::report::HourStaffing {
                    hour_start: r.interval_start.clone(),
                    offered: r.offered,
                    aht_s: r.aht_s,
                    required: r.required.filter(|_| !no_calls),
                    scheduled: Some(r.scheduled),
                })
                .collect();
            let short = rows
                .iter()
                .filter(|(_, r)| r.gap.is_some_and(|g| g < 0.0))
                .count();
            let note = if no_calls {
                "No calls of this week are in the store yet, so the chart shows only who is scheduled. The requirement the roster was made for, hour by hour against the agents scheduled, is in the coverage.csv that callboard roster wrote.".to_owned()
            } else {
                format!(
                    "{short} of {} hours this week had fewer agents scheduled than the calls that came needed.",
                    rows.len()
                )
            };
            match cb::required_vs_scheduled(&hours, monday + busiest, &hourly, &centre) {
                Ok(chart) => (
                    chart
                        .svg()
                        .map_err(|e| ApiError::internal("drawing the coverage chart", &e))?,
                    note,
                ),
                Err(why) => (String::new(), why),
            }
        }
        Err(e) => (String::new(), e.to_string()),
    };
    Ok(RosterPage {
        week_text: format!("{} – {}", cb::long_date(monday), cb::long_date(monday + 6)),
        prev: format!("/roster?week={}", format_date(monday - 7)),
        next: format!("/roster?week={}", format_date(monday + 7)),
        days: (0..7).map(|d| cb::day_label(monday + d)).collect(),
        rows: by_agent
            .into_iter()
            .map(|(agent, (hours, days))| RosterRow {
                agent: agent.to_owned(),
                hours: format!("{hours:.1} h"),
                days,
            })
            .collect(),
        coverage_svg,
        coverage_note,
        centre,
    })
}

/// Seconds as `m:ss`.
fn clock_text(s: f64) -> String {
    let s = s.max(0.0).round() as u64;
    format!("{}:{:02}", s / 60, s % 60)
}

/// A bar of the agent's timeline: x and width in 0–1000 (the day's width).
struct Bar {
    class: String,
    x: f64,
    width: f64,
    label: String,
}

#[derive(Template)]
#[template(path = "agent.html")]
struct AgentPage {
    agent: String,
    date: String,
    prev: String,
    next: String,
    schedule: Vec<Bar>,
    states: Vec<Bar>,
    ticks: Vec<(f64, String)>,
    kpis: Vec<(&'static str, String)>,
    calls: Vec<(String, String, String, String, String)>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AgentParams {
    /// The local date [default: the agent's latest day with states].
    date: Option<String>,
    /// IANA zone [UTC].
    timezone: Option<String>,
}

async fn agent_day(
    State(s): State<AppState>,
    UrlPath(id): UrlPath<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let p: AgentParams = params::parse(raw.as_deref(), &[])?;
    let q = crate::query::agent_day::AgentDayQuery {
        agent_id: id.clone(),
        date: p.date.clone(),
        timezone: p.timezone.clone().unwrap_or_else(|| "UTC".into()),
    };
    let key = format!("agent/{id}?{}", raw.unwrap_or_default());
    let day: Arc<crate::query::agent_day::AgentDay> = s
        .cached_value(key, move |store| {
            Ok(crate::query::agent_day::run(store, &q)?)
        })
        .await?;
    let length = (day.day_end_ms - day.day_start_ms) as f64;
    let bar = |sp: &crate::query::agent_day::Span| {
        let a = (sp.start_ms.max(day.day_start_ms) - day.day_start_ms) as f64 / length * 1000.0;
        let b = (sp.end_ms.min(day.day_end_ms) - day.day_start_ms) as f64 / length * 1000.0;
        let clock = |ms: i64| {
            format_timestamp(ms)
                .get(11..16)
                .unwrap_or_default()
                .to_owned()
        };
        Bar {
            class: format!(
                "tl-{}",
                sp.what.replace(|c: char| !c.is_ascii_alphanumeric(), "_")
            ),
            x: a,
            width: (b - a).max(0.5),
            label: format!(
                "{} {}–{}{}",
                sp.what,
                clock(sp.start_ms),
                clock(sp.end_ms),
                sp.reason
                    .as_ref()
                    .map_or(String::new(), |r| format!(" ({r})"))
            ),
        }
    };
    let d = callboard_core::time::parse_date(&day.date).unwrap_or(0);
    let secs = |v: Option<f64>| v.map_or("–".into(), |v| format!("{v:.0} s"));
    page(&AgentPage {
        agent: day.agent_id.clone(),
        date: cb::long_date(d),
        prev: format!("/agents/{}?date={}", day.agent_id, format_date(d - 1)),
        next: format!("/agents/{}?date={}", day.agent_id, format_date(d + 1)),
        schedule: day.schedule.iter().map(bar).collect(),
        states: day.states.iter().map(bar).collect(),
        ticks: (0..=24)
            .step_by(2)
            .map(|h| (f64::from(h) * 1000.0 / 24.0, format!("{h:02}:00")))
            .collect(),
        kpis: day
            .kpis
            .iter()
            .map(|(id, v)| {
                let k = KPIS.iter().find(|k| k.id == *id).expect("a catalog id");
                (k.name, shown(k.unit, *v))
            })
            .collect(),
        calls: day
            .calls
            .iter()
            .map(|c| {
                (
                    c.arrived_at.get(11..19).unwrap_or_default().to_owned(),
                    c.queue.clone(),
                    format!("{:.0} s", c.wait_s),
                    secs(c.talk_s),
                    secs(c.acw_s),
                )
            })
            .collect(),
    })
}
