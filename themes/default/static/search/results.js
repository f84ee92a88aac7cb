/* The results on screen, 20 at a time, each with a snippet of the section
 * of its page where the words matched (the pages are fetched for the
 * results shown, and parsed, never run), or of its summary for a search
 * by filters alone.
 *
 * Text from the knowledge base is only ever put in the page as text nodes. */

import { trimWord } from './text.js';

/** Results shown at a time. */
export const PAGE = 20;

/* How long the results on screen stay before their pages are fetched for
 * the snippets (ms): about the time between two keystrokes. */
const SNIPPET_PAUSE = 150;

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

/* Whether two analysed queries look for the same words (so their
 * results show the same highlights). */
function sameWords(a, b) {
  const key = (groups) => JSON.stringify(groups.map((g) => [g.alts, !!g.expand, !!g.cut, !!g.cjk]));
  return !!a && !!b && key(a) === key(b);
}

/* Read aloud (and copied) as "SEV2, 2018-04-12, in § Summary". */
function comma() {
  return el('span', 'visually-hidden', ', ');
}

export class ResultList {
  /** `base`: the site's base URL, ending in `/`; `onError(e)` is told
   * when the next results cannot be loaded. */
  constructor(list, moreButton, base, onError) {
    this.list = list;
    this.moreButton = moreButton;
    this.base = base;
    this.onError = onError;
    this.index = null;
    this.results = null; // Ranking or ByFilters (ranking.js)
    this.items = []; // the incidents on screen, in order
    this.shown = 0;
    this.settled = true;
    this.groups = null; // the analysed query of the results on screen
    this.pending = []; // results whose snippet waits for its page
  }

  /** Shows the first results of a search (`first`: {list, rows}, the
   * rows from `index.rows`); `settled`: whether their order is final (else
   * `settle` gives it when the tiers that fix it have come). The list is
   * marked `data-settled="0"` until then. */
  show(index, results, groups, first, settled) {
    const same = index === this.index && first.list.length === this.items.length
      && first.list.every((i, k) => this.items[k] === i) && sameWords(groups, this.groups);
    this.index = index;
    this.results = results;
    if (same) {
      // The same results for the same words ("latency" and then
      // "latency "): what is on screen stays.
      this.moreButton.hidden = this.shown >= results.count;
    } else {
      this.groups = groups;
      this.render(first, -1);
    }
    this.setSettled(settled);
    if (settled) this.loadSnippets();
  }

  /** The final order of the first results of the search on screen. */
  settle(results, first) {
    if (results !== this.results || this.settled) return;
    if (!first.list.every((i, k) => this.items[k] === i)) this.render(first, -1);
    this.setSettled(true);
    this.loadSnippets();
  }

  setSettled(settled) {
    this.settled = settled;
    this.list.dataset.settled = settled ? '1' : '0';
  }

  clear() {
    this.results = null;
    this.groups = null;
    clearTimeout(this.snippetTimer);
    this.items = [];
    this.pending = [];
    this.shown = 0;
    this.list.replaceChildren();
    this.setSettled(true);
    this.moreButton.hidden = true;
  }

  /* The list shows `list` (its rows `rows`) from the start; the item at
   * `focusAt` takes the focus. */
  render({ list, rows }, focusAt) {
    clearTimeout(this.snippetTimer);
    this.items = [];
    this.pending = [];
    this.shown = 0;
    this.list.replaceChildren();
    this.append({ list, rows }, focusAt);
  }

  append({ list, rows }, focusAt) {
    list.forEach((i, k) => {
      this.list.appendChild(this.item(i, rows[k], this.shown + k === focusAt));
    });
    this.items.push(...list);
    this.shown += list.length;
    this.moreButton.hidden = this.shown >= this.results.count;
  }

  /** Shows the next results (in their final order, with those on screen
   * put in it if they were not yet) and focuses the first of them. */
  async more() {
    const { results, index } = this;
    if (!results) return;
    try {
      const all = await results.top(this.shown + PAGE);
      const rows = await index.rows(all);
      if (results !== this.results) return;
      const from = this.shown;
      if (this.items.every((i, k) => all[k] === i)) {
        this.append({ list: all.slice(from), rows: rows.slice(from) }, from);
      } else {
        this.render({ list: all, rows }, from);
      }
      this.setSettled(true);
      this.loadSnippets();
    } catch (e) {
      if (results === this.results) this.onError(e);
    }
  }

  /** The links of the results on screen. */
  links() {
    return Array.from(this.list.querySelectorAll('.result-title a'));
  }

  item(i, doc, focusIt) {
    const { index, groups } = this;
    const url = this.base + 'postmortems/' + encodeURIComponent(doc.id) + '/';
    const li = el('li', 'result');
    const h = el('h2', 'result-title');
    const a = el('a');
    a.href = url;
    highlightInto(index, a, doc.title, groups);
    h.appendChild(a);
    li.appendChild(h);
    const metaLine = el('p', 'result-meta');
    if (doc.severity >= 0) {
      const sev = el('span', 'sev sev-' + (doc.severity + 1), index.severities[doc.severity]);
      sev.appendChild(comma());
      metaLine.appendChild(sev);
    }
    const time = el('time', null, doc.date);
    time.setAttribute('datetime', doc.date);
    metaLine.appendChild(time);
    const where = el('span', 'result-section');
    metaLine.appendChild(where);
    li.appendChild(metaLine);
    const snippet = el('p', 'result-snippet');
    li.appendChild(snippet);
    // With words: the section of the page where they matched (at once if
    // the page was read for an earlier search, else once the order of the
    // results is final: see `loadSnippets`). By filters alone: the
    // summary, from the index.
    const parts = { a, url, where, snippet };
    if (!groups.length) {
      index.summary(i).then((summary) => {
        if (groups === this.groups) fillSnippet(index, { summary, sections: [] }, groups, parts);
      }).catch(() => { /* the title and date still show */ });
    } else if (index.pageTextsRead.has(i)) {
      fillSnippet(index, index.pageTextsRead.get(i), groups, parts);
    } else {
      this.pending.push({ i, groups, parts });
    }
    if (focusIt) setTimeout(() => a.focus(), 0);
    return li;
  }

  /* Fetches the pages of the results on screen whose snippets wait for
   * them, once their order is final and the typing has paused: a fast
   * typist's every keystroke does not fetch and parse twenty pages, nor
   * keep the browser's few connections from the index files. */
  loadSnippets() {
    clearTimeout(this.snippetTimer);
    this.snippetTimer = setTimeout(() => {
      const { index } = this;
      for (const { i, groups, parts } of this.pending.splice(0)) {
        textOf(index, i, parts.url).then((t) => {
          if (groups === this.groups) fillSnippet(index, t, groups, parts);
        }).catch(() => { /* the title and date still show */ });
      }
    }, SNIPPET_PAUSE);
  }
}

/* The text of a result, from its page: the summary and impact, the
 * sections of the body (heading, anchor, text), the timeline and the
 * follow-ups. Parsed, never run: DOMParser does not execute scripts. */
function textOf(index, i, url) {
  let p = index.pageTexts.get(i);
  if (!p) {
    p = (async () => {
      const r = await fetch(url, { credentials: 'same-origin', priority: 'low' });
      if (!r.ok) throw new Error(url + ': ' + r.status);
      const t = pageText(await r.text());
      index.pageTextsRead.set(i, t);
      return t;
    })();
    index.pageTexts.set(i, p);
    p.catch(() => index.pageTexts.delete(i));
  }
  return p;
}

function clean(node) {
  return node ? node.textContent.replace(/\s+/g, ' ').trim() : '';
}

/* {summary, sections: [{heading, anchor, text}]} */
function pageText(html) {
  const doc = new DOMParser().parseFromString(html, 'text/html');
  const summary = [clean(doc.querySelector('.pm-summary')), clean(doc.querySelector('.pm-impact'))]
    .filter(Boolean).join('\n');
  const sections = [];
  const body = doc.querySelector('.pm-body');
  if (body) {
    let cur = { heading: null, anchor: null, text: '' };
    for (const child of body.children) {
      if (/^H[1-6]$/.test(child.tagName)) {
        if (cur.heading || cur.text) sections.push(cur);
        cur = { heading: clean(child), anchor: child.id || null, text: '' };
      } else {
        cur.text += (cur.text ? '\n' : '') + clean(child);
      }
    }
    if (cur.heading || cur.text) sections.push(cur);
  }
  for (const [selector, heading, anchor] of [
    ['.pm-timeline .timeline', 'Timeline', 'pm-timeline-title'],
    ['.pm-follow-ups table', 'Follow-up actions', 'pm-follow-ups-title']
  ]) {
    const node = doc.querySelector(selector);
    if (node) sections.push({ heading, anchor, text: clean(node) });
  }
  return { summary, sections };
}

/* Where the words matched: the section with the most query words (ties:
 * the first), else the summary. */
function fillSnippet(index, t, groups, { a, url, where, snippet }) {
  const best = groups && groups.length ? bestSection(index, t, groups) : null;
  if (best) {
    if (best.anchor) a.href = url + '#' + encodeURIComponent(best.anchor);
    if (best.heading) {
      where.textContent = 'in § ' + best.heading;
      where.insertBefore(comma(), where.firstChild);
    }
    snippetInto(index, snippet, best.text, groups);
  } else {
    snippetInto(index, snippet, t.summary, groups);
  }
}

/* The section of a page whose text (heading included) matches the most
 * groups, then has the most matches (the first of equals), unless the
 * summary matches as well; null for the summary. */
function bestSection(index, t, groups) {
  const texts = [t.summary, ...t.sections.map((sec) => (sec.heading || '') + '\n' + sec.text)];
  const scores = matchCounts(index, t, texts, groups);
  let best = 0;
  let bestScore = 0;
  for (let k = 1; k < texts.length; k++) {
    const { groups: g, ranges } = scores[k];
    if (ranges && g * 1000 + ranges > bestScore) {
      best = k;
      bestScore = g * 1000 + ranges;
    }
  }
  if (!best || scores[0].groups * 1000 + scores[0].ranges >= bestScore) return null;
  return t.sections[best - 1];
}

/* For each of a page's texts, how many ranges match the query (as
 * `matches` counts them) and how many groups matched. The page's words
 * are listed once, each with the texts it is in and how often (kept on
 * `t`, the page's text, kept with the page), so a keystroke looks each
 * distinct word of the page up once. */
function matchCounts(index, t, texts, groups) {
  if (index.mode === 'cjk' || groups.some((g) => g.cjk)) {
    return texts.map((text) => {
      const m = matches(index, text, groups);
      return { groups: m.groups, ranges: m.ranges.length };
    });
  }
  if (!t.words) {
    t.words = new Map();
    texts.forEach((text, k) => {
      for (const m of (text || '').matchAll(/[^\s-]+/g)) {
        const word = trimWord(m[0].toLowerCase());
        if (!word) continue;
        let where = t.words.get(word);
        if (!where) t.words.set(word, where = []);
        if (where.length && where[where.length - 2] === k) where[where.length - 1]++;
        else where.push(k, 1);
      }
    });
  }
  const hit = texts.map(() => new Set());
  const ranges = texts.map(() => 0);
  for (const [word, where] of t.words) {
    const gi = groupOf(index, word, groups);
    if (gi < 0) continue;
    for (let j = 0; j < where.length; j += 2) {
      hit[where[j]].add(gi);
      ranges[where[j]] += where[j + 1];
    }
  }
  return texts.map((_, k) => ({ groups: hit[k].size, ranges: ranges[k] }));
}

/* Per query (its groups): word → the group it matches. */
const matched = new WeakMap();

/* The group a word of the text (lowercased, trimmed) matches, or -1. */
function groupOf(index, word, groups) {
  let memo = matched.get(groups);
  if (!memo) matched.set(groups, memo = new Map());
  let gi = memo.get(word);
  if (gi === undefined) {
    const stem = index.mode === 'en' ? index.stem(word) : (index.writtenStem(word) || word);
    gi = groups.findIndex((g) => !g.cjk && g.alts.some((alt) =>
      stem === alt || (g.expand && stem.startsWith(alt)) || word.startsWith(alt)));
    memo.set(word, gi);
  }
  return gi;
}

/* Where the first match of the query in a text begins (-1 for none). */
function firstMatch(index, text, groups) {
  if (index.mode === 'cjk' || groups.some((g) => g.cjk)) {
    const r = matches(index, text, groups).ranges;
    return r.length ? r[0][0] : -1;
  }
  for (const m of text.matchAll(/[^\s-]+/g)) {
    const lowerWord = m[0].toLowerCase();
    const word = trimWord(lowerWord);
    if (word && groupOf(index, word, groups) >= 0) return m.index + lowerWord.indexOf(word);
  }
  return -1;
}

/* The ranges of a text that match the query, and how many groups matched. */
function matches(index, text, groups) {
  const ranges = [];
  const hit = new Set();
  if (!groups || !groups.length || !text) return { ranges, groups: 0 };
  const cjkMode = index.mode === 'cjk';
  const lower = text.toLowerCase();
  groups.forEach((g, gi) => {
    // CJK text has no spaces between words: found where it occurs.
    if (!cjkMode && !g.cjk) return;
    for (const t of g.alts) {
      let from = 0;
      let at;
      while (t && (at = lower.indexOf(t, from)) >= 0) {
        ranges.push([at, at + t.length]);
        hit.add(gi);
        from = at + t.length;
      }
    }
  });
  if (!cjkMode) {
    for (const m of text.matchAll(/[^\s-]+/g)) {
      const lowerWord = m[0].toLowerCase();
      const word = trimWord(lowerWord);
      if (!word) continue;
      const start = m.index + lowerWord.indexOf(word);
      const gi = groupOf(index, word, groups);
      if (gi >= 0) {
        ranges.push([start, start + word.length]);
        hit.add(gi);
      }
    }
  }
  ranges.sort((x, y) => x[0] - y[0]);
  // Character pairs overlap (決済, 済サ): one mark for the run.
  const merged = [];
  for (const r of ranges) {
    const prev = merged[merged.length - 1];
    if (prev && r[0] <= prev[1]) prev[1] = Math.max(prev[1], r[1]);
    else merged.push([r[0], r[1]]);
  }
  return { ranges: merged, groups: hit.size };
}

function highlightInto(index, parent, text, groups) {
  let at = 0;
  for (const [from, to] of matches(index, text, groups).ranges) {
    if (from < at) continue;
    if (from > at) parent.appendChild(document.createTextNode(text.slice(at, from)));
    parent.appendChild(el('mark', null, text.slice(from, to)));
    at = to;
  }
  if (at < text.length) parent.appendChild(document.createTextNode(text.slice(at)));
}

/* About 220 characters of a text around its first match. */
function snippetInto(index, p, text, groups) {
  text = text.replace(/\s+/g, ' ').trim();
  const first = firstMatch(index, text, groups);
  let from = 0;
  if (first > 60) {
    from = text.lastIndexOf(' ', first - 50);
    from = from < 0 ? 0 : from + 1;
  }
  let to = Math.min(text.length, from + 220);
  if (to < text.length) {
    const sp = text.lastIndexOf(' ', to);
    if (sp > from + 120) to = sp;
  }
  const part = (from > 0 ? '… ' : '') + text.slice(from, to) + (to < text.length ? ' …' : '');
  highlightInto(index, p, part, groups);
}
