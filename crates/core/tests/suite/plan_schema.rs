#![allow(clippy::unwrap_used)]
//! The JSON Schemas in `schemas/` describe what `backfill plan --format json` prints:
//! every example and golden plan validates against `plan.schema.json`, the error output
//! of broken inputs against `diagnostics.schema.json`, and plans broken on purpose fail.

use backfill_core::report::{run_plan, Format};
use backfill_core::PlanOptions as Options;
use jsonschema::{Registry, Validator};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

const PLAN_ID: &str = "https://backfill-planner.invalid/schemas/plan.schema.json";
const DIAGNOSTICS_ID: &str = "https://backfill-planner.invalid/schemas/diagnostics.schema.json";

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn load(relative: &str) -> Value {
    let path = repo().join(relative);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()))
}

/// Both schemas, checked against the 2020-12 meta-schema and compiled offline: the
/// diagnostics schema's `$ref` into the plan schema resolves from the registry.
fn validators() -> (Validator, Validator) {
    let plan_schema = load("schemas/plan.schema.json");
    let diagnostics_schema = load("schemas/diagnostics.schema.json");
    for (name, schema, id) in [
        ("plan", &plan_schema, PLAN_ID),
        ("diagnostics", &diagnostics_schema, DIAGNOSTICS_ID),
    ] {
        if let Err(e) = jsonschema::meta::validate(schema) {
            panic!(
                "{name}.schema.json is not a valid schema: {e} at {}",
                e.instance_path()
            );
        }
        assert_eq!(schema["$id"], id, "{name}.schema.json's $id");
        assert_eq!(
            schema["$schema"], "https://json-schema.org/draft/2020-12/schema",
            "{name}.schema.json's draft"
        );
    }
    let registry = Registry::new()
        .add(PLAN_ID, plan_schema.clone())
        .unwrap()
        .prepare()
        .unwrap();
    let plan = jsonschema::draft202012::options()
        .offline()
        .build(&plan_schema)
        .unwrap_or_else(|e| panic!("plan.schema.json does not compile: {e}"));
    let diagnostics = jsonschema::draft202012::options()
        .offline()
        .with_registry(&registry)
        .build(&diagnostics_schema)
        .unwrap_or_else(|e| panic!("diagnostics.schema.json does not compile: {e}"));
    (plan, diagnostics)
}

/// Every validation error, one per line, with where it is in the instance and the schema.
fn errors(validator: &Validator, instance: &Value) -> Vec<String> {
    validator
        .iter_errors(instance)
        .map(|e| {
            format!(
                "  at `{}`: {e} (schema: {})",
                e.instance_path(),
                e.schema_path()
            )
        })
        .collect()
}

fn options() -> Options {
    Options {
        engine: None,
        now: Some("2024-06-01T00:00:00Z".parse().unwrap()),
        limit: 1_000_000,
        ..Default::default()
    }
}

/// `(file name, text)` of every `.yaml` in `dir` (relative to the repository), sorted.
fn yaml_files(dir: &str) -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = std::fs::read_dir(repo().join(dir))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .map(|p| {
            let name = format!("{dir}/{}", p.file_name().unwrap().to_string_lossy());
            (name, std::fs::read_to_string(&p).unwrap())
        })
        .collect();
    files.sort();
    files
}

/// Plans the examples and goldens do not reach: no runs at all, a single run with no
/// interval end, an offset that is not whole minutes, a negative timeout, labels,
/// newest-first order, Dagster's single_run over a gap.
const EDGE_CASES: &[(&str, &str)] = &[
    (
        "mage-end-before-start",
        "engine: mage\nschedule: {every: {unit: day, count: 1}}\nwindow: {start: \"2023-01-05T00:00:00\", end: \"2023-01-01T00:00:00\"}\n",
    ),
    (
        "polyaxon-negative-step",
        "engine: polyaxon\nschedule: {every: {unit: day, count: -1}}\nwindow: {start: 2024-01-01, end: 2024-01-10}\n",
    ),
    (
        "mage-single-run",
        "engine: mage\nschedule: {every: {unit: day, count: 1}}\nwindow: {start: \"2023-01-05T00:00:00\", end: \"2023-01-05T00:00:00\"}\n",
    ),
    (
        "generic-local-mean-time",
        "engine: generic\nschedule: {cron: \"0 0 * * *\"}\ntimezone: Asia/Kolkata\nwindow: {start: 1850-01-01, end: 1850-01-03}\n",
    ),
    (
        "generic-settings",
        "engine: generic\nschedule: {cron: \"0 0 * * *\"}\nwindow: {start: 2024-01-01, end: 2024-01-05}\norder: newest_first\ntimeout: 5m\nretries: 2\nfailure_policy: continue\nconcurrency: 3\nlabels: {team: data, reason: outage}\n",
    ),
    (
        "dagster-single-run-gap",
        "engine: dagster\nschedule: {partitions: {kind: daily}}\nwindow: {start: 2024-01-01, end: 2024-01-10}\nexclude: [2024-01-04]\nstrategy: {kind: single_run}\n",
    ),
    (
        "flyte-aware-multi-run",
        "engine: flyte\nschedule: {cron: \"0 */6 * * *\"}\ntimezone: Europe/Berlin\nwindow: {start: 2024-03-30, end: 2024-04-01}\nstrategy: {kind: multi_run, max_per_run: 3}\nestimate: {run: 20m, overhead: 1m}\n",
    ),
];

fn plan_json(file: &str, text: &str) -> Value {
    let out = run_plan(file, text, &options(), Format::Json);
    assert_eq!(
        out.code, 0,
        "{file} does not plan: {}{}",
        out.stdout, out.stderr
    );
    serde_json::from_str(&out.stdout).unwrap()
}

#[test]
fn every_example_and_golden_plan_matches_the_plan_schema() {
    let (plan_schema, diagnostics_schema) = validators();
    let mut inputs = yaml_files("examples");
    let examples = inputs.len();
    inputs.extend(yaml_files("crates/core/tests/suite/golden"));
    assert!(examples >= 6, "examples/ has {examples} .yaml files");
    assert!(inputs.len() > examples, "no golden inputs");
    inputs.extend(
        EDGE_CASES
            .iter()
            .map(|(name, text)| (format!("{name}.yaml"), (*text).to_owned())),
    );
    let mut failures = Vec::new();
    for (file, text) in &inputs {
        let plan = plan_json(file, text);
        let errs = errors(&plan_schema, &plan);
        if !errs.is_empty() {
            failures.push(format!(
                "{file}: {} schema error(s)\n{}",
                errs.len(),
                errs.join("\n")
            ));
        }
        // A plan is not an error output.
        assert!(
            !diagnostics_schema.is_valid(&plan),
            "{file}: the diagnostics schema accepts a plan"
        );
    }
    assert!(
        failures.is_empty(),
        "plans that do not match schemas/plan.schema.json:\n{}",
        failures.join("\n")
    );
}

/// Inputs that cannot be planned, each with a code its output must contain.
const BROKEN: &[(&str, &str, &str)] = &[
    ("empty", "", "E0003"),
    ("yaml-syntax", "engine: [\n", "E0001"),
    (
        "several-errors",
        "engine: kestar\nschedule: {cron: \"0 0 * * *\"}\ntimezone: Mars/Base\nwindow: {start: 2024-01-01, end: 2024-01-03}\nfoo: 1\n",
        "E0202",
    ),
    (
        "two-documents",
        "engine: generic\n---\nengine: flyte\n",
        "E0004",
    ),
    (
        "bad-cron",
        "engine: generic\nschedule: {cron: \"61 0 * * *\"}\nwindow: {start: 2024-01-01, end: 2024-01-03}\n",
        "E0304",
    ),
    (
        "flyte-window-too-small",
        "engine: flyte\nschedule: {cron: \"0 0 * * *\"}\nwindow: {start: 2024-01-01, end: 2024-01-02}\n",
        "E0414",
    ),
    ("not-a-mapping", "engine: kestra\nschedule: 5\nwindow: {start: 2024-01-01, end: 2024-01-02}\n", "E0102"),
    ("no-dialect", "- a\n- b\n", "E0005"),
    (
        "over-the-limit",
        "engine: generic\nschedule: {cron: \"* * * * *\"}\nwindow: {start: 2000-01-01, end: 2024-01-01}\n",
        "E0601",
    ),
];

#[test]
fn broken_inputs_print_output_matching_the_diagnostics_schema() {
    let (plan_schema, diagnostics_schema) = validators();
    let mut failures = Vec::new();
    for (name, text, code) in BROKEN {
        let file = format!("{name}.yaml");
        let out = run_plan(&file, text, &options(), Format::Json);
        assert_eq!(out.code, 1, "{file} planned: {}", out.stdout);
        let output: Value = serde_json::from_str(&out.stdout).unwrap();
        assert!(
            output["diagnostics"]
                .as_array()
                .unwrap()
                .iter()
                .any(|d| d["code"] == *code),
            "{file}: no {code} in {output}"
        );
        let errs = errors(&diagnostics_schema, &output);
        if !errs.is_empty() {
            failures.push(format!(
                "{file}: {} schema error(s)\n{}",
                errs.len(),
                errs.join("\n")
            ));
        }
        assert!(
            !plan_schema.is_valid(&output),
            "{file}: the plan schema accepts an error output"
        );
    }
    assert!(
        failures.is_empty(),
        "error outputs that do not match schemas/diagnostics.schema.json:\n{}",
        failures.join("\n")
    );
}

/// Asserts that `validator` rejects `instance` with an error at `path`.
fn assert_rejected(validator: &Validator, instance: &Value, what: &str, path: &str) {
    let errs: Vec<(String, String)> = validator
        .iter_errors(instance)
        .map(|e| (e.instance_path().to_string(), e.to_string()))
        .collect();
    assert!(!errs.is_empty(), "the schema accepts a plan with {what}");
    assert!(
        errs.iter().any(|(p, _)| p == path),
        "{what}: expected an error at `{path}`, got {errs:?}"
    );
}

#[test]
fn plans_broken_on_purpose_fail_validation() {
    let (plan_schema, diagnostics_schema) = validators();
    let text = std::fs::read_to_string(repo().join("examples/dagster-100-days.yaml")).unwrap();
    let good = plan_json("examples/dagster-100-days.yaml", &text);
    assert!(
        errors(&plan_schema, &good).is_empty(),
        "the base plan is invalid"
    );
    let naive_text = std::fs::read_to_string(repo().join("examples/polyaxon-daily.yaml")).unwrap();
    let naive = plan_json("examples/polyaxon-daily.yaml", &naive_text);
    assert!(
        errors(&plan_schema, &naive).is_empty(),
        "the naive base plan is invalid"
    );

    type Break = fn(&mut Value);
    let cases: &[(&str, &str, Break)] = &[
        ("no digest", "", |p| {
            p.as_object_mut().unwrap().remove("digest");
        }),
        ("version 2", "/version", |p| p["version"] = json!(2)),
        ("an unknown top-level key", "", |p| {
            p["extra"] = json!(true);
        }),
        ("an unknown engine", "/engine", |p| {
            p["engine"] = json!("prefect");
        }),
        ("an upper-case digest", "/digest", |p| {
            p["digest"] = json!("524EC406C9DB644944459B674AA6534D5A74750934A66B97A660B4CAEE6CEE91");
        }),
        ("a source without text", "/source", |p| {
            p["source"].as_object_mut().unwrap().remove("text");
        }),
        ("a summary without estimate", "/summary", |p| {
            p["summary"].as_object_mut().unwrap().remove("estimate");
        }),
        ("a string run count", "/summary/run_count", |p| {
            p["summary"]["run_count"] = json!("100");
        }),
        ("an unknown strategy", "/summary/strategy", |p| {
            p["summary"]["strategy"] = json!("batched");
        }),
        (
            "multi_run without max_per_run",
            "/summary/max_per_run",
            |p| {
                p["summary"]["max_per_run"] = Value::Null;
            },
        ),
        ("concurrency 0", "/summary/concurrency", |p| {
            p["summary"]["concurrency"] = json!(0);
        }),
        ("a numeric label", "/summary/labels/team", |p| {
            p["summary"]["labels"]["team"] = json!(1);
        }),
        ("an extra estimate key", "/summary/estimate", |p| {
            p["summary"]["estimate"]["cost"] = json!(1);
        }),
        ("a run without vars", "/runs/3", |p| {
            p["runs"][3].as_object_mut().unwrap().remove("vars");
        }),
        ("a run with an unknown key", "/runs/0", |p| {
            p["runs"][0]["color"] = json!("red");
        }),
        ("a negative run index", "/runs/0/index", |p| {
            p["runs"][0]["index"] = json!(-1);
        }),
        ("an unknown dst value", "/runs/0/dst", |p| {
            p["runs"][0]["dst"] = json!("skipped");
        }),
        (
            "a naive date in an aware plan",
            "/runs/0/logical_date",
            |p| {
                p["runs"][0]["logical_date"] = json!("2024-01-01T00:00:00");
            },
        ),
        ("a Dagster run without a partition key", "/runs/5", |p| {
            p["runs"][5]
                .as_object_mut()
                .unwrap()
                .remove("partition_key");
        }),
        ("a batch of size 0", "/batches/0/size", |p| {
            p["batches"][0]["size"] = json!(0);
        }),
        ("a batch without run indices", "/batches/1", |p| {
            p["batches"][1]
                .as_object_mut()
                .unwrap()
                .remove("run_indices");
        }),
        ("an error in a plan", "/diagnostics/0/severity", |p| {
            p["diagnostics"][0]["severity"] = json!("error");
        }),
        ("a malformed code", "/diagnostics/0/code", |p| {
            p["diagnostics"][0]["code"] = json!("X120");
        }),
        (
            "a code whose letter is not its severity",
            "/diagnostics/0/severity",
            |p| {
                p["diagnostics"][0]["code"] = json!("W0120");
            },
        ),
        ("a span on line 0", "/diagnostics/0/span/line", |p| {
            p["diagnostics"][0]["span"]["line"] = json!(0);
        }),
        (
            "an empty runs list on a diagnostic",
            "/diagnostics/0/runs",
            |p| {
                p["diagnostics"][0]["runs"] = json!([]);
            },
        ),
    ];
    for (what, path, break_it) in cases {
        let mut plan = good.clone();
        break_it(&mut plan);
        assert_rejected(&plan_schema, &plan, what, path);
    }

    let naive_cases: &[(&str, &str, Break)] = &[
        ("an offset in a naive plan", "/runs/0/logical_date", |p| {
            p["runs"][0]["logical_date"] = json!("2021-05-01T00:00:00Z");
        }),
        ("a UTC first in a naive plan", "/summary/first_utc", |p| {
            p["summary"]["first_utc"] = json!("2021-05-01T00:00:00Z");
        }),
        (
            "a partition key outside Dagster",
            "/runs/0/partition_key",
            |p| {
                p["runs"][0]["partition_key"] = json!("2021-05-01");
            },
        ),
        ("batch tags outside Dagster", "/batches/0/tags", |p| {
            p["batches"][0]["tags"] = json!({"dagster/partition": "2021-05-01"});
        }),
    ];
    for (what, path, break_it) in naive_cases {
        let mut plan = naive.clone();
        break_it(&mut plan);
        assert_rejected(&plan_schema, &plan, what, path);
    }

    // The error output: not empty, at least one error, nothing but diagnostics.
    let only_notes =
        json!({"diagnostics": [{"code": "N0120", "severity": "note", "message": "m"}]});
    assert_rejected(&diagnostics_schema, &only_notes, "no error", "/diagnostics");
    assert_rejected(
        &diagnostics_schema,
        &json!({"diagnostics": []}),
        "no diagnostics",
        "/diagnostics",
    );
    assert_rejected(
        &diagnostics_schema,
        &json!({"diagnostics": [{"code": "E0003", "severity": "error", "message": "m"}], "plan": null}),
        "an extra key",
        "",
    );
    assert_rejected(
        &diagnostics_schema,
        &json!({"diagnostics": [{"code": "E0003", "severity": "error"}]}),
        "a diagnostic without a message",
        "/diagnostics/0",
    );
}
