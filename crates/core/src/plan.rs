//! The plan: validate a spec against its engine's profile, expand it into runs, group
//! the runs into batches and waves, and estimate the backfill.
//!
//! A [`Plan`] never holds its runs: it holds the [`Series`] of fire times, which ones
//! are kept (after `select`/`exclude`), and the grid. [`Plan::run`] builds any run from
//! its index, [`Plan::runs`] iterates a page, and the counts are arithmetic, so a plan
//! of a billion runs is counted (and refused) in milliseconds.

use crate::cron::Cron;
use crate::diag::{has_errors, Diagnostic, Span};
use crate::dialect::Dialect;
use crate::engine::dagster_clock::{Clock, Dt, Failure};
use crate::engine::kestra_clock::Clock as KestraClock;
use crate::engine::{recommended_batch, EndRule, Profile, StartRule};
use crate::series::{CronSeries, DstEvent, DstPolicy, Series, Tick};
use crate::spec::{
    Engine, FailurePolicy, FoldRule, GapRule, Order, PartitionKind, Schedule, Sp, Spec,
    StrategyKind, Unit,
};
use crate::time::{
    civil::add_months_clamped, civil::DAY, format_date, format_python_iso, format_python_str,
    format_rfc3339, parse_moment, strftime, Civil, Moment, Zone,
};
use serde_json::{json, Map, Value as Json};
use sha2::{Digest, Sha256};

#[path = "export.rs"]
mod export;
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
enum Style {
    /// Naive: no offset (Polyaxon always; Mage and Flyte when nothing named a zone).
    Naive,
    /// With the offset.
    Aware,
}

/// Per-engine details the runs' variables need.
#[derive(Debug, Clone)]
enum Flavor {
    Polyaxon {
        date_only: bool,
        param: String,
        /// Each input's declared type (`datetime` inputs are read as dates).
        input_types: Vec<(String, String)>,
        command: Vec<String>,
        args: Vec<String>,
    },
    Mage,
    /// `clock`: each run's `trigger.previous` and `trigger.next` as cron-utils gives
    /// them, where its own search decides the runs (zones with offset changes).
    Kestra {
        clock: Option<Box<[KestraVars]>>,
    },
    Flyte,
    /// `suffix_repeats`: both passes of a fold get a key, so the second carries its offset.
    ///
    /// `clock`: dagster's own arithmetic, where it differs from the calendar's (zones
    /// with offset changes); `rekeyed`: each run's window as dagster gives it from the
    /// key's text (`time_window_for_partition_key`), where that is not the series' own.
    Dagster {
        fmt: String,
        suffix_repeats: bool,
        clock: Option<Box<Clock>>,
        rekeyed: Option<Box<[(Tick, Tick)]>>,
        /// The first partition's start, the last one's end, the definition's start and
        /// end.
        bounds: Option<(i64, i64, i64, Option<i64>)>,
        /// Each run request dagster builds for a backfill policy (its number of runs and
        /// the range's ends as tagged), where they are not chunks of contiguous ranges of
        /// the listed keys.
        requests: Option<Box<[(u64, String, String)]>>,
    },
    Generic,
}

/// One Kestra run's `trigger.previous` and `trigger.next`.
type KestraVars = (Option<Tick>, Option<Tick>);

/// A group of runs that batches are cut from: `runs` runs from `first`, `size` per batch.
#[derive(Debug, Clone, Copy)]
struct Group {
    first: u64,
    runs: u64,
    size: u64,
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
    source: Source,
    profile: Profile,
    zone: Zone,
    style: Style,
    flavor: Flavor,
    series: Series,
    /// Ticks of the series in use (`series.len()` may hold more).
    count: u64,
    /// The tick after the last one in use, for interval ends.
    after_last: Option<Tick>,
    /// Kept series index ranges `[a, b)` after select/exclude, ascending.
    kept: Vec<(u64, u64)>,
    kept_starts: Vec<u64>,
    time_count: u64,
    /// Grid axes in declaration order; an axis named `""` holds explicit rows (objects
    /// merged into the params).
    grid: Vec<(String, Vec<Json>)>,
    combos: u64,
    /// Product of the sizes of the grid axes declared after the date axis.
    after_axis: u64,
    /// Where the date axis stands among the grid axes.
    time_axis: usize,
    /// Keep only the first runs (Polyaxon `numRuns`).
    take: Option<u64>,
    /// Params of each series tick (Polyaxon mappings), zipped with the series.
    date_params: Vec<Map<String, Json>>,
    params: Map<String, Json>,
    order: Order,
    /// Launch position → kept position, when the engine reorders (Dagster key sort).
    permutation: Option<Vec<u64>>,
    groups: Vec<Group>,
    group_batch_starts: Vec<u64>,
    strategy: StrategyKind,
    max_per_run: Option<u64>,
    concurrency: u64,
    retries: u32,
    timeout_secs: Option<i64>,
    failure_policy: FailurePolicy,
    estimate_run: i64,
    estimate_overhead: i64,
    labels: Vec<(String, String)>,
    diagnostics: Vec<Diagnostic>,
    /// What the input named (namespace, flow, trigger...), for exports.
    identity: Vec<(String, String)>,
    /// The window as written (start, end), for exports that reuse it.
    window_text: (Option<String>, Option<String>),
    /// The interval of `every` schedules, for exports: (unit, count).
    every: Option<(Unit, i64)>,
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
struct Input<'s> {
    text: &'s str,
    spec: &'s Spec,
    profile: Profile,
    zone: Zone,
    style: Style,
    now: Option<Moment>,
    now_text: Option<String>,
    limit: u64,
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
        .unwrap_or(Engine::Generic);
    let profile = Profile::of(engine);
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
    let style = match engine {
        Engine::Polyaxon => Style::Naive,
        Engine::Mage | Engine::Flyte if spec.timezone.is_none() && naive_inputs => Style::Naive,
        _ => Style::Aware,
    };
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
    let engine = input.profile.engine;
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
            None if input.profile.open_end => {
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
        if spec.bounds.is_some() && engine != Engine::Generic {
            let b = spec.bounds.as_ref().map(|b| b.span);
            diags.push(
                Diagnostic::error(
                    "E0114",
                    format!(
                        "`bounds` is for the generic engine; {engine} decides its own: {}",
                        input.profile.bounds_text
                    ),
                )
                .at_opt(b)
                .help("remove `bounds`, or set `engine: generic`"),
            );
        }
        if (spec.dst_gap.is_some() || spec.dst_fold.is_some()) && engine != Engine::Generic {
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
        if let (Some(tz), Engine::Polyaxon) = (&spec.timezone, engine) {
            if !input.zone.is_utc() {
                diags.push(
                    Diagnostic::warning(
                        "W0310",
                        format!(
                            "polyaxon has no time zones: `{}` is ignored and values are naive",
                            tz.value
                        ),
                    )
                    .at(tz.span),
                );
            }
        }
        let (Some(start), Some(end)) = (start, end) else {
            // Still check the schedule, so every problem is reported at once.
            if let Schedule::Cron { expr, with_seconds } = &schedule.value {
                let with_seconds = with_seconds.as_ref().is_some_and(|w| w.value);
                let _ = parse_cron(
                    input.text,
                    expr,
                    input.profile.cron_dialect(with_seconds),
                    diags,
                );
            }
            return None;
        };

        match engine {
            Engine::Polyaxon => polyaxon(input, schedule, start, end, diags),
            Engine::Mage => mage(input, schedule, start, end, diags),
            Engine::Kestra | Engine::Flyte | Engine::Generic => {
                cron_engine(input, schedule, start, end, diags)
            }
            Engine::Dagster => dagster(input, schedule, start, end, diags),
        }
    };
    let (series, count, after_last, flavor) = expanded?;
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
        flavor,
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
    plan.dagster_backfill(spec, diags);
    plan.dst_warnings(spec.timezone.as_ref().map(|t| t.span), diags);
    plan.configure_execution(spec, diags);
    Some(plan)
}

fn group_digits(n: u64) -> String {
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

type Expanded = (Series, u64, Option<Tick>, Flavor);

/// The `every` of a schedule, or an error saying the engine needs something else.
fn every(
    schedule: &Sp<Schedule>,
    engine: Engine,
    diags: &mut Vec<Diagnostic>,
) -> Option<(Sp<Unit>, Sp<i64>)> {
    match &schedule.value {
        Schedule::Every { unit, count } => Some((unit.clone(), count.clone())),
        Schedule::Cron { expr, .. } => {
            let why = match engine {
                Engine::Polyaxon => "polyaxon backfills step by days (`daterange`) or seconds (`datetimerange`), not by a cron",
                _ => "mage backfills step by an interval (`interval_type` × `interval_units`), not by a cron",
            };
            diags.push(
                Diagnostic::error("E0403", why.to_owned())
                    .at(expr.span)
                    .help("use `schedule: {every: {unit: day, count: 1}}`"),
            );
            None
        }
        Schedule::Partitions(_) | Schedule::Explicit { .. } => {
            diags.push(
                Diagnostic::error(
                    "E0403",
                    format!("`partitions` is dagster's schedule; {engine} steps by an interval"),
                )
                .at(schedule.span)
                .help("use `schedule: {every: {unit: day, count: 1}}`"),
            );
            None
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

fn polyaxon(
    input: &Input<'_>,
    schedule: &Sp<Schedule>,
    start: Moment,
    end: Moment,
    diags: &mut Vec<Diagnostic>,
) -> Option<Expanded> {
    let spec = input.spec;
    let (unit, count) = every(schedule, Engine::Polyaxon, diags)?;
    let Some(unit_secs) = unit.value.fixed_secs() else {
        diags.push(
            Diagnostic::error("E0404", format!("polyaxon cannot step by a {}: `daterange` steps in days, `datetimerange` in seconds", unit.value.name()))
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
                    Diagnostic::warning("W0311", format!("polyaxon converts `{}` to UTC and drops the offset: the run is at naive `{utc}`", sp.as_ref().map_or("", |s| s.value.as_str())))
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
                "E0410",
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
                "E0411",
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
                "W0312",
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
            polyaxon_flavor(spec, date_only),
        ));
    }
    // Both positive here; `div_ceil` cannot overflow as `b - a + step - 1` could.
    let len = (b - a).unsigned_abs().div_ceil(step.unsigned_abs());
    if !date_only {
        let non_midnight = len - midnights(a, step, len);
        if non_midnight > 0 {
            diags.push(
                Diagnostic::warning("W0315", format!("polyaxon 2.18 cannot render a non-midnight `datetime` input: `{{{{ {} }}}}` fails to compile for {non_midnight} of {len} runs", spec.native.time_param.as_deref().unwrap_or("dt")))
                    .at(count.span)
                    .help("clipped maps the `datetime` input type to a date; until that is fixed, type the input `str` to receive `2021-05-01T10:00:00`"),
            );
        }
    }
    if (b - a) % step == 0 {
        diags.push(
            Diagnostic::note(
                "N0310",
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
            Diagnostic::warning("W0313", format!("the step does not divide the window: the last run is `{last}`, short of the stop `{}`", Civil::from_secs(b)))
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
        polyaxon_flavor(spec, date_only),
    ))
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
    let flavor = match input.profile.engine {
        Engine::Polyaxon => polyaxon_flavor(spec, spec.native.date_range.unwrap_or(date_only)),
        Engine::Mage => Flavor::Mage,
        _ => Flavor::Generic,
    };
    Some((Series::List(ticks), n, None, flavor))
}

fn polyaxon_flavor(spec: &Spec, date_only: bool) -> Flavor {
    let param = spec
        .native
        .time_param
        .clone()
        .unwrap_or_else(|| "dt".to_owned());
    Flavor::Polyaxon {
        date_only,
        param,
        input_types: spec.native.input_types.clone(),
        command: spec.native.command.clone(),
        args: spec.native.args.clone(),
    }
}

fn mage(
    input: &Input<'_>,
    schedule: &Sp<Schedule>,
    start: Moment,
    end: Moment,
    diags: &mut Vec<Diagnostic>,
) -> Option<Expanded> {
    let spec = input.spec;
    let (unit, mut count) = every(schedule, Engine::Mage, diags)?;
    // A custom-code backfill (`block_uuid`) creates no runs before any date is built.
    let custom_code = spec.native.take.as_ref().is_some_and(|t| t.value == 0);
    if custom_code && count.value <= 0 {
        count = Sp::new(1, count.span);
    }
    if start.offset.is_some() != end.offset.is_some() && !custom_code {
        diags.push(
            Diagnostic::error("E0415", "one end of the window has an offset and the other has none: python cannot compare them")
                .at_opt(spec.end.as_ref().map(|e| e.span))
                .help("give both ends an offset (e.g. `Z`), or neither"),
        );
        return None;
    }
    // `while current <= end` never starts when the end is before the start, whatever the
    // interval (mage 0.9.80, run): only then is a zero or negative interval harmless.
    let instant = |m: Moment| m.civil.secs() - i64::from(m.offset.unwrap_or(0));
    if count.value <= 0 && instant(end) >= instant(start) {
        diags.push(
            Diagnostic::error("E0412", format!("`interval_units` must be at least 1, found `{}`: mage's loop would never end", count.value))
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
            Diagnostic::warning("W0314", "the end is before the start: mage creates no runs")
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
            mage_includes_end(spec, len, diags);
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
            Flavor::Mage,
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
            Diagnostic::warning("W0303", format!("mage steps months from the previous date, so the day drifts: after `{}` comes `{}`, and every later run keeps day {}", format_date(from), format_date(to), to.date().2))
                .at(unit.span)
                .help("mage uses relativedelta from the previous run, not from the start"),
        );
    }
    if ticks.last().is_some_and(|last| last.instant == b) {
        mage_includes_end(spec, ticks.len() as u64, diags);
    }
    let len = ticks.len() as u64;
    let after_last = (len > 0).then(|| Tick::plain(cur.secs() - i64::from(offset), offset));
    Some((Series::List(ticks), len, after_last, Flavor::Mage))
}

/// W0301: the window's end is itself a run, which Mage's docs say it is not.
fn mage_includes_end(spec: &Spec, runs: u64, diags: &mut Vec<Diagnostic>) {
    let end = spec.end.as_ref().map_or("", |e| e.value.as_str());
    diags.push(
        Diagnostic::warning(
            "W0301",
            format!("mage includes the end: `{end}` is run too ({runs} runs); its docs say the end is excluded ({} runs)", runs - 1),
        )
        .at_opt(spec.end.as_ref().map(|e| e.span))
        .help("mage's code loops `while date <= end_datetime`"),
    );
}

/// The first fire at or after `from`, however far (Kestra's `trigger.next` exists for a
/// Feb 29 cron too): a search over 800 days, then, rarely, over the longest gap a cron
/// without a year field has (8 years), so a plan's usual case samples few transitions.
fn next_fire(cron: &Cron, zone: Zone, policy: DstPolicy, from: i64) -> Option<Tick> {
    [800, 3_000].into_iter().find_map(|days: i64| {
        CronSeries::new(
            cron.clone(),
            zone,
            policy,
            from,
            from.saturating_add(days * 86_400),
        )
        .get(0)
    })
}

/// Kestra in a zone whose offset changes: the backfill as Kestra's loop runs it over
/// cron-utils' own searches ([`KestraClock`]), which near a transition give other runs,
/// `trigger.previous` and `trigger.next` than the calendar. `None` when the calendar
/// plan is far over the limit (the limit error reports it) or the loop was cut.
fn kestra_clocked(
    input: &Input<'_>,
    cron: &Cron,
    policy: DstPolicy,
    s: i64,
    e: i64,
    diags: &mut Vec<Diagnostic>,
) -> Option<Expanded> {
    let zone = input.zone;
    let calendar = CronSeries::new(cron.clone(), zone, policy, s.min(e), e.max(s) + 1);
    if calendar.len() > input.limit.saturating_add(1000) {
        return None;
    }
    // The scheduler's clock starts at now; with no `now` the end stands for it.
    let now = input.now.map_or(e, |n| n.instant_in(zone));
    let mut clock = KestraClock::new(cron, zone, s.min(e).min(now), s.max(e).max(now))?;
    let cap = usize::try_from(input.limit.saturating_add(1)).unwrap_or(usize::MAX);
    let backfill = clock.backfill(s, e, now, cap);
    if backfill.truncated {
        return None;
    }
    if let Some(at) = backfill.stuck {
        let at = clock.tick(at);
        diags.push(
            Diagnostic::warning("W0323", format!("kestra's backfill never ends: cron-utils finds no fire after `{}`, so the scheduler fails the trigger (a FAILED execution) at every tick; the {} execution{} before it are planned", format_rfc3339(at.instant, at.offset, true), backfill.executions.len(), if backfill.executions.len() == 1 { "" } else { "s" }))
                .at_opt(input.spec.end.as_ref().map(|v| v.span).or(input.spec.window)),
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
        Flavor::Kestra {
            clock: Some(vars.into_boxed_slice()),
        },
    ))
}

/// E0601: a plan over the limit, with its (exact or estimated) count.
fn over_limit(count: &str, limit: u64, at: Span) -> Diagnostic {
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

/// Kestra, Flyte and the generic engine: a cron (or, for generic, a step) in a zone.
fn cron_engine(
    input: &Input<'_>,
    schedule: &Sp<Schedule>,
    start: Moment,
    end: Moment,
    diags: &mut Vec<Diagnostic>,
) -> Option<Expanded> {
    let spec = input.spec;
    let engine = input.profile.engine;
    let zone = input.zone;
    // flytekit hands croniter aware datetimes: a naive wall time in a gap is read with the
    // offset before it (Python's fold 0), an instant after the gap.
    let flyte = engine == Engine::Flyte;
    let (s, e) = if flyte {
        (start.instant_python(zone), end.instant_python(zone))
    } else {
        (start.instant_in(zone), end.instant_in(zone))
    };
    // ... and compares two datetimes of one tzinfo by their wall readings (Python's rule
    // for aware datetimes sharing a tzinfo): the loop stops at the first fire whose wall
    // time reaches the end's, whichever pass of a repeated hour it is.
    let wall_end =
        (flyte && end.offset.is_none() && !(zone.is_utc() || zone.is_fixed())).then_some(end.civil);
    let (mut start_incl, mut end_incl) = match (input.profile.start, input.profile.end) {
        (StartRule::Inclusive, EndRule::Inclusive) => (true, true),
        (StartRule::Exclusive, _) => (false, false),
        _ => (true, false),
    };
    if let Some(b) = &spec.bounds {
        start_incl = b.value.start_inclusive;
        end_incl = b.value.end_inclusive;
    }
    let lo = if start_incl { s } else { s + 1 };
    let hi = if end_incl { e + 1 } else { e };
    let (expr, with_seconds) = match &schedule.value {
        Schedule::Cron { expr, with_seconds } => {
            (expr, with_seconds.as_ref().is_some_and(|w| w.value))
        }
        Schedule::Every { unit, count } if engine == Engine::Generic => {
            return generic_every(input, unit, count, lo, hi, diags);
        }
        Schedule::Every { .. } => {
            let why = match engine {
                Engine::Kestra => "kestra backfills replay a Schedule trigger's cron; an interval cannot be expressed",
                _ => "flyte backfills only support cron schedules (a FixedRate launch plan raises NotImplementedError)",
            };
            diags.push(
                Diagnostic::error("E0403", why)
                    .at(schedule.span)
                    .help("use `schedule: {cron: \"0 0 * * *\"}`"),
            );
            return None;
        }
        Schedule::Partitions(_) | Schedule::Explicit { .. } => {
            diags.push(
                Diagnostic::error(
                    "E0403",
                    format!("`partitions` is dagster's schedule; {engine} uses a cron"),
                )
                .at(schedule.span),
            );
            return None;
        }
    };
    let cron = parse_cron(
        input.text,
        expr,
        input.profile.cron_dialect(with_seconds),
        diags,
    )?;
    let policy = input.profile.dst_policy(
        &cron,
        spec.dst_gap.as_ref().map(|g| g.value),
        spec.dst_fold.as_ref().map(|f| f.value),
    );
    let before_end = match (wall_end, start.offset) {
        (Some(w), None) => start.civil < w,
        _ => s < e,
    };
    if engine == Engine::Flyte && !before_end {
        diags.push(
            Diagnostic::error("E0413", format!("flyte needs the start before the end: \"for a backfill start date should be earlier than end date\" (`{}` → `{}`)", spec.start.as_ref().map_or("", |v| v.value.as_str()), spec.end.as_ref().map_or("now", |v| v.value.as_str())))
                .at_opt(spec.end.as_ref().map(|v| v.span)),
        );
        return None;
    }
    // In a zone whose offset changes, cron-utils' own search decides Kestra's runs and
    // variables (engine::kestra_clock): run it, unless the plan is far over the limit.
    let clocked = (engine == Engine::Kestra && !(zone.is_utc() || zone.is_fixed()))
        .then(|| kestra_clocked(input, &cron, policy, s, e, diags))
        .flatten();
    if engine == Engine::Kestra && e < s {
        // Kestra evaluates the start once even when the end is before it.
        let after = next_fire(&cron, zone, policy, s + 1);
        let series = CronSeries::new(cron, zone, policy, s, s + 1);
        let n = clocked.as_ref().map_or(series.len(), |c| c.1);
        diags.push(
            Diagnostic::warning("W0321", format!("the end is before the start; kestra still evaluates the start once ({n} execution{})", if n == 1 { "" } else { "s" }))
                .at_opt(spec.end.as_ref().map(|v| v.span)),
        );
        if let Some(c) = clocked {
            return Some(c);
        }
        // Its `trigger.next` is the next fire after it, however far.
        let flavor = Flavor::Kestra { clock: None };
        return Some((Series::Cron(Box::new(series)), n, after, flavor));
    }
    if engine == Engine::Flyte {
        // flytekit's `CronSchedule` checks its schedule with `croniter(schedule).get_next()`
        // from the clock: a croniter year field that has run out fails the launch plan.
        if let Some(now) = input.now {
            let now_civil = Civil::from_secs(now.instant_in(Zone::UTC));
            if cron.next_after(now_civil).is_none() {
                diags.push(
                    Diagnostic::error("E0418", format!("flytekit refuses this launch plan: croniter finds no fire after now (`{now_civil}`), \"Schedule is invalid ... failed to find next date\""))
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
                Diagnostic::error("E0419", format!("croniter runs out of fire times before the end `{end_civil}`: create_backfill_workflow fails (\"failed to find next date\")"))
                    .at(expr.span)
                    .help("the year field ends inside the window; end the window before its last year ends"),
            );
            return None;
        }
    }
    // Offsets lie within -12 h and +14 h: a fire whose wall time reaches the end's lies
    // between these instants, and every fire before the first has an earlier wall time.
    let series = match wall_end {
        Some(w) => CronSeries::new(cron, zone, policy, lo, hi.max(w.secs() + 13 * 3600)),
        None => CronSeries::new(cron, zone, policy, lo, hi),
    };
    let n = match wall_end {
        Some(w) => {
            let from = series.first_at_or_after(w.secs() - 15 * 3600);
            let past = series
                .iter_range(from, series.len())
                .position(|t| t.civil() >= w)
                .map_or(series.len(), |k| from + k as u64);
            past
        }
        None => clocked.as_ref().map_or(series.len(), |c| c.1),
    };
    // In a zone whose offset changes, croniter's own step (`get_next` with its shifted
    // search for the other offset) decides Flyte's fires: run it, unless the plan is far
    // over the limit anyway.
    let mut flyte_ticks = None;
    let mut n = n;
    if flyte && !(zone.is_utc() || zone.is_fixed()) && n <= input.limit.saturating_add(1000) {
        let until = hi.max(wall_end.map_or(hi, |w| w.secs() + 13 * 3600));
        let clock = crate::engine::croniter_clock::Clock::new(
            series.cron(),
            zone,
            s.saturating_sub(2 * 86_400),
            until.saturating_add(2 * 86_400),
        );
        let cap = usize::try_from(input.limit.saturating_add(1)).unwrap_or(usize::MAX);
        if let Some((ticks, stop)) = clock.backfill(s, e, wall_end, cap) {
            n = ticks.len() as u64;
            flyte_ticks = Some((ticks, stop));
        }
    }
    let first_after_start = series.cron().clone();
    if engine == Engine::Flyte {
        if n == 0 {
            let first =
                CronSeries::new(first_after_start, zone, policy, s + 1, s + 400 * 86_400).get(0);
            let shown = first.map_or("none within a year".to_owned(), |t| {
                civil_text(t, Style::Naive)
            });
            diags.push(
                Diagnostic::error("E0414", format!("the time window is too small for any backfill instances, first instance after start date is {shown}"))
                    .at_opt(spec.end.as_ref().map(|v| v.span))
                    .help("flyte excludes both ends: widen the window past the next fire time"),
            );
            return None;
        }
        if CronSeries::new(series.cron().clone(), zone, policy, e, e + 1).len() == 1 {
            diags.push(
                Diagnostic::warning("W0302", format!("flyte excludes both ends: `{}` is not run ({n} runs, not {}); its docstring says the end is inclusive", spec.end.as_ref().map_or("", |v| v.value.as_str()), n + 1))
                    .at_opt(spec.end.as_ref().map(|v| v.span))
                    .help("flytekit's create_backfill_workflow stops when the next time is >= end_date"),
            );
        }
    }
    if engine == Engine::Kestra
        && n > 1
        && CronSeries::new(series.cron().clone(), zone, policy, e, e + 1).len() == 1
    {
        diags.push(
            Diagnostic::note("N0322", format!("kestra includes both ends: the fire time at the end `{}` runs too ({n} executions, one more than the intervals between start and end)", spec.end.as_ref().map_or_else(|| input.now_text.clone().unwrap_or_default(), |v| v.value.clone())))
                .at_opt(spec.end.as_ref().map(|v| v.span).or(spec.window)),
        );
    }
    if engine == Engine::Kestra && spec.timezone.is_none() {
        diags.push(
            Diagnostic::note("N0320", "kestra evaluates the cron in the server's zone when `timezone` is unset (UTC in the official images); planned in UTC")
                .at(expr.span),
        );
    }
    if engine == Engine::Kestra && !zone.is_utc() {
        diags.push(
            Diagnostic::note("N0321", "kestra before the fix for issue #7227 (February 2025) created no executions for a trigger with a timezone; check your version")
                .at_opt(spec.timezone.as_ref().map(|t| t.span)),
        );
    }
    if let Some(c) = clocked {
        return Some(c);
    }
    if let Some((mut ticks, stop)) = flyte_ticks {
        ticks.extend(stop);
        let events = engine_events(&series, &ticks);
        let after_last = ticks.get(n as usize).copied();
        return Some((
            Series::Listed(Box::new((ticks, events))),
            n,
            after_last,
            Flavor::Flyte,
        ));
    }
    let flavor = match engine {
        Engine::Kestra => Flavor::Kestra { clock: None },
        Engine::Flyte => Flavor::Flyte,
        _ => Flavor::Generic,
    };
    let after_last = next_fire(series.cron(), zone, policy, hi);
    Some((Series::Cron(Box::new(series)), n, after_last, flavor))
}

fn parse_cron(
    text: &str,
    expr: &Sp<String>,
    dialect: crate::cron::CronDialect,
    diags: &mut Vec<Diagnostic>,
) -> Option<Cron> {
    match Cron::parse(&expr.value, dialect) {
        Ok(c) => Some(c),
        Err(errors) => {
            // The cron's byte offsets are into the string value. When the text holds the
            // value verbatim (plain, or quoted without escapes), point at the exact field;
            // otherwise at the whole value.
            let raw = text.get(expr.span.start..expr.span.end).unwrap_or("");
            let inner = raw.find(expr.value.as_str()).map(|i| expr.span.start + i);
            for e in errors {
                let span = match inner {
                    Some(at) => Span::of(text, at + e.start, at + e.end),
                    None => expr.span,
                };
                let mut d = Diagnostic::error(e.code, e.message).at(span);
                d.help = e.help;
                diags.push(d);
            }
            None
        }
    }
}

/// Text of a tick as a wall-clock time.
fn civil_text(t: Tick, style: Style) -> String {
    match style {
        Style::Naive => format_python_str(t.civil(), None),
        Style::Aware => format_python_str(t.civil(), Some(t.offset)),
    }
}

fn generic_every(
    input: &Input<'_>,
    unit: &Sp<Unit>,
    count: &Sp<i64>,
    lo: i64,
    hi: i64,
    diags: &mut Vec<Diagnostic>,
) -> Option<Expanded> {
    if count.value <= 0 {
        diags.push(
            Diagnostic::error(
                "E0412",
                format!("`every.count` must be at least 1, found `{}`", count.value),
            )
            .at(count.span),
        );
        return None;
    }
    let zone = input.zone;
    if let Some(secs) = unit.value.fixed_secs().filter(|s| *s < 86_400) {
        let step = secs * count.value;
        let len = if hi <= lo {
            0
        } else {
            u64::try_from((hi - lo - 1) / step + 1).unwrap_or(0)
        };
        let after = Tick::plain(
            lo + i64::try_from(len).unwrap_or(0) * step,
            zone.offset_at(lo + i64::try_from(len).unwrap_or(0) * step),
        );
        return Some((
            Series::Step {
                first: lo,
                step,
                len,
                offset: 0,
                zone: Some(zone),
            },
            len,
            Some(after),
            Flavor::Generic,
        ));
    }
    // Calendar steps: days, weeks, months, years of wall-clock time from the start.
    let start_civil = zone.civil_at(lo);
    let (days, months) = match unit.value {
        Unit::Day => (count.value, 0),
        Unit::Week => (count.value * 7, 0),
        Unit::Month => (0, count.value),
        _ => (0, count.value * 12),
    };
    let mut resolver = zone.resolver(lo, hi.max(lo) + 86_400 * 400);
    let gap = input
        .spec
        .dst_gap
        .as_ref()
        .map_or(GapRule::Shift, |g| g.value);
    let fold = input
        .spec
        .dst_fold
        .as_ref()
        .map_or(FoldRule::Earlier, |f| f.value);
    let mut ticks = Vec::new();
    let mut k = 0i64;
    // Refuse a window over the limit before computing any tick (a day is at least 23
    // hours and a month at least 28 days, so this never undercounts by more than DST).
    let shortest = if months == 0 {
        days * 86_400 - 3600
    } else {
        months * 28 * 86_400
    };
    let estimate = u64::try_from((hi - lo).max(0) / shortest.max(1)).unwrap_or(u64::MAX);
    if estimate > input.limit.saturating_add(1) {
        diags.push(over_limit(
            &format!("about {}", group_digits(estimate)),
            input.limit,
            unit.span,
        ));
        return None;
    }
    let cap = usize::try_from(input.limit.saturating_add(2)).unwrap_or(usize::MAX);
    let mut after_last: Option<Tick> = None;
    let mut gaps: Vec<(Civil, usize)> = Vec::new();
    let mut folds: Vec<(Civil, usize)> = Vec::new();
    loop {
        let civil = if months == 0 {
            Some(start_civil.plus_secs(k * days * 86_400))
        } else {
            let (y, m, d) = start_civil.date();
            add_months_clamped(y, m, d, k * months)
                .and_then(|(y, m, d)| Civil::from_ymd(y, m, d))
                .map(|c| c.plus_secs(i64::from(start_civil.second_of_day())))
        };
        let Some(civil) = civil.filter(|c| c.in_supported_range()) else {
            break;
        };
        let local = resolver.resolve(civil);
        match local {
            crate::time::Local::Gap { .. } => gaps.push((civil, ticks.len())),
            crate::time::Local::Fold { .. } => folds.push((civil, ticks.len())),
            crate::time::Local::Single(..) => {}
        }
        let resolved: Vec<Tick> = match local {
            crate::time::Local::Single(t, o) => vec![Tick::plain(t, o)],
            crate::time::Local::Gap { after, offset } => match gap {
                GapRule::Skip => vec![],
                GapRule::Shift => vec![Tick {
                    instant: after,
                    offset,
                    second_occurrence: false,
                    shifted: true,
                }],
            },
            crate::time::Local::Fold { earlier, later } => {
                let e = Tick::plain(earlier.0, earlier.1);
                let l = Tick {
                    instant: later.0,
                    offset: later.1,
                    second_occurrence: true,
                    shifted: false,
                };
                match fold {
                    FoldRule::Earlier => vec![e],
                    FoldRule::Later => vec![l],
                    FoldRule::Both => vec![e, l],
                }
            }
        };
        let mut past = false;
        for t in resolved {
            if t.instant >= hi {
                past = true;
                after_last = Some(t);
                break;
            }
            if t.instant >= lo {
                ticks.push(t);
            }
        }
        if past || ticks.len() > cap {
            break;
        }
        k += 1;
    }
    let len = ticks.len() as u64;
    let zone_name = zone.name();
    for (civil, at) in gaps.into_iter().filter(|(c, _)| *c < zone.civil_at(hi)) {
        let (code, message) = match gap {
            GapRule::Skip => ("W0501", format!("generic skips `{civil}`: that time does not exist in {zone_name} (clocks spring forward)")),
            GapRule::Shift => ("W0502", format!("`{civil}` does not exist in {zone_name}: generic runs it at the end of the gap")),
        };
        let runs = if gap == GapRule::Shift {
            vec![at as u64]
        } else {
            vec![]
        };
        diags.push(
            Diagnostic::warning(code, message)
                .runs(runs)
                .at_opt(input.spec.timezone.as_ref().map(|t| t.span))
                .help("choose with `dst: {gap: skip|shift, fold: earlier|later|both}`"),
        );
    }
    for (civil, at) in folds.into_iter().filter(|(c, _)| *c < zone.civil_at(hi)) {
        let (code, how) = match fold {
            FoldRule::Both => ("W0504", "runs it twice"),
            FoldRule::Earlier => ("W0503", "runs it once, at its first occurrence"),
            FoldRule::Later => ("W0503", "runs it once, at its second occurrence"),
        };
        diags.push(
            Diagnostic::warning(
                code,
                format!("`{civil}` happens twice in {zone_name} (clocks fall back): generic {how}"),
            )
            .runs(vec![at as u64])
            .at_opt(input.spec.timezone.as_ref().map(|t| t.span))
            .help("choose with `dst: {gap: skip|shift, fold: earlier|later|both}`"),
        );
    }
    Some((Series::List(ticks), len, after_last, Flavor::Generic))
}

fn dagster(
    input: &Input<'_>,
    schedule: &Sp<Schedule>,
    start: Moment,
    end: Moment,
    diags: &mut Vec<Diagnostic>,
) -> Option<Expanded> {
    let spec = input.spec;
    let zone = input.zone;
    let Schedule::Partitions(p) = &schedule.value else {
        diags.push(
            Diagnostic::error("E0403", "dagster backfills are over partitions: use `schedule: {partitions: {kind: daily}}` or `{partitions: {cron: ..., fmt: ...}}`")
                .at(schedule.span),
        );
        return None;
    };
    let offset_in = |v: &Option<Sp<i64>>,
                     what: &str,
                     lo: i64,
                     hi: i64,
                     default: i64,
                     diags: &mut Vec<Diagnostic>|
     -> i64 {
        match v {
            Some(n) if (lo..=hi).contains(&n.value) => n.value,
            Some(n) => {
                diags.push(
                    Diagnostic::error(
                        "E0417",
                        format!(
                            "`{what}` must be between {lo} and {hi}, found `{}`",
                            n.value
                        ),
                    )
                    .at(n.span),
                );
                default
            }
            None => default,
        }
    };
    let minute = offset_in(
        &p.minute_offset,
        "partitions.minute_offset",
        0,
        59,
        0,
        diags,
    );
    let hour = offset_in(&p.hour_offset, "partitions.hour_offset", 0, 23, 0, diags);
    let (expr, default_fmt) = match p.kind.as_ref().map(|k| k.value) {
        Some(PartitionKind::Hourly) => (format!("{minute} * * * *"), "%Y-%m-%d-%H:%M"),
        Some(PartitionKind::Daily) => (format!("{minute} {hour} * * *"), "%Y-%m-%d"),
        Some(PartitionKind::Weekly) => {
            let day = offset_in(&p.day_offset, "partitions.day_offset", 0, 6, 0, diags);
            (format!("{minute} {hour} * * {day}"), "%Y-%m-%d")
        }
        Some(PartitionKind::Monthly) => {
            // `day_offset=0` is accepted and means the 1st (dagster 1.13.28, run:
            // `TimeWindowPartitionsDefinition` passes `day_offset or None`, then 1).
            let day = offset_in(&p.day_offset, "partitions.day_offset", 0, 31, 1, diags).max(1);
            (format!("{minute} {hour} {day} * *"), "%Y-%m-%d")
        }
        None => (String::new(), ""),
    };
    let text = p
        .cron
        .as_ref()
        .map_or(expr.as_str(), |c| c.value.as_str())
        .to_owned();
    let (cron, fmt) = if let Some(c) = &p.cron {
        let cron = parse_cron(input.text, c, crate::cron::CronDialect::Dagster, diags)?;
        let Some(fmt) = &p.fmt else {
            diags.push(Diagnostic::error("E0416", "a `partitions.cron` needs a `fmt` (TimeWindowPartitionsDefinition has no default format)").at(c.span).help("e.g. `fmt: \"%Y-%m-%d\"`"));
            return None;
        };
        (cron, fmt.value.clone())
    } else {
        let cron = Cron::parse(&expr, crate::cron::CronDialect::Dagster).ok()?;
        (
            cron,
            p.fmt
                .as_ref()
                .map_or(default_fmt.to_owned(), |f| f.value.clone()),
        )
    };
    let policy = input.profile.dst_policy(&cron, None, None);
    let s = start.instant_in(zone);
    let open = spec.end.is_none();
    let e = end.instant_in(zone);
    let end_offset = p.end_offset.as_ref().map_or(0, |o| o.value);
    // Ticks at or after the start, up to the end (with room for end_offset windows).
    let now_at = input.now.map(|n| n.instant_in(zone));
    let hi = if open && end_offset > 0 {
        i64::MAX / 8
    } else {
        // Far enough to count the windows before now too (end_offset counts from there).
        e.max(now_at.unwrap_or(e)).saturating_add(1)
    };
    let hi = hi.min(Civil::from_ymd(9999, 12, 31).map_or(i64::MAX / 8, Civil::secs));
    let series = CronSeries::new(cron, zone, policy, s, hi);
    // How many whole windows from the first key end by `x`; negative when `x` is before
    // the first key's start (then -1 - the ticks between them).
    let windows_by = |x: i64| -> i64 {
        if x >= s {
            i64::try_from(series.first_at_or_after(x.saturating_add(1))).unwrap_or(i64::MAX) - 1
        } else {
            let before = CronSeries::new(series.cron().clone(), zone, policy, x + 1, s).len();
            -1 - i64::try_from(before).unwrap_or(i64::MAX / 4)
        }
    };
    // dagster 1.13.28, `_get_last_partition_window` (run): the last key is the last window
    // that ends by the end *and* by now (a partition whose window has not ended yet does
    // not exist), `end_offset` windows counted from the last one before now.
    let by_end = (!open).then(|| windows_by(e));
    let by_now = now_at.map(|n| windows_by(n).saturating_add(end_offset));
    let keys = match (by_end, by_now) {
        (Some(a), Some(b)) if a <= b => a,
        (_, Some(b)) => b,
        (Some(a), None) => a,
        (None, None) => windows_by(e).saturating_add(end_offset),
    };
    let keys = u64::try_from(keys.max(0))
        .unwrap_or(0)
        .min(series.len().saturating_sub(1));
    let no_keys = |diags: &mut Vec<Diagnostic>| {
        diags.push(
            Diagnostic::warning("W0333", "no partition's whole window fits between the start and the end: dagster has no key to backfill")
                .at_opt(spec.end.as_ref().map(|v| v.span).or(spec.window)),
        );
    };
    // In a zone with DST or odd offsets, dagster's own arithmetic (its fast paths, hours
    // 1-3 as the only DST hours, absolute-hour steps, both-ends window search) decides
    // the keys, and so does its Feb-28-plus-a-day iterator for `… 29 2 *`: run it, unless
    // the plan is far over the limit anyway. In UTC it is run for plans of a size that
    // costs nothing (the calendar's count stands in beyond).
    let leap_day = text.trim_end().ends_with(" 29 2 *");
    let odd_zone = !(zone.is_utc() || zone.is_fixed());
    if (leap_day || odd_zone || (zone.is_utc() && keys <= CLOCK_ALWAYS))
        && keys <= input.limit.saturating_add(1000)
    {
        let now_ts = now_at.unwrap_or(e);
        // Room for reading keys back past the end: a window of `… 29 2 *` is 4-8 years.
        let years = if leap_day { 8 } else { 1 };
        let span = (end_offset.unsigned_abs().min(200) as i64 + 10) * years * 366 * DAY;
        let from = s.min(now_ts).saturating_sub(10 * 366 * DAY);
        let to = e.max(now_ts).saturating_add(span);
        if let Some(clock) = Clock::new(series.cron(), &text, zone, from, to, now_ts) {
            let read = |m: Moment| match m.offset {
                Some(o) => m.civil.secs() - i64::from(o),
                None => clock.naive(m.civil),
            };
            let (s, e) = (read(start), read(end));
            let cap = input.limit.saturating_add(1);
            match clock.partitions(
                s,
                (!open).then_some(e),
                now_at.map_or(e, |_| now_ts),
                end_offset,
                cap,
            ) {
                Ok(Some((ticks, last_end))) => {
                    // A run's window is what dagster reads back from its key; where the
                    // iterator's grid depends on where it starts (local mean time before
                    // ~1900, half-hour shifts), that is not the series' own window.
                    let mut rekeyed = Vec::new();
                    for w in ticks.windows(2) {
                        match clock.key_window(clock.dt_of(w[0]), &fmt) {
                            Ok((a, b)) => {
                                rekeyed.push((clock.tick(a), clock.tick(b)));
                            }
                            Err(f) => {
                                diags.push(dagster_fails(&f, schedule.span));
                                return None;
                            }
                        }
                    }
                    let first_start = ticks.first().map_or(i64::MIN, |t| t.instant);
                    // Which of these keys dagster launches (their windows read back,
                    // validated and merged) is `Plan::dagster_backfill`'s to say.
                    let same = |a: &Tick, b: &Tick| a.instant == b.instant && a.offset == b.offset;
                    let differs = rekeyed
                        .iter()
                        .zip(ticks.windows(2))
                        .any(|((a, b), w)| !same(a, &w[0]) || !same(b, &w[1]));
                    let n = ticks.len().saturating_sub(1) as u64;
                    if n == 0 {
                        no_keys(diags);
                    }
                    let after_last = ticks.get(n as usize).copied();
                    let events = engine_events(&series, &ticks);
                    let suffix_repeats = clock.repeats_every_hour();
                    return Some((
                        Series::Listed(Box::new((ticks, events))),
                        n,
                        after_last,
                        Flavor::Dagster {
                            fmt,
                            suffix_repeats,
                            clock: Some(Box::new(clock)),
                            rekeyed: differs.then(|| rekeyed.into_boxed_slice()),
                            bounds: Some((first_start, last_end, s, (!open).then_some(e))),
                            requests: None,
                        },
                    ));
                }
                Ok(None) => {}
                Err(f) => {
                    diags.push(dagster_fails(&f, schedule.span));
                    return None;
                }
            }
        }
    }
    if keys == 0 {
        no_keys(diags);
    }
    let after_last = series.get(keys);
    let suffix_repeats = policy.fold == FoldRule::Both;
    Some((
        Series::Cron(Box::new(series)),
        keys,
        after_last,
        Flavor::Dagster {
            fmt,
            suffix_repeats,
            clock: None,
            rekeyed: None,
            bounds: None,
            requests: None,
        },
    ))
}

/// The range ends dagster tags run request `k` with, where the plan holds its requests.
fn requests_of(flavor: &Flavor, k: usize) -> Option<(String, String)> {
    match flavor {
        Flavor::Dagster {
            requests: Some(r), ..
        } => r.get(k).map(|(_, a, b)| (a.clone(), b.clone())),
        _ => None,
    }
}

/// Up to this many keys dagster's own arithmetic is run in UTC too (it differs from the
/// calendar's at the edges: `end_offset` windows counted from before the first, a first
/// window that ends after now).
const CLOCK_ALWAYS: u64 = 200_000;

/// The version of dagster whose arithmetic [`Clock`] reproduces.
const DAGSTER: &str = "1.13.28";

/// E0420: dagster itself raises on these partitions.
fn dagster_fails(f: &crate::engine::dagster_clock::Failure, at: Span) -> Diagnostic {
    Diagnostic::error(
        "E0420",
        format!("dagster {DAGSTER} itself fails on these partitions: {}", f.0),
    )
    .at(at)
    .help("dagster raises while listing or re-reading these partition keys (around a time-zone change, a skipped or leap day, or a window that ends after the definition's end); move the start or the end, or change the selection")
}

/// The DST events of `series` (the calendar's view of the transitions), pointed at the
/// ticks the engine's own arithmetic produced around each.
fn engine_events(series: &CronSeries, ticks: &[Tick]) -> Vec<DstEvent> {
    let mut c = series.clone();
    c.locate_events();
    let mut events = c.events().to_vec();
    for e in &mut events {
        let jump = i64::from((e.after - e.before).abs()) + 3600;
        let gap = e.after > e.before;
        let (lo, hi) = (e.at - jump, e.at + jump);
        let first = ticks.partition_point(|t| t.instant < lo);
        e.ticks = ticks[first..]
            .iter()
            .take_while(|t| t.instant < hi)
            .enumerate()
            .filter(|(_, t)| {
                let civil = t.civil();
                if gap {
                    !c.cron().matches(civil)
                        || (civil.secs() >= e.at + i64::from(e.before)
                            && civil.secs() < e.at + i64::from(e.after))
                } else {
                    e.civil_fires.binary_search(&civil).is_ok()
                }
            })
            .map(|(k, _)| (first + k) as u64)
            .collect();
    }
    events
}

impl Plan {
    /// The runs dagster's own asset backfill launches for the kept partitions, where its
    /// clock decides the keys. `AssetBackfillData.from_asset_partitions` turns the named
    /// keys (all of them for the whole definition) into a subset of merged time windows
    /// and lists each window's keys again; a backfill policy makes that a subset once
    /// more, cuts each window into run requests (`get_partition_key_range_for_time_window`,
    /// chunks of `max_partitions_per_run`) and each run reads its range back
    /// (`get_partition_keys_in_range`). Key texts that read back as other windows (local
    /// mean time, half-hour shifts, skipped days, leap days) make these other keys than
    /// the listed ones: the plan is then rebuilt from dagster's.
    fn dagster_backfill(&mut self, spec: &Spec, diags: &mut Vec<Diagnostic>) {
        let Flavor::Dagster {
            clock: Some(clock),
            fmt,
            bounds: Some((first_start, last_end, def_start, def_end)),
            rekeyed,
            ..
        } = &self.flavor
        else {
            return;
        };
        let strategy = spec
            .strategy
            .as_ref()
            .map_or(StrategyKind::PerRun, |s| s.value);
        let per_run = match strategy {
            StrategyKind::PerRun => 0,
            StrategyKind::SingleRun => usize::MAX,
            StrategyKind::MultiRun => spec
                .max_per_run
                .as_ref()
                .and_then(|m| usize::try_from(m.value).ok())
                .filter(|&m| m >= 1)
                .unwrap_or(1),
        };
        let cap = usize::try_from(self.time_count)
            .unwrap_or(usize::MAX)
            .saturating_mul(2)
            .saturating_add(16);
        let listed: Vec<u64> = (0..self.time_count).map(|q| self.series_index(q)).collect();
        let named: Vec<Dt> = listed
            .iter()
            .filter_map(|&i| self.series.get(i))
            .map(|t| clock.dt_of(t))
            .collect();
        let bounds = (*first_start, *last_end);
        let selected = !(spec.select.is_empty() && spec.exclude.is_empty());
        let mut tie: Option<(String, String)> = None;
        // The daemon's memo of the ranges it lists (datetime windows, fold-blind).
        let mut cache = crate::engine::dagster_clock::WindowCache::default();
        type Request = (u64, String, String);
        let derived = (|| -> Result<(Vec<Dt>, Option<Vec<Request>>), Failure> {
            let mut keys = Vec::new();
            let subset = clock.subset_windows(&named, fmt, bounds, cap)?;
            tie = tie.take().or(subset.tie);
            let windows = subset.windows;
            if windows.is_empty() && selected && !named.is_empty() {
                // `bfs_filter_subsets` of an empty subset of named keys.
                return Err(Failure("CheckError: Invariant failed. Description: Multiple initial assets not yet supported (no selected key reads back as a partition inside the definition)".into()));
            }
            // The subset's own windows are keyed by timestamp in dagster's memo: exact.
            for w in windows {
                keys.extend(clock.keys_in_window(w, cap.saturating_sub(keys.len()))?);
            }
            if per_run == 0 {
                return Ok((keys, None));
            }
            let (mut runs, mut sizes) = (Vec::new(), Vec::new());
            let subset = clock.subset_windows(&keys, fmt, bounds, cap)?;
            tie = tie.take().or(subset.tie);
            for w in subset.windows {
                let requests = clock.range_requests(
                    w,
                    (*first_start, *def_start, *def_end),
                    per_run,
                    fmt,
                    cap,
                    &mut cache,
                )?;
                for (a, b, r) in requests {
                    sizes.push((
                        r.len() as u64,
                        clock.key_text(a, fmt),
                        clock.key_text(b, fmt),
                    ));
                    runs.extend(r);
                }
            }
            Ok((runs, Some(sizes)))
        })();
        let (runs, sizes) = match derived {
            Ok(d) => d,
            Err(f) => {
                diags.push(dagster_fails(&f, Span::default()));
                return;
            }
        };
        if let Some((_, a, b)) = sizes.iter().flatten().find(|r| r.0 == 0) {
            diags.push(
                Diagnostic::warning("W0336", format!("dagster launches a run for the range `{a}`…`{b}` that reads back no partition: it is not listed here"))
                    .help("the range's keys read back as windows outside it (a leap-day or skipped-day key); select around them"),
            );
        }
        if let Some((a, b)) = tie {
            diags.push(
                Diagnostic::warning("W0335", format!("dagster reads the keys `{a}` and `{b}` as the same instant: which of them it launches depends on the order of a Python set, which changes from process to process (PYTHONHASHSEED); this preview takes `{a}` first"))
                    .help("a skipped or repeated day makes two key texts name one instant; select around it, or use a `fmt` with the offset (`%z`)"),
            );
        }
        // The runs as listed now: each key, its window, and for a policy the batch sizes
        // chunked from contiguous ranges.
        let window_of = |i: u64| -> Option<(Tick, Tick)> {
            match rekeyed {
                Some(w) => usize::try_from(i).ok().and_then(|i| w.get(i)).copied(),
                None => Some((self.series.get(i)?, self.series.get(i + 1)?)),
            }
        };
        let same_tick = |a: Tick, b: Tick| a.instant == b.instant && a.offset == b.offset;
        let mut windows = Vec::with_capacity(runs.len());
        for &d in &runs {
            match clock.key_window(d, fmt) {
                Ok((a, b)) => windows.push((clock.tick(a), clock.tick(b))),
                Err(f) => {
                    diags.push(dagster_fails(&f, Span::default()));
                    return;
                }
            }
        }
        // The batches as listed now: chunks of each kept range, as series index ranges.
        let chunks: Vec<(u64, u64)> = if per_run == 0 {
            Vec::new()
        } else {
            self.kept
                .iter()
                .flat_map(|&(a, b)| {
                    let size = (per_run as u64).min(b.saturating_sub(a)).max(1);
                    (a..b)
                        .step_by(size as usize)
                        .map(move |i| (i, (i + size).min(b)))
                })
                .collect()
        };
        let key_at = |i: u64| {
            self.series
                .get(i)
                .map(|t| clock.key_text(clock.dt_of(t), fmt))
        };
        let same_batches = match &sizes {
            None => true,
            Some(requests) => {
                requests.len() == chunks.len()
                    && requests.iter().zip(&chunks).all(|(r, &(i, j))| {
                        r.0 == j - i
                            && key_at(i).as_ref() == Some(&r.1)
                            && key_at(j - 1).as_ref() == Some(&r.2)
                    })
            }
        };
        let unchanged = runs.len() == listed.len()
            && same_batches
            && runs.iter().zip(&windows).zip(&listed).all(|((&d, w), &i)| {
                key_at(i) == Some(clock.key_text(d, fmt))
                    && window_of(i).is_some_and(|o| same_tick(o.0, w.0) && same_tick(o.1, w.1))
            });
        if unchanged {
            return;
        }
        // Rebuild the plan from dagster's runs.
        let mut ticks: Vec<Tick> = runs.iter().map(|&d| clock.tick(d)).collect();
        let instants: Vec<i64> = ticks.iter().map(|t| t.instant).collect();
        let mut events = self.series.events().to_vec();
        for e in &mut events {
            let moved: Vec<i64> = e
                .ticks
                .iter()
                .filter_map(|&i| self.series.get(i))
                .map(|t| t.instant)
                .collect();
            e.ticks = instants
                .iter()
                .enumerate()
                .filter(|(_, t)| moved.contains(t))
                .map(|(k, _)| k as u64)
                .collect();
        }
        if let Some(w) = windows.last() {
            ticks.push(w.1);
        }
        let n = runs.len() as u64;
        self.series = Series::Listed(Box::new((ticks, events)));
        self.count = n;
        self.kept = vec![(0, n)];
        self.kept_starts = vec![0];
        self.time_count = n;
        if let Flavor::Dagster {
            rekeyed, requests, ..
        } = &mut self.flavor
        {
            *rekeyed = Some(windows.into_boxed_slice());
            *requests = sizes.map(Vec::into_boxed_slice);
        }
        if n == 0 {
            diags.push(Diagnostic::warning(
                "W0333",
                "dagster's backfill of these partitions has no run: their keys read back as windows outside the definition",
            ));
        }
    }

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
        let keys: std::collections::HashMap<String, u64> = match self.flavor {
            Flavor::Dagster { .. } => {
                let mut map = std::collections::HashMap::new();
                for (i, t) in self.series.iter_range(0, self.count).enumerate() {
                    if let Some(k) = self.partition_key(t) {
                        map.entry(k).or_insert(i as u64);
                    }
                }
                map
            }
            _ => std::collections::HashMap::new(),
        };
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
        } else if let Flavor::Dagster { .. } = self.flavor {
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
        let engine = self.profile.engine;
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
            let help = match engine {
                Engine::Generic => "choose with `dst: {gap: skip|shift, fold: earlier|later|both}`",
                Engine::Kestra => "kestra (cron-utils 9.2.1) skips times in a gap (and can lose fires just after one); a repeated time runs twice unless the fire after it is 2 h or more away",
                Engine::Flyte => "croniter moves a time in a gap to the end of the gap and yields a repeated time twice",
                Engine::Dagster => "dagster starts a window in a gap at the end of the gap; a repeated hour gets a second key with its offset",
                _ => "",
            };
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
        let engine = self.profile.engine;
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
        if self.profile.sequential && self.concurrency > 1 {
            diags.push(
                Diagnostic::warning("W0322", format!("kestra runs a trigger's backfill executions one at a time (kestra#2041): `concurrency: {}` has no effect", self.concurrency))
                    .at_opt(spec.concurrency.as_ref().map(|c| c.span)),
            );
            self.concurrency = 1;
        }
        self.order = spec.order.as_ref().map_or(Order::OldestFirst, |o| o.value);
        if self.order == Order::NewestFirst && engine != Engine::Generic {
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
        // Dagster launches per-partition runs sorted by the key string.
        if engine == Engine::Dagster && self.strategy == StrategyKind::PerRun && self.time_count > 1
        {
            let keys: Vec<(String, u64)> = (0..self.time_count)
                .map(|q| {
                    let i = self.series_index(q);
                    (
                        self.series
                            .get(i)
                            .and_then(|t| self.partition_key(t))
                            .unwrap_or_default(),
                        q,
                    )
                })
                .collect();
            if keys.windows(2).any(|w| w[0].0 > w[1].0) {
                let mut sorted = keys.clone();
                sorted.sort();
                let moved = sorted
                    .iter()
                    .enumerate()
                    .filter(|(i, (_, q))| *i as u64 != *q)
                    .count();
                diags.push(
                    Diagnostic::warning("W0330", format!("dagster launches one-run-per-partition backfills sorted by the key string: {moved} runs start out of date order"))
                        .help("dagster#18563: keys that do not sort like dates (e.g. `%m/%d/%Y`) come out of order; use an ISO `fmt` or a backfill policy"),
                );
                self.permutation = Some(sorted.into_iter().map(|(_, q)| q).collect());
            }
        }
        self.build_groups();
        if engine == Engine::Dagster
            && self.strategy == StrategyKind::SingleRun
            && self.groups.len() > 1
        {
            diags.push(
                Diagnostic::warning("W0331", format!("dagster's single_run launches one run per contiguous range of partitions: {} runs, not 1", self.groups.len()))
                    .at_opt(spec.strategy.as_ref().map(|s| s.span)),
            );
        }
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
        if let Flavor::Dagster {
            requests: Some(sizes),
            ..
        } = &self.flavor
        {
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
        } else if self.profile.engine == Engine::Dagster && self.strategy != StrategyKind::PerRun {
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
    fn series_index(&self, q: u64) -> u64 {
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
        self.profile.engine
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
    fn tick_of(&self, index: u64) -> Option<(u64, Tick, u64)> {
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
        self.style == Style::Naive && !matches!(self.flavor, Flavor::Flyte)
    }

    fn format_instant(&self, t: Tick) -> String {
        match self.style {
            // Flyte binds a naive kickoff time as UTC: that is the run's logical date.
            Style::Naive if matches!(self.flavor, Flavor::Flyte) => {
                format_python_iso(Civil::from_secs(t.instant), Some(0))
            }
            Style::Naive => t.civil().to_string(),
            Style::Aware => format_rfc3339(t.instant, t.offset, self.zone.is_utc()),
        }
    }

    fn partition_key(&self, t: Tick) -> Option<String> {
        let Flavor::Dagster {
            fmt,
            suffix_repeats,
            ..
        } = &self.flavor
        else {
            return None;
        };
        let mut key = strftime(t.civil(), t.offset, self.zone, fmt);
        if *suffix_repeats && t.second_occurrence && !fmt.contains("%z") {
            key.push_str(&strftime(t.civil(), t.offset, self.zone, "%z"));
        }
        Some(key)
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
        if let Flavor::Dagster {
            rekeyed: Some(w), ..
        } = &self.flavor
        {
            if let Some((a, b)) = usize::try_from(i).ok().and_then(|i| w.get(i)) {
                logical = self.format_instant(*a);
                next = Some(*b);
            }
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
        match &self.flavor {
            Flavor::Polyaxon {
                date_only,
                param,
                input_types,
                command,
                args,
            } => {
                let v = if *date_only {
                    format_date(t.civil())
                } else {
                    t.civil().to_string()
                };
                if self.grid.iter().all(|(n, _)| !n.is_empty()) {
                    params.insert(param.clone(), Json::String(v));
                }
                if !command.is_empty() || !args.is_empty() {
                    crate::render::polyaxon_templates(
                        &params,
                        input_types,
                        command,
                        args,
                        &mut vars,
                    );
                }
            }
            Flavor::Mage => self.mage_vars(i, t, &mut vars),
            Flavor::Kestra { clock } => {
                let clocked = clock
                    .as_ref()
                    .and_then(|c| usize::try_from(i).ok().and_then(|i| c.get(i)));
                let previous = match clocked {
                    Some((p, n)) => {
                        next = *n;
                        *p
                    }
                    None => self.kestra_previous(t),
                };
                // Kestra writes its variables in `TimeZone.getTimeZone(zone id)`, which is
                // GMT for an offset id such as `+05:30` (Java's fallback for ids it does not
                // know): such a trigger's dates print in UTC.
                let fixed = self.zone.is_fixed();
                let fmt =
                    |t: Tick| format_rfc3339(t.instant, if fixed { 0 } else { t.offset }, true);
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
            Flavor::Flyte => {
                let name = match self.style {
                    Style::Naive => format_python_str(t.civil(), None),
                    Style::Aware => format_python_str(t.civil(), Some(t.offset)),
                };
                vars.insert("node_name".to_owned(), Json::String(format!("b-{name}")));
                vars.insert("node_id".to_owned(), Json::String(format!("n{index}")));
                let upstream =
                    (self.concurrency == 1 && index > 0).then(|| format!("n{}", index - 1));
                vars.insert(
                    "upstream".to_owned(),
                    upstream.map_or(Json::Null, Json::String),
                );
                // The workflow receives the kickoff time through Flyte's literal (a
                // protobuf Timestamp): the instant in UTC, a naive value read as UTC.
                vars.insert(
                    "kickoff_time".to_owned(),
                    Json::String(format_python_iso(Civil::from_secs(t.instant), Some(0))),
                );
            }
            Flavor::Dagster { .. } | Flavor::Generic => {}
        }
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

    fn kestra_previous(&self, t: Tick) -> Option<Tick> {
        let Series::Cron(c) = &self.series else {
            return None;
        };
        // cron-utils' lastExecution: the previous civil fire; in a fold, the later pass.
        let mut civil = t.civil();
        for _ in 0..1000 {
            let prev = c.cron().prev_before(civil)?;
            let mut r = self
                .zone
                .resolver(prev.secs() - 86_400, prev.secs() + 86_400);
            match r.resolve(prev) {
                crate::time::Local::Single(i, o) => return Some(Tick::plain(i, o)),
                crate::time::Local::Fold { later, .. } => {
                    if later.0 < t.instant {
                        return Some(Tick::plain(later.0, later.1));
                    }
                    civil = prev;
                }
                crate::time::Local::Gap { .. } => civil = prev,
            }
        }
        None
    }

    fn mage_vars(&self, i: u64, t: Tick, vars: &mut Map<String, Json>) {
        let n = self.count;
        let iso = |t: Tick| match self.style {
            Style::Naive => format_python_iso(t.civil(), None),
            Style::Aware => format_python_iso(t.civil(), Some(t.offset)),
        };
        let prev = (i > 0).then(|| self.series.get(i - 1)).flatten();
        let next = (i + 1 < n).then(|| self.series.get(i + 1)).flatten();
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
        let mut tags = Map::new();
        if self.profile.engine == Engine::Dagster {
            let key = |t: Tick| self.partition_key(t).map_or(Json::Null, Json::String);
            match self.strategy {
                StrategyKind::PerRun => {
                    tags.insert("dagster/partition".to_owned(), key(first));
                }
                _ if requests_of(&self.flavor, k).is_some() => {
                    let (a, b) = requests_of(&self.flavor, k).unwrap_or_default();
                    tags.insert(
                        "dagster/asset_partition_range_start".to_owned(),
                        Json::String(a),
                    );
                    tags.insert(
                        "dagster/asset_partition_range_end".to_owned(),
                        Json::String(b),
                    );
                }
                _ => {
                    tags.insert("dagster/asset_partition_range_start".to_owned(), key(first));
                    tags.insert("dagster/asset_partition_range_end".to_owned(), key(last));
                }
            }
        }
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
            "bounds": self.profile.bounds_text,
            "reproduces": self.profile.reproduces,
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
            "engine": self.profile.engine,
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
