//! Forecast speed at size (issue 12's figure): 2 years of 15-minute history for 20
//! queues (1.4 M interval rows) → an 8-week forecast with the backtest of eight
//! methods, bands and staffing, as one `callboard forecast` process.
//!
//! ```sh
//! cargo bench --bench forecast                  # 20 queues, 730 days
//! cargo bench --bench forecast -- --queues 5    # quicker
//! ```

mod common;

use std::io::Write;

fn main() {
    let (queues, dir) = common::size_and_dir("--queues", 20, "callboard-bench-forecast");
    std::fs::create_dir_all(&dir).expect("scratch dir");
    let history = dir.join("history.csv");
    // Deterministic counts around a weekly 15-minute profile (a cheap generator, not
    // Poisson: the bench times the engine, not the fit).
    let mut out = std::io::BufWriter::new(std::fs::File::create(&history).expect("create"));
    writeln!(out, "interval_start,queue,calls,aht_s").expect("write");
    let start = chrono::NaiveDate::from_ymd_opt(2024, 1, 1).expect("date");
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut rows = 0u64;
    for q in 0..queues {
        for d in 0..730 {
            let date = start + chrono::Days::new(d);
            let weekday = d % 7;
            for slot in 0..96u32 {
                let hour = f64::from(slot) / 4.0;
                let base = if weekday == 6 || !(7.0..21.0).contains(&hour) {
                    0.0
                } else {
                    (10.0 + q as f64) * (1.0 + (-((hour - 11.0) / 3.0).powi(2)).exp())
                };
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                let noise = (x % 1000) as f64 / 1000.0 - 0.5;
                let calls = (base * (1.0 + 0.3 * noise)).round().max(0.0);
                writeln!(
                    out,
                    "{}T{:02}:{:02}:00Z,q{q:02},{calls},{}",
                    date,
                    slot / 4,
                    (slot % 4) * 15,
                    240 + (x % 120)
                )
                .expect("write");
                rows += 1;
            }
        }
    }
    out.flush().expect("flush");
    drop(out);
    let h = history.display().to_string();
    let f = dir.join("forecast.csv").display().to_string();
    let m = common::run(&[
        "forecast",
        "--history",
        h.as_str(),
        "--interval",
        "15m",
        "--horizon",
        "56d",
        "--staffing",
        "--shrinkage",
        "0.3",
        "--output",
        f.as_str(),
    ]);
    println!(
        "forecast: {rows} history rows ({queues} queues × 730 days × 96) → 8 weeks × 96 × {queues} rows with an 8-method backtest (16 weekly origins), bands and staffing: {:.2} s, peak {:.0} MB (target < 5 s)",
        m.seconds, m.peak_mb
    );
    let _ = std::fs::remove_dir_all(&dir);
}
