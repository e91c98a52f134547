//! Waymark's domain: the workspace document (schema v1), typed access to it, the
//! product-management rules (scores, statistics) and import/export.
//!
//! This crate is plain Rust: no web, async or UI dependency, so every rule here is
//! tested natively. The schema is documented in [`schema`].

pub mod audience;
pub mod backlog;
pub mod backlog_import;
pub mod beta;
pub mod brief;
pub mod caret;
pub mod chart;
pub mod comments;
pub mod competitor;
pub mod cost;
pub mod date;
pub mod document;
pub mod edit;
mod fields;
mod id;
pub mod experiment;
pub mod export;
pub mod feature;
pub mod feedback;
pub mod fixtures;
pub mod history;
pub mod format;
pub mod fuzzy;
pub mod idea;
pub mod inflation;
pub mod keys;
pub mod kind;
pub mod link;
pub mod markdown;
pub mod measure;
pub mod objective;
pub mod overview;
pub mod peer_sync;
pub mod persona;
pub mod points_csv;
pub mod position;
pub mod priorities;
pub mod query;
pub mod ranking;
pub mod release;
pub mod risk;
pub mod saved;
pub mod roadmap;
pub mod schema;
pub mod score_inputs;
pub mod stage;
pub mod scoring;
pub mod sort;
pub mod stats;
pub mod story;
pub mod success;
pub mod then_and_now;
pub mod timeline;
pub mod trend;
pub mod undo;
pub mod verdict;
pub mod view_cache;
pub mod view_delta;
pub mod workspace;

pub use brief::{Brief, BriefField, BriefNumber};
pub use date::Date;
pub use kind::{Artifact, FieldInput, FieldSpec, FieldType, FieldValue, Kind, Meta};
pub use link::{Link, LinkIndex, Ref, Relation};
pub use document::{DocKind, Document};
pub use fields::Problem;
pub use id::Id;
pub use idea::{Idea, IdeaLabel, IdeaStatus, IdeaText};
pub use query::{FeedbackFilter, IdeaFilter, IdeaSort};
pub use workspace::{is_well_formed, Changed, EditError, LoadError, Workspace};
