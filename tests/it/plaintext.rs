//! No plaintext on disk (docs/CONTRACT.md, "The vault and its key"): after adds from URIs and
//! manual entry, no file under
//! the test world holds a secret (as typed, normalised base32, or raw key bytes), yet Debian's
//! `age -d -i IDENTITY vault.age` reads the vault's JSON document with all of them; the
//! vault, its directory and the identity file have private modes; `vault.age.bak` is the
//! previous vault byte for byte after each change; and a no-op leaves the vault untouched.
#![cfg(unix)] // Unix-only: it checks Unix modes and inodes.

use crate::common;

use common::{AT, GITHUB, TestEnv, require_tool, stderr, stdout};
use std::collections::BTreeSet;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::Output;

/// One secret as the user gave it and as the vault stores it.
struct Secret {
    typed: &'static str,
    base32: &'static str,
}

impl Secret {
    fn raw(&self) -> Vec<u8> {
        base32::decode(base32::Alphabet::Rfc4648 { padding: false }, self.base32).expect("base32")
    }
}

const URI_SECRETS: &[(&str, Secret)] = &[
    (
        GITHUB,
        Secret {
            typed: "JBSWY3DPEHPK3PXP",
            base32: "JBSWY3DPEHPK3PXP",
        },
    ),
    (
        "otpauth://totp/Bank:me?secret=gezdgnbvgy3tqojqgezdgnbvgy3tqojq&algorithm=SHA256&digits=8",
        Secret {
            typed: "gezdgnbvgy3tqojqgezdgnbvgy3tqojq",
            base32: "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ",
        },
    ),
    (
        "otpauth://hotp/Lab:door?secret=MFRGGZDFMZTWQ2LKNNWG23TPOBYXE43UOV3HO6DZPI&counter=7",
        Secret {
            typed: "MFRGGZDFMZTWQ2LKNNWG23TPOBYXE43UOV3HO6DZPI",
            base32: "MFRGGZDFMZTWQ2LKNNWG23TPOBYXE43UOV3HO6DZPI",
        },
    ),
];

/// Typed the way services print secrets: lower case, in groups, with dashes.
const MANUAL: Secret = Secret {
    typed: "krug s4za-nfzs aylt mvrx ezlu",
    base32: "KRUGS4ZANFZSAYLTMVRXEZLU",
};

fn all_secrets() -> Vec<&'static Secret> {
    URI_SECRETS
        .iter()
        .map(|(_, s)| s)
        .chain(std::iter::once(&MANUAL))
        .collect()
}

/// A world holding every secret above.
fn world() -> TestEnv {
    let env = TestEnv::new();
    let uris: Vec<&str> = URI_SECRETS.iter().map(|(u, _)| *u).collect();
    env.add(&uris);
    add_manual(&env);
    env
}

fn add_manual(env: &TestEnv) -> Output {
    let out = env
        .cmd()
        .args(["add", "--issuer", "Shop", "--account", "me@shop.example"])
        .args(["--secret-stdin", "--algorithm", "SHA512", "--digits", "7"])
        .write_stdin(format!("{}\n", MANUAL.typed))
        .output()
        .expect("run otp add");
    assert!(out.status.success(), "manual add: {}", stderr(&out));
    out
}

fn files_under(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read dir") {
        let entry = entry.expect("dir entry");
        let kind = entry.file_type().expect("file type");
        if kind.is_dir() {
            files_under(&entry.path(), found);
        } else if kind.is_file() {
            found.push(entry.path());
        }
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path)
        .expect("metadata")
        .permissions()
        .mode()
        & 0o777
}

#[test]
fn no_secret_on_disk_but_age_reads_the_vault() {
    let env = world();
    let mut files = Vec::new();
    files_under(env.dir.path(), &mut files);
    let names: BTreeSet<String> = files
        .iter()
        .map(|p| p.strip_prefix(&env.home).unwrap_or(p).display().to_string())
        .collect();
    // Nothing unexpected was written (no temp files, no plaintext copies).
    let expected: BTreeSet<String> = [
        "identity.txt",
        "identity.txt.lock",
        "vault/vault.age",
        "vault/vault.age.bak",
        "vault/vault.age.lock",
    ]
    .map(String::from)
    .into();
    assert_eq!(names, expected);

    for file in &files {
        let bytes = std::fs::read(file).expect("read file");
        let upper = bytes.to_ascii_uppercase();
        for s in all_secrets() {
            let ctx = format!("{} holds the secret {}", file.display(), s.base32);
            assert!(!contains(&upper, s.base32.as_bytes()), "{ctx} (base32)");
            assert!(!contains(&bytes, s.typed.as_bytes()), "{ctx} (as typed)");
            assert!(!contains(&bytes, &s.raw()), "{ctx} (raw key bytes)");
        }
    }

    assert_eq!(mode(&env.vault), 0o600, "vault");
    assert_eq!(mode(&env.vault.with_file_name("vault.age.bak")), 0o600);
    assert_eq!(mode(env.vault.parent().expect("dir")), 0o700, "vault dir");
    assert_eq!(mode(&env.identity), 0o600, "identity file");

    if !require_tool("age") {
        return;
    }
    for vault in [env.vault.clone(), env.vault.with_file_name("vault.age.bak")] {
        let out = std::process::Command::new("age")
            .arg("-d")
            .arg("-i")
            .arg(&env.identity)
            .arg(&vault)
            .output()
            .expect("run age");
        assert!(out.status.success(), "age -d: {}", stderr(&out));
        let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("vault JSON");
        assert_eq!(doc["version"], otp::vault::document::VERSION, "{doc}");
        let stored: BTreeSet<&str> = doc["entries"]
            .as_array()
            .expect("entries")
            .iter()
            .map(|e| e["secret"].as_str().expect("secret"))
            .collect();
        let secrets = all_secrets();
        if vault == env.vault {
            let all: BTreeSet<&str> = secrets.iter().map(|s| s.base32).collect();
            assert_eq!(stored, all, "the vault holds every secret, normalised");
        } else {
            // The backup is the vault before the manual entry was added.
            let before: BTreeSet<&str> = secrets[..3].iter().map(|s| s.base32).collect();
            assert_eq!(stored, before, "the backup is the previous vault");
        }
    }
}

#[test]
fn backup_is_the_previous_vault_and_no_ops_write_nothing() {
    let env = world();
    let backup = env.vault.with_file_name("vault.age.bak");
    let at = AT.to_string();
    let changes: [&[&str]; 4] = [
        &[
            "add",
            "otpauth://totp/Extra:x?secret=ONSWG4TFOQQGC3TEEBZWKY3SMV2A",
        ],
        &["rename", "extra", "--account", "y"],
        &["note", "extra", "a note"],
        &["rm", "--yes", "extra"],
    ];
    for args in changes {
        let previous = env.vault_bytes();
        let out = env.run(args);
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        assert_ne!(env.vault_bytes(), previous, "{args:?} changed the vault");
        assert_eq!(
            std::fs::read(&backup).expect("backup"),
            previous,
            "after {args:?} the backup is the previous vault, byte for byte"
        );
        assert_eq!(mode(&backup), 0o600);
    }

    // No-ops: an identical entry again (URI and manual entry), clearing an absent note.
    assert_no_op(&env, "re-add a URI", true, || env.run(&["add", GITHUB]));
    assert_no_op(&env, "re-add by hand", true, || add_manual(&env));
    assert_no_op(&env, "clear an absent note", false, || {
        env.run(&["note", "github", ""])
    });

    // Codes still come from the untouched vault.
    let out = env.run(&["code", "github", "--at", &at]);
    assert!(out.status.success(), "code: {}", stderr(&out));
}

/// Runs a command that must change nothing: the vault keeps its bytes, inode and mtime, and
/// the backup stays as it was.
fn assert_no_op(env: &TestEnv, what: &str, says_so: bool, run: impl FnOnce() -> Output) {
    let backup = env.vault.with_file_name("vault.age.bak");
    let vault_before = std::fs::metadata(&env.vault).expect("vault metadata");
    let bytes_before = env.vault_bytes();
    let backup_before = std::fs::read(&backup).expect("backup");
    let out = run();
    assert!(out.status.success(), "{what}: {}", stderr(&out));
    if says_so {
        assert!(
            stdout(&out).contains("nothing changed"),
            "{what}: the no-op says so: {}",
            stdout(&out)
        );
    }
    let vault_after = std::fs::metadata(&env.vault).expect("vault metadata");
    assert_eq!(env.vault_bytes(), bytes_before, "{what}: vault bytes");
    assert_eq!(vault_after.ino(), vault_before.ino(), "{what}: rewritten");
    assert_eq!(
        vault_after.modified().expect("mtime"),
        vault_before.modified().expect("mtime"),
        "{what}: mtime"
    );
    assert_eq!(std::fs::read(&backup).expect("backup"), backup_before);
}
