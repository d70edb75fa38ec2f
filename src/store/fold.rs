//! The update rule of the tables whose rows change after they are loaded (tickets,
//! agents): the store keeps every accepted row in manifest order, and the current
//! row of a key is the fold of its rows in that order — a later non-empty field
//! wins, and `created_at` keeps the earliest value (docs/store.md). Every reader
//! of an update table ([`super::readers`]: agents, tickets) folds with the functions
//! here. The loader's update check (`ingest/updates.rs`) applies the same rule to
//! whole rows of schema values as it validates each merged row; its tests and the
//! readers' hold the two to the same answers.

use rustc_hash::FxHashMap;
use std::collections::hash_map::Entry;

/// A row of an update table, as a reader holds it.
pub trait Update {
    /// The row's key (`ticket_id`, `agent_id`).
    fn key(&self) -> &str;
    /// Folds `later`, a row of the same key stored after this one, into this one.
    fn update(&mut self, later: Self);
}

/// The current rows: the rows of one key folded in the order given (the store's
/// order), one row per key in the order keys first appear.
pub fn current_rows<R: Update>(rows: impl IntoIterator<Item = R>) -> Vec<R> {
    let rows = rows.into_iter();
    let mut out: Vec<R> = Vec::with_capacity(rows.size_hint().0);
    // Keys as 128-bit hashes, as the store keys rows: no copy of each key.
    let mut index: FxHashMap<u128, usize> = FxHashMap::default();
    index.reserve(out.capacity());
    for row in rows {
        match index.entry(xxhash_rust::xxh3::xxh3_128(row.key().as_bytes())) {
            Entry::Vacant(v) => {
                v.insert(out.len());
                out.push(row);
            }
            Entry::Occupied(o) => out[*o.get()].update(row),
        }
    }
    out
}

/// A field under the rule: the later value wins unless it is empty.
pub fn later_wins<T>(current: &mut Option<T>, later: Option<T>) {
    if later.is_some() {
        *current = later;
    }
}

/// `created_at` under the rule: the earliest of the values there are.
pub fn earliest(current: Option<i64>, later: Option<i64>) -> Option<i64> {
    match (current, later) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq)]
    struct Row {
        id: &'static str,
        team: Option<&'static str>,
        created: Option<i64>,
    }

    impl Update for Row {
        fn key(&self) -> &str {
            self.id
        }
        fn update(&mut self, later: Self) {
            later_wins(&mut self.team, later.team);
            self.created = earliest(self.created, later.created);
        }
    }

    #[test]
    fn later_non_empty_fields_win_and_created_keeps_the_earliest() {
        let rows = [
            Row {
                id: "a",
                team: Some("red"),
                created: Some(50),
            },
            Row {
                id: "b",
                team: None,
                created: None,
            },
            Row {
                id: "a",
                team: None,
                created: Some(10),
            },
            Row {
                id: "a",
                team: Some("blue"),
                created: Some(90),
            },
            Row {
                id: "b",
                team: Some("green"),
                created: Some(5),
            },
        ];
        assert_eq!(
            current_rows(rows),
            vec![
                Row {
                    id: "a",
                    team: Some("blue"),
                    created: Some(10)
                },
                Row {
                    id: "b",
                    team: Some("green"),
                    created: Some(5)
                },
            ]
        );
    }
}
