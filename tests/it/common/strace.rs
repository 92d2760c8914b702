//! Fault injection with Debian's `strace`: run a command with one of its system calls made to
//! fail (`-e inject=SYSCALL:error=ERRNO:when=N`), and list the calls a command makes, so that
//! a test can aim a fault at each of them in turn. Callers check `require_tool("strace")`.

use std::ffi::OsString;
use std::path::Path;
use std::process::{Command, Output, Stdio};

/// A fault: the `when`-th call of `syscall` fails with `errno` (counted per thread, as
/// strace counts).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inject {
    pub syscall: String,
    pub errno: String,
    pub when: usize,
}

impl Inject {
    fn spec(&self) -> String {
        format!(
            "inject={}:error={}:when={}",
            self.syscall, self.errno, self.when
        )
    }
}

/// One call seen by [`trace`]: the call's name, which call of that name it is in its thread
/// (1-based, what `when` counts), and strace's line for it (the thread's id first, file
/// descriptors shown with their paths, `-y`).
#[derive(Debug, Clone)]
pub struct Call {
    pub name: String,
    pub nth: usize,
    pub line: String,
}

/// `cmd` (program, arguments, environment, working directory) run under `strace -f` with
/// `faults` injected; strace's own trace is discarded. Stdin is closed.
pub fn with_faults(cmd: &Command, faults: &[Inject]) -> Command {
    let mut args: Vec<OsString> = ["-f", "-qq", "-o", "/dev/null"]
        .iter()
        .map(OsString::from)
        .collect();
    for fault in faults {
        args.push("-e".into());
        args.push(fault.spec().into());
    }
    wrap(cmd, args)
}

/// Runs `cmd` under strace tracing `syscalls`, and returns its output and the calls it made,
/// in order.
pub fn trace(cmd: &Command, syscalls: &[&str], log: &Path) -> (Output, Vec<Call>) {
    let args: Vec<OsString> = vec![
        "-f".into(),
        "-qq".into(),
        "-y".into(),
        "-o".into(),
        log.into(),
        "-e".into(),
        format!("trace={}", syscalls.join(",")).into(),
    ];
    let out = wrap(cmd, args).output().expect("run strace");
    let text = std::fs::read_to_string(log).expect("strace log");
    (out, parse(&text))
}

fn wrap(cmd: &Command, strace_args: Vec<OsString>) -> Command {
    let mut wrapped = Command::new("strace");
    wrapped
        .args(strace_args)
        .arg("--")
        .arg(cmd.get_program())
        .args(cmd.get_args())
        .stdin(Stdio::null());
    for (key, value) in cmd.get_envs() {
        match value {
            Some(value) => wrapped.env(key, value),
            None => wrapped.env_remove(key),
        };
    }
    if let Some(dir) = cmd.get_current_dir() {
        wrapped.current_dir(dir);
    }
    wrapped
}

/// strace's `-f -o` lines: `PID name(args) = result`, or `PID name(args <unfinished ...>`
/// when threads interleave (its `<... name resumed>` half is not another call).
fn parse(text: &str) -> Vec<Call> {
    let mut counts: std::collections::HashMap<(u32, String), usize> = Default::default();
    let mut calls = Vec::new();
    for line in text.lines() {
        let Some((pid, rest)) = line.split_once(' ') else {
            continue;
        };
        let Ok(pid) = pid.parse::<u32>() else {
            continue;
        };
        let rest = rest.trim_start();
        let Some((name, _)) = rest.split_once('(') else {
            continue;
        };
        if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
            continue;
        }
        let nth = counts.entry((pid, name.to_string())).or_default();
        *nth += 1;
        calls.push(Call {
            name: name.to_string(),
            nth: *nth,
            line: line.to_string(),
        });
    }
    calls
}
