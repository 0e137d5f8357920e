//! The server's clock and the public ids of backfills. (The core never reads the clock;
//! the server may.)
//!
//! A public id is 26 characters of Crockford base32 (`0-9`, `A-Z` without `I L O U`):
//! 48 bits of milliseconds since 1970 then 80 random bits, so ids sort by creation time
//! and cannot be guessed from one another. The database's integer key stays inside.

use backfill_core::Civil;
use std::time::{SystemTime, UNIX_EPOCH};

const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// Length of a public id.
pub const ID_LEN: usize = 26;

fn since_epoch() -> std::time::Duration {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
}

/// Now, as RFC 3339 UTC with milliseconds: `2026-11-21T06:25:39.123Z`.
#[must_use]
pub fn timestamp() -> String {
    let d = since_epoch();
    let secs = i64::try_from(d.as_secs()).unwrap_or(0);
    format!("{}.{:03}Z", Civil::from_secs(secs), d.subsec_millis())
}

/// `secs` seconds ago, in [`timestamp`]'s format (so the two compare as text).
#[must_use]
pub fn timestamp_ago(secs: u64) -> String {
    let d = since_epoch().saturating_sub(std::time::Duration::from_secs(secs));
    let s = i64::try_from(d.as_secs()).unwrap_or(0);
    format!("{}.{:03}Z", Civil::from_secs(s), d.subsec_millis())
}

/// Now, as RFC 3339 UTC to the second: what the core gets as "now" when a submission
/// gives none.
#[must_use]
pub fn clock_now() -> backfill_core::Now {
    backfill_core::Now::at(i64::try_from(since_epoch().as_secs()).unwrap_or(0))
}

/// A new public id.
///
/// # Errors
/// When the operating system has no randomness to give.
pub fn new_id() -> Result<String, getrandom::Error> {
    let millis = u64::try_from(since_epoch().as_millis()).unwrap_or(u64::MAX) & ((1 << 48) - 1);
    let mut random = [0u8; 10];
    getrandom::fill(&mut random)?;
    let mut value = u128::from(millis) << 80;
    for (i, b) in random.iter().enumerate() {
        value |= u128::from(*b) << (8 * (9 - i));
    }
    // 26 characters × 5 bits = 130 bits: the top two are zero.
    let mut out = [0u8; ID_LEN];
    for (i, c) in out.iter_mut().enumerate() {
        let shift = 5 * (ID_LEN - 1 - i);
        *c = ALPHABET[usize::try_from((value >> shift) & 31).unwrap_or(0)];
    }
    Ok(out.iter().map(|&b| char::from(b)).collect())
}

/// Whether `s` could be a public id (checked before touching the database).
#[must_use]
pub fn looks_like_id(s: &str) -> bool {
    s.len() == ID_LEN && s.bytes().all(|b| ALPHABET.contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_well_formed_distinct_and_ordered_by_time() {
        let a = new_id().unwrap();
        std::thread::sleep(std::time::Duration::from_millis(2));
        let b = new_id().unwrap();
        assert!(looks_like_id(&a) && looks_like_id(&b));
        assert_ne!(a, b);
        assert!(a[..10] < b[..10], "{a} then {b}");
    }

    #[test]
    fn ids_are_checked_by_shape() {
        assert!(!looks_like_id("01JD3Z8Q4G8V7Y2X1W0T9S8R7"));
        assert!(!looks_like_id("01JD3Z8Q4G8V7Y2X1W0T9S8R7I"));
        assert!(!looks_like_id("../../etc/passwd"));
    }

    #[test]
    fn timestamps_are_rfc3339_utc_with_millis() {
        let t = timestamp();
        assert_eq!(t.len(), 24, "{t}");
        assert!(t.ends_with('Z') && t.as_bytes()[19] == b'.');
    }
}
