//! Handlers: async functions from a [`Request`] to a response.

use std::future::Future;
use std::pin::Pin;

use crate::maybe_send::{MaybeSend, MaybeSync};
use crate::request::Request;
use crate::response::{IntoResponse, Response};

/// The boxed future a handler or middleware returns. It need not be `Send`:
/// the native backend polls each connection on one thread, wasm has one.
pub type ResponseFuture = Pin<Box<dyn Future<Output = Response>>>;

/// Something that answers requests: usually an async closure
/// `|req| async move { … }` returning anything that implements
/// [`IntoResponse`].
///
/// ```
/// use mocket_core::{Handler, Request, ResponseFuture, IntoResponse};
/// // A closure is a handler…
/// fn assert_handler<H: Handler>(_: H) {}
/// assert_handler(|_req: Request| async { "hi" });
///
/// // …and so is a type of yours.
/// struct Hello;
/// impl Handler for Hello {
///     fn call(&self, _req: Request) -> ResponseFuture {
///         Box::pin(async { "hello".into_response() })
///     }
/// }
/// assert_handler(Hello);
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a Mocket handler",
    label = "expected an async closure `|req| async move {{ … }}` (or a type implementing `Handler`)",
    note = "a handler takes one `Request` and returns a future whose output implements `IntoResponse`; natively it must also be `Send + Sync + 'static` (it captures nothing borrowed)",
    note = "an async block that uses `?` returns `Result<T, mocket::Error>`: end it with `Ok(value)`"
)]
pub trait Handler: MaybeSend + MaybeSync + 'static {
    /// Handles one request.
    fn call(&self, req: Request) -> ResponseFuture;
}

impl<F, Fut, R> Handler for F
where
    F: Fn(Request) -> Fut + MaybeSend + MaybeSync + 'static,
    Fut: Future<Output = R> + 'static,
    R: IntoResponse,
{
    fn call(&self, req: Request) -> ResponseFuture {
        let fut = self(req);
        Box::pin(async move { fut.await.into_response() })
    }
}
