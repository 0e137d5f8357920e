//! The summary: counts, first and last run, the estimate, and every warning as a callout
//! linked to the runs it names.

use crate::state::use_state;
use backfill_core::Severity;
use leptos::prelude::*;

/// Runs shown as links under a warning; the rest are counted.
const LINKED_RUNS: usize = 8;

/// The summary panel.
#[component]
pub fn Summary() -> impl IntoView {
    let state = use_state();
    let fact = move |read: fn(&crate::present::Facts) -> String| {
        move || {
            state
                .facts
                .with(|f| f.as_ref().map_or_else(|| "—".to_owned(), read))
        }
    };
    let status = move || {
        let planned = state.planned.get();
        let errors = planned
            .0
            .diagnostics
            .iter()
            .filter(|d| d.is_error())
            .count();
        match (&planned.0.plan, errors) {
            (Some(p), _) => format!("{} plan", p.engine()),
            (None, 1) => "no plan: 1 error".to_owned(),
            (None, n) => format!("no plan: {n} errors"),
        }
    };
    let warnings = move || {
        let planned = state.planned.get();
        let list: Vec<_> = planned
            .0
            .diagnostics
            .iter()
            .filter(|d| !d.is_error())
            .cloned()
            .collect();
        if list.is_empty() {
            let text = if planned.0.plan.is_some() {
                "No warnings."
            } else {
                "Warnings appear once the input plans."
            };
            return view! { <li class="callout-none">{text}</li> }.into_any();
        }
        list.into_iter()
            .map(|d| {
                let kind = if d.severity == Severity::Warning { "warning" } else { "note" };
                let more = d.runs.len().saturating_sub(LINKED_RUNS);
                view! {
                    <li class=format!("callout callout-{kind}") data-testid="warning" data-code=d.code.clone()>
                        <p class="callout-title">
                            <span class="diag-code">{d.code.clone()}</span>
                            " "
                            {d.message.clone()}
                        </p>
                        {d.help.clone().map(|h| view! { <p class="callout-help">{h}</p> })}
                        {(!d.runs.is_empty()).then(|| view! {
                            <p class="callout-runs">
                                "Affected runs: "
                                {d.runs.iter().take(LINKED_RUNS).map(|&r| view! {
                                    <button type="button" class="link" on:click=move |_| state.show_run(r)>
                                        {format!("#{r}")}
                                    </button>
                                    " "
                                }).collect_view()}
                                {(more > 0).then(|| format!("and {more} more"))}
                            </p>
                        })}
                    </li>
                }
            })
            .collect_view()
            .into_any()
    };
    view! {
        <section class="summary" aria-labelledby="summary-heading" data-testid="summary">
            <h2 id="summary-heading" class="section-title">
                "Summary " <span class="status" data-testid="plan-status">{status}</span>
            </h2>
            <dl class="stats">
                <div class="stat"><dt>"Runs"</dt><dd data-testid="run-count">{fact(|f| f.runs.clone())}</dd></div>
                <div class="stat"><dt>"Batches"</dt><dd data-testid="batch-count">{fact(|f| f.batches.clone())}</dd></div>
                <div class="stat"><dt>"Waves"</dt><dd data-testid="wave-count">{fact(|f| f.waves.clone())}</dd></div>
                <div class="stat"><dt>"Makespan (est.)"</dt><dd data-testid="makespan">{fact(|f| f.makespan.clone())}</dd></div>
                <div class="stat"><dt>"Overhead saved"</dt><dd data-testid="overhead-saved">{fact(|f| f.overhead_saved.clone())}</dd></div>
                <div class="stat">
                    <dt>"Recommended batch"</dt>
                    <dd data-testid="recommended">{fact(|f| f.recommended.clone())}</dd>
                    <dd class="sub">{fact(|f| f.recommended_for.clone())}</dd>
                </div>
                <div class="stat wide">
                    <dt>"First run"</dt>
                    <dd data-testid="first-run">{fact(|f| f.first.clone())}</dd>
                    <dd class="sub" data-testid="first-run-utc">{fact(|f| if f.first_utc.is_empty() { f.zone.clone() } else { format!("UTC {}", f.first_utc) })}</dd>
                </div>
                <div class="stat wide">
                    <dt>"Last run"</dt>
                    <dd data-testid="last-run">{fact(|f| f.last.clone())}</dd>
                    <dd class="sub" data-testid="last-run-utc">{fact(|f| if f.last_utc.is_empty() { f.zone.clone() } else { format!("UTC {}", f.last_utc) })}</dd>
                </div>
            </dl>
            <p class="bounds">
                {fact(|f| f.strategy.clone())} " · bounds: " {fact(|f| f.bounds.clone())} " · zone: " {fact(|f| f.zone.clone())}
            </p>
            <ul class="callouts" data-testid="warnings" aria-label="Warnings">{warnings}</ul>
        </section>
    }
}
