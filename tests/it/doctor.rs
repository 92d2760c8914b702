//! `otp doctor`: a healthy vault reports ok and exits 0; loose file and
//! directory modes are warnings naming the fix; a missing vault or a key that does not open
//! it fails (exit 1). `--ntp` against SNTP responders the test runs on loopback: a clock 90 s
//! off is a failure that says codes will be rejected and how to fix the clock; a close clock
//! is ok; a bound but silent port gives up cleanly after the 2-second timeout.

use crate::common;

use common::{GITHUB, GOOGLE, TestEnv, stderr, stdout};
use std::net::UdpSocket;
use std::process::Output;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

fn doctor(env: &TestEnv, extra: &[&str]) -> Output {
    let mut args = vec!["doctor"];
    args.extend_from_slice(extra);
    env.run(&args)
}

#[test]
fn healthy_vault() {
    let env = TestEnv::new();
    env.add(&[GITHUB, GOOGLE]);
    let out = doctor(&env, &[]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}{}", stderr(&out));
    assert!(
        text.contains(&format!("ok    vault {} (", env.vault.display())),
        "{text}"
    );
    assert!(text.contains("ok    2 entries"), "{text}");
    assert!(text.contains("identity-file backend"), "{text}");
    let private = if cfg!(unix) {
        "is mode 0600"
    } else {
        "is in your user profile"
    };
    assert!(text.contains(private), "{text}");
    assert!(text.contains("clipboard"), "{text}");
    assert!(!text.contains("FAIL"), "{text}");
}

#[cfg(unix)] // Windows has no modes
#[test]
fn loose_modes_are_warnings_with_the_fix() {
    let env = TestEnv::new();
    env.add(&[GITHUB]);
    common::chmod(&env.vault, 0o644);
    common::chmod(env.vault.parent().unwrap(), 0o755);
    common::chmod(&env.identity, 0o640);
    let out = doctor(&env, &[]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "warnings only: {text}");
    assert!(
        text.contains(&format!("warn  vault {} is mode 0644", env.vault.display())),
        "{text}"
    );
    assert!(
        text.contains(&format!("chmod 600 {}", env.vault.display())),
        "{text}"
    );
    assert!(text.contains("warn  vault directory"), "{text}");
    assert!(text.contains("chmod 700"), "{text}");
    assert!(text.contains("warn  identity file"), "{text}");
}

#[test]
fn missing_vault_and_wrong_key_fail() {
    let env = TestEnv::new();
    let out = doctor(&env, &[]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(
        stdout(&out).contains("FAIL  no vault at"),
        "{}",
        stdout(&out)
    );
    assert!(stderr(&out).contains("1 check failed"), "{}", stderr(&out));

    env.add(&[GITHUB]);
    let other = TestEnv::new();
    other.add(&[GITHUB]);
    std::fs::copy(&other.identity, &env.identity).unwrap();
    let out = doctor(&env, &[]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("FAIL  cannot unlock vault"), "{text}");
}

/// A one-shot SNTP server on loopback whose clock is `ahead` seconds ahead of ours.
fn responder(ahead: f64) -> (u16, std::thread::JoinHandle<()>) {
    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    socket
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let port = socket.local_addr().unwrap().port();
    let handle = std::thread::spawn(move || {
        let mut buf = [0u8; 48];
        let Ok((n, peer)) = socket.recv_from(&mut buf) else {
            return;
        };
        assert_eq!(n, 48, "an SNTP request is 48 bytes");
        assert_eq!(buf[0] & 0b111, 3, "client mode");
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs_f64();
        let server_time = now + 2_208_988_800.0 + ahead;
        let stamp = otp::sntp::to_timestamp(server_time);
        let mut reply = [0u8; 48];
        reply[0] = 0b00_100_100; // LI 0, version 4, mode 4 (server)
        reply[1] = 1; // stratum 1
        reply[24..32].copy_from_slice(&buf[40..48]); // originate = the client's transmit
        reply[32..40].copy_from_slice(&stamp);
        reply[40..48].copy_from_slice(&stamp);
        socket.send_to(&reply, peer).unwrap();
    });
    (port, handle)
}

#[test]
fn a_clock_90_seconds_off_fails_with_the_fix() {
    let env = TestEnv::new();
    env.add(&[GITHUB]);
    let (port, server) = responder(90.0);
    let out = doctor(&env, &["--ntp", &format!("127.0.0.1:{port}")]);
    server.join().unwrap();
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    let line = text
        .lines()
        .find(|l| l.contains("clock:"))
        .unwrap_or_else(|| panic!("no clock line: {text}"));
    assert!(line.starts_with("FAIL  clock: 90."), "{line}");
    assert!(line.contains("behind 127.0.0.1"), "{line}");
    assert!(line.contains("reject codes"), "{line}");
    assert!(line.contains("timedatectl set-ntp true"), "{line}");
}

#[test]
fn a_close_clock_is_ok() {
    let env = TestEnv::new();
    env.add(&[GITHUB]);
    let (port, server) = responder(0.0);
    let out = doctor(&env, &["--ntp", &format!("127.0.0.1:{port}")]);
    server.join().unwrap();
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("ok    clock: 0.0 s"), "{text}");
}

#[test]
fn a_silent_server_times_out_cleanly() {
    let env = TestEnv::new();
    env.add(&[GITHUB]);
    // Bound, so no ICMP "port unreachable" comes back; never answers.
    let silent = UdpSocket::bind("127.0.0.1:0").unwrap();
    let port = silent.local_addr().unwrap().port();
    let start = Instant::now();
    let out = doctor(&env, &["--ntp", &format!("127.0.0.1:{port}")]);
    let took = start.elapsed();
    let text = stdout(&out);
    assert!(
        took >= Duration::from_millis(1900) && took < Duration::from_millis(3500),
        "took {took:?}"
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "only a warning: {text}{}",
        stderr(&out)
    );
    assert!(
        text.contains(&format!(
            "warn  clock: not checked: no answer from 127.0.0.1:{port} within 2 s"
        )),
        "{text}"
    );
    assert!(!stderr(&out).contains("panicked"));
    drop(silent);
}
