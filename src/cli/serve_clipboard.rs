//! `otp __serve-clipboard` (hidden): the detached process that owns a copied code.
//!
//! `otp code -c` starts it (see [`crate::clipboard`]): the text arrives on stdin, never in
//! argv or the environment; it answers `ready` (or `error: …`) on stdout, then serves the
//! clipboard until the deadline and clears it if it still holds the text.

use crate::clipboard;
use crate::error::{Error, Result, Usage};
use std::io::{IsTerminal, Read, Write};
use zeroize::Zeroizing;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Seconds until the clipboard is cleared (0: serve until something else is copied)
    #[arg(long, value_name = "S")]
    pub clear_after: u64,
}

/// Runs without the vault or the config: it only serves text it was handed.
pub(crate) fn run(args: &Args) -> Result<()> {
    if std::io::stdin().is_terminal() {
        return Err(Usage::Internal.into());
    }
    let mut text = Zeroizing::new(String::new());
    std::io::stdin()
        .read_to_string(&mut text)
        .map_err(|e| Error::io("cannot read the text to copy", e))?;
    let answer = |line: &str| {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{line}").and_then(|()| out.flush());
    };
    clipboard::serve(&text, args.clear_after, || answer(clipboard::READY)).map_err(|e| {
        // Before `ready` this reaches the waiting `otp`; after it, nobody listens.
        answer(&format!("error: {e}"));
        Error::from(e)
    })
}
