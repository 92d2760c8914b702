/*!
The vault file on disk: where it really is, reading, locking, and the one crash-safe write
path.

A vault path that is a symbolic link (a vault kept in a Syncthing or Dropbox folder) is
resolved once, by [`locate`]: the lock, the temp files and `vault.age.bak` live beside the
file the link points to, and writes replace that file, never the link.

Every change to a vault goes through [`VaultFile::replace`] (or [`VaultFile::create_new`] for
the first one) while the caller holds the lock from [`VaultFile::lock`] for the whole
read-modify-write. With `V` the vault, `B` its backup and `S` the staged backup
`.vault.age.bak-staged`:

1. write the new ciphertext to a temp file `.vault.age.tmp-XXXXXX` beside the vault (mode
   0600) and fsync it;
2. hard-link `V` as `S` (the current bytes, not a copy);
3. rename the temp file over `V`: the commit;
4. rename `S` over `B`, then fsync the directory.

A failure in steps 1–3 removes what it made and leaves `V` and `B` as they were. After the
commit the change is made: a failure of step 4 is a warning ([`Degraded`]), not an error,
and a staged backup left by it (or by a crash) is moved into place by the next writer before
anything else. So a reader (no lock needed) sees the old or the new vault, never a mix, and
`B` only ever moves to the generation just before the vault's.

On Windows the same steps hold, with two differences: the directory fsync is not needed
([`fsmode::sync_dir`] says why), and a rename cannot replace a file that another process holds
open (another otp reading the vault without the lock, a virus scanner, a sync client; under
Wine any open handle at all). Such holds last milliseconds, so the renames and the readers'
opens try again for a moment ([`fsmode::wait_if_busy`]); a rename that still fails changed
nothing.
*/

use crate::fsmode;
use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone)]
pub(crate) struct VaultFile {
    /// The file itself: a symbolic link already resolved.
    path: PathBuf,
}

/// Holds the vault's exclusive lock until dropped.
#[derive(Debug)]
pub(crate) struct LockGuard {
    _file: File,
}

/// Where a vault path leads, from [`locate`].
#[derive(Debug)]
pub(crate) struct Location {
    pub file: VaultFile,
    /// False only when nothing at all is at the path (`NotFound`): the one case in which a
    /// new vault may be made there.
    pub exists: bool,
}

/// Why a vault path cannot be used. Either way the vault may well exist (a sync folder not
/// mounted, a permission problem), so nothing is created in its place.
#[derive(Debug, thiserror::Error)]
pub enum LocateError {
    #[error("it is a symbolic link to {}, which cannot be reached: {source}", target.display())]
    Link { target: PathBuf, source: io::Error },
    #[error("{0}")]
    Stat(io::Error),
}

/// Resolves the vault path. A dangling link is an error, not an absent vault: taking it for
/// one would create a new vault (and key) in place of the one the link points to.
pub(crate) fn locate(path: &Path) -> Result<Location, LocateError> {
    let meta = match fs::symlink_metadata(path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            return Ok(Location {
                file: VaultFile {
                    path: path.to_path_buf(),
                },
                exists: false,
            });
        }
        Err(e) => return Err(LocateError::Stat(e)),
    };
    if !meta.file_type().is_symlink() {
        return Ok(Location {
            file: VaultFile {
                path: path.to_path_buf(),
            },
            exists: true,
        });
    }
    let target = fs::read_link(path).map_err(LocateError::Stat)?;
    let real = fs::canonicalize(path).map_err(|source| LocateError::Link { target, source })?;
    Ok(Location {
        file: VaultFile { path: real },
        exists: true,
    })
}

/// What went wrong after a change was committed: the new vault is in place, but not
/// everything around it is as it should be.
#[derive(Debug, thiserror::Error)]
pub(crate) enum Degraded {
    #[error(
        "the change is saved, but its directory could not be synced to disk ({0}); a power \
         loss now could undo it"
    )]
    DirSync(io::Error),
    #[error(
        "the change is saved, but the backup could not be updated ({source}); the previous \
         vault is kept in {}",
        pending.display()
    )]
    Backup { pending: PathBuf, source: io::Error },
}

impl VaultFile {
    /// The vault at `path`, a symbolic link followed when its target exists. For callers
    /// that only need the lock or the backup's name; [`locate`] reports a broken link.
    pub(crate) fn new(path: PathBuf) -> VaultFile {
        match locate(&path) {
            Ok(location) => location.file,
            Err(_) => VaultFile { path },
        }
    }

    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    fn sibling(&self, prefix: &str, suffix: &str) -> PathBuf {
        let mut name = std::ffi::OsString::from(prefix);
        name.push(self.path.file_name().unwrap_or_default());
        name.push(suffix);
        self.path.with_file_name(name)
    }

    pub(crate) fn backup_path(&self) -> PathBuf {
        self.sibling("", ".bak")
    }

    /// The backup staged during a write; hidden, and named so that no other vault's temp
    /// files can match it.
    pub(crate) fn staged_backup_path(&self) -> PathBuf {
        self.sibling(".", ".bak-staged")
    }

    fn dir(&self) -> &Path {
        match self.path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        }
    }

    /// The vault's bytes, or `None` when there is no vault yet.
    pub(crate) fn read(&self) -> io::Result<Option<Vec<u8>>> {
        match fs::read(&self.path) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// The vault opened for reading, or `None` when there is no vault yet.
    pub(crate) fn open(&self) -> io::Result<Option<File>> {
        let mut waited = std::time::Duration::ZERO;
        loop {
            match File::open(&self.path) {
                Ok(file) => return Ok(Some(file)),
                Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
                // Windows: a writer's rename in progress, a virus scanner.
                Err(e) if fsmode::wait_if_busy(&e, &mut waited) => {}
                Err(e) => return Err(e),
            }
        }
    }

    /// Creates the vault's directory (0700) if it is missing.
    pub(crate) fn create_dir(&self) -> io::Result<()> {
        let dir = self.dir();
        if dir.exists() {
            return Ok(());
        }
        fsmode::create_dir_all(dir)
    }

    /// Takes the exclusive lock on `vault.age.lock`, waiting for other writers.
    pub(crate) fn lock(&self) -> io::Result<LockGuard> {
        self.create_dir()?;
        let file = fsmode::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(self.sibling("", ".lock"))?;
        file.lock()?;
        Ok(LockGuard { _file: file })
    }

    /// Writes the first vault. Never replaces a file: one that appeared at the path since
    /// the caller looked (a vault moved back, a sync client) fails with `AlreadyExists`.
    pub(crate) fn create_new(
        &self,
        _lock: &LockGuard,
        bytes: &[u8],
    ) -> io::Result<Option<Degraded>> {
        self.remove_stale_temps();
        let temp = self.write_temp(bytes)?;
        temp.persist_noclobber(&self.path).map_err(|e| e.error)?;
        Ok(fsmode::sync_dir(self.dir()).err().map(Degraded::DirSync))
    }

    /// Atomically replaces the vault with `bytes`, keeping the current one as the backup.
    /// The caller holds the lock. `Ok` means the new vault is in place; see the module
    /// comment for what each failure leaves.
    pub(crate) fn replace(&self, _lock: &LockGuard, bytes: &[u8]) -> io::Result<Option<Degraded>> {
        self.remove_stale_temps();
        self.settle_staged_backup()?;
        let temp = self.write_temp(bytes)?;
        let staged = self.staged_backup_path();
        self.stage_backup(&staged)?;
        if let Err(e) = fsmode::persist(temp, &self.path) {
            let _ = fs::remove_file(&staged);
            return Err(e);
        }
        let mut degraded =
            rename(&staged, &self.backup_path())
                .err()
                .map(|source| Degraded::Backup {
                    pending: staged,
                    source,
                });
        if let Err(e) = fsmode::sync_dir(self.dir()) {
            degraded.get_or_insert(Degraded::DirSync(e));
        }
        Ok(degraded)
    }

    /// The new ciphertext in a private, synced temp file beside the vault.
    fn write_temp(&self, bytes: &[u8]) -> io::Result<tempfile::NamedTempFile> {
        let mut temp = fsmode::temp_builder()
            .prefix(&self.temp_prefix())
            .rand_bytes(TEMP_RANDOM)
            .tempfile_in(self.dir())?;
        temp.write_all(bytes)?;
        temp.as_file().sync_all()?;
        Ok(temp)
    }

    /// `.vault.age.tmp-`: named after the vault, so that two vaults sharing a directory (each
    /// with its own lock) never touch each other's.
    fn temp_prefix(&self) -> String {
        let name = self.path.file_name().unwrap_or_default();
        format!(".{}.tmp-", name.to_string_lossy())
    }

    /// Whether `name` is one of this vault's temp files: the prefix and exactly the random
    /// part after it. A prefix alone would also match `vault.age-2`'s files, which its own
    /// writer may be using right now.
    fn is_own_temp(&self, name: &str) -> bool {
        name.strip_prefix(&self.temp_prefix()).is_some_and(|rest| {
            rest.len() == TEMP_RANDOM && rest.bytes().all(|b| b.is_ascii_alphanumeric())
        })
    }

    /// Removes temp files a killed writer left behind. Only the lock holder creates them,
    /// and the caller holds the lock, so none of them is in use.
    fn remove_stale_temps(&self) {
        let Ok(entries) = fs::read_dir(self.dir()) else {
            return;
        };
        for entry in entries.filter_map(Result::ok) {
            if self.is_own_temp(&entry.file_name().to_string_lossy()) {
                let _ = fs::remove_file(entry.path());
            }
        }
    }

    /// Finishes what a writer stopped after its commit left behind: a staged backup that
    /// differs from the vault is the generation before it, and becomes the backup. One equal
    /// to the vault was staged by a writer that stopped before its commit, and is dropped.
    fn settle_staged_backup(&self) -> io::Result<()> {
        let staged = self.staged_backup_path();
        let pending = match fs::read(&staged) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(e),
        };
        if pending == fs::read(&self.path)? {
            fs::remove_file(&staged)
        } else {
            rename(&staged, &self.backup_path())
        }
    }

    /// `staged` becomes the current vault, byte for byte.
    fn stage_backup(&self, staged: &Path) -> io::Result<()> {
        match fs::hard_link(&self.path, staged) {
            Ok(()) => Ok(()),
            // Filesystems without hard links (FAT, some FUSE mounts): a durable copy.
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::PermissionDenied | io::ErrorKind::Unsupported
                ) =>
            {
                copy_private(&self.path, staged).inspect_err(|_| {
                    let _ = fs::remove_file(staged);
                })
            }
            Err(e) => Err(e),
        }
    }
}

/// The random part of a temp file's name.
const TEMP_RANDOM: usize = 6;

fn copy_private(from: &Path, to: &Path) -> io::Result<()> {
    let bytes = fs::read(from)?;
    let mut file = fsmode::options().write(true).create_new(true).open(to)?;
    file.write_all(&bytes)?;
    file.sync_all()
}

/// `fs::rename`, trying again for a moment while Windows says a file is in use.
fn rename(from: &Path, to: &Path) -> io::Result<()> {
    let mut waited = std::time::Duration::ZERO;
    loop {
        match fs::rename(from, to) {
            Err(e) if fsmode::wait_if_busy(&e, &mut waited) => {}
            other => return other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    /// A reader (another otp, a virus scanner) holding the vault open while a writer commits:
    /// on Windows the rename over it fails while the handle is open (under Wine, whatever the
    /// handle shares), so the writer waits for it. On Unix the rename simply succeeds.
    #[test]
    fn a_commit_waits_for_a_reader_holding_the_vault_open() {
        let dir = tempfile::tempdir().unwrap();
        let file = VaultFile::new(dir.path().join("vault.age"));
        let lock = file.lock().unwrap();
        file.create_new(&lock, b"one").unwrap();
        let reader = file.open().unwrap().unwrap();
        let closes = std::thread::spawn(move || {
            std::thread::sleep(std::time::Duration::from_millis(300));
            drop(reader);
        });
        file.replace(&lock, b"two").unwrap();
        closes.join().unwrap();
        assert_eq!(fs::read(file.path()).unwrap(), b"two");
        assert_eq!(fs::read(file.backup_path()).unwrap(), b"one");
        // And a reader opening while the file is being replaced gets one whole generation.
        let mut text = String::new();
        std::io::Read::read_to_string(&mut file.open().unwrap().unwrap(), &mut text).unwrap();
        assert_eq!(text, "two");
    }

    #[test]
    fn replace_keeps_backup_and_modes() {
        let dir = tempfile::tempdir().unwrap();
        let file = VaultFile::new(dir.path().join("v/vault.age"));
        let lock = file.lock().unwrap();
        file.create_new(&lock, b"one").unwrap();
        assert!(!file.backup_path().exists());
        file.replace(&lock, b"two").unwrap();
        assert_eq!(fs::read(file.path()).unwrap(), b"two");
        assert_eq!(fs::read(file.backup_path()).unwrap(), b"one");
        for path in [file.path(), file.dir()] {
            let protection = fsmode::protection(path).unwrap();
            assert!(
                protection.is_private(),
                "{}: {protection:?}",
                path.display()
            );
        }
        #[cfg(unix)]
        {
            let mode = |p: &Path| fsmode::protection(p).unwrap();
            assert_eq!(mode(file.path()), fsmode::Protection::Mode(0o600));
            assert_eq!(mode(file.dir()), fsmode::Protection::Mode(0o700));
        }
        assert_eq!(
            names(file.dir()),
            ["vault.age", "vault.age.bak", "vault.age.lock"]
        );
    }

    #[test]
    fn create_new_never_replaces_a_file() {
        let dir = tempfile::tempdir().unwrap();
        let file = VaultFile::new(dir.path().join("vault.age"));
        let lock = file.lock().unwrap();
        fs::write(file.path(), b"appeared").unwrap();
        let err = file.create_new(&lock, b"new").unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::AlreadyExists);
        assert_eq!(fs::read(file.path()).unwrap(), b"appeared");
        assert_eq!(names(dir.path()), ["vault.age", "vault.age.lock"]);
    }

    #[test]
    fn temp_files_of_a_sibling_vault_are_not_ours() {
        let file = VaultFile::new(PathBuf::from("/d/vault.age"));
        assert!(file.is_own_temp(".vault.age.tmp-a1B2c3"));
        assert!(!file.is_own_temp(".vault.age-2.tmp-a1B2c3"));
        assert!(!file.is_own_temp(".vault.age.tmp-a1B2c3.tmp-x1y2z3"));
        assert!(!file.is_own_temp(".vault.age.tmp-a1B2c"));
        assert!(!file.is_own_temp(".vault.age.bak-staged"));
    }

    #[test]
    fn a_staged_backup_left_after_the_commit_becomes_the_backup() {
        let dir = tempfile::tempdir().unwrap();
        let file = VaultFile::new(dir.path().join("vault.age"));
        let lock = file.lock().unwrap();
        file.create_new(&lock, b"one").unwrap();
        file.replace(&lock, b"two").unwrap();
        // As a writer that stopped between its commit and the backup's rename leaves it.
        fs::rename(file.backup_path(), file.staged_backup_path()).unwrap();
        fs::write(file.backup_path(), b"zero").unwrap();
        file.replace(&lock, b"three").unwrap();
        assert_eq!(fs::read(file.path()).unwrap(), b"three");
        assert_eq!(fs::read(file.backup_path()).unwrap(), b"two");
        // And one staged before a commit that never came is the vault itself: dropped.
        fs::hard_link(file.path(), file.staged_backup_path()).unwrap();
        file.replace(&lock, b"four").unwrap();
        assert_eq!(fs::read(file.backup_path()).unwrap(), b"three");
        assert!(!file.staged_backup_path().exists());
    }

    #[cfg(unix)] // symbolic links need a privilege on Windows
    #[test]
    fn a_dangling_link_is_an_error_naming_its_target() {
        let dir = tempfile::tempdir().unwrap();
        let link = dir.path().join("vault.age");
        std::os::unix::fs::symlink(dir.path().join("gone/vault.age"), &link).unwrap();
        let err = locate(&link).unwrap_err().to_string();
        assert!(err.contains("gone/vault.age"), "{err}");
    }
}
