/*!
The vault: one age-encrypted file holding the [`Document`] of entries.

[`Vault::open`] reads and decrypts it (no lock: writes are atomic renames);
[`Vault::open_for_update`] also holds the write lock until the [`Vault`] is dropped, and
[`Vault::save`] writes through the one crash-safe path in [`store`]. Which key opens the
vault is found here: the header tells a passphrase vault from a key vault, and for key vaults
we try the identity file and then the OS keyring, unless a backend was chosen explicitly.

A new vault is made only where nothing at all is at the path, never while its backup is
there (the vault was probably moved or lost, and `otp add` is the first thing typed next),
and with the key already stored for the path if there is one: a stored key is only ever
replaced or deleted by `otp key`. docs/DATA-SAFETY.md says what this promises.
*/

pub(crate) mod conflicts;
pub mod crypto;
pub mod document;
pub(crate) mod find;
pub(crate) mod merge;
pub(crate) mod store;

pub use document::{Added, Document};
pub(crate) use store::VaultFile;

use crate::entry::Entry;
use crate::keys::{self, Backend, Key};
use std::io::Seek;
use std::path::{Path, PathBuf};
use store::{Location, LockGuard};

/// Where the vault is and how its key is found: settled once from flags, env and config.
#[derive(Debug, Clone)]
pub(crate) struct Settings {
    pub path: PathBuf,
    /// A backend chosen by flag, environment or config; `None` finds it from the vault.
    pub backend: Option<Backend>,
    pub identity_path: PathBuf,
    /// Backup recipients (config `recipients`): the vault is always encrypted to these too.
    pub recipients: Vec<age::x25519::Recipient>,
}

impl Settings {
    /// The keyring's user name for this vault: the canonical path of the file itself, a
    /// symbolic link resolved, so that every link to one vault finds the same key.
    pub(crate) fn keyring_user(&self) -> String {
        canonical_name(VaultFile::new(self.path.clone()).path())
    }

    /// The name a symlinked vault's key was stored under before links were resolved: the
    /// link's own path, its directory canonicalized. `None` when it is the same name.
    fn legacy_keyring_user(&self) -> Option<String> {
        let legacy = canonical_name(&self.path);
        (legacy != self.keyring_user()).then_some(legacy)
    }
}

/// `path` with its directory canonicalized and its file name kept.
fn canonical_name(path: &Path) -> String {
    // A bare file name (`vault.age`) lives in the working directory: its parent is "",
    // which does not canonicalize, and `vault.age` alone would be shared by every such
    // vault anywhere.
    let parent = match path.parent() {
        Some(d) if d.as_os_str().is_empty() => Some(Path::new(".")),
        other => other,
    };
    let canonical = match (parent, path.file_name()) {
        (Some(dir), Some(name)) => dir
            .canonicalize()
            .map(|d| d.join(name))
            .unwrap_or_else(|_| path.to_path_buf()),
        _ => path.to_path_buf(),
    };
    canonical.to_string_lossy().into_owned()
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
    /// The vault is gone but its backup is not: creating a vault would bury the backup.
    #[error("no vault at {}, but its backup {} is there", path.display(), backup.display())]
    OnlyBackup {
        path: PathBuf,
        backup: PathBuf,
        hint: String,
    },
    #[error("cannot use vault {}: {source}", path.display())]
    Locate {
        path: PathBuf,
        source: store::LocateError,
    },
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
    pub(crate) fn hint(&self) -> Option<&str> {
        match self {
            Error::Unlock { hint, .. } => hint.as_deref(),
            Error::OnlyBackup { hint, .. } => Some(hint),
            Error::Locate {
                source: store::LocateError::Link { .. },
                ..
            } => Some("mount or restore what the link points to, or point --vault at the vault"),
            Error::Missing(_) => Some("create one with `otp init`, or add an entry with `otp add`"),
            Error::ReadOnly { source, .. } => source.hint(),
            _ => None,
        }
    }
}

/// Said once when `init` could not use the keyring and kept the key in a file instead.
#[derive(Debug, Clone)]
pub(crate) struct Fallback {
    pub identity_path: PathBuf,
}

/// Another version of a vault, decrypted with its key: the document and the bytes it came
/// from.
pub(crate) struct Version {
    pub doc: Document,
    ciphertext: Vec<u8>,
}

/// An open, decrypted vault.
pub(crate) struct Vault {
    file: VaultFile,
    key: Key,
    backend: Backend,
    settings: Settings,
    pub doc: Document,
    /// The document as read, to tell a no-op from a change (kept only when writable: the
    /// read-only path of `otp code` should not pay for a copy).
    loaded: Option<Document>,
    lock: Option<LockGuard>,
    /// Not written yet: the first save creates the file, and never over another one.
    fresh: bool,
    /// Made with the key the backend already held for this path.
    reused_key: bool,
}

impl Vault {
    /// Opens the vault for reading.
    pub(crate) fn open(settings: &Settings) -> Result<Vault, Error> {
        Vault::load(settings, None)
    }

    /// The entry `query` names, read without building the whole document
    /// ([`find::resolve`]): the read-only path of `otp code`, which must stay fast on large
    /// vaults. The inner error is a query that names no single entry.
    pub(crate) fn find(
        settings: &Settings,
        query: &str,
    ) -> Result<Result<Entry, crate::query::Error>, Error> {
        let path = &settings.path;
        let mut vault = open_existing(settings, &locate(settings)?.file)?;
        let (_key, _backend, mut plaintext) = unlock(settings, &mut vault, Use::Read)?;
        let found = find::resolve(&plaintext, query);
        crypto::wipe(&mut plaintext);
        found.map_err(|source| Error::Document {
            path: path.clone(),
            source,
        })
    }

    /// Opens the vault and holds its write lock until dropped.
    pub(crate) fn open_for_update(settings: &Settings) -> Result<Vault, Error> {
        let lock = locate(settings)?
            .file
            .lock()
            .map_err(|e| io(&settings.path, e))?;
        Vault::load(settings, Some(lock))
    }

    /// Opens the vault for update, or makes a new one (and its key, unless the backend
    /// already holds one for this path) when nothing is at the path. A new vault is not
    /// written until [`Vault::save`], so `otp add` writes it once, holding its entries.
    pub(crate) fn open_or_create(settings: &Settings) -> Result<(Vault, Option<Fallback>), Error> {
        match Vault::lock_absent(settings)? {
            (Some(lock), true) => Vault::create_locked(settings, lock),
            (lock, _) => Ok((Vault::load(settings, lock)?, None)),
        }
    }

    /// Creates and writes a new, empty vault; refuses if one exists.
    pub(crate) fn create(settings: &Settings) -> Result<(Vault, Option<Fallback>), Error> {
        let (Some(lock), true) = Vault::lock_absent(settings)? else {
            return Err(Error::Exists(settings.path.clone()));
        };
        let (mut vault, fallback) = Vault::create_locked(settings, lock)?;
        vault.write()?;
        Ok((vault, fallback))
    }

    /// Takes the lock and tells whether the path is free for a new vault. Refuses while
    /// the backup is there without the vault; checked before locking too, so that such a
    /// refusal writes nothing at all, not even the lock file.
    fn lock_absent(settings: &Settings) -> Result<(Option<LockGuard>, bool), Error> {
        let before = locate(settings)?;
        if before.exists {
            let lock = before.file.lock().map_err(|e| io(&settings.path, e))?;
            return Ok((Some(lock), false));
        }
        refuse_if_backup(settings, &before)?;
        let lock = before.file.lock().map_err(|e| io(&settings.path, e))?;
        // Another writer may have made it while we waited for the lock.
        let after = locate(settings)?;
        if !after.exists {
            refuse_if_backup(settings, &after)?;
        }
        Ok((Some(lock), !after.exists))
    }

    fn create_locked(
        settings: &Settings,
        lock: LockGuard,
    ) -> Result<(Vault, Option<Fallback>), Error> {
        let (key, backend, fallback, reused_key) = create_key(settings)?;
        let vault = Vault {
            file: locate(settings)?.file,
            key,
            backend,
            settings: settings.clone(),
            doc: Document::new(),
            loaded: None,
            lock: Some(lock),
            fresh: true,
            reused_key,
        };
        Ok((vault, fallback))
    }

    fn load(settings: &Settings, lock: Option<LockGuard>) -> Result<Vault, Error> {
        let path = &settings.path;
        let file = locate(settings)?.file;
        let mut vault = open_existing(settings, &file)?;
        // A writer encrypts to the key it opened with: that must be the stored key, never
        // a cached copy that may be older (a rotation elsewhere, one killed half-way).
        let purpose = if lock.is_some() {
            Use::Write
        } else {
            Use::Read
        };
        let (key, backend, mut plaintext) = unlock(settings, &mut vault, purpose)?;
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
            fresh: false,
            reused_key: false,
        })
    }

    /// Whether a new vault was made with the key its backend already held for the path.
    pub(crate) fn reused_key(&self) -> bool {
        self.reused_key
    }

    /// The vault's path as the user gave it.
    pub(crate) fn path(&self) -> &Path {
        &self.settings.path
    }

    /// Where the previous vault is kept after a change (beside a symlinked vault's target).
    pub(crate) fn backup_path(&self) -> PathBuf {
        self.file.backup_path()
    }

    pub(crate) fn backend(&self) -> Backend {
        self.backend
    }

    /// Writes the document if it changed. Needs [`Vault::open_for_update`].
    pub(crate) fn save(&mut self) -> Result<bool, Error> {
        if self.loaded.as_ref() == Some(&self.doc) {
            return Ok(false);
        }
        self.doc
            .check_writable()
            .map_err(|source| Error::ReadOnly {
                path: self.settings.path.clone(),
                source,
            })?;
        let before = self.loaded.take().unwrap_or_default();
        self.doc
            .stamp_changes(&before, jiff::Timestamp::now().as_second(), &device());
        let written = self.write();
        if written.is_err() {
            self.loaded = Some(before);
        }
        written?;
        self.loaded = Some(self.doc.clone());
        Ok(true)
    }

    /// Writes `doc`, the result of merging other copies into this vault, if it differs. Its
    /// entries keep the stamps the merge gave them: they are not changes made here.
    pub(crate) fn save_merged(&mut self, doc: Document) -> Result<bool, Error> {
        if self.loaded.as_ref() == Some(&doc) {
            return Ok(false);
        }
        doc.check_writable().map_err(|source| Error::ReadOnly {
            path: self.settings.path.clone(),
            source,
        })?;
        let previous = std::mem::replace(&mut self.doc, doc);
        if let Err(e) = self.write() {
            self.doc = previous;
            return Err(e);
        }
        self.loaded = Some(self.doc.clone());
        Ok(true)
    }

    fn write(&mut self) -> Result<(), Error> {
        self.write_to(&[])
    }

    /// Reads another copy of this vault (a sync tool's conflict copy, a backup), decrypted
    /// with the key that opened this one.
    pub(crate) fn read_copy(&self, path: &Path) -> Result<Document, Error> {
        let bytes = std::fs::read(path).map_err(|e| io(path, e))?;
        self.decrypt_copy(path, bytes)
    }

    /// Decrypts another copy of this vault held in memory; `path` names it in messages.
    pub(crate) fn decrypt_copy(&self, path: &Path, bytes: Vec<u8>) -> Result<Document, Error> {
        let mut buf = crypto::decrypt(&bytes, &self.key).map_err(|e| Error::Unlock {
            what: "copy",
            path: path.to_path_buf(),
            cause: e.to_string(),
            hint: Some("a copy merges only if the vault's current key opens it".into()),
        })?;
        let doc = Document::from_json(&buf);
        crypto::wipe(&mut buf);
        doc.map_err(|source| Error::Document {
            path: path.to_path_buf(),
            source,
        })
    }

    /// The key that opened (or created) the vault.
    pub(crate) fn key(&self) -> &Key {
        &self.key
    }

    /// Key rotation, step 1: rewrites the vault encrypted to its current key *and* `next`,
    /// so that whichever of the two keys a backend holds after a crash opens it.
    /// Needs [`Vault::open_for_update`].
    pub(crate) fn add_transition_key(
        &mut self,
        next: &age::x25519::Recipient,
    ) -> Result<(), Error> {
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
    pub(crate) fn rekey(&mut self, key: Key) -> Result<(), Error> {
        self.doc
            .check_writable()
            .map_err(|source| Error::ReadOnly {
                path: self.settings.path.clone(),
                source,
            })?;
        // This machine's device record follows its key.
        if let (Key::Identity(old), Key::Identity(new)) = (&self.key, &key) {
            let (old, new) = (old.to_public().to_string(), new.to_public().to_string());
            let names: Vec<String> = self
                .doc
                .live_devices()
                .filter(|d| d.key == old)
                .map(|d| d.name.clone())
                .collect();
            let now = jiff::Timestamp::now().as_second();
            for name in names {
                self.doc.set_device(&name, &new, false, now, &device());
            }
        }
        self.key = key;
        self.write_to(&[])?;
        self.write_to(&[])
    }

    /// Decrypts another version of this vault held in memory (the result of git's merge),
    /// keeping its bytes for [`Vault::adopt`]; `name` names it in messages.
    pub(crate) fn decrypt_version(
        &self,
        name: &Path,
        ciphertext: Vec<u8>,
    ) -> Result<Version, Error> {
        let doc = self.decrypt_copy(name, ciphertext.clone())?;
        Ok(Version { doc, ciphertext })
    }

    /// Makes `version` (from [`Vault::decrypt_version`]: it opened with this vault's key) the
    /// vault as it is, byte for byte, written through the crash-safe path under the lock.
    /// Whether the file changed. Needs [`Vault::open_for_update`].
    pub(crate) fn adopt(&mut self, version: Version) -> Result<bool, Error> {
        let path = &self.settings.path;
        if self.file.read().map_err(|e| io(path, e))?.as_deref() == Some(&version.ciphertext) {
            return Ok(false);
        }
        self.locked(|vault, lock| vault.put(lock, &version.ciphertext))?;
        self.loaded = Some(version.doc.clone());
        self.doc = version.doc;
        Ok(true)
    }

    /// Runs `write` with the vault's write lock, which a vault opened read-only lacks.
    fn locked<T>(
        &mut self,
        write: impl FnOnce(&mut Vault, &LockGuard) -> Result<T, Error>,
    ) -> Result<T, Error> {
        let Some(lock) = self.lock.take() else {
            return Err(io(
                &self.settings.path,
                std::io::Error::other("the vault was opened read-only"),
            ));
        };
        let written = write(self, &lock);
        self.lock = Some(lock);
        written
    }

    fn write_to(&mut self, extra: &[age::x25519::Recipient]) -> Result<(), Error> {
        self.locked(|vault, lock| vault.seal_and_put(lock, extra))
    }

    fn seal_and_put(
        &mut self,
        lock: &LockGuard,
        extra: &[age::x25519::Recipient],
    ) -> Result<(), Error> {
        let ciphertext = seal_to(&self.settings, &self.key, &self.doc, extra)?;
        self.put(lock, &ciphertext)
    }

    /// Makes `ciphertext` the vault, through the crash-safe path, under the lock.
    fn put(&mut self, lock: &LockGuard, ciphertext: &[u8]) -> Result<(), Error> {
        let path = &self.settings.path;
        let written = if self.fresh {
            self.file
                .create_new(lock, ciphertext)
                .map_err(|e| match e.kind() {
                    std::io::ErrorKind::AlreadyExists => Error::Exists(path.clone()),
                    _ => io(path, e),
                })?
        } else {
            self.file
                .replace(lock, ciphertext)
                .map_err(|e| io(path, e))?
        };
        self.fresh = false;
        if let Some(degraded) = written {
            // The change is made: failing the command now would tell the user otherwise.
            use std::io::Write;
            let _ = writeln!(
                std::io::stderr(),
                "otp: warning: vault {}: {degraded}",
                path.display()
            );
        }
        Ok(())
    }
}

/// `doc` encrypted as the vault `settings` describes is written: with `key`, to the backup
/// recipients, `extra` and every device the document lists.
fn seal_to(
    settings: &Settings,
    key: &Key,
    doc: &Document,
    extra: &[age::x25519::Recipient],
) -> Result<Vec<u8>, Error> {
    let path = &settings.path;
    let mut recipients = settings.recipients.clone();
    recipients.extend_from_slice(extra);
    // The other machines (`otp device`): every write keeps them able to open it.
    let own = match key {
        Key::Identity(id) => Some(id.to_public().to_string()),
        Key::Passphrase(_) => None,
    };
    let devices = doc.device_recipients().map_err(|source| Error::Document {
        path: path.clone(),
        source,
    })?;
    recipients.extend(devices.into_iter().filter(|r| Some(r.to_string()) != own));
    let plaintext = doc.to_json();
    crypto::encrypt(&plaintext, key, &recipients).map_err(|source| Error::Encrypt {
        path: path.clone(),
        source,
    })
}

/// Another version of the vault `settings` describes, held in memory (one of those git is
/// merging), decrypted with the key this machine holds for that vault; `name` names it in
/// messages. Returns the document and the key that opened it.
pub(crate) fn open_version(
    settings: &Settings,
    name: &Path,
    bytes: Vec<u8>,
) -> Result<(Document, Key), Error> {
    // The vault's own settings: the keyring names the key after the vault.
    let mut version = Opened::in_memory(&bytes);
    let (key, _backend, plaintext) =
        unlock(settings, &mut version, Use::Read).map_err(|e| match e {
            Error::Unlock { cause, .. } => Error::Unlock {
                what: "version",
                path: name.to_path_buf(),
                cause,
                // One line: git shows it among its own messages.
                hint: None,
            },
            other => other,
        })?;
    Ok((parse_version(name, plaintext)?, key))
}

/// The same, first with `key` (the one that opened another version: a passphrase is asked
/// once), then with the keys [`open_version`] tries.
pub(crate) fn open_version_with(
    settings: &Settings,
    name: &Path,
    bytes: Vec<u8>,
    key: &Key,
) -> Result<Document, Error> {
    match crypto::decrypt(&bytes, key) {
        Ok(plaintext) => parse_version(name, plaintext),
        Err(_) => open_version(settings, name, bytes).map(|(doc, _)| doc),
    }
}

fn parse_version(
    name: &Path,
    mut plaintext: zeroize::Zeroizing<Vec<u8>>,
) -> Result<Document, Error> {
    let doc = Document::from_json(&plaintext);
    crypto::wipe(&mut plaintext);
    doc.map_err(|source| Error::Document {
        path: name.to_path_buf(),
        source,
    })
}

/// `doc` encrypted as a write of the vault `settings` describes would encrypt it, with `key`
/// (from [`open_version`]): refused for a document a newer otp wrote.
pub(crate) fn seal(settings: &Settings, key: &Key, doc: &Document) -> Result<Vec<u8>, Error> {
    doc.check_writable().map_err(|source| Error::ReadOnly {
        path: settings.path.clone(),
        source,
    })?;
    seal_to(settings, key, doc, &[])
}

/// This machine's name in modification stamps (`OTP_DEVICE`, else the host name): it only
/// breaks ties between changes made in the same second on two machines.
pub(crate) fn device() -> String {
    if let Some(name) = std::env::var_os("OTP_DEVICE").filter(|v| !v.is_empty()) {
        return name.to_string_lossy().chars().take(64).collect();
    }
    #[cfg(unix)]
    {
        let uname = rustix::system::uname();
        let name = uname.nodename().to_string_lossy();
        if !name.is_empty() {
            return name.chars().take(64).collect();
        }
    }
    #[cfg(windows)]
    if let Some(name) = std::env::var_os("COMPUTERNAME") {
        return name.to_string_lossy().chars().take(64).collect();
    }
    "unknown".to_string()
}

/// This machine's key for the vault `settings` describes: the one that opens it, or, before
/// there is a vault here (a machine about to `otp sync --clone`), the key its backend holds
/// for the path, created in the backend if there is none. `None` for a passphrase vault.
pub(crate) fn machine_key(settings: &Settings) -> Result<Option<age::x25519::Identity>, Error> {
    let key = if locate(settings)?.exists {
        Vault::open(settings)?.key
    } else if settings.backend == Some(Backend::Passphrase) {
        return Ok(None);
    } else {
        create_key(settings)?.0
    };
    Ok(match key {
        Key::Identity(id) => Some(id),
        Key::Passphrase(_) => None,
    })
}

/// Whether `identity` opens the vault described by `settings` (for restoring a key): Ok, or
/// the reason it cannot be checked or does not open it.
pub(crate) fn check_identity(
    settings: &Settings,
    identity: &age::x25519::Identity,
) -> Result<(), Error> {
    let path = &settings.path;
    let mut vault = open_existing(settings, &locate(settings)?.file)?;
    crypto::decrypt_reader(
        &mut vault.input,
        vault.len,
        &Key::Identity(identity.clone()),
    )
    .map(drop)
    .map_err(|e| match e {
        crypto::Error::Read(e) => io(path, e),
        e => Error::Unlock {
            what: "vault",
            path: path.clone(),
            cause: e.to_string(),
            hint: None,
        },
    })
}

/// Resolves the vault path: a broken link or an unreadable directory is an error naming it.
fn locate(settings: &Settings) -> Result<Location, Error> {
    store::locate(&settings.path).map_err(|source| Error::Locate {
        path: settings.path.clone(),
        source,
    })
}

/// A vault to decrypt, at its start: age reads it as it decrypts it, from the open file
/// (never copied whole into memory) or from bytes held in memory.
struct Opened<R> {
    input: R,
    /// Its size when opened, which bounds the plaintext.
    len: u64,
}

impl<'a> Opened<std::io::Cursor<&'a [u8]>> {
    fn in_memory(bytes: &'a [u8]) -> Self {
        Opened {
            input: std::io::Cursor::new(bytes),
            len: bytes.len() as u64,
        }
    }
}

fn open_existing(
    settings: &Settings,
    file: &VaultFile,
) -> Result<Opened<std::io::BufReader<std::fs::File>>, Error> {
    let path = &settings.path;
    let file = file
        .open()
        .map_err(|e| io(path, e))?
        .ok_or_else(|| Error::Missing(path.clone()))?;
    let len = file.metadata().map_err(|e| io(path, e))?.len();
    Ok(Opened {
        input: std::io::BufReader::new(file),
        len,
    })
}

fn refuse_if_backup(settings: &Settings, at: &Location) -> Result<(), Error> {
    let backup = at.file.backup_path();
    match std::fs::symlink_metadata(&backup) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(io(&backup, e)),
        Ok(_) => {}
    }
    let path = at.file.path();
    Err(Error::OnlyBackup {
        path: settings.path.clone(),
        hint: format!(
            "restore it with `mv {} {}` (or move it away to start a new vault)",
            backup.display(),
            path.display()
        ),
        backup,
    })
}

fn io(path: &Path, source: std::io::Error) -> Error {
    Error::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// The key of a new vault in the chosen backend; with no choice, the OS keyring, or an
/// identity file when no keyring service answers. A key the keyring already holds for this
/// path is used, never replaced: it may be the only key of a vault that was moved away, and
/// it opens that vault again once it is back. The last field says whether it was reused.
fn create_key(settings: &Settings) -> Result<(Key, Backend, Option<Fallback>, bool), Error> {
    let fallback = || -> Result<_, Error> {
        let (key, reused) = identity_file_key(&settings.identity_path)?;
        let fallback = Fallback {
            identity_path: settings.identity_path.clone(),
        };
        Ok((key, Backend::IdentityFile, Some(fallback), reused))
    };
    match settings.backend {
        Some(Backend::Passphrase) => {
            let p = keys::passphrase::obtain("New vault passphrase: ", true)
                .map_err(Error::CreateKey)?;
            Ok((Key::Passphrase(p), Backend::Passphrase, None, false))
        }
        Some(Backend::IdentityFile) => {
            let (key, reused) = identity_file_key(&settings.identity_path)?;
            Ok((key, Backend::IdentityFile, None, reused))
        }
        Some(Backend::Keyring) | None => {
            let user = settings.keyring_user();
            match keys::keyring::load_stored(&user) {
                Ok(identity) => return Ok((Key::Identity(identity), Backend::Keyring, None, true)),
                Err(keys::Error::NoKeyringKey) => {}
                Err(keys::Error::KeyringUnavailable(_)) if settings.backend.is_none() => {
                    return fallback();
                }
                Err(e) => return Err(Error::CreateKey(e)),
            }
            let identity = age::x25519::Identity::generate();
            match keys::keyring::save(&user, &identity) {
                Ok(()) => Ok((Key::Identity(identity), Backend::Keyring, None, false)),
                Err(keys::Error::KeyringUnavailable(_)) if settings.backend.is_none() => fallback(),
                Err(e) => Err(Error::CreateKey(e)),
            }
        }
    }
}

/// The identity in the identity file, created if the file does not exist yet (several
/// vaults may share one identity file).
fn identity_file_key(path: &Path) -> Result<(Key, bool), Error> {
    match keys::identity_file::load(path) {
        Ok(identity) => Ok((Key::Identity(identity), true)),
        // Created under the identity file's lock, or the one another otp made meanwhile.
        Err(keys::Error::NoIdentityFile(_)) => keys::identity_file::load_or_create(path)
            .map(|identity| (Key::Identity(identity), false))
            .map_err(Error::CreateKey),
        Err(e) => Err(Error::CreateKey(e)),
    }
}

type Unlocked = (Key, Backend, zeroize::Zeroizing<Vec<u8>>);

/// What a vault is opened for: a reader may take the keyring key from the short-lived
/// cache; a writer, which encrypts the new vault to the key it opened with, takes the one
/// the OS keyring stores.
#[derive(Clone, Copy, PartialEq)]
enum Use {
    Read,
    Write,
}

/// Finds the key that opens the vault file `vault` and decrypts it.
fn unlock<R: std::io::BufRead + Seek>(
    settings: &Settings,
    vault: &mut Opened<R>,
    purpose: Use,
) -> Result<Unlocked, Error> {
    let fail = |cause: String, hint: Option<String>| Error::Unlock {
        what: "vault",
        path: settings.path.clone(),
        cause,
        hint,
    };
    // A damaged file is not a key problem: say so, and where the previous vault is.
    let key_fail = |e: crypto::Error, backend: Backend| {
        if let crypto::Error::Read(e) = e {
            return io(&settings.path, e);
        }
        let hint = matches!(e, crypto::Error::Damaged | crypto::Error::NotAge)
            .then(|| damaged_hint(settings))
            .flatten();
        fail(format!("{e} ({backend} backend)"), hint)
    };
    let lock = crypto::lock_of_reader(&mut vault.input).map_err(|e| match e {
        crypto::Error::Read(e) => io(&settings.path, e),
        e => fail(e.to_string(), damaged_hint(settings)),
    })?;
    // A backend's keys in turn (an identity file may hold retired keys that other vaults
    // use). The error is the first that is not a wrong key: a key opened the header, but
    // the rest is damaged. Each key reads the file from its start.
    let mut try_keys = |keys: Vec<Key>, backend: Backend| -> Result<Unlocked, crypto::Error> {
        for key in keys {
            match crypto::decrypt_reader(&mut vault.input, vault.len, &key) {
                Ok(plaintext) => return Ok((key, backend, plaintext)),
                Err(crypto::Error::WrongKey) => {
                    vault.input.rewind().map_err(crypto::Error::Read)?;
                }
                Err(e) => return Err(e),
            }
        }
        Err(crypto::Error::WrongKey)
    };
    let identities =
        |ids: &[age::x25519::Identity]| ids.iter().cloned().map(Key::Identity).collect();
    if lock == crypto::Lock::Passphrase {
        if let Some(b @ (Backend::Keyring | Backend::IdentityFile)) = settings.backend {
            let why = format!("it is passphrase-encrypted, but the {b} backend was chosen");
            return Err(fail(why, Some("use --backend passphrase".into())));
        }
        let p = keys::passphrase::obtain("Vault passphrase: ", false)
            .map_err(|e| fail(e.to_string(), e.hint().map(str::to_string)))?;
        return try_keys(vec![Key::Passphrase(p)], Backend::Passphrase)
            .map_err(|e| key_fail(e, Backend::Passphrase));
    }
    let from_file = || keys::identity_file::load_all(&settings.identity_path);
    let keyring_hint = |e: &keys::Error| keyring_hint(e).map(str::to_string);
    let file_result = match settings.backend {
        Some(Backend::Passphrase) => {
            return Err(fail(
                crypto::Error::NeedsIdentity.to_string(),
                Some("drop --backend passphrase to use the keyring or identity file".into()),
            ));
        }
        Some(Backend::IdentityFile) => {
            return match from_file() {
                Ok(ids) => try_keys(identities(&ids), Backend::IdentityFile)
                    .map_err(|e| key_fail(e, Backend::IdentityFile)),
                Err(e) => Err(fail(e.to_string(), None)),
            };
        }
        Some(Backend::Keyring) => None,
        // No backend named: the identity file if there is one that opens the vault, else
        // the keyring.
        None => {
            let file_result = from_file();
            if let Ok(ids) = &file_result {
                match try_keys(identities(ids), Backend::IdentityFile) {
                    Err(crypto::Error::WrongKey) => {}
                    other => return other.map_err(|e| key_fail(e, Backend::IdentityFile)),
                }
            }
            Some(file_result)
        }
    };
    // A reader first tries the short-lived copy of the keyring key, like any other key: one
    // that no longer opens the vault (rotated or restored elsewhere) is dropped.
    let user = settings.keyring_user();
    if purpose == Use::Read
        && let Some(id) = keys::cache::get(&user)
    {
        match try_keys(vec![Key::Identity(id)], Backend::Keyring) {
            Err(crypto::Error::WrongKey) => {
                keys::cache::forget(&user);
            }
            other => return other.map_err(|e| key_fail(e, Backend::Keyring)),
        }
    }
    match keyring_identity(settings) {
        Ok((id, legacy)) => {
            let unlocked = try_keys(vec![Key::Identity(id)], Backend::Keyring)
                .map_err(|e| key_fail(e, Backend::Keyring))?;
            if let Key::Identity(id) = &unlocked.0 {
                if legacy {
                    // From now on under the resolved name too, which every link to this
                    // vault uses; the old item stays (keys are only removed by `otp key`).
                    let _ = keys::keyring::save(&user, id);
                }
                // Only a key that opened the vault is cached (nothing when the cache is off).
                if purpose == Use::Read {
                    keys::cache::put(&user, id);
                }
            }
            Ok(unlocked)
        }
        Err(e) => {
            let file_note = match file_result {
                None | Some(Err(keys::Error::NoIdentityFile(_))) => String::new(),
                Some(Ok(_)) => format!(
                    "; the identity file {} does not open it",
                    settings.identity_path.display()
                ),
                Some(Err(fe)) => format!("; {fe}"),
            };
            Err(fail(format!("{e}{file_note}"), keyring_hint(&e)))
        }
    }
}

/// The vault's key in the keyring, and whether it was found under the name a symlinked
/// vault had before links were resolved (see [`Settings::keyring_user`]).
fn keyring_identity(settings: &Settings) -> Result<(age::x25519::Identity, bool), keys::Error> {
    let load = keys::keyring::load_stored;
    match load(&settings.keyring_user()) {
        Err(keys::Error::NoKeyringKey) => match settings.legacy_keyring_user() {
            Some(legacy) => match load(&legacy) {
                Ok(id) => Ok((id, true)),
                // The error about the current name, which is where a key is looked for.
                Err(_) => Err(keys::Error::NoKeyringKey),
            },
            None => Err(keys::Error::NoKeyringKey),
        },
        other => other.map(|id| (id, false)),
    }
}

fn damaged_hint(settings: &Settings) -> Option<String> {
    let backup = VaultFile::new(settings.path.clone()).backup_path();
    if !backup.exists() {
        return Some("restore it from a backup, or its entries from an `otp export`".into());
    }
    Some(format!(
        "the previous vault is kept in {0}: check it with `otp --vault {0} list`, and if \
         it opens, restore it with `cp {0} {1}`",
        backup.display(),
        settings.path.display()
    ))
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
        other => other.hint(),
    }
}
