//! The command line's own behaviour, through the built binary: reading a file or
//! standard input, the flags, what goes to stdout and stderr, the exit codes. What it
//! prints for each input is the core's (`crates/core/tests/suite/`).
#![allow(clippy::unwrap_used)]

use std::io::Write as _;
use std::process::{Command, Output, Stdio};

fn backfill(args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_backfill"))
        .args(args)
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    input.write_all(stdin.unwrap_or("").as_bytes()).unwrap();
    drop(input);
    child.wait_with_output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).unwrap()
}

#[test]
fn plan_prints_the_table_and_exits_0() {
    let out = backfill(&["plan", "examples/polyaxon-daily.yaml"], None);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).starts_with("7 runs in 7 batches"),
        "{}",
        text(&out.stdout)
    );
}

#[test]
fn plan_reads_standard_input_and_prints_json() {
    let spec = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../examples/mage-window.yaml"
    ))
    .unwrap();
    let out = backfill(&["plan", "-", "--format", "json"], Some(&spec));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["summary"]["run_count"], 3);
    assert_eq!(json["engine"], "mage");
}

#[test]
fn validate_locates_errors_on_stderr_and_exits_1() {
    let out = backfill(
        &["validate", "-"],
        Some("engine: kestra\nschedual: {cron: \"0 * * * *\"}\n"),
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let err = text(&out.stderr);
    assert!(err.contains("<stdin>:2:1: error[E0101]"), "{err}");
}

#[test]
fn engine_and_now_flags_override_the_spec() {
    let out = backfill(
        &[
            "plan",
            "examples/flyte-docstring.yaml",
            "--engine",
            "kestra",
            "--now",
            "2024-03-28T11:30:00Z",
            "--format",
            "json",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["engine"], "kestra");
    assert_eq!(json["source"]["engine"], "kestra");
}

#[test]
fn export_to_an_unknown_target_is_a_usage_error() {
    let out = backfill(
        &["export", "examples/polyaxon-daily.yaml", "--to", "prefect"],
        None,
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("prefect"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn export_writes_the_payload_to_stdout() {
    let out = backfill(
        &["export", "examples/polyaxon-daily.yaml", "--to", "csv"],
        None,
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout).lines().count(), 8, "a header and 7 runs");
}

#[test]
fn a_missing_file_is_reported_not_panicked() {
    let out = backfill(&["plan", "no/such/file.yaml"], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("no/such/file.yaml"));
}

#[test]
fn a_now_that_is_no_date_time_is_a_usage_error() {
    let out = backfill(
        &["plan", "examples/kestra-outage.yaml", "--now", "yesterday"],
        None,
    );
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(
        err.contains("`now` is not a date-time: `yesterday`"),
        "{err}"
    );
}

#[test]
fn a_dag_file_plans_over_the_window_given() {
    let args = [
        "plan",
        "examples/airflow/nightly_etl.py",
        "--start",
        "2024-03-08T00:00:00-05:00",
        "--end",
        "2024-03-12T02:30:00-04:00",
        "--format",
        "json",
    ];
    let out = backfill(&args, None);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["engine"], "airflow");
    assert_eq!(json["source"]["dialect"], "airflow-dag");
    assert_eq!(json["runs"][2]["logical_date"], "2024-03-10T03:30:00-04:00");
    assert_eq!(
        json["runs"][2]["vars"]["run_id"],
        "backfill__2024-03-10T07:30:00+00:00"
    );
    // `--order newest_first` is airflow's run_backwards: the newest run is created first,
    // and the request body exported says so.
    let mut newest = args.to_vec();
    newest.extend(["--order", "newest_first"]);
    let out = backfill(&newest, None);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["runs"][0]["logical_date"], "2024-03-12T02:30:00-04:00");
    let mut export = newest.clone();
    export[0] = "export";
    export.truncate(6);
    export.extend(["--order", "newest_first", "--to", "airflow"]);
    let out = backfill(&export, None);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let script = text(&out.stdout);
    assert!(
        script.contains("\"run_backwards\": true") && script.contains("--run-backwards"),
        "{script}"
    );
    let out = backfill(&[&args[..6], &["--order", "sideways"]].concat(), None);
    assert_eq!(out.status.code(), Some(2));
    // Without the window: a located error saying where to give it.
    let out = backfill(&args[..2], None);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("nightly_etl.py:13:6: error[E0112]"),
        "{}",
        text(&out.stderr)
    );
}
