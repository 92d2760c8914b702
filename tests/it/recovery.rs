//! `otp recovery QUERY add|list|use|clear` end to end:
//! adding from arguments, stdin and a pasted terminal session, with blanks skipped and
//! duplicates noted; plain `list` lines (`used <RFC 3339 time>`), `--json`, and the terminal
//! view with used codes struck through (SGR 9, on a pseudo-terminal via util-linux `script`);
//! `use` of the first unused and of a named code, and the warning when the last one goes;
//! `clear` with `--yes` or a terminal answer; the count of unused codes in `otp list`; and the
//! errors (exit codes, vault untouched, never a code in stderr).
//!
//! `use` stamps codes with the wall clock, so the times checked here are bracketed by the
//! clock read before and after the command.

use crate::common;

use common::{GITHUB, GOOGLE, TestEnv, otp_line, stderr, stdout, unix_now};
use serde_json::Value;
use std::io::Write;
use std::process::Stdio;

const CODES: [&str; 3] = ["abcd-1234", "efgh-5678", "ijkl-9012"];

/// Runs `otp ARGS` with stdin, asserting the exit code and an empty stdout; returns stderr,
/// after checking that it names no recovery code.
fn fails(env: &TestEnv, args: &[&str], stdin: &str, exit: i32) -> String {
    let out = env.run_with_stdin(args, stdin);
    assert_eq!(
        out.status.code(),
        Some(exit),
        "otp {args:?}: {}",
        stderr(&out)
    );
    assert!(out.stdout.is_empty(), "{}", stdout(&out));
    let err = stderr(&out);
    assert!(err.starts_with("otp: "), "{err}");
    for code in CODES.iter().chain(&["zz-secret-zz"]) {
        assert!(!err.contains(code), "a recovery code in an error: {err}");
    }
    err
}

/// GitHub holding the three CODES (added from stdin), and Google holding none.
fn world() -> TestEnv {
    let env = TestEnv::new();
    env.add(&[GITHUB, GOOGLE]);
    let out = env.run_with_stdin(
        &["recovery", "github", "add", "-"],
        &format!("{}\n{}\n{}\n", CODES[0], CODES[1], CODES[2]),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    env
}

fn parse_time(text: &str) -> i64 {
    text.parse::<jiff::Timestamp>()
        .unwrap_or_else(|e| panic!("not RFC 3339 ({e}): {text:?}"))
        .as_second()
}

fn recovery_json(env: &TestEnv, query: &str) -> Vec<Value> {
    let text = env.ok(&["recovery", query, "list", "--json"]);
    match serde_json::from_str(&text).unwrap() {
        Value::Array(a) => a,
        other => panic!("not an array: {other}"),
    }
}

/// `otp list --json`'s recovery fields of the entry with this issuer.
fn left_and_total(env: &TestEnv, issuer: &str) -> (Value, Value) {
    let Value::Array(list) = serde_json::from_str(&env.ok(&["list", "--json"])).unwrap() else {
        panic!("list --json is not an array");
    };
    let e = list.into_iter().find(|e| e["issuer"] == issuer).unwrap();
    (e["recovery_left"].clone(), e["recovery_total"].clone())
}

/// Runs `otp ARGS` on a pseudo-terminal with `input` typed in; returns what it showed.
fn on_terminal(env: &TestEnv, args: &[&str], input: &str, color: bool) -> String {
    let line = otp_line(args);
    let mut cmd = env.on_pty(&line);
    cmd.stdin(Stdio::piped()).stdout(Stdio::piped());
    if color {
        cmd.env_remove("NO_COLOR");
    }
    let mut child = cmd.spawn().expect("run script");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let screen = stdout(&out).replace("\r\n", "\n");
    assert!(out.status.success(), "{line}: {screen}");
    screen
}

#[test]
fn codes_are_added_from_arguments_and_stdin_once_each() {
    let env = world();
    assert_eq!(
        env.ok(&["recovery", "github", "list"]),
        CODES.join("\n") + "\n"
    );

    // Blank lines and spaces are ignored; another spelling of a stored code is a duplicate.
    let out = env.run_with_stdin(
        &["recovery", "github", "add"],
        "\n  mnop-3456  \n\nABCD 1234\n",
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "Added 1 recovery code to GitHub:alice@example.com (4 unused).\n"
    );
    assert!(
        stderr(&out).contains("1 of the codes was already stored"),
        "{}",
        stderr(&out)
    );
    assert!(!stderr(&out).contains("abcd"), "no code in notices");

    let said = env.ok(&["recovery", "github", "add", "qrst-7890", "uvwx-1234"]);
    assert!(said.starts_with("Added 2 recovery codes"), "{said}");
    assert_eq!(
        env.ok(&["recovery", "github", "list"])
            .lines()
            .collect::<Vec<_>>(),
        [
            CODES[0],
            CODES[1],
            CODES[2],
            "mnop-3456",
            "qrst-7890",
            "uvwx-1234"
        ]
    );

    // All duplicates: the vault is untouched (no new backup either).
    let before = env.vault_bytes();
    let out = env.run_with_stdin(&["recovery", "github", "add", "-"], "EFGH-5678\n");
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("nothing changed"), "{}", stdout(&out));
    assert_eq!(env.vault_bytes(), before);
}

#[test]
fn use_hands_out_the_first_unused_code_and_list_marks_it() {
    let env = world();
    let t0 = unix_now();
    assert_eq!(
        env.ok(&["recovery", "github", "use"]),
        format!("{}\n", CODES[0])
    );
    let t1 = unix_now();
    assert_eq!(
        env.ok(&["recovery", "github", "use"]),
        format!("{}\n", CODES[1])
    );

    let plain = env.ok(&["recovery", "github", "list"]);
    let lines: Vec<&str> = plain.lines().collect();
    assert_eq!(lines.len(), 3, "{plain}");
    for (line, code) in lines[..2].iter().zip(CODES) {
        let (shown, used) = line
            .split_once('\t')
            .expect("a used code has a second field");
        assert_eq!(shown, code);
        let when = parse_time(used.strip_prefix("used ").expect("`used <time>`"));
        assert!((t0..=t1 + 2).contains(&when), "{when} not in {t0}..{t1}");
    }
    assert_eq!(lines[2], CODES[2], "an unused code is just the code");

    let json = recovery_json(&env, "github");
    assert_eq!(json.len(), 3);
    assert_eq!(json[0]["code"], CODES[0]);
    assert!((t0..=t1 + 2).contains(&parse_time(json[0]["used"].as_str().unwrap())));
    assert_eq!(json[2]["used"], Value::Null);
    assert_eq!(left_and_total(&env, "GitHub"), (1.into(), 3.into()));
}

#[test]
fn a_named_code_is_used_whatever_its_spelling_but_only_once() {
    let env = world();
    let out = env.run(&["recovery", "github", "use", "IJKL 9012"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), format!("{}\n", CODES[2]), "printed as stored");
    assert!(stderr(&out).is_empty(), "no warning yet: {}", stderr(&out));

    let before = env.vault_bytes();
    let err = fails(&env, &["recovery", "github", "use", CODES[2]], "", 1);
    assert!(err.contains("already used on "), "{err}");
    let err = fails(&env, &["recovery", "github", "use", "zz-secret-zz"], "", 1);
    assert!(err.contains("not one of the recovery codes"), "{err}");
    assert_eq!(env.vault_bytes(), before, "failed uses change nothing");
    // The first unused one is still the first.
    assert_eq!(
        env.ok(&["recovery", "github", "use"]),
        format!("{}\n", CODES[0])
    );
}

#[test]
fn using_the_last_code_warns_that_none_are_left() {
    let env = world();
    for code in &CODES[..2] {
        let out = env.run(&["recovery", "github", "use", code]);
        assert!(out.status.success());
        assert!(!stderr(&out).contains("last"), "{}", stderr(&out));
    }
    let out = env.run(&["recovery", "github", "use"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), format!("{}\n", CODES[2]));
    let warning = stderr(&out);
    assert!(
        warning.contains("last recovery code of GitHub:alice@example.com"),
        "{warning}"
    );
    assert!(warning.contains("none are left"), "{warning}");
    assert!(
        warning.contains("from the service"),
        "how to get new ones: {warning}"
    );
    assert!(!warning.contains(CODES[2]), "{warning}");
    assert_eq!(left_and_total(&env, "GitHub"), (0.into(), 3.into()));

    let err = fails(&env, &["recovery", "github", "use"], "", 1);
    assert!(err.contains("every recovery code"), "{err}");
    let err = fails(&env, &["recovery", "google", "use"], "", 1);
    assert!(err.contains("no recovery codes"), "{err}");
}

#[test]
fn otp_list_shows_the_unused_count_last() {
    let env = world();
    env.ok(&["recovery", "github", "use"]);
    assert_eq!(left_and_total(&env, "GitHub"), (2.into(), 3.into()));
    assert_eq!(left_and_total(&env, "Google"), (0.into(), 0.into()));
    let plain = env.ok(&["list"]);
    let rows: Vec<Vec<&str>> = plain.lines().map(|l| l.split('\t').collect()).collect();
    assert_eq!(rows[0][..2], ["GitHub", "alice@example.com"]);
    assert_eq!(rows[0].len(), 8, "{plain}");
    assert_eq!((rows[0][7], rows[1][7]), ("2", "0"), "{plain}");
    let with_codes = env.ok(&["list", "--codes"]);
    let row: Vec<&str> = with_codes.lines().next().unwrap().split('\t').collect();
    assert_eq!(row.len(), 10, "{with_codes}");
    assert_eq!(row[9], "2", "after the code and its seconds");
    assert!(!plain.contains(CODES[1]), "list never shows the codes");

    if common::require_script() {
        let table = on_terminal(&env, &["list"], "", false);
        let header = table.lines().next().unwrap();
        assert!(header.trim_end().ends_with("RECOVERY"), "{table}");
        let github = table.lines().find(|l| l.starts_with("GitHub")).unwrap();
        assert!(github.trim_end().ends_with("2/3"), "{table}");
        let google = table.lines().find(|l| l.starts_with("Google")).unwrap();
        assert!(google.trim_end().ends_with('-'), "{table}");
    }
}

#[test]
fn on_a_terminal_used_codes_are_struck_through() {
    if !common::require_script() {
        return;
    }
    let env = world();
    let day = |t: i64| {
        jiff::Timestamp::from_second(t)
            .unwrap()
            .strftime("%Y-%m-%d")
            .to_string()
    };
    let before = day(unix_now());
    env.ok(&["recovery", "github", "use"]);

    let screen = on_terminal(&env, &["recovery", "github", "list"], "", true);
    assert!(screen.contains("GitHub:alice@example.com"), "{screen}");
    assert!(screen.contains("2 of 3 unused"), "{screen}");
    let struck = format!("\x1b[9m{}\x1b[0m", CODES[0]);
    let used = screen.lines().find(|l| l.contains(CODES[0])).unwrap();
    assert!(used.contains(&struck), "SGR 9: {screen:?}");
    assert!(used.contains("used 2"), "{used:?}");
    let unused = screen.lines().find(|l| l.contains(CODES[1])).unwrap();
    assert!(!unused.contains('\x1b'), "unused codes plain: {unused:?}");

    // Without colour the words still say it.
    let plain = on_terminal(&env, &["recovery", "github", "list"], "", false);
    assert!(!plain.contains('\x1b'), "{plain:?}");
    let used = plain.lines().find(|l| l.contains(CODES[0])).unwrap();
    let date = used.split("used ").nth(1).expect("used DATE").trim();
    assert!(
        [before, day(unix_now())].contains(&date.to_string()),
        "{used:?}"
    );

    let none = on_terminal(&env, &["recovery", "google", "list"], "", false);
    assert!(none.contains("has no recovery codes"), "{none}");
    assert_eq!(
        env.ok(&["recovery", "google", "list"]),
        "",
        "plain: nothing"
    );
    assert_eq!(recovery_json(&env, "google"), Vec::<Value>::new());
}

#[test]
fn codes_pasted_on_a_terminal_end_with_ctrl_d() {
    if !common::require_script() {
        return;
    }
    let env = TestEnv::new();
    env.add(&[GITHUB]);
    let screen = on_terminal(
        &env,
        &["recovery", "github", "add"],
        "one-1\n\ntwo-2\n\x04",
        false,
    );
    assert!(screen.contains("Ctrl-D"), "said how: {screen}");
    assert!(screen.contains("Added 2 recovery codes"), "{screen}");
    assert_eq!(env.ok(&["recovery", "github", "list"]), "one-1\ntwo-2\n");
}

#[test]
fn clear_asks_on_a_terminal_and_needs_yes_otherwise() {
    let env = world();
    let before = env.vault_bytes();
    let err = fails(&env, &["recovery", "github", "clear"], "y\n", 2);
    assert!(err.contains("--yes"), "{err}");
    assert_eq!(env.vault_bytes(), before);

    if common::require_script() {
        let screen = on_terminal(&env, &["recovery", "github", "clear"], "n\n", false);
        assert!(screen.contains("Remove all 3 recovery codes"), "{screen}");
        assert!(screen.contains("nothing removed"), "{screen}");
        assert_eq!(env.vault_bytes(), before);
        let screen = on_terminal(&env, &["recovery", "github", "clear"], "y\n", false);
        assert!(screen.contains("Removed 3 recovery codes"), "{screen}");
        assert_eq!(recovery_json(&env, "github"), Vec::<Value>::new());
        env.ok(&["recovery", "github", "add", "again-1"]);
    }

    let said = env.ok(&["recovery", "github", "clear", "--yes"]);
    assert!(said.starts_with("Removed "), "{said}");
    assert_eq!(env.ok(&["recovery", "github", "list"]), "");
    assert_eq!(left_and_total(&env, "GitHub"), (0.into(), 0.into()));
    let said = env.ok(&["recovery", "github", "clear", "-y"]);
    assert!(said.contains("nothing changed"), "{said}");
    // The key itself is untouched.
    assert!(env.ok(&["uri", "github"]).contains("JBSWY3DPEHPK3PXP"));
}

#[test]
fn bad_input_is_refused_and_changes_nothing() {
    let env = world();
    let before = env.vault_bytes();
    // No such entry, an ambiguous one (both have "alice").
    fails(&env, &["recovery", "nothing-like-this", "list"], "", 3);
    fails(&env, &["recovery", "alice", "use"], "", 4);
    fails(
        &env,
        &["recovery", "nothing-like-this", "add", "zz-secret-zz"],
        "",
        3,
    );
    // Usage: no action, an unknown one, codes and `-` together, nothing to add.
    fails(&env, &["recovery", "github"], "", 2);
    fails(&env, &["recovery", "github", "burn"], "", 2);
    fails(
        &env,
        &["recovery", "github", "add", "zz-secret-zz", "-"],
        "",
        2,
    );
    let err = fails(&env, &["recovery", "github", "add", "-"], "\n  \n", 2);
    assert!(err.contains("no recovery codes given"), "{err}");
    // A code with a control character: named by its line, not its text.
    let err = fails(
        &env,
        &["recovery", "github", "add", "-"],
        "ok-1\nzz-secret-zz\x1b[2J\n",
        1,
    );
    assert!(err.contains("stdin line 2"), "{err}");
    let err = fails(
        &env,
        &["recovery", "github", "add", &"z".repeat(300)],
        "",
        1,
    );
    assert!(err.contains("at most 256"), "{err}");
    assert_eq!(env.vault_bytes(), before, "nothing was written");

    // A vault that cannot be unlocked: exit 5, as everywhere.
    std::fs::write(
        &env.identity,
        "AGE-SECRET-KEY-1QQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQ\n",
    )
    .unwrap();
    fails(&env, &["recovery", "github", "use"], "", 5);
    assert_eq!(env.vault_bytes(), before);
}
