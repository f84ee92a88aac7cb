//! Where things are in the built site: the one place that knows the path
//! of an incident's page and the top-level paths the site keeps for itself.

/// Top-level paths the site uses itself; free pages cannot take them.
pub const RESERVED_PATHS: &[&str] = &[
    "postmortems",
    "causes",
    "services",
    "teams",
    "tags",
    "follow-ups",
    "timeline",
    "stats",
    "recurrences",
    "kinds",
    "review",
    "search",
    "static",
    "feed.xml",
    "postmortems.json",
    "stats.json",
    "sitemap.xml",
    "404",
    "index",
];

/// The path of an incident's page below the site root: `postmortems/<id>/`.
/// (Ids are `[a-z0-9-]+`, so they need no encoding.)
pub fn postmortem_path(id: &str) -> String {
    format!("postmortems/{id}/")
}

/// The file an incident's page is written to: `postmortems/<id>/index.html`.
pub fn postmortem_file(id: &str) -> String {
    format!("{}index.html", postmortem_path(id))
}
