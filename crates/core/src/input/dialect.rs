//! Input dialects: what a pasted text is, told by its tell-tale keys.
//!
//! | dialect          | tell-tale                                                      |
//! |------------------|----------------------------------------------------------------|
//! | `spec`           | `schedule`, `window` or `engine` at the top                    |
//! | `polyaxon`       | `kind: operation` (or `component`) / a `matrix` with `version` |
//! | `kestra`         | a flow: `id` and `namespace` with `triggers` or `tasks`        |
//! | `kestra-trigger` | a `PUT /api/v1/triggers` body: `backfill` with `flowId`        |
//! | `mage`           | a backfill body: `backfill` with `start_datetime`              |
//! | `mage-runs`      | a list of variable dicts (custom-code output)                  |
//! | `airflow-dag`    | a Python file importing airflow with `DAG(...)` or `@dag`     |

use crate::input::yaml::{Document, Node, Value};

/// The error for a name that is no dialect, with the names that are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownDialect(pub String);

impl std::fmt::Display for UnknownDialect {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = Dialect::ALL.iter().map(|d| d.name()).collect();
        write!(
            f,
            "unknown dialect `{}`; expected one of {}",
            self.0,
            names.join(", ")
        )
    }
}

impl std::error::Error for UnknownDialect {}

impl std::str::FromStr for Dialect {
    type Err = UnknownDialect;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Dialect::parse(s).ok_or_else(|| UnknownDialect(s.to_owned()))
    }
}

/// What kind of text was pasted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Dialect {
    /// The planner's own YAML.
    Spec,
    /// A Polyaxon operation (with its component as another document, or inline).
    Polyaxon,
    /// A Kestra flow, optionally followed by a `PUT /api/v1/triggers` body.
    Kestra,
    /// A Kestra `PUT /api/v1/triggers` body alone.
    KestraTrigger,
    /// A Mage backfill API body.
    Mage,
    /// A list of Mage variable dicts: one run each.
    MageRuns,
    /// An Airflow DAG file (Python, read, never run).
    AirflowDag,
}

impl Dialect {
    /// Every dialect, in the order the web app lists them.
    pub const ALL: [Dialect; 7] = [
        Dialect::Spec,
        Dialect::Polyaxon,
        Dialect::Kestra,
        Dialect::KestraTrigger,
        Dialect::Mage,
        Dialect::MageRuns,
        Dialect::AirflowDag,
    ];

    /// The name used in the API, the CLI and plan JSON.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Dialect::Spec => "spec",
            Dialect::Polyaxon => "polyaxon",
            Dialect::Kestra => "kestra",
            Dialect::KestraTrigger => "kestra-trigger",
            Dialect::Mage => "mage",
            Dialect::MageRuns => "mage-runs",
            Dialect::AirflowDag => "airflow-dag",
        }
    }

    /// A short description for pickers.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Dialect::Spec => "Planner spec",
            Dialect::Polyaxon => "Polyaxon operation",
            Dialect::Kestra => "Kestra flow",
            Dialect::KestraTrigger => "Kestra trigger body",
            Dialect::Mage => "Mage backfill body",
            Dialect::MageRuns => "Mage variable list",
            Dialect::AirflowDag => "Airflow DAG file",
        }
    }

    /// The dialect called `name`.
    #[must_use]
    pub fn parse(name: &str) -> Option<Dialect> {
        Dialect::ALL.into_iter().find(|d| d.name() == name)
    }

    /// Its tell-tale keys, for the "fits no dialect" diagnostic.
    pub(crate) fn tell_tale(self) -> &'static str {
        match self {
            Dialect::Spec => "`schedule`, `window` or `engine`",
            Dialect::Polyaxon => {
                "`kind: operation` or `kind: component`, or `version` with `matrix`"
            }
            Dialect::Kestra => "`id` and `namespace` with `triggers`",
            Dialect::KestraTrigger => "`backfill` with `flowId` or `triggerId`",
            Dialect::Mage => "`backfill` with `start_datetime` and `interval_type`",
            Dialect::MageRuns => "a list of mappings",
            Dialect::AirflowDag => "a Python file with `DAG(...)` or `@dag(...)`",
        }
    }
}

impl std::fmt::Display for Dialect {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

fn has(node: &Node, key: &str) -> bool {
    node.get(key).is_some()
}

/// The dialect of one document, if it shows one.
fn of_document(root: &Node) -> Option<Dialect> {
    if let Value::Seq(items) = &root.value {
        return (!items.is_empty() && items.iter().all(|n| n.as_map().is_some()))
            .then_some(Dialect::MageRuns);
    }
    root.as_map()?;
    let kind = root.get("kind").and_then(|k| match &k.value {
        Value::Str(s) => Some(s.as_str()),
        _ => None,
    });
    if matches!(kind, Some("operation" | "operations" | "component"))
        || has(root, "version") && has(root, "matrix")
    {
        return Some(Dialect::Polyaxon);
    }
    if has(root, "id") && has(root, "namespace") && (has(root, "triggers") || has(root, "tasks")) {
        return Some(Dialect::Kestra);
    }
    if let Some(b) = root.get("backfill") {
        if has(b, "start_datetime") || has(b, "interval_type") || has(b, "end_datetime") {
            return Some(Dialect::Mage);
        }
        if has(root, "flowId") || has(root, "triggerId") || has(b, "start") {
            return Some(Dialect::KestraTrigger);
        }
    }
    if has(root, "schedule") || has(root, "window") || has(root, "engine") {
        return Some(Dialect::Spec);
    }
    None
}

/// The dialect of a pasted text (all its documents), if it shows one.
pub(crate) fn detect_documents(docs: &[Document]) -> Option<Dialect> {
    let found: Vec<Dialect> = docs.iter().filter_map(|d| of_document(&d.root)).collect();
    if found.contains(&Dialect::Kestra) {
        return Some(Dialect::Kestra);
    }
    found.first().copied()
}
