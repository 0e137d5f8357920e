//! The application shell and its routes: the planning page (`/`), the backfills
//! (`/backfills`) and one backfill (`/backfills/:id`).

use crate::components::backfills::backfill_detail::BackfillDetail;
use crate::components::backfills::backfill_list::BackfillList;
use crate::components::editor::diagnostics_list::DiagnosticsList;
use crate::components::editor::examples_menu::ExamplesMenu;
use crate::components::editor::form_mode::FormMode;
use crate::components::editor::pickers::{DialectPicker, EnginePicker, WindowFields};
use crate::components::editor::text_editor::Editor;
use crate::components::export::export_menu::ExportMenu;
use crate::components::plan::summary::Summary;
use crate::components::plan::tabs::PlanTabs;
use crate::components::share::keep_state::KeepState;
use crate::components::share::now_badge::NowBadge;
use crate::components::share::share_button::ShareButton;
use crate::components::share::start_over::StartOver;
use crate::components::shell::health_badge::HealthBadge;
use crate::components::submit::settings_panel::SettingsPanel;
use crate::components::submit::submit_button::SubmitButton;
use crate::components::submit::submit_result::SubmitResult;
use crate::examples::EXAMPLES;
use crate::route::{provide_location, Page, A};
use crate::state::{provide_state, use_state, InputMode};
use leptos::prelude::*;

/// The whole app.
#[component]
pub fn App() -> impl IntoView {
    let location = provide_location();
    let link_problem = provide_state(EXAMPLES[4].text);
    let page = Memo::new(move |_| location.page());
    view! {
            <div class="app" data-testid="app">
                <a class="skip" href="#main">"Skip to the content"</a>
                <header class="topbar">
                    <h1 class="brand">"Backfill Planner"</h1>
                    <nav class="nav" aria-label="Pages">
                        <A href="/" exact=true attr:data-testid="nav-planner">"Plan"</A>
                        <A href="/backfills" attr:data-testid="nav-backfills">"Backfills"</A>
                    </nav>
                    <p class="tagline">"See exactly which runs your orchestrator will create, before you submit."</p>
                    <HealthBadge/>
                    <SettingsPanel/>
                </header>
                {link_problem.map(|p| view! { <p class="banner note-err" role="alert">{format!("This link could not be restored: {p}.")}</p> })}
                {move || match page.get() {
                    Page::Planner => view! { <PlannerPage/> }.into_any(),
                    Page::List => view! { <BackfillList/> }.into_any(),
                    Page::Detail => view! { <BackfillDetail/> }.into_any(),
                    Page::NotFound => view! { <p class="content">"No such page. "<A href="/">"Plan a backfill"</A></p> }.into_any(),
                }}
            </div>
    }
}

/// The planning page.
#[component]
fn PlannerPage() -> impl IntoView {
    view! {
        <KeepState/>
        <main class="page" id="main">
            <InputPanel/>
            <section class="plan-panel" aria-label="Plan">
                <div class="toolbar">
                    <ExportMenu/>
                    <ShareButton/>
                    <span class="spacer"></span>
                    <SubmitButton/>
                </div>
                <SubmitResult/>
                <Summary/>
                <PlanTabs/>
            </section>
        </main>
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
            <div class="input-head">
                <ExamplesMenu/>
                <StartOver/>
            </div>
            <NowBadge/>
            <div class="pickers">
                <DialectPicker/>
                <EnginePicker/>
                <div class="tabs small" role="tablist" aria-label="Input mode">
                    {mode_button(InputMode::Text, "Text", "text")}
                    {mode_button(InputMode::Form, "Form", "form")}
                </div>
            </div>
            <WindowFields/>
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
