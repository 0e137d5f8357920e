//! The same window and schedule, in every engine's own terms.
//!
//! research/semantics.md §1 compares engines by giving each the *same intent* — "hourly
//! from 10:00 to 16:00" — in its own vocabulary: a `datetimerange` step for Polyaxon,
//! an interval for Mage, a cron for Kestra and Flyte, partitions for Dagster. This
//! module does that translation on the spec, so the comparison shows how the engines'
//! rules (bounds, DST, stepping) differ, not how their inputs differ. A schedule an
//! engine cannot express (a cron with two hours a day, for Mage) is left as it is, and
//! that engine's plan carries the error saying why.

use crate::engine::Engine;
use crate::input::spec::{PartitionKind, PartitionsSpec, Schedule, Sp, Spec, Unit};
use crate::time::parse_moment;

/// An interval in the planner's units: (unit, count).
type Interval = (Unit, i64);

/// The interval a simple cron fires at, if it is one: `*/n * * * *`, `m * * * *`,
/// `m h * * *`, `m h * * d`, `m h d * *`.
fn cron_interval(expr: &str) -> Option<Interval> {
    let f: Vec<&str> = expr.split_whitespace().collect();
    let expr = match expr.trim() {
        "@hourly" => "0 * * * *",
        "@daily" | "@midnight" => "0 0 * * *",
        "@weekly" => "0 0 * * 0",
        "@monthly" => "0 0 1 * *",
        "@yearly" | "@annually" => "0 0 1 1 *",
        _ => "",
    };
    let f: Vec<&str> = if expr.is_empty() {
        f
    } else {
        expr.split_whitespace().collect()
    };
    let num = |s: &str| s.parse::<u32>().ok();
    match f.as_slice() {
        [m, "*", "*", "*", "*"] => match m.strip_prefix("*/").and_then(num) {
            Some(n) if n > 0 && 60 % n == 0 => Some((Unit::Minute, i64::from(n))),
            _ if num(m).is_some() => Some((Unit::Hour, 1)),
            _ if *m == "*" => Some((Unit::Minute, 1)),
            _ => None,
        },
        [m, h, "*", "*", "*"] if num(m).is_some() => match h.strip_prefix("*/").and_then(num) {
            Some(n) if n > 0 && 24 % n == 0 => Some((Unit::Hour, i64::from(n))),
            _ if num(h).is_some() => Some((Unit::Day, 1)),
            _ => None,
        },
        [m, h, "*", "*", d] if num(m).is_some() && num(h).is_some() && num(d).is_some() => {
            Some((Unit::Week, 1))
        }
        [m, h, d, "*", "*"] if num(m).is_some() && num(h).is_some() && num(d).is_some() => {
            Some((Unit::Month, 1))
        }
        [m, h, d, mo, "*"] if [m, h, d, mo].iter().all(|x| num(x).is_some()) => {
            Some((Unit::Year, 1))
        }
        _ => None,
    }
}

/// A cron firing every `interval` from `start` (its minute, hour, weekday, day).
fn interval_cron((unit, count): Interval, start: Option<&str>) -> Option<String> {
    let m = start.and_then(|s| parse_moment(s).ok()).map(|m| m.civil);
    let (mm, hh, day, dow, month) = m.map_or((0, 0, 1, 0, 1), |c| {
        let (_, mo, d) = c.date();
        let (h, mi, _) = c.time();
        (mi, h, d, c.weekday(), mo)
    });
    Some(match (unit, count) {
        (Unit::Minute, n) if n > 0 && 60 % n == 0 => format!("*/{n} * * * *"),
        (Unit::Hour, 1) => format!("{mm} * * * *"),
        (Unit::Hour, n) if n > 0 && 24 % n == 0 => format!("{mm} */{n} * * *"),
        (Unit::Day, 1) => format!("{mm} {hh} * * *"),
        (Unit::Week, 1) => format!("{mm} {hh} * * {dow}"),
        (Unit::Month, 1) => format!("{mm} {hh} {day} * *"),
        (Unit::Year, 1) => format!("{mm} {hh} {day} {month} *"),
        _ => return None,
    })
}

fn partitions_interval(p: &PartitionsSpec) -> Option<Interval> {
    match p.kind.as_ref().map(|k| k.value) {
        Some(PartitionKind::Hourly) => Some((Unit::Hour, 1)),
        Some(PartitionKind::Daily) => Some((Unit::Day, 1)),
        Some(PartitionKind::Weekly) => Some((Unit::Week, 1)),
        Some(PartitionKind::Monthly) => Some((Unit::Month, 1)),
        None => p.cron.as_ref().and_then(|c| cron_interval(&c.value)),
    }
}

fn partitions_cron(p: &PartitionsSpec) -> Option<String> {
    let off = |v: &Option<Sp<i64>>, d: i64| v.as_ref().map_or(d, |x| x.value);
    let (m, h) = (off(&p.minute_offset, 0), off(&p.hour_offset, 0));
    match p.kind.as_ref().map(|k| k.value) {
        Some(PartitionKind::Hourly) => Some(format!("{m} * * * *")),
        Some(PartitionKind::Daily) => Some(format!("{m} {h} * * *")),
        Some(PartitionKind::Weekly) => Some(format!("{m} {h} * * {}", off(&p.day_offset, 0))),
        Some(PartitionKind::Monthly) => Some(format!("{m} {h} {} * *", off(&p.day_offset, 1))),
        None => p.cron.as_ref().map(|c| c.value.clone()),
    }
}

/// `spec` restated for `engine`; unchanged where it cannot be restated.
pub(crate) fn translate(spec: &Spec, engine: Engine) -> Spec {
    let mut out = spec.clone();
    out.engine = Some(Sp::new(
        engine,
        spec.engine.as_ref().map_or(spec.root_span, |e| e.span),
    ));
    if !crate::engine::profile(engine).takes_rule_options() {
        out.bounds = None;
        out.dst_gap = None;
        out.dst_fold = None;
    }
    let Some(schedule) = &spec.schedule else {
        return out;
    };
    let at = schedule.span;
    let start = spec.start.as_ref().map(|s| s.value.as_str());
    let (interval, cron): (Option<Interval>, Option<String>) = match &schedule.value {
        Schedule::Cron { expr, .. } => (cron_interval(&expr.value), Some(expr.value.clone())),
        Schedule::Every { unit, count } => (
            Some((unit.value, count.value)),
            interval_cron((unit.value, count.value), start),
        ),
        Schedule::Partitions(p) => (partitions_interval(p), partitions_cron(p)),
        Schedule::Explicit { .. } => return out,
    };
    let new = crate::engine::profile(engine).restate(&schedule.value, interval, cron, at);
    if let Some(s) = new {
        out.schedule = Some(Sp::new(s, at));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn simple_crons_have_intervals() {
        assert_eq!(cron_interval("0 * * * *"), Some((Unit::Hour, 1)));
        assert_eq!(cron_interval("*/30 * * * *"), Some((Unit::Minute, 30)));
        assert_eq!(cron_interval("0 0 * * *"), Some((Unit::Day, 1)));
        assert_eq!(cron_interval("@daily"), Some((Unit::Day, 1)));
        assert_eq!(cron_interval("0 9 1 * *"), Some((Unit::Month, 1)));
        assert_eq!(cron_interval("0 9,17 * * *"), None);
        assert_eq!(cron_interval("*/7 * * * *"), None);
    }

    #[test]
    fn intervals_become_crons_anchored_at_the_start() {
        assert_eq!(
            interval_cron((Unit::Hour, 1), Some("2021-05-01T10:15")),
            Some("15 * * * *".to_owned())
        );
        assert_eq!(
            interval_cron((Unit::Day, 1), Some("2023-01-01T03:00:00")),
            Some("0 3 * * *".to_owned())
        );
        assert_eq!(interval_cron((Unit::Day, 2), Some("2023-01-01")), None);
    }
}
