//! `pmsite schema`: a JSON Schema (draft 2020-12) of postmortem front
//! matter, with the knowledge base's own severities and cause vocabulary,
//! so that editors can validate and complete while one types.

use std::path::{Component, Path, PathBuf};

use serde_json::{Map, Value, json};

use crate::config::Config;
use crate::model::followup::{FollowUpStatus, FollowUpType};
use crate::model::postmortem::Status;
use crate::model::timeline::Milestone;

/// Where `pmsite init`, `pmsite new` and `pmsite schema --write` keep the
/// schema, relative to the knowledge base root.
pub const SCHEMA_FILE: &str = ".pmsite/postmortem.schema.json";

/// The JSON Schema of a postmortem's front matter under `config`.
pub fn schema(config: &Config) -> Value {
    let text = json!({"type": ["string", "number", "null"], "minLength": 1});
    let date = json!({
        "type": ["string", "null"],
        "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}([T ].*)?$",
        "description": "A date, YYYY-MM-DD"
    });
    let slug = json!({
        "type": ["string", "null"],
        "pattern": "^[a-z0-9]+(-[a-z0-9]+)*$",
        "description": "A slug: lowercase letters, digits and dashes"
    });
    let id = json!({
        "type": "string",
        "pattern": "^[a-z0-9-]+$",
        "description": "A postmortem id: lowercase letters, digits and `-`"
    });

    let severities: Vec<&str> = config
        .postmortem
        .severities
        .iter()
        .map(String::as_str)
        .collect();
    let mut severity_enum: Vec<Value> = severities.iter().map(|s| json!(s)).collect();
    // `severity: 1` is read as the text "1".
    for s in &severities {
        if let Ok(n) = s.parse::<i64>() {
            severity_enum.push(json!(n));
        }
    }
    severity_enum.push(Value::Null);

    let cause = if config.causes.is_empty() {
        with_description(
            slug.clone(),
            "A contributing cause, as a slug (e.g. missing-timeout)",
        )
    } else {
        let mut names: Vec<Value> = config.causes.keys().map(|k| json!(k)).collect();
        names.push(Value::Null);
        let listed: Vec<String> = config
            .causes
            .iter()
            .map(|(k, v)| format!("- `{k}`: {v}"))
            .collect();
        json!({
            "enum": names,
            "description": format!("A contributing cause from [causes] in book.toml:\n{}", listed.join("\n")),
        })
    };

    let timeline_entry = json!({
        "type": "object",
        "additionalProperties": false,
        "required": ["at", "event"],
        "properties": {
            "at": {
                "type": "string",
                "description": "When: a bare time (\"09:09\", on `date` in the postmortem's time zone), a date and time (\"2018-04-12 09:09\") or an RFC 3339 timestamp (2018-04-12T09:09:00Z)",
                "pattern": "^([0-9]{4}-[0-9]{2}-[0-9]{2}[T ,]+)?[0-9]{1,2}:[0-9]{2}"
            },
            "kind": {
                "enum": enum_of(Milestone::NAMES),
                "description": "The milestone this entry marks; time to detect, acknowledge, mitigate and resolve are derived from them"
            },
            "event": with_description(text.clone(), "What happened, and who did it"),
        }
    });

    let follow_up = json!({
        "type": "object",
        "additionalProperties": false,
        "required": ["title"],
        "properties": {
            "title": with_description(text.clone(), "What will be done"),
            "owner": with_description(text.clone(), "Who makes sure it gets done"),
            "status": {"enum": enum_of(FollowUpStatus::NAMES), "description": "open (default), in-progress, done or wont-fix"},
            "due": with_description(date.clone(), "When it is due (YYYY-MM-DD); past it and not done, it is overdue"),
            "ticket": with_description(text.clone(), "A ticket id such as OPS-123 (linked through [postmortem] ticket-url) or a URL"),
            "priority": with_description(text.clone(), "e.g. P1"),
            "type": {"enum": enum_of(FollowUpType::NAMES), "description": "What it is for"},
            "team": with_description(slug.clone(), "The team that owns it"),
            "completed": with_description(date.clone(), "When it was done (YYYY-MM-DD)"),
        }
    });

    let list = |items: Value, description: &str| json!({"type": ["array", "null"], "items": items, "description": description});

    let mut lint_codes: Vec<Value> = crate::diagnostics::Code::lint_names()
        .into_iter()
        .map(|c| json!(c))
        .collect();
    lint_codes.sort_by(|a, b| a.as_str().cmp(&b.as_str()));

    let properties = json!({
        "title": with_description(text.clone(), "What happened, in one line"),
        "date": with_description(date.clone(), "The incident date (YYYY-MM-DD)"),
        "id": with_description(id.clone(), "Optional; default: the file name. Unique across the knowledge base"),
        "status": {"enum": enum_of(Status::NAMES), "description": "draft (built only with --drafts), in-review, or final (default)"},
        "severity": {"enum": severity_enum, "description": format!("One of [postmortem] severities in book.toml, most severe first: {}", severities.join(", "))},
        "summary": with_description(text.clone(), "One paragraph, shown in lists, cards and search results"),
        "impact": with_description(text.clone(), "Who was affected, how, and for how long"),
        "services": list(slug.clone(), "Services affected, as slugs"),
        "teams": list(slug.clone(), "Teams involved, as slugs"),
        "authors": list(text.clone(), "Who wrote it"),
        "causes": list(cause.clone(), "Contributing causes, plural: latent conditions count as much as the trigger"),
        "trigger": with_description(cause.clone(), "The proximate trigger, itself one of the causes"),
        "detection": {
            "type": ["string", "null"],
            "pattern": "^[a-z0-9]+(-[a-z0-9]+)*$",
            "examples": ["alert", "customer-report", "employee-report", "synthetic-check"],
            "description": "How the incident was noticed, as a slug: alert, customer-report, employee-report, synthetic-check, ..."
        },
        "tags": list(json!({"type": ["string", "number"], "minLength": 1}), "Free-text tags, any language"),
        "visibility": {"enum": ["public", "internal", null], "description": "internal incidents are left out of `pmsite build --public`"},
        "timezone": {"type": ["string", "null"], "description": format!("IANA time zone for bare times in the timeline (default: [site] timezone, {})", config.site.timezone_name)},
        "timeline": list(timeline_entry, "What was seen and done, in order"),
        "follow_ups": list(follow_up, "Follow-up actions, each with an owner, a status and a due date"),
        "related": list(id, "Ids of related postmortems"),
        "lint": {
            "type": ["object", "null"],
            "additionalProperties": false,
            "properties": {
                "allow": {"type": ["array", "null"], "items": {"enum": lint_codes}, "description": "Lint codes `pmsite check` does not report for this file"}
            },
            "description": "Settings for `pmsite check`"
        },
    });

    let mut root = Map::new();
    root.insert(
        "$schema".into(),
        json!("https://json-schema.org/draft/2020-12/schema"),
    );
    root.insert(
        "title".into(),
        json!(format!("Postmortem front matter ({})", config.site.title)),
    );
    root.insert(
        "description".into(),
        json!("The YAML front matter of a pmsite postmortem (generated by `pmsite schema` from book.toml)"),
    );
    root.insert("type".into(), json!("object"));
    root.insert("additionalProperties".into(), json!(false));
    root.insert("required".into(), json!(config.postmortem.required));
    root.insert("properties".into(), properties);
    Value::Object(root)
}

fn enum_of(names: &[&str]) -> Vec<Value> {
    let mut v: Vec<Value> = names.iter().map(|n| json!(n)).collect();
    v.push(Value::Null);
    v
}

fn with_description(mut v: Value, description: &str) -> Value {
    if let Value::Object(m) = &mut v {
        m.insert("description".into(), json!(description));
    }
    v
}

/// The schema as written to a file: pretty JSON and a final newline.
pub fn schema_text(config: &Config) -> String {
    let mut s = serde_json::to_string_pretty(&schema(config)).unwrap_or_else(|_| "{}".into());
    s.push('\n');
    s
}

/// The schema file of a knowledge base.
pub fn schema_path(config: &Config) -> PathBuf {
    config.root.join(SCHEMA_FILE)
}

/// Writes the schema file; returns its path.
pub fn write_schema(config: &Config) -> Result<PathBuf, String> {
    let path = schema_path(config);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
    }
    std::fs::write(&path, schema_text(config))
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(path)
}

/// The `$schema=` reference from a postmortem file to the schema file:
/// a path relative to the file (yaml-language-server resolves it so).
pub fn schema_ref(root: &Path, file: &Path) -> String {
    let rel = file.strip_prefix(root).unwrap_or(file);
    let depth = rel
        .parent()
        .map(|p| {
            p.components()
                .filter(|c| matches!(c, Component::Normal(_)))
                .count()
        })
        .unwrap_or(0);
    format!("{}{SCHEMA_FILE}", "../".repeat(depth))
}

/// The modeline put at the top of front matter.
pub fn modeline(schema_ref: &str) -> String {
    format!("# yaml-language-server: $schema={schema_ref}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_climb_to_the_root() {
        let root = Path::new("/kb");
        assert_eq!(
            schema_ref(root, Path::new("/kb/content/postmortems/x.md")),
            "../../.pmsite/postmortem.schema.json"
        );
        assert_eq!(
            schema_ref(root, Path::new("/kb/content/postmortems/2018/x.md")),
            "../../../.pmsite/postmortem.schema.json"
        );
    }

    #[test]
    fn enums_come_from_the_configuration() {
        let mut c = Config::defaults(PathBuf::from("/kb"));
        c.causes
            .insert("missing-timeout".into(), "No timeout".into());
        let s = schema(&c);
        let sev = &s["properties"]["severity"]["enum"];
        assert_eq!(sev[0], "SEV1");
        let causes = &s["properties"]["causes"]["items"]["enum"];
        assert_eq!(causes[0], "missing-timeout");
        assert_eq!(s["required"][0], "title");
    }
}
