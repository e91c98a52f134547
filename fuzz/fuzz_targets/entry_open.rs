//! Any bytes as an entry or a presence message from the relay: opening never panics
//! and never accepts what the workspace's keys did not seal; what they sealed opens to
//! the same bytes, and one flipped bit anywhere refuses it.
#![no_main]
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use waymark_protocol::{Capability, EntryKind, SealedEntry};

fn cap() -> &'static Capability {
    static CAP: OnceLock<Capability> = OnceLock::new();
    CAP.get_or_init(|| Capability::generate().unwrap())
}

fuzz_target!(|data: &[u8]| {
    let cap = cap();
    if data.len() >= 88 {
        let entry = SealedEntry { nonce: data[..24].try_into().unwrap(), signature: data[24..88].try_into().unwrap(), ciphertext: data[88..].to_vec() };
        assert!(cap.open_entry(EntryKind::Change, &entry).is_err());
        assert!(cap.open_entry(EntryKind::Snapshot { covers: 1 }, &entry).is_err());
    }
    assert!(cap.open_presence(data).is_err());
    // Sealed here: opens to the same bytes, and not with one bit flipped.
    let sealed = cap.seal_entry(EntryKind::Change, data).unwrap();
    assert_eq!(cap.open_entry(EntryKind::Change, &sealed).unwrap(), data);
    assert!(cap.open_entry(EntryKind::Snapshot { covers: 1 }, &sealed).is_err(), "a change is not a snapshot");
    if let Some(&pick) = data.first() {
        let mut bytes = [sealed.nonce.as_slice(), sealed.signature.as_slice(), sealed.ciphertext.as_slice()].concat();
        let at = (pick as usize * 7919 + data.len()) % (bytes.len() * 8);
        bytes[at / 8] ^= 1 << (at % 8);
        let tampered = SealedEntry { nonce: bytes[..24].try_into().unwrap(), signature: bytes[24..88].try_into().unwrap(), ciphertext: bytes[88..].to_vec() };
        assert!(cap.open_entry(EntryKind::Change, &tampered).is_err(), "bit {at} flipped and still opened");
    }
});
