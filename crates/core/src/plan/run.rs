//! Runs: any run built from its index, without holding the runs.

use super::{Plan, Style};
use crate::engine::RunAt;
use crate::input::spec::Order;
use crate::series::Tick;
use crate::time::{format_python_iso, format_rfc3339, Civil, UtcAs};
use serde_json::{Map, Value as Json};

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

impl Plan {
    /// Launch position of a kept time point → series index.
    pub(crate) fn series_index(&self, q: u64) -> u64 {
        let k = self
            .kept_starts
            .partition_point(|&s| s <= q)
            .saturating_sub(1);
        let (a, _) = self.kept.get(k).copied().unwrap_or((0, 0));
        a + (q - self.kept_starts.get(k).copied().unwrap_or(0))
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
    pub(super) fn dates_naive(&self) -> bool {
        self.style == Style::Naive && !self.engine_runs.naive_as_utc()
    }

    pub(super) fn format_instant(&self, t: Tick) -> String {
        match self.style {
            // Flyte binds a naive kickoff time as UTC: that is the run's logical date.
            Style::Naive if self.engine_runs.naive_as_utc() => {
                format_python_iso(Civil::from_secs(t.instant), Some(0))
            }
            Style::Naive => t.civil().to_string(),
            Style::Aware => format_rfc3339(
                t.instant,
                t.offset,
                if self.zone.is_utc() {
                    UtcAs::Z
                } else {
                    UtcAs::Offset
                },
            ),
        }
    }

    pub(crate) fn partition_key(&self, t: Tick) -> Option<String> {
        self.engine_runs.partition_key(t, self.zone)
    }

    /// Tick `i` of the series, or the one after the last in use.
    pub(super) fn tick_at(&self, i: u64) -> Option<Tick> {
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

    pub(super) fn build_run(&self, index: u64, i: u64, t: Tick, combo: u64) -> Run {
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
}
