//! An Airflow DAG file, read without running it: the `DAG(...)` call (or `with DAG(...)`,
//! or the `@dag(...)` decorator) is found by its tokens and the arguments a backfill
//! depends on are read as literals: `dag_id`, `schedule` (a cron or preset string, a
//! `timedelta`, a `relativedelta`, or a cron or delta timetable), the zone of
//! `start_date` (`pendulum.datetime(..., tz=...)`), and the timetable's `timezone` and
//! `interval`. A module-level `NAME = value` is followed once. Anything else (an
//! expression, an asset schedule, a timetable we do not reproduce) is a located error;
//! nothing is ever executed. The backfill's window is not in a DAG file: it comes from
//! the caller (`--start`/`--end`, the form), as `from_date`/`to_date` of the request.

use super::{base_spec, given};
use crate::diag::codes;
use crate::diag::{Diagnostic, Span};
use crate::input::dialect::Dialect;
use crate::input::spec::{Reader, Schedule, Sp, Spec, Timetable, Unit};
use crate::options::PlanOptions;

/// Whether `text` looks like a Python file defining an Airflow DAG.
pub(crate) fn looks_like_dag(text: &str) -> bool {
    let python = text.lines().any(|l| {
        let l = l.trim_start();
        (l.starts_with("from ") && l.contains(" import ")) || l.starts_with("import ")
    });
    python && text.contains("airflow") && (text.contains("DAG(") || text.contains("@dag"))
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Name(String),
    Str(String),
    Num(String),
    Op(&'static str),
}

#[derive(Debug, Clone)]
struct Token {
    tok: Tok,
    start: usize,
    end: usize,
    /// The first token of its line, at column 0 (a module-level statement).
    top: bool,
    /// The first token of a logical line (outside brackets): a statement starts.
    stmt: bool,
}

const OPS: [&str; 16] = [
    "**", "(", ")", "[", "]", "{", "}", ",", ":", "=", "@", ".", "*", "-", "+", "/",
];

/// Python's tokens, as far as literals and calls need them, and where an unterminated
/// string starts (it ends the file).
fn tokens(text: &str) -> (Vec<Token>, Option<usize>) {
    let mut unterminated = None;
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    let mut line_start = true;
    let mut col0 = true;
    let mut depth = 0usize;
    while i < b.len() {
        let c = b[i];
        match c {
            b'\n' => {
                i += 1;
                line_start = true;
                col0 = true;
                continue;
            }
            b' ' | b'\t' | b'\r' | b'\\' => {
                i += 1;
                col0 = false;
                continue;
            }
            b'#' => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            _ => {}
        }
        let start = i;
        let top = line_start && col0 && depth == 0;
        let stmt = line_start && depth == 0;
        line_start = false;
        col0 = false;
        // A string, with any prefix (r, b, f, u, in either case).
        let prefix = b[i..]
            .iter()
            .take_while(|c| matches!(c, b'r' | b'R' | b'b' | b'B' | b'f' | b'F' | b'u' | b'U'))
            .count();
        if prefix <= 2 && matches!(b.get(i + prefix), Some(b'"' | b'\'')) {
            let q = b[i + prefix];
            let mut j = i + prefix;
            let triple = b.get(j + 1) == Some(&q) && b.get(j + 2) == Some(&q);
            let open = if triple { 3 } else { 1 };
            j += open;
            let body_start = j;
            let raw = b[i..i + prefix].iter().any(|c| matches!(c, b'r' | b'R'));
            loop {
                if j >= b.len() {
                    break;
                }
                if b[j] == b'\\' && !raw {
                    j += 2;
                    continue;
                }
                if b[j] == q && (!triple || (b.get(j + 1) == Some(&q) && b.get(j + 2) == Some(&q)))
                {
                    break;
                }
                if b[j] == b'\n' && !triple {
                    break;
                }
                j += 1;
            }
            let closed = j < b.len() && b[j] == q;
            if !closed && unterminated.is_none() {
                unterminated = Some(start);
            }
            let body_end = j.min(b.len());
            let value = unescape(&text[body_start..body_end], raw);
            i = (j + open).min(b.len());
            out.push(Token {
                tok: Tok::Str(value),
                start,
                end: i,
                top,
                stmt,
            });
            continue;
        }
        if c.is_ascii_alphabetic() || c == b'_' || c >= 0x80 {
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_' || b[i] >= 0x80) {
                i += 1;
            }
            out.push(Token {
                tok: Tok::Name(text[start..i].to_owned()),
                start,
                end: i,
                top,
                stmt,
            });
            continue;
        }
        if c.is_ascii_digit() {
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_' || b[i] == b'.') {
                i += 1;
            }
            out.push(Token {
                tok: Tok::Num(text[start..i].replace('_', "")),
                start,
                end: i,
                top,
                stmt,
            });
            continue;
        }
        let op = OPS.iter().find(|op| b[i..].starts_with(op.as_bytes()));
        let Some(op) = op else {
            // Any other operator: one byte (or one character) the reader does not need.
            i += text[i..].chars().next().map_or(1, char::len_utf8);
            out.push(Token {
                tok: Tok::Op("?"),
                start,
                end: i,
                top,
                stmt,
            });
            continue;
        };
        match *op {
            "(" | "[" | "{" => depth += 1,
            ")" | "]" | "}" => depth = depth.saturating_sub(1),
            _ => {}
        }
        i += op.len();
        out.push(Token {
            tok: Tok::Op(op),
            start,
            end: i,
            top,
            stmt,
        });
    }
    (out, unterminated)
}

fn unescape(s: &str, raw: bool) -> String {
    if raw || !s.contains('\\') {
        return s.to_owned();
    }
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}

/// A Python expression, as far as the reader reads it.
#[derive(Debug, Clone, PartialEq)]
enum Expr {
    Str(String),
    Num(String),
    Name(String),
    Call {
        name: String,
        args: Vec<Py>,
        kwargs: Vec<(String, Py)>,
    },
    List(Vec<Py>),
    /// A dict literal with string keys.
    Dict(Vec<(String, Py)>),
    /// Something the reader does not evaluate (an operator, a comprehension, …).
    Other,
}

#[derive(Debug, Clone, PartialEq)]
struct Py {
    e: Expr,
    start: usize,
    end: usize,
}

struct Parser<'t> {
    toks: &'t [Token],
    i: usize,
    /// Calls and lists open around the current token: past [`MAX_DEPTH`] a value is
    /// skipped, not read, so no input nests the reader's stack deeply.
    depth: u32,
}

/// The deepest call or list nesting read.
const MAX_DEPTH: u32 = 32;

impl Parser<'_> {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.i).map(|t| &t.tok)
    }

    fn op(&self, op: &str) -> bool {
        matches!(self.peek(), Some(Tok::Op(o)) if *o == op)
    }

    fn end_at(&self) -> usize {
        self.toks.get(self.i.saturating_sub(1)).map_or(0, |t| t.end)
    }

    /// Skip to the matching closer of an open bracket already consumed.
    fn skip_group(&mut self) {
        let mut depth = 1usize;
        while let Some(t) = self.peek().cloned() {
            self.i += 1;
            match t {
                Tok::Op("(" | "[" | "{") => depth += 1,
                Tok::Op(")" | "]" | "}") => {
                    depth -= 1;
                    if depth == 0 {
                        return;
                    }
                }
                _ => {}
            }
        }
    }

    /// One expression, up to a `,` or a closer at this level.
    fn expr(&mut self, budget: &mut u32) -> Py {
        let start = self.toks.get(self.i).map_or(0, |t| t.start);
        let first = self.primary(budget);
        let mut other = false;
        while let Some(t) = self.peek() {
            if self.toks[self.i].stmt {
                break;
            }
            match t {
                Tok::Op("," | ")" | "]" | "}" | ":" | "=") => break,
                Tok::Op("(" | "[" | "{") => {
                    self.i += 1;
                    self.skip_group();
                    other = true;
                }
                _ => {
                    self.i += 1;
                    other = true;
                }
            }
        }
        if other {
            Py {
                e: Expr::Other,
                start,
                end: self.end_at(),
            }
        } else {
            first
        }
    }

    fn primary(&mut self, budget: &mut u32) -> Py {
        let start = self.toks.get(self.i).map_or(0, |t| t.start);
        *budget = budget.saturating_sub(1);
        let e = match self.peek().cloned() {
            Some(Tok::Str(s)) => {
                self.i += 1;
                let mut s = s;
                // Implicit concatenation of adjacent literals.
                while let Some(Tok::Str(t)) = self.peek() {
                    s.push_str(t);
                    self.i += 1;
                }
                Expr::Str(s)
            }
            Some(Tok::Num(n)) => {
                self.i += 1;
                Expr::Num(n)
            }
            Some(Tok::Op("-")) => {
                self.i += 1;
                match self.peek().cloned() {
                    Some(Tok::Num(n)) => {
                        self.i += 1;
                        Expr::Num(format!("-{n}"))
                    }
                    _ => Expr::Other,
                }
            }
            Some(Tok::Name(n)) => {
                self.i += 1;
                let mut name = n;
                while self.op(".") {
                    if let Some(Tok::Name(m)) = self.toks.get(self.i + 1).map(|t| &t.tok) {
                        name.push('.');
                        name.push_str(m);
                        self.i += 2;
                    } else {
                        break;
                    }
                }
                if self.op("(") && *budget > 0 && self.depth < MAX_DEPTH {
                    self.i += 1;
                    self.depth += 1;
                    let (args, kwargs) = self.arguments(budget);
                    self.depth -= 1;
                    Expr::Call { name, args, kwargs }
                } else if self.op("(") {
                    self.i += 1;
                    self.skip_group();
                    Expr::Other
                } else {
                    Expr::Name(name)
                }
            }
            Some(Tok::Op("[")) if self.depth >= MAX_DEPTH => {
                self.i += 1;
                self.skip_group();
                Expr::Other
            }
            Some(Tok::Op("[")) => {
                self.i += 1;
                self.depth += 1;
                let mut items = Vec::new();
                while !self.op("]") && self.peek().is_some() && *budget > 0 {
                    items.push(self.expr(budget));
                    if self.op(",") {
                        self.i += 1;
                    } else if !self.op("]") {
                        self.skip_group();
                        self.i -= 1;
                        break;
                    }
                }
                if self.op("]") {
                    self.i += 1;
                }
                self.depth -= 1;
                Expr::List(items)
            }
            Some(Tok::Op("{")) if self.depth < MAX_DEPTH => {
                self.i += 1;
                self.depth += 1;
                let mut items = Vec::new();
                let mut readable = true;
                while !self.op("}") && self.peek().is_some() && *budget > 0 {
                    let key = match self.peek().cloned() {
                        Some(Tok::Str(k)) => {
                            self.i += 1;
                            Some(k)
                        }
                        _ => None,
                    };
                    match key {
                        Some(k) if self.op(":") => {
                            self.i += 1;
                            let v = self.expr(budget);
                            items.push((k, v));
                        }
                        _ => readable = false,
                    }
                    if self.op(",") {
                        self.i += 1;
                    } else if !self.op("}") {
                        self.skip_group();
                        self.i -= 1;
                        readable = false;
                        break;
                    }
                }
                if self.op("}") {
                    self.i += 1;
                }
                self.depth -= 1;
                if readable {
                    Expr::Dict(items)
                } else {
                    Expr::Other
                }
            }
            Some(Tok::Op("(" | "{")) => {
                self.i += 1;
                self.skip_group();
                Expr::Other
            }
            Some(_) => {
                self.i += 1;
                Expr::Other
            }
            None => Expr::Other,
        };
        Py {
            e,
            start,
            end: self.end_at(),
        }
    }

    /// A call's arguments, after its `(`, through its `)`.
    fn arguments(&mut self, budget: &mut u32) -> (Vec<Py>, Vec<(String, Py)>) {
        let mut args = Vec::new();
        let mut kwargs = Vec::new();
        while self.peek().is_some() && !self.op(")") && *budget > 0 {
            if self.op("*") || self.op("**") {
                self.i += 1;
                let _ = self.expr(budget);
            } else if let (Some(Tok::Name(k)), Some(Tok::Op("="))) = (
                self.peek().cloned(),
                self.toks.get(self.i + 1).map(|t| t.tok.clone()),
            ) {
                self.i += 2;
                let v = self.expr(budget);
                kwargs.push((k, v));
            } else {
                args.push(self.expr(budget));
            }
            if self.op(",") {
                self.i += 1;
            } else if !self.op(")") {
                // Something unreadable: skip to this call's end.
                self.skip_group();
                return (args, kwargs);
            }
        }
        if self.op(")") {
            self.i += 1;
        }
        (args, kwargs)
    }
}

/// The DAG definitions of a file: the call's arguments, where it is, and the decorated
/// function's name for `@dag`.
struct DagCall {
    kwargs: Vec<(String, Py)>,
    args: Vec<Py>,
    at: Span,
    function: Option<String>,
}

fn dag_calls(text: &str, toks: &[Token]) -> Vec<DagCall> {
    let mut out = Vec::new();
    let mut i = 0;
    while i + 1 < toks.len() {
        let name = match &toks[i].tok {
            Tok::Name(n) => n.as_str(),
            _ => {
                i += 1;
                continue;
            }
        };
        let dotted_dag = name == "DAG"
            && (i == 0 || !matches!(toks[i - 1].tok, Tok::Op(".")) || {
                // `models.DAG(` / `airflow.DAG(` / `sdk.DAG(`
                i >= 2 && matches!(&toks[i - 2].tok, Tok::Name(_))
            });
        let decorator = name == "dag" && i > 0 && toks[i - 1].tok == Tok::Op("@");
        let after_class = i > 0
            && matches!(&toks[i - 1].tok, Tok::Name(k) if k == "class" || k == "def" || k == "import");
        if !(dotted_dag || decorator) || after_class || toks[i + 1].tok != Tok::Op("(") {
            i += 1;
            continue;
        }
        let start = if decorator {
            toks[i - 1].start
        } else {
            toks[i].start
        };
        let mut p = Parser {
            toks,
            i: i + 2,
            depth: 0,
        };
        let mut budget = 10_000;
        let (args, kwargs) = p.arguments(&mut budget);
        let end = p.end_at();
        let function = if decorator {
            toks[p.i..]
                .windows(2)
                .find_map(|w| match (&w[0].tok, &w[1].tok) {
                    (Tok::Name(d), Tok::Name(f)) if d == "def" => Some(f.clone()),
                    _ => None,
                })
        } else {
            None
        };
        out.push(DagCall {
            kwargs,
            args,
            at: Span::of(text, start, end),
            function,
        });
        i = p.i.max(i + 1);
    }
    out
}

/// A module-level dict literal with `from_date` (the backfill request pasted below the DAG).
fn request_body(toks: &[Token]) -> Option<Py> {
    toks.iter().enumerate().find_map(|(i, t)| {
        if !(t.top && t.tok == Tok::Op("{")) {
            return None;
        }
        let mut p = Parser { toks, i, depth: 0 };
        let mut budget = 2_000;
        let v = p.expr(&mut budget);
        match &v.e {
            Expr::Dict(items) if items.iter().any(|(k, _)| k == "from_date") => Some(v),
            _ => None,
        }
    })
}

/// Module-level `NAME = value` assignments.
fn assignments(toks: &[Token]) -> Vec<(String, Py)> {
    let mut out = Vec::new();
    for (i, t) in toks.iter().enumerate() {
        if let (true, Tok::Name(n), Some(Tok::Op("="))) =
            (t.top, &t.tok, toks.get(i + 1).map(|t| &t.tok))
        {
            let mut p = Parser {
                toks,
                i: i + 2,
                depth: 0,
            };
            let mut budget = 2_000;
            out.push((n.clone(), p.expr(&mut budget)));
        }
    }
    out
}

struct Ctx<'a, 'r, 't> {
    text: &'t str,
    r: &'r mut Reader<'t>,
    vars: &'a [(String, Py)],
}

impl Ctx<'_, '_, '_> {
    fn span(&self, p: &Py) -> Span {
        Span::of(self.text, p.start, p.end)
    }

    /// `p`, with a module-level name followed once.
    fn resolve<'p>(&'p self, p: &'p Py) -> &'p Py {
        if let Expr::Name(n) = &p.e {
            if let Some((_, v)) = self.vars.iter().rev().find(|(k, _)| k == n) {
                return v;
            }
        }
        p
    }

    fn error(&mut self, code: &str, message: String, at: Span, help: Option<&str>) {
        let d = self.r.error(code, message, at);
        d.help = help.map(str::to_owned);
    }

    fn string(&self, p: &Py) -> Option<String> {
        match &self.resolve(p).e {
            Expr::Str(s) => Some(s.clone()),
            _ => None,
        }
    }

    /// A zone: a string, or `pendulum.timezone("X")` / `ZoneInfo("X")` / `tz.gettz("X")`.
    fn zone(&self, p: &Py) -> Option<String> {
        match &self.resolve(p).e {
            Expr::Str(s) => Some(s.clone()),
            Expr::Call { name, args, .. }
                if ["timezone", "ZoneInfo", "gettz", "Timezone"]
                    .iter()
                    .any(|f| name == f || name.ends_with(&format!(".{f}"))) =>
            {
                args.first().and_then(|a| self.string(a))
            }
            Expr::Name(n) if n.ends_with("UTC") || n.ends_with(".utc") => Some("UTC".to_owned()),
            _ => None,
        }
    }

    /// A timetable's `timezone` argument as the DAG's zone, or a located error.
    fn timetable_zone(&mut self, tz: &Py) -> Option<Sp<String>> {
        match self.zone(tz) {
            Some(z) => Some(Sp::new(z, self.span(tz))),
            None => {
                let at = self.span(tz);
                self.error(
                    codes::AIRFLOW_DAG_UNREADABLE,
                    "the timetable's `timezone` is not a literal the planner can read".to_owned(),
                    at,
                    None,
                );
                None
            }
        }
    }

    /// A trigger timetable's `interval` argument as the spec's data interval.
    fn timetable_interval(&mut self, iv: &Py, spec: &mut Spec) {
        if let Some(d) = self.delta(iv, "interval") {
            spec.data_interval = Some(Sp::new(d, self.span(iv)));
        }
    }

    /// W0551 when the pasted request (`what`: "request body", "command") names another DAG.
    fn other_dag(&mut self, what: &str, given: &str, dag: Option<&str>, at: Span) {
        if let Some(dag) = dag.filter(|d| *d != given) {
            let d = Diagnostic::warning(
                codes::AIRFLOW_BODY_OTHER_DAG,
                format!("the {what} names DAG `{given}`, the file defines `{dag}`"),
            )
            .at(at);
            self.r.diags.push(d);
        }
    }

    /// N0345 for a reprocess behaviour (written `option`) other than `none`.
    fn reprocess_note(&mut self, option: &str, at: Span) {
        let d = Diagnostic::note(codes::AIRFLOW_REPROCESS, format!("`{option}` decides what happens to runs that already exist; the plan is for a DAG with no runs in the window, where every value creates the same runs"))
            .at(at);
        self.r.diags.push(d);
    }

    /// `timedelta(...)` or `relativedelta(...)` as an `every` step.
    fn delta(&mut self, p: &Py, what: &str) -> Option<(Unit, i64)> {
        let p = self.resolve(p).clone();
        let at = self.span(&p);
        let Expr::Call { name, args, kwargs } = &p.e else {
            self.error(
                codes::AIRFLOW_DAG_UNREADABLE,
                format!("`{what}` is not a literal `timedelta(...)` the planner can read"),
                at,
                Some("write it as e.g. `timedelta(days=1)`"),
            );
            return None;
        };
        let short = name.rsplit('.').next().unwrap_or(name);
        let num = |p: &Py| -> Option<f64> {
            match &p.e {
                Expr::Num(n) => n.parse::<f64>().ok(),
                _ => None,
            }
        };
        if short == "relativedelta" {
            let mut months = 0i64;
            for (k, v) in kwargs {
                let n = num(v).filter(|n| n.fract() == 0.0).map(|n| n as i64);
                match (k.as_str(), n) {
                    ("months", Some(n)) => months += n,
                    ("years", Some(n)) => months += n * 12,
                    _ => {
                        self.error(codes::AIRFLOW_DAG_UNREADABLE, format!("`relativedelta({k}=...)`: the planner reproduces only whole `months` and `years` steps"), self.span(v), None);
                        return None;
                    }
                }
            }
            return Some((Unit::Month, months));
        }
        if short != "timedelta" {
            self.error(
                codes::AIRFLOW_DAG_UNREADABLE,
                format!("`{what}` is `{name}(...)`, not a `timedelta` or `relativedelta`"),
                at,
                None,
            );
            return None;
        }
        let mut secs = 0f64;
        let order = [
            "days",
            "seconds",
            "microseconds",
            "milliseconds",
            "minutes",
            "hours",
            "weeks",
        ];
        let scale = [86_400.0, 1.0, 1e-6, 1e-3, 60.0, 3600.0, 604_800.0];
        for (k, v) in args
            .iter()
            .enumerate()
            .map(|(i, a)| (order.get(i).copied().unwrap_or(""), a))
            .chain(kwargs.iter().map(|(k, v)| (k.as_str(), v)))
        {
            let Some(s) = order.iter().position(|o| *o == k).map(|i| scale[i]) else {
                self.error(
                    codes::AIRFLOW_DAG_UNREADABLE,
                    format!("`timedelta` has no argument `{k}`"),
                    self.span(v),
                    None,
                );
                return None;
            };
            let Some(n) = num(v) else {
                self.error(
                    codes::AIRFLOW_DAG_UNREADABLE,
                    format!("`timedelta({k}=...)` is not a number the planner can read"),
                    self.span(v),
                    None,
                );
                return None;
            };
            secs += n * s;
        }
        if secs.fract() != 0.0 || secs.abs() > 1e15 {
            self.error(
                codes::AIRFLOW_DAG_UNREADABLE,
                "the planner steps in whole seconds; this `timedelta` has a fraction of a second"
                    .to_owned(),
                at,
                None,
            );
            return None;
        }
        let secs = secs as i64;
        Some(
            [
                (Unit::Week, 604_800),
                (Unit::Day, 86_400),
                (Unit::Hour, 3600),
                (Unit::Minute, 60),
            ]
            .into_iter()
            .find(|(_, s)| secs != 0 && secs % s == 0)
            .map_or((Unit::Second, secs), |(u, s)| (u, secs / s)),
        )
    }
}

/// Read a DAG file into a spec for engine `airflow`.
pub(crate) fn airflow_dag<'t>(text: &'t str, r: &mut Reader<'t>, options: &PlanOptions) -> Spec {
    let mut spec = base_spec(Dialect::AirflowDag);
    spec.root_span = Span::of(text, 0, text.len());
    let (toks, unterminated) = tokens(text);
    if let Some(at) = unterminated {
        r.error(
            codes::AIRFLOW_DAG_UNREADABLE,
            "a string is not closed: the file does not parse as Python".to_owned(),
            Span::of(text, at, (at + 3).min(text.len())),
        );
    }
    let vars = assignments(&toks);
    let calls = dag_calls(text, &toks);
    let Some(call) = calls.first() else {
        r.error(
            codes::AIRFLOW_NO_DAG,
            "the file defines no DAG: no `DAG(...)` call or `@dag(...)` decorator".to_owned(),
            spec.root_span,
        )
        .help = Some("paste the file that defines the DAG to backfill".to_owned());
        return spec;
    };
    let mut cx = Ctx {
        text,
        r,
        vars: &vars,
    };
    let kw = |k: &str| call.kwargs.iter().find(|(n, _)| n == k).map(|(_, v)| v);
    let dag_id = kw("dag_id")
        .or(call.args.first())
        .and_then(|p| cx.string(p))
        .or_else(|| call.function.clone());
    if calls.len() > 1 {
        let d = Diagnostic::warning(
            codes::AIRFLOW_SEVERAL_DAGS,
            format!(
                "the file defines {} DAGs; planning the first{}",
                calls.len(),
                dag_id
                    .as_ref()
                    .map_or(String::new(), |d| format!(", `{d}`"))
            ),
        )
        .at(calls[1].at);
        cx.r.diags.push(d);
    }
    if let Some(id) = &dag_id {
        spec.native.identity = vec![("dag_id".to_owned(), id.clone())];
    }
    if let Some(si) = kw("schedule_interval") {
        let at = cx.span(si);
        cx.error(codes::AIRFLOW_SCHEDULE_INTERVAL, "Airflow 3 has no `schedule_interval` (it was removed; the DAG does not load): use `schedule`".to_owned(), at, Some("rename the argument to `schedule`"));
    }
    // The DAG's zone: its start_date's, else the default zone (UTC).
    let mut zone: Option<Sp<String>> = None;
    if let Some(sd) = kw("start_date") {
        let sd = cx.resolve(sd).clone();
        if let Expr::Call { kwargs, .. } = &sd.e {
            if let Some((_, tz)) = kwargs.iter().find(|(k, _)| k == "tz" || k == "tzinfo") {
                match cx.zone(tz) {
                    Some(z) => zone = Some(Sp::new(z, cx.span(tz))),
                    None => {
                        let at = cx.span(tz);
                        cx.error(codes::AIRFLOW_DAG_UNREADABLE, "the start_date's zone is not a literal the planner can read: the DAG's zone decides when a cron fires".to_owned(), at, Some("write `tz=\"Europe/Berlin\"` (an IANA name)"));
                    }
                }
            }
        }
    }
    let ignored: Vec<&str> = ["start_date", "end_date", "catchup"]
        .into_iter()
        .filter(|k| kw(k).is_some())
        .collect();
    if !ignored.is_empty() {
        let d = Diagnostic::note(
            codes::AIRFLOW_IGNORES_DAG_DATES,
            format!(
                "a backfill ignores the DAG's {}: only from_date and to_date decide its runs",
                ignored
                    .iter()
                    .map(|k| format!("`{k}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )
        .at(call.at);
        cx.r.diags.push(d);
    }
    if let Some(m) = kw("max_active_runs") {
        if let Expr::Num(n) = &cx.resolve(m).e {
            let d = Diagnostic::note(codes::AIRFLOW_DAG_MAX_ACTIVE, format!("a backfill runs up to its own `max_active_runs` at once (10 unless the request says), not the DAG's `max_active_runs={n}`"))
                .at(cx.span(m));
            cx.r.diags.push(d);
        }
    }
    // The schedule.
    match kw("schedule") {
        None => {
            cx.error(
                codes::AIRFLOW_NOT_PERIODIC,
                "the DAG has no `schedule`, which in Airflow 3 means none: it cannot be backfilled"
                    .to_owned(),
                call.at,
                Some("give the DAG a `schedule`"),
            );
        }
        Some(s) => {
            let s = cx.resolve(s).clone();
            let at = cx.span(&s);
            match &s.e {
                Expr::Str(c) => {
                    spec.schedule = Some(Sp::new(Schedule::Cron { expr: Sp::new(c.clone(), at), with_seconds: None }, at));
                }
                Expr::Name(n) if n == "None" => {
                    cx.error(codes::AIRFLOW_NOT_PERIODIC, "`schedule=None`: the DAG only runs when triggered, and cannot be backfilled".to_owned(), at, None);
                }
                Expr::Call { name, args, kwargs } => {
                    let short = name.rsplit('.').next().unwrap_or(name).to_owned();
                    let kwv = |k: &str| kwargs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
                    match short.as_str() {
                        "timedelta" | "relativedelta" => {
                            if let Some((unit, count)) = cx.delta(&s, "schedule") {
                                spec.schedule = Some(Sp::new(Schedule::Every { unit: Sp::new(unit, at), count: Sp::new(count, at) }, at));
                            }
                        }
                        "CronTriggerTimetable" | "CronDataIntervalTimetable" => {
                            let cron = args.first().cloned().or_else(|| kwv("cron"));
                            match cron.as_ref().and_then(|c| cx.string(c).map(|v| (v, cx.span(c)))) {
                                Some((c, cat)) => {
                                    spec.schedule = Some(Sp::new(Schedule::Cron { expr: Sp::new(c, cat), with_seconds: None }, at));
                                }
                                None => cx.error(codes::AIRFLOW_DAG_UNREADABLE, format!("`{short}`'s cron is not a string literal"), at, None),
                            }
                            if let Some(tz) = kwv("timezone").or_else(|| args.get(1).cloned()) {
                                if let Some(z) = cx.timetable_zone(&tz) {
                                    zone = Some(z);
                                }
                            }
                            if short == "CronDataIntervalTimetable" {
                                spec.timetable = Some(Sp::new(Timetable::DataInterval, at));
                            } else if let Some(iv) = kwv("interval") {
                                cx.timetable_interval(&iv, &mut spec);
                            }
                        }
                        "MultipleCronTriggerTimetable" => {
                            let crons: Vec<(String, Span)> = args
                                .iter()
                                .filter_map(|c| cx.string(c).map(|v| (v, cx.span(c))))
                                .collect();
                            if crons.is_empty() || crons.len() != args.len() {
                                cx.error(codes::AIRFLOW_DAG_UNREADABLE, "`MultipleCronTriggerTimetable`'s crons are not all string literals".to_owned(), at, None);
                            } else {
                                let (first, fat) = crons[0].clone();
                                spec.schedule = Some(Sp::new(Schedule::Cron { expr: Sp::new(first, fat), with_seconds: None }, at));
                                spec.more_crons = crons[1..].iter().map(|(c, a)| Sp::new(c.clone(), *a)).collect();
                            }
                            match kwv("timezone") {
                                Some(tz) => {
                                    if let Some(z) = cx.timetable_zone(&tz) {
                                        zone = Some(z);
                                    }
                                }
                                None => cx.error(codes::AIRFLOW_DAG_UNREADABLE, "`MultipleCronTriggerTimetable` needs its `timezone=`".to_owned(), at, None),
                            }
                            if let Some(iv) = kwv("interval") {
                                cx.timetable_interval(&iv, &mut spec);
                            }
                        }
                        "DeltaTriggerTimetable" | "DeltaDataIntervalTimetable" => {
                            match args.first().cloned().or_else(|| kwv("delta")) {
                                Some(d) => {
                                    if let Some((unit, count)) = cx.delta(&d, "delta") {
                                        spec.schedule = Some(Sp::new(Schedule::Every { unit: Sp::new(unit, at), count: Sp::new(count, at) }, at));
                                    }
                                }
                                None => cx.error(codes::AIRFLOW_DAG_UNREADABLE, format!("`{short}` needs its delta"), at, None),
                            }
                            if short == "DeltaDataIntervalTimetable" {
                                spec.timetable = Some(Sp::new(Timetable::DataInterval, at));
                            } else if let Some(iv) = kwv("interval") {
                                cx.timetable_interval(&iv, &mut spec);
                            }
                        }
                        "EventsTimetable" => cx.error(codes::AIRFLOW_EVENTS_UNLOADABLE, "airflow 3.3.2 cannot load a DAG whose schedule is an EventsTimetable (\"Failed to serialize DAG ...: '_summary'\"), so it cannot be backfilled".to_owned(), at, Some("the task SDK's serializer drops `_summary`, which the timetable's deserializer reads")),
                        other => cx.error(codes::AIRFLOW_TIMETABLE_UNSUPPORTED, format!("`{other}(...)` is a schedule the planner does not reproduce yet (it reproduces cron strings, presets, `timedelta`, `relativedelta`, the Cron/Delta trigger and data-interval timetables and MultipleCronTriggerTimetable)"), at, None),
                    }
                }
                Expr::List(_) => cx.error(codes::AIRFLOW_TIMETABLE_UNSUPPORTED, "an asset (dataset) schedule runs when its assets update: it has no dates to backfill".to_owned(), at, None),
                _ => cx.error(codes::AIRFLOW_DAG_UNREADABLE, "the `schedule` is not a literal the planner can read".to_owned(), at, Some("write a cron string, a preset, `timedelta(...)` or a timetable call")),
            }
        }
    }
    spec.timezone = zone;
    let window = |v: &Option<String>| v.as_deref().map(|s| given(s, call.at));
    spec.start = window(&options.start);
    spec.end = window(&options.end);
    // The request body pasted below the DAG: its window (unless the caller gives one),
    // its order and its concurrency.
    if let Some(body) = request_body(&toks) {
        read_body(&mut cx, &body, dag_id.as_deref(), &mut spec);
    }
    // Or the `airflow backfill create` command, pasted (commented) with the DAG.
    read_command(&mut cx, text, dag_id.as_deref(), &mut spec);
    if spec.start.is_none() || spec.end.is_none() {
        cx.error(codes::NO_WINDOW_END, "a DAG file does not say the backfill's window: give its from_date and to_date (`--start` and `--end` on the command line, Start and End in the form)".to_owned(), call.at, None);
    }
    spec.window = Some(call.at);
    spec
}

/// The keys of `POST /api/v2/backfills`' body (`BackfillPostBody`, which forbids others).
const BODY_KEYS: [&str; 8] = [
    "dag_id",
    "from_date",
    "to_date",
    "run_backwards",
    "dag_run_conf",
    "reprocess_behavior",
    "max_active_runs",
    "run_on_latest_version",
];

fn read_body(cx: &mut Ctx<'_, '_, '_>, body: &Py, dag_id: Option<&str>, spec: &mut Spec) {
    let Expr::Dict(items) = &body.e else {
        return;
    };
    for (k, v) in items {
        let at = cx.span(v);
        match k.as_str() {
            "from_date" | "to_date" => {
                let Some(text) = cx.string(v) else {
                    cx.error(
                        codes::AIRFLOW_DAG_UNREADABLE,
                        format!("`{k}` is not a string"),
                        at,
                        None,
                    );
                    continue;
                };
                let slot = if k == "from_date" {
                    &mut spec.start
                } else {
                    &mut spec.end
                };
                // The caller's window (--start/--end, the form) wins over the pasted one.
                if slot.is_none() {
                    *slot = Some(Sp::new(text, at));
                }
            }
            "run_backwards" => match &v.e {
                Expr::Name(b) if b == "True" || b == "true" => {
                    spec.order = Some(Sp::new(crate::input::spec::Order::NewestFirst, at));
                }
                Expr::Name(b) if b == "False" || b == "false" => {}
                _ => cx.error(
                    codes::AIRFLOW_DAG_UNREADABLE,
                    "`run_backwards` is not `true` or `false`".to_owned(),
                    at,
                    None,
                ),
            },
            "max_active_runs" => match &v.e {
                Expr::Num(n) => match n.parse::<i64>() {
                    Ok(n) => spec.concurrency = Some(Sp::new(n, at)),
                    Err(_) => cx.error(
                        codes::AIRFLOW_DAG_UNREADABLE,
                        "`max_active_runs` is not a whole number".to_owned(),
                        at,
                        None,
                    ),
                },
                _ => cx.error(
                    codes::AIRFLOW_DAG_UNREADABLE,
                    "`max_active_runs` is not a whole number".to_owned(),
                    at,
                    None,
                ),
            },
            "dag_id" => {
                if let Some(given) = cx.string(v) {
                    cx.other_dag("request body", &given, dag_id, at);
                }
            }
            "reprocess_behavior" => {
                if cx.string(v).as_deref().is_some_and(|r| r != "none") {
                    cx.reprocess_note("reprocess_behavior", at);
                }
            }
            "dag_run_conf" | "run_on_latest_version" => {}
            other => {
                let d = cx.r.error(codes::UNKNOWN_KEY, format!("`{other}` is not a key of airflow's backfill request (it refuses extra keys)"), at);
                d.help = crate::diag::did_you_mean(other, &BODY_KEYS)
                    .map(|s| format!("did you mean `{s}`?"));
            }
        }
    }
}

/// Shell words of `line` (single and double quotes, backslash escapes outside quotes),
/// each with its byte range in the line.
fn shell_words(line: &str) -> Vec<(String, usize, usize)> {
    let mut out = Vec::new();
    let mut chars = line.char_indices().peekable();
    while let Some(&(i, c)) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
            continue;
        }
        let start = i;
        let mut word = String::new();
        let mut end = i;
        while let Some(&(j, c)) = chars.peek() {
            if c.is_whitespace() {
                break;
            }
            chars.next();
            end = j + c.len_utf8();
            match c {
                '\'' | '"' => {
                    for (k, d) in chars.by_ref() {
                        end = k + d.len_utf8();
                        if d == c {
                            break;
                        }
                        word.push(d);
                    }
                }
                '\\' => {
                    if let Some((k, d)) = chars.next() {
                        end = k + d.len_utf8();
                        word.push(d);
                    }
                }
                _ => word.push(c),
            }
        }
        out.push((word, start, end));
    }
    out
}

/// `airflow backfill create --dag-id D --from-date F --to-date T [--run-backwards]
/// [--max-active-runs N] …` on a line of the file (usually commented): the window, the
/// order and the concurrency, where the caller and a pasted request body give none.
fn read_command(cx: &mut Ctx<'_, '_, '_>, text: &str, dag_id: Option<&str>, spec: &mut Spec) {
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let at = offset;
        offset += line.len();
        let Some(k) = line.find("airflow backfill create") else {
            continue;
        };
        let rest = &line[k + "airflow backfill create".len()..];
        let base = at + k + "airflow backfill create".len();
        let words = shell_words(rest.trim_end());
        let mut i = 0;
        while i < words.len() {
            let (flag, s0, e0) = &words[i];
            let span = Span::of(text, base + s0, base + e0);
            let (name, inline) = match flag.split_once('=') {
                Some((n, v)) => (n, Some(v.to_owned())),
                None => (flag.as_str(), None),
            };
            let takes_value = matches!(
                name,
                "--dag-id"
                    | "--from-date"
                    | "--to-date"
                    | "--max-active-runs"
                    | "--reprocess-behavior"
                    | "--dag-run-conf"
            );
            let value = if takes_value {
                match inline {
                    Some(v) => Some((v, span)),
                    None => {
                        i += 1;
                        words
                            .get(i)
                            .map(|(v, a, b)| (v.clone(), Span::of(text, base + a, base + b)))
                    }
                }
            } else {
                None
            };
            match (name, value) {
                ("--from-date", Some((v, vs))) if spec.start.is_none() => {
                    spec.start = Some(Sp::new(v, vs))
                }
                ("--to-date", Some((v, vs))) if spec.end.is_none() => {
                    spec.end = Some(Sp::new(v, vs))
                }
                ("--from-date" | "--to-date", Some(_)) => {}
                ("--run-backwards", _) => {
                    spec.order = Some(Sp::new(crate::input::spec::Order::NewestFirst, span))
                }
                ("--max-active-runs", Some((v, vs))) => match v.parse::<i64>() {
                    Ok(n) => spec.concurrency = Some(Sp::new(n, vs)),
                    Err(_) => cx.error(
                        codes::AIRFLOW_DAG_UNREADABLE,
                        format!("`--max-active-runs {v}` is not a whole number"),
                        vs,
                        None,
                    ),
                },
                ("--dag-id", Some((v, vs))) => cx.other_dag("command", &v, dag_id, vs),
                ("--reprocess-behavior", Some((v, vs))) if v != "none" => {
                    cx.reprocess_note("--reprocess-behavior", vs);
                }
                ("--reprocess-behavior" | "--dag-run-conf", Some(_))
                | ("--dry-run" | "--run-on-latest-version", None) => {}
                (flag, None) if takes_value => cx.error(
                    codes::AIRFLOW_DAG_UNREADABLE,
                    format!("`{flag}` needs a value"),
                    span,
                    None,
                ),
                (flag, _) => {
                    let known = [
                        "--dag-id",
                        "--from-date",
                        "--to-date",
                        "--run-backwards",
                        "--max-active-runs",
                        "--reprocess-behavior",
                        "--dag-run-conf",
                        "--dry-run",
                        "--run-on-latest-version",
                    ];
                    let d = cx.r.error(
                        codes::UNKNOWN_KEY,
                        format!("`airflow backfill create` has no option `{flag}`"),
                        span,
                    );
                    d.help = crate::diag::did_you_mean(flag, &known)
                        .map(|s| format!("did you mean `{s}`?"));
                }
            }
            i += 1;
        }
        return;
    }
}
