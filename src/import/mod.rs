/*!
Importers: each file format `otp import` reads is one file here, behind the [`Format`] trait,
and registered once in [`FORMATS`]. Adding a format (another app's export) means one new
file and one line in that list.

An importer only turns bytes into [`Imported`] entries; it never touches the vault. The
command applies the duplicate rules of `otp add` and writes all or nothing.
*/

mod aegis;
mod age;
mod andotp;
mod bitwarden;
mod common;
mod ente;
mod freeotp;
mod json;
mod twofas;
mod uris;

use crate::entry::{NewEntry, RecoveryCode};
use crate::keys;
use ::age::secrecy::SecretString;
use aes_gcm::aead::{AeadInPlace, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce, Tag};
use std::path::PathBuf;
use zeroize::Zeroizing;

/// One entry read from a file, with what else the format carries.
#[derive(Debug, Clone)]
pub struct Imported {
    pub entry: NewEntry,
    pub note: Option<String>,
    pub recovery: Vec<RecoveryCode>,
}

impl From<NewEntry> for Imported {
    fn from(entry: NewEntry) -> Imported {
        Imported {
            entry,
            note: None,
            recovery: Vec::new(),
        }
    }
}

/// Why a file could not be imported. Never quotes secrets.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("it is not in a format otp can import (supported: {})", names())]
    Unknown,
    #[error("unknown format {0:?} (supported: {names})", names = names())]
    UnknownName(String),
    #[error("it is not a valid {format} file: {reason}")]
    Malformed {
        format: &'static str,
        reason: String,
    },
    #[error("entry {index}: {reason}")]
    Entry { index: usize, reason: String },
    #[error("it holds no entries")]
    Empty,
    /// A wrong or missing password: the command maps this to exit 5.
    #[error("{0}")]
    Locked(String),
    /// A well-formed export of a kind otp cannot read (one only the app can decrypt).
    #[error("it is {kind}, which otp cannot read: {reason}")]
    Unsupported { kind: String, reason: String },
}

/// An entry the file holds that otp cannot represent (MOTP, Yandex, an unknown type): listed
/// to the user, never dropped silently. `index` counts from 1.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    pub index: usize,
    pub label: String,
    pub reason: String,
}

/// For callers of [`Format::parse`], which has no room for skipped entries: the first one
/// stops the import, naming it.
pub(crate) fn refuse_skipped(
    (entries, skipped): (Vec<Imported>, Vec<Skipped>),
) -> Result<Vec<Imported>, Error> {
    match skipped.into_iter().next() {
        Some(s) => Err(Error::Entry {
            index: s.index,
            reason: format!("{} cannot be imported: {}", s.label, s.reason),
        }),
        None => Ok(entries),
    }
}

/// One importable file format.
pub trait Format: Sync {
    /// The name given to `--format` and shown in messages.
    fn name(&self) -> &'static str;
    /// Whether `bytes` look like this format. Cheap, and decodes no secret.
    fn detect(&self, bytes: &[u8]) -> bool;
    /// Reads every entry. Encrypted formats ask `passwords` for what they need.
    fn parse(&self, bytes: &[u8], passwords: &mut Passwords) -> Result<Vec<Imported>, Error>;
    /// Like [`Format::parse`], with the entries otp cannot represent listed apart. Formats
    /// that can hold such entries override this (and make `parse` refuse them).
    fn parse_all(
        &self,
        bytes: &[u8],
        passwords: &mut Passwords,
    ) -> Result<(Vec<Imported>, Vec<Skipped>), Error> {
        Ok((self.parse(bytes, passwords)?, Vec::new()))
    }
}

/// Every format, in the order auto-detection tries them.
/// Specific shapes come before the general ones (`json` is otp's own document; `uris` any
/// list of otpauth lines).
pub static FORMATS: &[&dyn Format] = &[
    &age::Age,
    &aegis::Aegis,
    &twofas::TwoFas,
    &andotp::AndOtp,
    &freeotp::FreeOtp,
    &bitwarden::Bitwarden,
    &ente::Ente,
    &json::Json,
    &uris::Uris,
];

fn names() -> String {
    FORMATS
        .iter()
        .map(|f| f.name())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The format called `name`, or the one that recognises `bytes` when `name` is `auto`.
pub(crate) fn format_for(name: &str, bytes: &[u8]) -> Result<&'static dyn Format, Error> {
    if name.eq_ignore_ascii_case("auto") {
        return detect(bytes).ok_or(Error::Unknown);
    }
    FORMATS
        .iter()
        .copied()
        .find(|f| f.name().eq_ignore_ascii_case(name))
        .ok_or_else(|| Error::UnknownName(name.to_string()))
}

/// The first registered format that recognises `bytes`.
pub fn detect(bytes: &[u8]) -> Option<&'static dyn Format> {
    FORMATS.iter().copied().find(|f| f.detect(bytes))
}

/// Where the passwords of encrypted exports come from: `--password-file`, else
/// `OTP_PASSPHRASE` or a hidden prompt on the terminal.
#[derive(Debug, Default)]
pub struct Passwords {
    file: Option<PathBuf>,
    /// Read already (`--password-stdin`).
    given: Option<SecretString>,
}

impl Passwords {
    pub fn new(file: Option<PathBuf>) -> Passwords {
        Passwords { file, given: None }
    }

    /// A password the caller read itself (from stdin for `--password-stdin`).
    pub(crate) fn given(password: SecretString) -> Passwords {
        Passwords {
            file: None,
            given: Some(password),
        }
    }

    /// The password for what `prompt` describes ("Passphrase of the backup: ").
    pub(crate) fn get(&mut self, prompt: &str) -> Result<SecretString, Error> {
        if let Some(password) = &self.given {
            return Ok(password.clone());
        }
        let Some(path) = &self.file else {
            return keys::passphrase::obtain(prompt, false)
                .map_err(|e| Error::Locked(e.to_string()));
        };
        let text = Zeroizing::new(std::fs::read_to_string(path).map_err(|e| {
            Error::Locked(format!("cannot read password file {}: {e}", path.display()))
        })?);
        // The first line, as `age` and password managers write such files.
        let line = text.lines().next().unwrap_or_default();
        if line.is_empty() {
            return Err(Error::Locked(format!(
                "password file {} is empty",
                path.display()
            )));
        }
        Ok(SecretString::from(line.to_string()))
    }
}

/// AES-256-GCM decryption of `ciphertext` with a separate `tag`; `None` when the key is
/// wrong or the data damaged (nothing is decrypted then), or a size is wrong.
pub(crate) fn gcm_open(
    key: &[u8],
    nonce: &[u8],
    ciphertext: &[u8],
    tag: &[u8],
) -> Option<Zeroizing<Vec<u8>>> {
    if nonce.len() != 12 || tag.len() != 16 {
        return None;
    }
    let cipher = Aes256Gcm::new_from_slice(key).ok()?;
    let mut buffer = Zeroizing::new(ciphertext.to_vec());
    cipher
        .decrypt_in_place_detached(
            Nonce::from_slice(nonce),
            b"",
            buffer.as_mut_slice(),
            Tag::from_slice(tag),
        )
        .ok()?;
    Some(buffer)
}

/// Parses plaintext contents (an export after decryption) with whichever plaintext format
/// recognises them.
fn parse_plain(bytes: &[u8], passwords: &mut Passwords) -> Result<Vec<Imported>, Error> {
    let format = FORMATS
        .iter()
        .copied()
        .filter(|f| f.name() != "age")
        .find(|f| f.detect(bytes))
        .ok_or(Error::Unknown)?;
    format.parse(bytes, passwords)
}

/// Validates a parsed entry; `index` counts from 1.
fn validated(index: usize, entry: NewEntry) -> Result<NewEntry, Error> {
    entry.validated().map_err(|e| Error::Entry {
        index,
        reason: e.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detection_picks_the_right_format() {
        assert_eq!(
            detect(b"-----BEGIN AGE ENCRYPTED FILE-----\n")
                .unwrap()
                .name(),
            "age"
        );
        assert_eq!(detect(b"age-encryption.org/v1\n-> ").unwrap().name(), "age");
        let json = br#"{"version": 1, "entries": []}"#;
        assert_eq!(detect(json).unwrap().name(), "json");
        let uris = b"# mine\n\notpauth://totp/A:b?secret=JBSWY3DPEHPK3PXP\n";
        assert_eq!(detect(uris).unwrap().name(), "uris");
        // Another app's JSON (Aegis keeps its entries under "db") is not ours.
        assert!(detect(br#"{"version": 1, "header": {}, "db": {"entries": []}}"#).is_none());
        assert!(detect(b"hello").is_none());
    }

    #[test]
    fn unknown_formats_list_the_supported_ones() {
        let err = format_for("auto", b"hello").err().unwrap().to_string();
        assert!(
            err.contains("age, aegis, 2fas, andotp, freeotp, bitwarden, ente, json, uris"),
            "{err}"
        );
        let err = format_for("keepass", b"").err().unwrap().to_string();
        assert!(err.contains("\"keepass\"") && err.contains("uris"), "{err}");
        assert_eq!(format_for("JSON", b"").unwrap().name(), "json");
    }
}

/// A secret as an export file holds it, not yet checked: an importer checks it with
/// `Secret::parse` once the entry's type says otp can use it (an MOTP entry's secret is not
/// base32, and that entry is skipped, not a reason to refuse the file). Wiped when dropped.
#[derive(serde::Deserialize, zeroize::Zeroize, zeroize::ZeroizeOnDrop)]
#[serde(transparent)]
pub(crate) struct RawSecret(String);

impl RawSecret {
    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }
}
