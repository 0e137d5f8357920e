//! Mage: a date-and-time-window backfill (`interval_type` × `interval_units` from the
//! start, `while date <= end`), or a custom-code list of variable dicts.
//!
//! - Both ends are included (its docs say the end is not).
//! - Months and years step by `relativedelta` from the *previous* date, so a clamped
//!   day (Jan 31 → Feb 29) sticks for every later run.
//! - Offsets are fixed: no zone, no DST.

use super::{Payload, every, Bounds, EndRule, Engine, Profile, RunAt, Runs, StartRule};
use crate::diag::Diagnostic;
use crate::input::dialect::Dialect;
use crate::plan::export::{has_runs, pretty, refuse};
use crate::plan::{Expanded, Plan, Style, Validated};
use crate::series::{Series, Tick};
use crate::input::spec::{Schedule, Sp, Spec, Unit};
use crate::time::{civil::add_months_clamped, format_date, format_python_iso, Civil, Moment};
use serde_json::{json, Map, Value as Json};
use std::sync::Arc;
use crate::diag::codes;

/// mage-ai 0.9.80.
#[derive(Debug)]
pub(crate) struct Mage;

/// Mage's runs: its variables come from the series itself.
#[derive(Debug)]
struct MageRuns;

impl Runs for MageRuns {
    fn vars(
        &self,
        plan: &Plan,
        at: RunAt,
        _params: &mut Map<String, Json>,
        vars: &mut Map<String, Json>,
        _next: &mut Option<Tick>,
    ) {
        let (i, t) = (at.i, at.t);
        let n = plan.count;
        let iso = |t: Tick| match plan.style {
            Style::Naive => format_python_iso(t.civil(), None),
            Style::Aware => format_python_iso(t.civil(), Some(t.offset)),
        };
        let prev = (i > 0).then(|| plan.series.get(i - 1)).flatten();
        let next = (i + 1 < n).then(|| plan.series.get(i + 1)).flatten();
        let (end, seconds, previous) = match (prev, next) {
            (_, Some(nx)) => {
                let secs = nx.instant - t.instant;
                let previous = if i + 1 == n {
                    prev
                } else {
                    Some(Tick::plain(t.instant - secs, t.offset))
                };
                (
                    Some(nx),
                    Some(secs),
                    previous.or(Some(Tick::plain(t.instant - secs, t.offset))),
                )
            }
            (Some(pv), None) => {
                let secs = t.instant - pv.instant;
                (
                    Some(Tick::plain(t.instant + secs, t.offset)),
                    Some(secs),
                    Some(pv),
                )
            }
            (None, None) => (None, None, None),
        };
        vars.insert("execution_date".to_owned(), Json::String(iso(t)));
        vars.insert("ds".to_owned(), Json::String(format_date(t.civil())));
        vars.insert(
            "hr".to_owned(),
            Json::String(format!("{:02}", t.civil().time().0)),
        );
        vars.insert("interval_start_datetime".to_owned(), Json::String(iso(t)));
        vars.insert(
            "interval_end_datetime".to_owned(),
            end.map_or(Json::Null, |e| Json::String(iso(e))),
        );
        #[allow(clippy::cast_precision_loss)]
        vars.insert(
            "interval_seconds".to_owned(),
            seconds.map_or(Json::Null, |s| json!(s as f64)),
        );
        vars.insert(
            "interval_start_datetime_previous".to_owned(),
            previous.map_or(Json::Null, |p| Json::String(iso(p))),
        );
    }
}

/// W0301: the window's end is itself a run, which Mage's docs say it is not.
fn includes_end(spec: &Spec, runs: u64, diags: &mut Vec<Diagnostic>) {
    let end = spec.end.as_ref().map_or("", |e| e.value.as_str());
    diags.push(
        Diagnostic::warning(
            codes::MAGE_INCLUDES_END,
            format!("mage includes the end: `{end}` is run too ({runs} runs); its docs say the end is excluded ({} runs)", runs - 1),
        )
        .at_opt(spec.end.as_ref().map(|e| e.span))
        .help("mage's code loops `while date <= end_datetime`"),
    );
}

impl Profile for Mage {
    fn engine(&self) -> Engine {
        Engine::Mage
    }

    fn bounds(&self) -> Bounds {
        Bounds {
            start: StartRule::Inclusive,
            end: EndRule::Inclusive,
            open_end: false,
            text: "both ends included (while date <= end)",
        }
    }

    fn reproduces(&self) -> &'static str {
        "mage-ai 0.9.80"
    }

    fn dialects(&self) -> &'static [Dialect] {
        &[Dialect::Mage, Dialect::MageRuns]
    }

    fn style(&self, zoned: bool, naive_inputs: bool) -> Style {
        if !zoned && naive_inputs {
            Style::Naive
        } else {
            Style::Aware
        }
    }

    fn explicit_runs(&self, _spec: &Spec, _date_only: bool) -> Arc<dyn Runs> {
        Arc::new(MageRuns)
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
        let (unit, mut count) = every(
            schedule,
            Engine::Mage,
            "mage backfills step by an interval (`interval_type` × `interval_units`), not by a cron",
            diags,
        )?;
        // A custom-code backfill (`block_uuid`) creates no runs before any date is built.
        let custom_code = spec.native.take.as_ref().is_some_and(|t| t.value == 0);
        if custom_code && count.value <= 0 {
            count = Sp::new(1, count.span);
        }
        if start.offset.is_some() != end.offset.is_some() && !custom_code {
            diags.push(
                Diagnostic::error(codes::MAGE_MIXED_OFFSETS, "one end of the window has an offset and the other has none: python cannot compare them")
                    .at_opt(spec.end.as_ref().map(|e| e.span))
                    .help("give both ends an offset (e.g. `Z`), or neither"),
            );
            return None;
        }
        // `while current <= end` never starts when the end is before the start, whatever
        // the interval (mage 0.9.80, run): only then is a zero or negative interval
        // harmless.
        let instant = |m: Moment| m.civil.secs() - i64::from(m.offset.unwrap_or(0));
        if count.value <= 0 && instant(end) >= instant(start) {
            diags.push(
                Diagnostic::error(codes::INTERVAL_NOT_POSITIVE, format!("`interval_units` must be at least 1, found `{}`: mage's loop would never end", count.value))
                    .at(count.span)
                    .help("mage adds the interval until it passes the end; a zero or negative interval never does"),
            );
            return None;
        }
        let offset = start.offset.unwrap_or(0);
        let a = start.civil.secs() - i64::from(offset);
        let b = end.civil.secs() - i64::from(end.offset.unwrap_or(0));
        if b < a {
            diags.push(
                Diagnostic::warning(codes::MAGE_END_BEFORE_START, "the end is before the start: mage creates no runs")
                    .at_opt(spec.end.as_ref().map(|e| e.span)),
            );
        }
        if let Some(secs) = unit.value.fixed_secs() {
            let step = secs.saturating_mul(count.value);
            let len = if b < a {
                0
            } else {
                u64::try_from((b - a) / step + 1).unwrap_or(0)
            };
            let last = a + (i64::try_from(len).unwrap_or(1).max(1) - 1) * step;
            if len > 0 && last == b {
                includes_end(spec, len, diags);
            }
            return Some((
                Series::Step {
                    first: a,
                    step,
                    len,
                    offset,
                    zone: None,
                },
                len,
                (len > 0).then(|| Tick::plain(a + i64::try_from(len).unwrap_or(0) * step, offset)),
                Arc::new(MageRuns),
            ));
        }
        // Months and years: relativedelta from the previous date, so clamped days stick.
        let months = count
            .value
            .saturating_mul(if unit.value == Unit::Year { 12 } else { 1 });
        let mut ticks = Vec::new();
        let mut cur = start.civil;
        let mut drifted: Option<(Civil, Civil)> = None;
        while cur.secs() - i64::from(offset) <= b && ticks.len() <= 200_000 {
            ticks.push(Tick::plain(cur.secs() - i64::from(offset), offset));
            let (y, m, d) = cur.date();
            let Some((ny, nm, nd)) = add_months_clamped(y, m, d, months) else {
                break;
            };
            let next = Civil::from_secs(
                Civil::from_ymd(ny, nm, nd).map_or(0, Civil::days) * crate::time::civil::DAY
                    + i64::from(cur.second_of_day()),
            );
            if nd < d && drifted.is_none() {
                drifted = Some((cur, next));
            }
            cur = next;
        }
        if let Some((from, to)) = drifted {
            diags.push(
                Diagnostic::warning(codes::MAGE_MONTH_DRIFT, format!("mage steps months from the previous date, so the day drifts: after `{}` comes `{}`, and every later run keeps day {}", format_date(from), format_date(to), to.date().2))
                    .at(unit.span)
                    .help("mage uses relativedelta from the previous run, not from the start"),
            );
        }
        if ticks.last().is_some_and(|last| last.instant == b) {
            includes_end(spec, ticks.len() as u64, diags);
        }
        let len = ticks.len() as u64;
        let after_last = (len > 0).then(|| Tick::plain(cur.secs() - i64::from(offset), offset));
        Some((Series::List(ticks), len, after_last, Arc::new(MageRuns)))
    }

    fn restate(
        &self,
        _schedule: &Schedule,
        interval: Option<(Unit, i64)>,
        _cron: Option<String>,
        at: crate::diag::Span,
    ) -> Option<Schedule> {
        super::every_schedule(interval, at)
    }

    fn payload(&self) -> Option<Payload> {
        Some(Payload {
            label: "Mage backfill body",
            extension: "json",
        })
    }

    /// Mage's `POST /api/pipelines/:uuid/backfills` body: one window from the first run
    /// to the last (both included), stepped by the plan's interval.
    fn export(&self, plan: &Plan) -> Option<Result<String, Diagnostic>> {
        Some(body(plan))
    }
}

fn body(plan: &Plan) -> Result<String, Diagnostic> {
    has_runs(plan)?;
    if plan.kept.len() > 1 {
        return Err(refuse(
            format!(
                "a mage backfill is one window; this plan has {} ranges of runs",
                plan.kept.len()
            ),
            "export each range separately, or use a custom-code backfill",
        ));
    }
    let (unit, units) = match (plan.engine(), plan.every) {
        (Engine::Mage, Some((unit, count))) => (unit.name(), count),
        _ => {
            let step = if plan.time_count == 1 {
                Some(86_400)
            } else {
                plan.even_step()
            };
            let Some(step) = step else {
                return Err(refuse(
                    "mage steps by a fixed interval, and this plan's runs are not evenly spaced",
                    "a cron with gaps or DST shifts cannot be one mage window; use a custom-code backfill",
                ));
            };
            [
                ("week", 604_800),
                ("day", 86_400),
                ("hour", 3600),
                ("minute", 60),
                ("second", 1),
            ]
            .into_iter()
            .find(|(_, secs)| step % secs == 0)
            .map_or(("second", step), |(name, secs)| (name, step / secs))
        }
    };
    let first = plan.tick_of(0).map(|(_, t, _)| t);
    let last = plan.tick_of(plan.run_count() - 1).map(|(_, t, _)| t);
    let iso = |t: Option<Tick>| {
        t.map(|t| match plan.style {
            Style::Naive => format_python_iso(t.civil(), None),
            Style::Aware => format_python_iso(t.civil(), Some(t.offset)),
        })
    };
    let name = plan
        .label("name")
        .or(plan.label("title"))
        .unwrap_or("backfill");
    let body = json!({
        "backfill": {
            "name": name,
            "start_datetime": iso(first),
            "end_datetime": iso(last),
            "interval_type": unit,
            "interval_units": units,
            "variables": if plan.params.is_empty() { Json::Null } else { Json::Object(plan.params.clone()) },
        }
    });
    Ok(pretty(&body))
}
