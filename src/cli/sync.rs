//! `otp sync [--init URL | --clone URL]`: the vault kept in step with other machines through
//! a git remote. Under the vault's lock: commits the local vault, fetches, has git merge the
//! remote branch (git runs otp's merge driver on the vault, `otp __merge-driver`), writes the
//! merged vault through the vault's crash-safe path, commits the merge and pushes. Only the
//! encrypted vault is committed. A remote that cannot be reached is an error and leaves the
//! vault untouched.

use super::Context;
use crate::error::{Error, Result, SyncSetup};
use crate::keys::Backend;
use crate::sync::{self, Repo};
use crate::vault::{Vault, merge};
use std::path::{Path, PathBuf};

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

pub(crate) fn run(ctx: &Context, args: Args) -> Result<()> {
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
    register(ctx, &repo, vault.backend())?;
    let head_name = PathBuf::from(format!("HEAD:{}", repo.file()));
    let message = format!("otp sync from {}", crate::vault::device());
    let remote_name = PathBuf::from(format!("{}:{}", sync::remote_name(), repo.file()));
    let changes = |from: &crate::vault::Document, to: &crate::vault::Document| -> Result<usize> {
        let (_, changes) = merge::merge(from, to)?;
        Ok(changes.len())
    };
    for _ in 0..ATTEMPTS {
        // Nothing is written before the fetch succeeded.
        let remote_exists = repo.fetch()?;
        // What the last commit holds is in the vault too, whatever happened to the file
        // since (a sync killed half-way, a checkout by hand): the commit made next must not
        // lose it.
        if let Some(bytes) = repo.head_vault()?
            && std::fs::read(&ctx.vault.path).ok().as_ref() != Some(&bytes)
            && let Ok(head) = vault.decrypt_copy(&head_name, bytes)
        {
            let (merged, _) = merge::merge(&vault.doc, &head)?;
            let (alone, _) = merge::merge(&vault.doc, &vault.doc)?;
            if merged != alone {
                vault.save_merged(merged)?;
            }
        }
        repo.commit_local(&message)?;
        let (pulled, pushed) = if !remote_exists {
            (0, vault.doc.entries.len())
        } else {
            let bytes = repo.remote_vault()?;
            let theirs = vault.decrypt_copy(&remote_name, bytes)?;
            if repo.has_remote()? {
                (0, changes(&theirs, &vault.doc)?)
            } else {
                // git merges; it runs otp's merge driver on the vault.
                let tree = repo.merge_tree()?;
                let version = vault.decrypt_version(&remote_name, repo.vault_in(&tree)?)?;
                let merged = &version.doc;
                // Whatever git made of it, nothing of this vault may be lost.
                // (Compared in merged form: a vault written by an edit, not by a merge, may
                // hold the same things in another order.)
                let (with_ours, _) = merge::merge(&vault.doc, merged)?;
                let (alone, _) = merge::merge(merged, merged)?;
                if with_ours != alone {
                    return Err(sync::Error::LostChanges.into());
                }
                let counts = (changes(&vault.doc, merged)?, changes(&theirs, merged)?);
                // The vault first, then the branch: a sync killed between the two finds the
                // merged vault and commits it again.
                vault.adopt(version)?;
                repo.finish_merge(&tree, &message)?;
                counts
            }
        };
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

/// Registers otp as the vault's merge driver in the repository, with what finds the vault
/// and its key on this machine.
fn register(ctx: &Context, repo: &Repo, backend: Backend) -> Result<()> {
    let exe = std::env::current_exe()
        .and_then(|p| p.canonicalize())
        .map_err(|e| Error::io("cannot find the otp program to register it with git", e))?;
    let absolute = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
    let vault = absolute(&ctx.vault.path);
    let identity = absolute(&ctx.vault.identity_path);
    let config = ctx.config_path.as_deref().map(absolute);
    let backend_name = PathBuf::from(backend.to_string());
    let mut options: Vec<(&str, &Path)> = vec![("--vault", &vault), ("--backend", &backend_name)];
    if backend == Backend::IdentityFile {
        options.push(("--identity", &identity));
    }
    if let Some(config) = &config {
        options.push(("--config", config));
    }
    let command = sync::driver_command(&exe, &options)?;
    Ok(repo.register_driver(&command)?)
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
    register(ctx, repo, vault.backend())?;
    let n = vault.doc.entries.len();
    ctx.print(&format!(
        "Cloned the vault ({n} {}) into {}.\n",
        if n == 1 { "entry" } else { "entries" },
        path.display()
    ))
}
