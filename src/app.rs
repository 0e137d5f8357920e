//! The application shell and the planning page.

use crate::components::editor::diagnostics_list::DiagnosticsList;
use crate::components::editor::examples_menu::ExamplesMenu;
use crate::components::editor::form_mode::FormMode;
use crate::components::editor::pickers::{DialectPicker, EnginePicker};
use crate::components::editor::text_editor::Editor;
use crate::components::plan::summary::Summary;
use crate::components::plan::tabs::PlanTabs;
use crate::components::shell::health_badge::HealthBadge;
use crate::examples::EXAMPLES;
use crate::state::{provide_state, use_state, InputMode};
use leptos::prelude::*;

/// The whole app.
#[component]
pub fn App() -> impl IntoView {
    provide_state(EXAMPLES[4].text);
    view! {
        <div class="app" data-testid="app">
            <a class="skip" href="#editor">"Skip to the editor"</a>
            <header class="topbar">
                <h1 class="brand">"Backfill Planner"</h1>
                <p class="tagline">"See exactly which runs your orchestrator will create, before you submit."</p>
                <HealthBadge/>
            </header>
            <main class="page" id="main">
                <InputPanel/>
                <section class="plan-panel" aria-label="Plan">
                    <Summary/>
                    <PlanTabs/>
                </section>
            </main>
        </div>
    }
}

/// The left side: examples, pickers, the text or the form, and the diagnostics.
#[component]
fn InputPanel() -> impl IntoView {
    let state = use_state();
    let mode_button = move |m: InputMode, label: &'static str, id: &'static str| {
        view! {
            <button
                type="button"
                role="tab"
                data-testid=format!("mode-{id}")
                aria-selected=move || (state.mode.get() == m).to_string()
                on:click=move |_| state.mode.set(m)
            >
                {label}
            </button>
        }
    };
    view! {
        <section class="input-panel" aria-label="Input">
            <ExamplesMenu/>
            <div class="pickers">
                <DialectPicker/>
                <EnginePicker/>
                <div class="tabs small" role="tablist" aria-label="Input mode">
                    {mode_button(InputMode::Text, "Text", "text")}
                    {mode_button(InputMode::Form, "Form", "form")}
                </div>
            </div>
            <div class="input-view">
                <div class="input-text" class:hidden=move || state.mode.get() != InputMode::Text>
                    <Editor/>
                </div>
                {move || (state.mode.get() == InputMode::Form).then(|| view! { <FormMode/> })}
            </div>
            <DiagnosticsList/>
        </section>
    }
}
