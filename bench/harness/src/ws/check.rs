//! Before anything is measured, each server must answer the chat routes
//! as examples/chat does: echo text as text and binary as binary, and a
//! room message reaching every subscriber, the sender included.

use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use super::load::{block_on, client_frame_of, open};

/// Checks `/ws/echo` and `/ws/room/:name` on `port`.
pub fn routes(port: u16) -> Result<(), String> {
    block_on(async move {
        tokio::time::timeout(Duration::from_secs(20), check(port))
            .await
            .map_err(|_| "the WebSocket check took over 20 s".to_owned())?
    })
}

async fn check(port: u16) -> Result<(), String> {
    let mut echo = open(port, "/ws/echo").await?;
    for (op, payload) in [(0x1, &b"hello, echo"[..]), (0x2, &[0, 1, 2, 255][..])] {
        echo.write_all(&client_frame_of(op, payload))
            .await
            .map_err(|e| e.to_string())?;
        let (got_op, got) = read_frame(&mut echo).await?;
        if (got_op, got.as_slice()) != (op, payload) {
            return Err(format!(
                "/ws/echo sent back opcode {got_op} {got:?} for opcode {op} {payload:?}"
            ));
        }
    }

    // Subscribing follows the handshake: send until the other socket hears.
    let room = format!("/ws/room/check-{}", std::process::id());
    let (mut sender, mut other) = (open(port, &room).await?, open(port, &room).await?);
    let hi = client_frame_of(0x1, b"hi");
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        sender.write_all(&hi).await.map_err(|e| e.to_string())?;
        match tokio::time::timeout(Duration::from_millis(200), read_frame(&mut other)).await {
            Ok(frame) if frame.as_ref().is_ok_and(|f| *f == (0x1, b"hi".to_vec())) => break,
            Ok(_) => return Err(format!("{room} delivered something other than the message")),
            Err(_) if Instant::now() > deadline => {
                return Err(format!(
                    "{room}: a published message never reached the other subscriber"
                ));
            }
            Err(_) => {}
        }
    }
    match tokio::time::timeout(Duration::from_secs(2), read_frame(&mut sender)).await {
        Ok(Ok((0x1, text))) if text == b"hi" => Ok(()),
        _ => Err(format!(
            "{room}: the sender did not receive its own message"
        )),
    }
}

/// One unmasked, unfragmented server frame of at most 125 bytes.
async fn read_frame(tcp: &mut TcpStream) -> Result<(u8, Vec<u8>), String> {
    let mut head = [0u8; 2];
    tcp.read_exact(&mut head).await.map_err(|e| e.to_string())?;
    let len = (head[1] & 0x7f) as usize;
    if head[0] & 0x80 == 0 || head[1] & 0x80 != 0 || len > 125 {
        return Err(format!("an unexpected frame header {head:02x?}"));
    }
    let mut payload = vec![0u8; len];
    tcp.read_exact(&mut payload)
        .await
        .map_err(|e| e.to_string())?;
    Ok((head[0] & 0x0f, payload))
}
