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

/* Groups' alternatives whose scores are kept (a few words: the query
 * being typed). */
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

/* A term's loaded postings added to one alternative's scores (`lo`, by
 * incident number), each scored as fieldSearch scores it: per field
 * tf × idf × norm × penalty, times the field's boost; the incidents are
 * added to `seen` (its words). */
function addKey(index, { info, pen }, lo, seen) {
  const { docs, imp, masks, cs, count } = info;
  if (pen === 1) {
    for (let j = 0; j < count; j++) {
      const d = docs[j];
      lo[d] += imp[j];
      seen[d >>> 5] |= 1 << (d & 31);
    }
    return;
  }
  const boosts = index.boosts;
  let at = 0;
  for (let j = 0; j < count; j++) {
    let v = 0;
    for (let f = 0, m = masks[j]; m !== 0; f++, m >>>= 1) {
      if (m & 1) v += cs[at++] * pen * boosts[f];
    }
    const d = docs[j];
    lo[d] += v;
    seen[d >>> 5] |= 1 << (d & 31);
  }
}

/* Adds `b` to `hi` for each incident of the term's set whose posting is
 * not loaded. */
function addBound(info, b, hi) {
  const s = info.set.w;
  const l = info.loaded.w;
  for (let w = 0; w < s.length; w++) {
    for (let x = s[w] & ~l[w]; x !== 0; x &= x - 1) hi[(w << 5) + 31 - Math.clz32(x & -x)] += b;
  }
}

/* What a group scores with what is loaded, kept in `index.groupCache`
 * while its terms' tiers do not change (its arrays are reused when they
 * do, remade in the same order, so a sum is always added up alike):
 *   lo     its score of each incident from the postings loaded (the
 *          best alternative's), by incident number;
 *   hi     the most it can score each: that plus, for each term the
 *          incident has whose posting for it is not loaded, the most
 *          such a posting can add (the best impact left out times the
 *          penalty; the best alternative's);
 *   seen   the incidents with a posting loaded;
 *   unseen the most an incident without any can score (an upper bound);
 *   set    the incidents with one of its terms. */
function groupScores(index, alts, sig) {
  const cache = index.groupCache || (index.groupCache = new Map());
  const infos = alts.flat();
  const tiers = infos.map((k) => k.info.tier).join(',');
  let e = cache.get(sig);
  if (e && e.terms !== infos.length) e = null;
  if (e && e.tiers === tiers) {
    cache.delete(sig);
    cache.set(sig, e); // most recently used
    return e;
  }
  const n = index.n;
  if (!e) {
    const set = new DocSet(n);
    for (const { info } of infos) {
      if (info.loaded) set.addAll(info.set);
      else for (let j = 0; j < info.count; j++) set.add(info.docs[j]);
    }
    const arrays = () => ({ lo: new Float64Array(n), hi: new Float64Array(n) });
    const out = alts.map(arrays);
    const best = out.length === 1 ? out[0] : arrays();
    e = { terms: infos.length, tiers, alts: out, lo: best.lo, hi: best.hi, seen: new DocSet(n), unseen: 0, set };
  }
  e.tiers = tiers;
  e.unseen = 0;
  const seen = e.seen.w;
  alts.forEach((keys, a) => {
    const { lo, hi } = e.alts[a];
    lo.fill(0);
    let most = 0;
    for (const k of keys) addKey(index, k, lo, seen);
    hi.set(lo);
    for (const k of keys) {
      if (k.info.loaded && index.hasMore(k.info)) {
        const b = k.pen * k.info.bound * SLACK;
        addBound(k.info, b, hi);
        most += b;
      }
    }
    e.unseen = Math.max(e.unseen, most);
  });
  if (e.alts.length > 1) {
    e.lo.fill(0);
    e.hi.fill(0);
    for (const a of e.alts) {
      for (let d = 0; d < n; d++) {
        if (a.lo[d] > e.lo[d]) e.lo[d] = a.lo[d];
        if (a.hi[d] > e.hi[d]) e.hi[d] = a.hi[d];
      }
    }
  }
  cache.delete(sig);
  cache.set(sig, e);
  // Keep a few groups' arrays (one a group and alternative).
  let arrays = 0;
  for (const x of cache.values()) arrays += x.alts.length;
  while (arrays > KEPT && cache.size > 1) {
    const [oldest, x] = cache.entries().next().value;
    cache.delete(oldest);
    arrays -= x.alts.length;
  }
  return e;
}

/* The lowest and highest possible scores of the incidents `ds` (into
 * `lo` and `hi`): the sums over the groups. */
function bounds(es, ds, lo, hi) {
  for (let j = 0; j < ds.length; j++) {
    const d = ds[j];
    let l = 0;
    let h = 0;
    for (let g = 0; g < es.length; g++) {
      l += es[g].lo[d];
      h += es[g].hi[d];
    }
    lo[j] = l;
    hi[j] = h;
  }
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
    const sets = this.groups.map((x) => groupScores(index, x.alts, x.sig).set);
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
    /** The terms whose postings may still need loading. */
    this.infos = [...new Set(this.groups.flatMap(({ alts }) => alts.flat().map((k) => k.info)))]
      .filter((info) => info.loaded && info.set.meets(all));
    /** Rounds of tiers fetched, and which (for the page's trace). */
    this.rounds = 0;
    this.fetched = [];
    this.needed = new Map(); // term → rounds it was fetched in
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
      // A term still needed after a round of its tiers needs all of
      // them, nearly always (the postings of the incidents still open
      // lie anywhere in its order by impact): all the others at once.
      const ahead = (info) => (this.needed.has(info) ? Infinity : 1);
      this.fetched.push(more.map((info) => info.term + '@' + info.tier + (this.needed.has(info) ? '…' : '')).join(' '));
      const wait = this.index.loadNextTiers(more, ahead);
      for (const info of more) this.needed.set(info, (this.needed.get(info) || 0) + 1);
      await wait;
    }
  }

  /* The first `need` incidents by what is loaded (`lo`, ties to the
   * newer), whether their order is settled, and if not the incidents
   * that keep it open (`open`, a DocSet). Kept until a tier is loaded.
   *
   * Only the incidents with a posting loaded (`seen`) are scored one by
   * one; those without any score 0 so far and at most the sum of the
   * groups' `unseen`, and are looked at one by one only when that bound
   * is not low enough, before fetching more. */
  ranked(need) {
    const tiers = this.infos.map((info) => info.tier).join(',');
    if (this.last && this.last.need === need && this.last.tiers === tiers) return this.last;
    const es = this.groups.map((x) => groupScores(this.index, x.alts, x.sig));
    const n = this.index.n;
    const seenSet = new DocSet(n);
    for (const e of es) seenSet.addAll(e.seen);
    const seen = seenSet.and(this.set).list();
    const lo = new Float64Array(seen.length);
    const hi = new Float64Array(seen.length);
    bounds(es, seen, lo, hi);
    // The first `need` seen incidents by lo (positions in `seen`, best
    // first): ties go to the newer, which comes first in `seen`.
    const top = [];
    let floor = -Infinity; // the lo of the need-th, once there are need
    for (let j = 0; j < seen.length && need > 0; j++) {
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
    const list = top.map((j) => seen[j]);
    const open = new DocSet(n);
    const unseenSet = this.set.minus(seenSet);
    if (list.length < need) {
      // Fewer incidents scored than asked for: the others, newest first,
      // until their postings come.
      list.push(...unseenSet.take(0, need - list.length));
      open.addAll(unseenSet);
    }
    // `a` surely ranks before `b` when its lowest possible score is above
    // the highest of `b`, or equal to it and `a` is newer (comes first).
    for (let t = 0; t + 1 < top.length; t++) {
      const a = top[t];
      const b = top[t + 1];
      if (!(lo[a] > hi[b] || (lo[a] >= hi[b] && a < b))) {
        open.add(seen[a]);
        open.add(seen[b]);
      }
    }
    if (top.length && list.length === top.length) {
      const last = top[top.length - 1];
      const floorLo = lo[last];
      const lastD = seen[last];
      const inTop = new Set(top);
      let outside = false;
      for (let j = 0; j < seen.length; j++) {
        const h = hi[j];
        if (h < floorLo || (h === floorLo && j > last) || inTop.has(j)) continue;
        open.add(seen[j]);
        outside = true;
      }
      let unseen = 0;
      for (const e of es) unseen += e.unseen;
      if (!unseenSet.isEmpty() && !(floorLo > unseen)) {
        // The bound for all is not low enough: each of them.
        const ds = unseenSet.list();
        const uLo = new Float64Array(ds.length);
        const uHi = new Float64Array(ds.length);
        bounds(es, ds, uLo, uHi);
        for (let j = 0; j < ds.length; j++) {
          const h = uHi[j];
          if (h < floorLo || (h === floorLo && ds[j] > lastD)) continue;
          open.add(ds[j]);
          outside = true;
        }
      }
      if (outside) open.add(lastD);
    }
    this.last = { need, tiers, list, settled: open.isEmpty(), open };
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
