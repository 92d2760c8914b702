//! The `identity-file` backend: an age identity in a private file (mode 0600 on Unix; see
//! [`crate::fsmode`]), the format `age-keygen` writes, so the same file works with `age -d -i`.
//!
//! Several vaults may share one file, so every read-modify-write of it (creating it, storing
//! a rotated key, restoring a key) holds an exclusive lock on `identity.txt.lock` beside it:
//! without it, two rotations at once each rewrite the file from the same old text and one
//! new key is lost while its vault is already encrypted to it. Every write is a new file
//! (temp file, fsync, link or rename, directory fsync), so a crash or a full disk leaves the
//! old file or the new one, never a partial or empty one.

use super::Error;
use crate::fsmode;
use age::secrecy::ExposeSecret;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
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
/// but is not one makes the file bad (reported by line number: the line itself may be most
/// of a secret key); so does a file with none.
pub(crate) fn load_all(path: &Path) -> Result<Vec<age::x25519::Identity>, Error> {
    parse(path, &read(path)?)
}

fn parse(path: &Path, text: &str) -> Result<Vec<age::x25519::Identity>, Error> {
    let mut identities = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let line = line.trim();
        if !line.starts_with("AGE-SECRET-KEY-1") {
            continue;
        }
        let identity =
            age::x25519::Identity::from_str(line).map_err(|_| Error::BadIdentityLine {
                path: path.to_path_buf(),
                line: index + 1,
            })?;
        identities.push(identity);
    }
    if identities.is_empty() {
        return Err(Error::BadIdentityFile(path.to_path_buf()));
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
pub(crate) fn text(identity: &age::x25519::Identity) -> zeroize::Zeroizing<String> {
    zeroize::Zeroizing::new(format!(
        "# created by otp: the key of an otp vault\n# public key: {}\n{}\n",
        identity.to_public(),
        identity.to_string().expose_secret()
    ))
}

fn same(a: &age::x25519::Identity, b: &age::x25519::Identity) -> bool {
    a.to_public().to_string() == b.to_public().to_string()
}

fn dir_of(path: &Path) -> &Path {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    }
}

fn create_dir(path: &Path) -> Result<(), Error> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        fsmode::create_dir_all(dir).map_err(|e| Error::IdentityFileIo(path.to_path_buf(), e))?;
    }
    Ok(())
}

/// `identity.txt` + `suffix`, beside it.
fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(suffix);
    path.with_file_name(name)
}

/// Where writes to `path` go: the file a symlink points to (a dotfiles checkout, a key on a
/// mounted drive), as a rename over the link would replace the link with a plain file and
/// leave the real file, which other machines or vaults may use, without the new key.
fn resolve(path: &Path) -> PathBuf {
    match fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() => {
            fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
        }
        _ => path.to_path_buf(),
    }
}

/// Holds the identity file's exclusive lock until dropped.
#[derive(Debug)]
pub(crate) struct Lock {
    _file: fs::File,
}

/// Takes the exclusive lock on `identity.txt.lock` (created 0600, with the directory), waiting
/// for another otp that holds it. Readers need none: the file is only ever replaced whole.
pub(crate) fn lock(path: &Path) -> Result<Lock, Error> {
    let lock_path = sibling(path, ".lock");
    let io = |e| Error::IdentityFileIo(lock_path.clone(), e);
    create_dir(path)?;
    let file = fsmode::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .map_err(io)?;
    file.lock().map_err(io)?;
    Ok(Lock { _file: file })
}

/// The identity in the file, or a new one stored there when there is no file yet (several
/// vaults may share one identity file: a new vault uses the key that is already there).
pub(crate) fn load_or_create(path: &Path) -> Result<age::x25519::Identity, Error> {
    let path = &resolve(path);
    let lock = lock(path)?;
    match load(path) {
        Err(Error::NoIdentityFile(_)) => {}
        found => return found,
    }
    let identity = age::x25519::Identity::generate();
    match write(&lock, path, &text(&identity), Mode::New)? {
        Written::Yes => Ok(identity),
        // Someone (an older otp, a person) made the file meanwhile: theirs stays.
        Written::AlreadyThere => load(path),
    }
}

/// Writes a new identity file holding `identity` (mode 0600, its directory 0700). Refuses to
/// replace a file that exists, whatever it holds.
pub fn create(path: &Path, identity: &age::x25519::Identity) -> Result<(), Error> {
    let path = &resolve(path);
    let lock = lock(path)?;
    match write(&lock, path, &text(identity), Mode::New)? {
        Written::Yes => Ok(()),
        Written::AlreadyThere => Err(Error::IdentityFileExists(path.to_path_buf())),
    }
}

/// What [`restore`] did.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Restored {
    /// There was no file: it now holds the key.
    Created,
    /// The file already holds the key (as its current key or a retired one).
    AlreadyThere,
    /// The file holds other keys and not this one: nothing was written.
    Occupied,
}

/// Stores a restored key (`otp key import`), never at the cost of a key already in the file:
/// only a missing file is created. A file that cannot be read or parsed is an error.
pub(crate) fn restore(path: &Path, identity: &age::x25519::Identity) -> Result<Restored, Error> {
    let path = &resolve(path);
    let lock = lock(path)?;
    let holds = |ids: Vec<age::x25519::Identity>| {
        if ids.iter().any(|id| same(id, identity)) {
            Restored::AlreadyThere
        } else {
            Restored::Occupied
        }
    };
    match load_all(path) {
        Ok(ids) => return Ok(holds(ids)),
        Err(Error::NoIdentityFile(_)) => {}
        Err(e) => return Err(e),
    }
    match write(&lock, path, &text(identity), Mode::New)? {
        Written::Yes => Ok(Restored::Created),
        Written::AlreadyThere => load_all(path).map(holds),
    }
}

/// Atomically makes `identity` the file's current key (creating the file if need be).
/// A crash leaves the old or the new file, never a mix (key rotation relies on it).
///
/// Several vaults may share the file, so what it held stays below the new key, marked
/// retired: the other vaults still open, here and with `age -d -i`. The lock makes sure
/// that what it held is what it holds when the new file takes its place.
pub(crate) fn replace(path: &Path, identity: &age::x25519::Identity) -> Result<(), Error> {
    let path = &resolve(path);
    let lock = lock(path)?;
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
    write(&lock, path, &text, Mode::Replace).map(|_| ())
}

/// Whether [`write`] may replace an existing file.
#[derive(PartialEq)]
enum Mode {
    New,
    Replace,
}

enum Written {
    Yes,
    /// [`Mode::New`] and the file exists: it was left as it is.
    AlreadyThere,
}

/// Writes `text` as the file at `path`: a temp file of mode 0600 in the same directory,
/// fsynced, then linked in place without replacing anything ([`Mode::New`]) or renamed over
/// the old file, and the directory fsynced. Any failure before the link or rename removes the
/// temp file and leaves the old state; a failed directory fsync after it only warns, as the
/// key is in place and an error would hide that.
fn write(_lock: &Lock, path: &Path, text: &str, mode: Mode) -> Result<Written, Error> {
    let io = |e| Error::IdentityFileIo(path.to_path_buf(), e);
    create_dir(path)?;
    let dir = dir_of(path);
    let prefix = temp_prefix(path);
    remove_stale_temps(dir, &prefix);
    let mut temp = fsmode::temp_builder()
        .prefix(&prefix)
        .suffix("")
        .rand_bytes(TEMP_RANDOM)
        .tempfile_in(dir)
        .map_err(io)?;
    temp.write_all(text.as_bytes()).map_err(io)?;
    temp.as_file().sync_all().map_err(io)?;
    match mode {
        Mode::New => match temp.persist_noclobber(path) {
            Ok(_) => {}
            // The temp file goes with the error, deleted when dropped.
            Err(e) if e.error.kind() == std::io::ErrorKind::AlreadyExists => {
                return Ok(Written::AlreadyThere);
            }
            Err(e) => return Err(io(e.error)),
        },
        Mode::Replace => fsmode::persist(temp, path).map_err(io)?,
    }
    if let Err(e) = fsmode::sync_dir(dir) {
        let _ = writeln!(
            std::io::stderr(),
            "otp: warning: stored the key in {}, but could not sync its directory {} to disk \
             ({e}); a power cut now could lose the change",
            path.display(),
            dir.display()
        );
    }
    Ok(Written::Yes)
}

/// The random part of a temp file's name: `.identity.txt.tmp-` and exactly this many ASCII
/// letters and digits.
const TEMP_RANDOM: usize = 6;

fn temp_prefix(path: &Path) -> String {
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    format!(".{name}.tmp-")
}

/// Whether `name` is one of our temp files for the prefix: nothing else is ever removed.
fn is_temp(name: &str, prefix: &str) -> bool {
    name.strip_prefix(prefix).is_some_and(|rest| {
        rest.len() == TEMP_RANDOM && rest.bytes().all(|b| b.is_ascii_alphanumeric())
    })
}

/// Removes the temp files of a write that was killed before its link or rename (no vault
/// needs them: a killed rotation's vault still opens with the key that stayed in the file). Only a holder of the lock writes temp files, and the caller holds it,
/// so none of them is in use.
fn remove_stale_temps(dir: &Path, prefix: &str) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.filter_map(Result::ok) {
        if is_temp(&entry.file_name().to_string_lossy(), prefix) {
            let _ = fs::remove_file(entry.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Mode 0600 on Unix; on Windows, as private as the folder it is in.
    fn assert_private(path: &Path) {
        let protection = fsmode::protection(path).unwrap();
        #[cfg(unix)]
        assert_eq!(
            protection,
            fsmode::Protection::Mode(0o600),
            "{}",
            path.display()
        );
        #[cfg(not(unix))]
        let _ = protection;
    }

    #[test]
    fn create_then_load() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/identity.txt");
        let id = age::x25519::Identity::generate();
        create(&path, &id).unwrap();
        assert_private(&path);
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
        assert_private(&path);
        assert_eq!(
            load(&path).unwrap().to_public().to_string(),
            new.to_public().to_string()
        );
        let names: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names.len(), 2, "no temp file is left: {names:?}");
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
        // A damaged key anywhere in the file, retired ones included, is reported (line 5:
        // three lines of the good key's file, a blank line, then the damaged one).
        let good = age::x25519::Identity::generate();
        fs::write(
            &path,
            format!("{}\nAGE-SECRET-KEY-1XYZ\n", text(&good).as_str()),
        )
        .unwrap();
        let Err(err) = load_all(&path) else {
            panic!("a damaged key was accepted")
        };
        assert!(
            matches!(&err, Error::BadIdentityLine { line: 5, .. }),
            "{err:?}"
        );
        assert!(load(&path).is_err());
        // The message names the file and the line, never the line's text.
        let message = err.to_string();
        assert!(message.contains(&path.display().to_string()), "{message}");
        assert!(message.contains("line 5"), "{message}");
        assert!(!message.contains("XYZ"), "{message}");
    }

    #[test]
    fn creation_never_replaces_a_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("identity.txt");
        let first = load_or_create(&path).unwrap();
        // A second vault sharing the file gets the same key.
        let again = load_or_create(&path).unwrap();
        assert!(same(&first, &again));
        // A file that appears between the check and the link is left as it is.
        let other = age::x25519::Identity::generate();
        let lock = lock(&path).unwrap();
        let before = fs::read(&path).unwrap();
        assert!(matches!(
            write(&lock, &path, &text(&other), Mode::New),
            Ok(Written::AlreadyThere)
        ));
        drop(lock);
        assert_eq!(fs::read(&path).unwrap(), before);
        assert!(matches!(
            create(&path, &other),
            Err(Error::IdentityFileExists(_))
        ));
        assert_eq!(fs::read(&path).unwrap(), before);
        // The lock file is private too.
        assert_private(&dir.path().join("identity.txt.lock"));
    }

    #[test]
    fn restore_only_creates() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("identity.txt");
        let kept = age::x25519::Identity::generate();
        assert_eq!(restore(&path, &kept).unwrap(), Restored::Created);
        assert_eq!(restore(&path, &kept).unwrap(), Restored::AlreadyThere);
        let before = fs::read(&path).unwrap();
        let other = age::x25519::Identity::generate();
        assert_eq!(restore(&path, &other).unwrap(), Restored::Occupied);
        assert_eq!(fs::read(&path).unwrap(), before);
        // A retired key counts as held.
        replace(&path, &other).unwrap();
        assert_eq!(restore(&path, &kept).unwrap(), Restored::AlreadyThere);
        // A file that does not parse is an error, not something to write over.
        fs::write(&path, "AGE-SECRET-KEY-1XYZ\n").unwrap();
        assert!(restore(&path, &kept).is_err());
        assert_eq!(fs::read(&path).unwrap(), b"AGE-SECRET-KEY-1XYZ\n");
    }

    #[cfg(unix)] // symbolic links need a privilege on Windows
    #[test]
    fn replace_writes_through_a_symlink() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("keys/identity.txt");
        let link = dir.path().join("identity.txt");
        let old = age::x25519::Identity::generate();
        create(&target, &old).unwrap();
        std::os::unix::fs::symlink(&target, &link).unwrap();
        let new = age::x25519::Identity::generate();
        replace(&link, &new).unwrap();
        assert!(
            fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        let publics: Vec<String> = load_all(&target)
            .unwrap()
            .iter()
            .map(|i| i.to_public().to_string())
            .collect();
        assert_eq!(
            publics,
            [new.to_public().to_string(), old.to_public().to_string()]
        );
    }

    #[test]
    fn stale_temp_cleanup_removes_only_its_own_names() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("identity.txt");
        let keep = [
            ".identity.txt-abc123.tmp", // an older otp's name: not ours to judge
            ".identity.txt.tmp-abc12",
            ".identity.txt.tmp-abc1234",
            ".identity.txt.tmp-abc.12",
            ".other.txt.tmp-abc123",
            ".vault.age-abc123.tmp",
        ];
        for name in keep {
            fs::write(dir.path().join(name), "x").unwrap();
        }
        fs::write(dir.path().join(".identity.txt.tmp-Ab12cD"), "stale").unwrap();
        replace(&path, &age::x25519::Identity::generate()).unwrap();
        let mut names: Vec<String> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        let mut expected: Vec<String> = keep.iter().map(|n| n.to_string()).collect();
        expected.extend(["identity.txt".into(), "identity.txt.lock".into()]);
        expected.sort();
        assert_eq!(names, expected);
    }
}
