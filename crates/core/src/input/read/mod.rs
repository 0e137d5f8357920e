//! Readers of the orchestrators' own input: each turns what the user pasted into the
//! same spanned [`Spec`] a planner spec becomes, so validation, expansion and
//! diagnostics are shared. Every value keeps the span of the text it came from.

mod airflow;
mod kestra;
mod mage;
mod polyaxon;

pub(crate) use airflow::{airflow_dag, looks_like_dag};
pub(crate) use kestra::kestra;
pub(crate) use mage::{mage, mage_runs};
pub(crate) use polyaxon::polyaxon;

use crate::diag::Span;
use crate::engine::Engine;
use crate::input::dialect::Dialect;
use crate::input::spec::{Reader, Sp, Spec};
use crate::input::yaml::Node;

pub(super) fn text_of(node: &Node, r: &Reader<'_>) -> Option<String> {
    node.scalar_text(r.text)
}

pub(super) fn sp_text(node: &Node, r: &Reader<'_>) -> Option<Sp<String>> {
    text_of(node, r).map(|t| Sp::new(t, node.span))
}

/// The spec every reader starts from: the engine whose text `dialect` is, and a mapping
/// at the root.
pub(super) fn base_spec(dialect: Dialect) -> Spec {
    Spec {
        engine: Engine::of_dialect(dialect).map(|e| Sp::new(e, Span::default())),
        is_mapping: true,
        ..Spec::default()
    }
}

/// A string given on the command line or in the form: no span in the text.
pub(super) fn given(s: &str, at: Span) -> Sp<String> {
    Sp::new(s.to_owned(), at)
}
