//! The router: the API under `/api/v1`, and the web app's files for everything else.
//!
//! Layers of the API, outermost first: CORS (only with configured origins, so a
//! preflight is answered before anything else), the bearer token on writes, the body
//! limit. Around everything: one log line per request, compression, and a panic turned
//! into a JSON 500.

use crate::api;
use crate::db::SCHEMA_VERSION;
use crate::error::AppError;
pub use crate::state::{parse_origin, AppState, Config, DEFAULT_BODY_LIMIT};
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, OriginalUri, Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::json;
use std::path::PathBuf;
use std::time::{Duration, Instant};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::services::{ServeDir, ServeFile};

/// The OpenAPI document of the API, as kept in the repository.
pub const OPENAPI: &str = include_str!("../../../schemas/openapi.json");

/// The API routes, as the OpenAPI document lists them (a test checks both agree).
fn api_routes() -> Router<AppState> {
    Router::new()
        .route("/health", get(health))
        .route("/openapi.json", get(openapi))
        .route("/backfills", get(api::list).post(api::submit))
        .route("/backfills/{id}", get(api::detail))
        .route("/backfills/{id}/pause", post(api::pause))
        .route("/backfills/{id}/resume", post(api::resume))
        .route("/backfills/{id}/cancel", post(api::cancel))
}

/// The whole application: API routes, the web app with deep links answered by
/// `index.html`, compression and one log line per request.
pub fn app(state: AppState) -> Router {
    let mut api = api_routes()
        .method_not_allowed_fallback(method_not_allowed)
        .fallback(api_not_found)
        .layer(middleware::from_fn_with_state(state.clone(), require_token))
        .layer(DefaultBodyLimit::max(state.config.body_limit));
    if !state.config.cors_origins.is_empty() {
        api = api.layer(cors(&state.config.cors_origins));
    }
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
        .layer(CatchPanicLayer::custom(panic_response))
        .layer(middleware::from_fn(log_request))
}

fn cors(origins: &[HeaderValue]) -> CorsLayer {
    CorsLayer::new()
        .allow_origin(AllowOrigin::list(origins.iter().cloned()))
        .allow_methods([Method::GET, Method::POST])
        .allow_headers([
            header::CONTENT_TYPE,
            header::AUTHORIZATION,
            api::IDEMPOTENCY_KEY.clone(),
        ])
        .expose_headers([header::LOCATION, api::IDEMPOTENT_REPLAYED.clone()])
        .max_age(Duration::from_secs(3600))
}

/// Writes (anything but GET, HEAD, OPTIONS) need `Authorization: Bearer <token>` when a
/// token is configured. Checked before routing to a backfill, so a 401 says nothing
/// about which ids exist, and before the body is read.
async fn require_token(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let Some(token) = state.config.token.as_deref() else {
        return next.run(req).await;
    };
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(req).await;
    }
    let given = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            let (scheme, rest) = v.split_once(' ')?;
            scheme.eq_ignore_ascii_case("bearer").then(|| rest.trim())
        });
    match given {
        Some(given) if same_secret(given.as_bytes(), token.as_bytes()) => next.run(req).await,
        _ => AppError::Unauthorized.into_response(),
    }
}

/// Compare secrets in time that depends only on their lengths.
fn same_secret(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

async fn health(State(state): State<AppState>) -> Response {
    let probe = state
        .db
        .read(|conn| conn.query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0)))
        .await;
    let (status, database) = match probe {
        Ok(version) => (
            StatusCode::OK,
            // Not the database's path: health is read without a token, and an absolute
            // path tells a stranger about the operator's machine (issue 11, item 7).
            json!({"state": "ok", "schema_version": version,
                   "expected_schema_version": SCHEMA_VERSION}),
        ),
        Err(e) => {
            tracing::error!(error = %e, "health check: database unavailable");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                json!({"state": "unavailable"}),
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

async fn openapi() -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        OPENAPI.to_owned(),
    )
        .into_response()
}

/// The path as the client sent it (a nested router sees it without `/api/v1`).
fn full_path(req: &Request) -> String {
    req.extensions()
        .get::<OriginalUri>()
        .map_or_else(|| req.uri().path(), |u| u.path())
        .to_owned()
}

async fn api_not_found(req: Request) -> AppError {
    AppError::NotFound(format!("no API route `{}`", full_path(&req)))
}

async fn method_not_allowed(req: Request) -> AppError {
    AppError::MethodNotAllowed {
        method: req.method().to_string(),
        path: full_path(&req),
    }
}

#[allow(clippy::needless_pass_by_value)] // the signature CatchPanicLayer wants
fn panic_response(panic: Box<dyn std::any::Any + Send + 'static>) -> Response<Body> {
    let detail = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("a panic");
    AppError::Internal(format!("panicked: {detail}")).into_response()
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_must_be_exact() {
        assert!(parse_origin("http://127.0.0.1:8081").is_ok());
        assert!(parse_origin("https://plan.example.com").is_ok());
        for bad in [
            "*",
            "127.0.0.1:8081",
            "http://x/",
            "http://x/app",
            "http://*.x",
        ] {
            assert!(parse_origin(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn secrets_compare_exactly() {
        assert!(same_secret(b"abc", b"abc"));
        assert!(!same_secret(b"abc", b"abd"));
        assert!(!same_secret(b"abc", b"abcd"));
    }
}
