//! A converted file's follow-up actions: the lists and tables under its
//! action-item headings (never the title, even one that says "Actions"),
//! each item or row one follow-up with its status, owner, due date,
//! ticket and priority when they are written. Items nested under an item
//! belong to it: their text is added to its title, joined with "; ".

use std::sync::LazyLock;

use jiff::civil::Date;
use regex::Regex;

use super::blocks::{Block, Item, Row, section};
use super::times::{DateContext, day_marker};
use crate::markdown::vocabulary::{SectionKind, is_section};
use crate::model::followup::{FollowUpStatus, extract_ticket};

/// A follow-up read from an action-items list or table.
#[derive(Clone, Debug, PartialEq)]
pub struct ImportedFollowUp {
    pub title: String,
    pub status: FollowUpStatus,
    pub owner: Option<String>,
    pub due: Option<Date>,
    pub ticket: Option<String>,
    pub priority: Option<String>,
}

/// Follow-ups: lists and tables under action-item headings.
pub(super) fn follow_ups(
    blocks: &[Block],
    title: Option<usize>,
    ctx: &DateContext,
) -> Vec<ImportedFollowUp> {
    let mut follow_ups = Vec::new();
    let mut i = 0;
    // A day heading of a timeline ("March 4 - follow-up call") is no
    // action-items heading.
    let is_actions_heading = |text: &str| {
        is_section(text, SectionKind::FollowUps) && day_marker(text, ctx, false).is_none()
    };
    while i < blocks.len() {
        let is_actions = Some(i) != title
            && matches!(&blocks[i], Block::Heading { text, .. } if is_actions_heading(text));
        if !is_actions {
            i += 1;
            continue;
        }
        let range = section(blocks, i);
        follow_ups.extend(follow_ups_in(&blocks[range.clone()]));
        i = range.end.max(i + 1);
    }
    follow_ups
}

/// What a sub-heading of an action-items section says of the items under
/// it: done ("Done", "Completed"), or nothing.
fn heading_says_done(text: &str) -> bool {
    let words = words(text);
    let has = |w: &str| words.iter().any(|x| x == w);
    (has("done") || has("completed") || has("complete") || has("finished") || has("fixed"))
        && !has("not")
        && !has("un")
}

/// The follow-ups of one action-items section; items under a sub-heading
/// that says they are completed are done (unless they say otherwise).
fn follow_ups_in(section: &[Block]) -> Vec<ImportedFollowUp> {
    let mut follow_ups = Vec::new();
    let mut done_heading = false;
    for b in section {
        match b {
            Block::Heading { text, .. } => done_heading = heading_says_done(text),
            Block::List { items, .. } => {
                for it in items {
                    if let Some(f) = follow_up_from_item(it, done_heading) {
                        follow_ups.push(f);
                    }
                }
            }
            Block::Table { header, rows, .. } => {
                follow_ups.extend(follow_ups_from_table(header, rows, done_heading));
            }
            _ => {}
        }
    }
    follow_ups
}

/// What an item's own words say of its status: "(done)", "Done:",
/// "(fixed during the incident)", "✅", "(won't fix)", "(in progress)".
fn status_in_text(text: &str) -> Option<FollowUpStatus> {
    static DONE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)(?:^\W*(?:done|completed|fixed|resolved)\b\s*[:.–—-]|[(\[]\s*(?:done|completed?|fixed|resolved|implemented|merged|deployed|shipped)\b[^)\]]*[)\]]|\b(?:fixed|done|resolved|completed|addressed|implemented) during the incident\b|\bstatus\s*:\s*(?:done|completed?|closed|fixed)\b|[✅✔☑]|\s[-–—]\s*(?:done|completed)\W*$)")
            .expect("valid pattern")
    });
    static WONT: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)[(\[]\s*(?:won'?t\s*(?:fix|do)|wontfix|rejected|declined|dropped|not planned)\s*[)\]]|\bstatus\s*:\s*(?:won'?t\s*fix|rejected)")
            .expect("valid pattern")
    });
    static DOING: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)[(\[]\s*(?:in progress|ongoing|wip|started|doing)\s*[)\]]|\bstatus\s*:\s*(?:in progress|ongoing|started)")
            .expect("valid pattern")
    });
    if WONT.is_match(text) {
        Some(FollowUpStatus::WontFix)
    } else if DOING.is_match(text) {
        Some(FollowUpStatus::InProgress)
    } else if DONE.is_match(text) && !text.to_lowercase().contains("not done") {
        Some(FollowUpStatus::Done)
    } else {
        None
    }
}

/// A title without the marks that said its status ("✅ ", "Done: ",
/// "(done)", "(won't fix)", " - completed"): the status holds them.
fn without_status_marks(title: &str) -> String {
    static MARKS: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)^[\s✅✔☑]+|^\W*(?:done|completed)\s*[:.–—-]\s*|\s*[(\[]\s*(?:done|completed?|won'?t\s*(?:fix|do)|wontfix|in progress)\s*[)\]]|\s[-–—]\s*(?:done|completed)\W*$")
            .expect("valid pattern")
    });
    let t = MARKS.replace_all(title, "").trim().to_string();
    if t.chars().any(char::is_alphanumeric) {
        t
    } else {
        title.trim().to_string()
    }
}

fn follow_up_from_item(it: &Item, done_heading: bool) -> Option<ImportedFollowUp> {
    let text = it.text.trim();
    // Template leftovers ("-", "{{ summary }}") are no follow-ups.
    if text.chars().filter(|c| c.is_alphanumeric()).count() < 3 || text.contains("{{") {
        return None;
    }
    let (mut ticket, mut rest) = extract_ticket(text);
    // A link among other words in parentheses ("(for example https://…)")
    // is part of the sentence: the title keeps it.
    if rest.contains(" )") || rest.contains("( ") {
        rest = text.to_string();
    }
    if ticket.is_none() {
        ticket = it
            .urls
            .iter()
            .find(|u| crate::model::followup::is_url(u))
            .cloned();
    }
    // A bold lead is the title when it reads as one ("**Add timeouts to
    // every call**: …"); a short label ("**Short term:**", "**Owner:
    // Alice**") is not, and the whole text is.
    let own = match &it.lead {
        Some(l) if l.split_whitespace().count() >= 4 && !l.contains(':') && it.sub.is_empty() => {
            l.trim().trim_end_matches(':').to_string()
        }
        _ => {
            let r = rest.trim().trim_end_matches(['[', '(']).trim();
            if r.is_empty() {
                text.to_string()
            } else {
                r.to_string()
            }
        }
    };
    let mut title = without_status_marks(&own).trim_end_matches('.').to_string();
    for s in &it.sub {
        title.push_str("; ");
        title.push_str(s.trim().trim_end_matches('.'));
    }
    // An explicit checkbox says it all; then struck text and the item's
    // own words; then the heading it is under.
    let status = match it.task {
        Some(true) => FollowUpStatus::Done,
        // An unchecked box says "not done": "(won't fix)" or "(in
        // progress)" written beside it says which.
        Some(false) => match status_in_text(text) {
            Some(s @ (FollowUpStatus::WontFix | FollowUpStatus::InProgress)) => s,
            _ => FollowUpStatus::Open,
        },
        None if it.struck => FollowUpStatus::Done,
        None => status_in_text(text).unwrap_or(if done_heading {
            FollowUpStatus::Done
        } else {
            FollowUpStatus::Open
        }),
    };
    Some(ImportedFollowUp {
        title,
        status,
        owner: None,
        due: None,
        ticket,
        priority: None,
    })
}

/// The lowercase words of a text, a plural `s` dropped.
fn words(text: &str) -> Vec<String> {
    text.to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            if w.len() > 3 && w.ends_with('s') && !w.ends_with("ss") && !w.ends_with("us") {
                w[..w.len() - 1].to_string()
            } else {
                w.to_string()
            }
        })
        .collect()
}

/// A status as a table cell writes it: "Done", "not done", "In
/// progress", "Won't fix", "x".
fn status_in_cell(s: &str) -> FollowUpStatus {
    let l = s.trim().to_lowercase();
    let w = words(&l);
    let has = |x: &str| w.iter().any(|y| y == x);
    if has("not") || has("todo") || has("open") || has("pending") || has("planned") {
        if has("won") || has("wont") {
            return FollowUpStatus::WontFix;
        }
        return FollowUpStatus::Open;
    }
    if has("won") || has("wont") || has("wontfix") || has("rejected") || has("declined") {
        FollowUpStatus::WontFix
    } else if has("progress") || has("doing") || has("started") || has("ongoing") || has("wip") {
        FollowUpStatus::InProgress
    } else if has("done")
        || has("complete")
        || has("completed")
        || has("closed")
        || has("fixed")
        || has("resolved")
        || has("merged")
        || has("deployed")
        || has("shipped")
        || has("yes")
        || l == "x"
        || l.contains(['✅', '✔'])
    {
        FollowUpStatus::Done
    } else {
        FollowUpStatus::Open
    }
}

/// The column whose header is one of `names` as whole words ("ETA", not
/// "Details"; "State", not "Statement").
fn column(header: &[String], names: &[&str]) -> Option<usize> {
    header.iter().position(|h| {
        let w = words(h);
        names.iter().any(|n| {
            let want = words(n);
            !want.is_empty() && w.windows(want.len()).any(|x| x == want.as_slice())
        })
    })
}

fn follow_ups_from_table(
    header: &[String],
    rows: &[Row],
    done_heading: bool,
) -> Vec<ImportedFollowUp> {
    let title_col = column(
        header,
        &[
            "action",
            "item",
            "task",
            "title",
            "what",
            "description",
            "follow up",
            "followup",
            "summary",
        ],
    )
    .unwrap_or(0);
    let owner_col = column(
        header,
        &["owner", "assignee", "assigned to", "who", "responsible"],
    );
    let status_col = column(header, &["status", "state", "done"]);
    let due_col = column(
        header,
        &["due", "due date", "deadline", "eta", "target date", "by"],
    );
    let ticket_col = column(header, &["ticket", "issue", "link", "jira", "bug", "pr"]);
    let prio_col = column(header, &["priority", "prio"]);
    let cell = |cells: &[String], c: Option<usize>| {
        c.and_then(|c| cells.get(c))
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty() && s != "-")
    };
    let mut out = Vec::new();
    for row in rows {
        let cells = &row.cells;
        let Some(title) = cell(cells, Some(title_col)) else {
            continue;
        };
        if title.contains("{{") {
            continue;
        }
        let status = match cell(cells, status_col) {
            Some(s) => status_in_cell(&s),
            None => status_in_text(&title).unwrap_or(if done_heading {
                FollowUpStatus::Done
            } else {
                FollowUpStatus::Open
            }),
        };
        let (ticket_in_title, title) = extract_ticket(&title);
        let mut title = without_status_marks(&title);
        // A due cell that is no date ("next sprint") stays in the title.
        let due_text = cell(cells, due_col);
        let due = due_text
            .as_deref()
            .and_then(crate::load::frontmatter::parse_date);
        if let (Some(d), None) = (&due_text, due) {
            title = format!("{title} (due: {d})");
        }
        // A ticket cell that links (`[JIRA](https://…/OPS-102)`): the link.
        let ticket_link = ticket_col
            .and_then(|c| row.links.get(c).cloned().flatten())
            .filter(|u| crate::model::followup::is_url(u));
        // "OPS-105, OPS-106": the first is the ticket, the others stay in
        // the title.
        let ticket_text = cell(cells, ticket_col);
        if let Some((_, more)) = ticket_text
            .as_deref()
            .and_then(|t| t.split_once([',', ';']))
            && !more.trim().is_empty()
            && ticket_link.is_none()
        {
            title = format!("{title} (also {})", more.trim());
        }
        out.push(ImportedFollowUp {
            title,
            status,
            owner: cell(cells, owner_col),
            due,
            ticket: ticket_link
                .or_else(|| ticket_text.map(|t| extract_ticket(&t).0.unwrap_or(t)))
                .or(ticket_in_title),
            priority: cell(cells, prio_col),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::blocks;

    fn fus(md: &str) -> Vec<ImportedFollowUp> {
        let (b, _) = blocks::parse(md);
        follow_ups(&b, Some(0), &DateContext::default())
    }

    fn statuses(f: &[ImportedFollowUp]) -> Vec<&'static str> {
        f.iter().map(|f| f.status.as_str()).collect()
    }

    #[test]
    fn titles_lose_the_marks_of_their_status_and_keep_their_links() {
        let f = fus(
            "# T\n\n## Action items\n\n- ✅ Add a disk alert\n- Done: rotate the keys\n- Pin the base image (done)\n- Add a dashboard (for example https://grafana.test/d/1)\n",
        );
        let titles: Vec<&str> = f.iter().map(|f| f.title.as_str()).collect();
        assert_eq!(
            titles,
            [
                "Add a disk alert",
                "rotate the keys",
                "Pin the base image",
                "Add a dashboard (for example https://grafana.test/d/1)"
            ]
        );
        assert_eq!(statuses(&f), ["done", "done", "done", "open"]);
        assert_eq!(f[3].ticket.as_deref(), Some("https://grafana.test/d/1"));
    }

    #[test]
    fn table_cells_keep_links_and_due_words() {
        let f = fus(
            "# T\n\n## Action items\n\n| Action | Due | Ticket |\n| --- | --- | --- |\n| Add a lag alert | next sprint | [JIRA](https://jira.example.test/browse/OPS-102) |\n| Drop the old queue (won't fix) | 2024-05-01 | OPS-7 |\n",
        );
        assert_eq!(f[0].title, "Add a lag alert (due: next sprint)");
        assert_eq!(f[0].due, None);
        assert_eq!(
            f[0].ticket.as_deref(),
            Some("https://jira.example.test/browse/OPS-102")
        );
        assert_eq!(f[1].title, "Drop the old queue");
        assert_eq!(statuses(&f), ["open", "wont-fix"]);
        assert_eq!(f[1].ticket.as_deref(), Some("OPS-7"));
    }

    #[test]
    fn labels_boxes_and_several_tickets() {
        let f = fus(
            "# T\n\n## Action items\n\n- **Short term:** bump the disk size\n- **Add a timeout to every outbound call**: the vendor hung for minutes\n- [ ] Rewrite the server (won't fix)\n- [ ] Tune the cache (in progress)\n",
        );
        let titles: Vec<&str> = f.iter().map(|f| f.title.as_str()).collect();
        assert_eq!(
            titles,
            [
                "Short term: bump the disk size",
                "Add a timeout to every outbound call",
                "Rewrite the server",
                "Tune the cache"
            ]
        );
        assert_eq!(statuses(&f), ["open", "open", "wont-fix", "in-progress"]);
        let f = fus(
            "# T\n\n## Action items\n\n| Action | Ticket |\n| --- | --- |\n| Split the queue | OPS-105, OPS-106 |\n",
        );
        assert_eq!(f[0].ticket.as_deref(), Some("OPS-105"));
        assert_eq!(f[0].title, "Split the queue (also OPS-106)");
    }

    #[test]
    fn a_day_heading_is_no_action_heading() {
        let f = fus(
            "# T\n\n## Timeline\n\n### June 7, 2022 - follow-up call\n\n- 10:00 Retro with the vendor\n\n## Action items\n\n- Add a disk alert\n",
        );
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].title, "Add a disk alert");
    }

    #[test]
    fn only_action_sections_and_never_the_title() {
        let f = fus(
            "# Actions runner outage\n\n- not a follow-up\n\n## Timeline\n\n- 10:00 x\n\n## Action items\n\n- Add a timeout\n",
        );
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].title, "Add a timeout");
    }

    #[test]
    fn what_says_done() {
        let f = fus(
            "# T\n\n## Action items\n\n- Add alerts (done)\n- ~~Remove the cron job~~\n- Rotate keys (fixed during the incident)\n- Done: raise the limit\n- Write docs\n- [ ] Checked later\n\n### Completed\n\n- Restart policy\n- [ ] Still open despite the heading\n- [x] Checked\n",
        );
        assert_eq!(
            statuses(&f),
            [
                "done", "done", "done", "done", "open", "open", "done", "open", "done"
            ]
        );
    }

    #[test]
    fn nested_items_belong_to_their_parent() {
        let f = fus(
            "# T\n\n## Follow-ups\n\n- Harden the deploy pipeline\n  - add a canary stage\n  - block on failed checks\n- Page the right team\n",
        );
        assert_eq!(f.len(), 2);
        assert_eq!(
            f[0].title,
            "Harden the deploy pipeline; add a canary stage; block on failed checks"
        );
    }

    #[test]
    fn table_columns_are_whole_words() {
        let f = fus(
            "# T\n\n## Action items\n\n| Action | Details | Statement | State | ETA |\n|---|---|---|---|---|\n| Fix DNS | metadata | done | not done | 2021-07-01 |\n| Add CDN | x | y | In progress | |\n",
        );
        assert_eq!(statuses(&f), ["open", "in-progress"]);
        assert_eq!(f[0].due, Some(jiff::civil::date(2021, 7, 1)));
    }

    #[test]
    fn no_tickets_from_standards() {
        let f = fus(
            "# T\n\n## Action items\n\n- Decode logs as UTF-8\n- Verify SHA-256 sums (OPS-12)\n",
        );
        assert_eq!(f[0].ticket, None);
        assert_eq!(f[1].ticket.as_deref(), Some("OPS-12"));
    }
}
