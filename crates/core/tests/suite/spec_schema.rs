#![allow(clippy::unwrap_used)]
//! `schemas/spec.schema.json` describes the planner spec, the native YAML input, so that
//! editors can autocomplete and check it. Every planner-spec example and golden input
//! validates against it (converted to JSON the way the core reads YAML), the schema's own
//! examples plan without errors, less common but valid specs validate and plan, and specs
//! that the planner rejects fail validation too, where a schema can tell.

use backfill_core::{
    detect_dialect, parse_duration, parse_moment, plan, yaml_to_json, Dialect, Engine, PlanOptions,
};
use jsonschema::Validator;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

const SPEC_ID: &str = "https://backfill-planner.invalid/schemas/spec.schema.json";

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The schema, checked against the 2020-12 meta-schema.
fn schema() -> Value {
    let path = repo().join("schemas/spec.schema.json");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let schema: Value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("spec.schema.json is not JSON: {e}"));
    if let Err(e) = jsonschema::meta::validate(&schema) {
        panic!(
            "spec.schema.json is not a valid schema: {e} at {}",
            e.instance_path()
        );
    }
    assert_eq!(schema["$id"], SPEC_ID, "spec.schema.json's $id");
    assert_eq!(
        schema["$schema"], "https://json-schema.org/draft/2020-12/schema",
        "spec.schema.json's draft"
    );
    schema
}

/// A validator that never touches the network.
fn compile(schema: &Value) -> Validator {
    jsonschema::draft202012::options()
        .offline()
        .build(schema)
        .unwrap_or_else(|e| panic!("the schema does not compile: {e}"))
}

fn validator() -> Validator {
    compile(&schema())
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

fn to_json(name: &str, text: &str) -> Value {
    yaml_to_json(text).unwrap_or_else(|d| panic!("{name} is not YAML: {}", d.message))
}

/// "Now" for open windows, and the text read as a planner spec whatever it looks like.
fn options() -> PlanOptions {
    PlanOptions {
        now: Some("2024-06-01T00:00:00Z".parse().unwrap()),
        dialect: Some(Dialect::Spec),
        ..Default::default()
    }
}

/// The error diagnostics of planning `text`, as `code: message` lines.
fn plan_errors(text: &str, options: &PlanOptions) -> Vec<String> {
    let planned = plan(text, options);
    let errors: Vec<String> = planned
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| format!("{}: {}", d.code, d.message))
        .collect();
    assert_eq!(
        errors.is_empty(),
        planned.plan.is_some(),
        "a plan comes with no error, and no plan with one: {errors:?}"
    );
    errors
}

/// `(file name, text)` of every `.yaml` directly in `dir` (relative to the repository).
fn yaml_files(dir: &str) -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = std::fs::read_dir(repo().join(dir))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == "yaml"))
        .map(|p| {
            let name = format!("{dir}/{}", p.file_name().unwrap().to_string_lossy());
            (name, std::fs::read_to_string(&p).unwrap())
        })
        .collect();
    files.sort();
    files
}

#[test]
fn every_planner_spec_example_validates() {
    let validator = validator();
    let examples = yaml_files("examples");
    let golden = yaml_files("crates/core/tests/suite/golden");
    assert!(
        examples.len() >= 6,
        "examples/ has {} .yaml files",
        examples.len()
    );
    for (file, text) in &examples {
        assert_eq!(
            detect_dialect(text),
            Some(Dialect::Spec),
            "{file} is not a planner spec"
        );
    }
    // The goldens also hold orchestrators' own inputs (Kestra flows, Polyaxon operations,
    // Mage variable lists): those are not planner specs.
    let golden_specs: Vec<&(String, String)> = golden
        .iter()
        .filter(|(_, text)| detect_dialect(text) == Some(Dialect::Spec))
        .collect();
    assert!(
        golden_specs.len() >= 10,
        "only {} golden planner specs",
        golden_specs.len()
    );
    let mut checked = 0;
    let mut failures = Vec::new();
    for (file, text) in examples.iter().chain(golden_specs) {
        let instance = to_json(file, text);
        let errs = errors(&validator, &instance);
        if !errs.is_empty() {
            failures.push(format!(
                "{file}: {} schema error(s)\n{}",
                errs.len(),
                errs.join("\n")
            ));
        }
        checked += 1;
    }
    assert!(
        failures.is_empty(),
        "planner specs that do not match schemas/spec.schema.json:\n{}",
        failures.join("\n")
    );
    println!("{checked} planner specs validate");
}

/// The schema's `examples`, as YAML a user would write.
const SCHEMA_EXAMPLES: [&str; 3] = [
    r#"engine: kestra
schedule: {cron: "*/30 * * * *"}
timezone: America/New_York
window: {start: "2024-03-28T02:30:00"}
now: "2024-03-28T07:30:00-04:00"
params: {mode: incremental}
labels: {reason: outage}
"#,
    r#"engine: dagster
schedule:
  partitions: {kind: daily, hour_offset: 1}
timezone: America/New_York
window:
  start: 2024-01-01
  end: 2024-04-10
strategy: {kind: multi_run, max_per_run: 10}
estimate: {run: 45s, overhead: 30s}
labels: {asset: warehouse/events, title: replay Q1}
"#,
    r#"engine: generic
schedule: {cron: "0 6 * * 1-5"}
timezone: Europe/Berlin
window: {start: 2024-03-01, end: "2024-04-01T06:00"}
bounds: "[]"
dst: {gap: shift, fold: earlier}
exclude: [2024-03-29]
params: {job: reload}
grid: {region: [eu, us]}
strategy: single_run
concurrency: 2
order: newest_first
retries: 2
timeout: 1h30m
failure_policy: continue
estimate: {run: 5m, overhead: 30}
labels: {team: data, ticket: 4711}
"#,
];

#[test]
fn the_schema_examples_validate_and_plan_without_errors() {
    let schema = schema();
    let validator = compile(&schema);
    let examples = schema["examples"].as_array().unwrap();
    assert_eq!(examples.len(), SCHEMA_EXAMPLES.len(), "schema examples");
    for (i, (example, text)) in examples.iter().zip(SCHEMA_EXAMPLES).enumerate() {
        assert_eq!(
            *example,
            to_json("example", text),
            "the schema's example {i} is not the YAML in this test"
        );
        let errs = errors(&validator, example);
        assert!(errs.is_empty(), "example {i}:\n{}", errs.join("\n"));
        let options = PlanOptions {
            now: Some("2024-06-01T00:00:00Z".parse().unwrap()),
            ..Default::default()
        };
        let errs = plan_errors(text, &options);
        assert!(errs.is_empty(), "example {i} does not plan: {errs:?}");
    }
}

/// Valid specs the examples do not show: every value form the parser takes. Each must
/// validate and plan without errors (with the engine given, if any).
const ACCEPTED: &[(&str, Option<Engine>, &str)] = &[
    (
        "quoted whole numbers",
        None,
        "schedule: {every: {unit: hours, count: \"6\"}}\nwindow: {start: 2024-01-01, end: 2024-01-03}\nconcurrency: \"2\"\nretries: \"1\"\nstrategy: {kind: multi_run, max_per_run: \" 3 \"}\n",
    ),
    (
        "duration forms",
        Some(Engine::Flyte),
        "schedule: {cron: \"0 0 * * *\"}\nwindow: {start: 2024-01-01, end: 2024-01-05}\ntimeout: PT1H\nestimate: {run: \"01:00:00\", overhead: 0}\n",
    ),
    (
        "durations in words and seconds",
        None,
        "engine: generic\nschedule: {cron: \"@daily\"}\nwindow: {start: 2024-01-01, end: 2024-01-05}\ntimeout: 3600\nestimate: {run: 1 Hour 30 MINS, overhead: P1DT}\n",
    ),
    (
        "a single select item and a null exclude",
        None,
        "engine: generic\nschedule: {cron: \"0 * * * *\"}\nwindow: {start: 2024-01-01, end: 2024-01-03}\nselect: 2024-01-02\nexclude:\n",
    ),
    (
        "kestra with a null end, seconds and a date-only now",
        None,
        "engine: kestra\nschedule: {cron: \"*/20 * * * * *\", with_seconds: true}\nwindow: {start: \"2024-05-31T23:59:00Z\", end: null}\nnow: 2024-06-01\n",
    ),
    (
        "polyaxon's negative step",
        None,
        "engine: polyaxon\nschedule: {every: {unit: day, count: -1}}\nwindow: {start: 2024-01-01, end: 2024-01-10}\ntimezone: UTC\n",
    ),
    (
        "mage months, aware ends",
        None,
        "engine: mage\nschedule: {every: {unit: months}}\nwindow: {start: \"2024-01-31T00:00:00+0200\", end: \"2024-05-31T00:00:00+02\"}\n",
    ),
    (
        "dagster weekly with a day offset, open end with end_offset",
        None,
        "engine: dagster\nschedule: {partitions: {kind: weekly, day_offset: 1, hour_offset: 2, end_offset: 1}}\nwindow: {start: 2024-04-01}\nnow: \"2024-05-01T00:00:00Z\"\n",
    ),
    (
        "dagster monthly on the 31st",
        None,
        "engine: dagster\nschedule: {partitions: {kind: monthly, day_offset: 31, fmt: \"%Y-%m\"}}\nwindow: {start: 2024-01-01, end: 2024-06-01}\nstrategy: single_run\n",
    ),
    (
        "dagster keys that YAML reads as numbers",
        None,
        "engine: dagster\nschedule: {partitions: {cron: \"0 0 1 1 *\", fmt: \"%Y\", minute_offset: 0}}\nwindow: {start: 2020-01-01, end: 2025-01-01}\nselect: [2022, 2023]\n",
    ),
    (
        "partitions without an engine, planned for dagster",
        Some(Engine::Dagster),
        "schedule: {partitions: {kind: hourly}}\nwindow: {start: 2024-01-01, end: 2024-01-02}\n",
    ),
    (
        "flyte's six-field croniter cron, an empty dst",
        None,
        "engine: flyte\nschedule: {cron: \"0 0 * * * 30\"}\ntimezone: utc\nwindow: {start: \"2024-01-01 00:00:00.5\", end: 2024-01-03}\ndst: {}\n",
    ),
    (
        "generic every with bounds and a grid of mixed values",
        None,
        "schedule: {every: {unit: week, count: 2}}\ntimezone: Z\nwindow: {start: 2024-01-01, end: 2024-03-01}\nbounds: \"()\"\ngrid: {shard: [1, two, 3.5, true]}\nparams: {nested: {a: [1, 2]}, none: null}\nlabels: {ticket: 4711, ratio: 0.5}\n",
    ),
    (
        "max_per_run without multi_run (a warning)",
        None,
        "engine: generic\nschedule: {cron: \"0 0 * * *\"}\nwindow: {start: 2024-01-01, end: 2024-01-05}\nstrategy: {max_per_run: 0}\n",
    ),
];

#[test]
fn less_common_valid_specs_validate_and_plan() {
    let validator = validator();
    let mut failures = Vec::new();
    for (what, engine, text) in ACCEPTED {
        let errs = errors(&validator, &to_json(what, text));
        if !errs.is_empty() {
            failures.push(format!(
                "{what}: rejected by the schema\n{}",
                errs.join("\n")
            ));
        }
        let options = PlanOptions {
            engine: *engine,
            ..options()
        };
        let errs = plan_errors(text, &options);
        if !errs.is_empty() {
            failures.push(format!("{what}: does not plan: {errs:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Specs the planner rejects, each with the instance path the schema must report.
const REJECTED: &[(&str, &str, &str)] = &[
    ("an unknown top-level key", "", "foo: 1"),
    ("an unknown engine", "/engine", "engine: kestrel"),
    ("a list at the top", "", "- engine: generic"),
    ("no schedule", "", "!schedule"),
    ("no window", "", "!window"),
    (
        "cron and every",
        "/schedule",
        "schedule: {cron: \"0 0 * * *\", every: {unit: day}}",
    ),
    ("an empty schedule", "/schedule", "schedule: {}"),
    (
        "a schedule that is a string",
        "/schedule",
        "schedule: \"0 0 * * *\"",
    ),
    (
        "an unknown schedule key",
        "/schedule",
        "schedule: {cron: \"0 0 * * *\", tz: UTC}",
    ),
    (
        "with_seconds: yes",
        "/schedule",
        "schedule: {cron: \"0 0 * * * *\", with_seconds: yes}",
    ),
    (
        "a cron that is a list",
        "/schedule",
        "schedule: {cron: [0, 0]}",
    ),
    (
        "every without a unit",
        "/schedule",
        "schedule: {every: {count: 2}}",
    ),
    (
        "an unknown unit",
        "/schedule",
        "schedule: {every: {unit: fortnight}}",
    ),
    (
        "a count in words",
        "/schedule",
        "schedule: {every: {unit: day, count: two}}",
    ),
    (
        "partitions with kind and cron",
        "/schedule",
        "engine: dagster\nschedule: {partitions: {kind: daily, cron: \"0 0 * * *\", fmt: \"%Y\"}}",
    ),
    (
        "partitions with neither kind nor cron",
        "/schedule",
        "engine: dagster\nschedule: {partitions: {fmt: \"%Y\"}}",
    ),
    (
        "a partitions cron without fmt",
        "/schedule",
        "engine: dagster\nschedule: {partitions: {cron: \"0 0 * * *\"}}",
    ),
    (
        "an unknown partitions kind",
        "/schedule",
        "engine: dagster\nschedule: {partitions: {kind: yearly}}",
    ),
    (
        "hour_offset 24",
        "/schedule",
        "engine: dagster\nschedule: {partitions: {kind: daily, hour_offset: 24}}",
    ),
    (
        "a weekly day_offset of 7",
        "/schedule",
        "engine: dagster\nschedule: {partitions: {kind: weekly, day_offset: 7}}",
    ),
    (
        "a monthly day_offset of 32",
        "/schedule",
        "engine: dagster\nschedule: {partitions: {kind: monthly, day_offset: 32}}",
    ),
    (
        "a window that is not a mapping",
        "/window",
        "window: 2024-01-01",
    ),
    (
        "a window with an unknown key",
        "/window",
        "window: {start: 2024-01-01, end: 2024-01-03, stop: 2024-01-04}",
    ),
    (
        "a window without start",
        "/window",
        "window: {end: 2024-01-03}",
    ),
    (
        "a start that is not a date",
        "/window/start",
        "window: {start: yesterday, end: 2024-01-03}",
    ),
    (
        "a start that is a number",
        "/window/start",
        "window: {start: 20240101, end: 2024-01-03}",
    ),
    (
        "a date-time without minutes",
        "/window/end",
        "window: {start: 2024-01-01, end: \"2024-01-03T06\"}",
    ),
    (
        "an offset out of range",
        "/window/end",
        "window: {start: 2024-01-01, end: \"2024-01-03T06:00+24:00\"}",
    ),
    (
        "a now that is not a date",
        "/now",
        "engine: kestra\nwindow: {start: 2024-01-01}\nnow: tomorrow",
    ),
    ("a time zone that is a number", "/timezone", "timezone: 5"),
    ("bounds `[[`", "/bounds", "bounds: \"[[\""),
    ("dst gap `maybe`", "/dst/gap", "dst: {gap: maybe}"),
    ("an unknown dst key", "/dst", "dst: {overlap: both}"),
    ("an unknown strategy", "/strategy", "strategy: batched"),
    ("strategy as a number", "/strategy", "strategy: 5"),
    (
        "an unknown strategy key",
        "/strategy",
        "strategy: {kind: multi_run, max: 5}",
    ),
    (
        "multi_run with max_per_run 0",
        "/strategy",
        "strategy: {kind: multi_run, max_per_run: 0}",
    ),
    ("concurrency 0", "/concurrency", "concurrency: 0"),
    ("concurrency in words", "/concurrency", "concurrency: many"),
    ("negative retries", "/retries", "retries: -1"),
    ("an unknown order", "/order", "order: newest"),
    (
        "an unknown failure policy",
        "/failure_policy",
        "failure_policy: retry",
    ),
    (
        "a timeout in fortnights",
        "/timeout",
        "timeout: 5 fortnights",
    ),
    ("a fractional timeout", "/timeout", "timeout: 1.5h"),
    ("a zero timeout", "/timeout", "timeout: 0"),
    (
        "an unknown estimate key",
        "/estimate",
        "estimate: {runs: 1m}",
    ),
    ("a zero estimate", "/estimate/run", "estimate: {run: 0}"),
    (
        "a negative overhead",
        "/estimate/overhead",
        "estimate: {overhead: -30}",
    ),
    ("an empty grid axis", "/grid/region", "grid: {region: []}"),
    (
        "a grid axis that is not a list",
        "/grid/region",
        "grid: {region: eu}",
    ),
    ("params that are a list", "/params", "params: [a, b]"),
    (
        "a boolean label",
        "/labels/urgent",
        "labels: {urgent: true}",
    ),
    (
        "a list of labels",
        "/labels",
        "labels: [{key: a, value: b}]",
    ),
    ("a select mapping", "/select", "select: {day: 2024-01-02}"),
    ("a boolean exclude item", "/exclude", "exclude: [true]"),
    (
        "bounds with flyte",
        "/bounds",
        "engine: flyte\nbounds: \"[]\"",
    ),
    (
        "dst with kestra",
        "/dst",
        "engine: kestra\ndst: {gap: skip}",
    ),
    ("a cron for polyaxon", "/schedule", "engine: polyaxon"),
    (
        "months for polyaxon",
        "/schedule/every/unit",
        "engine: polyaxon\nschedule: {every: {unit: month}}",
    ),
    (
        "a zero step for polyaxon",
        "/schedule/every/count",
        "engine: polyaxon\nschedule: {every: {unit: day, count: 0}}",
    ),
    (
        "a zero step for mage",
        "/schedule/every/count",
        "engine: mage\nschedule: {every: {unit: hour, count: 0}}",
    ),
    (
        "partitions for mage",
        "/schedule",
        "engine: mage\nschedule: {partitions: {kind: daily}}",
    ),
    (
        "an interval for kestra",
        "/schedule",
        "engine: kestra\nschedule: {every: {unit: day}}",
    ),
    ("a cron for dagster", "/schedule", "engine: dagster"),
    (
        "partitions for generic",
        "/schedule",
        "engine: generic\nschedule: {partitions: {kind: daily}}",
    ),
    (
        "an open window for flyte",
        "/window",
        "engine: flyte\nwindow: {start: 2024-01-01}",
    ),
    (
        "a null end for generic",
        "/window/end",
        "engine: generic\nwindow: {start: 2024-01-01, end: null}",
    ),
];

/// A valid spec with `change` laid over it: the keys of `change` replace the base's, a
/// line `!key` removes that key, and a list replaces the whole spec.
fn broken_spec(change: &str) -> String {
    let base = [
        ("engine", "engine: generic"),
        ("schedule", "schedule: {cron: \"0 0 * * *\"}"),
        ("window", "window: {start: 2024-01-01, end: 2024-01-05}"),
    ];
    if change.starts_with('-') {
        return format!("{change}\n");
    }
    let replaced: Vec<&str> = change
        .lines()
        .filter_map(|l| l.trim_start_matches('!').split(':').next())
        .collect();
    let mut text = String::new();
    for (key, line) in base {
        if !replaced.contains(&key) {
            text.push_str(line);
            text.push('\n');
        }
    }
    for line in change.lines().filter(|l| !l.starts_with('!')) {
        text.push_str(line);
        text.push('\n');
    }
    text
}

#[test]
fn specs_the_planner_rejects_fail_validation() {
    let validator = validator();
    let base = broken_spec("");
    assert!(
        errors(&validator, &to_json("base", &base)).is_empty(),
        "the base spec is invalid"
    );
    assert!(
        plan_errors(&base, &options()).is_empty(),
        "the base spec does not plan"
    );
    assert!(REJECTED.len() >= 8);
    let mut failures = Vec::new();
    for (what, path, change) in REJECTED {
        let text = broken_spec(change);
        let planner = plan_errors(&text, &options());
        if planner.is_empty() {
            failures.push(format!(
                "{what}: the planner accepts it, so the schema must too:\n{text}"
            ));
            continue;
        }
        let instance = to_json(what, &text);
        let errs: Vec<(String, String)> = validator
            .iter_errors(&instance)
            .map(|e| (e.instance_path().to_string(), e.to_string()))
            .collect();
        if errs.is_empty() {
            failures.push(format!(
                "{what}: the schema accepts it (the planner says {planner:?}):\n{text}"
            ));
        } else if !errs.iter().any(|(p, _)| p == path) {
            failures.push(format!(
                "{what}: expected a schema error at `{path}`, got {errs:?}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The value patterns say what the parser says, checked on each pattern alone.
#[test]
fn duration_moment_and_number_patterns_agree_with_the_parser() {
    let schema = schema();
    let duration = compile(&schema["$defs"]["duration"]);
    let moment = compile(&schema["$defs"]["moment"]);
    let integer = compile(&schema["$defs"]["integer_text"]);

    let durations = [
        "45s",
        "30m",
        "1h30m",
        "2d",
        "1w",
        "PT1H",
        "P1DT12H",
        "P2W",
        "p1d",
        "pt1h30m",
        "P1DT",
        "01:00:00",
        "0:0:0",
        "3600",
        "+5",
        "-5",
        "-5m",
        "- 5m",
        "1 h 30 m",
        " 90 ",
        "1H",
        "10Sec",
        "2 hours",
        "3 Minutes",
        "1w2d",
        "1hr",
        "2hrs",
        "5mins",
        "1days",
        "1 0m",
        "4 WEEKS",
        "7 seconds",
        "",
        "1 fortnight",
        "5 fortnights",
        "PT",
        "P",
        "P1H",
        "PT1D",
        "P1DT1HT",
        "PT1H2",
        "1.5h",
        "h",
        "1:00",
        "1:00:00:00",
        "-1:00:00",
        "+5m",
        "--5m",
        "5ms",
        "5 m s",
        "1h 30",
        "1 h\t30m",
        "P 1D",
        "1e3",
        "1_000",
        "5x",
        "seconds",
        "1hourss",
        "1m30",
        "1 secondss",
    ];
    let mut failures = Vec::new();
    for s in durations {
        let parser = parse_duration(s).is_some();
        if duration.is_valid(&json!(s)) != parser {
            failures.push(format!("duration {s:?}: the parser says {parser}"));
        }
    }
    for n in [0, 3600, -5] {
        assert!(duration.is_valid(&json!(n)), "duration {n}");
    }
    assert!(!duration.is_valid(&json!(true)) && !duration.is_valid(&json!(null)));

    let moments = [
        "2024-01-01",
        "2024-01-01T06:30",
        "2024-01-01t06:30",
        "2024-01-01 06:30:15",
        "2024-01-01T06:30:15.123456789",
        "2024-01-01T06:30:15,5",
        "2024-01-01T06:30Z",
        "2024-01-01T06:30:00z",
        "2024-01-01T06:30:00+02:00",
        "2024-01-01T06:30:00+0200",
        "2024-01-01T06:30:00-02",
        "2024-01-01T06:30:00.5+02:00",
        " 2024-01-01 ",
        "0001-01-01",
        "9999-12-31T23:59:59",
        "2024-1-1",
        "2024/01/01",
        "20240101",
        "2024-01-01T6:30",
        "2024-01-01T06",
        "2024-01-01T06:30:1",
        "2024-01-01T24:00",
        "2024-01-01T06:60",
        "2024-01-01T06:30:60",
        "2024-01-01T06:30:00.",
        "2024-01-01T06:30:00.1234567890",
        "2024-01-01T06:30:00+24:00",
        "2024-01-01T06:30:00+02:60",
        "2024-01-01T06:30:00+2",
        "2024-01-01T06:30:00+02:0",
        "2024-01-01T06:30:00+02:00:00",
        "2024-01-01T06:30:00 +02:00",
        "2024-01-01T06:30:00Zz",
        "2024-01-01X06:30",
        "2024-01-01T06:30.5",
        "0000-01-01",
        "2024-13-01",
        "2024-00-10",
        "2024-01-32",
        "yesterday",
        "",
    ];
    for s in moments {
        let parser = parse_moment(s).is_ok();
        if moment.is_valid(&json!(s)) != parser {
            failures.push(format!("moment {s:?}: the parser says {parser}"));
        }
    }
    // Days that do not exist are the one thing the pattern lets through.
    for s in ["2024-02-30", "2023-02-29", "2024-04-31"] {
        assert!(parse_moment(s).is_err(), "{s}");
        assert!(moment.is_valid(&json!(s)), "{s}");
    }

    for s in [
        "5", " 5 ", "+5", "-5", "05", "5.0", "1e3", "five", "", "5 5", "0x10", "1_000",
    ] {
        let parser = s.trim().parse::<i64>().is_ok();
        if integer.is_valid(&json!(s)) != parser {
            failures.push(format!(
                "quoted whole number {s:?}: the parser says {parser}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Where a JSON Schema cannot follow the parser, pinned so that a change on either side
/// is noticed: `(what, change to the base spec, the schema accepts it, it plans)`.
const KNOWN_GAPS: &[(&str, &str, bool, bool)] = &[
    // A number with a zero fraction is an integer in JSON Schema; the parser wants `4`.
    (
        "a whole number written as a float",
        "concurrency: 4.0",
        true,
        false,
    ),
    // YAML reads `0x10` as 16; durations are read from the text as written.
    ("a hexadecimal timeout", "timeout: 0x10", true, false),
    // `.nan` becomes null in JSON; the parser keeps a label's text as written.
    ("a label written `.nan`", "labels: {a: .nan}", false, true),
    // The parser ignores `with_seconds` outside a cron; the schema keeps it to the cron.
    (
        "with_seconds next to every",
        "schedule: {every: {unit: day}, with_seconds: false}",
        false,
        true,
    ),
    // Values only the planner can judge.
    (
        "a day that does not exist",
        "window: {start: 2024-02-30, end: 2024-03-02}",
        true,
        false,
    ),
    (
        "an unknown time zone",
        "timezone: Europe/Londn",
        true,
        false,
    ),
    (
        "a cron field out of range",
        "schedule: {cron: \"61 0 * * *\"}",
        true,
        false,
    ),
    ("a negative duration", "timeout: -5m", true, false),
    (
        "a window that ends before it starts",
        "engine: flyte\nwindow: {start: 2024-01-09, end: 2024-01-01}",
        true,
        false,
    ),
];

#[test]
fn known_gaps_between_the_schema_and_the_parser() {
    let validator = validator();
    let mut failures = Vec::new();
    for (what, change, schema_ok, plans) in KNOWN_GAPS {
        let text = broken_spec(change);
        let valid = validator.is_valid(&to_json(what, &text));
        let planned = plan_errors(&text, &options()).is_empty();
        if (valid, planned) != (*schema_ok, *plans) {
            failures.push(format!(
                "{what}: the schema accepts it: {valid} (expected {schema_ok}), it plans: {planned} (expected {plans})"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Every property the schema lists (outside the engine rules) says what it is.
#[test]
fn every_property_has_a_description() {
    fn walk(v: &Value, at: &str, missing: &mut Vec<String>) {
        if let Some(props) = v.get("properties").and_then(Value::as_object) {
            for (name, p) in props {
                if p.get("description").is_none() {
                    missing.push(format!("{at}/properties/{name}"));
                }
            }
        }
        match v {
            Value::Object(m) => {
                for (k, child) in m {
                    if !["allOf", "if", "then", "else", "not", "examples", "default"]
                        .contains(&k.as_str())
                    {
                        walk(child, &format!("{at}/{k}"), missing);
                    }
                }
            }
            Value::Array(items) => {
                for (i, child) in items.iter().enumerate() {
                    walk(child, &format!("{at}/{i}"), missing);
                }
            }
            _ => {}
        }
    }
    let schema = schema();
    let mut missing = Vec::new();
    walk(&schema, "", &mut missing);
    assert!(
        missing.is_empty(),
        "properties without a description: {missing:?}"
    );
    // The keys `parse_spec` knows (its `TOP_KEYS`), no more and no fewer.
    let mut keys: Vec<&str> = schema["properties"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    let mut expected = [
        "engine",
        "schedule",
        "timezone",
        "window",
        "bounds",
        "now",
        "select",
        "exclude",
        "params",
        "grid",
        "strategy",
        "concurrency",
        "order",
        "retries",
        "timeout",
        "failure_policy",
        "estimate",
        "labels",
        "dst",
    ];
    expected.sort_unstable();
    assert_eq!(keys, expected, "the top-level keys of the spec");
}
