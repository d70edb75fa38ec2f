//! The 23 KPIs of `domain.md` §1 as data: id, the manual's name, unit, family,
//! definition, inputs, target and which side of it is better, and what to look at
//! when it drifts — so the CLI, the API and reports all speak of a KPI the same way.
//!
//! [`status`] colours a value against its target: `good` inside the target (or on its
//! better side), `watch` within 10 % of the bound on the wrong side, `poor` beyond,
//! `unknown` without a value or a target.

use crate::schema::Table;

/// What a KPI's value measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// A fraction in [0, 1] (shown as a percentage).
    Ratio,
    /// Seconds.
    Seconds,
    /// A count.
    Count,
    /// Rings heard.
    Rings,
    /// Calls per logged-in agent hour.
    PerHour,
    /// A 0–100 quality score.
    Score,
    /// Money, in the cost table's currency.
    Currency,
}

impl Unit {
    /// The word used in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Unit::Ratio => "ratio",
            Unit::Seconds => "seconds",
            Unit::Count => "count",
            Unit::Rings => "rings",
            Unit::PerHour => "per_hour",
            Unit::Score => "score",
            Unit::Currency => "currency",
        }
    }
}

/// The KPI families (one module each).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// Volumes and outcomes.
    Volume,
    /// Waiting and answering.
    Waiting,
    /// Handling.
    Handling,
    /// Agent time.
    AgentTime,
    /// Quality and cost.
    QualityCost,
    /// Staff.
    Staff,
}

/// Which side of a target is better.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Better {
    /// Higher values are better (a value above the range is good).
    Higher,
    /// Lower values are better (a value below the range is good).
    Lower,
    /// Only inside the range is good (too low is also a warning).
    Inside,
}

/// A target range; an open side is `None`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Target {
    /// Lower bound.
    pub low: Option<f64>,
    /// Upper bound.
    pub high: Option<f64>,
    /// Which side is better.
    pub better: Better,
}

/// A KPI's status against its target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Inside the target or on its better side.
    Good,
    /// Within 10 % of a bound, on the wrong side.
    Watch,
    /// Beyond that.
    Poor,
    /// No value, or no target.
    Unknown,
}

impl Status {
    /// The word used in JSON and tables.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Good => "good",
            Status::Watch => "watch",
            Status::Poor => "poor",
            Status::Unknown => "unknown",
        }
    }
}

/// One KPI.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct KpiDef {
    /// Number in the manual's list (1–23).
    pub number: u8,
    /// Stable id used in outputs.
    pub id: &'static str,
    /// English name.
    pub name: &'static str,
    /// The manual's own name.
    pub manual_name: &'static str,
    /// Unit of the value.
    pub unit: Unit,
    /// Family.
    pub family: Family,
    /// The definition, as computed.
    pub definition: &'static str,
    /// Tables it needs.
    pub inputs: &'static [Table],
    /// The target, if the manual gives one.
    pub target: Option<Target>,
    /// The manual's benchmark and target, in words.
    pub target_text: &'static str,
    /// What a supervisor should look at when it drifts.
    pub hints: &'static [&'static str],
}

const fn range(low: f64, high: f64, better: Better) -> Option<Target> {
    Some(Target {
        low: Some(low),
        high: Some(high),
        better,
    })
}
const fn at_least(low: f64) -> Option<Target> {
    Some(Target {
        low: Some(low),
        high: None,
        better: Better::Higher,
    })
}
const fn at_most(high: f64) -> Option<Target> {
    Some(Target {
        low: None,
        high: Some(high),
        better: Better::Lower,
    })
}

use Family as F;
use Table as T;
use Unit as U;

/// All 23 KPIs, in the manual's order.
pub const KPIS: [KpiDef; 23] = [
    KpiDef {
        number: 1,
        id: "schedule_adherence",
        name: "Schedule adherence",
        manual_name: "實際工作率",
        unit: U::Ratio,
        family: F::AgentTime,
        definition: "time logged in and working (ready, talk, hold, after-call work) inside scheduled work ÷ scheduled work time",
        inputs: &[T::AgentStates, T::Schedules],
        target: at_least(0.92),
        target_text: "best ≥ 92 %",
        hints: &[
            "late log-ins and early log-outs",
            "breaks and lunches taken off schedule",
            "unplanned not-ready time",
        ],
    },
    KpiDef {
        number: 2,
        id: "after_call_work_time",
        name: "After-call work time",
        manual_name: "事後處理時間",
        unit: U::Seconds,
        family: F::Handling,
        definition: "mean after-call work seconds per answered call",
        inputs: &[T::Calls],
        target: range(30.0, 60.0, Better::Lower),
        target_text: "centre average 60 s; target 30–60 s",
        hints: &[
            "wrap-up codes and note templates",
            "systems slow to save",
            "agents using wrap-up as a break",
        ],
    },
    KpiDef {
        number: 3,
        id: "average_time_to_abandon",
        name: "Average time to abandon",
        manual_name: "平均放棄時間",
        unit: U::Seconds,
        family: F::Waiting,
        definition: "mean wait of abandoned calls (short abandons removed)",
        inputs: &[T::Calls],
        target: range(20.0, 60.0, Better::Inside),
        target_text: "industry 60 s; target 20–60 s (short waits mean little patience)",
        hints: &[
            "queue announcements and expected-wait messages",
            "staffing at the peaks",
            "callers' patience for this kind of call",
        ],
    },
    KpiDef {
        number: 4,
        id: "cost_per_call",
        name: "Cost per call",
        manual_name: "平均單呼成本",
        unit: U::Currency,
        family: F::QualityCost,
        definition: "total cost of the period (cost rows prorated by overlap) ÷ calls answered by agents or the IVR",
        inputs: &[T::Costs, T::Calls],
        target: range(2.0, 5.0, Better::Lower),
        target_text: "industry average 4 (yuan); target 2–5",
        hints: &[
            "occupancy and idle time",
            "handle time",
            "calls the IVR could finish",
        ],
    },
    KpiDef {
        number: 5,
        id: "average_handle_time",
        name: "Average handle time (AHT)",
        manual_name: "平均通話時間",
        unit: U::Seconds,
        family: F::Handling,
        definition: "mean talk + hold + after-call work per answered call",
        inputs: &[T::Calls],
        target: range(180.0, 600.0, Better::Inside),
        target_text: "industry 8.5 min; tech support 10–15 min; target 3–10 min ± 15 %",
        hints: &[
            "hold and after-call work",
            "training and knowledge base",
            "call types mixing in the queue",
        ],
    },
    KpiDef {
        number: 6,
        id: "average_hold_time",
        name: "Average hold time",
        manual_name: "平均持線時間",
        unit: U::Seconds,
        family: F::Handling,
        definition: "mean hold seconds per answered call",
        inputs: &[T::Calls],
        target: range(20.0, 60.0, Better::Lower),
        target_text: "industry 60 s; target 20–60 s",
        hints: &[
            "agents looking for answers",
            "second-level support reachable",
            "system response times",
        ],
    },
    KpiDef {
        number: 7,
        id: "average_rings",
        name: "Average rings before answer",
        manual_name: "平均振鈴次數",
        unit: U::Rings,
        family: F::Waiting,
        definition: "mean rings heard before answer, per answered call (calls without rings recorded skipped)",
        inputs: &[T::Calls],
        target: range(2.0, 4.0, Better::Lower),
        target_text: "industry 2–3; target 2–4",
        hints: &[
            "agents slow to pick up",
            "auto-answer and ring timeout settings",
        ],
    },
    KpiDef {
        number: 8,
        id: "average_queue_time",
        name: "Average queue time",
        manual_name: "平均排隊時間",
        unit: U::Seconds,
        family: F::Waiting,
        definition: "mean wait of answered calls that waited (wait > 0)",
        inputs: &[T::Calls],
        target: range(30.0, 90.0, Better::Lower),
        target_text: "industry 150 s; target 30–90 s",
        hints: &[
            "staffing against the forecast",
            "adherence at the peaks",
            "handle time above plan",
        ],
    },
    KpiDef {
        number: 9,
        id: "average_speed_of_answer",
        name: "Average speed of answer (ASA)",
        manual_name: "平均應答速度",
        unit: U::Seconds,
        family: F::Waiting,
        definition: "total wait of answered calls ÷ answered calls",
        inputs: &[T::Calls],
        target: at_most(20.0),
        target_text: "≤ 20 s",
        hints: &[
            "after-call work above target",
            "hold above plan",
            "wrong volume forecast",
            "too little adherence",
        ],
    },
    KpiDef {
        number: 10,
        id: "average_talk_time",
        name: "Average talk time",
        manual_name: "平均交談時間",
        unit: U::Seconds,
        family: F::Handling,
        definition: "mean talk seconds (hold excluded) per answered call",
        inputs: &[T::Calls],
        target: range(270.0, 360.0, Better::Inside),
        target_text: "industry 330 s; tech support 6–10 min; target 270–360 s",
        hints: &[
            "call types and scripts",
            "agents' experience",
            "calls cut short to meet targets",
        ],
    },
    KpiDef {
        number: 11,
        id: "calls_per_agent_hour",
        name: "Calls per agent hour",
        manual_name: "每小時呼叫次數",
        unit: U::PerHour,
        family: F::AgentTime,
        definition: "answered calls ÷ logged-in agent hours",
        inputs: &[T::Calls, T::AgentStates],
        target: None,
        target_text: "no universal target: from ~5/h (complex) to very high (simple); report only",
        hints: &[
            "handle time",
            "occupancy",
            "logged-in time not taking calls",
        ],
    },
    KpiDef {
        number: 12,
        id: "monitoring_score",
        name: "Quality monitoring score",
        manual_name: "監聽分值",
        unit: U::Score,
        family: F::QualityCost,
        definition: "mean quality score (0–100) of the evaluations in the period; also evaluations per agent (manual: 4–5 a month each)",
        inputs: &[T::QaEvaluations],
        target: None,
        target_text: "no universal target",
        hints: &[
            "coaching on the lowest-scoring items",
            "evaluations per agent (4–5 a month)",
        ],
    },
    KpiDef {
        number: 13,
        id: "occupancy",
        name: "Occupancy",
        manual_name: "占線率",
        unit: U::Ratio,
        family: F::AgentTime,
        definition: "(talk + hold + after-call work time) ÷ (that + ready time), from agent states",
        inputs: &[T::AgentStates],
        target: at_least(0.90),
        target_text: "best ≥ 90 %",
        hints: &[
            "over-staffing against the forecast",
            "schedules matching the intraday curve",
        ],
    },
    KpiDef {
        number: 14,
        id: "abandon_rate",
        name: "Abandon rate",
        manual_name: "呼叫放棄率",
        unit: U::Ratio,
        family: F::Volume,
        definition: "abandoned ÷ offered (short abandons removed from both)",
        inputs: &[T::Calls],
        target: range(0.03, 0.05, Better::Lower),
        target_text: "industry 3 %; target 3–5 % (lower is better)",
        hints: &[
            "speed of answer",
            "staffing at the peaks",
            "queue announcements",
        ],
    },
    KpiDef {
        number: 15,
        id: "attendance",
        name: "Attendance",
        manual_name: "出勤率",
        unit: U::Ratio,
        family: F::Staff,
        definition: "(agent, day) pairs with scheduled work in which the agent logged in ÷ (agent, day) pairs with scheduled work",
        inputs: &[T::AgentStates, T::Schedules],
        target: at_least(0.95),
        target_text: "95 %",
        hints: &["absence patterns by weekday", "morale and turnover"],
    },
    KpiDef {
        number: 16,
        id: "blocked_call_rate",
        name: "Blocked call rate",
        manual_name: "忙音率",
        unit: U::Ratio,
        family: F::Volume,
        definition: "blocked ÷ all calls",
        inputs: &[T::Calls],
        target: range(0.01, 0.03, Better::Lower),
        target_text: "industry 1 %; target 1–3 % (0 is ideal)",
        hints: &[
            "trunks and queue size (Erlang B)",
            "peaks beyond the forecast",
        ],
    },
    KpiDef {
        number: 17,
        id: "first_call_resolution",
        name: "First call resolution (FCR)",
        manual_name: "一次性解決問題的呼叫率",
        unit: U::Ratio,
        family: F::Handling,
        definition: "answered calls resolved with no call-back ÷ answered calls (the resolved column, else no repeat call from the caller within the FCR window)",
        inputs: &[T::Calls],
        target: range(0.85, 1.0, Better::Higher),
        target_text: "industry 85 %; target 85–100 %",
        hints: &[
            "repeat reasons",
            "agents' authority to solve",
            "knowledge base",
        ],
    },
    KpiDef {
        number: 18,
        id: "queued_call_rate",
        name: "Queued call rate",
        manual_name: "隊列放置率",
        unit: U::Ratio,
        family: F::Waiting,
        definition: "calls that waited in queue (wait > 0) ÷ received",
        inputs: &[T::Calls],
        target: range(0.10, 0.20, Better::Lower),
        target_text: "industry 15 %; target 10–20 %",
        hints: &["staffing against the intraday curve", "handle time"],
    },
    KpiDef {
        number: 19,
        id: "transfer_rate",
        name: "Transfer rate",
        manual_name: "轉接呼叫率",
        unit: U::Ratio,
        family: F::Handling,
        definition: "transferred ÷ answered",
        inputs: &[T::Calls],
        target: at_most(0.01),
        target_text: "industry 3 %; target 1 %",
        hints: &[
            "IVR routing to the right queue",
            "agents' skills and authority",
        ],
    },
    KpiDef {
        number: 20,
        id: "answered_call_rate",
        name: "Answered call rate",
        manual_name: "已復電話百分比",
        unit: U::Ratio,
        family: F::Volume,
        definition: "answered ÷ offered",
        inputs: &[T::Calls],
        target: at_least(0.98),
        target_text: "common 98 %",
        hints: &["abandons and time-outs", "staffing at the peaks"],
    },
    KpiDef {
        number: 21,
        id: "service_level",
        name: "Service level",
        manual_name: "服務水平",
        unit: U::Ratio,
        family: F::Waiting,
        definition: "answered within sl_seconds ÷ offered",
        inputs: &[T::Calls],
        target: at_least(0.80),
        target_text: "industry standard 80 % in 20 s",
        hints: &[
            "staffing against the forecast (Erlang C/A)",
            "adherence",
            "handle time",
        ],
    },
    KpiDef {
        number: 22,
        id: "total_calls",
        name: "Total calls",
        manual_name: "總呼叫數",
        unit: U::Count,
        family: F::Volume,
        definition: "all calls: answered + abandoned + timeout + blocked + ivr",
        inputs: &[T::Calls],
        target: None,
        target_text: "report only (per hour, day, week, month)",
        hints: &["the forecast against actual volume"],
    },
    KpiDef {
        number: 23,
        id: "agent_turnover",
        name: "Agent turnover",
        manual_name: "值機員流動率",
        unit: U::Ratio,
        family: F::Staff,
        definition: "full-time agents who left in the period ÷ average headcount (time-weighted); status on the annualised figure",
        inputs: &[T::Agents],
        target: range(0.15, 0.30, Better::Inside),
        target_text: "industry 25 % a year; target 15–30 % a year (too low is also a warning)",
        hints: &["exit interviews", "schedules and workload", "career paths"],
    },
];

/// The KPI with this id.
pub fn by_id(id: &str) -> Option<&'static KpiDef> {
    KPIS.iter().find(|k| k.id == id)
}

/// The status of `value` against `target`: good inside (or on the better side),
/// watch within 10 % of the bound on the wrong side, poor beyond; unknown without a
/// value or a target.
pub fn status(target: Option<&Target>, value: Option<f64>) -> Status {
    let (Some(t), Some(v)) = (target, value) else {
        return Status::Unknown;
    };
    if !v.is_finite() {
        return Status::Unknown;
    }
    // How far outside, relative to the bound crossed; 0 when inside or better.
    let miss = |bound: f64, over: bool| -> f64 {
        let d = if over { v - bound } else { bound - v };
        if d <= 0.0 {
            0.0
        } else {
            d / bound.abs().max(f64::MIN_POSITIVE)
        }
    };
    let miss = match t.better {
        Better::Higher => t.low.map_or(0.0, |lo| miss(lo, false)),
        Better::Lower => t.high.map_or(0.0, |hi| miss(hi, true)),
        Better::Inside => t
            .low
            .map_or(0.0, |lo| miss(lo, false))
            .max(t.high.map_or(0.0, |hi| miss(hi, true))),
    };
    if miss == 0.0 {
        Status::Good
    } else if miss <= 0.10 + 1e-12 {
        Status::Watch
    } else {
        Status::Poor
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn twenty_three_kpis_numbered_and_unique() {
        for (i, k) in KPIS.iter().enumerate() {
            assert_eq!(usize::from(k.number), i + 1);
            assert_eq!(by_id(k.id).map(|d| d.number), Some(k.number));
            assert!(!k.hints.is_empty() && !k.inputs.is_empty());
        }
        let ids: std::collections::HashSet<&str> = KPIS.iter().map(|k| k.id).collect();
        assert_eq!(ids.len(), 23);
    }

    #[test]
    fn statuses_follow_the_manual_targets() {
        let sl = by_id("service_level").and_then(|k| k.target.as_ref());
        assert_eq!(status(sl, Some(0.85)), Status::Good);
        assert_eq!(
            status(sl, Some(0.80)),
            Status::Good,
            "on the bound is inside"
        );
        assert_eq!(status(sl, Some(0.73)), Status::Watch, "8.75 % below 80 %");
        assert_eq!(status(sl, Some(0.70)), Status::Poor, "12.5 % below");
        let asa = by_id("average_speed_of_answer").and_then(|k| k.target.as_ref());
        assert_eq!(status(asa, Some(5.0)), Status::Good);
        assert_eq!(status(asa, Some(22.0)), Status::Watch);
        assert_eq!(status(asa, Some(22.1)), Status::Poor);
        // Lower is better: under the range is good.
        let abandon = by_id("abandon_rate").and_then(|k| k.target.as_ref());
        assert_eq!(status(abandon, Some(0.01)), Status::Good);
        assert_eq!(status(abandon, Some(0.054)), Status::Watch);
        // Inside only: too low is a warning too.
        let turnover = by_id("agent_turnover").and_then(|k| k.target.as_ref());
        assert_eq!(status(turnover, Some(0.20)), Status::Good);
        assert_eq!(status(turnover, Some(0.14)), Status::Watch);
        assert_eq!(status(turnover, Some(0.05)), Status::Poor);
        // Report-only KPIs and missing values.
        assert_eq!(
            status(
                by_id("total_calls").and_then(|k| k.target.as_ref()),
                Some(10.0)
            ),
            Status::Unknown
        );
        assert_eq!(status(sl, None), Status::Unknown);
        assert_eq!(status(sl, Some(f64::NAN)), Status::Unknown);
    }
}
