//! One backfill: its state and actions, its batches, and its runs a page at a time
//! (`/backfills/:id?runs_offset=…`).

use crate::api::{self, BackfillDetail as Detail, BackfillItem};
use crate::components::backfills::actions::Actions;
use crate::route::{use_location, A};
use crate::state::use_settings;
use leptos::prelude::*;

/// Runs per page.
const RUNS_PAGE: u64 = 100;

/// The detail page.
#[component]
pub fn BackfillDetail() -> impl IntoView {
    let settings = use_settings();
    let location = use_location();
    let id = move || location.id();
    let offset = move || {
        location
            .query("runs_offset")
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(0)
    };
    let detail = LocalResource::new(move || {
        let (id, offset) = (id(), offset());
        let backend = settings.backend();
        async move { api::detail(&backend, &id, offset, RUNS_PAGE).await }
    });
    view! {
        <section class="backfill content" data-testid="backfill-detail">
            <p><A href="/backfills">"← All backfills"</A></p>
            <Transition fallback=|| view! { <p class="muted">"Loading the backfill…"</p> }>
                {move || detail.get().map(|answer| match answer {
                    Ok(d) => view! { <Shown detail=d/> }.into_any(),
                    Err(e) => view! { <p class="result-err" data-testid="backfill-error">{format!("Cannot read the backfill: {e}")}</p> }.into_any(),
                })}
            </Transition>
        </section>
    }
}

#[component]
fn Shown(detail: Detail) -> impl IntoView {
    let live = RwSignal::new(None::<BackfillItem>);
    let base = detail.item.clone();
    let item = Signal::derive(move || live.get().unwrap_or_else(|| base.clone()));
    let id = detail.item.id.clone();
    let runs = detail.runs.clone();
    let page = move |offset: u64| format!("/backfills/{id}?runs_offset={offset}");
    let prev = (runs.offset > 0).then(|| page(runs.offset.saturating_sub(RUNS_PAGE)));
    let next = (runs.offset + (runs.items.len() as u64) < runs.total)
        .then(|| page(runs.offset + RUNS_PAGE));
    let shown_to = runs.offset + runs.items.len() as u64;
    view! {
        <header class="backfill-head">
            <h2>{api::display_title(&detail.item.title, &detail.item.engine, &detail.item.id)}</h2>
            <span class=move || format!("status status-{}", item.with(|i| i.status.clone())) data-testid="backfill-status" aria-live="polite">
                {move || item.with(|i| i.status.clone())}
            </span>
        </header>
        <Actions item changed=live.write_only()/>
        <dl class="facts backfill-facts">
            <div><dt>"Id"</dt><dd class="mono">{detail.item.id.clone()}</dd></div>
            <div><dt>"Engine"</dt><dd>{detail.item.engine.clone()}</dd></div>
            <div><dt>"Read as"</dt><dd>{detail.item.dialect.clone()}</dd></div>
            <div><dt>"Runs"</dt><dd data-testid="detail-runs">{detail.item.run_count}</dd></div>
            <div><dt>"Batches"</dt><dd>{detail.item.batch_count}</dd></div>
            <div><dt>"Created"</dt><dd class="mono">{detail.item.created_at.clone()}</dd></div>
            <div><dt>"State changed"</dt><dd class="mono">{move || item.with(|i| i.updated_at.clone())}</dd></div>
            <div><dt>"Digest"</dt><dd class="mono small" title=detail.digest.clone()>{detail.digest.chars().take(16).collect::<String>()}"…"</dd></div>
        </dl>
        <div class="backfill-tables">
            <section aria-labelledby="batches-heading">
                <h3 id="batches-heading">{format!("Batches ({})", detail.batches.total)}</h3>
                <div class="table-scroll">
                    <table class="grid" data-testid="detail-batches">
                        <thead><tr><th class="num">"#"</th><th>"First"</th><th>"Last"</th><th class="num">"Runs"</th><th class="num">"Wave"</th></tr></thead>
                        <tbody>
                            {detail.batches.items.into_iter().map(|b| view! {
                                <tr><td class="num">{b.index}</td><td class="mono">{b.first}</td><td class="mono">{b.last}</td><td class="num">{b.size}</td><td class="num">{b.wave}</td></tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            </section>
            <section aria-labelledby="runs-heading">
                <h3 id="runs-heading">
                    {format!("Runs {}–{} of {}", if runs.items.is_empty() { 0 } else { runs.offset + 1 }, shown_to, runs.total)}
                </h3>
                <div class="table-scroll">
                    <table class="grid" data-testid="detail-runs-table">
                        <thead><tr><th class="num">"#"</th><th>"Logical date"</th><th>"Partition"</th><th class="num">"Batch"</th><th class="num">"Wave"</th></tr></thead>
                        <tbody>
                            {runs.items.into_iter().map(|r| view! {
                                <tr data-testid="detail-run"><td class="num">{r.index}</td><td class="mono">{r.logical_date}</td><td class="mono">{r.partition_key.unwrap_or_default()}</td><td class="num">{r.batch}</td><td class="num">{r.wave}</td></tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
                <nav class="pager" aria-label="Run pages">
                    {prev.map(|h| view! { <A href=h attr:data-testid="runs-prev">"← Earlier runs"</A> })}
                    {next.map(|h| view! { <A href=h attr:data-testid="runs-next">"Later runs →"</A> })}
                </nav>
            </section>
        </div>
    }
}
