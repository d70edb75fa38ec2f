//! Instants and dates: fast RFC 3339 parsing and formatting, and the time zone in
//! which timestamps without an offset are read.
//!
//! Instants are `i64` milliseconds since the Unix epoch (UTC); dates are `i32` days
//! since 1970-01-01. Parsing is hand-written for the fixed RFC 3339 layout because it
//! runs once per timestamp cell on every ingest (tens of millions of times); anything
//! unusual falls back to chrono.

use chrono::{DateTime, LocalResult, NaiveDate, NaiveDateTime, TimeZone};
use chrono_tz::Tz;

/// Milliseconds in a day.
pub const DAY_MS: i64 = 86_400_000;

/// The zone in which timestamps without an offset (and plain dates) are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeZoneSpec {
    /// Coordinated Universal Time.
    Utc,
    /// An IANA zone, with daylight-saving rules.
    Iana(Tz),
}

/// Why a time zone, timestamp or local time was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TimeError {
    /// Not an IANA zone name.
    #[error("unknown time zone {name:?}; use an IANA name such as Europe/Paris or UTC")]
    UnknownZone {
        /// The name given.
        name: String,
    },
    /// Outside the range chrono represents.
    #[error("timestamp out of range")]
    OutOfRange,
    /// A local wall-clock time skipped by a daylight-saving change.
    #[error("{local} does not exist in {zone} (daylight-saving gap)")]
    DaylightGap {
        /// The local time, as written.
        local: String,
        /// The zone's name.
        zone: String,
    },
    /// Text that is no timestamp form this module reads.
    #[error("{text:?} is not a timestamp (use RFC 3339, e.g. 2026-03-02T08:15:30Z)")]
    NotATimestamp {
        /// The text given.
        text: String,
    },
}

impl TimeZoneSpec {
    /// UTC.
    pub fn utc() -> Self {
        TimeZoneSpec::Utc
    }

    /// Parses an IANA name (`Europe/Paris`, `Asia/Jerusalem`, `UTC`).
    pub fn parse(name: &str) -> Result<Self, TimeError> {
        if name.eq_ignore_ascii_case("utc") || name == "Z" {
            return Ok(TimeZoneSpec::Utc);
        }
        name.parse::<Tz>()
            .map(TimeZoneSpec::Iana)
            .map_err(|_| TimeError::UnknownZone {
                name: name.to_owned(),
            })
    }

    /// The zone's name.
    pub fn name(&self) -> &str {
        match self {
            TimeZoneSpec::Utc => "UTC",
            TimeZoneSpec::Iana(tz) => tz.name(),
        }
    }

    /// Converts a local wall-clock time (ms since the epoch, as if UTC) into an instant.
    /// In a daylight-saving overlap the earlier instant is taken; a time inside a gap
    /// is an error.
    pub fn local_to_utc_ms(&self, local_ms: i64) -> Result<i64, TimeError> {
        match self {
            TimeZoneSpec::Utc => Ok(local_ms),
            TimeZoneSpec::Iana(tz) => {
                let naive = DateTime::from_timestamp_millis(local_ms)
                    .ok_or(TimeError::OutOfRange)?
                    .naive_utc();
                match tz.from_local_datetime(&naive) {
                    LocalResult::Single(t) => Ok(t.timestamp_millis()),
                    LocalResult::Ambiguous(a, _) => Ok(a.timestamp_millis()),
                    LocalResult::None => Err(TimeError::DaylightGap {
                        local: naive.to_string(),
                        zone: tz.name().to_owned(),
                    }),
                }
            }
        }
    }

    /// The instant of local midnight starting `days` (days since 1970-01-01).
    pub fn local_midnight_ms(&self, days: i32) -> Result<i64, TimeError> {
        self.local_to_utc_ms(i64::from(days) * DAY_MS)
    }

    /// The offset from UTC in ms at the instant `utc_ms`.
    pub fn offset_ms_at(&self, utc_ms: i64) -> i64 {
        match self {
            TimeZoneSpec::Utc => 0,
            TimeZoneSpec::Iana(tz) => {
                use chrono::Offset;
                match DateTime::from_timestamp_millis(utc_ms) {
                    Some(t) => {
                        i64::from(
                            tz.offset_from_utc_datetime(&t.naive_utc())
                                .fix()
                                .local_minus_utc(),
                        ) * 1000
                    }
                    None => 0,
                }
            }
        }
    }
}

/// The weekday of days since 1970-01-01, Monday = 0 … Sunday = 6 (1970-01-01 was a
/// Thursday).
pub fn weekday(day: i32) -> u8 {
    (i64::from(day) + 3).rem_euclid(7) as u8
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
pub fn days_from_civil(y: i32, m: u32, d: u32) -> i32 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = (y - era * 400) as u32;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe as i32 - 719_468
}

/// The (year, month, day) of days since 1970-01-01.
pub fn civil_from_days(z: i32) -> (i32, u32, u32) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = (z - era * 146_097) as u32;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe as i32 + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn digits(b: &[u8]) -> Option<u32> {
    let mut v = 0u32;
    for &c in b {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v * 10 + u32::from(c - b'0');
    }
    Some(v)
}

fn days_in_month(y: i32, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        _ => 28,
    }
}

/// Parses `YYYY-MM-DD` into days since 1970-01-01.
pub fn parse_date(s: &str) -> Option<i32> {
    let b = s.as_bytes();
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let y = digits(&b[0..4])? as i32;
    let m = digits(&b[5..7])?;
    let d = digits(&b[8..10])?;
    if !(1..=12).contains(&m) || d == 0 || d > days_in_month(y, m) {
        return None;
    }
    Some(days_from_civil(y, m, d))
}

/// Parses an RFC 3339 timestamp (`2026-03-02T08:15:30Z`, `…+08:00`, fractional
/// seconds, `T` or a space between date and time) into ms since the epoch. Without an
/// offset the wall-clock time is read in `zone`. A plain date is midnight in `zone`.
pub fn parse_timestamp(s: &str, zone: &TimeZoneSpec) -> Result<i64, TimeError> {
    fast_timestamp(s, zone).unwrap_or_else(|| slow_timestamp(s, zone))
}

fn fast_timestamp(s: &str, zone: &TimeZoneSpec) -> Option<Result<i64, TimeError>> {
    let b = s.as_bytes();
    if b.len() == 10 {
        let days = parse_date(s)?;
        return Some(zone.local_midnight_ms(days));
    }
    if b.len() < 19
        || !(b[10] == b'T' || b[10] == b't' || b[10] == b' ')
        || b[13] != b':'
        || b[16] != b':'
    {
        return None;
    }
    let days = parse_date(&s[..10])?;
    let hh = digits(&b[11..13])?;
    let mi = digits(&b[14..16])?;
    let ss = digits(&b[17..19])?;
    if hh > 23 || mi > 59 || ss > 59 {
        return None;
    }
    let mut i = 19;
    let mut ms = 0u32;
    if i < b.len() && b[i] == b'.' {
        i += 1;
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            if i - start < 3 {
                ms = ms * 10 + u32::from(b[i] - b'0');
            }
            i += 1;
        }
        if i == start {
            return None;
        }
        for _ in (i - start)..3 {
            ms *= 10;
        }
    }
    let local =
        i64::from(days) * DAY_MS + i64::from(hh * 3600 + mi * 60 + ss) * 1000 + i64::from(ms);
    let rest = &b[i..];
    match rest {
        [] => Some(zone.local_to_utc_ms(local)),
        [b'Z' | b'z'] => Some(Ok(local)),
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
            let oh = digits(&[*h1, *h2])?;
            let om = digits(&[*m1, *m2])?;
            if oh > 23 || om > 59 {
                return None;
            }
            let off = i64::from(oh * 3600 + om * 60) * 1000;
            Some(Ok(if *sign == b'+' {
                local - off
            } else {
                local + off
            }))
        }
        _ => None,
    }
}

fn slow_timestamp(s: &str, zone: &TimeZoneSpec) -> Result<i64, TimeError> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(t.timestamp_millis());
    }
    for f in [
        "%Y-%m-%d %H:%M:%S%.f%:z",
        "%Y-%m-%dT%H:%M:%S%.f%z",
        "%Y-%m-%d %H:%M:%S%.f%z",
    ] {
        if let Ok(t) = DateTime::parse_from_str(s, f) {
            return Ok(t.timestamp_millis());
        }
    }
    for f in ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"] {
        if let Ok(n) = NaiveDateTime::parse_from_str(s, f) {
            return zone.local_to_utc_ms(n.and_utc().timestamp_millis());
        }
    }
    if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        let days = (d - NaiveDate::default()).num_days() as i32;
        return zone.local_midnight_ms(days);
    }
    Err(TimeError::NotATimestamp { text: s.to_owned() })
}

/// Appends `ms` as RFC 3339 UTC (`2026-03-02T08:15:30Z`, with `.mmm` only when the
/// instant is not a whole second) to `out`.
pub fn write_timestamp(out: &mut Vec<u8>, ms: i64) {
    write_date(out, ms.div_euclid(DAY_MS) as i32);
    write_time_of_day(out, ms.rem_euclid(DAY_MS));
}

/// Appends `THH:MM:SS[.mmm]Z` for `in_day` milliseconds after midnight.
fn write_time_of_day(out: &mut Vec<u8>, in_day: i64) {
    let secs = (in_day / 1000) as u32;
    let frac = (in_day % 1000) as u32;
    out.push(b'T');
    push2(out, secs / 3600);
    out.push(b':');
    push2(out, secs / 60 % 60);
    out.push(b':');
    push2(out, secs % 60);
    if frac != 0 {
        out.push(b'.');
        out.push(b'0' + (frac / 100) as u8);
        out.push(b'0' + (frac / 10 % 10) as u8);
        out.push(b'0' + (frac % 10) as u8);
    }
    out.push(b'Z');
}

/// Formats many timestamps fast by remembering the date of the last one (rows of a
/// table mostly share a day): the calendar arithmetic runs once a day, not per row.
#[derive(Debug, Clone, Copy)]
pub struct TimestampFormatter {
    day: i32,
    date: [u8; 10],
}

impl Default for TimestampFormatter {
    fn default() -> Self {
        TimestampFormatter {
            day: i32::MIN,
            date: [0; 10],
        }
    }
}

impl TimestampFormatter {
    /// Appends `ms` exactly as [`write_timestamp`] does.
    pub fn write(&mut self, out: &mut Vec<u8>, ms: i64) {
        let days = ms.div_euclid(DAY_MS) as i32;
        if days != self.day {
            let mut v = Vec::with_capacity(10);
            write_date(&mut v, days);
            self.date.copy_from_slice(&v);
            self.day = days;
        }
        out.extend_from_slice(&self.date);
        write_time_of_day(out, ms.rem_euclid(DAY_MS));
    }
}

/// Appends `days` as `YYYY-MM-DD`.
pub fn write_date(out: &mut Vec<u8>, days: i32) {
    let (y, m, d) = civil_from_days(days);
    let y = y.clamp(0, 9999) as u32;
    push2(out, y / 100);
    push2(out, y % 100);
    out.push(b'-');
    push2(out, m);
    out.push(b'-');
    push2(out, d);
}

fn push2(out: &mut Vec<u8>, v: u32) {
    out.push(b'0' + (v / 10 % 10) as u8);
    out.push(b'0' + (v % 10) as u8);
}

/// `ms` as an RFC 3339 UTC string.
pub fn format_timestamp(ms: i64) -> String {
    let mut v = Vec::with_capacity(24);
    write_timestamp(&mut v, ms);
    String::from_utf8(v).expect("the formatter writes ASCII")
}

/// `days` as `YYYY-MM-DD`.
pub fn format_date(days: i32) -> String {
    let mut v = Vec::with_capacity(10);
    write_date(&mut v, days);
    String::from_utf8(v).expect("the formatter writes ASCII")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_conversions_agree_with_chrono() {
        for days in (-800_000..800_000).step_by(997) {
            let (y, m, d) = civil_from_days(days);
            let chrono_date = NaiveDate::from_ymd_opt(y, m, d).expect("valid date");
            assert_eq!(
                (chrono_date - NaiveDate::default()).num_days(),
                i64::from(days)
            );
            assert_eq!(days_from_civil(y, m, d), days);
        }
    }

    #[test]
    fn fast_parser_agrees_with_chrono() {
        let zone = TimeZoneSpec::utc();
        for s in [
            "2026-03-02T08:15:30Z",
            "2026-03-02T08:15:30.5Z",
            "2026-03-02T08:15:30.123456+05:30",
            "2026-03-02 08:15:30-07:00",
            "1999-12-31T23:59:59+14:00",
            "2024-02-29T00:00:00Z",
        ] {
            let expect = DateTime::parse_from_rfc3339(&s.replace(' ', "T"))
                .expect("chrono parses")
                .timestamp_millis();
            assert_eq!(parse_timestamp(s, &zone), Ok(expect), "{s}");
        }
    }

    #[test]
    fn naive_times_use_the_zone_and_gaps_are_errors() {
        let paris = TimeZoneSpec::parse("Europe/Paris").expect("zone");
        let utc = parse_timestamp("2026-01-15T10:00:00Z", &TimeZoneSpec::Utc).expect("ok");
        assert_eq!(parse_timestamp("2026-01-15T11:00:00", &paris), Ok(utc));
        // 2026-03-29 02:30 does not exist in Paris (clocks jump 02:00 → 03:00).
        assert!(parse_timestamp("2026-03-29T02:30:00", &paris).is_err());
        // 2026-10-25 02:30 happens twice; the earlier (+02:00) is taken.
        let early = parse_timestamp("2026-10-25T02:30:00+02:00", &TimeZoneSpec::Utc).expect("ok");
        assert_eq!(parse_timestamp("2026-10-25T02:30:00", &paris), Ok(early));
    }

    #[test]
    fn rejects_impossible_values() {
        let zone = TimeZoneSpec::utc();
        for s in [
            "2026-02-30T00:00:00Z",
            "2026-13-01T00:00:00Z",
            "2026-03-02T24:00:00Z",
            "tomorrow",
            "2026-03-02T08:15:30+25:00",
            "",
        ] {
            assert!(parse_timestamp(s, &zone).is_err(), "{s}");
        }
    }

    #[test]
    fn the_caching_formatter_writes_the_same_bytes() {
        let mut f = TimestampFormatter::default();
        for ms in [
            0,
            1_772_410_530_000,
            1_772_410_530_007,
            1_772_410_530_007 + DAY_MS,
            -86_400_001,
            5,
        ] {
            let (mut a, mut b) = (Vec::new(), Vec::new());
            f.write(&mut a, ms);
            write_timestamp(&mut b, ms);
            assert_eq!(a, b);
        }
    }

    #[test]
    fn formatting_round_trips() {
        for ms in [0, 1_772_410_530_000, 1_772_410_530_007, -86_400_001] {
            let s = format_timestamp(ms);
            assert_eq!(parse_timestamp(&s, &TimeZoneSpec::Utc), Ok(ms), "{s}");
        }
        assert_eq!(format_timestamp(1_772_410_530_000), "2026-03-02T00:15:30Z");
        assert_eq!(format_date(0), "1970-01-01");
    }
}
