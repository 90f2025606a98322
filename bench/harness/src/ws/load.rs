//! The WebSocket load client: echo round trips and idle sockets (fan-out
//! is room.rs), over raw TCP on one tokio thread.
//!
//! Hand-written frames rather than a client library: every message of a
//! run has the same size, so a client frame is encoded (and masked) once,
//! and a server frame is counted by its two-byte header. The client then
//! costs a `write` and a `read` per message, so on its own core it is never
//! what a measurement measures.

use std::cell::Cell;
use std::rc::Rc;
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// What one measurement gives.
#[derive(Clone, Debug)]
pub struct Measured {
    /// Messages per second: echoes received, or deliveries to subscribers.
    pub per_sec: f64,
    /// p99 round trip of an echo, ms (fan-out: none).
    pub p99_ms: Option<f64>,
    /// Sockets the server closed during the run (a slow subscriber's 1008).
    pub closed: usize,
    /// The server's CPU time per message, µs, over the measured time.
    pub cpu_us: Option<f64>,
}

/// A client's text frame: FIN + text, masked, `payload` of at most 125 bytes.
pub fn client_frame(payload: &[u8]) -> Vec<u8> {
    client_frame_of(0x1, payload)
}

/// A client's final frame of opcode `op`, masked, at most 125 bytes.
pub fn client_frame_of(op: u8, payload: &[u8]) -> Vec<u8> {
    assert!(payload.len() <= 125, "bench messages fit a short frame");
    let mask = [0x37, 0xfa, 0x21, 0x3d];
    let mut f = vec![0x80 | op, 0x80 | payload.len() as u8];
    f.extend_from_slice(&mask);
    f.extend(payload.iter().enumerate().map(|(i, b)| b ^ mask[i % 4]));
    f
}

/// Opens a WebSocket to `path`: the handshake, checked for its 101.
pub async fn open(port: u16, path: &str) -> Result<TcpStream, String> {
    let mut tcp = TcpStream::connect(("127.0.0.1", port))
        .await
        .map_err(|e| format!("connect: {e}"))?;
    tcp.set_nodelay(true).map_err(|e| e.to_string())?;
    let req = format!(
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n\
         Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\
         Sec-WebSocket-Version: 13\r\n\r\n"
    );
    tcp.write_all(req.as_bytes())
        .await
        .map_err(|e| format!("handshake: {e}"))?;
    // Byte by byte up to the blank line: nothing of the first frame is read.
    let mut head = Vec::with_capacity(256);
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        if head.len() > 8192 || tcp.read(&mut byte).await.map_err(|e| e.to_string())? == 0 {
            return Err(format!("no handshake answer from {path}"));
        }
        head.push(byte[0]);
    }
    if !head.starts_with(b"HTTP/1.1 101") {
        let line = String::from_utf8_lossy(&head);
        return Err(format!(
            "{path} answered {}",
            line.lines().next().unwrap_or("")
        ));
    }
    Ok(tcp)
}

/// Opens `n` sockets, at most 64 handshakes at a time (a listen backlog is
/// finite).
pub async fn open_many(port: u16, path: &str, n: usize) -> Result<Vec<TcpStream>, String> {
    let mut sockets = Vec::with_capacity(n);
    while sockets.len() < n {
        let batch = (n - sockets.len()).min(64);
        let opened = futures_join((0..batch).map(|_| {
            let path = path.to_owned();
            async move { open(port, &path).await }
        }))
        .await;
        for s in opened {
            sockets.push(s?);
        }
    }
    Ok(sockets)
}

/// Runs futures concurrently on the current thread, in order of results.
async fn futures_join<F>(futs: impl Iterator<Item = F>) -> Vec<F::Output>
where
    F: Future + 'static,
    F::Output: 'static,
{
    let tasks: Vec<_> = futs.map(tokio::task::spawn_local).collect();
    let mut out = Vec::with_capacity(tasks.len());
    for t in tasks {
        out.push(t.await.expect("client task"));
    }
    out
}

/// Runs `f` on a fresh single-thread runtime.
pub fn block_on<T>(f: impl Future<Output = T>) -> T {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    tokio::task::LocalSet::new().block_on(&rt, f)
}

/// `connections` sockets on `path`, each sending a `size`-byte text message
/// and waiting for its echo, for `warmup` then `duration`.
pub async fn echo(
    port: u16,
    path: &str,
    connections: usize,
    size: usize,
    warmup: Duration,
    duration: Duration,
    cpu: impl Fn() -> Option<f64>,
) -> Result<Measured, String> {
    let sockets = open_many(port, path, connections).await?;
    let frame: Rc<[u8]> = client_frame(&vec![b'e'; size]).into();
    let count = Rc::new(Cell::new(0u64));
    let recording = Rc::new(Cell::new(false));
    let stop = Rc::new(Cell::new(false));
    let mut tasks = Vec::new();
    for mut tcp in sockets {
        let (frame, count, recording, stop) = (
            frame.clone(),
            count.clone(),
            recording.clone(),
            stop.clone(),
        );
        tasks.push(tokio::task::spawn_local(async move {
            let mut back = vec![0u8; 2 + size];
            let mut rtts_us: Vec<u32> = Vec::new();
            while !stop.get() {
                let sent = Instant::now();
                tcp.write_all(&frame).await.map_err(|e| e.to_string())?;
                tcp.read_exact(&mut back).await.map_err(|e| e.to_string())?;
                if back[0] != 0x81 || back[1] as usize != size {
                    return Err(format!("not the echo: {:02x} {:02x}", back[0], back[1]));
                }
                if recording.get() {
                    count.set(count.get() + 1);
                    rtts_us.push(sent.elapsed().as_micros() as u32);
                }
            }
            Ok::<_, String>(rtts_us)
        }));
    }
    tokio::time::sleep(warmup).await;
    recording.set(true);
    let (t0, cpu0) = (Instant::now(), cpu());
    tokio::time::sleep(duration).await;
    let n = count.get();
    let elapsed = t0.elapsed();
    let cpu_us = per_message(cpu0, cpu(), n);
    recording.set(false);
    stop.set(true);
    let mut rtts = Vec::new();
    for t in tasks {
        rtts.extend(t.await.expect("echo task")?);
    }
    rtts.sort_unstable();
    let p99 = rtts
        .get((rtts.len() * 99 / 100).min(rtts.len().saturating_sub(1)))
        .map(|us| *us as f64 / 1000.0);
    Ok(Measured {
        per_sec: n as f64 / elapsed.as_secs_f64(),
        p99_ms: p99,
        closed: 0,
        cpu_us,
    })
}

/// CPU µs per message between two readings.
pub fn per_message(before: Option<f64>, after: Option<f64>, messages: u64) -> Option<f64> {
    Some((after? - before?) * 1e6 / messages.max(1) as f64)
}

/// Opens `n` idle sockets on `path`, calls `measure` while they are open,
/// and closes them.
pub async fn idle<T>(
    port: u16,
    path: &str,
    n: usize,
    measure: impl FnOnce() -> T,
) -> Result<T, String> {
    let sockets = open_many(port, path, n).await?;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let measured = measure();
    drop(sockets);
    Ok(measured)
}
