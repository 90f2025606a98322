//! `mocket::time` in-process (natively without a server, where timers fall
//! back to a thread): the clock, `sleep`, `sleep_until` and `interval`. The
//! conformance suite runs the same calls inside every backend.

use mocket::time::{Duration, Instant, interval, sleep, sleep_until};

fn block_on<F: Future>(f: F) -> F::Output {
    futures_executor::block_on(f)
}

#[test]
fn sleep_never_ends_before_its_deadline() {
    for ms in [0, 1, 5, 20] {
        let start = Instant::now();
        block_on(sleep(Duration::from_millis(ms)));
        assert!(start.elapsed() >= Duration::from_millis(ms), "{ms} ms");
    }
    let deadline = Instant::now() + Duration::from_millis(7);
    block_on(sleep_until(deadline));
    assert!(Instant::now() >= deadline);
    // A deadline in the past is ready at once.
    block_on(sleep_until(Instant::now() - Duration::from_secs(1)));
}

#[test]
fn interval_ticks_at_once_then_a_period_apart() {
    let period = Duration::from_millis(4);
    let mut ticks = interval(period);
    let start = Instant::now();
    let first = block_on(ticks.tick());
    assert!(first <= Instant::now());
    let mut last = first;
    for _ in 0..3 {
        let at = block_on(ticks.tick());
        assert!(at >= last + period, "ticks are due a period apart");
        last = at;
    }
    assert!(start.elapsed() >= period * 3);
}

#[test]
fn a_late_tick_pushes_the_schedule_back_instead_of_bunching_up() {
    let period = Duration::from_millis(5);
    let mut ticks = interval(period);
    block_on(ticks.tick());
    // Busy for several periods: the next tick is late…
    std::thread::sleep(period * 4);
    let late = Instant::now();
    block_on(ticks.tick());
    // …and the one after it comes a whole period after the late one, not
    // at once to catch up.
    let after = block_on(ticks.tick());
    assert!(after >= late + period, "{:?}", after.duration_since(late));
}

#[test]
fn interval_is_a_stream_of_ticks() {
    use futures_util::StreamExt;
    let ticks: Vec<Instant> = block_on(interval(Duration::from_millis(1)).take(3).collect());
    assert_eq!(ticks.len(), 3);
    assert!(ticks.windows(2).all(|w| w[0] < w[1]));
}

#[test]
#[should_panic(expected = "the period must not be zero")]
fn a_zero_period_is_refused() {
    let _ = interval(Duration::ZERO);
}
