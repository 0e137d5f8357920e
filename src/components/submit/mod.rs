//! Submit: the settings (endpoint, token), the submit button and the backend's answer.

pub mod settings_panel;
pub mod submit_button;
pub mod submit_result;
