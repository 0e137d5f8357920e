//! YAML (and JSON, which YAML 1.2 contains) into spanned nodes.
//!
//! This is the only module that names the YAML crate (saphyr). It turns each document of
//! the pasted text into a [`Node`] tree where every node carries the [`Span`] of its text,
//! so later stages can point at the exact value they complain about. saphyr's markers
//! count characters; spans here are byte ranges with 1-based line and column.

use crate::diag::codes;
use crate::diag::{Diagnostic, Span};
use saphyr::{LoadableYamlNode, MarkedYaml, Scalar, YamlData};
use saphyr_parser::{Event, Parser};

/// The deepest nesting of lists and mappings accepted. Planner specs and engine files
/// nest a handful of levels; a text nested thousands deep would exhaust the stack of
/// the tree's conversion (and of its drop), so it is refused before a tree is built.
pub(crate) const MAX_DEPTH: usize = 64;

/// A YAML value with its span.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Node {
    pub span: Span,
    pub value: Value,
}

/// The shapes a YAML value can take.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Seq(Vec<Node>),
    Map(Vec<(Node, Node)>),
}

impl Node {
    /// What kind of value this is, for "expected X, found Y" messages.
    pub fn kind(&self) -> &'static str {
        match self.value {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Int(_) => "an integer",
            Value::Float(_) => "a number",
            Value::Str(_) => "a string",
            Value::Seq(_) => "a list",
            Value::Map(_) => "a mapping",
        }
    }

    /// The value as a string if it is a scalar (numbers and booleans as written).
    pub fn scalar_text(&self, text: &str) -> Option<String> {
        match &self.value {
            Value::Str(s) => Some(s.clone()),
            Value::Int(_) | Value::Float(_) | Value::Bool(_) => text
                .get(self.span.start..self.span.end)
                .map(|s| s.trim().to_owned()),
            _ => None,
        }
    }

    /// The mapping's entries, if it is one.
    pub fn as_map(&self) -> Option<&[(Node, Node)]> {
        match &self.value {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }

    /// The value of `key` in this mapping.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.as_map()?
            .iter()
            .find(|(k, _)| matches!(&k.value, Value::Str(s) if s == key))
            .map(|(_, v)| v)
    }

    /// The value as JSON (for params, labels and other free-form data).
    pub fn to_json(&self) -> serde_json::Value {
        match &self.value {
            Value::Null => serde_json::Value::Null,
            Value::Bool(b) => serde_json::Value::Bool(*b),
            Value::Int(i) => serde_json::Value::from(*i),
            Value::Float(f) => {
                serde_json::Number::from_f64(*f).map_or(serde_json::Value::Null, Into::into)
            }
            Value::Str(s) => serde_json::Value::String(s.clone()),
            Value::Seq(items) => items.iter().map(Node::to_json).collect(),
            Value::Map(entries) => serde_json::Value::Object(
                entries
                    .iter()
                    .map(|(k, v)| (k.key_text(), v.to_json()))
                    .collect(),
            ),
        }
    }

    /// A mapping key as text.
    pub fn key_text(&self) -> String {
        match &self.value {
            Value::Str(s) => s.clone(),
            Value::Int(i) => i.to_string(),
            Value::Float(f) => f.to_string(),
            Value::Bool(b) => b.to_string(),
            Value::Null => "null".to_owned(),
            Value::Seq(_) | Value::Map(_) => "<complex key>".to_owned(),
        }
    }
}

/// Maps saphyr's character indices to byte offsets.
struct Offsets {
    /// Byte offset of each char index, plus one past the end; empty for ASCII texts.
    bytes: Vec<usize>,
    len: usize,
}

impl Offsets {
    fn new(text: &str) -> Offsets {
        let bytes = if text.is_ascii() {
            Vec::new()
        } else {
            let mut v: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
            v.push(text.len());
            v
        };
        Offsets {
            bytes,
            len: text.len(),
        }
    }

    fn byte(&self, char_index: usize) -> usize {
        if self.bytes.is_empty() {
            char_index.min(self.len)
        } else {
            self.bytes.get(char_index).copied().unwrap_or(self.len)
        }
    }
}

/// One document of a multi-document paste.
#[derive(Debug, Clone)]
pub(crate) struct Document {
    pub root: Node,
}

/// Parse every document in `text`. A syntax error is one located diagnostic (the YAML
/// parser cannot go on past it).
pub(crate) fn parse_documents(text: &str) -> Result<Vec<Document>, Diagnostic> {
    let offsets = Offsets::new(text);
    too_deep(text, &offsets)?;
    match MarkedYaml::load_from_str(text) {
        Ok(docs) => Ok(docs
            .iter()
            .map(|d| Document {
                root: convert(d, text, &offsets),
            })
            .collect()),
        Err(e) => {
            let mark = e.marker();
            let at = offsets.byte(mark.index());
            let end = text[at..].chars().next().map_or(at, |c| at + c.len_utf8());
            let info = e.info();
            let (code, message, help) = if info.contains("duplicated key") {
                (
                    codes::DUPLICATE_KEY,
                    "duplicate key in a mapping".to_owned(),
                    "each key may appear once; remove or rename one of them",
                )
            } else {
                (
                    codes::YAML_SYNTAX,
                    format!("yaml syntax error: {info}"),
                    "check the indentation and the quoting around this point",
                )
            };
            Err(Diagnostic::error(code, message)
                .at(Span::of(text, at, end))
                .help(help))
        }
    }
}

/// The parser's events, read once without building a tree: an error at the first list or
/// mapping that opens deeper than [`MAX_DEPTH`]. Syntax errors are left to the loader,
/// which reports them.
fn too_deep(text: &str, offsets: &Offsets) -> Result<(), Diagnostic> {
    let mut depth = 0usize;
    for event in Parser::new_from_str(text) {
        let Ok((event, span)) = event else {
            return Ok(());
        };
        match event {
            Event::SequenceStart(..) | Event::MappingStart(..) => {
                depth += 1;
                if depth > MAX_DEPTH {
                    let at = offsets.byte(span.start.index());
                    let end = text[at..].chars().next().map_or(at, |c| at + c.len_utf8());
                    return Err(Diagnostic::error(
                        codes::TOO_DEEP,
                        format!("lists and mappings are nested more than {MAX_DEPTH} deep"),
                    )
                    .at(span_at(text, span.start, at, end))
                    .help("a spec nests a few levels; this text is not one"));
                }
            }
            Event::SequenceEnd | Event::MappingEnd => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(())
}

/// The span of bytes `start..end` whose start saphyr marked at `mark` (its line, and its
/// column in characters): no rescan of the text before it.
fn span_at(text: &str, mark: saphyr::Marker, start: usize, end: usize) -> Span {
    if mark.line() == 0 {
        // A node saphyr made without a position (an implicit empty value): found by
        // scanning, which only such nodes pay for.
        return Span::of(text, start, end);
    }
    let start = start.min(text.len());
    Span {
        line: u32::try_from(mark.line()).unwrap_or(u32::MAX),
        column: u32::try_from(mark.col() + 1).unwrap_or(u32::MAX),
        start,
        end: end.clamp(start, text.len()),
    }
}

fn convert(node: &MarkedYaml<'_>, text: &str, offsets: &Offsets) -> Node {
    let start = offsets.byte(node.span.start.index());
    let mut end = offsets.byte(node.span.end.index()).max(start);
    // Block collections end at the start of the next line; trim trailing whitespace so
    // the span covers only the value.
    while end > start
        && text
            .as_bytes()
            .get(end - 1)
            .is_some_and(u8::is_ascii_whitespace)
    {
        end -= 1;
    }
    let span = span_at(text, node.span.start, start, end);
    let value = match &node.data {
        YamlData::Value(scalar) => match scalar {
            Scalar::Null => Value::Null,
            Scalar::Boolean(b) => Value::Bool(*b),
            Scalar::Integer(i) => Value::Int(*i),
            Scalar::FloatingPoint(f) => Value::Float(f.into_inner()),
            Scalar::String(s) => Value::Str(s.to_string()),
        },
        YamlData::Representation(raw, _, _) => Value::Str(raw.to_string()),
        YamlData::Sequence(items) => {
            Value::Seq(items.iter().map(|n| convert(n, text, offsets)).collect())
        }
        YamlData::Mapping(map) => Value::Map(
            map.iter()
                .map(|(k, v)| (convert(k, text, offsets), convert(v, text, offsets)))
                .collect(),
        ),
        YamlData::Tagged(_, inner) => return convert(inner, text, offsets),
        YamlData::Alias(_) | YamlData::BadValue => Value::Null,
    };
    Node { span, value }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_are_bytes_even_after_non_ascii_text() {
        let text = "é: 1\nkey: value\n";
        let docs = parse_documents(text).unwrap();
        let v = docs[0].root.get("key").unwrap();
        assert_eq!(&text[v.span.start..v.span.end], "value");
        assert_eq!((v.span.line, v.span.column), (2, 6));
    }

    #[test]
    fn several_documents_are_kept_apart() {
        let docs = parse_documents("a: 1\n---\nb: 2\n").unwrap();
        assert_eq!(docs.len(), 2);
        assert!(docs[1].root.get("b").is_some());
    }

    #[test]
    fn syntax_errors_are_located() {
        let e = parse_documents("a: [1, 2\nb: 3\n").unwrap_err();
        assert_eq!(e.code, "E0001");
        assert_eq!(e.span.unwrap().line, 2);
        let e = parse_documents("a: 1\na: 2\n").unwrap_err();
        assert_eq!(e.code, "E0002");
    }

    #[test]
    fn norway_stays_a_string_and_dates_are_strings() {
        let docs = parse_documents("c: NO\nd: 2021-05-01\nn: 10\n").unwrap();
        assert_eq!(
            docs[0].root.get("c").unwrap().value,
            Value::Str("NO".into())
        );
        assert_eq!(
            docs[0].root.get("d").unwrap().value,
            Value::Str("2021-05-01".into())
        );
        assert_eq!(docs[0].root.get("n").unwrap().value, Value::Int(10));
    }
}
