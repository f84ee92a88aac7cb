#!/usr/bin/env node
// What a search costs, pmsite beside Pagefind, on gen-corpus sites.
//
//   node scripts/search-weight.mjs [--sizes 1000,10000,50000] [--pmsite target/release/pmsite]
//                                  [--work /tmp/search-weight] [--no-pagefind] [--keep]
//                                  [--reuse] [--static themes/default/static] [--typing-only]
//                                  [--text " database"] [--runs 1] [--h2]
//                                  [--profile DIR] [--timeline DIR] [--trace] [--trace-fetches]
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
//     keystroke to updated results after that (typing --text, " database",
//     one key at a time as soon as the results of the last one are final):
//     to the first results shown for the new query (`first`), and to their
//     final order (`settled`: the page marks its list data-settled="0"
//     while tiers that can change the order are still coming); median and
//     worst; each keystroke is printed with the files it fetched; with
//     --runs N the typing is done N times, each in a new page, and the
//     figures are those of all the keystrokes (and cold starts) together;
//   - Pagefind 1.x from npm on the same pages
//     (`pagefind --site public --glob "postmortems/*/index.html"`, under
//     /usr/bin/time -v) and the bytes its JS API fetches for `latency` with
//     the first 20 results' data loaded.
// The load average at the start of each size is printed with its figures
// (the machine is shared: compare runs taken at similar loads).
//
// Serving: HTTP/1.1 (browsers open six connections to a host), or with
// --h2 HTTP/2 over TLS as static hosts serve (a self-signed certificate
// made in --work; Chromium told to accept it).
//
// Working on the search page itself: --reuse measures the site already
// built in --work (kept by an earlier --keep) instead of building it
// again; --static copies a theme's static/ over the built site's, so
// changed modules are measured without rebuilding pmsite; --typing-only
// measures only the typing. Where the typing's time goes: --profile DIR
// records a DevTools CPU profile (DIR/typing-N.cpuprofile, for DevTools'
// Performance tab) and prints the time by function; --timeline DIR
// records a DevTools trace (DIR/typing-N.json) and prints the page's main
// thread time by kind of event (script, style, layout, network…);
// --trace prints the phases of each search as the page times them (its
// `__pmsiteSearchTrace`); --trace-fetches each file fetched while typing:
// when it was asked for, sent and received.
// Needs `ws` and `pagefind` from npm: installed into --work/node on first use.
// Prints one JSON line per size and a Markdown table at the end.

import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:http';
import { createSecureServer } from 'node:http2';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { extname, join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { loadavg } from 'node:os';

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
  const handle = (req, res) => {
    let path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    let file = join(root, path);
    if (path.endsWith('/')) file = join(file, 'index.html');
    if (!file.startsWith(root) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404).end();
      return;
    }
    const body = readFileSync(file);
    // Sized (gzip -9) when summed, not here: the server must not slow the
    // page it measures.
    log.push({ path, file });
    res.writeHead(200, { 'content-type': types[extname(file)] || 'application/octet-stream' });
    res.end(body);
  };
  let server;
  if (flag('h2')) {
    // HTTP/2 over TLS (a certificate of its own, made once), as static
    // hosts serve: one connection carries all requests at once, where
    // HTTP/1.1 gets six connections to a host.
    const key = join(work, 'h2-key.pem');
    const cert = join(work, 'h2-cert.pem');
    if (!existsSync(cert)) {
      run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=127.0.0.1',
        '-days', '30', '-keyout', key, '-out', cert]);
    }
    server = createSecureServer({ key: readFileSync(key), cert: readFileSync(cert), allowHTTP1: true }, handle);
  } else {
    server = createServer(handle);
  }
  return new Promise((ok) => server.listen(0, '127.0.0.1', () => ok({ server, log, port: server.address().port })));
}

/* Headless Chromium, driven through the DevTools protocol. */
async function browser() {
  const proc = spawn(chromium, ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run',
    ...(flag('h2') ? ['--ignore-certificate-errors'] : []),
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
  const listeners = new Map();
  ws.on('message', (m) => {
    const msg = JSON.parse(m);
    if (msg.id && waiting.has(msg.id)) {
      const { ok, fail } = waiting.get(msg.id);
      waiting.delete(msg.id);
      if (msg.error) fail(new Error(JSON.stringify(msg.error)));
      else ok(msg.result);
    } else if (msg.method && listeners.has(msg.method)) {
      listeners.get(msg.method)(msg.params);
    }
  });
  const send = (method, params = {}, sessionId) => new Promise((ok, fail) => {
    const n = ++id;
    waiting.set(n, { ok, fail });
    ws.send(JSON.stringify({ id: n, method, params, sessionId }));
  });
  return {
    send,
    /** Calls `f(params)` on each event `method` of the browser. */
    on: (method, f) => listeners.set(method, f),
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
        send: (method, params) => send(method, params, sessionId),
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
 * status names the query and the list shows results for it (`first`), and
 * until those results are final (`settled`: the list is not marked
 * `data-settled="0"`, the page's mark for results shown from what is
 * loaded while the tiers that settle their order are still coming). */
const TYPE = `(text) => new Promise((done) => {
  const input = document.getElementById('search-q');
  const status = document.getElementById('search-status');
  const list = document.getElementById('search-results');
  input.value += text;
  const q = input.value.trim();
  const t0 = performance.now();
  let first = null;
  const check = () => {
    if (status.textContent.includes('“' + q + '”') && /found/.test(status.textContent)
        && list.dataset.for === location.search) {
      if (first === null) first = performance.now() - t0;
      if (list.dataset.settled === '0') return false;
      obs.disconnect();
      done({ first, settled: performance.now() - t0, t0 });
      return true;
    }
    return false;
  };
  const obs = new MutationObserver(check);
  obs.observe(status, { childList: true, characterData: true, subtree: true });
  obs.observe(list, { attributes: true, attributeFilter: ['data-for', 'data-settled'] });
  input.dispatchEvent(new Event('input', { bubbles: true }));
  check();
})`;

/* Where the time of the page's main thread went, from a DevTools trace:
 * each kind of event's own time (less that of the events inside it), the
 * biggest first. */
function timelineSummary(events, top = 16) {
  // The renderer of the search page: the one that asked for index files
  // (of the local server: Chromium's own pages have a search/ too).
  const pid = events.find((e) => e.name === 'ResourceSendRequest'
    && /^https?:\/\/127\.0\.0\.1:\d+\/search\//.test((e.args && e.args.data && e.args.data.url) || ''))?.pid;
  const main = events.find((e) => e.name === 'thread_name' && e.pid === pid && e.args.name === 'CrRendererMain');
  if (!main) return { top: [] };
  const xs = events.filter((e) => e.pid === main.pid && e.tid === main.tid && e.ph === 'X' && e.dur)
    .sort((a, b) => a.ts - b.ts || b.dur - a.dur);
  const own = new Map();
  const stack = [];
  for (const e of xs) {
    while (stack.length && stack[stack.length - 1].ts + stack[stack.length - 1].dur <= e.ts) stack.pop();
    const parent = stack[stack.length - 1];
    if (parent) own.set(parent, own.get(parent) - e.dur);
    own.set(e, e.dur);
    stack.push(e);
  }
  const by = new Map();
  for (const [e, us] of own) by.set(e.name, (by.get(e.name) || 0) + Math.max(0, us));
  return { top: [...by].sort((a, b) => b[1] - a[1]).slice(0, top).map(([name, us]) => [name, Math.round(us / 100) / 10]) };
}

/* Where the time of a CPU profile went: by function, the biggest first,
 * its own time (self) and the time of the calls under it too (total). */
function profileSummary(profile, top = 25) {
  const { samples, timeDeltas, nodes } = profile;
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of nodes) for (const c of n.children || []) parent.set(c, n.id);
  const name = (id) => {
    const f = byId.get(id).callFrame;
    return (f.functionName || '(anonymous)') + ' ' + f.url.replace(/^.*\//, '') + ':' + (f.lineNumber + 1);
  };
  const dt = new Map();
  for (let i = 0; i < samples.length; i++) dt.set(samples[i], (dt.get(samples[i]) || 0) + (timeDeltas[i] || 0));
  const self = new Map();
  const total = new Map();
  let all = 0;
  for (const [id, us] of dt) {
    all += us;
    self.set(name(id), (self.get(name(id)) || 0) + us);
    const seen = new Set();
    for (let at = id; at !== undefined; at = parent.get(at)) seen.add(name(at));
    for (const f of seen) total.set(f, (total.get(f) || 0) + us);
  }
  const rows = [...total].filter(([f]) => !f.startsWith('(root)')).sort((a, b) => b[1] - a[1]).slice(0, top);
  const ms = (us) => Math.round(us / 100) / 10;
  return { totalMs: ms(all), top: rows.map(([f, us]) => [f, ms(self.get(f) || 0), ms(us)]) };
}

const gzipped = new Map();
const gz = (file) => {
  if (!gzipped.has(file)) gzipped.set(file, gzipSync(readFileSync(file), { level: 9 }).length);
  return gzipped.get(file);
};
const sum = (log, skip) => log.filter((e) => !skip(e.path)).reduce((a, e) => a + gz(e.file), 0);
const notPmsitePage = (p) => p === '/search/' || p.endsWith('.css') || p === '/favicon.ico';

async function measure(n) {
  const dir = join(work, 'kb' + n);
  if (!existsSync(join(dir, 'content'))) run(genCorpus, [String(n), dir]);
  const out = { n, load: loadavg() };
  if (flag('reuse') && existsSync(join(dir, 'public/search/manifest.json'))) {
    out.build = null;
  } else {
    rmSync(join(dir, 'public'), { recursive: true, force: true });
    const build = timed(pmsite, ['build', '-v'], dir);
    const idx = build.out.match(/search index: .*?built in ([\d.]+)(m?s)/);
    const indexSecs = idx ? +idx[1] / (idx[2] === 'ms' ? 1000 : 1) : NaN;
    const indexBytes = Number(run('du', ['-sb', join(dir, 'public/search')]).stdout.split('\t')[0]);
    out.build = { secs: build.secs, peakMB: build.peakMB, indexSecs, indexBytes };
  }
  if (opt('static')) cpSync(resolve(opt('static')), join(dir, 'public/static'), { recursive: true });

  const { server, log, port } = await serve(join(dir, 'public'));
  const base = (flag('h2') ? 'https' : 'http') + '://127.0.0.1:' + port;
  const b = await browser();
  try {
    let page;
    if (!flag('typing-only')) {
      page = await b.page();
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
    }

    // The typing, --runs times (each in a new page, its cache cold):
    // the keystrokes of all runs pooled.
    const colds = [];
    const typed = [];
    for (let run = 0; run < Number(opt('runs', '1')); run++) {
      page = await b.page();
      await page.goto(base + '/search/');
      await page.eval('performance.setResourceTimingBufferSize(100000), true');
      if (flag('trace')) await page.eval('globalThis.__pmsiteSearchTrace = [], true');
      const cold = await page.eval(`(${TYPE})('latency')`);
      colds.push(cold.settled);
      // Let the snippets of the first results arrive before typing on.
      await page.until(RESULTS_WITH_SNIPPETS);
      const timeline = run === 0 && opt('timeline');
      const events = [];
      let traced = null;
      if (timeline) {
        b.on('Tracing.dataCollected', (p) => events.push(...p.value));
        traced = new Promise((ok) => b.on('Tracing.tracingComplete', ok));
        await b.send('Tracing.start', { categories: 'devtools.timeline,v8,blink,loading', transferMode: 'ReportEvents' });
      }
      const profile = run === 0 && opt('profile');
      if (profile) {
        await page.send('Profiler.enable');
        await page.send('Profiler.setSamplingInterval', { interval: 200 });
        await page.send('Profiler.start');
      }
      const keys = [];
      const q = ['latency'];
      for (const c of opt('text', ' database')) {
        q.push(c);
        const from = log.length;
        const t = await page.eval(`(${TYPE})(${JSON.stringify(c)})`);
        const got = log.slice(from).map((e) => e.path);
        const index = got.filter((p) => p.startsWith('/search/'));
        keys.push({ q: q.join(''), t0: t.t0, first: Math.round(t.first), settled: Math.round(t.settled),
          indexFiles: index.length, pages: got.length - index.length });
      }
      if (flag('trace')) {
        if (flag('trace-fetches')) {
          // Each file fetched while typing: when it was asked for, sent, and
          // had arrived, in ms since the keystroke before it.
          const entries = await page.eval(`performance.getEntriesByType('resource').map((e) => [e.name, e.startTime, e.requestStart, e.responseEnd])`);
          for (const [name, start, sent, end] of entries) {
            const key = [...keys].reverse().find((k) => k.t0 <= start);
            if (!key) continue;
            const rel = (t) => String(Math.round(t - key.t0)).padStart(5);
            console.error(`  fetch ${JSON.stringify(key.q).padEnd(20)} ${rel(start)} ${rel(sent)} ${rel(end)}  ${new URL(name).pathname}`);
          }
        }
        // Each search's phases, in ms since the keystroke that began it.
        for (const t of await page.eval('globalThis.__pmsiteSearchTrace')) {
          const key = keys.find((k) => k.q === t.q) || (t.q === 'latency' ? { t0: cold.t0 } : null);
          const at = key ? t.at - key.t0 : 0;
          console.error('  trace ' + JSON.stringify(t.q).padEnd(20) + ' started ' + Math.round(at) + ', '
            + t.phases.map(([p, ms]) => p + ' ' + Math.round(ms + at)).join(', '));
        }
      }
      if (timeline) {
        await b.send('Tracing.end');
        await traced;
        mkdirSync(timeline, { recursive: true });
        writeFileSync(join(timeline, 'typing-' + n + '.json'), JSON.stringify(events));
        out.timeline = timelineSummary(events);
      }
      if (profile) {
        const { profile: p } = await page.send('Profiler.stop');
        mkdirSync(profile, { recursive: true });
        writeFileSync(join(profile, 'typing-' + n + '.cpuprofile'), JSON.stringify(p));
        out.profile = profileSummary(p);
      }
      for (const k of keys) console.error(`  ${JSON.stringify(k.q).padEnd(20)} first ${String(k.first).padStart(5)} ms  settled ${String(k.settled).padStart(5)} ms  index files ${k.indexFiles}  pages ${k.pages}`);
      typed.push(...keys);
      await page.close();
    }
    const stats = (xs) => {
      xs = [...xs].sort((x, y) => x - y);
      return { median: Math.round(xs[xs.length >> 1]), worst: Math.round(xs[xs.length - 1]) };
    };
    out.firstResultsMs = stats(colds);
    out.keys = typed.map((k) => [k.first, k.settled]);
    out.keystrokeMs = stats(typed.map((k) => k.first));
    out.settledMs = stats(typed.map((k) => k.settled));

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
  if (out.profile) {
    console.error(`  CPU profile of the typing: ${out.profile.totalMs} ms sampled; by function, self and total ms:`);
    for (const [f, self, all] of out.profile.top) console.error(`    ${String(self).padStart(8)} ${String(all).padStart(8)}  ${f}`);
    delete out.profile.top;
  }
  if (out.timeline) {
    console.error('  main thread while typing, own time by kind of event (ms):');
    for (const [name, ms] of out.timeline.top) console.error(`    ${String(ms).padStart(8)}  ${name}`);
    delete out.timeline;
  }
  out.load = out.load.map((x) => +x.toFixed(2));
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
row('pmsite first results, cold cache (median, worst) / keystroke to results (median, worst) / to final order', (o) => `${o.firstResultsMs.median}, ${o.firstResultsMs.worst} ms / ${o.keystrokeMs.median}, ${o.keystrokeMs.worst} ms / ${o.settledMs.median}, ${o.settledMs.worst} ms`);
row('load average (1, 5, 15 min) at the start', (o) => o.load.join(', '));
