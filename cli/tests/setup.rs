//! `cargo mocket setup`: where tools are looked for, what is decided when
//! they are missing, and installs that are safe to run twice at once, to
//! interrupt, and to fetch prebuilt. Every test runs the real binary with a
//! PATH and CARGO_HOME of its own (temporary folders): nothing real is
//! installed, no 10-minute build runs — `cargo` is a script that records
//! what it was asked and makes a fake tool.

#![cfg(unix)]

use std::fs;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_cargo-mocket");

/// The wasm-bindgen version this workspace's Cargo.lock locks.
fn locked_bindgen() -> String {
    let lock = fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../Cargo.lock"))
        .expect("the workspace's Cargo.lock");
    let at = lock
        .find("name = \"wasm-bindgen\"\nversion = \"")
        .expect("wasm-bindgen is locked");
    let rest = &lock[at + "name = \"wasm-bindgen\"\nversion = \"".len()..];
    rest[..rest.find('"').expect("a quoted version")].to_owned()
}

/// A folder of its own for one test, with `bin/` (first on PATH, holding
/// only `rustup`) and `cargo-home/`.
struct Sandbox {
    root: PathBuf,
}

impl Sandbox {
    fn new(name: &str) -> Sandbox {
        static N: AtomicUsize = AtomicUsize::new(0);
        let root = std::env::temp_dir().join(format!(
            "mocket-setup-{name}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        ));
        let _ = fs::remove_dir_all(&root);
        fs::create_dir_all(root.join("bin")).expect("sandbox");
        fs::create_dir_all(root.join("cargo-home")).expect("sandbox");
        // rustup, so that the targets can be checked: the real one.
        if let Some(rustup) = which("rustup") {
            std::os::unix::fs::symlink(rustup, root.join("bin/rustup")).expect("link rustup");
        }
        Sandbox { root }
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.root.join(rel)
    }

    /// `cargo mocket setup ARGS` in the workspace, with only the sandbox's
    /// PATH and CARGO_HOME (and `envs`).
    fn command(&self, args: &[&str], envs: &[(&str, &str)]) -> Command {
        let mut cmd = Command::new(BIN);
        cmd.arg("setup")
            .args(args)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .env_clear()
            .env("HOME", self.path("home"))
            // The sandbox's bin, then the system's (sh, curl, tar: none
            // of them wasmtime or wasm-bindgen).
            .env(
                "PATH",
                format!("{}:/usr/bin:/bin", self.path("bin").display()),
            )
            .env("CARGO_HOME", self.path("cargo-home"))
            // No network in tests unless one says so.
            .env("MOCKET_TOOLS_DOWNLOAD_URL", "")
            .stdin(Stdio::null());
        if let Some(rustup_home) = std::env::var_os("RUSTUP_HOME") {
            cmd.env("RUSTUP_HOME", rustup_home);
        } else if let Some(home) = std::env::var_os("HOME") {
            cmd.env("RUSTUP_HOME", Path::new(&home).join(".rustup"));
        }
        for (k, v) in envs {
            cmd.env(k, v);
        }
        cmd
    }

    fn run(&self, args: &[&str], envs: &[(&str, &str)]) -> Output {
        self.command(args, envs).output().expect("run cargo-mocket")
    }

    /// `setup --path wasmtime` with this cargo, releases from `base`, and
    /// a PATH of the sandbox's `bin/` and the system's.
    fn fetch_wasmtime(&self, cargo: &Path, base: &str) -> Output {
        let path = format!("{}:/usr/bin:/bin", self.path("bin").display());
        let cargo = cargo.to_str().expect("utf-8");
        let envs = [
            ("CARGO", cargo),
            ("MOCKET_TOOLS_DOWNLOAD_URL", base),
            ("PATH", &path),
        ];
        self.run(&["--path", "wasmtime"], &envs)
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.root);
    }
}

fn which(program: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|d| d.join(program))
        .find(|p| p.is_file())
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A script at `path` that runs `body`.
fn script(path: &Path, body: &str) {
    fs::create_dir_all(path.parent().expect("a folder")).expect("folder");
    fs::write(path, format!("#!/bin/sh\n{body}\n")).expect("write script");
    fs::set_permissions(path, fs::Permissions::from_mode(0o755)).expect("chmod");
}

/// A fake tool that says it is `name version`.
fn fake_tool(path: &Path, name: &str, version: &str) {
    script(path, &format!("echo '{name} {version}'"));
}

/// A fake `cargo`: `install` is logged to `log` (one line of arguments),
/// waits `delay` seconds, and puts a fake tool into `--root`/bin; anything
/// else fails.
fn fake_cargo(sandbox: &Sandbox, delay: u32) -> PathBuf {
    let cargo = sandbox.path("fake/cargo");
    let log = sandbox.path("cargo.log");
    script(
        &cargo,
        &format!(
            r#"[ "$1" = install ] || exit 3
echo "$$ $*" >> '{log}'
root= ; crate= ; version=
prev=
for a in "$@"; do
  [ "$prev" = --root ] && root=$a
  [ "$prev" = --version ] && version=${{a#=}}
  [ "$prev" = install ] && crate=$a
  prev=$a
done
sleep {delay}
mkdir -p "$root/bin"
case $crate in
  wasmtime-cli) name=wasmtime ;;
  *) name=wasm-bindgen ;;
esac
printf '#!/bin/sh\necho "%s %s"\n' "$name" "$version" > "$root/bin/$name"
chmod 755 "$root/bin/$name""#,
            log = log.display()
        ),
    );
    cargo
}

fn installs(sandbox: &Sandbox) -> Vec<String> {
    fs::read_to_string(sandbox.path("cargo.log"))
        .unwrap_or_default()
        .lines()
        .map(str::to_owned)
        .collect()
}

#[test]
fn check_reports_what_is_missing_and_installs_nothing() {
    let sandbox = Sandbox::new("check");
    let out = sandbox.run(&["--check"], &[]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}{}", text(&out.stderr));
    for tool in ["wasmtime", "wasm-bindgen"] {
        let line = stdout
            .lines()
            .find(|l| l.starts_with(&format!("{tool}: ")))
            .unwrap_or_else(|| panic!("no line for {tool}: {stdout}"));
        assert!(line.contains("missing (not on PATH, in $CARGO_INSTALL_ROOT/bin, $CARGO_HOME/bin or the tools folder)"), "{line}");
        assert!(line.contains("would install"), "{line}");
        assert!(
            line.contains(
                &sandbox
                    .path("cargo-home/mocket-tools")
                    .display()
                    .to_string()
            ),
            "{line}"
        );
    }
    assert!(stdout.contains("wasmtime-cli 48.0.8"), "{stdout}");
    assert!(
        stdout.contains(&format!("wasm-bindgen-cli {}", locked_bindgen())),
        "{stdout}"
    );
    assert!(
        !sandbox.path("cargo-home/mocket-tools").exists(),
        "--check created the tools folder"
    );
}

#[test]
fn each_place_is_searched_and_named() {
    let bindgen = locked_bindgen();
    // (the folder under the sandbox, how setup names it, extra variables)
    type Place<'a> = (&'a str, &'a str, &'a [(&'a str, &'a str)]);
    let places: [Place<'_>; 4] = [
        ("bin", "PATH", &[]),
        ("install-root/bin", "$CARGO_INSTALL_ROOT/bin", &[]),
        ("cargo-home/bin", "$CARGO_HOME/bin", &[]),
        ("", "the tools folder", &[]),
    ];
    for (dir, named, _) in places {
        let sandbox = Sandbox::new("places");
        let (wasmtime, wasm_bindgen) = if dir.is_empty() {
            (
                sandbox.path("cargo-home/mocket-tools/wasmtime-cli-48.0.8/bin/wasmtime"),
                sandbox.path(&format!(
                    "cargo-home/mocket-tools/wasm-bindgen-cli-{bindgen}/bin/wasm-bindgen"
                )),
            )
        } else {
            (
                sandbox.path(&format!("{dir}/wasmtime")),
                sandbox.path(&format!("{dir}/wasm-bindgen")),
            )
        };
        fake_tool(&wasmtime, "wasmtime", "48.0.8");
        fake_tool(&wasm_bindgen, "wasm-bindgen", &bindgen);
        let root = sandbox.path("install-root");
        let out = sandbox.run(
            &["--check"],
            &[("CARGO_INSTALL_ROOT", root.to_str().expect("utf-8"))],
        );
        let stdout = text(&out.stdout);
        assert_eq!(out.status.code(), Some(0), "{named}: {stdout}");
        assert!(
            stdout.contains(&format!(
                "wasmtime: 48.0.8 at {} (from {named})",
                wasmtime.display()
            )),
            "{named}: {stdout}"
        );
        assert!(
            stdout.contains(&format!(
                "wasm-bindgen: {bindgen} at {} (from {named})",
                wasm_bindgen.display()
            )),
            "{named}: {stdout}"
        );
        let path = sandbox.run(
            &["--path", "wasmtime"],
            &[("CARGO_INSTALL_ROOT", root.to_str().expect("utf-8"))],
        );
        assert_eq!(
            text(&path.stdout).trim(),
            wasmtime.display().to_string(),
            "{named}"
        );
    }
}

#[test]
fn tools_that_do_not_qualify_are_left_alone_and_named() {
    let sandbox = Sandbox::new("unqualified");
    fake_tool(&sandbox.path("bin/wasmtime"), "wasmtime", "36.0.0");
    fake_tool(&sandbox.path("bin/wasm-bindgen"), "wasm-bindgen", "0.2.99");
    let out = sandbox.run(&["--check"], &[]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("wasmtime 36.0.0 is older than 48.0.8 at"),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!(
            "wasm-bindgen 0.2.99 is not {}, the version in Cargo.lock",
            locked_bindgen()
        )),
        "{stdout}"
    );
    // A good one further down the list is used instead.
    fake_tool(
        &sandbox.path("cargo-home/bin/wasmtime"),
        "wasmtime",
        "49.1.0",
    );
    let out = sandbox.run(&["--path", "wasmtime"], &[]);
    assert_eq!(
        text(&out.stdout).trim(),
        sandbox
            .path("cargo-home/bin/wasmtime")
            .display()
            .to_string()
    );
}

#[test]
fn a_missing_tool_is_built_with_cargo_install_into_the_tools_folder() {
    let sandbox = Sandbox::new("install");
    let cargo = fake_cargo(&sandbox, 0);
    // A download base where nothing listens: the fetch fails at once.
    let closed = TcpListener::bind("127.0.0.1:0").expect("a port");
    let base = format!("http://{}", closed.local_addr().expect("addr"));
    drop(closed);
    let out = sandbox.run(
        &["--path", "wasmtime"],
        &[
            ("CARGO", cargo.to_str().expect("utf-8")),
            ("MOCKET_TOOLS_DOWNLOAD_URL", &base),
        ],
    );
    let stderr = text(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let tools = sandbox.path("cargo-home/mocket-tools");
    let installed = tools.join("wasmtime-cli-48.0.8/bin/wasmtime");
    assert_eq!(text(&out.stdout).trim(), installed.display().to_string());
    assert!(
        stderr.contains("Installing wasmtime-cli 48.0.8 into"),
        "{stderr}"
    );
    assert!(
        stderr.contains("The prebuilt release could not be used"),
        "{stderr}"
    );
    assert!(stderr.contains("about 10 minutes on 2 cores"), "{stderr}");
    let log = installs(&sandbox);
    assert_eq!(log.len(), 1, "{log:?}");
    let args = log[0].split_once(' ').expect("pid and args").1;
    assert_eq!(
        args,
        format!(
            "install wasmtime-cli --locked --version =48.0.8 --root {} --target-dir {}",
            tools.join(".staging/wasmtime-cli-48.0.8").display(),
            tools.join(".build/wasmtime-cli-48.0.8").display()
        )
    );
    assert!(
        !tools.join(".staging/wasmtime-cli-48.0.8").exists(),
        "staging left behind"
    );
    // Found in the tools folder from now on, without installing again.
    let again = sandbox.run(
        &["--path", "wasmtime"],
        &[("CARGO", cargo.to_str().expect("utf-8"))],
    );
    assert_eq!(text(&again.stdout).trim(), installed.display().to_string());
    assert_eq!(installs(&sandbox).len(), 1);
}

#[test]
fn a_failed_install_is_one_line_that_says_what_to_do() {
    let sandbox = Sandbox::new("failed");
    let cargo = sandbox.path("fake/cargo");
    script(&cargo, "echo 'error: could not compile' >&2\nexit 101");
    let out = sandbox.run(
        &["--path", "wasmtime"],
        &[("CARGO", cargo.to_str().expect("utf-8"))],
    );
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    let last = stderr.lines().last().unwrap_or_default();
    assert!(
        last.starts_with("error: installing wasmtime-cli 48.0.8 failed (cargo install exited with"),
        "{stderr}"
    );
    assert!(last.contains("retry with `cargo mocket setup`, or install it yourself: cargo install wasmtime-cli --version 48.0.8 --locked"), "{last}");
    assert!(
        !sandbox
            .path("cargo-home/mocket-tools/wasmtime-cli-48.0.8")
            .exists()
    );
}

#[test]
fn two_setups_at_once_install_once() {
    let sandbox = Sandbox::new("concurrent");
    let cargo = fake_cargo(&sandbox, 2);
    let envs = [("CARGO", cargo.to_str().expect("utf-8"))];
    let spawn = || {
        sandbox
            .command(&["--path", "wasmtime"], &envs)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn setup")
    };
    let first = spawn();
    std::thread::sleep(Duration::from_millis(300));
    let second = spawn();
    let outputs: Vec<Output> = [first, second]
        .into_iter()
        .map(|c| c.wait_with_output().expect("setup ends"))
        .collect();
    for out in &outputs {
        assert!(out.status.success(), "{}", text(&out.stderr));
        assert!(
            text(&out.stdout)
                .trim()
                .ends_with("wasmtime-cli-48.0.8/bin/wasmtime")
        );
    }
    assert_eq!(installs(&sandbox).len(), 1, "{:?}", installs(&sandbox));
    let waited = outputs
        .iter()
        .filter(|o| {
            text(&o.stderr)
                .contains("Waiting for another cargo mocket that is installing wasmtime-cli 48.0.8")
        })
        .count();
    assert_eq!(waited, 1);
}

#[test]
fn an_interrupted_install_leaves_nothing_installed_and_resumes_in_the_same_build_folder() {
    let sandbox = Sandbox::new("interrupted");
    let slow = fake_cargo(&sandbox, 60);
    let mut setup: Child = sandbox
        .command(
            &["--path", "wasmtime"],
            &[("CARGO", slow.to_str().expect("utf-8"))],
        )
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn setup");
    // Wait until the (fake) build has started, then stop everything.
    let deadline = Instant::now() + Duration::from_secs(30);
    while installs(&sandbox).is_empty() {
        assert!(Instant::now() < deadline, "the install never started");
        std::thread::sleep(Duration::from_millis(50));
    }
    setup.kill().expect("kill setup");
    let _ = setup.wait();
    let pid = installs(&sandbox)[0]
        .split(' ')
        .next()
        .expect("pid")
        .to_owned();
    let _ = Command::new("kill").arg(&pid).status();
    let tools = sandbox.path("cargo-home/mocket-tools");
    assert!(
        !tools.join("wasmtime-cli-48.0.8/bin/wasmtime").exists(),
        "a half-done install looks installed"
    );
    // The next run installs it, in the same build folder.
    let quick = fake_cargo(&sandbox, 0);
    let out = sandbox.run(
        &["--path", "wasmtime"],
        &[("CARGO", quick.to_str().expect("utf-8"))],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let log = installs(&sandbox);
    assert_eq!(log.len(), 2);
    let build = |line: &str| line.split("--target-dir ").nth(1).map(str::to_owned);
    assert_eq!(build(&log[0]), build(&log[1]));
    assert!(tools.join("wasmtime-cli-48.0.8/bin/wasmtime").is_file());
}

/// Serves `body` for every request on a local port, for `requests`
/// requests; returns the base URL and the paths requested.
fn serve_file(body: Vec<u8>, requests: usize) -> (String, std::thread::JoinHandle<Vec<String>>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a port");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let served = std::thread::spawn(move || {
        let mut paths = Vec::new();
        for stream in listener.incoming().take(requests) {
            let mut stream = stream.expect("a connection");
            let mut head = Vec::new();
            let mut byte = [0u8; 1];
            while !head.ends_with(b"\r\n\r\n") && stream.read(&mut byte).unwrap_or(0) == 1 {
                head.push(byte[0]);
            }
            let line = text(&head);
            paths.push(line.split(' ').nth(1).unwrap_or_default().to_owned());
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(&body);
        }
        paths
    });
    (base, served)
}

/// A `.tar.xz` holding `dir/wasmtime`, a fake that says `version`.
fn wasmtime_release(sandbox: &Sandbox, dir: &str, version: &str) -> Vec<u8> {
    let work = sandbox.path("release");
    fake_tool(&work.join(dir).join("wasmtime"), "wasmtime", version);
    let archive = sandbox.path("release.tar.xz");
    let ok = Command::new("tar")
        .arg("-cJf")
        .arg(&archive)
        .arg("-C")
        .arg(&work)
        .arg(dir)
        .status()
        .expect("run tar");
    assert!(ok.success());
    fs::read(archive).expect("the archive")
}

#[test]
fn an_official_release_is_used_when_it_can_be_fetched() {
    if std::env::consts::OS != "linux" || which("xz").is_none() {
        return; // the fake archive is made with tar and xz
    }
    let sandbox = Sandbox::new("prebuilt");
    let dir = format!("wasmtime-v48.0.8-{}-linux", std::env::consts::ARCH);
    let archive = wasmtime_release(&sandbox, &dir, "48.0.8");
    let (base, served) = serve_file(archive, 1);
    // cargo must not be needed: this one fails the test if it is run.
    let cargo = sandbox.path("fake/cargo");
    script(&cargo, "echo 'cargo was run' >&2; exit 9");
    let out = sandbox.fetch_wasmtime(&cargo, &base);
    let stderr = text(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("Downloading the official release:"),
        "{stderr}"
    );
    let installed = sandbox.path("cargo-home/mocket-tools/wasmtime-cli-48.0.8/bin/wasmtime");
    assert_eq!(text(&out.stdout).trim(), installed.display().to_string());
    let said = Command::new(&installed)
        .arg("--version")
        .output()
        .expect("run it");
    assert_eq!(text(&said.stdout).trim(), "wasmtime 48.0.8");
    assert_eq!(
        served.join().expect("server"),
        [format!(
            "/bytecodealliance/wasmtime/releases/download/v48.0.8/{dir}.tar.xz"
        )]
    );
}

#[test]
fn a_release_that_says_the_wrong_version_falls_back_to_cargo() {
    if std::env::consts::OS != "linux" || which("xz").is_none() {
        return;
    }
    let sandbox = Sandbox::new("wrong-release");
    let dir = format!("wasmtime-v48.0.8-{}-linux", std::env::consts::ARCH);
    let archive = wasmtime_release(&sandbox, &dir, "36.0.0");
    let (base, _served) = serve_file(archive, 1);
    let cargo = fake_cargo(&sandbox, 0);
    let out = sandbox.fetch_wasmtime(&cargo, &base);
    let stderr = text(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("could not be used (it says it is 36.0.0, not 48.0.8)"),
        "{stderr}"
    );
    assert_eq!(installs(&sandbox).len(), 1);
}

#[test]
fn setup_installs_nothing_when_everything_is_there_and_names_each_tool() {
    let sandbox = Sandbox::new("complete");
    fake_tool(&sandbox.path("bin/wasmtime"), "wasmtime", "48.0.8");
    fake_tool(
        &sandbox.path("bin/wasm-bindgen"),
        "wasm-bindgen",
        &locked_bindgen(),
    );
    let out = sandbox.run(&[], &[]);
    let stdout = text(&out.stdout);
    if !stdout.contains("wasm32-wasip2: installed") {
        return; // this toolchain lacks the targets; setup would add them
    }
    assert!(out.status.success(), "{stdout}{}", text(&out.stderr));
    assert!(stdout.contains("wasmtime: 48.0.8 at"), "{stdout}");
    assert!(stdout.contains("(from PATH)"), "{stdout}");
    assert!(installs(&sandbox).is_empty());
}

#[test]
fn an_unknown_tool_is_a_usage_error() {
    let sandbox = Sandbox::new("unknown");
    let out = sandbox.run(&["--path", "node"], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        text(&out.stderr).trim(),
        "error: unknown tool \"node\": expected wasmtime or wasm-bindgen"
    );
}
