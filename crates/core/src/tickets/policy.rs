//! SLA policies as data: which tickets a rule applies to, its start clock, its due
//! time and its stop clock (`domain.md` §2, "SLA rules as evaluated"), on calendar
//! days or business days with holidays.
//!
//! A policy is written in TOML (`policies/desk.toml` is the desk's); this module
//! holds its shape (serde) and turns it into a checked, compiled form.

use super::{Stamp, Text, Ticket};
use crate::time::{DAY_MS, TimeError, TimeZoneSpec, parse_date};
use serde::Deserialize;

/// One string or a list of them.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum OneOrMany {
    /// One value.
    One(String),
    /// Any of these.
    Many(Vec<String>),
}

impl OneOrMany {
    fn values(&self) -> Vec<String> {
        match self {
            Self::One(x) => vec![x.clone()],
            Self::Many(x) => x.clone(),
        }
    }
}

/// Which tickets: every given test must hold.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MatchSpec {
    /// Ticket kind(s).
    pub kind: Option<OneOrMany>,
    /// Category (categories).
    pub category: Option<OneOrMany>,
    /// Severity (severities).
    pub severity: Option<OneOrMany>,
    /// Channel(s).
    pub channel: Option<OneOrMany>,
    /// Department(s).
    pub department: Option<OneOrMany>,
    /// Timestamp column(s) that must be filled.
    pub has: Option<OneOrMany>,
}

/// One line of a rule's due list: the first whose `when` holds (and that can give a
/// time) sets the due time.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DueSpec {
    /// When this line applies (default: always).
    pub when: Option<MatchSpec>,
    /// A duration after the start: `90m`, `1h`, `2d`.
    pub after: Option<String>,
    /// The end of the start's local calendar day (or business day).
    pub end_of_day: Option<bool>,
    /// A timestamp column of the ticket (e.g. `requested_by`); when empty the next
    /// line is tried.
    pub column: Option<String>,
}

/// One SLA rule.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleSpec {
    /// Rule id used in outputs.
    pub id: String,
    /// What it checks, for people.
    pub description: Option<String>,
    /// Which tickets.
    #[serde(default)]
    pub applies: MatchSpec,
    /// Start clock: a timestamp column.
    pub start: String,
    /// Stop clock: a timestamp column.
    pub stop: String,
    /// Due lines, first match wins.
    pub due: Vec<DueSpec>,
}

/// The calendar durations count in.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CalendarSpec {
    /// `calendar` (default: a day is 24 h) or `business` (days skip non-working days
    /// and holidays; hours count only inside `hours` of working days).
    pub days: Option<String>,
    /// Working weekdays for business days (default `mon`–`fri`).
    pub workdays: Option<Vec<String>>,
    /// Holidays, `YYYY-MM-DD`.
    pub holidays: Option<Vec<String>>,
    /// Business hours `HH:MM-HH:MM` (default the whole day).
    pub hours: Option<String>,
    /// Zone of local days (default: the report's `--timezone`).
    pub timezone: Option<String>,
}

/// Recurring-problem detection.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecurringSpec {
    /// At least this many tickets… (default 3)
    pub count: Option<usize>,
    /// …within this window (default `90d`).
    pub window: Option<String>,
    /// The building is the unit up to this separator (default `-`); empty: no
    /// building level.
    pub building_separator: Option<String>,
    /// Ticket kinds considered (default all).
    pub kinds: Option<Vec<String>>,
}

/// A policy file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicySpec {
    /// Policy name (echoed in outputs).
    pub name: String,
    /// Calendar.
    #[serde(default)]
    pub calendar: CalendarSpec,
    /// Recurring problems.
    #[serde(default)]
    pub recurring: RecurringSpec,
    /// The rules.
    #[serde(rename = "rule")]
    pub rules: Vec<RuleSpec>,
}

/// A compiled test set.
#[derive(Debug, Clone, Default)]
pub struct Match {
    text: Vec<(Text, Vec<String>)>,
    has: Vec<Stamp>,
}

impl Match {
    fn compile(m: &MatchSpec, rule: &str) -> Result<Self, PolicyError> {
        let mut text = Vec::new();
        for (field, v) in [
            (Text::Kind, &m.kind),
            (Text::Category, &m.category),
            (Text::Severity, &m.severity),
            (Text::Channel, &m.channel),
            (Text::Department, &m.department),
        ] {
            if let Some(v) = v {
                text.push((field, v.values()));
            }
        }
        let has = match &m.has {
            Some(v) => v
                .values()
                .iter()
                .map(|c| stamp(c, rule))
                .collect::<Result<_, _>>()?,
            None => Vec::new(),
        };
        Ok(Self { text, has })
    }

    /// The tests in words (`kind = complaint, severity in major/important`), empty
    /// when there are none.
    pub fn describe(&self) -> String {
        let mut parts: Vec<String> = self
            .text
            .iter()
            .map(|(f, vs)| match vs.as_slice() {
                [one] => format!("{} = {one}", f.name()),
                many => format!("{} in {}", f.name(), many.join("/")),
            })
            .collect();
        parts.extend(self.has.iter().map(|s| format!("{} set", s.name())));
        parts.join(", ")
    }

    /// Whether the ticket passes every test.
    pub fn holds(&self, t: &Ticket<'_>) -> bool {
        self.text
            .iter()
            .all(|(f, vs)| t.text(*f).is_some_and(|x| vs.iter().any(|v| v == x)))
            && self.has.iter().all(|s| t.stamp(*s).is_some())
    }
}

/// How a due line sets the due time.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Due {
    /// A duration after the start, ms (business time on a business calendar).
    After(i64),
    /// The end of the start's local day.
    EndOfDay,
    /// A timestamp of the ticket.
    Column(Stamp),
}

/// A compiled rule.
#[derive(Debug, Clone)]
pub struct Rule {
    /// Rule id.
    pub id: String,
    /// Description.
    pub description: String,
    applies: Match,
    /// Start clock.
    pub start: Stamp,
    /// Stop clock.
    pub stop: Stamp,
    due: Vec<(Match, Due)>,
}

/// The calendar, compiled.
#[derive(Debug, Clone)]
pub struct Calendar {
    business: bool,
    /// Working weekdays, Monday = 0.
    workdays: [bool; 7],
    holidays: Vec<i32>,
    /// Business hours as ms after local midnight.
    open_ms: i64,
    close_ms: i64,
    zone: TimeZoneSpec,
}

/// Recurring-problem settings, compiled.
#[derive(Debug, Clone)]
pub struct Recurring {
    /// Minimum tickets.
    pub count: usize,
    /// Window, ms.
    pub window_ms: i64,
    /// Building separator (`None`: no building level).
    pub separator: Option<String>,
    /// Kinds considered (empty: all).
    pub kinds: Vec<String>,
}

/// A checked policy.
#[derive(Debug, Clone)]
pub struct Policy {
    /// Name.
    pub name: String,
    /// Rules in file order.
    pub rules: Vec<Rule>,
    /// Calendar.
    pub calendar: Calendar,
    /// Recurring problems.
    pub recurring: Recurring,
}

fn stamp(name: &str, rule: &str) -> Result<Stamp, PolicyError> {
    Stamp::from_name(name).ok_or_else(|| PolicyError::UnknownStamp {
        rule: rule.to_owned(),
        name: name.to_owned(),
    })
}

/// Why a duration (`90m`, `1h`, `2d`) was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DurationError {
    /// No number in front of the unit.
    #[error("{text:?} is not a duration (e.g. 90m, 1h, 2d)")]
    NotADuration {
        /// The text given.
        text: String,
    },
    /// A unit other than s, m, h or d.
    #[error("{text:?}: the unit must be s, m, h or d")]
    Unit {
        /// The text given.
        text: String,
    },
    /// Negative or beyond 10¹⁵ ms.
    #[error("{text:?} is out of range")]
    OutOfRange {
        /// The text given.
        text: String,
    },
}

/// Why a ticket SLA policy was refused; each message names the key at fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    /// `calendar.days` other than calendar or business.
    #[error("calendar.days {given:?}: use calendar or business")]
    CalendarDays {
        /// The value given.
        given: String,
    },
    /// A `calendar.workdays` entry that is not a weekday's short name.
    #[error("calendar.workdays: {given:?} is not mon … sun")]
    Workday {
        /// The value given.
        given: String,
    },
    /// `calendar.workdays = []`.
    #[error("calendar.workdays is empty")]
    NoWorkdays,
    /// A holiday that is not a date.
    #[error("calendar.holidays: {given:?} is not YYYY-MM-DD")]
    Holiday {
        /// The value given.
        given: String,
    },
    /// `calendar.hours` not `HH:MM-HH:MM` with opening first.
    #[error("calendar.hours {given:?}: use HH:MM-HH:MM, opening first")]
    Hours {
        /// The value given.
        given: String,
    },
    /// `calendar.timezone` not an IANA zone.
    #[error("calendar.timezone: {0}")]
    Timezone(#[source] TimeError),
    /// Two rules with one id.
    #[error("rule {rule:?} is defined twice")]
    DuplicateRule {
        /// The rule id.
        rule: String,
    },
    /// A rule without `[[rule.due]]`.
    #[error("rule {rule:?} has no due line")]
    NoDue {
        /// The rule id.
        rule: String,
    },
    /// A due line with none, or more than one, of its forms.
    #[error("rule {rule:?}: each due line needs exactly one of after, end_of_day = true or column")]
    DueForm {
        /// The rule id.
        rule: String,
    },
    /// A due line's `after` that is not a duration.
    #[error("rule {rule:?}: {source}")]
    DueAfter {
        /// The rule id.
        rule: String,
        /// What is wrong with it.
        source: DurationError,
    },
    /// A column name that is not a ticket timestamp.
    #[error("rule {rule:?}: {name:?} is not a ticket timestamp (use one of {})", Stamp::ALL.map(Stamp::name).join(", "))]
    UnknownStamp {
        /// The rule id.
        rule: String,
        /// The name given.
        name: String,
    },
    /// No `[[rule]]` at all.
    #[error("the policy has no [[rule]]")]
    NoRules,
    /// `recurring.count` under 2.
    #[error("recurring.count = {count}: a problem recurs from 2 tickets on")]
    RecurringCount {
        /// The value given.
        count: usize,
    },
    /// `recurring.window` that is not a duration.
    #[error("recurring.window: {0}")]
    RecurringWindow(#[source] DurationError),
}

/// Parses `90s`, `30m`, `1h`, `2d` (also `1.5d`), or a sum of such parts written
/// together (`3h30m`, `1d12h`), into ms.
pub fn parse_duration_ms(s: &str) -> Result<i64, DurationError> {
    let s = s.trim();
    let text = || s.to_owned();
    // Split after each run of letters: "3h30m" → "3h", "30m".
    let mut parts = Vec::new();
    let mut start = 0;
    let bytes: Vec<char> = s.chars().collect();
    let mut byte = 0;
    for (i, c) in bytes.iter().enumerate() {
        byte += c.len_utf8();
        let next_is_digit = bytes
            .get(i + 1)
            .is_some_and(|n| n.is_ascii_digit() || *n == '.');
        if c.is_ascii_alphabetic() && next_is_digit {
            parts.push(&s[start..byte]);
            start = byte;
        }
    }
    parts.push(&s[start..]);
    let mut total = 0.0;
    for part in parts {
        let part = part.trim();
        let (num, unit) = part.split_at(
            part.find(|c: char| c.is_ascii_alphabetic())
                .unwrap_or(part.len()),
        );
        let n: f64 = num
            .trim()
            .parse()
            .map_err(|_| DurationError::NotADuration { text: text() })?;
        let scale = match unit {
            "s" => 1_000.0,
            "m" | "min" => 60_000.0,
            "h" => 3_600_000.0,
            "d" => DAY_MS as f64,
            _ => return Err(DurationError::Unit { text: text() }),
        };
        total += n * scale;
    }
    if !(0.0..1e15).contains(&total) {
        return Err(DurationError::OutOfRange { text: text() });
    }
    Ok(total.round() as i64)
}

fn hhmm(s: &str) -> Option<i64> {
    let (h, m) = s.trim().split_once(':')?;
    let (h, m): (i64, i64) = (h.parse().ok()?, m.parse().ok()?);
    ((0..=24).contains(&h) && (0..60).contains(&m) && h * 60 + m <= 1440)
        .then_some((h * 60 + m) * 60_000)
}

impl Policy {
    /// Checks and compiles a policy; `zone` is used when the policy names none.
    pub fn compile(spec: &PolicySpec, zone: &TimeZoneSpec) -> Result<Self, PolicyError> {
        let c = &spec.calendar;
        let business = match c.days.as_deref() {
            None | Some("calendar") => false,
            Some("business") => true,
            Some(x) => {
                return Err(PolicyError::CalendarDays {
                    given: x.to_owned(),
                });
            }
        };
        let mut workdays = [true, true, true, true, true, false, false];
        if let Some(w) = &c.workdays {
            workdays = [false; 7];
            for d in w {
                let i = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
                    .iter()
                    .position(|x| x.eq_ignore_ascii_case(d))
                    .ok_or_else(|| PolicyError::Workday { given: d.clone() })?;
                workdays[i] = true;
            }
            if !workdays.contains(&true) {
                return Err(PolicyError::NoWorkdays);
            }
        }
        let mut holidays = c
            .holidays
            .iter()
            .flatten()
            .map(|h| parse_date(h).ok_or_else(|| PolicyError::Holiday { given: h.clone() }))
            .collect::<Result<Vec<i32>, PolicyError>>()?;
        holidays.sort_unstable();
        let (open_ms, close_ms) = match &c.hours {
            None => (0, DAY_MS),
            Some(h) => {
                let (a, b) = h
                    .split_once('-')
                    .and_then(|(a, b)| Some((hhmm(a)?, hhmm(b)?)))
                    .filter(|(a, b)| a < b)
                    .ok_or_else(|| PolicyError::Hours { given: h.clone() })?;
                (a, b)
            }
        };
        let zone = match &c.timezone {
            Some(z) => TimeZoneSpec::parse(z).map_err(PolicyError::Timezone)?,
            None => *zone,
        };
        let calendar = Calendar {
            business,
            workdays,
            holidays,
            open_ms,
            close_ms,
            zone,
        };
        let mut rules = Vec::new();
        for r in &spec.rules {
            if rules.iter().any(|x: &Rule| x.id == r.id) {
                return Err(PolicyError::DuplicateRule { rule: r.id.clone() });
            }
            if r.due.is_empty() {
                return Err(PolicyError::NoDue { rule: r.id.clone() });
            }
            let mut due = Vec::new();
            for d in &r.due {
                let when = Match::compile(&d.when.clone().unwrap_or_default(), &r.id)?;
                let how = match (&d.after, d.end_of_day, &d.column) {
                    (Some(a), None | Some(false), None) => {
                        Due::After(parse_duration_ms(a).map_err(|source| {
                            PolicyError::DueAfter {
                                rule: r.id.clone(),
                                source,
                            }
                        })?)
                    }
                    (None, Some(true), None) => Due::EndOfDay,
                    (None, None | Some(false), Some(c)) => Due::Column(stamp(c, &r.id)?),
                    _ => {
                        return Err(PolicyError::DueForm { rule: r.id.clone() });
                    }
                };
                due.push((when, how));
            }
            rules.push(Rule {
                id: r.id.clone(),
                description: r.description.clone().unwrap_or_default(),
                applies: Match::compile(&r.applies, &r.id)?,
                start: stamp(&r.start, &r.id)?,
                stop: stamp(&r.stop, &r.id)?,
                due,
            });
        }
        if rules.is_empty() {
            return Err(PolicyError::NoRules);
        }
        let rc = &spec.recurring;
        let count = rc.count.unwrap_or(3);
        if count < 2 {
            return Err(PolicyError::RecurringCount { count });
        }
        let recurring = Recurring {
            count,
            window_ms: parse_duration_ms(rc.window.as_deref().unwrap_or("90d"))
                .map_err(PolicyError::RecurringWindow)?,
            separator: match rc.building_separator.as_deref() {
                None => Some("-".into()),
                Some("") => None,
                Some(x) => Some(x.into()),
            },
            kinds: rc.kinds.clone().unwrap_or_default(),
        };
        Ok(Self {
            name: spec.name.clone(),
            rules,
            calendar,
            recurring,
        })
    }
}

/// A duration in the policy's words (`90m`, `1h`, `2d`, `1.5d`).
fn duration(ms: i64) -> String {
    for (unit, scale) in [("d", DAY_MS), ("h", 3_600_000), ("m", 60_000), ("s", 1_000)] {
        if ms % scale == 0 && ms >= scale {
            return format!("{}{unit}", ms / scale);
        }
    }
    format!("{}s", ms as f64 / 1000.0)
}

impl Rule {
    /// The rule in words, one line per part, for `callboard tickets --show-policy`.
    pub fn describe(&self) -> Vec<String> {
        let applies = self.applies.describe();
        let mut out = vec![format!(
            "applies to: {}",
            if applies.is_empty() {
                "every ticket".to_owned()
            } else {
                applies
            }
        )];
        out.push(format!(
            "clock: from {} to {}",
            self.start.name(),
            self.stop.name()
        ));
        out.push("due, the first line that applies:".to_owned());
        for (k, (when, how)) in self.due.iter().enumerate() {
            let how = match how {
                Due::After(ms) => format!("{} after the start", duration(*ms)),
                Due::EndOfDay => "the end of the start's day".to_owned(),
                Due::Column(c) => format!("{} (when set)", c.name()),
            };
            let when = when.describe();
            out.push(if when.is_empty() {
                format!("  {}: {how}", if k == 0 { "always" } else { "otherwise" })
            } else {
                format!("  {when}: {how}")
            });
        }
        out
    }

    /// Whether the rule applies to the ticket (its start clock set and its tests
    /// holding).
    pub fn applies(&self, t: &Ticket<'_>) -> bool {
        t.stamp(self.start).is_some() && self.applies.holds(t)
    }

    /// The due time, from the first due line that holds and can give one.
    pub fn due(&self, t: &Ticket<'_>, cal: &Calendar) -> Option<i64> {
        let start = t.stamp(self.start)?;
        self.due.iter().find_map(|(when, how)| {
            if !when.holds(t) {
                return None;
            }
            match *how {
                Due::After(ms) => Some(cal.add(start, ms)),
                Due::EndOfDay => Some(cal.end_of_day(start)),
                Due::Column(s) => t.stamp(s),
            }
        })
    }
}

impl Calendar {
    /// The calendar in words.
    pub fn describe(&self) -> String {
        if !self.business {
            return format!("calendar days (24 h), local days in {}", self.zone.name());
        }
        let days: Vec<&str> = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
            .iter()
            .zip(self.workdays)
            .filter(|(_, w)| *w)
            .map(|(d, _)| *d)
            .collect();
        let hm = |ms: i64| format!("{:02}:{:02}", ms / 3_600_000, ms % 3_600_000 / 60_000);
        let n = self.holidays.len();
        format!(
            "business days ({}), hours {}-{}, {n} holiday{}, local time in {}",
            days.join(" "),
            hm(self.open_ms),
            hm(self.close_ms),
            if n == 1 { "" } else { "s" },
            self.zone.name()
        )
    }

    fn local_day(&self, t: i64) -> i32 {
        (t + self.zone.offset_ms_at(t)).div_euclid(DAY_MS) as i32
    }

    fn midnight(&self, day: i32) -> i64 {
        self.zone
            .local_midnight_ms(day)
            .unwrap_or(i64::from(day) * DAY_MS)
    }

    fn working(&self, day: i32) -> bool {
        let weekday = usize::from(crate::time::weekday(day));
        self.workdays[weekday] && self.holidays.binary_search(&day).is_err()
    }

    /// The end of `t`'s local day (its last millisecond: any stop before midnight is
    /// in time), or on
    /// a business calendar the close of business that day (of the next working day
    /// when `t` is outside working time).
    pub fn end_of_day(&self, t: i64) -> i64 {
        let mut day = self.local_day(t);
        if !self.business {
            return self.midnight(day + 1) - 1;
        }
        if !(self.working(day) && t < self.midnight(day) + self.close_ms) {
            day += 1;
            while !self.working(day) {
                day += 1;
            }
        }
        let last = i64::from(self.close_ms == DAY_MS);
        self.midnight(day) + self.close_ms - last
    }

    /// `t` plus `ms`: plain time on a calendar of 24-hour days; on a business
    /// calendar whole days count working days (same time of day), and the rest
    /// counts business hours of working days.
    pub fn add(&self, t: i64, ms: i64) -> i64 {
        if !self.business {
            return t.saturating_add(ms);
        }
        let days = ms / DAY_MS;
        let mut rest = ms % DAY_MS;
        // Start from working time.
        let mut day = self.local_day(t);
        let mut at = t - self.midnight(day); // ms after local midnight
        if !self.working(day) || at >= self.close_ms {
            day += 1;
            while !self.working(day) {
                day += 1;
            }
            at = self.open_ms;
        } else if at < self.open_ms {
            at = self.open_ms;
        }
        for _ in 0..days {
            day += 1;
            while !self.working(day) {
                day += 1;
            }
        }
        // Whole days of hours count as one working day of business hours.
        let span = self.close_ms - self.open_ms;
        loop {
            let left = self.close_ms - at;
            if rest <= left {
                return self.midnight(day) + at + rest;
            }
            rest -= left;
            day += 1;
            while !self.working(day) {
                day += 1;
            }
            at = self.open_ms;
            if span <= 0 {
                return self.midnight(day) + at;
            }
        }
    }
}

#[cfg(test)]
mod duration_tests {
    use super::*;

    #[test]
    fn durations_alone_and_summed() {
        assert_eq!(parse_duration_ms("90s"), Ok(90_000));
        assert_eq!(parse_duration_ms("1.5d"), Ok(129_600_000));
        assert_eq!(parse_duration_ms("3h30m"), Ok(12_600_000));
        assert_eq!(parse_duration_ms("1d12h"), Ok(129_600_000));
        assert_eq!(parse_duration_ms(" 8h "), Ok(28_800_000));
        assert!(matches!(
            parse_duration_ms("3h30"),
            Err(DurationError::Unit { .. } | DurationError::NotADuration { .. })
        ));
        assert!(matches!(
            parse_duration_ms("3x"),
            Err(DurationError::Unit { .. })
        ));
        assert!(matches!(
            parse_duration_ms("h"),
            Err(DurationError::NotADuration { .. })
        ));
    }
}
