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

/* Index files go before the pages fetched for snippets (results.js): on
 * an HTTP/1.1 host the browser opens only a few connections at a time. */
async function get(url, how) {
  const r = await fetch(url, { credentials: 'same-origin', cache: how, priority: 'high' });
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

function popcount(x) {
  let c = 0;
  for (; x !== 0; x &= x - 1) c++;
  return c;
}
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

/* A term's postings in the elasticlunr.js index (a trie node's `docs`),
 * kept under a symbol: for...in (elasticlunr's expandToken) never sees it. */
const DOCS = Symbol('docs');

/* Trie nodes as elasticlunr.js reads them ({docs, df} and a property per
 * next character); `docs` is filled when elasticlunr.js first reads it
 * (see `engineIndex`). */
function nodeClass(fill) {
  return class Node {
    constructor() {
      this.df = 0;
    }

    get docs() {
      fill();
      return this[DOCS] || (this[DOCS] = {});
    }
  };
}

function nodeOf(Node, root, term) {
  let node = root;
  for (const c of chars(term)) {
    if (!Object.hasOwn(node, c)) node[c] = new Node();
    node = node[c];
  }
  return node;
}

/* A typed array of at least `need` elements holding `a`'s first `used`. */
function room(a, used, need) {
  if (need <= a.length) return a;
  const b = new a.constructor(Math.max(need, a.length * 2, 8));
  b.set(a.subarray(0, used));
  return b;
}

/* elasticlunr.js's term frequency: the square root of the count, to three
 * decimals; one object per count, shared. */
const TF = [];
function tfOf(count) {
  return TF[count] || (TF[count] = Object.freeze({ tf: tfValue(count) }));
}

/* The same, as a number; the small counts from a table. */
const TF_VALUES = new Float64Array(256).map((_, c) => Math.round(Math.sqrt(c) * 1000) / 1000);
function tfValue(count) {
  return count < 256 ? TF_VALUES[count] : Math.round(Math.sqrt(count) * 1000) / 1000;
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
    /** Incident number → promise of the text of its page, and the texts
     * read (results.js). */
    this.pageTexts = new Map();
    this.pageTextsRead = new Map();
    this.stems = new Map();

    this.engine = engine;
    this.engineIndex();
  }

  /* The elasticlunr.js index of what is loaded: its tries (a node per
   * term, with its document frequency) are made as shards are read; the
   * term frequencies and field lengths of the postings, which ranking.js
   * does not need (it keeps a term's scores, see `readHits`), are put in
   * only when elasticlunr.js itself reads them, all at once. */
  engineIndex() {
    /** Terms whose postings from `from` on are not in the index yet. */
    this.unfilled = [];
    const fill = () => this.fillEngine();
    this.Node = nodeClass(fill);
    const index = Object.fromEntries(this.fields.map((f) => [f, { root: new this.Node() }]));
    this.idx = this.engine.Index.load({
      version: this.engine.version,
      fields: this.fields,
      ref: 'id',
      documentStore: { docs: {}, docInfo: {}, length: this.n, save: false },
      index,
      pipeline: this.mode === 'en' ? ['trimmer', 'stopWordFilter', 'stemmer'] : []
    });
    const store = this.idx.documentStore;
    const docs = store.docs;
    const docInfo = store.docInfo;
    Object.defineProperty(store, 'docs', { get: () => { fill(); return docs; } });
    Object.defineProperty(store, 'docInfo', { get: () => { fill(); return docInfo; } });
    this.storeDocs = docs;
    this.storeInfo = docInfo;
  }

  fillEngine() {
    const list = this.unfilled;
    if (!list.length) return;
    this.unfilled = [];
    const docs = this.storeDocs;
    const docInfo = this.storeInfo;
    for (const [info, from] of list) {
      let at = info.fieldsAt[from];
      for (let j = from; j < info.count; j++) {
        const d = info.docs[j];
        if (!(d in docs)) {
          docs[d] = null;
          docInfo[d] = {};
        }
        for (let i = 0, m = info.masks[j]; m !== 0; i++, m >>>= 1) {
          if (!(m & 1)) continue;
          docInfo[d][this.fields[i]] = info.lens[at];
          const node = info.nodes[i];
          if (node) (node[DOCS] || (node[DOCS] = {}))[d] = tfOf(info.counts[at]);
          at++;
        }
      }
    }
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
   * more than the first tier), and the first tier; then the written words.
   *
   * What ranking.js scores with is kept per term, decoded once, in typed
   * arrays: for each of the `count` incidents loaded (`docs`, in the
   * order loaded) the fields it has the term in (`masks`, a bit a field)
   * and their sum with the boosts of elasticlunr.js's tf × idf × field
   * length norm (`imp`, what the term alone scores it); and per field of
   * each (from `fieldsAt[j]` on) that tf × idf × norm (`cs`), the count
   * and the field's length. */
  readShard(n, r) {
    const list = [];
    let prev = new Uint8Array(0);
    for (let k = r.uint(); k > 0; k--) {
      prev = r.text(prev);
      const term = utf8.decode(prev);
      const mask = r.uint();
      const info = {
        term, shard: n, nodes: [], idf: [], total: 0, set: null, loaded: null, tier: 1, bound: 0,
        count: 0, docs: new Int32Array(0), masks: new Uint8Array(0), imp: new Float64Array(0),
        fieldsAt: new Int32Array(1), cs: new Float64Array(0), counts: new Uint32Array(0), lens: new Uint32Array(0)
      };
      this.fields.forEach((f, i) => {
        if (!(mask & (1 << i))) return;
        const node = nodeOf(this.Node, this.idx.index[f].root, term);
        node.df = r.uint();
        info.nodes[i] = node;
        // elasticlunr.js's idf (Index.prototype.idf).
        info.idf[i] = 1 + Math.log(this.n / (node.df + 1));
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

  /* `m` incidents of a term: their postings, scored as elasticlunr.js's
   * fieldSearch scores them (the term frequency is the square root of the
   * count to three decimals), kept in the term's arrays (see `readShard`)
   * and later put into the elasticlunr.js index (`fillEngine`). */
  readHits(r, info, m) {
    const boosts = this.boosts;
    const nf = this.fields.length;
    const got = info.loaded ? null : new DocSet(this.n);
    const into = (got || info.loaded).w;
    const c0 = info.count;
    const need = c0 + m;
    const docs = (info.docs = room(info.docs, c0, need));
    const masks = (info.masks = room(info.masks, c0, need));
    const imps = (info.imp = room(info.imp, c0, need));
    const fieldsAt = (info.fieldsAt = room(info.fieldsAt, c0 + 1, need + 1));
    this.unfilled.push([info, c0]);
    // What tf × norm is multiplied by in each field: the idf, for a field
    // the term is in.
    const idf = new Float64Array(nf);
    const has = new Uint8Array(nf);
    for (let i = 0; i < nf; i++) {
      if (info.nodes[i]) {
        has[i] = 1;
        idf[i] = info.idf[i];
      }
    }
    let { cs, counts, lens } = info;
    const b = r.b;
    let p = r.at;
    // The varints (see `Reader.uint`) are read inline, their first byte
    // (most have one) here and the rest by `rest`: this loop decodes every
    // posting, often before the engine has optimized it.
    const rest = (first) => {
      let v = first & 0x7f;
      for (let mul = 128; ; mul *= 128) {
        const y = b[p++];
        v += (y & 0x7f) * mul;
        if (!(y & 0x80)) return v;
      }
    };
    let at = fieldsAt[c0];
    let d = -1;
    let x = 0;
    let v = 0;
    for (let j = c0; j < need; j++) {
      x = b[p++];
      if (x & 0x80) x = rest(x);
      d += x + 1;
      x = b[p++];
      if (x & 0x80) x = rest(x);
      const mask = x;
      into[d >>> 5] |= 1 << (d & 31);
      const fields = popcount(mask);
      if (at + fields > cs.length) {
        const want = at + fields + (need - j) * 2;
        cs = info.cs = room(cs, at, want);
        counts = info.counts = room(counts, at, want);
        lens = info.lens = room(lens, at, want);
      }
      let imp = 0;
      for (let i = 0, bits = mask; bits !== 0; i++, bits >>>= 1) {
        if (!(bits & 1)) continue;
        x = b[p++];
        if (x & 0x80) x = rest(x);
        const count = x;
        x = b[p++];
        if (x & 0x80) x = rest(x);
        v = has[i] ? tfValue(count) * idf[i] * (x !== 0 ? 1 / Math.sqrt(x) : 1) : 0;
        cs[at] = v;
        counts[at] = count;
        lens[at] = x;
        at++;
        imp += v * boosts[i];
      }
      docs[j] = d;
      masks[j] = mask;
      imps[j] = imp;
      fieldsAt[j + 1] = at;
    }
    r.at = p;
    info.count = need;
    return got;
  }

  /** Whether some incidents of a term are not loaded yet. */
  hasMore(info) {
    return info.total > this.tierEnd(info.tier - 1);
  }

  /** Fetches the next tier of some terms (those whose incidents are not
   * all loaded); with `ahead(info)` (default 1) tiers of each at once. */
  loadNextTiers(infos, ahead = () => 1) {
    const wait = new Set();
    for (const info of infos) {
      if (!this.hasMore(info)) continue;
      let k = info.tier;
      for (let more = ahead(info) - 1; more > 0 && info.total > this.tierEnd(k); more--) k++;
      // All asked for at once (each is read after the one before it).
      for (let j = info.tier; j <= k; j++) wait.add(this.tier(info.shard, j));
    }
    return Promise.all(wait);
  }

  /* Tier `k` of shard `n`, read after the tiers before it (fetched too
   * if they were not). */
  tier(n, k) {
    return this.file('terms/' + n + '-' + k + '.bin', async (r) => {
      const buf = await r.arrayBuffer();
      if (k > 1) await this.tier(n, k - 1);
      this.readTier(n, k, new Reader(buf, this.epoch));
    });
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
