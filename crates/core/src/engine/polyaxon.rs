//! Polyaxon: a `daterange` or `datetimerange` matrix (hypertune's numpy `arange`), or a
//! `mapping` of explicit values. Naive throughout: numpy has no time zones.
//!
//! - The stop is excluded; a step that does not divide the window stops short of it.
//! - An aware value is converted to UTC and its offset dropped.
//! - A `datetime` input is read *as a date* by Polyaxon 2.18 (clipped), so a
//!   non-midnight value fails to compile ([`crate::render`]).

use super::{Payload, every, Bounds, EndRule, Engine, Profile, RunAt, Runs, StartRule};
use crate::diag::Diagnostic;
use crate::input::dialect::Dialect;
use crate::plan::export::{has_runs, yaml_scalar};
use crate::plan::{Expanded, Plan, Style, Validated};
use crate::series::{Series, Tick};
use crate::input::spec::{Schedule, Sp, Spec, Unit};
use crate::time::{format_date, Civil, Moment};
use serde_json::{Map, Value as Json};
use std::fmt::Write as _;
use std::sync::Arc;
use crate::diag::codes;

/// Polyaxon 2.18.
#[derive(Debug)]
pub(crate) struct Polyaxon;

/// What a Polyaxon run's params and templates need.
#[derive(Debug)]
struct PolyaxonRuns {
    date_only: bool,
    param: String,
    /// Each input's declared type (`datetime` inputs are read as dates).
    input_types: Vec<(String, String)>,
    command: Vec<String>,
    args: Vec<String>,
}

fn runs_of(spec: &Spec, date_only: bool) -> Arc<dyn Runs> {
    let param = spec
        .native
        .time_param
        .clone()
        .unwrap_or_else(|| "dt".to_owned());
    Arc::new(PolyaxonRuns {
        date_only,
        param,
        input_types: spec.native.input_types.clone(),
        command: spec.native.command.clone(),
        args: spec.native.args.clone(),
    })
}

impl Runs for PolyaxonRuns {
    fn time_param(&self) -> Option<&str> {
        Some(&self.param)
    }

    fn vars(
        &self,
        plan: &Plan,
        at: RunAt,
        params: &mut Map<String, Json>,
        vars: &mut Map<String, Json>,
        _next: &mut Option<Tick>,
    ) {
        let t = at.t;
        let v = if self.date_only {
            format_date(t.civil())
        } else {
            t.civil().to_string()
        };
        if plan.grid.iter().all(|(n, _)| !n.is_empty()) {
            params.insert(self.param.clone(), Json::String(v));
        }
        if !self.command.is_empty() || !self.args.is_empty() {
            crate::render::polyaxon_templates(
                params,
                &self.input_types,
                &self.command,
                &self.args,
                vars,
            );
        }
    }
}

/// How many of `a + k * step`, `k < len`, fall on a midnight: counted over one period
/// of the pattern (at most a day's worth of steps), never run by run.
fn midnights(a: i64, step: i64, len: u64) -> u64 {
    const DAY_SECS: i64 = 86_400;
    let phase =
        |k: i64| (a.rem_euclid(DAY_SECS) + k * step.rem_euclid(DAY_SECS)).rem_euclid(DAY_SECS);
    let gcd = |mut x: i64, mut y: i64| {
        while y != 0 {
            (x, y) = (y, x % y);
        }
        x
    };
    // The phases repeat every `period` steps.
    let period = DAY_SECS / gcd(step.rem_euclid(DAY_SECS), DAY_SECS).max(1);
    let count_in = |n: i64| (0..n).filter(|&k| phase(k) == 0).count() as u64;
    let period_u = period.unsigned_abs();
    let whole = len / period_u;
    let rest = i64::try_from(len % period_u).unwrap_or(0);
    whole * count_in(period) + count_in(rest)
}

impl Profile for Polyaxon {
    fn engine(&self) -> Engine {
        Engine::Polyaxon
    }

    fn bounds(&self) -> Bounds {
        Bounds {
            start: StartRule::Inclusive,
            end: EndRule::Exclusive,
            open_end: false,
            text: "start included, stop excluded (numpy arange)",
        }
    }

    fn reproduces(&self) -> &'static str {
        "polyaxon 2.18.0 / hypertune 1.4.0"
    }

    fn dialects(&self) -> &'static [Dialect] {
        &[Dialect::Polyaxon]
    }

    fn style(&self, _zoned: bool, _naive_inputs: bool) -> Style {
        Style::Naive
    }

    fn check(&self, input: &Validated<'_>, diags: &mut Vec<Diagnostic>) {
        if let Some(tz) = &input.spec().timezone {
            if !input.zone().is_utc() {
                diags.push(
                    Diagnostic::warning(
                        codes::POLYAXON_NO_ZONES,
                        format!(
                            "polyaxon has no time zones: `{}` is ignored and values are naive",
                            tz.value
                        ),
                    )
                    .at(tz.span),
                );
            }
        }
    }

    fn explicit_runs(&self, spec: &Spec, date_only: bool) -> Arc<dyn Runs> {
        runs_of(spec, spec.native.date_range.unwrap_or(date_only))
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
        let (unit, count) = every(
            schedule,
            Engine::Polyaxon,
            "polyaxon backfills step by days (`daterange`) or seconds (`datetimerange`), not by a cron",
            diags,
        )?;
        let Some(unit_secs) = unit.value.fixed_secs() else {
            diags.push(
                Diagnostic::error(codes::POLYAXON_STEP_UNIT, format!("polyaxon cannot step by a {}: `daterange` steps in days, `datetimerange` in seconds", unit.value.name()))
                    .at(unit.span)
                    .help("a month is not a fixed number of days; list the dates with a `mapping` instead"),
            );
            return None;
        };
        // numpy converts aware values to UTC and drops the offset.
        let naive = |m: Moment, sp: &Option<Sp<String>>, diags: &mut Vec<Diagnostic>| -> i64 {
            match m.offset {
                Some(o) if o != 0 => {
                    let utc = Civil::from_secs(m.civil.secs() - i64::from(o));
                    diags.push(
                        Diagnostic::warning(codes::POLYAXON_DROPS_OFFSET, format!("polyaxon converts `{}` to UTC and drops the offset: the run is at naive `{utc}`", sp.as_ref().map_or("", |s| s.value.as_str())))
                            .at_opt(sp.as_ref().map(|s| s.span))
                            .help("numpy has no time zones; write the naive UTC value to make this explicit"),
                    );
                    utc.secs()
                }
                Some(o) => m.civil.secs() - i64::from(o),
                None => m.civil.secs(),
            }
        };
        let a = naive(start, &spec.start, diags);
        let b = naive(end, &spec.end, diags);
        if a >= b {
            diags.push(
                Diagnostic::error(
                    codes::POLYAXON_STOP_BEFORE_START,
                    format!(
                        "polyaxon needs the stop after the start: `{}` is not after `{}`",
                        Civil::from_secs(b),
                        Civil::from_secs(a)
                    ),
                )
                .at_opt(spec.end.as_ref().map(|e| e.span))
                .help("polyaxon: \"stop value must be strictly higher that start value\""),
            );
            return None;
        }
        if count.value == 0 {
            diags.push(
                Diagnostic::error(
                    codes::POLYAXON_ZERO_STEP,
                    "the step must not be 0 (polyaxon: \"step must be > 0\")",
                )
                .at(count.span),
            );
            return None;
        }
        let date_only =
            matches!(unit.value, Unit::Day | Unit::Week) && a % 86_400 == 0 && b % 86_400 == 0;
        let step = count.value.saturating_mul(unit_secs);
        if count.value < 0 {
            diags.push(
                Diagnostic::warning(
                    codes::POLYAXON_NEGATIVE_STEP,
                    format!(
                        "a negative step (`{}`) passes polyaxon's validation but creates no runs",
                        count.value
                    ),
                )
                .at(count.span)
                .help("numpy's arange with a negative step from start to a later stop is empty"),
            );
            return Some((
                Series::Step {
                    first: a,
                    step: 1,
                    len: 0,
                    offset: 0,
                    zone: None,
                },
                0,
                None,
                runs_of(spec, date_only),
            ));
        }
        // Both positive here; `div_ceil` cannot overflow as `b - a + step - 1` could.
        let len = (b - a).unsigned_abs().div_ceil(step.unsigned_abs());
        if !date_only {
            let non_midnight = len - midnights(a, step, len);
            if non_midnight > 0 {
                diags.push(
                    Diagnostic::warning(codes::POLYAXON_DATETIME_INPUT, format!("polyaxon 2.18 cannot render a non-midnight `datetime` input: `{{{{ {} }}}}` fails to compile for {non_midnight} of {len} runs", spec.native.time_param.as_deref().unwrap_or("dt")))
                        .at(count.span)
                        .help("clipped maps the `datetime` input type to a date; until that is fixed, type the input `str` to receive `2021-05-01T10:00:00`"),
                );
            }
        }
        if (b - a) % step == 0 {
            diags.push(
                Diagnostic::note(
                    codes::POLYAXON_STOP_EXCLUDED,
                    format!(
                        "polyaxon stops before the stop value: `{}` is not run ({len} runs)",
                        Civil::from_secs(b)
                    ),
                )
                .at_opt(spec.end.as_ref().map(|e| e.span)),
            );
        } else {
            let last = Civil::from_secs(a + (i64::try_from(len).unwrap_or(1) - 1) * step);
            diags.push(
                Diagnostic::warning(codes::STEP_SHORT_OF_STOP, format!("the step does not divide the window: the last run is `{last}`, short of the stop `{}`", Civil::from_secs(b)))
                    .at(count.span),
            );
        }
        Some((
            Series::Step {
                first: a,
                step,
                len,
                offset: 0,
                zone: None,
            },
            len,
            i64::try_from(len)
                .ok()
                .and_then(|n| n.checked_mul(step))
                .and_then(|d| a.checked_add(d))
                .map(|t| Tick::plain(t, 0)),
            runs_of(spec, date_only),
        ))
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
            label: "Polyaxon operation",
            extension: "yaml",
        })
    }

    /// A Polyaxon operation with the equivalent matrix: a `daterange`/`datetimerange`
    /// (its stop one step after the last run, as `arange` excludes it) where the runs
    /// are evenly spaced, a `mapping` of every run otherwise.
    fn export(&self, plan: &Plan) -> Option<Result<String, Diagnostic>> {
        Some(operation(plan))
    }
}

fn operation(plan: &Plan) -> Result<String, Diagnostic> {
    has_runs(plan)?;
    let param = plan.engine_runs.time_param().unwrap_or("dt").to_owned();
    // Polyaxon is naive: values in UTC without an offset.
    let naive = |t: Tick| -> Civil {
        match plan.style {
            Style::Naive => t.civil(),
            Style::Aware => Civil::from_secs(t.instant),
        }
    };
    let mut out = String::from("version: 1.1\nkind: operation\n");
    if let Some(name) = plan.label("name").or(plan.label("title")) {
        let _ = writeln!(out, "name: {}", yaml_scalar(&Json::String(name.to_owned())));
    }
    if !plan.params.is_empty() {
        out.push_str("params:\n");
        for (k, v) in &plan.params {
            let _ = writeln!(out, "  {k}: {{value: {}}}", yaml_scalar(v));
        }
    }
    let first = plan.tick_of(0).map(|(_, t, _)| naive(t));
    let step = if plan.time_count == 1 {
        Some(86_400)
    } else {
        plan.even_step()
    };
    let grid_axes: Vec<&(String, Vec<Json>)> =
        plan.grid.iter().filter(|(n, _)| !n.is_empty()).collect();
    match (first, step) {
        (Some(first), Some(step)) if plan.grid.iter().all(|(n, _)| !n.is_empty()) => {
            let last = first.plus_secs(step * (i64::try_from(plan.time_count).unwrap_or(1) - 1));
            let stop = last.plus_secs(step);
            out.push_str("matrix:\n  kind: grid\n");
            let _ = writeln!(out, "  concurrency: {}", plan.concurrency);
            if let Some(n) = plan.take {
                let _ = writeln!(out, "  numRuns: {n}");
            }
            out.push_str("  params:\n");
            let date_param = if first.second_of_day() == 0 && step % 86_400 == 0 {
                format!(
                    "    {param}:\n      kind: daterange\n      value: [\"{}\", \"{}\", {}]\n",
                    format_date(first),
                    format_date(stop),
                    step / 86_400
                )
            } else {
                format!(
                    "    {param}:\n      kind: datetimerange\n      value: [\"{first}\", \"{stop}\", {step}]\n"
                )
            };
            let axis = plan.time_axis.min(grid_axes.len());
            for (i, (name, values)) in grid_axes.iter().enumerate() {
                if i == axis {
                    out.push_str(&date_param);
                }
                let vals: Vec<String> = values.iter().map(yaml_scalar).collect();
                let _ = writeln!(
                    out,
                    "    {name}:\n      kind: choice\n      value: [{}]",
                    vals.join(", ")
                );
            }
            if axis >= grid_axes.len() {
                out.push_str(&date_param);
            }
        }
        _ => {
            // Not a range: one mapping value per run.
            out.push_str("matrix:\n  kind: mapping\n");
            let _ = writeln!(out, "  concurrency: {}", plan.concurrency);
            out.push_str("  values:\n");
            for r in plan.runs(0, plan.run_count()) {
                let (_, t, _) = plan.tick_of(r.index).unwrap_or((0, Tick::plain(0, 0), 0));
                let mut row = r.params.clone();
                for k in plan.params.keys() {
                    row.remove(k);
                }
                row.insert(param.clone(), Json::String(naive(t).to_string()));
                let items: Vec<String> = row
                    .iter()
                    .map(|(k, v)| format!("{k}: {}", yaml_scalar(v)))
                    .collect();
                let _ = writeln!(out, "    - {{{}}}", items.join(", "));
            }
        }
    }
    Ok(out)
}
