//! The plan: validate a spec against its engine's profile, expand it into runs, group
//! the runs into batches and waves, and estimate the backfill.
//!
//! A [`Plan`] never holds its runs: it holds the [`Series`] of fire times, which ones
//! are kept (after `select`/`exclude`), and the grid. [`Plan::run`] builds any run from
//! its index, [`Plan::runs`] iterates a page, and the counts are arithmetic, so a plan
//! of a billion runs is counted (and refused) in milliseconds.

use crate::diag::{has_errors, Diagnostic, Span};
use crate::engine::{Engine, Profile, Runs};
use crate::input::dialect::Dialect;
use crate::input::spec::{FailurePolicy, Order, Schedule, Sp, Spec, StrategyKind, Unit};
use crate::series::{Series, Tick};
use crate::time::{Moment, Zone};
use serde_json::{Map, Value as Json};
use std::sync::Arc;

pub use crate::options::{BadNow, Now, PlanOptions, DEFAULT_LIMIT};

mod batch;
mod digest;
mod dst;
mod estimate;
pub(crate) mod export;
mod run;
mod select;
mod summary;
mod validate;

pub(crate) use batch::Group;
pub use batch::{Batch, RunRange};
pub use digest::RunDigest;
pub use estimate::{Estimate, RecommendedBatch};
pub use run::Run;
pub use summary::Summary;

use crate::diag::codes;
pub use export::ExportTarget;
pub(crate) use validate::Validated;
use validate::{validate, Window};

/// The plan JSON's format version.
pub const PLAN_VERSION: u32 = 1;

/// Where a plan came from: enough to re-expand it anywhere.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Source {
    /// The text as pasted.
    pub text: String,
    /// Which input dialect it was read as.
    pub dialect: Dialect,
    /// The engine planned for.
    pub engine: Engine,
    /// "Now", if the plan depended on it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub now: Option<String>,
}

/// How the values of an engine are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Style {
    /// Naive: no offset (Polyaxon always; Mage and Flyte when nothing named a zone).
    Naive,
    /// With the offset.
    Aware,
}

/// An engine's expansion of a window: the series of fire times, how many of them are
/// in use, the tick after the last one (for interval ends), and what the engine adds
/// to each run.
pub(crate) type Expanded = (Series, u64, Option<Tick>, Arc<dyn Runs>);

/// A validated, expanded plan.
#[derive(Debug, Clone)]
pub struct Plan {
    pub(crate) source: Source,
    pub(crate) profile: &'static dyn Profile,
    pub(crate) zone: Zone,
    pub(crate) style: Style,
    /// What the engine adds to each run.
    pub(crate) engine_runs: Arc<dyn Runs>,
    pub(crate) series: Series,
    /// Ticks of the series in use (`series.len()` may hold more).
    pub(crate) count: u64,
    /// The tick after the last one in use, for interval ends.
    pub(crate) after_last: Option<Tick>,
    /// Kept series index ranges `[a, b)` after select/exclude, ascending.
    pub(crate) kept: Vec<(u64, u64)>,
    pub(crate) kept_starts: Vec<u64>,
    pub(crate) time_count: u64,
    /// Grid axes in declaration order; an axis named `""` holds explicit rows (objects
    /// merged into the params).
    pub(crate) grid: Vec<(String, Vec<Json>)>,
    pub(crate) combos: u64,
    /// Product of the sizes of the grid axes declared after the date axis.
    pub(crate) after_axis: u64,
    /// Where the date axis stands among the grid axes.
    pub(crate) time_axis: usize,
    /// Keep only the first runs (Polyaxon `numRuns`).
    pub(crate) take: Option<u64>,
    /// Params of each series tick (Polyaxon mappings), zipped with the series.
    pub(crate) date_params: Vec<Map<String, Json>>,
    pub(crate) params: Map<String, Json>,
    pub(crate) order: Order,
    /// Launch position → kept position, when the engine reorders (Dagster key sort).
    pub(crate) permutation: Option<Vec<u64>>,
    pub(crate) groups: Vec<Group>,
    pub(crate) group_batch_starts: Vec<u64>,
    pub(crate) strategy: StrategyKind,
    pub(crate) max_per_run: Option<u64>,
    pub(crate) concurrency: u64,
    pub(crate) retries: u32,
    pub(crate) timeout_secs: Option<i64>,
    pub(crate) failure_policy: FailurePolicy,
    pub(crate) estimate_run: i64,
    pub(crate) estimate_overhead: i64,
    pub(crate) labels: Vec<(String, String)>,
    pub(crate) diagnostics: Vec<Diagnostic>,
    /// What the input named (namespace, flow, trigger...), for exports.
    pub(crate) identity: Vec<(String, String)>,
    /// The window as written (start, end), for exports that reuse it.
    pub(crate) window_text: (Option<String>, Option<String>),
    /// The interval of `every` schedules, for exports: (unit, count).
    pub(crate) every: Option<(Unit, i64)>,
}

/// The outcome of planning: the plan when there is no error, and every diagnostic.
#[derive(Debug, Clone)]
pub struct Planned {
    /// The plan, unless an error stopped it.
    pub plan: Option<Plan>,
    /// Every error, warning and note, in text order.
    pub diagnostics: Vec<Diagnostic>,
    /// The dialect the text was read as.
    pub dialect: Dialect,
}

impl Planned {
    pub(crate) fn failed(dialect: Dialect, diagnostics: Vec<Diagnostic>) -> Planned {
        Planned {
            plan: None,
            diagnostics,
            dialect,
        }
    }
}

/// Plan a planner spec already parsed from `text`.
pub(crate) fn plan_spec(
    text: &str,
    spec: &Spec,
    dialect: Dialect,
    options: &PlanOptions,
    mut diags: Vec<Diagnostic>,
) -> Planned {
    let (input, window) = validate(text, spec, options, &mut diags);
    let engine = input.engine();
    let mut plan = window.and_then(|w| expand(&input, w, options, &mut diags));
    diags.sort_by_key(|d| (d.span.map_or(usize::MAX, |s| s.start), d.severity));
    if has_errors(&diags) {
        plan = None;
    }
    if let Some(p) = &mut plan {
        p.source = Source {
            text: text.to_owned(),
            dialect,
            engine,
            // Only an open window depends on "now".
            now: if spec.end.is_none() {
                input.now_text().clone()
            } else {
                None
            },
        };
        p.diagnostics = diags.clone();
    }
    Planned {
        plan,
        diagnostics: diags,
        dialect,
    }
}

/// The schedule's span, for errors about it as a whole.
fn schedule_span(spec: &Spec) -> Span {
    spec.schedule.as_ref().map_or(spec.root_span, |s| s.span)
}

fn expand(
    input: &Validated<'_>,
    window: Window<'_>,
    options: &PlanOptions,
    diags: &mut Vec<Diagnostic>,
) -> Option<Plan> {
    let spec = input.spec();
    let engine = input.engine();
    let expanded = match window {
        Window::Dates(dates) => explicit(input, &dates),
        Window::Range {
            schedule,
            start,
            end,
        } => input.profile().expand(input, schedule, start, end, diags),
    };
    let (series, count, after_last, engine_runs) = expanded?;
    if has_errors(diags) {
        return None;
    }

    // Grid and params.
    let mut grid: Vec<(String, Vec<Json>)> = spec
        .grid
        .iter()
        .map(|(n, v)| (n.value.clone(), v.clone()))
        .collect();
    if !spec.native.rows.is_empty() {
        grid.push((
            String::new(),
            spec.native.rows.iter().cloned().map(Json::Object).collect(),
        ));
    }
    let time_axis = spec.native.time_axis.min(grid.len());
    let after_axis: u64 = grid[time_axis..]
        .iter()
        .map(|(_, v)| v.len() as u64)
        .product();
    let mut combos: u64 = 1;
    for (_, values) in &grid {
        combos = combos.saturating_mul(values.len() as u64);
    }
    let take = spec
        .native
        .take
        .as_ref()
        .map(|t| u64::try_from(t.value.max(0)).unwrap_or(0));
    for (name, _) in &spec.grid {
        if spec.params.iter().any(|(k, _)| *k == name.value) {
            diags.push(
                Diagnostic::warning(
                    codes::PARAM_AND_AXIS,
                    format!(
                        "`{}` is both a param and a grid axis; the grid value wins",
                        name.value
                    ),
                )
                .at(name.span),
            );
        }
    }
    let params: Map<String, Json> = spec.params.iter().cloned().collect();

    // Limit, before anything costs time.
    let total = count.saturating_mul(combos).min(take.unwrap_or(u64::MAX));
    if total > options.limit {
        diags.push(over_limit(
            &group_digits(total),
            options.limit,
            schedule_span(spec),
        ));
        return None;
    }

    let mut plan = Plan {
        source: Source {
            text: String::new(),
            dialect: Dialect::Spec,
            engine,
            now: None,
        },
        profile: input.profile(),
        zone: input.zone(),
        style: input.style(),
        engine_runs,
        series,
        count,
        after_last,
        kept: vec![(0, count)],
        kept_starts: vec![0],
        time_count: count,
        grid,
        combos,
        after_axis,
        time_axis,
        take,
        date_params: spec.native.date_params.clone(),
        params,
        order: Order::OldestFirst,
        permutation: None,
        groups: Vec::new(),
        group_batch_starts: Vec::new(),
        strategy: StrategyKind::PerRun,
        max_per_run: None,
        concurrency: 1,
        retries: 0,
        timeout_secs: None,
        failure_policy: FailurePolicy::FailFast,
        estimate_run: 60,
        estimate_overhead: 30,
        labels: spec.labels.clone(),
        identity: spec.native.identity.clone(),
        window_text: (
            spec.start.as_ref().map(|s| s.value.clone()),
            spec.end.as_ref().map(|e| e.value.clone()),
        ),
        every: match &spec.schedule {
            Some(Sp {
                value: Schedule::Every { unit, count },
                ..
            }) => Some((unit.value, count.value)),
            _ => None,
        },
        diagnostics: Vec::new(),
    };
    plan.series.locate_events();
    plan.apply_selection(spec, diags);
    if let Some(r) = plan.engine_runs.clone().rederive(&plan, spec, diags) {
        plan.series = r.series;
        plan.count = r.count;
        plan.kept = vec![(0, r.count)];
        plan.kept_starts = vec![0];
        plan.time_count = r.count;
        plan.engine_runs = r.runs;
    }
    plan.dst_warnings(spec.timezone.as_ref().map(|t| t.span), diags);
    plan.configure_execution(spec, diags);
    Some(plan)
}

pub(crate) fn group_digits(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Runs at explicit dates, in the order given (Polyaxon mappings, Mage variable lists).
fn explicit(input: &Validated<'_>, dates: &[Moment]) -> Option<Expanded> {
    let mut ticks = Vec::with_capacity(dates.len());
    let mut date_only = true;
    for m in dates {
        date_only &= m.date_only || m.civil.second_of_day() == 0;
        let t = match (input.style(), m.offset) {
            (Style::Naive, Some(o)) => Tick::plain(m.civil.secs() - i64::from(o), 0),
            (Style::Naive, None) => Tick::plain(m.civil.secs(), 0),
            (Style::Aware, Some(o)) => Tick::plain(m.civil.secs() - i64::from(o), o),
            (Style::Aware, None) => {
                let at = m.instant_in(input.zone());
                Tick::plain(at, input.zone().offset_at(at))
            }
        };
        ticks.push(t);
    }
    let n = ticks.len() as u64;
    let runs = input.profile().explicit_runs(input.spec(), date_only);
    Some((Series::List(ticks), n, None, runs))
}

/// E0601: a plan over the limit, with its (exact or estimated) count.
pub(crate) fn over_limit(count: &str, limit: u64, at: Span) -> Diagnostic {
    Diagnostic::error(
        codes::OVER_LIMIT,
        format!(
            "this plan has {count} runs, over the limit of {}",
            group_digits(limit)
        ),
    )
    .at(at)
    .help("narrow the window, step further apart, or raise the limit (--limit on the command line)")
}

impl Plan {
    /// Whether the engine groups runs into batches (`strategy`); Airflow creates one run
    /// per date.
    #[must_use]
    pub fn batches_allowed(&self) -> bool {
        self.profile.batches()
    }

    /// The engine this plan is for.
    #[must_use]
    pub fn engine(&self) -> Engine {
        self.profile.engine()
    }

    /// Where the plan came from.
    #[must_use]
    pub fn source(&self) -> &Source {
        &self.source
    }

    /// Every diagnostic (warnings and notes; a plan has no errors).
    #[must_use]
    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.diagnostics
    }

    /// Number of runs.
    #[must_use]
    pub fn run_count(&self) -> u64 {
        (self.time_count * self.combos).min(self.take.unwrap_or(u64::MAX))
    }
}
