//! Quality, cost and staff KPIs per bucket: the monitoring score (mean QA score and
//! evaluations), cost prorated by overlap (for cost per call), and agent turnover
//! (full-time agents; leavers ÷ time-weighted average headcount; annualised for the
//! status).

use super::buckets::bucket_of;
use crate::time::DAY_MS;

/// One QA evaluation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct QaRow<'a> {
    /// Agent.
    pub agent: &'a str,
    /// When, ms.
    pub evaluated_ms: i64,
    /// Score 0–100.
    pub score: f64,
}

/// QA of one bucket and group.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Qa {
    /// Sum of scores.
    pub sum: f64,
    /// Evaluations.
    pub n: u64,
}

impl Qa {
    /// Mean score.
    pub fn mean(&self) -> Option<f64> {
        (self.n > 0).then(|| self.sum / self.n as f64)
    }
}

/// QA per `[bucket][group]`.
pub fn qa(
    rows: &[QaRow<'_>],
    starts: &[i64],
    to_ms: i64,
    groups: usize,
    group_of: &dyn Fn(&str) -> Option<usize>,
) -> Vec<Vec<Qa>> {
    let mut out = vec![vec![Qa::default(); groups]; starts.len()];
    for r in rows {
        if let (Some(b), Some(g)) = (bucket_of(starts, to_ms, r.evaluated_ms), group_of(r.agent)) {
            out[b][g].sum += r.score;
            out[b][g].n += 1;
        }
    }
    out
}

/// One cost row.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CostRow {
    /// Period start, ms.
    pub start_ms: i64,
    /// Period end (exclusive), ms.
    pub end_ms: i64,
    /// Amount.
    pub amount: f64,
}

/// Cost per bucket: each row's amount × the fraction of its own period inside the
/// bucket.
pub fn prorated_costs(rows: &[CostRow], starts: &[i64], to_ms: i64) -> Vec<f64> {
    let mut out = vec![0.0; starts.len()];
    for r in rows {
        let len = (r.end_ms - r.start_ms) as f64;
        if len <= 0.0 {
            continue;
        }
        for (i, &s) in starts.iter().enumerate() {
            let e = starts.get(i + 1).copied().unwrap_or(to_ms);
            let o = (r.end_ms.min(e) - r.start_ms.max(s)) as f64;
            if o > 0.0 {
                out[i] += r.amount * o / len;
            }
        }
    }
    out
}

/// One agent of the headcount (employment as instants: local midnights of the dates).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AgentRow<'a> {
    /// Agent.
    pub agent: &'a str,
    /// Employed from, ms (`None`: before any period).
    pub hired_ms: Option<i64>,
    /// Left at, ms (`None`: still employed).
    pub left_ms: Option<i64>,
    /// Full-time (only full-time staff count).
    pub full_time: bool,
}

/// Turnover of one bucket and group.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Turnover {
    /// Leavers (left inside the bucket).
    pub leavers: u64,
    /// Employed agent-days inside the bucket.
    pub agent_days: f64,
    /// Days in the bucket.
    pub days: f64,
}

impl Turnover {
    /// Leavers ÷ average headcount (agent-days ÷ days).
    pub fn value(&self) -> Option<f64> {
        (self.agent_days > 0.0 && self.days > 0.0)
            .then(|| self.leavers as f64 / (self.agent_days / self.days))
    }
    /// The value × 365 ÷ days, on which the status is judged.
    pub fn annualised(&self) -> Option<f64> {
        self.value().map(|v| v * 365.0 / self.days)
    }
}

/// Turnover per `[bucket][group]`.
pub fn turnover(
    rows: &[AgentRow<'_>],
    starts: &[i64],
    to_ms: i64,
    groups: usize,
    group_of: &dyn Fn(&str) -> Option<usize>,
) -> Vec<Vec<Turnover>> {
    let mut out = vec![vec![Turnover::default(); groups]; starts.len()];
    for (i, &s) in starts.iter().enumerate() {
        let e = starts.get(i + 1).copied().unwrap_or(to_ms);
        for t in out[i].iter_mut() {
            t.days = (e - s) as f64 / DAY_MS as f64;
        }
    }
    for r in rows.iter().filter(|r| r.full_time) {
        let Some(g) = group_of(r.agent) else { continue };
        let (a, b) = (
            r.hired_ms.unwrap_or(i64::MIN),
            r.left_ms.unwrap_or(i64::MAX),
        );
        for (i, &s) in starts.iter().enumerate() {
            let e = starts.get(i + 1).copied().unwrap_or(to_ms);
            let o = b.min(e).saturating_sub(a.max(s));
            if o > 0 {
                out[i][g].agent_days += o as f64 / DAY_MS as f64;
            }
            if r.left_ms.is_some_and(|l| l >= s && l < e) {
                out[i][g].leavers += 1;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kpi::buckets::{Bucketing, bucket_starts};
    use crate::time::TimeZoneSpec;

    #[test]
    fn costs_are_prorated_by_overlap() {
        let starts = bucket_starts(0, 2 * DAY_MS, Bucketing::Day, &TimeZoneSpec::Utc);
        // 100 over day 0 and day 1 (two days) and 30 over the last 12 h of day 1 and 12 h beyond.
        let rows = [
            CostRow {
                start_ms: 0,
                end_ms: 2 * DAY_MS,
                amount: 100.0,
            },
            CostRow {
                start_ms: DAY_MS + DAY_MS / 2,
                end_ms: 2 * DAY_MS + DAY_MS / 2,
                amount: 30.0,
            },
        ];
        assert_eq!(prorated_costs(&rows, &starts, 2 * DAY_MS), vec![50.0, 65.0]);
    }

    #[test]
    fn qa_means_per_bucket() {
        let starts = bucket_starts(0, 2 * DAY_MS, Bucketing::Day, &TimeZoneSpec::Utc);
        let rows = [
            QaRow {
                agent: "a",
                evaluated_ms: 10,
                score: 80.0,
            },
            QaRow {
                agent: "a",
                evaluated_ms: 20,
                score: 90.0,
            },
            QaRow {
                agent: "b",
                evaluated_ms: DAY_MS,
                score: 70.0,
            },
        ];
        let q = qa(&rows, &starts, 2 * DAY_MS, 1, &|_| Some(0));
        assert_eq!((q[0][0].mean(), q[0][0].n), (Some(85.0), 2));
        assert_eq!(q[1][0].mean(), Some(70.0));
    }

    /// A 30-day month: 10 full-time agents all month; one leaves on day 10 (employed 10
    /// days), one joins on day 20 (employed 10 days); a part-timer leaves (not counted).
    /// Agent-days = 10 × 30 + 10 + 10 = 320; average headcount 320 / 30 = 10.667;
    /// turnover 1 / 10.667 = 0.09375; annualised × 365/30 = 1.140625.
    #[test]
    fn turnover_with_joiners_and_leavers() {
        let starts = vec![0];
        let to = 30 * DAY_MS;
        let mut rows: Vec<AgentRow<'_>> = (0..10)
            .map(|_| AgentRow {
                agent: "x",
                hired_ms: None,
                left_ms: None,
                full_time: true,
            })
            .collect();
        rows.push(AgentRow {
            agent: "leaver",
            hired_ms: None,
            left_ms: Some(10 * DAY_MS),
            full_time: true,
        });
        rows.push(AgentRow {
            agent: "joiner",
            hired_ms: Some(20 * DAY_MS),
            left_ms: None,
            full_time: true,
        });
        rows.push(AgentRow {
            agent: "part",
            hired_ms: None,
            left_ms: Some(5 * DAY_MS),
            full_time: false,
        });
        let t = turnover(&rows, &starts, to, 1, &|_| Some(0));
        assert_eq!(
            (t[0][0].leavers, t[0][0].agent_days, t[0][0].days),
            (1, 320.0, 30.0)
        );
        assert!((t[0][0].value().expect("value") - 0.09375).abs() < 1e-12);
        assert!((t[0][0].annualised().expect("value") - 0.09375 * 365.0 / 30.0).abs() < 1e-12);
    }
}
