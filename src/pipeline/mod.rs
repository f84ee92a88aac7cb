//! The pipeline every command shares: load and parse the files, build the
//! site model, render it, write it.
//!
//! A [`BuildState`] carries what can be reused from one run to the next
//! (`serve`): files whose modification time and size did not change are not
//! read again, bodies whose text and link targets did not change are not
//! rendered again, and pages whose inputs did not change are not rendered
//! or written again.
//!
//! May use every stage: `load`, `model`, `markdown`, `render`, `search`,
//! `write`, with `config` and `diagnostics`; the commands build on it.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use jiff::Timestamp;
use rayon::prelude::*;

mod allow;
mod cache;
mod clock;
mod load;
mod model;
mod probe;

pub use allow::check_allow_lists;
pub use cache::BuildState;
pub use clock::{clock, parse_now};
pub use load::Loaded;
pub use probe::{InMemory, build_in_memory};

use crate::config::Config;
use crate::diagnostics::Code;
use crate::diagnostics::{Diagnostic, Diagnostics, display_path};
use crate::load::source::Asset;
use crate::markdown::MarkdownRenderer;
use crate::markdown::highlight::Highlighter;
use crate::model::site::{Clock, Site};
use crate::render::theme::Theme;
use crate::render::{Progress, RenderReport, RenderState, Renderer, Unobserved};
use crate::write::sink::{DirSink, NullSink, Sink, TallySink};

/// The stack of every thread that runs on user input (rayon's workers,
/// `serve`'s threads). Input that would recurse deeply is stopped at its
/// cause (nesting limits, tokens cut for the search trie, long code lines
/// left unhighlighted); this generous stack (the default is 2 MiB) is
/// defence in depth only. It is address space: pages are only used when
/// touched.
pub const WORKER_STACK: usize = 64 << 20;

/// Configures rayon's global pool with [`WORKER_STACK`]; once per process,
/// before any parallel work (later calls change nothing).
pub fn init_worker_threads() {
    let _ = rayon::ThreadPoolBuilder::new()
        .stack_size(WORKER_STACK)
        .build_global();
}

/// What a build is asked to do.
#[derive(Clone, Debug, Default)]
pub struct BuildOptions {
    /// Include `status: draft` postmortems (also `[build] drafts`).
    pub drafts: bool,
    /// Leave out `visibility: internal` postmortems.
    pub public: bool,
    /// Output folder (default: `[build] output-dir`).
    pub out: Option<PathBuf>,
    /// Replaces `[site] base-url`.
    pub base_url: Option<String>,
    /// The build date (default: SOURCE_DATE_EPOCH, else today).
    pub now: Option<Timestamp>,
    /// Replace an output folder pmsite did not create.
    pub force: bool,
    /// Pages load the live-reload script (`serve` only, never `build`).
    pub live_reload: bool,
    /// Check the output against this host's limits (also `[build] host`).
    pub host: Option<crate::config::host::Host>,
}

/// The result of a run.
#[derive(Debug)]
pub struct Built {
    pub site: Site,
    pub warnings: Vec<Diagnostic>,
    pub report: RenderReport,
    /// How long each stage took, in order (shown by `-v`).
    pub timings: Vec<(&'static str, Duration)>,
    /// What the search index cost (when it was built).
    pub search: Option<crate::search::Stats>,
}

/// The shared pipeline: configuration, theme, and the renderers that are
/// created once.
pub struct Pipeline {
    pub config: Arc<Config>,
    pub options: BuildOptions,
    pub theme: Theme,
    engine: tera::Tera,
    markdown: MarkdownRenderer,
}

impl Pipeline {
    /// Reads the configuration and theme, and parses the templates.
    pub fn new(root: &Path, options: BuildOptions) -> Result<Pipeline, Diagnostics> {
        let mut config = Config::load(root)?;
        if let Some(url) = &options.base_url
            && let Err(msg) = config.set_base_url(url)
        {
            let mut d = Diagnostics::new();
            d.push(Diagnostic::error(
                Code::BadOption,
                format!("--base-url: {msg}"),
            ));
            return Err(d);
        }
        let options = BuildOptions {
            drafts: options.drafts || config.build.drafts,
            ..options
        };
        let theme = Theme::load(&config)?;
        let engine = theme.engine()?;
        let highlighter = Highlighter::new(
            &config.markdown.highlight_theme,
            &config.markdown.highlight_theme_dark,
        );
        let markdown = MarkdownRenderer::new(config.markdown.unsafe_html, Arc::new(highlighter));
        Ok(Pipeline {
            config: Arc::new(config),
            options,
            theme,
            engine,
            markdown,
        })
    }

    /// A fingerprint of the configuration and options (what every page
    /// depends on, with the theme).
    pub fn inputs_fingerprint(&self) -> u64 {
        crate::render::fragments::Fp::new()
            .u64(self.config.fingerprint)
            .str(&self.config.site.base_url)
            .u64(u64::from(self.options.drafts))
            .u64(u64::from(self.options.public))
            .u64(u64::from(self.options.live_reload))
            .finish()
    }

    /// The output folder.
    pub fn output_dir(&self) -> PathBuf {
        match &self.options.out {
            Some(p) => p.clone(),
            None => self.config.output_dir(),
        }
    }

    /// Renders every file of the site into `sink`; with `incremental`, only
    /// pages whose inputs changed since the run `state` remembers.
    pub fn render(
        &self,
        site: &Site,
        assets: &[Asset],
        sink: &dyn Sink,
        state: &mut RenderState,
        incremental: bool,
        progress: &dyn Progress,
    ) -> Result<RenderReport, Diagnostics> {
        // A file of the author's that takes a path the site makes stops
        // the round: in `serve`, checked against the last round's pages
        // first, so that no page of this round is written.
        let unrendered = crate::render::unrendered_paths(&self.theme);
        let mut filled = vec![(
            crate::write::clash::SERVE_DIR,
            "what `pmsite serve` answers itself",
        )];
        if site.config.search.enable {
            filled.push((crate::search::DIR, "the search index the site makes"));
        }
        let clashes = |pages: &RenderState| {
            let made = crate::write::clash::Made::new(
                pages
                    .page_paths()
                    .chain(unrendered.iter().map(String::as_str)),
                filled.clone(),
            );
            let found = crate::write::clash::clashes(
                &made,
                assets.iter().map(|a| (a.rel.as_str(), a.path.as_path())),
            );
            let mut diags = Diagnostics::new();
            diags.extend(found);
            diags
        };
        if incremental {
            let diags = clashes(state);
            if diags.has_errors() {
                return Err(diags);
            }
        }
        let renderer = Renderer::new(
            site,
            &self.theme,
            &self.engine,
            self.inputs_fingerprint(),
            self.options.live_reload,
            state,
        )?;
        let report = renderer.render_all(sink, state, incremental, progress)?;
        let mut diags = clashes(state);
        if diags.has_errors() {
            return Err(diags);
        }
        let results: Vec<Option<Diagnostic>> = assets
            .par_iter()
            .map(|a| {
                let r = std::fs::read(&a.path).and_then(|bytes| sink.put(&a.rel, &bytes));
                r.err().map(|e| {
                    Diagnostic::error(
                        Code::Io,
                        format!("cannot copy {}: {e}", display_path(&a.path).display()),
                    )
                    .in_file(display_path(&a.path))
                })
            })
            .collect();
        diags.extend(results.into_iter().flatten());
        if diags.has_errors() {
            return Err(diags);
        }
        Ok(report)
    }

    /// Load, model and render into `sink`. With a state, only what changed
    /// since the last run is redone.
    pub fn run_into(
        &self,
        clock: Clock,
        sink: &dyn Sink,
        mut state: Option<&mut BuildState>,
        progress: &dyn Progress,
    ) -> Result<Built, Diagnostics> {
        let mut diags = Diagnostics::new();
        let mut timings = Vec::new();
        if let Some(s) = state.as_mut() {
            s.align(self.inputs_fingerprint());
        }
        let t = Instant::now();
        let loaded = self.load(state.as_deref_mut(), &mut diags);
        check_allow_lists(&self.config, &loaded, &mut diags);
        timings.push(("load and parse", t.elapsed()));
        let assets = loaded.assets.clone();
        let t = Instant::now();
        let site = self.model(loaded, clock, state.as_deref_mut(), &mut diags);
        timings.push(("model (Markdown, timelines, relations)", t.elapsed()));
        if diags.has_errors() {
            return Err(diags);
        }
        let Some(site) = site else {
            return Err(diags);
        };
        let t = Instant::now();
        let mut fresh = RenderState::default();
        let (render_state, incremental) = match state {
            Some(s) => (&mut s.render, true),
            None => (&mut fresh, false),
        };
        // A full build makes the search index beside the pages; `serve`
        // makes it in the background (see `search_files`).
        let want_search = !incremental && site.config.search.enable;
        let (rendered, search) = rayon::join(
            || self.render(&site, &assets, sink, render_state, incremental, progress),
            || want_search.then(|| crate::search::build(&site, sink)),
        );
        let report = match rendered {
            Ok(r) => r,
            Err(d) => {
                diags.extend(d);
                return Err(diags);
            }
        };
        let search = match search {
            Some(Ok(stats)) => Some(stats),
            Some(Err(d)) => {
                diags.push(d);
                return Err(diags);
            }
            None => None,
        };
        timings.push(("render and write", t.elapsed()));
        Ok(Built {
            site,
            warnings: diags.into_sorted(),
            report,
            timings,
            search,
        })
    }

    /// Every page and, when enabled, the search index, made as `build`
    /// makes them and written nowhere, then the host limits checked
    /// against their sizes: what `check` runs, so that it fails wherever
    /// `build` would. Returns the errors and warnings.
    pub fn render_nowhere(&self, site: &Site, assets: &[Asset]) -> Diagnostics {
        let sink = TallySink::default();
        let (rendered, search) = rayon::join(
            || {
                self.render(
                    site,
                    assets,
                    &sink,
                    &mut RenderState::default(),
                    false,
                    &Unobserved,
                )
            },
            || {
                site.config
                    .search
                    .enable
                    .then(|| crate::search::build(site, &sink))
            },
        );
        let mut diags = rendered.err().unwrap_or_default();
        if let Some(Err(d)) = search {
            diags.push(d);
        }
        if diags.has_errors() {
            return diags;
        }
        match self.check_host_limits(&sink.tally(), &self.output_dir(), false) {
            Ok(warnings) => diags.extend(warnings),
            Err(errors) => diags.extend(errors),
        }
        diags
    }

    /// Load, model and render; nothing is written (for `check`).
    pub fn run(&self, clock: Clock) -> Result<Built, Diagnostics> {
        self.run_into(clock, &NullSink, None, &Unobserved)
    }

    /// Checks what the finished staging folder holds (`tally`; it is to
    /// become `out`; `building`: it is written, not only checked) against
    /// the limits of the chosen host: breaking one is an error. Without a
    /// host, breaking the strictest of them is a warning (returned).
    fn check_host_limits(
        &self,
        tally: &crate::write::limits::Tally,
        out: &Path,
        building: bool,
    ) -> Result<Vec<Diagnostic>, Diagnostics> {
        use crate::write::limits;
        let shown = display_path(out);
        match self.options.host.or(self.config.build.host) {
            Some(host) => {
                let breaches = limits::check(tally, host);
                if breaches.is_empty() {
                    return Ok(Vec::new());
                }
                let mut d = Diagnostics::new();
                for b in breaches {
                    d.push(b.diagnostic(&shown, true, building));
                }
                Err(d)
            }
            None => Ok(limits::check_strictest(tally)
                .iter()
                .map(|b| b.diagnostic(&shown, false, building))
                .collect()),
        }
    }

    /// `pmsite build`: everything, written into a new folder that replaces
    /// the output folder. On any error the output folder is untouched.
    pub fn build(&self) -> Result<Built, Diagnostics> {
        let one = |d: Diagnostic| {
            let mut ds = Diagnostics::new();
            ds.push(d);
            ds
        };
        let out = self.output_dir();
        // Messages name the folder as the user wrote it.
        let shown = match &self.options.out {
            Some(p) => p.clone(),
            None => display_path(&out),
        };
        crate::write::check_output_dir(&self.config, &out, &shown).map_err(one)?;
        let clock = clock(&self.config, self.options.now).map_err(one)?;
        let staging = crate::write::Staging::begin(&out, self.options.force).map_err(one)?;
        let sink = DirSink::new(staging.dir());
        let mut built = self.run_into(clock, &sink, None, &Unobserved)?;
        let t = Instant::now();
        built
            .warnings
            .extend(self.check_host_limits(&sink.tally(), &out, true)?);
        built.timings.push(("host limits", t.elapsed()));
        let t = Instant::now();
        staging.commit().map_err(one)?;
        built.timings.push(("swap in", t.elapsed()));
        Ok(built)
    }
}
