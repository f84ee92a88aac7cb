//! "Similar incidents": for each incident, the others ranked by shared
//! causes, then shared services, then closeness in time (then site order).
//!
//! Causes follow a long tail: a few are in a quarter of all incidents, so
//! counting, for each incident, every incident that shares a cause with it
//! one by one grows with the square of the knowledge base. Instead:
//!
//! - The short lists (causes and services of a few incidents) are read
//!   entry by entry.
//! - The long lists are bitsets, one bit per incident. For each incident,
//!   its long lists are added bit-parallel (64 incidents per machine word)
//!   into bit-sliced counters of shared causes and shared services; a pass
//!   per level counts the incidents at that level, from the most shared
//!   down, until the levels hold enough; the nearest in time of the last
//!   level needed are found by reading outwards from the incident's own
//!   position (site order is date order).
//!
//! The result is exactly the one-by-one ranking's (see the tests).

use std::collections::{BTreeMap, HashMap};

use rayon::prelude::*;

use crate::model::site::{Facet, Incident};

/// Up to `k` similar incidents for each incident (indexes, best first).
/// An incident is similar when it shares at least one cause or service.
/// `incidents` are in site order (newest first); the facets' lists hold
/// indexes in that order.
pub fn similar_incidents(
    incidents: &[Incident],
    causes: &BTreeMap<String, Facet>,
    services: &BTreeMap<String, Facet>,
    k: usize,
) -> Vec<Vec<usize>> {
    let days: Vec<i64> = incidents
        .iter()
        .map(|i| crate::model::timeline::day_number(i.pm.date))
        .collect();
    let (cause_ids, service_ids) = (facet_numbers(causes), facet_numbers(services));
    let sets = |names: &[String], ids: &HashMap<&str, u32>| -> Vec<u32> {
        let mut v: Vec<u32> = names
            .iter()
            .filter_map(|n| ids.get(n.as_str()))
            .copied()
            .collect();
        v.sort_unstable();
        v.dedup();
        v
    };
    let relations = Relations {
        days,
        cause_lists: causes.values().map(|f| f.incidents.as_slice()).collect(),
        service_lists: services.values().map(|f| f.incidents.as_slice()).collect(),
        causes_of: Sets::new(incidents.iter().map(|i| sets(&i.pm.causes, &cause_ids))),
        services_of: Sets::new(incidents.iter().map(|i| sets(&i.pm.services, &service_ids))),
    };
    relations.rank(k)
}

fn facet_numbers(facets: &BTreeMap<String, Facet>) -> HashMap<&str, u32> {
    facets
        .keys()
        .enumerate()
        .map(|(n, k)| (k.as_str(), n as u32))
        .collect()
}

/// Incidents as the ranking sees them: a date, and sets of causes and of
/// services given as numbers into the lists of incidents that have them.
struct Relations<'a> {
    days: Vec<i64>,
    /// For each cause, the incidents that have it, in ascending order.
    cause_lists: Vec<&'a [usize]>,
    service_lists: Vec<&'a [usize]>,
    /// For each incident, its causes (sorted).
    causes_of: Sets,
    services_of: Sets,
}

/// Small sorted sets, one per incident, stored end to end (read for
/// thousands of incidents per incident: they must be close together).
struct Sets {
    start: Vec<usize>,
    items: Vec<u32>,
}

impl Sets {
    fn new(sets: impl IntoIterator<Item = Vec<u32>>) -> Sets {
        let mut start = vec![0];
        let mut items = Vec::new();
        for set in sets {
            items.extend(set);
            start.push(items.len());
        }
        Sets { start, items }
    }

    fn of(&self, j: usize) -> &[u32] {
        match (self.start.get(j), self.start.get(j + 1)) {
            (Some(&a), Some(&b)) => &self.items[a..b],
            _ => &[],
        }
    }
}

/// How many elements two sorted sets share.
fn shared(a: &[u32], b: &[u32]) -> u64 {
    let (mut x, mut y, mut n) = (0, 0, 0);
    while x < a.len() && y < b.len() {
        match a[x].cmp(&b[y]) {
            std::cmp::Ordering::Less => x += 1,
            std::cmp::Ordering::Greater => y += 1,
            std::cmp::Ordering::Equal => {
                n += 1;
                x += 1;
                y += 1;
            }
        }
    }
    n
}

/// One number per candidate, larger is better: shared causes, then shared
/// services, then closeness in days, then site order (newest first, then
/// id), so the result is stable.
fn rank_key(causes: u64, services: u64, apart: u64, j: usize) -> u64 {
    (causes.min(255) << 56)
        | (services.min(255) << 48)
        | ((0xFF_FFFF - apart.min(0xFF_FFFF)) << 24)
        | (0xFF_FFFF - (j as u64).min(0xFF_FFFF))
}

fn index_of(key: u64) -> usize {
    0xFF_FFFF - (key & 0xFF_FFFF) as usize
}

/// A set of incidents, one bit each.
type Bits = Vec<u64>;

fn bitset(list: &[usize], words: usize) -> Bits {
    let mut b = vec![0u64; words];
    for &j in list {
        if let Some(w) = b.get_mut(j / 64) {
            *w |= 1 << (j % 64);
        }
    }
    b
}

/// Whether a list is long enough to be read as a bitset: reading it entry
/// by entry costs more than a few passes over `n / 64` words.
fn is_long(len: usize, n: usize) -> bool {
    len >= 64 && len >= n / 256
}

/// Bit-sliced counters: `slices[b][w]` is bit `b` of the count of each of
/// the 64 incidents of word `w`.
struct Counter {
    slices: Vec<Bits>,
}

impl Counter {
    /// Counts, for every incident, how many of `sets` hold it.
    fn count(sets: &[&Bits], words: usize, slices: &mut Vec<Bits>) -> Counter {
        let bits = (usize::BITS - sets.len().leading_zeros()) as usize;
        let mut mine: Vec<Bits> = std::mem::take(slices);
        mine.truncate(bits);
        for s in &mut mine {
            s.clear();
            s.resize(words, 0);
        }
        while mine.len() < bits {
            mine.push(vec![0; words]);
        }
        for set in sets {
            for (w, &word) in set.iter().enumerate() {
                let mut carry = word;
                for s in mine.iter_mut() {
                    if carry == 0 {
                        break;
                    }
                    let t = s[w] & carry;
                    s[w] ^= carry;
                    carry = t;
                }
            }
        }
        Counter { slices: mine }
    }

    /// The incidents of word `w` whose count is `value`.
    fn equal(&self, w: usize, value: usize) -> u64 {
        let mut m = !0u64;
        for (b, s) in self.slices.iter().enumerate() {
            m &= if value >> b & 1 == 1 { s[w] } else { !s[w] };
        }
        m
    }
}

/// What one thread's ranking reuses from one incident to the next.
struct Scratch {
    /// `seen[j] == round`: `j` was counted in this round.
    seen: Vec<u32>,
    round: u32,
    /// Keys of every incident counted.
    keys: Vec<u64>,
    /// Incidents counted from short lists.
    counted: Bits,
    /// Incidents in a long list of this incident, not counted yet.
    open: Bits,
    cause_slices: Vec<Bits>,
    service_slices: Vec<Bits>,
}

impl Relations<'_> {
    fn rank(&self, k: usize) -> Vec<Vec<usize>> {
        let n = self.days.len();
        let words = n.div_ceil(64);
        let long = |lists: &[&[usize]]| -> Vec<Option<Bits>> {
            lists
                .par_iter()
                .map(|l| is_long(l.len(), n).then(|| bitset(l, words)))
                .collect()
        };
        let cause_bits = long(&self.cause_lists);
        let service_bits = long(&self.service_lists);
        // The nearest are read outwards from an incident's position, which
        // needs site order to be date order; otherwise a level is read whole.
        let dated = self.days.windows(2).all(|w| w[0] >= w[1]);
        let ctx = Long {
            causes: &cause_bits,
            services: &service_bits,
            words,
            dated,
        };
        (0..n)
            .into_par_iter()
            .map_init(
                || Scratch {
                    seen: vec![0; n],
                    round: 0,
                    keys: Vec::new(),
                    counted: vec![0; words],
                    open: vec![0; words],
                    cause_slices: Vec::new(),
                    service_slices: Vec::new(),
                },
                |scratch, i| self.best(i, k, &ctx, scratch),
            )
            .collect()
    }

    fn key(&self, i: usize, j: usize) -> u64 {
        rank_key(
            shared(self.causes_of.of(i), self.causes_of.of(j)),
            shared(self.services_of.of(i), self.services_of.of(j)),
            (self.days[j] - self.days[i]).unsigned_abs(),
            j,
        )
    }

    /// The `k` best for incident `i`.
    fn best(&self, i: usize, k: usize, long: &Long, s: &mut Scratch) -> Vec<usize> {
        s.round = s.round.wrapping_add(1);
        if s.round == 0 {
            s.seen.fill(0);
            s.round = 1;
        }
        s.keys.clear();
        if k == 0 {
            return Vec::new();
        }
        // Short lists: every entry, exactly.
        let mut long_causes: Vec<&Bits> = Vec::new();
        let mut long_services: Vec<&Bits> = Vec::new();
        for (facets, lists, bits, into) in [
            (
                self.causes_of.of(i),
                &self.cause_lists,
                long.causes,
                &mut long_causes,
            ),
            (
                self.services_of.of(i),
                &self.service_lists,
                long.services,
                &mut long_services,
            ),
        ] {
            for &f in facets {
                let f = f as usize;
                match bits.get(f) {
                    Some(Some(b)) => into.push(b),
                    _ => {
                        for &j in lists.get(f).copied().unwrap_or_default() {
                            if j != i && s.seen[j] != s.round {
                                s.seen[j] = s.round;
                                s.counted[j / 64] |= 1 << (j % 64);
                                s.keys.push(self.key(i, j));
                            }
                        }
                    }
                }
            }
        }
        if !long_causes.is_empty() || !long_services.is_empty() {
            self.best_in_long(i, k, long, &long_causes, &long_services, s);
        }
        // Clear the marks for the next incident.
        for &key in &s.keys {
            let j = index_of(key);
            if let Some(w) = s.counted.get_mut(j / 64) {
                *w = 0;
            }
        }
        let keys = &mut s.keys;
        if keys.len() > k {
            keys.select_nth_unstable_by(k, |a, b| b.cmp(a));
            keys.truncate(k);
        }
        keys.sort_unstable_by(|a, b| b.cmp(a));
        keys.iter().map(|&key| index_of(key)).collect()
    }

    /// Adds to `s.keys` the `k` best of the incidents found only in long
    /// lists (what they share is then counted by the bitsets alone).
    fn best_in_long(
        &self,
        i: usize,
        k: usize,
        long: &Long,
        causes: &[&Bits],
        services: &[&Bits],
        s: &mut Scratch,
    ) {
        let words = long.words;
        for w in 0..words {
            let mut any = 0;
            for b in causes.iter().chain(services) {
                any |= b[w];
            }
            s.open[w] = any & !s.counted[w];
        }
        if let Some(w) = s.open.get_mut(i / 64) {
            *w &= !(1 << (i % 64));
        }
        let c = Counter::count(causes, words, &mut s.cause_slices);
        let sv = Counter::count(services, words, &mut s.service_slices);
        let mut need = k;
        // Levels from the most shared: causes first, then services.
        'levels: for shared_causes in (0..=causes.len()).rev() {
            let at_level = |w: usize| c.equal(w, shared_causes) & s.open[w];
            let total: usize = (0..words).map(|w| at_level(w).count_ones() as usize).sum();
            if total == 0 {
                continue;
            }
            if total < need {
                need -= total;
                self.take_all(i, &at_level, words, &mut s.keys);
                continue;
            }
            for shared_services in (0..=services.len()).rev() {
                let here = |w: usize| at_level(w) & sv.equal(w, shared_services);
                let total: usize = (0..words).map(|w| here(w).count_ones() as usize).sum();
                if total == 0 {
                    continue;
                }
                if total < need || !long.dated {
                    need = need.saturating_sub(total);
                    self.take_all(i, &here, words, &mut s.keys);
                    if need == 0 {
                        break 'levels;
                    }
                    continue;
                }
                self.take_nearest(i, need, &here, words, &mut s.keys);
                break 'levels;
            }
            break;
        }
        s.cause_slices = c.slices;
        s.service_slices = sv.slices;
    }

    /// Every incident of a level.
    fn take_all(&self, i: usize, level: &dyn Fn(usize) -> u64, words: usize, keys: &mut Vec<u64>) {
        for w in 0..words {
            let mut m = level(w);
            while m != 0 {
                let j = w * 64 + m.trailing_zeros() as usize;
                m &= m - 1;
                keys.push(self.key(i, j));
            }
        }
    }

    /// The `need` incidents of a level nearest in time to `i` (and any as
    /// near as the last of them), read outwards from `i`'s position.
    fn take_nearest(
        &self,
        i: usize,
        need: usize,
        level: &dyn Fn(usize) -> u64,
        words: usize,
        keys: &mut Vec<u64>,
    ) {
        let apart = |j: usize| (self.days[j] - self.days[i]).unsigned_abs();
        let home = i / 64;
        // Newer side: lower positions, nearest (highest) first.
        let mut found = 0;
        let mut last = None;
        'newer: for w in (0..=home).rev() {
            let mut m = level(w);
            if w == home {
                m &= (1u64 << (i % 64)) - 1;
            }
            while m != 0 {
                let bit = 63 - m.leading_zeros() as usize;
                m &= !(1u64 << bit);
                let j = w * 64 + bit;
                if found >= need && Some(apart(j)) != last {
                    break 'newer;
                }
                keys.push(self.key(i, j));
                found += 1;
                last = Some(apart(j));
            }
        }
        // Older side: higher positions, nearest (lowest) first.
        let (mut found, mut last) = (0, None);
        'older: for w in home..words {
            let mut m = level(w);
            if w == home {
                m &= !((2u64 << (i % 64)).wrapping_sub(1));
            }
            while m != 0 {
                let j = w * 64 + m.trailing_zeros() as usize;
                m &= m - 1;
                if found >= need && Some(apart(j)) != last {
                    break 'older;
                }
                keys.push(self.key(i, j));
                found += 1;
                last = Some(apart(j));
            }
        }
    }
}

/// The bitsets of the long lists.
struct Long<'a> {
    causes: &'a [Option<Bits>],
    services: &'a [Option<Bits>],
    words: usize,
    dated: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn causes_of_key(key: u64) -> u64 {
        key >> 56
    }

    fn services_of_key(key: u64) -> u64 {
        (key >> 48) & 0xFF
    }

    /// The full ranking: every incident that shares something, counted.
    fn naive(r: &Relations, k: usize) -> Vec<Vec<usize>> {
        let n = r.days.len();
        (0..n)
            .map(|i| {
                let mut keys: Vec<u64> = (0..n)
                    .filter(|&j| j != i)
                    .map(|j| r.key(i, j))
                    .filter(|&key| causes_of_key(key) > 0 || services_of_key(key) > 0)
                    .collect();
                keys.sort_unstable_by(|a, b| b.cmp(a));
                keys.truncate(k);
                keys.into_iter().map(index_of).collect()
            })
            .collect()
    }

    /// A small deterministic generator (no dependency for tests).
    struct Lcg(u64);
    impl Lcg {
        fn next(&mut self) -> u64 {
            self.0 = self
                .0
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            self.0 >> 33
        }
        /// Long-tailed: small numbers are much more likely.
        fn skewed(&mut self, n: u64) -> u32 {
            let a = self.next() % n;
            let b = self.next() % n;
            a.min(b).min(self.next() % n) as u32
        }
    }

    fn lists(of: &[Vec<u32>], facets: usize) -> Vec<Vec<usize>> {
        let mut lists = vec![Vec::new(); facets];
        for (j, set) in of.iter().enumerate() {
            for &f in set {
                lists[f as usize].push(j);
            }
        }
        lists
    }

    fn random(seed: u64, n: usize, causes: u64, services: u64, dated: bool) -> Vec<Vec<usize>> {
        let mut g = Lcg(seed);
        let mut days: Vec<i64> = (0..n).map(|_| (g.next() % 400) as i64).collect();
        if dated {
            days.sort_unstable_by(|a, b| b.cmp(a));
        }
        let set = |g: &mut Lcg, of: u64, max: u64| -> Vec<u32> {
            let mut v: Vec<u32> = (0..g.next() % (max + 1)).map(|_| g.skewed(of)).collect();
            v.sort_unstable();
            v.dedup();
            v
        };
        let causes_of: Vec<Vec<u32>> = (0..n).map(|_| set(&mut g, causes, 4)).collect();
        let services_of: Vec<Vec<u32>> = (0..n).map(|_| set(&mut g, services, 3)).collect();
        let cl = lists(&causes_of, causes as usize);
        let sl = lists(&services_of, services as usize);
        let (causes_of, services_of) = (Sets::new(causes_of), Sets::new(services_of));
        let r = Relations {
            days,
            cause_lists: cl.iter().map(Vec::as_slice).collect(),
            service_lists: sl.iter().map(Vec::as_slice).collect(),
            causes_of,
            services_of,
        };
        for k in [1, 3, 5, 8] {
            assert_eq!(
                r.rank(k),
                naive(&r, k),
                "seed {seed}, n {n}, k {k}, {causes} causes, {services} services"
            );
        }
        r.rank(5)
    }

    #[test]
    fn the_fast_ranking_is_the_full_ranking() {
        for seed in 0..40 {
            random(seed, 300, 12, 6, true);
            random(seed, 120, 40, 30, true);
            random(seed, 60, 3, 2, true);
            random(seed, 200, 12, 6, false);
        }
        // Many on the same few dates.
        random(7, 500, 5, 3, true);
    }

    #[test]
    fn nothing_shared_is_not_similar() {
        let r = Relations {
            days: vec![3, 2, 1],
            cause_lists: vec![&[0, 2], &[1]],
            service_lists: vec![],
            causes_of: Sets::new([vec![0], vec![1], vec![0]]),
            services_of: Sets::new([vec![], vec![], vec![]]),
        };
        assert_eq!(r.rank(5), vec![vec![2], vec![], vec![0]]);
    }
}
