/*!
The vault's encryption: a standard age file, so `age -d` can always read it.

X25519 vaults are encrypted to the vault's own identity plus any backup recipients from the
config; passphrase vaults use age's scrypt recipient, which age does not allow to be mixed
with others. Reading accepts the binary age format that otp writes and the ASCII armor of
`age -a` (a vault made or re-encrypted by hand); writing always produces binary age.

All of it is age's own code: its header parser and its STREAM reader open and authenticate
the file, chunk by chunk.
*/

use crate::keys::Key;
use age::armor::ArmoredReader;
use std::io::{BufRead, Cursor, Read, Seek, Write};
use zeroize::{Zeroize, Zeroizing};

/// The first line of an ASCII-armored age file (age's armor format, RFC 7468 style).
const ARMOR_BEGIN: &[u8] = b"-----BEGIN AGE ENCRYPTED FILE-----";

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
    #[error("{0}")]
    Read(std::io::Error),
}

/// How a vault file is encrypted, read from its header without any key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lock {
    Passphrase,
    Recipients,
}

/// Tells a passphrase vault from a key vault by reading the header's stanza lines, without
/// parsing the header twice on `otp code`'s path ([`decrypt`] checks it fully). An armored
/// file is rare enough that age decodes its header here.
pub(crate) fn lock_of(ciphertext: &[u8]) -> Result<Lock, Error> {
    lock_of_reader(&mut Cursor::new(ciphertext))
}

/// [`lock_of`] for a file read from `input`, from its start, where `input` is left (for
/// [`decrypt_reader`]).
pub(crate) fn lock_of_reader<R: BufRead + Seek>(input: &mut R) -> Result<Lock, Error> {
    if is_armored(input.fill_buf().map_err(Error::Read)?) {
        let lock = age::Decryptor::new_buffered(ArmoredReader::new(&mut *input))
            .map(|decryptor| {
                if decryptor.is_scrypt() {
                    Lock::Passphrase
                } else {
                    Lock::Recipients
                }
            })
            .map_err(|e| match e {
                age::DecryptError::Io(e) if !is_damage(&e) => Error::Read(e),
                _ => Error::NotAge,
            });
        input.rewind().map_err(Error::Read)?;
        return lock;
    }
    let mut line = Vec::new();
    let mut consumed = input.read_until(b'\n', &mut line).map_err(Error::Read)?;
    let mut lock = Err(Error::NotAge);
    if line == b"age-encryption.org/v1\n" {
        loop {
            line.clear();
            consumed += input.read_until(b'\n', &mut line).map_err(Error::Read)?;
            if line.is_empty() {
                break;
            }
            if line.starts_with(b"---") {
                lock = Ok(Lock::Recipients);
                break;
            }
            if line.starts_with(b"-> scrypt ") {
                lock = Ok(Lock::Passphrase);
                break;
            }
        }
    }
    // Back to the start; within the reader's buffer (the header is short), without a seek.
    let back = i64::try_from(consumed).map_err(|_| Error::NotAge)?;
    input.seek_relative(-back).map_err(Error::Read)?;
    lock
}

/// Whether `file` is ASCII-armored (age -a), as age's own reader decides it: the marker
/// at the very start.
fn is_armored(file: &[u8]) -> bool {
    file.starts_with(ARMOR_BEGIN)
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

/// Decrypts a vault file (binary or armored) with `key`: its plaintext, in a zeroizing
/// buffer that is never reallocated (so no copy of it is left behind in freed memory).
pub fn decrypt(file: &[u8], key: &Key) -> Result<Zeroizing<Vec<u8>>, Error> {
    decrypt_reader(&mut Cursor::new(file), file.len() as u64, key)
}

/// [`decrypt`] for a file of `len` bytes read from `input`, from where it stands (the start
/// of the file). age reads it chunk by chunk, so the whole file is never in memory at once;
/// to try another key, rewind `input` first.
pub(crate) fn decrypt_reader<R: BufRead>(
    input: &mut R,
    len: u64,
    key: &Key,
) -> Result<Zeroizing<Vec<u8>>, Error> {
    // The plaintext is shorter than the file (the header, the nonce and a tag per chunk, or
    // the armor, are not part of it): sized from the file, the buffer never grows. A file
    // that grew while it was read is refused rather than let the buffer grow.
    let len = usize::try_from(len).map_err(|_| Error::Damaged)?;
    let mut plaintext = Zeroizing::new(Vec::with_capacity(len));
    if is_armored(input.fill_buf().map_err(Error::Read)?) {
        // age's armor reader passes binary files through too, but 48 bytes at a time.
        read_payload(ArmoredReader::new(input), key, &mut plaintext)?;
    } else {
        read_payload(input, key, &mut plaintext)?;
    }
    Ok(plaintext)
}

/// Reads the age file `input` with `key`, appending its plaintext to `plaintext`, at most
/// as much as its spare capacity.
fn read_payload(
    input: impl BufRead,
    key: &Key,
    plaintext: &mut Zeroizing<Vec<u8>>,
) -> Result<(), Error> {
    let decryptor = age::Decryptor::new_buffered(input).map_err(|e| match e {
        age::DecryptError::Io(e) if !is_damage(&e) => Error::Read(e),
        _ => Error::NotAge,
    })?;
    let scrypt;
    let identity: &dyn age::Identity = match (key, decryptor.is_scrypt()) {
        (Key::Identity(id), false) => id,
        (Key::Passphrase(p), true) => {
            scrypt = crate::keys::passphrase::scrypt_identity(p);
            &scrypt
        }
        (Key::Identity(_), true) => return Err(Error::NeedsPassphrase),
        (Key::Passphrase(_), false) => return Err(Error::NeedsIdentity),
    };
    let passphrase = matches!(key, Key::Passphrase(_));
    // Ok once a stanza was unwrapped and the header's MAC verified with its file key; the
    // reader then checks each chunk's tag, its place in the stream and the end of the stream.
    let mut reader =
        decryptor
            .decrypt(std::iter::once(identity))
            .map_err(|e| match (e, passphrase) {
                (age::DecryptError::NoMatchingKeys, false) => Error::WrongKey,
                (age::DecryptError::DecryptionFailed, true) => Error::WrongPassphrase,
                (age::DecryptError::NoMatchingKeys, true) => Error::WrongPassphrase,
                (e, _) => map_decrypt(e),
            })?;
    // A damaged chunk may come after good ones: the caller drops (and so zeroizes) what was
    // read before it.
    let room = (plaintext.capacity() - plaintext.len()) as u64;
    let read = |e: std::io::Error| {
        if is_damage(&e) {
            Error::Damaged
        } else {
            Error::Read(e)
        }
    };
    (&mut reader)
        .take(room)
        .read_to_end(plaintext)
        .map_err(read)?;
    // All of it, to the end of the stream (which age checks), and nothing past the room.
    match reader.read(&mut [0; 1]).map_err(read)? {
        0 => Ok(()),
        _ => Err(Error::Damaged),
    }
}

/// Whether an I/O error from age's reader is the file's content (a damaged header or
/// chunk, a truncated file) rather than a failure to read it.
fn is_damage(e: &std::io::Error) -> bool {
    matches!(
        e.kind(),
        std::io::ErrorKind::InvalidData | std::io::ErrorKind::UnexpectedEof
    )
}

/// Zeroizes a decrypted buffer now, the fast way. Dropped, a `Zeroizing<Vec<u8>>` clears
/// its elements one volatile byte at a time (measurably slower on `otp code`'s path:
/// docs/PERFORMANCE.md); zeroize's slice path is a memset behind an optimisation barrier.
/// The buffer is left empty, so on drop only its spare capacity is cleared again, by that
/// same fast path.
pub(crate) fn wipe(buf: &mut Zeroizing<Vec<u8>>) {
    buf.as_mut_slice().zeroize();
    buf.clear();
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
    use age::armor::{ArmoredWriter, Format};

    /// age's STREAM chunk size and tag size (age-encryption.org/v1, "Payload"): only to aim
    /// the damage of the tamper tests at chunk boundaries.
    const CHUNK: usize = 64 * 1024;
    const TAG: usize = 16;

    fn open(ciphertext: &[u8], key: &Key) -> Result<Vec<u8>, Error> {
        decrypt(ciphertext, key).map(|plaintext| plaintext.to_vec())
    }

    fn armor(binary: &[u8]) -> Vec<u8> {
        let mut writer = ArmoredWriter::wrap_output(Vec::new(), Format::AsciiArmor).unwrap();
        writer.write_all(binary).unwrap();
        writer.finish().unwrap()
    }

    #[test]
    fn identity_round_trip_and_wrong_key() {
        let key = Key::Identity(age::x25519::Identity::generate());
        let backup = age::x25519::Identity::generate();
        let ct = encrypt(b"{\"version\":1}", &key, &[backup.to_public()]).unwrap();
        assert_eq!(lock_of(&ct).unwrap(), Lock::Recipients);
        assert_eq!(&open(&ct, &key).unwrap()[..], b"{\"version\":1}");
        let backup = Key::Identity(backup);
        assert_eq!(&open(&ct, &backup).unwrap()[..], b"{\"version\":1}");
        let other = Key::Identity(age::x25519::Identity::generate());
        assert!(matches!(open(&ct, &other), Err(Error::WrongKey)));
        let passphrase = Key::Passphrase(age::secrecy::SecretString::from("p".to_string()));
        assert!(matches!(open(&ct, &passphrase), Err(Error::NeedsIdentity)));
    }

    #[test]
    fn the_plaintext_buffer_never_grows() {
        let key = Key::Identity(age::x25519::Identity::generate());
        for len in [0, 1, 5_000, CHUNK, 3 * CHUNK + 1] {
            let plaintext = vec![b'x'; len];
            let ct = encrypt(&plaintext, &key, &[]).unwrap();
            for file in [ct.clone(), armor(&ct)] {
                let opened = decrypt(&file, &key).unwrap();
                assert_eq!(&opened[..], &plaintext[..], "{len} bytes");
                // Allocated once, at the size of the file: a reallocation would have changed
                // the capacity and left a copy of the plaintext in the freed block.
                assert_eq!(opened.capacity(), file.len(), "{len} bytes");
            }
        }
    }

    /// age's own reader and nothing else, as `age -d` uses it: the oracle.
    fn age_reads(ct: &[u8], identity: &age::x25519::Identity) -> Option<Vec<u8>> {
        let decryptor = age::Decryptor::new_buffered(ct).ok()?;
        let mut reader = decryptor
            .decrypt(std::iter::once(identity as &dyn age::Identity))
            .ok()?;
        let mut plaintext = Vec::new();
        reader.read_to_end(&mut plaintext).ok()?;
        Some(plaintext)
    }

    #[test]
    fn damaged_payloads_do_not_open() {
        let identity = age::x25519::Identity::generate();
        let key = Key::Identity(identity.clone());
        for len in [
            0,
            1,
            CHUNK - 1,
            CHUNK,
            CHUNK + 1,
            2 * CHUNK,
            2 * CHUNK + 5,
            3 * CHUNK - 7,
        ] {
            let plaintext: Vec<u8> = (0..len).map(|i| (i * 7 + len) as u8).collect();
            let ct = encrypt(&plaintext, &key, &[]).unwrap();
            assert_eq!(age_reads(&ct, &identity).as_deref(), Some(&plaintext[..]));
            assert_eq!(&open(&ct, &key).unwrap()[..], &plaintext[..], "{len} bytes");
            // Cut at and around every chunk boundary, a byte too many, a flipped byte in
            // each chunk, and two chunks swapped: refused, and nothing of it handed on.
            let start = ct.len() - (len.div_ceil(CHUNK).max(1) * TAG + len);
            let mut damaged: Vec<Vec<u8>> = Vec::new();
            for at in (start..ct.len()).step_by(CHUNK + TAG) {
                for cut in [at, at + 1, at + TAG, at + CHUNK + TAG - 1] {
                    if cut < ct.len() {
                        damaged.push(ct[..cut].to_vec());
                    }
                }
                let mut flipped = ct.clone();
                flipped[(at + 3).min(ct.len() - 1)] ^= 0x40;
                damaged.push(flipped);
            }
            damaged.push([&ct[..], b"x"].concat());
            if len > 2 * CHUNK {
                let (a, b) = (start, start + CHUNK + TAG);
                let mut swapped = ct.clone();
                swapped[a..b + CHUNK + TAG].rotate_left(CHUNK + TAG);
                damaged.push(swapped);
            }
            for bad in damaged {
                assert_eq!(age_reads(&bad, &identity), None, "{len} bytes, age");
                assert!(
                    matches!(open(&bad, &key), Err(Error::Damaged)),
                    "{len} bytes, cut or changed at {}",
                    bad.len()
                );
                assert!(
                    matches!(open(&armor(&bad), &key), Err(Error::Damaged)),
                    "{len} bytes armored, cut or changed at {}",
                    bad.len()
                );
            }
        }
    }

    #[test]
    fn passphrase_vaults_are_told_from_their_header() {
        let key = Key::Passphrase(age::secrecy::SecretString::from(
            "correct horse".to_string(),
        ));
        let ct = encrypt(b"{}", &key, &[]).unwrap();
        assert_eq!(lock_of(&ct).unwrap(), Lock::Passphrase);
        assert_eq!(lock_of(&armor(&ct)).unwrap(), Lock::Passphrase);
        assert_eq!(&open(&ct, &key).unwrap()[..], b"{}");
        assert_eq!(&open(&armor(&ct), &key).unwrap()[..], b"{}");
        let wrong = Key::Passphrase(age::secrecy::SecretString::from("staple".to_string()));
        assert!(matches!(open(&ct, &wrong), Err(Error::WrongPassphrase)));
        let identity = Key::Identity(age::x25519::Identity::generate());
        assert!(matches!(open(&ct, &identity), Err(Error::NeedsPassphrase)));
        assert!(matches!(lock_of(b"{\"version\":1}"), Err(Error::NotAge)));
        assert!(matches!(
            lock_of(b"age-encryption.org/v1\n-> X25519 abc"),
            Err(Error::NotAge)
        ));
    }

    #[test]
    fn armored_files_open_as_age_opens_them() {
        let key = Key::Identity(age::x25519::Identity::generate());
        let other = Key::Identity(age::x25519::Identity::generate());
        let ct = encrypt(b"{\"version\":1,\"entries\":[]}", &key, &[]).unwrap();
        let armored = armor(&ct);
        assert!(armored.starts_with(ARMOR_BEGIN));
        assert_eq!(lock_of(&armored).unwrap(), Lock::Recipients);
        assert_eq!(
            &open(&armored, &key).unwrap()[..],
            &open(&ct, &key).unwrap()[..]
        );
        assert!(matches!(open(&armored, &other), Err(Error::WrongKey)));
        // CRLF line endings, as age also accepts them (age itself writes them on Windows).
        let crlf = String::from_utf8(armored.clone())
            .unwrap()
            .replace("\r\n", "\n")
            .replace('\n', "\r\n");
        assert!(open(crlf.as_bytes(), &key).is_ok());
        // Damage to the armor itself: in the header, a broken header; after it, the payload.
        let text = String::from_utf8(armored.clone()).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        let header_cut = lines[..2].join("\n");
        assert!(matches!(
            open(header_cut.as_bytes(), &key),
            Err(Error::NotAge)
        ));
        assert!(matches!(lock_of(header_cut.as_bytes()), Err(Error::NotAge)));
        let no_end = lines[..lines.len() - 1].join("\n") + "\n";
        assert!(matches!(open(no_end.as_bytes(), &key), Err(Error::Damaged)));
        let garbage = [&armored[..], b"trailing"].concat();
        assert!(matches!(open(&garbage, &key), Err(Error::Damaged)));
    }

    #[test]
    fn damaged_files() {
        let key = Key::Identity(age::x25519::Identity::generate());
        let ct = encrypt(&[b'x'; 1000], &key, &[]).unwrap();
        assert!(matches!(
            open(&ct[..ct.len() - 10], &key),
            Err(Error::Damaged)
        ));
        let mut flipped = ct.clone();
        let n = flipped.len();
        flipped[n - 20] ^= 1;
        assert!(matches!(open(&flipped, &key), Err(Error::Damaged)));
        assert!(matches!(open(b"{\"version\":1}", &key), Err(Error::NotAge)));
        assert!(matches!(open(&ct[..20], &key), Err(Error::NotAge)));
        assert!(matches!(open(ARMOR_BEGIN, &key), Err(Error::NotAge)));
    }

    #[test]
    fn files_are_read_from_the_file_and_again_for_another_key() {
        let key = Key::Identity(age::x25519::Identity::generate());
        let other = Key::Identity(age::x25519::Identity::generate());
        let plaintext = vec![b'x'; 2 * CHUNK + 9];
        let ct = encrypt(&plaintext, &key, &[]).unwrap();
        for bytes in [ct.clone(), armor(&ct)] {
            let mut file = tempfile::tempfile().unwrap();
            file.write_all(&bytes).unwrap();
            file.rewind().unwrap();
            let mut input = std::io::BufReader::new(file);
            assert_eq!(lock_of_reader(&mut input).unwrap(), Lock::Recipients);
            assert_eq!(input.stream_position().unwrap(), 0);
            let len = bytes.len() as u64;
            assert!(matches!(
                decrypt_reader(&mut input, len, &other),
                Err(Error::WrongKey)
            ));
            input.rewind().unwrap();
            let opened = decrypt_reader(&mut input, len, &key).unwrap();
            assert_eq!(&opened[..], &plaintext[..]);
            assert_eq!(opened.capacity(), bytes.len());
        }
    }

    #[test]
    fn a_file_longer_than_its_size_when_opened_is_refused() {
        // It grew while it was read: the plaintext buffer, sized from the file, would have
        // had to grow (and leave a copy of what it held behind).
        let key = Key::Identity(age::x25519::Identity::generate());
        let ct = encrypt(&[b'x'; 5000], &key, &[]).unwrap();
        for len in [4000, 4999] {
            assert!(matches!(
                decrypt_reader(&mut Cursor::new(&ct), len, &key),
                Err(Error::Damaged)
            ));
        }
        assert!(decrypt_reader(&mut Cursor::new(&ct), 5001, &key).is_ok());
    }

    /// Reads `bytes` and then fails, as a disk with a bad sector does.
    struct FailsAfter<'a>(&'a [u8]);

    impl Read for FailsAfter<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            if self.0.is_empty() {
                return Err(std::io::Error::other("bad sector"));
            }
            self.0.read(buf)
        }
    }

    #[test]
    fn read_errors_are_not_damage() {
        let key = Key::Identity(age::x25519::Identity::generate());
        let ct = encrypt(&[b'x'; 3 * CHUNK], &key, &[]).unwrap();
        for at in [0, 10, 200, CHUNK, ct.len() - 1] {
            let mut input = std::io::BufReader::new(FailsAfter(&ct[..at]));
            let opened = decrypt_reader(&mut input, ct.len() as u64, &key);
            assert!(
                matches!(&opened, Err(Error::Read(e)) if e.to_string() == "bad sector"),
                "failing at {at}: {:?}",
                opened.err()
            );
        }
    }
}
