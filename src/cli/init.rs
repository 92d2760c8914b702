//! `otp init`: create an empty vault and its key.

use super::Context;
use crate::error::Result;
use crate::vault::{Fallback, Vault};

#[derive(Debug, clap::Args)]
pub struct Args {}

pub fn run(ctx: &Context, _args: Args) -> Result<()> {
    let (vault, fallback) = Vault::create(&ctx.vault)?;
    if let Some(f) = &fallback {
        say_fallback(ctx, f);
    }
    let mut text = format!(
        "Created vault {} ({} backend).\n",
        vault.path().display(),
        vault.backend()
    );
    if vault.backend() != crate::keys::Backend::Passphrase {
        text.push_str(&format!(
            "Its key: {}.\n",
            match vault.backend() {
                crate::keys::Backend::Keyring => "in the OS keyring".to_string(),
                _ => ctx.vault.identity_path.display().to_string(),
            }
        ));
    }
    text.push_str(
        "Keep a copy of the key somewhere safe (losing it loses the vault): back up the \
         identity, or list an offline backup key under `recipients` in the config.\n",
    );
    ctx.print(&text)
}

/// SPEC §3: when no keyring answers at init, say so in one clear line.
pub fn say_fallback(ctx: &Context, f: &Fallback) {
    ctx.notice(&format!(
        "otp: no OS keyring service answered; keeping the vault key in {} (identity-file backend)",
        f.identity_path.display()
    ));
}
