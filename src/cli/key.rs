/*!
`otp key`: the vault's key — recovery kit, restore, rotation, public recipient.

- `export` writes a recovery kit: the vault's age identity as an identity file
  (`AGE-SECRET-KEY-1…`), sealed with a passphrase (age scrypt, armored). `age -d KIT` gives
  back an identity file that `age -d -i` accepts, so the kit works even without otp.
- `import KIT` restores it into the configured backend (the OS keyring unless
  `--backend identity-file`/`--identity`), after checking that it opens the vault.
- `rotate` makes a new identity and re-encrypts the vault so that at every instant some
  stored key opens it (see [`rotate`]). For a passphrase vault it changes the passphrase.
- `recipient` prints the public key (`age1…`), e.g. to encrypt a file to the vault's owner.
*/

use super::Context;
use crate::error::{Error, Refused, Result, Usage};
use crate::fsmode;
use crate::keys::identity_file::Restored;
use crate::keys::{self, Backend, Key, sealed};
use crate::vault::{self, Vault, VaultFile};
use std::path::{Path, PathBuf};
use std::str::FromStr;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub command: KeyCommand,
}

#[derive(Debug, clap::Subcommand)]
pub enum KeyCommand {
    /// Write a recovery kit: the vault's key, encrypted with a passphrase
    Export(ExportArgs),
    /// Restore the vault's key from a recovery kit into the key backend
    Import(ImportArgs),
    /// Make a new key and re-encrypt the vault (passphrase vaults: change the passphrase)
    Rotate,
    /// Print the vault's public key (age1…)
    Recipient,
}

#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    /// Write the kit to FILE (mode 0600) instead of stdout
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// The recovery kit (from `otp key export`), or a plain age identity file
    pub kit: PathBuf,
}

pub(crate) fn run(ctx: &Context, args: Args) -> Result<()> {
    match args.command {
        KeyCommand::Export(a) => export(ctx, a),
        KeyCommand::Import(a) => import(ctx, a),
        KeyCommand::Rotate => rotate(ctx),
        KeyCommand::Recipient => recipient(ctx),
    }
}

fn no_key(what: &str) -> Error {
    Usage::NoKey {
        what: what.to_string(),
    }
    .into()
}

fn identity_of(vault: &Vault, what: &str) -> Result<age::x25519::Identity> {
    match vault.key() {
        Key::Identity(id) => Ok(id.clone()),
        Key::Passphrase(_) => Err(no_key(what)),
    }
}

fn export(ctx: &Context, args: ExportArgs) -> Result<()> {
    let vault = Vault::open(&ctx.vault)?;
    let identity = identity_of(&vault, "export")?;
    let passphrase = keys::passphrase::obtain("Passphrase for the recovery kit: ", true)?;
    let mut text = zeroize::Zeroizing::new(format!(
        "# otp recovery kit for the vault {}\n# made {}\n",
        vault.path().display(),
        jiff::Timestamp::from_second(ctx.now).unwrap_or_default()
    ));
    text.push_str(&keys::identity_file::text(&identity));
    let kit =
        sealed::seal(text.as_bytes(), &passphrase).map_err(|e| Refused::SealKit(e.to_string()))?;
    match &args.output {
        None => ctx.print(&String::from_utf8_lossy(&kit)),
        Some(path) => {
            fsmode::write_private(path, &kit)
                .map_err(|e| Error::io(format!("cannot write {}", path.display()), e))?;
            ctx.notice(&format!(
                "Wrote the recovery kit of {} to {}. Keep it (and its passphrase) away from this \
                 machine; restore it with `otp key import {}`.",
                vault.path().display(),
                path.display(),
                path.display()
            ));
            Ok(())
        }
    }
}

/// The identity in a kit (sealed) or in a plain identity file.
fn read_kit(path: &Path) -> Result<age::x25519::Identity> {
    let bytes = zeroize::Zeroizing::new(
        std::fs::read(path).map_err(|e| Error::io(format!("cannot read {}", path.display()), e))?,
    );
    let locked = |cause: String| {
        Error::Vault(vault::Error::Unlock {
            what: "recovery kit",
            path: path.to_path_buf(),
            cause,
            hint: None,
        })
    };
    let plaintext = if sealed::is_age(&bytes) {
        let passphrase = keys::passphrase::obtain("Passphrase of the recovery kit: ", false)
            .map_err(|e| locked(e.to_string()))?;
        sealed::open(&bytes, &passphrase).map_err(|e| locked(e.to_string()))?
    } else {
        bytes
    };
    let text = String::from_utf8_lossy(&plaintext);
    text.lines()
        .map(str::trim)
        .find(|l| l.starts_with("AGE-SECRET-KEY-1"))
        .and_then(|l| age::x25519::Identity::from_str(l).ok())
        .ok_or_else(|| Error::from(Refused::NotAKit(path.to_path_buf())))
}

fn same(a: &age::x25519::Identity, b: &age::x25519::Identity) -> bool {
    a.to_public().to_string() == b.to_public().to_string()
}

fn import(ctx: &Context, args: ImportArgs) -> Result<()> {
    let settings = &ctx.vault;
    let backend = settings.backend.unwrap_or(Backend::Keyring);
    if backend == Backend::Passphrase {
        return Err(no_key("import"));
    }
    if !settings.path.exists() {
        // On a new machine: the key alone is no use without the vault it opens.
        return Err(Refused::NoVaultToRestore(settings.path.clone()).into());
    }
    let identity = read_kit(&args.kit)?;
    // Serialise with writers (and a concurrent rotation) of this vault.
    let _lock = VaultFile::new(settings.path.clone())
        .lock()
        .map_err(|e| Error::io(format!("cannot lock {}", settings.path.display()), e))?;
    vault::check_identity(settings, &identity).map_err(|e| match e {
        vault::Error::Unlock { what, path, .. } => Error::Vault(vault::Error::Unlock {
            what,
            path,
            cause: format!("the key in {} does not open it", args.kit.display()),
            hint: Some("is it the kit of another vault? choose the vault with --vault".into()),
        }),
        e => e.into(),
    })?;
    let place = match backend {
        Backend::Keyring => {
            let user = settings.keyring_user();
            // What the keyring itself holds: a cached copy may outlive a deleted item.
            if matches!(keys::keyring::load_stored(&user), Ok(old) if same(&old, &identity)) {
                ctx.print("The OS keyring already holds this key; nothing changed.\n")?;
                return Ok(());
            }
            keys::keyring::save(&user, &identity)?;
            "the OS keyring".to_string()
        }
        _ => {
            let path = &settings.identity_path;
            match keys::identity_file::restore(path, &identity)? {
                Restored::Created => {}
                Restored::AlreadyThere => {
                    ctx.print(&format!(
                        "{} already holds this key; nothing changed.\n",
                        path.display()
                    ))?;
                    return Ok(());
                }
                // Never overwrite another key: the file may serve other vaults.
                Restored::Occupied => {
                    return Err(Refused::OtherKeyThere(path.clone()).into());
                }
            }
            path.display().to_string()
        }
    };
    ctx.print(&format!(
        "Restored the key of {} into {place}; it opens the vault.\n",
        settings.path.display()
    ))
}

/// Rotation. For a key vault, three steps, each leaving a vault that a stored key opens:
///
/// 1. re-encrypt the vault to the old *and* the new key (the old key is still stored);
/// 2. store the new key in the backend, replacing the old one atomically (keyring: one
///    item replaced; identity file: under its lock, a temp file renamed over it, the old
///    keys kept below the new one) — now the new key is stored, and the vault still opens
///    with it. The backend is then read back: if the new key is not there, stop here;
/// 3. re-encrypt the vault to the new key only (twice, so `vault.age.bak` is re-encrypted
///    too) — the old key opens neither file from now on.
///
/// A crash between steps leaves a vault that opens with both keys; the next write (any
/// `otp add`, or rotating again) encrypts it to the stored key only.
fn rotate(ctx: &Context) -> Result<()> {
    let mut vault = Vault::open_for_update(&ctx.vault)?;
    let backend = vault.backend();
    if backend == Backend::Passphrase {
        let passphrase = keys::passphrase::obtain_new("New vault passphrase: ")?;
        vault.rekey(Key::Passphrase(passphrase))?;
        return ctx.print(&format!(
            "Changed the passphrase of {}; the old one no longer opens it (nor {}).\n",
            vault.path().display(),
            vault.backup_path().display()
        ));
    }
    let new = age::x25519::Identity::generate();
    vault.add_transition_key(&new.to_public())?;
    match backend {
        Backend::Keyring => keys::keyring::save(&ctx.vault.keyring_user(), &new)?,
        _ => keys::identity_file::replace(&ctx.vault.identity_path, &new)?,
    }
    confirm_stored(ctx, backend, &new, vault.path())?;
    let public = new.to_public();
    vault.rekey(Key::Identity(new))?;
    let (place, retired) = match backend {
        Backend::Keyring => ("the OS keyring".to_string(), String::new()),
        _ => {
            let file = ctx.vault.identity_path.display();
            let retired = format!(
                "The previous key stays in {file}, marked retired, for any other vault that \
                 uses the file; remove it when none does.\n"
            );
            (file.to_string(), retired)
        }
    };
    ctx.print(&format!(
        "Rotated the key of {}: the new key is in {place} (public key {public}).\n\
         Recovery kits made before now no longer open this vault: make a new one with \
         `otp key export -o FILE`.\n{retired}",
        vault.path().display()
    ))
}

/// Rotation between steps 2 and 3: reads the backend back and checks that it holds `new`
/// before the vault is encrypted to `new` alone; otherwise the vault stays encrypted to the
/// old and the new key, and the old one (still stored) opens it.
fn confirm_stored(
    ctx: &Context,
    backend: Backend,
    new: &age::x25519::Identity,
    vault: &Path,
) -> Result<()> {
    let (stored, place) = match backend {
        Backend::Keyring => (
            keys::keyring::load_stored(&ctx.vault.keyring_user()).map(|id| vec![id]),
            "the OS keyring".to_string(),
        ),
        _ => (
            keys::identity_file::load_all(&ctx.vault.identity_path),
            ctx.vault.identity_path.display().to_string(),
        ),
    };
    let found = match stored {
        Ok(ids) => ids.iter().any(|id| same(id, new)),
        Err(e) => return Err(not_stored(vault, &place, &e.to_string())),
    };
    if !found {
        return Err(not_stored(vault, &place, "it is not there when read back"));
    }
    Ok(())
}

fn not_stored(vault: &Path, place: &str, why: &str) -> Error {
    Refused::RotateUnconfirmed {
        vault: vault.to_path_buf(),
        place: place.to_string(),
        why: why.to_string(),
    }
    .into()
}

fn recipient(ctx: &Context) -> Result<()> {
    let vault = Vault::open(&ctx.vault)?;
    let identity = identity_of(&vault, "show")?;
    ctx.print(&format!("{}\n", identity.to_public()))
}
