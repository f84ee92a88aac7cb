//! `pmsite import` of sources that already have front matter (issue 16,
//! point 5): pmsite's own keys are kept as they are, a value `check` would
//! reject is kept under `extra:` with a warning at its line, front matter
//! that is not valid YAML is named at its line and kept in the body, keys
//! with nothing are kept, and times written with an offset keep it. Every
//! fixture is written for these tests.

use crate::harness::Kb;
use crate::import::passes_check_and_builds;
use crate::import_classes::{ats, exported, front_matter, import};
use serde_json::json;

const BOOK: &str = "[site]\ntitle = \"Imported\"\n";

const KILN: &str = "---
title: Kiln controller lost its schedule
date: 2022-10-04
severity: SEV2
summary: The kiln controller forgot the night schedule after a firmware push.
timezone: America/New_York
kind: near-miss
visibility: internal
status: in-review
id: kiln-schedule
causes: [firmware-push, missing-canary]
trigger: firmware-push
detection: employee-report
related: [fan-outage]
timeline:
  - at: \"21:05\"
    kind: started
    event: Firmware 4.2 rolled to the kilns
  - at: \"21:40\"
    kind: detected
    event: The night guard finds the kilns cold
  - at: 2022-10-05T02:30:00Z
    kind: resolved
    event: Schedule restored from the backup
follow_ups:
  - title: Add a canary stage for firmware
    owner: rui
    status: in-progress
    due: 2022-11-01
    type: prevent
    team: devices
    ticket: OPS-77
lint:
  allow: [no-follow-ups]
extra:
  vendor: Lumo
---

## Summary

The kilns stayed cold for a night.
";

const FAN: &str = "---
title: Fan outage
date: 2022-09-01
severity: SEV3
summary: The fans of the drying room stopped.
---

## Summary

The fans stopped.
";

#[test]
fn a_file_in_pmsites_format_keeps_its_own_keys() {
    let (kb, run) = import(BOOK, &[("kiln.md", KILN), ("fan-outage.md", FAN)]);
    run.success();
    assert!(!run.stderr.contains("extra:"), "{}", run.stderr);
    let fm = front_matter(&kb, "2022-10-04-kiln.md");
    assert_eq!(fm["id"], "kiln-schedule");
    assert_eq!(fm["timezone"], "America/New_York");
    assert_eq!(fm["kind"], "near-miss");
    assert_eq!(fm["visibility"], "internal");
    assert_eq!(fm["status"], "in-review");
    assert_eq!(fm["causes"], json!(["firmware-push", "missing-canary"]));
    assert_eq!(fm["trigger"], "firmware-push");
    assert_eq!(fm["detection"], "employee-report");
    // The related file has a new name: the link follows it.
    assert_eq!(fm["related"], json!(["2022-09-01-fan-outage"]));
    // Bare times are in the file's `timezone:`, not the site's (UTC).
    assert_eq!(
        ats(&fm),
        ["2022-10-04 21:05", "2022-10-04 21:40", "2022-10-04 22:30"]
    );
    assert_eq!(
        fm["follow_ups"],
        json!([{"title": "Add a canary stage for firmware", "status": "in-progress", "owner": "rui", "ticket": "OPS-77", "team": "devices", "type": "prevent", "due": "2022-11-01"}])
    );
    assert_eq!(fm["extra"], json!({"vendor": "Lumo"}));
    assert_eq!(fm["lint"]["allow"], json!(["no-follow-ups"]));
    passes_check_and_builds(&kb);
    let p = exported(&kb, "kiln-schedule");
    assert_eq!(p["kind"], "near-miss");
    assert_eq!(p["started"], "2022-10-05T01:05:00Z");
    assert_eq!(p["detected"], "2022-10-05T01:40:00Z");
    assert_eq!(p["time_to_resolve_s"], 85 * 60);
    assert_eq!(p["related"], json!(["2022-09-01-fan-outage"]));
    assert_eq!(p["follow_ups"][0]["status"], "in-progress");
}

/// A source's `timezone:` is the zone of the bare times of its body's
/// timeline too, as pmsite reads them; its causes need no heading.
#[test]
fn the_sources_timezone_places_its_body_timeline() {
    let (kb, run) = import(
        BOOK,
        &[(
            "kiosk.md",
            "---\ntitle: Kiosk screens froze\ndate: 2022-06-14\ntimezone: Asia/Tokyo\ncauses: [display-driver]\n---\n\n## Timeline\n\n- 09:00 Kiosk screens freeze in the lobby\n- 09:30 Driver rolled back, screens restored\n",
        )],
    );
    run.success();
    assert!(
        !run.stderr.contains("states no time zone"),
        "{}",
        run.stderr
    );
    assert!(
        !run.stderr.contains("contributing-causes heading"),
        "{}",
        run.stderr
    );
    run.stderr_has("Imported 1 postmortem: 2 timeline entries (2 certain, 0 guessed)");
    let fm = front_matter(&kb, "2022-06-14-kiosk.md");
    assert_eq!(fm["timezone"], "Asia/Tokyo");
    assert_eq!(ats(&fm), ["2022-06-14 09:00", "2022-06-14 09:30"]);
    passes_check_and_builds(&kb);
    assert_eq!(
        exported(&kb, "2022-06-14-kiosk")["started"],
        "2022-06-14T00:00:00Z"
    );
}

#[test]
fn values_check_would_reject_are_kept_under_extra_at_their_line() {
    let kiln = KILN
        .replace("kind: near-miss", "kind: accident")
        .replace("status: in-progress", "status: finished")
        .replace(
            "related: [fan-outage]",
            "related: [fan-outage, boiler-leak]",
        )
        .replace(
            "causes: [firmware-push, missing-canary]",
            "causes: [firmware-push, Solar Flare]",
        );
    let existing = "---\ntitle: Older\ndate: 2020-01-02\nseverity: SEV4\nsummary: An older one.\nid: kiln-schedule\n---\n\nOlder.\n";
    let src = Kb::empty();
    src.write("kiln.md", &kiln).write("fan-outage.md", FAN);
    let kb = Kb::new(&format!(
        "{BOOK}\n[causes]\nfirmware-push = \"A firmware rollout\"\nmissing-canary = \"No canary stage\"\n"
    ));
    kb.postmortem("2020-01-02-older.md", existing);
    let run = kb.run(&["import", src.path().to_str().unwrap()]);
    run.success();
    run.stderr_has("kiln.md:7:1: warning[import]: `kind: accident` is none of pmsite's (incident, near-miss, exercise); it is kept under `extra:`: write one of them in the source, then import again");
    run.stderr_has("kiln.md:10:1: warning[import]: `id: kiln-schedule` cannot be used, as the knowledge base already has a postmortem `kiln-schedule`, so the file's name is its id; it is kept under `extra:`: give it another `id:` in the source, then import again");
    run.stderr_has("kiln.md:11:1: warning[import]: the cause `solar-flare` is not in [causes] of book.toml; it is kept under `extra:`: add it there, or name one that is in the source, then import again");
    run.stderr_has("kiln.md:14:1: warning[import]: `related: boiler-leak` names no postmortem of the knowledge base or of this import; it is kept under `extra:`");
    run.stderr_has("kiln.md:28:1: warning[import]: `follow_ups[0].status` is none of pmsite's follow-up statuses (open, in-progress, done, wont-fix); it is kept under `extra:`: correct it in the source, then import again");
    let fm = front_matter(&kb, "2022-10-04-kiln.md");
    assert!(fm.get("id").is_none() && fm.get("kind").is_none(), "{fm}");
    assert_eq!(fm["causes"], json!(["firmware-push"]));
    assert_eq!(fm["related"], json!(["2022-09-01-fan-outage"]));
    assert_eq!(fm["follow_ups"][0]["status"], "open");
    assert_eq!(
        fm["extra"],
        json!({"kind": "accident", "follow_ups[0].status": "finished", "vendor": "Lumo", "id": "kiln-schedule", "causes": "solar-flare", "related": "boiler-leak"})
    );
    passes_check_and_builds(&kb);
    let p = exported(&kb, "2022-10-04-kiln");
    assert_eq!(p["extra"]["kind"], "accident");
    let page = kb.read("public/postmortems/2022-10-04-kiln/index.html");
    assert!(page.contains("<dt>kind</dt><dd>accident</dd>"), "{page}");
}

#[test]
fn names_check_would_reject_are_kept_under_extra() {
    let long = "drying-room-fan-controller-".repeat(8);
    let text = format!(
        "---\ntitle: Fans stopped\ndate: 2022-09-01\nseverity: SEV3\ntags:\n  - fans\n  - {long}\nservices: [\"{long}\", dryer]\nteam: \"+++\"\n---\n\nThe fans stopped.\n"
    );
    let (kb, run) = import(BOOK, &[("fans.md", &text)]);
    run.success();
    run.stderr_has(&format!("fans.md:7:1: warning[import]: the tag `{}…` is {} bytes long as a name, and each tag becomes a folder of the site, at most 200 bytes; it is kept under `extra:`: shorten it in the source, then import again", &long[..40], long.len() - 1));
    run.stderr_has(
        "fans.md:8:1: warning[import]: the service `drying-room-fan-controller-drying-room-f…`",
    );
    run.stderr_has("fans.md:9:1: warning[import]: the team `+++` has no letters or digits to make a name of; it is kept under `extra:`");
    let fm = front_matter(&kb, "2022-09-01-fans.md");
    assert_eq!(fm["tags"], json!(["fans"]));
    assert_eq!(fm["services"], json!(["dryer"]));
    assert_eq!(fm["extra"]["tags"], json!([long]));
    assert_eq!(fm["extra"]["team"], json!(["+++"]));
    passes_check_and_builds(&kb);
}

#[test]
fn front_matter_that_is_not_yaml_is_named_and_kept_in_the_body() {
    let broken = "---\ntitle: [unclosed\ndate: 2021-03-04\nseverity: SEV1\n---\n# Boiler pressure alarm\n\nThe boiler alarm rang all night.\n";
    let (kb, run) = import(BOOK, &[("boiler.md", broken)]);
    run.success();
    run.stderr_has("boiler.md:3:1: warning[import]: the front matter is not valid YAML (did not find expected ',' or ']', at column 5); its text is kept as written in a `yaml` code block at the end of the body, and the keys that can be read on their own (`date`, `severity`) are used:");
    let fm = front_matter(&kb, "2021-03-04-boiler.md");
    assert_eq!(fm["date"], "2021-03-04");
    assert_eq!(fm["severity"], "SEV1");
    let text = kb.read("content/postmortems/2021-03-04-boiler.md");
    assert!(
        text.ends_with("*The source's front matter, which is not valid YAML, as it was written:*\n\n```yaml\ntitle: [unclosed\ndate: 2021-03-04\nseverity: SEV1\n```\n"),
        "{text}"
    );
    passes_check_and_builds(&kb);
    let page = kb.read("public/postmortems/2021-03-04-boiler/index.html");
    assert!(page.contains("unclosed"), "{page}");
}

#[test]
fn keys_with_nothing_are_kept() {
    let text = "---\ntitle: Gate stuck\ndate: 2022-05-06\nowner:\nfoo: null\nlabels: [gate, ~]\n---\n\nThe gate stuck open.\n";
    let (kb, run) = import(BOOK, &[("gate.md", text)]);
    run.success();
    let fm = front_matter(&kb, "2022-05-06-gate.md");
    assert_eq!(
        fm["extra"],
        json!({"owner": "", "foo": "", "labels": ["gate", ""]})
    );
    passes_check_and_builds(&kb);
    assert_eq!(
        exported(&kb, "2022-05-06-gate")["extra"],
        json!({"owner": "", "foo": "", "labels": ["gate", ""]})
    );
}

#[test]
fn times_written_with_an_offset_keep_it() {
    let text = "+++\ntitle = \"Press line halted\"\nstart_time = 2020-08-01T14:00:00Z\nend_time = \"2020-08-01T11:30:00-04:00\"\n+++\nThe press line halted.\n";
    let (kb, run) = import(
        "[site]\ntitle = \"Imported\"\ntimezone = \"Europe/Berlin\"\n",
        &[("press.md", text)],
    );
    run.success();
    let fm = front_matter(&kb, "2020-08-01-press.md");
    assert!(fm.get("timezone").is_none(), "{fm}");
    assert_eq!(
        ats(&fm),
        ["2020-08-01T14:00:00Z", "2020-08-01T11:30:00-04:00"]
    );
    passes_check_and_builds(&kb);
    let before = exported(&kb, "2020-08-01-press");
    assert_eq!(before["started"], "2020-08-01T14:00:00Z");
    assert_eq!(before["resolved"], "2020-08-01T15:30:00Z");
    // Another site zone leaves them where they are.
    kb.write(
        "book.toml",
        "[site]\ntitle = \"Imported\"\ntimezone = \"Asia/Tokyo\"\n",
    );
    kb.build(&[]).success();
    let after = exported(&kb, "2020-08-01-press");
    assert_eq!(after["started"], before["started"]);
    assert_eq!(after["resolved"], before["resolved"]);
}
