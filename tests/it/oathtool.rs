//! Agreement with `oathtool` (OATH Toolkit), an independent implementation of RFC 4226 and
//! RFC 6238 (docs/CONTRACT.md, "Quality bars"), run live against the built `otp` binary.
//!
//! Random secrets (seeded, so a failure reproduces; 10 to 64 bytes) across SHA1, SHA256 and
//! SHA512, 6, 7 and 8 digits and periods of 15, 30 and 60 seconds are added to a temporary
//! vault through otpauth URIs on stdin; `otp code --at T` must then print what
//! `oathtool --totp=ALG -d D -s P -b SECRET -N @T` prints for several fixed times. HOTP:
//! successive `otp code` calls of an entry with counter N must print what
//! `oathtool -c N -w K -d D -b SECRET` prints (oathtool's HOTP mode is SHA1 only, so SHA256 and
//! SHA512 HOTP are checked through TOTP with a 1-second step, whose counter is the time).
//!
//! oathtool accepts 6 to 8 digits only; 9 and 10 digits are covered by the RFC vectors in
//! `src/entry.rs`.

use crate::common;

use common::{TestEnv, stderr, stdout};
use std::process::Command;

const SEED: u64 = 0x07_0a_7e_57;
const ALGORITHMS: [&str; 3] = ["SHA1", "SHA256", "SHA512"];
const DIGITS: [u32; 3] = [6, 7, 8];
const PERIODS: [u64; 3] = [15, 30, 60];
/// Fixed times: RFC 6238's test times (including one past 2038), common::AT and a few more.
const TIMES: [i64; 7] = [
    59,
    1_111_111_109,
    1_234_567_890,
    1_700_000_000,
    1_700_000_014,
    2_000_000_000,
    20_000_000_000,
];

/// RFC 4648 base32 without padding: written out here so the oracle side shares no code
/// with `otp`.
fn base32(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut out = String::new();
    let (mut buffer, mut bits) = (0u32, 0u32);
    for &b in bytes {
        buffer = (buffer << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(ALPHABET[((buffer >> bits) & 31) as usize] as char);
        }
    }
    if bits > 0 {
        out.push(ALPHABET[((buffer << (5 - bits)) & 31) as usize] as char);
    }
    out
}

struct Case {
    account: String,
    secret: String,
    algorithm: &'static str,
    digits: u32,
    period: u64,
}

/// At least 30 cases; the first 27 cover every algorithm × digits × period combination.
fn cases(rng: &mut fastrand::Rng, n: usize) -> Vec<Case> {
    (0..n)
        .map(|i| {
            let len = rng.usize(10..=64);
            let key: Vec<u8> = (0..len).map(|_| rng.u8(..)).collect();
            Case {
                account: format!("k{i:02}"),
                secret: base32(&key),
                algorithm: ALGORITHMS[i % 3],
                digits: DIGITS[(i / 3) % 3],
                period: PERIODS[(i / 9) % 3],
            }
        })
        .collect()
}

fn oathtool(args: &[String]) -> Vec<String> {
    let out = Command::new("oathtool")
        .args(args)
        .output()
        .expect("run oathtool");
    assert!(
        out.status.success(),
        "oathtool {args:?} failed: {}",
        stderr(&out)
    );
    stdout(&out).lines().map(str::to_string).collect()
}

/// Adds every case through one `otp add -` (URIs on stdin).
fn add_all(env: &TestEnv, uris: &[String]) {
    let out = env
        .cmd()
        .args(["add", "-"])
        .write_stdin(uris.join("\n"))
        .output()
        .expect("run otp add");
    assert!(out.status.success(), "otp add - failed: {}", stderr(&out));
}

fn otp_code(env: &TestEnv, query: &str, at: Option<i64>) -> String {
    let mut args = vec!["code".to_string(), query.to_string()];
    if let Some(t) = at {
        args.push(format!("--at={t}"));
    }
    let out = env.cmd().args(&args).output().expect("run otp code");
    assert!(
        out.status.success(),
        "otp {args:?} failed: {}",
        stderr(&out)
    );
    stdout(&out).trim_end().to_string()
}

#[test]
fn totp_agrees_with_oathtool() {
    if !common::require_tool("oathtool") {
        return;
    }
    let mut rng = fastrand::Rng::with_seed(SEED);
    let cases = cases(&mut rng, 36);
    let env = TestEnv::new();
    let uris: Vec<String> = cases
        .iter()
        .map(|c| {
            format!(
                "otpauth://totp/Oath:{}?secret={}&issuer=Oath&algorithm={}&digits={}&period={}",
                c.account, c.secret, c.algorithm, c.digits, c.period
            )
        })
        .collect();
    add_all(&env, &uris);

    let mut compared = 0;
    for c in &cases {
        for t in TIMES {
            // `-w 1`: the code at T and the next period's, in one oathtool call.
            let expected = oathtool(&[
                format!("--totp={}", c.algorithm),
                format!("-d{}", c.digits),
                format!("-s{}", c.period),
                "-w1".into(),
                "-b".into(),
                c.secret.clone(),
                format!("--now=@{t}"),
            ]);
            let query = format!("Oath:{}", c.account);
            let now = otp_code(&env, &query, Some(t));
            let next = otp_code(&env, &query, Some(t + c.period as i64));
            assert_eq!(
                [now, next],
                expected[..2],
                "{} {} digits, {} s, secret {} at {t}",
                c.algorithm,
                c.digits,
                c.period,
                c.secret
            );
            compared += 2;
        }
    }
    assert_eq!(compared, 36 * TIMES.len() * 2);
}

#[test]
fn hotp_agrees_with_oathtool() {
    if !common::require_tool("oathtool") {
        return;
    }
    const CALLS: usize = 4;
    let mut rng = fastrand::Rng::with_seed(SEED ^ 0x4074);
    let cases = cases(&mut rng, 12);
    let env = TestEnv::new();
    let counters: Vec<u64> = cases
        .iter()
        .enumerate()
        .map(|(i, _)| match i {
            0 => 0,
            1 => u64::from(u32::MAX), // the counter crosses 32 bits
            _ => rng.u64(0..10_000_000),
        })
        .collect();
    let uris: Vec<String> = cases
        .iter()
        .zip(&counters)
        .map(|(c, n)| {
            format!(
                "otpauth://hotp/OathH:{}?secret={}&issuer=OathH&algorithm={}&digits={}&counter={n}",
                c.account, c.secret, c.algorithm, c.digits
            )
        })
        .collect();
    add_all(&env, &uris);

    for (c, &n) in cases.iter().zip(&counters) {
        let expected = if c.algorithm == "SHA1" {
            oathtool(&[
                format!("-c{n}"),
                format!("-w{}", CALLS - 1),
                format!("-d{}", c.digits),
                "-b".into(),
                c.secret.clone(),
            ])
        } else {
            // TOTP with a 1-second step from 0 is HOTP with counter = the time.
            oathtool(&[
                format!("--totp={}", c.algorithm),
                "-s1".into(),
                format!("-w{}", CALLS - 1),
                format!("-d{}", c.digits),
                "-b".into(),
                c.secret.clone(),
                format!("--now=@{n}"),
            ])
        };
        let query = format!("OathH:{}", c.account);
        let got: Vec<String> = (0..CALLS).map(|_| otp_code(&env, &query, None)).collect();
        assert_eq!(
            got,
            expected[..CALLS],
            "HOTP {} {} digits, counter {n}, secret {}",
            c.algorithm,
            c.digits,
            c.secret
        );
    }
}

#[test]
fn base32_encoder_matches_rfc_4648() {
    // The test's own encoder, against RFC 4648 §10 (padding dropped).
    assert_eq!(base32(b"f"), "MY");
    assert_eq!(base32(b"foob"), "MZXW6YQ");
    assert_eq!(base32(b"foobar"), "MZXW6YTBOI");
    assert_eq!(
        base32(b"12345678901234567890"),
        "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
    );
}
