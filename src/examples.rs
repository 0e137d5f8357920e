//! The seed documents' examples, as planner specs (`examples/*.yaml`), and an Airflow DAG
//! file with its backfill window, loaded with one click.

/// One example of the examples menu.
#[derive(Debug, Clone, Copy)]
pub struct Example {
    /// Stable id (`data-testid="example-<id>"`).
    pub id: &'static str,
    /// What the menu says.
    pub label: &'static str,
    /// The spec.
    pub text: &'static str,
    /// The backfill's window, for a text that holds none (a DAG file).
    pub window: Option<(&'static str, &'static str)>,
}

/// A generic minutely schedule over exactly 1,000,000 minutes: the large-plan demo.
const MILLION: &str = "# 1,000,000 minutely runs: the runs table only renders what is visible.
engine: generic
schedule:
  cron: \"* * * * *\"
window:
  start: \"2020-01-01T00:00:00Z\"
  end: \"2021-11-25T10:40:00Z\"
estimate:
  run: 20s
  overhead: 5s
";

/// Every example, in menu order.
pub const EXAMPLES: [Example; 8] = [
    Example {
        id: "polyaxon-hourly",
        label: "Polyaxon hourly",
        text: include_str!("../examples/polyaxon-hourly.yaml"),
        window: None,
    },
    Example {
        id: "polyaxon-daily",
        label: "Polyaxon daily",
        text: include_str!("../examples/polyaxon-daily.yaml"),
        window: None,
    },
    Example {
        id: "mage-window",
        label: "Mage window",
        text: include_str!("../examples/mage-window.yaml"),
        window: None,
    },
    Example {
        id: "kestra-outage",
        label: "Kestra outage replay",
        text: include_str!("../examples/kestra-outage.yaml"),
        window: None,
    },
    Example {
        id: "flyte-docstring",
        label: "Flyte docstring",
        text: include_str!("../examples/flyte-docstring.yaml"),
        window: None,
    },
    Example {
        id: "dagster-100-days",
        label: "Dagster 100 days batched",
        text: include_str!("../examples/dagster-100-days.yaml"),
        window: None,
    },
    Example {
        id: "airflow-dag",
        label: "Airflow DAG over a DST change",
        text: include_str!("../examples/airflow/nightly_etl.py"),
        window: Some(("2024-03-08T00:00:00-05:00", "2024-03-12T02:30:00-04:00")),
    },
    Example {
        id: "million",
        label: "1,000,000 minutes",
        text: MILLION,
        window: None,
    },
];
