//! The app's components, one per file, grouped by feature.

pub mod editor;
pub mod plan;
pub mod shell;
