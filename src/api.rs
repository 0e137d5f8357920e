//! All HTTP the web app does: the health badge, submissions, the backfills and their
//! transitions. Same origin as the page by default (`Backend`'s endpoint overrides it).

use gloo_net::http::{RequestBuilder, Response};
use serde::{Deserialize, Serialize};

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

/// Ask the backend at `backend` how it is.
pub async fn health(backend: Backend) -> Result<Health, String> {
    let response = gloo_net::http::Request::get(&backend.url("/health"))
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

/// Where the backend is (`base` + `/api/v1/…`) and the token for writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Backend {
    base: String,
    token: Option<String>,
}

impl Backend {
    /// `endpoint` empty: the page's origin; `token` empty: none.
    #[must_use]
    pub fn new(endpoint: &str, token: &str) -> Self {
        let token = token.trim();
        Backend {
            base: endpoint.trim().trim_end_matches('/').to_owned(),
            token: (!token.is_empty()).then(|| token.to_owned()),
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}/api/v1{path}", self.base)
    }

    fn authorize(&self, request: RequestBuilder) -> RequestBuilder {
        match &self.token {
            Some(t) => request.header("Authorization", &format!("Bearer {t}")),
            None => request,
        }
    }
}

/// What the web app submits: the input and the digest it previewed.
#[derive(Debug, Clone, Serialize)]
pub struct SubmissionBody {
    /// The text as planned.
    pub source: String,
    /// The dialect it was read as.
    pub dialect: String,
    /// The engine planned for.
    pub engine: String,
    /// "Now" the preview used.
    pub now: String,
    /// The window for a text that holds none (an Airflow DAG file), empty when not given.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub start: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub end: String,
    /// The preview's digest.
    pub digest: String,
    /// A title; none: the backend names it.
    pub title: Option<String>,
}

/// The answer to a stored submission.
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct Receipt {
    /// The backfill's id.
    pub id: String,
    /// Its title.
    pub title: String,
    /// Its engine.
    pub engine: String,
    /// Runs stored.
    pub run_count: u64,
    /// Batches stored.
    pub batch_count: u64,
    /// The digest of the stored plan.
    pub digest: String,
    /// When it was stored.
    pub created_at: String,
}

/// The backend's one error shape, `{"error": {…}}`.
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct ApiError {
    /// The HTTP status.
    pub status: u16,
    /// A stable code (`digest_mismatch`, `invalid_plan`, …).
    pub code: String,
    /// One line for people.
    pub message: String,
    /// The core's diagnostics (`invalid_plan`).
    #[serde(default)]
    pub diagnostics: Vec<backfill_core::Diagnostic>,
    /// The digest sent (`digest_mismatch`).
    #[serde(default)]
    pub submitted_digest: Option<String>,
    /// The backend's own digest (`digest_mismatch`).
    #[serde(default)]
    pub computed_digest: Option<String>,
    /// How many runs the backend's own plan has (`digest_mismatch`).
    #[serde(default)]
    pub computed_run_count: Option<u64>,
    /// The backfill's state (`invalid_transition`).
    #[serde(default)]
    pub current_state: Option<String>,
    /// Where the body broke (`malformed_json`, `invalid_submission`).
    #[serde(default)]
    pub line: Option<u32>,
}

#[derive(Deserialize)]
struct ErrorEnvelope {
    error: ApiError,
}

/// Why a request did not give its answer.
#[derive(Debug, Clone, PartialEq)]
pub enum Failure {
    /// The backend could not be reached.
    Network(String),
    /// The backend refused, with its error.
    Api(ApiError),
    /// The backend answered something else than the contract says.
    Unexpected(String),
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::Network(e) => write!(f, "the backend could not be reached ({e})"),
            Failure::Api(e) => write!(f, "{} ({} {})", e.message, e.status, e.code),
            Failure::Unexpected(e) => write!(f, "{e}"),
        }
    }
}

async fn answer<T: for<'de> Deserialize<'de>>(response: Response) -> Result<T, Failure> {
    if response.ok() {
        return response.json::<T>().await.map_err(|e| {
            Failure::Unexpected(format!("the backend's answer was not understood: {e}"))
        });
    }
    let status = response.status();
    match response.json::<ErrorEnvelope>().await {
        Ok(envelope) => Err(Failure::Api(envelope.error)),
        Err(_) => Err(Failure::Unexpected(format!(
            "the backend answered {status} {} without its error shape",
            response.status_text()
        ))),
    }
}

fn network(e: gloo_net::Error) -> Failure {
    Failure::Network(e.to_string())
}

/// Submit a backfill under `key`; answers the receipt and whether it was a replay.
pub async fn submit(
    backend: &Backend,
    key: &str,
    body: &SubmissionBody,
) -> Result<(Receipt, bool), Failure> {
    let request = backend
        .authorize(gloo_net::http::Request::post(&backend.url("/backfills")))
        .header("Idempotency-Key", key)
        .json(body)
        .map_err(|e| Failure::Unexpected(e.to_string()))?;
    let response = request.send().await.map_err(network)?;
    let replayed = response.headers().get("Idempotent-Replayed").as_deref() == Some("true");
    Ok((answer(response).await?, replayed))
}

/// A backfill as listed, and as a transition answers.
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct BackfillItem {
    /// Its id.
    pub id: String,
    /// Its title.
    pub title: String,
    /// `pending`, `paused` or `cancelled`.
    pub status: String,
    /// What an operator may do now.
    pub allowed_actions: Vec<String>,
    /// Its engine.
    pub engine: String,
    /// The dialect it was read as.
    pub dialect: String,
    /// Runs.
    pub run_count: u64,
    /// Batches.
    pub batch_count: u64,
    /// When it was stored.
    pub created_at: String,
    /// When its state last changed.
    pub updated_at: String,
}

/// A page of backfills.
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct BackfillList {
    /// This page.
    pub items: Vec<BackfillItem>,
    /// The next page's cursor; none on the last.
    pub next_cursor: Option<String>,
}

/// A filter and a page of the list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListQuery {
    /// Only this state.
    pub status: Option<String>,
    /// Only this engine.
    pub engine: Option<String>,
    /// The page after this cursor.
    pub cursor: Option<String>,
    /// Page size.
    pub limit: u32,
}

fn query_string(pairs: &[(&str, Option<String>)]) -> String {
    let params = pairs
        .iter()
        .filter_map(|(k, v)| {
            v.as_ref()
                .map(|v| format!("{k}={}", js_sys::encode_uri_component(v)))
        })
        .collect::<Vec<_>>()
        .join("&");
    if params.is_empty() {
        String::new()
    } else {
        format!("?{params}")
    }
}

/// A page of the backfills, newest first.
pub async fn list(backend: &Backend, query: &ListQuery) -> Result<BackfillList, Failure> {
    let qs = query_string(&[
        ("status", query.status.clone()),
        ("engine", query.engine.clone()),
        ("limit", Some(query.limit.to_string())),
        ("cursor", query.cursor.clone()),
    ]);
    let response = backend
        .authorize(gloo_net::http::Request::get(
            &backend.url(&format!("/backfills{qs}")),
        ))
        .send()
        .await
        .map_err(network)?;
    answer(response).await
}

/// A page of something.
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct Page<T> {
    /// Index of the first item.
    pub offset: u64,
    /// The page size applied.
    pub limit: u64,
    /// How many there are.
    pub total: u64,
    /// This page.
    pub items: Vec<T>,
}

/// A stored run (the columns the detail shows).
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct StoredRun {
    /// Launch position.
    pub index: u64,
    /// The engine's logical date.
    pub logical_date: String,
    /// Dagster's partition key.
    #[serde(default)]
    pub partition_key: Option<String>,
    /// Its batch.
    pub batch: u64,
    /// Its wave.
    pub wave: u64,
}

/// A stored batch.
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct StoredBatch {
    /// Its index.
    pub index: u64,
    /// Its first run's logical date.
    pub first: String,
    /// Its last run's logical date.
    pub last: String,
    /// Runs in it.
    pub size: u64,
    /// Its wave.
    pub wave: u64,
}

/// A backfill with a page of its batches and runs.
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct BackfillDetail {
    /// What the list shows.
    #[serde(flatten)]
    pub item: BackfillItem,
    /// Its digest.
    pub digest: String,
    /// A page of batches.
    pub batches: Page<StoredBatch>,
    /// A page of runs.
    pub runs: Page<StoredRun>,
}

/// A backfill with the page of runs from `runs_offset`.
pub async fn detail(
    backend: &Backend,
    id: &str,
    runs_offset: u64,
    runs_limit: u64,
) -> Result<BackfillDetail, Failure> {
    let qs = query_string(&[
        ("runs_offset", Some(runs_offset.to_string())),
        ("runs_limit", Some(runs_limit.to_string())),
        ("batches_limit", Some("1000".to_owned())),
    ]);
    let path = format!("/backfills/{}{qs}", js_sys::encode_uri_component(id));
    let response = backend
        .authorize(gloo_net::http::Request::get(&backend.url(&path)))
        .send()
        .await
        .map_err(network)?;
    answer(response).await
}

/// A title for people: the backfill's own, or its engine and id when it has none.
#[must_use]
pub fn display_title(title: &str, engine: &str, id: &str) -> String {
    if title.trim().is_empty() {
        format!("{engine} backfill {id}")
    } else {
        visible_bidi(title)
    }
}

/// `s` with every bidirectional control shown as its code point (`⟨U+202E⟩`), so a title
/// cannot reorder what is around it (or pass one text off as another).
#[must_use]
pub fn visible_bidi(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
        {
            out.push_str(&format!("⟨U+{:04X}⟩", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    out
}

/// Pause, resume or cancel backfill `id`; answers it in its new state.
pub async fn transition(
    backend: &Backend,
    id: &str,
    action: &str,
) -> Result<BackfillItem, Failure> {
    let path = format!("/backfills/{}/{action}", js_sys::encode_uri_component(id));
    // Writes declare a JSON body (the server refuses any other: a cross-site form cannot).
    let response = backend
        .authorize(gloo_net::http::Request::post(&backend.url(&path)))
        .header("Content-Type", "application/json")
        .body("{}")
        .map_err(network)?
        .send()
        .await
        .map_err(network)?;
    answer(response).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bidirectional_controls_in_titles_are_shown_not_obeyed() {
        assert_eq!(
            display_title("invoice\u{202E}fdp.exe", "airflow", "x"),
            "invoice⟨U+202E⟩fdp.exe"
        );
        assert_eq!(display_title("plain", "airflow", "x"), "plain");
        assert_eq!(
            display_title("  ", "airflow", "01J"),
            "airflow backfill 01J"
        );
    }
}
