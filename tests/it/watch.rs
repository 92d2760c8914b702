//! `otp watch` in a real terminal: the binary runs inside a detached tmux session
//! of 100×30 and the test reads the screen with `capture-pane` and types with `send-keys`.
//! Covered: codes (checked against the library), countdowns and HOTP rows appear; the view
//! changes across a period boundary (a 2-s entry); colours follow `NO_COLOR`; a resize
//! redraws to fit; `q`, Esc and Ctrl-C leave with the terminal restored (normal screen, cursor
//! shown, the `stty` settings of before); QUERY filters and a missing match exits 3; a stdout
//! that is not a terminal is refused with exit 2; `otp` ends when its terminal goes away even
//! with SIGHUP ignored; SIGTERM leaves with the terminal restored.
//!
//! Each test starts its own tmux server on a socket inside its temporary world, so tests do
//! not see each other, and kills it when done. Codes come from the wall clock here, so every
//! check accepts the code of any second from just before to just after the screen was read.

use crate::common;

use common::tmux::{PATIENCE, Tmux};
use common::{GITHUB, GOOGLE, TestEnv, entry, require_tool, stderr, stdout, unix_now};
use std::process::Command;
use std::time::{Duration, Instant};

/// A 2-s entry: its code changes every other second.
const FAST: &str = "otpauth://totp/Fast:tick?secret=GEZDGNBVGY3TQOJQ&period=2";
const HOTP: &str = "otpauth://hotp/Bank:me?secret=JBSWY3DPEHPK3PXP&counter=3";
/// `otp watch ARGS` in a 100×30 terminal, with the world's environment plus `extra`
/// (`NAME=value`).
fn watch(env: &TestEnv, args: &[&str], extra: &[(&str, &str)]) -> Tmux {
    watch_after(env, args, extra, "")
}

/// [`watch`], with `prelude` run by the wrapper shell first.
fn watch_after(env: &TestEnv, args: &[&str], extra: &[(&str, &str)], prelude: &str) -> Tmux {
    let mut session = Tmux::session(env).size(100, 30).colour().prelude(prelude);
    for (name, value) in extra {
        session = session.var(name, value);
    }
    let mut argv = vec!["watch"];
    argv.extend_from_slice(args);
    session.start(&argv)
}

/// Waits for the first frame of the live view.
fn wait_for_view(tmux: &Tmux) -> String {
    tmux.wait_for("the watch view", |s| s.contains("otp watch ·"))
}

/// The screen line of the row whose issuer is `issuer`.
fn row<'a>(screen: &'a str, issuer: &str) -> &'a str {
    screen
        .lines()
        .find(|l| l.contains(&format!("  {issuer}  ")))
        .unwrap_or_else(|| panic!("no {issuer} row on the screen:\n{screen}"))
}

/// The code at the start of a row (`123 456  Issuer  account  ███░░ 12s`).
fn code_of(row: &str) -> &str {
    row.split("  ").next().expect("a code")
}

/// The seconds left at the end of a row.
fn seconds_of(row: &str) -> u32 {
    let last = row.split_whitespace().last().expect("seconds");
    last.strip_suffix('s')
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no seconds at the end of {row:?}"))
}

/// Reads the screen and checks the row of `uri` (whose issuer is `issuer`) against the code
/// and seconds left of some moment while it was read. Returns the code.
fn check_row(tmux: &Tmux, uri: &str, issuer: &str) -> String {
    let e = entry(uri);
    // The view redraws just after each second: the screen may still show the one before.
    let before = unix_now() - 1;
    let screen = tmux.screen();
    let after = unix_now();
    let line = row(&screen, issuer);
    let code = code_of(line);
    let left = seconds_of(line);
    assert!(
        (before..=after)
            .any(|t| e.code_at(t).grouped() == code && e.window_at(t).remaining == left),
        "{issuer}: {code:?} with {left}s left is not the code of any second in {before}..={after}:\n{screen}"
    );
    assert!(
        line.contains('█') || line.contains('░'),
        "no countdown bar: {line:?}"
    );
    code.to_string()
}

#[test]
fn codes_countdowns_and_hotp_rows_appear() {
    if !require_tool("tmux") {
        return;
    }
    let env = TestEnv::new();
    env.add(&[GITHUB, GOOGLE, HOTP]);
    let tmux = watch(&env, &[], &[("NO_COLOR", "1")]);
    let screen = wait_for_view(&tmux);
    assert!(screen.contains("3 codes"), "{screen}");
    assert_eq!(
        tmux.pane("#{alternate_on}"),
        "1",
        "not on the alternate screen"
    );
    assert_eq!(tmux.pane("#{cursor_flag}"), "0", "the cursor is not hidden");

    check_row(&tmux, GITHUB, "GitHub");
    check_row(&tmux, GOOGLE, "Google");
    let github = row(&screen, "GitHub");
    assert!(github.contains("alice@example.com"), "{github:?}");

    // A HOTP row names the command that gives its code, and showing it spends nothing.
    let bank = row(&screen, "Bank");
    assert!(bank.starts_with("hotp "), "{bank:?}");
    assert!(bank.contains("`otp code "), "{bank:?}");
    assert!(!bank.contains('█') && !bank.contains('░'), "{bank:?}");
    let list = stdout(&env.run(&["list", "--json"]));
    assert!(
        list.contains(r#""counter":3"#),
        "HOTP counter moved: {list}"
    );

    // Rows are sorted by issuer, the way `otp list` sorts them.
    let order: Vec<usize> = ["Bank", "GitHub", "Google"]
        .iter()
        .map(|i| screen.find(&format!("  {i}  ")).expect("row"))
        .collect();
    assert!(order.is_sorted(), "{screen}");
}

#[test]
fn the_view_changes_across_a_period_boundary() {
    if !require_tool("tmux") {
        return;
    }
    let env = TestEnv::new();
    env.add(&[FAST]);
    let tmux = watch(&env, &[], &[("NO_COLOR", "1")]);
    wait_for_view(&tmux);
    let first = check_row(&tmux, FAST, "Fast");
    // A 2-s period: a new code within about two seconds, without any key pressed.
    tmux.wait_for("a new code", |s| code_of(row(s, "Fast")) != first);
    let second = check_row(&tmux, FAST, "Fast");
    assert_ne!(first, second);
}

#[test]
fn colours_follow_no_color() {
    if !require_tool("tmux") {
        return;
    }
    let env = TestEnv::new();
    env.add(&[FAST]);
    // A 2-s entry always has fewer than 5 s left: its code, bar and seconds are red.
    let coloured = watch(&env, &[], &[]);
    wait_for_view(&coloured);
    let screen = coloured.screen_with_escapes();
    let fast = screen.lines().find(|l| l.contains("Fast")).expect("row");
    assert!(fast.contains("\x1b[31m"), "no red in {fast:?}");
    drop(coloured);

    let plain = watch(&env, &[], &[("NO_COLOR", "1")]);
    wait_for_view(&plain);
    let screen = plain.screen_with_escapes();
    assert!(
        !screen.contains("\x1b["),
        "colour despite NO_COLOR: {screen:?}"
    );
    drop(plain);

    let forced = watch(&env, &["--color", "always"], &[("NO_COLOR", "1")]);
    wait_for_view(&forced);
    assert!(forced.screen_with_escapes().contains("\x1b[31m"));
}

#[test]
fn a_resize_redraws_to_fit() {
    if !require_tool("tmux") {
        return;
    }
    let env = TestEnv::new();
    let long = format!(
        "otpauth://totp/{}:{}?secret=JBSWY3DPEHPK3PXP",
        "Issuer".repeat(5),
        "account".repeat(5)
    );
    env.add(&[&long]);
    let tmux = watch(&env, &[], &[("NO_COLOR", "1")]);
    let wide = wait_for_view(&tmux);
    assert!(wide.contains(&"account".repeat(5)), "{wide}");

    tmux.run(&["resize-window", "-t", "otp", "-x", "50", "-y", "20"]);
    let narrow = tmux.wait_for("a redraw at 50 columns", |s| s.contains('…'));
    for line in narrow.lines() {
        assert!(line.chars().count() <= 50, "{line:?} is wider than 50");
    }
    let line = narrow
        .lines()
        .find(|l| l.contains("IssuerIss"))
        .expect("row");
    let code = code_of(line);
    let e = entry(&long);
    let now = unix_now();
    assert!(
        (now - 2..=now).any(|t| e.code_at(t).grouped() == code),
        "{line:?}"
    );
    assert!(
        line.ends_with('s'),
        "the seconds left are cut off: {line:?}"
    );
}

/// Leaves with `key` and checks that the terminal is as it was.
fn leaves_with(key: &str) {
    if !require_tool("tmux") {
        return;
    }
    let env = TestEnv::new();
    env.add(&[GITHUB]);
    let tmux = watch(&env, &[], &[("NO_COLOR", "1")]);
    wait_for_view(&tmux);
    tmux.keys(key, false);
    let screen = tmux.wait_for_exit();
    assert!(screen.contains("otp exited 0"), "{screen}");
    assert!(
        !screen.contains("otp watch ·"),
        "the view is still shown:\n{screen}"
    );
    assert_eq!(
        tmux.pane("#{alternate_on}"),
        "0",
        "still on the alternate screen"
    );
    assert_eq!(
        tmux.pane("#{cursor_flag}"),
        "1",
        "the cursor is still hidden"
    );
    tmux.stty_unchanged();
}

#[test]
fn q_leaves_and_restores_the_terminal() {
    leaves_with("q");
}

#[test]
fn escape_leaves_and_restores_the_terminal() {
    leaves_with("Escape");
}

#[test]
fn ctrl_c_leaves_and_restores_the_terminal() {
    leaves_with("C-c");
}

#[test]
fn query_narrows_the_view_and_no_match_exits_3() {
    if !require_tool("tmux") {
        return;
    }
    let env = TestEnv::new();
    env.add(&[GITHUB, GOOGLE]);
    let tmux = watch(&env, &["goo"], &[("NO_COLOR", "1")]);
    let screen = wait_for_view(&tmux);
    assert!(screen.contains("1 code ·"), "{screen}");
    assert!(!screen.contains("GitHub"), "{screen}");
    check_row(&tmux, GOOGLE, "Google");
    tmux.keys("q", false);
    drop(tmux);

    let tmux = watch(&env, &["nothing"], &[("NO_COLOR", "1")]);
    let screen = tmux.wait_for("otp to exit", |s| s.contains("otp exited"));
    assert!(screen.contains("otp exited 3"), "{screen}");
    assert!(screen.contains("no entry matches"), "{screen}");
    assert_eq!(tmux.pane("#{alternate_on}"), "0");
}

#[test]
fn refuses_when_stdout_is_not_a_terminal() {
    let env = TestEnv::new();
    env.add(&[GITHUB]);
    let out = env.run(&["watch"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(out.stdout.is_empty(), "{}", stdout(&out));
    let err = stderr(&out);
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 2, "the error and its hint: {err}");
    assert!(
        lines[0].starts_with("otp: ") && lines[0].contains("terminal"),
        "{err}"
    );
    assert!(lines[1].starts_with("hint: "), "{err}");
}

#[test]
fn sigterm_restores_the_terminal() {
    if !require_tool("tmux") {
        return;
    }
    let env = TestEnv::new();
    env.add(&[GITHUB]);
    let tmux = watch(&env, &[], &[("NO_COLOR", "1")]);
    wait_for_view(&tmux);
    let otp = tmux.otp_pid();
    let kill = Command::new("kill")
        .args(["-TERM", &otp])
        .status()
        .expect("run kill");
    assert!(kill.success());
    let screen = tmux.wait_for_exit();
    assert!(
        !screen.contains("otp watch ·"),
        "the view is still shown:\n{screen}"
    );
    assert_eq!(
        tmux.pane("#{alternate_on}"),
        "0",
        "still on the alternate screen"
    );
    assert_eq!(
        tmux.pane("#{cursor_flag}"),
        "1",
        "the cursor is still hidden"
    );
    tmux.stty_unchanged();
}

#[test]
fn ends_when_its_terminal_goes_away() {
    if !require_tool("tmux") {
        return;
    }
    let env = TestEnv::new();
    env.add(&[GITHUB]);
    // SIGHUP ignored, as under `nohup`: only `otp` itself can notice the terminal is gone.
    let tmux = watch_after(&env, &[], &[("NO_COLOR", "1")], "trap '' HUP");
    wait_for_view(&tmux);
    let otp = tmux.otp_pid();
    drop(tmux);
    let start = Instant::now();
    while std::path::Path::new(&format!("/proc/{otp}")).exists() {
        let state = std::fs::read_to_string(format!("/proc/{otp}/stat")).unwrap_or_default();
        if state.contains(") Z ") {
            break; // exited; its parent (the wrapper) is gone, init reaps it
        }
        if start.elapsed() > PATIENCE {
            // Don't leave it spinning: it would burn a CPU for good.
            let _ = Command::new("kill").args(["-KILL", &otp]).status();
            panic!("otp watch is still running without its terminal");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}
