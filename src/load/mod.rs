//! Loading: finding the knowledge base's files, splitting and parsing
//! front matter (with the position of every key), and reading each
//! postmortem and free page into the model's types, every problem at its
//! place in the file.
//!
//! May use `model`, `config` and `diagnostics`.

pub mod assets;
pub mod frontmatter;
pub mod postmortem;
pub mod source;
