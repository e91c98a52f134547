//! A workspace's keys, its share links, and sealing: encrypt, then sign.
//!
//! A workspace has a random 256-bit content key (XChaCha20-Poly1305) and an Ed25519
//! write key pair. Its relay id *is* the write public key, so the relay can check a
//! writer's signature knowing nothing else, and can decrypt nothing.
//!
//! - An edit link carries the relay id, the content key and the write secret.
//! - A view link carries the relay id (the public key) and the content key only: its
//!   holder can read and can sign nothing, so neither it nor the relay can inject a change.
//!
//! Links put all of this after `#`, which browsers never send to a server.

use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine as _;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};

/// Bytes of an XChaCha20-Poly1305 nonce.
pub const NONCE_LEN: usize = 24;
/// Bytes of an Ed25519 signature.
pub const SIGNATURE_LEN: usize = 64;
/// Bytes the AEAD adds to a plaintext.
pub const TAG_LEN: usize = 16;

const ENTRY_CONTEXT: &[u8] = b"waymark entry v1";
const PRESENCE_CONTEXT: &[u8] = b"waymark presence v1";
const PEER_CONTEXT: &[u8] = b"waymark peer v1";

/// Why a link, an entry or a presence message was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error("this is not a Waymark share link (or it was cut short when it was copied)")]
    BadLink,
    #[error("this share link's keys do not match each other")]
    InconsistentLink,
    #[error("the signature does not match: the data was not written with this workspace's edit key")]
    BadSignature,
    #[error("the data cannot be decrypted with this workspace's key: it was altered or belongs elsewhere")]
    BadCiphertext,
    #[error("this is a view-only link: it cannot sign changes")]
    ViewOnly,
    #[error("the platform has no secure random generator")]
    NoRandom,
}

/// Where a workspace lives on a relay: its Ed25519 write public key.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RelayId(pub [u8; 32]);

impl RelayId {
    /// The id as 43 URL-safe base64 characters.
    pub fn to_text(&self) -> String {
        B64.encode(self.0)
    }

    pub fn from_text(s: &str) -> Option<RelayId> {
        decode32(s).map(RelayId)
    }

    /// The public key, if these bytes are one (not every 32 bytes are).
    pub fn verifying_key(&self) -> Option<VerifyingKey> {
        VerifyingKey::from_bytes(&self.0).ok()
    }
}

impl std::fmt::Debug for RelayId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "RelayId({})", self.to_text())
    }
}

/// What an entry holds, bound into its encryption and its signature so that one kind
/// can never be replayed as the other.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EntryKind {
    /// Automerge changes (an incremental save).
    Change,
    /// A whole Automerge document covering every entry up to `covers`. The number is
    /// signed with it (protocol version 2), so nobody without the write key can make
    /// a genuine snapshot claim to cover more (and the relay drop what it does not).
    Snapshot { covers: u64 },
    /// The log's last entry: it takes no more (its links were replaced). Empty.
    Close,
}

impl EntryKind {
    /// The kind's byte in the signed and encrypted context.
    pub fn code(self) -> u8 {
        match self {
            EntryKind::Change => 1,
            EntryKind::Snapshot { .. } => 2,
            EntryKind::Close => 3,
        }
    }
}

/// An encrypted, signed entry, exactly as the relay stores and forwards it.
#[derive(Clone, PartialEq, Eq)]
pub struct SealedEntry {
    pub nonce: [u8; NONCE_LEN],
    pub signature: [u8; SIGNATURE_LEN],
    pub ciphertext: Vec<u8>,
}

impl std::fmt::Debug for SealedEntry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SealedEntry({} bytes)", self.ciphertext.len())
    }
}

impl SealedEntry {
    /// Checks the signature: the relay calls this before storing, clients before opening.
    pub fn verify(&self, relay: &RelayId, kind: EntryKind) -> Result<(), KeyError> {
        self.verify_bytes(relay, &signed_bytes(relay, kind, &self.nonce, &self.ciphertext))
    }

    /// Whether this is a snapshot signed by protocol version 1, whose `covers` was not
    /// signed. A relay of version 2 never stores one, so a client meets one only if it
    /// was stored before the relay was updated, and may read it.
    pub fn verify_legacy_snapshot(&self, relay: &RelayId) -> Result<(), KeyError> {
        let mut bytes = signed_bytes(relay, EntryKind::Change, &self.nonce, &self.ciphertext);
        bytes[ENTRY_CONTEXT.len()] = EntryKind::Snapshot { covers: 0 }.code();
        self.verify_bytes(relay, &bytes)
    }

    fn verify_bytes(&self, relay: &RelayId, bytes: &[u8]) -> Result<(), KeyError> {
        let key = relay.verifying_key().ok_or(KeyError::BadSignature)?;
        let signature = Signature::from_bytes(&self.signature);
        key.verify_strict(bytes, &signature).map_err(|_| KeyError::BadSignature)
    }

    /// Bytes this entry takes in storage and on the wire.
    pub fn len(&self) -> usize {
        NONCE_LEN + SIGNATURE_LEN + self.ciphertext.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ciphertext.is_empty()
    }
}

/// What the write key signs: the context, the kind, the workspace, (for a snapshot)
/// the seq it covers, the nonce and the ciphertext.
fn signed_bytes(relay: &RelayId, kind: EntryKind, nonce: &[u8; NONCE_LEN], ciphertext: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(ENTRY_CONTEXT.len() + 1 + 32 + 8 + NONCE_LEN + ciphertext.len());
    out.extend_from_slice(ENTRY_CONTEXT);
    out.push(kind.code());
    out.extend_from_slice(&relay.0);
    if let EntryKind::Snapshot { covers } = kind {
        out.extend_from_slice(&covers.to_be_bytes());
    }
    out.extend_from_slice(nonce);
    out.extend_from_slice(ciphertext);
    out
}

/// What an editor signs of an ephemeral message (presence, or a message to a peer).
fn ephemeral_signed_bytes(context: &[u8], relay: &RelayId, nonce: &[u8; NONCE_LEN], ciphertext: &[u8]) -> Vec<u8> {
    let mut out = associated(context, 1, relay);
    out.extend_from_slice(nonce);
    out.extend_from_slice(ciphertext);
    out
}

fn associated(context: &[u8], kind: u8, relay: &RelayId) -> Vec<u8> {
    let mut out = Vec::with_capacity(context.len() + 33);
    out.extend_from_slice(context);
    out.push(kind);
    out.extend_from_slice(&relay.0);
    out
}

/// What a browser holds for a shared workspace: enough to read it, and with an edit
/// link, to write it.
#[derive(Clone)]
pub struct Capability {
    relay: RelayId,
    content_key: [u8; 32],
    write: Option<SigningKey>,
}

impl std::fmt::Debug for Capability {
    /// Never prints a key.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Capability({:?}, {})", self.relay, if self.can_write() { "edit" } else { "view" })
    }
}

impl PartialEq for Capability {
    fn eq(&self, other: &Self) -> bool {
        self.relay == other.relay
            && self.content_key == other.content_key
            && self.write.as_ref().map(|k| k.to_bytes()) == other.write.as_ref().map(|k| k.to_bytes())
    }
}

impl Capability {
    /// Fresh keys for a workspace about to be shared for the first time.
    pub fn generate() -> Result<Capability, KeyError> {
        let mut content_key = [0u8; 32];
        let mut seed = [0u8; 32];
        getrandom::fill(&mut content_key).map_err(|_| KeyError::NoRandom)?;
        getrandom::fill(&mut seed).map_err(|_| KeyError::NoRandom)?;
        Ok(Capability::from_parts(content_key, Some(seed), None).expect("a key pair made here is consistent"))
    }

    /// Builds a capability from raw keys; `relay`, when given, must match the secret.
    fn from_parts(content_key: [u8; 32], secret: Option<[u8; 32]>, relay: Option<RelayId>) -> Result<Capability, KeyError> {
        match secret {
            Some(seed) => {
                let write = SigningKey::from_bytes(&seed);
                let derived = RelayId(write.verifying_key().to_bytes());
                if relay.is_some_and(|r| r != derived) {
                    return Err(KeyError::InconsistentLink);
                }
                Ok(Capability { relay: derived, content_key, write: Some(write) })
            }
            None => {
                let relay = relay.ok_or(KeyError::BadLink)?;
                relay.verifying_key().ok_or(KeyError::BadLink)?;
                Ok(Capability { relay, content_key, write: None })
            }
        }
    }

    pub fn relay_id(&self) -> RelayId {
        self.relay
    }

    pub fn can_write(&self) -> bool {
        self.write.is_some()
    }

    /// The same workspace without the power to write.
    pub fn view_only(&self) -> Capability {
        Capability { write: None, ..self.clone() }
    }

    /// What goes after `#` in an edit link: `v1.edit.<relay id>.<content key>.<write secret>`.
    pub fn edit_fragment(&self) -> Option<String> {
        let write = self.write.as_ref()?;
        Some(format!("v1.edit.{}.{}.{}", self.relay.to_text(), B64.encode(self.content_key), B64.encode(write.to_bytes())))
    }

    /// What goes after `#` in a view link: `v1.view.<relay id>.<content key>`.
    pub fn view_fragment(&self) -> String {
        format!("v1.view.{}.{}", self.relay.to_text(), B64.encode(self.content_key))
    }

    /// Reads a link's fragment (with or without the `#`, or a whole link).
    pub fn from_fragment(text: &str) -> Result<Capability, KeyError> {
        let text = text.trim();
        let fragment = text.rsplit_once('#').map_or(text, |(_, f)| f);
        let parts: Vec<&str> = fragment.split('.').collect();
        match parts.as_slice() {
            ["v1", "edit", relay, key, secret] => {
                let relay = RelayId::from_text(relay).ok_or(KeyError::BadLink)?;
                let key = decode32(key).ok_or(KeyError::BadLink)?;
                let secret = decode32(secret).ok_or(KeyError::BadLink)?;
                Capability::from_parts(key, Some(secret), Some(relay))
            }
            ["v1", "view", relay, key] => {
                let relay = RelayId::from_text(relay).ok_or(KeyError::BadLink)?;
                let key = decode32(key).ok_or(KeyError::BadLink)?;
                Capability::from_parts(key, None, Some(relay))
            }
            _ => Err(KeyError::BadLink),
        }
    }

    /// Encrypts, then signs. Needs the write key.
    /// The nonce is derived from the content key and what is sealed (see
    /// [`entry_nonce`]), so the same change sealed again (sent again after a reload)
    /// is the same entry, which the relay recognises as one it holds.
    pub fn seal_entry(&self, kind: EntryKind, plaintext: &[u8]) -> Result<SealedEntry, KeyError> {
        let write = self.write.as_ref().ok_or(KeyError::ViewOnly)?;
        let nonce = entry_nonce(&self.content_key, &self.relay, kind, plaintext);
        let ciphertext = self.encrypt(&nonce, &associated(ENTRY_CONTEXT, kind.code(), &self.relay), plaintext)?;
        let signature = write.sign(&signed_bytes(&self.relay, kind, &nonce, &ciphertext)).to_bytes();
        Ok(SealedEntry { nonce, signature, ciphertext })
    }

    /// Checks the signature, then decrypts. A snapshot signed by protocol version 1
    /// (stored before the relay was updated) is read too: see
    /// [`SealedEntry::verify_legacy_snapshot`].
    pub fn open_entry(&self, kind: EntryKind, entry: &SealedEntry) -> Result<Vec<u8>, KeyError> {
        match (entry.verify(&self.relay, kind), kind) {
            (Ok(()), _) => {}
            (Err(_), EntryKind::Snapshot { .. }) => entry.verify_legacy_snapshot(&self.relay)?,
            (Err(e), EntryKind::Change | EntryKind::Close) => return Err(e),
        }
        self.decrypt(&entry.nonce, &associated(ENTRY_CONTEXT, kind.code(), &self.relay), &entry.ciphertext)
    }

    /// Encrypts an ephemeral presence message, and with the write key signs it, so
    /// others can tell an editor from a view-link holder (who may claim any name).
    /// The result is `signed` (0 or 1) ‖ [signature] ‖ nonce ‖ ciphertext.
    pub fn seal_presence(&self, plaintext: &[u8]) -> Result<Vec<u8>, KeyError> {
        self.seal_ephemeral(PRESENCE_CONTEXT, plaintext)
    }

    /// Decrypts a presence message: its plaintext, and whether an editor (a write-key
    /// holder) signed it. A signature that does not verify refuses the message.
    pub fn open_presence(&self, sealed: &[u8]) -> Result<(Vec<u8>, bool), KeyError> {
        self.open_ephemeral(PRESENCE_CONTEXT, sealed)
    }

    /// Encrypts a message for a peer of the same workspace (sent directly, or passed
    /// on by the relay while two peers connect), signed with the write key if this
    /// capability has it: a peer applies changes only from a signed message. Sealed
    /// like presence, under a context of its own, so neither opens as the other.
    pub fn seal_peer(&self, plaintext: &[u8]) -> Result<Vec<u8>, KeyError> {
        self.seal_ephemeral(PEER_CONTEXT, plaintext)
    }

    /// Decrypts a peer's message: its plaintext, and whether a writer signed it.
    pub fn open_peer(&self, sealed: &[u8]) -> Result<(Vec<u8>, bool), KeyError> {
        self.open_ephemeral(PEER_CONTEXT, sealed)
    }

    fn seal_ephemeral(&self, context: &[u8], plaintext: &[u8]) -> Result<Vec<u8>, KeyError> {
        let nonce = random_nonce()?;
        let signed = u8::from(self.write.is_some());
        let ciphertext = self.encrypt(&nonce, &associated(context, signed, &self.relay), plaintext)?;
        let mut out = vec![signed];
        if let Some(write) = &self.write {
            out.extend(write.sign(&ephemeral_signed_bytes(context, &self.relay, &nonce, &ciphertext)).to_bytes());
        }
        out.extend(nonce);
        out.extend(ciphertext);
        Ok(out)
    }

    fn open_ephemeral(&self, context: &[u8], sealed: &[u8]) -> Result<(Vec<u8>, bool), KeyError> {
        let (&flag, rest) = sealed.split_first().ok_or(KeyError::BadCiphertext)?;
        let (signature, rest) = match flag {
            0 => (None, rest),
            1 if rest.len() >= SIGNATURE_LEN => {
                let (s, rest) = rest.split_at(SIGNATURE_LEN);
                (Some(Signature::from_bytes(s.try_into().expect("split at SIGNATURE_LEN"))), rest)
            }
            _ => return Err(KeyError::BadCiphertext),
        };
        if rest.len() < NONCE_LEN + TAG_LEN {
            return Err(KeyError::BadCiphertext);
        }
        let (nonce, ciphertext) = rest.split_at(NONCE_LEN);
        let nonce: [u8; NONCE_LEN] = nonce.try_into().expect("split at NONCE_LEN");
        if let Some(signature) = signature {
            let key = self.relay.verifying_key().ok_or(KeyError::BadSignature)?;
            key.verify_strict(&ephemeral_signed_bytes(context, &self.relay, &nonce, ciphertext), &signature).map_err(|_| KeyError::BadSignature)?;
        }
        let plaintext = self.decrypt(&nonce, &associated(context, flag, &self.relay), ciphertext)?;
        Ok((plaintext, signature.is_some()))
    }

    fn encrypt(&self, nonce: &[u8; NONCE_LEN], aad: &[u8], plaintext: &[u8]) -> Result<Vec<u8>, KeyError> {
        let cipher = XChaCha20Poly1305::new(&self.content_key.into());
        cipher
            .encrypt(&XNonce::from(*nonce), Payload { msg: plaintext, aad })
            .map_err(|_| KeyError::BadCiphertext)
    }

    fn decrypt(&self, nonce: &[u8; NONCE_LEN], aad: &[u8], ciphertext: &[u8]) -> Result<Vec<u8>, KeyError> {
        let cipher = XChaCha20Poly1305::new(&self.content_key.into());
        cipher
            .decrypt(&XNonce::from(*nonce), Payload { msg: ciphertext, aad })
            .map_err(|_| KeyError::BadCiphertext)
    }
}

/// An entry's nonce: the first 24 bytes of SHA-512("waymark entry nonce v1" ‖ content
/// key ‖ kind ‖ relay id ‖ [covers] ‖ plaintext). Distinct entries get distinct nonces
/// (a collision would need one in SHA-512), and nobody without the content key can
/// tell anything from it beyond "these two entries are the same".
fn entry_nonce(content_key: &[u8; 32], relay: &RelayId, kind: EntryKind, plaintext: &[u8]) -> [u8; NONCE_LEN] {
    use sha2::{Digest, Sha512};
    let mut h = Sha512::new();
    h.update(b"waymark entry nonce v1");
    h.update(content_key);
    h.update([kind.code()]);
    h.update(relay.0);
    if let EntryKind::Snapshot { covers } = kind {
        h.update(covers.to_be_bytes());
    }
    h.update(plaintext);
    let digest = h.finalize();
    let mut nonce = [0u8; NONCE_LEN];
    nonce.copy_from_slice(&digest[..NONCE_LEN]);
    nonce
}

fn random_nonce() -> Result<[u8; NONCE_LEN], KeyError> {
    let mut nonce = [0u8; NONCE_LEN];
    getrandom::fill(&mut nonce).map_err(|_| KeyError::NoRandom)?;
    Ok(nonce)
}

fn decode32(s: &str) -> Option<[u8; 32]> {
    if s.len() != 43 {
        return None;
    }
    B64.decode(s).ok()?.try_into().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_round_trip_and_a_view_link_cannot_write() {
        let cap = Capability::generate().unwrap();
        let edit = cap.edit_fragment().unwrap();
        let view = cap.view_fragment();
        assert_eq!(Capability::from_fragment(&edit).unwrap(), cap);
        assert_eq!(Capability::from_fragment(&format!("http://127.0.0.1:8080/join#{view}")).unwrap(), cap.view_only());
        let viewer = Capability::from_fragment(&view).unwrap();
        assert!(!viewer.can_write());
        assert_eq!(viewer.edit_fragment(), None);
        assert_eq!(viewer.seal_entry(EntryKind::Change, b"x"), Err(KeyError::ViewOnly));
        assert!(!view.contains(&edit.rsplit('.').next().unwrap()), "a view link never carries the secret");
    }

    #[test]
    fn bad_links_are_refused_with_a_reason() {
        let cap = Capability::generate().unwrap();
        let other = Capability::generate().unwrap();
        let edit = cap.edit_fragment().unwrap();
        assert_eq!(Capability::from_fragment("hello"), Err(KeyError::BadLink));
        assert_eq!(Capability::from_fragment(&edit[..edit.len() - 3]), Err(KeyError::BadLink));
        // The relay id of one workspace with the secret of another.
        let mixed = format!("v1.edit.{}.{}", other.relay_id().to_text(), edit.splitn(4, '.').nth(3).unwrap());
        assert_eq!(Capability::from_fragment(&mixed), Err(KeyError::InconsistentLink));
    }

    #[test]
    fn entries_open_only_with_their_keys_kind_and_workspace() {
        let cap = Capability::generate().unwrap();
        let entry = cap.seal_entry(EntryKind::Change, b"marker text").unwrap();
        assert!(!entry.ciphertext.windows(6).any(|w| w == b"marker"));
        assert_eq!(cap.open_entry(EntryKind::Change, &entry).unwrap(), b"marker text");
        assert_eq!(cap.view_only().open_entry(EntryKind::Change, &entry).unwrap(), b"marker text");
        assert_eq!(cap.open_entry(EntryKind::Snapshot { covers: 1 }, &entry), Err(KeyError::BadSignature));
        let other = Capability::generate().unwrap();
        assert_eq!(other.open_entry(EntryKind::Change, &entry), Err(KeyError::BadSignature));
        entry.verify(&cap.relay_id(), EntryKind::Change).unwrap();
    }

    #[test]
    fn tampered_ciphertext_and_forged_signatures_are_rejected() {
        let cap = Capability::generate().unwrap();
        let entry = cap.seal_entry(EntryKind::Change, b"hello").unwrap();
        let mut flipped = entry.clone();
        flipped.ciphertext[0] ^= 1;
        assert_eq!(cap.open_entry(EntryKind::Change, &flipped), Err(KeyError::BadSignature));
        let mut nonce = entry.clone();
        nonce.nonce[3] ^= 0x80;
        assert_eq!(cap.open_entry(EntryKind::Change, &nonce), Err(KeyError::BadSignature));
        // A forger with the content key (a view-link holder) signs with their own key.
        let forger = Capability::generate().unwrap();
        let mut forged = entry.clone();
        forged.signature = forger.seal_entry(EntryKind::Change, b"evil").unwrap().signature;
        assert_eq!(forged.verify(&cap.relay_id(), EntryKind::Change), Err(KeyError::BadSignature));
        // A valid signature over ciphertext that was not made with the content key.
        let stranger = Capability::from_parts([7; 32], Some(cap.write.as_ref().unwrap().to_bytes()), None).unwrap();
        let foreign = stranger.seal_entry(EntryKind::Change, b"hello").unwrap();
        assert_eq!(cap.open_entry(EntryKind::Change, &foreign), Err(KeyError::BadCiphertext));
    }

    #[test]
    fn presence_is_sealed_with_the_content_key() {
        let cap = Capability::generate().unwrap();
        let sealed = cap.view_only().seal_presence(b"{\"name\":\"Ada\"}").unwrap();
        assert_eq!(cap.open_presence(&sealed).unwrap().0, b"{\"name\":\"Ada\"}");
        assert_eq!(Capability::generate().unwrap().open_presence(&sealed), Err(KeyError::BadCiphertext));
        assert_eq!(cap.open_presence(&sealed[..10]), Err(KeyError::BadCiphertext));
    }

    /// A snapshot as protocol version 1 sealed it: `covers` not signed.
    fn legacy_snapshot(cap: &Capability, plaintext: &[u8]) -> SealedEntry {
        let nonce = random_nonce().unwrap();
        let code = EntryKind::Snapshot { covers: 0 }.code();
        let ciphertext = cap.encrypt(&nonce, &associated(ENTRY_CONTEXT, code, &cap.relay), plaintext).unwrap();
        let mut signed = signed_bytes(&cap.relay, EntryKind::Change, &nonce, &ciphertext);
        signed[ENTRY_CONTEXT.len()] = code;
        let signature = cap.write.as_ref().unwrap().sign(&signed).to_bytes();
        SealedEntry { nonce, signature, ciphertext }
    }

    #[test]
    fn a_snapshot_is_signed_with_what_it_covers() {
        let cap = Capability::generate().unwrap();
        let ws = cap.relay_id();
        let snapshot = cap.seal_entry(EntryKind::Snapshot { covers: 5 }, b"whole").unwrap();
        snapshot.verify(&ws, EntryKind::Snapshot { covers: 5 }).unwrap();
        // Claiming it covers more (or less) breaks the signature: the relay refuses it.
        for covers in [4, 6, u64::MAX] {
            assert_eq!(snapshot.verify(&ws, EntryKind::Snapshot { covers }), Err(KeyError::BadSignature), "{covers}");
            assert_eq!(cap.view_only().open_entry(EntryKind::Snapshot { covers }, &snapshot), Err(KeyError::BadSignature));
        }
        assert_eq!(cap.view_only().open_entry(EntryKind::Snapshot { covers: 5 }, &snapshot).unwrap(), b"whole");
        assert_eq!(snapshot.verify(&ws, EntryKind::Change), Err(KeyError::BadSignature), "nor is it a change");
    }

    #[test]
    fn a_version_1_snapshot_is_read_by_clients_but_never_stored_again() {
        let cap = Capability::generate().unwrap();
        let old = legacy_snapshot(&cap, b"from before the update");
        assert_eq!(cap.open_entry(EntryKind::Snapshot { covers: 9 }, &old).unwrap(), b"from before the update");
        assert_eq!(old.verify(&cap.relay_id(), EntryKind::Snapshot { covers: 9 }), Err(KeyError::BadSignature), "the relay's check refuses it");
        let change = cap.seal_entry(EntryKind::Change, b"a change").unwrap();
        assert_eq!(change.verify_legacy_snapshot(&cap.relay_id()), Err(KeyError::BadSignature), "a change is no legacy snapshot");
    }

    #[test]
    fn an_editors_presence_is_signed_and_a_viewers_is_not() {
        let cap = Capability::generate().unwrap();
        let viewer = cap.view_only();
        let (plain, by_editor) = viewer.open_presence(&cap.seal_presence(b"Ada").unwrap()).unwrap();
        assert_eq!((plain.as_slice(), by_editor), (&b"Ada"[..], true));
        let (plain, by_editor) = cap.open_presence(&viewer.seal_presence(b"Ada, really").unwrap()).unwrap();
        assert_eq!((plain.as_slice(), by_editor), (&b"Ada, really"[..], false), "a viewer may say any name, but is known to be a viewer");
        // A viewer cannot dress its message up as an editor's, nor strip an editor's mark.
        let mut forged = viewer.seal_presence(b"Ada").unwrap();
        forged[0] = 1;
        forged.splice(1..1, [0u8; SIGNATURE_LEN]);
        assert!(cap.open_presence(&forged).is_err());
        let mut stripped = cap.seal_presence(b"Ada").unwrap();
        stripped.drain(1..1 + SIGNATURE_LEN);
        stripped[0] = 0;
        assert!(cap.open_presence(&stripped).is_err(), "the flag is bound into the encryption");
        assert!(cap.open_presence(&[]).is_err() && cap.open_presence(&[7, 1, 2]).is_err());
    }

    #[test]
    fn a_message_to_a_peer_says_whether_a_writer_sealed_it_and_is_not_a_presence() {
        let cap = Capability::generate().unwrap();
        let viewer = cap.view_only();
        let (plain, by_writer) = viewer.open_peer(&cap.seal_peer(b"changes").unwrap()).unwrap();
        assert_eq!((plain.as_slice(), by_writer), (&b"changes"[..], true));
        let (_, by_writer) = cap.open_peer(&viewer.seal_peer(b"forged changes").unwrap()).unwrap();
        assert!(!by_writer, "a viewer's message is known to be a viewer's");
        let mut forged = viewer.seal_peer(b"forged changes").unwrap();
        forged[0] = 1;
        forged.splice(1..1, [0u8; SIGNATURE_LEN]);
        assert_eq!(cap.open_peer(&forged), Err(KeyError::BadSignature));
        // Neither kind of message opens as the other, nor under another workspace's keys.
        assert!(cap.open_presence(&cap.seal_peer(b"x").unwrap()).is_err());
        assert!(cap.open_peer(&cap.seal_presence(b"x").unwrap()).is_err());
        assert!(Capability::generate().unwrap().open_peer(&cap.seal_peer(b"x").unwrap()).is_err());
    }

    /// A change sent again after a reload (its Ack not yet confirmed) must be the very
    /// same entry, so the relay recognises it and does not store it twice.
    #[test]
    fn the_same_change_sealed_twice_is_the_same_entry_and_others_differ() {
        let cap = Capability::generate().unwrap();
        let once = cap.seal_entry(EntryKind::Change, b"a change").unwrap();
        assert_eq!(cap.seal_entry(EntryKind::Change, b"a change").unwrap(), once);
        assert_eq!(cap.open_entry(EntryKind::Change, &once).unwrap(), b"a change");
        assert_ne!(cap.seal_entry(EntryKind::Change, b"a change!").unwrap().nonce, once.nonce);
        assert_ne!(cap.seal_entry(EntryKind::Snapshot { covers: 1 }, b"a change").unwrap().nonce, once.nonce, "nor across kinds");
        let other = Capability::generate().unwrap();
        assert_ne!(other.seal_entry(EntryKind::Change, b"a change").unwrap().nonce, once.nonce, "nor across workspaces");
    }
}
