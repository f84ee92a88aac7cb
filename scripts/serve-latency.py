#!/usr/bin/env python3
"""Measures how long `pmsite serve` takes from saving a postmortem to an open
page having its new version: the time until the server's `reload` event,
and until the page has been fetched again (what the browser does next).

    scripts/serve-latency.py KNOWLEDGE_BASE [--runs 10] [--bin target/release/pmsite]

Three kinds of save are measured on a postmortem of the knowledge base:
prose (the body only), title (shown in lists: list pages are redone too),
and touch (no change at all: a no-op rebuild, taken from the server's
"Built in" line).
"""
import argparse, http.client, os, re, socket, statistics, subprocess, sys, threading, time, glob, queue

ap = argparse.ArgumentParser()
ap.add_argument("kb")
ap.add_argument("--runs", type=int, default=10)
ap.add_argument("--bin", default=os.path.join(os.path.dirname(__file__), "..", "target", "release", "pmsite"))
a = ap.parse_args()

proc = subprocess.Popen([a.bin, "serve", "--root", a.kb, "--port", "0"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
url = proc.stdout.readline().strip().split()[-1]
host, port = re.match(r"http://([^:]+):(\d+)/", url).groups()
built = queue.Queue()
def read_stderr():
    for line in proc.stderr:
        m = re.match(r"Built in (\d+) ms", line)
        if m:
            built.put(int(m.group(1)))
threading.Thread(target=read_stderr, daemon=True).start()
built.get(timeout=600)  # the first build

sock = socket.create_connection((host, int(port)))
sock.sendall(b"GET /__pmsite/events HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n")
events = queue.Queue()
def read_events():
    buf, name, data = b"", None, ""
    while True:
        data = sock.recv(65536)
        if not data:
            return
        buf += data
        while b"\n" in buf:
            line, buf = buf.split(b"\n", 1)
            line = line.decode(errors="replace").rstrip("\r")
            if line.startswith("event:"):
                name = line[6:].strip()
            elif line.startswith("data:"):
                data = line[5:].strip()
            elif line == "" and name:
                events.put((name, time.perf_counter(), data))
                name = None
threading.Thread(target=read_events, daemon=True).start()
assert events.get(timeout=30)[0] == "hello"

files = sorted(glob.glob(os.path.join(a.kb, "content", "postmortems", "**", "*.md"), recursive=True))
path = files[len(files) // 2]
page = "/postmortems/%s/" % os.path.splitext(os.path.basename(path))[0]
page_file = page.lstrip("/") + "index.html"
original = open(path, encoding="utf-8").read()

def fetch():
    c = http.client.HTTPConnection(host, int(port))
    c.request("GET", page)
    r = c.getresponse()
    body = r.read()
    assert r.status == 200, r.status
    return body

def measure(kind, k):
    while not built.empty():
        built.get()
    t0 = time.perf_counter()
    if kind == "prose":
        open(path, "w", encoding="utf-8").write(original + "\nEdited paragraph %d.\n" % k)
    elif kind == "title":
        open(path, "w", encoding="utf-8").write(re.sub(r'(?m)^title: "(.*)"$', r'title: "\1 (%d)"' % k, original, count=1))
    else:
        os.utime(path)
        return built.get(timeout=60), None
    # The page reloads at the first notice that lists its file.
    while True:
        name, t1, data = events.get(timeout=60)
        if name == "reload" and page_file in data:
            break
    while True:  # let the rebuild finish before the next save
        name, _, data = events.get(timeout=60)
        if name == "reload" and '"partial":false' in data:
            break
    fetch()
    t2 = time.perf_counter()
    return (t1 - t0) * 1000, (t2 - t0) * 1000

try:
    print("knowledge base: %s (%d postmortems); page %s" % (a.kb, len(files), page))
    for kind in ["prose", "title", "touch"]:
        rows = [measure(kind, k) for k in range(a.runs)]
        if kind == "touch":
            ms = [r[0] for r in rows]
            print("%-6s no-op rebuild: median %.0f ms, max %.0f ms (server's own timing)" % (kind, statistics.median(ms), max(ms)))
        else:
            ev = [r[0] for r in rows]
            pg = [r[1] for r in rows]
            print("%-6s save -> reload event: median %.0f ms, max %.0f ms; save -> page fetched: median %.0f ms, max %.0f ms"
                  % (kind, statistics.median(ev), max(ev), statistics.median(pg), max(pg)))
finally:
    open(path, "w", encoding="utf-8").write(original)
    proc.send_signal(2)
    proc.wait(timeout=30)
