//! The backend's answer to a submission: the stored backfill, or its error explained.

use crate::api::{ApiError, Failure};
use crate::components::editor::diagnostics_list::go_to;
use crate::route::A;
use crate::state::{use_settings, use_state, use_submission, Phase};
use leptos::prelude::*;

/// The submission's progress and answer.
#[component]
pub fn SubmitResult() -> impl IntoView {
    let submission = use_submission();
    let body = move || match submission.phase.get() {
        Phase::Idle => ().into_any(),
        Phase::Sending => view! {
            <p class="progress" data-state="sending">
                <span class="spinner" aria-hidden="true"></span>
                "Submitting: the backend re-plans the text and checks the digest…"
            </p>
        }
        .into_any(),
        Phase::Done { receipt, replayed } => {
            let href = format!("/backfills/{}", receipt.id);
            let title = crate::api::display_title(&receipt.title, &receipt.engine, &receipt.id);
            view! {
                <div class="result-ok" data-state="done">
                    <p>
                        <strong>{if replayed { "Already submitted: " } else { "Submitted: " }}</strong>
                        <A href=href attr:data-testid="submit-link">{title}</A>
                        " · "
                        <span data-testid="submit-id">{receipt.id.clone()}</span>
                    </p>
                    <p>
                        <span data-testid="submit-runs">{receipt.run_count}</span>
                        {format!(" runs in {} batches for {}, stored {}.", receipt.batch_count, receipt.engine, receipt.created_at)}
                    </p>
                </div>
            }
            .into_any()
        }
        Phase::Failed(failure) => view! { <Failed failure/> }.into_any(),
    };
    view! {
        <section
            class="submit-result"
            data-testid="submit-result"
            data-state=move || submission.phase.with(|p| match p {
                Phase::Idle => "idle",
                Phase::Sending => "sending",
                Phase::Done { .. } => "done",
                Phase::Failed(_) => "failed",
            })
            aria-live="polite"
        >
            {body}
        </section>
    }
}

/// A refused or failed submission, explained.
#[component]
fn Failed(failure: Failure) -> impl IntoView {
    let state = use_state();
    let settings = use_settings();
    let submission = use_submission();
    let retry = move |_| submission.submit(state, settings);
    let retry_button = move || {
        view! {
            <button type="button" data-testid="submit-retry" on:click=retry>"Retry"</button>
        }
        .into_any()
    };
    match failure {
        Failure::Network(e) => view! {
            <div class="result-err" data-code="network">
                <p><strong>"The backend could not be reached."</strong>" "{e}</p>
                <p>"Your draft is kept in this browser. Retrying sends the same request, so it is never stored twice."</p>
                {retry_button()}
            </div>
        }
        .into_any(),
        Failure::Unexpected(e) => view! {
            <div class="result-err" data-code="unexpected">
                <p><strong>"The backend's answer was not understood."</strong>" "{e}</p>
                {retry_button()}
            </div>
        }
        .into_any(),
        Failure::Api(e) => api_error(e, submission.previewed_runs(), settings, retry_button),
    }
}

fn api_error(
    e: ApiError,
    runs: Option<u64>,
    settings: crate::state::Settings,
    retry_button: impl Fn() -> AnyView + Copy + Send + 'static,
) -> AnyView {
    let state = use_state();
    let code = e.code.clone();
    let explain = match e.code.as_str() {
        "unauthorized" => view! {
            <p>
                <strong>"The backend needs a token."</strong>
                " Enter it in "
                <button type="button" class="link" on:click=move |_| settings.open.set(true)>"Settings"</button>
                " and submit again."
            </p>
        }
        .into_any(),
        "digest_mismatch" => {
            let backend_runs = e.computed_run_count.map_or_else(String::new, |n| format!(" ({n} runs)"));
            let counts = match (runs, e.computed_run_count) {
                (Some(mine), Some(theirs)) if mine != theirs => format!("Your preview has {mine} runs; the backend's plan has {theirs}."),
                (Some(mine), Some(_)) => format!("Both have {mine} runs, but the runs differ (dates, keys or params)."),
                _ => String::new(),
            };
            let runs = runs.map_or_else(String::new, |n| format!(" ({n} runs)"));
            view! {
                <p data-testid="digest-counts">{counts}</p>
                <p><strong>"The backend's plan differs from your preview."</strong>
                    " It re-planned the same text and got other runs, so nothing was stored. This happens when the backend runs another version of the planner; re-plan and compare before submitting again."</p>
                <dl class="digests">
                    <dt>{format!("Your preview{runs}")}</dt>
                    <dd><code data-testid="digest-submitted">{e.submitted_digest.clone().unwrap_or_default()}</code></dd>
                    <dt>{format!("The backend's plan{backend_runs}")}</dt>
                    <dd><code data-testid="digest-computed">{e.computed_digest.clone().unwrap_or_default()}</code></dd>
                </dl>
            }
            .into_any()
        }
        "invalid_plan" => {
            let items = e
                .diagnostics
                .iter()
                .map(|d| {
                    let span = d.span;
                    let at = span.map_or_else(String::new, |s| format!("{}:{}", s.line, s.column));
                    view! {
                        <li class=format!("diag diag-{}", d.severity)>
                            <button
                                type="button"
                                data-testid="server-diagnostic"
                                data-code=d.code.clone()
                                data-line=span.map(|s| s.line)
                                disabled=span.is_none()
                                on:click=move |_| if let Some(s) = span { go_to(state, s) }
                            >
                                <span class="diag-sev">{d.severity.to_string()}</span>
                                <span class="diag-code">{d.code.clone()}</span>
                                <span class="diag-at">{at}</span>
                                <span class="diag-msg">{d.message.clone()}</span>
                            </button>
                            {d.help.clone().map(|h| view! { <p class="diag-help">{h}</p> })}
                        </li>
                    }
                })
                .collect_view();
            view! {
                <p><strong>"The backend refused the plan."</strong>" Its diagnostics are underlined in the editor:"</p>
                <ul class="server-diagnostics">{items}</ul>
            }
            .into_any()
        }
        "body_too_large" => view! {
            <p><strong>"The text is too large for the backend."</strong>" "{e.message.clone()}</p>
        }
        .into_any(),
        _ => view! { <p><strong>"The backend refused the submission."</strong>" "{e.message.clone()}</p> }.into_any(),
    };
    let retryable = matches!(e.status, 401 | 500 | 503);
    view! {
        <div class="result-err" data-code=code>
            {explain}
            <p class="result-status">{format!("HTTP {} · {}", e.status, e.code)}</p>
            {retryable.then(retry_button)}
        </div>
    }
    .into_any()
}
