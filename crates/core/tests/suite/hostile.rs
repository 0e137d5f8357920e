//! Hostile text: planned or refused with a located diagnostic, never a crash.
#![allow(clippy::unwrap_used)]

use backfill_core::{plan, PlanOptions};

/// Plan `text` on a thread with a small stack (a tokio worker has 2 MiB, a browser's
/// wasm stack about 1 MiB): deep recursion on input would abort the process, which no
/// panic handler can catch.
fn plan_on_small_stack(text: String) -> Vec<(String, u32, u32)> {
    std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(move || {
            plan(&text, &PlanOptions::default())
                .diagnostics
                .iter()
                .filter(|d| d.is_error())
                .map(|d| {
                    let s = d.span.unwrap_or_default();
                    (d.code.clone(), s.line, s.column)
                })
                .collect()
        })
        .unwrap()
        .join()
        .unwrap()
}

#[test]
fn a_block_list_nested_100_000_deep_is_refused_where_it_gets_too_deep() {
    let text = format!("{}x", "- ".repeat(100_000));
    // The 65th list opens at character 129 of line 1.
    assert_eq!(plan_on_small_stack(text), [("E0006".to_owned(), 1, 129)]);
}

#[test]
fn block_mappings_nested_by_indentation_are_refused_too() {
    let mut text = String::from("engine: generic\nschedule:\n");
    for depth in 1..=200 {
        text.push_str(&" ".repeat(depth));
        text.push_str("k:\n");
    }
    let errors = plan_on_small_stack(text);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].0, "E0006");
    // `schedule` is level 1 of the root mapping; the 65th level is the 64th `k:`'s value.
    assert_eq!(errors[0].1, 2 + 63 + 1);
}

#[test]
fn nesting_up_to_the_limit_is_read() {
    // 63 lists inside the root mapping's `labels` value: 64 levels in all.
    let text = format!(
        "engine: generic\nschedule: {{cron: \"0 0 * * *\"}}\nwindow: {{start: 2024-01-01, end: 2024-01-03}}\nparams: {{x: {}1{}}}\n",
        "[".repeat(62),
        "]".repeat(62)
    );
    let errors = plan_on_small_stack(text);
    assert!(errors.iter().all(|e| e.0 != "E0006"), "{errors:?}");
}

fn messages(text: &str) -> Vec<String> {
    plan(text, &PlanOptions::default())
        .diagnostics
        .iter()
        .map(|d| format!("{}: {}", d.code, d.message))
        .collect()
}

#[test]
fn polyaxon_midnights_are_counted_not_iterated() {
    // A 7-hour step meets midnight every 24 steps: 2 of 48 runs render.
    let m = messages("engine: polyaxon\nschedule: {every: {unit: hour, count: 7}}\nwindow: {start: \"2024-01-01T00:00:00\", end: \"2024-01-15T00:00:00\"}\n");
    assert!(
        m.iter()
            .any(|m| m.ends_with("fails to compile for 46 of 48 runs")),
        "{m:?}"
    );
    // 31,556,995,200 one-second steps: refused with their count (the criterion bench
    // `refuse a 1-second polyaxon step over 1,000 years` measures that it is immediate).
    let m = messages("engine: polyaxon\nschedule: {every: {unit: second, count: 1}}\nwindow: {start: \"2000-01-01T00:00:00\", end: \"3000-01-01T00:00:00\"}\n");
    assert!(
        m.iter()
            .any(|m| m == "E0601: this plan has 31,556,995,200 runs, over the limit of 1,000,000"),
        "{m:?}"
    );
}

#[test]
fn a_step_near_the_largest_integer_gives_one_run() {
    let p = plan("engine: polyaxon\nschedule: {every: {unit: second, count: 9223372036854775807}}\nwindow: {start: \"2000-01-01T00:00:00\", end: \"2000-01-02T00:00:00\"}\n", &PlanOptions::default());
    assert_eq!(p.plan.map(|p| p.run_count()), Some(1));
}
