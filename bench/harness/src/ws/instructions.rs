//! Instructions per WebSocket message under callgrind, natively: the
//! precise comparison on a noisy machine. The server runs under
//! `valgrind --tool=callgrind` with one worker; the counters are zeroed
//! (`callgrind_control -z`) after a warm-up and dumped (`-d`) after a
//! known number of messages, so each figure is the server's instructions,
//! all threads, for exactly those messages.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use super::load::{block_on, client_frame, open};
use super::room::{Room, WINDOW};
use crate::callgrind::{control, dumps, totals};
use crate::servers::{Launch, Running};

/// Echoes counted (after as many warm-up ones).
pub const ECHOES: usize = 2000;
/// Subscribers of the counted room (plus the publisher), and messages.
pub const SUBSCRIBERS: usize = 100;
pub const PUBLISHED: usize = 200;

/// What is counted: echo, then fan-out one message at a time (each
/// delivered to all before the next: no batching possible) and with the
/// load runs' window.
pub const FIGURES: [&str; 3] = ["echo", "fanout_1", "fanout_window"];

/// The server's Ir for whatever `f` makes it do, from a zeroed counter
/// to a dump.
struct Counter<'a> {
    pid: u32,
    base: &'a Path,
}

impl Counter<'_> {
    fn zero(&self) -> Result<usize, String> {
        let before = dumps(self.base).len();
        control("-z", self.pid)?;
        Ok(before)
    }

    fn dump(&self, before: usize) -> Result<(u64, PathBuf), String> {
        control("-d", self.pid)?;
        let all = dumps(self.base);
        let dump = all
            .get(before)
            .cloned()
            .filter(|_| all.len() == before + 1)
            .ok_or("no new callgrind dump")?;
        let ir = totals(&dump).ok_or_else(|| format!("no totals in {}", dump.display()))?;
        Ok((ir, dump))
    }
}

async fn round_trips(
    tcp: &mut TcpStream,
    frame: &[u8],
    size: usize,
    n: usize,
) -> Result<(), String> {
    let mut back = vec![0u8; 2 + size];
    for i in 0..n {
        tcp.write_all(frame).await.map_err(|e| e.to_string())?;
        tcp.read_exact(&mut back)
            .await
            .map_err(|e| format!("echo {i}: {e}"))?;
    }
    Ok(())
}

/// Ir per echoed message and per delivery, for one server process.
pub fn measure(
    name: &'static str,
    launch: &Launch,
    size: usize,
    dir: &Path,
    tag: &str,
) -> Result<Value, String> {
    let base = dir.join(format!("ws-{name}.{tag}.callgrind"));
    let wrapper = vec![
        "valgrind".to_owned(),
        "--tool=callgrind".into(),
        format!("--callgrind-out-file={}", base.display()),
    ];
    let log = dir.join(format!("ws-{name}.{tag}.log"));
    let mut server = Running::start(name, launch, 1, &wrapper, &[("WORKERS", "1")], log)?;
    server.wait_ready(Duration::from_secs(300))?;
    super::check::routes(server.port)?;
    let counter = Counter {
        pid: server.pid,
        base: &base,
    };
    let port = server.port;
    let mut out = serde_json::Map::new();
    let mut keep = |what: &str, (ir, dump): (u64, PathBuf), per: usize| -> Result<(), String> {
        let kept = dir.join(format!("ws-{name}.{what}.{tag}.callgrind"));
        std::fs::rename(&dump, &kept).map_err(|e| e.to_string())?;
        let v = ir as f64 / per as f64;
        eprintln!("    {name:<8} {what:<14} {v:>10.0} Ir per message");
        out.insert(what.into(), json!(v));
        Ok(())
    };
    block_on(async {
        let mut tcp = open(port, "/ws/echo").await?;
        let frame = client_frame(&vec![b'e'; size]);
        round_trips(&mut tcp, &frame, size, ECHOES).await?;
        let before = counter.zero()?;
        round_trips(&mut tcp, &frame, size, ECHOES).await?;
        keep("echo", counter.dump(before)?, ECHOES)?;

        for (what, window) in [("fanout_1", 1), ("fanout_window", WINDOW)] {
            let path = format!("/ws/room/instructions-{what}");
            let mut room = Room::join(port, &path, SUBSCRIBERS, size, window).await?;
            room.publish_all(PUBLISHED / 10).await?;
            let before = counter.zero()?;
            room.publish_all(PUBLISHED).await?;
            let counted = counter.dump(before)?;
            let deliveries = PUBLISHED * room.receivers();
            room.leave().await?;
            keep(what, counted, deliveries)?;
        }
        Ok::<_, String>(())
    })?;
    if !server.alive() {
        return Err(format!("the server died: {}", server.log_tail()));
    }
    server.stop(Duration::from_secs(20));
    Ok(Value::Object(out))
}
