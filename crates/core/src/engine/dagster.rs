//! Dagster: a backfill of time-window partitions (dagster 1.13.28), launched per
//! partition or under a backfill policy.
//!
//! - A partition exists only if its whole window ends by the end of the window *and* by
//!   now (`end_offset` windows counted from the last one before now).
//! - A window starting in a DST gap starts at the gap's end; a repeated hour gets a
//!   second key with its offset.
//! - Per-partition runs launch sorted by the key string (dagster#18563).
//! - In a zone with DST or odd offsets, and for a leap-day cron, dagster's own
//!   arithmetic decides the keys ([`super::dagster_clock`]); the runs are then derived
//!   again from the key texts as the asset backfill does ([`DagsterRuns::rederive`]).

use super::cron_family::{engine_events, parse_cron};
use super::dagster_clock::{Clock, Dt, Failure, WindowCache};
use super::{Payload, Bounds, EndRule, Engine, Profile, Rederived, Request, RunAt, Runs, StartRule};
use crate::cron::{Cron, CronDialect};
use crate::diag::{Diagnostic, Span};
use crate::plan::export::{pretty, refuse};
use crate::plan::{Expanded, Plan, Validated};
use crate::series::{CronSeries, DstPolicy, Series, Tick};
use crate::input::spec::{PartitionKind, PartitionsSpec, Schedule, Sp, Spec, StrategyKind, Unit};
use crate::series::{FoldRule, GapRule};
use crate::time::{civil::DAY, strftime, Civil, Moment, Zone};
use serde_json::{json, Map, Value as Json};
use std::sync::Arc;
use crate::diag::codes;

/// dagster 1.13.28.
#[derive(Debug)]
pub(crate) struct Dagster;

/// Up to this many keys dagster's own arithmetic is run in UTC too (it differs from the
/// calendar's at the edges: `end_offset` windows counted from before the first, a first
/// window that ends after now).
const CLOCK_ALWAYS: u64 = 200_000;

/// The version of dagster whose arithmetic [`Clock`] reproduces.
const DAGSTER: &str = "1.13.28";

/// E0420: dagster itself raises on these partitions.
fn dagster_fails(f: &Failure, at: Span) -> Diagnostic {
    Diagnostic::error(
        codes::DAGSTER_FAILS,
        format!("dagster {DAGSTER} itself fails on these partitions: {}", f.0),
    )
    .at(at)
    .help("dagster raises while listing or re-reading these partition keys (around a time-zone change, a skipped or leap day, or a window that ends after the definition's end); move the start or the end, or change the selection")
}

/// Dagster's runs: partition keys in `fmt` (none for runs at explicit dates, which
/// still get dagster's batch tags).
///
/// `suffix_repeats`: both passes of a fold get a key, so the second carries its offset.
/// `clock`: dagster's own arithmetic, where it differs from the calendar's (zones with
/// offset changes); `rekeyed`: each run's window as dagster gives it from the key's text
/// (`time_window_for_partition_key`), where that is not the series' own.
#[derive(Debug)]
struct DagsterRuns {
    fmt: Option<String>,
    suffix_repeats: bool,
    clock: Option<Arc<Clock>>,
    rekeyed: Option<Arc<[(Tick, Tick)]>>,
    /// The first partition's start, the last one's end, the definition's start and end.
    bounds: Option<(i64, i64, i64, Option<i64>)>,
    /// Each run request dagster builds for a backfill policy, where they are not chunks
    /// of contiguous ranges of the listed keys.
    requests: Option<Arc<[Request]>>,
}

impl Runs for DagsterRuns {
    fn vars(
        &self,
        _plan: &Plan,
        _at: RunAt,
        _params: &mut Map<String, Json>,
        _vars: &mut Map<String, Json>,
        _next: &mut Option<Tick>,
    ) {
    }

    fn keyed(&self) -> bool {
        self.fmt.is_some()
    }

    fn partition_key(&self, t: Tick, zone: Zone) -> Option<String> {
        let fmt = self.fmt.as_deref()?;
        let mut key = strftime(t.civil(), t.offset, zone, fmt);
        if self.suffix_repeats && t.second_occurrence && !fmt.contains("%z") {
            key.push_str(&strftime(t.civil(), t.offset, zone, "%z"));
        }
        Some(key)
    }

    fn window(&self, i: u64) -> Option<(Tick, Tick)> {
        let w = self.rekeyed.as_ref()?;
        usize::try_from(i).ok().and_then(|i| w.get(i)).copied()
    }

    fn requests(&self) -> Option<&[Request]> {
        self.requests.as_deref()
    }

    fn batch_tags(&self, plan: &Plan, group: usize, first: Tick, last: Tick) -> Map<String, Json> {
        let mut tags = Map::new();
        let key = |t: Tick| {
            self.partition_key(t, plan.zone)
                .map_or(Json::Null, Json::String)
        };
        let request = self.requests.as_ref().and_then(|r| r.get(group));
        match (plan.strategy, request) {
            (StrategyKind::PerRun, _) => {
                tags.insert("dagster/partition".to_owned(), key(first));
            }
            (_, Some((_, a, b))) => {
                tags.insert(
                    "dagster/asset_partition_range_start".to_owned(),
                    Json::String(a.clone()),
                );
                tags.insert(
                    "dagster/asset_partition_range_end".to_owned(),
                    Json::String(b.clone()),
                );
            }
            _ => {
                tags.insert("dagster/asset_partition_range_start".to_owned(), key(first));
                tags.insert("dagster/asset_partition_range_end".to_owned(), key(last));
            }
        }
        tags
    }

    /// The runs dagster's own asset backfill launches for the kept partitions, where its
    /// clock decides the keys. `AssetBackfillData.from_asset_partitions` turns the named
    /// keys (all of them for the whole definition) into a subset of merged time windows
    /// and lists each window's keys again; a backfill policy makes that a subset once
    /// more, cuts each window into run requests (`get_partition_key_range_for_time_window`,
    /// chunks of `max_partitions_per_run`) and each run reads its range back
    /// (`get_partition_keys_in_range`). Key texts that read back as other windows (local
    /// mean time, half-hour shifts, skipped days, leap days) make these other keys than
    /// the listed ones: the plan is then rebuilt from dagster's.
    fn rederive(&self, plan: &Plan, spec: &Spec, diags: &mut Vec<Diagnostic>) -> Option<Rederived> {
        let (Some(clock), Some((first_start, last_end, def_start, def_end))) =
            (&self.clock, &self.bounds)
        else {
            return None;
        };
        let (Some(fmt), rekeyed) = (&self.fmt, &self.rekeyed) else {
            return None;
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
        let cap = usize::try_from(plan.time_count)
            .unwrap_or(usize::MAX)
            .saturating_mul(2)
            .saturating_add(16);
        let listed: Vec<u64> = (0..plan.time_count).map(|q| plan.series_index(q)).collect();
        let named: Vec<Dt> = listed
            .iter()
            .filter_map(|&i| plan.series.get(i))
            .map(|t| clock.dt_of(t))
            .collect();
        let bounds = (*first_start, *last_end);
        let selected = !(spec.select.is_empty() && spec.exclude.is_empty());
        let mut tie: Option<(String, String)> = None;
        // The daemon's memo of the ranges it lists (datetime windows, fold-blind).
        let mut cache = WindowCache::default();
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
                return None;
            }
        };
        if let Some((_, a, b)) = sizes.iter().flatten().find(|r| r.0 == 0) {
            diags.push(
                Diagnostic::warning(codes::DAGSTER_EMPTY_RANGE_RUN, format!("dagster launches a run for the range `{a}`…`{b}` that reads back no partition: it is not listed here"))
                    .help("the range's keys read back as windows outside it (a leap-day or skipped-day key); select around them"),
            );
        }
        if let Some((a, b)) = tie {
            diags.push(
                Diagnostic::warning(codes::DAGSTER_HASH_ORDER, format!("dagster reads the keys `{a}` and `{b}` as the same instant: which of them it launches depends on the order of a Python set, which changes from process to process (PYTHONHASHSEED); this preview takes `{a}` first"))
                    .help("a skipped or repeated day makes two key texts name one instant; select around it, or use a `fmt` with the offset (`%z`)"),
            );
        }
        // The runs as listed now: each key, its window, and for a policy the batch sizes
        // chunked from contiguous ranges.
        let window_of = |i: u64| -> Option<(Tick, Tick)> {
            match rekeyed {
                Some(w) => usize::try_from(i).ok().and_then(|i| w.get(i)).copied(),
                None => Some((plan.series.get(i)?, plan.series.get(i + 1)?)),
            }
        };
        let same_tick = |a: Tick, b: Tick| a.instant == b.instant && a.offset == b.offset;
        let mut windows = Vec::with_capacity(runs.len());
        for &d in &runs {
            match clock.key_window(d, fmt) {
                Ok((a, b)) => windows.push((clock.tick(a), clock.tick(b))),
                Err(f) => {
                    diags.push(dagster_fails(&f, Span::default()));
                    return None;
                }
            }
        }
        // The batches as listed now: chunks of each kept range, as series index ranges.
        let chunks: Vec<(u64, u64)> = if per_run == 0 {
            Vec::new()
        } else {
            plan.kept
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
            plan.series
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
            return None;
        }
        // Rebuild the plan from dagster's runs.
        let mut ticks: Vec<Tick> = runs.iter().map(|&d| clock.tick(d)).collect();
        let instants: Vec<i64> = ticks.iter().map(|t| t.instant).collect();
        let mut events = plan.series.events().to_vec();
        for e in &mut events {
            let moved: Vec<i64> = e
                .ticks
                .iter()
                .filter_map(|&i| plan.series.get(i))
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
        if n == 0 {
            diags.push(Diagnostic::warning(
                codes::DAGSTER_NO_KEYS,
                "dagster's backfill of these partitions has no run: their keys read back as windows outside the definition",
            ));
        }
        Some(Rederived {
            series: Series::Listed(Box::new((ticks, events))),
            count: n,
            runs: Arc::new(DagsterRuns {
                fmt: self.fmt.clone(),
                suffix_repeats: self.suffix_repeats,
                clock: self.clock.clone(),
                rekeyed: Some(windows.into()),
                bounds: self.bounds,
                requests: sizes.map(Into::into),
            }),
        })
    }
}

impl Profile for Dagster {
    fn engine(&self) -> Engine {
        Engine::Dagster
    }

    fn bounds(&self) -> Bounds {
        Bounds {
            start: StartRule::Inclusive,
            end: EndRule::WholeWindow,
            open_end: true,
            text: "first tick at or after the start; a partition only if its whole window ends by the end",
        }
    }

    fn reproduces(&self) -> &'static str {
        "dagster 1.13.28"
    }

    fn dst_help(&self) -> &'static str {
        "dagster starts a window in a gap at the end of the gap; a repeated hour gets a second key with its offset"
    }

    fn cron_dialect(&self, _with_seconds: bool) -> CronDialect {
        CronDialect::Dagster
    }

    fn dst_policy(&self, cron: &Cron, _gap: Option<GapRule>, _fold: Option<FoldRule>) -> DstPolicy {
        DstPolicy {
            gap: GapRule::Shift,
            fold: if cron.is_fixed_hour() {
                FoldRule::Later
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
        expand(input, schedule, start, end, diags)
    }

    /// Per-partition runs launch sorted by the key string.
    fn launch_order(&self, plan: &Plan, diags: &mut Vec<Diagnostic>) -> Option<Vec<u64>> {
        if plan.strategy != StrategyKind::PerRun || plan.time_count <= 1 {
            return None;
        }
        let keys: Vec<(String, u64)> = (0..plan.time_count)
            .map(|q| {
                let i = plan.series_index(q);
                (
                    plan.series
                        .get(i)
                        .and_then(|t| plan.partition_key(t))
                        .unwrap_or_default(),
                    q,
                )
            })
            .collect();
        if !keys.windows(2).any(|w| w[0].0 > w[1].0) {
            return None;
        }
        let mut sorted = keys.clone();
        sorted.sort();
        let moved = sorted
            .iter()
            .enumerate()
            .filter(|(i, (_, q))| *i as u64 != *q)
            .count();
        diags.push(
            Diagnostic::warning(codes::DAGSTER_KEY_ORDER, format!("dagster launches one-run-per-partition backfills sorted by the key string: {moved} runs start out of date order"))
                .help("dagster#18563: keys that do not sort like dates (e.g. `%m/%d/%Y`) come out of order; use an ISO `fmt` or a backfill policy"),
        );
        Some(sorted.into_iter().map(|(_, q)| q).collect())
    }

    fn explicit_runs(&self, _spec: &Spec, _date_only: bool) -> Arc<dyn Runs> {
        Arc::new(DagsterRuns {
            fmt: None,
            suffix_repeats: false,
            clock: None,
            rekeyed: None,
            bounds: None,
            requests: None,
        })
    }

    fn batches_by_range(&self, strategy: StrategyKind) -> bool {
        strategy != StrategyKind::PerRun
    }

    fn after_batching(&self, plan: &Plan, spec: &Spec, diags: &mut Vec<Diagnostic>) {
        if plan.strategy == StrategyKind::SingleRun && plan.groups.len() > 1 {
            diags.push(
                Diagnostic::warning(codes::DAGSTER_SINGLE_RUN_RANGES, format!("dagster's single_run launches one run per contiguous range of partitions: {} runs, not 1", plan.groups.len()))
                    .at_opt(spec.strategy.as_ref().map(|s| s.span)),
            );
        }
    }

    fn restate(
        &self,
        schedule: &Schedule,
        interval: Option<(Unit, i64)>,
        cron: Option<String>,
        at: Span,
    ) -> Option<Schedule> {
        if let Schedule::Partitions(_) = schedule {
            return None;
        }
        let kind = match interval {
            Some((Unit::Hour, 1)) => Some(PartitionKind::Hourly),
            Some((Unit::Day, 1)) => Some(PartitionKind::Daily),
            Some((Unit::Week, 1)) => Some(PartitionKind::Weekly),
            Some((Unit::Month, 1)) => Some(PartitionKind::Monthly),
            _ => None,
        };
        let valid = cron
            .as_deref()
            .is_some_and(|c| Cron::parse(c, CronDialect::Dagster).is_ok());
        match (kind, cron) {
            // The kinds' own offsets come from the cron, so keys and windows match it.
            (Some(_), Some(c)) if valid => Some(Schedule::Partitions(PartitionsSpec {
                cron: Some(Sp::new(c, at)),
                fmt: Some(Sp::new(
                    if kind == Some(PartitionKind::Hourly) {
                        "%Y-%m-%d-%H:%M"
                    } else {
                        "%Y-%m-%d"
                    }
                    .to_owned(),
                    at,
                )),
                ..PartitionsSpec::default()
            })),
            (None, Some(c)) if valid => Some(Schedule::Partitions(PartitionsSpec {
                cron: Some(Sp::new(c, at)),
                fmt: Some(Sp::new("%Y-%m-%d-%H:%M".to_owned(), at)),
                ..PartitionsSpec::default()
            })),
            _ => None,
        }
    }

    fn payload(&self) -> Option<Payload> {
        Some(Payload {
            label: "Dagster backfill variables",
            extension: "json",
        })
    }

    /// Dagster's `launchPartitionBackfill` variables: inclusive partition-key ranges.
    fn export(&self, plan: &Plan) -> Option<Result<String, Diagnostic>> {
        Some(variables(plan))
    }
}

fn variables(plan: &Plan) -> Result<String, Diagnostic> {
    if plan.engine() != Engine::Dagster {
        return Err(refuse(
            "dagster backfills name partition keys, and this plan has none",
            "plan it with `engine: dagster` and a `partitions` schedule",
        ));
    }
    if plan.run_count() == 0 {
        return Err(refuse(
            "the plan has no partitions to backfill",
            "widen the window",
        ));
    }
    let key = |i: u64| {
        plan.run(i)
            .and_then(|r| r.partition_key)
            .unwrap_or_default()
    };
    let ranges: Vec<Json> = plan
        .time_ranges()
        .iter()
        .map(|(a, b)| json!({"start": key(*a), "end": key(*b)}))
        .collect();
    let partitions = if ranges.len() == 1 {
        json!({"range": ranges[0]})
    } else {
        json!({"ranges": ranges})
    };
    let path: Vec<&str> = plan
        .label("asset")
        .unwrap_or("<asset>")
        .split('/')
        .collect();
    let tags: Vec<Json> = plan
        .labels
        .iter()
        .filter(|(k, _)| k != "asset" && k != "title")
        .map(|(k, v)| json!({"key": k, "value": v}))
        .collect();
    let mut params = Map::new();
    params.insert(
        "partitionsByAssets".to_owned(),
        json!([{"assetKey": {"path": path}, "partitions": partitions}]),
    );
    if let Some(title) = plan.label("title") {
        params.insert("title".to_owned(), Json::String(title.to_owned()));
    }
    if !tags.is_empty() {
        params.insert("tags".to_owned(), Json::Array(tags));
    }
    Ok(pretty(&json!({"backfillParams": params})))
}

fn expand(
    input: &Validated<'_>,
    schedule: &Sp<Schedule>,
    start: Moment,
    end: Moment,
    diags: &mut Vec<Diagnostic>,
) -> Option<Expanded> {
    let spec = input.spec();
    let zone = input.zone();
    let Schedule::Partitions(p) = &schedule.value else {
        diags.push(
            Diagnostic::error(codes::WRONG_SCHEDULE_KIND, "dagster backfills are over partitions: use `schedule: {partitions: {kind: daily}}` or `{partitions: {cron: ..., fmt: ...}}`")
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
                        codes::DAGSTER_OFFSET_RANGE,
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
        let cron = parse_cron(input.text(), c, CronDialect::Dagster, diags)?;
        let Some(fmt) = &p.fmt else {
            diags.push(Diagnostic::error(codes::DAGSTER_NO_FMT, "a `partitions.cron` needs a `fmt` (TimeWindowPartitionsDefinition has no default format)").at(c.span).help("e.g. `fmt: \"%Y-%m-%d\"`"));
            return None;
        };
        (cron, fmt.value.clone())
    } else {
        let cron = Cron::parse(&expr, CronDialect::Dagster).ok()?;
        (
            cron,
            p.fmt
                .as_ref()
                .map_or(default_fmt.to_owned(), |f| f.value.clone()),
        )
    };
    let policy = input.profile().dst_policy(&cron, None, None);
    let s = start.instant_in(zone);
    let open = spec.end.is_none();
    let e = end.instant_in(zone);
    let end_offset = p.end_offset.as_ref().map_or(0, |o| o.value);
    // Ticks at or after the start, up to the end (with room for end_offset windows).
    let now_at = input.now().map(|n| n.instant_in(zone));
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
            Diagnostic::warning(codes::DAGSTER_NO_KEYS, "no partition's whole window fits between the start and the end: dagster has no key to backfill")
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
        && keys <= input.limit().saturating_add(1000)
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
            let cap = input.limit().saturating_add(1);
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
                        Arc::new(DagsterRuns {
                            fmt: Some(fmt),
                            suffix_repeats,
                            clock: Some(Arc::new(clock)),
                            rekeyed: differs.then(|| rekeyed.into()),
                            bounds: Some((first_start, last_end, s, (!open).then_some(e))),
                            requests: None,
                        }),
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
        Arc::new(DagsterRuns {
            fmt: Some(fmt),
            suffix_repeats,
            clock: None,
            rekeyed: None,
            bounds: None,
            requests: None,
        }),
    ))
}
