//! The core's tests, one binary: goldens, research vectors, diagnostics, exports, the
//! schemas, the comparison, cron conformance, hostile input, limits and properties. They
//! build only the core (no server, no database).

mod airflow_dag;
mod codes;
mod compare;
mod cron_conformance;
mod diagnostics;
mod exports;
mod golden;
mod hostile;
mod limits;
mod plan_schema;
mod properties;
mod spec_schema;
mod vectors;
