//! Lookup benchmarks: Mocket's router against matchit.
//!
//! * `github`: the 203-route GitHub API set from httprouter/matchit, looking
//!   up every route's sample path once per iteration.
//! * `static`: 1000 sibling static routes (`/static/0` … `/static/999`),
//!   first and last, plus 10 siblings as the baseline they should match.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use mocket_router::Router;
use std::hint::black_box;

#[path = "routes/github.rs"]
mod github;

/// `/a/:b` → `/a/{b}` (matchit 0.9 syntax).
fn to_matchit(pattern: &str) -> String {
    pattern
        .split('/')
        .map(|segment| match segment.strip_prefix(':') {
            Some(name) => format!("{{{name}}}"),
            None => segment.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("/")
}

fn github(c: &mut Criterion) {
    let mut ours = Router::new();
    let mut theirs = matchit::Router::new();
    for (_, pattern) in github::ROUTES {
        if ours.insert(pattern, *pattern).is_ok() {
            theirs
                .insert(to_matchit(pattern), *pattern)
                .expect("matchit accepts the GitHub set");
        }
    }
    let paths: Vec<String> = github::ROUTES
        .iter()
        .map(|(_, pattern)| github::sample_path(pattern))
        .collect();
    for (path, (_, pattern)) in paths.iter().zip(github::ROUTES) {
        assert_eq!(ours.at(path).map(|m| *m.value), Some(*pattern));
        assert_eq!(theirs.at(path).ok().map(|m| *m.value), Some(*pattern));
    }

    let mut group = c.benchmark_group("github");
    group.throughput(Throughput::Elements(paths.len() as u64));
    group.bench_function("mocket", |b| {
        b.iter(|| {
            for path in black_box(&paths) {
                black_box(ours.at(path));
            }
        });
    });
    group.bench_function("matchit", |b| {
        b.iter(|| {
            for path in black_box(&paths) {
                let _ = black_box(theirs.at(path));
            }
        });
    });
    group.finish();
}

fn statics(c: &mut Criterion) {
    let build = |n: usize| {
        let mut ours = Router::new();
        let mut theirs = matchit::Router::new();
        for i in 0..n {
            let pattern = format!("/static/{i}");
            ours.insert(&pattern, i).expect("distinct");
            theirs.insert(pattern, i).expect("distinct");
        }
        (ours, theirs)
    };
    let (ours10, theirs10) = build(10);
    let (ours1000, theirs1000) = build(1000);

    let mut group = c.benchmark_group("static");
    for (label, path, ours, theirs) in [
        ("1000/first", "/static/0", &ours1000, &theirs1000),
        ("1000/last", "/static/999", &ours1000, &theirs1000),
        ("10/last", "/static/9", &ours10, &theirs10),
    ] {
        assert!(ours.at(path).is_some() && theirs.at(path).is_ok());
        group.bench_function(format!("mocket/{label}"), |b| {
            b.iter(|| black_box(ours.at(black_box(path))));
        });
        group.bench_function(format!("matchit/{label}"), |b| {
            b.iter(|| {
                let _ = black_box(theirs.at(black_box(path)));
            });
        });
    }
    group.finish();
}

criterion_group!(benches, github, statics);
criterion_main!(benches);
