//! `otp __merge-driver ANCESTOR OURS THEIRS`: the vault's merge driver, which git runs when
//! it merges two versions of the vault file (`otp sync`, or a plain `git pull` in the
//! vault's folder). `otp sync --init`/`--clone` register it in the repository. It opens both
//! versions with this machine's key, merges them with the rules of `otp merge`, and writes
//! the merged vault, encrypted as every write of the vault is, over OURS, where git takes
//! it from. A version that does not open is an error (git then reports a conflict and leaves
//! the vault file alone). The ancestor is not needed: every removal is recorded in the
//! vault itself, so merging the two versions loses nothing.

use super::Context;
use crate::error::{Error, Result};
use crate::vault::{self, merge};
use std::path::{Path, PathBuf};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The common ancestor's version (git's %O; not read)
    pub ancestor: PathBuf,
    /// This branch's version (git's %A), replaced by the merged vault
    pub ours: PathBuf,
    /// The other branch's version (git's %B)
    pub theirs: PathBuf,
}

pub fn run(ctx: &Context, args: Args) -> Result<()> {
    let read = |path: &Path| {
        std::fs::read(path).map_err(|e| Error::io(format!("cannot read {}", path.display()), e))
    };
    let (ours, key) = vault::open_version(&ctx.vault, &args.ours, read(&args.ours)?)?;
    let theirs = vault::open_version_with(&ctx.vault, &args.theirs, read(&args.theirs)?, &key)?;
    let (merged, _) = merge::merge(&ours, &theirs)?;
    let sealed = vault::seal(&ctx.vault, &key, &merged)?;
    std::fs::write(&args.ours, sealed)
        .map_err(|e| Error::io(format!("cannot write {}", args.ours.display()), e))
}
