//! The dialect and engine pickers: what was detected, and an override.

use crate::state::use_state;
use backfill_core::{Dialect, Engine};
use leptos::prelude::*;

/// The dialect picker: "detected" plus every dialect.
#[component]
pub fn DialectPicker() -> impl IntoView {
    let state = use_state();
    let detected = move || {
        let planned = state.planned.get();
        format!("Detected: {}", planned.0.dialect.label())
    };
    view! {
        <label class="picker">
            <span>"Dialect"</span>
            <select
                data-testid="dialect"
                on:change=move |ev| state.dialect.set(Dialect::parse(&event_target_value(&ev)))
                prop:value=move || state.dialect.get().map_or("", Dialect::name)
            >
                <option value="">{detected}</option>
                {Dialect::ALL
                    .iter()
                    .map(|d| view! { <option value=d.name()>{d.label()}</option> })
                    .collect_view()}
            </select>
        </label>
    }
}

/// The engine picker: "as the input says" plus every engine.
#[component]
pub fn EnginePicker() -> impl IntoView {
    let state = use_state();
    let from_input = move || {
        let planned = state.planned.get();
        match planned.0.plan.as_ref() {
            Some(p) if state.engine.get().is_none() => {
                format!("As the input says ({})", p.engine())
            }
            _ => "As the input says".to_owned(),
        }
    };
    // Which engine code the preview reproduces: the picked engine, else the plan's.
    let reproduces = move || {
        let planned = state.planned.get();
        state
            .engine
            .get()
            .or_else(|| planned.0.plan.as_ref().map(|p| p.engine()))
            .map(|e| format!("reproduces {}", e.reproduces()))
            .unwrap_or_default()
    };
    view! {
        <label class="picker">
            <span>"Engine"</span>
            <select
                data-testid="engine"
                on:change=move |ev| state.engine.set(Engine::parse(&event_target_value(&ev)))
                prop:value=move || state.engine.get().map_or("", Engine::name)
            >
                <option value="">{from_input}</option>
                {Engine::ALL
                    .iter()
                    .map(|e| view! { <option value=e.name()>{e.name()}</option> })
                    .collect_view()}
            </select>
            <span class="engine-version" data-testid="engine-version">{reproduces}</span>
        </label>
    }
}

/// The backfill's window, for a text that holds none (an Airflow DAG file): the
/// request's `from_date` and `to_date`, shown when such a text is planned.
#[component]
pub fn WindowFields() -> impl IntoView {
    let state = use_state();
    let needed = move || state.planned.with(|p| p.0.dialect == Dialect::AirflowDag);
    let field = move |label: &'static str, id: &'static str, first: bool| {
        view! {
            <label class="picker">
                <span>{label}</span>
                <input
                    type="text"
                    data-testid=id
                    placeholder="2024-01-01T00:00:00+00:00"
                    spellcheck="false"
                    prop:value=move || {
                        let w = state.window.get();
                        if first { w.0 } else { w.1 }
                    }
                    on:input=move |ev| {
                        let v = event_target_value(&ev);
                        state.window.update(|w| if first { w.0 = v } else { w.1 = v });
                    }
                />
            </label>
        }
    };
    view! {
        <div class="pickers window-fields" class:hidden=move || !needed() data-testid="window-fields">
            {field("From date", "window-start", true)}
            {field("To date", "window-end", false)}
            <span class="hint">"The backfill's from_date and to_date; a date-time without an offset is UTC, as airflow's API reads it."</span>
        </div>
    }
}
