//! A Kestra flow (its Schedule triggers), optionally followed by a `PUT /api/v1/triggers`
//! body, or that body alone.

use super::{base_spec, given, text_of};
use crate::diag::codes;
use crate::diag::{did_you_mean, Diagnostic, Span};
use crate::input::dialect::Dialect;
use crate::input::spec::{Reader, Schedule, Sp, Spec};
use crate::input::yaml::{Document, Node, Value};
use crate::options::PlanOptions;
use serde_json::Value as Json;

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
            codes::KESTRA_BODY_ALONE,
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
            codes::KESTRA_NO_SCHEDULE,
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
                    codes::KESTRA_NO_SUCH_TRIGGER,
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
                codes::KESTRA_WHICH_TRIGGER,
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
                    codes::KESTRA_UNKNOWN_TRIGGER_KEY,
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
                codes::KESTRA_NO_SCHEDULE,
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
                            codes::KESTRA_BODY_DIFFERS,
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
        r.error(codes::KESTRA_NO_START, "no backfill start: paste the PUT /api/v1/triggers body after the flow, or give --start".to_owned(), at);
    }
    spec.params = inputs;
    spec.native.identity = vec![
        ("namespace".to_owned(), namespace),
        ("flowId".to_owned(), flow_id),
        ("triggerId".to_owned(), trigger_id),
    ];
    spec
}
