//! `callboard serve`: flags → the server's settings → [`crate::server::serve`] on a
//! tokio runtime, until Ctrl-C or SIGTERM.

use super::DataDir;
use crate::ingest::IngestOptions;
use crate::server::live::{Hub, WallboardConfig, spawn_followers};
use crate::server::{AppState, ServerConfig};
use anyhow::{Context, Result, bail};
use callboard_core::time::TimeZoneSpec;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// Flags of `callboard serve`.
///
/// Serves the JSON API (/api/…, its OpenAPI document at /api/openapi.json), the
/// supervisor's dashboard (/), the roster (/roster) and the live wallboard
/// (/wallboard) from the store. With --follow, each queue_log named is loaded as it
/// grows (as `ingest --follow` does) and the wallboard shows its calls waiting and
/// agents by state within a second of each new line.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  callboard serve                                   # http://127.0.0.1:8080/
  callboard serve --follow /var/log/asterisk/queue_log --wallboard-config wallboard.toml
  export CALLBOARD_TOKEN=$(openssl rand -hex 24)    # 16+ characters: enables POST /api/ingest
  callboard serve &
  curl -H \"Authorization: Bearer $CALLBOARD_TOKEN\" --data-binary @calls.csv \\
       'http://127.0.0.1:8080/api/ingest?kind=calls'

For a wall screen: open http://HOST:8080/wallboard?queue=sales in a browser in
full-screen (F11); it reconnects by itself. docs/server.md has the routes, the token,
and the wallboard's config file.")]
pub struct Args {
    #[command(flatten)]
    data: DataDir,
    /// Address to listen on. Anything but loopback exposes the store's figures to
    /// the network: put a token on writes and a proxy with TLS in front.
    #[arg(long, default_value = "127.0.0.1:8080", value_name = "IP:PORT")]
    addr: SocketAddr,
    /// Raw Asterisk queue_log files to follow for the wallboard (loaded into the
    /// store as they grow).
    #[arg(long, value_name = "QUEUE_LOG", num_args = 1..)]
    follow: Vec<PathBuf>,
    /// A file holding the bearer token that writes (POST /api/ingest) need
    /// [default: $CALLBOARD_TOKEN; without either, writes are disabled].
    #[arg(long, value_name = "FILE")]
    token_file: Option<PathBuf>,
    /// The wallboard's settings (TOML: timezone, sl_seconds, wrap_up_seconds,
    /// [thresholds.*] green/amber limits; docs/server.md).
    #[arg(long, value_name = "FILE")]
    wallboard_config: Option<PathBuf>,
    /// A forecast file (`callboard forecast --output F.csv`): the dashboard shows it
    /// against the calls that came, the wallboard today's offered calls against it.
    #[arg(long, value_name = "FILE")]
    forecast: Option<PathBuf>,
    /// The centre's name on the pages.
    #[arg(long, default_value = "Contact centre", value_name = "NAME")]
    centre: String,
    /// Largest request body, MiB.
    #[arg(long, default_value_t = 64, value_name = "MIB")]
    body_limit: usize,
    /// Longest a request may take (the event stream excepted), seconds.
    #[arg(long, default_value_t = 30, value_name = "S")]
    timeout: u64,
}

/// Runs `callboard serve`.
pub fn run(args: Args) -> Result<ExitCode> {
    let data_dir = args.data.path();
    let token = match &args.token_file {
        Some(f) => Some(
            std::fs::read_to_string(f)
                .with_context(|| format!("cannot read the token file {}", f.display()))?
                .trim()
                .to_owned(),
        ),
        None => std::env::var("CALLBOARD_TOKEN")
            .ok()
            .map(|t| t.trim().to_owned()),
    }
    .filter(|t| !t.is_empty());
    if token.as_ref().is_some_and(|t| t.len() < 16) {
        bail!(
            "the token is shorter than 16 characters: use a long random one (e.g. `openssl rand -hex 24`)"
        );
    }
    let wallboard = match &args.wallboard_config {
        Some(f) => WallboardConfig::read(f)?,
        None => WallboardConfig::default(),
    };
    for f in &args.follow {
        if !f.is_file() {
            bail!(
                "{}: no such file to follow (give a raw queue_log)",
                f.display()
            );
        }
    }
    if !args.addr.ip().is_loopback() && token.is_none() {
        eprintln!(
            "warning: listening on {} (not loopback) without a token: anyone who can reach it reads the store's figures; writes stay disabled",
            args.addr
        );
    }
    let following: Vec<String> = args
        .follow
        .iter()
        .map(|f| f.display().to_string())
        .collect();
    let config = ServerConfig {
        token,
        body_limit_bytes: args.body_limit.max(1) << 20,
        request_timeout: std::time::Duration::from_secs(args.timeout.max(1)),
        centre: args.centre.clone(),
        forecast: args.forecast.clone(),
        ..ServerConfig::new(data_dir.clone())
    };
    let zone =
        TimeZoneSpec::parse(&wallboard.timezone).map_err(|e| anyhow::anyhow!("timezone: {e}"))?;
    let mut hub = Hub::new(wallboard, following);
    if let Some(f) = &args.forecast {
        hub = hub.with_forecast(crate::query::report::read_forecast(f, &zone)?);
    }
    let hub = Arc::new(hub);
    let stop = Arc::new(AtomicBool::new(false));
    let opts = IngestOptions {
        kind: None,
        zone,
        dry_run: false,
        progress: false,
        queue_log: true,
        ring_seconds: 6.0,
        summaries: true,
    };
    let followers = spawn_followers(
        Arc::clone(&hub),
        data_dir.clone(),
        args.follow.clone(),
        opts,
        Arc::clone(&stop),
    );
    let state = AppState::new(config, hub);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(args.addr)
            .await
            .with_context(|| format!("cannot listen on {} (in use? try --addr 127.0.0.1:8081)", args.addr))?;
        let local = listener.local_addr().context("cannot read the bound address")?;
        eprintln!(
            "callboard serving {} on http://{local}/ (wallboard: /wallboard, API: /api/openapi.json); Ctrl-C stops",
            data_dir.display()
        );
        crate::server::serve(listener, state, crate::server::shutdown_signal())
            .await
            .context("the server failed")
    })?;
    stop.store(true, Ordering::Relaxed);
    for f in followers {
        let _finished = f.join();
    }
    eprintln!("callboard stopped");
    Ok(ExitCode::SUCCESS)
}
