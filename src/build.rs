//! The pipeline every command shares: load and parse the files, build the
//! site model, render it, write it.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use jiff::Timestamp;
use rayon::prelude::*;

use crate::config::Config;
use crate::diagnostics::{Diagnostic, Diagnostics, display_path};
use crate::highlight::Highlighter;
use crate::links::{LinkEntry, LinkTable};
use crate::markdown::{MarkdownRenderer, RenderedBody};
use crate::postmortem::{Page, Postmortem, parse_page, parse_postmortem};
use crate::render::{OutputFile, Renderer};
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

/// The files of a knowledge base, read and parsed.
#[derive(Clone, Debug, Default)]
pub struct Loaded {
    pub postmortems: Vec<Postmortem>,
    pub pages: Vec<Page>,
    pub assets: Vec<Asset>,
    /// Ids of postmortem files that have errors (their own errors are
    /// reported; links to them are not reported again).
    pub failed_ids: Vec<String>,
}

/// One file read: a postmortem or a page (when usable), its problems,
/// and the id a postmortem claims.
pub type ParsedFile = (
    Option<Postmortem>,
    Option<Page>,
    Vec<Diagnostic>,
    Option<String>,
);

/// The result of a build.
#[derive(Debug)]
pub struct Built {
    pub site: Site,
    pub files: Vec<OutputFile>,
    pub warnings: Vec<Diagnostic>,
    /// What the search index cost (when `[search] enable`).
    pub search: Option<crate::search::Stats>,
}

/// The shared pipeline: configuration, theme, and the renderers that are
/// created once.
pub struct Pipeline {
    pub config: Arc<Config>,
    pub options: BuildOptions,
    pub theme: Theme,
    markdown: MarkdownRenderer,
}

impl Pipeline {
    /// Reads the configuration and theme.
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
        let markdown =
            MarkdownRenderer::new(config.markdown.unsafe_html, Arc::new(Highlighter::new()));
        Ok(Pipeline {
            config: Arc::new(config),
            options,
            theme,
            markdown,
        })
    }

    /// The output folder.
    pub fn output_dir(&self) -> PathBuf {
        match &self.options.out {
            Some(p) => p.clone(),
            None => self.config.output_dir(),
        }
    }

    /// Finds and parses every file (in parallel).
    pub fn load(&self, diags: &mut Diagnostics) -> Loaded {
        let (found, d) = discover(&self.config);
        diags.extend(d);
        let parsed: Vec<ParsedFile> = found
            .files
            .par_iter()
            .map(|file| self.parse(file))
            .collect();
        let mut loaded = Loaded {
            assets: found.assets,
            ..Loaded::default()
        };
        for (pm, page, ds, claimed) in parsed {
            diags.extend(ds);
            if pm.is_none()
                && let Some(id) = claimed
            {
                loaded.failed_ids.push(id);
            }
            if let Some(mut pm) = pm {
                diags.extend(std::mem::take(&mut pm.warnings));
                loaded.postmortems.push(pm);
            }
            if let Some(p) = page {
                loaded.pages.push(p);
            }
        }
        loaded
    }

    /// Parses one file.
    /// Parses one file; for a postmortem with errors, also the id it claims.
    pub fn parse(&self, file: &SourceFile) -> ParsedFile {
        let text = match read_text(file) {
            Ok(t) => t,
            Err(d) => {
                let claimed = (file.kind == SourceKind::Postmortem)
                    .then(|| crate::slug::slugify(&file.stem()));
                return (None, None, vec![d], claimed);
            }
        };
        match file.kind {
            SourceKind::Postmortem => {
                let p = parse_postmortem(file, text, &self.config);
                (p.postmortem, None, p.diagnostics, p.claimed_id)
            }
            SourceKind::Page => {
                let (p, ds) = parse_page(file, text);
                (None, p, ds, None)
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
    /// relations derived. Errors in any file are all reported.
    pub fn model(&self, loaded: Loaded, clock: Clock, diags: &mut Diagnostics) -> Option<Site> {
        let config = &self.config;
        let base = config.base_path();

        // Ids are unique across the knowledge base (drafts included).
        let mut first_use: HashMap<String, &Postmortem> = HashMap::new();
        let mut duplicates = Vec::new();
        for pm in &loaded.postmortems {
            match first_use.get(&pm.id) {
                Some(other) => duplicates.push((pm, *other)),
                None => {
                    first_use.insert(pm.id.clone(), pm);
                }
            }
        }
        for (pm, other) in &duplicates {
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
            diags.push(
                pm.source
                    .diagnostic_at(d, &YamlPath::root().key("id"), Target::Value),
            );
        }
        let dup_files: HashSet<PathBuf> = duplicates
            .iter()
            .map(|(pm, _)| pm.source.file.path.clone())
            .collect();
        drop(duplicates);
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
        let built: Vec<Postmortem> = loaded
            .postmortems
            .into_iter()
            .filter(|pm| is_built(pm, drafts, public) && !dup_files.contains(&pm.source.file.path))
            .collect();
        let severities = &config.postmortem.severities;
        let rendered: Vec<(Incident, Vec<Diagnostic>)> = built
            .into_par_iter()
            .map(|mut pm| {
                let body = self.markdown.render(
                    pm.source.body_text(),
                    &self.content_rel(&pm.source.file),
                    &links,
                );
                let mut ds = body_problems(&pm.source, &body, &known);
                ds.extend(merge_body(&mut pm, &body));
                let metrics = Metrics::from_entries(&pm.timeline);
                let severity_rank = pm
                    .severity
                    .as_ref()
                    .and_then(|s| severities.iter().position(|x| x == s))
                    .unwrap_or(severities.len());
                let inc = Incident {
                    url: format!("{base}postmortems/{}/", pm.id),
                    pm,
                    body,
                    metrics,
                    related: Vec::new(),
                    backlinks: Vec::new(),
                    similar: Vec::new(),
                    severity_rank,
                };
                (inc, ds)
            })
            .collect();
        let mut incidents = Vec::with_capacity(rendered.len());
        for (inc, ds) in rendered {
            diags.extend(ds);
            incidents.push(inc);
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
                (PageDoc { page, url, body }, ds)
            })
            .collect();
        let mut page_docs = Vec::new();
        for (p, ds) in pages {
            diags.extend(ds);
            page_docs.push(p);
        }
        page_docs.sort_by(|a, b| a.page.slug.cmp(&b.page.slug));

        match assemble(
            self.config.clone(),
            clock,
            public,
            incidents,
            page_docs,
            &all_ids,
        ) {
            Ok(site) => Some(site),
            Err(d) => {
                diags.extend(d);
                None
            }
        }
    }

    /// Renders every file of the site.
    pub fn render(&self, site: &Site, assets: &[Asset]) -> Result<Vec<OutputFile>, Diagnostics> {
        let renderer = Renderer::new(site, &self.theme)?;
        let mut files = renderer.render_all()?;
        let mut diags = Diagnostics::new();
        for a in assets {
            match std::fs::read(&a.path) {
                Ok(bytes) => files.push(OutputFile::new(a.rel.clone(), bytes)),
                Err(e) => diags.push(
                    Diagnostic::error(
                        "io",
                        format!("cannot read {}: {e}", display_path(&a.path).display()),
                    )
                    .in_file(display_path(&a.path)),
                ),
            }
        }
        if diags.has_errors() {
            return Err(diags);
        }
        Ok(files)
    }

    /// Load, model and render; nothing is written.
    pub fn run(&self, clock: Clock) -> Result<Built, Diagnostics> {
        let mut diags = Diagnostics::new();
        let loaded = self.load(&mut diags);
        let assets = loaded.assets.clone();
        let site = self.model(loaded, clock, &mut diags);
        if diags.has_errors() {
            return Err(diags);
        }
        let Some(site) = site else {
            return Err(diags);
        };
        // The search index is built beside the pages, off the critical path.
        let (rendered, search) = rayon::join(
            || self.render(&site, &assets),
            || {
                site.config
                    .search
                    .enable
                    .then(|| crate::search::build(&site))
            },
        );
        let mut files = match rendered {
            Ok(f) => f,
            Err(d) => {
                diags.extend(d);
                return Err(diags);
            }
        };
        let search = search.map(|s| {
            files.extend(s.files);
            s.stats
        });
        Ok(Built {
            site,
            files,
            warnings: diags.into_sorted(),
            search,
        })
    }

    /// `pmsite build`: everything, written into the output folder. On any
    /// error nothing is written.
    pub fn build(&self) -> Result<Built, Diagnostics> {
        let out = self.output_dir();
        if let Err(d) = crate::output::check_output_dir(&self.config, &out) {
            let mut ds = Diagnostics::new();
            ds.push(d);
            return Err(ds);
        }
        let clock = clock(&self.config, self.options.now).map_err(|d| {
            let mut ds = Diagnostics::new();
            ds.push(d);
            ds
        })?;
        let built = self.run(clock)?;
        if let Err(d) = crate::output::write_site(&out, &built.files, self.options.force) {
            let mut ds = Diagnostics::new();
            ds.push(d);
            return Err(ds);
        }
        Ok(built)
    }
}
