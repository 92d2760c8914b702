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

The secretstream is RustCrypto's `crypto_secretstream`; the tests below hold it to messages
libsodium itself pushed.
*/

use super::{Error, Format, Imported, Passwords};
use crate::uri;
use ::age::secrecy::ExposeSecret;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use crypto_secretstream::{Header, Key, PullStream, Stream, Tag};
use percent_encoding::percent_decode_str;
use serde::Deserialize;
use zeroize::Zeroizing;

pub(crate) struct Ente;

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
    let header = Header::try_from(header.as_slice()).map_err(|_| {
        malformed(format!(
            "encryptionNonce is {} bytes, not {}",
            header.len(),
            Header::BYTES
        ))
    })?;
    let argon2 = kdf(&export.kdf_params, salt.len())?;

    let password = passwords.get("Password of the Ente export: ")?;
    let mut key = Zeroizing::new([0u8; Key::BYTES]);
    argon2
        .hash_password_into(password.expose_secret().as_bytes(), &salt, &mut *key)
        .map_err(|e| malformed(format!("cannot derive the key: {e}")))?;
    drop(password);

    let (plain, tag) = open(&key, header, &sealed)?;
    if tag != Tag::Final {
        // Ente writes the whole export as one final message; anything else is cut short.
        return Err(malformed(
            "the encrypted data is incomplete (no final message)",
        ));
    }
    Ok(plain)
}

/// The first message of the stream that `header` starts, and its tag.
fn open(
    key: &[u8; Key::BYTES],
    header: Header,
    sealed: &[u8],
) -> Result<(Zeroizing<Vec<u8>>, Tag), Error> {
    if sealed.len() < Stream::ABYTES {
        return Err(malformed("encryptedData is too short"));
    }
    // The crate's `Key` does not wipe itself; it lives only for this call.
    let mut stream = PullStream::init(header, &Key::from(*key));
    // Decrypted in place, so the plain text only ever lives in this wiped buffer.
    let mut buffer = Zeroizing::new(sealed.to_vec());
    let tag = stream.pull(&mut *buffer, &[]).map_err(|_| {
        Error::Locked(
            "cannot decrypt the Ente export: wrong password, or the file was changed".into(),
        )
    })?;
    Ok((buffer, tag))
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
    let params = argon2::Params::new(m_cost, t_cost, 1, Some(Key::BYTES))
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

/// RustCrypto's secretstream against messages libsodium pushed.
#[cfg(test)]
mod secretstream_tests {
    use crypto_secretstream::{Header, Key, PullStream, Tag};

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
    const STREAM: &[(&[u8], Tag, &[u8], &str)] = &[
        (b"", Tag::Message, b"", "af8d412f2d62862d8aa644bbe712b7b7a1"),
        (
            b"hello",
            Tag::Message,
            b"ad",
            "e7a798d2180eeb61c85144d212fa4410fadb5c432abc",
        ),
        (
            &[b'x'; 70],
            Tag::Rekey,
            b"",
            "90992f620653e60d5c8e3aef8da1a3baf884160e38ce593a4c1edc2c2df8ab01fd078af8e353ee6102ec03025bdfe4c828614b55ad943f452bd933b4f65156ec2ab0b7636c9f7594211ab265caa71bacf048b5e9ac0b76",
        ),
        (
            b"after rekey, sixteen+",
            Tag::Push,
            b"",
            "68a9636447ac39ab0f30ee974de1585f9323fd62820d52ac6a35f1fb57ba0f888875c652f748",
        ),
        (
            b"the end",
            Tag::Final,
            b"",
            "4967f6825aa102e110a40c64bb605c063afb75044c076cf0",
        ),
    ];

    fn key() -> [u8; Key::BYTES] {
        std::array::from_fn(|i| i as u8)
    }

    fn stream(key: [u8; Key::BYTES]) -> PullStream {
        let header = Header::try_from(hex(HEADER).as_slice()).unwrap();
        PullStream::init(header, &Key::from(key))
    }

    fn pull(stream: &mut PullStream, sealed: &[u8], ad: &[u8]) -> Option<(Vec<u8>, Tag)> {
        let mut buffer = sealed.to_vec();
        let tag = stream.pull(&mut buffer, ad).ok()?;
        Some((buffer, tag))
    }

    #[test]
    fn pulls_what_libsodium_pushed() {
        let mut stream = stream(key());
        for (message, tag, ad, sealed) in STREAM {
            let (got, got_tag) = pull(&mut stream, &hex(sealed), ad).unwrap();
            assert_eq!((got.as_slice(), got_tag), (*message, *tag));
        }
    }

    #[test]
    fn any_change_is_refused() {
        let sealed = hex(STREAM[1].3);
        for i in 0..sealed.len() {
            let mut bad = sealed.clone();
            bad[i] ^= 0x01;
            let mut stream = stream(key());
            pull(&mut stream, &hex(STREAM[0].3), b"").unwrap();
            assert!(pull(&mut stream, &bad, b"ad").is_none(), "byte {i}");
        }
        // Wrong additional data, wrong key, wrong order, and too short.
        let mut first = stream(key());
        pull(&mut first, &hex(STREAM[0].3), b"").unwrap();
        assert!(pull(&mut first, &sealed, b"ax").is_none());
        let mut other = key();
        other[0] ^= 1;
        assert!(pull(&mut stream(other), &hex(STREAM[0].3), b"").is_none());
        assert!(pull(&mut stream(key()), &sealed, b"ad").is_none());
        assert!(pull(&mut stream(key()), &sealed[..16], b"").is_none());
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
