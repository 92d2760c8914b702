/*!
Key backends: where the key that opens the vault lives.

- `keyring`: an age X25519 identity in the OS keyring (service `otp`, user = the canonical
  vault path, so several vaults coexist);
- `identity-file`: the same identity in a file of mode 0600, as `age` and `sops` keep them;
- `passphrase`: no stored key; the vault itself is scrypt-encrypted with a passphrase.

A key fetched from the OS keyring is kept a few minutes in the kernel's session keyring
(`cache`, Linux only), so that each `otp code` need not ask the keyring service.

This module only fetches and stores keys. Which key actually opens a given vault is decided
by the vault, which can try them (see `vault::Vault::open`).
*/

pub(crate) mod cache;
pub mod identity_file;
pub(crate) mod keyring;
pub(crate) mod passphrase;
pub mod sealed;

use age::secrecy::SecretString;
use std::path::PathBuf;

/// The key that opens a vault.
pub enum Key {
    Identity(age::x25519::Identity),
    Passphrase(SecretString),
}

/// The names users give backends (`--backend`, `OTP_BACKEND`, config `backend`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum Backend {
    Keyring,
    IdentityFile,
    Passphrase,
}

impl Backend {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Backend::Keyring => "keyring",
            Backend::IdentityFile => "identity-file",
            Backend::Passphrase => "passphrase",
        }
    }
}

impl std::fmt::Display for Backend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a key could not be fetched or stored. Never contains key material.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("no OS keyring service answered ({0})")]
    KeyringUnavailable(String),
    #[error("the OS keyring is locked or refused access ({0})")]
    KeyringLocked(String),
    #[error("no key in the OS keyring for this vault")]
    NoKeyringKey,
    #[error("the OS keyring failed: {0}")]
    Keyring(String),
    #[error("the key in the OS keyring is not an age identity")]
    BadKeyringKey,
    #[error("no identity file at {0}")]
    NoIdentityFile(PathBuf),
    #[error("{0} holds no age identity (AGE-SECRET-KEY-1…)")]
    BadIdentityFile(PathBuf),
    /// The line is not shown: it may be most of a secret key.
    #[error("{path}: line {line} starts like an age identity but is not a valid one")]
    BadIdentityLine { path: PathBuf, line: usize },
    #[error("{0} already exists; it is never overwritten")]
    IdentityFileExists(PathBuf),
    #[error("cannot use identity file {0}: {1}")]
    IdentityFileIo(PathBuf, std::io::Error),
    #[error("a passphrase is needed, and there is no terminal to ask for it on")]
    NoPassphrase,
    #[error("the passphrases do not match")]
    PassphraseMismatch,
    #[error("the passphrase is empty")]
    EmptyPassphrase,
    #[error("cannot read the passphrase: {0}")]
    PassphraseIo(std::io::Error),
}

impl Error {
    /// What the user can do about it, when it is not the same for every command.
    pub(crate) fn hint(&self) -> Option<&'static str> {
        match self {
            Error::NoPassphrase => Some("run on a terminal, or set OTP_PASSPHRASE"),
            Error::IdentityFileExists(_) => Some("move it away, or choose another --identity"),
            _ => None,
        }
    }
}
