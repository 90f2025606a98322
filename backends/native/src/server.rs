//! Binding, running and stopping a server.

use std::fmt;
use std::io;
use std::net::{SocketAddr, TcpListener};
use std::thread::JoinHandle;

use mocket_core::Mocket;
use mocket_core::backend::{ListenError, Service, prepare};
use socket2::{Domain, Protocol, Socket, Type};
use tokio::sync::watch;

use crate::shutdown;
use crate::worker;

/// Binds `addr`, prints `Listening on http://ADDR` (the real port when it
/// was 0: tools wait for this line), and serves until SIGINT or SIGTERM.
/// What the `mocket` crate's `listen` runs natively.
///
/// ```no_run
/// let mut app = mocket_core::Mocket::new();
/// app.get("/", |_req| async { "hi" });
/// mocket_native::serve(app, ":3000").unwrap();
/// ```
pub fn serve(app: Mocket, addr: &str) -> Result<(), ListenError> {
    let server = Server::bind(app, addr)?;
    #[allow(clippy::print_stdout)] // the line tools wait for
    {
        println!("Listening on http://{}", server.local_addr());
    }
    server.run()
}

/// A bound server, not yet serving.
///
/// ```no_run
/// let app = mocket_core::Mocket::new();
/// let server = mocket_native::Server::bind(app, ":3000").unwrap();
/// server.run().unwrap();
/// ```
pub struct Server {
    listener: TcpListener,
    service: Service,
    addr: SocketAddr,
}

impl fmt::Debug for Server {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Server")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

impl Server {
    /// Checks the app's setup and binds `addr` (any form
    /// [`parse_listen_addr`](mocket_core::backend::parse_listen_addr) accepts; port 0 picks a free port).
    ///
    /// ```
    /// let server = mocket_native::Server::bind(mocket_core::Mocket::new(), "127.0.0.1:0").unwrap();
    /// assert_ne!(server.local_addr().port(), 0);
    /// ```
    pub fn bind(app: Mocket, addr: &str) -> Result<Server, ListenError> {
        let (service, wanted) = prepare(app, addr)?;
        let listener = bind_socket(wanted).map_err(|source| ListenError::Bind {
            addr: wanted,
            source,
        })?;
        let addr = listener.local_addr().map_err(ListenError::Io)?;
        Ok(Server {
            listener,
            service,
            addr,
        })
    }

    /// The address the server is bound to.
    ///
    /// ```
    /// let server = mocket_native::Server::bind(mocket_core::Mocket::new(), ":0").unwrap();
    /// assert!(server.local_addr().ip().is_loopback());
    /// ```
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// Serves until SIGINT or SIGTERM, then stops accepting, lets in-flight
    /// requests finish within the app's shutdown grace period, and returns.
    pub fn run(self) -> Result<(), ListenError> {
        let signals = shutdown::Signals::install().map_err(ListenError::Io)?;
        let (tx, rx) = watch::channel(false);
        let workers = self.start_workers(rx)?;
        signals.wait().map_err(ListenError::Io)?;
        let _ = tx.send(true);
        join_all(workers)
    }

    /// Serves on background threads until [`ServerHandle::shutdown`] is
    /// called or the handle is dropped (which stops it the same way, without
    /// waiting).
    ///
    /// ```
    /// let server = mocket_native::Server::bind(mocket_core::Mocket::new(), ":0").unwrap();
    /// let handle = server.spawn().unwrap();
    /// let addr = handle.local_addr();
    /// handle.shutdown().unwrap();
    /// assert!(std::net::TcpStream::connect(addr).is_err());
    /// ```
    pub fn spawn(self) -> Result<ServerHandle, ListenError> {
        let (tx, rx) = watch::channel(false);
        let addr = self.addr;
        let workers = self.start_workers(rx)?;
        Ok(ServerHandle {
            addr,
            stop: tx,
            workers,
        })
    }

    fn start_workers(
        self,
        stop: watch::Receiver<bool>,
    ) -> Result<Vec<JoinHandle<()>>, ListenError> {
        let count = self
            .service
            .options()
            .workers
            .unwrap_or_else(|| {
                std::thread::available_parallelism().map_or(1, std::num::NonZero::get)
            })
            .max(1);
        self.listener
            .set_nonblocking(true)
            .map_err(ListenError::Io)?;
        (0..count)
            .map(|i| {
                let listener = self.listener.try_clone().map_err(ListenError::Io)?;
                let service = self.service.clone();
                let stop = stop.clone();
                std::thread::Builder::new()
                    .name(format!("mocket-worker-{i}"))
                    .spawn(move || worker::run(listener, service, stop))
                    .map_err(ListenError::Io)
            })
            .collect()
    }
}

fn join_all(workers: Vec<JoinHandle<()>>) -> Result<(), ListenError> {
    for worker in workers {
        worker
            .join()
            .map_err(|_| ListenError::Io(io::Error::other("a worker thread panicked")))?;
    }
    Ok(())
}

/// A server running on background threads.
#[derive(Debug)]
pub struct ServerHandle {
    addr: SocketAddr,
    stop: watch::Sender<bool>,
    workers: Vec<JoinHandle<()>>,
}

impl ServerHandle {
    /// The address the server listens on.
    ///
    /// ```
    /// let handle = mocket_native::Server::bind(mocket_core::Mocket::new(), ":0").unwrap().spawn().unwrap();
    /// assert!(handle.local_addr().port() > 0);
    /// # handle.shutdown().unwrap();
    /// ```
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops accepting, waits for in-flight requests (up to the grace
    /// period), and joins the worker threads.
    ///
    /// ```
    /// let handle = mocket_native::Server::bind(mocket_core::Mocket::new(), ":0").unwrap().spawn().unwrap();
    /// handle.shutdown().unwrap();
    /// ```
    pub fn shutdown(self) -> Result<(), ListenError> {
        let _ = self.stop.send(true);
        join_all(self.workers)
    }
}

/// `SO_REUSEADDR` so a restarted server can bind while old connections sit
/// in TIME_WAIT, and a deeper backlog than std's 128 for bursts of connects.
fn bind_socket(addr: SocketAddr) -> io::Result<TcpListener> {
    let socket = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))?;
    #[cfg(unix)]
    socket.set_reuse_address(true)?;
    socket.bind(&addr.into())?;
    socket.listen(1024)?;
    Ok(socket.into())
}
