//! `age`: the vault document sealed with a passphrase (age scrypt, armored).

use super::{Error, Result};
use super::{Format, Output};
use crate::keys::sealed;
use crate::vault::Document;
use ::age::secrecy::SecretString;
use zeroize::Zeroizing;

pub(crate) struct Age {
    pub passphrase: SecretString,
}

impl Format for Age {
    fn export(&self, doc: &Document) -> Result<Output> {
        let sealed = sealed::seal(&doc.to_json(), &self.passphrase).map_err(Error::Seal)?;
        Ok(Output::File(Zeroizing::new(sealed)))
    }
}
