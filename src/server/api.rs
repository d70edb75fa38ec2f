//! The JSON API: each route parses its parameters (named like the CLI's flags),
//! runs the same query the CLI runs and answers its JSON shape (docs/cli.md). Store
//! work runs on the blocking pool under the heavy-query cap, and answers are cached
//! per store version (see [`super::AppState::store_json`]).

use super::AppState;
use super::error::{ApiError, ErrorBody};
use super::live::LiveSnapshot;
use super::params::{self, choice, count, flag, number};
use crate::ingest::{IngestOptions, LoadRequest, parse_kind};
use crate::query::coverage::CoverageQuery;
use crate::query::forecast::ForecastQuery;
use crate::query::kpi::{Group, KpiQuery, SlProfile};
use crate::query::staffing::{ModelKind, StaffQuery};
use crate::query::status::StatusQuery;
use crate::query::tickets::{TicketGroup, TicketsQuery};
use crate::query::{By, PeriodQuery};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use callboard_core::time::TimeZoneSpec;
use serde::Deserialize;
use std::convert::Infallible;
use std::sync::Arc;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The API's routes, with their OpenAPI operations.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(kpi))
        .routes(routes!(tickets))
        .routes(routes!(staff))
        .routes(routes!(forecast))
        .routes(routes!(roster_coverage))
        .routes(routes!(status))
        .routes(routes!(live))
        .routes(routes!(ingest))
}

fn period(from: &Option<String>, to: &Option<String>) -> PeriodQuery {
    PeriodQuery {
        from: from.clone(),
        to: to.clone(),
    }
}

/// Parameters of `/api/kpi` (the flags of `callboard kpi`).
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct KpiParams {
    /// Period start: RFC 3339, or a date (midnight in `timezone`) [default: the first call's day].
    from: Option<String>,
    /// Period end, exclusive [default: midnight after the last call's day].
    to: Option<String>,
    /// total, interval, day, week or month.
    by: Option<String>,
    /// Interval length for by=interval: 15m, 30m or 60m.
    interval: Option<String>,
    /// queue, team or agent.
    group: Option<String>,
    /// Service-level threshold, seconds [20].
    #[param(value_type = Option<f64>)]
    sl_seconds: Option<String>,
    /// Abandons at or under this wait are misdials, seconds [5].
    #[param(value_type = Option<f64>)]
    short_abandon_seconds: Option<String>,
    /// negative, ignore or positive.
    sl_abandons: Option<String>,
    /// FCR repeat window (7d, 48h).
    fcr_window: Option<String>,
    /// IANA zone of the buckets [UTC].
    timezone: Option<String>,
    /// Only these queues (repeat the parameter, or separate with commas).
    #[serde(default)]
    queue: Vec<String>,
}

fn by_of(name: &str, v: &Option<String>, allowed: &[&str]) -> Result<Option<By>, ApiError> {
    Ok(choice(name, v, allowed)?.map(|b| match b {
        "interval" => By::Interval,
        "day" => By::Day,
        "week" => By::Week,
        "month" => By::Month,
        _ => By::Total,
    }))
}

impl KpiParams {
    /// The query the CLI would build from the same flags.
    pub fn query(&self) -> Result<KpiQuery, ApiError> {
        let d = KpiQuery::default();
        Ok(KpiQuery {
            period: period(&self.from, &self.to),
            by: by_of(
                "by",
                &self.by,
                &["total", "interval", "day", "week", "month"],
            )?
            .unwrap_or(d.by),
            interval: self.interval.clone().unwrap_or(d.interval),
            group: choice("group", &self.group, &["queue", "team", "agent"])?.map(|g| match g {
                "queue" => Group::Queue,
                "team" => Group::Team,
                _ => Group::Agent,
            }),
            queue: self.queue.clone(),
            sl_seconds: number("sl_seconds", &self.sl_seconds)?.unwrap_or(d.sl_seconds),
            short_abandon_seconds: number("short_abandon_seconds", &self.short_abandon_seconds)?
                .unwrap_or(d.short_abandon_seconds),
            sl_abandons: choice(
                "sl_abandons",
                &self.sl_abandons,
                &["negative", "ignore", "positive"],
            )?
            .map_or(d.sl_abandons, |p| match p {
                "ignore" => SlProfile::Ignore,
                "positive" => SlProfile::Positive,
                _ => SlProfile::Negative,
            }),
            fcr_window: self.fcr_window.clone().unwrap_or(d.fcr_window),
            timezone: self.timezone.clone().unwrap_or(d.timezone),
            from_rows: false,
        })
    }
}

/// The 23 KPIs over a period (`callboard kpi --format json`).
#[utoipa::path(get, path = "/api/kpi", tag = "metrics", params(KpiParams),
    responses(
        (status = 200, description = "The JSON of `callboard kpi --format json` (docs/cli.md)", body = serde_json::Value),
        (status = 400, description = "A parameter cannot be used", body = ErrorBody),
        (status = 404, description = "The store holds no calls", body = ErrorBody)))]
async fn kpi(State(s): State<AppState>, RawQuery(raw): RawQuery) -> Result<Response, ApiError> {
    let p: KpiParams = params::parse(raw.as_deref(), &["queue"])?;
    let q = p.query()?;
    s.store_json("kpi", raw, move |store| {
        serde_json::to_vec(&crate::query::kpi::run(store, &q)?).map_err(encode)
    })
    .await
}

fn encode(e: serde_json::Error) -> ApiError {
    ApiError::internal("encoding the answer", &e)
}

/// Parameters of `/api/tickets` (the flags of `callboard tickets`; the desk
/// policy: a policy file is never named by a request).
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct TicketsParams {
    /// Tickets created from (RFC 3339 or a date).
    from: Option<String>,
    /// Tickets created before.
    to: Option<String>,
    /// Evaluate as of this moment [default: the latest timestamp in the tickets].
    as_of: Option<String>,
    /// IANA zone [UTC].
    timezone: Option<String>,
    /// total, day, week or month.
    by: Option<String>,
    /// kind, category, severity, channel or department.
    group: Option<String>,
    /// An open ticket due within this is at risk (24h).
    at_risk: Option<String>,
}

impl TicketsParams {
    /// The query the CLI would build.
    pub fn query(&self) -> Result<TicketsQuery, ApiError> {
        let d = TicketsQuery::default();
        Ok(TicketsQuery {
            period: period(&self.from, &self.to),
            as_of: self.as_of.clone(),
            timezone: self.timezone.clone().unwrap_or(d.timezone),
            by: by_of("by", &self.by, &["total", "day", "week", "month"])?.unwrap_or(d.by),
            group: choice(
                "group",
                &self.group,
                &["kind", "category", "severity", "channel", "department"],
            )?
            .map(|g| match g {
                "kind" => TicketGroup::Kind,
                "category" => TicketGroup::Category,
                "severity" => TicketGroup::Severity,
                "channel" => TicketGroup::Channel,
                _ => TicketGroup::Department,
            }),
            policy: None,
            at_risk: self.at_risk.clone().unwrap_or(d.at_risk),
            repeat_contacts: true,
        })
    }
}

/// Ticket SLAs against the desk policy (`callboard tickets --format json`).
#[utoipa::path(get, path = "/api/tickets", tag = "metrics", params(TicketsParams),
    responses(
        (status = 200, description = "The JSON of `callboard tickets --format json`", body = serde_json::Value),
        (status = 400, description = "A parameter cannot be used", body = ErrorBody),
        (status = 404, description = "The store holds no tickets", body = ErrorBody)))]
async fn tickets(State(s): State<AppState>, RawQuery(raw): RawQuery) -> Result<Response, ApiError> {
    let p: TicketsParams = params::parse(raw.as_deref(), &[])?;
    let q = p.query()?;
    s.store_json("tickets", raw, move |store| {
        serde_json::to_vec(&crate::query::tickets::run(store, &q)?).map_err(encode)
    })
    .await
}

/// Parameters of `/api/staff` (the flags of `callboard staff`).
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct StaffParams {
    /// Calls offered in the interval (required).
    #[param(value_type = f64)]
    calls: Option<String>,
    /// Average handle time, seconds (required).
    #[param(value_type = f64)]
    aht: Option<String>,
    /// Interval length, minutes [30].
    #[param(value_type = Option<f64>)]
    interval_minutes: Option<String>,
    /// Share to answer within sl_seconds [0.8].
    #[param(value_type = Option<f64>)]
    sl_target: Option<String>,
    /// Service-level threshold, seconds [20].
    #[param(value_type = Option<f64>)]
    sl_seconds: Option<String>,
    /// erlang-c, erlang-a or erlang-b.
    model: Option<String>,
    /// Callers' mean patience, seconds (erlang-a).
    #[param(value_type = Option<f64>)]
    patience: Option<String>,
    /// Cap on the abandon rate (erlang-a).
    #[param(value_type = Option<f64>)]
    max_abandon: Option<String>,
    /// Cap on the average speed of answer, seconds.
    #[param(value_type = Option<f64>)]
    max_asa: Option<String>,
    /// Blocking target (erlang-b).
    #[param(value_type = Option<f64>)]
    max_blocking: Option<String>,
    /// Share of paid time off the phones [0].
    #[param(value_type = Option<f64>)]
    shrinkage: Option<String>,
    /// Cap on occupancy.
    #[param(value_type = Option<f64>)]
    max_occupancy: Option<String>,
    /// Fractional agents as well (the answer's `fractional_agents`).
    #[param(value_type = Option<bool>)]
    fractional: Option<String>,
}

impl StaffParams {
    /// The query the CLI would build.
    pub fn query(&self) -> Result<(StaffQuery, bool), ApiError> {
        let d = StaffQuery::default();
        let need = |name: &str, v: &Option<String>| {
            number(name, v)?.ok_or_else(|| {
                ApiError::bad_parameter(format!("{name} is required (e.g. calls=100&aht=180)"))
            })
        };
        Ok((
            StaffQuery {
                calls: need("calls", &self.calls)?,
                aht_s: need("aht", &self.aht)?,
                interval_minutes: number("interval_minutes", &self.interval_minutes)?,
                sl_target: number("sl_target", &self.sl_target)?.unwrap_or(d.sl_target),
                sl_seconds: number("sl_seconds", &self.sl_seconds)?.unwrap_or(d.sl_seconds),
                model: choice("model", &self.model, &["erlang-c", "erlang-a", "erlang-b"])?.map_or(
                    d.model,
                    |m| match m {
                        "erlang-a" => ModelKind::ErlangA,
                        "erlang-b" => ModelKind::ErlangB,
                        _ => ModelKind::ErlangC,
                    },
                ),
                patience_s: number("patience", &self.patience)?,
                max_abandon: number("max_abandon", &self.max_abandon)?,
                max_asa_s: number("max_asa", &self.max_asa)?,
                max_blocking: number("max_blocking", &self.max_blocking)?,
                shrinkage: number("shrinkage", &self.shrinkage)?.unwrap_or(d.shrinkage),
                max_occupancy: number("max_occupancy", &self.max_occupancy)?,
            },
            flag("fractional", &self.fractional)?.unwrap_or(false),
        ))
    }
}

/// Agents one interval needs (`callboard staff --format json`); reads no store.
#[utoipa::path(get, path = "/api/staff", tag = "staffing", params(StaffParams),
    responses(
        (status = 200, description = "The JSON of `callboard staff --format json`", body = serde_json::Value),
        (status = 400, description = "A parameter cannot be used", body = ErrorBody)))]
async fn staff(RawQuery(raw): RawQuery) -> Result<Response, ApiError> {
    let p: StaffParams = params::parse(raw.as_deref(), &[])?;
    let (q, fractional) = p.query()?;
    let answer = crate::query::staffing::run(&q, fractional)?.answer;
    Ok(Json(answer).into_response())
}

/// Parameters of `/api/forecast` (the flags of `callboard forecast`, from the
/// store's calls).
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ForecastParams {
    /// First forecast interval [default: the interval after the calls end].
    from: Option<String>,
    /// How far ahead [14d].
    horizon: Option<String>,
    /// 15m, 30m or 60m [30m].
    interval: Option<String>,
    /// Only these queues.
    #[serde(default)]
    queue: Vec<String>,
    /// auto, or one method's name.
    method: Option<String>,
    /// IANA zone of the centre's wall clock [UTC].
    timezone: Option<String>,
    /// Weekly origins of the backtest [8].
    #[param(value_type = Option<u32>)]
    backtest_weeks: Option<String>,
}

impl ForecastParams {
    /// The query the CLI would build (history: the store's calls, never a file).
    pub fn query(&self) -> Result<ForecastQuery, ApiError> {
        let d = ForecastQuery::default();
        Ok(ForecastQuery {
            from: self.from.clone(),
            horizon: self.horizon.clone().unwrap_or(d.horizon.clone()),
            interval: self.interval.clone().unwrap_or(d.interval.clone()),
            queue: self.queue.clone(),
            method: self.method.clone().unwrap_or(d.method.clone()),
            timezone: self.timezone.clone().unwrap_or(d.timezone.clone()),
            backtest_weeks: count("backtest_weeks", &self.backtest_weeks)?
                .unwrap_or(d.backtest_weeks),
            ..d
        })
    }
}

/// Calls per queue and interval ahead with their bands (`callboard forecast
/// --format json`, from the store's calls).
#[utoipa::path(get, path = "/api/forecast", tag = "planning", params(ForecastParams),
    responses(
        (status = 200, description = "The JSON of `callboard forecast --format json`", body = serde_json::Value),
        (status = 400, description = "A parameter cannot be used", body = ErrorBody),
        (status = 404, description = "The store holds no calls to forecast from", body = ErrorBody)))]
async fn forecast(
    State(s): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let p: ForecastParams = params::parse(raw.as_deref(), &["queue"])?;
    let q = p.query()?;
    s.store_json("forecast", raw, move |store| {
        serde_json::to_vec(&crate::query::forecast::run(Some(store), &q)?).map_err(encode)
    })
    .await
}

/// Parameters of `/api/roster/coverage`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct CoverageParams {
    /// Period start [default: the first call's day].
    from: Option<String>,
    /// Period end, exclusive.
    to: Option<String>,
    /// 15m, 30m or 60m [30m].
    interval: Option<String>,
    /// Only these queues' calls.
    #[serde(default)]
    queue: Vec<String>,
    /// IANA zone [UTC].
    timezone: Option<String>,
    /// Service-level threshold, seconds [20].
    #[param(value_type = Option<f64>)]
    sl_seconds: Option<String>,
    /// Share to answer within it [0.8].
    #[param(value_type = Option<f64>)]
    sl_target: Option<String>,
}

impl CoverageParams {
    /// The coverage question.
    pub fn query(&self) -> Result<CoverageQuery, ApiError> {
        let d = CoverageQuery::default();
        Ok(CoverageQuery {
            period: period(&self.from, &self.to),
            interval: self.interval.clone().unwrap_or(d.interval),
            queue: self.queue.clone(),
            timezone: self.timezone.clone().unwrap_or(d.timezone),
            sl_seconds: number("sl_seconds", &self.sl_seconds)?.unwrap_or(d.sl_seconds),
            sl_target: number("sl_target", &self.sl_target)?.unwrap_or(d.sl_target),
        })
    }
}

/// The roster's coverage: per interval, the agents the calls needed (Erlang C)
/// against the agents the store's schedules put on work.
#[utoipa::path(get, path = "/api/roster/coverage", tag = "planning", params(CoverageParams),
    responses(
        (status = 200, description = "settings, rows (interval_start, offered, aht_s, required, scheduled, gap) and totals", body = serde_json::Value),
        (status = 400, description = "A parameter cannot be used", body = ErrorBody),
        (status = 404, description = "The store holds no schedules (no_roster) or no calls (no_data)", body = ErrorBody)))]
async fn roster_coverage(
    State(s): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let p: CoverageParams = params::parse(raw.as_deref(), &["queue"])?;
    let q = p.query()?;
    s.store_json("coverage", raw, move |store| {
        serde_json::to_vec(&crate::query::coverage::run(store, &q)?).map_err(encode)
    })
    .await
}

/// Parameters of `/api/status`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct StatusParams {
    /// Read every stored file back (slow on a big store).
    #[param(value_type = Option<bool>)]
    verify: Option<String>,
}

/// What the store holds (`callboard status --format json`).
#[utoipa::path(get, path = "/api/status", tag = "store", params(StatusParams),
    responses(
        (status = 200, description = "The JSON of `callboard status --format json`", body = serde_json::Value),
        (status = 400, description = "A parameter cannot be used", body = ErrorBody)))]
async fn status(State(s): State<AppState>, RawQuery(raw): RawQuery) -> Result<Response, ApiError> {
    let p: StatusParams = params::parse(raw.as_deref(), &[])?;
    let q = StatusQuery {
        verify: flag("verify", &p.verify)?.unwrap_or(false),
    };
    s.any_store_json("status", raw, move |store| {
        serde_json::to_vec(&crate::query::status::run(store, &q)?).map_err(encode)
    })
    .await
}

/// Parameters of `/api/live` and `/api/live/events`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct LiveParams {
    /// Only these queues (and their agents); the `all` row stays.
    #[serde(default)]
    queue: Vec<String>,
}

/// The wallboard's snapshot of the followed queue_logs: per queue, calls waiting,
/// longest wait, agents by state, today so far; every agent's state.
#[utoipa::path(get, path = "/api/live", tag = "live", params(LiveParams),
    responses(
        (status = 200, description = "The live snapshot (docs/cli.md)", body = serde_json::Value),
        (status = 400, description = "A parameter cannot be used", body = ErrorBody)))]
async fn live(State(s): State<AppState>, RawQuery(raw): RawQuery) -> Result<Response, ApiError> {
    let p: LiveParams = params::parse(raw.as_deref(), &["queue"])?;
    Ok(Json(s.live().current().only(&p.queue)).into_response())
}

/// The live snapshots as server-sent events (`event: live`, data: the snapshot's
/// JSON): the current one on connecting, then one per change.
#[utoipa::path(get, path = "/api/live/events", tag = "live", params(LiveParams),
    responses(
        (status = 200, description = "text/event-stream of live snapshots", content_type = "text/event-stream", body = String),
        (status = 400, description = "A parameter cannot be used", body = ErrorBody)))]
async fn live_events(
    State(s): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let p: LiveParams = params::parse(raw.as_deref(), &["queue"])?;
    let hub = Arc::clone(s.live());
    let rx = hub.subscribe();
    let first = hub.current();
    let queues = p.queue;
    let event = move |snap: &LiveSnapshot| -> Result<Event, Infallible> {
        Ok(Event::default()
            .event("live")
            .id(snap.seq.to_string())
            .data(serde_json::to_string(&snap.only(&queues)).unwrap_or_else(|_| "{}".into())))
    };
    let closing = hub.closing();
    let stream = futures_util::stream::unfold(
        (Some(first), rx, hub, event, closing),
        |(pending, mut rx, hub, event, mut closing)| async move {
            if let Some(snap) = pending {
                let ev = event(&snap);
                return Some((ev, (None, rx, hub, event, closing)));
            }
            if *closing.borrow() {
                return None;
            }
            let snap = tokio::select! {
                got = rx.recv() => match got {
                    Ok(snap) => snap,
                    // A slow client skipped some: it gets the latest, never a stale one.
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => hub.current(),
                    Err(tokio::sync::broadcast::error::RecvError::Closed) => return None,
                },
                _ = closing.wait_for(|c| *c) => return None,
            };
            let ev = event(&snap);
            Some((ev, (None, rx, hub, event, closing)))
        },
    );
    Ok(Sse::new(stream)
        .keep_alive(KeepAlive::default())
        .into_response())
}

/// The SSE route, kept outside the request timeout (see `super::router`).
pub fn event_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(live_events))
}

/// Parameters of `POST /api/ingest`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct IngestParams {
    /// The table (calls, agent_states, schedules, qa, costs, headcount, tickets,
    /// agents) or queue_log [default: recognised from the header].
    kind: Option<String>,
    /// Zone of timestamps without an offset [UTC].
    timezone: Option<String>,
    /// csv or parquet [default: recognised from the content].
    format: Option<String>,
    /// Validate and report without writing.
    #[param(value_type = Option<bool>)]
    dry_run: Option<String>,
}

/// Loads the request body (one CSV, Parquet or queue_log file) into the store and
/// answers the ingest summary (`callboard ingest --format json`). Needs
/// `Authorization: Bearer <token>`.
#[utoipa::path(post, path = "/api/ingest", tag = "store", params(IngestParams),
    request_body(content = String, description = "The file's bytes", content_type = "application/octet-stream"),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The JSON of `callboard ingest --format json`", body = serde_json::Value),
        (status = 400, description = "The file or a parameter cannot be used", body = ErrorBody),
        (status = 401, description = "No token, or the wrong one", body = ErrorBody),
        (status = 403, description = "Writes are disabled (the server has no token)", body = ErrorBody),
        (status = 409, description = "Another ingest is writing", body = ErrorBody),
        (status = 413, description = "The body is over the limit", body = ErrorBody)))]
async fn ingest(
    State(s): State<AppState>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
    body: Bytes,
) -> Result<Response, ApiError> {
    s.authorize(&headers)?;
    let p: IngestParams = params::parse(raw.as_deref(), &[])?;
    let (kind, queue_log) =
        parse_kind(p.kind.as_deref()).map_err(|e| ApiError::bad_parameter(format!("kind: {e}")))?;
    let zone = TimeZoneSpec::parse(p.timezone.as_deref().unwrap_or("UTC"))
        .map_err(|e| ApiError::bad_parameter(format!("timezone: {e}")))?;
    let parquet = match choice("format", &p.format, &["csv", "parquet"])? {
        Some(f) => f == "parquet",
        None => body.starts_with(b"PAR1"),
    };
    if body.is_empty() {
        return Err(ApiError::bad_parameter(
            "the body is empty: send the file's bytes (curl --data-binary @calls.csv)",
        ));
    }
    let dry_run = flag("dry_run", &p.dry_run)?.unwrap_or(false);
    let path = s.upload_path(if parquet { "parquet" } else { "csv" });
    let data_dir = s.data_dir().to_path_buf();
    let permit = s.heavy_permit().await?;
    let result = tokio::task::spawn_blocking(move || {
        let _permit = permit;
        std::fs::write(&path, &body).map_err(|e| ApiError::internal("saving the upload", &e))?;
        let req = LoadRequest {
            files: vec![path.clone()],
            mapping: None,
            options: IngestOptions {
                kind,
                zone,
                dry_run,
                progress: false,
                queue_log,
                ring_seconds: 6.0,
                summaries: true,
            },
        };
        let out = crate::ingest::load(&data_dir, &req);
        let _gone = std::fs::remove_file(&path);
        Ok::<_, ApiError>(out?)
    })
    .await
    .map_err(|e| ApiError::internal("the ingest task", &e))??;
    Ok(Json(result).into_response())
}
