//! `uris`: one otpauth URI per line, in plaintext, for other apps.

use super::Result;
use super::{Format, Output};
use crate::uri;
use crate::vault::Document;
use zeroize::Zeroizing;

pub(crate) struct Uris;

impl Format for Uris {
    fn export(&self, doc: &Document) -> Result<Output> {
        let mut text = Zeroizing::new(String::new());
        for entry in &doc.entries {
            text.push_str(&uri::to_uri(&entry.to_new()));
            text.push('\n');
        }
        Ok(Output::File(Zeroizing::new(text.as_bytes().to_vec())))
    }
}
