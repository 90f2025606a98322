//! The buffers in wasm memory that a request head and a ready answer cross
//! through, instead of fresh JavaScript objects.
//!
//! Profiled under wrk (`node --cpu-prof`, `/plaintext`), a third of the
//! glue's time per request went to the objects a crossing made: a
//! `Uint8Array` for the head going in (then copied into a `Vec`), two more
//! for the answer's head and body coming out, the `Array` holding them, and
//! their slots in wasm-bindgen's object table. Here the host writes the head
//! as latin-1 straight into [`INPUT`] (Node's `buffer.latin1Write` over a
//! view of the memory) and the handler writes a complete answer into
//! [`OUTPUT`], describing both in [`META`]; the host reads them through one
//! cached view. Only an answer ready within the handler's call uses it (the
//! host reads it before anything else can call in); a pending one still
//! resolves a promise with its own objects.

use std::cell::RefCell;
use std::sync::atomic::{AtomicU32, Ordering};

/// Where the buffers are, read by the host as a `Uint32Array` at
/// [`meta_address`]; the indices are those of `js/host.js`.
static META: [AtomicU32; 7] = [const { AtomicU32::new(0) }; 7];
const INPUT_AT: usize = 0;
const INPUT_CAPACITY: usize = 1;
const OUTPUT_AT: usize = 2;
const HEAD_LEN: usize = 3;
const BODY_LEN: usize = 4;
const STATUS: usize = 5;
const LEFTOVER: usize = 6;

/// A request head up to this size needs no [`reserve_input`] call.
const INPUT_START: usize = 16 * 1024;

thread_local! {
    static INPUT: RefCell<Vec<u8>> = RefCell::new(new_input(INPUT_START));
    static OUTPUT: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// A zero-filled input buffer of `len` bytes, published in [`META`].
fn new_input(len: usize) -> Vec<u8> {
    let buffer = vec![0; len];
    publish(INPUT_AT, buffer.as_ptr());
    META[INPUT_CAPACITY].store(len as u32, Ordering::Relaxed);
    buffer
}

fn publish(slot: usize, at: *const u8) {
    // Addresses in wasm32 memory are 32-bit.
    META[slot].store(at as usize as u32, Ordering::Relaxed);
}

/// The address of [`META`], for the host (with the input buffer allocated).
pub(crate) fn meta_address() -> u32 {
    INPUT.with(|_| ());
    META.as_ptr() as usize as u32
}

/// Makes the input buffer hold at least `len` bytes (a head larger than
/// any before); the host reads its new address from [`META`].
pub(crate) fn reserve_input(len: u32) {
    INPUT.with_borrow_mut(|input| {
        if input.len() < len as usize {
            *input = new_input(len as usize);
        }
    });
}

/// Runs `f` on what the host wrote into the input buffer: `head` bytes,
/// then `body` bytes.
pub(crate) fn with_input<R>(head: u32, body: u32, f: impl FnOnce(&[u8], &[u8]) -> R) -> R {
    INPUT.with_borrow(|input| {
        let head_end = (head as usize).min(input.len());
        let body_end = head_end.saturating_add(body as usize).min(input.len());
        f(&input[..head_end], &input[head_end..body_end])
    })
}

/// Writes a complete answer for the host: `head` appends the header block,
/// then `body` follows it.
pub(crate) fn write_answer(
    status: u16,
    leftover: u32,
    head: impl FnOnce(&mut Vec<u8>),
    body: &[u8],
) {
    OUTPUT.with_borrow_mut(|out| {
        // A large answer once must not keep its memory for every later one.
        if out.capacity() > 1 << 20 {
            *out = Vec::with_capacity(1 << 16);
        }
        out.clear();
        head(out);
        let head_len = out.len();
        out.extend_from_slice(body);
        publish(OUTPUT_AT, out.as_ptr());
        META[HEAD_LEN].store(head_len as u32, Ordering::Relaxed);
        META[BODY_LEN].store(body.len() as u32, Ordering::Relaxed);
        META[STATUS].store(u32::from(status), Ordering::Relaxed);
        META[LEFTOVER].store(leftover, Ordering::Relaxed);
    });
}
