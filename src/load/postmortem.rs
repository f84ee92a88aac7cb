//! A postmortem (and a free page) read from its file: front matter checked
//! field by field into typed values, with every problem reported at its
//! place in the file.

use std::collections::HashSet;
use std::sync::Arc;

use jiff::civil::Date;
use jiff::tz::TimeZone;

use crate::config::Config;
use crate::config::slug::{MAX_NAME_BYTES, is_slug, slugify};
use crate::diagnostics::Code;
use crate::diagnostics::yaml::{Target, YamlPath};
use crate::diagnostics::{Diagnostic, Pos, suggest};
use crate::load::frontmatter::{FieldErrors, Fields, Split, SplitError, parse_yaml, split};
use crate::model::followup::{FollowUp, FollowUpStatus, FollowUpType};
use crate::model::postmortem::{
    IdRef, Kind, Page, Postmortem, Source, SourceFile, Status, Visibility,
};
use crate::model::timeline::{Milestone, TimeCursor, TimelineEntry, TimelineSource};

/// Front matter keys of a postmortem.
pub const POSTMORTEM_KEYS: &[&str] = &[
    "title",
    "date",
    "id",
    "status",
    "severity",
    "summary",
    "impact",
    "services",
    "teams",
    "authors",
    "causes",
    "trigger",
    "detection",
    "tags",
    "visibility",
    "kind",
    "timezone",
    "timeline",
    "follow_ups",
    "related",
    "lint",
    "source_url",
    "extra",
];

pub const TIMELINE_KEYS: &[&str] = &["at", "kind", "event"];
pub const FOLLOW_UP_KEYS: &[&str] = &[
    "title",
    "owner",
    "status",
    "due",
    "ticket",
    "priority",
    "type",
    "team",
    "completed",
];
pub const PAGE_KEYS: &[&str] = &["title", "description", "weight", "draft"];

/// Cuts a file into front matter and body, or says why it cannot.
pub fn split_file(
    file: &SourceFile,
    text: &str,
    required: bool,
) -> Result<Option<Split>, Diagnostic> {
    match split(text) {
        Ok(s) => Ok(Some(s)),
        Err(SplitError::Missing) if !required => Ok(None),
        Err(SplitError::Missing) => Err(Diagnostic::error(
            Code::NoFrontMatter,
            "missing front matter: a postmortem starts with a `---` line, then `key: value` lines, then `---`",
        )
        .in_file(&file.shown)
        .at(Pos::new(1, 1))
        .with_source(text)
        .with_hint("start the file with:\n---\ntitle: \"What happened\"\ndate: 2018-04-12\nseverity: SEV2\nsummary: One paragraph.\n---")),
        Err(SplitError::Unterminated) => Err(Diagnostic::error(
            Code::UnterminatedFrontMatter,
            "front matter is never closed: the `---` on line 1 has no closing `---` line",
        )
        .in_file(&file.shown)
        .at(Pos::new(1, 1))
        .with_source(text)
        .with_hint("add a line containing only `---` after the last front matter key")),
    }
}

fn make_source(file: &SourceFile, text: Arc<str>, split: Option<Split>) -> Source {
    match split {
        Some(s) => Source::new(
            file.clone(),
            text,
            (s.yaml, s.yaml_line),
            (s.body, s.body_line),
        ),
        None => {
            let len = text.len();
            Source::new(file.clone(), text, (0..0, 1), (0..len, 1))
        }
    }
}

/// `[a-z0-9-]+`, as ids are written.
pub fn is_valid_id(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// What reading a postmortem file gave.
#[derive(Debug)]
pub struct ParsedPostmortem {
    /// The postmortem, when its title, date and id could be read (it may
    /// still have errors: then it is checked further, never built).
    pub postmortem: Option<Postmortem>,
    /// Every problem found (warnings of a usable postmortem included).
    pub diagnostics: Vec<Diagnostic>,
    /// The id the file claims, even when it has errors, so that links to
    /// it are not reported as broken on top of its own errors.
    pub claimed_id: Option<String>,
}

fn stem_id(file: &SourceFile) -> Option<String> {
    let stem = file.stem();
    let id = if is_valid_id(&stem) {
        stem
    } else {
        slugify(&stem)
    };
    (!id.is_empty()).then_some(id)
}

/// Reads a postmortem file.
pub fn parse_postmortem(file: &SourceFile, text: Arc<str>, config: &Config) -> ParsedPostmortem {
    let failed = |diagnostics: Vec<Diagnostic>, claimed_id: Option<String>| ParsedPostmortem {
        postmortem: None,
        diagnostics,
        claimed_id,
    };
    let split = match split_file(file, &text, true) {
        Ok(s) => s,
        Err(d) => return failed(vec![d], stem_id(file)),
    };
    let source = make_source(file, text, split);
    let map = match parse_yaml(source.yaml_text(), source.yaml_line) {
        Ok(m) => m,
        Err(d) => {
            return failed(
                vec![d.in_file(&file.shown).with_source(&source.text)],
                stem_id(file),
            );
        }
    };
    let mut errs = FieldErrors::default();
    let fields = Fields::new(&map, YamlPath::root());
    let pm = read_postmortem(&fields, &source, config, &mut errs);
    let diags = errs.into_diagnostics(&source);
    let has_errors = diags.iter().any(Diagnostic::is_error);
    match pm {
        Some(mut pm) => {
            pm.has_errors = has_errors;
            let id = pm.id.clone();
            if has_errors {
                ParsedPostmortem {
                    postmortem: Some(pm),
                    diagnostics: diags,
                    claimed_id: Some(id),
                }
            } else {
                pm.warnings.extend(diags);
                ParsedPostmortem {
                    postmortem: Some(pm),
                    diagnostics: Vec::new(),
                    claimed_id: Some(id),
                }
            }
        }
        None => {
            let claimed = match fields.get("id") {
                Some(serde_yaml::Value::String(s)) if is_valid_id(s) => Some(s.clone()),
                _ => stem_id(file),
            };
            failed(diags, claimed)
        }
    }
}

fn read_postmortem(
    f: &Fields<'_>,
    source: &Source,
    config: &Config,
    errs: &mut FieldErrors,
) -> Option<Postmortem> {
    f.check_keys(POSTMORTEM_KEYS, "in postmortem front matter", errs);
    required_fields(f, config, errs);
    let title = f.text("title", errs);
    let date = read_date(f, source, config, errs);
    let id = read_id(f, source, errs);
    let status = read_status(f, errs);
    let severity = read_severity(f, config, errs);
    let summary = f.text("summary", errs);
    let impact = f.text("impact", errs);
    let services = slug_list(f, "services", errs);
    let teams = slug_list(f, "teams", errs);
    let tags = tag_list(f, errs);
    let authors: Vec<String> = f
        .string_list("authors", errs)
        .into_iter()
        .map(|(s, _)| s)
        .collect();
    let (causes, trigger) = read_causes(f, config, errs);
    let detection = f
        .string("detection", errs)
        .and_then(|d| checked_slug(&d, &YamlPath::root().key("detection"), "detection", errs));
    let visibility = read_visibility(f, errs);
    let kind = read_kind(f, errs);
    let timezone = read_timezone(f, config, errs);
    // With no usable date, times are still checked (on a stand-in day).
    let timeline = read_timeline(
        f,
        date.unwrap_or(jiff::civil::date(2000, 1, 1)),
        &timezone,
        errs,
    );
    let timeline_source = if timeline.is_empty() {
        TimelineSource::None
    } else {
        TimelineSource::FrontMatter
    };
    let follow_ups = read_follow_ups(f, errs);
    let related = read_related(f, errs);
    let lint_allow = read_lint_allow(f, errs);
    let source_url = read_source_url(f, errs);
    let extra = read_extra(f, errs);
    let title = title.or_else(|| {
        (!config.postmortem.required.iter().any(|r| r == "title"))
            .then(|| id.clone())
            .flatten()
    })?;
    Some(Postmortem {
        source: source.clone(),
        id: id?,
        title,
        date: date?,
        status,
        severity,
        summary,
        impact,
        services,
        teams,
        authors,
        causes,
        trigger,
        detection,
        tags,
        visibility,
        kind,
        timezone,
        timeline,
        timeline_source,
        follow_ups,
        related,
        lint_allow,
        source_url,
        extra,
        warnings: Vec::new(),
        has_errors: false,
    })
}

/// `[postmortem] required` fields that are absent.
fn required_fields(f: &Fields<'_>, config: &Config, errs: &mut FieldErrors) {
    for key in &config.postmortem.required {
        if !f.has(key) {
            errs.error(
                YamlPath::root().key(key),
                Target::Key,
                Code::MissingField,
                format!("missing required field `{key}`"),
                Some(format!("add `{key}:` to the front matter ([postmortem] required in book.toml lists the fields every postmortem needs)")),
            );
        }
    }
}

/// `date:`, else the date the file name starts with.
fn read_date(
    f: &Fields<'_>,
    source: &Source,
    config: &Config,
    errs: &mut FieldErrors,
) -> Option<jiff::civil::Date> {
    f.date("date", errs).or_else(|| {
        if f.has("date") {
            return None;
        }
        let from_name = source
            .file
            .stem()
            .get(..10)
            .and_then(crate::load::frontmatter::parse_date);
        if from_name.is_none() && !config.postmortem.required.iter().any(|r| r == "date") {
            errs.error(
                YamlPath::root().key("date"),
                Target::Key,
                Code::MissingField,
                "missing `date`, and the file name does not start with one".into(),
                Some("add `date: YYYY-MM-DD` (the day of the incident)".into()),
            );
        }
        from_name
    })
}

/// `id:`, else the file name (made a slug when it is not one).
fn read_id(f: &Fields<'_>, source: &Source, errs: &mut FieldErrors) -> Option<String> {
    let path = YamlPath::root().key("id");
    if let Some(id) = f.string("id", errs) {
        if too_long(&id, &path, "id", errs) {
            return None;
        }
        if is_valid_id(&id) {
            return Some(id);
        }
        errs.error(
            path,
            Target::Value,
            Code::BadId,
            format!("invalid id `{id}`: ids use only lowercase letters, digits and `-`"),
            Some(format!("use `{}`", slugify(&id))),
        );
        return None;
    }
    let stem = source.file.stem();
    if is_valid_id(&stem) {
        return Some(stem);
    }
    let s = slugify(&stem);
    if s.is_empty() {
        errs.error(
            path,
            Target::Key,
            Code::BadId,
            format!("the file name `{stem}` gives no usable id"),
            Some("add `id: short-name` (lowercase letters, digits and `-`)".into()),
        );
        return None;
    }
    Some(s)
}

fn read_status(f: &Fields<'_>, errs: &mut FieldErrors) -> Status {
    let Some(s) = f.string("status", errs) else {
        return Status::Final;
    };
    Status::parse(&s).unwrap_or_else(|| {
        errs.error(
            YamlPath::root().key("status"),
            Target::Value,
            Code::BadValue,
            format!("unknown status `{s}`"),
            Some(one_of(&s, Status::NAMES)),
        );
        Status::Final
    })
}

/// One of `[postmortem] severities`.
fn read_severity(f: &Fields<'_>, config: &Config, errs: &mut FieldErrors) -> Option<String> {
    let s = f.string("severity", errs)?;
    if config.postmortem.severities.contains(&s) {
        return Some(s);
    }
    let names: Vec<&str> = config
        .postmortem
        .severities
        .iter()
        .map(String::as_str)
        .collect();
    errs.error(
        YamlPath::root().key("severity"),
        Target::Value,
        Code::UnknownSeverity,
        format!("unknown severity `{s}`"),
        Some(one_of(&s, &names) + " (from [postmortem] severities in book.toml)"),
    );
    None
}

/// `causes:` and `trigger:` (the trigger is a cause too), checked against
/// the `[causes]` vocabulary when there is one.
fn read_causes(
    f: &Fields<'_>,
    config: &Config,
    errs: &mut FieldErrors,
) -> (Vec<String>, Option<String>) {
    let mut causes = slug_list(f, "causes", errs);
    check_vocabulary(&causes, f, "causes", config, errs);
    let trigger = f.string("trigger", errs).and_then(|t| {
        let path = YamlPath::root().key("trigger");
        let t = checked_slug(&t, &path, "trigger", errs)?;
        check_cause_known(&t, &path, config, errs);
        Some(t)
    });
    if let Some(t) = &trigger
        && !causes.contains(t)
    {
        causes.push(t.clone());
    }
    (causes, trigger)
}

fn read_visibility(f: &Fields<'_>, errs: &mut FieldErrors) -> Visibility {
    match f.string("visibility", errs).as_deref() {
        None | Some("public") => Visibility::Public,
        Some("internal") => Visibility::Internal,
        Some(other) => {
            errs.error(
                YamlPath::root().key("visibility"),
                Target::Value,
                Code::BadValue,
                format!("unknown visibility `{other}`"),
                Some(one_of(other, &["public", "internal"])),
            );
            Visibility::Public
        }
    }
}

/// `kind:` (default `incident`).
fn read_kind(f: &Fields<'_>, errs: &mut FieldErrors) -> Kind {
    let Some(s) = f.string("kind", errs) else {
        return Kind::Incident;
    };
    Kind::parse(&s).unwrap_or_else(|| {
        errs.error(
            YamlPath::root().key("kind"),
            Target::Value,
            Code::BadValue,
            format!("unknown kind `{s}`"),
            Some(
                one_of(&s, Kind::NAMES)
                    + " (incident: users were harmed; near-miss: they could have been; exercise: a tabletop, game day or chaos test)",
            ),
        );
        Kind::Incident
    })
}

/// `timezone:`, else the site's.
fn read_timezone(f: &Fields<'_>, config: &Config, errs: &mut FieldErrors) -> TimeZone {
    let Some(name) = f.string("timezone", errs) else {
        return config.site.timezone.clone();
    };
    TimeZone::get(&name).unwrap_or_else(|_| {
        errs.error(
            YamlPath::root().key("timezone"),
            Target::Value,
            Code::BadValue,
            format!("unknown time zone `{name}`"),
            Some(
                "use an IANA name such as `UTC`, `Europe/Copenhagen` or `America/New_York`".into(),
            ),
        );
        config.site.timezone.clone()
    })
}

/// `related:` ids, each with its place.
fn read_related(f: &Fields<'_>, errs: &mut FieldErrors) -> Vec<IdRef> {
    let mut related = Vec::new();
    for (r, path) in f.string_list("related", errs) {
        if is_valid_id(&r) {
            related.push(IdRef { id: r, path });
        } else {
            errs.error(
                path,
                Target::Value,
                Code::BadId,
                format!("`{r}` is not a postmortem id"),
                Some(format!(
                    "ids use only lowercase letters, digits and `-`, e.g. `{}`",
                    slugify(&r)
                )),
            );
        }
    }
    related
}

/// `source_url:` the original report's address (shown as a link, so
/// only `http` and `https`).
fn read_source_url(f: &Fields<'_>, errs: &mut FieldErrors) -> Option<String> {
    let url = f.string("source_url", errs)?;
    let url = url.trim().to_string();
    if crate::model::followup::is_url(&url) {
        return Some(url);
    }
    errs.error(
        YamlPath::root().key("source_url"),
        Target::Value,
        Code::BadValue,
        format!("`source_url` must be an http or https address, found `{url}`"),
        Some(
            "write the original report's address, e.g. https://status.example.com/incidents/42"
                .into(),
        ),
    );
    None
}

/// `extra:` fields another tool wrote (kept by `pmsite import`): a
/// mapping of names to strings, numbers, booleans or lists of those.
fn read_extra(f: &Fields<'_>, errs: &mut FieldErrors) -> Vec<(String, serde_json::Value)> {
    use serde_yaml::Value;
    let Some(v) = f.get("extra") else {
        return Vec::new();
    };
    let path = YamlPath::root().key("extra");
    let Value::Mapping(map) = v else {
        errs.error(
            path,
            Target::Value,
            Code::WrongType,
            format!(
                "`extra` must be a mapping of names to values, found {}",
                crate::load::frontmatter::type_name(v)
            ),
            Some("write one `name: value` per line under `extra:`".into()),
        );
        return Vec::new();
    };
    let scalar = |v: &Value| matches!(v, Value::String(_) | Value::Number(_) | Value::Bool(_));
    let mut out = Vec::new();
    for (k, v) in map {
        let Some(name) = crate::load::frontmatter::scalar_text(k) else {
            errs.error(
                path.clone(),
                Target::Value,
                Code::WrongType,
                "`extra` names must be text".into(),
                None,
            );
            continue;
        };
        let ok = scalar(v) || matches!(v, Value::Sequence(items) if items.iter().all(scalar));
        if !ok {
            errs.error(
                path.key(&name),
                Target::Value,
                Code::WrongType,
                format!(
                    "`extra.{name}` must be a string, a number, true/false or a list of those, found {}",
                    crate::load::frontmatter::type_name(v)
                ),
                Some("write nested values as one string".into()),
            );
            continue;
        }
        if let Ok(j) = serde_json::to_value(v) {
            out.push((name, j));
        }
    }
    out
}

/// `lint: {allow: [...]}` (the codes are checked by the pipeline).
fn read_lint_allow(f: &Fields<'_>, errs: &mut FieldErrors) -> Vec<String> {
    let Some(lint) = f.mapping("lint", errs) else {
        return Vec::new();
    };
    lint.check_keys(&["allow"], "in `lint`", errs);
    lint.string_list("allow", errs)
        .into_iter()
        .map(|(s, _)| s)
        .collect()
}

/// "expected one of: a, b, c" with a suggestion first when one is close.
fn one_of(word: &str, names: &[&str]) -> String {
    match suggest(word, names.iter().copied()) {
        Some(s) => format!("did you mean `{s}`? (one of: {})", names.join(", ")),
        None => format!("use one of: {}", names.join(", ")),
    }
}

fn checked_slug(value: &str, path: &YamlPath, key: &str, errs: &mut FieldErrors) -> Option<String> {
    if too_long(value, path, key, errs) {
        return None;
    }
    if is_slug(value) {
        return Some(value.to_string());
    }
    let s = slugify(value);
    if s.is_empty() {
        errs.error(
            path.clone(),
            Target::Value,
            Code::BadSlug,
            format!("`{value}` cannot be used as a {key} name"),
            Some("use lowercase letters, digits and dashes".into()),
        );
    } else {
        errs.error(
            path.clone(),
            Target::Value,
            Code::BadSlug,
            format!("{key} `{value}` must be written as a slug: `{s}`"),
            Some(format!(
                "write `{s}` (lowercase letters, digits and dashes)"
            )),
        );
    }
    None
}

/// A name longer than a folder name can be: an error.
fn too_long(value: &str, path: &YamlPath, key: &str, errs: &mut FieldErrors) -> bool {
    if value.len() <= MAX_NAME_BYTES {
        return false;
    }
    errs.error(
        path.clone(),
        Target::Value,
        Code::BadValue,
        format!(
            "this {key} name is {} bytes long; each {key} becomes a folder name of the site, at most {MAX_NAME_BYTES} bytes",
            value.len()
        ),
        Some("shorten it, and write the long text in the body".into()),
    );
    true
}

fn slug_list(f: &Fields<'_>, key: &str, errs: &mut FieldErrors) -> Vec<String> {
    let what = key.trim_end_matches('s');
    let mut out: Vec<String> = Vec::new();
    let mut seen = HashSet::new();
    for (v, path) in f.string_list(key, errs) {
        if let Some(s) = checked_slug(&v, &path, what, errs)
            && seen.insert(s.clone())
        {
            out.push(s);
        }
    }
    out
}

/// Tags are free text (any language), but each becomes a folder name.
fn tag_list(f: &Fields<'_>, errs: &mut FieldErrors) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut seen = HashSet::new();
    for (t, path) in f.string_list("tags", errs) {
        if too_long(&t, &path, "tag", errs) {
            continue;
        }
        let bad = t.starts_with('.') || t.chars().any(|c| c == '/' || c == '\\' || c.is_control());
        if bad {
            errs.error(
                path,
                Target::Value,
                Code::BadTag,
                format!(
                    "tag `{t}` cannot be used: tags may not contain `/` or `\\` or start with `.`"
                ),
                Some(format!("write `{}`", slugify(&t))),
            );
        } else if seen.insert(t.clone()) {
            out.push(t);
        }
    }
    out
}

fn check_cause_known(cause: &str, path: &YamlPath, config: &Config, errs: &mut FieldErrors) {
    if config.causes.is_empty() || config.causes.contains_key(cause) {
        return;
    }
    let hint = match suggest(cause, config.causes.keys().map(String::as_str)) {
        Some(s) => format!("did you mean `{s}`? Causes are listed in [causes] in book.toml"),
        None => {
            "add it to [causes] in book.toml, or use one of the causes listed there".to_string()
        }
    };
    errs.error(
        path.clone(),
        Target::Value,
        Code::UnknownCause,
        format!("unknown cause `{cause}`"),
        Some(hint),
    );
}

fn check_vocabulary(
    causes: &[String],
    f: &Fields<'_>,
    key: &str,
    config: &Config,
    errs: &mut FieldErrors,
) {
    if config.causes.is_empty() {
        return;
    }
    let causes: HashSet<&str> = causes.iter().map(String::as_str).collect();
    for (v, path) in f.string_list(key, &mut FieldErrors::default()) {
        if causes.contains(v.as_str()) {
            check_cause_known(&v, &path, config, errs);
        }
    }
}

fn read_timeline(
    f: &Fields<'_>,
    date: Date,
    tz: &TimeZone,
    errs: &mut FieldErrors,
) -> Vec<TimelineEntry> {
    let mut cursor = TimeCursor::new(date, tz.clone());
    let mut out = Vec::new();
    for (entry, _) in f.map_list("timeline", errs) {
        entry.check_keys(TIMELINE_KEYS, "in a timeline entry", errs);
        let kind = match entry.string("kind", errs) {
            None => Milestone::Other,
            Some(k) => match Milestone::parse(&k) {
                Some(m) => m,
                None => {
                    errs.error(
                        entry.path.key("kind"),
                        Target::Value,
                        Code::BadValue,
                        format!("unknown timeline kind `{k}`"),
                        Some(one_of(&k, Milestone::NAMES)),
                    );
                    Milestone::Other
                }
            },
        };
        let event = entry.text("event", errs);
        if event.is_none() && !entry.has("event") {
            errs.error(
                entry.path.key("event"),
                Target::Key,
                Code::MissingField,
                "timeline entry has no `event`".into(),
                Some("describe what happened: `event: Monitoring pages on-call`".into()),
            );
        }
        let at = match entry.string("at", errs) {
            None => {
                if !entry.has("at") {
                    errs.error(
                        entry.path.key("at"),
                        Target::Key,
                        Code::MissingField,
                        "timeline entry has no `at` time".into(),
                        Some("add `at: \"09:09\"` or `at: 2018-04-12T09:09:00Z`".into()),
                    );
                }
                None
            }
            Some(text) => match cursor.read(&text) {
                Ok(r) => {
                    if let Some(prev) = r.backwards {
                        errs.error(
                            entry.path.key("at"),
                            Target::Value,
                            Code::TimelineBackwards,
                            format!("timeline goes backwards: `{text}` is before the previous entry ({prev})"),
                            Some("list entries in the order they happened, or fix the time".into()),
                        );
                    }
                    if r.rolled_over {
                        errs.warning(
                            entry.path.key("at"),
                            Target::Value,
                            Code::TimelineRollover,
                            format!("`{text}` is earlier than the previous entry; taken as the next day ({})", r.at),
                            Some("write the full date and time to make this explicit".into()),
                        );
                    }
                    if let Some(dt) = r.skipped {
                        errs.warning(
                            entry.path.key("at"),
                            Target::Value,
                            Code::TimelineDstGap,
                            crate::model::timeline::skipped_message(&text, dt, r.at),
                            Some(crate::model::timeline::SKIPPED_HINT.into()),
                        );
                    }
                    Some(r.at)
                }
                Err(msg) => {
                    errs.error(
                        entry.path.key("at"),
                        Target::Value,
                        Code::BadTime,
                        msg,
                        Some("write `HH:MM` (on the incident date, in its time zone) or a full timestamp such as 2018-04-12T09:09:00Z".into()),
                    );
                    None
                }
            },
        };
        if let (Some(at), Some(event)) = (at, event) {
            out.push(TimelineEntry {
                at,
                kind,
                event,
                line: 0,
            });
        }
    }
    out
}

fn read_follow_ups(f: &Fields<'_>, errs: &mut FieldErrors) -> Vec<FollowUp> {
    let mut out = Vec::new();
    for (item, _) in f.map_list("follow_ups", errs) {
        item.check_keys(FOLLOW_UP_KEYS, "in a follow-up", errs);
        let title = item.text("title", errs);
        if title.is_none() && !item.has("title") {
            errs.error(
                item.path.key("title"),
                Target::Key,
                Code::MissingField,
                "follow-up has no `title`".into(),
                Some("say what will be done: `title: Add timeouts to outbound HTTP calls`".into()),
            );
        }
        let status = match item.string("status", errs) {
            None => FollowUpStatus::Open,
            Some(s) => match FollowUpStatus::parse(&s) {
                Some(st) => st,
                None => {
                    errs.error(
                        item.path.key("status"),
                        Target::Value,
                        Code::BadFollowUpStatus,
                        format!("unknown follow-up status `{s}`"),
                        Some(one_of(&s, FollowUpStatus::NAMES)),
                    );
                    FollowUpStatus::Open
                }
            },
        };
        let kind = item
            .string("type", errs)
            .and_then(|t| match FollowUpType::parse(&t) {
                Some(k) => Some(k),
                None => {
                    errs.error(
                        item.path.key("type"),
                        Target::Value,
                        Code::BadValue,
                        format!("unknown follow-up type `{t}`"),
                        Some(one_of(&t, FollowUpType::NAMES)),
                    );
                    None
                }
            });
        let team = item
            .string("team", errs)
            .and_then(|t| checked_slug(&t, &item.path.key("team"), "team", errs));
        let fu = FollowUp {
            title: title.unwrap_or_default(),
            status,
            owner: item.text("owner", errs),
            team,
            due: item.date("due", errs),
            ticket: item.text("ticket", errs),
            priority: item.text("priority", errs),
            kind,
            completed: item.date("completed", errs),
            line: 0,
        };
        if !fu.title.is_empty() {
            out.push(fu);
        }
    }
    out
}

/// Reads a free page. Front matter is optional; the title comes from it,
/// else from the first `# heading`, else from the file name.
pub fn parse_page(file: &SourceFile, text: Arc<str>) -> (Option<Page>, Vec<Diagnostic>) {
    let split = match split_file(file, &text, false) {
        Ok(s) => s,
        Err(d) => return (None, vec![d]),
    };
    let source = make_source(file, text, split);
    let map = match parse_yaml(source.yaml_text(), source.yaml_line) {
        Ok(m) => m,
        Err(d) => return (None, vec![d.in_file(&file.shown).with_source(&source.text)]),
    };
    let mut errs = FieldErrors::default();
    let f = Fields::new(&map, YamlPath::root());
    f.check_keys(PAGE_KEYS, "in page front matter", &mut errs);
    let title = f.text("title", &mut errs);
    let description = f.text("description", &mut errs);
    let weight = match f.get("weight") {
        None => 0,
        Some(serde_yaml::Value::Number(n)) if n.as_i64().is_some() => n.as_i64().unwrap_or(0),
        Some(other) => {
            errs.error(
                YamlPath::root().key("weight"),
                Target::Value,
                Code::WrongType,
                format!(
                    "`weight` must be a whole number, found {}",
                    crate::load::frontmatter::type_name(other)
                ),
                None,
            );
            0
        }
    };
    let draft = f.boolean("draft", &mut errs).unwrap_or(false);
    let stem = file.stem();
    let slug = if is_slug(&stem) {
        stem.clone()
    } else {
        slugify(&stem)
    };
    if slug.is_empty() || crate::model::urls::RESERVED_PATHS.contains(&slug.as_str()) {
        errs.error(
            YamlPath::root(),
            Target::Key,
            Code::BadPageName,
            format!("the page file name `{stem}` cannot be used: `/{slug}/` is taken by the site"),
            Some("rename the file".into()),
        );
    }
    let diags = errs.into_diagnostics(&source);
    if diags.iter().any(Diagnostic::is_error) {
        return (None, diags);
    }
    let title = title
        .or_else(|| first_heading(source.body_text()))
        .unwrap_or_else(|| stem.replace(['-', '_'], " "));
    (
        Some(Page {
            source,
            slug,
            title,
            description,
            weight,
            draft,
        }),
        diags,
    )
}

fn first_heading(body: &str) -> Option<String> {
    body.lines()
        .find_map(|l| l.strip_prefix("# "))
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
}

/// Fills in the file lines of front matter timeline entries and follow-ups
/// (needed by `check`, not by `build`).
pub fn fill_lines(pm: &mut Postmortem) {
    if pm.timeline_source != TimelineSource::FrontMatter
        && pm.follow_ups.iter().all(|f| f.line != 0)
    {
        return;
    }
    let line_of = |path: &YamlPath| {
        pm.source
            .positions()
            .find(path, Target::Value)
            .map(|p| p.offset_lines(pm.source.yaml_line).line)
            .unwrap_or(1)
    };
    if pm.timeline_source == TimelineSource::FrontMatter {
        let lines: Vec<usize> = (0..pm.timeline.len())
            .map(|i| line_of(&YamlPath::root().key("timeline").index(i)))
            .collect();
        for (e, l) in pm.timeline.iter_mut().zip(lines) {
            e.line = l;
        }
    }
    let lines: Vec<usize> = (0..pm.follow_ups.len())
        .map(|i| line_of(&YamlPath::root().key("follow_ups").index(i)))
        .collect();
    for (fu, l) in pm.follow_ups.iter_mut().zip(lines) {
        if fu.line == 0 {
            fu.line = l;
        }
    }
}
