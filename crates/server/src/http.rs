//! The router: the API under `/api/v1`, and the web app's files for everything else.

use crate::db::{Db, SCHEMA_VERSION};
use crate::error::AppError;
use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;
use std::path::PathBuf;
use std::time::Instant;
use tower_http::compression::CompressionLayer;
use tower_http::services::{ServeDir, ServeFile};

/// What the server is configured with.
#[derive(Debug, Clone)]
pub struct Config {
    /// Where the release build of the web app lives (`dist/`).
    pub dist: PathBuf,
    /// The bearer token required on writes, if any.
    pub token: Option<String>,
}

/// Shared state of every request.
#[derive(Debug, Clone)]
pub struct AppState {
    /// The store.
    pub db: Db,
    /// The configuration.
    pub config: Config,
}

/// The whole application: API routes, the web app with deep links answered by
/// `index.html`, compression and one log line per request.
pub fn app(state: AppState) -> Router {
    let api = Router::new()
        .route("/health", get(health))
        .fallback(api_not_found);
    let dist = state.config.dist.clone();
    let index = dist.join("index.html");
    let web = if index.is_file() {
        Router::new().fallback_service(ServeDir::new(&dist).fallback(ServeFile::new(index)))
    } else {
        Router::new().fallback(move || not_built(dist.clone()))
    };
    Router::new()
        .nest("/api/v1", api)
        .with_state(state)
        .merge(web)
        .layer(CompressionLayer::new())
        .layer(middleware::from_fn(log_request))
}

async fn health(State(state): State<AppState>) -> Response {
    let probe = state
        .db
        .call(|conn| conn.query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0)))
        .await;
    let (status, database) = match probe {
        Ok(version) => (
            StatusCode::OK,
            json!({"state": "ok", "path": state.db.path(), "schema_version": version,
                   "expected_schema_version": SCHEMA_VERSION}),
        ),
        Err(e) => {
            tracing::error!(error = %e, "health check: database unavailable");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                json!({"state": "unavailable", "path": state.db.path()}),
            )
        }
    };
    let ok = status == StatusCode::OK;
    let body = json!({
        "status": if ok { "ok" } else { "degraded" },
        "service": "backfill",
        "version": backfill_core::VERSION,
        "database": database,
    });
    (status, Json(body)).into_response()
}

async fn api_not_found(req: Request) -> AppError {
    AppError::NotFound(format!("no API route `{}`", req.uri().path()))
}

async fn not_built(dist: PathBuf) -> Response {
    let page = format!(
        "<!doctype html><title>Backfill Planner</title><h1>Backfill Planner</h1>\
         <p>The web app is not built: no <code>index.html</code> in <code>{}</code>. \
         Run <code>scripts/start</code> (or <code>trunk build --release</code>) first. \
         The API is up at <a href=\"/api/v1/health\">/api/v1/health</a>.</p>",
        html_escape(&dist.display().to_string())
    );
    (
        StatusCode::SERVICE_UNAVAILABLE,
        [(header::CACHE_CONTROL, "no-store")],
        Html(page),
    )
        .into_response()
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

async fn log_request(req: Request, next: Next) -> Response {
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    let started = Instant::now();
    let response = next.run(req).await;
    tracing::info!(
        %method,
        path,
        status = response.status().as_u16(),
        duration_ms = started.elapsed().as_secs_f64() * 1000.0,
        "request"
    );
    response
}
