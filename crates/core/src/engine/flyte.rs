//! Flyte: `create_backfill_workflow` (flytekit 1.16.31), stepping croniter 7.0.0's
//! `get_next` from the start until a fire reaches the end.
//!
//! - Both ends are excluded (its docstring says the end is included).
//! - flytekit hands croniter aware datetimes: a naive wall time in a gap is read with the
//!   offset before it (Python's fold 0); the loop compares wall readings, so it stops at
//!   the first fire whose wall time reaches the end's.
//! - A fixed-hour fire in a gap moves to the gap's end; an interval cron goes on to its
//!   next match; a repeated time runs twice. In a zone whose offset changes, croniter's
//!   own step decides ([`super::croniter_clock`]).
//! - The workflow receives its kickoff time as UTC, a naive value read as UTC.

use super::cron_family::{
    civil_text, cron_schedule, engine_events, half_open, next_fire, schedule_cron,
};
use super::croniter_clock::Clock;
use super::{Payload, Bounds, EndRule, Engine, Profile, RunAt, Runs, StartRule};
use crate::cron::{Cron, CronDialect};
use crate::diag::{Diagnostic, Span};
use crate::plan::export::has_runs;
use crate::plan::{Expanded, Plan, Style, Validated};
use crate::series::{CronSeries, DstPolicy, Series, Tick};
use crate::input::spec::{FailurePolicy, Schedule, Sp, Unit};
use crate::series::{FoldRule, GapRule};
use crate::time::{format_python_iso, format_python_str, Civil, Moment, Zone};
use serde_json::{Map, Value as Json};
use std::fmt::Write as _;
use std::sync::Arc;
use crate::diag::codes;

/// flytekit's backfill.
#[derive(Debug)]
pub(crate) struct Flyte;

/// Flyte's runs: node names and the kickoff time.
#[derive(Debug)]
struct FlyteRuns;

impl Runs for FlyteRuns {
    fn naive_as_utc(&self) -> bool {
        true
    }

    fn vars(
        &self,
        plan: &Plan,
        at: RunAt,
        _params: &mut Map<String, Json>,
        vars: &mut Map<String, Json>,
        _next: &mut Option<Tick>,
    ) {
        let (index, t) = (at.index, at.t);
        let name = match plan.style {
            Style::Naive => format_python_str(t.civil(), None),
            Style::Aware => format_python_str(t.civil(), Some(t.offset)),
        };
        vars.insert("node_name".to_owned(), Json::String(format!("b-{name}")));
        vars.insert("node_id".to_owned(), Json::String(format!("n{index}")));
        let upstream = (plan.concurrency == 1 && index > 0).then(|| format!("n{}", index - 1));
        vars.insert(
            "upstream".to_owned(),
            upstream.map_or(Json::Null, Json::String),
        );
        // The workflow receives the kickoff time through Flyte's literal (a protobuf
        // Timestamp): the instant in UTC, a naive value read as UTC.
        vars.insert(
            "kickoff_time".to_owned(),
            Json::String(format_python_iso(Civil::from_secs(t.instant), Some(0))),
        );
    }
}

impl Profile for Flyte {
    fn engine(&self) -> Engine {
        Engine::Flyte
    }

    fn bounds(&self) -> Bounds {
        Bounds {
            start: StartRule::Exclusive,
            end: EndRule::Exclusive,
            open_end: false,
            text: "both ends excluded (croniter get_next, then >= end stops)",
        }
    }

    fn reproduces(&self) -> &'static str {
        "flytekit 1.16.31 / croniter 7.0.0"
    }

    fn dst_help(&self) -> &'static str {
        "croniter moves a time in a gap to the end of the gap and yields a repeated time twice"
    }

    fn cron_dialect(&self, _with_seconds: bool) -> CronDialect {
        CronDialect::Croniter
    }

    // croniter 7.0.0, run: a fixed-hour tick in a gap moves to the gap's end (`0 2 * * *`
    // → 03:00 on a New York spring-forward day; every tick of the gap becomes that one
    // run), but an hourly or minutely cron simply goes on to its next match
    // (`30 * * * *` → 01:30, 03:30).
    fn dst_policy(&self, cron: &Cron, _gap: Option<GapRule>, _fold: Option<FoldRule>) -> DstPolicy {
        DstPolicy {
            gap: if cron.is_fixed_hour() {
                GapRule::Shift
            } else {
                GapRule::Skip
            },
            fold: FoldRule::Both,
        }
    }

    fn style(&self, zoned: bool, naive_inputs: bool) -> Style {
        if !zoned && naive_inputs {
            Style::Naive
        } else {
            Style::Aware
        }
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
        // flytekit hands croniter aware datetimes: a naive wall time in a gap is read
        // with the offset before it (Python's fold 0), an instant after the gap.
        let (s, e) = (start.instant_python(zone), end.instant_python(zone));
        // ... and compares two datetimes of one tzinfo by their wall readings (Python's
        // rule for aware datetimes sharing a tzinfo): the loop stops at the first fire
        // whose wall time reaches the end's, whichever pass of a repeated hour it is.
        let wall_end =
            (end.offset.is_none() && !(zone.is_utc() || zone.is_fixed())).then_some(end.civil);
        let (lo, hi) = half_open(input, s, e);
        let (cron, expr) = schedule_cron(
            input,
            schedule,
            "flyte backfills only support cron schedules (a FixedRate launch plan raises NotImplementedError)",
            diags,
        )?;
        let policy = self.dst_policy(&cron, None, None);
        let before_end = match (wall_end, start.offset) {
            (Some(w), None) => start.civil < w,
            _ => s < e,
        };
        if !before_end {
            diags.push(
                Diagnostic::error(codes::FLYTE_START_AFTER_END, format!("flyte needs the start before the end: \"for a backfill start date should be earlier than end date\" (`{}` → `{}`)", spec.start.as_ref().map_or("", |v| v.value.as_str()), spec.end.as_ref().map_or("now", |v| v.value.as_str())))
                    .at_opt(spec.end.as_ref().map(|v| v.span)),
            );
            return None;
        }
        // flytekit's `CronSchedule` checks its schedule with `croniter(schedule).get_next()`
        // from the clock: a croniter year field that has run out fails the launch plan.
        if let Some(now) = input.now() {
            let now_civil = Civil::from_secs(now.instant_in(Zone::UTC));
            if cron.next_after(now_civil).is_none() {
                diags.push(
                    Diagnostic::error(codes::FLYTE_NO_NEXT_FIRE, format!("flytekit refuses this launch plan: croniter finds no fire after now (`{now_civil}`), \"Schedule is invalid ... failed to find next date\""))
                        .at(expr.span)
                        .help("the year field has run out; widen it"),
                );
                return None;
            }
        }
        // create_backfill_workflow calls `get_next` until a fire reaches the end: with
        // no fire at or after the end, croniter raises and the backfill fails.
        let end_civil = Civil::from_secs(e + i64::from(zone.offset_at(e)));
        if cron.nth_at_or_after(end_civil, 0).is_none() {
            diags.push(
                Diagnostic::error(codes::FLYTE_RUNS_OUT, format!("croniter runs out of fire times before the end `{end_civil}`: create_backfill_workflow fails (\"failed to find next date\")"))
                    .at(expr.span)
                    .help("the year field ends inside the window; end the window before its last year ends"),
            );
            return None;
        }
        // Offsets lie within -12 h and +14 h: a fire whose wall time reaches the end's
        // lies between these instants, and every fire before the first has an earlier
        // wall time.
        let series = match wall_end {
            Some(w) => CronSeries::new(cron, zone, policy, lo, hi.max(w.secs() + 13 * 3600)),
            None => CronSeries::new(cron, zone, policy, lo, hi),
        };
        let mut n = match wall_end {
            Some(w) => {
                let from = series.first_at_or_after(w.secs() - 15 * 3600);
                series
                    .iter_range(from, series.len())
                    .position(|t| t.civil() >= w)
                    .map_or(series.len(), |k| from + k as u64)
            }
            None => series.len(),
        };
        // In a zone whose offset changes, croniter's own step (`get_next` with its
        // shifted search for the other offset) decides Flyte's fires: run it, unless the
        // plan is far over the limit anyway.
        let mut clocked = None;
        if !(zone.is_utc() || zone.is_fixed()) && n <= input.limit().saturating_add(1000) {
            let until = hi.max(wall_end.map_or(hi, |w| w.secs() + 13 * 3600));
            let clock = Clock::new(
                series.cron(),
                zone,
                s.saturating_sub(2 * 86_400),
                until.saturating_add(2 * 86_400),
            );
            let cap = usize::try_from(input.limit().saturating_add(1)).unwrap_or(usize::MAX);
            if let Some((ticks, stop)) = clock.backfill(s, e, wall_end, cap) {
                n = ticks.len() as u64;
                clocked = Some((ticks, stop));
            }
        }
        if n == 0 {
            let first =
                CronSeries::new(series.cron().clone(), zone, policy, s + 1, s + 400 * 86_400)
                    .get(0);
            let shown = first.map_or("none within a year".to_owned(), |t| {
                civil_text(t, Style::Naive)
            });
            diags.push(
                Diagnostic::error(codes::FLYTE_WINDOW_TOO_SMALL, format!("the time window is too small for any backfill instances, first instance after start date is {shown}"))
                    .at_opt(spec.end.as_ref().map(|v| v.span))
                    .help("flyte excludes both ends: widen the window past the next fire time"),
            );
            return None;
        }
        if CronSeries::new(series.cron().clone(), zone, policy, e, e + 1).len() == 1 {
            diags.push(
                Diagnostic::warning(codes::FLYTE_EXCLUDES_ENDS, format!("flyte excludes both ends: `{}` is not run ({n} runs, not {}); its docstring says the end is inclusive", spec.end.as_ref().map_or("", |v| v.value.as_str()), n + 1))
                    .at_opt(spec.end.as_ref().map(|v| v.span))
                    .help("flytekit's create_backfill_workflow stops when the next time is >= end_date"),
            );
        }
        if let Some((mut ticks, stop)) = clocked {
            ticks.extend(stop);
            let events = engine_events(&series, &ticks);
            let after_last = ticks.get(n as usize).copied();
            return Some((
                Series::Listed(Box::new((ticks, events))),
                n,
                after_last,
                Arc::new(FlyteRuns),
            ));
        }
        let after_last = next_fire(series.cron(), zone, policy, hi);
        Some((
            Series::Cron(Box::new(series)),
            n,
            after_last,
            Arc::new(FlyteRuns),
        ))
    }

    fn restate(
        &self,
        _schedule: &Schedule,
        _interval: Option<(Unit, i64)>,
        cron: Option<String>,
        at: Span,
    ) -> Option<Schedule> {
        cron_schedule(cron, at)
    }

    fn payload(&self) -> Option<Payload> {
        Some(Payload {
            label: "pyflyte backfill command",
            extension: "sh",
        })
    }

    /// A `pyflyte backfill` command per contiguous range of runs: `--from-date` and
    /// `--to-date` just outside its first and last runs, as both are excluded.
    fn export(&self, plan: &Plan) -> Option<Result<String, Diagnostic>> {
        Some(command(plan))
    }
}

fn command(plan: &Plan) -> Result<String, Diagnostic> {
    has_runs(plan)?;
    let text = |t: i64, o: i32| -> String {
        let c = Civil::from_secs(t + i64::from(o));
        match plan.style {
            Style::Naive => format_python_str(c, None),
            Style::Aware => format_python_str(c, Some(o)),
        }
    };
    let mut out = String::from("#!/bin/sh\n# pyflyte backfill runs the launch plan's cron strictly between --from-date and --to-date\n# (both ends excluded, whatever its --help says).\n");
    if plan.retries > 0 || plan.timeout_secs.is_some() {
        out.push_str(
            "# pyflyte cannot set per-node retries or timeouts; create_backfill_workflow can.\n",
        );
    }
    let mode = if plan.concurrency > 1 {
        "--parallel"
    } else {
        "--serial"
    };
    let fail = if plan.failure_policy == FailurePolicy::Continue {
        " --no-fail-fast"
    } else {
        ""
    };
    let launch_plan = plan.identity("launch_plan", "<launch_plan>");
    for (a, b) in plan.time_ranges() {
        let (from, to) = match (plan.engine(), &plan.window_text, plan.kept.len()) {
            (Engine::Flyte, (Some(s), Some(e)), 1) => (s.clone(), e.clone()),
            _ => {
                let (t0, o0) = plan.run_instant(a).unwrap_or((0, 0));
                let (t1, o1) = plan.run_instant(b).unwrap_or((0, 0));
                (text(t0 - 1, o0), text(t1 + 1, o1))
            }
        };
        let _ = writeln!(
            out,
            "pyflyte backfill -p <project> -d <domain> --from-date '{from}' --to-date '{to}' {mode}{fail} {launch_plan}"
        );
    }
    Ok(out)
}
