/* Loading the index that `pmsite build` made (see src/search/), under
 * search/, only as far as a search needs it:
 *   manifest.json        epoch, language, shard plan, tiers, filter values
 *   terms/<n>.bin        a shard: its terms' document frequencies, sets of
 *                        incidents, and the postings of each term's first
 *                        tier; merged into one elasticlunr.js index
 *   terms/<n>-<k>.bin    tier k of a shard's terms (ranking.js asks)
 *   facets/<f>-<k>.bin   the incidents of one filter value
 *   docs/<c>.json        id, title, date, severity of 32 incidents
 *   summaries/<c>.json   their summaries (searches by filters alone)
 *
 * Every file names its epoch; one `SearchIndex` is one build's index. When
 * the site changes under an open page, a file of the new build does not
 * match: the page forgets the index and loads the new one. */

import { chars } from './text.js';
import { DocSet } from './sets.js';

/** A file of another build than the manifest it was fetched for (the
 * site was redeployed while the page was open): load the index again. */
export class StaleIndex extends Error {
  constructor() {
    super('the search index changed');
    this.name = 'StaleIndex';
  }
}

async function get(url, how) {
  const r = await fetch(url, { credentials: 'same-origin', cache: how });
  if (!r.ok) throw new Error(url + ': HTTP ' + r.status);
  return r;
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

const MAGIC = 'pmS1';
const utf8 = new TextDecoder();

/* The binary files (src/search/encode.rs): varints, length-prefixed
 * UTF-8, little-endian f64, sets of incidents. */
class Reader {
  constructor(buf, epoch) {
    this.b = new Uint8Array(buf);
    const head = String.fromCharCode(...this.b.subarray(0, 20));
    if (head.slice(0, 4) !== MAGIC || head.slice(4) !== epoch) throw new StaleIndex();
    this.at = 20;
  }

  uint() {
    let v = 0;
    let mul = 1;
    let x;
    do {
      x = this.b[this.at++];
      v += (x & 0x7f) * mul;
      mul *= 128;
    } while (x & 0x80);
    return v;
  }

  bytes() {
    const n = this.uint();
    const s = this.b.subarray(this.at, this.at + n);
    this.at += n;
    return s;
  }

  f64() {
    const v = new DataView(this.b.buffer, this.b.byteOffset + this.at, 8).getFloat64(0, true);
    this.at += 8;
    return v;
  }

  /** A set of incidents, of `n` in all. */
  docs(n) {
    const kind = this.b[this.at++];
    const s = new DocSet(n);
    if (kind === 0) {
      let d = -1;
      for (let k = this.uint(); k > 0; k--) s.add(d += this.uint() + 1);
    } else if (kind === 1) {
      const bits = this.bytes();
      for (let i = 0; i < bits.length; i++) {
        for (let b = 0; b < 8; b++) if (bits[i] & (1 << b)) s.add(i * 8 + b);
      }
    } else {
      let end = 0;
      for (let k = this.uint(); k > 0; k--) {
        const start = end + this.uint();
        end = start + this.uint() + 1;
        for (let d = start; d < end; d++) s.add(d);
      }
    }
    return s;
  }

  /** A term or word written as the bytes it shares with `prev` and the rest. */
  text(prev) {
    const shared = this.uint();
    const rest = this.bytes();
    const out = new Uint8Array(shared + rest.length);
    out.set(prev.subarray(0, shared));
    out.set(rest, shared);
    return out;
  }
}

/* Trie nodes as elasticlunr.js makes them. */
function nodeOf(root, term) {
  let node = root;
  for (const c of chars(term)) {
    if (!Object.hasOwn(node, c)) node[c] = { docs: {}, df: 0 };
    node = node[c];
  }
  return node;
}

export class SearchIndex {
  /** Fetches the engine and the manifest from `dir` (a URL ending in `/`). */
  static async load(dir, engineUrl) {
    const [, r] = await Promise.all([loadEngine(engineUrl), get(dir + 'manifest.json', 'no-cache')]);
    return new SearchIndex(dir, await r.json());
  }

  constructor(dir, meta) {
    const engine = globalThis.elasticlunr;
    this.dir = dir;
    this.epoch = meta.epoch;
    /** "en", "cjk" (segmented by the vocabulary) or "map" (written word → stem). */
    this.mode = meta.mode;
    this.fields = meta.fields;
    this.boosts = meta.boosts;
    this.n = meta.docs;
    this.chunk = meta.chunk;
    this.columns = meta.columns;
    this.tiers = meta.tiers;
    this.facets = meta.facets;
    this.severities = meta.facets.sev.values;
    this.keys = meta.keys;
    this.keyShards = meta.keyShards;
    /** Key (a term prefix) → shard number. */
    this.keyShard = new Map(meta.keys.map((k, i) => [k, meta.keyShards[i]]));
    /** "map" mode: written word → stem ("" = stop word), from the shards. */
    this.words = Object.create(null);
    /** Term → what ranking.js needs of it (see `readShard`). */
    this.termInfo = new Map();
    /** Shard number → its terms in order; promises of files being read. */
    this.shardTerms = new Map();
    this.files = new Map();
    /** Incident number → promise of the text of its page (results.js). */
    this.pageTexts = new Map();
    this.stems = new Map();

    const index = Object.fromEntries(this.fields.map((f) => [f, { root: { docs: {}, df: 0 } }]));
    this.engine = engine;
    this.idx = engine.Index.load({
      version: engine.version,
      fields: this.fields,
      ref: 'id',
      documentStore: { docs: {}, docInfo: {}, length: this.n, save: false },
      index,
      pipeline: this.mode === 'en' ? ['trimmer', 'stopWordFilter', 'stemmer'] : []
    });
  }

  /** Where tier `k` of a term ends (exclusive rank). */
  tierEnd(k) {
    const t = this.tiers;
    return k + 1 >= t.count ? Infinity : t.first * t.growth ** k;
  }

  /** A file of this index, fetched once (a failed fetch is tried again
   * by the next search); `read` turns its response into what is kept. */
  file(path, read) {
    let p = this.files.get(path);
    if (!p) {
      p = get(this.dir + path + '?v=' + this.epoch).then(read);
      this.files.set(path, p);
      p.catch(() => { if (this.files.get(path) === p) this.files.delete(path); });
    }
    return p;
  }

  binary(path, read) {
    return this.file(path, async (r) => read(new Reader(await r.arrayBuffer(), this.epoch)));
  }

  json(path) {
    return this.file(path, async (r) => {
      const v = await r.json();
      if (v.epoch !== this.epoch) throw new StaleIndex();
      return v;
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
    for (const n of set) wait.push(this.binary('terms/' + n + '.bin', (r) => this.readShard(n, r)));
    return Promise.all(wait);
  }

  /* A shard: for each term its text, fields, document frequencies, number
   * of incidents, their set and the best impact left out (when there are
   * more than the first tier), and the first tier; then the written words. */
  readShard(n, r) {
    const list = [];
    let prev = new Uint8Array(0);
    for (let k = r.uint(); k > 0; k--) {
      prev = r.text(prev);
      const term = utf8.decode(prev);
      const mask = r.uint();
      const info = { term, shard: n, nodes: [], total: 0, set: null, loaded: null, tier: 1, bound: 0 };
      this.fields.forEach((f, i) => {
        if (!(mask & (1 << i))) return;
        const node = nodeOf(this.idx.index[f].root, term);
        node.df = r.uint();
        info.nodes[i] = node;
      });
      info.total = r.uint();
      if (info.total > this.tiers.first) {
        info.set = r.docs(this.n);
        info.bound = r.f64();
        info.loaded = new DocSet(this.n);
      }
      const got = this.readHits(r, info, Math.min(info.total, this.tiers.first));
      if (!info.set) info.set = got;
      list.push(info);
      this.termInfo.set(term, info);
    }
    prev = new Uint8Array(0);
    for (let k = r.uint(); k > 0; k--) {
      prev = r.text(prev);
      this.words[utf8.decode(prev)] = utf8.decode(r.bytes());
    }
    this.shardTerms.set(n, list);
    this.idx._idfCache = {};
  }

  /* `m` incidents of a term, their postings put into the elasticlunr.js
   * index: per field the term frequency (elasticlunr's square root of the
   * count, to three decimals) and the field's length. */
  readHits(r, info, m) {
    const store = this.idx.documentStore;
    const got = new DocSet(this.n);
    let d = -1;
    for (let k = 0; k < m; k++) {
      d += r.uint() + 1;
      const mask = r.uint();
      got.add(d);
      if (info.loaded) info.loaded.add(d);
      if (!(d in store.docs)) {
        store.docs[d] = null;
        store.docInfo[d] = {};
      }
      for (let i = 0; i < this.fields.length; i++) {
        if (!(mask & (1 << i))) continue;
        const count = r.uint();
        store.docInfo[d][this.fields[i]] = r.uint();
        const node = info.nodes[i];
        if (node) node.docs[d] = { tf: Math.round(Math.sqrt(count) * 1000) / 1000 };
      }
    }
    return got;
  }

  /** Whether some incidents of a term are not loaded yet. */
  hasMore(info) {
    return info.total > this.tierEnd(info.tier - 1);
  }

  /** Fetches the next tier of some terms (those whose incidents are not
   * all loaded). */
  loadNextTiers(infos) {
    const wait = new Set();
    for (const info of infos) {
      const k = info.tier;
      if (!this.hasMore(info)) continue;
      wait.add(this.binary('terms/' + info.shard + '-' + k + '.bin', (r) => this.readTier(info.shard, k, r)));
    }
    return Promise.all(wait);
  }

  readTier(n, k, r) {
    const list = this.shardTerms.get(n) || [];
    let ti = 0;
    for (let c = r.uint(); c > 0; c--) {
      ti += r.uint();
      const info = list[ti];
      if (!info) throw new StaleIndex();
      const end = this.tierEnd(k);
      info.bound = info.total > end ? r.f64() : 0;
      this.readHits(r, info, Math.min(info.total, end) - this.tierEnd(k - 1));
      info.tier = k + 1;
    }
  }

  /** The incidents of a filter value (a set; empty for a value the index
   * does not know). */
  facet(name, value) {
    const f = this.facets[name];
    const k = f ? f.values.indexOf(value) : -1;
    if (k < 0) return Promise.resolve(new DocSet(this.n));
    return this.binary('facets/' + name + '-' + k + '.bin', (r) => r.docs(this.n));
  }

  /** The rows of some incidents: {id, title, date, severity (an index
   * into `severities`, -1 for none)}, in their order. */
  async rows(list) {
    const at = new Map(this.columns.map((c, i) => [c, i]));
    const chunks = await Promise.all(list.map((i) => this.json('docs/' + Math.floor(i / this.chunk) + '.json')));
    return list.map((i, k) => {
      const r = chunks[k].docs[i % this.chunk];
      return { id: r[at.get('id')], title: r[at.get('title')], date: r[at.get('date')], severity: r[at.get('severity')] };
    });
  }

  /** The summary and impact of an incident (as its page shows them). */
  async summary(i) {
    const c = await this.json('summaries/' + Math.floor(i / this.chunk) + '.json');
    return c.summaries[i % this.chunk];
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
