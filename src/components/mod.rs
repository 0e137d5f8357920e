//! The app's components, one per file, grouped by feature.

pub mod backfills;
pub mod editor;
pub mod export;
pub mod plan;
pub mod share;
pub mod shell;
pub mod submit;
