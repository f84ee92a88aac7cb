//! The web server of `serve`: the built site (and nothing outside it), the
//! live-reload script, and the event stream the open pages listen to.

use std::convert::Infallible;
use std::net::TcpListener;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tokio_stream::StreamExt;
use tokio_stream::wrappers::BroadcastStream;
use tower_http::services::{ServeDir, ServeFile};

use super::{Live, Notice};

const LIVE_JS: &str = include_str!("live.js");

#[derive(Clone)]
struct AppState {
    live: Arc<Live>,
    root: Arc<PathBuf>,
}

/// Ctrl-C and SIGTERM, listened to from the moment this is made (so a
/// signal right after start-up still stops the server cleanly). Must be
/// made inside the runtime.
pub struct Shutdown {
    #[cfg(unix)]
    interrupt: tokio::signal::unix::Signal,
    #[cfg(unix)]
    terminate: tokio::signal::unix::Signal,
}

impl Shutdown {
    pub fn listen() -> std::io::Result<Shutdown> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            Ok(Shutdown {
                interrupt: signal(SignalKind::interrupt())?,
                terminate: signal(SignalKind::terminate())?,
            })
        }
        #[cfg(not(unix))]
        {
            Ok(Shutdown {})
        }
    }

    async fn wait(self) {
        #[cfg(unix)]
        {
            let Shutdown {
                mut interrupt,
                mut terminate,
            } = self;
            tokio::select! {
                _ = interrupt.recv() => {},
                _ = terminate.recv() => {},
            }
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}

/// Serves until Ctrl-C (or SIGTERM).
pub async fn serve(
    listener: TcpListener,
    root: PathBuf,
    live: Arc<Live>,
    shutdown: Shutdown,
) -> std::io::Result<()> {
    listener.set_nonblocking(true)?;
    let listener = tokio::net::TcpListener::from_std(listener)?;
    let app = router(root, live);
    tokio::select! {
        r = axum::serve(listener, app) => r,
        _ = shutdown.wait() => Ok(()),
    }
}

/// The application: pmsite's own endpoints, then the site's files.
pub fn router(root: PathBuf, live: Arc<Live>) -> Router {
    let state = AppState {
        live,
        root: Arc::new(root.clone()),
    };
    let files = ServeDir::new(&root)
        .append_index_html_on_directories(true)
        .not_found_service(ServeFile::new(root.join("404.html")));
    Router::new()
        .route("/__pmsite/live.js", get(live_js))
        .route("/__pmsite/events", get(events))
        .fallback_service(files)
        .layer(middleware::from_fn_with_state(state.clone(), inside_root))
        .with_state(state)
}

async fn live_js() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        LIVE_JS,
    )
}

async fn events(
    State(state): State<AppState>,
) -> Sse<impl tokio_stream::Stream<Item = Result<Event, Infallible>>> {
    let hello = state.live.status.borrow().clone();
    let first = tokio_stream::once(Ok(Event::default()
        .event("hello")
        .data(serde_json::to_string(&hello).unwrap_or_default())));
    let rest = BroadcastStream::new(state.live.notices.subscribe()).filter_map(|n| match n {
        Ok(Notice::Reload {
            build,
            changed,
            partial,
        }) => Some(Ok(Event::default().event("reload").data(
            serde_json::json!({ "build": build, "changed": changed, "partial": partial })
                .to_string(),
        ))),
        Ok(Notice::Failed { error }) => Some(Ok(Event::default()
            .event("failed")
            .data(serde_json::json!({ "error": error }).to_string()))),
        Ok(Notice::Recovered { build }) => Some(Ok(Event::default()
            .event("ok")
            .data(serde_json::json!({ "build": build }).to_string()))),
        // A slow page missed notices: tell it to reload.
        Err(_) => Some(Ok(Event::default()
            .event("reload")
            .data("{\"build\":\"\"}"))),
    });
    Sse::new(first.chain(rest)).keep_alive(KeepAlive::default())
}

/// Only the built site is served: paths that climb out of it (`..`, in any
/// encoding), absolute paths and symbolic links get 404. Responses are not
/// cached, so a reload always shows the latest build.
async fn inside_root(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let path = req.uri().path();
    if !path.starts_with("/__pmsite/") && !is_safe(&state.root, path) {
        return not_found(&state.root).await;
    }
    let mut res = next.run(req).await;
    res.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-cache"),
    );
    res
}

/// Is a request path a plain path inside `root` without symbolic links?
pub fn is_safe(root: &Path, path: &str) -> bool {
    let decoded = percent_encoding::percent_decode_str(path).decode_utf8_lossy();
    if decoded.contains('\0') || decoded.contains('\\') {
        return false;
    }
    let rel = decoded.trim_start_matches('/');
    if decoded.starts_with("//") {
        return false;
    }
    let mut current = root.to_path_buf();
    for c in Path::new(rel).components() {
        match c {
            Component::Normal(seg) => {
                current.push(seg);
                match std::fs::symlink_metadata(&current) {
                    Ok(m) if m.file_type().is_symlink() => return false,
                    Ok(_) => {}
                    // Not there: the file server answers 404.
                    Err(_) => return true,
                }
            }
            Component::CurDir => {}
            _ => return false,
        }
    }
    true
}

async fn not_found(root: &Path) -> Response {
    let body = tokio::fs::read(root.join("404.html"))
        .await
        .unwrap_or_default();
    (
        StatusCode::NOT_FOUND,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        Body::from(body),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_outside_the_root_are_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("site");
        std::fs::create_dir_all(root.join("a")).unwrap();
        std::fs::write(root.join("a/index.html"), "x").unwrap();
        std::fs::write(tmp.path().join("secret"), "s").unwrap();
        assert!(is_safe(&root, "/a/index.html"));
        assert!(is_safe(&root, "/a/"));
        assert!(is_safe(&root, "/missing/page/"));
        assert!(!is_safe(&root, "/../secret"));
        assert!(!is_safe(&root, "/a/../../secret"));
        assert!(!is_safe(&root, "/%2e%2e/secret"));
        assert!(!is_safe(&root, "/%2E%2E%2Fsecret"));
        assert!(!is_safe(&root, "//etc/passwd"));
        assert!(!is_safe(&root, "/a%5C..%5Csecret"));
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(tmp.path().join("secret"), root.join("link")).unwrap();
            assert!(!is_safe(&root, "/link"));
        }
    }
}
