//! The relay's wire format: one message per WebSocket binary frame.
//!
//! A frame is a type byte followed by fixed-order fields: integers big-endian,
//! byte strings and text with a length prefix. Parsing is strict: an unknown type,
//! a length past the end, a count that cannot fit, invalid UTF-8 or a trailing byte
//! is an error, never a panic and never a guess. PROTOCOL.md describes every message.

use crate::keys::{RelayId, SealedEntry, NONCE_LEN, SIGNATURE_LEN};

/// The newest protocol version this crate speaks.
pub const VERSION: u16 = 3;
/// The oldest one it still speaks (version 3 only adds signals between peers).
pub const MIN_VERSION: u16 = 2;
/// No frame is ever read beyond this many bytes, whatever a relay allows.
pub const MAX_FRAME_HARD: usize = 64 << 20;

/// Every message, both directions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Message {
    // Client to relay.
    /// The first frame of a connection: which versions the client speaks.
    Hello { min_version: u16, max_version: u16 },
    /// Sends every stored entry after `after` (0: all), then each new one.
    Subscribe { workspace: RelayId, after: u64 },
    Unsubscribe { workspace: RelayId },
    /// Stores a change; answered by `Ack` once it is durable.
    Append { workspace: RelayId, request: u32, entry: SealedEntry },
    /// Stores a whole document covering entries up to `covers`, which lets the relay
    /// drop them; answered by `Ack` with `seq == covers`.
    Snapshot { workspace: RelayId, request: u32, covers: u64, entry: SealedEntry },
    /// Ephemeral, encrypted; forwarded to the workspace's other subscribers, never stored.
    Presence { workspace: RelayId, sealed: Vec<u8> },
    /// Ends the workspace's log for good (an entry of kind `Close`, signed with the
    /// write key): stored as its last entry; answered by `Ack`.
    Close { workspace: RelayId, request: u32, entry: SealedEntry },
    /// Version 3: passes a sealed message (an offer, answer or address for a direct
    /// connection) to connection `to` of the workspace, never stored.
    Signal { workspace: RelayId, to: u64, sealed: Vec<u8> },

    // Relay to client.
    /// The version chosen and the relay's largest accepted frame.
    Welcome { version: u16, max_frame: u32 },
    /// Stored entries in order. `head` is the relay's newest sequence number when the
    /// batch was sent: a client whose last seen seq reaches `head` is up to date.
    /// `epoch` names the relay's log of this workspace (random, chosen with its first
    /// entry; 0 while it has none): another epoch means the numbers restarted.
    Entries { workspace: RelayId, epoch: u64, head: u64, snapshot: Option<(u64, SealedEntry)>, entries: Vec<(u64, SealedEntry)> },
    /// `request` is durable as `seq`.
    Ack { workspace: RelayId, request: u32, seq: u64 },
    /// Another connection's presence; `from` is stable while that connection lasts.
    PeerPresence { workspace: RelayId, from: u64, sealed: Vec<u8> },
    /// That connection left the workspace.
    PeerLeft { workspace: RelayId, from: u64 },
    /// Version 3: connection `from` sent this connection a signal.
    PeerSignal { workspace: RelayId, from: u64, sealed: Vec<u8> },
    /// Something was refused. `request` names the append or snapshot (0: none).
    Error { code: ErrorCode, request: u32, message: String },
}

/// What went wrong, for code to act on; the message is for people.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorCode {
    UnsupportedVersion,
    Malformed,
    FrameTooLarge,
    BadSignature,
    WorkspaceFull,
    RateLimited,
    TooManyConnections,
    NotSubscribed,
    BadSnapshot,
    Internal,
    /// The workspace's log was closed (its links were replaced): it takes no more.
    Closed,
    /// A code this version does not know (kept so a newer relay's errors still show).
    Other(u16),
}

impl ErrorCode {
    pub fn to_u16(self) -> u16 {
        match self {
            ErrorCode::UnsupportedVersion => 1,
            ErrorCode::Malformed => 2,
            ErrorCode::FrameTooLarge => 3,
            ErrorCode::BadSignature => 4,
            ErrorCode::WorkspaceFull => 5,
            ErrorCode::RateLimited => 6,
            ErrorCode::TooManyConnections => 7,
            ErrorCode::NotSubscribed => 8,
            ErrorCode::BadSnapshot => 9,
            ErrorCode::Internal => 10,
            ErrorCode::Closed => 11,
            ErrorCode::Other(n) => n,
        }
    }

    pub fn from_u16(n: u16) -> ErrorCode {
        match n {
            1 => ErrorCode::UnsupportedVersion,
            2 => ErrorCode::Malformed,
            3 => ErrorCode::FrameTooLarge,
            4 => ErrorCode::BadSignature,
            5 => ErrorCode::WorkspaceFull,
            6 => ErrorCode::RateLimited,
            7 => ErrorCode::TooManyConnections,
            8 => ErrorCode::NotSubscribed,
            9 => ErrorCode::BadSnapshot,
            10 => ErrorCode::Internal,
            11 => ErrorCode::Closed,
            n => ErrorCode::Other(n),
        }
    }

    /// Whether the connection is closed after this error.
    pub fn is_fatal(self) -> bool {
        matches!(self, ErrorCode::UnsupportedVersion | ErrorCode::Malformed | ErrorCode::FrameTooLarge | ErrorCode::TooManyConnections)
    }
}

/// Why a frame could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    #[error("empty frame")]
    Empty,
    #[error("unknown message type {0:#04x}")]
    UnknownType(u8),
    #[error("frame ends in the middle of a field")]
    Truncated,
    #[error("{0} bytes left over after the message")]
    Trailing(usize),
    #[error("text is not UTF-8")]
    BadText,
    #[error("frame of {0} bytes is over the limit")]
    TooLarge(usize),
    #[error("entries are not in increasing sequence order")]
    Unordered,
}

mod tag {
    pub const HELLO: u8 = 0x01;
    pub const SUBSCRIBE: u8 = 0x02;
    pub const UNSUBSCRIBE: u8 = 0x03;
    pub const APPEND: u8 = 0x04;
    pub const SNAPSHOT: u8 = 0x05;
    pub const PRESENCE: u8 = 0x06;
    pub const CLOSE: u8 = 0x07;
    pub const SIGNAL: u8 = 0x08;
    pub const WELCOME: u8 = 0x81;
    pub const ENTRIES: u8 = 0x82;
    pub const ACK: u8 = 0x83;
    pub const PEER_PRESENCE: u8 = 0x84;
    pub const PEER_LEFT: u8 = 0x85;
    pub const PEER_SIGNAL: u8 = 0x86;
    pub const ERROR: u8 = 0x8f;
}

/// Bytes an entry takes inside a frame (its length prefix included).
pub fn entry_wire_len(entry: &SealedEntry) -> usize {
    4 + entry.len()
}

impl Message {
    pub fn encode(&self) -> Vec<u8> {
        let mut w = Writer(Vec::with_capacity(64));
        match self {
            Message::Hello { min_version, max_version } => {
                w.u8(tag::HELLO);
                w.u16(*min_version);
                w.u16(*max_version);
            }
            Message::Subscribe { workspace, after } => {
                w.u8(tag::SUBSCRIBE);
                w.relay(workspace);
                w.u64(*after);
            }
            Message::Unsubscribe { workspace } => {
                w.u8(tag::UNSUBSCRIBE);
                w.relay(workspace);
            }
            Message::Append { workspace, request, entry } => {
                w.u8(tag::APPEND);
                w.relay(workspace);
                w.u32(*request);
                w.entry(entry);
            }
            Message::Snapshot { workspace, request, covers, entry } => {
                w.u8(tag::SNAPSHOT);
                w.relay(workspace);
                w.u32(*request);
                w.u64(*covers);
                w.entry(entry);
            }
            Message::Presence { workspace, sealed } => {
                w.u8(tag::PRESENCE);
                w.relay(workspace);
                w.bytes(sealed);
            }
            Message::Close { workspace, request, entry } => {
                w.u8(tag::CLOSE);
                w.relay(workspace);
                w.u32(*request);
                w.entry(entry);
            }
            Message::Signal { workspace, to, sealed } => {
                w.u8(tag::SIGNAL);
                w.relay(workspace);
                w.u64(*to);
                w.bytes(sealed);
            }
            Message::Welcome { version, max_frame } => {
                w.u8(tag::WELCOME);
                w.u16(*version);
                w.u32(*max_frame);
            }
            Message::Entries { workspace, epoch, head, snapshot, entries } => {
                w.u8(tag::ENTRIES);
                w.relay(workspace);
                w.u64(*epoch);
                w.u64(*head);
                match snapshot {
                    None => w.u8(0),
                    Some((covers, entry)) => {
                        w.u8(1);
                        w.u64(*covers);
                        w.entry(entry);
                    }
                }
                w.u32(entries.len() as u32);
                for (seq, entry) in entries {
                    w.u64(*seq);
                    w.entry(entry);
                }
            }
            Message::Ack { workspace, request, seq } => {
                w.u8(tag::ACK);
                w.relay(workspace);
                w.u32(*request);
                w.u64(*seq);
            }
            Message::PeerPresence { workspace, from, sealed } => {
                w.u8(tag::PEER_PRESENCE);
                w.relay(workspace);
                w.u64(*from);
                w.bytes(sealed);
            }
            Message::PeerLeft { workspace, from } => {
                w.u8(tag::PEER_LEFT);
                w.relay(workspace);
                w.u64(*from);
            }
            Message::PeerSignal { workspace, from, sealed } => {
                w.u8(tag::PEER_SIGNAL);
                w.relay(workspace);
                w.u64(*from);
                w.bytes(sealed);
            }
            Message::Error { code, request, message } => {
                w.u8(tag::ERROR);
                w.u16(code.to_u16());
                w.u32(*request);
                // Text is cut to what a u16 length can say, on a character boundary.
                let mut end = message.len().min(u16::MAX as usize);
                while !message.is_char_boundary(end) {
                    end -= 1;
                }
                w.u16(end as u16);
                w.0.extend_from_slice(&message.as_bytes()[..end]);
            }
        }
        w.0
    }

    /// Reads one frame. Never panics, whatever the bytes.
    pub fn decode(frame: &[u8]) -> Result<Message, DecodeError> {
        if frame.len() > MAX_FRAME_HARD {
            return Err(DecodeError::TooLarge(frame.len()));
        }
        let mut r = Reader(frame);
        let message = match r.u8().map_err(|_| DecodeError::Empty)? {
            tag::HELLO => Message::Hello { min_version: r.u16()?, max_version: r.u16()? },
            tag::SUBSCRIBE => Message::Subscribe { workspace: r.relay()?, after: r.u64()? },
            tag::UNSUBSCRIBE => Message::Unsubscribe { workspace: r.relay()? },
            tag::APPEND => Message::Append { workspace: r.relay()?, request: r.u32()?, entry: r.entry()? },
            tag::SNAPSHOT => Message::Snapshot { workspace: r.relay()?, request: r.u32()?, covers: r.u64()?, entry: r.entry()? },
            tag::PRESENCE => Message::Presence { workspace: r.relay()?, sealed: r.bytes()? },
            tag::CLOSE => Message::Close { workspace: r.relay()?, request: r.u32()?, entry: r.entry()? },
            tag::SIGNAL => Message::Signal { workspace: r.relay()?, to: r.u64()?, sealed: r.bytes()? },
            tag::WELCOME => Message::Welcome { version: r.u16()?, max_frame: r.u32()? },
            tag::ENTRIES => {
                let workspace = r.relay()?;
                let epoch = r.u64()?;
                let head = r.u64()?;
                let snapshot = match r.u8()? {
                    0 => None,
                    1 => Some((r.u64()?, r.entry()?)),
                    _ => return Err(DecodeError::Truncated),
                };
                let count = r.u32()? as usize;
                // Each entry takes at least its seq, length and fixed fields.
                if count > r.0.len() / (8 + 4 + NONCE_LEN + SIGNATURE_LEN) {
                    return Err(DecodeError::Truncated);
                }
                let mut entries = Vec::with_capacity(count);
                for _ in 0..count {
                    let seq = r.u64()?;
                    if entries.last().is_some_and(|(last, _)| *last >= seq) {
                        return Err(DecodeError::Unordered);
                    }
                    entries.push((seq, r.entry()?));
                }
                Message::Entries { workspace, epoch, head, snapshot, entries }
            }
            tag::ACK => Message::Ack { workspace: r.relay()?, request: r.u32()?, seq: r.u64()? },
            tag::PEER_PRESENCE => Message::PeerPresence { workspace: r.relay()?, from: r.u64()?, sealed: r.bytes()? },
            tag::PEER_LEFT => Message::PeerLeft { workspace: r.relay()?, from: r.u64()? },
            tag::PEER_SIGNAL => Message::PeerSignal { workspace: r.relay()?, from: r.u64()?, sealed: r.bytes()? },
            tag::ERROR => {
                let code = ErrorCode::from_u16(r.u16()?);
                let request = r.u32()?;
                let len = r.u16()? as usize;
                let text = r.take(len)?;
                let message = std::str::from_utf8(text).map_err(|_| DecodeError::BadText)?.to_owned();
                Message::Error { code, request, message }
            }
            other => return Err(DecodeError::UnknownType(other)),
        };
        if !r.0.is_empty() {
            return Err(DecodeError::Trailing(r.0.len()));
        }
        Ok(message)
    }
}

struct Writer(Vec<u8>);

impl Writer {
    fn u8(&mut self, v: u8) {
        self.0.push(v);
    }
    fn u16(&mut self, v: u16) {
        self.0.extend_from_slice(&v.to_be_bytes());
    }
    fn u32(&mut self, v: u32) {
        self.0.extend_from_slice(&v.to_be_bytes());
    }
    fn u64(&mut self, v: u64) {
        self.0.extend_from_slice(&v.to_be_bytes());
    }
    fn relay(&mut self, r: &RelayId) {
        self.0.extend_from_slice(&r.0);
    }
    fn bytes(&mut self, b: &[u8]) {
        self.u32(b.len() as u32);
        self.0.extend_from_slice(b);
    }
    /// Length (nonce + signature + ciphertext), then the three in that order.
    fn entry(&mut self, e: &SealedEntry) {
        self.u32(e.len() as u32);
        self.0.extend_from_slice(&e.nonce);
        self.0.extend_from_slice(&e.signature);
        self.0.extend_from_slice(&e.ciphertext);
    }
}

struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], DecodeError> {
        if self.0.len() < n {
            return Err(DecodeError::Truncated);
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Ok(head)
    }
    fn array<const N: usize>(&mut self) -> Result<[u8; N], DecodeError> {
        Ok(self.take(N)?.try_into().expect("take returned N bytes"))
    }
    fn u8(&mut self) -> Result<u8, DecodeError> {
        Ok(self.array::<1>()?[0])
    }
    fn u16(&mut self) -> Result<u16, DecodeError> {
        Ok(u16::from_be_bytes(self.array()?))
    }
    fn u32(&mut self) -> Result<u32, DecodeError> {
        Ok(u32::from_be_bytes(self.array()?))
    }
    fn u64(&mut self) -> Result<u64, DecodeError> {
        Ok(u64::from_be_bytes(self.array()?))
    }
    fn relay(&mut self) -> Result<RelayId, DecodeError> {
        Ok(RelayId(self.array()?))
    }
    fn bytes(&mut self) -> Result<Vec<u8>, DecodeError> {
        let len = self.u32()? as usize;
        Ok(self.take(len)?.to_vec())
    }
    fn entry(&mut self) -> Result<SealedEntry, DecodeError> {
        let len = self.u32()? as usize;
        if len < NONCE_LEN + SIGNATURE_LEN {
            return Err(DecodeError::Truncated);
        }
        let mut body = Reader(self.take(len)?);
        let nonce = body.array()?;
        let signature = body.array()?;
        Ok(SealedEntry { nonce, signature, ciphertext: body.0.to_vec() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn relay() -> impl Strategy<Value = RelayId> {
        any::<[u8; 32]>().prop_map(RelayId)
    }

    fn entry() -> impl Strategy<Value = SealedEntry> {
        (any::<[u8; 24]>(), prop::collection::vec(any::<u8>(), 64), prop::collection::vec(any::<u8>(), 0..200)).prop_map(
            |(nonce, sig, ciphertext)| SealedEntry { nonce, signature: sig.try_into().unwrap(), ciphertext },
        )
    }

    fn code() -> impl Strategy<Value = ErrorCode> {
        any::<u16>().prop_map(ErrorCode::from_u16)
    }

    fn message() -> impl Strategy<Value = Message> {
        prop_oneof![
            (any::<u16>(), any::<u16>()).prop_map(|(min_version, max_version)| Message::Hello { min_version, max_version }),
            (relay(), any::<u64>()).prop_map(|(workspace, after)| Message::Subscribe { workspace, after }),
            relay().prop_map(|workspace| Message::Unsubscribe { workspace }),
            (relay(), any::<u32>(), entry()).prop_map(|(workspace, request, entry)| Message::Append { workspace, request, entry }),
            (relay(), any::<u32>(), any::<u64>(), entry())
                .prop_map(|(workspace, request, covers, entry)| Message::Snapshot { workspace, request, covers, entry }),
            (relay(), prop::collection::vec(any::<u8>(), 0..100)).prop_map(|(workspace, sealed)| Message::Presence { workspace, sealed }),
            (relay(), any::<u32>(), entry()).prop_map(|(workspace, request, entry)| Message::Close { workspace, request, entry }),
            (any::<u16>(), any::<u32>()).prop_map(|(version, max_frame)| Message::Welcome { version, max_frame }),
            (relay(), any::<u64>(), any::<u64>(), prop::option::of((any::<u64>(), entry())), prop::collection::btree_map(any::<u64>(), entry(), 0..5))
                .prop_map(|(workspace, epoch, head, snapshot, entries)| Message::Entries {
                    workspace,
                    epoch,
                    head,
                    snapshot,
                    entries: entries.into_iter().collect()
                }),
            (relay(), any::<u32>(), any::<u64>()).prop_map(|(workspace, request, seq)| Message::Ack { workspace, request, seq }),
            (relay(), any::<u64>(), prop::collection::vec(any::<u8>(), 0..100))
                .prop_map(|(workspace, from, sealed)| Message::PeerPresence { workspace, from, sealed }),
            (relay(), any::<u64>()).prop_map(|(workspace, from)| Message::PeerLeft { workspace, from }),
            (relay(), any::<u64>(), prop::collection::vec(any::<u8>(), 0..100)).prop_map(|(workspace, to, sealed)| Message::Signal { workspace, to, sealed }),
            (relay(), any::<u64>(), prop::collection::vec(any::<u8>(), 0..100))
                .prop_map(|(workspace, from, sealed)| Message::PeerSignal { workspace, from, sealed }),
            (code(), any::<u32>(), ".{0,40}").prop_map(|(code, request, message)| Message::Error { code, request, message }),
        ]
    }

    proptest! {
        #[test]
        fn every_message_round_trips(m in message()) {
            prop_assert_eq!(Message::decode(&m.encode()), Ok(m));
        }

        #[test]
        fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
            let _ = Message::decode(&bytes);
        }

        #[test]
        fn every_cut_or_extended_frame_is_refused(m in message(), extra in any::<u8>()) {
            let bytes = m.encode();
            for end in 0..bytes.len() {
                prop_assert!(Message::decode(&bytes[..end]).is_err(), "prefix of {} bytes accepted", end);
            }
            let mut longer = bytes.clone();
            longer.push(extra);
            prop_assert_eq!(Message::decode(&longer), Err(DecodeError::Trailing(1)));
        }

        #[test]
        fn mutated_frames_never_panic(m in message(), at in any::<prop::sample::Index>(), byte in any::<u8>()) {
            let mut bytes = m.encode();
            let i = at.index(bytes.len());
            bytes[i] = byte;
            let _ = Message::decode(&bytes);
        }
    }

    #[test]
    fn a_huge_count_is_refused_without_allocating() {
        let mut bytes = vec![tag::ENTRIES];
        bytes.extend([0u8; 32]);
        bytes.extend(1u64.to_be_bytes());
        bytes.push(0);
        bytes.extend(u32::MAX.to_be_bytes());
        assert_eq!(Message::decode(&bytes), Err(DecodeError::Truncated));
    }

    #[test]
    fn unknown_types_and_error_codes() {
        assert_eq!(Message::decode(&[0x7e]), Err(DecodeError::UnknownType(0x7e)));
        assert_eq!(Message::decode(&[]), Err(DecodeError::Empty));
        let e = Message::Error { code: ErrorCode::Other(999), request: 0, message: "newer".into() };
        assert_eq!(Message::decode(&e.encode()), Ok(e));
    }

    #[test]
    fn long_error_text_is_cut_on_a_character_boundary() {
        let message = "é".repeat(40_000);
        let Ok(Message::Error { message: back, .. }) =
            Message::decode(&Message::Error { code: ErrorCode::Internal, request: 1, message }.encode())
        else {
            panic!("did not decode")
        };
        assert!(back.len() <= u16::MAX as usize && back.chars().all(|c| c == 'é'));
    }
}
