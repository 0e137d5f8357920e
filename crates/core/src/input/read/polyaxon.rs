//! A Polyaxon operation (with its component, inline or as another document): its
//! `daterange`/`datetimerange` matrix, a `mapping`, grid axes, `numRuns`, templates.

use super::{base_spec, sp_text, text_of};
use crate::diag::codes;
use crate::diag::{did_you_mean, Diagnostic, Span};
use crate::input::dialect::Dialect;
use crate::input::spec::{Reader, Schedule, Sp, Spec, Unit};
use crate::input::yaml::{Document, Node, Value};
use serde_json::{Map, Value as Json};

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
            codes::POLYAXON_NO_OPERATION,
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
                Diagnostic::warning(codes::POLYAXON_OPERATIONS_KIND, "polyaxon has no `operations` kind; it is read here as `operation`")
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
            Diagnostic::note(codes::POLYAXON_NO_COMPONENT, "no component in this paste: input types are not checked and no command is rendered")
                .at(op.span)
                .help("paste the component too, as another document after `---`"),
        ),
    }
    let Some(matrix) = op.get("matrix") else {
        r.error(codes::POLYAXON_NO_MATRIX, "the operation has no `matrix`: polyaxon backfills are a grid over a `daterange` or `datetimerange`".to_owned(), op.span);
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
                codes::POLYAXON_NOT_GRID,
                format!(
                    "matrix kind `{other}` samples runs; a backfill needs `grid` (or `mapping`)"
                ),
                at,
            );
        }
        None => {
            r.error(
                codes::POLYAXON_NOT_GRID,
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
                codes::POLYAXON_RANGE_VALUES,
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
                        codes::POLYAXON_RANGE_VALUES,
                        format!("`{name}` ({kind}) needs `start`, `stop` and `step`"),
                        value.span,
                    );
                    None
                }
            }
        }
        Value::Str(s) if s.contains(':') && matches!(kind, "daterange" | "datetimerange") => {
            r.error(
                codes::POLYAXON_RANGE_STRING,
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
                codes::POLYAXON_RANGE_VALUES,
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
            codes::POLYAXON_RANGE_VALUES,
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
                    codes::POLYAXON_ZERO_STEP,
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
        r.error(
            codes::POLYAXON_NO_PARAMS,
            "the grid has no `params`".to_owned(),
            matrix.span,
        );
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
                codes::POLYAXON_NO_PARAMS,
                format!("matrix param `{name}` has no `value`"),
                v.span,
            );
            continue;
        };
        if DISTRIBUTIONS.contains(&kind.as_str()) {
            r.error(codes::POLYAXON_DISTRIBUTION, format!("`{name}` defines a distribution, and it cannot be used with grid search"), v.span)
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
                        codes::POLYAXON_RANGE_VALUES,
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
                            codes::EMPTY_AXIS,
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
                    codes::NOT_A_CHOICE,
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
            codes::POLYAXON_NO_DATE_RANGE,
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
                    codes::POLYAXON_DAY_STEP,
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
                    r.error(codes::POLYAXON_DAY_STEP, format!("a `datetimerange` step is seconds or a duration (`3600`, `PT1H`, `01:00:00`), found `{shown}`"), c.span);
                    None
                }
            },
        }
    };
    if let Some((unit, count)) = step {
        if kind == "daterange" && count >= 3600 && count % 86_400 == 0 {
            r.diags.push(
                Diagnostic::warning(codes::POLYAXON_DAY_STEP_UNITS, format!("a `daterange` step is in days: `{count}` steps {count} days, not {} day(s)", count / 86_400))
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
                    codes::UNKNOWN_KEY,
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
            codes::POLYAXON_DAY_STEP,
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
            codes::POLYAXON_STOP_BEFORE_START,
            format!("`{name}`: polyaxon needs the stop after the start"),
            b.span,
        )
        .help =
            Some("polyaxon: \"stop value must be strictly higher that start value\"".to_owned());
        return None;
    }
    if step == 0 {
        r.error(
            codes::POLYAXON_ZERO_STEP,
            format!("`{name}`: the step must not be 0 (polyaxon: \"step must be > 0\")"),
            c.span,
        );
        return None;
    }
    if step < 0 {
        r.diags.push(
            Diagnostic::warning(codes::POLYAXON_NEGATIVE_STEP, format!("`{name}` has a negative step: numpy's arange gives it no value, so the grid has no run"))
                .at(c.span),
        );
        return Some(Vec::new());
    }
    let span = b_secs - a_secs;
    let count = span / step + i64::from(span % step != 0);
    if count > SECOND_RANGE_MAX {
        r.error(
            codes::POLYAXON_SECOND_RANGE,
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
            r.error(codes::POLYAXON_INPUT_TYPE, format!("param `{name}` has an input type `{ty}` and it does not correspond to hyper-param type `{want}`"), at)
                .help = Some(format!("a `{kind}` needs the component input `{{name: {name}, type: {want}}}`"));
        }
        None => {
            r.error(
                codes::POLYAXON_INPUT_TYPE,
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
            codes::POLYAXON_NO_PARAMS,
            "the mapping has no `values`".to_owned(),
            matrix.span,
        );
        return;
    };
    let Value::Seq(items) = &values.value else {
        r.error(
            codes::POLYAXON_RANGE_VALUES,
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
                codes::POLYAXON_RANGE_VALUES,
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
                    codes::POLYAXON_MAPPING_DATE,
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
