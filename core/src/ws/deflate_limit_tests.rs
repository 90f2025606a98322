//! Bounds: the size limit, zip bombs, corrupt input, memory kept between
//! messages, buffers, a compressor shared between sockets, the stored
//! fallback and compression ratios.

use super::*;

#[test]
fn limit() {
    for message in [words(1000, 1), vec![7; 1 << 20], noise(1 << 20, 9, 255)] {
        let payload = compress(&mut Deflate::new(params(15, 15, false)), &message);
        let mut out = Vec::new();
        assert_eq!(
            Deflate::new(params(15, 15, false)).decompress(&payload, message.len(), &mut out),
            Ok(())
        );
        assert_eq!(out, message);
        let mut out = b"kept".to_vec();
        let result =
            Deflate::new(params(15, 15, false)).decompress(&payload, message.len() - 1, &mut out);
        assert_eq!(result, Err(InflateError::TooLarge));
        assert_eq!(out, b"kept");
    }
    let mut deflate = Deflate::new(params(15, 12, false));
    assert_eq!(deflate.decompress(&[0x00], 0, &mut Vec::new()), Ok(()));
    assert_eq!(
        deflate.decompress(
            &[0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00],
            0,
            &mut Vec::new()
        ),
        Err(InflateError::TooLarge)
    );
}

#[test]
fn zip_bomb_is_not_inflated() {
    // 8 MiB of zeros in a few KiB.
    let bomb = compress(&mut Deflate::new(params(15, 15, false)), &vec![0; 8 << 20]);
    assert!(bomb.len() < 64 << 10);
    let mut receiver = Deflate::new(params(15, 15, false));
    let mut out = Vec::new();
    assert_eq!(
        receiver.decompress(&bomb, 1 << 20, &mut out),
        Err(InflateError::TooLarge)
    );
    // Never more than the limit (and a byte) was allocated.
    assert!(out.capacity() <= (1 << 20) + 1, "{}", out.capacity());
    // With a window in front of it too.
    let mut receiver = Deflate::new(params(15, 15, false));
    assert!(
        receiver
            .decompress(
                &compress(&mut Deflate::new(params(15, 15, false)), &words(40_000, 1)),
                1 << 20,
                &mut Vec::new()
            )
            .is_ok()
    );
    let mut out = Vec::new();
    assert_eq!(
        receiver.decompress(&bomb, 1 << 20, &mut out),
        Err(InflateError::TooLarge)
    );
    assert!(
        out.capacity() <= (1 << 20) + 1 + (1 << 15),
        "{}",
        out.capacity()
    );
}

#[test]
fn corrupt() {
    let mut deflate = Deflate::new(params(15, 15, false));
    // Block type 3 does not exist.
    assert_eq!(
        inflate(&mut deflate, &[0xff; 8]),
        Err(InflateError::Corrupt)
    );
    // A stored block whose length does not check.
    assert_eq!(
        inflate(&mut deflate, &[0x00, 0x05, 0x00, 0x00, 0x00, b'H']),
        Err(InflateError::Corrupt)
    );
    // A reference before anything was received.
    let mut fresh = Deflate::new(params(15, 15, false));
    assert_eq!(
        inflate(&mut fresh, &encode(&[Op::Match { len: 3, dist: 1 }])),
        Err(InflateError::Corrupt)
    );
    // A message cut inside a block.
    let message = words(10_000, 4);
    let payload = compress(&mut Deflate::new(params(15, 15, false)), &message);
    for cut in [1, payload.len() / 3, payload.len() / 2, payload.len() - 3] {
        let mut out = b"kept".to_vec();
        let result =
            Deflate::new(params(15, 15, false)).decompress(&payload[..cut], usize::MAX, &mut out);
        assert_eq!(result, Err(InflateError::Corrupt), "cut at {cut}");
        assert_eq!(out, b"kept");
    }
    // Garbage after a block with BFINAL set is the sender's business
    // (RFC 7692 §7.2.3.3 shows a padding byte there).
    assert!(
        inflate(
            &mut deflate,
            &[0xf3, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00, 0xff, 0xff]
        )
        .is_ok()
    );
}

#[test]
fn idle_bytes() {
    let chrome = ["permessage-deflate; client_max_window_bits"];
    let (agreed, _) = offer(&chrome, 12).expect("accepted");
    let mut deflate = Deflate::new(agreed);
    assert_eq!(deflate.idle_bytes(), 0, "new allocates nothing");
    let mut sender = Deflate::new(agreed);
    let payload = compress(&mut sender, &words(100, 1));
    inflate(&mut deflate, &payload).expect("inflates");
    assert_eq!(deflate.idle_bytes(), 128, "grows with what was received");
    for i in 0..20 {
        inflate(&mut deflate, &compress(&mut sender, &words(1000, i))).expect("inflates");
        assert!(deflate.idle_bytes() <= 4096);
    }
    assert_eq!(deflate.idle_bytes(), 4096);
    assert_eq!(sender.idle_bytes(), 0);

    for bits in 8..=15u8 {
        let mut deflate = Deflate::new(params(15, bits, false));
        for i in 0..5 {
            inflate(&mut deflate, &compress(&mut sender, &words(50_000, i))).expect("inflates");
        }
        // 2^bits, and 512 for 8 (see MIN_KEPT_BITS).
        assert_eq!(deflate.idle_bytes(), 1 << bits.max(9), "bits {bits}");
        let mut deflate = Deflate::new(params(15, bits, true));
        inflate(&mut deflate, &compress(&mut sender, &words(50_000, 1))).expect("inflates");
        assert_eq!(deflate.idle_bytes(), 0, "bits {bits}");
    }
}

#[test]
fn appends_and_hands_back_a_tight_buffer() {
    let mut deflate = Deflate::new(params(15, 15, false));
    let mut sender = Deflate::new(params(15, 15, false));
    inflate(&mut deflate, &compress(&mut sender, &words(40_000, 1))).expect("fills the window");
    let mut out = b"before:".to_vec();
    deflate
        .decompress(
            &compress(&mut sender, b"Hello Hello Hello Hello Hello"),
            usize::MAX,
            &mut out,
        )
        .expect("inflates");
    assert_eq!(out, b"before:Hello Hello Hello Hello Hello");
    // The 32 KiB window copied in front did not stay in its capacity.
    assert!(out.capacity() < 1024, "{}", out.capacity());
    let mut compressed = b"frame header".to_vec();
    sender.compress(b"Hello", &mut compressed);
    assert_eq!(
        inflate(&mut deflate, &compressed[12..]).as_deref(),
        Ok(&b"Hello"[..])
    );
}

#[test]
fn shared_compressor_between_sockets() {
    let mut a = Deflate::new(params(15, 15, false));
    let mut b = Deflate::new(params(10, 15, false));
    let mut c = Deflate::new(params(15, 15, false));
    let mut receivers = [
        Deflate::new(params(15, 15, false)),
        Deflate::new(params(15, 15, false)),
    ];
    for i in 0..20 {
        let message = words(3000, i);
        for (sender, receiver) in [&mut a, &mut b].into_iter().zip(&mut receivers) {
            assert_eq!(
                inflate(receiver, &compress(sender, &message)).expect("inflates"),
                message
            );
        }
        // The same input gives the same output whoever sends it: no
        // state leaks from one socket's message into another's.
        assert_eq!(compress(&mut a, &message), compress(&mut c, &message));
    }
    let message = words(3000, 99);
    let here = compress(&mut a, &message);
    let there =
        std::thread::spawn(move || compress(&mut Deflate::new(params(15, 15, false)), &message));
    assert_eq!(here, there.join().expect("no panic"));
}

#[test]
fn stored_fallback_inflates() {
    for message in [Vec::new(), b"Hello".to_vec(), noise(200_000, 5, 255)] {
        let mut payload = Vec::new();
        store(&message, &mut payload);
        assert_eq!(
            inflate(&mut Deflate::new(params(15, 15, false)), &payload),
            Ok(message)
        );
    }
}

#[test]
fn compression_ratios() {
    // Measured at level 1 (the ratios quoted for LEVEL):
    let json: Vec<u8> = (0..20)
        .flat_map(|i| format!("{{\"id\":{i},\"name\":\"user{i}\",\"email\":\"user{i}@example.com\",\"active\":true}},").into_bytes())
        .collect();
    let mut sender = Deflate::new(params(15, 15, false));
    let ratio = |sender: &mut Deflate, message: &[u8]| {
        compress(sender, message).len() as f64 / message.len() as f64
    };
    assert!(ratio(&mut sender, &json) < 0.25);
    assert!(ratio(&mut sender, &words(10_000, 1)) < 0.40);
    assert!(ratio(&mut sender, &noise(100_000, 1, 255)) < 1.01);
    assert!(ratio(&mut sender, &vec![b'a'; 100_000]) < 0.01);
}
