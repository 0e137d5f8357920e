//! Counting and iteration: how many fires lie before a time, the `k`-th fire, and the
//! fires in order from a start, all from the day tables without walking fire by fire
//! (whole 400-year cycles, years and months are counted from prefix sums).

use super::days::*;
use super::{bit16, bit32, Cron};
use crate::time::civil::{days_from_civil, days_in_month, weekday_from_days, Civil, DAY, MAX_YEAR};
use std::iter::FusedIterator;

impl Cron {
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
    pub(super) fn month_mask(&self, y: i32, m: u32) -> u32 {
        if !bit16(self.months, m) || !self.year_allowed(y) {
            return 0;
        }
        let n = days_in_month(y, m);
        let first = weekday_from_days(days_from_civil(y, m, 1));
        table_mask(&self.day_table, n, first)
    }

    pub(super) fn year_allowed(&self, y: i32) -> bool {
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
    pub(super) fn fires_before(&self, t: Civil) -> u64 {
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
    pub(super) fn select(&self, index: u64) -> Option<Civil> {
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
