//! The vault's key: recovery kits, restoring, rotation.
//!
//! - The lost-keyring drill against the real Secret Service (`scripts/test` provides it;
//!   see tests/it/keyring.rs): init on the keyring, add, `otp key export`, delete the keyring
//!   item as if the machine were lost, `otp code` exits 5 with a hint naming
//!   `otp key import`, `otp key import KIT` restores, the codes are equal. The same with a
//!   backup recipient in the config: Debian's `age -d -i BACKUP` opens the vault.
//! - `otp init` (or `otp add`) where the vault is gone but the keyring still holds its key
//!   keeps that key: the moved-away vault still opens.
//! - The same drill with the identity-file backend (no keyring needed); a wrong kit
//!   passphrase is exit 5 and restores nothing; a kit is an identity file once decrypted
//!   (`age -d -i` opens the vault with it); plain identity files are accepted too, another
//!   vault's key is refused; `otp key recipient` is its public key.
//! - `otp key rotate`: codes unchanged, the old key opens neither the vault nor its backup,
//!   backup recipients still do; killed with SIGKILL at 30 seeded random moments, the vault
//!   always opens with the key the backend then holds (identity file; keyring too).
//! - Two vaults sharing one identity file, rotated at once, 40 rounds: both rotations
//!   succeed, both vaults and their backups open after every round, no temp file is left,
//!   and the file ends holding every key made.
//! - A damaged key line in the identity file: exit 5, the error names the file and the line
//!   number but never prints the line; rotation refuses and writes nothing.
//! - Passphrase vaults: `key export` is a usage error; `rotate` changes the
//!   passphrase.

use crate::common;

use common::keyring::{canonical, keyring_cmd, secret_service, secret_tool};
use common::{AT, GITHUB, GOOGLE, TestEnv, ok, require_tool, run, stderr, stdout, temps_in};
use otp::keys::Key;
use otp::vault::{Document, crypto};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const PASS: &str = "kit passphrase";

fn with_pass(mut cmd: assert_cmd::Command, pass: &str) -> assert_cmd::Command {
    cmd.env("OTP_PASSPHRASE", pass);
    cmd
}

fn codes(cmd: impl Fn() -> assert_cmd::Command) -> (String, String) {
    let at = AT.to_string();
    let github = stdout(&ok(cmd(), &["code", "github", "--at", &at]));
    let google = stdout(&ok(cmd(), &["code", "google", "--at", &at]));
    (github, google)
}

/// The entries a vault file holds when decrypted with `identity`, or why not.
fn open_with(vault: &Path, identity: &age::x25519::Identity) -> Result<Document, String> {
    let bytes = std::fs::read(vault).map_err(|e| e.to_string())?;
    let plain =
        crypto::decrypt(&bytes, &Key::Identity(identity.clone())).map_err(|e| e.to_string())?;
    Document::from_json(&plain).map_err(|e| e.to_string())
}

fn load_identity(path: &Path) -> age::x25519::Identity {
    otp::keys::identity_file::load(path).expect("identity file")
}

/// `age -d -i IDENTITY VAULT` with Debian's age: the JSON document.
fn stock_age_decrypt(identity: &Path, vault: &Path) -> Option<serde_json::Value> {
    if !require_tool("age") {
        return None;
    }
    let out = Command::new("age")
        .args(["-d", "-i"])
        .arg(identity)
        .arg(vault)
        .output()
        .expect("run age");
    assert!(out.status.success(), "age -d failed: {}", stderr(&out));
    Some(serde_json::from_slice(&out.stdout).expect("age -d prints the JSON document"))
}

// ---------------------------------------------------------------------------------------
// The real Secret Service (as in tests/it/keyring.rs).

fn keyring_identity(bus: &str, user: &str) -> Option<age::x25519::Identity> {
    let out = secret_tool(bus, &["lookup", "service", "otp", "username", user]);
    stdout(&out).trim().parse().ok()
}

/// Removes the test's keyring item even when the test fails.
struct ItemGuard<'a> {
    bus: &'a str,
    user: String,
}

impl Drop for ItemGuard<'_> {
    fn drop(&mut self) {
        secret_tool(
            self.bus,
            &["clear", "service", "otp", "username", &self.user],
        );
    }
}

fn keyring_drill(backup: Option<&Path>) {
    let Some(bus) = secret_service() else { return };
    let env = TestEnv::new();
    let cmd = || {
        let mut c = keyring_cmd(&env, &bus);
        if let Some(config) = backup.map(|b| b.with_extension("toml")) {
            c.env("OTP_CONFIG", config);
        }
        c
    };
    ok(cmd(), &["init"]);
    let user = canonical(&env.vault);
    let _item = ItemGuard {
        bus: &bus,
        user: user.clone(),
    };
    ok(cmd(), &["add", GITHUB, GOOGLE]);
    let before = codes(cmd);
    let kit = env.dir.path().join("kit.age");
    ok(
        with_pass(cmd(), PASS),
        &["key", "export", "-o", kit.to_str().unwrap()],
    );
    common::assert_mode(&kit, 0o600);

    // The machine is lost: the keyring no longer has the key.
    assert!(
        secret_tool(&bus, &["clear", "service", "otp", "username", &user])
            .status
            .success()
    );
    assert!(keyring_identity(&bus, &user).is_none());
    // A new machine has no key cache either (this session's would serve the key a while).
    ok(cmd(), &["lock"]);
    let out = run(cmd(), &["code", "github", "--at", &AT.to_string()]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(5), "{err}");
    assert!(
        err.contains("otp key import"),
        "the hint names the way back: {err}"
    );

    if let Some(backup) = backup {
        // The offline backup key alone opens the vault with stock age.
        if let Some(doc) = stock_age_decrypt(backup, &env.vault) {
            let secrets: Vec<&str> = doc["entries"]
                .as_array()
                .unwrap()
                .iter()
                .filter_map(|e| e["secret"].as_str())
                .collect();
            assert!(secrets.contains(&"JBSWY3DPEHPK3PXP"), "{doc}");
        }
    }

    let out = ok(
        with_pass(cmd(), PASS),
        &["key", "import", kit.to_str().unwrap()],
    );
    assert!(stdout(&out).contains("OS keyring"), "{}", stdout(&out));
    assert!(
        keyring_identity(&bus, &user).is_some(),
        "restored into the keyring"
    );
    assert_eq!(codes(cmd), before);
    assert!(
        !env.home.join(".config/otp/identity.txt").exists(),
        "the key went to the keyring, not a file"
    );
}

#[test]
fn lost_keyring_drill() {
    keyring_drill(None);
}

#[test]
fn lost_keyring_drill_with_a_backup_recipient() {
    let dir = tempfile::tempdir().unwrap();
    let backup = dir.path().join("backup.txt");
    let id = age::x25519::Identity::generate();
    otp::keys::identity_file::create(&backup, &id).unwrap();
    std::fs::write(
        backup.with_extension("toml"),
        format!("recipients = [\"{}\"]\n", id.to_public()),
    )
    .unwrap();
    keyring_drill(Some(&backup));
}

#[test]
fn init_keeps_the_key_the_keyring_already_holds_for_the_vault() {
    // The vault went away (moved, deleted by mistake, on a disk not mounted) but its key is
    // still in the keyring: a new vault at the same path must not replace that key, or the
    // old vault and its backup no longer open.
    let Some(bus) = secret_service() else { return };
    let env = TestEnv::new();
    ok(keyring_cmd(&env, &bus), &["init"]);
    let user = canonical(&env.vault);
    let _item = ItemGuard {
        bus: &bus,
        user: user.clone(),
    };
    ok(keyring_cmd(&env, &bus), &["add", GITHUB]);
    let key = keyring_identity(&bus, &user).expect("a key in the keyring");
    let moved = env.dir.path().join("moved.age");
    std::fs::rename(&env.vault, &moved).unwrap();
    // Its backup went with it (a vault beside its backup is refused: see tests/it/storage.rs).
    let bak = env.vault.with_extension("age.bak");
    std::fs::rename(&bak, env.dir.path().join("moved.age.bak")).unwrap();
    for args in [&["init"][..], &["add", GOOGLE]] {
        std::fs::remove_file(&env.vault).ok();
        ok(keyring_cmd(&env, &bus), args);
        let now = keyring_identity(&bus, &user).expect("a key in the keyring");
        assert_eq!(
            now.to_public().to_string(),
            key.to_public().to_string(),
            "`otp {args:?}` replaced the stored key"
        );
        let doc = open_with(&moved, &now).expect("the moved vault opens");
        assert_eq!(doc.entries.len(), 1);
        assert!(open_with(&env.vault, &now).is_ok());
    }
}

// ---------------------------------------------------------------------------------------
// The identity-file backend.

#[test]
fn identity_file_drill_and_kit_contents() {
    let env = TestEnv::new();
    env.add(&[GITHUB, GOOGLE]);
    let before = codes(|| env.cmd());
    let public = stdout(&ok(env.cmd(), &["key", "recipient"]));
    assert_eq!(
        public.trim(),
        load_identity(&env.identity).to_public().to_string()
    );

    let kit = env.dir.path().join("kit.age");
    let out = ok(
        with_pass(env.cmd(), PASS),
        &["key", "export", "-o", kit.to_str().unwrap()],
    );
    assert!(out.stdout.is_empty());
    assert!(stderr(&out).contains("otp key import"), "{}", stderr(&out));
    let sealed = std::fs::read(&kit).unwrap();
    assert!(sealed.starts_with(b"-----BEGIN AGE ENCRYPTED FILE-----"));
    // Decrypted, the kit is an identity file that stock age accepts.
    let plain = otp::keys::sealed::open(&sealed, &PASS.to_string().into()).unwrap();
    let unsealed = env.dir.path().join("unsealed.txt");
    std::fs::write(&unsealed, &plain[..]).unwrap();
    if let Some(doc) = stock_age_decrypt(&unsealed, &env.vault) {
        assert_eq!(doc["entries"].as_array().unwrap().len(), 2);
    }

    // Lost: exit 5, and the hint does not invent a key.
    std::fs::remove_file(&env.identity).unwrap();
    let out = run(env.cmd(), &["code", "github"]);
    assert_eq!(out.status.code(), Some(5), "{}", stderr(&out));

    // A wrong passphrase restores nothing.
    let out = run(
        with_pass(env.cmd(), "wrong"),
        &["key", "import", kit.to_str().unwrap()],
    );
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(5), "{err}");
    assert!(
        err.starts_with(&format!(
            "otp: cannot unlock recovery kit {}: wrong passphrase",
            kit.display()
        )),
        "{err}"
    );
    assert!(!env.identity.exists());

    let out = ok(
        with_pass(env.cmd(), PASS),
        &["key", "import", kit.to_str().unwrap()],
    );
    assert!(stdout(&out).contains("opens the vault"), "{}", stdout(&out));
    common::assert_mode(&env.identity, 0o600);
    assert_eq!(codes(|| env.cmd()), before);
    // Again, from a plain identity file (also accepted): a no-op that says so.
    let plain_copy = env.dir.path().join("copy.txt");
    std::fs::copy(&env.identity, &plain_copy).unwrap();
    let out = ok(env.cmd(), &["key", "import", plain_copy.to_str().unwrap()]);
    assert!(stdout(&out).contains("nothing changed"), "{}", stdout(&out));

    // Another vault's key is refused, and the file already there is never overwritten.
    let other = TestEnv::new();
    other.add(&[GITHUB]);
    let identity_before = std::fs::read(&env.identity).unwrap();
    let out = run(
        env.cmd(),
        &["key", "import", other.identity.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(5), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("does not open it"),
        "{}",
        stderr(&out)
    );
    assert_eq!(std::fs::read(&env.identity).unwrap(), identity_before);
}

#[test]
fn a_damaged_key_in_the_identity_file_is_named_by_line_not_shown() {
    let env = TestEnv::new();
    env.add(&[GITHUB]);
    // A retired key damaged in the middle: most of it is still secret, so never print it.
    let mut text = std::fs::read_to_string(&env.identity).unwrap();
    let damaged = "AGE-SECRET-KEY-1QQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQ";
    text.push_str(&format!("# retired\n{damaged}\n"));
    std::fs::write(&env.identity, &text).unwrap();
    let line = text.lines().count();
    let before = env.vault_bytes();
    let out = run(env.cmd(), &["code", "github", "--at", &AT.to_string()]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(5), "{err}");
    assert!(
        err.starts_with(&format!(
            "otp: cannot unlock vault {}: {}: line {line} ",
            env.vault.display(),
            env.identity.display()
        )),
        "{err}"
    );
    assert!(!err.contains("QQQQ"), "the damaged key is printed: {err}");
    assert_eq!(err.lines().filter(|l| l.starts_with("otp:")).count(), 1);
    // Rotating refuses too, and writes nothing.
    let out = run(env.cmd(), &["key", "rotate"]);
    assert_eq!(out.status.code(), Some(5), "{}", stderr(&out));
    assert!(!stderr(&out).contains("QQQQ"));
    assert_eq!(std::fs::read_to_string(&env.identity).unwrap(), text);
    assert_eq!(env.vault_bytes(), before);
}

#[test]
fn rotate_changes_the_key_but_not_the_codes() {
    let env = TestEnv::new();
    let backup = age::x25519::Identity::generate();
    let config = env.dir.path().join("config.toml");
    std::fs::write(
        &config,
        format!("recipients = [\"{}\"]\n", backup.to_public()),
    )
    .unwrap();
    let cmd = || {
        let mut c = env.cmd();
        c.env("OTP_CONFIG", &config);
        c
    };
    ok(cmd(), &["add", GITHUB, GOOGLE]);
    let before = codes(cmd);
    let old = load_identity(&env.identity);
    let out = ok(cmd(), &["key", "rotate"]);
    assert!(stdout(&out).contains("otp key export"), "{}", stdout(&out));
    let new = load_identity(&env.identity);
    assert_ne!(old.to_public().to_string(), new.to_public().to_string());
    assert_eq!(codes(cmd), before);
    let bak = env.vault.with_file_name("vault.age.bak");
    for file in [&env.vault, &bak] {
        assert!(
            open_with(file, &old).is_err(),
            "the old key still opens {}",
            file.display()
        );
        assert!(open_with(file, &new).is_ok());
        assert!(
            open_with(file, &backup).is_ok(),
            "the backup recipient was dropped"
        );
    }
    let public = stdout(&ok(cmd(), &["key", "recipient"]));
    assert_eq!(public.trim(), new.to_public().to_string());
}

#[test]
fn rotate_keeps_the_key_that_other_vaults_sharing_the_file_use() {
    // Several vaults may share one identity file (the default path is the same for all):
    // rotating one must not lock the others out.
    let env = TestEnv::new();
    let other = env.dir.path().join("other/vault.age");
    let in_a = || env.cmd();
    let in_b = || {
        let mut c = env.cmd();
        c.env("OTP_VAULT", &other);
        c
    };
    ok(in_a(), &["add", GITHUB, GOOGLE]);
    ok(in_b(), &["add", GITHUB, GOOGLE]);
    let before = codes(in_a);
    let old = load_identity(&env.identity);

    let out = ok(in_a(), &["key", "rotate"]);
    assert!(stdout(&out).contains("retired"), "{}", stdout(&out));
    let new = load_identity(&env.identity);
    assert_ne!(old.to_public().to_string(), new.to_public().to_string());
    assert!(
        open_with(&env.vault, &old).is_err(),
        "the old key still opens a"
    );
    assert_eq!(codes(in_a), before);
    // b is still encrypted to the old key, which the file keeps below the new one.
    assert_eq!(codes(in_b), before);
    let b_key = stdout(&ok(in_b(), &["key", "recipient"]));
    assert_eq!(b_key.trim(), old.to_public().to_string());
    if let Some(doc) = stock_age_decrypt(&env.identity, &other) {
        assert_eq!(doc["entries"].as_array().map(Vec::len), Some(2));
    }

    // Rotating b as well: three keys in the file, both vaults open, each with its own.
    ok(in_b(), &["key", "rotate"]);
    let text = std::fs::read_to_string(&env.identity).unwrap();
    assert_eq!(
        text.matches("AGE-SECRET-KEY-1").count(),
        3,
        "{}",
        text.len()
    );
    assert_eq!(codes(in_a), before);
    assert_eq!(codes(in_b), before);
    assert!(
        open_with(&other, &old).is_err(),
        "the old key still opens b"
    );
    common::assert_mode(&env.identity, 0o600);
}

#[test]
fn concurrent_rotations_of_vaults_sharing_an_identity_file_lose_no_key() {
    // Two `otp key rotate` at once, on two vaults that share one identity file: each must
    // store its new key without dropping the other's, or a vault ends up encrypted to a key
    // nobody has.
    const ROUNDS: usize = 40;
    let env = TestEnv::new();
    let vaults = [env.vault.clone(), env.dir.path().join("other/vault.age")];
    let in_vault = |vault: &Path| {
        let mut c = env.cmd();
        c.env("OTP_VAULT", vault);
        c
    };
    for vault in &vaults {
        ok(in_vault(vault), &["add", GITHUB]);
    }
    let at = AT.to_string();
    let expected = stdout(&ok(in_vault(&vaults[0]), &["code", "github", "--at", &at]));
    for round in 1..=ROUNDS {
        let children: Vec<_> = vaults
            .iter()
            .map(|vault| {
                let mut cmd = Command::new(env!("CARGO_BIN_EXE_otp"));
                cmd.args(["key", "rotate"])
                    .env("HOME", &env.home)
                    .env("XDG_DATA_HOME", env.home.join(".local/share"))
                    .env("XDG_CONFIG_HOME", env.home.join(".config"))
                    .env("OTP_VAULT", vault)
                    .env("OTP_IDENTITY_FILE", &env.identity)
                    .env_remove("OTP_CONFIG")
                    .env_remove("OTP_BACKEND")
                    .env_remove("OTP_PASSPHRASE")
                    .env_remove("DBUS_SESSION_BUS_ADDRESS")
                    .stdin(Stdio::null())
                    .stdout(Stdio::null())
                    .stderr(Stdio::piped());
                cmd.spawn().expect("spawn otp")
            })
            .collect();
        for child in children {
            let out = child.wait_with_output().expect("wait for otp");
            assert!(
                out.status.success(),
                "round {round}: otp key rotate failed: {}",
                stderr(&out)
            );
        }
        for vault in &vaults {
            for file in [vault.clone(), vault.with_file_name("vault.age.bak")] {
                let out = run(in_vault(&file), &["code", "github", "--at", &at]);
                assert!(
                    out.status.success(),
                    "round {round}: {} no longer opens: {}",
                    file.display(),
                    stderr(&out)
                );
                assert_eq!(stdout(&out), expected, "round {round}: {}", file.display());
            }
            let left = temps_in(vault.parent().unwrap());
            assert!(left.is_empty(), "round {round}: temp files left: {left:?}");
        }
        let left = temps_in(env.identity.parent().unwrap());
        assert!(left.is_empty(), "round {round}: temp files left: {left:?}");
    }
    // Every rotation's key is in the file, the newest first.
    let text = std::fs::read_to_string(&env.identity).unwrap();
    assert_eq!(text.matches("AGE-SECRET-KEY-1").count(), 2 * ROUNDS + 1);
}

/// `otp` as a plain std command (spawnable, killable), identity-file world.
fn spawn_rotate(env: &TestEnv, bus: Option<&str>) -> std::process::Child {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_otp"));
    cmd.args(["key", "rotate"])
        .env("HOME", &env.home)
        .env("XDG_DATA_HOME", env.home.join(".local/share"))
        .env("XDG_CONFIG_HOME", env.home.join(".config"))
        .env("OTP_VAULT", &env.vault)
        .env_remove("OTP_CONFIG")
        .env_remove("OTP_BACKEND")
        .env_remove("OTP_PASSPHRASE")
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    match bus {
        Some(bus) => cmd.env("DBUS_SESSION_BUS_ADDRESS", bus),
        None => cmd.env("OTP_IDENTITY_FILE", &env.identity),
    };
    cmd.spawn().expect("spawn otp")
}

/// Kills `otp key rotate` at `kills` seeded random moments; after each, the key the backend
/// holds (from `stored`) must open the vault, with the same entries.
fn kill_rotations(
    env: &TestEnv,
    bus: Option<&str>,
    seed: u64,
    stored: impl Fn() -> age::x25519::Identity,
) {
    const KILLS: usize = 30;
    let expected = open_with(&env.vault, &stored())
        .expect("opens before")
        .entries;
    // How long an undisturbed rotation takes, to spread the kills over it.
    let start = Instant::now();
    let status = spawn_rotate(env, bus).wait().unwrap();
    assert!(status.success());
    let span = start.elapsed().as_micros() as u64;
    let mut rng = fastrand::Rng::with_seed(seed);
    let (mut hits, mut attempts) = (0, 0);
    while hits < KILLS {
        attempts += 1;
        assert!(
            attempts < KILLS * 10,
            "could not land {KILLS} kills in {attempts} tries"
        );
        let mut child = spawn_rotate(env, bus);
        std::thread::sleep(Duration::from_micros(rng.u64(0..span.max(1))));
        let alive = child.try_wait().unwrap().is_none();
        let _ = child.kill();
        let _ = child.wait();
        hits += usize::from(alive);
        let doc = open_with(&env.vault, &stored()).unwrap_or_else(|e| {
            panic!("after a kill (attempt {attempts}), the stored key does not open the vault: {e}")
        });
        assert_eq!(doc.entries, expected);
    }
    // And otp itself still works, and cleans up what the kills left.
    let status = spawn_rotate(env, bus).wait().unwrap();
    assert!(status.success());
    let temps = temps_in(env.identity.parent().unwrap());
    assert!(temps.is_empty(), "temp files left: {temps:?}");
}

#[test]
fn sigkilled_rotation_always_leaves_a_vault_the_stored_key_opens() {
    let env = TestEnv::new();
    // Enough entries that each write takes a little while.
    let uris: Vec<String> = (0..200)
        .map(|i| format!("otpauth://totp/Pad{i}:user?secret=JBSWY3DPEHPK3PXP"))
        .collect();
    let input = uris.join("\n");
    let out = env
        .cmd()
        .args(["add", "-"])
        .write_stdin(input)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    kill_rotations(&env, None, 5, || load_identity(&env.identity));
}

#[test]
fn sigkilled_rotation_on_the_keyring() {
    let Some(bus) = secret_service() else { return };
    let env = TestEnv::new();
    ok(keyring_cmd(&env, &bus), &["init"]);
    let user = canonical(&env.vault);
    let _item = ItemGuard {
        bus: &bus,
        user: user.clone(),
    };
    ok(keyring_cmd(&env, &bus), &["add", GITHUB, GOOGLE]);
    kill_rotations(&env, Some(&bus), 7, || {
        keyring_identity(&bus, &user).expect("a key in the keyring")
    });
}

#[test]
fn passphrase_vaults_have_no_key_but_can_change_passphrase() {
    let env = TestEnv::new();
    let cmd = |pass: &str| {
        let mut c = env.bare_cmd();
        c.env("OTP_VAULT", &env.vault).env("OTP_PASSPHRASE", pass);
        c
    };
    // (Every step costs a scrypt derivation of about a second: keep them few.)
    let mut add = cmd("old pass");
    add.env("OTP_BACKEND", "passphrase");
    ok(add, &["add", GITHUB]);
    let out = run(cmd("old pass"), &["key", "export"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("passphrase"), "{}", stderr(&out));
    let at = AT.to_string();
    let mut rotate = cmd("old pass");
    rotate.env("OTP_NEW_PASSPHRASE", "new pass");
    ok(rotate, &["key", "rotate"]);
    let out = run(cmd("old pass"), &["code", "github"]);
    assert_eq!(out.status.code(), Some(5), "{}", stderr(&out));
    // `oathtool --totp -b JBSWY3DPEHPK3PXP --now '2023-11-14 22:13:20 UTC'`
    let code = stdout(&ok(cmd("new pass"), &["code", "github", "--at", &at]));
    assert_eq!(code, "324550\n");
}
