//! `backfill plan`, `export` and `validate`: what they print is the core's
//! ([`backfill_core::report`]); here is only the flag for the format.

pub use backfill_core::report::{run_export, run_validate, Output};
use backfill_core::{report, PlanOptions};

/// How `plan` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// The plan JSON (or `{"diagnostics": [...]}` on error).
    Json,
    /// A readable summary and table of runs; diagnostics as `file:line:col: …`.
    Table,
}

/// Options shared by `plan` and `validate`: the core's planning options.
pub type Options = PlanOptions;

/// `backfill plan`: the plan (exit 0) or the diagnostics (exit 1).
#[must_use]
pub fn run_plan(file: &str, text: &str, options: &Options, format: Format) -> Output {
    let format = match format {
        Format::Json => report::Format::Json,
        Format::Table => report::Format::Table,
    };
    report::run_plan(file, text, options, format)
}
