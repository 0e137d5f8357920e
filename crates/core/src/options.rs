//! What the caller decides when planning: the engine, "now", the limit, and how to read
//! the text. Read by the input readers and by the planner alike.

use crate::engine::Engine;
use crate::input::dialect::Dialect;
use crate::input::spec::Order;
use crate::time::{parse_moment, Moment};

/// The default most runs a plan may have.
pub const DEFAULT_LIMIT: u64 = 1_000_000;

/// What the caller decides: the engine (overriding the spec's), "now", the limit.
///
/// Stored with a backfill as one JSON value (every option given, the limit aside: it is
/// the server's, not the plan's), so the same source and options expand to the same runs.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct PlanOptions {
    /// Plan for this engine whatever the spec says.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub engine: Option<Engine>,
    /// "Now" for open windows, unless the spec sets `now`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub now: Option<Now>,
    /// The most runs a plan may have.
    #[serde(skip)]
    pub limit: u64,
    /// Read the text as this dialect instead of detecting it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dialect: Option<Dialect>,
    /// The backfill's start, overriding the pasted one (Kestra, Mage bodies, a DAG file).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start: Option<String>,
    /// The backfill's end, overriding the pasted one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end: Option<String>,
    /// Which of a Kestra flow's Schedule triggers to backfill.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trigger: Option<String>,
    /// The launch order, over the text's (`--order newest_first` is Airflow's
    /// `run_backwards`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub order: Option<Order>,
}

impl Default for PlanOptions {
    fn default() -> Self {
        PlanOptions {
            dialect: None,
            start: None,
            end: None,
            trigger: None,
            engine: None,
            now: None,
            limit: DEFAULT_LIMIT,
            order: None,
        }
    }
}

/// "Now": the moment open windows end at and engines compare against, read once where
/// it enters (the command line's `--now`, a request's `now`, the app's clock) and kept
/// as written, so a plan, a link and a stored backfill echo it byte for byte.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Now {
    text: String,
    moment: Moment,
}

impl Now {
    /// As written.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// As read.
    #[must_use]
    pub fn moment(&self) -> Moment {
        self.moment
    }

    /// The instant `secs` (seconds since the epoch), written as RFC 3339 UTC: a clock's
    /// reading.
    #[must_use]
    pub fn at(secs: i64) -> Now {
        let civil = crate::time::Civil::from_secs(secs);
        Now {
            text: format!("{civil}Z"),
            moment: Moment {
                civil,
                offset: Some(0),
                date_only: false,
                nanos: 0,
            },
        }
    }
}

/// A "now" that is not a date or a date-time, with why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadNow {
    /// What was given.
    pub given: String,
    /// Why it is not a date-time.
    pub reason: String,
}

impl std::fmt::Display for BadNow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "`now` is not a date-time: `{}`: {}",
            self.given, self.reason
        )
    }
}

impl std::error::Error for BadNow {}

impl std::str::FromStr for Now {
    type Err = BadNow;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match parse_moment(s) {
            Ok(moment) => Ok(Now {
                text: s.to_owned(),
                moment,
            }),
            Err(e) => Err(BadNow {
                given: s.to_owned(),
                reason: e.message,
            }),
        }
    }
}

impl std::fmt::Display for Now {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

impl serde::Serialize for Now {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.text)
    }
}

impl<'de> serde::Deserialize<'de> for Now {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}
