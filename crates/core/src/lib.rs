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

mod compare;
pub mod cron;
mod diag;
mod engine;
mod input;
mod options;
mod plan;
mod render;
pub mod report;
mod series;
mod time;

pub use input::form;

pub use diag::{codes, did_you_mean, has_errors, Diagnostic, Severity, Span};
pub use engine::{Engine, UnknownEngine};
pub use input::dialect::{Dialect, UnknownDialect};
pub use input::spec::{FailurePolicy, Order, StrategyKind};
pub use plan::{
    BadNow, Batch, Estimate, ExportTarget, Now, Plan, PlanOptions, Planned, RecommendedBatch, Run,
    RunDigest, RunRange, Source, Summary, DEFAULT_LIMIT, PLAN_VERSION,
};
pub use time::civil::Civil;
pub use time::{parse_duration, parse_moment, Moment, Zone};

/// The first YAML document of `text` as JSON (for schema checks and tools), or the
/// located syntax error.
pub fn yaml_to_json(text: &str) -> Result<serde_json::Value, Diagnostic> {
    let docs = input::yaml::parse_documents(text)?;
    Ok(docs
        .first()
        .map_or(serde_json::Value::Null, |d| d.root.to_json()))
}

/// Which dialect `text` is written in, if it shows one (see [`Dialect`]).
#[must_use]
pub fn detect_dialect(text: &str) -> Option<Dialect> {
    input::yaml::parse_documents(text)
        .ok()
        .and_then(|docs| input::dialect::detect_documents(&docs))
}

/// Plan a pasted text: detect (or take) its dialect, validate it against its engine,
/// expand it.
///
/// Every problem found is in [`Planned::diagnostics`]; the plan is there when none of
/// them is an error.
///
/// ```
/// use backfill_core::{plan, PlanOptions};
/// let text = "engine: flyte\nschedule: {cron: \"0 0 * * *\"}\nwindow: {start: 2023-01-01, end: 2023-01-11}\n";
/// let planned = plan(text, &PlanOptions::default());
/// let p = planned.plan.unwrap();
/// assert_eq!(p.run_count(), 9); // flyte excludes both ends
/// assert_eq!(p.run(0).unwrap().vars["node_name"], "b-2023-01-02 00:00:00");
/// ```
#[must_use]
pub fn plan(text: &str, options: &PlanOptions) -> Planned {
    match input::read(text, options) {
        Ok((spec, dialect, diags)) => plan::plan_spec(text, &spec, dialect, options, diags),
        Err(failed) => failed,
    }
}

/// The same window and schedule planned by every engine, each given the schedule in
/// its own terms (a cron, an interval or partitions; see `compare.rs`), for the
/// side-by-side comparison. An engine that cannot express the schedule returns the
/// error saying why.
#[must_use]
pub fn compare(text: &str, options: &PlanOptions) -> Vec<(Engine, Planned)> {
    let read = input::read(text, options);
    Engine::ALL
        .iter()
        .map(|e| {
            let o = PlanOptions {
                engine: Some(*e),
                ..options.clone()
            };
            let planned = match &read {
                Ok((spec, dialect, diags)) => {
                    let translated = compare::translate(spec, *e);
                    plan::plan_spec(text, &translated, *dialect, &o, diags.clone())
                }
                Err(failed) => failed.clone(),
            };
            (*e, planned)
        })
        .collect()
}

/// In words, which ends of a window an engine includes.
#[must_use]
pub fn engine_bounds(engine: Engine) -> &'static str {
    engine.bounds_text()
}

/// The version of this crate, shown by the server's health endpoint and the CLI.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
