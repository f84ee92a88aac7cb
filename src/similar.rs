//! "Similar incidents": for each incident, the others ranked by shared
//! causes, then shared services, then closeness in time.
//!
//! Counting goes through the cause and service indexes, so each incident
//! only meets the incidents it shares something with; it never compares
//! every pair.

use std::collections::BTreeMap;

use rayon::prelude::*;

use crate::site::{Facet, Incident};

/// Days since 1970-01-01 of a date.
pub fn day_number(d: jiff::civil::Date) -> i64 {
    d.to_datetime(jiff::civil::Time::midnight())
        .to_zoned_datetime(jiff::tz::TimeZone::UTC)
        .map(|z| z.timestamp().as_second().div_euclid(86_400))
        .unwrap_or(0)
}

/// Up to `k` similar incidents for each incident (indexes, best first).
/// An incident is similar when it shares at least one cause or service.
pub fn similar_incidents(
    incidents: &[Incident],
    causes: &BTreeMap<String, Facet>,
    services: &BTreeMap<String, Facet>,
    k: usize,
) -> Vec<Vec<usize>> {
    let n = incidents.len();
    let days: Vec<i64> = incidents.iter().map(|i| day_number(i.pm.date)).collect();
    (0..n)
        .into_par_iter()
        .map_init(
            || (vec![0u32; n], vec![0u32; n], Vec::<usize>::new()),
            |(by_cause, by_service, touched), i| {
                let inc = &incidents[i];
                for c in &inc.pm.causes {
                    if let Some(f) = causes.get(c) {
                        for &j in &f.incidents {
                            if j != i {
                                if by_cause[j] == 0 && by_service[j] == 0 {
                                    touched.push(j);
                                }
                                by_cause[j] += 1;
                            }
                        }
                    }
                }
                for s in &inc.pm.services {
                    if let Some(f) = services.get(s) {
                        for &j in &f.incidents {
                            if j != i {
                                if by_cause[j] == 0 && by_service[j] == 0 {
                                    touched.push(j);
                                }
                                by_service[j] += 1;
                            }
                        }
                    }
                }
                // One number per candidate, larger is better: shared causes,
                // then shared services, then closeness in days, then the
                // site order (newest first, then id) for a stable result.
                let key = |j: usize| -> u64 {
                    let causes = u64::from(by_cause[j].min(255));
                    let services = u64::from(by_service[j].min(255));
                    let apart = (days[j] - days[i]).unsigned_abs().min(0xFF_FFFF);
                    let order = (j as u64).min(0xFF_FFFF);
                    (causes << 56)
                        | (services << 48)
                        | ((0xFF_FFFF - apart) << 24)
                        | (0xFF_FFFF - order)
                };
                let mut keyed: Vec<u64> = touched.iter().map(|&j| key(j)).collect();
                let best: Vec<usize> = if keyed.len() > k {
                    keyed.select_nth_unstable_by(k, |a, b| b.cmp(a));
                    keyed.truncate(k);
                    keyed.sort_unstable_by(|a, b| b.cmp(a));
                    keyed
                        .iter()
                        .map(|x| 0xFF_FFFF - (x & 0xFF_FFFF) as usize)
                        .collect()
                } else {
                    keyed.sort_unstable_by(|a, b| b.cmp(a));
                    keyed
                        .iter()
                        .map(|x| 0xFF_FFFF - (x & 0xFF_FFFF) as usize)
                        .collect()
                };
                for &j in touched.iter() {
                    by_cause[j] = 0;
                    by_service[j] = 0;
                }
                touched.clear();
                best
            },
        )
        .collect()
}
