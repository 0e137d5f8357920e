//! The `backfill` server: the web app's files and its JSON API, over SQLite.
//!
//! [`app`] builds the router from an [`AppState`]; `main` only reads the configuration,
//! opens the database and serves. Tests drive [`app`] with requests, no socket needed.
//!
//! - `http.rs`: the router, its layers (CORS, token, body limit, logs), health, OpenAPI;
//! - `api.rs`: the handlers of `/api/v1/backfills`;
//! - `submission.rs`: what a submission is, and its check by the core (plan, digest);
//! - `rows.rs`: a plan as table rows, with its digest in the same pass;
//! - `store.rs`: every SQL statement; `db.rs`: the file, WAL, migrations;
//! - `lifecycle.rs`: the states of a backfill and the actions between them;
//! - `error.rs`: the one error type and its JSON shape; `ids.rs`: clock and public ids.

mod api;
pub mod cli;
pub mod db;
mod error;
mod http;
mod ids;
pub mod lifecycle;
mod rows;
mod state;
mod store;
mod submission;

pub use db::Db;
pub use error::AppError;
pub use http::{app, parse_origin, AppState, Config, DEFAULT_BODY_LIMIT, OPENAPI};
pub use ids::clock_now;
pub use state::{read_token_file, DEFAULT_IDEMPOTENCY_TTL_SECS};
