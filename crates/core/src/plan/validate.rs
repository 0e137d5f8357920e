//! Validation: a parsed spec checked against its engine's profile before anything is
//! expanded. The zone, "now" and the window's ends are read once, here; every problem
//! is reported at once, located; what expansion reads is a [`Validated`] input.

use super::{PlanOptions, Style};
use crate::diag::codes;
use crate::diag::Diagnostic;
use crate::engine::{profile, Engine, Profile};
use crate::input::spec::{FailurePolicy, Order, Schedule, Sp, Spec, StrategyKind};
use crate::time::{parse_moment, Moment, Zone};

/// A spec checked against its engine: what every engine's expansion reads.
#[derive(Debug)]
pub(crate) struct Validated<'s> {
    text: &'s str,
    spec: &'s Spec,
    profile: &'static dyn Profile,
    zone: Zone,
    style: Style,
    now: Option<Moment>,
    now_text: Option<String>,
    limit: u64,
}

impl<'s> Validated<'s> {
    /// The text as pasted (for locating errors inside values).
    pub(crate) fn text(&self) -> &'s str {
        self.text
    }

    /// The spec as read.
    pub(crate) fn spec(&self) -> &'s Spec {
        self.spec
    }

    /// The engine's profile.
    pub(crate) fn profile(&self) -> &'static dyn Profile {
        self.profile
    }

    /// The engine planned for.
    pub(crate) fn engine(&self) -> Engine {
        self.profile.engine()
    }

    /// The schedule's zone (UTC when unset or unknown).
    pub(crate) fn zone(&self) -> Zone {
        self.zone
    }

    /// How the engine writes its dates.
    pub(crate) fn style(&self) -> Style {
        self.style
    }

    /// "Now", from the spec or the caller.
    pub(crate) fn now(&self) -> Option<Moment> {
        self.now
    }

    /// "Now" as written.
    pub(crate) fn now_text(&self) -> &Option<String> {
        &self.now_text
    }

    /// The most runs the plan may have.
    pub(crate) fn limit(&self) -> u64 {
        self.limit
    }
}

/// What the runs are planned over.
#[derive(Debug)]
pub(crate) enum Window<'s> {
    /// Runs at explicit dates, in the order given (Polyaxon mappings, Mage variable
    /// lists).
    Dates(Vec<Moment>),
    /// The schedule over the window's ends (the end is "now" for an open window).
    Range {
        schedule: &'s Sp<Schedule>,
        start: Moment,
        end: Moment,
    },
}

/// Check `spec` against its engine. The window is `None` when an error (reported in
/// `diags`) leaves nothing to expand.
pub(crate) fn validate<'s>(
    text: &'s str,
    spec: &'s Spec,
    options: &PlanOptions,
    diags: &mut Vec<Diagnostic>,
) -> (Validated<'s>, Option<Window<'s>>) {
    let engine = options
        .engine
        .or(spec.engine.as_ref().map(|e| e.value))
        .unwrap_or_default();
    let profile = profile(engine);
    let zone = match &spec.timezone {
        Some(tz) => match Zone::parse(&tz.value) {
            Some(z) => z,
            None => {
                let mut d = Diagnostic::error(
                    codes::UNKNOWN_ZONE,
                    format!("unknown time zone `{}`", tz.value),
                )
                .at(tz.span);
                d = match Zone::suggest(&tz.value) {
                    Some(s) => d.help(format!("did you mean `{s}`?")),
                    None => {
                        d.help("use an IANA name such as `Europe/Berlin` or `America/New_York`")
                    }
                };
                diags.push(d);
                Zone::UTC
            }
        },
        None => Zone::UTC,
    };
    let now_text = spec
        .now
        .as_ref()
        .map(|n| n.value.clone())
        .or_else(|| options.now.as_ref().map(|n| n.as_str().to_owned()));
    let now = match (&spec.now, &options.now) {
        (Some(n), _) => moment(diags, n, "now"),
        (None, Some(n)) => Some(n.moment()),
        (None, None) => None,
    };
    // The window's ends, read once: only for a schedule over a window that was written
    // as a mapping (an explicit list of dates has none).
    // (An engine with timetables reads explicit dates as events inside the window:
    // Airflow's EventsTimetable.)
    let explicit = matches!(
        spec.schedule,
        Some(Sp {
            value: Schedule::Explicit { .. },
            ..
        })
    ) && !profile.takes_timetable();
    let (start, end) = if spec.is_mapping && !explicit && !spec.window_broken {
        let start = match &spec.start {
            Some(s) => moment(diags, s, "window.start"),
            None => {
                diags.push(
                    Diagnostic::error(codes::NO_WINDOW_END, "the window has no `start`")
                        .at(spec.window.unwrap_or(spec.root_span))
                        .help("add `window: {start: 2024-01-01, end: 2024-02-01}`"),
                );
                None
            }
        };
        let end = match &spec.end {
            Some(e) => moment(diags, e, "window.end"),
            None if profile.bounds().open_end => {
                if now.is_none() {
                    diags.push(
                    Diagnostic::error(codes::OPEN_END_WITHOUT_NOW, format!("`window.end` is omitted, which {engine} reads as now, but no `now` was given"))
                        .at(spec.window.unwrap_or(spec.root_span))
                        .help("set `now:` in the spec (the command line passes the clock with --now)"),
                );
                }
                now
            }
            None => {
                diags.push(
                    Diagnostic::error(
                        codes::NO_WINDOW_END,
                        format!("the window has no `end`; {engine} needs one"),
                    )
                    .at(spec.window.unwrap_or(spec.root_span)),
                );
                None
            }
        };
        (start, end)
    } else {
        (None, None)
    };
    // Whether the ends as written have no offset (an unreadable end counts as naive).
    let naive = |m: Option<Moment>, written: &Option<Sp<String>>| match (m, written) {
        (Some(m), Some(_)) => m.offset.is_none(),
        (None, Some(w)) => parse_moment(&w.value).map_or(true, |m| m.offset.is_none()),
        (_, None) => true,
    };
    let naive_inputs = naive(start, &spec.start) && naive(end, &spec.end);
    let style = profile.style(spec.timezone.is_some(), naive_inputs);
    let input = Validated {
        text,
        spec,
        profile,
        zone,
        style,
        now,
        now_text,
        limit: options.limit,
    };
    if !spec.is_mapping {
        return (input, None);
    }
    for at in [
        spec.timetable.as_ref().map(|t| t.span),
        spec.data_interval.as_ref().map(|t| t.span),
        spec.more_crons.first().map(|c| c.span),
        spec.events_at,
    ]
    .into_iter()
    .flatten()
    {
        if !input.profile.takes_timetable() {
            let with: Vec<&str> = Engine::ALL
                .iter()
                .filter(|e| crate::engine::profile(**e).takes_timetable())
                .map(|e| e.name())
                .collect();
            diags.push(
                Diagnostic::error(
                    codes::TIMETABLE_NOT_HERE,
                    format!(
                        "{engine} has no timetables: `schedule.timetable`, `schedule.interval`, `schedule.events` and a list of crons are for {}",
                        with.join(", ")
                    ),
                )
                .at(at),
            );
        }
    }

    if let (
        Some(Sp {
            value: Schedule::Explicit { dates },
            ..
        }),
        true,
    ) = (&spec.schedule, explicit)
    {
        let mut moments = Vec::with_capacity(dates.len());
        for d in dates {
            let Some(m) = moment(diags, d, "the run's date") else {
                return (input, None);
            };
            moments.push(m);
        }
        return (input, Some(Window::Dates(moments)));
    }
    // The window.
    if spec.window_broken {
        return (input, None);
    }
    let Some(schedule) = &spec.schedule else {
        if spec.has_schedule_key {
            return (input, None);
        }
        diags.push(Diagnostic::error(codes::NO_SCHEDULE, "the spec has no `schedule`").at(spec.root_span).help(
        "add e.g. `schedule: {cron: \"0 * * * *\"}`, `schedule: {every: {unit: day, count: 1}}` or `schedule: {partitions: {kind: daily}}`",
    ));
        return (input, None);
    };
    if spec.bounds.is_some() && !input.profile.takes_rule_options() {
        let b = spec.bounds.as_ref().map(|b| b.span);
        diags.push(
            Diagnostic::error(
                codes::BOUNDS_NOT_GENERIC,
                format!(
                    "`bounds` is for the generic engine; {engine} decides its own: {}",
                    input.profile.bounds().text
                ),
            )
            .at_opt(b)
            .help("remove `bounds`, or set `engine: generic`"),
        );
    }
    if (spec.dst_gap.is_some() || spec.dst_fold.is_some()) && !input.profile.takes_rule_options() {
        let s = spec
            .dst_gap
            .as_ref()
            .map(|d| d.span)
            .or(spec.dst_fold.as_ref().map(|d| d.span));
        diags.push(
            Diagnostic::error(
                codes::DST_NOT_GENERIC,
                format!("`dst` is for the generic engine; {engine} has its own rule"),
            )
            .at_opt(s),
        );
    }
    input.profile.check(&input, diags);
    let (Some(start), Some(end)) = (start, end) else {
        // Still check the schedule, so every problem is reported at once.
        if let Schedule::Cron { expr, with_seconds } = &schedule.value {
            let with_seconds = with_seconds.as_ref().is_some_and(|w| w.value);
            let _ = crate::engine::cron_family::parse_cron(
                input.text,
                expr,
                input.profile.cron_dialect(with_seconds),
                diags,
            );
        }
        return (input, None);
    };

    (
        input,
        Some(Window::Range {
            schedule,
            start,
            end,
        }),
    )
}

pub(crate) fn moment(diags: &mut Vec<Diagnostic>, v: &Sp<String>, what: &str) -> Option<Moment> {
    match parse_moment(&v.value) {
        Ok(m) => {
            if m.nanos != 0 {
                diags.push(
                    Diagnostic::warning(codes::FRACTIONAL_SECONDS, format!("`{what}` has fractions of a second (`{}`); runs are to the second, so they are dropped", v.value))
                        .at(v.span),
                );
            }
            Some(m)
        }
        Err(e) => {
            diags.push(
                Diagnostic::error(
                    codes::NOT_A_MOMENT,
                    format!("`{what}` is not a date or date-time: `{}`", v.value),
                )
                .at(v.span)
                .help(e.message),
            );
            None
        }
    }
}

fn positive(diags: &mut Vec<Diagnostic>, v: &Option<Sp<i64>>, what: &str, default: u64) -> u64 {
    match v {
        Some(n) if n.value >= 1 => u64::try_from(n.value).unwrap_or(default),
        Some(n) => {
            diags.push(
                Diagnostic::error(
                    codes::NOT_POSITIVE_COUNT,
                    format!("`{what}` must be at least 1, found `{}`", n.value),
                )
                .at(n.span),
            );
            default
        }
        None => default,
    }
}

/// How the backfill is launched: strategy, concurrency, order, retries, the estimate's
/// inputs, as the spec asks and the engine allows.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Execution {
    pub strategy: StrategyKind,
    pub max_per_run: Option<u64>,
    pub concurrency: u64,
    pub order: Order,
    pub retries: u32,
    pub timeout_secs: Option<i64>,
    pub failure_policy: FailurePolicy,
    pub estimate_run: i64,
    pub estimate_overhead: i64,
}

impl Execution {
    /// Resolve the spec's execution settings for `profile`.
    pub(crate) fn of(spec: &Spec, profile: &dyn Profile, diags: &mut Vec<Diagnostic>) -> Execution {
        let engine = profile.engine();
        let mut x = Execution {
            strategy: StrategyKind::PerRun,
            max_per_run: None,
            concurrency: 1,
            order: Order::OldestFirst,
            retries: 0,
            timeout_secs: None,
            failure_policy: FailurePolicy::FailFast,
            estimate_run: 60,
            estimate_overhead: 30,
        };
        x.strategy = spec
            .strategy
            .as_ref()
            .map_or(StrategyKind::PerRun, |s| s.value);
        if x.strategy != StrategyKind::PerRun && !profile.batches() {
            diags.push(
                Diagnostic::warning(
                    codes::STRATEGY_IGNORED,
                    format!("{engine} creates one run per date: `strategy` has no effect"),
                )
                .at_opt(spec.strategy.as_ref().map(|s| s.span)),
            );
            x.strategy = StrategyKind::PerRun;
        }
        let max = spec.max_per_run.as_ref().map(|m| (m.value, m.span));
        x.max_per_run = match (x.strategy, max) {
            (StrategyKind::MultiRun, Some((m, _))) if m >= 1 => u64::try_from(m).ok(),
            (StrategyKind::MultiRun, Some((m, span))) => {
                diags.push(
                    Diagnostic::error(
                        codes::NOT_POSITIVE_COUNT,
                        format!("`strategy.max_per_run` must be at least 1, found `{m}`"),
                    )
                    .at(span),
                );
                Some(1)
            }
            (StrategyKind::MultiRun, None) => Some(1),
            (_, Some((_, span))) => {
                diags.push(
                    Diagnostic::warning(
                        codes::MAX_PER_RUN_IGNORED,
                        "`max_per_run` only applies to `strategy: multi_run`; it is ignored",
                    )
                    .at(span),
                );
                None
            }
            _ => None,
        };
        x.concurrency = positive(
            diags,
            &spec.concurrency,
            "concurrency",
            profile.default_concurrency(),
        );
        if let Some(d) =
            profile.concurrency(x.concurrency, spec.concurrency.as_ref().map(|c| c.span))
        {
            diags.push(d);
            x.concurrency = 1;
        }
        x.order = spec.order.as_ref().map_or(Order::OldestFirst, |o| o.value);
        if x.order == Order::NewestFirst && !profile.reorders() {
            diags.push(
                Diagnostic::warning(codes::ORDER_IGNORED, format!("{engine} launches the oldest run first; `order: newest_first` cannot change that"))
                    .at_opt(spec.order.as_ref().map(|o| o.span)),
            );
            x.order = Order::OldestFirst;
        }
        x.retries = spec.retries.as_ref().map_or(0, |r| {
            if r.value < 0 {
                diags.push(
                    Diagnostic::error(
                        codes::NEGATIVE_RETRIES,
                        format!("`retries` must not be negative, found `{}`", r.value),
                    )
                    .at(r.span),
                );
            }
            u32::try_from(r.value.max(0)).unwrap_or(u32::MAX)
        });
        x.timeout_secs = spec.timeout.as_ref().map(|t| {
            if t.value <= 0 {
                diags.push(
                    Diagnostic::error(codes::BAD_TIMEOUT, "`timeout` must be positive").at(t.span),
                );
            }
            t.value
        });
        x.failure_policy = spec
            .failure_policy
            .as_ref()
            .map_or(FailurePolicy::FailFast, |f| f.value);
        if let Some(r) = &spec.estimate_run {
            if r.value <= 0 {
                diags.push(
                    Diagnostic::error(codes::BAD_ESTIMATE, "`estimate.run` must be positive")
                        .at(r.span),
                );
            }
            x.estimate_run = r.value.max(1);
        }
        if let Some(o) = &spec.estimate_overhead {
            if o.value < 0 {
                diags.push(
                    Diagnostic::error(
                        codes::BAD_ESTIMATE,
                        "`estimate.overhead` must not be negative",
                    )
                    .at(o.span),
                );
            }
            x.estimate_overhead = o.value.max(0);
        }
        x
    }
}
