//! Names to dense ids, so the sweeps over millions of rows index arrays instead of
//! hashing strings.

use rustc_hash::FxHashMap;

/// Strings to dense ids in first-seen order. Rows of a table come in runs (an agent's
/// states follow each other), so the last name is checked first; a few names (queues,
/// teams, states) are found by a scan, many (agents) by a hash map with a fast,
/// non-keyed hash (the names come from our own store, not from a remote party).
#[derive(Debug, Clone, Default)]
pub struct Interner<'a> {
    names: Vec<&'a str>,
    map: FxHashMap<&'a str, u32>,
    last: Option<(&'a str, u32)>,
}

impl<'a> Interner<'a> {
    /// Up to this many names are scanned; beyond, the map is used.
    const SCAN: usize = 16;

    /// The id of `k`, given a new one if unseen.
    pub fn id(&mut self, k: &'a str) -> u32 {
        if let Some((l, id)) = self.last
            && l == k
        {
            return id;
        }
        let id = match self.get(k) {
            Some(id) => id,
            None => {
                let id = self.names.len() as u32;
                self.names.push(k);
                if self.names.len() > Self::SCAN {
                    if self.map.is_empty() {
                        self.map = self.names.iter().copied().zip(0..).collect();
                    } else {
                        self.map.insert(k, id);
                    }
                }
                id
            }
        };
        self.last = Some((k, id));
        id
    }

    /// The id of `k` if it has one.
    pub fn get(&self, k: &str) -> Option<u32> {
        if self.names.len() <= Self::SCAN {
            self.names.iter().position(|n| *n == k).map(|i| i as u32)
        } else {
            self.map.get(k).copied()
        }
    }

    /// The names, indexed by id.
    pub fn names(&self) -> &[&'a str] {
        &self.names
    }

    /// The names sorted, and each id's position among them (for outputs ordered by
    /// name while rows were numbered in first-seen order).
    pub fn by_name(&self) -> (Vec<&'a str>, Vec<u32>) {
        let mut order: Vec<usize> = (0..self.names.len()).collect();
        order.sort_unstable_by_key(|&i| self.names[i]);
        let mut rank = vec![0u32; order.len()];
        for (r, &i) in order.iter().enumerate() {
            rank[i] = r as u32;
        }
        (order.iter().map(|&i| self.names[i]).collect(), rank)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_dense_in_first_seen_order_across_the_switch_to_the_map() {
        let words: Vec<String> = (0..40).map(|i| format!("agent{i}")).collect();
        let mut i = Interner::default();
        // Every name twice, in runs and interleaved, crossing the scan limit.
        for (n, w) in words.iter().enumerate() {
            assert_eq!(i.id(w), n as u32);
            assert_eq!(
                i.id(w),
                n as u32,
                "same name again (the last-name shortcut)"
            );
            assert_eq!(i.id(&words[0]), 0, "an old name keeps its id");
        }
        assert_eq!(i.names().len(), 40);
        for (n, w) in words.iter().enumerate() {
            assert_eq!(i.get(w), Some(n as u32));
            assert_eq!(i.names()[n], w.as_str());
        }
        assert_eq!(i.get("nobody"), None);
        let mut few = Interner::default();
        assert_eq!((few.id("b"), few.id("a"), few.id("b")), (0, 1, 0));
        assert_eq!(few.get("a"), Some(1));
        few.id("c");
        // Sorted a, b, c: id 0 ("b") is second, id 1 ("a") first, id 2 ("c") third.
        assert_eq!(few.by_name(), (vec!["a", "b", "c"], vec![1, 0, 2]));
    }
}
