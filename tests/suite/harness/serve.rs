//! Runs `pmsite serve` for tests: reads the address it prints, fetches
//! pages, and listens to its event stream. Every wait has a generous
//! deadline; none sleeps for a fixed time.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStderr, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

/// How long any awaited event may take before a test fails.
pub const DEADLINE: Duration = Duration::from_secs(30);

/// A running `pmsite serve`.
pub struct Server {
    child: Child,
    pub url: String,
    /// Lines the server printed on stderr, as they come.
    pub stderr: Receiver<String>,
    /// The folder it serves from (printed with -v).
    pub dir: Option<PathBuf>,
}

impl Server {
    /// Starts `pmsite serve --port 0 -v` in `root` and waits for its address.
    pub fn start(root: &Path, extra: &[&str]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_pmsite"))
            .current_dir(root)
            .args(["serve", "--port", "0", "-v"])
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start pmsite serve");
        let stdout = child.stdout.take().expect("stdout");
        let stderr: ChildStderr = child.stderr.take().expect("stderr");
        let (tx, rx) = channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("read the address");
        let url = line
            .trim()
            .strip_prefix("Serving ")
            .unwrap_or_else(|| panic!("unexpected first line: {line:?}"))
            .to_string();
        let mut server = Server {
            child,
            url,
            stderr: rx,
            dir: None,
        };
        server.dir = server
            .wait_line(|l| l.starts_with("Serving files from "))
            .map(|l| PathBuf::from(l.trim_start_matches("Serving files from ")));
        server
    }

    /// Waits for a stderr line matching `pred`.
    pub fn wait_line(&self, pred: impl Fn(&str) -> bool) -> Option<String> {
        let end = Instant::now() + DEADLINE;
        while let Some(left) = end.checked_duration_since(Instant::now()) {
            match self.stderr.recv_timeout(left) {
                Ok(l) if pred(&l) => return Some(l),
                Ok(_) => {}
                Err(_) => return None,
            }
        }
        None
    }

    /// The stderr lines from the last one read up to and including the
    /// first that matches `pred`; `None` when none does in time.
    pub fn lines_until(&self, pred: impl Fn(&str) -> bool) -> Option<Vec<String>> {
        let end = Instant::now() + DEADLINE;
        let mut lines = Vec::new();
        while let Some(left) = end.checked_duration_since(Instant::now()) {
            match self.stderr.recv_timeout(left) {
                Ok(l) => {
                    let done = pred(&l);
                    lines.push(l);
                    if done {
                        return Some(lines);
                    }
                }
                Err(_) => return None,
            }
        }
        None
    }

    pub fn port(&self) -> u16 {
        self.url
            .trim_end_matches('/')
            .rsplit(':')
            .next()
            .and_then(|p| p.parse().ok())
            .expect("port")
    }

    /// GET a path: status and body.
    pub fn get(&self, path: &str) -> (u16, String) {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(DEADLINE))
            .build()
            .into();
        let url = format!("{}{}", self.url.trim_end_matches('/'), path);
        let mut res = agent.get(&url).call().expect("request");
        let status = res.status().as_u16();
        let body = res.body_mut().read_to_string().unwrap_or_default();
        (status, body)
    }

    /// A raw request line, for paths an HTTP client would normalize.
    pub fn raw_status(&self, target: &str) -> u16 {
        let mut s = TcpStream::connect(("127.0.0.1", self.port())).expect("connect");
        s.set_read_timeout(Some(DEADLINE)).ok();
        write!(
            s,
            "GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
        )
        .expect("write");
        let mut buf = String::new();
        let _ = s.read_to_string(&mut buf);
        buf.split_whitespace()
            .nth(1)
            .and_then(|c| c.parse().ok())
            .unwrap_or(0)
    }

    /// Opens the event stream.
    pub fn events(&self) -> Events {
        let mut s = TcpStream::connect(("127.0.0.1", self.port())).expect("connect");
        write!(
            s,
            "GET /__pmsite/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n"
        )
        .expect("write");
        let (tx, rx) = channel();
        let reader = BufReader::new(s);
        std::thread::spawn(move || {
            let mut event = String::new();
            let mut data = String::new();
            for line in reader.lines().map_while(Result::ok) {
                if let Some(e) = line.strip_prefix("event:") {
                    event = e.trim().to_string();
                } else if let Some(d) = line.strip_prefix("data:") {
                    data.push_str(d.trim());
                } else if line.is_empty()
                    && !event.is_empty()
                    && tx
                        .send((std::mem::take(&mut event), std::mem::take(&mut data)))
                        .is_err()
                {
                    break;
                }
            }
        });
        Events { rx }
    }

    /// Sends SIGINT (Ctrl-C) and waits for the exit status.
    pub fn interrupt(mut self) -> i32 {
        match self.stop() {
            Some(code) => code,
            None => panic!("the server did not stop on SIGINT"),
        }
    }

    /// Sends Ctrl-C and waits for the exit status; kills the server and
    /// gives `None` when it does not stop in time.
    fn stop(&mut self) -> Option<i32> {
        if let Ok(Some(status)) = self.child.try_wait() {
            return Some(status.code().unwrap_or(-1));
        }
        unsafe {
            libc::kill(self.child.id() as i32, libc::SIGINT);
        }
        let end = Instant::now() + DEADLINE;
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Some(status.code().unwrap_or(-1));
            }
            if Instant::now() > end {
                let _ = self.child.kill();
                let _ = self.child.wait();
                return None;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Server {
    /// Stops the server the way a user does, so that it removes its
    /// temporary folder instead of leaving it in /tmp.
    fn drop(&mut self) {
        let _ = self.stop();
    }
}

/// The server-sent events of a page.
pub struct Events {
    rx: Receiver<(String, String)>,
}

impl Events {
    /// Waits for an early notice (sent when only some pages are written)
    /// that names `path`. Returns its data.
    pub fn wait_early(&self, path: &str) -> String {
        let end = Instant::now() + DEADLINE;
        while let Some(left) = end.checked_duration_since(Instant::now()) {
            match self.rx.recv_timeout(left) {
                Ok((e, d))
                    if e == "reload" && d.contains("\"partial\":true") && d.contains(path) =>
                {
                    return d;
                }
                Ok(_) => {}
                Err(_) => break,
            }
        }
        panic!("no early `reload` event within {DEADLINE:?}");
    }

    /// Waits for the next event named `name`; returns its data. For
    /// `reload`, the notice that ends a rebuild (not the early one sent
    /// when only the incidents' own pages are written).
    pub fn wait(&self, name: &str) -> String {
        let end = Instant::now() + DEADLINE;
        while let Some(left) = end.checked_duration_since(Instant::now()) {
            match self.rx.recv_timeout(left) {
                Ok((e, d))
                    if e == name && !(name == "reload" && d.contains("\"partial\":true")) =>
                {
                    return d;
                }
                Ok(_) => {}
                Err(_) => break,
            }
        }
        panic!("no `{name}` event within {DEADLINE:?}");
    }
}
