//! `otp import` of Aegis vault exports (plain and password-encrypted) and 2FAS backups
//! (plain and encrypted), through the real binary: every fixture account arrives with its
//! parameters and expected codes; groups and notes land in the entry's note; a wrong password
//! exits 5 and a truncated file exits 1, both with the vault untouched; `--dry-run` writes
//! nothing; `--format` forces a format; an entry otp cannot represent (MOTP) is named, not
//! dropped. At the library level: auto-detection picks these formats for their files and for
//! no other fixture (nor otp's own exports), and truncated or bit-flipped files never panic.

use crate::common;

use common::apps::{
    PASSWORD, WRONG, accounts_of, assert_imports, assert_vault_holds, fixture, import,
};
use common::{GITHUB, TestEnv, stderr, stdout};
use otp::import::{self, FORMATS, Format, Passwords};
use serde_json::Value;
use std::process::Output;

const AEGIS: [&str; 2] = ["aegis_plain.json", "aegis_encrypted.json"];
const TWOFAS: [&str; 2] = ["twofas_plain.2fas", "twofas_encrypted.2fas"];

fn format(name: &str) -> &'static dyn Format {
    FORMATS.iter().copied().find(|f| f.name() == name).unwrap()
}

/// The password for encrypted fixtures, none for plain ones.
fn password_of(file: &str) -> Option<&'static str> {
    file.contains("encrypted").then_some(PASSWORD)
}

/// Exactly one `otp: …` line (and an optional hint for exit 5), nothing on stdout.
fn assert_one_line_error(out: &Output, exit: i32, what: &str) -> String {
    assert_eq!(out.status.code(), Some(exit), "{what}: {}", stderr(out));
    let err = stderr(out);
    let lines: Vec<&str> = err.lines().collect();
    let (first, extra) = lines.split_first().expect("an error message");
    assert!(first.starts_with("otp: "), "{what}: {err}");
    assert!(
        extra.is_empty() || (exit == 5 && extra.len() == 1 && extra[0].starts_with("hint: ")),
        "{what}: {err}"
    );
    assert!(stdout(out).is_empty(), "{what}: {}", stdout(out));
    err
}

/// No fixture secret appears in `text`.
fn assert_no_secret(text: &str, file: &str) {
    for account in accounts_of(file) {
        let secret = account["secret"].as_str().unwrap();
        assert!(!text.contains(secret), "{file}: a secret leaked: {text}");
    }
}

/// A world whose vault already holds one entry (to show it is left byte for byte).
fn world_with_vault() -> (TestEnv, Vec<u8>) {
    let env = TestEnv::new();
    env.add(&[GITHUB]);
    let bytes = env.vault_bytes();
    assert!(!bytes.is_empty());
    (env, bytes)
}

fn notes(env: &TestEnv) -> Vec<(String, Value)> {
    let out = env.run(&["list", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let list: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    list.iter()
        .map(|e| (e["issuer"].as_str().unwrap().to_string(), e["note"].clone()))
        .collect()
}

fn note_of(notes: &[(String, Value)], issuer: &str) -> Value {
    notes
        .iter()
        .find(|(i, _)| i == issuer)
        .unwrap_or_else(|| panic!("no {issuer}"))
        .1
        .clone()
}

// ---------------------------------------------------------------------------------------
// every fixture

#[test]
fn aegis_plain_imports_every_account() {
    assert_imports("aegis_plain.json", None);
}

#[test]
fn aegis_encrypted_imports_every_account() {
    assert_imports("aegis_encrypted.json", Some(PASSWORD));
}

#[test]
fn twofas_plain_imports_every_account() {
    assert_imports("twofas_plain.2fas", None);
}

#[test]
fn twofas_encrypted_imports_every_account() {
    assert_imports("twofas_encrypted.2fas", Some(PASSWORD));
}

#[test]
fn the_detected_format_is_named_and_password_file_works() {
    for file in AEGIS.iter().chain(&TWOFAS) {
        let env = TestEnv::new();
        let mut args = Vec::new();
        let password = env.dir.path().join("password");
        if password_of(file).is_some() {
            std::fs::write(&password, "test\n").unwrap();
            args = vec!["--password-file", password.to_str().unwrap()];
        }
        let out = import(&env, file, None, &args);
        assert!(out.status.success(), "{file}: {}", stderr(&out));
        let name = if file.starts_with("aegis") {
            "aegis"
        } else {
            "2fas"
        };
        let n = accounts_of(file).len();
        assert!(
            stderr(&out).contains(&format!("Imported {n} new entries"))
                && stderr(&out).contains(&format!("({name} format)")),
            "{file}: {}",
            stderr(&out)
        );
        assert_eq!(stdout(&out).lines().count(), n, "{file}: {}", stdout(&out));
        assert_no_secret(&stdout(&out), file);
        assert_no_secret(&stderr(&out), file);
    }
}

#[test]
fn stdin_is_detected_too() {
    let env = TestEnv::new();
    let bytes = std::fs::read(fixture("twofas_plain.2fas")).unwrap();
    let out = env
        .cmd()
        .args(["import", "-"])
        .write_stdin(bytes)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_vault_holds(&env, &accounts_of("twofas_plain.2fas"), "stdin");
}

// ---------------------------------------------------------------------------------------
// notes and groups

#[test]
fn aegis_groups_and_notes_become_the_note() {
    let env = TestEnv::new();
    let out = import(&env, "aegis_plain.json", None, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let notes = notes(&env);
    // The note as Aegis had it ("\/" is JSON for "/"), and groups by name, not uuid.
    assert_eq!(
        note_of(&notes, "GitHub"),
        "Recovery codes: in the safe / top shelf"
    );
    assert_eq!(note_of(&notes, "Google"), "groups: Personal");
    assert_eq!(note_of(&notes, "Microsoft"), "groups: Work");
    assert_eq!(note_of(&notes, "ACME VPN"), "groups: Work");
    assert_eq!(note_of(&notes, "Steam"), "groups: Personal");
    assert_eq!(note_of(&notes, "Proton"), Value::Null);
}

#[test]
fn twofas_groups_become_the_note() {
    let env = TestEnv::new();
    let out = import(&env, "twofas_encrypted.2fas", Some(PASSWORD), &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let notes = notes(&env);
    assert_eq!(note_of(&notes, "Microsoft"), "groups: Work");
    assert_eq!(note_of(&notes, "ACME Vault"), "groups: Work");
    assert_eq!(note_of(&notes, "GitHub"), Value::Null);
}

// ---------------------------------------------------------------------------------------
// failures leave the vault alone

#[test]
fn wrong_password_exits_5_and_changes_nothing() {
    for file in ["aegis_encrypted.json", "twofas_encrypted.2fas"] {
        let (env, before) = world_with_vault();
        let out = import(&env, file, Some(WRONG), &[]);
        let err = assert_one_line_error(&out, 5, file);
        assert!(err.contains("wrong password"), "{file}: {err}");
        assert_no_secret(&err, file);
        assert_eq!(env.vault_bytes(), before, "{file}: the vault changed");
        // The same through --password-file, and with no vault at all: none is created.
        let fresh = TestEnv::new();
        let password = fresh.dir.path().join("password");
        std::fs::write(&password, "Tr0ub4dor&3\n").unwrap();
        let out = import(
            &fresh,
            file,
            None,
            &["--password-file", password.to_str().unwrap()],
        );
        let err = assert_one_line_error(&out, 5, file);
        assert!(
            !err.contains("Tr0ub4dor"),
            "{file}: the password is echoed: {err}"
        );
        assert!(!fresh.vault.exists(), "{file}: a vault was created");
    }
}

#[test]
fn truncated_aegis_is_rejected_with_one_clear_line() {
    for args in [&[][..], &["--format", "aegis"][..]] {
        let (env, before) = world_with_vault();
        let out = import(&env, "truncated_aegis.json", Some(PASSWORD), args);
        let err = assert_one_line_error(&out, 1, &format!("{args:?}"));
        assert!(
            err.contains("truncated_aegis.json")
                && err.contains("not a valid aegis file")
                && err.contains("truncated"),
            "{args:?}: {err}"
        );
        assert_eq!(env.vault_bytes(), before, "{args:?}: the vault changed");
    }
}

#[test]
fn an_motp_entry_is_named_not_dropped() {
    // Aegis's MOTP entries carry a PIN; otp cannot make their codes. The rest of the file is
    // imported and the MOTP entry is listed as skipped, with the reason; `--dry-run` lists
    // it too.
    let text = std::fs::read_to_string(fixture("aegis_plain.json")).unwrap();
    let motp = r#"{"type": "motp", "uuid": "0c2e5f3a-0000-4000-8000-000000000001",
        "name": "pager", "issuer": "Old Bank", "note": "", "favorite": false, "icon": null,
        "info": {"secret": "ABCDEF0123456789", "algo": "MD5", "digits": 6, "period": 10,
        "pin": "1234"}, "groups": []},
        {"type": "totp""#;
    let text = text.replacen(
        r#"{
                "type": "totp""#,
        motp,
        1,
    );
    assert!(text.contains("\"motp\""));
    let (env, before) = world_with_vault();
    let file = env.dir.path().join("with-motp.json");
    std::fs::write(&file, &text).unwrap();
    let dry = env.run(&["import", "--dry-run", file.to_str().unwrap()]);
    assert!(dry.status.success(), "{}", stderr(&dry));
    assert!(
        stdout(&dry).contains("skipped   Old Bank:pager ("),
        "{}",
        stdout(&dry)
    );
    assert_eq!(env.vault_bytes(), before);

    let out = env.run(&["import", file.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let line = text
        .lines()
        .find(|l| l.starts_with("skipped   Old Bank:pager ("))
        .unwrap_or_else(|| panic!("no skipped line in {text}"));
    assert!(line.contains("MOTP"), "{line}");
    assert!(
        stderr(&out).contains("1 not importable"),
        "{}",
        stderr(&out)
    );
    for output in [&text, &stderr(&out)] {
        assert!(
            !output.contains("1234") && !output.contains("ABCDEF0123456789"),
            "{output}"
        );
    }
    assert_eq!(text.lines().filter(|l| l.starts_with("added")).count(), 10);
}

// ---------------------------------------------------------------------------------------
// --dry-run and --format

#[test]
fn dry_run_lists_what_would_be_added_and_writes_nothing() {
    for file in ["aegis_encrypted.json", "twofas_plain.2fas"] {
        let (env, before) = world_with_vault();
        let out = import(&env, file, password_of(file), &["--dry-run"]);
        assert!(out.status.success(), "{file}: {}", stderr(&out));
        let text = stdout(&out);
        let expected = accounts_of(file);
        assert_eq!(text.lines().count(), expected.len(), "{file}: {text}");
        for account in &expected {
            let line = format!(
                "add       {}:{}",
                account["issuer"].as_str().unwrap(),
                account["account"].as_str().unwrap()
            );
            assert!(
                text.lines().any(|l| l == line),
                "{file}: no {line:?} in {text}"
            );
        }
        assert!(stderr(&out).contains("nothing was written"), "{file}");
        assert_no_secret(&text, file);
        assert_eq!(env.vault_bytes(), before, "{file}: the vault changed");

        // Without a vault, a dry run creates none.
        let fresh = TestEnv::new();
        let out = import(&fresh, file, password_of(file), &["--dry-run"]);
        assert!(out.status.success(), "{file}: {}", stderr(&out));
        assert!(!fresh.vault.exists(), "{file}: a vault was created");
    }
    // After a real import, a dry run finds every entry identical.
    let env = TestEnv::new();
    assert!(import(&env, "aegis_plain.json", None, &[]).status.success());
    let out = import(&env, "aegis_encrypted.json", Some(PASSWORD), &["--dry-run"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stdout(&out)
            .lines()
            .filter(|l| l.starts_with("skipped   "))
            .count(),
        10,
        "{}",
        stdout(&out)
    );
}

#[test]
fn format_can_be_forced() {
    let env = TestEnv::new();
    let out = import(&env, "twofas_plain.2fas", None, &["--format", "2fas"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = import(&env, "aegis_plain.json", None, &["--format", "aegis"]);
    assert!(out.status.success(), "{}", stderr(&out));

    // The wrong format named: a clean error naming it, nothing written.
    let (env, before) = world_with_vault();
    for (file, forced) in [
        ("aegis_plain.json", "2fas"),
        ("twofas_plain.2fas", "aegis"),
        ("otpauth_uris.txt", "aegis"),
        ("andotp_plain.json", "2fas"),
    ] {
        let out = import(&env, file, None, &["--format", forced]);
        let err = assert_one_line_error(&out, 1, file);
        assert!(
            err.contains(&format!("not a valid {forced} file")),
            "{file} as {forced}: {err}"
        );
        assert_eq!(env.vault_bytes(), before, "{file}: the vault changed");
    }
}

// ---------------------------------------------------------------------------------------
// detection (library level)

#[test]
fn detection_picks_these_formats_for_their_files_only() {
    let dir = fixture("");
    let mut seen = 0;
    for item in std::fs::read_dir(&dir).unwrap() {
        let path = item.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap().to_string();
        let bytes = std::fs::read(&path).unwrap();
        let got = import::detect(&bytes).map(|f| f.name());
        let want = if name.starts_with("aegis_") && name.ends_with(".json")
            || name == "truncated_aegis.json"
        {
            Some("aegis")
        } else if name.starts_with("twofas_") {
            Some("2fas")
        } else {
            None
        };
        match want {
            Some(w) => assert_eq!(got, Some(w), "{name}"),
            None => assert!(
                !matches!(got, Some("aegis" | "2fas")),
                "{name} detected as {got:?}"
            ),
        }
        seen += 1;
    }
    assert!(seen > 20, "only {seen} fixtures");
}

#[test]
fn otp_own_exports_are_not_taken_for_these_formats() {
    let env = TestEnv::new();
    env.add(&[GITHUB]);
    let json = env.run(&["export", "--format", "json", "--plaintext"]);
    assert!(json.status.success(), "{}", stderr(&json));
    assert_eq!(import::detect(&json.stdout).map(|f| f.name()), Some("json"));
    let uris = env.run(&["export", "--format", "uris", "--plaintext"]);
    assert!(uris.status.success(), "{}", stderr(&uris));
    assert_eq!(import::detect(&uris.stdout).map(|f| f.name()), Some("uris"));
    let age = env
        .cmd()
        .args(["export"])
        .env("OTP_PASSPHRASE", PASSWORD)
        .output()
        .unwrap();
    assert!(age.status.success(), "{}", stderr(&age));
    assert_eq!(import::detect(&age.stdout).map(|f| f.name()), Some("age"));
    for bytes in [&json.stdout, &uris.stdout, &age.stdout] {
        assert!(!format("aegis").detect(bytes) && !format("2fas").detect(bytes));
    }
}

// ---------------------------------------------------------------------------------------
// robustness (library level)

/// Truncated and bit-flipped copies of each fixture never make the importer (or detection)
/// panic, and no error quotes a secret.
#[test]
fn damaged_files_never_panic() {
    let dir = tempfile::tempdir().unwrap();
    let password = dir.path().join("password");
    std::fs::write(&password, "test\n").unwrap();
    let mut rng = fastrand::Rng::with_seed(0x2fa5_ae61);
    // Attempts that get as far as the key derivation cost 20-50 ms (scrypt; PBKDF2 is
    // instantiated in this unoptimised crate): fewer of those.
    for (file, name, rounds) in [
        ("aegis_plain.json", "aegis", 300),
        ("aegis_encrypted.json", "aegis", 50),
        ("truncated_aegis.json", "aegis", 30),
        ("twofas_plain.2fas", "2fas", 300),
        ("twofas_encrypted.2fas", "2fas", 50),
    ] {
        let original = std::fs::read(fixture(file)).unwrap();
        for round in 0..rounds {
            let mut bytes = original.clone();
            if round % 2 == 0 {
                bytes.truncate(rng.usize(..bytes.len()));
            } else {
                for _ in 0..rng.usize(1..4) {
                    let at = rng.usize(..bytes.len());
                    bytes[at] ^= 1 << rng.u8(..8);
                }
            }
            let _ = import::detect(&bytes);
            let result = format(name).parse(&bytes, &mut Passwords::new(Some(password.clone())));
            if let Err(e) = &result {
                assert_no_secret(&e.to_string(), file);
            }
        }
    }
}

#[test]
fn password_from_stdin() {
    let env = TestEnv::new();
    let path = fixture("aegis_encrypted.json");
    let out = env
        .cmd()
        .args(["import", "--password-stdin"])
        .arg(&path)
        .write_stdin(format!("{PASSWORD}\n"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(accounts_of("aegis_encrypted.json").len(), 10);
    assert_eq!(
        stdout(&out)
            .lines()
            .filter(|l| l.starts_with("added"))
            .count(),
        10
    );

    let before = env.vault_bytes();
    let out = env
        .cmd()
        .args(["import", "--password-stdin"])
        .arg(&path)
        .write_stdin(format!("{WRONG}\n"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(5), "{}", stderr(&out));
    assert_eq!(env.vault_bytes(), before);

    let out = env
        .cmd()
        .args(["import", "--password-stdin", "-"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
}
