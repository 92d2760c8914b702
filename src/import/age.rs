//! `age`: the passphrase-encrypted backup `otp export` writes (armored or binary), holding a
//! vault document or a list of URIs.

use super::{Error, Format, Imported, Passwords};
use crate::keys::sealed;

pub(crate) struct Age;

impl Format for Age {
    fn name(&self) -> &'static str {
        "age"
    }

    fn detect(&self, bytes: &[u8]) -> bool {
        sealed::is_age(bytes)
    }

    fn parse(&self, bytes: &[u8], passwords: &mut Passwords) -> Result<Vec<Imported>, Error> {
        let malformed = |e: sealed::Error| Error::Malformed {
            format: "age",
            reason: e.to_string(),
        };
        if !sealed::is_passphrase_sealed(bytes).map_err(malformed)? {
            return Err(Error::Malformed {
                format: "age",
                reason: "it is encrypted to a key, not a passphrase (decrypt it with \
                         `age -d -i KEY` first)"
                    .into(),
            });
        }
        let passphrase = passwords.get("Passphrase of the backup: ")?;
        let plaintext = sealed::open(bytes, &passphrase).map_err(|e| match e {
            sealed::Error::WrongPassphrase => Error::Locked(e.to_string()),
            e => malformed(e),
        })?;
        super::parse_plain(&plaintext, passwords)
    }
}
