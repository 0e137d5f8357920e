//! All HTTP the web app does. Same origin as the page by default.

use serde::Deserialize;

/// The backend's health answer (`GET /api/v1/health`).
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct Health {
    /// `ok` or `degraded`.
    pub status: String,
    /// The backend's version.
    pub version: String,
    /// The database's state.
    pub database: DatabaseHealth,
}

/// The database part of [`Health`].
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct DatabaseHealth {
    /// `ok` or `unavailable`.
    pub state: String,
}

/// Ask the backend how it is.
pub async fn health() -> Result<Health, String> {
    let response = gloo_net::http::Request::get("/api/v1/health")
        .send()
        .await
        .map_err(|e| format!("the backend did not answer: {e}"))?;
    if !response.ok() && response.status() != 503 {
        return Err(format!("the backend answered {}", response.status()));
    }
    response
        .json::<Health>()
        .await
        .map_err(|e| format!("the backend's answer was not understood: {e}"))
}
