//! Engine profiles: what each orchestrator's own code does, as data plus small functions.
//!
//! Every rule here comes from reading (and running) the engine's source, recorded in
//! `research/semantics.md`; where an engine's documentation disagrees with its code, the
//! code wins and the plan carries a warning saying so.
//!
//! | engine   | start                  | end                         | DST gap | DST fold                      |
//! |----------|------------------------|-----------------------------|---------|-------------------------------|
//! | polyaxon | inclusive              | exclusive                   | none    | none (naive UTC)              |
//! | mage     | inclusive              | inclusive                   | none    | none (fixed offsets)          |
//! | kestra   | inclusive (if a fire)  | inclusive; none = now       | skip    | once (fixed hour), both       |
//! | flyte    | exclusive              | exclusive                   | shift (fixed hour), skip | both         |
//! | dagster  | first tick ≥ start     | whole window ≤ end; now     | shift   | later (fixed hour), both      |
//! | generic  | `bounds`               | `bounds`                    | `dst.gap` (shift) | `dst.fold` (earlier) |

pub(crate) mod croniter_clock;
pub(crate) mod dagster_clock;
pub(crate) mod kestra_clock;

use crate::cron::{Cron, CronDialect};
use crate::series::DstPolicy;
use crate::spec::{Engine, FoldRule, GapRule};

/// How an engine treats the ends of the window.
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

/// One engine's behaviour.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Profile {
    pub engine: Engine,
    pub start: StartRule,
    pub end: EndRule,
    /// Whether the end may be omitted, meaning "now".
    pub open_end: bool,
    /// Whether runs are launched strictly one at a time whatever is asked (Kestra).
    pub sequential: bool,
    /// Words for the bounds, for summaries and the comparison.
    pub bounds_text: &'static str,
    /// The engine code this profile reproduces, checked by `differential/` (its versions).
    pub reproduces: &'static str,
}

impl Profile {
    pub fn of(engine: Engine) -> Profile {
        let (start, end, open_end, sequential, bounds_text) = match engine {
            Engine::Polyaxon => (StartRule::Inclusive, EndRule::Exclusive, false, false, "start included, stop excluded (numpy arange)"),
            Engine::Mage => (StartRule::Inclusive, EndRule::Inclusive, false, false, "both ends included (while date <= end)"),
            Engine::Kestra => (StartRule::Inclusive, EndRule::Inclusive, true, true, "both ends included; no end means now"),
            Engine::Flyte => (StartRule::Exclusive, EndRule::Exclusive, false, false, "both ends excluded (croniter get_next, then >= end stops)"),
            Engine::Dagster => (StartRule::Inclusive, EndRule::WholeWindow, true, false, "first tick at or after the start; a partition only if its whole window ends by the end"),
            Engine::Generic => (StartRule::Inclusive, EndRule::Exclusive, false, false, "as `bounds` says"),
        };
        let reproduces = match engine {
            Engine::Polyaxon => "polyaxon 2.18.0 / hypertune 1.4.0",
            Engine::Mage => "mage-ai 0.9.80",
            Engine::Kestra => "kestra Schedule backfill (00a7b504) / cron-utils 9.2.1",
            Engine::Flyte => "flytekit 1.16.31 / croniter 7.0.0",
            Engine::Dagster => "dagster 1.13.28",
            Engine::Generic => "no engine: the generic rules",
        };
        Profile {
            engine,
            start,
            end,
            open_end,
            sequential,
            bounds_text,
            reproduces,
        }
    }

    /// The cron dialect the engine parses.
    pub fn cron_dialect(&self, with_seconds: bool) -> CronDialect {
        match (self.engine, with_seconds) {
            (Engine::Kestra, false) => CronDialect::Kestra,
            (Engine::Kestra, true) => CronDialect::KestraSeconds,
            (Engine::Flyte, _) => CronDialect::Croniter,
            (Engine::Dagster, _) => CronDialect::Dagster,
            (_, false) => CronDialect::Generic,
            (_, true) => CronDialect::GenericSeconds,
        }
    }

    /// What the engine does with DST gaps and folds for this cron.
    pub fn dst_policy(
        &self,
        cron: &Cron,
        gap: Option<GapRule>,
        fold: Option<FoldRule>,
    ) -> DstPolicy {
        let interval = !cron.is_fixed_hour();
        match self.engine {
            Engine::Kestra => DstPolicy {
                gap: GapRule::Skip,
                fold: if interval {
                    FoldRule::Both
                } else {
                    FoldRule::Earlier
                },
            },
            // croniter 7.0.0, run: a fixed-hour tick in a gap moves to the gap's end
            // (`0 2 * * *` → 03:00 on a New York spring-forward day; every tick of the gap
            // becomes that one run), but an hourly or minutely cron simply goes on to its
            // next match (`30 * * * *` → 01:30, 03:30).
            Engine::Flyte => DstPolicy {
                gap: if interval {
                    GapRule::Skip
                } else {
                    GapRule::Shift
                },
                fold: FoldRule::Both,
            },
            Engine::Dagster => DstPolicy {
                gap: GapRule::Shift,
                fold: if interval {
                    FoldRule::Both
                } else {
                    FoldRule::Later
                },
            },
            _ => DstPolicy {
                gap: gap.unwrap_or(GapRule::Shift),
                fold: fold.unwrap_or(FoldRule::Earlier),
            },
        }
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
