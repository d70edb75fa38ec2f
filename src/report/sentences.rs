//! The two or three sentences under each chart, generated from the same numbers
//! the chart draws. Each function takes plain values, so hand-made fixtures can
//! check what it says.

use crate::charts::build::{WEEKDAYS, long_date};
use callboard_core::time::weekday;

/// `81.2 %`.
pub fn percent(v: f64) -> String {
    format!("{:.1} %", v * 100.0)
}

/// `12,345`.
pub fn thousands(v: u64) -> String {
    let s = v.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// "6 of 28 days" style count with the right noun.
fn of(k: usize, n: usize, noun: &str) -> String {
    format!("{k} of {n} {noun}{}", if n == 1 { "" } else { "s" })
}

/// The hours as ranges: [9, 10, 14] → "09:00–11:00 and 14:00–15:00".
pub fn hour_ranges(hours: &[u32]) -> String {
    let mut hours = hours.to_vec();
    hours.sort_unstable();
    hours.dedup();
    let mut parts: Vec<String> = Vec::new();
    let mut i = 0;
    while i < hours.len() {
        let start = hours[i];
        let mut end = start;
        while i + 1 < hours.len() && hours[i + 1] == end + 1 {
            i += 1;
            end = hours[i];
        }
        parts.push(format!("{start:02}:00–{:02}:00", end + 1));
        i += 1;
    }
    match parts.len() {
        0 => String::new(),
        1 => parts.remove(0),
        _ => {
            let last = parts.pop().unwrap_or_default();
            format!("{} and {last}", parts.join(", "))
        }
    }
}

/// Contacts per day: the total and mean, the busiest and quietest days, the
/// share answered and abandoned. `days`: (local day, total, answered, abandoned).
pub fn contacts(days: &[(i32, u64, u64, u64)]) -> Vec<String> {
    let total: u64 = days.iter().map(|d| d.1).sum();
    if days.is_empty() || total == 0 {
        return vec!["No calls arrived in the period.".into()];
    }
    let answered: u64 = days.iter().map(|d| d.2).sum();
    let abandoned: u64 = days.iter().map(|d| d.3).sum();
    let busiest = days
        .iter()
        .max_by_key(|d| (d.1, -d.0))
        .copied()
        .unwrap_or_default();
    let quietest = days
        .iter()
        .min_by_key(|d| (d.1, d.0))
        .copied()
        .unwrap_or_default();
    vec![
        format!(
            "{} contacts over {} days, {} a day on average.",
            thousands(total),
            days.len(),
            thousands((total as f64 / days.len() as f64).round() as u64)
        ),
        if busiest.1 == quietest.1 {
            format!("Every day had {}.", thousands(busiest.1))
        } else {
            format!(
                "The busiest day was {} ({}), the quietest {} ({}).",
                day_words(busiest.0),
                thousands(busiest.1),
                day_words(quietest.0),
                thousands(quietest.1)
            )
        },
        format!(
            "{} were answered and {} abandoned.",
            percent(answered as f64 / total as f64),
            percent(abandoned as f64 / total as f64)
        ),
    ]
}

/// "Monday 2 Mar 2026".
pub fn day_words(day: i32) -> String {
    format!("{} {}", WEEKDAYS[usize::from(weekday(day))], long_date(day))
}

/// Service level per day against `target`: on how many days it fell below, on
/// which weekdays (named when they all share one or two), and the hours below
/// target on those days (`hourly`: local day, hour, service level).
pub fn service_level(
    days: &[(i32, Option<f64>)],
    hourly: &[(i32, u32, Option<f64>)],
    target: f64,
) -> Vec<String> {
    let known: Vec<(i32, f64)> = days.iter().filter_map(|(d, v)| Some((*d, (*v)?))).collect();
    if known.is_empty() {
        return vec!["No calls were offered in the period.".into()];
    }
    let below: Vec<(i32, f64)> = known.iter().copied().filter(|(_, v)| *v < target).collect();
    let mut out = Vec::new();
    if below.is_empty() {
        let low = known.iter().map(|d| d.1).fold(f64::INFINITY, f64::min);
        out.push(format!(
            "Service level met the {} target on all {} days with calls (lowest {}).",
            percent(target),
            known.len(),
            percent(low)
        ));
        return out;
    }
    let mut weekdays: Vec<u8> = below.iter().map(|(d, _)| weekday(*d)).collect();
    weekdays.sort_unstable();
    weekdays.dedup();
    // Every day of those weekdays in the period fell below: say it is the weekday.
    let all_of = |w: u8| {
        known
            .iter()
            .filter(|(d, _)| weekday(*d) == w)
            .all(|(_, v)| *v < target)
    };
    let pattern = if weekdays.len() == 1 && all_of(weekdays[0]) && below.len() > 1 {
        format!(", all {}s", WEEKDAYS[usize::from(weekdays[0])])
    } else if weekdays.len() <= 2 && below.len() > 2 {
        format!(
            ", all on {}",
            weekdays
                .iter()
                .map(|w| format!("{}s", WEEKDAYS[usize::from(*w)]))
                .collect::<Vec<_>>()
                .join(" and ")
        )
    } else {
        String::new()
    };
    // The hours below target on at least half of those days.
    let mut count = [0usize; 24];
    for (d, h, v) in hourly {
        if below.iter().any(|(b, _)| b == d) && v.is_some_and(|v| v < target) {
            count[*h as usize % 24] += 1;
        }
    }
    let hours: Vec<u32> = (0..24u32)
        .filter(|h| count[*h as usize] * 2 >= below.len() && count[*h as usize] > 0)
        .collect();
    let when = if hours.is_empty() {
        String::new()
    } else {
        format!(" {}", hour_ranges(&hours))
    };
    out.push(format!(
        "Service level fell below the {} target on {}{pattern}{when}.",
        percent(target),
        of(below.len(), known.len(), "day")
    ));
    let worst = below
        .iter()
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .copied()
        .unwrap_or_default();
    out.push(format!(
        "The lowest was {} on {}.",
        percent(worst.1),
        day_words(worst.0)
    ));
    out
}

/// One day's service level by hour.
pub fn service_level_hours(day: i32, hours: &[(u32, Option<f64>)], target: f64) -> Vec<String> {
    let known: Vec<(u32, f64)> = hours
        .iter()
        .filter_map(|(h, v)| Some((*h, (*v)?)))
        .collect();
    let Some(worst) = known.iter().min_by(|a, b| a.1.total_cmp(&b.1)).copied() else {
        return vec![format!("No calls were offered on {}.", day_words(day))];
    };
    let below: Vec<u32> = known
        .iter()
        .filter(|(_, v)| *v < target)
        .map(|(h, _)| *h)
        .collect();
    let mut out = vec![format!(
        "On {}, the period's lowest day, service level was below target in {}.",
        day_words(day),
        of(below.len(), known.len(), "hour")
    )];
    if !below.is_empty() {
        out.push(format!(
            "It was below {} over {}, lowest at {:02}:00 ({}).",
            percent(target),
            hour_ranges(&below),
            worst.0,
            percent(worst.1)
        ));
    }
    out
}

/// Required against scheduled agents through one day: the hours short and the
/// worst of them.
pub fn staffing(day: i32, hours: &[crate::query::report::HourStaffing]) -> Vec<String> {
    let both: Vec<(&str, u64, f64)> = hours
        .iter()
        .filter_map(|h| Some((h.hour_start.get(11..16)?, h.required?, h.scheduled?)))
        .collect();
    let short: Vec<&(&str, u64, f64)> = both
        .iter()
        .filter(|(_, r, s)| *s + 1e-9 < *r as f64)
        .collect();
    let mut out = vec![format!(
        "On {}, the agents scheduled on work fell short of what Erlang C needed for the calls that came in {}.",
        day_words(day),
        of(short.len(), both.len(), "hour")
    )];
    if let Some(worst) = short.iter().copied().reduce(|a, b| {
        if (b.1 as f64 - b.2) > (a.1 as f64 - a.2) {
            b
        } else {
            a
        }
    }) {
        out.push(format!(
            "The widest gap was at {}: {:.1} scheduled, {} needed.",
            worst.0, worst.2, worst.1
        ));
    }
    out
}

/// A forecast against what came: the weighted absolute error (WAPE), the bias,
/// and the days outside the band.
pub fn forecast(days: &[crate::query::report::ForecastDay]) -> Vec<String> {
    let actual: f64 = days.iter().map(|d| d.offered as f64).sum();
    let predicted: f64 = days.iter().map(|d| d.forecast).sum();
    if actual <= 0.0 {
        return vec![format!(
            "The forecast expected {predicted:.0} calls over {} days; none came.",
            days.len()
        )];
    }
    let error: f64 = days
        .iter()
        .map(|d| (d.offered as f64 - d.forecast).abs())
        .sum();
    let mut out = vec![format!(
        "Over {} days the forecast was off by {} of the calls that came (WAPE), {} in all ({:+.1} %).",
        days.len(),
        percent(error / actual),
        if predicted >= actual { "over" } else { "under" },
        (predicted - actual) / actual * 100.0
    )];
    let banded: Vec<_> = days
        .iter()
        .filter_map(|d| Some((d, d.lo80?, d.hi80?)))
        .collect();
    if !banded.is_empty() {
        let outside = banded
            .iter()
            .filter(|(d, lo, hi)| (d.offered as f64) < *lo || (d.offered as f64) > *hi)
            .count();
        out.push(format!(
            "Calls fell outside the 80 % band on {}.",
            of(outside, banded.len(), "day")
        ));
    }
    out
}

/// The range and mean of a per-day series in seconds, and the days beyond a
/// target (`higher_is_better` false: above it is worse).
pub fn seconds_range(name: &str, days: &[(i32, Option<f64>)], target: Option<f64>) -> String {
    let known: Vec<(i32, f64)> = days.iter().filter_map(|(d, v)| Some((*d, (*v)?))).collect();
    if known.is_empty() {
        return format!("No {name} in the period.");
    }
    let (lo, hi) = known
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), (_, v)| {
            (a.min(*v), b.max(*v))
        });
    let mean = known.iter().map(|d| d.1).sum::<f64>() / known.len() as f64;
    let beyond = target.map(|t| known.iter().filter(|(_, v)| *v > t).count());
    let mut s = if (hi - lo).abs() < 0.5 {
        format!("The {name} was {lo:.0} s every day")
    } else {
        format!("Daily {name} ranged from {lo:.0} s to {hi:.0} s (mean of the days {mean:.0} s)")
    };
    if let (Some(t), Some(k)) = (target, beyond) {
        s.push_str(&format!(
            "; above the {t:.0} s target on {}",
            of(k, known.len(), "day")
        ));
    }
    s.push('.');
    s
}

/// Abandon rate per day against its target, and the time callers waited before
/// giving up over the period.
pub fn abandons(
    days: &[(i32, Option<f64>)],
    target: Option<f64>,
    time_to_abandon_s: Option<f64>,
) -> Vec<String> {
    let known: Vec<(i32, f64)> = days.iter().filter_map(|(d, v)| Some((*d, (*v)?))).collect();
    let Some(worst) = known
        .iter()
        .copied()
        .reduce(|best, d| if d.1 > best.1 { d } else { best })
    else {
        return vec!["No calls were offered in the period.".into()];
    };
    let mut out = Vec::new();
    let above = target.map_or(0, |t| known.iter().filter(|(_, v)| *v > t).count());
    match target {
        _ if worst.1 <= 0.0 => out.push("No call was abandoned.".into()),
        Some(t) if above == 0 => out.push(format!(
            "The abandon rate stayed within the {} target every day (highest {} on {}).",
            percent(t),
            percent(worst.1),
            day_words(worst.0)
        )),
        Some(t) => out.push(format!(
            "The abandon rate was above the {} target on {}; the highest was {} on {}.",
            percent(t),
            of(above, known.len(), "day"),
            percent(worst.1),
            day_words(worst.0)
        )),
        None => out.push(format!(
            "The highest abandon rate was {} on {}.",
            percent(worst.1),
            day_words(worst.0)
        )),
    }
    if let Some(s) = time_to_abandon_s {
        out.push(format!(
            "Callers who gave up had waited {s:.0} s on average over the period."
        ));
    }
    out
}

/// The heatmap's peak and the share of calls in the busiest hours.
pub fn heatmap(grid: &[[Option<f64>; 24]; 7]) -> Vec<String> {
    let mut cells: Vec<(usize, usize, f64)> = Vec::new();
    for (w, row) in grid.iter().enumerate() {
        for (h, v) in row.iter().enumerate() {
            if let Some(v) = v {
                cells.push((w, h, *v));
            }
        }
    }
    // The first of equal peaks (Monday before Sunday, morning before evening).
    let Some(peak) = cells
        .iter()
        .copied()
        .reduce(|best, c| if c.2 > best.2 { c } else { best })
    else {
        return vec!["No calls in the period.".into()];
    };
    let open = cells.iter().filter(|c| c.2 >= peak.2 * 0.05).count();
    vec![
        format!(
            "Offered calls peak on {}s at {:02}:00, {:.0} calls in that hour on average.",
            WEEKDAYS[peak.0], peak.1, peak.2
        ),
        format!(
            "{} of the week's 168 hours carry at least 5 % of the peak's calls.",
            open
        ),
    ]
}

/// Weekly agent-time KPIs: range per KPI (name, per-week values).
pub fn agent_time(kpis: &[(&str, Vec<Option<f64>>)]) -> Vec<String> {
    let out: Vec<String> = kpis
        .iter()
        .filter_map(|(name, values)| {
            let known: Vec<f64> = values.iter().flatten().copied().collect();
            if known.is_empty() {
                return None;
            }
            let lo = known.iter().copied().fold(f64::INFINITY, f64::min);
            let hi = known.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            Some(if known.len() == 1 || (hi - lo).abs() < 5e-4 {
                format!("{name} was {}.", percent(lo))
            } else {
                format!(
                    "{name} ranged from {} to {} per week.",
                    percent(lo),
                    percent(hi)
                )
            })
        })
        .map(|s| {
            let mut c = s.chars();
            c.next()
                .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
                .unwrap_or_default()
        })
        .collect();
    out
}

/// The scatter's outliers: how many, and the ones named on the chart (the
/// furthest; all of them when few).
pub fn agents(total: usize, outliers: usize, named: &[String], y_name: &str) -> Vec<String> {
    let mut out = vec![format!(
        "{total} agents with both a handle time and {y_name}; each dot is one agent, coloured by team."
    )];
    out.push(if outliers == 0 {
        "No agent is more than two standard deviations from the mean on either axis.".into()
    } else if named.len() >= outliers {
        format!(
            "More than two standard deviations from the mean on either axis: {}.",
            named.join(", ")
        )
    } else {
        format!(
            "{outliers} agents are more than two standard deviations from the mean on either axis; the {} furthest are named: {}.",
            named.len(),
            named.join(", ")
        )
    });
    out
}

/// One rule's months: (month label, compliance, breached).
pub type RuleMonths = (String, Vec<(String, Option<f64>, u64)>);

/// Ticket compliance: per rule, the lowest month and the breaches in all.
pub fn tickets(rules: &[RuleMonths]) -> Vec<String> {
    let mut out = Vec::new();
    for (rule, months) in rules {
        let breached: u64 = months.iter().map(|m| m.2).sum();
        let Some(low) = months
            .iter()
            .filter_map(|(m, c, _)| Some((m, (*c)?)))
            .min_by(|a, b| a.1.total_cmp(&b.1))
        else {
            continue;
        };
        out.push(format!(
            "{rule}: {} breached; compliance lowest in {} ({}).",
            thousands(breached),
            low.0,
            percent(low.1)
        ));
    }
    if out.is_empty() {
        out.push("No ticket met or breached a rule in the period.".into());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use callboard_core::time::days_from_civil;

    #[test]
    fn hours_read_as_ranges() {
        assert_eq!(hour_ranges(&[9, 10]), "09:00–11:00");
        assert_eq!(hour_ranges(&[14, 9, 10]), "09:00–11:00 and 14:00–15:00");
        assert_eq!(
            hour_ranges(&[1, 3, 5]),
            "01:00–02:00, 03:00–04:00 and 05:00–06:00"
        );
        assert_eq!(thousands(1234567), "1,234,567");
        assert_eq!(thousands(12), "12");
    }

    #[test]
    fn service_level_below_target_on_exactly_the_mondays_says_so() {
        // Four weeks from Monday 2 March 2026: 70 % on each Monday, 90 % on every
        // other day; on the Mondays the hours 09 and 10 are at 50 %, the rest
        // at 85 %.
        let monday = days_from_civil(2026, 3, 2);
        let days: Vec<(i32, Option<f64>)> = (0..28)
            .map(|i| (monday + i, Some(if i % 7 == 0 { 0.70 } else { 0.90 })))
            .collect();
        let hourly: Vec<(i32, u32, Option<f64>)> = (0..28)
            .flat_map(|i| {
                (8..18).map(move |h| {
                    let v = if i % 7 == 0 && (9..11).contains(&h) {
                        0.5
                    } else {
                        0.85
                    };
                    (monday + i, h, Some(v))
                })
            })
            .collect();
        let s = service_level(&days, &hourly, 0.80);
        assert_eq!(
            s[0],
            "Service level fell below the 80.0 % target on 4 of 28 days, all Mondays 09:00–11:00."
        );
        assert_eq!(s[1], "The lowest was 70.0 % on Monday 2 Mar 2026.");
        // One Tuesday too: no longer "all Mondays".
        let mut days = days;
        days[1].1 = Some(0.75);
        let s = service_level(&days, &hourly, 0.80);
        assert!(s[0].starts_with("Service level fell below the 80.0 % target on 5 of 28 days, all on Mondays and Tuesdays"), "{}", s[0]);
    }

    #[test]
    fn a_period_on_target_says_so_with_its_lowest_day() {
        let d = days_from_civil(2026, 3, 2);
        let s = service_level(
            &[(d, Some(0.9)), (d + 1, Some(0.82)), (d + 2, None)],
            &[],
            0.8,
        );
        assert_eq!(
            s,
            vec![
                "Service level met the 80.0 % target on all 2 days with calls (lowest 82.0 %)."
                    .to_string()
            ]
        );
    }

    #[test]
    fn contacts_name_the_busiest_and_quietest_days() {
        let d = days_from_civil(2026, 3, 2);
        let s = contacts(&[(d, 100, 90, 8), (d + 1, 300, 280, 15), (d + 2, 50, 45, 5)]);
        assert_eq!(s[0], "450 contacts over 3 days, 150 a day on average.");
        assert_eq!(
            s[1],
            "The busiest day was Tuesday 3 Mar 2026 (300), the quietest Wednesday 4 Mar 2026 (50)."
        );
        assert_eq!(s[2], "92.2 % were answered and 6.2 % abandoned.");
    }
}
