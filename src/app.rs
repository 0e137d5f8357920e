//! The application shell.

use crate::components::shell::health_badge::HealthBadge;
use leptos::prelude::*;

/// The whole app.
#[component]
pub fn App() -> impl IntoView {
    view! {
        <div class="app" data-testid="app">
            <header class="topbar">
                <h1 class="brand">"Backfill Planner"</h1>
                <p class="tagline">"See exactly which runs your orchestrator will create, before you submit."</p>
                <HealthBadge/>
            </header>
            <main class="content" id="main">
                <p class="intro">
                    "Paste your Polyaxon, Kestra or Mage input, or write a planner spec, and see every run, batch and surprise."
                </p>
            </main>
        </div>
    }
}
