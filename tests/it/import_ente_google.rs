//! Importing Ente Auth and Google Authenticator exports through the real binary.
//!
//! Ente: the plain-text export (auto-detected as `ente` by its `codeDisplay` parameter, tags
//! and notes kept) and the encrypted export (Argon2id + libsodium secretstream) with the right
//! password, from the password file or `OTP_PASSPHRASE`; the app's real KDF cost once, the
//! cheap-KDF copy everywhere else. A wrong password is exit 5 and a truncated file exit 1 with
//! a one-line error, both writing nothing; `--dry-run` writes nothing; `--format` forces.
//! Google Authenticator: transfer URIs in a text file, escaped or not, and the two QR images
//! in one `otp add`; a broken transfer fails with nothing written.

use crate::common;

use common::apps::{
    PASSWORD, WRONG, accounts_of, assert_imports, assert_vault_holds, fixture, import,
};
use common::{GITHUB, TestEnv, stderr, stdout};
use serde_json::Value;

const FAST: &str = "ente_encrypted_fastkdf.json";

/// A world whose vault already holds one unrelated entry, and the vault's bytes.
fn world_with_an_entry() -> (TestEnv, Vec<u8>) {
    let env = TestEnv::new();
    env.add(&[GITHUB]);
    let before = env.vault_bytes();
    assert!(!before.is_empty());
    (env, before)
}

fn notes(env: &TestEnv) -> Vec<(String, Option<String>)> {
    let out = env.run(&["list", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let list: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    let mut notes: Vec<_> = list
        .iter()
        .map(|e| {
            (
                e["issuer"].as_str().unwrap().to_string(),
                e["note"].as_str().map(str::to_string),
            )
        })
        .collect();
    notes.sort();
    notes
}

#[test]
fn ente_plain_text_imports_with_tags_and_notes() {
    assert_imports("ente_plain.txt", None);
    let env = TestEnv::new();
    let out = import(&env, "ente_plain.txt", None, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("(ente format)"), "{}", stderr(&out));
    let notes = notes(&env);
    let note = |issuer: &str| {
        notes
            .iter()
            .find(|(i, _)| i == issuer)
            .and_then(|(_, n)| n.clone())
    };
    assert_eq!(note("ACME Vault").as_deref(), Some("tags: work"));
    assert_eq!(note("Microsoft").as_deref(), Some("tags: work"));
    assert_eq!(
        note("Bücherei").as_deref(),
        Some("Kundennummer steht auf der Karte")
    );
    assert_eq!(note("GitHub"), None);
}

#[test]
fn ente_encrypted_imports_with_the_password() {
    assert_imports(FAST, Some(PASSWORD));
    // The same through --password-file, and the notes survive the encryption.
    let env = TestEnv::new();
    let password = env.dir.path().join("password");
    std::fs::write(&password, "test\n").unwrap();
    let out = import(
        &env,
        FAST,
        None,
        &["--password-file", password.to_str().unwrap()],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_vault_holds(&env, &accounts_of(FAST), FAST);
    let plain = TestEnv::new();
    assert!(import(&plain, "ente_plain.txt", None, &[]).status.success());
    assert_eq!(notes(&env), notes(&plain));
}

/// The app's own KDF cost (Argon2id, 256 MiB, 16 passes): a few seconds even unoptimised,
/// thanks to the dev profile's opt-level for argon2. Run once.
#[test]
fn ente_encrypted_with_the_apps_real_kdf_cost() {
    assert_imports("ente_encrypted.json", Some(PASSWORD));
}

#[test]
fn ente_wrong_password_is_exit_5_and_writes_nothing() {
    let (env, before) = world_with_an_entry();
    let out = import(&env, FAST, Some(WRONG), &[]);
    assert_eq!(out.status.code(), Some(5), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("wrong password"), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert_eq!(env.vault_bytes(), before);
}

#[test]
fn ente_truncated_file_is_exit_1_one_line_and_writes_nothing() {
    let (env, before) = world_with_an_entry();
    let bytes = std::fs::read(fixture(FAST)).unwrap();
    for cut in [bytes.len() / 3, bytes.len() - 2] {
        let path = env.dir.path().join("cut.json");
        std::fs::write(&path, &bytes[..cut]).unwrap();
        let out = env
            .cmd()
            .args(["import", path.to_str().unwrap()])
            .env("OTP_PASSPHRASE", PASSWORD)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
        let err = stderr(&out);
        assert!(err.contains("not a valid ente file"), "{err}");
        assert_eq!(err.trim().lines().count(), 1, "{err}");
        assert_eq!(env.vault_bytes(), before);
    }
}

#[test]
fn ente_dry_run_lists_and_writes_nothing() {
    let (env, before) = world_with_an_entry();
    let out = import(&env, FAST, Some(PASSWORD), &["--dry-run"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert_eq!(
        text.lines().filter(|l| l.starts_with("add ")).count(),
        10,
        "{text}"
    );
    assert!(
        text.contains("ACME Vault:ops team: admin@example.org"),
        "{text}"
    );
    assert!(stderr(&out).contains("nothing was written"));
    assert_eq!(env.vault_bytes(), before);
    // No vault at all: a dry run creates none.
    let fresh = TestEnv::new();
    assert!(
        import(&fresh, "ente_plain.txt", None, &["--dry-run"])
            .status
            .success()
    );
    assert!(!fresh.vault.exists());
}

#[test]
fn ente_format_can_be_forced() {
    let env = TestEnv::new();
    let out = import(&env, "ente_plain.txt", None, &["--format", "ente"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_vault_holds(&env, &accounts_of("ente_plain.txt"), "forced ente");
    // Forcing another format on an Ente file fails cleanly.
    let env = TestEnv::new();
    let out = import(&env, FAST, Some(PASSWORD), &["--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(!env.vault.exists());
}

/// Ente's query is a Dart form (`issuer=ACME+Vault`): read as a plain URI list, `+` in a
/// query value must still be a space, or the issuer comes out as `ACME+Vault`.
#[test]
fn ente_plain_text_read_as_a_uri_list_gives_the_same_entries() {
    let env = TestEnv::new();
    let out = import(&env, "ente_plain.txt", None, &["--format", "uris"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_vault_holds(
        &env,
        &accounts_of("ente_plain.txt"),
        "ente_plain.txt as uris",
    );
}

#[test]
fn google_transfer_text_files_import_every_batch() {
    assert_imports("google_migration.txt", None);
    // Raw `+` and `/` in the base64: never a space.
    assert_imports("google_migration_unescaped.txt", None);
    let env = TestEnv::new();
    let out = import(&env, "google_migration.txt", None, &[]);
    assert!(stderr(&out).contains("(uris format)"), "{}", stderr(&out));
}

#[test]
fn google_transfer_qr_images_import_in_one_add() {
    let env = TestEnv::new();
    let out = env
        .cmd()
        .arg("add")
        .arg(fixture("google_migration_batch1.png"))
        .arg(fixture("google_migration_batch2.png"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_vault_holds(&env, &accounts_of("google_migration.txt"), "batch PNGs");
}

#[test]
fn broken_google_transfer_fails_and_writes_nothing() {
    let (env, before) = world_with_an_entry();
    let out = import(&env, "bad_migration_base64.txt", None, &[]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("base64"), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert_eq!(env.vault_bytes(), before);
    let fresh = TestEnv::new();
    let out = import(&fresh, "bad_migration_base64.txt", None, &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(!fresh.vault.exists());
}
