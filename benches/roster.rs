//! Rosters at size (issue 13's figure): one week of 15-minute intervals (672) and
//! 200 shift templates with breaks (5 lengths × 40 start times, each with a paid
//! break and, from 6 hours, an unpaid lunch placed by the optimiser) → first the
//! shift plan alone, then the named roster of 150 agents with contracts (100 full
//! time 30–40 h on 5 days, 50 part time 12–24 h on 4 days, at most 5 days in a row)
//! and availability (each one day off asked, a seeded draw), each as one
//! `callboard roster` process with a 30 s limit; prints the gap proved and the
//! time.
//!
//! ```sh
//! cargo bench --bench roster
//! cargo bench --bench roster -- --limit 60     # seconds for the solver
//! cargo bench --bench roster -- --keep         # keep the files to look at
//! ```

mod common;

use std::io::Write;

fn main() {
    let (limit, dir) = common::size_and_dir("--limit", 30, "callboard-bench-roster");
    std::fs::create_dir_all(&dir).expect("scratch dir");
    // A week of quarter hours: a morning peak, an afternoon shoulder, quieter
    // weekends, two agents at night.
    let need = dir.join("need.csv");
    let mut out = std::io::BufWriter::new(std::fs::File::create(&need).expect("create"));
    writeln!(out, "interval_start,agents").expect("write");
    let day_factor = [1.15, 1.05, 1.0, 1.0, 0.95, 0.6, 0.45];
    for (d, f) in day_factor.iter().enumerate() {
        for q in 0..96 {
            let hour = f64::from(q) / 4.0;
            let a = if (7.0..22.0).contains(&hour) {
                let shape = 8.0
                    + 30.0 * (-((hour - 11.0) / 3.0).powi(2)).exp()
                    + 15.0 * (-((hour - 16.0) / 2.5).powi(2)).exp();
                (1.4 * shape * f).round()
            } else {
                2.0
            };
            writeln!(
                out,
                "2026-03-{:02}T{:02}:{:02}:00Z,{a}",
                2 + d,
                q / 4,
                (q % 4) * 15
            )
            .expect("write");
        }
    }
    out.flush().expect("flush");
    drop(out);
    // 200 templates: lengths 4, 6, 8, 9 and 10 hours, each starting at one of the
    // 40 quarter hours from 06:00 to 15:45.
    let shifts = dir.join("shifts.toml");
    let mut out = std::io::BufWriter::new(std::fs::File::create(&shifts).expect("create"));
    for hours in [4u32, 6, 8, 9, 10] {
        for k in 0..40u32 {
            let start = 6 * 60 + 15 * k;
            writeln!(
                out,
                "[[shift]]\nname = \"h{hours}_{:02}{:02}\"\nstart = \"{:02}:{:02}\"\nlength = \"{hours}h\"\ncost_per_hour = {}\n[[shift.break]]\nlength = \"15m\"\npaid = true\nearliest = \"1h30m\"\nlatest = \"2h30m\"",
                start / 60,
                start % 60,
                start / 60,
                start % 60,
                18 + hours
            )
            .expect("write");
            if hours >= 6 {
                writeln!(
                    out,
                    "[[shift.break]]\nlength = \"30m\"\npaid = false\nearliest = \"3h\"\nlatest = \"4h30m\""
                )
                .expect("write");
            }
            writeln!(out).expect("write");
        }
    }
    out.flush().expect("flush");
    drop(out);
    // 150 agents, one day off each asked (a linear congruential draw, seeded).
    let agents = dir.join("agents.csv");
    let mut out = std::io::BufWriter::new(std::fs::File::create(&agents).expect("create"));
    writeln!(
        out,
        "agent_id,min_hours_week,max_hours_week,max_days_week,max_consecutive_days,unavailable"
    )
    .expect("write");
    let mut seed: u64 = 13;
    for i in 0..150 {
        seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
        let day = 2 + (seed >> 33) % 7;
        let (min, max, days) = if i < 100 { (30, 40, 5) } else { (12, 24, 4) };
        writeln!(out, "B{i:03},{min},{max},{days},5,2026-03-{day:02}").expect("write");
    }
    out.flush().expect("flush");
    drop(out);
    for named in [false, true] {
        let n = need.display().to_string();
        let s = shifts.display().to_string();
        let o = dir.join("plan").display().to_string();
        let l = format!("{limit}s");
        let a = agents.display().to_string();
        let mut args = vec![
            "roster",
            "--requirements",
            n.as_str(),
            "--shifts",
            s.as_str(),
            "--output",
            o.as_str(),
            "--time-limit",
            l.as_str(),
            "--format",
            "json",
        ];
        if named {
            args.extend(["--agents", a.as_str()]);
        }
        let started = std::time::Instant::now();
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_callboard"))
            .args(&args)
            .output()
            .expect("callboard runs");
        let seconds = started.elapsed().as_secs_f64();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let j: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");
        println!(
            "roster {}: 672 quarter hours, 200 templates with breaks ({} possible starts): {} after {:.1} s (solver {:.1} s), gap {:.2} %, {} shifts, coverage {:.1} %, under {:.1} / over {:.1} agent-hours{} (target: within 1 % in < 30 s)",
            if named {
                "named, 150 agents"
            } else {
                "stage 1 (plan)"
            },
            j["candidate_shifts"],
            j["solver_status"],
            seconds,
            j["solve_seconds"].as_f64().unwrap_or(f64::NAN),
            100.0 * j["mip_gap"].as_f64().unwrap_or(f64::NAN),
            j["shift_count"],
            100.0 * j["coverage"].as_f64().unwrap_or(f64::NAN),
            j["under_agent_hours"].as_f64().unwrap_or(f64::NAN),
            j["over_agent_hours"].as_f64().unwrap_or(f64::NAN),
            if named {
                format!(
                    ", plan gap {:.2} %, soft penalty {:.1}, {} shifts to choose among",
                    100.0 * j["plan_mip_gap"].as_f64().unwrap_or(f64::NAN),
                    j["soft_penalty"].as_f64().unwrap_or(f64::NAN),
                    j["stage2_candidates"]
                )
            } else {
                String::new()
            }
        );
    }
    // --keep leaves the files (requirement, templates, agents, the last roster)
    // for a closer look.
    if std::env::args().any(|a| a == "--keep") {
        println!("files kept in {}", dir.display());
    } else {
        let _ = std::fs::remove_dir_all(&dir);
    }
}
