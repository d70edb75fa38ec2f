//! `callboard serve` under load (issue 15's figures), on loopback only, bounded in
//! requests and time:
//!
//! * 64 concurrent keep-alive clients on `/api/kpi` for a week of a ~1 M-call store
//!   (28 simulated days): p50 / p99 latency and errors, with one query asked over
//!   and over (answered from the per-version cache after the first), with every
//!   request another period (computed from the per-slot summaries), and with every
//!   request another service-level threshold (computed from the calls' rows; 4
//!   requests a client). Goal: p99 < 50 ms, 0 errors.
//! * 200 server-sent-event clients on `/api/live/events` while 20 batches of lines
//!   are appended to the followed queue_log: every client must get every update;
//!   the latency from the append to each client's event.
//!
//! ```sh
//! cargo bench --bench server                        # ~1 M calls
//! cargo bench --bench server -- --calls 200000      # quicker
//! ```

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const CLIENTS: usize = 64;
const REQUESTS_PER_CLIENT: usize = 100;
const SSE_CLIENTS: usize = 200;
const APPENDS: usize = 20;

/// One event-stream client's events: (seq, when read).
type Events = Vec<(u64, Instant)>;

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

/// One keep-alive HTTP/1.1 GET; the body's length read from Content-Length.
fn get(stream: &mut BufReader<TcpStream>, addr: SocketAddr, path: &str) -> std::io::Result<u16> {
    write!(
        stream.get_mut(),
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: keep-alive\r\n\r\n"
    )?;
    let mut line = String::new();
    stream.read_line(&mut line)?;
    let status: u16 = line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let mut length = 0usize;
    loop {
        line.clear();
        stream.read_line(&mut line)?;
        if line == "\r\n" || line.is_empty() {
            break;
        }
        if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
            length = v.trim().parse().unwrap_or(0);
        }
    }
    let mut body = vec![0u8; length];
    stream.read_exact(&mut body)?;
    Ok(status)
}

/// `CLIENTS` clients, each `requests` requests of `path(client, i)`: (sorted
/// latencies in ms, errors, wall seconds).
fn load(
    addr: SocketAddr,
    requests: usize,
    path: impl Fn(usize, usize) -> String + Sync,
) -> (Vec<f64>, usize, f64) {
    let latencies = Mutex::new(Vec::new());
    let errors = Mutex::new(0usize);
    let started = Instant::now();
    let deadline = started + Duration::from_secs(120);
    std::thread::scope(|s| {
        for c in 0..CLIENTS {
            let (latencies, errors, path) = (&latencies, &errors, &path);
            s.spawn(move || {
                let Ok(sock) = TcpStream::connect(addr) else {
                    *errors.lock().expect("lock") += requests;
                    return;
                };
                let _ = sock.set_read_timeout(Some(Duration::from_secs(30)));
                let mut stream = BufReader::new(sock);
                let mut mine = Vec::with_capacity(requests);
                for i in 0..requests {
                    if Instant::now() > deadline {
                        break;
                    }
                    let t = Instant::now();
                    match get(&mut stream, addr, &path(c, i)) {
                        Ok(200) => mine.push(t.elapsed().as_secs_f64() * 1000.0),
                        _ => *errors.lock().expect("lock") += 1,
                    }
                }
                latencies.lock().expect("lock").extend(mine);
            });
        }
    });
    let mut l = latencies.into_inner().expect("lock");
    l.sort_by(f64::total_cmp);
    (
        l,
        errors.into_inner().expect("lock"),
        started.elapsed().as_secs_f64(),
    )
}

fn main() {
    let (calls, dir) = common::size_and_dir("--calls", 1_000_000, "callboard-bench-server");
    let data = common::centre_store(&dir, calls, 15);
    let d = data.display().to_string();

    // A followed log: agents logged in, then appended to during the SSE part.
    let log = dir.join("queue_log");
    let now = chrono::Utc::now().timestamp();
    let mut text = String::new();
    for a in 0..20 {
        text.push_str(&format!(
            "{}|NONE|sales|Agent/{}|ADDMEMBER|\n",
            now - 600,
            5000 + a
        ));
    }
    std::fs::write(&log, text).expect("log");

    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
        l.local_addr().expect("addr").port()
    };
    let addr: SocketAddr = format!("127.0.0.1:{port}").parse().expect("addr");
    let mut server = std::process::Command::new(env!("CARGO_BIN_EXE_callboard"))
        .args([
            "serve",
            "--data-dir",
            d.as_str(),
            "--addr",
            &addr.to_string(),
        ])
        .arg("--follow")
        .arg(&log)
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("the server starts");
    let up = Instant::now();
    while TcpStream::connect(addr).is_err() {
        assert!(
            up.elapsed() < Duration::from_secs(30),
            "the server did not start"
        );
        std::thread::sleep(Duration::from_millis(50));
    }

    // The week: the store's second week.
    let week = "from=2026-03-09&to=2026-03-16";
    let status = {
        let mut s = BufReader::new(TcpStream::connect(addr).expect("connect"));
        get(&mut s, addr, &format!("/api/kpi?{week}&by=day")).expect("first query")
    };
    assert_eq!(status, 200, "the first query failed");
    let (same, same_err, same_s) = load(addr, REQUESTS_PER_CLIENT, |_, _| {
        format!("/api/kpi?{week}&by=day")
    });
    // Every request another period (its end a quarter-hour later each time):
    // computed, from the store's per-slot summaries.
    let (fresh, fresh_err, fresh_s) = load(addr, REQUESTS_PER_CLIENT, |c, i| {
        let k = (c * REQUESTS_PER_CLIENT + i) as i64;
        let end = chrono::DateTime::parse_from_rfc3339("2026-03-16T00:00:00Z").expect("t")
            + chrono::Duration::minutes(15 * k);
        format!(
            "/api/kpi?from=2026-03-09T00:00:00Z&to={}&by=day",
            end.format("%Y-%m-%dT%H:%M:%SZ")
        )
    });
    // Every request another service-level threshold: the calls' rows are read.
    let (rows, rows_err, rows_s) = load(addr, 4, |c, i| {
        format!("/api/kpi?{week}&by=day&sl_seconds={}", 10 + c * 4 + i)
    });
    println!("/api/kpi, one week of a {calls}-call store, {CLIENTS} keep-alive clients:");
    for (name, l, e, s) in [
        ("same query (cached)", &same, same_err, same_s),
        ("a new period each time", &fresh, fresh_err, fresh_s),
        ("a new threshold each time", &rows, rows_err, rows_s),
    ] {
        println!(
            "  {name:<26} p50 {:.2} ms  p99 {:.2} ms  max {:.2} ms  {} ok  {e} errors  {:.0} req/s",
            percentile(l, 0.5),
            percentile(l, 0.99),
            percentile(l, 1.0),
            l.len(),
            l.len() as f64 / s
        );
    }

    // 200 event-stream clients; each records (seq, when) of every event.
    let seen: Arc<Mutex<Vec<Events>>> = Arc::new(Mutex::new(vec![Vec::new(); SSE_CLIENTS]));
    let mut readers = Vec::new();
    for c in 0..SSE_CLIENTS {
        let seen = Arc::clone(&seen);
        let mut sock = TcpStream::connect(addr).expect("connect");
        write!(
            sock,
            "GET /api/live/events HTTP/1.1\r\nHost: {addr}\r\n\r\n"
        )
        .expect("request");
        let _ = sock.set_read_timeout(Some(Duration::from_secs(15)));
        readers.push(std::thread::spawn(move || {
            let mut r = BufReader::new(sock);
            let mut line = String::new();
            while r.read_line(&mut line).is_ok_and(|n| n > 0) {
                if let Some(id) = line.trim_end().strip_prefix("id: ")
                    && let Ok(seq) = id.parse::<u64>()
                {
                    seen.lock().expect("lock")[c].push((seq, Instant::now()));
                }
                line.clear();
            }
        }));
    }
    std::thread::sleep(Duration::from_secs(1));
    let first_seq: Vec<u64> = seen
        .lock()
        .expect("lock")
        .iter()
        .map(|v| v.last().map_or(0, |x| x.0))
        .collect();
    let mut appended = Vec::new();
    for k in 0..APPENDS {
        let t = chrono::Utc::now().timestamp();
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(&log)
            .expect("log");
        writeln!(f, "{t}|load{k}|sales|NONE|ENTERQUEUE||555{k}|1").expect("append");
        drop(f);
        appended.push(Instant::now());
        std::thread::sleep(Duration::from_millis(400));
    }
    std::thread::sleep(Duration::from_secs(2));
    let _ = server.kill();
    let _ = server.wait();
    for r in readers {
        let _ = r.join();
    }
    let seen = seen.lock().expect("lock");
    let mut complete = 0;
    let mut lat = Vec::new();
    for (c, events) in seen.iter().enumerate() {
        let after: Vec<&(u64, Instant)> = events.iter().filter(|e| e.0 > first_seq[c]).collect();
        if after.len() >= APPENDS {
            complete += 1;
        }
        // Each append's event: the first event after it.
        for a in &appended {
            if let Some(e) = after.iter().find(|e| e.1 >= *a) {
                lat.push(e.1.duration_since(*a).as_secs_f64() * 1000.0);
            }
        }
    }
    lat.sort_by(f64::total_cmp);
    println!(
        "/api/live/events: {SSE_CLIENTS} clients, {APPENDS} appends 400 ms apart: {complete} of {SSE_CLIENTS} got every update; append → event p50 {:.0} ms, p99 {:.0} ms, max {:.0} ms (poll 200 ms)",
        percentile(&lat, 0.5),
        percentile(&lat, 0.99),
        percentile(&lat, 1.0)
    );
}
