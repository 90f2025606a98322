//! Installing kosoku: a venv in Mocket's tools folder, found or made once.

use std::fs::{self, File, TryLockError};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Mutex, OnceLock, PoisonError};

use super::{cannot, tail};

/// The kosoku release installed and expected.
pub const KOSOKU_VERSION: &str = "0.1.0";

/// The oldest Python kosoku installs on (its `Requires-Python`).
const PYTHON_MIN: (u32, u32) = (3, 10);

/// A working `kosoku` executable, installed first when missing.
///
/// Found, in order: `$MOCKET_KOSOKU` (a path, used as it is), then
/// `$CARGO_HOME/mocket-tools/kosoku-0.1.0/bin/kosoku` when that venv holds
/// kosoku 0.1.0 (checked without pip). Otherwise it is installed there:
/// `python3 -m venv` into `mocket-tools/.staging/kosoku-0.1.0`, `pip install
/// kosoku==0.1.0` in it, a check that it runs, then a rename into place,
/// all under `mocket-tools/.locks/kosoku-0.1.0.lock` so that two processes
/// never install at once (the second waits, then finds it installed). The
/// answer is kept for the rest of the process.
///
/// Errors (no `python3`, one older than 3.10, no `venv` module, pip unable
/// to reach PyPI) are one message saying what to do.
///
/// ```no_run
/// let kosoku = mocket_testkit::autobahn::kosoku().unwrap_or_else(|e| panic!("{e}"));
/// assert!(kosoku.ends_with("bin/kosoku"));
/// ```
pub fn kosoku() -> Result<PathBuf, String> {
    static FOUND: OnceLock<Mutex<Option<PathBuf>>> = OnceLock::new();
    let found = FOUND.get_or_init(Mutex::default);
    let mut found = found.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(path) = found.as_ref() {
        return Ok(path.clone());
    }
    let path = match std::env::var_os("MOCKET_KOSOKU").filter(|v| !v.is_empty()) {
        Some(given) => {
            let path = PathBuf::from(given);
            if !runs(&path) {
                return Err(format!(
                    "MOCKET_KOSOKU is {}, which does not run `kosoku --help`: unset it to use (and install) kosoku {KOSOKU_VERSION} in Mocket's tools folder",
                    path.display()
                ));
            }
            path
        }
        None => ensure_installed(&tools_folder())?,
    };
    *found = Some(path.clone());
    Ok(path)
}

/// Mocket's tools folder, as `cargo mocket setup` computes it:
/// `$CARGO_HOME/mocket-tools`, `CARGO_HOME` defaulting to `~/.cargo`.
fn tools_folder() -> PathBuf {
    let cargo_home = std::env::var_os("CARGO_HOME")
        .filter(|v| !v.is_empty())
        .map_or_else(
            || {
                let home = std::env::var_os("HOME")
                    .or_else(|| std::env::var_os("USERPROFILE"))
                    .unwrap_or_default();
                Path::new(&home).join(".cargo")
            },
            PathBuf::from,
        );
    cargo_home.join("mocket-tools")
}

/// `kosoku-0.1.0`: the venv's folder name, and its lock's.
fn slug() -> String {
    format!("kosoku-{KOSOKU_VERSION}")
}

/// The venv's folder of executables.
fn venv_bin(venv: &Path) -> PathBuf {
    if cfg!(windows) {
        venv.join("Scripts")
    } else {
        venv.join("bin")
    }
}

/// The venv's Python.
fn venv_python(venv: &Path) -> PathBuf {
    venv_bin(venv).join(if cfg!(windows) {
        "python.exe"
    } else {
        "python"
    })
}

/// The launcher written into the venv.
fn venv_kosoku(venv: &Path) -> PathBuf {
    venv_bin(venv).join(if cfg!(windows) {
        "kosoku.cmd"
    } else {
        "kosoku"
    })
}

/// Whether `venv` holds a usable kosoku of [`KOSOKU_VERSION`].
fn installed(venv: &Path) -> bool {
    let launcher = venv_kosoku(venv);
    launcher.is_file()
        && output(
            Command::new(venv_python(venv))
                .arg("-c")
                .arg("import importlib.metadata as m; print(m.version('kosoku'))"),
        )
        .is_ok_and(|v| v.trim() == KOSOKU_VERSION)
}

/// Whether `kosoku --help` runs and is kosoku's.
fn runs(kosoku: &Path) -> bool {
    output(Command::new(kosoku).arg("--help")).is_ok_and(|help| help.contains("usage: kosoku"))
}

/// The venv in `folder`, installed first if it is not there.
#[allow(
    clippy::print_stderr,
    reason = "an install of a minute or so says what it does, as `cargo mocket setup` does"
)]
fn ensure_installed(folder: &Path) -> Result<PathBuf, String> {
    let slug = slug();
    let root = folder.join(&slug);
    if installed(&root) {
        return Ok(venv_kosoku(&root));
    }

    let locks = folder.join(".locks");
    fs::create_dir_all(&locks).map_err(|e| cannot("create", &locks, &e))?;
    let lock_path = locks.join(format!("{slug}.lock"));
    let lock = File::create(&lock_path).map_err(|e| cannot("create", &lock_path, &e))?;
    match lock.try_lock() {
        Ok(()) => {}
        Err(TryLockError::WouldBlock) => {
            eprintln!(
                "  Waiting for another process that is installing kosoku {KOSOKU_VERSION} (lock: {})",
                lock_path.display()
            );
            lock.lock().map_err(|e| cannot("lock", &lock_path, &e))?;
        }
        Err(TryLockError::Error(e)) => return Err(cannot("lock", &lock_path, &e)),
    }
    // Whoever held the lock may have installed it meanwhile.
    if installed(&root) {
        return Ok(venv_kosoku(&root));
    }

    let python = python3()?;
    eprintln!(
        "  Installing kosoku {KOSOKU_VERSION} (the Autobahn TestSuite runner) into {} with {python} -m venv and pip; this happens once",
        root.display()
    );
    let staging = folder.join(".staging").join(&slug);
    if staging.exists() {
        fs::remove_dir_all(&staging).map_err(|e| cannot("remove", &staging, &e))?;
    }
    if let Some(parent) = staging.parent() {
        fs::create_dir_all(parent).map_err(|e| cannot("create", parent, &e))?;
    }
    output(Command::new(&python).arg("-m").arg("venv").arg(&staging)).map_err(|e| {
        format!(
            "installing kosoku failed: `{python} -m venv {}` did not work (on Debian and Ubuntu: apt-get install python3-venv):\n{e}",
            staging.display()
        )
    })?;
    output(
        Command::new(venv_python(&staging))
            .args(["-m", "pip", "install", "--no-input", "--disable-pip-version-check"])
            .arg(format!("kosoku=={KOSOKU_VERSION}")),
    )
    .map_err(|e| {
        format!(
            "installing kosoku failed: pip install kosoku=={KOSOKU_VERSION} did not work (PyPI must be reachable; a proxy is set with PIP_INDEX_URL):\n{e}"
        )
    })?;
    write_launcher(&staging)?;
    if !installed(&staging) || !runs(&venv_kosoku(&staging)) {
        return Err(format!(
            "installing kosoku failed: pip installed it, but {} does not run `kosoku --help`",
            venv_kosoku(&staging).display()
        ));
    }
    // Nothing usable is there (it would have been found): replace it.
    if root.exists() {
        fs::remove_dir_all(&root).map_err(|e| cannot("remove", &root, &e))?;
    }
    fs::rename(&staging, &root).map_err(|e| cannot("move into place", &staging, &e))?;
    let kosoku = venv_kosoku(&root);
    if !runs(&kosoku) {
        let _ = fs::remove_dir_all(&root);
        return Err(format!(
            "installing kosoku failed: the venv does not run once moved to {}",
            root.display()
        ));
    }
    eprintln!("  Installed {}", kosoku.display());
    Ok(kosoku)
}

/// Replaces pip's `kosoku` script, whose first line names the staging
/// folder's Python, with one that runs the Python beside it, wherever the
/// venv has been moved.
fn write_launcher(venv: &Path) -> Result<(), String> {
    const MAIN: &str = "from kosoku._cli import main; main()";
    let launcher = venv_kosoku(venv);
    let text = if cfg!(windows) {
        format!("@\"%~dp0python.exe\" -c \"{MAIN}\" %*\r\n")
    } else {
        format!(
            "#!/bin/sh\n# kosoku {KOSOKU_VERSION}, installed by mocket-testkit: the venv's own Python, found beside this file.\nexec \"$(dirname \"$0\")/python\" -c '{MAIN}' \"$@\"\n"
        )
    };
    fs::write(&launcher, text).map_err(|e| cannot("write", &launcher, &e))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(&launcher, fs::Permissions::from_mode(0o755))
            .map_err(|e| cannot("make executable", &launcher, &e))?;
    }
    Ok(())
}

/// The `python3` to create the venv with, checked to be 3.10 or later.
fn python3() -> Result<String, String> {
    let python = if cfg!(windows) { "python" } else { "python3" }.to_owned();
    let said = output(Command::new(&python).arg("--version")).map_err(|e| {
        format!(
            "kosoku (the Autobahn TestSuite runner) is installed with Python {}.{} or later, and `{python} --version` did not work: install Python 3 (apt-get install python3 python3-venv), or set MOCKET_KOSOKU to a kosoku executable\n{e}",
            PYTHON_MIN.0, PYTHON_MIN.1
        )
    })?;
    let version = said.trim().trim_start_matches("Python ").to_owned();
    let mut parts = version.split('.').map(|p| p.parse::<u32>().unwrap_or(0));
    let found = (parts.next().unwrap_or(0), parts.next().unwrap_or(0));
    if found < PYTHON_MIN {
        return Err(format!(
            "kosoku needs Python {}.{} or later, and `{python}` is {version}: install a newer Python 3, or set MOCKET_KOSOKU to a kosoku executable",
            PYTHON_MIN.0, PYTHON_MIN.1
        ));
    }
    Ok(python)
}

/// Runs `cmd` to its end: its stdout (and stderr, which `python --version`
/// of old Pythons writes to), or an error that quotes its output's end.
fn output(cmd: &mut Command) -> Result<String, String> {
    let shown = format!("{cmd:?}");
    let out = cmd
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run {shown}: {e}"))?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    if out.status.success() {
        Ok(format!("{stdout}{stderr}"))
    } else {
        Err(format!(
            "{shown} exited with {}:\n{}",
            out.status,
            tail(&format!("{stdout}{stderr}"), 30)
        ))
    }
}
