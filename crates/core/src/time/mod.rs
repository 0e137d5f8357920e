//! Time: zones, daylight-saving time, parsing and formatting.
//!
//! This is the only module that names the date/time crates (chrono and chrono-tz);
//! everything else uses its types:
//!
//! - [`Civil`]: a wall-clock time with no zone (what cron expressions match);
//! - an *instant*: seconds since the Unix epoch, UTC, as a plain `i64`;
//! - [`Zone`]: an IANA time zone, which maps instants to civil times and back.
//!
//! ## Gaps and folds
//! Going from civil time to an instant is where daylight-saving time bites. When clocks
//! spring forward, an hour of civil times never happens (a *gap*: `02:30` on
//! 2024-03-10 in New York); when they fall back, an hour happens twice (a *fold*:
//! `01:30` on 2024-11-03 is first `-04:00`, then `-05:00`). [`Resolver::resolve`] says
//! which case a civil time is in; what an engine does about it (skip the run, shift it,
//! run it once or twice) is the engine profile's choice, not this module's.

pub mod civil;
mod format;
mod parse;
mod zone;

pub use civil::Civil;
pub use format::{
    format_date, format_python_iso, format_python_str, format_rfc3339, strftime, UtcAs,
};
pub use parse::{parse_duration, parse_moment, Moment};
pub use zone::{Local, OffsetSecs, Resolver, Transition, Zone};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_zone_keeps_its_last_rule_after_2099() {
        // The expected values are Python 3.11 zoneinfo's (tzdata 2025.2), run:
        // chrono-tz stops listing transitions at the end of 2099.
        let at = |y, m, d, hh, mm| Civil::from_ymd_hms(y, m, d, hh, mm, 0).unwrap().secs();
        let t = |zone: &str, y: i32| -> Vec<(i64, OffsetSecs)> {
            let z = Zone::parse(zone).unwrap();
            z.transitions(at(y, 1, 1, 0, 0), at(y + 1, 1, 1, 0, 0))
                .iter()
                .map(|t| (t.at, t.after))
                .collect()
        };
        assert_eq!(
            t("Europe/Berlin", 2100),
            [
                (at(2100, 3, 28, 1, 0), 7200),
                (at(2100, 10, 31, 1, 0), 3600)
            ]
        );
        assert_eq!(
            t("Europe/Berlin", 2345),
            [
                (at(2345, 3, 25, 1, 0), 7200),
                (at(2345, 10, 28, 1, 0), 3600)
            ]
        );
        assert_eq!(
            t("Australia/Lord_Howe", 2100),
            [
                (at(2100, 4, 3, 15, 0), 37_800),
                (at(2100, 10, 2, 15, 30), 39_600)
            ]
        );
        let berlin = Zone::parse("Europe/Berlin").unwrap();
        assert_eq!(berlin.offset_at(at(2100, 7, 1, 0, 0)), 7200);
        assert_eq!(berlin.offset_at(at(9999, 7, 1, 0, 0)), 7200);
        assert_eq!(berlin.dst_at(at(2100, 7, 1, 0, 0)), 3600);
        // Zones whose changes end before 2100 keep their last offset.
        for (zone, offset) in [("Africa/Casablanca", 3600), ("America/Sao_Paulo", -10_800)] {
            assert!(t(zone, 2101).is_empty(), "{zone}");
            assert_eq!(
                Zone::parse(zone).unwrap().offset_at(at(2150, 6, 1, 0, 0)),
                offset
            );
        }
        // One call over centuries finds every year's pair of changes.
        let all = berlin.transitions(at(2000, 1, 1, 0, 0), at(2400, 1, 1, 0, 0));
        assert_eq!(all.len(), 800);
    }

    #[test]
    fn fixed_offsets_are_zones_without_transitions() {
        let z = Zone::parse("+05:30").unwrap();
        assert_eq!(z.name(), "+05:30");
        assert_eq!(z.offset_at(0), 19_800);
        assert!(z.transitions(0, 400 * 86_400).is_empty());
        assert_eq!(Zone::parse("-0330").unwrap().offset_at(0), -12_600);
        assert_eq!(Zone::parse("UTC+14:00").unwrap().name(), "+14:00");
        assert_eq!(Zone::parse("+00:00"), Some(Zone::UTC));
        for bad in ["+5:30", "+24:00", "+05:60", "05:30", "+05:3", "+05:30:00"] {
            assert_eq!(Zone::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn percent_z_writes_the_seconds_of_a_local_mean_time_offset() {
        let c = Civil::from_secs(0);
        assert_eq!(strftime(c, 36_292, Zone::UTC, "%z"), "+100452");
        assert_eq!(strftime(c, -18_000, Zone::UTC, "%z"), "-0500");
    }

    fn civil(s: &str) -> Civil {
        parse_moment(s).unwrap().civil
    }

    #[test]
    fn new_york_transitions_in_2024_are_found_to_the_second() {
        let ny = Zone::parse("America/New_York").unwrap();
        let from = civil("2024-01-01").secs();
        let to = civil("2025-01-01").secs();
        let t = ny.transitions(from, to);
        assert_eq!(t.len(), 2);
        assert_eq!(
            format_rfc3339(t[0].at, t[0].after, UtcAs::Z),
            "2024-03-10T03:00:00-04:00"
        );
        assert_eq!((t[0].before, t[0].after), (-18_000, -14_400));
        assert_eq!(
            format_rfc3339(t[1].at, t[1].after, UtcAs::Z),
            "2024-11-03T01:00:00-05:00"
        );
    }

    #[test]
    fn gaps_and_folds_are_reported() {
        let ny = Zone::parse("America/New_York").unwrap();
        let mut r = ny.resolver(civil("2024-01-01").secs(), civil("2025-01-01").secs());
        assert!(matches!(
            r.resolve(civil("2024-03-10T02:30")),
            Local::Gap {
                offset: -14_400,
                ..
            }
        ));
        match r.resolve(civil("2024-11-03T01:30")) {
            Local::Fold { earlier, later } => {
                assert_eq!(
                    format_rfc3339(earlier.0, earlier.1, UtcAs::Z),
                    "2024-11-03T01:30:00-04:00"
                );
                assert_eq!(
                    format_rfc3339(later.0, later.1, UtcAs::Z),
                    "2024-11-03T01:30:00-05:00"
                );
            }
            other => panic!("expected a fold, got {other:?}"),
        }
        // Going back in time still answers correctly.
        assert!(matches!(
            r.resolve(civil("2024-03-10T01:59")),
            Local::Single(_, -18_000)
        ));
        assert!(matches!(
            r.resolve(civil("2024-03-10T03:00")),
            Local::Single(_, -14_400)
        ));
    }

    #[test]
    fn lord_howe_shifts_by_thirty_minutes() {
        let lh = Zone::parse("Australia/Lord_Howe").unwrap();
        let mut r = lh.resolver(civil("2024-01-01").secs(), civil("2025-01-01").secs());
        // 2024-10-06 02:00 → 02:30 (+10:30 → +11:00).
        assert!(matches!(
            r.resolve(civil("2024-10-06T02:15")),
            Local::Gap { .. }
        ));
        assert!(matches!(
            r.resolve(civil("2024-10-06T02:30")),
            Local::Single(_, 39_600)
        ));
        // 2024-04-07 02:00 → 01:30: 01:30–02:00 happens twice.
        assert!(matches!(
            r.resolve(civil("2024-04-07T01:45")),
            Local::Fold { .. }
        ));
    }

    #[test]
    fn moments_parse_every_accepted_shape() {
        assert!(parse_moment("2021-05-01").unwrap().date_only);
        assert_eq!(
            parse_moment("2021-05-01 10:00").unwrap().civil,
            civil("2021-05-01T10:00:00")
        );
        assert_eq!(
            parse_moment("2021-05-01T10:00:00+02:00").unwrap().offset,
            Some(7200)
        );
        assert_eq!(
            parse_moment("2021-05-01T10:00:00-0530").unwrap().offset,
            Some(-19_800)
        );
        assert_eq!(
            parse_moment("2021-05-01T10:00:00.250Z").unwrap().nanos,
            250_000_000
        );
        for bad in [
            "2021-5-1",
            "2021-05-01X10:00",
            "2021-05-01T25:00",
            "2021-05-01T10:00+2",
            "yesterday",
        ] {
            assert!(parse_moment(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn durations_parse() {
        assert_eq!(parse_duration("45s"), Some(45));
        assert_eq!(parse_duration("2d"), Some(172_800));
        assert_eq!(parse_duration("P1DT12H"), Some(129_600));
        assert_eq!(parse_duration("-1h"), Some(-3600));
        assert_eq!(parse_duration("5x"), None);
        assert_eq!(parse_duration("PT"), None);
    }

    #[test]
    fn formats_match_python_and_rfc3339() {
        let c = civil("2023-01-02T00:00:00");
        assert_eq!(format_python_str(c, None), "2023-01-02 00:00:00");
        assert_eq!(
            format_python_str(c, Some(19_800)),
            "2023-01-02 00:00:00+05:30"
        );
        assert_eq!(format_python_iso(c, Some(0)), "2023-01-02T00:00:00+00:00");
        let utc = Zone::UTC;
        assert_eq!(
            strftime(civil("2024-11-03T01:00"), -18_000, utc, "%Y-%m-%d-%H:%M%z"),
            "2024-11-03-01:00-0500"
        );
        assert_eq!(
            strftime(civil("2024-01-07"), 0, utc, "%a %b %j %m/%d/%Y"),
            "Sun Jan 007 01/07/2024"
        );
    }

    #[test]
    fn zone_names_are_suggested() {
        assert!(Zone::parse("America/New_York").is_some());
        assert!(Zone::parse("America/NewYork").is_none());
        assert_eq!(Zone::suggest("america/new_york"), Some("America/New_York"));
        assert_eq!(Zone::suggest("Europe/Londn"), Some("Europe/London"));
    }
}
