//! A generated knowledge base of a few hundred postmortems, made in the
//! test (the `gen-corpus` tool is not on CI machines): every kind of page
//! gets content, with the variety real ones have (front matter and body
//! timelines, follow-ups of every status in front matter and as task
//! lists, causes, services, teams, tags, related incidents, code blocks in
//! several languages, a free page). Deterministic: the same `n` gives the
//! same files.

use super::Kb;

/// Deterministic choices (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a>(&mut self, from: &[&'a str]) -> &'a str {
        from[self.below(from.len())]
    }
    /// 1 to `max` distinct items.
    fn some<'a>(&mut self, from: &[&'a str], max: usize) -> Vec<&'a str> {
        let n = 1 + self.below(max);
        let mut out = Vec::new();
        while out.len() < n.min(from.len()) {
            let x = self.pick(from);
            if !out.contains(&x) {
                out.push(x);
            }
        }
        out
    }
    fn sentence(&mut self, words: usize) -> String {
        let mut s: Vec<String> = (0..words).map(|_| self.pick(WORDS).to_string()).collect();
        if let Some(first) = s.first_mut() {
            let mut c = first.chars();
            if let Some(f) = c.next() {
                *first = f.to_uppercase().chain(c).collect();
            }
        }
        s.join(" ") + "."
    }
    fn paragraph(&mut self, sentences: usize) -> String {
        (0..sentences)
            .map(|_| {
                let n = 8 + self.below(12);
                self.sentence(n)
            })
            .collect::<Vec<_>>()
            .join(" ")
    }
}

const WORDS: &[&str] = &[
    "the",
    "request",
    "latency",
    "database",
    "timeout",
    "deploy",
    "replica",
    "queue",
    "cache",
    "failover",
    "we",
    "restarted",
    "pool",
    "connections",
    "alert",
    "customers",
    "errors",
    "increased",
    "rollback",
    "config",
    "was",
    "and",
    "of",
    "primary",
    "disk",
    "certificate",
    "resolver",
    "workers",
    "paged",
    "on-call",
    "saturated",
    "retries",
    "throttled",
    "kafka",
    "consumer",
    "lag",
    "memory",
    "eviction",
    "node",
    "upstream",
    "slowly",
    "after",
    "during",
];
const SERVICES: &[&str] = &[
    "api",
    "web",
    "auth",
    "billing",
    "payments",
    "search",
    "notifications",
    "dns",
    "kubernetes",
    "registry",
    "mobile-api",
    "ledger",
];
const TEAMS: &[&str] = &["platform", "growth", "payments", "storage", "sre", "mobile"];
const CAUSES: &[&str] = &[
    "missing-timeout",
    "config-change",
    "capacity-planning",
    "certificate-expiry",
    "database-failover",
    "dns-misconfiguration",
    "thundering-herd",
    "no-alerting",
    "untested-restore",
    "third-party-outage",
    "missing-validation",
    "no-staged-rollout",
    "connection-pool-exhaustion",
    "manual-process",
    "memory-leak",
];
const TAGS: &[&str] = &[
    "aws",
    "postgres",
    "kafka",
    "tls",
    "cdn",
    "go",
    "python",
    "near-miss",
    "load",
    "cron",
];
const PEOPLE: &[&str] = &[
    "alex", "julie", "priya", "sam", "noor", "kenji", "ines", "tomas",
];
const DETECTION: &[&str] = &[
    "alert",
    "customer-report",
    "employee-report",
    "synthetic-check",
];
const STATUSES: &[&str] = &["done", "in-progress", "open", "wont-fix"];

/// Code blocks as postmortems quote them, by language.
pub const CODE: &[(&str, &str)] = &[
    (
        "python",
        "# The call that had no timeout\nimport requests\n\ndef suggest(user_id, limit=10, **kwargs):\n    \"\"\"Friends to suggest.\"\"\"\n    r = requests.get(f\"{GRAPH}/{user_id}/friends\", timeout=2.5)\n    if r.status_code != 200:\n        raise RuntimeError(\"graph returned %d\" % r.status_code)\n    return [f[\"id\"] for f in r.json()[\"data\"]][:limit]\n",
    ),
    (
        "go",
        "// Bounded retries with jitter\nfunc (c *Client) Do(ctx context.Context, req *http.Request) (*http.Response, error) {\n\tfor attempt := 0; attempt < 3; attempt++ {\n\t\tresp, err := c.http.Do(req.WithContext(ctx))\n\t\tif err == nil && resp.StatusCode < 500 {\n\t\t\treturn resp, nil\n\t\t}\n\t\ttime.Sleep(time.Duration(rand.Intn(100)) * time.Millisecond)\n\t}\n\treturn nil, fmt.Errorf(\"giving up after %d attempts\", 3)\n}\n",
    ),
    (
        "yaml",
        "# HorizontalPodAutoscaler after the incident\napiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata:\n  name: api\nspec:\n  minReplicas: 6\n  maxReplicas: 40\n  behavior:\n    scaleDown:\n      stabilizationWindowSeconds: 600\n  enabled: true\n",
    ),
    (
        "sh",
        "#!/bin/sh\n# Which hosts still serve the old certificate?\nfor host in $(cat hosts.txt); do\n  echo | openssl s_client -connect \"$host:443\" 2>/dev/null \\\n    | openssl x509 -noout -enddate | sed \"s/^/$host /\"\ndone\nexit 0\n",
    ),
    (
        "sql",
        "-- Connections held per application\nSELECT application_name, state, count(*) AS n\nFROM pg_stat_activity\nWHERE datname = 'ledger' AND state <> 'idle'\nGROUP BY 1, 2\nORDER BY n DESC\nLIMIT 20;\n",
    ),
    (
        "json",
        "{\n  \"error\": \"upstream timed out\",\n  \"status\": 504,\n  \"retryable\": true,\n  \"path\": \"/api/v2/profile\",\n  \"took_ms\": 30012,\n  \"region\": null\n}\n",
    ),
];

/// The id of the postmortem whose body quotes every language of [`CODE`].
pub const ALL_LANGUAGES_ID: &str = "2024-03-01-0000-every-language";

/// A knowledge base of `n` generated postmortems and a free page.
pub fn generated(n: usize) -> Kb {
    let kb = Kb::new(
        "[site]\ntitle = \"Generated Library\"\ndescription = \"What broke, generated\"\n\n\
         [postmortem]\nticket-url = \"https://tickets.example.test/browse/{id}\"\n\
         reading-list = [\"2024-03-01-0000-every-language\"]\n",
    );
    kb.write(
        "content/pages/start-here.md",
        "---\ntitle: Start here\ndescription: How to read this library.\n---\n\n\
         Read the [incidents](../postmortems/) of your service first.\n\n\
         ## Checklist for new hires\n\n- [x] Get access\n- [ ] Read the reading list\n",
    );
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut ids: Vec<String> = Vec::new();
    for i in 0..n {
        let (id, text) = postmortem(&mut rng, i, &ids);
        kb.postmortem(&format!("{}/{id}.md", &id[..4]), &text);
        ids.push(id);
    }
    kb
}

fn postmortem(rng: &mut Rng, i: usize, earlier: &[String]) -> (String, String) {
    let (year, month, day) = if i == 0 {
        (2024, 3, 1)
    } else {
        (2015 + rng.below(9), 1 + rng.below(12), 1 + rng.below(28))
    };
    let date = format!("{year}-{month:02}-{day:02}");
    let slug = if i == 0 {
        "every-language".to_string()
    } else {
        format!("{}-{}", rng.pick(WORDS), rng.pick(SERVICES))
    };
    let id = format!("{date}-{i:04}-{slug}");
    let causes = rng.some(CAUSES, 3);
    let title = format!(
        "{} outage: {}",
        rng.pick(SERVICES),
        rng.sentence(6).trim_end_matches('.')
    );
    let mut fm = format!(
        "---\ntitle: \"{title}\"\ndate: {date}\nid: {id}\nstatus: {}\nseverity: SEV{}\n\
         summary: \"{}\"\nimpact: \"{}\"\nservices: [{}]\nteams: [{}]\nauthors: [{}]\n\
         causes: [{}]\ntrigger: {}\ndetection: {}\n",
        if i % 7 == 3 { "in-review" } else { "final" },
        1 + rng.below(4),
        rng.paragraph(2),
        rng.sentence(10),
        rng.some(SERVICES, 3).join(", "),
        rng.pick(TEAMS),
        rng.some(PEOPLE, 2).join(", "),
        causes.join(", "),
        causes[0],
        rng.pick(DETECTION),
    );
    if i % 3 != 1 {
        fm.push_str(&format!("tags: [{}]\n", rng.some(TAGS, 2).join(", ")));
    }
    let body_timeline = i % 5 == 2;
    if !body_timeline {
        fm.push_str("timeline:\n");
        let kinds = [
            "started",
            "detected",
            "acknowledged",
            "other",
            "mitigated",
            "resolved",
        ];
        for (k, kind) in kinds.iter().enumerate() {
            fm.push_str(&format!(
                "  - at: {date}T{:02}:{:02}:00Z\n    kind: {kind}\n    event: \"{}\"\n",
                9 + k,
                rng.below(60),
                rng.sentence(8)
            ));
        }
    }
    // The first one has both kinds of follow-ups.
    let task_list = i % 3 == 2 || i == 0;
    if !task_list || i == 0 {
        fm.push_str("follow_ups:\n");
        for f in 0..1 + rng.below(3) {
            let status = STATUSES[(i + f) % STATUSES.len()];
            fm.push_str(&format!(
                "  - title: \"{}\"\n    owner: {}\n    status: {status}\n    due: {}-{:02}-28\n    ticket: OPS-{}\n    priority: P{}\n",
                rng.sentence(6).trim_end_matches('.'),
                rng.pick(PEOPLE),
                year + 1,
                1 + rng.below(12),
                1000 + i * 10 + f,
                1 + rng.below(3),
            ));
        }
    }
    if let Some(prev) = earlier.last().filter(|_| i % 4 == 1) {
        fm.push_str(&format!("related: [{prev}]\n"));
    }
    fm.push_str("---\n\n");
    let body = body(rng, i, &causes, body_timeline, task_list);
    (id, fm + &body)
}

fn body(rng: &mut Rng, i: usize, causes: &[&str], timeline: bool, tasks: bool) -> String {
    let mut b = format!(
        "## Summary\n\n{}\n\n## Impact\n\n{}\n\n",
        rng.paragraph(3),
        rng.paragraph(2)
    );
    if timeline {
        b.push_str("## Timeline\n\n");
        for (k, tag) in ["started", "detected", "mitigated", "resolved"]
            .iter()
            .enumerate()
        {
            b.push_str(&format!(
                "- {:02}:{:02} {} {{{tag}}}\n",
                10 + k,
                rng.below(60),
                rng.sentence(7)
            ));
        }
        b.push('\n');
    }
    b.push_str("## Contributing causes\n\n");
    for c in causes {
        b.push_str(&format!("- **{c}**: {}\n", rng.sentence(12)));
    }
    b.push_str(&format!("\n## Resolution\n\n{}\n\n", rng.paragraph(3)));
    let blocks: Vec<&(&str, &str)> = if i == 0 {
        CODE.iter().collect()
    } else {
        vec![&CODE[i % CODE.len()]]
    };
    for (lang, code) in blocks {
        b.push_str(&format!("{}\n\n```{lang}\n{code}```\n\n", rng.paragraph(1)));
    }
    b.push_str(&format!(
        "## What went well\n\n- {}\n\n## What went poorly\n\n- {}\n- {}\n\n",
        rng.sentence(10),
        rng.sentence(9),
        rng.sentence(11)
    ));
    if tasks {
        b.push_str(&format!(
            "## Follow-up actions\n\n- [x] {} (OPS-{})\n- [ ] {} (OPS-{})\n",
            rng.sentence(6).trim_end_matches('.'),
            5000 + i * 2,
            rng.sentence(5).trim_end_matches('.'),
            5001 + i * 2
        ));
    }
    b
}
