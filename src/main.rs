//! The web app's entry point (what trunk builds): mount the app.

fn main() {
    backfill_app::start();
}
