//! research/semantics.md §1: the same window gives 5, 6, 7 or 8 runs across engines.
#![allow(clippy::unwrap_used)]

use backfill_core::{compare, Engine, PlanOptions};

fn counts(text: &str) -> Vec<(Engine, Option<u64>)> {
    compare(text, &PlanOptions::default())
        .into_iter()
        .map(|(e, p)| (e, p.plan.map(|p| p.run_count())))
        .collect()
}

#[test]
fn seed_a_hourly_ten_to_four() {
    // From any engine's own schedule, the comparison restates it for each engine.
    for schedule in [
        "{cron: \"0 * * * *\"}",
        "{every: {unit: hour, count: 1}}",
        "{partitions: {kind: hourly}}",
    ] {
        let engine = if schedule.contains("partitions") {
            "dagster"
        } else if schedule.contains("every") {
            "mage"
        } else {
            "kestra"
        };
        let text = format!("engine: {engine}\nschedule: {schedule}\nwindow: {{start: \"2021-05-01T10:00:00Z\", end: \"2021-05-01T16:00:00Z\"}}\n");
        assert_eq!(
            counts(&text),
            [
                (Engine::Polyaxon, Some(6)),
                (Engine::Mage, Some(7)),
                (Engine::Kestra, Some(7)),
                (Engine::Flyte, Some(5)),
                (Engine::Dagster, Some(6)),
                (Engine::Airflow, Some(7)),
                (Engine::Generic, Some(6)),
            ],
            "from {schedule}"
        );
    }
}

#[test]
fn seed_b_daily_first_to_eighth() {
    let text = "engine: flyte\nschedule: {cron: \"0 0 * * *\"}\nwindow: {start: 2021-05-01, end: 2021-05-08}\n";
    assert_eq!(
        counts(text),
        [
            (Engine::Polyaxon, Some(7)),
            (Engine::Mage, Some(8)),
            (Engine::Kestra, Some(8)),
            (Engine::Flyte, Some(6)),
            (Engine::Dagster, Some(7)),
            (Engine::Airflow, Some(8)),
            (Engine::Generic, Some(7)),
        ]
    );
}

#[test]
fn an_engine_that_cannot_express_the_schedule_says_why() {
    let text = "engine: kestra\nschedule: {cron: \"0 9,17 * * *\"}\nwindow: {start: 2021-05-01, end: 2021-05-08}\n";
    let results = compare(text, &PlanOptions::default());
    let (_, mage) = results.iter().find(|(e, _)| *e == Engine::Mage).unwrap();
    assert!(mage.plan.is_none());
    assert!(
        mage.diagnostics.iter().any(|d| d.code == "E0403"),
        "{:?}",
        mage.diagnostics
    );
    let (_, flyte) = results.iter().find(|(e, _)| *e == Engine::Flyte).unwrap();
    // 09:00 and 17:00 on each of 05-01 … 05-07 (both window ends are midnight, excluded).
    assert_eq!(flyte.plan.as_ref().unwrap().run_count(), 14);
}
