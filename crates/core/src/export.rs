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
use crate::diag::Diagnostic;
use crate::spec::{Engine, FailurePolicy};
use crate::time::{format_python_iso, format_python_str, format_rfc3339, Civil};
use serde_json::{json, Map, Value as Json};
use std::fmt::Write as _;

/// What to export a plan as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ExportTarget {
    /// The plan JSON (`backfill plan --format json`).
    Plan,
    /// The runs as CSV.
    Csv,
    /// Kestra's `PUT /api/v1/triggers` body (an array of them for several ranges).
    Kestra,
    /// Dagster's `launchPartitionBackfill` GraphQL variables.
    Dagster,
    /// Mage's `POST /api/pipelines/:uuid/backfills` body.
    Mage,
    /// A Polyaxon operation with the equivalent matrix.
    Polyaxon,
    /// A `pyflyte backfill` command line.
    Flyte,
}

impl ExportTarget {
    /// Every target, in the order the web app lists them.
    pub const ALL: [ExportTarget; 7] = [
        ExportTarget::Plan,
        ExportTarget::Csv,
        ExportTarget::Kestra,
        ExportTarget::Dagster,
        ExportTarget::Mage,
        ExportTarget::Polyaxon,
        ExportTarget::Flyte,
    ];

    /// The name used on the command line.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            ExportTarget::Plan => "plan",
            ExportTarget::Csv => "csv",
            ExportTarget::Kestra => "kestra",
            ExportTarget::Dagster => "dagster",
            ExportTarget::Mage => "mage",
            ExportTarget::Polyaxon => "polyaxon",
            ExportTarget::Flyte => "flyte",
        }
    }

    /// The target called `name`.
    #[must_use]
    pub fn parse(name: &str) -> Option<ExportTarget> {
        ExportTarget::ALL.into_iter().find(|t| t.name() == name)
    }

    /// A file extension for downloads.
    #[must_use]
    pub fn extension(self) -> &'static str {
        match self {
            ExportTarget::Plan
            | ExportTarget::Kestra
            | ExportTarget::Dagster
            | ExportTarget::Mage => "json",
            ExportTarget::Csv => "csv",
            ExportTarget::Polyaxon => "yaml",
            ExportTarget::Flyte => "sh",
        }
    }
}

fn refuse(message: impl Into<String>, help: &str) -> Diagnostic {
    Diagnostic::error("E0701", message).help(help)
}

fn pretty(v: &Json) -> String {
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
fn yaml_scalar(v: &Json) -> String {
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
    /// use backfill_core::{plan, ExportTarget, PlanOptions};
    /// let text = "engine: dagster\nschedule: {partitions: {kind: daily}}\nwindow: {start: 2024-01-01, end: 2024-01-11}\nlabels: {asset: events}\n";
    /// let p = plan(text, &PlanOptions::default()).plan.unwrap();
    /// let vars = p.export(ExportTarget::Dagster).unwrap();
    /// assert!(vars.contains("\"start\": \"2024-01-01\""));
    /// assert!(vars.contains("\"end\": \"2024-01-10\""));
    /// ```
    pub fn export(&self, target: ExportTarget) -> Result<String, Diagnostic> {
        match target {
            ExportTarget::Plan => Ok(pretty(&self.to_json())),
            ExportTarget::Csv => Ok(self.csv()),
            ExportTarget::Kestra => self.kestra_body(),
            ExportTarget::Dagster => self.dagster_variables(),
            ExportTarget::Mage => self.mage_body(),
            ExportTarget::Polyaxon => self.polyaxon_operation(),
            ExportTarget::Flyte => self.flyte_command(),
        }
    }

    fn identity(&self, key: &str, default: &str) -> String {
        self.identity
            .iter()
            .find(|(k, _)| k == key)
            .map_or_else(|| default.to_owned(), |(_, v)| v.clone())
    }

    fn label(&self, key: &str) -> Option<&str> {
        self.labels
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// Contiguous ranges of runs in time order: (first run index, last run index).
    fn time_ranges(&self) -> Vec<(u64, u64)> {
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

    fn aware_text(&self, index: u64) -> Option<String> {
        let (t, o) = self.run_instant(index)?;
        Some(match self.style {
            Style::Naive => format_rfc3339(t, 0, true),
            Style::Aware => format_rfc3339(t, o, true),
        })
    }

    fn kestra_body(&self) -> Result<String, Diagnostic> {
        if self.run_count() == 0 {
            return Err(refuse(
                "the plan has no runs to backfill",
                "widen the window",
            ));
        }
        let labels: Vec<Json> = self
            .labels
            .iter()
            .map(|(k, v)| json!({"key": k, "value": v}))
            .collect();
        let inputs = if self.params.is_empty() {
            Json::Null
        } else {
            Json::Object(self.params.clone())
        };
        let bodies: Vec<Json> = self
            .time_ranges()
            .iter()
            .map(|(a, b)| {
                json!({
                    "backfill": {
                        "start": self.aware_text(*a),
                        "end": self.aware_text(*b),
                        "inputs": inputs,
                        "labels": labels,
                    },
                    "flowId": self.identity("flowId", "<flowId>"),
                    "namespace": self.identity("namespace", "<namespace>"),
                    "triggerId": self.identity("triggerId", "<triggerId>"),
                })
            })
            .collect();
        Ok(pretty(&if bodies.len() == 1 {
            bodies[0].clone()
        } else {
            Json::Array(bodies)
        }))
    }

    fn dagster_variables(&self) -> Result<String, Diagnostic> {
        if self.profile.engine != Engine::Dagster {
            return Err(refuse(
                "dagster backfills name partition keys, and this plan has none",
                "plan it with `engine: dagster` and a `partitions` schedule",
            ));
        }
        if self.run_count() == 0 {
            return Err(refuse(
                "the plan has no partitions to backfill",
                "widen the window",
            ));
        }
        let key = |i: u64| {
            self.run(i)
                .and_then(|r| r.partition_key)
                .unwrap_or_default()
        };
        let ranges: Vec<Json> = self
            .time_ranges()
            .iter()
            .map(|(a, b)| json!({"start": key(*a), "end": key(*b)}))
            .collect();
        let partitions = if ranges.len() == 1 {
            json!({"range": ranges[0]})
        } else {
            json!({"ranges": ranges})
        };
        let path: Vec<&str> = self
            .label("asset")
            .unwrap_or("<asset>")
            .split('/')
            .collect();
        let tags: Vec<Json> = self
            .labels
            .iter()
            .filter(|(k, _)| k != "asset" && k != "title")
            .map(|(k, v)| json!({"key": k, "value": v}))
            .collect();
        let mut params = Map::new();
        params.insert(
            "partitionsByAssets".to_owned(),
            json!([{"assetKey": {"path": path}, "partitions": partitions}]),
        );
        if let Some(title) = self.label("title") {
            params.insert("title".to_owned(), Json::String(title.to_owned()));
        }
        if !tags.is_empty() {
            params.insert("tags".to_owned(), Json::Array(tags));
        }
        Ok(pretty(&json!({"backfillParams": params})))
    }

    /// The even step between consecutive ticks, if there is one (checked over every run).
    fn even_step(&self) -> Option<i64> {
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

    fn mage_body(&self) -> Result<String, Diagnostic> {
        if self.run_count() == 0 {
            return Err(refuse(
                "the plan has no runs to backfill",
                "widen the window",
            ));
        }
        if self.kept.len() > 1 {
            return Err(refuse(
                format!(
                    "a mage backfill is one window; this plan has {} ranges of runs",
                    self.kept.len()
                ),
                "export each range separately, or use a custom-code backfill",
            ));
        }
        let (unit, units) = match (self.profile.engine, self.every) {
            (Engine::Mage, Some((unit, count))) => (unit.name(), count),
            _ => {
                let step = if self.time_count == 1 {
                    Some(86_400)
                } else {
                    self.even_step()
                };
                let Some(step) = step else {
                    return Err(refuse(
                        "mage steps by a fixed interval, and this plan's runs are not evenly spaced",
                        "a cron with gaps or DST shifts cannot be one mage window; use a custom-code backfill",
                    ));
                };
                [
                    ("week", 604_800),
                    ("day", 86_400),
                    ("hour", 3600),
                    ("minute", 60),
                    ("second", 1),
                ]
                .into_iter()
                .find(|(_, secs)| step % secs == 0)
                .map_or(("second", step), |(name, secs)| (name, step / secs))
            }
        };
        let first = self.tick_of(0).map(|(_, t, _)| t);
        let last = self.tick_of(self.run_count() - 1).map(|(_, t, _)| t);
        let iso = |t: Option<super::Tick>| {
            t.map(|t| match self.style {
                Style::Naive => format_python_iso(t.civil(), None),
                Style::Aware => format_python_iso(t.civil(), Some(t.offset)),
            })
        };
        let name = self
            .label("name")
            .or(self.label("title"))
            .unwrap_or("backfill");
        let body = json!({
            "backfill": {
                "name": name,
                "start_datetime": iso(first),
                "end_datetime": iso(last),
                "interval_type": unit,
                "interval_units": units,
                "variables": if self.params.is_empty() { Json::Null } else { Json::Object(self.params.clone()) },
            }
        });
        Ok(pretty(&body))
    }

    fn polyaxon_operation(&self) -> Result<String, Diagnostic> {
        if self.run_count() == 0 {
            return Err(refuse(
                "the plan has no runs to backfill",
                "widen the window",
            ));
        }
        let param = match &self.flavor {
            super::Flavor::Polyaxon { param, .. } => param.clone(),
            _ => "dt".to_owned(),
        };
        // Polyaxon is naive: values in UTC without an offset.
        let naive = |t: super::Tick| -> Civil {
            match self.style {
                Style::Naive => t.civil(),
                Style::Aware => Civil::from_secs(t.instant),
            }
        };
        let mut out = String::from("version: 1.1\nkind: operation\n");
        if let Some(name) = self.label("name").or(self.label("title")) {
            let _ = writeln!(out, "name: {}", yaml_scalar(&Json::String(name.to_owned())));
        }
        if !self.params.is_empty() {
            out.push_str("params:\n");
            for (k, v) in &self.params {
                let _ = writeln!(out, "  {k}: {{value: {}}}", yaml_scalar(v));
            }
        }
        let first = self.tick_of(0).map(|(_, t, _)| naive(t));
        let step = if self.time_count == 1 {
            Some(86_400)
        } else {
            self.even_step()
        };
        let grid_axes: Vec<&(String, Vec<Json>)> =
            self.grid.iter().filter(|(n, _)| !n.is_empty()).collect();
        match (first, step) {
            (Some(first), Some(step)) if self.grid.iter().all(|(n, _)| !n.is_empty()) => {
                let last =
                    first.plus_secs(step * (i64::try_from(self.time_count).unwrap_or(1) - 1));
                let stop = last.plus_secs(step);
                out.push_str("matrix:\n  kind: grid\n");
                let _ = writeln!(out, "  concurrency: {}", self.concurrency);
                if let Some(n) = self.take {
                    let _ = writeln!(out, "  numRuns: {n}");
                }
                out.push_str("  params:\n");
                let date_param = if first.second_of_day() == 0 && step % 86_400 == 0 {
                    format!(
                        "    {param}:\n      kind: daterange\n      value: [\"{}\", \"{}\", {}]\n",
                        crate::time::format_date(first),
                        crate::time::format_date(stop),
                        step / 86_400
                    )
                } else {
                    format!(
                        "    {param}:\n      kind: datetimerange\n      value: [\"{first}\", \"{stop}\", {step}]\n"
                    )
                };
                let axis = self.time_axis.min(grid_axes.len());
                for (i, (name, values)) in grid_axes.iter().enumerate() {
                    if i == axis {
                        out.push_str(&date_param);
                    }
                    let vals: Vec<String> = values.iter().map(yaml_scalar).collect();
                    let _ = writeln!(
                        out,
                        "    {name}:\n      kind: choice\n      value: [{}]",
                        vals.join(", ")
                    );
                }
                if axis >= grid_axes.len() {
                    out.push_str(&date_param);
                }
            }
            _ => {
                // Not a range: one mapping value per run.
                out.push_str("matrix:\n  kind: mapping\n");
                let _ = writeln!(out, "  concurrency: {}", self.concurrency);
                out.push_str("  values:\n");
                for r in self.runs(0, self.run_count()) {
                    let (_, t, _) =
                        self.tick_of(r.index)
                            .unwrap_or((0, super::Tick::plain(0, 0), 0));
                    let mut row = r.params.clone();
                    for k in self.params.keys() {
                        row.remove(k);
                    }
                    row.insert(param.clone(), Json::String(naive(t).to_string()));
                    let items: Vec<String> = row
                        .iter()
                        .map(|(k, v)| format!("{k}: {}", yaml_scalar(v)))
                        .collect();
                    let _ = writeln!(out, "    - {{{}}}", items.join(", "));
                }
            }
        }
        Ok(out)
    }

    fn flyte_command(&self) -> Result<String, Diagnostic> {
        if self.run_count() == 0 {
            return Err(refuse(
                "the plan has no runs to backfill",
                "widen the window",
            ));
        }
        let text = |t: i64, o: i32| -> String {
            let c = Civil::from_secs(t + i64::from(o));
            match self.style {
                Style::Naive => format_python_str(c, None),
                Style::Aware => format_python_str(c, Some(o)),
            }
        };
        let mut out = String::from("#!/bin/sh\n# pyflyte backfill runs the launch plan's cron strictly between --from-date and --to-date\n# (both ends excluded, whatever its --help says).\n");
        if self.retries > 0 || self.timeout_secs.is_some() {
            out.push_str("# pyflyte cannot set per-node retries or timeouts; create_backfill_workflow can.\n");
        }
        let mode = if self.concurrency > 1 {
            "--parallel"
        } else {
            "--serial"
        };
        let fail = if self.failure_policy == FailurePolicy::Continue {
            " --no-fail-fast"
        } else {
            ""
        };
        let launch_plan = self.identity("launch_plan", "<launch_plan>");
        for (a, b) in self.time_ranges() {
            let (from, to) = match (self.profile.engine, &self.window_text, self.kept.len()) {
                (Engine::Flyte, (Some(s), Some(e)), 1) => (s.clone(), e.clone()),
                _ => {
                    let (t0, o0) = self.run_instant(a).unwrap_or((0, 0));
                    let (t1, o1) = self.run_instant(b).unwrap_or((0, 0));
                    (text(t0 - 1, o0), text(t1 + 1, o1))
                }
            };
            let _ = writeln!(
                out,
                "pyflyte backfill -p <project> -d <domain> --from-date '{from}' --to-date '{to}' {mode}{fail} {launch_plan}"
            );
        }
        Ok(out)
    }
}
