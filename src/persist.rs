//! What the page keeps: the planner's whole state as a share link (`#s=`: JSON, deflated,
//! base64url) and as the last draft in local storage, and the backend settings.
//!
//! The state travels in the URL's fragment, which browsers never send to a server: a
//! pasted flow stays out of access logs, and a long text meets no server URL limit.
//! The token is kept in local storage only, never in a link.

use serde::{Deserialize, Serialize};

/// The fragment's key: `#s=<state>`.
const FRAGMENT_KEY: &str = "#s=";
/// Local storage: the last state of the planner.
const DRAFT_KEY: &str = "backfill-planner:draft";
/// Local storage: the backend's base URL (empty: the page's origin).
const ENDPOINT_KEY: &str = "backfill-planner:endpoint";
/// Local storage: the bearer token for writes.
const TOKEN_KEY: &str = "backfill-planner:token";
/// The largest state a link may inflate to (a pasted text is far smaller).
const MAX_STATE_BYTES: usize = 4 << 20;

/// The planner's whole state, as shared and as kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Saved {
    /// Format version.
    pub v: u32,
    /// The editor's text.
    pub text: String,
    /// The dialect picked (its name), or none: detect it.
    #[serde(default)]
    pub dialect: Option<String>,
    /// The engine picked (its name), or none: as the input says.
    #[serde(default)]
    pub engine: Option<String>,
    /// "Now" the plan was made with (RFC 3339).
    pub now: backfill_core::Now,
    /// The plan view (`runs`, `batches`, `timeline`, `compare`).
    #[serde(default)]
    pub tab: String,
    /// The input view (`text`, `form`).
    #[serde(default)]
    pub mode: String,
    /// The backfill's window for a text that does not hold one (an Airflow DAG file):
    /// `from_date` and `to_date`, empty when not given.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub start: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub end: String,
}

/// The state as a link's fragment (`#s=…`).
#[must_use]
pub fn to_fragment(saved: &Saved) -> String {
    let json = serde_json::to_vec(saved).unwrap_or_default();
    let packed = miniz_oxide::deflate::compress_to_vec(&json, 9);
    format!("{FRAGMENT_KEY}{}", base64url_encode(&packed))
}

/// The state in a link's fragment; `None` when there is none, an error when it is
/// unreadable.
pub fn from_fragment(hash: &str) -> Option<Result<Saved, String>> {
    let data = hash.strip_prefix(FRAGMENT_KEY)?;
    Some(decode(data))
}

fn decode(data: &str) -> Result<Saved, String> {
    let packed = base64url_decode(data).ok_or("the link is not base64url")?;
    let json = miniz_oxide::inflate::decompress_to_vec_with_limit(&packed, MAX_STATE_BYTES)
        .map_err(|_| "the link's state is damaged or incomplete")?;
    serde_json::from_slice(&json).map_err(|e| format!("the link's state is not understood: {e}"))
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

fn read(key: &str) -> Option<String> {
    storage()?.get_item(key).ok().flatten()
}

fn write(key: &str, value: &str) {
    if let Some(s) = storage() {
        let _ = s.set_item(key, value);
    }
}

fn remove(key: &str) {
    if let Some(s) = storage() {
        let _ = s.remove_item(key);
    }
}

/// The last draft, if one was kept.
#[must_use]
pub fn load_draft() -> Option<Saved> {
    serde_json::from_str(&read(DRAFT_KEY)?).ok()
}

/// Keep `saved` as the draft.
pub fn save_draft(saved: &Saved) {
    if let Ok(json) = serde_json::to_string(saved) {
        write(DRAFT_KEY, &json);
    }
}

/// Forget the draft.
pub fn clear_draft() {
    remove(DRAFT_KEY);
}

/// The backend's base URL (empty: the page's origin).
#[must_use]
pub fn load_endpoint() -> String {
    read(ENDPOINT_KEY).unwrap_or_default()
}

/// Keep the backend's base URL.
pub fn save_endpoint(value: &str) {
    write(ENDPOINT_KEY, value);
}

/// The bearer token (empty: none).
#[must_use]
pub fn load_token() -> String {
    read(TOKEN_KEY).unwrap_or_default()
}

/// Keep the bearer token.
pub fn save_token(value: &str) {
    write(TOKEN_KEY, value);
}

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Base64url without padding (RFC 4648 §5).
fn base64url_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | (u32::from(b) << (16 - 8 * i)));
        for i in 0..=chunk.len() {
            out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
        }
    }
    out
}

/// Base64url, with or without padding; `None` on any other character.
fn base64url_decode(text: &str) -> Option<Vec<u8>> {
    let text = text.trim_end_matches('=');
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in text.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'-' | b'+' => 62,
            b'_' | b'/' => 63,
            _ => return None,
        };
        acc = ((acc << 6) | u32::from(v)) & 0xff_ffff;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push(((acc >> bits) & 0xff) as u8);
        }
    }
    Some(out)
}
