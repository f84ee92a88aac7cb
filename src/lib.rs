//! pmsite: a static site generator for a postmortem knowledge base.
//!
//! The pipeline every command shares lives in [`build`]: the files are
//! found and parsed ([`source`], [`frontmatter`], [`postmortem`]), the site
//! model is built ([`site`], with [`markdown`], [`timeline`], [`followup`],
//! [`similar`]), rendered through the theme ([`theme`], [`render`]) and
//! written ([`output`]). The browser search index is built alongside the
//! rendering ([`search`]).

// Diagnostics are large on purpose (file, position, message, hint, the
// offending line) and only travel on error paths.
#![allow(clippy::result_large_err)]

pub mod build;
pub mod check;
pub mod cli;
pub mod config;
pub mod diagnostics;
pub mod followup;
pub mod frontmatter;
pub mod highlight;
pub mod import;
pub mod links;
pub mod lint;
pub mod markdown;
pub mod output;
pub mod postmortem;
pub mod render;
pub mod scaffold;
pub mod schema;
pub mod search;
pub mod serve;
pub mod similar;
pub mod site;
pub mod slug;
pub mod source;
pub mod stated;
pub mod stats;
pub mod templates;
pub mod theme;
pub mod timeline;
pub mod yaml_locate;
