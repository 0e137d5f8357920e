//! What the components show, computed from the core's types: numbers and durations as
//! text, the runs table's columns, the timeline's bars, the comparison in words, and
//! finding a run by index or date. Pure functions; no signals, no DOM.

use backfill_core::{parse_moment, Engine, Plan, Planned, Run};
use serde_json::Value as Json;

/// `1234567` as `1,234,567`.
#[must_use]
pub fn count(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Seconds as `3d 4h`, `2h 05m`, `12m 30s` or `45s`.
#[must_use]
pub fn duration(secs: i64) -> String {
    let s = secs.max(0);
    let (d, h, m, sec) = (s / 86_400, s / 3600 % 24, s / 60 % 60, s % 60);
    if d > 0 {
        format!("{d}d {h}h")
    } else if h > 0 {
        format!("{h}h {m:02}m")
    } else if m > 0 {
        format!("{m}m {sec:02}s")
    } else {
        format!("{sec}s")
    }
}

/// A JSON value as a cell shows it: strings bare, everything else as JSON.
#[must_use]
pub fn cell(v: &Json) -> String {
    match v {
        Json::String(s) => s.clone(),
        Json::Null => "—".to_owned(),
        other => other.to_string(),
    }
}

/// The summary's facts, as text.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Facts {
    /// Runs, batches, waves.
    pub runs: String,
    /// Number of batches.
    pub batches: String,
    /// Number of waves.
    pub waves: String,
    /// First run in the schedule's zone (or naive).
    pub first: String,
    /// First run in UTC (empty for naive engines).
    pub first_utc: String,
    /// Last run in the schedule's zone.
    pub last: String,
    /// Last run in UTC.
    pub last_utc: String,
    /// The zone, or "naive".
    pub zone: String,
    /// Estimated makespan.
    pub makespan: String,
    /// Overhead saved against one run per partition.
    pub overhead_saved: String,
    /// The recommended batch size for the estimated run time.
    pub recommended: String,
    /// Which run time the recommendation is for.
    pub recommended_for: String,
    /// Strategy and concurrency in words.
    pub strategy: String,
    /// The engine's bounds in words.
    pub bounds: String,
    /// Batches launched at once.
    pub concurrency: u64,
    /// Estimated seconds per run.
    pub run_secs: i64,
    /// Estimated overhead per launched run.
    pub overhead_secs: i64,
    /// Estimated makespan in seconds.
    pub makespan_secs: i64,
}

/// The summary's facts of a plan (one pass over the plan's batches, for the estimate).
#[must_use]
pub fn facts(plan: &Plan) -> Facts {
    let s = plan.summary();
    let e = &s.estimate;
    let concurrency = s.concurrency.max(1);
    // The strategy by its name in the spec (`per_run`, `multi_run`, `single_run`).
    let name = serde_json::to_value(s.strategy)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default();
    let strategy = match s.max_per_run {
        Some(max) => format!("{name} (≤ {max} per run)"),
        None => name,
    };
    let rec = &e.recommended_batch;
    Facts {
        runs: count(plan.run_count()),
        batches: count(plan.batch_count()),
        waves: count(plan.wave_count()),
        first: s.first.clone().unwrap_or_default(),
        first_utc: s.first_utc.clone().unwrap_or_default(),
        last: s.last.clone().unwrap_or_default(),
        last_utc: s.last_utc.clone().unwrap_or_default(),
        zone: if s.naive {
            "naive (no zone)".to_owned()
        } else {
            s.timezone.clone()
        },
        makespan: duration(e.makespan_secs),
        overhead_saved: duration(e.overhead_saved_secs),
        recommended: if plan.batches_allowed() {
            format!("{}–{} per run", rec.min, rec.max)
        } else {
            "1 per run".to_owned()
        },
        recommended_for: if plan.batches_allowed() {
            format!("for runs of {}", rec.for_run_time)
        } else {
            format!("{} creates one run per date", plan.engine())
        },
        strategy: format!("{strategy}, concurrency {concurrency}"),
        bounds: s.bounds.to_owned(),
        concurrency,
        run_secs: e.run_secs,
        overhead_secs: e.overhead_secs,
        makespan_secs: e.makespan_secs,
    }
}

/// A column of the runs table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Column {
    /// The logical date.
    LogicalDate,
    /// Wall-clock time in the schedule's zone.
    LocalTime,
    /// The partition key (engines that have one).
    PartitionKey,
    /// Interval start → end.
    Interval,
    /// Batch and wave.
    Batch,
    /// One of the engine's variables.
    Var(String),
    /// One of the run's params.
    Param(String),
}

impl Column {
    /// The header text.
    #[must_use]
    pub fn title(&self) -> String {
        match self {
            Column::LogicalDate => "logical date".to_owned(),
            Column::LocalTime => "local time".to_owned(),
            Column::PartitionKey => "partition key".to_owned(),
            Column::Interval => "interval".to_owned(),
            Column::Batch => "batch · wave".to_owned(),
            Column::Var(k) | Column::Param(k) => k.clone(),
        }
    }

    /// The width (CSS), so every row lines up.
    #[must_use]
    pub fn width(&self) -> &'static str {
        match self {
            Column::LogicalDate | Column::LocalTime => "15.5rem",
            Column::PartitionKey => "12rem",
            Column::Interval => "26rem",
            Column::Batch => "7rem",
            Column::Var(_) => "17rem",
            Column::Param(_) => "10rem",
        }
    }

    /// The cell text of `run`.
    #[must_use]
    pub fn value(&self, run: &Run) -> String {
        match self {
            Column::LogicalDate => run.logical_date.clone(),
            Column::LocalTime => run.local_time.clone(),
            Column::PartitionKey => run.partition_key.clone().unwrap_or_default(),
            Column::Interval => format!(
                "{} → {}",
                run.interval_start,
                run.interval_end.as_deref().unwrap_or("…")
            ),
            Column::Batch => format!("{} · {}", run.batch, run.wave),
            Column::Var(k) => run.vars.get(k).map(cell).unwrap_or_default(),
            Column::Param(k) => run.params.get(k).map(cell).unwrap_or_default(),
        }
    }
}

/// The runs table's columns for this plan's engine: what its first run carries.
#[must_use]
pub fn columns(plan: &Plan) -> Vec<Column> {
    let mut cols = vec![Column::LogicalDate, Column::LocalTime];
    let Some(first) = plan.run(0) else {
        return cols;
    };
    if first.partition_key.is_some() {
        cols.push(Column::PartitionKey);
    }
    cols.push(Column::Interval);
    cols.push(Column::Batch);
    cols.extend(first.vars.keys().map(|k| Column::Var(k.clone())));
    cols.extend(
        first
            .params
            .keys()
            .filter(|k| !first.vars.contains_key(*k))
            .map(|k| Column::Param(k.clone())),
    );
    cols
}

/// The run a query names: an index (`#12` or `12`) or a date (the first run at or after it,
/// read in the plan's zone).
///
/// # Errors
/// A message for the user when the query names no run.
pub fn find_run(plan: &Plan, query: &str) -> Result<u64, String> {
    let q = query.trim();
    let n = plan.run_count();
    if n == 0 {
        return Err("this plan has no runs".to_owned());
    }
    if let Ok(i) = q
        .trim_start_matches('#')
        .replace([',', '_'], "")
        .parse::<u64>()
    {
        return if i < n {
            Ok(i)
        } else {
            Err(format!(
                "there are {} runs: indices 0 to {}",
                count(n),
                count(n - 1)
            ))
        };
    }
    let moment = parse_moment(q).map_err(|e| format!("not an index or a date: {}", e.message))?;
    let target = moment.instant_in(plan.zone());
    let at = |i: u64| plan.run_instant(i).map_or(i64::MAX, |(t, _)| t);
    let ascending = at(0) <= at(n - 1);
    // Binary search over launch order (runs are sorted, one way or the other).
    let (mut lo, mut hi) = (0u64, n);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        let before = if ascending {
            at(mid) < target
        } else {
            at(mid) > target
        };
        if before {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    Ok(lo.min(n - 1))
}

/// One bar of the timeline: a batch, or consecutive batches of one slot when there are
/// more than fit.
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    /// The concurrency slot (lane).
    pub lane: u64,
    /// Start and end as fractions of the makespan.
    pub x0: f64,
    /// End.
    pub x1: f64,
    /// Batches `first..=last`.
    pub batches: (u64, u64),
    /// Runs `first..=last`.
    pub runs: (u64, u64),
    /// Logical date of the first run.
    pub from: String,
    /// Logical date of the last run.
    pub to: String,
}

impl Bar {
    /// What hovering the bar says.
    #[must_use]
    pub fn describe(&self) -> String {
        let size = self.runs.1 - self.runs.0 + 1;
        let batches = if self.batches.0 == self.batches.1 {
            format!("batch {}", self.batches.0)
        } else {
            format!("batches {}–{}", self.batches.0, self.batches.1)
        };
        format!(
            "{batches}, slot {}: {} run{} ({} … {})",
            self.lane,
            count(size),
            if size == 1 { "" } else { "s" },
            self.from,
            self.to
        )
    }
}

/// The timeline of a plan.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Timeline {
    /// Lanes drawn (the concurrency, capped).
    pub lanes: u64,
    /// The bars.
    pub bars: Vec<Bar>,
    /// The estimated makespan in seconds (the axis' length).
    pub total_secs: i64,
    /// Consecutive waves drawn as one bar (1 = every batch drawn).
    pub waves_per_bar: u64,
    /// Slots drawn per lane (1 = one lane per slot).
    pub slots_per_lane: u64,
}

/// At most this many lanes and bars are drawn.
const MAX_LANES: u64 = 16;
const MAX_BARS: u64 = 320;

/// Lay out a plan's batches across its concurrency slots, in estimated time. Waves run
/// one after another; a wave lasts as long as its largest batch. When there are more
/// batches than fit, consecutive waves of each lane are drawn as one bar (placed by wave,
/// which is exact when batches are the same size), so the SVG stays a few hundred rects.
#[must_use]
pub fn timeline(plan: &Plan, facts: &Facts) -> Timeline {
    let batches = plan.batch_count();
    if batches == 0 {
        return Timeline::default();
    }
    let concurrency = facts.concurrency.clamp(1, batches);
    let waves = plan.wave_count().max(1);
    let slots_per_lane = concurrency.div_ceil(MAX_LANES);
    let lanes = concurrency.div_ceil(slots_per_lane);
    if batches <= MAX_BARS {
        // Exact: every batch, each wave as long as its largest batch.
        let all: Vec<_> = plan.batches().collect();
        let starts = plan.wave_starts();
        let t = starts.last().copied().unwrap_or(0);
        #[allow(clippy::cast_precision_loss)]
        let total = t.max(1) as f64;
        let bars = all
            .iter()
            .map(|b| {
                let w = usize::try_from(b.wave).unwrap_or(0);
                let start = starts.get(w).copied().unwrap_or(0);
                #[allow(clippy::cast_precision_loss)]
                Bar {
                    lane: (b.index % concurrency) / slots_per_lane,
                    x0: start as f64 / total,
                    x1: start.saturating_add(plan.batch_secs(b.size)) as f64 / total,
                    batches: (b.index, b.index),
                    runs: (b.run_indices.start, b.run_indices.end - 1),
                    from: b.first.clone(),
                    to: b.last.clone(),
                }
            })
            .collect();
        return Timeline {
            lanes,
            bars,
            total_secs: t,
            waves_per_bar: 1,
            slots_per_lane,
        };
    }
    // Aggregated: columns of consecutive waves, one bar per lane and column.
    let columns = (MAX_BARS / lanes).max(1);
    let waves_per_bar = waves.div_ceil(columns);
    let mut bars = Vec::new();
    let mut w0 = 0;
    while w0 < waves {
        let w1 = (w0 + waves_per_bar).min(waves);
        for lane in 0..lanes {
            let slot_lo = lane * slots_per_lane;
            let slot_hi = ((lane + 1) * slots_per_lane).min(concurrency) - 1;
            let first_batch = w0 * concurrency + slot_lo;
            let mut last_batch = (w1 - 1) * concurrency + slot_hi;
            if first_batch >= batches {
                continue;
            }
            while last_batch >= batches {
                last_batch = last_batch.saturating_sub(concurrency.max(1));
            }
            let (Some(a), Some(b)) = (plan.batch(first_batch), plan.batch(last_batch)) else {
                continue;
            };
            #[allow(clippy::cast_precision_loss)]
            bars.push(Bar {
                lane,
                x0: w0 as f64 / waves as f64,
                x1: w1 as f64 / waves as f64,
                batches: (first_batch, last_batch),
                runs: (a.run_indices.start, b.run_indices.end - 1),
                from: a.first,
                to: b.last,
            });
        }
        w0 = w1;
    }
    Timeline {
        lanes,
        bars,
        total_secs: facts.makespan_secs,
        waves_per_bar,
        slots_per_lane,
    }
}

/// One engine's column of the comparison.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Compared {
    /// The engine.
    pub engine: Engine,
    /// Runs, or empty when the engine cannot plan this input.
    pub runs: Option<u64>,
    /// First run.
    pub first: String,
    /// Last run.
    pub last: String,
    /// Batches.
    pub batches: String,
    /// In words: what differs from the reference engine, and why.
    pub words: String,
}

/// The comparison of every engine's plan against `reference` (the engine on screen).
#[must_use]
pub fn compare(results: &[(Engine, Planned)], reference: Engine) -> Vec<Compared> {
    let reference_plan = results
        .iter()
        .find(|(e, _)| *e == reference)
        .and_then(|(_, p)| p.plan.as_ref());
    let ref_count = reference_plan.map(Plan::run_count);
    let ref_first = reference_plan
        .and_then(|p| p.run_instant(0))
        .map(|(t, _)| t);
    let ref_last = reference_plan
        .and_then(|p| p.run_instant(p.run_count().saturating_sub(1)))
        .map(|(t, _)| t);
    results
        .iter()
        .map(|(engine, planned)| {
            let Some(plan) = &planned.plan else {
                let message = planned
                    .diagnostics
                    .iter()
                    .find(|d| d.is_error())
                    .map_or_else(|| "no plan".to_owned(), |d| d.message.clone());
                return Compared {
                    engine: *engine,
                    runs: None,
                    first: String::new(),
                    last: String::new(),
                    batches: String::new(),
                    words: format!("cannot express this schedule: {message}"),
                };
            };
            let s = plan.summary();
            let text = |v: &Option<String>| v.clone().unwrap_or_else(|| "—".to_owned());
            let n = plan.run_count();
            let mut words = Vec::new();
            if *engine == reference {
                words.push("the engine on screen".to_owned());
            } else if let Some(r) = ref_count {
                let diff = i128::from(n) - i128::from(r);
                words.push(match diff {
                    0 => format!("same count as {reference}"),
                    d if d > 0 => {
                        format!("{} more than {reference}", count(d.unsigned_abs() as u64))
                    }
                    d => format!("{} fewer than {reference}", count(d.unsigned_abs() as u64)),
                });
                let first = plan.run_instant(0).map(|(t, _)| t);
                let last = plan.run_instant(n.saturating_sub(1)).map(|(t, _)| t);
                if first != ref_first {
                    words.push("starts at a different run".to_owned());
                }
                if last != ref_last {
                    words.push("ends at a different run".to_owned());
                }
            }
            words.push(format!("bounds: {}", s.bounds));
            let surprises: Vec<&str> = planned
                .diagnostics
                .iter()
                .filter(|d| !d.is_error())
                .map(|d| d.code.as_str())
                .collect();
            if !surprises.is_empty() {
                words.push(format!("warnings {}", surprises.join(", ")));
            }
            Compared {
                engine: *engine,
                runs: Some(n),
                first: text(&s.first),
                last: text(&s.last),
                batches: count(plan.batch_count()),
                words: words.join("; "),
            }
        })
        .collect()
}

/// A piece of the editor's highlight layer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    /// Text with no diagnostic.
    Plain(String),
    /// Text a diagnostic points at.
    Marked {
        /// The text (empty at the end of a line: the CSS draws the mark).
        text: String,
        /// `error`, `warning` or `note`.
        severity: String,
        /// 1-based line.
        line: u32,
        /// `E0101: message`.
        title: String,
    },
}

/// Cut `text` into plain and marked pieces at the diagnostics' spans (byte ranges,
/// clamped to the text and to character boundaries; overlapping spans keep the first).
#[must_use]
pub fn underline(text: &str, diagnostics: &[backfill_core::Diagnostic]) -> Vec<Piece> {
    let floor = |mut i: usize| {
        i = i.min(text.len());
        while !text.is_char_boundary(i) {
            i -= 1;
        }
        i
    };
    let mut spans: Vec<(usize, usize, &backfill_core::Diagnostic)> = diagnostics
        .iter()
        .filter_map(|d| {
            d.span
                .map(|s| (floor(s.start), floor(s.end.max(s.start)), d))
        })
        .collect();
    spans.sort_by_key(|(s, e, d)| (*s, *e, d.severity));
    let mut pieces = Vec::new();
    let mut at = 0;
    for (start, end, d) in spans {
        if start < at {
            continue;
        }
        if start > at {
            pieces.push(Piece::Plain(text[at..start].to_owned()));
        }
        // An empty span marks the character after it; a line break is never marked
        // (the mark would run to the edge), so an empty mark is drawn by the CSS.
        let end = if end == start {
            text[start..]
                .chars()
                .next()
                .filter(|c| *c != '\n')
                .map_or(start, |c| start + c.len_utf8())
        } else {
            end
        };
        let slice = text[start..end].trim_end_matches('\n');
        let end = start + slice.len();
        pieces.push(Piece::Marked {
            text: slice.to_owned(),
            severity: d.severity.to_string(),
            line: d.span.map_or(0, |s| s.line),
            title: format!("{}: {}", d.code, d.message),
        });
        at = end;
    }
    if at < text.len() {
        pieces.push(Piece::Plain(text[at..].to_owned()));
    }
    pieces
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use backfill_core::{plan, PlanOptions};

    fn planned(text: &str) -> Plan {
        let options = PlanOptions {
            now: Some("2024-06-01T00:00:00Z".parse().unwrap()),
            ..PlanOptions::default()
        };
        let p = plan(text, &options);
        p.plan
            .unwrap_or_else(|| panic!("no plan: {:?}", p.diagnostics))
    }

    const DAILY_NY: &str = "engine: generic\nschedule: {cron: \"0 2 * * *\"}\ntimezone: America/New_York\nwindow: {start: 2024-03-08, end: 2024-03-12}\n";

    #[test]
    fn counts_are_grouped_by_thousands() {
        assert_eq!(count(0), "0");
        assert_eq!(count(999), "999");
        assert_eq!(count(1_000), "1,000");
        assert_eq!(count(1_234_567), "1,234,567");
        assert_eq!(count(u64::MAX), "18,446,744,073,709,551,615");
    }

    #[test]
    fn durations_keep_their_two_largest_units() {
        assert_eq!(duration(-5), "0s");
        assert_eq!(duration(45), "45s");
        assert_eq!(duration(750), "12m 30s");
        assert_eq!(duration(2 * 3600 + 5 * 60), "2h 05m");
        assert_eq!(duration(3 * 86_400 + 4 * 3600 + 59), "3d 4h");
    }

    #[test]
    fn cells_show_strings_bare_and_null_as_a_dash() {
        assert_eq!(cell(&Json::String("a b".into())), "a b");
        assert_eq!(cell(&Json::Null), "—");
        assert_eq!(cell(&serde_json::json!([1, "x"])), "[1,\"x\"]");
    }

    #[test]
    fn facts_name_the_zone_and_both_ends_in_utc() {
        let p = planned(DAILY_NY);
        let f = facts(&p);
        assert_eq!(f.runs, "4");
        assert_eq!(f.first, "2024-03-08T02:00:00-05:00");
        assert_eq!(f.first_utc, "2024-03-08T07:00:00Z");
        // 2024-03-10 02:00 does not exist in New York: the generic rule shifts it.
        assert_eq!(f.last, "2024-03-11T02:00:00-04:00");
        assert!(f.zone.contains("America/New_York"), "{}", f.zone);
    }

    #[test]
    fn find_run_takes_an_index_or_a_date_in_the_plans_zone() {
        let p = planned(DAILY_NY);
        assert_eq!(find_run(&p, "#2"), Ok(2));
        assert_eq!(find_run(&p, "1"), Ok(1));
        assert!(find_run(&p, "9").unwrap_err().contains("indices 0 to 3"));
        // 2024-03-09 00:00 in New York: the first run at or after it is the 9th's.
        assert_eq!(find_run(&p, "2024-03-09"), Ok(1));
        assert_eq!(
            find_run(&p, "2030-01-01"),
            Ok(3),
            "past the end: the last run"
        );
        assert!(find_run(&p, "tomorrow")
            .unwrap_err()
            .starts_with("not an index"));
    }

    #[test]
    fn columns_follow_what_the_engines_runs_carry() {
        let kestra = planned("engine: kestra\nschedule: {cron: \"0 * * * *\"}\nwindow: {start: 2024-01-01T00:00:00Z, end: 2024-01-01T03:00:00Z}\n");
        let cols = columns(&kestra);
        assert!(cols.contains(&Column::Var("trigger.previous".into())));
        assert!(!cols.contains(&Column::PartitionKey));
        let dagster = planned("engine: dagster\nschedule: {partitions: {kind: daily}}\nwindow: {start: 2024-01-01, end: 2024-01-04}\n");
        assert!(columns(&dagster).contains(&Column::PartitionKey));
    }

    #[test]
    fn a_timeline_lasts_as_long_as_the_plans_estimate() {
        let p = planned("engine: generic\nschedule: {cron: \"0 * * * *\"}\nwindow: {start: 2024-01-01T00:00:00Z, end: 2024-01-01T10:00:00Z}\nconcurrency: 3\nestimate: {run: 60s, overhead: 0s}\n");
        let f = facts(&p);
        let t = timeline(&p, &f);
        assert_eq!(t.lanes, 3);
        assert_eq!(t.bars.len(), 10);
        assert_eq!(t.total_secs, p.estimate().makespan_secs);
        // Batch 3 opens the second wave: a third of the way along.
        let b = &t.bars[3];
        assert_eq!((b.lane, b.batches), (0, (3, 3)));
        assert!((b.x0 - 0.25).abs() < 1e-9, "{}", b.x0);
    }

    #[test]
    fn a_large_timeline_is_drawn_in_a_bounded_number_of_bars() {
        let p = planned("engine: generic\nschedule: {cron: \"* * * * *\"}\nwindow: {start: 2024-01-01T00:00:00Z, end: 2024-01-08T00:00:00Z}\nconcurrency: 40\n");
        let t = timeline(&p, &facts(&p));
        assert!(t.bars.len() as u64 <= MAX_BARS, "{}", t.bars.len());
        assert!(t.lanes <= MAX_LANES);
        let last = t.bars.iter().map(|b| b.runs.1).max().unwrap();
        assert_eq!(last, p.run_count() - 1, "the bars cover every run");
    }

    #[test]
    fn the_comparison_says_what_differs_from_the_engine_on_screen() {
        let text =
            "schedule: {cron: \"0 0 * * *\"}\nwindow: {start: 2024-01-01, end: 2024-01-05}\n";
        let results = backfill_core::compare(text, &PlanOptions::default());
        let rows = compare(&results, Engine::Kestra);
        let kestra = rows.iter().find(|r| r.engine == Engine::Kestra).unwrap();
        assert!(kestra.words.starts_with("the engine on screen"));
        let flyte = rows.iter().find(|r| r.engine == Engine::Flyte).unwrap();
        // Kestra includes both ends (5 runs), Flyte excludes both (3).
        assert_eq!((kestra.runs, flyte.runs), (Some(5), Some(3)));
        assert!(
            flyte.words.starts_with("2 fewer than kestra"),
            "{}",
            flyte.words
        );
        assert!(flyte.words.contains("starts at a different run"));
    }

    #[test]
    fn underlines_cut_the_text_at_the_spans_and_lose_nothing() {
        let text = "engine: kestra\nschedule: {cron: \"0 * * * *\"}\nwindow: {start: 2024-01-01, end: 2024-01-02}\nretires: 2\n";
        let p = plan(text, &PlanOptions::default());
        let pieces = underline(text, &p.diagnostics);
        let joined: String = pieces
            .iter()
            .map(|p| match p {
                Piece::Plain(t) | Piece::Marked { text: t, .. } => t.as_str(),
            })
            .collect();
        assert_eq!(joined, text);
        let marked = pieces.iter().find_map(|p| match p {
            Piece::Marked {
                text, line, title, ..
            } if title.starts_with("E0101") => Some((text.clone(), *line)),
            _ => None,
        });
        assert_eq!(marked, Some(("retires".to_owned(), 4)));
    }

    #[test]
    fn underlines_survive_spans_past_the_end_and_inside_characters() {
        let text = "é\n";
        let mut d = backfill_core::Diagnostic::error("E0001", "x");
        d.span = Some(backfill_core::Span {
            start: 1,
            end: 99,
            line: 1,
            column: 1,
        });
        let pieces = underline(text, &[d]);
        let joined: String = pieces
            .iter()
            .map(|p| match p {
                Piece::Plain(t) | Piece::Marked { text: t, .. } => t.as_str(),
            })
            .collect();
        assert_eq!(joined, text);
    }
}
