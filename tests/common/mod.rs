//! The shared test world: a temporary home with a vault and an identity file, and the real
//! `otp` binary run inside it (as fd's `TestEnv` does).
#![allow(dead_code)] // each test binary uses a different part of this module

pub mod apps;
pub mod strace;
pub mod tmux;

use std::path::{Path, PathBuf};
use std::process::Output;

/// A fixed time for deterministic codes: 2023-11-14T22:13:20Z, 20 s into its 30-s period.
pub const AT: i64 = 1_700_000_000;

pub const GITHUB: &str =
    "otpauth://totp/GitHub:alice@example.com?secret=JBSWY3DPEHPK3PXP&issuer=GitHub";
pub const GOOGLE: &str =
    "otpauth://totp/Google:alice@gmail.com?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Google";

pub struct TestEnv {
    pub dir: tempfile::TempDir,
    pub home: PathBuf,
    pub vault: PathBuf,
    pub identity: PathBuf,
}

impl TestEnv {
    /// A world using the identity-file backend (no keyring involved).
    pub fn new() -> TestEnv {
        let dir = tempfile::tempdir().expect("temp dir");
        let home = dir.path().join("home");
        std::fs::create_dir_all(&home).expect("home");
        TestEnv {
            vault: home.join("vault/vault.age"),
            identity: home.join("identity.txt"),
            home,
            dir,
        }
    }

    /// `otp` with HOME/XDG pointing into the world, the vault and identity set through the
    /// environment, and no session bus (so no real keyring is touched by accident).
    pub fn cmd(&self) -> assert_cmd::Command {
        let mut cmd = assert_cmd::Command::cargo_bin("otp").expect("otp binary");
        self.isolate(&mut cmd);
        cmd.env("OTP_VAULT", &self.vault)
            .env("OTP_IDENTITY_FILE", &self.identity);
        cmd
    }

    /// `otp` in the world with no vault, identity or backend chosen: the defaults apply.
    pub fn bare_cmd(&self) -> assert_cmd::Command {
        let mut cmd = assert_cmd::Command::cargo_bin("otp").expect("otp binary");
        self.isolate(&mut cmd);
        cmd
    }

    fn isolate(&self, cmd: &mut assert_cmd::Command) {
        cmd.env("HOME", &self.home)
            .env("XDG_DATA_HOME", self.home.join(".local/share"))
            .env("XDG_CONFIG_HOME", self.home.join(".config"))
            .env("NO_COLOR", "1")
            .env_remove("OTP_VAULT")
            .env_remove("OTP_CONFIG")
            .env_remove("OTP_BACKEND")
            .env_remove("OTP_IDENTITY_FILE")
            .env_remove("OTP_PASSPHRASE")
            .env_remove("DBUS_SESSION_BUS_ADDRESS")
            // Without a bus address, D-Bus clients try $XDG_RUNTIME_DIR/bus: point it into
            // the world so a developer's real keyring is never reached.
            .env("XDG_RUNTIME_DIR", self.home.join("run"));
    }

    /// Runs `otp ARGS` and returns its output, whatever the exit status.
    pub fn run(&self, args: &[&str]) -> Output {
        self.cmd().args(args).output().expect("run otp")
    }

    /// Adds URIs, asserting success.
    pub fn add(&self, uris: &[&str]) {
        let mut args = vec!["add"];
        args.extend_from_slice(uris);
        let out = self.run(&args);
        assert!(out.status.success(), "otp add failed: {}", stderr(&out));
    }

    /// The vault's bytes (to show that a failed command changed nothing).
    pub fn vault_bytes(&self) -> Vec<u8> {
        std::fs::read(&self.vault).unwrap_or_default()
    }
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Whether an external tool the suite compares against is installed. Under CI (`CI=true`)
/// a missing tool fails the test: the README's test command installs them all.
pub fn require_tool(name: &str) -> bool {
    let found = std::env::var_os("PATH")
        .map(|paths| std::env::split_paths(&paths).any(|d| is_executable(&d.join(name))))
        .unwrap_or(false);
    if !found {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "{name} is required under CI (the test command installs it)"
        );
        eprintln!("note: {name} not installed; skipping this check (run scripts/test)");
    }
    found
}

/// Whether the terminal checks can run: they put otp on a pseudo-terminal with util-linux's
/// `script -q -e -c` (required under CI, as [`require_tool`]). Elsewhere they are skipped,
/// with a note: macOS has BSD `script`, whose options differ, and Windows has none (its
/// console is another API).
pub fn require_script() -> bool {
    if !cfg!(target_os = "linux") {
        eprintln!("note: util-linux `script` is Linux-only; skipping this terminal check");
        return false;
    }
    require_tool("script")
}

fn is_executable(path: &Path) -> bool {
    path.is_file()
}

/// Asserts that `path` has Unix mode `want`. Windows has no modes: there otp's files are as
/// private as the folder they are in (the user profile's ACL), so there is nothing to assert.
pub fn assert_mode(path: &Path, want: u32) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path)
            .expect("metadata")
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(mode, want, "mode of {}", path.display());
    }
    #[cfg(not(unix))]
    let _ = (path, want);
}

/// Sets Unix mode `mode` on `path`; nothing on Windows, which has none.
pub fn chmod(path: &Path, mode: u32) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).expect("chmod");
    }
    #[cfg(not(unix))]
    let _ = (path, mode);
}
