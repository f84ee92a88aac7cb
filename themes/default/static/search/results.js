/* The results on screen, 20 at a time, each with a snippet of the section
 * of its page where the words matched (the pages are fetched for the
 * results shown, and parsed, never run), or of its summary for a search
 * by filters alone.
 *
 * Text from the knowledge base is only ever put in the page as text nodes. */

import { trimWord } from './text.js';

const PAGE = 20;

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
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
    this.shown = 0;
    this.groups = null; // the analysed query of the results on screen
  }

  /** The first page of results of a search, to show (see `show`). */
  static async first(index, results) {
    const list = await results.top(PAGE);
    return { list, rows: await index.rows(list) };
  }

  /** Shows the first results of a search (`first`: from `first()`). */
  show(index, results, groups, first) {
    this.index = index;
    this.results = results;
    this.groups = groups;
    this.shown = 0;
    this.list.replaceChildren();
    this.append(first, false);
  }

  clear() {
    this.results = null;
    this.groups = null;
    this.shown = 0;
    this.list.replaceChildren();
    this.moreButton.hidden = true;
  }

  append({ list, rows }, focusFirst) {
    list.forEach((i, k) => {
      this.list.appendChild(this.item(i, rows[k], focusFirst && k === 0));
    });
    this.shown += list.length;
    this.moreButton.hidden = this.shown >= this.results.count;
  }

  /** Shows the next results and focuses the first of them. */
  async more() {
    const { results, index } = this;
    if (!results) return;
    try {
      const all = await results.top(this.shown + PAGE);
      const list = all.slice(this.shown);
      const rows = await index.rows(list);
      if (results === this.results) this.append({ list, rows }, true);
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
    // With words: the section of the page where they matched. By filters
    // alone: the summary, from the index.
    const text = groups.length
      ? textOf(index, i, url)
      : index.summary(i).then((summary) => ({ summary, sections: [] }));
    text.then((t) => {
      if (groups !== this.groups) return;
      fillSnippet(index, t, groups, { a, url, where, snippet });
    }).catch(() => { /* the title and date still show */ });
    if (focusIt) setTimeout(() => a.focus(), 0);
    return li;
  }
}

/* The text of a result, from its page: the summary and impact, the
 * sections of the body (heading, anchor, text), the timeline and the
 * follow-ups. Parsed, never run: DOMParser does not execute scripts. */
function textOf(index, i, url) {
  let p = index.pageTexts.get(i);
  if (!p) {
    p = (async () => {
      const r = await fetch(url, { credentials: 'same-origin' });
      if (!r.ok) throw new Error(url + ': ' + r.status);
      return pageText(await r.text());
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
  let best = null;
  let bestScore = 0;
  if (groups && groups.length) {
    for (const sec of t.sections) {
      const m = matches(index, (sec.heading || '') + '\n' + sec.text, groups);
      const score = m.groups * 1000 + m.ranges.length;
      if (m.ranges.length && score > bestScore) {
        best = sec;
        bestScore = score;
      }
    }
    const inSummary = matches(index, t.summary, groups);
    if (best && inSummary.groups * 1000 + inSummary.ranges.length >= bestScore) best = null;
  }
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
      const stem = index.mode === 'en' ? index.stem(word) : (index.writtenStem(word) || word);
      const gi = groups.findIndex((g) => !g.cjk && g.alts.some((alt) =>
        stem === alt || (g.expand && stem.startsWith(alt)) || word.startsWith(alt)));
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
  const r = matches(index, text, groups).ranges;
  let from = 0;
  if (r.length && r[0][0] > 60) {
    from = text.lastIndexOf(' ', r[0][0] - 50);
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
