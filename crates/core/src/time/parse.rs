//! Parsing what users write: dates, date-times with or without an offset, durations.

use super::{Civil, Local, OffsetSecs, Zone};

/// A date or date-time as written by the user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Moment {
    /// The wall-clock reading as written.
    pub civil: Civil,
    /// The offset written with it (`Z` is 0), if any.
    pub offset: Option<OffsetSecs>,
    /// Whether only a date was written (`2021-05-01`).
    pub date_only: bool,
    /// Sub-second digits written, in nanoseconds (they are dropped: runs are to the second).
    pub nanos: u32,
}

impl Moment {
    /// The instant, reading a naive value in `zone` (the earlier one in a fold; the
    /// instant after the gap for a civil time that does not exist).
    #[must_use]
    pub fn instant_in(&self, zone: Zone) -> i64 {
        match self.offset {
            Some(o) => self.civil.secs() - i64::from(o),
            None => {
                let guess = self.civil.secs();
                let mut r = zone.resolver(guess - 86_400, guess + 86_400);
                match r.resolve(self.civil) {
                    Local::Single(t, _) => t,
                    Local::Gap { after, .. } => after,
                    Local::Fold { earlier, .. } => earlier.0,
                }
            }
        }
    }
}

impl Moment {
    /// The instant as Python reads an aware `datetime(wall, tzinfo=zone)` (fold 0): the
    /// first pass of a repeated time, and for a wall time in a gap the offset before
    /// the gap (an instant after it).
    #[must_use]
    pub fn instant_python(&self, zone: Zone) -> i64 {
        match self.offset {
            Some(o) => self.civil.secs() - i64::from(o),
            None => {
                let guess = self.civil.secs();
                let mut r = zone.resolver(guess - 86_400, guess + 86_400);
                match r.resolve(self.civil) {
                    Local::Single(t, _) => t,
                    Local::Gap { after, .. } => {
                        self.civil.secs() - i64::from(r.offset_at(after - 1))
                    }
                    Local::Fold { earlier, .. } => earlier.0,
                }
            }
        }
    }
}

/// Why a date-time string was not understood.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeError {
    /// One line, lower-case.
    pub message: String,
}

/// Parse `2021-05-01`, `2021-05-01T10:00`, `2021-05-01 10:00:00`, with optional
/// fractional seconds and an optional offset (`Z`, `+02:00`, `+0200`, `+02`).
///
/// ```
/// use backfill_core::parse_moment;
/// let m = parse_moment("2024-03-28T06:30:00.000Z").unwrap();
/// assert_eq!(m.offset, Some(0));
/// assert_eq!(m.civil.to_string(), "2024-03-28T06:30:00");
/// assert!(parse_moment("2021-02-30").is_err());
/// ```
pub fn parse_moment(s: &str) -> Result<Moment, TimeError> {
    let err = |m: &str| TimeError {
        message: m.to_owned(),
    };
    let b = s.trim().as_bytes();
    let num = |from: usize, len: usize| -> Option<u32> {
        let part = b.get(from..from + len)?;
        if !part.iter().all(u8::is_ascii_digit) {
            return None;
        }
        std::str::from_utf8(part).ok()?.parse().ok()
    };
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
        return Err(err(
            "expected a date `YYYY-MM-DD` or a date-time `YYYY-MM-DDTHH:MM[:SS][offset]`",
        ));
    }
    let (Some(y), Some(mo), Some(d)) = (num(0, 4), num(5, 2), num(8, 2)) else {
        return Err(err(
            "expected a date `YYYY-MM-DD` or a date-time `YYYY-MM-DDTHH:MM[:SS][offset]`",
        ));
    };
    let year = i32::try_from(y).unwrap_or(0);
    if Civil::from_ymd(year, mo, d).is_none() {
        return Err(err(&format!("there is no day {y:04}-{mo:02}-{d:02}")));
    }
    let mut m = Moment {
        civil: Civil::from_ymd(year, mo, d).unwrap_or(Civil::from_secs(0)),
        offset: None,
        date_only: true,
        nanos: 0,
    };
    let mut i = 10;
    if i == b.len() {
        return Ok(m);
    }
    if b[i] != b'T' && b[i] != b't' && b[i] != b' ' {
        return Err(err("expected `T` or a space between the date and the time"));
    }
    i += 1;
    let (Some(hh), true, Some(mm)) = (num(i, 2), b.get(i + 2) == Some(&b':'), num(i + 3, 2)) else {
        return Err(err("expected the time as `HH:MM` or `HH:MM:SS`"));
    };
    i += 5;
    let mut ss = 0;
    if b.get(i) == Some(&b':') {
        ss = num(i + 1, 2).ok_or_else(|| err("expected two digits of seconds after `HH:MM:`"))?;
        i += 3;
        if b.get(i) == Some(&b'.') || b.get(i) == Some(&b',') {
            i += 1;
            let start = i;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            if i == start || i - start > 9 {
                return Err(err("expected 1 to 9 digits of fractional seconds"));
            }
            let digits = std::str::from_utf8(&b[start..i]).unwrap_or("0");
            let scale = 10u32.pow(9 - u32::try_from(i - start).unwrap_or(9));
            m.nanos = digits.parse::<u32>().unwrap_or(0) * scale;
        }
    }
    m.civil = Civil::from_ymd_hms(year, mo, d, hh, mm, ss)
        .ok_or_else(|| err(&format!("there is no time {hh:02}:{mm:02}:{ss:02}")))?;
    m.date_only = false;
    if i == b.len() {
        return Ok(m);
    }
    match b[i] {
        b'Z' | b'z' if i + 1 == b.len() => m.offset = Some(0),
        sign @ (b'+' | b'-') => {
            let rest = &b[i + 1..];
            let (oh, om) = match rest.len() {
                2 => (num(i + 1, 2), Some(0)),
                4 => (num(i + 1, 2), num(i + 3, 2)),
                5 if rest[2] == b':' => (num(i + 1, 2), num(i + 4, 2)),
                _ => (None, None),
            };
            let (Some(oh), Some(om)) = (oh, om) else {
                return Err(err(
                    "expected the offset as `Z`, `+HH:MM`, `+HHMM` or `+HH`",
                ));
            };
            if oh > 23 || om > 59 {
                return Err(err("the offset is out of range (at most ±23:59)"));
            }
            let secs = i32::try_from(oh * 3600 + om * 60).unwrap_or(0);
            m.offset = Some(if sign == b'-' { -secs } else { secs });
        }
        _ => {
            return Err(err(
                "unexpected text after the time; expected an offset such as `Z` or `+02:00`",
            ))
        }
    }
    Ok(m)
}

/// Parse a duration: whole seconds (`3600`), units (`45s`, `30m`, `1h30m`, `2d`, `1w`),
/// ISO 8601 (`PT1H`, `P1DT12H`, `P2W`) or a clock (`01:00:00`). Returns seconds.
///
/// ```
/// use backfill_core::parse_duration;
/// assert_eq!(parse_duration("1h30m"), Some(5400));
/// assert_eq!(parse_duration("PT1H"), Some(3600));
/// assert_eq!(parse_duration("01:00:00"), Some(3600));
/// assert_eq!(parse_duration("1 fortnight"), None);
/// ```
#[must_use]
pub fn parse_duration(s: &str) -> Option<i64> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    if let Ok(n) = s.parse::<i64>() {
        return Some(n);
    }
    if let Some(iso) = s.strip_prefix('P').or_else(|| s.strip_prefix('p')) {
        return parse_iso_duration(iso);
    }
    if s.contains(':') {
        let parts: Vec<&str> = s.split(':').collect();
        if parts.len() != 3 {
            return None;
        }
        let mut total = 0i64;
        for p in parts {
            if p.is_empty() || !p.bytes().all(|c| c.is_ascii_digit()) {
                return None;
            }
            total = total.checked_mul(60)?.checked_add(p.parse::<i64>().ok()?)?;
        }
        return Some(total);
    }
    let (neg, body) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s),
    };
    let mut total = 0i64;
    let mut digits = String::new();
    let mut seen_unit = false;
    let mut chars = body.chars().peekable();
    while let Some(c) = chars.next() {
        if c.is_ascii_digit() {
            digits.push(c);
            continue;
        }
        if c == ' ' {
            continue;
        }
        let mut unit = c.to_string();
        while let Some(&n) = chars.peek() {
            if n.is_ascii_alphabetic() {
                unit.push(n);
                chars.next();
            } else {
                break;
            }
        }
        let n: i64 = digits.parse().ok()?;
        digits.clear();
        let secs = match unit.to_ascii_lowercase().as_str() {
            "s" | "sec" | "secs" | "second" | "seconds" => 1,
            "m" | "min" | "mins" | "minute" | "minutes" => 60,
            "h" | "hr" | "hrs" | "hour" | "hours" => 3600,
            "d" | "day" | "days" => 86_400,
            "w" | "week" | "weeks" => 604_800,
            _ => return None,
        };
        total = total.checked_add(n.checked_mul(secs)?)?;
        seen_unit = true;
    }
    if !digits.is_empty() || !seen_unit {
        return None;
    }
    Some(if neg { -total } else { total })
}

fn parse_iso_duration(s: &str) -> Option<i64> {
    let mut total = 0i64;
    let mut in_time = false;
    let mut digits = String::new();
    let mut any = false;
    for c in s.chars() {
        match c {
            'T' | 't' => {
                if in_time || !digits.is_empty() {
                    return None;
                }
                in_time = true;
            }
            '0'..='9' => digits.push(c),
            _ => {
                let n: i64 = digits.parse().ok()?;
                digits.clear();
                let unit = match (in_time, c.to_ascii_uppercase()) {
                    (false, 'W') => 604_800,
                    (false, 'D') => 86_400,
                    (true, 'H') => 3600,
                    (true, 'M') => 60,
                    (true, 'S') => 1,
                    _ => return None,
                };
                total = total.checked_add(n.checked_mul(unit)?)?;
                any = true;
            }
        }
    }
    (any && digits.is_empty()).then_some(total)
}
