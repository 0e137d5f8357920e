//! Dagster's clock: the fire times and partition windows dagster 1.13.28 computes,
//! reproduced rule by rule, with Python's datetime semantics.
//!
//! Dagster does not iterate a cron the way a calendar would. `cron_string_iterator`
//! (`dagster/_utils/schedules.py`) has four fast paths (hourly, daily, weekly, monthly)
//! and a croniter path, each with its own arithmetic, and `time_window.py` builds the
//! partition windows on top of them from *both* ends (forward from the start, backward
//! from the end and from now). Run against the engine (the differential harness), the
//! rules that matter are:
//!
//! - **Python datetimes.** An aware time is a wall reading plus `fold`. In a gap, fold 0
//!   takes the offset before the change (so `02:30` in New York's spring gap is the
//!   instant `03:30 EDT`, printed `02:30-05:00`); in a fold, fold 0 is the first pass.
//!   Adding a `timedelta` or a `relativedelta` moves the wall reading and resets fold.
//! - **Only hours 1–3 are treated as DST hours.** A fast-path time in a gap is moved to
//!   "the top of its hour plus `dst()`" only when its hour is 1, 2 or 3, and a repeated
//!   time gets fold 1 (the second pass) only then. Elsewhere the nonexistent wall time is
//!   kept (Sao Paulo's midnight gaps), and a repeated time keeps its first pass.
//! - **The hourly fast path steps in absolute hours.** After the first tick, each next
//!   one is one UTC hour later: a 30-minute shift (Lord Howe) moves every later key to
//!   `:30` until the next shift; the first tick is found on whole UTC minutes unless the
//!   zone's offset *today* (at the plan's now) has minutes.
//! - **The croniter path** reads the cron on the naive wall clock: in a gap an
//!   hour-`*` cron drops the time, others move it as above (without the hour test); in a
//!   fold an hour-`*` cron fires on both passes, others on the second only.
//! - **`0 0 29 2 *`-style crons** are iterated on Feb 28 and shifted a day in leap years.
//!
//! None of dagster's code is copied here; each function names the one it reproduces.

use crate::cron::{Cron, CronDialect, Expanded};
use crate::series::Tick;
use crate::time::civil::{days_in_month, is_leap, Civil, DAY};
use crate::time::{Local, OffsetSecs, Resolver, Zone};

/// A Python aware datetime in the clock's zone: a wall reading and `fold`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Dt {
    /// The wall-clock reading, civil seconds.
    pub wall: i64,
    pub fold: bool,
}

impl Dt {
    fn civil(self) -> Civil {
        Civil::from_secs(self.wall)
    }
    fn hour(self) -> u32 {
        self.civil().time().0
    }
    fn minute(self) -> u32 {
        self.civil().time().1
    }
    fn second(self) -> u32 {
        self.civil().time().2
    }
    /// `self + timedelta(seconds=secs)`: wall arithmetic, fold reset.
    fn plus(self, secs: i64) -> Dt {
        Dt {
            wall: self.wall + secs,
            fold: false,
        }
    }
}

/// Why dagster itself fails on the input (it raises).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Failure(pub String);

type Step = Result<Dt, Failure>;

/// The fast path `cron_string_iterator` picks for a cron (`ScheduleType`).
#[derive(Debug, Clone, PartialEq, Eq)]
enum Shape {
    Hourly(Vec<i64>),
    Daily {
        minute: u32,
        hour: u32,
        days_of_week: Option<Vec<u32>>,
    },
    Weekly {
        minute: u32,
        hour: u32,
        day_of_week: u32,
    },
    Monthly {
        minute: u32,
        hour: u32,
        day: u32,
    },
    /// No fast path: croniter on the naive wall clock.
    Croniter,
}

/// One cron schedule in one zone, as dagster iterates it.
#[derive(Debug, Clone)]
pub(crate) struct Clock {
    zone: Zone,
    resolver: Resolver,
    cron: Cron,
    /// The cron's text, as dagster compares it (`_is_simple_cron`).
    text: String,
    shape: Shape,
    /// The hour field is `*` (`cron_string_repeats_every_hour`).
    repeats_every_hour: bool,
    /// `has_nonzero_minute_offset`: the hourly path finds minutes on the wall clock.
    zone_minutes: bool,
    /// `… 29 2 *`: the clock of `… 28 2 *`, shifted a day in leap years.
    leap: Option<Box<Clock>>,
    /// The day-of-month values whose leap day dagster's vendored croniter steps over
    /// going back from March (see [`Clock::croniter_prev`]); `None` when it cannot.
    feb_skip: Option<Vec<u32>>,
}

impl Clock {
    /// The clock of `cron` (written `text`) in `zone`, valid for instants in
    /// `[from, to]`; `now` decides the hourly path's minute resolution (dagster reads
    /// the zone's offset at the moment it runs).
    pub(crate) fn new(
        cron: &Cron,
        text: &str,
        zone: Zone,
        from: i64,
        to: i64,
        now: i64,
    ) -> Option<Clock> {
        let resolver = zone.resolver(from, to);
        let text = text.trim().to_owned();
        let leap = match text.strip_suffix(" 29 2 *") {
            Some(head) => {
                let day_before = format!("{head} 28 2 *");
                let c = Cron::parse(&day_before, CronDialect::Dagster).ok()?;
                Some(Box::new(Clock::new(&c, &day_before, zone, from, to, now)?))
            }
            None => None,
        };
        let shape = shape_of(cron);
        let zone_minutes = zone.offset_at(now) % 3600 != 0;
        let croniter = cron.croniter_shape();
        let repeats_every_hour = croniter.hour == Expanded::Star;
        let feb_skip = match (&croniter.dom, &croniter.month, &croniter.dow) {
            (Expanded::Values(days), month, Expanded::Star)
                if !croniter.nth
                    && days.contains(&29)
                    && !days.contains(&1)
                    && match month {
                        Expanded::Star => true,
                        Expanded::Values(m) => m.contains(&3) && m.contains(&2),
                        Expanded::Other => false,
                    } =>
            {
                Some(days.clone())
            }
            _ => None,
        };
        Some(Clock {
            zone,
            resolver,
            cron: cron.clone(),
            text,
            shape,
            repeats_every_hour,
            zone_minutes,
            leap,
            feb_skip,
        })
    }

    /// Whether the hour field is `*` (dagster then names a repeated hour's second pass
    /// with its offset).
    pub(crate) fn repeats_every_hour(&self) -> bool {
        self.repeats_every_hour
    }

    // --- Python's datetime, in this zone -------------------------------------------

    /// `dt.utcoffset()`.
    fn offset(&self, d: Dt) -> OffsetSecs {
        match self.resolver.lookup(d.civil()) {
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

    /// `dt.timestamp()`.
    pub(crate) fn ts(&self, d: Dt) -> i64 {
        d.wall - i64::from(self.offset(d))
    }

    /// `datetime.fromtimestamp(t, tz)`.
    pub(crate) fn at_ts(&self, t: i64) -> Dt {
        let wall = t + i64::from(self.resolver.offset_at(t));
        let fold = matches!(self.resolver.lookup(Civil::from_secs(wall)),
            Local::Fold { later, .. } if later.0 == t);
        Dt { wall, fold }
    }

    /// dateutil's `datetime_exists`.
    fn exists(&self, d: Dt) -> bool {
        !matches!(self.resolver.lookup(d.civil()), Local::Gap { .. })
    }

    /// dateutil's `datetime_ambiguous`: fold changes the offset (true in a gap too).
    fn ambiguous(&self, d: Dt) -> bool {
        !matches!(self.resolver.lookup(d.civil()), Local::Single(..))
    }

    /// `dt.dst()`.
    fn dst(&self, d: Dt) -> OffsetSecs {
        let inside = match self.resolver.lookup(d.civil()) {
            Local::Single(t, _) => t,
            Local::Gap { after, .. } => {
                if d.fold {
                    after
                } else {
                    after - 1
                }
            }
            Local::Fold { earlier, later } => {
                if d.fold {
                    later.0
                } else {
                    earlier.0
                }
            }
        };
        self.zone.dst_at(inside)
    }

    /// dagster's `is_second_ambiguous_time`: fold 1 of a time that happens twice.
    fn second_pass(&self, d: Dt) -> bool {
        d.fold && matches!(self.resolver.lookup(d.civil()), Local::Fold { .. })
    }

    /// The run-facing tick of a datetime.
    pub(crate) fn tick(&self, d: Dt) -> Tick {
        Tick {
            instant: self.ts(d),
            offset: self.offset(d),
            second_occurrence: self.second_pass(d),
            shifted: false,
        }
    }

    /// Read a naive wall time as dagster does (fold 0).
    pub(crate) fn naive(&self, wall: Civil) -> i64 {
        self.ts(Dt {
            wall: wall.secs(),
            fold: false,
        })
    }

    // --- `_utils/schedules.py` ------------------------------------------------------

    /// `apply_post_transition`.
    fn post_transition(&self, d: Dt) -> Dt {
        if (1..=3).contains(&d.hour()) && !self.exists(d) {
            let dst = self.dst(d.plus(3600));
            let top = Dt {
                wall: d.wall - d.wall.rem_euclid(3600),
                fold: d.fold,
            };
            top.plus(i64::from(dst))
        } else {
            d
        }
    }

    /// `_apply_fold`.
    fn apply_fold(&self, d: Dt) -> Dt {
        if !d.fold && (1..=3).contains(&d.hour()) && self.ambiguous(d) {
            Dt { fold: true, ..d }
        } else {
            d
        }
    }

    fn fold_and_post(&self, d: Dt) -> Dt {
        self.apply_fold(self.post_transition(d))
    }

    /// `_replace_date_fields`.
    fn replace_fields(&self, d: Dt, hour: u32, minute: u32, day: u32) -> Step {
        let (y, m, _) = d.civil().date();
        let c = Civil::from_ymd_hms(y, m, day, hour, minute, 0)
            .filter(|_| day <= days_in_month(y, m))
            .ok_or_else(|| Failure(format!("ValueError: day {day} is out of range for month")))?;
        Ok(self.fold_and_post(Dt {
            wall: c.secs(),
            fold: d.fold,
        }))
    }

    /// `_find_hourly_schedule_time`.
    fn hourly(&self, minutes: &[i64], d: Dt, asc: bool, on_boundary: bool) -> Dt {
        let on_minute = minutes.len() == 1
            && (on_boundary || (i64::from(d.minute()) == minutes[0] && d.second() == 0));
        if on_minute {
            return self.at_ts(self.ts(d) + if asc { 3600 } else { -3600 });
        }
        let t = self.ts(d);
        let base = if asc {
            t + (60 - t.rem_euclid(60)).rem_euclid(60)
        } else {
            t - t.rem_euclid(60)
        };
        let current = if self.zone_minutes {
            i64::from(self.at_ts(base).minute())
        } else {
            base.div_euclid(60).rem_euclid(60)
        };
        // Python's `if not final_timestamp` also forgets a candidate of 0 (the epoch).
        let mut best: Option<i64> = None;
        for &m in minutes {
            let cand = if asc {
                let c = base + 60 * (m - current).rem_euclid(60);
                if c <= t {
                    c + 3600
                } else {
                    c
                }
            } else {
                let c = base - 60 * (current - m).rem_euclid(60);
                if c >= t {
                    c - 3600
                } else {
                    c
                }
            };
            best = Some(match best {
                Some(b) if b != 0 => {
                    if asc {
                        b.min(cand)
                    } else {
                        b.max(cand)
                    }
                }
                _ => cand,
            });
        }
        self.at_ts(best.unwrap_or(t))
    }

    /// `_find_daily_schedule_time`.
    fn daily(
        &self,
        minute: u32,
        hour: u32,
        days_of_week: Option<&[u32]>,
        mut d: Dt,
        asc: bool,
        mut on_boundary: bool,
    ) -> Step {
        for _ in 0..10 {
            let mut new =
                if !on_boundary || d.hour() != hour || d.minute() != minute || d.second() != 0 {
                    let (_, _, day) = d.civil().date();
                    self.replace_fields(d, hour, minute, day)?
                } else {
                    d
                };
            if asc {
                if on_boundary || self.ts(new) <= self.ts(d) {
                    new = new.plus(DAY);
                }
            } else if on_boundary || self.ts(new) >= self.ts(d) {
                new = new.plus(-DAY);
            }
            if new.hour() != hour || new.minute() != minute {
                let (_, _, day) = new.civil().date();
                new = self.replace_fields(new, hour, minute, day)?;
            }
            d = self.fold_and_post(new);
            if days_of_week.is_none_or(|w| w.contains(&d.civil().weekday())) {
                return Ok(d);
            }
            on_boundary = true;
        }
        Err(Failure(
            "CheckError: Computing next schedule daily schedule time should eventually reach an intended day of week".into(),
        ))
    }

    /// `_find_weekly_schedule_time`.
    fn weekly(
        &self,
        minute: u32,
        hour: u32,
        dow: u32,
        d: Dt,
        asc: bool,
        on_boundary: bool,
    ) -> Step {
        let mut new = if on_boundary {
            d
        } else {
            let (_, _, day) = d.civil().date();
            let mut new = self.replace_fields(d, hour, minute, day)?;
            let current = new.civil().weekday();
            if dow != current {
                let days = if asc {
                    i64::from((dow + 7 - current) % 7)
                } else {
                    -i64::from((current + 7 - dow) % 7)
                };
                new = new.plus(days * DAY);
            }
            new
        };
        if asc {
            if on_boundary || self.ts(new) <= self.ts(d) {
                new = new.plus(7 * DAY);
            }
        } else if on_boundary || self.ts(new) >= self.ts(d) {
            new = new.plus(-7 * DAY);
        }
        if new.hour() != hour || new.minute() != minute {
            let (_, _, day) = new.civil().date();
            new = self.replace_fields(new, hour, minute, day)?;
        }
        Ok(self.fold_and_post(new))
    }

    /// `_find_monthly_schedule_time` (the day is at most 28: no month-end clamping).
    fn monthly(
        &self,
        minute: u32,
        hour: u32,
        day: u32,
        d: Dt,
        asc: bool,
        on_boundary: bool,
    ) -> Step {
        let mut new = if on_boundary {
            d
        } else {
            self.replace_fields(d, hour, minute, day)?
        };
        let step = if asc {
            (on_boundary || self.ts(new) <= self.ts(d)).then_some(1)
        } else {
            (on_boundary || self.ts(new) >= self.ts(d)).then_some(-1)
        };
        if let Some(months) = step {
            new = add_months(new, months)?;
        }
        if new.hour() != hour || new.minute() != minute {
            new = self.replace_fields(new, hour, minute, day)?;
        }
        Ok(self.fold_and_post(new))
    }

    /// `_find_schedule_time`.
    fn find(&self, d: Dt, asc: bool, on_boundary: bool) -> Step {
        match &self.shape {
            Shape::Hourly(m) => Ok(self.hourly(m, d, asc, on_boundary)),
            Shape::Daily {
                minute,
                hour,
                days_of_week,
            } => self.daily(*minute, *hour, days_of_week.as_deref(), d, asc, on_boundary),
            Shape::Weekly {
                minute,
                hour,
                day_of_week,
            } => self.weekly(*minute, *hour, *day_of_week, d, asc, on_boundary),
            Shape::Monthly { minute, hour, day } => {
                self.monthly(*minute, *hour, *day, d, asc, on_boundary)
            }
            Shape::Croniter => unreachable!("the croniter path has no find"),
        }
    }

    /// `cron_string_iterator(start, ascending=asc)`: fire times from `start` on (or back).
    pub(crate) fn ticks(&self, start: i64, asc: bool) -> Ticks<'_> {
        if let Some(inner) = &self.leap {
            return Ticks {
                clock: self,
                state: State::Leap(Box::new(inner.ticks(start, asc))),
            };
        }
        let state = if self.shape == Shape::Croniter {
            let first = {
                let mut back = CroniterTicks::new(self, self.at_ts(start), !asc);
                back.next_dt()
            };
            match first {
                Some(Ok(d)) => State::Croniter(CroniterTicks::new(self, d, asc), start),
                Some(Err(e)) => State::Failed(Some(e)),
                None => State::Failed(Some(Failure(
                    "CroniterBadDateError: no fire time before year 9999".into(),
                ))),
            }
        } else {
            let d = self.at_ts(start);
            let simple = match self.text.as_str() {
                "0 0 * * *" => d.hour() == 0 && d.minute() == 0 && d.second() == 0,
                "0 * * * *" => d.minute() == 0 && d.second() == 0,
                _ => false,
            };
            if simple {
                State::Fast {
                    at: d,
                    pending: true,
                    start,
                    asc,
                }
            } else {
                match self.find(d, !asc, false) {
                    Ok(at) => State::Fast {
                        at,
                        pending: false,
                        start,
                        asc,
                    },
                    Err(e) => State::Failed(Some(e)),
                }
            }
        };
        Ticks { clock: self, state }
    }
}

/// `relativedelta(months=n)` on a wall time (the day clamped to the month's end).
fn add_months(d: Dt, months: i64) -> Step {
    let c = d.civil();
    let (y, m, day) = c.date();
    let (hh, mm, ss) = c.time();
    let (y2, m2, d2) = crate::time::civil::add_months_clamped(y, m, day, months)
        .ok_or_else(|| Failure("OverflowError: date value out of range".into()))?;
    let c = Civil::from_ymd_hms(y2, m2, d2, hh, mm, ss)
        .ok_or_else(|| Failure("OverflowError: date value out of range".into()))?;
    Ok(Dt {
        wall: c.secs(),
        fold: false,
    })
}

/// `cron_string_iterator`'s choice of fast path.
fn shape_of(cron: &Cron) -> Shape {
    let s = cron.croniter_shape();
    if s.nth {
        return Shape::Croniter;
    }
    let (minute, hour, dom) = (s.minute.single(), s.hour.single(), s.dom.single());
    let star = |e: &Expanded| *e == Expanded::Star;
    let all_numeric = |e: &Expanded| matches!(e, Expanded::Values(v) if !v.is_empty());
    if let (Some(minute), Some(hour), Some(day)) = (minute, hour, dom) {
        if star(&s.month) && star(&s.dow) && day <= 28 {
            return Shape::Monthly { minute, hour, day };
        }
    }
    if let (Some(minute), Some(hour)) = (minute, hour) {
        if let (Some(day_of_week), true) = (s.dow.single(), star(&s.dom) && star(&s.month)) {
            return Shape::Weekly {
                minute,
                hour,
                day_of_week,
            };
        }
        if star(&s.dom) && star(&s.month) && (star(&s.dow) || all_numeric(&s.dow)) {
            let days_of_week = match &s.dow {
                Expanded::Values(v) => Some(v.clone()),
                _ => None,
            };
            return Shape::Daily {
                minute,
                hour,
                days_of_week,
            };
        }
    }
    if let Expanded::Values(m) = &s.minute {
        if !m.is_empty() && star(&s.hour) && star(&s.dom) && star(&s.month) && star(&s.dow) {
            return Shape::Hourly(m.iter().map(|&x| i64::from(x)).collect());
        }
    }
    Shape::Croniter
}

/// `_timezone_aware_cron_iter`: croniter on the naive wall clock, mapped to the zone.
#[derive(Debug, Clone)]
struct CroniterTicks<'a> {
    clock: &'a Clock,
    asc: bool,
    /// croniter's current naive time.
    cursor: Civil,
    /// Candidates in the order they are considered.
    pending: std::collections::VecDeque<Dt>,
    /// The last instant returned (nothing at or before it, or after it going back).
    last: i64,
}

impl<'a> CroniterTicks<'a> {
    fn new(clock: &'a Clock, start: Dt, asc: bool) -> Self {
        // One hour back (forward, going back) to see both passes of a repeated time.
        let cursor = start.plus(if asc { -3600 } else { 3600 }).civil();
        CroniterTicks {
            clock,
            asc,
            cursor,
            pending: std::collections::VecDeque::new(),
            last: clock.ts(start),
        }
    }

    fn advance(&mut self) -> Option<Civil> {
        let next = if self.asc {
            self.clock.cron.next_after(self.cursor)
        } else {
            self.clock.croniter_prev(self.cursor)
        }?;
        self.cursor = next;
        Some(next)
    }

    fn next_dt(&mut self) -> Option<Step> {
        let c = self.clock;
        loop {
            while let Some(d) = self.pending.pop_front() {
                let t = c.ts(d);
                if (self.asc && t > self.last) || (!self.asc && t < self.last) {
                    self.last = t;
                    return Some(Ok(d));
                }
            }
            let wall = self.advance()?;
            let d = Dt {
                wall: wall.secs(),
                fold: false,
            };
            let mut list = if !c.exists(d) {
                if c.repeats_every_hour {
                    Vec::new()
                } else {
                    vec![c.post_transition(d)]
                }
            } else if c.ambiguous(d) {
                self.after_ambiguous(d)
            } else {
                vec![d]
            };
            if !self.asc {
                list.reverse();
            }
            self.pending.extend(list);
        }
    }

    /// `_get_dates_to_consider_after_ambigious_time`, sorted by instant.
    fn after_ambiguous(&mut self, d: Dt) -> Vec<Dt> {
        let c = self.clock;
        let post = Dt { fold: true, ..d };
        if !c.repeats_every_hour {
            return vec![post];
        }
        let pre = Dt { fold: false, ..d };
        let mut list = vec![post, pre];
        let (mut cur_pre, mut cur_post) = (pre, post);
        loop {
            let done = if self.asc {
                c.ts(cur_pre) >= c.ts(post)
            } else {
                c.ts(cur_post) <= c.ts(pre)
            };
            if done {
                break;
            }
            let Some(next) = self.advance() else { break };
            cur_pre = Dt {
                wall: next.secs(),
                fold: false,
            };
            cur_post = Dt {
                wall: next.secs(),
                fold: true,
            };
            list.push(cur_pre);
            list.push(cur_post);
        }
        list.sort_by_key(|d| c.ts(*d));
        list
    }
}

#[derive(Debug, Clone)]
enum State<'a> {
    Fast {
        at: Dt,
        /// `at` itself is still to be yielded (`_is_simple_cron`).
        pending: bool,
        start: i64,
        asc: bool,
    },
    Croniter(CroniterTicks<'a>, i64),
    Leap(Box<Ticks<'a>>),
    Failed(Option<Failure>),
}

/// The fire times `cron_string_iterator` yields; an `Err` ends them (dagster raises).
#[derive(Debug, Clone)]
pub(crate) struct Ticks<'a> {
    clock: &'a Clock,
    state: State<'a>,
}

impl Iterator for Ticks<'_> {
    type Item = Step;

    fn next(&mut self) -> Option<Step> {
        let clock = self.clock;
        match &mut self.state {
            State::Failed(e) => e.take().map(Err),
            State::Leap(inner) => loop {
                match inner.next()? {
                    Ok(d) if is_leap(d.civil().date().0) => return Some(Ok(d.plus(DAY))),
                    Ok(_) => {}
                    Err(e) => return Some(Err(e)),
                }
            },
            State::Croniter(it, start) => {
                let start = *start;
                let asc = it.asc;
                match it.next_dt()? {
                    Ok(d) => {
                        let t = clock.ts(d);
                        if (asc && t < start) || (!asc && t > start) {
                            self.state = State::Failed(None);
                            return Some(Err(invariant()));
                        }
                        Some(Ok(d))
                    }
                    Err(e) => Some(Err(e)),
                }
            }
            State::Fast {
                at,
                pending,
                start,
                asc,
            } => {
                if *pending {
                    *pending = false;
                    return Some(Ok(*at));
                }
                let (start, asc) = (*start, *asc);
                match clock.find(*at, asc, true) {
                    Ok(d) => {
                        *at = d;
                        let t = clock.ts(d);
                        if (asc && t < start) || (!asc && t > start) {
                            self.state = State::Failed(None);
                            return Some(Err(invariant()));
                        }
                        if !Civil::from_secs(d.wall).in_supported_range() {
                            self.state = State::Failed(None);
                            return Some(Err(Failure(
                                "OverflowError: date value out of range".into(),
                            )));
                        }
                        Some(Ok(d))
                    }
                    Err(e) => {
                        self.state = State::Failed(None);
                        Some(Err(e))
                    }
                }
            }
        }
    }
}

fn invariant() -> Failure {
    Failure("CheckError: Invariant failed (a fire time before the iterator's start)".into())
}

/// `get_partition_keys_in_time_window`'s `functools.lru_cache(maxsize=5)` as the daemon
/// fills it while it builds a policy's run requests (`get_partition_keys_in_range` of each
/// range). Those windows are `TimeWindow`s of datetimes, and Python's datetime equality
/// and hash ignore `fold`: a repeated hour's second-pass range is answered with the first
/// pass's keys when that was asked among the last five (dagster 1.13.28, run, traced). The
/// subset's own windows, listed before, are keyed by timestamps (`PersistedTimeWindow`):
/// never equal to these, they are only evicted.
#[derive(Debug, Clone, Default)]
pub(crate) struct WindowCache {
    /// Wall times of each window's ends and its keys, least recently used first.
    entries: Vec<((i64, i64), Vec<Dt>)>,
}

impl WindowCache {
    const SIZE: usize = 5;

    pub(crate) fn get_or(
        &mut self,
        walls: (i64, i64),
        compute: impl FnOnce() -> Result<Vec<Dt>, Failure>,
    ) -> Result<Vec<Dt>, Failure> {
        if let Some(i) = self.entries.iter().position(|(k, _)| *k == walls) {
            let hit = self.entries.remove(i);
            let keys = hit.1.clone();
            self.entries.push(hit);
            return Ok(keys);
        }
        let keys = compute()?;
        self.entries.push((walls, keys.clone()));
        if self.entries.len() > Self::SIZE {
            self.entries.remove(0);
        }
        Ok(keys)
    }
}

/// dagster's subset of named keys: its merged windows (timestamps), and two keys whose
/// texts read as the same instant where their order (a Python set's) decides the windows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Subset {
    pub windows: Vec<(i64, i64)>,
    pub tie: Option<(String, String)>,
}

/// A partition's time window: two consecutive fire times.
pub(crate) type Window = (Dt, Dt);

impl Clock {
    /// `_iterate_time_windows(start)`: windows that start at or after `start`.
    fn windows_from(&self, start: i64) -> impl Iterator<Item = Result<Window, Failure>> + '_ {
        let mut it = self.ticks(start, true);
        let mut cur: Option<Dt> = None;
        let mut failed = false;
        std::iter::from_fn(move || {
            if failed {
                return None;
            }
            let step = (|| {
                let mut c = match cur {
                    Some(c) => c,
                    None => {
                        let mut c = it.next().unwrap_or_else(|| Err(exhausted()))?;
                        while self.ts(c) < start {
                            c = it.next().unwrap_or_else(|| Err(exhausted()))?;
                        }
                        c
                    }
                };
                let next = it.next().unwrap_or_else(|| Err(exhausted()))?;
                let w = (c, next);
                c = next;
                cur = Some(c);
                Ok(w)
            })();
            failed = step.is_err();
            Some(step)
        })
    }

    /// `_reverse_iterate_time_windows(end)`: windows that end at or before `end`, latest
    /// first.
    fn windows_before(&self, end: i64) -> impl Iterator<Item = Result<Window, Failure>> + '_ {
        let mut it = self.ticks(end, false);
        let mut cur: Option<Dt> = None;
        let mut failed = false;
        std::iter::from_fn(move || {
            if failed {
                return None;
            }
            let step = (|| {
                let c = match cur {
                    Some(c) => c,
                    None => {
                        let mut c = it.next().unwrap_or_else(|| Err(exhausted()))?;
                        while self.ts(c) > end {
                            c = it.next().unwrap_or_else(|| Err(exhausted()))?;
                        }
                        c
                    }
                };
                let prev = it.next().unwrap_or_else(|| Err(exhausted()))?;
                cur = Some(prev);
                Ok((prev, c))
            })();
            failed = step.is_err();
            Some(step)
        })
    }

    fn nth_window(
        mut it: impl Iterator<Item = Result<Window, Failure>>,
        n: u64,
    ) -> Result<Window, Failure> {
        let mut w = it.next().unwrap_or_else(|| Err(exhausted()))?;
        for _ in 0..n {
            w = it.next().unwrap_or_else(|| Err(exhausted()))?;
        }
        Ok(w)
    }

    /// `_get_first_partition_window(now)`.
    fn first_window(
        &self,
        start: i64,
        end: Option<i64>,
        now: i64,
        end_offset: i64,
    ) -> Result<Option<Window>, Failure> {
        let w0 = Self::nth_window(self.windows_from(start), 0)?;
        if end.is_some_and(|e| e <= start) {
            return Ok(None);
        }
        let limit = match end_offset {
            0 => now,
            n if n > 0 => self.ts(Self::nth_window(self.windows_from(now), n.unsigned_abs())?.0),
            n => self.ts(Self::nth_window(self.windows_before(now), n.unsigned_abs() - 1)?.0),
        };
        Ok((self.ts(w0.1) <= limit).then_some(w0))
    }

    /// `_get_last_partition_window(now)`.
    fn last_window(
        &self,
        first: Window,
        end: Option<i64>,
        now: i64,
        end_offset: i64,
    ) -> Result<Window, Failure> {
        if end_offset == 0 {
            let at = match end {
                Some(e) if e < now => e,
                _ => now,
            };
            return Self::nth_window(self.windows_before(at), 0);
        }
        let before_end = match end {
            Some(e) => Some(Self::nth_window(self.windows_before(e), 0)?),
            None => None,
        };
        let current = if end_offset < 0 {
            Self::nth_window(self.windows_before(now), end_offset.unsigned_abs())?
        } else {
            let zero = Self::nth_window(self.windows_before(now), 0)?;
            Self::nth_window(
                self.windows_from(self.ts(zero.1)),
                end_offset.unsigned_abs() - 1,
            )?
        };
        Ok(match before_end {
            Some(b) if self.ts(b.0) <= self.ts(current.0) => b,
            _ if self.ts(current.0) < self.ts(first.0) => first,
            _ => current,
        })
    }

    /// The fire times of every partition an asset backfill over the whole definition
    /// targets (`subset_with_all_partitions`), plus the end of the last window, and the
    /// end of the last partition window (found backward); at most `cap` windows (`None`
    /// past it).
    pub(crate) fn partitions(
        &self,
        start: i64,
        end: Option<i64>,
        now: i64,
        end_offset: i64,
        cap: u64,
    ) -> Result<Option<(Vec<Tick>, i64)>, Failure> {
        let Some(first) = self.first_window(start, end, now, end_offset)? else {
            return Ok(Some((Vec::new(), start)));
        };
        let last = self.last_window(first, end, now, end_offset)?;
        let last_end = self.ts(last.1);
        // `get_partition_keys`: the windows from the definition's start (not from the
        // first window's: a leap-day clock started on its own day skips it), up to and
        // including the one that starts at or after the last window's start.
        let mut out = Vec::new();
        let mut after = None;
        for w in self.windows_from(start) {
            let (a, b) = w?;
            if out.len() as u64 >= cap {
                return Ok(None);
            }
            out.push(self.tick(a));
            after = Some(b);
            if self.ts(a) >= self.ts(last.0) {
                break;
            }
        }
        if let Some(b) = after {
            out.push(self.tick(b));
        }
        Ok(Some((out, last_end)))
    }
}

/// Which fields a key format writes (what `strptime` reads back; the rest default to
/// 1900-01-01 00:00:00).
#[derive(Debug, Clone, Copy)]
struct Fields {
    year: bool,
    month: bool,
    day: bool,
    hour: bool,
    minute: bool,
    second: bool,
    offset: bool,
}

impl Fields {
    fn of(fmt: &str) -> Fields {
        let has = |d: &[&str]| d.iter().any(|d| fmt.contains(d));
        Fields {
            year: has(&["%Y", "%y"]),
            month: has(&["%m", "%b", "%B"]),
            day: has(&["%d"]),
            hour: has(&["%H", "%I"]),
            minute: has(&["%M"]),
            second: has(&["%S"]),
            offset: has(&["%z"]),
        }
    }
}

impl Clock {
    /// The key's text read back: `dst_safe_strptime(dst_safe_strftime(d))`, as dagster
    /// reads a partition key (its time window, a range's ends).
    fn read_key(&self, d: Dt, fmt: &str) -> Dt {
        let f = Fields::of(fmt);
        let suffixed = !f.offset && self.repeats_every_hour && self.second_pass(d);
        let (y, m, day) = d.civil().date();
        let (hh, mm, ss) = d.civil().time();
        let pick = |on: bool, v: u32, default: u32| if on { v } else { default };
        let wall = Civil::from_ymd_hms(
            if f.year { y } else { 1900 },
            pick(f.month, m, 1),
            pick(f.day, day, 1),
            pick(f.hour, hh, 0),
            pick(f.minute, mm, 0),
            pick(f.second, ss, 0),
        )
        .map_or(d.wall, Civil::secs);
        if f.offset || suffixed {
            self.at_ts(wall - i64::from(self.offset(d)))
        } else {
            Dt { wall, fold: false }
        }
    }

    /// `time_window_for_partition_key`: the window dagster gives the run of a key.
    pub(crate) fn key_window(&self, d: Dt, fmt: &str) -> Result<Window, Failure> {
        let at = self.ts(self.read_key(d, fmt));
        Self::nth_window(self.windows_from(at), 0)
    }

    /// `start_time_for_partition_key`.
    fn key_start(&self, d: Dt, fmt: &str) -> Result<Dt, Failure> {
        if self.text == "0 * * * *" || self.text == "0 0 * * *" {
            Ok(self.read_key(d, fmt))
        } else {
            Ok(self.key_window(d, fmt)?.0)
        }
    }

    /// `get_partition_keys_in_range(PartitionKeyRange(a, b))`'s window: from `a`'s start
    /// to the end of `b`'s window, each key read again from its text; dagster checks it
    /// lies inside the definition's start and end (`bounds`).
    fn range_window(
        &self,
        a: Dt,
        b: Dt,
        fmt: &str,
        bounds: (i64, Option<i64>),
    ) -> Result<(Dt, Dt), Failure> {
        let s = self.key_start(a, fmt)?;
        let e = self.key_window(b, fmt)?.1;
        if self.ts(s) < bounds.0 || bounds.1.is_some_and(|x| self.ts(e) > x) {
            return Err(Failure("CheckError: Invariant failed.".into()));
        }
        Ok((s, e))
    }

    /// `get_partition_key_for_timestamp(t)`: the fire time at `t`, else the one before.
    fn key_for(&self, t: i64) -> Result<Dt, Failure> {
        let prev = self
            .ticks(t, false)
            .next()
            .unwrap_or_else(|| Err(exhausted()))?;
        let next = self
            .ticks(t, true)
            .next()
            .unwrap_or_else(|| Err(exhausted()))?;
        Ok(if self.ts(next) > t { prev } else { next })
    }

    /// The range ends and keys of each run request dagster builds for the included window
    /// `[from, until)` of a backfill (`get_partition_key_range_for_time_window`, then
    /// `_build_run_requests_for_partition_key_range`): chunks of at most `per_run`, each
    /// read again from its end keys (`get_partition_keys_in_range`). Then the first
    /// partition's start and the definition's start and end (dagster checks a range lies
    /// inside them). `per_run` is `usize::MAX` for `single_run`.
    pub(crate) fn range_requests(
        &self,
        (from, until): (i64, i64),
        (first_start, def_start, def_end): (i64, i64, Option<i64>),
        per_run: usize,
        fmt: &str,
        cap: usize,
        cache: &mut WindowCache,
    ) -> Result<Vec<(Dt, Dt, Vec<Dt>)>, Failure> {
        let bounds = (def_start, def_end);
        let start = self.key_for(from)?;
        let prev = Self::nth_window(self.windows_before(until), 0)?;
        if self.ts(prev.0) < first_start {
            return Err(Failure("CheckError: Expected non-None value".into()));
        }
        let end = self.key_for(self.ts(prev.0))?;
        let in_range = |a: Dt, b: Dt| -> Result<Vec<Dt>, Failure> {
            let (s, e) = self.range_window(a, b, fmt, bounds)?;
            self.keys_in_window((self.ts(s), self.ts(e)), cap)
        };
        if per_run == usize::MAX {
            // `single_run` builds its one request from the range's ends without listing
            // it; the run reads the range back.
            return Ok(vec![(start, end, in_range(start, end)?)]);
        }
        // The daemon lists the range through its memo (each run reads its own afresh).
        let keys = {
            let (s, e) = self.range_window(start, end, fmt, bounds)?;
            cache.get_or((s.wall, e.wall), || {
                self.keys_in_window((self.ts(s), self.ts(e)), cap)
            })?
        };
        let name = |d: Dt| self.key_text(d, fmt);
        let position = |k: Dt| {
            let n = name(k);
            keys.iter()
                .position(|d| name(*d) == n)
                .ok_or_else(|| Failure(format!("ValueError: '{n}' is not in list")))
        };
        let (a, b) = (position(start)?, position(end)?);
        let mut out = Vec::new();
        let mut i = a;
        while i <= b {
            let j = (i + per_run.max(1) - 1).min(b);
            let (Some(&ca), Some(&cb)) = (keys.get(i), keys.get(j)) else {
                break;
            };
            out.push((ca, cb, in_range(ca, cb)?));
            i = j + 1;
        }
        Ok(out)
    }

    /// The fire before the naive wall time `cursor` as dagster's vendored croniter's
    /// `get_prev` finds it. Going back from March, its day-of-month step measures February
    /// without the leap day (`DAYS[(month - 2) % 12]`): when no listed day of March is left,
    /// it jumps to February's day after the largest listed day up to 28 (or to the day
    /// after March's, with none), which steps over the 29th in a leap year unless that
    /// jump lands on it. Run against dagster 1.13.28: `CroniterShim("0 0 29 * *",
    /// 2016-03-17).get_prev()` is 2016-01-29; a monthly `day_offset=29` definition that
    /// starts in such a March then fails its own invariant.
    fn croniter_prev(&self, cursor: Civil) -> Option<Civil> {
        let found = self.cron.prev_before(cursor)?;
        let Some(days) = &self.feb_skip else {
            return Some(found);
        };
        let (year, month, day) = found.date();
        if (month, day) != (2, 29) {
            return Some(found);
        }
        // The March day the search reaches with no listed day at or before it.
        let state = Civil::from_secs(cursor.secs() - 60).date();
        let entry = if (state.0, state.1) == (year, 3) {
            state.2
        } else {
            31
        };
        let smallest = days.first().copied().unwrap_or(29);
        let reached = entry.min(smallest.saturating_sub(1));
        let landing = days
            .iter()
            .copied()
            .filter(|&d| d <= 28)
            .max()
            .map_or(reached + 1, |d| d + 1);
        if reached == 0 || landing >= 29 {
            return Some(found);
        }
        self.cron
            .prev_before(Civil::from_ymd(year, 2, landing + 1)?)
    }

    /// The windows of dagster's subset of the partitions named `keys`
    /// (`empty_subset().with_partition_keys(keys)`): each key's window as
    /// `time_windows_for_partition_keys` finds it (keys sorted by the time their text
    /// reads as; the window after the previous key's when that one's start writes this
    /// key, else the first window from this key's own time), those inside the
    /// definition's first start and last end (`validate`), merged as
    /// `_add_partitions_to_time_windows` merges them: a window that starts inside an
    /// earlier one adds nothing; one that starts where the last ends extends it.
    /// Timestamps; at most `cap` keys are read.
    pub(crate) fn subset_windows(
        &self,
        keys: &[Dt],
        fmt: &str,
        (first_start, last_end): (i64, i64),
        cap: usize,
    ) -> Result<Subset, Failure> {
        let mut named: Vec<(i64, String)> = keys
            .iter()
            .take(cap)
            .map(|&d| (self.ts(self.read_key(d, fmt)), self.key_text(d, fmt)))
            .collect();
        named.sort();
        named.dedup();
        let windows = self.merged(self.key_windows(&named, fmt)?, (first_start, last_end));
        // Keys whose texts read as the same instant are sorted in the order of a Python
        // frozenset: the hash seed's. Where the other order gives other windows, say so.
        let mut tie = None;
        if let Some(w) = named.windows(2).find(|w| w[0].0 == w[1].0) {
            let mut other = named.clone();
            other.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
            let alt = self.merged(self.key_windows(&other, fmt)?, (first_start, last_end));
            if alt != windows {
                tie = Some((w[0].1.clone(), w[1].1.clone()));
            }
        }
        Ok(Subset { windows, tie })
    }

    /// Each key's window as `time_windows_for_partition_keys` finds it, for keys sorted
    /// as given.
    fn key_windows(&self, named: &[(i64, String)], fmt: &str) -> Result<Vec<(i64, i64)>, Failure> {
        let mut windows: Vec<(i64, i64)> = Vec::with_capacity(named.len());
        let Some(&(first_at, _)) = named.first() else {
            return Ok(windows);
        };
        let mut it = self.windows_from(first_at);
        for (at, text) in named {
            let w = it.next().unwrap_or_else(|| Err(exhausted()))?;
            let w = if self.key_text(w.0, fmt) == *text {
                w
            } else {
                it = self.windows_from(*at);
                it.next().unwrap_or_else(|| Err(exhausted()))?
            };
            windows.push((self.ts(w.0), self.ts(w.1)));
        }
        Ok(windows)
    }

    /// `validate` and `_add_partitions_to_time_windows` of windows.
    fn merged(
        &self,
        mut windows: Vec<(i64, i64)>,
        (first_start, last_end): (i64, i64),
    ) -> Vec<(i64, i64)> {
        windows.retain(|&(a, b)| a >= first_start && b <= last_end);
        windows.sort_by_key(|w| w.0);
        let mut out: Vec<(i64, i64)> = Vec::new();
        for (a, b) in windows {
            let mut placed = false;
            for i in (0..out.len()).rev() {
                let Some(&(s, e)) = out.get(i) else { break };
                if a < e && a >= s {
                    placed = true;
                    break;
                }
                if a >= e {
                    let with_this = e == a;
                    let later = out.get(i + 1).copied();
                    let with_later = later.is_some_and(|l| b == l.0);
                    match (with_this, later) {
                        (true, Some(l)) if with_later => {
                            out.splice(i..i + 2, [(s, l.1)]);
                        }
                        (true, _) => out.splice(i..=i, [(s, b)]).for_each(drop),
                        (false, Some(l)) if with_later => {
                            out.splice(i + 1..i + 2, [(a, l.1)]).for_each(drop);
                        }
                        _ => out.insert(i + 1, (a, b)),
                    }
                    placed = true;
                    break;
                }
            }
            if !placed {
                match out.first().copied() {
                    Some((s, e)) if a == s || b == s => {
                        out.splice(0..1, [(a, e)]).for_each(drop);
                    }
                    _ => out.insert(0, (a, b)),
                }
            }
        }
        out
    }

    /// `get_partition_keys_in_time_window((a, b))`: the starts of the windows from `a`
    /// that start before `b`; at most `cap`.
    pub(crate) fn keys_in_window(
        &self,
        (a, b): (i64, i64),
        cap: usize,
    ) -> Result<Vec<Dt>, Failure> {
        let mut out = Vec::new();
        for w in self.windows_from(a) {
            let (s, _) = w?;
            if self.ts(s) >= b || out.len() >= cap {
                break;
            }
            out.push(s);
        }
        Ok(out)
    }

    /// The key text of a datetime (`dst_safe_strftime`).
    pub(crate) fn key_text(&self, d: Dt, fmt: &str) -> String {
        let t = self.tick(d);
        let mut key = crate::time::strftime(t.civil(), t.offset, self.zone, fmt);
        if self.repeats_every_hour && t.second_occurrence && !fmt.contains("%z") {
            key.push_str(&crate::time::strftime(t.civil(), t.offset, self.zone, "%z"));
        }
        key
    }

    /// The datetime of a tick this clock produced.
    pub(crate) fn dt_of(&self, t: Tick) -> Dt {
        let wall = t.instant + i64::from(t.offset);
        let fold = self.offset(Dt { wall, fold: false }) != t.offset
            && self.offset(Dt { wall, fold: true }) == t.offset;
        Dt { wall, fold }
    }
}

fn exhausted() -> Failure {
    Failure("CroniterBadDateError: the schedule has no more fire times".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clock(expr: &str, zone: &str, now: &str) -> Clock {
        let cron = Cron::parse(expr, CronDialect::Dagster).unwrap();
        let zone = Zone::parse(zone).unwrap();
        let now = crate::time::parse_moment(now)
            .unwrap()
            .instant_in(Zone::UTC);
        Clock::new(&cron, expr, zone, now - 400 * DAY, now + 400 * DAY, now).unwrap()
    }

    fn keys(c: &Clock, start: &str, end: &str, now: &str) -> Vec<String> {
        let at = |s: &str| {
            let m = crate::time::parse_moment(s).unwrap();
            match m.offset {
                Some(_) => m.instant_in(Zone::UTC),
                None => c.naive(m.civil),
            }
        };
        let (ticks, _) = c
            .partitions(at(start), Some(at(end)), at(now), 0, 1000)
            .unwrap()
            .unwrap();
        // The last tick is the end of the last window, not a key.
        ticks[..ticks.len().saturating_sub(1)]
            .iter()
            .map(|t| crate::time::format_rfc3339(t.instant, t.offset, crate::time::UtcAs::Offset))
            .collect()
    }

    #[test]
    fn hourly_keys_step_in_absolute_hours_after_a_half_hour_shift() {
        // Lord Howe falls back 30 minutes at 02:00 on 1987-03-15. The expected values in
        // these tests are dagster 1.13.28's own answers (`subset_with_all_partitions`, run).
        // The last window found backward from the end is 03:00-04:00, so the forward key
        // 03:30 (whose window ends 04:30) is still in.
        let c = clock("0 * * * *", "Australia/Lord_Howe", "1987-03-16T00:00:00Z");
        let k = keys(
            &c,
            "1987-03-15T00:00:00",
            "1987-03-15T04:00:00",
            "1987-03-16T00:00:00Z",
        );
        assert_eq!(
            k,
            [
                "1987-03-15T00:00:00+11:00",
                "1987-03-15T01:00:00+11:00",
                "1987-03-15T01:30:00+10:30",
                "1987-03-15T02:30:00+10:30",
                "1987-03-15T03:30:00+10:30",
            ]
        );
    }

    #[test]
    fn a_gap_outside_hours_one_to_three_keeps_the_wall_time() {
        // Sao Paulo's clocks sprang from 00:00 to 01:00 on 2012-10-21: dagster's daily
        // window ends at the nonexistent midnight, read with the offset before the gap.
        let c = clock("0 0 * * *", "America/Sao_Paulo", "2012-11-01T00:00:00Z");
        let k = keys(&c, "2012-10-19", "2012-10-23", "2012-11-01T00:00:00Z");
        assert_eq!(
            k,
            [
                "2012-10-19T00:00:00-03:00",
                "2012-10-20T00:00:00-03:00",
                "2012-10-21T00:00:00-03:00",
                "2012-10-22T00:00:00-02:00",
            ]
        );
    }

    #[test]
    fn a_fixed_hour_in_a_spring_gap_moves_to_the_hour_plus_dst() {
        let c = clock("30 2 * * *", "America/New_York", "2024-04-01T00:00:00Z");
        let k = keys(&c, "2024-03-09", "2024-03-12", "2024-04-01T00:00:00Z");
        assert_eq!(
            k,
            ["2024-03-09T02:30:00-05:00", "2024-03-10T03:00:00-04:00",]
        );
    }
}
#[cfg(test)]
mod subset_tests {
    use super::*;

    #[test]
    fn the_range_memo_keeps_five_windows_by_wall_time() {
        let keys = |n: i64| {
            vec![Dt {
                wall: n,
                fold: false,
            }]
        };
        let mut cache = WindowCache::default();
        for n in 0..5 {
            assert_eq!(cache.get_or((n, n + 1), || Ok(keys(n))).unwrap(), keys(n));
        }
        // A window with the same wall times is a hit whatever it would compute (fold).
        assert_eq!(cache.get_or((0, 1), || Ok(keys(99))).unwrap(), keys(0));
        // A sixth window evicts the least recently used: (1, 2), not the (0, 1) just hit.
        cache.get_or((5, 6), || Ok(keys(5))).unwrap();
        assert_eq!(cache.get_or((1, 2), || Ok(keys(42))).unwrap(), keys(42));
        assert_eq!(cache.get_or((0, 1), || Ok(keys(99))).unwrap(), keys(0));
        // Failures are not kept.
        assert!(cache.get_or((7, 8), || Err(exhausted())).is_err());
        assert_eq!(cache.get_or((7, 8), || Ok(keys(7))).unwrap(), keys(7));
    }

    #[test]
    fn a_leap_day_key_reads_back_as_the_next_leap_day() {
        // dagster 1.13.28, run: `0 0 29 2 *` from 1998-04-13 to 2023-07-31 (UTC) lists
        // 2000..2016; each key's window read back starts at the next leap day (the
        // Feb-28 iterator started on the 29th skips its own day), 2016's leaves the
        // definition, and the whole-definition backfill runs 2008, 2012 and 2016.
        let expr = "0 0 29 2 *";
        let cron = Cron::parse(expr, CronDialect::Dagster).unwrap();
        let at = |s: &str| crate::time::parse_moment(s).unwrap().instant_in(Zone::UTC);
        let now = at("2023-08-01T00:00:00Z");
        let c = Clock::new(&cron, expr, Zone::UTC, now - 40 * 366 * DAY, now + DAY, now).unwrap();
        let (ticks, last_end) = c
            .partitions(
                at("1998-04-13T00:00:00Z"),
                Some(at("2023-07-31T00:00:00Z")),
                now,
                0,
                100,
            )
            .unwrap()
            .unwrap();
        let named: Vec<Dt> = ticks[..ticks.len() - 1]
            .iter()
            .map(|t| c.dt_of(*t))
            .collect();
        let texts: Vec<String> = named.iter().map(|d| c.key_text(*d, "%Y-%m-%d")).collect();
        assert_eq!(
            texts,
            [
                "2000-02-29",
                "2004-02-29",
                "2008-02-29",
                "2012-02-29",
                "2016-02-29"
            ]
        );
        let w = c
            .subset_windows(&named, "%Y-%m-%d", (ticks[0].instant, last_end), 100)
            .unwrap()
            .windows;
        assert_eq!(
            w,
            [(at("2004-02-29T00:00:00Z"), at("2020-02-29T00:00:00Z"))]
        );
        let keys: Vec<String> = c
            .keys_in_window(w[0], 100)
            .unwrap()
            .iter()
            .map(|d| c.key_text(*d, "%Y-%m-%d"))
            .collect();
        assert_eq!(keys, ["2008-02-29", "2012-02-29", "2016-02-29"]);
    }
}
