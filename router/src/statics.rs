//! The static children of one node: text → child.
//!
//! Lookups run once per request segment, so they must be cheap for the two
//! shapes real route tables have: a handful of siblings (`/users`, `/repos`,
//! …) and occasionally very many (`/static/0` … `/static/999`). Both work
//! on the segment hash computed while scanning the path (see `scan`):
//!
//! * Up to [`LINEAR_MAX`] children: a linear scan over the children's
//!   hashes, one contiguous array of integers.
//! * Beyond that: an open-addressing hash table (linear probing, load ≤ ¼
//!   to ½), so a thousand siblings cost one probe, typically.
//!
//! A hash hit is confirmed by comparing bytes, except for keys of up to 7
//! bytes, which are their own hash. Children are only ever
//! appended, so indices stored in the table stay valid. The hash needs no
//! DoS resistance: only registered route text is stored, so probe lengths
//! are fixed by the route table, not by requests.

use crate::scan::{hash, is_exact, spread};
use crate::tree::Node;

/// Above this many children lookups go through the hash table.
const LINEAR_MAX: usize = 8;

#[derive(Clone, Debug)]
pub(crate) struct Statics {
    hashes: Vec<u64>,
    keys: Vec<Box<[u8]>>,
    nodes: Vec<Node>,
    /// Empty while scanning linearly; otherwise a power-of-two table.
    table: Vec<Slot>,
    /// `64 - log2(table.len())`: index = top bits of the spread hash.
    shift: u32,
}

#[derive(Clone, Copy, Debug, Default)]
struct Slot {
    hash: u64,
    /// Index into `keys`/`nodes` plus one; zero marks an empty slot.
    index: u32,
}

impl Statics {
    pub(crate) const fn new() -> Self {
        Statics {
            hashes: Vec::new(),
            keys: Vec::new(),
            nodes: Vec::new(),
            table: Vec::new(),
            shift: 64,
        }
    }

    #[inline]
    pub(crate) fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The child for `segment`, whose [`hash`] is `hash`.
    #[inline(always)]
    pub(crate) fn get(&self, segment: &[u8], hash: u64) -> Option<&Node> {
        let index = if self.table.is_empty() {
            self.scan(segment, hash)?
        } else {
            self.probe(segment, hash)?
        };
        self.nodes.get(index)
    }

    /// The child for `text`, created if missing.
    pub(crate) fn get_or_insert(&mut self, text: &str) -> &mut Node {
        let key = text.as_bytes();
        let h = hash(key);
        let found = if self.table.is_empty() {
            self.scan(key, h)
        } else {
            self.probe(key, h)
        };
        let index = match found {
            Some(index) => index,
            None => {
                self.hashes.push(h);
                self.keys.push(key.into());
                self.nodes.push(Node::new());
                let index = self.keys.len() - 1;
                if self.keys.len() > LINEAR_MAX {
                    if self.keys.len() * 2 > self.table.len() {
                        self.rebuild();
                    } else {
                        self.place(index);
                    }
                }
                index
            }
        };
        &mut self.nodes[index]
    }

    /// Does child `index`, whose hash equals `segment`'s, hold `segment`?
    #[inline(always)]
    fn confirm(&self, index: usize, segment: &[u8], hash: u64) -> bool {
        is_exact(hash) || self.keys.get(index).is_some_and(|key| same(key, segment))
    }

    #[inline(always)]
    fn scan(&self, segment: &[u8], hash: u64) -> Option<usize> {
        self.hashes.iter().enumerate().find_map(|(index, &h)| {
            (h == hash && self.confirm(index, segment, hash)).then_some(index)
        })
    }

    #[inline(always)]
    fn probe(&self, segment: &[u8], hash: u64) -> Option<usize> {
        let mask = self.table.len() - 1;
        let mut at = (spread(hash) >> self.shift) as usize;
        loop {
            let slot = self.table.get(at)?;
            let index = slot.index.checked_sub(1)? as usize;
            if slot.hash == hash && self.confirm(index, segment, hash) {
                return Some(index);
            }
            at = (at + 1) & mask;
        }
    }

    /// Regrows the table to four slots per key and re-places every key.
    fn rebuild(&mut self) {
        let len = (self.keys.len() * 4).next_power_of_two();
        self.table = vec![Slot::default(); len];
        self.shift = 64 - len.trailing_zeros();
        for index in 0..self.keys.len() {
            self.place(index);
        }
    }

    fn place(&mut self, index: usize) {
        let hash = self.hashes[index];
        let mask = self.table.len() - 1;
        let mut at = (spread(hash) >> self.shift) as usize;
        while self.table[at].index != 0 {
            at = (at + 1) & mask;
        }
        self.table[at] = Slot {
            hash,
            index: u32::try_from(index + 1).expect("fewer than 2^32 static children"),
        };
    }
}

/// Byte equality; keys of 8 to 16 bytes (most long route words) are compared
/// as two overlapping words instead of calling `memcmp`.
#[inline(always)]
fn same(a: &[u8], b: &[u8]) -> bool {
    let word = |s: &[u8], at: usize| {
        s.get(at..at + 8)
            .map(|w| u64::from_le_bytes(w.try_into().unwrap_or([0; 8])))
    };
    let len = a.len();
    if len != b.len() {
        return false;
    }
    if (8..=16).contains(&len) {
        return word(a, 0) == word(b, 0) && word(a, len - 8) == word(b, len - 8);
    }
    a == b
}
