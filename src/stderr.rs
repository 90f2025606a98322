//! The host's standard error, on every backend.
//!
//! Rust's `eprintln!` writes nowhere on the Node.js target: std's stderr is
//! a sink on `wasm32-unknown-unknown`, and no hook can change that. What an
//! app writes to [`stderr()`] reaches the host's standard error everywhere
//! (`process.stderr` on Node.js), and [`init_logging`] sends `tracing`
//! events there.

use std::io;

/// A handle on the host's standard error; see [`stderr()`].
#[derive(Debug, Clone, Copy, Default)]
pub struct Stderr;

/// The host's standard error, an [`io::Write`]: `writeln!(mocket::stderr(),
/// "…")` is the `eprintln!` that works on every backend. Each `write` goes
/// out at once.
///
/// ```
/// use std::io::Write;
/// writeln!(mocket::stderr(), "started with {} routes", 3).unwrap();
/// ```
pub fn stderr() -> Stderr {
    Stderr
}

impl io::Write for Stderr {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        crate::serve::write_stderr(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Prints `tracing` events to the host's standard error on every backend,
/// one line each (`2026-12-02T21:04:05.123Z  INFO mocket::request: …`), at
/// the levels `RUST_LOG` asks for (read with [`crate::env_var`]; `info` when
/// unset; the `tracing-subscriber` `Targets` syntax, such as
/// `warn,my_app=debug`). Call it once, first thing in `main`; a second call
/// (or another subscriber installed already) is ignored.
///
/// ```
/// mocket::init_logging();
/// tracing::info!("ready");
/// ```
#[cfg(feature = "logging")]
pub fn init_logging() {
    use tracing_subscriber::filter::{LevelFilter, Targets};
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;

    let filter = crate::env_var("RUST_LOG")
        .and_then(|spec| spec.parse::<Targets>().ok())
        .unwrap_or_else(|| Targets::new().with_default(LevelFilter::INFO));
    let lines = tracing_subscriber::fmt::layer()
        .with_writer(stderr)
        .with_ansi(false)
        .with_timer(UtcClock);
    let _ = tracing_subscriber::registry()
        .with(lines)
        .with(filter)
        .try_init();
}

/// RFC 3339 UTC timestamps from the host's clock (`Date` on Node.js,
/// where `std::time::SystemTime::now` panics).
#[cfg(feature = "logging")]
struct UtcClock;

#[cfg(feature = "logging")]
impl tracing_subscriber::fmt::time::FormatTime for UtcClock {
    fn format_time(&self, w: &mut tracing_subscriber::fmt::format::Writer<'_>) -> std::fmt::Result {
        let since = crate::time::SystemTime::now()
            .duration_since(crate::time::UNIX_EPOCH)
            .unwrap_or_default();
        let (secs, millis) = (since.as_secs(), since.subsec_millis());
        let (year, month, day) = civil_from_days((secs / 86_400) as i64);
        let rest = secs % 86_400;
        write!(
            w,
            "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{millis:03}Z",
            rest / 3600,
            rest / 60 % 60,
            rest % 60
        )
    }
}

/// The proleptic Gregorian date of `days` since 1970-01-01 (Howard
/// Hinnant's `civil_from_days`).
#[cfg(feature = "logging")]
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(all(test, feature = "logging"))]
mod tests {
    use super::civil_from_days;

    #[test]
    fn days_become_calendar_dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(31), (1970, 2, 1));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
        assert_eq!(civil_from_days(20_789), (2026, 12, 2));
        assert_eq!(civil_from_days(-1), (1969, 12, 31));
    }
}
