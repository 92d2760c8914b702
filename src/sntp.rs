/*!
A minimal SNTP client (RFC 4330) for `otp doctor --ntp`: how far this machine's clock is
from a time server. TOTP codes are accepted only within a period or so of the server's time,
so a clock that is off by more than a few seconds is the usual cause of "invalid code".

One request over UDP with a timeout; the packet building and the offset arithmetic are pure
functions, tested here, and the exchange is tested end to end against a loopback responder.
*/

use std::net::{SocketAddr, ToSocketAddrs, UdpSocket};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The port of NTP servers.
pub(crate) const PORT: u16 = 123;
/// Seconds from the NTP epoch (1900) to the Unix epoch (1970).
const NTP_UNIX_OFFSET: f64 = 2_208_988_800.0;

#[derive(Debug, thiserror::Error)]
pub(crate) enum Error {
    #[error("cannot resolve {0}")]
    Resolve(String),
    #[error("no answer from {server} within {} s", timeout.as_secs_f64())]
    Timeout { server: String, timeout: Duration },
    #[error("cannot reach {server}: {source}")]
    Io {
        server: String,
        source: std::io::Error,
    },
    #[error("{server} sent an invalid reply: {reason}")]
    BadReply {
        server: String,
        reason: &'static str,
    },
}

/// One measurement.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Sample {
    /// Seconds to add to the local clock to get the server's time.
    pub offset: f64,
    /// The round trip, in seconds.
    pub delay: f64,
}

/// Splits `SERVER[:PORT]` (`[v6]:port` for IPv6 with a port).
pub(crate) fn parse_server(text: &str) -> (String, u16) {
    if let Some(rest) = text.strip_prefix('[')
        && let Some((host, port)) = rest.split_once(']')
    {
        let port = port.strip_prefix(':').and_then(|p| p.parse().ok());
        return (host.to_string(), port.unwrap_or(PORT));
    }
    match text.rsplit_once(':') {
        // A bare IPv6 address has several colons and no port.
        Some((host, port)) if !host.contains(':') => match port.parse() {
            Ok(port) => (host.to_string(), port),
            Err(_) => (text.to_string(), PORT),
        },
        _ => (text.to_string(), PORT),
    }
}

/// Asks `server` (`SERVER[:PORT]`) for the time, waiting at most `timeout` for the answer.
pub(crate) fn query(server: &str, timeout: Duration) -> Result<Sample, Error> {
    let (host, port) = parse_server(server);
    let addr = (host.as_str(), port)
        .to_socket_addrs()
        .ok()
        .and_then(|mut addrs| addrs.next())
        .ok_or_else(|| Error::Resolve(server.to_string()))?;
    let io = |source| Error::Io {
        server: server.to_string(),
        source,
    };
    let local: SocketAddr = if addr.is_ipv4() {
        ([0, 0, 0, 0], 0).into()
    } else {
        ([0u16; 8], 0).into()
    };
    let socket = UdpSocket::bind(local).map_err(io)?;
    socket.connect(addr).map_err(io)?;
    socket.set_read_timeout(Some(timeout)).map_err(io)?;

    let t1 = now();
    let request = request(t1);
    socket.send(&request).map_err(io)?;
    let deadline = std::time::Instant::now() + timeout;
    let mut buf = [0u8; 512];
    loop {
        let n = match socket.recv(&mut buf) {
            Ok(n) => n,
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                return Err(Error::Timeout {
                    server: server.to_string(),
                    timeout,
                });
            }
            // A closed port answers with ICMP "unreachable", seen here as a refused recv.
            Err(e) => return Err(io(e)),
        };
        let t4 = now();
        match parse_reply(&buf[..n], &request, t4) {
            Ok(sample) => return Ok(sample),
            // A stray or spoofed datagram: keep waiting for ours until the deadline.
            Err(_) if std::time::Instant::now() < deadline => {
                let left = deadline.saturating_duration_since(std::time::Instant::now());
                socket
                    .set_read_timeout(Some(left.max(Duration::from_millis(1))))
                    .map_err(io)?;
            }
            Err(reason) => {
                return Err(Error::BadReply {
                    server: server.to_string(),
                    reason,
                });
            }
        }
    }
}

/// The local time as NTP seconds (since 1900).
fn now() -> f64 {
    let since = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    since.as_secs_f64() + NTP_UNIX_OFFSET
}

/// NTP seconds as the 64-bit fixed-point timestamp of the wire format.
pub fn to_timestamp(seconds: f64) -> [u8; 8] {
    let whole = seconds.floor();
    let fraction = ((seconds - whole) * 4_294_967_296.0) as u64;
    (((whole as u64) << 32) | (fraction & 0xffff_ffff)).to_be_bytes()
}

/// The wire timestamp as NTP seconds.
pub(crate) fn from_timestamp(bytes: &[u8]) -> f64 {
    let mut b = [0u8; 8];
    b.copy_from_slice(&bytes[..8]);
    let v = u64::from_be_bytes(b);
    (v >> 32) as f64 + (v & 0xffff_ffff) as f64 / 4_294_967_296.0
}

/// A client request sent at `t1`: LI 0, version 4, mode 3 (client), and `t1` as the
/// transmit timestamp, which the server echoes back as the originate timestamp.
pub(crate) fn request(t1: f64) -> [u8; 48] {
    let mut packet = [0u8; 48];
    packet[0] = 0b00_100_011;
    packet[40..48].copy_from_slice(&to_timestamp(t1));
    packet
}

/// Checks a reply to `request` received at `t4` and computes the offset (RFC 4330 §5).
pub(crate) fn parse_reply(
    reply: &[u8],
    request: &[u8; 48],
    t4: f64,
) -> Result<Sample, &'static str> {
    if reply.len() < 48 {
        return Err("too short");
    }
    let mode = reply[0] & 0b111;
    let stratum = reply[1];
    if mode != 4 {
        return Err("not a server reply");
    }
    if reply[0] >> 6 == 3 {
        return Err("the server's clock is not synchronised");
    }
    if stratum == 0 {
        return Err("the server refused (kiss-o'-death)");
    }
    // The originate timestamp must be our transmit timestamp: otherwise it is not our answer.
    if reply[24..32] != request[40..48] {
        return Err("it does not answer our request");
    }
    let t1 = from_timestamp(&request[40..48]);
    let t2 = from_timestamp(&reply[32..40]);
    let t3 = from_timestamp(&reply[40..48]);
    if t3 == 0.0 {
        return Err("no transmit time");
    }
    Ok(Sample {
        offset: ((t2 - t1) + (t3 - t4)) / 2.0,
        delay: (t4 - t1) - (t3 - t2),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A server reply to `request`, received at `t2` and sent at `t3`.
    fn reply(request: &[u8; 48], t2: f64, t3: f64) -> [u8; 48] {
        let mut r = [0u8; 48];
        r[0] = 0b00_100_100;
        r[1] = 2;
        r[24..32].copy_from_slice(&request[40..48]);
        r[32..40].copy_from_slice(&to_timestamp(t2));
        r[40..48].copy_from_slice(&to_timestamp(t3));
        r
    }

    #[test]
    fn timestamps_round_trip() {
        let t = 3_900_000_000.25;
        assert!((from_timestamp(&to_timestamp(t)) - t).abs() < 1e-6);
    }

    #[test]
    fn offset_and_delay_follow_rfc_4330() {
        // Server 90 s ahead; 0.1 s each way; 0.05 s in the server.
        let t1 = 3_900_000_000.0;
        let req = request(t1);
        let r = reply(&req, t1 + 90.1, t1 + 90.15);
        let s = parse_reply(&r, &req, t1 + 0.25).unwrap();
        assert!((s.offset - 90.0).abs() < 1e-3, "{s:?}");
        assert!((s.delay - 0.2).abs() < 1e-3, "{s:?}");
    }

    #[test]
    fn foreign_and_invalid_replies_are_refused() {
        let t1 = 3_900_000_000.0;
        let req = request(t1);
        let good = reply(&req, t1, t1);
        let mut other = good;
        other[24] ^= 1;
        assert!(parse_reply(&other, &req, t1).is_err());
        let mut kiss = good;
        kiss[1] = 0;
        assert!(parse_reply(&kiss, &req, t1).is_err());
        let mut client = good;
        client[0] = 0b00_100_011;
        assert!(parse_reply(&client, &req, t1).is_err());
        let mut unsync = good;
        unsync[0] |= 0b11 << 6;
        assert!(parse_reply(&unsync, &req, t1).is_err());
        assert!(parse_reply(&good[..40], &req, t1).is_err());
    }

    #[test]
    fn server_spellings() {
        assert_eq!(parse_server("pool.ntp.org"), ("pool.ntp.org".into(), 123));
        assert_eq!(parse_server("127.0.0.1:4123"), ("127.0.0.1".into(), 4123));
        assert_eq!(parse_server("[::1]:4123"), ("::1".into(), 4123));
        assert_eq!(parse_server("::1"), ("::1".into(), 123));
    }
}
