//! The test vectors of research/semantics.md §8, one table, through the command line's
//! own code path (`backfill plan --format json`).
#![allow(clippy::unwrap_used)]

use backfill_core::report::{run_plan, Format};
use backfill_core::PlanOptions as Options;
use serde_json::Value;

/// What a vector expects.
enum Expect {
    /// The logical dates of the runs, in order.
    Dates(&'static [&'static str]),
    /// Dagster partition keys, in order.
    Keys(&'static [&'static str]),
    /// Planning fails with this code.
    Error(&'static str),
}

struct Vector {
    id: &'static str,
    spec: &'static str,
    expect: Expect,
    /// (run index, variable or param path, expected value) checks.
    vars: &'static [(usize, &'static str, &'static str)],
    /// A warning code that must be present.
    warns: &'static [&'static str],
}

const VECTORS: &[Vector] = &[
    Vector { id: "P1", spec: "engine: polyaxon\nschedule: {every: {unit: second, count: 3600}}\nwindow: {start: \"2021-05-01 10:00\", end: \"2021-05-01 16:00\"}",
        expect: Expect::Dates(&["2021-05-01T10:00:00", "2021-05-01T11:00:00", "2021-05-01T12:00:00", "2021-05-01T13:00:00", "2021-05-01T14:00:00", "2021-05-01T15:00:00"]),
        vars: &[(0, "params.dt", "2021-05-01T10:00:00")], warns: &[] },
    Vector { id: "P2", spec: "engine: polyaxon\nschedule: {every: {unit: day, count: 1}}\nwindow: {start: 2021-05-01, end: 2021-05-08}",
        expect: Expect::Dates(&["2021-05-01T00:00:00", "2021-05-02T00:00:00", "2021-05-03T00:00:00", "2021-05-04T00:00:00", "2021-05-05T00:00:00", "2021-05-06T00:00:00", "2021-05-07T00:00:00"]),
        vars: &[(0, "params.dt", "2021-05-01"), (6, "params.dt", "2021-05-07")], warns: &[] },
    Vector { id: "P3", spec: "engine: polyaxon\nschedule: {every: {unit: day, count: 2}}\nwindow: {start: 2021-05-01, end: 2021-05-08}",
        expect: Expect::Dates(&["2021-05-01T00:00:00", "2021-05-03T00:00:00", "2021-05-05T00:00:00", "2021-05-07T00:00:00"]), vars: &[], warns: &["W0313"] },
    Vector { id: "P4", spec: "engine: polyaxon\nschedule: {every: {unit: second, count: 7000}}\nwindow: {start: \"2021-05-01 10:00\", end: \"2021-05-01 16:00\"}",
        expect: Expect::Dates(&["2021-05-01T10:00:00", "2021-05-01T11:56:40", "2021-05-01T13:53:20", "2021-05-01T15:50:00"]), vars: &[], warns: &[] },
    Vector { id: "P5", spec: "engine: polyaxon\nschedule: {every: {unit: day, count: 1}}\nwindow: {start: 2021-05-01, end: 2021-05-01}",
        expect: Expect::Error("E0410"), vars: &[], warns: &[] },
    Vector { id: "P6", spec: "engine: polyaxon\nschedule: {every: {unit: day, count: -1}}\nwindow: {start: 2021-05-01, end: 2021-05-08}",
        expect: Expect::Dates(&[]), vars: &[], warns: &["W0312"] },
    Vector { id: "P7", spec: "engine: polyaxon\nschedule: {every: {unit: second, count: 7200}}\nwindow: {start: \"2021-05-01T10:00:00+02:00\", end: \"2021-05-01T16:00:00+02:00\"}",
        expect: Expect::Dates(&["2021-05-01T08:00:00", "2021-05-01T10:00:00", "2021-05-01T12:00:00"]), vars: &[], warns: &["W0311"] },
    Vector { id: "P8", spec: "engine: polyaxon\nschedule: {every: {unit: day, count: 1}}\nwindow: {start: 2021-05-01, end: 2021-05-08}\ngrid: {region: [eu, us]}",
        expect: Expect::Dates(&["2021-05-01T00:00:00", "2021-05-01T00:00:00", "2021-05-02T00:00:00", "2021-05-02T00:00:00", "2021-05-03T00:00:00", "2021-05-03T00:00:00", "2021-05-04T00:00:00", "2021-05-04T00:00:00", "2021-05-05T00:00:00", "2021-05-05T00:00:00", "2021-05-06T00:00:00", "2021-05-06T00:00:00", "2021-05-07T00:00:00", "2021-05-07T00:00:00"]),
        vars: &[(0, "params.region", "eu"), (1, "params.region", "us"), (2, "params.region", "eu"), (2, "params.dt", "2021-05-02")], warns: &[] },
    Vector { id: "P8-polyaxon", spec: "version: 1.1\nkind: operation\nmatrix:\n  kind: grid\n  numRuns: 3\n  params:\n    ds: {kind: daterange, value: [\"2021-05-01\", \"2021-05-08\", 1]}\n    region: {kind: choice, value: [eu, us]}\n",
        expect: Expect::Dates(&["2021-05-01T00:00:00", "2021-05-01T00:00:00", "2021-05-02T00:00:00"]),
        vars: &[(0, "params.region", "eu"), (1, "params.region", "us"), (2, "params.region", "eu"), (2, "params.ds", "2021-05-02")], warns: &[] },
    Vector { id: "P8-reversed", spec: "version: 1.1\nkind: operation\nmatrix:\n  kind: grid\n  numRuns: 3\n  params:\n    region: {kind: choice, value: [eu, us]}\n    ds: {kind: daterange, value: [\"2021-05-01\", \"2021-05-08\", 1]}\n",
        expect: Expect::Dates(&["2021-05-01T00:00:00", "2021-05-02T00:00:00", "2021-05-03T00:00:00"]),
        vars: &[(0, "params.region", "eu"), (2, "params.region", "eu")], warns: &[] },
    Vector { id: "P9", spec: "version: 1.1\nkind: operation\nmatrix:\n  kind: grid\n  params:\n    dt: {kind: daterange, value: \"2021-05-01:2021-05-08:1\"}\n",
        expect: Expect::Error("E0514"), vars: &[], warns: &[] },
    Vector { id: "P10", spec: "version: 1.1\nkind: operation\nmatrix:\n  kind: grid\n  params:\n    dt: {kind: daterange, value: [\"2021-05-01\", \"2021-05-03\", 1]}\ncomponent:\n  inputs: [{name: dt, type: date}]\n  run:\n    kind: job\n    container: {image: foo, command: [python, main.py], args: [\"--dt={{ dt }}\", \"{{ params.dt.as_arg }}\"]}\n",
        expect: Expect::Dates(&["2021-05-01T00:00:00", "2021-05-02T00:00:00"]),
        vars: &[(0, "vars.args", "[\"--dt=2021-05-01\",\"--dt=2021-05-01\"]"), (0, "vars.command", "[\"python\",\"main.py\"]")], warns: &[] },
    Vector { id: "P-datetime", spec: "version: 1.1\nkind: operation\nmatrix:\n  kind: grid\n  params:\n    dt: {kind: datetimerange, value: [\"2021-05-01 00:00\", \"2021-05-01 02:00\", 3600]}\ncomponent:\n  inputs: [{name: dt, type: datetime}]\n  run: {kind: job, container: {image: foo, args: [\"--hour={{ dt }}\"]}}\n",
        expect: Expect::Dates(&["2021-05-01T00:00:00", "2021-05-01T01:00:00"]),
        vars: &[(0, "vars.args", "[\"--hour=2021-05-01\"]"), (1, "vars.args_intended", "[\"--hour=2021-05-01T01:00:00\"]")], warns: &["W0315"] },
    Vector { id: "M1", spec: "engine: mage\nschedule: {every: {unit: day, count: 2}}\nwindow: {start: \"2023-01-01T03:00:00\", end: \"2023-01-05T03:00:00\"}",
        expect: Expect::Dates(&["2023-01-01T03:00:00", "2023-01-03T03:00:00", "2023-01-05T03:00:00"]),
        vars: &[(0, "vars.interval_start_datetime_previous", "2022-12-30T03:00:00"), (2, "vars.interval_end_datetime", "2023-01-07T03:00:00"), (1, "vars.hr", "03")], warns: &["W0301"] },
    Vector { id: "M2", spec: "engine: mage\nschedule: {every: {unit: hour, count: 1}}\nwindow: {start: \"2021-05-01T10:00:00Z\", end: \"2021-05-01T16:00:00Z\"}",
        expect: Expect::Dates(&["2021-05-01T10:00:00Z", "2021-05-01T11:00:00Z", "2021-05-01T12:00:00Z", "2021-05-01T13:00:00Z", "2021-05-01T14:00:00Z", "2021-05-01T15:00:00Z", "2021-05-01T16:00:00Z"]),
        vars: &[(6, "vars.interval_end_datetime", "2021-05-01T17:00:00+00:00"), (0, "vars.execution_date", "2021-05-01T10:00:00+00:00")], warns: &["W0301"] },
    Vector { id: "M3", spec: "engine: mage\nschedule: {every: {unit: month, count: 1}}\nwindow: {start: \"2023-01-31T00:00:00Z\", end: \"2023-05-31T00:00:00Z\"}",
        expect: Expect::Dates(&["2023-01-31T00:00:00Z", "2023-02-28T00:00:00Z", "2023-03-28T00:00:00Z", "2023-04-28T00:00:00Z", "2023-05-28T00:00:00Z"]),
        vars: &[(0, "vars.interval_start_datetime_previous", "2023-01-03T00:00:00+00:00")], warns: &["W0303"] },
    Vector { id: "M4", spec: "engine: mage\nschedule: {every: {unit: day, count: 1}}\nwindow: {start: \"2023-01-01T00:00:00Z\", end: \"2023-01-01T00:00:00Z\"}",
        expect: Expect::Dates(&["2023-01-01T00:00:00Z"]),
        vars: &[(0, "vars.interval_end_datetime", "null"), (0, "vars.interval_seconds", "null"), (0, "vars.interval_start_datetime_previous", "null")], warns: &[] },
    Vector { id: "M5", spec: "engine: mage\nschedule: {every: {unit: day, count: 0}}\nwindow: {start: 2023-01-01, end: 2023-01-05}",
        expect: Expect::Error("E0412"), vars: &[], warns: &[] },
    Vector { id: "M6", spec: "engine: mage\nschedule: {every: {unit: year, count: 1}}\nwindow: {start: \"2024-02-29T00:00:00Z\", end: \"2027-03-01T00:00:00Z\"}",
        expect: Expect::Dates(&["2024-02-29T00:00:00Z", "2025-02-28T00:00:00Z", "2026-02-28T00:00:00Z", "2027-02-28T00:00:00Z"]), vars: &[], warns: &[] },
    Vector { id: "K1", spec: "engine: kestra\nschedule: {cron: \"0 * * * *\"}\nwindow: {start: \"2021-05-01T10:00:00Z\", end: \"2021-05-01T16:00:00Z\"}",
        expect: Expect::Dates(&["2021-05-01T10:00:00Z", "2021-05-01T11:00:00Z", "2021-05-01T12:00:00Z", "2021-05-01T13:00:00Z", "2021-05-01T14:00:00Z", "2021-05-01T15:00:00Z", "2021-05-01T16:00:00Z"]),
        vars: &[(0, "vars.trigger.date", "2021-05-01T10:00:00Z"), (0, "vars.trigger.previous", "2021-05-01T09:00:00Z"), (6, "vars.trigger.next", "2021-05-01T17:00:00Z")], warns: &[] },
    Vector { id: "K2", spec: "engine: kestra\nschedule: {cron: \"0 0 * * *\"}\nwindow: {start: \"2021-05-01T00:00:01Z\", end: \"2021-05-07T23:59:59Z\"}",
        expect: Expect::Dates(&["2021-05-02T00:00:00Z", "2021-05-03T00:00:00Z", "2021-05-04T00:00:00Z", "2021-05-05T00:00:00Z", "2021-05-06T00:00:00Z", "2021-05-07T00:00:00Z"]), vars: &[], warns: &[] },
    Vector { id: "K3", spec: "engine: kestra\nschedule: {cron: \"0 9 1 * *\"}\ntimezone: Europe/Berlin\nwindow: {start: \"2019-01-01T00:00:00Z\", end: \"2019-03-31T00:00:00Z\"}",
        expect: Expect::Dates(&["2019-01-01T09:00:00+01:00", "2019-02-01T09:00:00+01:00", "2019-03-01T09:00:00+01:00"]), vars: &[(0, "vars.trigger.date", "2019-01-01T09:00:00+01:00")], warns: &[] },
    Vector { id: "K4", spec: "engine: kestra\nschedule: {cron: \"0 2 * * *\"}\ntimezone: America/New_York\nwindow: {start: 2024-03-09, end: 2024-03-12}",
        expect: Expect::Dates(&["2024-03-09T02:00:00-05:00", "2024-03-11T02:00:00-04:00"]), vars: &[], warns: &["W0501"] },
    Vector { id: "K5", spec: "engine: kestra\nschedule: {cron: \"30 1 * * *\"}\ntimezone: America/New_York\nwindow: {start: 2024-11-02, end: 2024-11-05}",
        expect: Expect::Dates(&["2024-11-02T01:30:00-04:00", "2024-11-03T01:30:00-04:00", "2024-11-04T01:30:00-05:00"]),
        vars: &[(2, "vars.trigger.previous", "2024-11-03T01:30:00-05:00")], warns: &["W0503"] },
    Vector { id: "K6", spec: "engine: kestra\nschedule: {cron: \"0 0 * * *\"}\nwindow: {start: \"2021-05-05T00:00:00Z\", end: \"2021-05-01T00:00:00Z\"}",
        expect: Expect::Dates(&["2021-05-05T00:00:00Z"]), vars: &[], warns: &["W0321"] },
    Vector { id: "F1", spec: "engine: flyte\nschedule: {cron: \"0 0 * * *\"}\nwindow: {start: 2023-01-01, end: 2023-01-11}",
        expect: Expect::Dates(&["2023-01-02T00:00:00+00:00", "2023-01-03T00:00:00+00:00", "2023-01-04T00:00:00+00:00", "2023-01-05T00:00:00+00:00", "2023-01-06T00:00:00+00:00", "2023-01-07T00:00:00+00:00", "2023-01-08T00:00:00+00:00", "2023-01-09T00:00:00+00:00", "2023-01-10T00:00:00+00:00"]),
        vars: &[(0, "vars.node_name", "b-2023-01-02 00:00:00"), (8, "vars.node_name", "b-2023-01-10 00:00:00"), (1, "vars.upstream", "n0"), (0, "vars.kickoff_time", "2023-01-02T00:00:00+00:00")], warns: &["W0302"] },
    Vector { id: "F2", spec: "engine: flyte\nschedule: {cron: \"0 * * * *\"}\nwindow: {start: \"2021-05-01 10:00\", end: \"2021-05-01 16:00\"}\nconcurrency: 4\nretries: 2\ntimeout: 30m",
        expect: Expect::Dates(&["2021-05-01T11:00:00+00:00", "2021-05-01T12:00:00+00:00", "2021-05-01T13:00:00+00:00", "2021-05-01T14:00:00+00:00", "2021-05-01T15:00:00+00:00"]), vars: &[(1, "vars.upstream", "null")], warns: &[] },
    Vector { id: "F3", spec: "engine: flyte\nschedule: {cron: \"0 0 * * *\"}\nwindow: {start: 2023-01-01, end: 2023-01-02}",
        expect: Expect::Error("E0414"), vars: &[], warns: &[] },
    Vector { id: "F4", spec: "engine: flyte\nschedule: {cron: \"0 0 * * *\"}\nwindow: {start: 2023-01-01, end: 2023-01-01}",
        expect: Expect::Error("E0413"), vars: &[], warns: &[] },
    Vector { id: "F5a", spec: "engine: flyte\nschedule: {every: {unit: hour, count: 1}}\nwindow: {start: 2023-01-01, end: 2023-01-02}",
        expect: Expect::Error("E0403"), vars: &[], warns: &[] },
    Vector { id: "F5b", spec: "engine: flyte\nschedule: {cron: daily}\nwindow: {start: 2023-01-01, end: 2023-01-02}",
        expect: Expect::Error("E0301"), vars: &[], warns: &[] },
    Vector { id: "F6", spec: "engine: flyte\nschedule: {cron: \"30 1 * * *\"}\ntimezone: America/New_York\nwindow: {start: \"2024-11-01 12:00\", end: 2024-11-05}",
        expect: Expect::Dates(&["2024-11-02T01:30:00-04:00", "2024-11-03T01:30:00-04:00", "2024-11-03T01:30:00-05:00", "2024-11-04T01:30:00-05:00"]),
        vars: &[(2, "vars.node_name", "b-2024-11-03 01:30:00-05:00")], warns: &["W0504"] },
    Vector { id: "D1", spec: "engine: dagster\nschedule: {partitions: {kind: daily}}\nwindow: {start: 2021-05-01, end: 2021-05-08}",
        expect: Expect::Keys(&["2021-05-01", "2021-05-02", "2021-05-03", "2021-05-04", "2021-05-05", "2021-05-06", "2021-05-07"]), vars: &[], warns: &[] },
    Vector { id: "D2", spec: "engine: dagster\nschedule: {partitions: {kind: hourly}}\nwindow: {start: \"2021-05-01T10:00\", end: \"2021-05-01T16:00\"}",
        expect: Expect::Keys(&["2021-05-01-10:00", "2021-05-01-11:00", "2021-05-01-12:00", "2021-05-01-13:00", "2021-05-01-14:00", "2021-05-01-15:00"]), vars: &[], warns: &[] },
    Vector { id: "D3", spec: "engine: dagster\nschedule: {partitions: {kind: hourly}}\ntimezone: America/New_York\nwindow: {start: \"2024-11-03T00:00\", end: \"2024-11-03T04:00\"}",
        expect: Expect::Keys(&["2024-11-03-00:00", "2024-11-03-01:00", "2024-11-03-01:00-0500", "2024-11-03-02:00", "2024-11-03-03:00"]), vars: &[], warns: &["W0504"] },
    Vector { id: "D3b", spec: "engine: dagster\nschedule: {partitions: {kind: hourly}}\ntimezone: America/New_York\nwindow: {start: \"2024-03-10T00:00\", end: \"2024-03-10T05:00\"}",
        expect: Expect::Keys(&["2024-03-10-00:00", "2024-03-10-01:00", "2024-03-10-03:00", "2024-03-10-04:00"]), vars: &[], warns: &[] },
    Vector { id: "D4", spec: "engine: dagster\nschedule: {partitions: {kind: weekly}}\nwindow: {start: 2024-01-01, end: 2024-02-01}",
        expect: Expect::Keys(&["2024-01-07", "2024-01-14", "2024-01-21"]), vars: &[], warns: &[] },
    Vector { id: "D5", spec: "engine: dagster\nschedule: {partitions: {kind: daily}}\nwindow: {start: 2024-01-01, end: 2024-01-11}\nstrategy: {kind: multi_run, max_per_run: 3}",
        expect: Expect::Keys(&["2024-01-01", "2024-01-02", "2024-01-03", "2024-01-04", "2024-01-05", "2024-01-06", "2024-01-07", "2024-01-08", "2024-01-09", "2024-01-10"]),
        vars: &[(0, "batch", "0"), (3, "batch", "1"), (9, "batch", "3")], warns: &[] },
    Vector { id: "D6", spec: "engine: dagster\nschedule: {partitions: {kind: daily}}\nwindow: {start: 2024-01-01, end: 2024-01-10}\nselect: [2024-01-01, 2024-01-02, 2024-01-03, 2024-01-05, 2024-01-06, 2024-01-09]\nstrategy: single_run",
        expect: Expect::Keys(&["2024-01-01", "2024-01-02", "2024-01-03", "2024-01-05", "2024-01-06", "2024-01-09"]),
        vars: &[(2, "batch", "0"), (3, "batch", "1"), (5, "batch", "2")], warns: &["W0331"] },
    Vector { id: "D7", spec: "engine: dagster\nschedule: {partitions: {kind: daily, end_offset: 1}}\nwindow: {start: 2021-05-01}\nnow: \"2021-05-05T12:00:00Z\"",
        expect: Expect::Keys(&["2021-05-01", "2021-05-02", "2021-05-03", "2021-05-04", "2021-05-05"]), vars: &[], warns: &[] },
    Vector { id: "D7b", spec: "engine: dagster\nschedule: {partitions: {kind: daily}}\nwindow: {start: 2021-05-01}\nnow: \"2021-05-05T12:00:00Z\"",
        expect: Expect::Keys(&["2021-05-01", "2021-05-02", "2021-05-03", "2021-05-04"]), vars: &[], warns: &[] },
    Vector { id: "D7c", spec: "engine: dagster\nschedule: {partitions: {kind: daily, end_offset: -1}}\nwindow: {start: 2021-05-01}\nnow: \"2021-05-05T12:00:00Z\"",
        expect: Expect::Keys(&["2021-05-01", "2021-05-02", "2021-05-03"]), vars: &[], warns: &[] },
];

fn lookup<'a>(run: &'a Value, path: &str) -> &'a Value {
    // `vars.trigger.date` is the key `trigger.date` under `vars`.
    let (head, rest) = path.split_once('.').unwrap_or((path, ""));
    if rest.is_empty() {
        &run[head]
    } else {
        &run[head][rest]
    }
}

#[test]
fn research_test_vectors() {
    let mut failures = Vec::new();
    for v in VECTORS {
        let options = Options {
            engine: None,
            now: None,
            limit: 1_000_000,
            ..Default::default()
        };
        let out = run_plan("vector.yaml", v.spec, &options, Format::Json);
        let json: Value = serde_json::from_str(&out.stdout).unwrap_or(Value::Null);
        let diagnostics = json["diagnostics"].as_array().cloned().unwrap_or_default();
        let codes: Vec<&str> = diagnostics
            .iter()
            .filter_map(|d| d["code"].as_str())
            .collect();
        match &v.expect {
            Expect::Error(code) => {
                if out.code != 1 || !codes.contains(code) {
                    failures.push(format!(
                        "{}: expected error {code}, got exit {} and {codes:?}",
                        v.id, out.code
                    ));
                }
                continue;
            }
            Expect::Dates(want) | Expect::Keys(want) => {
                if out.code != 0 {
                    failures.push(format!(
                        "{}: planning failed: {codes:?} {}",
                        v.id, out.stdout
                    ));
                    continue;
                }
                let field = if matches!(v.expect, Expect::Keys(_)) {
                    "partition_key"
                } else {
                    "logical_date"
                };
                let got: Vec<&str> = json["runs"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|r| r[field].as_str().unwrap_or("?"))
                    .collect();
                if got != *want {
                    failures.push(format!("{}: expected {want:?}\n     got {got:?}", v.id));
                }
                assert_eq!(json["summary"]["run_count"], want.len(), "{}", v.id);
            }
        }
        for (i, path, want) in v.vars {
            let run = &json["runs"][*i];
            let got = lookup(run, path);
            let got = got.as_str().map_or_else(|| got.to_string(), str::to_owned);
            if got != *want {
                failures.push(format!(
                    "{}: run {i} {path}: expected {want}, got {got}",
                    v.id
                ));
            }
        }
        for w in v.warns {
            if !codes.contains(w) {
                failures.push(format!("{}: expected warning {w}, got {codes:?}", v.id));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} vector(s) failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
