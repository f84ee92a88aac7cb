//! Pieces of HTML rendered once per incident and reused on every page that
//! lists it: the incident's list items (three variants) and its follow-up
//! table rows. Each is kept with a fingerprint of its inputs, so `serve`
//! re-renders only the pieces of incidents that changed.

use std::collections::HashMap;
use std::sync::Arc;

use rayon::prelude::*;
use tera::{Context, Tera, Value};
use xxhash_rust::xxh3::Xxh3;

use super::views::{Card, FollowUpRow, card, follow_up_row, value};
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::model::site::{Incident, Site};
use crate::render::theme::Theme;

/// A fingerprint being computed.
#[derive(Default)]
pub struct Fp(Xxh3);

impl Fp {
    pub fn new() -> Self {
        Fp(Xxh3::new())
    }

    pub fn str(mut self, s: &str) -> Self {
        self.0.update(&(s.len() as u64).to_le_bytes());
        self.0.update(s.as_bytes());
        self
    }

    pub fn strs<'a>(self, ss: impl IntoIterator<Item = &'a String>) -> Self {
        ss.into_iter().fold(self, |fp, s| fp.str(s))
    }

    pub fn u64(mut self, v: u64) -> Self {
        self.0.update(&v.to_le_bytes());
        self
    }

    pub fn u64s(mut self, vs: impl IntoIterator<Item = u64>) -> Self {
        for v in vs {
            self.0.update(&v.to_le_bytes());
        }
        self
    }

    pub fn finish(&self) -> u64 {
        self.0.digest()
    }
}

/// The rendered pieces of one incident.
pub struct Pieces {
    /// Fingerprint of the file the pieces were made from (with the
    /// site-wide inputs): when it is unchanged, nothing is recomputed.
    pub source_fp: u64,
    /// Fingerprint of what lists and exports show of the incident: its
    /// card, its follow-ups and its exported record. Editing a body's prose
    /// changes the source but not this, so no list page is redone.
    pub fp: u64,
    /// The incident's card data, for templates that lay it out themselves.
    pub card: Value,
    pub card_data: Card,
    /// List item content with the summary and cause and service chips:
    /// only for the incidents the home page shows as cards (`wants_full`).
    pub full: Option<Arc<str>>,
    /// Without summary, with cause chips (all incidents, the timeline).
    pub with_causes: Arc<str>,
    /// Without summary or chips (cause and service pages).
    pub compact: Arc<str>,
    /// Severity, title and date only (the related incidents of an
    /// incident's page).
    pub mini: Arc<str>,
    /// The follow-ups as table rows naming the incident (the board).
    pub board_rows: Vec<Arc<str>>,
    /// The follow-ups as rows of the incident's own table.
    pub own_rows: Vec<Arc<str>>,
    /// The follow-ups' data.
    pub rows: Vec<FollowUpRow>,
}

/// Pieces kept between renders, by incident id.
#[derive(Default)]
pub struct PieceCache {
    by_id: HashMap<String, Arc<Pieces>>,
}

fn render(
    tera: &Tera,
    theme: &Theme,
    template: &str,
    ctx: &Context,
) -> Result<Arc<str>, Diagnostic> {
    tera.render(template, ctx)
        .map(Arc::from)
        .map_err(|e| theme.template_error(&e))
}

/// The pieces of every incident (in site order), reusing cached ones whose
/// inputs did not change. The cache is replaced by the new pieces.
pub fn pieces(
    site: &Site,
    tera: &Tera,
    theme: &Theme,
    global_fp: u64,
    cache: &mut PieceCache,
) -> Result<Vec<Arc<Pieces>>, Diagnostics> {
    let old = &cache.by_id;
    let results: Vec<Result<Arc<Pieces>, Diagnostic>> = site
        .incidents
        .par_iter()
        .enumerate()
        .map(|(i, inc)| {
            let made = Made {
                tera,
                theme,
                global_fp,
                full: wants_full(site, i),
            };
            incident_pieces(site, &made, old.get(&inc.pm.id), inc)
        })
        .collect();
    let mut out = Vec::with_capacity(results.len());
    let mut diags = Diagnostics::new();
    for r in results {
        match r {
            Ok(p) => out.push(p),
            Err(d) => diags.push(d),
        }
    }
    if diags.has_errors() {
        // One template error repeats for every incident: report it once.
        diags.sort();
        return Err(diags);
    }
    cache.by_id = site
        .incidents
        .iter()
        .zip(&out)
        .map(|(inc, p)| (inc.pm.id.clone(), p.clone()))
        .collect();
    Ok(out)
}

/// How many recent incidents the home page shows as cards.
pub const RECENT: usize = 10;

/// Does the home page show incident `i` as a card (recent, or on the
/// reading list)? Only those get the `full` piece.
pub fn wants_full(site: &Site, i: usize) -> bool {
    i < RECENT || site.reading_list.contains(&i)
}

/// What pieces are made with.
struct Made<'a> {
    tera: &'a Tera,
    theme: &'a Theme,
    global_fp: u64,
    /// Make the `full` piece too.
    full: bool,
}

/// The pieces of one incident: `cached` ones when the incident's inputs,
/// or at least what its pieces show, did not change, new ones otherwise.
fn incident_pieces(
    site: &Site,
    made: &Made<'_>,
    cached: Option<&Arc<Pieces>>,
    inc: &Incident,
) -> Result<Arc<Pieces>, Diagnostic> {
    let global_fp = made.global_fp;
    // What other incidents' follow-ups make of this one (a recurrence)
    // changes its card and export without a change to its file.
    let recurrence_fp = site.by_id.get(&inc.pm.id).map_or(0, |&i| {
        site.recurrences.fingerprint(i, |j| {
            xxhash_rust::xxh3::xxh3_64(site.incidents[j].pm.id.as_bytes())
        })
    });
    let source_fp = Fp::new()
        .u64(global_fp)
        .u64(u64::from(made.full))
        .u64(inc.pm.source.hash)
        .u64(recurrence_fp)
        .str(&inc.pm.id)
        .u64s(
            inc.related
                .iter()
                .map(|&j| xxhash_rust::xxh3::xxh3_64(site.incidents[j].pm.id.as_bytes())),
        )
        .finish();
    if let Some(p) = cached
        && p.source_fp == source_fp
    {
        return Ok(p.clone());
    }
    let data = card(site, inc);
    let rows: Vec<FollowUpRow> = inc
        .pm
        .follow_ups
        .iter()
        .map(|f| follow_up_row(site, inc, f))
        .collect();
    let fp = Fp::new()
        .u64(global_fp)
        .str(&serde_json::to_string(&data).unwrap_or_default())
        .str(&serde_json::to_string(&rows).unwrap_or_default())
        .str(&serde_json::to_string(&super::export::exported(site, inc)).unwrap_or_default())
        .finish();
    if let Some(p) = cached
        && p.fp == fp
        && p.full.is_some() == made.full
    {
        // Same output from a changed file (its prose changed).
        return Ok(Arc::new(Pieces {
            source_fp,
            fp,
            card: p.card.clone(),
            card_data: p.card_data.clone(),
            full: p.full.clone(),
            with_causes: p.with_causes.clone(),
            compact: p.compact.clone(),
            mini: p.mini.clone(),
            board_rows: p.board_rows.clone(),
            own_rows: p.own_rows.clone(),
            rows: p.rows.clone(),
        }));
    }
    render_pieces(made, source_fp, fp, data, rows).map(Arc::new)
}

/// Renders the list items and follow-up rows of an incident's card and
/// follow-ups.
fn render_pieces(
    made: &Made<'_>,
    source_fp: u64,
    fp: u64,
    data: Card,
    rows: Vec<FollowUpRow>,
) -> Result<Pieces, Diagnostic> {
    let (tera, theme) = (made.tera, made.theme);
    let card_value = value(&data);
    let mut ctx = Context::new();
    ctx.insert_value("inc", card_value.clone());
    let full = if made.full {
        ctx.insert("variant", "full");
        Some(render(tera, theme, "partials/incident.html", &ctx)?)
    } else {
        None
    };
    ctx.insert("variant", "with-causes");
    let with_causes = render(tera, theme, "partials/incident.html", &ctx)?;
    ctx.insert("variant", "compact");
    let compact = render(tera, theme, "partials/incident.html", &ctx)?;
    ctx.insert("variant", "mini");
    let mini = render(tera, theme, "partials/incident.html", &ctx)?;
    let mut board_rows = Vec::with_capacity(rows.len());
    let mut own_rows = Vec::with_capacity(rows.len());
    for r in &rows {
        let mut ctx = Context::new();
        ctx.insert_value("f", value(r));
        ctx.insert("show_incident", &true);
        board_rows.push(render(tera, theme, "partials/follow-up-row.html", &ctx)?);
        ctx.insert("show_incident", &false);
        own_rows.push(render(tera, theme, "partials/follow-up-row.html", &ctx)?);
    }
    Ok(Pieces {
        source_fp,
        fp,
        card: card_value,
        card_data: data,
        full,
        with_causes,
        compact,
        mini,
        board_rows,
        own_rows,
        rows,
    })
}

/// A list for the templates: `{html, count}` where `html` is the items,
/// each wrapped in `<li>`.
pub fn incident_list<'a>(items: impl Iterator<Item = &'a str>) -> Value {
    let mut html = String::new();
    let mut count = 0usize;
    for item in items {
        html.push_str("<li>");
        html.push_str(item);
        html.push_str("</li>\n");
        count += 1;
    }
    list_value(html, count)
}

/// Table rows for the templates: `{html, count}`.
pub fn row_list<'a>(rows: impl Iterator<Item = &'a str>) -> Value {
    let mut html = String::new();
    let mut count = 0usize;
    for r in rows {
        html.push_str(r);
        count += 1;
    }
    list_value(html, count)
}

fn list_value(html: String, count: usize) -> Value {
    let mut map = tera::Map::new();
    map.insert("html".into(), Value::safe_string(&html));
    map.insert("count".into(), Value::from(count));
    Value::from(map)
}
