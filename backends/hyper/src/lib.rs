//! The hyper glue of the backends that own their connections: natively
//! (tokio) and on WASI sockets (its own executor). Both serve HTTP/1.1
//! with hyper; only the I/O, the timer and the executor differ, and those
//! stay in each backend. What they share is here, written once:
//!
//! - [`http1`]: hyper's HTTP/1 server configured from the app's
//!   [`ServerOptions`] (header read timeout,
//!   head size cap answered with 431, keep-alive);
//! - [`MocketService`]: a [`hyper::service::Service`] that hands each
//!   request to the core ([`Service::serve`]) and the framed answer back.
//!   hyper frames bodies by their size hint exactly as the core's
//!   [`Framing`](mocket_core::backend::Framing) says (the core has put
//!   `content-length` where the body cannot show it: HEAD), and hyper
//!   cannot read past
//!   what the app took, so unread bodies close the connection
//!   ([`UnreadBodies::CloseConnection`]), announced by the core;
//! - upgrades: a `101` answer carrying an [`Upgrade`] (a WebSocket route
//!   that accepted) is sent, and once hyper hands the connection over it
//!   runs there: on a task of the backend's, on hyper's `Upgraded`
//!   ([`MocketService::with_upgrades`], which needs a `Send` connection),
//!   or by the connection's owner after hyper lets go of it
//!   ([`MocketService::keeping_upgrades`], for connections that are not
//!   `Send`: WASI's).
//!
//! ```
//! # futures_executor::block_on(async {
//! use hyper::service::Service as _;
//! let mut app = mocket_core::Mocket::new();
//! app.get("/", |_req| async { "hi" });
//! let svc = mocket_hyper::MocketService::new(app.into_service().unwrap());
//! let req = http::Request::get("/").body(mocket_core::Body::empty()).unwrap();
//! let res = svc.call(req).await.unwrap();
//! // hyper writes `content-length: 2` from the body's size.
//! assert_eq!(http_body::Body::size_hint(res.body()).exact(), Some(2));
//! # });
//! ```

#![forbid(unsafe_code)]

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use hyper::server::conn::http1::Builder;
use mocket_core::backend::{Outgoing, Service, Serving, UnreadBodies, Upgrade, take_upgrade};
use mocket_core::{BoxError, Response, ServerOptions};

pub mod graceful;
mod upgraded;

pub use upgraded::{Handed, UpgradeSlot, Upgraded};

/// Starts a task on the backend's executor (for the connection an upgrade
/// takes over).
pub type Spawn = fn(Pin<Box<dyn Future<Output = ()>>>);

/// hyper's HTTP/1.1 server, set up from the app's options: keep-alive, the
/// header read timeout (on `timer`) and the head size cap (hyper answers a
/// larger head with 431).
///
/// ```
/// #[derive(Clone)]
/// struct NoTimer;
/// # impl hyper::rt::Timer for NoTimer {
/// #     fn sleep(&self, _: std::time::Duration) -> std::pin::Pin<Box<dyn hyper::rt::Sleep>> { unimplemented!() }
/// #     fn sleep_until(&self, _: std::time::Instant) -> std::pin::Pin<Box<dyn hyper::rt::Sleep>> { unimplemented!() }
/// # }
/// let builder = mocket_hyper::http1(&mocket_core::ServerOptions::default(), NoTimer);
/// # let _ = builder;
/// ```
pub fn http1<T>(opts: &ServerOptions, timer: T) -> Builder
where
    T: hyper::rt::Timer + Send + Sync + 'static,
{
    let mut http1 = Builder::new();
    http1
        .timer(timer)
        .header_read_timeout(opts.header_read_timeout)
        .max_header_size(opts.max_header_bytes)
        .keep_alive(true);
    http1
}

/// Logs how a connection ended, at `debug`: a client going away
/// mid-request is routine, not an error of the server's.
pub fn connection_ended<E: std::fmt::Display>(result: Result<(), E>) {
    if let Err(e) = result {
        tracing::debug!(error = %e, "connection ended with an error");
    }
}

/// A Mocket app as a hyper service, for HTTP/1 and HTTP/2 connections.
#[derive(Clone, Debug)]
pub struct MocketService {
    service: Service,
    upgrades: Upgrades,
}

/// Where an accepted upgrade goes.
#[derive(Clone, Debug)]
enum Upgrades {
    Refuse,
    Spawn(Spawn),
    Keep(UpgradeSlot),
}

impl MocketService {
    /// Wraps a built app.
    ///
    /// ```
    /// let svc = mocket_hyper::MocketService::new(mocket_core::Mocket::new().into_service().unwrap());
    /// # let _ = svc;
    /// ```
    pub fn new(service: Service) -> Self {
        MocketService {
            service,
            upgrades: Upgrades::Refuse,
        }
    }

    /// Carries upgrades (WebSocket): the upgraded connection runs on a
    /// task started with `spawn`. Without it, an accepted upgrade is
    /// answered 501 ([`Service::refuse_upgrade`]). The connection must be
    /// served `with_upgrades()`.
    ///
    /// ```
    /// let svc = mocket_hyper::MocketService::new(mocket_core::Mocket::new().into_service().unwrap())
    ///     .with_upgrades(|task| drop(task));
    /// # let _ = svc;
    /// ```
    pub fn with_upgrades(mut self, spawn: Spawn) -> Self {
        self.upgrades = Upgrades::Spawn(spawn);
        self
    }

    /// Carries upgrades for a connection that is not `Send` (hyper's own
    /// upgrade needs it): an accepted upgrade is left in `slot`, and the
    /// connection's owner, once hyper's `without_shutdown()` returns, runs
    /// it on the connection ([`Handed`]).
    ///
    /// ```
    /// let slot = mocket_hyper::UpgradeSlot::default();
    /// let svc = mocket_hyper::MocketService::new(mocket_core::Mocket::new().into_service().unwrap())
    ///     .keeping_upgrades(slot.clone());
    /// assert!(slot.take().is_none());
    /// # let _ = svc;
    /// ```
    pub fn keeping_upgrades(mut self, slot: UpgradeSlot) -> Self {
        self.upgrades = Upgrades::Keep(slot);
        self
    }
}

impl<B> hyper::service::Service<http::Request<B>> for MocketService
where
    B: http_body::Body<Data = bytes::Bytes> + 'static,
    B::Error: Into<BoxError>,
{
    type Response = Response;
    type Error = Infallible;
    type Future = Answer;

    fn call(&self, mut req: http::Request<B>) -> Answer {
        // Only a request that asks for an upgrade can get one.
        let upgrade = if !req.headers().contains_key(http::header::UPGRADE) {
            None
        } else if req.version() != http::Version::HTTP_11 {
            Some(Upgrading::Refuse(self.service.clone()))
        } else {
            match &self.upgrades {
                Upgrades::Spawn(spawn) => {
                    Some(Upgrading::Carry(hyper::upgrade::on(&mut req), *spawn))
                }
                Upgrades::Keep(slot) => Some(Upgrading::Keep(slot.clone())),
                Upgrades::Refuse => Some(Upgrading::Refuse(self.service.clone())),
            }
        };
        Answer {
            serving: self.service.serve(req, UnreadBodies::CloseConnection),
            upgrade,
        }
    }
}

/// What becomes of an upgrade the app accepts.
#[derive(Debug)]
enum Upgrading {
    /// The connection is handed over, to run on a task of its own.
    Carry(hyper::upgrade::OnUpgrade, Spawn),
    /// Left for the connection's owner.
    Keep(UpgradeSlot),
    /// It cannot be: the app's 501.
    Refuse(Service),
}

/// One request's answer. Hand-written rather than an `async` block, which
/// would move the core's future into its own state on the first poll.
#[derive(Debug)]
pub struct Answer {
    serving: Serving,
    upgrade: Option<Upgrading>,
}

impl Future for Answer {
    type Output = Result<Response, Infallible>;

    #[inline]
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = &mut *self;
        let mut response = std::task::ready!(this.serving.poll_response(cx));
        match this.upgrade.take() {
            None => {}
            Some(Upgrading::Carry(on_upgrade, spawn)) => {
                if let Some(upgrade) = take_upgrade(&mut response) {
                    spawn(Box::pin(run(on_upgrade, upgrade)));
                }
            }
            Some(Upgrading::Keep(slot)) => {
                if let Some(upgrade) = take_upgrade(&mut response) {
                    slot.put(upgrade);
                }
            }
            Some(Upgrading::Refuse(service)) => {
                response = service
                    .refuse_upgrade(
                        Outgoing::new(response, false),
                        false,
                        "this connection cannot carry an upgrade",
                    )
                    .response;
            }
        }
        Poll::Ready(Ok(response))
    }
}

/// Waits for hyper to hand the connection over (after the `101` is
/// written), then runs the upgraded protocol on it.
async fn run(on_upgrade: hyper::upgrade::OnUpgrade, upgrade: Upgrade) {
    match on_upgrade.await {
        Ok(io) => upgrade.run(Upgraded::new(io)).await,
        Err(e) => tracing::debug!(error = %e, "the connection closed before its upgrade"),
    }
}
