//! `microchat healthcheck`: one `GET /healthz` over a plain TCP socket, for a
//! container's health check (the slim runtime image has no curl). Plain HTTP
//! only: it probes the server from inside its own container or host.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::time::Duration;

/// Connect, write and read each give up after this long.
const TIMEOUT: Duration = Duration::from_secs(3);

/// Where to send the probe: `authority` is `host:port`.
#[derive(Debug, PartialEq, Eq)]
pub struct Target {
    pub authority: String,
    pub path: String,
}

impl Target {
    /// `http://HOST[:PORT][/PATH]`; the path defaults to `/healthz`.
    pub fn parse(url: &str) -> Result<Target, String> {
        let rest = url
            .strip_prefix("http://")
            .ok_or("the URL must start with http://")?;
        let (authority, path) = match rest.find('/') {
            Some(i) => rest.split_at(i),
            None => (rest, "/healthz"),
        };
        if authority.is_empty() {
            return Err("the URL has no host".into());
        }
        let has_port = match authority.rfind(']') {
            Some(end) => authority[end..].contains(':'),
            None => authority.contains(':'),
        };
        let authority = if has_port {
            authority.to_owned()
        } else {
            format!("{authority}:80")
        };
        Ok(Target {
            authority,
            path: path.to_owned(),
        })
    }

    /// The server's own `/healthz` from its listen address: a wildcard address
    /// (`0.0.0.0`, `::`) is probed on the loopback of the same family.
    pub fn from_bind(bind: SocketAddr) -> Target {
        let mut addr = bind;
        if addr.ip().is_unspecified() {
            addr.set_ip(match addr {
                SocketAddr::V4(_) => std::net::Ipv4Addr::LOCALHOST.into(),
                SocketAddr::V6(_) => std::net::Ipv6Addr::LOCALHOST.into(),
            });
        }
        Target {
            authority: addr.to_string(),
            path: "/healthz".into(),
        }
    }
}

/// `Ok` only if the server answers `200`.
pub fn probe(target: &Target) -> Result<(), String> {
    let addr = target
        .authority
        .to_socket_addrs()
        .map_err(|e| format!("{}: {e}", target.authority))?
        .next()
        .ok_or_else(|| format!("{}: no address", target.authority))?;
    let mut stream =
        TcpStream::connect_timeout(&addr, TIMEOUT).map_err(|e| format!("{addr}: {e}"))?;
    stream
        .set_read_timeout(Some(TIMEOUT))
        .and_then(|()| stream.set_write_timeout(Some(TIMEOUT)))
        .map_err(|e| e.to_string())?;
    let request = format!(
        "GET {} HTTP/1.1\r\nHost: {}\r\nUser-Agent: microchat-healthcheck\r\nConnection: close\r\n\r\n",
        target.path, target.authority
    );
    stream
        .write_all(request.as_bytes())
        .map_err(|e| format!("{addr}: {e}"))?;
    // The status line is all we need; it fits in the first read or few.
    let mut head = Vec::new();
    let mut buf = [0u8; 512];
    while !head.contains(&b'\n') && head.len() < 4096 {
        let n = stream.read(&mut buf).map_err(|e| format!("{addr}: {e}"))?;
        if n == 0 {
            break;
        }
        head.extend_from_slice(&buf[..n]);
    }
    let head = String::from_utf8_lossy(&head);
    let status_line = head.lines().next().unwrap_or_default();
    match status_line.split_whitespace().nth(1) {
        Some("200") => Ok(()),
        _ => Err(format!("{addr}{}: {status_line:?}", target.path)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_parsed_with_defaults_for_port_and_path() {
        assert_eq!(
            Target::parse("http://127.0.0.1:8080/healthz").unwrap(),
            Target {
                authority: "127.0.0.1:8080".into(),
                path: "/healthz".into()
            }
        );
        let t = Target::parse("http://chat.internal").unwrap();
        assert_eq!(
            (t.authority.as_str(), t.path.as_str()),
            ("chat.internal:80", "/healthz")
        );
        let t = Target::parse("http://[::1]/readyz").unwrap();
        assert_eq!(
            (t.authority.as_str(), t.path.as_str()),
            ("[::1]:80", "/readyz")
        );
        assert_eq!(
            Target::parse("http://[::1]:9/").unwrap().authority,
            "[::1]:9"
        );
        assert!(Target::parse("https://chat.example.com").is_err());
        assert!(Target::parse("http:///healthz").is_err());
    }

    #[test]
    fn a_wildcard_bind_is_probed_on_loopback() {
        let t = Target::from_bind("0.0.0.0:8080".parse().unwrap());
        assert_eq!(t.authority, "127.0.0.1:8080");
        assert_eq!(
            Target::from_bind("[::]:81".parse().unwrap()).authority,
            "[::1]:81"
        );
        assert_eq!(
            Target::from_bind("127.0.0.2:80".parse().unwrap()).authority,
            "127.0.0.2:80"
        );
    }
}
