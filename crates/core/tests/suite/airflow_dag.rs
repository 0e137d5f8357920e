//! Airflow DAG files, read without running them: each schedule form a backfill depends
//! on, the same plan as the planner spec saying the same, and every refusal located.
#![allow(clippy::unwrap_used)]

use backfill_core::{plan, Dialect, PlanOptions};

fn window(start: &str, end: &str) -> PlanOptions {
    PlanOptions {
        start: Some(start.into()),
        end: Some(end.into()),
        now: Some("2025-01-01T00:00:00Z".parse().unwrap()),
        ..PlanOptions::default()
    }
}

fn dag(imports: &str, call: &str) -> String {
    format!("import pendulum\nfrom datetime import timedelta\nfrom dateutil.relativedelta import relativedelta\n{imports}from airflow.sdk import DAG\n\nwith DAG({call}) as dag:\n    pass\n")
}

/// The digest and the error codes of `text` planned over the window.
fn planned(text: &str, options: &PlanOptions) -> (Option<String>, Vec<String>) {
    let p = plan(text, options);
    let errors = p
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| {
            format!(
                "{}@{}:{}",
                d.code,
                d.span.unwrap_or_default().line,
                d.span.unwrap_or_default().column
            )
        })
        .collect();
    (p.plan.map(|p| p.digest()), errors)
}

fn spec(schedule: &str, zone: &str, start: &str, end: &str) -> String {
    format!("engine: airflow\nschedule: {schedule}\ntimezone: \"{zone}\"\nwindow: {{start: \"{start}\", end: \"{end}\"}}\nnow: \"2025-01-01T00:00:00Z\"\n")
}

#[test]
fn the_example_dag_plans_like_the_spec_saying_the_same() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../examples/airflow/nightly_etl.py"
    ))
    .unwrap();
    let (s, e) = ("2024-03-08T00:00:00-05:00", "2024-03-12T02:30:00-04:00");
    let p = plan(&text, &window(s, e));
    assert_eq!(p.dialect, Dialect::AirflowDag);
    let from_dag = p.plan.unwrap();
    assert_eq!(from_dag.run_count(), 5);
    assert_eq!(
        from_dag.run(0).unwrap().vars["run_id"],
        "backfill__2024-03-08T07:30:00+00:00"
    );
    let (digest, errors) = planned(
        &spec("{cron: \"30 2 * * *\"}", "America/New_York", s, e),
        &PlanOptions::default(),
    );
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(Some(from_dag.digest()), digest);
    // What Airflow ignores is said, not silently dropped.
    let codes: Vec<&str> = p.diagnostics.iter().map(|d| d.code.as_str()).collect();
    assert!(
        codes.contains(&"N0343") && codes.contains(&"N0344") && codes.contains(&"W0502"),
        "{codes:?}"
    );
}

#[test]
fn every_schedule_form_reads_as_its_timetable() {
    let (s, e) = ("2024-01-01T00:00:00+00:00", "2024-07-01T00:00:00+00:00");
    for (call, schedule, zone) in [
        ("dag_id=\"a\", schedule=\"@quarterly\", start_date=pendulum.datetime(2024, 1, 1, tz=\"Europe/Berlin\")", "{cron: \"0 0 1 */3 *\"}", "Europe/Berlin"),
        ("\"a\", schedule=timedelta(hours=6)", "{every: {unit: hour, count: 6}}", "UTC"),
        ("\"a\", schedule=timedelta(1, 3600)", "{every: {unit: second, count: 90000}}", "UTC"),
        ("\"a\", schedule=relativedelta(months=1)", "{every: {unit: month, count: 1}}", "UTC"),
        ("\"a\", schedule=CronTriggerTimetable(\"0 2 * * *\", timezone=\"Europe/Berlin\", interval=timedelta(days=1))", "{cron: \"0 2 * * *\", interval: {unit: day, count: 1}}", "Europe/Berlin"),
        ("\"a\", schedule=CronDataIntervalTimetable(\"0 2 * * *\", timezone=pendulum.timezone(\"Asia/Kolkata\"))", "{cron: \"0 2 * * *\", timetable: data_interval}", "Asia/Kolkata"),
        ("\"a\", schedule=DeltaDataIntervalTimetable(timedelta(days=7))", "{every: {unit: week, count: 1}, timetable: data_interval}", "UTC"),
        ("\"a\", schedule=MultipleCronTriggerTimetable(\"0 2 * * *\", \"30 14 * * 1-5\", timezone=\"Europe/Berlin\")", "{cron: [\"0 2 * * *\", \"30 14 * * 1-5\"]}", "Europe/Berlin"),
    ] {
        let text = dag("from airflow.timetables.trigger import CronTriggerTimetable\n", call);
        let (digest, errors) = planned(&text, &window(s, e));
        assert!(errors.is_empty(), "{call}: {errors:?}");
        let (want, errors) = planned(&spec(schedule, zone, s, e), &PlanOptions::default());
        assert!(errors.is_empty(), "{schedule}: {errors:?}");
        assert_eq!(digest, want, "{call}");
    }
}

#[test]
fn a_decorated_dag_is_named_by_its_function() {
    let text = "from airflow.sdk import dag\nimport pendulum\n\n@dag(schedule=\"@daily\", start_date=pendulum.datetime(2024, 1, 1))\ndef load_orders():\n    pass\n\nload_orders()\n";
    let p = plan(text, &window("2024-01-01", "2024-01-03"));
    let body = p
        .plan
        .unwrap()
        .export(backfill_core::ExportTarget::Payload(
            backfill_core::Engine::Airflow,
        ))
        .unwrap();
    assert!(body.contains("\"dag_id\": \"load_orders\""), "{body}");
}

#[test]
fn what_cannot_be_backfilled_or_read_is_refused_where_it_is_written() {
    let w = window("2024-01-01", "2024-01-03");
    for (call, want) in [
        ("\"a\", schedule=None", "E0424@6:24"),
        ("\"a\"", "E0424@6:6"),
        ("\"a\", schedule_interval=\"@daily\"", "E0552@6:33"),
        ("\"a\", schedule=[Asset(\"s3://x\")]", "E0553@6:24"),
        (
            "\"a\", schedule=EventsTimetable(event_dates=[])",
            "E0426@6:24",
        ),
        ("\"a\", schedule=\"0 2\" + \" * * *\"", "E0550@6:24"),
        ("\"a\", schedule=timedelta(days=x)", "E0550@6:39"),
        ("\"a\", schedule=\"0 25 * * *\"", "E0304@6:27"),
    ] {
        let (_, errors) = planned(&dag("", call), &w);
        assert!(
            errors.iter().any(|e| e == want),
            "{call}: {errors:?}, expected {want}"
        );
    }
    // The window is the request's, not the file's.
    let (_, errors) = planned(
        &dag("", "\"a\", schedule=\"@daily\""),
        &PlanOptions::default(),
    );
    assert!(errors.iter().any(|e| e.starts_with("E0112")), "{errors:?}");
    let (_, errors) = planned(
        "import airflow\nfrom x import DAG\n# DAG( in a comment only\n",
        &w,
    );
    assert!(errors.iter().any(|e| e.starts_with("E0551")), "{errors:?}");
}

#[test]
fn hostile_python_is_refused_not_crashed() {
    let w = window("2024-01-01", "2024-01-03");
    for text in [
        format!(
            "from airflow import DAG\nDAG(\"a\", schedule={}\"@daily\"{})\n",
            "f(".repeat(100_000),
            ")".repeat(100_000)
        ),
        format!(
            "from airflow import DAG\nDAG(\"a\", schedule={}\n",
            "[".repeat(100_000)
        ),
        "from airflow import DAG\nDAG(\"a\", schedule=\"\"\"@daily".to_owned(),
        "from airflow import DAG\nDAG(".to_owned(),
    ] {
        let w = w.clone();
        let errors = std::thread::Builder::new()
            .stack_size(256 * 1024)
            .spawn(move || planned(&text, &w).1)
            .unwrap()
            .join()
            .unwrap();
        assert!(!errors.is_empty(), "no error");
    }
}

#[test]
fn the_request_body_below_the_dag_gives_the_window_order_and_concurrency() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../examples/airflow/nightly_etl.py"
    ))
    .unwrap();
    let body = "\n# POST /api/v2/backfills\n{\n    \"dag_id\": \"nightly_etl\",\n    \"from_date\": \"2024-03-08T00:00:00-05:00\",\n    \"to_date\": \"2024-03-12T02:30:00-04:00\",\n    \"run_backwards\": true,\n    \"max_active_runs\": 2,\n    \"reprocess_behavior\": \"none\",\n}\n";
    let with_body = format!("{text}{body}");
    let options = PlanOptions {
        now: Some("2025-01-01T00:00:00Z".parse().unwrap()),
        ..PlanOptions::default()
    };
    let p = plan(&with_body, &options).plan.unwrap();
    assert_eq!(p.run_count(), 5);
    assert_eq!(p.run(0).unwrap().logical_date, "2024-03-12T02:30:00-04:00"); // run_backwards
    assert_eq!(p.summary().concurrency, 2);
    // The caller's window wins over the pasted one.
    let narrow = PlanOptions {
        start: Some("2024-03-11T00:00:00-04:00".into()),
        ..options.clone()
    };
    assert_eq!(plan(&with_body, &narrow).plan.unwrap().run_count(), 2);
    // A key airflow refuses, and another DAG's name, are said where they are written.
    let bad = with_body
        .replace("\"max_active_runs\"", "\"max_active_run\"")
        .replace("\"dag_id\": \"nightly_etl\"", "\"dag_id\": \"other\"");
    let p = plan(&bad, &options);
    let codes: Vec<&str> = p.diagnostics.iter().map(|d| d.code.as_str()).collect();
    assert!(
        codes.contains(&"E0101") && codes.contains(&"W0551"),
        "{codes:?}"
    );
    // The body alone does not say the schedule.
    let alone = plan(
        "{\"dag_id\": \"x\", \"from_date\": \"2024-01-01\", \"to_date\": \"2024-01-02\"}",
        &options,
    );
    assert_eq!(alone.diagnostics[0].code, "E0554");
}

#[test]
fn several_crons_are_airflows_alone() {
    let text = "engine: kestra\nschedule: {cron: [\"0 2 * * *\", \"0 3 * * *\"]}\nwindow: {start: 2024-01-01, end: 2024-01-03}\n";
    let (_, errors) = planned(text, &PlanOptions::default());
    assert!(errors.iter().any(|e| e.starts_with("E0116")), "{errors:?}");
    // A data-interval timetable has no several-crons form.
    let text = "engine: airflow\nschedule: {cron: [\"0 2 * * *\", \"0 3 * * *\"], timetable: data_interval}\nwindow: {start: 2024-01-01, end: 2024-01-03}\nnow: 2025-01-01T00:00:00Z\n";
    let (_, errors) = planned(text, &PlanOptions::default());
    assert!(errors.iter().any(|e| e.starts_with("E0553")), "{errors:?}");
}

#[test]
fn events_are_refused_as_airflow_3_3_2_cannot_load_them() {
    let text = "engine: airflow\nschedule: {events: [\"2024-01-02T00:00:00Z\"]}\nwindow: {start: 2024-01-01, end: 2024-01-03}\nnow: 2025-01-01T00:00:00Z\n";
    let (_, errors) = planned(text, &PlanOptions::default());
    assert_eq!(errors, ["E0426@2:11"]);
    let text = text.replace("engine: airflow", "engine: flyte");
    let (_, errors) = planned(&text, &PlanOptions::default());
    assert!(errors.iter().any(|e| e.starts_with("E0116")), "{errors:?}");
}

#[test]
fn the_backfill_command_pasted_with_the_dag_gives_the_window_order_and_concurrency() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../examples/airflow/nightly_etl.py"
    ))
    .unwrap();
    let command = "\n# airflow backfill create --dag-id nightly_etl --from-date '2024-03-08T00:00:00-05:00' \\\n#   --to-date 2024-03-12T02:30:00-04:00 --run-backwards --max-active-runs=3\n";
    // One line only: the continuation is on the next line, so write it whole.
    let command = command.replace(" \\\n#  ", "");
    let options = PlanOptions {
        now: Some("2025-01-01T00:00:00Z".parse().unwrap()),
        ..PlanOptions::default()
    };
    let p = plan(&format!("{text}{command}"), &options).plan.unwrap();
    assert_eq!(p.run_count(), 5);
    assert_eq!(p.run(0).unwrap().logical_date, "2024-03-12T02:30:00-04:00");
    assert_eq!(p.summary().concurrency, 3);
    let bad = format!(
        "{text}{}",
        command.replace("--run-backwards", "--run-backward")
    );
    let p = plan(&bad, &options);
    let d = p.diagnostics.iter().find(|d| d.code == "E0101").unwrap();
    assert_eq!(d.help.as_deref(), Some("did you mean `--run-backwards`?"));
}
