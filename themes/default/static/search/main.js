/* pmsite search: the search page, wired. It queries the index that
 * `pmsite build` made with elasticlunr-rs, with elasticlunr.js, in the
 * browser; nothing is fetched until the reader types or picks a filter.
 *
 *   loading.js  the index files, fetched as a search needs them (SearchIndex)
 *   query.js    a query into terms, per language
 *   ranking.js  the results in order: scores, tiers, filters
 *   sets.js     sets of incidents
 *   state.js    the words and filters, in the form and in the URL
 *   results.js  the results on screen and their snippets
 *   text.js     cutting text into words (the CJK ranges)
 */

import { SearchIndex, StaleIndex } from './loading.js';
import { analyse } from './query.js';
import { ByFilters, Ranking } from './ranking.js';
import { PAGE, ResultList } from './results.js';
import { DocSet } from './sets.js';
import { filterSet, fromUrl, hasFilters, isEmpty, readForm, toUrl, writeForm } from './state.js';

const form = document.getElementById('search');
if (form) wire(form);

function wire(form) {
  const input = document.getElementById('search-q');
  const statusEl = document.getElementById('search-status');
  const list = document.getElementById('search-results');
  const moreButton = document.getElementById('search-more');
  const base = form.getAttribute('data-base') || '/';
  const dir = form.getAttribute('data-index') || base + 'search/';
  const engine = form.getAttribute('data-engine');
  const view = new ResultList(list, moreButton, base, (e) => failed(e, session.seq));

  /* What the page's search is at. */
  const session = {
    ready: null, // promise of the SearchIndex being usable
    seq: 0, // the latest search; older ones are dropped
    timer: 0,
    restarts: 0 // index reloads in a row for a changed site
  };

  const setStatus = (text) => { statusEl.textContent = text; };

  /* With `globalThis.__pmsiteSearchTrace` an array (scripts/search-weight.mjs
   * sets it), each search adds {q, at, phases: [[what, ms since at]]}, `at`
   * its start (performance.now()). */
  function tracer(q) {
    const trace = globalThis.__pmsiteSearchTrace;
    if (!Array.isArray(trace)) return () => {};
    const t0 = performance.now();
    const phases = [];
    trace.push({ q, at: t0, phases });
    return (what) => phases.push([what, Math.round(performance.now() - t0)]);
  }

  function start() {
    if (!session.ready) {
      setStatus('Loading the search index…');
      const ready = SearchIndex.load(dir, engine);
      session.ready = ready;
      ready.catch((e) => {
        if (session.ready === ready) session.ready = null;
        // Under `pmsite serve` the index is made after the pages: this
        // page reloads by itself when it is there.
        if (globalThis.__pmsite && /404/.test(e.message)) {
          setStatus('The search index is still being made; this page reloads when it is ready.');
        } else if (location.protocol === 'file:') {
          // A browser that runs the modules from disk but does not
          // fetch files there (the page's own script says the same when
          // it does not run them).
          setStatus('Search cannot load its index on a page opened from disk (a file: address). ' +
            'Serve the site folder and open this page over http:// instead: run “pmsite serve” in the knowledge base, ' +
            'or “python3 -m http.server” in the output folder (public/) and open http://localhost:8000/search/.');
        } else {
          setStatus('The search index could not be loaded (' + e.message + ').');
        }
      });
    }
    return session.ready;
  }

  /* Forgets the index, to load the current one. */
  function forget() {
    session.ready = null;
  }

  function schedule(delay) {
    clearTimeout(session.timer);
    session.timer = setTimeout(run, delay);
  }

  function resultsOf(index, groups, filter) {
    if (groups.length) return new Ranking(index, groups, filter);
    // No words to look for (none, or only stop words): the filters alone,
    // newest first.
    return new ByFilters(filter || new DocSet(index.n));
  }

  /* A search: the results in the order of what is loaded are shown at
   * once; when that order is not final yet (tiers of the words' postings
   * still to come, ranking.js), the final one follows. */
  async function run() {
    const s = readForm(form, input);
    toUrl(s);
    const mine = ++session.seq;
    const mark = tracer(s.q);
    if (isEmpty(s)) {
      view.clear();
      setStatus('');
      return;
    }
    try {
      const index = await start();
      if (mine !== session.seq) return;
      const groups = s.q.trim() ? await analyse(index, s.q) : [];
      if (mine !== session.seq) return;
      const filter = await filterSet(index, s);
      if (mine !== session.seq) return;
      mark('words and filters');
      // The shard of a short word typed last, if it was not waited for
      // (query.js): searched again when it is there.
      let later = groups.later;
      for (;;) {
        const results = resultsOf(index, groups, filter);
        const now = results.now(PAGE);
        mark('ranked');
        // The tiers that settle the order are asked for now, beside the
        // rows of the order shown meanwhile.
        const settling = now.settled || later ? null : results.top(PAGE, () => mine === session.seq);
        if (settling) settling.catch(() => { /* told below, if it still matters */ });
        const rows = await index.rows(now.list);
        if (mine !== session.seq) return;
        view.show(index, results, groups, { list: now.list, rows }, now.settled && !later);
        list.setAttribute('data-for', location.search);
        announce(s, results.count);
        mark(now.settled && !later ? 'shown' : 'shown, not settled');
        session.restarts = 0;
        if (later) {
          await later;
          later = null;
          if (mine !== session.seq) return;
          mark('the last word\'s shard');
          continue;
        }
        if (now.settled) return;
        const final = await settling;
        if (mine !== session.seq) return;
        const finalRows = await index.rows(final);
        if (mine !== session.seq) return;
        view.settle(results, { list: final, rows: finalRows });
        mark('settled after ' + results.rounds + ' rounds of tiers (' + results.fetched.join('; ') + ')');
        return;
      }
    } catch (e) {
      failed(e, mine);
    }
  }

  function failed(e, mine) {
    if (mine !== session.seq) return;
    if (e instanceof StaleIndex && session.restarts < 5) {
      // While a new build is being written its files change one by
      // one: wait a little longer each time.
      session.restarts++;
      forget();
      setStatus('The site changed; loading the new search index…');
      setTimeout(() => { if (mine === session.seq) run(); }, 250 * session.restarts);
      return;
    }
    setStatus('Search failed: ' + e.message);
  }

  function announce(s, n) {
    const what = s.q.trim() ? ' for “' + s.q.trim() + '”' : '';
    const filtered = hasFilters(s) ? ' with the filters' : '';
    if (n === 0) setStatus('No incidents found' + what + filtered + '.');
    else setStatus(n + (n === 1 ? ' incident' : ' incidents') + ' found' + what + filtered + '.');
  }

  input.addEventListener('input', () => schedule(0));
  input.addEventListener('focus', () => { if (input.value) start(); }, { once: true });
  form.addEventListener('change', (e) => { if (e.target !== input) schedule(0); });
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    schedule(0);
  });
  form.addEventListener('reset', () => setTimeout(() => schedule(0), 0));
  moreButton.addEventListener('click', () => view.more());

  /* Arrow keys move between the query and the results; Escape goes back. */
  input.addEventListener('keydown', (e) => {
    if (e.key !== 'ArrowDown') return;
    const links = view.links();
    if (links.length) {
      e.preventDefault();
      links[0].focus();
    }
  });
  list.addEventListener('keydown', (e) => {
    const links = view.links();
    const k = links.indexOf(document.activeElement);
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

  const initial = fromUrl();
  writeForm(form, input, initial);
  if (!isEmpty(initial)) run();
  // Arriving from the search box of another page: go on typing here.
  input.focus({ preventScroll: true });
}
