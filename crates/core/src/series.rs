//! Series of fire times: counted, indexed and iterated without materialising them.
//!
//! A plan can have a billion runs; the web app shows a page of them and the server
//! refuses plans over a limit with their exact count. So a [`Series`] answers `len()`
//! arithmetically, `get(i)` in logarithmic time, and iterates a range at the speed of
//! integer arithmetic.
//!
//! ## Cron series and DST
//! A cron schedule matches *civil* times; a zone turns them into instants. Between two
//! offset changes the mapping is a constant shift, so a cron series is a list of
//! segments: plain stretches `[from, to)` of civil time with one offset (counted and
//! indexed by the cron itself), and single shifted ticks for gaps. The DST policy only
//! decides where the plain stretches start and end around a transition:
//!
//! - fold, `earlier`: the stretch before the change keeps the repeated hour;
//! - fold, `later`: the stretch after it does;
//! - fold, `both`: both do (every earlier copy comes before every later one in time);
//! - gap, `skip`: civil times in the gap belong to no stretch;
//! - gap, `shift`: they become one tick at the first instant after the gap (merged with
//!   a fire at that very time).

use crate::cron::Cron;
use crate::time::{Civil, OffsetSecs, Zone};

/// What an engine does with a civil time inside a DST gap.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum GapRule {
    Skip,
    Shift,
}

/// What an engine does with a civil time inside a DST fold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FoldRule {
    Earlier,
    Later,
    Both,
}

/// One fire time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Tick {
    /// Seconds since the epoch (for naive engines: the naive value read as UTC).
    pub instant: i64,
    /// The zone's offset at that instant.
    pub offset: OffsetSecs,
    /// Whether this is the second occurrence of a civil time repeated by a DST fold.
    pub second_occurrence: bool,
    /// Whether this tick was moved out of a DST gap.
    pub shifted: bool,
}

impl Tick {
    /// A tick with no DST history.
    pub fn plain(instant: i64, offset: OffsetSecs) -> Tick {
        Tick {
            instant,
            offset,
            second_occurrence: false,
            shifted: false,
        }
    }

    /// The wall-clock reading.
    pub fn civil(&self) -> Civil {
        Civil::from_secs(self.instant + i64::from(self.offset))
    }
}

/// The DST policy of a cron series.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct DstPolicy {
    pub gap: GapRule,
    pub fold: FoldRule,
}

/// A DST transition inside a series' window, and what happened to the fires it touched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DstEvent {
    /// The transition's instant.
    pub at: i64,
    pub before: OffsetSecs,
    pub after: OffsetSecs,
    /// Civil fire times in the gap or the fold (listed by `locate_events`).
    pub civil_fires: Vec<Civil>,
    /// The civil range `[from, to)` of the gap or the fold.
    span: (Civil, Civil),
    /// Indices (in the series) of the ticks that came out of them.
    pub ticks: Vec<u64>,
}

#[derive(Debug, Clone)]
enum Segment {
    /// Civil fires from `from` (up to the next segment's start), each at instant
    /// `civil - offset`; those before `second_until` are second occurrences of a fold.
    Plain {
        from: Civil,
        offset: OffsetSecs,
        second_until: Civil,
    },
    /// One tick (a fire moved out of a gap).
    Single(Tick),
}

/// Fire times of a cron schedule in a zone, between two instants.
#[derive(Debug, Clone)]
pub(crate) struct CronSeries {
    cron: Cron,
    segments: Vec<Segment>,
    /// `starts[k]` = index of the first tick of segment `k`; one more entry = the total.
    starts: Vec<u64>,
    events: Vec<DstEvent>,
}

impl CronSeries {
    /// The fires of `cron` at instants in `[lo, hi)`, in `zone`, under `policy`.
    pub fn new(cron: Cron, zone: Zone, policy: DstPolicy, lo: i64, hi: i64) -> CronSeries {
        let mut segments = Vec::new();
        let mut events = Vec::new();
        // `fires_before` at the last few boundaries: each transition's two civil ends are
        // asked by its own check and by the segments on either side.
        let mut memo = [(Civil::from_secs(i64::MIN / 4), 0u64); 4];
        let mut next_slot = 0;
        let mut fires_to = |c: Civil| -> u64 {
            if let Some(&(_, n)) = memo.iter().find(|(at, _)| *at == c) {
                return n;
            }
            let n = cron.count_before(c);
            memo[next_slot % 4] = (c, n);
            next_slot += 1;
            n
        };
        let mut counts: Vec<u64> = Vec::new();
        if lo < hi {
            let transitions = zone.transitions(lo, hi);
            let mut offset = zone.offset_at(lo);
            let mut from = Civil::from_secs(lo + i64::from(offset));
            let mut second_until = from;
            for t in &transitions {
                let (b, a) = (i64::from(t.before), i64::from(t.after));
                let natural_end = Civil::from_secs(t.at + b);
                let next_start = Civil::from_secs(t.at + a);
                let mut event = DstEvent {
                    at: t.at,
                    before: t.before,
                    after: t.after,
                    civil_fires: Vec::new(),
                    ticks: Vec::new(),
                    span: (next_start, natural_end),
                };
                // Whether any fire falls in the gap or the fold: counted, not listed (a
                // plan may still be refused for its size).
                let touched;
                if a < b {
                    // A fold: civil [t+a, t+b) happens twice.
                    touched = fires_to(natural_end) > fires_to(next_start);
                    let (end, start) = match policy.fold {
                        FoldRule::Earlier => (natural_end, natural_end),
                        FoldRule::Later => (next_start, next_start),
                        FoldRule::Both => (natural_end, next_start),
                    };
                    segments.push(Segment::Plain {
                        from,
                        offset,
                        second_until,
                    });
                    counts.push(fires_to(end).saturating_sub(fires_to(from)));
                    from = start;
                    second_until = natural_end;
                } else {
                    // A gap: civil [t+b, t+a) never happens.
                    segments.push(Segment::Plain {
                        from,
                        offset,
                        second_until,
                    });
                    counts.push(fires_to(natural_end).saturating_sub(fires_to(from)));
                    event.span = (natural_end, next_start);
                    touched = fires_to(next_start) > fires_to(natural_end);
                    // The moved tick keeps the cron's first second (croniter, run:
                    // `14 2 * * * 15` gives 03:00:15 on a New York spring-forward day),
                    // is one tick however many fires the gap held, merges with a fire at
                    // that very time, and belongs to the window only if it lies inside.
                    let second = i64::from(cron.first_second());
                    let moved = t.at + second;
                    if policy.gap == GapRule::Shift
                        && touched
                        && !cron.matches(Civil::from_secs(next_start.secs() + second))
                        && (lo..hi).contains(&moved)
                    {
                        segments.push(Segment::Single(Tick {
                            instant: moved,
                            offset: t.after,
                            second_occurrence: false,
                            shifted: true,
                        }));
                        counts.push(1);
                    }
                    from = next_start;
                    second_until = next_start;
                }
                offset = t.after;
                if touched {
                    events.push(event);
                }
            }
            let to = Civil::from_secs(hi + i64::from(offset));
            segments.push(Segment::Plain {
                from,
                offset,
                second_until,
            });
            counts.push(fires_to(to).saturating_sub(fires_to(from)));
        }
        let mut starts = Vec::with_capacity(segments.len() + 1);
        let mut total = 0u64;
        for n in counts {
            starts.push(total);
            total += n;
        }
        starts.push(total);
        CronSeries {
            cron,
            segments,
            starts,
            events,
        }
    }

    /// Fill in which ticks each DST event produced. Done on demand (after a plan passed
    /// its limit): a century-long series has hundreds of transitions.
    pub fn locate_events(&mut self) {
        let mut events = std::mem::take(&mut self.events);
        for e in &mut events {
            e.civil_fires = fires_in(&self.cron, e.span.0, e.span.1);
            e.ticks.clear();
            // Every tick an event produced lies within the size of the jump of it.
            let jump = i64::from((e.after - e.before).abs()) + 1;
            let (lo, hi) = (e.at - jump, e.at + jump);
            let first = self.first_at_or_after(lo);
            let fires = &e.civil_fires;
            for (k, t) in self.iter_range(first, self.len()).enumerate() {
                if t.instant >= hi {
                    break;
                }
                let in_event = fires.binary_search(&t.civil()).is_ok();
                if t.shifted && t.instant == e.at + i64::from(self.cron.first_second())
                    || in_event
                        && (t.second_occurrence || t.offset == e.before && e.after < e.before)
                {
                    e.ticks.push(first + k as u64);
                }
            }
        }
        self.events = events;
    }

    pub fn len(&self) -> u64 {
        self.starts.last().copied().unwrap_or(0)
    }

    pub fn events(&self) -> &[DstEvent] {
        &self.events
    }

    pub fn cron(&self) -> &Cron {
        &self.cron
    }

    /// The `i`-th tick.
    pub fn get(&self, i: u64) -> Option<Tick> {
        if i >= self.len() {
            return None;
        }
        let k = self.starts.partition_point(|&s| s <= i) - 1;
        let within = i - self.starts[k];
        match &self.segments[k] {
            Segment::Single(t) => Some(*t),
            Segment::Plain {
                from,
                offset,
                second_until,
                ..
            } => {
                let c = self.cron.nth_at_or_after(*from, within)?;
                Some(plain_tick(c, *offset, *second_until))
            }
        }
    }

    /// Index of the first tick at or after `instant` (`len()` if none).
    pub fn first_at_or_after(&self, instant: i64) -> u64 {
        let (mut lo, mut hi) = (0u64, self.len());
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            match self.get(mid) {
                Some(t) if t.instant < instant => lo = mid + 1,
                _ => hi = mid,
            }
        }
        lo
    }

    /// Ticks `from..to`, in order.
    pub fn iter_range(&self, from: u64, to: u64) -> impl Iterator<Item = Tick> + '_ {
        let to = to.min(self.len());
        let first_seg = if from >= to {
            self.segments.len()
        } else {
            self.starts.partition_point(|&s| s <= from) - 1
        };
        let mut next_index = from;
        (first_seg..self.segments.len()).flat_map(move |k| {
            let seg_start = self.starts[k];
            let seg_end = self.starts[k + 1];
            let skip = next_index.saturating_sub(seg_start);
            let take = seg_end.min(to).saturating_sub(seg_start.max(next_index));
            next_index = next_index.max(seg_end.min(to));
            let it: Box<dyn Iterator<Item = Tick> + '_> = match &self.segments[k] {
                _ if take == 0 => Box::new(std::iter::empty()),
                Segment::Single(t) => Box::new(std::iter::once(*t)),
                Segment::Plain {
                    from,
                    offset,
                    second_until,
                    ..
                } => {
                    let (offset, second_until) = (*offset, *second_until);
                    let start = if skip == 0 {
                        Some(*from)
                    } else {
                        self.cron.nth_at_or_after(*from, skip)
                    };
                    match start {
                        Some(c) => Box::new(
                            self.cron
                                .iter_from(c)
                                .take(usize::try_from(take).unwrap_or(usize::MAX))
                                .map(move |c| plain_tick(c, offset, second_until)),
                        ),
                        None => Box::new(std::iter::empty()),
                    }
                }
            };
            it
        })
    }
}

fn plain_tick(c: Civil, offset: OffsetSecs, second_until: Civil) -> Tick {
    Tick {
        instant: c.secs() - i64::from(offset),
        offset,
        second_occurrence: c < second_until,
        shifted: false,
    }
}

/// Civil fires in `[from, to)` (a DST gap or fold: at most a few hours).
fn fires_in(cron: &Cron, from: Civil, to: Civil) -> Vec<Civil> {
    cron.iter_from(from)
        .take_while(|c| *c < to)
        .take(100_000)
        .collect()
}

/// Ticks `from..to` of a list (clamped to it).
fn slice(v: &[Tick], from: u64, to: u64) -> &[Tick] {
    let a = usize::try_from(from).unwrap_or(usize::MAX).min(v.len());
    let b = usize::try_from(to)
        .unwrap_or(usize::MAX)
        .min(v.len())
        .max(a);
    &v[a..b]
}

/// A series: one of the shapes engines produce.
#[derive(Debug, Clone)]
pub(crate) enum Series {
    /// `first + k * step` for `k < len`: at a fixed offset (Polyaxon, Mage), or with
    /// the offset of `zone` at each instant (the generic engine's sub-day steps).
    Step {
        first: i64,
        step: i64,
        len: u64,
        offset: OffsetSecs,
        zone: Option<Zone>,
    },
    /// Ticks computed one by one (calendar steps): bounded by the years supported.
    List(Vec<Tick>),
    /// A cron schedule in a zone.
    Cron(Box<CronSeries>),
    /// Ticks an engine's own arithmetic produced one by one, with the DST events around
    /// them (dagster's clock).
    Listed(Box<(Vec<Tick>, Vec<DstEvent>)>),
}

impl Series {
    pub fn len(&self) -> u64 {
        match self {
            Series::Step { len, .. } => *len,
            Series::List(v) => v.len() as u64,
            Series::Listed(l) => l.0.len() as u64,
            Series::Cron(c) => c.len(),
        }
    }

    pub fn get(&self, i: u64) -> Option<Tick> {
        match self {
            Series::Step {
                first,
                step,
                len,
                offset,
                zone,
            } => (i < *len).then(|| {
                let at = first + i64::try_from(i).unwrap_or(i64::MAX) * step;
                Tick::plain(at, zone.map_or(*offset, |z| z.offset_at(at)))
            }),
            Series::List(v) => usize::try_from(i).ok().and_then(|i| v.get(i)).copied(),
            Series::Listed(l) => usize::try_from(i).ok().and_then(|i| l.0.get(i)).copied(),
            Series::Cron(c) => c.get(i),
        }
    }

    pub fn iter_range(&self, from: u64, to: u64) -> Box<dyn Iterator<Item = Tick> + '_> {
        let to = to.min(self.len());
        match self {
            Series::Step {
                first,
                step,
                offset,
                zone,
                ..
            } => {
                let (first, step, offset, zone) = (*first, *step, *offset, *zone);
                Box::new((from..to).map(move |i| {
                    let at = first + i64::try_from(i).unwrap_or(i64::MAX) * step;
                    Tick::plain(at, zone.map_or(offset, |z| z.offset_at(at)))
                }))
            }
            Series::List(v) => Box::new(slice(v, from, to).iter().copied()),
            Series::Listed(l) => Box::new(slice(&l.0, from, to).iter().copied()),
            Series::Cron(c) => Box::new(c.iter_range(from, to)),
        }
    }

    /// Index of the first tick at or after `instant`.
    pub fn first_at_or_after(&self, instant: i64) -> u64 {
        match self {
            Series::Step {
                first, step, len, ..
            } => {
                if instant <= *first || *step <= 0 {
                    0
                } else {
                    let k = (instant - first + step - 1) / step;
                    u64::try_from(k).unwrap_or(u64::MAX).min(*len)
                }
            }
            Series::List(v) => v.partition_point(|t| t.instant < instant) as u64,
            Series::Listed(l) => l.0.partition_point(|t| t.instant < instant) as u64,
            Series::Cron(c) => c.first_at_or_after(instant),
        }
    }

    pub fn events(&self) -> &[DstEvent] {
        match self {
            Series::Cron(c) => c.events(),
            Series::Listed(l) => &l.1,
            _ => &[],
        }
    }

    /// Find the ticks of each DST event (see [`CronSeries::locate_events`]).
    pub fn locate_events(&mut self) {
        if let Series::Cron(c) = self {
            c.locate_events();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cron::CronDialect;
    use crate::time::{format_rfc3339, parse_moment, UtcAs};

    fn instant(s: &str, zone: Zone) -> i64 {
        parse_moment(s).unwrap().instant_in(zone)
    }

    fn series(
        expr: &str,
        zone: &str,
        from: &str,
        to: &str,
        gap: GapRule,
        fold: FoldRule,
    ) -> Vec<String> {
        let zone = Zone::parse(zone).unwrap();
        let cron = Cron::parse(expr, CronDialect::Generic).unwrap();
        let s = CronSeries::new(
            cron,
            zone,
            DstPolicy { gap, fold },
            instant(from, zone),
            instant(to, zone),
        );
        let all: Vec<Tick> = s.iter_range(0, s.len()).collect();
        // Random access agrees with iteration.
        for (i, t) in all.iter().enumerate() {
            assert_eq!(s.get(i as u64), Some(*t));
        }
        assert_eq!(all.len() as u64, s.len());
        all.iter()
            .map(|t| format_rfc3339(t.instant, t.offset, UtcAs::Z))
            .collect()
    }

    #[test]
    fn croniter_shifts_the_gap_and_runs_the_fold_twice() {
        let got = series(
            "30 2 * * *",
            "America/New_York",
            "2025-03-07T00:00",
            "2025-03-11T00:00",
            GapRule::Shift,
            FoldRule::Both,
        );
        assert_eq!(
            got,
            [
                "2025-03-07T02:30:00-05:00",
                "2025-03-08T02:30:00-05:00",
                "2025-03-09T03:00:00-04:00",
                "2025-03-10T02:30:00-04:00"
            ]
        );
        let got = series(
            "*/30 * * * *",
            "America/New_York",
            "2025-11-02T00:01",
            "2025-11-02T03:00",
            GapRule::Shift,
            FoldRule::Both,
        );
        assert_eq!(
            got,
            [
                "2025-11-02T00:30:00-04:00",
                "2025-11-02T01:00:00-04:00",
                "2025-11-02T01:30:00-04:00",
                "2025-11-02T01:00:00-05:00",
                "2025-11-02T01:30:00-05:00",
                "2025-11-02T02:00:00-05:00",
                "2025-11-02T02:30:00-05:00"
            ]
        );
        let got = series(
            "*/30 * * * *",
            "America/New_York",
            "2025-03-09T01:01",
            "2025-03-09T04:00",
            GapRule::Shift,
            FoldRule::Both,
        );
        assert_eq!(
            got,
            [
                "2025-03-09T01:30:00-05:00",
                "2025-03-09T03:00:00-04:00",
                "2025-03-09T03:30:00-04:00"
            ]
        );
    }

    #[test]
    fn kestra_skips_the_gap_and_runs_a_fixed_fold_once() {
        let got = series(
            "0 2 * * *",
            "America/New_York",
            "2024-03-09T00:00",
            "2024-03-12T00:00",
            GapRule::Skip,
            FoldRule::Earlier,
        );
        assert_eq!(
            got,
            ["2024-03-09T02:00:00-05:00", "2024-03-11T02:00:00-04:00"]
        );
        let got = series(
            "30 1 * * *",
            "America/New_York",
            "2024-11-02T00:00",
            "2024-11-05T00:00",
            GapRule::Skip,
            FoldRule::Earlier,
        );
        assert_eq!(
            got,
            [
                "2024-11-02T01:30:00-04:00",
                "2024-11-03T01:30:00-04:00",
                "2024-11-04T01:30:00-05:00"
            ]
        );
    }

    #[test]
    fn later_fold_marks_second_occurrences() {
        let zone = Zone::parse("America/New_York").unwrap();
        let cron = Cron::parse("0 * * * *", CronDialect::Generic).unwrap();
        let mut s = CronSeries::new(
            cron,
            zone,
            DstPolicy {
                gap: GapRule::Shift,
                fold: FoldRule::Both,
            },
            instant("2024-11-03T00:00", zone),
            instant("2024-11-03T04:00", zone),
        );
        s.locate_events();
        let seconds: Vec<bool> = s
            .iter_range(0, s.len())
            .map(|t| t.second_occurrence)
            .collect();
        assert_eq!(seconds, [false, false, true, false, false]);
        assert_eq!(s.events().len(), 1);
        assert_eq!(s.events()[0].ticks, [1, 2]);
    }

    #[test]
    fn pages_start_anywhere() {
        let zone = Zone::parse("Europe/London").unwrap();
        let cron = Cron::parse("*/15 * * * *", CronDialect::Generic).unwrap();
        let s = CronSeries::new(
            cron,
            zone,
            DstPolicy {
                gap: GapRule::Skip,
                fold: FoldRule::Both,
            },
            instant("2024-03-30T00:00", zone),
            instant("2024-04-02T00:00", zone),
        );
        let all: Vec<Tick> = s.iter_range(0, s.len()).collect();
        for from in [0u64, 1, 7, 95, 96, 97, 200] {
            let page: Vec<Tick> = s.iter_range(from, from + 10).collect();
            assert_eq!(
                page,
                all[from as usize..(from as usize + 10).min(all.len())]
            );
        }
        assert!(all.windows(2).all(|w| w[0].instant < w[1].instant));
    }
}
