//! Mode 2: `wasi:sockets` TCP, as a listener and as connections hyper can
//! drive.
//!
//! hyper wants poll-based I/O (`hyper::rt::Read` and `Write`), so this
//! module talks to `wasi:sockets` and `wasi:io` directly, on mode 2's own
//! executor (`executor.rs`): a pollable is handed to its reactor once per
//! socket direction, and a read or write that finds nothing to do waits on
//! it.

use std::future::Future;
use std::io;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, ready};

use wasip2::io::streams::{InputStream, OutputStream, StreamError};
use wasip2::sockets::instance_network::instance_network;
use wasip2::sockets::network::{ErrorCode, Ipv4SocketAddress, Ipv6SocketAddress};
use wasip2::sockets::tcp::{IpAddressFamily, IpSocketAddress, ShutdownType, TcpSocket};
use wasip2::sockets::tcp_create_socket::create_tcp_socket;

use mocket_core::backend::CHUNK_SIZE;

use crate::executor::{Registration, Wait};
use crate::output::{self, stream_error};

/// The queue of connections not yet accepted, as natively.
const BACKLOG: u64 = 1024;

/// A listening TCP socket. The pollable drops before its socket.
pub(crate) struct Listener {
    ready: Registration,
    socket: TcpSocket,
}

impl Listener {
    /// Binds and listens on `addr` (port 0 picks a free port).
    pub(crate) async fn bind(addr: SocketAddr) -> io::Result<Listener> {
        let family = match addr {
            SocketAddr::V4(_) => IpAddressFamily::Ipv4,
            SocketAddr::V6(_) => IpAddressFamily::Ipv6,
        };
        let socket = create_tcp_socket(family).map_err(to_io)?;
        let ready = Registration::new(socket.subscribe());
        socket
            .start_bind(&instance_network(), to_wasi(addr))
            .map_err(to_io)?;
        finish(&ready, || socket.finish_bind()).await?;
        // Hosts may cap or ignore the backlog; that is not an error.
        let _ = socket.set_listen_backlog_size(BACKLOG);
        socket.start_listen().map_err(to_io)?;
        finish(&ready, || socket.finish_listen()).await?;
        Ok(Listener { ready, socket })
    }

    /// The bound address, with the real port when 0 was asked for.
    pub(crate) fn local_addr(&self) -> io::Result<SocketAddr> {
        self.socket.local_address().map(from_wasi).map_err(to_io)
    }

    /// Waits for the next connection.
    pub(crate) async fn accept(&self) -> io::Result<Conn> {
        loop {
            match self.socket.accept() {
                Ok((socket, input, output)) => return Ok(Conn::new(socket, input, output)),
                Err(ErrorCode::WouldBlock) => self.ready.ready().await,
                Err(e) => return Err(to_io(e)),
            }
        }
    }
}

/// Completes a two-phase socket operation (`start-*` / `finish-*`).
async fn finish(
    ready: &Registration,
    mut op: impl FnMut() -> Result<(), ErrorCode>,
) -> io::Result<()> {
    loop {
        match op() {
            Ok(()) => return Ok(()),
            Err(ErrorCode::WouldBlock) => ready.ready().await,
            Err(e) => return Err(to_io(e)),
        }
    }
}

/// The resources of an accepted connection, shared by the [`Conn`] hyper
/// drives and the [`Closer`] that outlives it. Fields drop in order,
/// children before parents: pollables, streams, then the socket.
struct Socket {
    readable: Registration,
    writable: Registration,
    input: InputStream,
    output: OutputStream,
    socket: TcpSocket,
}

/// An accepted connection, as hyper's I/O. The waits drop before the socket
/// whose pollables they wait on.
pub(crate) struct Conn {
    read_wait: Option<Wait>,
    write_wait: Option<Wait>,
    /// A flush was started and has not completed yet.
    flushing: bool,
    io: Rc<Socket>,
}

impl Conn {
    /// Flushes and waits until the flush is done: writing is possible
    /// again.
    fn poll_flushed(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if !this.flushing {
            this.io.output.flush().map_err(stream_error)?;
            this.flushing = true;
        }
        loop {
            match this.io.output.check_write() {
                Ok(0) => ready!(this.poll_writable(cx)),
                Ok(_) => {
                    this.flushing = false;
                    return Poll::Ready(Ok(()));
                }
                Err(e) => {
                    this.flushing = false;
                    return Poll::Ready(Err(stream_error(e)));
                }
            }
        }
    }

    fn new(socket: TcpSocket, input: InputStream, output: OutputStream) -> Conn {
        Conn {
            read_wait: None,
            write_wait: None,
            flushing: false,
            io: Rc::new(Socket {
                readable: Registration::new(input.subscribe()),
                writable: Registration::new(output.subscribe()),
                input,
                output,
                socket,
            }),
        }
    }

    /// A handle that finishes the connection after hyper is done with it.
    pub(crate) fn closer(&self) -> Closer {
        Closer(self.io.clone())
    }

    /// Waits until the output stream is ready again; `Pending` registers the
    /// waker with the reactor.
    fn poll_writable(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        let wait = self
            .write_wait
            .get_or_insert_with(|| self.io.writable.wait());
        ready!(Pin::new(wait).poll(cx));
        self.write_wait = None;
        Poll::Ready(())
    }
}

/// Finishes a connection once hyper has dropped it.
///
/// A write to a `wasi:io` output stream is handed to the host, which
/// completes it in the background: unlike a kernel socket write, it is not
/// done when `write` returns, and closing the socket too early loses it.
/// hyper flushes before it shuts a connection down normally, but not on
/// every path that ends one (an error ends it at once), so the last bytes
/// are flushed here before the socket closes, whatever the path.
pub(crate) struct Closer(Rc<Socket>);

impl Closer {
    /// Flushes what was written, then shuts down the sending side.
    pub(crate) async fn close(self) {
        let io = &self.0;
        // A connection already broken has nothing left to flush.
        let _ = output::flush(&io.output, &io.writable).await;
        let _ = io.socket.shutdown(ShutdownType::Send);
    }
}

impl hyper::rt::Read for Conn {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        mut buf: hyper::rt::ReadBufCursor<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        loop {
            if let Some(wait) = this.read_wait.as_mut() {
                ready!(Pin::new(wait).poll(cx));
                this.read_wait = None;
            }
            let want = buf.remaining().min(CHUNK_SIZE) as u64;
            match this.io.input.read(want) {
                Ok(bytes) if bytes.is_empty() => this.read_wait = Some(this.io.readable.wait()),
                Ok(bytes) => {
                    buf.put_slice(&bytes);
                    return Poll::Ready(Ok(()));
                }
                // End of stream: a read of nothing.
                Err(StreamError::Closed) => return Poll::Ready(Ok(())),
                Err(StreamError::LastOperationFailed(e)) => {
                    return Poll::Ready(Err(io::Error::other(e.to_debug_string())));
                }
            }
        }
    }
}

impl hyper::rt::Write for Conn {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        loop {
            match this.io.output.check_write() {
                Ok(0) => ready!(this.poll_writable(cx)),
                Ok(permitted) => {
                    let n = buf
                        .len()
                        .min(usize::try_from(permitted).unwrap_or(usize::MAX));
                    this.io.output.write(&buf[..n]).map_err(stream_error)?;
                    return Poll::Ready(Ok(n));
                }
                Err(e) => return Poll::Ready(Err(stream_error(e))),
            }
        }
    }

    /// Asks the host to push out what was written, without waiting: the
    /// bytes are on their way once `write` returns, and the next write waits
    /// for the flush (`check-write` says 0 until it is done). hyper flushes
    /// after every response; waiting for the flush there cost each one a
    /// `poll` round through the executor. Closing waits (`poll_shutdown`,
    /// [`Closer`]), since a socket shut down too early loses the bytes.
    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if !this.flushing {
            this.io.output.flush().map_err(stream_error)?;
        }
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        ready!(self.as_mut().poll_flushed(cx))?;
        let _ = self.io.socket.shutdown(ShutdownType::Send);
        Poll::Ready(Ok(()))
    }
}

/// A `wasi:sockets` error as the nearest `std::io` error.
fn to_io(e: ErrorCode) -> io::Error {
    let kind = match e {
        ErrorCode::AccessDenied => io::ErrorKind::PermissionDenied,
        ErrorCode::AddressInUse => io::ErrorKind::AddrInUse,
        ErrorCode::AddressNotBindable => io::ErrorKind::AddrNotAvailable,
        ErrorCode::InvalidArgument => io::ErrorKind::InvalidInput,
        ErrorCode::NotSupported => io::ErrorKind::Unsupported,
        ErrorCode::OutOfMemory => io::ErrorKind::OutOfMemory,
        ErrorCode::Timeout => io::ErrorKind::TimedOut,
        ErrorCode::WouldBlock => io::ErrorKind::WouldBlock,
        ErrorCode::ConnectionRefused => io::ErrorKind::ConnectionRefused,
        ErrorCode::ConnectionReset => io::ErrorKind::ConnectionReset,
        ErrorCode::ConnectionAborted => io::ErrorKind::ConnectionAborted,
        _ => io::ErrorKind::Other,
    };
    io::Error::new(kind, e.message())
}

fn to_wasi(addr: SocketAddr) -> IpSocketAddress {
    match addr {
        SocketAddr::V4(a) => {
            let [a0, a1, a2, a3] = a.ip().octets();
            IpSocketAddress::Ipv4(Ipv4SocketAddress {
                port: a.port(),
                address: (a0, a1, a2, a3),
            })
        }
        SocketAddr::V6(a) => {
            let [s0, s1, s2, s3, s4, s5, s6, s7] = a.ip().segments();
            IpSocketAddress::Ipv6(Ipv6SocketAddress {
                port: a.port(),
                flow_info: a.flowinfo(),
                address: (s0, s1, s2, s3, s4, s5, s6, s7),
                scope_id: a.scope_id(),
            })
        }
    }
}

fn from_wasi(addr: IpSocketAddress) -> SocketAddr {
    match addr {
        IpSocketAddress::Ipv4(Ipv4SocketAddress { port, address: a }) => {
            SocketAddr::V4(SocketAddrV4::new(Ipv4Addr::new(a.0, a.1, a.2, a.3), port))
        }
        IpSocketAddress::Ipv6(Ipv6SocketAddress {
            port,
            flow_info,
            address: a,
            scope_id,
        }) => SocketAddr::V6(SocketAddrV6::new(
            Ipv6Addr::new(a.0, a.1, a.2, a.3, a.4, a.5, a.6, a.7),
            port,
            flow_info,
            scope_id,
        )),
    }
}
