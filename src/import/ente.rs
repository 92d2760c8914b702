/*!
`ente`: Ente Auth exports, plain and encrypted.

- Plain text: one otpauth URI per line, as `Code.rawData` after `toOTPAuthUrlFormat()`. Dart
  re-encodes the whole query as a form (space as `+`, a literal `+` as `%2B`), and appends a
  `codeDisplay` parameter holding JSON (`tags`, `note`, `trashed`, …). Detected by that
  parameter; tags and the note become the entry's note.
- Encrypted JSON (`version` 1, `kdfParams {memLimit, opsLimit, salt}`, `encryptedData`,
  `encryptionNonce`): the password goes through Argon2id v1.3 (libsodium's `crypto_pwhash`:
  `memLimit` bytes, `opsLimit` passes, one lane, 32-byte key) and the plain text comes out of
  one libsodium `crypto_secretstream_xchacha20poly1305` message tagged FINAL, whose stream
  header is `encryptionNonce` (ente-io/ente: `cli/pkg/authenticator/decrypt.go` reads it so).

No crate implements libsodium's secretstream on top of RustCrypto, so [`secretstream`] does it
with `chacha20` (HChaCha20, ChaCha20-IETF) and `poly1305`, following libsodium's
`crypto_secretstream_xchacha20poly1305.c` line by line.
*/

use super::{Error, Format, Imported, Passwords};
use crate::uri;
use ::age::secrecy::ExposeSecret;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use percent_encoding::percent_decode_str;
use serde::Deserialize;
use zeroize::Zeroizing;

pub struct Ente;

const NAME: &str = "ente";
/// Ente's largest Argon2 memory (libsodium's `MEMLIMIT_SENSITIVE`); it only ever goes down
/// from there, doubling the passes each time it halves the memory.
const MAX_MEM_LIMIT: u64 = 1 << 30;
/// Ente keeps memory × passes at 1 GiB × 4: refuse more work than that from a file.
const MAX_KDF_WORK: u64 = 4 << 30;
/// libsodium's `crypto_pwhash_MEMLIMIT_MIN`.
const MIN_MEM_LIMIT: u64 = 8192;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Export {
    version: u32,
    kdf_params: KdfParams,
    encrypted_data: String,
    encryption_nonce: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct KdfParams {
    mem_limit: u64,
    ops_limit: u64,
    salt: String,
}

/// The parts of `codeDisplay` that otp keeps.
#[derive(Deserialize, Default)]
#[serde(default)]
struct CodeDisplay {
    tags: Vec<String>,
    note: String,
    trashed: bool,
}

fn malformed(reason: impl Into<String>) -> Error {
    Error::Malformed {
        format: NAME,
        reason: reason.into(),
    }
}

/// The first line that is neither blank nor a comment.
fn first_line(text: &str) -> Option<&str> {
    text.lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#'))
}

/// Ente's keys, in the order it writes them (so a truncated export is still recognised).
fn is_encrypted_export(bytes: &[u8]) -> bool {
    bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{')
        && [b"\"kdfParams\"".as_slice(), b"\"encryptedData\""]
            .iter()
            .all(|key| bytes.windows(key.len()).any(|w| w == *key))
}

fn is_plain_export(bytes: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return false;
    };
    first_line(text).is_some_and(|line| {
        uri::is_otpauth(line)
            && line
                .split_once('?')
                .is_some_and(|(_, q)| q.split('&').any(|p| p.starts_with("codeDisplay=")))
    })
}

impl Format for Ente {
    fn name(&self) -> &'static str {
        NAME
    }

    fn detect(&self, bytes: &[u8]) -> bool {
        is_encrypted_export(bytes) || is_plain_export(bytes)
    }

    fn parse(&self, bytes: &[u8], passwords: &mut Passwords) -> Result<Vec<Imported>, Error> {
        if is_encrypted_export(bytes) {
            let plain = decrypt(bytes, passwords)?;
            return parse_plain_text(&plain);
        }
        parse_plain_text(bytes)
    }
}

/// Decrypts an encrypted export to its plain text.
fn decrypt(bytes: &[u8], passwords: &mut Passwords) -> Result<Zeroizing<Vec<u8>>, Error> {
    let export: Export = serde_json::from_slice(bytes).map_err(|e| malformed(e.to_string()))?;
    if export.version != 1 {
        return Err(malformed(format!(
            "unsupported export version {} (otp reads version 1)",
            export.version
        )));
    }
    let base64 = |what: &str, text: &str| {
        STANDARD
            .decode(text.trim())
            .map_err(|e| malformed(format!("{what} is not base64: {e}")))
    };
    let salt = base64("kdfParams.salt", &export.kdf_params.salt)?;
    let header = base64("encryptionNonce", &export.encryption_nonce)?;
    let sealed = base64("encryptedData", &export.encrypted_data)?;
    let header: [u8; secretstream::HEADER_BYTES] = header.as_slice().try_into().map_err(|_| {
        malformed(format!(
            "encryptionNonce is {} bytes, not {}",
            header.len(),
            secretstream::HEADER_BYTES
        ))
    })?;
    let argon2 = kdf(&export.kdf_params, salt.len())?;

    let password = passwords.get("Password of the Ente export: ")?;
    let mut key = Zeroizing::new([0u8; secretstream::KEY_BYTES]);
    argon2
        .hash_password_into(password.expose_secret().as_bytes(), &salt, &mut *key)
        .map_err(|e| malformed(format!("cannot derive the key: {e}")))?;
    drop(password);

    let mut stream = secretstream::Pull::new(&key, &header);
    let (plain, tag) = stream.pull(&sealed, &[]).map_err(|e| match e {
        secretstream::Error::Short => malformed("encryptedData is too short"),
        secretstream::Error::Forged => Error::Locked(
            "cannot decrypt the Ente export: wrong password, or the file was changed".into(),
        ),
    })?;
    if tag != secretstream::TAG_FINAL {
        // Ente writes the whole export as one final message; anything else is cut short.
        return Err(malformed(
            "the encrypted data is incomplete (no final message)",
        ));
    }
    Ok(plain)
}

/// Argon2id as libsodium's `crypto_pwhash` runs it, with bounds so a damaged or hostile file
/// cannot ask for gigabytes or hours.
fn kdf(params: &KdfParams, salt_len: usize) -> Result<argon2::Argon2<'static>, Error> {
    let KdfParams {
        mem_limit,
        ops_limit,
        ..
    } = *params;
    if salt_len != 16 {
        return Err(malformed(format!(
            "kdfParams.salt is {salt_len} bytes, not 16"
        )));
    }
    if !(MIN_MEM_LIMIT..=MAX_MEM_LIMIT).contains(&mem_limit)
        || ops_limit == 0
        || mem_limit.saturating_mul(ops_limit) > MAX_KDF_WORK
    {
        return Err(malformed(format!(
            "kdfParams out of range (memLimit {mem_limit}, opsLimit {ops_limit})"
        )));
    }
    // libsodium passes memLimit / 1024 as Argon2's m_cost (KiB), and one lane.
    let m_cost = u32::try_from(mem_limit / 1024).map_err(|_| malformed("memLimit too large"))?;
    let t_cost = u32::try_from(ops_limit).map_err(|_| malformed("opsLimit too large"))?;
    let params = argon2::Params::new(m_cost, t_cost, 1, Some(secretstream::KEY_BYTES))
        .map_err(|e| malformed(format!("kdfParams: {e}")))?;
    Ok(argon2::Argon2::new(
        argon2::Algorithm::Argon2id,
        argon2::Version::V0x13,
        params,
    ))
}

/// Reads the plain-text export: otpauth URIs, one a line.
fn parse_plain_text(bytes: &[u8]) -> Result<Vec<Imported>, Error> {
    let text = std::str::from_utf8(bytes).map_err(|_| malformed("it is not UTF-8 text"))?;
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate().map(|(n, l)| (n + 1, l.trim())) {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        // Errors name the line, never its text: it holds a secret.
        let at_line = |reason: String| malformed(format!("line {n}: {reason}"));
        let line = Zeroizing::new(form_decoded_query(line));
        let entry = uri::parse(&line).map_err(|e| at_line(e.to_string()))?;
        let display = code_display(&line).map_err(at_line)?;
        out.push(Imported {
            note: note(&display),
            ..Imported::from(entry)
        });
    }
    if out.is_empty() {
        return Err(Error::Empty);
    }
    Ok(out)
}

/// Dart writes the query as a form, `+` for a space; `uri::parse` keeps `+` literal (right for
/// labels and for the URIs services print). Rewriting `+` as `%20` in the query only makes the
/// two agree; a literal plus arrives as `%2B` and stays one. Secrets never hold `+`.
fn form_decoded_query(line: &str) -> String {
    match line.split_once('?') {
        Some((head, query)) => format!("{head}?{}", query.replace('+', "%20")),
        None => line.to_string(),
    }
}

/// The `codeDisplay` JSON of a line (after [`form_decoded_query`]); absent means defaults.
fn code_display(line: &str) -> Result<CodeDisplay, String> {
    let Some(value) = line
        .split_once('?')
        .and_then(|(_, q)| q.split('&').find_map(|p| p.strip_prefix("codeDisplay=")))
    else {
        return Ok(CodeDisplay::default());
    };
    let json = percent_decode_str(value)
        .decode_utf8()
        .map_err(|_| "codeDisplay is not UTF-8".to_string())?;
    serde_json::from_str(&json).map_err(|e| format!("codeDisplay is not valid: {e}"))
}

/// Ente's tags and note as one note: `tags: work, home; the note`.
fn note(display: &CodeDisplay) -> Option<String> {
    let mut parts = Vec::new();
    let tags: Vec<&str> = display
        .tags
        .iter()
        .map(|t| t.trim())
        .filter(|t| !t.is_empty())
        .collect();
    if !tags.is_empty() {
        parts.push(format!("tags: {}", tags.join(", ")));
    }
    if display.trashed {
        parts.push("in Ente's trash".to_string());
    }
    if !display.note.trim().is_empty() {
        parts.push(display.note.trim().to_string());
    }
    (!parts.is_empty()).then(|| parts.join("; "))
}

/// The receiving half of libsodium's `crypto_secretstream_xchacha20poly1305`.
pub(crate) mod secretstream {
    use chacha20::ChaCha20;
    use chacha20::cipher::consts::U10;
    use chacha20::cipher::{KeyIvInit, StreamCipher, StreamCipherSeek};
    use poly1305::Poly1305;
    use poly1305::universal_hash::KeyInit;
    use zeroize::{Zeroize, Zeroizing};

    pub const KEY_BYTES: usize = 32;
    pub const HEADER_BYTES: usize = 24;
    /// The tag byte and the Poly1305 MAC added to every message.
    pub const A_BYTES: usize = 1 + 16;
    #[cfg(test)]
    pub const TAG_MESSAGE: u8 = 0;
    pub const TAG_PUSH: u8 = 1;
    pub const TAG_REKEY: u8 = 2;
    pub const TAG_FINAL: u8 = TAG_PUSH | TAG_REKEY;

    #[derive(Debug, PartialEq, Eq)]
    pub enum Error {
        /// Shorter than a tag and a MAC.
        Short,
        /// The MAC does not verify: wrong key, or changed data.
        Forged,
    }

    /// The stream state: the subkey and the 12-byte ChaCha20 nonce, which is a 4-byte
    /// little-endian counter followed by an 8-byte "inonce".
    pub struct Pull {
        key: Zeroizing<[u8; KEY_BYTES]>,
        nonce: Zeroizing<[u8; 12]>,
    }

    impl Pull {
        /// `crypto_secretstream_xchacha20poly1305_init_pull`.
        pub fn new(key: &[u8; KEY_BYTES], header: &[u8; HEADER_BYTES]) -> Pull {
            let (first, inonce) = header.split_at(16);
            let mut subkey = chacha20::hchacha::<U10>(key.into(), first.into());
            let mut state = Pull {
                key: Zeroizing::new(subkey.into()),
                nonce: Zeroizing::new([0; 12]),
            };
            subkey.zeroize();
            state.nonce[4..].copy_from_slice(inonce);
            state.reset_counter();
            state
        }

        fn reset_counter(&mut self) {
            self.nonce[..4].copy_from_slice(&1u32.to_le_bytes());
        }

        /// ChaCha20-IETF keyed with the stream state, positioned at 64-byte block `block`.
        fn cipher(&self, block: u32) -> ChaCha20 {
            let mut cipher = ChaCha20::new((&*self.key).into(), (&*self.nonce).into());
            cipher.seek(u64::from(block) * 64);
            cipher
        }

        /// `crypto_secretstream_xchacha20poly1305_pull`: one message and its tag.
        pub fn pull(
            &mut self,
            sealed: &[u8],
            ad: &[u8],
        ) -> Result<(Zeroizing<Vec<u8>>, u8), Error> {
            if sealed.len() < A_BYTES {
                return Err(Error::Short);
            }
            let mlen = sealed.len() - A_BYTES;
            let (head, rest) = sealed.split_at(1);
            let (c, stored_mac) = rest.split_at(mlen);

            // Block 0 of the keystream is the Poly1305 key.
            let mut mac_key = Zeroizing::new([0u8; 64]);
            self.cipher(0).apply_keystream(&mut *mac_key);

            // The tag travels encrypted as the first byte of block 1; the MAC covers that
            // whole block with the encrypted tag byte in front.
            let mut block = Zeroizing::new([0u8; 64]);
            block[0] = head[0];
            self.cipher(1).apply_keystream(&mut *block);
            let tag = block[0];
            block[0] = head[0];

            // The MAC input, in libsodium's layout: ad, pad to 16; the block; the ciphertext
            // and `(0x10 - 64 + mlen) & 0xf` zeros (libsodium's padding, which is mlen mod 16,
            // not the usual complement); le64(adlen); le64(64 + mlen).
            let mut input = Vec::with_capacity(ad.len() + 16 + 64 + mlen + 16 + 16);
            input.extend_from_slice(ad);
            input.resize(input.len() + (16 - ad.len() % 16) % 16, 0);
            input.extend_from_slice(&*block);
            input.extend_from_slice(c);
            input.resize(
                input.len() + (0x10usize.wrapping_sub(64).wrapping_add(mlen) & 0xf),
                0,
            );
            input.extend_from_slice(&(ad.len() as u64).to_le_bytes());
            input.extend_from_slice(&((64 + mlen) as u64).to_le_bytes());
            let poly = Poly1305::new(poly1305::Key::from_slice(&mac_key[..32]));
            let mac = poly.compute_unpadded(&input);
            if !constant_time_eq(mac.as_slice(), stored_mac) {
                return Err(Error::Forged);
            }

            let mut message = Zeroizing::new(c.to_vec());
            self.cipher(2).apply_keystream(&mut message);

            // Advance: inonce ^= mac, counter += 1; rekey on REKEY or counter wrap.
            for (n, m) in self.nonce[4..].iter_mut().zip(mac.iter()) {
                *n ^= m;
            }
            let counter =
                u32::from_le_bytes([self.nonce[0], self.nonce[1], self.nonce[2], self.nonce[3]])
                    .wrapping_add(1);
            self.nonce[..4].copy_from_slice(&counter.to_le_bytes());
            if tag & TAG_REKEY != 0 || counter == 0 {
                self.rekey();
            }
            Ok((message, tag))
        }

        /// `crypto_secretstream_xchacha20poly1305_rekey`: the key and inonce are replaced by
        /// themselves encrypted with the current state.
        fn rekey(&mut self) {
            let mut next = Zeroizing::new([0u8; KEY_BYTES + 8]);
            next[..KEY_BYTES].copy_from_slice(&*self.key);
            next[KEY_BYTES..].copy_from_slice(&self.nonce[4..]);
            self.cipher(0).apply_keystream(&mut *next);
            self.key.copy_from_slice(&next[..KEY_BYTES]);
            self.nonce[4..].copy_from_slice(&next[KEY_BYTES..]);
            self.reset_counter();
        }
    }

    fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
        a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        fn hex(text: &str) -> Vec<u8> {
            (0..text.len())
                .step_by(2)
                .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
                .collect()
        }

        /// Pushed with PyNaCl 1.6 (libsodium): key 00..1f, five messages covering an empty
        /// message, additional data, a REKEY tag, PUSH and FINAL, and lengths that are and
        /// are not multiples of 16.
        const HEADER: &str = "3dc16465c3945feba15d0357cfafab5d6ac2cfe840db1754";
        const STREAM: &[(&[u8], u8, &[u8], &str)] = &[
            (b"", TAG_MESSAGE, b"", "af8d412f2d62862d8aa644bbe712b7b7a1"),
            (
                b"hello",
                TAG_MESSAGE,
                b"ad",
                "e7a798d2180eeb61c85144d212fa4410fadb5c432abc",
            ),
            (
                &[b'x'; 70],
                TAG_REKEY,
                b"",
                "90992f620653e60d5c8e3aef8da1a3baf884160e38ce593a4c1edc2c2df8ab01fd078af8e353ee6102ec03025bdfe4c828614b55ad943f452bd933b4f65156ec2ab0b7636c9f7594211ab265caa71bacf048b5e9ac0b76",
            ),
            (
                b"after rekey, sixteen+",
                TAG_PUSH,
                b"",
                "68a9636447ac39ab0f30ee974de1585f9323fd62820d52ac6a35f1fb57ba0f888875c652f748",
            ),
            (
                b"the end",
                TAG_FINAL,
                b"",
                "4967f6825aa102e110a40c64bb605c063afb75044c076cf0",
            ),
        ];

        fn key() -> [u8; KEY_BYTES] {
            std::array::from_fn(|i| i as u8)
        }

        fn header() -> [u8; HEADER_BYTES] {
            hex(HEADER).try_into().unwrap()
        }

        #[test]
        fn pulls_what_libsodium_pushed() {
            let mut stream = Pull::new(&key(), &header());
            for (message, tag, ad, sealed) in STREAM {
                let (got, got_tag) = stream.pull(&hex(sealed), ad).unwrap();
                assert_eq!((got.as_slice(), got_tag), (*message, *tag));
            }
        }

        #[test]
        fn any_change_is_refused() {
            let sealed = hex(STREAM[1].3);
            for i in 0..sealed.len() {
                let mut bad = sealed.clone();
                bad[i] ^= 0x01;
                let mut stream = Pull::new(&key(), &header());
                stream.pull(&hex(STREAM[0].3), b"").unwrap();
                assert_eq!(
                    stream.pull(&bad, b"ad").unwrap_err(),
                    Error::Forged,
                    "byte {i}"
                );
            }
            // Wrong additional data, wrong key, wrong order, and too short.
            let mut stream = Pull::new(&key(), &header());
            stream.pull(&hex(STREAM[0].3), b"").unwrap();
            assert_eq!(stream.pull(&sealed, b"ax").unwrap_err(), Error::Forged);
            let mut other = key();
            other[0] ^= 1;
            let mut stream = Pull::new(&other, &header());
            assert_eq!(
                stream.pull(&hex(STREAM[0].3), b"").unwrap_err(),
                Error::Forged
            );
            let mut stream = Pull::new(&key(), &header());
            assert_eq!(stream.pull(&sealed, b"ad").unwrap_err(), Error::Forged);
            assert_eq!(stream.pull(&sealed[..16], b"").unwrap_err(), Error::Short);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entry::Kind;
    use std::path::Path;

    fn fixture(name: &str) -> Vec<u8> {
        std::fs::read(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/fixtures/apps")
                .join(name),
        )
        .unwrap()
    }

    fn password_file(text: &str) -> (tempfile::TempDir, Passwords) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("password");
        std::fs::write(&path, text).unwrap();
        (dir, Passwords::new(Some(path)))
    }

    #[test]
    fn detects_both_shapes_and_nothing_else() {
        assert!(Ente.detect(&fixture("ente_encrypted_fastkdf.json")));
        assert!(Ente.detect(&fixture("ente_plain.txt")));
        assert!(!Ente.detect(&fixture("otpauth_uris.txt")));
        assert!(!Ente.detect(&fixture("aegis_plain.json")));
        assert!(!Ente.detect(br#"{"version": 1, "entries": []}"#));
        assert!(!Ente.detect(b"otpauth://totp/A:b?secret=JBSWY3DPEHPK3PXP&x=codeDisplay="));
        assert_eq!(
            super::super::detect(&fixture("ente_encrypted.json"))
                .unwrap()
                .name(),
            "ente"
        );
    }

    #[test]
    fn plain_export_reads_form_encoding_tags_and_notes() {
        let got = Ente
            .parse(&fixture("ente_plain.txt"), &mut Passwords::default())
            .unwrap();
        assert_eq!(got.len(), 10);
        let find = |issuer: &str| got.iter().find(|i| i.entry.issuer == issuer).unwrap();
        // `issuer=ACME+Vault`: the form's `+` is a space.
        assert_eq!(
            find("ACME Vault").entry.account,
            "ops team: admin@example.org"
        );
        assert_eq!(find("ACME Vault").note.as_deref(), Some("tags: work"));
        assert_eq!(find("Example Bank").entry.period, 60);
        assert_eq!(
            find("Bücherei").note.as_deref(),
            Some("Kundennummer steht auf der Karte")
        );
        assert_eq!(find("Microsoft").entry.account, "alice@contoso.com");
        assert_eq!(find("Steam").entry.kind, Kind::Steam);
        assert_eq!(find("ACME VPN").entry.counter, 10300);
        assert_eq!(find("GitHub").note, None);
    }

    #[test]
    fn a_literal_plus_survives() {
        let line = b"otpauth://totp/A%2BB:me?secret=JBSWY3DPEHPK3PXP&issuer=A%2BB&codeDisplay=%7B%22note%22%3A%22x%2By+z%22%7D";
        let got = Ente.parse(line, &mut Passwords::default()).unwrap();
        assert_eq!(got[0].entry.issuer, "A+B");
        assert_eq!(got[0].note.as_deref(), Some("x+y z"));
    }

    #[test]
    fn encrypted_export_decrypts_to_the_plain_one() {
        let (_dir, mut passwords) = password_file("test\n");
        let got = Ente
            .parse(&fixture("ente_encrypted_fastkdf.json"), &mut passwords)
            .unwrap();
        let plain = Ente
            .parse(&fixture("ente_plain.txt"), &mut Passwords::default())
            .unwrap();
        let summary = |items: &[Imported]| {
            items
                .iter()
                .map(|i| (i.entry.clone(), i.note.clone()))
                .collect::<Vec<_>>()
        };
        assert_eq!(summary(&got), summary(&plain));
    }

    #[test]
    fn wrong_password_is_locked_and_damage_is_malformed() {
        let bytes = fixture("ente_encrypted_fastkdf.json");
        let (_dir, mut wrong) = password_file("wrong\n");
        let err = Ente.parse(&bytes, &mut wrong).unwrap_err();
        assert!(matches!(err, Error::Locked(_)), "{err}");
        assert!(err.to_string().contains("wrong password"), "{err}");

        let (_dir, mut passwords) = password_file("test\n");
        let cut = &bytes[..bytes.len() / 2];
        let err = Ente.parse(cut, &mut passwords).unwrap_err();
        assert!(
            matches!(err, Error::Malformed { format: "ente", .. }),
            "{err}"
        );

        let text = String::from_utf8(bytes.clone()).unwrap();
        for (from, to, why) in [
            (
                "\"memLimit\":8388608",
                "\"memLimit\":1099511627776",
                "out of range",
            ),
            ("\"opsLimit\":2", "\"opsLimit\":100000", "out of range"),
            ("\"opsLimit\":2", "\"opsLimit\":0", "out of range"),
            ("\"version\":1", "\"version\":2", "version 2"),
            ("1KyL0vJDeVTlNNbn3iFzmA==", "1KyL0vJDeVTl", "salt"),
            (
                "7FiQBrben4GJeLkSvwBY+oMEAB9nxbyo",
                "7FiQ",
                "encryptionNonce",
            ),
            (
                "\"encryptedData\":\"",
                "\"encryptedData\":\"!",
                "not base64",
            ),
        ] {
            assert!(text.contains(from), "{from}");
            let bad = text.replacen(from, to, 1);
            let err = Ente.parse(bad.as_bytes(), &mut passwords).unwrap_err();
            assert!(
                matches!(err, Error::Malformed { .. }) && err.to_string().contains(why),
                "{to}: {err}"
            );
        }
    }

    #[test]
    fn bad_lines_are_named_without_their_secret() {
        let text = "otpauth://totp/A:b?secret=JBSWY3DPEHPK3PXP&codeDisplay=%7B%7D\n\
                    otpauth://totp/A:c?secret=JBSWY3DPEHPK3PX!&codeDisplay=%7B%7D\n";
        let err = Ente
            .parse(text.as_bytes(), &mut Passwords::default())
            .unwrap_err()
            .to_string();
        assert!(err.contains("line 2") && !err.contains("JBSWY3DP"), "{err}");
        let text = "otpauth://totp/A:b?secret=JBSWY3DPEHPK3PXP&codeDisplay=%7B\n";
        let err = Ente
            .parse(text.as_bytes(), &mut Passwords::default())
            .unwrap_err()
            .to_string();
        assert!(err.contains("codeDisplay"), "{err}");
    }
}
