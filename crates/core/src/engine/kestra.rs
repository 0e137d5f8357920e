//! Kestra: a Schedule trigger's backfill (`PUT /api/v1/triggers`), replayed by the
//! scheduler one execution at a time over cron-utils 9.2.1.
//!
//! - Both ends are included; no end means now.
//! - A time in a DST gap is skipped (and fires just after one can be lost); a repeated
//!   time runs once for a fixed-hour cron, twice for an interval cron.
//! - In a zone whose offset changes, cron-utils' own searches decide the runs and their
//!   `trigger.previous`/`trigger.next` ([`super::kestra_clock`]).

use super::cron_family::{cron_schedule, engine_events, half_open, next_fire, schedule_cron};
use super::kestra_clock::Clock;
use super::{Payload, Bounds, EndRule, Engine, Profile, RunAt, Runs, StartRule};
use crate::cron::{Cron, CronDialect};
use crate::diag::{Diagnostic, Span};
use crate::input::dialect::Dialect;
use crate::plan::export::{has_runs, pretty};
use crate::plan::{Expanded, Plan, Validated};
use crate::series::{CronSeries, DstPolicy, Series, Tick};
use crate::input::spec::{Schedule, Sp, Unit};
use crate::series::{FoldRule, GapRule};
use crate::time::{format_rfc3339, Local, Moment, UtcAs};
use serde_json::{json, Map, Value as Json};
use std::sync::Arc;
use crate::diag::codes;

/// Kestra's Schedule backfill.
#[derive(Debug)]
pub(crate) struct Kestra;

/// One Kestra run's `trigger.previous` and `trigger.next`.
type Vars = (Option<Tick>, Option<Tick>);

/// `clock`: each run's `trigger.previous` and `trigger.next` as cron-utils gives them,
/// where its own search decides the runs (zones with offset changes).
#[derive(Debug)]
struct KestraRuns {
    clock: Option<Box<[Vars]>>,
}

impl KestraRuns {
    /// cron-utils' `lastExecution`: the previous civil fire; in a fold, the later pass.
    fn previous(plan: &Plan, t: Tick) -> Option<Tick> {
        let Series::Cron(c) = &plan.series else {
            return None;
        };
        let mut civil = t.civil();
        for _ in 0..1000 {
            let prev = c.cron().prev_before(civil)?;
            let mut r = plan
                .zone
                .resolver(prev.secs() - 86_400, prev.secs() + 86_400);
            match r.resolve(prev) {
                Local::Single(i, o) => return Some(Tick::plain(i, o)),
                Local::Fold { later, .. } => {
                    if later.0 < t.instant {
                        return Some(Tick::plain(later.0, later.1));
                    }
                    civil = prev;
                }
                Local::Gap { .. } => civil = prev,
            }
        }
        None
    }
}

impl Runs for KestraRuns {
    fn vars(
        &self,
        plan: &Plan,
        at: RunAt,
        _params: &mut Map<String, Json>,
        vars: &mut Map<String, Json>,
        next: &mut Option<Tick>,
    ) {
        let t = at.t;
        let clocked = self
            .clock
            .as_ref()
            .and_then(|c| usize::try_from(at.i).ok().and_then(|i| c.get(i)));
        let previous = match clocked {
            Some((p, n)) => {
                *next = *n;
                *p
            }
            None => Self::previous(plan, t),
        };
        // Kestra writes its variables in `TimeZone.getTimeZone(zone id)`, which is GMT
        // for an offset id such as `+05:30` (Java's fallback for ids it does not know):
        // such a trigger's dates print in UTC.
        let fixed = plan.zone.is_fixed();
        let fmt = |t: Tick| format_rfc3339(t.instant, if fixed { 0 } else { t.offset }, UtcAs::Z);
        vars.insert("trigger.date".to_owned(), Json::String(fmt(t)));
        vars.insert(
            "trigger.previous".to_owned(),
            previous.map_or(Json::Null, |p| Json::String(fmt(p))),
        );
        vars.insert(
            "trigger.next".to_owned(),
            next.map_or(Json::Null, |n| Json::String(fmt(n))),
        );
    }
}

/// Kestra in a zone whose offset changes: the backfill as Kestra's loop runs it over
/// cron-utils' own searches ([`Clock`]), which near a transition give other runs,
/// `trigger.previous` and `trigger.next` than the calendar. `None` when the calendar
/// plan is far over the limit (the limit error reports it) or the loop was cut.
fn clocked(
    input: &Validated<'_>,
    cron: &Cron,
    policy: DstPolicy,
    s: i64,
    e: i64,
    diags: &mut Vec<Diagnostic>,
) -> Option<Expanded> {
    let zone = input.zone();
    let calendar = CronSeries::new(cron.clone(), zone, policy, s.min(e), e.max(s) + 1);
    if calendar.len() > input.limit().saturating_add(1000) {
        return None;
    }
    // The scheduler's clock starts at now; with no `now` the end stands for it.
    let now = input.now().map_or(e, |n| n.instant_in(zone));
    let mut clock = Clock::new(cron, zone, s.min(e).min(now), s.max(e).max(now))?;
    let cap = usize::try_from(input.limit().saturating_add(1)).unwrap_or(usize::MAX);
    let backfill = clock.backfill(s, e, now, cap);
    if backfill.truncated {
        return None;
    }
    if let Some(at) = backfill.stuck {
        let at = clock.tick(at);
        diags.push(
            Diagnostic::warning(codes::KESTRA_NEVER_ENDS, format!("kestra's backfill never ends: cron-utils finds no fire after `{}`, so the scheduler fails the trigger (a FAILED execution) at every tick; the {} execution{} before it are planned", format_rfc3339(at.instant, at.offset, UtcAs::Z), backfill.executions.len(), if backfill.executions.len() == 1 { "" } else { "s" }))
                .at_opt(input.spec().end.as_ref().map(|v| v.span).or(input.spec().window)),
        );
    }
    let mut ticks = Vec::with_capacity(backfill.executions.len());
    let mut vars = Vec::with_capacity(backfill.executions.len());
    for x in &backfill.executions {
        ticks.push(clock.tick(x.date));
        let previous = x.previous.map(|p| clock.tick(p));
        let next = x.next.map(|n| clock.tick(n));
        vars.push((previous, next));
    }
    let n = ticks.len() as u64;
    let after_last = vars.last().and_then(|v| v.1);
    let events = engine_events(&calendar, &ticks);
    Some((
        Series::Listed(Box::new((ticks, events))),
        n,
        after_last,
        Arc::new(KestraRuns {
            clock: Some(vars.into_boxed_slice()),
        }),
    ))
}

impl Profile for Kestra {
    fn engine(&self) -> Engine {
        Engine::Kestra
    }

    fn bounds(&self) -> Bounds {
        Bounds {
            start: StartRule::Inclusive,
            end: EndRule::Inclusive,
            open_end: true,
            text: "both ends included; no end means now",
        }
    }

    fn reproduces(&self) -> &'static str {
        "kestra Schedule backfill (00a7b504) / cron-utils 9.2.1"
    }

    fn dialects(&self) -> &'static [Dialect] {
        &[Dialect::Kestra, Dialect::KestraTrigger]
    }

    fn dst_help(&self) -> &'static str {
        "kestra (cron-utils 9.2.1) skips times in a gap (and can lose fires just after one); a repeated time runs twice unless the fire after it is 2 h or more away"
    }

    fn concurrency(&self, asked: u64, at: Option<Span>) -> Option<Diagnostic> {
        (asked > 1).then(|| {
            Diagnostic::warning(codes::KESTRA_SEQUENTIAL, format!("kestra runs a trigger's backfill executions one at a time (kestra#2041): `concurrency: {asked}` has no effect"))
                .at_opt(at)
        })
    }

    fn cron_dialect(&self, with_seconds: bool) -> CronDialect {
        if with_seconds {
            CronDialect::KestraSeconds
        } else {
            CronDialect::Kestra
        }
    }

    fn dst_policy(&self, cron: &Cron, _gap: Option<GapRule>, _fold: Option<FoldRule>) -> DstPolicy {
        DstPolicy {
            gap: GapRule::Skip,
            fold: if cron.is_fixed_hour() {
                FoldRule::Earlier
            } else {
                FoldRule::Both
            },
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
        let (s, e) = (start.instant_in(zone), end.instant_in(zone));
        let (lo, hi) = half_open(input, s, e);
        let (cron, expr) = schedule_cron(
            input,
            schedule,
            "kestra backfills replay a Schedule trigger's cron; an interval cannot be expressed",
            diags,
        )?;
        let policy = self.dst_policy(&cron, None, None);
        // In a zone whose offset changes, cron-utils' own search decides Kestra's runs
        // and variables: run it, unless the plan is far over the limit.
        let clocked = (!(zone.is_utc() || zone.is_fixed()))
            .then(|| clocked(input, &cron, policy, s, e, diags))
            .flatten();
        if e < s {
            // Kestra evaluates the start once even when the end is before it.
            let after = next_fire(&cron, zone, policy, s + 1);
            let series = CronSeries::new(cron, zone, policy, s, s + 1);
            let n = clocked.as_ref().map_or(series.len(), |c| c.1);
            diags.push(
                Diagnostic::warning(codes::KESTRA_END_BEFORE_START, format!("the end is before the start; kestra still evaluates the start once ({n} execution{})", if n == 1 { "" } else { "s" }))
                    .at_opt(spec.end.as_ref().map(|v| v.span)),
            );
            if let Some(c) = clocked {
                return Some(c);
            }
            // Its `trigger.next` is the next fire after it, however far.
            let runs = Arc::new(KestraRuns { clock: None });
            return Some((Series::Cron(Box::new(series)), n, after, runs));
        }
        let series = CronSeries::new(cron, zone, policy, lo, hi);
        let n = clocked.as_ref().map_or(series.len(), |c| c.1);
        if n > 1 && CronSeries::new(series.cron().clone(), zone, policy, e, e + 1).len() == 1 {
            diags.push(
                Diagnostic::note(codes::KESTRA_BOTH_ENDS, format!("kestra includes both ends: the fire time at the end `{}` runs too ({n} executions, one more than the intervals between start and end)", spec.end.as_ref().map_or_else(|| input.now_text().clone().unwrap_or_default(), |v| v.value.clone())))
                    .at_opt(spec.end.as_ref().map(|v| v.span).or(spec.window)),
            );
        }
        if spec.timezone.is_none() {
            diags.push(
                Diagnostic::note(codes::KESTRA_SERVER_ZONE, "kestra evaluates the cron in the server's zone when `timezone` is unset (UTC in the official images); planned in UTC")
                    .at(expr.span),
            );
        }
        if !zone.is_utc() {
            diags.push(
                Diagnostic::note(codes::KESTRA_ZONE_FIX, "kestra before the fix for issue #7227 (February 2025) created no executions for a trigger with a timezone; check your version")
                    .at_opt(spec.timezone.as_ref().map(|t| t.span)),
            );
        }
        if let Some(c) = clocked {
            return Some(c);
        }
        let after_last = next_fire(series.cron(), zone, policy, hi);
        Some((
            Series::Cron(Box::new(series)),
            n,
            after_last,
            Arc::new(KestraRuns { clock: None }),
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
            label: "Kestra trigger body",
            extension: "json",
        })
    }

    /// Kestra's `PUT /api/v1/triggers` body: a backfill from the first run to the last
    /// (both included), one body per contiguous range of runs.
    fn export(&self, plan: &Plan) -> Option<Result<String, Diagnostic>> {
        Some(body(plan))
    }
}

fn body(plan: &Plan) -> Result<String, Diagnostic> {
    has_runs(plan)?;
    let labels: Vec<Json> = plan
        .labels
        .iter()
        .map(|(k, v)| json!({"key": k, "value": v}))
        .collect();
    let inputs = if plan.params.is_empty() {
        Json::Null
    } else {
        Json::Object(plan.params.clone())
    };
    let bodies: Vec<Json> = plan
        .time_ranges()
        .iter()
        .map(|(a, b)| {
            json!({
                "backfill": {
                    "start": plan.aware_text(*a),
                    "end": plan.aware_text(*b),
                    "inputs": inputs,
                    "labels": labels,
                },
                "flowId": plan.identity("flowId", "<flowId>"),
                "namespace": plan.identity("namespace", "<namespace>"),
                "triggerId": plan.identity("triggerId", "<triggerId>"),
            })
        })
        .collect();
    Ok(pretty(&if bodies.len() == 1 {
        bodies[0].clone()
    } else {
        Json::Array(bodies)
    }))
}
