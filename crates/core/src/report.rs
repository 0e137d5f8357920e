//! What `backfill plan`, `export` and `validate` print, as pure functions of the input
//! text: the binary adds only the file, the flags and the exit, so the core's tests drive
//! exactly what it prints.

use crate::{has_errors, plan, Diagnostic, ExportTarget, PlanOptions, Planned};
use std::fmt::Write as _;

/// How `plan` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// The plan JSON (or `{"diagnostics": [...]}` on error).
    Json,
    /// A readable summary and table of runs; diagnostics as `file:line:col: …`.
    Table,
}

/// What a command prints and how it exits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Output {
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
    /// Exit code: 0 planned, 1 input errors.
    pub code: u8,
}

fn planned(text: &str, options: &PlanOptions) -> Planned {
    plan(text, options)
}

fn render_all(file: &str, diagnostics: &[Diagnostic]) -> String {
    let mut out = String::new();
    for d in diagnostics {
        out.push_str(&d.render(file));
        out.push('\n');
    }
    out
}

/// `backfill plan`: the plan (exit 0) or the diagnostics (exit 1).
#[must_use]
pub fn run_plan(file: &str, text: &str, options: &PlanOptions, format: Format) -> Output {
    let planned = planned(text, options);
    match (&planned.plan, format) {
        (Some(p), Format::Json) => Output {
            stdout: serde_json::to_string_pretty(&p.to_json()).unwrap_or_default() + "\n",
            stderr: String::new(),
            code: 0,
        },
        (Some(p), Format::Table) => Output {
            stdout: table(p),
            stderr: render_all(file, &planned.diagnostics),
            code: 0,
        },
        (None, Format::Json) => Output {
            stdout: serde_json::to_string_pretty(
                &serde_json::json!({"diagnostics": planned.diagnostics}),
            )
            .unwrap_or_default()
                + "\n",
            stderr: String::new(),
            code: 1,
        },
        (None, Format::Table) => Output {
            stdout: String::new(),
            stderr: render_all(file, &planned.diagnostics),
            code: 1,
        },
    }
}

/// `backfill export --to TARGET`: the plan as an engine's payload (exit 0), or the
/// diagnostics / the reason it cannot be expressed (exit 1).
#[must_use]
pub fn run_export(file: &str, text: &str, options: &PlanOptions, target: ExportTarget) -> Output {
    let planned = planned(text, options);
    let Some(p) = &planned.plan else {
        return Output {
            stdout: String::new(),
            stderr: render_all(file, &planned.diagnostics),
            code: 1,
        };
    };
    match p.export(target) {
        Ok(payload) => Output {
            stdout: payload,
            stderr: String::new(),
            code: 0,
        },
        Err(d) => Output {
            stdout: String::new(),
            stderr: render_all(file, &[d]),
            code: 1,
        },
    }
}

/// `backfill validate`: only the diagnostics; exit 1 on any error.
#[must_use]
pub fn run_validate(file: &str, text: &str, options: &PlanOptions) -> Output {
    let planned = planned(text, options);
    let errors = has_errors(&planned.diagnostics);
    let mut stderr = render_all(file, &planned.diagnostics);
    let count = |sev| {
        planned
            .diagnostics
            .iter()
            .filter(|d| d.severity == sev)
            .count()
    };
    let _ = writeln!(
        stderr,
        "{file}: {} error(s), {} warning(s)",
        count(crate::Severity::Error),
        count(crate::Severity::Warning)
    );
    Output {
        stdout: String::new(),
        stderr,
        code: u8::from(errors),
    }
}

/// The readable form of a plan: a summary, then the runs (the first and last 50 of
/// long plans).
fn table(p: &crate::Plan) -> String {
    let mut out = String::new();
    let s = p.summary();
    let e = &s.estimate;
    let _ = writeln!(
        out,
        "{} runs in {} batches ({} waves) for {}; first {}, last {}",
        p.run_count(),
        p.batch_count(),
        p.wave_count(),
        p.engine(),
        s.first.as_deref().unwrap_or("-"),
        s.last.as_deref().unwrap_or("-"),
    );
    let _ = writeln!(
        out,
        "estimate: {} runs launched, makespan {}s, overhead saved {}s, one failure re-runs {} partition(s)",
        e.runs_launched, e.makespan_secs, e.overhead_saved_secs, e.blast_radius
    );
    let _ = writeln!(out, "digest: {}", p.digest());
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "{:>7}  {:<26}  {:<22}  {:>5}  vars",
        "index", "logical date", "key", "batch"
    );
    let n = p.run_count();
    let shown: Vec<u64> = if n <= 100 {
        (0..n).collect()
    } else {
        (0..50).chain(n - 50..n).collect()
    };
    let mut previous = None;
    for i in shown {
        if previous.is_some_and(|prev: u64| prev + 1 != i) {
            let _ = writeln!(out, "{:>7}  … {} more …", "", i - previous.unwrap_or(0) - 1);
        }
        previous = Some(i);
        let Some(r) = p.run(i) else { continue };
        let mut vars: Vec<String> = r
            .vars
            .iter()
            .filter(|(k, _)| *k != "partition_key")
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        vars.extend(r.params.iter().map(|(k, v)| format!("{k}={v}")));
        let _ = writeln!(
            out,
            "{:>7}  {:<26}  {:<22}  {:>5}  {}{}",
            r.index,
            r.logical_date,
            r.partition_key.as_deref().unwrap_or("-"),
            r.batch,
            vars.join(" "),
            r.dst.map_or(String::new(), |d| format!("  [dst: {d}]")),
        );
    }
    out
}
