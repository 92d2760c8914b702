//! `otp rm QUERY`: remove an entry, after asking on a terminal.

use super::Context;
use crate::error::{Result, Usage};
use crate::query;
use crate::vault::Vault;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Entry to remove (id, issuer:account, issuer, account or part of the name)
    pub query: String,
    /// Do not ask for confirmation (needed when stdin is not a terminal)
    #[arg(short, long)]
    pub yes: bool,
}

pub(crate) fn run(ctx: &Context, args: Args) -> Result<()> {
    if !args.yes && !ctx.stdin_is_terminal {
        return Err(Usage::Unconfirmed { action: "remove" }.into());
    }
    let mut vault = Vault::open_for_update(&ctx.vault)?;
    let entry = query::resolve(&vault.doc.entries, &args.query)?;
    let (id, label) = (entry.id.clone(), entry.label());
    if !args.yes
        && !ctx.confirm(&format!(
            "Remove {label} ({id})? Its codes will be gone. [y/N] "
        ))?
    {
        ctx.notice("otp: nothing removed");
        return Ok(());
    }
    vault.doc.remove(&id);
    vault.save()?;
    ctx.print(&format!("Removed {label} ({id}).\n"))
}
