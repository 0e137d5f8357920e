//! The plan side: summary and warnings, runs, batches, timeline, comparison.

pub mod batches;
pub mod compare;
pub mod runs_table;
pub mod summary;
pub mod tabs;
pub mod timeline;
pub mod virtual_rows;
