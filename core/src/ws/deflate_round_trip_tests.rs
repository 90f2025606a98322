//! Inflating: the RFC's payloads, round trips, context takeover, windows,
//! interop with zlib, and the small server windows.

use super::*;

#[test]
fn rfc_payloads() {
    // RFC 7692 §7.2.3: "Hello" in its several encodings.
    let mut deflate = Deflate::new(params(15, 15, false));
    for payload in [
        &[0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00][..],
        // §7.2.3.2: a back-reference into the previous message.
        &[0xf2, 0x00, 0x11, 0x00, 0x00],
        // §7.2.3.3: a block with BFINAL set.
        &[0xf3, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00, 0x00],
        // §7.2.3.4: two blocks.
        &[
            0xf2, 0x48, 0x05, 0x00, 0x00, 0x00, 0xff, 0xff, 0xca, 0xc9, 0xc9, 0x07, 0x00,
        ],
        // §7.2.3.5: a stored block.
        &[
            0x00, 0x05, 0x00, 0xfa, 0xff, 0x48, 0x65, 0x6c, 0x6c, 0x6f, 0x00,
        ],
    ] {
        assert_eq!(
            inflate(&mut deflate, payload).as_deref(),
            Ok(&b"Hello"[..]),
            "{payload:02x?}"
        );
    }
    // §7.2.3.6: an empty message, as one byte or none at all.
    assert_eq!(inflate(&mut deflate, &[0x00]), Ok(Vec::new()));
    assert_eq!(inflate(&mut deflate, &[]), Ok(Vec::new()));
    // The window survived all of these.
    assert_eq!(
        inflate(&mut deflate, &[0xf2, 0x00, 0x11, 0x00, 0x00]).as_deref(),
        Ok(&b"Hello"[..])
    );
}

#[test]
fn round_trip_many_messages() {
    let mut sender = Deflate::new(params(15, 15, false));
    let mut receiver = Deflate::new(params(15, 15, false));
    let mut messages: Vec<Vec<u8>> = vec![Vec::new(), b"a".to_vec(), b"Hello".to_vec()];
    messages.extend((0..40).map(|i| words(i * 97, i as u64)));
    messages.push(noise(1 << 20, 1, 255)); // 1 MiB random
    messages.push(words(1 << 20, 2)); // 1 MiB repetitive
    messages.push(vec![b'x'; 1 << 20]);
    messages.push(Vec::new());
    for (i, message) in messages.iter().enumerate() {
        let payload = compress(&mut sender, message);
        assert!(!payload.ends_with(&SYNC_MARKER), "message {i}");
        assert_eq!(
            &inflate(&mut receiver, &payload).expect("inflates"),
            message,
            "message {i}"
        );
    }
    assert_eq!(sender.idle_bytes(), 0);
}

#[test]
fn context_takeover_across_messages() {
    // An independent compressor keeping its context (miniz's own
    // stream, 32 KiB window): later messages are mostly references
    // into earlier ones.
    let mut stream = Stream::new();
    let mut receiver = Deflate::new(params(15, 15, false));
    let mut total_plain = 0;
    let mut total_payload = 0;
    for i in 0..60u64 {
        let message = match i % 4 {
            0 => format!(
                "{{\"op\":\"publish\",\"topic\":\"room-{}\",\"text\":\"hello world\"}}",
                i % 3
            )
            .into_bytes(),
            1 => words(300 + (i as usize * 37) % 5000, i % 5),
            2 => noise(200, i, 255),
            _ => words(20_000, i % 2), // repeats whole earlier messages
        };
        let payload = stream.message(&message);
        total_plain += message.len();
        total_payload += payload.len();
        if i >= 8 && i % 4 == 3 {
            // The same text was sent before: it costs next to nothing.
            assert!(
                payload.len() < message.len() / 10,
                "message {i}: {} bytes",
                payload.len()
            );
        }
        assert_eq!(
            inflate(&mut receiver, &payload).expect("inflates"),
            message,
            "message {i}"
        );
    }
    assert!(total_payload < total_plain / 10);
    assert_eq!(receiver.idle_bytes(), 1 << 15);
}

#[test]
fn window_bits_8_to_15() {
    for bits in 8..=15u8 {
        let mut client = Lz77::new(bits);
        let mut receiver = Deflate::new(params(15, bits, false));
        let mut sent: Vec<Vec<u8>> = Vec::new();
        for i in 0..40u64 {
            let size = (1usize << bits) / 10 + i as usize;
            let message = match i % 3 {
                // Sent 8 messages ago: about 0.8 of the window back.
                2 if i >= 8 => sent[i as usize - 8].clone(),
                1 => words(size, i),
                _ => noise(size, i, 255),
            };
            let payload = client.message(&message);
            assert_eq!(
                inflate(&mut receiver, &payload).expect("inflates"),
                message,
                "bits {bits}, message {i}"
            );
            sent.push(message);
        }
        // The window was used to near its far end.
        assert!(
            client.longest > (1 << bits) * 3 / 4,
            "bits {bits}: longest match {}",
            client.longest
        );
        assert!(receiver.idle_bytes() <= 1 << bits.max(MIN_KEPT_BITS));
    }
}

#[test]
fn window_edge() {
    for bits in 8..=15u8 {
        let kept = 1u16 << bits.max(MIN_KEPT_BITS);
        // Several messages, none as long as the window: the window
        // spans them all.
        let history: Vec<Vec<u8>> = (0..8)
            .map(|i| noise(usize::from(kept) / 5 + 1, i + 100, 255))
            .collect();
        let all = history.concat();
        // DEFLATE cannot express a distance past 32,768 at all.
        for too_far in [false, true].into_iter().filter(|&far| !far || bits < 15) {
            let mut receiver = Deflate::new(params(15, bits, false));
            for message in &history {
                assert_eq!(
                    &inflate(&mut receiver, &encode(&lits(message))).expect("literals"),
                    message
                );
            }
            // First in the message: `dist` back from its start.
            let dist = kept + u16::from(too_far);
            let payload = encode(&[Op::Match { len: 10, dist }, Op::Lit(b'>')]);
            let got = inflate(&mut receiver, &payload);
            if too_far {
                assert_eq!(got, Err(InflateError::Corrupt), "bits {bits}");
            } else {
                let from = all.len() - usize::from(dist);
                let mut expected = all[from..from + 10].to_vec();
                expected.push(b'>');
                assert_eq!(got, Ok(expected), "bits {bits}");
            }
        }
    }
}

#[test]
fn no_context_takeover_keeps_nothing() {
    let mut receiver = Deflate::new(params(15, 15, true));
    let mut stream = Stream::new();
    let first = stream.message(b"Hello Hello Hello");
    assert_eq!(
        inflate(&mut receiver, &first).as_deref(),
        Ok(&b"Hello Hello Hello"[..])
    );
    assert_eq!(receiver.idle_bytes(), 0);
    // A client that does take context over anyway is caught.
    let second = stream.message(b"Hello Hello Hello");
    assert_eq!(inflate(&mut receiver, &second), Err(InflateError::Corrupt));
    // Its own back-references within a message are fine.
    let mut receiver = Deflate::new(params(15, 15, true));
    for i in 0..10 {
        let message = words(40_000, i);
        let payload = compress(&mut Deflate::new(params(15, 15, false)), &message);
        assert_eq!(inflate(&mut receiver, &payload).expect("inflates"), message);
    }
    assert_eq!(receiver.idle_bytes(), 0);
}

#[test]
fn python_zlib_interop() {
    // Generated once by Python 3.11's zlib 1.2.13, keeping context:
    //   c = zlib.compressobj(6, zlib.DEFLATED, -9)
    //   for m in PLAIN: (c.compress(m) + c.flush(zlib.Z_SYNC_FLUSH))[:-4]
    // Later messages refer back into earlier ones (the 6th, 43 bytes,
    // is 7: one match into the 1st).
    const PLAIN: [&[u8]; 9] = [
        br#"{"op":"subscribe","topic":"prices.BTC-USD"}"#,
        br#"{"op":"subscribe","topic":"prices.ETH-USD"}"#,
        br#"{"op":"unsubscribe","topic":"prices.BTC-USD"}"#,
        b"",
        b"hello hello hello hello hello hello",
        br#"{"op":"subscribe","topic":"prices.BTC-USD"}"#,
        b"The quick brown fox jumps over the lazy dog. The quick brown fox jumps over the lazy dog. The quick brown fox jumps over the lazy dog. ",
        br#"{"op":"publish","topic":"prices.ETH-USD","data":{"price":"3141.59"}}"#,
        br#"The quick brown fox jumps over the lazy dog. {"op":"publish"}"#,
    ];
    const COMPRESSED: [&[u8]; 9] = [
        b"\xaa\x56\xca\x2f\x50\xb2\x52\x2a\x2e\x4d\x2a\x4e\x2e\xca\x4c\x4a\x55\xd2\x51\x2a\xc9\x2f\xc8\x4c\x06\x8a\x15\x14\x65\x26\xa7\x16\xeb\x39\x85\x38\xeb\x86\x06\xbb\x28\xd5\x02\x00",
        b"\xaa\x26\xa8\xd4\x35\xc4\x03\xa2\x14\x00",
        b"\x82\x2a\x2d\xcd\x23\xc6\x5c\x00\x00",
        b"\x00",
        b"\xca\x48\xcd\xc9\xc9\x57\xc0\x4b\x02\x00",
        b"\x22\x6c\x35\xdc\x34\x00\x00",
        b"\x0a\xc9\x48\x55\x28\x2c\xcd\x4c\xce\x56\x48\x2a\xca\x2f\xcf\x53\x48\xcb\xaf\x50\xc8\x2a\xcd\x2d\x28\x56\xc8\x2f\x4b\x2d\x52\x28\x01\x4a\xe7\x24\x56\x55\x2a\xa4\xe4\xa7\xeb\x29\xd0\x4e\x31\x00",
        b"\x82\xba\xb8\xa0\x34\x29\x27\xb3\x38\x03\xd3\xbd\xae\x21\x1e\x60\xf7\xea\x28\xa5\x24\x96\x24\x2a\x59\x55\x43\x24\x80\x0a\x8c\x0d\x4d\x0c\xf5\x4c\x2d\x95\x6a\x6b\x01\x00",
        b"\xa2\xc4\xc2\x5a\x00\x00",
    ];
    let (agreed, _) =
        offer(&["permessage-deflate; client_max_window_bits=9"], 12).expect("accepted");
    let mut receiver = Deflate::new(agreed);
    for (i, (plain, payload)) in PLAIN.iter().zip(COMPRESSED).enumerate() {
        assert_eq!(
            inflate(&mut receiver, payload).as_deref(),
            Ok(*plain),
            "message {i}"
        );
    }
    assert_eq!(receiver.idle_bytes(), 512);
    // Checked by hand: the RLE output below (server_max_window_bits=8)
    // for these messages, a 100,000-byte run of zeros, 70,000 random
    // bytes and 200 KB of text, inflated in a row by Python's
    // `zlib.decompressobj(-8)` equals the input; the level-1 output of
    // the random bytes and the text fails there with "invalid distance
    // too far back".
}

#[test]
fn small_server_windows_use_rle() {
    let messages = [
        words(100_000, 3),
        noise(70_000, 7, 16),
        vec![0; 100_000],
        b"aaaaaaaaaaaaaaaaaaaaaaaaab".to_vec(),
    ];
    for bits in 8..=14u8 {
        let (agreed, answer) = offer(
            &[&format!(
                "permessage-deflate; server_max_window_bits={bits}"
            )],
            12,
        )
        .expect("accepted");
        assert!(answer.contains(&format!("server_max_window_bits={bits}")));
        let mut sender = Deflate::new(agreed);
        for message in &messages {
            let payload = compress(&mut sender, message);
            // No match reaches further back than 256 bytes.
            assert_eq!(
                inflate_in_ring(&payload, 256).as_ref(),
                Some(message),
                "bits {bits}"
            );
            assert!(payload.len() < message.len(), "bits {bits}");
        }
    }
    // The full window does use far matches (the check above can fail).
    let payload = compress(&mut Deflate::new(params(15, 15, false)), &messages[1]);
    assert_eq!(inflate_in_ring(&payload, 256), None);
    assert_eq!(
        inflate_in_ring(&payload, 1 << 15).as_ref(),
        Some(&messages[1])
    );
}
