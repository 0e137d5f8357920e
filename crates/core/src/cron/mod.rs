//! Cron expressions in each orchestrator's dialect, on civil (wall-clock) time.
//!
//! A [`Cron`] answers "which wall-clock seconds does this schedule name?". It knows
//! nothing of time zones or daylight saving: another module maps the civil times it
//! returns to instants. Everything here is integer arithmetic on [`Civil`] values, so it
//! builds for `wasm32-unknown-unknown` and never reads a clock.
//!
//! # How a schedule is stored
//!
//! [`Cron::parse`] turns each field into a bit mask (seconds and minutes in a `u64`,
//! hours and days of the month in a `u32`, months in a `u16`, days of the week in a
//! `u8`) plus the special days (`L`, `LW`, `15W`, `5#2`, `L5`). From those it builds, once,
//! the set of matching days for every *shape* of month: a month is fully described by
//! its length (28–31) and the weekday of its 1st, so 28 day masks cover every month of
//! every year. The Gregorian calendar repeats every 400 years (146 097 days, a whole
//! number of weeks), so a table of matching days per year of that cycle lets
//! [`Cron::count_between`] and [`Cron::nth_at_or_after`] jump over whole centuries and
//! then whole months in O(1), and [`Cron::iter_from`] walk matching days from month
//! masks without re-testing fields. The times of day are one sorted list of
//! seconds-since-midnight ([`Cron::times_of_day`]); the k-th fire of a day is its k-th
//! entry.
//!
//! # Day of month *or* day of week
//!
//! When both day fields are restricted, a day matches if **either** matches (the POSIX
//! rule): `0 0 1 * 1` fires on the 1st *and* on every Monday, and `0 0 */2 * 1` on odd
//! days and Mondays (`*/2` counts as restricted). When one of them is `*` (or `?`), only
//! the other applies. There is no Vixie "star bug". Kestra and the generic dialects apply
//! exactly that rule: a field is unrestricted only when it is `*` or `?` (or a list that
//! contains a bare `*`).
//!
//! croniter (and so Flyte and Dagster) bends the rule in three ways that the `Croniter`
//! and `Dagster` dialects reproduce, because a preview must show what the orchestrator
//! will actually run (all three confirmed by running croniter 7.0.0):
//!
//! 1. A field that lists *every* value collapses to `*` when the *other* day field's text
//!    contains a `*`: `0 0 1-31 * */2` fires only on Sundays, Tuesdays, Thursdays and
//!    Saturdays, and `0 0 */2 * 0-6` only on odd days. (`0 12 1-31 * 2` keeps the OR
//!    rule and fires every day.)
//! 2. `#` and `L5` in day-of-week, and `15W` in day-of-month, are not dropped when croniter
//!    splits the OR: the side that carries them swallows the other. `0 0 8-14 * 5#2` is
//!    just the second Friday; `0 0 15W * 1` is just the weekday nearest the 15th.
//! 3. If, in that split, the two day fields can never match on the same day
//!    (`0 0 1 * 5#2`), croniter raises `CroniterBadDateError` on every `get_next`. That is
//!    reported as [`E0317`](#error-codes).
//!
//! croniter also reads an equal range `5-5` as the *whole* cycle (as it does `JAN-JAN`),
//! and wraps a reversed range around its field (`Apr-Feb`, `fri-mon`, `22-2/3`); the
//! croniter dialects do the same (see `fill_croniter_wrap` for where croniter restarts a
//! step). In Kestra's and the generic dialects a reversed range (`5-3`) is an error, as it
//! is in cron-utils (whose `SUN` is 7: `SUN-TUE` is reversed, `SAT-SUN` is not).
//!
//! # Dialects
//!
//! | dialect | fields | `L` `W` `#` `?` | day rule |
//! |---|---|---|---|
//! | [`Kestra`](CronDialect::Kestra) | 5: `min hour dom month dow` | none | OR |
//! | [`KestraSeconds`](CronDialect::KestraSeconds) | 6: `sec min hour dom month dow` | none | OR |
//! | [`Croniter`](CronDialect::Croniter) | 5; 6 = `… dow sec`; 7 = `… dow sec year` | all but `LW` | croniter |
//! | [`Dagster`](CronDialect::Dagster) | 5 | all but `LW` | croniter |
//! | [`Generic`](CronDialect::Generic) | 5 | all, and `LW` | OR |
//! | [`GenericSeconds`](CronDialect::GenericSeconds) | 6: `sec min hour dom month dow` | all, and `LW` | OR |
//!
//! Every dialect takes numbers, `*`, lists `1,3,5-7`, ranges `MON-FRI`, steps `*/15`,
//! `5/15` (from 5 to the field's end) and `10-40/5`, month names `JAN`–`DEC` and day names
//! `SUN`–`SAT` (any case), day-of-week `0`–`7` (both `0` and `7` are Sunday; `SAT-SUN` is
//! the weekend), and the nicknames `@yearly` `@annually` `@monthly` `@weekly` `@daily`
//! `@midnight` `@hourly`. Without a seconds field the seconds are `{0}`. The extensions:
//!
//! - day of month: `L` (last day), `LW` (last weekday; generic only), `15W` or `W15`
//!   (the Monday–Friday nearest the 15th, never leaving the month: `1W` on a Saturday is
//!   Monday the 3rd, `31W` on a Sunday is Friday the 29th; as in croniter a day past the
//!   month's end is clamped to its last day, so `31W` in April is the weekday nearest
//!   the 30th), and `10-L` (= `10-31`).
//! - day of week: `5#2` (the second Friday; `5#5` only in months that have five),
//!   `MON-FRI#1`, `L5` (croniter's spelling of the last Friday; `5L` is an error that
//!   suggests it).
//! - `?` (day of month or day of week only, alone) means `*`.
//!
//! croniter additionally requires `15W` to stand alone in its field, `#` to follow one
//! day or a range of day *names*, and `#`/`L5` not to be mixed with plain days; the
//! croniter dialects enforce that. croniter's 7th field is the year, 1970–2099.
//!
//! Supported civil times run from `0001-01-01T00:00:00` to `9999-12-31T23:59:59`;
//! searches return `None` past either end.
//!
//! # Error codes
//!
//! [`Cron::parse`] reports every problem it finds, each with a byte range into the
//! expression. The codes are stable and never renumbered.
//!
//! | code | meaning | example |
//! |---|---|---|
//! | `E0301` | wrong number of fields (or fields after a nickname) | `* * * *` |
//! | `E0302` | empty expression | `` |
//! | `E0303` | malformed value or character | `1x`, `%`, `1-2-3` |
//! | `E0304` | value out of the field's range | `61`, `0 0 * * 8` |
//! | `E0305` | reversed range | `5-3` |
//! | `E0306` | bad step: zero, missing or not a number | `*/0`, `*/` |
//! | `E0307` | empty list entry or range bound | `1,,2`, `1-` |
//! | `E0308` | unknown or misplaced name | `FOO`, `MON` in the month field |
//! | `E0309` | unknown nickname | `@dailly`, `@reboot` |
//! | `E0310` | syntax the dialect does not have | `L` in Kestra, `LW` in croniter, `5L` |
//! | `E0311` | special character in the wrong field, or `?` not alone | `L` in hours |
//! | `E0312` | `#` occurrence outside 1–5 | `5#6` |
//! | `E0313` | the schedule never fires | `0 0 30 2 *` |
//! | `E0314` | `W` in a list (croniter) | `1,15W` |
//! | `E0315` | plain days mixed with `#`/`L` days (croniter) | `1,5#2` |
//! | `E0316` | hashed or random value | `H`, `R/5` |
//! | `E0317` | croniter cannot iterate it (see rule 3 above) | `0 0 1 * 5#2` |
//!
//! `E0318` and `E0319` are reserved.

#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::unreachable
)]
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]

// The seams: `parse` (tokens, fields, specials, errors, building), `dialect` (each
// dialect's fields), `days` (bit masks per month shape and cycle year), `count` (counting,
// selecting and iterating fires from those tables); the `Cron` type and its queries here.
mod count;
mod days;
mod dialect;
mod parse;

pub use count::CronIter;

use crate::time::civil::{
    days_from_civil, days_in_month, is_leap, weekday_from_days, Civil, MAX_YEAR, MIN_YEAR,
};
#[allow(clippy::wildcard_imports)]
use days::*;
#[allow(clippy::wildcard_imports)]
use dialect::*;
#[allow(clippy::wildcard_imports)]
use parse::*;
use std::fmt;

// ---------------------------------------------------------------------------------------
// Public types
// ---------------------------------------------------------------------------------------

/// The cron language an expression is written in: one per orchestrator behaviour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CronDialect {
    /// Kestra (cron-utils, a custom UNIX-like definition): exactly 5 fields
    /// `min hour dom month dow`; day-of-week 0–7; names; nicknames; no `?`, `L`, `W`, `#`.
    Kestra,
    /// Kestra with `withSeconds: true`: exactly 6 fields, seconds first.
    KestraSeconds,
    /// croniter 7.0.0 (what Flyte uses): 5 fields, 6 with the seconds *last*, or 7 with
    /// seconds and then the year (1970–2099); `L`, `W`, `#`, `L5`, `?`, names, nicknames;
    /// croniter's day rule (see the module docs).
    Croniter,
    /// Dagster's `cron_schedule`: croniter, but exactly 5 fields.
    Dagster,
    /// The planner's generic engine: 5 fields, croniter's extensions plus `LW`, nicknames,
    /// and the plain OR rule.
    Generic,
    /// The generic engine with `with_seconds: true`: exactly 6 fields, seconds first.
    GenericSeconds,
}

/// One problem in a cron expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CronError {
    /// Stable code, `E0301`–`E0319` (see the table in the module docs).
    pub code: &'static str,
    /// One lower-case line that quotes the offending text in backticks.
    pub message: String,
    /// A suggestion, e.g. "did you mean `@daily`?".
    pub help: Option<String>,
    /// Byte offset of the offending text in the expression.
    pub start: usize,
    /// Byte offset one past the offending text.
    pub end: usize,
}

impl fmt::Display for CronError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)?;
        if let Some(help) = &self.help {
            write!(f, " (help: {help})")?;
        }
        Ok(())
    }
}

impl std::error::Error for CronError {}

/// One field as croniter's `expand` gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Expanded {
    /// `'*'`: every value (croniter collapses a full list to it).
    Star,
    /// Plain numbers, ascending.
    Values(Vec<u32>),
    /// Something else (`L`, `W`).
    Other,
}

impl Expanded {
    /// One plain number.
    pub(crate) fn single(&self) -> Option<u32> {
        match self {
            Expanded::Values(v) if v.len() == 1 => v.first().copied(),
            _ => None,
        }
    }
}

/// A cron's fields as croniter's `expand` lists them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CroniterShape {
    pub minute: Expanded,
    pub hour: Expanded,
    pub dom: Expanded,
    pub month: Expanded,
    pub dow: Expanded,
    /// A `#` (or `L` weekday): croniter's `nth_weekday_of_month`.
    pub nth: bool,
}

/// A parsed cron expression: which civil seconds it fires at.
///
/// Build one with [`Cron::parse`]. Every search is exact and O(1) in the distance
/// searched (whole 400-year cycles and whole months are skipped by table look-ups).
#[derive(Clone)]
pub struct Cron {
    dialect: CronDialect,
    seconds: u64,
    minutes: u64,
    hours: u32,
    /// Bits 1–12.
    months: u16,
    /// `None`: every year. `Some`: croniter's year field, bit `y - 1970`.
    years: Option<YearBits>,
    days: DaySpec,
    /// Matching days for a month of `28 + i` days whose 1st is weekday `j` (0 = Sunday),
    /// month restriction not applied; bit `d` is day `d`.
    day_table: [[u32; 7]; 4],
    /// `year_prefix[i]`: matching days (months applied, years not) in the first `i` years
    /// of a 400-year cycle starting with year 1. 401 entries.
    year_prefix: Box<[u32]>,
    /// `month_prefix[k][m]`: matching days (months applied) in months `1..=m` of a year of
    /// kind `k` (the weekday of its 1 January, plus 7 in a leap year).
    month_prefix: [[u16; 13]; 14],
    /// Sorted seconds after midnight at which a matching day fires.
    times: Vec<u32>,
    /// Fires from `0001-01-01T00:00:00` up to `10000-01-01T00:00:00`.
    total: u64,
}

impl fmt::Debug for Cron {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Cron")
            .field("dialect", &self.dialect)
            .field("seconds", &format_args!("{:#x}", self.seconds))
            .field("minutes", &format_args!("{:#x}", self.minutes))
            .field("hours", &format_args!("{:#x}", self.hours))
            .field("months", &format_args!("{:#x}", self.months))
            .field("years", &self.years)
            .field("days", &self.days)
            .field("fires_per_day", &self.times.len())
            .finish_non_exhaustive()
    }
}

impl Cron {
    /// Parses `expr` in `dialect`, reporting every bad field (not just the first), each
    /// with the byte range of the offending text.
    ///
    /// # Errors
    ///
    /// All the problems found, in the order of the text; see the module docs for codes.
    pub fn parse(expr: &str, dialect: CronDialect) -> Result<Cron, Vec<CronError>> {
        let mut parser = Parser {
            dialect,
            errors: Vec::new(),
        };
        let tokens = split_fields(expr);
        let (Some(first), Some(last)) = (tokens.first().copied(), tokens.last().copied()) else {
            return Err(vec![CronError::new(
                E_EMPTY,
                (0, expr.len()),
                "expected a cron expression, found nothing".to_string(),
                Some("write five fields, e.g. `0 0 * * *`, or a nickname like `@daily`".into()),
            )]);
        };
        if first.text.starts_with('@') {
            return parser.nickname(&tokens, first, last);
        }
        let Some(layout) = dialect.layout(tokens.len()) else {
            return Err(vec![parser.count_error(expr, &tokens, first, last)]);
        };
        let mut fields = Fields::default();
        for (&field, &token) in layout.iter().zip(tokens.iter()) {
            let spec = parser.field(field, token);
            fields.put(field, spec, token);
        }
        parser.check_fields(&fields);
        if !parser.errors.is_empty() {
            return Err(parser.errors);
        }
        build(dialect, &fields, expr).map_err(|e| vec![e])
    }

    /// The dialect the expression was parsed in.
    #[must_use]
    pub fn dialect(&self) -> CronDialect {
        self.dialect
    }

    /// Whether the hour field is restricted (does not match all 24 hours): a
    /// "fixed-time" cron, as opposed to an "interval" cron that fires every hour. The DST
    /// rules treat the two differently.
    #[must_use]
    pub fn is_fixed_hour(&self) -> bool {
        self.hours != ALL_HOURS
    }

    /// The fields as croniter's `expand` lists them (what dagster's shape test reads to
    /// pick its hourly, daily, weekly or monthly fast path).
    #[must_use]
    pub(crate) fn croniter_shape(&self) -> CroniterShape {
        let values = |bits: u64, lo: u32, hi: u32| -> Expanded {
            let v: Vec<u32> = (lo..=hi).filter(|&i| bit64(bits, i)).collect();
            if v.len() == (hi - lo + 1) as usize {
                Expanded::Star
            } else {
                Expanded::Values(v)
            }
        };
        let d = &self.days;
        let dom = if d.dom_star {
            Expanded::Star
        } else if d.last || d.last_weekday || d.nearest != 0 {
            Expanded::Other
        } else {
            Expanded::Values((1..=31).filter(|&i| bit32(d.dom, i)).collect())
        };
        let dow = if d.dow_star {
            Expanded::Star
        } else {
            Expanded::Values((0..7).filter(|&i| d.dow >> i & 1 == 1).collect())
        };
        CroniterShape {
            minute: values(self.minutes, 0, 59),
            hour: values(u64::from(self.hours), 0, 23),
            dom,
            month: values(u64::from(self.months), 1, 12),
            dow,
            nth: d.has_nth(),
        }
    }

    /// Whether it fires at some second other than :00 (a seconds field that matters).
    #[must_use]
    pub(crate) fn fires_within_minutes(&self) -> bool {
        self.seconds != 1
    }

    /// The first second of a minute at which it fires (0 without a seconds field).
    #[must_use]
    pub fn first_second(&self) -> u32 {
        self.seconds.trailing_zeros().min(59)
    }

    /// Whether `t` is a fire time.
    #[must_use]
    pub fn matches(&self, t: Civil) -> bool {
        if t < min_civil() || t >= end_civil() {
            return false;
        }
        let (y, m, d) = t.date();
        let (hh, mm, ss) = t.time();
        bit32(self.month_mask(y, m), d)
            && bit32(self.hours, hh)
            && bit64(self.minutes, mm)
            && bit64(self.seconds, ss)
    }

    /// Whether it fires on this date at all (`false` for dates that do not exist).
    #[must_use]
    pub fn matches_day(&self, y: i32, m: u32, d: u32) -> bool {
        if !(MIN_YEAR..=MAX_YEAR).contains(&y) || !(1..=12).contains(&m) {
            return false;
        }
        (1..=days_in_month(y, m)).contains(&d) && bit32(self.month_mask(y, m), d)
    }

    /// Seconds after midnight at which it fires on a matching day, ascending. Its length
    /// is the number of fires per matching day.
    #[must_use]
    pub fn times_of_day(&self) -> &[u32] {
        &self.times
    }

    /// The seconds field as a set: bit `s` for second `s` (bit 0 only without a seconds
    /// field).
    #[must_use]
    pub(crate) fn second_set(&self) -> u64 {
        self.seconds
    }

    /// The minutes field as a set: bit `m` for minute `m`.
    #[must_use]
    pub(crate) fn minute_set(&self) -> u64 {
        self.minutes
    }

    /// The hours field as a set: bit `h` for hour `h`.
    #[must_use]
    pub(crate) fn hour_set(&self) -> u32 {
        self.hours
    }

    /// The months field as a set: bit `m` for month `m` (1–12).
    #[must_use]
    pub(crate) fn month_set(&self) -> u16 {
        self.months
    }

    /// The days of month `m` of year `y` the day fields (day-of-month, day-of-week, in
    /// the dialect's combination) allow, bit `d` for day `d`, *whatever the months
    /// field says*: for a month the cron allows, the days [`Cron::matches_day`] accepts.
    /// (cron-utils lists a month's day candidates this way, and its backward search asks
    /// for them in months the cron does not allow too.)
    #[must_use]
    pub(crate) fn day_candidates(&self, y: i32, m: u32) -> u32 {
        if !(1..=12).contains(&m) {
            return 0;
        }
        let n = days_in_month(y, m);
        let first = weekday_from_days(days_from_civil(y, m, 1));
        table_mask(&self.day_table, n, first)
    }

    /// The first fire time at or after `t`, or `None` if there is none before the end of
    /// year 9999.
    #[must_use]
    pub fn next_at_or_after(&self, t: Civil) -> Option<Civil> {
        self.nth_at_or_after(t, 0)
    }

    /// The first fire time strictly after `t`.
    #[must_use]
    pub fn next_after(&self, t: Civil) -> Option<Civil> {
        self.next_at_or_after(Civil::from_secs(t.secs().saturating_add(1)))
    }

    /// The last fire time strictly before `t`, or `None` if there is none after the
    /// start of year 1.
    #[must_use]
    pub fn prev_before(&self, t: Civil) -> Option<Civil> {
        let index = self.fires_before(t).checked_sub(1)?;
        self.select(index)
    }

    /// Number of fire times before `t` since year 1.
    #[must_use]
    pub(crate) fn count_before(&self, t: Civil) -> u64 {
        self.fires_before(t)
    }

    /// Number of fire times in `[a, b)` (0 when `b <= a`). O(1): whole 400-year cycles,
    /// years and months are counted from tables, never fire by fire.
    #[must_use]
    pub fn count_between(&self, a: Civil, b: Civil) -> u64 {
        if b <= a {
            return 0;
        }
        self.fires_before(b).saturating_sub(self.fires_before(a))
    }

    /// The `k`-th (0-based) fire time at or after `a`, found without walking the `k`
    /// fires before it; `None` if it would fall after year 9999.
    #[must_use]
    pub fn nth_at_or_after(&self, a: Civil, k: u64) -> Option<Civil> {
        let index = self.fires_before(a).checked_add(k)?;
        self.select(index)
    }
}

#[cfg(test)]
#[allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::time::civil::{civil_from_days, DAY};

    fn t(s: &str) -> Civil {
        let n: Vec<u32> = s
            .split(|c: char| !c.is_ascii_digit())
            .filter(|p| !p.is_empty())
            .map(|p| p.parse().unwrap())
            .collect();
        let get = |i: usize| n.get(i).copied().unwrap_or(0);
        Civil::from_ymd_hms(n[0] as i32, get(1), get(2), get(3), get(4), get(5)).unwrap()
    }

    fn cron(expr: &str, dialect: CronDialect) -> Cron {
        Cron::parse(expr, dialect).unwrap_or_else(|e| panic!("{expr}: {e:?}"))
    }

    fn fires(expr: &str, dialect: CronDialect, from: &str, to: &str) -> Vec<String> {
        let c = cron(expr, dialect);
        let end = t(to);
        c.iter_from(t(from))
            .take_while(|&x| x < end)
            .map(|x| x.to_string())
            .collect()
    }

    fn days(list: &[&str]) -> Vec<String> {
        list.iter().map(|d| format!("{d}T00:00:00")).collect()
    }

    fn errors(expr: &str, dialect: CronDialect) -> Vec<(&'static str, usize, usize)> {
        match Cron::parse(expr, dialect) {
            Ok(c) => panic!("{expr} parsed: {c:?}"),
            Err(e) => e.iter().map(|e| (e.code, e.start, e.end)).collect(),
        }
    }

    fn first_error(expr: &str, dialect: CronDialect) -> CronError {
        Cron::parse(expr, dialect).unwrap_err().remove(0)
    }

    use CronDialect::{Croniter, Dagster, Generic, GenericSeconds, Kestra, KestraSeconds};

    #[test]
    fn both_day_fields_restricted_fire_on_either() {
        assert_eq!(
            fires("0 0 1 * 1", Generic, "2025-09-02", "2025-10-07"),
            days(&[
                "2025-09-08",
                "2025-09-15",
                "2025-09-22",
                "2025-09-29",
                "2025-10-01",
                "2025-10-06"
            ])
        );
    }

    #[test]
    fn a_stepped_day_of_month_counts_as_restricted() {
        assert_eq!(
            fires("0 0 */2 * 1", Kestra, "2025-09-02", "2025-09-10"),
            days(&[
                "2025-09-03",
                "2025-09-05",
                "2025-09-07",
                "2025-09-08",
                "2025-09-09"
            ])
        );
    }

    #[test]
    fn a_star_day_field_leaves_only_the_other() {
        assert_eq!(
            fires("0 0 * * 1", Generic, "2025-09-01", "2025-09-16"),
            days(&["2025-09-01", "2025-09-08", "2025-09-15"])
        );
        assert_eq!(
            fires("0 0 ? * 1", Croniter, "2025-09-01", "2025-09-16"),
            days(&["2025-09-01", "2025-09-08", "2025-09-15"])
        );
    }

    #[test]
    fn croniter_collapses_a_full_day_field_when_the_other_has_a_star() {
        // RUN croniter 7.0.0: only Sun/Tue/Thu/Sat.
        assert_eq!(
            fires("0 0 1-31 * */2", Croniter, "2025-01-02", "2025-01-10"),
            days(&[
                "2025-01-02",
                "2025-01-04",
                "2025-01-05",
                "2025-01-07",
                "2025-01-09"
            ])
        );
        // The generic engine keeps the OR rule: every day.
        assert_eq!(
            fires("0 0 1-31 * */2", Generic, "2025-01-02", "2025-01-10").len(),
            8
        );
        // Without a star in the other field croniter keeps the list: every day.
        assert_eq!(
            fires("0 12 1-31 * 2", Croniter, "2025-09-01", "2025-09-06").len(),
            5
        );
    }

    #[test]
    fn croniter_lets_the_hash_side_swallow_the_day_of_month() {
        // croniter's test_issue_k33 semantics: only the second friday, not days 8-14.
        assert_eq!(
            fires("0 0 8-14 * 5#2", Croniter, "2025-01-01", "2025-03-01"),
            days(&["2025-01-10", "2025-02-14"])
        );
        assert_eq!(
            fires("0 0 8-14 * 5#2", Generic, "2025-01-01", "2025-01-15").len(),
            7
        );
        assert_eq!(
            fires("0 0 15W * 1", Croniter, "2025-01-01", "2025-02-01"),
            days(&["2025-01-15"])
        );
    }

    #[test]
    fn croniter_cannot_iterate_a_hash_day_that_never_meets_the_day_of_month() {
        let e = first_error("0 0 1 * 5#2", Croniter);
        assert_eq!((e.code, e.start, e.end), ("E0317", 4, 11));
        assert!(e.message.contains("`1`") && e.message.contains("`5#2`"));
        // The generic engine reads it as the 1st or the second friday.
        assert_eq!(
            fires("0 0 1 * 5#2", Generic, "2025-01-01", "2025-03-01"),
            days(&["2025-01-01", "2025-01-10", "2025-02-01", "2025-02-14"])
        );
    }

    #[test]
    fn croniter_reads_an_equal_range_as_the_whole_cycle() {
        assert_eq!(
            fires("0 0 5-5 * *", Croniter, "2025-01-02", "2025-01-04"),
            days(&["2025-01-02", "2025-01-03"])
        );
        assert_eq!(
            fires("0 0 5-5 * *", Generic, "2025-01-01", "2025-03-01"),
            days(&["2025-01-05", "2025-02-05"])
        );
    }

    #[test]
    fn day_of_week_seven_and_sun_at_a_range_end_are_sunday() {
        assert_eq!(
            fires("0 0 * * 7", Kestra, "2025-01-01", "2025-01-20"),
            days(&["2025-01-05", "2025-01-12", "2025-01-19"])
        );
        assert_eq!(
            fires("0 0 * * SAT-SUN", Generic, "2025-01-01", "2025-01-08"),
            days(&["2025-01-04", "2025-01-05"])
        );
        assert_eq!(
            fires("0 0 * * 5-7", Generic, "2025-01-01", "2025-01-08"),
            days(&["2025-01-03", "2025-01-04", "2025-01-05"])
        );
    }

    #[test]
    fn nearest_weekday_never_leaves_the_month() {
        // 2022-01-01 is a saturday: 1W is monday the 3rd.
        assert_eq!(
            fires("0 0 1W * *", Generic, "2022-01-01", "2022-02-01"),
            days(&["2022-01-03"])
        );
        // 2022-07-31 is a sunday: 31W is friday the 29th.
        assert_eq!(
            fires("0 0 31W 7 *", Generic, "2022-07-01", "2022-08-01"),
            days(&["2022-07-29"])
        );
        // croniter clamps 31 to the month's end: the weekday nearest june 30 (a monday).
        assert_eq!(
            fires("0 0 W31 6 *", Croniter, "2025-06-01", "2025-07-01"),
            days(&["2025-06-30"])
        );
    }

    #[test]
    fn last_weekday_of_the_month_steps_back_from_a_weekend() {
        // 2025-05-31 is a saturday, 2025-08-31 a sunday.
        assert_eq!(
            fires("0 0 LW * *", Generic, "2025-05-01", "2025-09-01"),
            days(&["2025-05-30", "2025-06-30", "2025-07-31", "2025-08-29"])
        );
    }

    #[test]
    fn fifth_weekday_fires_only_in_months_that_have_one() {
        assert_eq!(
            fires("0 0 * * 5#5", Generic, "2025-01-01", "2025-07-01"),
            days(&["2025-01-31", "2025-05-30"])
        );
    }

    #[test]
    fn the_last_friday_is_written_l5() {
        assert_eq!(
            fires("0 0 * * L5", Croniter, "2025-01-01", "2025-04-01"),
            days(&["2025-01-31", "2025-02-28", "2025-03-28"])
        );
        let e = first_error("0 0 * * 5L", Croniter);
        assert_eq!((e.code, e.start, e.end), ("E0310", 8, 10));
        assert_eq!(e.help.as_deref(), Some("did you mean `L5`?"));
    }

    #[test]
    fn a_hash_after_a_range_of_names_covers_each_day() {
        assert_eq!(
            fires("0 0 * * MON-FRI#1", Croniter, "2018-01-01", "2018-01-08"),
            days(&[
                "2018-01-01",
                "2018-01-02",
                "2018-01-03",
                "2018-01-04",
                "2018-01-05"
            ])
        );
        assert_eq!(errors("0 0 * * 1-5#1", Croniter), vec![("E0310", 8, 13)]);
        assert!(Cron::parse("0 0 * * 1-5#1", Generic).is_ok());
    }

    #[test]
    fn kestra_rejects_every_extension_and_names_itself() {
        for (expr, symbol) in [
            ("0 0 L * *", "L"),
            ("0 0 15W * *", "W"),
            ("0 0 * * MON#2", "#"),
            ("0 0 ? * *", "?"),
            ("0 0 * * L5", "L"),
            ("0 0 10-L * *", "L"),
        ] {
            let e = first_error(expr, Kestra);
            assert_eq!(e.code, "E0310", "{expr}");
            assert!(e.message.contains("kestra"), "{expr}: {}", e.message);
            assert!(
                e.help
                    .as_deref()
                    .unwrap_or("")
                    .contains(&format!("no `{symbol}`")),
                "{expr}: {:?}",
                e.help
            );
        }
        let e = first_error("0 0 L * *", Kestra);
        assert_eq!(
            e.help.as_deref(),
            Some("kestra's cron has no `L`; list the days instead")
        );
    }

    #[test]
    fn kestra_takes_nicknames_and_seconds_first() {
        assert_eq!(
            fires("@midnight", Kestra, "2025-01-01", "2025-01-03"),
            days(&["2025-01-01", "2025-01-02"])
        );
        assert_eq!(
            fires(
                "*/20 * * * * *",
                KestraSeconds,
                "2024-03-28T06:30",
                "2024-03-28T06:31"
            ),
            [
                "2024-03-28T06:30:00",
                "2024-03-28T06:30:20",
                "2024-03-28T06:30:40"
            ]
        );
        let e = first_error("0 9 * * *", KestraSeconds);
        assert_eq!(e.code, "E0301");
        assert!(e.help.unwrap().contains("`0 0 9 * * *`"));
    }

    #[test]
    fn croniter_puts_seconds_sixth_and_the_year_seventh() {
        assert_eq!(
            fires(
                "0 0 * * * */20",
                Croniter,
                "2025-01-01T00:00:01",
                "2025-01-01T00:01"
            ),
            ["2025-01-01T00:00:20", "2025-01-01T00:00:40"]
        );
        let c = cron("0 0 1 1 * 0 2025-2030", Croniter);
        assert_eq!(
            c.iter_from(t("2020-01-01"))
                .map(|x| x.to_string())
                .collect::<Vec<_>>(),
            days(&[
                "2025-01-01",
                "2026-01-01",
                "2027-01-01",
                "2028-01-01",
                "2029-01-01",
                "2030-01-01"
            ])
        );
        assert_eq!(c.count_between(t("0001-01-01"), t("9999-12-31")), 6);
        assert_eq!(c.prev_before(t("9000-01-01")), Some(t("2030-01-01")));
        // Every year listed means every year, as in croniter.
        let all = cron("0 0 1 1 * 0 1970-2099", Croniter);
        assert_eq!(all.next_at_or_after(t("3000-06-01")), Some(t("3001-01-01")));
        assert_eq!(
            errors("0 0 1 1 * 0 2100", Croniter),
            vec![("E0304", 12, 16)]
        );
    }

    #[test]
    fn dagster_takes_exactly_five_fields() {
        let e = first_error("0 0 * * * 0", Dagster);
        assert_eq!((e.code, e.start, e.end), ("E0301", 10, 11));
        assert!(e.help.unwrap().contains("dagster"));
        assert!(Cron::parse("@daily", Dagster).is_ok());
    }

    #[test]
    fn every_bad_field_is_reported_with_its_span() {
        assert_eq!(
            errors("61 * 32 * 8", Generic),
            vec![("E0304", 0, 2), ("E0304", 5, 7), ("E0304", 10, 11)]
        );
        let e = first_error("0 0 * * 8", Generic);
        assert_eq!(e.message, "day-of-week value `8` is out of range 0-7");
    }

    #[test]
    fn spans_point_at_the_bytes_even_with_leading_whitespace() {
        assert_eq!(errors(" \t 0 0 * * 8  ", Generic), vec![("E0304", 11, 12)]);
        assert_eq!(errors("0  0 1,,2 * *", Generic), vec![("E0307", 7, 8)]);
        assert_eq!(errors("0 0 1, * *", Generic), vec![("E0307", 5, 6)]);
        assert_eq!(errors("0 0 , * *", Generic), vec![("E0307", 4, 5)]);
    }

    #[test]
    fn non_ascii_junk_gets_a_whole_character_span() {
        let expr = "0 0 * * 1\u{e9}";
        let e = first_error(expr, Generic);
        assert_eq!((e.code, e.start, e.end), ("E0303", 9, 11));
        assert!(expr.is_char_boundary(e.start) && expr.is_char_boundary(e.end));
        // A no-break space is not a separator.
        assert_eq!(errors("0 0\u{a0} * * *", Croniter), vec![("E0303", 3, 5)]);
    }

    #[test]
    fn reversed_ranges_are_errors_that_show_the_wrap_around() {
        let e = first_error("0 0 5-3 * *", Generic);
        assert_eq!((e.code, e.start, e.end), ("E0305", 4, 7));
        assert_eq!(
            e.message,
            "range `5-3` is reversed: it starts after it ends"
        );
        assert_eq!(
            e.help.as_deref(),
            Some("to wrap around the end of the field, write `5-31,1-3`")
        );
        assert_eq!(errors("50-10 * * * *", Generic), vec![("E0305", 0, 5)]);
    }

    /// croniter 7.0.0, run (`croniter(expr).expanded`): a reversed range wraps around
    /// its field, and the step's second half starts where croniter starts it.
    #[test]
    fn croniter_wraps_reversed_ranges_around_the_field() {
        assert_eq!(
            cron("50-10/3 0 * * *", Croniter).times_of_day(),
            [180, 360, 540, 3000, 3180, 3360, 3540]
        );
        assert_eq!(
            cron("0 22-2/3 * * *", Croniter).times_of_day(),
            [2 * 3600, 22 * 3600]
        );
        assert_eq!(
            cron("0 22-2 * * *", Croniter).times_of_day().len(),
            5 // 22, 23, 0, 1, 2
        );
        // Thursday to Tuesday by 3: Thursday and Sunday (2026-12-03 is a Thursday).
        let c = cron("0 0 * * thu-tue/3", Croniter);
        let days: Vec<bool> = (1..=7).map(|d| c.matches_day(2026, 12, d)).collect();
        assert_eq!(days, [false, false, true, false, false, true, false]);
        // April to February: every month but March.
        let c = cron("0 0 1 Apr-Feb *", Croniter);
        let months: Vec<bool> = (1..=12).map(|m| c.matches_day(2026, m, 1)).collect();
        assert_eq!(months.iter().filter(|m| !**m).count(), 1);
        assert!(!months[2]);
        // Saturday to Sunday (0) is the weekend.
        let c = cron("0 0 * * sat-0", Croniter);
        let days: Vec<bool> = (1..=7).map(|d| c.matches_day(2026, 12, d)).collect();
        assert_eq!(days, [false, false, false, false, true, true, false]);
    }

    #[test]
    fn steps_must_be_positive_numbers() {
        assert_eq!(errors("*/0 * * * *", Generic), vec![("E0306", 0, 3)]);
        assert_eq!(errors("*/ * * * *", Generic), vec![("E0306", 0, 2)]);
        assert_eq!(errors("*/x * * * *", Generic), vec![("E0306", 0, 3)]);
        assert_eq!(errors("/5 * * * *", Generic), vec![("E0307", 0, 2)]);
        assert_eq!(
            cron("5/15 * * * *", Generic).times_of_day()[..4],
            [300, 1200, 2100, 3000]
        );
        assert_eq!(cron("*/100 * * * *", Generic).times_of_day().len(), 24);
    }

    #[test]
    fn names_are_case_insensitive_and_misspellings_get_suggestions() {
        assert_eq!(
            cron("0 0 1 jan-Mar *", Generic).months,
            0b1110,
            "months are bits 1-3"
        );
        let e = first_error("0 0 * * MONDAY", Generic);
        assert_eq!(
            (e.code, e.help.as_deref()),
            ("E0308", Some("did you mean `MON`?"))
        );
        let e = first_error("0 0 * JNA *", Generic);
        assert_eq!(e.code, "E0308");
        let e = first_error("0 0 * MON *", Generic);
        assert_eq!(
            e.message,
            "`MON` is a day-of-week name, but this is the month field (1-12)"
        );
    }

    #[test]
    fn unknown_nicknames_suggest_the_nearest() {
        let e = first_error("@dailly", Generic);
        assert_eq!((e.code, e.start, e.end), ("E0309", 0, 7));
        assert_eq!(e.help.as_deref(), Some("did you mean `@daily`?"));
        assert_eq!(first_error("@reboot", Croniter).code, "E0309");
        assert_eq!(errors("@daily 5", Generic), vec![("E0301", 7, 8)]);
        assert!(Cron::parse(" @DAILY ", Croniter).is_ok());
        assert!(Cron::parse("@annually", Kestra).is_ok());
    }

    #[test]
    fn nicknames_expand_to_their_five_fields() {
        let start = t("2024-02-27T10:00");
        for (nick, first) in [
            ("@yearly", "2025-01-01T00:00:00"),
            ("@monthly", "2024-03-01T00:00:00"),
            ("@weekly", "2024-03-03T00:00:00"),
            ("@daily", "2024-02-28T00:00:00"),
            ("@hourly", "2024-02-27T10:00:00"),
        ] {
            let c = cron(nick, KestraSeconds);
            assert_eq!(
                c.next_at_or_after(start).unwrap().to_string(),
                first,
                "{nick}"
            );
        }
    }

    #[test]
    fn schedules_that_never_fire_are_errors() {
        let e = first_error("0 0 30 2 *", Generic);
        assert_eq!((e.code, e.start, e.end), ("E0313", 4, 8));
        assert_eq!(e.message, "`30 2` never fires: no date matches it");
        assert_eq!(e.help.as_deref(), Some("february has at most 29 days"));
        let e = first_error("0 0 31 4,6,9,11 *", Kestra);
        assert_eq!((e.code, e.start, e.end), ("E0313", 4, 15));
        assert_eq!(
            e.help.as_deref(),
            Some("april, june, september and november have at most 30 days")
        );
        // Feb 29 exists in leap years; the OR rule rescues feb 31 on mondays.
        assert!(Cron::parse("0 0 29 2 *", Generic).is_ok());
        assert!(Cron::parse("0 0 31 2 1", Croniter).is_ok());
        assert_eq!(
            errors("0 0 29 2 * 0 2023", Croniter),
            vec![("E0313", 4, 17)]
        );
    }

    #[test]
    fn croniter_specific_syntax_errors() {
        assert_eq!(errors("0 0 LW * *", Croniter), vec![("E0310", 4, 6)]);
        assert_eq!(errors("0 0 1,15W * *", Croniter), vec![("E0314", 6, 9)]);
        assert_eq!(errors("0 0 * * 1,5#2", Croniter), vec![("E0315", 8, 13)]);
        assert_eq!(errors("H * * * *", Croniter), vec![("E0316", 0, 1)]);
        assert_eq!(errors("R/5 * * * *", Croniter), vec![("E0316", 0, 3)]);
        assert_eq!(errors("0 0 * * 5#6", Croniter), vec![("E0312", 8, 11)]);
        assert_eq!(errors("0 L * * *", Croniter), vec![("E0311", 2, 3)]);
        assert_eq!(errors("0 0 ?,1 * *", Croniter), vec![("E0311", 4, 7)]);
        assert_eq!(errors("? 0 * * *", Croniter), vec![("E0311", 0, 1)]);
        assert!(Cron::parse("0 0 1,15W * *", Generic).is_ok());
        assert!(Cron::parse("0 0 * * 1,5#2", Generic).is_ok());
    }

    #[test]
    fn wrong_field_counts_say_what_was_expected() {
        let e = first_error("* * * *", Generic);
        assert_eq!((e.code, e.start, e.end), ("E0301", 0, 7));
        assert_eq!(
            e.message,
            "expected 5 fields (minute hour day-of-month month day-of-week), found 4 in `* * * *`"
        );
        assert_eq!(errors("* * * * * * * *", Croniter), vec![("E0301", 14, 15)]);
        assert_eq!(first_error("   ", Generic).code, "E0302");
        assert_eq!(first_error("", Generic).code, "E0302");
    }

    #[test]
    fn seconds_default_to_zero_without_a_seconds_field() {
        assert_eq!(cron("*/30 1 * * *", Generic).times_of_day(), [3600, 5400]);
        assert_eq!(
            cron("15,45 */30 1 * * *", GenericSeconds).times_of_day(),
            [3615, 3645, 5415, 5445]
        );
    }

    #[test]
    fn fixed_hour_means_the_hour_field_is_restricted() {
        assert!(cron("0 2 * * *", Generic).is_fixed_hour());
        assert!(cron("0 */2 * * *", Generic).is_fixed_hour());
        assert!(!cron("0 * * * *", Generic).is_fixed_hour());
        assert!(!cron("0 0-23 * * *", Generic).is_fixed_hour());
        assert!(!cron("@hourly", Croniter).is_fixed_hour());
    }

    #[test]
    fn matches_agrees_with_the_fire_times() {
        let c = cron("30 9 L * MON", Generic);
        assert!(c.matches(t("2025-01-31T09:30")));
        assert!(c.matches(t("2025-01-06T09:30")));
        assert!(!c.matches(t("2025-01-06T09:30:01")));
        assert!(!c.matches(t("2025-01-07T09:30")));
        assert!(c.matches_day(2025, 1, 31));
        assert!(!c.matches_day(2025, 2, 30));
        assert!(!c.matches_day(2025, 13, 1));
        assert!(!c.matches_day(0, 1, 1));
    }

    #[test]
    fn searches_stop_at_the_supported_years() {
        let c = cron("0 0 1 1 *", Generic);
        assert_eq!(c.next_after(t("9999-01-01")), None);
        assert_eq!(c.next_at_or_after(t("9999-01-01")), Some(t("9999-01-01")));
        assert_eq!(c.prev_before(t("0001-01-01")), None);
        assert_eq!(
            c.prev_before(t("0001-01-01T00:00:01")),
            Some(t("0001-01-01"))
        );
        assert_eq!(c.iter_from(t("9998-06-01")).count(), 1);
        assert_eq!(
            c.count_between(t("0001-01-01"), Civil::from_secs(i64::MAX)),
            9999
        );
        assert_eq!(
            c.count_between(Civil::from_secs(i64::MIN), t("0002-01-01")),
            1
        );
        assert_eq!(c.next_after(Civil::from_secs(i64::MAX)), None);
        assert_eq!(c.nth_at_or_after(t("2000-01-01"), u64::MAX), None);
        assert_eq!(
            c.nth_at_or_after(t("2000-01-01"), 7999),
            Some(t("9999-01-01"))
        );
        assert_eq!(c.nth_at_or_after(t("2000-01-01"), 8000), None);
        let every = cron("* * * * * *", GenericSeconds);
        let last = t("9999-12-31T23:59:59");
        assert_eq!(every.iter_from(last).collect::<Vec<_>>(), [last]);
        assert_eq!(every.next_after(last), None);
    }

    #[test]
    fn empty_and_backwards_windows_count_zero() {
        let c = cron("* * * * *", Generic);
        let a = t("2025-01-01");
        assert_eq!(c.count_between(a, a), 0);
        assert_eq!(c.count_between(a, t("2024-01-01")), 0);
        assert_eq!(c.count_between(a, t("2025-01-01T00:01")), 1);
        assert_eq!(c.count_between(a, t("2025-01-01T00:01:01")), 2);
    }

    #[test]
    fn counts_over_millennia_match_the_calendar() {
        // 2000-01-01 .. 4000-01-01 spans exactly five 400-year cycles.
        let c = cron("* * * * *", Generic);
        let span = 5 * 146_097 * 1440;
        assert_eq!(c.count_between(t("2000-01-01"), t("4000-01-01")), span);
        let leap = cron("0 0 29 2 *", Generic);
        assert_eq!(leap.count_between(t("2000-01-01"), t("2400-01-01")), 97);
        let fri13 = cron("0 0 13 * 5", Dagster);
        // Friday the 13th: the OR rule makes it every 13th plus every friday.
        assert_eq!(
            fri13.count_between(t("2000-01-01"), t("2400-01-01")),
            400 * 12 + 146_097 / 7 - 688
        );
    }

    #[test]
    fn nth_fire_and_iteration_agree_across_month_and_year_ends() {
        let c = cron("0 12 L * 0,6", Generic);
        let start = t("2023-12-20");
        let walked: Vec<Civil> = c.iter_from(start).take(200).collect();
        for (k, &x) in walked.iter().enumerate() {
            assert_eq!(c.nth_at_or_after(start, k as u64), Some(x));
            assert!(c.matches(x));
        }
        for pair in walked.windows(2) {
            assert_eq!(c.next_after(pair[0]), Some(pair[1]));
            assert_eq!(c.prev_before(pair[1]), Some(pair[0]));
        }
    }

    #[test]
    fn the_iterator_reports_its_exact_length() {
        let c = cron("0 0 * * *", Generic);
        let it = c.iter_from(t("9999-12-01"));
        assert_eq!(it.size_hint(), (31, Some(31)));
        assert_eq!(it.count(), 31);
    }

    // --- brute-force cross-check ---------------------------------------------------

    /// A day test written per date, independent of the month-mask tables.
    fn naive_day(c: &Cron, y: i32, m: u32, d: u32) -> bool {
        if !bit16(c.months, m) || !c.year_allowed(y) {
            return false;
        }
        let s = &c.days;
        let n = days_in_month(y, m);
        let wd_of = |day: u32| weekday_from_days(days_from_civil(y, m, day));
        let weekday = |day: u32| (1..=5).contains(&wd_of(day));
        let wd = wd_of(d);
        let last_weekday = (1..=n).rev().find(|&x| weekday(x));
        // The weekday in the month closest to `target` (there are never ties).
        let nearest = |w: u32| {
            let target = w.min(n);
            (1..=n)
                .filter(|&x| weekday(x))
                .min_by_key(|&x| x.abs_diff(target))
        };
        let w_hit = (1..=31).any(|w| bit32(s.nearest, w) && nearest(w) == Some(d));
        let dom_hit =
            bit32(s.dom, d) || (s.last && d == n) || (s.last_weekday && Some(d) == last_weekday);
        let k = (d - 1) / 7;
        let is_last = d + 7 > n;
        let bits = s.nth[wd as usize];
        let nth_hit = bits >> k & 1 == 1 || (bits & LAST_OCCURRENCE != 0 && is_last);
        let plain_hit = s.dow >> wd & 1 == 1;
        let has_nth = s.nth.iter().any(|&b| b != 0);
        if s.croniter {
            let a = if s.nearest != 0 {
                w_hit
            } else {
                s.dom_star || dom_hit
            };
            let b = if has_nth {
                nth_hit
            } else {
                s.dow_star || plain_hit
            };
            if s.dom_star || s.dow_star {
                return a && b;
            }
            let a2 = s.nearest == 0 || a;
            let b2 = !has_nth || b;
            (a && b2) || (a2 && b)
        } else {
            let a = s.dom_star || dom_hit || w_hit;
            let b = s.dow_star || plain_hit || nth_hit;
            if s.dom_star || s.dow_star {
                a && b
            } else {
                a || b
            }
        }
    }

    fn naive_fires(c: &Cron, from: Civil, to: Civil, step: i64) -> Vec<Civil> {
        let mut out = Vec::new();
        let mut day = from.days();
        while day * DAY < to.secs() {
            let (y, m, d) = civil_from_days(day);
            if naive_day(c, y, m, d) {
                let mut s = 0;
                while s < DAY {
                    let x = Civil::from_secs(day * DAY + s);
                    let (hh, mm, ss) = x.time();
                    if x >= from
                        && x < to
                        && bit32(c.hours, hh)
                        && bit64(c.minutes, mm)
                        && bit64(c.seconds, ss)
                    {
                        out.push(x);
                    }
                    s += step;
                }
            }
            day += 1;
        }
        out
    }

    /// A tiny deterministic generator (Knuth's MMIX LCG).
    struct Lcg(u64);
    impl Lcg {
        fn next(&mut self) -> u64 {
            self.0 = self
                .0
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            self.0 >> 33
        }

        fn pick<'a>(&mut self, options: &[&'a str]) -> &'a str {
            options[self.next() as usize % options.len()]
        }
    }

    fn cross_check(c: &Cron, expr: &str, from: Civil, to: Civil, step: i64) -> usize {
        let naive = naive_fires(c, from, to, step);
        let n = naive.len() as u64;
        assert_eq!(c.count_between(from, to), n, "{expr}: count");
        let walked: Vec<Civil> = c.iter_from(from).take(naive.len()).collect();
        assert_eq!(walked, naive, "{expr}: iter_from");
        if let Some(after) = c.nth_at_or_after(from, n) {
            assert!(after >= to, "{expr}: fire {after} missed by the scan");
        }
        let stride = (naive.len() / 97).max(1);
        for (k, &x) in naive.iter().enumerate().step_by(stride) {
            assert_eq!(
                c.nth_at_or_after(from, k as u64),
                Some(x),
                "{expr}: nth {k}"
            );
            assert!(c.matches(x), "{expr}: matches {x}");
            if k > 0 {
                assert_eq!(c.prev_before(x), Some(naive[k - 1]), "{expr}: prev {x}");
            }
            // A sub-window that starts and ends mid-stream.
            let b = naive[(k + 3 * stride).min(naive.len() - 1)];
            let in_window = naive.iter().filter(|&&y| y >= x && y < b).count() as u64;
            assert_eq!(c.count_between(x, b), in_window, "{expr}: [{x}, {b})");
        }
        naive.len()
    }

    #[test]
    fn brute_force_scans_agree_with_counting_selecting_and_iterating() {
        let minutes = ["0", "*/15", "5,35", "*/7", "59", "0-10/5"];
        let hours = ["*", "0", "9-17", "*/5", "23"];
        let doms = [
            "*", "1", "L", "15W", "1W", "31W", "31", "*/10", "29-31", "LW", "1-31", "L,1", "?",
        ];
        let months = ["*", "2", "2,3", "*/3", "12", "JAN-MAR", "1-12"];
        let dows = [
            "*", "1", "MON-FRI", "5#2", "L5", "0,6", "5#5", "*/2", "0-6", "L0,1#1", "?",
        ];
        let windows = [
            (t("2024-01-25"), t("2024-04-05")),
            (t("2099-12-20T13:07"), t("2100-03-10")),
        ];
        let mut rng = Lcg(0x5eed);
        let mut checked = 0;
        let (mut fired, mut silent) = (0, 0);
        while checked < 32 {
            let expr = [
                rng.pick(&minutes),
                rng.pick(&hours),
                rng.pick(&doms),
                rng.pick(&months),
                rng.pick(&dows),
            ]
            .join(" ");
            let dialect = if checked % 2 == 0 { Generic } else { Croniter };
            let Ok(c) = Cron::parse(&expr, dialect) else {
                continue;
            };
            for &(from, to) in &windows {
                match cross_check(&c, &expr, from, to, 60) {
                    0 => silent += 1,
                    n => fired += n,
                }
            }
            checked += 1;
        }
        for expr in ["*/20 5 0 L * *", "0,30 * 23 LW * 5", "* * * 28-31 2 *"] {
            let c = cron(expr, GenericSeconds);
            fired += cross_check(&c, expr, t("2024-02-27T22:00"), t("2024-03-02"), 1);
        }
        // The scan exercised real schedules, not empty ones.
        assert!(
            fired > 50_000 && silent < 8,
            "{fired} fires, {silent} silent windows"
        );
    }

    #[test]
    fn random_text_never_panics_and_errors_stay_in_bounds() {
        let alphabet: Vec<char> = "0123456789012345 * * /-,#?LWlwH@RMONFRIJANdec \t\u{e9}\u{a0}7-"
            .chars()
            .collect();
        let dialects = [
            Kestra,
            KestraSeconds,
            Croniter,
            Dagster,
            Generic,
            GenericSeconds,
        ];
        let probes = [
            Civil::from_secs(i64::MIN),
            t("0001-01-01"),
            t("1969-12-31T23:59:59"),
            t("2024-02-29T12:34:56"),
            t("9999-12-31T23:59:59"),
            Civil::from_secs(i64::MAX),
        ];
        let mut rng = Lcg(7);
        let (mut parsed, mut rejected) = (0, 0);
        for i in 0..6_000 {
            let len = (rng.next() % 28) as usize;
            let expr: String = (0..len)
                .map(|_| alphabet[rng.next() as usize % alphabet.len()])
                .collect();
            // Every fifth one is built from plausible fields, so that many parse.
            let expr = if i % 5 == 0 {
                let fields: [&[&str]; 5] = [
                    &["*", "0", "*/7", "1-5", "59"],
                    &["*", "0", "*/7", "1-5", "23"],
                    &["*", "L", "15W", "1-5", "?", "31", "LW"],
                    &["*", "1-5", "FEB", "2"],
                    &["*", "MON", "5#2", "L5", "?", "7", "1,5#2"],
                ];
                fields
                    .iter()
                    .map(|f| rng.pick(f))
                    .collect::<Vec<_>>()
                    .join(" ")
            } else {
                expr
            };
            for dialect in dialects {
                match Cron::parse(&expr, dialect) {
                    Ok(c) => {
                        parsed += 1;
                        for &p in &probes {
                            let _ = (c.matches(p), c.next_after(p), c.prev_before(p));
                            let _ = c.nth_at_or_after(p, rng.next() % 1000);
                            let _ = c.count_between(probes[0], p);
                            let _ = c.iter_from(p).take(3).count();
                        }
                    }
                    Err(errors) => {
                        rejected += 1;
                        assert!(!errors.is_empty());
                        for e in errors {
                            let n: u32 = e.code[1..].parse().unwrap();
                            assert!((301..=319).contains(&n), "{expr:?}: {e}");
                            assert!(e.start <= e.end && e.end <= expr.len(), "{expr:?}: {e}");
                            assert!(expr.is_char_boundary(e.start), "{expr:?}: {e}");
                            assert!(expr.is_char_boundary(e.end), "{expr:?}: {e}");
                            assert!(!e.message.contains('\n'), "{expr:?}: {e}");
                        }
                    }
                }
            }
        }
        assert!(
            parsed > 1_500 && rejected > 25_000,
            "{parsed} parsed, {rejected} rejected"
        );
    }

    #[test]
    #[ignore = "timing; run with --release -- --ignored --nocapture"]
    fn timing_of_a_million_fires_and_a_two_thousand_year_count() {
        use std::time::Instant;
        let c = cron("* * * * *", Generic);
        let start = t("2024-01-01");
        let clock = Instant::now();
        let mut sum = 0i64;
        let mut n = 0u32;
        for x in c.iter_from(start).take(1_000_000) {
            sum = sum.wrapping_add(x.secs());
            n += 1;
        }
        let iterate = clock.elapsed();
        let clock = Instant::now();
        let count = c.count_between(t("2000-01-01"), t("4000-01-01"));
        let counted = clock.elapsed();
        let clock = Instant::now();
        let nth = c.nth_at_or_after(t("2000-01-01"), count - 1);
        let nth_time = clock.elapsed();
        let clock = Instant::now();
        let parsed = Cron::parse("*/5 9-17 L,15W * MON-FRI", Generic).is_ok();
        let parse_time = clock.elapsed();
        println!("iterate 1,000,000 `* * * * *`: {iterate:?} ({n} items, checksum {sum})");
        println!("count 2,000 years of `* * * * *`: {counted:?} ({count} fires)");
        println!("nth_at_or_after the last of them: {nth_time:?} ({nth:?})");
        println!("parse `*/5 9-17 L,15W * MON-FRI`: {parse_time:?} ({parsed})");
    }
}
