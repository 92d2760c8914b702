/*!
The program's error type and exit codes (docs/CONTRACT.md, "Exit codes").

Each module has its own error enum; this one gathers them at the command boundary and
decides the exit code, so numbers are not scattered through the code.
*/

use crate::{clipboard, config, entry, keys, query, uri, vault};

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
    /// The vault's rules refused a change (duplicate account, read-only newer vault).
    #[error("{0}")]
    Rejected(String),
    #[error(transparent)]
    Key(#[from] keys::Error),
    /// `-c` could not put the text on the clipboard; `instead` prints it.
    #[error("cannot copy the code: {source}")]
    Copy {
        source: clipboard::Error,
        instead: String,
    },
    #[error("{0}")]
    Usage(String),
    #[error("{what}: {source}")]
    Io {
        what: String,
        source: std::io::Error,
    },
    /// stdout was closed (`otp list | head -1`): end quietly, successfully.
    #[error("broken pipe")]
    BrokenPipe,
}

impl Error {
    /// A failed copy: `cannot copy the code: <why>`, then a hint naming `instead`, the
    /// command that prints the text (`otp code github`).
    pub fn copy_failed(source: clipboard::Error, instead: &str) -> Error {
        Error::Copy {
            source,
            instead: instead.to_string(),
        }
    }

    pub fn input(source_name: impl Into<String>, reason: impl std::fmt::Display) -> Error {
        Error::Input {
            source_name: source_name.into(),
            reason: reason.to_string(),
        }
    }

    pub fn io(what: impl Into<String>, source: std::io::Error) -> Error {
        if source.kind() == std::io::ErrorKind::BrokenPipe {
            return Error::BrokenPipe;
        }
        Error::Io {
            what: what.into(),
            source,
        }
    }

    pub fn exit(&self) -> Exit {
        match self {
            Error::Vault(vault::Error::Unlock { .. }) => Exit::Locked,
            Error::Query(query::Error::NoMatch(_)) => Exit::NoMatch,
            Error::Query(query::Error::Ambiguous { .. }) => Exit::Ambiguous,
            Error::Usage(_) => Exit::Usage,
            Error::BrokenPipe => Exit::Success,
            _ => Exit::Failure,
        }
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
            _ => None,
        }
    }
}

impl From<uri::Error> for Error {
    fn from(e: uri::Error) -> Error {
        Error::input("the URI", e)
    }
}

impl From<vault::document::Error> for Error {
    fn from(e: vault::document::Error) -> Error {
        Error::Rejected(e.to_string())
    }
}

pub type Result<T> = std::result::Result<T, Error>;
