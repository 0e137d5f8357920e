//! The page's shared state: the editor's text (the source of truth), the debounced text
//! the core plans, the pickers, and the plan itself as a memo over them.
//!
//! Every keystroke updates [`AppState::text`] at once, so nothing typed is ever lost;
//! planning waits until typing pauses for [`DEBOUNCE_MS`]. Components read the plan
//! through [`AppState::planned`] and never compute dates themselves.

use crate::present::{self, Facts};
use backfill_core::{Dialect, Engine, PlanOptions, Planned, Severity};
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
    /// "Now" for open windows: the browser's clock when the page loaded.
    pub now: RwSignal<String>,
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
    fn new(initial: &str) -> Self {
        let text = RwSignal::new(initial.to_owned());
        let planned_text = RwSignal::new(initial.to_owned());
        let engine = RwSignal::new(None);
        let dialect = RwSignal::new(None);
        let now = RwSignal::new(browser_now());
        let planned = Memo::new(move |_| {
            let text = planned_text.get();
            let options = PlanOptions {
                engine: engine.get(),
                dialect: dialect.get(),
                now: Some(now.get()),
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
            now,
            planned,
            warned,
            tab: RwSignal::new(Tab::Runs),
            mode: RwSignal::new(InputMode::Text),
            target_run: RwSignal::new(None),
            editor: NodeRef::new(),
            pending: StoredValue::new(None),
        }
    }

    /// The user typed: keep the text now, plan it once typing pauses.
    pub fn edit(&self, value: String) {
        self.text.set(value);
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
        self.replan_now();
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

/// Create the state with `initial` in the editor and share it with every component.
pub fn provide_state(initial: &str) {
    provide_context(AppState::new(initial));
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
fn browser_now() -> String {
    String::from(js_sys::Date::new_0().to_iso_string())
}

/// A Performance API mark (read by `e2e/measure.mjs`).
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
