//! Random, unguessable artifact ids.

use std::fmt;

/// An artifact's id: 128 random bits as 26 lowercase Crockford base-32 characters.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct Id(String);

const ALPHABET: &[u8; 32] = b"0123456789abcdefghjkmnpqrstvwxyz";

impl Id {
    /// A fresh random id from the operating system's (or browser's) secure generator.
    pub fn random() -> Id {
        let mut bytes = [0u8; 16];
        getrandom::fill(&mut bytes).expect("the platform has no secure random generator");
        Id::from_bytes(bytes)
    }

    fn from_bytes(bytes: [u8; 16]) -> Id {
        let mut n = u128::from_be_bytes(bytes);
        let mut out = [0u8; 26];
        for slot in out.iter_mut().rev() {
            *slot = ALPHABET[(n & 31) as usize];
            n >>= 5;
        }
        Id(String::from_utf8(out.to_vec()).expect("alphabet is ASCII"))
    }

    /// Accepts a key read from a document or a URL if it looks like an id we could have
    /// written (1–64 characters of `[0-9a-z_-]`); peers' keys are untrusted.
    pub fn parse(s: &str) -> Option<Id> {
        let ok = !s.is_empty()
            && s.len() <= 64
            && s.bytes().all(|b| b.is_ascii_digit() || b.is_ascii_lowercase() || b == b'-' || b == b'_');
        ok.then(|| Id(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_ids_are_distinct_and_parse_back() {
        let a = Id::random();
        let b = Id::random();
        assert_ne!(a, b);
        assert_eq!(a.as_str().len(), 26);
        assert_eq!(Id::parse(a.as_str()), Some(a));
    }

    #[test]
    fn hostile_keys_are_rejected() {
        for bad in ["", "../etc", "<script>", "A", &"x".repeat(65)] {
            assert_eq!(Id::parse(bad), None, "{bad:?}");
        }
    }
}
