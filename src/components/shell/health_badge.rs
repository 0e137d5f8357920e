//! Shows whether the backend is up, from its health endpoint: the configured one, asked
//! again whenever the endpoint in the settings changes.

use crate::api;
use crate::state::use_settings;
use leptos::prelude::*;

/// A small status line with the backend's version and database state.
#[component]
pub fn HealthBadge() -> impl IntoView {
    let settings = use_settings();
    let health = LocalResource::new(move || {
        settings.endpoint.track();
        api::health(settings.backend())
    });
    view! {
        <p class="health" data-testid="health" role="status" aria-live="polite">
            <Suspense fallback=|| view! { <span class="health-pending">"Checking the backend…"</span> }>
                {move || health.get().map(|answer| match answer {
                    Ok(h) => view! {
                        <span class=format!("health-{}", h.status)>
                            {format!("Backend {} · v{} · database {}", h.status, h.version, h.database.state)}
                        </span>
                    }.into_any(),
                    Err(e) => view! { <span class="health-down">{format!("Backend unreachable: {e}")}</span> }.into_any(),
                })}
            </Suspense>
        </p>
    }
}
