//! The hot stages of a build, measured on a generated knowledge base:
//! `cargo bench`. (Whole builds on gen-corpus knowledge bases of 1k, 10k
//! and 50k postmortems: `scripts/bench.sh`.)

use std::path::Path;
use std::sync::Arc;

use criterion::{Criterion, criterion_group, criterion_main};
use pmsite::bench::{
    BuildOptions, Clock, Config, Diagnostics, Highlighter, LinkTable, MarkdownRenderer, NullSink,
    Pipeline, RenderState, SourceFile, SourceKind, Unobserved, parse_postmortem, search_index,
};

const CAUSES: &[&str] = &[
    "missing-timeout",
    "config-change",
    "capacity-planning",
    "no-alerting",
    "third-party-latency",
    "thundering-herd",
    "disk-full",
    "certificate-expiry",
];
const SERVICES: &[&str] = &["web", "api", "auth", "payments", "search", "dns"];

/// A postmortem like the ones teams write: front matter with a timeline and
/// follow-ups, a body with the usual sections and a code block.
fn postmortem(i: usize) -> String {
    let day = 1 + i % 28;
    let month = 1 + (i / 28) % 12;
    let year = 2015 + (i / 336) % 10;
    let c1 = CAUSES[i % CAUSES.len()];
    let c2 = CAUSES[(i * 7 + 3) % CAUSES.len()];
    let s1 = SERVICES[i % SERVICES.len()];
    let s2 = SERVICES[(i * 5 + 1) % SERVICES.len()];
    format!(
        r#"---
title: "Incident {i}: elevated errors on {s1}"
date: {year}-{month:02}-{day:02}
severity: SEV{sev}
summary: Requests to {s1} failed for a while because {c1} met {c2}; we added limits and alerts.
impact: About {i} requests failed.
services: [{s1}, {s2}]
teams: [team-{t}]
authors: [alex, julie]
causes: [{c1}, {c2}]
trigger: {c1}
detection: alert
timeline:
  - {{at: "09:02", kind: started, event: Latency rises}}
  - {{at: "09:09", kind: detected, event: Monitoring pages on-call}}
  - {{at: "09:12", kind: acknowledged, event: On-call acknowledges}}
  - {{at: "09:20", event: Restarted the workers; no change}}
  - {{at: "09:31", kind: mitigated, event: Feature flag turned off}}
  - {{at: "09:58", kind: resolved, event: Error rates back to normal}}
follow_ups:
  - {{title: Add a timeout to every outbound call, owner: julie, status: done, due: {year}-12-01, ticket: OPS-{i}, priority: P1}}
  - {{title: Alert on upstream latency, owner: alex, status: open, due: {year}-12-15, ticket: OPS-{j}, priority: P2}}
---

## Summary

The {s1} service slowed down when {c1} happened, and {c2} made it worse.
Workers waited on a dependency that answered slowly; requests queued up.

## Impact

Users saw errors for about an hour. See [[incident-{prev}]] for a similar case.

## Timeline

See above.

## Contributing causes

- **{c1}**: the trigger.
- **{c2}**: made the impact larger.

```python
resp = requests.get(url, timeout=None)  # incident {i}
resp.raise_for_status()
```

## What went well

- The flag turned the feature off quickly.

## What went poorly

- Nothing showed which endpoint was slow.

## Follow-up actions

See the table above.
"#,
        sev = 1 + i % 4,
        t = i % 5,
        j = i + 1,
        prev = if i == 0 { 0 } else { i - 1 },
    )
}

fn knowledge_base(dir: &Path, n: usize) {
    std::fs::write(dir.join("book.toml"), "[site]\ntitle = \"Bench\"\n").expect("book.toml");
    let pms = dir.join("content/postmortems");
    std::fs::create_dir_all(&pms).expect("mkdir");
    for i in 0..n {
        std::fs::write(pms.join(format!("incident-{i}.md")), postmortem(i)).expect("write");
    }
}

fn stages(c: &mut Criterion) {
    let tmp = tempfile::tempdir().expect("temp dir");
    knowledge_base(tmp.path(), 1000);
    let config = Config::load(tmp.path()).expect("config");
    let clock = Clock::at(
        "2024-01-01T00:00:00Z".parse().expect("time"),
        &config.site.timezone,
    );

    let texts: Vec<(SourceFile, Arc<str>)> = (0..200)
        .map(|i| {
            let path = tmp
                .path()
                .join(format!("content/postmortems/incident-{i}.md"));
            let file = SourceFile::new(
                SourceKind::Postmortem,
                tmp.path(),
                &tmp.path().join("content"),
                path,
            );
            (file, Arc::from(postmortem(i)))
        })
        .collect();
    c.bench_function("front matter: parse 200 postmortems", |b| {
        b.iter(|| {
            for (file, text) in &texts {
                let p = parse_postmortem(file, text.clone(), &config);
                assert!(p.postmortem.is_some());
            }
        })
    });

    let renderer = MarkdownRenderer::new(
        false,
        Arc::new(Highlighter::new("InspiredGitHub", "base16-ocean.dark")),
    );
    let links = LinkTable::default();
    let bodies: Vec<String> = (0..200)
        .map(|i| {
            postmortem(i)
                .split("---\n")
                .nth(2)
                .unwrap_or("")
                .to_string()
        })
        .collect();
    c.bench_function("markdown: render 200 bodies with highlighted code", |b| {
        b.iter(|| {
            for body in &bodies {
                let r = renderer.render(body, "postmortems/x.md", &links);
                assert!(!r.html.is_empty());
            }
        })
    });

    let pipeline = Pipeline::new(tmp.path(), BuildOptions::default()).expect("pipeline");
    let mut group = c.benchmark_group("1000 postmortems");
    group.sample_size(10);
    group.bench_function("load and parse", |b| {
        b.iter(|| {
            let mut d = Diagnostics::new();
            pipeline.load(None, &mut d).postmortems.len()
        })
    });
    group.bench_function("model", |b| {
        b.iter(|| {
            let mut d = Diagnostics::new();
            let loaded = pipeline.load(None, &mut d);
            pipeline
                .model(loaded, clock, None, &mut d)
                .expect("site")
                .incidents
                .len()
        })
    });
    let mut d = Diagnostics::new();
    let loaded = pipeline.load(None, &mut d);
    let site = pipeline.model(loaded, clock, None, &mut d).expect("site");
    group.bench_function("render every page", |b| {
        b.iter(|| {
            pipeline
                .render(
                    &site,
                    &[],
                    &NullSink,
                    &mut RenderState::default(),
                    false,
                    &Unobserved,
                )
                .expect("render")
                .rendered
        })
    });
    group.bench_function("build the search index", |b| {
        b.iter(|| search_index(&site, &NullSink).expect("search index").shards)
    });
    group.finish();
}

criterion_group!(benches, stages);
criterion_main!(benches);
