//! What a body adds to its postmortem: the timeline written in it (when
//! the front matter has none) and its task list as follow-ups (likewise),
//! with the problems found in them as diagnostics at their lines.

use crate::diagnostics::{Code, Diagnostic, suggest};
use crate::model::body::{BodyProblem, BodyTimelineForm, RawEntry, RenderedBody, TaskItem};
use crate::model::followup::{FollowUp, FollowUpStatus, extract_ticket, is_url};
use crate::model::postmortem::{Postmortem, Source};
use crate::model::timeline::{Milestone, TimeCursor, TimelineEntry, TimelineSource};

/// Turns the body's timeline into entries when the front matter has none,
/// and its task list into follow-ups when the front matter has none.
/// Returns diagnostics (errors and warnings) for the file.
pub fn merge_body(pm: &mut Postmortem, body: &RenderedBody) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    if let Some((form, raw)) = &body.timeline {
        if pm.timeline_source == TimelineSource::FrontMatter {
            diags.push(pm.source.diagnostic_in_body(
                Diagnostic::warning(
                    Code::TimelineBoth,
                    "this postmortem has a timeline in its front matter and another in its body; the front matter one is used",
                )
                .with_hint("keep one of them"),
                raw[0].pos,
            ));
        } else {
            pm.timeline = body_timeline(pm, raw, &mut diags);
            pm.timeline_source = match form {
                BodyTimelineForm::List => TimelineSource::BodyList,
                BodyTimelineForm::Table => TimelineSource::BodyTable,
            };
        }
    }
    if pm.follow_ups.is_empty() && !body.tasks.is_empty() {
        pm.follow_ups = body
            .tasks
            .iter()
            .map(|t| task_follow_up(t, pm.source.body_line))
            .collect();
    }
    diags
}

/// The entries of a body timeline, their times read in order on the
/// incident's date and zone.
fn body_timeline(
    pm: &Postmortem,
    raw: &[RawEntry],
    diags: &mut Vec<Diagnostic>,
) -> Vec<TimelineEntry> {
    let mut cursor = TimeCursor::new(pm.date, pm.timezone.clone());
    let mut entries = Vec::new();
    for e in raw {
        if let Some(tag) = &e.bad_tag {
            diags.push(pm.source.diagnostic_in_body(unknown_tag(tag), e.pos));
        }
        let at = |d: Diagnostic| pm.source.diagnostic_in_body(d, e.pos);
        match cursor.read(&e.time_text) {
            Ok(r) => {
                if let Some(prev) = r.backwards {
                    diags.push(at(Diagnostic::error(
                        Code::TimelineBackwards,
                        format!(
                            "timeline goes backwards: `{}` is before the previous entry ({prev})",
                            e.time_text
                        ),
                    )
                    .with_hint("list entries in the order they happened, or fix the time")));
                }
                if r.rolled_over {
                    diags.push(at(Diagnostic::warning(
                        Code::TimelineRollover,
                        format!(
                            "`{}` is earlier than the previous entry; taken as the next day ({})",
                            e.time_text, r.at
                        ),
                    )
                    .with_hint("write the full date and time to make this explicit")));
                }
                if let Some(dt) = r.skipped {
                    diags.push(at(Diagnostic::warning(
                        Code::TimelineDstGap,
                        crate::model::timeline::skipped_message(&e.time_text, dt, r.at),
                    )
                    .with_hint(crate::model::timeline::SKIPPED_HINT)));
                }
                entries.push(TimelineEntry {
                    at: r.at,
                    kind: e.kind.unwrap_or(Milestone::Other),
                    event: e.event.clone(),
                    line: e.pos.offset_lines(pm.source.body_line).line,
                });
            }
            Err(msg) => diags.push(at(Diagnostic::error(Code::BadTime, msg))),
        }
    }
    entries
}

fn unknown_tag(tag: &str) -> Diagnostic {
    let hint = match suggest(tag, Milestone::NAMES.iter().copied()) {
        Some(s) => format!("did you mean `{{{s}}}`?"),
        None => format!(
            "milestone tags: {}",
            Milestone::NAMES
                .iter()
                .map(|n| format!("{{{n}}}"))
                .collect::<Vec<_>>()
                .join(" ")
        ),
    };
    Diagnostic::error(Code::BadValue, format!("unknown milestone tag `{{{tag}}}`")).with_hint(hint)
}

/// A task-list item as a follow-up: `[x]` is done; a ticket id or a link
/// in it is the ticket.
fn task_follow_up(t: &TaskItem, body_line: usize) -> FollowUp {
    let (mut ticket, title) = extract_ticket(&t.text);
    if ticket.is_none() {
        ticket = t.urls.iter().find(|u| is_url(u)).cloned();
    }
    FollowUp {
        title: if title.is_empty() {
            t.text.clone()
        } else {
            title
        },
        status: if t.done {
            FollowUpStatus::Done
        } else {
            FollowUpStatus::Open
        },
        owner: None,
        team: None,
        due: None,
        ticket,
        priority: None,
        kind: None,
        completed: None,
        line: t.pos.offset_lines(body_line).line,
    }
}

/// Body problems (unknown `[[id]]`, broken links, missing images) as
/// diagnostics. Unknown ids are errors; the rest are warnings for `check`.
pub fn body_problems(source: &Source, body: &RenderedBody, known_ids: &[&str]) -> Vec<Diagnostic> {
    body.problems
        .iter()
        .map(|p| match p {
            BodyProblem::TooDeep { depth, pos } => source.diagnostic_in_body(
                Diagnostic::error(
                    Code::TooDeep,
                    format!(
                        "block quotes and lists nested {depth} levels deep; pmsite reads at most {}",
                        crate::model::body::MAX_NESTING
                    ),
                )
                .with_hint("flatten the nesting that starts on this line"),
                *pos,
            ),
            BodyProblem::UnknownId { id, pos } => source.diagnostic_in_body(
                Diagnostic::error(Code::UnknownId, format!("`[[{id}]]` links to no postmortem"))
                    .maybe_hint(
                        suggest(id, known_ids.iter().copied())
                            .map(|s| format!("did you mean `[[{s}]]`?")),
                    ),
                *pos,
            ),
            BodyProblem::BrokenLink { url, pos } => source.diagnostic_in_body(
                Diagnostic::warning(Code::BrokenLink, format!("link to `{url}` leads to no file")),
                *pos,
            ),
            BodyProblem::MissingImage { url, pos } => source.diagnostic_in_body(
                Diagnostic::warning(Code::MissingImage, format!("image `{url}` does not exist")),
                *pos,
            ),
            BodyProblem::NotHighlighted { chars, pos } => source.diagnostic_in_body(
                Diagnostic::warning(
                    Code::NotHighlighted,
                    format!(
                        "this code line is {chars} characters long, more than the {} the highlighter takes: the code block is published unhighlighted",
                        crate::model::body::MAX_HIGHLIGHT_LINE
                    ),
                )
                .with_hint("break the line, or write the block without a language (```) to say it is plain text"),
                *pos,
            ),
        })
        .collect()
}
