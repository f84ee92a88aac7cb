//! Recurrences: an incident that happened again while the fix of an
//! earlier one was still not done.
//!
//! A later incident L *recurs* an earlier incident E (E's date before L's)
//! when they share a cause and, on L's date, some follow-up of E was not
//! done: open, in progress, won't fix (a risk that was accepted), or done
//! with a `completed` date after L's date. A follow-up completed on L's
//! date counts as done; a done follow-up without `completed` counts as done
//! before any later incident. Only `kind: incident` postmortems recur and
//! only their follow-ups make a recurrence: a near miss or an exercise
//! that meets such a cause is *seen again* (it shows the risk, it did not
//! harm users). An earlier incident without follow-ups promised nothing:
//! it makes neither a recurrence nor "came back after its fix".
//!
//! Every pair would grow with the square of the history (a common cause
//! whose old follow-ups stay open makes every later incident recur every
//! earlier one), so for each shared cause the [`LINKED`] *most recent*
//! earlier incidents that qualify are linked, and how many more qualify
//! is counted exactly ([`Recurrences::more`]). Nothing is lost: an
//! incident not fixed on L's date was not fixed on any earlier date
//! either, so the older ones are reached through the linked incidents' own
//! links and the cause's page.
//!
//! Per cause, its incidents are swept once in date order with a stack of
//! candidates, newest on top, and a heap of fix dates that keeps the count
//! of the unfixed ones. A candidate fixed by date D stays fixed, so a
//! query takes the top of the stack and drops for good the fixed ones it
//! meets on the way (lazy deletion): O(k log k + k·LINKED) for a cause of
//! k incidents.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap};

use jiff::civil::Date;

use crate::model::followup::{FollowUp, FollowUpStatus};
use crate::model::postmortem::{Kind, Postmortem};
use crate::model::site::Facet;

/// A follow-up of the earlier incident that was not done on the later
/// incident's date.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct NotDone {
    pub title: String,
    pub status: FollowUpStatus,
    /// Done, but only on this date (after the later incident).
    pub completed: Option<Date>,
}

/// A link from a later incident to an earlier one.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Link {
    /// Index of the earlier incident (site order).
    pub earlier: usize,
    /// The causes both have, in the later incident's order.
    pub causes: Vec<String>,
    /// The earlier incident's follow-ups not done on the later date (empty
    /// for "came back after its fix").
    pub not_done: Vec<NotDone>,
}

/// What every incident recurs, is recurred in, was seen again in.
#[derive(Clone, Debug, Default)]
pub struct Recurrences {
    /// For each incident (site order): the earlier incidents it recurs
    /// (up to [`LINKED`] per shared cause), newest first. Only `kind:
    /// incident` postmortems have any.
    pub of: Vec<Vec<Link>>,
    /// For each incident: the later incidents that recur it, newest first.
    pub recurred_in: Vec<Vec<usize>>,
    /// For each near miss or exercise: the earlier incidents whose unfixed
    /// causes it met, newest first.
    pub seen_again: Vec<Vec<Link>>,
    /// For each incident that is not a recurrence through a cause: the
    /// latest earlier incident with that cause whose follow-ups were all
    /// done by then ("came back after its fix"), newest first.
    pub after_fix: Vec<Vec<Link>>,
    /// For each incident (or near miss or exercise) with more earlier
    /// incidents to link through a cause than [`LINKED`]: the cause and
    /// how many more qualified (exactly), in cause order.
    pub more: Vec<Vec<(String, usize)>>,
}

/// When an incident's follow-ups were all done: `None` when one never was
/// (open, in progress, won't fix). A done follow-up without a completion
/// date counts as done on the incident's date.
fn fixed_on(pm: &Postmortem) -> Option<Date> {
    let mut last = pm.date;
    for f in &pm.follow_ups {
        match f.status {
            FollowUpStatus::Done => {
                if let Some(c) = f.completed {
                    last = last.max(c);
                }
            }
            _ => return None,
        }
    }
    Some(last)
}

/// Not done on `day`: not done at all, or completed after it.
fn not_done_on(f: &FollowUp, day: Date) -> bool {
    match f.status {
        FollowUpStatus::Done => f.completed.is_some_and(|c| c > day),
        _ => true,
    }
}

/// A candidate earlier incident of one cause.
#[derive(Clone, Copy)]
struct Candidate {
    index: usize,
    /// `None`: never fixed.
    fixed: Option<Date>,
}

impl Candidate {
    fn unfixed_on(self, day: Date) -> bool {
        self.fixed.is_none_or(|f| f > day)
    }
}

/// How many earlier incidents a later one links for each shared cause
/// (the most recent that qualify; the rest are counted).
pub const LINKED: usize = 1;

/// What the sweep finds for one incident of a cause.
struct Found {
    index: usize,
    /// The [`LINKED`] most recent earlier candidates not fixed on its
    /// date, newest first.
    open: Vec<usize>,
    /// How many more earlier candidates were not fixed on its date.
    more: usize,
    /// The most recent earlier candidate fixed by its date.
    fixed: Option<usize>,
}

/// The `limit` newest candidates on `stack` not fixed on `day`, newest
/// first; fixed ones met on the way are dropped (they stay fixed).
fn newest_unfixed(stack: &mut Vec<Candidate>, day: Date, limit: usize) -> Vec<usize> {
    let mut kept: Vec<Candidate> = Vec::with_capacity(limit);
    while kept.len() < limit {
        let Some(c) = stack.pop() else { break };
        if c.unfixed_on(day) {
            kept.push(c);
        }
    }
    let open = kept.iter().map(|c| c.index).collect();
    stack.extend(kept.into_iter().rev());
    open
}

/// For one cause's incidents: for each of them, the most recent earlier
/// candidates not fixed on its date (and how many more), and the most
/// recent one fixed by then.
fn sweep(pms: &[&Postmortem], incidents: &[usize], fixed: &[Option<Date>]) -> Vec<Found> {
    // Oldest first; ties by site order (id).
    let mut order: Vec<usize> = incidents.to_vec();
    order.sort_by(|&a, &b| pms[a].date.cmp(&pms[b].date).then(a.cmp(&b)));
    let mut out = Vec::with_capacity(order.len());
    let mut stack: Vec<Candidate> = Vec::new();
    // Candidates not fixed on the current day.
    let mut unfixed = 0usize;
    let mut pending: BinaryHeap<Reverse<(Date, Date, usize)>> = BinaryHeap::new();
    let mut latest_fixed: Option<(Date, usize)> = None;
    let mut k = 0;
    while k < order.len() {
        let day = pms[order[k]].date;
        let end = order[k..]
            .iter()
            .position(|&i| pms[i].date != day)
            .map_or(order.len(), |n| k + n);
        // Fixed by `day` (a follow-up completed on the day counts as done).
        while let Some(&Reverse((f, d, i))) = pending.peek() {
            if f > day {
                break;
            }
            pending.pop();
            unfixed -= 1;
            if latest_fixed.is_none_or(|(ld, li)| (d, Reverse(i)) > (ld, Reverse(li))) {
                latest_fixed = Some((d, i));
            }
        }
        let open = newest_unfixed(&mut stack, day, LINKED);
        let more = unfixed - open.len();
        for &i in &order[k..end] {
            out.push(Found {
                index: i,
                open: open.clone(),
                more,
                fixed: latest_fixed.map(|(_, j)| j),
            });
        }
        for &i in &order[k..end] {
            if pms[i].kind != Kind::Incident || pms[i].follow_ups.is_empty() {
                continue;
            }
            let c = Candidate {
                index: i,
                fixed: fixed[i],
            };
            stack.push(c);
            unfixed += 1;
            if let Some(f) = c.fixed {
                pending.push(Reverse((f, day, i)));
            }
        }
        k = end;
    }
    out
}

/// The causes `later` and `earlier` share, in `later`'s order.
fn shared(later: &Postmortem, earlier: &Postmortem) -> Vec<String> {
    // A set only for long lists of causes (a few is the usual).
    if earlier.causes.len() > 16 {
        let set: rustc_hash::FxHashSet<&str> = earlier.causes.iter().map(String::as_str).collect();
        return later
            .causes
            .iter()
            .filter(|c| set.contains(c.as_str()))
            .cloned()
            .collect();
    }
    later
        .causes
        .iter()
        .filter(|c| earlier.causes.contains(c))
        .cloned()
        .collect()
}

/// The link from `later` to `earlier`: with the follow-ups not done on
/// `later`'s date when `open`.
fn link(pms: &[&Postmortem], later: usize, earlier: usize, open: bool) -> Link {
    let day = pms[later].date;
    let not_done = if open {
        pms[earlier]
            .follow_ups
            .iter()
            .filter(|f| not_done_on(f, day))
            .map(|f| NotDone {
                title: f.title.clone(),
                status: f.status,
                completed: f.completed.filter(|_| f.status == FollowUpStatus::Done),
            })
            .collect()
    } else {
        Vec::new()
    };
    Link {
        earlier,
        causes: shared(pms[later], pms[earlier]),
        not_done,
    }
}

/// The links of `later` to `earlier` (sorted and deduplicated here:
/// newest first, the smallest site index first).
fn links(pms: &[&Postmortem], later: usize, mut earlier: Vec<usize>, open: bool) -> Vec<Link> {
    earlier.sort_unstable();
    earlier.dedup();
    earlier
        .into_iter()
        .map(|e| link(pms, later, e, open))
        .collect()
}

/// Computes the recurrences of `pms` (in site order: newest first) from
/// the incidents of each cause.
pub fn recurrences(pms: &[&Postmortem], causes: &BTreeMap<String, Facet>) -> Recurrences {
    let n = pms.len();
    let fixed: Vec<Option<Date>> = pms.iter().map(|pm| fixed_on(pm)).collect();
    let mut open: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut after: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut more: Vec<Vec<(String, usize)>> = vec![Vec::new(); n];
    for facet in causes.values() {
        for found in sweep(pms, &facet.incidents, &fixed) {
            let i = found.index;
            if found.open.is_empty() {
                // "Came back after its fix" is for incidents only.
                if let Some(e) = found.fixed
                    && pms[i].kind == Kind::Incident
                {
                    after[i].push(e);
                }
                continue;
            }
            open[i].extend(found.open);
            if found.more > 0 {
                more[i].push((facet.slug.clone(), found.more));
            }
        }
    }
    let mut r = Recurrences {
        of: vec![Vec::new(); n],
        recurred_in: vec![Vec::new(); n],
        seen_again: vec![Vec::new(); n],
        after_fix: vec![Vec::new(); n],
        more,
    };
    for (i, earlier) in open.into_iter().enumerate() {
        if earlier.is_empty() {
            continue;
        }
        let list = links(pms, i, earlier, true);
        if pms[i].kind == Kind::Incident {
            for l in &list {
                r.recurred_in[l.earlier].push(i);
            }
            r.of[i] = list;
        } else {
            r.seen_again[i] = list;
        }
    }
    for (i, mut earlier) in after.into_iter().enumerate() {
        // An incident it recurs (through another cause) is not one it
        // came back after.
        earlier.retain(|e| r.of[i].binary_search_by_key(e, |l| l.earlier).is_err());
        if !earlier.is_empty() {
            r.after_fix[i] = links(pms, i, earlier, false);
        }
    }
    for list in &mut r.recurred_in {
        list.sort_unstable();
    }
    r
}

impl Recurrences {
    /// Is incident `i` a recurrence?
    pub fn is_recurrence(&self, i: usize) -> bool {
        self.of.get(i).is_some_and(|l| !l.is_empty())
    }

    /// A fingerprint of what incident `i`'s pages show of recurrences.
    pub fn fingerprint(&self, i: usize, ids: impl Fn(usize) -> u64) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut h = rustc_hash::FxHasher::default();
        for list in [&self.of, &self.seen_again, &self.after_fix] {
            if let Some(links) = list.get(i) {
                links.len().hash(&mut h);
                for l in links {
                    ids(l.earlier).hash(&mut h);
                    l.causes.hash(&mut h);
                    l.not_done.hash(&mut h);
                }
            }
        }
        if let Some(more) = self.more.get(i) {
            more.hash(&mut h);
        }
        if let Some(later) = self.recurred_in.get(i) {
            later.len().hash(&mut h);
            for &j in later {
                ids(j).hash(&mut h);
            }
        }
        h.finish()
    }
}

/// The recurrences of `pms` as a build computes them (sorted newest
/// first, grouped by cause), for `benches/recurrences.rs`: how many
/// links (recurrences, seen again, after a fix) they make.
pub fn links_of(pms: &[Postmortem]) -> usize {
    let mut refs: Vec<&Postmortem> = pms.iter().collect();
    refs.sort_by(|a, b| b.date.cmp(&a.date).then_with(|| a.id.cmp(&b.id)));
    let mut causes: BTreeMap<String, Facet> = BTreeMap::new();
    for (i, pm) in refs.iter().enumerate() {
        for c in &pm.causes {
            causes
                .entry(c.clone())
                .or_insert_with(|| Facet {
                    slug: c.clone(),
                    incidents: Vec::new(),
                    as_trigger: 0,
                })
                .incidents
                .push(i);
        }
    }
    let r = recurrences(&refs, &causes);
    [&r.of, &r.seen_again, &r.after_fix]
        .iter()
        .map(|l| l.iter().map(Vec::len).sum::<usize>())
        .sum()
}
