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
//! earlier one), so for each shared cause the *most recent* earlier
//! incident that qualifies is linked. Nothing is lost: an incident not
//! fixed on L's date was not fixed on any earlier date either, so the
//! older ones are reached through the linked incident's own links.
//!
//! Per cause, its incidents are swept once in date order with a stack of
//! unfixed candidates (a candidate fixed by date D stays fixed, so it is
//! dropped for good) and a heap of fix dates: O(k log k) for a cause of k
//! incidents, linear output.

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
    /// For each incident (site order): the earlier incidents it recurs,
    /// newest first. Only `kind: incident` postmortems have any.
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

/// For one cause's incidents: for each of them, the most recent earlier
/// candidate not fixed on its date and the most recent one fixed by then.
fn sweep(
    pms: &[&Postmortem],
    incidents: &[usize],
    fixed: &[Option<Date>],
) -> Vec<(usize, Option<usize>, Option<usize>)> {
    // Oldest first; ties by site order (id).
    let mut order: Vec<usize> = incidents.to_vec();
    order.sort_by(|&a, &b| pms[a].date.cmp(&pms[b].date).then(a.cmp(&b)));
    let mut out = Vec::with_capacity(order.len());
    let mut unfixed: Vec<Candidate> = Vec::new();
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
            if latest_fixed.is_none_or(|(ld, li)| (d, Reverse(i)) > (ld, Reverse(li))) {
                latest_fixed = Some((d, i));
            }
        }
        while unfixed.last().is_some_and(|c| !c.unfixed_on(day)) {
            unfixed.pop();
        }
        let open = unfixed.last().map(|c| c.index);
        for &i in &order[k..end] {
            out.push((i, open, latest_fixed.map(|(_, j)| j)));
        }
        for &i in &order[k..end] {
            if pms[i].kind != Kind::Incident || pms[i].follow_ups.is_empty() {
                continue;
            }
            let c = Candidate {
                index: i,
                fixed: fixed[i],
            };
            unfixed.push(c);
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
    later
        .causes
        .iter()
        .filter(|c| earlier.causes.contains(c))
        .cloned()
        .collect()
}

/// Adds `earlier` to `links` once.
fn add_link(links: &mut Vec<Link>, pms: &[&Postmortem], later: usize, earlier: usize, open: bool) {
    if links.iter().any(|l| l.earlier == earlier) {
        return;
    }
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
    links.push(Link {
        earlier,
        causes: shared(pms[later], pms[earlier]),
        not_done,
    });
}

/// Computes the recurrences of `pms` (in site order: newest first) from
/// the incidents of each cause.
pub fn recurrences(pms: &[&Postmortem], causes: &BTreeMap<String, Facet>) -> Recurrences {
    let n = pms.len();
    let fixed: Vec<Option<Date>> = pms.iter().map(|pm| fixed_on(pm)).collect();
    let mut r = Recurrences {
        of: vec![Vec::new(); n],
        recurred_in: vec![Vec::new(); n],
        seen_again: vec![Vec::new(); n],
        after_fix: vec![Vec::new(); n],
    };
    // Which causes were a recurrence, per incident, to keep "after its
    // fix" to the causes that were not.
    let mut fixed_links: Vec<(usize, usize, String)> = Vec::new();
    for facet in causes.values() {
        for (i, open, done) in sweep(pms, &facet.incidents, &fixed) {
            match open {
                Some(e) if pms[i].kind == Kind::Incident => add_link(&mut r.of[i], pms, i, e, true),
                Some(e) => add_link(&mut r.seen_again[i], pms, i, e, true),
                None => {
                    if let Some(e) = done
                        && pms[i].kind == Kind::Incident
                    {
                        fixed_links.push((i, e, facet.slug.clone()));
                    }
                }
            }
        }
    }
    for (i, e, cause) in fixed_links {
        // A cause through which the incident recurs another is not "after
        // its fix", even if some other earlier incident was fixed.
        let recurs_through = r.of[i]
            .iter()
            .any(|l| pms[l.earlier].causes.contains(&cause));
        if !recurs_through && !r.of[i].iter().any(|l| l.earlier == e) {
            add_link(&mut r.after_fix[i], pms, i, e, false);
        }
    }
    for (i, list) in r.of.iter_mut().enumerate() {
        // Newest first: the smallest site index first.
        list.sort_by_key(|l| l.earlier);
        for l in list.iter() {
            r.recurred_in[l.earlier].push(i);
        }
    }
    for list in r.seen_again.iter_mut().chain(r.after_fix.iter_mut()) {
        list.sort_by_key(|l| l.earlier);
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
        if let Some(later) = self.recurred_in.get(i) {
            later.len().hash(&mut h);
            for &j in later {
                ids(j).hash(&mut h);
            }
        }
        h.finish()
    }
}
