//! The batch list: every batch (virtualised), its wave, slot, size and range.

use crate::components::plan::virtual_rows::VirtualRows;
use crate::present::cell;
use crate::state::use_state;
use leptos::prelude::*;

/// The batch list.
#[component]
pub fn BatchList() -> impl IntoView {
    let state = use_state();
    let count = Signal::derive(move || {
        state
            .planned
            .with(|p| p.0.plan.as_ref().map_or(0, |p| p.batch_count()))
    });
    let header = view! {
        <span role="columnheader" class="c-num">"#"</span>
        <span role="columnheader">"wave · slot"</span>
        <span role="columnheader">"size"</span>
        <span role="columnheader">"runs"</span>
        <span role="columnheader">"first"</span>
        <span role="columnheader">"last"</span>
        <span role="columnheader">"tags"</span>
    };
    let render = move |from: u64, to: u64| {
        let shared = state.planned.get();
        let Some(p) = shared.0.plan.as_ref() else {
            return ().into_any();
        };
        let concurrency = state
            .facts
            .with(|f| f.as_ref().map_or(1, |f| f.concurrency));
        (from..to)
            .filter_map(|i| p.batch(i))
            .map(|b| {
                let tags = b.tags.iter().map(|(k, v)| format!("{k}={}", cell(v))).collect::<Vec<_>>().join(" ");
                let first_run = b.run_indices.start;
                let tags_title = tags.clone();
                let (first_title, last_title) = (b.first.clone(), b.last.clone());
                view! {
                    <div class="vrow" role="row" aria-rowindex=b.index + 2 data-testid="batch-row">
                        <span role="cell" class="c-num">{b.index}</span>
                        <span role="cell">{format!("{} · {}", b.wave, b.index % concurrency)}</span>
                        <span role="cell">{b.size}</span>
                        <span role="cell">
                            <button type="button" class="link" on:click=move |_| state.show_run(first_run)>
                                {format!("{}–{}", b.run_indices.start, b.run_indices.end - 1)}
                            </button>
                        </span>
                        <span role="cell" title=first_title>{b.first}</span>
                        <span role="cell" title=last_title>{b.last}</span>
                        <span role="cell" title=tags_title>{tags}</span>
                    </div>
                }
            })
            .collect_view()
            .into_any()
    };
    view! {
        <VirtualRows
            count=count
            render=render
            header=header
            scroll_to=Signal::derive(|| None)
            columns="5rem 7rem 5rem 10rem 15.5rem 15.5rem 32rem".to_owned()
            testid="batches"
            label="Batches"
        />
    }
}
