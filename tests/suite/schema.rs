//! `pmsite schema`: the JSON Schema of front matter, validated with a JSON
//! Schema validator against good and bad front matter.

use crate::harness::Kb;
use serde_json::Value;

const BOOK: &str = r#"[site]
title = "Schema test"

[postmortem]
severities = ["P0", "P1", "P2"]
required = ["title", "date", "severity"]

[causes]
missing-timeout = "An outbound call had no timeout"
config-change = "A configuration change"
"#;

fn schema(kb: &Kb) -> jsonschema::Validator {
    let run = kb.run(&["schema"]);
    run.success();
    let schema: Value = serde_json::from_str(&run.stdout).expect("the schema is JSON");
    assert_eq!(
        schema["$schema"],
        "https://json-schema.org/draft/2020-12/schema"
    );
    jsonschema::validator_for(&schema).expect("a valid JSON Schema")
}

/// The front matter of a postmortem file as JSON.
fn front_matter(text: &str) -> Value {
    let rest = text.strip_prefix("---\n").expect("front matter");
    let end = rest.find("\n---\n").expect("closed front matter");
    serde_yaml::from_str(&rest[..end]).expect("YAML")
}

fn yaml(text: &str) -> Value {
    serde_yaml::from_str(text).expect("YAML")
}

#[track_caller]
fn valid(v: &jsonschema::Validator, instance: &Value) {
    let errors: Vec<String> = v.iter_errors(instance).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{instance}:\n{}", errors.join("\n"));
}

#[track_caller]
fn invalid(v: &jsonschema::Validator, instance: &Value) {
    assert!(!v.is_valid(instance), "should be invalid: {instance}");
}

const GOOD: &str = r#"
title: "API outage: slow calls"
date: 2018-04-12
id: 2018-04-12-slow-calls
status: final
severity: P1
summary: One paragraph.
impact: Down 17 minutes.
services: [web, api]
teams: [platform]
authors: [alex, julie]
causes: [missing-timeout, config-change]
trigger: config-change
detection: alert
tags: [facebook, 障害]
visibility: internal
timezone: Europe/Copenhagen
timeline:
  - at: 2018-04-12T09:02:00Z
    kind: started
    event: Latency rises
  - at: "09:09"
    kind: detected
    event: Pages on-call
  - at: 2018-04-12 09:30
    event: Fix deployed
follow_ups:
  - title: Add timeouts
    owner: julie
    status: done
    due: 2018-05-01
    ticket: OPS-123
    priority: P1
    type: prevent
    team: platform
    completed: 2018-04-30
  - title: Numbered ticket
    ticket: 123
related: [2017-11-03-phone-home-stampede]
lint:
  allow: [single-cause]
trigger_typo_free: ~
"#;

#[test]
fn good_front_matter_validates_and_bad_does_not() {
    let kb = Kb::new(BOOK);
    let v = schema(&kb);
    let mut good = yaml(GOOD);
    good.as_object_mut().unwrap().remove("trigger_typo_free");
    valid(&v, &good);
    // What `pmsite import` keeps of another tool's front matter.
    valid(
        &v,
        &yaml(
            "title: x\ndate: 2020-01-01\nseverity: P0\nsource_url: https://status.example.test/i/1\nextra:\n  company: Acme\n  uuid: 12\n  resolved: true\n  keys: [a, 1]\n",
        ),
    );
    // Empty values are allowed (pmsite reads them as absent).
    valid(
        &v,
        &yaml("title: x\ndate: 2020-01-01\nseverity: P0\ntrigger:\ndetection:\nfollow_ups: []\n"),
    );

    let bad = [
        ("severty: P1\n", "an unknown key"),
        ("severity: SEV2\n", "a severity not in book.toml"),
        ("status: published\n", "an unknown status"),
        ("causes: [human-error]\n", "a cause not in [causes]"),
        ("date: 12/04/2018\n", "a date in another format"),
        (
            "timeline:\n  - at: \"09:09\"\n    kind: fixed\n    event: x\n",
            "an unknown milestone",
        ),
        (
            "timeline:\n  - kind: detected\n    event: x\n",
            "an entry without `at`",
        ),
        (
            "follow_ups:\n  - title: x\n    status: closed\n",
            "an unknown follow-up status",
        ),
        ("follow_ups:\n  - owner: x\n", "a follow-up without a title"),
        ("lint:\n  allow: [single-cuase]\n", "an unknown lint code"),
        ("services: [Web API]\n", "a service that is not a slug"),
        ("visibility: secret\n", "an unknown visibility"),
        (
            "source_url: javascript:alert(1)\n",
            "a source_url that is no web address",
        ),
        (
            "extra:\n  nested: {a: 1}\n",
            "an extra field that is a mapping",
        ),
    ];
    for (change, what) in bad {
        let mut doc = yaml("title: x\ndate: 2020-01-01\nseverity: P0\n");
        let extra = yaml(change);
        for (k, val) in extra.as_object().unwrap() {
            doc.as_object_mut().unwrap().insert(k.clone(), val.clone());
        }
        assert!(!v.is_valid(&doc), "{what} should be invalid: {doc}");
    }
    // Required fields come from book.toml.
    invalid(&v, &yaml("title: x\ndate: 2020-01-01\n"));
}

#[test]
fn files_written_by_pmsite_validate() {
    let kb = Kb::empty();
    kb.run(&["init", "kb"]).success();
    let root = kb.join("kb");
    let run = kb.run_in(&root, &["schema"]);
    run.success();
    let schema: Value = serde_json::from_str(&run.stdout).unwrap();
    let v = jsonschema::validator_for(&schema).unwrap();
    // The file init wrote is the same schema.
    let written: Value = serde_json::from_str(
        &std::fs::read_to_string(root.join(".pmsite/postmortem.schema.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(written, schema);

    let example = std::fs::read_to_string(
        root.join("content/postmortems/2018-04-12-example-third-party-timeouts.md"),
    )
    .unwrap();
    valid(&v, &front_matter(&example));
    for t in ["default", "sre", "minor", "near-miss", "exercise"] {
        let run = kb.run_in(
            &root,
            &[
                "new",
                &format!("{t} incident"),
                "--date",
                "2020-01-02",
                "--template",
                t,
            ],
        );
        run.success();
        let text = std::fs::read_to_string(root.join(run.stdout.trim())).unwrap();
        valid(&v, &front_matter(&text));
    }
}

#[test]
fn descriptions_and_enums_come_from_book_toml() {
    let kb = Kb::new(BOOK);
    let run = kb.run(&["schema"]);
    let s: Value = serde_json::from_str(&run.stdout).unwrap();
    let p = &s["properties"];
    assert_eq!(
        p["severity"]["enum"],
        serde_json::json!(["P0", "P1", "P2", null])
    );
    assert!(
        p["causes"]["items"]["description"]
            .as_str()
            .unwrap()
            .contains("`missing-timeout`: An outbound call had no timeout")
    );
    assert_eq!(
        p["timeline"]["items"]["properties"]["kind"]["enum"][1],
        "detected"
    );
    assert_eq!(
        s["required"],
        serde_json::json!(["title", "date", "severity"])
    );
    assert_eq!(s["additionalProperties"], false);

    let w = kb.run(&["schema", "--write"]);
    w.success();
    assert_eq!(w.stdout.trim(), ".pmsite/postmortem.schema.json");
    assert_eq!(kb.read(".pmsite/postmortem.schema.json"), run.stdout);
}
