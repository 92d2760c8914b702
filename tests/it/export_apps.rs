//! Exports for phones: `otp export --format aegis` and `--format google-qr`.
//!
//! An Aegis export (plain vault, version 1 / db version 3, mode 0600, `--plaintext` required)
//! imports back into a fresh vault as the same entries and notes; Google Authenticator
//! transfer QR codes written with `--png-dir` (batches of at most 10 accounts, one shared
//! batch id, files 0600) come back through `otp add PNG…` as the same accounts, and `zbarimg`
//! reads them to URIs that import the same way. Accounts the transfer format cannot carry are
//! named on stderr; drawing to a pipe, `--png-dir` with another format and existing files are
//! refused without writing anything.

use crate::common;

use common::apps::fixture;
use common::{TestEnv, ok, require_tool, stderr, stdout};
use serde_json::Value;

/// Issuers of the fixture accounts Google's format cannot carry (7 digits and 60 s, 15 s,
/// Steam).
const NOT_FOR_GOOGLE: [&str; 3] = ["Example Bank", "FastExchange", "Steam"];

/// The ten fixture accounts (every type, algorithm, odd digits and periods), five more so
/// that the Google export needs two QR codes, and a note.
fn source_world() -> TestEnv {
    let env = TestEnv::new();
    let out = env
        .cmd()
        .arg("import")
        .arg(fixture("otpauth_uris.txt"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let extra: Vec<String> = (1..=5)
        .map(|i| {
            format!(
                "otpauth://totp/Shop%20{i}:buyer+{i}@example.com?secret=JBSWY3DPEHPK3PX{}&issuer=Shop%20{i}",
                ["P", "Q", "R", "S", "T"][i - 1]
            )
        })
        .collect();
    env.add(&extra.iter().map(String::as_str).collect::<Vec<_>>());
    ok(env.cmd(), &["note", "GitHub", "work laptop; drawer 2"]);
    env
}

/// Each entry as `otp uri` prints it (its key and every parameter), with its note, sorted;
/// `skip` leaves out issuers.
fn contents(env: &TestEnv, with_notes: bool, skip: &[&str]) -> Vec<String> {
    let list: Vec<Value> =
        serde_json::from_slice(&ok(env.cmd(), &["list", "--json"]).stdout).unwrap();
    let mut rows: Vec<String> = list
        .iter()
        .filter(|e| !skip.contains(&e["issuer"].as_str().unwrap()))
        .map(|e| {
            let uri = stdout(&ok(env.cmd(), &["uri", e["id"].as_str().unwrap()]));
            if with_notes {
                format!("{} {}", uri.trim(), e["note"])
            } else {
                uri.trim().to_string()
            }
        })
        .collect();
    rows.sort();
    rows
}

#[test]
fn aegis_export_imports_back_to_the_same_entries() {
    let from = source_world();
    let file = from.dir.path().join("aegis.json");
    let path = file.to_str().unwrap();
    ok(
        from.cmd(),
        &["export", "--format", "aegis", "--plaintext", "-o", path],
    );
    common::assert_mode(&file, 0o600);

    let vault: Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    assert_eq!(vault["version"], 1);
    assert_eq!(vault["header"]["slots"], Value::Null);
    assert_eq!(vault["db"]["version"], 3);
    let entries = vault["db"]["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 15);
    let kinds: Vec<&str> = entries
        .iter()
        .map(|e| e["type"].as_str().unwrap())
        .collect();
    assert!(kinds.contains(&"hotp") && kinds.contains(&"steam") && kinds.contains(&"totp"));
    let hotp = entries.iter().find(|e| e["type"] == "hotp").unwrap();
    assert_eq!(hotp["info"]["counter"], 10300);
    assert!(hotp["info"].get("period").is_none());
    let mut uuids: Vec<&str> = entries
        .iter()
        .map(|e| e["uuid"].as_str().unwrap())
        .collect();
    uuids.sort();
    uuids.dedup();
    assert_eq!(uuids.len(), 15, "one uuid per entry");

    let to = TestEnv::new();
    let out = ok(to.cmd(), &["import", path]);
    assert!(stderr(&out).contains("(aegis format)"), "{}", stderr(&out));
    assert_eq!(contents(&to, true, &[]), contents(&from, true, &[]));

    // Exporting again gives the same file: uuids are derived from the entries.
    let again = from.dir.path().join("again.json");
    ok(
        from.cmd(),
        &[
            "export",
            "--format",
            "aegis",
            "--plaintext",
            "-o",
            again.to_str().unwrap(),
        ],
    );
    assert_eq!(
        std::fs::read(&again).unwrap(),
        std::fs::read(&file).unwrap()
    );
}

#[test]
fn aegis_export_needs_plaintext() {
    let env = source_world();
    let file = env.dir.path().join("aegis.json");
    let out = env.run(&["export", "--format", "aegis", "-o", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("--plaintext"), "{}", stderr(&out));
    assert!(!file.exists());
}

#[test]
fn google_qr_pngs_add_back_to_the_same_accounts() {
    let from = source_world();
    let dir = from.dir.path().join("qr");
    let out = ok(
        from.cmd(),
        &[
            "export",
            "--format",
            "google-qr",
            "--png-dir",
            dir.to_str().unwrap(),
        ],
    );
    // The accounts the format cannot carry are named.
    let err = stderr(&out);
    for issuer in NOT_FOR_GOOGLE {
        assert!(
            err.lines()
                .any(|l| l.starts_with("skipped ") && l.contains(issuer)),
            "{issuer}: {err}"
        );
    }
    assert_eq!(err.matches("skipped ").count(), 3, "{err}");

    // 12 accounts: two codes.
    let mut pngs: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    pngs.sort();
    let names: Vec<_> = pngs
        .iter()
        .map(|p| p.file_name().unwrap().to_str().unwrap().to_string())
        .collect();
    assert_eq!(names, ["otp-google-1-of-2.png", "otp-google-2-of-2.png"]);
    for png in &pngs {
        common::assert_mode(png, 0o600);
    }

    let want = contents(&from, false, &NOT_FOR_GOOGLE);
    assert_eq!(want.len(), 12);
    let to = TestEnv::new();
    let out = to.cmd().arg("add").args(&pngs).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(contents(&to, false, &[]), want);

    // An independent reader: zbarimg decodes every code to a transfer URI.
    if require_tool("zbarimg") {
        let mut uris = String::new();
        for png in &pngs {
            let out = std::process::Command::new("zbarimg")
                .args(["-q", "--raw"])
                .arg(png)
                .output()
                .unwrap();
            assert!(out.status.success(), "zbarimg {}", png.display());
            let text = stdout(&out);
            assert!(
                text.starts_with("otpauth-migration://offline?data="),
                "{text}"
            );
            uris.push_str(&text);
        }
        let by_zbar = TestEnv::new();
        let out = by_zbar
            .cmd()
            .args(["add", "-"])
            .write_stdin(uris)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
        assert_eq!(contents(&by_zbar, false, &[]), want);
    }
}

#[test]
fn google_qr_refuses_pipes_other_formats_and_existing_files() {
    let env = source_world();
    // Not a terminal and no --png-dir: no QR code is drawn into a pipe.
    let out = env.run(&["export", "--format", "google-qr"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(out.stdout.is_empty());
    assert!(stderr(&out).contains("--png-dir"), "{}", stderr(&out));

    let dir = env.dir.path().join("qr");
    let dir_arg = dir.to_str().unwrap();
    let out = env.run(&[
        "export",
        "--format",
        "json",
        "--plaintext",
        "--png-dir",
        dir_arg,
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(out.stdout.is_empty());

    // A file in the way: nothing is written, not even the other code.
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(dir.join("otp-google-2-of-2.png"), "mine").unwrap();
    let out = env.run(&["export", "--format", "google-qr", "--png-dir", dir_arg]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("exists"), "{}", stderr(&out));
    assert!(!dir.join("otp-google-1-of-2.png").exists());
    assert_eq!(
        std::fs::read(dir.join("otp-google-2-of-2.png")).unwrap(),
        b"mine"
    );
}

#[test]
fn google_qr_with_nothing_it_can_carry_fails() {
    let env = TestEnv::new();
    env.add(&["otpauth://steam/Steam:me?secret=JBSWY3DPEHPK3PXP"]);
    let dir = env.dir.path().join("qr");
    let out = env.run(&[
        "export",
        "--format",
        "google-qr",
        "--png-dir",
        dir.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("skipped Steam:me"),
        "{}",
        stderr(&out)
    );
    assert!(!dir.join("otp-google-1-of-1.png").exists());
}

/// On a terminal (a pseudo-terminal from util-linux `script`), the codes are drawn one after
/// another in half blocks, each captioned, after the warning and the skipped accounts.
#[test]
fn google_qr_draws_every_code_on_a_terminal() {
    if !require_tool("script") {
        return;
    }
    let env = source_world();
    let quote = |s: &str| format!("'{}'", s.replace('\'', r"'\''"));
    let line = format!(
        "{} export --format google-qr",
        quote(env!("CARGO_BIN_EXE_otp"))
    );
    let out = std::process::Command::new("script")
        .args(["-q", "-e", "-c", &line, "/dev/null"])
        .env("HOME", &env.home)
        .env("OTP_VAULT", &env.vault)
        .env("OTP_IDENTITY_FILE", &env.identity)
        .env_remove("OTP_CONFIG")
        .env_remove("OTP_BACKEND")
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    let screen = stdout(&out).replace("\r\n", "\n");
    assert!(out.status.success(), "{screen}");
    assert!(
        screen.contains("hold the secrets of 12 accounts"),
        "{screen}"
    );
    assert_eq!(screen.matches("skipped ").count(), 3, "{screen}");
    for caption in ["code 1 of 2", "code 2 of 2"] {
        assert!(screen.contains(caption), "{caption}: {screen}");
    }
    assert!(screen.contains('▀') && screen.contains('▄'), "{screen}");
}
