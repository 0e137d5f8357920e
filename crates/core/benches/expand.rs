//! Benchmarks of the planning core (SPEC.md's targets):
//! - expanding 1,000,000 runs of a minutely cron in America/New_York (≤ 50 ms);
//! - a fixed-step expansion of 1,000,000 runs (near memory speed);
//! - counting (and refusing) a plan of about 10⁹ runs (≤ 1 ms);
//! - building one page of full runs from the middle of a million-run plan;
//! - planning a spec with a `select` list of 6,000 and of 60,000 dates (about 90 KB and
//!   900 KB): the time grows with the text's size, not with its square (issue 11).
#![allow(clippy::unwrap_used)]

use backfill_core::{plan, Plan, PlanOptions};
use criterion::{criterion_group, criterion_main, Criterion};
use std::hint::black_box;

const MINUTELY_NY: &str = "engine: generic\nschedule: {cron: \"* * * * *\"}\ntimezone: America/New_York\nwindow: {start: 2024-01-01, end: \"2025-11-25T12:40\"}\n";
const SECONDLY_FIXED: &str = "engine: polyaxon\nschedule: {every: {unit: second, count: 1}}\nwindow: {start: \"2024-01-01T00:00:00\", end: \"2024-01-12T13:46:40\"}\n";
const BILLION: &str = "engine: generic\nschedule: {cron: \"* * * * *\"}\ntimezone: America/New_York\nwindow: {start: 2000-01-01, end: 3902-01-01}\n";

fn options() -> PlanOptions {
    PlanOptions {
        limit: 2_000_000,
        ..PlanOptions::default()
    }
}

fn planned(text: &str) -> Plan {
    plan(text, &options()).plan.unwrap()
}

fn expand(c: &mut Criterion) {
    let p = planned(MINUTELY_NY);
    assert_eq!(
        p.run_count(),
        1_000_000,
        "the window is sized for a million runs"
    );
    c.bench_function(
        "expand 1M minutely runs, America/New_York (plan + every instant)",
        |b| {
            b.iter(|| {
                let p = planned(black_box(MINUTELY_NY));
                p.instants(0, p.run_count())
                    .fold(0i64, |acc, (t, o)| acc.wrapping_add(t ^ i64::from(o)))
            });
        },
    );
    let p = planned(SECONDLY_FIXED);
    assert_eq!(p.run_count(), 1_000_000);
    c.bench_function("expand 1M fixed-step runs (polyaxon, 1 s)", |b| {
        b.iter(|| {
            let p = planned(black_box(SECONDLY_FIXED));
            p.instants(0, p.run_count())
                .fold(0i64, |acc, (t, _)| acc.wrapping_add(t))
        });
    });
}

fn count(c: &mut Criterion) {
    let refused = plan(BILLION, &PlanOptions::default());
    assert!(refused.plan.is_none());
    assert!(
        refused.diagnostics[0]
            .message
            .contains("1,000,240,920 runs"),
        "{:?}",
        refused.diagnostics
    );
    c.bench_function("count and refuse a 10^9-run plan", |b| {
        b.iter(|| {
            plan(black_box(BILLION), &PlanOptions::default())
                .diagnostics
                .len()
        });
    });
}

const POLYAXON_MILLENNIUM: &str = "engine: polyaxon\nschedule: {every: {unit: second, count: 1}}\nwindow: {start: \"2000-01-01T00:00:00\", end: \"3000-01-01T00:00:00\"}\n";

fn refuse_steps(c: &mut Criterion) {
    assert!(plan(POLYAXON_MILLENNIUM, &PlanOptions::default())
        .plan
        .is_none());
    c.bench_function("refuse a 1-second polyaxon step over 1,000 years", |b| {
        b.iter(|| {
            plan(black_box(POLYAXON_MILLENNIUM), &PlanOptions::default())
                .diagnostics
                .len()
        });
    });
}

fn page(c: &mut Criterion) {
    let p = planned(MINUTELY_NY);
    c.bench_function("50 full runs from the middle of a 1M-run plan", |b| {
        b.iter(|| {
            p.runs(500_000, 500_050)
                .map(|r| r.logical_date.len())
                .sum::<usize>()
        });
    });
}

/// A generic spec whose `select` lists `n` dates.
fn selecting(n: usize) -> String {
    let mut text = String::from(
        "engine: generic\nschedule: {cron: \"0 0 * * *\"}\nwindow: {start: 2024-01-01, end: 2024-03-01}\nselect:\n",
    );
    for i in 0..n {
        text.push_str(&format!("  - 2024-01-{:02}\n", i % 28 + 1));
    }
    text
}

fn parse(c: &mut Criterion) {
    for n in [6_000, 60_000] {
        let text = selecting(n);
        assert_eq!(planned(&text).run_count(), 28);
        c.bench_function(
            &format!("plan a spec selecting {n} dates ({} KB)", text.len() / 1000),
            |b| {
                b.iter(|| {
                    plan(black_box(&text), &options())
                        .plan
                        .map(|p| p.run_count())
                });
            },
        );
    }
}

criterion_group!(benches, expand, count, page, parse, refuse_steps);
criterion_main!(benches);
