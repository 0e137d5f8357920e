//! Every export target of every example, byte for byte against its golden file in
//! `tests/exports/` (`<example>.<target>.<ext>`, or `.err` when the plan cannot be
//! expressed in that target). `UPDATE_GOLDEN=1 cargo test -p backfill-core --test suite exports` rewrites
//! them after a deliberate change; review the diff.
#![allow(clippy::unwrap_used)]

use backfill_core::report::run_export;
use backfill_core::PlanOptions as Options;
use backfill_core::{Engine, ExportTarget};
use std::path::{Path, PathBuf};

fn examples() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    let mut files = Vec::new();
    for dir in [root.clone(), root.join("pasted")] {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let p = entry.unwrap().path();
            if matches!(
                p.extension().and_then(|e| e.to_str()),
                Some("yaml" | "json")
            ) {
                files.push(p);
            }
        }
    }
    files.sort();
    files
}

#[test]
fn every_export_of_every_example_matches_its_golden_file() {
    let golden = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/suite/exports");
    let update = std::env::var_os("UPDATE_GOLDEN").is_some();
    std::fs::create_dir_all(&golden).unwrap();
    // The Kestra seed's outage ends at "now", 2024-03-28T11:30Z; the other seeds do not depend
    // on it, except that dagster lists only partitions whose window has ended by now.
    let options_for = |stem: &str| Options {
        now: Some(
            if stem.starts_with("dagster") {
                "2024-06-01T00:00:00Z"
            } else {
                "2024-03-28T11:30:00Z"
            }
            .parse()
            .unwrap(),
        ),
        ..Options::default()
    };
    let mut failures = Vec::new();
    let mut checked = 0;
    for input in examples() {
        let text = std::fs::read_to_string(&input).unwrap();
        let stem = input.file_stem().unwrap().to_string_lossy().into_owned();
        let prefix = if input.parent().unwrap().ends_with("pasted") {
            "pasted-"
        } else {
            ""
        };
        for target in ExportTarget::all() {
            let out = run_export(&stem, &text, &options_for(&stem), target);
            let (ext, body) = if out.code == 0 {
                (target.extension(), out.stdout)
            } else {
                ("err", out.stderr)
            };
            let path = golden.join(format!("{prefix}{stem}.{}.{ext}", target.name()));
            if update {
                std::fs::write(&path, &body).unwrap();
                continue;
            }
            checked += 1;
            match std::fs::read_to_string(&path) {
                Ok(want) if want == body => {}
                Ok(_) => failures.push(format!("{} differs", path.display())),
                Err(_) => failures.push(format!("{} is missing", path.display())),
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{}\n(run with UPDATE_GOLDEN=1 after a deliberate change)",
        failures.join("\n")
    );
    assert!(update || checked >= 70, "only {checked} exports checked");
}

/// The seed pastes export to payloads that re-plan to the same runs.
#[test]
fn payloads_round_trip_through_their_own_dialect() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    let options = Options {
        now: Some("2024-06-01T00:00:00Z".parse().unwrap()),
        ..Options::default()
    };
    for (file, target) in [
        ("mage-window.yaml", ExportTarget::Payload(Engine::Mage)),
        (
            "polyaxon-daily.yaml",
            ExportTarget::Payload(Engine::Polyaxon),
        ),
        (
            "polyaxon-hourly.yaml",
            ExportTarget::Payload(Engine::Polyaxon),
        ),
    ] {
        let text = std::fs::read_to_string(root.join(file)).unwrap();
        let original = backfill_core::plan(&text, &options).plan.unwrap();
        let payload = original.export(target).unwrap();
        let again = backfill_core::plan(&payload, &options)
            .plan
            .unwrap_or_else(|| panic!("{file}: {payload}"));
        let dates = |p: &backfill_core::Plan| {
            p.runs(0, p.run_count())
                .map(|r| r.logical_date)
                .collect::<Vec<_>>()
        };
        assert_eq!(
            dates(&original),
            dates(&again),
            "{file} via {}",
            target.name()
        );
    }
}
