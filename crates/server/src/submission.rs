//! What `POST /api/v1/backfills` accepts, and its check: the server never trusts the
//! client's plan, it re-plans the source with the core and compares digests.
//!
//! A body is one of two shapes, told apart by `source`:
//!
//! - a **submission** (what the web app sends): `source` is the pasted text, with
//!   `dialect`, `engine`, `now` (each optional: absent means what the text says, or the
//!   server's clock for `now`), `start`/`end`/`trigger` (the options pasted bodies need),
//!   the `digest` the client previewed (required), a `title` and string `labels`;
//! - a **plan JSON** as `backfill plan --format json` prints it: `source` is an object
//!   (`text`, `dialect`, `engine`, `now`) and `digest` is the plan's. Its `runs`,
//!   `batches` and `summary` are skipped unread: the server expands its own. `title` and
//!   `labels` may be added at the top level.
//!
//! Malformed JSON is a 400 with the line and column where it broke; JSON of the wrong
//! shape is a 422 `invalid_submission`; a source that does not plan is a 422
//! `invalid_plan` with the core's diagnostics; another digest is a 409.

use crate::error::AppError;
use crate::rows::Rows;
use backfill_core::{has_errors, Dialect, Engine, Now, Plan, PlanOptions, PLAN_VERSION};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// The longest title accepted, in characters.
pub const MAX_TITLE_CHARS: usize = 200;
/// The most labels accepted.
pub const MAX_LABELS: usize = 64;
/// The longest label key, in characters.
pub const MAX_LABEL_KEY_CHARS: usize = 128;
/// The longest label value, in characters.
pub const MAX_LABEL_VALUE_CHARS: usize = 1024;

/// The body as read, before the shape is told apart. Unknown fields are skipped, so a
/// plan JSON's `runs` and `batches` cost a scan, not an allocation.
#[derive(Debug, Deserialize)]
struct Body {
    source: Value,
    #[serde(default)]
    dialect: Option<String>,
    #[serde(default)]
    engine: Option<String>,
    #[serde(default)]
    now: Option<String>,
    #[serde(default)]
    start: Option<String>,
    #[serde(default)]
    end: Option<String>,
    #[serde(default)]
    trigger: Option<String>,
    #[serde(default)]
    digest: Option<String>,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    labels: Option<BTreeMap<String, String>>,
    #[serde(default)]
    version: Option<u64>,
}

/// The `source` object of a plan JSON.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PlanSource {
    text: String,
    dialect: String,
    engine: String,
    #[serde(default)]
    now: Option<String>,
}

/// Which of the two shapes a body was.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Shape {
    /// `source` was the text.
    Submission,
    /// `source` was a plan JSON's source object.
    PlanJson,
}

/// A request to store a backfill, read and shape-checked but not planned yet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Submission {
    /// Which shape the body had.
    pub shape: Shape,
    /// The text to plan.
    pub text: String,
    /// The dialect to read it as (`None`: detect).
    pub dialect: Option<Dialect>,
    /// The engine to plan for (`None`: what the text says).
    pub engine: Option<Engine>,
    /// "Now" as sent (`None`: the server's clock).
    pub now: Option<Now>,
    /// The backfill's start, overriding the pasted one.
    pub start: Option<String>,
    /// The backfill's end, overriding the pasted one.
    pub end: Option<String>,
    /// Which Kestra trigger.
    pub trigger: Option<String>,
    /// The digest the client previewed, lower-case hex.
    pub digest: String,
    /// A title for people.
    pub title: String,
    /// Labels for people and filters.
    pub labels: BTreeMap<String, String>,
}

impl Submission {
    /// Read a body. 400 for malformed JSON, 422 for the wrong shape.
    pub fn parse(bytes: &[u8]) -> Result<Submission, AppError> {
        let body: Body = serde_json::from_slice(bytes).map_err(json_error)?;
        let shape = match &body.source {
            Value::String(_) => Shape::Submission,
            Value::Object(_) => Shape::PlanJson,
            _ => {
                return Err(invalid(
                    "`source` must be the pasted text (a string) or a plan's source object",
                ))
            }
        };
        // An empty `dialect`, `engine` or `now` means the same as none.
        let given = |v: Option<String>| v.filter(|s| !s.is_empty());
        let (text, dialect, engine, now) = match body.source {
            Value::String(text) => (
                text,
                given(body.dialect),
                given(body.engine),
                given(body.now),
            ),
            other => {
                if let Some(v) = body.version {
                    if v != u64::from(PLAN_VERSION) {
                        return Err(invalid(format!(
                            "plan JSON version {v} is not supported; this server reads version {PLAN_VERSION}"
                        )));
                    }
                }
                let s: PlanSource = serde_json::from_value(other)
                    .map_err(|e| invalid(format!("`source` is not a plan's source object: {e}")))?;
                if body.engine.as_deref().is_some_and(|e| e != s.engine) {
                    return Err(invalid(
                        "the plan's `engine` differs from its `source.engine`",
                    ));
                }
                (s.text, Some(s.dialect), Some(s.engine), s.now)
            }
        };
        let dialect = dialect
            .map(|name| name.parse::<Dialect>().map_err(|e| invalid(e.to_string())))
            .transpose()?;
        let engine = engine
            .map(|name| name.parse::<Engine>().map_err(|e| invalid(e.to_string())))
            .transpose()?;
        let now = now
            .map(|text| text.parse::<Now>().map_err(|e| invalid(e.to_string())))
            .transpose()?;
        let digest = body
            .digest
            .ok_or_else(|| invalid("missing `digest`: send the digest of the plan you previewed"))?
            .to_ascii_lowercase();
        if digest.len() != 64 || !digest.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(invalid("`digest` must be 64 hexadecimal digits (SHA-256)"));
        }
        let title = body.title.unwrap_or_default();
        control_char("`title`", &title)?;
        if title.chars().count() > MAX_TITLE_CHARS {
            return Err(invalid(format!(
                "`title` is longer than {MAX_TITLE_CHARS} characters"
            )));
        }
        let labels = body.labels.unwrap_or_default();
        check_labels(&labels)?;
        Ok(Submission {
            shape,
            text,
            dialect,
            engine,
            now,
            start: body.start,
            end: body.end,
            trigger: body.trigger,
            digest,
            title,
            labels,
        })
    }

    /// SHA-256 (hex) of everything that decides what would be stored: an
    /// `Idempotency-Key` replayed with the same hash gets the first answer, with another
    /// hash a 422. Formatting and field order of the JSON do not matter.
    #[must_use]
    pub fn request_hash(&self) -> String {
        let canonical = serde_json::to_vec(self).unwrap_or_default();
        hex(&Sha256::digest(&canonical))
    }

    /// Plan the source with the core and compare digests. `clock_now` is used when the
    /// request gave no "now". 422 with the diagnostics when it does not plan, 409 when
    /// the digest differs.
    ///
    /// A plan of up to [`INLINE_RUNS`] runs is turned into rows here, its digest computed
    /// on the way, so a mismatch is found before the database is touched. A larger one has
    /// its digest computed and compared here too, then is turned into rows while it is
    /// stored (and the digest checked again before the commit).
    pub fn check(self, max_runs: u64, clock_now: &Now) -> Result<Checked, AppError> {
        let options = PlanOptions {
            engine: self.engine,
            now: Some(self.now.clone().unwrap_or_else(|| clock_now.clone())),
            limit: max_runs,
            dialect: self.dialect,
            start: self.start.clone(),
            end: self.end.clone(),
            trigger: self.trigger.clone(),
            order: None,
        };
        let planned = backfill_core::plan(&self.text, &options);
        let plan = match planned.plan {
            Some(plan) if !has_errors(&planned.diagnostics) => plan,
            _ => {
                return Err(AppError::InvalidPlan {
                    diagnostics: planned.diagnostics,
                })
            }
        };
        let rows = if plan.run_count() <= INLINE_RUNS {
            let rows = Rows::build(&plan);
            self.verify(&rows.digest, plan.run_count())?;
            Some(rows)
        } else {
            // The digest first, from the runs alone: a wrong one is refused here, before
            // the writer lock is taken or a row is written (issue 11, item 9). The rows
            // (and the digest again, which the commit checks) are made while storing.
            self.verify(&plan.digest(), plan.run_count())?;
            None
        };
        Ok(Checked {
            summary_json: serde_json::to_string(&plan.summary()).unwrap_or_default(),
            diagnostics_json: serde_json::to_string(plan.diagnostics())
                .unwrap_or_else(|_| "[]".into()),
            labels_json: serde_json::to_string(&self.labels).unwrap_or_else(|_| "{}".into()),
            options_json: serde_json::to_string(&options).unwrap_or_else(|_| "{}".into()),
            plan,
            submission: self,
            rows,
        })
    }

    /// The digest of the server's expansion against the submitted one.
    pub fn verify(&self, computed: &str, computed_runs: u64) -> Result<(), AppError> {
        if computed == self.digest {
            Ok(())
        } else {
            Err(AppError::DigestMismatch {
                submitted: self.digest.clone(),
                computed: computed.to_owned(),
                computed_runs,
            })
        }
    }
}

/// Plans of up to this many runs are turned into rows before the database is touched.
pub const INLINE_RUNS: u64 = 8192;

/// A submission whose source planned (and, for a small plan, matched its digest):
/// ready to store.
#[derive(Debug)]
pub struct Checked {
    /// The server's own expansion.
    pub plan: Plan,
    /// What was asked.
    pub submission: Submission,
    /// The rows, already checked against the digest (`None`: a large plan, checked
    /// while it is stored).
    pub rows: Option<Rows>,
    /// The plan's summary, as stored.
    pub summary_json: String,
    /// The plan's warnings and notes, as stored.
    pub diagnostics_json: String,
    /// The labels, as stored.
    pub labels_json: String,
    /// The options the plan was made with, as one value (`PlanOptions` without the
    /// limit).
    pub options_json: String,
}

/// A control character (NUL, a newline, an escape…) in `text`, named with where it is.
fn control_char(what: &str, text: &str) -> Result<(), AppError> {
    match text.chars().enumerate().find(|(_, c)| c.is_control()) {
        Some((at, c)) => Err(invalid(format!(
            "{what} has a control character (U+{:04X}) at character {}: titles and labels are one line of text",
            u32::from(c),
            at + 1
        ))),
        None => Ok(()),
    }
}

fn check_labels(labels: &BTreeMap<String, String>) -> Result<(), AppError> {
    if labels.len() > MAX_LABELS {
        return Err(invalid(format!("more than {MAX_LABELS} labels")));
    }
    for (k, v) in labels {
        control_char("a label key", k)?;
        control_char(&format!("the value of label `{}`", k.escape_debug()), v)?;
        if k.is_empty() || k.chars().count() > MAX_LABEL_KEY_CHARS {
            return Err(invalid(format!(
                "label key `{k}` must have 1 to {MAX_LABEL_KEY_CHARS} characters"
            )));
        }
        if v.chars().count() > MAX_LABEL_VALUE_CHARS {
            return Err(invalid(format!(
                "the value of label `{k}` is longer than {MAX_LABEL_VALUE_CHARS} characters"
            )));
        }
    }
    Ok(())
}

fn invalid(message: impl Into<String>) -> AppError {
    AppError::InvalidSubmission {
        message: message.into(),
        location: None,
    }
}

/// serde_json's error as ours: syntax → 400 with where it broke, shape → 422.
fn json_error(e: serde_json::Error) -> AppError {
    use serde_json::error::Category;
    let (line, column) = (e.line(), e.column());
    // serde_json's Display appends " at line L column C"; we send them as fields.
    let full = e.to_string();
    let message = full
        .rsplit_once(" at line ")
        .map_or(full.as_str(), |(m, _)| m)
        .to_owned();
    match e.classify() {
        Category::Syntax | Category::Eof | Category::Io => AppError::MalformedJson {
            message,
            line,
            column,
        },
        Category::Data => AppError::InvalidSubmission {
            message: format!("the body is not a submission: {message}"),
            location: Some((line, column)),
        },
    }
}

/// Lower-case hex of bytes.
#[must_use]
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPEC: &str = "engine: flyte\nschedule: {cron: \"0 0 * * *\"}\nwindow: {start: 2023-01-01, end: 2023-01-11}\n";

    fn digest_of(text: &str) -> String {
        backfill_core::plan(text, &PlanOptions::default())
            .plan
            .unwrap()
            .digest()
    }

    #[test]
    fn a_submission_plans_to_its_digest() {
        let body = serde_json::json!({"source": SPEC, "digest": digest_of(SPEC), "title": "t"});
        let s = Submission::parse(body.to_string().as_bytes()).unwrap();
        assert_eq!(s.shape, Shape::Submission);
        let checked = s
            .check(1000, &"2024-01-01T00:00:00Z".parse().unwrap())
            .unwrap();
        assert_eq!(checked.plan.run_count(), 9);
    }

    #[test]
    fn the_stored_options_expand_the_source_to_the_same_runs() {
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../examples/airflow/nightly_etl.py"
        ))
        .unwrap();
        let given = PlanOptions {
            start: Some("2024-03-08T00:00:00-05:00".into()),
            end: Some("2024-03-12T02:30:00-04:00".into()),
            now: Some("2024-06-01T00:00:00Z".parse().unwrap()),
            ..PlanOptions::default()
        };
        let digest = backfill_core::plan(&text, &given).plan.unwrap().digest();
        let body = serde_json::json!({"source": text, "start": given.start, "end": given.end,
            "now": "2024-06-01T00:00:00Z", "digest": digest});
        let checked = Submission::parse(body.to_string().as_bytes())
            .unwrap()
            .check(1000, &"2030-01-01T00:00:00Z".parse().unwrap())
            .unwrap();
        // One value: every option the plan was made with (the limit is the server's).
        let stored: PlanOptions = serde_json::from_str(&checked.options_json).unwrap();
        assert_eq!(stored, given);
        let again = backfill_core::plan(
            &text,
            &PlanOptions {
                limit: 1000,
                ..stored
            },
        );
        assert_eq!(again.plan.unwrap().digest(), digest);
    }

    #[test]
    fn titles_and_labels_refuse_control_characters_saying_where() {
        let digest = "0".repeat(64);
        for (body, want) in [
            (
                serde_json::json!({"source": SPEC, "digest": digest, "title": "a\u{0}b"}),
                "`title` has a control character (U+0000) at character 2",
            ),
            (
                serde_json::json!({"source": SPEC, "digest": digest, "title": "x\ny"}),
                "(U+000A) at character 2",
            ),
            (
                serde_json::json!({"source": SPEC, "digest": digest, "labels": {"te\u{1b}am": "x"}}),
                "a label key has a control character (U+001B) at character 3",
            ),
            (
                serde_json::json!({"source": SPEC, "digest": digest, "labels": {"team": "a\tb"}}),
                "the value of label `team` has a control character (U+0009)",
            ),
        ] {
            let e = Submission::parse(body.to_string().as_bytes()).unwrap_err();
            let AppError::InvalidSubmission { message, .. } = e else {
                panic!("{e:?}");
            };
            assert!(message.contains(want), "{message}");
        }
        // Bidirectional controls are kept (the app shows them as code points).
        let body = serde_json::json!({"source": SPEC, "digest": digest, "title": "abc\u{202E}fed"});
        assert!(Submission::parse(body.to_string().as_bytes()).is_ok());
    }

    #[test]
    fn a_plan_json_is_read_by_its_source() {
        let plan = backfill_core::plan(SPEC, &PlanOptions::default())
            .plan
            .unwrap();
        let s = Submission::parse(plan.to_json().to_string().as_bytes()).unwrap();
        assert_eq!(s.shape, Shape::PlanJson);
        assert_eq!(s.engine, Some(Engine::Flyte));
        assert_eq!(s.dialect, Some(Dialect::Spec));
        assert!(s
            .check(1000, &"2024-01-01T00:00:00Z".parse().unwrap())
            .is_ok());
    }

    #[test]
    fn syntax_errors_say_where() {
        let err = Submission::parse(b"{\n  \"source\": \"x\",\n  oops\n}").unwrap_err();
        match err {
            AppError::MalformedJson { line, column, .. } => assert_eq!((line, column), (3, 3)),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn the_wrong_shape_is_unprocessable() {
        for body in [
            r#"{"digest": "00"}"#,
            r#"{"source": 5, "digest": "00"}"#,
            r#"{"source": "x"}"#,
            r#"{"source": "x", "digest": "xyz"}"#,
            r#"{"source": "x", "digest": "00", "labels": {"a": 1}}"#,
        ] {
            let err = Submission::parse(body.as_bytes()).unwrap_err();
            assert!(
                matches!(err, AppError::InvalidSubmission { .. }),
                "{body}: {err:?}"
            );
        }
    }

    #[test]
    fn the_request_hash_ignores_formatting() {
        let a = Submission::parse(br#"{"source": "x", "digest": "AB00000000000000000000000000000000000000000000000000000000000000", "title": "t"}"#).unwrap();
        let b = Submission::parse(br#"{"title":"t","digest":"ab00000000000000000000000000000000000000000000000000000000000000","source":"x"}"#).unwrap();
        assert_eq!(a.request_hash(), b.request_hash());
        let c = Submission::parse(br#"{"title":"u","digest":"ab00000000000000000000000000000000000000000000000000000000000000","source":"x"}"#).unwrap();
        assert_ne!(a.request_hash(), c.request_hash());
    }
}
