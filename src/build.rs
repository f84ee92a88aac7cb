//! The pipeline every command shares: load and parse the files, build the
//! site model, render it, write it.
//!
//! A [`BuildState`] carries what can be reused from one run to the next
//! (`serve`): files whose modification time and size did not change are not
//! read again, bodies whose text and link targets did not change are not
//! rendered again, and pages whose inputs did not change are not rendered
//! or written again.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use jiff::Timestamp;
use rayon::prelude::*;

use crate::config::Config;
use crate::diagnostics::{Diagnostic, Diagnostics, display_path};
use crate::highlight::Highlighter;
use crate::links::{LinkEntry, LinkTable};
use crate::markdown::{MarkdownRenderer, RenderedBody};
use crate::postmortem::{Page, Postmortem, parse_page, parse_postmortem};
use crate::render::sink::{DirSink, NullSink, Sink};
use crate::render::{RenderReport, RenderState, Renderer};
use crate::site::{Clock, Incident, PageDoc, Site, assemble, body_problems, is_built, merge_body};
use crate::source::{Asset, SourceFile, SourceKind, discover, read_text};
use crate::theme::Theme;
use crate::timeline::Metrics;
use crate::yaml_locate::{Target, YamlPath};

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
}

/// Reads `--now`: a date (midnight in the site's zone) or a timestamp.
pub fn parse_now(s: &str, tz: &jiff::tz::TimeZone) -> Result<Timestamp, String> {
    let s = s.trim();
    if let Ok(ts) = s.parse::<Timestamp>() {
        return Ok(ts);
    }
    if let Ok(d) = s.parse::<jiff::civil::Date>() {
        return tz
            .to_ambiguous_timestamp(d.to_datetime(jiff::civil::Time::midnight()))
            .compatible()
            .map_err(|e| e.to_string());
    }
    Err(format!(
        "`{s}` is not a date (YYYY-MM-DD) or a timestamp (2018-04-12T09:00:00Z)"
    ))
}

/// The build's clock: `--now`, else SOURCE_DATE_EPOCH, else the start of
/// today in the site's zone (so that builds on one day are identical).
pub fn clock(config: &Config, now: Option<Timestamp>) -> Result<Clock, Diagnostic> {
    let tz = &config.site.timezone;
    if let Some(ts) = now {
        return Ok(Clock::at(ts, tz));
    }
    if let Ok(v) = std::env::var("SOURCE_DATE_EPOCH") {
        let secs: i64 = v.trim().parse().map_err(|_| {
            Diagnostic::error(
                "bad-env",
                format!("SOURCE_DATE_EPOCH=`{v}` is not a number of seconds"),
            )
        })?;
        let ts = Timestamp::from_second(secs)
            .map_err(|e| Diagnostic::error("bad-env", format!("SOURCE_DATE_EPOCH=`{v}`: {e}")))?;
        return Ok(Clock::at(ts, tz));
    }
    let today = Timestamp::now().to_zoned_datetime(tz.clone()).date();
    let midnight = tz
        .to_ambiguous_timestamp(today.to_datetime(jiff::civil::Time::midnight()))
        .compatible()
        .unwrap_or_else(|_| Timestamp::now());
    Ok(Clock::at(midnight, tz))
}

/// One file read: a postmortem or a page (when usable), its problems, and
/// the id a postmortem claims.
#[derive(Clone, Debug, Default)]
pub struct ParsedFile {
    pub postmortem: Option<Arc<Postmortem>>,
    pub page: Option<Arc<Page>>,
    pub diagnostics: Vec<Diagnostic>,
    pub claimed_id: Option<String>,
}

/// The files of a knowledge base, read and parsed.
#[derive(Clone, Debug, Default)]
pub struct Loaded {
    pub postmortems: Vec<Arc<Postmortem>>,
    pub pages: Vec<Arc<Page>>,
    pub assets: Vec<Asset>,
    /// Ids of postmortem files that have errors (their own errors are
    /// reported; links to them are not reported again).
    pub failed_ids: Vec<String>,
}

/// The result of a run.
#[derive(Debug)]
pub struct Built {
    pub site: Site,
    pub warnings: Vec<Diagnostic>,
    pub report: RenderReport,
    /// How long each stage took, in order (shown by `-v`).
    pub timings: Vec<(&'static str, Duration)>,
}

/// When a file was last changed, as far as reuse is concerned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Stamp {
    modified: Option<SystemTime>,
    len: u64,
}

fn stamp(path: &Path) -> Option<Stamp> {
    let m = std::fs::metadata(path).ok()?;
    Some(Stamp {
        modified: m.modified().ok(),
        len: m.len(),
    })
}

/// A rendered body and what was derived with it, reusable while the file's
/// text and everything its links point at stay the same.
struct CachedBody {
    source_hash: u64,
    merged: Arc<Postmortem>,
    body: Arc<RenderedBody>,
    metrics: Metrics,
    diagnostics: Vec<Diagnostic>,
}

/// What one run leaves for the next (see the module documentation).
#[derive(Default)]
pub struct BuildState {
    inputs_fp: u64,
    files: HashMap<PathBuf, (Stamp, ParsedFile)>,
    bodies: HashMap<PathBuf, CachedBody>,
    similar: Option<(u64, Vec<Vec<usize>>)>,
    pub render: RenderState,
}

impl BuildState {
    /// Forgets everything if the configuration or options changed.
    fn align(&mut self, inputs_fp: u64) {
        if self.inputs_fp != inputs_fp {
            *self = BuildState {
                inputs_fp,
                ..BuildState::default()
            };
        }
    }
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
                "bad-option",
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
        let markdown =
            MarkdownRenderer::new(config.markdown.unsafe_html, Arc::new(Highlighter::new()));
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
            .finish()
    }

    /// The output folder.
    pub fn output_dir(&self) -> PathBuf {
        match &self.options.out {
            Some(p) => p.clone(),
            None => self.config.output_dir(),
        }
    }

    /// Finds and parses every file (in parallel). With a state, files whose
    /// modification time and size are unchanged are not read again.
    pub fn load(&self, state: Option<&mut BuildState>, diags: &mut Diagnostics) -> Loaded {
        let (found, d) = discover(&self.config);
        diags.extend(d);
        let previous = state.as_ref().map(|s| &s.files);
        let parsed: Vec<(PathBuf, Option<Stamp>, ParsedFile)> = found
            .files
            .par_iter()
            .map(|file| {
                let st = previous.and(stamp(&file.path));
                if let (Some(prev), Some(st)) = (previous, st)
                    && let Some((old, parsed)) = prev.get(&file.path)
                    && *old == st
                {
                    return (file.path.clone(), Some(st), parsed.clone());
                }
                (file.path.clone(), st, self.parse(file))
            })
            .collect();
        if let Some(state) = state {
            state.files = parsed
                .iter()
                .filter_map(|(p, st, parsed)| st.map(|st| (p.clone(), (st, parsed.clone()))))
                .collect();
        }
        let mut loaded = Loaded {
            assets: found.assets,
            ..Loaded::default()
        };
        for (_, _, parsed) in parsed {
            diags.extend(parsed.diagnostics);
            match parsed.postmortem {
                Some(pm) => {
                    diags.extend(pm.warnings.iter().cloned());
                    loaded.postmortems.push(pm);
                }
                None => {
                    if let Some(id) = parsed.claimed_id {
                        loaded.failed_ids.push(id);
                    }
                }
            }
            if let Some(p) = parsed.page {
                loaded.pages.push(p);
            }
        }
        loaded
    }

    /// Parses one file; for a postmortem with errors, also the id it claims.
    pub fn parse(&self, file: &SourceFile) -> ParsedFile {
        let text = match read_text(file) {
            Ok(t) => t,
            Err(d) => {
                let claimed = (file.kind == SourceKind::Postmortem)
                    .then(|| crate::slug::slugify(&file.stem()));
                return ParsedFile {
                    diagnostics: vec![d],
                    claimed_id: claimed,
                    ..ParsedFile::default()
                };
            }
        };
        match file.kind {
            SourceKind::Postmortem => {
                let p = parse_postmortem(file, text, &self.config);
                ParsedFile {
                    postmortem: p.postmortem.map(Arc::new),
                    page: None,
                    diagnostics: p.diagnostics,
                    claimed_id: p.claimed_id,
                }
            }
            SourceKind::Page => {
                let (p, ds) = parse_page(file, text);
                ParsedFile {
                    postmortem: None,
                    page: p.map(Arc::new),
                    diagnostics: ds,
                    claimed_id: None,
                }
            }
        }
    }

    /// The content-relative path of a file (`postmortems/2018/x.md`).
    fn content_rel(&self, file: &SourceFile) -> String {
        let content = self.config.content_dir();
        file.path
            .strip_prefix(&content)
            .map(|p| {
                p.components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect::<Vec<_>>()
                    .join("/")
            })
            .unwrap_or_else(|_| file.rel.clone())
    }

    /// Builds the site model: ids checked, bodies rendered, timelines and
    /// relations derived. Errors in any file are all reported. With a
    /// state, bodies whose inputs did not change are reused.
    pub fn model(
        &self,
        loaded: Loaded,
        clock: Clock,
        mut state: Option<&mut BuildState>,
        diags: &mut Diagnostics,
    ) -> Option<Site> {
        let config = &self.config;
        let base = config.base_path();

        // Ids are unique across the knowledge base (drafts included).
        let mut first_use: HashMap<&str, &Postmortem> = HashMap::new();
        let mut dup_files: HashSet<PathBuf> = HashSet::new();
        for pm in &loaded.postmortems {
            match first_use.get(pm.id.as_str()) {
                Some(other) => {
                    let other_pos = other
                        .source
                        .locate(&YamlPath::root().key("id"), Target::Value);
                    let d = Diagnostic::error(
                        "duplicate-id",
                        format!(
                            "duplicate id `{}`: {}:{} has the same id",
                            pm.id,
                            other.source.file.shown.display(),
                            other_pos.line
                        ),
                    )
                    .with_hint("give one of them another `id:` (or rename the file)");
                    diags.push(pm.source.diagnostic_at(
                        d,
                        &YamlPath::root().key("id"),
                        Target::Value,
                    ));
                    dup_files.insert(pm.source.file.path.clone());
                }
                None => {
                    first_use.insert(&pm.id, pm);
                }
            }
        }
        drop(first_use);

        let mut all_ids: HashSet<String> =
            loaded.postmortems.iter().map(|p| p.id.clone()).collect();
        all_ids.extend(loaded.failed_ids.iter().cloned());
        let drafts = self.options.drafts;
        let public = self.options.public;

        let mut links = LinkTable {
            base_path: base.clone(),
            ..LinkTable::default()
        };
        for pm in &loaded.postmortems {
            let url = format!("{base}postmortems/{}/", pm.id);
            let built = is_built(pm, drafts, public);
            links
                .files
                .insert(self.content_rel(&pm.source.file), (url.clone(), !built));
            links.ids.entry(pm.id.clone()).or_insert(LinkEntry {
                url,
                title: pm.title.clone(),
                hidden: !built,
            });
        }
        for id in &loaded.failed_ids {
            links.ids.entry(id.clone()).or_insert(LinkEntry {
                url: format!("{base}postmortems/{id}/"),
                title: id.clone(),
                hidden: true,
            });
        }
        for p in &loaded.pages {
            links.files.insert(
                self.content_rel(&p.source.file),
                (format!("{base}{}/", p.slug), p.draft && !drafts),
            );
        }
        for a in &loaded.assets {
            links.assets.insert(a.rel.clone());
        }

        // Pages with the same slug collide.
        let mut page_slugs: HashMap<&str, &Page> = HashMap::new();
        for p in &loaded.pages {
            if let Some(other) = page_slugs.insert(&p.slug, p) {
                diags.push(
                    Diagnostic::error(
                        "duplicate-page",
                        format!(
                            "page `/{}/` is also made by {}",
                            p.slug,
                            other.source.file.shown.display()
                        ),
                    )
                    .in_file(&p.source.file.shown)
                    .at(crate::diagnostics::Pos::new(1, 1)),
                );
            }
        }

        let known: Vec<&str> = all_ids.iter().map(String::as_str).collect();
        let built: Vec<Arc<Postmortem>> = loaded
            .postmortems
            .into_iter()
            .filter(|pm| is_built(pm, drafts, public) && !dup_files.contains(&pm.source.file.path))
            .collect();
        let severities = &config.postmortem.severities;
        let cache = state.as_ref().map(|s| &s.bodies);
        let rendered: Vec<(Incident, Option<CachedBody>)> = built
            .into_par_iter()
            .map(|pm| {
                let doc_rel = self.content_rel(&pm.source.file);
                let reusable = cache.and_then(|c| c.get(&pm.source.file.path)).filter(|c| {
                    c.source_hash == pm.source.hash
                        && c.body.problems.is_empty()
                        && links.still_valid(&doc_rel, &c.body.deps)
                });
                let (merged, body, metrics, ds, fresh) = match reusable {
                    Some(c) => (
                        c.merged.clone(),
                        c.body.clone(),
                        c.metrics.clone(),
                        c.diagnostics.clone(),
                        None,
                    ),
                    None => {
                        let body = self
                            .markdown
                            .render(pm.source.body_text(), &doc_rel, &links);
                        let mut ds = body_problems(&pm.source, &body, &known);
                        let mut merged = (*pm).clone();
                        ds.extend(merge_body(&mut merged, &body));
                        let metrics = Metrics::from_entries(&merged.timeline);
                        let entry = CachedBody {
                            source_hash: pm.source.hash,
                            merged: Arc::new(merged),
                            body: Arc::new(body),
                            metrics,
                            diagnostics: ds,
                        };
                        (
                            entry.merged.clone(),
                            entry.body.clone(),
                            entry.metrics.clone(),
                            entry.diagnostics.clone(),
                            Some(entry),
                        )
                    }
                };
                let severity_rank = merged
                    .severity
                    .as_ref()
                    .and_then(|s| severities.iter().position(|x| x == s))
                    .unwrap_or(severities.len());
                let inc = Incident {
                    url: format!("{base}postmortems/{}/", merged.id),
                    pm: merged,
                    body,
                    metrics,
                    related: Vec::new(),
                    backlinks: Vec::new(),
                    similar: Vec::new(),
                    severity_rank,
                    diagnostics: ds,
                };
                (inc, fresh)
            })
            .collect();
        let mut incidents = Vec::with_capacity(rendered.len());
        let mut new_bodies: HashMap<PathBuf, CachedBody> = HashMap::new();
        let old_bodies = state.as_mut().map(|s| std::mem::take(&mut s.bodies));
        let mut old_bodies = old_bodies.unwrap_or_default();
        for (inc, fresh) in rendered {
            diags.extend(inc.diagnostics.iter().cloned());
            let path = inc.pm.source.file.path.clone();
            match fresh {
                Some(entry) => {
                    new_bodies.insert(path, entry);
                }
                None => {
                    if let Some(entry) = old_bodies.remove(&path) {
                        new_bodies.insert(path, entry);
                    }
                }
            }
            incidents.push(inc);
        }
        if let Some(s) = state.as_mut() {
            s.bodies = new_bodies;
        }
        let pages: Vec<(PageDoc, Vec<Diagnostic>)> = loaded
            .pages
            .into_par_iter()
            .filter(|p| drafts || !p.draft)
            .map(|page| {
                let body: RenderedBody = self.markdown.render(
                    page.source.body_text(),
                    &self.content_rel(&page.source.file),
                    &links,
                );
                let ds = body_problems(&page.source, &body, &known);
                let url = format!("{base}{}/", page.slug);
                (
                    PageDoc {
                        page: (*page).clone(),
                        url,
                        body,
                    },
                    ds,
                )
            })
            .collect();
        let mut page_docs = Vec::new();
        for (p, ds) in pages {
            diags.extend(ds);
            page_docs.push(p);
        }
        page_docs.sort_by(|a, b| a.page.slug.cmp(&b.page.slug));

        let similar_cache = state.as_mut().and_then(|s| s.similar.take());
        match assemble(
            self.config.clone(),
            clock,
            public,
            incidents,
            page_docs,
            &all_ids,
            similar_cache,
        ) {
            Ok((site, similar)) => {
                if let Some(s) = state.as_mut() {
                    s.similar = Some(similar);
                }
                Some(site)
            }
            Err(d) => {
                diags.extend(d);
                None
            }
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
    ) -> Result<RenderReport, Diagnostics> {
        let renderer = Renderer::new(
            site,
            &self.theme,
            &self.engine,
            self.inputs_fingerprint(),
            state,
        )?;
        let report = renderer.render_all(sink, state, incremental)?;
        let mut diags = Diagnostics::new();
        let results: Vec<Option<Diagnostic>> = assets
            .par_iter()
            .map(|a| {
                let r = std::fs::read(&a.path).and_then(|bytes| sink.put(&a.rel, &bytes));
                r.err().map(|e| {
                    Diagnostic::error(
                        "io",
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
    ) -> Result<Built, Diagnostics> {
        let mut diags = Diagnostics::new();
        let mut timings = Vec::new();
        if let Some(s) = state.as_mut() {
            s.align(self.inputs_fingerprint());
        }
        let t = Instant::now();
        let loaded = self.load(state.as_deref_mut(), &mut diags);
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
        let report = match self.render(&site, &assets, sink, render_state, incremental) {
            Ok(r) => r,
            Err(d) => {
                diags.extend(d);
                return Err(diags);
            }
        };
        timings.push(("render and write", t.elapsed()));
        Ok(Built {
            site,
            warnings: diags.into_sorted(),
            report,
            timings,
        })
    }

    /// Load, model and render; nothing is written (for `check`).
    pub fn run(&self, clock: Clock) -> Result<Built, Diagnostics> {
        self.run_into(clock, &NullSink, None)
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
        crate::output::check_output_dir(&self.config, &out).map_err(one)?;
        let clock = clock(&self.config, self.options.now).map_err(one)?;
        let staging = crate::output::Staging::begin(&out, self.options.force).map_err(one)?;
        let sink = DirSink::new(staging.dir());
        let mut built = self.run_into(clock, &sink, None)?;
        let t = Instant::now();
        staging.commit().map_err(one)?;
        built.timings.push(("swap in", t.elapsed()));
        Ok(built)
    }
}
