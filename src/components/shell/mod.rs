//! The page frame: header, backend status.

pub mod health_badge;
