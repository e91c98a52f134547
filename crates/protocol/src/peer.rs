//! What two browsers of a shared workspace say to each other directly (over a WebRTC
//! data channel, reliable and ordered), without the relay.
//!
//! A message is sealed with the workspace's keys ([`Capability::seal_peer`]: encrypted,
//! and signed when the sender holds the write key), so a data channel carries nothing
//! readable, and a peer applies changes only from a writer. Its plaintext is a
//! [`PeerMessage`]. A sealed message longer than a data channel may carry in one
//! message is cut into [`frames`] and put back together by a [`Reassembly`]; parsing is
//! strict and bounded, like the relay's frames: a hostile peer gets an error, never a
//! panic, and cannot make the receiver hold more than [`MAX_MESSAGE`] bytes.
//!
//! Frame: `b'P'` ‖ version (1) ‖ message id (u32) ‖ index (u32) ‖ count (u32) ‖ bytes;
//! integers big-endian. Message plaintext: kind (1 byte) ‖ payload.

use crate::{Capability, KeyError};

/// Bytes of one frame at most (what every browser's data channel carries whole).
pub const MAX_FRAME: usize = 64 * 1024;
/// Bytes of one sealed message at most, once put back together.
pub const MAX_MESSAGE: usize = 64 << 20;
const MAGIC: u8 = b'P';
const FRAME_VERSION: u8 = 1;
const HEADER: usize = 2 + 4 + 4 + 4;

/// What one peer says to another.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PeerMessage {
    /// A step of Automerge's sync protocol (what I have and need, and changes).
    Sync(Vec<u8>),
    /// What I am doing (the app's presence), as sent through the relay.
    Presence(Vec<u8>),
    /// An offer, answer or address for a direct connection (as the app encodes it),
    /// passed on by the relay ([`crate::Message::Signal`]) or copied across by people.
    Signal(Vec<u8>),
}

/// Why a peer's frame or message was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PeerError {
    #[error("a peer's frame was malformed: {0}")]
    Malformed(&'static str),
    #[error("a peer's message was longer than {MAX_MESSAGE} bytes")]
    TooLarge,
    #[error("a peer's message could not be opened: {0}")]
    Keys(#[from] KeyError),
}

impl PeerMessage {
    fn encode(&self) -> Vec<u8> {
        let (kind, payload) = match self {
            PeerMessage::Sync(p) => (1u8, p),
            PeerMessage::Presence(p) => (2u8, p),
            PeerMessage::Signal(p) => (3u8, p),
        };
        let mut out = Vec::with_capacity(1 + payload.len());
        out.push(kind);
        out.extend_from_slice(payload);
        out
    }

    fn decode(plain: &[u8]) -> Result<PeerMessage, PeerError> {
        match plain.split_first() {
            Some((1, payload)) => Ok(PeerMessage::Sync(payload.to_vec())),
            Some((2, payload)) => Ok(PeerMessage::Presence(payload.to_vec())),
            Some((3, payload)) => Ok(PeerMessage::Signal(payload.to_vec())),
            Some(_) => Err(PeerError::Malformed("unknown message kind")),
            None => Err(PeerError::Malformed("empty message")),
        }
    }

    /// Seals this message with `cap` and cuts it into frames, message number `id`.
    pub fn seal(&self, cap: &Capability, id: u32) -> Result<Vec<Vec<u8>>, PeerError> {
        Ok(frames(id, &self.seal_whole(cap)?))
    }

    /// Seals this message with `cap`, whole (for the relay, which takes it in one frame).
    pub fn seal_whole(&self, cap: &Capability) -> Result<Vec<u8>, PeerError> {
        let sealed = cap.seal_peer(&self.encode())?;
        if sealed.len() > MAX_MESSAGE {
            return Err(PeerError::TooLarge);
        }
        Ok(sealed)
    }

    /// Opens a sealed message put back together: the message, and whether a writer
    /// sealed it.
    pub fn open(cap: &Capability, sealed: &[u8]) -> Result<(PeerMessage, bool), PeerError> {
        let (plain, by_writer) = cap.open_peer(sealed)?;
        Ok((PeerMessage::decode(&plain)?, by_writer))
    }
}

/// `sealed` as frames of at most [`MAX_FRAME`] bytes, message number `id`.
pub fn frames(id: u32, sealed: &[u8]) -> Vec<Vec<u8>> {
    let room = MAX_FRAME - HEADER;
    let parts: Vec<&[u8]> = if sealed.is_empty() { vec![&[][..]] } else { sealed.chunks(room).collect() };
    let count = parts.len() as u32;
    parts
        .into_iter()
        .enumerate()
        .map(|(index, bytes)| {
            let mut frame = Vec::with_capacity(HEADER + bytes.len());
            frame.extend_from_slice(&[MAGIC, FRAME_VERSION]);
            frame.extend_from_slice(&id.to_be_bytes());
            frame.extend_from_slice(&(index as u32).to_be_bytes());
            frame.extend_from_slice(&count.to_be_bytes());
            frame.extend_from_slice(bytes);
            frame
        })
        .collect()
}

/// What one peer may send over a direct connection: a burst (one whole largest
/// message), then a steady rate, in bytes and in frames. A peer past it is
/// disconnected, so a hostile one can hold neither memory nor time without bound.
#[derive(Clone, Debug)]
pub struct PeerBudget {
    bytes: f64,
    frames: f64,
    /// When the allowances were last topped up (ms).
    at: f64,
}

impl PeerBudget {
    pub const BURST_BYTES: f64 = (MAX_MESSAGE + MAX_MESSAGE / (MAX_FRAME - HEADER) * HEADER + MAX_FRAME) as f64;
    pub const BYTES_PER_SECOND: f64 = (8 << 20) as f64;
    pub const BURST_FRAMES: f64 = 2_048.0;
    pub const FRAMES_PER_SECOND: f64 = 500.0;

    /// A full budget at time `now_ms`.
    pub fn new(now_ms: f64) -> PeerBudget {
        PeerBudget { bytes: Self::BURST_BYTES, frames: Self::BURST_FRAMES, at: now_ms }
    }

    /// Whether a frame of `len` bytes arriving at `now_ms` is within the budget (and
    /// counts it if so).
    pub fn admit(&mut self, len: usize, now_ms: f64) -> bool {
        let elapsed = ((now_ms - self.at) / 1000.0).max(0.0);
        self.at = self.at.max(now_ms);
        self.bytes = (self.bytes + elapsed * Self::BYTES_PER_SECOND).min(Self::BURST_BYTES);
        self.frames = (self.frames + elapsed * Self::FRAMES_PER_SECOND).min(Self::BURST_FRAMES);
        if self.bytes < len as f64 || self.frames < 1.0 {
            return false;
        }
        self.bytes -= len as f64;
        self.frames -= 1.0;
        true
    }
}

/// Puts a peer's frames back together into sealed messages. The channel is ordered,
/// so a message's frames arrive one after another: anything else is refused.
#[derive(Default)]
pub struct Reassembly {
    /// The message being put together: its id, its frame count, the next index, and
    /// its bytes so far.
    partial: Option<(u32, u32, u32, Vec<u8>)>,
}

impl Reassembly {
    /// Takes one frame: a whole sealed message once its last frame is in.
    pub fn push(&mut self, frame: &[u8]) -> Result<Option<Vec<u8>>, PeerError> {
        if frame.len() > MAX_FRAME {
            return Err(PeerError::Malformed("a frame longer than allowed"));
        }
        if frame.len() < HEADER || frame[0] != MAGIC {
            return Err(PeerError::Malformed("not a frame"));
        }
        if frame[1] != FRAME_VERSION {
            return Err(PeerError::Malformed("an unknown frame version"));
        }
        let word = |at: usize| u32::from_be_bytes(frame[at..at + 4].try_into().expect("four bytes"));
        let (id, index, count, bytes) = (word(2), word(6), word(10), &frame[HEADER..]);
        if count == 0 || index >= count || count as usize > MAX_MESSAGE / (MAX_FRAME - HEADER) + 1 {
            return Err(PeerError::Malformed("a frame count or index out of range"));
        }
        let (at_id, at_count, next, mut sofar) = match self.partial.take() {
            None if index == 0 => (id, count, 0, Vec::new()),
            None => return Err(PeerError::Malformed("a message that starts mid-way")),
            Some(partial) => partial,
        };
        if (id, count, index) != (at_id, at_count, next) {
            return Err(PeerError::Malformed("frames of a message out of order"));
        }
        if sofar.len() + bytes.len() > MAX_MESSAGE {
            return Err(PeerError::TooLarge);
        }
        sofar.extend_from_slice(bytes);
        if index + 1 == count {
            return Ok(Some(sofar));
        }
        self.partial = Some((id, count, index + 1, sofar));
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn through(frames: Vec<Vec<u8>>) -> Result<Vec<Vec<u8>>, PeerError> {
        let mut r = Reassembly::default();
        let mut out = Vec::new();
        for f in frames {
            out.extend(r.push(&f)?);
        }
        Ok(out)
    }

    #[test]
    fn a_long_message_crosses_in_frames_and_opens_as_sent() {
        let cap = Capability::generate().unwrap();
        let long = PeerMessage::Sync((0..300_000u32).map(|i| i as u8).collect());
        let frames = long.seal(&cap, 7).unwrap();
        assert!(frames.len() > 4 && frames.iter().all(|f| f.len() <= MAX_FRAME));
        let sealed = through(frames).unwrap();
        assert_eq!(sealed.len(), 1);
        assert_eq!(PeerMessage::open(&cap.view_only(), &sealed[0]).unwrap(), (long, true));
        let short = PeerMessage::Presence(b"{}".to_vec());
        let sealed = through(short.seal(&cap.view_only(), 8).unwrap()).unwrap();
        assert_eq!(PeerMessage::open(&cap, &sealed[0]).unwrap(), (short, false), "a viewer's message is known as one");
    }

    #[test]
    fn frames_out_of_order_or_malformed_are_refused() {
        let cap = Capability::generate().unwrap();
        let frames = PeerMessage::Sync(vec![1; 200_000]).seal(&cap, 1).unwrap();
        let mut swapped = frames.clone();
        swapped.swap(0, 1);
        assert!(through(swapped).is_err(), "a message starting mid-way");
        let mut skipped = frames.clone();
        skipped.remove(1);
        assert!(through(skipped).is_err(), "a missing frame");
        let mut other = frames.clone();
        other[1][5] ^= 1;
        assert!(through(other).is_err(), "another message's frame in the middle");
        for bad in [vec![], vec![b'P'], b"Q\x01\0\0\0\0\0\0\0\0\0\0\0\x01".to_vec(), b"P\x02\0\0\0\0\0\0\0\0\0\0\0\x01".to_vec(), b"P\x01\0\0\0\0\0\0\0\0\0\0\0\0".to_vec(), b"P\x01\0\0\0\0\xff\xff\xff\xff\xff\xff\xff\xff".to_vec()] {
            assert!(Reassembly::default().push(&bad).is_err(), "{bad:?}");
        }
        assert!(Reassembly::default().push(&vec![b'P'; MAX_FRAME + 1]).is_err());
    }

    #[test]
    fn a_peer_may_send_one_largest_message_at_once_then_a_steady_rate() {
        let mut budget = PeerBudget::new(0.0);
        let largest = frames(1, &vec![0; MAX_MESSAGE]);
        assert!(largest.iter().all(|f| budget.admit(f.len(), 0.0)), "one whole largest message fits the burst");
        assert!(!budget.admit(MAX_FRAME, 0.0), "nothing more at once");
        // A second later, about a second's worth.
        let mut admitted = 0;
        while budget.admit(MAX_FRAME, 1_000.0) {
            admitted += MAX_FRAME;
        }
        assert!((admitted as f64) <= PeerBudget::BYTES_PER_SECOND && admitted as f64 > PeerBudget::BYTES_PER_SECOND - MAX_FRAME as f64, "{admitted}");
        // A flood of tiny frames is cut by count.
        let mut tiny = PeerBudget::new(0.0);
        let n = (0..10_000).take_while(|_| tiny.admit(HEADER, 0.0)).count();
        assert_eq!(n, PeerBudget::BURST_FRAMES as usize);
        // A clock going backwards gives nothing.
        assert!(!tiny.admit(HEADER, -5_000.0));
    }

    #[test]
    fn a_tampered_or_unknown_message_does_not_open() {
        let cap = Capability::generate().unwrap();
        let mut sealed = through(PeerMessage::Sync(b"x".to_vec()).seal(&cap, 1).unwrap()).unwrap().remove(0);
        let last = sealed.len() - 1;
        sealed[last] ^= 1;
        assert!(matches!(PeerMessage::open(&cap, &sealed), Err(PeerError::Keys(_))));
        let unknown = cap.seal_peer(&[9, 1, 2]).unwrap();
        let signal = cap.seal_peer(&[3, b'o']).unwrap();
        assert_eq!(PeerMessage::open(&cap, &signal).unwrap(), (PeerMessage::Signal(b"o".to_vec()), true));
        assert_eq!(PeerMessage::open(&cap, &unknown), Err(PeerError::Malformed("unknown message kind")));
    }
}
