//! The integration tests: one test binary, a module per area, so that cargo
//! links one executable instead of one per file. Every test runs the real
//! `pmsite` binary on fixture knowledge bases (`tests/fixtures/`) or on
//! ones it writes into a temporary folder (`harness`).
//!
//! `cargo test --test suite` runs them all; `cargo test --test suite check::`
//! one area.

mod harness;

mod accessibility;
mod build_errors;
mod build_site;
mod check;
mod cli;
mod cross_links;
mod follow_ups;
mod hardening;
mod hosts;
mod import;
mod import_classes;
mod import_front_matter;
mod learning;
mod pages;
mod pagination;
mod properties;
mod schema;
mod search;
mod serve;
mod timelines;
