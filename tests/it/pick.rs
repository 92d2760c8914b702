//! `otp pick` in a real terminal: the binary runs inside a detached tmux session and the test
//! reads the screen with `capture-pane` and types with `send-keys`. Covered: typing filters
//! fuzzily, arrows move the selection and Enter chooses (`--print` writes the code to a
//! redirected stdout while the picker is drawn on the terminal), Enter copies the code to the
//! X clipboard (read back with `xclip`), and Esc leaves with exit 1, no code, and the terminal
//! as it was (the screen of before, the normal screen, the `stty` settings of before).
//! `--menu CMD` with a stub menu script: it gets the names, one a line, and its choice (a name
//! or a query) is acted on; a menu closed without a choice spends nothing. Without a terminal
//! and without `--menu`, pick is refused.
//!
//! SIGTERM leaves as Esc does. Each tmux session is a server of its own on a socket inside the
//! test's temporary world (`common::tmux`).
#![cfg(unix)]

use crate::common;

use common::tmux::{BEFORE, Tmux};
use common::{
    GITHUB, GOOGLE, TestEnv, entry, quote, require_tool, stderr, stdout, unix_now, x_display_turn,
};
use std::path::Path;
use std::process::Command;

const HOTP: &str = "otpauth://hotp/Bank:carol?secret=JBSWY3DPEHPK3PXP&counter=4";

/// Whether `code` is `uri`'s code at some second from `since` to now.
fn is_code_of(uri: &str, code: &str, since: i64) -> bool {
    let e = entry(uri);
    (since - 1..=unix_now()).any(|t| e.code_at(t).as_str() == code)
}

fn world() -> TestEnv {
    let env = TestEnv::new();
    env.add(&[GITHUB, GOOGLE, HOTP]);
    env
}

/// The line of the selected name (marked `▶`).
fn selected(screen: &str) -> &str {
    screen
        .lines()
        .find(|l| l.starts_with('▶'))
        .unwrap_or_else(|| panic!("nothing selected:\n{screen}"))
}

#[test]
fn typing_filters_and_enter_prints_the_chosen_code() {
    if !require_tool("tmux") {
        return;
    }
    let env = world();
    let since = unix_now();
    let tmux = Tmux::otp(&env, &["pick", "--print"], true);
    let screen = tmux.wait_for("the picker", |s| {
        s.contains("3/3") && s.contains("Google:alice@gmail.com")
    });
    assert_eq!(
        tmux.pane("#{alternate_on}"),
        "1",
        "not on the alternate screen"
    );
    // Sorted by name; the first is selected.
    let names: Vec<&str> = screen.lines().skip(2).map(str::trim).collect();
    assert!(
        names[0].ends_with("Bank:carol")
            && names[1].ends_with("GitHub:alice@example.com")
            && names[2].ends_with("Google:alice@gmail.com"),
        "{screen}"
    );
    assert!(selected(&screen).contains("Bank:carol"), "{screen}");

    // Fuzzy: "ggl" is in Google only ("g…g…l"), whatever the case.
    tmux.keys("gGl", true);
    let screen = tmux.wait_for("the filter", |s| s.contains("1/3"));
    assert!(screen.starts_with("> gGl"), "{screen}");
    assert!(
        selected(&screen).contains("Google:alice@gmail.com"),
        "{screen}"
    );
    assert!(!screen.contains("GitHub"), "{screen}");

    tmux.keys("Enter", false);
    let screen = tmux.wait_for_exit();
    assert!(screen.contains("otp exited 0"), "{screen}");
    let out = tmux.out();
    let code = out.strip_suffix('\n').unwrap_or_else(|| panic!("{out:?}"));
    assert!(
        is_code_of(GOOGLE, code, since),
        "{out:?} is not Google's code"
    );
    assert_eq!(
        tmux.pane("#{alternate_on}"),
        "0",
        "still on the alternate screen"
    );
    tmux.stty_unchanged();
}

#[test]
fn arrows_move_the_selection() {
    if !require_tool("tmux") {
        return;
    }
    let env = world();
    let since = unix_now();
    let tmux = Tmux::otp(&env, &["pick", "--print"], true);
    tmux.wait_for("the picker", |s| s.contains("3/3"));
    for key in ["Down", "Down", "Down", "Up"] {
        tmux.keys(key, false);
    }
    let screen = tmux.wait_for("the selection to move", |s| {
        s.lines()
            .any(|l| l.starts_with('▶') && l.contains("GitHub"))
    });
    assert!(selected(&screen).contains("GitHub:alice@example.com"));
    tmux.keys("Enter", false);
    let screen = tmux.wait_for_exit();
    assert!(screen.contains("otp exited 0"), "{screen}");
    let out = tmux.out();
    assert!(
        is_code_of(GITHUB, out.trim_end(), since),
        "{out:?} is not GitHub's code"
    );
}

#[test]
fn escape_leaves_the_terminal_as_it_was_and_gives_no_code() {
    if !require_tool("tmux") {
        return;
    }
    let env = world();
    let before = env.vault_bytes();
    let tmux = Tmux::otp(&env, &["pick", "--print", "bank"], true);
    let screen = tmux.wait_for("the picker", |s| s.contains("1/1"));
    assert!(!screen.contains(BEFORE), "{screen}");
    tmux.keys("Escape", false);
    let screen = tmux.wait_for_exit();
    assert!(screen.contains("otp exited 1"), "{screen}");
    // The screen of before is back, the picker gone.
    assert!(screen.starts_with(&format!("{BEFORE}\n")), "{screen}");
    assert!(!screen.contains("Bank:carol"), "{screen}");
    assert_eq!(
        tmux.pane("#{alternate_on}"),
        "0",
        "still on the alternate screen"
    );
    assert_eq!(tmux.pane("#{cursor_flag}"), "1", "the cursor is hidden");
    tmux.stty_unchanged();
    assert_eq!(tmux.out(), "", "no code");
    assert_eq!(env.vault_bytes(), before, "the HOTP counter is not spent");
}

#[test]
fn sigterm_leaves_the_terminal_as_it_was() {
    if !require_tool("tmux") {
        return;
    }
    let env = world();
    let tmux = Tmux::otp(&env, &["pick", "--print"], true);
    tmux.wait_for("the picker", |s| s.contains("3/3"));
    let killed = Command::new("kill")
        .args(["-TERM", &tmux.otp_pid()])
        .status()
        .expect("run kill");
    assert!(killed.success());
    let screen = tmux.wait_for_exit();
    assert!(screen.contains("otp exited 1"), "{screen}");
    assert!(screen.starts_with(&format!("{BEFORE}\n")), "{screen}");
    assert_eq!(
        tmux.pane("#{alternate_on}"),
        "0",
        "still on the alternate screen"
    );
    tmux.stty_unchanged();
    assert_eq!(tmux.out(), "", "no code");
}

#[test]
fn enter_copies_the_code_to_the_clipboard() {
    if !require_tool("tmux") {
        return;
    }
    if std::env::var_os("DISPLAY").is_none_or(|d| d.is_empty()) {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "DISPLAY is unset under CI: run the suite through scripts/test (xvfb-run)"
        );
        eprintln!("note: no DISPLAY; skipping the clipboard check (run scripts/test)");
        return;
    }
    if !require_tool("xclip") {
        return;
    }
    // The clipboard is the display's: the clipboard tests must not copy meanwhile.
    let _turn = x_display_turn();
    let env = world();
    // Cleared soon, so the process that serves it does not outlive the test by much.
    let config = env.home.join(".config/otp");
    std::fs::create_dir_all(&config).expect("config dir");
    std::fs::write(config.join("config.toml"), "clipboard_clear_seconds = 5\n").expect("config");
    let tmux = Tmux::otp(&env, &["pick", "bank"], true);
    tmux.wait_for("the picker", |s| s.contains("1/1"));
    tmux.keys("Enter", false);
    let screen = tmux.wait_for_exit();
    assert!(screen.contains("otp exited 0"), "{screen}");
    let code = entry(HOTP).code_for_counter(4);
    assert!(
        screen.contains(&format!("copied {} (Bank:carol)", code.grouped())),
        "{screen}"
    );
    assert_eq!(tmux.out(), "", "nothing on stdout");
    let pasted = Command::new("xclip")
        .args(["-o", "-selection", "clipboard"])
        .output()
        .expect("run xclip");
    assert_eq!(stdout(&pasted), code.as_str());
}

/// A stub menu: saves what it is given to `names.txt` in `dir` and prints `choice`.
fn stub_menu(dir: &Path, choice: &str) -> String {
    format!(
        "cat > {names}; printf '%s\\n' {choice}",
        names = quote(&dir.join("names.txt").to_string_lossy()),
        choice = quote(choice)
    )
}

#[test]
fn a_menu_program_chooses() {
    let env = world();
    let since = unix_now();
    let dir = env.dir.path();
    let menu = stub_menu(dir, "GitHub:alice@example.com");
    let out = env.run(&["pick", "--print", "--menu", &menu]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(is_code_of(GITHUB, stdout(&out).trim_end(), since));
    let names = std::fs::read_to_string(dir.join("names.txt")).expect("names");
    assert_eq!(
        names,
        "Bank:carol\nGitHub:alice@example.com\nGoogle:alice@gmail.com\n"
    );

    // QUERY narrows the names; a typed line that is no name is a query.
    let menu = stub_menu(dir, "carol");
    let out = env.run(&["pick", "alice", "--print", "--menu", &menu]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let names = std::fs::read_to_string(dir.join("names.txt")).expect("names");
    assert_eq!(names, "GitHub:alice@example.com\nGoogle:alice@gmail.com\n");
    let out = env.run(&["pick", "--print", "--menu", &menu]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        format!("{}\n", entry(HOTP).code_for_counter(4))
    );
}

#[test]
fn a_menu_closed_without_a_choice_spends_nothing() {
    let env = world();
    let before = env.vault_bytes();
    for menu in ["cat > /dev/null; exit 1", "cat > /dev/null", "exit 0"] {
        let out = env.run(&["pick", "--print", "--menu", menu]);
        assert_eq!(out.status.code(), Some(1), "{menu}: {}", stderr(&out));
        assert_eq!(stdout(&out), "", "{menu}");
        assert_eq!(stderr(&out), "", "{menu}");
    }
    let out = env.run(&["pick", "--print", "--menu", "/nonexistent/menu"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(env.vault_bytes(), before, "the HOTP counter is not spent");
}

#[test]
fn without_a_terminal_pick_wants_a_menu() {
    let env = world();
    let out = env.run(&["pick", "--print"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).starts_with("otp: pick needs a terminal"),
        "{}",
        stderr(&out)
    );
    let out = env.run(&["pick", "nobody", "--print", "--menu", "cat"]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
}
