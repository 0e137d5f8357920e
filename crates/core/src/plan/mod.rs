//! The plan: validate a spec against its engine's profile, expand it into runs, group
//! the runs into batches and waves, and estimate the backfill.
//!
//! A [`Plan`] never holds its runs: it holds the [`Series`] of fire times, which ones
//! are kept (after `select`/`exclude`), and the grid. [`Plan::run`] builds any run from
//! its index, [`Plan::runs`] iterates a page, and the counts are arithmetic, so a plan
//! of a billion runs is counted (and refused) in milliseconds.

use crate::diag::{has_errors, Diagnostic, Span};
use crate::dialect::Dialect;
use crate::engine::{profile, recommended_batch, Engine, Profile, RunAt, Runs};
use crate::series::{Series, Tick};
use crate::spec::{FailurePolicy, Order, Schedule, Sp, Spec, StrategyKind, Unit};
use crate::time::{format_python_iso, format_rfc3339, parse_moment, Civil, Moment, Zone};
use serde_json::{json, Map, Value as Json};
use sha2::{Digest, Sha256};
use std::sync::Arc;

pub(crate) mod export;
pub use export::ExportTarget;

/// The default most runs a plan may have.
pub const DEFAULT_LIMIT: u64 = 1_000_000;

/// The plan JSON's format version.
pub const PLAN_VERSION: u32 = 1;

/// What the caller decides: the engine (overriding the spec's), "now", the limit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanOptions {
    /// Plan for this engine whatever the spec says.
    pub engine: Option<Engine>,
    /// "Now" for open windows (RFC 3339), unless the spec sets `now`.
    pub now: Option<String>,
    /// The most runs a plan may have.
    pub limit: u64,
    /// Read the text as this dialect instead of detecting it.
    pub dialect: Option<Dialect>,
    /// The backfill's start, overriding the pasted one (Kestra, Mage bodies).
    pub start: Option<String>,
    /// The backfill's end, overriding the pasted one.
    pub end: Option<String>,
    /// Which of a Kestra flow's Schedule triggers to backfill.
    pub trigger: Option<String>,
}

impl Default for PlanOptions {
    fn default() -> Self {
        PlanOptions {
            dialect: None,
            start: None,
            end: None,
            trigger: None,
            engine: None,
            now: None,
            limit: DEFAULT_LIMIT,
        }
    }
}

/// Where a plan came from: enough to re-expand it anywhere.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Source {
    /// The text as pasted.
    pub text: String,
    /// Which input dialect it was read as.
    pub dialect: String,
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

/// A group of runs that batches are cut from: `runs` runs from `first`, `size` per batch.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Group {
    pub(crate) first: u64,
    pub(crate) runs: u64,
    pub(crate) size: u64,
}

/// One run of a plan.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Run {
    /// Position in launch order, from 0.
    pub index: u64,
    /// The logical date: RFC 3339 with offset, or the naive value a naive engine stores.
    pub logical_date: String,
    /// The wall-clock time in the schedule's zone.
    pub local_time: String,
    /// The partition key (Dagster).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub partition_key: Option<String>,
    /// The start of the interval the run covers.
    pub interval_start: String,
    /// The end of the interval (the next fire time).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interval_end: Option<String>,
    /// Static params, grid values and engine params.
    pub params: Map<String, Json>,
    /// The engine's own variables, by their own names.
    pub vars: Map<String, Json>,
    /// The batch the run belongs to.
    pub batch: u64,
    /// The wave of that batch.
    pub wave: u64,
    /// A DST surprise on this run: `shifted` (out of a gap) or `repeated` (second pass of a fold).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dst: Option<&'static str>,
}

/// A batch: consecutive runs launched as one orchestrator run.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Batch {
    /// Position, from 0.
    pub index: u64,
    /// Logical date of its first run.
    pub first: String,
    /// Logical date of its last run.
    pub last: String,
    /// Run indices `start..end`.
    pub run_indices: RunRange,
    /// Number of runs.
    pub size: u64,
    /// The wave it is launched in.
    pub wave: u64,
    /// Tags the engine puts on it (Dagster's partition range tags).
    #[serde(skip_serializing_if = "Map::is_empty")]
    pub tags: Map<String, Json>,
}

/// A half-open range of run indices.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct RunRange {
    /// First index.
    pub start: u64,
    /// One past the last index.
    pub end: u64,
}

/// The estimate of a plan's duration.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Estimate {
    /// Seconds per run (partition), as given.
    pub run_secs: i64,
    /// Seconds of overhead per launched run, as given.
    pub overhead_secs: i64,
    /// Orchestrator runs launched (= batches).
    pub runs_launched: u64,
    /// Wall-clock seconds from first launch to last finish.
    pub makespan_secs: i64,
    /// Overhead saved against one run per partition.
    pub overhead_saved_secs: i64,
    /// Partitions one failure re-runs (the largest batch).
    pub blast_radius: u64,
    /// The Dagster seed's recommended batch size for this run time.
    pub recommended_batch: RecommendedBatch,
}

/// A recommended batch size range.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RecommendedBatch {
    /// The row of the table it comes from.
    pub for_run_time: &'static str,
    /// Smallest suggested size.
    pub min: u64,
    /// Largest suggested size.
    pub max: u64,
}

/// The plan digest, fed one run at a time (so a caller that builds the runs anyway,
/// like the server storing them, digests them in the same pass): SHA-256 over one
/// line per run in launch order, `index TAB logical_date TAB partition_key TAB params
/// LF`, with the params' keys sorted.
#[derive(Debug, Clone, Default)]
pub struct RunDigest {
    hasher: Sha256,
    line: String,
}

impl RunDigest {
    /// Add the next run (in launch order).
    pub fn add(&mut self, run: &Run) {
        use std::fmt::Write as _;
        let line = &mut self.line;
        line.clear();
        let _ = write!(line, "{}\t{}\t", run.index, run.logical_date);
        line.push_str(run.partition_key.as_deref().unwrap_or(""));
        line.push('\t');
        // Keys sorted, so the digest does not depend on the order params were written.
        let mut params: Vec<(&String, &Json)> = run.params.iter().collect();
        params.sort_by(|a, b| a.0.cmp(b.0));
        let canonical: Map<String, Json> = params
            .into_iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        line.push_str(&serde_json::to_string(&canonical).unwrap_or_default());
        line.push('\n');
        self.hasher.update(line.as_bytes());
    }

    /// The digest, lower-case hex.
    #[must_use]
    pub fn finish(self) -> String {
        self.hasher
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}

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

/// What the validation of a spec produced before expansion.
pub(crate) struct Input<'s> {
    pub(crate) text: &'s str,
    pub(crate) spec: &'s Spec,
    pub(crate) profile: &'static dyn Profile,
    pub(crate) zone: Zone,
    pub(crate) style: Style,
    pub(crate) now: Option<Moment>,
    pub(crate) now_text: Option<String>,
    pub(crate) limit: u64,
}

/// Plan a planner spec already parsed from `text`.
pub(crate) fn plan_spec(
    text: &str,
    spec: &Spec,
    dialect: Dialect,
    options: &PlanOptions,
    mut diags: Vec<Diagnostic>,
) -> Planned {
    let engine = options
        .engine
        .or(spec.engine.as_ref().map(|e| e.value))
        .unwrap_or_default();
    let profile = profile(engine);
    let zone = match &spec.timezone {
        Some(tz) => match Zone::parse(&tz.value) {
            Some(z) => z,
            None => {
                let mut d = Diagnostic::error("E0202", format!("unknown time zone `{}`", tz.value))
                    .at(tz.span);
                d = match Zone::suggest(&tz.value) {
                    Some(s) => d.help(format!("did you mean `{s}`?")),
                    None => {
                        d.help("use an IANA name such as `Europe/Berlin` or `America/New_York`")
                    }
                };
                diags.push(d);
                Zone::UTC
            }
        },
        None => Zone::UTC,
    };
    let now_sp = spec.now.clone();
    let now_text = now_sp
        .as_ref()
        .map(|n| n.value.clone())
        .or_else(|| options.now.clone());
    let now = match (&now_sp, &options.now) {
        (Some(n), _) => moment(&mut diags, n, "now"),
        (None, Some(n)) => match parse_moment(n) {
            Ok(m) => Some(m),
            Err(e) => {
                diags.push(Diagnostic::error(
                    "E0201",
                    format!("`now` is not a date-time: `{n}`: {}", e.message),
                ));
                None
            }
        },
        (None, None) => None,
    };
    let naive_inputs = [&spec.start, &spec.end]
        .iter()
        .filter_map(|v| v.as_ref())
        .all(|v| {
            parse_moment(&v.value)
                .map(|m| m.offset.is_none())
                .unwrap_or(true)
        });
    let style = profile.style(spec.timezone.is_some(), naive_inputs);
    let input = Input {
        text,
        spec,
        profile,
        zone,
        style,
        now,
        now_text,
        limit: options.limit,
    };
    let mut plan = expand(&input, options, &mut diags);
    diags.sort_by_key(|d| (d.span.map_or(usize::MAX, |s| s.start), d.severity));
    if has_errors(&diags) {
        plan = None;
    }
    if let Some(p) = &mut plan {
        p.source = Source {
            text: text.to_owned(),
            dialect: dialect.name().to_owned(),
            engine,
            // Only an open window depends on "now".
            now: if spec.end.is_none() {
                input.now_text.clone()
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

fn moment(diags: &mut Vec<Diagnostic>, v: &Sp<String>, what: &str) -> Option<Moment> {
    match parse_moment(&v.value) {
        Ok(m) => {
            if m.nanos != 0 {
                diags.push(
                    Diagnostic::warning("W0201", format!("`{what}` has fractions of a second (`{}`); runs are to the second, so they are dropped", v.value))
                        .at(v.span),
                );
            }
            Some(m)
        }
        Err(e) => {
            diags.push(
                Diagnostic::error(
                    "E0201",
                    format!("`{what}` is not a date or date-time: `{}`", v.value),
                )
                .at(v.span)
                .help(e.message),
            );
            None
        }
    }
}

fn positive(diags: &mut Vec<Diagnostic>, v: &Option<Sp<i64>>, what: &str, default: u64) -> u64 {
    match v {
        Some(n) if n.value >= 1 => u64::try_from(n.value).unwrap_or(default),
        Some(n) => {
            diags.push(
                Diagnostic::error(
                    "E0120",
                    format!("`{what}` must be at least 1, found `{}`", n.value),
                )
                .at(n.span),
            );
            default
        }
        None => default,
    }
}

/// The schedule's span, for errors about it as a whole.
fn schedule_span(spec: &Spec) -> Span {
    spec.schedule.as_ref().map_or(spec.root_span, |s| s.span)
}

fn expand(input: &Input<'_>, options: &PlanOptions, diags: &mut Vec<Diagnostic>) -> Option<Plan> {
    let spec = input.spec;
    let engine = input.profile.engine();
    if !spec.is_mapping {
        return None;
    }
    let expanded: Option<Expanded> = 'expanded: {
        if let Some(Sp {
            value: Schedule::Explicit { dates },
            ..
        }) = &spec.schedule
        {
            break 'expanded explicit(input, dates, diags);
        }
        // The window.
        if spec.window_broken {
            return None;
        }
        let start = match &spec.start {
            Some(s) => moment(diags, s, "window.start"),
            None => {
                diags.push(
                    Diagnostic::error("E0112", "the window has no `start`")
                        .at(spec.window.unwrap_or(spec.root_span))
                        .help("add `window: {start: 2024-01-01, end: 2024-02-01}`"),
                );
                None
            }
        };
        let end = match &spec.end {
            Some(e) => moment(diags, e, "window.end"),
            None if input.profile.bounds().open_end => {
                if input.now.is_none() {
                    diags.push(
                    Diagnostic::error("E0113", format!("`window.end` is omitted, which {engine} reads as now, but no `now` was given"))
                        .at(spec.window.unwrap_or(spec.root_span))
                        .help("set `now:` in the spec (the command line passes the clock with --now)"),
                );
                }
                input.now
            }
            None => {
                diags.push(
                    Diagnostic::error(
                        "E0112",
                        format!("the window has no `end`; {engine} needs one"),
                    )
                    .at(spec.window.unwrap_or(spec.root_span)),
                );
                None
            }
        };
        let Some(schedule) = &spec.schedule else {
            if spec.has_schedule_key {
                return None;
            }
            diags.push(Diagnostic::error("E0111", "the spec has no `schedule`").at(spec.root_span).help(
            "add e.g. `schedule: {cron: \"0 * * * *\"}`, `schedule: {every: {unit: day, count: 1}}` or `schedule: {partitions: {kind: daily}}`",
        ));
            return None;
        };
        if spec.bounds.is_some() && !input.profile.takes_rule_options() {
            let b = spec.bounds.as_ref().map(|b| b.span);
            diags.push(
                Diagnostic::error(
                    "E0114",
                    format!(
                        "`bounds` is for the generic engine; {engine} decides its own: {}",
                        input.profile.bounds().text
                    ),
                )
                .at_opt(b)
                .help("remove `bounds`, or set `engine: generic`"),
            );
        }
        if (spec.dst_gap.is_some() || spec.dst_fold.is_some())
            && !input.profile.takes_rule_options()
        {
            let s = spec
                .dst_gap
                .as_ref()
                .map(|d| d.span)
                .or(spec.dst_fold.as_ref().map(|d| d.span));
            diags.push(
                Diagnostic::error(
                    "E0115",
                    format!("`dst` is for the generic engine; {engine} has its own rule"),
                )
                .at_opt(s),
            );
        }
        input.profile.check(input, diags);
        let (Some(start), Some(end)) = (start, end) else {
            // Still check the schedule, so every problem is reported at once.
            if let Schedule::Cron { expr, with_seconds } = &schedule.value {
                let with_seconds = with_seconds.as_ref().is_some_and(|w| w.value);
                let _ = crate::engine::cron_family::parse_cron(
                    input.text,
                    expr,
                    input.profile.cron_dialect(with_seconds),
                    diags,
                );
            }
            return None;
        };

        input.profile.expand(input, schedule, start, end, diags)
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
                    "W0110",
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
            dialect: String::new(),
            engine,
            now: None,
        },
        profile: input.profile,
        zone: input.zone,
        style: input.style,
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
fn explicit(
    input: &Input<'_>,
    dates: &[Sp<String>],
    diags: &mut Vec<Diagnostic>,
) -> Option<Expanded> {
    let spec = input.spec;
    let mut ticks = Vec::with_capacity(dates.len());
    let mut date_only = true;
    for d in dates {
        let m = moment(diags, d, "the run's date")?;
        date_only &= m.date_only || m.civil.second_of_day() == 0;
        let t = match (input.style, m.offset) {
            (Style::Naive, Some(o)) => Tick::plain(m.civil.secs() - i64::from(o), 0),
            (Style::Naive, None) => Tick::plain(m.civil.secs(), 0),
            (Style::Aware, Some(o)) => Tick::plain(m.civil.secs() - i64::from(o), o),
            (Style::Aware, None) => {
                let at = m.instant_in(input.zone);
                Tick::plain(at, input.zone.offset_at(at))
            }
        };
        ticks.push(t);
    }
    let n = ticks.len() as u64;
    let runs = input.profile.explicit_runs(spec, date_only);
    Some((Series::List(ticks), n, None, runs))
}

/// E0601: a plan over the limit, with its (exact or estimated) count.
pub(crate) fn over_limit(count: &str, limit: u64, at: Span) -> Diagnostic {
    Diagnostic::error(
        "E0601",
        format!(
            "this plan has {count} runs, over the limit of {}",
            group_digits(limit)
        ),
    )
    .at(at)
    .help("narrow the window, step further apart, or raise the limit (--limit on the command line)")
}

impl Plan {
    /// Resolve `select` and `exclude` into kept index ranges.
    fn apply_selection(&mut self, spec: &Spec, diags: &mut Vec<Diagnostic>) {
        if spec.select.is_empty() && spec.exclude.is_empty() {
            return;
        }
        let mut keep: Vec<(u64, u64)> = if spec.select.is_empty() {
            vec![(0, self.count)]
        } else {
            Vec::new()
        };
        // dagster selects partitions by key: an item that is a key is that partition,
        // even where its text, read as a date, names a day the zone skipped.
        let mut keys = std::collections::HashMap::new();
        if self.engine_runs.keyed() {
            for (i, t) in self.series.iter_range(0, self.count).enumerate() {
                if let Some(k) = self.partition_key(t) {
                    keys.entry(k).or_insert(i as u64);
                }
            }
        }
        let matched = |plan: &Self, item: &Sp<String>, diags: &mut Vec<Diagnostic>| match keys
            .get(&item.value)
        {
            Some(&i) => vec![(i, i + 1)],
            None => plan.match_item(item, diags),
        };
        for item in &spec.select {
            let ranges = matched(self, item, diags);
            keep.extend(ranges);
        }
        keep = normalize(keep);
        for item in &spec.exclude {
            for (a, b) in matched(self, item, diags) {
                keep = subtract(&keep, a, b);
            }
        }
        self.kept = keep;
        let mut starts = Vec::with_capacity(self.kept.len());
        let mut total = 0;
        for (a, b) in &self.kept {
            starts.push(total);
            total += b - a;
        }
        self.kept_starts = starts;
        self.time_count = total;
    }

    /// The series index ranges an item of `select`/`exclude` names.
    fn match_item(&self, item: &Sp<String>, diags: &mut Vec<Diagnostic>) -> Vec<(u64, u64)> {
        let naive = self.style == Style::Naive;
        let to_instant = |c: Civil| -> i64 {
            if naive {
                c.secs() - self.naive_offset()
            } else {
                Moment {
                    civil: c,
                    offset: None,
                    date_only: false,
                    nanos: 0,
                }
                .instant_in(self.zone)
            }
        };
        let mut out = Vec::new();
        if let Ok(m) = parse_moment(&item.value) {
            if m.date_only {
                let a = self
                    .series
                    .first_at_or_after(to_instant(m.civil))
                    .min(self.count);
                let b = self
                    .series
                    .first_at_or_after(to_instant(m.civil.plus_secs(86_400)))
                    .min(self.count);
                if a < b {
                    out.push((a, b));
                }
            } else {
                let inst = match m.offset {
                    Some(o) => vec![m.civil.secs() - i64::from(o)],
                    None if naive => vec![to_instant(m.civil)],
                    None => {
                        let mut r = self
                            .zone
                            .resolver(m.civil.secs() - 86_400, m.civil.secs() + 86_400);
                        match r.resolve(m.civil) {
                            crate::time::Local::Single(t, _) => vec![t],
                            crate::time::Local::Gap { after, .. } => vec![after],
                            crate::time::Local::Fold { earlier, later } => vec![earlier.0, later.0],
                        }
                    }
                };
                for t in inst {
                    let i = self.series.first_at_or_after(t);
                    if i < self.count && self.series.get(i).is_some_and(|x| x.instant == t) {
                        out.push((i, i + 1));
                    }
                }
            }
        } else if self.engine_runs.keyed() {
            for (i, t) in self.series.iter_range(0, self.count).enumerate() {
                if self.partition_key(t).as_deref() == Some(item.value.as_str()) {
                    out.push((i as u64, i as u64 + 1));
                    break;
                }
            }
        } else {
            diags.push(
                Diagnostic::error("E0203", format!("`{}` is not a date, a date-time or a partition key of this plan", item.value))
                    .at(item.span)
                    .help("write a date (`2024-01-05`) to match every run on that day, or a date-time to match one run"),
            );
            return out;
        }
        if out.is_empty() {
            diags.push(
                Diagnostic::warning(
                    "W0401",
                    format!("`{}` matches no run of this plan", item.value),
                )
                .at(item.span),
            );
        }
        out
    }

    fn naive_offset(&self) -> i64 {
        match &self.series {
            Series::Step { offset, .. } => i64::from(*offset),
            Series::List(v) => v.first().map_or(0, |t| i64::from(t.offset)),
            Series::Cron(_) | Series::Listed(_) => 0,
        }
    }

    /// One warning per DST transition that touched runs.
    fn dst_warnings(&self, at: Option<Span>, diags: &mut Vec<Diagnostic>) {
        let engine = self.profile.engine();
        let zone = self.zone.name();
        for e in self.series.events() {
            let gap = e.after > e.before;
            let fires: Vec<String> = e
                .civil_fires
                .iter()
                .take(3)
                .map(|c| c.to_string())
                .collect();
            let fires = fires.join("`, `");
            let runs: Vec<u64> = e
                .ticks
                .iter()
                .copied()
                .filter(|i| *i < self.count)
                .take(20)
                .collect();
            let (code, message) = match (gap, e.ticks.is_empty()) {
                (true, true) => ("W0501", format!("{engine} skips `{fires}`: that time does not exist in {zone} (clocks spring forward)")),
                (true, false) => ("W0502", format!("`{fires}` does not exist in {zone}: {engine} runs it at the end of the gap, `{}`", Civil::from_secs(e.at + i64::from(e.after)))),
                (false, _) if e.ticks.len() > e.civil_fires.len() => ("W0504", format!("`{fires}` happens twice in {zone} (clocks fall back): {engine} runs it twice")),
                (false, _) => {
                    let second = e.ticks.first().and_then(|i| self.series.get(*i)).is_some_and(|t| t.second_occurrence);
                    let (which, offset) = if second { ("second", e.after) } else { ("first", e.before) };
                    let sign = if offset < 0 { '-' } else { '+' };
                    let a = offset.unsigned_abs();
                    ("W0503", format!("`{fires}` happens twice in {zone} (clocks fall back): {engine} runs it once, at its {which} occurrence ({sign}{:02}:{:02})", a / 3600, a / 60 % 60))
                }
            };
            let help = self.profile.dst_help();
            let mut d = Diagnostic::warning(code, message).runs(runs).at_opt(at);
            if !help.is_empty() {
                d = d.help(help);
            }
            diags.push(d);
        }
    }

    /// Engine-specific surprises that need the whole plan.
    /// Strategy, concurrency, order, retries, estimate; then the batches.
    fn configure_execution(&mut self, spec: &Spec, diags: &mut Vec<Diagnostic>) {
        let engine = self.profile.engine();
        self.strategy = spec
            .strategy
            .as_ref()
            .map_or(StrategyKind::PerRun, |s| s.value);
        let max = spec.max_per_run.as_ref().map(|m| (m.value, m.span));
        self.max_per_run = match (self.strategy, max) {
            (StrategyKind::MultiRun, Some((m, _))) if m >= 1 => u64::try_from(m).ok(),
            (StrategyKind::MultiRun, Some((m, span))) => {
                diags.push(
                    Diagnostic::error(
                        "E0120",
                        format!("`strategy.max_per_run` must be at least 1, found `{m}`"),
                    )
                    .at(span),
                );
                Some(1)
            }
            (StrategyKind::MultiRun, None) => Some(1),
            (_, Some((_, span))) => {
                diags.push(
                    Diagnostic::warning(
                        "W0120",
                        "`max_per_run` only applies to `strategy: multi_run`; it is ignored",
                    )
                    .at(span),
                );
                None
            }
            _ => None,
        };
        self.concurrency = positive(diags, &spec.concurrency, "concurrency", 1);
        if let Some(d) = self
            .profile
            .concurrency(self.concurrency, spec.concurrency.as_ref().map(|c| c.span))
        {
            diags.push(d);
            self.concurrency = 1;
        }
        self.order = spec.order.as_ref().map_or(Order::OldestFirst, |o| o.value);
        if self.order == Order::NewestFirst && !self.profile.reorders() {
            diags.push(
                Diagnostic::warning("W0123", format!("{engine} launches the oldest run first; `order: newest_first` cannot change that"))
                    .at_opt(spec.order.as_ref().map(|o| o.span)),
            );
            self.order = Order::OldestFirst;
        }
        self.retries = spec.retries.as_ref().map_or(0, |r| {
            if r.value < 0 {
                diags.push(
                    Diagnostic::error(
                        "E0121",
                        format!("`retries` must not be negative, found `{}`", r.value),
                    )
                    .at(r.span),
                );
            }
            u32::try_from(r.value.max(0)).unwrap_or(u32::MAX)
        });
        self.timeout_secs = spec.timeout.as_ref().map(|t| {
            if t.value <= 0 {
                diags.push(Diagnostic::error("E0123", "`timeout` must be positive").at(t.span));
            }
            t.value
        });
        self.failure_policy = spec
            .failure_policy
            .as_ref()
            .map_or(FailurePolicy::FailFast, |f| f.value);
        if let Some(r) = &spec.estimate_run {
            if r.value <= 0 {
                diags
                    .push(Diagnostic::error("E0122", "`estimate.run` must be positive").at(r.span));
            }
            self.estimate_run = r.value.max(1);
        }
        if let Some(o) = &spec.estimate_overhead {
            if o.value < 0 {
                diags.push(
                    Diagnostic::error("E0122", "`estimate.overhead` must not be negative")
                        .at(o.span),
                );
            }
            self.estimate_overhead = o.value.max(0);
        }
        if let Some(order) = self.profile.launch_order(self, diags) {
            self.permutation = Some(order);
        }
        self.build_groups();
        self.profile.after_batching(self, spec, diags);
        if let Some(max) = self.max_per_run {
            let (_, lo, hi) = recommended_batch(self.estimate_run);
            if (max < lo || max > hi) && spec.estimate_run.is_some() {
                diags.push(
                    Diagnostic::note("N0120", format!("for runs of {} the dagster guide suggests batches of {lo}-{hi}; this plan uses {max}", human_secs(self.estimate_run)))
                        .at_opt(spec.max_per_run.as_ref().map(|m| m.span)),
                );
            }
        }
    }

    /// Cut the runs into groups that batches are chunked from.
    fn build_groups(&mut self) {
        let g = self.combos;
        let size_for = |runs: u64, strategy: StrategyKind, max: Option<u64>| match strategy {
            StrategyKind::PerRun => 1,
            StrategyKind::MultiRun => max.unwrap_or(1).max(1),
            StrategyKind::SingleRun => runs.max(1),
        };
        let mut groups = Vec::new();
        if let Some(sizes) = self.engine_runs.requests() {
            // dagster's own run requests, one batch each.
            let mut first = 0;
            for &(runs, _, _) in sizes.iter() {
                groups.push(Group {
                    first,
                    runs,
                    size: runs.max(1),
                });
                first += runs;
            }
        } else if self.profile.batches_by_range(self.strategy) {
            // Contiguous ranges of partitions first, then chunks of each.
            let mut first = 0;
            for (a, b) in &self.kept {
                let runs = (b - a) * g;
                if runs > 0 {
                    groups.push(Group {
                        first,
                        runs,
                        size: size_for(runs, self.strategy, self.max_per_run),
                    });
                }
                first += runs;
            }
        } else {
            let runs = self.run_count();
            if runs > 0 {
                groups.push(Group {
                    first: 0,
                    runs,
                    size: size_for(runs, self.strategy, self.max_per_run),
                });
            }
        }
        let mut starts = Vec::with_capacity(groups.len() + 1);
        let mut total = 0;
        for gr in &groups {
            starts.push(total);
            total += gr.runs.div_ceil(gr.size);
        }
        starts.push(total);
        self.groups = groups;
        self.group_batch_starts = starts;
    }

    /// Launch position of a kept time point → series index.
    pub(crate) fn series_index(&self, q: u64) -> u64 {
        let k = self
            .kept_starts
            .partition_point(|&s| s <= q)
            .saturating_sub(1);
        let (a, _) = self.kept.get(k).copied().unwrap_or((0, 0));
        a + (q - self.kept_starts.get(k).copied().unwrap_or(0))
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

    /// Number of batches.
    #[must_use]
    pub fn batch_count(&self) -> u64 {
        self.group_batch_starts.last().copied().unwrap_or(0)
    }

    /// Number of waves (batches launched together under the concurrency limit).
    #[must_use]
    pub fn wave_count(&self) -> u64 {
        self.batch_count().div_ceil(self.concurrency.max(1))
    }

    /// Which batch run `index` is in.
    fn batch_of(&self, index: u64) -> u64 {
        let k = self
            .groups
            .partition_point(|g| g.first <= index)
            .saturating_sub(1);
        self.groups.get(k).map_or(0, |g| {
            self.group_batch_starts[k] + (index - g.first) / g.size
        })
    }

    /// The tick of a run and its grid combination.
    pub(crate) fn tick_of(&self, index: u64) -> Option<(u64, Tick, u64)> {
        if index >= self.run_count() {
            return None;
        }
        // Axes in declaration order, last fastest; the date axis sits among them.
        let after = self.after_axis.max(1);
        let span = self.time_count * after;
        let outer = index / span;
        let rest = index % span;
        let mut q = rest / after;
        let combo = outer * after + rest % after;
        if self.order == Order::NewestFirst {
            q = self.time_count - 1 - q;
        }
        if let Some(p) = &self.permutation {
            q = p.get(usize::try_from(q).ok()?).copied()?;
        }
        let i = self.series_index(q);
        Some((i, self.series.get(i)?, combo))
    }

    /// Whether the plan's dates are written without an offset. Flyte's are not even for
    /// a naive input: the workflow receives its kickoff time as UTC.
    fn dates_naive(&self) -> bool {
        self.style == Style::Naive && !self.engine_runs.naive_as_utc()
    }

    fn format_instant(&self, t: Tick) -> String {
        match self.style {
            // Flyte binds a naive kickoff time as UTC: that is the run's logical date.
            Style::Naive if self.engine_runs.naive_as_utc() => {
                format_python_iso(Civil::from_secs(t.instant), Some(0))
            }
            Style::Naive => t.civil().to_string(),
            Style::Aware => format_rfc3339(t.instant, t.offset, self.zone.is_utc()),
        }
    }

    pub(crate) fn partition_key(&self, t: Tick) -> Option<String> {
        self.engine_runs.partition_key(t, self.zone)
    }

    /// Tick `i` of the series, or the one after the last in use.
    fn tick_at(&self, i: u64) -> Option<Tick> {
        if i < self.count {
            self.series.get(i)
        } else if i == self.count {
            self.after_last.or_else(|| self.series.get(i))
        } else {
            None
        }
    }

    /// The instant (seconds since the epoch; for naive engines the naive value read as
    /// UTC) and UTC offset of the run at `index`.
    #[must_use]
    pub fn run_instant(&self, index: u64) -> Option<(i64, i32)> {
        self.tick_of(index).map(|(_, t, _)| (t.instant, t.offset))
    }

    /// Instants and offsets of runs `from..to` (launch order), without building the runs:
    /// what a timeline or a count-by-day needs.
    pub fn instants(&self, from: u64, to: u64) -> Box<dyn Iterator<Item = (i64, i32)> + '_> {
        let to = to.min(self.run_count());
        let plain = self.combos == 1
            && self.order == Order::OldestFirst
            && self.permutation.is_none()
            && self.kept.len() == 1
            && self.kept[0].0 == 0;
        if plain {
            Box::new(
                self.series
                    .iter_range(from, to)
                    .map(|t| (t.instant, t.offset)),
            )
        } else {
            Box::new((from..to).filter_map(|i| self.run_instant(i)))
        }
    }

    /// The run at `index` (launch order).
    #[must_use]
    pub fn run(&self, index: u64) -> Option<Run> {
        let (i, t, combo) = self.tick_of(index)?;
        Some(self.build_run(index, i, t, combo))
    }

    /// Runs `from..to` (launch order).
    pub fn runs(&self, from: u64, to: u64) -> impl Iterator<Item = Run> + '_ {
        (from..to.min(self.run_count())).filter_map(|i| self.run(i))
    }

    fn build_run(&self, index: u64, i: u64, t: Tick, combo: u64) -> Run {
        let mut next = self.tick_at(i + 1);
        let mut logical = self.format_instant(t);
        if let Some((a, b)) = self.engine_runs.window(i) {
            logical = self.format_instant(a);
            next = Some(b);
        }
        let mut params = self.params.clone();
        if let Some(row) = usize::try_from(i)
            .ok()
            .and_then(|i| self.date_params.get(i))
        {
            params.extend(row.clone());
        }
        let mut rest = combo;
        for (name, values) in self.grid.iter().rev() {
            let n = values.len() as u64;
            let value = values[usize::try_from(rest % n).unwrap_or(0)].clone();
            match (name.is_empty(), value) {
                (true, Json::Object(row)) => params.extend(row),
                (_, value) => {
                    params.insert(name.clone(), value);
                }
            }
            rest /= n;
        }
        let mut vars = Map::new();
        self.engine_runs.vars(
            self,
            RunAt { index, i, t },
            &mut params,
            &mut vars,
            &mut next,
        );
        let partition_key = self.partition_key(t);
        if let Some(k) = &partition_key {
            vars.insert("partition_key".to_owned(), Json::String(k.clone()));
        }
        let batch = self.batch_of(index);
        Run {
            index,
            local_time: t.civil().to_string(),
            partition_key,
            interval_start: logical.clone(),
            interval_end: next.map(|n| self.format_instant(n)),
            logical_date: logical,
            params,
            vars,
            batch,
            wave: batch / self.concurrency.max(1),
            dst: if t.shifted {
                Some("shifted")
            } else if t.second_occurrence {
                Some("repeated")
            } else {
                None
            },
        }
    }

    /// The batch at `index`.
    #[must_use]
    pub fn batch(&self, index: u64) -> Option<Batch> {
        if index >= self.batch_count() {
            return None;
        }
        let k = self.group_batch_starts.partition_point(|&s| s <= index) - 1;
        let g = self.groups[k];
        let within = index - self.group_batch_starts[k];
        let start = g.first + within * g.size;
        let end = (start + g.size).min(g.first + g.runs);
        // Only the two ends' dates and keys are needed, not whole runs.
        let (_, first, _) = self.tick_of(start)?;
        let (_, last, _) = self.tick_of(end - 1)?;
        let tags = self.engine_runs.batch_tags(self, k, first, last);
        Some(Batch {
            index,
            first: self.format_instant(first),
            last: self.format_instant(last),
            run_indices: RunRange { start, end },
            size: end - start,
            wave: index / self.concurrency.max(1),
            tags,
        })
    }

    /// Every batch, in order.
    pub fn batches(&self) -> impl Iterator<Item = Batch> + '_ {
        (0..self.batch_count()).filter_map(|i| self.batch(i))
    }

    fn batch_size(&self, index: u64) -> u64 {
        let k = self
            .group_batch_starts
            .partition_point(|&s| s <= index)
            .saturating_sub(1);
        self.groups.get(k).map_or(0, |g| {
            let start = g.first + (index - self.group_batch_starts[k]) * g.size;
            (start + g.size).min(g.first + g.runs) - start
        })
    }

    /// The estimate: launched runs, makespan, overhead saved, blast radius.
    #[must_use]
    pub fn estimate(&self) -> Estimate {
        let c = self.concurrency.max(1);
        let batches = self.batch_count();
        let mut makespan = 0i64;
        let mut blast = 0;
        let mut w = 0;
        while w * c < batches {
            let longest = (w * c..((w + 1) * c).min(batches))
                .map(|b| self.batch_size(b))
                .max()
                .unwrap_or(0);
            blast = blast.max(longest);
            makespan = makespan.saturating_add(
                i64::try_from(longest)
                    .unwrap_or(i64::MAX)
                    .saturating_mul(self.estimate_run)
                    .saturating_add(self.estimate_overhead),
            );
            w += 1;
        }
        let (label, min, max) = recommended_batch(self.estimate_run);
        Estimate {
            run_secs: self.estimate_run,
            overhead_secs: self.estimate_overhead,
            runs_launched: batches,
            makespan_secs: makespan,
            overhead_saved_secs: i64::try_from(self.run_count().saturating_sub(batches))
                .unwrap_or(i64::MAX)
                .saturating_mul(self.estimate_overhead),
            blast_radius: blast,
            recommended_batch: RecommendedBatch {
                for_run_time: label,
                min,
                max,
            },
        }
    }

    /// SHA-256 (hex) over the canonical run list: one line per run in launch order,
    /// `index TAB logical_date TAB partition_key TAB params-json LF`.
    #[must_use]
    pub fn digest(&self) -> String {
        let mut digest = RunDigest::default();
        for run in self.runs(0, self.run_count()) {
            digest.add(&run);
        }
        digest.finish()
    }

    /// The summary part of the plan JSON.
    #[must_use]
    pub fn summary(&self) -> Json {
        let first = self.run(0);
        let last = self.run(self.run_count().saturating_sub(1));
        let in_utc = |r: &Option<Run>| {
            r.as_ref()
                .and_then(|r| self.tick_of(r.index))
                .map(|(_, t, _)| format_rfc3339(t.instant, 0, true))
        };
        json!({
            "run_count": self.run_count(),
            "batch_count": self.batch_count(),
            "wave_count": self.wave_count(),
            "first": first.as_ref().map(|r| r.logical_date.clone()),
            "last": last.as_ref().map(|r| r.logical_date.clone()),
            "first_utc": if self.dates_naive() { None } else { in_utc(&first) },
            "last_utc": if self.dates_naive() { None } else { in_utc(&last) },
            "timezone": self.zone.name(),
            "naive": self.dates_naive(),
            "bounds": self.profile.bounds().text,
            "reproduces": self.profile.reproduces(),
            "strategy": self.strategy,
            "max_per_run": self.max_per_run,
            "concurrency": self.concurrency,
            "order": self.order,
            "retries": self.retries,
            "timeout_secs": self.timeout_secs,
            "failure_policy": self.failure_policy,
            "labels": self.labels.iter().map(|(k, v)| (k.clone(), Json::String(v.clone()))).collect::<Map<String, Json>>(),
            "estimate": self.estimate(),
        })
    }

    /// The whole plan as JSON (every run and batch).
    #[must_use]
    pub fn to_json(&self) -> Json {
        json!({
            "version": PLAN_VERSION,
            "engine": self.profile.engine(),
            "source": self.source,
            "summary": self.summary(),
            "runs": self.runs(0, self.run_count()).collect::<Vec<Run>>(),
            "batches": self.batches().collect::<Vec<Batch>>(),
            "diagnostics": self.diagnostics,
            "digest": self.digest(),
        })
    }
}

fn human_secs(s: i64) -> String {
    match s {
        ..=59 => format!("{s}s"),
        60..=3599 => format!("{}m", s / 60),
        _ => format!("{}h{:02}m", s / 3600, s / 60 % 60),
    }
}

fn normalize(mut v: Vec<(u64, u64)>) -> Vec<(u64, u64)> {
    v.retain(|(a, b)| a < b);
    v.sort_unstable();
    let mut out: Vec<(u64, u64)> = Vec::with_capacity(v.len());
    for (a, b) in v {
        match out.last_mut() {
            Some(last) if a <= last.1 => last.1 = last.1.max(b),
            _ => out.push((a, b)),
        }
    }
    out
}

fn subtract(keep: &[(u64, u64)], a: u64, b: u64) -> Vec<(u64, u64)> {
    let mut out = Vec::with_capacity(keep.len() + 1);
    for &(x, y) in keep {
        if b <= x || y <= a {
            out.push((x, y));
            continue;
        }
        if x < a {
            out.push((x, a));
        }
        if b < y {
            out.push((b, y));
        }
    }
    out
}
