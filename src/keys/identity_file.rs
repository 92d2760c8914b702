//! The `identity-file` backend: an age identity in a file of mode 0600, the format `age-keygen`
//! writes, so the same file works with `age -d -i`.

use super::Error;
use age::secrecy::ExposeSecret;
use std::fs;
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::Path;
use std::str::FromStr;

/// Reads the first identity in the file, the current one; comment and blank lines are
/// skipped.
pub fn load(path: &Path) -> Result<age::x25519::Identity, Error> {
    load_all(path)?
        .into_iter()
        .next()
        .ok_or_else(|| Error::BadIdentityFile(path.to_path_buf()))
}

/// Every identity in the file, the current one first, then those `otp key rotate` retired
/// (kept for the other vaults that may share the file). Any line that looks like an identity
/// but is not one makes the file bad; so does a file with none.
pub fn load_all(path: &Path) -> Result<Vec<age::x25519::Identity>, Error> {
    let text = read(path)?;
    let bad = || Error::BadIdentityFile(path.to_path_buf());
    let identities = text
        .lines()
        .map(str::trim)
        .filter(|l| l.starts_with("AGE-SECRET-KEY-1"))
        .map(|l| age::x25519::Identity::from_str(l).map_err(|_| bad()))
        .collect::<Result<Vec<_>, _>>()?;
    if identities.is_empty() {
        return Err(bad());
    }
    Ok(identities)
}

fn read(path: &Path) -> Result<zeroize::Zeroizing<String>, Error> {
    fs::read_to_string(path)
        .map(zeroize::Zeroizing::new)
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => Error::NoIdentityFile(path.to_path_buf()),
            _ => Error::IdentityFileIo(path.to_path_buf(), e),
        })
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

/// Atomically makes `identity` the file's current key (creating the file if need be): a temp
/// file of mode 0600 in the same directory, fsynced, renamed over it, and the directory
/// fsynced. A crash leaves the old or the new file, never a mix (key rotation relies on it).
///
/// Several vaults may share the file, so what it held stays below the new key, marked
/// retired: the other vaults still open, here and with `age -d -i`.
pub fn replace(path: &Path, identity: &age::x25519::Identity) -> Result<(), Error> {
    let current = text(identity);
    let previous = match read(path) {
        Ok(previous) => Some(previous),
        Err(Error::NoIdentityFile(_)) => None,
        Err(e) => return Err(e),
    };
    let note = match &previous {
        Some(_) => format!(
            "\n# Retired by `otp key rotate` on {}: kept for any other vault that uses this\n\
             # file (`otp --vault V key recipient` shows the key a vault uses). Remove it\n\
             # when no vault does.\n",
            jiff::Timestamp::now().strftime("%Y-%m-%d")
        ),
        None => String::new(),
    };
    // Sized once: a string that grew would leave copies of the keys in freed memory.
    let previous = previous.as_deref().map_or("", String::as_str);
    let mut text = zeroize::Zeroizing::new(String::with_capacity(
        current.len() + note.len() + previous.len(),
    ));
    text.push_str(&current);
    text.push_str(&note);
    text.push_str(previous);
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
    temp.write_all(text.as_bytes()).map_err(io)?;
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
        // The old key stays below the new one, for other vaults that share the file.
        let newest = age::x25519::Identity::generate();
        replace(&path, &newest).unwrap();
        let publics: Vec<String> = load_all(&path)
            .unwrap()
            .iter()
            .map(|i| i.to_public().to_string())
            .collect();
        let expected: Vec<String> = [&newest, &new, &old]
            .iter()
            .map(|i| i.to_public().to_string())
            .collect();
        assert_eq!(publics, expected);
        assert!(
            fs::read_to_string(&path)
                .unwrap()
                .contains("# Retired by `otp key rotate`")
        );
    }

    #[test]
    fn missing_and_bad_files() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("identity.txt");
        assert!(matches!(load(&path), Err(Error::NoIdentityFile(_))));
        fs::write(&path, "hello\n").unwrap();
        assert!(matches!(load(&path), Err(Error::BadIdentityFile(_))));
        // A damaged key anywhere in the file, retired ones included, is reported.
        let good = age::x25519::Identity::generate();
        fs::write(
            &path,
            format!("{}\nAGE-SECRET-KEY-1XYZ\n", text(&good).as_str()),
        )
        .unwrap();
        assert!(matches!(load_all(&path), Err(Error::BadIdentityFile(_))));
        assert!(matches!(load(&path), Err(Error::BadIdentityFile(_))));
    }
}
