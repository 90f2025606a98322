//! The reader's rules, fed byte by byte where it matters.

use super::*;

const KEY: [u8; 4] = [0x11, 0x22, 0x33, 0x44];

/// A masked client frame (the test kit's encoder).
fn frame(b0: u8, payload: &[u8]) -> Vec<u8> {
    mocket_testkit::ws::encode(b0, payload)
}

fn read_all(bytes: &[u8], max: usize) -> Vec<Result<Incoming, Violation>> {
    let mut reader = Reader::new(max, false);
    reader.feed(bytes);
    let mut out = Vec::new();
    loop {
        match reader.next(None) {
            Ok(Some(item)) => out.push(Ok(item)),
            Ok(None) => return out,
            Err(v) => {
                out.push(Err(v));
                return out;
            }
        }
    }
}

fn text(item: &Result<Incoming, Violation>) -> &str {
    match item {
        Ok(Incoming::Message(Message::Text(t))) => t,
        other => panic!("expected text, got {other:?}"),
    }
}

fn code(item: &Result<Incoming, Violation>) -> u16 {
    match item {
        Err(v) => v.code.as_u16(),
        other => panic!("expected a violation, got {other:?}"),
    }
}

#[test]
fn a_whole_message_in_one_frame() {
    let got = read_all(&frame(0x81, b"hello"), 1024);
    assert_eq!(text(&got[0]), "hello");
}

#[test]
fn fragments_are_reassembled_around_control_frames() {
    let mut bytes = frame(0x01, b"hel");
    bytes.extend(frame(0x89, b"ping"));
    bytes.extend(frame(0x80, b"lo"));
    let got = read_all(&bytes, 1024);
    assert!(matches!(&got[0], Ok(Incoming::Ping(p)) if &p[..] == b"ping"));
    assert_eq!(text(&got[1]), "hello");
}

#[test]
fn byte_by_byte_gives_the_same_messages() {
    let mut bytes = frame(0x82, &[7u8; 300]);
    bytes.extend(frame(0x01, "é".as_bytes()));
    bytes.extend(frame(0x80, "ü!".as_bytes()));
    let mut reader = Reader::new(1 << 20, false);
    let mut got = Vec::new();
    for byte in bytes {
        reader.feed(&[byte]);
        while let Some(item) = reader.next(None).expect("valid") {
            got.push(item);
        }
    }
    assert!(matches!(&got[0], Incoming::Message(Message::Binary(b)) if b.len() == 300));
    assert!(matches!(&got[1], Incoming::Message(Message::Text(t)) if t == "éü!"));
}

#[test]
fn invalid_utf8_fails_at_the_first_bad_fragment() {
    // The message never ends: the error must come from the first frame.
    let got = read_all(&frame(0x01, b"ok \xff"), 1024);
    assert_eq!(code(&got[0]), 1007);
    // A sequence cut between fragments is fine…
    let mut bytes = frame(0x01, &[0xC3]);
    bytes.extend(frame(0x80, &[0xA9]));
    assert_eq!(text(&read_all(&bytes, 1024)[0]), "é");
    // …but not one left unfinished at the end.
    assert_eq!(code(&read_all(&frame(0x81, &[0xC3]), 1024)[0]), 1007);
}

#[test]
fn protocol_errors_have_their_codes() {
    let unmasked = [0x81, 0x02, b'h', b'i'];
    assert_eq!(code(&read_all(&unmasked, 1024)[0]), 1002);
    assert_eq!(
        code(&read_all(&frame(0xC1, b"x"), 1024)[0]),
        1002,
        "RSV1 without deflate"
    );
    assert_eq!(code(&read_all(&frame(0xA1, b"x"), 1024)[0]), 1002, "RSV2");
    assert_eq!(
        code(&read_all(&frame(0x83, b"x"), 1024)[0]),
        1002,
        "reserved opcode"
    );
    assert_eq!(
        code(&read_all(&frame(0x80, b"x"), 1024)[0]),
        1002,
        "stray continuation"
    );
    assert_eq!(
        code(&read_all(&frame(0x09, b"x"), 1024)[0]),
        1002,
        "fragmented ping"
    );
    assert_eq!(
        code(&read_all(&frame(0x89, &[0; 126]), 1024)[0]),
        1002,
        "long ping"
    );
    let mut two_starts = frame(0x01, b"a");
    two_starts.extend(frame(0x81, b"b"));
    assert_eq!(code(&read_all(&two_starts, 1024)[0]), 1002);
}

#[test]
fn the_size_limit_is_checked_from_headers() {
    assert_eq!(code(&read_all(&frame(0x82, &[0; 11]), 10)[0]), 1009);
    assert!(read_all(&frame(0x82, &[0; 10]), 10)[0].is_ok());
    let mut fragments = frame(0x02, &[0; 6]);
    fragments.extend(frame(0x80, &[0; 6]));
    assert_eq!(code(&read_all(&fragments, 10)[0]), 1009);
    // Refused from the header alone: the 16 EiB payload never comes.
    let mut huge = vec![0x82, 0x80 | 127];
    huge.extend_from_slice(&(u64::MAX >> 1).to_be_bytes());
    huge.extend_from_slice(&KEY);
    assert_eq!(code(&read_all(&huge, 1 << 20)[0]), 1009);
    // The top bit must be clear (RFC 6455, section 5.2).
    let mut top = vec![0x82, 0x80 | 127];
    top.extend_from_slice(&u64::MAX.to_be_bytes());
    top.extend_from_slice(&KEY);
    assert_eq!(code(&read_all(&top, 1 << 20)[0]), 1002);
}

#[test]
fn close_frames_are_checked() {
    let close = |payload: &[u8]| read_all(&frame(0x88, payload), 1024).remove(0);
    assert!(matches!(close(b""), Ok(Incoming::Close(None))));
    let normal = close(&[0x03, 0xE8, b'b', b'y', b'e']);
    assert!(
        matches!(&normal, Ok(Incoming::Close(Some(f))) if f.code == CloseCode::NORMAL && f.reason == "bye")
    );
    assert_eq!(code(&close(&[0x03])), 1002, "a one-byte payload");
    assert_eq!(code(&close(&[0x03, 0xED])), 1002, "1005 is never sent");
    assert_eq!(code(&close(&[0x03, 0xE7])), 1002, "999");
    assert!(close(&[0x0F, 0xA0]).is_ok(), "4000 is an application's");
    assert_eq!(
        code(&close(&[0x03, 0xE8, 0xFF])),
        1007,
        "a reason that is not UTF-8"
    );
}

#[test]
fn a_claimed_length_reserves_only_what_arrived() {
    // A header claiming the whole limit, then four bytes: what is held is
    // what arrived, not 16 MiB per connection for 14 bytes sent (with no
    // limit set, a claim of 2^62 bytes used to abort the process).
    let max = crate::ws::DEFAULT_MAX_MESSAGE;
    let mut reader = Reader::new(max, false);
    let mut bytes = vec![0x82, 0xFF];
    bytes.extend_from_slice(&(max as u64).to_be_bytes());
    bytes.extend_from_slice(&KEY);
    bytes.extend_from_slice(b"abcd");
    reader.feed(&bytes);
    assert!(matches!(reader.next(None), Ok(None)));
    let held = reader.message.as_ref().map_or(0, |m| m.data.capacity());
    assert!(held < 1 << 16, "{held} bytes reserved for 4 received");
}
