//! The submitted backfills, newest first, filtered by state and engine, a page at a time.
//! The filters and the page live in the URL (`/backfills?status=…&engine=…&cursor=…`).

use crate::api::{self, ListQuery};
use crate::route::{use_location, A};
use crate::state::use_settings;
use backfill_core::Engine;
use leptos::prelude::*;

/// Backfills per page.
const PAGE: u32 = 20;

/// The list page.
#[component]
pub fn BackfillList() -> impl IntoView {
    let settings = use_settings();
    let location = use_location();
    let param = move |k: &str| location.query(k).filter(|v| !v.is_empty());
    let list = LocalResource::new(move || {
        let q = ListQuery {
            status: param("status"),
            engine: param("engine"),
            cursor: param("cursor"),
            limit: PAGE,
        };
        let backend = settings.backend();
        async move { api::list(&backend, &q).await }
    });
    let filter = move |key: &'static str, value: String| {
        let mut parts = Vec::new();
        for k in ["status", "engine"] {
            let v = if k == key {
                Some(value.clone())
            } else {
                param(k)
            };
            if let Some(v) = v.filter(|v| !v.is_empty()) {
                parts.push(format!("{k}={}", js_sys::encode_uri_component(&v)));
            }
        }
        let qs = if parts.is_empty() {
            String::new()
        } else {
            format!("?{}", parts.join("&"))
        };
        location.navigate(&format!("/backfills{qs}"));
    };
    let next_href = move |cursor: &str| {
        let mut parts = Vec::new();
        for k in ["status", "engine"] {
            if let Some(v) = param(k) {
                parts.push(format!("{k}={}", js_sys::encode_uri_component(&v)));
            }
        }
        parts.push(format!("cursor={}", js_sys::encode_uri_component(cursor)));
        format!("/backfills?{}", parts.join("&"))
    };
    let rows = move || {
        list.get().map(|answer| match answer {
            Err(e) => view! { <p class="result-err" data-testid="backfills-error">{format!("Cannot list the backfills: {e}")}</p> }.into_any(),
            Ok(page) if page.items.is_empty() => view! {
                <p class="empty" data-testid="backfills-empty">
                    "No backfills here yet. "
                    <A href="/">"Plan one and submit it."</A>
                </p>
            }
            .into_any(),
            Ok(page) => {
                let next = page.next_cursor.clone();
                view! {
                    <table class="grid backfills-table">
                        <thead>
                            <tr>
                                <th scope="col">"Backfill"</th>
                                <th scope="col">"Engine"</th>
                                <th scope="col">"Status"</th>
                                <th scope="col" class="num">"Runs"</th>
                                <th scope="col" class="num">"Batches"</th>
                                <th scope="col">"Created (UTC)"</th>
                            </tr>
                        </thead>
                        <tbody>
                            {page.items.into_iter().map(|b| { let title = api::display_title(&b.title, &b.engine, &b.id); view! {
                                <tr data-testid="backfill-row" data-id=b.id.clone()>
                                    <td>
                                        <A href=format!("/backfills/{}", b.id)>{title}</A>
                                        <div class="muted mono small">{b.id.clone()}</div>
                                    </td>
                                    <td>{b.engine.clone()}</td>
                                    <td><span class=format!("status status-{}", b.status) data-testid="backfill-status">{b.status.clone()}</span></td>
                                    <td class="num" data-testid="backfill-runs">{b.run_count}</td>
                                    <td class="num">{b.batch_count}</td>
                                    <td class="mono small">{b.created_at.clone()}</td>
                                </tr>
                            }}).collect_view()}
                        </tbody>
                    </table>
                    <nav class="pager" aria-label="Pages">
                        {param("cursor").map(|_| view! { <A href="/backfills">"Newest"</A> })}
                        {next.map(|c| view! { <A href=next_href(&c) attr:data-testid="backfills-next">"Older →"</A> })}
                    </nav>
                }
                .into_any()
            }
        })
    };
    view! {
        <section class="backfills content" data-testid="backfills" aria-labelledby="backfills-heading">
            <div class="backfills-head">
                <h2 id="backfills-heading">"Submitted backfills"</h2>
                <label class="picker">
                    <span>"Status"</span>
                    <select data-testid="filter-status" prop:value=move || param("status").unwrap_or_default()
                        on:change=move |ev| filter("status", event_target_value(&ev))>
                        <option value="">"any"</option>
                        <option value="pending">"pending"</option>
                        <option value="paused">"paused"</option>
                        <option value="cancelled">"cancelled"</option>
                    </select>
                </label>
                <label class="picker">
                    <span>"Engine"</span>
                    <select data-testid="filter-engine" prop:value=move || param("engine").unwrap_or_default()
                        on:change=move |ev| filter("engine", event_target_value(&ev))>
                        <option value="">"any"</option>
                        {Engine::ALL.iter().map(|e| view! { <option value=e.name()>{e.name()}</option> }).collect_view()}
                    </select>
                </label>
                <button type="button" class="quiet" on:click=move |_| list.refetch()>"Refresh"</button>
            </div>
            <Transition fallback=|| view! { <p class="muted">"Loading the backfills…"</p> }>{rows}</Transition>
        </section>
    }
}
