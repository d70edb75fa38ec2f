//! Recurring problems: the same category at the same unit (and, coarser, the same
//! building = the unit up to a separator) at least `count` times within a window,
//! flagged for a root-cause review with the ticket ids.

use super::Ticket;
use super::policy::Recurring;
use std::collections::HashMap;

/// One recurring problem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recurrence {
    /// `unit` or `building`.
    pub level: &'static str,
    /// The unit (or building).
    pub place: String,
    /// Category.
    pub category: String,
    /// The tickets inside some window of `count` or more, by creation time.
    pub ticket_ids: Vec<String>,
    /// First and last creation time of those, ms.
    pub first_ms: i64,
    /// Last.
    pub last_ms: i64,
}

/// Flags the tickets of each (place, category) that lie in a window of `window_ms`
/// holding at least `count` of them. Building-level problems are reported only when
/// they span more than one unit (otherwise the unit-level entry says it all).
pub fn recurring(tickets: &[Ticket<'_>], r: &Recurring) -> Vec<Recurrence> {
    let considered = |t: &&Ticket<'_>| r.kinds.is_empty() || r.kinds.iter().any(|k| k == t.kind);
    let mut out = Vec::new();
    for level in ["unit", "building"] {
        // (place, category) → (created, ticket id, unit)
        type Hits<'t> = Vec<(i64, &'t str, &'t str)>;
        let mut groups: HashMap<(&str, &str), Hits<'_>> = HashMap::new();
        for t in tickets.iter().filter(considered) {
            let (Some(unit), Some(cat)) = (t.unit, t.category) else {
                continue;
            };
            let place = match level {
                "unit" => unit,
                _ => match r.separator.as_deref().and_then(|s| unit.split_once(s)) {
                    Some((b, _)) if !b.is_empty() => b,
                    _ => continue,
                },
            };
            groups
                .entry((place, cat))
                .or_default()
                .push((t.created(), t.id, unit));
        }
        for ((place, cat), mut v) in groups {
            if v.len() < r.count {
                continue;
            }
            v.sort_unstable();
            let mut flagged = vec![false; v.len()];
            let mut j = 0;
            for i in 0..v.len() {
                if j < i {
                    j = i;
                }
                while j + 1 < v.len() && v[j + 1].0 - v[i].0 <= r.window_ms {
                    j += 1;
                }
                if j + 1 - i >= r.count {
                    flagged[i..=j].iter_mut().for_each(|f| *f = true);
                }
            }
            let hits: Vec<&(i64, &str, &str)> = v
                .iter()
                .zip(&flagged)
                .filter(|(_, f)| **f)
                .map(|(x, _)| x)
                .collect();
            if hits.is_empty() {
                continue;
            }
            if level == "building" && hits.iter().all(|h| h.2 == hits[0].2) {
                continue;
            }
            out.push(Recurrence {
                level,
                place: place.to_owned(),
                category: cat.to_owned(),
                ticket_ids: hits.iter().map(|h| h.1.to_owned()).collect(),
                first_ms: hits[0].0,
                last_ms: hits[hits.len() - 1].0,
            });
        }
    }
    out.sort_by(|a, b| {
        (
            a.level != "unit",
            std::cmp::Reverse(a.ticket_ids.len()),
            &a.place,
            &a.category,
        )
            .cmp(&(
                b.level != "unit",
                std::cmp::Reverse(b.ticket_ids.len()),
                &b.place,
                &b.category,
            ))
    });
    out
}
