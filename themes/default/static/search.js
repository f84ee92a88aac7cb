/* pmsite search: queries the index that `pmsite build` made with
 * elasticlunr-rs, with elasticlunr.js, in the browser.
 *
 * Nothing is fetched until the reader types or picks a filter. Then:
 *   search/docs.json       one row per incident, filter values, shard plan
 *   search/terms/<n>.json  the term shards a query needs (elasticlunr indexes
 *                          holding the terms of a range of prefixes), merged
 *                          into one elasticlunr.js index as they arrive
 *   the incidents' own pages  fetched for the results on screen: the
 *                             section with the matches makes the snippet
 *
 * The search state lives in the URL: ?q=words&sev=SEV1&sev=SEV2&cause=..
 * &service=..&team=..&year=2019&open=1
 *
 * Text from the knowledge base is only ever put in the page as text nodes.
 */
(function () {
  'use strict';

  var form = document.getElementById('search');
  if (!form || !window.fetch || !window.Promise) return;
  var input = document.getElementById('search-q');
  var statusEl = document.getElementById('search-status');
  var list = document.getElementById('search-results');
  var moreBtn = document.getElementById('search-more');
  var BASE = form.getAttribute('data-base') || '/';
  var DIR = form.getAttribute('data-index') || BASE + 'search/';
  var ENGINE = form.getAttribute('data-engine');
  var PAGE = 20;
  /* A prefix search may pull in at most this many shards; past that the
   * word is matched exactly (a one-letter prefix would need them all). */
  var MAX_PREFIX_SHARDS = 4;

  var meta = null;      // docs.json
  var idx = null;       // the elasticlunr.js index, growing as shards arrive
  var keyShard = null;  // Map: key -> shard number
  var words = Object.create(null); // "map" mode: written word -> stem ("" = stop word)
  var shards = {};      // shard number -> promise
  var texts = {};       // incident number -> promise of its text
  var ready = null;     // promise of the index being usable
  var seq = 0;          // the latest search; older ones are dropped
  var results = [];     // [{i, score}]
  var shown = 0;
  var query = null;     // the analysed query of the results on screen
  var timer = 0;

  /* ---------- loading ---------- */

  function getJSON(url) {
    return fetch(url, { cache: 'no-cache', credentials: 'same-origin' }).then(function (r) {
      if (!r.ok) throw new Error(url + ': HTTP ' + r.status);
      return r.json();
    });
  }

  function loadEngine() {
    if (window.elasticlunr) return Promise.resolve();
    return new Promise(function (resolve, reject) {
      var s = document.createElement('script');
      s.src = ENGINE;
      s.onload = function () { resolve(); };
      s.onerror = function () { reject(new Error('cannot load ' + ENGINE)); };
      document.head.appendChild(s);
    });
  }

  function start() {
    if (!ready) {
      setStatus('Loading the search index…');
      ready = Promise.all([loadEngine(), getJSON(DIR + 'docs.json')]).then(function (r) {
        setup(r[1]);
      });
      ready.catch(function (e) {
        ready = null;
        // Under `pmsite serve` the index is made after the pages: this
        // page reloads by itself when it is there.
        setStatus(window.__pmsite && /404/.test(e.message)
          ? 'The search index is still being made; this page reloads when it is ready.'
          : 'The search index could not be loaded (' + e.message + ').');
      });
    }
    return ready;
  }

  function setup(m) {
    meta = m;
    var docs = {};
    var info = {};
    var empty = {};
    m.docs.forEach(function (row, i) {
      docs[i] = null;
      var lengths = {};
      m.fields.forEach(function (f, k) { lengths[f] = row[8][k]; });
      info[i] = lengths;
    });
    m.fields.forEach(function (f) { empty[f] = { root: { docs: {}, df: 0 } }; });
    idx = elasticlunr.Index.load({
      version: elasticlunr.version,
      fields: m.fields,
      ref: 'id',
      documentStore: { docs: docs, docInfo: info, length: m.docs.length, save: false },
      index: empty,
      pipeline: m.mode === 'en' ? ['trimmer', 'stopWordFilter', 'stemmer'] : []
    });
    keyShard = new Map();
    m.keys.forEach(function (k, i) { keyShard.set(k, m.keyShards[i]); });
  }

  function shardUrl(n) { return DIR + 'terms/' + n + '.json?v=' + meta.version; }

  function loadShards(set) {
    var wait = [];
    set.forEach(function (n) {
      if (!shards[n]) {
        var forIndex = idx;
        shards[n] = getJSON(shardUrl(n)).then(function (s) {
          // The index was forgotten meanwhile: this shard is not its.
          if (idx !== forIndex) return;
          // A shard of another build than docs.json (the site was
          // redeployed while this page was open): start again.
          if (s.epoch !== meta.epoch) {
            var e = new Error('the search index changed');
            e.stale = true;
            throw e;
          }
          merge(s);
        });
        // Only this index's entry: after `forget`, a late failure of a
        // fetch for the old index must not drop the new index's one.
        var mine = shards;
        var p = shards[n];
        p.catch(function () { if (mine[n] === p) delete mine[n]; });
      }
      wait.push(shards[n]);
    });
    return Promise.all(wait);
  }

  /* Shards hold disjoint terms; a trie node shared by two shards carries its
   * documents in one of them only. */
  function mergeNode(dst, src) {
    for (var k in src) {
      if (!Object.prototype.hasOwnProperty.call(src, k)) continue;
      if (k === 'docs') {
        var d = dst.docs || (dst.docs = {});
        for (var r in src.docs) d[r] = src.docs[r];
      } else if (k === 'df') {
        dst.df = (dst.df || 0) + src.df;
      } else if (Object.prototype.hasOwnProperty.call(dst, k)) {
        mergeNode(dst[k], src[k]);
      } else {
        dst[k] = src[k];
      }
    }
  }

  function merge(shard) {
    var index = shard.index || {};
    for (var f in index) {
      if (idx.index[f]) mergeNode(idx.index[f].root, index[f].root);
    }
    var w = shard.words || {};
    for (var s in w) words[s] = w[s];
    idx._idfCache = {};
  }

  function chars(s) { return Array.from(s); }

  /* The shard of a term: that of the longest key that is a prefix of it. */
  function shardOf(term) {
    var c = chars(term);
    for (var n = c.length; n > 0; n--) {
      var k = c.slice(0, n).join('');
      if (keyShard.has(k)) return keyShard.get(k);
    }
    return -1;
  }

  /* The shards holding every term that starts with `prefix`. */
  function prefixShards(prefix) {
    var set = new Set();
    var s = shardOf(prefix);
    if (s >= 0) set.add(s);
    meta.keys.forEach(function (k, i) {
      if (k.length > prefix.length && k.indexOf(prefix) === 0) set.add(meta.keyShards[i]);
    });
    return set;
  }

  /* ---------- queries ---------- */

  /* Runs of Chinese, Japanese (kana) or Korean characters, as captured by
   * `split` (the ranges of the build's `is_cjk`). */
  var CJK_RUN = /([\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af\u31f0-\u31ff\uff66-\uff9f]+)/;

  function trimWord(w) {
    return w.replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, '');
  }

  /* A query becomes groups of alternative terms; a result must match every
   * group. Stop words make no group, so they never empty the results. */
  function analyse(q) {
    var mode = meta.mode;
    var raw = q.toLowerCase().split(/[\s\-]+/).filter(Boolean);
    if (mode === 'cjk') return analyseCjk(raw);
    if (mode === 'map') return analyseMapped(raw);
    var groups = [];
    raw.forEach(function (w) {
      // Chinese, Japanese or Korean inside English: the index holds their
      // character pairs; every pair of the query must match.
      w.split(CJK_RUN).forEach(function (part, k) {
        if (!part) return;
        if (k % 2 === 1) {
          var c = chars(part);
          if (c.length === 1) {
            groups.push({ alts: [part], expand: true, word: part, cjk: true });
          } else {
            for (var i = 0; i + 1 < c.length; i++) {
              var pair = c[i] + c[i + 1];
              groups.push({ alts: [pair], expand: false, word: pair, cjk: true });
            }
          }
          return;
        }
        var t = idx.pipeline.run(elasticlunr.tokenizer(part));
        if (t.length) groups.push({ alts: t, expand: true, word: part });
      });
    });
    var last = groups[groups.length - 1];
    if (last && !last.expand) last = null;
    return withShards(groups).then(function (groups) {
      // A word being typed whose stem no indexed term begins with
      // ("connecti" is stemmed so, the index holds "connect"): the longest
      // indexed term it begins with, at most four letters shorter.
      if (!last || last.cut || last.alts.some(hasPrefix)) return groups;
      var c = chars(last.alts[0]);
      var need = shardsAlong(last.alts[0]);
      return loadShards(need).then(function () {
        var n = longestTerm(c, 0);
        if (n >= 3 && n >= c.length - 4) last.alts = [c.slice(0, n).join('')];
        return groups;
      });
    });
  }

  /* Does some indexed term begin with `prefix`? */
  function hasPrefix(prefix) {
    var c = chars(prefix);
    return meta.fields.some(function (f) {
      var node = idx.index[f].root;
      for (var n = 0; n < c.length && node; n++) node = node[c[n]];
      return !!node;
    });
  }

  function withShards(groups) {
    var need = new Set();
    groups.forEach(function (g) {
      g.alts.forEach(function (t) {
        var set = g.expand ? prefixShards(t) : new Set([shardOf(t)]);
        if (g.expand && set.size > MAX_PREFIX_SHARDS) {
          g.expand = false;
          g.cut = true;
          set = new Set([shardOf(t)]);
        }
        set.forEach(function (n) { if (n >= 0) need.add(n); });
      });
    });
    return loadShards(need).then(function () { return groups; });
  }

  /* Other languages: the shards map each written word to its stem. A form
   * the knowledge base never uses falls back to the longest indexed term
   * it begins with (at most four letters shorter), so "Zertifikate" still
   * finds "zertifikat". */
  function analyseMapped(raw) {
    var surfaces = raw.map(trimWord).filter(Boolean);
    var need = new Set();
    surfaces.forEach(function (w, i) {
      var set = i === surfaces.length - 1 ? prefixShards(w) : new Set([shardOf(w)]);
      if (set.size > MAX_PREFIX_SHARDS) set = new Set([shardOf(w)]);
      shardsAlong(w).forEach(function (n) { set.add(n); });
      set.forEach(function (n) { if (n >= 0) need.add(n); });
    });
    return loadShards(need).then(function () {
      var groups = [];
      surfaces.forEach(function (w, i) {
        if (Object.prototype.hasOwnProperty.call(words, w)) {
          if (words[w] !== '') groups.push({ alts: [words[w]], expand: i === surfaces.length - 1, word: w });
          return;
        }
        // A word being typed: the stems of the written words it begins.
        var stems = new Set();
        if (i === surfaces.length - 1) {
          for (var s in words) {
            if (s.indexOf(w) === 0 && words[s] !== '') stems.add(words[s]);
            if (stems.size >= 24) break;
          }
        }
        if (!stems.size) {
          var c = chars(w);
          var n = longestTerm(c, 0);
          if (n >= 3 && n >= c.length - 4) stems.add(c.slice(0, n).join(''));
        }
        groups.push({ alts: stems.size ? Array.from(stems) : [w], expand: !stems.size, word: w });
      });
      return withShards(groups);
    });
  }

  /* The shards of every key that is a prefix of `s`. */
  function shardsAlong(s) {
    var c = chars(s);
    var set = new Set();
    for (var n = 1; n <= c.length; n++) {
      var k = c.slice(0, n).join('');
      if (keyShard.has(k)) set.add(keyShard.get(k));
    }
    return set;
  }

  /* Chinese and Japanese: segment each run of CJK characters by greedy
   * longest match against the index's own vocabulary. */
  function analyseCjk(raw) {
    var pieces = [];
    raw.forEach(function (w) {
      var re = /([\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af\u31f0-\u31ff\uff66-\uff9f]+)|([^\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af\u31f0-\u31ff\uff66-\uff9f]+)/g;
      var m;
      while ((m = re.exec(w))) {
        if (m[1]) pieces.push({ cjk: true, text: m[1] });
        else if (trimWord(m[2])) pieces.push({ cjk: false, text: trimWord(m[2]) });
      }
    });
    var need = new Set();
    pieces.forEach(function (p) {
      if (!p.cjk) return;
      var c = chars(p.text);
      for (var i = 0; i < c.length; i++) {
        for (var n = 1; n <= c.length - i; n++) {
          var k = c.slice(i, i + n).join('');
          if (keyShard.has(k)) need.add(keyShard.get(k));
        }
      }
    });
    return loadShards(need).then(function () {
      var groups = [];
      pieces.forEach(function (p) {
        if (!p.cjk) {
          groups.push({ alts: [p.text], expand: true, word: p.text });
          return;
        }
        var c = chars(p.text);
        var i = 0;
        while (i < c.length) {
          var best = longestTerm(c, i);
          if (best > 0) {
            var t = c.slice(i, i + best).join('');
            groups.push({ alts: [t], expand: true, word: t });
            i += best;
          } else {
            i += 1; // not in the index (a particle, or a word no incident has)
          }
        }
      });
      return withShards(groups);
    });
  }

  function longestTerm(c, i) {
    var best = 0;
    meta.fields.forEach(function (f) {
      var node = idx.index[f].root;
      for (var n = i; n < c.length; n++) {
        node = node[c[n]];
        if (!node) break;
        if (node.df > 0 && n - i + 1 > best) best = n - i + 1;
      }
    });
    return best;
  }

  function searchGroups(groups) {
    var total = null;
    groups.forEach(function (g, gi) {
      var scores = {};
      g.alts.forEach(function (t) {
        var alt = {};
        meta.fields.forEach(function (f, k) {
          var config = {};
          config[f] = { boost: meta.boosts[k], bool: 'OR', expand: g.expand };
          var r = idx.fieldSearch([t], f, config) || {};
          for (var ref in r) alt[ref] = (alt[ref] || 0) + r[ref] * meta.boosts[k];
        });
        for (var ref in alt) if (!(scores[ref] >= alt[ref])) scores[ref] = alt[ref];
      });
      // A word still being typed, too short to expand ("kafka t"), that
      // matches nothing by itself does not empty the results yet.
      if (g.cut && gi === groups.length - 1 && total !== null && isEmptyObject(scores)) return;
      if (total === null) {
        total = scores;
      } else {
        var both = {};
        for (var ref in total) if (ref in scores) both[ref] = total[ref] + scores[ref];
        total = both;
      }
    });
    return total;
  }

  function isEmptyObject(o) {
    for (var k in o) return false;
    return true;
  }

  /* ---------- filters and state ---------- */

  function readForm() {
    var sev = [];
    form.querySelectorAll('input[name="sev"]:checked').forEach(function (c) { sev.push(c.value); });
    return {
      q: input.value,
      sev: sev,
      cause: form.elements.cause ? form.elements.cause.value : '',
      service: form.elements.service ? form.elements.service.value : '',
      team: form.elements.team ? form.elements.team.value : '',
      year: form.elements.year ? form.elements.year.value : '',
      open: !!(form.elements.open && form.elements.open.checked)
    };
  }

  function writeForm(s) {
    input.value = s.q;
    form.querySelectorAll('input[name="sev"]').forEach(function (c) { c.checked = s.sev.indexOf(c.value) >= 0; });
    ['cause', 'service', 'team', 'year'].forEach(function (k) {
      var el = form.elements[k];
      if (!el) return;
      el.value = s[k];
      if (el.value !== s[k]) {
        // A value the page does not list (an old link): keep it selectable.
        var o = document.createElement('option');
        o.value = s[k];
        o.textContent = s[k];
        el.appendChild(o);
        el.value = s[k];
      }
    });
    if (form.elements.open) form.elements.open.checked = s.open;
  }

  function fromUrl() {
    var p = new URLSearchParams(location.search);
    return {
      q: p.get('q') || '',
      sev: p.getAll('sev'),
      cause: p.get('cause') || '',
      service: p.get('service') || '',
      team: p.get('team') || '',
      year: p.get('year') || '',
      open: p.get('open') === '1'
    };
  }

  function toUrl(s) {
    var p = new URLSearchParams();
    if (s.q.trim()) p.set('q', s.q.trim());
    s.sev.forEach(function (v) { p.append('sev', v); });
    ['cause', 'service', 'team', 'year'].forEach(function (k) { if (s[k]) p.set(k, s[k]); });
    if (s.open) p.set('open', '1');
    var qs = p.toString();
    var url = location.pathname + (qs ? '?' + qs : '');
    if (url !== location.pathname + location.search) history.replaceState(null, '', url);
  }

  function isEmpty(s) {
    return !s.q.trim() && !s.sev.length && !s.cause && !s.service && !s.team && !s.year && !s.open;
  }

  function filterFn(s) {
    var sev = s.sev.map(function (v) { return meta.severities.indexOf(v); });
    var cause = s.cause ? meta.causes.indexOf(s.cause) : null;
    var service = s.service ? meta.services.indexOf(s.service) : null;
    var team = s.team ? meta.teams.indexOf(s.team) : null;
    return function (i) {
      var row = meta.docs[i];
      if (sev.length && sev.indexOf(row[3]) < 0) return false;
      if (cause !== null && row[4].indexOf(cause) < 0) return false;
      if (service !== null && row[5].indexOf(service) < 0) return false;
      if (team !== null && row[6].indexOf(team) < 0) return false;
      if (s.year && row[2].slice(0, 4) !== s.year) return false;
      if (s.open && row[7] !== 1) return false;
      return true;
    };
  }

  /* ---------- running a search ---------- */

  function schedule(delay) {
    clearTimeout(timer);
    timer = setTimeout(run, delay);
  }

  /* Forgets the index, to load the current one. */
  function forget() {
    ready = null;
    meta = null;
    idx = null;
    keyShard = null;
    words = Object.create(null);
    shards = {};
    texts = {};
  }

  var restarts = 0; // index reloads in a row for a changed site

  function run() {
    var s = readForm();
    toUrl(s);
    var mine = ++seq;
    if (isEmpty(s)) {
      results = [];
      query = null;
      clearList();
      setStatus('');
      moreBtn.hidden = true;
      return;
    }
    start().then(function () {
      if (mine !== seq) return null;
      return s.q.trim() ? analyse(s.q) : [];
    }).then(function (groups) {
      if (groups === null || mine !== seq) return;
      var keep = filterFn(s);
      var found = [];
      if (groups.length) {
        var scores = searchGroups(groups) || {};
        for (var ref in scores) {
          var i = +ref;
          if (keep(i)) found.push({ i: i, score: scores[ref] });
        }
        found.sort(function (a, b) { return b.score - a.score || a.i - b.i; });
      } else if (!s.q.trim() || hasFilters(s)) {
        // No words to look for (none, or only stop words): the filters
        // alone, newest first.
        for (var j = 0; j < meta.docs.length; j++) if (keep(j)) found.push({ i: j, score: 0 });
      }
      results = found;
      query = groups;
      shown = 0;
      clearList();
      showMore();
      list.setAttribute('data-for', location.search);
      announce(s, found.length);
      restarts = 0;
    }).catch(function (e) {
      if (mine !== seq) return;
      if (e.stale && restarts < 5) {
        // While a new build is being written its files change one by
        // one: wait a little longer each time.
        restarts++;
        forget();
        setStatus('The site changed; loading the new search index…');
        setTimeout(function () { if (mine === seq) run(); }, 250 * restarts);
        return;
      }
      setStatus('Search failed: ' + e.message);
    });
  }

  function hasFilters(s) { return !isEmpty(Object.assign({}, s, { q: '' })); }

  function announce(s, n) {
    var what = s.q.trim() ? ' for “' + s.q.trim() + '”' : '';
    var filtered = hasFilters(s) ? ' with the filters' : '';
    if (n === 0) setStatus('No incidents found' + what + filtered + '.');
    else setStatus(n + (n === 1 ? ' incident' : ' incidents') + ' found' + what + filtered + '.');
  }

  function setStatus(text) { statusEl.textContent = text; }

  function clearList() {
    while (list.firstChild) list.removeChild(list.firstChild);
  }

  function showMore() {
    var end = Math.min(results.length, shown + PAGE);
    for (var k = shown; k < end; k++) list.appendChild(resultItem(results[k].i, k === shown && shown > 0));
    shown = end;
    moreBtn.hidden = shown >= results.length;
  }

  /* ---------- results ---------- */

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function resultItem(i, focusIt) {
    var row = meta.docs[i];
    var url = BASE + 'postmortems/' + encodeURIComponent(row[0]) + '/';
    var li = el('li', 'result');
    var h = el('h2', 'result-title');
    var a = el('a');
    a.href = url;
    highlightInto(a, row[1], query);
    h.appendChild(a);
    li.appendChild(h);
    var metaLine = el('p', 'result-meta');
    // Read aloud (and copied) as "SEV2, 2018-04-12, in § Summary".
    var comma = function () { return el('span', 'visually-hidden', ', '); };
    if (row[3] >= 0) {
      var sev = el('span', 'sev sev-' + (row[3] + 1), meta.severities[row[3]]);
      sev.appendChild(comma());
      metaLine.appendChild(sev);
    }
    var time = el('time', null, row[2]);
    time.setAttribute('datetime', row[2]);
    metaLine.appendChild(time);
    var where = el('span', 'result-section');
    metaLine.appendChild(where);
    li.appendChild(metaLine);
    var snippet = el('p', 'result-snippet');
    li.appendChild(snippet);
    var groups = query;
    textOf(i, url).then(function (t) {
      if (groups !== query) return;
      fillSnippet(t, groups, a, url, where, snippet);
    }).catch(function () { /* the title and date still show */ });
    if (focusIt) setTimeout(function () { a.focus(); }, 0);
    return li;
  }

  /* The text of a result, from its page: the summary and impact, the
   * sections of the body (heading, anchor, text), the timeline and the
   * follow-ups. Parsed, never run: DOMParser does not execute scripts. */
  function textOf(i, url) {
    if (!texts[i]) {
      texts[i] = fetch(url, { credentials: 'same-origin' })
        .then(function (r) {
          if (!r.ok) throw new Error(url + ': ' + r.status);
          return r.text();
        })
        .then(pageText);
      texts[i].catch(function () { delete texts[i]; });
    }
    return texts[i];
  }

  function clean(node) {
    return node ? node.textContent.replace(/\s+/g, ' ').trim() : '';
  }

  function pageText(html) {
    var doc = new DOMParser().parseFromString(html, 'text/html');
    var summary = [clean(doc.querySelector('.pm-summary')), clean(doc.querySelector('.pm-impact'))]
      .filter(Boolean).join('\n');
    var sections = [];
    var body = doc.querySelector('.pm-body');
    if (body) {
      var cur = [null, null, ''];
      Array.prototype.forEach.call(body.children, function (child) {
        if (/^H[1-6]$/.test(child.tagName)) {
          if (cur[0] || cur[2]) sections.push(cur);
          cur = [clean(child), child.id || null, ''];
        } else {
          cur[2] += (cur[2] ? '\n' : '') + clean(child);
        }
      });
      if (cur[0] || cur[2]) sections.push(cur);
    }
    [['.pm-timeline .timeline', 'Timeline', 'pm-timeline-title'],
     ['.pm-follow-ups table', 'Follow-up actions', 'pm-follow-ups-title']].forEach(function (s) {
      var node = doc.querySelector(s[0]);
      if (node) sections.push([s[1], s[2], clean(node)]);
    });
    return { summary: summary, sections: sections };
  }

  /* Where the words matched: the section with the most query words (ties:
   * the first), else the summary. */
  function fillSnippet(t, groups, a, url, where, snippet) {
    var best = null;
    var bestScore = 0;
    if (groups && groups.length) {
      (t.sections || []).forEach(function (sec) {
        var text = (sec[0] || '') + '\n' + sec[2];
        var m = matches(text, groups);
        var score = m.groups * 1000 + m.ranges.length;
        if (m.ranges.length && score > bestScore) {
          best = sec;
          bestScore = score;
        }
      });
      var inSummary = matches(t.summary || '', groups);
      if (best && inSummary.groups * 1000 + inSummary.ranges.length >= bestScore) best = null;
    }
    if (best) {
      if (best[1]) a.href = url + '#' + encodeURIComponent(best[1]);
      if (best[0]) {
        where.textContent = 'in § ' + best[0];
        where.insertBefore(el('span', 'visually-hidden', ', '), where.firstChild);
      }
      snippetInto(snippet, best[2], groups);
    } else {
      snippetInto(snippet, t.summary || '', groups);
    }
  }

  var stemCache = new Map();

  function stemOf(word) {
    var s = stemCache.get(word);
    if (s === undefined) {
      var t = idx.pipeline.run([word]);
      s = t.length ? t[0] : '';
      stemCache.set(word, s);
    }
    return s;
  }

  /* The ranges of a text that match the query, and how many groups matched. */
  function matches(text, groups) {
    var ranges = [];
    var hit = new Set();
    if (!groups || !groups.length || !text) return { ranges: ranges, groups: 0 };
    var lower = text.toLowerCase();
    groups.forEach(function (g, gi) {
      // CJK text has no spaces between words: found where it occurs.
      if (meta.mode !== 'cjk' && !g.cjk) return;
      g.alts.forEach(function (t) {
        var from = 0;
        var at;
        while (t && (at = lower.indexOf(t, from)) >= 0) {
          ranges.push([at, at + t.length]);
          hit.add(gi);
          from = at + t.length;
        }
      });
    });
    if (meta.mode !== 'cjk') {
      var re = /[^\s\-]+/g;
      var m;
      while ((m = re.exec(text))) {
        var lowerWord = m[0].toLowerCase();
        var word = trimWord(lowerWord);
        if (!word) continue;
        var start = m.index + lowerWord.indexOf(word);
        var stem = meta.mode === 'en' ? stemOf(word) : (words[word] || word);
        for (var gi = 0; gi < groups.length; gi++) {
          var g = groups[gi];
          if (g.cjk) continue;
          var ok = g.alts.some(function (alt) {
            return stem === alt || (g.expand && stem.indexOf(alt) === 0) || word.indexOf(alt) === 0;
          });
          if (ok) {
            ranges.push([start, start + word.length]);
            hit.add(gi);
            break;
          }
        }
      }
    }
    ranges.sort(function (x, y) { return x[0] - y[0]; });
    // Character pairs overlap (決済, 済サ): one mark for the run.
    var merged = [];
    ranges.forEach(function (r) {
      var prev = merged[merged.length - 1];
      if (prev && r[0] <= prev[1]) prev[1] = Math.max(prev[1], r[1]);
      else merged.push([r[0], r[1]]);
    });
    return { ranges: merged, groups: hit.size };
  }

  function highlightInto(parent, text, groups) {
    var r = matches(text, groups).ranges;
    var at = 0;
    r.forEach(function (x) {
      if (x[0] < at) return;
      if (x[0] > at) parent.appendChild(document.createTextNode(text.slice(at, x[0])));
      parent.appendChild(el('mark', null, text.slice(x[0], x[1])));
      at = x[1];
    });
    if (at < text.length) parent.appendChild(document.createTextNode(text.slice(at)));
  }

  /* About 220 characters of a text around its first match. */
  function snippetInto(p, text, groups) {
    text = text.replace(/\s+/g, ' ').trim();
    var r = matches(text, groups).ranges;
    var from = 0;
    if (r.length && r[0][0] > 60) {
      from = text.lastIndexOf(' ', r[0][0] - 50);
      from = from < 0 ? 0 : from + 1;
    }
    var to = Math.min(text.length, from + 220);
    if (to < text.length) {
      var sp = text.lastIndexOf(' ', to);
      if (sp > from + 120) to = sp;
    }
    var part = (from > 0 ? '… ' : '') + text.slice(from, to) + (to < text.length ? ' …' : '');
    highlightInto(p, part, groups);
  }

  /* ---------- wiring ---------- */

  input.addEventListener('input', function () { schedule(15); });
  input.addEventListener('focus', function () { if (input.value) start(); }, { once: true });
  form.addEventListener('change', function (e) { if (e.target !== input) schedule(0); });
  form.addEventListener('submit', function (e) {
    e.preventDefault();
    schedule(0);
  });
  form.addEventListener('reset', function () { setTimeout(function () { schedule(0); }, 0); });
  moreBtn.addEventListener('click', function () { showMore(); });

  /* Arrow keys move between the query and the results; Escape goes back. */
  function resultLinks() { return Array.prototype.slice.call(list.querySelectorAll('.result-title a')); }
  input.addEventListener('keydown', function (e) {
    if (e.key === 'ArrowDown') {
      var links = resultLinks();
      if (links.length) {
        e.preventDefault();
        links[0].focus();
      }
    }
  });
  list.addEventListener('keydown', function (e) {
    var links = resultLinks();
    var k = links.indexOf(document.activeElement);
    if (k < 0) return;
    if (e.key === 'ArrowDown' && k + 1 < links.length) {
      e.preventDefault();
      links[k + 1].focus();
    } else if (e.key === 'ArrowUp') {
      e.preventDefault();
      if (k > 0) links[k - 1].focus(); else input.focus();
    } else if (e.key === 'Escape') {
      e.preventDefault();
      input.focus();
    }
  });

  var initial = fromUrl();
  writeForm(initial);
  if (!isEmpty(initial)) run();
  // Arriving from the search box of another page: go on typing here.
  input.focus({ preventScroll: true });
})();
