//! The call-based KPIs (volume and outcomes, waiting, handling): an accumulator fed
//! one call at a time, then read out as KPI values, exactly as `domain.md` §1's
//! computation rules say.
//!
//! * Short abandons (abandoned with wait ≤ `short_abandon_seconds`) leave every formula;
//!   they are still counted in the raw counts.
//! * all = calls − short abandons; received = all − blocked; offered = received − ivr.
//! * "Answered within X" means wait ≤ X; "queued" means wait > 0.
//! * Averages over answered calls skip calls where that column is empty; AHT counts an
//!   empty hold or after-call work as 0 (their documented default).
//! * A ratio with an empty denominator is null with a reason, never 0.

use crate::schema::Outcome;

/// One call as the KPIs read it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CallRow {
    /// Outcome.
    pub outcome: Outcome,
    /// Wait in queue, seconds.
    pub wait_s: f64,
    /// Talk seconds (answered calls).
    pub talk_s: Option<f64>,
    /// Hold seconds.
    pub hold_s: Option<f64>,
    /// After-call work seconds.
    pub acw_s: Option<f64>,
    /// Rings heard.
    pub rings: Option<u32>,
    /// Transferred.
    pub transferred: bool,
    /// First-contact resolution, when known (the `resolved` column, else the
    /// repeat-contact method; `None`: left out).
    pub resolved: Option<bool>,
}

/// How abandoned calls enter the service level.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SlAbandons {
    /// They count as failures (the manual's definition): answered within t ÷ offered.
    Negative,
    /// They are left out: answered within t ÷ (offered − abandoned).
    Ignore,
    /// Those abandoned within t count as successes: (answered within t + abandoned
    /// within t) ÷ offered.
    Positive,
}

impl SlAbandons {
    /// The word used in outputs.
    pub fn as_str(self) -> &'static str {
        match self {
            SlAbandons::Negative => "negative",
            SlAbandons::Ignore => "ignore",
            SlAbandons::Positive => "positive",
        }
    }
}

/// Definition choices that change the figures.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CallSettings {
    /// Service-level threshold, seconds.
    pub sl_seconds: f64,
    /// Abandons at or under this wait are short (misdials), seconds.
    pub short_abandon_seconds: f64,
    /// How abandons enter the service level.
    pub sl_abandons: SlAbandons,
}

/// The default first-contact-resolution window: a repeat call within 7 days means
/// the first was not resolved (domain.md, KPI 17).
pub const DEFAULT_FCR_WINDOW_MS: i64 = 7 * 86_400_000;

impl Default for CallSettings {
    fn default() -> Self {
        CallSettings {
            sl_seconds: 20.0,
            short_abandon_seconds: 5.0,
            sl_abandons: SlAbandons::Negative,
        }
    }
}

/// A [`CallAccum`] as plain integers, in [`CallAccum::FIELDS`] order: the columns
/// of the report summaries' call slots. Counts are whole calls, sums whole
/// microseconds, so an accumulator goes through a table and back unchanged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AccumFields(pub [i64; CallAccum::FIELDS.len()]);

/// Raw counts of a bucket (the `counts` object of `cli.md`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CallCounts {
    /// Every call.
    pub total: u64,
    /// Answered.
    pub answered: u64,
    /// Abandoned, short ones included.
    pub abandoned: u64,
    /// Abandoned within the short-abandon threshold.
    pub short_abandons: u64,
    /// Sent away by the queue.
    pub timeout: u64,
    /// Blocked.
    pub blocked: u64,
    /// Handled by the IVR.
    pub ivr: u64,
}

impl CallCounts {
    /// The counts' names, in [`CallCounts::values`] order (CSV columns, the first
    /// of [`CallAccum::FIELDS`]).
    pub const NAMES: [&'static str; 7] = [
        "total",
        "answered",
        "abandoned",
        "short_abandons",
        "timeout",
        "blocked",
        "ivr",
    ];

    /// The counts in [`CallCounts::NAMES`] order.
    pub fn values(&self) -> [u64; 7] {
        [
            self.total,
            self.answered,
            self.abandoned,
            self.short_abandons,
            self.timeout,
            self.blocked,
            self.ivr,
        ]
    }
}

/// A mean kept as an integer sum of millionths (microseconds for times), so sums
/// are exact and the same in any order: the per-slot summaries of the store and a
/// pass over the rows give the same figure to the last bit.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct Mean {
    sum_micros: i64,
    n: u64,
}

impl Mean {
    fn add(&mut self, x: f64) {
        self.sum_micros += (x * 1e6).round() as i64;
        self.n += 1;
    }
    fn value(&self) -> Option<f64> {
        (self.n > 0).then(|| self.sum_micros as f64 / 1e6 / self.n as f64)
    }
}

/// The accumulator.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct CallAccum {
    /// Raw counts.
    pub counts: CallCounts,
    queued_received: u64,
    answered_in_sl: u64,
    abandoned_in_sl: u64,
    sl_abandons: Option<SlAbandons>,
    transferred: u64,
    abandon_wait: Mean,
    answered_wait: Mean,
    queued_answered_wait: Mean,
    talk: Mean,
    hold: Mean,
    acw: Mean,
    handle: Mean,
    rings: Mean,
    fcr: Mean,
}

/// A KPI value, or why there is none.
#[derive(Debug, Clone, PartialEq)]
pub struct Figure {
    /// The value.
    pub value: Option<f64>,
    /// Why it is null.
    pub reason: Option<&'static str>,
}

impl Figure {
    fn of(value: Option<f64>, reason: &'static str) -> Figure {
        Figure {
            reason: if value.is_none() { Some(reason) } else { None },
            value,
        }
    }
}

fn ratio(num: u64, den: u64) -> Option<f64> {
    (den > 0).then(|| num as f64 / den as f64)
}

impl CallAccum {
    /// Adds one call.
    pub fn add(&mut self, c: &CallRow, s: &CallSettings) {
        let k = &mut self.counts;
        k.total += 1;
        match c.outcome {
            Outcome::Answered => k.answered += 1,
            Outcome::Abandoned => k.abandoned += 1,
            Outcome::Timeout => k.timeout += 1,
            Outcome::Blocked => k.blocked += 1,
            Outcome::Ivr => k.ivr += 1,
        }
        if c.outcome == Outcome::Abandoned && c.wait_s <= s.short_abandon_seconds {
            k.short_abandons += 1;
            return; // leaves every formula
        }
        if c.outcome != Outcome::Blocked && c.wait_s > 0.0 {
            self.queued_received += 1;
        }
        self.sl_abandons = Some(s.sl_abandons);
        match c.outcome {
            Outcome::Abandoned => {
                self.abandon_wait.add(c.wait_s);
                if c.wait_s <= s.sl_seconds {
                    self.abandoned_in_sl += 1;
                }
            }
            Outcome::Answered => {
                self.answered_wait.add(c.wait_s);
                if c.wait_s > 0.0 {
                    self.queued_answered_wait.add(c.wait_s);
                }
                if c.wait_s <= s.sl_seconds {
                    self.answered_in_sl += 1;
                }
                if c.transferred {
                    self.transferred += 1;
                }
                if let Some(t) = c.talk_s {
                    self.talk.add(t);
                    self.handle
                        .add(t + c.hold_s.unwrap_or(0.0) + c.acw_s.unwrap_or(0.0));
                }
                if let Some(h) = c.hold_s {
                    self.hold.add(h);
                }
                if let Some(a) = c.acw_s {
                    self.acw.add(a);
                }
                if let Some(r) = c.rings {
                    self.rings.add(f64::from(r));
                }
                if let Some(r) = c.resolved {
                    self.fcr.add(if r { 1.0 } else { 0.0 });
                }
            }
            _ => {}
        }
    }

    /// Merges another accumulator (for totals over groups).
    pub fn merge(&mut self, o: &CallAccum) {
        let (a, b) = (&mut self.counts, &o.counts);
        a.total += b.total;
        a.answered += b.answered;
        a.abandoned += b.abandoned;
        a.short_abandons += b.short_abandons;
        a.timeout += b.timeout;
        a.blocked += b.blocked;
        a.ivr += b.ivr;
        self.queued_received += o.queued_received;
        self.answered_in_sl += o.answered_in_sl;
        self.abandoned_in_sl += o.abandoned_in_sl;
        self.sl_abandons = self.sl_abandons.or(o.sl_abandons);
        self.transferred += o.transferred;
        for (x, y) in [
            (&mut self.abandon_wait, &o.abandon_wait),
            (&mut self.answered_wait, &o.answered_wait),
            (&mut self.queued_answered_wait, &o.queued_answered_wait),
            (&mut self.talk, &o.talk),
            (&mut self.hold, &o.hold),
            (&mut self.acw, &o.acw),
            (&mut self.handle, &o.handle),
            (&mut self.rings, &o.rings),
            (&mut self.fcr, &o.fcr),
        ] {
            x.sum_micros += y.sum_micros;
            x.n += y.n;
        }
    }

    /// The names of [`CallAccum::fields`], in order (the columns of the store's
    /// per-slot call summary); the first seven are [`CallCounts::NAMES`].
    pub const FIELDS: [&'static str; 29] = [
        "total",
        "answered",
        "abandoned",
        "short_abandons",
        "timeout",
        "blocked",
        "ivr",
        "queued_received",
        "answered_in_sl",
        "abandoned_in_sl",
        "transferred",
        "abandon_wait_us",
        "abandon_wait_n",
        "answered_wait_us",
        "answered_wait_n",
        "queued_answered_wait_us",
        "queued_answered_wait_n",
        "talk_us",
        "talk_n",
        "hold_us",
        "hold_n",
        "acw_us",
        "acw_n",
        "handle_us",
        "handle_n",
        "rings_us",
        "rings_n",
        "fcr_us",
        "fcr_n",
    ];

    /// Every counter and sum, as integers (see [`CallAccum::FIELDS`]); with
    /// [`CallAccum::from_fields`] an accumulator goes through a table and back
    /// unchanged.
    pub fn fields(&self) -> AccumFields {
        let k = &self.counts;
        let m = [
            &self.abandon_wait,
            &self.answered_wait,
            &self.queued_answered_wait,
            &self.talk,
            &self.hold,
            &self.acw,
            &self.handle,
            &self.rings,
            &self.fcr,
        ];
        let mut out = [0i64; CallAccum::FIELDS.len()];
        let counts = k.values().into_iter().chain([
            self.queued_received,
            self.answered_in_sl,
            self.abandoned_in_sl,
            self.transferred,
        ]);
        for (o, c) in out.iter_mut().zip(counts) {
            *o = c as i64;
        }
        for (i, x) in m.iter().enumerate() {
            out[11 + 2 * i] = x.sum_micros;
            out[12 + 2 * i] = x.n as i64;
        }
        AccumFields(out)
    }

    /// The accumulator [`CallAccum::fields`] came from, with the service-level
    /// profile `sl_abandons` (not a counter: it only says how the figure is read).
    pub fn from_fields(f: &AccumFields, sl_abandons: SlAbandons) -> CallAccum {
        let f = &f.0;
        let u = |i: usize| f[i].max(0) as u64;
        let mean = |i: usize| Mean {
            sum_micros: f[11 + 2 * i],
            n: u(12 + 2 * i),
        };
        let counts = CallCounts {
            total: u(0),
            answered: u(1),
            abandoned: u(2),
            short_abandons: u(3),
            timeout: u(4),
            blocked: u(5),
            ivr: u(6),
        };
        CallAccum {
            // `add` records the profile once a call reaches the formulas.
            sl_abandons: (counts.total > counts.short_abandons).then_some(sl_abandons),
            counts,
            queued_received: u(7),
            answered_in_sl: u(8),
            abandoned_in_sl: u(9),
            transferred: u(10),
            abandon_wait: mean(0),
            answered_wait: mean(1),
            queued_answered_wait: mean(2),
            talk: mean(3),
            hold: mean(4),
            acw: mean(5),
            handle: mean(6),
            rings: mean(7),
            fcr: mean(8),
        }
    }

    /// Calls after removing short abandons ("all calls").
    pub fn all(&self) -> u64 {
        self.counts.total - self.counts.short_abandons
    }

    /// all − blocked.
    pub fn received(&self) -> u64 {
        self.all() - self.counts.blocked
    }

    /// received − ivr.
    pub fn offered(&self) -> u64 {
        self.received() - self.counts.ivr
    }

    /// The call-based KPI values by id.
    pub fn figures(&self) -> Vec<(&'static str, Figure)> {
        let k = &self.counts;
        let long_abandons = k.abandoned - k.short_abandons;
        let (all, received, offered) = (self.all(), self.received(), self.offered());
        vec![
            (
                "after_call_work_time",
                Figure::of(
                    self.acw.value(),
                    "no answered calls with after-call work recorded",
                ),
            ),
            (
                "average_time_to_abandon",
                Figure::of(self.abandon_wait.value(), "no abandoned calls"),
            ),
            (
                "average_handle_time",
                Figure::of(self.handle.value(), "no answered calls"),
            ),
            (
                "average_hold_time",
                Figure::of(self.hold.value(), "no answered calls with hold recorded"),
            ),
            (
                "average_rings",
                Figure::of(self.rings.value(), "no answered calls with rings recorded"),
            ),
            (
                "average_queue_time",
                Figure::of(
                    self.queued_answered_wait.value(),
                    "no answered calls that waited",
                ),
            ),
            (
                "average_speed_of_answer",
                Figure::of(self.answered_wait.value(), "no answered calls"),
            ),
            (
                "average_talk_time",
                Figure::of(self.talk.value(), "no answered calls"),
            ),
            (
                "abandon_rate",
                Figure::of(ratio(long_abandons, offered), "no offered calls"),
            ),
            (
                "blocked_call_rate",
                Figure::of(ratio(k.blocked, all), "no calls"),
            ),
            (
                "first_call_resolution",
                Figure::of(
                    self.fcr.value(),
                    "no answered calls with a known resolution",
                ),
            ),
            (
                "queued_call_rate",
                Figure::of(ratio(self.queued_received, received), "no received calls"),
            ),
            (
                "transfer_rate",
                Figure::of(ratio(self.transferred, k.answered), "no answered calls"),
            ),
            (
                "answered_call_rate",
                Figure::of(ratio(k.answered, offered), "no offered calls"),
            ),
            (
                "service_level",
                Figure::of(
                    match self.sl_abandons.unwrap_or(SlAbandons::Negative) {
                        SlAbandons::Negative => ratio(self.answered_in_sl, offered),
                        SlAbandons::Ignore => ratio(self.answered_in_sl, offered - long_abandons),
                        SlAbandons::Positive => {
                            ratio(self.answered_in_sl + self.abandoned_in_sl, offered)
                        }
                    },
                    "no offered calls",
                ),
            ),
            ("total_calls", Figure::of(Some(all as f64), "")),
        ]
    }
}

/// First-contact resolution by the repeat-contact method: call `i` (arrival `t`,
/// caller `c`) is resolved unless the same caller calls again within `(t, t + window]`;
/// calls whose window runs past `last_arrival_ms` (the store's last call) are left out
/// (`None`), as are calls without a caller (`unknown`). Call `i` is `caller[i]` (a
/// code or a 128-bit hash: equal keys are the same caller) arriving at
/// `arrived_ms[i]`, in any order; the answer is in the same order.
///
/// Callers are taken in four passes by the top bits of their key (hashes spread
/// evenly), so the sorted working list holds a quarter of the calls at a time.
pub fn repeat_contact_resolution(
    caller: &[u128],
    unknown: u128,
    arrived_ms: &[i64],
    window_ms: i64,
    last_arrival_ms: i64,
) -> Vec<Option<bool>> {
    const PARTS: u32 = 4;
    let part = |c: u128| (c >> 126) as u32;
    let mut out = vec![None; caller.len()];
    let mut order: Vec<(u128, i64, u32)> = Vec::new();
    for p in 0..PARTS {
        order.clear();
        order.extend(
            caller
                .iter()
                .zip(arrived_ms)
                .zip(0u32..)
                .filter(|((c, _), _)| **c != unknown && part(**c) == p)
                .map(|((c, t), i)| (*c, *t, i)),
        );
        // Sorted by caller, then time.
        order.sort_unstable_by_key(|x| (x.0, x.1));
        for pos in 0..order.len() {
            let (c, t, i) = order[pos];
            let deadline = t.saturating_add(window_ms);
            // The next later call of the same caller (equal times are not "later").
            let called_again = order[pos + 1..]
                .iter()
                .take_while(|&&(c2, t2, _)| c2 == c && t2 <= deadline)
                .any(|&(_, t2, _)| t2 > t);
            // Censored first, whether or not a repeat was seen: keeping only the
            // failures among the calls near the end of the data biases FCR low
            // (domain.md §1).
            out[i as usize] = if deadline > last_arrival_ms {
                None
            } else {
                Some(!called_again)
            };
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_summary_columns_begin_with_the_counts() {
        assert_eq!(CallAccum::FIELDS[..7], CallCounts::NAMES);
    }

    fn call(outcome: Outcome, wait_s: f64) -> CallRow {
        CallRow {
            outcome,
            wait_s,
            talk_s: None,
            hold_s: None,
            acw_s: None,
            rings: None,
            transferred: false,
            resolved: None,
        }
    }

    fn answered(wait_s: f64, talk: f64, hold: Option<f64>, acw: Option<f64>) -> CallRow {
        CallRow {
            talk_s: Some(talk),
            hold_s: hold,
            acw_s: acw,
            ..call(Outcome::Answered, wait_s)
        }
    }

    fn fig(a: &CallAccum, id: &str) -> Option<f64> {
        a.figures()
            .into_iter()
            .find(|(k, _)| *k == id)
            .and_then(|(_, f)| f.value)
    }

    fn close(x: Option<f64>, want: f64) {
        let x = x.expect("a value");
        assert!((x - want).abs() < 1e-12, "{x} vs {want}");
    }

    /// Ten calls worked by hand:
    ///   A1 answered, wait 20 (exactly at the SL threshold → in SL), talk 100, hold 10, acw 30, 2 rings
    ///   A2 answered, wait 0, talk 200, hold –, acw 40, transferred
    ///   A3 answered, wait 45, talk 300, hold 20, acw –, 4 rings
    ///   B1 abandoned, wait 5 (exactly at the short threshold → short abandon, leaves everything)
    ///   B2 abandoned, wait 60
    ///   T1 timeout, wait 300
    ///   K1 blocked, K2 blocked
    ///   I1 ivr
    ///   B3 abandoned, wait 5.5 (just over the threshold → counts)
    /// all = 10 − 1 short = 9; received = 9 − 2 blocked = 7; offered = 7 − 1 ivr = 6.
    fn fixture() -> CallAccum {
        let s = CallSettings::default();
        let mut a = CallAccum::default();
        let calls = [
            CallRow {
                rings: Some(2),
                ..answered(20.0, 100.0, Some(10.0), Some(30.0))
            },
            CallRow {
                transferred: true,
                ..answered(0.0, 200.0, None, Some(40.0))
            },
            CallRow {
                rings: Some(4),
                ..answered(45.0, 300.0, Some(20.0), None)
            },
            call(Outcome::Abandoned, 5.0),
            call(Outcome::Abandoned, 60.0),
            call(Outcome::Timeout, 300.0),
            call(Outcome::Blocked, 0.0),
            call(Outcome::Blocked, 0.0),
            call(Outcome::Ivr, 0.0),
            call(Outcome::Abandoned, 5.5),
        ];
        for c in &calls {
            a.add(c, &s);
        }
        a
    }

    #[test]
    fn counts_are_raw_and_the_bases_drop_short_abandons() {
        let a = fixture();
        assert_eq!(
            a.counts,
            CallCounts {
                total: 10,
                answered: 3,
                abandoned: 3,
                short_abandons: 1,
                timeout: 1,
                blocked: 2,
                ivr: 1
            }
        );
        assert_eq!((a.all(), a.received(), a.offered()), (9, 7, 6));
        close(fig(&a, "total_calls"), 9.0);
    }

    #[test]
    fn rates_follow_the_manual() {
        let a = fixture();
        close(fig(&a, "abandon_rate"), 2.0 / 6.0); // B2, B3 over offered 6
        close(fig(&a, "blocked_call_rate"), 2.0 / 9.0); // K1, K2 over all 9
        close(fig(&a, "answered_call_rate"), 3.0 / 6.0);
        close(fig(&a, "service_level"), 2.0 / 6.0); // A1 (wait = 20) and A2 (0)
        // Queued (wait > 0) among received 7: A1, A3, B2, T1, B3 = 5.
        close(fig(&a, "queued_call_rate"), 5.0 / 7.0);
        close(fig(&a, "transfer_rate"), 1.0 / 3.0);
    }

    #[test]
    fn the_service_level_profile_changes_only_the_service_level() {
        // Offered 6 (A1, A2, A3, B2, T1, B3); in SL: A1, A2; abandoned (long): B2 (60 s), B3 (5.5 s, within 20 s).
        for (profile, want) in [
            (SlAbandons::Negative, 2.0 / 6.0),
            (SlAbandons::Ignore, 2.0 / 4.0),
            (SlAbandons::Positive, 3.0 / 6.0),
        ] {
            let s = CallSettings {
                sl_abandons: profile,
                ..CallSettings::default()
            };
            let mut a = CallAccum::default();
            for c in [
                answered(20.0, 100.0, None, None),
                answered(0.0, 100.0, None, None),
                answered(45.0, 100.0, None, None),
                call(Outcome::Abandoned, 60.0),
                call(Outcome::Timeout, 300.0),
                call(Outcome::Abandoned, 5.5),
            ] {
                a.add(&c, &s);
            }
            close(fig(&a, "service_level"), want);
            close(fig(&a, "abandon_rate"), 2.0 / 6.0);
        }
    }

    #[test]
    fn averages_skip_empty_columns() {
        let a = fixture();
        close(
            fig(&a, "average_speed_of_answer"),
            (20.0 + 0.0 + 45.0) / 3.0,
        );
        close(fig(&a, "average_queue_time"), (20.0 + 45.0) / 2.0); // A2 did not queue
        close(fig(&a, "average_time_to_abandon"), (60.0 + 5.5) / 2.0);
        close(fig(&a, "average_talk_time"), 200.0);
        close(fig(&a, "average_hold_time"), 15.0); // A2 has no hold recorded
        close(fig(&a, "after_call_work_time"), 35.0); // A3 has no acw recorded
        close(
            fig(&a, "average_handle_time"),
            (140.0 + 240.0 + 320.0) / 3.0,
        );
        close(fig(&a, "average_rings"), 3.0);
        assert_eq!(fig(&a, "first_call_resolution"), None);
    }

    #[test]
    fn an_empty_bucket_has_nulls_with_reasons() {
        let a = CallAccum::default();
        for (id, f) in a.figures() {
            if id == "total_calls" {
                assert_eq!(f.value, Some(0.0));
            } else {
                assert!(f.value.is_none() && f.reason.is_some(), "{id}");
            }
        }
    }

    #[test]
    fn merging_equals_adding_everything_to_one() {
        let s = CallSettings::default();
        let mut one = CallAccum::default();
        let mut parts = [CallAccum::default(), CallAccum::default()];
        for (i, c) in [
            answered(3.0, 10.0, None, None),
            call(Outcome::Abandoned, 30.0),
            call(Outcome::Blocked, 0.0),
        ]
        .iter()
        .enumerate()
        {
            one.add(c, &s);
            parts[i % 2].add(c, &s);
        }
        let mut merged = parts[0];
        merged.merge(&parts[1]);
        assert_eq!(merged, one);
    }

    #[test]
    fn repeat_contacts_within_the_window_are_unresolved_and_late_ones_censored() {
        let day = 86_400_000;
        // Callers x, y, z as keys in different passes (top bits), 0 = none.
        let (x, y, z) = (1u128 << 127 | 5, 7, 1u128 << 126 | 9);
        let calls = [
            (x, 0),        // x calls again on day 3 → not resolved
            (x, 3 * day),  // next x call is day 11 (> 7 days) → resolved
            (x, 11 * day), // window ends day 18 > last arrival day 12 → censored
            (y, day),      // y never again, window ends day 8 ≤ 12 → resolved
            (0, day),      // no caller → left out
            (z, 5 * day),  // z again exactly at t + 7 days → not resolved
            (z, 12 * day), // the last arrival
            (y, 10 * day), // y again, but z's call at day 12 ends the data before
            // day 17: censored, not a failure
            (y, 11 * day), // … and so is this repeat
        ];
        let (who, when): (Vec<u128>, Vec<i64>) = calls.iter().copied().unzip();
        let r = repeat_contact_resolution(&who, 0, &when, 7 * day, 12 * day);
        assert_eq!(
            r,
            vec![
                Some(false),
                Some(true),
                None,
                Some(true),
                None,
                Some(false),
                None,
                None,
                None
            ]
        );
    }
}
