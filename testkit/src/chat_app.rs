//! What `examples/chat` does, checked the same way on every backend: its
//! page in a real browser (a WebSocket and an EventSource), written once.

use std::net::SocketAddr;

use crate::browser::Browser;
use crate::ws::{Frame, Socket};

/// Opens the chat page in headless Chromium and checks what it received:
/// the page's WebSocket joins room `lobby` and says `hello from Chromium`
/// (heard by a socket of the test's), shows the answer it gets back, and
/// its `EventSource` ticker counts past 3.
pub fn check_in_browser(addr: SocketAddr) -> Result<(), String> {
    let mut listener = Socket::connect(addr, "/ws/room/lobby")?;
    let browser = Browser::launch()?;
    let mut page = browser.open(&format!("http://{addr}/?say=hello%20from%20Chromium"))?;
    let heard = listener
        .try_recv(crate::browser::PAGE_TIMEOUT)
        .map_err(|e| format!("the page said nothing: {e}"))?;
    if heard != Some(Frame::text("hello from Chromium")) {
        return Err(format!("the room heard {heard:?} from the page"));
    }
    listener.send_text("hello, browser");
    let log = "document.getElementById('log').textContent";
    page.wait_for(&format!(
        "{log}.includes('hello from Chromium') && {log}.includes('hello, browser')"
    ))
    .map_err(|e| format!("{e}; the page's log: {:?}", page.eval(log)))?;
    let ticks = "document.getElementById('ticks').textContent";
    page.wait_for(&format!(
        "/tick ([3-9]|\\d\\d+) \\(id ([3-9]|\\d\\d+)\\)/.test({ticks})"
    ))
    .map_err(|e| format!("{e}; the ticker: {:?}", page.eval(ticks)))?;
    let status = page.eval("document.getElementById('status').textContent")?;
    if status != "joined" {
        return Err(format!("the page's status is {status}"));
    }
    Ok(())
}
