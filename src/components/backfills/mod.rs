//! The backfills page: the submitted backfills, one backfill's batches and runs, and the
//! operator's actions.

pub mod actions;
pub mod backfill_detail;
pub mod backfill_list;
