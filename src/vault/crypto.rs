/*!
The vault's encryption: a standard age file, so `age -d` can always read it.

X25519 vaults are encrypted to the vault's own identity plus any backup recipients from the
config; passphrase vaults use age's scrypt recipient, which age does not allow to be mixed
with others.
*/

use crate::keys::Key;
use age::secrecy::ExposeSecret;
use age_core::format::{FileKey, Stanza};
use chacha20poly1305::{AeadInPlace, ChaCha20Poly1305, KeyInit};
use std::io::Write;
use zeroize::{Zeroize, Zeroizing};

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
}

/// How a vault file is encrypted, read from its header without any key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lock {
    Passphrase,
    Recipients,
}

/// Tells a passphrase vault from a key vault by reading the header's stanza lines, without
/// parsing the header twice on `otp code`'s path ([`decrypt`] checks it fully).
pub fn lock_of(ciphertext: &[u8]) -> Result<Lock, Error> {
    let mut lines = ciphertext.split_inclusive(|&b| b == b'\n');
    if lines.next() != Some(b"age-encryption.org/v1\n") {
        return Err(Error::NotAge);
    }
    for line in lines {
        if line.starts_with(b"---") {
            return Ok(Lock::Recipients);
        }
        if line.starts_with(b"-> scrypt ") {
            return Ok(Lock::Passphrase);
        }
    }
    Err(Error::NotAge)
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

/// Decrypts a vault file with `key`, in place: `buf` holds the file and, on success, just
/// its plaintext. An error about the header (not an age file, wrong key or passphrase) leaves
/// `buf` as it was, so that another key can be tried on it.
///
/// age reads the header: it finds the stanza `key` opens and checks the header's MAC. The
/// payload, age's STREAM of 64 KiB ChaCha20-Poly1305 chunks, is then opened where it lies and
/// the plaintext moved to the front. age's own reader would copy each chunk twice through
/// buffers of its own: at 1,000 entries those copies and their fresh pages were about 14% of
/// `otp code`'s time (SPEC §7). Nothing is copied, so no copy of a secret is left behind in
/// freed memory, where nothing zeroizes it.
pub fn decrypt(buf: &mut Zeroizing<Vec<u8>>, key: &Key) -> Result<(), Error> {
    let mut rest: &[u8] = buf;
    let decryptor = age::Decryptor::new_buffered(&mut rest).map_err(|_| Error::NotAge)?;
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
    let kept = KeepFileKey::new(identity);
    // Ok only once a stanza was unwrapped and the header's MAC verified with its file key.
    // age's payload reader is dropped unused.
    drop(
        decryptor
            .decrypt(std::iter::once(&kept as &dyn age::Identity))
            .map_err(|e| match (e, passphrase) {
                (age::DecryptError::NoMatchingKeys, false) => Error::WrongKey,
                (age::DecryptError::DecryptionFailed, true) => Error::WrongPassphrase,
                (age::DecryptError::NoMatchingKeys, true) => Error::WrongPassphrase,
                (e, _) => map_decrypt(e),
            })?,
    );
    let payload_start = buf.len() - rest.len();
    let file_key = kept.file_key.take().ok_or(Error::Damaged)?;
    let len = open_payload(buf, payload_start, &file_key)?;
    buf.truncate(len);
    Ok(())
}

/// Zeroizes a decrypted buffer now, the fast way. Dropped, a `Zeroizing<Vec<u8>>` clears
/// its elements one volatile byte at a time (about 1.5% of `otp code` at 1,000 entries);
/// zeroize's slice path is a memset behind an optimisation barrier. The buffer is left
/// empty, so on drop only its spare capacity is cleared again, by that same fast path.
pub fn wipe(buf: &mut Zeroizing<Vec<u8>>) {
    buf.as_mut_slice().zeroize();
    buf.clear();
}

/// An identity that unwraps as `inner` does and keeps a copy of the file key it finds, so
/// that the payload can be opened without age's reader.
struct KeepFileKey<'a> {
    inner: &'a dyn age::Identity,
    file_key: std::cell::Cell<Option<Zeroizing<[u8; 16]>>>,
}

impl<'a> KeepFileKey<'a> {
    fn new(inner: &'a dyn age::Identity) -> Self {
        KeepFileKey {
            inner,
            file_key: std::cell::Cell::new(None),
        }
    }

    fn keep(
        &self,
        found: Option<Result<FileKey, age::DecryptError>>,
    ) -> Option<Result<FileKey, age::DecryptError>> {
        if let Some(Ok(file_key)) = &found {
            self.file_key
                .set(Some(Zeroizing::new(*file_key.expose_secret())));
        }
        found
    }
}

impl age::Identity for KeepFileKey<'_> {
    fn unwrap_stanza(&self, stanza: &Stanza) -> Option<Result<FileKey, age::DecryptError>> {
        self.keep(self.inner.unwrap_stanza(stanza))
    }

    // Passed through whole: the scrypt identity insists on being the header's only stanza.
    fn unwrap_stanzas(&self, stanzas: &[Stanza]) -> Option<Result<FileKey, age::DecryptError>> {
        self.keep(self.inner.unwrap_stanzas(stanzas))
    }
}

/// age's plaintext chunk size; each chunk carries a 16-byte tag.
const CHUNK: usize = 64 * 1024;
const TAG: usize = 16;
const NONCE: usize = 16;

/// Opens age's STREAM payload (age-encryption.org/v1, "Payload") in place: the chunks from
/// `buf[start..]`, after the header and the 16-byte nonce, each of 64 KiB plus a tag and
/// sealed with its index and, for the last one, a last-chunk flag, so that a truncated,
/// reordered or extended payload does not open (ChaCha20-Poly1305 checks each tag before it
/// decrypts). Moves the plaintext to the front of `buf` and returns its length.
fn open_payload(buf: &mut [u8], start: usize, file_key: &[u8; 16]) -> Result<usize, Error> {
    let nonce_at = start.checked_sub(NONCE).ok_or(Error::Damaged)?;
    let nonce = buf.get(nonce_at..start).ok_or(Error::Damaged)?;
    let key = Zeroizing::new(age_core::primitives::hkdf(nonce, b"payload", file_key));
    let aead = ChaCha20Poly1305::new((&*key).into());
    let sealed = &mut buf[start..];
    // Even an empty plaintext is one sealed (last) chunk.
    let count = sealed.len().div_ceil(CHUNK + TAG);
    if count == 0 {
        return Err(Error::Damaged);
    }
    for (index, chunk) in sealed.chunks_mut(CHUNK + TAG).enumerate() {
        let last = index + 1 == count;
        // A last chunk is empty only when the whole plaintext is (as age also insists).
        if chunk.len() < TAG || (last && chunk.len() == TAG && index > 0) {
            return Err(Error::Damaged);
        }
        let mut chunk_nonce = [0u8; 12];
        chunk_nonce[3..11].copy_from_slice(&(index as u64).to_be_bytes());
        chunk_nonce[11] = u8::from(last);
        let (text, tag) = chunk.split_at_mut(chunk.len() - TAG);
        aead.decrypt_in_place_detached(&chunk_nonce.into(), b"", text, (&*tag).into())
            .map_err(|_| Error::Damaged)?;
    }
    // Close the gaps the header, the nonce and the tags leave.
    let mut len = 0;
    for index in 0..count {
        let from = start + index * (CHUNK + TAG);
        let n = (buf.len() - from).min(CHUNK + TAG) - TAG;
        buf.copy_within(from..from + n, len);
        len += n;
    }
    Ok(len)
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
    use std::io::Read;

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
    }

    /// `decrypt` on a copy of `ciphertext`: the plaintext.
    fn open(ciphertext: &[u8], key: &Key) -> Result<Vec<u8>, Error> {
        let mut buf = Zeroizing::new(ciphertext.to_vec());
        decrypt(&mut buf, key)?;
        Ok(buf.to_vec())
    }

    #[test]
    fn a_wrong_key_leaves_the_buffer_for_the_next() {
        let key = Key::Identity(age::x25519::Identity::generate());
        let other = Key::Identity(age::x25519::Identity::generate());
        let plaintext = vec![b'x'; 200_000]; // several age chunks
        let ct = encrypt(&plaintext, &key, &[]).unwrap();
        let mut buf = Zeroizing::new(ct.clone());
        assert!(matches!(decrypt(&mut buf, &other), Err(Error::WrongKey)));
        assert_eq!(&buf[..], &ct[..]);
        let passphrase = Key::Passphrase(age::secrecy::SecretString::from("p".to_string()));
        assert!(matches!(
            decrypt(&mut buf, &passphrase),
            Err(Error::NeedsIdentity)
        ));
        assert_eq!(&buf[..], &ct[..]);
        decrypt(&mut buf, &key).unwrap();
        assert_eq!(&buf[..], &plaintext[..]);
    }

    /// age's own reader, the oracle for the in-place payload opening.
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
    fn payloads_open_as_age_opens_them() {
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
            // Whatever age refuses, this refuses: cut at and around every chunk boundary,
            // a byte too many, a flipped byte in each chunk, and two chunks swapped.
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
        assert_eq!(&open(&ct, &key).unwrap()[..], b"{}");
        assert!(matches!(lock_of(b"{\"version\":1}"), Err(Error::NotAge)));
        assert!(matches!(
            lock_of(b"age-encryption.org/v1\n-> X25519 abc"),
            Err(Error::NotAge)
        ));
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
    }
}
