//! Recurring problems: the same category at the same unit (and, coarser, the same
//! building = the unit up to a separator) at least `count` times within a window,
//! flagged for a root-cause review with the ticket ids.

use super::Ticket;
use super::policy::Recurring;
use crate::kpi::intern::Interner;

/// One recurring problem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recurrence<'a> {
    /// `unit` or `building`.
    pub level: &'static str,
    /// The unit (or building).
    pub place: &'a str,
    /// Category.
    pub category: &'a str,
    /// The tickets inside some window of `count` or more, by creation time.
    pub ticket_ids: Vec<&'a str>,
    /// First and last creation time of those, ms.
    pub first_ms: i64,
    /// Last.
    pub last_ms: i64,
}

/// Flags the tickets of each (place, category) that lie in a window of `window_ms`
/// holding at least `count` of them. Building-level problems are reported only when
/// they span more than one unit (otherwise the unit-level entry says it all).
pub fn recurring<'a>(tickets: &[Ticket<'a>], r: &Recurring) -> Vec<Recurrence<'a>> {
    // Units, buildings and categories numbered once; each ticket then becomes one
    // (place, category, time) key per level and runs of equal keys are scanned after
    // a sort (no hashing of strings per ticket and level).
    let (mut places, mut categories) = (Interner::default(), Interner::default());
    // (level, place, category, created, ticket index, unit code)
    let mut keys: Vec<(u8, u32, u32, i64, u32, u32)> = Vec::new();
    let mut last_unit: Option<(&str, u32, Option<u32>)> = None;
    for (i, t) in tickets.iter().enumerate() {
        if !(r.kinds.is_empty() || r.kinds.iter().any(|k| k == t.kind)) {
            continue;
        }
        let (Some(unit), Some(cat)) = (t.unit, t.category) else {
            continue;
        };
        let (u, b) = match last_unit {
            Some((n, u, b)) if n == unit => (u, b),
            _ => {
                let u = places.id(unit);
                let b = match r.separator.as_deref().and_then(|s| unit.split_once(s)) {
                    Some((b, _)) if !b.is_empty() => Some(places.id(b)),
                    _ => None,
                };
                last_unit = Some((unit, u, b));
                (u, b)
            }
        };
        let c = categories.id(cat);
        keys.push((0, u, c, t.created(), i as u32, u));
        if let Some(b) = b {
            keys.push((1, b, c, t.created(), i as u32, u));
        }
    }
    keys.sort_unstable();
    let mut out = Vec::new();
    let mut start = 0;
    while start < keys.len() {
        let (level, place, cat) = (keys[start].0, keys[start].1, keys[start].2);
        let mut end = start;
        while end < keys.len() && (keys[end].0, keys[end].1, keys[end].2) == (level, place, cat) {
            end += 1;
        }
        let v = &keys[start..end];
        start = end;
        if v.len() < r.count {
            continue;
        }
        let mut flagged = vec![false; v.len()];
        let mut j = 0;
        for i in 0..v.len() {
            j = j.max(i);
            while j + 1 < v.len() && v[j + 1].3 - v[i].3 <= r.window_ms {
                j += 1;
            }
            if j + 1 - i >= r.count {
                flagged[i..=j].iter_mut().for_each(|f| *f = true);
            }
        }
        let hits: Vec<&(u8, u32, u32, i64, u32, u32)> = v
            .iter()
            .zip(&flagged)
            .filter(|(_, f)| **f)
            .map(|(x, _)| x)
            .collect();
        let (Some(first), Some(last)) = (hits.first(), hits.last()) else {
            continue;
        };
        if level == 1 && hits.iter().all(|h| h.5 == first.5) {
            continue;
        }
        out.push(Recurrence {
            level: if level == 0 { "unit" } else { "building" },
            place: places.names()[place as usize],
            category: categories.names()[cat as usize],
            ticket_ids: hits.iter().map(|h| tickets[h.4 as usize].id).collect(),
            first_ms: first.3,
            last_ms: last.3,
        });
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
