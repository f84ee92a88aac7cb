//! Headless Chromium for end-to-end tests, driven through the DevTools
//! protocol (the `headless_chrome` crate), and a tiny static file server
//! on 127.0.0.1 to show it a built site.
//!
//! ```ignore
//! let Some(browser) = browser::launch() else { return }; // skipped locally
//! let server = browser::StaticServer::start(&kb.join("public"), "/kb/");
//! let page = browser.page();
//! page.goto(&server.url("/kb/search/"));
//! page.type_text("#search-q", "dns");
//! let n = page.wait_for("results", "document.querySelectorAll('.result').length || null");
//! ```
//!
//! Without Chromium, [`launch`] returns `None` after printing a note, so a
//! test can skip; when `CI=true` it panics instead, so CI never passes a
//! browser test it did not run. Tests wait for conditions (polled, with a
//! generous timeout), never for fixed times.

#![allow(dead_code)]

use std::ffi::OsStr;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use headless_chrome::protocol::cdp::{Emulation, Input, Page as Cdp};
use headless_chrome::{Browser as Chrome, LaunchOptions, Tab};
use tempfile::TempDir;

/// How long a condition may take before the test fails.
pub const TIMEOUT: Duration = Duration::from_secs(30);

/// The Chromium binary: `$CHROME`, else `chromium` / `chromium-browser` on PATH.
pub fn chromium_path() -> Option<PathBuf> {
    if let Ok(p) = std::env::var("CHROME")
        && Path::new(&p).is_file()
    {
        return Some(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH")?;
    for dir in std::env::split_paths(&path) {
        for name in ["chromium", "chromium-browser"] {
            let p = dir.join(name);
            if p.is_file() {
                return Some(p);
            }
        }
    }
    None
}

/// A headless Chromium with a fresh profile.
pub struct Browser {
    chrome: Chrome,
    _profile: TempDir,
}

/// Starts Chromium; `None` (with a note) when it is not installed, unless
/// `CI=true`, where a missing browser fails the test.
pub fn launch() -> Option<Browser> {
    let Some(path) = chromium_path() else {
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("Chromium is not installed, and CI=true: browser tests must run in CI");
        }
        eprintln!(
            "note: Chromium not found (install Debian's `chromium`); skipping this browser test"
        );
        return None;
    };
    let profile = tempfile::Builder::new()
        .prefix("pmsite-chromium")
        .tempdir()
        .expect("temp profile dir");
    let args: Vec<&OsStr> = [
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
    ]
    .iter()
    .map(OsStr::new)
    .collect();
    let options = LaunchOptions::default_builder()
        .path(Some(path))
        .headless(true)
        .sandbox(false)
        .enable_gpu(false)
        .user_data_dir(Some(profile.path().to_path_buf()))
        .disable_default_args(true)
        .args(args)
        .window_size(Some((1000, 900)))
        .idle_browser_timeout(Duration::from_secs(300))
        .build()
        .expect("launch options");
    let chrome = Chrome::new(options).expect("start Chromium");
    Some(Browser {
        chrome,
        _profile: profile,
    })
}

impl Browser {
    /// A new tab.
    pub fn page(&self) -> Page {
        let tab = self.chrome.new_tab().expect("new tab");
        tab.set_default_timeout(TIMEOUT);
        Page { tab }
    }
}

/// One tab.
pub struct Page {
    pub tab: Arc<Tab>,
}

impl Page {
    /// Opens a URL and waits for the page to load.
    pub fn goto(&self, url: &str) -> &Self {
        self.tab
            .navigate_to(url)
            .and_then(|t| t.wait_until_navigated())
            .unwrap_or_else(|e| panic!("cannot open {url}: {e}"));
        self
    }

    /// Evaluates a JavaScript expression; its value, through JSON.
    pub fn eval(&self, js: &str) -> serde_json::Value {
        self.try_eval(js)
            .unwrap_or_else(|e| panic!("evaluate {js}: {e}"))
    }

    /// Like `eval`, but an error (the page navigating away meanwhile, say)
    /// is returned.
    pub fn try_eval(&self, js: &str) -> Result<serde_json::Value, String> {
        let wrapped = format!("JSON.stringify((() => {{ return ({js}); }})())");
        let r = self
            .tab
            .evaluate(&wrapped, false)
            .map_err(|e| e.to_string())?;
        Ok(match r.value {
            Some(serde_json::Value::String(s)) => {
                serde_json::from_str(&s).unwrap_or(serde_json::Value::Null)
            }
            _ => serde_json::Value::Null,
        })
    }

    /// Polls a JavaScript expression until it gives something other than
    /// null, undefined, false, 0 or "", and returns that; fails the test
    /// after [`TIMEOUT`], naming what it waited for. An evaluation that
    /// fails because the page is reloading is tried again.
    #[track_caller]
    pub fn wait_for(&self, what: &str, js: &str) -> serde_json::Value {
        let start = Instant::now();
        loop {
            let v = match self.try_eval(js) {
                Ok(v) => v,
                Err(e) => {
                    if start.elapsed() > TIMEOUT {
                        panic!("timed out waiting for {what} ({js}); last error: {e}");
                    }
                    std::thread::sleep(Duration::from_millis(25));
                    continue;
                }
            };
            let truthy = match &v {
                serde_json::Value::Null | serde_json::Value::Bool(false) => false,
                serde_json::Value::Number(n) => n.as_f64() != Some(0.0),
                serde_json::Value::String(s) => !s.is_empty(),
                _ => true,
            };
            if truthy {
                return v;
            }
            if start.elapsed() > TIMEOUT {
                panic!("timed out waiting for {what} ({js}); last value: {v}");
            }
            std::thread::sleep(Duration::from_millis(25));
        }
    }

    /// Focuses an element and types text into it as key presses (what a
    /// reader does; `input` events fire for each character).
    pub fn type_text(&self, selector: &str, text: &str) -> &Self {
        self.focus(selector);
        self.tab
            .type_str(text)
            .unwrap_or_else(|e| panic!("type into {selector}: {e}"));
        self
    }

    /// Inserts text as an input method commits it (for CJK text).
    pub fn insert_text(&self, selector: &str, text: &str) -> &Self {
        self.focus(selector);
        self.tab
            .call_method(Input::InsertText {
                text: text.to_string(),
            })
            .unwrap_or_else(|e| panic!("insert text into {selector}: {e}"));
        self
    }

    /// Empties a text field the way a reader would (select all, delete).
    pub fn clear(&self, selector: &str) -> &Self {
        self.focus(selector);
        self.eval(&format!("document.querySelector({selector:?}).select()"));
        self.press("Backspace");
        self
    }

    pub fn focus(&self, selector: &str) -> &Self {
        self.tab
            .wait_for_element(selector)
            .and_then(|e| e.focus().map(|_| ()))
            .unwrap_or_else(|e| panic!("focus {selector}: {e}"));
        self
    }

    pub fn click(&self, selector: &str) -> &Self {
        self.tab
            .wait_for_element(selector)
            .and_then(|e| e.click().map(|_| ()))
            .unwrap_or_else(|e| panic!("click {selector}: {e}"));
        self
    }

    /// Presses one key (`"Enter"`, `"ArrowDown"`, `"/"`, …).
    pub fn press(&self, key: &str) -> &Self {
        self.tab
            .press_key(key)
            .unwrap_or_else(|e| panic!("press {key}: {e}"));
        self
    }

    /// Emulates the reader's system colour scheme (`"light"` or `"dark"`)
    /// for this tab, from now on: `prefers-color-scheme` media queries
    /// follow it.
    pub fn color_scheme(&self, scheme: &str) -> &Self {
        self.tab
            .call_method(Emulation::SetEmulatedMedia {
                media: None,
                features: Some(vec![Emulation::MediaFeature {
                    name: "prefers-color-scheme".into(),
                    value: scheme.into(),
                }]),
            })
            .unwrap_or_else(|e| panic!("emulate prefers-color-scheme: {scheme}: {e}"));
        self
    }

    /// A PNG picture of the first element matching `selector` (its
    /// border box, in page coordinates: the clip of a screenshot is
    /// measured from the top of the document, not of the viewport).
    pub fn screenshot_of(&self, selector: &str) -> Vec<u8> {
        let rect = self.wait_for(
            &format!("{selector} on the page"),
            &format!(
                "(() => {{ const e = document.querySelector({selector:?}); if (!e) return null;
                    e.scrollIntoView({{ block: 'center' }});
                    const r = e.getBoundingClientRect();
                    return [r.left + scrollX, r.top + scrollY, r.width, r.height]; }})()"
            ),
        );
        let n = |i: usize| rect[i].as_f64().unwrap_or(0.0);
        let clip = Cdp::Viewport {
            x: n(0),
            y: n(1),
            width: n(2),
            height: n(3),
            scale: 1.0,
        };
        self.tab
            .capture_screenshot(
                Cdp::CaptureScreenshotFormatOption::Png,
                None,
                Some(clip),
                true,
            )
            .unwrap_or_else(|e| panic!("screenshot of {selector}: {e}"))
    }

    /// The page's current URL (with the query string).
    pub fn url(&self) -> String {
        self.eval("location.href")
            .as_str()
            .unwrap_or_default()
            .to_string()
    }
}

/// Serves a folder on 127.0.0.1 under a path prefix (e.g. `/kb/`, to test
/// sub-path hosting), and records what it served.
pub struct StaticServer {
    port: u16,
    stop: Arc<AtomicBool>,
    log: Arc<Mutex<Vec<(String, usize)>>>,
    thread: Option<JoinHandle<()>>,
}

impl StaticServer {
    pub fn start(root: &Path, prefix: &str) -> StaticServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        let port = listener.local_addr().expect("local addr").port();
        let stop = Arc::new(AtomicBool::new(false));
        let log = Arc::new(Mutex::new(Vec::new()));
        let root = root.to_path_buf();
        let prefix = prefix.to_string();
        let (stop2, log2) = (stop.clone(), log.clone());
        let thread = std::thread::spawn(move || {
            for conn in listener.incoming() {
                if stop2.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(conn) = conn else { continue };
                let (root, prefix, log) = (root.clone(), prefix.clone(), log2.clone());
                std::thread::spawn(move || serve(conn, &root, &prefix, &log));
            }
        });
        StaticServer {
            port,
            stop,
            log,
            thread: Some(thread),
        }
    }

    /// `http://127.0.0.1:PORT` + path.
    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// The paths served so far (query strings included), with body sizes.
    pub fn served(&self) -> Vec<(String, usize)> {
        self.log.lock().map(|l| l.clone()).unwrap_or_default()
    }

    /// Forgets what was served.
    pub fn reset_log(&self) {
        if let Ok(mut l) = self.log.lock() {
            l.clear();
        }
    }
}

impl Drop for StaticServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(("127.0.0.1", self.port));
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn serve(mut conn: TcpStream, root: &Path, prefix: &str, log: &Mutex<Vec<(String, usize)>>) {
    let _ = conn.set_read_timeout(Some(Duration::from_secs(10)));
    let mut reader = BufReader::new(match conn.try_clone() {
        Ok(c) => c,
        Err(_) => return,
    });
    let mut request = String::new();
    if reader.read_line(&mut request).is_err() {
        return;
    }
    loop {
        let mut line = String::new();
        match reader.read_line(&mut line) {
            Ok(0) | Err(_) => break,
            Ok(_) if line == "\r\n" || line == "\n" => break,
            Ok(_) => {}
        }
    }
    let target = request.split_whitespace().nth(1).unwrap_or("/").to_string();
    let path = target.split(['?', '#']).next().unwrap_or("/");
    let decoded = percent_encoding::percent_decode_str(path)
        .decode_utf8_lossy()
        .into_owned();
    let file = decoded.strip_prefix(prefix).and_then(|rel| {
        if rel.split('/').any(|s| s == "..") {
            return None;
        }
        let mut p = root.join(rel);
        if p.is_dir() {
            p = p.join("index.html");
        }
        p.is_file().then_some(p)
    });
    let (status, body, ctype) = match file.and_then(|p| std::fs::read(&p).ok().map(|b| (p, b))) {
        Some((p, b)) => ("200 OK", b, content_type(&p)),
        None => ("404 Not Found", b"not found".to_vec(), "text/plain"),
    };
    if let Ok(mut l) = log.lock() {
        l.push((target.clone(), body.len()));
    }
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\nCache-Control: no-cache\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = conn.write_all(head.as_bytes());
    let _ = conn.write_all(&body);
}

fn content_type(p: &Path) -> &'static str {
    match p.extension().and_then(|e| e.to_str()) {
        Some("html") => "text/html; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("json") => "application/json",
        Some("xml") => "application/xml",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        _ => "application/octet-stream",
    }
}
