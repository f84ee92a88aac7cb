/* The results of a search, in order, fetching only what the results on
 * screen need.
 *
 * A search by words ranks as elasticlunr.js ranks over the whole index:
 * the same scores (its fieldSearch: tf × idf × field length norm, times
 * the prefix penalty for a longer term, summed over the fields with their
 * boosts), every word must match, ties go to the newer incident. But a
 * term's postings come in tiers, best first (loading.js), so what is
 * loaded gives each incident of the search a score between two bounds:
 * at least what is loaded (`lo`), at most that plus, for each term it has
 * whose posting for it is not loaded, the best impact that term left out
 * (`hi`; the sets of a term's incidents are all loaded, so an incident
 * counts only the terms it has). The order of the first k incidents by
 * `lo` is settled when each one's `lo` is at least the next one's `hi`,
 * and the k-th one's at least every other incident's `hi`. While it is
 * not, the next tiers of the terms that keep it open are fetched (those
 * whose missing postings belong to an incident that could still move).
 *
 * The page can show the order of what is loaded at once (`now`) and the
 * settled one when the tiers have come (`top`). What a word scores is kept
 * between searches (a term's scores are decoded once, loading.js; a
 * group's bounds are reused while its terms' tiers do not change), so a
 * keystroke costs about what the changed word needs.
 *
 * A search by filters alone lists its incidents newest first. */

import { DocSet } from './sets.js';

/* Room for the rounding of the build's impacts against the browser's sums. */
const SLACK = 1 + 1e-9;

/* Groups whose bounds are kept (a few words: the query being typed). */
const KEPT = 8;

/* The fetched terms a query term stands for, with elasticlunr's penalty
 * for a longer term found by a prefix. Every term beginning with `t` is in
 * the shards of `t`'s prefix (loading.js, `prefixShards`), which query.js
 * has fetched when `expand` is set. */
function keysOf(index, t, expand) {
  if (!expand) {
    const info = index.termInfo.get(t);
    return info ? [{ info, pen: 1 }] : [];
  }
  const out = [];
  for (const n of index.prefixShards(t)) {
    for (const info of index.shardTerms.get(n) || []) {
      const term = info.term;
      if (term.startsWith(t)) {
        out.push({ info, pen: term === t ? 1 : 0.15 * (1 - (term.length - t.length) / term.length) });
      }
    }
  }
  return out;
}

/* A term's loaded postings added to one alternative's bounds, each
 * scored as fieldSearch scores it: per field tf × idf × norm × penalty,
 * times the field's boost. Incidents of the term not loaded yet add the
 * best impact left out to `hi` only. */
function addKey(index, { info, pen }, lo, hi) {
  const { docs, imp, masks, cs, count } = info;
  const boosts = index.boosts;
  if (pen === 1) {
    for (let j = 0; j < count; j++) {
      lo[docs[j]] += imp[j];
      hi[docs[j]] += imp[j];
    }
  } else {
    let at = 0;
    for (let j = 0; j < count; j++) {
      let v = 0;
      for (let f = 0, m = masks[j]; m !== 0; f++, m >>>= 1) {
        if (m & 1) v += cs[at++] * pen * boosts[f];
      }
      lo[docs[j]] += v;
      hi[docs[j]] += v;
    }
  }
  if (info.loaded && index.hasMore(info)) {
    const b = pen * info.bound * SLACK;
    const s = info.set.w;
    const l = info.loaded.w;
    for (let i = 0; i < s.length; i++) {
      let x = s[i] & ~l[i];
      while (x !== 0) {
        hi[i * 32 + 31 - Math.clz32(x & -x)] += b;
        x &= x - 1;
      }
    }
  }
}

/* What a group scores each incident, between bounds: `lo` and `hi` (by
 * incident number; 0 for incidents without its terms), the best of its
 * alternatives; and `set`, the incidents with one of its terms. Kept in
 * `index.groupCache` while its terms' tiers do not change. */
function groupBounds(index, alts, sig) {
  const cache = index.groupCache || (index.groupCache = new Map());
  const infos = alts.flat();
  const tiers = infos.map((k) => k.info.tier).join(',');
  const kept = cache.get(sig);
  if (kept && kept.terms === infos.length) {
    cache.delete(sig);
    cache.set(sig, kept); // most recently used
    if (kept.tiers === tiers) return kept;
  }
  const n = index.n;
  let lo = null;
  let hi = null;
  for (const keys of alts) {
    const l = new Float64Array(n);
    const h = new Float64Array(n);
    for (const k of keys) addKey(index, k, l, h);
    if (!lo) {
      lo = l;
      hi = h;
    } else {
      for (let d = 0; d < n; d++) {
        if (l[d] > lo[d]) lo[d] = l[d];
        if (h[d] > hi[d]) hi[d] = h[d];
      }
    }
  }
  let set = kept && kept.terms === infos.length ? kept.set : null;
  if (!set) {
    set = new DocSet(n);
    for (const { info } of infos) set.addAll(info.set);
  }
  const entry = { terms: infos.length, tiers, lo: lo || new Float64Array(n), hi: hi || new Float64Array(n), set };
  cache.delete(sig);
  cache.set(sig, entry);
  while (cache.size > KEPT) cache.delete(cache.keys().next().value);
  return entry;
}

/** A search by words (groups, see query.js) within `filter` (a DocSet,
 * or null for none). */
export class Ranking {
  constructor(index, groups, filter) {
    this.index = index;
    this.groups = groups.map((g) => ({
      g,
      sig: (g.expand ? '*' : '=') + g.alts.join('\u0000'),
      alts: g.alts.map((t) => keysOf(index, t, g.expand))
    }));
    const sets = this.groups.map((x) => groupBounds(index, x.alts, x.sig).set);
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
    /** The incidents of the search, ascending. */
    this.members = all.list();
    this.count = this.members.length;
    /** The terms whose postings may still need loading. */
    this.infos = [...new Set(this.groups.flatMap(({ alts }) => alts.flat().map((k) => k.info)))]
      .filter((info) => info.loaded && info.set.meets(all));
    /** Rounds of tiers fetched, and which (for the page's trace). */
    this.rounds = 0;
    this.fetched = [];
    this.needed = new Set();
    this.last = null;
  }

  /** The first `k` incidents in the order of what is loaded:
   * `{list, settled}`, settled when no posting still to load can change
   * that order. */
  now(k) {
    const r = this.ranked(Math.min(k, this.count));
    return { list: r.list, settled: r.settled };
  }

  /** The first `k` incidents, in their settled order (fetching tiers);
   * null if `wanted()` says, between two fetches, that they no longer are. */
  async top(k, wanted = () => true) {
    const need = Math.min(k, this.count);
    for (;;) {
      if (!wanted()) return null;
      const r = this.ranked(need);
      if (r.settled) return r.list;
      const more = this.infos.filter((info) => this.index.hasMore(info) && info.set.meets(r.open, info.loaded));
      if (!more.length) return r.list;
      this.rounds++;
      // A term still needed after a round of its tiers likely needs more
      // than the next: two at once (they grow fourfold).
      const ahead = (info) => (this.needed.has(info) ? 2 : 1);
      this.fetched.push(more.map((info) => info.term + '@' + info.tier + (ahead(info) > 1 ? '+' : '')).join(' '));
      const wait = this.index.loadNextTiers(more, ahead);
      for (const info of more) this.needed.add(info);
      await wait;
    }
  }

  /* The first `need` incidents by what is loaded (`lo`, ties to the
   * newer), whether their order is settled, and if not the incidents
   * that keep it open (`open`, a DocSet). Kept until a tier is loaded. */
  ranked(need) {
    const tiers = this.infos.map((info) => info.tier).join(',');
    if (this.last && this.last.need === need && this.last.tiers === tiers) return this.last;
    const bounds = this.groups.map((x) => groupBounds(this.index, x.alts, x.sig));
    const ds = this.members;
    const m = ds.length;
    const lo = new Float64Array(m);
    const hi = new Float64Array(m);
    for (const b of bounds) {
      const l = b.lo;
      const h = b.hi;
      for (let j = 0; j < m; j++) {
        lo[j] += l[ds[j]];
        hi[j] += h[ds[j]];
      }
    }
    // The first `need` by lo (positions in `ds`, best first): ties go to
    // the newer, which comes first in `ds`.
    const top = [];
    let floor = -Infinity; // the lo of the need-th, once there are need
    for (let j = 0; j < m && need > 0; j++) {
      const v = lo[j];
      if (top.length === need) {
        if (!(v > floor)) continue;
        top.pop();
      }
      let at = top.length;
      while (at > 0 && lo[top[at - 1]] < v) {
        top[at] = top[at - 1];
        at--;
      }
      top[at] = j;
      if (top.length === need) floor = lo[top[need - 1]];
    }
    const open = new DocSet(this.index.n);
    // `a` surely ranks before `b` when its lowest possible score is above
    // the highest of `b`, or equal to it and `a` is newer (comes first).
    for (let t = 0; t + 1 < top.length; t++) {
      const a = top[t];
      const b = top[t + 1];
      if (!(lo[a] > hi[b] || (lo[a] >= hi[b] && a < b))) {
        open.add(ds[a]);
        open.add(ds[b]);
      }
    }
    if (top.length) {
      const last = top[top.length - 1];
      const floorLo = lo[last];
      const inTop = new Set(top);
      let outside = false;
      for (let j = 0; j < m; j++) {
        const h = hi[j];
        if (h < floorLo || (h === floorLo && j > last) || inTop.has(j)) continue;
        open.add(ds[j]);
        outside = true;
      }
      if (outside) open.add(ds[last]);
    }
    this.last = { need, tiers, list: top.map((j) => ds[j]), settled: open.isEmpty(), open };
    return this.last;
  }
}

/** A search by filters alone: its incidents, newest first. */
export class ByFilters {
  constructor(set) {
    this.set = set;
    this.count = set.count();
  }

  now(k) {
    return { list: this.set.take(0, k), settled: true };
  }

  async top(k) {
    return this.set.take(0, k);
  }
}
