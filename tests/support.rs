//! Helpers: run the binary, temporary directories, parse outputs.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The binary under test.
pub fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_callboard"))
}

/// Output of a finished run.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl From<Output> for Run {
    fn from(o: Output) -> Self {
        Run {
            code: o.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        }
    }
}

/// Runs `callboard args…` to completion.
pub fn run<I, S>(args: I) -> Run
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    bin().args(args).output().expect("the binary runs").into()
}

/// Runs and insists on exit code 0.
pub fn ok<I, S>(args: I) -> Run
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    let r = run(args);
    assert_eq!(r.code, 0, "stdout:\n{}\nstderr:\n{}", r.stdout, r.stderr);
    r
}

/// A fresh temporary directory (removed on drop).
pub fn tempdir() -> tempfile::TempDir {
    tempfile::tempdir().expect("temp dir")
}

/// `ingest --format json` of `files` into `data`, parsed.
pub fn ingest_json(data: &Path, files: &[PathBuf], extra: &[&str]) -> serde_json::Value {
    let mut args: Vec<String> = vec![
        "ingest".into(),
        "--data-dir".into(),
        data.display().to_string(),
        "--format".into(),
        "json".into(),
    ];
    args.extend(extra.iter().map(|s| s.to_string()));
    args.extend(files.iter().map(|f| f.display().to_string()));
    let r = ok(&args);
    serde_json::from_str(&r.stdout).expect("ingest prints JSON")
}

/// `status --format json`, parsed; `verify` reads every file back.
pub fn status(data: &Path, verify: bool) -> serde_json::Value {
    let d = data.display().to_string();
    let mut args = vec!["status", "--data-dir", d.as_str(), "--format", "json"];
    if verify {
        args.push("--verify");
    }
    serde_json::from_str(&ok(args).stdout).expect("status prints JSON")
}

/// Rows stored in `table`.
pub fn rows(data: &Path, table: &str) -> u64 {
    status(data, false)["tables"][table]["rows"]
        .as_u64()
        .expect("rows")
}

/// Writes `text` to `dir/name` and returns the path.
pub fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).expect("write fixture");
    p
}

/// The rows of a CSV file as string records (header excluded).
pub fn csv_rows(path: &Path) -> Vec<Vec<String>> {
    let mut r = csv::Reader::from_path(path).expect("csv opens");
    r.records()
        .map(|x| x.expect("record").iter().map(str::to_owned).collect())
        .collect()
}

/// A CSV file's reader, past its header, and the position of a named column in it
/// (panicking with the name when the header lacks it).
pub fn csv_with_columns(
    path: &Path,
) -> (csv::Reader<std::fs::File>, impl Fn(&str) -> usize + use<>) {
    let mut rdr = csv::Reader::from_path(path).expect("csv");
    let header: Vec<String> = rdr
        .headers()
        .expect("header")
        .iter()
        .map(str::to_owned)
        .collect();
    (rdr, move |n: &str| {
        header.iter().position(|h| h == n).expect(n)
    })
}

/// Simulates `days` days into a new directory (CSV unless `parquet`).
pub fn simulate(dir: &Path, days: u32, seed: u64, parquet: bool) {
    let d = dir.display().to_string();
    let days = days.to_string();
    let seed = seed.to_string();
    let format = if parquet { "parquet" } else { "csv" };
    ok([
        "simulate",
        "--out",
        d.as_str(),
        "--days",
        days.as_str(),
        "--seed",
        seed.as_str(),
        "--format",
        format,
    ]);
}

/// The seven CSV (or Parquet) files of a simulated centre.
pub fn tables(dir: &Path, ext: &str) -> Vec<PathBuf> {
    [
        "agents",
        "schedules",
        "agent_states",
        "calls",
        "qa_evaluations",
        "costs",
        "tickets",
    ]
    .iter()
    .map(|t| dir.join(format!("{t}.{ext}")))
    .collect()
}

/// A table of a store, read with polars from the files its manifest lists.
pub fn stored_table(data: &Path, table: &str) -> polars::prelude::DataFrame {
    use polars::prelude::{ParquetReader, SerReader};
    let manifest: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(data.join("manifest.json")).expect("manifest"),
    )
    .expect("json");
    let frames: Vec<polars::prelude::DataFrame> = manifest["tables"][table]
        .as_array()
        .expect("files")
        .iter()
        .map(|f| {
            let path = data.join(f["path"].as_str().expect("path"));
            ParquetReader::new(std::fs::File::open(path).expect("open"))
                .finish()
                .expect("parquet")
        })
        .collect();
    let mut all = frames[0].clone();
    for f in &frames[1..] {
        all.vstack_mut(f).expect("same schema");
    }
    all
}

/// The real PBXware queue_log export in shared/ (data nobody here wrote).
pub const PBXWARE: &str = "asterisk-pbxware-queue-log-2018/queue_log_2018-11-29_to_2018-12-03.csv";
/// The real Anonymous Bank February 1999 call log in shared/.
pub const BANK: &str = "anonymous-bank-1999-feb/data_anonymous_bank_february.txt";
/// The shipped mapping for the Anonymous Bank file.
pub const BANK_MAPPING: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/mappings/anonymous_bank.toml");

/// The real ServiceNow incident audit log in shared/.
pub const SERVICENOW: &str = "uci-servicenow-incidents-2016/incident_event_log_first5998rows.csv";
/// The shipped mapping and policy for it.
pub const SERVICENOW_MAPPING: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/mappings/servicenow_incidents.toml"
);
/// The policy shipped for the ServiceNow log.
pub const SERVICENOW_POLICY: &str =
    concat!(env!("CARGO_MANIFEST_DIR"), "/policies/servicenow.toml");

/// The real data folder beside the checkout.
pub fn real_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/real")
}

/// Whether this run is CI's (which always has shared/ beside the clone): there a
/// missing real file fails the test instead of skipping it.
pub fn in_ci() -> bool {
    std::env::var_os("CI").is_some_and(|v| !v.is_empty() && v != "false" && v != "0")
}

/// A file of `shared/data/real/`. Missing: under CI the test fails (it must not
/// pass without its data); elsewhere `None`, said on stderr — and
/// `real_data_is_present` lists what a run found, so a green run says what it checked.
pub fn real_file(name: &str) -> Option<PathBuf> {
    let p = real_dir().join(name);
    if p.exists() {
        return Some(p);
    }
    assert!(
        !in_ci(),
        "{} is missing: CI always has shared/ beside the clone, so a real-data test may not skip there",
        p.display()
    );
    eprintln!("skipped: {} not present", p.display());
    None
}

/// The bank's 164 weekdays of five-minute arrivals (forecasting).
pub const BANK_5MIN: &str = "bank-calls-2003-5min/calls_5min.csv";

/// Every real file the tests read.
pub const REAL_FILES: [&str; 4] = [PBXWARE, BANK, SERVICENOW, BANK_5MIN];

#[test]
fn real_data_is_present() {
    let found: Vec<&str> = REAL_FILES
        .iter()
        .copied()
        .filter(|f| real_dir().join(f).exists())
        .collect();
    let missing: Vec<&str> = REAL_FILES
        .iter()
        .copied()
        .filter(|f| !found.contains(f))
        .collect();
    // Shown by `cargo test -- --nocapture`, and in the failure below.
    println!(
        "real data in {}: found {found:?}, missing {missing:?}",
        real_dir().display()
    );
    assert!(
        missing.is_empty() || !in_ci(),
        "real data missing under CI: {missing:?} in {}",
        real_dir().display()
    );
}

/// A child process killed when the guard drops: a failing assertion (a panic)
/// never leaves it running.
pub struct KillOnDrop(Option<std::process::Child>);

impl KillOnDrop {
    /// Guards `child`.
    pub fn new(child: std::process::Child) -> Self {
        KillOnDrop(Some(child))
    }

    /// Waits for the child to exit by itself and collects what it wrote.
    pub fn wait(mut self) -> std::process::Output {
        let child = self.0.take().expect("waited once");
        child.wait_with_output().expect("the child exits")
    }

    /// Stops the child now and collects what it wrote.
    pub fn finish(mut self) -> std::process::Output {
        let mut child = self.0.take().expect("finished once");
        // Already exited is fine: kill then only reports it.
        let _already_exited = child.kill();
        child.wait_with_output().expect("the child exits")
    }
}

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        if let Some(mut child) = self.0.take() {
            let _already_exited = child.kill();
            let _reaped = child.wait();
        }
    }
}

/// Debian's chromium (`chromium` or `chromium-browser`), if installed. Missing: under
/// CI the test fails (`.ci/run` installs it); elsewhere `None`, said on stderr.
pub fn chromium() -> Option<&'static str> {
    let found = ["chromium", "chromium-browser"].into_iter().find(|b| {
        std::process::Command::new(b)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    });
    if found.is_none() {
        assert!(
            !in_ci(),
            "chromium is missing: .ci/run installs it, so CI may not skip this"
        );
        eprintln!(
            "skipped: chromium is not installed (Debian package chromium); the page was not checked in a browser"
        );
    }
    found
}

/// Loads `url` in headless chromium (a fresh profile, no network beyond the page's
/// own) and saves a screenshot of `size` (`1200,2000`): (the DOM, chromium's log).
/// `virtual_time`: run the page's timers for 5 virtual seconds before the dump;
/// otherwise the DOM is dumped once the page has loaded and its scripts ran (for a
/// page with an open event stream: virtual time stands still while a request is
/// open).
pub fn headless(
    chromium: &str,
    url: &str,
    shot: &Path,
    size: &str,
    virtual_time: bool,
) -> (String, String) {
    let profile = tempdir();
    let r = std::process::Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(if virtual_time {
            "--virtual-time-budget=5000"
        } else {
            "--timeout=5000"
        })
        .arg(format!("--window-size={size}"))
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(format!("--screenshot={}", shot.display()))
        .arg("--dump-dom")
        .arg(url)
        .output()
        .expect("chromium runs");
    (
        String::from_utf8_lossy(&r.stdout).into_owned(),
        String::from_utf8_lossy(&r.stderr).into_owned(),
    )
}
