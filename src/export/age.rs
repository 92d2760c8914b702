//! `age`: the vault document sealed with a passphrase (age scrypt, armored).

use super::{Format, Output};
use crate::error::{Error, Result};
use crate::keys::sealed;
use crate::vault::Document;
use ::age::secrecy::SecretString;
use zeroize::Zeroizing;

pub struct Age {
    pub passphrase: SecretString,
}

impl Format for Age {
    fn name(&self) -> &'static str {
        "age"
    }

    fn export(&self, doc: &Document) -> Result<Output> {
        let sealed = sealed::seal(&doc.to_json(), &self.passphrase)
            .map_err(|e| Error::Rejected(format!("cannot encrypt the backup: {e}")))?;
        Ok(Output::File(Zeroizing::new(sealed)))
    }
}
