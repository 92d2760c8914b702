//! The shared test world: a temporary home with a vault and an identity file, and the real
//! `otp` binary run inside it (as fd's `TestEnv` does), with the assertions every test file
//! uses: [`ok`] and [`fails_with`] show everything `otp` printed when they fail.
// Some helpers serve only the Unix-only test modules.
#![cfg_attr(not(unix), allow(dead_code))]

pub mod apps;
pub mod keyring;
pub mod strace;
pub mod tmux;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::{Mutex, MutexGuard};

/// A fixed time for deterministic codes: 2023-11-14T22:13:20Z, 20 s into its 30-s period.
pub const AT: i64 = 1_700_000_000;

pub const GITHUB: &str =
    "otpauth://totp/GitHub:alice@example.com?secret=JBSWY3DPEHPK3PXP&issuer=GitHub";
pub const GOOGLE: &str =
    "otpauth://totp/Google:alice@gmail.com?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Google";

/// The X display's clipboard (and keyboard focus) is one for every test in this process:
/// tests that use it take turns.
pub fn x_display_turn() -> MutexGuard<'static, ()> {
    static X_DISPLAY: Mutex<()> = Mutex::new(());
    // A test that failed holding it poisons it; the display is still usable.
    X_DISPLAY.lock().unwrap_or_else(|e| e.into_inner())
}

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
    /// environment (so the identity-file backend), no colour, no terminal (stdin, stdout and
    /// stderr are not one unless a test makes them so) and no session bus (so no real keyring
    /// is touched by accident).
    pub fn cmd(&self) -> assert_cmd::Command {
        let mut cmd = self.bare_cmd();
        cmd.env("OTP_VAULT", &self.vault)
            .env("OTP_IDENTITY_FILE", &self.identity);
        cmd
    }

    /// `otp` in the world with no vault, identity or backend chosen: the defaults apply.
    pub fn bare_cmd(&self) -> assert_cmd::Command {
        let mut cmd = assert_cmd::Command::cargo_bin("otp").expect("otp binary");
        for (name, value) in self.isolation() {
            match value {
                Some(value) => cmd.env(name, value),
                None => cmd.env_remove(name),
            };
        }
        cmd
    }

    /// `program` as a plain `std` command (to spawn, or to run `otp` under another program)
    /// in the world as [`TestEnv::cmd`] sets it up, stdin empty.
    pub fn std_cmd(&self, program: impl AsRef<std::ffi::OsStr>) -> Command {
        let mut cmd = Command::new(program);
        for (name, value) in self.isolation() {
            match value {
                Some(value) => cmd.env(name, value),
                None => cmd.env_remove(name),
            };
        }
        cmd.env("OTP_VAULT", &self.vault)
            .env("OTP_IDENTITY_FILE", &self.identity)
            .stdin(Stdio::null());
        cmd
    }

    /// `sh -c LINE` on a pseudo-terminal (util-linux `script`: stdin, stdout and stderr are
    /// the terminal, what it showed is `script`'s stdout), in the world; `LINE` is usually
    /// [`otp_line`].
    pub fn on_pty(&self, line: &str) -> Command {
        let mut cmd = self.std_cmd("script");
        cmd.args(["-q", "-e", "-c", line, "/dev/null"]);
        cmd
    }

    /// The environment of the world: set (`Some`) or removed (`None`).
    fn isolation(&self) -> Vec<(&'static str, Option<PathBuf>)> {
        vec![
            ("HOME", Some(self.home.clone())),
            ("XDG_DATA_HOME", Some(self.home.join(".local/share"))),
            ("XDG_CONFIG_HOME", Some(self.home.join(".config"))),
            ("NO_COLOR", Some("1".into())),
            ("OTP_VAULT", None),
            ("OTP_CONFIG", None),
            ("OTP_BACKEND", None),
            ("OTP_IDENTITY_FILE", None),
            ("OTP_PASSPHRASE", None),
            ("DBUS_SESSION_BUS_ADDRESS", None),
            // Without a bus address, D-Bus clients try $XDG_RUNTIME_DIR/bus: point it into
            // the world so a developer's real keyring is never reached.
            ("XDG_RUNTIME_DIR", Some(self.home.join("run"))),
        ]
    }

    /// Runs `otp ARGS` and returns its output, whatever the exit status.
    pub fn run(&self, args: &[&str]) -> Output {
        run(self.cmd(), args)
    }

    /// Runs `otp ARGS` with `stdin` as its standard input, whatever the exit status.
    pub fn run_with_stdin(&self, args: &[&str], stdin: &str) -> Output {
        let mut cmd = self.cmd();
        cmd.write_stdin(stdin);
        run(cmd, args)
    }

    /// Runs `otp ARGS`, asserts success, returns stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        stdout(&ok(self.cmd(), args))
    }

    /// Runs `otp ARGS`, asserts exit code `exit` and an empty stdout, returns stderr.
    pub fn fails_with(&self, args: &[&str], exit: i32) -> String {
        fails_with(self.cmd(), args, exit)
    }

    /// Adds URIs, asserting success.
    pub fn add(&self, uris: &[&str]) {
        let mut args = vec!["add"];
        args.extend_from_slice(uris);
        ok(self.cmd(), &args);
    }

    /// The vault's bytes (to show that a failed command changed nothing).
    pub fn vault_bytes(&self) -> Vec<u8> {
        std::fs::read(&self.vault).unwrap_or_default()
    }
}

/// Runs `cmd ARGS` and returns its output, whatever the exit status.
pub fn run(mut cmd: assert_cmd::Command, args: &[&str]) -> Output {
    cmd.args(args).output().expect("run otp")
}

/// Runs `cmd ARGS` and asserts success; returns the output.
pub fn ok(cmd: assert_cmd::Command, args: &[&str]) -> Output {
    let out = run(cmd, args);
    assert_success(&out, &format!("otp {args:?}"));
    out
}

/// Runs `cmd ARGS`, asserts exit code `exit` and an empty stdout; returns stderr.
pub fn fails_with(cmd: assert_cmd::Command, args: &[&str], exit: i32) -> String {
    let out = run(cmd, args);
    assert_eq!(
        out.status.code(),
        Some(exit),
        "otp {args:?}: exit {:?}, expected {exit}\n{}",
        out.status.code(),
        printed(&out)
    );
    assert!(
        out.stdout.is_empty(),
        "otp {args:?} printed on stdout\n{}",
        printed(&out)
    );
    stderr(&out)
}

/// Asserts that `out` (of `what`) is a success, showing all it printed if not.
pub fn assert_success(out: &Output, what: &str) {
    assert!(
        out.status.success(),
        "{what} failed ({})\n{}",
        out.status,
        printed(out)
    );
}

/// Asserts that `out` is a success; returns its stdout.
pub fn succeeded(out: &Output) -> String {
    assert_success(out, "otp");
    stdout(out)
}

/// Everything a run printed, for an assertion's message.
pub fn printed(out: &Output) -> String {
    format!("--- stdout\n{}--- stderr\n{}", stdout(out), stderr(out))
}

/// `s` quoted for `sh`.
pub fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// The `otp` binary and `args`, quoted for `sh -c` (for [`TestEnv::on_pty`]).
pub fn otp_line(args: &[&str]) -> String {
    std::iter::once(env!("CARGO_BIN_EXE_otp"))
        .chain(args.iter().copied())
        .map(quote)
        .collect::<Vec<_>>()
        .join(" ")
}

/// The wall clock, in Unix seconds (for the tests that cannot fix the time with `--at`).
pub fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock after 1970")
        .as_secs() as i64
}

/// The entry a URI describes, for computing its codes with the library.
pub fn entry(uri: &str) -> otp::entry::Entry {
    otp::uri::parse(uri)
        .expect("test URI")
        .into_entry("t".into(), 0)
}

/// Names in `dir` that look like one of otp's temp files (`….tmp`, `….tmp-…`).
pub fn temps_in(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .expect("read dir")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".tmp"))
        .collect()
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
