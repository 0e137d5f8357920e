//! Form mode: the planner spec's common fields. The form reads its values from the
//! editor's text and every change writes the whole spec back into the editor.

use crate::state::use_state;
use backfill_core::form::{read_form, write_form, FormFields, FormSchedule};
use backfill_core::{Engine, Zone};
use leptos::prelude::*;

/// The form.
#[component]
pub fn FormMode() -> impl IntoView {
    let state = use_state();
    let fields = Memo::new(move |_| state.text.with(|t| read_form(t)));
    let zones = StoredValue::new(Zone::names());
    // Change one field and write the spec.
    let set = move |change: &dyn Fn(&mut FormFields)| {
        let mut f = fields.get_untracked().unwrap_or_default();
        change(&mut f);
        state.load(write_form(&f));
    };
    let get =
        move |read: fn(&FormFields) -> String| fields.get().map(|f| read(&f)).unwrap_or_default();
    let kind = move || {
        fields.get().map_or("cron", |f| match f.schedule {
            FormSchedule::Cron(_) => "cron",
            FormSchedule::Every { .. } => "every",
            FormSchedule::Partitions(_) => "partitions",
        })
    };
    let text_field = move |label: &'static str,
                           id: &'static str,
                           hint: &'static str,
                           read: fn(&FormFields) -> String,
                           write: fn(&mut FormFields, String)| {
        view! {
            <label class="field">
                <span>{label}</span>
                <input
                    type="text"
                    data-testid=format!("form-{id}")
                    placeholder=hint
                    prop:value=move || get(read)
                    on:change=move |ev| {
                        let v = event_target_value(&ev).trim().to_owned();
                        set(&|f| write(f, v.clone()));
                    }
                />
            </label>
        }
    };
    view! {
        <Show
            when=move || fields.get().is_some()
            fallback=move || {
                view! {
                    <p class="form-none" data-testid="form-unavailable">
                        "The form shows a planner spec's common fields. This text is another dialect, or a spec the form cannot show (partitions with offsets, several schedule keys): edit it as text."
                        <button type="button" class="chip" on:click=move |_| set(&|_| {})>
                            "Start a new spec from the form"
                        </button>
                    </p>
                }
            }
        >
            <form class="form-mode" data-testid="form" on:submit=|ev| ev.prevent_default()>
                <label class="field">
                    <span>"Engine"</span>
                    <select
                        data-testid="form-engine"
                        prop:value=move || get(|f| f.engine.clone())
                        on:change=move |ev| {
                            let v = event_target_value(&ev);
                            set(&|f| f.engine.clone_from(&v));
                        }
                    >
                        {Engine::ALL
                            .iter()
                            .map(|e| view! { <option value=e.name()>{e.name()}</option> })
                            .collect_view()}
                    </select>
                </label>
                <label class="field">
                    <span>"Schedule"</span>
                    <select
                        data-testid="form-schedule-kind"
                        prop:value=kind
                        on:change=move |ev| {
                            let v = event_target_value(&ev);
                            set(&|f| {
                                f.schedule = match v.as_str() {
                                    "every" => FormSchedule::Every { unit: "day".into(), count: "1".into() },
                                    "partitions" => FormSchedule::Partitions("daily".into()),
                                    _ => FormSchedule::Cron("0 0 * * *".into()),
                                };
                            });
                        }
                    >
                        <option value="cron">"cron"</option>
                        <option value="every">"every (interval)"</option>
                        <option value="partitions">"partitions (Dagster)"</option>
                    </select>
                </label>
                <label class="field">
                    <span>{move || match kind() { "every" => "Every (count unit)", "partitions" => "Partitions", _ => "Cron" }}</span>
                    <input
                        type="text"
                        data-testid="form-schedule"
                        prop:value=move || {
                            fields.get().map_or_else(String::new, |f| match f.schedule {
                                FormSchedule::Cron(c) => c,
                                FormSchedule::Every { unit, count } => format!("{count} {unit}"),
                                FormSchedule::Partitions(k) => k,
                            })
                        }
                        on:change=move |ev| {
                            let v = event_target_value(&ev).trim().to_owned();
                            set(&|f| {
                                f.schedule = match &f.schedule {
                                    FormSchedule::Cron(_) => FormSchedule::Cron(v.clone()),
                                    FormSchedule::Partitions(_) => FormSchedule::Partitions(v.clone()),
                                    FormSchedule::Every { .. } => {
                                        let mut parts = v.split_whitespace();
                                        let (a, b) = (parts.next().unwrap_or("1"), parts.next());
                                        match b {
                                            Some(unit) => FormSchedule::Every { unit: unit.into(), count: a.into() },
                                            None => FormSchedule::Every { unit: a.into(), count: "1".into() },
                                        }
                                    }
                                };
                            });
                        }
                    />
                </label>
                <label class="field">
                    <span>"Timezone"</span>
                    <input
                        type="search"
                        list="zones"
                        data-testid="form-timezone"
                        placeholder="UTC (type to search)"
                        prop:value=move || get(|f| f.timezone.clone())
                        on:change=move |ev| {
                            let v = event_target_value(&ev).trim().to_owned();
                            set(&|f| f.timezone.clone_from(&v));
                        }
                    />
                    <datalist id="zones">
                        {zones.with_value(|z| z.iter().map(|n| view! { <option value=*n></option> }).collect_view())}
                    </datalist>
                </label>
                {text_field("Start", "start", "2024-01-01 or 2024-01-01T00:00:00Z", |f| f.start.clone(), |f, v| f.start = v)}
                {text_field("End", "end", "empty: now, where the engine allows", |f| f.end.clone(), |f, v| f.end = v)}
                <label class="field">
                    <span>"Strategy"</span>
                    <select
                        data-testid="form-strategy"
                        prop:value=move || get(|f| f.strategy.clone())
                        on:change=move |ev| {
                            let v = event_target_value(&ev);
                            set(&|f| f.strategy.clone_from(&v));
                        }
                    >
                        <option value="">"engine default"</option>
                        <option value="per_run">"per_run"</option>
                        <option value="multi_run">"multi_run"</option>
                        <option value="single_run">"single_run"</option>
                    </select>
                </label>
                {text_field("Max per run", "max-per-run", "e.g. 10", |f| f.max_per_run.clone(), |f, v| f.max_per_run = v)}
                {text_field("Concurrency", "concurrency", "1", |f| f.concurrency.clone(), |f, v| f.concurrency = v)}
                {text_field("Estimate: run", "estimate-run", "e.g. 45s, 10m", |f| f.estimate_run.clone(), |f, v| f.estimate_run = v)}
                {text_field("Estimate: overhead", "estimate-overhead", "e.g. 30s", |f| f.estimate_overhead.clone(), |f, v| f.estimate_overhead = v)}
            </form>
        </Show>
    }
}
