/*!
Exporters: each format `otp export` writes is one file here, behind the [`Format`] trait,
mirroring `import/`.

`age` (the default) is the vault document sealed with a passphrase (age scrypt, armored): it
opens with `age -d` on any machine, without otp's key, and `otp import` reads it back. `json`
(the vault document) and `uris` (one otpauth URI per line, for other apps) are plaintext.

For moving accounts to a phone:
- `aegis`: an unencrypted Aegis vault (vault version 1, db version 3), as Aegis's own "export
  without encryption" writes it; Aegis, 2FAS and Ente import it.
- `google-qr`: Google Authenticator "Transfer accounts" texts (`otpauth-migration://`, at most
  [`google_qr::BATCH`] accounts per code, one shared batch id), one QR code each. The format
  has no period or Steam field and only 6 or 8 digits: other accounts are skipped, and named.

An exporter only turns the vault document into bytes or texts; where they go (a file, the
terminal, PNG images) is the command's business.
*/

mod aegis;
mod age;
pub(crate) mod google_qr;
mod json;
mod uris;

pub(crate) use aegis::Aegis;
pub(crate) use age::Age;
pub(crate) use google_qr::GoogleQr;
pub(crate) use json::Json;
pub(crate) use uris::Uris;

/// Why the vault could not be written in a format.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("cannot encrypt the backup: {0}")]
    Seal(crate::keys::sealed::Error),
    #[error("cannot write the Aegis vault: {0}")]
    Aegis(serde_json::Error),
}

pub(crate) type Result<T> = std::result::Result<T, Error>;
use crate::vault::Document;
use zeroize::Zeroizing;

/// What an export format makes of the vault.
pub(crate) enum Output {
    /// One file's bytes.
    File(Zeroizing<Vec<u8>>),
    /// Texts to show as QR codes, one code each (none when the format can carry no entry),
    /// and the entries the format cannot carry.
    Codes {
        texts: Vec<Zeroizing<String>>,
        skipped: Vec<Skipped>,
    },
}

/// An entry a format cannot carry, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Skipped {
    pub label: String,
    pub id: String,
    pub reason: String,
}

/// One export format.
pub(crate) trait Format {
    /// The vault's entries in this format.
    fn export(&self, doc: &Document) -> Result<Output>;
}

/// Whether the format named `name` shows every secret in the clear (so the user must say
/// `--plaintext`).
pub(crate) fn is_plaintext(name: &str) -> bool {
    !matches!(name, "age" | "google-qr")
}

#[cfg(test)]
fn test_entry(id: &str, issuer: &str, account: &str) -> crate::entry::Entry {
    use crate::entry::{NewEntry, Secret};
    NewEntry::totp(issuer, account, Secret::parse("JBSWY3DPEHPK3PXP").unwrap())
        .into_entry(id.into(), 0)
}
