//! Pub/sub fan-out: subscribers and a publisher in one room of the chat
//! (`/ws/room/:name`), the publisher sending as fast as the slowest
//! receiver allows, every delivery counted.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::sync::Notify;
use tokio::task::JoinHandle;

use super::load::{Measured, client_frame, open_many, per_message};

/// How far the publisher may run ahead of the slowest receiver, in
/// messages, in timed runs: deep enough that servers can batch, far below
/// any backlog bound (Mocket's is 1024).
pub const WINDOW: usize = 32;

/// What the receivers have seen, shared with the publisher.
struct Counts {
    receivers: usize,
    /// `reached[j % ring]`: receivers that have message `j`; back to 0 once
    /// all have it.
    reached: RefCell<Vec<usize>>,
    /// Messages every receiver has (always a prefix: each receiver reads in
    /// order).
    complete: Cell<usize>,
    progress: Notify,
    /// Receivers that have seen a probe, i.e. joined the room.
    joined: Cell<usize>,
    recording: Cell<bool>,
    deliveries: Cell<u64>,
    closed: Cell<usize>,
    stop: Cell<bool>,
}

impl Counts {
    fn on_message(&self, j: usize) {
        let mut reached = self.reached.borrow_mut();
        let ring = reached.len();
        let slot = &mut reached[j % ring];
        *slot += 1;
        if *slot == self.receivers {
            *slot = 0;
            self.complete.set(j + 1);
            self.progress.notify_one();
        }
        if self.recording.get() {
            self.deliveries.set(self.deliveries.get() + 1);
        }
    }
}

/// A joined room: every receiver has seen a published probe.
pub struct Room {
    counts: Rc<Counts>,
    publisher: OwnedWriteHalf,
    /// Kept open: dropping a write half would half-close its socket.
    writers: Vec<OwnedWriteHalf>,
    readers: Vec<JoinHandle<Result<(), String>>>,
    message: Vec<u8>,
    sent: usize,
}

impl Room {
    /// Opens `subscribers` sockets and a publisher (itself a receiver, as
    /// in the chat) on `path`, and probes until each has joined; `window`
    /// bounds how far publishing runs ahead (at most `window` messages not
    /// yet received by everyone).
    pub async fn join(
        port: u16,
        path: &str,
        subscribers: usize,
        size: usize,
        window: usize,
    ) -> Result<Room, String> {
        let mut sockets = open_many(port, path, subscribers + 1).await?;
        let (rd, publisher) = sockets.pop().expect("the publisher's socket").into_split();
        let counts = Rc::new(Counts {
            receivers: subscribers + 1,
            reached: RefCell::new(vec![0; window.max(1) + 1]),
            complete: Cell::new(0),
            progress: Notify::new(),
            joined: Cell::new(0),
            recording: Cell::new(false),
            deliveries: Cell::new(0),
            closed: Cell::new(0),
            stop: Cell::new(false),
        });
        let mut readers = vec![tokio::task::spawn_local(receive(rd, counts.clone()))];
        let mut writers = Vec::with_capacity(subscribers);
        for s in sockets {
            let (rd, wr) = s.into_split();
            writers.push(wr);
            readers.push(tokio::task::spawn_local(receive(rd, counts.clone())));
        }
        let mut room = Room {
            counts,
            publisher,
            writers,
            readers,
            message: client_frame(&vec![b'm'; size]),
            sent: 0,
        };
        // A server subscribes after its handshake: probe until every socket
        // has seen a probe, then let the stragglers arrive.
        let probe = client_frame(&vec![b'p'; size]);
        let deadline = Instant::now() + Duration::from_secs(120);
        while room.counts.joined.get() < room.counts.receivers {
            if Instant::now() > deadline {
                return Err(format!(
                    "only {} of {} sockets received a published probe within 120 s",
                    room.counts.joined.get(),
                    room.counts.receivers
                ));
            }
            room.write(&probe).await?;
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
        Ok(room)
    }

    async fn write(&mut self, frame: &[u8]) -> Result<(), String> {
        self.publisher
            .write_all(frame)
            .await
            .map_err(|e| format!("publishing: {e}"))
    }

    fn window(&self) -> usize {
        self.counts.reached.borrow().len() - 1
    }

    /// Publishes one message once fewer than the window are in flight.
    async fn publish(&mut self) -> Result<(), String> {
        while self.sent - self.counts.complete.get() >= self.window() {
            self.wait().await?;
        }
        let message = std::mem::take(&mut self.message);
        let r = self.write(&message).await;
        self.message = message;
        self.sent += 1;
        r
    }

    async fn wait(&self) -> Result<(), String> {
        if self.counts.closed.get() > 0 {
            return Err(format!(
                "the server closed {} receivers",
                self.counts.closed.get()
            ));
        }
        let _ = tokio::time::timeout(Duration::from_secs(1), self.counts.progress.notified()).await;
        Ok(())
    }

    /// Publishes `n` messages and waits until every receiver has them.
    pub async fn publish_all(&mut self, n: usize) -> Result<(), String> {
        for _ in 0..n {
            self.publish().await?;
        }
        let deadline = Instant::now() + Duration::from_secs(300);
        while self.counts.complete.get() < self.sent {
            if Instant::now() > deadline {
                return Err("receivers still missing messages after 300 s".into());
            }
            self.wait().await?;
        }
        Ok(())
    }

    /// Publishes for `warmup`, then counts deliveries (and the server's
    /// CPU time, read by `cpu`) for `duration`.
    pub async fn timed(
        &mut self,
        warmup: Duration,
        duration: Duration,
        cpu: impl Fn() -> Option<f64>,
    ) -> Result<Measured, String> {
        let start = Instant::now();
        while start.elapsed() < warmup {
            self.publish().await?;
        }
        self.counts.recording.set(true);
        let (t0, before, cpu0) = (Instant::now(), self.counts.deliveries.get(), cpu());
        while t0.elapsed() < duration {
            self.publish().await?;
        }
        let delivered = self.counts.deliveries.get() - before;
        let cpu_us = per_message(cpu0, cpu(), delivered);
        Ok(Measured {
            per_sec: delivered as f64 / t0.elapsed().as_secs_f64(),
            p99_ms: None,
            closed: self.counts.closed.get(),
            cpu_us,
        })
    }

    /// Receivers (subscribers and the publisher).
    pub fn receivers(&self) -> usize {
        self.counts.receivers
    }

    /// Ends the run; the first receiver error, if any.
    pub async fn leave(self) -> Result<(), String> {
        self.counts.stop.set(true);
        let mut failed = None;
        for r in self.readers {
            if let Err(e) = r.await.expect("receiver task") {
                failed.get_or_insert(e);
            }
        }
        drop((self.publisher, self.writers));
        failed.map_or(Ok(()), Err)
    }
}

/// One receiver: parses the server's frames (unmasked, short), counting
/// probes (`p…`) and messages (`m…`).
async fn receive(mut rd: OwnedReadHalf, counts: Rc<Counts>) -> Result<(), String> {
    let mut buf = vec![0u8; 64 * 1024];
    let (mut filled, mut joined, mut j) = (0usize, false, 0usize);
    loop {
        // Woken now and then to see whether the run is over.
        let read = tokio::time::timeout(Duration::from_millis(250), rd.read(&mut buf[filled..]));
        let n = match read.await {
            Ok(n) => n.map_err(|e| e.to_string())?,
            Err(_) if counts.stop.get() => return Ok(()),
            Err(_) => continue,
        };
        if n == 0 {
            return if counts.stop.get() {
                Ok(())
            } else {
                Err("the server closed a receiver's connection".into())
            };
        }
        filled += n;
        let mut at = 0;
        while filled - at >= 2 {
            let (op, len) = (buf[at] & 0x0f, (buf[at + 1] & 0x7f) as usize);
            if len > 125 || buf[at + 1] & 0x80 != 0 {
                return Err("a frame the bench never sends".into());
            }
            if filled - at < 2 + len {
                break;
            }
            match (op, buf.get(at + 2)) {
                (0x8, _) => {
                    counts.closed.set(counts.closed.get() + 1);
                    counts.progress.notify_one();
                    return Ok(());
                }
                (0x1, Some(b'p')) if !joined => {
                    joined = true;
                    counts.joined.set(counts.joined.get() + 1);
                }
                (0x1, Some(b'm')) => {
                    counts.on_message(j);
                    j += 1;
                }
                _ => {}
            }
            at += 2 + len;
        }
        buf.copy_within(at..filled, 0);
        filled -= at;
    }
}

/// The timed fan-out of a load round: join, publish, leave.
pub async fn fanout(
    port: u16,
    path: &str,
    subscribers: usize,
    size: usize,
    warmup: Duration,
    duration: Duration,
    cpu: impl Fn() -> Option<f64>,
) -> Result<Measured, String> {
    let mut room = Room::join(port, path, subscribers, size, WINDOW).await?;
    let measured = room.timed(warmup, duration, cpu).await;
    let left = room.leave().await;
    let measured = measured?;
    left?;
    Ok(measured)
}
