//! Erlang checks: the shared reference cases (exact arithmetic), exact rational
//! Erlang B for small n, properties over random inputs, robustness at the extremes.

use super::models::BlockingRecursion;
use super::*;
use proptest::prelude::*;

fn reference() -> serde_json::Value {
    let text = include_str!("../../../../tests/data/erlang_cases.json");
    serde_json::from_str(text).expect("reference JSON parses")
}

fn close(got: f64, want: f64, abs: f64, what: &str, id: &str) {
    assert!(
        (got - want).abs() <= abs,
        "{id} {what}: got {got}, want {want} (±{abs})"
    );
}

fn close_rel(got: f64, want: f64, rel: f64, what: &str, id: &str) {
    let tol = rel * want.abs().max(1e-300);
    assert!(
        (got - want).abs() <= tol.max(1e-15),
        "{id} {what}: got {got}, want {want} (rel ±{rel})"
    );
}

fn request(case: &serde_json::Value) -> StaffingRequest {
    let i = &case["inputs"];
    let f = |k: &str| i[k].as_f64();
    let traffic = Traffic::new(
        f("calls").expect("calls"),
        f("aht_s").expect("aht"),
        f("interval_min").expect("interval"),
    )
    .expect("valid traffic");
    let model = match case["model"].as_str().expect("model") {
        "erlang-b" => Model::ErlangB,
        "erlang-c" => Model::ErlangC,
        _ => Model::ErlangA {
            patience_s: f("patience_s").expect("patience"),
        },
    };
    let targets = Targets {
        service_level: f("target_sl"),
        sl_seconds: f("awt_s").unwrap_or(0.0),
        max_occupancy: f("max_occupancy"),
        max_blocking: f("max_blocking"),
        ..Targets::default()
    };
    StaffingRequest::new(traffic, model, targets, f("shrinkage").unwrap_or(0.0))
        .expect("valid request")
}

#[test]
fn every_reference_case_is_reproduced_to_its_tolerance() {
    let r = reference();
    let cases = r["cases"].as_array().expect("cases");
    assert!(cases.len() >= 40);
    for case in cases {
        let id = case["id"].as_str().expect("id");
        let e = &case["expected"];
        let req = request(case);
        close_rel(
            req.traffic().erlangs(),
            e["traffic_erlangs"].as_f64().expect("A"),
            1e-12,
            "traffic",
            id,
        );
        let s = req.solve();
        let m = s.metrics;
        assert_eq!(
            m.agents,
            e["raw_agents"].as_u64().expect("agents"),
            "{id} agents"
        );
        assert_eq!(
            s.positions,
            e["positions"].as_u64().expect("positions"),
            "{id} positions"
        );
        close(
            m.occupancy,
            e["occupancy"].as_f64().expect("occ"),
            1e-9,
            "occupancy",
            id,
        );
        match case["model"].as_str().expect("model") {
            "erlang-b" => close(
                m.blocking.expect("blocking"),
                e["blocking"].as_f64().expect("b"),
                1e-9,
                "blocking",
                id,
            ),
            "erlang-c" => {
                close(
                    m.service_level.expect("sl"),
                    e["sl"].as_f64().expect("sl"),
                    1e-9,
                    "sl",
                    id,
                );
                close(
                    m.probability_of_waiting.expect("pw"),
                    e["pw"].as_f64().expect("pw"),
                    1e-9,
                    "pw",
                    id,
                );
                close_rel(
                    m.asa_s.expect("asa"),
                    e["asa_s"].as_f64().expect("asa"),
                    1e-9,
                    "asa",
                    id,
                );
                if let Some(binding) = e["binding"].as_str() {
                    assert_eq!(s.binding.as_str(), binding, "{id} binding");
                }
                // The service level one agent short of what the service level alone needs.
                if let (Some(less), Some(for_sl)) = (
                    e["sl_at_one_less_agent"].as_f64(),
                    e["agents_for_sl"].as_u64(),
                ) {
                    let below = req.evaluate(for_sl - 1);
                    close(
                        below.service_level.expect("sl"),
                        less,
                        1e-9,
                        "sl at n-1",
                        id,
                    );
                    assert!(
                        below.service_level.expect("sl")
                            < req.targets().service_level.expect("target"),
                        "{id}"
                    );
                }
            }
            _ => {
                close(
                    m.service_level.expect("sl"),
                    e["sl"].as_f64().expect("sl"),
                    1e-9,
                    "sl",
                    id,
                );
                close(
                    m.probability_of_waiting.expect("pw"),
                    e["pw"].as_f64().expect("pw"),
                    1e-9,
                    "pw",
                    id,
                );
                close(
                    m.abandon_rate.expect("ab"),
                    e["abandon"].as_f64().expect("ab"),
                    1e-9,
                    "abandon",
                    id,
                );
                close_rel(
                    m.wait_all_s.expect("w"),
                    e["wait_all_s"].as_f64().expect("w"),
                    1e-9,
                    "wait_all",
                    id,
                );
                close_rel(
                    m.asa_s.expect("asa"),
                    e["asa_answered_s"].as_f64().expect("asa"),
                    1e-9,
                    "asa answered",
                    id,
                );
            }
        }
    }
}

#[test]
fn the_cli_example_needs_14_agents() {
    let t = Traffic::new(100.0, 180.0, 30.0).expect("valid");
    let targets = Targets {
        service_level: Some(0.8),
        sl_seconds: 20.0,
        ..Targets::default()
    };
    let s = StaffingRequest::new(t, Model::ErlangC, targets, 0.0)
        .expect("valid")
        .solve();
    assert_eq!(s.metrics.agents, 14);
    assert!((s.metrics.probability_of_waiting.expect("pw") - 0.17413).abs() < 5e-6);
    assert!((s.metrics.service_level.expect("sl") - 0.88835).abs() < 5e-6);
    let a = StaffingRequest::new(t, Model::ErlangA { patience_s: 300.0 }, targets, 0.0)
        .expect("valid")
        .solve();
    assert_eq!(a.metrics.agents, 13);
}

/// Erlang B from its definition with exact integers: for A = p/q,
/// B(n) = (A^n/n!) / Σ_k A^k/k! = p^n / Σ_k p^k q^(n−k) n!/k!.
fn erlang_b_rational(n: u32, p: u128, q: u128) -> f64 {
    let fact = |k: u32| (1..=u128::from(k)).product::<u128>().max(1);
    let num = p.pow(n);
    let den: u128 = (0..=n)
        .map(|k| p.pow(k) * q.pow(n - k) * (fact(n) / fact(k)))
        .sum();
    // Both fit in u128 for the sizes used; their quotient as f64 is exact to 1 ulp.
    num as f64 / den as f64
}

#[test]
fn recursion_equals_the_exact_rational_formula_for_small_n() {
    for n in 0..=12u32 {
        for (p, q) in [
            (1u128, 120u128),
            (1, 5),
            (10, 1),
            (27, 4),
            (99, 10),
            (3, 2),
            (50, 7),
        ] {
            let exact = erlang_b_rational(n, p, q);
            let got = erlang_b(u64::from(n), p as f64 / q as f64);
            assert!(
                (got - exact).abs() <= 1e-14 * exact.max(1e-300),
                "B({n}, {p}/{q}) = {got}, exact {exact}"
            );
        }
    }
}

#[test]
fn truncated_start_matches_the_full_recursion() {
    for a in [64.0, 100.5, 777.0, 5000.0, 20_000.0] {
        for n in [
            a as u64 + 1,
            (a + 2.0 * f64::sqrt(a)) as u64,
            (a * 1.2) as u64,
        ] {
            let mut r = 1.0f64;
            for k in 1..=n {
                r = 1.0 + k as f64 / a * r;
            }
            let full = 1.0 / r;
            let fast = BlockingRecursion::at(n, a).blocking();
            assert!(
                (fast - full).abs() <= 1e-12 * full,
                "A={a} n={n}: {fast} vs {full}"
            );
        }
    }
}

#[test]
fn continuous_erlang_b_agrees_at_integers_and_lies_between() {
    for a in [0.5, 3.0, 42.0] {
        for n in 1..20u64 {
            let x = erlang_b_continuous(n as f64, a);
            assert!((x - erlang_b(n, a)).abs() < 1e-12);
            let mid = erlang_b_continuous(n as f64 + 0.5, a);
            assert!(
                mid < erlang_b(n, a) && mid > erlang_b(n + 1, a),
                "A={a} n={n}.5"
            );
        }
    }
    // Continuous Erlang C between its integer neighbours too.
    let lo = erlang_c(11.0, 10.0, 180.0, 20.0).service_level;
    let mid = erlang_c(11.5, 10.0, 180.0, 20.0).service_level;
    let hi = erlang_c(12.0, 10.0, 180.0, 20.0).service_level;
    assert!(lo < mid && mid < hi);
}

#[test]
fn fractional_agents_lie_just_below_the_whole_answer() {
    let t = Traffic::new(100.0, 180.0, 30.0).expect("valid");
    let targets = Targets {
        service_level: Some(0.8),
        sl_seconds: 20.0,
        ..Targets::default()
    };
    let req = StaffingRequest::new(t, Model::ErlangC, targets, 0.0).expect("valid");
    let x = req
        .solve_fractional()
        .expect("Erlang C has a continuous form");
    // 13 agents give 79.6 %, 14 give 88.8 %: the target is crossed a little above 13.
    assert!(x > 13.0 && x < 13.2, "{x}");
    let sl = erlang_c(x, 10.0, 180.0, 20.0).service_level;
    assert!((sl - 0.8).abs() < 1e-6, "{sl}");
}

#[test]
fn zero_calls_need_zero_agents_in_every_model() {
    let t = Traffic::new(0.0, 180.0, 15.0).expect("valid");
    let sl = Targets {
        service_level: Some(0.8),
        sl_seconds: 20.0,
        max_blocking: Some(0.01),
        ..Targets::default()
    };
    for model in [
        Model::ErlangC,
        Model::ErlangA { patience_s: 60.0 },
        Model::ErlangB,
    ] {
        let s = StaffingRequest::new(t, model, sl, 0.3)
            .expect("valid")
            .solve();
        assert_eq!((s.metrics.agents, s.positions), (0, 0), "{model:?}");
        assert_eq!(s.binding, Binding::NoLoad);
    }
}

#[test]
fn unstable_erlang_c_is_reported_as_such_not_nan() {
    let c = erlang_c(10.0, 12.0, 180.0, 20.0);
    assert_eq!(
        (c.probability_of_waiting, c.service_level, c.asa_s),
        (1.0, 0.0, None)
    );
    let t = Traffic::new(240.0, 180.0, 60.0).expect("valid"); // A = 12
    let req = StaffingRequest::new(
        t,
        Model::ErlangC,
        Targets {
            service_level: Some(0.8),
            sl_seconds: 20.0,
            ..Targets::default()
        },
        0.0,
    )
    .expect("valid");
    let m = req.evaluate(12);
    assert_eq!(
        (m.probability_of_waiting, m.service_level, m.asa_s),
        (Some(1.0), Some(0.0), None)
    );
}

#[test]
fn invalid_inputs_are_refused_once() {
    assert!(matches!(
        Traffic::new(-1.0, 180.0, 15.0),
        Err(StaffingError::Calls(_))
    ));
    assert!(matches!(
        Traffic::new(10.0, 0.0, 15.0),
        Err(StaffingError::HandleTime(_))
    ));
    assert!(matches!(
        Traffic::new(10.0, 180.0, f64::NAN),
        Err(StaffingError::Interval(_))
    ));
    let t = Traffic::new(10.0, 180.0, 15.0).expect("valid");
    let sl = |x| Targets {
        service_level: Some(x),
        sl_seconds: 20.0,
        ..Targets::default()
    };
    assert!(matches!(
        StaffingRequest::new(t, Model::ErlangC, sl(1.0), 0.0),
        Err(StaffingError::ServiceTarget(_))
    ));
    assert!(matches!(
        StaffingRequest::new(t, Model::ErlangC, sl(0.8), 1.0),
        Err(StaffingError::Shrinkage(_))
    ));
    assert!(matches!(
        StaffingRequest::new(t, Model::ErlangA { patience_s: 0.0 }, sl(0.8), 0.0),
        Err(StaffingError::Patience(_))
    ));
    assert!(matches!(
        StaffingRequest::new(t, Model::ErlangB, sl(0.8), 0.0),
        Err(StaffingError::MissingTarget(_))
    ));
}

#[test]
fn extremes_stay_finite_and_terminate() {
    for &a in &[0.001, 0.5, 7.0, 350.0, 5_000.0, 100_000.0] {
        for &aht in &[1.0, 180.0, 14_400.0] {
            for &target in &[0.5, 0.8, 0.999] {
                let calls = a * 1800.0 / aht;
                let t = Traffic::new(calls, aht, 30.0).expect("valid");
                let targets = Targets {
                    service_level: Some(target),
                    sl_seconds: 20.0,
                    ..Targets::default()
                };
                for model in [Model::ErlangC, Model::ErlangA { patience_s: 120.0 }] {
                    let req = StaffingRequest::new(t, model, targets, 0.25).expect("valid");
                    let s = req.solve();
                    let m = s.metrics;
                    for x in [
                        m.service_level,
                        m.probability_of_waiting,
                        m.asa_s,
                        m.abandon_rate,
                        m.wait_all_s,
                        Some(m.occupancy),
                    ]
                    .into_iter()
                    .flatten()
                    {
                        assert!(
                            x.is_finite() && x >= 0.0,
                            "A={a} aht={aht} target={target} {model:?}: {m:?}"
                        );
                    }
                    assert!(m.service_level.expect("sl") >= target - 1e-12, "target met");
                    if m.agents > 1 {
                        assert!(
                            req.failed_target(&req.evaluate(m.agents - 1)).is_some(),
                            "minimal: A={a} {model:?}"
                        );
                    }
                }
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn probabilities_stay_in_range_and_move_the_right_way(a in 0.01f64..400.0, extra in 1u64..40, aht in 5.0f64..3600.0, t in 0.0f64..120.0, patience in 5.0f64..2000.0) {
        let n = a.floor() as u64 + extra;
        let (c0, c1) = (erlang_c(n as f64, a, aht, t), erlang_c(n as f64 + 1.0, a, aht, t));
        for x in [c0.probability_of_waiting, c0.service_level, c0.occupancy] {
            prop_assert!((0.0..=1.0).contains(&x));
        }
        prop_assert!(c1.probability_of_waiting <= c0.probability_of_waiting + 1e-15);
        prop_assert!(c1.service_level >= c0.service_level - 1e-15);
        prop_assert!(c1.asa_s.expect("stable") <= c0.asa_s.expect("stable") + 1e-12);
        prop_assert!(c0.probability_of_waiting >= erlang_b(n, a) - 1e-15, "Erlang C ≥ Erlang B");
        let (e0, e1) = (erlang_a(n, a, aht, patience, t), erlang_a(n + 1, a, aht, patience, t));
        for x in [e0.probability_of_waiting, e0.abandon_rate, e0.service_level, e0.occupancy] {
            prop_assert!((0.0..=1.0).contains(&x), "{e0:?}");
        }
        prop_assert!(e1.service_level >= e0.service_level - 1e-12);
        prop_assert!(e1.abandon_rate <= e0.abandon_rate + 1e-12);
        prop_assert!(e1.asa_s <= e0.asa_s + 1e-9);
    }

    #[test]
    fn erlang_a_tends_to_erlang_c_as_patience_grows(a in 0.5f64..60.0, extra in 2u64..10, aht in 30.0f64..900.0) {
        let n = a.floor() as u64 + extra;
        let c = erlang_c(n as f64, a, aht, 20.0);
        // Near ρ = 1 the wait is long, so patience must be much longer still.
        let e = erlang_a(n, a, aht, 1e13, 20.0);
        prop_assert!((e.probability_of_waiting - c.probability_of_waiting).abs() < 1e-6, "{e:?} {c:?}");
        prop_assert!((e.service_level - c.service_level).abs() < 1e-6);
        prop_assert!((e.asa_s - c.asa_s.expect("stable")).abs() <= 1e-5 * c.asa_s.expect("stable").max(1.0));
        prop_assert!(e.abandon_rate < 1e-6);
    }

    #[test]
    fn staffing_is_minimal(calls in 0.0f64..3000.0, aht in 10.0f64..1200.0, sl in 0.5f64..0.99, occ in 0.7f64..1.0, shrink in 0.0f64..0.5) {
        let t = Traffic::new(calls, aht, 30.0).expect("valid");
        let targets = Targets { service_level: Some(sl), sl_seconds: 20.0, max_occupancy: Some(occ), ..Targets::default() };
        for model in [Model::ErlangC, Model::ErlangA { patience_s: 90.0 }] {
            let req = StaffingRequest::new(t, model, targets, shrink).expect("valid");
            let s = req.solve();
            prop_assert!(req.failed_target(&s.metrics).is_none());
            if s.metrics.agents > 0 {
                prop_assert!(req.failed_target(&req.evaluate(s.metrics.agents - 1)).is_some());
            }
            prop_assert!(s.positions as f64 >= s.metrics.agents as f64 / (1.0 - shrink) - 1e-9);
            prop_assert!((s.positions as f64) < s.metrics.agents as f64 / (1.0 - shrink) + 1.0);
        }
    }
}

#[test]
fn solving_many_at_once_gives_the_same_answers() {
    let targets = Targets {
        service_level: Some(0.8),
        sl_seconds: 20.0,
        max_occupancy: Some(0.85),
        ..Targets::default()
    };
    let requests: Vec<StaffingRequest> = (0..203u32)
        .map(|i| {
            let calls = f64::from((i * 7919) % 2500);
            let model = match i % 3 {
                0 => Model::ErlangC,
                1 => Model::ErlangA { patience_s: 120.0 },
                _ => Model::ErlangB,
            };
            let t = Targets {
                max_blocking: Some(0.02),
                ..targets
            };
            StaffingRequest::new(
                Traffic::new(calls, 120.0 + f64::from(i % 50), 15.0).expect("valid"),
                model,
                t,
                0.3,
            )
            .expect("valid")
        })
        .collect();
    let many = StaffingRequest::solve_many(&requests);
    for (r, m) in requests.iter().zip(&many) {
        assert_eq!(r.solve(), *m);
    }
}
