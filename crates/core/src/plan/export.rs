//! Exports: a plan as each engine's own payload, ready to submit, and as CSV or JSON.
//!
//! Each payload reproduces the plan's runs exactly under the target engine's own rules
//! (research/semantics.md): Kestra and Mage include both ends, so their bodies name the
//! first and last run; Flyte excludes both, so its command names the instants around
//! them; Dagster takes inclusive partition-key ranges; Polyaxon's `arange` excludes the
//! stop, so its range stops one step after the last run. A plan whose runs cannot be
//! expressed in the target (uneven spacing for Mage, no partition keys for Dagster)
//! gets an error saying why instead of a payload that would do something else.

use super::{Plan, Style};
use crate::diag::codes;
use crate::diag::Diagnostic;
use crate::engine::{profile, Engine};
use crate::time::{format_rfc3339, UtcAs};
use serde_json::Value as Json;

/// What to export a plan as: the plan JSON, its runs as CSV, or an engine's own payload
/// (each engine's profile says whether it has one).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ExportTarget {
    /// The plan JSON (`backfill plan --format json`).
    Plan,
    /// The runs as CSV.
    Csv,
    /// An engine's own payload, ready to submit: Kestra's `PUT /api/v1/triggers` body,
    /// Dagster's `launchPartitionBackfill` variables, Mage's backfill body, a Polyaxon
    /// operation, a `pyflyte backfill` command.
    Payload(Engine),
}

impl ExportTarget {
    /// Every target, in the order the web app lists them: the plan, CSV, then each
    /// engine's payload in the engines' order.
    #[must_use]
    pub fn all() -> Vec<ExportTarget> {
        let payloads = Engine::ALL
            .into_iter()
            .filter(|e| profile(*e).payload().is_some())
            .map(ExportTarget::Payload);
        [ExportTarget::Plan, ExportTarget::Csv]
            .into_iter()
            .chain(payloads)
            .collect()
    }

    /// The name used on the command line (an engine's payload by the engine's name).
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            ExportTarget::Plan => "plan",
            ExportTarget::Csv => "csv",
            ExportTarget::Payload(e) => e.name(),
        }
    }

    /// The target called `name`.
    #[must_use]
    pub fn parse(name: &str) -> Option<ExportTarget> {
        ExportTarget::all().into_iter().find(|t| t.name() == name)
    }

    /// A file extension for downloads.
    #[must_use]
    pub fn extension(self) -> &'static str {
        match self {
            ExportTarget::Plan => "json",
            ExportTarget::Csv => "csv",
            ExportTarget::Payload(e) => profile(e).payload().map_or("txt", |p| p.extension),
        }
    }

    /// What the export menu calls it.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            ExportTarget::Plan => "Plan JSON",
            ExportTarget::Csv => "Runs CSV",
            ExportTarget::Payload(e) => profile(e).payload().map_or("", |p| p.label),
        }
    }
}

/// E0701 for a plan with no runs: no payload names an empty backfill.
pub(crate) fn has_runs(plan: &Plan) -> Result<(), Diagnostic> {
    if plan.run_count() == 0 {
        return Err(refuse(
            "the plan has no runs to backfill",
            "widen the window",
        ));
    }
    Ok(())
}

pub(crate) fn refuse(message: impl Into<String>, help: &str) -> Diagnostic {
    Diagnostic::error(codes::CANNOT_EXPORT, message).help(help)
}

pub(crate) fn pretty(v: &Json) -> String {
    serde_json::to_string_pretty(v).unwrap_or_default() + "\n"
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

/// YAML scalar: quoted unless it is a plain word or number.
pub(crate) fn yaml_scalar(v: &Json) -> String {
    match v {
        Json::String(s) => serde_json::to_string(s).unwrap_or_default(),
        Json::Null => "null".to_owned(),
        other => other.to_string(),
    }
}

impl Plan {
    /// The plan as `target`'s payload, or an error saying why it cannot be one.
    ///
    /// ```
    /// use backfill_core::{plan, Engine, ExportTarget, PlanOptions};
    /// let text = "engine: dagster\nschedule: {partitions: {kind: daily}}\nwindow: {start: 2024-01-01, end: 2024-01-11}\nlabels: {asset: events}\n";
    /// let p = plan(text, &PlanOptions::default()).plan.unwrap();
    /// let vars = p.export(ExportTarget::Payload(Engine::Dagster)).unwrap();
    /// assert!(vars.contains("\"start\": \"2024-01-01\""));
    /// assert!(vars.contains("\"end\": \"2024-01-10\""));
    /// ```
    pub fn export(&self, target: ExportTarget) -> Result<String, Diagnostic> {
        match target {
            ExportTarget::Plan => Ok(pretty(&self.to_json())),
            ExportTarget::Csv => Ok(self.csv()),
            ExportTarget::Payload(e) => profile(e).export(self).unwrap_or_else(|| {
                Err(refuse(
                    format!("{e} has no payload of its own"),
                    "export the plan JSON or the runs as CSV",
                ))
            }),
        }
    }

    pub(crate) fn identity(&self, key: &str, default: &str) -> String {
        self.identity
            .iter()
            .find(|(k, _)| k == key)
            .map_or_else(|| default.to_owned(), |(_, v)| v.clone())
    }

    pub(crate) fn label(&self, key: &str) -> Option<&str> {
        self.labels
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// Contiguous ranges of runs in time order: (first run index, last run index).
    pub(crate) fn time_ranges(&self) -> Vec<(u64, u64)> {
        let g = self.combos.max(1);
        let mut out = Vec::new();
        let mut first = 0;
        for (a, b) in &self.kept {
            let n = (b - a) * g;
            if n > 0 {
                out.push((first, first + n - 1));
            }
            first += n;
        }
        out
    }

    fn csv(&self) -> String {
        let mut out = String::from(
            "index,logical_date,local_time,partition_key,interval_start,interval_end,batch,wave,params,vars\n",
        );
        for r in self.runs(0, self.run_count()) {
            let fields = [
                r.index.to_string(),
                r.logical_date,
                r.local_time,
                r.partition_key.unwrap_or_default(),
                r.interval_start,
                r.interval_end.unwrap_or_default(),
                r.batch.to_string(),
                r.wave.to_string(),
                serde_json::to_string(&r.params).unwrap_or_default(),
                serde_json::to_string(&r.vars).unwrap_or_default(),
            ];
            let line: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
            out.push_str(&line.join(","));
            out.push('\n');
        }
        out
    }

    pub(crate) fn aware_text(&self, index: u64) -> Option<String> {
        let (t, o) = self.run_instant(index)?;
        Some(match self.style {
            Style::Naive => format_rfc3339(t, 0, UtcAs::Z),
            Style::Aware => format_rfc3339(t, o, UtcAs::Z),
        })
    }

    /// The even step between consecutive ticks, if there is one (checked over every run).
    pub(crate) fn even_step(&self) -> Option<i64> {
        if self.kept.len() != 1 || self.time_count < 2 {
            return None;
        }
        let (a, b) = self.kept[0];
        let mut ticks = self.series.iter_range(a, b).map(|t| t.instant);
        let first = ticks.next()?;
        let second = ticks.next()?;
        let step = second - first;
        let mut prev = second;
        for t in ticks {
            if t - prev != step {
                return None;
            }
            prev = t;
        }
        (step > 0).then_some(step)
    }
}
