//! What every request shares: the store and the configuration. The routes (`http.rs`)
//! and the handlers (`api.rs`) both read it; neither imports the other for it.

use crate::db::Db;
use axum::http::HeaderValue;
use std::path::PathBuf;

/// The default request body limit: 8 MiB.
pub const DEFAULT_BODY_LIMIT: usize = 8 * 1024 * 1024;

/// What the server is configured with.
#[derive(Debug, Clone)]
pub struct Config {
    /// Where the release build of the web app lives (`dist/`).
    pub dist: PathBuf,
    /// The bearer token required on writes, if any.
    pub token: Option<String>,
    /// The largest request body accepted, in bytes.
    pub body_limit: usize,
    /// Origins allowed to call the API from a browser (CORS); none: same origin only.
    pub cors_origins: Vec<HeaderValue>,
    /// The most runs a submitted plan may have.
    pub max_runs: u64,
    /// The host names this server answers for (a request with another `Host` is refused:
    /// DNS rebinding). Loopback names by default; `--public-host` adds.
    pub hosts: Vec<String>,
    /// How long an `Idempotency-Key` is answered with its first backfill, in seconds.
    pub idempotency_ttl_secs: u64,
    /// The most runs stored in all, if bounded (beyond it a submission gets 507).
    pub max_stored_runs: Option<u64>,
}

/// The default lifetime of an `Idempotency-Key`: a day.
pub const DEFAULT_IDEMPOTENCY_TTL_SECS: u64 = 86_400;

/// The host names answered by default: loopback's.
pub const LOOPBACK_HOSTS: [&str; 3] = ["127.0.0.1", "localhost", "[::1]"];

impl Config {
    /// Defaults: no token, an 8 MiB body limit, no CORS, the core's run limit.
    #[must_use]
    pub fn new(dist: PathBuf) -> Config {
        Config {
            dist,
            token: None,
            body_limit: DEFAULT_BODY_LIMIT,
            cors_origins: Vec::new(),
            max_runs: backfill_core::DEFAULT_LIMIT,
            hosts: LOOPBACK_HOSTS.iter().map(|h| (*h).to_owned()).collect(),
            idempotency_ttl_secs: DEFAULT_IDEMPOTENCY_TTL_SECS,
            max_stored_runs: None,
        }
    }
}

/// Check an origin for `--cors-origin`: `scheme://host[:port]`, nothing after.
///
/// # Errors
/// A message saying what is wrong with it.
pub fn parse_origin(origin: &str) -> Result<HeaderValue, String> {
    let origin = origin.trim();
    let rest = origin
        .strip_prefix("http://")
        .or_else(|| origin.strip_prefix("https://"))
        .ok_or_else(|| format!("CORS origin `{origin}` must start with http:// or https://"))?;
    if rest.is_empty() || rest.contains('/') || rest.contains('*') {
        return Err(format!(
            "CORS origin `{origin}` must be scheme://host[:port], with no path, slash or wildcard"
        ));
    }
    HeaderValue::from_str(origin).map_err(|e| format!("CORS origin `{origin}`: {e}"))
}

/// Shared state of every request.
#[derive(Debug, Clone)]
pub struct AppState {
    /// The store.
    pub db: Db,
    /// The configuration.
    pub config: Config,
}

/// The token in a file (`--token-file`): its first line, trimmed, so the token need not
/// appear in `ps` or the environment.
///
/// # Errors
/// When the file cannot be read or holds no token.
pub fn read_token_file(path: &std::path::Path) -> Result<String, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read the token file {}: {e}", path.display()))?;
    let token = text.lines().next().unwrap_or("").trim().to_owned();
    if token.is_empty() {
        return Err(format!("the token file {} is empty", path.display()));
    }
    Ok(token)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_file_gives_its_first_line() {
        let dir = std::env::temp_dir().join(format!("backfill-token-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let f = dir.join("token");
        std::fs::write(&f, "  s3cret \nignored\n").unwrap();
        assert_eq!(read_token_file(&f).unwrap(), "s3cret");
        std::fs::write(&f, "\n").unwrap();
        assert!(read_token_file(&f).unwrap_err().contains("is empty"));
        assert!(read_token_file(&dir.join("missing"))
            .unwrap_err()
            .contains("cannot read"));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
