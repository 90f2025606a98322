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
use crate::supervise::{self, STOP_ON_STDIN_CLOSE};
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
pub(crate) fn build(
    project: &Project,
    sel: &Selection,
    profile: &cargo::Profile,
) -> Result<PathBuf, Failure> {
    tools::ensure_target(WASI_TARGET)?;
    cargo::build(project, sel, Some(WASI_TARGET), profile)
}

/// How [`package`] writes a component.
pub(crate) struct Packaging<'a> {
    /// How run.sh serves it.
    pub(crate) mode: Mode,
    /// `main` already ran (`crate::preinit`): it serves `wasi:http` only.
    pub(crate) preinitialised: bool,
    /// The folders granted with `--dir`.
    pub(crate) dirs: &'a [String],
    /// The wasmtime found outside PATH (run.sh uses it while it exists).
    pub(crate) wasmtime: Option<&'a Path>,
}

/// Copies the component into `out` as `<name>.wasm`, with a `run.sh` that
/// serves it; returns the paths of both.
pub(crate) fn package(
    wasm: &Path,
    sel: &Selection,
    out: &Path,
    how: &Packaging<'_>,
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
    fs::write(&script, run_script(&file, how)).map_err(|e| write_failed(&script, &e))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(&script, fs::Permissions::from_mode(0o755))
            .map_err(|e| write_failed(&script, &e))?;
    }
    Ok((dest, script))
}

/// The `run.sh` written next to the component; the folders granted with
/// `--dir` are relative to run.sh's folder, where it runs.
fn run_script(file: &str, how: &Packaging<'_>) -> String {
    // Cargo target names hold only letters, digits, `-` and `_`: `file`
    // needs no quoting, but is quoted anyway.
    let grants: String = how
        .dirs
        .iter()
        .map(|d| format!("--dir {} ", sh_quote(d)))
        .collect();
    let (what, command, other) = match how.mode {
        Mode::Http => (
            "as a wasi:http component (mode 1).\n\
             # Arguments go to `wasmtime serve` (for example\n\
             # --max-instance-reuse-count 1000 to let instances serve many requests).",
            format!(
                "exec \"$wasmtime\" serve -S cli --addr \"127.0.0.1:${{PORT:-3000}}\" {grants}\"$@\" '{file}'"
            ),
            if how.preinitialised {
                "Pre-initialised: `main` ran at build time, so this component only serves\n\
                 # wasi:http; `cargo mocket build --backend wasi-sockets` makes one that\n\
                 # listens on a port."
                    .to_owned()
            } else {
                format!(
                    "The same component also serves the other way:\n\
                     #   wasmtime run -S http -S inherit-network -S tcp --env PORT=3000 {grants}'{file}'"
                )
            },
        ),
        Mode::Sockets => (
            "as a command listening on PORT (mode 2).\n\
             # Arguments go to the app.",
            format!(
                "# WASI gives the component no signals: it stops gracefully when its stdin\n\
                 # closes, so this script holds a pipe on it and closes the pipe on Ctrl-C\n\
                 # or SIGTERM (a second one kills it).\n\
                 fifo=\"${{TMPDIR:-/tmp}}/mocket-stop.$$\"\n\
                 mkfifo \"$fifo\" || exit 1\n\
                 \"$wasmtime\" run -S http -S inherit-network -S tcp --env \"PORT=${{PORT:-3000}}\" --env {STOP_ON_STDIN_CLOSE}=1 {grants}'{file}' \"$@\" < \"$fifo\" &\n\
                 pid=$!\n\
                 exec 3> \"$fifo\"\n\
                 rm -f \"$fifo\"\n\
                 trap 'if [ -n \"$stopping\" ]; then kill -KILL \"$pid\"; fi; stopping=1; exec 3>&-' INT TERM\n\
                 while :; do\n\
                 \x20 wait \"$pid\"; status=$?\n\
                 \x20 kill -0 \"$pid\" 2>/dev/null || exit \"$status\"\n\
                 done"
            ),
            format!(
                "The same component also serves the other way:\n\
                 #   wasmtime serve -S cli --addr 127.0.0.1:3000 {grants}'{file}'"
            ),
        ),
    };
    let version = tools::WASMTIME_VERSION;
    // The one cargo mocket found (or installed) outside PATH while it
    // exists, else the one on PATH, else one clear line.
    let known = match how.wasmtime {
        Some(path) => format!(
            "wasmtime={}\n[ -x \"$wasmtime\" ] || ",
            sh_quote(&path.display().to_string())
        ),
        None => String::new(),
    };
    format!(
        "#!/bin/sh\n\
         # Serves the Mocket app {file} {what}\n\
         # PORT defaults to 3000. Needs wasmtime {version} or newer.\n\
         # {other}\n\
         # Written by cargo mocket.\n\
         cd \"$(dirname \"$0\")\" || exit 1\n\
         {known}wasmtime=$(command -v wasmtime) || {{\n\
         \x20 echo \"run.sh: wasmtime {version} or newer is needed: run \\`cargo mocket setup\\`, or cargo install wasmtime-cli --version {version} --locked\" >&2\n\
         \x20 exit 127\n\
         }}\n\
         {command}\n",
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
            eprintln!("{DEVELOPMENT_SERVER}");
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
                .arg(format!("PORT={port}"))
                .arg("--env")
                .arg(format!("{STOP_ON_STDIN_CLOSE}=1"));
            grant(&mut cmd, dirs);
            cmd.arg(wasm);
            supervise::run_stoppable(cmd)
        }
    }
}

/// What `run --backend wasi` says before it starts `wasmtime serve`: the
/// server is wasmtime's, and it offers no limit on a slow or idle client
/// (no header or idle timeout; its 1000-connection cap, the default, is
/// what such clients fill), so it is for development only.
pub(crate) const DEVELOPMENT_SERVER: &str = "note: wasmtime serve is a development server: it \
     has no header or idle timeout, so slow or idle clients can hold its 1000 connections and \
     keep new ones waiting; deploy the component to a wasi:http host with limits (Spin, \
     wasmCloud, a proxy in front)";

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

/// What to tell the user after `build`: where it is, and which wasmtime
/// its script will run.
pub(crate) fn finished(out: &Path, script: &Path, mode: Mode, wasmtime: &tools::Finding) -> String {
    let with = match wasmtime {
        tools::Finding::Found { path, version, .. } => {
            format!("with wasmtime {version} at {}", path.display())
        }
        tools::Finding::Missing { .. } => format!(
            "wasmtime {} or newer is not installed yet: `cargo mocket setup` installs it",
            tools::WASMTIME_VERSION
        ),
    };
    format!(
        "    Finished {} for the {} backend (start it with `{}`; {with})",
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
    use super::{Mode, Packaging, listening_line, run_script};

    fn how<'a>(
        mode: Mode,
        dirs: &'a [String],
        wasmtime: Option<&'a std::path::Path>,
    ) -> Packaging<'a> {
        Packaging {
            mode,
            preinitialised: false,
            dirs,
            wasmtime,
        }
    }

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
        let serve = run_script("app.wasm", &how(Mode::Http, &dirs, None));
        assert!(
            serve.contains("--dir 'public' --dir 'it'\\''s::data' \"$@\" 'app.wasm'\n"),
            "{serve}"
        );
        let run = run_script("app.wasm", &how(Mode::Sockets, &dirs[..1], None));
        assert!(run.contains("--dir 'public' 'app.wasm' \"$@\" < "), "{run}");
    }

    #[test]
    fn the_run_script_has_the_wasmtime_command() {
        let serve = run_script("app.wasm", &how(Mode::Http, &[], None));
        assert!(serve.starts_with("#!/bin/sh\n"), "{serve}");
        assert!(
            serve.contains(
                "exec \"$wasmtime\" serve -S cli --addr \"127.0.0.1:${PORT:-3000}\" \"$@\" 'app.wasm'\n"
            ),
            "{serve}"
        );
        let run = run_script("app.wasm", &how(Mode::Sockets, &[], None));
        assert!(
            run.contains(
                "\"$wasmtime\" run -S http -S inherit-network -S tcp --env \"PORT=${PORT:-3000}\" --env MOCKET_STOP_ON_STDIN_CLOSE=1 'app.wasm' \"$@\" < \"$fifo\" &\n"
            ),
            "{run}"
        );
    }

    #[test]
    fn a_preinitialised_components_script_does_not_offer_the_other_mode() {
        let plain = run_script("app.wasm", &how(Mode::Http, &[], None));
        assert!(plain.contains("#   wasmtime run -S http"), "{plain}");
        let snapshot = Packaging {
            preinitialised: true,
            ..how(Mode::Http, &[], None)
        };
        let script = run_script("app.wasm", &snapshot);
        assert!(!script.contains("wasmtime run"), "{script}");
        assert!(
            script.contains("# Pre-initialised: `main` ran at build time"),
            "{script}"
        );
    }

    /// Runs a written run.sh with `sh` and the given PATH; a fake wasmtime
    /// prints its own path and arguments.
    fn run_with(script: &str, path: &str, dir: &std::path::Path) -> std::process::Output {
        std::fs::write(dir.join("run.sh"), script).expect("write run.sh");
        std::process::Command::new("/bin/sh")
            .arg(dir.join("run.sh"))
            .arg("--extra")
            .env("PATH", path)
            .env_remove("PORT")
            .output()
            .expect("run sh")
    }

    fn fake_wasmtime(path: &std::path::Path) {
        use std::os::unix::fs::PermissionsExt;
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("mkdir");
        std::fs::write(path, "#!/bin/sh\necho \"$0 $*\"\n").expect("write fake");
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    }

    #[test]
    fn the_run_script_finds_wasmtime_where_cargo_mocket_did_then_on_path() {
        let dir = std::env::temp_dir().join(format!("mocket-run-sh-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let known = dir.join("tools/bin/wasmtime");
        let on_path = dir.join("path/wasmtime");
        fake_wasmtime(&known);
        fake_wasmtime(&on_path);
        let path_dir = format!("{}:/usr/bin:/bin", dir.join("path").display());

        // The one cargo mocket found wins while it exists.
        let script = run_script("app.wasm", &how(Mode::Http, &[], Some(&known)));
        let out = run_with(&script, &path_dir, &dir);
        let said = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "{out:?}");
        assert!(
            said.starts_with(&format!(
                "{} serve -S cli --addr 127.0.0.1:3000 --extra app.wasm",
                known.display()
            )),
            "{said}"
        );
        // Gone (uninstalled, or the folder moved to another machine): PATH's.
        std::fs::remove_file(&known).expect("remove");
        let out = run_with(&script, &path_dir, &dir);
        let said = String::from_utf8_lossy(&out.stdout);
        assert!(said.starts_with(&on_path.display().to_string()), "{said}");
        // Neither: one line that says what to do, and exit 127.
        let out = run_with(&script, "/usr/bin:/bin", &dir);
        let said = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(127), "{out:?}");
        assert!(said.contains("run `cargo mocket setup`"), "{said}");
        assert_eq!(said.lines().count(), 1, "{said}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
