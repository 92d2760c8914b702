/*!
Passphrase-sealed files: the backups of `otp export` and the recovery kits of `otp key export`.

Both are standard age files encrypted with age's scrypt recipient and ASCII-armored
(`-----BEGIN AGE ENCRYPTED FILE-----`), so `age -d FILE` opens them on any machine, and they
survive being pasted into an e-mail or printed. Reading accepts armored and binary files.
*/

use age::armor::{ArmoredReader, ArmoredWriter, Format};
use age::secrecy::SecretString;
use std::io::{Read, Write};
use zeroize::Zeroizing;

const BINARY_MAGIC: &[u8] = b"age-encryption.org/v1\n";
const ARMOR_BEGIN: &[u8] = b"-----BEGIN AGE ENCRYPTED FILE-----";

/// Why a sealed file could not be opened. Never contains the plaintext or the passphrase.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum Error {
    #[error("it is not an age file, or its header is damaged")]
    NotAge,
    #[error("it is encrypted to a key, not a passphrase")]
    NotPassphrase,
    #[error("wrong passphrase")]
    WrongPassphrase,
    #[error("the file is truncated or has been tampered with")]
    Damaged,
    #[error("its passphrase encryption asks for excessive work (scrypt 2^{0})")]
    ExcessiveWork(u8),
    #[error("encryption failed: {0}")]
    Encrypt(String),
}

/// Whether `bytes` look like an age file, armored or binary (no key needed).
pub(crate) fn is_age(bytes: &[u8]) -> bool {
    let start = bytes.trim_ascii_start();
    start.starts_with(BINARY_MAGIC) || start.starts_with(ARMOR_BEGIN)
}

/// Whether the age file in `bytes` is passphrase-encrypted (to decide whether to ask for a
/// passphrase before asking).
pub(crate) fn is_passphrase_sealed(bytes: &[u8]) -> Result<bool, Error> {
    let decryptor = age::Decryptor::new(ArmoredReader::new(bytes)).map_err(|_| Error::NotAge)?;
    Ok(decryptor.is_scrypt())
}

/// Encrypts `plaintext` with `passphrase` (scrypt) and armors it.
pub(crate) fn seal(plaintext: &[u8], passphrase: &SecretString) -> Result<Vec<u8>, Error> {
    let fail = |e: std::io::Error| Error::Encrypt(e.to_string());
    let encryptor = age::Encryptor::with_user_passphrase(passphrase.clone());
    let armor = ArmoredWriter::wrap_output(Vec::new(), Format::AsciiArmor).map_err(fail)?;
    let mut writer = encryptor.wrap_output(armor).map_err(fail)?;
    writer.write_all(plaintext).map_err(fail)?;
    writer.finish().and_then(|a| a.finish()).map_err(fail)
}

/// Decrypts a sealed file with `passphrase`.
pub fn open(bytes: &[u8], passphrase: &SecretString) -> Result<Zeroizing<Vec<u8>>, Error> {
    let decryptor = age::Decryptor::new(ArmoredReader::new(bytes)).map_err(|_| Error::NotAge)?;
    if !decryptor.is_scrypt() {
        return Err(Error::NotPassphrase);
    }
    let identity = super::passphrase::scrypt_identity(passphrase);
    let mut reader = decryptor
        .decrypt(std::iter::once(&identity as &dyn age::Identity))
        .map_err(|e| match e {
            age::DecryptError::DecryptionFailed | age::DecryptError::NoMatchingKeys => {
                Error::WrongPassphrase
            }
            age::DecryptError::ExcessiveWork { required, .. } => Error::ExcessiveWork(required),
            age::DecryptError::InvalidHeader | age::DecryptError::UnknownFormat => Error::NotAge,
            _ => Error::Damaged,
        })?;
    let mut plaintext = Zeroizing::new(Vec::with_capacity(bytes.len()));
    reader
        .read_to_end(&mut plaintext)
        .map_err(|_| Error::Damaged)?;
    Ok(plaintext)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seal_open_round_trip_and_wrong_passphrase() {
        let pass = SecretString::from("correct horse".to_string());
        let sealed = seal(b"{\"version\":1}", &pass).unwrap();
        assert!(sealed.starts_with(ARMOR_BEGIN));
        assert!(is_age(&sealed));
        assert_eq!(is_passphrase_sealed(&sealed), Ok(true));
        assert_eq!(&open(&sealed, &pass).unwrap()[..], b"{\"version\":1}");
        let wrong = SecretString::from("battery staple".to_string());
        assert_eq!(open(&sealed, &wrong), Err(Error::WrongPassphrase));
        assert_eq!(open(b"hello", &pass), Err(Error::NotAge));
        assert!(!is_age(b"{\"version\":1}"));
    }

    /// The work-factor bound is fixed, not measured on the machine at the time: a file
    /// asking for more than 2^22 is refused before any scrypt work is done.
    #[test]
    fn excessive_scrypt_work_is_refused_at_a_fixed_bound() {
        let pass = SecretString::from("correct horse".to_string());
        let mut recipient = age::scrypt::Recipient::new(pass.clone());
        recipient.set_work_factor(10);
        let encryptor =
            age::Encryptor::with_recipients(std::iter::once(&recipient as &dyn age::Recipient))
                .unwrap();
        let mut file = Vec::new();
        let mut writer = encryptor.wrap_output(&mut file).unwrap();
        writer.write_all(b"{}").unwrap();
        writer.finish().unwrap();
        assert_eq!(&open(&file, &pass).unwrap()[..], b"{}");
        let text = String::from_utf8_lossy(&file).into_owned();
        let line = text.lines().find(|l| l.starts_with("-> scrypt ")).unwrap();
        let bumped = text.replacen(line, &line.replace(" 10", " 23"), 1);
        assert_eq!(
            open(bumped.as_bytes(), &pass),
            Err(Error::ExcessiveWork(23))
        );
    }

    #[test]
    fn key_encrypted_files_are_told_apart() {
        let id = age::x25519::Identity::generate();
        let recipient = id.to_public();
        let enc =
            age::Encryptor::with_recipients(std::iter::once(&recipient as &dyn age::Recipient))
                .unwrap();
        let mut out = Vec::new();
        let mut w = enc.wrap_output(&mut out).unwrap();
        w.write_all(b"x").unwrap();
        w.finish().unwrap();
        assert!(is_age(&out));
        assert_eq!(is_passphrase_sealed(&out), Ok(false));
        let pass = SecretString::from("p".to_string());
        assert_eq!(open(&out, &pass), Err(Error::NotPassphrase));
    }
}
