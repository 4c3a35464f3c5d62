//! Shards: `run --partition K/N` runs a stable 1/N of the selected tests, so that a large run
//! spreads over CI runners; `merge` joins the shards' reports into the report of the whole run.
//!
//! A test's shard depends only on its own id and N: FNV-1a (64-bit) of the id, modulo N. So every
//! test is in exactly one shard, and a test keeps its shard when tests are added or removed (CI
//! history per shard stays comparable); the shards are balanced only statistically (for a
//! thousand tests in three shards, within a few percent). The tests the selection leaves out
//! (reported as `skip`) go to the shard of their id too, so that the merged report lists each of
//! them once, as the unsharded run does.

use std::collections::HashSet;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::Test;

/// Shard `index` of `count` (both from 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Partition {
    pub index: usize,
    pub count: usize,
}

impl fmt::Display for Partition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// At most this many shards (more than any CI spreads a run over; it keeps `N` printable).
pub const MAX_SHARDS: usize = 10_000;

impl FromStr for Partition {
    type Err = String;

    /// `K/N`, with 1 ≤ K ≤ N ≤ [`MAX_SHARDS`].
    fn from_str(s: &str) -> Result<Self, String> {
        let (k, n) = s
            .split_once('/')
            .ok_or_else(|| format!("{s:?} is not K/N (shard K of N, e.g. 2/3)"))?;
        let number = |x: &str, what: &str| {
            x.trim()
                .parse::<usize>()
                .map_err(|_| format!("{s:?}: {what} {x:?} is not a whole number"))
        };
        let (index, count) = (number(k, "K")?, number(n, "N")?);
        if count == 0 || count > MAX_SHARDS {
            return Err(format!("{s:?}: N must be from 1 to {MAX_SHARDS}"));
        }
        if index == 0 || index > count {
            return Err(format!("{s:?}: K must be from 1 to N ({count})"));
        }
        Ok(Partition { index, count })
    }
}

impl Partition {
    /// The tests of this shard, in their order. `selected` says which ids the selection takes.
    /// Fails when the selection has fewer tests than there are shards (a shard would run none).
    pub fn shard(&self, tests: Vec<Test>, selected: impl Fn(&str) -> bool) -> Result<Vec<Test>, String> {
        let ids: Vec<&str> = tests.iter().map(|t| t.id.as_str()).collect();
        let keep = self.ids(&ids, &selected)?;
        Ok(tests.into_iter().filter(|t| keep.contains(&t.id)).collect())
    }

    /// The ids of this shard, among `ids`.
    pub fn ids(&self, ids: &[&str], selected: &impl Fn(&str) -> bool) -> Result<HashSet<String>, String> {
        let (mut chosen, mut left_out): (Vec<&str>, Vec<&str>) = ids.iter().partition(|id| selected(id));
        if chosen.len() < self.count {
            return Err(format!(
                "{self}: the selection has {} test{}, fewer than {} shards",
                chosen.len(),
                if chosen.len() == 1 { "" } else { "s" },
                self.count
            ));
        }
        chosen.append(&mut left_out);
        Ok(chosen
            .into_iter()
            .filter(|id| self.holds(id))
            .map(str::to_owned)
            .collect())
    }

    /// Whether the test `id` belongs to this shard.
    pub fn holds(&self, id: &str) -> bool {
        (fnv1a(id.as_bytes()) % self.count as u64) as usize == self.index - 1
    }
}

/// FNV-1a, 64-bit: fixed by its definition (unlike `std`'s hasher, which may change between Rust
/// releases), so a test's shard is the same for every build of the suite.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn k_of_n_parses_and_bad_values_are_named() {
        assert_eq!("2/3".parse(), Ok(Partition { index: 2, count: 3 }));
        for bad in ["0/3", "4/3", "1/0", "3", "a/b", "-1/3", "1/99999999999999999999999"] {
            assert!(bad.parse::<Partition>().is_err(), "{bad}");
        }
    }

    #[test]
    fn every_id_is_in_exactly_one_shard() {
        let ids: Vec<String> = (0..101).map(|i| format!("t/{i}")).collect();
        let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
        let selected = |id: &str| !id.ends_with('7');
        let mut seen = std::collections::HashMap::new();
        for index in 1..=4 {
            let shard = Partition { index, count: 4 }.ids(&ids, &selected).expect("a shard");
            let chosen = shard.iter().filter(|id| selected(id)).count();
            assert!((10..=40).contains(&chosen), "shard {index}: {chosen}");
            for id in shard {
                *seen.entry(id).or_insert(0) += 1;
            }
        }
        assert_eq!(seen.len(), ids.len());
        assert!(seen.values().all(|&n| n == 1));
        let one = Partition { index: 1, count: 200 }.ids(&ids, &selected);
        assert!(one.is_err_and(|e| e.contains("fewer than 200 shards")));
    }

    #[test]
    fn a_test_keeps_its_shard_when_tests_are_added() {
        let few: Vec<String> = (0..50).map(|i| format!("t/{i}")).collect();
        let more: Vec<String> = (0..500).map(|i| format!("t/{i}")).collect();
        let shard_of = |ids: &[String], id: &str| {
            let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
            (1..=3)
                .find(|&index| Partition { index, count: 3 }.ids(&ids, &|_| true).unwrap().contains(id))
                .unwrap()
        };
        for id in &few {
            assert_eq!(shard_of(&few, id), shard_of(&more, id), "{id}");
        }
        // The published FNV-1a test value: a change of the function would move every test.
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
    }
}
