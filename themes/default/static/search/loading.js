/* Loading the index that `pmsite build` made with elasticlunr-rs (see
 * src/search/mod.rs), under search/:
 *   docs.json       one row per incident, filter values, shard plan
 *   terms/<n>.json  the term shards a query needs (elasticlunr indexes
 *                   holding the terms of a range of prefixes), merged into
 *                   one elasticlunr.js index as they arrive
 *
 * One `SearchIndex` is one build's index. When the site changes under an
 * open page, the page forgets it and loads a new one: a shard that arrives
 * for the old one only ever touches the old one. */

import { chars } from './text.js';

/** A shard of another build than the docs.json it was fetched for (the
 * site was redeployed while the page was open): load the index again. */
export class StaleIndex extends Error {
  constructor() {
    super('the search index changed');
    this.name = 'StaleIndex';
  }
}

async function getJSON(url) {
  const r = await fetch(url, { cache: 'no-cache', credentials: 'same-origin' });
  if (!r.ok) throw new Error(url + ': HTTP ' + r.status);
  return r.json();
}

/* elasticlunr.js is a classic script: loaded once, it is `elasticlunr`. */
function loadEngine(src) {
  if (globalThis.elasticlunr) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const s = document.createElement('script');
    s.src = src;
    s.onload = () => resolve();
    s.onerror = () => reject(new Error('cannot load ' + src));
    document.head.appendChild(s);
  });
}

/* The rows of docs.json are arrays; its `columns` name their cells. */
function readDocs(columns, rows) {
  const at = new Map(columns.map((c, i) => [c, i]));
  const col = (name) => {
    const i = at.get(name);
    if (i === undefined) throw new Error('docs.json has no column “' + name + '”');
    return i;
  };
  const [id, title, date, severity, causes, services, teams, open, lengths, kind] = [
    'id', 'title', 'date', 'severity', 'causes', 'services', 'teams', 'open', 'lengths', 'kind'
  ].map(col);
  return rows.map((r) => ({
    id: r[id],
    title: r[title],
    date: r[date],
    severity: r[severity], // index into `severities`, -1 for none
    causes: r[causes], // indexes into `causes`
    services: r[services], // indexes into `services`
    teams: r[teams], // indexes into `teams`
    open: r[open] === 1, // has open follow-ups
    lengths: r[lengths], // number of terms in each field
    kind: r[kind] // index into `kinds`
  }));
}

/* Shards hold disjoint terms; a trie node shared by two shards carries its
 * documents in one of them only. */
function mergeNode(dst, src) {
  for (const k of Object.keys(src)) {
    if (k === 'docs') {
      Object.assign(dst.docs || (dst.docs = {}), src.docs);
    } else if (k === 'df') {
      dst.df = (dst.df || 0) + src.df;
    } else if (Object.hasOwn(dst, k)) {
      mergeNode(dst[k], src[k]);
    } else {
      dst[k] = src[k];
    }
  }
}

export class SearchIndex {
  /** Fetches the engine and docs.json from `dir` (a URL ending in `/`). */
  static async load(dir, engineUrl) {
    const [, meta] = await Promise.all([loadEngine(engineUrl), getJSON(dir + 'docs.json')]);
    return new SearchIndex(dir, meta);
  }

  constructor(dir, meta) {
    const engine = globalThis.elasticlunr;
    this.dir = dir;
    this.version = meta.version;
    this.epoch = meta.epoch;
    /** "en", "cjk" (segmented by the vocabulary) or "map" (written word → stem). */
    this.mode = meta.mode;
    this.fields = meta.fields;
    this.boosts = meta.boosts;
    this.severities = meta.severities;
    this.kinds = meta.kinds;
    this.causes = meta.causes;
    this.services = meta.services;
    this.teams = meta.teams;
    this.docs = readDocs(meta.columns, meta.docs);
    this.keys = meta.keys;
    this.keyShards = meta.keyShards;
    /** Key (a term prefix) → shard number. */
    this.keyShard = new Map(meta.keys.map((k, i) => [k, meta.keyShards[i]]));
    /** "map" mode: written word → stem ("" = stop word), from the shards. */
    this.words = Object.create(null);
    /** Shard number → promise of it being merged. */
    this.shards = new Map();
    /** Incident number → promise of the text of its page (results.js). */
    this.pageTexts = new Map();
    this.stems = new Map();

    const docs = {};
    const docInfo = {};
    this.docs.forEach((d, i) => {
      docs[i] = null;
      docInfo[i] = Object.fromEntries(this.fields.map((f, k) => [f, d.lengths[k]]));
    });
    const index = Object.fromEntries(this.fields.map((f) => [f, { root: { docs: {}, df: 0 } }]));
    this.engine = engine;
    this.idx = engine.Index.load({
      version: engine.version,
      fields: this.fields,
      ref: 'id',
      documentStore: { docs, docInfo, length: this.docs.length, save: false },
      index,
      pipeline: this.mode === 'en' ? ['trimmer', 'stopWordFilter', 'stemmer'] : []
    });
  }

  /** English mode: the terms of a piece of text, as the build made them. */
  terms(text) {
    return this.idx.pipeline.run(this.engine.tokenizer(text));
  }

  /** English mode: the stem of one word ("" for a stop word). */
  stem(word) {
    let s = this.stems.get(word);
    if (s === undefined) {
      const t = this.idx.pipeline.run([word]);
      s = t.length ? t[0] : '';
      this.stems.set(word, s);
    }
    return s;
  }

  /** "map" mode: the stem of a written word, "" for a stop word,
   * undefined if no fetched shard has the word. */
  writtenStem(word) {
    return word in this.words ? this.words[word] : undefined;
  }

  /** "map" mode: the stems of up to `max` written words beginning with `prefix`. */
  stemsOfWordsBeginning(prefix, max) {
    const stems = new Set();
    for (const w in this.words) {
      if (w.startsWith(prefix) && this.words[w] !== '') stems.add(this.words[w]);
      if (stems.size >= max) break;
    }
    return stems;
  }

  /** Fetches and merges the shards of a set of shard numbers. */
  loadShards(set) {
    const wait = [];
    for (const n of set) {
      if (!this.shards.has(n)) {
        const url = this.dir + 'terms/' + n + '.json?v=' + this.version;
        const p = getJSON(url).then((s) => {
          if (s.epoch !== this.epoch) throw new StaleIndex();
          this.merge(s);
        });
        this.shards.set(n, p);
        // A failed fetch is tried again by the next search.
        p.catch(() => {
          if (this.shards.get(n) === p) this.shards.delete(n);
        });
      }
      wait.push(this.shards.get(n));
    }
    return Promise.all(wait);
  }

  merge(shard) {
    const index = shard.index || {};
    for (const f of Object.keys(index)) {
      if (this.idx.index[f]) mergeNode(this.idx.index[f].root, index[f].root);
    }
    Object.assign(this.words, shard.words || {});
    this.idx._idfCache = {};
  }

  /** The shard of a key, or undefined. */
  shardOfKey(key) {
    return this.keyShard.get(key);
  }

  /** The shard of a term: that of the longest key that is a prefix of it
   * (-1 for none). */
  shardOf(term) {
    const c = chars(term);
    for (let n = c.length; n > 0; n--) {
      const s = this.keyShard.get(c.slice(0, n).join(''));
      if (s !== undefined) return s;
    }
    return -1;
  }

  /** The shards holding every term that starts with `prefix`. */
  prefixShards(prefix) {
    const set = new Set();
    const s = this.shardOf(prefix);
    if (s >= 0) set.add(s);
    this.keys.forEach((k, i) => {
      if (k.length > prefix.length && k.startsWith(prefix)) set.add(this.keyShards[i]);
    });
    return set;
  }

  /** The shards of every key that is a prefix of `s`. */
  shardsAlong(s) {
    const c = chars(s);
    const set = new Set();
    for (let n = 1; n <= c.length; n++) {
      const shard = this.keyShard.get(c.slice(0, n).join(''));
      if (shard !== undefined) set.add(shard);
    }
    return set;
  }

  /** Does some term of the fetched shards begin with `prefix`? */
  hasPrefix(prefix) {
    const c = chars(prefix);
    return this.fields.some((f) => {
      let node = this.idx.index[f].root;
      for (let n = 0; n < c.length && node; n++) node = node[c[n]];
      return !!node;
    });
  }

  /** The length of the longest term of the fetched shards that the
   * characters `c` hold from position `i` on (0 for none). */
  longestTerm(c, i) {
    let best = 0;
    for (const f of this.fields) {
      let node = this.idx.index[f].root;
      for (let n = i; n < c.length; n++) {
        node = node[c[n]];
        if (!node) break;
        if (node.df > 0 && n - i + 1 > best) best = n - i + 1;
      }
    }
    return best;
  }
}
