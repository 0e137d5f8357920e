//! Property tests of the plan's invariants (SPEC.md, reliability targets): runs sorted
//! per `order` and unique, inside the window per the engine's bounds, batches that
//! partition the runs exactly and respect `max_per_run`, `select`/`exclude` honoured,
//! and pages that agree with single runs.
#![allow(clippy::unwrap_used)]

use backfill_core::{parse_moment, plan, Engine, PlanOptions, Zone};
use proptest::prelude::*;

#[derive(Debug, Clone)]
struct Case {
    engine: Engine,
    zone: Option<&'static str>,
    schedule: String,
    start: String,
    end: String,
    bounds: Option<&'static str>,
    strategy: &'static str,
    max: u32,
    concurrency: u32,
    newest_first: bool,
    select: Vec<String>,
    exclude: Vec<String>,
}

impl Case {
    fn text(&self) -> String {
        let mut t = format!("engine: {}\nschedule: {}\n", self.engine, self.schedule);
        if let Some(z) = self.zone {
            t.push_str(&format!("timezone: {z}\n"));
        }
        t.push_str(&format!(
            "window: {{start: \"{}\", end: \"{}\"}}\n",
            self.start, self.end
        ));
        if let Some(b) = self.bounds {
            t.push_str(&format!("bounds: \"{b}\"\n"));
        }
        t.push_str(
            &format!(
                "strategy: {{kind: {}, max_per_run: {}}}\n",
                self.strategy, self.max
            )
            .replace(", max_per_run: 0", ""),
        );
        t.push_str(&format!("concurrency: {}\n", self.concurrency));
        if self.newest_first {
            t.push_str("order: newest_first\n");
        }
        if !self.select.is_empty() {
            t.push_str(&format!("select: [{}]\n", self.select.join(", ")));
        }
        if !self.exclude.is_empty() {
            t.push_str(&format!("exclude: [{}]\n", self.exclude.join(", ")));
        }
        t
    }
}

const ZONES: [&str; 5] = [
    "UTC",
    "America/New_York",
    "Europe/London",
    "Australia/Lord_Howe",
    "Asia/Kolkata",
];

fn date(day: u32) -> String {
    // Days from 2023-01-01, spanning two years with four DST seasons.
    let c = backfill_core::Civil::from_days(19_358 + i64::from(day));
    let (y, m, d) = c.date();
    format!("{y:04}-{m:02}-{d:02}")
}

fn cron_schedule() -> impl Strategy<Value = String> {
    prop_oneof![
        (0u32..60).prop_map(|m| format!("{m} * * * *")),
        prop::sample::select(vec![15u32, 20, 30]).prop_map(|s| format!("*/{s} * * * *")),
        (0u32..60, 0u32..24).prop_map(|(m, h)| format!("{m} {h} * * *")),
        (0u32..24, 0u32..7).prop_map(|(h, d)| format!("30 {h} * * {d}")),
        (1u32..29).prop_map(|d| format!("0 1 {d},L * *").replace(",L", "")),
        (0u32..24).prop_map(|h| format!("0 {h} 1 * 1")),
    ]
    .prop_map(|c| format!("{{cron: \"{c}\"}}"))
}

fn every_schedule(units: &'static [&'static str]) -> impl Strategy<Value = String> {
    (prop::sample::select(units), 1u32..5).prop_map(|(u, n)| {
        let n = if u == "second" {
            n * 900
        } else if u == "minute" {
            n * 20
        } else {
            n
        };
        format!("{{every: {{unit: {u}, count: {n}}}}}")
    })
}

fn partitions_schedule() -> impl Strategy<Value = String> {
    prop_oneof![
        (0u32..60).prop_map(|m| format!("{{partitions: {{kind: hourly, minute_offset: {m}}}}}")),
        (0u32..24, 0u32..60).prop_map(|(h, m)| format!(
            "{{partitions: {{kind: daily, hour_offset: {h}, minute_offset: {m}}}}}"
        )),
        (0u32..7).prop_map(|d| format!("{{partitions: {{kind: weekly, day_offset: {d}}}}}")),
        (1u32..29).prop_map(|d| format!("{{partitions: {{kind: monthly, day_offset: {d}}}}}")),
    ]
}

fn case() -> impl Strategy<Value = Case> {
    let engine = prop::sample::select(vec![
        Engine::Polyaxon,
        Engine::Mage,
        Engine::Kestra,
        Engine::Flyte,
        Engine::Dagster,
        Engine::Airflow,
        Engine::Generic,
    ]);
    engine
        .prop_flat_map(|engine| {
            let schedule = match engine {
                Engine::Polyaxon => {
                    every_schedule(&["second", "minute", "hour", "day", "week"]).boxed()
                }
                Engine::Mage => {
                    every_schedule(&["second", "minute", "hour", "day", "week", "month", "year"])
                        .boxed()
                }
                Engine::Dagster => partitions_schedule().boxed(),
                Engine::Generic | Engine::Airflow => prop_oneof![
                    cron_schedule(),
                    every_schedule(&["minute", "hour", "day", "week", "month"])
                ]
                .boxed(),
                _ => cron_schedule().boxed(),
            };
            let zone = match engine {
                Engine::Polyaxon | Engine::Mage => Just(None).boxed(),
                _ => prop::sample::select(ZONES.to_vec()).prop_map(Some).boxed(),
            };
            let bounds = if engine == Engine::Generic {
                prop::option::of(prop::sample::select(vec!["[)", "[]", "(]", "()"])).boxed()
            } else {
                Just(None).boxed()
            };
            (
                Just(engine),
                zone,
                schedule,
                (0u32..700, 0u32..24, 1u32..(24 * 40), 0u32..4),
                bounds,
                prop::sample::select(vec!["per_run", "multi_run", "single_run"]),
                (1u32..12, 1u32..5, any::<bool>()),
                (
                    prop::collection::vec(0u32..40, 0..3),
                    prop::collection::vec(0u32..40, 0..3),
                ),
            )
        })
        .prop_map(
            |(
                engine,
                zone,
                schedule,
                (day, hour, len_hours, minute_q),
                bounds,
                strategy,
                (max, concurrency, newest),
                (sel, exc),
            )| {
                let start = format!("{}T{hour:02}:{:02}:00", date(day), minute_q * 15);
                let end_day = day + (hour + len_hours) / 24;
                let end = format!(
                    "{}T{:02}:{:02}:00",
                    date(end_day),
                    (hour + len_hours) % 24,
                    (minute_q * 7) % 60
                );
                Case {
                    engine,
                    zone,
                    schedule,
                    start,
                    end,
                    bounds,
                    strategy,
                    max: if strategy == "multi_run" { max } else { 0 },
                    concurrency,
                    newest_first: newest && matches!(engine, Engine::Generic | Engine::Airflow),
                    select: sel.iter().map(|d| date(day + d)).collect(),
                    exclude: exc.iter().map(|d| date(day + d)).collect(),
                }
            },
        )
}

fn instant(s: &str, zone: Option<&str>) -> i64 {
    let m = parse_moment(s).unwrap();
    match zone {
        Some(z) => m.instant_in(Zone::parse(z).unwrap()),
        None => m.civil.secs(),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 384, ..ProptestConfig::default() })]

    #[test]
    fn plans_keep_their_invariants(c in case()) {
        let text = c.text();
        let planned = plan(&text, &PlanOptions { now: Some("2026-01-01T00:00:00Z".parse().unwrap()), ..PlanOptions::default() });
        let Some(p) = planned.plan else {
            // Only well-defined refusals are acceptable here; E0420 is dagster's own
            // (e.g. a selection whose only key has a window past the definition's end:
            // dagster lists the key, drops its window, and fails on the empty subset).
            let codes: Vec<&str> = planned.diagnostics.iter().filter(|d| d.is_error()).map(|d| d.code.as_str()).collect();
            let dagster = if c.engine == Engine::Dagster { "E0420" } else { "" };
            // E0423: airflow finds no fire in a short window and refuses the backfill.
            let airflow = if c.engine == Engine::Airflow { "E0423" } else { "" };
            prop_assert!(codes.iter().all(|c| ["E0413", "E0414", "E0313", "E0317", "E0601", dagster, airflow].contains(c)), "unexpected errors {codes:?} for\n{text}");
            return Ok(());
        };
        let n = p.run_count();
        let instants: Vec<i64> = (0..n).map(|i| p.run_instant(i).unwrap().0).collect();

        // Sorted per order, and unique.
        for w in instants.windows(2) {
            if c.newest_first { prop_assert!(w[0] > w[1], "not strictly decreasing:\n{text}"); }
            else if c.engine != Engine::Dagster || c.strategy != "per_run" { prop_assert!(w[0] < w[1], "not strictly increasing:\n{text}"); }
        }
        let mut unique = instants.clone();
        unique.sort_unstable();
        unique.dedup();
        prop_assert_eq!(unique.len() as u64, n, "duplicate runs:\n{}", text);

        // Inside the window per the engine's bounds.
        let zone = c.zone;
        // Airflow reads a date-time without an offset as UTC, not in the DAG's zone.
        let zone = if c.engine == Engine::Airflow { None } else { zone };
        let (s, e) = (instant(&c.start, zone), instant(&c.end, zone));
        let (si, ei) = match (c.engine, c.bounds) {
            (Engine::Polyaxon, _) => (true, false),
            (Engine::Mage | Engine::Kestra, _) => (true, true),
            (Engine::Flyte, _) => (false, false),
            (Engine::Dagster | Engine::Airflow, _) => (true, true),
            (Engine::Generic, Some(b)) => (b.starts_with('['), b.ends_with(']')),
            (Engine::Generic, None) => (true, false),
        };
        for (i, t) in instants.iter().enumerate() {
            prop_assert!(if si { *t >= s } else { *t > s }, "run {i} before the start:\n{text}");
            prop_assert!(if ei { *t <= e } else { *t < e }, "run {i} after the end:\n{text}");
        }
        if c.engine == Engine::Dagster {
            // A partition exists only if its whole window ends by the end.
            for i in 0..n {
                let r = p.run(i).unwrap();
                let end = parse_moment(r.interval_end.as_deref().unwrap()).unwrap();
                prop_assert!(end.civil.secs() - i64::from(end.offset.unwrap_or(0)) <= e, "partition {i} ends after the end:\n{text}");
            }
        }

        // Batches partition the runs exactly, in order, within max_per_run.
        let mut next = 0;
        for b in p.batches() {
            prop_assert_eq!(b.run_indices.start, next);
            prop_assert!(b.run_indices.end > b.run_indices.start);
            prop_assert_eq!(b.size, b.run_indices.end - b.run_indices.start);
            if c.strategy == "multi_run" { prop_assert!(b.size <= u64::from(c.max), "batch over max:\n{}", text); }
            // Airflow creates one DAG run per date, whatever `strategy` says.
            if c.strategy == "per_run" || c.engine == Engine::Airflow { prop_assert_eq!(b.size, 1); }
            let slots = if c.engine == Engine::Kestra { 1 } else { u64::from(c.concurrency) };
            prop_assert_eq!(b.wave, b.index / slots);
            next = b.run_indices.end;
        }
        prop_assert_eq!(next, n);
        prop_assert_eq!(p.batch_count(), p.batches().count() as u64);
        if c.strategy == "single_run" && !matches!(c.engine, Engine::Dagster | Engine::Airflow) && n > 0 { prop_assert_eq!(p.batch_count(), 1); }

        // select and exclude are honoured (dates match every run on that local day).
        for i in 0..n {
            let day = p.run(i).unwrap().local_time[..10].to_owned();
            prop_assert!(!c.exclude.contains(&day), "excluded {day} planned:\n{text}");
            if !c.select.is_empty() { prop_assert!(c.select.contains(&day), "unselected {day} planned:\n{text}"); }
        }

        // A page agrees with single runs, and the digest is stable.
        let from = n / 3;
        let page: Vec<_> = p.runs(from, from + 25).collect();
        for (k, r) in page.iter().enumerate() {
            prop_assert_eq!(Some(r.clone()), p.run(from + k as u64));
        }
        let again = plan(&text, &PlanOptions { now: Some("2026-01-01T00:00:00Z".parse().unwrap()), ..PlanOptions::default() }).plan.unwrap();
        prop_assert_eq!(p.digest(), again.digest());
    }

    /// Nothing panics or hangs on arbitrary text.
    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,200}") {
        let _ = plan(&text, &PlanOptions::default());
    }

    /// Nor on a valid spec with one byte changed.
    #[test]
    fn mutated_specs_never_panic(pos in 0usize..200, byte in any::<u8>()) {
        let base = "engine: dagster\nschedule: {partitions: {kind: hourly, minute_offset: 15}}\ntimezone: America/New_York\nwindow: {start: 2024-11-01, end: 2024-11-05}\nstrategy: {kind: multi_run, max_per_run: 5}\nselect: [2024-11-03]\n";
        let mut bytes = base.as_bytes().to_vec();
        let i = pos % bytes.len();
        bytes[i] = byte;
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let _ = plan(&text, &PlanOptions::default());
    }
}

const PASTES: [&str; 4] = [
    include_str!("../../../../examples/pasted/polyaxon-hourly.yaml"),
    include_str!("../../../../examples/pasted/kestra-outage.yaml"),
    include_str!("../../../../examples/pasted/mage-window.json"),
    include_str!("../../../../examples/pasted/polyaxon-daily.yaml"),
];

proptest! {
    /// The orchestrators' own pastes with bytes changed, deleted or duplicated never
    /// panic, whatever dialect they end up read as.
    #[test]
    fn mutated_pastes_never_panic(which in 0usize..4, edits in prop::collection::vec((0usize..2000, any::<u8>(), 0u8..3), 1..6)) {
        let mut bytes = PASTES[which].as_bytes().to_vec();
        for (pos, byte, op) in edits {
            if bytes.is_empty() { break; }
            let i = pos % bytes.len();
            match op {
                0 => bytes[i] = byte,
                1 => { bytes.remove(i); }
                _ => { let b = bytes[i]; bytes.insert(i, b); }
            }
        }
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let options = PlanOptions { now: Some("2024-03-28T11:30:00Z".parse().unwrap()), ..PlanOptions::default() };
        let planned = plan(&text, &options);
        for d in &planned.diagnostics {
            if let Some(s) = d.span {
                prop_assert!(s.start <= s.end && s.end <= text.len(), "span out of bounds: {d:?}");
                prop_assert!(s.line >= 1 && s.column >= 1);
            }
        }
        if let Some(p) = planned.plan {
            let n = p.run_count();
            let _ = p.runs(0, n.min(50)).count();
            for t in backfill_core::ExportTarget::all() {
                let _ = p.export(t);
            }
        }
    }
}
