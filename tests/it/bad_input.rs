//! Bad input never hurts: malformed otpauth URIs (repeated parameters included),
//! out-of-range manual parameters, damaged vaults, wrong or missing keys, a vault from a
//! newer `otp`, usage mistakes and unknown config keys.
//!
//! Every case asserts the whole contract of a failure: the documented exit code; stderr is
//! exactly one `otp: …` line (followed by a `hint:` only for exits 3, 4 and 5, and for 4 by the
//! candidates); nothing on stdout; no panic or backtrace text; no secret on stderr; and the
//! vault directory unchanged byte for byte (a lock file may appear, nothing else).

use crate::common;

use common::{AT, GITHUB, GOOGLE, TestEnv, stderr, stdout};
use otp::keys::Key;
use otp::vault::Document;
use otp::vault::crypto;
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Output;

/// Secrets of the entries in the vault every case starts from.
const VAULT_SECRETS: &[&str] = &[
    "JBSWY3DPEHPK3PXP",
    "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ",
    "MFRGGZDFMZTWQ2LKNNWG23TPOBYXE43U",
];

/// A second GitHub account, so that "github" is ambiguous.
const GITHUB_BOB: &str =
    "otpauth://totp/GitHub:bob@example.com?secret=MFRGGZDFMZTWQ2LKNNWG23TPOBYXE43U&issuer=GitHub";

/// A secret used only in the rejected inputs (never stored).
const FRESH: &str = "KRUGS4ZANFZSAYLTMVRXEZLU";

/// A world whose vault holds GitHub (alice, bob) and Google.
fn world() -> TestEnv {
    let env = TestEnv::new();
    env.add(&[GITHUB, GOOGLE, GITHUB_BOB]);
    env
}

/// Every file beside the vault with its bytes, to show that a failure changed nothing.
fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir)
        .expect("vault dir")
        .map(|e| {
            let e = e.expect("dir entry");
            let bytes = std::fs::read(e.path()).expect("read file");
            (e.file_name().to_string_lossy().into_owned(), bytes)
        })
        .collect()
}

/// What one failing run must look like.
struct Expect<'a> {
    exit: i32,
    /// A phrase the `otp:` line must contain (case-insensitive): the reason, or a name.
    says: &'a str,
    /// Secrets that were part of the input and must not be echoed.
    secrets: &'a [&'a str],
}

/// Runs `run` and checks its failure against `expect` and the unchanged vault directory.
fn check(env: &TestEnv, case: &str, expect: Expect, run: impl FnOnce() -> Output) {
    let dir = env.vault.parent().expect("vault dir").to_path_buf();
    let before = snapshot(&dir);
    let out = run();
    let err = stderr(&out);
    let ctx = format!("case {case:?}: status {:?}, stderr:\n{err}", out.status);

    assert_eq!(out.status.code(), Some(expect.exit), "{ctx}");
    assert!(stdout(&out).is_empty(), "{ctx}\nstdout: {}", stdout(&out));
    for bad in ["panicked", "RUST_BACKTRACE", "stack backtrace"] {
        assert!(!err.contains(bad), "{ctx}");
    }
    assert!(err.len() < 2000, "stderr is not a one-line error: {ctx}");
    for secret in expect.secrets.iter().chain(VAULT_SECRETS) {
        assert!(
            !err.to_uppercase().contains(&secret.to_uppercase()),
            "secret {secret} on stderr: {ctx}"
        );
    }
    check_lines(&err, expect.exit, &ctx);
    if expect.exit == 5 {
        let vault = env.vault.display().to_string();
        assert!(
            err.contains(&vault),
            "an unlock error names the vault: {ctx}"
        );
    }
    assert!(
        err.lines()
            .next()
            .unwrap_or_default()
            .to_lowercase()
            .contains(&expect.says.to_lowercase()),
        "the error should say {:?}: {ctx}",
        expect.says
    );

    let mut after = snapshot(&dir);
    if !before.contains_key("vault.age.lock") {
        after.remove("vault.age.lock");
    }
    assert!(
        before == after,
        "the vault directory changed: {ctx}\nbefore: {:?}\nafter: {:?}",
        before.keys().collect::<Vec<_>>(),
        after.keys().collect::<Vec<_>>()
    );
}

/// Exactly one `otp:` line; at most one `hint:` line; candidates only for exit 4.
fn check_lines(err: &str, exit: i32, ctx: &str) {
    let lines: Vec<&str> = err.lines().collect();
    assert!(
        lines.first().is_some_and(|l| l.starts_with("otp: ")),
        "{ctx}"
    );
    assert_eq!(
        lines.iter().filter(|l| l.starts_with("otp: ")).count(),
        1,
        "{ctx}"
    );
    let rest = &lines[1..];
    match exit {
        3 | 5 => assert!(
            rest.is_empty() || (rest.len() == 1 && rest[0].starts_with("hint: ")),
            "{ctx}"
        ),
        4 => {
            assert_eq!(rest.first(), Some(&"hint: candidates:"), "{ctx}");
            assert!(rest.len() >= 3, "at least two candidates: {ctx}");
            assert!(rest[1..].iter().all(|l| l.starts_with("  ")), "{ctx}");
        }
        _ => assert!(
            rest.is_empty() || (rest.len() == 1 && rest[0].starts_with("hint: ")),
            "at most a hint after the error for exit {exit}: {ctx}"
        ),
    }
}

fn uri(label: &str, query: &str) -> String {
    format!("otpauth://totp/{label}?{query}")
}

#[test]
fn rejected_uris_change_nothing() {
    let env = world();
    let long_label = format!("Example:{}", "a".repeat(10_000));
    let cases: Vec<(&str, String, &str)> = vec![
        (
            "bad base32",
            uri("X:y", &format!("secret={}1", &FRESH[..23])),
            "not base32",
        ),
        (
            "digits=99",
            uri("X:y", &format!("secret={FRESH}&digits=99")),
            "digits",
        ),
        (
            "period=0",
            uri("X:y", &format!("secret={FRESH}&period=0")),
            "period",
        ),
        (
            "unknown algorithm",
            uri("X:y", &format!("secret={FRESH}&algorithm=MD5")),
            "algorithm",
        ),
        (
            "unknown otp type",
            format!("otpauth://motp/X:y?secret={FRESH}"),
            "type",
        ),
        (
            "10,000-character label",
            uri(&long_label, &format!("secret={FRESH}")),
            "10000 characters",
        ),
        (
            "broken percent escape %zz",
            uri("X:y%zz", &format!("secret={FRESH}")),
            "percent escape",
        ),
        (
            "non-UTF-8 percent escape %FF",
            uri("X:y%FF", &format!("secret={FRESH}")),
            "not UTF-8",
        ),
        ("empty secret", uri("X:y", "secret=&issuer=X"), "empty"),
        ("missing secret", uri("X:y", "issuer=X"), "no secret"),
        (
            "non-numeric counter",
            format!("otpauth://hotp/X:y?secret={FRESH}&counter=lots"),
            "counter",
        ),
        // A parameter given twice: which one the service meant is unknown.
        (
            "secret given twice",
            uri("X:y", &format!("secret={FRESH}&Secret=JBSWY3DPEHPK3PXP")),
            "secret parameter is given more than once",
        ),
        (
            "digits given twice",
            uri("X:y", &format!("secret={FRESH}&digits=6&DIGITS=8")),
            "digits parameter is given more than once",
        ),
        (
            "period given twice",
            uri("X:y", &format!("period=30&secret={FRESH}&period=60")),
            "period parameter is given more than once",
        ),
        (
            "algorithm given twice",
            uri(
                "X:y",
                &format!("secret={FRESH}&algorithm=SHA1&algorithm=SHA256"),
            ),
            "algorithm parameter is given more than once",
        ),
        (
            "issuer given twice",
            uri("X:y", &format!("secret={FRESH}&issuer=X&issuer=Y")),
            "issuer parameter is given more than once",
        ),
        (
            "counter given twice",
            format!("otpauth://hotp/X:y?secret={FRESH}&counter=1&counter=2"),
            "counter parameter is given more than once",
        ),
        (
            "duplicate with a different secret, no --replace",
            uri(
                "GitHub:alice@example.com",
                &format!("secret={FRESH}&issuer=GitHub"),
            ),
            "different secret",
        ),
    ];
    for (case, uri, says) in &cases {
        let expect = Expect {
            exit: 1,
            says,
            secrets: &[FRESH],
        };
        check(&env, case, expect, || env.run_with_stdin(&["add", uri], ""));
    }

    // One good and one bad source in one `otp add`: nothing is added, not even the good one.
    let good = uri("Fresh:carol", &format!("secret={FRESH}&issuer=Fresh"));
    let bad = uri("X:y", &format!("secret={FRESH}&digits=99"));
    let expect = Expect {
        exit: 1,
        says: "source 2",
        secrets: &[FRESH],
    };
    check(&env, "one good, one bad URI", expect, || {
        env.run_with_stdin(&["add", &good, &bad], "")
    });
    // The same through stdin: the bad line is named, nothing is added.
    let expect = Expect {
        exit: 1,
        says: "stdin line 2",
        secrets: &[FRESH],
    };
    check(&env, "one good, one bad line on stdin", expect, || {
        env.run_with_stdin(&["add", "-"], &format!("{good}\n{bad}\n"))
    });
    let out = env.run(&["list", "fresh"]);
    assert_eq!(out.status.code(), Some(3), "nothing was added");
}

/// A URI with a wrong or mistyped scheme is refused without echoing it: it holds the secret.
#[test]
fn wrong_scheme_is_refused_without_echoing_the_secret() {
    let env = world();
    for uri in [
        format!("http://example.com/totp/X:y?secret={FRESH}"),
        format!("otpauth:/totp/X:y?secret={FRESH}&issuer=X"),
    ] {
        let expect = Expect {
            exit: 1,
            says: "otpauth",
            secrets: &[FRESH],
        };
        check(
            &env,
            &format!("wrong scheme {}", &uri[..10]),
            expect,
            || env.run_with_stdin(&["add", &uri], ""),
        );
    }
}

#[test]
fn rejected_manual_entries_change_nothing() {
    let env = world();
    let manual = |extra: &[&str]| {
        let mut args = vec![
            "add",
            "--issuer",
            "Manual",
            "--account",
            "x",
            "--secret-stdin",
        ];
        args.extend_from_slice(extra);
        args.into_iter().map(String::from).collect::<Vec<_>>()
    };
    let cases: Vec<(&str, Vec<String>, String, &str)> = vec![
        (
            "non-base32 secret on stdin",
            manual(&[]),
            "not-a-secret! 0189\n".into(),
            "not base32",
        ),
        ("empty secret on stdin", manual(&[]), "\n".into(), "empty"),
        (
            "--digits 5",
            manual(&["--digits", "5"]),
            format!("{FRESH}\n"),
            "digits",
        ),
        (
            "--period 0",
            manual(&["--period", "0"]),
            format!("{FRESH}\n"),
            "period",
        ),
        (
            "--algorithm MD5",
            manual(&["--algorithm", "MD5"]),
            format!("{FRESH}\n"),
            "algorithm",
        ),
        (
            "--type motp",
            manual(&["--type", "motp"]),
            format!("{FRESH}\n"),
            "type",
        ),
    ];
    for (case, args, stdin, says) in &cases {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let expect = Expect {
            exit: 1,
            says,
            secrets: &[FRESH, "not-a-secret! 0189"],
        };
        check(&env, case, expect, || env.run_with_stdin(&args, stdin));
    }
}

#[test]
fn usage_and_query_errors() {
    let env = world();
    let expect = Expect {
        exit: 2,
        says: "--at",
        secrets: &[],
    };
    check(&env, "--at garbage", expect, || {
        env.run_with_stdin(&["code", "google", "--at", "garbage"], "")
    });

    // Even an answer of "y" on a pipe is no confirmation.
    let expect = Expect {
        exit: 2,
        says: "without confirmation",
        secrets: &[],
    };
    check(
        &env,
        "rm without --yes, stdin not a terminal",
        expect,
        || env.run_with_stdin(&["rm", "google"], "y\n"),
    );

    let expect = Expect {
        exit: 3,
        says: "nomatch",
        secrets: &[],
    };
    check(&env, "no match", expect, || {
        env.run_with_stdin(&["code", "nomatch", "--at", &AT.to_string()], "")
    });

    let expect = Expect {
        exit: 4,
        says: "github",
        secrets: &[],
    };
    let mut candidates = String::new();
    check(&env, "ambiguous query", expect, || {
        let out = env.run_with_stdin(&["code", "github", "--at", &AT.to_string()], "");
        candidates = stderr(&out);
        out
    });
    assert!(
        candidates.contains("alice@example.com") && candidates.contains("bob@example.com"),
        "both candidates are listed: {candidates}"
    );

    // An ambiguous `rm --yes` removes nothing.
    let expect = Expect {
        exit: 4,
        says: "github",
        secrets: &[],
    };
    check(&env, "ambiguous rm --yes", expect, || {
        env.run_with_stdin(&["rm", "--yes", "github"], "")
    });
}

#[test]
fn unknown_config_key_is_named() {
    let env = world();
    let config = env.home.join("config.toml");
    std::fs::write(&config, "bakend = \"identity-file\"\n").expect("write config");
    for args in [&["list"][..], &["add", GOOGLE]] {
        let expect = Expect {
            exit: 1,
            says: "bakend",
            secrets: &[],
        };
        check(&env, "unknown config key", expect, || {
            env.cmd()
                .env("OTP_CONFIG", &config)
                .args(args)
                .write_stdin("")
                .output()
                .expect("run otp")
        });
    }
}

/// Replaces the vault's bytes, then checks that reading, adding, a code and removing all fail
/// with exit 5, name the vault and the cause, and leave the damaged file as it was.
fn check_damaged(case: &str, damage: impl FnOnce(Vec<u8>) -> Vec<u8>, says: &str) {
    let env = world();
    let damaged = damage(env.vault_bytes());
    std::fs::write(&env.vault, &damaged).expect("damage the vault");
    for args in [
        &["list"][..],
        &["add", &uri("Fresh:carol", &format!("secret={FRESH}"))],
        &["code", "google", "--at", &AT.to_string()],
        &["rm", "--yes", "google"],
    ] {
        let expect = Expect {
            exit: 5,
            says,
            secrets: &[FRESH],
        };
        check(&env, &format!("{case}: {}", args[0]), expect, || {
            env.run_with_stdin(args, "")
        });
    }
}

#[test]
fn corrupted_vault_payload() {
    check_damaged(
        "payload byte flipped",
        |mut b| {
            let n = b.len();
            b[n - 20] ^= 0x01;
            b
        },
        "tampered",
    );
}

#[test]
fn corrupted_vault_header() {
    check_damaged(
        "header MAC byte flipped",
        |mut b| {
            // The header ends with "--- MAC\n"; flip a character of the MAC.
            let mac = b.windows(4).position(|w| w == b"--- ").expect("age header") + 6;
            b[mac] = if b[mac] == b'A' { b'B' } else { b'A' };
            b
        },
        "cannot unlock vault",
    );
}

#[test]
fn truncated_vault() {
    check_damaged(
        "truncated to half",
        |mut b| {
            b.truncate(b.len() / 2);
            b
        },
        "truncated",
    );
}

#[test]
fn empty_vault_file() {
    check_damaged("empty file", |_| Vec::new(), "not an age file");
}

#[test]
fn vault_that_is_not_age() {
    check_damaged(
        "plain JSON",
        |_| br#"{"version": 1, "entries": []}"#.to_vec(),
        "not an age file",
    );
}

#[test]
fn wrong_identity_file() {
    let env = world();
    let other = env.home.join("other-identity.txt");
    otp::keys::identity_file::create(&other, &age::x25519::Identity::generate())
        .expect("other identity");
    let expect = |says| Expect {
        exit: 5,
        says,
        secrets: &[FRESH],
    };
    for args in [
        &["list"][..],
        &["add", &uri("F:c", &format!("secret={FRESH}"))],
    ] {
        check(&env, "another identity", expect("wrong key"), || {
            env.cmd()
                .env("OTP_IDENTITY_FILE", &other)
                .args(args)
                .write_stdin("")
                .output()
                .expect("run otp")
        });
    }

    let missing = env.home.join("no-such-identity.txt");
    for args in [
        &["list"][..],
        &["add", &uri("F:c", &format!("secret={FRESH}"))],
    ] {
        check(
            &env,
            "missing identity file",
            expect("no identity file"),
            || {
                env.cmd()
                    .env("OTP_IDENTITY_FILE", &missing)
                    .args(args)
                    .write_stdin("")
                    .output()
                    .expect("run otp")
            },
        );
        assert!(!missing.exists(), "a failed unlock must not create a key");
    }
}

#[test]
fn newer_vault_version_is_read_only() {
    let env = world();
    let identity = otp::keys::identity_file::load(&env.identity).expect("identity");
    let key = Key::Identity(identity);
    let plaintext = crypto::decrypt(&env.vault_bytes(), &key).expect("decrypt");
    let mut doc = Document::from_json(&plaintext).expect("parse");
    doc.version = otp::vault::document::VERSION + 1;
    let newer = crypto::encrypt(&doc.to_json(), &key, &[]).expect("encrypt");
    std::fs::write(&env.vault, &newer).expect("write newer vault");

    let expect = Expect {
        exit: 1,
        says: "newer",
        secrets: &[FRESH],
    };
    let add = uri("Fresh:carol", &format!("secret={FRESH}"));
    check(&env, "add to a newer vault", expect, || {
        env.run_with_stdin(&["add", &add], "")
    });
    let expect = Expect {
        exit: 1,
        says: "newer",
        secrets: &[],
    };
    check(&env, "rm from a newer vault", expect, || {
        env.run_with_stdin(&["rm", "--yes", "google"], "")
    });

    // Reading still works.
    let out = env.run_with_stdin(&["list", "--json"], "");
    assert!(out.status.success(), "list: {}", stderr(&out));
    let list: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(list.as_array().map(Vec::len), Some(3), "{list}");
    let out = env.run_with_stdin(&["code", "google", "--at", &AT.to_string()], "");
    assert!(out.status.success(), "code: {}", stderr(&out));
    assert_eq!(env.vault_bytes(), newer);
}
