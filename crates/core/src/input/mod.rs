//! Input: what a user pastes, read into a spanned [`spec::Spec`]. The planner's own YAML
//! (`spec.rs`), the dialect a text is in (`dialect.rs`), one reader per orchestrator's
//! own text (`read/`), the form view (`form.rs`), and the YAML tree they all read
//! (`yaml.rs`, the one module that names saphyr).

pub(crate) mod dialect;
pub mod form;
pub(crate) mod read;
pub(crate) mod spec;
pub(crate) mod yaml;

use crate::diag::codes;
use crate::diag::Diagnostic;
use crate::options::PlanOptions;
use crate::plan::Planned;
use dialect::Dialect;

/// Read `text` (in its detected or given dialect) into a spec, with the caller's order
/// (`--order`) over the text's.
pub(crate) fn read(
    text: &str,
    options: &PlanOptions,
) -> Result<(spec::Spec, Dialect, Vec<Diagnostic>), Planned> {
    let (mut spec, dialect, diags) = read_text(text, options)?;
    if let Some(order) = options.order {
        spec.order = Some(spec::Sp::new(order, spec.root_span));
    }
    Ok((spec, dialect, diags))
}

fn read_text(
    text: &str,
    options: &PlanOptions,
) -> Result<(spec::Spec, Dialect, Vec<Diagnostic>), Planned> {
    // A DAG file is Python, not YAML: told apart (or chosen) before YAML reads it.
    if options.dialect == Some(Dialect::AirflowDag)
        || (options.dialect.is_none() && read::looks_like_dag(text))
    {
        let mut reader = spec::Reader::new(text);
        let spec = read::airflow_dag(text, &mut reader, options);
        if crate::diag::has_errors(&reader.diags) {
            let mut diags = reader.diags;
            diags.sort_by_key(|d| (d.span.map_or(usize::MAX, |s| s.start), d.severity));
            return Err(Planned::failed(Dialect::AirflowDag, diags));
        }
        return Ok((spec, Dialect::AirflowDag, reader.diags));
    }
    let docs = match yaml::parse_documents(text) {
        Ok(docs) => docs,
        Err(d) => {
            return Err(Planned::failed(
                options.dialect.unwrap_or(Dialect::Spec),
                vec![d],
            ))
        }
    };
    if docs.is_empty() {
        let d = Diagnostic::error(codes::EMPTY_INPUT, "the input is empty").help(
            "paste a planner spec, a Polyaxon operation, a Kestra flow or a Mage backfill body",
        );
        return Err(Planned::failed(
            options.dialect.unwrap_or(Dialect::Spec),
            vec![d],
        ));
    }
    let detected = dialect::detect_documents(&docs);
    let Some(dialect) = options.dialect.or(detected) else {
        let root = &docs[0].root;
        if root.get("dag_id").is_some() && root.get("from_date").is_some() {
            let d = Diagnostic::error(
                codes::AIRFLOW_BODY_ALONE,
                "an airflow backfill request alone does not say the DAG's schedule",
            )
            .at(root.span)
            .help("paste the DAG file with the request body below it (a dict at the end of the file), or the DAG file alone with the window in From date / To date (`--start`/`--end`)");
            return Err(Planned::failed(Dialect::AirflowDag, vec![d]));
        }
        let kinds: Vec<String> = Dialect::ALL
            .iter()
            .map(|d| format!("{} ({})", d.label(), d.tell_tale()))
            .collect();
        let d = Diagnostic::error(codes::NO_DIALECT, "this text fits no input dialect")
            .at(docs[0].root.span)
            .help(format!("expected one of: {}", kinds.join("; ")));
        return Err(Planned::failed(Dialect::Spec, vec![d]));
    };
    let mut reader = spec::Reader::new(text);
    let spec = match dialect {
        Dialect::Spec => {
            if docs.len() > 1 {
                reader.diags.push(
                    Diagnostic::error(
                        codes::SEVERAL_DOCUMENTS,
                        "a planner spec is one YAML document; this text has several",
                    )
                    .at(docs[1].root.span),
                );
            }
            spec::parse_spec(&docs[0].root, &mut reader)
        }
        Dialect::Polyaxon => read::polyaxon(&docs, &mut reader),
        Dialect::Kestra | Dialect::KestraTrigger => read::kestra(&docs, &mut reader, options),
        Dialect::Mage => read::mage(&docs, &mut reader, options),
        Dialect::MageRuns => read::mage_runs(&docs, &mut reader, options),
        Dialect::AirflowDag => read::airflow_dag(text, &mut reader, options),
    };
    if dialect != Dialect::Spec && crate::diag::has_errors(&reader.diags) {
        let mut diags = reader.diags;
        diags.sort_by_key(|d| (d.span.map_or(usize::MAX, |s| s.start), d.severity));
        return Err(Planned::failed(dialect, diags));
    }
    Ok((spec, dialect, reader.diags))
}
