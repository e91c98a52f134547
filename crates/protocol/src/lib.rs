//! Waymark's relay protocol: what a workspace's keys are, how entries are sealed
//! (encrypted, then signed), and the binary frames clients and the relay exchange.
//!
//! Pure Rust with no I/O, compiled both for the browser and for the relay; `client`
//! is a client's side of syncing as a state machine (inputs in, outputs out); `peer` is
//! what two browsers say to each other directly; `invitation` is how two browsers
//! connect with no server, through text people copy across. PROTOCOL.md
//! at the repository root is the specification; this crate is its only implementation.
//!
//! Invariants:
//! - No plaintext and no content key ever appear in a frame: entries, presence and
//!   peers' messages are sealed before they are framed.
//! - `Message::decode` never panics and never allocates more than the frame's length.

pub mod client;
pub mod invitation;
pub mod keys;
pub mod peer;
pub mod wire;

pub use keys::{Capability, EntryKind, KeyError, RelayId, SealedEntry};
pub use wire::{DecodeError, ErrorCode, Message, MAX_FRAME_HARD, MIN_VERSION, VERSION};
