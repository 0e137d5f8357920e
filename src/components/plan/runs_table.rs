//! The runs table: every run of the plan, virtualised (only the rows in view are in
//! the DOM), with the engine's own columns, a marker on warned runs, and a jump box.

use crate::components::plan::virtual_rows::VirtualRows;
use crate::present::{columns, find_run, Column};
use crate::state::use_state;
use leptos::prelude::*;
use std::sync::Arc;

/// The runs table.
#[component]
pub fn RunsTable() -> impl IntoView {
    let state = use_state();
    let plan = Memo::new(move |_| state.planned.get());
    let count =
        Signal::derive(move || plan.with(|p| p.0.plan.as_ref().map_or(0, |p| p.run_count())));
    let cols =
        Memo::new(move |_| plan.with(|p| p.0.plan.as_ref().map(columns).unwrap_or_default()));
    let template = Signal::derive(move || {
        let mut t = String::from("1.8rem 4.8rem");
        cols.with(|c| {
            for col in c {
                t.push(' ');
                t.push_str(col.width());
            }
        });
        t
    });
    let jump_error = RwSignal::new(String::new());
    let query = RwSignal::new(String::new());
    let jump = move || {
        let planned = state.planned.get_untracked();
        let Some(p) = planned.0.plan.as_ref() else {
            return;
        };
        match find_run(p, &query.get_untracked()) {
            Ok(i) => {
                jump_error.set(String::new());
                state.target_run.set(Some(i));
            }
            Err(e) => jump_error.set(e),
        }
    };
    let header = move || {
        view! {
            <span role="columnheader" class="c-flag"><span class="visually-hidden">"warning"</span></span>
            <span role="columnheader" class="c-num">"#"</span>
            {cols.get().iter().map(|c| view! { <span role="columnheader">{c.title()}</span> }).collect_view()}
        }
    };
    let render = move |from: u64, to: u64| {
        let shared = plan.get();
        let Some(p) = shared.0.plan.as_ref() else {
            return ().into_any();
        };
        let cols: Arc<Vec<Column>> = Arc::new(cols.get());
        let warned = state.warned.get();
        let target = state.target_run.get();
        p.runs(from, to)
            .map(|run| {
                let codes = warned.0.get(&run.index).cloned().unwrap_or_default();
                let flag = match (run.dst, codes.is_empty()) {
                    (Some(d), true) => Some(format!("DST: {d}")),
                    (Some(d), false) => Some(format!("DST: {d}; {}", codes.join(", "))),
                    (None, false) => Some(codes.join(", ")),
                    (None, true) => None,
                };
                let class = match (Some(run.index) == target, flag.is_some()) {
                    (true, _) => "vrow row-target",
                    (false, true) => "vrow row-warned",
                    (false, false) => "vrow",
                };
                let cells = cols
                    .iter()
                    .map(|c| {
                        let v = c.value(&run);
                        let title = v.clone();
                        view! { <span role="cell" title=title>{v}</span> }
                    })
                    .collect_view();
                view! {
                    <div class=class role="row" aria-rowindex=run.index + 2 data-testid="run-row" data-index=run.index>
                        <span role="cell" class="c-flag">
                            {flag.map(|f| view! { <span class="flag" title=f.clone() aria-label=format!("warning: {f}")>"⚠"</span> })}
                        </span>
                        <span role="cell" class="c-num">{run.index}</span>
                        {cells}
                    </div>
                }
            })
            .collect_view()
            .into_any()
    };
    view! {
        <div class="runs">
            <form class="jump" on:submit=move |ev| { ev.prevent_default(); jump(); }>
                <label>
                    <span>"Jump to run"</span>
                    <input
                        type="text"
                        data-testid="jump"
                        placeholder="index (e.g. 999999) or date (e.g. 2021-05-01T12:00)"
                        prop:value=move || query.get()
                        on:input=move |ev| query.set(event_target_value(&ev))
                    />
                </label>
                <button type="submit" class="chip">"Go"</button>
                <span class="jump-error" role="status">{move || jump_error.get()}</span>
            </form>
            <VirtualRows
                count=count
                render=render
                header=header
                scroll_to=state.target_run
                columns=template
                testid="runs-table"
                label="Runs"
            />
        </div>
    }
}
