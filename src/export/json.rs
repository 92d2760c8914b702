//! `json`: the vault document, in plaintext.

use super::Result;
use super::{Format, Output};
use crate::vault::Document;

pub(crate) struct Json;

impl Format for Json {
    fn export(&self, doc: &Document) -> Result<Output> {
        Ok(Output::File(doc.to_json()))
    }
}
