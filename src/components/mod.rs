//! Reusable pieces of the interface.

mod capture;
mod checklist;
pub mod caret;
mod confirm_merge;
mod counts;
mod dialog;
mod fields;
mod link_picker;
mod linked_docs;
mod profile;
mod rows;
pub mod read_only;
mod save_indicator;
mod share;
mod tags;
mod side_editor;
mod toast;
mod windowed;

pub use capture::Capture;
pub use checklist::Checklist;
pub use caret::follow_text;
pub use confirm_merge::ConfirmSharedMerge;
pub use counts::Counts;
pub use dialog::Dialog;
pub use fields::{LongTextField, NumberField};
pub use link_picker::{LinkPicker, Suggestion};
pub use linked_docs::{doc_title, kind_class, LinkedDocs};
pub use profile::ProfileButton;
pub use rows::row_state;
pub use read_only::{use_read_only, Editable, Field, ReadOnly};
pub use save_indicator::SaveIndicator;
pub use share::{my_presence, PeerAvatars, PeersHere, PeersOn, ShareButton, SyncIndicator};
pub use side_editor::SideEditor;
pub use tags::TagEditor;
pub use toast::{ToastHost, Toasts};
pub use windowed::Window;
