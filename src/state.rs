//! The page's shared state: the editor's text (the source of truth), the debounced text
//! the core plans, the pickers, and the plan itself as a memo over them.
//!
//! Every keystroke updates [`AppState::text`] at once, so nothing typed is ever lost;
//! planning waits until typing pauses for [`DEBOUNCE_MS`]. Components read the plan
//! through [`AppState::planned`] and never compute dates themselves.

use crate::api::{Failure, Receipt};
use crate::persist::{self, Saved};
use crate::present::{self, Facts};
use backfill_core::{Diagnostic, Dialect, Engine, Now, PlanOptions, Planned, Severity};
use leptos::prelude::*;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

/// How long typing must pause before the text is planned again.
pub const DEBOUNCE_MS: u64 = 150;

/// A planning outcome shared by reference; two values are equal only if they are the
/// same outcome, so every re-plan notifies its readers.
#[derive(Debug, Clone)]
pub struct Shared(pub Arc<Planned>);

impl PartialEq for Shared {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

/// The views of the plan's right-hand panel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    /// The runs table.
    Runs,
    /// The batch list.
    Batches,
    /// The SVG timeline.
    Timeline,
    /// The same window in every engine.
    Compare,
}

impl Tab {
    const ALL: [(Tab, &'static str); 4] = [
        (Tab::Runs, "runs"),
        (Tab::Batches, "batches"),
        (Tab::Timeline, "timeline"),
        (Tab::Compare, "compare"),
    ];

    fn name(self) -> &'static str {
        Tab::ALL
            .iter()
            .find(|(t, _)| *t == self)
            .map_or("runs", |(_, n)| n)
    }

    fn parse(name: &str) -> Tab {
        Tab::ALL
            .iter()
            .find(|(_, n)| *n == name)
            .map_or(Tab::Runs, |(t, _)| *t)
    }
}

/// Where the plan's "now" came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NowSource {
    /// The browser's clock when the page loaded (or when the user asked for it).
    Clock,
    /// Kept from a shared link.
    Link,
    /// Kept from the last draft.
    Draft,
}

/// The left panel: the text or the form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputMode {
    /// The editor.
    Text,
    /// The form over the planner spec's common fields.
    Form,
}

/// Which runs carry a warning, with the codes that name them.
pub type WarnedRuns = Arc<BTreeMap<u64, Vec<String>>>;

/// Everything the page shares.
#[derive(Debug, Clone, Copy)]
pub struct AppState {
    /// The editor's text, updated on every keystroke.
    pub text: RwSignal<String>,
    /// The text last planned (the editor's text once typing pauses).
    pub planned_text: RwSignal<String>,
    /// The engine picked, overriding the input's.
    pub engine: RwSignal<Option<Engine>>,
    /// The dialect picked, overriding the detected one.
    pub dialect: RwSignal<Option<Dialect>>,
    /// The backfill's window for a text that holds none (an Airflow DAG file): the
    /// request's `from_date` and `to_date`, empty when not given.
    pub window: RwSignal<(String, String)>,
    /// "Now" for open windows: the browser's clock when the page loaded, or the one
    /// kept with a link or a draft (so they restore the exact plan).
    pub now: RwSignal<Now>,
    /// Where `now` came from.
    pub now_source: RwSignal<NowSource>,
    /// The backend's diagnostics of the last refused submission (underlined too),
    /// until the text changes.
    pub server_diagnostics: RwSignal<Vec<Diagnostic>>,
    /// The planning outcome of `planned_text`.
    pub planned: Memo<Shared>,
    /// Runs named by a warning (index → codes).
    pub warned: Memo<WarnedRunsEq>,
    /// The summary's facts of the plan (computed once per plan).
    pub facts: Memo<Option<Facts>>,
    /// The right panel's view.
    pub tab: RwSignal<Tab>,
    /// The left panel's view.
    pub mode: RwSignal<InputMode>,
    /// A run to scroll the table to and highlight.
    pub target_run: RwSignal<Option<u64>>,
    /// The editor's text area, so a diagnostic can move its cursor.
    pub editor: NodeRef<leptos::html::Textarea>,
    pending: StoredValue<Option<TimeoutHandle>>,
}

/// [`WarnedRuns`] compared by identity, for a memo.
#[derive(Debug, Clone, Default)]
pub struct WarnedRunsEq(pub WarnedRuns);

impl PartialEq for WarnedRunsEq {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl AppState {
    fn new(initial: &Saved, source: NowSource) -> Self {
        let text = RwSignal::new(initial.text.clone());
        let planned_text = RwSignal::new(initial.text.clone());
        let engine = RwSignal::new(initial.engine.as_deref().and_then(Engine::parse));
        let dialect = RwSignal::new(initial.dialect.as_deref().and_then(Dialect::parse));
        let now = RwSignal::new(initial.now.clone());
        let window = RwSignal::new((initial.start.clone(), initial.end.clone()));
        let planned = Memo::new(move |_| {
            let text = planned_text.get();
            let (start, end) = window.get();
            let given = |s: String| (!s.trim().is_empty()).then(|| s.trim().to_owned());
            let options = PlanOptions {
                engine: engine.get(),
                dialect: dialect.get(),
                now: Some(now.get()),
                start: given(start),
                end: given(end),
                ..PlanOptions::default()
            };
            mark("plan-start");
            let planned = backfill_core::plan(&text, &options);
            measure("plan", "plan-start");
            Shared(Arc::new(planned))
        });
        let warned = Memo::new(move |_| {
            let planned = planned.get();
            let mut map: BTreeMap<u64, Vec<String>> = BTreeMap::new();
            for d in planned
                .0
                .diagnostics
                .iter()
                .filter(|d| d.severity != Severity::Error)
            {
                for r in &d.runs {
                    map.entry(*r).or_default().push(d.code.clone());
                }
            }
            WarnedRunsEq(Arc::new(map))
        });
        let facts = Memo::new(move |_| planned.with(|p| p.0.plan.as_ref().map(present::facts)));
        AppState {
            facts,
            text,
            planned_text,
            engine,
            dialect,
            window,
            now,
            now_source: RwSignal::new(source),
            server_diagnostics: RwSignal::new(Vec::new()),
            planned,
            warned,
            tab: RwSignal::new(Tab::parse(&initial.tab)),
            mode: RwSignal::new(if initial.mode == "form" {
                InputMode::Form
            } else {
                InputMode::Text
            }),
            target_run: RwSignal::new(None),
            editor: NodeRef::new(),
            pending: StoredValue::new(None),
        }
    }

    /// The user typed: keep the text now, plan it once typing pauses.
    pub fn edit(&self, value: String) {
        self.text.set(value);
        self.clear_server_diagnostics();
        if let Some(h) = self.pending.get_value() {
            h.clear();
        }
        let state = *self;
        let handle = set_timeout_with_handle(
            move || {
                state.pending.set_value(None);
                state.replan_now();
            },
            Duration::from_millis(DEBOUNCE_MS),
        )
        .ok();
        self.pending.set_value(handle);
    }

    /// Replace the whole text (an example, the form) and plan it at once.
    pub fn load(&self, value: String) {
        if let Some(h) = self.pending.get_value() {
            h.clear();
        }
        self.pending.set_value(None);
        self.text.set(value);
        self.target_run.set(None);
        self.clear_server_diagnostics();
        self.replan_now();
    }

    fn clear_server_diagnostics(&self) {
        if !self.server_diagnostics.with_untracked(Vec::is_empty) {
            self.server_diagnostics.set(Vec::new());
        }
    }

    /// The whole state, as a link or a draft keeps it (tracks every part).
    #[must_use]
    pub fn snapshot(&self) -> Saved {
        Saved {
            v: 1,
            text: self.planned_text.get(),
            dialect: self.dialect.get().map(|d| d.name().to_owned()),
            engine: self.engine.get().map(|e| e.name().to_owned()),
            now: self.now.get(),
            tab: self.tab.get().name().to_owned(),
            mode: match self.mode.get() {
                InputMode::Text => "text",
                InputMode::Form => "form",
            }
            .to_owned(),
            start: self.window.get().0,
            end: self.window.get().1,
        }
    }

    /// The whole state now, without tracking it. The text is the editor's own, not
    /// the last planned one: a share within the debounce must not drop keystrokes.
    #[must_use]
    pub fn snapshot_untracked(&self) -> Saved {
        let mut saved = untrack(|| self.snapshot());
        saved.text = self.text.get_untracked();
        saved
    }

    /// Use the browser's clock as "now" again.
    pub fn use_current_time(&self) {
        self.now.set(browser_now());
        self.now_source.set(NowSource::Clock);
    }

    /// Start over: an empty editor, no overrides, the current time, and no draft.
    pub fn start_over(&self) {
        persist::clear_draft();
        self.engine.set(None);
        self.dialect.set(None);
        self.window.set((String::new(), String::new()));
        self.use_current_time();
        self.tab.set(Tab::Runs);
        self.mode.set(InputMode::Text);
        self.load(String::new());
    }

    /// Plan the editor's text now; the page's whole update is measured as `update`.
    fn replan_now(&self) {
        mark("update-start");
        let text = self.text.get_untracked();
        if self.planned_text.get_untracked() != text {
            self.planned_text.set(text);
        }
        // Runs after this task and its microtasks: after every reactive update.
        let _ = set_timeout_with_handle(
            || measure("update", "update-start"),
            Duration::from_millis(0),
        );
    }

    /// Show run `index` in the runs table.
    pub fn show_run(&self, index: u64) {
        self.tab.set(Tab::Runs);
        self.target_run.set(Some(index));
    }
}

/// Create the state and share it with every component: the link's state if the URL
/// carries one, else the last draft, else `example` (a link or a draft keeps its "now").
/// Answers a problem with the link, if it could not be read.
pub fn provide_state(example: &str) -> Option<String> {
    let hash = window().location().hash().unwrap_or_default();
    let (from_link, problem) = match persist::from_fragment(&hash) {
        Some(Ok(saved)) => (Some(saved), None),
        Some(Err(e)) => (None, Some(e)),
        None => (None, None),
    };
    let (initial, source) = if let Some(saved) = from_link {
        (saved, NowSource::Link)
    } else if let Some(saved) = persist::load_draft() {
        (saved, NowSource::Draft)
    } else {
        let fresh = Saved {
            v: 1,
            text: example.to_owned(),
            dialect: None,
            engine: None,
            now: browser_now(),
            tab: String::new(),
            mode: String::new(),
            start: String::new(),
            end: String::new(),
        };
        (fresh, NowSource::Clock)
    };
    provide_context(AppState::new(&initial, source));
    provide_context(Settings::new());
    provide_context(Submission::new());
    problem
}

/// Where the backend is and how to authenticate; kept in local storage, never in a link.
#[derive(Debug, Clone, Copy)]
pub struct Settings {
    /// The backend's base URL; empty: the page's origin.
    pub endpoint: RwSignal<String>,
    /// The bearer token; empty: none.
    pub token: RwSignal<String>,
    /// Whether the settings panel is open.
    pub open: RwSignal<bool>,
}

impl Settings {
    fn new() -> Self {
        Settings {
            endpoint: RwSignal::new(persist::load_endpoint()),
            token: RwSignal::new(persist::load_token()),
            open: RwSignal::new(false),
        }
    }

    /// The backend as `api` calls it.
    #[must_use]
    pub fn backend(&self) -> crate::api::Backend {
        crate::api::Backend::new(&self.endpoint.get_untracked(), &self.token.get_untracked())
    }
}

/// The settings.
///
/// # Panics
/// Outside the app.
#[must_use]
pub fn use_settings() -> Settings {
    expect_context::<Settings>()
}

/// Where a submission stands.
#[derive(Debug, Clone, PartialEq)]
pub enum Phase {
    /// Nothing submitted yet.
    Idle,
    /// The request is in flight.
    Sending,
    /// Stored (or, `replayed`, stored before under the same key).
    Done {
        /// The backend's answer.
        receipt: Receipt,
        /// An earlier request with the same key had stored it.
        replayed: bool,
    },
    /// Refused, or the backend could not be reached.
    Failed(Failure),
}

/// One intended submission: what was sent and the key that makes retries safe.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Intent {
    /// Everything that identifies the submission (endpoint, text, dialect, engine, now,
    /// digest).
    pub fingerprint: String,
    /// Its `Idempotency-Key`.
    pub key: String,
    /// The run count the preview showed.
    pub runs: u64,
}

/// The submission's state, shared so that it survives leaving the page.
#[derive(Debug, Clone, Copy)]
pub struct Submission {
    /// Where it stands.
    pub phase: RwSignal<Phase>,
    /// The current intent: the same fingerprint reuses its key.
    pub intent: StoredValue<Option<Intent>>,
}

impl Submission {
    fn new() -> Self {
        Submission {
            phase: RwSignal::new(Phase::Idle),
            intent: StoredValue::new(None),
        }
    }

    /// Submit the previewed plan. One `Idempotency-Key` per intended submission: a
    /// second click, or a retry after a failure, sends the same key, so the backend
    /// stores it once; a changed plan (or endpoint) is a new intent with a new key.
    pub fn submit(&self, state: AppState, settings: Settings) {
        if self.phase.with_untracked(|p| matches!(p, Phase::Sending)) {
            return;
        }
        let planned = state.planned.get_untracked();
        let Some(plan) = planned.0.plan.as_ref() else {
            return;
        };
        let body = crate::api::SubmissionBody {
            source: plan.source().text.clone(),
            dialect: planned.0.dialect.name().to_owned(),
            engine: plan.engine().name().to_owned(),
            now: state.now.get_untracked().to_string(),
            start: untrack(|| state.window.get().0).trim().to_owned(),
            end: untrack(|| state.window.get().1).trim().to_owned(),
            digest: plan.digest(),
            title: state.facts.with_untracked(|f| {
                f.as_ref().map(|f| {
                    format!(
                        "{}: {} runs, {} → {}",
                        plan.engine(),
                        f.runs,
                        f.first,
                        f.last
                    )
                })
            }),
        };
        let backend = settings.backend();
        let fingerprint = format!(
            "{}\n{}",
            settings.endpoint.get_untracked(),
            serde_json::to_string(&body).unwrap_or_default()
        );
        let runs = plan.run_count();
        let key = self.intent.with_value(|i| match i {
            Some(i) if i.fingerprint == fingerprint => i.key.clone(),
            _ => new_key(),
        });
        self.intent.set_value(Some(Intent {
            fingerprint,
            key: key.clone(),
            runs,
        }));
        self.phase.set(Phase::Sending);
        let phase = self.phase;
        leptos::task::spawn_local(async move {
            let outcome = crate::api::submit(&backend, &key, &body).await;
            let next = match outcome {
                Ok((receipt, replayed)) => Phase::Done { receipt, replayed },
                Err(failure) => {
                    if let Failure::Api(e) = &failure {
                        if e.status == 401 {
                            settings.open.set(true);
                        }
                        let same_text = state.text.with_untracked(|t| *t == body.source);
                        if !e.diagnostics.is_empty() && same_text {
                            state.server_diagnostics.set(e.diagnostics.clone());
                        }
                    }
                    Phase::Failed(failure)
                }
            };
            phase.set(next);
        });
    }

    /// The run count the preview showed for the current intent.
    #[must_use]
    pub fn previewed_runs(&self) -> Option<u64> {
        self.intent.with_value(|i| i.as_ref().map(|i| i.runs))
    }
}

/// A fresh `Idempotency-Key`: the time and 53 random bits.
fn new_key() -> String {
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let (time, random) = (
        js_sys::Date::now() as u64,
        (js_sys::Math::random() * 9_007_199_254_740_992.0) as u64,
    );
    format!("bp-{time:x}-{random:014x}")
}

/// The submission's state.
///
/// # Panics
/// Outside the app.
#[must_use]
pub fn use_submission() -> Submission {
    expect_context::<Submission>()
}

/// The page's state.
///
/// # Panics
/// Outside the app (no state was provided).
#[must_use]
pub fn use_state() -> AppState {
    expect_context::<AppState>()
}

/// The browser's clock as RFC 3339 (UTC, milliseconds).
pub fn browser_now() -> Now {
    let date = js_sys::Date::new_0();
    String::from(date.to_iso_string())
        .parse()
        .unwrap_or_else(|_| Now::at((date.get_time() / 1000.0) as i64))
}

/// A Performance API mark (read by `tests/e2e/measure.mjs`).
fn mark(name: &str) {
    if let Some(p) = window().performance() {
        let _ = p.mark(name);
    }
}

/// A Performance API measure from mark `start` to now.
fn measure(name: &str, start: &str) {
    if let Some(p) = window().performance() {
        let _ = p.measure_with_start_mark(name, start);
    }
}
