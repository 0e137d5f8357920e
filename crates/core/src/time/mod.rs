//! Time: zones, daylight-saving time, parsing and formatting.
//!
//! This is the only module that names the date/time crates (chrono and chrono-tz);
//! everything else uses its types:
//!
//! - [`Civil`]: a wall-clock time with no zone (what cron expressions match);
//! - an *instant*: seconds since the Unix epoch, UTC, as a plain `i64`;
//! - [`Zone`]: an IANA time zone, which maps instants to civil times and back.
//!
//! ## Gaps and folds
//! Going from civil time to an instant is where daylight-saving time bites. When clocks
//! spring forward, an hour of civil times never happens (a *gap*: `02:30` on
//! 2024-03-10 in New York); when they fall back, an hour happens twice (a *fold*:
//! `01:30` on 2024-11-03 is first `-04:00`, then `-05:00`). [`Resolver::resolve`] says
//! which case a civil time is in; what an engine does about it (skip the run, shift it,
//! run it once or twice) is the engine profile's choice, not this module's.

pub mod civil;

pub use civil::Civil;

use chrono::{Offset, TimeZone};
use std::fmt::Write as _;

/// An IANA time zone (or UTC), or a fixed offset such as `+05:30`.
///
/// The engines take both: croniter and Dagster are handed whatever `tzinfo` their
/// caller built (`datetime.timezone(timedelta(hours=5, minutes=30))`), and Kestra's
/// `ZoneId.of("+05:30")` is a fixed offset. A fixed offset never changes, so it has no
/// gaps or folds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Zone(Kind);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Tz(chrono_tz::Tz),
    /// Seconds east of UTC; never 0 (that is UTC).
    Fixed(OffsetSecs),
}

/// An offset from UTC, in seconds east.
pub type OffsetSecs = i32;

/// A change of a zone's offset: at `at` (an instant), the offset goes from `before` to
/// `after`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Transition {
    /// The instant of the change.
    pub at: i64,
    /// The offset just before.
    pub before: OffsetSecs,
    /// The offset from `at` on.
    pub after: OffsetSecs,
}

/// How a civil time maps to instants in a zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Local {
    /// Exactly one instant, with its offset.
    Single(i64, OffsetSecs),
    /// The civil time does not exist (clocks sprang forward over it). `after` is the
    /// first instant after the gap (the transition), with the offset from then on.
    Gap {
        /// The transition's instant: the first instant after the gap.
        after: i64,
        /// The offset after the gap.
        offset: OffsetSecs,
    },
    /// The civil time happens twice (clocks fell back over it).
    Fold {
        /// The first occurrence, with the offset before the change.
        earlier: (i64, OffsetSecs),
        /// The second occurrence, with the offset after the change.
        later: (i64, OffsetSecs),
    },
}

/// Instants the time zone database covers with real rules; before it offsets are fixed.
const PROBE_FROM: i64 = -5_364_662_400; // 1800-01-01
/// chrono-tz lists transitions up to the end of 2099. From 2100 on, Python's `zoneinfo`
/// and Java's `ZoneRules` keep applying the zone's last rule (the TZif footer) for ever:
/// a year from 2100 on is read as the latest year of 2072-2099 with the same calendar
/// (leap or not, the weekday of 1 January), which the same rule gives the same
/// transitions on the same dates.
const RULES_FROM: i64 = 4_102_444_800; // 2100-01-01
/// The first of the years a later year is read as.
const RULES_BASE: i32 = 2072;
/// The start of 1 January of `year`, in seconds.
fn jan1_secs(year: i32) -> i64 {
    Civil::from_ymd(year, 1, 1).map_or(0, Civil::secs)
}

/// The latest year of 2072-2099 with `year`'s calendar: leap or not, and the weekday of
/// 1 January (every one of the 14 kinds occurs in those 28 years).
fn rule_year(year: i32) -> i32 {
    rule_years()[calendar_kind(year)]
}

/// A year's calendar as an index: its weekday of 1 January, plus 7 in a leap year.
fn calendar_kind(year: i32) -> usize {
    let weekday = Civil::from_secs(jan1_secs(year)).weekday() as usize;
    weekday + if civil::is_leap(year) { 7 } else { 0 }
}

/// [`rule_year`] of each calendar kind.
fn rule_years() -> [i32; 14] {
    let mut out = [2099; 14];
    for y in RULES_BASE..2100 {
        out[calendar_kind(y)] = y;
    }
    out
}

/// The end of the searched range: 10000-01-01.
const PROBE_TO: i64 = 253_402_300_800;

impl Zone {
    /// UTC.
    pub const UTC: Zone = Zone(Kind::Tz(chrono_tz::Tz::UTC));

    /// The zone named `name` (IANA, case-sensitive as the database spells it, e.g.
    /// `America/New_York`); `UTC` and `Z` are accepted too.
    #[must_use]
    pub fn parse(name: &str) -> Option<Zone> {
        if name == "Z" || name.eq_ignore_ascii_case("utc") {
            return Some(Zone::UTC);
        }
        if let Some(offset) = parse_fixed_offset(name) {
            return Some(if offset == 0 {
                Zone::UTC
            } else {
                Zone(Kind::Fixed(offset))
            });
        }
        name.parse::<chrono_tz::Tz>()
            .ok()
            .map(|tz| Zone(Kind::Tz(tz)))
    }

    /// The closest zone name to a misspelt one (also across case), for "did you mean".
    #[must_use]
    pub fn suggest(name: &str) -> Option<&'static str> {
        let lower = name.to_ascii_lowercase();
        if let Some(tz) = chrono_tz::TZ_VARIANTS
            .iter()
            .find(|tz| tz.name().to_ascii_lowercase() == lower)
        {
            return Some(tz.name());
        }
        let names: Vec<&'static str> = chrono_tz::TZ_VARIANTS.iter().map(|tz| tz.name()).collect();
        crate::diag::did_you_mean(name, &names)
    }

    /// Every zone name, sorted.
    #[must_use]
    pub fn names() -> Vec<&'static str> {
        let mut names: Vec<&'static str> =
            chrono_tz::TZ_VARIANTS.iter().map(|tz| tz.name()).collect();
        names.sort_unstable();
        names
    }

    /// The IANA name, or the offset as `+05:30`.
    #[must_use]
    pub fn name(self) -> std::borrow::Cow<'static, str> {
        match self.0 {
            Kind::Tz(tz) => tz.name().into(),
            Kind::Fixed(o) => {
                let mut out = String::new();
                push_offset(&mut out, o, false);
                out.into()
            }
        }
    }

    /// Whether this is UTC.
    #[must_use]
    pub fn is_utc(self) -> bool {
        self.0 == Kind::Tz(chrono_tz::Tz::UTC)
    }

    /// Whether this is a fixed offset (`+05:30`) rather than a named zone.
    #[must_use]
    pub fn is_fixed(self) -> bool {
        matches!(self.0, Kind::Fixed(_))
    }

    /// The offset in effect at `instant`.
    #[must_use]
    pub fn offset_at(self, instant: i64) -> OffsetSecs {
        let tz = match self.0 {
            Kind::Tz(tz) => tz,
            Kind::Fixed(o) => return o,
        };
        let instant = self.within_rules(instant.max(PROBE_FROM - 86_400));
        chrono::DateTime::from_timestamp(instant, 0).map_or(0, |dt| {
            tz.offset_from_utc_datetime(&dt.naive_utc())
                .fix()
                .local_minus_utc()
        })
    }

    /// Whether the offset changes during 2099 (then the zone has a rule that goes on).
    fn changes_in_2099(self) -> bool {
        let year_2099 = RULES_FROM - 365 * 86_400;
        (1..12).any(|m| self.offset_at(year_2099 + m * 30 * 86_400) != self.offset_at(year_2099))
    }

    /// The instant of 2072-2099 whose offset `instant`'s is (see [`RULES_FROM`]); a zone
    /// without changes in 2099 keeps its offset of then.
    fn within_rules(self, instant: i64) -> i64 {
        if instant < RULES_FROM {
            return instant;
        }
        let last = RULES_FROM - 1;
        if !self.changes_in_2099() {
            return last;
        }
        let year = Civil::from_secs(instant).date().0;
        instant - (jan1_secs(year) - jan1_secs(rule_year(year)))
    }

    /// The daylight-saving part of the offset at `instant` (0 in standard time), as the
    /// time zone database's rules give it: what Python's `tzinfo.dst()` answers.
    #[must_use]
    pub fn dst_at(self, instant: i64) -> OffsetSecs {
        use chrono_tz::OffsetComponents;
        let tz = match self.0 {
            Kind::Tz(tz) => tz,
            Kind::Fixed(_) => return 0,
        };
        let instant = self.within_rules(instant.max(PROBE_FROM - 86_400));
        chrono::DateTime::from_timestamp(instant, 0).map_or(0, |dt| {
            let secs = tz
                .offset_from_utc_datetime(&dt.naive_utc())
                .dst_offset()
                .num_seconds();
            OffsetSecs::try_from(secs).unwrap_or(0)
        })
    }

    /// The civil time at `instant`.
    #[must_use]
    pub fn civil_at(self, instant: i64) -> Civil {
        Civil::from_secs(instant + i64::from(self.offset_at(instant)))
    }

    /// The offset changes between the instants `from` and `to`, in order.
    ///
    /// Found by sampling the offset once a day (once a week over windows longer than
    /// 50 years) and bisecting to the second where it changes. The time zone database
    /// has rules from about 1850; from 2100 on each year repeats the transitions of a
    /// year of 2072-2099 with the same calendar (see [`RULES_FROM`]).
    #[must_use]
    pub fn transitions(self, from: i64, to: i64) -> Vec<Transition> {
        let lo = from.max(PROBE_FROM);
        let hi = to.min(PROBE_TO);
        if lo >= hi || self.is_utc() || self.is_fixed() {
            return Vec::new();
        }
        let mut out = self.sampled(lo, hi.min(RULES_FROM));
        if hi <= RULES_FROM || !self.changes_in_2099() {
            return out;
        }
        let first = Civil::from_secs(lo.max(RULES_FROM)).date().0;
        let last = Civil::from_secs(hi - 1).date().0;
        // The transitions of the base years, found once (taken from those already found
        // when the range covers them).
        let base_from = jan1_secs(RULES_BASE);
        let base: Vec<Transition> = if lo < base_from {
            out.iter().filter(|t| t.at > base_from).copied().collect()
        } else {
            self.sampled_by(base_from, RULES_FROM, 7 * 86_400)
        };
        let rule_years = rule_years();
        for year in first..=last {
            let base_year = rule_years[calendar_kind(year)];
            let delta = jan1_secs(year) - jan1_secs(base_year);
            let (a, b) = (jan1_secs(base_year), jan1_secs(base_year + 1));
            let list = base.iter().filter(|t| t.at > a && t.at <= b);
            out.extend(
                list.map(|t| Transition {
                    at: t.at + delta,
                    ..*t
                })
                .filter(|t| t.at > lo && t.at <= hi),
            );
        }
        out
    }

    /// [`Zone::transitions`] found by sampling the offset in `[lo, hi)`.
    fn sampled(self, lo: i64, hi: i64) -> Vec<Transition> {
        let step = if hi - lo > 50 * 366 * 86_400 {
            7 * 86_400
        } else {
            86_400
        };
        self.sampled_by(lo, hi, step)
    }

    /// [`Zone::sampled`] every `step` seconds.
    fn sampled_by(self, lo: i64, hi: i64, step: i64) -> Vec<Transition> {
        let mut out = Vec::new();
        if lo >= hi {
            return out;
        }
        let mut t = lo;
        let mut off = self.offset_at(t);
        while t < hi {
            let next = (t + step).min(hi);
            let next_off = self.offset_at(next);
            if next_off != off {
                // Bisect for the first instant with the new offset.
                let (mut a, mut b) = (t, next);
                while b - a > 1 {
                    let mid = a + (b - a) / 2;
                    if self.offset_at(mid) == off {
                        a = mid;
                    } else {
                        b = mid;
                    }
                }
                let after = self.offset_at(b);
                out.push(Transition {
                    at: b,
                    before: off,
                    after,
                });
                off = after;
                t = b;
                if after != next_off {
                    // Two changes inside one step: keep scanning from the first.
                    continue;
                }
            }
            t = next;
        }
        out
    }

    /// A resolver of civil times between the instants `from` and `to` (with a day of
    /// margin each side).
    #[must_use]
    pub fn resolver(self, from: i64, to: i64) -> Resolver {
        Resolver::new(
            self,
            from.saturating_sub(2 * 86_400),
            to.saturating_add(2 * 86_400),
        )
    }
}

/// One stretch of constant offset: instants `start..end` have `offset`.
#[derive(Debug, Clone, Copy)]
struct Period {
    start: i64,
    end: i64,
    offset: i64,
}

impl Period {
    fn local_start(&self) -> i64 {
        self.start.saturating_add(self.offset)
    }
    fn local_end(&self) -> i64 {
        self.end.saturating_add(self.offset)
    }
}

/// Maps civil times to instants in one zone, fast for ascending civil times (it keeps
/// a cursor), correct for any order.
#[derive(Debug, Clone)]
pub struct Resolver {
    periods: Vec<Period>,
    cursor: usize,
}

impl Resolver {
    fn new(zone: Zone, from: i64, to: i64) -> Resolver {
        let mut periods = Vec::new();
        let mut start = i64::MIN / 4;
        let mut offset = i64::from(zone.offset_at(from));
        for t in zone.transitions(from, to) {
            periods.push(Period {
                start,
                end: t.at,
                offset,
            });
            start = t.at;
            offset = i64::from(t.after);
        }
        periods.push(Period {
            start,
            end: i64::MAX / 4,
            offset,
        });
        Resolver { periods, cursor: 0 }
    }

    /// The transitions this resolver knows, in order.
    #[must_use]
    pub fn transitions(&self) -> Vec<Transition> {
        self.periods
            .windows(2)
            .map(|w| Transition {
                at: w[1].start,
                before: w[0].offset as OffsetSecs,
                after: w[1].offset as OffsetSecs,
            })
            .collect()
    }

    /// Where civil time `c` falls.
    pub fn resolve(&mut self, c: Civil) -> Local {
        let c = c.secs();
        let n = self.periods.len();
        // Move the cursor to the first period whose civil range ends after `c`.
        if self.cursor >= n || (self.cursor > 0 && c < self.periods[self.cursor - 1].local_end()) {
            self.cursor = self.periods.partition_point(|p| p.local_end() <= c);
        }
        while self.cursor + 1 < n && c >= self.periods[self.cursor].local_end() {
            self.cursor += 1;
        }
        self.classify(self.cursor.min(n - 1), c)
    }

    /// Where civil time `c` falls, without moving the cursor (a binary search).
    #[must_use]
    pub fn lookup(&self, c: Civil) -> Local {
        let c = c.secs();
        let n = self.periods.len();
        self.classify(
            self.periods
                .partition_point(|p| p.local_end() <= c)
                .min(n - 1),
            c,
        )
    }

    /// Civil seconds `c`, given `i`: the first period whose civil range ends after it.
    fn classify(&self, i: usize, c: i64) -> Local {
        let p = self.periods[i];
        if c < p.local_start() {
            // Between the previous period's civil end and this one's start: a gap.
            return Local::Gap {
                after: p.start,
                offset: p.offset as OffsetSecs,
            };
        }
        if let Some(q) = self.periods.get(i + 1) {
            if c >= q.local_start() {
                return Local::Fold {
                    earlier: (c - p.offset, p.offset as OffsetSecs),
                    later: (c - q.offset, q.offset as OffsetSecs),
                };
            }
        }
        Local::Single(c - p.offset, p.offset as OffsetSecs)
    }

    /// The offset in effect at `instant` (within the resolver's range).
    #[must_use]
    pub fn offset_at(&self, instant: i64) -> OffsetSecs {
        let i = self.periods.partition_point(|p| p.end <= instant);
        self.periods.get(i).map_or(0, |p| p.offset as OffsetSecs)
    }
}

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

/// Write an offset as `+HH:MM` (or `Z` when `z_for_utc` and the offset is 0).
fn push_offset(out: &mut String, offset: OffsetSecs, z_for_utc: bool) {
    if offset == 0 && z_for_utc {
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

/// RFC 3339 with the offset: `2021-05-01T10:00:00+02:00` (`Z` for UTC when `z_for_utc`).
#[must_use]
pub fn format_rfc3339(instant: i64, offset: OffsetSecs, z_for_utc: bool) -> String {
    let mut out = Civil::from_secs(instant + i64::from(offset)).to_string();
    push_offset(&mut out, offset, z_for_utc);
    out
}

/// Python's `datetime.isoformat()`: `2023-01-01T03:00:00`, or with `+00:00`.
#[must_use]
pub fn format_python_iso(civil: Civil, offset: Option<OffsetSecs>) -> String {
    let mut out = civil.to_string();
    if let Some(o) = offset {
        push_offset(&mut out, o, false);
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

/// A fixed offset written as a zone: `+05:30`, `-03:30`, `+0530` or `+05` (also after
/// `UTC`, as in `UTC+05:30`).
fn parse_fixed_offset(name: &str) -> Option<OffsetSecs> {
    let body = name.strip_prefix("UTC").unwrap_or(name);
    let sign = match body.as_bytes().first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let rest = &body.as_bytes()[1..];
    let two = |d: &[u8]| -> Option<i32> {
        (d.len() == 2 && d.iter().all(u8::is_ascii_digit))
            .then(|| i32::from(d[0] - b'0') * 10 + i32::from(d[1] - b'0'))
    };
    let (h, m) = match rest.len() {
        2 => (two(rest)?, 0),
        4 => (two(&rest[..2])?, two(&rest[2..])?),
        5 if rest[2] == b':' => (two(&rest[..2])?, two(&rest[3..])?),
        _ => return None,
    };
    (h <= 23 && m <= 59).then_some(sign * (h * 3600 + m * 60))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_zone_keeps_its_last_rule_after_2099() {
        // The expected values are Python 3.11 zoneinfo's (tzdata 2025.2), run:
        // chrono-tz stops listing transitions at the end of 2099.
        let at = |y, m, d, hh, mm| Civil::from_ymd_hms(y, m, d, hh, mm, 0).unwrap().secs();
        let t = |zone: &str, y: i32| -> Vec<(i64, OffsetSecs)> {
            let z = Zone::parse(zone).unwrap();
            z.transitions(at(y, 1, 1, 0, 0), at(y + 1, 1, 1, 0, 0))
                .iter()
                .map(|t| (t.at, t.after))
                .collect()
        };
        assert_eq!(
            t("Europe/Berlin", 2100),
            [
                (at(2100, 3, 28, 1, 0), 7200),
                (at(2100, 10, 31, 1, 0), 3600)
            ]
        );
        assert_eq!(
            t("Europe/Berlin", 2345),
            [
                (at(2345, 3, 25, 1, 0), 7200),
                (at(2345, 10, 28, 1, 0), 3600)
            ]
        );
        assert_eq!(
            t("Australia/Lord_Howe", 2100),
            [
                (at(2100, 4, 3, 15, 0), 37_800),
                (at(2100, 10, 2, 15, 30), 39_600)
            ]
        );
        let berlin = Zone::parse("Europe/Berlin").unwrap();
        assert_eq!(berlin.offset_at(at(2100, 7, 1, 0, 0)), 7200);
        assert_eq!(berlin.offset_at(at(9999, 7, 1, 0, 0)), 7200);
        assert_eq!(berlin.dst_at(at(2100, 7, 1, 0, 0)), 3600);
        // Zones whose changes end before 2100 keep their last offset.
        for (zone, offset) in [("Africa/Casablanca", 3600), ("America/Sao_Paulo", -10_800)] {
            assert!(t(zone, 2101).is_empty(), "{zone}");
            assert_eq!(
                Zone::parse(zone).unwrap().offset_at(at(2150, 6, 1, 0, 0)),
                offset
            );
        }
        // One call over centuries finds every year's pair of changes.
        let all = berlin.transitions(at(2000, 1, 1, 0, 0), at(2400, 1, 1, 0, 0));
        assert_eq!(all.len(), 800);
    }

    #[test]
    fn fixed_offsets_are_zones_without_transitions() {
        let z = Zone::parse("+05:30").unwrap();
        assert_eq!(z.name(), "+05:30");
        assert_eq!(z.offset_at(0), 19_800);
        assert!(z.transitions(0, 400 * 86_400).is_empty());
        assert_eq!(Zone::parse("-0330").unwrap().offset_at(0), -12_600);
        assert_eq!(Zone::parse("UTC+14:00").unwrap().name(), "+14:00");
        assert_eq!(Zone::parse("+00:00"), Some(Zone::UTC));
        for bad in ["+5:30", "+24:00", "+05:60", "05:30", "+05:3", "+05:30:00"] {
            assert_eq!(Zone::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn percent_z_writes_the_seconds_of_a_local_mean_time_offset() {
        let c = Civil::from_secs(0);
        assert_eq!(strftime(c, 36_292, Zone::UTC, "%z"), "+100452");
        assert_eq!(strftime(c, -18_000, Zone::UTC, "%z"), "-0500");
    }

    fn civil(s: &str) -> Civil {
        parse_moment(s).unwrap().civil
    }

    #[test]
    fn new_york_transitions_in_2024_are_found_to_the_second() {
        let ny = Zone::parse("America/New_York").unwrap();
        let from = civil("2024-01-01").secs();
        let to = civil("2025-01-01").secs();
        let t = ny.transitions(from, to);
        assert_eq!(t.len(), 2);
        assert_eq!(
            format_rfc3339(t[0].at, t[0].after, true),
            "2024-03-10T03:00:00-04:00"
        );
        assert_eq!((t[0].before, t[0].after), (-18_000, -14_400));
        assert_eq!(
            format_rfc3339(t[1].at, t[1].after, true),
            "2024-11-03T01:00:00-05:00"
        );
    }

    #[test]
    fn gaps_and_folds_are_reported() {
        let ny = Zone::parse("America/New_York").unwrap();
        let mut r = ny.resolver(civil("2024-01-01").secs(), civil("2025-01-01").secs());
        assert!(matches!(
            r.resolve(civil("2024-03-10T02:30")),
            Local::Gap {
                offset: -14_400,
                ..
            }
        ));
        match r.resolve(civil("2024-11-03T01:30")) {
            Local::Fold { earlier, later } => {
                assert_eq!(
                    format_rfc3339(earlier.0, earlier.1, true),
                    "2024-11-03T01:30:00-04:00"
                );
                assert_eq!(
                    format_rfc3339(later.0, later.1, true),
                    "2024-11-03T01:30:00-05:00"
                );
            }
            other => panic!("expected a fold, got {other:?}"),
        }
        // Going back in time still answers correctly.
        assert!(matches!(
            r.resolve(civil("2024-03-10T01:59")),
            Local::Single(_, -18_000)
        ));
        assert!(matches!(
            r.resolve(civil("2024-03-10T03:00")),
            Local::Single(_, -14_400)
        ));
    }

    #[test]
    fn lord_howe_shifts_by_thirty_minutes() {
        let lh = Zone::parse("Australia/Lord_Howe").unwrap();
        let mut r = lh.resolver(civil("2024-01-01").secs(), civil("2025-01-01").secs());
        // 2024-10-06 02:00 → 02:30 (+10:30 → +11:00).
        assert!(matches!(
            r.resolve(civil("2024-10-06T02:15")),
            Local::Gap { .. }
        ));
        assert!(matches!(
            r.resolve(civil("2024-10-06T02:30")),
            Local::Single(_, 39_600)
        ));
        // 2024-04-07 02:00 → 01:30: 01:30–02:00 happens twice.
        assert!(matches!(
            r.resolve(civil("2024-04-07T01:45")),
            Local::Fold { .. }
        ));
    }

    #[test]
    fn moments_parse_every_accepted_shape() {
        assert!(parse_moment("2021-05-01").unwrap().date_only);
        assert_eq!(
            parse_moment("2021-05-01 10:00").unwrap().civil,
            civil("2021-05-01T10:00:00")
        );
        assert_eq!(
            parse_moment("2021-05-01T10:00:00+02:00").unwrap().offset,
            Some(7200)
        );
        assert_eq!(
            parse_moment("2021-05-01T10:00:00-0530").unwrap().offset,
            Some(-19_800)
        );
        assert_eq!(
            parse_moment("2021-05-01T10:00:00.250Z").unwrap().nanos,
            250_000_000
        );
        for bad in [
            "2021-5-1",
            "2021-05-01X10:00",
            "2021-05-01T25:00",
            "2021-05-01T10:00+2",
            "yesterday",
        ] {
            assert!(parse_moment(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn durations_parse() {
        assert_eq!(parse_duration("45s"), Some(45));
        assert_eq!(parse_duration("2d"), Some(172_800));
        assert_eq!(parse_duration("P1DT12H"), Some(129_600));
        assert_eq!(parse_duration("-1h"), Some(-3600));
        assert_eq!(parse_duration("5x"), None);
        assert_eq!(parse_duration("PT"), None);
    }

    #[test]
    fn formats_match_python_and_rfc3339() {
        let c = civil("2023-01-02T00:00:00");
        assert_eq!(format_python_str(c, None), "2023-01-02 00:00:00");
        assert_eq!(
            format_python_str(c, Some(19_800)),
            "2023-01-02 00:00:00+05:30"
        );
        assert_eq!(format_python_iso(c, Some(0)), "2023-01-02T00:00:00+00:00");
        let utc = Zone::UTC;
        assert_eq!(
            strftime(civil("2024-11-03T01:00"), -18_000, utc, "%Y-%m-%d-%H:%M%z"),
            "2024-11-03-01:00-0500"
        );
        assert_eq!(
            strftime(civil("2024-01-07"), 0, utc, "%a %b %j %m/%d/%Y"),
            "Sun Jan 007 01/07/2024"
        );
    }

    #[test]
    fn zone_names_are_suggested() {
        assert!(Zone::parse("America/New_York").is_some());
        assert!(Zone::parse("America/NewYork").is_none());
        assert_eq!(Zone::suggest("america/new_york"), Some("America/New_York"));
        assert_eq!(Zone::suggest("Europe/Londn"), Some("Europe/London"));
    }
}
