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
use crate::diagnostics::Code;
use crate::diagnostics::yaml::{Target, YamlPath};
use crate::diagnostics::{Diagnostic, Diagnostics, Pos, display_path, suggest};
use crate::load::postmortem::{parse_page, parse_postmortem};
use crate::load::source::{Asset, Discovered, discover, read_text};
use crate::markdown::MarkdownRenderer;
use crate::markdown::highlight::Highlighter;
use crate::model::body::RenderedBody;
use crate::model::links::{LinkEntry, LinkTable};
use crate::model::postmortem::{Page, Postmortem, SourceFile, SourceKind};
use crate::model::site::{
    Clock, Incident, PageDoc, Site, assemble, body_problems, is_built, merge_body,
};
use crate::model::timeline::Metrics;
use crate::model::urls::postmortem_path;
use crate::render::theme::Theme;
use crate::render::{Progress, RenderReport, RenderState, Renderer, Unobserved};
use crate::write::sink::{DirSink, NullSink, Sink};

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
            .map_err(|_| format!("`{s}` is out of the range of dates pmsite can place"));
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
                Code::BadEnv,
                format!("SOURCE_DATE_EPOCH=`{v}` is not a number of seconds"),
            )
        })?;
        let ts = Timestamp::from_second(secs).map_err(|_| {
            Diagnostic::error(
                Code::BadEnv,
                format!("SOURCE_DATE_EPOCH=`{v}` is out of the range of dates pmsite can place"),
            )
        })?;
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
    /// What the search index cost (when it was built).
    pub search: Option<crate::search::Stats>,
}

/// Gathers parsed files into what the model is built from.
fn collect_loaded<'a>(
    found: &Discovered,
    parsed: impl Iterator<Item = &'a ParsedFile>,
    diags: &mut Diagnostics,
) -> Loaded {
    let mut loaded = Loaded {
        assets: found.assets.clone(),
        ..Loaded::default()
    };
    for parsed in parsed {
        diags.extend(parsed.diagnostics.iter().cloned());
        match &parsed.postmortem {
            Some(pm) => {
                diags.extend(pm.warnings.iter().cloned());
                loaded.postmortems.push(pm.clone());
            }
            None => {
                if let Some(id) = &parsed.claimed_id {
                    loaded.failed_ids.push(id.clone());
                }
            }
        }
        if let Some(p) = &parsed.page {
            loaded.pages.push(p.clone());
        }
    }
    loaded
}

/// What changed `paths` mean for the known files, when they only modified
/// or deleted files already known: the new file list, the files to read
/// again, the files gone. `None` when a walk is needed (a new file, a
/// folder, a link).
fn fast_discover(
    prev: &Discovered,
    changed: &[PathBuf],
) -> Option<(Discovered, HashSet<PathBuf>, HashSet<PathBuf>)> {
    let known: HashSet<&Path> = prev
        .files
        .iter()
        .map(|f| f.path.as_path())
        .chain(prev.assets.iter().map(|a| a.path.as_path()))
        .collect();
    let mut reparse = HashSet::new();
    let mut deleted = HashSet::new();
    for p in changed {
        let name = p
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if crate::load::source::is_ignored_name(&name) {
            continue;
        }
        match std::fs::symlink_metadata(p) {
            Ok(m) if m.file_type().is_file() && known.contains(p.as_path()) => {
                reparse.insert(p.clone());
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                if known.contains(p.as_path()) {
                    deleted.insert(p.clone());
                }
            }
            _ => return None,
        }
    }
    let found = if deleted.is_empty() {
        Discovered::default()
    } else {
        Discovered {
            files: prev
                .files
                .iter()
                .filter(|f| !deleted.contains(&f.path))
                .cloned()
                .collect(),
            assets: prev
                .assets
                .iter()
                .filter(|a| !deleted.contains(&a.path))
                .cloned()
                .collect(),
        }
    };
    Some((found, reparse, deleted))
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
    /// The files found by the last walk of the content folder.
    discovered: Option<Arc<Discovered>>,
    discovery_diagnostics: Vec<Diagnostic>,
    /// Paths reported changed since the last run (from a watcher).
    changed: Option<Vec<PathBuf>>,
    files: HashMap<PathBuf, (Stamp, ParsedFile)>,
    bodies: HashMap<PathBuf, CachedBody>,
    skeleton: Option<crate::model::site::Skeleton>,
    /// The link targets and known ids, with their fingerprint.
    links: Option<(u64, Arc<LinkTable>, Arc<HashSet<String>>)>,
    pub render: RenderState,
}

impl BuildState {
    /// Tells the next run which paths changed, so that it need not look at
    /// the others. Without this, every file's time and size are checked.
    pub fn hint_changed(&mut self, paths: Vec<PathBuf>) {
        self.changed = Some(paths);
    }

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

    /// Finds and parses every file (in parallel). With a state, files whose
    /// modification time and size are unchanged are not read again.
    pub fn load(&self, state: Option<&mut BuildState>, diags: &mut Diagnostics) -> Loaded {
        let Some(state) = state else {
            let (found, d) = discover(&self.config);
            diags.extend(d);
            let parsed: Vec<ParsedFile> = found.files.par_iter().map(|f| self.parse(f)).collect();
            return collect_loaded(&found, parsed.iter(), diags);
        };
        // With the paths the watcher saw change, a round that only edited
        // or deleted known files skips walking the folders and looking at
        // the other files.
        let hint = state.changed.take();
        let fast = match (&state.discovered, &hint) {
            (Some(d), Some(changed)) => fast_discover(d, changed),
            _ => None,
        };
        match fast {
            Some((found, reparse, deleted)) => {
                for p in &deleted {
                    state.files.remove(p);
                }
                if !deleted.is_empty() {
                    state.discovered = Some(Arc::new(found));
                }
                let Some(current) = state.discovered.clone() else {
                    return Loaded::default();
                };
                let fresh: Vec<(PathBuf, Option<Stamp>, ParsedFile)> = current
                    .files
                    .par_iter()
                    .filter(|f| reparse.contains(&f.path))
                    .map(|f| (f.path.clone(), stamp(&f.path), self.parse(f)))
                    .collect();
                for (p, st, parsed) in fresh {
                    match st {
                        Some(st) => {
                            state.files.insert(p, (st, parsed));
                        }
                        None => {
                            state.files.remove(&p);
                        }
                    }
                }
            }
            None => {
                let (found, d) = discover(&self.config);
                state.discovery_diagnostics = d.into_sorted();
                let previous = &state.files;
                let parsed: Vec<(PathBuf, Option<Stamp>, ParsedFile)> = found
                    .files
                    .par_iter()
                    .map(|file| {
                        let st = stamp(&file.path);
                        if let Some(st) = st
                            && let Some((old, parsed)) = previous.get(&file.path)
                            && *old == st
                        {
                            return (file.path.clone(), Some(st), parsed.clone());
                        }
                        (file.path.clone(), st, self.parse(file))
                    })
                    .collect();
                state.files = parsed
                    .into_iter()
                    .filter_map(|(p, st, parsed)| st.map(|st| (p, (st, parsed))))
                    .collect();
                state.discovered = Some(Arc::new(found));
            }
        }
        diags.extend(state.discovery_diagnostics.iter().cloned());
        let Some(found) = state.discovered.clone() else {
            return Loaded::default();
        };
        // A file that vanished between the walk and the read has no entry.
        let missing = ParsedFile::default();
        let parsed = found
            .files
            .iter()
            .map(|f| state.files.get(&f.path).map_or(&missing, |(_, p)| p));
        collect_loaded(&found, parsed, diags)
    }

    /// Parses one file; for a postmortem with errors, also the id it claims.
    pub fn parse(&self, file: &SourceFile) -> ParsedFile {
        let text = match read_text(file) {
            Ok(t) => t,
            Err(d) => {
                let claimed = (file.kind == SourceKind::Postmortem)
                    .then(|| crate::config::slug::slugify(&file.stem()));
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
                        Code::DuplicateId,
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

        let drafts = self.options.drafts;
        let public = self.options.public;

        // What links can point at; reused while no id, title, visibility
        // or file changed.
        let links_fp = {
            let mut f = crate::render::fragments::Fp::new();
            for pm in &loaded.postmortems {
                f = f
                    .str(&pm.id)
                    .str(&pm.title)
                    .u64(u64::from(is_built(pm, drafts, public)))
                    .str(&pm.source.file.content_rel);
            }
            for id in &loaded.failed_ids {
                f = f.str("\u{0}failed").str(id);
            }
            for p in &loaded.pages {
                f = f
                    .str("\u{0}page")
                    .str(&p.slug)
                    .u64(u64::from(p.draft))
                    .str(&p.source.file.content_rel);
            }
            for a in &loaded.assets {
                f = f.str("\u{0}asset").str(&a.rel);
            }
            f.finish()
        };
        let reuse = state
            .as_ref()
            .and_then(|s| s.links.clone())
            .filter(|l| l.0 == links_fp);
        let (links, all_ids) = match reuse {
            Some((_, links, all_ids)) => (links, all_ids),
            None => {
                let mut all_ids: HashSet<String> =
                    loaded.postmortems.iter().map(|p| p.id.clone()).collect();
                all_ids.extend(loaded.failed_ids.iter().cloned());
                let mut links = LinkTable {
                    base_path: base.clone(),
                    ..LinkTable::default()
                };
                for pm in &loaded.postmortems {
                    let url = format!("{base}{}", postmortem_path(&pm.id));
                    let built = is_built(pm, drafts, public);
                    links
                        .files
                        .insert(pm.source.file.content_rel.clone(), (url.clone(), !built));
                    if !built {
                        links.hidden_pages.insert(url.clone());
                    }
                    links.ids.entry(pm.id.clone()).or_insert(LinkEntry {
                        url,
                        title: pm.title.clone(),
                        hidden: !built,
                    });
                }
                for id in &loaded.failed_ids {
                    links.ids.entry(id.clone()).or_insert(LinkEntry {
                        url: format!("{base}{}", postmortem_path(id)),
                        title: id.clone(),
                        hidden: true,
                    });
                }
                for p in &loaded.pages {
                    let url = format!("{base}{}/", p.slug);
                    let hidden = p.draft && !drafts;
                    if hidden {
                        links.hidden_pages.insert(url.clone());
                    }
                    links
                        .files
                        .insert(p.source.file.content_rel.clone(), (url, hidden));
                }
                for a in &loaded.assets {
                    links.assets.insert(a.rel.clone());
                }
                (Arc::new(links), Arc::new(all_ids))
            }
        };
        let links_reused = state
            .as_ref()
            .and_then(|s| s.links.as_ref())
            .is_some_and(|l| Arc::ptr_eq(&l.1, &links));
        if let Some(s) = state.as_mut() {
            s.links = Some((links_fp, links.clone(), all_ids.clone()));
        }
        let links: &LinkTable = &links;
        let all_ids: &HashSet<String> = &all_ids;

        // Pages with the same slug collide.
        let mut page_slugs: HashMap<&str, &Page> = HashMap::new();
        for p in &loaded.pages {
            if let Some(other) = page_slugs.insert(&p.slug, p) {
                diags.push(
                    Diagnostic::error(
                        Code::DuplicatePage,
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
                let doc_rel = pm.source.file.content_rel.clone();
                let reusable = cache.and_then(|c| c.get(&pm.source.file.path)).filter(|c| {
                    c.source_hash == pm.source.hash
                        && c.body.problems.is_empty()
                        && (links_reused || links.still_valid(&doc_rel, &c.body.deps))
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
                        let body = self.markdown.render(pm.source.body_text(), &doc_rel, links);
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
                    url: format!("{base}{}", postmortem_path(&merged.id)),
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
        let mut fresh_bodies = Vec::new();
        for (inc, fresh) in rendered {
            diags.extend(inc.diagnostics.iter().cloned());
            if let Some(entry) = fresh {
                fresh_bodies.push((inc.pm.source.file.path.clone(), entry));
            }
            incidents.push(inc);
        }
        if let Some(s) = state.as_mut() {
            // Keep the bodies of files still built; add the new ones.
            if s.bodies.len() != incidents.len() {
                let live: HashSet<&Path> = incidents
                    .iter()
                    .map(|i| i.pm.source.file.path.as_path())
                    .collect();
                s.bodies.retain(|p, _| live.contains(p.as_path()));
            }
            s.bodies.extend(fresh_bodies);
        }
        let pages: Vec<(PageDoc, Vec<Diagnostic>)> = loaded
            .pages
            .into_par_iter()
            .filter(|p| drafts || !p.draft)
            .map(|page| {
                let body: RenderedBody = self.markdown.render(
                    page.source.body_text(),
                    &page.source.file.content_rel,
                    links,
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
        let skeleton = state.as_mut().and_then(|s| s.skeleton.take());
        match assemble(
            self.config.clone(),
            clock,
            public,
            incidents,
            page_docs,
            all_ids,
            skeleton,
        ) {
            Ok((site, skeleton)) => {
                if let Some(s) = state.as_mut() {
                    s.skeleton = Some(skeleton);
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
        progress: &dyn Progress,
    ) -> Result<RenderReport, Diagnostics> {
        let renderer = Renderer::new(
            site,
            &self.theme,
            &self.engine,
            self.inputs_fingerprint(),
            self.options.live_reload,
            state,
        )?;
        let report = renderer.render_all(sink, state, incremental, progress)?;
        let mut diags = Diagnostics::new();
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

    /// Load, model and render; nothing is written (for `check`).
    pub fn run(&self, clock: Clock) -> Result<Built, Diagnostics> {
        self.run_into(clock, &NullSink, None, &Unobserved)
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
        crate::write::check_output_dir(&self.config, &out).map_err(one)?;
        let clock = clock(&self.config, self.options.now).map_err(one)?;
        let staging = crate::write::Staging::begin(&out, self.options.force).map_err(one)?;
        let sink = DirSink::new(staging.dir());
        let mut built = self.run_into(clock, &sink, None, &Unobserved)?;
        let t = Instant::now();
        staging.commit().map_err(one)?;
        built.timings.push(("swap in", t.elapsed()));
        Ok(built)
    }
}

/// Reports unknown codes in the allow lists of book.toml (`[lint] allow`)
/// and of each postmortem (`lint: {allow: [...]}`): `build` does not lint,
/// but must not accept what `check` rejects.
pub fn check_allow_lists(config: &Config, loaded: &Loaded, diags: &mut Diagnostics) {
    let codes = Code::lint_names();
    let unknown = |code: &str| {
        let hint = match suggest(code, codes.iter().copied()) {
            Some(s) => format!("did you mean `{s}`? (lint codes: {})", codes.join(", ")),
            None => format!("lint codes: {}", codes.join(", ")),
        };
        Diagnostic::error(Code::UnknownLint, format!("unknown lint code `{code}`")).with_hint(hint)
    };
    let book = display_path(&config.config_path());
    let book_text = std::fs::read_to_string(config.config_path()).unwrap_or_default();
    for (i, code) in config.lint.allow.iter().enumerate() {
        if Code::lint(code).is_none() {
            let pos = config
                .positions
                .lint_allow
                .get(i)
                .copied()
                .unwrap_or(Pos::new(1, 1));
            diags.push(unknown(code).in_file(&book).at(pos).with_source(&book_text));
        }
    }
    for pm in &loaded.postmortems {
        for (i, code) in pm.lint_allow.iter().enumerate() {
            if Code::lint(code).is_none() {
                let path = YamlPath::root().key("lint").key("allow").index(i);
                diags.push(pm.source.diagnostic_at(unknown(code), &path, Target::Value));
            }
        }
    }
}
