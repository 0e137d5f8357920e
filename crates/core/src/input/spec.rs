//! The planner spec: the native YAML, parsed into spanned types as pasted.
//!
//! [`parse_spec`] checks the *shape* of the document (known keys, value types, one
//! schedule kind) and reports every problem it finds. It does not judge the values
//! against an engine: that is `validate`'s job, which turns a [`Spec`] into a plan input.

use crate::diag::codes;
use crate::diag::{did_you_mean, Diagnostic, Span};
use crate::engine::Engine;
use crate::input::yaml::{Node, Value};
use crate::series::{FoldRule, GapRule};

/// A value with the span of the text it came from.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Sp<T> {
    pub value: T,
    pub span: Span,
}

impl<T> Sp<T> {
    pub fn new(value: T, span: Span) -> Self {
        Sp { value, span }
    }
}

/// Units of `every`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Unit {
    Second,
    Minute,
    Hour,
    Day,
    Week,
    Month,
    Year,
}

impl Unit {
    const NAMES: [&'static str; 7] = ["second", "minute", "hour", "day", "week", "month", "year"];

    pub(crate) fn parse(s: &str) -> Option<Unit> {
        let s = s.strip_suffix('s').unwrap_or(s);
        Some(match s {
            "second" => Unit::Second,
            "minute" => Unit::Minute,
            "hour" => Unit::Hour,
            "day" => Unit::Day,
            "week" => Unit::Week,
            "month" => Unit::Month,
            "year" => Unit::Year,
            _ => return None,
        })
    }

    /// Seconds in one unit, for the fixed-length units.
    pub fn fixed_secs(self) -> Option<i64> {
        match self {
            Unit::Second => Some(1),
            Unit::Minute => Some(60),
            Unit::Hour => Some(3600),
            Unit::Day => Some(86_400),
            Unit::Week => Some(604_800),
            Unit::Month | Unit::Year => None,
        }
    }

    pub fn name(self) -> &'static str {
        Self::NAMES[self as usize]
    }
}

/// Dagster's partition kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PartitionKind {
    Hourly,
    Daily,
    Weekly,
    Monthly,
}

/// A `partitions:` schedule (Dagster).
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct PartitionsSpec {
    pub kind: Option<Sp<PartitionKind>>,
    pub cron: Option<Sp<String>>,
    pub minute_offset: Option<Sp<i64>>,
    pub hour_offset: Option<Sp<i64>>,
    pub day_offset: Option<Sp<i64>>,
    pub fmt: Option<Sp<String>>,
    pub end_offset: Option<Sp<i64>>,
}

/// The one schedule of a spec.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Schedule {
    Cron {
        expr: Sp<String>,
        with_seconds: Option<Sp<bool>>,
    },
    Every {
        unit: Sp<Unit>,
        count: Sp<i64>,
    },
    Partitions(PartitionsSpec),
    /// Runs at explicit dates, in the order given (Polyaxon mappings, Mage variable
    /// lists).
    Explicit {
        dates: Vec<Sp<String>>,
    },
}

/// Airflow's two kinds of timetable for a cron or an interval: runs at points in time
/// (`CronTriggerTimetable`, `DeltaTriggerTimetable`, Airflow 3's default) or runs over
/// the data interval that ends at the next fire (`CronDataIntervalTimetable`,
/// `DeltaDataIntervalTimetable`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Timetable {
    Trigger,
    DataInterval,
}

/// `bounds` of the generic engine: which ends of the window are included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Bounds {
    pub start_inclusive: bool,
    pub end_inclusive: bool,
}

/// How runs are grouped into orchestrator runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StrategyKind {
    /// One run per partition/date.
    PerRun,
    /// Up to `max_per_run` partitions per run.
    MultiRun,
    /// Everything in one run (per contiguous range for Dagster).
    SingleRun,
}

/// Execution order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Order {
    /// Oldest run first.
    OldestFirst,
    /// Newest run first.
    NewestFirst,
}

impl std::str::FromStr for Order {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "oldest_first" => Ok(Order::OldestFirst),
            "newest_first" => Ok(Order::NewestFirst),
            other => Err(format!(
                "unknown order `{other}`; expected oldest_first or newest_first"
            )),
        }
    }
}

/// What to do when a run fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FailurePolicy {
    /// Stop at the first failure.
    FailFast,
    /// Run everything that can run.
    Continue,
}

/// The parsed planner spec, every value with its span.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct Spec {
    pub root_span: Span,
    /// Whether the root is a mapping at all (if not, nothing else is reported).
    pub is_mapping: bool,
    /// Whether a `schedule` key was written (even if it could not be read).
    pub has_schedule_key: bool,
    pub engine: Option<Sp<Engine>>,
    pub schedule: Option<Sp<Schedule>>,
    pub timezone: Option<Sp<String>>,
    pub window: Option<Span>,
    /// Whether `window` was written but is not a mapping (already reported).
    pub window_broken: bool,
    pub start: Option<Sp<String>>,
    pub end: Option<Sp<String>>,
    pub bounds: Option<Sp<Bounds>>,
    pub now: Option<Sp<String>>,
    pub select: Vec<Sp<String>>,
    pub exclude: Vec<Sp<String>>,
    pub params: Vec<(String, serde_json::Value)>,
    pub grid: Vec<(Sp<String>, Vec<serde_json::Value>)>,
    pub strategy: Option<Sp<StrategyKind>>,
    pub max_per_run: Option<Sp<i64>>,
    pub concurrency: Option<Sp<i64>>,
    pub order: Option<Sp<Order>>,
    pub retries: Option<Sp<i64>>,
    pub timeout: Option<Sp<i64>>,
    pub failure_policy: Option<Sp<FailurePolicy>>,
    pub estimate_run: Option<Sp<i64>>,
    pub estimate_overhead: Option<Sp<i64>>,
    pub labels: Vec<(String, String)>,
    pub dst_gap: Option<Sp<GapRule>>,
    pub dst_fold: Option<Sp<FoldRule>>,
    /// `schedule.timetable`: which of Airflow's timetables the schedule is.
    pub timetable: Option<Sp<Timetable>>,
    /// `schedule.interval`: the data interval of an Airflow trigger timetable.
    pub data_interval: Option<Sp<(Unit, i64)>>,
    /// `schedule.cron` written as a list: the crons after the first (Airflow's
    /// `MultipleCronTriggerTimetable`).
    pub more_crons: Vec<Sp<String>>,
    /// Where `schedule.events` was written (Airflow's `EventsTimetable`).
    pub events_at: Option<Span>,
    /// Set by dialect readers: how the orchestrator's own input shapes the runs.
    pub native: Native,
}

/// What a dialect reader adds to a spec: things only an orchestrator's own input says.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct Native {
    /// The name of the date param (Polyaxon's matrix param; `dt` in planner specs).
    pub time_param: Option<String>,
    /// Where the date axis stands among the grid axes (Polyaxon declaration order).
    pub time_axis: usize,
    /// Keep only the first N runs (Polyaxon `numRuns`).
    pub take: Option<Sp<i64>>,
    /// Polyaxon: `Some(true)` for a `daterange`, `Some(false)` for a `datetimerange`.
    pub date_range: Option<bool>,
    /// Polyaxon: the component's input types, by name.
    pub input_types: Vec<(String, String)>,
    /// Polyaxon: the container's `command` and `args` templates.
    pub command: Vec<String>,
    pub args: Vec<String>,
    /// Explicit runs sharing the dates (Mage variable lists): one row of params each,
    /// crossed with the dates.
    pub rows: Vec<serde_json::Map<String, serde_json::Value>>,
    /// Params of each date of an `Explicit` schedule, zipped with it (Polyaxon mappings).
    pub date_params: Vec<serde_json::Map<String, serde_json::Value>>,
    /// Kestra/Polyaxon identity for exports: (namespace, flow or operation name, trigger).
    pub identity: Vec<(String, String)>,
}

const TOP_KEYS: &[&str] = &[
    "engine",
    "schedule",
    "timezone",
    "window",
    "bounds",
    "now",
    "select",
    "exclude",
    "params",
    "grid",
    "strategy",
    "concurrency",
    "order",
    "retries",
    "timeout",
    "failure_policy",
    "estimate",
    "labels",
    "dst",
];

/// A walker that reads nodes and collects diagnostics.
pub(crate) struct Reader<'t> {
    pub text: &'t str,
    pub diags: Vec<Diagnostic>,
}

impl<'t> Reader<'t> {
    pub fn new(text: &'t str) -> Self {
        Reader {
            text,
            diags: Vec::new(),
        }
    }

    pub fn error(&mut self, code: &str, message: String, span: Span) -> &mut Diagnostic {
        self.diags.push(Diagnostic::error(code, message).at(span));
        let last = self.diags.len() - 1;
        &mut self.diags[last]
    }

    /// The entries of a mapping, reporting anything else.
    pub fn map<'n>(&mut self, node: &'n Node, what: &str) -> Option<&'n [(Node, Node)]> {
        match &node.value {
            Value::Map(entries) => Some(entries),
            _ => {
                let found = node.kind();
                self.error(
                    codes::WRONG_SHAPE,
                    format!("{what} must be a mapping, found {found}"),
                    node.span,
                );
                None
            }
        }
    }

    /// Report keys of `entries` that are not in `allowed`, with a suggestion.
    pub fn check_keys(&mut self, entries: &[(Node, Node)], allowed: &[&str], what: &str) {
        for (k, _) in entries {
            let key = k.key_text();
            if !allowed.contains(&key.as_str()) {
                let mut d =
                    Diagnostic::error(codes::UNKNOWN_KEY, format!("unknown key `{key}` in {what}"))
                        .at(k.span);
                d = match did_you_mean(&key, allowed) {
                    Some(s) => d.help(format!("did you mean `{s}`?")),
                    None => d.help(format!("expected one of: {}", allowed.join(", "))),
                };
                self.diags.push(d);
            }
        }
    }

    /// A string value (numbers and booleans as written are accepted).
    pub fn string(&mut self, node: &Node, key: &str) -> Option<Sp<String>> {
        match &node.value {
            Value::Str(s) => Some(Sp::new(s.clone(), node.span)),
            Value::Int(_) | Value::Float(_) => {
                node.scalar_text(self.text).map(|s| Sp::new(s, node.span))
            }
            _ => {
                let found = node.kind();
                self.error(
                    codes::NOT_A_STRING,
                    format!("`{key}` must be a string, found {found}"),
                    node.span,
                );
                None
            }
        }
    }

    /// An integer value.
    pub fn int(&mut self, node: &Node, key: &str) -> Option<Sp<i64>> {
        match &node.value {
            Value::Int(i) => Some(Sp::new(*i, node.span)),
            Value::Str(s) if s.trim().parse::<i64>().is_ok() => {
                s.trim().parse().ok().map(|i| Sp::new(i, node.span))
            }
            _ => {
                let shown = node
                    .scalar_text(self.text)
                    .unwrap_or_else(|| node.kind().to_owned());
                self.error(
                    codes::NOT_AN_INTEGER,
                    format!("`{key}` must be a whole number, found `{shown}`"),
                    node.span,
                );
                None
            }
        }
    }

    /// A boolean value.
    pub fn boolean(&mut self, node: &Node, key: &str) -> Option<Sp<bool>> {
        match &node.value {
            Value::Bool(b) => Some(Sp::new(*b, node.span)),
            _ => {
                let shown = node
                    .scalar_text(self.text)
                    .unwrap_or_else(|| node.kind().to_owned());
                self.error(
                    codes::NOT_A_BOOLEAN,
                    format!("`{key}` must be `true` or `false`, found `{shown}`"),
                    node.span,
                )
                .help = Some("yaml booleans are `true` and `false`".to_owned());
                None
            }
        }
    }

    /// A duration (`45s`, `1h30m`, `PT1H`, seconds as a number).
    pub fn duration(&mut self, node: &Node, key: &str) -> Option<Sp<i64>> {
        let text = node.scalar_text(self.text)?;
        match crate::time::parse_duration(&text) {
            Some(secs) => Some(Sp::new(secs, node.span)),
            None => {
                self.error(
                    codes::NOT_A_DURATION,
                    format!("`{key}` must be a duration, found `{text}`"),
                    node.span,
                )
                .help = Some(
                    "write e.g. `45s`, `30m`, `1h30m`, `2d`, `PT1H` or a number of seconds"
                        .to_owned(),
                );
                None
            }
        }
    }

    /// One of the named choices.
    pub fn choice<T: Copy>(
        &mut self,
        node: &Node,
        key: &str,
        choices: &[(&str, T)],
    ) -> Option<Sp<T>> {
        let text = self.string(node, key)?;
        if let Some((_, v)) = choices.iter().find(|(n, _)| *n == text.value) {
            return Some(Sp::new(*v, node.span));
        }
        let names: Vec<&str> = choices.iter().map(|(n, _)| *n).collect();
        let d = self.error(
            codes::NOT_A_CHOICE,
            format!(
                "`{key}` must be one of {}, found `{}`",
                quote_list(&names),
                text.value
            ),
            node.span,
        );
        if let Some(s) = did_you_mean(&text.value, &names) {
            d.help = Some(format!("did you mean `{s}`?"));
        }
        None
    }

    /// A list of strings (a single string is accepted as a list of one).
    pub fn string_list(&mut self, node: &Node, key: &str) -> Vec<Sp<String>> {
        match &node.value {
            Value::Seq(items) => items.iter().filter_map(|n| self.string(n, key)).collect(),
            Value::Null => Vec::new(),
            _ => self.string(node, key).into_iter().collect(),
        }
    }
}

/// `` `a`, `b` or `c` ``.
pub(crate) fn quote_list(names: &[&str]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
    match quoted.len() {
        0 => String::new(),
        1 => quoted[0].clone(),
        n => format!("{} or {}", quoted[..n - 1].join(", "), quoted[n - 1]),
    }
}

/// Parse a planner spec from its root node.
pub(crate) fn parse_spec(root: &Node, r: &mut Reader<'_>) -> Spec {
    let mut spec = Spec {
        root_span: root.span,
        ..Spec::default()
    };
    let Some(entries) = r.map(root, "the planner spec") else {
        return spec;
    };
    spec.is_mapping = true;
    spec.has_schedule_key = entries.iter().any(|(k, _)| k.key_text() == "schedule");
    r.check_keys(entries, TOP_KEYS, "the planner spec");
    for (k, v) in entries {
        let key = k.key_text();
        match key.as_str() {
            "engine" => {
                let choices: Vec<(&str, Engine)> =
                    Engine::ALL.iter().map(|e| (e.name(), *e)).collect();
                spec.engine = r.choice(v, "engine", &choices);
            }
            "schedule" => {
                spec.schedule = parse_schedule(v, r);
                parse_timetable(v, r, &mut spec);
            }
            "timezone" => spec.timezone = r.string(v, "timezone"),
            "window" => {
                spec.window = Some(v.span);
                spec.window_broken = v.as_map().is_none();
                if let Some(w) = r.map(v, "`window`") {
                    r.check_keys(w, &["start", "end"], "`window`");
                    for (wk, wv) in w {
                        match wk.key_text().as_str() {
                            "start" => spec.start = r.string(wv, "window.start"),
                            "end" if wv.value == Value::Null => {}
                            "end" => spec.end = r.string(wv, "window.end"),
                            _ => {}
                        }
                    }
                }
            }
            "bounds" => {
                let choices = [
                    (
                        "[)",
                        Bounds {
                            start_inclusive: true,
                            end_inclusive: false,
                        },
                    ),
                    (
                        "[]",
                        Bounds {
                            start_inclusive: true,
                            end_inclusive: true,
                        },
                    ),
                    (
                        "(]",
                        Bounds {
                            start_inclusive: false,
                            end_inclusive: true,
                        },
                    ),
                    (
                        "()",
                        Bounds {
                            start_inclusive: false,
                            end_inclusive: false,
                        },
                    ),
                ];
                spec.bounds = r.choice(v, "bounds", &choices);
            }
            "now" => spec.now = r.string(v, "now"),
            "select" => spec.select = r.string_list(v, "select"),
            "exclude" => spec.exclude = r.string_list(v, "exclude"),
            "params" => {
                if let Some(m) = r.map(v, "`params`") {
                    spec.params = m.iter().map(|(k, v)| (k.key_text(), v.to_json())).collect();
                }
            }
            "grid" => {
                if let Some(m) = r.map(v, "`grid`") {
                    for (gk, gv) in m {
                        let name = Sp::new(gk.key_text(), gk.span);
                        match &gv.value {
                            Value::Seq(items) if !items.is_empty() => {
                                spec.grid
                                    .push((name, items.iter().map(Node::to_json).collect()));
                            }
                            Value::Seq(_) => {
                                r.error(
                                    codes::EMPTY_AXIS,
                                    format!("grid `{}` has no values", name.value),
                                    gv.span,
                                )
                                .help = Some("a grid axis needs at least one value".to_owned());
                            }
                            _ => {
                                let found = gv.kind();
                                r.error(
                                    codes::WRONG_SHAPE,
                                    format!("grid `{}` must be a list, found {found}", name.value),
                                    gv.span,
                                );
                            }
                        }
                    }
                }
            }
            "strategy" => parse_strategy(v, r, &mut spec),
            "concurrency" => spec.concurrency = r.int(v, "concurrency"),
            "order" => {
                spec.order = r.choice(
                    v,
                    "order",
                    &[
                        ("oldest_first", Order::OldestFirst),
                        ("newest_first", Order::NewestFirst),
                    ],
                );
            }
            "retries" => spec.retries = r.int(v, "retries"),
            "timeout" => spec.timeout = r.duration(v, "timeout"),
            "failure_policy" => {
                spec.failure_policy = r.choice(
                    v,
                    "failure_policy",
                    &[
                        ("fail_fast", FailurePolicy::FailFast),
                        ("continue", FailurePolicy::Continue),
                    ],
                );
            }
            "estimate" => {
                if let Some(m) = r.map(v, "`estimate`") {
                    r.check_keys(m, &["run", "overhead"], "`estimate`");
                    for (ek, ev) in m {
                        match ek.key_text().as_str() {
                            "run" => spec.estimate_run = r.duration(ev, "estimate.run"),
                            "overhead" => {
                                spec.estimate_overhead = r.duration(ev, "estimate.overhead")
                            }
                            _ => {}
                        }
                    }
                }
            }
            "labels" => {
                if let Some(m) = r.map(v, "`labels`") {
                    for (lk, lv) in m {
                        if let Some(s) = r.string(lv, "labels") {
                            spec.labels.push((lk.key_text(), s.value));
                        }
                    }
                }
            }
            "dst" => {
                if let Some(m) = r.map(v, "`dst`") {
                    r.check_keys(m, &["gap", "fold"], "`dst`");
                    for (dk, dv) in m {
                        match dk.key_text().as_str() {
                            "gap" => {
                                spec.dst_gap = r.choice(
                                    dv,
                                    "dst.gap",
                                    &[("skip", GapRule::Skip), ("shift", GapRule::Shift)],
                                )
                            }
                            "fold" => {
                                spec.dst_fold = r.choice(
                                    dv,
                                    "dst.fold",
                                    &[
                                        ("earlier", FoldRule::Earlier),
                                        ("later", FoldRule::Later),
                                        ("both", FoldRule::Both),
                                    ],
                                )
                            }
                            _ => {}
                        }
                    }
                }
            }
            _ => {}
        }
    }
    spec
}

fn parse_strategy(v: &Node, r: &mut Reader<'_>, spec: &mut Spec) {
    let kinds = [
        ("per_run", StrategyKind::PerRun),
        ("multi_run", StrategyKind::MultiRun),
        ("single_run", StrategyKind::SingleRun),
    ];
    if let Value::Str(_) = v.value {
        spec.strategy = r.choice(v, "strategy", &kinds);
        return;
    }
    let Some(m) = r.map(v, "`strategy`") else {
        return;
    };
    r.check_keys(m, &["kind", "max_per_run"], "`strategy`");
    for (sk, sv) in m {
        match sk.key_text().as_str() {
            "kind" => spec.strategy = r.choice(sv, "strategy.kind", &kinds),
            "max_per_run" => spec.max_per_run = r.int(sv, "strategy.max_per_run"),
            _ => {}
        }
    }
}

fn parse_schedule(v: &Node, r: &mut Reader<'_>) -> Option<Sp<Schedule>> {
    let m = r.map(v, "`schedule`")?;
    r.check_keys(
        m,
        &[
            "cron",
            "with_seconds",
            "every",
            "partitions",
            "timetable",
            "interval",
            "events",
        ],
        "`schedule`",
    );
    let kinds: Vec<&Node> = ["cron", "every", "partitions", "events"]
        .iter()
        .filter_map(|k| {
            m.iter()
                .find(|(key, _)| key.key_text() == *k)
                .map(|(key, _)| key)
        })
        .collect();
    if kinds.len() > 1 {
        r.error(
            codes::SEVERAL_SCHEDULES,
            "a schedule has exactly one of `cron`, `every` or `partitions`; found several"
                .to_owned(),
            kinds[1].span,
        )
        .help = Some("keep one of them".to_owned());
        return None;
    }
    if kinds.is_empty() {
        r.error(
            codes::EMPTY_SCHEDULE,
            "the schedule is empty: expected `cron`, `every` or `partitions`".to_owned(),
            v.span,
        )
        .help = Some(
            "e.g. `schedule: {cron: \"0 * * * *\"}` or `schedule: {every: {unit: day, count: 1}}`"
                .to_owned(),
        );
        return None;
    }
    let with_seconds = v
        .get("with_seconds")
        .and_then(|n| r.boolean(n, "with_seconds"));
    if let Some(n) = v.get("cron") {
        // A list of crons is Airflow's MultipleCronTriggerTimetable: the first is the
        // schedule's cron, the rest `more_crons` (read in `parse_timetable`).
        let expr = match &n.value {
            Value::Seq(items) if !items.is_empty() => r.string(&items[0], "cron")?,
            _ => r.string(n, "cron")?,
        };
        return Some(Sp::new(Schedule::Cron { expr, with_seconds }, v.span));
    }
    if let Some(n) = v.get("events") {
        // Airflow's EventsTimetable: runs at these moments (inside the window).
        let dates = r.string_list(n, "events");
        return Some(Sp::new(Schedule::Explicit { dates }, v.span));
    }
    if let Some(n) = v.get("every") {
        let (unit, count) = parse_every(n, r, "every")?;
        return Some(Sp::new(Schedule::Every { unit, count }, v.span));
    }
    let n = v.get("partitions")?;
    let pm = r.map(n, "`partitions`")?;
    r.check_keys(
        pm,
        &[
            "kind",
            "cron",
            "minute_offset",
            "hour_offset",
            "day_offset",
            "fmt",
            "end_offset",
        ],
        "`partitions`",
    );
    let mut p = PartitionsSpec::default();
    for (pk, pv) in pm {
        match pk.key_text().as_str() {
            "kind" => {
                p.kind = r.choice(
                    pv,
                    "partitions.kind",
                    &[
                        ("hourly", PartitionKind::Hourly),
                        ("daily", PartitionKind::Daily),
                        ("weekly", PartitionKind::Weekly),
                        ("monthly", PartitionKind::Monthly),
                    ],
                );
            }
            "cron" => p.cron = r.string(pv, "partitions.cron"),
            "minute_offset" => p.minute_offset = r.int(pv, "partitions.minute_offset"),
            "hour_offset" => p.hour_offset = r.int(pv, "partitions.hour_offset"),
            "day_offset" => p.day_offset = r.int(pv, "partitions.day_offset"),
            "fmt" => p.fmt = r.string(pv, "partitions.fmt"),
            "end_offset" => p.end_offset = r.int(pv, "partitions.end_offset"),
            _ => {}
        }
    }
    match (&p.kind, &p.cron) {
        (Some(_), Some(c)) => {
            r.error(
                codes::SEVERAL_SCHEDULES,
                "`partitions` has both `kind` and `cron`; keep one".to_owned(),
                c.span,
            );
            None
        }
        (None, None) => {
            r.error(
                codes::EMPTY_SCHEDULE,
                "`partitions` needs a `kind` (hourly, daily, weekly, monthly) or a `cron`"
                    .to_owned(),
                n.span,
            );
            None
        }
        _ => Some(Sp::new(Schedule::Partitions(p), v.span)),
    }
}

/// An `every`-shaped value (`{unit, count}`) at `what`.
fn parse_every(n: &Node, r: &mut Reader<'_>, what: &str) -> Option<(Sp<Unit>, Sp<i64>)> {
    let em = r.map(n, &format!("`{what}`"))?;
    r.check_keys(em, &["unit", "count"], &format!("`{what}`"));
    let unit = match n.get("unit") {
        Some(u) => {
            let text = r.string(u, &format!("{what}.unit"))?;
            match Unit::parse(&text.value) {
                Some(unit) => Sp::new(unit, u.span),
                None => {
                    let d = r.error(
                        codes::NOT_A_CHOICE,
                        format!(
                            "`{what}.unit` must be one of {}, found `{}`",
                            quote_list(&Unit::NAMES),
                            text.value
                        ),
                        u.span,
                    );
                    if let Some(s) = did_you_mean(&text.value, &Unit::NAMES) {
                        d.help = Some(format!("did you mean `{s}`?"));
                    }
                    return None;
                }
            }
        }
        None => {
            r.error(
                codes::NO_SCHEDULE,
                format!("`{what}` needs a `unit`"),
                n.span,
            )
            .help = Some(format!("one of {}", quote_list(&Unit::NAMES)));
            return None;
        }
    };
    let count = match n.get("count") {
        Some(c) => r.int(c, &format!("{what}.count"))?,
        None => Sp::new(1, n.span),
    };
    Some((unit, count))
}

/// `schedule.timetable`, `schedule.interval` and a list of crons (Airflow's).
fn parse_timetable(v: &Node, r: &mut Reader<'_>, spec: &mut Spec) {
    spec.events_at = v.get("events").map(|n| n.span);
    if let Some(Value::Seq(items)) = v.get("cron").map(|n| &n.value) {
        spec.more_crons = items
            .iter()
            .skip(1)
            .filter_map(|n| r.string(n, "cron"))
            .collect();
    }
    if let Some(n) = v.get("timetable") {
        spec.timetable = r.choice(
            n,
            "schedule.timetable",
            &[
                ("trigger", Timetable::Trigger),
                ("data_interval", Timetable::DataInterval),
                ("CronTriggerTimetable", Timetable::Trigger),
                ("DeltaTriggerTimetable", Timetable::Trigger),
                ("CronDataIntervalTimetable", Timetable::DataInterval),
                ("DeltaDataIntervalTimetable", Timetable::DataInterval),
            ],
        );
    }
    if let Some(n) = v.get("interval") {
        if let Some((unit, count)) = parse_every(n, r, "schedule.interval") {
            spec.data_interval = Some(Sp::new((unit.value, count.value), n.span));
        }
    }
}
