//! Readers of the orchestrators' own input: each turns what the user pasted into the
//! same spanned [`Spec`] a planner spec becomes, so validation, expansion and
//! diagnostics are shared. Every value keeps the span of the text it came from.

use crate::diag::{did_you_mean, Diagnostic, Span};
use crate::dialect::Dialect;
use crate::engine::Engine;
use crate::plan::PlanOptions;
use crate::spec::{Reader, Schedule, Sp, Spec, Unit};
use crate::yaml::{Document, Node, Value};
use serde_json::{Map, Value as Json};

fn text_of(node: &Node, r: &Reader<'_>) -> Option<String> {
    node.scalar_text(r.text)
}

fn sp_text(node: &Node, r: &Reader<'_>) -> Option<Sp<String>> {
    text_of(node, r).map(|t| Sp::new(t, node.span))
}

/// The spec every reader starts from: the engine whose text `dialect` is, and a mapping
/// at the root.
fn base_spec(dialect: Dialect) -> Spec {
    Spec {
        engine: Engine::of_dialect(dialect).map(|e| Sp::new(e, Span::default())),
        is_mapping: true,
        ..Spec::default()
    }
}

/// A string given on the command line or in the form: no span in the text.
fn given(s: &str, at: Span) -> Sp<String> {
    Sp::new(s.to_owned(), at)
}

// ---------------------------------------------------------------------------------
// Polyaxon
// ---------------------------------------------------------------------------------

const POLYAXON_KEYS: &[&str] = &[
    "version",
    "kind",
    "name",
    "description",
    "tags",
    "presets",
    "queue",
    "namespace",
    "cache",
    "termination",
    "plugins",
    "build",
    "hooks",
    "isApproved",
    "cost",
    "params",
    "matrix",
    "schedule",
    "events",
    "joins",
    "dependencies",
    "trigger",
    "conditions",
    "skipOnUpstreamSkip",
    "hubRef",
    "dagRef",
    "urlRef",
    "pathRef",
    "component",
    "patchStrategy",
    "runPatch",
];
const COMPONENT_KEYS: &[&str] = &[
    "version",
    "kind",
    "name",
    "description",
    "tags",
    "presets",
    "queue",
    "cache",
    "termination",
    "plugins",
    "build",
    "hooks",
    "inputs",
    "outputs",
    "run",
    "template",
    "isApproved",
    "cost",
];
const DISTRIBUTIONS: &[&str] = &[
    "pchoice",
    "uniform",
    "quniform",
    "loguniform",
    "qloguniform",
    "normal",
    "qnormal",
    "lognormal",
    "qlognormal",
];
const GRID_KINDS: &[&str] = &[
    "daterange",
    "datetimerange",
    "choice",
    "range",
    "linspace",
    "logspace",
    "geomspace",
];

/// Read a Polyaxon operation (and its component: inline, or another document).
pub(crate) fn polyaxon(docs: &[Document], r: &mut Reader<'_>) -> Spec {
    let mut spec = base_spec(Dialect::Polyaxon);
    let kind_of = |n: &Node| match n.get("kind").map(|k| &k.value) {
        Some(Value::Str(s)) => s.clone(),
        _ => String::new(),
    };
    let operation = docs.iter().map(|d| &d.root).find(|n| {
        let k = kind_of(n);
        k == "operation" || k == "operations" || n.get("matrix").is_some()
    });
    let component = docs
        .iter()
        .map(|d| &d.root)
        .find(|n| kind_of(n) == "component")
        .or_else(|| operation.and_then(|op| op.get("component")));
    let Some(op) = operation else {
        let at = docs.first().map_or(Span::default(), |d| d.root.span);
        r.error(
            "E0510",
            "no polyaxon operation: a backfill needs `kind: operation` with a `matrix`".to_owned(),
            at,
        )
        .help = Some(
            "paste the operation (and its component as another document, after `---`)".to_owned(),
        );
        return spec;
    };
    spec.root_span = op.span;
    let Some(entries) = r.map(op, "the polyaxon operation") else {
        return spec;
    };
    r.check_keys(entries, POLYAXON_KEYS, "the polyaxon operation");
    if let Some(k) = op.get("kind") {
        if kind_of(op) == "operations" {
            r.diags.push(
                Diagnostic::warning("W0510", "polyaxon has no `operations` kind; it is read here as `operation`")
                    .at(k.span)
                    .help("the backfill docs write `kind: operations`, but polyaxon itself only knows `operation` and `component`; fix it before you submit"),
            );
        }
    }
    // Static params: `name: {value: x}` or the short form `name: x`.
    if let Some(params) = op.get("params") {
        if let Some(m) = r.map(params, "`params`") {
            for (k, v) in m {
                let value = match v.as_map() {
                    Some(_) => {
                        if let Some(entries) = v.as_map() {
                            r.check_keys(
                                entries,
                                &[
                                    "value",
                                    "ref",
                                    "contextOnly",
                                    "connection",
                                    "toInit",
                                    "toEnv",
                                ],
                                &format!("param `{}`", k.key_text()),
                            );
                        }
                        v.get("value").map_or(Json::Null, Node::to_json)
                    }
                    None => v.to_json(),
                };
                spec.params.push((k.key_text(), value));
            }
        }
    }
    // The component: input types and the templates to render.
    match component {
        Some(c) => read_component(c, r, &mut spec),
        None => r.diags.push(
            Diagnostic::note("N0510", "no component in this paste: input types are not checked and no command is rendered")
                .at(op.span)
                .help("paste the component too, as another document after `---`"),
        ),
    }
    let Some(matrix) = op.get("matrix") else {
        r.error("E0511", "the operation has no `matrix`: polyaxon backfills are a grid over a `daterange` or `datetimerange`".to_owned(), op.span);
        return spec;
    };
    let Some(mentries) = r.map(matrix, "`matrix`") else {
        return spec;
    };
    match matrix.get("kind").and_then(|k| text_of(k, r)).as_deref() {
        Some("grid") => {
            r.check_keys(
                mentries,
                &["kind", "params", "concurrency", "numRuns", "earlyStopping"],
                "a grid `matrix`",
            );
            read_grid(matrix, r, &mut spec);
        }
        Some("mapping") => {
            r.check_keys(
                mentries,
                &["kind", "values", "concurrency", "earlyStopping"],
                "a mapping `matrix`",
            );
            read_mapping(matrix, r, &mut spec);
        }
        Some(other) => {
            let at = matrix.get("kind").map_or(matrix.span, |k| k.span);
            r.error(
                "E0512",
                format!(
                    "matrix kind `{other}` samples runs; a backfill needs `grid` (or `mapping`)"
                ),
                at,
            );
        }
        None => {
            r.error(
                "E0512",
                "the matrix has no `kind`; a backfill needs `kind: grid` (or `mapping`)".to_owned(),
                matrix.span,
            );
        }
    }
    if let Some(c) = matrix.get("concurrency") {
        spec.concurrency = r.int(c, "matrix.concurrency");
    }
    spec
}

fn read_component(c: &Node, r: &mut Reader<'_>, spec: &mut Spec) {
    if let Some(entries) = c.as_map() {
        if c.get("kind").is_some() {
            r.check_keys(entries, COMPONENT_KEYS, "the polyaxon component");
        }
    }
    if let Some(inputs) = c.get("inputs") {
        if let Value::Seq(items) = &inputs.value {
            for item in items {
                let name = item.get("name").and_then(|n| text_of(n, r));
                let ty = item
                    .get("type")
                    .and_then(|n| text_of(n, r))
                    .unwrap_or_else(|| "any".to_owned());
                if let Some(name) = name {
                    spec.native.input_types.push((name, ty));
                }
            }
        }
    }
    let container = c.get("run").and_then(|run| run.get("container"));
    let list = |n: Option<&Node>, r: &Reader<'_>| -> Vec<String> {
        match n.map(|n| &n.value) {
            Some(Value::Seq(items)) => items.iter().filter_map(|i| text_of(i, r)).collect(),
            Some(_) => n.and_then(|n| text_of(n, r)).into_iter().collect(),
            None => Vec::new(),
        }
    };
    spec.native.command = list(container.and_then(|c| c.get("command")), r);
    spec.native.args = list(container.and_then(|c| c.get("args")), r);
}

/// `[start, stop, step]`, `{start, stop, step}`; the string form `"a:b:c"` is refused.
fn range_parts<'n>(
    value: &'n Node,
    name: &str,
    kind: &str,
    r: &mut Reader<'_>,
) -> Option<[&'n Node; 3]> {
    match &value.value {
        Value::Seq(items) if items.len() == 3 => Some([&items[0], &items[1], &items[2]]),
        Value::Seq(items) => {
            r.error(
                "E0513",
                format!(
                    "`{name}` ({kind}) needs three values `[start, stop, step]`, found {}",
                    items.len()
                ),
                value.span,
            );
            None
        }
        Value::Map(_) => {
            let get = |k: &str| value.get(k);
            match (
                get("start"),
                get("stop"),
                get("step").or_else(|| get("num")),
            ) {
                (Some(a), Some(b), Some(c)) => Some([a, b, c]),
                _ => {
                    r.error(
                        "E0513",
                        format!("`{name}` ({kind}) needs `start`, `stop` and `step`"),
                        value.span,
                    );
                    None
                }
            }
        }
        Value::Str(s) if s.contains(':') && matches!(kind, "daterange" | "datetimerange") => {
            r.error(
                "E0514",
                format!("polyaxon's `{kind}` has no string form: `{s}`"),
                value.span,
            )
            .help = Some(
                "write `[start, stop, step]`, e.g. `[\"2021-05-01\", \"2021-05-08\", 1]`"
                    .to_owned(),
            );
            None
        }
        _ => {
            let found = value.kind();
            r.error(
                "E0513",
                format!("`{name}` ({kind}) must be `[start, stop, step]`, found {found}"),
                value.span,
            );
            None
        }
    }
}

fn number(n: &Node) -> Option<f64> {
    match &n.value {
        Value::Int(i) => Some(*i as f64),
        Value::Float(f) => Some(*f),
        Value::Str(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// numpy's arange / linspace / logspace / geomspace, as JSON numbers.
fn numeric_values(kind: &str, value: &Node, name: &str, r: &mut Reader<'_>) -> Option<Vec<Json>> {
    let parts: Vec<f64> = match &value.value {
        Value::Str(s) => s
            .split(':')
            .map(|p| p.trim().parse().ok())
            .collect::<Option<Vec<f64>>>()
            .unwrap_or_default(),
        _ => range_parts(value, name, kind, r)?
            .iter()
            .filter_map(|n| number(n))
            .collect(),
    };
    let [a, b, c] = parts[..] else {
        r.error(
            "E0513",
            format!("`{name}` ({kind}) needs three numbers"),
            value.span,
        );
        return None;
    };
    let all_int = [a, b, c].iter().all(|x| x.fract() == 0.0);
    let num = |x: f64| {
        if all_int && kind == "range" {
            Json::from(x as i64)
        } else {
            serde_json::Number::from_f64(x).map_or(Json::Null, Json::Number)
        }
    };
    let out: Vec<Json> = match kind {
        "range" => {
            if c == 0.0 {
                r.error(
                    "E0411",
                    format!("`{name}`: the step must not be 0"),
                    value.span,
                );
                return None;
            }
            let n = ((b - a) / c).ceil().max(0.0) as usize;
            (0..n.min(100_000)).map(|k| num(a + k as f64 * c)).collect()
        }
        _ => {
            let n = c.max(0.0) as usize;
            let lin = |k: usize| {
                if n <= 1 {
                    a
                } else {
                    a + (b - a) * k as f64 / (n - 1) as f64
                }
            };
            (0..n.min(100_000))
                .map(|k| match kind {
                    "logspace" => num(10f64.powf(lin(k))),
                    "geomspace" => num(a
                        * (b / a).powf(if n <= 1 {
                            0.0
                        } else {
                            k as f64 / (n - 1) as f64
                        })),
                    _ => num(lin(k)),
                })
                .collect()
        }
    };
    Some(out)
}

fn read_grid(matrix: &Node, r: &mut Reader<'_>, spec: &mut Spec) {
    if let Some(n) = matrix.get("numRuns") {
        spec.native.take = r.int(n, "matrix.numRuns");
    }
    let Some(params) = matrix.get("params") else {
        r.error("E0515", "the grid has no `params`".to_owned(), matrix.span);
        return;
    };
    let Some(entries) = r.map(params, "`matrix.params`") else {
        return;
    };
    let mut axis = 0;
    let mut found_date = false;
    for (k, v) in entries {
        let name = k.key_text();
        let kind = v
            .get("kind")
            .and_then(|n| text_of(n, r))
            .unwrap_or_default();
        let Some(value) = v.get("value") else {
            r.error(
                "E0515",
                format!("matrix param `{name}` has no `value`"),
                v.span,
            );
            continue;
        };
        if DISTRIBUTIONS.contains(&kind.as_str()) {
            r.error("E0516", format!("`{name}` defines a distribution, and it cannot be used with grid search"), v.span)
                .help = Some("a backfill grid takes `daterange`, `datetimerange`, `choice`, `range`, `linspace`, `logspace` or `geomspace`".to_owned());
            continue;
        }
        match kind.as_str() {
            "daterange" | "datetimerange" if !found_date => {
                found_date = true;
                read_date_range(&name, &kind, value, r, spec);
                spec.native.time_axis = axis;
                spec.native.time_param = Some(name.clone());
                check_input_type(&name, &kind, k.span, r, spec);
                continue;
            }
            // hypertune's grid is the cartesian product of every param
            // (`itertools.product`, polyaxon 2.18.0 / hypertune 1.4.0, run): a second date
            // range is one more axis, its values as the child receives them.
            "daterange" | "datetimerange" => {
                check_input_type(&name, &kind, k.span, r, spec);
                match second_date_range(&name, &kind, value, r) {
                    Some(values) => spec.grid.push((Sp::new(name.clone(), k.span), values)),
                    None => continue,
                }
            }
            "choice" => match &value.value {
                Value::Seq(items) if !items.is_empty() => spec.grid.push((
                    Sp::new(name.clone(), k.span),
                    items.iter().map(Node::to_json).collect(),
                )),
                _ => {
                    r.error(
                        "E0513",
                        format!("`{name}` (choice) must be a non-empty list"),
                        value.span,
                    );
                    continue;
                }
            },
            "range" | "linspace" | "logspace" | "geomspace" => {
                if let Some(values) = numeric_values(&kind, value, &name, r) {
                    if values.is_empty() {
                        r.error(
                            "E0108",
                            format!("`{name}` ({kind}) has no values"),
                            value.span,
                        );
                        continue;
                    }
                    spec.grid.push((Sp::new(name.clone(), k.span), values));
                } else {
                    continue;
                }
            }
            other => {
                let at = v.get("kind").map_or(v.span, |n| n.span);
                let d = r.error(
                    "E0107",
                    format!("unknown matrix param kind `{other}` for `{name}`"),
                    at,
                );
                d.help = did_you_mean(other, GRID_KINDS).map(|s| format!("did you mean `{s}`?"));
                continue;
            }
        }
        axis += 1;
    }
    if !found_date {
        r.error(
            "E0518",
            "the grid has no `daterange` or `datetimerange` param: there is nothing to backfill"
                .to_owned(),
            params.span,
        );
    }
}

fn read_date_range(name: &str, kind: &str, value: &Node, r: &mut Reader<'_>, spec: &mut Spec) {
    let Some([a, b, c]) = range_parts(value, name, kind, r) else {
        return;
    };
    spec.start = sp_text(a, r);
    spec.end = sp_text(b, r);
    spec.window = Some(value.span);
    spec.native.date_range = Some(kind == "daterange");
    let step = if kind == "daterange" {
        match &c.value {
            Value::Int(i) => Some((Unit::Day, *i)),
            _ => {
                let shown = text_of(c, r).unwrap_or_default();
                r.error(
                    "E0519",
                    format!("a `daterange` step is a whole number of days, found `{shown}`"),
                    c.span,
                )
                .help = Some("polyaxon: \"Input should be a valid int\"".to_owned());
                None
            }
        }
    } else {
        match &c.value {
            Value::Int(i) => Some((Unit::Second, *i)),
            Value::Float(f) if f.fract() == 0.0 => Some((Unit::Second, *f as i64)),
            // pydantic reads a signed ISO 8601 duration (`-PT3600S`); numpy's arange then
            // gives no value (polyaxon 2.18.0, run).
            _ => match text_of(c, r).and_then(|t| match t.trim().strip_prefix('-') {
                Some(iso) if iso.starts_with(['P', 'p']) => {
                    crate::time::parse_duration(iso).map(|s| -s)
                }
                _ => crate::time::parse_duration(&t),
            }) {
                Some(secs) => Some((Unit::Second, secs)),
                None => {
                    let shown = text_of(c, r).unwrap_or_default();
                    r.error("E0519", format!("a `datetimerange` step is seconds or a duration (`3600`, `PT1H`, `01:00:00`), found `{shown}`"), c.span);
                    None
                }
            },
        }
    };
    if let Some((unit, count)) = step {
        if kind == "daterange" && count >= 3600 && count % 86_400 == 0 {
            r.diags.push(
                Diagnostic::warning("W0511", format!("a `daterange` step is in days: `{count}` steps {count} days, not {} day(s)", count / 86_400))
                    .at(c.span)
                    .help("polyaxon's own docstring example makes this mistake (`3600 * 24`)"),
            );
        }
        spec.schedule = Some(Sp::new(
            Schedule::Every {
                unit: Sp::new(unit, c.span),
                count: Sp::new(count, c.span),
            },
            value.span,
        ));
    }
}

/// The most values a second date range may have (each is held, unlike the first's).
const SECOND_RANGE_MAX: i64 = 100_000;

/// The values of a second `daterange` / `datetimerange`, as numpy's `arange` gives them
/// (the stop excluded, aware values converted to naive UTC), written as the child
/// receives them (`2021-06-09`, `2021-06-09T10:00:00`). Counted before any is made.
fn second_date_range(
    name: &str,
    kind: &str,
    value: &Node,
    r: &mut Reader<'_>,
) -> Option<Vec<Json>> {
    let [a, b, c] = range_parts(value, name, kind, r)?;
    let instant = |n: &Node, r: &mut Reader<'_>| -> Option<i64> {
        let text = text_of(n, r).unwrap_or_default();
        match crate::time::parse_moment(&text) {
            Ok(m) => Some(m.civil.secs() - i64::from(m.offset.unwrap_or(0))),
            Err(e) => {
                r.error(
                    "E0101",
                    format!("`{name}`: `{text}` is not a date: {}", e.message),
                    n.span,
                );
                None
            }
        }
    };
    let (a_secs, b_secs) = (instant(a, r)?, instant(b, r)?);
    let step = match (&c.value, kind) {
        (Value::Int(i), "daterange") => i.checked_mul(86_400),
        (Value::Int(i), _) => Some(*i),
        (Value::Float(f), "datetimerange") if f.fract() == 0.0 && f.abs() < 1e15 => Some(*f as i64),
        (_, "datetimerange") => text_of(c, r).and_then(|t| match t.trim().strip_prefix('-') {
            Some(iso) if iso.starts_with(['P', 'p']) => {
                crate::time::parse_duration(iso).map(|s| -s)
            }
            _ => crate::time::parse_duration(&t),
        }),
        _ => None,
    };
    let Some(step) = step else {
        let shown = text_of(c, r).unwrap_or_default();
        r.error(
            "E0519",
            format!(
                "`{name}`: a `{kind}` step is {}, found `{shown}`",
                if kind == "daterange" {
                    "a whole number of days"
                } else {
                    "seconds or a duration"
                }
            ),
            c.span,
        );
        return None;
    };
    if a_secs >= b_secs {
        r.error(
            "E0410",
            format!("`{name}`: polyaxon needs the stop after the start"),
            b.span,
        )
        .help =
            Some("polyaxon: \"stop value must be strictly higher that start value\"".to_owned());
        return None;
    }
    if step == 0 {
        r.error(
            "E0411",
            format!("`{name}`: the step must not be 0 (polyaxon: \"step must be > 0\")"),
            c.span,
        );
        return None;
    }
    if step < 0 {
        r.diags.push(
            Diagnostic::warning("W0312", format!("`{name}` has a negative step: numpy's arange gives it no value, so the grid has no run"))
                .at(c.span),
        );
        return Some(Vec::new());
    }
    let span = b_secs - a_secs;
    let count = span / step + i64::from(span % step != 0);
    if count > SECOND_RANGE_MAX {
        r.error(
            "E0517",
            format!(
                "`{name}` has {count} values; a second date range holds at most {SECOND_RANGE_MAX}"
            ),
            value.span,
        )
        .help = Some(
            "narrow it, or make it the first date range (that one is counted, not held)".to_owned(),
        );
        return None;
    }
    let date_only = kind == "daterange" && a_secs % 86_400 == 0 && b_secs % 86_400 == 0;
    Some(
        (0..count)
            .map(|k| {
                let c = crate::time::Civil::from_secs(a_secs + k * step);
                Json::String(if date_only {
                    crate::time::format_date(c)
                } else {
                    c.to_string()
                })
            })
            .collect(),
    )
}

fn check_input_type(name: &str, kind: &str, at: Span, r: &mut Reader<'_>, spec: &Spec) {
    let want = if kind == "daterange" {
        "date"
    } else {
        "datetime"
    };
    if spec.native.input_types.is_empty() {
        return;
    }
    match spec.native.input_types.iter().find(|(n, _)| n == name) {
        Some((_, ty)) if ty == want => {}
        Some((_, ty)) => {
            r.error("E0520", format!("param `{name}` has an input type `{ty}` and it does not correspond to hyper-param type `{want}`"), at)
                .help = Some(format!("a `{kind}` needs the component input `{{name: {name}, type: {want}}}`"));
        }
        None => {
            r.error(
                "E0520",
                format!("the component has no input `{name}` for the matrix param"),
                at,
            )
            .help = Some(format!(
                "add `{{name: {name}, type: {want}}}` to the component's inputs"
            ));
        }
    }
}

fn read_mapping(matrix: &Node, r: &mut Reader<'_>, spec: &mut Spec) {
    let Some(values) = matrix.get("values") else {
        r.error(
            "E0515",
            "the mapping has no `values`".to_owned(),
            matrix.span,
        );
        return;
    };
    let Value::Seq(items) = &values.value else {
        r.error(
            "E0513",
            "`matrix.values` must be a list of mappings".to_owned(),
            values.span,
        );
        return;
    };
    // The date of each run: its value for a date-typed input, or the first value that
    // reads as a date.
    let date_inputs: Vec<&str> = spec
        .native
        .input_types
        .iter()
        .filter(|(_, t)| t == "date" || t == "datetime")
        .map(|(n, _)| n.as_str())
        .collect();
    let mut dates = Vec::new();
    for item in items {
        let Some(entries) = item.as_map() else {
            r.error(
                "E0513",
                "each mapping value must be a mapping of params".to_owned(),
                item.span,
            );
            continue;
        };
        let date = entries.iter().find(|(k, v)| {
            let key = k.key_text();
            (date_inputs.is_empty() || date_inputs.contains(&key.as_str()))
                && text_of(v, r).is_some_and(|t| crate::time::parse_moment(&t).is_ok())
        });
        match date {
            Some((k, v)) => {
                spec.native.time_param.get_or_insert_with(|| k.key_text());
                if let Some(t) = sp_text(v, r) {
                    dates.push(t);
                }
            }
            None => {
                r.error(
                    "E0521",
                    "this mapping value has no date: the planner needs one per run".to_owned(),
                    item.span,
                );
                continue;
            }
        }
        let row: Map<String, Json> = entries
            .iter()
            .map(|(k, v)| (k.key_text(), v.to_json()))
            .collect();
        spec.native.date_params.push(row);
    }
    spec.schedule = Some(Sp::new(Schedule::Explicit { dates }, values.span));
}

// ---------------------------------------------------------------------------------
// Kestra
// ---------------------------------------------------------------------------------

const SCHEDULE_TYPES: &[&str] = &[
    "io.kestra.core.models.triggers.types.Schedule",
    "io.kestra.plugin.core.trigger.Schedule",
];
const SCHEDULE_KEYS: &[&str] = &[
    "id",
    "type",
    "cron",
    "timezone",
    "withSeconds",
    "inputs",
    "labels",
    "conditions",
    "stopAfter",
    "lateMaximumDelay",
    "recoverMissedSchedules",
    "backfill",
    "disabled",
    "description",
    "scheduleConditions",
    "interval",
    "logLevel",
    "logToFile",
    "minLogLevel",
];

fn labels_of(node: &Node, r: &mut Reader<'_>) -> Vec<(String, String)> {
    match &node.value {
        Value::Map(m) => m
            .iter()
            .filter_map(|(k, v)| text_of(v, r).map(|t| (k.key_text(), t)))
            .collect(),
        Value::Seq(items) => items
            .iter()
            .filter_map(|i| {
                Some((
                    i.get("key").and_then(|k| text_of(k, r))?,
                    i.get("value").and_then(|v| text_of(v, r))?,
                ))
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// Read a Kestra flow (and, as a second document, the `PUT /api/v1/triggers` body).
pub(crate) fn kestra(docs: &[Document], r: &mut Reader<'_>, options: &PlanOptions) -> Spec {
    let mut spec = base_spec(Dialect::Kestra);
    let is_flow = |n: &Node| {
        n.get("id").is_some()
            && n.get("namespace").is_some()
            && (n.get("triggers").is_some() || n.get("tasks").is_some())
    };
    let flow = docs.iter().map(|d| &d.root).find(|n| is_flow(n));
    let body = docs
        .iter()
        .map(|d| &d.root)
        .find(|n| n.get("backfill").is_some());
    let Some(flow) = flow else {
        let at = body.map_or(Span::default(), |b| b.span);
        r.error(
            "E0530",
            "a trigger body alone does not say the schedule: paste the flow above it".to_owned(),
            at,
        )
        .help = Some("paste the flow, then `---`, then the PUT /api/v1/triggers body".to_owned());
        return spec;
    };
    spec.root_span = flow.span;
    let namespace = flow
        .get("namespace")
        .and_then(|n| text_of(n, r))
        .unwrap_or_default();
    let flow_id = flow
        .get("id")
        .and_then(|n| text_of(n, r))
        .unwrap_or_default();
    // The Schedule triggers.
    let schedules: Vec<&Node> = match flow.get("triggers").map(|t| &t.value) {
        Some(Value::Seq(items)) => items
            .iter()
            .filter(|t| {
                t.get("type").and_then(|n| text_of(n, r)).is_some_and(|ty| {
                    SCHEDULE_TYPES.contains(&ty.as_str())
                        || ty.ends_with(".Schedule")
                        || ty == "Schedule"
                })
            })
            .collect(),
        _ => Vec::new(),
    };
    if schedules.is_empty() {
        r.error(
            "E0531",
            "the flow has no Schedule trigger: a kestra backfill replays one".to_owned(),
            flow.get("triggers").map_or(flow.span, |t| t.span),
        )
        .help = Some(format!(
            "add a trigger of type `{}` with a `cron`",
            SCHEDULE_TYPES[1]
        ));
        return spec;
    }
    let wanted = options.trigger.clone().or_else(|| {
        body.and_then(|b| b.get("triggerId"))
            .and_then(|t| text_of(t, r))
    });
    let ids: Vec<String> = schedules
        .iter()
        .filter_map(|t| t.get("id").and_then(|i| text_of(i, r)))
        .collect();
    let trigger = match &wanted {
        Some(id) => match schedules
            .iter()
            .find(|t| t.get("id").and_then(|i| text_of(i, r)).as_deref() == Some(id.as_str()))
        {
            Some(t) => *t,
            None => {
                let at = body
                    .and_then(|b| b.get("triggerId"))
                    .map_or(flow.span, |t| t.span);
                let names: Vec<&str> = ids.iter().map(String::as_str).collect();
                r.error(
                    "E0532",
                    format!("the flow has no Schedule trigger `{id}`"),
                    at,
                )
                .help = Some(match did_you_mean(id, &names) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => format!("its Schedule triggers are: {}", ids.join(", ")),
                });
                return spec;
            }
        },
        None if schedules.len() == 1 => schedules[0],
        None => {
            r.error(
                "E0533",
                format!(
                    "the flow has {} Schedule triggers; say which one to backfill",
                    schedules.len()
                ),
                flow.get("triggers").map_or(flow.span, |t| t.span),
            )
            .help = Some(format!(
                "set `triggerId` in the body (or --trigger): one of {}",
                ids.join(", ")
            ));
            return spec;
        }
    };
    if let Some(entries) = trigger.as_map() {
        for (k, _) in entries {
            let key = k.key_text();
            if !SCHEDULE_KEYS.contains(&key.as_str()) {
                let mut d = Diagnostic::warning(
                    "W0530",
                    format!("unknown key `{key}` on the Schedule trigger"),
                )
                .at(k.span);
                if let Some(s) = did_you_mean(&key, SCHEDULE_KEYS) {
                    d = d.help(format!("did you mean `{s}`?"));
                }
                r.diags.push(d);
            }
        }
    }
    let trigger_id = trigger
        .get("id")
        .and_then(|i| text_of(i, r))
        .unwrap_or_default();
    match trigger.get("cron") {
        Some(c) => {
            if let Some(expr) = r.string(c, "cron") {
                let with_seconds = trigger
                    .get("withSeconds")
                    .and_then(|w| r.boolean(w, "withSeconds"));
                spec.schedule = Some(Sp::new(Schedule::Cron { expr, with_seconds }, c.span));
            }
        }
        None => {
            r.error(
                "E0531",
                format!("the Schedule trigger `{trigger_id}` has no `cron`"),
                trigger.span,
            );
        }
    }
    spec.timezone = trigger
        .get("timezone")
        .and_then(|t| r.string(t, "timezone"));
    // Inputs: the trigger's, overridden by the backfill's. Labels: the flow's and the
    // trigger's, then the backfill's appended.
    let mut inputs: Vec<(String, Json)> = trigger
        .get("inputs")
        .and_then(Node::as_map)
        .map(|m| m.iter().map(|(k, v)| (k.key_text(), v.to_json())).collect())
        .unwrap_or_default();
    for n in [flow.get("labels"), trigger.get("labels")]
        .into_iter()
        .flatten()
    {
        spec.labels.extend(labels_of(n, r));
    }
    let backfill = body.and_then(|b| b.get("backfill"));
    if let Some(b) = body {
        for (key, want) in [("flowId", &flow_id), ("namespace", &namespace)] {
            if let Some(n) = b.get(key) {
                if let Some(v) = text_of(n, r).filter(|v| v != want) {
                    r.diags.push(
                        Diagnostic::warning(
                            "W0531",
                            format!("the body's `{key}` is `{v}` but the flow's is `{want}`"),
                        )
                        .at(n.span),
                    );
                }
            }
        }
    }
    if let Some(bf) = backfill {
        if let Some(m) = bf.as_map() {
            r.check_keys(
                m,
                &[
                    "start",
                    "end",
                    "inputs",
                    "labels",
                    "paused",
                    "currentDate",
                    "previousNextExecutionDate",
                ],
                "the backfill",
            );
        }
        spec.start = bf
            .get("start")
            .filter(|n| n.value != Value::Null)
            .and_then(|n| r.string(n, "backfill.start"));
        spec.end = bf
            .get("end")
            .filter(|n| n.value != Value::Null)
            .and_then(|n| r.string(n, "backfill.end"));
        spec.window = Some(bf.span);
        if let Some(m) = bf.get("inputs").and_then(Node::as_map) {
            for (k, v) in m {
                let key = k.key_text();
                inputs.retain(|(n, _)| *n != key);
                inputs.push((key, v.to_json()));
            }
        }
        if let Some(l) = bf.get("labels") {
            spec.labels.extend(labels_of(l, r));
        }
    }
    if let Some(s) = &options.start {
        spec.start = Some(given(s, spec.window.unwrap_or(flow.span)));
    }
    if let Some(e) = &options.end {
        spec.end = Some(given(e, spec.window.unwrap_or(flow.span)));
    }
    if spec.start.is_none() {
        let at = backfill.map_or(flow.span, |b| b.span);
        r.error("E0534", "no backfill start: paste the PUT /api/v1/triggers body after the flow, or give --start".to_owned(), at);
    }
    spec.params = inputs;
    spec.native.identity = vec![
        ("namespace".to_owned(), namespace),
        ("flowId".to_owned(), flow_id),
        ("triggerId".to_owned(), trigger_id),
    ];
    spec
}

// ---------------------------------------------------------------------------------
// Mage
// ---------------------------------------------------------------------------------

const MAGE_KEYS: &[&str] = &[
    "name",
    "start_datetime",
    "end_datetime",
    "interval_type",
    "interval_units",
    "variables",
    "settings",
    "block_uuid",
    "status",
    "id",
    "pipeline_uuid",
    "pipeline_schedule_id",
];
const MAGE_INTERVALS: &[&str] = &[
    "second", "minute", "hour", "day", "week", "month", "year", "custom",
];

/// Read a Mage backfill body: `{"backfill": {start_datetime, end_datetime, interval_type, interval_units, variables}}`.
pub(crate) fn mage(docs: &[Document], r: &mut Reader<'_>, options: &PlanOptions) -> Spec {
    let mut spec = base_spec(Dialect::Mage);
    let Some(root) = docs.first().map(|d| &d.root) else {
        return spec;
    };
    spec.root_span = root.span;
    let Some(b) = root.get("backfill") else {
        r.error(
            "E0540",
            "a mage backfill body is `{\"backfill\": {...}}`".to_owned(),
            root.span,
        );
        return spec;
    };
    let Some(entries) = r.map(b, "`backfill`") else {
        return spec;
    };
    r.check_keys(entries, MAGE_KEYS, "the mage backfill");
    spec.window = Some(b.span);
    spec.start = b
        .get("start_datetime")
        .filter(|n| n.value != Value::Null)
        .and_then(|n| r.string(n, "start_datetime"));
    spec.end = b
        .get("end_datetime")
        .filter(|n| n.value != Value::Null)
        .and_then(|n| r.string(n, "end_datetime"));
    if let Some(s) = &options.start {
        spec.start = Some(given(s, b.span));
    }
    if let Some(e) = &options.end {
        spec.end = Some(given(e, b.span));
    }
    // dateutil reads `2023-07-17 23:56:05`, which parse_moment accepts as is.
    let unit = match b.get("interval_type") {
        Some(n) => match text_of(n, r).as_deref() {
            Some("custom") => Some(Sp::new(Unit::Second, n.span)),
            Some(t) if MAGE_INTERVALS.contains(&t) => Unit::parse(t).map(|u| Sp::new(u, n.span)),
            Some(t) => {
                let d = r.error(
                    "E0107",
                    format!(
                        "`interval_type` must be one of {}, found `{t}`",
                        crate::spec::quote_list(MAGE_INTERVALS)
                    ),
                    n.span,
                );
                d.help = did_you_mean(t, MAGE_INTERVALS).map(|s| format!("did you mean `{s}`?"));
                None
            }
            None => None,
        },
        None => {
            r.error(
                "E0541",
                "the backfill has no `interval_type`".to_owned(),
                b.span,
            )
            .help = Some(
                "one of second, minute, hour, day, week, month, year (or custom, in seconds)"
                    .to_owned(),
            );
            None
        }
    };
    let count = match b.get("interval_units") {
        Some(n) => r.int(n, "interval_units"),
        None => Some(Sp::new(1, b.span)),
    };
    if let (Some(unit), Some(count)) = (unit, count) {
        spec.schedule = Some(Sp::new(Schedule::Every { unit, count }, b.span));
    }
    if let Some(v) = b.get("variables").and_then(Node::as_map) {
        spec.params = v.iter().map(|(k, v)| (k.key_text(), v.to_json())).collect();
    }
    if let Some(n) = b.get("name").and_then(|n| text_of(n, r)) {
        spec.labels.push(("name".to_owned(), n));
    }
    if let Some(block) = b.get("block_uuid").filter(|n| n.value != Value::Null) {
        r.diags.push(
            Diagnostic::warning("W0540", "with `block_uuid` set this is a custom-code backfill: mage 0.9.80 (OSS) creates no runs for it")
                .at(block.span)
                .help("its docs show one run per dict the block returns; paste that list to see those runs"),
        );
        spec.native.take = Some(Sp::new(0, block.span));
    }
    spec
}

/// Read a list of variable dicts (a custom-code backfill's output): one run each.
pub(crate) fn mage_runs(docs: &[Document], r: &mut Reader<'_>, options: &PlanOptions) -> Spec {
    let mut spec = base_spec(Dialect::MageRuns);
    let Some(root) = docs.first().map(|d| &d.root) else {
        return spec;
    };
    spec.root_span = root.span;
    let Value::Seq(items) = &root.value else {
        r.error(
            "E0102",
            "a mage variable list must be a list of mappings".to_owned(),
            root.span,
        );
        return spec;
    };
    for item in items {
        match item.as_map() {
            Some(m) => spec
                .native
                .rows
                .push(m.iter().map(|(k, v)| (k.key_text(), v.to_json())).collect()),
            None => {
                r.error(
                    "E0102",
                    format!(
                        "each run must be a mapping of variables, found {}",
                        item.kind()
                    ),
                    item.span,
                );
            }
        }
    }
    let date = options.start.clone().or_else(|| options.now.clone());
    match date {
        Some(d) => {
            spec.schedule = Some(Sp::new(
                Schedule::Explicit {
                    dates: vec![given(&d, root.span)],
                },
                root.span,
            ))
        }
        None => {
            r.error(
                "E0542",
                "the runs of a variable list have no date: give the backfill's start (--start)"
                    .to_owned(),
                root.span,
            );
        }
    }
    r.diags.push(
        Diagnostic::warning("W0541", "mage 0.9.80 (OSS) creates no runs for a custom-code backfill; planned here as its docs describe, one run per dict")
            .at(root.span)
            .help("every run gets the same execution_date, ds and hr"),
    );
    spec
}
