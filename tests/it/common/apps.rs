//! Other apps' export files (`tests/fixtures/apps/`, copied from the shared fixtures with
//! their README) and the accounts each must import to, from `accounts.json`.

use super::{TestEnv, stderr};
use serde_json::Value;
use std::path::{Path, PathBuf};

/// The password of every encrypted fixture; `WRONG` must fail.
pub const PASSWORD: &str = "test";
pub const WRONG: &str = "wrong";

pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/apps")
        .join(name)
}

fn accounts_json() -> Value {
    let text = std::fs::read_to_string(fixture("accounts.json")).expect("accounts.json");
    serde_json::from_str(&text).expect("accounts.json is JSON")
}

/// The accounts `file` holds, as `accounts.json` describes them (fields `issuer`,
/// `account`, `secret`, `type`, `algorithm`, `digits`, `period` or `counter`, `codes`).
pub fn accounts_of(file: &str) -> Vec<Value> {
    let all = accounts_json();
    let ids: Vec<String> = all["files"][file]["accounts"]
        .as_array()
        .unwrap_or_else(|| panic!("{file} is not in accounts.json"))
        .iter()
        .flat_map(|v| match v {
            // migration files list accounts per batch
            Value::Array(batch) => batch
                .iter()
                .map(|id| id.as_str().unwrap().to_string())
                .collect(),
            other => vec![other.as_str().unwrap().to_string()],
        })
        .collect();
    ids.iter()
        .map(|id| {
            all["accounts"]
                .as_array()
                .unwrap()
                .iter()
                .find(|a| a["id"] == id.as_str())
                .unwrap_or_else(|| panic!("no account {id}"))
                .clone()
        })
        .collect()
}

/// Runs `otp import FIXTURE ARGS…` in `env` with `password` (through `OTP_PASSPHRASE`).
pub fn import(
    env: &TestEnv,
    file: &str,
    password: Option<&str>,
    args: &[&str],
) -> std::process::Output {
    let path = fixture(file);
    let mut cmd = env.cmd();
    cmd.arg("import").arg(&path).args(args);
    if let Some(p) = password {
        cmd.env("OTP_PASSPHRASE", p);
    }
    cmd.output().expect("run otp import")
}

/// Imports `file` into a fresh vault and checks that the vault then holds exactly the
/// accounts `accounts.json` lists for it, with their parameters and the expected codes.
pub fn assert_imports(file: &str, password: Option<&str>) {
    let env = TestEnv::new();
    let out = import(&env, file, password, &[]);
    assert!(out.status.success(), "{file}: {}", stderr(&out));
    assert_vault_holds(&env, &accounts_of(file), file);
}

/// The vault in `env` holds exactly `expected` (issuer, account, type, algorithm, digits,
/// period/counter) and gives the expected codes.
pub fn assert_vault_holds(env: &TestEnv, expected: &[Value], what: &str) {
    let out = env.run(&["list", "--json"]);
    assert!(out.status.success(), "{what}: {}", stderr(&out));
    let list: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(list.len(), expected.len(), "{what}: entry count");
    for want in expected {
        let got = list
            .iter()
            .find(|e| e["issuer"] == want["issuer"] && e["account"] == want["account"])
            .unwrap_or_else(|| panic!("{what}: no entry {} / {}", want["issuer"], want["account"]));
        let id = got["id"].as_str().unwrap();
        assert_eq!(got["type"], want["type"], "{what}: {id} type");
        if want["type"] != "steam" {
            assert_eq!(
                got["algorithm"], want["algorithm"],
                "{what}: {id} algorithm"
            );
            assert_eq!(got["digits"], want["digits"], "{what}: {id} digits");
        }
        for code in want["codes"].as_array().unwrap() {
            let args: Vec<String> = match code.get("time") {
                Some(t) => vec!["code".into(), id.into(), "--at".into(), t.to_string()],
                None => vec!["code".into(), id.into()],
            };
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let out = env.run(&args);
            assert!(out.status.success(), "{what}: {id}: {}", stderr(&out));
            assert_eq!(
                String::from_utf8_lossy(&out.stdout).trim(),
                code["code"].as_str().unwrap(),
                "{what}: {id} code {code}"
            );
        }
    }
}
