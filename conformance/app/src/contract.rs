//! Routes for the cases of this issue's contract: headers that stay on a
//! rendered error, parsed path parameters, a middleware that replaces the
//! body, the 205 framing rule, and the portable clock and timers.

use mocket::prelude::*;
use mocket::time::{Duration, Instant, interval, sleep};

pub(crate) fn register(app: &mut Mocket) {
    app.get("/contract/unauthorized", |_req| async {
        Error::new(StatusCode::UNAUTHORIZED, "log in first")
            .with_header("www-authenticate", r#"Basic realm="conformance""#)
    });
    app.get("/contract/busy", |_req| async {
        (
            [("retry-after", "30")],
            Error::new(StatusCode::SERVICE_UNAVAILABLE, "busy"),
        )
    });
    app.get("/contract/users/:id", |req| async move {
        let id: u64 = req.param_as("id")?;
        Ok(format!("user {id}"))
    });
    app.get("/contract/reset", |_req| async {
        (StatusCode::RESET_CONTENT, "a body a 205 may not have")
    });
    // Checks a trailing signature, then hands the handler the payload.
    app.use_middleware_at("/contract/signed", |mut req, next| async move {
        let text = req.text().await?;
        let Some(payload) = text.strip_suffix(";sig=ok") else {
            return Ok(Error::new(StatusCode::FORBIDDEN, "bad signature").into_response());
        };
        *req.body_mut() = mocket::Body::from(payload.to_owned());
        Ok(next.run(req).await)
    });
    app.post(
        "/contract/signed",
        |mut req| async move { req.text().await },
    );
    // A timer never fires early: the clock says at least the time asked.
    app.get("/contract/sleep/:ms", |req| async move {
        let ms: u64 = req.param_as("ms")?;
        let start = Instant::now();
        sleep(Duration::from_millis(ms)).await;
        let waited = start.elapsed() >= Duration::from_millis(ms);
        Ok(if waited { "slept" } else { "woke early" })
    });
    app.get("/contract/ticks/:n", |req| async move {
        let n: u32 = req.param_as("n")?;
        let period = Duration::from_millis(3);
        let mut ticks = interval(period);
        let first = ticks.tick().await;
        let mut last = first;
        for _ in 1..n {
            let at = ticks.tick().await;
            if at < last + period {
                return Ok("ticked early".to_owned());
            }
            last = at;
        }
        let spread = last.duration_since(first);
        Ok(format!(
            "{n} ticks, spread ok: {}",
            spread >= period * (n - 1)
        ))
    });
}
