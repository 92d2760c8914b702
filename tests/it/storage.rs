//! The vault's storage and creation never lose a vault or its key (docs/DATA-SAFETY.md).
//! Each test is a loss a review reproduced on an earlier build:
//!
//! - a vault missing beside its backup: `add`, `import` and `init` refuse, name the backup
//!   and how to restore it, and write nothing; `add` on a missing vault writes it once;
//! - a dangling symlink is an error naming the link's target, never a new vault;
//! - a symlinked vault (a sync folder) is written, locked and backed up beside its target,
//!   the link stays a link, and writers through two links to one vault share one lock;
//! - a damaged vault is reported as damage (exit 5, naming the vault and its backup), not as
//!   a missing key;
//! - with the real Secret Service (`scripts/test`): creating a vault where the keyring holds
//!   a key for the path reuses that key, so the real vault opens again once moved back; a
//!   symlinked vault's key is stored under the resolved path, and one stored under the
//!   link's own path (as earlier builds did) is still found.
#![cfg(unix)] // Unix-only: it works through symbolic links, which need a privilege on Windows.

use crate::common;

use common::keyring::{canonical, keyring_cmd, keyring_secret, secret_service, secret_tool};
use common::{AT, GITHUB, GOOGLE, TestEnv, ok, stderr, stdout};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

const NEXT: &str = "otpauth://totp/Next:y?secret=KRSXG5CTMVRXEZLU&issuer=Next";
/// `oathtool --totp -b JBSWY3DPEHPK3PXP --now '2023-11-14 22:13:20 UTC'` (the GITHUB entry).
const GITHUB_AT: &str = "324550";

fn names(dir: &Path) -> BTreeSet<String> {
    std::fs::read_dir(dir)
        .expect("read dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect()
}

fn labels(env: &TestEnv, cmd: Option<assert_cmd::Command>) -> BTreeSet<String> {
    let mut cmd = cmd.unwrap_or_else(|| env.cmd());
    let out = cmd.args(["list", "--json"]).output().expect("otp list");
    assert!(out.status.success(), "otp list: {}", stderr(&out));
    let list: serde_json::Value = serde_json::from_slice(&out.stdout).expect("list json");
    list.as_array()
        .expect("array")
        .iter()
        .map(|e| format!("{}:{}", e["issuer"].as_str().unwrap_or(""), e["account"]))
        .map(|l| l.replace('"', ""))
        .collect()
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| s.to_string()).collect()
}

/// The one error line and its hint, checked for shape.
fn error_lines(out: &Output) -> (String, String) {
    let err = stderr(out);
    assert!(!err.contains("panicked"), "{err}");
    let lines: Vec<&str> = err.lines().collect();
    assert!(
        (1..=2).contains(&lines.len()) && lines[0].starts_with("otp: "),
        "one `otp: …` line and at most a hint: {err}"
    );
    let hint = lines.get(1).copied().unwrap_or_default();
    assert!(hint.is_empty() || hint.starts_with("hint: "), "{err}");
    (lines[0].to_string(), hint.to_string())
}

#[test]
fn a_missing_vault_with_a_backup_is_never_replaced() {
    let env = TestEnv::new();
    env.add(&[GITHUB]);
    env.add(&[GOOGLE]);
    let dir = env.vault.parent().expect("vault dir").to_path_buf();
    let backup = dir.join("vault.age.bak");
    let backup_bytes = std::fs::read(&backup).expect("backup");
    // The vault is lost (or moved away to restore its backup).
    std::fs::rename(&env.vault, env.dir.path().join("moved.age")).expect("move vault");
    let listing = names(&dir);
    let uris = env.dir.path().join("uris.txt");
    std::fs::write(&uris, format!("{NEXT}\n")).expect("uris");

    for args in [
        vec!["add", NEXT],
        vec!["import", uris.to_str().expect("utf-8")],
        vec!["init"],
    ] {
        let out = env.run(&args);
        assert_eq!(out.status.code(), Some(1), "otp {args:?}: {}", stderr(&out));
        let (first, hint) = error_lines(&out);
        assert_eq!(
            first,
            format!(
                "otp: no vault at {}, but its backup {} is there",
                env.vault.display(),
                backup.display()
            ),
            "otp {args:?}"
        );
        let restore = format!("mv {} {}", backup.display(), env.vault.display());
        assert!(hint.contains(&restore), "otp {args:?}: {hint}");
        assert_eq!(names(&dir), listing, "otp {args:?} wrote something");
        assert_eq!(std::fs::read(&backup).expect("backup"), backup_bytes);
    }

    // The hint's command gives back the previous vault.
    std::fs::rename(&backup, &env.vault).expect("restore");
    assert_eq!(labels(&env, None), set(&["GitHub:alice@example.com"]));
}

#[test]
fn adding_to_a_missing_vault_writes_it_once() {
    let env = TestEnv::new();
    env.add(&[GITHUB, GOOGLE]);
    let dir = env.vault.parent().expect("vault dir");
    // One write, holding the entries: no empty vault first, so no backup of one.
    assert_eq!(names(dir), set(&["vault.age", "vault.age.lock"]));
    assert_eq!(labels(&env, None).len(), 2);
}

#[test]
fn a_dangling_link_is_an_error_not_a_new_vault() {
    let env = TestEnv::new();
    let dir = env.vault.parent().expect("vault dir").to_path_buf();
    std::fs::create_dir_all(&dir).expect("vault dir");
    // A vault kept in a sync folder that is not mounted now.
    let target = env.home.join("unmounted/otp/vault.age");
    std::os::unix::fs::symlink(&target, &env.vault).expect("symlink");
    let at = AT.to_string();
    for args in [
        vec!["add", GITHUB],
        vec!["init"],
        vec!["list"],
        vec!["code", "github", "--at", &at],
    ] {
        let out = env.run(&args);
        assert_eq!(out.status.code(), Some(1), "otp {args:?}: {}", stderr(&out));
        let (first, hint) = error_lines(&out);
        let want = format!(
            "otp: cannot use vault {}: it is a symbolic link to {}, which cannot be reached",
            env.vault.display(),
            target.display()
        );
        assert!(first.starts_with(&want), "otp {args:?}: {first}");
        assert!(hint.contains("mount"), "otp {args:?}: {hint}");
        assert!(out.stdout.is_empty());
    }
    assert!(env.vault.is_symlink(), "the link was replaced");
    assert_eq!(names(&dir), set(&["vault.age"]), "something was written");
    assert!(!env.home.join("unmounted").exists());
    assert!(!env.identity.exists(), "a key was made");
}

/// `otp` through another vault path than the world's.
fn at_path(env: &TestEnv, vault: &Path) -> assert_cmd::Command {
    let mut cmd = env.cmd();
    cmd.env("OTP_VAULT", vault);
    cmd
}

fn spawn_add(env: &TestEnv, vault: &Path, uri: &str) -> Child {
    Command::new(env!("CARGO_BIN_EXE_otp"))
        .args(["add", uri])
        .env("HOME", &env.home)
        .env("XDG_CONFIG_HOME", env.home.join(".config"))
        .env("OTP_VAULT", vault)
        .env("OTP_IDENTITY_FILE", &env.identity)
        .env_remove("OTP_CONFIG")
        .env_remove("OTP_BACKEND")
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn otp add")
}

#[test]
fn a_symlinked_vault_is_written_through_the_link() {
    let env = TestEnv::new();
    let sync = env.home.join("Sync/otp");
    let real = sync.join("vault.age");
    let out = at_path(&env, &real).args(["add", GITHUB]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let dir = env.vault.parent().expect("vault dir").to_path_buf();
    std::fs::create_dir_all(&dir).expect("vault dir");
    std::os::unix::fs::symlink("../Sync/otp/vault.age", &env.vault).expect("symlink");

    env.add(&[GOOGLE]);
    assert!(env.vault.is_symlink(), "the link was replaced by a file");
    assert_eq!(names(&dir), set(&["vault.age"]), "files beside the link");
    assert_eq!(
        names(&sync),
        set(&["vault.age", "vault.age.bak", "vault.age.lock"])
    );
    assert!(!sync.join("vault.age.bak").is_symlink());
    let both = set(&["GitHub:alice@example.com", "Google:alice@gmail.com"]);
    assert_eq!(labels(&env, Some(at_path(&env, &real))), both);
    let backup = sync.join("vault.age.bak");
    assert_eq!(
        labels(&env, Some(at_path(&env, &backup))),
        set(&["GitHub:alice@example.com"])
    );

    // Writers through two links to one vault take one lock: every entry lands.
    let other = env.home.join("other.age");
    std::os::unix::fs::symlink(&real, &other).expect("second symlink");
    let mut want = both.clone();
    let children: Vec<Child> = (0..20)
        .map(|i| {
            let issuer = format!("Link{i}");
            want.insert(format!("{issuer}:me"));
            let uri = format!("otpauth://totp/{issuer}:me?secret=JBSWY3DPEHPK3PXP&issuer={issuer}");
            spawn_add(&env, if i % 2 == 0 { &env.vault } else { &other }, &uri)
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().expect("wait otp add");
        assert!(out.status.success(), "otp add: {}", stderr(&out));
    }
    assert_eq!(labels(&env, Some(at_path(&env, &other))), want);
    assert!(env.vault.is_symlink() && other.is_symlink());
}

#[test]
fn a_damaged_vault_is_reported_as_damage() {
    let env = TestEnv::new();
    // No backend named, the key in the default identity file (no keyring answers here).
    let bare = |vault: &Path| {
        let mut cmd = env.bare_cmd();
        cmd.env("OTP_VAULT", vault);
        cmd
    };
    for uri in [GITHUB, GOOGLE] {
        let out = bare(&env.vault).args(["add", uri]).output().unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
    }
    let backup = env.vault.with_file_name("vault.age.bak");
    let good = env.vault_bytes();
    let mut truncated = good.clone();
    truncated.truncate(good.len() - 20);
    let mut flipped = good.clone();
    let last = flipped.len() - 10;
    flipped[last] ^= 0x40;

    for (what, bytes) in [("truncated", truncated), ("tampered", flipped)] {
        std::fs::write(&env.vault, &bytes).expect("damage the vault");
        let mut named = env.cmd();
        named.env(
            "OTP_IDENTITY_FILE",
            env.home.join(".config/otp/identity.txt"),
        );
        for mut cmd in [bare(&env.vault), named] {
            let out = cmd.arg("list").output().unwrap();
            assert_eq!(out.status.code(), Some(5), "{what}: {}", stderr(&out));
            let (first, hint) = error_lines(&out);
            let want = format!(
                "otp: cannot unlock vault {}: the file is truncated or has been tampered with",
                env.vault.display()
            );
            assert!(first.starts_with(&want), "{what}: {first}");
            assert!(
                !first.contains("keyring"),
                "{what}: not a key problem: {first}"
            );
            assert!(
                hint.contains(&backup.display().to_string()),
                "{what}: {hint}"
            );
        }
        // What the hint says to check works.
        let out = bare(&backup).arg("list").output().unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
        assert_eq!(stdout(&out).lines().count(), 1);
    }
}

/// `otp` with the defaults on the real session bus, on the vault at `vault`.
fn keyring_cmd_at(env: &TestEnv, bus: &str, vault: &Path) -> assert_cmd::Command {
    let mut cmd = keyring_cmd(env, bus);
    cmd.env("OTP_VAULT", vault);
    cmd
}

// The real Secret Service, as in tests/it/keyring.rs.

/// Removes the test's keyring items even when it fails.
struct Items<'a> {
    bus: &'a str,
    users: Vec<String>,
}

impl Drop for Items<'_> {
    fn drop(&mut self) {
        for user in &self.users {
            secret_tool(self.bus, &["clear", "service", "otp", "username", user]);
        }
    }
}

#[test]
fn creating_a_vault_where_the_keyring_holds_its_key_reuses_it() {
    let Some(bus) = secret_service() else { return };
    let env = TestEnv::new();
    ok(keyring_cmd_at(&env, &bus, &env.vault), &["init"]);
    let user = canonical(&env.vault);
    let _items = Items {
        bus: &bus,
        users: vec![user.clone()],
    };
    ok(keyring_cmd_at(&env, &bus, &env.vault), &["add", GITHUB]);
    let key = keyring_secret(&bus, &user).expect("the vault's key");

    // The vault and its backup are moved away (a restore in progress, a sync folder
    // elsewhere); a new vault is made at the path.
    let away = env.dir.path().join("away");
    std::fs::create_dir(&away).expect("away");
    for name in ["vault.age", "vault.age.bak"] {
        std::fs::rename(env.vault.with_file_name(name), away.join(name)).expect("move");
    }
    let out = ok(keyring_cmd_at(&env, &bus, &env.vault), &["add", GOOGLE]);
    assert!(stderr(&out).is_empty(), "{}", stderr(&out));
    assert_eq!(
        keyring_secret(&bus, &user),
        Some(key.clone()),
        "the key was replaced"
    );
    std::fs::remove_file(&env.vault).expect("remove the new vault");
    let out = ok(keyring_cmd_at(&env, &bus, &env.vault), &["init"]);
    assert!(stdout(&out).contains("already stored"), "{}", stdout(&out));
    assert_eq!(
        keyring_secret(&bus, &user),
        Some(key),
        "the key was replaced"
    );

    // The real vault comes back, and opens.
    std::fs::rename(away.join("vault.age"), &env.vault).expect("move back");
    let at = AT.to_string();
    let out = ok(
        keyring_cmd_at(&env, &bus, &env.vault),
        &["code", "github", "--at", &at],
    );
    assert_eq!(stdout(&out), format!("{GITHUB_AT}\n"));
}

#[test]
fn a_symlinked_vault_has_one_key_for_every_link() {
    let Some(bus) = secret_service() else { return };
    let env = TestEnv::new();
    let at = AT.to_string();
    let real_dir = env.home.join("Sync");
    std::fs::create_dir_all(&real_dir).expect("sync dir");
    let links: Vec<PathBuf> = ["one.age", "two.age"]
        .iter()
        .map(|n| env.home.join(n))
        .collect();

    // Used through links: the key is stored under the file the links point to.
    let real = real_dir.join("vault.age");
    let mut items = Items {
        bus: &bus,
        users: vec![canonical(&real)],
    };
    ok(keyring_cmd_at(&env, &bus, &real), &["init"]);
    for link in &links {
        std::os::unix::fs::symlink(&real, link).expect("symlink");
    }
    ok(keyring_cmd_at(&env, &bus, &links[0]), &["add", GITHUB]);
    assert!(keyring_secret(&bus, &canonical(&real)).is_some());
    assert!(keyring_secret(&bus, &canonical(&links[0])).is_none());
    let out = ok(
        keyring_cmd_at(&env, &bus, &links[1]),
        &["code", "github", "--at", &at],
    );
    assert_eq!(stdout(&out), format!("{GITHUB_AT}\n"));

    // Made before links were resolved: a vault first kept at `old.age`, its key stored under
    // that name, then moved into the sync folder with a link left in its place.
    let old = env.home.join("old.age");
    let moved = real_dir.join("moved.age");
    items.users.extend([canonical(&old), canonical(&moved)]);
    ok(keyring_cmd_at(&env, &bus, &old), &["add", GITHUB]);
    let key = keyring_secret(&bus, &canonical(&old)).expect("key under the old name");
    std::fs::rename(&old, &moved).expect("move into the sync folder");
    std::fs::rename(
        old.with_file_name("old.age.bak"),
        real_dir.join("moved.age.bak"),
    )
    .ok();
    std::os::unix::fs::symlink(&moved, &old).expect("symlink");
    let out = ok(
        keyring_cmd_at(&env, &bus, &old),
        &["code", "github", "--at", &at],
    );
    assert_eq!(stdout(&out), format!("{GITHUB_AT}\n"));
    // From then on under the resolved name too, so that other links find it; the old item
    // stays.
    assert_eq!(keyring_secret(&bus, &canonical(&moved)), Some(key.clone()));
    assert_eq!(keyring_secret(&bus, &canonical(&old)), Some(key));
    let another = env.home.join("another.age");
    std::os::unix::fs::symlink(&moved, &another).expect("symlink");
    ok(keyring_cmd_at(&env, &bus, &another), &["add", GOOGLE]);
    assert!(old.is_symlink() && another.is_symlink());
}
