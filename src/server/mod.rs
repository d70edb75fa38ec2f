//! `callboard serve`: the JSON API (`/api/…`, OpenAPI at `/api/openapi.json`), the
//! supervisor's dashboard (`/`), the roster page (`/roster`), an agent's day
//! (`/agents/{id}`) and the live wallboard (`/wallboard`, fed by server-sent events
//! from followed queue_logs), with axum on tokio.
//!
//! [`router`] builds the whole application from an [`AppState`] (no socket: tests
//! drive it with `tower::ServiceExt::oneshot`); [`serve`] runs it on a listener until
//! the shutdown future resolves, finishing the requests in flight. Handlers are thin:
//! parameters → a `query::*` request → its JSON or a template. Store work runs on
//! the blocking pool, at most [`ServerConfig::heavy_queries`] at once, and JSON
//! answers are cached per store version (the manifest's identity on disk: every
//! commit replaces it).
//!
//! Security: the address defaults to 127.0.0.1; writes (`POST /api/ingest`) need
//! `Authorization: Bearer <token>` compared in constant time, and are disabled
//! without a configured token; bodies are capped; every request but the event
//! stream has a timeout; a request value that looks like a file path is refused
//! (no file name ever comes from a request); pages are escaped by their templates
//! and served with a strict Content-Security-Policy (scripts and styles only from
//! the binary's own `/assets/`).

pub mod api;
pub mod error;
pub mod live;
pub mod pages;
pub mod params;

use crate::store::Store;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Request};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use error::ApiError;
use live::Hub;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;

/// The server's settings.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// The store.
    pub data_dir: PathBuf,
    /// The bearer token writes need (`None`: writes disabled).
    pub token: Option<String>,
    /// Largest request body, bytes.
    pub body_limit_bytes: usize,
    /// Longest a request (other than the event stream) may take.
    pub request_timeout: Duration,
    /// Store queries run at once; more wait their turn.
    pub heavy_queries: usize,
    /// The centre's name on the pages.
    pub centre: String,
    /// A forecast file (`callboard forecast --output F.csv`): the dashboard's
    /// forecast-against-actual chart, the wallboard's offered against forecast.
    pub forecast: Option<PathBuf>,
}

impl ServerConfig {
    /// Defaults for a store at `data_dir`: no token, 64 MiB bodies, 30 s timeout,
    /// as many heavy queries as cores.
    pub fn new(data_dir: PathBuf) -> ServerConfig {
        ServerConfig {
            data_dir,
            token: None,
            body_limit_bytes: 64 << 20,
            request_timeout: Duration::from_secs(30),
            heavy_queries: std::thread::available_parallelism().map_or(2, |n| n.get()),
            centre: "Contact centre".into(),
            forecast: None,
        }
    }
}

/// What identifies a store version on disk: the manifest file's inode, size and
/// modification time (a commit renames a new manifest over the old one).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Stamp(u64, u64, i128);

fn stamp(dir: &Path) -> Option<Stamp> {
    use std::os::unix::fs::MetadataExt;
    let m = std::fs::metadata(dir.join("manifest.json")).ok()?;
    Some(Stamp(
        m.ino(),
        m.len(),
        i128::from(m.mtime()) * 1_000_000_000 + i128::from(m.mtime_nsec()),
    ))
}

/// Answers of the current store version, by route and query string: JSON bytes,
/// or a page's numbers.
#[derive(Default)]
struct Cache {
    stamp: Option<Stamp>,
    entries: HashMap<String, Arc<dyn std::any::Any + Send + Sync>>,
}

/// Entries kept per store version (oldest dropped first is not tracked: the map
/// is cleared when full; queries are cheap to redo).
const CACHE_ENTRIES: usize = 512;

struct Inner {
    config: ServerConfig,
    heavy: Arc<Semaphore>,
    cache: Mutex<Cache>,
    live: Arc<Hub>,
    upload_dir: PathBuf,
    uploads: AtomicU64,
}

impl Drop for Inner {
    /// The uploads' directory goes with the server (each upload's file is
    /// removed once loaded, but the directory itself used to stay behind).
    fn drop(&mut self) {
        let _absent_or_removed = std::fs::remove_dir_all(&self.upload_dir);
    }
}

/// Server states made by this process: each has its own uploads' directory.
static STATES: AtomicU64 = AtomicU64::new(0);

/// Shared by every handler (cheap to clone).
#[derive(Clone)]
pub struct AppState(Arc<Inner>);

impl AppState {
    /// The state for `config`, with `live` as the wallboard's hub.
    pub fn new(config: ServerConfig, live: Arc<Hub>) -> AppState {
        let upload_dir = std::env::temp_dir().join(format!(
            "callboard-upload-{}-{}",
            std::process::id(),
            STATES.fetch_add(1, Ordering::Relaxed)
        ));
        AppState(Arc::new(Inner {
            heavy: Arc::new(Semaphore::new(config.heavy_queries.max(1))),
            cache: Mutex::new(Cache::default()),
            live,
            upload_dir,
            uploads: AtomicU64::new(0),
            config,
        }))
    }

    /// The settings.
    pub fn config(&self) -> &ServerConfig {
        &self.0.config
    }

    /// The store directory.
    pub fn data_dir(&self) -> &Path {
        &self.0.config.data_dir
    }

    /// Where uploaded bodies wait while they load (made at the first upload,
    /// removed with the state).
    pub fn upload_dir(&self) -> &Path {
        &self.0.upload_dir
    }

    /// The live hub.
    pub fn live(&self) -> &Arc<Hub> {
        &self.0.live
    }

    /// Refuses a write without the right bearer token (401), or any write when the
    /// server has no token (403).
    pub fn authorize(&self, headers: &HeaderMap) -> Result<(), ApiError> {
        use subtle::ConstantTimeEq;
        let Some(token) = &self.0.config.token else {
            return Err(ApiError {
                status: StatusCode::FORBIDDEN,
                code: "writes_disabled",
                message:
                    "writes are disabled: start the server with --token-file or CALLBOARD_TOKEN"
                        .into(),
            });
        };
        let given = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .ok_or_else(|| {
                ApiError::unauthorized("send the token as `Authorization: Bearer <token>`")
            })?;
        if bool::from(given.trim().as_bytes().ct_eq(token.as_bytes())) {
            Ok(())
        } else {
            Err(ApiError::unauthorized("the token is wrong"))
        }
    }

    /// A place for one uploaded body (a server-chosen name, never the client's).
    fn upload_path(&self, extension: &str) -> PathBuf {
        let _exists_or_made = std::fs::create_dir_all(&self.0.upload_dir);
        let n = self.0.uploads.fetch_add(1, Ordering::Relaxed);
        self.0.upload_dir.join(format!("upload-{n}.{extension}"))
    }

    /// Waits for a turn among the heavy queries.
    async fn heavy_permit(&self) -> Result<OwnedSemaphorePermit, ApiError> {
        Arc::clone(&self.0.heavy)
            .acquire_owned()
            .await
            .map_err(|e| ApiError::internal("waiting for a query slot", &e))
    }

    fn cached<T: Send + Sync + 'static>(&self, key: &str, now: Option<Stamp>) -> Option<Arc<T>> {
        let cache = self.0.cache.lock().unwrap_or_else(|p| p.into_inner());
        (cache.stamp == now && now.is_some())
            .then(|| cache.entries.get(key).cloned())
            .flatten()
            .and_then(|v| v.downcast::<T>().ok())
    }

    fn remember(
        &self,
        key: String,
        at: Option<Stamp>,
        bytes: Arc<dyn std::any::Any + Send + Sync>,
    ) {
        let mut cache = self.0.cache.lock().unwrap_or_else(|p| p.into_inner());
        // Kept only if the store did not change while the query ran.
        if at.is_none() || stamp(self.data_dir()) != at {
            return;
        }
        if cache.stamp != at || cache.entries.len() >= CACHE_ENTRIES {
            cache.entries.clear();
            cache.stamp = at;
        }
        cache.entries.insert(key, bytes);
    }

    /// Runs `f` on the store (open, non-empty) on the blocking pool and answers its
    /// JSON, from the cache when the same route and query string were answered for
    /// this store version.
    pub async fn store_json(
        &self,
        route: &str,
        raw_query: Option<String>,
        f: impl FnOnce(&Store) -> Result<Vec<u8>, ApiError> + Send + 'static,
    ) -> Result<Response, ApiError> {
        self.run_json(route, raw_query, true, f).await
    }

    /// As [`AppState::store_json`], for questions an empty store answers.
    pub async fn any_store_json(
        &self,
        route: &str,
        raw_query: Option<String>,
        f: impl FnOnce(&Store) -> Result<Vec<u8>, ApiError> + Send + 'static,
    ) -> Result<Response, ApiError> {
        self.run_json(route, raw_query, false, f).await
    }

    async fn run_json(
        &self,
        route: &str,
        raw_query: Option<String>,
        non_empty: bool,
        f: impl FnOnce(&Store) -> Result<Vec<u8>, ApiError> + Send + 'static,
    ) -> Result<Response, ApiError> {
        let key = format!("{route}?{}", raw_query.unwrap_or_default());
        let at = stamp(self.data_dir());
        if let Some(bytes) = self.cached::<Vec<u8>>(&key, at) {
            return Ok(json_bytes(bytes));
        }
        let bytes = self.blocking(move |store| f(store), non_empty).await?;
        let bytes = Arc::new(bytes);
        self.remember(key, at, Arc::clone(&bytes) as _);
        Ok(json_bytes(bytes))
    }

    /// Runs `f` on the (non-empty) store, or answers its value for this store
    /// version from the cache.
    pub async fn cached_value<T: Send + Sync + 'static>(
        &self,
        key: String,
        f: impl FnOnce(&Store) -> Result<T, ApiError> + Send + 'static,
    ) -> Result<Arc<T>, ApiError> {
        let at = stamp(self.data_dir());
        if let Some(v) = self.cached::<T>(&key, at) {
            return Ok(v);
        }
        let v = Arc::new(self.blocking(f, true).await?);
        self.remember(key, at, Arc::clone(&v) as _);
        Ok(v)
    }

    /// Runs `f` on the opened store on the blocking pool, under the heavy-query cap.
    pub async fn blocking<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Store) -> Result<T, ApiError> + Send + 'static,
        non_empty: bool,
    ) -> Result<T, ApiError> {
        let permit = self.heavy_permit().await?;
        let dir = self.data_dir().to_path_buf();
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            let store = if non_empty {
                crate::query::open_store(&dir)?
            } else {
                crate::query::open_any_store(&dir)?
            };
            f(&store)
        })
        .await
        .map_err(|e| ApiError::internal("the query task", &e))?
    }
}

fn json_bytes(bytes: Arc<Vec<u8>>) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        bytes.as_ref().clone(),
    )
        .into_response()
}

/// The OpenAPI document's frame (the paths come from the handlers).
#[derive(OpenApi)]
#[openapi(
    info(
        title = "callboard",
        description = "Contact-centre metrics and workforce management: the JSON of the callboard CLI over HTTP (docs/server.md).",
        license(name = "MIT OR Apache-2.0")
    ),
    modifiers(&BearerAuth),
    tags(
        (name = "metrics", description = "KPIs and ticket SLAs"),
        (name = "staffing", description = "Erlang staffing"),
        (name = "planning", description = "Forecasts and roster coverage"),
        (name = "live", description = "The followed queue_logs, now"),
        (name = "store", description = "What the store holds; loading files")
    )
)]
struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The OpenAPI document of every API route.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let (_, doc) = OpenApiRouter::<AppState>::with_openapi(ApiDoc::openapi())
        .merge(api::routes())
        .merge(api::event_routes())
        .split_for_parts();
    doc
}

/// The whole application.
pub fn router(state: AppState) -> Router {
    let config = state.config().clone();
    let (api, mut doc) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(api::routes())
        .split_for_parts();
    let (events, events_doc) = OpenApiRouter::new()
        .merge(api::event_routes())
        .split_for_parts();
    doc.merge(events_doc);
    let doc = Arc::new(doc);
    let timed = api
        .merge(pages::routes())
        .route(
            "/api/openapi.json",
            axum::routing::get(move || {
                let doc = Arc::clone(&doc);
                async move { axum::Json(doc.as_ref().clone()) }
            }),
        )
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            config.request_timeout,
        ));
    timed
        .merge(events)
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(config.body_limit_bytes))
        .layer(axum::middleware::from_fn(guard))
        .with_state(state)
}

async fn not_found() -> ApiError {
    ApiError::not_found(
        "not_found",
        "no such page or route; the API's routes are listed at /api/openapi.json",
    )
}

/// Refuses requests whose path or query values look like file paths, turns
/// framework errors (413, 405, timeouts) into the API's JSON, and adds the security
/// headers to every answer.
async fn guard(req: Request, next: Next) -> Response {
    let path = percent_decode(req.uri().path());
    let bad = path.split('/').any(|seg| seg == "..")
        || path.contains("..\\")
        || path.contains('\0')
        || req.uri().query().is_some_and(|q| {
            form_urlencoded::parse(q.as_bytes())
                .any(|(k, v)| params::looks_like_path(&k) || params::looks_like_path(&v))
        });
    let mut response = if bad {
        ApiError::bad_parameter(
            "a value looks like a file path; callboard never reads files named by a request",
        )
        .into_response()
    } else {
        let response = next.run(req).await;
        json_errors(response)
    };
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
        ),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    response
}

/// Framework answers without a JSON body (body too large, wrong method, timeout)
/// get the API's error shape.
fn json_errors(response: Response) -> Response {
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if is_json || response.status().is_success() || response.status().is_redirection() {
        return response;
    }
    let status = response.status();
    let (code, message) = match status {
        StatusCode::PAYLOAD_TOO_LARGE => (
            "payload_too_large",
            "the body is over the server's limit (--body-limit)".to_owned(),
        ),
        StatusCode::METHOD_NOT_ALLOWED => (
            "method_not_allowed",
            "this route does not take that method".to_owned(),
        ),
        StatusCode::SERVICE_UNAVAILABLE | StatusCode::REQUEST_TIMEOUT => (
            "timeout",
            "the request took longer than the server's timeout".to_owned(),
        ),
        StatusCode::UNSUPPORTED_MEDIA_TYPE | StatusCode::BAD_REQUEST => {
            ("bad_request", "the request cannot be read".to_owned())
        }
        _ => return response,
    };
    ApiError {
        status,
        code,
        message,
    }
    .into_response()
}

fn percent_decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8_lossy()
        .into_owned()
}

/// Serves `router(state)` on `listener` until `shutdown` resolves, then finishes
/// the requests in flight (event streams end at once).
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let hub = Arc::clone(state.live());
    axum::serve(listener, router(state))
        .with_graceful_shutdown(async move {
            shutdown.await;
            // Event streams never end on their own: close them so the requests in
            // flight can finish.
            hub.close();
        })
        .await
}

/// Resolves on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ignored = tokio::signal::ctrl_c().await;
    };
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}
