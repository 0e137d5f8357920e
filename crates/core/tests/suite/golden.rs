//! Golden plans: the seed examples (`examples/`) and each engine's DST cases
//! (`tests/golden/`), planned through the command line's code path and pinned by
//! snapshot. `cargo insta review` (or `INSTA_UPDATE=always`) updates them after a
//! deliberate change.
#![allow(clippy::unwrap_used)]

use backfill_core::report::{run_plan, Format};
use backfill_core::PlanOptions as Options;

fn options() -> Options {
    // A fixed "now", so snapshots never depend on the clock.
    Options {
        engine: None,
        now: Some("2024-06-01T00:00:00Z".parse().unwrap()),
        limit: 1_000_000,
        ..Default::default()
    }
}

fn render(path: &std::path::Path) -> String {
    let text = std::fs::read_to_string(path).unwrap();
    let name = path.file_name().unwrap().to_string_lossy();
    let out = run_plan(&name, &text, &options(), Format::Table);
    format!(
        "exit {}\n--- stdout\n{}--- stderr\n{}",
        out.code, out.stdout, out.stderr
    )
}

#[test]
fn seed_examples() {
    insta::glob!("../../../../examples", "*.yaml", |path| {
        insta::assert_snapshot!(render(path));
    });
}

#[test]
fn seed_examples_as_pasted() {
    insta::glob!("../../../../examples/pasted", "*.{yaml,json}", |path| {
        insta::assert_snapshot!(render(path));
    });
}

#[test]
fn dst_and_engine_cases() {
    insta::glob!("golden", "*.{yaml,json}", |path| {
        insta::assert_snapshot!(render(path));
    });
}

/// The seed examples plan without errors and give the engine-exact run counts.
#[test]
fn seed_examples_give_engine_exact_counts() {
    for (file, runs, warning) in [
        ("polyaxon-hourly.yaml", 6, Some("W0315")),
        ("polyaxon-daily.yaml", 7, None),
        ("mage-window.yaml", 3, Some("W0301")),
        ("kestra-outage.yaml", 11, None),
        ("flyte-docstring.yaml", 9, Some("W0302")),
        ("dagster-100-days.yaml", 100, None),
    ] {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../examples")
            .join(file);
        let text = std::fs::read_to_string(&path).unwrap();
        let out = run_plan(file, &text, &options(), Format::Json);
        assert_eq!(out.code, 0, "{file}: {}", out.stdout);
        let json: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
        assert_eq!(json["summary"]["run_count"], runs, "{file}");
        if let Some(code) = warning {
            assert!(
                json["diagnostics"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|d| d["code"] == code),
                "{file}: expected {code}"
            );
        }
    }
}
