//! One error type for every API failure, with one JSON shape:
//! `{"error": {"status": 404, "code": "not_found", "message": "…", "diagnostics": […]}}`.
//! Internal failures are logged and answered with a generic message, never their details.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

/// A failed API request.
#[derive(Debug)]
pub enum AppError {
    /// Something inside broke (database, I/O). Logged, never sent.
    Internal(String),
    /// No such resource.
    NotFound(String),
}

impl AppError {
    fn status_and_code(&self) -> (StatusCode, &'static str) {
        match self {
            AppError::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
            AppError::NotFound(_) => (StatusCode::NOT_FOUND, "not_found"),
        }
    }
}

impl From<rusqlite::Error> for AppError {
    fn from(e: rusqlite::Error) -> Self {
        AppError::Internal(e.to_string())
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let (status, code) = self.status_and_code();
        let message = match &self {
            AppError::Internal(detail) => {
                tracing::error!(%detail, "internal error");
                "internal error; see the server log".to_owned()
            }
            AppError::NotFound(m) => m.clone(),
        };
        let body = json!({"error": {"status": status.as_u16(), "code": code, "message": message}});
        (status, Json(body)).into_response()
    }
}
