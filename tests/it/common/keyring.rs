//! The real Secret Service that `scripts/test` provides: a throw-away, unlocked gnome-keyring
//! on a private session bus (it sets `OTP_TEST_SECRET_SERVICE=1`), and `secret-tool`
//! (libsecret) as the independent view of what `otp` stored there.

use super::{TestEnv, require_tool, stdout};
use std::path::Path;
use std::process::{Command, Output};

/// The session bus address when the real Secret Service is there to test against. Without
/// it: a failure under CI (the test command always provides it), else a skip with a note.
pub fn secret_service() -> Option<String> {
    let ci = std::env::var("CI").as_deref() == Ok("true");
    if std::env::var_os("OTP_TEST_SECRET_SERVICE").is_none() {
        assert!(
            !ci,
            "OTP_TEST_SECRET_SERVICE is not set: under CI the keyring tests need the real \
             Secret Service; run them through scripts/test"
        );
        eprintln!(
            "note: OTP_TEST_SECRET_SERVICE not set; skipping this real-keyring test \
             (run scripts/test)"
        );
        return None;
    }
    let bus = std::env::var("DBUS_SESSION_BUS_ADDRESS")
        .expect("OTP_TEST_SECRET_SERVICE is set but DBUS_SESSION_BUS_ADDRESS is not");
    assert!(
        require_tool("secret-tool"),
        "secret-tool (libsecret-tools) is needed to look at the keyring"
    );
    Some(bus)
}

/// `otp` on the world's vault with the defaults (no identity file, no backend) on the real
/// session bus `bus`.
pub fn keyring_cmd(env: &TestEnv, bus: &str) -> assert_cmd::Command {
    let mut cmd = env.bare_cmd();
    cmd.env("DBUS_SESSION_BUS_ADDRESS", bus)
        .env("OTP_VAULT", &env.vault);
    cmd
}

/// The keyring user for a vault: its canonical path (directory resolved, file name kept).
pub fn canonical(vault: &Path) -> String {
    let dir = vault.parent().expect("vault dir");
    let dir = std::fs::canonicalize(dir).expect("canonical vault dir");
    dir.join(vault.file_name().expect("vault name"))
        .to_string_lossy()
        .into_owned()
}

/// `secret-tool ARGS` on the session bus `bus`.
pub fn secret_tool(bus: &str, args: &[&str]) -> Output {
    Command::new("secret-tool")
        .args(args)
        .env("DBUS_SESSION_BUS_ADDRESS", bus)
        .output()
        .expect("run secret-tool")
}

/// The secret stored under service `otp` and `user`, if any.
pub fn keyring_secret(bus: &str, user: &str) -> Option<String> {
    let out = secret_tool(bus, &["lookup", "service", "otp", "username", user]);
    let secret = stdout(&out);
    (out.status.success() && !secret.is_empty()).then_some(secret)
}
