//! Formatting: RFC 3339, Python's `isoformat()` and `str()`, dates, and `strftime` as
//! Python's (for Dagster's partition keys).

use super::{Civil, OffsetSecs, Zone};
use std::fmt::Write as _;

/// How an offset of zero is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UtcAs {
    /// `Z` (RFC 3339's UTC designator).
    Z,
    /// `+00:00`, as Python's `isoformat()` writes it.
    Offset,
}

/// Write an offset as `+HH:MM` (or `Z` for a zero offset when `utc` says so).
pub(super) fn push_offset(out: &mut String, offset: OffsetSecs, utc: UtcAs) {
    if offset == 0 && utc == UtcAs::Z {
        out.push('Z');
        return;
    }
    let sign = if offset < 0 { '-' } else { '+' };
    let a = offset.unsigned_abs();
    let _ = write!(out, "{sign}{:02}:{:02}", a / 3600, a / 60 % 60);
    if !a.is_multiple_of(60) {
        let _ = write!(out, ":{:02}", a % 60);
    }
}

/// RFC 3339 with the offset: `2021-05-01T10:00:00+02:00` (a zero offset as `utc` says).
#[must_use]
pub fn format_rfc3339(instant: i64, offset: OffsetSecs, utc: UtcAs) -> String {
    let mut out = Civil::from_secs(instant + i64::from(offset)).to_string();
    push_offset(&mut out, offset, utc);
    out
}

/// Python's `datetime.isoformat()`: `2023-01-01T03:00:00`, or with `+00:00`.
#[must_use]
pub fn format_python_iso(civil: Civil, offset: Option<OffsetSecs>) -> String {
    let mut out = civil.to_string();
    if let Some(o) = offset {
        push_offset(&mut out, o, UtcAs::Offset);
    }
    out
}

/// Python's `str(datetime)`: `2023-01-02 00:00:00`, or with `+05:30`.
#[must_use]
pub fn format_python_str(civil: Civil, offset: Option<OffsetSecs>) -> String {
    format_python_iso(civil, offset).replacen('T', " ", 1)
}

/// The date part `YYYY-MM-DD`.
#[must_use]
pub fn format_date(civil: Civil) -> String {
    let (y, m, d) = civil.date();
    format!("{y:04}-{m:02}-{d:02}")
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const WEEKDAYS: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];

/// Python's `strftime` for the directives partition formats use: `%Y %y %m %d %H %I %M
/// %S %p %j %a %A %b %B %z %Z %%` (unknown directives are kept as written).
#[must_use]
pub fn strftime(civil: Civil, offset: OffsetSecs, zone: Zone, fmt: &str) -> String {
    let (y, mo, d) = civil.date();
    let (hh, mm, ss) = civil.time();
    let mut out = String::with_capacity(fmt.len() + 8);
    let mut chars = fmt.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let Some(dir) = chars.next() else {
            out.push('%');
            break;
        };
        let month = MONTHS[(mo as usize + 11) % 12];
        let weekday = WEEKDAYS[civil.weekday() as usize % 7];
        let _ = match dir {
            'Y' => write!(out, "{y:04}"),
            'y' => write!(out, "{:02}", y.rem_euclid(100)),
            'm' => write!(out, "{mo:02}"),
            'd' => write!(out, "{d:02}"),
            'H' => write!(out, "{hh:02}"),
            'I' => write!(out, "{:02}", if hh % 12 == 0 { 12 } else { hh % 12 }),
            'p' => write!(out, "{}", if hh < 12 { "AM" } else { "PM" }),
            'M' => write!(out, "{mm:02}"),
            'S' => write!(out, "{ss:02}"),
            'j' => {
                let start = Civil::from_ymd(y, 1, 1).map_or(0, Civil::days);
                write!(out, "{:03}", civil.days() - start + 1)
            }
            'a' => write!(out, "{}", &weekday[..3]),
            'A' => write!(out, "{weekday}"),
            'b' => write!(out, "{}", &month[..3]),
            'B' => write!(out, "{month}"),
            'z' => {
                let sign = if offset < 0 { '-' } else { '+' };
                let a = offset.unsigned_abs();
                // Python's `%z` writes the seconds of an offset that has them (local
                // mean time before ~1900: `+100452`).
                if a.is_multiple_of(60) {
                    write!(out, "{sign}{:02}{:02}", a / 3600, a / 60 % 60)
                } else {
                    write!(out, "{sign}{:02}{:02}{:02}", a / 3600, a / 60 % 60, a % 60)
                }
            }
            'Z' => write!(out, "{}", zone.name()),
            '%' => write!(out, "%"),
            other => write!(out, "%{other}"),
        };
    }
    out
}
