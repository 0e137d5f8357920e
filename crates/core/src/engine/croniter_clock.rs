//! croniter 7.0.0's `get_next` in a time zone, step by step, with Python's datetime rules.
//!
//! croniter does not list civil fire times and map them to instants. From the current
//! aware time it finds the next *wall* time that matches (one minute, or one second for
//! a seconds field, after the current wall reading), attaches the zone (`_add_tzinfo`: in a
//! gap, minute by minute to the first wall time that exists; in a fold, the first pass
//! unless that is not after the current time), and, when the offset changed on the way,
//! also tries the wall time shifted by the change (`_calc`'s "alternative"): that is how the
//! second pass of a repeated hour is found. A second pass that the shifted search does not
//! reach is never run: in Chatham's fold (03:45 back to 02:45) `* 2 * * *` runs 02:45-02:59
//! once. flytekit's backfill calls it from the start until a fire's wall time reaches the
//! end's.
//!
//! None of croniter's code is copied here; the steps are named after the functions whose
//! behaviour they reproduce.

use crate::cron::{Cron, Expanded};
use crate::series::Tick;
use crate::time::civil::Civil;
use crate::time::{Local, OffsetSecs, Resolver, Zone};

/// A Python aware datetime: a wall reading and `fold`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Dt {
    wall: i64,
    fold: bool,
}

/// One cron in one zone, as croniter iterates it.
#[derive(Debug, Clone)]
pub(crate) struct Clock {
    resolver: Resolver,
    cron: Cron,
    /// The smallest step of a wall search: a minute, or a second with a seconds field.
    unit: i64,
    /// The hour field is `*` (croniter then skips a nonexistent time instead of moving it).
    every_hour: bool,
}

impl Clock {
    /// The clock of `cron` in `zone`, for instants in `[from, to]`.
    pub(crate) fn new(cron: &Cron, zone: Zone, from: i64, to: i64) -> Clock {
        Clock {
            resolver: zone.resolver(from, to),
            cron: cron.clone(),
            // A seconds field that only says :00 steps like a minute.
            unit: if cron.fires_within_minutes() { 1 } else { 60 },
            every_hour: cron.croniter_shape().hour == Expanded::Star,
        }
    }

    fn offset(&self, d: Dt) -> OffsetSecs {
        match self.resolver.lookup(Civil::from_secs(d.wall)) {
            Local::Single(_, o) => o,
            Local::Gap { after, offset } => {
                if d.fold {
                    offset
                } else {
                    self.resolver.offset_at(after - 1)
                }
            }
            Local::Fold { earlier, later } => {
                if d.fold {
                    later.1
                } else {
                    earlier.1
                }
            }
        }
    }

    fn ts(&self, d: Dt) -> i64 {
        d.wall - i64::from(self.offset(d))
    }

    fn at_ts(&self, t: i64) -> Dt {
        let wall = t + i64::from(self.resolver.offset_at(t));
        let fold = matches!(self.resolver.lookup(Civil::from_secs(wall)),
            Local::Fold { later, .. } if later.0 == t);
        Dt { wall, fold }
    }

    fn exists(&self, wall: i64) -> bool {
        !matches!(
            self.resolver.lookup(Civil::from_secs(wall)),
            Local::Gap { .. }
        )
    }

    /// The next matching wall time one step after `wall` (`_calc` on a naive time).
    fn next_wall(&self, wall: i64) -> Option<i64> {
        let from = (wall + self.unit).div_euclid(self.unit) * self.unit;
        self.cron
            .next_at_or_after(Civil::from_secs(from))
            .map(Civil::secs)
    }

    /// `_add_tzinfo` going forward: the aware time of a wall reading after `prev`, and
    /// whether the wall time exists.
    fn attach(&self, wall: i64, prev: Dt) -> (Dt, bool) {
        let mut d = Dt { wall, fold: false };
        if !self.exists(d.wall) {
            for _ in 0..2_000 {
                if self.exists(d.wall) {
                    break;
                }
                d.wall += 60;
            }
            return (d, false);
        }
        let later = Dt { wall, fold: true };
        if self.offset(d) != self.offset(later) && self.ts(d) <= self.ts(prev) {
            d = later;
        }
        (d, true)
    }

    /// `get_next` from `now`.
    fn next(&self, now: Dt) -> Option<Dt> {
        let mut wall = self.next_wall(now.wall)?;
        let (mut aware, mut exists) = self.attach(wall, now);
        if !exists && (self.ts(aware) <= self.ts(now) || self.every_hour) {
            for _ in 0..10_000 {
                if exists {
                    break;
                }
                wall = self.next_wall(wall)?;
                (aware, exists) = self.attach(wall, now);
            }
        }
        let delta = i64::from(self.offset(aware)) - i64::from(self.offset(now));
        if delta == 0 {
            return Some(aware);
        }
        let Some(alt_wall) = self.next_wall(now.wall + delta) else {
            return Some(aware);
        };
        let (alt, alt_exists) = self.attach(alt_wall, now);
        if !alt_exists || self.ts(alt) <= self.ts(now) {
            return Some(aware);
        }
        if self.ts(aware) > self.ts(alt) {
            return Some(alt);
        }
        Some(aware)
    }

    fn tick(&self, d: Dt, moved: bool) -> Tick {
        Tick {
            instant: self.ts(d),
            offset: self.offset(d),
            second_occurrence: d.fold
                && matches!(
                    self.resolver.lookup(Civil::from_secs(d.wall)),
                    Local::Fold { .. }
                ),
            shifted: moved,
        }
    }

    /// The fires flytekit's `create_backfill_workflow` makes: from the instant `start`
    /// (exclusive) until a fire reaches `end` (by wall time when `end_wall` is given, as
    /// Python compares two datetimes of one zone, else by instant), at most `cap`; and the
    /// fire that stopped it.
    pub(crate) fn backfill(
        &self,
        start: i64,
        end: i64,
        end_wall: Option<Civil>,
        cap: usize,
    ) -> Option<(Vec<Tick>, Option<Tick>)> {
        let mut now = self.at_ts(start);
        let mut out = Vec::new();
        loop {
            let d = self.next(now)?;
            let reached = match end_wall {
                Some(w) => d.wall >= w.secs(),
                None => self.ts(d) >= end,
            };
            let moved = !self.cron.matches(Civil::from_secs(d.wall));
            if reached {
                return Some((out, Some(self.tick(d, moved))));
            }
            if out.len() >= cap || self.ts(d) <= self.ts(now) {
                return None;
            }
            out.push(self.tick(d, moved));
            now = self.at_ts(self.ts(d));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cron::CronDialect;
    use crate::time::{format_rfc3339, parse_moment, UtcAs};

    /// croniter 7.0.0's own answers (run: `croniter(cron, aware start).get_next()`).
    fn fires(expr: &str, zone: &str, start: &str, n: usize) -> Vec<String> {
        let cron = Cron::parse(expr, CronDialect::Croniter).unwrap();
        let zone = Zone::parse(zone).unwrap();
        let s = parse_moment(start).unwrap().instant_in(zone);
        let c = Clock::new(&cron, zone, s - 86_400, s + 40 * 86_400);
        let (ticks, _) = c
            .backfill(s, s + 40 * 86_400, None, 100_000)
            .unwrap_or_default();
        ticks
            .iter()
            .take(n)
            .map(|t| format_rfc3339(t.instant, t.offset, UtcAs::Offset))
            .collect()
    }

    #[test]
    fn an_hourly_cron_runs_both_passes_of_a_repeated_hour() {
        assert_eq!(
            fires("0 * * * *", "America/New_York", "2024-11-03T00:00:00", 4),
            [
                "2024-11-03T01:00:00-04:00",
                "2024-11-03T01:00:00-05:00",
                "2024-11-03T02:00:00-05:00",
                "2024-11-03T03:00:00-05:00",
            ]
        );
    }

    #[test]
    fn the_shifted_search_misses_a_fold_that_is_not_on_the_hour() {
        // Chatham falls back from 03:45 to 02:45 on 2034-04-02: croniter runs hour 2 once.
        let f = fires("*/20 2 * * *", "Pacific/Chatham", "2034-04-02T02:00:00", 3);
        assert_eq!(
            f,
            [
                "2034-04-02T02:20:00+13:45",
                "2034-04-02T02:40:00+13:45",
                "2034-04-03T02:00:00+12:45",
            ]
        );
    }
}
