//! Simulator checks: determinism, consistency between tables, and agreement with
//! queueing theory (Erlang C) for a stationary M/M/c queue.

use super::*;
use crate::time::DAY_MS;
use statrs::distribution::{ContinuousCDF, StudentsT};
use std::collections::HashMap;

fn small_centre(seed: u64) -> CollectSink {
    let cfg = SimConfig::realistic(20_514, 7, 3, 30, None, seed);
    let mut sink = CollectSink::default();
    run(&cfg, &mut sink);
    sink
}

#[test]
fn same_seed_same_records_other_seed_other_records() {
    let a = small_centre(1);
    let b = small_centre(1);
    let c = small_centre(2);
    assert_eq!(a.calls, b.calls);
    assert_eq!(a.agent_states, b.agent_states);
    assert_eq!(a.tickets, b.tickets);
    assert_ne!(a.calls, c.calls);
}

#[test]
fn realistic_centre_has_every_outcome_and_side_table() {
    let s = small_centre(7);
    let mut by_outcome: HashMap<&str, usize> = HashMap::new();
    for c in &s.calls {
        *by_outcome.entry(c.outcome.as_str()).or_default() += 1;
    }
    for o in ["answered", "abandoned", "timeout", "blocked", "ivr"] {
        assert!(
            by_outcome.get(o).copied().unwrap_or(0) > 0,
            "no {o} calls: {by_outcome:?}"
        );
    }
    let answered = by_outcome["answered"] as f64 / s.calls.len() as f64;
    assert!((0.6..0.98).contains(&answered), "answered share {answered}");
    // Short abandons (misdials) exist.
    assert!(
        s.calls
            .iter()
            .any(|c| c.outcome == Outcome::Abandoned && c.wait_ms <= 5000)
    );
    // Repeat callers exist.
    let mut callers: HashMap<u64, usize> = HashMap::new();
    for c in &s.calls {
        *callers.entry(c.caller).or_default() += 1;
    }
    assert!(callers.values().any(|&n| n > 1));
    assert!(
        !s.schedules.is_empty() && !s.qa.is_empty() && !s.costs.is_empty() && !s.tickets.is_empty()
    );
    assert!(
        s.agents.iter().any(|a| a.left_on.is_some()),
        "a week of 30 agents has a leaver"
    );
    assert!(s.calls.iter().any(|c| c.transferred));
}

#[test]
fn agent_states_match_calls_and_never_overlap() {
    let s = small_centre(3);
    let mut by_agent: HashMap<u32, Vec<StateRecord>> = HashMap::new();
    for st in &s.agent_states {
        assert!(st.end_ms > st.start_ms, "{st:?}");
        by_agent.entry(st.agent).or_default().push(*st);
    }
    for states in by_agent.values_mut() {
        states.sort_by_key(|s| s.start_ms);
        for w in states.windows(2) {
            assert!(
                w[0].end_ms <= w[1].start_ms,
                "overlap {:?} {:?}",
                w[0],
                w[1]
            );
        }
    }
    let talk_starts: HashMap<(u32, i64), i64> = s
        .agent_states
        .iter()
        .filter(|st| st.state == AgentState::Talk)
        .map(|st| ((st.agent, st.start_ms), st.end_ms - st.start_ms))
        .collect();
    for c in s.calls.iter().filter(|c| c.outcome == Outcome::Answered) {
        let agent = c.agent.expect("answered calls have an agent");
        let answered_at = c.arrived_ms + c.wait_ms;
        assert_eq!(
            talk_starts.get(&(agent, answered_at)),
            Some(&c.talk_ms),
            "call {}",
            c.id
        );
        // The agent was logged in just before answering: a ready state ends then, or a
        // previous call's last state ends then, or it is the login instant.
        let states = &by_agent[&agent];
        let i = states.partition_point(|st| st.start_ms < answered_at);
        assert!(i < states.len() && states[i].start_ms == answered_at);
    }
    for c in s.calls.iter().filter(|c| c.outcome != Outcome::Answered) {
        assert!(c.agent.is_none());
        if matches!(c.outcome, Outcome::Blocked | Outcome::Ivr) {
            assert_eq!(c.wait_ms, 0);
        }
    }
}

#[test]
fn answering_agents_were_scheduled_to_work() {
    let s = small_centre(4);
    let mut sched: HashMap<u32, Vec<(i64, i64)>> = HashMap::new();
    for seg in &s.schedules {
        sched
            .entry(seg.agent)
            .or_default()
            .push((seg.start_ms, seg.end_ms));
    }
    for c in s.calls.iter().filter(|c| c.outcome == Outcome::Answered) {
        let t = c.arrived_ms + c.wait_ms;
        let segs = &sched[&c.agent.expect("answered")];
        // Answers happen inside the shift, or shortly after it while finishing calls.
        let covered = segs.iter().any(|&(a, b)| a <= t && t <= b + 3_600_000);
        assert!(covered, "call {} answered off shift", c.id);
    }
}

#[test]
fn tickets_keep_their_timestamps_in_order() {
    let s = small_centre(5);
    let end = (20_514 + 7) * DAY_MS;
    for t in &s.tickets {
        for x in [
            t.escalated_ms,
            t.answered_ms,
            t.completed_ms,
            t.resolved_ms,
            t.callback_ms,
        ]
        .into_iter()
        .flatten()
        {
            assert!(x >= t.created_ms && x <= end, "{t:?}");
        }
        if let (Some(r), Some(cb)) = (t.resolved_ms, t.callback_ms) {
            assert!(cb >= r, "{t:?}");
        }
        if t.kind == TicketKind::Complaint {
            assert!(t.severity.is_some());
        }
    }
}

/// Erlang C for `n` agents and offered load `a` Erlangs, from the Erlang B recursion:
/// B(0) = 1, B(k) = a·B(k−1) / (k + a·B(k−1)); C = n·B / (n − a·(1 − B)).
fn erlang_c(n: u32, a: f64) -> f64 {
    let mut b = 1.0;
    for k in 1..=n {
        b = a * b / (f64::from(k) + a * b);
    }
    f64::from(n) * b / (f64::from(n) - a * (1.0 - b))
}

/// Batch means of two per-call measures over the calls after a one-hour warm-up: 30
/// equal batches across `days`, each measure returned as (mean, half-width of its 99 %
/// Student-t confidence interval).
fn batch_means(
    calls: &[CallRecord],
    start_day: i32,
    days: u32,
    measure: impl Fn(&CallRecord) -> (f64, f64),
) -> [(f64, f64); 2] {
    let start = i64::from(start_day) * DAY_MS;
    let batches = 30usize;
    let batch_ms = (i64::from(days) * DAY_MS) / batches as i64;
    let mut sums = vec![(0.0f64, 0.0f64, 0usize); batches];
    for call in calls {
        let off = call.arrived_ms - start;
        if off < 3_600_000 {
            continue; // warm-up: the queue starts empty
        }
        let b = ((off / batch_ms) as usize).min(batches - 1);
        let (x, y) = measure(call);
        sums[b].0 += x;
        sums[b].1 += y;
        sums[b].2 += 1;
    }
    let t = StudentsT::new(0.0, 1.0, (batches - 1) as f64)
        .expect("valid")
        .inverse_cdf(0.995);
    let ci = |xs: Vec<f64>| {
        let n = xs.len() as f64;
        let mean = xs.iter().sum::<f64>() / n;
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
        (mean, t * (var / n).sqrt())
    };
    [
        ci(sums.iter().map(|s| s.0 / s.2 as f64).collect()),
        ci(sums.iter().map(|s| s.1 / s.2 as f64).collect()),
    ]
}

/// Simulated SL and ASA of a stationary M/M/c queue against Erlang C: each must lie in
/// the 99 % confidence interval of the simulation (batch means over 30 two-day batches).
fn check_against_erlang_c(calls_per_hour: f64, aht_s: f64, agents: u32, seed: u64) {
    let days = 60;
    let cfg = SimConfig::stationary_mmc(calls_per_hour, aht_s, agents, days, seed);
    let mut sink = CollectSink::default();
    run(&cfg, &mut sink);
    let a = calls_per_hour * aht_s / 3600.0;
    let c = erlang_c(agents, a);
    let sl_theory = 1.0 - c * (-(f64::from(agents) - a) * 20.0 / aht_s).exp();
    let asa_theory = c * aht_s / (f64::from(agents) - a);

    let [(sl, sl_half), (asa, asa_half)] = batch_means(&sink.calls, cfg.start_day, days, |call| {
        assert_eq!(call.outcome, Outcome::Answered, "no abandonment in M/M/c");
        let w = call.wait_ms as f64 / 1000.0;
        (f64::from(u8::from(w <= 20.0)), w)
    });
    assert!(
        sl_half < 0.03 && asa_half < 0.25 * asa_theory.max(1.0),
        "interval too wide to test anything: SL {sl:.4} ± {sl_half:.4}, ASA {asa:.3} ± {asa_half:.3}"
    );
    assert!(
        (sl - sl_theory).abs() <= sl_half,
        "SL: simulated {sl:.4} ± {sl_half:.4}, Erlang C {sl_theory:.4}"
    );
    assert!(
        (asa - asa_theory).abs() <= asa_half,
        "ASA: simulated {asa:.3} ± {asa_half:.3}, Erlang C {asa_theory:.3}"
    );
}

#[test]
fn stationary_queue_agrees_with_erlang_c_medium_load() {
    // A = 160/h × 180 s = 8 Erlangs on 10 agents.
    check_against_erlang_c(160.0, 180.0, 10, 11);
}

#[test]
fn stationary_queue_agrees_with_erlang_c_heavy_load() {
    // A = 27 Erlangs on 30 agents (90 % occupancy).
    check_against_erlang_c(324.0, 300.0, 30, 12);
}

#[test]
fn erlang_c_helper_matches_a_published_value() {
    // 100 calls in 30 min, AHT 180 s (A = 10), 14 agents: P(wait) 0.17413 (reference case).
    assert!((erlang_c(14, 10.0) - 0.17413).abs() < 5e-5);
}

/// Simulated service level and abandonment of a stationary queue against the Erlang
/// engine (Erlang C without patience, Erlang A with): each prediction must lie in the
/// simulation's 99 % confidence interval (30 batch means).
fn check_against_erlang_engine(
    calls_per_hour: f64,
    aht_s: f64,
    agents: u32,
    patience_s: Option<f64>,
    days: u32,
    seed: u64,
) {
    use crate::erlang::{erlang_a, erlang_c};
    let cfg = SimConfig::stationary(calls_per_hour, aht_s, agents, patience_s, days, seed);
    let mut sink = CollectSink::default();
    run(&cfg, &mut sink);
    let a = calls_per_hour * aht_s / 3600.0;
    let (sl_theory, abandon_theory) = match patience_s {
        None => (
            erlang_c(f64::from(agents), a, aht_s, 20.0).service_level,
            0.0,
        ),
        Some(p) => {
            let e = erlang_a(u64::from(agents), a, aht_s, p, 20.0);
            (e.service_level, e.abandon_rate)
        }
    };
    let [(sl, sl_half), (ab, ab_half)] = batch_means(&sink.calls, cfg.start_day, days, |call| {
        let answered_in_time = call.outcome == Outcome::Answered && call.wait_ms <= 20_000;
        (
            f64::from(u8::from(answered_in_time)),
            f64::from(u8::from(call.outcome == Outcome::Abandoned)),
        )
    });
    let label = format!("λ={calls_per_hour}/h AHT={aht_s} n={agents} patience={patience_s:?}");
    assert!(
        sl_half < 0.03,
        "{label}: interval too wide to test anything ({sl_half})"
    );
    assert!(
        (sl - sl_theory).abs() <= sl_half,
        "{label}: SL simulated {sl:.4} ± {sl_half:.4}, theory {sl_theory:.4}"
    );
    if patience_s.is_some() {
        assert!(
            ab_half < 0.02,
            "{label}: abandonment interval too wide ({ab_half})"
        );
        assert!(
            (ab - abandon_theory).abs() <= ab_half,
            "{label}: abandonment simulated {ab:.4} ± {ab_half:.4}, theory {abandon_theory:.4}"
        );
    } else {
        assert_eq!(ab, 0.0);
    }
}

#[test]
fn erlang_engine_agrees_with_simulation_small_load() {
    // A = 2 Erlangs on 4 agents.
    check_against_erlang_engine(40.0, 180.0, 4, None, 120, 21);
    check_against_erlang_engine(40.0, 180.0, 3, Some(120.0), 120, 22);
}

#[test]
fn erlang_engine_agrees_with_simulation_medium_load() {
    // A = 10 Erlangs on 12 agents; with patience, fewer agents than Erlangs.
    check_against_erlang_engine(200.0, 180.0, 12, None, 40, 23);
    check_against_erlang_engine(200.0, 180.0, 9, Some(180.0), 40, 24);
}

#[test]
fn erlang_engine_agrees_with_simulation_large_load() {
    // A = 80 Erlangs on 84 agents (95 % occupancy) with patience.
    check_against_erlang_engine(1600.0, 180.0, 84, Some(300.0), 8, 25);
}
