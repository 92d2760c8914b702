/*!
The vault: one age-encrypted file holding the [`Document`] of entries.

[`Vault::open`] reads and decrypts it (no lock: writes are atomic renames);
[`Vault::open_for_update`] also holds the write lock until the [`Vault`] is dropped, and
[`Vault::save`] writes through the one crash-safe path in [`store`]. Which key opens the
vault is found here: the header tells a passphrase vault from a key vault, and for key vaults
we try the identity file and then the OS keyring, unless a backend was chosen explicitly.
*/

pub mod crypto;
pub mod document;
pub mod store;
pub mod view;

pub use document::{Added, Document};
pub use store::VaultFile;

use crate::entry::Entry;
use crate::keys::{self, Backend, Key};
use std::path::{Path, PathBuf};
use store::LockGuard;
use zeroize::Zeroizing;

/// Where the vault is and how its key is found: settled once from flags, env and config.
#[derive(Debug, Clone)]
pub struct Settings {
    pub path: PathBuf,
    /// A backend chosen by flag, environment or config; `None` finds it from the vault.
    pub backend: Option<Backend>,
    pub identity_path: PathBuf,
    /// Backup recipients (config `recipients`): the vault is always encrypted to these too.
    pub recipients: Vec<age::x25519::Recipient>,
}

impl Settings {
    /// The keyring's user name for this vault: its canonical path.
    pub fn keyring_user(&self) -> String {
        // A bare file name (`vault.age`) lives in the working directory: its parent is "",
        // which does not canonicalize, and `vault.age` alone would be shared by every such
        // vault anywhere.
        let parent = match self.path.parent() {
            Some(d) if d.as_os_str().is_empty() => Some(Path::new(".")),
            other => other,
        };
        let canonical = match (parent, self.path.file_name()) {
            (Some(dir), Some(name)) => dir
                .canonicalize()
                .map(|d| d.join(name))
                .unwrap_or_else(|_| self.path.clone()),
            _ => self.path.clone(),
        };
        canonical.to_string_lossy().into_owned()
    }
}

/// Why a vault could not be opened or written.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Exit 5. `what` names the file: "vault", or "backup" / "recovery kit" for the
    /// passphrase-sealed files of `otp export` and `otp key export`.
    #[error("cannot unlock {what} {}: {cause}", path.display())]
    Unlock {
        what: &'static str,
        path: PathBuf,
        cause: String,
        hint: Option<String>,
    },
    #[error("no vault at {}", .0.display())]
    Missing(PathBuf),
    #[error("a vault already exists at {}", .0.display())]
    Exists(PathBuf),
    #[error("cannot access vault {}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot read vault {}: {source}", path.display())]
    Document {
        path: PathBuf,
        source: document::Error,
    },
    #[error("cannot write vault {}: {source}", path.display())]
    ReadOnly {
        path: PathBuf,
        source: document::Error,
    },
    #[error("cannot create the vault key: {0}")]
    CreateKey(keys::Error),
    #[error("cannot write vault {}: {source}", path.display())]
    Encrypt {
        path: PathBuf,
        source: crypto::Error,
    },
}

impl Error {
    pub fn hint(&self) -> Option<&str> {
        match self {
            Error::Unlock { hint, .. } => hint.as_deref(),
            Error::Missing(_) => Some("create one with `otp init`, or add an entry with `otp add`"),
            _ => None,
        }
    }
}

/// Said once when `init` could not use the keyring and kept the key in a file instead.
#[derive(Debug, Clone)]
pub struct Fallback {
    pub identity_path: PathBuf,
    pub reason: String,
}

/// An open, decrypted vault.
pub struct Vault {
    file: VaultFile,
    key: Key,
    backend: Backend,
    settings: Settings,
    pub doc: Document,
    /// The document as read, to tell a no-op from a change (kept only when writable: the
    /// read-only path of `otp code` should not pay for a copy).
    loaded: Option<Document>,
    lock: Option<LockGuard>,
}

impl Vault {
    /// Opens the vault for reading.
    pub fn open(settings: &Settings) -> Result<Vault, Error> {
        Vault::load(settings, None)
    }

    /// The entry `query` names, read without building the whole document
    /// ([`view::resolve`]): the read-only path of `otp code`, which must stay fast on large
    /// vaults. The inner error is a query that names no single entry.
    pub fn find(
        settings: &Settings,
        query: &str,
    ) -> Result<Result<Entry, crate::query::Error>, Error> {
        let path = &settings.path;
        let bytes = VaultFile::new(path.clone())
            .read()
            .map_err(|e| io(path, e))?
            .ok_or_else(|| Error::Missing(path.clone()))?;
        let (_key, _backend, mut plaintext) = unlock(settings, bytes)?;
        let found = view::resolve(&plaintext, query);
        crypto::wipe(&mut plaintext);
        found.map_err(|source| Error::Document {
            path: path.clone(),
            source,
        })
    }

    /// Opens the vault and holds its write lock until dropped.
    pub fn open_for_update(settings: &Settings) -> Result<Vault, Error> {
        let file = VaultFile::new(settings.path.clone());
        let lock = file.lock().map_err(|e| io(&settings.path, e))?;
        Vault::load(settings, Some(lock))
    }

    /// Opens the vault for update, creating it (and its key) first if there is none.
    pub fn open_or_create(settings: &Settings) -> Result<(Vault, Option<Fallback>), Error> {
        let file = VaultFile::new(settings.path.clone());
        let lock = file.lock().map_err(|e| io(&settings.path, e))?;
        if file.exists() {
            return Ok((Vault::load(settings, Some(lock))?, None));
        }
        Vault::create_locked(settings, file, lock)
    }

    /// Creates a new, empty vault; refuses if one exists.
    pub fn create(settings: &Settings) -> Result<(Vault, Option<Fallback>), Error> {
        let file = VaultFile::new(settings.path.clone());
        let lock = file.lock().map_err(|e| io(&settings.path, e))?;
        if file.exists() {
            return Err(Error::Exists(settings.path.clone()));
        }
        Vault::create_locked(settings, file, lock)
    }

    fn create_locked(
        settings: &Settings,
        file: VaultFile,
        lock: LockGuard,
    ) -> Result<(Vault, Option<Fallback>), Error> {
        let (key, backend, fallback) = create_key(settings)?;
        let mut vault = Vault {
            file,
            key,
            backend,
            settings: settings.clone(),
            doc: Document::new(),
            loaded: None,
            lock: Some(lock),
        };
        vault.write()?;
        Ok((vault, fallback))
    }

    fn load(settings: &Settings, lock: Option<LockGuard>) -> Result<Vault, Error> {
        let path = &settings.path;
        let file = VaultFile::new(path.clone());
        let bytes = file
            .read()
            .map_err(|e| io(path, e))?
            .ok_or_else(|| Error::Missing(path.clone()))?;
        let (key, backend, mut plaintext) = unlock(settings, bytes)?;
        let doc = Document::from_json(&plaintext);
        crypto::wipe(&mut plaintext);
        let doc = doc.map_err(|source| Error::Document {
            path: path.clone(),
            source,
        })?;
        Ok(Vault {
            file,
            key,
            backend,
            settings: settings.clone(),
            loaded: lock.is_some().then(|| doc.clone()),
            doc,
            lock,
        })
    }

    pub fn path(&self) -> &Path {
        self.file.path()
    }

    /// Where the previous vault is kept after a change.
    pub fn backup_path(&self) -> PathBuf {
        self.file.backup_path()
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Writes the document if it changed. Needs [`Vault::open_for_update`].
    pub fn save(&mut self) -> Result<bool, Error> {
        if self.loaded.as_ref() == Some(&self.doc) {
            return Ok(false);
        }
        self.doc
            .check_writable()
            .map_err(|source| Error::ReadOnly {
                path: self.settings.path.clone(),
                source,
            })?;
        self.write()?;
        self.loaded = Some(self.doc.clone());
        Ok(true)
    }

    fn write(&mut self) -> Result<(), Error> {
        self.write_to(&[])
    }

    /// The key that opened (or created) the vault.
    pub fn key(&self) -> &Key {
        &self.key
    }

    /// Key rotation, step 1: rewrites the vault encrypted to its current key *and* `next`,
    /// so that whichever of the two keys a backend holds after a crash opens it.
    /// Needs [`Vault::open_for_update`].
    pub fn add_transition_key(&mut self, next: &age::x25519::Recipient) -> Result<(), Error> {
        if matches!(self.key, Key::Passphrase(_)) {
            return Err(Error::Encrypt {
                path: self.settings.path.clone(),
                source: crypto::Error::PassphraseWithRecipients,
            });
        }
        self.write_to(std::slice::from_ref(next))
    }

    /// Key rotation, last step: the vault from now on is encrypted to `key` (and the backup
    /// recipients) only. Written twice, so that `vault.age.bak` no longer opens with the old
    /// key either. Needs [`Vault::open_for_update`].
    pub fn rekey(&mut self, key: Key) -> Result<(), Error> {
        self.doc
            .check_writable()
            .map_err(|source| Error::ReadOnly {
                path: self.settings.path.clone(),
                source,
            })?;
        self.key = key;
        self.write_to(&[])?;
        self.write_to(&[])
    }

    fn write_to(&mut self, extra: &[age::x25519::Recipient]) -> Result<(), Error> {
        let path = &self.settings.path;
        let Some(lock) = &self.lock else {
            return Err(io(
                path,
                std::io::Error::other("the vault was opened read-only"),
            ));
        };
        let plaintext = self.doc.to_json();
        let mut recipients = self.settings.recipients.clone();
        recipients.extend_from_slice(extra);
        let ciphertext = crypto::encrypt(&plaintext, &self.key, &recipients).map_err(|source| {
            Error::Encrypt {
                path: path.clone(),
                source,
            }
        })?;
        self.file
            .replace(lock, &ciphertext)
            .map_err(|e| io(path, e))
    }
}

/// Whether `identity` opens the vault described by `settings` (for restoring a key): Ok, or
/// the reason it cannot be checked or does not open it.
pub fn check_identity(settings: &Settings, identity: &age::x25519::Identity) -> Result<(), Error> {
    let path = &settings.path;
    let bytes = VaultFile::new(path.clone())
        .read()
        .map_err(|e| io(path, e))?
        .ok_or_else(|| Error::Missing(path.clone()))?;
    crypto::decrypt(&mut Zeroizing::new(bytes), &Key::Identity(identity.clone())).map_err(|e| {
        Error::Unlock {
            what: "vault",
            path: path.clone(),
            cause: e.to_string(),
            hint: None,
        }
    })
}

fn io(path: &Path, source: std::io::Error) -> Error {
    Error::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Makes the key of a new vault in the chosen backend; with no choice, the OS keyring, or an
/// identity file when no keyring service answers (SPEC §3).
fn create_key(settings: &Settings) -> Result<(Key, Backend, Option<Fallback>), Error> {
    match settings.backend {
        Some(Backend::Passphrase) => {
            let p = keys::passphrase::obtain("New vault passphrase: ", true)
                .map_err(Error::CreateKey)?;
            Ok((Key::Passphrase(p), Backend::Passphrase, None))
        }
        Some(Backend::IdentityFile) => {
            let key = identity_file_key(&settings.identity_path)?;
            Ok((key, Backend::IdentityFile, None))
        }
        Some(Backend::Keyring) | None => {
            match keys::keyring::load_or_create(&settings.keyring_user()) {
                Ok(identity) => Ok((Key::Identity(identity), Backend::Keyring, None)),
                Err(keys::Error::KeyringUnavailable(reason)) if settings.backend.is_none() => {
                    let key = identity_file_key(&settings.identity_path)?;
                    let fallback = Fallback {
                        identity_path: settings.identity_path.clone(),
                        reason,
                    };
                    Ok((key, Backend::IdentityFile, Some(fallback)))
                }
                Err(e) => Err(Error::CreateKey(e)),
            }
        }
    }
}

/// The identity in the identity file, created if the file does not exist yet (several
/// vaults may share one identity file).
fn identity_file_key(path: &Path) -> Result<Key, Error> {
    keys::identity_file::load_or_create(path)
        .map(Key::Identity)
        .map_err(Error::CreateKey)
}

type Unlocked = (Key, Backend, zeroize::Zeroizing<Vec<u8>>);

/// Finds the key that opens the vault file `bytes` and decrypts it, in place.
fn unlock(settings: &Settings, bytes: Vec<u8>) -> Result<Unlocked, Error> {
    let fail = |cause: String, hint: Option<&str>| Error::Unlock {
        what: "vault",
        path: settings.path.clone(),
        cause,
        hint: hint.map(str::to_string),
    };
    let mut buf = Zeroizing::new(bytes);
    let lock = crypto::lock_of(&buf).map_err(|e| fail(e.to_string(), None))?;
    // A backend's keys in turn (an identity file may hold retired keys that other vaults
    // use); a key that does not open the header leaves `buf` for the next one to try.
    let mut try_keys = |keys: Vec<Key>, backend: Backend| -> Result<Unlocked, Error> {
        let mut last = crypto::Error::WrongKey;
        for key in keys {
            match crypto::decrypt(&mut buf, &key) {
                Ok(()) => return Ok((key, backend, std::mem::take(&mut buf))),
                Err(crypto::Error::WrongKey) => {}
                Err(e) => {
                    last = e;
                    break;
                }
            }
        }
        Err(fail(format!("{last} ({backend} backend)"), None))
    };
    let identities =
        |ids: &[age::x25519::Identity]| ids.iter().cloned().map(Key::Identity).collect();
    if lock == crypto::Lock::Passphrase {
        if let Some(b @ (Backend::Keyring | Backend::IdentityFile)) = settings.backend {
            let why = format!("it is passphrase-encrypted, but the {b} backend was chosen");
            return Err(fail(why, Some("use --backend passphrase")));
        }
        let p = keys::passphrase::obtain("Vault passphrase: ", false)
            .map_err(|e| fail(e.to_string(), None))?;
        return try_keys(vec![Key::Passphrase(p)], Backend::Passphrase);
    }
    let from_file = || keys::identity_file::load_all(&settings.identity_path);
    let from_keyring = || keys::keyring::load(&settings.keyring_user());
    match settings.backend {
        Some(Backend::Passphrase) => Err(fail(
            crypto::Error::NeedsIdentity.to_string(),
            Some("drop --backend passphrase to use the keyring or identity file"),
        )),
        Some(Backend::IdentityFile) => match from_file() {
            Ok(ids) => try_keys(identities(&ids), Backend::IdentityFile),
            Err(e) => Err(fail(e.to_string(), None)),
        },
        Some(Backend::Keyring) => match from_keyring() {
            Ok(id) => try_keys(vec![Key::Identity(id)], Backend::Keyring),
            Err(e) => Err(fail(e.to_string(), keyring_hint(&e))),
        },
        None => {
            // No backend named: the identity file if there is one that opens the vault,
            // else the keyring.
            let file_result = from_file();
            if let Ok(ids) = &file_result
                && let Ok(unlocked) = try_keys(identities(ids), Backend::IdentityFile)
            {
                return Ok(unlocked);
            }
            match from_keyring() {
                Ok(id) => try_keys(vec![Key::Identity(id)], Backend::Keyring),
                Err(e) => {
                    let file_note = match file_result {
                        Ok(_) => format!(
                            "; the identity file {} does not open it",
                            settings.identity_path.display()
                        ),
                        Err(keys::Error::NoIdentityFile(_)) => String::new(),
                        Err(fe) => format!("; {fe}"),
                    };
                    Err(fail(format!("{e}{file_note}"), keyring_hint(&e)))
                }
            }
        }
    }
}

fn keyring_hint(e: &keys::Error) -> Option<&'static str> {
    match e {
        keys::Error::KeyringLocked(_) => {
            Some("unlock your keyring (log in to the desktop session) and try again")
        }
        keys::Error::NoKeyringKey => Some(
            "restore the key from your recovery kit with `otp key import KIT`, or point \
             --identity at the identity file if you keep the key in one",
        ),
        keys::Error::KeyringUnavailable(_) => {
            Some("if you keep the key in a file, point --identity or OTP_IDENTITY_FILE at it")
        }
        _ => None,
    }
}
