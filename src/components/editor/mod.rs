//! The input side: the editor, its diagnostics, the pickers, the examples and the form.

pub mod diagnostics_list;
pub mod examples_menu;
pub mod form_mode;
pub mod pickers;
pub mod text_editor;
