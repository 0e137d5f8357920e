//! Diagnostics: every problem found in the user's input, as data.
//!
//! Problems in the input are never `Err`s that stop at the first one: each stage
//! collects all it finds into a `Vec<Diagnostic>`. A diagnostic has a stable code
//! (`E0xxx` for errors, `W0xxx` for warnings, `N0xxx` for notes; never renumbered), a
//! one-line lower-case message that quotes the offending value, an optional help line,
//! and a [`Span`] into the text the user pasted.

pub mod codes;

use serde::{Deserialize, Serialize};
use std::fmt;

/// A region of the pasted text: 1-based line and column of its start (columns count
/// characters, not bytes) and its byte range `start..end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub struct Span {
    /// 1-based line of the first character.
    pub line: u32,
    /// 1-based column (in characters) of the first character.
    pub column: u32,
    /// Byte offset of the first byte.
    pub start: usize,
    /// Byte offset one past the last byte.
    pub end: usize,
}

impl Span {
    /// The span of bytes `start..end` of `text`, with its line and column computed.
    #[must_use]
    pub fn of(text: &str, start: usize, end: usize) -> Span {
        let start = floor_char_boundary(text, start.min(text.len()));
        let end = floor_char_boundary(text, end.clamp(start, text.len()));
        let before = &text[..start];
        let line = before.bytes().filter(|&b| b == b'\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = text[line_start..start].chars().count() + 1;
        Span {
            line: u32::try_from(line).unwrap_or(u32::MAX),
            column: u32::try_from(column).unwrap_or(u32::MAX),
            start,
            end,
        }
    }

    /// A sub-span `start..end` (byte offsets relative to this span's start), with its
    /// line and column recomputed against `text`.
    #[must_use]
    pub fn sub(self, text: &str, start: usize, end: usize) -> Span {
        Span::of(text, self.start + start, self.start + end)
    }
}

fn floor_char_boundary(text: &str, mut i: usize) -> usize {
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// How serious a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The input cannot be planned.
    Error,
    /// The plan is made, but something in it will probably surprise the user.
    Warning,
    /// Worth knowing; nothing is wrong.
    Note,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "note",
        })
    }
}

/// One problem or surprise in the input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diagnostic {
    /// Stable code, e.g. `E0401`.
    pub code: String,
    /// Error, warning or note.
    pub severity: Severity,
    /// One line, lower-case, quoting the offending value.
    pub message: String,
    /// What to do about it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    /// Where in the pasted text; `None` for problems of the whole input.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub span: Option<Span>,
    /// Indices of the runs this diagnostic is about (the first few), if any.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub runs: Vec<u64>,
}

impl Diagnostic {
    /// An error with `code` and `message`.
    pub fn error(code: &str, message: impl Into<String>) -> Self {
        Self::new(code, Severity::Error, message)
    }

    /// A warning with `code` and `message`.
    pub fn warning(code: &str, message: impl Into<String>) -> Self {
        Self::new(code, Severity::Warning, message)
    }

    /// A note with `code` and `message`.
    pub fn note(code: &str, message: impl Into<String>) -> Self {
        Self::new(code, Severity::Note, message)
    }

    fn new(code: &str, severity: Severity, message: impl Into<String>) -> Self {
        Diagnostic {
            code: code.to_owned(),
            severity,
            message: message.into(),
            help: None,
            span: None,
            runs: Vec::new(),
        }
    }

    /// The same diagnostic, located at `span`.
    #[must_use]
    pub fn at(mut self, span: Span) -> Self {
        self.span = Some(span);
        self
    }

    /// The same diagnostic, located at `span` if there is one.
    #[must_use]
    pub fn at_opt(mut self, span: Option<Span>) -> Self {
        self.span = span.or(self.span);
        self
    }

    /// The same diagnostic with a help line.
    #[must_use]
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// The same diagnostic, about these runs.
    #[must_use]
    pub fn runs(mut self, runs: Vec<u64>) -> Self {
        self.runs = runs;
        self
    }

    /// Whether this is an error.
    #[must_use]
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// The diagnostic as the command line prints it:
    /// `file:line:col: error[E0401]: message`, then `  = help: …`.
    #[must_use]
    pub fn render(&self, file: &str) -> String {
        let mut out = match self.span {
            Some(s) => format!("{file}:{}:{}: ", s.line, s.column),
            None => format!("{file}: "),
        };
        out.push_str(&format!(
            "{}[{}]: {}",
            self.severity, self.code, self.message
        ));
        if let Some(help) = &self.help {
            out.push_str("\n  = help: ");
            out.push_str(help);
        }
        out
    }
}

/// Whether any of `diagnostics` is an error.
#[must_use]
pub fn has_errors(diagnostics: &[Diagnostic]) -> bool {
    diagnostics.iter().any(Diagnostic::is_error)
}

/// The Levenshtein distance between two short strings, for "did you mean" suggestions.
#[must_use]
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// The closest of `candidates` to `word`, if it is close enough to be a likely typo.
#[must_use]
pub fn did_you_mean<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let lower = word.to_ascii_lowercase();
    candidates
        .iter()
        .map(|c| (edit_distance(&lower, &c.to_ascii_lowercase()), *c))
        .filter(|(d, c)| {
            *d <= (c.len().max(3) / 3).max(1) || c.starts_with(&lower) && lower.len() >= 3
        })
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_count_lines_and_characters() {
        let text = "a: 1\nbé: 2\n";
        let s = Span::of(text, 9, 10);
        assert_eq!((s.line, s.column, s.start, s.end), (2, 4, 9, 10));
    }

    #[test]
    fn did_you_mean_finds_typos_only() {
        let keys = ["max_per_run", "kind", "concurrency"];
        assert_eq!(did_you_mean("max_per_rn", &keys), Some("max_per_run"));
        assert_eq!(did_you_mean("concurency", &keys), Some("concurrency"));
        assert_eq!(did_you_mean("zebra", &keys), None);
    }

    #[test]
    fn render_is_file_line_col() {
        let d = Diagnostic::error("E0101", "unknown key `foo`")
            .at(Span {
                line: 3,
                column: 5,
                start: 20,
                end: 23,
            })
            .help("did you mean `for`?");
        assert_eq!(
            d.render("spec.yaml"),
            "spec.yaml:3:5: error[E0101]: unknown key `foo`\n  = help: did you mean `for`?"
        );
    }
}
