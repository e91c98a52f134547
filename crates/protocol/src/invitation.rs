//! Connecting with no server at all: an invitation, and its answer, copied across by
//! people (a chat message, an e-mail) instead of passed on by a relay.
//!
//! The invitation carries the workspace's keys (the fragment of a share link, so it is
//! as secret as one), the workspace's id and name, and the inviter's offer for a direct
//! connection. The answer carries the invited browser's answer, sealed with those keys
//! ([`Capability::seal_peer`] as a [`PeerMessage::Signal`]): only someone holding the
//! workspace's keys (whoever read the invitation, or anyone with a link) can make one,
//! and the inviter can tell which of its invitations it answers.
//!
//! Text: `waymark-invitation.1.` or `waymark-answer.1.` then URL-safe base64 (no
//! padding) of the body. Whitespace anywhere is ignored (a mail program may wrap it).
//! Invitation body: fragment, workspace id, name, signal (each a big-endian u16 length
//! then UTF-8), then the invitation's number (u64). Answer body (sealed): the
//! invitation's number (u64), then the signal (the rest, UTF-8). Parsing is strict and
//! bounded: a hostile paste gets an error, never a panic.

use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine as _;

use crate::peer::PeerMessage;
use crate::Capability;

const INVITATION: &str = "waymark-invitation.1.";
const ANSWER: &str = "waymark-answer.1.";
/// Characters of a pasted invitation or answer at most (without whitespace).
pub const MAX_TEXT: usize = 64 * 1024;
/// Bytes of a signal (an offer or answer with its addresses) at most.
pub const MAX_SIGNAL: usize = 16 * 1024;
/// Bytes of a workspace's name in an invitation at most.
pub const MAX_NAME: usize = 400;

/// Why a pasted invitation or answer was refused, for a person.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvitationError {
    #[error("This is not a Waymark invitation: it should start with “waymark-invitation.1.”.")]
    NotAnInvitation,
    #[error("This is not a Waymark answer: it should start with “waymark-answer.1.”.")]
    NotAnAnswer,
    #[error("It is longer than an invitation or answer can be.")]
    TooLong,
    #[error("It is damaged or cut short ({0}). Copy it again, whole.")]
    Damaged(&'static str),
    #[error("This answer is not for an invitation of this workspace.")]
    OtherWorkspace,
}

/// What an inviter sends.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Invitation {
    /// The keys: a share link's fragment (edit or view).
    pub fragment: String,
    /// The workspace's id (the copy received must be this one).
    pub workspace: String,
    pub name: String,
    /// The invitation's number: its answer says it.
    pub id: u64,
    /// The inviter's offer (as the app encodes it).
    pub signal: String,
}

/// What the invited browser sends back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Answer {
    /// The number of the invitation it answers.
    pub to: u64,
    /// Its answer (as the app encodes it).
    pub signal: String,
}

impl Invitation {
    /// The text to copy across; `None` if the signal is longer than one may be. A name
    /// longer than [`MAX_NAME`] is cut (at a character's boundary).
    pub fn to_text(&self) -> Option<String> {
        if self.signal.len() > MAX_SIGNAL || self.fragment.len() > 300 || self.workspace.len() > 64 {
            return None;
        }
        let mut cut = self.name.len().min(MAX_NAME);
        while !self.name.is_char_boundary(cut) {
            cut -= 1;
        }
        let mut body = Vec::new();
        for field in [self.fragment.as_str(), &self.workspace, &self.name[..cut], &self.signal] {
            body.extend((field.len() as u16).to_be_bytes());
            body.extend(field.as_bytes());
        }
        body.extend(self.id.to_be_bytes());
        Some(format!("{INVITATION}{}", B64.encode(body)))
    }

    /// Reads a pasted invitation, and its keys.
    pub fn from_text(text: &str) -> Result<(Invitation, Capability), InvitationError> {
        let body = body(text, INVITATION).ok_or(InvitationError::NotAnInvitation)??;
        let mut rest = body.as_slice();
        let fragment = field(&mut rest, 300)?;
        let workspace = field(&mut rest, 64)?;
        let name = field(&mut rest, MAX_NAME)?;
        let signal = field(&mut rest, MAX_SIGNAL)?;
        let id = <[u8; 8]>::try_from(rest).map_err(|_| InvitationError::Damaged("its number"))?;
        let cap = Capability::from_fragment(&fragment).map_err(|_| InvitationError::Damaged("its keys"))?;
        if workspace.is_empty() || !workspace.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
            return Err(InvitationError::Damaged("its workspace"));
        }
        Ok((Invitation { fragment, workspace, name, id: u64::from_be_bytes(id), signal }, cap))
    }
}

impl Answer {
    /// The text to copy back, sealed with the invitation's keys.
    pub fn to_text(&self, cap: &Capability) -> Result<String, crate::peer::PeerError> {
        let mut plain = self.to.to_be_bytes().to_vec();
        plain.extend(self.signal.as_bytes());
        let sealed = PeerMessage::Signal(plain).seal_whole(cap)?;
        Ok(format!("{ANSWER}{}", B64.encode(sealed)))
    }

    /// Reads a pasted answer with the workspace's keys: the answer, and whether a
    /// writer sealed it.
    pub fn from_text(text: &str, cap: &Capability) -> Result<(Answer, bool), InvitationError> {
        let sealed = body(text, ANSWER).ok_or(InvitationError::NotAnAnswer)??;
        let Ok((PeerMessage::Signal(plain), writer)) = PeerMessage::open(cap, &sealed) else { return Err(InvitationError::OtherWorkspace) };
        let (to, signal) = plain.split_first_chunk::<8>().ok_or(InvitationError::Damaged("its number"))?;
        if signal.len() > MAX_SIGNAL {
            return Err(InvitationError::TooLong);
        }
        let signal = String::from_utf8(signal.to_vec()).map_err(|_| InvitationError::Damaged("its text"))?;
        Ok((Answer { to: u64::from_be_bytes(*to), signal }, writer))
    }
}

/// The decoded body of `text` if it starts with `prefix` (`None` if it does not).
fn body(text: &str, prefix: &str) -> Option<Result<Vec<u8>, InvitationError>> {
    // Generous for wrapped text, and nothing bigger is even copied.
    if text.len() > 2 * MAX_TEXT {
        return text.trim_start().starts_with(prefix).then_some(Err(InvitationError::TooLong));
    }
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let encoded = compact.strip_prefix(prefix)?;
    if encoded.len() > MAX_TEXT {
        return Some(Err(InvitationError::TooLong));
    }
    Some(B64.decode(encoded).map_err(|_| InvitationError::Damaged("not base64")))
}

/// One length-prefixed UTF-8 field of at most `max` bytes, taken off `rest`.
fn field(rest: &mut &[u8], max: usize) -> Result<String, InvitationError> {
    let (len, tail) = rest.split_first_chunk::<2>().ok_or(InvitationError::Damaged("it ends early"))?;
    let len = u16::from_be_bytes(*len) as usize;
    if len > max {
        return Err(InvitationError::TooLong);
    }
    if tail.len() < len {
        return Err(InvitationError::Damaged("it ends early"));
    }
    let (value, tail) = tail.split_at(len);
    *rest = tail;
    String::from_utf8(value.to_vec()).map_err(|_| InvitationError::Damaged("its text"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn invitation(cap: &Capability) -> Invitation {
        Invitation {
            fragment: cap.edit_fragment().unwrap(),
            workspace: "01JABCDEF".into(),
            name: "Roadmap « Q3 » 🚀".into(),
            id: u64::MAX - 7,
            signal: "{\"kind\":\"offer\",\"me\":1,\"sdp\":\"v=0\\r\\n\"}".into(),
        }
    }

    #[test]
    fn an_invitation_reads_back_even_wrapped_by_a_mail_program() {
        let cap = Capability::generate().unwrap();
        let sent = invitation(&cap);
        let text = sent.to_text().unwrap();
        let wrapped: String = text.chars().collect::<Vec<_>>().chunks(60).map(|c| c.iter().collect::<String>()).collect::<Vec<_>>().join("\r\n  ");
        let (read, keys) = Invitation::from_text(&format!("  {wrapped}\n")).unwrap();
        assert_eq!(read, sent);
        assert!(keys.can_write());
        assert_eq!(keys.relay_id(), cap.relay_id());
    }

    #[test]
    fn a_long_name_is_cut_and_a_signal_too_long_makes_no_invitation() {
        let cap = Capability::generate().unwrap();
        let long = Invitation { name: "é".repeat(MAX_NAME), ..invitation(&cap) };
        let (read, _) = Invitation::from_text(&long.to_text().unwrap()).unwrap();
        assert_eq!(read.name, "é".repeat(MAX_NAME / 2), "cut at a character's boundary");
        assert_eq!(Invitation { signal: "x".repeat(MAX_SIGNAL + 1), ..invitation(&cap) }.to_text(), None);
    }

    #[test]
    fn an_answer_opens_only_with_the_invitations_keys_and_says_who_sealed_it() {
        let cap = Capability::generate().unwrap();
        let answer = Answer { to: 42, signal: "{\"kind\":\"answer\"}".into() };
        let text = answer.to_text(&cap.view_only()).unwrap();
        assert_eq!(Answer::from_text(&text, &cap).unwrap(), (answer.clone(), false));
        assert_eq!(Answer::from_text(&answer.to_text(&cap).unwrap(), &cap).unwrap(), (answer, true));
        let other = Capability::generate().unwrap();
        assert_eq!(Answer::from_text(&text, &other), Err(InvitationError::OtherWorkspace));
    }

    #[test]
    fn damaged_or_hostile_text_is_refused_with_a_reason() {
        let cap = Capability::generate().unwrap();
        let text = invitation(&cap).to_text().unwrap();
        assert_eq!(Invitation::from_text("https://example.org/join#v1.edit"), Err(InvitationError::NotAnInvitation));
        assert_eq!(Answer::from_text(&text, &cap), Err(InvitationError::NotAnAnswer));
        for cut in [INVITATION.len(), INVITATION.len() + 5, text.len() - 3] {
            assert!(matches!(Invitation::from_text(&text[..cut]), Err(InvitationError::Damaged(_))), "cut at {cut}");
        }
        assert!(matches!(Invitation::from_text(&format!("{text}!")), Err(InvitationError::Damaged(_))));
        assert_eq!(Invitation::from_text(&format!("{INVITATION}{}", "A".repeat(MAX_TEXT + 4))), Err(InvitationError::TooLong));
        assert_eq!(Invitation::from_text(&format!("{INVITATION}{}", "A".repeat(3 * MAX_TEXT))), Err(InvitationError::TooLong));
        // A field claiming more than it may.
        let body = B64.encode([0xff, 0xff, b'x']);
        assert_eq!(Invitation::from_text(&format!("{INVITATION}{body}")), Err(InvitationError::TooLong));
        // Keys that are not keys.
        let bad = Invitation { fragment: "v1.edit.nope".into(), ..invitation(&cap) };
        assert_eq!(Invitation::from_text(&bad.to_text().unwrap()), Err(InvitationError::Damaged("its keys")));
        let bad = Invitation { workspace: "../x".into(), ..invitation(&cap) };
        assert_eq!(Invitation::from_text(&bad.to_text().unwrap()), Err(InvitationError::Damaged("its workspace")));
        assert!(matches!(Answer::from_text(&format!("{ANSWER}AAAA"), &cap), Err(InvitationError::OtherWorkspace)));
    }

    proptest::proptest! {
        #[test]
        fn any_paste_is_read_or_refused_without_panicking(text in ".{0,300}") {
            let cap = Capability::generate().unwrap();
            let _ = Invitation::from_text(&text);
            let _ = Invitation::from_text(&format!("{INVITATION}{text}"));
            let _ = Answer::from_text(&format!("{ANSWER}{text}"), &cap);
        }
    }
}
