//! Simulated tickets: repairs, complaints, enquiries and service requests opened by
//! answered calls and by walk-ins, with deadlines of `domain.md` §2 missed on purpose
//! at a known rate, and a few "problem units" where leaks recur.
//!
//! Each deadline-bearing stop time is drawn as: with probability `late_share`, due +
//! U(1 min, 2 days) (a breach); otherwise start + U(5 %, 95 %) × (due − start) (met).
//! Times after the end of the simulation are left empty (the ticket is still open).

use super::records::{CallRecord, SimSink, TicketKind, TicketRecord};
use crate::time::DAY_MS;
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, LogNormal, Poisson};

const HOUR_MS: i64 = 3_600_000;
/// Share of answered calls that open a ticket.
const TICKET_SHARE: f64 = 0.12;
/// Units where leaks keep coming back (building, flat).
const PROBLEM_UNITS: [(u32, u32); 4] = [(3, 1201), (7, 305), (12, 1808), (15, 602)];

pub(crate) struct TicketMaker {
    rng: ChaCha8Rng,
    end_ms: i64,
    late_share: f64,
    next_id: u64,
    days_1_5: LogNormal<f64>,
    days_2: LogNormal<f64>,
}

impl TicketMaker {
    pub(crate) fn new(rng: ChaCha8Rng, end_ms: i64, late_share: f64) -> Self {
        // Log-normal with mean m days and CV 0.8: sigma² = ln(1.64).
        let ln = |m: f64| {
            let s2 = 1.64f64.ln();
            LogNormal::new((m * DAY_MS as f64).ln() - s2 / 2.0, s2.sqrt())
                .expect("finite parameters")
        };
        TicketMaker {
            rng,
            end_ms,
            late_share: late_share.clamp(0.0, 1.0),
            next_id: 0,
            days_1_5: ln(1.5),
            days_2: ln(2.0),
        }
    }

    pub(crate) fn on_answered_call(
        &mut self,
        call: &CallRecord,
        end_of_call_ms: i64,
        sink: &mut dyn SimSink,
    ) {
        if !self.rng.random_bool(TICKET_SHARE) {
            return;
        }
        let t = self.make(end_of_call_ms, "phone", call.caller, Some(call.id));
        sink.ticket(&t);
    }

    pub(crate) fn walk_ins(&mut self, day_ms: i64, mean: f64, sink: &mut dyn SimSink) {
        let n = Poisson::new(mean)
            .map(|p| p.sample(&mut self.rng) as u64)
            .unwrap_or(0);
        let mut times: Vec<i64> = (0..n)
            .map(|_| day_ms + 8 * HOUR_MS + self.rng.random_range(0..10 * HOUR_MS) / 1000 * 1000)
            .collect();
        times.sort_unstable();
        for at in times {
            let channel =
                ["visit", "web", "letter", "fax"][self.rng.random_range(0..4usize).min(3)];
            let customer = 10_000_000 + self.rng.random_range(0..100_000u64);
            let t = self.make(at, channel, customer, None);
            sink.ticket(&t);
        }
    }

    fn stop(&mut self, start: i64, due: i64) -> i64 {
        let s = if self.rng.random_bool(self.late_share) {
            due + self.rng.random_range(60_000..2 * DAY_MS)
        } else {
            start + ((due - start) as f64 * self.rng.random_range(0.05..0.95)) as i64
        };
        s / 1000 * 1000
    }

    fn open(&self, t: i64) -> Option<i64> {
        (t <= self.end_ms).then_some(t)
    }

    fn make(
        &mut self,
        created_ms: i64,
        channel: &'static str,
        customer: u64,
        call: Option<u64>,
    ) -> TicketRecord {
        let created = created_ms / 1000 * 1000;
        let id = self.next_id;
        self.next_id += 1;
        let r: f64 = self.rng.random();
        let kind = match r {
            x if x < 0.5 => TicketKind::Repair,
            x if x < 0.7 => TicketKind::Complaint,
            x if x < 0.9 => TicketKind::Enquiry,
            _ => TicketKind::Service,
        };
        let mut t = TicketRecord {
            id,
            created_ms: created,
            kind,
            category: "",
            severity: None,
            channel,
            customer,
            building: self.rng.random_range(1..=20),
            flat: self.rng.random_range(1..=30) * 100 + self.rng.random_range(1..=8),
            department: "",
            call,
            escalated_ms: None,
            answered_ms: None,
            completed_ms: None,
            resolved_ms: None,
            callback_ms: None,
            requested_ms: None,
            satisfaction: None,
        };
        match kind {
            TicketKind::Repair => {
                let c: f64 = self.rng.random();
                t.category = if c < 0.15 {
                    "safety"
                } else if c < 0.4 {
                    "leak"
                } else {
                    "other"
                };
                if t.category == "leak" && self.rng.random_bool(0.3) {
                    let (b, f) = PROBLEM_UNITS[self.rng.random_range(0..PROBLEM_UNITS.len())];
                    t.building = b;
                    t.flat = f;
                }
                t.department = "maintenance";
                let completed =
                    created + (self.days_1_5.sample(&mut self.rng) as i64) / 1000 * 1000;
                let resolved =
                    completed + self.rng.random_range(300_000..2 * HOUR_MS) / 1000 * 1000;
                let due = completed + if t.category == "leak" { 3 } else { 2 } * DAY_MS;
                let callback = if self.rng.random_bool(0.02) {
                    None
                } else {
                    Some(self.stop(resolved, due).max(resolved))
                };
                t.completed_ms = self.open(completed);
                t.resolved_ms = t.completed_ms.and_then(|_| self.open(resolved));
                t.callback_ms = t.resolved_ms.and(callback).and_then(|c| self.open(c));
            }
            TicketKind::Complaint => {
                t.department = "customer-relations";
                t.category = ["noise", "cleaning", "security", "billing", "staff"]
                    [self.rng.random_range(0..5usize)];
                let s: f64 = self.rng.random();
                let severity = if s < 0.1 {
                    "major"
                } else if s < 0.4 {
                    "important"
                } else {
                    "minor"
                };
                t.severity = Some(severity);
                let resolution_due = match severity {
                    "major" => {
                        let end_of_day = (created.div_euclid(DAY_MS) + 1) * DAY_MS - 1000;
                        let esc = self.stop(created, end_of_day);
                        t.escalated_ms = self.open(esc);
                        let ans = self.stop(created, created + 2 * DAY_MS);
                        t.answered_ms = self.open(ans);
                        created + 10 * DAY_MS
                    }
                    "important" => {
                        let esc = self.stop(created, created + HOUR_MS);
                        t.escalated_ms = self.open(esc);
                        created + 3 * DAY_MS
                    }
                    _ => {
                        if self.rng.random_bool(0.3) {
                            let req = created + self.rng.random_range(1..=5) * DAY_MS;
                            t.requested_ms = Some(req);
                            req
                        } else {
                            created + 2 * DAY_MS
                        }
                    }
                };
                let resolved = self.stop(created, resolution_due);
                // A resolution cannot precede the escalation or answer it follows.
                let resolved = resolved
                    .max(t.escalated_ms.unwrap_or(0))
                    .max(t.answered_ms.unwrap_or(0));
                t.resolved_ms = self.open(resolved);
                let follow = self.stop(resolved, resolved + 2 * DAY_MS);
                t.callback_ms = t.resolved_ms.and_then(|_| self.open(follow));
            }
            TicketKind::Enquiry => {
                t.department = "front-desk";
                t.category = "information";
                let ans = created + self.rng.random_range(60_000..4 * HOUR_MS) / 1000 * 1000;
                t.answered_ms = self.open(ans);
                t.resolved_ms = t.answered_ms;
            }
            TicketKind::Service => {
                t.department = "property";
                t.category =
                    ["keys", "parking", "move-in", "cleaning"][self.rng.random_range(0..4usize)];
                let done = created + (self.days_2.sample(&mut self.rng) as i64) / 1000 * 1000;
                t.completed_ms = self.open(done);
                t.resolved_ms = t.completed_ms;
            }
        }
        if t.resolved_ms.is_some() && self.rng.random_bool(0.4) {
            t.satisfaction = Some(f64::from(
                self.rng
                    .random_range(1..=5u32)
                    .max(self.rng.random_range(2..=5u32)),
            ));
        }
        t
    }
}
