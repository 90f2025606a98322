//! The WASI backend: a `wasm32-wasip2` component, served by wasmtime in one
//! of its two modes.
//!
//! - `wasi`: mode 1, a `wasi:http` component under `wasmtime serve -S cli
//!   --addr 127.0.0.1:$PORT`. The host owns the socket, so the app never
//!   prints its `Listening on` line; wasmtime prints `Serving HTTP on
//!   http://ADDR/` on stderr instead. [`relay`] translates that line into
//!   `Listening on http://ADDR` on stdout, as every other backend's app
//!   prints it, and passes the rest of wasmtime's stderr through.
//! - `wasi-sockets`: mode 2, a command under `wasmtime run -S http -S
//!   inherit-network -S tcp --env PORT=$PORT`, which binds the port itself
//!   and prints its own `Listening on` line. (`-S http` because the
//!   component always imports `wasi:http`; see backends/wasi/README.md.)
//!
//! `cargo mocket build` writes the component and a `run.sh` holding the
//! wasmtime command into a folder.

use std::fs;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use crate::cargo::{self, Project, Selection};
use crate::{Failure, tools};

/// The target both modes run.
pub(crate) const WASI_TARGET: &str = "wasm32-wasip2";

/// The hidden subcommand that runs [`relay`].
pub(crate) const RELAY: &str = "__relay-wasmtime-serve";

/// What wasmtime prints (on stderr) once `wasmtime serve` listens.
const SERVING: &str = "Serving HTTP on ";

/// Which of the two ways the component is served.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Mode {
    /// `wasmtime serve`: the `wasi:http/incoming-handler` export.
    Http,
    /// `wasmtime run`: `wasi:cli/run`, listening through `wasi:sockets`.
    Sockets,
}

impl Mode {
    /// The backend's name on the command line.
    pub(crate) fn backend(self) -> &'static str {
        match self {
            Mode::Http => "wasi",
            Mode::Sockets => "wasi-sockets",
        }
    }
}

/// Builds `sel` for `wasm32-wasip2`; returns the component cargo made.
pub(crate) fn build(project: &Project, sel: &Selection, release: bool) -> Result<PathBuf, Failure> {
    tools::ensure_target(WASI_TARGET)?;
    cargo::build(project, sel, Some(WASI_TARGET), release)
}

/// Copies the component into `out` as `<name>.wasm`, with a `run.sh` that
/// serves it in `mode`; returns the paths of both.
pub(crate) fn package(
    wasm: &Path,
    sel: &Selection,
    out: &Path,
    mode: Mode,
    dirs: &[String],
) -> Result<(PathBuf, PathBuf), Failure> {
    fs::create_dir_all(out).map_err(|e| write_failed(out, &e))?;
    let file = format!("{}.wasm", sel.name);
    let dest = out.join(&file);
    fs::copy(wasm, &dest).map_err(|e| {
        Failure::failed(format!(
            "cannot copy {} to {}: {e}",
            wasm.display(),
            dest.display()
        ))
    })?;
    let script = out.join("run.sh");
    fs::write(&script, run_script(&file, mode, dirs)).map_err(|e| write_failed(&script, &e))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(&script, fs::Permissions::from_mode(0o755))
            .map_err(|e| write_failed(&script, &e))?;
    }
    Ok((dest, script))
}

/// The `run.sh` written next to the component; `dirs` are the folders
/// granted with `--dir` (relative ones are relative to run.sh's folder,
/// where it runs).
fn run_script(file: &str, mode: Mode, dirs: &[String]) -> String {
    // Cargo target names hold only letters, digits, `-` and `_`: `file`
    // needs no quoting, but is quoted anyway.
    let grants: String = dirs
        .iter()
        .map(|d| format!("--dir {} ", sh_quote(d)))
        .collect();
    let (what, command, other) = match mode {
        Mode::Http => (
            "as a wasi:http component (mode 1).\n\
             # Arguments go to `wasmtime serve` (for example\n\
             # --max-instance-reuse-count 1000 to let instances serve many requests).",
            format!(
                "exec wasmtime serve -S cli --addr \"127.0.0.1:${{PORT:-3000}}\" {grants}\"$@\" '{file}'"
            ),
            format!(
                "wasmtime run -S http -S inherit-network -S tcp --env PORT=3000 {grants}'{file}'"
            ),
        ),
        Mode::Sockets => (
            "as a command listening on PORT (mode 2).\n\
             # Arguments go to the app.",
            format!(
                "exec wasmtime run -S http -S inherit-network -S tcp --env \"PORT=${{PORT:-3000}}\" {grants}'{file}' \"$@\""
            ),
            format!("wasmtime serve -S cli --addr 127.0.0.1:3000 {grants}'{file}'"),
        ),
    };
    format!(
        "#!/bin/sh\n\
         # Serves the Mocket app {file} {what}\n\
         # PORT defaults to 3000. Needs wasmtime {version} or newer\n\
         # (cargo install wasmtime-cli --version {version} --locked).\n\
         # The same component also serves the other way:\n\
         #   {other}\n\
         # Written by cargo mocket.\n\
         cd \"$(dirname \"$0\")\" || exit 1\n\
         {command}\n",
        version = tools::WASMTIME_VERSION,
    )
}

/// `text` as one single-quoted shell word.
fn sh_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', "'\\''"))
}

/// The port to serve on: `PORT`, default 3000.
pub(crate) fn port() -> Result<u16, Failure> {
    match std::env::var("PORT") {
        Err(std::env::VarError::NotPresent) => Ok(3000),
        Ok(text) => text.trim().parse().map_err(|_| {
            Failure::usage(format!(
                "PORT must be a port number (0 to 65535), not {text:?}"
            ))
        }),
        Err(std::env::VarError::NotUnicode(text)) => Err(Failure::usage(format!(
            "PORT must be a port number (0 to 65535), not {text:?}"
        ))),
    }
}

/// Serves `wasm` in `mode` on 127.0.0.1:`port` with `wasmtime`; `reuse`
/// sets how many requests a `wasmtime serve` instance may serve, `dirs`
/// are the folders the component may read (wasmtime's `--dir`).
pub(crate) fn serve(
    wasmtime: &Path,
    wasm: &Path,
    mode: Mode,
    port: u16,
    reuse: Option<u32>,
    dirs: &[String],
) -> Result<ExitCode, Failure> {
    let mut cmd = Command::new(wasmtime);
    match mode {
        Mode::Http => {
            cmd.args(["serve", "-S", "cli", "--addr"])
                .arg(format!("127.0.0.1:{port}"));
            if let Some(n) = reuse {
                cmd.arg("--max-instance-reuse-count").arg(n.to_string());
            }
            grant(&mut cmd, dirs);
            cmd.arg(wasm);
            serve_relayed(cmd)
        }
        Mode::Sockets => {
            cmd.args(["run", "-S", "http", "-S", "inherit-network", "-S", "tcp"])
                .arg("--env")
                .arg(format!("PORT={port}"));
            grant(&mut cmd, dirs);
            cmd.arg(wasm);
            tools::exec(cmd)
        }
    }
}

/// `--dir D` for each folder granted to the component.
fn grant(cmd: &mut Command, dirs: &[String]) {
    for dir in dirs {
        cmd.arg("--dir").arg(dir);
    }
}

/// Runs `wasmtime serve` with its stderr going through [`relay`].
///
/// On Unix wasmtime replaces this process, as every other backend's
/// server does, so that signals reach it directly (it drains and exits 0 on
/// SIGINT; SIGTERM ends it at once, which is wasmtime's choice). Its stderr
/// goes to a pipe read by a child running [`relay`], in its own process
/// group so that a Ctrl-C in the terminal reaches wasmtime but not the
/// relay, which ends when wasmtime has exited and closed the pipe.
#[cfg(unix)]
fn serve_relayed(mut cmd: Command) -> Result<ExitCode, Failure> {
    use std::os::unix::process::CommandExt;

    let (reader, writer) =
        std::io::pipe().map_err(|e| Failure::failed(format!("cannot create a pipe: {e}")))?;
    let me = std::env::current_exe()
        .map_err(|e| Failure::failed(format!("cannot find cargo-mocket itself: {e}")))?;
    let mut relay = Command::new(&me);
    relay.arg(RELAY).stdin(reader).process_group(0);
    relay
        .spawn()
        .map_err(|e| tools::spawn_failed(me.as_os_str(), &e))?;
    // The pipe's ends are close-on-exec: only wasmtime's stderr and the
    // relay's stdin remain.
    drop(relay);
    cmd.stderr(writer);
    tools::exec(cmd)
}

/// Elsewhere: wasmtime as a child, its stderr relayed by a thread.
#[cfg(not(unix))]
fn serve_relayed(mut cmd: Command) -> Result<ExitCode, Failure> {
    use std::process::Stdio;

    let program = cmd.get_program().to_owned();
    let mut child = cmd
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| tools::spawn_failed(&program, &e))?;
    let relayed = child
        .stderr
        .take()
        .map(|stderr| std::thread::spawn(move || relay(stderr)));
    let status = child
        .wait()
        .map_err(|e| Failure::failed(format!("wasmtime did not finish: {e}")))?;
    if let Some(thread) = relayed {
        let _ = thread.join();
    }
    Ok(ExitCode::from(
        status.code().unwrap_or(1).clamp(0, 255) as u8
    ))
}

/// Copies wasmtime's stderr (`input`) to stderr, except that its `Serving
/// HTTP on http://ADDR/` line becomes `Listening on http://ADDR` on stdout.
/// Reads to the end whatever happens to the output, so that wasmtime never
/// fails writing to a closed pipe.
pub(crate) fn relay(input: impl Read) {
    let mut input = BufReader::new(input);
    let mut line = Vec::new();
    let (stdout, stderr) = (std::io::stdout(), std::io::stderr());
    loop {
        line.clear();
        match input.read_until(b'\n', &mut line) {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        match listening_line(&line) {
            Some(listening) => {
                let mut out = stdout.lock();
                let _ = writeln!(out, "{listening}");
                let _ = out.flush();
            }
            None => {
                let mut err = stderr.lock();
                let _ = err.write_all(&line);
                let _ = err.flush();
            }
        }
    }
}

/// `Serving HTTP on http://127.0.0.1:3000/` → `Listening on
/// http://127.0.0.1:3000`.
fn listening_line(line: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(line).ok()?.trim();
    let url = text.strip_prefix(SERVING)?;
    let addr = url.strip_prefix("http://")?.trim_end_matches('/');
    Some(format!("Listening on http://{addr}"))
}

/// What to tell the user after `build`.
pub(crate) fn finished(out: &Path, script: &Path, mode: Mode) -> String {
    format!(
        "    Finished {} for the {} backend (start it with `{}`)",
        out.display(),
        mode.backend(),
        script.display()
    )
}

/// Runs as the hidden [`RELAY`] subcommand: relays stdin.
pub(crate) fn relay_stdin() -> ExitCode {
    relay(std::io::stdin());
    ExitCode::SUCCESS
}

fn write_failed(path: &Path, e: &std::io::Error) -> Failure {
    Failure::failed(format!("cannot write {}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::{Mode, listening_line, run_script};

    #[test]
    fn wasmtimes_serving_line_becomes_a_listening_line() {
        assert_eq!(
            listening_line(b"Serving HTTP on http://127.0.0.1:8080/\n").as_deref(),
            Some("Listening on http://127.0.0.1:8080")
        );
        assert_eq!(
            listening_line(b"Serving HTTP on http://[::1]:80/").as_deref(),
            Some("Listening on http://[::1]:80")
        );
        assert_eq!(listening_line(b"stderr [0] :: hello"), None);
        assert_eq!(listening_line(b"\xff"), None);
    }

    #[test]
    fn the_run_script_grants_the_folders() {
        let dirs = ["public".to_owned(), "it's::data".to_owned()];
        let serve = run_script("app.wasm", Mode::Http, &dirs);
        assert!(
            serve.contains("--dir 'public' --dir 'it'\\''s::data' \"$@\" 'app.wasm'\n"),
            "{serve}"
        );
        let run = run_script("app.wasm", Mode::Sockets, &dirs[..1]);
        assert!(run.contains("--dir 'public' 'app.wasm' \"$@\"\n"), "{run}");
    }

    #[test]
    fn the_run_script_has_the_wasmtime_command() {
        let serve = run_script("app.wasm", Mode::Http, &[]);
        assert!(serve.starts_with("#!/bin/sh\n"), "{serve}");
        assert!(
            serve.contains(
                "exec wasmtime serve -S cli --addr \"127.0.0.1:${PORT:-3000}\" \"$@\" 'app.wasm'\n"
            ),
            "{serve}"
        );
        let run = run_script("app.wasm", Mode::Sockets, &[]);
        assert!(
            run.contains(
                "exec wasmtime run -S http -S inherit-network -S tcp --env \"PORT=${PORT:-3000}\" 'app.wasm' \"$@\"\n"
            ),
            "{run}"
        );
    }
}
