//! What the cron engines (Kestra, Flyte, the generic engine; Dagster's partitions are a
//! cron too) share: the window's ends as the engine includes them, the schedule's cron
//! in the engine's dialect, the fire after a window, and the DST events of a series
//! pointed at the ticks an engine's own arithmetic produced.

use super::{EndRule, Engine, StartRule};
use crate::cron::{Cron, CronDialect};
use crate::diag::codes;
use crate::diag::{Diagnostic, Span};
use crate::input::spec::{Schedule, Sp};
use crate::plan::{Style, Validated};
use crate::series::{CronSeries, DstEvent, DstPolicy, Tick};
use crate::time::{format_python_str, Zone};

/// The instants `[lo, hi)` a cron engine's fires must lie in, from the window's ends
/// `s` and `e` (instants) as the engine's bounds (or the spec's `bounds`) include them.
pub(crate) fn half_open(input: &Validated<'_>, s: i64, e: i64) -> (i64, i64) {
    let bounds = input.profile().bounds();
    let (mut start_incl, mut end_incl) = match (bounds.start, bounds.end) {
        (StartRule::Inclusive, EndRule::Inclusive) => (true, true),
        (StartRule::Exclusive, _) => (false, false),
        _ => (true, false),
    };
    if let Some(b) = &input.spec().bounds {
        start_incl = b.value.start_inclusive;
        end_incl = b.value.end_inclusive;
    }
    let lo = if start_incl { s } else { s + 1 };
    let hi = if end_incl { e + 1 } else { e };
    (lo, hi)
}

/// The schedule's cron, parsed in the engine's dialect; an error for any other kind of
/// schedule (`every_why`: why the engine cannot step by an interval).
pub(crate) fn schedule_cron<'s>(
    input: &Validated<'_>,
    schedule: &'s Sp<Schedule>,
    every_why: &str,
    diags: &mut Vec<Diagnostic>,
) -> Option<(Cron, &'s Sp<String>)> {
    let engine: Engine = input.profile().engine();
    let (expr, with_seconds) = match &schedule.value {
        Schedule::Cron { expr, with_seconds } => {
            (expr, with_seconds.as_ref().is_some_and(|w| w.value))
        }
        Schedule::Every { .. } => {
            diags.push(
                Diagnostic::error(codes::WRONG_SCHEDULE_KIND, every_why)
                    .at(schedule.span)
                    .help("use `schedule: {cron: \"0 0 * * *\"}`"),
            );
            return None;
        }
        Schedule::Partitions(_) | Schedule::Explicit { .. } => {
            diags.push(
                Diagnostic::error(
                    codes::WRONG_SCHEDULE_KIND,
                    format!("`partitions` is dagster's schedule; {engine} uses a cron"),
                )
                .at(schedule.span),
            );
            return None;
        }
    };
    let cron = parse_cron(
        input.text(),
        expr,
        input.profile().cron_dialect(with_seconds),
        diags,
    )?;
    Some((cron, expr))
}

/// Parse a cron, every error pointed at its field in the text.
pub(crate) fn parse_cron(
    text: &str,
    expr: &Sp<String>,
    dialect: CronDialect,
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

/// The first fire at or after `from`, however far (Kestra's `trigger.next` exists for a
/// Feb 29 cron too): a search over 800 days, then, rarely, over the longest gap a cron
/// without a year field has (8 years), so a plan's usual case samples few transitions.
pub(crate) fn next_fire(cron: &Cron, zone: Zone, policy: DstPolicy, from: i64) -> Option<Tick> {
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

/// Text of a tick as a wall-clock time.
pub(crate) fn civil_text(t: Tick, style: Style) -> String {
    match style {
        Style::Naive => format_python_str(t.civil(), None),
        Style::Aware => format_python_str(t.civil(), Some(t.offset)),
    }
}

/// The DST events of `series` (the calendar's view of the transitions), pointed at the
/// ticks the engine's own arithmetic produced around each.
pub(crate) fn engine_events(series: &CronSeries, ticks: &[Tick]) -> Vec<DstEvent> {
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

/// A cron restated as a cron schedule.
pub(crate) fn cron_schedule(cron: Option<String>, at: Span) -> Option<Schedule> {
    cron.map(|c| Schedule::Cron {
        expr: Sp::new(c, at),
        with_seconds: None,
    })
}
