//! Staffing core speed: `StaffingRequest::solve` over a year of 15-minute intervals
//! (35 040 rows), the same rows `benches/peers/staff_peers.py` writes.
//!
//! ```sh
//! cargo bench --bench staffing
//! ```

use callboard_core::erlang::{Model, StaffingRequest, Targets, Traffic};
use std::time::Instant;

fn splitmix(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn unit(i: u64, salt: u64) -> f64 {
    splitmix(i * 2 + salt) as f64 / 2f64.powi(64)
}

const WEEKDAY: [f64; 7] = [1.15, 1.05, 1.0, 1.0, 0.95, 0.55, 0.35];

/// (calls, aht_s) of each row; see the Python twin for the shape.
fn year_rows(peak_calls: f64, rows: u64) -> Vec<(f64, f64)> {
    (0..rows)
        .map(|i| {
            let h = (i % 96) as f64 / 4.0;
            let dow = ((i / 96 + 2) % 7) as usize;
            let w = if (7.0..=21.0).contains(&h) {
                (std::f64::consts::PI * (h - 7.0) / 14.0).sin().powf(1.5)
            } else {
                0.0
            };
            let season = 1.0 + 0.15 * (2.0 * std::f64::consts::PI * i as f64 / 35040.0).sin();
            let noise = 0.9 + 0.2 * unit(i, 1);
            let calls = (peak_calls * w * WEEKDAY[dow] * season * noise).round();
            let aht = ((240.0 + 120.0 * unit(i, 2)) * 10.0).round() / 10.0;
            (calls, aht)
        })
        .collect()
}

fn main() {
    let targets = Targets {
        service_level: Some(0.8),
        sl_seconds: 20.0,
        max_occupancy: Some(0.85),
        ..Targets::default()
    };
    println!(
        "| rows | model | peak load | solve all rows (median of 21) | per row |\n|---:|---|---:|---:|---:|"
    );
    for (peak, model) in [
        (1000.0, Model::ErlangC),
        (15000.0, Model::ErlangC),
        (1000.0, Model::ErlangA { patience_s: 180.0 }),
    ] {
        let rows = year_rows(peak, 35_040);
        let requests: Vec<StaffingRequest> = rows
            .iter()
            .map(|&(c, a)| {
                StaffingRequest::new(
                    Traffic::new(c, a, 15.0).expect("valid"),
                    model,
                    targets,
                    0.3,
                )
                .expect("valid")
            })
            .collect();
        let max_load = requests
            .iter()
            .map(|r| r.traffic().erlangs())
            .fold(0.0, f64::max);
        let mut times = Vec::new();
        let mut checksum = 0u64;
        for _ in 0..21 {
            let t = Instant::now();
            for s in StaffingRequest::solve_many(std::hint::black_box(&requests)) {
                checksum = checksum.wrapping_add(s.positions);
            }
            times.push(t.elapsed().as_secs_f64());
        }
        times.sort_by(f64::total_cmp);
        let median = times[times.len() / 2];
        println!(
            "| {} | {} | {max_load:.0} E | {:.2} ms | {:.0} ns |",
            requests.len(),
            model.name(),
            median * 1e3,
            median * 1e9 / requests.len() as f64
        );
        std::hint::black_box(checksum);
    }
}
