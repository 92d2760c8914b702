//! The everyday path end to end (docs/CONTRACT.md), through the real `otp` binary in a
//! temporary world: `init`; `add` with URI arguments, `-` on stdin and manual entry; `code`
//! (plain, `--json`, `--next`, `--wait`, `--at`, HOTP counters); query resolution and its exit
//! codes; `list`/`ls`; `rm`; `rename`; `note`; `uri` round trips; re-adding and `--replace`;
//! `completions`; a broken pipe; `--color`; the passphrase backend; Steam entries.
//!
//! Expected codes come from the RFCs or were computed with `oathtool` (noted where used);
//! every time-based code is asked for at a fixed `--at`, so nothing depends on the clock
//! except `list --codes`, which tolerates a period boundary.

use crate::common;

use common::{AT, GITHUB, GOOGLE, TestEnv, otp_line, stderr, stdout, unix_now};
use serde_json::Value;
use std::io::BufRead;
use std::process::Stdio;

/// `oathtool --totp -b JBSWY3DPEHPK3PXP -N @1700000000 -w 1`: GITHUB's code at AT and next.
const GITHUB_AT: &str = "324550";
const GITHUB_NEXT: &str = "367665";
/// `oathtool --totp -b GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ -N @1700000000`.
const GOOGLE_AT: &str = "921300";
/// Another GitHub account, for ambiguity.
const GITHUB_BOB: &str =
    "otpauth://totp/GitHub:bob@example.com?secret=MFRGGZDFMZTWQ2LKNNWG23TPOBYXE43U&issuer=GitHub";
/// RFC 4226 Appendix D: the key "12345678901234567890" and its codes for counters 0–9.
const RFC4226_KEY: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
const RFC4226_CODES: [&str; 10] = [
    "755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583", "399871",
    "520489",
];
const STEAM_ALPHABET: &str = "23456789BCDFGHJKMNPQRTVWXY";

// ---------------------------------------------------------------------------------------
// helpers

/// `otp code QUERY --at AT` (plain output), without the newline.
fn code_at(env: &TestEnv, query: &str, at: i64) -> String {
    let out = env.ok(&["code", query, &format!("--at={at}")]);
    out.strip_suffix('\n').expect("newline").to_string()
}

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}): {text:?}"))
}

fn list_json(env: &TestEnv) -> Vec<Value> {
    match json(&env.ok(&["list", "--json"])) {
        Value::Array(a) => a,
        other => panic!("list --json is not an array: {other}"),
    }
}

/// The id `otp` resolved QUERY to (through `otp code --json`).
fn resolved_id(env: &TestEnv, query: &str) -> String {
    let v = json(&env.ok(&["code", query, "--json", &format!("--at={AT}")]));
    v["id"].as_str().expect("id").to_string()
}

/// A world holding GitHub alice and Google.
fn world() -> TestEnv {
    let env = TestEnv::new();
    env.add(&[GITHUB, GOOGLE]);
    env
}

/// Runs `otp ARGS` with stdout and stdin on a pseudo-terminal (util-linux `script`), and
/// returns what the terminal showed.
fn on_terminal(env: &TestEnv, args: &[&str], no_color: bool) -> String {
    let line = otp_line(args);
    let mut cmd = env.on_pty(&line);
    if !no_color {
        cmd.env_remove("NO_COLOR");
    }
    let out = cmd.output().expect("run script");
    assert!(
        out.status.success(),
        "{line} on a terminal failed: {}",
        stdout(&out)
    );
    stdout(&out)
}

// ---------------------------------------------------------------------------------------
// init and add

#[test]
fn init_creates_an_empty_vault_and_refuses_a_second() {
    let env = TestEnv::new();
    let said = env.ok(&["init"]);
    assert!(said.contains(&env.vault.display().to_string()), "{said}");
    assert!(env.vault.is_file());
    assert!(
        env.identity.is_file(),
        "the identity-file backend keeps its key"
    );
    assert_eq!(list_json(&env), Vec::<Value>::new());

    let before = env.vault_bytes();
    let err = env.fails_with(&["init"], 1);
    assert!(err.contains("already exists"), "{err}");
    assert_eq!(env.vault_bytes(), before);
}

#[test]
fn add_on_a_missing_vault_creates_it_and_shows_the_code() {
    let env = TestEnv::new();
    let said = env.ok(&["add", GITHUB]);
    assert!(env.vault.is_file());
    assert!(
        said.starts_with("Added GitHub:alice@example.com ["),
        "{said}"
    );
    assert!(
        said.contains("s left"),
        "enrolment shows the code and time: {said}"
    );
    assert_eq!(code_at(&env, "github", AT), GITHUB_AT);
}

#[test]
fn add_takes_several_uri_arguments() {
    let env = TestEnv::new();
    env.ok(&["add", GITHUB, GOOGLE, GITHUB_BOB]);
    assert_eq!(list_json(&env).len(), 3);
    assert_eq!(code_at(&env, "google", AT), GOOGLE_AT);
}

#[test]
fn add_reads_uris_from_stdin_skipping_comments_and_blank_lines() {
    let env = TestEnv::new();
    let input =
        format!("# my accounts\n\n  {GITHUB}  \n\n# {GITHUB_BOB}\n{GOOGLE}\n   \n# the end\n");
    let out = env
        .cmd()
        .args(["add", "-"])
        .write_stdin(input)
        .output()
        .expect("run");
    assert!(out.status.success(), "{}", stderr(&out));
    let accounts: Vec<Value> = list_json(&env)
        .into_iter()
        .map(|e| e["account"].clone())
        .collect();
    assert_eq!(accounts, ["alice@example.com", "alice@gmail.com"]);
}

#[test]
fn manual_entry_takes_the_secret_as_services_print_it() {
    let env = TestEnv::new();
    let out = env
        .cmd()
        .args([
            "add",
            "--issuer",
            "Acme",
            "--account",
            "bob",
            "--secret-stdin",
        ])
        .write_stdin("jbsw y3dp ehpk 3pxp\n")
        .output()
        .expect("run");
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(code_at(&env, "acme", AT), GITHUB_AT);
    let uri = env.ok(&["uri", "acme"]);
    assert!(
        uri.contains("secret=JBSWY3DPEHPK3PXP&"),
        "normalised: {uri}"
    );

    // Parameters: `oathtool --totp=SHA256 -d 8 -s 60 -b JBSWY3DPEHPK3PXP -N @1700000000`.
    let out = env
        .cmd()
        .args([
            "add",
            "--issuer",
            "Acme",
            "--account",
            "carol",
            "--secret-stdin",
        ])
        .args(["--algorithm", "sha256", "--digits", "8", "--period", "60"])
        .write_stdin("JBSWY3DPEHPK3PXP")
        .output()
        .expect("run");
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(code_at(&env, "acme:carol", AT), "71205722");
}

#[test]
fn identical_re_add_is_a_no_op_that_says_so() {
    let env = world();
    let (vault, backup) = (
        env.vault_bytes(),
        std::fs::read(env.vault.with_extension("age.bak")),
    );
    let said = env.ok(&["add", GITHUB]);
    assert!(said.contains("already in the vault"), "{said}");
    assert_eq!(env.vault_bytes(), vault, "the vault is untouched");
    assert_eq!(
        std::fs::read(env.vault.with_extension("age.bak")).ok(),
        backup.ok(),
        "and so is its backup"
    );
    assert_eq!(list_json(&env).len(), 2);
}

#[test]
fn replace_renews_the_key_and_keeps_the_previous_vault() {
    let env = world();
    let renewed = "otpauth://totp/GitHub:alice@example.com?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=GitHub";
    let before = env.vault_bytes();
    let err = env.fails_with(&["add", renewed], 1);
    assert!(err.contains("--replace"), "{err}");
    assert_eq!(env.vault_bytes(), before);

    let said = env.ok(&["add", "--replace", renewed]);
    assert!(said.contains("Renewed"), "{said}");
    assert_eq!(code_at(&env, "github", AT), GOOGLE_AT, "the new key's code");
    let backup = env.vault.with_extension("age.bak");
    assert_eq!(std::fs::read(&backup).expect("vault.age.bak"), before);

    // The backup is a working vault with the old key.
    let old = TestEnv::new();
    std::fs::create_dir_all(old.vault.parent().unwrap()).unwrap();
    std::fs::copy(&backup, &old.vault).unwrap();
    std::fs::copy(&env.identity, &old.identity).unwrap();
    assert_eq!(code_at(&old, "github", AT), GITHUB_AT);
}

// ---------------------------------------------------------------------------------------
// code

#[test]
fn plain_code_is_the_code_and_a_newline() {
    let env = world();
    let out = env.run(&["code", "github", &format!("--at={AT}")]);
    assert!(out.status.success());
    assert_eq!(stdout(&out), format!("{GITHUB_AT}\n"));
    assert_eq!(stderr(&out), "");
}

#[test]
fn code_json_has_the_documented_fields() {
    let env = world();
    let v = json(&env.ok(&["code", "github", "--json", &format!("--at={AT}")]));
    let id = list_json(&env)
        .iter()
        .find(|e| e["issuer"] == "GitHub")
        .map(|e| e["id"].clone())
        .expect("listed");
    assert_eq!(v["code"], GITHUB_AT);
    assert_eq!(v["issuer"], "GitHub");
    assert_eq!(v["account"], "alice@example.com");
    assert_eq!(v["id"], id);
    assert_eq!(v["period"], 30);
    assert_eq!(v["remaining"], 10, "AT is 20 s into its period");
    assert_eq!(v["valid_until"], AT + 10);
}

#[test]
fn next_is_the_code_of_the_following_period() {
    let env = world();
    let next = env.ok(&["code", "github", "--next", &format!("--at={AT}")]);
    assert_eq!(next, format!("{GITHUB_NEXT}\n"));
    assert_eq!(code_at(&env, "github", AT + 30), GITHUB_NEXT);
    let v = json(&env.ok(&["code", "github", "--next", "--json", &format!("--at={AT}")]));
    assert_eq!(v["valid_until"], AT + 40);
}

#[test]
fn wait_moves_to_the_next_period_only_when_little_time_remains() {
    let env = world();
    let started = std::time::Instant::now();
    let code = |at: i64, wait: &str| {
        let out = env.ok(&["code", "github", &format!("--at={at}"), wait]);
        out.trim_end().to_string()
    };
    // At AT, 10 s remain.
    assert_eq!(
        code(AT, "--wait"),
        GITHUB_AT,
        "default 5 s: enough time left"
    );
    assert_eq!(code(AT, "--wait=10"), GITHUB_AT);
    assert_eq!(code(AT, "--wait=11"), GITHUB_NEXT);
    // At AT+6, 4 s remain.
    assert_eq!(code(AT + 6, "--wait"), GITHUB_NEXT);
    assert_eq!(code(AT + 6, "--wait=4"), GITHUB_AT);
    assert_eq!(code(AT + 6, "--wait=0"), GITHUB_AT);
    let v = json(&env.ok(&[
        "code",
        "github",
        "--json",
        "--wait",
        &format!("--at={}", AT + 6),
    ]));
    assert_eq!(
        (v["remaining"].as_u64(), v["valid_until"].as_i64()),
        (Some(30), Some(AT + 40))
    );
    // With --at nothing sleeps (a real wait would take up to 30 s per call).
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
}

#[test]
fn at_accepts_rfc_3339_with_any_offset() {
    let env = world();
    let unix = env.ok(&["code", "github", "--json", &format!("--at={AT}")]);
    for t in [
        "2023-11-14T22:13:20Z",
        "2023-11-15T00:13:20+02:00",
        "2023-11-14T17:13:20-05:00",
    ] {
        assert_eq!(
            env.ok(&["code", "github", "--json", "--at", t]),
            unix,
            "{t}"
        );
    }
    let err = env.fails_with(&["code", "github", "--at", "yesterday"], 2);
    assert!(err.contains("RFC 3339"), "{err}");
}

#[test]
fn hotp_codes_follow_rfc_4226_and_the_counter_is_stored() {
    let env = TestEnv::new();
    let uri = format!("otpauth://hotp/RFC:4226?secret={RFC4226_KEY}&issuer=RFC&counter=0");
    env.add(&[&uri]);
    let codes: Vec<String> = (0..10)
        .map(|_| env.ok(&["code", "rfc"]).trim_end().to_string())
        .collect();
    assert_eq!(codes, RFC4226_CODES);
    assert_eq!(list_json(&env)[0]["counter"], 10, "counter persisted");
    assert!(env.ok(&["uri", "rfc"]).contains("counter=10"));

    // Time options make no sense for HOTP; refusing them does not use up a code.
    env.fails_with(&["code", "rfc", &format!("--at={AT}")], 2);
    assert_eq!(list_json(&env)[0]["counter"], 10);
    let v = json(&env.ok(&["code", "rfc", "--json"]));
    assert_eq!(
        v["code"], "403154",
        "RFC 4226 HOTP for counter 10 (oathtool -c 10)"
    );
}

#[test]
fn steam_codes_are_five_characters_of_steams_alphabet() {
    let env = TestEnv::new();
    env.add(&[
        "otpauth://steam/Steam:gaben?secret=JBSWY3DPEHPK3PXP&issuer=Steam",
        "otpauth://totp/Valve:gaben?secret=JBSWY3DPEHPK3PXP&issuer=Valve&encoder=steam",
    ]);
    let out = env
        .cmd()
        .args([
            "add",
            "--type",
            "steam",
            "--issuer",
            "Manual",
            "--account",
            "gaben",
        ])
        .arg("--secret-stdin")
        .write_stdin("JBSWY3DPEHPK3PXP")
        .output()
        .expect("run");
    assert!(out.status.success(), "{}", stderr(&out));

    let code = code_at(&env, "steam", AT);
    assert_eq!(code, steam_code(b"Hello!\xde\xad\xbe\xef", AT / 30));
    assert_eq!(code.len(), 5);
    assert!(code.chars().all(|c| STEAM_ALPHABET.contains(c)), "{code}");
    assert_eq!(code_at(&env, "valve", AT), code, "encoder=steam");
    assert_eq!(code_at(&env, "manual", AT), code, "--type steam");
    assert_ne!(code_at(&env, "steam", AT + 30), code);
}

/// Steam Guard, written out independently: RFC 4226 truncation, then five base-26 digits
/// of Steam's alphabet, least significant first.
fn steam_code(key: &[u8], step: i64) -> String {
    use hmac::{Hmac, Mac};
    let mut mac = Hmac::<sha1::Sha1>::new_from_slice(key).expect("key");
    mac.update(&(step as u64).to_be_bytes());
    let h = mac.finalize().into_bytes();
    let o = usize::from(h[19] & 0xf);
    let mut v = u32::from_be_bytes([h[o], h[o + 1], h[o + 2], h[o + 3]]) & 0x7fff_ffff;
    let alphabet = STEAM_ALPHABET.as_bytes();
    (0..5)
        .map(|_| {
            let c = alphabet[(v % 26) as usize] as char;
            v /= 26;
            c
        })
        .collect()
}

// ---------------------------------------------------------------------------------------
// query resolution (docs/CONTRACT.md, "Queries")

#[test]
fn queries_resolve_in_the_documented_order() {
    let env = TestEnv::new();
    env.add(&[GITHUB, GITHUB_BOB]);
    let alice = resolved_id(&env, "GitHub:alice@example.com");
    let bob = resolved_id(&env, "github:BOB@example.com");
    env.add(&[
        // an account named like alice's id: the id still wins
        &format!("otpauth://totp/Tricky:{alice}?secret=JBSWY3DPEHPK3PXP&issuer=Tricky"),
        // a longer name holding bob's issuer:account: the exact one still wins
        "otpauth://totp/GitHub:bob@example.com.au?secret=JBSWY3DPEHPK3PXP&issuer=GitHub",
        // "git" is this issuer exactly, and part of every GitHub label
        "otpauth://totp/Git:carol?secret=JBSWY3DPEHPK3PXP&issuer=Git",
        // "carol" is the account above exactly, and part of this one
        "otpauth://totp/Gitea:carolyn?secret=JBSWY3DPEHPK3PXP&issuer=Gitea",
    ]);
    let label = |id: &str| {
        let e = list_json(&env)
            .into_iter()
            .find(|e| e["id"] == id)
            .expect("entry");
        format!(
            "{}:{}",
            e["issuer"].as_str().unwrap(),
            e["account"].as_str().unwrap()
        )
    };

    assert_eq!(resolved_id(&env, &alice), alice, "exact id");
    assert_eq!(
        resolved_id(&env, "GITHUB:bob@example.com"),
        bob,
        "exact issuer:account"
    );
    assert_eq!(
        label(&resolved_id(&env, "git")),
        "Git:carol",
        "exact issuer"
    );
    assert_eq!(
        label(&resolved_id(&env, "CAROL")),
        "Git:carol",
        "exact account"
    );
    assert_eq!(
        label(&resolved_id(&env, "HUB:ALI")),
        "GitHub:alice@example.com",
        "substring"
    );
    assert_eq!(
        label(&resolved_id(&env, "lyn")),
        "Gitea:carolyn",
        "substring"
    );

    let err = env.fails_with(&["code", "nothing-like-this", &format!("--at={AT}")], 3);
    assert!(err.starts_with("otp: no entry matches"), "{err}");

    let before = env.vault_bytes();
    for args in [
        vec!["code", "github"],
        vec!["uri", "github"],
        vec!["rm", "--yes", "github"],
        vec!["note", "github", "x"],
    ] {
        let err = env.fails_with(&args, 4);
        assert!(err.contains("matches 3 entries"), "{args:?}: {err}");
        for id in [&alice, &bob] {
            assert!(err.contains(id.as_str()), "candidate {id} listed: {err}");
        }
        assert!(err.contains("GitHub:bob@example.com.au"), "{err}");
    }
    assert_eq!(
        env.vault_bytes(),
        before,
        "an ambiguous query changes nothing"
    );
}

// ---------------------------------------------------------------------------------------
// list

#[test]
fn list_prints_tab_separated_lines_when_piped() {
    let env = world();
    env.add(&[&format!(
        "otpauth://hotp/Bank:me?secret={RFC4226_KEY}&issuer=Bank&counter=3&digits=8"
    )]);
    let id = |q| resolved_id(&env, q);
    let bank = list_json(&env)
        .into_iter()
        .find(|e| e["issuer"] == "Bank")
        .unwrap();
    let expected = format!(
        "Bank\tme\thotp\tSHA1\t8\t-\t{}\t0\n\
         GitHub\talice@example.com\ttotp\tSHA1\t6\t30\t{}\t0\n\
         Google\talice@gmail.com\ttotp\tSHA1\t6\t30\t{}\t0\n",
        bank["id"].as_str().unwrap(),
        id("github"),
        id("google"),
    );
    assert_eq!(env.ok(&["list"]), expected);
    assert_eq!(env.ok(&["ls"]), expected, "ls is list");
    assert_eq!(
        env.ok(&["list", "goo"]),
        expected.lines().nth(2).unwrap().to_string() + "\n",
        "list QUERY"
    );
    env.fails_with(&["list", "nothing-like-this"], 3);
}

#[test]
fn list_codes_adds_the_current_code_and_seconds_left() {
    let env = world();
    env.add(&[&format!(
        "otpauth://hotp/Bank:me?secret={RFC4226_KEY}&issuer=Bank"
    )]);
    let t0 = unix_now();
    let out = env.ok(&["list", "--codes"]);
    let t1 = unix_now();
    let rows: Vec<Vec<&str>> = out.lines().map(|l| l.split('\t').collect()).collect();
    assert_eq!(rows.len(), 3);
    assert_eq!(
        rows[0][7..],
        ["-", "-", "0"],
        "HOTP codes are not generated"
    );
    for (row, query) in rows[1..].iter().zip(["github", "google"]) {
        assert_eq!(row.len(), 10, "{row:?}");
        let possible = [code_at(&env, query, t0), code_at(&env, query, t1)];
        assert!(
            possible.contains(&row[7].to_string()),
            "{row:?} vs {possible:?}"
        );
        let left: u32 = row[8].parse().expect("seconds left");
        assert!((1..=30).contains(&left), "{row:?}");
    }
    assert_eq!(
        list_json(&env)[0]["counter"],
        0,
        "listing did not use a HOTP code"
    );

    let v = json(&env.ok(&["list", "--codes", "--json"]));
    assert_eq!(v[1]["code"].as_str().map(str::len), Some(6));
    assert!(v[1]["remaining"].as_u64().is_some());
    assert_eq!(v[0]["code"], Value::Null);
}

#[test]
fn list_json_describes_every_entry() {
    let env = world();
    let list = list_json(&env);
    assert_eq!(list.len(), 2);
    let github = &list[0];
    assert_eq!(github["issuer"], "GitHub");
    assert_eq!(github["account"], "alice@example.com");
    assert_eq!(github["type"], "totp");
    assert_eq!(github["algorithm"], "SHA1");
    assert_eq!(github["digits"], 6);
    assert_eq!(github["period"], 30);
    assert_eq!(github["note"], Value::Null);
    assert!(github["id"].as_str().is_some_and(|id| !id.is_empty()));
    assert!(github["created"].as_i64().is_some() && github["updated"].as_i64().is_some());
    assert!(github.get("secret").is_none(), "list never shows secrets");
}

// ---------------------------------------------------------------------------------------
// rm, rename, note, uri

#[test]
fn rm_needs_yes_off_a_terminal() {
    let env = world();
    let before = env.vault_bytes();
    let err = env.fails_with(&["rm", "google"], 2);
    assert!(err.contains("--yes"), "{err}");
    assert_eq!(env.vault_bytes(), before);

    let said = env.ok(&["rm", "--yes", "google"]);
    assert!(said.starts_with("Removed Google:alice@gmail.com"), "{said}");
    env.fails_with(&["code", "google", &format!("--at={AT}")], 3);
    assert_eq!(list_json(&env).len(), 1);
    env.fails_with(&["rm", "--yes", "google"], 3);
}

#[test]
fn rename_changes_names_but_not_the_key_or_id() {
    let env = world();
    let id = resolved_id(&env, "github");
    env.ok(&[
        "rename",
        "github",
        "--issuer",
        "Microsoft",
        "--account",
        "alice@contoso.com",
    ]);
    assert_eq!(resolved_id(&env, "microsoft:alice@contoso.com"), id);
    assert_eq!(code_at(&env, "microsoft", AT), GITHUB_AT);
    env.fails_with(&["code", "github", &format!("--at={AT}")], 3);
    env.ok(&["rename", &id, "--account", "alice@outlook.com"]);
    assert_eq!(resolved_id(&env, "Microsoft:alice@outlook.com"), id);

    // Another entry's name (case-insensitively) is taken.
    let before = env.vault_bytes();
    let err = env.fails_with(
        &[
            "rename",
            "microsoft",
            "--issuer",
            "GOOGLE",
            "--account",
            "Alice@Gmail.com",
        ],
        1,
    );
    assert!(err.contains("already exists"), "{err}");
    assert_eq!(env.vault_bytes(), before);
    env.fails_with(&["rename", "microsoft"], 2);
}

#[test]
fn note_is_set_and_cleared() {
    let env = world();
    env.ok(&["note", "github", "recovery codes in the safe"]);
    let note = |env: &TestEnv| {
        list_json(env)
            .into_iter()
            .find(|e| e["issuer"] == "GitHub")
            .map(|e| e["note"].clone())
    };
    assert_eq!(note(&env), Some(Value::from("recovery codes in the safe")));
    env.ok(&["note", "github", ""]);
    assert_eq!(note(&env), Some(Value::Null));
}

#[test]
fn uri_round_trips_to_the_identical_entry() {
    let env = TestEnv::new();
    env.add(&[
        GITHUB,
        "otpauth://totp/AT%26T%20Wireless:alice%2B1%40example.com?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=AT%26T%20Wireless&algorithm=SHA512&digits=8&period=60",
        "otpauth://totp/No%20issuer%3A%20here?secret=JBSWY3DPEHPK3PXP&algorithm=SHA256&digits=7&period=15",
        "otpauth://hotp/Bank:me?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Bank&counter=42",
        "otpauth://steam/Steam:gaben?secret=JBSWY3DPEHPK3PXP&issuer=Steam",
        "otpauth://totp/Caf%C3%A9%20%E2%98%95:b%C3%B6b?secret=JBSWY3DPEHPK3PXP&issuer=Caf%C3%A9%20%E2%98%95",
    ]);
    let strip = |mut e: Value| {
        let obj = e.as_object_mut().expect("object");
        obj.remove("created");
        obj.remove("updated");
        e
    };
    for entry in list_json(&env) {
        let id = entry["id"].as_str().unwrap().to_string();
        let uri = env.ok(&["uri", &id]).trim_end().to_string();
        let fresh = TestEnv::new();
        fresh.add(&[&uri]);
        let copy = list_json(&fresh).pop().expect("one entry");
        assert_eq!(strip(copy), strip(entry.clone()), "{uri}");
        if entry["type"] != "hotp" {
            assert_eq!(code_at(&fresh, &id, AT), code_at(&env, &id, AT), "{uri}");
        }
    }
}

/// Names a manual entry (or `rename`) accepts must survive `otp uri` too: an issuer-less
/// account holding a colon, and an account with leading spaces.
#[test]
fn uri_round_trips_names_typed_by_hand() {
    for (issuer, account) in [("", "alice:work"), ("Acme", " bob")] {
        let env = TestEnv::new();
        let out = env
            .cmd()
            .args([
                "add",
                "--issuer",
                issuer,
                "--account",
                account,
                "--secret-stdin",
            ])
            .write_stdin("JBSWY3DPEHPK3PXP")
            .output()
            .expect("run");
        assert!(out.status.success(), "{}", stderr(&out));
        let entry = list_json(&env).pop().expect("entry");
        let id = entry["id"].as_str().expect("id");
        let uri = env.ok(&["uri", id]).trim_end().to_string();
        let fresh = TestEnv::new();
        fresh.add(&[&uri]);
        let copy = list_json(&fresh).pop().expect("entry");
        assert_eq!(
            (&copy["issuer"], &copy["account"], &copy["id"]),
            (&entry["issuer"], &entry["account"], &entry["id"]),
            "{issuer:?}/{account:?} came back from {uri} as another entry"
        );
    }
}

// ---------------------------------------------------------------------------------------
// completions, pipes, colour

#[test]
fn completions_for_every_shell() {
    let env = TestEnv::new();
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let script = env.ok(&["completions", shell]);
        assert!(script.len() > 1000, "{shell}: {script:?}");
        assert!(script.contains("otp"), "{shell}");
    }
    env.fails_with(&["completions", "tcsh"], 2);
}

#[test]
fn a_closed_pipe_ends_quietly_with_success() {
    let env = TestEnv::new();
    // Enough output (~90 KB) to overflow the pipe buffer after the reader has gone.
    let uris: String = (0..300)
        .map(|i| {
            format!(
                "otpauth://totp/Pipe:{i:03}{}?secret=JBSWY3DPEHPK3PXP&issuer=Pipe\n",
                "x".repeat(250)
            )
        })
        .collect();
    let out = env
        .cmd()
        .args(["add", "-"])
        .write_stdin(uris)
        .output()
        .expect("run");
    assert!(out.status.success(), "{}", stderr(&out));

    // `otp list | head -1`
    let mut child = env
        .std_cmd(env!("CARGO_BIN_EXE_otp"))
        .arg("list")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn otp list");
    let mut reader = std::io::BufReader::new(child.stdout.take().expect("stdout"));
    let mut first = String::new();
    reader.read_line(&mut first).expect("first line");
    assert!(first.starts_with("Pipe\t000"), "{first:?}");
    drop(reader);
    let out = child.wait_with_output().expect("wait");
    assert_eq!(out.status.code(), Some(0), "stderr: {}", stderr(&out));
    assert_eq!(stderr(&out), "", "quietly");
}

#[test]
fn colour_only_when_asked() {
    if !common::require_script() {
        return;
    }
    let env = world();
    let at = format!("--at={AT}");
    let esc = |s: &str| s.contains('\x1b');

    let always = on_terminal(&env, &["code", "github", &at, "--color", "always"], true);
    assert!(esc(&always), "--color always: {always:?}");
    assert!(always.contains("324 550"), "grouped: {always:?}");
    let never = on_terminal(&env, &["code", "github", &at, "--color", "never"], false);
    assert!(!esc(&never), "--color never: {never:?}");
    assert!(
        never.contains("324 550  GitHub  alice@example.com"),
        "grouped: {never:?}"
    );
    let no_color = on_terminal(&env, &["code", "github", &at], true);
    assert!(!esc(&no_color), "NO_COLOR: {no_color:?}");
    let auto = on_terminal(&env, &["code", "github", &at], false);
    assert!(esc(&auto), "auto on a terminal: {auto:?}");
    let list = on_terminal(&env, &["list", "--color", "always"], true);
    assert!(esc(&list), "{list:?}");

    // Piped output is plain even when colour is forced.
    let piped = env.ok(&["code", "github", &at, "--color", "always"]);
    assert_eq!(piped, format!("{GITHUB_AT}\n"));
    assert!(!esc(&env.ok(&["list", "--color", "always"])));
}

// ---------------------------------------------------------------------------------------
// passphrase backend

#[test]
fn passphrase_backend_needs_no_flag_after_init() {
    let env = TestEnv::new();
    let with = |pass: &str| {
        let mut cmd = env.bare_cmd();
        cmd.env("OTP_VAULT", &env.vault).env("OTP_PASSPHRASE", pass);
        cmd
    };
    let run = |pass: &str, args: &[&str]| with(pass).args(args).output().expect("run otp");

    let out = run("correct horse", &["--backend", "passphrase", "init"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("passphrase backend"),
        "{}",
        stdout(&out)
    );
    let header = env.vault_bytes();
    assert!(
        String::from_utf8_lossy(&header[..header.len().min(200)]).contains("scrypt"),
        "an age scrypt file"
    );
    let out = run("correct horse", &["add", GITHUB]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = run("correct horse", &["code", "github", &format!("--at={AT}")]);
    assert_eq!(stdout(&out), format!("{GITHUB_AT}\n"), "{}", stderr(&out));
    assert!(
        !env.home.join(".config/otp/identity.txt").exists(),
        "no key file"
    );

    let before = env.vault_bytes();
    for args in [vec!["code", "github"], vec!["add", GOOGLE]] {
        let out = run("wrong horse", &args);
        assert_eq!(out.status.code(), Some(5), "{args:?}: {}", stderr(&out));
        let err = stderr(&out);
        assert!(err.starts_with("otp: cannot unlock vault "), "{err}");
        assert!(err.contains(&env.vault.display().to_string()), "{err}");
        assert!(out.stdout.is_empty());
    }
    // No passphrase at all, and no terminal to ask on.
    let out = env
        .bare_cmd()
        .env("OTP_VAULT", &env.vault)
        .args(["code", "github"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(5), "{}", stderr(&out));
    assert_eq!(env.vault_bytes(), before, "nothing changed");
}

#[test]
fn shared_options_go_before_or_after_the_command() {
    let env = world();
    let vault = env.vault.to_str().unwrap();
    let identity = env.identity.to_str().unwrap();
    let at = format!("--at={AT}");
    let run = |args: &[&str]| env.bare_cmd().args(args).output().expect("run otp");
    let code = |args: &[&str]| {
        let out = run(args);
        assert!(out.status.success(), "otp {args:?}: {}", stderr(&out));
        stdout(&out)
    };
    let expected = format!("{GITHUB_AT}\n");
    // Before the command, after it, between its arguments, as `--name=value`.
    for args in [
        vec![
            "--vault",
            vault,
            "--identity",
            identity,
            "code",
            "github",
            &at,
        ],
        vec![
            "code",
            "github",
            &at,
            "--vault",
            vault,
            "--identity",
            identity,
        ],
        vec![
            "--vault",
            vault,
            "code",
            "--identity",
            identity,
            "github",
            &at,
        ],
        vec![
            "code",
            &format!("--vault={vault}"),
            "github",
            &at,
            "--identity",
            identity,
        ],
    ] {
        assert_eq!(code(&args), expected, "{args:?}");
    }
    // The one after the command wins, as it would for any repeated option.
    let args = [
        "--vault",
        "/nonexistent/v.age",
        "code",
        "github",
        &at,
        "--vault",
        vault,
    ];
    assert_eq!(
        code(&[&args[..], &["--identity", identity]].concat()),
        expected
    );
    let out = run(&[
        "--vault",
        vault,
        "--identity",
        identity,
        "code",
        "github",
        "--vault",
        "/nonexistent/v.age",
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("/nonexistent/v.age"),
        "{}",
        stderr(&out)
    );
    // A flag after the command beats the environment; the environment fills in the rest.
    let out = env
        .bare_cmd()
        .env("OTP_VAULT", "/nonexistent/v.age")
        .env("OTP_IDENTITY_FILE", identity)
        .args(["code", "github", &at, "--vault", vault])
        .output()
        .expect("run otp");
    assert_eq!(stdout(&out), expected, "{}", stderr(&out));
    // Subcommands of subcommands take them too.
    let recipient = code(&["--vault", vault, "--identity", identity, "key", "recipient"]);
    assert!(recipient.starts_with("age1"), "{recipient}");
    assert_eq!(
        code(&["key", "recipient", "--vault", vault, "--identity", identity]),
        recipient
    );
    assert_eq!(
        code(&["key", "--identity", identity, "recipient", "--vault", vault]),
        recipient
    );
    // Given twice on one side, it is a usage error.
    let out = run(&["code", "github", "--vault", vault, "--vault", vault]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
}
