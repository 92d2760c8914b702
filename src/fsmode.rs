/*!
Keeping otp's files private, per platform, in one place: every file or directory that may hold
a secret (the vault, its backup and temp files, the identity file, exports, QR PNGs) is made
through here, and `otp doctor` asks here how well a file is protected.

- Unix (Linux, macOS, the BSDs): files are created with mode 0600 and directories with 0700,
  given to `open(2)`/`mkdir(2)` so that a file is never readable by others, not even briefly.
- Windows has no modes. otp's files live under the user's profile (`directories`:
  `%APPDATA%`, `%LOCALAPPDATA%`), whose ACL grants access to the user, SYSTEM and the
  Administrators only, and a new file inherits its folder's ACL. otp sets no ACL of its own:
  a file placed elsewhere (`--vault D:\shared\vault.age`) is as private as that folder is,
  which `otp doctor` points out.
*/

use std::fs::{self, OpenOptions};
use std::io;
use std::path::Path;
use std::time::Duration;

/// The mode of a private file on Unix.
pub(crate) const FILE_MODE: u32 = 0o600;
/// The mode of a private directory on Unix.
pub(crate) const DIR_MODE: u32 = 0o700;

/// `OpenOptions` for a new private file (mode 0600 on Unix); the caller adds `write`,
/// `create_new` and so on.
pub(crate) fn options() -> OpenOptions {
    #[allow(unused_mut)] // only Unix sets a mode
    let mut options = OpenOptions::new();
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, FILE_MODE);
    options
}

/// A temp file builder whose files are private (mode 0600 on Unix from the start).
pub(crate) fn temp_builder<'a, 'b>() -> tempfile::Builder<'a, 'b> {
    #[allow(unused_mut)] // only Unix sets a mode
    let mut builder = tempfile::Builder::new();
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(FILE_MODE));
    builder
}

/// Writes `bytes` to `path`, private (mode 0600 on Unix), replacing
/// it atomically: a temp file in the same directory, private from the start,
/// fsynced, renamed into place. On failure the temp file is removed and `path` is untouched.
pub(crate) fn write_private(path: &Path, bytes: &[u8]) -> io::Result<()> {
    use std::io::Write;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut temp = temp_builder()
        .prefix(".otp-export-")
        .suffix(".tmp")
        .tempfile_in(dir)?;
    temp.write_all(bytes)?;
    temp.as_file().sync_all()?;
    persist(temp, path)
}

/// Renames `temp` over `path`, trying again for a moment while Windows says the file is in
/// use ([`wait_if_busy`]).
pub(crate) fn persist(mut temp: tempfile::NamedTempFile, path: &Path) -> io::Result<()> {
    let mut waited = Duration::ZERO;
    loop {
        match temp.persist(path) {
            Ok(_) => return Ok(()),
            Err(e) if wait_if_busy(&e.error, &mut waited) => temp = e.file,
            Err(e) => return Err(e.error),
        }
    }
}

/// How long a file operation waits, in all, for a file that is busy on Windows.
const BUSY_PATIENCE: Duration = Duration::from_secs(3);

/// Whether `error` is Windows saying that another program has the file open right now; if so,
/// and `waited` (the time already spent waiting for this operation) is within the patience,
/// sleeps a little, adds that to `waited` and returns true: try again.
///
/// On Windows a rename over a file, or opening one, fails while another process holds it in
/// a way that conflicts: a virus scanner, a search indexer or a sync client reading the
/// vault, or another otp reading it without the lock (Wine even refuses the rename whenever
/// the target is open at all). Each holds it for milliseconds; waiting briefly beats failing
/// a command. On Unix an open file never stops a rename, and nothing is retried.
pub(crate) fn wait_if_busy(error: &io::Error, waited: &mut Duration) -> bool {
    // ERROR_ACCESS_DENIED, ERROR_SHARING_VIOLATION, ERROR_LOCK_VIOLATION.
    let busy = cfg!(windows) && matches!(error.raw_os_error(), Some(5 | 32 | 33));
    if !busy || *waited >= BUSY_PATIENCE {
        return false;
    }
    let pause = (*waited / 2).clamp(Duration::from_millis(5), Duration::from_millis(100));
    std::thread::sleep(pause);
    *waited += pause;
    true
}

/// Creates `dir` and any missing parents, private (mode 0700 on Unix). One that exists is
/// left as it is.
pub(crate) fn create_dir_all(dir: &Path) -> io::Result<()> {
    #[allow(unused_mut)] // only Unix sets a mode
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, DIR_MODE);
    builder.create(dir)
}

/// Makes a rename or a new file in `dir` durable: a power cut after it returns cannot undo
/// the change.
///
/// On Unix that takes an fsync of the directory itself. Windows cannot open a directory as a
/// file (`File::open` fails with "Access denied" without the backup-semantics flag), and has no
/// need to: NTFS journals its metadata, so a completed rename is already durable once the
/// renamed file's data was flushed, which our writers do before renaming.
pub(crate) fn sync_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    fs::File::open(dir)?.sync_all()?;
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

/// How well a file or directory is kept from other users, as `otp doctor` reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Protection {
    /// Unix: its permission bits.
    #[cfg_attr(not(unix), allow(dead_code))] // made on Unix only
    Mode(u32),
    /// Windows: under the user's profile, whose ACL admits only the user, SYSTEM and the
    /// Administrators.
    #[cfg_attr(unix, allow(dead_code))] // made on Windows only
    Profile,
    /// Windows: outside the user's profile: the folder's own ACL decides.
    #[cfg_attr(unix, allow(dead_code))]
    OutsideProfile,
}

impl Protection {
    /// Whether nobody but the user (and the administrators) can read it.
    pub(crate) fn is_private(self) -> bool {
        match self {
            Protection::Mode(mode) => mode & 0o077 == 0,
            Protection::Profile => true,
            Protection::OutsideProfile => false,
        }
    }
}

/// How `path` is protected; `None` when it cannot be looked at (missing).
pub(crate) fn protection(path: &Path) -> Option<Protection> {
    let meta = fs::metadata(path).ok()?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        Some(Protection::Mode(meta.permissions().mode() & 0o777))
    }
    #[cfg(not(unix))]
    {
        let _ = meta;
        let home = directories::BaseDirs::new().and_then(|b| fs::canonicalize(b.home_dir()).ok());
        let path = fs::canonicalize(path).ok()?;
        Some(match home {
            Some(home) if path.starts_with(&home) => Protection::Profile,
            _ => Protection::OutsideProfile,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn new_files_and_directories_are_private() {
        let dir = tempfile::tempdir().unwrap();
        let sub = dir.path().join("a/b");
        create_dir_all(&sub).unwrap();
        let file = sub.join("f");
        options()
            .write(true)
            .create_new(true)
            .open(&file)
            .unwrap()
            .write_all(b"x")
            .unwrap();
        let temp = temp_builder().tempfile_in(&sub).unwrap();
        sync_dir(&sub).unwrap();
        for path in [
            &sub,
            &dir.path().join("a"),
            &file,
            &temp.path().to_path_buf(),
        ] {
            let protection = protection(path).unwrap();
            #[cfg(unix)]
            {
                let want = if path.is_dir() { DIR_MODE } else { FILE_MODE };
                assert_eq!(protection, Protection::Mode(want), "{}", path.display());
            }
            #[cfg(not(unix))]
            let _ = protection;
        }
        assert_eq!(protection(&dir.path().join("missing")), None);
    }

    #[test]
    fn group_or_other_access_is_not_private() {
        assert!(Protection::Mode(0o600).is_private());
        assert!(Protection::Mode(0o700).is_private());
        assert!(!Protection::Mode(0o640).is_private());
        assert!(!Protection::Mode(0o604).is_private());
        assert!(Protection::Profile.is_private());
        assert!(!Protection::OutsideProfile.is_private());
    }

    #[cfg(unix)]
    #[test]
    fn an_existing_directory_keeps_its_mode() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o750)).unwrap();
        create_dir_all(dir.path()).unwrap();
        assert_eq!(protection(dir.path()), Some(Protection::Mode(0o750)));
    }
}
