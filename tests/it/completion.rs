//! Completion of entry names: the committed bash script (`completions/otp.bash`), sourced in a
//! real bash, completes the QUERY of `otp code`, `otp run` … from the vault (case-insensitively,
//! names with spaces escaped, after global options and the command's own), and leaves options
//! and subcommands to clap's part. When the vault cannot be opened quickly without asking (a
//! passphrase vault, no vault, no key) it completes nothing, at once.
//! The fish script, sourced in a real fish, completes names after the same commands and
//! likewise nothing for a passphrase vault. So does zsh's (`completions/_otp`, in a real
//! interactive zsh on tmux), which also reads `--vault` and `OTP_VAULT=…` typed on the line. The internal `otp __complete-names` is in no help
//! text and offered by no script.

use crate::common;

use common::{GITHUB, GOOGLE, TestEnv, require_tool, stderr, stdout};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const SPACED: &str = "otpauth://totp/Git%20Lab:bob%20b?secret=JBSWY3DPEHPK3PXP";

fn script() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("completions/otp.bash")
}

/// What `_otp` puts in COMPREPLY for `words` (the last one being completed), one per line,
/// with the world's environment and `otp` on PATH; `extra` adds variables. Fails if bash
/// takes more than `limit`.
fn complete(env: &TestEnv, words: &[&str], extra: &[(&str, &str)], limit: Duration) -> Vec<String> {
    let bin = Path::new(env!("CARGO_BIN_EXE_otp"))
        .parent()
        .expect("bin dir")
        .to_path_buf();
    let path = std::env::join_paths(std::iter::once(bin).chain(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    )))
    .expect("PATH");
    let quoted: Vec<String> = words
        .iter()
        .map(|w| format!("'{}'", w.replace('\'', r"'\''")))
        .collect();
    let program = format!(
        "source '{}' && COMP_WORDS=({}) && COMP_CWORD={} && _otp && printf '%s\\n' \"${{COMPREPLY[@]}}\"",
        script().display(),
        quoted.join(" "),
        words.len() - 1
    );
    let mut cmd = Command::new("timeout");
    cmd.args(["20", "bash", "--norc", "--noprofile", "-c", &program])
        .env("PATH", path)
        .env("HOME", &env.home)
        .env("XDG_DATA_HOME", env.home.join(".local/share"))
        .env("XDG_CONFIG_HOME", env.home.join(".config"))
        .env("XDG_RUNTIME_DIR", env.home.join("run"))
        .env("OTP_VAULT", &env.vault)
        .env_remove("OTP_IDENTITY_FILE")
        .env_remove("OTP_CONFIG")
        .env_remove("OTP_BACKEND")
        .env_remove("OTP_PASSPHRASE")
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        .envs(extra.iter().copied());
    // Naming an identity file would choose its backend: only when there is one.
    if env.identity.exists() {
        cmd.env("OTP_IDENTITY_FILE", &env.identity);
    }
    let started = Instant::now();
    let out = cmd.output().expect("run bash");
    assert!(
        started.elapsed() < limit,
        "completing {words:?} took {:?}",
        started.elapsed()
    );
    assert!(out.status.success(), "bash for {words:?}: {}", stderr(&out));
    stdout(&out)
        .lines()
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

const QUICK: Duration = Duration::from_secs(10);

#[test]
fn bash_completes_entry_names_where_a_query_goes() {
    let env = TestEnv::new();
    env.add(&[GITHUB, GOOGLE, SPACED]);
    for words in [
        vec!["otp", "code", "gi"],
        vec!["otp", "code", "Gi"],
        vec!["otp", "run", "--env", "X", "gi"],
        vec!["otp", "--color", "never", "type", "gi"],
        vec!["otp", "code", "--at", "5", "gi"],
    ] {
        assert_eq!(
            complete(&env, &words, &[], QUICK),
            ["Git\\ Lab:bob\\ b", "GitHub:alice@example.com"],
            "{words:?}"
        );
    }
    for sub in ["pick", "qr", "uri", "rm", "rename", "recovery"] {
        assert_eq!(
            complete(&env, &["otp", sub, "goo"], &[], QUICK),
            ["Google:alice@gmail.com"],
            "{sub}"
        );
    }
    // Everything when nothing is typed yet.
    assert_eq!(complete(&env, &["otp", "code", ""], &[], QUICK).len(), 3);
    // --vault on the line is the vault asked.
    let other = TestEnv::new();
    let vault = env.vault.to_string_lossy().into_owned();
    let identity = env.identity.to_string_lossy().into_owned();
    assert_eq!(
        complete(
            &other,
            &[
                "otp",
                "--vault",
                &vault,
                "--identity",
                &identity,
                "uri",
                "goo"
            ],
            &[],
            QUICK
        ),
        ["Google:alice@gmail.com"]
    );
}

#[test]
fn bash_leaves_options_subcommands_and_later_arguments_to_clap() {
    let env = TestEnv::new();
    env.add(&[GITHUB]);
    assert_eq!(
        complete(&env, &["otp", "code", "--js"], &[], QUICK),
        ["--json"]
    );
    assert_eq!(
        complete(&env, &["otp", "co"], &[], QUICK),
        ["code", "completions"]
    );
    // After the QUERY, and after `--` of `otp run`, no entry names.
    let after = complete(&env, &["otp", "recovery", "github", ""], &[], QUICK);
    assert!(after.contains(&"add".to_string()), "{after:?}");
    assert!(!after.iter().any(|w| w.contains("GitHub")), "{after:?}");
    let cmd = complete(&env, &["otp", "run", "github", "--", "gi"], &[], QUICK);
    assert!(!cmd.iter().any(|w| w.contains("GitHub")), "{cmd:?}");
    // The internal command is offered nowhere.
    let subs = complete(&env, &["otp", ""], &[], QUICK);
    assert!(subs.contains(&"code".to_string()), "{subs:?}");
    assert!(!subs.iter().any(|w| w.starts_with("__")), "{subs:?}");
}

#[test]
fn nothing_is_completed_when_the_vault_would_ask_for_a_key() {
    let env = TestEnv::new();
    let out = env
        .cmd()
        .env("OTP_PASSPHRASE", "correct horse")
        .env_remove("OTP_IDENTITY_FILE")
        .args(["init", "--backend", "passphrase"])
        .output()
        .expect("init");
    assert!(out.status.success(), "{}", stderr(&out));
    let out = env
        .cmd()
        .env("OTP_PASSPHRASE", "correct horse")
        .env_remove("OTP_IDENTITY_FILE")
        .args(["add", GITHUB])
        .output()
        .expect("add");
    assert!(out.status.success(), "{}", stderr(&out));

    // Nothing, quickly, and no prompt waited for; even with the passphrase in the
    // environment, since scrypt would hold up every Tab for a second or more.
    let limit = Duration::from_secs(5);
    assert!(complete(&env, &["otp", "code", "gi"], &[], limit).is_empty());
    let given = [("OTP_PASSPHRASE", "correct horse")];
    assert!(complete(&env, &["otp", "code", "gi"], &given, limit).is_empty());
    // No vault at all, and an identity-file vault whose key is gone: nothing.
    let empty = TestEnv::new();
    assert!(complete(&empty, &["otp", "code", ""], &[], limit).is_empty());
    let keyless = TestEnv::new();
    keyless.add(&[GITHUB]);
    std::fs::remove_file(&keyless.identity).expect("remove identity");
    assert!(complete(&keyless, &["otp", "code", ""], &[], limit).is_empty());
}

#[test]
fn the_internal_command_prints_names_and_is_in_no_help() {
    let env = TestEnv::new();
    env.add(&[GOOGLE, GITHUB]);
    let out = env.run(&["__complete-names"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "GitHub:alice@example.com\nGoogle:alice@gmail.com\n"
    );
    let help = stdout(&env.run(&["--help"]));
    assert!(help.contains("completions"), "{help}");
    assert!(!help.contains("__complete"), "{help}");
    for (path, _) in otp::cli::completions::generated_files() {
        assert!(!path.contains("complete-names"), "{path}");
    }
}

/// What fish offers for `line` with the committed `completions/otp.fish` sourced, one per line,
/// in the world's environment with `otp` on PATH. Fails if fish takes more than [`QUICK`].
fn fish_complete(env: &TestEnv, line: &str) -> Vec<String> {
    let bin = Path::new(env!("CARGO_BIN_EXE_otp"))
        .parent()
        .expect("bin dir")
        .to_path_buf();
    let path = std::env::join_paths(std::iter::once(bin).chain(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    )))
    .expect("PATH");
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("completions/otp.fish");
    let quote = |s: &str| format!("'{}'", s.replace('\\', r"\\").replace('\'', r"\'"));
    let program = format!(
        "source {}; complete -C {}",
        quote(&script.to_string_lossy()),
        quote(line)
    );
    let mut cmd = Command::new("timeout");
    cmd.args(["20", "fish", "--no-config", "-c", &program])
        .env("PATH", path)
        .env("HOME", &env.home)
        .env("XDG_DATA_HOME", env.home.join(".local/share"))
        .env("XDG_CONFIG_HOME", env.home.join(".config"))
        .env("XDG_RUNTIME_DIR", env.home.join("run"))
        .env("OTP_VAULT", &env.vault)
        .env_remove("OTP_IDENTITY_FILE")
        .env_remove("OTP_CONFIG")
        .env_remove("OTP_BACKEND")
        .env_remove("OTP_PASSPHRASE")
        .env_remove("DBUS_SESSION_BUS_ADDRESS");
    if env.identity.exists() {
        cmd.env("OTP_IDENTITY_FILE", &env.identity);
    }
    let started = Instant::now();
    let out = cmd.output().expect("run fish");
    assert!(
        started.elapsed() < QUICK,
        "completing {line:?} took {:?}",
        started.elapsed()
    );
    assert!(out.status.success(), "fish for {line:?}: {}", stderr(&out));
    stdout(&out).lines().map(str::to_string).collect()
}

#[test]
fn fish_completes_entry_names_and_nothing_for_a_passphrase_vault() {
    if !require_tool("fish") {
        return;
    }
    let env = TestEnv::new();
    env.add(&[GITHUB, GOOGLE, SPACED]);
    for line in [
        "otp code gi",
        "otp run --env X gi",
        "otp --color never type gi",
    ] {
        assert_eq!(
            fish_complete(&env, line),
            ["Git Lab:bob b", "GitHub:alice@example.com"],
            "{line}"
        );
    }
    for sub in ["pick", "qr", "uri", "rm", "rename", "recovery"] {
        assert_eq!(
            fish_complete(&env, &format!("otp {sub} goo")),
            ["Google:alice@gmail.com"],
            "{sub}"
        );
    }

    // --vault and --identity on the line are the vault asked.
    let other = TestEnv::new();
    let line = format!(
        "otp --vault {} uri --identity {} goo",
        env.vault.display(),
        env.identity.display()
    );
    assert_eq!(fish_complete(&other, &line), ["Google:alice@gmail.com"]);

    let locked = TestEnv::new();
    for args in [vec!["init", "--backend", "passphrase"], vec!["add", GITHUB]] {
        let out = locked
            .cmd()
            .env("OTP_PASSPHRASE", "correct horse")
            .env_remove("OTP_IDENTITY_FILE")
            .args(&args)
            .output()
            .expect("otp");
        assert!(out.status.success(), "{}", stderr(&out));
    }
    assert!(fish_complete(&locked, "otp code gi").is_empty());
}

/// A real interactive zsh (`zsh -f`, compinit over the committed `completions/_otp`) in a tmux
/// session of the test's own, with `otp` on PATH and `OTP_VAULT` naming no vault.
struct Zsh {
    socket: PathBuf,
}

impl Zsh {
    fn start(env: &TestEnv) -> Zsh {
        let socket = env.dir.path().join("zsh.tmux");
        let bin = Path::new(env!("CARGO_BIN_EXE_otp"))
            .parent()
            .expect("bin dir")
            .to_path_buf();
        let q = |p: &Path| format!("'{}'", p.to_string_lossy().replace('\'', r"'\''"));
        let shell = format!(
            "env -i TERM=xterm HOME={home} PATH={bin}:/usr/bin:/bin OTP_VAULT={missing} \
             OTP_IDENTITY_FILE={identity} NO_COLOR=1 zsh -f",
            home = q(&env.home),
            bin = q(&bin),
            missing = q(&env.home.join("no-vault-here.age")),
            identity = q(&env.identity),
        );
        let zsh = Zsh { socket };
        zsh.tmux(&["new-session", "-d", "-x", "200", "-y", "20", &shell]);
        let completions = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("completions");
        zsh.tmux(&[
            "send-keys",
            &format!(
                "PS1='zsh> '; fpath=({} $fpath); autoload -U compinit; compinit -u; clear",
                q(&completions)
            ),
            "Enter",
        ]);
        zsh.wait_for("a prompt", |line| line == "zsh>");
        zsh
    }

    fn tmux(&self, args: &[&str]) -> String {
        let out = Command::new("tmux")
            .arg("-S")
            .arg(&self.socket)
            .args(args)
            .output()
            .expect("run tmux");
        assert!(out.status.success(), "tmux {args:?}: {}", stderr(&out));
        stdout(&out)
    }

    /// The line the cursor is on.
    fn line(&self) -> String {
        let screen = self.tmux(&["capture-pane", "-p"]);
        let y: usize = self
            .tmux(&["display-message", "-p", "#{cursor_y}"])
            .trim()
            .parse()
            .expect("cursor_y");
        screen.lines().nth(y).unwrap_or("").trim_end().to_string()
    }

    fn wait_for(&self, what: &str, done: impl Fn(&str) -> bool) -> String {
        let started = Instant::now();
        loop {
            let line = self.line();
            if done(&line) {
                return line;
            }
            assert!(
                started.elapsed() < QUICK,
                "zsh never showed {what}; the line is {line:?}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Types `typed`, presses Tab, and returns the line once it changed (or, when `expect_none`,
    /// after a while without change), then clears it.
    fn complete(&self, typed: &str, expect_none: bool) -> String {
        self.tmux(&["send-keys", "-l", typed]);
        let before = self.wait_for("the typed line", |l| l.ends_with(typed.trim_end()));
        self.tmux(&["send-keys", "Tab"]);
        let line = if expect_none {
            std::thread::sleep(Duration::from_secs(3));
            self.line()
        } else {
            self.wait_for("a completion", |l| l != before)
        };
        self.tmux(&["send-keys", "C-u"]);
        self.wait_for("an empty line", |l| l == "zsh>");
        line
    }
}

impl Drop for Zsh {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .arg("-S")
            .arg(&self.socket)
            .arg("kill-server")
            .output();
    }
}

#[test]
fn zsh_completes_entry_names_of_the_vault_named_on_the_line() {
    if !require_tool("zsh") || !require_tool("tmux") {
        return;
    }
    let env = TestEnv::new();
    env.add(&[GITHUB, GOOGLE, SPACED]);
    let zsh = Zsh::start(&env);
    let vault = env.vault.to_string_lossy().into_owned();
    let home = env.home.to_string_lossy().into_owned();
    let tilde = format!(
        "~/{}",
        vault
            .strip_prefix(&format!("{home}/"))
            .expect("vault in home")
    );
    // The shell's OTP_VAULT names no vault: only a vault named on the line has names.
    assert_eq!(zsh.complete("otp code goo", true), "zsh> otp code goo");
    for (typed, completed) in [
        (
            format!("otp --vault {vault} code goo"),
            "Google:alice@gmail.com",
        ),
        (
            format!("otp code --vault={tilde} goo"),
            "Google:alice@gmail.com",
        ),
        (
            format!("otp --vault {tilde} uri git\\ "),
            "Git\\ Lab:bob\\ b",
        ),
        (
            format!("OTP_VAULT={tilde} otp rename GITH"),
            "GitHub:alice@example.com",
        ),
    ] {
        let line = zsh.complete(&typed, false);
        assert!(
            line.ends_with(completed),
            "{typed:?} completed to {line:?}, not …{completed:?}"
        );
    }
}
