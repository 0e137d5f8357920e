//! A plan as table rows, and its digest computed in the same pass.
//!
//! Building a run costs about a microsecond and [`Plan::digest`] builds every run once
//! more, so storing a plan as "digest, then rows" would expand a 100,000-run plan twice.
//! [`Digester`] feeds the runs the rows are made from into the same SHA-256 line format
//! as `Plan::digest` (`index TAB logical_date TAB partition_key TAB params LF`, params
//! with sorted keys; DESIGN.md, "What is the digest?"). A test holds the two equal on
//! every example and golden input of the repository.

use backfill_core::{Batch, Plan, RunDigest};

/// A run as stored in `runs` (integers as SQLite's).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunRow {
    /// Position in launch order.
    pub index: i64,
    /// Its batch.
    pub batch: i64,
    /// Its logical date.
    pub logical_date: String,
    /// Its partition key, if the engine has them.
    pub partition_key: Option<String>,
    /// The whole run as JSON.
    pub data: String,
}

/// A batch as stored in `batches` (integers as SQLite's).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchRow {
    /// Position.
    pub index: i64,
    /// Its first run.
    pub first_run: i64,
    /// Its last run (inclusive).
    pub last_run: i64,
    /// How many runs.
    pub size: i64,
    /// The whole batch as JSON.
    pub data: String,
}

/// SHA-256 over runs in launch order, line by line as `Plan::digest` writes them: the
/// core's [`RunDigest`], so the line format lives in one place.
pub type Digester = RunDigest;

/// Counts and indices are far below `i64::MAX` (a plan is limited to millions of runs).
fn int(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// Runs `from..to` as rows, fed to `digester` in order.
#[must_use]
pub fn run_rows(plan: &Plan, from: u64, to: u64, digester: &mut Digester) -> Vec<RunRow> {
    plan.runs(from, to)
        .map(|run| {
            digester.add(&run);
            let data = serde_json::to_string(&run).unwrap_or_default();
            RunRow {
                index: int(run.index),
                batch: int(run.batch),
                logical_date: run.logical_date,
                partition_key: run.partition_key,
                data,
            }
        })
        .collect()
}

/// Batches `from..to` as rows.
#[must_use]
pub fn batch_rows(plan: &Plan, from: u64, to: u64) -> Vec<BatchRow> {
    (from..to.min(plan.batch_count()))
        .filter_map(|i| plan.batch(i))
        .map(|b: Batch| BatchRow {
            index: int(b.index),
            first_run: int(b.run_indices.start),
            last_run: int(b.run_indices.end.saturating_sub(1)),
            size: int(b.size),
            data: serde_json::to_string(&b).unwrap_or_default(),
        })
        .collect()
}

/// Every row of a plan and its digest, built in memory: for plans small enough that
/// the check can do it before the database is touched.
#[derive(Debug, Clone)]
pub struct Rows {
    /// Every batch.
    pub batches: Vec<BatchRow>,
    /// Every run.
    pub runs: Vec<RunRow>,
    /// The digest of the runs.
    pub digest: String,
}

impl Rows {
    /// Build them.
    #[must_use]
    pub fn build(plan: &Plan) -> Rows {
        let mut digester = Digester::default();
        let runs = run_rows(plan, 0, plan.run_count(), &mut digester);
        Rows {
            batches: batch_rows(plan, 0, plan.batch_count()),
            runs,
            digest: digester.finish(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use backfill_core::PlanOptions;
    use std::path::Path;

    /// Every input in the repository that plans: the examples, the golden inputs.
    fn inputs() -> Vec<(String, String)> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut out = Vec::new();
        for dir in [
            root.join("../../examples"),
            root.join("../../examples/pasted"),
            root.join("tests/golden"),
        ] {
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            for e in entries.flatten() {
                let path = e.path();
                let ext = path.extension().and_then(|x| x.to_str()).unwrap_or("");
                if matches!(ext, "yaml" | "yml" | "json") {
                    if let Ok(text) = std::fs::read_to_string(&path) {
                        out.push((path.display().to_string(), text));
                    }
                }
            }
        }
        out
    }

    #[test]
    fn the_one_pass_digest_is_the_cores_on_every_repository_input() {
        let options = PlanOptions {
            now: Some("2024-06-01T00:00:00Z".parse().unwrap()),
            ..PlanOptions::default()
        };
        let mut planned = 0;
        for (name, text) in inputs() {
            let Some(plan) = backfill_core::plan(&text, &options).plan else {
                continue;
            };
            let rows = Rows::build(&plan);
            assert_eq!(rows.digest, plan.digest(), "{name}");
            assert_eq!(rows.runs.len() as u64, plan.run_count(), "{name}");
            assert_eq!(rows.batches.len() as u64, plan.batch_count(), "{name}");
            planned += 1;
        }
        assert!(planned >= 10, "only {planned} inputs planned");
    }

    #[test]
    fn params_are_digested_with_sorted_keys() {
        let text = "engine: generic\nschedule: {cron: \"0 0 * * *\"}\n\
                    window: {start: 2024-01-01, end: 2024-01-04}\n\
                    params: {zeta: 1, alpha: [2, {b: 1, a: 2}], mid: x}\n";
        let plan = backfill_core::plan(text, &PlanOptions::default())
            .plan
            .unwrap();
        assert_eq!(Rows::build(&plan).digest, plan.digest());
    }
}
