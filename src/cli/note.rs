//! `otp note QUERY TEXT`: attach a note to an entry (an empty TEXT clears it).

use super::Context;
use crate::error::Result;
use crate::query;
use crate::vault::Vault;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Entry to annotate
    pub query: String,
    /// The note; an empty string removes it
    pub text: String,
}

pub(crate) fn run(ctx: &Context, args: Args) -> Result<()> {
    let mut vault = Vault::open_for_update(&ctx.vault)?;
    let id = query::resolve(&vault.doc.entries, &args.query)?.id.clone();
    let note = (!args.text.is_empty()).then_some(args.text);
    if let Some(entry) = vault.doc.get_mut(&id)
        && entry.note != note
    {
        entry.note = note;
        entry.updated = ctx.now;
    }
    if !vault.save()? {
        return ctx.print(&format!(
            "The note of {id} is already so; nothing changed.\n"
        ));
    }
    ctx.print(&format!("Note of {id} updated.\n"))
}
