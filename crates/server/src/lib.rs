//! The `backfill` server: the web app's files and its JSON API, over SQLite.
//!
//! [`app`] builds the router from an [`AppState`]; `main` only reads the configuration,
//! opens the database and serves. Tests drive [`app`] with requests, no socket needed.

pub mod cli;
pub mod db;
mod error;
mod http;

pub use db::Db;
pub use error::AppError;
pub use http::{app, AppState, Config};
