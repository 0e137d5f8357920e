//! What the caller decides when planning: the engine, "now", the limit, and how to read
//! the text. Read by the input readers and by the planner alike.

use crate::engine::Engine;
use crate::input::dialect::Dialect;

/// The default most runs a plan may have.
pub const DEFAULT_LIMIT: u64 = 1_000_000;

/// What the caller decides: the engine (overriding the spec's), "now", the limit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanOptions {
    /// Plan for this engine whatever the spec says.
    pub engine: Option<Engine>,
    /// "Now" for open windows (RFC 3339), unless the spec sets `now`.
    pub now: Option<String>,
    /// The most runs a plan may have.
    pub limit: u64,
    /// Read the text as this dialect instead of detecting it.
    pub dialect: Option<Dialect>,
    /// The backfill's start, overriding the pasted one (Kestra, Mage bodies).
    pub start: Option<String>,
    /// The backfill's end, overriding the pasted one.
    pub end: Option<String>,
    /// Which of a Kestra flow's Schedule triggers to backfill.
    pub trigger: Option<String>,
}

impl Default for PlanOptions {
    fn default() -> Self {
        PlanOptions {
            dialect: None,
            start: None,
            end: None,
            trigger: None,
            engine: None,
            now: None,
            limit: DEFAULT_LIMIT,
        }
    }
}
