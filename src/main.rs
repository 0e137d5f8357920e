//! Backfill Planner's web app: a Leptos single-page app, rendered in the browser.
//! All planning runs here, through the core; the backend stores what is submitted.

mod api;
mod app;
mod browser;
mod components;
mod examples;
mod persist;
mod present;
mod route;
mod state;

fn main() {
    leptos::mount::mount_to_body(app::App);
}
