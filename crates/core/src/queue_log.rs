//! Asterisk `queue_log` events → canonical calls and agent states.
//!
//! Input is a list of [`QueueLogEvent`]s in the stock Asterisk field order (the
//! adapters map PBXware's re-packed columns onto it). [`assemble`] sorts them by time
//! (stable: lines in file order for equal times), drops exact duplicate lines, and
//! replays them:
//!
//! * one **call** per queue visit (`uniqueid` + queue + enter time): ENTERQUEUE opens
//!   it (arrival, caller id); CONNECT answers it (wait = its hold time, agent, rings =
//!   ⌈ring time / ring seconds⌉); COMPLETEAGENT, COMPLETECALLER, TRANSFER,
//!   BLINDTRANSFER and ATTENDEDTRANSFER end it with its talk time (transfers flagged);
//!   ABANDON ends it as abandoned, EXITWITHTIMEOUT, EXITWITHKEY, EXITEMPTY and WITHDRAW
//!   as a timeout, each with its wait; FULL, JOINEMPTY and JOINUNAVAIL are blocked
//!   calls on their own. A call that times out of one queue and enters another is two
//!   visits, two rows.
//! * **agent states**: logged in by ADDMEMBER, AGENTLOGIN, AGENTCALLBACKLOGIN; logged
//!   out by REMOVEMEMBER, AGENTLOGOFF, AGENTCALLBACKLOGOFF; `not_ready` between PAUSE
//!   (or PAUSEALL) and UNPAUSE (UNPAUSEALL), with the reason; `talk` from CONNECT to the
//!   call's end; `ready` otherwise while logged in. Agents are named by their member
//!   interface without technology and context (`Agent/1127`, `Local/1127@ctx`,
//!   `SIP/1127` are all `1127`).
//! * every line is accounted for once: part of a finished call or a state change
//!   (`used`), a line seen before (`duplicate`), a line of a call still in progress at
//!   the end (`open`: handed back to be replayed with the next part of the log), or a
//!   line with no call to attach to (`skipped`, counted by event name: NONE/MANAGER
//!   system lines, outbound OUT* events, QUEUESTART, CONFIGRELOAD, custom events).

use rustc_hash::FxHashMap;
use std::collections::{BTreeMap, HashSet};

/// One queue_log line, in stock Asterisk field order. Its nine text fields live in
/// one string (one allocation a line instead of nine), read through the accessors.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct QueueLogEvent {
    /// Line number in its file (or its position in the replayed backlog).
    pub line: u64,
    /// Event time, seconds since the Unix epoch.
    pub time_s: i64,
    /// callid, queue, agent, event, data1 … data5, one after another.
    text: Box<str>,
    /// Where each field ends in `text`.
    ends: [usize; 9],
}

impl QueueLogEvent {
    /// A line from its fields.
    pub fn new(
        line: u64,
        time_s: i64,
        callid: &str,
        queue: &str,
        agent: &str,
        event: &str,
        data: [&str; 5],
    ) -> Self {
        let fields = [
            callid, queue, agent, event, data[0], data[1], data[2], data[3], data[4],
        ];
        let mut text = String::with_capacity(fields.iter().map(|f| f.len()).sum());
        let mut ends = [0usize; 9];
        for (end, f) in ends.iter_mut().zip(fields) {
            text.push_str(f);
            *end = text.len();
        }
        QueueLogEvent {
            line,
            time_s,
            text: text.into_boxed_str(),
            ends,
        }
    }

    fn field(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.text[start..self.ends[i]]
    }

    /// The caller channel's uniqueid (`NONE`, `MANAGER`, … for system lines).
    pub fn callid(&self) -> &str {
        self.field(0)
    }

    /// Queue name, or `NONE`.
    pub fn queue(&self) -> &str {
        self.field(1)
    }

    /// Member interface, or `NONE`.
    pub fn agent(&self) -> &str {
        self.field(2)
    }

    /// Event name.
    pub fn event(&self) -> &str {
        self.field(3)
    }

    /// data1 … data5 (`i` = 0 … 4).
    pub fn data(&self, i: usize) -> &str {
        self.field(4 + i)
    }

    /// All five data fields.
    pub fn data_fields(&self) -> [&str; 5] {
        std::array::from_fn(|i| self.data(i))
    }
}

/// A finished queue visit.
#[derive(Debug, Clone, PartialEq)]
pub struct AssembledCall {
    /// `uniqueid:queue:enter-epoch`, stable across re-ingests.
    pub call_id: String,
    /// Queue.
    pub queue: String,
    /// Arrival (ENTERQUEUE), seconds since the epoch.
    pub arrived_s: i64,
    /// `answered`, `abandoned`, `timeout` or `blocked`.
    pub outcome: &'static str,
    /// Wait in queue, seconds.
    pub wait_s: f64,
    /// Answering agent.
    pub agent_id: Option<String>,
    /// Talk time, seconds (answered calls).
    pub talk_s: Option<f64>,
    /// Rings heard before answer.
    pub rings: Option<u32>,
    /// Transferred by the agent.
    pub transferred: bool,
    /// Caller id number.
    pub caller_id: Option<String>,
    /// The line that ended the visit.
    pub line: u64,
}

/// One agent-state interval.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssembledState {
    /// Agent.
    pub agent_id: String,
    /// `ready`, `talk` or `not_ready`.
    pub state: &'static str,
    /// Start, seconds since the epoch.
    pub start_s: i64,
    /// End, seconds since the epoch.
    pub end_s: i64,
    /// Pause reason.
    pub reason: Option<String>,
    /// The line that ended the interval.
    pub line: u64,
}

/// A line that is not a queue_log line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineProblem {
    /// Line number.
    pub line: u64,
    /// Why.
    pub reason: String,
    /// The line as read.
    pub text: String,
}

/// `s.trim()`, without its per-character scan when neither end can be whitespace
/// (the usual field: first and last bytes plain ASCII non-space).
fn trimmed(s: &str) -> &str {
    let plain = |b: Option<&u8>| b.is_some_and(|b| b.is_ascii() && !b.is_ascii_whitespace());
    if plain(s.as_bytes().first()) && plain(s.as_bytes().last()) {
        s
    } else {
        s.trim()
    }
}

/// Parses raw `epoch|callid|queue|agent|event|data1…|data5` lines; `first_line`
/// numbers the first. A time without a decimal epoch is read as a timestamp in `zone`.
/// Returns the events, the lines that could not be read, and the count of non-blank
/// lines (= events + problems).
pub fn parse_raw_lines(
    text: &str,
    first_line: u64,
    zone: &crate::time::TimeZoneSpec,
) -> (Vec<QueueLogEvent>, Vec<LineProblem>, u64) {
    let mut events = Vec::new();
    let mut problems = Vec::new();
    let mut lines = 0u64;
    for (i, raw) in text.lines().enumerate() {
        let line = first_line + i as u64;
        if trimmed(raw).is_empty() {
            continue;
        }
        lines += 1;
        let mut f = raw.splitn(10, '|');
        let mut next = || f.next().map(trimmed);
        let (t, callid, queue, agent, event) = (next(), next(), next(), next(), next());
        let (Some(t), Some(callid), Some(queue), Some(agent), Some(event)) =
            (t, callid, queue, agent, event)
        else {
            let n = raw.split('|').count();
            problems.push(LineProblem {
                line,
                reason: format!("not a queue_log line: {n} fields, at least 5 needed (epoch|callid|queue|agent|event)"),
                text: raw.to_owned(),
            });
            continue;
        };
        let time_s = match t.parse::<i64>() {
            Ok(s) => Ok(s),
            Err(_) => match t.parse::<f64>() {
                Ok(x) if x.is_finite() => Ok(x.floor() as i64),
                _ => crate::time::parse_timestamp(t, zone)
                    .map(|ms| ms.div_euclid(1000))
                    .map_err(|e| e.to_string()),
            },
        };
        // Epochs beyond ±3 000 years from 1970 cannot be times of calls.
        let time_s = time_s.and_then(|t| {
            if t.abs() <= 100_000_000_000 {
                Ok(t)
            } else {
                Err(format!("{t} is out of range for an epoch"))
            }
        });
        match time_s {
            Ok(time_s) => {
                let data: [&str; 5] = std::array::from_fn(|_| next().unwrap_or(""));
                events.push(QueueLogEvent::new(
                    line, time_s, callid, queue, agent, event, data,
                ));
            }
            Err(e) => problems.push(LineProblem {
                line,
                reason: format!("time: {e}"),
                text: raw.to_owned(),
            }),
        }
    }
    (events, problems, lines)
}

/// What the replay produced.
#[derive(Debug, Clone, Default)]
pub struct Assembled {
    /// Finished calls.
    pub calls: Vec<AssembledCall>,
    /// Closed agent-state intervals.
    pub states: Vec<AssembledState>,
    /// Lines used by finished calls and closed states.
    pub used: u64,
    /// Exact repeats of a line already seen.
    pub duplicates: u64,
    /// Lines with no call or state to attach to, by event name.
    pub skipped: BTreeMap<String, u64>,
    /// Lines to replay with the next part of the log: those of calls still in progress,
    /// and synthetic lines that restore the sessions of agents still logged in.
    pub open: Vec<QueueLogEvent>,
    /// How many of the input lines are held back in `open` (calls in progress);
    /// `used + duplicates + skipped + open_input_lines` = the lines given.
    pub open_input_lines: u64,
    /// Calls still in progress.
    pub open_calls: u64,
    /// What is happening at the last line replayed: the calls queued or being
    /// answered, and every agent's state (the wallboard's live picture).
    pub live: LiveState,
}

/// The state at the end of a replay: what a wallboard shows.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LiveState {
    /// Calls in a queue or with an agent, oldest first.
    pub calls: Vec<LiveCall>,
    /// Every agent the replay saw, by id: logged in (ready, talk, not_ready) or
    /// logged off.
    pub agents: Vec<LiveAgent>,
    /// Time of the last line replayed, seconds since the epoch (`None`: no lines).
    pub last_event_s: Option<i64>,
}

/// A call in progress: waiting in its queue, or answered and not yet ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveCall {
    /// Queue.
    pub queue: String,
    /// The call's id (`uniqueid:queue:enter-epoch`).
    pub call_id: String,
    /// ENTERQUEUE time, seconds since the epoch.
    pub arrived_s: i64,
    /// CONNECT time (`None`: still waiting).
    pub answered_s: Option<i64>,
    /// The agent on the call.
    pub agent_id: Option<String>,
}

/// One agent's state at the end of the replay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveAgent {
    /// Agent id (member interface without technology and context).
    pub agent_id: String,
    /// `ready`, `talk`, `not_ready` or `logged_off`.
    pub state: &'static str,
    /// Pause reason (`not_ready` only; `None` when the PAUSE gave none).
    pub reason: Option<String>,
    /// Since when the state holds, seconds since the epoch.
    pub since_s: i64,
    /// Queues the agent is a member of (logged off: the queues it was last in).
    pub queues: Vec<String>,
    /// When the agent's last call ended (for wrap-up, which queue_log does not log).
    pub last_call_end_s: Option<i64>,
}

/// How rings are derived from ring time.
#[derive(Debug, Clone, Copy)]
pub struct AssemblyOptions {
    /// Seconds per ring (`--ring-seconds`, default 6).
    pub ring_seconds: f64,
}

impl Default for AssemblyOptions {
    fn default() -> Self {
        AssemblyOptions { ring_seconds: 6.0 }
    }
}

/// The agent id of a member interface: `Agent/1127`, `Local/1127@ctx/n`, `SIP/1127-0001`
/// → `1127`; anything without a technology prefix is kept as it is.
pub fn agent_id(interface: &str) -> String {
    agent_name(interface).to_owned()
}

/// [`agent_id`] as a slice of the interface (no allocation).
pub fn agent_name(interface: &str) -> &str {
    let s = interface.trim();
    let s = s.split_once('/').map_or(s, |(_, rest)| rest);
    s.split('@').next().unwrap_or(s)
}

fn num(s: &str) -> Option<f64> {
    s.trim()
        .parse::<f64>()
        .ok()
        // A duration beyond ~30 years is garbage, not a wait.
        .filter(|x| x.is_finite() && *x >= 0.0 && *x < 1e9)
}

#[derive(Debug, Clone)]
struct Visit<'e> {
    call_id: String,
    queue: String,
    arrived_s: i64,
    caller: Option<String>,
    agent: Option<&'e str>,
    answered_s: Option<i64>,
    wait_s: Option<f64>,
    rings: Option<u32>,
    lines: Vec<usize>,
}

#[derive(Debug, Clone, Default)]
struct AgentSession {
    /// Queues (or the agent channel) that keep the agent logged in.
    memberships: HashSet<String>,
    paused: Option<String>,
    on_call: bool,
    /// Since when the current state holds, and the lines that belong to it.
    since: Option<i64>,
    lines: Vec<usize>,
    /// The last state change (login, logoff, pause, call), seconds.
    changed_s: i64,
    /// Queues the agent has been a member of (kept after logoff).
    known_queues: std::collections::BTreeSet<String>,
    /// When the agent's last call ended.
    last_call_end_s: Option<i64>,
}

impl AgentSession {
    fn logged_in(&self) -> bool {
        !self.memberships.is_empty() || self.on_call
    }

    fn state(&self) -> Option<(&'static str, Option<String>)> {
        if self.on_call {
            Some(("talk", None))
        } else if !self.memberships.is_empty() {
            match &self.paused {
                Some(r) => Some((
                    "not_ready",
                    if r.is_empty() { None } else { Some(r.clone()) },
                )),
                None => Some(("ready", None)),
            }
        } else {
            None
        }
    }
}

fn is_system(callid: &str) -> bool {
    matches!(callid, "NONE" | "MANAGER" | "CLI" | "REALTIME" | "")
}

/// Replays `events` (any order; duplicates allowed) into calls and agent states.
pub fn assemble(mut events: Vec<QueueLogEvent>, options: &AssemblyOptions) -> Assembled {
    let mut out = Assembled::default();
    // Exact duplicate lines (same time, ids, event and data) count once. After the
    // sort, repeats share a second, so each line is compared with its second's others.
    events.sort_by_key(|e| (e.time_s, e.line));
    let same = |a: &QueueLogEvent, b: &QueueLogEvent| a.ends == b.ends && a.text == b.text;
    // A digest of each kept line's fields, compared before the strings are.
    let digest = |e: &QueueLogEvent| {
        use std::hash::{Hash, Hasher};
        let mut h = rustc_hash::FxHasher::default();
        (&e.text, &e.ends).hash(&mut h);
        h.finish()
    };
    let mut keep: Vec<QueueLogEvent> = Vec::with_capacity(events.len());
    let mut kept_digest: Vec<u64> = Vec::with_capacity(events.len());
    let mut run_start = 0usize;
    for e in events {
        if keep.last().is_some_and(|l| l.time_s != e.time_s) {
            run_start = keep.len();
        }
        let d = digest(&e);
        if kept_digest[run_start..]
            .iter()
            .zip(&keep[run_start..])
            .any(|(kd, k)| *kd == d && same(k, &e))
        {
            out.duplicates += 1;
        } else {
            keep.push(e);
            kept_digest.push(d);
        }
    }
    let events = keep;
    let mut visits: FxHashMap<(&str, &str), Visit<'_>> = FxHashMap::default();
    let mut agents: FxHashMap<&str, AgentSession> = FxHashMap::default();
    let mut used = vec![false; events.len()];
    let mut skipped_idx: Vec<usize> = Vec::new();

    // Closes the agent's current interval at `t` (if any) and starts a new one.
    /// `at` = (time, line, index of the event).
    fn change<'e>(
        agents: &mut FxHashMap<&'e str, AgentSession>,
        out: &mut Assembled,
        used: &mut [bool],
        agent: &'e str,
        at: (i64, u64, usize),
        apply: &dyn Fn(&mut AgentSession),
    ) {
        let (t, line, idx) = at;
        let s = agents.entry(agent).or_default();
        if let (Some((state, reason)), Some(since)) = (s.state(), s.since)
            && t > since
        {
            out.states.push(AssembledState {
                agent_id: agent.to_owned(),
                state,
                start_s: since,
                end_s: t,
                reason,
                line,
            });
            for &i in &s.lines {
                used[i] = true;
            }
            s.lines.clear();
        }
        apply(s);
        s.lines.push(idx);
        s.changed_s = t;
        s.known_queues
            .extend(s.memberships.iter().filter(|m| *m != "(agent)").cloned());
        s.since = if s.logged_in() { Some(t) } else { None };
        if !s.logged_in() {
            for &i in &s.lines {
                used[i] = true;
            }
            s.lines.clear();
        }
    }

    for (idx, e) in events.iter().enumerate() {
        let ev = e.event();
        let key = (e.callid(), e.queue());
        match ev {
            "ENTERQUEUE" if !is_system(e.callid()) => {
                let caller = Some(e.data(1).trim().to_owned())
                    .filter(|c| !c.is_empty() && c != "unknown" && c != "anonymous");
                visits.insert(
                    key,
                    Visit {
                        call_id: format!("{}:{}:{}", e.callid(), e.queue(), e.time_s),
                        queue: e.queue().to_owned(),
                        arrived_s: e.time_s,
                        caller,
                        agent: None,
                        answered_s: None,
                        wait_s: None,
                        rings: None,
                        lines: vec![idx],
                    },
                );
            }
            "CONNECT" | "RINGNOANSWER" | "RINGCANCELED" if visits.contains_key(&key) => {
                let v = visits.get_mut(&key).expect("checked");
                v.lines.push(idx);
                if ev == "CONNECT" {
                    let agent = agent_name(e.agent());
                    v.wait_s =
                        num(e.data(0)).or(Some(e.time_s.saturating_sub(v.arrived_s).max(0) as f64));
                    v.rings =
                        num(e.data(2)).map(|r| ((r / options.ring_seconds).ceil() as u32).max(1));
                    v.agent = Some(agent);
                    v.answered_s = Some(e.time_s);
                    change(
                        &mut agents,
                        &mut out,
                        &mut used,
                        agent,
                        (e.time_s, e.line, idx),
                        &|s| s.on_call = true,
                    );
                }
            }
            "COMPLETEAGENT" | "COMPLETECALLER" | "TRANSFER" | "BLINDTRANSFER"
            | "ATTENDEDTRANSFER"
                if visits.contains_key(&key) =>
            {
                let mut v = visits.remove(&key).expect("checked");
                v.lines.push(idx);
                let (hold, talk) = match ev {
                    "COMPLETEAGENT" | "COMPLETECALLER" => (num(e.data(0)), num(e.data(1))),
                    _ => (num(e.data(2)), num(e.data(3))),
                };
                let agent: &str = v.agent.unwrap_or_else(|| agent_name(e.agent()));
                let wait = v.wait_s.or(hold).unwrap_or(0.0);
                let connect_s = v.arrived_s.saturating_add(wait.round() as i64);
                let talk = talk.unwrap_or_else(|| e.time_s.saturating_sub(connect_s).max(0) as f64);
                out.calls.push(AssembledCall {
                    call_id: v.call_id,
                    queue: v.queue,
                    arrived_s: v.arrived_s,
                    outcome: "answered",
                    wait_s: wait,
                    agent_id: Some(agent.to_owned()),
                    talk_s: Some(talk),
                    rings: v.rings,
                    transferred: ev.contains("TRANSFER"),
                    caller_id: v.caller,
                    line: e.line,
                });
                for i in v.lines {
                    used[i] = true;
                }
                change(
                    &mut agents,
                    &mut out,
                    &mut used,
                    agent,
                    (e.time_s, e.line, idx),
                    &|s| {
                        s.on_call = false;
                        s.last_call_end_s = Some(e.time_s);
                    },
                );
            }
            "ABANDON" | "EXITWITHTIMEOUT" | "EXITWITHKEY" | "EXITEMPTY" | "WITHDRAW"
                if visits.contains_key(&key) =>
            {
                let mut v = visits.remove(&key).expect("checked");
                v.lines.push(idx);
                let wait = match ev {
                    "EXITWITHKEY" => num(e.data(3)),
                    _ => num(e.data(2)),
                }
                .unwrap_or_else(|| e.time_s.saturating_sub(v.arrived_s).max(0) as f64);
                out.calls.push(AssembledCall {
                    call_id: v.call_id,
                    queue: v.queue,
                    arrived_s: v.arrived_s,
                    outcome: if ev == "ABANDON" {
                        "abandoned"
                    } else {
                        "timeout"
                    },
                    wait_s: wait,
                    agent_id: None,
                    talk_s: None,
                    rings: None,
                    transferred: false,
                    caller_id: v.caller,
                    line: e.line,
                });
                for i in v.lines {
                    used[i] = true;
                }
            }
            "FULL" | "JOINEMPTY" | "JOINUNAVAIL" if !is_system(e.callid()) => {
                out.calls.push(AssembledCall {
                    call_id: format!("{}:{}:{}", e.callid(), e.queue(), e.time_s),
                    queue: e.queue().to_owned(),
                    arrived_s: e.time_s,
                    outcome: "blocked",
                    wait_s: 0.0,
                    agent_id: None,
                    talk_s: None,
                    rings: None,
                    transferred: false,
                    caller_id: None,
                    line: e.line,
                });
                used[idx] = true;
            }
            "ADDMEMBER" | "AGENTLOGIN" | "AGENTCALLBACKLOGIN" => {
                let agent = agent_name(e.agent());
                let member = if ev == "ADDMEMBER" {
                    e.queue().to_owned()
                } else {
                    "(agent)".to_owned()
                };
                let paused = ev == "ADDMEMBER" && e.data(0).trim().eq_ignore_ascii_case("PAUSED");
                change(
                    &mut agents,
                    &mut out,
                    &mut used,
                    agent,
                    (e.time_s, e.line, idx),
                    &|s| {
                        s.memberships.insert(member.clone());
                        if paused {
                            s.paused = Some(String::new());
                        }
                    },
                );
            }
            "REMOVEMEMBER" | "AGENTLOGOFF" | "AGENTCALLBACKLOGOFF" => {
                let agent = agent_name(e.agent());
                let member = if ev == "REMOVEMEMBER" {
                    e.queue().to_owned()
                } else {
                    "(agent)".to_owned()
                };
                change(
                    &mut agents,
                    &mut out,
                    &mut used,
                    agent,
                    (e.time_s, e.line, idx),
                    &|s| {
                        s.memberships.remove(&member);
                        if s.memberships.is_empty() {
                            s.paused = None;
                        }
                    },
                );
            }
            "PAUSE" | "PAUSEALL" => {
                let agent = agent_name(e.agent());
                let reason = e.data(0).trim().to_owned();
                change(
                    &mut agents,
                    &mut out,
                    &mut used,
                    agent,
                    (e.time_s, e.line, idx),
                    &|s| s.paused = Some(reason.clone()),
                );
            }
            "UNPAUSE" | "UNPAUSEALL" => {
                let agent = agent_name(e.agent());
                change(
                    &mut agents,
                    &mut out,
                    &mut used,
                    agent,
                    (e.time_s, e.line, idx),
                    &|s| s.paused = None,
                );
            }
            _ => skipped_idx.push(idx),
        }
    }
    // Calls still running: their lines are replayed next time. Agents still logged in:
    // their lines are spent, and their state is carried as synthetic lines at the time
    // it began (a login per membership, a pause if paused), so the next replay
    // continues the same session.
    let open_idx: Vec<usize> = {
        let mut v: Vec<usize> = visits
            .values()
            .flat_map(|v| v.lines.iter().copied())
            .collect();
        v.sort_unstable();
        v.dedup();
        v
    };
    out.open_calls = visits.len() as u64;
    out.live = live_state(&visits, &agents, events.last().map(|e| e.time_s));
    let mut synthetic: Vec<QueueLogEvent> = Vec::new();
    let mut names: Vec<&&str> = agents.keys().collect();
    names.sort();
    for name in names {
        let s = &agents[*name];
        for &i in &s.lines {
            used[i] = true;
        }
        let Some(since) = s.since else { continue };
        let interface = format!("Agent/{name}");
        let mut memberships: Vec<&String> = s.memberships.iter().collect();
        memberships.sort();
        for m in memberships {
            let (queue, event) = if m == "(agent)" {
                ("NONE".to_owned(), "AGENTLOGIN")
            } else {
                (m.clone(), "ADDMEMBER")
            };
            synthetic.push(QueueLogEvent::new(
                0, since, "NONE", &queue, &interface, event, [""; 5],
            ));
        }
        if let Some(reason) = &s.paused {
            synthetic.push(QueueLogEvent::new(
                0,
                since,
                "NONE",
                "NONE",
                &interface,
                "PAUSEALL",
                [reason, "", "", "", ""],
            ));
        }
    }
    let open_set: HashSet<usize> = open_idx.iter().copied().collect();
    for i in &skipped_idx {
        *out.skipped
            .entry(events[*i].event().to_owned())
            .or_default() += 1;
    }
    let skipped: HashSet<usize> = skipped_idx.into_iter().collect();
    for (i, u) in used.iter().enumerate() {
        if *u && !open_set.contains(&i) {
            out.used += 1;
        } else if !u && !open_set.contains(&i) && !skipped.contains(&i) {
            // A line that joined nothing (e.g. CONNECT without ENTERQUEUE): skipped too.
            *out.skipped.entry(events[i].event().to_owned()).or_default() += 1;
        }
    }
    out.open_input_lines = open_idx.len() as u64;
    out.open = open_idx
        .into_iter()
        .map(|i| events[i].clone())
        .chain(synthetic)
        .collect();
    out
}

/// The calls and agents at the end of a replay, in a stable order.
fn live_state(
    visits: &FxHashMap<(&str, &str), Visit<'_>>,
    agents: &FxHashMap<&str, AgentSession>,
    last_event_s: Option<i64>,
) -> LiveState {
    let mut calls: Vec<LiveCall> = visits
        .values()
        .map(|v| LiveCall {
            queue: v.queue.clone(),
            call_id: v.call_id.clone(),
            arrived_s: v.arrived_s,
            answered_s: v.answered_s,
            agent_id: v.agent.map(str::to_owned),
        })
        .collect();
    calls.sort_by(|a, b| (a.arrived_s, &a.call_id).cmp(&(b.arrived_s, &b.call_id)));
    let mut live: Vec<LiveAgent> = agents
        .iter()
        .filter(|(name, _)| !name.is_empty() && **name != "NONE")
        .map(|(name, s)| {
            let (state, reason) = s.state().unwrap_or(("logged_off", None));
            let mut queues: Vec<String> = if s.logged_in() {
                s.memberships
                    .iter()
                    .filter(|m| *m != "(agent)")
                    .cloned()
                    .collect()
            } else {
                s.known_queues.iter().cloned().collect()
            };
            queues.sort();
            LiveAgent {
                agent_id: (*name).to_owned(),
                state,
                reason,
                since_s: s.since.unwrap_or(s.changed_s),
                queues,
                last_call_end_s: s.last_call_end_s,
            }
        })
        .collect();
    live.sort_by(|a, b| a.agent_id.cmp(&b.agent_id));
    LiveState {
        calls,
        agents: live,
        last_event_s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(
        line: u64,
        t: i64,
        callid: &str,
        queue: &str,
        agent: &str,
        event: &str,
        data: &[&str],
    ) -> QueueLogEvent {
        let d: [&str; 5] = std::array::from_fn(|i| data.get(i).copied().unwrap_or(""));
        QueueLogEvent::new(line, t, callid, queue, agent, event, d)
    }

    fn sample() -> Vec<QueueLogEvent> {
        vec![
            ev(1, 100, "NONE", "sales", "SIP/201", "ADDMEMBER", &[""]),
            ev(
                2,
                110,
                "c1",
                "sales",
                "NONE",
                "ENTERQUEUE",
                &["", "5551234", "1"],
            ),
            ev(3, 125, "c1", "sales", "SIP/201", "RINGNOANSWER", &["6000"]),
            ev(
                4,
                140,
                "c1",
                "sales",
                "SIP/201",
                "CONNECT",
                &["30", "c9", "13"],
            ),
            ev(
                5,
                440,
                "c1",
                "sales",
                "SIP/201",
                "COMPLETECALLER",
                &["30", "300", "1"],
            ),
            ev(
                6,
                450,
                "c2",
                "sales",
                "NONE",
                "ENTERQUEUE",
                &["", "5559999", "1"],
            ),
            ev(7, 470, "c2", "sales", "NONE", "ABANDON", &["1", "1", "20"]),
            ev(8, 500, "NONE", "NONE", "NONE", "QUEUESTART", &[]),
            ev(9, 600, "NONE", "sales", "SIP/201", "PAUSE", &["lunch"]),
            ev(10, 900, "NONE", "sales", "SIP/201", "UNPAUSE", &[""]),
            ev(11, 950, "c3", "sales", "NONE", "ENTERQUEUE", &["", "", "1"]),
            ev(12, 1000, "NONE", "sales", "SIP/201", "REMOVEMEMBER", &[""]),
            ev(13, 1001, "c4", "sales", "NONE", "FULL", &[]),
        ]
    }

    #[test]
    fn calls_are_built_from_their_events() {
        let a = assemble(sample(), &AssemblyOptions::default());
        assert_eq!(a.calls.len(), 3);
        let c1 = &a.calls[0];
        assert_eq!(
            (c1.outcome, c1.wait_s, c1.talk_s, c1.rings),
            ("answered", 30.0, Some(300.0), Some(3))
        );
        assert_eq!(c1.agent_id.as_deref(), Some("201"));
        assert_eq!(c1.caller_id.as_deref(), Some("5551234"));
        assert_eq!(c1.call_id, "c1:sales:110");
        assert_eq!((a.calls[1].outcome, a.calls[1].wait_s), ("abandoned", 20.0));
        assert_eq!(a.calls[2].outcome, "blocked");
        assert_eq!(a.open_calls, 1, "c3 never ended");
    }

    #[test]
    fn the_live_state_is_what_is_happening_at_the_last_line() {
        // After line 13: 201 logged off at 1000 (last in sales, last call ended at
        // 440); c3 waits in sales since 950.
        let a = assemble(sample(), &AssemblyOptions::default());
        assert_eq!(a.live.last_event_s, Some(1001));
        assert_eq!(a.live.calls.len(), 1);
        let c3 = &a.live.calls[0];
        assert_eq!(
            (c3.queue.as_str(), c3.arrived_s, c3.answered_s),
            ("sales", 950, None)
        );
        assert_eq!(a.live.agents.len(), 1);
        let agent = &a.live.agents[0];
        assert_eq!(
            (
                agent.agent_id.as_str(),
                agent.state,
                agent.since_s,
                agent.last_call_end_s
            ),
            ("201", "logged_off", 1000, Some(440))
        );
        assert_eq!(agent.queues, ["sales"]);

        // Cut after line 9 (201 paused for lunch at 600, nobody waiting), then the
        // rest with the carry: 202 logs in and takes c3 at 960.
        let events = sample();
        let first = assemble(events[..9].to_vec(), &AssemblyOptions::default());
        let paused = &first.live.agents[0];
        assert_eq!(
            (paused.state, paused.reason.as_deref(), paused.since_s),
            ("not_ready", Some("lunch"), 600)
        );
        assert!(first.live.calls.is_empty());
        let mut rest = events[9..11].to_vec();
        rest.push(ev(20, 955, "NONE", "sales", "SIP/202", "ADDMEMBER", &[""]));
        rest.push(ev(
            21,
            960,
            "c3",
            "sales",
            "SIP/202",
            "CONNECT",
            &["10", "c8", "2"],
        ));
        rest.extend(first.open.clone());
        let second = assemble(rest, &AssemblyOptions::default());
        let states: Vec<(&str, &str, i64)> = second
            .live
            .agents
            .iter()
            .map(|a| (a.agent_id.as_str(), a.state, a.since_s))
            .collect();
        assert_eq!(states, [("201", "ready", 900), ("202", "talk", 960)]);
        let c3 = &second.live.calls[0];
        assert_eq!(
            (c3.answered_s, c3.agent_id.as_deref()),
            (Some(960), Some("202"))
        );
    }

    #[test]
    fn agent_states_follow_login_calls_and_pauses() {
        let a = assemble(sample(), &AssemblyOptions::default());
        let s: Vec<(&str, i64, i64)> = a
            .states
            .iter()
            .map(|s| (s.state, s.start_s, s.end_s))
            .collect();
        assert_eq!(
            s,
            [
                ("ready", 100, 140),
                ("talk", 140, 440),
                ("ready", 440, 600),
                ("not_ready", 600, 900),
                ("ready", 900, 1000)
            ]
        );
        assert_eq!(a.states[3].reason.as_deref(), Some("lunch"));
    }

    #[test]
    fn every_line_is_accounted_for_once() {
        let events = sample();
        let n = events.len() as u64;
        let a = assemble(events, &AssemblyOptions::default());
        let skipped: u64 = a.skipped.values().sum();
        assert_eq!(a.used + a.duplicates + skipped + a.open_input_lines, n);
        assert_eq!(a.skipped.get("QUEUESTART"), Some(&1));
        assert_eq!(a.open_input_lines, 1, "the ENTERQUEUE of c3");
    }

    #[test]
    fn order_duplicates_and_continuation_are_handled() {
        let mut events = sample();
        events.reverse();
        events.push(sample()[4].clone());
        let a = assemble(events, &AssemblyOptions::default());
        assert_eq!(a.calls.len(), 3);
        assert_eq!(a.duplicates, 1);
        // The open call completes when the rest of the log arrives with the backlog.
        let mut next = a.open.clone();
        next.push(ev(
            20,
            1100,
            "c3",
            "sales",
            "NONE",
            "EXITWITHTIMEOUT",
            &["1", "1", "150"],
        ));
        let b = assemble(next, &AssemblyOptions::default());
        assert_eq!(b.calls.len(), 1);
        assert_eq!(
            (b.calls[0].outcome, b.calls[0].wait_s, b.calls[0].arrived_s),
            ("timeout", 150.0, 950)
        );
        assert_eq!(b.open_calls, 0);
    }

    #[test]
    fn absurd_numbers_do_not_overflow() {
        // Found by the fuzzer: a hold time of 1e20 s once overflowed the connect time.
        let (events, problems, _) = parse_raw_lines(
            "1700000000|c1|q|SIP/1|ENTERQUEUE|\n1700000000|c1|q|SIP/1|COMPLETEAGENT|1e20\n99999999999999999|c2|q|NONE|ENTERQUEUE|\n",
            1,
            &crate::time::TimeZoneSpec::Utc,
        );
        assert_eq!(problems.len(), 1, "an epoch out of range is a problem line");
        let a = assemble(events, &AssemblyOptions::default());
        assert_eq!(a.calls.len(), 1);
        assert!(a.calls[0].wait_s < 1e9);
    }

    #[test]
    fn a_session_split_across_two_parts_of_the_log_continues() {
        let all = vec![
            ev(1, 100, "NONE", "sales", "SIP/201", "ADDMEMBER", &[""]),
            ev(2, 110, "c1", "sales", "NONE", "ENTERQUEUE", &["", "1", "1"]),
            ev(
                3,
                140,
                "c1",
                "sales",
                "SIP/201",
                "CONNECT",
                &["30", "b", "6"],
            ),
            ev(
                4,
                440,
                "c1",
                "sales",
                "SIP/201",
                "COMPLETECALLER",
                &["30", "300", "1"],
            ),
            ev(5, 600, "NONE", "sales", "SIP/201", "PAUSE", &["lunch"]),
            ev(6, 900, "NONE", "sales", "SIP/201", "UNPAUSE", &[""]),
            ev(7, 1000, "NONE", "sales", "SIP/201", "REMOVEMEMBER", &[""]),
        ];
        let whole = assemble(all.clone(), &AssemblyOptions::default());
        for cut in 1..all.len() {
            let first = assemble(all[..cut].to_vec(), &AssemblyOptions::default());
            let mut rest = all[cut..].to_vec();
            rest.extend(first.open.clone());
            let second = assemble(rest, &AssemblyOptions::default());
            let mut states = first.states.clone();
            states.extend(second.states);
            let spans: Vec<(&str, i64, i64)> = states
                .iter()
                .map(|s| (s.state, s.start_s, s.end_s))
                .collect();
            let want: Vec<(&str, i64, i64)> = whole
                .states
                .iter()
                .map(|s| (s.state, s.start_s, s.end_s))
                .collect();
            assert_eq!(spans, want, "cut after line {cut}");
            assert_eq!(first.calls.len() + second.calls.len(), 1);
        }
    }

    #[test]
    fn member_interfaces_name_the_same_agent() {
        for i in [
            "Agent/1127",
            "Local/1127@callback-agent",
            "SIP/1127",
            "1127",
            " PJSIP/1127 ",
        ] {
            assert_eq!(agent_id(i), "1127");
        }
    }

    proptest::proptest! {
        #[test]
        fn trimmed_is_trim(s in "\\PC{0,12}", pad in 0..4usize) {
            // Arbitrary text, also with Unicode and ASCII spaces around it.
            let padded = [s.clone(), format!(" {s}"), format!("{s}\u{a0}"), format!("\u{2003}{s}\t")][pad].clone();
            proptest::prop_assert_eq!(trimmed(&padded), padded.trim());
        }
    }
}
