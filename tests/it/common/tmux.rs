//! `otp` in a real terminal: a tmux server of the test's own (on a socket inside its temporary
//! world) runs `otp ARGS` in a detached session, and the test reads the screen with
//! `capture-pane` and types with `send-keys`.

use super::{TestEnv, quote, stderr, stdout};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// How long to wait for the screen to show something before failing.
pub const PATIENCE: Duration = Duration::from_secs(10);

/// The first line the wrapper shell prints, before `otp` starts.
pub const BEFORE: &str = "the screen before otp";

fn path(p: &Path) -> String {
    quote(&p.to_string_lossy())
}

/// A tmux session running `otp ARGS` in a wrapper shell that prints [`BEFORE`], records the
/// terminal settings before and after (`stty.before`, `stty.after` in [`Tmux::dir`]), prints
/// `otp exited STATUS`, and then stays alive until the terminal goes away, so the pane
/// outlives `otp`: `cat` from the terminal waits for nothing and ends with the terminal (even
/// with SIGHUP ignored), so no process outlives the test.
pub struct Tmux {
    socket: PathBuf,
    /// The session's own directory: the wrapper's working directory.
    pub dir: PathBuf,
}

/// How a [`Tmux`] session is set up before it starts: [`Tmux::session`], then
/// [`Session::start`].
pub struct Session<'e> {
    env: &'e TestEnv,
    columns: u16,
    rows: u16,
    colour: bool,
    vars: Vec<(String, String)>,
    prelude: String,
    stdout_to_file: bool,
}

impl Session<'_> {
    /// The terminal's size (80×20 unless set).
    pub fn size(mut self, columns: u16, rows: u16) -> Self {
        (self.columns, self.rows) = (columns, rows);
        self
    }

    /// Leaves `NO_COLOR` unset (it is set unless asked).
    pub fn colour(mut self) -> Self {
        self.colour = true;
        self
    }

    /// One more environment variable for `otp`.
    pub fn var(mut self, name: &str, value: &str) -> Self {
        self.vars.push((name.into(), value.into()));
        self
    }

    /// Shell commands the wrapper runs before `otp` (like `trap '' HUP`).
    pub fn prelude(mut self, commands: &str) -> Self {
        self.prelude = commands.into();
        self
    }

    /// Sends `otp`'s stdout to `out.txt` in [`Tmux::dir`] rather than the terminal.
    pub fn stdout_to_file(mut self, yes: bool) -> Self {
        self.stdout_to_file = yes;
        self
    }

    /// Starts `otp ARGS` in the world's environment.
    pub fn start(self, args: &[&str]) -> Tmux {
        // One directory (wrapper, stty records, socket) per session: a test may start several.
        static SESSIONS: AtomicUsize = AtomicUsize::new(0);
        let n = SESSIONS.fetch_add(1, Ordering::SeqCst);
        let env = self.env;
        let dir = env.dir.path().join(format!("tmux{n}"));
        std::fs::create_dir(&dir).expect("session dir");
        let mut script = String::from("#!/bin/sh\n");
        for (name, value) in [
            ("HOME", path(&env.home)),
            ("XDG_DATA_HOME", path(&env.home.join(".local/share"))),
            ("XDG_CONFIG_HOME", path(&env.home.join(".config"))),
            ("XDG_RUNTIME_DIR", path(&env.home.join("run"))),
            ("OTP_VAULT", path(&env.vault)),
            ("OTP_IDENTITY_FILE", path(&env.identity)),
        ] {
            script.push_str(&format!("export {name}={value}\n"));
        }
        script.push_str(
            "unset OTP_CONFIG OTP_BACKEND OTP_PASSPHRASE WAYLAND_DISPLAY DBUS_SESSION_BUS_ADDRESS\n",
        );
        script.push_str(if self.colour {
            "unset NO_COLOR\n"
        } else {
            "export NO_COLOR=1\n"
        });
        for (name, value) in &self.vars {
            script.push_str(&format!("export {name}={}\n", quote(value)));
        }
        script.push_str(&self.prelude);
        script.push('\n');
        let argv: Vec<String> = args.iter().map(|a| quote(a)).collect();
        script.push_str(&format!(
            "cd {dir}\necho {before}\nstty -g > stty.before\n{otp} {argv}{redirect}\n\
             echo \"otp exited $?\"\nstty -g > stty.tmp && mv stty.tmp stty.after\nexec cat > /dev/null\n",
            dir = path(&dir),
            before = quote(BEFORE),
            otp = quote(env!("CARGO_BIN_EXE_otp")),
            argv = argv.join(" "),
            redirect = if self.stdout_to_file { " > out.txt" } else { "" },
        ));
        let wrapper = dir.join("otp.sh");
        std::fs::write(&wrapper, script).expect("write wrapper");
        let tmux = Tmux {
            socket: dir.join("tmux.sock"),
            dir,
        };
        let sh = format!("sh {}", path(&wrapper));
        let (columns, rows) = (self.columns.to_string(), self.rows.to_string());
        tmux.run(&[
            "new-session",
            "-d",
            "-s",
            "otp",
            "-x",
            &columns,
            "-y",
            &rows,
            &sh,
        ]);
        tmux
    }
}

impl Tmux {
    /// Starts `otp ARGS` in the world's environment, 80×20, with `NO_COLOR` set; with
    /// `stdout_to_file` its stdout goes to `out.txt` in [`Tmux::dir`] rather than the
    /// terminal.
    pub fn otp(env: &TestEnv, args: &[&str], stdout_to_file: bool) -> Tmux {
        Tmux::session(env)
            .stdout_to_file(stdout_to_file)
            .start(args)
    }

    /// A session to set up (size, colour, environment) and then [`Session::start`].
    pub fn session(env: &TestEnv) -> Session<'_> {
        Session {
            env,
            columns: 80,
            rows: 20,
            colour: false,
            vars: Vec::new(),
            prelude: String::new(),
            stdout_to_file: false,
        }
    }

    /// `tmux -S SOCKET ARGS` (no user config), asserting success; returns stdout.
    pub fn run(&self, args: &[&str]) -> String {
        let out = Command::new("tmux")
            .arg("-S")
            .arg(&self.socket)
            .args(["-f", "/dev/null"])
            .args(args)
            .output()
            .expect("run tmux");
        assert!(out.status.success(), "tmux {args:?}: {}", stderr(&out));
        stdout(&out)
    }

    /// The visible screen as text.
    pub fn screen(&self) -> String {
        self.run(&["capture-pane", "-p", "-t", "otp"])
    }

    /// The visible screen with its colour escapes.
    pub fn screen_with_escapes(&self) -> String {
        self.run(&["capture-pane", "-p", "-e", "-t", "otp"])
    }

    /// A tmux format variable of the pane, like `#{alternate_on}`.
    pub fn pane(&self, format: &str) -> String {
        self.run(&["display-message", "-p", "-t", "otp", format])
            .trim()
            .to_string()
    }

    /// Sends keys as tmux names them (`Down`, `Enter`, `Escape`), or text with `literal`.
    pub fn keys(&self, keys: &str, literal: bool) {
        if literal {
            self.run(&["send-keys", "-t", "otp", "-l", keys]);
        } else {
            self.run(&["send-keys", "-t", "otp", keys]);
        }
    }

    /// Reads the screen until `done` holds for it, failing after [`PATIENCE`].
    pub fn wait_for(&self, what: &str, done: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let screen = self.screen();
            if done(&screen) {
                return screen;
            }
            assert!(
                start.elapsed() < PATIENCE,
                "timed out waiting for {what}; the screen:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Waits for `otp` to exit and returns the screen then.
    pub fn wait_for_exit(&self) -> String {
        let screen = self.wait_for("otp to exit", |s| s.contains("otp exited"));
        // The wrapper writes stty.after right after the exit status (whole: written aside,
        // then renamed, so that it is never seen empty).
        let after = self.dir.join("stty.after");
        let start = Instant::now();
        while !after.exists() && start.elapsed() < PATIENCE {
            std::thread::sleep(Duration::from_millis(20));
        }
        screen
    }

    /// What `otp` wrote to its stdout, when it went to a file.
    pub fn out(&self) -> String {
        std::fs::read_to_string(self.dir.join("out.txt")).unwrap_or_default()
    }

    /// Asserts that the terminal settings after `otp` are those of before.
    pub fn stty_unchanged(&self) {
        let before = std::fs::read_to_string(self.dir.join("stty.before")).expect("stty.before");
        let after = std::fs::read_to_string(self.dir.join("stty.after")).expect("stty.after");
        assert_eq!(before, after, "terminal settings differ after `otp`");
    }

    /// The process id of `otp` in the pane: the only child of the wrapper shell.
    pub fn otp_pid(&self) -> String {
        let shell = self.pane("#{pane_pid}");
        let children = std::fs::read_to_string(format!("/proc/{shell}/task/{shell}/children"))
            .expect("the wrapper's children");
        children
            .split_whitespace()
            .next()
            .expect("otp is running")
            .to_string()
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .arg("-S")
            .arg(&self.socket)
            .arg("kill-server")
            .output();
    }
}
