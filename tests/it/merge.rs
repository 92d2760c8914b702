//! `otp merge` end to end: the copy a sync tool leaves beside the vault when two machines
//! changed it offline is noticed by every command and listed by `otp doctor`; merging it keeps
//! what either side added, removes what one side removed, follows the later rename, keeps a
//! key that lost to a later renewal elsewhere, and deletes the merged conflict copy. A copy
//! the vault's key does not open changes nothing.

use crate::common;

use common::{GITHUB, GOOGLE, TestEnv, stderr, succeeded};
use std::path::{Path, PathBuf};
use std::process::Output;

const DROPBOX: &str = "otpauth://totp/Dropbox:alice?secret=MFRGGZDFMZTWQ2LKMFRGGZDF&issuer=Dropbox";
const SYNCTHING_NAME: &str = "vault.sync-conflict-20240102-030405-ABCDEFG.age";

/// `otp ARGS` on the vault at `vault`, with the world's identity file (the other "machine").
fn run_on(env: &TestEnv, vault: &Path, args: &[&str]) -> Output {
    env.cmd()
        .env("OTP_VAULT", vault)
        .env("OTP_DEVICE", "other")
        .args(args)
        .output()
        .expect("run otp")
}

/// The other machine's copy: the vault as it is now, changed there by `change`.
fn other_copy(env: &TestEnv, change: &[&[&str]]) -> PathBuf {
    let other = env.dir.path().join("other/vault.age");
    std::fs::create_dir_all(other.parent().unwrap()).unwrap();
    std::fs::copy(&env.vault, &other).unwrap();
    for args in change {
        succeeded(&run_on(env, &other, args));
    }
    other
}

fn accounts(env: &TestEnv) -> Vec<String> {
    let out = succeeded(&env.run(&["list", "--json"]));
    let list: serde_json::Value = serde_json::from_str(&out).unwrap();
    let mut names: Vec<String> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            format!(
                "{}:{}",
                e["issuer"].as_str().unwrap(),
                e["account"].as_str().unwrap()
            )
        })
        .collect();
    names.sort();
    names
}

#[test]
fn a_syncthing_conflict_copy_is_noticed_listed_and_merged() {
    let env = TestEnv::new();
    env.add(&[GITHUB, GOOGLE]);
    // Offline on the other machine: add Dropbox, rename GitHub, remove Google.
    let other = other_copy(
        &env,
        &[
            &["add", DROPBOX],
            &["rename", "github", "--account", "alice"],
            &["rm", "google", "--yes"],
        ],
    );
    // Here meanwhile: another account added, and later a note on GitHub.
    succeeded(&env.run(&[
        "add",
        "otpauth://totp/Proton:me?secret=KRSXG5CTMVRXEZLU&issuer=Proton",
    ]));
    std::thread::sleep(std::time::Duration::from_millis(1100));
    succeeded(&env.run(&["note", "github", "work laptop"]));
    let conflict = env.vault.with_file_name(SYNCTHING_NAME);
    std::fs::rename(&other, &conflict).unwrap();

    let out = env.run(&["list"]);
    assert!(out.status.success());
    let notice = stderr(&out);
    assert_eq!(notice.matches("otp merge").count(), 1, "{notice}");
    assert!(notice.contains("1 conflict copy"), "{notice}");
    let doctor = succeeded(&env.run(&["doctor"]));
    assert!(
        doctor.contains(&format!("warn  conflict copy {}", conflict.display())),
        "{doctor}"
    );

    let merged = succeeded(&env.run(&["merge"]));
    assert!(merged.contains("added Dropbox:alice"), "{merged}");
    assert!(
        merged.contains("removed Google:alice@gmail.com"),
        "{merged}"
    );
    assert!(merged.contains("Merged 1 copy: "), "{merged}");
    assert!(merged.contains("Deleted the merged copy"), "{merged}");
    assert!(!conflict.exists());
    // Added on either side, renamed and removed there; the later note here holds too.
    assert_eq!(
        accounts(&env),
        ["Dropbox:alice", "GitHub:alice", "Proton:me"]
    );
    let list = succeeded(&env.run(&["list", "--json"]));
    assert!(list.contains("work laptop"), "{list}");
    let out = env.run(&["list"]);
    assert!(!stderr(&out).contains("otp merge"), "{}", stderr(&out));
    // Merging the same copy again changes nothing.
    std::fs::copy(&env.vault, &conflict).unwrap();
    let again = succeeded(&env.run(&["merge", conflict.to_str().unwrap()]));
    assert!(again.contains("already had everything"), "{again}");
}

#[test]
fn a_key_renewed_on_both_sides_keeps_the_losing_key() {
    let env = TestEnv::new();
    env.add(&[GITHUB]);
    let renewed_there =
        "otpauth://totp/GitHub:alice@example.com?secret=GEZDGNBVGY3TQOJQ&issuer=GitHub";
    let renewed_here =
        "otpauth://totp/GitHub:alice@example.com?secret=MFRGGZDFMZTWQ2LK&issuer=GitHub";
    let other = other_copy(&env, &[&["add", "--replace", renewed_there]]);
    std::thread::sleep(std::time::Duration::from_millis(1100));
    succeeded(&env.run(&["add", "--replace", renewed_here]));
    let merged = succeeded(&env.run(&["merge", other.to_str().unwrap()]));
    assert!(
        merged.contains("kept the replaced key of GitHub:alice@example.com"),
        "{merged}"
    );
    // The later renewal (here) is the entry's key; the other is kept and reported.
    let uri = succeeded(&env.run(&["uri", "github"]));
    assert!(uri.contains("MFRGGZDFMZTWQ2LK"), "{uri}");
    let out = env.run(&["list"]);
    assert!(
        stderr(&out).contains("1 replaced key kept"),
        "{}",
        stderr(&out)
    );
    let doctor = succeeded(&env.run(&["doctor"]));
    assert!(
        doctor.contains("1 replaced key kept from merges"),
        "{doctor}"
    );
    // Merged the other way round, the other machine ends with the same entries.
    succeeded(&run_on(
        &env,
        &other,
        &["merge", env.vault.to_str().unwrap()],
    ));
    let there = succeeded(&run_on(&env, &other, &["uri", "github"]));
    assert_eq!(there, uri);
}

#[test]
fn a_copy_that_does_not_open_changes_nothing() {
    let env = TestEnv::new();
    env.add(&[GITHUB]);
    let before = env.vault_bytes();
    let junk = env.vault.with_file_name(SYNCTHING_NAME);
    std::fs::write(&junk, b"not an age file").unwrap();
    let out = env.run(&["merge"]);
    assert_eq!(out.status.code(), Some(5), "{}", stderr(&out));
    assert!(stderr(&out).contains(SYNCTHING_NAME), "{}", stderr(&out));
    assert_eq!(env.vault_bytes(), before);
    assert!(junk.exists());
    let missing = env.run(&["merge", "/nonexistent/vault.age"]);
    assert_eq!(missing.status.code(), Some(1), "{}", stderr(&missing));
    assert_eq!(env.vault_bytes(), before);
}
