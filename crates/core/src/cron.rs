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

use crate::time::civil::{
    days_from_civil, days_in_month, is_leap, weekday_from_days, Civil, DAY, MAX_YEAR, MIN_YEAR,
};
use std::fmt;
use std::iter::FusedIterator;

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

    /// The fire times at or after `a`, ascending, until the end of year 9999.
    #[must_use]
    pub fn iter_from(&self, a: Civil) -> CronIter<'_> {
        let index = self.fires_before(a);
        let remaining = self.total.saturating_sub(index);
        let mut iter = CronIter {
            cron: self,
            times: &self.times,
            year: MAX_YEAR,
            month: 12,
            day: 31,
            mask: 0,
            day_start: 0,
            slot: 0,
            remaining: 0,
        };
        if let Some(pos) = self.locate(index) {
            iter.year = pos.year;
            iter.month = pos.month;
            iter.day = pos.day;
            iter.mask = pos.mask;
            iter.day_start = days_from_civil(pos.year, pos.month, pos.day) * DAY;
            iter.slot = pos.slot;
            iter.remaining = remaining;
        }
        iter
    }

    // --- counting and selecting -------------------------------------------------------

    /// Matching days of month `m` of year `y` (bit `d` = day `d`), months and years
    /// applied.
    fn month_mask(&self, y: i32, m: u32) -> u32 {
        if !bit16(self.months, m) || !self.year_allowed(y) {
            return 0;
        }
        let n = days_in_month(y, m);
        let first = weekday_from_days(days_from_civil(y, m, 1));
        table_mask(&self.day_table, n, first)
    }

    fn year_allowed(&self, y: i32) -> bool {
        match &self.years {
            None => true,
            Some(bits) => bits.contains(y),
        }
    }

    fn cycle_days(&self) -> u64 {
        u64::from(self.year_prefix.last().copied().unwrap_or(0))
    }

    /// Matching days in year `y`, months applied, years not.
    fn year_days(&self, y: i32) -> u64 {
        let i = cycle_index(y);
        let lo = self.year_prefix.get(i).copied().unwrap_or(0);
        let hi = self.year_prefix.get(i + 1).copied().unwrap_or(lo);
        u64::from(hi.saturating_sub(lo))
    }

    /// Matching days in the years `[1, y)`, for `1 <= y <= 10000`.
    fn days_before_year(&self, y: i32) -> u64 {
        match &self.years {
            None => {
                let elapsed = u64::try_from(y.saturating_sub(1)).unwrap_or(0);
                let partial = self
                    .year_prefix
                    .get(usize::try_from(elapsed % 400).unwrap_or(0))
                    .copied()
                    .unwrap_or(0);
                (elapsed / 400) * self.cycle_days() + u64::from(partial)
            }
            Some(bits) => bits
                .years()
                .take_while(|&year| year < y)
                .map(|year| self.year_days(year))
                .sum(),
        }
    }

    /// The year holding the `q`-th (0-based) matching day, and `q` relative to that year.
    fn find_year(&self, q: u64) -> Option<(i32, u64)> {
        match &self.years {
            None => {
                let cycle = self.cycle_days();
                if cycle == 0 {
                    return None;
                }
                let (cycles, rem) = (q / cycle, q % cycle);
                let after = self.year_prefix.partition_point(|&p| u64::from(p) <= rem);
                let i = after.checked_sub(1)?;
                let before = u64::from(self.year_prefix.get(i).copied()?);
                let year = 1 + 400 * i64::try_from(cycles).ok()? + i64::try_from(i).ok()?;
                Some((i32::try_from(year).ok()?, rem - before))
            }
            Some(bits) => {
                let mut rem = q;
                for year in bits.years() {
                    let n = self.year_days(year);
                    if rem < n {
                        return Some((year, rem));
                    }
                    rem -= n;
                }
                None
            }
        }
    }

    /// Number of fire times strictly before `t` (counted from the start of year 1).
    fn fires_before(&self, t: Civil) -> u64 {
        let t = t.clamp(min_civil(), end_civil());
        let (y, m, d) = t.date();
        let mut days = self.days_before_year(y);
        if self.year_allowed(y) {
            let before = self
                .month_prefix
                .get(year_kind(y))
                .and_then(|row| row.get(m as usize - 1));
            days += u64::from(before.copied().unwrap_or(0));
        }
        let mask = self.month_mask(y, m);
        days += u64::from((mask & days_below(d)).count_ones());
        let per_day = self.times.len() as u64;
        let mut fires = days * per_day;
        if bit32(mask, d) {
            let sod = t.second_of_day();
            fires += self.times.partition_point(|&s| s < sod) as u64;
        }
        fires
    }

    /// Where the fire with global index `index` (0 = the first fire of year 1) falls.
    fn locate(&self, index: u64) -> Option<Position> {
        if index >= self.total {
            return None;
        }
        let per_day = self.times.len() as u64;
        let (day_index, slot) = (index / per_day, index % per_day);
        let (year, mut rem) = self.find_year(day_index)?;
        for month in 1..=12 {
            let mask = self.month_mask(year, month);
            let n = u64::from(mask.count_ones());
            if rem < n {
                let day = nth_set_bit(mask, u32::try_from(rem).ok()?)?;
                let slot = usize::try_from(slot).ok()?;
                return Some(Position {
                    year,
                    month,
                    day,
                    mask,
                    slot,
                });
            }
            rem -= n;
        }
        None
    }

    /// The fire with global index `index`.
    fn select(&self, index: u64) -> Option<Civil> {
        let pos = self.locate(index)?;
        let sod = self.times.get(pos.slot).copied()?;
        let day = days_from_civil(pos.year, pos.month, pos.day);
        Some(Civil::from_secs(day * DAY + i64::from(sod)))
    }
}

/// Where a fire falls: its date, the month's day mask and its index in the day's times.
#[derive(Debug, Clone, Copy)]
struct Position {
    year: i32,
    month: u32,
    day: u32,
    mask: u32,
    slot: usize,
}

/// The fire times of a [`Cron`] from some start, ascending; see [`Cron::iter_from`].
#[derive(Debug, Clone)]
pub struct CronIter<'a> {
    cron: &'a Cron,
    times: &'a [u32],
    year: i32,
    month: u32,
    day: u32,
    /// The current month's day mask.
    mask: u32,
    /// Civil seconds of the current day's midnight.
    day_start: i64,
    /// Index in `times` of the next fire.
    slot: usize,
    /// Fires left before the end of year 9999.
    remaining: u64,
}

impl CronIter<'_> {
    /// Moves to the next matching day (called only while fires remain).
    fn advance_day(&mut self) {
        let above = self.mask & !days_through(self.day);
        if above != 0 {
            let next = above.trailing_zeros();
            self.day_start += i64::from(next - self.day) * DAY;
            self.day = next;
            return;
        }
        loop {
            self.month += 1;
            if self.month > 12 {
                self.month = 1;
                self.year += 1;
            }
            if self.year > MAX_YEAR {
                self.remaining = 0;
                return;
            }
            let mask = self.cron.month_mask(self.year, self.month);
            if mask != 0 {
                self.mask = mask;
                self.day = mask.trailing_zeros();
                self.day_start = days_from_civil(self.year, self.month, self.day) * DAY;
                return;
            }
        }
    }
}

impl Iterator for CronIter<'_> {
    type Item = Civil;

    fn next(&mut self) -> Option<Civil> {
        if self.remaining == 0 {
            return None;
        }
        let sod = self.times.get(self.slot).copied()?;
        let t = Civil::from_secs(self.day_start + i64::from(sod));
        self.remaining -= 1;
        self.slot += 1;
        if self.slot >= self.times.len() && self.remaining > 0 {
            self.slot = 0;
            self.advance_day();
        }
        Some(t)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = usize::try_from(self.remaining);
        (n.unwrap_or(usize::MAX), n.ok())
    }
}

impl FusedIterator for CronIter<'_> {}

// ---------------------------------------------------------------------------------------
// Error codes
// ---------------------------------------------------------------------------------------

const E_FIELD_COUNT: &str = "E0301";
const E_EMPTY: &str = "E0302";
const E_MALFORMED: &str = "E0303";
const E_RANGE: &str = "E0304";
const E_REVERSED: &str = "E0305";
const E_STEP: &str = "E0306";
const E_EMPTY_ITEM: &str = "E0307";
const E_NAME: &str = "E0308";
const E_NICKNAME: &str = "E0309";
const E_UNSUPPORTED: &str = "E0310";
const E_PLACEMENT: &str = "E0311";
const E_OCCURRENCE: &str = "E0312";
const E_NEVER: &str = "E0313";
const E_W_LIST: &str = "E0314";
const E_NTH_MIX: &str = "E0315";
const E_HASH: &str = "E0316";
const E_CRONITER_FAILS: &str = "E0317";

impl CronError {
    fn new(
        code: &'static str,
        span: (usize, usize),
        message: String,
        help: Option<String>,
    ) -> Self {
        CronError {
            code,
            message,
            help,
            start: span.0,
            end: span.1,
        }
    }
}

// ---------------------------------------------------------------------------------------
// Fields and dialects
// ---------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Second,
    Minute,
    Hour,
    DayOfMonth,
    Month,
    DayOfWeek,
    Year,
}

impl Field {
    const fn name(self) -> &'static str {
        match self {
            Field::Second => "second",
            Field::Minute => "minute",
            Field::Hour => "hour",
            Field::DayOfMonth => "day-of-month",
            Field::Month => "month",
            Field::DayOfWeek => "day-of-week",
            Field::Year => "year",
        }
    }

    /// The values a field accepts (day-of-week 7 is Sunday again).
    const fn bounds(self) -> (u32, u32) {
        match self {
            Field::Second | Field::Minute => (0, 59),
            Field::Hour => (0, 23),
            Field::DayOfMonth => (1, 31),
            Field::Month => (1, 12),
            Field::DayOfWeek => (0, 7),
            Field::Year => (1970, 2099),
        }
    }

    /// Where `*/s` and `v/s` stop: the field's end, except day-of-week stops at 6.
    const fn step_end(self) -> u32 {
        match self {
            Field::DayOfWeek => 6,
            _ => self.bounds().1,
        }
    }

    /// The number of distinct values the field can hold (`*` is this many).
    const fn cycle(self) -> u32 {
        match self {
            Field::DayOfWeek => 7,
            _ => self.bounds().1 - self.bounds().0 + 1,
        }
    }

    const fn index(self) -> usize {
        match self {
            Field::Second => 0,
            Field::Minute => 1,
            Field::Hour => 2,
            Field::DayOfMonth => 3,
            Field::Month => 4,
            Field::DayOfWeek => 5,
            Field::Year => 6,
        }
    }
}

const UNIX: [Field; 5] = [
    Field::Minute,
    Field::Hour,
    Field::DayOfMonth,
    Field::Month,
    Field::DayOfWeek,
];
const SECONDS_FIRST: [Field; 6] = [
    Field::Second,
    Field::Minute,
    Field::Hour,
    Field::DayOfMonth,
    Field::Month,
    Field::DayOfWeek,
];
const SECONDS_LAST: [Field; 6] = [
    Field::Minute,
    Field::Hour,
    Field::DayOfMonth,
    Field::Month,
    Field::DayOfWeek,
    Field::Second,
];
const WITH_YEAR: [Field; 7] = [
    Field::Minute,
    Field::Hour,
    Field::DayOfMonth,
    Field::Month,
    Field::DayOfWeek,
    Field::Second,
    Field::Year,
];

impl CronDialect {
    /// The fields, in order, of an expression with `n` fields.
    fn layout(self, n: usize) -> Option<&'static [Field]> {
        match (self, n) {
            (CronDialect::Kestra | CronDialect::Dagster | CronDialect::Generic, 5)
            | (CronDialect::Croniter, 5) => Some(&UNIX),
            (CronDialect::KestraSeconds | CronDialect::GenericSeconds, 6) => Some(&SECONDS_FIRST),
            (CronDialect::Croniter, 6) => Some(&SECONDS_LAST),
            (CronDialect::Croniter, 7) => Some(&WITH_YEAR),
            _ => None,
        }
    }

    fn max_fields(self) -> usize {
        match self {
            CronDialect::Kestra | CronDialect::Dagster | CronDialect::Generic => 5,
            CronDialect::KestraSeconds | CronDialect::GenericSeconds => 6,
            CronDialect::Croniter => 7,
        }
    }

    fn expected(self) -> &'static str {
        match self {
            CronDialect::Kestra | CronDialect::Dagster | CronDialect::Generic => {
                "5 fields (minute hour day-of-month month day-of-week)"
            }
            CronDialect::KestraSeconds | CronDialect::GenericSeconds => {
                "6 fields (second minute hour day-of-month month day-of-week)"
            }
            CronDialect::Croniter => {
                "5, 6 or 7 fields (minute hour day-of-month month day-of-week [second [year]])"
            }
        }
    }

    /// `L`, `W`, `#`, `?`.
    fn has_extensions(self) -> bool {
        !matches!(self, CronDialect::Kestra | CronDialect::KestraSeconds)
    }

    /// cron-utils as Kestra defines it.
    fn is_kestra(self) -> bool {
        !self.has_extensions()
    }

    /// croniter's day rule and syntax restrictions.
    fn is_croniter(self) -> bool {
        matches!(self, CronDialect::Croniter | CronDialect::Dagster)
    }

    /// How error messages name the dialect's cron.
    fn label(self) -> &'static str {
        match self {
            CronDialect::Kestra | CronDialect::KestraSeconds => "kestra's cron",
            CronDialect::Croniter => "croniter",
            CronDialect::Dagster => "dagster's croniter",
            CronDialect::Generic | CronDialect::GenericSeconds => "the generic cron",
        }
    }
}

// ---------------------------------------------------------------------------------------
// Bits
// ---------------------------------------------------------------------------------------

const ALL_HOURS: u32 = (1 << 24) - 1;
const LAST_OCCURRENCE: u8 = 1 << 5;

fn bit16(mask: u16, i: u32) -> bool {
    i < 16 && mask >> i & 1 == 1
}

fn bit32(mask: u32, i: u32) -> bool {
    i < 32 && mask >> i & 1 == 1
}

fn bit64(mask: u64, i: u32) -> bool {
    i < 64 && mask >> i & 1 == 1
}

/// Bits `1..d` (the days of a month before day `d`), for `1 <= d <= 32`.
fn days_below(d: u32) -> u32 {
    ((1u64 << d.min(32)) - 1) as u32 & !1
}

/// Bits `0..=d`.
fn days_through(d: u32) -> u32 {
    ((2u64 << d.min(31)) - 1) as u32
}

/// The index of the `k`-th (0-based) set bit.
fn nth_set_bit(mut mask: u32, k: u32) -> Option<u32> {
    for _ in 0..k {
        mask &= mask.wrapping_sub(1);
    }
    (mask != 0).then(|| mask.trailing_zeros())
}

/// A set of up to 192 small values (croniter's years need 130).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Bits([u64; 3]);

impl Bits {
    fn insert(&mut self, i: u32) {
        if let Some(word) = self.0.get_mut((i / 64) as usize) {
            *word |= 1 << (i % 64);
        }
    }

    fn contains(&self, i: u32) -> bool {
        self.0
            .get((i / 64) as usize)
            .is_some_and(|word| word >> (i % 64) & 1 == 1)
    }

    fn count(&self) -> u32 {
        self.0.iter().map(|w| w.count_ones()).sum()
    }

    fn low(&self) -> u64 {
        let [low, _, _] = self.0;
        low
    }
}

/// croniter's year field: bit `y - 1970`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct YearBits(Bits);

impl YearBits {
    const FIRST: i32 = 1970;
    const LAST: i32 = 2099;

    fn contains(&self, y: i32) -> bool {
        (Self::FIRST..=Self::LAST).contains(&y) && self.0.contains((y - Self::FIRST) as u32)
    }

    fn years(&self) -> impl Iterator<Item = i32> + '_ {
        (Self::FIRST..=Self::LAST).filter(|&y| self.contains(y))
    }
}

/// Index of year `y` within the 400-year cycle that starts with year 1.
fn cycle_index(y: i32) -> usize {
    usize::try_from((i64::from(y) - 1).rem_euclid(400)).unwrap_or(0)
}

fn min_civil() -> Civil {
    Civil::from_days(days_from_civil(MIN_YEAR, 1, 1))
}

fn end_civil() -> Civil {
    Civil::from_days(days_from_civil(MAX_YEAR + 1, 1, 1))
}

// ---------------------------------------------------------------------------------------
// Day matching
// ---------------------------------------------------------------------------------------

/// Everything that decides whether a date matches, except its month and year.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct DaySpec {
    /// Day-of-month values, bits 1–31.
    dom: u32,
    /// `L`.
    last: bool,
    /// `LW`.
    last_weekday: bool,
    /// `15W`: bits 1–31.
    nearest: u32,
    /// Plain day-of-week values, bits 0–6.
    dow: u8,
    /// `#` and `L5`: per weekday, bit `k - 1` = the k-th, [`LAST_OCCURRENCE`] = the last.
    nth: [u8; 7],
    /// Day of month unrestricted (by the dialect's rule).
    dom_star: bool,
    /// Day of week unrestricted (by the dialect's rule).
    dow_star: bool,
    /// croniter's way of combining the two.
    croniter: bool,
}

/// Which part of the day rule to evaluate: the whole, or one side of croniter's split.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    Whole,
    DomSide,
    DowSide,
}

impl DaySpec {
    fn has_nth(&self) -> bool {
        self.nth.iter().any(|&n| n != 0)
    }

    /// Matching days (bits 1..=n) of a month of `n` days whose 1st is weekday `first`.
    fn mask(&self, n: u32, first: u32, part: Part) -> u32 {
        let valid = days_below(n + 1);
        let weekday = |d: u32| (first + d + 6) % 7;

        let mut dom = self.dom & valid;
        if self.last {
            dom |= 1 << n;
        }
        if self.last_weekday {
            let back = match weekday(n) {
                6 => 1,
                0 => 2,
                _ => 0,
            };
            dom |= 1 << (n - back);
        }
        let mut nearest = 0;
        for w in 1..=31 {
            if bit32(self.nearest, w) {
                nearest |= 1 << nearest_weekday(w, n, weekday);
            }
        }
        let mut plain = 0;
        for d in 1..=n {
            if self.dow >> weekday(d) & 1 == 1 {
                plain |= 1 << d;
            }
        }
        let mut nth = 0;
        for (wd, &bits) in (0u32..).zip(self.nth.iter()) {
            if bits == 0 {
                continue;
            }
            let first_day = 1 + (wd + 7 - first) % 7;
            for k in 0..5 {
                let d = first_day + 7 * k;
                if bits >> k & 1 == 1 && d <= n {
                    nth |= 1 << d;
                }
            }
            if bits & LAST_OCCURRENCE != 0 {
                nth |= 1 << (first_day + 7 * ((n - first_day) / 7));
            }
        }

        if self.croniter {
            // croniter: `W` replaces the day-of-month test and `#`/`L5` the day-of-week
            // test; the OR is computed as two searches, each of which keeps the other
            // field's `W`/`#` (croniter 7.0.0 `_calc_next`).
            let a = if self.nearest != 0 {
                nearest
            } else if self.dom_star {
                valid
            } else {
                dom
            };
            let b = if self.has_nth() {
                nth
            } else if self.dow_star {
                valid
            } else {
                plain
            };
            if self.dom_star || self.dow_star {
                return a & b;
            }
            let a_kept = if self.nearest != 0 { a } else { valid };
            let b_kept = if self.has_nth() { b } else { valid };
            match part {
                Part::Whole => (a & b_kept) | (a_kept & b),
                Part::DomSide => a & b_kept,
                Part::DowSide => a_kept & b,
            }
        } else {
            let a = if self.dom_star { valid } else { dom | nearest };
            let b = if self.dow_star { valid } else { plain | nth };
            if self.dom_star || self.dow_star {
                a & b
            } else {
                a | b
            }
        }
    }
}

/// The Monday–Friday nearest day `w` of a month of `n` days, never leaving the month;
/// `w` past the month's end is clamped to its last day (croniter's `_get_nearest_weekday`).
fn nearest_weekday(w: u32, n: u32, weekday: impl Fn(u32) -> u32) -> u32 {
    let day = w.min(n);
    match weekday(day) {
        6 if day > 1 => day - 1,
        6 => day + 2,
        0 if day < n => day + 1,
        0 => day - 2,
        _ => day,
    }
}

fn table_mask(table: &[[u32; 7]; 4], n: u32, first: u32) -> u32 {
    table
        .get(n.saturating_sub(28) as usize)
        .and_then(|row| row.get(first as usize))
        .copied()
        .unwrap_or(0)
}

fn day_table(days: &DaySpec, part: Part) -> [[u32; 7]; 4] {
    let mut table = [[0; 7]; 4];
    for (n, row) in (28u32..).zip(table.iter_mut()) {
        for (first, cell) in (0u32..).zip(row.iter_mut()) {
            *cell = days.mask(n, first, part);
        }
    }
    table
}

/// `prefix[i]`: matching days in years `1..=i` (months applied).
fn year_prefix(table: &[[u32; 7]; 4], months: u16) -> Vec<u32> {
    let mut prefix = Vec::with_capacity(401);
    let mut total = 0u32;
    // Weekday of the 1st of each month, carried forward month by month.
    let mut first = weekday_from_days(days_from_civil(1, 1, 1));
    prefix.push(0);
    for y in 1..=400 {
        for m in 1..=12 {
            let n = days_in_month(y, m);
            if bit16(months, m) {
                total += table_mask(table, n, first).count_ones();
            }
            first = (first + n) % 7;
        }
        prefix.push(total);
    }
    prefix
}

/// [`Cron::month_prefix`]: for each kind of year, the matching days before each month.
fn month_prefix(table: &[[u32; 7]; 4], months: u16) -> [[u16; 13]; 14] {
    let mut out = [[0u16; 13]; 14];
    for (k, row) in out.iter_mut().enumerate() {
        // 2001 is a common year, 2004 a leap one; only their lengths of February matter.
        let year = if k >= 7 { 2004 } else { 2001 };
        let mut first = (k % 7) as u32;
        let mut total = 0u16;
        for (m, cell) in (1..=12).zip(row.iter_mut().skip(1)) {
            let n = days_in_month(year, m);
            if bit16(months, m) {
                total += table_mask(table, n, first).count_ones() as u16;
            }
            first = (first + n) % 7;
            *cell = total;
        }
    }
    out
}

/// The kind of year `y` (see [`Cron::month_prefix`]).
fn year_kind(y: i32) -> usize {
    weekday_from_days(days_from_civil(y, 1, 1)) as usize + if is_leap(y) { 7 } else { 0 }
}

// ---------------------------------------------------------------------------------------
// Tokens
// ---------------------------------------------------------------------------------------

/// A piece of the expression and its byte offset.
#[derive(Debug, Clone, Copy)]
struct Token<'a> {
    text: &'a str,
    start: usize,
}

impl<'a> Token<'a> {
    fn end(self) -> usize {
        self.start + self.text.len()
    }

    fn span(self) -> (usize, usize) {
        (self.start, self.end())
    }

    /// The sub-token `text[from..to]` (on ASCII delimiters, so always char boundaries).
    fn slice(self, from: usize, to: usize) -> Token<'a> {
        Token {
            text: self.text.get(from..to).unwrap_or(""),
            start: self.start + from,
        }
    }

    /// Splits at the first `delimiter`.
    fn split_once(self, delimiter: char) -> Option<(Token<'a>, Token<'a>)> {
        let i = self.text.find(delimiter)?;
        Some((
            self.slice(0, i),
            self.slice(i + delimiter.len_utf8(), self.text.len()),
        ))
    }

    /// Splits at every `delimiter`, keeping empty pieces.
    fn split_all(self, delimiter: char) -> Vec<Token<'a>> {
        let mut out = Vec::new();
        let mut from = 0;
        for (i, c) in self.text.char_indices() {
            if c == delimiter {
                out.push(self.slice(from, i));
                from = i + c.len_utf8();
            }
        }
        out.push(self.slice(from, self.text.len()));
        out
    }
}

/// The fields: runs of characters between ASCII whitespace.
fn split_fields(expr: &str) -> Vec<Token<'_>> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in expr.char_indices() {
        match (c.is_ascii_whitespace(), start) {
            (true, Some(s)) => {
                out.push(Token {
                    text: expr.get(s..i).unwrap_or(""),
                    start: s,
                });
                start = None;
            }
            (false, None) => start = Some(i),
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push(Token {
            text: expr.get(s..).unwrap_or(""),
            start: s,
        });
    }
    out
}

fn is_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// A decimal number; `None` when it does not fit (it is then out of any range).
fn number(s: &str) -> Option<u32> {
    s.parse().ok()
}

const MONTH_NAMES: [&str; 12] = [
    "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
];
const DAY_NAMES: [&str; 7] = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];
const MONTH_FULL: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

fn lookup(names: &[&str], upper: &str) -> Option<u32> {
    names
        .iter()
        .position(|&n| n == upper)
        .and_then(|i| u32::try_from(i).ok())
}

/// A name to suggest for a misspelled one.
fn suggest_name(names: &[&str], upper: &str) -> Option<&'static str> {
    let known: &[&'static str] = if names.len() == 12 {
        &MONTH_NAMES
    } else {
        &DAY_NAMES
    };
    if let Some(prefix) = upper.get(..3) {
        if let Some(&n) = known.iter().find(|&&n| n == prefix) {
            return Some(n);
        }
    }
    known.iter().copied().find(|n| edit_distance(n, upper) <= 1)
}

/// Levenshtein distance over bytes (the strings here are short ASCII words).
fn edit_distance(a: &str, b: &str) -> usize {
    let b = b.as_bytes();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.bytes().enumerate() {
        let mut diagonal = i;
        let mut left = i + 1;
        let mut next = Vec::with_capacity(row.len());
        next.push(left);
        for (j, &cb) in b.iter().enumerate() {
            let up = row.get(j + 1).copied().unwrap_or(usize::MAX - 1);
            let cost = usize::from(ca != cb);
            left = (diagonal + cost).min(up + 1).min(left + 1);
            diagonal = up;
            next.push(left);
        }
        row = next;
    }
    row.last().copied().unwrap_or(0)
}

// ---------------------------------------------------------------------------------------
// Parsing
// ---------------------------------------------------------------------------------------

/// One field as parsed.
#[derive(Debug, Clone, Copy, Default)]
struct FieldSpec {
    values: Bits,
    /// A bare `*` or `?`: the field is unrestricted.
    star: bool,
    last: bool,
    last_weekday: bool,
    nearest: u32,
    nth: [u8; 7],
    /// Whether the field's text contains `*` (croniter's collapse rule looks at it).
    text_has_star: bool,
}

impl FieldSpec {
    fn nth_days(&self) -> u8 {
        let mut mask = 0;
        for (wd, &n) in self.nth.iter().enumerate() {
            if n != 0 {
                mask |= 1 << wd;
            }
        }
        mask
    }

    /// Day-of-week values (7 folded onto 0), plain ones only.
    fn weekdays(&self) -> u8 {
        let low = self.values.low();
        ((low | low >> 7) & 0x7f) as u8
    }
}

/// The parsed fields and where they were written.
#[derive(Debug, Default)]
struct Fields<'a> {
    specs: [Option<(FieldSpec, Token<'a>)>; 7],
}

impl<'a> Fields<'a> {
    fn put(&mut self, field: Field, spec: FieldSpec, token: Token<'a>) {
        if let Some(slot) = self.specs.get_mut(field.index()) {
            *slot = Some((spec, token));
        }
    }

    fn get(&self, field: Field) -> Option<&(FieldSpec, Token<'a>)> {
        self.specs.get(field.index()).and_then(Option::as_ref)
    }

    fn spec(&self, field: Field) -> FieldSpec {
        self.get(field).map(|(s, _)| *s).unwrap_or_default()
    }
}

/// A special day form, recognised on the upper-cased text of a list entry.
enum Special<'a> {
    /// `L` (day of month).
    Last,
    /// `LW` (day of month).
    LastWeekday,
    /// `15W` / `W15` (day of month), with the digits.
    Nearest(&'a str),
    /// `L5` (day of week), with the digits.
    LastOf(&'a str),
    /// `5L`, with the digits: not croniter's spelling.
    SuffixL(&'a str),
}

impl<'a> Special<'a> {
    fn classify(upper: &'a str) -> Option<Special<'a>> {
        match upper {
            "L" => return Some(Special::Last),
            "LW" => return Some(Special::LastWeekday),
            _ => {}
        }
        if let Some(d) = upper.strip_suffix('W').filter(|d| is_digits(d)) {
            return Some(Special::Nearest(d));
        }
        if let Some(d) = upper.strip_prefix('W').filter(|d| is_digits(d)) {
            return Some(Special::Nearest(d));
        }
        if let Some(d) = upper.strip_prefix('L').filter(|d| is_digits(d)) {
            return Some(Special::LastOf(d));
        }
        if let Some(d) = upper.strip_suffix('L').filter(|d| is_digits(d)) {
            return Some(Special::SuffixL(d));
        }
        None
    }

    /// The field the form belongs to.
    fn field(&self) -> Field {
        match self {
            Special::Last | Special::LastWeekday | Special::Nearest(_) => Field::DayOfMonth,
            Special::LastOf(_) | Special::SuffixL(_) => Field::DayOfWeek,
        }
    }

    /// The character a message names.
    fn symbol(&self) -> &'static str {
        match self {
            Special::Nearest(_) => "W",
            Special::LastWeekday => "LW",
            _ => "L",
        }
    }
}

/// Inclusive bounds of a list entry before its step.
#[derive(Debug, Clone, Copy)]
struct Bounds {
    lo: u32,
    hi: u32,
    /// Written as one value, not a range.
    single: bool,
    /// Both ends written as names.
    names: bool,
}

struct Parser {
    dialect: CronDialect,
    errors: Vec<CronError>,
}

impl Parser {
    fn error(&mut self, code: &'static str, span: (usize, usize), message: String) {
        self.errors.push(CronError::new(code, span, message, None));
    }

    fn error_help(
        &mut self,
        code: &'static str,
        span: (usize, usize),
        message: String,
        help: String,
    ) {
        self.errors
            .push(CronError::new(code, span, message, Some(help)));
    }

    /// Kestra has none of `L`, `W`, `#`, `?`.
    fn unsupported_in_kestra(&mut self, token: Token<'_>, symbol: &str) {
        let help = match symbol {
            "#" => "kestra's cron has no `#`; use a `DayWeekInMonth` condition instead".to_string(),
            "?" => "kestra's cron has no `?`; use `*`".to_string(),
            _ => format!("kestra's cron has no `{symbol}`; list the days instead"),
        };
        self.error_help(
            E_UNSUPPORTED,
            token.span(),
            format!("`{}` is not supported by kestra's cron", token.text),
            help,
        );
    }

    fn count_error(
        &self,
        expr: &str,
        tokens: &[Token<'_>],
        first: Token<'_>,
        last: Token<'_>,
    ) -> CronError {
        let n = tokens.len();
        let max = self.dialect.max_fields();
        let span = match tokens.get(max) {
            Some(extra) if n > max => (extra.start, last.end()),
            _ => (first.start, last.end()),
        };
        let trimmed = expr.trim_matches(|c: char| c.is_ascii_whitespace());
        let help = match (self.dialect, n) {
            (CronDialect::Kestra, 6) => {
                Some("six fields need `withSeconds: true` (seconds first)".to_string())
            }
            (CronDialect::KestraSeconds, 5) => Some(format!(
                "with `withSeconds: true` the seconds come first, e.g. `0 {trimmed}`"
            )),
            (CronDialect::Generic, 6) => {
                Some("six fields need `with_seconds: true` (seconds first)".to_string())
            }
            (CronDialect::GenericSeconds, 5) => Some(format!(
                "with `with_seconds: true` the seconds come first, e.g. `0 {trimmed}`"
            )),
            (CronDialect::Dagster, 6 | 7) => {
                Some("dagster's `cron_schedule` has no seconds or year field".to_string())
            }
            _ => None,
        };
        let text = expr.get(span.0..span.1).unwrap_or("");
        let found = if n > max {
            format!(
                "found {n}: `{text}` {} extra",
                if n - max == 1 { "is" } else { "are" }
            )
        } else {
            format!("found {n} in `{text}`")
        };
        CronError::new(
            E_FIELD_COUNT,
            span,
            format!("expected {}, {found}", self.dialect.expected()),
            help,
        )
    }

    fn nickname(
        &mut self,
        tokens: &[Token<'_>],
        first: Token<'_>,
        last: Token<'_>,
    ) -> Result<Cron, Vec<CronError>> {
        let lower = first.text.to_ascii_lowercase();
        let expansion = NICKNAMES
            .iter()
            .find(|(name, _)| *name == lower)
            .map(|&(_, e)| e);
        if expansion.is_none() {
            let help = if lower == "@reboot" {
                "a backfill replays a schedule, and `@reboot` has none".to_string()
            } else if let Some((name, _)) = NICKNAMES
                .iter()
                .filter(|(name, _)| edit_distance(name, &lower) <= 2)
                .min_by_key(|(name, _)| edit_distance(name, &lower))
            {
                format!("did you mean `{name}`?")
            } else {
                "the nicknames are `@yearly`, `@annually`, `@monthly`, `@weekly`, `@daily`, \
                 `@midnight` and `@hourly`"
                    .to_string()
            };
            self.error_help(
                E_NICKNAME,
                first.span(),
                format!("unknown nickname `{}`", first.text),
                help,
            );
        }
        if let Some(second) = tokens.get(1) {
            self.error(
                E_FIELD_COUNT,
                (second.start, last.end()),
                format!(
                    "a nickname stands alone, but `{}` is followed by {} more field{}",
                    first.text,
                    tokens.len() - 1,
                    if tokens.len() == 2 { "" } else { "s" }
                ),
            );
        }
        let Some(expansion) = expansion.filter(|_| self.errors.is_empty()) else {
            return Err(std::mem::take(&mut self.errors));
        };
        // The expansion is valid in every dialect; spans point at the nickname.
        let mut fields = Fields::default();
        for (&field, text) in UNIX.iter().zip(expansion.split(' ')) {
            let spec = self.field(
                field,
                Token {
                    text,
                    start: first.start,
                },
            );
            fields.put(field, spec, first);
        }
        if !self.errors.is_empty() {
            return Err(std::mem::take(&mut self.errors));
        }
        build(self.dialect, &fields, "").map_err(|e| vec![e])
    }

    /// Parses one field.
    fn field(&mut self, field: Field, token: Token<'_>) -> FieldSpec {
        let mut spec = FieldSpec {
            text_has_star: token.text.contains('*'),
            ..FieldSpec::default()
        };
        let items = token.split_all(',');
        let alone = items.len() == 1;
        for (i, &item) in items.iter().enumerate() {
            if item.text.is_empty() {
                // Point at the comma next to the empty entry.
                let span = if i + 1 < items.len() {
                    (item.start, item.start + 1)
                } else {
                    (item.start.saturating_sub(1), item.start)
                };
                // `,,` would otherwise report the same comma twice.
                if self
                    .errors
                    .last()
                    .is_some_and(|e| (e.code, e.start, e.end) == (E_EMPTY_ITEM, span.0, span.1))
                {
                    continue;
                }
                self.error(
                    E_EMPTY_ITEM,
                    span,
                    format!("empty entry in the {} list `{}`", field.name(), token.text),
                );
                continue;
            }
            self.item(field, item, token, alone, &mut spec);
        }
        spec
    }

    /// Parses one list entry into `spec`.
    fn item(
        &mut self,
        field: Field,
        item: Token<'_>,
        whole: Token<'_>,
        alone: bool,
        spec: &mut FieldSpec,
    ) {
        let upper = item.text.to_ascii_uppercase();
        if is_hash_form(&upper) {
            let kind = if upper.starts_with('H') {
                "hashed"
            } else {
                "random"
            };
            let help = if kind == "hashed" {
                "`H` is derived from a job's hash id, which a preview does not have; write the value out"
            } else {
                "`R` is drawn anew each time the schedule is loaded; write the value out"
            };
            self.error_help(
                E_HASH,
                item.span(),
                format!("{kind} value `{}` cannot be previewed", item.text),
                help.to_string(),
            );
            return;
        }
        if let Some((i, c)) = item
            .text
            .char_indices()
            .find(|&(_, c)| !(c.is_ascii_alphanumeric() || "*?/-#".contains(c)))
        {
            let start = item.start + i;
            self.error(
                E_MALFORMED,
                (start, start + c.len_utf8()),
                format!("invalid character `{c}` in the {} field", field.name()),
            );
            return;
        }
        if upper.contains('?') {
            self.question(field, item, whole, alone, spec);
        } else if upper.contains('#') {
            self.nth(field, item, spec);
        } else if let Some(special) = Special::classify(&upper) {
            self.special(field, item, &special, alone, spec);
        } else {
            self.range_item(field, item, spec);
        }
    }

    fn question(
        &mut self,
        field: Field,
        item: Token<'_>,
        whole: Token<'_>,
        alone: bool,
        spec: &mut FieldSpec,
    ) {
        if !self.dialect.has_extensions() {
            self.unsupported_in_kestra(item, "?");
        } else if !matches!(field, Field::DayOfMonth | Field::DayOfWeek) {
            self.error(
                E_PLACEMENT,
                item.span(),
                format!(
                    "`{}` is only allowed in the day-of-month and day-of-week fields, not the {} field",
                    item.text,
                    field.name()
                ),
            );
        } else if item.text != "?" || !alone {
            self.error(
                E_PLACEMENT,
                whole.span(),
                format!("`?` must stand alone in its field, found `{}`", whole.text),
            );
        } else {
            spec.star = true;
            fill(field, field.bounds().0, field.step_end(), 1, spec);
        }
    }

    fn nth(&mut self, field: Field, item: Token<'_>, spec: &mut FieldSpec) {
        if !self.dialect.has_extensions() {
            return self.unsupported_in_kestra(item, "#");
        }
        if field != Field::DayOfWeek {
            return self.error(
                E_PLACEMENT,
                item.span(),
                format!(
                    "`#` is only allowed in the day-of-week field, not in `{}` ({} field)",
                    item.text,
                    field.name()
                ),
            );
        }
        let Some((days, occurrence)) = item.split_once('#') else {
            return;
        };
        let k = match number(occurrence.text).filter(|_| is_digits(occurrence.text)) {
            Some(k @ 1..=5) => Some(k),
            Some(_) => {
                self.error(
                    E_OCCURRENCE,
                    item.span(),
                    format!(
                        "occurrence `{}` in `{}` is out of range 1-5",
                        occurrence.text, item.text
                    ),
                );
                None
            }
            None => {
                self.error(
                    E_OCCURRENCE,
                    item.span(),
                    format!(
                        "expected an occurrence 1-5 after `#` in `{}`, found `{}`",
                        item.text, occurrence.text
                    ),
                );
                None
            }
        };
        if days.text.contains('/') {
            return self.error(
                E_MALFORMED,
                item.span(),
                format!("a step cannot be combined with `#` in `{}`", item.text),
            );
        }
        if days.text.is_empty() {
            return self.error(
                E_EMPTY_ITEM,
                item.span(),
                format!("`{}` is missing the day before `#`", item.text),
            );
        }
        let Some(bounds) = self.bounds(field, days) else {
            return;
        };
        if self.dialect.is_croniter() && !bounds.single && !bounds.names {
            return self.error_help(
                E_UNSUPPORTED,
                item.span(),
                format!("{} does not accept `{}`", self.dialect.label(), item.text),
                "croniter takes `#` after one day or a range of day names, e.g. `MON-FRI#1`"
                    .to_string(),
            );
        }
        let Some(k) = k else {
            return;
        };
        let (lo, hi) = self.widen(field, bounds, None);
        // croniter wraps `FRI-MON#2` around the week, as any range.
        let days: Vec<u32> = if lo > hi {
            (lo..=6).chain(0..=hi).collect()
        } else {
            (lo..=hi).collect()
        };
        for v in days {
            if let Some(slot) = spec.nth.get_mut((v % 7) as usize) {
                *slot |= 1 << (k - 1);
            }
        }
    }

    fn special(
        &mut self,
        field: Field,
        item: Token<'_>,
        special: &Special<'_>,
        alone: bool,
        spec: &mut FieldSpec,
    ) {
        if !self.dialect.has_extensions() {
            return self.unsupported_in_kestra(item, special.symbol());
        }
        if field != special.field() {
            let help = match special {
                Special::Last if field == Field::DayOfWeek => {
                    Some("`L` alone is the last day of the month; write `L5` for the last friday")
                }
                Special::LastOf(_) | Special::SuffixL(_) if field == Field::DayOfMonth => {
                    Some("write `L` for the last day of the month")
                }
                _ => None,
            };
            let message = format!(
                "`{}` is not allowed in the {} field",
                item.text,
                field.name()
            );
            match help {
                Some(help) => self.error_help(E_PLACEMENT, item.span(), message, help.into()),
                None => self.error(E_PLACEMENT, item.span(), message),
            }
            return;
        }
        let croniter = self.dialect.is_croniter();
        match *special {
            Special::Last => {
                spec.last = true;
            }
            Special::LastWeekday if croniter => self.error_help(
                E_UNSUPPORTED,
                item.span(),
                format!("{} does not support `{}`", self.dialect.label(), item.text),
                "croniter has no last-weekday `LW`; use `L` for the last day of the month"
                    .to_string(),
            ),
            Special::LastWeekday => spec.last_weekday = true,
            Special::Nearest(digits) => match number(digits) {
                Some(w @ 1..=31) if croniter && !alone => self.error_help(
                    E_W_LIST,
                    item.span(),
                    format!("`{}` must stand alone in the day-of-month field", item.text),
                    format!("croniter takes `W` with a single day only, e.g. `{w}W`"),
                ),
                Some(w @ 1..=31) => spec.nearest |= 1 << w,
                _ => self.error(
                    E_RANGE,
                    item.span(),
                    format!(
                        "nearest-weekday day `{}` in `{}` is out of range 1-31",
                        digits, item.text
                    ),
                ),
            },
            Special::LastOf(digits) => match number(digits) {
                Some(d @ 0..=7) => {
                    if let Some(slot) = spec.nth.get_mut((d % 7) as usize) {
                        *slot |= LAST_OCCURRENCE;
                    }
                }
                _ => self.error(
                    E_RANGE,
                    item.span(),
                    format!(
                        "day-of-week value `{}` in `{}` is out of range 0-7",
                        digits, item.text
                    ),
                ),
            },
            Special::SuffixL(digits) => self.error_help(
                E_UNSUPPORTED,
                item.span(),
                format!(
                    "`{}` is not how {} writes the last weekday of a month",
                    item.text,
                    self.dialect.label()
                ),
                format!("did you mean `L{digits}`?"),
            ),
        }
    }

    /// `*`, `*/s`, `v`, `v/s`, `a-b`, `a-b/s`.
    fn range_item(&mut self, field: Field, item: Token<'_>, spec: &mut FieldSpec) {
        let (base, step) = match item.split_once('/') {
            None => (item, None),
            Some((base, step)) => {
                if step.text.contains('/') {
                    return self.error(
                        E_MALFORMED,
                        item.span(),
                        format!("invalid {} value `{}`", field.name(), item.text),
                    );
                }
                (base, Some(step))
            }
        };
        let step = match step {
            None => None,
            Some(step) => match self.step(field, item, step) {
                Some(s) => Some(s),
                None => return,
            },
        };
        if base.text == "*" {
            match step {
                Some(s) => fill(field, field.bounds().0, field.step_end(), s, spec),
                None => {
                    spec.star = true;
                    fill(field, field.bounds().0, field.step_end(), 1, spec);
                }
            }
            return;
        }
        if base.text.is_empty() {
            return self.error(
                E_EMPTY_ITEM,
                item.span(),
                format!("`{}` is missing the start of its step", item.text),
            );
        }
        let Some(bounds) = self.bounds(field, base) else {
            return;
        };
        let (lo, hi) = self.widen(field, bounds, step);
        if lo > hi {
            fill_croniter_wrap(field, lo, hi, step.unwrap_or(1), spec);
        } else {
            fill(field, lo, hi, step.unwrap_or(1), spec);
        }
    }

    fn step(&mut self, field: Field, item: Token<'_>, step: Token<'_>) -> Option<u32> {
        if step.text.is_empty() {
            self.error(
                E_STEP,
                item.span(),
                format!("missing step after `/` in `{}`", item.text),
            );
            return None;
        }
        if !is_digits(step.text) {
            self.error(
                E_STEP,
                item.span(),
                format!(
                    "step `{}` in the {} value `{}` is not a number",
                    step.text,
                    field.name(),
                    item.text
                ),
            );
            return None;
        }
        match number(step.text) {
            Some(0) => {
                self.error(
                    E_STEP,
                    item.span(),
                    format!("step `0` in `{}` must be at least 1", item.text),
                );
                None
            }
            // A step beyond every range leaves just the start, as a huge one does.
            s => Some(s.unwrap_or(u32::MAX)),
        }
    }

    /// The values a range entry covers before its step, applying croniter's reading of
    /// an equal range (`5-5`) as the whole cycle.
    fn widen(&self, field: Field, b: Bounds, step: Option<u32>) -> (u32, u32) {
        if b.single {
            match step {
                // `v/s` runs to the field's end; day-of-week 7 is Sunday, 0. cron-utils
                // (Kestra) steps on to 7, so its `1/2` includes Sunday.
                Some(_) if field == Field::DayOfWeek && self.dialect.is_kestra() => (b.lo % 7, 7),
                Some(_) if field == Field::DayOfWeek => {
                    let lo = b.lo % 7;
                    (lo, field.step_end())
                }
                Some(_) => (b.lo, field.step_end()),
                None => (b.lo, b.lo),
            }
        } else if self.dialect.is_croniter() && b.lo == b.hi {
            (field.bounds().0, field.step_end())
        } else {
            (b.lo, b.hi)
        }
    }

    /// `a` or `a-b` (names allowed, `L` as the end of a day-of-month range).
    fn bounds(&mut self, field: Field, base: Token<'_>) -> Option<Bounds> {
        let parts = base.split_all('-');
        match parts.as_slice() {
            [single] => {
                let (v, name) = self.atom(field, *single, false)?;
                Some(Bounds {
                    lo: v,
                    hi: v,
                    single: true,
                    names: name,
                })
            }
            [lo, hi] => {
                if lo.text.is_empty() || hi.text.is_empty() {
                    let which = if lo.text.is_empty() { "start" } else { "end" };
                    self.error(
                        E_EMPTY_ITEM,
                        base.span(),
                        format!("range `{}` is missing its {which}", base.text),
                    );
                    return None;
                }
                let lo_atom = self.atom(field, *lo, false);
                let hi_atom = self.atom(field, *hi, true);
                let ((mut lo_v, lo_name), (mut hi_v, hi_name)) = (lo_atom?, hi_atom?);
                if self.dialect.is_croniter() {
                    // croniter reads day-of-week 7 as 0 before it looks at the range,
                    // and wraps a range whose start is after its end around the field.
                    if field == Field::DayOfWeek {
                        lo_v %= 7;
                        hi_v %= 7;
                    }
                    return Some(Bounds {
                        lo: lo_v,
                        hi: hi_v,
                        single: false,
                        names: lo_name && hi_name,
                    });
                }
                // `SAT-SUN` is the weekend, not a reversed range. cron-utils (Kestra) maps
                // the name `SUN` to 7 at either end, so its `SUN-TUE` is reversed.
                if field == Field::DayOfWeek && hi_name && hi_v == 0 {
                    hi_v = 7;
                }
                if field == Field::DayOfWeek && lo_name && lo_v == 0 && self.dialect.is_kestra() {
                    lo_v = 7;
                }
                if lo_v > hi_v {
                    let (min, max) = (field.bounds().0, field.step_end());
                    let wrap = format!("{lo_v}-{max},{min}-{hi_v}");
                    let help = if self.dialect.is_croniter() {
                        format!("croniter would wrap it around as `{wrap}`; write that instead")
                    } else {
                        format!("to wrap around the end of the field, write `{wrap}`")
                    };
                    self.error_help(
                        E_REVERSED,
                        base.span(),
                        format!("range `{}` is reversed: it starts after it ends", base.text),
                        help,
                    );
                    return None;
                }
                Some(Bounds {
                    lo: lo_v,
                    hi: hi_v,
                    single: false,
                    names: lo_name && hi_name,
                })
            }
            _ => {
                self.error(
                    E_MALFORMED,
                    base.span(),
                    format!(
                        "invalid {} range `{}`: expected `start-end`",
                        field.name(),
                        base.text
                    ),
                );
                None
            }
        }
    }

    /// One number or name; the flag says it was a name.
    fn atom(&mut self, field: Field, atom: Token<'_>, high: bool) -> Option<(u32, bool)> {
        let (lo, hi) = field.bounds();
        if is_digits(atom.text) {
            return match number(atom.text).filter(|v| (lo..=hi).contains(v)) {
                Some(v) => Some((v, false)),
                None => {
                    self.error(
                        E_RANGE,
                        atom.span(),
                        format!(
                            "{} value `{}` is out of range {lo}-{hi}",
                            field.name(),
                            atom.text
                        ),
                    );
                    None
                }
            };
        }
        let upper = atom.text.to_ascii_uppercase();
        if upper == "L" && field == Field::DayOfMonth && high {
            if !self.dialect.has_extensions() {
                self.unsupported_in_kestra(atom, "L");
                return None;
            }
            return Some((31, false));
        }
        if !upper.bytes().all(|b| b.is_ascii_alphabetic()) {
            self.error(
                E_MALFORMED,
                atom.span(),
                format!("invalid {} value `{}`", field.name(), atom.text),
            );
            return None;
        }
        let names: &[&str] = match field {
            Field::Month => &MONTH_NAMES,
            Field::DayOfWeek => &DAY_NAMES,
            _ => &[],
        };
        if let Some(v) = lookup(names, &upper) {
            return Some((v + u32::from(field == Field::Month), true));
        }
        let other_kind = if lookup(&MONTH_NAMES, &upper).is_some() {
            Some("month")
        } else if lookup(&DAY_NAMES, &upper).is_some() {
            Some("day-of-week")
        } else {
            None
        };
        match (names.is_empty(), other_kind) {
            (_, Some(kind)) => self.error(
                E_NAME,
                atom.span(),
                format!(
                    "`{}` is a {kind} name, but this is the {} field ({lo}-{hi})",
                    atom.text,
                    field.name()
                ),
            ),
            (true, None) if upper == "L" && field == Field::DayOfMonth => self.error(
                E_MALFORMED,
                atom.span(),
                "`L` can only end a day-of-month range, as in `10-L`".to_string(),
            ),
            (true, None) => self.error(
                E_MALFORMED,
                atom.span(),
                format!("invalid {} value `{}`", field.name(), atom.text),
            ),
            (false, None) => {
                let (kind, range) = if field == Field::Month {
                    ("month", "`JAN`-`DEC`")
                } else {
                    ("day-of-week", "`SUN`-`SAT`")
                };
                let help = match suggest_name(names, &upper) {
                    Some(name) => format!("did you mean `{name}`?"),
                    None => format!("{kind} names are {range}"),
                };
                self.error_help(
                    E_NAME,
                    atom.span(),
                    format!("unknown {kind} name `{}`", atom.text),
                    help,
                );
            }
        }
        None
    }

    /// Checks across a field's entries (croniter's rules), once every field is parsed.
    fn check_fields(&mut self, fields: &Fields<'_>) {
        if !self.dialect.is_croniter() {
            return;
        }
        if let Some((dow, token)) = fields.get(Field::DayOfWeek) {
            let nth = dow.nth_days();
            let plain_only = dow.weekdays() & !nth;
            let distinct = (dow.weekdays() | nth).count_ones();
            if nth != 0 && plain_only != 0 && distinct != 7 {
                self.error_help(
                    E_NTH_MIX,
                    token.span(),
                    format!(
                        "croniter cannot mix plain days with `#` or `L` days in `{}`",
                        token.text
                    ),
                    "use only `#`/`L` entries here, or split the schedule in two".to_string(),
                );
            }
        }
    }
}

const NICKNAMES: [(&str, &str); 7] = [
    ("@yearly", "0 0 1 1 *"),
    ("@annually", "0 0 1 1 *"),
    ("@monthly", "0 0 1 * *"),
    ("@weekly", "0 0 * * 0"),
    ("@daily", "0 0 * * *"),
    ("@midnight", "0 0 * * *"),
    ("@hourly", "0 * * * *"),
];

/// croniter's hashed (`H`, `H(0-29)`, `H/5`) and random (`R`) values.
fn is_hash_form(upper: &str) -> bool {
    let mut chars = upper.chars();
    matches!(chars.next(), Some('H' | 'R')) && matches!(chars.next(), None | Some('(' | '/'))
}

/// Adds `lo..=hi` by `step` (day-of-week 7 folds onto 0; years are stored from 1970).
fn fill(field: Field, lo: u32, hi: u32, step: u32, spec: &mut FieldSpec) {
    let step = usize::try_from(step).unwrap_or(usize::MAX).max(1);
    for v in (lo..=hi).step_by(step) {
        let bit = match field {
            Field::DayOfWeek => v % 7,
            Field::Year => v - YearBits::FIRST as u32,
            _ => v,
        };
        spec.values.insert(bit);
    }
}

/// croniter's wrap-around range `lo-hi` with `lo > hi` (`Apr-Feb`, `fri-mon`, `22-2/3`):
/// from `lo` to the field's end by `step`, then from the field's start again up to `hi`.
/// The second half starts where croniter starts it (`croniter.expand`): at the field's
/// start plus `step - (end - last)` when the step overshoots the end by more than one
/// value, else at the field's start. So `50-10/3` in minutes is `50,53,56,59,3,6,9`
/// (not `…,2,5,8`) and `22-2/3` in hours is `22,2`.
fn fill_croniter_wrap(field: Field, lo: u32, hi: u32, step: u32, spec: &mut FieldSpec) {
    let (min, max) = (field.bounds().0, field.step_end());
    let step_usize = usize::try_from(step).unwrap_or(usize::MAX).max(1);
    let first: Vec<u32> = (lo..=max).step_by(step_usize).collect();
    let mut skip = 0;
    if let Some(&last) = first.last() {
        let behind = max - last;
        if u64::from(last - min) + u64::from(step) > u64::from(max - min + 1) && behind < step {
            skip = step - behind;
        }
    }
    fill(field, lo, max, step, spec);
    if let Some(from) = min.checked_add(skip).filter(|f| *f <= hi) {
        fill(field, from, hi, step, spec);
    }
}

// ---------------------------------------------------------------------------------------
// Building a Cron
// ---------------------------------------------------------------------------------------

/// Assembles the masks and tables, and checks that the schedule can fire.
fn build(dialect: CronDialect, fields: &Fields<'_>, expr: &str) -> Result<Cron, CronError> {
    let croniter = dialect.is_croniter();
    let seconds = match fields.get(Field::Second) {
        Some((spec, _)) => spec.values.low(),
        None => 1,
    };
    let minutes = fields.spec(Field::Minute).values.low();
    let hours = (fields.spec(Field::Hour).values.low() & u64::from(ALL_HOURS)) as u32;
    let months = (fields.spec(Field::Month).values.low() & 0x1ffe) as u16;
    let dom = fields.spec(Field::DayOfMonth);
    let dow = fields.spec(Field::DayOfWeek);
    let years = fields
        .get(Field::Year)
        .map(|(spec, _)| *spec)
        // `*`, and in croniter any list of all 130 years, means every year.
        .filter(|spec| !spec.star && spec.values.count() < Field::Year.cycle())
        .map(|spec| YearBits(spec.values));

    let (dom_star, dow_star) = if croniter {
        // croniter collapses a day field holding every value to `*` when the other
        // day field's text contains a `*` (`LEN_MEANS_ALL` in croniter's `_expand`).
        let dom_count = dom.values.count() + u32::from(dom.last) + dom.nearest.count_ones();
        let dow_count = (dow.weekdays() | dow.nth_days()).count_ones();
        (
            dom.star || (dom_count == Field::DayOfMonth.cycle() && dow.text_has_star),
            dow.star || (dow_count == Field::DayOfWeek.cycle() && dom.text_has_star),
        )
    } else {
        (dom.star, dow.star)
    };
    let days = DaySpec {
        dom: (dom.values.low() & 0xffff_fffe) as u32,
        last: dom.last,
        last_weekday: dom.last_weekday,
        nearest: dom.nearest,
        dow: dow.weekdays(),
        nth: dow.nth,
        dom_star,
        dow_star,
        croniter,
    };

    let mut times = Vec::new();
    for h in (0..24).filter(|&h| bit32(hours, h)) {
        for m in (0..60).filter(|&m| bit64(minutes, m)) {
            for s in (0..60).filter(|&s| bit64(seconds, s)) {
                times.push(h * 3600 + m * 60 + s);
            }
        }
    }

    let table = day_table(&days, Part::Whole);
    let mut cron = Cron {
        dialect,
        seconds,
        minutes,
        hours,
        months,
        years,
        days,
        day_table: table,
        year_prefix: year_prefix(&table, months).into_boxed_slice(),
        month_prefix: month_prefix(&table, months),
        times,
        total: 0,
    };
    cron.total = cron.fires_before(end_civil());
    if cron.total == 0 {
        return Err(never_fires(fields, &cron, expr));
    }
    if croniter {
        if let Some(error) = croniter_split_error(&days, months, fields) {
            return Err(error);
        }
    }
    Ok(cron)
}

/// E0317: croniter evaluates "dom OR dow" as two searches, one with each day field
/// blanked; `#`, `L5` and `W` survive the blanking, so when one of those searches can never
/// succeed croniter raises `CroniterBadDateError` instead of using the other.
fn croniter_split_error(days: &DaySpec, months: u16, fields: &Fields<'_>) -> Option<CronError> {
    if days.dom_star || days.dow_star || (days.nearest == 0 && !days.has_nth()) {
        return None;
    }
    let side_fires = |part| {
        let table = day_table(days, part);
        year_prefix(&table, months).last().copied().unwrap_or(0) > 0
    };
    if side_fires(Part::DomSide) && side_fires(Part::DowSide) {
        return None;
    }
    let dom = fields.get(Field::DayOfMonth).map(|(_, t)| *t)?;
    let dow = fields.get(Field::DayOfWeek).map(|(_, t)| *t)?;
    let (a, b) = (dom.text, dow.text);
    Some(CronError::new(
        E_CRONITER_FAILS,
        (dom.start, dow.end()),
        format!(
            "croniter cannot iterate this schedule: with `#`, `L` or `W` it needs a day \
             matching both `{a}` and `{b}`, and there is none"
        ),
        Some(format!(
            "croniter raises `CroniterBadDateError` here; keep only `{a}` or only `{b}`"
        )),
    ))
}

/// E0313, spanning the restricted date fields.
fn never_fires(fields: &Fields<'_>, cron: &Cron, expr: &str) -> CronError {
    let restricted: Vec<Token<'_>> = [
        Field::DayOfMonth,
        Field::Month,
        Field::DayOfWeek,
        Field::Year,
    ]
    .iter()
    .filter_map(|&f| fields.get(f))
    .filter(|(spec, _)| !spec.star)
    .map(|(_, token)| *token)
    .collect();
    let span = match (restricted.first(), restricted.last()) {
        (Some(a), Some(b)) => (a.start, b.end()),
        _ => (0, 0),
    };
    let days = &cron.days;
    let plain_dom = days.dow_star && !days.last && !days.last_weekday && days.nearest == 0;
    let smallest_day = days.dom.trailing_zeros();
    let help = if plain_dom && days.dom != 0 {
        let allowed: Vec<u32> = (1..=12).filter(|&m| bit16(cron.months, m)).collect();
        let longest = allowed
            .iter()
            .map(|&m| days_in_month(2000, m))
            .max()
            .unwrap_or(31);
        let names: Vec<&str> = allowed
            .iter()
            .filter_map(|&m| MONTH_FULL.get(m as usize - 1).copied())
            .collect();
        let list = match names.as_slice() {
            [one] => (*one).to_string(),
            [init @ .., last] => format!("{} and {last}", init.join(", ")),
            [] => String::new(),
        };
        let verb = if names.len() == 1 { "has" } else { "have" };
        (smallest_day > longest).then(|| format!("{list} {verb} at most {longest} days"))
    } else {
        None
    };
    let text = expr.get(span.0..span.1).unwrap_or("");
    CronError::new(
        E_NEVER,
        span,
        format!("`{text}` never fires: no date matches it"),
        help,
    )
}

#[cfg(test)]
#[allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::time::civil::civil_from_days;

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
