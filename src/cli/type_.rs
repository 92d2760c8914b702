/*!
`otp type QUERY`: types the current code into the focused window, for a key binding.

The typing is done by the session's own tool: `wtype` under Wayland (`WAYLAND_DISPLAY`),
`xdotool type --clearmodifiers` under X11 (`DISPLAY`); both read the text from stdin, so the
code never appears on a command line. The tool is looked for before anything else happens, so
that a missing one does not use up an HOTP counter.
*/

use super::Context;
use crate::error::{Error, Refused, Result, Usage};
use crate::handout;
use crate::vault::Vault;
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Entry (id, issuer:account, issuer, account or part of the name)
    pub query: String,
    /// If fewer than S seconds of the code remain, wait for the next one first
    #[arg(long, value_name = "S")]
    pub fresh: Option<u32>,
}

/// A program that types text into the focused window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Typist {
    Wtype,
    Xdotool,
}

impl Typist {
    /// The tool for the session: Wayland first (an X server there is only XWayland, which
    /// reaches X11 windows alone), then X11.
    pub(crate) fn for_session(wayland: bool, x11: bool) -> Option<Typist> {
        match (wayland, x11) {
            (true, _) => Some(Typist::Wtype),
            (false, true) => Some(Typist::Xdotool),
            (false, false) => None,
        }
    }

    fn program(self) -> &'static str {
        match self {
            Typist::Wtype => "wtype",
            Typist::Xdotool => "xdotool",
        }
    }

    /// Its arguments to type what comes on stdin.
    fn args(self) -> &'static [&'static str] {
        match self {
            Typist::Wtype => &["-"],
            // --clearmodifiers: the keys of the binding that ran us may still be held down.
            Typist::Xdotool => &["type", "--clearmodifiers", "--file", "-"],
        }
    }
}

fn is_set(name: &str) -> bool {
    std::env::var_os(name).is_some_and(|v| !v.is_empty())
}

fn find_on_path(program: &str) -> Option<PathBuf> {
    let paths = std::env::var_os("PATH")?;
    std::env::split_paths(&paths)
        .map(|dir| dir.join(program))
        .find(|p| p.is_file())
}

pub(crate) fn run(ctx: &Context, args: Args) -> Result<()> {
    let Some(typist) = Typist::for_session(is_set("WAYLAND_DISPLAY"), is_set("DISPLAY")) else {
        return Err(Refused::NoSession.into());
    };
    let program = find_on_path(typist.program()).ok_or(Refused::NotInstalled {
        program: typist.program(),
    })?;
    let entry = Vault::find(&ctx.vault, &args.query)??;
    if entry.is_counter_based() && args.fresh.is_some() {
        return Err(Usage::NotTimeBased { options: "--fresh" }.into());
    }
    let code = handout::code_now(&ctx.vault, &entry, args.fresh, ctx.stderr_is_terminal)?;
    let failed = |e| Error::io(format!("cannot type the code with {}", typist.program()), e);
    let mut child = Command::new(&program)
        .args(typist.args())
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .map_err(failed)?;
    if let Some(mut input) = child.stdin.take() {
        input.write_all(code.as_str().as_bytes()).map_err(failed)?;
    }
    drop(code);
    let status = child.wait().map_err(failed)?;
    if !status.success() {
        return Err(failed(std::io::Error::other(format!(
            "it ended with {status}"
        ))));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_session_chooses_the_tool() {
        assert_eq!(Typist::for_session(true, true), Some(Typist::Wtype));
        assert_eq!(Typist::for_session(false, true), Some(Typist::Xdotool));
        assert_eq!(Typist::for_session(false, false), None);
    }
}
