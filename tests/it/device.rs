//! `otp device`: each machine its own key, the vault encrypted to all of them, kept so by
//! every later write; removal; passphrase vaults need none.

use crate::common;

use common::{GITHUB, GOOGLE, TestEnv, stderr, succeeded};

/// Whether `other`'s identity file alone opens `env`'s vault.
fn opens_with(env: &TestEnv, other: &TestEnv) -> bool {
    env.cmd()
        .env("OTP_IDENTITY_FILE", &other.identity)
        .args(["--backend", "identity-file", "list"])
        .output()
        .unwrap()
        .status
        .success()
}

#[test]
fn devices_are_added_kept_on_every_write_and_removed() {
    let a = TestEnv::new();
    a.add(&[GITHUB]);
    let a_key = succeeded(&a.run(&["device", "id"]));
    let b = TestEnv::new();
    let b_key = succeeded(&b.run(&["device", "id"]));
    assert_ne!(a_key, b_key);
    assert!(!opens_with(&a, &b));
    let out = succeeded(&a.run(&["device", "list"]));
    assert!(out.starts_with("No devices"), "{out}");

    // Refusals change nothing.
    let before = a.vault_bytes();
    for (args, code) in [
        (vec!["device", "add", "age1nope", "--name", "b"], 2),
        (vec!["device", "add", a_key.trim(), "--name", "b"], 1),
        (vec!["device", "add", b_key.trim(), "--name", ""], 2),
        (vec!["device", "rm", "nobody"], 1),
    ] {
        let out = a.run(&args);
        assert_eq!(out.status.code(), Some(code), "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).lines().count() <= 2, "{}", stderr(&out));
        assert_eq!(a.vault_bytes(), before, "{args:?}");
    }

    let out = succeeded(&a.run(&["device", "add", b_key.trim(), "--name", "laptop"]));
    assert!(out.contains("Added device laptop"), "{out}");
    assert!(opens_with(&a, &b));
    let list = succeeded(&a.run(&["device", "list"]));
    assert!(
        list.contains(&format!("{}  (this machine)", a_key.trim())),
        "{list}"
    );
    assert!(
        list.contains(&format!("laptop  {}\n", b_key.trim())),
        "{list}"
    );
    let out = a.run(&["device", "add", b_key.trim(), "--name", "other"]);
    assert_eq!(out.status.code(), Some(1));

    // Every later write keeps the device: add, rm, key rotation.
    a.add(&[GOOGLE]);
    assert!(opens_with(&a, &b));
    succeeded(&a.run(&["rm", "google", "--yes"]));
    assert!(opens_with(&a, &b));
    succeeded(&a.run(&["key", "rotate"]));
    assert!(opens_with(&a, &b), "rotation dropped the device");
    let new_key = succeeded(&a.run(&["device", "id"]));
    assert_ne!(new_key, a_key);
    let list = succeeded(&a.run(&["device", "list"]));
    assert!(
        list.contains(&format!("{}  (this machine)", new_key.trim())),
        "{list}"
    );
    assert!(!list.contains(a_key.trim()), "{list}");

    // The other machine writes to both keys too (its own key opened the vault).
    let b_vault = b.vault.clone();
    std::fs::create_dir_all(b_vault.parent().unwrap()).unwrap();
    std::fs::copy(&a.vault, &b_vault).unwrap();
    b.add(&[GOOGLE]);
    std::fs::copy(&b_vault, &a.vault).unwrap();
    assert_eq!(
        succeeded(&a.run(&["list", "--json"]))
            .matches("\"id\"")
            .count(),
        2,
        "the first machine opens what the second wrote"
    );

    let out = succeeded(&a.run(&["device", "rm", "laptop"]));
    assert!(out.contains("still holds the copies"), "{out}");
    assert!(out.contains("renew the keys at the services"), "{out}");
    assert!(!opens_with(&a, &b));
    let list = succeeded(&a.run(&["device", "list"]));
    assert!(!list.contains("laptop"), "{list}");
    // This machine cannot remove itself.
    let me = list
        .lines()
        .next()
        .unwrap()
        .split("  ")
        .next()
        .unwrap()
        .to_string();
    let out = a.run(&["device", "rm", &me]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
}

#[test]
fn passphrase_vaults_need_no_devices() {
    let env = TestEnv::new();
    let out = env
        .cmd()
        .env("OTP_PASSPHRASE", "correct horse battery staple")
        .args(["--backend", "passphrase", "init"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let before = env.vault_bytes();
    for args in [
        vec!["device", "id"],
        vec!["device", "list"],
        vec![
            "device",
            "add",
            "age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p",
            "--name",
            "b",
        ],
    ] {
        let out = env
            .cmd()
            .env("OTP_PASSPHRASE", "correct horse battery staple")
            .args(["--backend", "passphrase"])
            .args(&args)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{args:?}: {}", stderr(&out));
        assert!(
            stderr(&out).contains("passphrase vault needs no devices"),
            "{}",
            stderr(&out)
        );
    }
    assert_eq!(env.vault_bytes(), before);
}
