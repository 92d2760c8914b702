//! The `identity-file` backend: an age identity in a file of mode 0600, the format `age-keygen`
//! writes, so the same file works with `age -d -i`.

use super::Error;
use age::secrecy::ExposeSecret;
use std::fs;
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
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

/// Writes a new identity file (mode 0600, its directory 0700). Refuses to overwrite one.
pub fn create(path: &Path, identity: &age::x25519::Identity) -> Result<(), Error> {
    let io = |e| Error::IdentityFileIo(path.to_path_buf(), e);
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .map_err(io)?;
    }
    let mut file = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(io)?;
    let text = zeroize::Zeroizing::new(format!(
        "# created by otp: the key of an otp vault\n# public key: {}\n{}\n",
        identity.to_public(),
        identity.to_string().expose_secret()
    ));
    file.write_all(text.as_bytes()).map_err(io)?;
    file.sync_all().map_err(io)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

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
    fn missing_and_bad_files() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("identity.txt");
        assert!(matches!(load(&path), Err(Error::NoIdentityFile(_))));
        fs::write(&path, "hello\n").unwrap();
        assert!(matches!(load(&path), Err(Error::BadIdentityFile(_))));
    }
}
