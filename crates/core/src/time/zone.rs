//! Zones: IANA zones (through chrono-tz) and fixed offsets, their transitions, and the
//! resolution of a civil time into an instant across gaps and folds.

use super::{civil, Civil};
use chrono::{Offset, TimeZone};

/// An IANA time zone (or UTC), or a fixed offset such as `+05:30`.
///
/// The engines take both: croniter and Dagster are handed whatever `tzinfo` their
/// caller built (`datetime.timezone(timedelta(hours=5, minutes=30))`), and Kestra's
/// `ZoneId.of("+05:30")` is a fixed offset. A fixed offset never changes, so it has no
/// gaps or folds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Zone(Kind);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Tz(chrono_tz::Tz),
    /// Seconds east of UTC; never 0 (that is UTC).
    Fixed(OffsetSecs),
}

/// An offset from UTC, in seconds east.
pub type OffsetSecs = i32;

/// A change of a zone's offset: at `at` (an instant), the offset goes from `before` to
/// `after`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Transition {
    /// The instant of the change.
    pub at: i64,
    /// The offset just before.
    pub before: OffsetSecs,
    /// The offset from `at` on.
    pub after: OffsetSecs,
}

/// How a civil time maps to instants in a zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Local {
    /// Exactly one instant, with its offset.
    Single(i64, OffsetSecs),
    /// The civil time does not exist (clocks sprang forward over it). `after` is the
    /// first instant after the gap (the transition), with the offset from then on.
    Gap {
        /// The transition's instant: the first instant after the gap.
        after: i64,
        /// The offset after the gap.
        offset: OffsetSecs,
    },
    /// The civil time happens twice (clocks fell back over it).
    Fold {
        /// The first occurrence, with the offset before the change.
        earlier: (i64, OffsetSecs),
        /// The second occurrence, with the offset after the change.
        later: (i64, OffsetSecs),
    },
}

/// Instants the time zone database covers with real rules; before it offsets are fixed.
const PROBE_FROM: i64 = -5_364_662_400; // 1800-01-01
/// chrono-tz lists transitions up to the end of 2099. From 2100 on, Python's `zoneinfo`
/// and Java's `ZoneRules` keep applying the zone's last rule (the TZif footer) for ever:
/// a year from 2100 on is read as the latest year of 2072-2099 with the same calendar
/// (leap or not, the weekday of 1 January), which the same rule gives the same
/// transitions on the same dates.
const RULES_FROM: i64 = 4_102_444_800; // 2100-01-01
/// The first of the years a later year is read as.
const RULES_BASE: i32 = 2072;
/// The start of 1 January of `year`, in seconds.
fn jan1_secs(year: i32) -> i64 {
    Civil::from_ymd(year, 1, 1).map_or(0, Civil::secs)
}

/// The latest year of 2072-2099 with `year`'s calendar: leap or not, and the weekday of
/// 1 January (every one of the 14 kinds occurs in those 28 years).
fn rule_year(year: i32) -> i32 {
    rule_years()[calendar_kind(year)]
}

/// A year's calendar as an index: its weekday of 1 January, plus 7 in a leap year.
fn calendar_kind(year: i32) -> usize {
    let weekday = Civil::from_secs(jan1_secs(year)).weekday() as usize;
    weekday + if civil::is_leap(year) { 7 } else { 0 }
}

/// [`rule_year`] of each calendar kind.
fn rule_years() -> [i32; 14] {
    let mut out = [2099; 14];
    for y in RULES_BASE..2100 {
        out[calendar_kind(y)] = y;
    }
    out
}

/// The end of the searched range: 10000-01-01.
const PROBE_TO: i64 = 253_402_300_800;

impl Zone {
    /// UTC.
    pub const UTC: Zone = Zone(Kind::Tz(chrono_tz::Tz::UTC));

    /// The zone named `name` (IANA, case-sensitive as the database spells it, e.g.
    /// `America/New_York`); `UTC` and `Z` are accepted too.
    #[must_use]
    pub fn parse(name: &str) -> Option<Zone> {
        if name == "Z" || name.eq_ignore_ascii_case("utc") {
            return Some(Zone::UTC);
        }
        if let Some(offset) = parse_fixed_offset(name) {
            return Some(if offset == 0 {
                Zone::UTC
            } else {
                Zone(Kind::Fixed(offset))
            });
        }
        name.parse::<chrono_tz::Tz>()
            .ok()
            .map(|tz| Zone(Kind::Tz(tz)))
    }

    /// The closest zone name to a misspelt one (also across case), for "did you mean".
    #[must_use]
    pub fn suggest(name: &str) -> Option<&'static str> {
        let lower = name.to_ascii_lowercase();
        if let Some(tz) = chrono_tz::TZ_VARIANTS
            .iter()
            .find(|tz| tz.name().to_ascii_lowercase() == lower)
        {
            return Some(tz.name());
        }
        let names: Vec<&'static str> = chrono_tz::TZ_VARIANTS.iter().map(|tz| tz.name()).collect();
        crate::diag::did_you_mean(name, &names)
    }

    /// Every zone name, sorted.
    #[must_use]
    pub fn names() -> Vec<&'static str> {
        let mut names: Vec<&'static str> =
            chrono_tz::TZ_VARIANTS.iter().map(|tz| tz.name()).collect();
        names.sort_unstable();
        names
    }

    /// The IANA name, or the offset as `+05:30`.
    #[must_use]
    pub fn name(self) -> std::borrow::Cow<'static, str> {
        match self.0 {
            Kind::Tz(tz) => tz.name().into(),
            Kind::Fixed(o) => {
                let mut out = String::new();
                super::format::push_offset(&mut out, o, super::UtcAs::Offset);
                out.into()
            }
        }
    }

    /// Whether this is UTC.
    #[must_use]
    pub fn is_utc(self) -> bool {
        self.0 == Kind::Tz(chrono_tz::Tz::UTC)
    }

    /// Whether this is a fixed offset (`+05:30`) rather than a named zone.
    #[must_use]
    pub fn is_fixed(self) -> bool {
        matches!(self.0, Kind::Fixed(_))
    }

    /// The offset in effect at `instant`.
    #[must_use]
    pub fn offset_at(self, instant: i64) -> OffsetSecs {
        let tz = match self.0 {
            Kind::Tz(tz) => tz,
            Kind::Fixed(o) => return o,
        };
        let instant = self.within_rules(instant.max(PROBE_FROM - 86_400));
        chrono::DateTime::from_timestamp(instant, 0).map_or(0, |dt| {
            tz.offset_from_utc_datetime(&dt.naive_utc())
                .fix()
                .local_minus_utc()
        })
    }

    /// Whether the offset changes during 2099 (then the zone has a rule that goes on).
    fn changes_in_2099(self) -> bool {
        let year_2099 = RULES_FROM - 365 * 86_400;
        (1..12).any(|m| self.offset_at(year_2099 + m * 30 * 86_400) != self.offset_at(year_2099))
    }

    /// The instant of 2072-2099 whose offset `instant`'s is (see [`RULES_FROM`]); a zone
    /// without changes in 2099 keeps its offset of then.
    fn within_rules(self, instant: i64) -> i64 {
        if instant < RULES_FROM {
            return instant;
        }
        let last = RULES_FROM - 1;
        if !self.changes_in_2099() {
            return last;
        }
        let year = Civil::from_secs(instant).date().0;
        instant - (jan1_secs(year) - jan1_secs(rule_year(year)))
    }

    /// The daylight-saving part of the offset at `instant` (0 in standard time), as the
    /// time zone database's rules give it: what Python's `tzinfo.dst()` answers.
    #[must_use]
    pub fn dst_at(self, instant: i64) -> OffsetSecs {
        use chrono_tz::OffsetComponents;
        let tz = match self.0 {
            Kind::Tz(tz) => tz,
            Kind::Fixed(_) => return 0,
        };
        let instant = self.within_rules(instant.max(PROBE_FROM - 86_400));
        chrono::DateTime::from_timestamp(instant, 0).map_or(0, |dt| {
            let secs = tz
                .offset_from_utc_datetime(&dt.naive_utc())
                .dst_offset()
                .num_seconds();
            OffsetSecs::try_from(secs).unwrap_or(0)
        })
    }

    /// The civil time at `instant`.
    #[must_use]
    pub fn civil_at(self, instant: i64) -> Civil {
        Civil::from_secs(instant + i64::from(self.offset_at(instant)))
    }

    /// The offset changes between the instants `from` and `to`, in order.
    ///
    /// Found by sampling the offset once a day (once a week over windows longer than
    /// 50 years) and bisecting to the second where it changes. The time zone database
    /// has rules from about 1850; from 2100 on each year repeats the transitions of a
    /// year of 2072-2099 with the same calendar (see [`RULES_FROM`]).
    #[must_use]
    pub fn transitions(self, from: i64, to: i64) -> Vec<Transition> {
        let lo = from.max(PROBE_FROM);
        let hi = to.min(PROBE_TO);
        if lo >= hi || self.is_utc() || self.is_fixed() {
            return Vec::new();
        }
        let mut out = self.sampled(lo, hi.min(RULES_FROM));
        if hi <= RULES_FROM || !self.changes_in_2099() {
            return out;
        }
        let first = Civil::from_secs(lo.max(RULES_FROM)).date().0;
        let last = Civil::from_secs(hi - 1).date().0;
        // The transitions of the base years, found once (taken from those already found
        // when the range covers them).
        let base_from = jan1_secs(RULES_BASE);
        let base: Vec<Transition> = if lo < base_from {
            out.iter().filter(|t| t.at > base_from).copied().collect()
        } else {
            self.sampled_by(base_from, RULES_FROM, 7 * 86_400)
        };
        let rule_years = rule_years();
        for year in first..=last {
            let base_year = rule_years[calendar_kind(year)];
            let delta = jan1_secs(year) - jan1_secs(base_year);
            let (a, b) = (jan1_secs(base_year), jan1_secs(base_year + 1));
            let list = base.iter().filter(|t| t.at > a && t.at <= b);
            out.extend(
                list.map(|t| Transition {
                    at: t.at + delta,
                    ..*t
                })
                .filter(|t| t.at > lo && t.at <= hi),
            );
        }
        out
    }

    /// [`Zone::transitions`] found by sampling the offset in `[lo, hi)`.
    fn sampled(self, lo: i64, hi: i64) -> Vec<Transition> {
        let step = if hi - lo > 50 * 366 * 86_400 {
            7 * 86_400
        } else {
            86_400
        };
        self.sampled_by(lo, hi, step)
    }

    /// [`Zone::sampled`] every `step` seconds.
    fn sampled_by(self, lo: i64, hi: i64, step: i64) -> Vec<Transition> {
        let mut out = Vec::new();
        if lo >= hi {
            return out;
        }
        let mut t = lo;
        let mut off = self.offset_at(t);
        while t < hi {
            let next = (t + step).min(hi);
            let next_off = self.offset_at(next);
            if next_off != off {
                // Bisect for the first instant with the new offset.
                let (mut a, mut b) = (t, next);
                while b - a > 1 {
                    let mid = a + (b - a) / 2;
                    if self.offset_at(mid) == off {
                        a = mid;
                    } else {
                        b = mid;
                    }
                }
                let after = self.offset_at(b);
                out.push(Transition {
                    at: b,
                    before: off,
                    after,
                });
                off = after;
                t = b;
                if after != next_off {
                    // Two changes inside one step: keep scanning from the first.
                    continue;
                }
            }
            t = next;
        }
        out
    }

    /// A resolver of civil times between the instants `from` and `to` (with a day of
    /// margin each side).
    #[must_use]
    pub fn resolver(self, from: i64, to: i64) -> Resolver {
        Resolver::new(
            self,
            from.saturating_sub(2 * 86_400),
            to.saturating_add(2 * 86_400),
        )
    }
}

/// One stretch of constant offset: instants `start..end` have `offset`.
#[derive(Debug, Clone, Copy)]
struct Period {
    start: i64,
    end: i64,
    offset: i64,
}

impl Period {
    fn local_start(&self) -> i64 {
        self.start.saturating_add(self.offset)
    }
    fn local_end(&self) -> i64 {
        self.end.saturating_add(self.offset)
    }
}

/// Maps civil times to instants in one zone, fast for ascending civil times (it keeps
/// a cursor), correct for any order.
#[derive(Debug, Clone)]
pub struct Resolver {
    periods: Vec<Period>,
    cursor: usize,
}

impl Resolver {
    fn new(zone: Zone, from: i64, to: i64) -> Resolver {
        let mut periods = Vec::new();
        let mut start = i64::MIN / 4;
        let mut offset = i64::from(zone.offset_at(from));
        for t in zone.transitions(from, to) {
            periods.push(Period {
                start,
                end: t.at,
                offset,
            });
            start = t.at;
            offset = i64::from(t.after);
        }
        periods.push(Period {
            start,
            end: i64::MAX / 4,
            offset,
        });
        Resolver { periods, cursor: 0 }
    }

    /// The transitions this resolver knows, in order.
    #[must_use]
    pub fn transitions(&self) -> Vec<Transition> {
        self.periods
            .windows(2)
            .map(|w| Transition {
                at: w[1].start,
                before: w[0].offset as OffsetSecs,
                after: w[1].offset as OffsetSecs,
            })
            .collect()
    }

    /// Where civil time `c` falls.
    pub fn resolve(&mut self, c: Civil) -> Local {
        let c = c.secs();
        let n = self.periods.len();
        // Move the cursor to the first period whose civil range ends after `c`.
        if self.cursor >= n || (self.cursor > 0 && c < self.periods[self.cursor - 1].local_end()) {
            self.cursor = self.periods.partition_point(|p| p.local_end() <= c);
        }
        while self.cursor + 1 < n && c >= self.periods[self.cursor].local_end() {
            self.cursor += 1;
        }
        self.classify(self.cursor.min(n - 1), c)
    }

    /// Where civil time `c` falls, without moving the cursor (a binary search).
    #[must_use]
    pub fn lookup(&self, c: Civil) -> Local {
        let c = c.secs();
        let n = self.periods.len();
        self.classify(
            self.periods
                .partition_point(|p| p.local_end() <= c)
                .min(n - 1),
            c,
        )
    }

    /// Civil seconds `c`, given `i`: the first period whose civil range ends after it.
    fn classify(&self, i: usize, c: i64) -> Local {
        let p = self.periods[i];
        if c < p.local_start() {
            // Between the previous period's civil end and this one's start: a gap.
            return Local::Gap {
                after: p.start,
                offset: p.offset as OffsetSecs,
            };
        }
        if let Some(q) = self.periods.get(i + 1) {
            if c >= q.local_start() {
                return Local::Fold {
                    earlier: (c - p.offset, p.offset as OffsetSecs),
                    later: (c - q.offset, q.offset as OffsetSecs),
                };
            }
        }
        Local::Single(c - p.offset, p.offset as OffsetSecs)
    }

    /// The offset in effect at `instant` (within the resolver's range).
    #[must_use]
    pub fn offset_at(&self, instant: i64) -> OffsetSecs {
        let i = self.periods.partition_point(|p| p.end <= instant);
        self.periods.get(i).map_or(0, |p| p.offset as OffsetSecs)
    }
}

/// A fixed offset written as a zone: `+05:30`, `-03:30`, `+0530` or `+05` (also after
/// `UTC`, as in `UTC+05:30`).
fn parse_fixed_offset(name: &str) -> Option<OffsetSecs> {
    let body = name.strip_prefix("UTC").unwrap_or(name);
    let sign = match body.as_bytes().first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let rest = &body.as_bytes()[1..];
    let two = |d: &[u8]| -> Option<i32> {
        (d.len() == 2 && d.iter().all(u8::is_ascii_digit))
            .then(|| i32::from(d[0] - b'0') * 10 + i32::from(d[1] - b'0'))
    };
    let (h, m) = match rest.len() {
        2 => (two(rest)?, 0),
        4 => (two(&rest[..2])?, two(&rest[2..])?),
        5 if rest[2] == b':' => (two(&rest[..2])?, two(&rest[3..])?),
        _ => return None,
    };
    (h <= 23 && m <= 59).then_some(sign * (h * 3600 + m * 60))
}
