//! The `identity-file` backend: an age identity in a file of mode 0600, the format `age-keygen`
//! writes, so the same file works with `age -d -i`.

use super::Error;
use age::secrecy::ExposeSecret;
use std::fs;
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::Path;
use std::str::FromStr;

/// Reads the first identity in the file; comment and blank lines are skipped.
pub fn load(path: &Path) -> Result<age::x25519::Identity, Error> {
    let text = zeroize::Zeroizing::new(fs::read_to_string(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => Error::NoIdentityFile(path.to_path_buf()),
        _ => Error::IdentityFileIo(path.to_path_buf(), e),
    })?);
    text.lines()
        .map(str::trim)
        .find(|l| l.starts_with("AGE-SECRET-KEY-1"))
        .and_then(|l| age::x25519::Identity::from_str(l).ok())
        .ok_or_else(|| Error::BadIdentityFile(path.to_path_buf()))
}

/// The text of an identity file holding `identity` (as `age-keygen` writes it).
pub fn text(identity: &age::x25519::Identity) -> zeroize::Zeroizing<String> {
    zeroize::Zeroizing::new(format!(
        "# created by otp: the key of an otp vault\n# public key: {}\n{}\n",
        identity.to_public(),
        identity.to_string().expose_secret()
    ))
}

fn create_dir(path: &Path) -> Result<(), Error> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .map_err(|e| Error::IdentityFileIo(path.to_path_buf(), e))?;
    }
    Ok(())
}

/// Writes a new identity file (mode 0600, its directory 0700). Refuses to overwrite one.
pub fn create(path: &Path, identity: &age::x25519::Identity) -> Result<(), Error> {
    let io = |e| Error::IdentityFileIo(path.to_path_buf(), e);
    create_dir(path)?;
    let mut file = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(io)?;
    file.write_all(text(identity).as_bytes()).map_err(io)?;
    file.sync_all().map_err(io)
}

/// Atomically replaces (or creates) the identity file: a temp file of mode 0600 in the same
/// directory, fsynced, renamed over it, and the directory fsynced. A crash leaves the old or
/// the new file, never a mix (key rotation relies on it).
pub fn replace(path: &Path, identity: &age::x25519::Identity) -> Result<(), Error> {
    let io = |e| Error::IdentityFileIo(path.to_path_buf(), e);
    create_dir(path)?;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let prefix = format!(".{name}-");
    remove_stale_temps(dir, &prefix);
    let mut temp = tempfile::Builder::new()
        .prefix(&prefix)
        .suffix(".tmp")
        .permissions(fs::Permissions::from_mode(0o600))
        .tempfile_in(dir)
        .map_err(io)?;
    temp.write_all(text(identity).as_bytes()).map_err(io)?;
    temp.as_file().sync_all().map_err(io)?;
    temp.persist(path).map_err(|e| io(e.error))?;
    fs::File::open(dir).and_then(|d| d.sync_all()).map_err(io)
}

/// Removes the temp files of a replacement that was killed before its rename (they hold a
/// key nobody uses; the vault's lock, held by the caller, keeps other writers out).
fn remove_stale_temps(dir: &Path, prefix: &str) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.filter_map(Result::ok) {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with(prefix) && name.ends_with(".tmp") {
            let _ = fs::remove_file(entry.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn create_then_load() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/identity.txt");
        let id = age::x25519::Identity::generate();
        create(&path, &id).unwrap();
        let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        assert_eq!(
            load(&path).unwrap().to_public().to_string(),
            id.to_public().to_string()
        );
        assert!(create(&path, &id).is_err(), "must not overwrite");
    }

    #[test]
    fn replace_is_atomic_and_private() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("identity.txt");
        let old = age::x25519::Identity::generate();
        create(&path, &old).unwrap();
        let new = age::x25519::Identity::generate();
        replace(&path, &new).unwrap();
        let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        assert_eq!(
            load(&path).unwrap().to_public().to_string(),
            new.to_public().to_string()
        );
        let names: Vec<_> = fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(names.len(), 1, "no temp file is left");
    }

    #[test]
    fn missing_and_bad_files() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("identity.txt");
        assert!(matches!(load(&path), Err(Error::NoIdentityFile(_))));
        fs::write(&path, "hello\n").unwrap();
        assert!(matches!(load(&path), Err(Error::BadIdentityFile(_))));
    }
}
