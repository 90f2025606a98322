//! TCP on `wasi:sockets`, straight on the interfaces: a listener and the
//! connections it accepts, their streams read and written as `wasi:io`
//! streams, waiting on the executor whenever the host says "not now".

use std::io;
use std::rc::Rc;

use wasip2::io::poll::Pollable;
use wasip2::io::streams::{InputStream, OutputStream, StreamError};
use wasip2::sockets::instance_network::instance_network;
use wasip2::sockets::network::{ErrorCode, IpSocketAddress, Ipv4SocketAddress};
use wasip2::sockets::tcp::{IpAddressFamily, TcpSocket};
use wasip2::sockets::tcp_create_socket::create_tcp_socket;

use crate::executor::ready;

/// The queue of connections not yet accepted, as Mocket's WASI backend
/// asks for (the host may cap it).
const BACKLOG: u64 = 1024;

fn socket_error(e: ErrorCode) -> io::Error {
    io::Error::other(format!("{e:?}"))
}

fn stream_error(e: StreamError) -> io::Error {
    match e {
        StreamError::Closed => io::ErrorKind::BrokenPipe.into(),
        StreamError::LastOperationFailed(e) => io::Error::other(e.to_debug_string()),
    }
}

/// A listening socket. Fields drop in order: the pollable before its socket.
pub struct Listener {
    pollable: Rc<Pollable>,
    socket: TcpSocket,
}

impl Listener {
    /// Listens on 127.0.0.1:`port`.
    pub async fn bind(port: u16) -> io::Result<Listener> {
        let socket = create_tcp_socket(IpAddressFamily::Ipv4).map_err(socket_error)?;
        let pollable = Rc::new(socket.subscribe());
        let addr = IpSocketAddress::Ipv4(Ipv4SocketAddress {
            port,
            address: (127, 0, 0, 1),
        });
        socket
            .start_bind(&instance_network(), addr)
            .map_err(socket_error)?;
        loop {
            match socket.finish_bind() {
                Err(ErrorCode::WouldBlock) => ready(&pollable).await,
                r => break r.map_err(socket_error)?,
            }
        }
        // Set before listening; a host that will not is no reason to stop.
        let _ = socket.set_listen_backlog_size(BACKLOG);
        socket.start_listen().map_err(socket_error)?;
        loop {
            match socket.finish_listen() {
                Err(ErrorCode::WouldBlock) => ready(&pollable).await,
                r => break r.map_err(socket_error)?,
            }
        }
        Ok(Listener { pollable, socket })
    }

    /// The port listened on.
    pub fn port(&self) -> io::Result<u16> {
        match self.socket.local_address().map_err(socket_error)? {
            IpSocketAddress::Ipv4(a) => Ok(a.port),
            IpSocketAddress::Ipv6(a) => Ok(a.port),
        }
    }

    /// The next connection.
    pub async fn accept(&self) -> io::Result<Stream> {
        loop {
            match self.socket.accept() {
                Ok((socket, input, output)) => {
                    return Ok(Stream {
                        readable: Rc::new(input.subscribe()),
                        writable: Rc::new(output.subscribe()),
                        input,
                        output,
                        _socket: socket,
                    });
                }
                Err(ErrorCode::WouldBlock) => ready(&self.pollable).await,
                Err(e) => return Err(socket_error(e)),
            }
        }
    }
}

/// An accepted connection. Fields drop in order: pollables, then their
/// streams, then the socket, which closes it.
pub struct Stream {
    readable: Rc<Pollable>,
    writable: Rc<Pollable>,
    input: InputStream,
    output: OutputStream,
    _socket: TcpSocket,
}

impl Stream {
    /// Reads what has arrived into `buf`, waiting for something if nothing
    /// has; 0 when the peer has closed.
    pub async fn read(&self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            match self.input.read(buf.len() as u64) {
                Ok(bytes) if bytes.is_empty() => ready(&self.readable).await,
                Ok(bytes) => {
                    buf[..bytes.len()].copy_from_slice(&bytes);
                    return Ok(bytes.len());
                }
                Err(StreamError::Closed) => return Ok(0),
                Err(e) => return Err(stream_error(e)),
            }
        }
    }

    /// Writes all of `bytes`: in one `write` whenever the host takes that
    /// much at once (it takes a whole answer), waiting while it takes none.
    pub async fn write_all(&self, mut bytes: &[u8]) -> io::Result<()> {
        while !bytes.is_empty() {
            match self.output.check_write().map_err(stream_error)? {
                0 => ready(&self.writable).await,
                permit => {
                    let n = bytes.len().min(permit as usize);
                    self.output.write(&bytes[..n]).map_err(stream_error)?;
                    bytes = &bytes[n..];
                }
            }
        }
        Ok(())
    }

    /// Waits until what was written has left for the peer (before closing:
    /// a write completes in the host after `write` returns).
    pub async fn flush(&self) -> io::Result<()> {
        self.output.flush().map_err(stream_error)?;
        while self.output.check_write().map_err(stream_error)? == 0 {
            ready(&self.writable).await;
        }
        Ok(())
    }
}
