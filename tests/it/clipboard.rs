//! `otp code -c` end to end, against the real X server `scripts/test`
//! provides (Xvfb) and `xclip` as the independent reader: the code can be pasted after `otp`
//! has exited and a second later, it carries the password-manager hint, it is cleared after
//! `--clear-after` unless something else was copied since, `--clear-after 0` serves until
//! replaced, and no `otp` process outlives its deadline. `otp::clipboard::read` (for `otp add
//! --clipboard`) returns the text or the PNG image xclip serves. Also OSC 52 under a
//! pseudo-terminal (util-linux `script`) for SSH sessions and `--osc52`, and the error when
//! there is no clipboard at all (exit 1, empty stdout, the HOTP counter not spent).
//!
//! Without DISPLAY the X11 tests are skipped with a note, except under CI (`CI=true`), where
//! they fail. They share one X clipboard, so they run one at a time (`x_display_turn`), as do
//! the other tests that use the display.

use crate::common;

use common::{AT, GITHUB, TestEnv, otp_line, require_tool, stderr, stdout, x_display_turn};
use std::io::Write;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

/// `oathtool --totp -b JBSWY3DPEHPK3PXP -N @1700000000`: GITHUB's code at AT.
const GITHUB_AT: &str = "324550";
const HOTP: &str = "otpauth://hotp/Bank:carol?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&counter=0";

// ---------------------------------------------------------------------------------------
// helpers

/// Whether an X display is here to test against; under CI its absence is a failure.
fn have_display() -> bool {
    if std::env::var_os("DISPLAY").is_some_and(|d| !d.is_empty()) {
        return require_tool("xclip");
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "DISPLAY is unset under CI: run the suite through scripts/test (xvfb-run)"
    );
    eprintln!("note: no DISPLAY; skipping the X11 clipboard checks (run scripts/test)");
    false
}

fn world() -> TestEnv {
    let env = TestEnv::new();
    env.add(&[GITHUB]);
    env
}

/// `otp code -c --at AT github EXTRA…`, asserting success, silence (stdout and stderr are
/// not terminals) and that it returned promptly.
fn copy(env: &TestEnv, extra: &[&str]) {
    let at = AT.to_string();
    let mut args = vec!["code", "-c", "--at", &at, "github"];
    args.extend_from_slice(extra);
    let started = Instant::now();
    let out = env.run(&args);
    assert!(out.status.success(), "otp {args:?}: {}", stderr(&out));
    assert_eq!(stdout(&out), "", "nothing on stdout when copying");
    assert_eq!(stderr(&out), "", "no notice when stderr is not a terminal");
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "otp code -c must return at once, took {:?}",
        started.elapsed()
    );
}

/// Runs a command with a time limit (a hung selection owner must not hang the suite).
fn run_limited(cmd: &mut Command, stdin: &[u8]) -> Output {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    let deadline = Instant::now() + Duration::from_secs(5);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("{cmd:?} did not finish within 5 s");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    child.wait_with_output().unwrap()
}

/// What `xclip -o` pastes from the CLIPBOARD selection (with `-t TARGET` if given);
/// `None` when nothing can be pasted.
fn paste(target: Option<&str>) -> Option<String> {
    let mut cmd = Command::new("xclip");
    cmd.args(["-o", "-selection", "clipboard"]);
    if let Some(t) = target {
        cmd.args(["-t", t]);
    }
    let out = run_limited(&mut cmd, b"");
    let text = stdout(&out);
    (out.status.success() && !text.is_empty()).then_some(text)
}

/// Copies `text` with xclip, which stays in the foreground (`-quiet`) serving it until
/// killed: another program taking the clipboard, as a user's copy does.
fn xclip_copy(text: &str) -> Child {
    let mut child = Command::new("xclip")
        .args(["-quiet", "-i", "-selection", "clipboard"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn xclip");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    // It owns the selection once it has read its input and asserted ownership.
    let deadline = Instant::now() + Duration::from_secs(10);
    while paste(None).as_deref() != Some(text) {
        assert!(
            Instant::now() < deadline,
            "xclip did not take the clipboard"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    child
}

/// The `otp __serve-clipboard` processes of this world (found by the vault in their
/// environment, as tests run side by side).
fn owners(env: &TestEnv) -> Vec<u32> {
    let marker = format!("OTP_VAULT={}", env.vault.display());
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    dir.filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            let read = |what: &str| std::fs::read(format!("/proc/{pid}/{what}")).ok();
            let has = |bytes: Option<Vec<u8>>, needle: &str| {
                bytes.is_some_and(|b| b.split(|&c| c == 0).any(|arg| arg == needle.as_bytes()))
            };
            has(read("cmdline"), "__serve-clipboard") && has(read("environ"), &marker)
        })
        .collect()
}

/// Waits (up to `limit`) until this world's owner processes are gone.
fn owners_gone_within(env: &TestEnv, limit: Duration) -> bool {
    let deadline = Instant::now() + limit;
    loop {
        if owners(env).is_empty() {
            return true;
        }
        if Instant::now() > deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(25));
    }
}

/// Ends what a test started, even when it fails: xclip children, and this world's owners
/// (by process id) so that no later test finds its clipboard cleared under it.
struct Cleanup<'a> {
    env: &'a TestEnv,
    children: Vec<Child>,
}

impl Drop for Cleanup<'_> {
    fn drop(&mut self) {
        for child in &mut self.children {
            let _ = child.kill();
            let _ = child.wait();
        }
        for pid in owners(self.env) {
            let _ = Command::new("kill").arg(pid.to_string()).status();
        }
    }
}

fn sleep_until(t: Instant) {
    if let Some(left) = t.checked_duration_since(Instant::now()) {
        std::thread::sleep(left);
    }
}

/// `otp ARGS` on a pseudo-terminal (`script`) with the given environment changes; returns
/// what the terminal received.
fn on_terminal(env: &TestEnv, args: &[&str], set: &[(&str, &str)], unset: &[&str]) -> String {
    let line = otp_line(args);
    let mut cmd = env.on_pty(&line);
    for (k, v) in set {
        cmd.env(k, v);
    }
    for k in unset {
        cmd.env_remove(k);
    }
    let out = run_limited(&mut cmd, b"");
    assert!(out.status.success(), "{line}: {}", stdout(&out));
    stdout(&out)
}

fn osc52(code: &str) -> String {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD.encode(code);
    format!("\x1b]52;c;{b64}\x07")
}

// ---------------------------------------------------------------------------------------
// X11

#[test]
fn copied_code_outlives_otp_is_marked_secret_and_is_cleared() {
    if !have_display() {
        return;
    }
    let _turn = x_display_turn();
    let env = world();
    let _cleanup = Cleanup {
        env: &env,
        children: Vec::new(),
    };
    let start = Instant::now();
    copy(&env, &["--clear-after", "2"]);

    // `otp` has exited: the detached owner serves the code, at once and a second later.
    assert_eq!(paste(None).as_deref(), Some(GITHUB_AT));
    let targets = paste(Some("TARGETS")).unwrap_or_default();
    assert!(
        targets.lines().any(|t| t == "x-kde-passwordManagerHint"),
        "no password-manager hint in TARGETS:\n{targets}"
    );
    assert_eq!(
        paste(Some("x-kde-passwordManagerHint")).as_deref(),
        Some("secret")
    );
    assert_eq!(owners(&env).len(), 1, "one detached owner while it serves");
    sleep_until(start + Duration::from_secs(1));
    assert_eq!(
        paste(None).as_deref(),
        Some(GITHUB_AT),
        "still there after 1 s"
    );

    // Cleared at the deadline, and the owner is gone.
    assert!(
        owners_gone_within(&env, Duration::from_secs(4)),
        "an otp process outlived its deadline"
    );
    assert!(
        start.elapsed() >= Duration::from_secs(2),
        "cleared before the deadline"
    );
    assert_eq!(paste(None), None, "the code is still on the clipboard");
}

#[test]
fn text_copied_since_is_left_alone() {
    if !have_display() {
        return;
    }
    let _turn = x_display_turn();
    let env = world();
    let mut cleanup = Cleanup {
        env: &env,
        children: Vec::new(),
    };
    let start = Instant::now();
    copy(&env, &["--clear-after", "2"]);
    assert_eq!(paste(None).as_deref(), Some(GITHUB_AT));

    cleanup.children.push(xclip_copy("the user's own text"));
    // Losing the selection ends the owner without touching the clipboard.
    assert!(
        owners_gone_within(&env, Duration::from_secs(1)),
        "the owner kept running after something else was copied"
    );
    sleep_until(start + Duration::from_millis(3000));
    assert_eq!(paste(None).as_deref(), Some("the user's own text"));
}

#[test]
fn clear_after_zero_serves_until_something_else_is_copied() {
    if !have_display() {
        return;
    }
    let _turn = x_display_turn();
    let env = world();
    let mut cleanup = Cleanup {
        env: &env,
        children: Vec::new(),
    };
    copy(&env, &["--clear-after", "0"]);
    assert_eq!(paste(None).as_deref(), Some(GITHUB_AT));
    assert_eq!(owners(&env).len(), 1);

    cleanup.children.push(xclip_copy("next"));
    assert!(
        owners_gone_within(&env, Duration::from_secs(1)),
        "the owner kept running after something else was copied"
    );
    assert_eq!(paste(None).as_deref(), Some("next"));
}

#[test]
fn config_sets_the_delay_and_the_flag_overrides_it() {
    if !have_display() {
        return;
    }
    let _turn = x_display_turn();
    let env = world();
    let _cleanup = Cleanup {
        env: &env,
        children: Vec::new(),
    };
    let config = env.home.join(".config/otp/config.toml");
    std::fs::create_dir_all(config.parent().unwrap()).unwrap();
    std::fs::write(&config, "clipboard_clear_seconds = 0\n").unwrap();
    let cmdline = |pid: u32| std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();

    copy(&env, &[]);
    let pids = owners(&env);
    assert_eq!(pids.len(), 1);
    assert!(
        cmdline(pids[0]).ends_with(b"--clear-after\x000\x00"),
        "config clipboard_clear_seconds = 0 not passed on"
    );
    // The code reaches the owner on stdin, never through its command line.
    assert!(!String::from_utf8_lossy(&cmdline(pids[0])).contains(GITHUB_AT));

    // On a terminal, stderr says what was copied and when it goes; stdout stays empty.
    let at = AT.to_string();
    let args = ["code", "-c", "--at", &at, "github", "--clear-after", "1"];
    let shown = on_terminal(&env, &args, &[], &[]);
    assert_eq!(
        shown.trim_end(),
        "copied 324 550 (GitHub alice@example.com), clears in 1 s"
    );
    assert!(
        owners_gone_within(&env, Duration::from_secs(3)),
        "--clear-after 1 did not override the config"
    );
    assert_eq!(paste(None), None);
}

#[test]
fn read_gives_an_image_or_text() {
    if !have_display() {
        return;
    }
    let _turn = x_display_turn();
    let env = TestEnv::new();
    let mut cleanup = Cleanup {
        env: &env,
        children: Vec::new(),
    };
    cleanup.children.push(xclip_copy(GITHUB));
    match otp::clipboard::read() {
        Ok(otp::clipboard::Content::Text(text)) => assert_eq!(text.as_str(), GITHUB),
        other => panic!("expected the URI as text, got {other:?}"),
    }

    // A screenshot: xclip serves the PNG as image/png, as screenshot tools do.
    let png = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/qr/migration-1.png"
    );
    let mut xclip = Command::new("xclip")
        .args([
            "-quiet",
            "-i",
            "-selection",
            "clipboard",
            "-t",
            "image/png",
            png,
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn xclip");
    let deadline = Instant::now() + Duration::from_secs(10);
    // Until xclip has taken over (a read can straddle the change of owner).
    let content = loop {
        let content = otp::clipboard::read();
        if matches!(content, Ok(otp::clipboard::Content::Image { .. })) || Instant::now() > deadline
        {
            break content;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let _ = xclip.kill();
    let _ = xclip.wait();
    match content {
        Ok(otp::clipboard::Content::Image {
            width,
            height,
            rgba,
        }) => {
            assert_eq!((width, height), (365, 365));
            assert_eq!(rgba.len(), 365 * 365 * 4);
        }
        other => panic!("expected the PNG as an image, got {other:?}"),
    }
}

// ---------------------------------------------------------------------------------------
// OSC 52 and errors (no X server needed)

#[test]
fn osc52_over_ssh_and_when_forced() {
    if !require_tool("script") {
        return;
    }
    let env = world();
    let at = AT.to_string();
    let args = ["code", "-c", "--at", &at, "github"];
    let no_display = ["DISPLAY", "WAYLAND_DISPLAY", "SSH_TTY"];

    let shown = on_terminal(
        &env,
        &args,
        &[("SSH_CONNECTION", "192.0.2.1 50000 192.0.2.2 22")],
        &no_display,
    );
    assert!(
        shown.contains(&osc52(GITHUB_AT)),
        "no OSC 52 sequence in {shown:?}"
    );
    assert!(
        shown.contains("324 550 (GitHub alice@example.com)"),
        "{shown:?}"
    );
    assert!(shown.contains("OSC 52"), "{shown:?}");

    // --osc52 forces it without SSH, and with a display (which it must not touch).
    let forced = [&args[..], &["--osc52"]].concat();
    let shown = on_terminal(
        &env,
        &forced,
        &[("DISPLAY", ":99999")],
        &["SSH_CONNECTION", "SSH_TTY"],
    );
    assert!(shown.contains(&osc52(GITHUB_AT)), "{shown:?}");
    assert!(owners(&env).is_empty());
}

#[test]
fn no_clipboard_fails_with_empty_stdout_and_spends_no_hotp_code() {
    let env = world();
    env.add(&[HOTP]);
    let before = env.vault_bytes();
    for query in ["github", "bank"] {
        let out = env
            .cmd()
            .args(["code", "-c", query])
            .env_remove("DISPLAY")
            .env_remove("WAYLAND_DISPLAY")
            .env_remove("SSH_CONNECTION")
            .env_remove("SSH_TTY")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
        assert!(out.stdout.is_empty(), "stdout: {:?}", stdout(&out));
        let err = stderr(&out);
        let lines: Vec<&str> = err.lines().collect();
        assert_eq!(lines.len(), 2, "{err}");
        assert!(
            lines[0].starts_with("otp: cannot copy the code: ") && lines[0].contains("DISPLAY"),
            "{err}"
        );
        assert!(
            lines[1].starts_with("hint: ") && lines[1].contains(&format!("otp code {query}")),
            "{err}"
        );
    }
    assert_eq!(env.vault_bytes(), before, "the HOTP counter moved");
}

#[test]
fn copy_flags_are_checked() {
    let env = world();
    for args in [
        &["code", "-c", "--json", "github"][..],
        &["code", "--clear-after", "5", "github"],
        &["code", "--osc52", "github"],
        &["code", "-c", "--clear-after", "soon", "github"],
    ] {
        let out = env.run(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(out.stdout.is_empty());
    }
}

// ---------------------------------------------------------------------------------------
// `otp add --clipboard`

/// Serves a PNG as `image/png` with xclip, as a screenshot tool does, until killed.
fn xclip_image(png: &str) -> Child {
    let child = Command::new("xclip")
        .args([
            "-quiet",
            "-i",
            "-selection",
            "clipboard",
            "-t",
            "image/png",
            png,
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn xclip");
    let deadline = Instant::now() + Duration::from_secs(10);
    while !matches!(
        otp::clipboard::read(),
        Ok(otp::clipboard::Content::Image { .. })
    ) {
        assert!(Instant::now() < deadline, "xclip did not serve the image");
        std::thread::sleep(Duration::from_millis(20));
    }
    child
}

fn labels(env: &TestEnv) -> Vec<String> {
    let out = env.run(&["list", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let list: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    list.iter()
        .map(|e| {
            format!(
                "{}:{}",
                e["issuer"].as_str().unwrap(),
                e["account"].as_str().unwrap()
            )
        })
        .collect()
}

#[test]
fn add_clipboard_reads_a_screenshot_or_a_uri_and_refuses_an_empty_clipboard() {
    if !have_display() {
        return;
    }
    let _turn = x_display_turn();
    let env = TestEnv::new();
    let mut cleanup = Cleanup {
        env: &env,
        children: Vec::new(),
    };

    // A screenshot of a page with a QR code, as `xclip -t image/png` serves it.
    let png = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/qr/page-1080p-4px.png"
    );
    let mut image = xclip_image(png);
    let out = env.run(&["add", "--clipboard"]);
    let _ = image.kill();
    let _ = image.wait();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(labels(&env), ["GitHub:octocat"]);

    // A URI copied as text.
    cleanup.children.push(xclip_copy(common::GOOGLE));
    let out = env.run(&["add", "--clipboard"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(labels(&env), ["GitHub:octocat", "Google:alice@gmail.com"]);

    // Text that is not a URI: refused without echoing it.
    for mut child in cleanup.children.drain(..) {
        let _ = child.kill();
        let _ = child.wait();
    }
    cleanup.children.push(xclip_copy("hunter2 is my password"));
    let before = env.vault_bytes();
    let out = env.run(&["add", "--clipboard"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.starts_with("otp: cannot add clipboard line 1:"),
        "{err}"
    );
    assert!(!err.contains("hunter2"), "{err}");
    assert_eq!(env.vault_bytes(), before);

    // Nobody owns the clipboard any more: a clear one-line error, nothing written.
    for mut child in cleanup.children.drain(..) {
        let _ = child.kill();
        let _ = child.wait();
    }
    let deadline = Instant::now() + Duration::from_secs(10);
    while paste(None).is_some() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = env.run(&["add", "--clipboard"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.starts_with("otp: cannot add the clipboard:"), "{err}");
    assert!(out.stdout.is_empty());
    assert_eq!(env.vault_bytes(), before);
}
