//! The fields each dialect has, in which order, and what it accepts.

#[allow(clippy::wildcard_imports)]
use super::*;

// ---------------------------------------------------------------------------------------
// Fields and dialects
// ---------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Field {
    Second,
    Minute,
    Hour,
    DayOfMonth,
    Month,
    DayOfWeek,
    Year,
}

impl Field {
    pub(super) const fn name(self) -> &'static str {
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
    pub(super) const fn bounds(self) -> (u32, u32) {
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
    pub(super) const fn step_end(self) -> u32 {
        match self {
            Field::DayOfWeek => 6,
            _ => self.bounds().1,
        }
    }

    /// The number of distinct values the field can hold (`*` is this many).
    pub(super) const fn cycle(self) -> u32 {
        match self {
            Field::DayOfWeek => 7,
            _ => self.bounds().1 - self.bounds().0 + 1,
        }
    }

    pub(super) const fn index(self) -> usize {
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

pub(super) const UNIX: [Field; 5] = [
    Field::Minute,
    Field::Hour,
    Field::DayOfMonth,
    Field::Month,
    Field::DayOfWeek,
];
pub(super) const SECONDS_FIRST: [Field; 6] = [
    Field::Second,
    Field::Minute,
    Field::Hour,
    Field::DayOfMonth,
    Field::Month,
    Field::DayOfWeek,
];
pub(super) const SECONDS_LAST: [Field; 6] = [
    Field::Minute,
    Field::Hour,
    Field::DayOfMonth,
    Field::Month,
    Field::DayOfWeek,
    Field::Second,
];
pub(super) const WITH_YEAR: [Field; 7] = [
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
    pub(super) fn layout(self, n: usize) -> Option<&'static [Field]> {
        match (self, n) {
            (CronDialect::Kestra | CronDialect::Dagster | CronDialect::Generic, 5)
            | (CronDialect::Croniter, 5) => Some(&UNIX),
            (CronDialect::KestraSeconds | CronDialect::GenericSeconds, 6) => Some(&SECONDS_FIRST),
            (CronDialect::Croniter, 6) => Some(&SECONDS_LAST),
            (CronDialect::Croniter, 7) => Some(&WITH_YEAR),
            _ => None,
        }
    }

    pub(super) fn max_fields(self) -> usize {
        match self {
            CronDialect::Kestra | CronDialect::Dagster | CronDialect::Generic => 5,
            CronDialect::KestraSeconds | CronDialect::GenericSeconds => 6,
            CronDialect::Croniter => 7,
        }
    }

    pub(super) fn expected(self) -> &'static str {
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
    pub(super) fn has_extensions(self) -> bool {
        !matches!(self, CronDialect::Kestra | CronDialect::KestraSeconds)
    }

    /// cron-utils as Kestra defines it.
    pub(super) fn is_kestra(self) -> bool {
        !self.has_extensions()
    }

    /// croniter's day rule and syntax restrictions.
    pub(super) fn is_croniter(self) -> bool {
        matches!(self, CronDialect::Croniter | CronDialect::Dagster)
    }

    /// How error messages name the dialect's cron.
    pub(super) fn label(self) -> &'static str {
        match self {
            CronDialect::Kestra | CronDialect::KestraSeconds => "kestra's cron",
            CronDialect::Croniter => "croniter",
            CronDialect::Dagster => "dagster's croniter",
            CronDialect::Generic | CronDialect::GenericSeconds => "the generic cron",
        }
    }
}
