//! The plan's views as tabs: runs, batches, timeline, compare.

use crate::components::plan::batches::BatchList;
use crate::components::plan::compare::Compare;
use crate::components::plan::runs_table::RunsTable;
use crate::components::plan::timeline::Timeline;
use crate::state::{use_state, Tab};
use leptos::prelude::*;

/// The tab bar and the selected view.
#[component]
pub fn PlanTabs() -> impl IntoView {
    let state = use_state();
    let tab = move |t: Tab, label: &'static str, id: &'static str| {
        view! {
            <button
                type="button"
                role="tab"
                id=format!("tab-{id}")
                data-testid=format!("tab-{id}")
                aria-selected=move || (state.tab.get() == t).to_string()
                aria-controls="plan-view"
                on:click=move |_| state.tab.set(t)
            >
                {label}
            </button>
        }
    };
    view! {
        <div class="tabs" role="tablist" aria-label="Plan views">
            {tab(Tab::Runs, "Runs", "runs")}
            {tab(Tab::Batches, "Batches", "batches")}
            {tab(Tab::Timeline, "Timeline", "timeline")}
            {tab(Tab::Compare, "Compare engines", "compare")}
        </div>
        <div class="plan-view" id="plan-view" role="tabpanel">
            {move || match state.tab.get() {
                Tab::Runs => view! { <RunsTable/> }.into_any(),
                Tab::Batches => view! { <BatchList/> }.into_any(),
                Tab::Timeline => view! { <Timeline/> }.into_any(),
                Tab::Compare => view! { <Compare/> }.into_any(),
            }}
        </div>
    }
}
