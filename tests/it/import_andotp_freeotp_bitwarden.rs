//! `otp import` of andOTP (plain JSON and encrypted `.bin`), FreeOTP+ (JSON and its key URI
//! file) and Bitwarden (JSON, CSV and password-protected JSON) exports, against the fixtures
//! in `tests/fixtures/apps`: every account with its parameters and codes, notes/tags/folders
//! carried, skipped items named, wrong passwords (exit 5) and truncated or tampered files
//! (exit 1) writing nothing, `--dry-run`, `--format` forcing, and auto-detection that claims
//! exactly these formats' files.

use crate::common;

use common::apps::{
    PASSWORD, WRONG, accounts_of, assert_imports, assert_vault_holds, fixture, import,
};
use common::{GITHUB, TestEnv, stderr, stdout};
use serde_json::Value;
use std::process::Output;

/// The formats of this file and the fixtures each must claim.
const OURS: &[(&str, &[&str])] = &[
    (
        "andotp",
        &[
            "andotp_plain.json",
            "andotp_encrypted.bin",
            "truncated_andotp.bin",
        ],
    ),
    ("freeotp", &["freeotp_plus.json", "freeotp_plus_uris.txt"]),
    (
        "bitwarden",
        &[
            "bitwarden.json",
            "bitwarden.csv",
            "bitwarden_encrypted_pbkdf2.json",
            "bitwarden_encrypted_argon2id.json",
            "bitwarden_account_encrypted.json",
        ],
    ),
];

/// A world whose vault already holds one entry, and its bytes.
fn world() -> (TestEnv, Vec<u8>) {
    let env = TestEnv::new();
    env.add(&[GITHUB]);
    let before = env.vault_bytes();
    (env, before)
}

/// A failure: `code`, one `otp:` line (plus a `hint:` for exit 5), nothing on stdout.
fn assert_fails(out: &Output, code: i32, says: &str) -> String {
    let err = stderr(out);
    assert_eq!(out.status.code(), Some(code), "{err}");
    assert!(stdout(out).is_empty(), "{}", stdout(out));
    let mut lines = err.lines();
    let first = lines.next().unwrap_or_default();
    assert!(first.starts_with("otp: "), "{err}");
    assert!(
        first.to_lowercase().contains(&says.to_lowercase()),
        "expected {says:?} in {err}"
    );
    for line in lines {
        assert!(code == 5 && line.starts_with("hint:"), "{err}");
    }
    assert!(!err.contains("panicked"), "{err}");
    err
}

fn list(env: &TestEnv) -> Vec<Value> {
    let out = env.run(&["list", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    serde_json::from_slice(&out.stdout).unwrap()
}

fn note_of(list: &[Value], issuer: &str) -> Value {
    list.iter()
        .find(|e| e["issuer"] == issuer)
        .unwrap_or_else(|| panic!("no {issuer}"))["note"]
        .clone()
}

#[test]
fn andotp_plain_imports_every_account_with_tags_as_notes() {
    assert_imports("andotp_plain.json", None);
    let env = TestEnv::new();
    let out = import(&env, "andotp_plain.json", None, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("(andotp format)"), "{}", stderr(&out));
    let list = list(&env);
    assert_eq!(note_of(&list, "Microsoft"), "tags: work");
    assert_eq!(note_of(&list, "GitHub"), Value::Null);
}

#[test]
fn andotp_encrypted_imports_with_the_password() {
    assert_imports("andotp_encrypted.bin", Some(PASSWORD));
}

#[test]
fn andotp_wrong_password_is_exit_5_and_writes_nothing() {
    let (env, before) = world();
    let out = import(&env, "andotp_encrypted.bin", Some(WRONG), &[]);
    assert_fails(&out, 5, "wrong password");
    assert_eq!(env.vault_bytes(), before);
}

#[test]
fn truncated_andotp_with_the_right_password_is_exit_1() {
    // GCM alone cannot tell damage from a wrong password; the importer looks at whether the
    // first block decrypts to the start of a JSON array under the derived key (unit tests
    // in src/import/andotp.rs cover a wrong password on a damaged file: exit 5).
    let (env, before) = world();
    let out = import(&env, "truncated_andotp.bin", Some(PASSWORD), &[]);
    assert_fails(&out, 1, "damaged or cut short");
    assert_eq!(env.vault_bytes(), before);
}

#[test]
fn freeotp_plus_json_imports_every_account() {
    // Includes the Steam token (issuer "Steam", 5 digits) and the HOTP counter 10300.
    assert_imports("freeotp_plus.json", None);
}

#[test]
fn freeotp_plus_uri_file_is_detected_and_read_with_freeotps_conventions() {
    // Steam (a 5-digit TOTP line with issuer Steam) and the counter written as stored + 1.
    assert_imports("freeotp_plus_uris.txt", None);
    let env = TestEnv::new();
    let out = import(&env, "freeotp_plus_uris.txt", None, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("(freeotp format)"),
        "{}",
        stderr(&out)
    );

    // Read as a plain URI list instead, the Steam line is refused and nothing is written.
    let (env, before) = world();
    let out = import(&env, "freeotp_plus_uris.txt", None, &["--format", "uris"]);
    assert_fails(&out, 1, "line 10");
    assert_eq!(env.vault_bytes(), before);
}

#[test]
fn bitwarden_json_imports_totp_items_with_notes() {
    // "Example Forum" has no TOTP: it is not an authenticator entry and stays out.
    assert_imports("bitwarden.json", None);
    let env = TestEnv::new();
    let out = import(&env, "bitwarden.json", None, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    // ...but it is named, as other importers name what they leave out.
    assert_skips_the_forum(&out);
    let list = list(&env);
    assert_eq!(
        note_of(&list, "GitHub"),
        "folder: 2FA; Recovery codes: in the safe, top shelf\nprinted 2023"
    );
    assert_eq!(note_of(&list, "Google"), "folder: 2FA");
    // No password of the export reaches the vault or the output.
    let all = format!("{}{}{list:?}", stdout(&out), stderr(&out));
    assert!(!all.contains("correct-horse"), "{all}");
}

/// The one item without a TOTP key is listed by name on its own line, and the summary on
/// stderr counts it; nothing of its password.
fn assert_skips_the_forum(out: &Output) {
    let (text, err) = (stdout(out), stderr(out));
    let skipped: Vec<&str> = text.lines().filter(|l| l.starts_with("skipped")).collect();
    assert_eq!(
        skipped,
        ["skipped   Example Forum (login without a TOTP key)"],
        "{text}"
    );
    assert!(
        err.contains("Imported 10 new entries")
            && err.contains("1 not importable (listed as skipped)"),
        "{err}"
    );
    assert!(
        !format!("{text}{err}").contains("correct-horse"),
        "{text}{err}"
    );
}

#[test]
fn bitwarden_csv_imports_totp_items_with_notes() {
    assert_imports("bitwarden.csv", None);
    let env = TestEnv::new();
    let out = import(&env, "bitwarden.csv", None, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_skips_the_forum(&out);
    assert!(
        stderr(&out).contains("(bitwarden format)"),
        "{}",
        stderr(&out)
    );
    // The CSV note keeps papaparse's CRLF inside the quoted field.
    let note = note_of(&list(&env), "GitHub");
    let note = note.as_str().unwrap();
    assert!(
        note.starts_with("folder: 2FA; Recovery codes: in the safe, top shelf"),
        "{note}"
    );
    assert!(note.ends_with("printed 2023"), "{note}");
}

#[test]
fn bitwarden_export_without_totp_keys_lists_every_item_and_imports_nothing() {
    // As for other apps' files whose entries are all skipped: exit 0, nothing written.
    let env = TestEnv::new();
    let path = env.dir.path().join("passwords_only.json");
    let export = r#"{"encrypted": false, "folders": [], "items": [
        {"type": 1, "name": "Forum", "login": {"username": "me", "password": "hunter2", "totp": null}},
        {"type": 2, "name": "Wi-Fi", "notes": "the key"}]}"#;
    std::fs::write(&path, export).unwrap();
    let out = env.cmd().arg("import").arg(&path).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "skipped   Forum (login without a TOTP key)\n\
         skipped   Wi-Fi (secure note without a TOTP key)\n"
    );
    assert!(
        stderr(&out).contains("holds no entries otp can import; nothing imported"),
        "{}",
        stderr(&out)
    );
    assert!(!env.vault.exists());
    // An export with no items at all is refused.
    std::fs::write(&path, r#"{"encrypted": false, "folders": [], "items": []}"#).unwrap();
    let out = env.cmd().arg("import").arg(&path).output().unwrap();
    assert_fails(&out, 1, "it holds no entries");
    assert!(!env.vault.exists());
}

#[test]
fn bitwarden_password_protected_exports_import_with_the_password() {
    // PBKDF2 and Argon2id, each holding bitwarden.json: the same accounts and notes.
    for file in [
        "bitwarden_encrypted_pbkdf2.json",
        "bitwarden_encrypted_argon2id.json",
    ] {
        let env = TestEnv::new();
        let out = import(&env, file, Some(PASSWORD), &[]);
        assert!(out.status.success(), "{file}: {}", stderr(&out));
        assert!(
            stderr(&out).contains("(bitwarden format)"),
            "{}",
            stderr(&out)
        );
        assert_skips_the_forum(&out);
        assert_vault_holds(&env, &accounts_of("bitwarden.json"), file);
        assert_eq!(
            note_of(&list(&env), "GitHub"),
            "folder: 2FA; Recovery codes: in the safe, top shelf\nprinted 2023"
        );
    }
    // The password can come on stdin, as for the other encrypted exports.
    let env = TestEnv::new();
    let out = env
        .cmd()
        .args(["import", "--password-stdin"])
        .arg(fixture("bitwarden_encrypted_argon2id.json"))
        .write_stdin(format!("{PASSWORD}\n"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(list(&env).len(), 10);
}

#[test]
fn bitwarden_wrong_password_is_exit_5_and_writes_nothing() {
    for file in [
        "bitwarden_encrypted_pbkdf2.json",
        "bitwarden_encrypted_argon2id.json",
    ] {
        let (env, before) = world();
        let out = import(&env, file, Some(WRONG), &[]);
        let err = assert_fails(&out, 5, "wrong password");
        assert!(err.contains(file), "{err}");
        assert_eq!(env.vault_bytes(), before, "{file}");
        // Without a vault, none is created.
        let env = TestEnv::new();
        let out = import(&env, file, Some(WRONG), &[]);
        assert_eq!(out.status.code(), Some(5), "{}", stderr(&out));
        assert!(!env.vault.exists());
    }
}

#[test]
fn bitwarden_export_with_a_changed_byte_is_refused_by_its_mac() {
    let text = std::fs::read_to_string(fixture("bitwarden_encrypted_pbkdf2.json")).unwrap();
    let doc: Value = serde_json::from_str(&text).unwrap();
    let data = doc["data"].as_str().unwrap();
    // One base64 character in the middle of the ciphertext, changed: still valid base64,
    // still whole AES blocks, a different byte.
    let at = data.find('|').unwrap() + 40;
    let mut bad = data.to_string();
    let was = &data[at..=at];
    bad.replace_range(at..=at, if was == "A" { "B" } else { "A" });
    let (env, before) = world();
    let path = env.dir.path().join("tampered.json");
    std::fs::write(&path, text.replace(data, &bad)).unwrap();
    let out = env
        .cmd()
        .arg("import")
        .arg(&path)
        .env("OTP_PASSPHRASE", PASSWORD)
        .output()
        .unwrap();
    assert_fails(&out, 1, "changed or damaged (the MAC does not verify)");
    assert_eq!(env.vault_bytes(), before);
}

#[test]
fn bitwarden_account_restricted_export_is_refused_clearly() {
    let (env, before) = world();
    let out = import(
        &env,
        "bitwarden_account_encrypted.json",
        Some(PASSWORD),
        &[],
    );
    let err = assert_fails(&out, 1, "account restricted");
    assert!(
        err.contains("export the vault again with the export type \"Password protected\""),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
    assert_eq!(env.vault_bytes(), before);
}

#[test]
fn dry_run_lists_every_entry_and_writes_nothing() {
    for (file, password) in [
        ("andotp_plain.json", None),
        ("freeotp_plus.json", None),
        ("bitwarden.csv", None),
    ] {
        let (env, before) = world();
        let out = import(&env, file, password, &["--dry-run"]);
        assert!(out.status.success(), "{file}: {}", stderr(&out));
        let text = stdout(&out);
        let adds: Vec<&str> = text.lines().filter(|l| l.starts_with("add ")).collect();
        assert_eq!(adds.len(), 10, "{file}: {text}");
        assert!(text.contains("Steam:gaben_fan"), "{file}: {text}");
        assert!(stderr(&out).contains("nothing was written"), "{file}");
        assert_eq!(env.vault_bytes(), before, "{file}");
    }
    // Without a vault, a dry run creates none.
    let env = TestEnv::new();
    let out = import(&env, "bitwarden.json", None, &["--dry-run"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!env.vault.exists());
}

#[test]
fn importing_twice_skips_identical_entries() {
    let env = TestEnv::new();
    let out = import(&env, "bitwarden.json", None, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    // The same accounts from another app's export are identical, not conflicts.
    let out = import(&env, "andotp_plain.json", None, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("Imported 0 new"), "{}", stderr(&out));
    assert_eq!(list(&env).len(), 10);
}

#[test]
fn forcing_a_format_reads_it_or_fails_cleanly() {
    let env = TestEnv::new();
    let out = import(&env, "andotp_plain.json", None, &["--format", "andotp"]);
    assert!(out.status.success(), "{}", stderr(&out));
    for (format, file) in [
        ("andotp", "bitwarden.json"),
        ("freeotp", "andotp_plain.json"),
        ("bitwarden", "freeotp_plus.json"),
        ("andotp", "otpauth_uris.txt"),
    ] {
        let (env, before) = world();
        let out = import(&env, file, Some(PASSWORD), &["--format", format]);
        assert_fails(&out, 1, &format!("not a valid {format} file"));
        assert_eq!(env.vault_bytes(), before, "{format} {file}");
    }
}

#[test]
fn detection_claims_exactly_these_formats_files() {
    for entry in std::fs::read_dir(fixture("")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let bytes = std::fs::read(&path).unwrap();
        for (format, files) in OURS {
            let imp = otp::import::FORMATS
                .iter()
                .find(|f| f.name() == *format)
                .unwrap();
            assert_eq!(
                imp.detect(&bytes),
                files.contains(&name.as_str()),
                "{format} detecting {name}"
            );
        }
        // First match wins: our files are not taken by a format listed earlier.
        if let Some((format, _)) = OURS.iter().find(|(_, f)| f.contains(&name.as_str())) {
            assert_eq!(
                otp::import::detect(&bytes).map(|f| f.name()),
                Some(*format),
                "{name}"
            );
        }
    }
    // Other apps' URI lists are not FreeOTP's.
    for file in ["otpauth_uris.txt", "aegis_uris.txt"] {
        assert_eq!(
            otp::import::detect(&std::fs::read(fixture(file)).unwrap()).map(|f| f.name()),
            Some("uris"),
            "{file}"
        );
    }
}

#[test]
fn damaged_files_never_panic() {
    // In-process and quick: truncations and bit flips of each fixture through its parser.
    let dir = tempfile::tempdir().unwrap();
    let pw = dir.path().join("pw");
    std::fs::write(&pw, PASSWORD).unwrap();
    let mut rng = fastrand::Rng::with_seed(6);
    for (format, files) in OURS {
        let imp = otp::import::FORMATS
            .iter()
            .find(|f| f.name() == *format)
            .unwrap();
        for file in *files {
            // A damaged encrypted file that passes the header checks costs a full PBKDF2
            // (about a second in a debug build) and then fails its GCM tag, which the
            // truncated-file test covers; here only the header checks are fuzzed.
            let encrypted = file.ends_with(".bin");
            // Bitwarden's password-protected JSON runs its KDF on most mutations (tens of
            // milliseconds here); a few cover it, and import_fuzz.rs does more.
            let rounds = if file.contains("_encrypted_") {
                20
            } else {
                200
            };
            let bytes = std::fs::read(fixture(file)).unwrap();
            for _ in 0..rounds {
                let mut damaged = bytes.clone();
                if encrypted {
                    damaged.truncate(rng.usize(..44));
                    if rng.bool() && damaged.len() >= 4 {
                        damaged[..4].copy_from_slice(&[0xff, rng.u8(..), 0, 0]);
                    }
                } else if rng.bool() {
                    damaged.truncate(rng.usize(..bytes.len()));
                } else {
                    let i = rng.usize(..bytes.len());
                    damaged[i] ^= 1 << rng.u8(..8);
                }
                let _ = imp.detect(&damaged);
                let mut passwords = otp::import::Passwords::new(Some(pw.clone()));
                let _ = imp.parse(&damaged, &mut passwords);
            }
        }
    }
}
