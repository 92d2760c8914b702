//! `otp sync` over real git: two machines, each with its own key (joined with `otp device
//! add`), sharing a bare repository (in a temp dir) change their vaults offline and end up with the same entries; only ciphertext reaches the remote;
//! an unreachable remote is exit 1 with the vault untouched; `--clone` refuses to overwrite.

mod common;

use common::{GITHUB, GOOGLE, TestEnv, require_tool, stderr, stdout};
use std::path::Path;
use std::process::{Command, Output};

const DROPBOX: &str = "otpauth://totp/Dropbox:alice?secret=MFRGGZDFMZTWQ2LKMFRGGZDF&issuer=Dropbox";

fn ok(out: Output) -> String {
    assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));
    stdout(&out)
}

fn bare_repo(dir: &Path) -> String {
    let bare = dir.join("remote.git");
    let out = Command::new("git")
        .args(["init", "--quiet", "--bare"])
        .arg(&bare)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    bare.to_string_lossy().into_owned()
}

/// A second machine using the first one's identity file.
fn second_machine(first: &TestEnv) -> TestEnv {
    let second = TestEnv::new();
    std::fs::copy(&first.identity, &second.identity).unwrap();
    second
}

fn accounts(env: &TestEnv) -> Vec<String> {
    let out = ok(env.run(&["list", "--json"]));
    let list: serde_json::Value = serde_json::from_str(&out).unwrap();
    let mut names: Vec<String> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["account"].as_str().unwrap().to_string())
        .collect();
    names.sort();
    names
}

#[test]
fn two_machines_converge_through_a_bare_repository() {
    if !require_tool("git") {
        return;
    }
    let a = TestEnv::new();
    a.add(&[GITHUB]);
    let url = bare_repo(a.dir.path());
    let out = ok(a.run(&["sync", "--init", &url]));
    assert_eq!(out, "pulled 0 changes, pushed 1\n");

    // The second machine has its own key; the first adds it as a device.
    let b = TestEnv::new();
    let b_key = ok(b.run(&["device", "id"]));
    assert!(
        b_key.starts_with("age1") && b_key.ends_with('\n'),
        "{b_key}"
    );
    assert!(b.identity.exists() && !b.vault.exists());
    assert_eq!(
        ok(b.run(&["device", "id"])),
        b_key,
        "the same key every time"
    );
    assert_ne!(
        std::fs::read(&b.identity).unwrap(),
        std::fs::read(&a.identity).unwrap()
    );
    ok(a.run(&["device", "add", b_key.trim(), "--name", "laptop"]));
    assert_eq!(ok(a.run(&["sync"])), "pulled 0 changes, pushed 0\n");
    let out = ok(b.run(&["sync", "--clone", &url]));
    assert!(out.contains("Cloned the vault (1 entry)"), "{out}");
    assert_eq!(accounts(&b), ["alice@example.com"]);
    let devices = ok(b.run(&["device", "list"]));
    assert!(
        devices.contains(&format!("laptop  {}  (this machine)", b_key.trim())),
        "{devices}"
    );

    // Offline on both.
    b.add(&[GOOGLE]);
    a.add(&[DROPBOX]);
    ok(a.run(&["rm", "github", "--yes"]));
    let out = ok(a.run(&["sync"]));
    assert_eq!(out, "pulled 0 changes, pushed 2\n");
    let out = ok(b.run(&["sync"]));
    assert_eq!(out, "pulled 2 changes, pushed 1\n");
    let out = ok(a.run(&["sync"]));
    assert_eq!(out, "pulled 1 change, pushed 0\n");
    assert_eq!(accounts(&a), ["alice", "alice@gmail.com"]);
    assert_eq!(accounts(&a), accounts(&b));
    // Nothing left to do.
    assert_eq!(ok(b.run(&["sync"])), "pulled 0 changes, pushed 0\n");
    // Each machine opens what the other wrote with its own key only.
    for env in [&a, &b] {
        let out = env.run(&["--backend", "identity-file", "list"]);
        assert!(out.status.success(), "{}", stderr(&out));
    }

    // Only ciphertext reached the remote: no secret or name in any object.
    let out = Command::new("git")
        .args(["-C", &url, "cat-file", "--batch-all-objects", "--batch"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let objects = String::from_utf8_lossy(&out.stdout);
    for needle in [
        "JBSWY3DPEHPK3PXP",
        "GEZDGNBVGY3TQOJQ",
        "MFRGGZDFMZTWQ2LK",
        "alice",
        "GitHub",
        "Google",
        "Dropbox",
    ] {
        assert!(!objects.contains(needle), "{needle} in the remote");
    }
    assert!(objects.contains("age-encryption.org"), "the vault is there");
}

#[test]
fn an_unreachable_remote_leaves_the_vault_untouched() {
    if !require_tool("git") {
        return;
    }
    let env = TestEnv::new();
    env.add(&[GITHUB]);
    let before = env.vault_bytes();
    let gone = env.dir.path().join("no-such-remote.git");
    let out = env.run(&["sync", "--init", gone.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("git fetch failed"),
        "{}",
        stderr(&out)
    );
    assert_eq!(env.vault_bytes(), before);
    let out = env.run(&["sync"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(env.vault_bytes(), before);
    assert_eq!(accounts(&env), ["alice@example.com"]);
}

#[test]
fn sync_needs_a_repository_and_clone_needs_no_vault() {
    if !require_tool("git") {
        return;
    }
    let env = TestEnv::new();
    env.add(&[GITHUB]);
    let out = env.run(&["sync"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("otp sync --init URL"),
        "{}",
        stderr(&out)
    );
    let url = bare_repo(env.dir.path());
    let out = env.run(&["sync", "--clone", &url]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("a vault already exists"),
        "{}",
        stderr(&out)
    );
    let empty = TestEnv::new();
    let out = empty.run(&["sync", "--clone", &url]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("holds no vault yet"),
        "{}",
        stderr(&out)
    );
    assert!(!empty.vault.exists());
}

#[test]
fn concurrent_and_killed_syncs_leave_a_vault_that_opens() {
    if !require_tool("git") {
        return;
    }
    let a = TestEnv::new();
    a.add(&[GITHUB]);
    let url = bare_repo(a.dir.path());
    ok(a.run(&["sync", "--init", &url]));
    a.add(&[GOOGLE]);
    // Two at once: the vault's lock puts one after the other; both succeed.
    let first = spawn_sync(&a);
    let second = spawn_sync(&a);
    for child in [first, second] {
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
    }
    // Killed at various points: the vault still opens with every entry, and a later sync
    // completes.
    for delay_ms in [0u64, 5, 15, 40] {
        a.add(&[DROPBOX]);
        ok(a.run(&["rm", "dropbox", "--yes"]));
        let mut child = spawn_sync(&a);
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        let _ = child.kill();
        let _ = child.wait();
        assert_eq!(accounts(&a), ["alice@example.com", "alice@gmail.com"]);
        let out = ok(a.run(&["sync"]));
        assert!(out.starts_with("pulled "), "{out}");
    }
    let b = second_machine(&a);
    ok(b.run(&["sync", "--clone", &url]));
    assert_eq!(accounts(&b), accounts(&a));
}

/// `otp sync` in the world as a plain `std` command, which can be spawned and killed.
fn spawn_sync(env: &TestEnv) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_otp"))
        .arg("sync")
        .env("HOME", &env.home)
        .env("XDG_DATA_HOME", env.home.join(".local/share"))
        .env("XDG_CONFIG_HOME", env.home.join(".config"))
        .env("XDG_RUNTIME_DIR", env.home.join("run"))
        .env("OTP_VAULT", &env.vault)
        .env("OTP_IDENTITY_FILE", &env.identity)
        .env_remove("OTP_CONFIG")
        .env_remove("OTP_BACKEND")
        .env_remove("OTP_PASSPHRASE")
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn otp")
}
