//! Export: the plan JSON, the runs as CSV, and each engine's own payload.

pub mod export_menu;
