//! Resources running out: with the process's descriptor limit reached the
//! accept loop neither spins nor dies, and serves again once descriptors
//! free up; an idle keep-alive connection costs a bounded amount of memory.
//!
//! Each test runs the server in a child process (this test binary again,
//! told by [`CHILD`] to serve), so that its descriptor limit, CPU time and
//! memory are its own: `sh -c 'ulimit -n …; exec …'` lowers the limit
//! without `unsafe` (the workspace forbids it, and with it `pre_exec`).

mod common;

use std::process::Command;
use std::time::{Duration, Instant};

use common::{Conn, IO_TIMEOUT, assert_serving, expect, get, start, test_app};
use mocket_testkit::process::Server;

/// Set in the child's environment: serve [`test_app`] instead of testing.
const CHILD: &str = "MOCKET_TEST_SERVE_CHILD";

/// In the child (see [`CHILD`]): serves [`test_app`] on one worker, prints
/// the address line and never returns (the parent kills it). One worker,
/// so that a dead accept loop cannot hide behind another that still
/// accepts.
fn serve_if_child() {
    if std::env::var_os(CHILD).is_none() {
        return;
    }
    let mut app = test_app();
    app.server_options().workers = Some(1);
    let server = start(app);
    #[allow(clippy::print_stdout)] // the line the parent waits for
    {
        println!("Listening on http://{}", server.local_addr());
    }
    loop {
        std::thread::park();
    }
}

/// Starts this test binary again as a server running only `test`, with a
/// soft descriptor limit of `nofile` (the shell's `ulimit -n`) if given.
fn spawn_server(test: &str, nofile: Option<u32>) -> Server {
    let exe = std::env::current_exe().expect("the test binary's path");
    let limit = nofile.map_or(String::new(), |n| format!("ulimit -n {n} && "));
    let mut cmd = Command::new("sh");
    cmd.arg("-c")
        .arg(format!("{limit}exec \"$0\" \"$@\""))
        .arg(exe)
        .args(["--exact", test, "--nocapture", "--test-threads=1"])
        .env(CHILD, "1");
    Server::start(&mut cmd)
}

/// A line of /proc/PID/limits or /proc/PID/status, by its label.
fn proc_field(pid: u32, file: &str, label: &str) -> String {
    let text = std::fs::read_to_string(format!("/proc/{pid}/{file}"))
        .unwrap_or_else(|e| panic!("cannot read /proc/{pid}/{file}: {e}"));
    text.lines()
        .find_map(|l| l.strip_prefix(label))
        .unwrap_or_else(|| panic!("no {label:?} in /proc/{pid}/{file}:\n{text}"))
        .trim()
        .to_owned()
}

/// Resident memory (VmRSS), KiB.
fn rss_kib(pid: u32) -> u64 {
    let field = proc_field(pid, "status", "VmRSS:");
    field
        .trim_end_matches("kB")
        .trim()
        .parse()
        .unwrap_or_else(|_| panic!("VmRSS: {field:?}"))
}

/// Descriptors the process has open.
fn open_fds(pid: u32) -> usize {
    std::fs::read_dir(format!("/proc/{pid}/fd"))
        .unwrap_or_else(|e| panic!("cannot list /proc/{pid}/fd: {e}"))
        .count()
}

/// CPU time used so far (user + system, all threads), from /proc/PID/stat.
fn cpu_time(pid: u32) -> Duration {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).expect("read /proc/PID/stat");
    // The fields after the command name, which is in parentheses.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .expect("a command name in /proc/PID/stat")
        .1
        .split_whitespace()
        .collect();
    let ticks = |i: usize| -> u64 { fields[i].parse().expect("a tick count") };
    // utime and stime: fields 14 and 15, counted from the pid as 1.
    let used = ticks(11) + ticks(12);
    Duration::from_secs_f64(used as f64 / clock_ticks_per_sec())
}

fn clock_ticks_per_sec() -> f64 {
    Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8_lossy(&o.stdout).trim().parse().ok())
        .unwrap_or(100.0)
}

/// Waits up to [`IO_TIMEOUT`] for `done`, failing with `what` and the
/// last value seen.
fn wait_until<T: std::fmt::Debug>(
    what: &str,
    mut probe: impl FnMut() -> T,
    done: impl Fn(&T) -> bool,
) -> T {
    let deadline = Instant::now() + IO_TIMEOUT;
    loop {
        let seen = probe();
        if done(&seen) {
            return seen;
        }
        assert!(
            Instant::now() < deadline,
            "{what}: still {seen:?} after {IO_TIMEOUT:?}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The descriptor limit the server runs with, and how many clients try to
/// connect: more than it can hold.
const NOFILE: u32 = 256;
const CLIENTS: usize = 400;

/// How long the server is watched while it cannot accept, and the share of
/// one core it may use meanwhile: a bound on spinning (an accept loop that
/// retries at once uses the whole core), not a speed target.
const EXHAUSTED_FOR: Duration = Duration::from_secs(2);
const MAX_CPU_SHARE: f64 = 0.5;

#[test]
fn accept_loop_survives_descriptor_exhaustion() {
    serve_if_child();
    let mut server = spawn_server("accept_loop_survives_descriptor_exhaustion", Some(NOFILE));
    let (pid, addr) = (server.pid(), server.addr);
    let limit = proc_field(pid, "limits", "Max open files");
    assert!(
        limit.starts_with(&format!("{NOFILE} ")),
        "the server's limit is not {NOFILE}: {limit}"
    );

    // The kernel completes every handshake (the backlog is 1024); the
    // server accepts until its descriptors run out.
    let mut clients: Vec<Conn> = (0..CLIENTS)
        .map(|i| Conn::connect(addr).unwrap_or_else(|e| panic!("client {i} cannot connect: {e}")))
        .collect();
    wait_until(
        "the server's open descriptors never reached its limit",
        || open_fds(pid),
        |&n| n >= NOFILE as usize,
    );

    let (cpu_before, began) = (cpu_time(pid), Instant::now());
    std::thread::sleep(EXHAUSTED_FOR);
    let (cpu, wall) = (cpu_time(pid) - cpu_before, began.elapsed());
    assert!(server.is_running(), "the server died:\n{}", server.output());
    let still = open_fds(pid);
    assert!(
        still >= NOFILE as usize,
        "only {still} descriptors open at the end: the measurement was not all under exhaustion"
    );
    let share = cpu.as_secs_f64() / wall.as_secs_f64();
    assert!(
        share < MAX_CPU_SHARE,
        "the server used {cpu:?} of CPU in {wall:?} without descriptors ({:.0}% of a core): \
         the accept loop spins",
        share * 100.0
    );
    println!(
        "out of descriptors for {wall:.2?}: {cpu:?} of CPU ({:.1}% of a core)",
        share * 100.0
    );

    // A connection accepted before the limit is still served meanwhile.
    expect(&mut clients[0], &get("/"), 200, "hello");

    drop(clients);
    // The clients' connections close; those still queued are accepted and
    // closed in turn; then a new client is served.
    assert_serving(addr);
    assert!(server.is_running(), "the server died:\n{}", server.output());
    let after = wait_until(
        "the server did not close the clients' connections",
        || open_fds(pid),
        |&n| n < 64,
    );
    println!("descriptors open after the clients left: {after}");
}

/// Idle keep-alive connections held open for the memory figure: within a
/// soft descriptor limit of 1024 on either side.
const IDLE: usize = 500;

/// What an idle keep-alive connection may cost the server in resident
/// memory: hyper's buffers (the read buffer starts at 8 KiB) and the
/// connection's task; measured at 13 KiB in a debug build (the release
/// figure is in docs/performance.md). The bound catches a per-connection
/// buffer or table growing several times over.
const MAX_IDLE_KIB: u64 = 64;

#[test]
fn idle_keep_alive_connections_cost_bounded_memory() {
    serve_if_child();
    let server = spawn_server("idle_keep_alive_connections_cost_bounded_memory", None);
    let (pid, addr) = (server.pid(), server.addr);
    // Warm up: the allocator's and the runtime's first allocations are not
    // the connections'.
    for _ in 0..50 {
        assert_serving(addr);
    }
    std::thread::sleep(Duration::from_millis(300));
    let before = rss_kib(pid);
    let mut idle: Vec<Conn> = (0..IDLE).map(|_| Conn::open(addr)).collect();
    for conn in &mut idle {
        expect(conn, &get("/"), 200, "hello");
    }
    wait_until(
        "the server did not hold every idle connection",
        || open_fds(pid),
        |&n| n >= IDLE,
    );
    std::thread::sleep(Duration::from_millis(300));
    let after = rss_kib(pid);
    let per = after.saturating_sub(before) as f64 / IDLE as f64;
    println!("{IDLE} idle keep-alive connections: {before} KiB → {after} KiB, {per:.1} KiB each");
    assert!(
        per < MAX_IDLE_KIB as f64,
        "an idle keep-alive connection costs {per:.1} KiB ({before} KiB → {after} KiB for {IDLE})"
    );
    // Still serving with them open.
    assert_serving(addr);
}
