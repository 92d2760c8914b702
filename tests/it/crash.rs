//! Crash and concurrency safety of the vault's one write path (docs/DATA-SAFETY.md).
//!
//! - Writers (`otp add`, `otp rm`) killed with SIGKILL at random moments, at least 50 times:
//!   the vault always opens and holds exactly the old or exactly the new entries, the backup
//!   always opens and holds an earlier state, and leftover temp files are ciphertext.
//! - 20 concurrent `otp add` processes of distinct entries all land.
//! - 40 concurrent `otp add` processes to two vaults in one directory, `vault.age` and
//!   `vault.age-2`, all land: neither vault's writers touch the other's temp files.
//! - 20 concurrent HOTP `otp code` calls hand out 20 different counters and codes, and the
//!   stored counter ends 20 higher.
#![cfg(unix)] // Unix-only: it kills writers with SIGKILL and checks Unix modes.

use crate::common;

use common::{GITHUB, GOOGLE, TestEnv, stderr};
use otp::keys::Key;
use otp::vault::{Document, crypto};
use std::collections::BTreeSet;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// One entry as the test compares it: id, issuer, account, secret.
type Row = (String, String, String, String);
type State = BTreeSet<Row>;

/// Entries padding the vault so a write takes long enough (~15–25 ms in a debug build) for
/// kills to land in every phase of it.
const PADDING: usize = 300;
/// SIGKILLs that must hit a live writer (the issue asks for at least 50).
const KILLS: usize = 80;

/// `otp` in the test world as a plain `std` command, which can be spawned and killed
/// (mirrors `TestEnv::cmd`).
fn otp(env: &TestEnv, args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_otp"));
    cmd.args(args)
        .env("HOME", &env.home)
        .env("XDG_DATA_HOME", env.home.join(".local/share"))
        .env("XDG_CONFIG_HOME", env.home.join(".config"))
        .env("NO_COLOR", "1")
        .env("OTP_VAULT", &env.vault)
        .env("OTP_IDENTITY_FILE", &env.identity)
        .env_remove("OTP_CONFIG")
        .env_remove("OTP_BACKEND")
        .env_remove("OTP_PASSPHRASE")
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    cmd
}

fn spawn(env: &TestEnv, args: &[&str]) -> Child {
    otp(env, args).spawn().expect("spawn otp")
}

/// A random 160-bit base32 secret.
fn secret(rng: &mut fastrand::Rng) -> String {
    let bytes: Vec<u8> = (0..20).map(|_| rng.u8(..)).collect();
    base32::encode(base32::Alphabet::Rfc4648 { padding: false }, &bytes)
}

fn key(env: &TestEnv) -> Key {
    Key::Identity(otp::keys::identity_file::load(&env.identity).expect("identity"))
}

/// Decrypts a vault file (with the library, as `age -d` would) into the entries it holds.
fn state_of(path: &Path, key: &Key) -> Result<State, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("read {}: {e}", path.display()))?;
    let plaintext =
        crypto::decrypt(&bytes, key).map_err(|e| format!("decrypt {}: {e}", path.display()))?;
    let doc = Document::from_json(&plaintext).map_err(|e| format!("parse: {e}"))?;
    Ok(doc
        .entries
        .iter()
        .map(|e| {
            let secret = e.secret.as_base32().to_string();
            (e.id.clone(), e.issuer.clone(), e.account.clone(), secret)
        })
        .collect())
}

/// The ids `otp list --json` shows: the real binary opens the vault.
fn listed_ids(env: &TestEnv) -> BTreeSet<String> {
    let out = otp(env, &["list", "--json"])
        .stdout(Stdio::piped())
        .output()
        .expect("run otp list");
    assert!(out.status.success(), "otp list: {}", stderr(&out));
    let list: serde_json::Value = serde_json::from_slice(&out.stdout).expect("list json");
    list.as_array()
        .expect("array")
        .iter()
        .map(|e| e["id"].as_str().expect("id").to_string())
        .collect()
}

fn ids(state: &State) -> BTreeSet<String> {
    state.iter().map(|r| r.0.clone()).collect()
}

/// The (issuer, account, secret) part of a state, which does not depend on the new ids.
fn accounts(state: &State) -> BTreeSet<(String, String, String)> {
    state
        .iter()
        .map(|(_, i, a, s)| (i.clone(), a.clone(), s.clone()))
        .collect()
}

const AGE_HEADER: &[u8] = b"age-encryption.org/v1\n";

/// A temp file a killed writer left behind must be private and (a prefix of) an age file,
/// never JSON.
fn check_leftover(path: &Path, secrets: &[String]) {
    let mode = std::fs::metadata(path)
        .expect("leftover")
        .permissions()
        .mode()
        & 0o777;
    assert_eq!(mode, 0o600, "{} is readable by others", path.display());
    let bytes = std::fs::read(path).expect("read leftover");
    let n = bytes.len().min(AGE_HEADER.len());
    assert_eq!(
        &bytes[..n],
        &AGE_HEADER[..n],
        "{} is not ciphertext",
        path.display()
    );
    let contains = |needle: &[u8]| bytes.windows(needle.len()).any(|w| w == needle);
    assert!(!contains(b"\"entries\"") && !contains(b"\"secret\""));
    for s in secrets {
        assert!(
            !contains(s.as_bytes()),
            "{} holds a secret in plaintext",
            path.display()
        );
    }
}

/// What a killed run is asked to do, and the state it leads to when it completes.
struct Change {
    adds: bool,
    args: Vec<String>,
    new: BTreeSet<(String, String, String)>,
    secrets: Vec<String>,
}

fn add_change(state: &State, round: usize, rng: &mut fastrand::Rng) -> Change {
    let mut new = accounts(state);
    let mut args = vec!["add".to_string()];
    let mut secrets = Vec::new();
    for k in 0..3 {
        let s = secret(rng);
        let (issuer, account) = (format!("Crash{round}"), format!("user{k}@example.com"));
        args.push(format!(
            "otpauth://totp/{issuer}:{account}?secret={s}&issuer={issuer}"
        ));
        new.insert((issuer, account, s.clone()));
        secrets.push(s);
    }
    Change {
        adds: true,
        args,
        new,
        secrets,
    }
}

fn rm_change(state: &State, rng: &mut fastrand::Rng) -> Change {
    let rows: Vec<&Row> = state.iter().collect();
    let victim = rows[rng.usize(..rows.len())];
    let mut new = accounts(state);
    new.remove(&(victim.1.clone(), victim.2.clone(), victim.3.clone()));
    Change {
        adds: false,
        args: vec!["rm".into(), "--yes".into(), victim.0.clone()],
        new,
        secrets: Vec::new(),
    }
}

#[test]
fn sigkilled_writers_leave_the_old_or_the_new_vault() {
    let env = TestEnv::new();
    let mut rng = fastrand::Rng::with_seed(0x07a9_2023);
    let mut padding_secrets: Vec<String> = Vec::new();
    let pad: String = (0..PADDING)
        .map(|i| {
            let s = secret(&mut rng);
            padding_secrets.push(s.clone());
            format!("otpauth://totp/Pad{i}:user{i}?secret={s}\n")
        })
        .collect();
    env.cmd()
        .args(["add", "-"])
        .write_stdin(pad)
        .assert()
        .success();
    let key = key(&env);
    let mut state = state_of(&env.vault, &key).expect("initial vault");
    assert_eq!(state.len(), PADDING);
    let mut history: Vec<State> = vec![state.clone()];

    // How long an uninterrupted writer runs, from spawn to exit.
    let mut longest = Duration::ZERO;
    for round in 0..3 {
        let change = add_change(&state, 1000 + round, &mut rng);
        let args: Vec<&str> = change.args.iter().map(String::as_str).collect();
        let start = Instant::now();
        let out = otp(&env, &args).output().expect("run otp add");
        longest = longest.max(start.elapsed());
        assert!(out.status.success(), "otp add: {}", stderr(&out));
        state = state_of(&env.vault, &key).expect("vault");
        assert_eq!(accounts(&state), change.new);
        history.push(state.clone());
    }
    let window_us = longest.as_micros() as u64;

    let (mut kills, mut kept_old, mut got_new, mut completed) = (0, 0, 0, 0);
    let mut leftovers = BTreeSet::new();
    let mut round = 0;
    while kills < KILLS {
        round += 1;
        assert!(
            round < 400,
            "only {kills} of {round} kills hit a live writer"
        );
        let change = if round % 4 == 0 {
            rm_change(&state, &mut rng)
        } else {
            add_change(&state, round, &mut rng)
        };
        let args: Vec<&str> = change.args.iter().map(String::as_str).collect();
        let delay = Duration::from_micros(rng.u64(0..=window_us));

        let mut child = spawn(&env, &args);
        std::thread::sleep(delay);
        let _ = child.kill(); // SIGKILL; fails only if the child was already reaped
        let out = child.wait_with_output().expect("wait otp");
        let killed = out.status.signal() == Some(9);
        if killed {
            kills += 1;
        } else {
            assert!(out.status.success(), "{args:?}: {}", stderr(&out));
            completed += 1;
        }

        let ctx = format!("round {round} ({args:?} killed={killed} after {delay:?})");
        let now = state_of(&env.vault, &key).unwrap_or_else(|e| panic!("{ctx}: {e}"));
        let now_accounts = accounts(&now);
        if now == state {
            assert!(killed, "{ctx}: a completed writer changed nothing");
            kept_old += 1;
        } else {
            assert_eq!(now_accounts, change.new, "{ctx}: neither old nor new state");
            // Entries the change did not touch keep their ids.
            let kept = if change.adds {
                state.is_subset(&now)
            } else {
                now.is_subset(&state)
            };
            assert!(kept, "{ctx}: ids changed");
            got_new += usize::from(killed);
            state = now;
            history.push(state.clone());
        }
        assert_eq!(listed_ids(&env), ids(&state), "{ctx}: otp list");

        let backup = env.vault.with_file_name("vault.age.bak");
        if backup.exists() {
            let old = state_of(&backup, &key).unwrap_or_else(|e| panic!("{ctx}: backup: {e}"));
            assert!(
                history.contains(&old),
                "{ctx}: the backup is no earlier state"
            );
        }
        let dir = env.vault.parent().expect("vault dir");
        for entry in std::fs::read_dir(dir).expect("read vault dir") {
            let name = entry.expect("dir entry").file_name();
            let name = name.to_string_lossy().into_owned();
            if matches!(
                name.as_str(),
                "vault.age" | "vault.age.bak" | "vault.age.lock"
            ) {
                continue;
            }
            // A killed writer's temp file, or its staged backup (a link to an earlier vault).
            let staged = name == ".vault.age.bak-staged";
            let temp = name
                .strip_prefix(".vault.age.tmp-")
                .is_some_and(|rest| rest.len() == 6);
            assert!(temp || staged, "{ctx}: unexpected file {name}");
            if staged {
                let old = state_of(&dir.join(&name), &key)
                    .unwrap_or_else(|e| panic!("{ctx}: staged backup: {e}"));
                assert!(
                    history.contains(&old),
                    "{ctx}: the staged backup is no earlier state"
                );
            }
            if leftovers.insert(name.clone()) || staged {
                // Plaintext would hold every secret: the new ones and the first padding.
                let needles: Vec<String> = change
                    .secrets
                    .iter()
                    .chain(&padding_secrets[..5])
                    .cloned()
                    .collect();
                check_leftover(&dir.join(&name), &needles);
            }
        }
    }
    eprintln!(
        "{round} rounds in a {window_us} µs window: {kills} killed ({kept_old} left the old \
         vault, {got_new} the new one), {completed} completed, {} temp files left over",
        leftovers.len()
    );
    assert!(kept_old > 0, "no kill landed before the rename");

    // The lock dies with its holder: the vault is still writable.
    let out = otp(&env, &["add", GITHUB]).output().expect("run otp add");
    assert!(out.status.success(), "add after kills: {}", stderr(&out));
}

#[test]
fn concurrent_adds_all_land() {
    let env = TestEnv::new();
    env.add(&[GITHUB, GOOGLE]);
    let mut rng = fastrand::Rng::with_seed(20);
    let expected: Vec<(String, String)> = (0..20)
        .map(|i| (format!("Concurrent{i}"), secret(&mut rng)))
        .collect();
    let children: Vec<Child> = expected
        .iter()
        .map(|(issuer, s)| {
            let uri = format!("otpauth://totp/{issuer}:me?secret={s}&issuer={issuer}");
            spawn(&env, &["add", &uri])
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().expect("wait otp add");
        assert!(out.status.success(), "otp add: {}", stderr(&out));
    }

    let key = key(&env);
    let state = state_of(&env.vault, &key).expect("vault");
    assert_eq!(state.len(), 22, "{state:?}");
    for (issuer, s) in &expected {
        assert!(
            state.iter().any(|r| &r.1 == issuer && &r.3 == s),
            "{issuer} is missing"
        );
    }
    assert_eq!(listed_ids(&env), ids(&state));
    let backup = state_of(&env.vault.with_file_name("vault.age.bak"), &key).expect("backup");
    assert_eq!(
        backup.len(),
        21,
        "the backup is the vault before the last add"
    );
}

#[test]
fn concurrent_hotp_codes_are_never_repeated() {
    const START: u64 = 1000;
    const CALLS: u64 = 20;
    // RFC 4226's test key.
    const SECRET: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
    let env = TestEnv::new();
    env.add(&[&format!(
        "otpauth://hotp/Counter:me?secret={SECRET}&issuer=Counter&counter={START}"
    )]);
    let raw = base32::decode(base32::Alphabet::Rfc4648 { padding: false }, SECRET).expect("key");
    let expected = |counter: u64| {
        let value = otp::entry::hotp(&raw, counter, otp::entry::Algorithm::SHA1);
        format!("{:06}", value % 1_000_000)
    };
    let all: BTreeSet<String> = (START..START + CALLS).map(expected).collect();
    assert_eq!(all.len() as u64, CALLS, "the key's 20 codes are distinct");

    let children: Vec<Child> = (0..CALLS)
        .map(|_| {
            otp(&env, &["code", "counter", "--json"])
                .stdout(Stdio::piped())
                .spawn()
                .expect("spawn otp code")
        })
        .collect();
    let mut counters = BTreeSet::new();
    let mut codes = BTreeSet::new();
    for child in children {
        let out = child.wait_with_output().expect("wait otp code");
        assert!(out.status.success(), "otp code: {}", stderr(&out));
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("code json");
        let code = v["code"].as_str().expect("code").to_string();
        let counter = v["counter"].as_u64().expect("counter");
        assert_eq!(code, expected(counter), "code for counter {counter}");
        assert!(counters.insert(counter), "counter {counter} used twice");
        assert!(codes.insert(code), "a code was handed out twice");
    }
    assert_eq!(counters, (START..START + CALLS).collect());

    let out = otp(&env, &["list", "--json"])
        .stdout(Stdio::piped())
        .output()
        .expect("otp list");
    let list: serde_json::Value = serde_json::from_slice(&out.stdout).expect("list json");
    assert_eq!(list[0]["counter"].as_u64(), Some(START + CALLS), "{list}");
}

#[test]
fn concurrent_writers_to_sibling_vaults_keep_to_their_own_files() {
    const PER_VAULT: usize = 20;
    let env = TestEnv::new();
    let sibling = env.vault.with_file_name("vault.age-2");
    let mut rng = fastrand::Rng::with_seed(2);
    let mut expected: Vec<(std::path::PathBuf, String, String)> = Vec::new();
    for vault in [&env.vault, &sibling] {
        for i in 0..PER_VAULT {
            expected.push((vault.clone(), format!("Sibling{i}"), secret(&mut rng)));
        }
    }
    // Both vaults exist first, so that every writer below replaces a vault (and cleans up
    // stale temp files) while the other vault's writers have theirs open.
    env.add(&[GITHUB]);
    let out = otp(&env, &["add", GOOGLE])
        .env("OTP_VAULT", &sibling)
        .output()
        .expect("run otp add");
    assert!(out.status.success(), "otp add: {}", stderr(&out));

    let children: Vec<Child> = expected
        .iter()
        .map(|(vault, issuer, s)| {
            let uri = format!("otpauth://totp/{issuer}:me?secret={s}&issuer={issuer}");
            otp(&env, &["add", &uri])
                .env("OTP_VAULT", vault)
                .spawn()
                .expect("spawn otp add")
        })
        .collect();
    let failed: Vec<String> = children
        .into_iter()
        .map(|child| child.wait_with_output().expect("wait otp add"))
        .filter(|out| !out.status.success())
        .map(|out| stderr(&out))
        .collect();
    assert!(
        failed.is_empty(),
        "{} of {} writers failed: {failed:?}",
        failed.len(),
        2 * PER_VAULT
    );

    let key = key(&env);
    for vault in [&env.vault, &sibling] {
        let state = state_of(vault, &key).expect("vault");
        assert_eq!(state.len(), PER_VAULT + 1, "{}", vault.display());
        for (_, issuer, s) in expected.iter().filter(|(v, _, _)| v == vault) {
            assert!(
                state.iter().any(|r| &r.1 == issuer && &r.3 == s),
                "{issuer} is missing from {}",
                vault.display()
            );
        }
    }
}
