/* The results of a search, in order, fetching only what the results on
 * screen need.
 *
 * A search by words ranks as elasticlunr.js ranks over the whole index:
 * the same scores (its fieldSearch, on the same term frequencies, field
 * lengths and document frequencies), every word must match, ties go to
 * the newer incident. But a term's postings come in tiers, best first
 * (loading.js): an incident whose postings are not all loaded scores at
 * least what is loaded and at most that plus, for each term it has and
 * that is not loaded, the best impact left out of that term. While these
 * bounds leave the order of the incidents asked for open, the next tiers
 * are fetched.
 *
 * A search by filters alone lists its incidents newest first. */

import { DocSet } from './sets.js';

/* Room for the rounding of the build's impacts against the browser's sums. */
const SLACK = 1 + 1e-9;

/* The fetched terms a query term stands for, with elasticlunr's penalty
 * for a longer term found by a prefix. */
function keysOf(index, t, expand) {
  if (!expand) {
    const info = index.termInfo.get(t);
    return info ? [{ info, pen: 1 }] : [];
  }
  const out = [];
  for (const [term, info] of index.termInfo) {
    if (term.startsWith(t)) {
      out.push({ info, pen: term === t ? 1 : (1 - (term.length - t.length) / term.length) * 0.15 });
    }
  }
  return out;
}

/* One group's scores over what is loaded: incident → score, the best of
 * its alternatives, each summed over the fields with their boosts. */
function groupScores(index, g) {
  const scores = new Map();
  for (const t of g.alts) {
    const alt = new Map();
    index.fields.forEach((f, k) => {
      const boost = index.boosts[k];
      const config = { [f]: { boost, bool: 'OR', expand: g.expand } };
      const found = index.idx.fieldSearch([t], f, config) || {};
      for (const [ref, score] of Object.entries(found)) {
        alt.set(+ref, (alt.get(+ref) || 0) + score * boost);
      }
    });
    for (const [i, score] of alt) if (!(scores.get(i) >= score)) scores.set(i, score);
  }
  return scores;
}

/** A search by words (groups, see query.js) within `filter` (a DocSet,
 * or null for none). */
export class Ranking {
  constructor(index, groups, filter) {
    this.index = index;
    this.groups = groups.map((g) => ({ g, alts: g.alts.map((t) => keysOf(index, t, g.expand)) }));
    const sets = this.groups.map(({ alts }) => {
      let s = new DocSet(index.n);
      for (const keys of alts) for (const { info } of keys) s = s.or(info.set);
      return s;
    });
    // A word still being typed, too short to expand ("kafka t"), that
    // matches nothing by itself does not empty the results yet.
    const last = this.groups.length - 1;
    if (last > 0 && this.groups[last].g.cut && sets[last].isEmpty()) {
      this.groups.pop();
      sets.pop();
    }
    let all = filter || DocSet.all(index.n);
    for (const s of sets) all = all.and(s);
    this.set = all;
    this.count = all.count();
    /** The terms whose incidents may still need loading. */
    this.infos = [...new Set(this.groups.flatMap(({ alts }) => alts.flat().map((k) => k.info)))]
      .filter((info) => info.loaded && !info.set.and(all).isEmpty());
  }

  /** The first `k` incidents, in order. */
  async top(k) {
    const need = Math.min(k, this.count);
    for (;;) {
      const r = this.attempt(need);
      const more = this.infos.filter((info) => this.index.hasMore(info)
        && !info.set.and(this.set).minus(info.loaded).isEmpty());
      if (r || !more.length) return r || this.ranked().slice(0, need).map((x) => x.i);
      await this.index.loadNextTiers(more);
    }
  }

  /* The incidents of the search with something loaded, best first (by
   * what is loaded): [{i, lo, hi}], the score being between lo and hi
   * (equal when all of the incident's postings are loaded); `seen`: how
   * many of the search's incidents that is. */
  ranked() {
    const per = this.groups.map(({ g }) => groupScores(this.index, g));
    const seen = new Set();
    for (const m of per) for (const i of m.keys()) if (this.set.has(i)) seen.add(i);
    const out = [];
    for (const i of seen) {
      let lo = null;
      let hi = 0;
      this.groups.forEach(({ alts }, gi) => {
        const s = per[gi].get(i) || 0;
        let missing = 0;
        for (const keys of alts) {
          let m = 0;
          for (const { info, pen } of keys) {
            if (info.loaded && info.set.has(i) && !info.loaded.has(i)) m += pen * info.bound * SLACK;
          }
          missing = Math.max(missing, m);
        }
        hi += s + missing;
        lo = lo === null ? s : lo + s;
      });
      out.push({ i, lo, hi: Math.max(hi, lo) });
    }
    out.sort((a, b) => b.lo - a.lo || a.i - b.i);
    out.seen = seen.size;
    return out;
  }

  /* The first `need` incidents if what is loaded settles their order,
   * else null. `a` surely ranks before `b` when its lowest possible score
   * is above the highest of `b`, or equal to it and `a` is newer. */
  attempt(need) {
    if (need === 0) return [];
    const c = this.ranked();
    if (c.length < need) return null;
    const before = (a, b) => a.lo > b.hi || (a.lo >= b.hi && a.i < b.i);
    for (let k = 0; k + 1 < need; k++) if (!before(c[k], c[k + 1])) return null;
    const last = c[need - 1];
    for (let k = need; k < c.length; k++) if (!before(last, c[k])) return null;
    if (c.seen < this.count) {
      // Incidents with nothing loaded: at most the best left out of each term.
      let unseen = 0;
      for (const { alts } of this.groups) {
        let best = 0;
        for (const keys of alts) {
          let m = 0;
          for (const { info, pen } of keys) if (info.loaded && this.index.hasMore(info)) m += pen * info.bound * SLACK;
          best = Math.max(best, m);
        }
        unseen += best;
      }
      if (!(last.lo > unseen)) return null;
    }
    return c.slice(0, need).map((x) => x.i);
  }
}

/** A search by filters alone: its incidents, newest first. */
export class ByFilters {
  constructor(set) {
    this.set = set;
    this.count = set.count();
  }

  async top(k) {
    return this.set.take(0, k);
  }
}
