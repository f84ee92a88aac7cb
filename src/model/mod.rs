//! The model: what pmsite knows about a knowledge base once it is read —
//! postmortems and their timelines, follow-ups and links, and the site
//! built from them (incidents with their relations, the indexes by cause,
//! service, team and tag, similar incidents, figures across incidents).
//!
//! Plain data and the logic that derives more data from it; nothing here
//! reads files, parses Markdown or renders pages. May use `config` and
//! `diagnostics` only.

pub mod body;
pub mod durations;
pub mod followup;
pub mod links;
pub mod merge;
pub mod postmortem;
pub mod recurrence;
pub mod review;
pub mod similar;
pub mod site;
pub mod stats;
pub mod timeline;
pub mod urls;
