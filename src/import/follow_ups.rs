//! A converted file's follow-up actions: the lists and tables under its
//! action-item headings, each item or row one follow-up with its status,
//! owner, due date, ticket and priority when they are written.

use jiff::civil::Date;

use super::blocks::{Block, Item, section};
use super::text::shorten;
use crate::markdown::vocabulary::heading_matches;
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
pub(super) fn follow_ups(blocks: &[Block]) -> Vec<ImportedFollowUp> {
    let mut follow_ups = Vec::new();
    let mut i = 0;
    while i < blocks.len() {
        let is_actions = matches!(&blocks[i], Block::Heading { text, .. } if heading_matches(text, "Follow-up actions"));
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

/// The follow-ups of one action-items section; items under a sub-heading
/// that says they are completed are done.
fn follow_ups_in(section: &[Block]) -> Vec<ImportedFollowUp> {
    let mut follow_ups = Vec::new();
    let mut done_heading = false;
    for b in section {
        match b {
            Block::Heading { text, .. } => {
                let l = text.to_lowercase();
                done_heading = l.contains("completed") || l.contains("(done)");
            }
            Block::List { items, .. } => {
                for it in items {
                    if let Some(f) = follow_up_from_item(it, done_heading) {
                        follow_ups.push(f);
                    }
                }
            }
            Block::Table { header, rows, .. } => {
                follow_ups.extend(follow_ups_from_table(header, rows));
            }
            _ => {}
        }
    }
    follow_ups
}

fn follow_up_from_item(it: &Item, done_heading: bool) -> Option<ImportedFollowUp> {
    let text = it.text.trim();
    // Template leftovers ("-", "{{ summary }}") are no follow-ups.
    if text.chars().filter(|c| c.is_alphanumeric()).count() < 3 || text.contains("{{") {
        return None;
    }
    let (mut ticket, rest) = extract_ticket(text);
    if ticket.is_none() {
        ticket = it
            .urls
            .iter()
            .find(|u| crate::model::followup::is_url(u))
            .cloned();
    }
    let title = match &it.lead {
        Some(l) if l.split_whitespace().count() >= 2 => l.trim().trim_end_matches(':').to_string(),
        _ => {
            let r = rest.trim().trim_end_matches(['[', '(']).trim();
            if r.is_empty() {
                text.to_string()
            } else {
                r.to_string()
            }
        }
    };
    let status = match it.task {
        Some(true) => FollowUpStatus::Done,
        _ if done_heading => FollowUpStatus::Done,
        _ => FollowUpStatus::Open,
    };
    Some(ImportedFollowUp {
        title: shorten(title.trim_end_matches('.'), 160),
        status,
        owner: None,
        due: None,
        ticket,
        priority: None,
    })
}

/// A status as a table cell writes it.
fn status_in_cell(s: &str) -> FollowUpStatus {
    let l = s.to_lowercase();
    if l.contains("won") || l.contains("wont") {
        FollowUpStatus::WontFix
    } else if l.contains("progress") || l.contains("doing") || l.contains("started") {
        FollowUpStatus::InProgress
    } else if l.contains("done")
        || l.contains("complete")
        || l.contains("closed")
        || l.contains("fixed")
        || l == "x"
    {
        FollowUpStatus::Done
    } else {
        FollowUpStatus::Open
    }
}

fn follow_ups_from_table(
    header: &[String],
    rows: &[(usize, Vec<String>)],
) -> Vec<ImportedFollowUp> {
    let col = |words: &[&str]| {
        header.iter().position(|h| {
            let h = h.to_lowercase();
            words.iter().any(|w| h.contains(w))
        })
    };
    let title_col = col(&["action", "item", "task", "title", "what", "description"]).unwrap_or(0);
    let owner_col = col(&["owner", "assignee", "who", "responsible"]);
    let status_col = col(&["status", "state"]);
    let due_col = col(&["due", "deadline", "eta", "date"]);
    let ticket_col = col(&["ticket", "issue", "link", "jira", "bug"]);
    let prio_col = col(&["priority", "prio"]);
    let cell = |cells: &[String], c: Option<usize>| {
        c.and_then(|c| cells.get(c))
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty() && s != "-")
    };
    let mut out = Vec::new();
    for (_, cells) in rows {
        let Some(title) = cell(cells, Some(title_col)) else {
            continue;
        };
        if title.contains("{{") {
            continue;
        }
        let status = cell(cells, status_col)
            .map(|s| status_in_cell(&s))
            .unwrap_or(FollowUpStatus::Open);
        let (ticket_in_title, title) = extract_ticket(&title);
        out.push(ImportedFollowUp {
            title: shorten(&title, 160),
            status,
            owner: cell(cells, owner_col),
            due: cell(cells, due_col).and_then(|d| crate::load::frontmatter::parse_date(&d)),
            ticket: cell(cells, ticket_col).or(ticket_in_title),
            priority: cell(cells, prio_col),
        });
    }
    out
}
