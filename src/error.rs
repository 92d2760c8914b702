/*!
The command line's error type and exit codes (docs/CONTRACT.md, "Exit codes").

Each library module has its own error enum; this one gathers them at the command boundary,
next to the errors of the commands themselves. Every variant says what went wrong; what the
user can do about it is its [`Error::hint`], printed on a `hint:` line; its exit code follows
from the variant ([`Error::exit`]), so numbers are not scattered through the code.
*/

use crate::qr::encode as qr;
use crate::vault::document;
use crate::{clipboard, config, entry, export, import, keys, query, sync, uri, vault};
use std::path::PathBuf;

/// Exit codes, as documented in the README and docs/CONTRACT.md.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    Success = 0,
    Failure = 1,
    Usage = 2,
    NoMatch = 3,
    Ambiguous = 4,
    Locked = 5,
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Vault(#[from] vault::Error),
    #[error(transparent)]
    Query(#[from] query::Error),
    #[error(transparent)]
    Config(#[from] config::Error),
    /// One input (a URI, a line of stdin, an image) was rejected.
    #[error("cannot add {source_name}: {reason}")]
    Input { source_name: String, reason: String },
    #[error("invalid {what}: {source}")]
    Entry {
        what: &'static str,
        source: entry::Error,
    },
    /// The vault's rules refused a change (a duplicate account, a read-only newer vault).
    #[error(transparent)]
    Document(#[from] document::Error),
    /// `otp add`: the vault refuses one input's entry (an account it has, with another key).
    #[error("cannot add {source_name}: {source}")]
    Add {
        source_name: String,
        source: document::Error,
    },
    /// `otp merge FILE`: the other copy cannot be merged.
    #[error("cannot merge {}: {source}", file.display())]
    Merge {
        file: PathBuf,
        source: document::Error,
    },
    #[error(transparent)]
    Key(#[from] keys::Error),
    /// `-c` could not put the text on the clipboard; `instead` prints it.
    #[error("cannot copy the code: {source}")]
    Copy {
        source: clipboard::Error,
        instead: String,
    },
    #[error(transparent)]
    Clipboard(#[from] clipboard::Error),
    #[error(transparent)]
    Export(#[from] export::Error),
    #[error(transparent)]
    Qr(#[from] qr::Error),
    #[error(transparent)]
    Sync(#[from] sync::Error),
    /// A file `otp import` cannot read.
    #[error("cannot import {file}: {source}")]
    Import { file: String, source: import::Error },
    /// The password of an encrypted export is wrong or missing. Exit 5, as for a vault: the
    /// contract's "cannot be unlocked" covers every file otp decrypts.
    #[error("cannot unlock backup {}: {cause}", file.display())]
    ImportPassword { file: PathBuf, cause: String },
    /// Importing would change the key of accounts the vault has, without `--replace`.
    #[error(
        "cannot import {file}: {} already {} with a different secret ({})",
        conflicts.join(", "),
        if conflicts.len() == 1 { "exists" } else { "exist" },
        if *dry_run { "the import would fail" } else { "nothing was imported" }
    )]
    ImportConflict {
        file: String,
        conflicts: Vec<String>,
        dry_run: bool,
    },
    #[error(transparent)]
    Usage(#[from] Usage),
    #[error(transparent)]
    Refused(#[from] Refused),
    #[error(transparent)]
    Device(#[from] Device),
    #[error(transparent)]
    Recovery(#[from] Recovery),
    #[error(transparent)]
    SyncSetup(#[from] SyncSetup),
    #[error("{what}: {source}")]
    Io {
        what: String,
        source: std::io::Error,
    },
    /// stdout was closed (`otp list | head -1`): end quietly, successfully.
    #[error("broken pipe")]
    BrokenPipe,
    /// `otp pick` left without a choice: nothing to say, but no code either.
    #[error("nothing was chosen")]
    NoChoice,
    /// `otp run`: the command failed and has spoken for itself; `otp` exits with its status
    /// (its exit code, or 128+N when signal N killed it).
    #[error("the command exited with status {code}")]
    Command { code: i32 },
}

/// The command line asks for something that cannot work as given. Exit 2.
#[derive(Debug, thiserror::Error)]
pub enum Usage {
    /// An interactive command without the terminal it needs.
    #[error("{command} needs a terminal: {stream} is not one")]
    NeedsTerminal {
        command: &'static str,
        stream: &'static str,
        instead: &'static str,
    },
    /// A prompt (for a secret, a confirmation) with stdin not a terminal.
    #[error("cannot ask for {what}: stdin is not a terminal")]
    CannotPrompt {
        what: &'static str,
        instead: &'static str,
    },
    /// A destructive change, with no terminal to confirm it on and no `--yes`.
    #[error("refusing to {action} without confirmation: stdin is not a terminal")]
    Unconfirmed { action: &'static str },
    /// Something only a terminal should be shown (QR codes of secrets).
    #[error("refusing to draw {what}: stdout is not a terminal")]
    NotOnTerminal {
        what: &'static str,
        instead: &'static str,
    },
    /// Options that apply only to time-based entries, given for an HOTP one.
    #[error("{options} {} to time-based codes; this entry is HOTP", if options.contains(' ') { "apply" } else { "applies" })]
    NotTimeBased { options: &'static str },
    /// An option's value is not what it takes. `value` is never a secret.
    #[error("invalid {option} {value:?}: {why}")]
    Invalid {
        option: &'static str,
        value: String,
        why: String,
        hint: Option<&'static str>,
    },
    /// The arguments leave nothing to do.
    #[error("nothing to {what}")]
    NothingGiven {
        what: &'static str,
        give: &'static str,
    },
    /// Two things that cannot be given together.
    #[error("{first} and {second} cannot be given together")]
    Together {
        first: &'static str,
        second: &'static str,
        hint: &'static str,
    },
    /// `otp recovery add` with an empty list.
    #[error("no recovery codes given")]
    NoRecoveryCodes,
    /// `-` (stdin) named twice.
    #[error("`-` (stdin) can be given only once")]
    StdinTwice,
    /// `--password-stdin` and an empty first line.
    #[error("--password-stdin: stdin holds no password")]
    NoPasswordOnStdin,
    /// An option that belongs to another format.
    #[error("{option} is for --format {format}")]
    WrongFormat {
        option: &'static str,
        format: &'static str,
        hint: &'static str,
    },
    /// A plaintext export without `--plaintext`.
    #[error("--format {format} shows every secret in plaintext {target}")]
    PlaintextNotConfirmed {
        format: &'static str,
        target: &'static str,
    },
    /// A passphrase vault has no key for `otp key` to work on.
    #[error("this vault is encrypted with a passphrase: it has no key to {what}")]
    NoKey { what: String },
    #[error("cannot find a home directory")]
    NoHome,
    #[error("__serve-clipboard is internal")]
    Internal,
}

impl Usage {
    fn hint(&self) -> Option<String> {
        Some(match self {
            Usage::NeedsTerminal { instead, .. }
            | Usage::CannotPrompt { instead, .. }
            | Usage::NotOnTerminal { instead, .. } => instead.to_string(),
            Usage::NotTimeBased { .. } => return None,
            Usage::Invalid { hint, .. } => return hint.map(str::to_string),
            Usage::NothingGiven { give, .. } => give.to_string(),
            Usage::Together { hint, .. } | Usage::WrongFormat { hint, .. } => hint.to_string(),
            Usage::StdinTwice => return None,
            Usage::NoRecoveryCodes => {
                "give them as arguments, or `-` and one code a line on stdin".into()
            }
            Usage::Unconfirmed { .. } => "pass --yes".into(),
            Usage::NoPasswordOnStdin => "put the password on the first line of stdin".into(),
            Usage::PlaintextNotConfirmed { .. } => "add --plaintext (and -o FILE), or export the \
                passphrase-encrypted default (--format age)"
                .into(),
            Usage::NoKey { .. } => "the passphrase is the key: `otp export` makes a backup, \
                `otp key rotate` changes the passphrase"
                .into(),
            Usage::NoHome => "give --vault".into(),
            Usage::Internal => "`otp code -c` starts it".into(),
        })
    }
}

/// The command understood, but will not or cannot do it. Exit 1.
#[derive(Debug, thiserror::Error)]
pub enum Refused {
    /// A file otp would have to overwrite. `instead` says what to choose instead.
    #[error("cannot write {}: the file exists; not overwriting it", path.display())]
    Exists {
        path: PathBuf,
        instead: &'static str,
    },
    #[error("nothing to {what}: the vault is empty")]
    EmptyVault { what: &'static str },
    #[error(
        "nothing to export: Google Authenticator's transfer format can carry none of the entries"
    )]
    NothingToExport,
    #[error("{failed} {} failed", if *failed == 1 { "check" } else { "checks" })]
    ChecksFailed { failed: usize },
    #[error(
        "cannot type the code: no graphical session (neither WAYLAND_DISPLAY nor DISPLAY is set)"
    )]
    NoSession,
    #[error("cannot type the code: {program} is not installed")]
    NotInstalled { program: &'static str },
    #[error("cannot encrypt the recovery kit: {0}")]
    SealKit(String),
    #[error("{} is not a recovery kit: it holds no age identity (AGE-SECRET-KEY-1…)", .0.display())]
    NotAKit(PathBuf),
    /// `otp key import` needs the vault the kit belongs to.
    #[error("no vault at {}", .0.display())]
    NoVaultToRestore(PathBuf),
    #[error("{} already exists and holds another key", .0.display())]
    OtherKeyThere(PathBuf),
    /// Rotation stopped after the new key was stored: the vault is encrypted to both keys.
    #[error(
        "cannot rotate the key of {}: the new key was stored in {place}, but {why}; the vault \
         stays encrypted to the previous key too, which still opens it",
        vault.display()
    )]
    RotateUnconfirmed {
        vault: PathBuf,
        place: String,
        why: String,
    },
}

impl Refused {
    fn hint(&self) -> Option<String> {
        Some(match self {
            Refused::Exists { instead, .. } => format!("remove it or choose {instead}"),
            Refused::EmptyVault { .. } => "add an account with `otp add`".into(),
            Refused::NotInstalled { program } => format!("install the {program} package"),
            Refused::NoVaultToRestore(_) => "copy your vault file (or a backup of it) there \
                first, or point --vault at it"
                .into(),
            Refused::OtherKeyThere(_) => {
                "move it away, or restore into another file with --identity PATH".into()
            }
            _ => return None,
        })
    }
}

/// `otp device`: the machines a vault is encrypted to.
#[derive(Debug, thiserror::Error)]
pub enum Device {
    #[error("a passphrase vault needs no devices: every machine opens it with the passphrase")]
    PassphraseVault,
    #[error("invalid device name: it must be 1 to 64 printable characters")]
    BadName,
    #[error("not an age public key (age1…)")]
    BadKey,
    #[error("that key is already {what} of the vault ({name})")]
    Known { what: &'static str, name: String },
    #[error("that is this machine's own key")]
    OwnKey,
    #[error("a device named {0:?} already exists")]
    NameTaken(String),
    #[error("no device named {0:?}")]
    NoSuchDevice(String),
    #[error("cannot remove this machine from its own vault")]
    ThisMachine,
}

impl Device {
    fn hint(&self) -> Option<String> {
        Some(match self {
            Device::PassphraseVault => "devices are for vaults whose key is in the OS keyring or \
                an identity file"
                .into(),
            Device::BadKey | Device::OwnKey => {
                "run `otp device id` on the other machine and copy what it prints".into()
            }
            Device::NameTaken(_) => "remove it first, or choose another name".into(),
            Device::NoSuchDevice(_) => "see `otp device list`".into(),
            Device::ThisMachine => "remove it from another machine of the vault".into(),
            Device::BadName | Device::Known { .. } => return None,
        })
    }
}

/// `otp recovery`: an entry's recovery codes.
#[derive(Debug, thiserror::Error)]
pub enum Recovery {
    #[error("{label} has no recovery codes")]
    None { label: String, id: String },
    #[error("every recovery code of {label} is used")]
    AllUsed { label: String },
    #[error("that is not one of the recovery codes of {label}")]
    NotOne { label: String, id: String },
    #[error("that recovery code of {label} was already used on {date}")]
    Used { label: String, date: String },
}

impl Recovery {
    fn hint(&self) -> Option<String> {
        Some(match self {
            Recovery::None { id, .. } => format!("store them with `otp recovery {id} add -`"),
            Recovery::AllUsed { .. } => "get a new set from the service".into(),
            Recovery::NotOne { id, .. } => format!("see `otp recovery {id} list`"),
            Recovery::Used { .. } => return None,
        })
    }
}

/// `otp sync`: the vault's folder and its remote are not set up as the command needs.
#[derive(Debug, thiserror::Error)]
pub enum SyncSetup {
    #[error("{} is not a git repository", .0.display())]
    NotARepository(PathBuf),
    #[error("{} is already a git repository", .0.display())]
    AlreadyARepository(PathBuf),
    #[error("a vault already exists at {}", .0.display())]
    VaultExists(PathBuf),
    #[error("{0} holds no vault yet")]
    EmptyRemote(String),
    #[error("the remote changed during every attempt to sync")]
    KeptChanging,
}

impl SyncSetup {
    fn hint(&self) -> Option<String> {
        Some(match self {
            SyncSetup::NotARepository(_) => "set it up with `otp sync --init URL` (or `otp \
                sync --clone URL` on a new machine)"
                .into(),
            SyncSetup::VaultExists(_) => {
                "run `otp sync --init URL` there, or `otp merge` another copy into it".into()
            }
            SyncSetup::EmptyRemote(url) => {
                format!("run `otp sync --init {url}` on a machine that has one")
            }
            SyncSetup::KeptChanging => "try again".into(),
            SyncSetup::AlreadyARepository(_) => return None,
        })
    }
}

impl Error {
    /// A failed copy: `cannot copy the code: <why>`, then a hint naming `instead`, the
    /// command that prints the text (`otp code github`).
    pub(crate) fn copy_failed(source: clipboard::Error, instead: &str) -> Error {
        Error::Copy {
            source,
            instead: instead.to_string(),
        }
    }

    pub(crate) fn input(source_name: impl Into<String>, reason: impl std::fmt::Display) -> Error {
        Error::Input {
            source_name: source_name.into(),
            reason: reason.to_string(),
        }
    }

    pub(crate) fn io(what: impl Into<String>, source: std::io::Error) -> Error {
        if source.kind() == std::io::ErrorKind::BrokenPipe {
            return Error::BrokenPipe;
        }
        Error::Io {
            what: what.into(),
            source,
        }
    }

    /// The process's exit status for this error: the one place errors become numbers.
    pub(crate) fn exit(&self) -> Exit {
        match self {
            Error::Vault(vault::Error::Unlock { .. }) | Error::ImportPassword { .. } => {
                Exit::Locked
            }
            Error::Query(query::Error::NoMatch(_)) => Exit::NoMatch,
            Error::Query(query::Error::Ambiguous { .. }) => Exit::Ambiguous,
            Error::Usage(_) | Error::Device(Device::BadName | Device::BadKey) => Exit::Usage,
            Error::BrokenPipe => Exit::Success,
            _ => Exit::Failure,
        }
    }

    /// The process's exit status: [`Error::exit`], or the status of the command `otp run`
    /// ran (truncated to 8 bits, as `exit(3)` would).
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Command { code } => (code & 0xff) as u8,
            e => e.exit() as u8,
        }
    }

    /// Whether the error is printed: not when there is nothing to say (a closed pipe, a
    /// picker left without a choice, a command that reported its own failure).
    pub fn is_reported(&self) -> bool {
        !matches!(
            self,
            Error::BrokenPipe | Error::NoChoice | Error::Command { .. }
        )
    }

    /// What the user can do next, printed on a second line.
    pub fn hint(&self) -> Option<String> {
        match self {
            Error::Vault(e) => e.hint().map(str::to_string),
            Error::Query(query::Error::Ambiguous { candidates, .. }) => {
                Some(format!("candidates:\n  {}", candidates.join("\n  ")))
            }
            Error::Query(query::Error::NoMatch(_)) => Some("see `otp list`".to_string()),
            Error::Copy { source, instead } => {
                let mut hint = format!("print it instead with `{instead}`");
                if let Some(more) = source.hint() {
                    hint.push_str(&format!(", or {more}"));
                }
                Some(hint)
            }
            Error::Clipboard(e) => e.hint().map(str::to_string),
            Error::Key(e) => e.hint().map(str::to_string),
            Error::Document(e) | Error::Add { source: e, .. } | Error::Merge { source: e, .. } => {
                e.hint().map(str::to_string)
            }
            Error::Sync(e) => e.hint().map(str::to_string),
            Error::ImportConflict { conflicts, .. } => Some(format!(
                "use --replace to renew {}",
                if conflicts.len() == 1 {
                    "its key"
                } else {
                    "their keys"
                }
            )),
            Error::Usage(e) => e.hint(),
            Error::Refused(e) => e.hint(),
            Error::Device(e) => e.hint(),
            Error::Recovery(e) => e.hint(),
            Error::SyncSetup(e) => e.hint(),
            _ => None,
        }
    }
}

impl From<uri::Error> for Error {
    fn from(e: uri::Error) -> Error {
        Error::input("the URI", e)
    }
}

pub(crate) type Result<T> = std::result::Result<T, Error>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_exit_code_follows_from_the_variant() {
        let usage: Error = Usage::Unconfirmed { action: "remove" }.into();
        assert_eq!(usage.exit(), Exit::Usage);
        assert_eq!(Error::from(Device::BadKey).exit(), Exit::Usage);
        assert_eq!(Error::from(Device::OwnKey).exit(), Exit::Failure);
        let password = Error::ImportPassword {
            file: PathBuf::from("backup.age"),
            cause: "wrong passphrase".into(),
        };
        assert_eq!(password.exit(), Exit::Locked);
        assert_eq!(Error::from(Refused::NothingToExport).exit(), Exit::Failure);
        assert_eq!(Error::BrokenPipe.exit_code(), 0);
        // `otp run` passes the command's status on, as exit(3) would.
        assert_eq!(Error::Command { code: 3 }.exit_code(), 3);
        assert_eq!(Error::Command { code: 128 + 15 }.exit_code(), 143);
        assert_eq!(Error::Command { code: 256 + 7 }.exit_code(), 7);
    }

    #[test]
    fn advice_is_on_the_hint_line_not_in_the_message() {
        let cases: Vec<Error> = vec![
            Usage::Unconfirmed { action: "remove" }.into(),
            Usage::NoHome.into(),
            Refused::NotInstalled { program: "wtype" }.into(),
            Device::NameTaken("laptop".into()).into(),
            Recovery::AllUsed {
                label: "GitHub:alice".into(),
            }
            .into(),
            SyncSetup::KeptChanging.into(),
            document::Error::Conflict("GitHub:alice".into()).into(),
            sync::Error::NoGit(std::io::ErrorKind::NotFound.into()).into(),
        ];
        for e in cases {
            let message = e.to_string();
            let hint = e
                .hint()
                .unwrap_or_else(|| panic!("no hint for {message:?}"));
            assert!(!message.contains(&hint), "{message:?} repeats its hint");
            for advice in ["pass ", "use ", "install ", "try again", "remove it"] {
                assert!(!message.contains(advice), "{message:?} gives advice");
            }
        }
    }

    #[test]
    fn silent_errors_are_not_printed() {
        assert!(!Error::BrokenPipe.is_reported());
        assert!(!Error::NoChoice.is_reported());
        assert!(!Error::Command { code: 1 }.is_reported());
        assert!(Error::from(Usage::NoHome).is_reported());
    }
}
