//! Compare engines: the same input planned by every engine, side by side, and in words
//! what differs and why. Planned only while this view is open.

use crate::present::{compare, count};
use crate::state::use_state;
use backfill_core::{Engine, PlanOptions};
use leptos::prelude::*;

/// The comparison table.
#[component]
pub fn Compare() -> impl IntoView {
    let state = use_state();
    let rows = move || {
        let text = state.planned_text.get();
        let options = PlanOptions {
            dialect: state.dialect.get(),
            now: Some(state.now.get()),
            ..PlanOptions::default()
        };
        let reference = state
            .planned
            .with(|p| p.0.plan.as_ref().map(backfill_core::Plan::engine))
            .or(state.engine.get())
            .unwrap_or(Engine::Generic);
        let results = backfill_core::compare(&text, &options);
        compare(&results, reference)
            .into_iter()
            .map(|c| {
                let class = if c.engine == reference { "cmp-row cmp-current" } else { "cmp-row" };
                view! {
                    <tr class=class data-testid=format!("compare-{}", c.engine)>
                        <th scope="row">{c.engine.name()}</th>
                        <td data-testid="compare-runs">{c.runs.map_or_else(|| "—".to_owned(), count)}</td>
                        <td>{c.batches}</td>
                        <td>{c.first}</td>
                        <td>{c.last}</td>
                        <td class="cmp-words">{c.words}</td>
                    </tr>
                }
            })
            .collect_view()
    };
    view! {
        <div class="compare-wrap">
            <table class="compare" data-testid="compare">
                <caption>"The same input planned by each engine"</caption>
                <thead>
                    <tr>
                        <th scope="col">"engine"</th>
                        <th scope="col">"runs"</th>
                        <th scope="col">"batches"</th>
                        <th scope="col">"first"</th>
                        <th scope="col">"last"</th>
                        <th scope="col">"what differs, and why"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}
