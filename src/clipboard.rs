/*!
The clipboard: copying a code so that it can still be pasted after `otp` has exited and is
cleared safely afterwards, and reading the clipboard for `otp add --clipboard`.

Every command with `-c` goes through [`copy`]. How the text gets there depends on the session:

- **A display (X11, Wayland; always on macOS and Windows).** On X11 and Wayland a selection is
  served by the process that owns it: when that process exits, the copy is gone. So `otp`
  re-executes itself as a detached child, `otp __serve-clipboard` (its own process group, the
  text on stdin — never in argv or the environment), which takes the selection, answers
  `ready` on its stdout once it owns it (so a paste right after `otp` returns never misses),
  keeps serving until the deadline, and then clears the clipboard only if it still holds the
  code: whatever the user copied since is left alone. The copy carries the password-manager
  hint (`x-kde-passwordManagerHint: secret`), so clipboard managers keep no history of it.
  macOS and Windows keep a copy after its owner exits; the child is still what clears it.
- **No display but an SSH session, or `--osc52`.** The OSC 52 escape asks the user's terminal
  to put the text on the local clipboard. A terminal offers no "clear only if unchanged", so
  such a copy is not cleared.
*/

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};
use zeroize::Zeroizing;

/// How long `otp` waits for the detached owner to take the selection.
const READY_TIMEOUT: Duration = Duration::from_secs(3);

/// How often an owner that cannot wait on its selection looks whether it still holds it.
const POLL: Duration = Duration::from_millis(500);

/// How long the owner serves before it looks whether its backend waits (X11) or not.
const PROBE: Duration = Duration::from_millis(20);

/// How often an owner with no deadline makes sure its display is still there.
const RECHECK: Duration = Duration::from_secs(30);

/// What the detached owner prints on stdout once it owns the selection.
pub(crate) const READY: &str = "ready";

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(
        "no clipboard: no display (DISPLAY and WAYLAND_DISPLAY are unset) and no SSH session \
         to send it through the terminal"
    )]
    NoClipboard,
    #[error("no display to read a clipboard from (DISPLAY and WAYLAND_DISPLAY are unset)")]
    NoDisplay,
    #[error("no terminal to send it through (OSC 52)")]
    NoTerminal,
    #[error("the clipboard is not available: {0}")]
    Unavailable(String),
    #[error("the clipboard holds neither text nor an image")]
    Empty,
    #[error("cannot start the process that keeps the clipboard: {0}")]
    Spawn(std::io::Error),
    /// The detached owner failed or did not answer in time.
    #[error("the process that keeps the clipboard {0}")]
    Owner(String),
}

impl Error {
    /// What the user can do instead, beyond printing the code.
    pub(crate) fn hint(&self) -> Option<&'static str> {
        match self {
            Error::NoClipboard | Error::NoTerminal | Error::Unavailable(_) | Error::Owner(_) => {
                Some("use --osc52 to send it through a terminal that supports OSC 52")
            }
            _ => None,
        }
    }
}

fn unavailable(e: arboard::Error) -> Error {
    match e {
        arboard::Error::ContentNotAvailable => Error::Empty,
        other => Error::Unavailable(one_line(&other.to_string())),
    }
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// How a copy is made.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CopyOptions {
    /// Seconds until the copy is cleared; 0 means never.
    pub clear_after: u64,
    /// Use the terminal (OSC 52) even when a display is available.
    pub osc52: bool,
}

/// The session `otp` runs in, as far as the clipboard cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Session {
    /// A display server whose clipboard arboard can use (on macOS and Windows: a local
    /// session).
    pub display: bool,
    /// Logged in over SSH: the user's clipboard is on the other end of the terminal.
    pub ssh: bool,
}

impl Session {
    pub(crate) fn detect() -> Session {
        let set = |name: &str| std::env::var_os(name).is_some_and(|v| !v.is_empty());
        let ssh = set("SSH_CONNECTION") || set("SSH_TTY");
        // macOS and Windows always have a clipboard, but over SSH it is the far machine's.
        let display = if platform::NEEDS_DISPLAY {
            set("DISPLAY") || set("WAYLAND_DISPLAY")
        } else {
            !ssh
        };
        Session { display, ssh }
    }
}

/// Where a copy goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Method {
    /// The system clipboard, served (and cleared) by a detached `otp __serve-clipboard`.
    System,
    /// The terminal's clipboard through the OSC 52 escape.
    Terminal,
}

impl Method {
    /// Picks the method for a session; an error when there is no clipboard at all.
    /// A display over SSH is a forwarded one, on the user's screen: it wins, as it does for
    /// xclip and wl-copy.
    pub(crate) fn choose(session: Session, opts: &CopyOptions) -> Result<Method, Error> {
        if opts.osc52 {
            Ok(Method::Terminal)
        } else if session.display {
            Ok(Method::System)
        } else if session.ssh {
            Ok(Method::Terminal)
        } else {
            Err(Error::NoClipboard)
        }
    }
}

/// What happened to a copy, for the line `otp` shows the user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Copied {
    /// On the system clipboard; cleared after this many seconds (0: never).
    System { clear_after: u64 },
    /// Sent to the terminal (OSC 52); the terminal decides, and nothing clears it.
    Terminal,
}

impl Copied {
    /// `copied 123 456 (GitHub alice), clears in 20 s`.
    pub(crate) fn describe(&self, what: &str) -> String {
        match self {
            Copied::System { clear_after: 0 } => format!("copied {what}, not cleared"),
            Copied::System { clear_after } => {
                format!("copied {what}, clears in {clear_after} s")
            }
            Copied::Terminal => {
                format!("sent {what} to the terminal's clipboard (OSC 52), not cleared")
            }
        }
    }
}

/// Which method a copy would use, without copying: commands check this before they
/// consume anything (an HOTP counter) for a copy that cannot happen.
pub(crate) fn method(opts: &CopyOptions) -> Result<Method, Error> {
    let method = Method::choose(Session::detect(), opts)?;
    if method == Method::Terminal {
        terminal()?;
    }
    Ok(method)
}

/// Puts `text` on the clipboard and returns once it can be pasted.
pub(crate) fn copy(text: &str, opts: &CopyOptions) -> Result<Copied, Error> {
    match method(opts)? {
        Method::System => {
            spawn_owner(text, opts.clear_after)?;
            Ok(Copied::System {
                clear_after: opts.clear_after,
            })
        }
        Method::Terminal => {
            osc52(text)?;
            Ok(Copied::Terminal)
        }
    }
}

/// The OSC 52 escape that sets the clipboard (`c`) to `text`.
pub(crate) fn osc52_sequence(text: &str) -> Zeroizing<String> {
    use base64::Engine;
    let encoded = Zeroizing::new(base64::engine::general_purpose::STANDARD.encode(text));
    Zeroizing::new(format!("\x1b]52;c;{}\x07", encoded.as_str()))
}

/// The user's terminal: stdout if it is one, else the controlling terminal.
fn terminal() -> Result<Box<dyn Write>, Error> {
    use std::io::IsTerminal;
    if std::io::stdout().is_terminal() {
        return Ok(Box::new(std::io::stdout()));
    }
    match std::fs::OpenOptions::new().write(true).open("/dev/tty") {
        Ok(tty) => Ok(Box::new(tty)),
        Err(_) => Err(Error::NoTerminal),
    }
}

fn osc52(text: &str) -> Result<(), Error> {
    let sequence = osc52_sequence(text);
    let mut out = terminal()?;
    out.write_all(sequence.as_bytes())
        .and_then(|()| out.flush())
        .map_err(|e| Error::Unavailable(format!("cannot write to the terminal: {e}")))
}

/// Starts `otp __serve-clipboard` detached, hands it `text` and waits for its `ready`.
fn spawn_owner(text: &str, clear_after: u64) -> Result<(), Error> {
    let exe = std::env::current_exe().map_err(Error::Spawn)?;
    let mut cmd = Command::new(exe);
    cmd.args([
        "__serve-clipboard",
        "--clear-after",
        &clear_after.to_string(),
    ])
    .stdin(Stdio::piped())
    .stdout(Stdio::piped())
    // It outlives us: it must not hold our stderr (a caller reading it to the end would
    // wait for the deadline) nor our working directory.
    .stderr(Stdio::null())
    .current_dir(std::env::temp_dir())
    // Nor, for its 20 s, a passphrase it has no use for.
    .env_remove("OTP_PASSPHRASE");
    platform::detach(&mut cmd);
    let mut child = cmd.spawn().map_err(Error::Spawn)?;

    if let Some(mut stdin) = child.stdin.take() {
        // A failed write shows as the child's answer below.
        let _ = stdin.write_all(text.as_bytes());
    }
    let Some(stdout) = child.stdout.take() else {
        return Err(Error::Owner("has no output".into()));
    };
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = BufReader::new(stdout).read_line(&mut line);
        let _ = tx.send(line);
    });
    match rx.recv_timeout(READY_TIMEOUT) {
        // Not waited for: it runs on after we exit, and init reaps it.
        Ok(line) if line.trim_end() == READY => Ok(()),
        Ok(line) => {
            let _ = child.wait();
            let why = line.trim_end().strip_prefix("error: ").unwrap_or("");
            Err(Error::Owner(if why.is_empty() {
                "stopped before taking the clipboard".into()
            } else {
                format!("failed: {why}")
            }))
        }
        Err(_) => {
            let _ = child.kill();
            let _ = child.wait();
            Err(Error::Owner(format!(
                "did not take the clipboard within {} s",
                READY_TIMEOUT.as_secs()
            )))
        }
    }
}

/// The detached owner's work (`otp __serve-clipboard`): take the clipboard with `text`,
/// call `ready` once it is ours, serve it until `clear_after` seconds have passed (0: until
/// another program takes it), then clear it if it still holds `text`.
pub(crate) fn serve(text: &str, clear_after: u64, ready: impl FnOnce()) -> Result<(), Error> {
    let mut clipboard = arboard::Clipboard::new().map_err(unavailable)?;
    // Taking the clipboard also tells the two kinds of backend apart. X11's set serves in
    // this thread, so it waits as asked and returns early only when another program takes
    // the selection; Wayland's (and macOS's, Windows') returns at once.
    let started = Instant::now();
    platform::set_text(&mut clipboard, text, Hold::Until(started + PROBE))?;
    let waits = started.elapsed() >= PROBE / 2;
    // On X11, reading while we own the selection asks the server who owns it: a match
    // means the selection is ours and a paste will reach us.
    if !holds(&mut clipboard, text) {
        return Err(Error::Unavailable("it did not keep the code".into()));
    }
    ready();

    let deadline = Instant::now().checked_add(Duration::from_secs(clear_after));
    match deadline.filter(|_| clear_after > 0) {
        None if waits => loop {
            let started = Instant::now();
            // Setting the same text again re-asserts the ownership we already have.
            platform::set_text(&mut clipboard, text, Hold::Until(started + RECHECK))?;
            if started.elapsed() < RECHECK {
                return Ok(()); // replaced
            }
            // Still ours. arboard's X11 wait would not end if the X server went away
            // (logout), but the next set fails then: so wait in rounds, not forever.
        },
        None => platform::set_text(&mut clipboard, text, Hold::UntilReplaced),
        Some(deadline) if waits => {
            platform::set_text(&mut clipboard, text, Hold::Until(deadline))?;
            if Instant::now() < deadline {
                // Another program took the selection: the user copied something else,
                // which must not be touched (not even the same code, copied again by a
                // later `otp` that clears it in its own time).
                return Ok(());
            }
            clear_if_held(&mut clipboard, text)
        }
        Some(deadline) => loop {
            // A backend that serves from a thread: watch the clipboard until the deadline.
            if !holds(&mut clipboard, text) {
                return Ok(());
            }
            let Some(left) = deadline.checked_duration_since(Instant::now()) else {
                return clear_if_held(&mut clipboard, text);
            };
            std::thread::sleep(left.min(POLL));
        },
    }
}

fn clear_if_held(clipboard: &mut arboard::Clipboard, text: &str) -> Result<(), Error> {
    if holds(clipboard, text) {
        clipboard.clear().map_err(unavailable)?;
    }
    Ok(())
}

fn holds(clipboard: &mut arboard::Clipboard, text: &str) -> bool {
    clipboard
        .get_text()
        .map(Zeroizing::new)
        .is_ok_and(|current| current.as_str() == text)
}

/// How long a set keeps serving the clipboard before it returns. Only X11 and Wayland read
/// it: the macOS and Windows clipboards keep their own copy, and a set returns at once.
#[derive(Debug, Clone, Copy)]
#[cfg_attr(any(target_os = "macos", windows), allow(dead_code))]
enum Hold {
    Until(Instant),
    UntilReplaced,
}

/// What the clipboard holds, for `otp add --clipboard`.
pub enum Content {
    Text(Zeroizing<String>),
    /// RGBA, 4 bytes a pixel, rows top to bottom.
    Image {
        width: usize,
        height: usize,
        rgba: Vec<u8>,
    },
}

impl std::fmt::Debug for Content {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Content::Text(_) => f.write_str("Text(…)"),
            Content::Image { width, height, .. } => write!(f, "Image({width}×{height})"),
        }
    }
}

/// Reads the clipboard: an image (a screenshot of a QR code) if it holds one, else text.
pub fn read() -> Result<Content, Error> {
    if !Session::detect().display {
        return Err(Error::NoDisplay);
    }
    let mut clipboard = arboard::Clipboard::new().map_err(unavailable)?;
    // Owners that hold only text answer an image request in many ways (no such target, the
    // text under the wrong type: xclip): any failure means "no image here", try text.
    let image_error = match clipboard.get_image() {
        Ok(image) => {
            return Ok(Content::Image {
                width: image.width,
                height: image.height,
                rgba: image.bytes.into_owned(),
            });
        }
        Err(e) => e,
    };
    match clipboard.get_text() {
        Ok(text) => Ok(Content::Text(Zeroizing::new(text))),
        Err(arboard::Error::ContentNotAvailable) => Err(unavailable(image_error)),
        Err(e) => Err(unavailable(e)),
    }
}

#[cfg(all(
    unix,
    not(any(target_os = "macos", target_os = "android", target_os = "emscripten"))
))]
mod platform {
    //! X11 and Wayland: the owner must keep serving; arboard's `wait*` does that.
    use super::{Error, Hold, unavailable};
    use arboard::SetExtLinux;

    pub(crate) const NEEDS_DISPLAY: bool = true;

    pub(crate) fn detach(cmd: &mut std::process::Command) {
        use std::os::unix::process::CommandExt;
        // Its own process group: a Ctrl-C or hang-up meant for the shell's job spares it.
        cmd.process_group(0);
    }

    pub(crate) fn set_text(
        clipboard: &mut arboard::Clipboard,
        text: &str,
        hold: Hold,
    ) -> Result<(), Error> {
        let set = clipboard.set().exclude_from_history();
        let set = match hold {
            Hold::Until(deadline) => set.wait_until(deadline),
            Hold::UntilReplaced => set.wait(),
        };
        set.text(text).map_err(unavailable)
    }
}

#[cfg(target_os = "macos")]
mod platform {
    //! The pasteboard keeps a copy after its owner exits; the child only clears it.
    use super::{Error, Hold, unavailable};
    use arboard::SetExtApple;

    pub(crate) const NEEDS_DISPLAY: bool = false;

    pub(crate) fn detach(cmd: &mut std::process::Command) {
        use std::os::unix::process::CommandExt;
        cmd.process_group(0);
    }

    pub(crate) fn set_text(
        clipboard: &mut arboard::Clipboard,
        text: &str,
        _hold: Hold,
    ) -> Result<(), Error> {
        clipboard
            .set()
            .exclude_from_history()
            .text(text)
            .map_err(unavailable)
    }
}

#[cfg(windows)]
mod platform {
    //! The clipboard keeps a copy after its owner exits; the child only clears it.
    use super::{Error, Hold, unavailable};
    use arboard::SetExtWindows;

    pub(crate) const NEEDS_DISPLAY: bool = false;

    pub(crate) fn detach(cmd: &mut std::process::Command) {
        use std::os::windows::process::CommandExt;
        const DETACHED_PROCESS: u32 = 0x0000_0008;
        const CREATE_NEW_PROCESS_GROUP: u32 = 0x0000_0200;
        cmd.creation_flags(DETACHED_PROCESS | CREATE_NEW_PROCESS_GROUP);
    }

    pub(crate) fn set_text(
        clipboard: &mut arboard::Clipboard,
        text: &str,
        _hold: Hold,
    ) -> Result<(), Error> {
        clipboard
            .set()
            .exclude_from_history()
            .exclude_from_cloud()
            .text(text)
            .map_err(unavailable)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BOTH: Session = Session {
        display: true,
        ssh: true,
    };
    const NONE: Session = Session {
        display: false,
        ssh: false,
    };

    fn opts(osc52: bool) -> CopyOptions {
        CopyOptions {
            clear_after: 20,
            osc52,
        }
    }

    #[test]
    fn a_display_wins_then_ssh_then_nothing() {
        assert_eq!(Method::choose(BOTH, &opts(false)).unwrap(), Method::System);
        let ssh = Session {
            display: false,
            ssh: true,
        };
        assert_eq!(Method::choose(ssh, &opts(false)).unwrap(), Method::Terminal);
        assert!(matches!(
            Method::choose(NONE, &opts(false)),
            Err(Error::NoClipboard)
        ));
    }

    #[test]
    fn osc52_forced_needs_no_display() {
        assert_eq!(Method::choose(BOTH, &opts(true)).unwrap(), Method::Terminal);
        assert_eq!(Method::choose(NONE, &opts(true)).unwrap(), Method::Terminal);
    }

    #[test]
    fn osc52_sequence_is_base64_between_esc_52_and_bel() {
        // base64("123456") = "MTIzNDU2"
        assert_eq!(osc52_sequence("123456").as_str(), "\x1b]52;c;MTIzNDU2\x07");
    }

    #[test]
    fn describes_what_happens_to_the_copy() {
        let what = "123 456 (GitHub alice)";
        assert_eq!(
            Copied::System { clear_after: 20 }.describe(what),
            "copied 123 456 (GitHub alice), clears in 20 s"
        );
        assert_eq!(
            Copied::System { clear_after: 0 }.describe(what),
            "copied 123 456 (GitHub alice), not cleared"
        );
        assert!(Copied::Terminal.describe(what).contains("OSC 52"));
    }

    #[test]
    fn errors_are_one_line() {
        for e in [
            Error::NoClipboard,
            Error::NoDisplay,
            Error::NoTerminal,
            Error::Empty,
        ] {
            assert!(!e.to_string().contains('\n'), "{e}");
        }
    }
}
