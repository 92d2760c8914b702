//! Creating the identity file when the disk fails under it (Debian's strace injects the
//! faults into the real `otp init --backend identity-file`):
//!
//! - a write fails with ENOSPC (full disk), an fsync fails, the no-replace link fails: otp
//!   exits non-zero and leaves no identity file (not even an empty one) and no temp file, and
//!   the next `otp init` succeeds with a working vault;
//! - the directory fsync after the link fails: the key is stored, so this is a warning, and
//!   init succeeds.

use crate::common;

use common::{AT, GITHUB, TestEnv, require_tool, stderr, stdout, temps_in};
use std::process::{Command, Output};

/// `otp ARGS` in `env` under `strace -f -e inject=FAULT` (strace's own trace goes nowhere).
fn otp_with_fault(env: &TestEnv, fault: &str, args: &[&str]) -> Output {
    Command::new("strace")
        .args(["-f", "-qq", "-o", "/dev/null", "-e"])
        .arg(format!("inject={fault}"))
        .arg(env!("CARGO_BIN_EXE_otp"))
        .args(args)
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
        .output()
        .expect("run strace")
}

/// The vault works: an entry added, its code at a fixed time is the known one.
fn assert_vault_works(env: &TestEnv) {
    env.add(&[GITHUB]);
    let out = env.run(&["code", "github", "--at", &AT.to_string()]);
    assert!(out.status.success(), "{}", stderr(&out));
    // `oathtool --totp -b JBSWY3DPEHPK3PXP --now '2023-11-14 22:13:20 UTC'`
    assert_eq!(stdout(&out), "324550\n");
}

#[test]
fn a_failed_identity_file_creation_leaves_nothing_behind() {
    if !require_tool("strace") {
        return;
    }
    for fault in [
        "write:error=ENOSPC",
        "fsync:error=EIO",
        "renameat2,link,linkat:error=EIO",
    ] {
        let env = TestEnv::new();
        let out = otp_with_fault(&env, fault, &["init", "--backend", "identity-file"]);
        let err = stderr(&out);
        assert!(
            !out.status.success(),
            "{fault}: init succeeded anyway: {err}"
        );
        assert!(!err.contains("panicked"), "{fault}: {err}");
        assert!(
            !env.identity.exists(),
            "{fault}: an identity file was left behind"
        );
        assert!(!env.vault.exists(), "{fault}: a vault was written");
        let left = temps_in(env.identity.parent().unwrap());
        assert!(left.is_empty(), "{fault}: temp files left: {left:?}");

        let out = env.run(&["init", "--backend", "identity-file"]);
        assert!(
            out.status.success(),
            "{fault}: the next init fails: {}",
            stderr(&out)
        );
        assert!(env.identity.exists());
        assert_vault_works(&env);
    }
}

#[test]
fn a_failed_directory_fsync_after_the_link_is_a_warning() {
    if !require_tool("strace") {
        return;
    }
    let env = TestEnv::new();
    // The first fsync is the temp file's, the second the directory's once the file is linked.
    let out = otp_with_fault(
        &env,
        "fsync:error=EIO:when=2",
        &["init", "--backend", "identity-file"],
    );
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("otp: warning:"), "{err}");
    assert!(
        err.contains(&env.identity.display().to_string()),
        "names the file: {err}"
    );
    assert!(!err.contains("AGE-SECRET-KEY"), "{err}");
    otp::keys::identity_file::load(&env.identity).expect("the key was stored");
    let left = temps_in(env.identity.parent().unwrap());
    assert!(left.is_empty(), "temp files left: {left:?}");
    assert_vault_works(&env);
}
