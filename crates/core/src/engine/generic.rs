//! The planner's own engine: a cron or an interval in a zone, with the bounds
//! (`bounds: "[)"`) and the DST rule (`dst: {gap, fold}`) you choose. Defaults: start
//! included, end excluded; a time in a gap runs at the gap's end; a repeated time runs
//! once, at its first pass.

use super::cron_family::{cron_schedule, half_open, next_fire, schedule_cron};
use super::{Bounds, EndRule, Engine, Profile, StartRule};
use crate::diag::{Diagnostic, Span};
use crate::plan::{group_digits, over_limit, Expanded, Validated};
use crate::series::{CronSeries, Series, Tick};
use crate::input::spec::{Schedule, Sp, Unit};
use crate::series::{FoldRule, GapRule};
use crate::time::{civil::add_months_clamped, Civil, Local, Moment};
use std::sync::Arc;
use crate::diag::codes;

/// The generic rules.
#[derive(Debug)]
pub(crate) struct Generic;

impl Profile for Generic {
    fn engine(&self) -> Engine {
        Engine::Generic
    }

    fn bounds(&self) -> Bounds {
        Bounds {
            start: StartRule::Inclusive,
            end: EndRule::Exclusive,
            open_end: false,
            text: "as `bounds` says",
        }
    }

    fn reproduces(&self) -> &'static str {
        "no engine: the generic rules"
    }

    fn dst_help(&self) -> &'static str {
        "choose with `dst: {gap: skip|shift, fold: earlier|later|both}`"
    }

    fn takes_rule_options(&self) -> bool {
        true
    }

    fn reorders(&self) -> bool {
        true
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
        if let Schedule::Every { unit, count } = &schedule.value {
            return every(input, unit, count, lo, hi, diags);
        }
        let (cron, _) = schedule_cron(input, schedule, "", diags)?;
        let policy = self.dst_policy(
            &cron,
            spec.dst_gap.as_ref().map(|g| g.value),
            spec.dst_fold.as_ref().map(|f| f.value),
        );
        let series = CronSeries::new(cron, zone, policy, lo, hi);
        let n = series.len();
        let after_last = next_fire(series.cron(), zone, policy, hi);
        Some((
            Series::Cron(Box::new(series)),
            n,
            after_last,
            Arc::new(super::Plain),
        ))
    }

    fn restate(
        &self,
        schedule: &Schedule,
        _interval: Option<(Unit, i64)>,
        cron: Option<String>,
        at: Span,
    ) -> Option<Schedule> {
        match schedule {
            Schedule::Partitions(_) => cron_schedule(cron, at),
            other => Some(other.clone()),
        }
    }
}

/// `every` over `[lo, hi)`: fixed steps below a day as instants; days, weeks, months
/// and years as wall-clock steps from the start, each resolved in the zone by the
/// spec's DST rule.
fn every(
    input: &Validated<'_>,
    unit: &Sp<Unit>,
    count: &Sp<i64>,
    lo: i64,
    hi: i64,
    diags: &mut Vec<Diagnostic>,
) -> Option<Expanded> {
    if count.value <= 0 {
        diags.push(
            Diagnostic::error(
                codes::INTERVAL_NOT_POSITIVE,
                format!("`every.count` must be at least 1, found `{}`", count.value),
            )
            .at(count.span),
        );
        return None;
    }
    let zone = input.zone();
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
            Arc::new(super::Plain),
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
        .spec()
        .dst_gap
        .as_ref()
        .map_or(GapRule::Shift, |g| g.value);
    let fold = input
        .spec()
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
    if estimate > input.limit().saturating_add(1) {
        diags.push(over_limit(
            &format!("about {}", group_digits(estimate)),
            input.limit(),
            unit.span,
        ));
        return None;
    }
    let cap = usize::try_from(input.limit().saturating_add(2)).unwrap_or(usize::MAX);
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
            Local::Gap { .. } => gaps.push((civil, ticks.len())),
            Local::Fold { .. } => folds.push((civil, ticks.len())),
            Local::Single(..) => {}
        }
        let resolved: Vec<Tick> = match local {
            Local::Single(t, o) => vec![Tick::plain(t, o)],
            Local::Gap { after, offset } => match gap {
                GapRule::Skip => vec![],
                GapRule::Shift => vec![Tick {
                    instant: after,
                    offset,
                    second_occurrence: false,
                    shifted: true,
                }],
            },
            Local::Fold { earlier, later } => {
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
            GapRule::Skip => (codes::DST_SKIPPED, format!("generic skips `{civil}`: that time does not exist in {zone_name} (clocks spring forward)")),
            GapRule::Shift => (codes::DST_SHIFTED, format!("`{civil}` does not exist in {zone_name}: generic runs it at the end of the gap")),
        };
        let runs = if gap == GapRule::Shift {
            vec![at as u64]
        } else {
            vec![]
        };
        diags.push(
            Diagnostic::warning(code, message)
                .runs(runs)
                .at_opt(input.spec().timezone.as_ref().map(|t| t.span))
                .help(Generic.dst_help()),
        );
    }
    for (civil, at) in folds.into_iter().filter(|(c, _)| *c < zone.civil_at(hi)) {
        let (code, how) = match fold {
            FoldRule::Both => (codes::DST_TWICE, "runs it twice"),
            FoldRule::Earlier => (codes::DST_ONCE, "runs it once, at its first occurrence"),
            FoldRule::Later => (codes::DST_ONCE, "runs it once, at its second occurrence"),
        };
        diags.push(
            Diagnostic::warning(
                code,
                format!("`{civil}` happens twice in {zone_name} (clocks fall back): generic {how}"),
            )
            .runs(vec![at as u64])
            .at_opt(input.spec().timezone.as_ref().map(|t| t.span))
            .help(Generic.dst_help()),
        );
    }
    Some((Series::List(ticks), len, after_last, Arc::new(super::Plain)))
}
