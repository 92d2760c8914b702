//! Backups: `otp export` and `otp import`.
//!
//! Round trips through all three formats (age, json, uris) into a fresh vault give the same
//! entries, notes and codes; the age backup is armored, mode 0600, and opens with Debian's
//! `age -d` (passphrase typed on a pseudo-terminal); plaintext formats need `--plaintext`, and
//! on a terminal the refusal shows no secret. Import follows `add`'s duplicate rules: identical
//! entries are skipped, a conflict writes nothing (unless `--replace`), `--dry-run` reports and
//! writes nothing, a wrong passphrase is exit 5 and writes nothing, an unknown file names the
//! supported formats.

use crate::common;

use common::{AT, GITHUB, GOOGLE, TestEnv, assert_success, require_tool, stderr, stdout};
use std::process::{Command, Output, Stdio};

const HOTP: &str = "otpauth://hotp/Bank:bob?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&counter=7";
const PASS: &str = "correct horse battery staple";

fn run_with(env: &TestEnv, args: &[&str], passphrase: Option<&str>) -> Output {
    let mut cmd = env.cmd();
    cmd.args(args);
    if let Some(p) = passphrase {
        cmd.env("OTP_PASSPHRASE", p);
    }
    cmd.output().expect("run otp")
}

fn ok_with(env: &TestEnv, args: &[&str], passphrase: Option<&str>) -> Output {
    let out = run_with(env, args, passphrase);
    assert_success(&out, &format!("otp {args:?}"));
    out
}

/// A vault with a TOTP entry with a note, a second TOTP entry and an HOTP entry.
fn source_world() -> TestEnv {
    let env = TestEnv::new();
    env.add(&[GITHUB, GOOGLE, HOTP]);
    ok_with(&env, &["note", "github", "work laptop"], None);
    env
}

/// What a vault holds, as the user sees it: each entry's URI (its key and parameters),
/// note, and code at AT, sorted.
fn contents(env: &TestEnv) -> Vec<String> {
    let list = stdout(&ok_with(env, &["list", "--json"], None));
    let entries: Vec<serde_json::Value> = serde_json::from_str(&list).expect("list --json");
    let mut rows: Vec<String> = entries
        .iter()
        .map(|e| {
            let id = e["id"].as_str().expect("id");
            let uri = stdout(&ok_with(env, &["uri", id], None));
            let code = if e["type"] == "hotp" {
                String::new()
            } else {
                stdout(&ok_with(env, &["code", id, "--at", &AT.to_string()], None))
            };
            format!("{} {} {}", uri.trim(), e["note"], code.trim())
        })
        .collect();
    rows.sort();
    rows
}

#[test]
fn age_backup_round_trips_and_opens_with_stock_age() {
    let from = source_world();
    let backup = from.dir.path().join("backup.age");
    // A file that exists with a looser mode is replaced by a private one.
    std::fs::write(&backup, "old").unwrap();
    common::chmod(&backup, 0o644);
    let out = ok_with(
        &from,
        &["export", "-o", backup.to_str().unwrap()],
        Some(PASS),
    );
    assert!(out.stdout.is_empty());
    common::assert_mode(&backup, 0o600);
    let text = std::fs::read_to_string(&backup).unwrap();
    assert!(
        text.starts_with("-----BEGIN AGE ENCRYPTED FILE-----\n"),
        "{text}"
    );
    assert!(!text.contains("JBSWY3DPEHPK3PXP"));

    let to = TestEnv::new();
    let out = ok_with(&to, &["import", backup.to_str().unwrap()], Some(PASS));
    assert_eq!(
        stdout(&out).matches("added ").count(),
        3,
        "{}",
        stdout(&out)
    );
    assert_eq!(contents(&to), contents(&from));
    let note = stdout(&ok_with(&to, &["list", "--json"], None));
    assert!(note.contains("work laptop"), "the note came along: {note}");

    // Importing the same backup again changes nothing.
    let before = to.vault_bytes();
    let out = ok_with(&to, &["import", backup.to_str().unwrap()], Some(PASS));
    assert_eq!(stdout(&out).matches("skipped ").count(), 3);
    assert_eq!(to.vault_bytes(), before);

    // Stock age opens it with the passphrase typed on a terminal.
    if require_tool("age") && require_tool("script") {
        let plain = from.dir.path().join("plain.json");
        let line = format!("age -d -o '{}' '{}'", plain.display(), backup.display());
        let mut child = Command::new("script")
            .args(["-q", "-e", "-c", &line, "/dev/null"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("script");
        use std::io::Write;
        child
            .stdin
            .take()
            .unwrap()
            .write_all(format!("{PASS}\n").as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "age -d failed: {}", stdout(&out));
        let doc: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&plain).unwrap()).expect("JSON document");
        assert_eq!(doc["version"], otp::vault::document::VERSION);
        assert_eq!(doc["entries"].as_array().unwrap().len(), 3);
    }
}

#[test]
fn json_and_uris_round_trip_with_plaintext() {
    let from = source_world();
    let json = from.dir.path().join("backup.json");
    ok_with(
        &from,
        &[
            "export",
            "--format",
            "json",
            "--plaintext",
            "-o",
            json.to_str().unwrap(),
        ],
        None,
    );
    common::assert_mode(&json, 0o600);
    let doc: serde_json::Value = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    assert_eq!(doc["entries"].as_array().unwrap().len(), 3);
    let to = TestEnv::new();
    ok_with(&to, &["import", json.to_str().unwrap()], None);
    assert_eq!(contents(&to), contents(&from));

    // uris on stdout (a pipe), then imported with the format named.
    let out = ok_with(&from, &["export", "--format", "uris", "--plaintext"], None);
    let text = stdout(&out);
    assert_eq!(text.lines().count(), 3, "{text}");
    assert!(text.lines().all(|l| l.starts_with("otpauth://")), "{text}");
    let uris = from.dir.path().join("uris.txt");
    std::fs::write(&uris, &text).unwrap();
    let to = TestEnv::new();
    ok_with(
        &to,
        &["import", "--format", "uris", uris.to_str().unwrap()],
        None,
    );
    let strip_notes = |rows: Vec<String>| -> Vec<String> {
        rows.into_iter()
            .map(|r| r.replace("\"work laptop\"", "null"))
            .collect()
    };
    assert_eq!(strip_notes(contents(&to)), strip_notes(contents(&from)));

    // And from stdin, detected.
    let to = TestEnv::new();
    let out = to
        .cmd()
        .args(["import", "-"])
        .write_stdin(text)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(strip_notes(contents(&to)), strip_notes(contents(&from)));
}

#[test]
fn wrong_passphrase_is_exit_5_and_writes_nothing() {
    let from = source_world();
    let backup = from.dir.path().join("backup.age");
    ok_with(
        &from,
        &["export", "-o", backup.to_str().unwrap()],
        Some(PASS),
    );

    // Into an existing vault: unchanged. Into none: none created.
    let to = TestEnv::new();
    to.add(&[GITHUB]);
    let before = to.vault_bytes();
    let out = run_with(&to, &["import", backup.to_str().unwrap()], Some("wrong"));
    assert_eq!(out.status.code(), Some(5), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.starts_with(&format!(
            "otp: cannot unlock backup {}: wrong passphrase",
            backup.display()
        )),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
    assert_eq!(to.vault_bytes(), before);

    let empty = TestEnv::new();
    let out = run_with(&empty, &["import", backup.to_str().unwrap()], Some("wrong"));
    assert_eq!(out.status.code(), Some(5));
    assert!(!empty.vault.exists(), "a vault was created");
    assert!(!empty.identity.exists(), "a key was created");
}

#[test]
fn dry_run_reports_and_writes_nothing() {
    let from = source_world();
    let json = from.dir.path().join("backup.json");
    ok_with(
        &from,
        &[
            "export",
            "--format",
            "json",
            "--plaintext",
            "-o",
            json.to_str().unwrap(),
        ],
        None,
    );
    let file = json.to_str().unwrap();

    // No vault: nothing is created.
    let to = TestEnv::new();
    let out = ok_with(&to, &["import", "--dry-run", file], None);
    assert_eq!(stdout(&out).matches("add ").count(), 3, "{}", stdout(&out));
    assert!(stderr(&out).contains("nothing was written"));
    assert!(!to.vault.exists() && !to.identity.exists());

    // Identical, conflicting (another key for GitHub) and new entries.
    let renewed = "otpauth://totp/GitHub:alice@example.com?secret=MFRGGZDFMZTWQ2LK&issuer=GitHub";
    to.add(&[renewed, GOOGLE]);
    let before = to.vault_bytes();
    let out = run_with(&to, &["import", "--dry-run", file], None);
    let report = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "conflicts would fail: {report}");
    assert!(
        report.contains("conflict  GitHub:alice@example.com"),
        "{report}"
    );
    assert!(
        report.contains("skipped   Google:alice@gmail.com"),
        "{report}"
    );
    assert!(report.contains("add       Bank:bob"), "{report}");
    assert!(stderr(&out).contains("--replace"), "{}", stderr(&out));
    assert_eq!(to.vault_bytes(), before);

    // The real import refuses the same way, and writes nothing: not even the new entry.
    let out = run_with(&to, &["import", file], None);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("nothing was imported"),
        "{}",
        stderr(&out)
    );
    assert_eq!(to.vault_bytes(), before);

    // --dry-run --replace: would renew; still writes nothing. Then the import does it.
    let out = ok_with(&to, &["import", "--dry-run", "--replace", file], None);
    assert!(stdout(&out).contains("replace   GitHub:alice@example.com"));
    assert_eq!(to.vault_bytes(), before);
    let out = ok_with(&to, &["import", "--replace", file], None);
    assert!(stdout(&out).contains("replaced  GitHub:alice@example.com"));
    assert_eq!(contents(&to), contents(&from));
}

#[test]
fn plaintext_export_needs_plaintext_and_refuses_on_a_terminal() {
    let env = source_world();
    for format in ["json", "uris"] {
        let out = run_with(&env, &["export", "--format", format], None);
        assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
        assert!(out.stdout.is_empty());
        assert!(stderr(&out).contains("--plaintext"));
    }
    if !require_tool("script") {
        return;
    }
    let line = format!("'{}' export --format uris", env!("CARGO_BIN_EXE_otp"));
    let out = Command::new("script")
        .args(["-q", "-e", "-c", &line, "/dev/null"])
        .env("HOME", &env.home)
        .env("OTP_VAULT", &env.vault)
        .env("OTP_IDENTITY_FILE", &env.identity)
        .env_remove("OTP_CONFIG")
        .env_remove("OTP_BACKEND")
        .env_remove("OTP_PASSPHRASE")
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        .stdin(Stdio::null())
        .output()
        .expect("script");
    let shown = stdout(&out);
    assert_eq!(out.status.code(), Some(2), "{shown}");
    assert!(shown.contains("on the terminal"), "{shown}");
    assert!(
        !shown.contains("JBSWY3DPEHPK3PXP"),
        "a secret reached the terminal"
    );
    // Refusing a plaintext export must not leave any file behind either.
    let leftovers: Vec<_> = std::fs::read_dir(env.dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name() != "home")
        .collect();
    assert!(leftovers.is_empty());
}

#[test]
fn unknown_files_name_the_supported_formats() {
    let env = TestEnv::new();
    let file = env.dir.path().join("notes.txt");
    std::fs::write(&file, "my secret is JBSWY3DPEHPK3PXP\n").unwrap();
    let out = run_with(&env, &["import", file.to_str().unwrap()], None);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("supported: age, aegis,") && err.contains("json, uris"),
        "{err}"
    );
    assert!(!err.contains("JBSWY3DPEHPK3PXP"), "{err}");
    assert!(!env.vault.exists());

    // A bad line in a URI list: named by number, never quoted; nothing written.
    let bad = env.dir.path().join("bad.txt");
    std::fs::write(
        &bad,
        format!("{GITHUB}\notpauth://totp/X:y?secret=JBSWY3DP%%%\n"),
    )
    .unwrap();
    let out = run_with(&env, &["import", bad.to_str().unwrap()], None);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("line 2"), "{err}");
    assert!(!err.contains("JBSWY3DP"), "{err}");
    assert!(!env.vault.exists());

    let out = run_with(
        &env,
        &["import", "--format", "keepass", bad.to_str().unwrap()],
        None,
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
}
