//! Any bytes from a peer over a direct connection: as frames, put back together never
//! panics and never holds more than allowed; as a sync message, reading it never
//! panics, and one from a peer that may not write changes nothing; as a pasted
//! invitation or answer, or a message to a copy being fetched, it is read or refused
//! without panicking.
#![no_main]
use libfuzzer_sys::fuzz_target;
use waymark_domain::peer_sync::PeerSync;
use waymark_domain::Workspace;
use waymark_protocol::peer::{PeerMessage, Reassembly, MAX_MESSAGE};
use waymark_protocol::Capability;

fuzz_target!(|data: &[u8]| {
    // Frames: the input cut where it says (its first byte), each piece one frame.
    let cut = 1 + data.first().copied().unwrap_or(0) as usize;
    let mut reassembly = Reassembly::default();
    static KEYS: std::sync::OnceLock<Option<Capability>> = std::sync::OnceLock::new();
    let cap = KEYS.get_or_init(|| Capability::generate().ok());
    for frame in data.get(1..).unwrap_or_default().chunks(cut) {
        match reassembly.push(frame) {
            Ok(Some(sealed)) => {
                assert!(sealed.len() <= MAX_MESSAGE);
                if let Some(cap) = cap {
                    let _ = PeerMessage::open(cap, &sealed);
                }
            }
            Ok(None) => {}
            Err(_) => reassembly = Reassembly::default(),
        }
    }
    // A sync message.
    let mut ws = Workspace::create("Fuzz", 1, "Ana");
    let heads = ws.heads();
    let mut peer = PeerSync::default();
    let _ = ws.receive_sync(&mut peer, data, false);
    assert_eq!(ws.heads(), heads, "a peer that may not write changes nothing");
    let _ = ws.receive_sync(&mut peer, data, true);
    let _ = ws.sync_message(&mut peer);
    assert!(Workspace::load(&ws.save()).is_ok(), "the workspace still opens");
    // Pasted text, and what a copy being fetched receives.
    use waymark_protocol::invitation::{Answer, Invitation};
    let text = String::from_utf8_lossy(data);
    let _ = Invitation::from_text(&text);
    let _ = Invitation::from_text(&format!("waymark-invitation.1.{text}"));
    if let Some(cap) = cap {
        let _ = Answer::from_text(&format!("waymark-answer.1.{text}"), cap);
    }
    let mut fetch = waymark_domain::peer_sync::Fetch::new("fuzz");
    let _ = fetch.receive(data, true);
    let _ = fetch.is_complete();
});
