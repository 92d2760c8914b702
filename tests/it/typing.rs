//! `otp type` end to end. Under the X server `scripts/test` provides, the real `xdotool` types
//! into `xev`, a small X program that reports each key it receives: the keys must spell the
//! entry's current code (HOTP: the stored counter's, which is then advanced). Without a display
//! of their own, stand-in `xdotool` and `wtype` programs record their command line and their
//! input: the session chooses the tool, the code comes on stdin and never on the command line,
//! and a missing tool or session is a one-line error naming what to install, spending nothing.
#![cfg(unix)]

use crate::common;

use common::{GITHUB, TestEnv, entry, require_tool, stderr, unix_now, x_display_turn};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const HOTP: &str = "otpauth://hotp/Bank:carol?secret=JBSWY3DPEHPK3PXP&counter=4";

/// Whether the X server of `scripts/test` is there; under CI it must be.
fn require_display() -> bool {
    let display = std::env::var_os("DISPLAY").is_some_and(|d| !d.is_empty());
    if !display {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "DISPLAY is required under CI (scripts/test runs the tests under Xvfb)"
        );
        eprintln!("note: no DISPLAY; skipping this check (run scripts/test)");
    }
    display
}

/// `xev` showing a window named `name`, its report going to `log`; ended when dropped.
struct Xev {
    child: Child,
    log: PathBuf,
}

impl Xev {
    fn start(dir: &Path, name: &str) -> Xev {
        let log = dir.join(format!("{name}.log"));
        let child = Command::new("xev")
            .args(["-name", name, "-event", "keyboard"])
            .stdout(std::fs::File::create(&log).expect("xev log"))
            .stderr(Stdio::null())
            .spawn()
            .expect("start xev");
        let xev = Xev { child, log };
        // Wait for the window, then give it the keyboard focus, as a window manager would.
        let found = Command::new("timeout")
            .args(["20", "xdotool", "search", "--sync", "--name"])
            .arg(format!("^{name}$"))
            .args(["windowfocus", "--sync"])
            .output()
            .expect("run xdotool");
        assert!(found.status.success(), "focus xev: {}", stderr(&found));
        xev
    }

    /// The characters of the keys pressed so far (xev names digits by themselves).
    fn pressed(&self) -> String {
        let report = std::fs::read_to_string(&self.log).unwrap_or_default();
        let mut keys = String::new();
        let mut in_press = false;
        for line in report.lines() {
            if line.starts_with("KeyPress event") {
                in_press = true;
            } else if line.starts_with("KeyRelease event") {
                in_press = false;
            } else if in_press && let Some(at) = line.find("keysym 0x") {
                // `state 0x0, keycode 10 (keysym 0x31, 1), same_screen YES,`
                let name = line[at..]
                    .split([',', ')'])
                    .nth(1)
                    .map(str::trim)
                    .unwrap_or("");
                keys.push_str(name);
                in_press = false;
            }
        }
        keys
    }

    /// Waits until `count` keys were pressed, and returns them.
    fn wait_for_keys(&self, count: usize) -> String {
        let start = Instant::now();
        loop {
            let keys = self.pressed();
            if keys.len() >= count || start.elapsed() > Duration::from_secs(10) {
                return keys;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Xev {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `otp type QUERY` on X11 (no Wayland), with the test's own DISPLAY.
fn otp_type_on_x11(env: &TestEnv, query: &str) -> std::process::Output {
    env.cmd()
        .args(["type", query])
        .env_remove("WAYLAND_DISPLAY")
        .timeout(Duration::from_secs(30))
        .output()
        .expect("run otp")
}

#[test]
fn xdotool_types_the_current_code_into_the_focused_window() {
    if !require_display() || !require_tool("xdotool") || !require_tool("xev") {
        return;
    }
    // Keys go to the display's focused window: no other test may use the display meanwhile.
    let _turn = x_display_turn();
    let env = TestEnv::new();
    env.add(&[GITHUB, HOTP]);

    let xev = Xev::start(env.dir.path(), "otp-type-totp");
    let before = unix_now();
    let out = otp_type_on_x11(&env, "github");
    let after = unix_now();
    assert!(out.status.success(), "{}", stderr(&out));
    let typed = xev.wait_for_keys(6);
    let e = entry(GITHUB);
    assert!(
        (before..=after).any(|t| e.code_at(t).as_str() == typed),
        "typed {typed:?}, not GitHub's code"
    );
    drop(xev);

    // HOTP: the stored counter's code, and the counter moves on.
    let xev = Xev::start(env.dir.path(), "otp-type-hotp");
    let out = otp_type_on_x11(&env, "bank");
    assert!(out.status.success(), "{}", stderr(&out));
    let typed = xev.wait_for_keys(6);
    assert_eq!(typed, entry(HOTP).code_for_counter(4).as_str());
    let out = env.run(&["list", "--json"]);
    let list: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let bank = list
        .as_array()
        .and_then(|a| a.iter().find(|e| e["issuer"] == "Bank"))
        .unwrap_or_else(|| panic!("no Bank entry: {list}"));
    assert_eq!(bank["counter"], 5, "{bank}");
}

/// A directory holding stand-ins for `programs`: each records its arguments (one a line) in
/// `NAME.args` and its input in `NAME.input`, beside itself.
fn stand_ins(dir: &Path, programs: &[&str]) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).expect("bin dir");
    for name in programs {
        let script = format!(
            "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\"; done > '{dir}/{name}.args'\n\
             /bin/cat > '{dir}/{name}.input'\n",
            dir = bin.display()
        );
        let path = bin.join(name);
        std::fs::write(&path, script).expect("write stand-in");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    }
    bin
}

fn recorded(bin: &Path, name: &str, what: &str) -> String {
    std::fs::read_to_string(bin.join(format!("{name}.{what}"))).unwrap_or_default()
}

#[test]
fn the_session_chooses_the_tool_and_the_code_comes_on_its_stdin() {
    let env = TestEnv::new();
    env.add(&[HOTP]);
    let bin = stand_ins(env.dir.path(), &["xdotool", "wtype"]);
    let hotp = entry(HOTP);
    for (counter, wayland, tool, args) in [
        (4, None, "xdotool", "type\n--clearmodifiers\n--file\n-\n"),
        (5, Some("wayland-1"), "wtype", "-\n"),
    ] {
        let mut cmd = env.cmd();
        cmd.args(["type", "bank"])
            .env("PATH", &bin)
            .env("DISPLAY", ":0")
            .env_remove("WAYLAND_DISPLAY");
        if let Some(w) = wayland {
            cmd.env("WAYLAND_DISPLAY", w);
        }
        let out = cmd.output().expect("run otp");
        assert!(out.status.success(), "{tool}: {}", stderr(&out));
        let code = hotp.code_for_counter(counter);
        assert_eq!(
            recorded(&bin, tool, "input"),
            code.as_str(),
            "{tool}'s input"
        );
        let argv = recorded(&bin, tool, "args");
        assert_eq!(argv, args, "{tool}'s arguments");
        assert!(!argv.contains(code.as_str()));
    }
    // The tool that ran was the session's only: xdotool ran once, with the first code.
    assert_eq!(
        recorded(&bin, "xdotool", "input"),
        hotp.code_for_counter(4).as_str()
    );
}

#[test]
fn a_missing_tool_or_session_is_a_clear_error_and_spends_nothing() {
    let env = TestEnv::new();
    env.add(&[HOTP]);
    let empty = env.dir.path().join("empty");
    std::fs::create_dir(&empty).expect("empty dir");
    let before = env.vault_bytes();
    for (display, wayland, says) in [
        (
            Some(":0"),
            None,
            "otp: cannot type the code: xdotool is not installed\nhint: install the xdotool package\n",
        ),
        (
            Some(":0"),
            Some("wayland-1"),
            "otp: cannot type the code: wtype is not installed\nhint: install the wtype package\n",
        ),
        (
            None,
            None,
            "otp: cannot type the code: no graphical session (neither WAYLAND_DISPLAY nor \
             DISPLAY is set)\n",
        ),
    ] {
        let mut cmd = env.cmd();
        cmd.args(["type", "bank"])
            .env("PATH", &empty)
            .env_remove("DISPLAY")
            .env_remove("WAYLAND_DISPLAY");
        if let Some(d) = display {
            cmd.env("DISPLAY", d);
        }
        if let Some(w) = wayland {
            cmd.env("WAYLAND_DISPLAY", w);
        }
        let out = cmd.output().expect("run otp");
        assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
        assert_eq!(stderr(&out), says);
        assert!(out.stdout.is_empty());
        assert_eq!(env.vault_bytes(), before, "the HOTP counter is not spent");
    }
    // No such entry: exit 3, as everywhere.
    let bin = stand_ins(env.dir.path(), &["xdotool"]);
    let out = env
        .cmd()
        .args(["type", "nobody"])
        .env("PATH", &bin)
        .env("DISPLAY", ":0")
        .env_remove("WAYLAND_DISPLAY")
        .output()
        .expect("run otp");
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert_eq!(recorded(&bin, "xdotool", "args"), "", "xdotool did not run");
}
