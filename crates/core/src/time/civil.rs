//! Wall-clock ("civil") dates and times, as plain integers.
//!
//! A [`Civil`] is what a clock on the wall shows, with no time zone: seconds since
//! `1970-01-01T00:00:00` *as read on a wall clock*. Cron expressions match civil times;
//! only afterwards does a zone (and its daylight-saving rule) turn them into instants.
//! Keeping civil time as one `i64` makes stepping and comparing as cheap as integer
//! arithmetic, which the million-run expansions need.
//!
//! The day arithmetic is the proleptic Gregorian calendar (Howard Hinnant's
//! `days_from_civil` algorithm); the supported years are 1 to 9999.

use std::fmt;

/// Seconds in a civil day.
pub const DAY: i64 = 86_400;

/// The first and last supported years. Every date the planner accepts lies within them.
pub const MIN_YEAR: i32 = 1;
/// See [`MIN_YEAR`].
pub const MAX_YEAR: i32 = 9999;

/// A wall-clock date and time, to the second, with no zone.
///
/// ```
/// use backfill_core::Civil;
/// let t = Civil::from_ymd_hms(2024, 3, 10, 2, 30, 0).unwrap();
/// assert_eq!(t.to_string(), "2024-03-10T02:30:00");
/// assert_eq!(t.date(), (2024, 3, 10));
/// assert_eq!(t.weekday(), 0); // a Sunday
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Civil(i64);

impl Civil {
    /// The civil time `secs` seconds after `1970-01-01T00:00:00`.
    #[must_use]
    pub const fn from_secs(secs: i64) -> Self {
        Civil(secs)
    }

    /// Seconds since `1970-01-01T00:00:00` (civil).
    #[must_use]
    pub const fn secs(self) -> i64 {
        self.0
    }

    /// A civil time from its fields; `None` when a field is out of range or the year is
    /// outside [`MIN_YEAR`]..=[`MAX_YEAR`].
    #[must_use]
    pub fn from_ymd_hms(y: i32, m: u32, d: u32, hh: u32, mm: u32, ss: u32) -> Option<Self> {
        if !(MIN_YEAR..=MAX_YEAR).contains(&y)
            || !(1..=12).contains(&m)
            || d == 0
            || d > days_in_month(y, m)
            || hh > 23
            || mm > 59
            || ss > 59
        {
            return None;
        }
        let days = days_from_civil(y, m, d);
        Some(Civil(
            days * DAY + i64::from(hh) * 3600 + i64::from(mm) * 60 + i64::from(ss),
        ))
    }

    /// Midnight at the start of a date.
    #[must_use]
    pub fn from_ymd(y: i32, m: u32, d: u32) -> Option<Self> {
        Self::from_ymd_hms(y, m, d, 0, 0, 0)
    }

    /// Midnight at the start of day number `days` (days since 1970-01-01).
    #[must_use]
    pub const fn from_days(days: i64) -> Self {
        Civil(days * DAY)
    }

    /// Days since 1970-01-01 (negative before).
    #[must_use]
    pub const fn days(self) -> i64 {
        self.0.div_euclid(DAY)
    }

    /// Seconds since midnight, `0..86_400`.
    #[must_use]
    pub const fn second_of_day(self) -> u32 {
        self.0.rem_euclid(DAY) as u32
    }

    /// `(year, month 1–12, day 1–31)`.
    #[must_use]
    pub fn date(self) -> (i32, u32, u32) {
        civil_from_days(self.days())
    }

    /// `(hour, minute, second)`.
    #[must_use]
    pub const fn time(self) -> (u32, u32, u32) {
        let s = self.second_of_day();
        (s / 3600, s / 60 % 60, s % 60)
    }

    /// Day of the week, `0` = Sunday … `6` = Saturday (the cron numbering).
    #[must_use]
    pub const fn weekday(self) -> u32 {
        weekday_from_days(self.days())
    }

    /// This time plus `secs` seconds (wall-clock arithmetic: no zone, no DST).
    #[must_use]
    pub const fn plus_secs(self, secs: i64) -> Self {
        Civil(self.0 + secs)
    }

    /// Midnight at the start of this civil day.
    #[must_use]
    pub const fn start_of_day(self) -> Self {
        Civil(self.days() * DAY)
    }

    /// Whether the year lies in the supported range.
    #[must_use]
    pub fn in_supported_range(self) -> bool {
        let (y, _, _) = self.date();
        (MIN_YEAR..=MAX_YEAR).contains(&y)
    }
}

impl fmt::Display for Civil {
    /// ISO 8601 without an offset: `2024-03-10T02:30:00`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, m, d) = self.date();
        let (hh, mm, ss) = self.time();
        write!(f, "{y:04}-{m:02}-{d:02}T{hh:02}:{mm:02}:{ss:02}")
    }
}

impl fmt::Debug for Civil {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// Whether `y` is a Gregorian leap year.
#[must_use]
pub const fn is_leap(y: i32) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

/// Days in month `m` (1–12) of year `y`; 0 for an invalid month.
#[must_use]
pub const fn days_in_month(y: i32, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(y) => 29,
        2 => 28,
        _ => 0,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Hinnant's algorithm).
#[must_use]
pub const fn days_from_civil(y: i32, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y as i64 - 1 } else { y as i64 };
    let era = y.div_euclid(400);
    let yoe = y - era * 400; // [0, 399]
    let m = m as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d as i64 - 1; // [0, 365]
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy; // [0, 146096]
    era * 146_097 + doe - 719_468
}

/// The date of day number `z` (days since 1970-01-01).
#[must_use]
pub const fn civil_from_days(z: i64) -> (i32, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097; // [0, 146096]
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365; // [0, 399]
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // [0, 365]
    let mp = (5 * doy + 2) / 153; // [0, 11]
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32; // [1, 31]
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32; // [1, 12]
    ((if m <= 2 { y + 1 } else { y }) as i32, m, d)
}

/// Day of the week of day number `z`, `0` = Sunday (1970-01-01 was a Thursday).
#[must_use]
pub const fn weekday_from_days(z: i64) -> u32 {
    (z + 4).rem_euclid(7) as u32
}

/// The date `months` months after `(y, m, d)`, with the day clamped to the end of the
/// target month (Python's `relativedelta(months=n)`): Jan 31 + 1 month = Feb 28/29.
/// `None` when the result leaves the supported years.
#[must_use]
pub fn add_months_clamped(y: i32, m: u32, d: u32, months: i64) -> Option<(i32, u32, u32)> {
    let index = i64::from(y) * 12 + i64::from(m) - 1 + months;
    let ny = i32::try_from(index.div_euclid(12)).ok()?;
    let nm = (index.rem_euclid(12) + 1) as u32;
    if !(MIN_YEAR..=MAX_YEAR).contains(&ny) {
        return None;
    }
    Some((ny, nm, d.min(days_in_month(ny, nm))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_round_trip_over_four_centuries() {
        for z in -200_000..200_000 {
            let (y, m, d) = civil_from_days(z);
            assert_eq!(days_from_civil(y, m, d), z);
        }
    }

    #[test]
    fn known_dates_and_weekdays() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
        assert_eq!(weekday_from_days(0), 4);
        // 2024-03-10 was a Sunday, 2025-09-01 a Monday.
        assert_eq!(weekday_from_days(days_from_civil(2024, 3, 10)), 0);
        assert_eq!(weekday_from_days(days_from_civil(2025, 9, 1)), 1);
    }

    #[test]
    fn out_of_range_fields_are_rejected() {
        assert!(Civil::from_ymd(2023, 2, 29).is_none());
        assert!(Civil::from_ymd(2024, 2, 29).is_some());
        assert!(Civil::from_ymd(2024, 13, 1).is_none());
        assert!(Civil::from_ymd_hms(2024, 1, 1, 24, 0, 0).is_none());
        assert!(Civil::from_ymd(0, 1, 1).is_none());
        assert!(Civil::from_ymd(10_000, 1, 1).is_none());
    }

    #[test]
    fn months_clamp_to_the_end_of_the_target_month() {
        assert_eq!(add_months_clamped(2023, 1, 31, 1), Some((2023, 2, 28)));
        assert_eq!(add_months_clamped(2024, 1, 31, 1), Some((2024, 2, 29)));
        assert_eq!(add_months_clamped(2024, 2, 29, 12), Some((2025, 2, 28)));
        assert_eq!(add_months_clamped(2023, 12, 15, 1), Some((2024, 1, 15)));
        assert_eq!(add_months_clamped(2023, 1, 15, -1), Some((2022, 12, 15)));
        assert_eq!(add_months_clamped(9999, 12, 1, 1), None);
    }
}
