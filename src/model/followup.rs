//! Follow-up actions: their status, when they are overdue, and how their
//! tickets become links.

use std::sync::LazyLock;

use jiff::civil::Date;
use regex::Regex;
use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FollowUpStatus {
    Open,
    InProgress,
    Done,
    WontFix,
}

impl FollowUpStatus {
    pub const NAMES: &'static [&'static str] = &["open", "in-progress", "done", "wont-fix"];

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "open" => FollowUpStatus::Open,
            "in-progress" => FollowUpStatus::InProgress,
            "done" => FollowUpStatus::Done,
            "wont-fix" => FollowUpStatus::WontFix,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            FollowUpStatus::Open => "open",
            FollowUpStatus::InProgress => "in-progress",
            FollowUpStatus::Done => "done",
            FollowUpStatus::WontFix => "wont-fix",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            FollowUpStatus::Open => "Open",
            FollowUpStatus::InProgress => "In progress",
            FollowUpStatus::Done => "Done",
            FollowUpStatus::WontFix => "Won't fix",
        }
    }

    /// Still to be done: open or in progress.
    pub fn is_pending(self) -> bool {
        matches!(self, FollowUpStatus::Open | FollowUpStatus::InProgress)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FollowUpType {
    Mitigate,
    Prevent,
    Detect,
    Process,
    Other,
}

impl FollowUpType {
    pub const NAMES: &'static [&'static str] =
        &["mitigate", "prevent", "detect", "process", "other"];

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "mitigate" => FollowUpType::Mitigate,
            "prevent" => FollowUpType::Prevent,
            "detect" => FollowUpType::Detect,
            "process" => FollowUpType::Process,
            "other" => FollowUpType::Other,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            FollowUpType::Mitigate => "mitigate",
            FollowUpType::Prevent => "prevent",
            FollowUpType::Detect => "detect",
            FollowUpType::Process => "process",
            FollowUpType::Other => "other",
        }
    }
}

/// One follow-up action of an incident.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FollowUp {
    pub title: String,
    pub status: FollowUpStatus,
    pub owner: Option<String>,
    pub team: Option<String>,
    pub due: Option<Date>,
    /// A URL, or an id such as `OPS-123`.
    pub ticket: Option<String>,
    pub priority: Option<String>,
    #[serde(rename = "type")]
    pub kind: Option<FollowUpType>,
    pub completed: Option<Date>,
    /// The line in the file where it is written.
    pub line: usize,
}

impl FollowUp {
    /// Open or in progress with a due date before `today`.
    pub fn is_overdue(&self, today: Date) -> bool {
        self.status.is_pending() && self.due.is_some_and(|d| d < today)
    }

    /// The teams that own it: its own `team:`, else every team of its
    /// incident (`incident_teams`). The board's team view and each team's
    /// page count a follow-up for exactly these teams.
    pub fn teams<'a>(&'a self, incident_teams: &'a [String]) -> &'a [String] {
        match &self.team {
            Some(t) => std::slice::from_ref(t),
            None => incident_teams,
        }
    }

    /// The ticket as a link: a URL as is, an id through `ticket-url`.
    pub fn ticket_url(&self, ticket_url: Option<&str>) -> Option<String> {
        ticket_link(self.ticket.as_deref()?, ticket_url)
    }
}

/// A ticket reference made into a URL, when it can be.
pub fn ticket_link(ticket: &str, ticket_url: Option<&str>) -> Option<String> {
    if is_url(ticket) {
        return Some(ticket.to_string());
    }
    let pattern = ticket_url?;
    let encoded =
        percent_encoding::utf8_percent_encode(ticket, crate::model::links::SEGMENT_SET).to_string();
    Some(pattern.replace("{id}", &encoded))
}

pub fn is_url(s: &str) -> bool {
    s.starts_with("https://") || s.starts_with("http://")
}

static TICKET_ID: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b([A-Z][A-Z0-9]{1,9})-\d+\b").expect("valid pattern"));

/// Prefixes of names that look like ticket ids and are not: encodings,
/// hashes, standards, protocols, vulnerabilities (`UTF-8`, `SHA-256`,
/// `RFC-7231`, `CVE-2021-44228`).
const NOT_TICKETS: &[&str] = &[
    "UTF", "UCS", "SHA", "MD", "RFC", "ISO", "IEC", "IEEE", "ANSI", "ECMA", "HTTP", "HTTPS", "TLS",
    "SSL", "SSH", "IPV", "AES", "RSA", "DES", "CRC", "CVE", "CWE", "GHSA", "PEP", "ES", "GPT",
    "COVID", "DDR", "LTE", "CPU", "GPU", "PCI", "SOC", "NIST", "FIPS", "X509",
];

/// The first ticket id in a text: `OPS-123`, not `UTF-8`.
fn ticket_id(text: &str) -> Option<regex::Match<'_>> {
    TICKET_ID
        .captures_iter(text)
        .find(|c| !NOT_TICKETS.contains(&&c[1]))
        .and_then(|c| c.get(0))
}
static URL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"https?://[^\s<>()\]]+").expect("valid pattern"));

/// Finds a ticket in free text (a task-list item): a URL, or an id like
/// `OPS-123`. Returns the ticket and the text without it.
pub fn extract_ticket(text: &str) -> (Option<String>, String) {
    let (found, range) = if let Some(m) = URL.find(text) {
        (
            m.as_str().trim_end_matches(['.', ',', ';']).to_string(),
            m.range(),
        )
    } else if let Some(m) = ticket_id(text) {
        (m.as_str().to_string(), m.range())
    } else {
        return (None, text.trim().to_string());
    };
    let mut rest = String::new();
    rest.push_str(&text[..range.start]);
    rest.push_str(&text[range.end..]);
    // Tidy what held the ticket: "(OPS-1)", "[OPS-1]", " - OPS-1", "ticket: ".
    let rest = rest.replace("()", "").replace("[]", "").replace("( )", "");
    let rest = rest
        .trim()
        .trim_end_matches([':', '-', '–', ',', ';'])
        .trim()
        .to_string();
    (Some(found), rest)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn fu(status: FollowUpStatus, due: Option<Date>) -> FollowUp {
        FollowUp {
            title: "t".into(),
            status,
            owner: None,
            team: None,
            due,
            ticket: None,
            priority: None,
            kind: None,
            completed: None,
            line: 1,
        }
    }

    #[test]
    fn overdue_rules() {
        let today = date(2020, 6, 1);
        let past = Some(date(2020, 5, 31));
        let same = Some(date(2020, 6, 1));
        assert!(fu(FollowUpStatus::Open, past).is_overdue(today));
        assert!(fu(FollowUpStatus::InProgress, past).is_overdue(today));
        assert!(!fu(FollowUpStatus::Done, past).is_overdue(today));
        assert!(!fu(FollowUpStatus::WontFix, past).is_overdue(today));
        // Due today is not yet overdue.
        assert!(!fu(FollowUpStatus::Open, same).is_overdue(today));
        assert!(!fu(FollowUpStatus::Open, None).is_overdue(today));
    }

    #[test]
    fn tickets_become_links() {
        let pattern = Some("https://acme.atlassian.net/browse/{id}");
        assert_eq!(
            ticket_link("OPS-123", pattern).as_deref(),
            Some("https://acme.atlassian.net/browse/OPS-123")
        );
        assert_eq!(ticket_link("OPS-123", None), None);
        assert_eq!(
            ticket_link("https://x.test/1", None).as_deref(),
            Some("https://x.test/1")
        );
        assert_eq!(
            ticket_link("a b&c", pattern).as_deref(),
            Some("https://acme.atlassian.net/browse/a%20b%26c")
        );
    }

    #[test]
    fn tickets_are_found_in_task_items() {
        assert_eq!(
            extract_ticket("Add alert on cert expiry (OPS-456)"),
            (Some("OPS-456".into()), "Add alert on cert expiry".into())
        );
        assert_eq!(
            extract_ticket("Enable SMTP https://github.com/x/y/issues/365."),
            (
                Some("https://github.com/x/y/issues/365".into()),
                "Enable SMTP".into()
            )
        );
        assert_eq!(extract_ticket("Just do it"), (None, "Just do it".into()));
        for text in [
            "Read bodies as UTF-8",
            "Pin images by SHA-256 digest",
            "Follow RFC-7231 on retries",
            "Patch CVE-2021-44228",
        ] {
            assert_eq!(extract_ticket(text).0, None, "{text}");
        }
        assert_eq!(
            extract_ticket("Read UTF-8 bodies (OPS-9)").0.as_deref(),
            Some("OPS-9")
        );
    }
}
