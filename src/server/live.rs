//! The live wallboard's state: followed queue_logs (`serve --follow`) are loaded
//! batch by batch as `ingest --follow` loads them, and each batch's replay hands
//! over what it knows at its last line — the calls waiting or with an agent and
//! every agent's state ([`LiveState`]) — plus the calls it finished, which are
//! counted into today's figures per queue. Nothing here reads stored rows: the
//! picture is the replay's. Every change makes a new [`LiveSnapshot`] (numbered by
//! `seq`), kept as the current one and broadcast to the server-sent-event clients.

use crate::ingest::IngestOptions;
use crate::ingest::queue_log::{FollowBatch, follow_until};
use crate::query::report::ForecastInterval;
use callboard_core::kpi::calls::{CallAccum, CallRow, CallSettings, SlAbandons};
use callboard_core::queue_log::{LiveAgent, LiveState};
use callboard_core::schema::Outcome;
use callboard_core::time::{DAY_MS, TimeZoneSpec, format_timestamp};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use tokio::sync::broadcast;

/// A green/amber/red band: green at or better than `green`, amber at or better
/// than `amber`, red beyond.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Band {
    /// The green limit.
    pub green: f64,
    /// The amber limit.
    pub amber: f64,
}

/// The wallboard's colour thresholds.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct Thresholds {
    /// Service level so far today (higher is better).
    pub service_level: Band,
    /// Abandon rate so far today (lower is better).
    pub abandon_rate: Band,
    /// Calls waiting now (lower is better).
    pub waiting: Band,
    /// Longest current wait, seconds (lower is better).
    pub longest_wait_s: Band,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            // The manual's 80 % in 20 s; amber down to 70 %.
            service_level: Band {
                green: 0.80,
                amber: 0.70,
            },
            // The manual's 3–5 % target; red past 10 %.
            abandon_rate: Band {
                green: 0.05,
                amber: 0.10,
            },
            waiting: Band {
                green: 2.0,
                amber: 5.0,
            },
            // The service-level threshold; red at three times it.
            longest_wait_s: Band {
                green: 20.0,
                amber: 60.0,
            },
        }
    }
}

/// The wallboard's settings (`serve --wallboard-config FILE`, TOML).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct WallboardConfig {
    /// IANA zone whose midnight starts "today".
    pub timezone: String,
    /// Service-level threshold, seconds.
    pub sl_seconds: f64,
    /// Abandons at or under this wait are misdials, left out of today's figures.
    pub short_abandon_seconds: f64,
    /// Seconds after a call an agent counts as in wrap-up (queue_log logs no
    /// wrap-up; set it to the queues' `wrapuptime`). 0: no wrap-up state.
    pub wrap_up_seconds: f64,
    /// How often the followed files are looked at, milliseconds.
    pub poll_ms: u64,
    /// Colours.
    pub thresholds: Thresholds,
}

impl Default for WallboardConfig {
    fn default() -> Self {
        WallboardConfig {
            timezone: "UTC".into(),
            sl_seconds: 20.0,
            short_abandon_seconds: 5.0,
            wrap_up_seconds: 0.0,
            poll_ms: 200,
            thresholds: Thresholds::default(),
        }
    }
}

impl WallboardConfig {
    /// Reads and checks a config file.
    pub fn read(path: &Path) -> anyhow::Result<WallboardConfig> {
        use anyhow::Context;
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        let config: WallboardConfig =
            toml::from_str(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
        TimeZoneSpec::parse(&config.timezone)
            .map_err(|e| anyhow::anyhow!("{}: timezone: {e}", path.display()))?;
        for (name, v) in [
            ("sl_seconds", config.sl_seconds),
            ("short_abandon_seconds", config.short_abandon_seconds),
            ("wrap_up_seconds", config.wrap_up_seconds),
        ] {
            if !(v.is_finite() && v >= 0.0) {
                anyhow::bail!("{}: {name} must be a number ≥ 0", path.display());
            }
        }
        Ok(config)
    }
}

/// Agents of a queue by state.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct AgentCounts {
    /// Logged in, ready, not on a call.
    pub available: u64,
    /// On a call.
    pub on_call: u64,
    /// Within `wrap_up_seconds` of a call's end.
    pub wrap_up: u64,
    /// Paused (not ready).
    pub paused: u64,
    /// Seen in the log, logged off now.
    pub logged_off: u64,
}

/// A queue's figures since local midnight.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Today {
    /// Offered calls (answered + abandoned + timed out; short abandons left out).
    pub offered: u64,
    /// Answered.
    pub answered: u64,
    /// Abandoned (short abandons left out).
    pub abandoned: u64,
    /// Answered within the threshold ÷ offered (`None`: nothing offered yet).
    pub service_level: Option<f64>,
    /// Abandoned ÷ offered.
    pub abandon_rate: Option<f64>,
    /// Calls the forecast (`serve --forecast FILE`) expected from midnight to now
    /// (the current interval prorated); `None` without a forecast.
    pub forecast_so_far: Option<f64>,
}

/// The colour of each watched figure.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Colours {
    /// Calls waiting.
    pub waiting: &'static str,
    /// Longest current wait.
    pub longest_wait: &'static str,
    /// Service level today (`none` before any call).
    pub service_level: &'static str,
    /// Abandon rate today.
    pub abandon_rate: &'static str,
}

/// One queue on the wallboard (the `all` row sums every queue).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct QueueLive {
    /// The queue (`all` for the whole centre).
    pub queue: String,
    /// Calls waiting now.
    pub waiting: u64,
    /// The longest current wait, seconds (0 with nobody waiting).
    pub longest_wait_s: f64,
    /// Agents by state (an agent in several queues counts in each).
    pub agents: AgentCounts,
    /// Paused agents by reason (`""`: no reason given).
    pub paused_reasons: BTreeMap<String, u64>,
    /// Today so far.
    pub today: Today,
    /// Green, amber or red per figure.
    pub status: Colours,
}

/// One agent on the wallboard.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AgentLive {
    /// Agent id.
    pub agent_id: String,
    /// available, on_call, wrap_up, paused or logged_off.
    pub state: &'static str,
    /// Pause reason.
    pub reason: Option<String>,
    /// Since when (RFC 3339).
    pub since: String,
    /// Seconds in the state at `as_of`.
    pub seconds_in_state: f64,
    /// Queues.
    pub queues: Vec<String>,
}

/// What `/api/live` answers and `/api/live/events` sends (docs/cli.md).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LiveSnapshot {
    /// Numbered from 1 in the order made; 0 before the first batch.
    pub seq: u64,
    /// The moment the figures are for (RFC 3339): now, or the log's last line when
    /// that is more than a day old (a replayed log, `replay` true).
    pub as_of: String,
    /// Whether `as_of` is the end of an old log rather than now.
    pub replay: bool,
    /// The last line's time in the followed logs.
    pub last_line_at: Option<String>,
    /// The followed files.
    pub following: Vec<String>,
    /// Problems following them (a file missing, the store busy), by file.
    pub errors: BTreeMap<String, String>,
    /// Per queue, by name, then `all`.
    pub queues: Vec<QueueLive>,
    /// Every agent seen, by id.
    pub agents: Vec<AgentLive>,
}

/// Today's counting: the calls finished, by local day, each counted once.
#[derive(Default)]
struct Counted {
    /// Local day → (call ids seen, per-queue accumulators).
    days: BTreeMap<i32, (HashSet<String>, BTreeMap<String, CallAccum>)>,
}

struct HubState {
    seq: u64,
    live: LiveState,
    agents: BTreeMap<String, LiveAgent>,
    counted: Counted,
    last_event_s: Option<i64>,
    errors: BTreeMap<String, String>,
}

/// The live picture, shared by the followers (writers) and the routes (readers).
pub struct Hub {
    config: WallboardConfig,
    /// The forecast's intervals and their length, ms.
    forecast: Vec<ForecastInterval>,
    forecast_interval_ms: i64,
    zone: TimeZoneSpec,
    following: Vec<String>,
    state: Mutex<HubState>,
    current: RwLock<Arc<LiveSnapshot>>,
    tx: broadcast::Sender<Arc<LiveSnapshot>>,
    closed: tokio::sync::watch::Sender<bool>,
}

/// Seconds since the epoch, now.
pub fn now_s() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

fn colour_high(v: Option<f64>, b: Band) -> &'static str {
    match v {
        None => "none",
        Some(v) if v >= b.green => "green",
        Some(v) if v >= b.amber => "amber",
        Some(_) => "red",
    }
}

fn colour_low(v: Option<f64>, b: Band) -> &'static str {
    match v {
        None => "none",
        Some(v) if v <= b.green => "green",
        Some(v) if v <= b.amber => "amber",
        Some(_) => "red",
    }
}

impl Hub {
    /// A hub for `following` (shown names of the followed files).
    pub fn new(config: WallboardConfig, following: Vec<String>) -> Hub {
        let zone = TimeZoneSpec::parse(&config.timezone).unwrap_or(TimeZoneSpec::Utc);
        let (tx, _) = broadcast::channel(256);
        let hub = Hub {
            config,
            forecast: Vec::new(),
            forecast_interval_ms: 30 * 60_000,
            zone,
            following,
            state: Mutex::new(HubState {
                seq: 0,
                live: LiveState::default(),
                agents: BTreeMap::new(),
                counted: Counted::default(),
                last_event_s: None,
                errors: BTreeMap::new(),
            }),
            current: RwLock::new(Arc::new(LiveSnapshot {
                seq: 0,
                as_of: format_timestamp((now_s() * 1000.0) as i64),
                replay: false,
                last_line_at: None,
                following: Vec::new(),
                errors: BTreeMap::new(),
                queues: Vec::new(),
                agents: Vec::new(),
            })),
            tx,
            closed: tokio::sync::watch::Sender::new(false),
        };
        hub.publish(now_s());
        hub
    }

    /// The hub with a forecast to compare today's offered calls with; the
    /// intervals' length is the smallest spacing of their starts (30 min for one).
    pub fn with_forecast(mut self, forecast: Vec<ForecastInterval>) -> Hub {
        let mut starts: Vec<i64> = forecast.iter().map(|f| f.start_ms).collect();
        starts.sort_unstable();
        starts.dedup();
        self.forecast_interval_ms = starts
            .windows(2)
            .map(|w| w[1] - w[0])
            .min()
            .unwrap_or(30 * 60_000)
            .max(60_000);
        self.forecast = forecast;
        self.publish(now_s());
        self
    }

    /// Forecast calls of `queue` (all queues: `None`) from `from_ms` to `to_ms`,
    /// intervals prorated by overlap.
    fn forecast_between(&self, queue: Option<&str>, from_ms: i64, to_ms: i64) -> Option<f64> {
        if self.forecast.is_empty() {
            return None;
        }
        let len = self.forecast_interval_ms;
        Some(
            self.forecast
                .iter()
                .filter(|f| queue.is_none_or(|q| f.queue.as_deref() == Some(q)))
                .map(|f| {
                    let overlap = (f.start_ms + len).min(to_ms) - f.start_ms.max(from_ms);
                    f.calls * overlap.max(0) as f64 / len as f64
                })
                .sum(),
        )
    }

    /// The wallboard's settings.
    pub fn config(&self) -> &WallboardConfig {
        &self.config
    }

    /// The latest snapshot.
    pub fn current(&self) -> Arc<LiveSnapshot> {
        self.current
            .read()
            .map(|c| Arc::clone(&c))
            .unwrap_or_else(|p| Arc::clone(&p.into_inner()))
    }

    /// A receiver of every snapshot made from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<LiveSnapshot>> {
        self.tx.subscribe()
    }

    /// Ends every event stream (the server is shutting down).
    pub fn close(&self) {
        self.closed.send_replace(true);
    }

    /// Resolves once [`Hub::close`] has been called.
    pub fn closing(&self) -> tokio::sync::watch::Receiver<bool> {
        self.closed.subscribe()
    }

    /// Takes in one followed batch (at wall-clock `now`), then publishes.
    pub fn apply(&self, batch: FollowBatch, now: f64) {
        {
            let mut st = self.lock();
            let settings = CallSettings {
                sl_seconds: self.config.sl_seconds,
                short_abandon_seconds: self.config.short_abandon_seconds,
                sl_abandons: SlAbandons::Negative,
            };
            // Only the latest two local days are kept: today, and yesterday for a
            // log that runs past midnight.
            let newest = batch
                .finished
                .iter()
                .map(|c| self.local_day(c.arrived_s))
                .max();
            for c in batch.finished {
                let Some(outcome) = Outcome::from_word(c.outcome) else {
                    continue;
                };
                let day = self.local_day(c.arrived_s);
                if newest.is_some_and(|n| day + 1 < n) {
                    continue;
                }
                let (seen, queues) = st.counted.days.entry(day).or_default();
                if !seen.insert(c.call_id) {
                    continue;
                }
                queues.entry(c.queue).or_default().add(
                    &CallRow {
                        outcome,
                        wait_s: c.wait_s,
                        talk_s: c.talk_s,
                        hold_s: None,
                        acw_s: None,
                        rings: c.rings,
                        transferred: c.transferred,
                        resolved: None,
                    },
                    &settings,
                );
            }
            while st.counted.days.len() > 2 {
                st.counted.days.pop_first();
            }
            for a in &batch.live.agents {
                st.agents.insert(a.agent_id.clone(), a.clone());
            }
            st.last_event_s = st.last_event_s.max(batch.live.last_event_s);
            st.live = batch.live;
            st.errors.remove(&batch.summary.path);
        }
        self.publish(now);
    }

    /// Notes a problem following `file` (shown on the wallboard), then publishes.
    pub fn error(&self, file: &str, message: String, now: f64) {
        self.lock().errors.insert(file.to_owned(), message);
        self.publish(now);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HubState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn local_day(&self, t_s: i64) -> i32 {
        let ms = t_s * 1000;
        (ms + self.zone.offset_ms_at(ms)).div_euclid(DAY_MS) as i32
    }

    /// Makes the snapshot for `now`, stores it and sends it.
    fn publish(&self, now: f64) {
        let snapshot = {
            let mut st = self.lock();
            st.seq += 1;
            Arc::new(self.snapshot(&st, now))
        };
        if let Ok(mut c) = self.current.write() {
            *c = Arc::clone(&snapshot);
        }
        // No receivers is fine: nobody is watching.
        let _nobody_listening = self.tx.send(snapshot);
    }

    fn snapshot(&self, st: &HubState, now: f64) -> LiveSnapshot {
        let replay = st.last_event_s.is_some_and(|t| (now - t as f64) > 86_400.0);
        let as_of = match st.last_event_s {
            Some(t) if replay => t as f64,
            _ => now,
        };
        let today = self.local_day(as_of.floor() as i64);
        let wrap = self.config.wrap_up_seconds;
        let agents: Vec<AgentLive> = st
            .agents
            .values()
            .map(|a| {
                let state = match a.state {
                    "talk" => "on_call",
                    "not_ready" => "paused",
                    "logged_off" => "logged_off",
                    _ if a
                        .last_call_end_s
                        .is_some_and(|e| (as_of - e as f64) < wrap && e >= a.since_s) =>
                    {
                        "wrap_up"
                    }
                    _ => "available",
                };
                AgentLive {
                    agent_id: a.agent_id.clone(),
                    state,
                    reason: a.reason.clone(),
                    since: format_timestamp(a.since_s * 1000),
                    seconds_in_state: (as_of - a.since_s as f64).max(0.0),
                    queues: a.queues.clone(),
                }
            })
            .collect();
        let mut names: BTreeSet<String> = st.live.calls.iter().map(|c| c.queue.clone()).collect();
        names.extend(agents.iter().flat_map(|a| a.queues.iter().cloned()));
        let counted = st.counted.days.get(&today).map(|(_, q)| q);
        if let Some(q) = counted {
            names.extend(q.keys().cloned());
        }
        let t = &self.config.thresholds;
        let row = |name: &str, all: bool| {
            let mut q = QueueLive {
                queue: name.to_owned(),
                ..QueueLive::default()
            };
            for c in st
                .live
                .calls
                .iter()
                .filter(|c| all || c.queue == name)
                .filter(|c| c.answered_s.is_none())
            {
                q.waiting += 1;
                q.longest_wait_s = q.longest_wait_s.max((as_of - c.arrived_s as f64).max(0.0));
            }
            for a in agents
                .iter()
                .filter(|a| all || a.queues.iter().any(|x| x == name))
            {
                let n = &mut q.agents;
                match a.state {
                    "on_call" => n.on_call += 1,
                    "paused" => {
                        n.paused += 1;
                        *q.paused_reasons
                            .entry(a.reason.clone().unwrap_or_default())
                            .or_default() += 1;
                    }
                    "wrap_up" => n.wrap_up += 1,
                    "logged_off" => n.logged_off += 1,
                    _ => n.available += 1,
                }
            }
            let mut acc = CallAccum::default();
            if let Some(queues) = counted {
                for (qn, a) in queues {
                    if all || qn == name {
                        acc.merge(a);
                    }
                }
            }
            let k = acc.counts;
            let offered = acc.offered();
            let abandoned = k.abandoned - k.short_abandons;
            let figures = acc.figures();
            let figure = |id: &str| {
                figures
                    .iter()
                    .find(|(i, _)| *i == id)
                    .and_then(|(_, f)| f.value)
            };
            let now_ms = (as_of * 1000.0) as i64;
            let midnight = {
                let guess = i64::from(today) * DAY_MS;
                guess - self.zone.offset_ms_at(guess)
            };
            q.today = Today {
                offered,
                answered: k.answered,
                abandoned,
                service_level: figure("service_level"),
                abandon_rate: figure("abandon_rate"),
                forecast_so_far: self.forecast_between((!all).then_some(name), midnight, now_ms),
            };
            q.status = Colours {
                waiting: colour_low(Some(q.waiting as f64), t.waiting),
                longest_wait: colour_low(Some(q.longest_wait_s), t.longest_wait_s),
                service_level: colour_high(q.today.service_level, t.service_level),
                abandon_rate: colour_low(q.today.abandon_rate, t.abandon_rate),
            };
            q
        };
        let mut queues: Vec<QueueLive> = names.iter().map(|n| row(n, false)).collect();
        queues.push(row("all", true));
        LiveSnapshot {
            seq: st.seq,
            as_of: format_timestamp((as_of * 1000.0).round() as i64),
            replay,
            last_line_at: st.last_event_s.map(|t| format_timestamp(t * 1000)),
            following: self.following.clone(),
            errors: st.errors.clone(),
            queues,
            agents,
        }
    }
}

impl LiveSnapshot {
    /// The snapshot with only `queues` (and their agents), plus the `all` row;
    /// itself, not a copy, when `queues` is empty.
    pub fn only(&self, queues: &[String]) -> std::borrow::Cow<'_, LiveSnapshot> {
        if queues.is_empty() {
            return std::borrow::Cow::Borrowed(self);
        }
        let mut s = self.clone();
        s.queues
            .retain(|q| q.queue == "all" || queues.contains(&q.queue));
        s.agents
            .retain(|a| a.queues.iter().any(|q| queues.contains(q)));
        std::borrow::Cow::Owned(s)
    }
}

/// Starts one thread per followed file, feeding `hub` until `stop` is set; a
/// follower that fails (file missing, store busy) says so on the wallboard and
/// tries again a second later.
pub fn spawn_followers(
    hub: Arc<Hub>,
    data_dir: PathBuf,
    files: Vec<PathBuf>,
    opts: IngestOptions,
    stop: Arc<AtomicBool>,
) -> Vec<std::thread::JoinHandle<()>> {
    files
        .into_iter()
        .map(|file| {
            let (hub, data_dir, opts, stop) = (
                Arc::clone(&hub),
                data_dir.clone(),
                opts.clone(),
                Arc::clone(&stop),
            );
            let poll = std::time::Duration::from_millis(hub.config.poll_ms.max(10));
            std::thread::spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    let result = follow_until(&data_dir, &file, &opts, poll, &stop, |batch| {
                        hub.apply(batch, now_s())
                    });
                    match result {
                        Ok(()) => break,
                        Err(e) => {
                            hub.error(&file.display().to_string(), e.to_string(), now_s());
                            std::thread::sleep(std::time::Duration::from_secs(1));
                        }
                    }
                }
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_follow_the_bands_in_their_direction() {
        let b = Band {
            green: 0.8,
            amber: 0.7,
        };
        assert_eq!(colour_high(Some(0.8), b), "green");
        assert_eq!(colour_high(Some(0.75), b), "amber");
        assert_eq!(colour_high(Some(0.69), b), "red");
        assert_eq!(colour_high(None, b), "none");
        let w = Band {
            green: 2.0,
            amber: 5.0,
        };
        assert_eq!(colour_low(Some(2.0), w), "green");
        assert_eq!(colour_low(Some(5.0), w), "amber");
        assert_eq!(colour_low(Some(6.0), w), "red");
    }

    #[test]
    fn the_shipped_config_reads_and_unknown_keys_are_refused() {
        let shipped = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample_data/wallboard.toml");
        let c = WallboardConfig::read(&shipped).expect("the shipped config reads");
        assert_eq!(c.wrap_up_seconds, 15.0);
        assert_eq!(c.thresholds, Thresholds::default());
        let dir = std::env::temp_dir().join(format!("callboard-wallboard-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let bad = dir.join("bad.toml");
        std::fs::write(&bad, "sl_secs = 20\n").expect("write");
        let e = WallboardConfig::read(&bad).expect_err("unknown key");
        assert!(e.to_string().contains("sl_secs"), "{e}");
        std::fs::write(&bad, "timezone = \"Mars/Base\"\n").expect("write");
        assert!(WallboardConfig::read(&bad).is_err());
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn the_forecast_so_far_prorates_the_current_interval() {
        // Half-hour intervals from 08:00: sales 10, 20, 30; support 4 at 08:00. At
        // 08:45 sales expected 10 + 20 × 1/2 = 20 calls, all queues 24.
        let t = |hh: i64, mm: i64| 1_772_409_600_000 + (hh * 60 + mm) * 60_000; // 2026-03-02T00:00Z
        let row = |start_ms, queue: &str, calls| ForecastInterval {
            start_ms,
            queue: Some(queue.into()),
            calls,
            lo80: None,
            hi80: None,
        };
        let hub = Hub::new(WallboardConfig::default(), Vec::new()).with_forecast(vec![
            row(t(8, 0), "sales", 10.0),
            row(t(8, 30), "sales", 20.0),
            row(t(9, 0), "sales", 30.0),
            row(t(8, 0), "support", 4.0),
        ]);
        assert_eq!(
            hub.forecast_between(Some("sales"), t(0, 0), t(8, 45)),
            Some(20.0)
        );
        assert_eq!(hub.forecast_between(None, t(0, 0), t(8, 45)), Some(24.0));
        assert_eq!(
            hub.forecast_between(Some("billing"), t(0, 0), t(8, 45)),
            Some(0.0)
        );
        let none = Hub::new(WallboardConfig::default(), Vec::new());
        assert_eq!(none.forecast_between(None, t(0, 0), t(8, 45)), None);
    }
}
