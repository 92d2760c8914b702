//! `otp rename QUERY [--issuer I] [--account A]`.

use super::Context;
use crate::entry;
use crate::error::{Error, Result, Usage};
use crate::query;
use crate::vault::Vault;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Entry to rename
    pub query: String,
    /// New issuer (empty to remove it)
    #[arg(long)]
    pub issuer: Option<String>,
    /// New account name
    #[arg(long)]
    pub account: Option<String>,
}

pub(crate) fn run(ctx: &Context, mut args: Args) -> Result<()> {
    let trim = |v: &mut Option<String>| *v = v.as_deref().map(|s| s.trim().to_string());
    trim(&mut args.issuer);
    trim(&mut args.account);
    if args.issuer.is_none() && args.account.is_none() {
        return Err(Usage::NothingGiven {
            what: "rename",
            give: "give --issuer, --account or both",
        }
        .into());
    }
    let check = |what, v: &Option<String>| match v {
        Some(v) => entry::check_name(what, v).map_err(|source| Error::Entry { what, source }),
        None => Ok(()),
    };
    check("issuer", &args.issuer)?;
    check("account name", &args.account)?;
    if args.account.as_deref() == Some("") {
        return Err(Error::Entry {
            what: "account name",
            source: entry::Error::EmptyAccount,
        });
    }
    let mut vault = Vault::open_for_update(&ctx.vault)?;
    let id = query::resolve(&vault.doc.entries, &args.query)?.id.clone();
    vault.doc.rename(
        &id,
        args.issuer.as_deref(),
        args.account.as_deref(),
        ctx.now,
    )?;
    vault.save()?;
    let label = vault.doc.get(&id).map(|e| e.label()).unwrap_or_default();
    ctx.print(&format!("Renamed {id} to {label}.\n"))
}
