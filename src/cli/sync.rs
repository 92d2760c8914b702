//! `otp sync [--init URL | --clone URL]`: the vault kept in step with other machines through
//! a git remote. Commits the local vault, fetches, merges the remote's vault into it (the
//! rules of `otp merge`), commits the result and pushes. Only the encrypted vault is
//! committed. A remote that cannot be reached is an error and leaves the vault untouched.

use super::Context;
use crate::error::{Error, Result};
use crate::sync::{self, Repo};
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

fn git(e: sync::Error) -> Error {
    Error::Rejected(e.to_string())
}

pub fn run(ctx: &Context, args: Args) -> Result<()> {
    let repo = Repo::of(&ctx.vault.path);
    if let Some(url) = &args.clone {
        return clone(ctx, &repo, url);
    }
    let mut vault = Vault::open_for_update(&ctx.vault)?;
    match &args.init {
        Some(url) => repo.init(url).map_err(git)?,
        None if !repo.exists() => {
            return Err(Error::Rejected(format!(
                "{} is not a git repository: set it up with `otp sync --init URL` (or \
                 `otp sync --clone URL` on a new machine)",
                repo.dir().display()
            )));
        }
        None => {}
    }
    let message = format!("otp sync from {}", crate::vault::device());
    for _ in 0..ATTEMPTS {
        let remote_exists = repo.fetch().map_err(git)?;
        let (pulled, pushed) = if remote_exists {
            let bytes = repo.remote_vault().map_err(git)?;
            let theirs = vault.decrypt_copy(&repo.dir().join(repo.file()), bytes)?;
            let (merged, pulled) =
                merge::merge(&vault.doc, &theirs).map_err(|e| Error::Rejected(e.to_string()))?;
            let (_, pushed) =
                merge::merge(&theirs, &merged).map_err(|e| Error::Rejected(e.to_string()))?;
            vault.save_merged(merged)?;
            (pulled.len(), pushed.len())
        } else {
            (0, vault.doc.entries.len())
        };
        repo.commit(remote_exists, &message).map_err(git)?;
        if repo.push().map_err(git)? {
            let plural = |n: usize| if n == 1 { "change" } else { "changes" };
            return ctx.print(&format!(
                "pulled {pulled} {}, pushed {pushed}\n",
                plural(pulled)
            ));
        }
    }
    Err(Error::Rejected(
        "the remote changed during every attempt to sync; try again".into(),
    ))
}

fn clone(ctx: &Context, repo: &Repo, url: &str) -> Result<()> {
    let path = &ctx.vault.path;
    if std::fs::symlink_metadata(path).is_ok() {
        return Err(Error::Rejected(format!(
            "a vault already exists at {}: run `otp sync --init URL` there, or `otp merge` \
             another copy into it",
            path.display()
        )));
    }
    if repo.exists() {
        return Err(Error::Rejected(format!(
            "{} is already a git repository",
            repo.dir().display()
        )));
    }
    repo.init(url).map_err(git)?;
    if !repo.fetch().map_err(git)? {
        return Err(Error::Rejected(format!(
            "{url} holds no vault yet: run `otp sync --init {url}` on a machine that has one"
        )));
    }
    repo.checkout_remote().map_err(git)?;
    let vault = Vault::open(&ctx.vault)?;
    let n = vault.doc.entries.len();
    ctx.print(&format!(
        "Cloned the vault ({n} {}) into {}.\n",
        if n == 1 { "entry" } else { "entries" },
        path.display()
    ))
}
