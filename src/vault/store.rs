/*!
The vault file on disk: reading, locking, and the one crash-safe write path.

Every change to a vault goes through [`VaultFile::replace`] while the caller holds the lock
from [`VaultFile::lock`] for the whole read-modify-write:

1. write the new ciphertext to a temp file in the vault's directory (mode 0600) and fsync it;
2. keep the current vault as `vault.age.bak` (a hard link: the old bytes, not a copy);
3. rename the temp file over the vault (atomic on POSIX) and fsync the directory.

A reader (no lock needed) therefore sees either the old or the new vault, never a mix, and a
crash at any point leaves one of them in place.
*/

use std::fs::{self, File};
use std::io::{self, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone)]
pub struct VaultFile {
    path: PathBuf,
}

/// Holds the vault's exclusive lock until dropped.
#[derive(Debug)]
pub struct LockGuard {
    _file: File,
}

impl VaultFile {
    pub fn new(path: PathBuf) -> VaultFile {
        VaultFile { path }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn sibling(&self, suffix: &str) -> PathBuf {
        let mut name = self.path.file_name().unwrap_or_default().to_os_string();
        name.push(suffix);
        self.path.with_file_name(name)
    }

    pub fn backup_path(&self) -> PathBuf {
        self.sibling(".bak")
    }

    fn dir(&self) -> &Path {
        match self.path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        }
    }

    pub fn exists(&self) -> bool {
        self.path.exists()
    }

    /// The vault's bytes, or `None` when there is no vault yet.
    pub fn read(&self) -> io::Result<Option<Vec<u8>>> {
        match fs::read(&self.path) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Creates the vault's directory (0700) if it is missing.
    pub fn create_dir(&self) -> io::Result<()> {
        let dir = self.dir();
        if dir.exists() {
            return Ok(());
        }
        fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
    }

    /// Takes the exclusive lock on `vault.age.lock`, waiting for other writers.
    pub fn lock(&self) -> io::Result<LockGuard> {
        self.create_dir()?;
        let file = fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .mode(0o600)
            .open(self.sibling(".lock"))?;
        file.lock()?;
        Ok(LockGuard { _file: file })
    }

    /// Atomically replaces the vault with `bytes`. The caller holds the lock.
    pub fn replace(&self, _lock: &LockGuard, bytes: &[u8]) -> io::Result<()> {
        let dir = self.dir();
        self.remove_stale_temps();
        let prefix = self.temp_prefix();
        let mut temp = tempfile::Builder::new()
            .prefix(&prefix)
            .suffix(".tmp")
            .permissions(fs::Permissions::from_mode(0o600))
            .tempfile_in(dir)?;
        temp.write_all(bytes)?;
        temp.as_file().sync_all()?;

        if self.path.exists() {
            self.keep_backup()?;
        }
        temp.persist(&self.path).map_err(|e| e.error)?;
        File::open(dir)?.sync_all()
    }

    /// Temp files are named after the vault, so that two vaults sharing a directory (each
    /// with its own lock) never touch each other's.
    fn temp_prefix(&self) -> String {
        let name = self.path.file_name().unwrap_or_default();
        format!(".{}-", name.to_string_lossy())
    }

    /// Removes temp files a killed writer left behind. Only the lock holder creates them,
    /// and the caller holds the lock, so none of them is in use.
    fn remove_stale_temps(&self) {
        let prefix = self.temp_prefix();
        let Ok(entries) = fs::read_dir(self.dir()) else {
            return;
        };
        for entry in entries.filter_map(Result::ok) {
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if name.starts_with(&prefix) && name.ends_with(".tmp") {
                let _ = fs::remove_file(entry.path());
            }
        }
    }

    /// Makes `vault.age.bak` the current vault, byte for byte, replacing it atomically.
    fn keep_backup(&self) -> io::Result<()> {
        let staged = self.sibling(".bak.tmp");
        let _ = fs::remove_file(&staged);
        if fs::hard_link(&self.path, &staged).is_err() {
            // Filesystems without hard links: copy, and make it durable before the rename.
            fs::copy(&self.path, &staged)?;
            fs::set_permissions(&staged, fs::Permissions::from_mode(0o600))?;
            File::open(&staged)?.sync_all()?;
        }
        fs::rename(&staged, self.backup_path())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replace_keeps_backup_and_modes() {
        let dir = tempfile::tempdir().unwrap();
        let file = VaultFile::new(dir.path().join("v/vault.age"));
        let lock = file.lock().unwrap();
        file.replace(&lock, b"one").unwrap();
        assert!(!file.backup_path().exists());
        file.replace(&lock, b"two").unwrap();
        assert_eq!(fs::read(file.path()).unwrap(), b"two");
        assert_eq!(fs::read(file.backup_path()).unwrap(), b"one");
        let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(file.path()), 0o600);
        assert_eq!(mode(file.dir()), 0o700);
        let leftovers: Vec<_> = fs::read_dir(file.dir())
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
            .collect();
        assert!(leftovers.is_empty());
    }
}
