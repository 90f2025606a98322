//! Finding the end of a path segment, eight bytes at a time.
//!
//! Every lookup walks the whole path once to split it into segments, so this
//! is the innermost loop of the router. It reads 8-byte words and finds a
//! `/` with the classic "has zero byte" bit trick (in safe code: words come
//! from `u64::from_le_bytes`). The same words feed a hash of the segment, so
//! a node with static children gets the key for its lookup nearly for free.
//!
//! The "hash" of a segment of up to 7 bytes is the segment itself: the
//! zero-padded word with the length in its (otherwise empty) top byte. Longer
//! segments get a mixed hash whose top byte is forced to `0xFF`, so the two
//! classes never collide and equal short hashes mean equal segments: static
//! lookups skip the byte comparison for short keys. Table indices are taken
//! from a multiplicative (Fibonacci) spread of the hash, see [`spread`].

const LO: u64 = 0x0101_0101_0101_0101;
const HI: u64 = 0x8080_8080_8080_8080;
const SLASHES: u64 = LO * b'/' as u64;
const K: u64 = 0xf135_7aea_2e62_a9c5;
const SEED: u64 = 0x243f_6a88_85a3_08d3;

/// Segments of at most this many bytes are their own hash.
const EXACT_LEN: usize = 7;

/// `true` if `hash` came from a segment of at most 7 bytes, in which case
/// equal hashes mean equal segments.
#[inline(always)]
pub(crate) fn is_exact(hash: u64) -> bool {
    (hash >> 56) as usize <= EXACT_LEN
}

/// Spreads `hash` over all bits (odd multiply); table indices use the top
/// bits of this.
#[inline(always)]
pub(crate) fn spread(hash: u64) -> u64 {
    hash.wrapping_mul(K)
}

/// Offset of the first `/` in `word` (little-endian), or 8.
#[inline(always)]
fn slash_in(word: u64) -> usize {
    let x = word ^ SLASHES;
    let found = x.wrapping_sub(LO) & !x & HI;
    (found.trailing_zeros() / 8) as usize
}

/// The 8 bytes at `at` as a little-endian word; near the end of `bytes`
/// the missing high bytes are zero.
#[inline(always)]
fn load(bytes: &[u8], at: usize) -> u64 {
    let word = |b: &[u8]| u64::from_le_bytes(b.try_into().unwrap_or([0; 8]));
    if let Some(chunk) = bytes.get(at..at + 8) {
        return word(chunk);
    }
    let len = bytes.len();
    match bytes.get(len.wrapping_sub(8)..) {
        // Load the last full word and shift away the bytes before `at`.
        Some(last) if at < len => word(last) >> (8 * (at + 8 - len)),
        _ => bytes
            .get(at..)
            .unwrap_or_default()
            .iter()
            .rev()
            .fold(0, |acc, &b| (acc << 8) | u64::from(b)),
    }
}

/// End (exclusive) of the segment starting at `pos`: the next `/` or the end.
#[inline]
pub(crate) fn end(bytes: &[u8], pos: usize) -> usize {
    let mut at = pos;
    while at < bytes.len() {
        let offset = slash_in(load(bytes, at));
        if offset < 8 {
            return (at + offset).min(bytes.len());
        }
        at += 8;
    }
    bytes.len()
}

/// End of the segment starting at `pos`, and the segment's [`hash`].
#[inline]
pub(crate) fn end_and_hash(bytes: &[u8], pos: usize) -> (usize, u64) {
    let mut at = pos;
    let mut h = SEED;
    loop {
        let word = load(bytes, at);
        let offset = slash_in(word).min(bytes.len().saturating_sub(at));
        if offset < 8 {
            // Keep the bytes before the `/` (or the end) only.
            let kept = if offset == 0 {
                0
            } else {
                word & (u64::MAX >> (64 - 8 * offset))
            };
            let end = at + offset;
            return (end, finish(h, kept, end - pos));
        }
        h = (h ^ word).wrapping_mul(K).rotate_left(23);
        at += 8;
    }
}

/// Hash of a whole segment (static key); equals [`end_and_hash`]'s.
pub(crate) fn hash(segment: &[u8]) -> u64 {
    debug_assert!(!segment.contains(&b'/'));
    end_and_hash(segment, 0).1
}

#[inline(always)]
fn finish(h: u64, last: u64, len: usize) -> u64 {
    if len <= EXACT_LEN {
        // `h` is still the seed: nothing was mixed in.
        return last | ((len as u64) << 56);
    }
    let h = (h ^ last ^ len as u64).wrapping_mul(K);
    (h ^ (h >> 29)) | (0xFF << 56)
}

#[cfg(test)]
mod tests {
    use super::{end, end_and_hash, hash};

    #[test]
    fn ends_and_hashes_agree_with_naive_splitting() {
        let path = b"/a/bb/ccccccc/dddddddd/eeeeeeeeeeeeeeeee//ff/";
        let mut pos = 1;
        while pos <= path.len() {
            let naive = path[pos..]
                .iter()
                .position(|&b| b == b'/')
                .map_or(path.len(), |o| pos + o);
            assert_eq!(end(path, pos), naive);
            let (e, h) = end_and_hash(path, pos);
            assert_eq!((e, h), (naive, hash(&path[pos..naive])));
            pos = naive + 1;
        }
        assert_ne!(hash(b"a"), hash(b"a\0"));
        assert_ne!(hash(b""), hash(b"\0"));
        assert!(super::is_exact(hash(b"1234567")));
        assert!(!super::is_exact(hash(b"12345678")));
        assert_eq!(end(b"/x", 2), 2);
    }
}
