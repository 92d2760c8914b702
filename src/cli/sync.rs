//! `otp sync [--init URL | --clone URL]`: the vault kept in step with other machines through
//! a git remote. Commits the local vault, fetches, merges the remote's vault into it (the
//! rules of `otp merge`), commits the result and pushes. Only the encrypted vault is
//! committed. A remote that cannot be reached is an error and leaves the vault untouched.

use super::Context;
use crate::error::{Result, SyncSetup};
use crate::sync::Repo;
use crate::vault::{Vault, merge};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Make the vault's folder a git repository with remote URL, commit and push
    #[arg(long, value_name = "URL", conflicts_with = "clone")]
    pub init: Option<String>,
    /// On a new machine: fetch the vault from URL into the vault path
    #[arg(long, value_name = "URL")]
    pub clone: Option<String>,
}

/// How many times the remote may move between our fetch and our push.
const ATTEMPTS: usize = 3;

pub fn run(ctx: &Context, args: Args) -> Result<()> {
    let repo = Repo::of(&ctx.vault.path);
    if let Some(url) = &args.clone {
        return clone(ctx, &repo, url);
    }
    let mut vault = Vault::open_for_update(&ctx.vault)?;
    match &args.init {
        Some(url) => repo.init(url)?,
        None if !repo.exists() => {
            return Err(SyncSetup::NotARepository(repo.dir().to_path_buf()).into());
        }
        None => {}
    }
    let message = format!("otp sync from {}", crate::vault::device());
    for _ in 0..ATTEMPTS {
        let remote_exists = repo.fetch()?;
        let (pulled, pushed) = if remote_exists {
            let bytes = repo.remote_vault()?;
            let theirs = vault.decrypt_copy(&repo.dir().join(repo.file()), bytes)?;
            let (merged, pulled) = merge::merge(&vault.doc, &theirs)?;
            let (_, pushed) = merge::merge(&theirs, &merged)?;
            vault.save_merged(merged)?;
            (pulled.len(), pushed.len())
        } else {
            (0, vault.doc.entries.len())
        };
        repo.commit(remote_exists, &message)?;
        if repo.push()? {
            let plural = |n: usize| if n == 1 { "change" } else { "changes" };
            return ctx.print(&format!(
                "pulled {pulled} {}, pushed {pushed}\n",
                plural(pulled)
            ));
        }
    }
    Err(SyncSetup::KeptChanging.into())
}

fn clone(ctx: &Context, repo: &Repo, url: &str) -> Result<()> {
    let path = &ctx.vault.path;
    if std::fs::symlink_metadata(path).is_ok() {
        return Err(SyncSetup::VaultExists(path.clone()).into());
    }
    if repo.exists() {
        return Err(SyncSetup::AlreadyARepository(repo.dir().to_path_buf()).into());
    }
    repo.init(url)?;
    if !repo.fetch()? {
        return Err(SyncSetup::EmptyRemote(url.to_string()).into());
    }
    repo.checkout_remote()?;
    let vault = Vault::open(&ctx.vault)?;
    let n = vault.doc.entries.len();
    ctx.print(&format!(
        "Cloned the vault ({n} {}) into {}.\n",
        if n == 1 { "entry" } else { "entries" },
        path.display()
    ))
}
