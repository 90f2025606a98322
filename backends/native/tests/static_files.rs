//! `NativeFs` on a real folder over a real socket: files streamed in
//! chunks, ranges across chunk boundaries, symlinks inside the folder
//! followed and symlinks out of it refused, a missing folder refused at
//! setup.

mod common;

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use common::{Conn, RawResponse, start};
use mocket_core::Mocket;
use mocket_core::static_files::ServeDir;
use mocket_native::{NativeFs, Server};

/// A fresh folder under the system's temporary folder, removed on drop:
///
/// ```text
/// <tmp>/secret.txt                TOP SECRET
/// <tmp>/public/hello.txt          hello
/// <tmp>/public/big.bin            1 MiB + 3 bytes, byte i = i % 251
/// <tmp>/public/sub/index.html     <h1>sub</h1>
/// <tmp>/public/inside.txt      -> hello.txt
/// <tmp>/public/leak.txt        -> ../secret.txt
/// <tmp>/public/abs-leak.txt    -> <tmp>/secret.txt
/// <tmp>/public/up              -> ..
/// <tmp>/public/subdir-link     -> sub
/// ```
struct Fixture {
    dir: PathBuf,
}

const BIG: usize = 1024 * 1024 + 3;

fn big() -> Vec<u8> {
    (0..BIG).map(|i| (i % 251) as u8).collect()
}

impl Fixture {
    fn new() -> Fixture {
        static N: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "mocket-static-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        let public = dir.join("public");
        std::fs::create_dir_all(public.join("sub")).expect("create the fixture folders");
        for (path, contents) in [
            (dir.join("secret.txt"), &b"TOP SECRET"[..]),
            (public.join("hello.txt"), b"hello"),
            (public.join("big.bin"), &big()),
            (public.join("sub/index.html"), b"<h1>sub</h1>"),
        ] {
            std::fs::write(&path, contents)
                .unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
        }
        #[cfg(unix)]
        for (link, target) in [
            ("inside.txt", PathBuf::from("hello.txt")),
            ("leak.txt", PathBuf::from("../secret.txt")),
            ("abs-leak.txt", dir.join("secret.txt")),
            ("up", PathBuf::from("..")),
            ("subdir-link", PathBuf::from("sub")),
        ] {
            std::os::unix::fs::symlink(&target, public.join(link))
                .unwrap_or_else(|e| panic!("link {link} -> {}: {e}", target.display()));
        }
        Fixture { dir }
    }

    fn public(&self) -> PathBuf {
        self.dir.join("public")
    }

    fn app(&self) -> Mocket {
        let mut app = Mocket::new();
        app.serve_dir("/", ServeDir::<NativeFs>::new(self.public()));
        app
    }
}

impl Drop for Fixture {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn get(conn: &mut Conn, target: &str, extra: &str) -> RawResponse {
    conn.send(format!("GET {target} HTTP/1.1\r\nhost: t\r\n{extra}\r\n").as_bytes());
    conn.response()
}

#[test]
fn streams_a_large_file_exactly() {
    let fixture = Fixture::new();
    let server = start(fixture.app());
    let mut conn = Conn::open(server.local_addr());
    let res = get(&mut conn, "/big.bin", "");
    assert_eq!(res.status, 200);
    assert_eq!(res.header("content-length"), Some(BIG.to_string().as_str()));
    assert_eq!(res.header("content-type"), Some("application/octet-stream"));
    assert!(res.body == big(), "the body differs from the file");
    // The same connection keeps serving.
    assert_eq!(get(&mut conn, "/hello.txt", "").text(), "hello");
}

#[test]
fn ranges_cross_chunk_boundaries() {
    let fixture = Fixture::new();
    let server = start(fixture.app());
    let mut conn = Conn::open(server.local_addr());
    let (start, end) = (64 * 1024 - 10, 3 * 64 * 1024 + 10);
    let res = get(
        &mut conn,
        "/big.bin",
        &format!("range: bytes={start}-{end}\r\n"),
    );
    assert_eq!(res.status, 206);
    assert_eq!(
        res.header("content-range"),
        Some(format!("bytes {start}-{end}/{BIG}").as_str())
    );
    assert!(
        res.body == big()[start..=end],
        "the range differs from the file"
    );
    let res = get(&mut conn, "/big.bin", "range: bytes=-3\r\n");
    assert_eq!(res.body, big()[BIG - 3..]);
}

#[test]
fn head_and_conditional_requests_on_a_real_file() {
    let fixture = Fixture::new();
    let server = start(fixture.app());
    let mut conn = Conn::open(server.local_addr());
    conn.send(b"HEAD /big.bin HTTP/1.1\r\nhost: t\r\n\r\n");
    let head = conn.head_response();
    assert_eq!(
        head.header("content-length"),
        Some(BIG.to_string().as_str())
    );
    assert!(head.body.is_empty());
    let tag = head.header("etag").expect("an etag").to_owned();
    let modified = head
        .header("last-modified")
        .expect("last-modified")
        .to_owned();
    let res = get(&mut conn, "/big.bin", &format!("if-none-match: {tag}\r\n"));
    assert_eq!((res.status, res.body.len()), (304, 0));
    let res = get(
        &mut conn,
        "/big.bin",
        &format!("if-modified-since: {modified}\r\n"),
    );
    assert_eq!(res.status, 304);
    // The file changes: its tag does too.
    std::fs::write(fixture.public().join("big.bin"), b"changed").unwrap();
    let res = get(&mut conn, "/big.bin", &format!("if-none-match: {tag}\r\n"));
    assert_eq!((res.status, res.text().as_str()), (200, "changed"));
}

#[cfg(unix)]
#[test]
fn symlinks_inside_work_and_symlinks_out_are_not_found() {
    let fixture = Fixture::new();
    let server = start(fixture.app());
    let mut conn = Conn::open(server.local_addr());
    assert_eq!(get(&mut conn, "/inside.txt", "").text(), "hello");
    assert_eq!(get(&mut conn, "/subdir-link/", "").text(), "<h1>sub</h1>");
    // Out and back in again is inside: the real path decides.
    assert_eq!(get(&mut conn, "/up/public/hello.txt", "").text(), "hello");
    for target in [
        "/leak.txt",
        "/abs-leak.txt",
        "/up/secret.txt",
        "/up/",
        "/up",
    ] {
        let res = get(&mut conn, target, "");
        assert_eq!(res.status, 404, "{target}");
        assert!(
            !res.text().contains("TOP SECRET"),
            "{target} leaked the secret"
        );
    }
}

#[test]
fn traversal_over_the_wire_never_leaves_the_folder() {
    let fixture = Fixture::new();
    let server = start(fixture.app());
    for target in [
        "/../secret.txt",
        "/%2e%2e/secret.txt",
        "/..%2fsecret.txt",
        "/..%5csecret.txt",
        "/..\\secret.txt",
        "/hello.txt%00",
        "//etc/passwd",
    ] {
        let mut conn = Conn::open(server.local_addr());
        conn.send(
            format!("GET {target} HTTP/1.1\r\nhost: t\r\nconnection: close\r\n\r\n").as_bytes(),
        );
        let raw = conn.closed_within(common::IO_TIMEOUT);
        let text = String::from_utf8_lossy(&raw);
        assert!(text.starts_with("HTTP/1.1 400"), "{target}: {text}");
        assert!(!text.contains("TOP SECRET"), "{target} leaked the secret");
    }
}

#[test]
fn a_missing_folder_is_refused_at_setup() {
    let fixture = Fixture::new();
    let mut app = Mocket::new();
    app.serve_dir("/", ServeDir::<NativeFs>::new(fixture.dir.join("nope")));
    let err = Server::bind(app, "127.0.0.1:0").unwrap_err().to_string();
    assert!(
        err.contains("serve_dir /: cannot serve the folder"),
        "{err}"
    );
    assert!(err.contains("nope"), "{err}");

    let mut app = Mocket::new();
    app.serve_dir(
        "/",
        ServeDir::<NativeFs>::new(fixture.public().join("hello.txt")),
    );
    let err = app.check().unwrap_err().to_string();
    assert!(err.ends_with("not a folder"), "{err}");
}

#[test]
fn files_are_read_in_chunks_of_at_most_64_kib() {
    use http_body_util::BodyExt;
    let fixture = Fixture::new();
    let app = fixture.app();
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let sizes = rt.block_on(async {
        let mut body = app.request("/big.bin").await.into_body();
        let mut sizes = Vec::new();
        while let Some(frame) = body.frame().await {
            sizes.push(frame.unwrap().into_data().unwrap().len());
        }
        sizes
    });
    assert_eq!(sizes.iter().sum::<usize>(), BIG);
    assert_eq!(sizes.len(), BIG.div_ceil(64 * 1024), "{sizes:?}");
    assert!(sizes.iter().all(|&n| n <= 64 * 1024), "{sizes:?}");
}

#[test]
fn in_process_requests_work_with_or_without_a_tokio_runtime() {
    let fixture = Fixture::new();
    let app = fixture.app();
    let res = futures_executor::block_on(app.request("/big.bin"));
    let body = futures_executor::block_on(res.into_body().to_bytes()).unwrap();
    assert!(body == big());
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let text = rt.block_on(async {
        app.request("/hello.txt")
            .await
            .into_body()
            .to_text()
            .await
            .unwrap()
    });
    assert_eq!(text, "hello");
}
