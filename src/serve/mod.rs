//! `pmsite serve`: builds the site into a temporary folder, serves it on
//! 127.0.0.1, watches the knowledge base and rebuilds what changed on every
//! save, then tells every open page to reload (server-sent events). Build
//! errors are printed and shown over the open pages; the last good build
//! stays served.
//!
//! May use `pipeline` and everything below it; reports through the
//! [`Events`] trait, which the command line implements.

pub mod server;
pub mod watch;

use std::net::{IpAddr, SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::{broadcast, watch as tokio_watch};

use crate::diagnostics::Code;
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::pipeline::{BuildOptions, BuildState, Built, Pipeline, clock};
use crate::render::Progress;
use crate::write::sink::{Gate, UpdateSink};

/// How `serve` is asked to run.
#[derive(Clone, Debug)]
pub struct ServeOptions {
    pub root: PathBuf,
    /// An IP address or a host name.
    pub bind: String,
    pub port: u16,
    pub open: bool,
    pub poll: bool,
    /// Leave out `visibility: internal` postmortems.
    pub public: bool,
}

/// What the pages are told.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Status {
    /// Changes with every successful rebuild (and every server start).
    pub build: String,
    /// The last build's errors, when it failed.
    pub error: Option<String>,
}

/// A message to the open pages.
#[derive(Clone, Debug)]
pub enum Notice {
    /// Files changed by a rebuild. `partial`: only the pages of single
    /// incidents are written yet (pages whose file is listed reload now;
    /// the others at the final notice).
    Reload {
        build: String,
        changed: Vec<String>,
        partial: bool,
    },
    Failed {
        error: String,
    },
    /// A good build after a failed one that changed no file (the broken
    /// save was undone): the error goes, nothing reloads.
    Recovered {
        build: String,
    },
}

/// What `serve` has to tell while it runs. The command line implements it
/// (printing, as `-q` and `-v` ask); nothing in `serve` prints.
pub trait Events: Send + Sync + 'static {
    /// The server listens at `url`, serving `folder` and watching `root`.
    fn serving(&self, url: &str, root: &Path, folder: &Path);
    /// A round built: its warnings, how long it took, the files it changed.
    fn built(&self, built: &Built, took: Duration, files_written: usize);
    /// A round failed; the last good build stays served (`served`: there
    /// was one).
    fn build_failed(&self, diags: &Diagnostics, served: bool);
    /// The search index of a build was made (in the background).
    fn search_made(&self, took: Duration, files_written: usize);
    /// The files a change touched (before the round that follows).
    fn changed(&self, paths: &[PathBuf]);
    /// Something went wrong that the server survives.
    fn problem(&self, d: &Diagnostic);
    /// The server stopped (Ctrl-C).
    fn stopped(&self);
}

/// Shared between the rebuild thread and the web server.
pub struct Live {
    pub status: tokio_watch::Sender<Status>,
    pub notices: broadcast::Sender<Notice>,
}

/// The text shown in the browser for a failed build.
fn error_text(diags: &Diagnostics) -> String {
    let list = diags.clone().into_sorted();
    let mut s = String::new();
    for d in list.iter().filter(|d| d.is_error()) {
        s.push_str(&d.render_human());
    }
    s
}

const PLACEHOLDER_404: &str = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Not found</title></head><body><h1>Not found</h1><p>The site has not been built yet, or this page does not exist.</p><script src=\"/__pmsite/live.js\"></script></body></html>\n";

/// Runs `pmsite serve` until Ctrl-C; what could not start or stopped it
/// is the error.
pub fn run(opts: ServeOptions, events: Arc<dyn Events>) -> Result<(), Diagnostics> {
    let (listener, local) = listen(&opts.bind, opts.port)?;
    let url = format!("http://{}/", browsable(local));
    let out = tempfile::Builder::new()
        .prefix("pmsite-serve-")
        .tempdir()
        .map_err(|e| {
            Diagnostic::error(Code::Io, format!("cannot create a temporary folder: {e}"))
        })?;
    let _ = std::fs::write(out.path().join("404.html"), PLACEHOLDER_404);

    let instance = format!(
        "{:x}",
        std::process::id() as u64 ^ xxhash_rust::xxh3::xxh3_64(url.as_bytes()) ^ now_nanos()
    );
    let live = Arc::new(Live::new(&instance));
    let (runtime, shutdown) = start_runtime()?;

    let gate = Gate::default();
    let rebuilder = Rebuilder {
        root: opts.root.clone(),
        base_url: url.clone(),
        public: opts.public,
        poll: opts.poll,
        sink: UpdateSink::new(out.path(), gate.clone()),
        live: live.clone(),
        instance,
        events: events.clone(),
        search: spawn_search(
            out.path().to_path_buf(),
            gate.clone(),
            live.clone(),
            events.clone(),
        ),
        background: rayon::ThreadPoolBuilder::new()
            .thread_name(|i| format!("pmsite-render-{i}"))
            .stack_size(crate::pipeline::WORKER_STACK)
            .start_handler(|_| lower_priority(BACKGROUND_NICE))
            .build()
            .ok(),
    };
    // Watching starts before the first build, so no change is missed; the
    // first build happens before the address is announced, so that the
    // first page a browser asks for is there.
    let first_watch = rebuilder.start_watch(None);
    let (pipeline, state, builds) = rebuilder.first_build();
    let thread = std::thread::Builder::new()
        .name("pmsite-rebuild".into())
        .stack_size(crate::pipeline::WORKER_STACK)
        .spawn(move || rebuilder.watch_loop(pipeline, state, builds, first_watch));
    if let Err(e) = thread {
        return Err(Diagnostics::from(Diagnostic::error(
            Code::Serve,
            format!("cannot start the rebuild thread: {e}"),
        )));
    }

    events.serving(&url, &opts.root, out.path());
    if opts.open
        && let Err(e) = open::that(&url)
    {
        events.problem(&Diagnostic::warning(
            Code::Serve,
            format!("cannot open a browser: {e}"),
        ));
    }

    let result = runtime.block_on(server::serve(
        listener,
        out.path().to_path_buf(),
        live,
        shutdown,
    ));
    // No build may write into the folder once its removal starts (a
    // rebuild or the search index may be half way): close the gate, which
    // waits for writes in progress, then remove the folder.
    gate.close();
    drop(runtime);
    drop(out);
    match result {
        Ok(()) => {
            events.stopped();
            Ok(())
        }
        Err(e) => Err(Diagnostics::from(Diagnostic::error(
            Code::Serve,
            format!("the server stopped: {e}"),
        ))),
    }
}

impl Live {
    fn new(instance: &str) -> Self {
        let (status, _) = tokio_watch::channel(Status {
            build: format!("{instance}-0"),
            error: None,
        });
        let (notices, _) = broadcast::channel(64);
        Live { status, notices }
    }
}

/// The server's runtime, with Ctrl-C caught from here on (so that it
/// always cleans up).
fn start_runtime() -> Result<(tokio::runtime::Runtime, server::Shutdown), Diagnostics> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Diagnostic::error(Code::Serve, format!("cannot start the server: {e}")))?;
    let shutdown = {
        let _inside = runtime.enter();
        server::Shutdown::listen()
            .map_err(|e| Diagnostic::error(Code::Serve, format!("cannot listen for Ctrl-C: {e}")))?
    };
    Ok((runtime, shutdown))
}

/// The listening socket, and the address it got (`--port 0` picks one).
fn listen(bind: &str, port: u16) -> Result<(TcpListener, SocketAddr), Diagnostics> {
    let addr = bind_address(bind, port)?;
    let listener = TcpListener::bind(addr).map_err(|e| {
        if e.kind() == std::io::ErrorKind::AddrInUse {
            Diagnostic::error(
                Code::Serve,
                format!("cannot listen on {addr}: the port is already in use"),
            )
            .with_hint("choose another port with --port, or --port 0 for any free one")
        } else {
            Diagnostic::error(Code::Serve, format!("cannot listen on {addr}: {e}")).with_hint(
                "--bind takes an address of this machine, such as 127.0.0.1 (the default)",
            )
        }
    })?;
    let local = listener.local_addr().map_err(|e| {
        Diagnostic::error(
            Code::Serve,
            format!("cannot read the listening address: {e}"),
        )
    })?;
    Ok((listener, local))
}

/// The address `--bind` names: an IP address, or a host name looked up
/// (`localhost`).
fn bind_address(bind: &str, port: u16) -> Result<SocketAddr, Diagnostic> {
    if let Ok(ip) = bind.trim().parse::<IpAddr>() {
        return Ok(SocketAddr::new(ip, port));
    }
    use std::net::ToSocketAddrs;
    (bind.trim(), port)
        .to_socket_addrs()
        .ok()
        .and_then(|mut a| a.next())
        .ok_or_else(|| {
            Diagnostic::error(
                Code::BadOption,
                format!("--bind `{bind}` is not an address or a known host name"),
            )
            .with_hint("for example --bind 127.0.0.1 (the default) or --bind localhost")
        })
}

/// The address a browser on this machine uses: a server listening on all
/// interfaces (`0.0.0.0`) is reached at the loopback address.
fn browsable(local: SocketAddr) -> SocketAddr {
    match local.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => {
            SocketAddr::new(IpAddr::V4(std::net::Ipv4Addr::LOCALHOST), local.port())
        }
        IpAddr::V6(ip) if ip.is_unspecified() => {
            SocketAddr::new(IpAddr::V6(std::net::Ipv6Addr::LOCALHOST), local.port())
        }
        _ => local,
    }
}

fn now_nanos() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0)
}

/// Makes the search index of each new build in the background, on one
/// core, so that rebuilds and reloads never wait for it; writes its files
/// when done and reloads an open search page. Only the newest site waiting
/// is indexed.
fn spawn_search(
    dir: PathBuf,
    gate: Gate,
    live: Arc<Live>,
    events: Arc<dyn Events>,
) -> std::sync::mpsc::Sender<Arc<crate::model::site::Site>> {
    let (tx, rx) = std::sync::mpsc::channel::<Arc<crate::model::site::Site>>();
    let reporter = events.clone();
    let spawned = std::thread::Builder::new()
        .name("pmsite-search".into())
        .stack_size(crate::pipeline::WORKER_STACK)
        .spawn(move || {
            lower_priority(SEARCH_NICE);
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(1)
                .stack_size(crate::pipeline::WORKER_STACK)
                .start_handler(|_| lower_priority(SEARCH_NICE))
                .build()
                .ok();
            let sink = UpdateSink::new(dir, gate);
            while let Ok(mut site) = rx.recv() {
                while let Ok(newer) = rx.try_recv() {
                    site = newer;
                }
                let started = Instant::now();
                sink.begin();
                let built = match &pool {
                    Some(p) => p.install(|| crate::search::build(&site, &sink)),
                    None => crate::search::build(&site, &sink),
                };
                if let Err(d) = built {
                    reporter.problem(&d);
                    continue;
                }
                sink.finish();
                let changed = sink.changed();
                reporter.search_made(started.elapsed(), changed.len());
                if !changed.is_empty() {
                    let build = live.status.borrow().build.clone();
                    let _ = live.notices.send(Notice::Reload {
                        build,
                        changed: vec!["search/index.html".into()],
                        partial: true,
                    });
                }
            }
        });
    if let Err(e) = spawned {
        events.problem(&Diagnostic::warning(
            Code::Serve,
            format!("search will not be updated while serving: {e}"),
        ));
    }
    tx
}

/// The search index of the last save yields to everything: it must not
/// slow the rebuild of the next save, nor the browser reloading it.
const SEARCH_NICE: i32 = 19;
/// The list pages of a round yield to the browser reloading the edited
/// page, and to the editor, but not to the search index.
const BACKGROUND_NICE: i32 = 10;

/// Lowers the priority of the calling thread to `nice`.
fn lower_priority(nice: i32) {
    // On Linux the nice value belongs to the thread, and 0 names the
    // calling thread. Failing to lower it only costs speed.
    #[cfg(target_os = "linux")]
    unsafe {
        libc::setpriority(libc::PRIO_PROCESS, 0, nice);
    }
    #[cfg(not(target_os = "linux"))]
    let _ = nice;
}

/// How a round of `serve` goes: the pages of single incidents are written
/// first, and the pages that show a changed file reload at once; the rest
/// (list pages, which can be megabytes at 10,000 incidents) is rendered
/// at a lower priority, so the browser reloading the edited page gets the
/// processor first.
struct RoundProgress<'a> {
    rebuilder: &'a Rebuilder,
    build: &'a str,
}

impl Progress for RoundProgress<'_> {
    fn own_pages_written(&self) {
        let changed = self.rebuilder.sink.changed();
        if !changed.is_empty() {
            let _ = self.rebuilder.live.notices.send(Notice::Reload {
                build: self.build.to_string(),
                changed,
                partial: true,
            });
        }
    }

    fn render_rest(&self, render: &mut (dyn FnMut() + Send)) {
        match &self.rebuilder.background {
            Some(pool) => pool.install(render),
            None => render(),
        }
    }
}

/// Rebuilds the site into the served folder.
struct Rebuilder {
    root: PathBuf,
    base_url: String,
    public: bool,
    poll: bool,
    sink: UpdateSink,
    live: Arc<Live>,
    instance: String,
    events: Arc<dyn Events>,
    /// Where built sites go to have their search index made.
    search: std::sync::mpsc::Sender<Arc<crate::model::site::Site>>,
    /// Threads of lower priority for the pages nobody is reloading.
    background: Option<rayon::ThreadPool>,
}

impl Rebuilder {
    fn pipeline(&self) -> Result<Pipeline, Diagnostics> {
        Pipeline::new(
            &self.root,
            BuildOptions {
                // Writers preview what they are writing: drafts included.
                drafts: true,
                public: self.public,
                out: None,
                base_url: Some(self.base_url.clone()),
                now: None,
                force: false,
                live_reload: true,
                host: None,
            },
        )
    }

    fn fail(&self, diags: &Diagnostics, served: bool) {
        let text = error_text(diags);
        self.events.build_failed(diags, served);
        let build = self.live.status.borrow().build.clone();
        self.live.status.send_replace(Status {
            build,
            error: Some(text.clone()),
        });
        let _ = self.live.notices.send(Notice::Failed { error: text });
    }

    /// One round: (re)build into the served folder. `changed` are the
    /// paths the watcher saw change (`None`: look at everything).
    fn round(
        &self,
        pipeline: &Pipeline,
        state: &mut BuildState,
        builds: &mut u64,
        changed: Option<Vec<PathBuf>>,
    ) {
        if let Some(paths) = changed {
            state.hint_changed(paths);
        }
        let started = Instant::now();
        let clock = match clock(&pipeline.config, None) {
            Ok(c) => c,
            Err(d) => {
                self.fail(&Diagnostics::from(d), *builds > 0);
                return;
            }
        };
        self.sink.begin();
        let build = format!("{}-{}", self.instance, *builds + 1);
        let progress = RoundProgress {
            rebuilder: self,
            build: &build,
        };
        match pipeline.run_into(clock, &self.sink, Some(state), &progress) {
            Ok(built) => {
                self.sink.finish();
                let changed = self.sink.changed();
                *builds += 1;
                let was_failing = self
                    .live
                    .status
                    .send_replace(Status {
                        build: build.clone(),
                        error: None,
                    })
                    .error
                    .is_some();
                if !changed.is_empty() {
                    let _ = self.live.notices.send(Notice::Reload {
                        build,
                        changed: changed.clone(),
                        partial: false,
                    });
                } else if was_failing {
                    let _ = self.live.notices.send(Notice::Recovered { build });
                }
                self.events.built(&built, started.elapsed(), changed.len());
                if built.site.config.search.enable {
                    let _ = self.search.send(Arc::new(built.site));
                }
            }
            Err(diags) => self.fail(&diags, *builds > 0),
        }
    }

    fn first_build(&self) -> (Option<Pipeline>, BuildState, u64) {
        let mut state = BuildState::default();
        let mut builds = 0;
        match self.pipeline() {
            Ok(p) => {
                self.round(&p, &mut state, &mut builds, None);
                (Some(p), state, builds)
            }
            Err(d) => {
                self.fail(&d, false);
                (None, state, builds)
            }
        }
    }

    /// Starts watching the folders the configuration names.
    fn start_watch(
        &self,
        pipeline: Option<&Pipeline>,
    ) -> Option<(watch::Watch, crate::config::Config)> {
        let config = match pipeline {
            Some(p) => (*p.config).clone(),
            None => match crate::config::Config::load(&self.root) {
                Ok(c) => c,
                Err(_) => crate::config::Config::defaults(self.root.clone()),
            },
        };
        match watch::Watch::start(&config, self.poll) {
            Ok(w) => Some((w, config)),
            Err(msg) => {
                self.events.problem(&Diagnostic::error(Code::Serve, msg));
                None
            }
        }
    }

    fn watch_loop(
        self,
        mut pipeline: Option<Pipeline>,
        mut state: BuildState,
        mut builds: u64,
        first: Option<(watch::Watch, crate::config::Config)>,
    ) {
        let mut next = first;
        loop {
            let Some((watch, config)) = next.take().or_else(|| self.start_watch(pipeline.as_ref()))
            else {
                return;
            };
            let content_watched = config.content_dir().is_dir();
            let themes_watched = config.themes_dir().is_dir();
            loop {
                let Some(changes) = watch.next() else { return };
                self.events.changed(&changes.content);
                let restart_watch = changes.config_or_theme
                    || (!content_watched && config.content_dir().is_dir())
                    || (!themes_watched && config.themes_dir().is_dir());
                let hint = if changes.config_or_theme || pipeline.is_none() {
                    match self.pipeline() {
                        Ok(p) => pipeline = Some(p),
                        Err(d) => {
                            self.fail(&d, builds > 0);
                            continue;
                        }
                    }
                    None
                } else {
                    Some(changes.content)
                };
                if let Some(p) = &pipeline {
                    self.round(p, &mut state, &mut builds, hint);
                }
                if restart_watch {
                    break;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_interfaces_are_browsed_at_the_loopback_address() {
        let any: SocketAddr = "0.0.0.0:3000".parse().unwrap();
        assert_eq!(browsable(any).to_string(), "127.0.0.1:3000");
        let any6: SocketAddr = "[::]:3000".parse().unwrap();
        assert_eq!(browsable(any6).to_string(), "[::1]:3000");
        let lan: SocketAddr = "192.168.1.5:3000".parse().unwrap();
        assert_eq!(browsable(lan), lan);
        assert!(bind_address("localhost", 80).unwrap().ip().is_loopback());
    }
}
