//! The plan's summary (typed, serialised as the plan JSON's `summary`) and the plan's
//! whole JSON form.

use super::{Batch, Estimate, Plan, Run, PLAN_VERSION};
use crate::input::spec::{FailurePolicy, Order, StrategyKind};
use crate::time::{format_rfc3339, UtcAs, Zone};
use serde_json::{json, Map, Value as Json};

/// What a plan comes to, in one place: counts, the first and last runs, the zone, the
/// engine's bounds, how it is launched and the estimate.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Summary {
    /// Runs.
    pub run_count: u64,
    /// Batches (launched orchestrator runs).
    pub batch_count: u64,
    /// Waves of batches under the concurrency.
    pub wave_count: u64,
    /// The first run's logical date.
    pub first: Option<String>,
    /// The last run's logical date.
    pub last: Option<String>,
    /// The first run in UTC (`None` for naive dates).
    pub first_utc: Option<String>,
    /// The last run in UTC.
    pub last_utc: Option<String>,
    /// The schedule's zone.
    pub timezone: String,
    /// Whether dates are written without an offset.
    pub naive: bool,
    /// The engine's bounds, in words.
    pub bounds: &'static str,
    /// The engine code reproduced.
    pub reproduces: &'static str,
    /// The launch strategy.
    pub strategy: StrategyKind,
    /// The most runs per batch (`multi_run`).
    pub max_per_run: Option<u64>,
    /// Batches launched at once.
    pub concurrency: u64,
    /// Launch order.
    pub order: Order,
    /// Retries per batch.
    pub retries: u32,
    /// Timeout per batch, in seconds.
    pub timeout_secs: Option<i64>,
    /// What a failure does to the rest.
    pub failure_policy: FailurePolicy,
    /// The spec's labels.
    pub labels: Map<String, Json>,
    /// The estimate.
    pub estimate: Estimate,
}

impl Plan {
    /// The summary: counts, ends, zone, bounds, execution and estimate.
    #[must_use]
    pub fn summary(&self) -> Summary {
        let first = self.run(0);
        let last = self.run(self.run_count().saturating_sub(1));
        let in_utc = |r: &Option<Run>| {
            r.as_ref()
                .and_then(|r| self.tick_of(r.index))
                .map(|(_, t, _)| format_rfc3339(t.instant, 0, UtcAs::Z))
        };
        let naive = self.dates_naive();
        Summary {
            run_count: self.run_count(),
            batch_count: self.batch_count(),
            wave_count: self.wave_count(),
            first: first.as_ref().map(|r| r.logical_date.clone()),
            last: last.as_ref().map(|r| r.logical_date.clone()),
            first_utc: if naive { None } else { in_utc(&first) },
            last_utc: if naive { None } else { in_utc(&last) },
            timezone: self.zone.name().into_owned(),
            naive,
            bounds: self.profile.bounds().text,
            reproduces: self.profile.reproduces(),
            strategy: self.strategy,
            max_per_run: self.max_per_run,
            concurrency: self.concurrency,
            order: self.order,
            retries: self.retries,
            timeout_secs: self.timeout_secs,
            failure_policy: self.failure_policy,
            labels: self
                .labels
                .iter()
                .map(|(k, v)| (k.clone(), Json::String(v.clone())))
                .collect(),
            estimate: self.estimate(),
        }
    }

    /// The schedule's zone.
    #[must_use]
    pub fn zone(&self) -> Zone {
        self.zone
    }

    /// The whole plan as JSON (every run and batch).
    #[must_use]
    pub fn to_json(&self) -> Json {
        json!({
            "version": PLAN_VERSION,
            "engine": self.profile.engine(),
            "source": self.source,
            "summary": self.summary(),
            "runs": self.runs(0, self.run_count()).collect::<Vec<Run>>(),
            "batches": self.batches().collect::<Vec<Batch>>(),
            "diagnostics": self.diagnostics,
            "digest": self.digest(),
        })
    }
}
