//! The web app's form mode: the common fields of a planner spec, read from its text and
//! written back as text.
//!
//! The form is a view of the editor's text, never a second source of truth: the app reads
//! the fields with [`read_form`] whenever the text changes and, when a field is edited,
//! writes the whole spec with [`write_form`]. What the form does not manage (comments at
//! the top, `params`, `labels`, `now`, `grid`, …) is kept verbatim in [`FormFields::rest`],
//! so filling the form never loses a line the user wrote.

use crate::input::yaml::{parse_documents, Node, Value};

/// The schedule as the form shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormSchedule {
    /// `schedule: {cron: "…"}`.
    Cron(String),
    /// `schedule: {every: {unit, count}}`.
    Every {
        /// `second` … `year`.
        unit: String,
        /// How many units per step.
        count: String,
    },
    /// `schedule: {partitions: {kind}}` (Dagster).
    Partitions(String),
}

/// The fields of the form mode, each as the text of its input (empty = not set).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormFields {
    /// `engine`.
    pub engine: String,
    /// `schedule`.
    pub schedule: FormSchedule,
    /// `timezone` (an IANA name).
    pub timezone: String,
    /// `window.start`.
    pub start: String,
    /// `window.end` (empty: open, where the engine allows it).
    pub end: String,
    /// `strategy.kind`: `per_run`, `multi_run` or `single_run`.
    pub strategy: String,
    /// `strategy.max_per_run`.
    pub max_per_run: String,
    /// `concurrency`.
    pub concurrency: String,
    /// `estimate.run` (a duration such as `45s` or `10m`).
    pub estimate_run: String,
    /// `estimate.overhead`.
    pub estimate_overhead: String,
    /// Every other top-level entry and the leading comments, verbatim.
    pub rest: String,
}

impl Default for FormFields {
    fn default() -> Self {
        FormFields {
            engine: "generic".to_owned(),
            schedule: FormSchedule::Cron("0 0 * * *".to_owned()),
            timezone: String::new(),
            start: String::new(),
            end: String::new(),
            strategy: String::new(),
            max_per_run: String::new(),
            concurrency: String::new(),
            estimate_run: String::new(),
            estimate_overhead: String::new(),
            rest: String::new(),
        }
    }
}

/// The top-level keys the form writes; every other entry goes to `rest`.
const MANAGED: &[&str] = &[
    "engine",
    "schedule",
    "timezone",
    "window",
    "strategy",
    "concurrency",
    "estimate",
];

/// The form's fields of a planner spec, or `None` when the text is not a planner-spec
/// mapping the form can show (then the app shows the editor only).
///
/// ```
/// use backfill_core::form::{read_form, FormSchedule};
/// let f = read_form("engine: flyte\nschedule: {cron: \"0 0 * * *\"}\nwindow: {start: 2023-01-01, end: 2023-01-11}\n").unwrap();
/// assert_eq!(f.engine, "flyte");
/// assert_eq!(f.schedule, FormSchedule::Cron("0 0 * * *".to_owned()));
/// assert_eq!((f.start.as_str(), f.end.as_str()), ("2023-01-01", "2023-01-11"));
/// ```
#[must_use]
pub fn read_form(text: &str) -> Option<FormFields> {
    let docs = parse_documents(text).ok()?;
    if docs.len() != 1 {
        return None;
    }
    let root = &docs[0].root;
    let entries = root.as_map()?;
    if root.get("schedule").is_none() && root.get("window").is_none() {
        return None;
    }
    let scalar = |n: Option<&Node>| n.and_then(|n| n.scalar_text(text)).unwrap_or_default();
    let mut f = FormFields {
        engine: scalar(root.get("engine")),
        timezone: scalar(root.get("timezone")),
        concurrency: scalar(root.get("concurrency")),
        ..FormFields::default()
    };
    if let Some(s) = root.get("schedule") {
        f.schedule = if let Some(c) = s.get("cron") {
            FormSchedule::Cron(scalar(Some(c)))
        } else if let Some(e) = s.get("every") {
            FormSchedule::Every {
                unit: scalar(e.get("unit")),
                count: scalar(e.get("count")),
            }
        } else if let Some(p) = s.get("partitions") {
            // A partitions schedule with a cron or offsets is more than the form shows.
            if p.as_map().is_some_and(|m| m.len() != 1) {
                return None;
            }
            FormSchedule::Partitions(scalar(p.get("kind")))
        } else {
            return None;
        };
        if s.as_map().is_some_and(|m| m.len() != 1) {
            return None;
        }
    }
    if let Some(w) = root.get("window") {
        f.start = scalar(w.get("start"));
        f.end = scalar(w.get("end"));
    }
    if let Some(s) = root.get("strategy") {
        if let Value::Str(kind) = &s.value {
            f.strategy.clone_from(kind);
        } else {
            f.strategy = scalar(s.get("kind"));
            f.max_per_run = scalar(s.get("max_per_run"));
        }
    }
    if let Some(e) = root.get("estimate") {
        f.estimate_run = scalar(e.get("run"));
        f.estimate_overhead = scalar(e.get("overhead"));
    }
    f.rest = unmanaged_text(text, entries);
    Some(f)
}

/// The text of the leading comments and of every top-level entry the form does not manage.
fn unmanaged_text(text: &str, entries: &[(Node, Node)]) -> String {
    let line_start = |byte: usize| {
        text[..byte.min(text.len())]
            .rfind('\n')
            .map_or(0, |i| i + 1)
    };
    let mut out = String::new();
    if let Some((first, _)) = entries.first() {
        let head = &text[..line_start(first.span.start)];
        if head
            .lines()
            .all(|l| l.trim().is_empty() || l.trim_start().starts_with('#'))
        {
            out.push_str(head);
        }
    }
    for (i, (k, _)) in entries.iter().enumerate() {
        if MANAGED.contains(&k.key_text().as_str()) {
            continue;
        }
        let from = line_start(k.span.start);
        let to = entries
            .get(i + 1)
            .map_or(text.len(), |(next, _)| line_start(next.span.start));
        let mut block = text[from..to].to_owned();
        if !block.ends_with('\n') {
            block.push('\n');
        }
        out.push_str(&block);
    }
    out
}

/// YAML for a scalar the user typed: plain when it reads back as the same string,
/// double-quoted otherwise.
fn quoted(value: &str) -> String {
    let plain = !value.is_empty()
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '/' | '.' | '+'))
        && !value.starts_with(['-', '.', '+'])
        && !matches!(
            value,
            "true" | "false" | "null" | "yes" | "no" | "on" | "off"
        );
    if plain {
        return value.to_owned();
    }
    let mut s = String::with_capacity(value.len() + 2);
    s.push('"');
    for c in value.chars() {
        match c {
            '"' => s.push_str("\\\""),
            '\\' => s.push_str("\\\\"),
            '\n' => s.push_str("\\n"),
            c => s.push(c),
        }
    }
    s.push('"');
    s
}

/// A number field: written as typed when it is an integer, quoted otherwise (so the core
/// reports it as not a number instead of the form silently dropping it).
fn number(value: &str) -> String {
    if value.parse::<i64>().is_ok() {
        value.to_owned()
    } else {
        quoted(value)
    }
}

/// The planner spec of the form's fields (the managed keys first, then [`FormFields::rest`]).
///
/// ```
/// use backfill_core::form::{read_form, write_form, FormFields, FormSchedule};
/// let f = FormFields {
///     engine: "dagster".into(),
///     schedule: FormSchedule::Partitions("daily".into()),
///     start: "2024-01-01".into(),
///     end: "2024-04-10".into(),
///     strategy: "multi_run".into(),
///     max_per_run: "10".into(),
///     ..FormFields::default()
/// };
/// let text = write_form(&f);
/// assert_eq!(read_form(&text), Some(f));
/// ```
#[must_use]
pub fn write_form(f: &FormFields) -> String {
    let mut out = String::new();
    let head_len = f
        .rest
        .lines()
        .take_while(|l| l.trim().is_empty() || l.trim_start().starts_with('#'))
        .map(|l| l.len() + 1)
        .sum::<usize>()
        .min(f.rest.len());
    let (head, tail) = f.rest.split_at(head_len);
    out.push_str(head);
    if !f.engine.is_empty() {
        out.push_str(&format!("engine: {}\n", quoted(&f.engine)));
    }
    out.push_str("schedule:\n");
    match &f.schedule {
        FormSchedule::Cron(expr) => out.push_str(&format!("  cron: {}\n", quoted(expr))),
        FormSchedule::Every { unit, count } => out.push_str(&format!(
            "  every: {{unit: {}, count: {}}}\n",
            quoted(unit),
            number(if count.is_empty() { "1" } else { count })
        )),
        FormSchedule::Partitions(kind) => {
            out.push_str(&format!("  partitions:\n    kind: {}\n", quoted(kind)));
        }
    }
    if !f.timezone.is_empty() {
        out.push_str(&format!("timezone: {}\n", quoted(&f.timezone)));
    }
    out.push_str("window:\n");
    out.push_str(&format!("  start: {}\n", quoted(&f.start)));
    if !f.end.is_empty() {
        out.push_str(&format!("  end: {}\n", quoted(&f.end)));
    }
    if !f.strategy.is_empty() || !f.max_per_run.is_empty() {
        out.push_str("strategy:\n");
        let kind = if f.strategy.is_empty() {
            "multi_run"
        } else {
            &f.strategy
        };
        out.push_str(&format!("  kind: {}\n", quoted(kind)));
        if !f.max_per_run.is_empty() {
            out.push_str(&format!("  max_per_run: {}\n", number(&f.max_per_run)));
        }
    }
    if !f.concurrency.is_empty() {
        out.push_str(&format!("concurrency: {}\n", number(&f.concurrency)));
    }
    if !f.estimate_run.is_empty() || !f.estimate_overhead.is_empty() {
        out.push_str("estimate:\n");
        if !f.estimate_run.is_empty() {
            out.push_str(&format!("  run: {}\n", quoted(&f.estimate_run)));
        }
        if !f.estimate_overhead.is_empty() {
            out.push_str(&format!("  overhead: {}\n", quoted(&f.estimate_overhead)));
        }
    }
    out.push_str(tail);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{plan, PlanOptions};

    #[test]
    fn a_written_form_reads_back_the_same() {
        let f = FormFields {
            engine: "kestra".into(),
            schedule: FormSchedule::Cron("*/30 * * * *".into()),
            timezone: "Europe/Paris".into(),
            start: "2024-03-28T06:30:00Z".into(),
            end: "2024-03-28T11:30:00Z".into(),
            strategy: "per_run".into(),
            concurrency: "2".into(),
            estimate_run: "45s".into(),
            estimate_overhead: "30s".into(),
            ..FormFields::default()
        };
        let text = write_form(&f);
        assert_eq!(read_form(&text), Some(f));
        let p = plan(&text, &PlanOptions::default()).plan.expect("a plan");
        assert_eq!(p.run_count(), 11);
    }

    #[test]
    fn writing_the_form_keeps_comments_and_other_keys() {
        let text = "# outage\nengine: kestra\nschedule:\n  cron: \"*/30 * * * *\"\nwindow:\n  start: \"2024-03-28T06:30:00.000Z\"\nnow: \"2024-03-28T11:30:00Z\"\nlabels:\n  reason: outage\n";
        let mut f = read_form(text).expect("a form");
        assert_eq!(
            f.rest,
            "# outage\nnow: \"2024-03-28T11:30:00Z\"\nlabels:\n  reason: outage\n"
        );
        f.concurrency = "3".into();
        let written = write_form(&f);
        assert!(
            written.starts_with("# outage\nengine: kestra\n"),
            "{written}"
        );
        assert!(written.contains("concurrency: 3\n"));
        assert!(written.ends_with("labels:\n  reason: outage\n"));
        let p = plan(&written, &PlanOptions::default())
            .plan
            .expect("a plan");
        assert_eq!(p.run_count(), 11);
    }

    #[test]
    fn odd_values_are_quoted_so_they_read_back_as_typed() {
        for v in ["true", "0 0 * * *", "a\"b", "-1", "12:30", ""] {
            let f = FormFields {
                timezone: v.into(),
                start: v.into(),
                ..FormFields::default()
            };
            let back = read_form(&write_form(&f)).expect("a form");
            assert_eq!(back.start, v);
        }
    }

    #[test]
    fn other_dialects_have_no_form() {
        assert_eq!(read_form("kind: operation\nmatrix: {}\n"), None);
        assert_eq!(read_form("- a: 1\n"), None);
        assert_eq!(read_form("schedule: [\n"), None);
    }
}
