/* Turning a query into terms, as the build turned the incidents into terms
 * (per `[site] language`, the index's `mode`), and finding them.
 *
 * A query becomes groups of alternative terms; a result must match every
 * group. Stop words make no group, so they never empty the results.
 * A group: {alts: [term], expand: match as a prefix, word: as typed,
 * cjk: Chinese/Japanese/Korean inside English, cut: a prefix too short to
 * expand}. */

import { chars, cjkRuns, cutWord, trimWord } from './text.js';

/* A prefix search may pull in at most this many shards; past that the
 * word is matched exactly (a one-letter prefix would need them all). */
const MAX_PREFIX_SHARDS = 4;

/** The groups of a query, once the shards they need are merged into `index`. */
export function analyse(index, q) {
  const raw = q.toLowerCase().split(/[\s-]+/).filter(Boolean);
  if (index.mode === 'cjk') return analyseCjk(index, raw);
  if (index.mode === 'map') return analyseMapped(index, raw);
  return analyseEnglish(index, raw);
}

/* The longest indexed term that the characters `c` begin with, if it is
 * at least 3 and at most four shorter than `c`. */
function stemFallback(index, c) {
  const n = index.longestTerm(c, 0);
  return n >= 3 && n >= c.length - 4 ? c.slice(0, n).join('') : null;
}

async function analyseEnglish(index, raw) {
  const groups = [];
  for (const w of raw) {
    for (const { cjk, text } of cjkRuns(w)) {
      if (cjk) {
        // Chinese, Japanese or Korean inside English: the index holds their
        // character pairs; every pair of the query must match.
        const c = chars(text);
        if (c.length === 1) {
          groups.push({ alts: [text], expand: true, word: text, cjk: true });
        } else {
          for (let i = 0; i + 1 < c.length; i++) {
            const pair = c[i] + c[i + 1];
            groups.push({ alts: [pair], expand: false, word: pair, cjk: true });
          }
        }
      } else {
        const t = index.terms(cutWord(text));
        if (t.length) groups.push({ alts: t, expand: true, word: text });
      }
    }
  }
  let last = groups[groups.length - 1];
  if (last && !last.expand) last = null;
  await withShards(index, groups);
  // A word being typed whose stem no indexed term begins with
  // ("connecti" is stemmed so, the index holds "connect"): the longest
  // indexed term it begins with, at most four letters shorter.
  if (!last || last.cut || last.alts.some((t) => index.hasPrefix(t))) return groups;
  await index.loadShards(index.shardsAlong(last.alts[0]));
  const term = stemFallback(index, chars(last.alts[0]));
  if (term) last.alts = [term];
  return groups;
}

/* Fetches the shards the groups need; a prefix that would need too many
 * is matched exactly (`cut`). */
async function withShards(index, groups) {
  const need = new Set();
  for (const g of groups) {
    for (const t of g.alts) {
      let set = g.expand ? index.prefixShards(t) : new Set([index.shardOf(t)]);
      if (g.expand && set.size > MAX_PREFIX_SHARDS) {
        g.expand = false;
        g.cut = true;
        set = new Set([index.shardOf(t)]);
      }
      for (const n of set) if (n >= 0) need.add(n);
    }
  }
  await index.loadShards(need);
  return groups;
}

/* Other languages: the shards map each written word to its stem. A form
 * the knowledge base never uses falls back to the longest indexed term
 * it begins with (at most four letters shorter), so "Zertifikate" still
 * finds "zertifikat". */
async function analyseMapped(index, raw) {
  const surfaces = raw.map((w) => trimWord(cutWord(w))).filter(Boolean);
  const lastAt = surfaces.length - 1;
  const need = new Set();
  surfaces.forEach((w, i) => {
    let set = i === lastAt ? index.prefixShards(w) : new Set([index.shardOf(w)]);
    if (set.size > MAX_PREFIX_SHARDS) set = new Set([index.shardOf(w)]);
    for (const n of index.shardsAlong(w)) set.add(n);
    for (const n of set) if (n >= 0) need.add(n);
  });
  await index.loadShards(need);
  const groups = [];
  surfaces.forEach((w, i) => {
    const stem = index.writtenStem(w);
    if (stem !== undefined) {
      if (stem !== '') groups.push({ alts: [stem], expand: i === lastAt, word: w });
      return;
    }
    // A word being typed: the stems of the written words it begins.
    const stems = i === lastAt ? index.stemsOfWordsBeginning(w, 24) : new Set();
    if (!stems.size) {
      const term = stemFallback(index, chars(w));
      if (term) stems.add(term);
    }
    groups.push({ alts: stems.size ? Array.from(stems) : [w], expand: !stems.size, word: w });
  });
  return withShards(index, groups);
}

/* Chinese and Japanese: segment each run of CJK characters by greedy
 * longest match against the index's own vocabulary. */
async function analyseCjk(index, raw) {
  const pieces = [];
  for (const w of raw) {
    for (const run of cjkRuns(w)) {
      const text = run.cjk ? run.text : cutWord(trimWord(run.text));
      if (text) pieces.push({ cjk: run.cjk, text });
    }
  }
  const need = new Set();
  for (const p of pieces) {
    if (!p.cjk) continue;
    const c = chars(p.text);
    for (let i = 0; i < c.length; i++) {
      for (let n = 1; n <= c.length - i; n++) {
        const shard = index.shardOfKey(c.slice(i, i + n).join(''));
        if (shard !== undefined) need.add(shard);
      }
    }
  }
  await index.loadShards(need);
  const groups = [];
  for (const p of pieces) {
    if (!p.cjk) {
      groups.push({ alts: [p.text], expand: true, word: p.text });
      continue;
    }
    const c = chars(p.text);
    let i = 0;
    while (i < c.length) {
      const best = index.longestTerm(c, i);
      if (best > 0) {
        const t = c.slice(i, i + best).join('');
        groups.push({ alts: [t], expand: true, word: t });
        i += best;
      } else {
        i += 1; // not in the index (a particle, or a word no incident has)
      }
    }
  }
  return withShards(index, groups);
}

/** The incidents matching every group: Map of incident ref → score. */
export function searchGroups(index, groups) {
  let total = null;
  groups.forEach((g, gi) => {
    const scores = new Map();
    for (const t of g.alts) {
      const alt = new Map();
      index.fields.forEach((f, k) => {
        const boost = index.boosts[k];
        const config = { [f]: { boost, bool: 'OR', expand: g.expand } };
        const found = index.idx.fieldSearch([t], f, config) || {};
        for (const [ref, score] of Object.entries(found)) {
          alt.set(ref, (alt.get(ref) || 0) + score * boost);
        }
      });
      for (const [ref, score] of alt) if (!(scores.get(ref) >= score)) scores.set(ref, score);
    }
    // A word still being typed, too short to expand ("kafka t"), that
    // matches nothing by itself does not empty the results yet.
    if (g.cut && gi === groups.length - 1 && total !== null && scores.size === 0) return;
    if (total === null) {
      total = scores;
    } else {
      const both = new Map();
      for (const [ref, score] of total) if (scores.has(ref)) both.set(ref, score + scores.get(ref));
      total = both;
    }
  });
  return total;
}
