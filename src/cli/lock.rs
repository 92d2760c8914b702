//! `otp lock`: forget the vault's key cached from the OS keyring, now rather than when its
//! lifetime (config `key_cache_seconds`) ends; the next command asks the keyring again. Like
//! `ssh-add -D` for ssh-agent. The key in the OS keyring itself is not touched.

use super::Context;
use crate::error::Result;
use crate::keys::cache;

#[derive(Debug, clap::Args)]
pub struct Args {}

pub(crate) fn run(ctx: &Context, _args: Args) -> Result<()> {
    let vault = ctx.vault.path.display();
    let said = if cache::forget(&ctx.vault.keyring_user()) {
        format!("Forgot the cached key of {vault}; the next command asks the OS keyring.\n")
    } else {
        format!("No key of {vault} was cached; nothing to forget.\n")
    };
    ctx.print(&said)
}
