//! Volume forecasting: interval counts per day on the centre's wall clock in, a
//! forecast per future day and interval out, and a rolling-origin backtest that
//! scores methods the way a scheduler would (WAPE, bias, MASE against seasonal
//! naive).
//!
//! The history of one queue is a run of [`DayCounts`]: a local date, its weekday, and
//! one count per wall-clock slot of the day (`NaN` where there is no data — a missing
//! interval is not a zero; a closed interval is a real 0). Methods ([`methods`], with
//! MSTL in `mstl`) forecast whole target days; [`calendar`] takes day-of-month effects
//! out and puts them back; [`backtest`] replays methods from past origins, chooses
//! among them with a guard and replays that choice honestly; [`intervals`] fits the
//! prediction bands on the backtest's errors. Special days are left out of a history
//! with [`History::without`]; [`History::unusually_quiet_days`] finds unmarked
//! holidays.

pub mod backtest;
pub mod calendar;
pub mod intervals;
pub mod methods;
mod mstl;

pub use backtest::{
    Score, WeeklyBacktest, auto_backtest, backtest_methods, backtest_methods_by_calendar, choose,
    replay_choice, weekly_backtest,
};
pub use calendar::DayOfMonth;
pub use intervals::{Band, Dispersion};
pub use methods::{Method, ProfileStat};

/// One day of one queue's interval counts.
#[derive(Debug, Clone, PartialEq)]
pub struct DayCounts {
    /// The local date, days since 1970-01-01.
    pub day: i32,
    /// Weekday, 0 = Monday … 6 = Sunday (the label the profiles group by).
    pub weekday: u8,
    /// Calls per slot of the day, slot 0 first; `NaN` = no data for that slot.
    pub counts: Vec<f64>,
}

/// A queue's history: days in ascending order, each with the same number of slots.
#[derive(Debug, Clone, PartialEq)]
pub struct History {
    slots: usize,
    days: Vec<DayCounts>,
    /// Slots with data on some day: the slots a whole day must have.
    observed: Vec<bool>,
}

/// A day to forecast: its date and weekday.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TargetDay {
    /// The local date, days since 1970-01-01.
    pub day: i32,
    /// Weekday, 0 = Monday.
    pub weekday: u8,
}

/// Why a forecast could not be made.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ForecastError {
    /// Days of different lengths in one history.
    #[error("day {day} has {found} slots where the history has {expected}")]
    SlotCount {
        /// The day, days since 1970-01-01.
        day: i32,
        /// Its slots.
        found: usize,
        /// The history's slots per day.
        expected: usize,
    },
    /// Days out of order or repeated.
    #[error("the history's days must be in ascending order without repeats (day {day})")]
    Order {
        /// The first day out of order.
        day: i32,
    },
    /// A weekday outside 0..=6.
    #[error("weekday {weekday} of day {day} is not 0 (Monday) … 6 (Sunday)")]
    Weekday {
        /// The day.
        day: i32,
        /// Its weekday.
        weekday: u8,
    },
    /// Nothing to forecast from.
    #[error("the history is empty")]
    Empty,
    /// No day of the target's weekday in the history (a profile needs one).
    #[error(
        "no {weekday} in the history to forecast {date} from",
        weekday = WEEKDAYS[*weekday as usize],
        date = crate::time::format_date(*day)
    )]
    NoSuchWeekday {
        /// The target day.
        day: i32,
        /// Its weekday.
        weekday: u8,
    },
    /// A method's parameter out of range.
    #[error("{0}")]
    Parameter(&'static str),
}

/// Weekday names, Monday first.
pub const WEEKDAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

impl History {
    /// Checks and wraps `days` (ascending, unique, `slots` counts each).
    pub fn new(slots: usize, days: Vec<DayCounts>) -> Result<History, ForecastError> {
        for (i, d) in days.iter().enumerate() {
            if d.counts.len() != slots {
                return Err(ForecastError::SlotCount {
                    day: d.day,
                    found: d.counts.len(),
                    expected: slots,
                });
            }
            if d.weekday > 6 {
                return Err(ForecastError::Weekday {
                    day: d.day,
                    weekday: d.weekday,
                });
            }
            if i > 0 && days[i - 1].day >= d.day {
                return Err(ForecastError::Order { day: d.day });
            }
        }
        Ok(History::assemble(slots, days))
    }

    /// Wraps checked days, noting which slots ever have data.
    fn assemble(slots: usize, days: Vec<DayCounts>) -> History {
        let mut observed = vec![false; slots];
        for d in &days {
            for (o, c) in observed.iter_mut().zip(&d.counts) {
                *o |= c.is_finite();
            }
        }
        History {
            slots,
            days,
            observed,
        }
    }

    /// The total of a whole day: data in every slot that has data on some day of
    /// the history (a slot never observed — a night a file leaves out — is no
    /// part of any day); `None` for a day with a gap.
    pub fn day_total(&self, d: &DayCounts) -> Option<f64> {
        let mut total = 0.0;
        for (c, o) in d.counts.iter().zip(&self.observed) {
            if c.is_finite() {
                total += c;
            } else if *o {
                return None;
            }
        }
        Some(total)
    }

    /// Slots per day.
    pub fn slots(&self) -> usize {
        self.slots
    }

    /// The days, ascending.
    pub fn days(&self) -> &[DayCounts] {
        &self.days
    }

    /// The days before `day` (what a forecast made at the start of `day` knows).
    pub fn before(&self, day: i32) -> History {
        History::assemble(
            self.slots,
            self.days.iter().filter(|d| d.day < day).cloned().collect(),
        )
    }

    /// Sums consecutive groups of `factor` slots (five-minute counts into half
    /// hours with 6); a last, shorter group is summed as it is. A group with any
    /// missing slot is missing.
    pub fn aggregate(&self, factor: usize) -> History {
        let factor = factor.max(1);
        let days = self
            .days
            .iter()
            .map(|d| DayCounts {
                day: d.day,
                weekday: d.weekday,
                counts: d.counts.chunks(factor).map(|c| c.iter().sum()).collect(),
            })
            .collect();
        History::assemble(self.slots.div_ceil(factor), days)
    }
}

/// What a special day is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpecialKind {
    /// The centre is closed: forecast 0.
    Closed,
    /// A public holiday: the profile × the day's factor.
    Holiday,
    /// A campaign, a mailing, a billing run: the profile × the day's factor.
    Campaign,
}

/// A date the profiles must not learn from, and how to forecast it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SpecialDay {
    /// The local date, days since 1970-01-01.
    pub day: i32,
    /// Its kind.
    pub kind: SpecialKind,
    /// The multiplier of a holiday or campaign (ignored when closed).
    pub factor: f64,
}

impl History {
    /// The history without `days` (special days the profiles must not learn from).
    pub fn without(&self, days: &[i32]) -> History {
        History::assemble(
            self.slots,
            self.days
                .iter()
                .filter(|d| !days.contains(&d.day))
                .cloned()
                .collect(),
        )
    }

    /// Days that look like unmarked holidays: a whole day ([`History::day_total`]) whose
    /// total is under `share` of the median total of the (up to) 8 nearest earlier
    /// days of its weekday — far below its weekday's level. Needs 3 such days.
    pub fn unusually_quiet_days(&self, share: f64) -> Vec<i32> {
        let total = |d: &DayCounts| self.day_total(d);
        let mut out = Vec::new();
        for (i, d) in self.days.iter().enumerate() {
            let Some(t) = total(d) else { continue };
            let mut earlier: Vec<f64> = self.days[..i]
                .iter()
                .rev()
                .filter(|e| e.weekday == d.weekday)
                .filter_map(total)
                .take(8)
                .collect();
            if earlier.len() < 3 {
                continue;
            }
            earlier.sort_by(f64::total_cmp);
            let median = earlier[earlier.len() / 2];
            if median > 0.0 && t < share * median {
                out.push(d.day);
            }
        }
        out
    }
}

#[cfg(test)]
mod special_tests {
    use super::*;

    #[test]
    fn a_whole_day_has_data_in_every_slot_any_day_has_data_in() {
        let day = |day, counts: Vec<f64>| DayCounts {
            day,
            weekday: 0,
            counts,
        };
        // Slot 2 never has data (a closed night in a file); slot 1 has on day 7.
        let h = History::new(
            3,
            vec![
                day(0, vec![1.0, f64::NAN, f64::NAN]),
                day(7, vec![2.0, 3.0, f64::NAN]),
            ],
        )
        .expect("valid");
        assert_eq!(h.day_total(&h.days()[0]), None, "a gap in slot 1");
        assert_eq!(h.day_total(&h.days()[1]), Some(5.0));
    }

    #[test]
    fn the_planted_quiet_day_is_the_one_found() {
        // Ten Mondays of 100 calls; the 7th has 20 (a holiday nobody marked);
        // Tuesdays of 50 with one busy one (not quiet).
        let mut days = Vec::new();
        for w in 0..10 {
            let monday = if w == 6 { 20.0 } else { 100.0 };
            let tuesday = if w == 4 { 90.0 } else { 50.0 };
            days.push(DayCounts {
                day: 4 + 7 * w,
                weekday: 0,
                counts: vec![monday],
            });
            days.push(DayCounts {
                day: 5 + 7 * w,
                weekday: 1,
                counts: vec![tuesday],
            });
        }
        let h = History::new(1, days).expect("valid");
        assert_eq!(h.unusually_quiet_days(0.5), vec![4 + 7 * 6]);
        // The same with a night slot no day has data for (a file of opening hours
        // only): still whole days, still found.
        let with_night = History::new(
            2,
            h.days()
                .iter()
                .map(|d| DayCounts {
                    counts: vec![d.counts[0], f64::NAN],
                    ..d.clone()
                })
                .collect(),
        )
        .expect("valid");
        assert_eq!(with_night.unusually_quiet_days(0.5), vec![4 + 7 * 6]);
        assert_eq!(h.without(&[4 + 7 * 6]).days().len(), 19);
    }
}
