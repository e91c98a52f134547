//! Who is here and what they are looking at. Sent encrypted every few seconds and on
//! change, never stored. A peer's presence is untrusted: it is parsed strictly and
//! bounded, and shown as text only.

use serde::{Deserialize, Serialize};
use waymark_domain::Id;

/// What one person is doing in a workspace.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Presence {
    pub name: String,
    /// `#rrggbb`.
    pub colour: String,
    /// The section (`brief`, `ideas`, `priorities`, …).
    pub page: String,
    /// The artifact open, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item: Option<Id>,
    /// A view-link reader rather than an editor.
    #[serde(default)]
    pub viewer: bool,
    /// The number this tab's direct connections go by (see `crate::sync::direct`): the
    /// same teammate, numbered anew by the relay after it restarts, is recognised.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub direct: Option<u64>,
}

/// A peer as last heard.
#[derive(Clone, Debug, PartialEq)]
pub struct Peer {
    pub presence: Presence,
    /// When (ms since the epoch).
    pub seen: f64,
}

impl Presence {
    /// Reads a peer's presence, or nothing if it is not well formed.
    pub fn parse(bytes: &[u8]) -> Option<Presence> {
        if bytes.len() > 2_000 {
            return None;
        }
        let mut p: Presence = serde_json::from_slice(bytes).ok()?;
        p.name = p.name.trim().chars().filter(|c| !c.is_control()).take(40).collect();
        if p.name.is_empty() {
            p.name = "Someone".into();
        }
        if !is_hex_colour(&p.colour) {
            p.colour = "#64748b".into();
        }
        if p.page.len() > 20 || !p.page.bytes().all(|b| b.is_ascii_lowercase()) {
            p.page = String::new();
        }
        p.item = p.item.and_then(|id| Id::parse(id.as_str()));
        Some(p)
    }

    /// One or two letters for an avatar.
    pub fn initials(&self) -> String {
        let mut words = self.name.split_whitespace();
        let first = words.next().and_then(|w| w.chars().next());
        let second = words.last().and_then(|w| w.chars().next());
        first.into_iter().chain(second).flat_map(char::to_uppercase).collect()
    }
}

fn is_hex_colour(s: &str) -> bool {
    s.len() == 7 && s.starts_with('#') && s[1..].bytes().all(|b| b.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    use wasm_bindgen_test::wasm_bindgen_test;
    use super::*;

    #[wasm_bindgen_test]
    fn hostile_presence_is_bounded() {
        let p = Presence::parse(br##"{"name":"<script>\u0007alert(1)</script>xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx","colour":"red;background:url(x)","page":"../x","item":"NOT AN ID"}"##).unwrap();
        assert_eq!(p.name.chars().count(), 40);
        assert!(!p.name.contains('\u{7}'));
        assert_eq!(p.colour, "#64748b");
        assert_eq!(p.page, "");
        assert_eq!(p.item, None);
        assert!(Presence::parse(b"not json").is_none());
    }
}
