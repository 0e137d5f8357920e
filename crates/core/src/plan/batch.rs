//! Execution: strategy, concurrency, order and the estimate's inputs applied, the runs
//! cut into groups and batches, and batches launched in waves.

use super::estimate::human_secs;
use super::validate::Execution;
use super::Plan;
use crate::diag::codes;
use crate::diag::Diagnostic;
use crate::engine::recommended_batch;
use crate::input::spec::{Spec, StrategyKind};
use serde_json::{Map, Value as Json};

/// A group of runs that batches are cut from: `runs` runs from `first`, `size` per batch.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Group {
    pub(crate) first: u64,
    pub(crate) runs: u64,
    pub(crate) size: u64,
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

impl Plan {
    /// Engine-specific surprises that need the whole plan.
    /// Strategy, concurrency, order, retries, estimate; then the batches.
    pub(super) fn configure_execution(&mut self, spec: &Spec, diags: &mut Vec<Diagnostic>) {
        let x = Execution::of(spec, self.profile, diags);
        self.strategy = x.strategy;
        self.max_per_run = x.max_per_run;
        self.concurrency = x.concurrency;
        self.order = x.order;
        self.retries = x.retries;
        self.timeout_secs = x.timeout_secs;
        self.failure_policy = x.failure_policy;
        self.estimate_run = x.estimate_run;
        self.estimate_overhead = x.estimate_overhead;
        if let Some(order) = self.profile.launch_order(self, diags) {
            self.permutation = Some(order);
        }
        self.build_groups();
        self.profile.after_batching(self, spec, diags);
        if let Some(max) = self.max_per_run {
            let (_, lo, hi) = recommended_batch(self.estimate_run);
            if (max < lo || max > hi) && spec.estimate_run.is_some() {
                diags.push(
                    Diagnostic::note(codes::BATCH_SIZE_ADVICE, format!("for runs of {} the dagster guide suggests batches of {lo}-{hi}; this plan uses {max}", human_secs(self.estimate_run)))
                        .at_opt(spec.max_per_run.as_ref().map(|m| m.span)),
                );
            }
        }
    }

    /// Cut the runs into groups that batches are chunked from.
    pub(super) fn build_groups(&mut self) {
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
    pub(super) fn batch_of(&self, index: u64) -> u64 {
        let k = self
            .groups
            .partition_point(|g| g.first <= index)
            .saturating_sub(1);
        self.groups.get(k).map_or(0, |g| {
            self.group_batch_starts[k] + (index - g.first) / g.size
        })
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

    pub(super) fn batch_size(&self, index: u64) -> u64 {
        let k = self
            .group_batch_starts
            .partition_point(|&s| s <= index)
            .saturating_sub(1);
        self.groups.get(k).map_or(0, |g| {
            let start = g.first + (index - self.group_batch_starts[k]) * g.size;
            (start + g.size).min(g.first + g.runs) - start
        })
    }
}
