//! `parse_listen_addr`: the address given to `listen`.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use mocket_core::backend::parse_listen_addr;
use proptest::prelude::*;

proptest! {
    /// Every IP and port, written as Rust writes a socket address, reads
    /// back as itself. (IPv6 flow labels and scopes are not in that text.)
    #[test]
    fn socket_addrs_read_back(ip in any::<IpAddr>(), port in any::<u16>()) {
        let addr = SocketAddr::new(ip, port);
        prop_assert_eq!(parse_listen_addr(&addr.to_string()), Ok(addr));
    }

    /// `PORT`, `:PORT` and `localhost:PORT` are loopback.
    #[test]
    fn port_forms_are_loopback(port in any::<u16>()) {
        let want = SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), port);
        for form in [port.to_string(), format!(":{port}"), format!("localhost:{port}")] {
            prop_assert_eq!(parse_listen_addr(&form), Ok(want));
        }
    }

    /// A port past 65535 is refused, saying so.
    #[test]
    fn ports_past_u16_are_refused(port in 65_536u32..10_000_000) {
        let e = parse_listen_addr(&format!("127.0.0.1:{port}")).expect_err("a port past 65535");
        prop_assert!(e.to_string().contains("the port must be 0 to 65535"), "{}", e);
    }

    /// Any text: an address or an error naming the input, never a panic.
    #[test]
    fn any_text_parses_or_says_why(text in any::<String>()) {
        if let Err(e) = parse_listen_addr(&text) {
            let shown = e.to_string();
            prop_assert!(shown.starts_with("invalid listen address"), "{}", shown);
        }
    }
}
