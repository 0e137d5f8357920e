//! Share and keep: the link with the whole state, the draft, "now", starting over.

pub mod keep_state;
pub mod now_badge;
pub mod share_button;
pub mod start_over;
