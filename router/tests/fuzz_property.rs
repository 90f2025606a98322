//! Runs the fuzz target's property (`tests/support/property.rs`, shared with
//! `fuzz/fuzz_targets/match_path.rs`) over a deterministic set of inputs, so
//! the property is exercised on stable Rust without `cargo fuzz`.

#[path = "support/property.rs"]
mod property;

/// Deterministic xorshift64*; no dependency, same inputs on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// Segment texts that hit static, parameter and wildcard branches.
const PIECES: &[&str] = &[
    "", "a", "b", "c", "x", "y", "z", "%20", "ü", "ab", ":x", "*", "**", "a%2Fb", "日本",
];

#[test]
fn generated_paths() {
    let router = property::router();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for _ in 0..20_000 {
        let mut path = String::new();
        for _ in 0..rng.below(9) {
            path.push('/');
            path.push_str(PIECES[rng.below(PIECES.len())]);
        }
        if path.is_empty() || rng.below(16) == 0 {
            path.insert(0, '/');
        }
        property::check(&router, &path);
    }
}

#[test]
fn generated_bytes() {
    // Arbitrary strings, as libFuzzer would produce: most are not paths.
    let router = property::router();
    let mut rng = Rng(42);
    let alphabet = [
        '/', '/', '/', 'a', 'b', 'x', 'y', 'z', ':', '*', '%', 'ü', ' ',
    ];
    for _ in 0..20_000 {
        let path: String = (0..rng.below(14))
            .map(|_| alphabet[rng.below(alphabet.len())])
            .collect();
        property::check(&router, &path);
    }
}

#[test]
fn fixed_paths() {
    let router = property::router();
    for path in [
        "",
        "/",
        "//",
        "///",
        "a",
        "/a",
        "/a/",
        "/a//",
        "/a/b",
        "/a/b/c",
        "/x/y/z",
        "/x/x/y/y/z/z",
        "/x/q/y/r/z",
        "/%20/ü/v",
        "/b//c",
        "/b/",
        "/q/b",
        "/q/r/b",
        "/q/b/s",
    ] {
        property::check(&router, path);
    }
}
