//! Router tests: requests against `app(state)` with a real SQLite file in a temp dir.
#![allow(clippy::unwrap_used)]

use axum::body::Body;
use axum::http::{Request, StatusCode};
use backfill_server::{app, AppState, Config, Db};
use http_body_util::BodyExt;
use tower::ServiceExt;

struct Fixture {
    _dir: tempfile::TempDir,
    state: AppState,
}

fn fixture(with_dist: bool) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let dist = dir.path().join("dist");
    if with_dist {
        std::fs::create_dir_all(&dist).unwrap();
        std::fs::write(dist.join("index.html"), "<!doctype html><title>app</title>").unwrap();
        std::fs::write(dist.join("app.js"), "console.log(1)").unwrap();
    }
    let db = Db::open(&dir.path().join("test.db")).unwrap();
    let state = AppState {
        db,
        config: Config { dist, token: None },
    };
    Fixture { _dir: dir, state }
}

async fn get(state: &AppState, uri: &str) -> (StatusCode, String) {
    let res = app(state.clone())
        .oneshot(Request::get(uri).body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = res.status();
    let body = res.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8_lossy(&body).into_owned())
}

#[tokio::test]
async fn health_reports_version_and_database() {
    let f = fixture(true);
    let (status, body) = get(&f.state, "/api/v1/health").await;
    assert_eq!(status, StatusCode::OK);
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["status"], "ok");
    assert_eq!(v["version"], backfill_core::VERSION);
    assert_eq!(v["database"]["state"], "ok");
    assert_eq!(v["database"]["schema_version"], 1);
}

#[tokio::test]
async fn deep_links_are_answered_with_index_html() {
    let f = fixture(true);
    let (status, body) = get(&f.state, "/backfills/42").await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("<title>app</title>"));
    let (status, body) = get(&f.state, "/app.js").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, "console.log(1)");
}

#[tokio::test]
async fn unknown_api_routes_are_json_404s() {
    let f = fixture(true);
    let (status, body) = get(&f.state, "/api/v1/nope").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["error"]["code"], "not_found");
    assert_eq!(v["error"]["status"], 404);
}

#[tokio::test]
async fn a_missing_build_says_how_to_make_it() {
    let f = fixture(false);
    let (status, body) = get(&f.state, "/").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(body.contains("not built"));
    let (status, _) = get(&f.state, "/api/v1/health").await;
    assert_eq!(status, StatusCode::OK);
}
