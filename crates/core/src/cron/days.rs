//! Bit masks of matching days: per shape of month, per year of the 400-year cycle.

#[allow(clippy::wildcard_imports)]
use super::*;

// ---------------------------------------------------------------------------------------
// Bits
// ---------------------------------------------------------------------------------------

pub(super) const ALL_HOURS: u32 = (1 << 24) - 1;
pub(super) const LAST_OCCURRENCE: u8 = 1 << 5;

pub(super) fn bit16(mask: u16, i: u32) -> bool {
    i < 16 && mask >> i & 1 == 1
}

pub(super) fn bit32(mask: u32, i: u32) -> bool {
    i < 32 && mask >> i & 1 == 1
}

pub(super) fn bit64(mask: u64, i: u32) -> bool {
    i < 64 && mask >> i & 1 == 1
}

/// Bits `1..d` (the days of a month before day `d`), for `1 <= d <= 32`.
pub(super) fn days_below(d: u32) -> u32 {
    ((1u64 << d.min(32)) - 1) as u32 & !1
}

/// Bits `0..=d`.
pub(super) fn days_through(d: u32) -> u32 {
    ((2u64 << d.min(31)) - 1) as u32
}

/// The index of the `k`-th (0-based) set bit.
pub(super) fn nth_set_bit(mut mask: u32, k: u32) -> Option<u32> {
    for _ in 0..k {
        mask &= mask.wrapping_sub(1);
    }
    (mask != 0).then(|| mask.trailing_zeros())
}

/// A set of up to 192 small values (croniter's years need 130).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Bits(pub(super) [u64; 3]);

impl Bits {
    pub(super) fn insert(&mut self, i: u32) {
        if let Some(word) = self.0.get_mut((i / 64) as usize) {
            *word |= 1 << (i % 64);
        }
    }

    pub(super) fn contains(&self, i: u32) -> bool {
        self.0
            .get((i / 64) as usize)
            .is_some_and(|word| word >> (i % 64) & 1 == 1)
    }

    pub(super) fn count(&self) -> u32 {
        self.0.iter().map(|w| w.count_ones()).sum()
    }

    pub(super) fn low(&self) -> u64 {
        let [low, _, _] = self.0;
        low
    }
}

/// croniter's year field: bit `y - 1970`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct YearBits(pub(super) Bits);

impl YearBits {
    pub(super) const FIRST: i32 = 1970;
    pub(super) const LAST: i32 = 2099;

    pub(super) fn contains(&self, y: i32) -> bool {
        (Self::FIRST..=Self::LAST).contains(&y) && self.0.contains((y - Self::FIRST) as u32)
    }

    pub(super) fn years(&self) -> impl Iterator<Item = i32> + '_ {
        (Self::FIRST..=Self::LAST).filter(|&y| self.contains(y))
    }
}

/// Index of year `y` within the 400-year cycle that starts with year 1.
pub(super) fn cycle_index(y: i32) -> usize {
    usize::try_from((i64::from(y) - 1).rem_euclid(400)).unwrap_or(0)
}

pub(super) fn min_civil() -> Civil {
    Civil::from_days(days_from_civil(MIN_YEAR, 1, 1))
}

pub(super) fn end_civil() -> Civil {
    Civil::from_days(days_from_civil(MAX_YEAR + 1, 1, 1))
}

// ---------------------------------------------------------------------------------------
// Day matching
// ---------------------------------------------------------------------------------------

/// Everything that decides whether a date matches, except its month and year.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct DaySpec {
    /// Day-of-month values, bits 1–31.
    pub(super) dom: u32,
    /// `L`.
    pub(super) last: bool,
    /// `LW`.
    pub(super) last_weekday: bool,
    /// `15W`: bits 1–31.
    pub(super) nearest: u32,
    /// Plain day-of-week values, bits 0–6.
    pub(super) dow: u8,
    /// `#` and `L5`: per weekday, bit `k - 1` = the k-th, [`LAST_OCCURRENCE`] = the last.
    pub(super) nth: [u8; 7],
    /// Day of month unrestricted (by the dialect's rule).
    pub(super) dom_star: bool,
    /// Day of week unrestricted (by the dialect's rule).
    pub(super) dow_star: bool,
    /// croniter's way of combining the two.
    pub(super) croniter: bool,
}

/// Which part of the day rule to evaluate: the whole, or one side of croniter's split.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Part {
    Whole,
    DomSide,
    DowSide,
}

impl DaySpec {
    pub(super) fn has_nth(&self) -> bool {
        self.nth.iter().any(|&n| n != 0)
    }

    /// Matching days (bits 1..=n) of a month of `n` days whose 1st is weekday `first`.
    pub(super) fn mask(&self, n: u32, first: u32, part: Part) -> u32 {
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
pub(super) fn nearest_weekday(w: u32, n: u32, weekday: impl Fn(u32) -> u32) -> u32 {
    let day = w.min(n);
    match weekday(day) {
        6 if day > 1 => day - 1,
        6 => day + 2,
        0 if day < n => day + 1,
        0 => day - 2,
        _ => day,
    }
}

pub(super) fn table_mask(table: &[[u32; 7]; 4], n: u32, first: u32) -> u32 {
    table
        .get(n.saturating_sub(28) as usize)
        .and_then(|row| row.get(first as usize))
        .copied()
        .unwrap_or(0)
}

pub(super) fn day_table(days: &DaySpec, part: Part) -> [[u32; 7]; 4] {
    let mut table = [[0; 7]; 4];
    for (n, row) in (28u32..).zip(table.iter_mut()) {
        for (first, cell) in (0u32..).zip(row.iter_mut()) {
            *cell = days.mask(n, first, part);
        }
    }
    table
}

/// `prefix[i]`: matching days in years `1..=i` (months applied).
pub(super) fn year_prefix(table: &[[u32; 7]; 4], months: u16) -> Vec<u32> {
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
pub(super) fn month_prefix(table: &[[u32; 7]; 4], months: u16) -> [[u16; 13]; 14] {
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
pub(super) fn year_kind(y: i32) -> usize {
    weekday_from_days(days_from_civil(y, 1, 1)) as usize + if is_leap(y) { 7 } else { 0 }
}
