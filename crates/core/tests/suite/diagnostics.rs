//! Every error the planner spec can produce: each bad input, its expected code and
//! line, and the whole rendered output pinned by snapshot (`backfill validate`'s path).
#![allow(clippy::unwrap_used)]

use backfill_core::report::run_validate;
use backfill_core::PlanOptions as Options;

/// (name, input, expected code, expected line of its span or 0 for none)
const BAD: &[(&str, &str, &str, u32)] = &[
    ("yaml syntax", "engine: kestra\nschedule: {cron: \"0 * * * *\"\nwindow: {}\n", "E0001", 3),
    ("duplicate key", "engine: kestra\nengine: flyte\n", "E0002", 2),
    ("empty input", "", "E0003", 0),
    ("two documents", "engine: kestra\n---\nengine: flyte\n", "E0004", 3),
    ("unknown key", "engine: kestra\nschedual: {cron: \"0 * * * *\"}\nwindow: {start: 2024-01-01, end: 2024-01-02}\n", "E0101", 2),
    ("not a mapping", "engine: kestra\nschedule: {cron: \"0 * * * *\"}\nwindow: 5\n", "E0102", 3),
    ("fits no dialect", "- 1\n- 2\n", "E0005", 1),
    ("string expected", "engine: kestra\nschedule: {cron: {at: 1}}\nwindow: {start: 2024-01-01, end: 2024-01-02}\n", "E0103", 2),
    ("integer expected", "engine: generic\nschedule: {cron: \"0 * * * *\"}\nwindow: {start: 2024-01-01, end: 2024-01-02}\nconcurrency: many\n", "E0104", 4),
    ("boolean expected", "engine: kestra\nschedule: {cron: \"* * * * * *\", with_seconds: yes}\nwindow: {start: 2024-01-01, end: 2024-01-02}\n", "E0105", 2),
    ("bad duration", "engine: flyte\nschedule: {cron: \"0 * * * *\"}\nwindow: {start: 2024-01-01, end: 2024-01-02}\ntimeout: 5 fortnights\n", "E0106", 4),
    ("bad choice", "engine: kestrel\nschedule: {cron: \"0 * * * *\"}\nwindow: {start: 2024-01-01, end: 2024-01-02}\n", "E0107", 1),
    ("empty grid axis", "engine: generic\nschedule: {cron: \"0 * * * *\"}\nwindow: {start: 2024-01-01, end: 2024-01-02}\ngrid: {region: []}\n", "E0108", 4),
    ("two schedule kinds", "engine: generic\nschedule: {cron: \"0 * * * *\", every: {unit: day}}\nwindow: {start: 2024-01-01, end: 2024-01-02}\n", "E0109", 2),
    ("empty schedule", "engine: generic\nschedule: {}\nwindow: {start: 2024-01-01, end: 2024-01-02}\n", "E0110", 2),
    ("no schedule", "engine: generic\nwindow: {start: 2024-01-01, end: 2024-01-02}\n", "E0111", 1),
    ("no start", "engine: generic\nschedule: {cron: \"0 * * * *\"}\nwindow: {end: 2024-01-02}\n", "E0112", 3),
    ("open end without now", "engine: kestra\nschedule: {cron: \"0 * * * *\"}\nwindow: {start: 2024-01-01}\n", "E0113", 3),
    ("bounds outside generic", "engine: flyte\nschedule: {cron: \"0 * * * *\"}\nwindow: {start: 2024-01-01, end: 2024-01-02}\nbounds: \"[]\"\n", "E0114", 4),
    ("dst outside generic", "engine: kestra\nschedule: {cron: \"0 * * * *\"}\nwindow: {start: 2024-01-01, end: 2024-01-02}\ndst: {gap: skip}\n", "E0115", 4),
    ("concurrency zero", "engine: generic\nschedule: {cron: \"0 * * * *\"}\nwindow: {start: 2024-01-01, end: 2024-01-02}\nconcurrency: 0\n", "E0120", 4),
    ("negative retries", "engine: flyte\nschedule: {cron: \"0 * * * *\"}\nwindow: {start: 2024-01-01, end: 2024-01-02}\nretries: -1\n", "E0121", 4),
    ("negative timeout", "engine: flyte\nschedule: {cron: \"0 * * * *\"}\nwindow: {start: 2024-01-01, end: 2024-01-02}\ntimeout: -5m\n", "E0123", 4),
    ("zero estimate", "engine: generic\nschedule: {cron: \"0 * * * *\"}\nwindow: {start: 2024-01-01, end: 2024-01-02}\nestimate: {run: 0s}\n", "E0122", 4),
    ("bad date", "engine: generic\nschedule: {cron: \"0 * * * *\"}\nwindow: {start: 2024-02-30, end: 2024-03-02}\n", "E0201", 3),
    ("bad zone", "engine: kestra\nschedule: {cron: \"0 * * * *\"}\ntimezone: Europe/Londn\nwindow: {start: 2024-01-01, end: 2024-01-02}\n", "E0202", 3),
    ("bad select item", "engine: generic\nschedule: {cron: \"0 * * * *\"}\nwindow: {start: 2024-01-01, end: 2024-01-02}\nselect: [yesterday]\n", "E0203", 4),
    ("cron field count", "engine: kestra\nschedule: {cron: \"* * * *\"}\nwindow: {start: 2024-01-01, end: 2024-01-02}\n", "E0301", 2),
    ("cron out of range", "engine: kestra\nschedule: {cron: \"61 * * * *\"}\nwindow: {start: 2024-01-01, end: 2024-01-02}\n", "E0304", 2),
    ("cron reversed range", "engine: generic\nschedule: {cron: \"0 0 5-3 * *\"}\nwindow: {start: 2024-01-01, end: 2024-01-09}\n", "E0305", 2),
    ("cron step zero", "engine: generic\nschedule: {cron: \"*/0 * * * *\"}\nwindow: {start: 2024-01-01, end: 2024-01-02}\n", "E0306", 2),
    ("cron nickname", "engine: kestra\nschedule: {cron: \"@dailly\"}\nwindow: {start: 2024-01-01, end: 2024-01-09}\n", "E0309", 2),
    ("kestra has no L", "engine: kestra\nschedule: {cron: \"0 0 L * *\"}\nwindow: {start: 2024-01-01, end: 2024-03-01}\n", "E0310", 2),
    ("cron never fires", "engine: generic\nschedule: {cron: \"0 0 30 2 *\"}\nwindow: {start: 2024-01-01, end: 2025-01-01}\n", "E0313", 2),
    ("polyaxon cron", "engine: polyaxon\nschedule: {cron: \"0 0 * * *\"}\nwindow: {start: 2024-01-01, end: 2024-01-09}\n", "E0403", 2),
    ("polyaxon months", "engine: polyaxon\nschedule: {every: {unit: month, count: 1}}\nwindow: {start: 2024-01-01, end: 2024-06-01}\n", "E0404", 2),
    ("polyaxon stop before start", "engine: polyaxon\nschedule: {every: {unit: day, count: 1}}\nwindow: {start: 2024-01-09, end: 2024-01-01}\n", "E0410", 3),
    ("polyaxon step zero", "engine: polyaxon\nschedule: {every: {unit: day, count: 0}}\nwindow: {start: 2024-01-01, end: 2024-01-09}\n", "E0411", 2),
    ("mage zero units", "engine: mage\nschedule: {every: {unit: hour, count: 0}}\nwindow: {start: 2024-01-01, end: 2024-01-09}\n", "E0412", 2),
    ("flyte start not before end", "engine: flyte\nschedule: {cron: \"0 0 * * *\"}\nwindow: {start: 2024-01-09, end: 2024-01-01}\n", "E0413", 3),
    ("flyte window too small", "engine: flyte\nschedule: {cron: \"0 0 * * *\"}\nwindow: {start: 2024-01-01, end: 2024-01-02}\n", "E0414", 3),
    ("mage naive and aware", "engine: mage\nschedule: {every: {unit: day, count: 1}}\nwindow: {start: \"2024-01-01T00:00:00Z\", end: \"2024-01-09T00:00:00\"}\n", "E0415", 3),
    ("dagster cron without fmt", "engine: dagster\nschedule: {partitions: {cron: \"0 0 * * *\"}}\nwindow: {start: 2024-01-01, end: 2024-01-09}\n", "E0416", 2),
    ("dagster offset out of range", "engine: dagster\nschedule: {partitions: {kind: daily, hour_offset: 24}}\nwindow: {start: 2024-01-01, end: 2024-01-09}\n", "E0417", 2),
    ("polyaxon no operation", "version: 1.1\nkind: component\ninputs: [{name: dt, type: date}]\n", "E0510", 1),
    ("polyaxon no matrix", "version: 1.1\nkind: operation\nparams: {a: {value: 1}}\n", "E0511", 1),
    ("polyaxon random search", "version: 1.1\nkind: operation\nmatrix:\n  kind: random\n  params: {}\n", "E0512", 4),
    ("polyaxon range arity", "version: 1.1\nkind: operation\nmatrix:\n  kind: grid\n  params:\n    dt: {kind: daterange, value: [\"2021-05-01\", \"2021-05-08\"]}\n", "E0513", 6),
    ("polyaxon string form", "version: 1.1\nkind: operation\nmatrix:\n  kind: grid\n  params:\n    dt: {kind: daterange, value: \"2021-05-01:2021-05-08:1\"}\n", "E0514", 6),
    ("polyaxon grid without params", "version: 1.1\nkind: operation\nmatrix:\n  kind: grid\n", "E0515", 4),
    ("polyaxon distribution", "version: 1.1\nkind: operation\nmatrix:\n  kind: grid\n  params:\n    dt: {kind: daterange, value: [\"2021-05-01\", \"2021-05-03\", 1]}\n    lr: {kind: uniform, value: [0, 1]}\n", "E0516", 7),
    ("polyaxon second date range too large", "version: 1.1\nkind: operation\nmatrix:\n  kind: grid\n  params:\n    a: {kind: daterange, value: [\"2021-05-01\", \"2021-05-03\", 1]}\n    b: {kind: datetimerange, value: [\"2021-06-01T00:00:00\", \"2021-06-03T00:00:00\", 1]}\n", "E0517", 7),
    ("polyaxon no date param", "version: 1.1\nkind: operation\nmatrix:\n  kind: grid\n  params:\n    lr: {kind: choice, value: [1, 2]}\n", "E0518", 6),
    ("polyaxon fractional days", "version: 1.1\nkind: operation\nmatrix:\n  kind: grid\n  params:\n    dt: {kind: daterange, value: [\"2021-05-01\", \"2021-05-08\", 1.5]}\n", "E0519", 6),
    ("polyaxon input type", "version: 1.1\nkind: operation\nmatrix:\n  kind: grid\n  params:\n    dt: {kind: datetimerange, value: [\"2021-05-01 10:00\", \"2021-05-01 12:00\", 3600]}\ncomponent:\n  inputs: [{name: dt, type: str}]\n", "E0520", 6),
    ("polyaxon mapping without date", "version: 1.1\nkind: operation\nmatrix:\n  kind: mapping\n  values:\n    - {region: eu}\n", "E0521", 6),
    ("polyaxon unknown kind", "version: 1.1\nkind: operation\nmatrix:\n  kind: grid\n  params:\n    dt: {kind: daterange, value: [\"2021-05-01\", \"2021-05-03\", 1]}\n    x: {kind: choise, value: [1]}\n", "E0107", 7),
    ("kestra body alone", "backfill: {start: \"2024-01-01T00:00:00Z\", end: null}\nflowId: f\nnamespace: dev\ntriggerId: t\n", "E0530", 1),
    ("kestra no schedule trigger", "id: f\nnamespace: dev\ntriggers:\n  - {id: hook, type: io.kestra.plugin.core.trigger.Webhook}\n---\nbackfill: {start: \"2024-01-01T00:00:00Z\"}\n", "E0531", 4),
    ("kestra unknown trigger", "id: f\nnamespace: dev\ntriggers:\n  - {id: daily, type: io.kestra.plugin.core.trigger.Schedule, cron: \"@daily\"}\n---\nbackfill: {start: \"2024-01-01T00:00:00Z\", end: \"2024-01-03T00:00:00Z\"}\ntriggerId: dayly\n", "E0532", 7),
    ("kestra which trigger", "id: f\nnamespace: dev\ntriggers:\n  - {id: a, type: io.kestra.plugin.core.trigger.Schedule, cron: \"@daily\"}\n  - {id: b, type: io.kestra.plugin.core.trigger.Schedule, cron: \"@hourly\"}\n", "E0533", 4),
    ("kestra no start", "id: f\nnamespace: dev\ntriggers:\n  - {id: a, type: io.kestra.plugin.core.trigger.Schedule, cron: \"@daily\"}\n", "E0534", 1),
    ("kestra cron with L", "id: f\nnamespace: dev\ntriggers:\n  - {id: a, type: io.kestra.plugin.core.trigger.Schedule, cron: \"0 0 L * *\"}\n---\nbackfill: {start: \"2024-01-01T00:00:00Z\", end: \"2024-03-01T00:00:00Z\"}\n", "E0310", 4),
    ("mage no interval type", "{\"backfill\": {\"start_datetime\": \"2023-01-01\", \"end_datetime\": \"2023-01-05\"}}\n", "E0541", 1),
    ("mage bad interval type", "{\"backfill\": {\"start_datetime\": \"2023-01-01\", \"end_datetime\": \"2023-01-05\", \"interval_type\": \"days\"}}\n", "E0107", 1),
    ("mage unknown key", "{\"backfill\": {\"start_datetime\": \"2023-01-01\", \"end_datetime\": \"2023-01-05\", \"interval_type\": \"day\", \"interval_unit\": 2}}\n", "E0101", 1),
    ("mage runs without date", "- {partition: 0}\n- {partition: 1}\n", "E0542", 1),
    ("over the limit", "engine: generic\nschedule: {cron: \"* * * * *\"}\ntimezone: America/New_York\nwindow: {start: 2000-01-01, end: 3902-01-01}\n", "E0601", 2),
];

#[test]
fn every_bad_input_gets_its_code_and_line() {
    let options = Options {
        engine: None,
        now: None,
        limit: 1_000_000,
        ..Default::default()
    };
    let mut rendered = String::new();
    let mut failures = Vec::new();
    for (name, input, code, line) in BAD {
        let out = run_validate("spec.yaml", input, &options);
        if out.code != 1 {
            failures.push(format!("{name}: exit {} (expected 1)", out.code));
        }
        let wanted = if *line == 0 {
            format!("spec.yaml: error[{code}]")
        } else {
            format!("spec.yaml:{line}:")
        };
        let hit = out
            .stderr
            .lines()
            .any(|l| l.contains(&format!("error[{code}]")) && l.starts_with(&wanted));
        if !hit {
            failures.push(format!(
                "{name}: expected {code} at line {line}, got:\n{}",
                out.stderr
            ));
        }
        rendered.push_str(&format!("## {name}\n{}\n", out.stderr));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    insta::assert_snapshot!(rendered);
}

#[test]
fn validate_prints_every_problem_not_the_first() {
    let input = "engine: kestra\nschedule: {cron: \"61 25 * * 8\"}\ntimezone: Mars/Olympus\nwindow: {start: 2024-13-01, end: 2024-01-02}\nconcurency: 2\n";
    let out = run_validate(
        "spec.yaml",
        input,
        &Options {
            engine: None,
            now: None,
            limit: 1_000_000,
            ..Default::default()
        },
    );
    assert_eq!(out.code, 1);
    for needle in ["E0101", "E0202", "E0201", "E0304"] {
        assert!(
            out.stderr.contains(needle),
            "{needle} missing from:\n{}",
            out.stderr
        );
    }
    // The three bad cron fields are each reported, at their own columns.
    assert!(
        out.stderr.contains("spec.yaml:2:19: error[E0304]"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("spec.yaml:2:22: error[E0304]"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("spec.yaml:2:29: error[E0304]"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("did you mean `concurrency`?"),
        "{}",
        out.stderr
    );
}
