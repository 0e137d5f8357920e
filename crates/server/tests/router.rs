//! Router tests: requests against `app(state)` with a real SQLite file in a temp dir.
//! Every route, every error status, the state machine and idempotency; after every
//! error, the tables are checked to hold exactly what they held before.
#![allow(clippy::unwrap_used)]

use axum::body::Body;
use axum::http::{header, HeaderMap, HeaderValue, Method, Request, StatusCode};
use backfill_core::{plan, PlanOptions};
use backfill_server::db::SCHEMA_VERSION;
use backfill_server::{app, AppError, AppState, Config, Db, OPENAPI};
use http_body_util::BodyExt;
use serde_json::{json, Value};
use std::path::PathBuf;
use tower::ServiceExt;

/// 100 daily partitions in 10 batches.
const DAGSTER: &str = "engine: dagster\nschedule:\n  partitions:\n    kind: daily\n\
window:\n  start: 2024-01-01\n  end: 2024-04-10\nstrategy:\n  kind: multi_run\n  max_per_run: 10\n";
/// 9 runs (flyte excludes both ends), one per batch.
const FLYTE: &str =
    "engine: flyte\nschedule: {cron: \"0 0 * * *\"}\nwindow: {start: 2023-01-01, end: 2023-01-11}\n";

struct Fixture {
    _dir: tempfile::TempDir,
    db_path: PathBuf,
    state: AppState,
}

fn fixture_with(with_dist: bool, configure: impl FnOnce(&mut Config)) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let dist = dir.path().join("dist");
    if with_dist {
        std::fs::create_dir_all(&dist).unwrap();
        std::fs::write(dist.join("index.html"), "<!doctype html><title>app</title>").unwrap();
        std::fs::write(dist.join("app.js"), "console.log(1)").unwrap();
    }
    let db_path = dir.path().join("test.db");
    let db = Db::open(&db_path).unwrap();
    let mut config = Config::new(dist);
    configure(&mut config);
    Fixture {
        _dir: dir,
        db_path,
        state: AppState { db, config },
    }
}

fn fixture(with_dist: bool) -> Fixture {
    fixture_with(with_dist, |_| {})
}

struct Answer {
    status: StatusCode,
    headers: HeaderMap,
    text: String,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("{e}: {}", self.text))
    }

    /// The error body, checked to have the one shape.
    fn error(&self) -> Value {
        let v = self.json();
        let e = &v["error"];
        assert_eq!(e["status"], self.status.as_u16(), "{}", self.text);
        assert!(
            e["code"].is_string() && e["message"].is_string(),
            "{}",
            self.text
        );
        assert_eq!(
            self.headers[header::CONTENT_TYPE],
            "application/json",
            "{}",
            self.text
        );
        e.clone()
    }
}

async fn send(state: &AppState, req: Request<Body>) -> Answer {
    let res = app(state.clone()).oneshot(req).await.unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let body = res.into_body().collect().await.unwrap().to_bytes();
    Answer {
        status,
        headers,
        text: String::from_utf8_lossy(&body).into_owned(),
    }
}

async fn get(state: &AppState, uri: &str) -> Answer {
    send(state, Request::get(uri).body(Body::empty()).unwrap()).await
}

fn post_json(uri: &str, body: impl Into<Body>) -> Request<Body> {
    Request::post(uri)
        .header(header::CONTENT_TYPE, "application/json")
        .body(body.into())
        .unwrap()
}

/// A write without a payload, as the app sends it: an empty JSON object.
async fn post(state: &AppState, uri: &str) -> Answer {
    send(state, post_json(uri, "{}")).await
}

fn digest_of(text: &str) -> String {
    plan(text, &PlanOptions::default()).plan.unwrap().digest()
}

fn submission(text: &str, title: &str) -> Value {
    json!({"source": text, "digest": digest_of(text), "title": title, "labels": {"team": "data"}})
}

async fn submit(state: &AppState, body: &Value) -> Answer {
    send(
        state,
        post_json("/api/v1/backfills", body.to_string().into_bytes()),
    )
    .await
}

async fn submit_ok(state: &AppState, text: &str, title: &str) -> String {
    let a = submit(state, &submission(text, title)).await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.text);
    a.json()["id"].as_str().unwrap().to_owned()
}

/// Rows in (backfills, batches, runs), read from the file directly.
fn counts(f: &Fixture) -> (i64, i64, i64) {
    let conn = rusqlite::Connection::open(&f.db_path).unwrap();
    let n = |table: &str| {
        conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
            .unwrap()
    };
    (n("backfills"), n("batches"), n("runs"))
}

#[tokio::test]
async fn health_reports_version_and_database() {
    let f = fixture(true);
    let a = get(&f.state, "/api/v1/health").await;
    assert_eq!(a.status, StatusCode::OK);
    let v = a.json();
    assert_eq!(v["status"], "ok");
    assert_eq!(v["version"], backfill_core::VERSION);
    assert_eq!(v["database"]["state"], "ok");
    assert_eq!(v["database"]["schema_version"], SCHEMA_VERSION);
    // Health is public: it names no file of the operator's machine.
    assert!(v["database"].get("path").is_none(), "{v}");
    assert!(!a.text.contains("test.db"), "{}", a.text);
}

#[tokio::test]
async fn deep_links_are_answered_with_index_html() {
    let f = fixture(true);
    let a = get(&f.state, "/backfills/42").await;
    assert_eq!(a.status, StatusCode::OK);
    assert!(a.text.contains("<title>app</title>"));
    let a = get(&f.state, "/app.js").await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(a.text, "console.log(1)");
}

#[tokio::test]
async fn unknown_api_routes_are_json_404s() {
    let f = fixture(true);
    let a = get(&f.state, "/api/v1/nope").await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);
    let e = a.error();
    assert_eq!(e["code"], "not_found");
    assert!(e["message"].as_str().unwrap().contains("/api/v1/nope"));
}

#[tokio::test]
async fn a_missing_build_says_how_to_make_it() {
    let f = fixture(false);
    let a = get(&f.state, "/").await;
    assert_eq!(a.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(a.text.contains("not built"));
    assert_eq!(get(&f.state, "/api/v1/health").await.status, StatusCode::OK);
}

#[tokio::test]
async fn a_submission_is_stored_whole_and_answered_with_its_location() {
    let f = fixture(true);
    let a = submit(&f.state, &submission(DAGSTER, "hundred days")).await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.text);
    let v = a.json();
    let id = v["id"].as_str().unwrap();
    assert_eq!(
        a.headers[header::LOCATION],
        format!("/api/v1/backfills/{id}")
    );
    assert_eq!(v["url"], format!("/api/v1/backfills/{id}"));
    assert_eq!(v["status"], "pending");
    assert_eq!(v["run_count"], 100);
    assert_eq!(v["batch_count"], 10);
    assert_eq!(v["digest"], digest_of(DAGSTER));
    assert!(a.headers.get("idempotent-replayed").is_none());
    assert_eq!(counts(&f), (1, 10, 100));

    let d = get(&f.state, &format!("/api/v1/backfills/{id}")).await;
    assert_eq!(d.status, StatusCode::OK);
    let d = d.json();
    assert_eq!(d["id"], id);
    assert_eq!(d["title"], "hundred days");
    assert_eq!(d["labels"], json!({"team": "data"}));
    assert_eq!(d["engine"], "dagster");
    assert_eq!(d["dialect"], "spec");
    assert_eq!(d["allowed_actions"], json!(["pause", "cancel"]));
    assert_eq!(d["source"]["text"], DAGSTER);
    assert_eq!(d["summary"]["run_count"], 100);
    assert_eq!(d["batches"]["total"], 10);
    assert_eq!(d["batches"]["items"].as_array().unwrap().len(), 10);
    assert_eq!(d["runs"]["total"], 100);
    assert_eq!(d["runs"]["limit"], 100);
    // Stored runs and batches are the core's, field for field.
    let p = plan(DAGSTER, &PlanOptions::default()).plan.unwrap();
    assert_eq!(
        d["runs"]["items"][0],
        serde_json::to_value(p.run(0)).unwrap()
    );
    assert_eq!(
        d["runs"]["items"][99],
        serde_json::to_value(p.run(99)).unwrap()
    );
    assert_eq!(
        d["batches"]["items"][3],
        serde_json::to_value(p.batch(3)).unwrap()
    );
}

/// 10,000 minutely runs in batches of 7: over the size the check turns into rows
/// in memory, so stored by streaming, with the digest checked before the commit.
const LARGE: &str = "engine: generic\nschedule: {cron: \"* * * * *\"}\n\
window: {start: \"2024-01-01T00:00\", end: \"2024-01-07T22:40\"}\n\
strategy: {kind: multi_run, max_per_run: 7}\n";

#[tokio::test]
async fn a_large_plan_is_streamed_whole_or_not_at_all() {
    let f = fixture(true);
    let p = plan(LARGE, &PlanOptions::default()).plan.unwrap();
    assert!(p.run_count() > 8192, "{}", p.run_count());
    let (runs, batches) = (p.run_count(), p.batch_count());
    // Another digest: found before anything is written.
    let mut body = submission(LARGE, "large");
    body["digest"] = json!(digest_of(FLYTE));
    let a = submit(&f.state, &body).await;
    assert_eq!(a.status, StatusCode::CONFLICT, "{}", a.text);
    assert_eq!(a.error()["computed_digest"], p.digest());
    assert_eq!(a.error()["computed_run_count"], p.run_count());
    assert_eq!(counts(&f), (0, 0, 0));

    let a = submit(&f.state, &submission(LARGE, "large")).await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.text);
    assert_eq!(a.json()["run_count"], runs);
    assert_eq!(a.json()["batch_count"], batches);
    assert_eq!(
        counts(&f),
        (
            1,
            i64::try_from(batches).unwrap(),
            i64::try_from(runs).unwrap()
        )
    );
    let id = a.json()["id"].as_str().unwrap().to_owned();
    let last = runs - 1;
    let uri = format!("/api/v1/backfills/{id}?runs_offset={last}&batches_offset=1428");
    let d = get(&f.state, &uri).await.json();
    assert_eq!(
        d["runs"]["items"][0],
        serde_json::to_value(p.run(last)).unwrap()
    );
    assert_eq!(
        d["batches"]["items"][0],
        serde_json::to_value(p.batch(1428)).unwrap()
    );
}

#[tokio::test]
async fn a_plan_json_is_accepted_as_printed_by_backfill_plan() {
    let f = fixture(true);
    let mut body = plan(FLYTE, &PlanOptions::default()).plan.unwrap().to_json();
    body["title"] = json!("from the CLI");
    let a = submit(&f.state, &body).await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.text);
    assert_eq!(a.json()["run_count"], 9);
    assert_eq!(a.json()["engine"], "flyte");
    assert_eq!(a.json()["title"], "from the CLI");
    assert_eq!(counts(&f), (1, 9, 9));
}

#[tokio::test]
async fn the_engine_and_dialect_of_a_submission_are_honoured() {
    let f = fixture(true);
    // The flyte spec planned as kestra: both ends included.
    let options = PlanOptions {
        engine: Some(backfill_core::Engine::Kestra),
        ..PlanOptions::default()
    };
    let digest = plan(FLYTE, &options).plan.unwrap().digest();
    let body = json!({"source": FLYTE, "engine": "kestra", "dialect": "spec", "digest": digest});
    let a = submit(&f.state, &body).await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.text);
    assert_eq!(a.json()["engine"], "kestra");
    assert_eq!(a.json()["run_count"], 11);
    let body = json!({"source": FLYTE, "engine": "prefect", "digest": digest});
    let a = submit(&f.state, &body).await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(a.error()["message"]
        .as_str()
        .unwrap()
        .contains("unknown engine `prefect`"));
    assert_eq!(counts(&f).0, 1);
}

#[tokio::test]
async fn a_now_that_is_no_date_time_is_refused_before_planning() {
    let f = fixture(true);
    let body = json!({"source": FLYTE, "now": "soon", "digest": "0".repeat(64)});
    let a = submit(&f.state, &body).await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", a.text);
    assert!(a.error()["message"]
        .as_str()
        .unwrap()
        .contains("`now` is not a date-time: `soon`"));
    assert_eq!(counts(&f).0, 0);
}

#[tokio::test]
async fn a_pasted_flow_with_overrides_is_stored_with_them() {
    let f = fixture(true);
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../examples/pasted/kestra-outage.yaml"
    ))
    .unwrap();
    let options = PlanOptions {
        start: Some("2024-03-28T06:00:00Z".into()),
        end: Some("2024-03-28T08:00:00Z".into()),
        ..PlanOptions::default()
    };
    let p = plan(&text, &options).plan.unwrap();
    let body = json!({"source": text, "dialect": "", "engine": "", "now": "",
        "start": "2024-03-28T06:00:00Z", "end": "2024-03-28T08:00:00Z", "digest": p.digest()});
    let a = submit(&f.state, &body).await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.text);
    assert_eq!(a.json()["run_count"], p.run_count());
    let d = get(&f.state, a.json()["url"].as_str().unwrap())
        .await
        .json();
    assert_eq!(d["dialect"], "kestra");
    assert_eq!(d["source"]["start"], "2024-03-28T06:00:00Z");
    assert_eq!(d["source"]["end"], "2024-03-28T08:00:00Z");
    assert_eq!(d["source"]["text"], text);
    // Without the overrides the same digest does not match: they are part of the plan.
    let mut body = body;
    body["start"] = Value::Null;
    body["end"] = Value::Null;
    let a = submit(&f.state, &body).await;
    assert_eq!(a.status, StatusCode::CONFLICT, "{}", a.text);
}

#[tokio::test]
async fn another_digest_is_a_409_with_both_and_stores_nothing() {
    let f = fixture(true);
    let mut body = submission(DAGSTER, "t");
    body["digest"] = json!(digest_of(FLYTE));
    let a = submit(&f.state, &body).await;
    assert_eq!(a.status, StatusCode::CONFLICT);
    let e = a.error();
    assert_eq!(e["code"], "digest_mismatch");
    assert_eq!(e["submitted_digest"], digest_of(FLYTE));
    assert_eq!(e["computed_digest"], digest_of(DAGSTER));
    assert_eq!(counts(&f), (0, 0, 0));
}

#[tokio::test]
async fn an_invalid_plan_is_a_422_with_the_cores_diagnostics() {
    let f = fixture(true);
    let text = "engine: dagster\nschedule: {cron: \"61 * * * *\"}\n\
                window: {start: 2024-01-01, end: 2024-01-02}\n";
    let body = json!({"source": text, "digest": "0".repeat(64)});
    let a = submit(&f.state, &body).await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", a.text);
    let e = a.error();
    assert_eq!(e["code"], "invalid_plan");
    let diags = e["diagnostics"].as_array().unwrap();
    let cores = plan(text, &PlanOptions::default()).diagnostics;
    assert_eq!(e["diagnostics"], serde_json::to_value(&cores).unwrap());
    assert!(diags.iter().any(|d| d["severity"] == "error"));
    assert!(diags[0]["span"]["line"].is_number());
    assert_eq!(counts(&f), (0, 0, 0));
}

#[tokio::test]
async fn a_plan_over_the_run_limit_is_refused_with_its_count() {
    let f = fixture_with(true, |c| c.max_runs = 50);
    let body = json!({"source": DAGSTER, "digest": digest_of(DAGSTER)});
    let a = submit(&f.state, &body).await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", a.text);
    let e = a.error();
    assert_eq!(e["code"], "invalid_plan");
    assert!(e["diagnostics"].to_string().contains("100"), "{e}");
    assert_eq!(counts(&f), (0, 0, 0));
}

#[tokio::test]
async fn malformed_json_is_a_400_that_says_where() {
    let f = fixture(true);
    for (body, line, column) in [
        ("{\n  \"source\": \"x\",\n  \"digest\" 1\n}", 3, 12),
        ("", 1, 0),
        ("{\"source\": ", 1, 11),
    ] {
        let a = send(&f.state, post_json("/api/v1/backfills", body)).await;
        assert_eq!(a.status, StatusCode::BAD_REQUEST, "{body:?}: {}", a.text);
        let e = a.error();
        assert_eq!(e["code"], "malformed_json");
        assert_eq!(
            (e["line"].clone(), e["column"].clone()),
            (json!(line), json!(column)),
            "{body:?}"
        );
        assert!(e["message"]
            .as_str()
            .unwrap()
            .contains(&format!("line {line}")));
    }
    assert_eq!(counts(&f), (0, 0, 0));
}

#[tokio::test]
async fn json_that_is_not_a_submission_is_a_422() {
    let f = fixture(true);
    for body in [
        json!({"digest": digest_of(FLYTE)}),
        json!({"source": FLYTE}),
        json!({"source": ["x"], "digest": digest_of(FLYTE)}),
        json!({"source": FLYTE, "digest": "abc"}),
        json!({"source": FLYTE, "digest": digest_of(FLYTE), "labels": {"a": 1}}),
        json!({"source": FLYTE, "digest": digest_of(FLYTE), "title": "x".repeat(201)}),
        json!({"source": {"text": FLYTE}, "digest": digest_of(FLYTE)}),
        json!({"source": FLYTE, "digest": digest_of(FLYTE), "dialect": "cobol"}),
        json!([1, 2]),
    ] {
        let a = submit(&f.state, &body).await;
        assert_eq!(
            a.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body}: {}",
            a.text
        );
        assert_eq!(a.error()["code"], "invalid_submission");
    }
    assert_eq!(counts(&f), (0, 0, 0));
}

#[tokio::test]
async fn a_body_over_the_limit_is_a_413_in_the_json_shape() {
    let f = fixture_with(true, |c| c.body_limit = 1024);
    let mut body = submission(FLYTE, "t");
    body["labels"] = json!({"padding": "y".repeat(1000)});
    let a = submit(&f.state, &body).await;
    assert_eq!(a.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", a.text);
    let e = a.error();
    assert_eq!(e["code"], "body_too_large");
    assert_eq!(e["limit"], 1024);
    assert_eq!(counts(&f), (0, 0, 0));
    // Under the limit it is accepted.
    let a = submit(&f.state, &submission(FLYTE, "t")).await;
    assert_eq!(a.status, StatusCode::CREATED);
    assert_eq!(counts(&f), (1, 9, 9));
}

#[tokio::test]
async fn a_body_not_declared_as_json_is_a_415() {
    let f = fixture(true);
    for content_type in [
        Some("text/plain"),
        Some("application/x-www-form-urlencoded"),
        None,
    ] {
        let mut req = Request::post("/api/v1/backfills");
        if let Some(c) = content_type {
            req = req.header(header::CONTENT_TYPE, c);
        }
        let req = req
            .body(Body::from(submission(FLYTE, "t").to_string()))
            .unwrap();
        let a = send(&f.state, req).await;
        assert_eq!(
            a.status,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "{content_type:?}"
        );
        assert_eq!(a.error()["code"], "unsupported_media_type");
    }
    assert_eq!(counts(&f), (0, 0, 0));
    let req = Request::post("/api/v1/backfills")
        .header(header::CONTENT_TYPE, "application/json; charset=utf-8")
        .body(Body::from(submission(FLYTE, "t").to_string()))
        .unwrap();
    assert_eq!(send(&f.state, req).await.status, StatusCode::CREATED);
    assert_eq!(counts(&f).0, 1);
}

#[tokio::test]
async fn unknown_ids_are_404s_on_every_route() {
    let f = fixture(true);
    submit_ok(&f.state, FLYTE, "t").await;
    let unknown = "01M7YCRCB0N2002GGNQZ2NDN8Y";
    for uri in [
        format!("/api/v1/backfills/{unknown}"),
        "/api/v1/backfills/not-an-id".to_owned(),
        "/api/v1/backfills/%2E%2E%2Fetc".to_owned(),
    ] {
        let a = get(&f.state, &uri).await;
        assert_eq!(a.status, StatusCode::NOT_FOUND, "{uri}");
        assert_eq!(a.error()["code"], "not_found");
    }
    for action in ["pause", "resume", "cancel"] {
        let a = post(&f.state, &format!("/api/v1/backfills/{unknown}/{action}")).await;
        assert_eq!(a.status, StatusCode::NOT_FOUND, "{action}");
        assert_eq!(a.error()["code"], "not_found");
    }
    assert_eq!(counts(&f), (1, 9, 9));
}

#[tokio::test]
async fn wrong_methods_are_json_405s_with_allow() {
    let f = fixture(true);
    let id = submit_ok(&f.state, FLYTE, "t").await;
    for (method, uri, allow) in [
        (
            Method::PUT,
            format!("/api/v1/backfills/{id}"),
            "GET,HEAD,DELETE",
        ),
        (Method::PUT, "/api/v1/backfills".to_owned(), "GET,HEAD,POST"),
        (Method::GET, format!("/api/v1/backfills/{id}/pause"), "POST"),
        (Method::POST, "/api/v1/health".to_owned(), "GET,HEAD"),
    ] {
        let req = Request::builder()
            .method(method.clone())
            .uri(&uri)
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::empty())
            .unwrap();
        let a = send(&f.state, req).await;
        assert_eq!(a.status, StatusCode::METHOD_NOT_ALLOWED, "{method} {uri}");
        assert_eq!(a.error()["code"], "method_not_allowed");
        assert_eq!(a.headers[header::ALLOW], allow, "{method} {uri}");
    }
    assert_eq!(counts(&f), (1, 9, 9));
}

#[tokio::test]
async fn the_state_machine_allows_only_its_transitions() {
    let f = fixture(true);
    let id = submit_ok(&f.state, FLYTE, "t").await;
    let act = |action: &'static str| {
        let state = f.state.clone();
        let uri = format!("/api/v1/backfills/{id}/{action}");
        async move { post(&state, &uri).await }
    };
    let expect_conflict = |a: &Answer, current: &str| {
        assert_eq!(a.status, StatusCode::CONFLICT, "{}", a.text);
        let e = a.error();
        assert_eq!(e["code"], "invalid_transition");
        assert_eq!(e["current_state"], current);
    };
    expect_conflict(&act("resume").await, "pending");

    let a = act("pause").await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    assert_eq!(a.json()["status"], "paused");
    assert_eq!(a.json()["allowed_actions"], json!(["resume", "cancel"]));
    let a = act("pause").await;
    expect_conflict(&a, "paused");
    assert_eq!(a.error()["allowed_actions"], json!(["resume", "cancel"]));

    assert_eq!(act("resume").await.json()["status"], "pending");
    assert_eq!(act("pause").await.json()["status"], "paused");
    let a = act("cancel").await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(a.json()["status"], "cancelled");
    assert_eq!(a.json()["allowed_actions"], json!([]));
    for action in ["pause", "resume", "cancel"] {
        let a = act(action).await;
        expect_conflict(&a, "cancelled");
        assert_eq!(a.error()["allowed_actions"], json!([]));
    }
    let d = get(&f.state, &format!("/api/v1/backfills/{id}"))
        .await
        .json();
    assert_eq!(d["status"], "cancelled");
    assert!(d["updated_at"].as_str().unwrap() >= d["created_at"].as_str().unwrap());

    // A pending backfill can be cancelled directly.
    let id2 = submit_ok(&f.state, FLYTE, "u").await;
    let a = post(&f.state, &format!("/api/v1/backfills/{id2}/cancel")).await;
    assert_eq!(a.json()["status"], "cancelled");
    // Transitions never touch the stored plan.
    assert_eq!(counts(&f), (2, 18, 18));
}

#[tokio::test]
async fn the_list_pages_newest_first_and_filters() {
    let f = fixture(true);
    let mut ids = Vec::new();
    for i in 0..5 {
        let text = if i % 2 == 0 { FLYTE } else { DAGSTER };
        ids.push(submit_ok(&f.state, text, &format!("b{i}")).await);
    }
    post(&f.state, &format!("/api/v1/backfills/{}/pause", ids[1])).await;

    let titles = |p: &Value| -> Vec<String> {
        p["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["title"].as_str().unwrap().to_owned())
            .collect()
    };
    let page = get(&f.state, "/api/v1/backfills?limit=2").await.json();
    assert_eq!(titles(&page), ["b4", "b3"]);
    let cursor = page["next_cursor"].as_str().unwrap();
    let uri = format!("/api/v1/backfills?limit=2&cursor={cursor}");
    let page = get(&f.state, &uri).await.json();
    assert_eq!(titles(&page), ["b2", "b1"]);
    let cursor = page["next_cursor"].as_str().unwrap();
    let uri = format!("/api/v1/backfills?limit=2&cursor={cursor}");
    let page = get(&f.state, &uri).await.json();
    assert_eq!(titles(&page), ["b0"]);
    assert!(page["next_cursor"].is_null());
    let page = get(&f.state, "/api/v1/backfills?limit=0").await.json();
    assert_eq!(titles(&page), ["b4"], "the limit is at least 1");

    let page = get(&f.state, "/api/v1/backfills?status=paused")
        .await
        .json();
    assert_eq!(titles(&page), ["b1"]);
    assert_eq!(page["items"][0]["status"], "paused");
    let page = get(&f.state, "/api/v1/backfills?engine=dagster")
        .await
        .json();
    assert_eq!(titles(&page), ["b3", "b1"]);
    let uri = "/api/v1/backfills?engine=dagster&status=pending";
    let page = get(&f.state, uri).await.json();
    assert_eq!(titles(&page), ["b3"]);
    assert_eq!(page["items"][0]["run_count"], 100);
    assert_eq!(page["items"][0]["batch_count"], 10);
    let page = get(&f.state, "/api/v1/backfills?status=cancelled")
        .await
        .json();
    assert!(titles(&page).is_empty());
    assert!(page["next_cursor"].is_null());

    for bad in [
        "status=running",
        "engine=prefect",
        "cursor=abc",
        "cursor=-3",
        "limit=many",
    ] {
        let a = get(&f.state, &format!("/api/v1/backfills?{bad}")).await;
        assert_eq!(a.status, StatusCode::BAD_REQUEST, "{bad}: {}", a.text);
        assert_eq!(a.error()["code"], "bad_request");
    }
}

#[tokio::test]
async fn the_detail_pages_runs_and_batches_and_caps_the_limit() {
    let f = fixture(true);
    let id = submit_ok(&f.state, DAGSTER, "t").await;
    let uri = format!(
        "/api/v1/backfills/{id}?runs_offset=95&runs_limit=10&batches_offset=9&batches_limit=5"
    );
    let d = get(&f.state, &uri).await.json();
    let runs = d["runs"]["items"].as_array().unwrap();
    assert_eq!(runs.len(), 5);
    assert_eq!(runs[0]["index"], 95);
    assert_eq!(d["runs"]["offset"], 95);
    assert_eq!(d["runs"]["total"], 100);
    assert_eq!(d["batches"]["items"].as_array().unwrap().len(), 1);
    assert_eq!(d["batches"]["items"][0]["index"], 9);
    let uri = format!("/api/v1/backfills/{id}?runs_limit=5000&batches_limit=0");
    let d = get(&f.state, &uri).await.json();
    assert_eq!(d["runs"]["limit"], 1000);
    assert_eq!(d["runs"]["items"].as_array().unwrap().len(), 100);
    assert_eq!(d["batches"]["items"].as_array().unwrap().len(), 0);
    let a = get(&f.state, &format!("/api/v1/backfills/{id}?runs_offset=-1")).await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert_eq!(a.error()["code"], "bad_request");
}

fn with_key(key: &str, body: String) -> Request<Body> {
    Request::post("/api/v1/backfills")
        .header(header::CONTENT_TYPE, "application/json")
        .header("idempotency-key", key)
        .body(Body::from(body))
        .unwrap()
}

#[tokio::test]
async fn an_idempotency_key_returns_the_first_answer() {
    let f = fixture(true);
    let body = submission(DAGSTER, "once").to_string();
    let first = send(&f.state, with_key("k-1", body.clone())).await;
    assert_eq!(first.status, StatusCode::CREATED);
    assert!(first.headers.get("idempotent-replayed").is_none());
    // The same request, formatted otherwise: the same answer, marked as a replay.
    let reformatted = serde_json::to_string_pretty(&submission(DAGSTER, "once")).unwrap();
    let again = send(&f.state, with_key("k-1", reformatted)).await;
    assert_eq!(again.status, StatusCode::CREATED);
    assert_eq!(again.json(), first.json());
    assert_eq!(
        again.headers[header::LOCATION],
        first.headers[header::LOCATION]
    );
    assert_eq!(again.headers["idempotent-replayed"], "true");
    // Still the first answer after the backfill changed state.
    let id = first.json()["id"].as_str().unwrap().to_owned();
    post(&f.state, &format!("/api/v1/backfills/{id}/pause")).await;
    let later = send(&f.state, with_key("k-1", body.clone())).await;
    assert_eq!(later.json(), first.json());
    assert_eq!(counts(&f), (1, 10, 100));

    // The key with another request: 422, nothing stored.
    let other = submission(DAGSTER, "another title").to_string();
    let a = send(&f.state, with_key("k-1", other)).await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(a.error()["code"], "idempotency_key_reused");
    assert_eq!(counts(&f), (1, 10, 100));

    // Another key: another backfill. Malformed keys: 400.
    let a = send(&f.state, with_key("k-2", body.clone())).await;
    assert_eq!(a.status, StatusCode::CREATED);
    assert_ne!(a.json()["id"], first.json()["id"]);
    for bad in ["", &"k".repeat(256), "with space"] {
        let a = send(&f.state, with_key(bad, body.clone())).await;
        assert_eq!(a.status, StatusCode::BAD_REQUEST, "{bad:?}");
        assert_eq!(a.error()["code"], "bad_request");
    }
    // Without a key, the same request twice is two backfills.
    submit_ok(&f.state, DAGSTER, "once").await;
    submit_ok(&f.state, DAGSTER, "once").await;
    assert_eq!(counts(&f), (4, 40, 400));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_requests_with_one_key_store_one_backfill() {
    let f = fixture(true);
    let body = submission(DAGSTER, "raced").to_string();
    for round in 0..5 {
        let key = format!("race-{round}");
        // Every request is ready before any is sent.
        let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(8));
        let tasks: Vec<_> = (0..8)
            .map(|_| {
                let router = app(f.state.clone());
                let req = with_key(&key, body.clone());
                let barrier = barrier.clone();
                tokio::spawn(async move {
                    barrier.wait().await;
                    let res = router.oneshot(req).await.unwrap();
                    let status = res.status();
                    let replayed = res.headers().contains_key("idempotent-replayed");
                    let bytes = res.into_body().collect().await.unwrap().to_bytes();
                    let v: Value = serde_json::from_slice(&bytes).unwrap();
                    (status, replayed, v["id"].as_str().unwrap_or("").to_owned())
                })
            })
            .collect();
        let mut answers = Vec::new();
        for t in tasks {
            answers.push(t.await.unwrap());
        }
        assert!(
            answers.iter().all(|(s, _, _)| *s == StatusCode::CREATED),
            "{answers:?}"
        );
        assert!(
            answers.iter().all(|(_, _, id)| *id == answers[0].2),
            "{answers:?}"
        );
        assert_eq!(
            answers.iter().filter(|(_, replayed, _)| !replayed).count(),
            1,
            "exactly one answer created it: {answers:?}"
        );
    }
    assert_eq!(counts(&f), (5, 50, 500));
}

fn write(auth: Option<&str>, uri: &str, body: String) -> Request<Body> {
    let mut req = Request::post(uri).header(header::CONTENT_TYPE, "application/json");
    if let Some(a) = auth {
        req = req.header(header::AUTHORIZATION, a);
    }
    req.body(Body::from(body)).unwrap()
}

#[tokio::test]
async fn with_a_token_writes_and_reads_of_backfills_need_it_and_401_leaks_no_ids() {
    let f = fixture_with(true, |c| c.token = Some("s3cret".into()));
    let body = submission(FLYTE, "t").to_string();
    let uri = "/api/v1/backfills";
    for auth in [
        None,
        Some("Bearer wrong"),
        Some("Basic s3cret"),
        Some("Bearer s3cre"),
        Some("Bearer s3cret2"),
    ] {
        let a = send(&f.state, write(auth, uri, body.clone())).await;
        assert_eq!(a.status, StatusCode::UNAUTHORIZED, "{auth:?}");
        assert_eq!(a.error()["code"], "unauthorized");
        let challenge = a.headers[header::WWW_AUTHENTICATE].to_str().unwrap();
        assert!(challenge.starts_with("Bearer"), "{challenge}");
    }
    assert_eq!(counts(&f), (0, 0, 0));
    let a = send(&f.state, write(Some("Bearer s3cret"), uri, body.clone())).await;
    assert_eq!(a.status, StatusCode::CREATED);
    let id = a.json()["id"].as_str().unwrap().to_owned();
    let a = send(&f.state, write(Some("bearer s3cret"), uri, body.clone())).await;
    assert_eq!(
        a.status,
        StatusCode::CREATED,
        "the scheme is case-insensitive"
    );

    // Reads of backfills need it too (a pasted source can name internal hosts); health
    // and the OpenAPI document stay open.
    let detail = format!("/api/v1/backfills/{id}");
    for target in [uri, detail.as_str()] {
        assert_eq!(
            get(&f.state, target).await.status,
            StatusCode::UNAUTHORIZED,
            "{target}"
        );
        let req = Request::get(target)
            .header(header::AUTHORIZATION, "Bearer s3cret")
            .body(Body::empty())
            .unwrap();
        assert_eq!(send(&f.state, req).await.status, StatusCode::OK, "{target}");
    }
    for open in ["/api/v1/health", "/api/v1/openapi.json"] {
        assert_eq!(get(&f.state, open).await.status, StatusCode::OK, "{open}");
    }
    // Without the token, a known and an unknown id answer the same.
    let unknown = "01M7YCRCB0N2002GGNQZ2NDN8Y";
    for target in [id.as_str(), unknown] {
        let pause = format!("/api/v1/backfills/{target}/pause");
        let a = send(&f.state, write(None, &pause, String::new())).await;
        assert_eq!(a.status, StatusCode::UNAUTHORIZED);
    }
    let pause = format!("/api/v1/backfills/{unknown}/pause");
    let a = send(
        &f.state,
        write(Some("Bearer s3cret"), &pause, String::new()),
    )
    .await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);
    let pause = format!("/api/v1/backfills/{id}/pause");
    let a = send(
        &f.state,
        write(Some("Bearer s3cret"), &pause, String::new()),
    )
    .await;
    assert_eq!(a.status, StatusCode::OK);
    // An oversized body without the token is refused for the token, unread.
    let big = "x".repeat(f.state.config.body_limit + 1);
    let a = send(&f.state, write(None, uri, big)).await;
    assert_eq!(a.status, StatusCode::UNAUTHORIZED);
    assert_eq!(counts(&f), (2, 18, 18));
}

#[tokio::test]
async fn cors_answers_only_configured_origins() {
    let preflight = |origin: &str| {
        Request::builder()
            .method(Method::OPTIONS)
            .uri("/api/v1/backfills")
            .header(header::ORIGIN, origin)
            .header(header::ACCESS_CONTROL_REQUEST_METHOD, "POST")
            .header(
                header::ACCESS_CONTROL_REQUEST_HEADERS,
                "content-type,idempotency-key",
            )
            .body(Body::empty())
            .unwrap()
    };
    let allowed = "http://127.0.0.1:8081";
    let f = fixture_with(true, |c| {
        c.cors_origins = vec![backfill_server::parse_origin(allowed).unwrap()];
    });
    let a = send(&f.state, preflight(allowed)).await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(a.headers[header::ACCESS_CONTROL_ALLOW_ORIGIN], allowed);
    let methods = a.headers[header::ACCESS_CONTROL_ALLOW_METHODS]
        .to_str()
        .unwrap();
    assert!(methods.contains("POST"), "{methods}");
    let headers = a.headers[header::ACCESS_CONTROL_ALLOW_HEADERS]
        .to_str()
        .unwrap();
    assert!(headers.contains("idempotency-key"), "{headers}");
    let a = send(&f.state, preflight("http://evil.example")).await;
    assert!(a.headers.get(header::ACCESS_CONTROL_ALLOW_ORIGIN).is_none());
    let req = Request::get("/api/v1/backfills")
        .header(header::ORIGIN, allowed)
        .body(Body::empty())
        .unwrap();
    let a = send(&f.state, req).await;
    assert_eq!(a.headers[header::ACCESS_CONTROL_ALLOW_ORIGIN], allowed);
    let exposed = a.headers[header::ACCESS_CONTROL_EXPOSE_HEADERS]
        .to_str()
        .unwrap();
    assert!(exposed.contains("location"), "{exposed}");

    // Without configured origins: no CORS headers at all.
    let f = fixture(true);
    let a = send(&f.state, preflight(allowed)).await;
    assert!(a.headers.get(header::ACCESS_CONTROL_ALLOW_ORIGIN).is_none());
    assert_eq!(a.status, StatusCode::METHOD_NOT_ALLOWED);
}

#[tokio::test]
async fn the_openapi_document_is_served_and_matches_the_routes() {
    let f = fixture(true);
    let a = get(&f.state, "/api/v1/openapi.json").await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(a.headers[header::CONTENT_TYPE], "application/json");
    let doc = a.json();
    let kept = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../schemas/openapi.json"
    ))
    .unwrap();
    assert_eq!(
        doc,
        serde_json::from_str::<Value>(&kept).unwrap(),
        "the served document is the one in schemas/"
    );
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    assert_eq!(doc["info"]["version"], backfill_core::VERSION);
    assert_eq!(doc["servers"][0]["url"], "/api/v1");

    // Every documented operation is routed; every other method on a documented path
    // is a 405. (A documented path that is not routed would be a 404.)
    let paths = doc["paths"].as_object().unwrap();
    let methods = [
        Method::GET,
        Method::POST,
        Method::PUT,
        Method::PATCH,
        Method::DELETE,
    ];
    for (path, item) in paths {
        for method in &methods {
            // A backfill of its own for each call (one of them deletes it).
            let id = submit_ok(&f.state, FLYTE, "t").await;
            let uri = format!("/api/v1{}", path.replace("{id}", &id));
            let documented = item.get(method.as_str().to_ascii_lowercase()).is_some();
            let req = Request::builder()
                .method(method.clone())
                .uri(&uri)
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from("{}"))
                .unwrap();
            let a = send(&f.state, req).await;
            if documented {
                assert_ne!(a.status, StatusCode::METHOD_NOT_ALLOWED, "{method} {path}");
                assert_ne!(
                    a.status,
                    StatusCode::NOT_FOUND,
                    "{method} {path}: {}",
                    a.text
                );
            } else {
                assert_eq!(
                    a.status,
                    StatusCode::METHOD_NOT_ALLOWED,
                    "{method} {path} answers but is not documented"
                );
            }
        }
    }
    let documented: Vec<&str> = paths.keys().map(String::as_str).collect();
    assert_eq!(
        documented,
        [
            "/health",
            "/openapi.json",
            "/backfills",
            "/backfills/{id}",
            "/backfills/{id}/pause",
            "/backfills/{id}/resume",
            "/backfills/{id}/cancel"
        ]
    );
    // Undocumented neighbours are not routed.
    let id = submit_ok(&f.state, FLYTE, "t").await;
    for uri in [
        "/api/v1/backfills/{id}/start",
        "/api/v1/backfill",
        "/api/v1/plans",
    ] {
        let a = get(&f.state, &uri.replace("{id}", &id)).await;
        assert_eq!(a.status, StatusCode::NOT_FOUND, "{uri}");
    }
    // Every error code the server can send is in the document's enum, and no other.
    let error = &doc["components"]["schemas"]["Error"]["properties"]["error"];
    assert_eq!(error["properties"]["code"]["enum"], json!(AppError::CODES));
}

fn response_schema(doc: &Value, path: &str, method: &str, status: u16) -> jsonschema::Validator {
    let mut response = doc["paths"][path][method]["responses"][status.to_string()].clone();
    if let Some(r) = response["$ref"].as_str() {
        let name = r.trim_start_matches("#/components/responses/");
        response = doc["components"]["responses"][name].clone();
    }
    let schema = &response["content"]["application/json"]["schema"];
    assert!(schema.is_object(), "no schema for {method} {path} {status}");
    let root = json!({"$ref": schema["$ref"], "components": doc["components"]});
    jsonschema::draft202012::options()
        .offline()
        .build(&root)
        .unwrap_or_else(|e| panic!("{method} {path} {status}: {e}"))
}

#[tokio::test]
async fn answers_match_the_schemas_the_openapi_document_gives_them() {
    let f = fixture_with(true, |c| c.body_limit = 4096);
    let doc: Value = serde_json::from_str(OPENAPI).unwrap();
    let check = |a: &Answer, path: &str, method: &str| {
        let v = a.json();
        let validator = response_schema(&doc, path, method, a.status.as_u16());
        if let Err(e) = validator.validate(&v) {
            panic!(
                "{method} {path} {}: {e} at {}\n{}",
                a.status,
                e.instance_path(),
                a.text
            );
        }
    };
    check(&get(&f.state, "/api/v1/health").await, "/health", "get");

    let a = submit(&f.state, &submission(DAGSTER, "t")).await;
    check(&a, "/backfills", "post");
    let id = a.json()["id"].as_str().unwrap().to_owned();
    let mut body = plan(FLYTE, &PlanOptions::default()).plan.unwrap().to_json();
    body["labels"] = json!({"k": "v"});
    check(&submit(&f.state, &body).await, "/backfills", "post");
    // The submission schema accepts what the web app sends.
    let validator = jsonschema::draft202012::options()
        .offline()
        .build(&json!({"$ref": "#/components/schemas/Submission", "components": doc["components"]}))
        .unwrap();
    assert!(validator.is_valid(&submission(DAGSTER, "t")));

    check(
        &get(&f.state, "/api/v1/backfills").await,
        "/backfills",
        "get",
    );
    check(
        &get(&f.state, &format!("/api/v1/backfills/{id}?runs_limit=1000")).await,
        "/backfills/{id}",
        "get",
    );
    for action in ["pause", "resume", "cancel"] {
        let path = format!("/backfills/{{id}}/{action}");
        check(
            &post(&f.state, &format!("/api/v1/backfills/{id}/{action}")).await,
            &path,
            "post",
        );
    }
    check(
        &post(&f.state, &format!("/api/v1/backfills/{id}/pause")).await,
        "/backfills/{id}/pause",
        "post",
    );

    // Errors.
    let mut wrong = submission(DAGSTER, "t");
    wrong["digest"] = json!(digest_of(FLYTE));
    check(&submit(&f.state, &wrong).await, "/backfills", "post");
    check(
        &submit(
            &f.state,
            &json!({"source": "engine: nope", "digest": digest_of(FLYTE)}),
        )
        .await,
        "/backfills",
        "post",
    );
    check(
        &submit(&f.state, &json!({"source": FLYTE})).await,
        "/backfills",
        "post",
    );
    check(
        &send(&f.state, post_json("/api/v1/backfills", "{")).await,
        "/backfills",
        "post",
    );
    check(
        &send(&f.state, post_json("/api/v1/backfills", "x".repeat(5000))).await,
        "/backfills",
        "post",
    );
    check(
        &get(&f.state, "/api/v1/backfills?status=x").await,
        "/backfills",
        "get",
    );
    check(
        &get(&f.state, "/api/v1/backfills/01M7YCRCB0N2002GGNQZ2NDN8Y").await,
        "/backfills/{id}",
        "get",
    );
    let delete = Request::delete("/api/v1/backfills")
        .body(Body::empty())
        .unwrap();
    check(&send(&f.state, delete).await, "/backfills", "post");
}

#[tokio::test]
async fn a_foreign_host_is_answered_421_and_a_public_host_can_be_added() {
    // DNS rebinding: a page on evil.example resolving to 127.0.0.1 reaches the server with
    // its own name in `Host`; it must get neither the app nor the API.
    let f = fixture(true);
    for uri in ["/", "/api/v1/health", "/api/v1/backfills"] {
        let req = Request::get(uri)
            .header(header::HOST, "evil.example:8080")
            .body(Body::empty())
            .unwrap();
        let a = send(&f.state, req).await;
        assert_eq!(a.status, StatusCode::MISDIRECTED_REQUEST, "{uri}");
        assert_eq!(a.error()["code"], "misdirected_host");
        assert!(a.error()["message"]
            .as_str()
            .unwrap()
            .contains("--public-host evil.example"));
    }
    for host in ["127.0.0.1:8080", "localhost", "[::1]:9", "LOCALHOST:1"] {
        let req = Request::get("/api/v1/health")
            .header(header::HOST, host)
            .body(Body::empty())
            .unwrap();
        assert_eq!(send(&f.state, req).await.status, StatusCode::OK, "{host}");
    }
    let f = fixture_with(true, |c| c.hosts.push("plan.example.com".into()));
    let req = Request::get("/api/v1/health")
        .header(header::HOST, "plan.example.com")
        .body(Body::empty())
        .unwrap();
    assert_eq!(send(&f.state, req).await.status, StatusCode::OK);
}

#[tokio::test]
async fn writes_a_browser_could_send_from_another_site_are_refused() {
    let f = fixture(true);
    let id = submit_ok(&f.state, FLYTE, "t").await;
    let cancel = format!("/api/v1/backfills/{id}/cancel");
    // A cross-site HTML form can post, but not as JSON.
    let form = Request::post(&cancel)
        .header(header::HOST, "127.0.0.1:8080")
        .header(header::ORIGIN, "http://evil.example")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from("x=1"))
        .unwrap();
    let a = send(&f.state, form).await;
    assert_eq!(a.status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{}", a.text);
    let bare = Request::post(&cancel).body(Body::empty()).unwrap();
    assert_eq!(
        send(&f.state, bare).await.status,
        StatusCode::UNSUPPORTED_MEDIA_TYPE
    );
    // JSON from another site's page (its browser sends its Origin) is refused too.
    let foreign = Request::post(&cancel)
        .header(header::HOST, "127.0.0.1:8080")
        .header(header::ORIGIN, "http://evil.example")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from("{}"))
        .unwrap();
    let a = send(&f.state, foreign).await;
    assert_eq!(a.status, StatusCode::FORBIDDEN, "{}", a.text);
    assert_eq!(a.error()["code"], "cross_site");
    let d = get(&f.state, &format!("/api/v1/backfills/{id}"))
        .await
        .json();
    assert_eq!(d["status"], "pending", "nothing was cancelled");
    // The server's own page may write.
    let own = Request::post(&cancel)
        .header(header::HOST, "127.0.0.1:8080")
        .header(header::ORIGIN, "http://127.0.0.1:8080")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from("{}"))
        .unwrap();
    assert_eq!(send(&f.state, own).await.status, StatusCode::OK);
    // So may a configured CORS origin.
    let f = fixture_with(true, |c| {
        c.cors_origins = vec![HeaderValue::from_static("http://127.0.0.1:8081")];
    });
    let id = submit_ok(&f.state, FLYTE, "t").await;
    let req = Request::post(format!("/api/v1/backfills/{id}/pause"))
        .header(header::HOST, "127.0.0.1:8080")
        .header(header::ORIGIN, "http://127.0.0.1:8081")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from("{}"))
        .unwrap();
    assert_eq!(send(&f.state, req).await.status, StatusCode::OK);
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let f = fixture_with(false, |_| {});
    let dist = f.state.config.dist.clone();
    std::fs::create_dir_all(&dist).unwrap();
    let loader = "\nimport init from '/app.js';\nawait init();\n";
    std::fs::write(
        dist.join("index.html"),
        format!("<!doctype html><title>app</title><script type=\"module\">{loader}</script>"),
    )
    .unwrap();
    for uri in ["/", "/backfills/x", "/api/v1/health", "/api/v1/nope"] {
        let a = get(&f.state, uri).await;
        let csp = a.headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
        assert!(
            csp.contains("script-src 'self' 'wasm-unsafe-eval' 'sha256-"),
            "{uri}: {csp}"
        );
        assert!(
            !csp.contains("'unsafe-eval'") && csp.contains("frame-ancestors 'none'"),
            "{csp}"
        );
        assert_eq!(
            a.headers[header::X_CONTENT_TYPE_OPTIONS],
            "nosniff",
            "{uri}"
        );
        assert_eq!(a.headers[header::X_FRAME_OPTIONS], "DENY", "{uri}");
        assert_eq!(a.headers[header::REFERRER_POLICY], "no-referrer", "{uri}");
    }
    // The loader's hash is the one a browser computes over the script's text (Python's
    // base64(sha256(text)) of this loader).
    let a = get(&f.state, "/").await;
    let csp = a.headers[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        csp.contains("'sha256-mStLiw5ufhC4Rn65S+yuobFT1L6YIq0IsINW02YqTpc='"),
        "{csp}"
    );
}

#[tokio::test]
async fn a_wrong_digest_is_refused_before_the_writer_lock() {
    // Another writer holds the database (a long submission being stored): a large
    // submission with another digest must be answered 409 at once, not wait for the lock
    // (which would end in 503 after the busy timeout) — issue 11, item 9.
    let f = fixture(true);
    let holder = rusqlite::Connection::open(&f.db_path).unwrap();
    holder.execute_batch("BEGIN IMMEDIATE").unwrap();
    let mut body = submission(LARGE, "large");
    body["digest"] = json!(digest_of(FLYTE));
    // Waiting for the lock would end in 503 (busy); the digest is compared first.
    let a = submit(&f.state, &body).await;
    assert_eq!(a.status, StatusCode::CONFLICT, "{}", a.text);
    holder.execute_batch("ROLLBACK").unwrap();
    assert_eq!(counts(&f), (0, 0, 0));
}

#[tokio::test]
async fn idempotency_keys_expire_and_are_scoped_to_the_token() {
    let f = fixture_with(true, |c| c.token = Some("token-a".into()));
    let body = submission(DAGSTER, "once").to_string();
    let keyed = |token: &str| {
        let mut req = with_key("k-1", body.clone());
        req.headers_mut().insert(
            header::AUTHORIZATION,
            HeaderValue::from_str(&format!("Bearer {token}")).unwrap(),
        );
        req
    };
    let first = send(&f.state, keyed("token-a")).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.text);
    let again = send(&f.state, keyed("token-a")).await;
    assert_eq!(again.headers["idempotent-replayed"], "true");
    // Under another token the same key is another key.
    let mut rotated = f.state.clone();
    rotated.config.token = Some("token-b".into());
    let other = send(&rotated, keyed("token-b")).await;
    assert_eq!(other.status, StatusCode::CREATED);
    assert!(other.headers.get("idempotent-replayed").is_none());
    assert_ne!(other.json()["id"], first.json()["id"]);
    // Past its lifetime (a day by default) a key is free again; the old backfill stays.
    let db = rusqlite::Connection::open(&f.db_path).unwrap();
    db.execute(
        "UPDATE backfills SET created_at = '2000-01-01T00:00:00.000Z' WHERE public_id = ?1",
        [first.json()["id"].as_str().unwrap()],
    )
    .unwrap();
    let fresh = send(&f.state, keyed("token-a")).await;
    assert_eq!(fresh.status, StatusCode::CREATED);
    assert!(fresh.headers.get("idempotent-replayed").is_none());
    assert_ne!(fresh.json()["id"], first.json()["id"]);
    assert_eq!(counts(&f).0, 3);
}

#[tokio::test]
async fn an_operator_deletes_a_backfill_with_its_runs() {
    let f = fixture_with(true, |c| c.token = Some("s3cret".into()));
    let auth =
        |req: axum::http::request::Builder| req.header(header::AUTHORIZATION, "Bearer s3cret");
    let submit_req = auth(Request::post("/api/v1/backfills"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(submission(DAGSTER, "to delete").to_string()))
        .unwrap();
    let a = send(&f.state, submit_req).await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.text);
    let id = a.json()["id"].as_str().unwrap().to_owned();
    let keep = auth(Request::post("/api/v1/backfills"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(submission(FLYTE, "kept").to_string()))
        .unwrap();
    assert_eq!(send(&f.state, keep).await.status, StatusCode::CREATED);
    assert_eq!(counts(&f), (2, 19, 109));
    let uri = format!("/api/v1/backfills/{id}");
    // Without the token: 401, nothing deleted.
    let bare = Request::delete(&uri).body(Body::empty()).unwrap();
    assert_eq!(send(&f.state, bare).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(counts(&f).0, 2);
    // From another site's page: 403.
    let foreign = auth(Request::delete(&uri))
        .header(header::HOST, "127.0.0.1:8080")
        .header(header::ORIGIN, "http://evil.example")
        .body(Body::empty())
        .unwrap();
    assert_eq!(send(&f.state, foreign).await.status, StatusCode::FORBIDDEN);
    // With it: 204, and the backfill, its batches and runs are gone; the other stays whole.
    let del = auth(Request::delete(&uri)).body(Body::empty()).unwrap();
    let a = send(&f.state, del).await;
    assert_eq!(a.status, StatusCode::NO_CONTENT, "{}", a.text);
    assert_eq!(counts(&f), (1, 9, 9));
    let again = auth(Request::delete(&uri)).body(Body::empty()).unwrap();
    let a = send(&f.state, again).await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);
    assert_eq!(a.error()["code"], "not_found");
}

#[tokio::test]
async fn a_quota_of_stored_runs_is_a_507_that_says_how_to_free_it() {
    // DAGSTER has 100 runs, FLYTE 9: a quota of 150 takes one of each, not a second DAGSTER.
    let f = fixture_with(true, |c| c.max_stored_runs = Some(150));
    let id = submit_ok(&f.state, DAGSTER, "first").await;
    submit_ok(&f.state, FLYTE, "small").await;
    let a = submit(&f.state, &submission(DAGSTER, "second")).await;
    assert_eq!(a.status, StatusCode::INSUFFICIENT_STORAGE, "{}", a.text);
    let e = a.error();
    assert_eq!(e["code"], "storage_full");
    assert_eq!(e["stored_runs"], 109);
    assert_eq!(e["quota_runs"], 150);
    assert!(e["message"]
        .as_str()
        .unwrap()
        .contains("DELETE /api/v1/backfills/{id}"));
    assert_eq!(counts(&f).0, 2);
    // Deleting a backfill frees its runs.
    let del = Request::delete(format!("/api/v1/backfills/{id}"))
        .body(Body::empty())
        .unwrap();
    assert_eq!(send(&f.state, del).await.status, StatusCode::NO_CONTENT);
    let a = submit(&f.state, &submission(DAGSTER, "second")).await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.text);
}
