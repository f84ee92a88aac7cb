//! pmsite: a static site generator for a postmortem knowledge base.
//!
//! One pipeline serves every command ([`pipeline`]): files are found and
//! read ([`load`]) into the [`model`], bodies are rendered ([`markdown`]),
//! pages are made through the theme ([`render`]) with the browser search
//! index beside them ([`search`]), and everything is written ([`write`]).
//! Below them sit [`config`] (book.toml) and [`diagnostics`] (problems with
//! their place in the file). The commands build on the pipeline: [`check`]
//! (validation and lints), [`serve`] (live preview), [`import`] (existing
//! postmortems) and [`authoring`] (`init`, `new`, templates, the schema).
//! [`cli`] is the command line, and the only code that prints.
//!
//! Dependencies point one way, down this list (each module's own comment
//! says which it may use): `cli` → `check`, `serve`, `import` →
//! `authoring` → `pipeline` → `render`, `search` → `write` → `markdown`,
//! `load` → `model` → `config` → `diagnostics`.

// Diagnostics are large on purpose (file, position, message, hint, the
// offending line) and only travel on error paths.
#![allow(clippy::result_large_err)]

pub(crate) mod authoring;
pub(crate) mod check;
pub mod cli;
pub(crate) mod config;
pub(crate) mod diagnostics;
pub(crate) mod import;
pub(crate) mod load;
pub(crate) mod markdown;
pub(crate) mod model;
pub(crate) mod pipeline;
pub(crate) mod render;
pub(crate) mod search;
pub(crate) mod serve;
pub(crate) mod write;

/// What the benchmarks (`benches/`) drive: the stages of the pipeline one
/// by one. Not a stable interface; the command line is.
#[doc(hidden)]
pub mod bench {
    pub use crate::check::{CheckOptions, Format, Report, check};
    pub use crate::config::Config;
    pub use crate::diagnostics::Diagnostics;
    pub use crate::diagnostics::{Diagnostic, Severity};
    pub use crate::load::postmortem::parse_postmortem;
    pub use crate::markdown::MarkdownRenderer;
    pub use crate::markdown::highlight::Highlighter;
    pub use crate::model::links::LinkTable;
    pub use crate::model::postmortem::{SourceFile, SourceKind};
    pub use crate::model::recurrence::links_of as recurrence_links;
    pub use crate::model::site::Clock;
    pub use crate::pipeline::{BuildOptions, InMemory, Pipeline, build_in_memory};
    pub use crate::render::{RenderState, Unobserved};
    pub use crate::search::build as search_index;
    pub use crate::write::sink::NullSink;
}
