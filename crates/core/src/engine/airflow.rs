//! Airflow 3: the runs `POST /api/v2/backfills` creates (apache-airflow 3.3.2, croniter
//! 7.0.0, pendulum 3.3.0), and the ones its dry run lists.
//!
//! - The backfill walks the DAG's timetable from `from_date` to `to_date` with a fresh
//!   restriction (`iter_dagrun_infos_between`): the DAG's own `start_date`, `end_date` and
//!   `catchup` play no part. A run is created only if its data interval has ended by now
//!   (`_get_info_list`); `run_backwards` reverses the list.
//! - A cron (or a preset) is a `CronTriggerTimetable` in Airflow 3: runs at the fire times
//!   in `[from_date, to_date]`, both ends included, each run's logical date its fire time
//!   minus the timetable's `interval` (0 by default). With `create_cron_data_intervals` it
//!   is a `CronDataIntervalTimetable`: runs whose data interval *starts* in the window, the
//!   last one ending after `to_date`.
//! - A `timedelta` is a `DeltaTriggerTimetable` (or `DeltaDataIntervalTimetable`): runs
//!   anchored to the `from_date` you type, not to the DAG's start date
//!   (apache/airflow#47813); a month step is a `relativedelta`, added on the wall clock of
//!   the `from_date`'s own offset first and of UTC after that.
//! - The cron is evaluated on the DAG zone's wall clock (croniter on naive times); a wall
//!   time that does not exist is read after the gap (pendulum, fold 1: `02:30` becomes
//!   `03:30`), a repeated one at its second pass. A cron that fires every hour (hour field
//!   `*`) instead steps by the wall-clock difference from the current instant: it skips a
//!   gap's times and runs both passes of a repeated hour.
//! - A date-time without an offset is read as UTC (`coerce_datetime`, the default zone),
//!   not in the DAG's zone. `run_id` is `backfill__` and the run's `run_after` in UTC.
//!
//! None of Airflow's code is copied here; the steps are named after the functions whose
//! behaviour they reproduce.

use super::cron_family::{cron_schedule, engine_events, parse_cron};
use super::{Bounds, EndRule, Engine, Payload, Profile, RunAt, Runs, StartRule};
use crate::cron::{Cron, CronDialect, Expanded as Field};
use crate::diag::codes;
use crate::diag::{Diagnostic, Span};
use crate::input::dialect::Dialect;
use crate::input::spec::{Schedule, Sp, Timetable, Unit};
use crate::plan::export::{has_runs, pretty};
use crate::plan::{over_limit, Expanded, Plan, Style, Validated};
use crate::series::{CronSeries, DstPolicy, FoldRule, GapRule, Series, Tick};
use crate::time::civil::{add_months_clamped, Civil};
use crate::time::{format_python_iso, Local, Moment, Resolver};
use serde_json::{json, Map, Value as Json};
use std::sync::Arc;

/// Airflow 3's backfills.
#[derive(Debug)]
pub(crate) struct Airflow;

/// A pendulum `DateTime` as the timetables pass it along: an instant and the fixed offset
/// of its own zone (the `from_date`'s, or UTC once `convert_to_utc` ran). Compared by
/// instant, as pendulum compares aware times.
#[derive(Debug, Clone, Copy)]
struct At {
    t: i64,
    off: i32,
}

impl At {
    fn utc(t: i64) -> At {
        At { t, off: 0 }
    }
}

/// An amount of time as `timedelta` (absolute seconds) or `relativedelta` (months, on
/// the wall clock of the value it is added to).
#[derive(Debug, Clone, Copy)]
enum Delta {
    Secs(i64),
    Months(i64),
}

impl Delta {
    fn of(unit: Unit, count: i64) -> Option<Delta> {
        match unit {
            Unit::Month => Some(Delta::Months(count)),
            Unit::Year => count.checked_mul(12).map(Delta::Months),
            _ => unit.fixed_secs()?.checked_mul(count).map(Delta::Secs),
        }
    }

    fn is_zero(self) -> bool {
        matches!(self, Delta::Secs(0) | Delta::Months(0))
    }

    /// `value + delta` (`sign` 1) or `value - delta` (`sign` -1), in `value`'s zone.
    fn apply(self, v: At, sign: i64) -> Option<At> {
        match self {
            Delta::Secs(s) => Some(At {
                t: v.t.checked_add(s.checked_mul(sign)?)?,
                off: v.off,
            }),
            Delta::Months(m) => {
                let wall = Civil::from_secs(v.t.checked_add(i64::from(v.off))?);
                let (y, mo, d) = wall.date();
                let (y, mo, d) = add_months_clamped(y, mo, d, m.checked_mul(sign)?)?;
                let (hh, mm, ss) = wall.time();
                let moved = Civil::from_ymd_hms(y, mo, d, hh, mm, ss)?;
                Some(At {
                    t: moved.secs() - i64::from(v.off),
                    off: v.off,
                })
            }
        }
    }
}

/// What the timetable steps by: a cron on the DAG's wall clock (`CronMixin`) or a delta
/// (`DeltaMixin`).
#[derive(Debug)]
enum Step {
    Cron {
        cron: Cron,
        resolver: Resolver,
        /// The hour field is `*` (`_covers_every_hour`).
        every_hour: bool,
        /// croniter's smallest step: a second with a seconds field, else a minute.
        unit: i64,
    },
    Delta(Delta),
    /// `MultipleCronTriggerTimetable`: the earliest of each cron's next run.
    Multi(Vec<Step>),
}

impl Step {
    /// `make_naive`: the wall reading in the DAG's zone.
    fn wall(resolver: &Resolver, t: i64) -> i64 {
        t + i64::from(resolver.offset_at(t))
    }

    /// `make_aware` with fold 1, then UTC: a wall time in a gap is read with the offset
    /// before it (after the gap), a repeated one at its second pass.
    fn aware(resolver: &Resolver, wall: i64) -> i64 {
        match resolver.lookup(Civil::from_secs(wall)) {
            Local::Single(t, _) => t,
            Local::Fold { later, .. } => later.0,
            Local::Gap { after, .. } => wall - i64::from(resolver.offset_at(after - 1)),
        }
    }

    /// `_get_next`.
    fn next(&self, c: At) -> Option<At> {
        match self {
            Step::Cron {
                cron,
                resolver,
                every_hour,
                unit,
            } => {
                let wall = Self::wall(resolver, c.t);
                let from = (wall + unit).div_euclid(*unit) * unit;
                let s = cron.next_at_or_after(Civil::from_secs(from))?.secs();
                Some(At::utc(if *every_hour {
                    c.t + (s - wall)
                } else {
                    Self::aware(resolver, s)
                }))
            }
            Step::Delta(d) => d.apply(c, 1).map(|v| At::utc(v.t)),
            // The union's next fire; the backfill picks by logical date (`pick`).
            Step::Multi(_) => pick(self, Delta::Secs(0), |s| s.next(c)),
        }
    }

    /// `_get_prev`.
    fn prev(&self, c: At) -> Option<At> {
        match self {
            Step::Cron {
                cron,
                resolver,
                every_hour,
                ..
            } => {
                let wall = Self::wall(resolver, c.t);
                let s = cron.prev_before(Civil::from_secs(wall))?.secs();
                Some(At::utc(if *every_hour {
                    c.t - (wall - s)
                } else {
                    Self::aware(resolver, s)
                }))
            }
            Step::Delta(d) => d.apply(c, -1).map(|v| At::utc(v.t)),
            Step::Multi(_) => None,
        }
    }

    /// `_align_to_next`: `c` itself when it is on the schedule, else the next fire.
    fn align_next(&self, c: At) -> Option<At> {
        match self {
            Step::Cron { .. } => {
                let n = self.next(c)?;
                Some(if self.prev(n).map(|p| p.t) == Some(c.t) {
                    c
                } else {
                    n
                })
            }
            Step::Delta(_) => Some(c),
            Step::Multi(_) => pick(self, Delta::Secs(0), |s| s.align_next(c)),
        }
    }

    /// `_align_to_prev`: `c` itself when it is on the schedule, else the previous fire.
    fn align_prev(&self, c: At) -> Option<At> {
        match self {
            Step::Cron { .. } => {
                let p = self.prev(c)?;
                Some(if self.next(p).map(|n| n.t) == Some(c.t) {
                    c
                } else {
                    p
                })
            }
            Step::Delta(_) | Step::Multi(_) => Some(c),
        }
    }
}


/// The next fire `f` gives: for a `MultipleCronTriggerTimetable`, the one whose run has
/// the earliest *logical date* (`min` by `_dagrun_info_sort_key_catchup`), which with an
/// `interval` of months or years is not always the earliest fire; `None` when any
/// timetable fails.
fn pick(step: &Step, interval: Delta, f: impl Fn(&Step) -> Option<At>) -> Option<At> {
    let Step::Multi(steps) = step else {
        return f(step);
    };
    let mut best: Option<(i64, At)> = None;
    for s in steps {
        let fire = f(s)?;
        let logical = interval.apply(fire, -1)?.t;
        if best.is_none_or(|(l, _)| logical < l) {
            best = Some((logical, fire));
        }
    }
    best.map(|(_, fire)| fire)
}

/// One run of the list: its data interval's ends, and the offset `run_after` is written
/// with (the from_date's own for a first run that is the from_date itself, else UTC).
type Interval = (i64, i64, i32);

/// The data intervals `iter_dagrun_infos_between(from, to)` yields, and whether a step of
/// the timetable failed (Airflow swallows the exception and ends the list there); `None`
/// past `cap` runs.
fn intervals(
    step: &Step,
    timetable: Timetable,
    interval: Delta,
    from: At,
    to: i64,
    cap: usize,
) -> Option<(Vec<Interval>, bool)> {
    let mut out: Vec<Interval> = Vec::new();
    match timetable {
        // `_TriggerTimetable.next_dagrun_info` with catchup: the first fire at or after
        // the start, then `_get_next` of the previous run's end, while not after the end.
        Timetable::Trigger => {
            let Some(mut next) = pick(step, interval, |s| s.align_next(from)) else {
                return Some((out, true));
            };
            while next.t <= to {
                if out.len() >= cap {
                    return None;
                }
                let Some(start) = interval.apply(next, -1) else {
                    return Some((out, true));
                };
                out.push((start.t, next.t, next.off));
                match pick(step, interval, |s| s.next(next)) {
                    Some(after) if after.t > next.t => next = after,
                    _ => return Some((out, true)),
                }
            }
        }
        // `_DataIntervalTimetable.next_dagrun_info`: intervals starting at the aligned
        // start, each from the (aligned) end of the previous, while the start is not
        // after the end; a start that does not advance past the previous one after one
        // retry raises ("did not advance").
        Timetable::DataInterval => {
            let Some(earliest) = step.align_next(from) else {
                return Some((out, true));
            };
            let mut last: Option<(At, At)> = None;
            loop {
                let start = match last {
                    None => Some(earliest),
                    Some((ls, le)) => step.align_prev(le).and_then(|a| {
                        let s = if earliest.t > a.t { earliest } else { a };
                        if s.t > ls.t {
                            return Some(s);
                        }
                        step.next(s).filter(|s| s.t > ls.t)
                    }),
                };
                let Some(start) = start else {
                    return Some((out, true));
                };
                if start.t > to {
                    break;
                }
                if out.len() >= cap {
                    return None;
                }
                let Some(end) = step.next(start) else {
                    return Some((out, true));
                };
                out.push((start.t, end.t, 0));
                last = Some((start, end));
            }
        }
    }
    Some((out, false))
}

/// Airflow's runs: each run's data interval, and its `run_after`.
#[derive(Debug)]
struct AirflowRuns {
    /// Data interval of each run, by series position (the series holds the starts).
    windows: Vec<(Tick, Tick)>,
    /// The offset each run's `run_after` is written with in its `run_id`.
    run_after_offsets: Vec<i32>,
}

/// An instant as Airflow stores and templates it: `isoformat()` in UTC.
fn utc_iso(t: i64) -> String {
    format_python_iso(Civil::from_secs(t), Some(0))
}

impl Runs for AirflowRuns {
    fn window(&self, i: u64) -> Option<(Tick, Tick)> {
        usize::try_from(i)
            .ok()
            .and_then(|i| self.windows.get(i))
            .copied()
    }

    fn vars(
        &self,
        _plan: &Plan,
        at: RunAt,
        _params: &mut Map<String, Json>,
        vars: &mut Map<String, Json>,
        _next: &mut Option<Tick>,
    ) {
        let Some((start, end)) = self.window(at.i) else {
            return;
        };
        let (y, m, d) = Civil::from_secs(start.instant).date();
        let ds = format!("{y:04}-{m:02}-{d:02}");
        let mut put = |k: &str, v: String| {
            vars.insert(k.to_owned(), Json::String(v));
        };
        let off = usize::try_from(at.i)
            .ok()
            .and_then(|i| self.run_after_offsets.get(i))
            .copied()
            .unwrap_or(0);
        let written = format_python_iso(
            Civil::from_secs(end.instant + i64::from(off)),
            Some(off),
        );
        put("run_id", format!("backfill__{written}"));
        put("run_after", utc_iso(end.instant));
        put("logical_date", utc_iso(start.instant));
        put("ds", ds.clone());
        put("ds_nodash", ds.replace('-', ""));
        put("ts", utc_iso(start.instant));
        put("data_interval_start", utc_iso(start.instant));
        put("data_interval_end", utc_iso(end.instant));
    }
}

/// Airflow's timetable, the step and the data interval of a spec's schedule.
fn timetable_of(
    input: &Validated<'_>,
    schedule: &Sp<Schedule>,
    (from, to): (i64, i64),
    diags: &mut Vec<Diagnostic>,
) -> Option<(Step, Timetable, Delta, Option<Cron>)> {
    let spec = input.spec();
    let timetable = spec
        .timetable
        .as_ref()
        .map_or(Timetable::Trigger, |t| t.value);
    let interval = match &spec.data_interval {
        Some(iv) if timetable == Timetable::DataInterval => {
            diags.push(
                Diagnostic::error(codes::AIRFLOW_INTERVAL_ON_DATA_INTERVAL, "`schedule.interval` is the data interval of a trigger timetable; a data-interval timetable's runs cover one step of the schedule")
                    .at(iv.span)
                    .help("remove `interval`, or use `timetable: trigger`"),
            );
            return None;
        }
        Some(iv) => match Delta::of(iv.value.0, iv.value.1) {
            Some(d) if iv.value.1 >= 0 => d,
            _ => {
                diags.push(
                    Diagnostic::error(
                        codes::INTERVAL_NOT_POSITIVE,
                        format!(
                            "`schedule.interval` must not be negative, found `{}`",
                            iv.value.1
                        ),
                    )
                    .at(iv.span),
                );
                return None;
            }
        },
        None => Delta::Secs(0),
    };
    match &schedule.value {
        Schedule::Cron { expr, with_seconds } => {
            let with_seconds = with_seconds.as_ref().is_some_and(|w| w.value);
            if let Some(once) = ["@once", "@continuous", "None"]
                .into_iter()
                .find(|p| expr.value.trim() == *p)
            {
                diags.push(
                    Diagnostic::error(codes::AIRFLOW_NOT_PERIODIC, format!("`{once}` is not a periodic schedule: airflow refuses to backfill it (\"has a non-periodic schedule that does not support backfills\")"))
                        .at(expr.span),
                );
                return None;
            }
            let cron = parse_cron(
                input.text(),
                &preset(expr),
                Airflow.cron_dialect(with_seconds),
                diags,
            )?;
            let zone = input.zone();
            // The fires looked at lie between a step before the start and a step after
            // the end; the longest a cron without a year field waits is eight years.
            let resolver = zone.resolver(
                from.saturating_sub(9 * 366 * 86_400),
                to.saturating_add(9 * 366 * 86_400),
            );
            let step_of = |cron: &Cron| Step::Cron {
                cron: cron.clone(),
                resolver: resolver.clone(),
                every_hour: cron.croniter_shape().hour == Field::Star,
                unit: if cron.fires_within_minutes() { 1 } else { 60 },
            };
            let spec = input.spec();
            if spec.more_crons.is_empty() {
                return Some((step_of(&cron), timetable, interval, Some(cron)));
            }
            if timetable == Timetable::DataInterval {
                diags.push(
                    Diagnostic::error(codes::AIRFLOW_TIMETABLE_UNSUPPORTED, "several crons are airflow's MultipleCronTriggerTimetable, a trigger timetable: it has no data-interval form")
                        .at_opt(spec.timetable.as_ref().map(|t| t.span)),
                );
                return None;
            }
            let mut steps = vec![step_of(&cron)];
            for more in &spec.more_crons {
                let c = parse_cron(input.text(), &preset(more), Airflow.cron_dialect(false), diags)?;
                steps.push(step_of(&c));
            }
            // DST events are the calendar's view of one cron; a union has none here.
            Some((Step::Multi(steps), timetable, interval, None))
        }
        Schedule::Every { unit, count } => {
            let delta = match Delta::of(unit.value, count.value) {
                Some(d) if count.value > 0 => d,
                _ => {
                    diags.push(
                        Diagnostic::error(codes::INTERVAL_NOT_POSITIVE, format!("airflow refuses this schedule: \"schedule interval must be positive\" (`every.count` is `{}`)", count.value))
                            .at(count.span),
                    );
                    return None;
                }
            };
            Some((Step::Delta(delta), timetable, interval, None))
        }
        // Airflow 3.3.2 cannot load such a DAG: the task SDK's serializer writes no
        // `_summary`, which `EventsTimetable.deserialize` reads, so the dag-processor
        // fails on it and the DAG never exists for a backfill (run:
        // differential/harness/FINDINGS-airflow.md).
        Schedule::Explicit { .. } => {
            diags.push(
                Diagnostic::error(codes::AIRFLOW_EVENTS_UNLOADABLE, "airflow 3.3.2 cannot load a DAG whose schedule is an EventsTimetable (\"Failed to serialize DAG ...: '_summary'\"), so it cannot be backfilled")
                    .at(schedule.span)
                    .help("the task SDK's serializer drops `_summary`, which the timetable's deserializer reads; schedule the DAG with a cron or a MultipleCronTriggerTimetable instead"),
            );
            None
        }
        Schedule::Partitions(_) => {
            diags.push(
                Diagnostic::error(
                    codes::WRONG_SCHEDULE_KIND,
                    "`partitions` is dagster's schedule; airflow uses a cron or an interval",
                )
                .at(schedule.span)
                .help("use `schedule: {cron: \"0 0 * * *\"}` or `schedule: {every: {unit: day, count: 1}}`"),
            );
            None
        }
    }
}

/// `cron_presets`: Airflow's own nicknames become crons before croniter sees them
/// (`@quarterly` is Airflow's, not croniter's); anything else as written.
fn preset(expr: &Sp<String>) -> Sp<String> {
    let cron = [
        ("@hourly", "0 * * * *"),
        ("@daily", "0 0 * * *"),
        ("@weekly", "0 0 * * 0"),
        ("@monthly", "0 0 1 * *"),
        ("@quarterly", "0 0 1 */3 *"),
        ("@yearly", "0 0 1 1 *"),
    ]
    .into_iter()
    .find(|(name, _)| *name == expr.value)
    .map_or(expr.value.as_str(), |(_, cron)| cron);
    Sp::new(cron.to_owned(), expr.span)
}

/// A moment as the REST API reads it: with its offset, or naive as UTC.
fn api_moment(m: Moment) -> At {
    let off = m.offset.unwrap_or(0);
    At {
        t: m.civil.secs() - i64::from(off),
        off,
    }
}

impl Profile for Airflow {
    fn engine(&self) -> Engine {
        Engine::Airflow
    }

    fn bounds(&self) -> Bounds {
        Bounds {
            start: StartRule::Inclusive,
            end: EndRule::Inclusive,
            open_end: false,
            text: "both ends included (runs whose logical date or fire time is in [from_date, to_date]), and only runs whose data interval has ended by now",
        }
    }

    fn reproduces(&self) -> &'static str {
        "apache-airflow 3.3.2 / croniter 7.0.0 / pendulum 3.3.0"
    }

    fn dst_help(&self) -> &'static str {
        "airflow evaluates the cron on the DAG zone's wall clock: a time in a gap is run after the gap (02:30 becomes 03:30), a repeated time at its second pass; a cron that fires every hour steps by wall-clock minutes, so it skips a gap and runs both passes of a repeated hour"
    }

    fn takes_timetable(&self) -> bool {
        true
    }

    fn dialects(&self) -> &'static [Dialect] {
        &[Dialect::AirflowDag]
    }

    fn reorders(&self) -> bool {
        true
    }

    fn default_concurrency(&self) -> u64 {
        10
    }

    fn batches(&self) -> bool {
        false
    }

    fn cron_dialect(&self, _with_seconds: bool) -> CronDialect {
        CronDialect::Croniter
    }

    fn dst_policy(&self, cron: &Cron, _gap: Option<GapRule>, _fold: Option<FoldRule>) -> DstPolicy {
        if cron.croniter_shape().hour == Field::Star {
            DstPolicy {
                gap: GapRule::Skip,
                fold: FoldRule::Both,
            }
        } else {
            DstPolicy {
                gap: GapRule::Shift,
                fold: FoldRule::Later,
            }
        }
    }

    fn style(&self, _zoned: bool, _naive_inputs: bool) -> Style {
        Style::Aware
    }

    fn expand(
        &self,
        input: &Validated<'_>,
        schedule: &Sp<Schedule>,
        start: Moment,
        end: Moment,
        diags: &mut Vec<Diagnostic>,
    ) -> Option<Expanded> {
        let spec = input.spec();
        let zone = input.zone();
        let from = api_moment(start);
        let to = api_moment(end);
        let (step, timetable, interval, cron) =
            timetable_of(input, schedule, (from.t, to.t), diags)?;
        let written = |v: &Option<Sp<String>>| v.as_ref().map_or("", |v| v.value.as_str()).to_owned();
        let end_span = spec.end.as_ref().map(|v| v.span);
        if from.t > to.t {
            diags.push(
                Diagnostic::error(codes::AIRFLOW_FROM_AFTER_TO, format!("airflow refuses the window: \"from_date ({}) must not be after to_date ({})\"", written(&spec.start), written(&spec.end)))
                    .at_opt(end_span),
            );
            return None;
        }
        let now = input.now().map(|n| api_moment(n).t);
        if let Some(now) = now {
            if from.t >= now && to.t >= now {
                diags.push(
                    Diagnostic::error(
                        codes::AIRFLOW_FUTURE,
                        format!("airflow refuses the window: \"Backfill cannot be executed for future dates.\" (both `{}` and `{}` are at or after now, `{}`)", written(&spec.start), written(&spec.end), utc_iso(now)),
                    )
                    .at_opt(spec.start.as_ref().map(|v| v.span)),
                );
                return None;
            }
        }
        for (m, v) in [(start, &spec.start), (end, &spec.end)] {
            if m.offset.is_none() && !zone.is_utc() {
                if let Some(v) = v {
                    diags.push(
                        Diagnostic::warning(codes::AIRFLOW_NAIVE_UTC, format!("airflow reads `{}` as UTC, not in the DAG's zone {}", v.value, zone.name()))
                            .at(v.span)
                            .help("write the offset you mean, e.g. `2024-01-01T00:00:00+01:00`"),
                    );
                }
            }
        }
        // Count before iterating: the calendar's count of the cron's fires (or of the
        // steps) in the window, a little more than the engine's at most.
        let limit = input.limit();
        let span_of = |c: &Cron| {
            c.count_between(
                Civil::from_secs(from.t - 15 * 3600),
                Civil::from_secs(to.t + 15 * 3600),
            )
        };
        let rough = match &step {
            Step::Cron { cron, .. } => span_of(cron),
            Step::Delta(Delta::Secs(s)) => {
                u64::try_from((to.t - from.t) / s.max(&1)).unwrap_or(0) + 1
            }
            Step::Delta(Delta::Months(m)) => {
                u64::try_from((to.t - from.t) / (28 * 86_400 * m.max(&1))).unwrap_or(0) + 1
            }
            // A union has at least as many runs as its busiest cron.
            Step::Multi(steps) => steps
                .iter()
                .map(|s| match s {
                    Step::Cron { cron, .. } => span_of(cron),
                    _ => 0,
                })
                .max()
                .unwrap_or(0),
        };
        if rough > limit.saturating_add(2) {
            diags.push(over_limit(
                &format!("about {}", crate::plan::group_digits(rough)),
                limit,
                schedule.span,
            ));
            return None;
        }
        let cap = usize::try_from(limit.saturating_add(1)).unwrap_or(usize::MAX);
        let Some((all, cut)) = intervals(&step, timetable, interval, from, to.t, cap) else {
            diags.push(over_limit(
                &format!("more than {}", crate::plan::group_digits(limit)),
                limit,
                schedule.span,
            ));
            return None;
        };
        if cut {
            let at = all.last().map_or(String::new(), |&(s, _, _)| format!(" after the run at `{}`", utc_iso(s)));
            diags.push(
                Diagnostic::warning(codes::AIRFLOW_LIST_CUT, format!("airflow's timetable fails to find the next run{at}: the backfill's run list ends there (airflow logs the error and creates the runs before it)"))
                    .at(schedule.span),
            );
        }
        let created = match now {
            Some(now) => all.partition_point(|&(_, e, _)| e < now),
            None => all.len(),
        };
        if created < all.len() {
            let (s, e, _) = all[created];
            diags.push(
                Diagnostic::warning(codes::AIRFLOW_NOT_ENDED, format!("airflow creates no run whose data interval has not ended by now (`{}`): {} of the window's {} runs are left out, the first at `{}` (its interval ends `{}`)", now.map_or(String::new(), utc_iso), all.len() - created, all.len(), utc_iso(s), utc_iso(e)))
                    .at_opt(end_span)
                    .help("they are created by the scheduler when their time comes, or by a later backfill"),
            );
        }
        if created == 0 {
            diags.push(
                Diagnostic::error(codes::AIRFLOW_NO_RUNS, format!("airflow finds no run to create: \"No runs to create for Dag in the range [{}, {}]\"", written(&spec.start), written(&spec.end)))
                    .at_opt(end_span)
                    .help(match timetable {
                        Timetable::Trigger => "a trigger timetable runs at the schedule's fire times in the window, both ends included: widen the window to hold one",
                        Timetable::DataInterval => "a data-interval timetable runs each interval that starts in the window, once it has ended",
                    }),
            );
            return None;
        }
        // Runs are created in launch order, one per logical date: a later run whose
        // logical date an earlier one took is not created (a month-long `interval` maps
        // two fires to one clamped date).
        let newest_first = spec.order.as_ref().is_some_and(|o| o.value == crate::input::spec::Order::NewestFirst);
        let mut kept: Vec<Interval> = Vec::with_capacity(created);
        let mut taken: std::collections::HashMap<i64, usize> = std::collections::HashMap::new();
        let mut dropped = 0usize;
        for &run in &all[..created] {
            match taken.get(&run.0) {
                Some(&k) => {
                    dropped += 1;
                    if newest_first {
                        kept[k] = run;
                    }
                }
                None => {
                    taken.insert(run.0, kept.len());
                    kept.push(run);
                }
            }
        }
        // The series holds the logical dates in order; the launch order (by run_after,
        // which a month-long interval can make differ) is `launch_order`'s.
        kept.sort_by_key(|r| r.0);
        if dropped > 0 {
            diags.push(
                Diagnostic::warning(codes::AIRFLOW_SAME_LOGICAL_DATE, format!("{dropped} of the window's runs have a logical date an earlier run of the backfill already has: airflow creates one run per logical date ({} runs, not {created})", kept.len()))
                    .at(schedule.span)
                    .help("a data interval of whole months clamps several fire times to one date"),
            );
        }
        let tick = |t: i64| Tick::plain(t, zone.offset_at(t));
        let mut ticks: Vec<Tick> = kept.iter().map(|&(s, _, _)| tick(s)).collect();
        let windows: Vec<(Tick, Tick)> = kept.iter().map(|&(s, e, _)| (tick(s), tick(e))).collect();
        let run_after_offsets: Vec<i32> = kept.iter().map(|&(_, _, o)| o).collect();
        if let Step::Delta(_) = step {
            if from.t != to.t {
                diags.push(
                    Diagnostic::note(codes::AIRFLOW_DELTA_ANCHOR, format!("airflow anchors an interval schedule's runs to the from_date you give (`{}`), not to the DAG's start_date", written(&spec.start)))
                        .at_opt(spec.start.as_ref().map(|v| v.span)),
                );
            }
        }
        if timetable == Timetable::Trigger && kept.last().is_some_and(|&(_, e, _)| e == to.t) {
            diags.push(
                Diagnostic::note(codes::AIRFLOW_END_INCLUDED, format!("airflow includes the to_date: the run at `{}` is created", written(&spec.end)))
                    .at_opt(end_span),
            );
        }
        let marks = timetable == Timetable::DataInterval || interval.is_zero();
        let events = match &cron {
            Some(c) if marks && !(zone.is_utc() || zone.is_fixed()) => {
                let lo = ticks.first().map_or(from.t, |t| t.instant);
                let hi = windows.last().map_or(to.t, |w| w.1.instant) + 1;
                let series = CronSeries::new(c.clone(), zone, self.dst_policy(c, None, None), lo, hi);
                // The run a fire moved out of a gap, or the second pass of a fold, is
                // marked where the engine's arithmetic put it: a trigger timetable's
                // fires end its intervals, a data-interval timetable's start them.
                let fires: Vec<Tick> = match timetable {
                    Timetable::Trigger => windows.iter().map(|w| w.1).collect(),
                    Timetable::DataInterval => ticks.clone(),
                };
                let mut events = engine_events(&series, &fires);
                for e in &mut events {
                    for &k in &e.ticks {
                        if let Some(t) = ticks.get_mut(k as usize) {
                            let wall = t.civil();
                            t.shifted = e.after > e.before && !c.matches(wall);
                            t.second_occurrence = e.after < e.before
                                && matches!(
                                    zone.resolver(t.instant, t.instant).lookup(wall),
                                    Local::Fold { later, .. } if later.0 == t.instant
                                );
                        }
                    }
                }
                events
            }
            _ => Vec::new(),
        };
        let n = ticks.len() as u64;
        ticks.shrink_to_fit();
        Some((
            Series::Listed(Box::new((ticks, events))),
            n,
            None,
            Arc::new(AirflowRuns {
                windows,
                run_after_offsets,
            }),
        ))
    }

    /// Runs are created (and queued) in the order of their `run_after`, which a
    /// month-long `interval` can make differ from the order of their logical dates.
    fn launch_order(&self, plan: &Plan, _diags: &mut Vec<Diagnostic>) -> Option<Vec<u64>> {
        let after: Vec<i64> = (0..plan.time_count)
            .map(|q| {
                plan.engine_runs
                    .window(plan.series_index(q))
                    .map_or(0, |w| w.1.instant)
            })
            .collect();
        if after.windows(2).all(|w| w[0] < w[1]) {
            return None;
        }
        let mut order: Vec<u64> = (0..plan.time_count).collect();
        order.sort_by_key(|&q| after.get(q as usize).copied().unwrap_or(0));
        Some(order)
    }

    fn restate(
        &self,
        schedule: &Schedule,
        interval: Option<(Unit, i64)>,
        cron: Option<String>,
        at: Span,
    ) -> Option<Schedule> {
        match schedule {
            Schedule::Every { .. } => Some(schedule.clone()),
            _ => cron_schedule(cron, at).or_else(|| super::every_schedule(interval, at)),
        }
    }

    fn payload(&self) -> Option<Payload> {
        Some(Payload {
            label: "airflow backfill script (dry run checked, then POST /api/v2/backfills)",
            extension: "sh",
        })
    }

    /// A script that sends the body of `POST /api/v2/backfills` (the window as given, the
    /// order and the concurrency) to the dry run first, checks that Airflow lists the
    /// planned logical dates (how many, the first and the last), and only then creates
    /// the backfill; the `airflow backfill create` command saying the same is beside it.
    fn export(&self, plan: &Plan) -> Option<Result<String, Diagnostic>> {
        Some(script(plan))
    }
}

fn body(plan: &Plan) -> Result<String, Diagnostic> {
    has_runs(plan)?;
    if plan.kept.len() != 1 || plan.kept[0].0 != 0 || plan.kept[0].1 != plan.count {
        return Err(Diagnostic::error(codes::CANNOT_EXPORT, "an airflow backfill covers one whole window: it cannot leave out the runs `select`/`exclude` removed")
            .help("plan one backfill per contiguous range, one after the other (airflow runs one backfill per DAG at a time)"));
    }
    let (Some(from), Some(to)) = plan.window_text.clone() else {
        return Err(Diagnostic::error(
            codes::CANNOT_EXPORT,
            "an airflow backfill needs a from_date and a to_date, and this window has no end written",
        ));
    };
    let value = json!({
        "dag_id": plan.identity("dag_id", "<dag_id>"),
        "from_date": from,
        "to_date": to,
        "run_backwards": plan.order == crate::input::spec::Order::NewestFirst,
        "dag_run_conf": {},
        "reprocess_behavior": "none",
        "max_active_runs": plan.concurrency,
    });
    Ok(pretty(&value))
}

fn script(plan: &Plan) -> Result<String, Diagnostic> {
    let body = body(plan)?;
    let n = plan.run_count();
    let (mut first, mut last) = (i64::MAX, i64::MIN);
    for (t, _) in plan.instants(0, n) {
        first = first.min(t);
        last = last.max(t);
    }
    let (from, to) = plan.window_text.clone();
    let quote = |s: &str| format!("'{}'", s.replace('\'', "'\\''"));
    let mut cli = format!(
        "airflow backfill create --dag-id {} --from-date {} --to-date {} --max-active-runs {}",
        quote(&plan.identity("dag_id", "<dag_id>")),
        quote(from.as_deref().unwrap_or("")),
        quote(to.as_deref().unwrap_or("")),
        plan.concurrency
    );
    if plan.order == crate::input::spec::Order::NewestFirst {
        cli.push_str(" --run-backwards");
    }
    Ok(format!(
        r#"#!/bin/sh
# An Airflow 3 backfill of {n} runs, logical dates {first_text} to {last_text} (UTC),
# as Backfill Planner previewed it. Set AIRFLOW_URL (e.g. http://127.0.0.1:8080) and
# AIRFLOW_TOKEN (from POST $AIRFLOW_URL/auth/token). The dry run must list exactly the planned
# logical dates before the backfill is created.
set -eu
body=$(mktemp)
trap 'rm -f "$body"' EXIT
cat > "$body" <<'JSON'
{body}JSON
api() {{
  curl -fsS -X POST "$AIRFLOW_URL/api/v2/$1" -H "Authorization: Bearer $AIRFLOW_TOKEN" -H 'Content-Type: application/json' --data-binary @"$body"
}}
seen=$(api backfills/dry_run | python3 -c '
import datetime, json, sys
ds = sorted({{int(datetime.datetime.fromisoformat(b["logical_date"].replace("Z", "+00:00")).timestamp())
             for b in json.load(sys.stdin)["backfills"] if b["logical_date"]}})
print(len(ds), ds[0] if ds else "-", ds[-1] if ds else "-")')
if [ "$seen" != "{n} {first} {last}" ]; then
  echo "airflow's dry run lists other runs than the plan (count, first, last epoch seconds): $seen, planned {n} {first} {last}" >&2
  exit 1
fi
api backfills
echo
# The same with the airflow command line, where the DAG is deployed:
#   {cli}
"#,
        first_text = utc_iso(first),
        last_text = utc_iso(last),
    ))
}
