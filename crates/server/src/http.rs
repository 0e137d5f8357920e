//! The router: the API under `/api/v1`, and the web app's files for everything else.
//!
//! Layers of the API, outermost first: CORS (only with configured origins, so a
//! preflight is answered before anything else), same-site writes, the bearer token on
//! writes and on reads of backfills, the body limit. Around everything: one log line per request, compression, and a panic turned
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
        .route("/backfills/{id}", get(api::detail).delete(api::delete))
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
        .layer(middleware::from_fn_with_state(
            state.clone(),
            same_site_writes,
        ))
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
    let headers = SecurityHeaders::for_dist(&state.config.dist);
    Router::new()
        .nest("/api/v1", api)
        .with_state(state.clone())
        .merge(web)
        .layer(CompressionLayer::new())
        .layer(middleware::from_fn_with_state(headers, security_headers))
        .layer(middleware::from_fn_with_state(state, known_host))
        .layer(CatchPanicLayer::custom(panic_response))
        .layer(middleware::from_fn(log_request))
}

/// Answer only the configured host names: a page on another name that resolves to
/// loopback (DNS rebinding) gets 421, never the API or the app. A request without a
/// `Host` (HTTP/1.0) is answered.
async fn known_host(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let host = req
        .headers()
        .get(header::HOST)
        .map(|h| h.to_str().unwrap_or("\u{fffd}").to_ascii_lowercase());
    if let Some(host) = host {
        let name = host_name(&host);
        if !state.config.hosts.iter().any(|h| h == name) {
            return AppError::MisdirectedHost(format!(
                "this server answers for {}; `{name}` is not one of them (start it with --public-host {name} to add it)",
                state.config.hosts.join(", ")
            ))
            .into_response();
        }
    }
    next.run(req).await
}

/// The name of a `Host` value, without its port (`[::1]:8080` → `[::1]`).
fn host_name(host: &str) -> &str {
    if host.starts_with('[') {
        return host.find(']').map_or(host, |i| &host[..=i]);
    }
    host.rsplit_once(':').map_or(host, |(name, port)| {
        if port.bytes().all(|b| b.is_ascii_digit()) {
            name
        } else {
            host
        }
    })
}

/// Writes a browser could send from another site are refused: every write must declare
/// a JSON body (a cross-site form or a simple `fetch` cannot, without a CORS preflight
/// the server does not grant), and a browser's `Origin` must be this server's own or a
/// configured one. Checked before the token, so a forged write learns nothing.
async fn same_site_writes(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(req).await;
    }
    let headers = req.headers();
    if req.method() == Method::POST {
        if let Err(e) = api::require_json(headers) {
            return e.into_response();
        }
    }
    if let Some(origin) = headers.get(header::ORIGIN) {
        let own = headers
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .is_some_and(|host| {
                origin
                    .to_str()
                    .ok()
                    .and_then(|o| o.split_once("://"))
                    .is_some_and(|(_, rest)| rest.eq_ignore_ascii_case(host))
            });
        if !own && !state.config.cors_origins.iter().any(|o| o == origin) {
            return AppError::CrossSite(format!(
                "a write from the page at `{}` is refused: only this server's own pages (and configured --cors-origin origins) may write",
                origin.to_str().unwrap_or("?")
            ))
            .into_response();
        }
    }
    next.run(req).await
}

/// The headers every response carries: a Content-Security-Policy the app runs under
/// (its one inline loader script allowed by hash, WebAssembly by `'wasm-unsafe-eval'`),
/// no sniffing, no framing, no referrer.
#[derive(Debug, Clone)]
struct SecurityHeaders {
    csp: HeaderValue,
}

impl SecurityHeaders {
    fn for_dist(dist: &std::path::Path) -> SecurityHeaders {
        let index = std::fs::read_to_string(dist.join("index.html")).unwrap_or_default();
        let hashes: String = inline_scripts(&index)
            .map(|body| {
                use sha2::Digest;
                format!(
                    " 'sha256-{}'",
                    base64(&sha2::Sha256::digest(body.as_bytes()))
                )
            })
            .collect();
        let csp = format!(
            "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'{hashes}; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self' http: https:; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
        );
        SecurityHeaders {
            csp: HeaderValue::from_str(&csp)
                .unwrap_or_else(|_| HeaderValue::from_static("default-src 'self'")),
        }
    }
}

/// The bodies of the inline `<script>` elements of a page (trunk's loader).
fn inline_scripts(html: &str) -> impl Iterator<Item = &str> {
    html.split("<script").skip(1).filter_map(|rest| {
        let (attrs, after) = rest.split_once('>')?;
        if attrs.contains("src=") {
            return None;
        }
        after.split_once("</script>").map(|(body, _)| body)
    })
}

/// Standard base64 with padding (CSP hashes).
fn base64(bytes: &[u8]) -> String {
    const ABC: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for k in 0..4 {
            if k <= chunk.len() {
                out.push(char::from(ABC[((n >> (18 - 6 * k)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

async fn security_headers(State(h): State<SecurityHeaders>, req: Request, next: Next) -> Response {
    let mut response = next.run(req).await;
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_SECURITY_POLICY, h.csp.clone());
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    response
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

/// With a token configured, writes (anything but GET, HEAD, OPTIONS) and reads of the
/// backfills (their pasted sources can name internal hosts and buckets) need
/// `Authorization: Bearer <token>`; health and the OpenAPI document stay open. Checked
/// before routing to a backfill, so a 401 says nothing about which ids exist, and before
/// the body is read.
async fn require_token(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let Some(token) = state.config.token.as_deref() else {
        return next.run(req).await;
    };
    let open = matches!(req.uri().path(), "/health" | "/openapi.json");
    if *req.method() == Method::OPTIONS
        || (open && matches!(*req.method(), Method::GET | Method::HEAD))
    {
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
    fn host_names_lose_their_port() {
        assert_eq!(host_name("127.0.0.1:8080"), "127.0.0.1");
        assert_eq!(host_name("localhost"), "localhost");
        assert_eq!(host_name("[::1]:8080"), "[::1]");
        assert_eq!(host_name("evil.example:80"), "evil.example");
    }

    #[test]
    fn base64_is_standard() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
    }

    #[test]
    fn inline_scripts_are_found_and_loaded_ones_skipped() {
        let page = "<script src=\"/a.js\"></script><script type=\"module\">\nimport x;\n</script>";
        assert_eq!(inline_scripts(page).collect::<Vec<_>>(), ["\nimport x;\n"]);
    }

    #[test]
    fn secrets_compare_exactly() {
        assert!(same_secret(b"abc", b"abc"));
        assert!(!same_secret(b"abc", b"abd"));
        assert!(!same_secret(b"abc", b"abcd"));
    }
}
