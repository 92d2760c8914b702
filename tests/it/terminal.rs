//! Human output on a terminal, plain output in a pipe (docs/CONTRACT.md, "Output"):
//! `otp code` and `otp list --codes` run under a real pty (util-linux `script`) show grouped
//! codes, names, a countdown bar and the seconds left, coloured unless `NO_COLOR` or
//! `--color never`; the same commands piped print exactly the code and a newline, or
//! tab-separated lines, with no colour even under `--color always`; `code --wait` counts down
//! on stderr only when stderr is a terminal.
//!
//! `code` runs at the fixed `common::AT`; `list --codes` and `--wait` use the wall clock, and
//! their checks accept any second from just before to just after the run.

use crate::common;

use common::{
    AT, GITHUB, GOOGLE, TestEnv, entry, otp_line, require_tool, stderr, stdout, unix_now,
};
use std::process::{Command, Output};

/// `oathtool --totp -b JBSWY3DPEHPK3PXP -N @1700000000 -w 1`: GITHUB's code at AT and next.
const GITHUB_AT: &str = "324550";
const GITHUB_NEXT: &str = "367665";
/// A 1-s entry: `--wait 2` always has to wait for it.
const EVERY_SECOND: &str = "otpauth://totp/Tick:tock?secret=GEZDGNBVGY3TQOJQ&period=1";

/// A command in the world's environment (as `TestEnv::cmd` sets it up), colour allowed
/// unless `no_color`.
fn in_world(env: &TestEnv, program: &str, no_color: bool) -> Command {
    let mut cmd = env.std_cmd(program);
    if !no_color {
        cmd.env_remove("NO_COLOR");
    }
    cmd
}

/// Runs `otp ARGS` with stdout and stderr on a pty; returns what the terminal received, with
/// the pty's `\r\n` turned back into `\n`.
fn on_pty(env: &TestEnv, args: &[&str], no_color: bool) -> String {
    let out = in_world(env, "script", no_color)
        .args(["-qec", &otp_line(args), "/dev/null"])
        .output()
        .expect("run script");
    assert!(
        out.status.success(),
        "otp {args:?} on a pty failed ({:?}): {}{}",
        out.status.code(),
        stdout(&out),
        stderr(&out)
    );
    stdout(&out).replace("\r\n", "\n")
}

/// Runs `otp ARGS` with stdout and stderr piped.
fn piped(env: &TestEnv, args: &[&str], no_color: bool) -> Output {
    let out = in_world(env, env!("CARGO_BIN_EXE_otp"), no_color)
        .args(args)
        .output()
        .expect("run otp");
    assert!(out.status.success(), "otp {args:?}: {}", stderr(&out));
    out
}

fn world() -> TestEnv {
    let env = TestEnv::new();
    env.add(&[GITHUB, GOOGLE]);
    env
}

#[test]
fn code_on_a_terminal_is_laid_out_for_people() {
    if !require_tool("script") {
        return;
    }
    let env = world();
    // AT is 20 s into its 30-s period: 10 s left, a third of the 20-cell bar (rounded up).
    let out = on_pty(&env, &["code", "github", &format!("--at={AT}")], true);
    let bar = format!("{}{}", "█".repeat(7), "░".repeat(13));
    assert_eq!(
        out,
        format!("324 550  GitHub  alice@example.com  {bar} 10s\n"),
        "{out:?}"
    );

    // Five seconds or fewer left: the next code is shown as well.
    let out = on_pty(&env, &["code", "github", &format!("--at={}", AT + 6)], true);
    assert!(out.starts_with("324 550  GitHub"), "{out:?}");
    assert!(out.contains("  4s"), "{out:?}");
    assert!(out.trim_end().ends_with("next 367 665"), "{out:?}");
}

#[test]
fn colours_on_a_terminal_follow_no_color_and_the_flag() {
    if !require_tool("script") {
        return;
    }
    let env = world();
    let at = format!("--at={AT}");
    let late = format!("--at={}", AT + 6);
    // Green with time to spare, red in the last five seconds.
    let calm = on_pty(&env, &["code", "github", &at], false);
    assert!(calm.contains("\x1b[1;32m"), "{calm:?}");
    assert!(!calm.contains("\x1b[1;31m"), "{calm:?}");
    let urgent = on_pty(&env, &["code", "github", &late], false);
    assert!(urgent.contains("\x1b[1;31m"), "{urgent:?}");

    for (args, no_color) in [
        (vec!["code", "github", &at], true),
        (vec!["--color", "never", "code", "github", &at], false),
        (vec!["list", "--codes"], true),
        (vec!["--color=never", "list", "--codes"], false),
    ] {
        let out = on_pty(&env, &args, no_color);
        assert!(!out.contains('\x1b'), "{args:?}: {out:?}");
    }
    let forced = on_pty(&env, &["--color", "always", "code", "github", &at], true);
    assert!(forced.contains("\x1b[1;32m"), "{forced:?}");
}

#[test]
fn list_codes_on_a_terminal_is_a_table() {
    if !require_tool("script") {
        return;
    }
    let env = world();
    let before = unix_now();
    let out = on_pty(&env, &["list", "--codes"], true);
    let after = unix_now();
    let mut lines = out.lines();
    let header: Vec<&str> = lines.next().expect("header").split_whitespace().collect();
    assert!(
        header.starts_with(&["ISSUER", "ACCOUNT", "TYPE", "ID", "CODE", "LEFT"]),
        "{out}"
    );
    for (uri, issuer, account) in [
        (GITHUB, "GitHub", "alice@example.com"),
        (GOOGLE, "Google", "alice@gmail.com"),
    ] {
        let line = lines
            .clone()
            .find(|l| l.starts_with(issuer))
            .unwrap_or_else(|| panic!("no {issuer} row:\n{out}"));
        let cells: Vec<&str> = line.split_whitespace().collect();
        assert_eq!(cells[1], account, "{line:?}");
        assert_eq!(cells[2], "totp/SHA1/6/30s", "{line:?}");
        // The code is grouped: two cells, `123 456`.
        let code = format!("{} {}", cells[4], cells[5]);
        let left: u32 = cells[6]
            .strip_suffix('s')
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("no seconds left in {line:?}"));
        let e = entry(uri);
        assert!(
            (before..=after)
                .any(|t| e.code_at(t).grouped() == code && e.window_at(t).remaining == left),
            "{issuer}: {code} with {left}s left is not the code of {before}..={after}"
        );
    }
}

#[test]
fn piped_output_is_plain() {
    let env = world();
    let at = format!("--at={AT}");
    for args in [
        vec!["code", "github", &at],
        vec!["--color", "always", "code", "github", &at],
    ] {
        let out = piped(&env, &args, false);
        assert_eq!(stdout(&out), format!("{GITHUB_AT}\n"), "{args:?}");
        assert!(out.stderr.is_empty(), "{args:?}: {}", stderr(&out));
    }
    let next = piped(&env, &["code", "github", &at, "--next"], false);
    assert_eq!(stdout(&next), format!("{GITHUB_NEXT}\n"));

    for args in [
        vec!["list", "--codes"],
        vec!["--color=always", "list", "--codes"],
    ] {
        let before = unix_now();
        let out = stdout(&piped(&env, &args, false));
        let after = unix_now();
        assert!(!out.contains('\x1b'), "{args:?}: {out:?}");
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), 2, "no header, one line per entry: {out:?}");
        for (line, uri, issuer, account) in [
            (lines[0], GITHUB, "GitHub", "alice@example.com"),
            (lines[1], GOOGLE, "Google", "alice@gmail.com"),
        ] {
            // issuer, account, type, algorithm, digits, period, id, code, seconds left, …
            let fields: Vec<&str> = line.split('\t').collect();
            assert!(fields.len() >= 9, "{line:?}");
            assert_eq!(
                fields[..6],
                [issuer, account, "totp", "SHA1", "6", "30"],
                "{line:?}"
            );
            let (code, left) = (fields[7], fields[8]);
            let e = entry(uri);
            assert!(
                (before..=after).any(|t| e.code_at(t).as_str() == code
                    && e.window_at(t).remaining.to_string() == left),
                "{issuer}: {code} with {left} s left is not the code of {before}..={after}"
            );
        }
    }
}

#[test]
fn wait_counts_down_on_a_terminal_only() {
    let env = TestEnv::new();
    env.add(&[EVERY_SECOND]);
    // Piped: the code alone on stdout, and nothing on stderr while waiting.
    let out = piped(&env, &["code", "tick", "--wait=2"], true);
    assert_eq!(stdout(&out).trim_end().len(), 6, "{}", stdout(&out));
    assert!(out.stderr.is_empty(), "{}", stderr(&out));

    if !require_tool("script") {
        return;
    }
    let out = on_pty(&env, &["code", "tick", "--wait=2"], true);
    let mut lines = out.lines();
    let notice = lines.next().expect("a notice");
    assert!(
        notice.starts_with("waiting ") && notice.contains("fresh code"),
        "{out:?}"
    );
    assert!(lines.next().expect("the code").contains("Tick"), "{out:?}");
}
