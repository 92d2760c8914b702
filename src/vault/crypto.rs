/*!
The vault's encryption: a standard age file, so `age -d` can always read it.

X25519 vaults are encrypted to the vault's own identity plus any backup recipients from the
config; passphrase vaults use age's scrypt recipient, which age does not allow to be mixed
with others.
*/

use crate::keys::Key;
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom, Write};
use zeroize::Zeroizing;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("the file is not an age file, or its header is damaged")]
    NotAge,
    #[error("the file is truncated or has been tampered with")]
    Damaged,
    #[error("the key does not open it (wrong key)")]
    WrongKey,
    #[error("wrong passphrase")]
    WrongPassphrase,
    #[error("it is passphrase-encrypted, but a key file or keyring key was given")]
    NeedsPassphrase,
    #[error("it is encrypted to a key, not a passphrase")]
    NeedsIdentity,
    #[error("its passphrase encryption asks for excessive work (scrypt 2^{0})")]
    ExcessiveWork(u8),
    #[error("a passphrase vault cannot also be encrypted to backup recipients")]
    PassphraseWithRecipients,
    #[error("encryption failed: {0}")]
    Encrypt(String),
    #[error("cannot read it: {0}")]
    Read(std::io::Error),
}

/// An encrypted vault: in memory, or an open file read afresh from its start for each key
/// tried. `otp code` decrypts straight from the file, without a copy of it in memory first.
#[derive(Clone, Copy)]
pub enum Ciphertext<'a> {
    Bytes(&'a [u8]),
    File(&'a std::fs::File),
}

impl Ciphertext<'_> {
    fn len(&self) -> Result<usize, Error> {
        match *self {
            Ciphertext::Bytes(bytes) => Ok(bytes.len()),
            Ciphertext::File(file) => {
                let len = file.metadata().map_err(Error::Read)?.len();
                usize::try_from(len)
                    .map_err(|_| Error::Read(std::io::ErrorKind::FileTooLarge.into()))
            }
        }
    }

    fn reader(&self) -> Result<Box<dyn BufRead + '_>, Error> {
        match *self {
            Ciphertext::Bytes(bytes) => Ok(Box::new(bytes)),
            Ciphertext::File(mut file) => {
                file.seek(SeekFrom::Start(0)).map_err(Error::Read)?;
                Ok(Box::new(BufReader::new(file)))
            }
        }
    }
}

/// How a vault file is encrypted, read from its header without any key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lock {
    Passphrase,
    Recipients,
}

/// Tells a passphrase vault from a key vault by reading the header's stanza lines, without
/// parsing the header twice on `otp code`'s path ([`decrypt`] checks it fully).
pub fn lock_of(ciphertext: Ciphertext<'_>) -> Result<Lock, Error> {
    const MAGIC: &[u8] = b"age-encryption.org/v1\n";
    // A header longer than this is not one this program wrote or reads.
    const MAX_HEADER: u64 = 1 << 20;
    let mut header = ciphertext.reader()?.take(MAX_HEADER);
    let mut line = Vec::new();
    header.read_until(b'\n', &mut line).map_err(Error::Read)?;
    if line != MAGIC {
        return Err(Error::NotAge);
    }
    loop {
        line.clear();
        if header.read_until(b'\n', &mut line).map_err(Error::Read)? == 0 {
            return Err(Error::NotAge);
        }
        if line.starts_with(b"---") {
            return Ok(Lock::Recipients);
        }
        if line.starts_with(b"-> scrypt ") {
            return Ok(Lock::Passphrase);
        }
    }
}

/// Encrypts `plaintext` for `key` and the backup `recipients`.
pub fn encrypt(
    plaintext: &[u8],
    key: &Key,
    recipients: &[age::x25519::Recipient],
) -> Result<Vec<u8>, Error> {
    let encryptor = match key {
        Key::Identity(identity) => {
            let own = identity.to_public();
            let all = std::iter::once(&own)
                .chain(recipients)
                .map(|r| r as &dyn age::Recipient);
            age::Encryptor::with_recipients(all).map_err(|e| Error::Encrypt(e.to_string()))?
        }
        Key::Passphrase(passphrase) => {
            if !recipients.is_empty() {
                return Err(Error::PassphraseWithRecipients);
            }
            age::Encryptor::with_user_passphrase(passphrase.clone())
        }
    };
    let mut out = Vec::with_capacity(plaintext.len() + 256);
    let io = |e: std::io::Error| Error::Encrypt(e.to_string());
    let mut writer = encryptor.wrap_output(&mut out).map_err(io)?;
    writer.write_all(plaintext).map_err(io)?;
    writer.finish().map_err(io)?;
    Ok(out)
}

/// Decrypts a vault file with `key`.
pub fn decrypt(ciphertext: Ciphertext<'_>, key: &Key) -> Result<Zeroizing<Vec<u8>>, Error> {
    // Buffered: the header is then parsed a line at a time. Unbuffered, age re-parses it from
    // the start for every few bytes it reads (quadratic in the header's random grease).
    let decryptor =
        age::Decryptor::new_buffered(ciphertext.reader()?).map_err(|_| Error::NotAge)?;
    let scrypt;
    let identity: &dyn age::Identity = match (key, decryptor.is_scrypt()) {
        (Key::Identity(id), false) => id,
        (Key::Passphrase(p), true) => {
            scrypt = age::scrypt::Identity::new(p.clone());
            &scrypt
        }
        (Key::Identity(_), true) => return Err(Error::NeedsPassphrase),
        (Key::Passphrase(_), false) => return Err(Error::NeedsIdentity),
    };
    let passphrase = matches!(key, Key::Passphrase(_));
    let mut reader =
        decryptor
            .decrypt(std::iter::once(identity))
            .map_err(|e| match (e, passphrase) {
                (age::DecryptError::NoMatchingKeys, false) => Error::WrongKey,
                (age::DecryptError::DecryptionFailed, true) => Error::WrongPassphrase,
                (age::DecryptError::NoMatchingKeys, true) => Error::WrongPassphrase,
                (e, _) => map_decrypt(e),
            })?;
    // Sized once (the plaintext is shorter than the ciphertext): a Vec that grew would leave
    // copies of the secrets behind in freed memory, where nothing zeroizes them.
    let mut plaintext = Zeroizing::new(Vec::with_capacity(ciphertext.len()?));
    reader
        .read_to_end(&mut plaintext)
        .map_err(|_| Error::Damaged)?;
    Ok(plaintext)
}

fn map_decrypt(e: age::DecryptError) -> Error {
    match e {
        age::DecryptError::InvalidHeader | age::DecryptError::UnknownFormat => Error::NotAge,
        age::DecryptError::NoMatchingKeys => Error::WrongKey,
        age::DecryptError::ExcessiveWork { required, .. } => Error::ExcessiveWork(required),
        _ => Error::Damaged,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identity_round_trip_and_wrong_key() {
        let key = Key::Identity(age::x25519::Identity::generate());
        let backup = age::x25519::Identity::generate();
        let ct = encrypt(b"{\"version\":1}", &key, &[backup.to_public()]).unwrap();
        assert_eq!(lock_of(Ciphertext::Bytes(&ct)).unwrap(), Lock::Recipients);
        assert_eq!(
            &decrypt(Ciphertext::Bytes(&ct), &key).unwrap()[..],
            b"{\"version\":1}"
        );
        let backup = Key::Identity(backup);
        assert_eq!(
            &decrypt(Ciphertext::Bytes(&ct), &backup).unwrap()[..],
            b"{\"version\":1}"
        );
        let other = Key::Identity(age::x25519::Identity::generate());
        assert!(matches!(
            decrypt(Ciphertext::Bytes(&ct), &other),
            Err(Error::WrongKey)
        ));
    }

    #[test]
    fn a_file_is_read_afresh_for_each_key() {
        let key = Key::Identity(age::x25519::Identity::generate());
        let other = Key::Identity(age::x25519::Identity::generate());
        let plaintext = vec![b'x'; 200_000]; // several age chunks
        let mut file = tempfile::tempfile().unwrap();
        file.write_all(&encrypt(&plaintext, &key, &[]).unwrap())
            .unwrap();
        let ct = Ciphertext::File(&file);
        assert_eq!(lock_of(ct).unwrap(), Lock::Recipients);
        assert!(matches!(decrypt(ct, &other), Err(Error::WrongKey)));
        assert_eq!(&decrypt(ct, &key).unwrap()[..], &plaintext[..]);
        assert_eq!(&decrypt(ct, &key).unwrap()[..], &plaintext[..]);
    }

    #[test]
    fn passphrase_vaults_are_told_from_their_header() {
        let key = Key::Passphrase(age::secrecy::SecretString::from(
            "correct horse".to_string(),
        ));
        let ct = encrypt(b"{}", &key, &[]).unwrap();
        assert_eq!(lock_of(Ciphertext::Bytes(&ct)).unwrap(), Lock::Passphrase);
        assert_eq!(&decrypt(Ciphertext::Bytes(&ct), &key).unwrap()[..], b"{}");
        assert!(matches!(
            lock_of(Ciphertext::Bytes(b"{\"version\":1}")),
            Err(Error::NotAge)
        ));
        assert!(matches!(
            lock_of(Ciphertext::Bytes(b"age-encryption.org/v1\n-> X25519 abc")),
            Err(Error::NotAge)
        ));
    }

    #[test]
    fn damaged_files() {
        let key = Key::Identity(age::x25519::Identity::generate());
        let ct = encrypt(&[b'x'; 1000], &key, &[]).unwrap();
        assert!(matches!(
            decrypt(Ciphertext::Bytes(&ct[..ct.len() - 10]), &key),
            Err(Error::Damaged)
        ));
        let mut flipped = ct.clone();
        let n = flipped.len();
        flipped[n - 20] ^= 1;
        assert!(matches!(
            decrypt(Ciphertext::Bytes(&flipped), &key),
            Err(Error::Damaged)
        ));
        assert!(matches!(
            decrypt(Ciphertext::Bytes(b"{\"version\":1}"), &key),
            Err(Error::NotAge)
        ));
        assert!(matches!(
            decrypt(Ciphertext::Bytes(&ct[..20]), &key),
            Err(Error::NotAge)
        ));
    }
}
