//! `select` and `exclude`: which of the series' ticks are kept, as index ranges.

use super::{Plan, Style};
use crate::diag::codes;
use crate::diag::Diagnostic;
use crate::input::spec::{Sp, Spec};
use crate::series::Series;
use crate::time::{parse_moment, Civil, Moment};

impl Plan {
    /// Resolve `select` and `exclude` into kept index ranges.
    pub(super) fn apply_selection(&mut self, spec: &Spec, diags: &mut Vec<Diagnostic>) {
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
    pub(super) fn match_item(
        &self,
        item: &Sp<String>,
        diags: &mut Vec<Diagnostic>,
    ) -> Vec<(u64, u64)> {
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
                Diagnostic::error(codes::NOT_A_RUN, format!("`{}` is not a date, a date-time or a partition key of this plan", item.value))
                    .at(item.span)
                    .help("write a date (`2024-01-05`) to match every run on that day, or a date-time to match one run"),
            );
            return out;
        }
        if out.is_empty() {
            diags.push(
                Diagnostic::warning(
                    codes::MATCHES_NO_RUN,
                    format!("`{}` matches no run of this plan", item.value),
                )
                .at(item.span),
            );
        }
        out
    }

    pub(super) fn naive_offset(&self) -> i64 {
        match &self.series {
            Series::Step { offset, .. } => i64::from(*offset),
            Series::List(v) => v.first().map_or(0, |t| i64::from(t.offset)),
            Series::Cron(_) | Series::Listed(_) => 0,
        }
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
