//! Vaults made or changed by hand with Debian's `age`: an ASCII-armored vault (`age -a`) opens
//! with otp, and the next change writes it back as binary age, which `age -d` still opens; a
//! document that is not valid is refused by `otp code`, never turned into a code.

use crate::common;

use common::{AT, GITHUB, GOOGLE, TestEnv, require_tool, stderr, stdout};
use std::path::Path;
use std::process::{Command, Stdio};

/// Runs Debian's `age` with `args`, `input` on stdin: its stdout, asserting success.
fn age(args: &[&str], input: &[u8]) -> Vec<u8> {
    let mut child = Command::new("age")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run age");
    let mut stdin = child.stdin.take().expect("age stdin");
    std::io::Write::write_all(&mut stdin, input).expect("write to age");
    drop(stdin);
    let out = child.wait_with_output().expect("wait for age");
    assert!(out.status.success(), "age {args:?}: {}", stderr(&out));
    out.stdout
}

fn path(p: &Path) -> &str {
    p.to_str().expect("UTF-8 temp path")
}

#[test]
fn an_armored_vault_opens_and_is_written_back_binary() {
    if !require_tool("age") {
        return;
    }
    let env = TestEnv::new();
    env.add(&[GITHUB]);
    let at = AT.to_string();
    let code = stdout(&env.run(&["code", "github", "--at", &at]));
    assert_eq!(code.trim().len(), 6, "{code:?}");

    // Re-encrypted by hand, armored, to the same identity.
    let identity = path(&env.identity);
    let json = age(&["-d", "-i", identity, path(&env.vault)], b"");
    let armored = age(&["-e", "-a", "-i", identity], &json);
    assert!(armored.starts_with(b"-----BEGIN AGE ENCRYPTED FILE-----\n"));
    std::fs::write(&env.vault, &armored).expect("write armored vault");

    let out = env.run(&["code", "github", "--at", &at]);
    assert!(out.status.success(), "otp code: {}", stderr(&out));
    assert_eq!(stdout(&out), code, "the same code from the armored vault");
    let out = env.run(&["list"]);
    assert!(out.status.success(), "otp list: {}", stderr(&out));
    assert!(stdout(&out).contains("GitHub"), "{}", stdout(&out));
    assert_eq!(env.vault_bytes(), armored, "reading changed nothing");

    // A change writes binary age; the armored file is kept, byte for byte, as the backup.
    env.add(&[GOOGLE]);
    let written = env.vault_bytes();
    assert!(
        written.starts_with(b"age-encryption.org/v1\n"),
        "binary age"
    );
    let backup = std::fs::read(env.vault.with_file_name("vault.age.bak")).expect("backup");
    assert_eq!(backup, armored);
    let doc: serde_json::Value =
        serde_json::from_slice(&age(&["-d", "-i", identity, path(&env.vault)], b""))
            .expect("vault JSON");
    let issuers: Vec<&str> = doc["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .map(|e| e["issuer"].as_str().expect("issuer"))
        .collect();
    assert_eq!(issuers, ["GitHub", "Google"]);
    let out = env.run(&["code", "github", "--at", &at]);
    assert_eq!(stdout(&out), code);
}

#[test]
fn a_damaged_armored_vault_is_refused() {
    if !require_tool("age") {
        return;
    }
    let env = TestEnv::new();
    env.add(&[GITHUB]);
    let identity = path(&env.identity);
    let json = age(&["-d", "-i", identity, path(&env.vault)], b"");
    let armored = String::from_utf8(age(&["-e", "-a", "-i", identity], &json)).expect("armor");
    // The last base64 line before the end marker loses its last four characters: the
    // payload's final chunk is cut short.
    let mut lines: Vec<String> = armored.lines().map(str::to_string).collect();
    let last_data = lines.len() - 2;
    let cut = lines[last_data].len() - 4;
    lines[last_data].truncate(cut);
    let damaged = lines.join("\n") + "\n";
    std::fs::write(&env.vault, &damaged).expect("write damaged vault");

    let out = env.run(&["code", "github", "--at", &AT.to_string()]);
    assert_eq!(out.status.code(), Some(5), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.starts_with("otp: cannot unlock vault "), "{err}");
    assert!(err.contains("truncated or has been tampered with"), "{err}");
    assert!(out.stdout.is_empty());
    assert_eq!(
        env.vault_bytes(),
        damaged.as_bytes(),
        "nothing changed on disk"
    );
}

/// A vault whose document serde refuses (made by hand with Debian's `age`) is refused by
/// `otp code` too, with the vault named, and never yields a code.
#[test]
fn a_document_serde_refuses_gives_no_code() {
    if !require_tool("age") {
        return;
    }
    let env = TestEnv::new();
    env.add(&[GITHUB]);
    let identity = path(&env.identity);
    let good =
        String::from_utf8(age(&["-d", "-i", identity, path(&env.vault)], b"")).expect("JSON");
    assert!(good.contains(r#""secret":""#), "{good}");
    let bad = [
        // Cut short: not JSON.
        good[..good.len() - 2].to_string(),
        // Not JSON: a key without its opening quote.
        good.replacen(r#""account":"#, r#"account":"#, 1),
        // A repeated key in the chosen entry: the second secret would win.
        good.replacen(
            r#""secret":"#,
            r#""secret":"AAAAAAAAAAAAAAAA","secret":"#,
            1,
        ),
        // A repeated name.
        good.replacen(r#""issuer":"#, r#""issuer":"Other","issuer":"#, 1),
        // A lone surrogate in a name the query reads.
        good.replacen(r#""issuer":""#, r#""issuer":"\ud800"#, 1),
    ];
    for document in bad {
        assert_ne!(document, good);
        let armored = age(&["-e", "-a", "-i", identity], document.as_bytes());
        std::fs::write(&env.vault, &armored).expect("write vault");
        let out = env.run(&["code", "github", "--at", &AT.to_string()]);
        let err = stderr(&out);
        assert!(!out.status.success(), "{document}");
        assert!(out.stdout.is_empty(), "{document}: {}", stdout(&out));
        assert!(
            err.starts_with("otp: cannot read vault "),
            "{document}: {err}"
        );
        assert!(err.contains("not valid"), "{document}: {err}");
    }
}
