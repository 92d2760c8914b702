//! A fault matrix around the vault's write path (docs/DATA-SAFETY.md), run with Debian's
//! `strace -e inject`: `otp add` and `otp rm` on a vault with a backup, and `otp add`
//! creating a vault.
//!
//! Each scenario is traced once to list the system calls that touch the vault's directory
//! (opening, reading, writing, syncing, linking, renaming, locking, stat, listing); then each
//! of those calls in turn is made to fail, alone. For every fault: no panic, only `otp: …`
//! lines on stderr; a failed command left the vault and its backup as they were; a command
//! that succeeded wrote the new vault, and its backup is the vault before it (or, when only
//! the backup's rename failed, it said so and the previous vault waits in the staged backup);
//! a failed directory fsync after the commit is a warning with exit 0; nothing is left
//! behind that the next command trips over: the next `otp add` succeeds and its backup is
//! the vault as the fault left it.
#![cfg(unix)] // Unix-only: it injects faults with Linux's strace.

use crate::common;

use common::strace::{self, Inject};
use common::{GITHUB, GOOGLE, TestEnv, require_tool, stderr};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// Who is in a vault: `Issuer:account` of each entry; `None` when there is no file.
type State = Option<BTreeSet<String>>;

/// The calls aimed at, and the error each is made to return. Several errors for one call
/// where the program treats them differently (a filesystem without hard links; a vault
/// that looks absent).
const FAULTS: &[(&str, &str)] = &[
    ("open", "EACCES"),
    ("openat", "EACCES"),
    ("read", "EIO"),
    ("write", "ENOSPC"),
    ("fsync", "EIO"),
    ("fdatasync", "EIO"),
    ("rename", "EIO"),
    ("renameat", "EIO"),
    ("renameat2", "EIO"),
    ("renameat2", "EINVAL"),
    ("link", "EIO"),
    ("linkat", "EIO"),
    ("linkat", "EPERM"),
    ("unlink", "EIO"),
    ("unlinkat", "EIO"),
    ("flock", "ENOLCK"),
    ("lstat", "EIO"),
    ("lstat", "ENOENT"),
    ("stat", "EIO"),
    ("newfstatat", "EIO"),
    ("statx", "EIO"),
    ("mkdir", "EIO"),
    ("getdents64", "EIO"),
];

const FAULT: &str = "otpauth://totp/Fault:x?secret=MFRGGZDFMZTWQ2LK&issuer=Fault";
const NEXT: &str = "otpauth://totp/Next:y?secret=KRSXG5CTMVRXEZLU&issuer=Next";

fn otp(env: &TestEnv, args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_otp"));
    cmd.args(args)
        .env("HOME", &env.home)
        .env("XDG_DATA_HOME", env.home.join(".local/share"))
        .env("XDG_CONFIG_HOME", env.home.join(".config"))
        .env("XDG_RUNTIME_DIR", env.home.join("run"))
        .env("NO_COLOR", "1")
        .env("OTP_VAULT", &env.vault)
        .env("OTP_IDENTITY_FILE", &env.identity)
        .env_remove("OTP_CONFIG")
        .env_remove("OTP_BACKEND")
        .env_remove("OTP_PASSPHRASE")
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        .stdin(Stdio::null());
    cmd
}

fn state(env: &TestEnv, path: &Path) -> State {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return None,
        Err(e) => panic!("read {}: {e}", path.display()),
    };
    let identity = otp::keys::identity_file::load(&env.identity).expect("identity");
    let plaintext = otp::vault::crypto::decrypt(&bytes, &otp::keys::Key::Identity(identity))
        .unwrap_or_else(|e| panic!("{} does not open: {e}", path.display()));
    let doc = otp::vault::Document::from_json(&plaintext).expect("vault document");
    Some(
        doc.entries
            .iter()
            .map(|e| format!("{}:{}", e.issuer, e.account))
            .collect(),
    )
}

fn with(state: &State, label: &str) -> State {
    let mut set = state.clone().unwrap_or_default();
    set.insert(label.to_string());
    Some(set)
}

fn without(state: &State, label: &str) -> State {
    let mut set = state.clone().expect("a vault");
    assert!(set.remove(label));
    Some(set)
}

struct World {
    env: TestEnv,
    dir: PathBuf,
    backup: PathBuf,
    staged: PathBuf,
    /// The vault's and the backup's bytes each run starts from.
    start: (Option<Vec<u8>>, Option<Vec<u8>>),
}

impl World {
    /// A vault with two generations (`vault.age` and `vault.age.bak`), or none at all.
    fn new(with_vault: bool) -> World {
        let env = TestEnv::new();
        env.add(&[GITHUB]);
        if with_vault {
            env.add(&[GOOGLE]);
        }
        let dir = env.vault.parent().expect("vault dir").to_path_buf();
        let backup = dir.join("vault.age.bak");
        let staged = dir.join(".vault.age.bak-staged");
        let start = if with_vault {
            (Some(env.vault_bytes()), std::fs::read(&backup).ok())
        } else {
            (None, None)
        };
        World {
            env,
            dir,
            backup,
            staged,
            start,
        }
    }

    /// Back to the starting files, nothing else in the directory.
    fn reset(&self) {
        for entry in std::fs::read_dir(&self.dir).expect("vault dir") {
            std::fs::remove_file(entry.expect("entry").path()).expect("remove");
        }
        use std::os::unix::fs::OpenOptionsExt;
        let put = |path: &Path, bytes: &Option<Vec<u8>>| {
            if let Some(bytes) = bytes {
                let mut file = std::fs::OpenOptions::new()
                    .write(true)
                    .create_new(true)
                    .mode(0o600)
                    .open(path)
                    .expect("restore");
                std::io::Write::write_all(&mut file, bytes).expect("restore");
            }
        };
        put(&self.env.vault, &self.start.0);
        put(&self.backup, &self.start.1);
    }

    fn names(&self) -> BTreeSet<String> {
        std::fs::read_dir(&self.dir)
            .expect("vault dir")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect()
    }
}

/// What one faulty run must leave: `old`/`prev` are the vault and backup before it, `new`
/// the vault it is asked to make.
/// Returns (failed, warned).
fn check(
    w: &World,
    fault: &Inject,
    line: &str,
    out: &Output,
    old: &State,
    prev: &State,
    new: &State,
) -> (bool, bool) {
    let err = stderr(out);
    let ctx = format!(
        "{fault:?} on `{line}` (exit {:?}): {err}",
        out.status.code()
    );
    assert!(!err.contains("panicked"), "{ctx}");
    assert!(
        err.lines()
            .all(|l| l.starts_with("otp: ") || l.starts_with("hint: ")),
        "{ctx}"
    );
    let vault = state(&w.env, &w.env.vault);
    let backup = state(&w.env, &w.backup);
    let staged = state(&w.env, &w.staged);
    let warned = err.contains("otp: warning: ");
    if out.status.success() {
        assert_eq!(&vault, new, "{ctx}: succeeded without the change");
        if &backup != old {
            assert!(
                warned,
                "{ctx}: the backup is not the previous vault, silently"
            );
            assert_eq!(&backup, prev, "{ctx}: the backup is no earlier vault");
            assert_eq!(&staged, old, "{ctx}: the previous vault is lost");
        }
        if fault.syscall == "fsync" && line.contains(&format!("<{}>)", w.dir.display())) {
            assert!(warned, "{ctx}: a failed directory fsync said nothing");
        }
    } else {
        assert_eq!(&vault, old, "{ctx}: a failed command changed the vault");
        assert_eq!(&backup, prev, "{ctx}: a failed command changed the backup");
        assert_eq!(staged, None, "{ctx}: a staged backup was left behind");
        assert_eq!(
            err.lines().filter(|l| l.starts_with("otp: ")).count(),
            1,
            "{ctx}"
        );
    }
    let allowed = [
        "vault.age",
        "vault.age.bak",
        "vault.age.lock",
        ".vault.age.bak-staged",
    ];
    for name in w.names() {
        assert!(
            allowed.contains(&name.as_str()),
            "{ctx}: left behind: {name}"
        );
    }

    // The next command is not hindered, and its backup is the vault the fault left.
    let before = state(&w.env, &w.env.vault);
    let next = otp(&w.env, &["add", NEXT]).output().expect("run otp add");
    assert!(
        next.status.success(),
        "{ctx}: the next add failed: {}",
        stderr(&next)
    );
    assert!(
        stderr(&next).is_empty(),
        "{ctx}: the next add said {}",
        stderr(&next)
    );
    assert_eq!(
        state(&w.env, &w.env.vault),
        with(&before, "Next:y"),
        "{ctx}: next add"
    );
    assert_eq!(
        state(&w.env, &w.backup),
        before,
        "{ctx}: backup after the next add"
    );
    assert!(
        !w.staged.exists(),
        "{ctx}: the staged backup outlived the next add"
    );
    (!out.status.success(), warned)
}

/// Traces `args` once, then runs it once per fault on each call it makes in the vault's
/// directory. Returns how many faults were injected, failed the command, and warned.
fn matrix(w: &World, args: &[&str], new: impl Fn(&State) -> State) -> (usize, usize, usize) {
    let names: BTreeSet<&str> = FAULTS.iter().map(|(name, _)| *name).collect();
    let names: Vec<&str> = names.into_iter().collect();
    w.reset();
    let log = w.env.dir.path().join("strace.log");
    let (out, calls) = strace::trace(&otp(&w.env, args), &names, &log);
    assert!(
        out.status.success(),
        "traced run of {args:?}: {}",
        stderr(&out)
    );
    let dir = w.dir.display().to_string();
    let aimed: Vec<&strace::Call> = calls.iter().filter(|c| c.line.contains(&dir)).collect();
    assert!(
        aimed.iter().any(|c| c.name.starts_with("rename"))
            && aimed.iter().any(|c| c.name == "fsync"),
        "the trace shows no commit: {aimed:#?}"
    );

    let (mut injected, mut failed, mut warned) = (0, 0, 0);
    for call in aimed {
        for (_, errno) in FAULTS.iter().filter(|(name, _)| *name == call.name) {
            w.reset();
            let old = state(&w.env, &w.env.vault);
            let prev = state(&w.env, &w.backup);
            let fault = Inject {
                syscall: call.name.clone(),
                errno: errno.to_string(),
                when: call.nth,
            };
            let out = strace::with_faults(&otp(&w.env, args), std::slice::from_ref(&fault))
                .output()
                .expect("run strace");
            let (f, warn) = check(w, &fault, &call.line, &out, &old, &prev, &new(&old));
            injected += 1;
            failed += usize::from(f);
            warned += usize::from(warn);
        }
    }
    // The faults did land: most steps fail the command, the last ones only warn.
    assert!(
        failed >= 5 && warned >= 1,
        "{injected} faults: {failed} failed, {warned} warned"
    );
    (injected, failed, warned)
}

#[test]
fn every_failed_step_of_add_leaves_a_usable_vault_and_backup() {
    if !require_tool("strace") {
        return;
    }
    let w = World::new(true);
    let n = matrix(&w, &["add", FAULT], |old| with(old, "Fault:x"));
    eprintln!("otp add: (injected, failed, warned) = {n:?}");
}

#[test]
fn every_failed_step_of_rm_leaves_a_usable_vault_and_backup() {
    if !require_tool("strace") {
        return;
    }
    let w = World::new(true);
    let n = matrix(&w, &["rm", "--yes", "google"], |old| {
        without(old, "Google:alice@gmail.com")
    });
    eprintln!("otp rm: (injected, failed, warned) = {n:?}");
}

#[test]
fn every_failed_step_of_creating_a_vault_leaves_none_or_a_whole_one() {
    if !require_tool("strace") {
        return;
    }
    let w = World::new(false);
    let n = matrix(&w, &["add", FAULT], |old| with(old, "Fault:x"));
    eprintln!("otp add (new vault): (injected, failed, warned) = {n:?}");
}
