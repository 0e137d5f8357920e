//! A Mage backfill API body, or a list of Mage variable dicts (custom-code output).

use super::{base_spec, given, text_of};
use crate::diag::codes;
use crate::diag::{did_you_mean, Diagnostic};
use crate::input::dialect::Dialect;
use crate::input::spec::{Reader, Schedule, Sp, Spec, Unit};
use crate::input::yaml::{Document, Node, Value};
use crate::options::PlanOptions;

const MAGE_KEYS: &[&str] = &[
    "name",
    "start_datetime",
    "end_datetime",
    "interval_type",
    "interval_units",
    "variables",
    "settings",
    "block_uuid",
    "status",
    "id",
    "pipeline_uuid",
    "pipeline_schedule_id",
];
const MAGE_INTERVALS: &[&str] = &[
    "second", "minute", "hour", "day", "week", "month", "year", "custom",
];

/// Read a Mage backfill body: `{"backfill": {start_datetime, end_datetime, interval_type, interval_units, variables}}`.
pub(crate) fn mage(docs: &[Document], r: &mut Reader<'_>, options: &PlanOptions) -> Spec {
    let mut spec = base_spec(Dialect::Mage);
    let Some(root) = docs.first().map(|d| &d.root) else {
        return spec;
    };
    spec.root_span = root.span;
    let Some(b) = root.get("backfill") else {
        r.error(
            codes::MAGE_NOT_A_BODY,
            "a mage backfill body is `{\"backfill\": {...}}`".to_owned(),
            root.span,
        );
        return spec;
    };
    let Some(entries) = r.map(b, "`backfill`") else {
        return spec;
    };
    r.check_keys(entries, MAGE_KEYS, "the mage backfill");
    spec.window = Some(b.span);
    spec.start = b
        .get("start_datetime")
        .filter(|n| n.value != Value::Null)
        .and_then(|n| r.string(n, "start_datetime"));
    spec.end = b
        .get("end_datetime")
        .filter(|n| n.value != Value::Null)
        .and_then(|n| r.string(n, "end_datetime"));
    if let Some(s) = &options.start {
        spec.start = Some(given(s, b.span));
    }
    if let Some(e) = &options.end {
        spec.end = Some(given(e, b.span));
    }
    // dateutil reads `2023-07-17 23:56:05`, which parse_moment accepts as is.
    let unit = match b.get("interval_type") {
        Some(n) => match text_of(n, r).as_deref() {
            Some("custom") => Some(Sp::new(Unit::Second, n.span)),
            Some(t) if MAGE_INTERVALS.contains(&t) => Unit::parse(t).map(|u| Sp::new(u, n.span)),
            Some(t) => {
                let d = r.error(
                    codes::NOT_A_CHOICE,
                    format!(
                        "`interval_type` must be one of {}, found `{t}`",
                        crate::input::spec::quote_list(MAGE_INTERVALS)
                    ),
                    n.span,
                );
                d.help = did_you_mean(t, MAGE_INTERVALS).map(|s| format!("did you mean `{s}`?"));
                None
            }
            None => None,
        },
        None => {
            r.error(
                codes::MAGE_NO_INTERVAL,
                "the backfill has no `interval_type`".to_owned(),
                b.span,
            )
            .help = Some(
                "one of second, minute, hour, day, week, month, year (or custom, in seconds)"
                    .to_owned(),
            );
            None
        }
    };
    let count = match b.get("interval_units") {
        Some(n) => r.int(n, "interval_units"),
        None => Some(Sp::new(1, b.span)),
    };
    if let (Some(unit), Some(count)) = (unit, count) {
        spec.schedule = Some(Sp::new(Schedule::Every { unit, count }, b.span));
    }
    if let Some(v) = b.get("variables").and_then(Node::as_map) {
        spec.params = v.iter().map(|(k, v)| (k.key_text(), v.to_json())).collect();
    }
    if let Some(n) = b.get("name").and_then(|n| text_of(n, r)) {
        spec.labels.push(("name".to_owned(), n));
    }
    if let Some(block) = b.get("block_uuid").filter(|n| n.value != Value::Null) {
        r.diags.push(
            Diagnostic::warning(codes::MAGE_CUSTOM_CODE, "with `block_uuid` set this is a custom-code backfill: mage 0.9.80 (OSS) creates no runs for it")
                .at(block.span)
                .help("its docs show one run per dict the block returns; paste that list to see those runs"),
        );
        spec.native.take = Some(Sp::new(0, block.span));
    }
    spec
}

/// Read a list of variable dicts (a custom-code backfill's output): one run each.
pub(crate) fn mage_runs(docs: &[Document], r: &mut Reader<'_>, options: &PlanOptions) -> Spec {
    let mut spec = base_spec(Dialect::MageRuns);
    let Some(root) = docs.first().map(|d| &d.root) else {
        return spec;
    };
    spec.root_span = root.span;
    let Value::Seq(items) = &root.value else {
        r.error(
            codes::WRONG_SHAPE,
            "a mage variable list must be a list of mappings".to_owned(),
            root.span,
        );
        return spec;
    };
    for item in items {
        match item.as_map() {
            Some(m) => spec
                .native
                .rows
                .push(m.iter().map(|(k, v)| (k.key_text(), v.to_json())).collect()),
            None => {
                r.error(
                    codes::WRONG_SHAPE,
                    format!(
                        "each run must be a mapping of variables, found {}",
                        item.kind()
                    ),
                    item.span,
                );
            }
        }
    }
    let date = options
        .start
        .clone()
        .or_else(|| options.now.as_ref().map(|n| n.as_str().to_owned()));
    match date {
        Some(d) => {
            spec.schedule = Some(Sp::new(
                Schedule::Explicit {
                    dates: vec![given(&d, root.span)],
                },
                root.span,
            ))
        }
        None => {
            r.error(
                codes::MAGE_RUNS_NO_DATE,
                "the runs of a variable list have no date: give the backfill's start (--start)"
                    .to_owned(),
                root.span,
            );
        }
    }
    r.diags.push(
        Diagnostic::warning(codes::MAGE_CUSTOM_RUNS, "mage 0.9.80 (OSS) creates no runs for a custom-code backfill; planned here as its docs describe, one run per dict")
            .at(root.span)
            .help("every run gets the same execution_date, ds and hr"),
    );
    spec
}
