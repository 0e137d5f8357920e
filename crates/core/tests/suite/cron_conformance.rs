//! Conformance table for `cron.rs`: each row is a dialect, an expression, a half-open
//! window `[start, end)` and either every fire time in it or the errors (code and byte
//! span) that parsing must report.
//!
//! Rows marked RUN were produced by running croniter 7.0.0 (`get_next` from `start`,
//! which is *strictly after* `start`: those rows write `start` one second later so that
//! `[start, end)` means the same thing). Kestra rows follow `research/semantics.md` §4.

use backfill_core::cron::{Cron, CronDialect};
use backfill_core::Civil;
use CronDialect::{Croniter, Dagster, Generic, GenericSeconds, Kestra, KestraSeconds};

enum Expect {
    /// Every fire time in `[start, end)`, as `YYYY-MM-DDTHH:MM:SS`.
    Fires(&'static [&'static str]),
    /// Every error: `(code, start, end)` byte spans, in order.
    Errors(&'static [(&'static str, usize, usize)]),
}
use Expect::{Errors, Fires};

struct Row {
    dialect: CronDialect,
    expr: &'static str,
    start: &'static str,
    end: &'static str,
    expect: Expect,
}

const fn row(
    dialect: CronDialect,
    expr: &'static str,
    start: &'static str,
    end: &'static str,
    expect: Expect,
) -> Row {
    Row {
        dialect,
        expr,
        start,
        end,
        expect,
    }
}

const fn err(
    dialect: CronDialect,
    expr: &'static str,
    errors: &'static [(&'static str, usize, usize)],
) -> Row {
    row(
        dialect,
        expr,
        "2025-01-01T00:00:00",
        "2025-01-01T00:00:00",
        Errors(errors),
    )
}

#[rustfmt::skip]
const TABLE: &[Row] = &[
    // --- croniter reference cases (RUN croniter 7.0.0) ---------------------------------
    row(Croniter, "0 0 1 * 1", "2025-09-01T00:00:01", "2025-10-16T00:00:00", Fires(&[
        "2025-09-08T00:00:00", "2025-09-15T00:00:00", "2025-09-22T00:00:00", "2025-09-29T00:00:00",
        "2025-10-01T00:00:00", "2025-10-06T00:00:00", "2025-10-13T00:00:00"])),
    row(Croniter, "0 0 */2 * 1", "2025-09-01T00:00:01", "2025-09-16T00:00:00", Fires(&[
        "2025-09-03T00:00:00", "2025-09-05T00:00:00", "2025-09-07T00:00:00", "2025-09-08T00:00:00",
        "2025-09-09T00:00:00", "2025-09-11T00:00:00", "2025-09-13T00:00:00", "2025-09-15T00:00:00"])),
    row(Croniter, "0 12 1-31 * 2", "2025-09-01T00:00:01", "2025-09-06T00:00:00", Fires(&[
        "2025-09-01T12:00:00", "2025-09-02T12:00:00", "2025-09-03T12:00:00", "2025-09-04T12:00:00",
        "2025-09-05T12:00:00"])),
    row(Croniter, "0 0 L * *", "2025-01-15T00:00:01", "2025-05-01T00:00:00", Fires(&[
        "2025-01-31T00:00:00", "2025-02-28T00:00:00", "2025-03-31T00:00:00", "2025-04-30T00:00:00"])),
    row(Croniter, "0 0 * * 5#2", "2025-01-01T00:00:01", "2025-04-01T00:00:00", Fires(&[
        "2025-01-10T00:00:00", "2025-02-14T00:00:00", "2025-03-14T00:00:00"])),
    row(Croniter, "0 0 15W * *", "2025-01-01T00:00:01", "2025-04-01T00:00:00", Fires(&[
        "2025-01-15T00:00:00", "2025-02-14T00:00:00", "2025-03-14T00:00:00"])),
    row(Croniter, "@daily", "2025-01-01T00:00:01", "2025-01-04T00:00:00", Fires(&[
        "2025-01-02T00:00:00", "2025-01-03T00:00:00"])),
    row(Croniter, "@midnight", "2025-01-01T00:00:01", "2025-01-04T00:00:00", Fires(&[
        "2025-01-02T00:00:00", "2025-01-03T00:00:00"])),
    row(Croniter, "0 0 * * 7", "2025-01-01T00:00:01", "2025-01-20T00:00:00", Fires(&[
        "2025-01-05T00:00:00", "2025-01-12T00:00:00", "2025-01-19T00:00:00"])),
    row(Croniter, "0 12 * * MON-FRI", "2025-01-01T00:00:01", "2025-01-08T00:00:00", Fires(&[
        "2025-01-01T12:00:00", "2025-01-02T12:00:00", "2025-01-03T12:00:00", "2025-01-06T12:00:00",
        "2025-01-07T12:00:00"])),
    row(Croniter, "0 0 * * L5", "2025-01-01T00:00:01", "2025-04-01T00:00:00", Fires(&[
        "2025-01-31T00:00:00", "2025-02-28T00:00:00", "2025-03-28T00:00:00"])),
    row(Croniter, "0 0 31W * *", "2025-01-01T00:00:01", "2025-07-01T00:00:00", Fires(&[
        "2025-01-31T00:00:00", "2025-02-28T00:00:00", "2025-03-31T00:00:00", "2025-04-30T00:00:00",
        "2025-05-30T00:00:00", "2025-06-30T00:00:00"])),
    // RUN: croniter wraps a reversed range around the field (days 5-31, then 1-3).
    row(Croniter, "0 0 5-3 * *", "2025-01-02T00:00:01", "2025-01-07T00:00:00", Fires(&[
        "2025-01-03T00:00:00", "2025-01-05T00:00:00", "2025-01-06T00:00:00"])),
    row(Croniter, "0 0 * * * */20", "2025-01-01T00:00:01", "2025-01-01T00:01:00", Fires(&[
        "2025-01-01T00:00:20", "2025-01-01T00:00:40"])),
    row(Croniter, "0 0 1 1 * 0 2025-2030", "2025-01-01T00:00:01", "2028-01-02T00:00:00", Fires(&[
        "2026-01-01T00:00:00", "2027-01-01T00:00:00", "2028-01-01T00:00:00"])),
    // croniter's quirks (RUN croniter 7.0.0): a full field collapses to `*` when the other
    // day field has a `*`; `#`/`W` swallow the other field; an equal range is everything.
    row(Croniter, "0 0 1-31 * */2", "2025-01-01T00:00:01", "2025-01-10T00:00:00", Fires(&[
        "2025-01-02T00:00:00", "2025-01-04T00:00:00", "2025-01-05T00:00:00", "2025-01-07T00:00:00",
        "2025-01-09T00:00:00"])),
    row(Croniter, "0 0 */2 * 0-6", "2025-01-01T00:00:01", "2025-01-10T00:00:00", Fires(&[
        "2025-01-03T00:00:00", "2025-01-05T00:00:00", "2025-01-07T00:00:00", "2025-01-09T00:00:00"])),
    row(Croniter, "0 0 8-14 * 5#2", "2025-01-01T00:00:01", "2025-03-01T00:00:00", Fires(&[
        "2025-01-10T00:00:00", "2025-02-14T00:00:00"])),
    row(Croniter, "0 0 15W * 1", "2025-01-01T00:00:01", "2025-02-01T00:00:00", Fires(&[
        "2025-01-15T00:00:00"])),
    row(Croniter, "0 0 5-5 * *", "2025-01-01T00:00:01", "2025-01-04T00:00:00", Fires(&[
        "2025-01-02T00:00:00", "2025-01-03T00:00:00"])),
    row(Croniter, "30 23 1-7 JAN MON-FRI#1", "2019-01-01T00:00:00", "2019-02-01T00:00:00", Fires(&[
        "2019-01-01T23:30:00", "2019-01-02T23:30:00", "2019-01-03T23:30:00", "2019-01-04T23:30:00",
        "2019-01-07T23:30:00"])),
    // Dagster: croniter's rules, five fields.
    row(Dagster, "0 0 * * 5#2", "2025-01-01T00:00:01", "2025-04-01T00:00:00", Fires(&[
        "2025-01-10T00:00:00", "2025-02-14T00:00:00", "2025-03-14T00:00:00"])),
    row(Dagster, "@weekly", "2024-01-01T00:00:00", "2024-02-01T00:00:00", Fires(&[
        "2024-01-07T00:00:00", "2024-01-14T00:00:00", "2024-01-21T00:00:00", "2024-01-28T00:00:00"])),
    // --- the generic engine: the plain OR rule, LW ---------------------------------------
    row(Generic, "0 0 1-31 * */2", "2025-01-01T00:00:01", "2025-01-04T00:00:00", Fires(&[
        "2025-01-02T00:00:00", "2025-01-03T00:00:00"])),
    row(Generic, "0 0 1 * 5#2", "2025-01-01T00:00:00", "2025-03-01T00:00:00", Fires(&[
        "2025-01-01T00:00:00", "2025-01-10T00:00:00", "2025-02-01T00:00:00", "2025-02-14T00:00:00"])),
    row(Generic, "0 0 1W * *", "2022-01-01T00:00:00", "2022-02-01T00:00:00", Fires(&[
        "2022-01-03T00:00:00"])),
    row(Generic, "0 0 31W 7 *", "2022-07-01T00:00:00", "2022-08-01T00:00:00", Fires(&[
        "2022-07-29T00:00:00"])),
    row(Generic, "0 0 * * 5#5", "2025-01-01T00:00:00", "2025-07-01T00:00:00", Fires(&[
        "2025-01-31T00:00:00", "2025-05-30T00:00:00"])),
    row(GenericSeconds, "0 30 9 LW * *", "2025-05-01T00:00:00", "2025-09-01T00:00:00", Fires(&[
        "2025-05-30T09:30:00", "2025-06-30T09:30:00", "2025-07-31T09:30:00", "2025-08-29T09:30:00"])),
    row(Generic, "0 0 29 2 *", "2096-01-01T00:00:00", "2105-01-01T00:00:00", Fires(&[
        "2096-02-29T00:00:00", "2104-02-29T00:00:00"])),
    // --- Kestra (cron-utils): start inclusive here because the window is [start, end) ----
    row(Kestra, "@midnight", "2025-01-01T00:00:00", "2025-01-03T00:00:00", Fires(&[
        "2025-01-01T00:00:00", "2025-01-02T00:00:00"])),
    row(KestraSeconds, "*/20 * * * * *", "2024-03-28T06:30:00", "2024-03-28T06:31:00", Fires(&[
        "2024-03-28T06:30:00", "2024-03-28T06:30:20", "2024-03-28T06:30:40"])),
    row(Kestra, "0 9 1 * *", "2019-01-01T00:00:00", "2019-03-31T00:00:00", Fires(&[
        "2019-01-01T09:00:00", "2019-02-01T09:00:00", "2019-03-01T09:00:00"])),
    row(Kestra, "0 0 1 * 1", "2025-09-01T00:00:00", "2025-09-16T00:00:00", Fires(&[
        "2025-09-01T00:00:00", "2025-09-08T00:00:00", "2025-09-15T00:00:00"])),
    row(Kestra, "0 12 * * mon-fri", "2025-01-03T00:00:00", "2025-01-07T00:00:00", Fires(&[
        "2025-01-03T12:00:00", "2025-01-06T12:00:00"])),
    // --- errors, with exact byte spans ---------------------------------------------------
    err(Generic, "61 * * * *", &[("E0304", 0, 2)]),
    err(Generic, "* * * *", &[("E0301", 0, 7)]),
    err(Kestra, "* * * * * *", &[("E0301", 10, 11)]),
    err(Generic, "0 0 * * 8", &[("E0304", 8, 9)]),
    err(Generic, "0 0 5-3 * *", &[("E0305", 4, 7)]),
    err(Kestra, "0 0 5-3 * *", &[("E0305", 4, 7)]),
    err(Generic, "*/0 * * * *", &[("E0306", 0, 3)]),
    err(Kestra, "0 0 * * MON#2", &[("E0310", 8, 13)]),
    err(Kestra, "0 0 L * *", &[("E0310", 4, 5)]),
    err(Kestra, "0 0 ? * *", &[("E0310", 4, 5)]),
    err(Generic, "@dailly", &[("E0309", 0, 7)]),
    err(Kestra, "@reboot", &[("E0309", 0, 7)]),
    err(Generic, "0 0 30 2 *", &[("E0313", 4, 8)]),
    err(Generic, "0 0 31 4,6,9,11 *", &[("E0313", 4, 15)]),
    err(Dagster, "0 0 30 2 *", &[("E0313", 4, 8)]),
    err(Croniter, "0 0 1 * 5#2", &[("E0317", 4, 11)]),
    err(Croniter, "0 0 LW * *", &[("E0310", 4, 6)]),
    err(Croniter, "0 0 * * 5L", &[("E0310", 8, 10)]),
    err(Croniter, "0 0 * * 1,5#2", &[("E0315", 8, 13)]),
    err(Croniter, "0 0 1,15W * *", &[("E0314", 6, 9)]),
    err(Dagster, "0 0 * * * 0", &[("E0301", 10, 11)]),
    err(Generic, "61 * 32 * 8", &[("E0304", 0, 2), ("E0304", 5, 7), ("E0304", 10, 11)]),
    err(Generic, "  0 0 * * 8 ", &[("E0304", 10, 11)]),
    err(Generic, "0 0 1,,2 * *", &[("E0307", 6, 7)]),
    err(Generic, "0 0 * FOO *", &[("E0308", 6, 9)]),
    err(Generic, "0 L * * *", &[("E0311", 2, 3)]),
    err(Generic, "0 0 * * 5#6", &[("E0312", 8, 11)]),
    err(Croniter, "H * * * *", &[("E0316", 0, 1)]),
    err(Generic, "", &[("E0302", 0, 0)]),
];

fn civil(s: &str) -> Civil {
    let n: Vec<u32> = s
        .split(|c: char| !c.is_ascii_digit())
        .filter(|p| !p.is_empty())
        .map(|p| p.parse().expect("a number"))
        .collect();
    Civil::from_ymd_hms(n[0] as i32, n[1], n[2], n[3], n[4], n[5]).expect("a valid time")
}

#[test]
fn cron_conformance_table() {
    let mut failures = Vec::new();
    for r in TABLE {
        let label = format!("{:?} `{}`", r.dialect, r.expr);
        let parsed = Cron::parse(r.expr, r.dialect);
        match (&r.expect, parsed) {
            (Fires(want), Ok(cron)) => {
                let (start, end) = (civil(r.start), civil(r.end));
                let got: Vec<String> = cron
                    .iter_from(start)
                    .take_while(|&t| t < end)
                    .map(|t| t.to_string())
                    .collect();
                if got != *want {
                    failures.push(format!("{label}: fires {got:?}, want {want:?}"));
                    continue;
                }
                let want: Vec<Civil> = want.iter().map(|s| civil(s)).collect();
                if cron.count_between(start, end) != want.len() as u64 {
                    failures.push(format!("{label}: count_between"));
                }
                for (k, &t) in want.iter().enumerate() {
                    if cron.nth_at_or_after(start, k as u64) != Some(t) || !cron.matches(t) {
                        failures.push(format!("{label}: fire {k} ({t}) by nth/matches"));
                    }
                }
                if let (Some(&first), Some(&last)) = (want.first(), want.last()) {
                    if cron.next_at_or_after(start) != Some(first)
                        || cron.prev_before(end) != Some(last)
                    {
                        failures.push(format!("{label}: next_at_or_after / prev_before"));
                    }
                }
            }
            (Errors(want), Err(errors)) => {
                let got: Vec<(&str, usize, usize)> =
                    errors.iter().map(|e| (e.code, e.start, e.end)).collect();
                if got != *want {
                    failures.push(format!("{label}: errors {got:?}, want {want:?}"));
                }
                for e in &errors {
                    // Every message quotes the offending text, except "found nothing".
                    let quotes = e.message.contains('`') || e.code == "E0302";
                    let one_line = !e.message.contains('\n');
                    let lower = !e.message.starts_with(|c: char| c.is_ascii_uppercase());
                    if !(quotes && one_line && lower) {
                        failures.push(format!("{label}: message style: {}", e.message));
                    }
                }
            }
            (Fires(_), Err(errors)) => failures.push(format!("{label}: did not parse: {errors:?}")),
            (Errors(_), Ok(_)) => failures.push(format!("{label}: parsed, want errors")),
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
