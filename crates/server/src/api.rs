//! The handlers of `/api/v1/backfills`: read the request, call the core or the store,
//! answer. Thin on purpose: the checking is in `submission.rs`, the SQL in `store.rs`,
//! the states in `lifecycle.rs`.

use crate::error::AppError;
use crate::ids;
use crate::lifecycle::{Action, Status};
use crate::state::AppState;
use crate::store::{self, DetailQuery, ListQuery, Stored};
use crate::submission::Submission;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use backfill_core::Engine;
use serde::Deserialize;

/// The header that makes a submission safe to retry.
pub static IDEMPOTENCY_KEY: HeaderName = HeaderName::from_static("idempotency-key");
/// Set on the answer to a retried submission (`true`).
pub static IDEMPOTENT_REPLAYED: HeaderName = HeaderName::from_static("idempotent-replayed");

/// The longest `Idempotency-Key` accepted.
pub const MAX_KEY_LEN: usize = 255;
/// Default and largest page of the list.
pub const LIST_LIMIT: (u32, u32) = (50, 200);
/// Default and largest page of runs or batches in a detail.
pub const ROWS_LIMIT: (u32, u32) = (100, 1000);

/// `POST /api/v1/backfills`: check a submission with the core and store it.
pub async fn submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, AppError> {
    require_json(&headers)?;
    let body = body.map_err(|e| body_error(&e, state.config.body_limit))?;
    // Scoped to the token and living the configured time (issue 11, item 11).
    let key = idempotency_key(&headers)?.map(|k| {
        store::IdempotencyKey::new(
            &k,
            state.config.token.as_deref(),
            state.config.idempotency_ttl_secs,
        )
    });
    let max_runs = state.config.max_runs;
    let quota = state.config.max_stored_runs;
    let db = state.db.clone();
    // One trip to the blocking pool for the whole submission: parsing and planning are
    // CPU work, the database calls block.
    let stored = blocking(move || {
        let submission = Submission::parse(&body)?;
        let request_hash = submission.request_hash();
        // A retry of a stored request is answered before planning again.
        if let Some(key) = &key {
            if let Some(stored) = db.read_blocking(|c| store::lookup_key(c, key, &request_hash))? {
                return Ok(stored);
            }
        }
        let checked = submission.check(max_runs, &ids::clock_now())?;
        db.write_blocking(|c| store::insert(c, &checked, key.as_ref(), &request_hash, quota))
    })
    .await?;
    Ok(created(stored))
}

fn created(stored: Stored) -> Response {
    let (receipt, replayed) = match stored {
        Stored::Created(r) => (r, false),
        Stored::Replayed(r) => (r, true),
    };
    let mut response = (StatusCode::CREATED, Json(&receipt)).into_response();
    let headers = response.headers_mut();
    if let Ok(location) = HeaderValue::from_str(&receipt.url) {
        headers.insert(header::LOCATION, location);
    }
    if replayed {
        headers.insert(
            IDEMPOTENT_REPLAYED.clone(),
            HeaderValue::from_static("true"),
        );
    }
    response
}

/// Run CPU work (parsing, planning) on the blocking pool, off the async workers.
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, AppError> + Send + 'static,
) -> Result<T, AppError> {
    tokio::task::spawn_blocking(f)
        .await
        .unwrap_or_else(|e| Err(AppError::Internal(format!("a blocking task failed: {e}"))))
}

pub(crate) fn require_json(headers: &HeaderMap) -> Result<(), AppError> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if essence == "application/json" || essence.ends_with("+json") {
        Ok(())
    } else {
        Err(AppError::UnsupportedMediaType(format!(
            "send the body as `Content-Type: application/json` (got `{content_type}`)"
        )))
    }
}

fn body_error(e: &BytesRejection, limit: usize) -> AppError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        AppError::BodyTooLarge { limit }
    } else {
        AppError::BadRequest(format!("the body could not be read: {e}"))
    }
}

fn idempotency_key(headers: &HeaderMap) -> Result<Option<String>, AppError> {
    let Some(value) = headers.get(&IDEMPOTENCY_KEY) else {
        return Ok(None);
    };
    let key = value.to_str().unwrap_or("");
    let printable = key.bytes().all(|b| (0x21..=0x7e).contains(&b));
    if key.is_empty() || key.len() > MAX_KEY_LEN || !printable {
        return Err(AppError::BadRequest(format!(
            "`Idempotency-Key` must be 1 to {MAX_KEY_LEN} visible ASCII characters"
        )));
    }
    Ok(Some(key.to_owned()))
}

/// The list's query string.
#[derive(Debug, Deserialize)]
pub struct ListParams {
    status: Option<String>,
    engine: Option<String>,
    limit: Option<u32>,
    cursor: Option<String>,
}

/// `GET /api/v1/backfills`: newest first, filtered by status and engine.
pub async fn list(
    State(state): State<AppState>,
    params: Result<Query<ListParams>, QueryRejection>,
) -> Result<Response, AppError> {
    let Query(p) = params.map_err(|e| query_error(&e))?;
    let status = p
        .status
        .filter(|s| !s.is_empty())
        .map(|s| {
            Status::parse(&s).ok_or_else(|| {
                let names: Vec<&str> = Status::ALL.iter().map(|s| s.name()).collect();
                AppError::BadRequest(format!(
                    "unknown status `{s}`; expected one of {}",
                    names.join(", ")
                ))
            })
        })
        .transpose()?;
    let engine = p
        .engine
        .filter(|s| !s.is_empty())
        .map(|e| {
            e.parse::<Engine>()
                .map(|e| e.name().to_owned())
                .map_err(|e| AppError::BadRequest(e.to_string()))
        })
        .transpose()?;
    let before = p
        .cursor
        .filter(|c| !c.is_empty())
        .map(|c| {
            c.parse::<i64>()
                .ok()
                .filter(|n| *n > 0)
                .ok_or_else(|| AppError::BadRequest(format!("invalid cursor `{c}`")))
        })
        .transpose()?;
    let query = ListQuery {
        status,
        engine,
        before,
        limit: p.limit.unwrap_or(LIST_LIMIT.0).clamp(1, LIST_LIMIT.1),
    };
    let page = state.db.read(move |conn| store::list(conn, &query)).await?;
    Ok(Json(page).into_response())
}

/// The detail's query string.
#[derive(Debug, Deserialize)]
pub struct DetailParams {
    runs_offset: Option<u64>,
    runs_limit: Option<u32>,
    batches_offset: Option<u64>,
    batches_limit: Option<u32>,
}

/// `GET /api/v1/backfills/{id}`: the backfill, a page of batches, a page of runs.
pub async fn detail(
    State(state): State<AppState>,
    Path(id): Path<String>,
    params: Result<Query<DetailParams>, QueryRejection>,
) -> Result<Response, AppError> {
    let Query(p) = params.map_err(|e| query_error(&e))?;
    let query = DetailQuery {
        runs_offset: p.runs_offset.unwrap_or(0),
        runs_limit: p.runs_limit.unwrap_or(ROWS_LIMIT.0).min(ROWS_LIMIT.1),
        batches_offset: p.batches_offset.unwrap_or(0),
        batches_limit: p.batches_limit.unwrap_or(ROWS_LIMIT.0).min(ROWS_LIMIT.1),
    };
    if !ids::looks_like_id(&id) {
        return Err(no_backfill(&id));
    }
    let lookup = id.clone();
    let found = state
        .db
        .read(move |conn| store::detail(conn, &lookup, query))
        .await?;
    found
        .map(|d| Json(d).into_response())
        .ok_or_else(|| no_backfill(&id))
}

/// `POST /api/v1/backfills/{id}/pause`.
pub async fn pause(state: State<AppState>, id: Path<String>) -> Result<Response, AppError> {
    transition(state, id, Action::Pause).await
}

/// `POST /api/v1/backfills/{id}/resume`.
pub async fn resume(state: State<AppState>, id: Path<String>) -> Result<Response, AppError> {
    transition(state, id, Action::Resume).await
}

/// `POST /api/v1/backfills/{id}/cancel`.
pub async fn cancel(state: State<AppState>, id: Path<String>) -> Result<Response, AppError> {
    transition(state, id, Action::Cancel).await
}

async fn transition(
    State(state): State<AppState>,
    Path(id): Path<String>,
    action: Action,
) -> Result<Response, AppError> {
    if !ids::looks_like_id(&id) {
        return Err(no_backfill(&id));
    }
    let item = state
        .db
        .call(move |conn| store::transition(conn, &id, action))
        .await?;
    Ok(Json(item).into_response())
}

/// `DELETE /api/v1/backfills/{id}`: the backfill, its batches and its runs are gone
/// (an operator's way to free storage). 204; 404 for an unknown id.
pub async fn delete(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    if !ids::looks_like_id(&id) {
        return Err(no_backfill(&id));
    }
    let key = id.clone();
    let deleted = state.db.call(move |conn| store::delete(conn, &key)).await?;
    if deleted {
        Ok(axum::http::StatusCode::NO_CONTENT.into_response())
    } else {
        Err(no_backfill(&id))
    }
}

fn no_backfill(id: &str) -> AppError {
    let shown: String = id.chars().take(64).collect();
    AppError::NotFound(format!("no backfill `{shown}`"))
}

fn query_error(e: &QueryRejection) -> AppError {
    AppError::BadRequest(format!("invalid query string: {}", e.body_text()))
}
