//! One error type for every API failure, with one JSON shape:
//!
//! ```json
//! {"error": {"status": 409, "code": "invalid_transition", "message": "…", "current_state": "cancelled"}}
//! ```
//!
//! `status` repeats the HTTP status, `code` is stable and machine-readable, `message` is
//! one line for people. Some codes add fields: `line`/`column` (where a body broke),
//! `diagnostics` (the core's, for an invalid plan), `submitted_digest`/`computed_digest`,
//! `current_state`/`allowed_actions`, `limit`. Internal failures are logged and answered
//! with a generic message, never their details.

use crate::lifecycle::{Action, Status};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use backfill_core::Diagnostic;
use serde_json::{json, Map, Value};

/// A failed API request.
#[derive(Debug)]
pub enum AppError {
    /// 400: the body is not JSON; where it broke.
    MalformedJson {
        /// serde_json's message, without its position.
        message: String,
        /// 1-based line where the body broke.
        line: usize,
        /// 1-based column (0 when the body is empty).
        column: usize,
    },
    /// 400: a header or a query parameter is wrong.
    BadRequest(String),
    /// 401: a write without the configured bearer token.
    Unauthorized,
    /// 403: a write a browser sent from another site (the operator did not mean it).
    CrossSite(String),
    /// 404: no such resource (or no such API route).
    NotFound(String),
    /// 405: the route exists, the method does not.
    MethodNotAllowed {
        /// The method that was used.
        method: String,
        /// The path it was used on.
        path: String,
    },
    /// 409: the plan the server expanded is not the one the client previewed.
    DigestMismatch {
        /// The digest in the request.
        submitted: String,
        /// The digest of the server's own expansion.
        computed: String,
        /// How many runs the server's expansion has.
        computed_runs: u64,
    },
    /// 409: the action is not allowed in the backfill's current state.
    InvalidTransition {
        /// What was asked.
        action: Action,
        /// The state the backfill is in.
        current: Status,
    },
    /// 413: the body is over the configured limit.
    BodyTooLarge {
        /// The limit in bytes.
        limit: usize,
    },
    /// 415: the body is not declared as JSON.
    UnsupportedMediaType(String),
    /// 421: a `Host` this server does not answer for (DNS rebinding).
    MisdirectedHost(String),
    /// 422: the input does not plan; the core's diagnostics say why.
    InvalidPlan {
        /// Every diagnostic (errors, warnings, notes), as the core gave them.
        diagnostics: Vec<Diagnostic>,
    },
    /// 422: valid JSON, but not a submission (a field missing or of the wrong type,
    /// an unknown engine, a title too long…).
    InvalidSubmission {
        /// What is wrong.
        message: String,
        /// Where, when serde_json knows.
        location: Option<(usize, usize)>,
    },
    /// 422: an `Idempotency-Key` reused with a different request.
    IdempotencyKeyReused,
    /// 507: storing this backfill would pass the configured quota of stored runs.
    StorageFull {
        /// Runs stored now.
        stored: u64,
        /// Runs this backfill has.
        adding: u64,
        /// The quota.
        quota: u64,
    },
    /// 503: the database is busy (another process holds its lock); retry.
    Unavailable(String),
    /// 500: something inside broke (database, I/O, a bug). Logged, never sent.
    Internal(String),
}

impl AppError {
    /// Every `code` an error can carry, for the OpenAPI document's test.
    pub const CODES: &'static [&'static str] = &[
        "malformed_json",
        "bad_request",
        "unauthorized",
        "cross_site",
        "not_found",
        "method_not_allowed",
        "digest_mismatch",
        "invalid_transition",
        "body_too_large",
        "unsupported_media_type",
        "misdirected_host",
        "invalid_plan",
        "invalid_submission",
        "idempotency_key_reused",
        "storage_full",
        "unavailable",
        "internal",
    ];

    /// The HTTP status and the stable code: one arm per variant, no wildcard.
    #[must_use]
    pub fn status_and_code(&self) -> (StatusCode, &'static str) {
        match self {
            AppError::MalformedJson { .. } => (StatusCode::BAD_REQUEST, "malformed_json"),
            AppError::BadRequest(_) => (StatusCode::BAD_REQUEST, "bad_request"),
            AppError::Unauthorized => (StatusCode::UNAUTHORIZED, "unauthorized"),
            AppError::CrossSite(_) => (StatusCode::FORBIDDEN, "cross_site"),
            AppError::NotFound(_) => (StatusCode::NOT_FOUND, "not_found"),
            AppError::MethodNotAllowed { .. } => {
                (StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed")
            }
            AppError::DigestMismatch { .. } => (StatusCode::CONFLICT, "digest_mismatch"),
            AppError::InvalidTransition { .. } => (StatusCode::CONFLICT, "invalid_transition"),
            AppError::BodyTooLarge { .. } => (StatusCode::PAYLOAD_TOO_LARGE, "body_too_large"),
            AppError::UnsupportedMediaType(_) => {
                (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type")
            }
            AppError::MisdirectedHost(_) => (StatusCode::MISDIRECTED_REQUEST, "misdirected_host"),
            AppError::InvalidPlan { .. } => (StatusCode::UNPROCESSABLE_ENTITY, "invalid_plan"),
            AppError::InvalidSubmission { .. } => {
                (StatusCode::UNPROCESSABLE_ENTITY, "invalid_submission")
            }
            AppError::IdempotencyKeyReused => {
                (StatusCode::UNPROCESSABLE_ENTITY, "idempotency_key_reused")
            }
            AppError::StorageFull { .. } => (StatusCode::INSUFFICIENT_STORAGE, "storage_full"),
            AppError::Unavailable(_) => (StatusCode::SERVICE_UNAVAILABLE, "unavailable"),
            AppError::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
        }
    }

    /// The message and the extra fields of the body.
    fn message_and_fields(&self) -> (String, Map<String, Value>) {
        let mut extra = Map::new();
        let message = match self {
            AppError::MalformedJson {
                message,
                line,
                column,
            } => {
                extra.insert("line".into(), json!(line));
                extra.insert("column".into(), json!(column));
                format!("the body is not valid JSON: {message} at line {line} column {column}")
            }
            AppError::BadRequest(m)
            | AppError::NotFound(m)
            | AppError::UnsupportedMediaType(m)
            | AppError::CrossSite(m)
            | AppError::MisdirectedHost(m) => m.clone(),
            AppError::Unauthorized => {
                "this request needs the bearer token: `Authorization: Bearer <token>`".to_owned()
            }
            AppError::MethodNotAllowed { method, path } => {
                format!("`{path}` does not accept {method}; the `Allow` header lists what it does")
            }
            AppError::DigestMismatch {
                submitted,
                computed,
                computed_runs,
            } => {
                extra.insert("submitted_digest".into(), json!(submitted));
                extra.insert("computed_digest".into(), json!(computed));
                extra.insert("computed_run_count".into(), json!(computed_runs));
                "the server's expansion of this source differs from the one previewed: \
                 re-plan and check the runs before submitting again"
                    .to_owned()
            }
            AppError::InvalidTransition { action, current } => {
                extra.insert("current_state".into(), json!(current));
                extra.insert("allowed_actions".into(), json!(current.allowed_actions()));
                format!("cannot {action} a backfill that is {current}")
            }
            AppError::BodyTooLarge { limit } => {
                extra.insert("limit".into(), json!(limit));
                format!("the body is larger than the limit of {limit} bytes")
            }
            AppError::InvalidPlan { diagnostics } => {
                let errors: Vec<&Diagnostic> = diagnostics
                    .iter()
                    .filter(|d| d.severity == backfill_core::Severity::Error)
                    .collect();
                extra.insert("diagnostics".into(), json!(diagnostics));
                match errors.first() {
                    Some(first) if errors.len() == 1 => {
                        format!("the plan is invalid: {}: {}", first.code, first.message)
                    }
                    Some(first) => format!(
                        "the plan is invalid: {}: {} (and {} more errors)",
                        first.code,
                        first.message,
                        errors.len() - 1
                    ),
                    None => "the plan is invalid".to_owned(),
                }
            }
            AppError::InvalidSubmission { message, location } => {
                if let Some((line, column)) = location {
                    extra.insert("line".into(), json!(line));
                    extra.insert("column".into(), json!(column));
                }
                message.clone()
            }
            AppError::IdempotencyKeyReused => {
                "this Idempotency-Key was used for a different request; use a new key".to_owned()
            }
            AppError::StorageFull {
                stored,
                adding,
                quota,
            } => {
                extra.insert("stored_runs".into(), json!(stored));
                extra.insert("quota_runs".into(), json!(quota));
                format!("the server stores {stored} runs and this backfill has {adding}: that passes its quota of {quota} runs; delete backfills that are done (DELETE /api/v1/backfills/{{id}}) or ask the operator to raise --max-stored-runs")
            }
            AppError::Unavailable(detail) => {
                tracing::warn!(%detail, "database busy");
                "the database is busy; retry shortly".to_owned()
            }
            AppError::Internal(detail) => {
                tracing::error!(%detail, "internal error");
                "internal error; see the server log".to_owned()
            }
        };
        (message, extra)
    }
}

impl std::fmt::Display for AppError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (status, code) = self.status_and_code();
        write!(f, "{} {code}", status.as_u16())
    }
}

impl From<rusqlite::Error> for AppError {
    fn from(e: rusqlite::Error) -> Self {
        match e.sqlite_error_code() {
            Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked) => {
                AppError::Unavailable(e.to_string())
            }
            _ => AppError::Internal(e.to_string()),
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let (status, code) = self.status_and_code();
        let (message, extra) = self.message_and_fields();
        let mut error = Map::new();
        error.insert("status".into(), json!(status.as_u16()));
        error.insert("code".into(), json!(code));
        error.insert("message".into(), json!(message));
        error.extend(extra);
        let mut response = (status, Json(json!({ "error": error }))).into_response();
        let headers = response.headers_mut();
        match self {
            AppError::Unauthorized => {
                headers.insert(
                    header::WWW_AUTHENTICATE,
                    HeaderValue::from_static("Bearer realm=\"backfill\""),
                );
            }
            AppError::Unavailable(_) => {
                headers.insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
            }
            _ => {}
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_is_listed_once() {
        let all = [
            AppError::MalformedJson {
                message: String::new(),
                line: 1,
                column: 1,
            },
            AppError::BadRequest(String::new()),
            AppError::Unauthorized,
            AppError::CrossSite(String::new()),
            AppError::NotFound(String::new()),
            AppError::MethodNotAllowed {
                method: String::new(),
                path: String::new(),
            },
            AppError::DigestMismatch {
                submitted: String::new(),
                computed: String::new(),
                computed_runs: 0,
            },
            AppError::InvalidTransition {
                action: Action::Pause,
                current: Status::Cancelled,
            },
            AppError::BodyTooLarge { limit: 1 },
            AppError::UnsupportedMediaType(String::new()),
            AppError::MisdirectedHost(String::new()),
            AppError::InvalidPlan {
                diagnostics: vec![],
            },
            AppError::InvalidSubmission {
                message: String::new(),
                location: None,
            },
            AppError::IdempotencyKeyReused,
            AppError::StorageFull {
                stored: 0,
                adding: 0,
                quota: 0,
            },
            AppError::Unavailable(String::new()),
            AppError::Internal(String::new()),
        ];
        let codes: Vec<&str> = all.iter().map(|e| e.status_and_code().1).collect();
        assert_eq!(codes, AppError::CODES);
    }

    #[test]
    fn internal_details_are_not_sent() {
        let (message, extra) =
            AppError::Internal("disk I/O error at /secret/path".into()).message_and_fields();
        assert!(!message.contains("secret"));
        assert!(extra.is_empty());
    }
}
