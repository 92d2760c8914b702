//! `otp merge [FILE…]`: merges other copies of the vault into it (a sync tool's conflict
//! copy, a backup from another machine), with the rules of [`crate::vault::merge`]. Without
//! files, the conflict copies beside the vault; those are deleted once merged.

use super::Context;
use crate::error::{Error, Result};
use crate::vault::{Vault, conflicts, merge};
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Copies of the vault to merge into it [default: the conflict copies beside it]
    #[arg(value_name = "FILE")]
    pub files: Vec<PathBuf>,
}

pub(crate) fn run(ctx: &Context, args: Args) -> Result<()> {
    let beside = conflicts::find(&ctx.vault.path);
    let files = if args.files.is_empty() {
        if beside.is_empty() {
            return ctx.print("No conflict copies beside the vault; nothing to merge.\n");
        }
        beside.clone()
    } else {
        args.files
    };
    let mut vault = Vault::open_for_update(&ctx.vault)?;
    // Every copy is read before anything is written: one that does not open changes nothing.
    let mut doc = vault.doc.clone();
    for file in &files {
        let copy = vault.read_copy(file)?;
        let (merged, _) = merge::merge(&doc, &copy).map_err(|source| Error::Merge {
            file: file.clone(),
            source,
        })?;
        doc = merged;
    }
    let (_, changes) = merge::merge(&vault.doc, &doc)?;
    vault.save_merged(doc)?;
    drop(vault);
    let mut lines: Vec<String> = changes.iter().map(ToString::to_string).collect();
    let count = files.len();
    let copies = if count == 1 { "copy" } else { "copies" };
    lines.push(match changes.len() {
        0 => format!("Merged {count} {copies}: the vault already had everything."),
        1 => format!("Merged {count} {copies}: 1 change."),
        n => format!("Merged {count} {copies}: {n} changes."),
    });
    // A conflict copy beside the vault is now in it (and the previous vault in its backup).
    for file in files.iter().filter(|f| beside.contains(f)) {
        lines.push(match std::fs::remove_file(file) {
            Ok(()) => format!("Deleted the merged copy {}.", file.display()),
            Err(e) => format!("Could not delete the merged copy {}: {e}", file.display()),
        });
    }
    let out: String = lines
        .iter()
        .map(|l| format!("{}\n", crate::output::sanitize(l)))
        .collect();
    ctx.print(&out)
}
