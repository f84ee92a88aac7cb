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
//! Each module may use the modules listed after it here, never the ones
//! before: cli → serve, check, import → authoring → pipeline → search,
//! render → write → markdown → load → model → config → diagnostics.

// Diagnostics are large on purpose (file, position, message, hint, the
// offending line) and only travel on error paths.
#![allow(clippy::result_large_err)]

pub mod authoring;
pub mod check;
pub mod cli;
pub mod config;
pub mod diagnostics;
pub mod import;
pub mod load;
pub mod markdown;
pub mod model;
pub mod pipeline;
pub mod render;
pub mod search;
pub mod serve;
pub mod write;
