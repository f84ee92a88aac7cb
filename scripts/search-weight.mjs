#!/usr/bin/env node
// What a search costs, pmsite beside Pagefind, on gen-corpus sites.
//
//   node scripts/search-weight.mjs [--sizes 1000,10000,50000] [--pmsite target/release/pmsite]
//                                  [--work /tmp/search-weight] [--no-pagefind] [--keep]
//
// For each size: writes `gen-corpus N` (kept in --work and reused), builds it
// with `pmsite build -v` under /usr/bin/time -v (wall time, peak memory, and
// the index's own time from -v), serves public/ on 127.0.0.1, and drives
// headless Chromium (/usr/bin/chromium, Chrome DevTools protocol over `ws`):
//   - one-word query: a new page `/search/?q=latency` until its 20 results
//     and their snippets are on screen;
//   - filter-only: `/search/?sev=SEV1` likewise;
//   - bytes: every file the page fetched except the page itself and its
//     stylesheet, each gzipped at -9 as a server would send it;
//   - first results on a cold cache (a fresh browser context: typing
//     `latency` into an empty search page until the 20 results show), and
//     keystroke to updated results after that (typing " database" one
//     key at a time; median and worst);
//   - Pagefind 1.x from npm on the same pages
//     (`pagefind --site public --glob "postmortems/*/index.html"`, under
//     /usr/bin/time -v) and the bytes its JS API fetches for `latency` with
//     the first 20 results' data loaded.
// Needs `ws` and `pagefind` from npm: installed into --work/node on first use.
// Prints one JSON line per size and a Markdown table at the end.

import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:http';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { extname, join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';

const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf('--' + name);
  return i >= 0 ? args[i + 1] : def;
};
const flag = (name) => args.includes('--' + name);
const sizes = opt('sizes', '1000,10000,50000').split(',').map(Number);
const pmsite = resolve(opt('pmsite', 'target/release/pmsite'));
const work = resolve(opt('work', '/tmp/search-weight'));
const genCorpus = opt('gen-corpus', '/work/shared/tools/gen-corpus');
const chromium = opt('chromium', '/usr/bin/chromium');
mkdirSync(work, { recursive: true });

const nodeDir = join(work, 'node');
if (!existsSync(join(nodeDir, 'node_modules/ws')) || !existsSync(join(nodeDir, 'node_modules/pagefind'))) {
  mkdirSync(nodeDir, { recursive: true });
  run('npm', ['init', '-y'], { cwd: nodeDir });
  run('npm', ['install', '--no-audit', '--no-fund', 'ws', 'pagefind'], { cwd: nodeDir });
}
const WebSocket = createRequire(join(nodeDir, 'package.json'))('ws');

function run(cmd, argv, o = {}) {
  const r = spawnSync(cmd, argv, { encoding: 'utf8', maxBuffer: 1 << 28, ...o });
  if (r.status !== 0) throw new Error(cmd + ' ' + argv.join(' ') + ' failed: ' + r.stderr);
  return r;
}

/* Runs a command under /usr/bin/time -v: wall seconds, peak MB, output. */
function timed(cmd, argv, cwd) {
  const r = run('/usr/bin/time', ['-v', cmd, ...argv], { cwd });
  const wall = r.stderr.match(/Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):([\d.]+)/);
  const secs = wall ? (+(wall[1] || 0)) * 3600 + (+wall[2]) * 60 + (+wall[3]) : NaN;
  const rss = r.stderr.match(/Maximum resident set size \(kbytes\): (\d+)/);
  return { secs, peakMB: rss ? Math.round(+rss[1] / 1024) : NaN, out: r.stdout + r.stderr };
}

/* A static server on 127.0.0.1 that notes every file it serves. */
function serve(root) {
  const log = [];
  const types = { '.html': 'text/html', '.js': 'text/javascript', '.json': 'application/json', '.css': 'text/css' };
  const server = createServer((req, res) => {
    let path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    let file = join(root, path);
    if (path.endsWith('/')) file = join(file, 'index.html');
    if (!file.startsWith(root) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404).end();
      return;
    }
    const body = readFileSync(file);
    log.push({ path, gz: gzipSync(body, { level: 9 }).length });
    res.writeHead(200, { 'content-type': types[extname(file)] || 'application/octet-stream' });
    res.end(body);
  });
  return new Promise((ok) => server.listen(0, '127.0.0.1', () => ok({ server, log, port: server.address().port })));
}

/* Headless Chromium, driven through the DevTools protocol. */
async function browser() {
  const proc = spawn(chromium, ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run',
    '--disable-background-networking', '--remote-debugging-port=0', '--user-data-dir=' + join(work, 'chrome-profile'),
    'about:blank'], { stdio: ['ignore', 'ignore', 'pipe'] });
  const url = await new Promise((ok, fail) => {
    let err = '';
    proc.stderr.on('data', (d) => {
      err += d;
      const m = err.match(/DevTools listening on (ws:\/\/\S+)/);
      if (m) ok(m[1]);
    });
    proc.on('exit', () => fail(new Error('chromium exited: ' + err)));
  });
  const ws = new WebSocket(url, { perMessageDeflate: false, maxPayload: 1 << 28 });
  await new Promise((ok) => ws.on('open', ok));
  let id = 0;
  const waiting = new Map();
  ws.on('message', (m) => {
    const msg = JSON.parse(m);
    if (msg.id && waiting.has(msg.id)) {
      const { ok, fail } = waiting.get(msg.id);
      waiting.delete(msg.id);
      if (msg.error) fail(new Error(JSON.stringify(msg.error)));
      else ok(msg.result);
    }
  });
  const send = (method, params = {}, sessionId) => new Promise((ok, fail) => {
    const n = ++id;
    waiting.set(n, { ok, fail });
    ws.send(JSON.stringify({ id: n, method, params, sessionId }));
  });
  return {
    /** A tab in a fresh browser context (its own, empty cache). */
    async page() {
      const { browserContextId } = await send('Target.createBrowserContext');
      const { targetId } = await send('Target.createTarget', { url: 'about:blank', browserContextId });
      const { sessionId } = await send('Target.attachToTarget', { targetId, flatten: true });
      const page = {
        async eval(expr) {
          const r = await send('Runtime.evaluate', { expression: expr, awaitPromise: true, returnByValue: true }, sessionId);
          if (r.exceptionDetails) throw new Error(expr + ': ' + JSON.stringify(r.exceptionDetails));
          return r.result.value;
        },
        async goto(u) {
          await send('Page.navigate', { url: u }, sessionId);
          await page.until('document.readyState === "complete" && location.href !== "about:blank"');
        },
        async until(expr, ms = 120000) {
          const t = Date.now();
          for (;;) {
            const v = await page.eval(expr).catch(() => null);
            if (v) return v;
            if (Date.now() - t > ms) throw new Error('timed out: ' + expr);
            await new Promise((r) => setTimeout(r, 20));
          }
        },
        close: () => send('Target.disposeBrowserContext', { browserContextId })
      };
      return page;
    },
    close() {
      ws.close();
      proc.kill();
    }
  };
}

const RESULTS_WITH_SNIPPETS = `(() => {
  const r = document.querySelectorAll('#search-results .result');
  return /found/.test(document.getElementById('search-status').textContent) && r.length === 20
    && Array.from(r).every((li) => li.querySelector('.result-snippet').textContent);
})()`;

/* In the page: types `text` into the box and resolves with the ms until the
 * status names the query and the list shows results for it. */
const TYPE = `(text) => new Promise((done) => {
  const input = document.getElementById('search-q');
  const status = document.getElementById('search-status');
  const list = document.getElementById('search-results');
  input.value += text;
  const q = input.value.trim();
  const t0 = performance.now();
  const check = () => {
    if (status.textContent.includes('“' + q + '”') && /found/.test(status.textContent)
        && list.dataset.for === location.search) {
      obs.disconnect();
      done(performance.now() - t0);
      return true;
    }
    return false;
  };
  const obs = new MutationObserver(check);
  obs.observe(status, { childList: true, characterData: true, subtree: true });
  input.dispatchEvent(new Event('input', { bubbles: true }));
  check();
})`;

const sum = (log, skip) => log.filter((e) => !skip(e.path)).reduce((a, e) => a + e.gz, 0);
const notPmsitePage = (p) => p === '/search/' || p.endsWith('.css') || p === '/favicon.ico';

async function measure(n) {
  const dir = join(work, 'kb' + n);
  if (!existsSync(join(dir, 'content'))) run(genCorpus, [String(n), dir]);
  rmSync(join(dir, 'public'), { recursive: true, force: true });
  const build = timed(pmsite, ['build', '-v'], dir);
  const idx = build.out.match(/search index: .*?built in ([\d.]+)(m?s)/);
  const indexSecs = idx ? +idx[1] / (idx[2] === 'ms' ? 1000 : 1) : NaN;
  const indexDir = join(dir, 'public/search');
  const indexBytes = Number(run('du', ['-sb', indexDir]).stdout.split('\t')[0]);
  const out = { n, build: { secs: build.secs, peakMB: build.peakMB, indexSecs, indexBytes } };

  const { server, log, port } = await serve(join(dir, 'public'));
  const base = 'http://127.0.0.1:' + port;
  const b = await browser();
  try {
    let page = await b.page();
    log.length = 0;
    await page.goto(base + '/search/?q=latency');
    await page.until(RESULTS_WITH_SNIPPETS);
    out.query = { bytes: sum(log, notPmsitePage), index: sum(log, (p) => !p.startsWith('/search/') || p === '/search/'), requests: log.length };
    await page.close();

    page = await b.page();
    log.length = 0;
    await page.goto(base + '/search/?sev=SEV1');
    await page.until(RESULTS_WITH_SNIPPETS);
    out.filter = { bytes: sum(log, notPmsitePage), index: sum(log, (p) => !p.startsWith('/search/') || p === '/search/'), requests: log.length };
    await page.close();

    page = await b.page();
    await page.goto(base + '/search/');
    out.firstResultsMs = Math.round(await page.eval(`(${TYPE})('latency')`));
    const keys = [];
    for (const c of ' database') keys.push(await page.eval(`(${TYPE})(${JSON.stringify(c)})`));
    out.keys = keys.map(Math.round);
    keys.sort((x, y) => x - y);
    out.keystrokeMs = { median: Math.round(keys[keys.length >> 1]), worst: Math.round(keys[keys.length - 1]) };
    await page.close();

    if (!flag('no-pagefind')) {
      rmSync(join(dir, 'public/pagefind'), { recursive: true, force: true });
      const pf = timed(join(nodeDir, 'node_modules/.bin/pagefind'),
        ['--site', 'public', '--glob', 'postmortems/*/index.html'], dir);
      writeFileSync(join(dir, 'public/pf-test.html'), '<!doctype html><title>pf</title>');
      page = await b.page();
      await page.goto(base + '/pf-test.html');
      log.length = 0;
      const got = await page.eval(`(async () => {
        const pagefind = await import('/pagefind/pagefind.js');
        const s = await pagefind.search('latency');
        const data = await Promise.all(s.results.slice(0, 20).map((r) => r.data()));
        return [s.results.length, data.length];
      })()`);
      out.pagefind = { secs: pf.secs, peakMB: pf.peakMB, results: got[0], bytes: sum(log, (p) => p === '/pf-test.html'), requests: log.length };
      await page.close();
      rmSync(join(dir, 'public/pagefind'), { recursive: true, force: true });
      rmSync(join(dir, 'public/pf-test.html'), { force: true });
    }
  } finally {
    b.close();
    server.close();
  }
  if (!flag('keep')) rmSync(join(dir, 'public'), { recursive: true, force: true });
  console.log(JSON.stringify(out));
  return out;
}

const all = [];
for (const n of sizes) all.push(await measure(n));
const kb = (x) => (x / 1024).toFixed(0) + ' KB';
console.log('\n| | ' + all.map((o) => o.n.toLocaleString('en') + ' postmortems').join(' | ') + ' |');
console.log('|---|' + all.map(() => '---|').join(''));
const row = (name, f) => console.log('| ' + name + ' | ' + all.map((o) => { try { return f(o); } catch { return '–'; } }).join(' | ') + ' |');
row('pmsite: one-word query (`latency`, 20 results with snippets), gzip', (o) => kb(o.query.bytes) + ` (index ${kb(o.query.index)})`);
row('Pagefind: the same query, first 20 results\' data', (o) => kb(o.pagefind.bytes));
row('pmsite: filter-only (SEV1), gzip', (o) => kb(o.filter.bytes) + ` (index ${kb(o.filter.index)})`);
row('pmsite build (whole site): wall, peak memory', (o) => `${o.build.secs.toFixed(1)} s, ${o.build.peakMB} MB`);
row('pmsite search index alone (`build -v`)', (o) => o.build.indexSecs.toFixed(1) + ' s');
row('Pagefind indexing: wall, peak memory', (o) => `${o.pagefind.secs.toFixed(1)} s, ${o.pagefind.peakMB} MB`);
row('pmsite index on disk', (o) => (o.build.indexBytes / 1048576).toFixed(1) + ' MB');
row('pmsite first results, cold cache / keystroke (median, worst)', (o) => `${o.firstResultsMs} ms / ${o.keystrokeMs.median}, ${o.keystrokeMs.worst} ms`);
