//! The app's components, one per file, grouped by feature.

pub mod shell;
