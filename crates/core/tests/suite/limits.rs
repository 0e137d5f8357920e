//! Plans over the limit are refused with their count, without expanding them.
#![allow(clippy::unwrap_used)]

use backfill_core::{plan, PlanOptions};

fn refusal(text: &str) -> String {
    let planned = plan(text, &PlanOptions::default());
    assert!(planned.plan.is_none(), "{text}");
    let d = planned
        .diagnostics
        .iter()
        .find(|d| d.code == "E0601")
        .unwrap();
    d.message.clone()
}

#[test]
fn a_billion_minutes_is_counted_exactly() {
    let m = refusal("engine: generic\nschedule: {cron: \"* * * * *\"}\ntimezone: America/New_York\nwindow: {start: 2000-01-01, end: 3902-01-01}\n");
    // 1,000,355,040 minutes, less the 60 minutes of each of the 1,902 spring-forward
    // gaps (New York's rule goes on after 2099, as zoneinfo and java.time apply it).
    assert_eq!(
        m,
        "this plan has 1,000,240,920 runs, over the limit of 1,000,000"
    );
}

#[test]
fn calendar_steps_are_refused_before_any_tick_is_computed() {
    let m = refusal("engine: generic\nschedule: {every: {unit: day, count: 1}}\ntimezone: Europe/Paris\nwindow: {start: 0001-01-01, end: 9999-01-01}\n");
    assert!(m.starts_with("this plan has about 3,"), "{m}");
    // 521,000 weeks in 9,998 years is under the limit: planned, not refused.
    let weeks = plan("engine: generic\nschedule: {every: {unit: week, count: 1}}\nwindow: {start: 0001-01-01, end: 9999-01-01}\n", &PlanOptions::default());
    // 3,651,694 days from 0001-01-01 to 9999-01-01, one run each 7 days, end excluded.
    assert_eq!(weeks.plan.unwrap().run_count(), 3_651_694_u64.div_ceil(7));
}

#[test]
fn a_fixed_step_over_the_limit_is_counted_exactly() {
    let m = refusal("engine: polyaxon\nschedule: {every: {unit: second, count: 1}}\nwindow: {start: 2024-01-01, end: 2024-02-01}\n");
    assert_eq!(
        m,
        "this plan has 2,678,400 runs, over the limit of 1,000,000"
    );
}

#[test]
fn grids_multiply_the_count() {
    let m = refusal("engine: generic\nschedule: {cron: \"0 * * * *\"}\nwindow: {start: 2024-01-01, end: 2025-01-01}\ngrid: {a: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], b: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]}\n");
    assert_eq!(
        m,
        "this plan has 1,054,080 runs, over the limit of 1,000,000"
    );
}
