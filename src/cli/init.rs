//! `otp init`: create an empty vault and its key.

use super::Context;
use crate::error::Result;
use crate::vault::Vault;

#[derive(Debug, clap::Args)]
pub struct Args {}

pub(crate) fn run(ctx: &Context, _args: Args) -> Result<()> {
    let (vault, fallback) = Vault::create(&ctx.vault)?;
    if let Some(f) = &fallback {
        ctx.say_fallback(f);
    }
    let mut text = format!(
        "Created vault {} ({} backend).\n",
        vault.path().display(),
        vault.backend()
    );
    if vault.backend() != crate::keys::Backend::Passphrase {
        text.push_str(&format!(
            "Its key: {}{}.\n",
            match vault.backend() {
                crate::keys::Backend::Keyring => "in the OS keyring".to_string(),
                _ => ctx.vault.identity_path.display().to_string(),
            },
            // A stored key is never replaced: a vault moved away and back still opens.
            if vault.reused_key() {
                " (the key already stored there, kept)"
            } else {
                ""
            }
        ));
    }
    text.push_str(match vault.backend() {
        crate::keys::Backend::Passphrase => {
            "Your passphrase is the vault's key: don't lose it. Make a backup with: \
             otp export -o otp-backup.age\n"
        }
        _ => {
            "Make a recovery kit now and keep it off this machine: \
             otp key export -o otp-recovery-kit.age\n"
        }
    });
    ctx.print(&text)
}
