//! A real browser for tests: headless Chromium (Debian's `chromium`
//! package), driven over the Chrome DevTools Protocol with this kit's own
//! WebSocket client, so a test opens a page of the app and asks what the
//! page saw.
//!
//! Chromium is found on PATH (`chromium`, `chromium-browser`,
//! `google-chrome`) or installed with `apt-get` when the tests run as root
//! (as in CI); otherwise the error says how to install it.
//!
//! ```no_run
//! use mocket_testkit::browser::Browser;
//! let browser = Browser::launch().unwrap();
//! let mut page = browser.open("http://127.0.0.1:3000/").unwrap();
//! page.wait_for("document.title === 'Mocket chat'").unwrap();
//! ```

use std::path::PathBuf;
use std::process::Command;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::process::Process;
use crate::ws::{Frame, Socket};

/// How long a page may take to show what a test waits for.
pub const PAGE_TIMEOUT: Duration = Duration::from_secs(20);

/// The Chromium to run: found, or installed with `apt-get` (as root).
pub fn chromium() -> Result<PathBuf, String> {
    static INSTALL: Mutex<()> = Mutex::new(());
    let _once = INSTALL
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some(found) = find() {
        return Ok(found);
    }
    let root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.starts_with(b"0"));
    if !root {
        return Err(
            "Chromium is needed for the browser tests: install Debian's `chromium` package \
                    (`sudo apt-get install chromium`)"
                .into(),
        );
    }
    for args in [
        &["update", "-qq"][..],
        &["install", "-y", "-qq", "chromium"],
    ] {
        let out = Command::new("apt-get")
            .args(args)
            .env("DEBIAN_FRONTEND", "noninteractive")
            .output()
            .map_err(|e| format!("cannot run apt-get to install Chromium: {e}"))?;
        if !out.status.success() {
            return Err(format!(
                "`apt-get {}` failed while installing Chromium:\n{}",
                args.join(" "),
                String::from_utf8_lossy(&out.stderr)
            ));
        }
    }
    find().ok_or_else(|| "apt-get installed chromium, but no chromium is on PATH".into())
}

fn find() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| {
            ["chromium", "chromium-browser", "google-chrome"].map(|name| dir.join(name))
        })
        .find(|p| p.is_file())
}

/// A headless Chromium with the DevTools Protocol on a free port.
pub struct Browser {
    process: Process,
    devtools: std::net::SocketAddr,
    _profile: TempDir,
}

impl Browser {
    /// Starts Chromium with a fresh profile.
    pub fn launch() -> Result<Browser, String> {
        let chromium = chromium()?;
        let profile = TempDir::new()?;
        let mut cmd = Command::new(chromium);
        cmd.args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--remote-debugging-address=127.0.0.1",
            "--remote-debugging-port=0",
        ])
        .arg(format!("--user-data-dir={}", profile.0.display()))
        .arg("about:blank");
        let process =
            Process::try_spawn(&mut cmd).map_err(|e| format!("cannot start Chromium: {e}"))?;
        // Chromium says where on stderr.
        let output = process.wait_for_output("DevTools listening on ws://");
        let devtools = output
            .split_once("DevTools listening on ws://")
            .and_then(|(_, rest)| rest.split('/').next())
            .ok_or("no DevTools address")?;
        let devtools = devtools
            .parse()
            .map_err(|e| format!("DevTools address {devtools:?}: {e}"))?;
        Ok(Browser {
            process,
            devtools,
            _profile: profile,
        })
    }

    /// Opens `url` in a new tab.
    pub fn open(&self, url: &str) -> Result<Page, String> {
        let request =
            format!("PUT /json/new?{url} HTTP/1.1\r\nhost: localhost\r\ncontent-length: 0\r\n\r\n");
        let mut conn =
            crate::http1::Conn::connect(self.devtools).map_err(|e| format!("DevTools: {e}"))?;
        let res = conn.exchange(request.as_bytes());
        let target: Value = serde_json::from_slice(&res.body)
            .map_err(|e| format!("DevTools answered {}: {e}", res.text()))?;
        let ws = target["webSocketDebuggerUrl"]
            .as_str()
            .ok_or("no webSocketDebuggerUrl")?;
        let path = ws
            .splitn(4, '/')
            .nth(3)
            .map(|p| format!("/{p}"))
            .ok_or("a DevTools URL without a path")?;
        let socket = Socket::connect(self.devtools, &path)?;
        Ok(Page { socket, next_id: 1 })
    }

    /// What Chromium printed so far (for a failing test's message).
    pub fn output(&self) -> String {
        self.process.output()
    }
}

/// A tab, driven over its DevTools WebSocket.
pub struct Page {
    socket: Socket,
    next_id: u64,
}

impl Page {
    /// Evaluates `expression` in the page; its value (JSON).
    pub fn eval(&mut self, expression: &str) -> Result<Value, String> {
        let id = self.next_id;
        self.next_id += 1;
        let call = json!({
            "id": id,
            "method": "Runtime.evaluate",
            "params": { "expression": expression, "returnByValue": true },
        });
        self.socket.send_text(&call.to_string());
        loop {
            let frame: Frame = self.socket.recv();
            let Ok(message) = serde_json::from_slice::<Value>(&frame.payload) else {
                continue;
            };
            if message["id"] != id {
                continue; // an event
            }
            if let Some(details) = message["result"].get("exceptionDetails") {
                return Err(format!("{expression} threw: {details}"));
            }
            return Ok(message["result"]["result"]["value"].clone());
        }
    }

    /// Evaluates `expression` until it is `true`, for up to [`PAGE_TIMEOUT`].
    pub fn wait_for(&mut self, expression: &str) -> Result<(), String> {
        let deadline = Instant::now() + PAGE_TIMEOUT;
        loop {
            if self.eval(expression)? == Value::Bool(true) {
                return Ok(());
            }
            if Instant::now() > deadline {
                return Err(format!("the page never made {expression} true"));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

/// A folder removed on drop (Chromium's profile).
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> Result<TempDir, String> {
        static COUNT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let n = COUNT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("mocket-chromium-{}-{n}", std::process::id()));
        std::fs::create_dir_all(&dir).map_err(|e| format!("cannot make {}: {e}", dir.display()))?;
        Ok(TempDir(dir))
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
