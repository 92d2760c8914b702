/*!
`andotp`: andOTP backups, plain (`otp_accounts.json`, a JSON array) and password-encrypted
(`otp_accounts.json.aes`, usually renamed `.bin`).

The plain backup is what andOTP's `Entry.toJSON` writes: `secret` in base32 *with* `=`
padding, `type` TOTP/HOTP/STEAM/MOTP, `period` (absent on STEAM entries), `counter`,
`tags`. The encrypted one (andOTP's `BackupHelper`, also read by Aegis's `AndOtpImporter`)
is:

```text
iterations: u32 big-endian | salt: 12 bytes | nonce: 12 bytes | AES-256-GCM(ciphertext + 16-byte tag)
key = PBKDF2-HMAC-SHA1(password, salt, iterations, 32 bytes)
```

andOTP picks the iteration count at random between 140000 and 160000; the header has no
magic bytes, so detection relies on that count being plausible (and on the leading zero byte
no text file starts with).
*/

use super::{Error, Format, Imported, Passwords, Skipped};
use crate::entry::{Algorithm, Kind, NewEntry, Secret};
use ::age::secrecy::ExposeSecret;
use zeroize::{Zeroize, Zeroizing};

pub(crate) struct AndOtp;

const NAME: &str = "andotp";
const SALT_LEN: usize = 12;
const NONCE_LEN: usize = 12;
const TAG_LEN: usize = 16;
const HEADER_LEN: usize = 4 + SALT_LEN + NONCE_LEN;
/// Iteration counts auto-detection accepts: andOTP writes 140000–160000; anything far
/// outside is some other binary file. (UTF-16BE text starting with a printable character
/// reads as at least 0x00200000 = 2097152, UTF-32BE text as less than 256.)
const DETECT_ITERATIONS: std::ops::RangeInclusive<u32> = 10_000..=1_000_000;
/// Iteration counts `parse` runs at all (over 12 times what andOTP writes, under a second
/// here; Bitwarden's importer has the same bound): more would only be a way to hang the
/// importer. Fuzzing found 6 million taking 8 s.
const MAX_ITERATIONS: u32 = 2_000_000;

/// One entry of the JSON array; unknown fields (thumbnail, last_used…) are ignored.
#[derive(serde::Deserialize)]
struct RawEntry {
    secret: String,
    #[serde(default)]
    issuer: String,
    #[serde(default)]
    label: String,
    #[serde(default)]
    digits: Option<u32>,
    #[serde(rename = "type", default)]
    kind: Option<String>,
    #[serde(default)]
    algorithm: Option<String>,
    #[serde(default)]
    period: Option<u64>,
    #[serde(default)]
    counter: Option<u64>,
    #[serde(default)]
    tags: Vec<String>,
}

impl Drop for RawEntry {
    fn drop(&mut self) {
        self.secret.zeroize();
    }
}

/// The keys every andOTP entry has, for detection without copying a secret.
#[derive(serde::Deserialize)]
#[allow(dead_code)]
struct Shape {
    secret: serde::de::IgnoredAny,
    label: serde::de::IgnoredAny,
    #[serde(rename = "type")]
    kind: serde::de::IgnoredAny,
}

fn is_plain(bytes: &[u8]) -> bool {
    bytes.trim_ascii_start().starts_with(b"[")
        && serde_json::from_slice::<Vec<Shape>>(bytes).is_ok_and(|v| !v.is_empty())
}

fn is_encrypted(bytes: &[u8]) -> bool {
    bytes.len() >= HEADER_LEN + TAG_LEN
        && iterations(bytes).is_some_and(|n| DETECT_ITERATIONS.contains(&n))
}

fn iterations(bytes: &[u8]) -> Option<u32> {
    Some(u32::from_be_bytes(bytes.get(..4)?.try_into().ok()?))
}

impl Format for AndOtp {
    fn name(&self) -> &'static str {
        NAME
    }

    fn detect(&self, bytes: &[u8]) -> bool {
        is_plain(bytes) || is_encrypted(bytes)
    }

    fn parse(&self, bytes: &[u8], passwords: &mut Passwords) -> Result<Vec<Imported>, Error> {
        super::refuse_skipped(self.parse_all(bytes, passwords)?)
    }

    fn parse_all(
        &self,
        bytes: &[u8],
        passwords: &mut Passwords,
    ) -> Result<(Vec<Imported>, Vec<Skipped>), Error> {
        if bytes.trim_ascii_start().starts_with(b"[") {
            return parse_plain(bytes);
        }
        let plain = decrypt(bytes, passwords)?;
        parse_plain(&plain)
    }
}

fn malformed(reason: impl Into<String>) -> Error {
    Error::Malformed {
        format: NAME,
        reason: reason.into(),
    }
}

fn decrypt(bytes: &[u8], passwords: &mut Passwords) -> Result<Zeroizing<Vec<u8>>, Error> {
    let (Some(header), Some(body)) = (bytes.get(..HEADER_LEN), bytes.get(HEADER_LEN..)) else {
        return Err(malformed("it is too short for an encrypted andOTP backup"));
    };
    if body.len() < TAG_LEN {
        return Err(malformed("it is too short for an encrypted andOTP backup"));
    }
    let rounds = iterations(header).unwrap_or(0);
    if !(1..=MAX_ITERATIONS).contains(&rounds) {
        return Err(malformed(format!(
            "its header asks for {rounds} PBKDF2 iterations (andOTP writes about 150000)"
        )));
    }
    let salt = &header[4..4 + SALT_LEN];
    let nonce = &header[4 + SALT_LEN..];
    let password = passwords.get("Password of the andOTP backup: ")?;
    let key = Zeroizing::new(pbkdf2::pbkdf2_hmac_array::<sha1::Sha1, 32>(
        password.expose_secret().as_bytes(),
        salt,
        rounds,
    ));
    drop(password);
    // The tag is the last 16 bytes (Java's GCM appends it); checked above to be there.
    let (ciphertext, tag) = body.split_at(body.len() - TAG_LEN);
    match super::gcm_open(key.as_slice(), nonce, ciphertext, tag) {
        Some(plain) => Ok(plain),
        None if starts_like_a_backup(key.as_slice(), nonce, body) => Err(malformed(
            "the password is right but the data fails its integrity check (the file is \
             damaged or cut short)",
        )),
        None => Err(Error::Locked(
            "wrong password for the andOTP backup (or the file is damaged)".into(),
        )),
    }
}

/// Whether the first ciphertext bytes decrypt to the start of a JSON array under `key`.
///
/// GCM cannot tell a wrong password from a damaged file: both fail the tag. But GCM is
/// counter mode underneath, so with the right key the first block of a truncated or
/// bit-flipped file still decrypts to `[{` (or `[]`), while a wrong key gives noise (a false
/// match has odds of 1 in 32768). This only chooses the error message; the unauthenticated
/// bytes are never used.
fn starts_like_a_backup(key: &[u8], nonce: &[u8], body: &[u8]) -> bool {
    use aes_gcm::aes::Aes256;
    use aes_gcm::aes::cipher::{BlockEncrypt, KeyInit as _, generic_array::GenericArray};
    let (Some(first), Ok(cipher)) = (body.get(..2), Aes256::new_from_slice(key)) else {
        return false;
    };
    // The keystream of the first block: AES(nonce || counter 2); counter 1 masks the tag.
    let mut block = GenericArray::from([0u8; 16]);
    block[..NONCE_LEN].copy_from_slice(nonce);
    block[15] = 2;
    cipher.encrypt_block(&mut block);
    let start = [first[0] ^ block[0], first[1] ^ block[1]];
    block.as_mut_slice().zeroize();
    start[0] == b'[' && matches!(start[1], b'{' | b']')
}

fn parse_plain(bytes: &[u8]) -> Result<(Vec<Imported>, Vec<Skipped>), Error> {
    let raw: Vec<RawEntry> = serde_json::from_slice(bytes).map_err(|e| {
        // serde_json's messages name a position and an expectation, never the input text.
        malformed(e.to_string())
    })?;
    if raw.is_empty() {
        return Err(Error::Empty);
    }
    let mut entries = Vec::with_capacity(raw.len());
    let mut skipped = Vec::new();
    for (i, e) in raw.iter().enumerate() {
        let kind = e.kind.as_deref().unwrap_or("TOTP");
        if !matches!(
            kind.to_ascii_uppercase().as_str(),
            "TOTP" | "HOTP" | "STEAM"
        ) {
            skipped.push(Skipped {
                index: i + 1,
                label: display_name(e),
                reason: format!(
                    "a {} entry; otp supports TOTP, HOTP and Steam",
                    kind.chars().take(16).collect::<String>()
                ),
            });
            continue;
        }
        entries.push(convert(i + 1, e)?);
    }
    Ok((entries, skipped))
}

fn display_name(raw: &RawEntry) -> String {
    if raw.issuer.is_empty() {
        raw.label.clone()
    } else {
        format!("{}: {}", raw.issuer, raw.label)
    }
}

fn convert(index: usize, raw: &RawEntry) -> Result<Imported, Error> {
    let fail = |reason: String| Error::Entry { index, reason };
    let name = display_name(raw);
    let kind_text = raw.kind.as_deref().unwrap_or("TOTP");
    let kind = match kind_text.to_ascii_uppercase().as_str() {
        "TOTP" => Kind::Totp,
        "HOTP" => Kind::Hotp,
        "STEAM" => Kind::Steam,
        _ => {
            return Err(fail(format!(
                "{name:?} is a {} entry, which otp cannot represent (it supports TOTP, HOTP \
                 and Steam)",
                kind_text.chars().take(16).collect::<String>()
            )));
        }
    };
    let secret = Secret::parse(&raw.secret).map_err(|e| fail(format!("{name:?}: {e}")))?;
    let algorithm = match &raw.algorithm {
        Some(a) => Algorithm::parse(a).map_err(|e| fail(format!("{name:?}: {e}")))?,
        None => Algorithm::SHA1,
    };
    let digits = raw.digits.unwrap_or(6);
    let entry = NewEntry {
        issuer: raw.issuer.clone(),
        account: raw.label.clone(),
        secret,
        kind,
        algorithm,
        // Out-of-range values are caught by `validated` (Steam's are fixed there).
        digits: u8::try_from(digits).unwrap_or(u8::MAX),
        period: u32::try_from(raw.period.unwrap_or(30)).unwrap_or(u32::MAX),
        counter: raw.counter.unwrap_or(0),
    };
    let entry = super::validated(index, entry)?;
    let tags: Vec<&str> = raw
        .tags
        .iter()
        .map(|t| t.trim())
        .filter(|t| !t.is_empty())
        .collect();
    let note = (!tags.is_empty()).then(|| format!("tags: {}", tags.join(", ")));
    Ok(Imported {
        entry,
        note,
        recovery: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use aes_gcm::aead::{Aead, KeyInit};
    use aes_gcm::{Aes256Gcm, Nonce};

    const PLAIN: &[u8] = br#"[{"secret":"JBSWY3DPEHPK3PXP","issuer":"A","label":"x","digits":6,"type":"TOTP","algorithm":"SHA256","period":60,"tags":["work","home"]},{"secret":"GEZDGNBVGY3TQOJQ","issuer":"B","label":"y","digits":8,"type":"HOTP","algorithm":"SHA1","counter":7,"tags":[]},{"secret":"GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ","issuer":"Steam","label":"z","digits":5,"type":"STEAM","algorithm":"SHA1"}]"#;

    /// Encrypts `plain` the way andOTP does, with a small iteration count.
    fn encrypt(plain: &[u8], password: &str, rounds: u32) -> Vec<u8> {
        let salt = [7u8; SALT_LEN];
        let nonce = [9u8; NONCE_LEN];
        let key = pbkdf2::pbkdf2_hmac_array::<sha1::Sha1, 32>(password.as_bytes(), &salt, rounds);
        let body = Aes256Gcm::new((&key).into())
            .encrypt(Nonce::from_slice(&nonce), plain)
            .unwrap();
        [&rounds.to_be_bytes()[..], &salt, &nonce, &body].concat()
    }

    fn with_password(password: &str) -> (tempfile::TempDir, Passwords) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pw");
        std::fs::write(&path, password).unwrap();
        (dir, Passwords::new(Some(path)))
    }

    #[test]
    fn reads_plain_entries_with_tags_as_notes() {
        assert!(AndOtp.detect(PLAIN));
        let got = AndOtp.parse(PLAIN, &mut Passwords::default()).unwrap();
        assert_eq!(got.len(), 3);
        assert_eq!(got[0].entry.algorithm, Algorithm::SHA256);
        assert_eq!(got[0].entry.period, 60);
        assert_eq!(got[0].note.as_deref(), Some("tags: work, home"));
        assert_eq!(got[1].entry.kind, Kind::Hotp);
        assert_eq!(got[1].entry.counter, 7);
        assert_eq!(got[1].note, None);
        assert_eq!(got[2].entry.kind, Kind::Steam);
        assert_eq!(got[2].entry.period, 30);
    }

    #[test]
    fn motp_entries_are_named_not_dropped() {
        let text = br#"[{"secret":"JBSWY3DPEHPK3PXP","issuer":"Old","label":"bank","digits":6,"type":"MOTP","algorithm":"MD5","period":10}]"#;
        let err = AndOtp
            .parse(text, &mut Passwords::default())
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("entry 1") && err.contains("Old: bank"),
            "{err}"
        );
        assert!(err.contains("MOTP"), "{err}");
        assert!(!err.contains("JBSWY3DP"), "{err}");
    }

    #[test]
    fn decrypts_and_tells_wrong_passwords_from_damage() {
        let file = encrypt(PLAIN, "pw", 10_000);
        assert!(AndOtp.detect(&file));
        let (_dir, mut right) = with_password("pw");
        assert_eq!(AndOtp.parse(&file, &mut right).unwrap().len(), 3);

        let (_dir2, mut wrong) = with_password("nope");
        assert!(matches!(
            AndOtp.parse(&file, &mut wrong),
            Err(Error::Locked(_))
        ));
        let cut = &file[..file.len() / 2];
        assert!(matches!(
            AndOtp.parse(cut, &mut right),
            Err(Error::Malformed { .. })
        ));
        assert!(matches!(
            AndOtp.parse(cut, &mut wrong),
            Err(Error::Locked(_))
        ));
        assert!(matches!(
            AndOtp.parse(&file[..HEADER_LEN + 3], &mut right),
            Err(Error::Malformed { .. })
        ));
    }

    #[test]
    fn detection_needs_the_right_shape() {
        // Other JSON arrays, an empty backup, text and absurd iteration counts are not ours.
        assert!(!AndOtp.detect(br#"[{"name": "x"}]"#));
        assert!(!AndOtp.detect(b"[]"));
        assert!(!AndOtp.detect(b"otpauth://totp/A:b?secret=JBSWY3DPEHPK3PXP\n"));
        let mut file = encrypt(PLAIN, "pw", 10_000);
        assert!(!AndOtp.detect(&file[..HEADER_LEN + TAG_LEN - 1]));
        file[..4].copy_from_slice(&50_000_000u32.to_be_bytes());
        assert!(!AndOtp.detect(&file));
        let utf16: Vec<u8> = "[{\"a\":1}]"
            .encode_utf16()
            .flat_map(u16::to_be_bytes)
            .collect();
        let padded = [utf16.as_slice(), &[0u8; 64]].concat();
        assert!(!AndOtp.detect(&padded));
    }

    #[test]
    fn absurd_iteration_counts_are_refused_before_deriving() {
        let mut file = encrypt(PLAIN, "pw", 10_000);
        for rounds in [u32::MAX, 6_114_562, MAX_ITERATIONS + 1] {
            file[..4].copy_from_slice(&rounds.to_be_bytes());
            let (_dir, mut right) = with_password("pw");
            let err = AndOtp.parse(&file, &mut right).unwrap_err().to_string();
            assert!(err.contains("iterations"), "{err}");
        }
    }
}
