/*!
`otp run QUERY [--env NAME | --stdin | --answer REGEX] [--fresh S] -- CMD…`: a code handed
straight to another program, never through its command line (which every user of the
machine can read in `/proc/PID/cmdline` and `ps`).

Three ways in: an environment variable (`OTP_CODE` by default, for `aws`, `npm` and scripts),
standard input (`openconnect --passwd-on-stdin`), or typed at a prompt: with `--answer` the
command runs on a pseudo-terminal whose output is watched, and each time it matches REGEX a code
computed at that moment is typed, then Enter (`ssh`'s "Verification code:"). `otp` exits with
the command's status (128+N for a command killed by signal N, as shells report it), and stands
in for it meanwhile: SIGTERM and SIGHUP sent to `otp` reach the command (on a pseudo-terminal,
as the hang-up of its terminal), and `otp` ends when it does.
*/

use super::Context;
use crate::entry::Entry;
use crate::error::{Error, Result, Usage};
use crate::handout;
use crate::vault::Vault;
use std::ffi::{OsStr, OsString};
use std::io::{Read, Write};
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};

#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  \
    otp run aws --env MFA_CODE -- ./assume-role.sh\n  \
    otp run vpn --stdin -- openconnect --passwd-on-stdin vpn.example.com\n  \
    otp run bastion --answer 'Verification code:' -- ssh bastion.example.com")]
pub struct Args {
    /// Entry (id, issuer:account, issuer, account or part of the name)
    pub query: String,
    /// Put the code in this environment variable of CMD [default: OTP_CODE]
    #[arg(long, value_name = "NAME", conflicts_with_all = ["stdin", "answer"])]
    pub env: Option<String>,
    /// Write the code and a newline to CMD's standard input instead
    #[arg(long, conflicts_with = "answer")]
    pub stdin: bool,
    /// Run CMD on a pseudo-terminal and type a code, then Enter, whenever its output matches
    /// REGEX
    #[arg(long, value_name = "REGEX")]
    pub answer: Option<String>,
    /// If fewer than S seconds of the code remain, wait for the next one first
    #[arg(long, value_name = "S")]
    pub fresh: Option<u32>,
    /// The command to run, and its arguments
    #[arg(last = true, required = true, value_name = "CMD")]
    pub command: Vec<OsString>,
}

/// The environment variable a code goes into unless `--env` names another.
pub(crate) const DEFAULT_ENV: &str = "OTP_CODE";
/// How much unmatched output `--answer` keeps looking at: a prompt is one short line.
const SCAN_WINDOW: usize = 8 * 1024;

pub(crate) fn run(ctx: &Context, args: Args) -> Result<()> {
    let env = args.env.as_deref().unwrap_or(DEFAULT_ENV);
    check_env_name(env)?;
    let answer = args
        .answer
        .as_deref()
        .map(|re| {
            regex::bytes::Regex::new(re).map_err(|e| Usage::Invalid {
                option: "--answer",
                value: re.to_string(),
                why: first_line(&e),
                hint: Some("give a regular expression that matches the prompt"),
            })
        })
        .transpose()?;
    let program = find_program(&args.command[0])?;
    let entry = Vault::find(&ctx.vault, &args.query)??;
    if entry.is_counter_based() && args.fresh.is_some() {
        return Err(Usage::NotTimeBased { options: "--fresh" }.into());
    }
    // Shells ignore the terminal's Ctrl-C and Ctrl-\ while a command runs, so that the command
    // decides what they mean and its status is still reported; so does `otp run`.
    let _keep = ignore_interrupts()?;
    let status = if let Some(regex) = answer {
        answer_prompts(ctx, &entry, &regex, args.fresh, &args.command)?
    } else if args.stdin {
        on_stdin(ctx, &entry, args.fresh, &program, &args.command[1..])?
    } else {
        in_env(ctx, &entry, args.fresh, env, &program, &args.command[1..])?
    };
    exit_like(status)
}

/// A name `setenv` accepts and a shell could expand: not empty, no `=` or NUL.
fn check_env_name(name: &str) -> Result<()> {
    if name.is_empty() || name.contains(['=', '\0']) {
        return Err(Usage::Invalid {
            option: "--env",
            value: name.to_string(),
            why: "a variable name must be non-empty, without '=' or NUL".into(),
            hint: None,
        }
        .into());
    }
    Ok(())
}

fn first_line(e: &impl std::fmt::Display) -> String {
    let text = e.to_string();
    text.lines()
        .map(str::trim)
        .rfind(|l| !l.is_empty())
        .unwrap_or("")
        .to_string()
}

/// The program CMD names, looked up before anything is handed out: a command that cannot start
/// must not use up an HOTP counter.
fn find_program(name: &OsStr) -> Result<PathBuf> {
    let not_found = || Error::Io {
        what: format!("cannot run {}", name.to_string_lossy()),
        source: std::io::Error::new(std::io::ErrorKind::NotFound, "command not found"),
    };
    let path = Path::new(name);
    if path.components().count() > 1 || name.as_encoded_bytes().contains(&b'/') {
        return if is_executable(path) {
            Ok(path.to_path_buf())
        } else {
            Err(not_found())
        };
    }
    std::env::var_os("PATH")
        .and_then(|paths| {
            std::env::split_paths(&paths)
                .map(|dir| dir.join(name))
                .find(|p| is_executable(p))
        })
        .ok_or_else(not_found)
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// Catches SIGINT and SIGQUIT (so they do not end `otp`) until dropped. The command still gets
/// them from the terminal: it is in the same process group, and a caught signal is reset to
/// its default in a program that `exec`s.
fn ignore_interrupts() -> Result<Vec<signal_hook::SigId>> {
    let ignored = Arc::new(AtomicBool::new(false));
    [signal_hook::consts::SIGINT, signal_hook::consts::SIGQUIT]
        .into_iter()
        .map(|sig| signal_hook::flag::register(sig, Arc::clone(&ignored)))
        .collect::<std::io::Result<Vec<_>>>()
        .map_err(|e| Error::io("cannot set up signal handling", e))
}

/// Ends `otp` with the command's status: its exit code, or 128+N when signal N killed it.
fn exit_like(status: ExitStatus) -> Result<()> {
    match status_code(status) {
        0 => Ok(()),
        code => Err(Error::Command { code }),
    }
}

/// A status as a shell's `$?` shows it.
pub(crate) fn status_code(status: ExitStatus) -> i32 {
    match (status.code(), status.signal()) {
        (Some(code), _) => code,
        (None, Some(signal)) => 128 + signal,
        (None, None) => 1,
    }
}

fn spawn_error(program: &Path, e: std::io::Error) -> Error {
    Error::io(format!("cannot run {}", program.display()), e)
}

fn in_env(
    ctx: &Context,
    entry: &Entry,
    fresh: Option<u32>,
    name: &str,
    program: &Path,
    args: &[OsString],
) -> Result<ExitStatus> {
    let code = handout::code_now(&ctx.vault, entry, fresh, ctx.stderr_is_terminal)?;
    let signals = passed_signals()?;
    let mut child = Command::new(program)
        .args(args)
        .env(name, code.as_str())
        .spawn()
        .map_err(|e| spawn_error(program, e))?;
    drop(code);
    wait_passing_signals(&mut child, signals).map_err(|e| spawn_error(program, e))
}

fn on_stdin(
    ctx: &Context,
    entry: &Entry,
    fresh: Option<u32>,
    program: &Path,
    args: &[OsString],
) -> Result<ExitStatus> {
    let signals = passed_signals()?;
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::piped())
        .spawn()
        .map_err(|e| spawn_error(program, e))?;
    let code = handout::code_now(&ctx.vault, entry, fresh, ctx.stderr_is_terminal);
    let mut stdin = child.stdin.take();
    if let (Ok(code), Some(pipe)) = (&code, stdin.as_mut()) {
        let mut line = zeroize::Zeroizing::new(format!("{code}\n"));
        // A command that exits without reading its input closes the pipe: its status says
        // what happened, not ours.
        let _ = pipe.write_all(line.as_bytes());
        zeroize::Zeroize::zeroize(&mut *line);
    }
    // Closed, so that a command reading to the end of its input gets on with it.
    drop(stdin);
    if let Err(e) = code {
        let _ = child.kill();
        let _ = child.wait();
        return Err(e.into());
    }
    wait_passing_signals(&mut child, signals).map_err(|e| spawn_error(program, e))
}

/// The signals `otp` passes on to the command, and SIGCHLD, which says it has ended. Set up
/// before the command starts, so that none is missed.
fn passed_signals() -> Result<signal_hook::iterator::Signals> {
    use signal_hook::consts::{SIGCHLD, SIGHUP, SIGTERM, SIGUSR1, SIGUSR2};
    signal_hook::iterator::Signals::new([SIGCHLD, SIGTERM, SIGHUP, SIGUSR1, SIGUSR2])
        .map_err(|e| Error::io("cannot set up signal handling", e))
}

/// Waits for the command, passing on SIGTERM and SIGHUP (asking `otp` to end asks the command)
/// and SIGUSR1 and SIGUSR2, so that `otp run` can stand in for the command under a supervisor
/// or `kill`. The terminal's Ctrl-C and Ctrl-\ reach the command without help.
fn wait_passing_signals(
    child: &mut std::process::Child,
    mut signals: signal_hook::iterator::Signals,
) -> std::io::Result<ExitStatus> {
    use rustix::process::{Pid, Signal, kill_process};
    let pid = i32::try_from(child.id()).ok().and_then(Pid::from_raw);
    loop {
        if let Some(status) = child.try_wait()? {
            return Ok(status);
        }
        // Blocks until a signal comes: the command's end (SIGCHLD) or one to pass on.
        for signal in signals.wait() {
            // Only this thread reaps the command, and it has not yet: the pid is still its.
            if let (Some(pid), Some(signal)) = (pid, Signal::from_named_raw(signal))
                && signal != Signal::CHILD
            {
                let _ = kill_process(pid, signal);
            }
        }
    }
}

fn pty_error(e: impl std::fmt::Display) -> Error {
    Error::io(
        "cannot run the command on a pseudo-terminal",
        std::io::Error::other(e.to_string()),
    )
}

/// `--answer`: runs the command on a pseudo-terminal, passing the user's terminal through both
/// ways, and types a code at each prompt.
fn answer_prompts(
    ctx: &Context,
    entry: &Entry,
    prompt: &regex::bytes::Regex,
    fresh: Option<u32>,
    command: &[OsString],
) -> Result<ExitStatus> {
    use portable_pty::{CommandBuilder, PtySize, native_pty_system};
    let on_terminal = ctx.stdin_is_terminal;
    let size = |(cols, rows): (u16, u16)| PtySize {
        rows,
        cols,
        pixel_width: 0,
        pixel_height: 0,
    };
    let initial = on_terminal
        .then(|| crossterm::terminal::size().ok())
        .flatten()
        .unwrap_or((80, 24));
    let pair = native_pty_system()
        .openpty(size(initial))
        .map_err(pty_error)?;
    let mut builder = CommandBuilder::from_argv(command.to_vec());
    // portable-pty starts commands in the home directory unless told otherwise.
    if let Ok(dir) = std::env::current_dir() {
        builder.cwd(dir);
    }
    let mut child = pair.slave.spawn_command(builder).map_err(pty_error)?;
    // Only the command holds the terminal's other end: its exit ends our reads.
    drop(pair.slave);
    let mut killer = child.clone_killer();
    let mut reader = pair.master.try_clone_reader().map_err(pty_error)?;
    let writer = Arc::new(Mutex::new(pair.master.take_writer().map_err(pty_error)?));
    let master = Arc::new(Mutex::new(pair.master));

    let raw = on_terminal.then(RawMode::enter).transpose().map_err(|e| {
        let _ = killer.kill();
        Error::io("cannot drive the terminal", e)
    })?;
    let raw = Arc::new(Mutex::new(raw));
    {
        let writer = Arc::clone(&writer);
        std::thread::spawn(move || pass_input(&writer));
    }
    watch_signals(on_terminal, Arc::clone(&master), Arc::clone(&raw), killer)?;

    let mut out = std::io::stdout();
    let mut seen: Vec<u8> = Vec::new();
    let mut buf = [0u8; 4096];
    let mut failure = None;
    loop {
        let n = match reader.read(&mut buf) {
            // EIO is how Linux says the command and its children closed the terminal.
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        let _ = out.write_all(&buf[..n]).and_then(|()| out.flush());
        seen.extend_from_slice(&buf[..n]);
        while let Some(end) = prompt.find(&seen).map(|m| m.end()) {
            seen.drain(..end);
            match handout::code_now(&ctx.vault, entry, fresh, false) {
                Ok(code) => {
                    let mut line = zeroize::Zeroizing::new(format!("{code}\r"));
                    if let Ok(mut w) = writer.lock() {
                        let _ = w.write_all(line.as_bytes()).and_then(|()| w.flush());
                    }
                    zeroize::Zeroize::zeroize(&mut *line);
                }
                Err(e) => {
                    // No code to give: the command must not wait for one forever.
                    failure = Some(e);
                    let _ = child.kill();
                    break;
                }
            }
        }
        if seen.len() > SCAN_WINDOW {
            seen.drain(..seen.len() - SCAN_WINDOW);
        }
    }
    let status = wait_for(child);
    if let Ok(mut raw) = raw.lock() {
        raw.take();
    }
    if let Some(e) = failure {
        return Err(e.into());
    }
    status
}

/// The command's status, as the standard library reports it (portable-pty's own status has
/// the signal's name, not its number).
fn wait_for(child: Box<dyn portable_pty::Child + Send + Sync>) -> Result<ExitStatus> {
    let wait_error = |e| Error::io("cannot wait for the command", e);
    match child.into_any().downcast::<std::process::Child>() {
        Ok(mut child) => child.wait().map_err(wait_error),
        Err(_) => Err(wait_error(std::io::Error::other(
            "unexpected kind of child process",
        ))),
    }
}

/// Copies what the user types to the command. At the end of our input the terminal stays
/// open: closing it would hang up on the command.
fn pass_input(writer: &Mutex<Box<dyn Write + Send>>) {
    let mut input = std::io::stdin();
    let mut buf = [0u8; 1024];
    loop {
        let n = match input.read(&mut buf) {
            Ok(0) | Err(_) => return,
            Ok(n) => n,
        };
        let Ok(mut w) = writer.lock() else { return };
        if w.write_all(&buf[..n]).and_then(|()| w.flush()).is_err() {
            return;
        }
    }
}

/// Forwards window size changes to the command's terminal, and on SIGTERM, SIGHUP or SIGINT
/// puts the user's terminal back and hangs up on the command, whose status then ends `otp`.
fn watch_signals(
    on_terminal: bool,
    master: Arc<Mutex<Box<dyn portable_pty::MasterPty + Send>>>,
    raw: Arc<Mutex<Option<RawMode>>>,
    mut killer: Box<dyn portable_pty::ChildKiller + Send + Sync>,
) -> Result<()> {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM, SIGWINCH};
    let mut signals = signal_hook::iterator::Signals::new([SIGWINCH, SIGTERM, SIGHUP, SIGINT])
        .map_err(|e| Error::io("cannot set up signal handling", e))?;
    std::thread::spawn(move || {
        for signal in signals.forever() {
            if signal == SIGWINCH {
                if let (true, Ok((cols, rows))) = (on_terminal, crossterm::terminal::size())
                    && let Ok(m) = master.lock()
                {
                    let _ = m.resize(portable_pty::PtySize {
                        rows,
                        cols,
                        pixel_width: 0,
                        pixel_height: 0,
                    });
                }
                continue;
            }
            if let Ok(mut raw) = raw.lock() {
                raw.take();
            }
            let _ = killer.kill();
        }
    });
    Ok(())
}

/// The user's terminal in raw mode (keys reach the command as typed, Ctrl-C included) until
/// dropped.
struct RawMode;

impl RawMode {
    fn enter() -> std::io::Result<RawMode> {
        crossterm::terminal::enable_raw_mode()?;
        Ok(RawMode)
    }
}

impl Drop for RawMode {
    fn drop(&mut self) {
        let _ = crossterm::terminal::disable_raw_mode();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_names_are_checked() {
        assert!(check_env_name("OTP_CODE").is_ok());
        assert!(check_env_name("").is_err());
        assert!(check_env_name("A=B").is_err());
    }

    #[test]
    fn a_signal_is_reported_as_a_shell_does() {
        assert_eq!(status_code(ExitStatus::from_raw(3 << 8)), 3);
        assert_eq!(status_code(ExitStatus::from_raw(15)), 143);
    }
}
