//! Request logging through `tracing`, off unless the app adds it.

use web_time::Instant;

use crate::handler::ResponseFuture;
use crate::maybe_send::{MaybeSend, MaybeSync};
use crate::middleware::Next;
use crate::request::Request;

/// A middleware that logs each request's method, path, status and duration
/// at `info` level on the `mocket::request` target. Register it first to
/// time everything. Install a `tracing` subscriber to see the lines.
///
/// ```
/// let mut app = mocket_core::Mocket::new();
/// app.use_middleware(mocket_core::request_logger());
/// ```
pub fn request_logger() -> impl Fn(Request, Next) -> ResponseFuture + MaybeSend + MaybeSync + 'static
{
    |req: Request, next: Next| -> ResponseFuture {
        Box::pin(async move {
            let start = Instant::now();
            let method = req.method().clone();
            let path = req.path().to_owned();
            let res = next.run(req).await;
            tracing::info!(
                target: "mocket::request",
                %method,
                path,
                status = res.status().as_u16(),
                micros = start.elapsed().as_micros() as u64,
                "request"
            );
            res
        })
    }
}
