//! `otp uri QUERY`: print the entry's otpauth URI (for another app or a backup).

use super::Context;
use crate::error::Result;
use crate::vault::Vault;
use crate::{query, uri};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Entry to print
    pub query: String,
}

pub(crate) fn run(ctx: &Context, args: Args) -> Result<()> {
    let vault = Vault::open(&ctx.vault)?;
    let entry = query::resolve(&vault.doc.entries, &args.query)?;
    ctx.print(&format!("{}\n", uri::to_uri(&entry.to_new())))
}
