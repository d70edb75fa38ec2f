//! Time buckets: half-open `[start, start + size)` aligned to local midnight
//! (intervals and days), Monday (ISO weeks) or the 1st (months) in the report's time
//! zone. Every bucket of the period is listed, also empty ones; a timestamp finds its
//! bucket by binary search over the starts, which keeps daylight-saving days right
//! (a local day may be 23 or 25 hours long).

use crate::time::{DAY_MS, TimeZoneSpec, civil_from_days, days_from_civil};

/// How to cut the period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bucketing {
    /// One bucket: the whole period.
    Total,
    /// Intervals of this many minutes (15, 30, 60), aligned to local midnight.
    Interval(u32),
    /// Local calendar days.
    Day,
    /// ISO weeks (Monday to Sunday).
    Week,
    /// Calendar months.
    Month,
}

/// The bucket starts of `[from_ms, to_ms)` (UTC ms). For [`Bucketing::Total`] the one
/// start is `from_ms`. The last bucket ends at `to_ms` (the period's end).
pub fn bucket_starts(from_ms: i64, to_ms: i64, by: Bucketing, zone: &TimeZoneSpec) -> Vec<i64> {
    if to_ms <= from_ms {
        return Vec::new();
    }
    if by == Bucketing::Total {
        return vec![from_ms];
    }
    // Work in local days: the first local day touching the period, then step.
    let local_from = from_ms + zone.offset_ms_at(from_ms);
    let first_day = local_from.div_euclid(DAY_MS) as i32;
    let mut starts = Vec::new();
    let midnight = |days: i32| {
        zone.local_midnight_ms(days)
            .unwrap_or(i64::from(days) * DAY_MS)
    };
    let mut day = match by {
        Bucketing::Week => {
            let dow = i32::from(crate::time::weekday(first_day)); // 0 = Monday
            first_day - dow
        }
        Bucketing::Month => {
            let (y, m, _) = civil_from_days(first_day);
            days_from_civil(y, m, 1)
        }
        _ => first_day,
    };
    loop {
        let day_start = midnight(day);
        if day_start >= to_ms {
            break;
        }
        let next_day = match by {
            Bucketing::Week => day + 7,
            Bucketing::Month => {
                let (y, m, _) = civil_from_days(day);
                if m == 12 {
                    days_from_civil(y + 1, 1, 1)
                } else {
                    days_from_civil(y, m + 1, 1)
                }
            }
            _ => day + 1,
        };
        match by {
            Bucketing::Interval(minutes) => {
                let step = i64::from(minutes.max(1)) * 60_000;
                let day_end = midnight(next_day);
                let mut t = day_start;
                while t < day_end {
                    if t + step > from_ms && t < to_ms {
                        starts.push(t);
                    }
                    t += step;
                }
            }
            _ => {
                if midnight(next_day) > from_ms {
                    starts.push(day_start);
                }
            }
        }
        day = next_day;
    }
    starts
}

/// The index of the bucket holding `t` (UTC ms), or `None` outside the period
/// `[starts[0], to_ms)`.
pub fn bucket_of(starts: &[i64], to_ms: i64, t: i64) -> Option<usize> {
    if starts.is_empty() || t < starts[0] || t >= to_ms {
        return None;
    }
    Some(starts.partition_point(|&s| s <= t) - 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::parse_timestamp;

    fn ts(s: &str) -> i64 {
        parse_timestamp(s, &TimeZoneSpec::Utc).expect("timestamp")
    }

    #[test]
    fn half_hours_align_to_local_midnight() {
        let zone = TimeZoneSpec::parse("Asia/Shanghai").expect("zone");
        // 2026-03-02 local (UTC+8) is 2026-03-01T16:00Z … 2026-03-02T16:00Z.
        let starts = bucket_starts(
            ts("2026-03-01T16:00:00Z"),
            ts("2026-03-02T16:00:00Z"),
            Bucketing::Interval(30),
            &zone,
        );
        assert_eq!(starts.len(), 48);
        assert_eq!(starts[0], ts("2026-03-01T16:00:00Z"));
        assert_eq!(starts[1], ts("2026-03-01T16:30:00Z"));
        let to = ts("2026-03-02T16:00:00Z");
        assert_eq!(bucket_of(&starts, to, ts("2026-03-01T16:29:59Z")), Some(0));
        assert_eq!(
            bucket_of(&starts, to, ts("2026-03-01T16:30:00Z")),
            Some(1),
            "half-open"
        );
        assert_eq!(bucket_of(&starts, to, to), None);
    }

    #[test]
    fn a_daylight_saving_day_has_23_hours_of_intervals() {
        let paris = TimeZoneSpec::parse("Europe/Paris").expect("zone");
        // 2026-03-29 in Paris: 00:00 is 23:00Z the day before; clocks jump at 02:00.
        let from = ts("2026-03-28T23:00:00Z");
        let to = ts("2026-03-29T22:00:00Z");
        assert_eq!(
            bucket_starts(from, to, Bucketing::Interval(60), &paris).len(),
            23
        );
        assert_eq!(bucket_starts(from, to, Bucketing::Day, &paris), vec![from]);
    }

    #[test]
    fn weeks_start_on_monday_and_months_on_the_first() {
        let utc = TimeZoneSpec::Utc;
        // 2026-03-04 is a Wednesday; its ISO week starts Monday 2026-03-02.
        let weeks = bucket_starts(
            ts("2026-03-04T00:00:00Z"),
            ts("2026-03-20T00:00:00Z"),
            Bucketing::Week,
            &utc,
        );
        assert_eq!(
            weeks,
            vec![
                ts("2026-03-02T00:00:00Z"),
                ts("2026-03-09T00:00:00Z"),
                ts("2026-03-16T00:00:00Z")
            ]
        );
        let months = bucket_starts(
            ts("2026-01-15T00:00:00Z"),
            ts("2026-03-02T00:00:00Z"),
            Bucketing::Month,
            &utc,
        );
        assert_eq!(
            months,
            vec![
                ts("2026-01-01T00:00:00Z"),
                ts("2026-02-01T00:00:00Z"),
                ts("2026-03-01T00:00:00Z")
            ]
        );
        let total = bucket_starts(
            ts("2026-01-15T00:00:00Z"),
            ts("2026-03-02T00:00:00Z"),
            Bucketing::Total,
            &utc,
        );
        assert_eq!(total, vec![ts("2026-01-15T00:00:00Z")]);
    }
}
