//! The export menu: pick a target, then download it or copy it. The bytes are exactly
//! the core's `Plan::export`, the same as `backfill export` and the golden files.

use crate::browser;
use crate::state::use_state;
use backfill_core::ExportTarget;
use leptos::prelude::*;

fn mime(target: ExportTarget) -> &'static str {
    match target.extension() {
        "json" => "application/json",
        "csv" => "text/csv",
        "yaml" => "application/yaml",
        _ => "text/plain",
    }
}

/// The export menu.
#[component]
pub fn ExportMenu() -> impl IntoView {
    let state = use_state();
    let target = RwSignal::new(ExportTarget::Plan);
    let note = RwSignal::new(None::<(bool, String)>);
    // Computed on demand: a million-run CSV is not made on every keystroke.
    let payload = move || {
        let planned = state.planned.get_untracked();
        let plan = planned
            .0
            .plan
            .as_ref()
            .ok_or("there is no plan to export yet")?;
        plan.export(target.get_untracked())
            .map_err(|d| format!("{}: {}", d.code, d.message))
    };
    let download = move |_| {
        let t = target.get_untracked();
        let result = payload().and_then(|text| {
            let name = format!("backfill.{}.{}", t.name(), t.extension());
            browser::download(&name, mime(t), &text).map(|()| format!("Downloaded {name}."))
        });
        note.set(Some(match result {
            Ok(m) => (true, m),
            Err(e) => (false, format!("Cannot export: {e}")),
        }));
    };
    let copy = move |_| match payload() {
        Ok(text) => {
            leptos::task::spawn_local(async move {
                note.set(Some(match browser::copy(&text).await {
                    Ok(()) => (true, "Copied to the clipboard.".to_owned()),
                    Err(e) => (false, e),
                }));
            });
        }
        Err(e) => note.set(Some((false, format!("Cannot export: {e}")))),
    };
    let has_plan = move || state.planned.with(|p| p.0.plan.is_some());
    view! {
        <div class="export" role="group" aria-label="Export" data-testid="export">
            <label class="picker">
                <span>"Export"</span>
                <select
                    data-testid="export-target"
                    on:change=move |ev| {
                        if let Some(t) = ExportTarget::parse(&event_target_value(&ev)) {
                            target.set(t);
                            note.set(None);
                        }
                    }
                    prop:value=move || target.get().name()
                >
                    {ExportTarget::all()
                        .into_iter()
                        .map(|t| view! { <option value=t.name()>{t.label()}</option> })
                        .collect_view()}
                </select>
            </label>
            <button type="button" data-testid="export-download" disabled=move || !has_plan() on:click=download>
                "Download"
            </button>
            <button type="button" data-testid="export-copy" disabled=move || !has_plan() on:click=copy>
                "Copy"
            </button>
            <span class="action-note" data-testid="export-note" role="status" aria-live="polite">
                {move || note.get().map(|(ok, m)| view! { <span class:note-ok=ok class:note-err=!ok>{m}</span> })}
            </span>
        </div>
    }
}
