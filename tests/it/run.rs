//! `otp run` end to end: the code reaches the command in `OTP_CODE` (or `--env NAME`), on its
//! standard input (`--stdin`), or typed at each prompt matching `--answer REGEX` on a
//! pseudo-terminal (a prompt read with `input()` and one with `getpass()`, which opens
//! /dev/tty as ssh does); the command checks the code against `oathtool` and that no process's
//! command line holds it (tests/fixtures/run/check_code.py); a prompt that comes back later
//! gets the code of that moment; on a terminal (tmux) what the person types reaches the command
//! and the terminal is put back, after the command and after SIGTERM. The command's exit status and death by signal come back as
//! `otp`'s status, and SIGTERM, SIGHUP and SIGUSR1 sent to `otp` reach the command; HOTP hands
//! out one counter per code and stores it; `--fresh` waits for a new period; bad input changes
//! nothing.
//!
//! Codes come from the wall clock, so the checker accepts the previous and the next period's
//! code too.
#![cfg(unix)]

use crate::common;

use common::tmux::Tmux;
use common::{TestEnv, require_tool, stderr, stdout};
use std::path::PathBuf;
use std::process::Output;
use std::time::{Duration, Instant};

const SECRET: &str = "JBSWY3DPEHPK3PXP";
const TOTP: &str = "otpauth://totp/GitHub:alice@example.com?secret=JBSWY3DPEHPK3PXP&issuer=GitHub";
const HOTP: &str = "otpauth://hotp/Bank:carol?secret=JBSWY3DPEHPK3PXP&counter=4";
/// A 4-s entry: `--fresh 4` waits for its next period almost always.
const SHORT: &str = "otpauth://totp/Short:bob?secret=JBSWY3DPEHPK3PXP&period=4";
/// A 2-s entry: its code a few seconds ago is no longer current.
const TWO_SECONDS: &str = "otpauth://totp/Tick:tock?secret=JBSWY3DPEHPK3PXP&period=2";

fn checker() -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/run/check_code.py")
        .to_string_lossy()
        .into_owned()
}

fn world() -> TestEnv {
    let env = TestEnv::new();
    env.add(&[TOTP, HOTP, SHORT]);
    env
}

/// `otp ARGS`, stdin empty, killed if it runs for more than 30 s.
fn otp(env: &TestEnv, args: &[&str]) -> Output {
    env.cmd()
        .args(args)
        .timeout(Duration::from_secs(30))
        .output()
        .expect("run otp")
}

/// `otp run QUERY OPTIONS -- python3 check_code.py CHECK…`.
fn run_checker(env: &TestEnv, query: &str, options: &[&str], check: &[&str]) -> Output {
    let script = checker();
    let mut args = vec!["run", query];
    args.extend_from_slice(options);
    args.extend_from_slice(&["--", "python3", &script]);
    args.extend_from_slice(check);
    otp(env, &args)
}

fn tools() -> bool {
    require_tool("python3") && require_tool("oathtool")
}

fn assert_ok(out: &Output, codes: usize) {
    let text = stdout(out);
    assert!(
        out.status.success(),
        "status {:?}\nstdout: {text}\nstderr: {}",
        out.status.code(),
        stderr(out)
    );
    for i in 0..codes {
        assert!(text.contains(&format!("ok {i}")), "code {i}: {text}");
    }
}

#[test]
fn the_code_is_in_otp_code_or_the_named_variable() {
    if !tools() {
        return;
    }
    let env = world();
    let out = run_checker(&env, "github", &[], &["env:OTP_CODE", SECRET, "totp", "1"]);
    assert_ok(&out, 1);
    let out = run_checker(
        &env,
        "github",
        &["--env", "MFA_TOKEN"],
        &["env:MFA_TOKEN", SECRET, "totp", "1"],
    );
    assert_ok(&out, 1);
    // And not in OTP_CODE then.
    let out = otp(
        &env,
        &[
            "run",
            "github",
            "--env",
            "X",
            "--",
            "sh",
            "-c",
            "test -z \"$OTP_CODE\"",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn the_code_goes_to_standard_input() {
    if !tools() {
        return;
    }
    let env = world();
    let out = run_checker(
        &env,
        "github",
        &["--stdin"],
        &["stdin", SECRET, "totp", "1"],
    );
    assert_ok(&out, 1);
    // A command that does not read its input still runs, and its status is ours.
    let out = otp(
        &env,
        &["run", "github", "--stdin", "--", "sh", "-c", "exit 6"],
    );
    assert_eq!(out.status.code(), Some(6), "{}", stderr(&out));
}

#[test]
fn each_prompt_gets_a_code_typed_on_a_pseudo_terminal() {
    if !tools() {
        return;
    }
    let env = world();
    let out = run_checker(
        &env,
        "github",
        &["--answer", "Verification code: ?$"],
        &["prompt", SECRET, "totp", "2"],
    );
    assert_ok(&out, 2);
    // The command's output passes through: both prompts were shown.
    assert_eq!(stdout(&out).matches("Verification code:").count(), 2);
}

#[test]
fn a_prompt_appearing_twice_gets_a_code_computed_each_time() {
    if !tools() {
        return;
    }
    let env = world();
    env.add(&[TWO_SECONDS]);
    // 5 s between the prompts of a 2-s entry: the checker accepts only the codes of the
    // periods around the moment it reads, so the code of the first prompt would fail the second.
    let out = run_checker(
        &env,
        "tick",
        &["--answer", "Verification code: ?$"],
        &["prompt", SECRET, "totp", "2", "2", "5"],
    );
    assert_ok(&out, 2);
}

#[test]
fn on_a_terminal_answer_passes_keys_through_and_restores_the_terminal() {
    if !require_tool("tmux") {
        return;
    }
    let env = world();
    // The command asks for the code, then for a line the person types, then ends.
    let script = "printf 'Verification code: '; read code; echo \"code of ${#code} digits\"; \
                  printf 'Name: '; read name; echo \"hello $name\"";
    let tmux = Tmux::otp(
        &env,
        &[
            "run", "github", "--answer", "code: $", "--", "sh", "-c", script,
        ],
        false,
    );
    tmux.wait_for("the code typed", |s| s.contains("code of 6 digits"));
    tmux.wait_for("the second question", |s| s.contains("Name:"));
    tmux.keys("world", true);
    tmux.keys("Enter", false);
    let screen = tmux.wait_for_exit();
    assert!(screen.contains("hello world"), "{screen}");
    assert!(screen.contains("otp exited 0"), "{screen}");
    tmux.stty_unchanged();

    // SIGTERM: the command's terminal hangs up, and ours is put back.
    let tmux = Tmux::otp(
        &env,
        &[
            "run",
            "github",
            "--answer",
            "never",
            "--",
            "sh",
            "-c",
            "echo started; sleep 60",
        ],
        false,
    );
    tmux.wait_for("the command", |s| s.contains("started"));
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &tmux.otp_pid()])
        .status()
        .expect("run kill");
    assert!(killed.success());
    let screen = tmux.wait_for_exit();
    assert!(
        screen.contains("otp exited 129"),
        "SIGHUP ends sh: {screen}"
    );
    tmux.stty_unchanged();
}

#[test]
fn hotp_hands_out_one_counter_per_code_and_stores_it() {
    if !tools() {
        return;
    }
    let env = world();
    // Counter 4, then 5 and 6 at two prompts, then 7: each stored before it is used.
    let out = run_checker(&env, "bank", &[], &["env:OTP_CODE", SECRET, "hotp:4", "1"]);
    assert_ok(&out, 1);
    let out = run_checker(
        &env,
        "bank",
        &["--answer", "code: $"],
        &["prompt", SECRET, "hotp:5", "2"],
    );
    assert_ok(&out, 2);
    let out = run_checker(
        &env,
        "bank",
        &["--stdin"],
        &["stdin", SECRET, "hotp:7", "1"],
    );
    assert_ok(&out, 1);
    let out = otp(&env, &["list", "--json"]);
    let list: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let bank = list
        .as_array()
        .and_then(|a| a.iter().find(|e| e["issuer"] == "Bank"))
        .unwrap_or_else(|| panic!("no Bank entry: {list}"));
    assert_eq!(bank["counter"], 8, "{bank}");
}

#[test]
fn the_commands_status_and_signal_come_back() {
    let env = world();
    for (options, script, status) in [
        (vec![], "exit 42", 42),
        (vec![], "kill -TERM $$", 128 + 15),
        (vec!["--stdin"], "kill -KILL $$", 128 + 9),
        (vec!["--answer", "never"], "exit 5", 5),
        (vec!["--answer", "never"], "kill -TERM $$", 128 + 15),
        (vec![], "exit 0", 0),
    ] {
        let mut args = vec!["run", "github"];
        args.extend(options.iter().copied());
        args.extend(["--", "sh", "-c", script]);
        let out = otp(&env, &args);
        assert_eq!(
            out.status.code(),
            Some(status),
            "{args:?}: {}",
            stderr(&out)
        );
        assert_eq!(stderr(&out), "", "{args:?}: nothing of otp's own");
    }
}

/// `otp ARGS` started in the world's environment (as `TestEnv::cmd` sets it up), its stdout
/// piped, for a test to signal it while it runs.
fn spawn_otp(env: &TestEnv, args: &[&str]) -> std::process::Child {
    std::process::Command::new(env!("CARGO_BIN_EXE_otp"))
        .args(args)
        .env("HOME", &env.home)
        .env("XDG_DATA_HOME", env.home.join(".local/share"))
        .env("XDG_CONFIG_HOME", env.home.join(".config"))
        .env("OTP_VAULT", &env.vault)
        .env("OTP_IDENTITY_FILE", &env.identity)
        .env_remove("OTP_CONFIG")
        .env_remove("OTP_BACKEND")
        .env_remove("OTP_PASSPHRASE")
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("start otp")
}

#[test]
fn signals_sent_to_otp_reach_the_command() {
    use std::io::{BufRead, BufReader, Read};
    let env = world();
    for (options, signal) in [
        (vec![], "TERM"),
        (vec![], "HUP"),
        (vec!["--stdin"], "TERM"),
        (vec!["--env", "X"], "USR1"),
    ] {
        // The command says it is ready, then ends with 7 when the signal comes.
        let script = format!(
            "trap 'echo got {signal}; exit 7' {signal}; echo ready; while :; do sleep 0.05; done"
        );
        let mut args = vec!["run", "github"];
        args.extend(options.iter().copied());
        args.extend(["--", "sh", "-c", &script]);
        let mut otp = spawn_otp(&env, &args);
        let mut out = BufReader::new(otp.stdout.take().expect("stdout"));
        let mut line = String::new();
        out.read_line(&mut line).expect("read");
        assert_eq!(line, "ready\n", "{args:?}");
        let killed = std::process::Command::new("kill")
            .args(["-s", signal, &otp.id().to_string()])
            .status()
            .expect("run kill");
        assert!(killed.success());
        let started = Instant::now();
        let status = loop {
            if let Some(status) = otp.try_wait().expect("wait") {
                break status;
            }
            if started.elapsed() > Duration::from_secs(10) {
                let _ = otp.kill();
                panic!("{args:?}: otp did not end after SIG{signal}");
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        let mut rest = String::new();
        out.read_to_string(&mut rest).expect("read");
        assert_eq!(rest, format!("got {signal}\n"), "{args:?}");
        assert_eq!(status.code(), Some(7), "{args:?}: the command's status");
    }
}

#[test]
fn fresh_waits_for_a_new_period() {
    if !tools() {
        return;
    }
    let env = world();
    // 4-s periods, at least 4 s wanted: only a code at the very start of a period will do.
    let script = format!(
        "python3 -c 'import time,sys; sys.exit(0 if time.time() % 4 < 1.5 else 9)' && \
         python3 '{}' env:OTP_CODE {SECRET} totp 1 4",
        checker()
    );
    let started = Instant::now();
    let out = otp(
        &env,
        &["run", "short", "--fresh", "4", "--", "sh", "-c", &script],
    );
    assert_ok(&out, 1);
    assert!(started.elapsed() < Duration::from_secs(10));

    let before = env.vault_bytes();
    let out = otp(&env, &["run", "bank", "--fresh", "4", "--", "true"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert_eq!(env.vault_bytes(), before, "the HOTP counter is not spent");
}

#[test]
fn bad_input_is_a_clear_error_and_spends_nothing() {
    let env = world();
    let before = env.vault_bytes();
    for (args, status, says) in [
        (
            vec!["run", "bank", "--", "/nonexistent/program"],
            1,
            "otp: cannot run /nonexistent/program: ",
        ),
        (
            vec!["run", "bank", "--", "no-such-program-here"],
            1,
            "otp: cannot run no-such-program-here: ",
        ),
        (
            vec!["run", "nobody", "--", "true"],
            3,
            "otp: no entry matches",
        ),
        (
            vec!["run", "bank", "--answer", "(", "--", "true"],
            2,
            "otp: invalid --answer \"(\": ",
        ),
        (
            vec!["run", "bank", "--env", "", "--", "true"],
            2,
            "otp: invalid --env",
        ),
        (
            vec!["run", "bank", "--env", "A=B", "--", "true"],
            2,
            "otp: invalid --env",
        ),
        (
            vec!["run", "bank", "--stdin", "--env", "X", "--", "true"],
            2,
            "otp: ",
        ),
        (vec!["run", "bank"], 2, "otp: "),
        (vec!["run", "bank", "true"], 2, "otp: "),
    ] {
        let out = otp(&env, &args);
        assert_eq!(
            out.status.code(),
            Some(status),
            "{args:?}: {}",
            stderr(&out)
        );
        let err = stderr(&out);
        assert!(err.starts_with(says), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        assert_eq!(env.vault_bytes(), before, "{args:?} changed the vault");
    }
}
