//! No bad value becomes a wrong code, and no secret leaks from the process.
//!
//! - Entries read from a vault, or imported from otp's own JSON document, are checked as the
//!   input paths check them: a secret as services print it (lower case, spaces, padding)
//!   gives the right code; a bad value (digits 99, a non-base32 secret, an unknown type) is
//!   one clear `otp:` line naming the entry and the field, exit 1, no panic, nothing written.
//! - `otp add` notes on stderr when an otpauth label and its `issuer` parameter disagree;
//!   imports and Google Authenticator transfers say nothing about it.
//! - A secret given on the command line is warned about, once, when stderr is a terminal.
//! - A running `otp` cannot dump core and its environment (`OTP_PASSPHRASE`) cannot be read
//!   by other processes of the same user.

use crate::common;

use common::{AT, GITHUB, TestEnv, otp_line, require_tool, stderr, stdout};
use otp::keys::Key;
use otp::vault::crypto;
use serde_json::{Value, json};
use std::io::Write;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// `oathtool --totp -b JBSWY3DPEHPK3PXP -N @1700000000`: GITHUB's code at AT.
const GITHUB_AT: &str = "324550";

const MICROSOFT: &str =
    "otpauth://totp/Microsoft:me@corp.example?secret=GEZDGNBVGY3TQOJQ&issuer=Microsoft%20365";
const NOTE: &str = "otp: note: source 1 (URI): the label names the issuer \"Microsoft\" but the \
                    issuer parameter \"Microsoft 365\"; keeping \"Microsoft 365\"";
const WARNING: &str = "otp: warning: a secret on the command line";

fn key(env: &TestEnv) -> Key {
    Key::Identity(otp::keys::identity_file::load(&env.identity).expect("identity"))
}

/// The vault's document as JSON.
fn document(env: &TestEnv) -> Value {
    let plaintext = crypto::decrypt(&env.vault_bytes(), &key(env)).expect("decrypt the vault");
    serde_json::from_slice(&plaintext).expect("the document is JSON")
}

/// Writes `doc` as the vault, encrypted as otp encrypts it: a hand-edited vault.
fn write_document(env: &TestEnv, doc: &Value) {
    let text = serde_json::to_vec(doc).expect("serialise");
    let bytes = crypto::encrypt(&text, &key(env), &[]).expect("encrypt");
    std::fs::write(&env.vault, bytes).expect("write the vault");
}

/// A world whose vault holds GITHUB with its first entry's `field` set to `value`.
fn edited(field: &str, value: Value) -> (TestEnv, String) {
    let env = TestEnv::new();
    env.add(&[GITHUB]);
    let mut doc = document(&env);
    let entry = &mut doc["entries"][0];
    let id = entry["id"].as_str().expect("id").to_string();
    entry[field] = value;
    write_document(&env, &doc);
    (env, id)
}

/// One `otp:` line that says `says`, exit 1, nothing on stdout, no panic, no secret.
fn assert_refused(out: &Output, says: &str, ctx: &str) {
    let err = stderr(out);
    let ctx = format!("{ctx}: status {:?}, stderr:\n{err}", out.status);
    assert_eq!(out.status.code(), Some(1), "{ctx}");
    assert!(stdout(out).is_empty(), "{ctx}");
    assert_eq!(err.lines().count(), 1, "{ctx}");
    assert!(err.starts_with("otp: "), "{ctx}");
    assert!(err.contains(says), "should say {says:?}: {ctx}");
    for bad in ["panicked", "RUST_BACKTRACE", "JBSWY3DP", "jbsw"] {
        assert!(!err.contains(bad), "{ctx}");
    }
}

#[test]
fn bad_values_in_a_vault_are_named_never_a_wrong_code_or_a_panic() {
    let cases: Vec<(&str, Value, &str)> = vec![
        (
            "digits",
            json!(99),
            "digits must be between 6 and 10, not 99",
        ),
        ("digits", json!(0), "digits must be between 6 and 10, not 0"),
        (
            "digits",
            json!(255),
            "digits must be between 6 and 10, not 255",
        ),
        (
            "period",
            json!(0),
            "period must be between 1 and 3600 seconds, not 0",
        ),
        ("secret", json!(""), "the secret is empty"),
        (
            "secret",
            json!("jbswy3dp ehpk3px!"),
            "the secret is not base32",
        ),
        (
            "secret",
            json!("JBSWY3DPEHPK3PXPJ"),
            "the secret is not valid base32",
        ),
        ("secret", json!(12345), "the secret is not text"),
        ("type", json!("motp"), "unknown type \"motp\""),
        ("algorithm", json!("MD5"), "unknown algorithm \"MD5\""),
        (
            "issuer",
            json!("I".repeat(300)),
            "the issuer is 300 characters long",
        ),
    ];
    for (field, value, why) in cases {
        let (env, id) = edited(field, value.clone());
        let before = env.vault_bytes();
        let ctx = format!(
            "{field} = {}",
            value.to_string().chars().take(40).collect::<String>()
        );
        let vault = env.vault.display().to_string();
        // (A 300-character issuer no longer matches "github": `otp code` then reads only
        // the names of that entry, and says it matches nothing.)
        let query = if field == "issuer" { "alice" } else { "github" };
        for args in [
            &["code", query, "--at", &AT.to_string()][..],
            &["code", &id, "--at", &AT.to_string()][..],
            &["list"][..],
            &["add", common::GOOGLE][..],
        ] {
            let out = env.run(args);
            let ctx = format!("{ctx}, otp {}", args.join(" "));
            assert_refused(&out, why, &ctx);
            let err = stderr(&out);
            assert!(
                err.starts_with(&format!("otp: cannot read vault {vault}: ")),
                "{ctx}: {err}"
            );
            if field != "issuer" {
                let named = format!("entry {id} (GitHub:alice@example.com): {why}");
                assert!(err.contains(&named), "{ctx}: {err}");
            }
            assert_eq!(env.vault_bytes(), before, "{ctx}: the vault changed");
        }
    }
}

#[test]
fn hand_edited_secrets_as_services_print_them_give_the_right_code() {
    for secret in [
        "jbswy3dpehpk3pxp",
        "JBSW Y3DP EHPK 3PXP",
        "jbsw-y3dp-ehpk-3pxp",
        "JBSWY3DPEHPK3PXP======",
    ] {
        let (env, _) = edited("secret", json!(secret));
        let out = env.run(&["code", "github", "--at", &AT.to_string()]);
        assert!(out.status.success(), "{secret:?}: {}", stderr(&out));
        assert_eq!(stdout(&out), format!("{GITHUB_AT}\n"), "{secret:?}");
        // A write stores it normalised.
        let out = env.run(&["note", "github", "normalised"]);
        assert!(out.status.success(), "{secret:?}: {}", stderr(&out));
        assert_eq!(document(&env)["entries"][0]["secret"], "JBSWY3DPEHPK3PXP");
    }
}

/// otp's own JSON document, as `otp export --format json --plaintext` writes it.
fn json_export(secret: &str, extra: Value) -> String {
    let mut entry = json!({
        "id": "abc123", "issuer": "Bank", "account": "me", "secret": secret,
        "created": 1, "updated": 1,
    });
    if let (Some(entry), Some(extra)) = (entry.as_object_mut(), extra.as_object()) {
        entry.extend(extra.clone());
    }
    json!({"version": 1, "entries": [entry]}).to_string()
}

#[test]
fn importing_otps_json_checks_and_normalises_secrets() {
    for secret in [
        "jbsw y3dp ehpk 3pxp",
        "JBSW-Y3DP-EHPK-3PXP",
        "jbswy3dpehpk3pxp===",
    ] {
        let env = TestEnv::new();
        let file = env.home.join("export.json");
        std::fs::write(&file, json_export(secret, json!({}))).expect("write export");
        let out = env.run(&["import", file.to_str().expect("path")]);
        assert!(out.status.success(), "{secret:?}: {}", stderr(&out));
        let out = env.run(&["code", "bank", "--at", &AT.to_string()]);
        assert_eq!(stdout(&out), format!("{GITHUB_AT}\n"), "{secret:?}");
        assert_eq!(document(&env)["entries"][0]["secret"], "JBSWY3DPEHPK3PXP");
    }

    let env = TestEnv::new();
    env.add(&[GITHUB]);
    let before = env.vault_bytes();
    for (secret, extra, why) in [
        ("not base32!", json!({}), "the secret is not base32"),
        ("", json!({}), "the secret is empty"),
        (
            "JBSWY3DPEHPK3PXP",
            json!({"digits": 99}),
            "digits must be between",
        ),
        (
            "JBSWY3DPEHPK3PXP",
            json!({"period": 0}),
            "period must be between",
        ),
        ("JBSWY3DPEHPK3PXP", json!({"type": "motp"}), "unknown type"),
    ] {
        let file = env.home.join("export.json");
        std::fs::write(&file, json_export(secret, extra.clone())).expect("write export");
        let out = env.run(&["import", file.to_str().expect("path")]);
        let ctx = format!("import {secret:?} {extra}");
        assert_refused(&out, &format!("entry abc123 (Bank:me): {why}"), &ctx);
        assert_eq!(env.vault_bytes(), before, "{ctx}: the vault changed");
    }
}

#[test]
fn a_disagreeing_issuer_is_noted_by_add_only() {
    let env = TestEnv::new();
    let out = env.run(&["add", MICROSOFT]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stderr(&out), format!("{NOTE}\n"));
    assert!(stdout(&out).starts_with("Added Microsoft 365:me@corp.example"));

    // Through stdin, the line is named.
    let env = TestEnv::new();
    let out = env
        .cmd()
        .args(["add", "-"])
        .write_stdin(format!("{GITHUB}\n{MICROSOFT}\n"))
        .output()
        .expect("run otp");
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stderr(&out),
        format!("{}\n", NOTE.replace("source 1 (URI)", "stdin line 2"))
    );

    // Importing a URI list, or a Google Authenticator transfer, says nothing about it.
    let env = TestEnv::new();
    let file = env.home.join("uris.txt");
    std::fs::write(&file, format!("{MICROSOFT}\n")).expect("write uris");
    let out = env.run(&["import", file.to_str().expect("path")]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!stderr(&out).contains("note"), "{}", stderr(&out));

    let entry = otp::uri::parse(MICROSOFT).expect("parse");
    let transfer = otp::migration::to_uris(&[entry], 1, 1);
    let env = TestEnv::new();
    let out = env.run(&["add", transfer[0].as_str()]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).is_empty(), "{}", stderr(&out));
}

/// `otp ARGS` under `script`: stdout and stderr on a pseudo-terminal, whose output is
/// returned. `shell_tail` is appended to the command line (a redirection).
fn on_terminal(env: &TestEnv, args: &[&str], shell_tail: &str) -> String {
    let line = otp_line(args) + shell_tail;
    let out = env.on_pty(&line).output().expect("run script");
    assert!(out.status.success(), "{line}: {}", stdout(&out));
    stdout(&out).replace("\r\n", "\n")
}

#[test]
fn a_secret_on_the_command_line_is_warned_about_on_a_terminal() {
    if !require_tool("script") {
        return;
    }
    let env = TestEnv::new();
    // Two secrets on the command line: one warning, one line.
    let shown = on_terminal(&env, &["add", GITHUB, common::GOOGLE], "");
    let warnings: Vec<&str> = shown.lines().filter(|l| l.contains("warning")).collect();
    assert_eq!(warnings.len(), 1, "{shown}");
    assert!(warnings[0].starts_with(WARNING), "{shown}");
    for way in ["`otp add -`", "qr.png", "hidden prompt"] {
        assert!(warnings[0].contains(way), "{way}: {shown}");
    }
    assert!(!warnings[0].contains("JBSWY3DP"), "{shown}");
    assert!(shown.contains("Added GitHub:alice@example.com"), "{shown}");

    // The same URI on stdin is no warning, on a terminal or not.
    let file = env.home.join("uri.txt");
    std::fs::write(&file, format!("{MICROSOFT}\n")).expect("write uri");
    let tail = format!(" < '{}'", file.display());
    let shown = on_terminal(&env, &["add", "-"], &tail);
    assert!(!shown.contains("warning"), "{shown}");
    assert!(shown.contains("Added Microsoft 365"), "{shown}");

    // stderr not a terminal: nothing but the result.
    let env = TestEnv::new();
    let out = env.run(&["add", GITHUB]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).is_empty(), "{}", stderr(&out));
}

#[test]
fn uris_pasted_on_a_terminal_are_not_shown() {
    if !require_tool("script") {
        return;
    }
    let env = TestEnv::new();
    let quote = |s: &str| format!("'{}'", s.replace('\'', r"'\''"));
    let line = format!("{} add -", quote(env!("CARGO_BIN_EXE_otp")));
    // `script` gives otp a terminal and passes what this test writes to it as typed keys.
    let child = Command::new("script")
        .args(["-q", "-e", "-c", &line, "/dev/null"])
        .env("HOME", &env.home)
        .env("XDG_DATA_HOME", env.home.join(".local/share"))
        .env("XDG_CONFIG_HOME", env.home.join(".config"))
        .env("OTP_VAULT", &env.vault)
        .env("OTP_IDENTITY_FILE", &env.identity)
        .env("NO_COLOR", "1")
        .env_remove("OTP_CONFIG")
        .env_remove("OTP_BACKEND")
        .env_remove("OTP_PASSPHRASE")
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("run script");
    let mut child = Reaped(child);
    let mut terminal = child.0.stdout.take().expect("stdout");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        while let Ok(n) = std::io::Read::read(&mut terminal, &mut buf) {
            if n == 0 || tx.send(buf[..n].to_vec()).is_err() {
                break;
            }
        }
    });
    let mut shown = Vec::new();
    let wait_for = |what: &str, shown: &mut Vec<u8>| {
        let deadline = Instant::now() + Duration::from_secs(20);
        while !String::from_utf8_lossy(shown).contains(what) {
            let left = deadline.saturating_duration_since(Instant::now());
            match rx.recv_timeout(left) {
                Ok(bytes) => shown.extend(bytes),
                Err(_) => panic!("{what:?} never shown: {}", String::from_utf8_lossy(shown)),
            }
        }
    };
    wait_for("Paste otpauth URIs", &mut shown);
    // The prompt is written just before echo is turned off: give it time to be.
    std::thread::sleep(Duration::from_millis(300));
    let mut keys = child.0.stdin.take().expect("stdin");
    write!(keys, "{GITHUB}\r{MICROSOFT}\r\r").expect("type");
    keys.flush().expect("flush");
    wait_for("Added Microsoft 365", &mut shown);
    let deadline = Instant::now() + Duration::from_secs(20);
    while child.0.try_wait().expect("wait").is_none() {
        assert!(Instant::now() < deadline, "otp did not end");
        std::thread::sleep(Duration::from_millis(20));
    }
    drop(keys);
    while let Ok(bytes) = rx.recv_timeout(Duration::from_millis(200)) {
        shown.extend(bytes);
    }
    let shown = String::from_utf8_lossy(&shown).replace("\r\n", "\n");
    assert_eq!(
        child.0.try_wait().expect("wait").and_then(|s| s.code()),
        Some(0),
        "{shown}"
    );
    for secret in ["JBSWY3DP", "GEZDGNBV", "secret="] {
        assert!(!shown.contains(secret), "{secret} shown: {shown}");
    }
    assert!(shown.contains("Added GitHub:alice@example.com"), "{shown}");
    assert!(
        shown.contains(&NOTE.replace("source 1 (URI)", "stdin line 2")),
        "{shown}"
    );
    assert!(!shown.contains("warning"), "{shown}");
    assert_eq!(document(&env)["entries"].as_array().map(Vec::len), Some(2));
}

/// The effective user id of this test process.
#[cfg(target_os = "linux")]
fn euid() -> u32 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    let line = status
        .lines()
        .find(|l| l.starts_with("Uid:"))
        .expect("Uid line");
    line.split_whitespace()
        .nth(2)
        .and_then(|u| u.parse().ok())
        .expect("effective uid")
}

#[cfg(target_os = "linux")]
const NOBODY: &str = "65534";

/// `program ARGS`, as the unprivileged `nobody` when the tests run as root: the check is
/// about what another process of the *same* user can read, and root reads everything.
#[cfg(target_os = "linux")]
fn as_same_user(program: &str, args: &[&str]) -> Command {
    if euid() != 0 {
        let mut cmd = Command::new(program);
        cmd.args(args);
        return cmd;
    }
    let mut cmd = Command::new("setpriv");
    cmd.args([
        &format!("--reuid={NOBODY}"),
        &format!("--regid={NOBODY}"),
        "--clear-groups",
        program,
    ])
    .args(args);
    cmd
}

/// The soft and hard core file size limits in a `/proc/PID/limits` file.
#[cfg(target_os = "linux")]
fn core_limits(file: &str) -> (String, String) {
    let limits = std::fs::read_to_string(file).expect("read limits");
    let line = limits
        .lines()
        .find(|l| l.starts_with("Max core file size"))
        .expect("core limit line");
    let mut values = line
        .trim_start_matches("Max core file size")
        .split_whitespace()
        .map(str::to_string);
    let soft = values.next().expect("soft limit");
    let hard = values.next().expect("hard limit");
    (soft, hard)
}

/// Kills the child when the test ends, however it ends.
struct Reaped(std::process::Child);

impl Drop for Reaped {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[cfg(target_os = "linux")]
#[test]
fn a_running_otp_cannot_dump_core_or_show_its_environment() {
    if !require_tool("prlimit") || (euid() == 0 && !require_tool("setpriv")) {
        return;
    }
    let home = tempfile::tempdir().expect("temp dir");
    if euid() == 0 {
        let id = NOBODY.parse().ok();
        std::os::unix::fs::chown(home.path(), id, id).expect("chown the home to nobody");
    }
    const CANARY: &str = "canary-passphrase-8f3a";
    // Started with cores allowed (the soft limit raised to the hard one, which any process
    // may do), so that a limit of 0 is otp's doing and not this environment's default.
    // (Where the hard limit is 0 already, only the dumpable checks below test anything.)
    let hard = core_limits("/proc/self/limits").1;
    let core = format!("--core={hard}:");
    // `otp add -` waits on stdin, which stays open until the checks are done.
    let otp = env!("CARGO_BIN_EXE_otp");
    let child = as_same_user("prlimit", &[&core, otp, "add", "-"])
        .env_clear()
        .env("HOME", home.path())
        .env("XDG_CONFIG_HOME", home.path().join(".config"))
        .env("XDG_DATA_HOME", home.path().join(".local/share"))
        .env("OTP_VAULT", home.path().join("vault.age"))
        .env("OTP_BACKEND", "passphrase")
        .env("OTP_PASSPHRASE", CANARY)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start otp");
    let mut child = Reaped(child);
    let pid = child.0.id();

    // Waiting on stdin: sleeping, with `otp` (not setpriv) as the program.
    let proc = |what: &str| std::fs::read_to_string(format!("/proc/{pid}/{what}"));
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let stat = proc("stat").unwrap_or_default();
        let comm = proc("comm").unwrap_or_default();
        let state = stat.rsplit_once(") ").map(|(_, rest)| rest.chars().next());
        if comm.trim() == "otp" && state == Some(Some('S')) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "otp did not start waiting on stdin: {stat}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }

    // The soft limit only: the hard one is left for otp's children to raise it again.
    assert_eq!(
        core_limits(&format!("/proc/{pid}/limits")),
        ("0".to_string(), hard.clone())
    );

    // Not dumpable: its /proc files belong to root, and the same user cannot read them.
    let environ = format!("/proc/{pid}/environ");
    let owner = std::os::unix::fs::MetadataExt::uid(&std::fs::metadata(&environ).expect("stat"));
    assert_eq!(owner, 0, "{environ} belongs to otp's user: otp is dumpable");
    let read = as_same_user("cat", &[&environ])
        .stdin(Stdio::null())
        .output()
        .expect("run cat");
    assert!(!read.status.success(), "the same user read {environ}");
    assert!(!String::from_utf8_lossy(&read.stdout).contains(CANARY));

    // Closing stdin ends it normally: no entry given.
    let mut stdin = child.0.stdin.take().expect("stdin");
    let _ = stdin.write_all(b"");
    drop(stdin);
    let deadline = Instant::now() + Duration::from_secs(20);
    while child.0.try_wait().expect("wait").is_none() {
        assert!(Instant::now() < deadline, "otp did not end");
        std::thread::sleep(Duration::from_millis(20));
    }
    let status = child.0.try_wait().expect("wait").expect("ended");
    assert_eq!(status.code(), Some(1), "otp add with empty stdin");
}
