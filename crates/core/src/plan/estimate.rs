//! The estimate: launched runs, makespan, overhead saved, blast radius.

use super::Plan;
use crate::engine::recommended_batch;

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

impl Plan {
    /// How long a batch of `size` runs lasts, by the estimate: one run time per run plus
    /// one launch overhead. A wave lasts as long as its largest batch.
    #[must_use]
    pub fn batch_secs(&self, size: u64) -> i64 {
        i64::try_from(size)
            .unwrap_or(i64::MAX)
            .saturating_mul(self.estimate_run)
            .saturating_add(self.estimate_overhead)
    }

    /// Each wave's estimated start (seconds from the first launch) and its largest
    /// batch: waves run one after another, each as long as its largest batch.
    pub(super) fn waves(&self) -> impl Iterator<Item = (i64, u64)> + '_ {
        let c = self.concurrency.max(1);
        let batches = self.batch_count();
        let mut start = 0i64;
        (0..batches.div_ceil(c)).map(move |w| {
            let longest = (w * c..((w + 1) * c).min(batches))
                .map(|b| self.batch_size(b))
                .max()
                .unwrap_or(0);
            let at = start;
            start = start.saturating_add(self.batch_secs(longest));
            (at, longest)
        })
    }

    /// When each wave starts, in estimated seconds from the first launch, then when the
    /// last one ends (the makespan): what a timeline draws.
    #[must_use]
    pub fn wave_starts(&self) -> Vec<i64> {
        let mut starts: Vec<i64> = Vec::new();
        let mut end = 0;
        for (start, longest) in self.waves() {
            starts.push(start);
            end = start.saturating_add(self.batch_secs(longest));
        }
        starts.push(end);
        starts
    }

    /// The estimate: launched runs, makespan, overhead saved, blast radius.
    #[must_use]
    pub fn estimate(&self) -> Estimate {
        let batches = self.batch_count();
        let mut makespan = 0i64;
        let mut blast = 0;
        for (start, longest) in self.waves() {
            blast = blast.max(longest);
            makespan = start.saturating_add(self.batch_secs(longest));
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
}

pub(super) fn human_secs(s: i64) -> String {
    match s {
        ..=59 => format!("{s}s"),
        60..=3599 => format!("{}m", s / 60),
        _ => format!("{}h{:02}m", s / 3600, s / 60 % 60),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use crate::{plan, PlanOptions};

    fn planned(extra: &str) -> crate::Plan {
        let text = format!("engine: generic\nschedule: {{cron: \"0 * * * *\"}}\nwindow: {{start: 2024-01-01T00:00:00Z, end: 2024-01-01T10:00:00Z}}\nestimate: {{run: 60s, overhead: 10s}}\n{extra}");
        plan(&text, &PlanOptions::default()).plan.unwrap()
    }

    #[test]
    fn waves_start_when_the_previous_ones_largest_batch_ends() {
        // 10 runs, batches of 4, 4, 2; two at a time: waves [4, 4] and [2].
        let p = planned("strategy: {kind: multi_run, max_per_run: 4}\nconcurrency: 2\n");
        assert_eq!(p.batch_count(), 3);
        assert_eq!(p.batch_secs(4), 4 * 60 + 10);
        assert_eq!(p.wave_starts(), vec![0, 250, 250 + 130]);
        assert_eq!(p.estimate().makespan_secs, 380);
        assert_eq!(p.estimate().blast_radius, 4);
    }

    #[test]
    fn one_batch_per_run_in_sequence() {
        let p = planned("");
        let starts = p.wave_starts();
        assert_eq!(starts.len(), 11);
        assert!(starts.windows(2).all(|w| w[1] - w[0] == 70));
        assert_eq!(*starts.last().unwrap(), p.estimate().makespan_secs);
    }
}
