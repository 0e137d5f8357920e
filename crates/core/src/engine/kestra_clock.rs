//! Kestra's clock: the execution dates, `trigger.previous` and `trigger.next` a Kestra
//! Schedule backfill gets from cron-utils 9.2.1, reproduced move by move.
//!
//! cron-utils does not list a cron's civil fire times and map them to instants. Its
//! `nextExecution` and `lastExecution` search from a zoned time (a wall-clock reading and
//! an offset), field by field, with two kinds of moves, and the zone's gaps and folds
//! bend that search (`differential/kestra/FINDINGS-dst.md` states the rule and names
//! every consequence; `differential/kestra/model/CronUtilsModel.java` is the same rule as
//! a runnable model). This module is that rule, written over civil seconds and offsets:
//!
//! - **Z1 resolve**: a wall time with one valid offset takes it; in a gap it moves
//!   forward by the gap's length and takes the offset after; in a fold it keeps the
//!   preferred offset if that is one of the two, else the larger (first pass).
//! - **Z2 wall move**: set wall fields, then resolve preferring the offset before.
//! - **Z3 instant move**: add seconds to the instant, read the wall clock there.
//! - **F** (forward search): month, then the month's day candidates, day, hour, minute,
//!   second; the first field that does not match moves the state (F1: day and month
//!   moves that land on the cron's lowest time; F2: one-unit instant steps, then the
//!   smaller fields zeroed). 100 000 steps and 100 years at most.
//! - **B** (backward search): the mirror, landing on the highest time; B2 ends an hour
//!   (minute, second) at its start + one unit − 1 s. 100 000 steps at most.
//! - **next** (N0–N3): F, and at a fire F from one second later; if the offset dropped
//!   and the fire after that one is two hours or more away, F from one hour and one
//!   second later. **last** (L): B, and at a fire B from one second earlier.
//! - **The backfill loop** (K1–K3): an execution at each `currentDate` c whose
//!   `next(c − 1 s)` is not after c; `previous = last(c)`, `next = next(date)`; then
//!   `c = next(c)` until it passes the end.
//!
//! Fractions of a second never arise from whole-second inputs except in one move (B1
//! month's `− 1 ns`); offsets change on whole seconds, so the state's floor behaves the
//! same and is what this module keeps. No code of cron-utils or Kestra is copied here.

use crate::cron::Cron;
use crate::series::Tick;
use crate::time::civil::{days_from_civil, days_in_month, Civil, DAY};
use crate::time::{OffsetSecs, Transition, Zone};

/// cron-utils' step limit for both searches.
const STEPS: u32 = 100_000;
/// The forward search gives up more than this many years after its start.
const YEARS: i32 = 100;
/// Instants within this of a wall reading can carry it (offsets stay under 16 h).
const REACH: i64 = 20 * 3600;
/// The time zone database's rules are read between these instants (1790 and 2110);
/// outside them a zone's offset is fixed.
const TZ_FROM: i64 = -5_681_203_200;
const TZ_TO: i64 = 4_417_977_600;
/// Transitions are looked up this many seconds at a time (daily sampling).
const CHUNK: i64 = 40 * 365 * DAY;
/// How far the offset table grows past a query outside it.
const GROW: i64 = 2 * 366 * DAY;
/// The far ends of time for the offset table.
const FAR: i64 = i64::MAX / 8;

/// A zoned time: the wall-clock reading (civil seconds) and the offset it is read with.
/// Equality is cron-utils' (`ZonedDateTime.equals`): wall clock and offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Zt {
    pub wall: i64,
    pub offset: OffsetSecs,
}

impl Zt {
    /// The instant, seconds since the epoch.
    pub(crate) fn instant(self) -> i64 {
        self.wall - i64::from(self.offset)
    }
    fn year(self) -> i32 {
        Civil::from_secs(self.wall).date().0
    }
}

/// Where a wall reading falls in the zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Wall {
    One(OffsetSecs),
    /// A fold: the first pass's offset, the second's.
    Two(OffsetSecs, OffsetSecs),
    Gap {
        before: OffsetSecs,
        after: OffsetSecs,
    },
}

/// The zone's offsets over a stretch of instants, grown on demand.
#[derive(Debug, Clone)]
struct Offsets {
    zone: Zone,
    /// The stretch covered, `[lo, hi]`.
    lo: i64,
    hi: i64,
    /// The offset at `lo`.
    base: OffsetSecs,
    /// The changes in `(lo, hi]`, in order.
    changes: Vec<Transition>,
}

/// The zone's transitions in `(a, b]`, read in chunks short enough to be sampled daily.
fn changes_between(zone: Zone, a: i64, b: i64) -> Vec<Transition> {
    let (mut x, b) = (a.max(TZ_FROM), b.min(TZ_TO));
    let mut out: Vec<Transition> = Vec::new();
    // At most (TZ_TO - TZ_FROM) / CHUNK + 1 rounds.
    while x < b {
        let y = x.saturating_add(CHUNK).min(b);
        for t in zone.transitions(x, y) {
            if out.last().is_none_or(|l| l.at < t.at) {
                out.push(t);
            }
        }
        x = y;
    }
    out
}

impl Offsets {
    fn new(zone: Zone, from: i64, to: i64) -> Offsets {
        let lo = if from.saturating_sub(GROW) < TZ_FROM {
            -FAR
        } else {
            from.saturating_sub(GROW)
        };
        let hi = if to.saturating_add(GROW) > TZ_TO {
            FAR
        } else {
            to.saturating_add(GROW)
        };
        Offsets {
            zone,
            lo,
            hi,
            base: zone.offset_at(lo),
            changes: changes_between(zone, lo, hi),
        }
    }

    /// Make sure `[a, b]` is covered.
    fn cover(&mut self, a: i64, b: i64) {
        if a < self.lo.saturating_add(DAY) {
            let lo = if a.saturating_sub(GROW) < TZ_FROM {
                -FAR
            } else {
                a.saturating_sub(GROW)
            };
            let mut earlier = changes_between(self.zone, lo, self.lo);
            earlier.retain(|t| self.changes.first().is_none_or(|f| t.at < f.at));
            earlier.append(&mut self.changes);
            self.changes = earlier;
            self.lo = lo;
            self.base = self.zone.offset_at(lo);
        }
        if b > self.hi.saturating_sub(DAY) {
            let hi = if b.saturating_add(GROW) > TZ_TO {
                FAR
            } else {
                b.saturating_add(GROW)
            };
            for t in changes_between(self.zone, self.hi, hi) {
                if self.changes.last().is_none_or(|l| l.at < t.at) {
                    self.changes.push(t);
                }
            }
            self.hi = hi;
        }
    }

    /// The offset in effect at `instant`.
    fn offset_at(&mut self, instant: i64) -> OffsetSecs {
        self.cover(instant, instant);
        let k = self.changes.partition_point(|t| t.at <= instant);
        match k.checked_sub(1).and_then(|k| self.changes.get(k)) {
            Some(t) => t.after,
            None => self.base,
        }
    }

    /// Whether the offset changes at an instant in `(a, b]`.
    fn changes_in(&mut self, a: i64, b: i64) -> bool {
        self.cover(a, b);
        let k = self.changes.partition_point(|t| t.at <= a);
        self.changes.get(k).is_some_and(|t| t.at <= b)
    }

    /// The valid offsets of wall reading `wall` (`ZoneRules.getValidOffsets`), or the
    /// gap it falls in.
    fn wall(&mut self, wall: i64) -> Wall {
        let (a, b) = (wall.saturating_sub(REACH), wall.saturating_add(REACH));
        self.cover(a, b);
        let k = self.changes.partition_point(|t| t.at <= a);
        let mut offset = match k.checked_sub(1).and_then(|k| self.changes.get(k)) {
            Some(t) => t.after,
            None => self.base,
        };
        let mut start = i64::MIN;
        let mut valid: [Option<OffsetSecs>; 2] = [None, None];
        let mut found = 0usize;
        let mut gap = None;
        let mut push = |o: OffsetSecs, found: &mut usize| {
            if let Some(slot) = valid.get_mut(*found) {
                *slot = Some(o);
                *found += 1;
            }
        };
        for t in self.changes.iter().skip(k).take_while(|t| t.at <= b) {
            let instant = wall - i64::from(offset);
            if instant >= start && instant < t.at {
                push(offset, &mut found);
            }
            if t.after > offset
                && wall >= t.at + i64::from(offset)
                && wall < t.at + i64::from(t.after)
            {
                gap = Some((offset, t.after));
            }
            start = t.at;
            offset = t.after;
        }
        if wall - i64::from(offset) >= start {
            push(offset, &mut found);
        }
        match (valid, gap) {
            ([Some(x), Some(y)], _) => Wall::Two(x, y),
            ([Some(x), None], _) => Wall::One(x),
            (_, Some((before, after))) => Wall::Gap { before, after },
            // Not reached: a reading is valid once or twice, or in a gap.
            _ => Wall::One(offset),
        }
    }
}

/// One step of a search: the state moved, or every field matched.
enum Step {
    Moved(Zt),
    Match(Zt),
}

/// One execution of the backfill: its date and the two variables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Execution {
    pub date: Zt,
    pub previous: Option<Zt>,
    pub next: Option<Zt>,
}

/// A backfill, as Kestra runs it.
#[derive(Debug, Clone, Default)]
pub(crate) struct Backfill {
    pub executions: Vec<Execution>,
    /// cron-utils found no next evaluation date at this `currentDate`: Kestra's loop
    /// never ends (it fails at every scheduler tick).
    pub stuck: Option<Zt>,
    /// The cap (or the loop's own bound) was reached before the end.
    pub truncated: bool,
}

/// One cron in one zone, searched the way cron-utils 9.2.1 searches it.
#[derive(Debug, Clone)]
pub(crate) struct Clock {
    cron: Cron,
    offsets: Offsets,
    seconds: u64,
    minutes: u64,
    hours: u32,
    months: u16,
    /// The cron's lowest and highest time of day (hour, minute, second), in seconds.
    low: i64,
    high: i64,
}

fn has(set: u64, v: u32) -> bool {
    v < 64 && set >> v & 1 == 1
}
fn above(set: u64, v: u32) -> Option<u32> {
    (v.saturating_add(1)..64).find(|&i| has(set, i))
}
fn below(set: u64, v: u32) -> Option<u32> {
    (0..v.min(64)).rev().find(|&i| has(set, i))
}
fn lowest(set: u64) -> Option<u32> {
    (set != 0).then(|| set.trailing_zeros())
}
fn highest(set: u64) -> Option<u32> {
    (set != 0).then(|| 63 - set.leading_zeros())
}

// Wall-clock fields (`LocalDateTime`) over civil seconds.
fn ymd(wall: i64) -> (i32, u32, u32) {
    Civil::from_secs(wall).date()
}
fn time_of_day(wall: i64) -> i64 {
    wall.rem_euclid(DAY)
}
fn civil(y: i32, m: u32, d: u32, secs_of_day: i64) -> i64 {
    days_from_civil(y, m, d) * DAY + secs_of_day
}
/// `truncatedTo(DAYS)`.
fn midnight(wall: i64) -> i64 {
    wall - time_of_day(wall)
}
/// `withMonth(m)`: the day clamped to the month's length.
fn with_month(wall: i64, m: u32) -> i64 {
    let (y, _, d) = ymd(wall);
    civil(y, m, d.min(days_in_month(y, m)), time_of_day(wall))
}
/// `withDayOfMonth(d)`; `None` where Java throws (the day does not exist).
fn with_day(wall: i64, d: u32) -> Option<i64> {
    let (y, m, _) = ymd(wall);
    (d >= 1 && d <= days_in_month(y, m)).then(|| civil(y, m, d, time_of_day(wall)))
}
/// `plusMonths(n)`: the day clamped.
fn plus_months(wall: i64, n: i64) -> Option<i64> {
    let (y, m, d) = ymd(wall);
    let index = i64::from(y) * 12 + i64::from(m) - 1 + n;
    let ny = i32::try_from(index.div_euclid(12)).ok()?;
    let nm = u32::try_from(index.rem_euclid(12) + 1).ok()?;
    Some(civil(
        ny,
        nm,
        d.min(days_in_month(ny, nm)),
        time_of_day(wall),
    ))
}
/// `with(lastDayOfMonth())`.
fn last_day(wall: i64) -> i64 {
    let (y, m, _) = ymd(wall);
    civil(y, m, days_in_month(y, m), time_of_day(wall))
}
/// The values an hour, minute or second takes before it wraps.
fn cycle(unit: i64) -> u32 {
    if unit == 3600 {
        24
    } else {
        60
    }
}
/// The hour, minute or second of a wall reading.
fn field(wall: i64, unit: i64) -> u32 {
    let t = time_of_day(wall);
    let v = match unit {
        3600 => t / 3600,
        60 => t / 60 % 60,
        _ => t % 60,
    };
    u32::try_from(v).unwrap_or(u32::MAX)
}

impl Clock {
    /// The clock of `cron` in `zone`, with offsets read first for instants in
    /// `[from, to]` (more are read when a search goes further).
    pub(crate) fn new(cron: &Cron, zone: Zone, from: i64, to: i64) -> Option<Clock> {
        let (seconds, minutes) = (cron.second_set(), cron.minute_set());
        let (hours, months) = (cron.hour_set(), cron.month_set());
        let hms = |h: u32, m: u32, s: u32| i64::from(h) * 3600 + i64::from(m) * 60 + i64::from(s);
        let low = hms(
            lowest(u64::from(hours))?,
            lowest(minutes)?,
            lowest(seconds)?,
        );
        let high = hms(
            highest(u64::from(hours))?,
            highest(minutes)?,
            highest(seconds)?,
        );
        lowest(u64::from(months))?;
        Some(Clock {
            cron: cron.clone(),
            offsets: Offsets::new(zone, from, to),
            seconds,
            minutes,
            hours,
            months,
            low,
            high,
        })
    }

    /// The zoned time of an instant (`withZoneSameInstant`).
    pub(crate) fn at(&mut self, instant: i64) -> Zt {
        let offset = self.offsets.offset_at(instant);
        Zt {
            wall: instant + i64::from(offset),
            offset,
        }
    }

    /// A fire time as a plan's tick (a second pass of a fold is marked).
    pub(crate) fn tick(&mut self, z: Zt) -> Tick {
        let second = matches!(self.offsets.wall(z.wall), Wall::Two(_, later) if later == z.offset);
        Tick {
            instant: z.instant(),
            offset: z.offset,
            second_occurrence: second,
            shifted: false,
        }
    }

    // ---- Z1-Z3 ----

    /// Z1: resolve a wall reading, keeping `prefer` in a fold when it is valid there.
    fn resolve(&mut self, wall: i64, prefer: Option<OffsetSecs>) -> Zt {
        match self.offsets.wall(wall) {
            Wall::One(offset) => Zt { wall, offset },
            Wall::Two(a, b) => {
                let offset = match prefer {
                    Some(p) if p == a || p == b => p,
                    _ => a.max(b),
                };
                Zt { wall, offset }
            }
            Wall::Gap { before, after } => Zt {
                wall: wall + i64::from(after) - i64::from(before),
                offset: after,
            },
        }
    }
    /// Z2: a wall move from `t` to the reading `wall`.
    fn moved(&mut self, t: Zt, wall: i64) -> Zt {
        self.resolve(wall, Some(t.offset))
    }
    /// Z3: an instant move.
    fn plus(&mut self, t: Zt, secs: i64) -> Zt {
        self.at(t.instant() + secs)
    }

    /// The month's day candidates, bit `d` for day `d`.
    fn days(&self, y: i32, m: u32) -> u64 {
        u64::from(self.cron.day_candidates(y, m))
    }

    // ---- F: the forward search ----

    /// F: the first zoned time from `d` on at which every field matches, as cron-utils'
    /// forward search finds it.
    pub(crate) fn forward(&mut self, d: Zt) -> Option<Zt> {
        let start_year = d.year();
        let mut t = d;
        for _ in 0..STEPS {
            match self.forward_step(t)? {
                Step::Match(m) => return Some(m),
                Step::Moved(n) => t = n,
            }
            if t.year().saturating_sub(start_year) > YEARS {
                return None;
            }
        }
        None
    }

    /// Midnight of t's day, +1 month, day 1 (F1 no-day).
    fn begin_of_next_month(&mut self, t: Zt) -> Option<Zt> {
        let a = self.moved(t, midnight(t.wall));
        let b = self.moved(a, plus_months(a.wall, 1)?);
        let c = self.moved(b, with_day(b.wall, 1)?);
        Some(c)
    }

    fn forward_step(&mut self, t: Zt) -> Option<Step> {
        let (y, m, d) = ymd(t.wall);
        if !has(u64::from(self.months), m) {
            // F1 month.
            let Some(next) = above(u64::from(self.months), m) else {
                let a = self.moved(t, midnight(t.wall));
                let b = self.moved(a, with_month(a.wall, 1));
                let c = self.moved(b, with_day(b.wall, 1)?);
                let e = self.moved(c, plus_months(c.wall, 12)?);
                return Some(Step::Moved(e));
            };
            let days = self.days(y, next);
            let Some(first) = lowest(days) else {
                return self.begin_of_next_month(t).map(Step::Moved);
            };
            let b = self.moved(t, with_month(t.wall, next));
            let c = self.moved(b, with_day(b.wall, first)?);
            let e = self.moved(c, midnight(c.wall) + self.low);
            return Some(Step::Moved(e));
        }
        let days = self.days(y, m);
        if days == 0 {
            return self.begin_of_next_month(t).map(Step::Moved);
        }
        if !has(days, d) {
            // F1 day.
            let Some(next) = above(days, d) else {
                let a = self.moved(t, midnight(t.wall));
                let b = self.moved(a, with_day(a.wall, 1)?);
                let c = self.moved(b, plus_months(b.wall, 1)?);
                return Some(Step::Moved(c));
            };
            let b = self.moved(t, with_day(t.wall, next)?);
            let c = self.moved(b, midnight(b.wall) + self.low);
            return Some(Step::Moved(c));
        }
        // F2.
        for (set, unit, range) in [
            (u64::from(self.hours), 3600, 23),
            (self.minutes, 60, 59),
            (self.seconds, 1, 59),
        ] {
            if !has(set, field(t.wall, unit)) {
                return self.forward_unit(t, set, unit, range).map(Step::Moved);
            }
        }
        Some(Step::Match(t))
    }

    /// F2: one unit of instant time at a time until the field's wall value is in `set`,
    /// then the smaller fields zeroed (a wall move).
    fn forward_unit(&mut self, mut t: Zt, set: u64, unit: i64, range: u32) -> Option<Zt> {
        // Where no offset change lies on the way, the k-th step reads value + k (a
        // shortcut to the same state as stepping).
        let v = field(t.wall, unit);
        if let Some(k) = (1..=2 * range).find(|k| has(set, (v + k) % cycle(unit))) {
            let to = t.instant() + i64::from(k) * unit;
            if !self.offsets.changes_in(t.instant(), to) {
                let n = self.at(to);
                let zeroed = n.wall - n.wall.rem_euclid(unit);
                return Some(self.moved(n, zeroed));
            }
        }
        for _ in 0..2 * range {
            t = self.plus(t, unit);
            if has(set, field(t.wall, unit)) {
                let zeroed = t.wall - t.wall.rem_euclid(unit);
                return Some(self.moved(t, zeroed));
            }
        }
        None
    }

    // ---- B: the backward search ----

    /// B: the last zoned time from `d` back at which every field matches, as cron-utils'
    /// backward search finds it (`None` when it cycles to its step limit).
    pub(crate) fn backward(&mut self, d: Zt) -> Option<Zt> {
        let mut t = d;
        for _ in 0..STEPS {
            match self.backward_step(t)? {
                Step::Match(m) => return Some(m),
                Step::Moved(n) => t = n,
            }
        }
        None
    }

    fn backward_step(&mut self, t: Zt) -> Option<Step> {
        let (y, m, d) = ymd(t.wall);
        let days = self.days(y, m);
        if lowest(days).is_none_or(|first| first > d) {
            // B1 no day left in this month: the previous month's last day, at `high`.
            let a = self.moved(t, plus_months(t.wall, -1)?);
            let b = self.moved(a, last_day(a.wall));
            let c = self.resolve(midnight(b.wall) + self.high, None);
            return Some(Step::Moved(c));
        }
        if !has(u64::from(self.months), m) {
            // B1 month.
            if below(u64::from(self.months), m).is_none() {
                let a = self.resolve(civil(y, 12, 31, DAY - 1), None);
                let b = self.moved(a, plus_months(a.wall, -12)?);
                return Some(Step::Moved(b));
            }
            // The 1st at 00:00, then 1 ns back (the floor of that is 1 s back).
            let a = self.resolve(civil(y, m, 1, 0), None);
            let b = self.plus(a, -1);
            return Some(Step::Moved(b));
        }
        if !has(days, d) {
            // B1 day.
            let Some(prev) = below(days, d) else {
                let a = self.resolve(civil(y, m, 1, DAY - 1), None);
                let b = self.moved(a, plus_months(a.wall, -1)?);
                let c = self.moved(b, last_day(b.wall));
                return Some(Step::Moved(c));
            };
            let a = self.moved(t, with_day(t.wall, prev)?);
            let b = self.moved(a, midnight(a.wall) + self.high);
            let c = self.moved(b, b.wall);
            return Some(Step::Moved(c));
        }
        // B2.
        for (set, unit, range) in [
            (u64::from(self.hours), 3600, 23),
            (self.minutes, 60, 59),
            (self.seconds, 1, 59),
        ] {
            if !has(set, field(t.wall, unit)) {
                return self.backward_unit(t, set, unit, range).map(Step::Moved);
            }
        }
        Some(Step::Match(self.moved(t, t.wall)))
    }

    /// B2: one unit back at a time until the field's wall value is in `set`; then the
    /// smaller fields zeroed (wall move), one unit forward and one second back (instant).
    fn backward_unit(&mut self, mut t: Zt, set: u64, unit: i64, range: u32) -> Option<Zt> {
        // The shortcut of `forward_unit`, backwards.
        let v = field(t.wall, unit);
        let c = cycle(unit);
        if let Some(k) = (1..=2 * range).find(|k| has(set, (v + 2 * c - k % c) % c)) {
            let to = t.instant() - i64::from(k) * unit;
            if !self.offsets.changes_in(to, t.instant()) {
                let n = self.at(to);
                let zeroed = n.wall - n.wall.rem_euclid(unit);
                let a = self.moved(n, zeroed);
                let b = self.plus(a, unit);
                return Some(self.plus(b, -1));
            }
        }
        for _ in 0..2 * range {
            t = self.plus(t, -unit);
            if has(set, field(t.wall, unit)) {
                let zeroed = t.wall - t.wall.rem_euclid(unit);
                let a = self.moved(t, zeroed);
                let b = self.plus(a, unit);
                return Some(self.plus(b, -1));
            }
        }
        None
    }

    // ---- The two calls Kestra makes ----

    /// `nextExecution(d)` (N0-N3).
    pub(crate) fn next(&mut self, d: Zt) -> Option<Zt> {
        let mut m = self.forward(d)?;
        if m == d {
            // N1: d is a fire.
            let from = self.plus(d, 1);
            m = self.forward(from)?;
            if m.offset < d.offset {
                // N2: the offset dropped; N3: the fire after is two hours or more away.
                let from = self.plus(m, 1);
                if let Some(after) = self.forward(from) {
                    if (after.instant() - m.instant()) / 3600 > 1 {
                        let from = self.plus(d, 3601);
                        m = self.forward(from)?;
                    }
                }
            }
        }
        Some(m)
    }

    /// `lastExecution(d)` (L).
    pub(crate) fn last(&mut self, d: Zt) -> Option<Zt> {
        let p = self.backward(d)?;
        if p == d {
            let from = self.plus(d, -1);
            return self.backward(from);
        }
        Some(p)
    }

    // ---- Kestra's Schedule backfill (K1-K3) ----

    /// `Schedule.nextEvaluationDate` with a backfill: the next fire after `current`, or,
    /// past the end, the next fire after the scheduler's clock.
    fn evaluation_date(&mut self, current: Zt, clock: i64, end: i64) -> Option<Zt> {
        let next = self.next(current)?;
        if next.instant() > end {
            let now = self.at(clock);
            return self.next(now);
        }
        Some(next)
    }

    /// `Schedule.evaluate` at `current` (K1, K2).
    fn evaluate(&mut self, current: Zt, clock: i64) -> Option<Execution> {
        let before = self.plus(current, -1);
        let date = self.next(before)?;
        if current.instant() < date.instant() || date.instant() > clock + 1 {
            return None;
        }
        let next = self.next(date);
        let previous = self.last(current);
        Some(Execution {
            date,
            previous,
            next,
        })
    }

    /// The executions of a backfill from `start` to `end` (instants) created with the
    /// scheduler's clock at `now`, at most `cap` of them.
    pub(crate) fn backfill(&mut self, start: i64, end: i64, now: i64, cap: usize) -> Backfill {
        let mut out = Backfill::default();
        let mut current = self.at(start);
        let mut clock = now;
        let mut due = self.evaluation_date(current, clock, end).map(Zt::instant);
        // Each round visits one fire; the ones that do not run are the few right after
        // a gap, so this bound is never the reason a real backfill stops.
        let rounds = cap.saturating_mul(2).saturating_add(10_000);
        for _ in 0..rounds {
            // The trigger is handled at the first whole second after its date.
            clock = due.map_or(clock, |d| d + 1).max(clock + 1);
            let execution = self.evaluate(current, clock);
            let Some(next) = self.evaluation_date(current, clock, end) else {
                out.stuck = Some(current);
                return out;
            };
            if let Some(x) = execution {
                if out.executions.len() >= cap {
                    out.truncated = true;
                    return out;
                }
                out.executions.push(x);
            }
            if next.instant() > end {
                return out;
            }
            current = next;
            due = Some(next.instant());
        }
        out.truncated = true;
        out
    }
}

#[cfg(test)]
mod tests {
    //! Every expected value here is cron-utils 9.2.1's own answer, from
    //! `differential/kestra/dst-vectors.jsonl` (FINDINGS-dst.md §4).
    use super::*;
    use crate::cron::CronDialect;
    use crate::time::{format_rfc3339, parse_moment, UtcAs};

    fn clock(cron: &str, seconds: bool, zone: &str, around: &str) -> Clock {
        let dialect = if seconds {
            CronDialect::KestraSeconds
        } else {
            CronDialect::Kestra
        };
        let c = Cron::parse(cron, dialect).expect("cron");
        let z = Zone::parse(zone).expect("zone");
        let t = instant(around);
        Clock::new(&c, z, t - 30 * DAY, t + 30 * DAY).expect("clock")
    }
    fn instant(s: &str) -> i64 {
        parse_moment(s).expect("moment").instant_in(Zone::UTC)
    }
    fn zt(c: &mut Clock, s: &str) -> Zt {
        let m = parse_moment(s).expect("moment");
        let z = c.at(m.instant_in(Zone::UTC));
        assert_eq!(Some(z.offset), m.offset, "{s} is not a reading of the zone");
        z
    }
    fn text(z: Option<Zt>) -> Option<String> {
        z.map(|z| format_rfc3339(z.instant(), z.offset, UtcAs::Z))
    }
    /// The whole backfill, as `date previous next` lines.
    fn backfill(
        cron: &str,
        seconds: bool,
        zone: &str,
        start: &str,
        end: &str,
        now: &str,
    ) -> Vec<String> {
        let mut c = clock(cron, seconds, zone, start);
        let b = c.backfill(instant(start), instant(end), instant(now), 1000);
        assert!(b.stuck.is_none() && !b.truncated);
        b.executions
            .iter()
            .map(|x| {
                let f = |z: Option<Zt>| text(z).unwrap_or_else(|| "null".to_owned());
                format!("{} {} {}", f(Some(x.date)), f(x.previous), f(x.next))
            })
            .collect()
    }

    #[test]
    fn v01_a_fixed_hour_repeat_runs_once_and_previous_reads_the_second_pass() {
        let mut c = clock(
            "30 1 * * *",
            false,
            "America/New_York",
            "2024-11-03T00:00:00-04:00",
        );
        let d = zt(&mut c, "2024-11-03T01:30:00-04:00");
        assert_eq!(
            text(c.next(d)).as_deref(),
            Some("2024-11-04T01:30:00-05:00")
        );
        let d = zt(&mut c, "2024-11-04T01:30:00-05:00");
        assert_eq!(
            text(c.last(d)).as_deref(),
            Some("2024-11-03T01:30:00-05:00")
        );
    }

    #[test]
    fn v02_an_hourly_cron_runs_both_passes() {
        assert_eq!(
            backfill(
                "0 * * * *",
                false,
                "America/New_York",
                "2024-11-03T00:30:00-04:00",
                "2024-11-03T03:00:00-05:00",
                "2024-11-05T00:00:00Z"
            ),
            [
                "2024-11-03T01:00:00-04:00 2024-11-03T00:00:00-04:00 2024-11-03T01:00:00-05:00",
                "2024-11-03T01:00:00-05:00 2024-11-03T01:00:00-04:00 2024-11-03T02:00:00-05:00",
                "2024-11-03T02:00:00-05:00 2024-11-03T01:00:00-05:00 2024-11-03T03:00:00-05:00",
                "2024-11-03T03:00:00-05:00 2024-11-03T02:00:00-05:00 2024-11-03T04:00:00-05:00",
            ]
        );
    }

    #[test]
    fn v05_fires_half_an_hour_apart_run_on_both_passes() {
        assert_eq!(
            backfill(
                "*/30 1 * * *",
                false,
                "America/New_York",
                "2024-11-03T00:00:00-04:00",
                "2024-11-03T03:00:00-05:00",
                "2024-11-05T00:00:00Z"
            ),
            [
                "2024-11-03T01:00:00-04:00 2024-11-02T01:30:00-04:00 2024-11-03T01:30:00-04:00",
                "2024-11-03T01:30:00-04:00 2024-11-03T01:00:00-04:00 2024-11-03T01:00:00-05:00",
                "2024-11-03T01:00:00-05:00 2024-11-03T01:30:00-04:00 2024-11-03T01:30:00-05:00",
                "2024-11-03T01:30:00-05:00 2024-11-03T01:00:00-05:00 2024-11-04T01:00:00-05:00",
            ]
        );
    }

    #[test]
    fn v06_a_start_inside_the_fold_that_is_not_a_fire_reaches_the_second_pass() {
        assert_eq!(
            backfill(
                "0 1/4 * * *",
                false,
                "America/New_York",
                "2024-11-03T01:30:00-04:00",
                "2024-11-03T06:00:00-05:00",
                "2024-11-05T00:00:00Z"
            ),
            [
                "2024-11-03T01:00:00-05:00 2024-11-03T01:00:00-04:00 2024-11-03T05:00:00-05:00",
                "2024-11-03T05:00:00-05:00 2024-11-03T01:00:00-05:00 2024-11-03T09:00:00-05:00",
            ]
        );
    }

    #[test]
    fn v09_a_two_hour_fold_runs_both_passes() {
        let mut c = clock(
            "0 1 * * *",
            false,
            "Antarctica/Troll",
            "2024-10-27T00:00:00+02:00",
        );
        let d = zt(&mut c, "2024-10-27T01:00:00+02:00");
        assert_eq!(text(c.next(d)).as_deref(), Some("2024-10-27T01:00:00Z"));
        let d = zt(&mut c, "2024-10-27T01:00:00Z");
        assert_eq!(
            text(c.last(d)).as_deref(),
            Some("2024-10-27T01:00:00+02:00")
        );
    }

    #[test]
    fn v10_previous_reads_the_first_pass_of_a_half_hour_fold() {
        let mut c = clock(
            "30 1 * * *",
            false,
            "Australia/Lord_Howe",
            "2024-04-07T00:00:00+11:00",
        );
        let d = zt(&mut c, "2024-04-07T01:30:00+11:00");
        assert_eq!(
            text(c.next(d)).as_deref(),
            Some("2024-04-08T01:30:00+10:30")
        );
        let d = zt(&mut c, "2024-04-08T01:30:00+10:30");
        assert_eq!(
            text(c.last(d)).as_deref(),
            Some("2024-04-07T01:30:00+11:00")
        );
    }

    #[test]
    fn v14_a_start_right_after_a_gap_is_stepped_over() {
        assert_eq!(
            backfill(
                "30 2/4 * * *",
                false,
                "Australia/Lord_Howe",
                "2024-10-06T02:30:00+11:00",
                "2024-10-06T07:00:00+11:00",
                "2024-10-08T00:00:00Z"
            ),
            ["2024-10-06T06:30:00+11:00 2024-10-05T22:30:00+10:30 2024-10-06T10:30:00+11:00"]
        );
    }

    #[test]
    fn v15_previous_steps_over_the_part_of_an_hour_after_a_gap() {
        let mut c = clock(
            "45 2 * * *",
            false,
            "Australia/Lord_Howe",
            "2024-10-06T00:00:00+10:30",
        );
        let d = zt(&mut c, "2024-10-07T02:45:00+11:00");
        assert_eq!(
            text(c.last(d)).as_deref(),
            Some("2024-10-05T02:45:00+10:30")
        );
    }

    #[test]
    fn v16_v17_previous_is_null_after_a_gap_that_starts_at_one_past_midnight() {
        let mut c = clock(
            "17 1 * * *",
            false,
            "America/St_Johns",
            "2008-03-09T12:00:00-02:30",
        );
        let d = zt(&mut c, "2008-03-10T01:17:00-02:30");
        assert_eq!(c.last(d), None);
        assert_eq!(
            text(c.next(d)).as_deref(),
            Some("2008-03-11T01:17:00-02:30")
        );
        assert_eq!(
            backfill(
                "0,30 1 * * *",
                false,
                "America/St_Johns",
                "2008-03-08T12:00:00-03:30",
                "2008-03-10T12:00:00-02:30",
                "2008-03-11T00:00:00Z"
            ),
            [
                "2008-03-10T01:00:00-02:30 null 2008-03-10T01:30:00-02:30",
                "2008-03-10T01:30:00-02:30 2008-03-10T01:00:00-02:30 2008-03-11T01:00:00-02:30",
            ]
        );
    }

    #[test]
    fn v19_hour_steps_skip_the_first_pass_of_a_fold_that_starts_mid_hour() {
        let runs = backfill(
            "0 * 3 * * *",
            true,
            "Pacific/Chatham",
            "2023-04-02T02:45:00+13:45",
            "2023-04-02T03:10:00+12:45",
            "2023-04-03T00:00:00Z",
        );
        assert_eq!(runs.len(), 11);
        assert_eq!(
            runs.first().map(String::as_str),
            Some("2023-04-02T03:00:00+12:45 2023-04-01T03:59:00+13:45 2023-04-02T03:01:00+12:45")
        );
        assert_eq!(
            runs.get(1).map(String::as_str),
            Some("2023-04-02T03:01:00+12:45 2023-04-02T03:00:00+12:45 2023-04-02T03:02:00+12:45")
        );
    }

    #[test]
    fn v21_a_day_move_onto_a_skipped_day_cycles() {
        let mut c = clock(
            "0 12 * * 5",
            false,
            "Pacific/Apia",
            "2012-01-01T00:00:00+14:00",
        );
        let d = zt(&mut c, "2012-01-06T12:00:00+14:00");
        assert_eq!(c.last(d), None);
        assert_eq!(
            text(c.next(d)).as_deref(),
            Some("2012-01-13T12:00:00+14:00")
        );
    }

    #[test]
    fn v25_an_hour_step_over_a_quarter_hour_gap_loses_a_day() {
        let mut c = clock(
            "45 0 * * *",
            false,
            "Asia/Kathmandu",
            "1986-01-01T00:00:00+05:45",
        );
        let d = zt(&mut c, "1985-12-31T00:45:00+05:30");
        assert_eq!(
            text(c.next(d)).as_deref(),
            Some("1986-01-02T00:45:00+05:45")
        );
    }

    #[test]
    fn v26_a_midnight_in_a_gap_carries_into_the_next_month() {
        assert_eq!(
            backfill(
                "@monthly",
                false,
                "Australia/Lord_Howe",
                "1981-03-04T09:17:00+10:30",
                "1981-05-02T00:00:00+10:30",
                "1981-05-03T00:00:00Z"
            ),
            ["1981-05-01T00:00:00+10:30 1981-04-01T00:00:00+10:30 1981-06-01T00:00:00+10:30"]
        );
    }

    #[test]
    fn v31_a_day_move_into_a_gap_loses_the_whole_day() {
        assert_eq!(
            backfill(
                "15,40 2 * * 0",
                false,
                "Australia/Lord_Howe",
                "2024-10-05T12:00:00+10:30",
                "2024-10-13T12:00:00+11:00",
                "2024-10-14T00:00:00Z"
            ),
            [
                "2024-10-13T02:15:00+11:00 2024-10-06T02:40:00+11:00 2024-10-13T02:40:00+11:00",
                "2024-10-13T02:40:00+11:00 2024-10-13T02:15:00+11:00 2024-10-20T02:15:00+11:00",
            ]
        );
    }

    #[test]
    fn v30_a_short_fold_at_midnight_loses_a_day() {
        assert_eq!(
            backfill("0 0 * * *", false, "Europe/Amsterdam", "1892-04-29T12:00:00Z", "1892-05-02T12:00:00Z", "1892-05-03T00:00:00Z"),
            [
                "1892-04-30T00:00:00+00:17:30 1892-04-29T00:00:00+00:17:30 1892-05-01T00:00:00+00:17:30",
                "1892-05-02T00:00:00Z 1892-05-01T00:00:00Z 1892-05-03T00:00:00Z",
            ]
        );
    }
}
