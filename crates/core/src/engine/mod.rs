//! Engine profiles: what each orchestrator's own code does, one file per engine.
//!
//! Every rule here comes from reading (and running) the engine's source, recorded in
//! `research/semantics.md` and checked by `differential/`; where an engine's
//! documentation disagrees with its code, the code wins and the plan carries a warning
//! saying so.
//!
//! | engine   | start                  | end                         | DST gap | DST fold                      |
//! |----------|------------------------|-----------------------------|---------|-------------------------------|
//! | polyaxon | inclusive              | exclusive                   | none    | none (naive UTC)              |
//! | mage     | inclusive              | inclusive                   | none    | none (fixed offsets)          |
//! | kestra   | inclusive (if a fire)  | inclusive; none = now       | skip    | once (fixed hour), both       |
//! | flyte    | exclusive              | exclusive                   | shift (fixed hour), skip | both         |
//! | dagster  | first tick ≥ start     | whole window ≤ end; now     | shift   | later (fixed hour), both      |
//! | airflow  | inclusive              | inclusive; interval ended by now | shift by the gap (fixed hour), skip | later (fixed hour), both |
//! | generic  | `bounds`               | `bounds`                    | `dst.gap` (shift) | `dst.fold` (earlier) |
//!
//! An engine is a [`Profile`]: its data (bounds, versions reproduced, DST help) and its
//! hooks (how it expands a window, what it adds to each run, how it orders and batches,
//! how it restates another engine's schedule, its export payload). The plan calls the
//! hooks and never asks which engine it has. Adding an engine is one file here and one
//! line in [`Engine`] and [`profile`].
//!
//! What several engines share lives beside them: [`cron_family`] (a cron over a window,
//! in a zone), and the engines' own clocks where their arithmetic is not the calendar's
//! ([`croniter_clock`], [`dagster_clock`], [`kestra_clock`]).

pub(crate) mod cron_family;
pub(crate) mod croniter_clock;
pub(crate) mod dagster_clock;
pub(crate) mod kestra_clock;

use crate::cron::{Cron, CronDialect};
use crate::diag::codes;
use crate::diag::Diagnostic;
use crate::input::dialect::Dialect;
use crate::input::spec::{Schedule, Sp, Spec, StrategyKind, Unit};
use crate::plan::{Expanded, Plan, Style, Validated};
use crate::series::{DstPolicy, Tick};
use crate::series::{FoldRule, GapRule};
use crate::time::{Moment, Zone};
use serde_json::{Map, Value as Json};

/// The registry: each engine's variant, its name (in specs, on the command line, on
/// the wire), its module and profile. One line per engine, in the order the web app
/// lists them; it declares the module, the `Engine` variant, `Engine::ALL`,
/// `Engine::name` and [`profile`].
macro_rules! engines {
    ($($(#[$meta:meta])* $variant:ident = $name:literal => $module:ident::$profile:ident;)*) => {
        $(pub(crate) mod $module;)*

        /// The orchestrators the planner reproduces.
        #[derive(
            Debug, Clone, Copy, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize,
        )]
        pub enum Engine {
            $($(#[$meta])* #[serde(rename = $name)] $variant,)*
        }

        const COUNT: usize = [$($name),*].len();

        impl Engine {
            /// Every engine, in the order the web app lists them.
            pub const ALL: [Engine; COUNT] = [$(Engine::$variant),*];

            /// The name used in specs, on the command line and on the wire.
            #[must_use]
            pub fn name(self) -> &'static str {
                match self {
                    $(Engine::$variant => $name,)*
                }
            }
        }

        /// The profile of `engine`.
        pub(crate) fn profile(engine: Engine) -> &'static dyn Profile {
            match engine {
                $(Engine::$variant => &$module::$profile,)*
            }
        }
    };
}

engines! {
    /// Polyaxon `daterange`/`datetimerange` matrices.
    Polyaxon = "polyaxon" => polyaxon::Polyaxon;
    /// Mage date-and-time-window backfills.
    Mage = "mage" => mage::Mage;
    /// Kestra Schedule-trigger backfills.
    Kestra = "kestra" => kestra::Kestra;
    /// Flyte `create_backfill_workflow`.
    Flyte = "flyte" => flyte::Flyte;
    /// Dagster time-window partition backfills.
    Dagster = "dagster" => dagster::Dagster;
    /// Airflow 3 backfills (`POST /api/v2/backfills`).
    Airflow = "airflow" => airflow::Airflow;
    /// The planner's own engine, with the bounds and DST rule you choose (the default
    /// when a spec names none).
    #[default]
    Generic = "generic" => generic::Generic;
}

impl Engine {
    /// The engine code (and its versions) whose behaviour this profile reproduces, as the
    /// differential harness checks it: `flytekit 1.16.31 / croniter 7.0.0`.
    #[must_use]
    pub fn reproduces(self) -> &'static str {
        profile(self).reproduces()
    }

    /// In words, which ends of a window the engine includes.
    #[must_use]
    pub fn bounds_text(self) -> &'static str {
        profile(self).bounds().text
    }

    /// The engine called `name`.
    #[must_use]
    pub fn parse(name: &str) -> Option<Engine> {
        Engine::ALL.into_iter().find(|e| e.name() == name)
    }

    /// The engine a pasted text of `dialect` is for (`None` for the planner's own spec).
    #[must_use]
    pub fn of_dialect(dialect: Dialect) -> Option<Engine> {
        Engine::ALL
            .into_iter()
            .find(|e| profile(*e).dialects().contains(&dialect))
    }
}

impl std::fmt::Display for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// The error for a name that is no engine, with the names that are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownEngine(pub String);

impl std::fmt::Display for UnknownEngine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = Engine::ALL.iter().map(|e| e.name()).collect();
        write!(
            f,
            "unknown engine `{}`; expected one of {}",
            self.0,
            names.join(", ")
        )
    }
}

impl std::error::Error for UnknownEngine {}

impl std::str::FromStr for Engine {
    type Err = UnknownEngine;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Engine::parse(s).ok_or_else(|| UnknownEngine(s.to_owned()))
    }
}

/// How an engine treats the start of the window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum StartRule {
    Inclusive,
    Exclusive,
}

/// How an engine treats the end of the window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EndRule {
    Inclusive,
    Exclusive,
    /// A partition exists only if its whole window ends by the end (Dagster).
    WholeWindow,
}

/// The ends of the window, as an engine reads them.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Bounds {
    pub start: StartRule,
    pub end: EndRule,
    /// Whether the end may be omitted, meaning "now".
    pub open_end: bool,
    /// In words, for summaries and the comparison.
    pub text: &'static str,
}

/// Run `index` (launch order) at series position `i`, tick `t`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RunAt {
    pub index: u64,
    pub i: u64,
    pub t: Tick,
}

/// One run request dagster builds for a backfill policy: its number of runs and the
/// range's ends as tagged.
pub(crate) type Request = (u64, String, String);

/// What an engine adds to the runs of one plan: its variables, partition keys, the
/// windows and run requests its own arithmetic decided. Made by the engine's
/// [`Profile::expand`]; the plan asks it while building each run.
pub(crate) trait Runs: std::fmt::Debug + Send + Sync {
    /// The engine's variables of one run (and the params it sets, and the interval's
    /// end where the engine gives another one).
    fn vars(
        &self,
        _plan: &Plan,
        _at: RunAt,
        _params: &mut Map<String, Json>,
        _vars: &mut Map<String, Json>,
        _next: &mut Option<Tick>,
    ) {
    }

    /// The param a run's date is given in (Polyaxon's `dt`).
    fn time_param(&self) -> Option<&str> {
        None
    }

    /// Whether a naive date is written as UTC (Flyte binds a naive kickoff time as UTC).
    fn naive_as_utc(&self) -> bool {
        false
    }

    /// Whether runs have partition keys (and `select` matches them as keys first).
    fn keyed(&self) -> bool {
        false
    }

    /// The partition key of the run at `t`.
    fn partition_key(&self, _t: Tick, _zone: Zone) -> Option<String> {
        None
    }

    /// The window the engine reads back for series index `i`, where it is not the
    /// series' own.
    fn window(&self, _i: u64) -> Option<(Tick, Tick)> {
        None
    }

    /// The engine's own run requests, one batch each, where it builds them itself.
    fn requests(&self) -> Option<&[Request]> {
        None
    }

    /// After `select`/`exclude`: the runs the engine itself derives from the kept ones,
    /// where they differ (Dagster reads its keys back).
    fn rederive(
        &self,
        _plan: &Plan,
        _spec: &Spec,
        _diags: &mut Vec<Diagnostic>,
    ) -> Option<Rederived> {
        None
    }

    /// The tags the engine puts on batch `k` (of group `group`), from its first and last
    /// runs' ticks.
    fn batch_tags(
        &self,
        _plan: &Plan,
        _group: usize,
        _first: Tick,
        _last: Tick,
    ) -> Map<String, Json> {
        Map::new()
    }
}

/// The runs an engine derived again: the new series of kept ticks, and their runs.
#[derive(Debug)]
pub(crate) struct Rederived {
    pub series: crate::series::Series,
    pub count: u64,
    pub runs: std::sync::Arc<dyn Runs>,
}

/// An engine's own export payload.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Payload {
    /// What the export menu calls it.
    pub label: &'static str,
    /// A file extension for downloads.
    pub extension: &'static str,
}

/// Runs that carry nothing of an engine's own.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Plain;

impl Runs for Plain {}

/// One engine: its data and its hooks. Defaults are the generic rules.
pub(crate) trait Profile: std::fmt::Debug + Sync {
    /// Which engine this is.
    fn engine(&self) -> Engine;

    /// The ends of the window.
    fn bounds(&self) -> Bounds;

    /// The engine code this profile reproduces, checked by `differential/`.
    fn reproduces(&self) -> &'static str;

    /// The input dialects that are this engine's own texts.
    fn dialects(&self) -> &'static [Dialect] {
        &[]
    }

    /// What DST warnings say the engine does, as help.
    fn dst_help(&self) -> &'static str {
        ""
    }

    /// Whether the spec's `bounds` and `dst` options apply (the generic engine's own).
    fn takes_rule_options(&self) -> bool {
        false
    }

    /// Whether runs may be launched newest first.
    fn reorders(&self) -> bool {
        false
    }

    /// Whether the schedule may name a timetable and its data interval
    /// (`schedule.timetable`, `schedule.interval`).
    fn takes_timetable(&self) -> bool {
        false
    }

    /// Whether runs can be grouped into batches (`strategy`); an engine that creates one
    /// run per date cannot.
    fn batches(&self) -> bool {
        true
    }

    /// How many runs the engine runs at once when the spec does not say.
    fn default_concurrency(&self) -> u64 {
        1
    }

    /// The warning when the asked concurrency is not what the engine does, and the
    /// concurrency it uses instead.
    fn concurrency(&self, _asked: u64, _at: Option<crate::diag::Span>) -> Option<Diagnostic> {
        None
    }

    /// The cron dialect the engine parses.
    fn cron_dialect(&self, with_seconds: bool) -> CronDialect {
        if with_seconds {
            CronDialect::GenericSeconds
        } else {
            CronDialect::Generic
        }
    }

    /// What the engine does with DST gaps and folds for this cron.
    fn dst_policy(&self, _cron: &Cron, gap: Option<GapRule>, fold: Option<FoldRule>) -> DstPolicy {
        DstPolicy {
            gap: gap.unwrap_or(GapRule::Shift),
            fold: fold.unwrap_or(FoldRule::Earlier),
        }
    }

    /// How the engine writes its dates: `zoned` when the spec names a zone,
    /// `naive_inputs` when neither end of the window has an offset.
    fn style(&self, _zoned: bool, _naive_inputs: bool) -> Style {
        Style::Aware
    }

    /// Checks of the spec against the engine before the window is read.
    fn check(&self, _input: &Validated<'_>, _diags: &mut Vec<Diagnostic>) {}

    /// The engine's fire times over the window.
    fn expand(
        &self,
        input: &Validated<'_>,
        schedule: &Sp<Schedule>,
        start: Moment,
        end: Moment,
        diags: &mut Vec<Diagnostic>,
    ) -> Option<Expanded>;

    /// What the engine adds to runs at explicit dates (mappings, variable lists).
    fn explicit_runs(&self, _spec: &Spec, _date_only: bool) -> std::sync::Arc<dyn Runs> {
        std::sync::Arc::new(Plain)
    }

    /// The launch order, where the engine does not launch the kept runs in date order:
    /// each launch position's kept position.
    fn launch_order(&self, _plan: &Plan, _diags: &mut Vec<Diagnostic>) -> Option<Vec<u64>> {
        None
    }

    /// Whether batches are cut within each contiguous range of kept runs.
    fn batches_by_range(&self, _strategy: StrategyKind) -> bool {
        false
    }

    /// Surprises that need the batches.
    fn after_batching(&self, _plan: &Plan, _spec: &Spec, _diags: &mut Vec<Diagnostic>) {}

    /// Another engine's schedule in this engine's terms, from its interval and its cron
    /// (`None` when it cannot be restated; the comparison then shows the error).
    fn restate(
        &self,
        schedule: &Schedule,
        _interval: Option<(Unit, i64)>,
        _cron: Option<String>,
        _at: crate::diag::Span,
    ) -> Option<Schedule> {
        Some(schedule.clone())
    }

    /// The engine's own payload, if it has one: what the export menu calls it and its
    /// file extension.
    fn payload(&self) -> Option<Payload> {
        None
    }

    /// The plan as this engine's own payload, ready to submit (`None`: the engine has
    /// none); an error when the plan's runs cannot be expressed in it.
    fn export(&self, _plan: &Plan) -> Option<Result<String, Diagnostic>> {
        None
    }
}

/// Dagster's recommended batch sizes for a partition's processing time (the Dagster
/// seed page's table).
#[must_use]
pub(crate) fn recommended_batch(run_secs: i64) -> (&'static str, u64, u64) {
    match run_secs {
        ..=59 => ("under 1 minute", 20, 50),
        60..=299 => ("1-5 minutes", 10, 20),
        300..=899 => ("5-15 minutes", 5, 10),
        _ => ("over 15 minutes", 1, 5),
    }
}

/// An interval restated as an `every` schedule (Polyaxon's and Mage's terms).
pub(crate) fn every_schedule(
    interval: Option<(Unit, i64)>,
    at: crate::diag::Span,
) -> Option<Schedule> {
    interval.map(|(unit, count)| Schedule::Every {
        unit: Sp::new(unit, at),
        count: Sp::new(count, at),
    })
}

/// The `every` of a schedule, or an error saying the engine needs something else
/// (`why`: what it steps by instead of a cron).
pub(crate) fn every(
    schedule: &Sp<Schedule>,
    engine: Engine,
    why: &str,
    diags: &mut Vec<Diagnostic>,
) -> Option<(Sp<Unit>, Sp<i64>)> {
    match &schedule.value {
        Schedule::Every { unit, count } => Some((unit.clone(), count.clone())),
        Schedule::Cron { expr, .. } => {
            diags.push(
                Diagnostic::error(codes::WRONG_SCHEDULE_KIND, why.to_owned())
                    .at(expr.span)
                    .help("use `schedule: {every: {unit: day, count: 1}}`"),
            );
            None
        }
        Schedule::Partitions(_) | Schedule::Explicit { .. } => {
            diags.push(
                Diagnostic::error(
                    codes::WRONG_SCHEDULE_KIND,
                    format!("`partitions` is dagster's schedule; {engine} steps by an interval"),
                )
                .at(schedule.span)
                .help("use `schedule: {every: {unit: day, count: 1}}`"),
            );
            None
        }
    }
}
