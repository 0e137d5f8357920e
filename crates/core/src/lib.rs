//! # backfill-core
//!
//! The planning core of Backfill Planner: it turns what a user pastes (a planner spec, or
//! an orchestrator's own YAML/JSON) into a [`Plan`]: the exact runs an engine will create,
//! how they are batched and ordered, an estimate, and every surprise as a [`Diagnostic`].
//!
//! The pipeline is a chain of pure functions, each producing a type that is valid by
//! construction: text → spec (spanned, as pasted) → validated plan input → expansion →
//! batches → export. Nothing here does IO or reads the clock: callers pass "now".
//!
//! This crate builds for `wasm32-unknown-unknown` (the web app plans in the browser) and
//! natively (the server re-checks every submission with the same code).

mod diag;
#[allow(dead_code)] // The formatting helpers are used by the expansion, landing next.
mod time;

pub use diag::{did_you_mean, has_errors, Diagnostic, Severity, Span};
pub use time::civil::Civil;
pub use time::{parse_duration, parse_moment, Moment, Zone};

/// The version of this crate, shown by the server's health endpoint and the CLI.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
