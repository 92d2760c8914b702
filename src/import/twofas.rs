/*!
`2fas`: a 2FAS Authenticator backup (`.2fas`), plain or encrypted with a password.

The file is `{"services": […], "groups": […], "schemaVersion": 4, …}`. Each service has
`name` (shown as the issuer), `secret`, `otp` {`account`, `digits`, `period`, `algorithm`,
`counter`, `tokenType` TOTP/HOTP/STEAM, `link`} and an optional `groupId`. Services added by
scanning a code keep their `link` and only the parameters the link had, so missing ones come
from the link, else the defaults SHA1/6/30.

An encrypted backup has `"services": []` and `servicesEncrypted` =
`base64(ciphertext+tag):base64(salt):base64(iv)`: PBKDF2-HMAC-SHA256 (10000 iterations) of
the password gives the AES-256-GCM key. `reference` (a known text encrypted the same way)
tells a wrong password from a damaged file. Groups stay in clear and go into the note.
*/

use super::common::{self, JsonKind};
use super::{Error, Format, Imported, Passwords, Skipped};
use crate::entry::{self, Algorithm, Kind, NewEntry, Secret};
use crate::uri;
use ::age::secrecy::ExposeSecret;
use base64::Engine;
use serde::{Deserialize, Deserializer};
use sha2::Sha256;
use zeroize::Zeroizing;

pub(crate) struct TwoFas;

const NAME: &str = "2fas";
/// PBKDF2 iterations of 2FAS's backup encryption (fixed, not stored in the file).
const ITERATIONS: u32 = 10_000;

impl Format for TwoFas {
    fn name(&self) -> &'static str {
        NAME
    }

    fn detect(&self, bytes: &[u8]) -> bool {
        common::outline(bytes).is_some_and(|o| {
            o.kind("services") == Some(JsonKind::Array)
                && o.kind("schemaVersion") == Some(JsonKind::Number)
        })
    }

    fn parse(&self, bytes: &[u8], passwords: &mut Passwords) -> Result<Vec<Imported>, Error> {
        super::refuse_skipped(read(bytes, passwords)?)
    }

    fn parse_all(
        &self,
        bytes: &[u8],
        passwords: &mut Passwords,
    ) -> Result<(Vec<Imported>, Vec<Skipped>), Error> {
        read(bytes, passwords)
    }
}

fn malformed(reason: impl Into<String>) -> Error {
    Error::Malformed {
        format: NAME,
        reason: reason.into(),
    }
}

#[derive(Deserialize)]
struct Backup {
    /// Required: without it the file is not a 2FAS backup (`--format 2fas` on another file).
    services: Vec<Service>,
    #[serde(default)]
    groups: Option<Vec<Group>>,
    #[serde(default, rename = "servicesEncrypted")]
    services_encrypted: Option<String>,
    #[serde(default)]
    reference: Option<String>,
}

#[derive(Deserialize)]
struct Group {
    id: String,
    #[serde(default)]
    name: String,
}

#[derive(Deserialize)]
struct Service {
    #[serde(default)]
    name: String,
    secret: Secret,
    #[serde(default)]
    otp: Option<Otp>,
    #[serde(default, rename = "groupId")]
    group_id: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct Otp {
    #[serde(default)]
    link: Option<Sensitive>,
    #[serde(default)]
    label: Option<String>,
    #[serde(default)]
    account: Option<String>,
    #[serde(default)]
    issuer: Option<String>,
    #[serde(default)]
    digits: Option<u32>,
    #[serde(default)]
    period: Option<u64>,
    #[serde(default)]
    algorithm: Option<String>,
    #[serde(default)]
    counter: Option<u64>,
    #[serde(default)]
    token_type: Option<String>,
}

/// Text holding a secret (the otpauth link): wiped when dropped.
struct Sensitive(Zeroizing<String>);

impl<'de> Deserialize<'de> for Sensitive {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Sensitive, D::Error> {
        String::deserialize(d).map(|s| Sensitive(Zeroizing::new(s)))
    }
}

/// Reads every service, with the ones otp cannot represent listed apart.
pub(super) fn read(
    bytes: &[u8],
    passwords: &mut Passwords,
) -> Result<(Vec<Imported>, Vec<Skipped>), Error> {
    let mut backup: Backup =
        serde_json::from_slice(bytes).map_err(|e| malformed(common::json(&e)))?;
    if let Some(sealed) = backup.services_encrypted.take().filter(|s| !s.is_empty()) {
        let plaintext = decrypt(&sealed, backup.reference.as_deref(), passwords)?;
        backup.services = serde_json::from_slice(&plaintext)
            .map_err(|e| malformed(format!("its decrypted services: {}", common::json(&e))))?;
    }
    let groups = backup.groups.unwrap_or_default();
    let mut out = Vec::new();
    let mut skipped = Vec::new();
    for (i, service) in backup.services.into_iter().enumerate() {
        let index = i + 1;
        let otp = service.otp.unwrap_or_default();
        let issuer = if service.name.is_empty() {
            otp.issuer.clone().unwrap_or_default()
        } else {
            service.name.clone()
        };
        let account = otp
            .account
            .clone()
            .filter(|a| !a.is_empty())
            .or_else(|| otp.label.clone())
            .unwrap_or_default();
        let kind = match otp.token_type.as_deref().map(str::to_ascii_uppercase) {
            None => Kind::Totp,
            Some(t) if t == "TOTP" => Kind::Totp,
            Some(t) if t == "HOTP" => Kind::Hotp,
            Some(t) if t == "STEAM" => Kind::Steam,
            Some(t) => {
                skipped.push(Skipped {
                    index,
                    label: common::label(&issuer, &account),
                    reason: format!(
                        "otp does not support {:?} tokens",
                        crate::output::sanitize(&t)
                    ),
                });
                continue;
            }
        };
        let entry =
            new_entry(issuer, account, kind, &service.secret, &otp).map_err(|e| Error::Entry {
                index,
                reason: e.to_string(),
            })?;
        let group = service
            .group_id
            .as_deref()
            .and_then(|id| groups.iter().find(|g| g.id == id))
            .map(|g| g.name.as_str())
            .filter(|n| !n.is_empty());
        out.push(Imported {
            entry: super::validated(index, entry)?,
            note: common::note(group.as_slice(), None),
            recovery: Vec::new(),
        });
    }
    Ok((out, skipped))
}

fn new_entry(
    issuer: String,
    account: String,
    kind: Kind,
    secret: &Secret,
    otp: &Otp,
) -> Result<NewEntry, entry::Error> {
    let secret = Secret::parse(secret.as_base32())?;
    // What the service leaves out, its link may say; else the common defaults.
    let missing = otp.digits.is_none()
        || otp.algorithm.is_none()
        || (kind == Kind::Hotp && otp.counter.is_none())
        || (kind != Kind::Hotp && otp.period.is_none());
    let link = otp
        .link
        .as_ref()
        .filter(|_| missing)
        .and_then(|l| uri::parse(&l.0).ok());
    let algorithm = match &otp.algorithm {
        Some(a) => Algorithm::parse(a)?,
        None => link.as_ref().map_or(Algorithm::SHA1, |l| l.algorithm),
    };
    let digits = match (kind, otp.digits) {
        (Kind::Steam, _) => 5,
        (_, Some(d)) => entry::check_digits(d)?,
        (_, None) => link.as_ref().map_or(6, |l| l.digits),
    };
    let period = match otp.period {
        Some(p) => entry::check_period(p)?,
        None => link.as_ref().map_or(30, |l| l.period),
    };
    let counter = otp
        .counter
        .or_else(|| link.as_ref().map(|l| l.counter))
        .unwrap_or(0);
    Ok(NewEntry {
        issuer,
        account,
        secret,
        kind,
        algorithm,
        digits,
        period,
        counter,
    })
}

/// Decrypts `servicesEncrypted`, first checking the password against `reference`.
fn decrypt(
    sealed: &str,
    reference: Option<&str>,
    passwords: &mut Passwords,
) -> Result<Zeroizing<Vec<u8>>, Error> {
    let services = Sealed::parse(sealed, "servicesEncrypted")?;
    let reference = reference
        .filter(|r| !r.is_empty())
        .map(|r| Sealed::parse(r, "reference"))
        .transpose()?;
    let password = passwords.get("Password of the 2FAS backup: ")?;
    let password = password.expose_secret().as_bytes();
    let wrong = || Error::Locked("wrong password (the backup does not decrypt with it)".into());
    if let Some(reference) = &reference {
        reference.open(password).ok_or_else(wrong)?;
        services.open(password).ok_or_else(|| {
            malformed(
                "its services do not decrypt although the password is right (the file is damaged)",
            )
        })
    } else {
        services.open(password).ok_or_else(wrong)
    }
}

/// One `base64(ciphertext+tag):base64(salt):base64(iv)` value.
struct Sealed {
    ciphertext: Vec<u8>,
    tag: Vec<u8>,
    salt: Vec<u8>,
    iv: Vec<u8>,
}

impl Sealed {
    fn parse(text: &str, field: &str) -> Result<Sealed, Error> {
        let bad = || {
            malformed(format!(
                "its {field:?} is not base64(ciphertext):base64(salt):base64(iv)"
            ))
        };
        let b64 = |part: &str| {
            base64::engine::general_purpose::STANDARD
                .decode(part.trim())
                .map_err(|_| bad())
        };
        let mut parts = text.split(':');
        let (Some(data), Some(salt), Some(iv), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(bad());
        };
        let mut ciphertext = b64(data)?;
        let (salt, iv) = (b64(salt)?, b64(iv)?);
        if iv.len() != 12 || salt.is_empty() || ciphertext.len() < 16 {
            return Err(bad());
        }
        let tag = ciphertext.split_off(ciphertext.len() - 16);
        Ok(Sealed {
            ciphertext,
            tag,
            salt,
            iv,
        })
    }

    fn open(&self, password: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
        let mut key = Zeroizing::new([0u8; 32]);
        pbkdf2::pbkdf2_hmac::<Sha256>(password, &self.salt, ITERATIONS, key.as_mut());
        super::gcm_open(key.as_ref(), &self.iv, &self.ciphertext, &self.tag)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> Vec<u8> {
        let path = format!("{}/tests/fixtures/apps/{name}", env!("CARGO_MANIFEST_DIR"));
        std::fs::read(path).unwrap()
    }

    fn password_file(text: &str) -> (tempfile::TempDir, Passwords) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("password");
        std::fs::write(&path, text).unwrap();
        (dir, Passwords::new(Some(path)))
    }

    fn backup(services: &str) -> Vec<u8> {
        format!(
            r#"{{"services":[{services}],"groups":[{{"id":"g","name":"Work"}}],"schemaVersion":4}}"#
        )
        .into_bytes()
    }

    #[test]
    fn detects_backups_only() {
        assert!(TwoFas.detect(&fixture("twofas_plain.2fas")));
        assert!(TwoFas.detect(&fixture("twofas_encrypted.2fas")));
        assert!(TwoFas.detect(&backup("")));
        assert!(!TwoFas.detect(br#"{"services": []}"#));
        assert!(!TwoFas.detect(br#"{"version": 1, "entries": []}"#));
        assert!(!TwoFas.detect(br#"[{"services": [], "schemaVersion": 4}]"#));
    }

    #[test]
    fn missing_parameters_come_from_the_link_or_defaults() {
        let linked = r#"{"name":"L","secret":"JBSWY3DPEHPK3PXP","otp":{"link":
            "otpauth://totp/L:x?secret=JBSWY3DPEHPK3PXP&digits=8&period=60&algorithm=SHA512",
            "account":"x","tokenType":"TOTP"},"groupId":"g"}"#;
        let bare = r#"{"name":"B","secret":"JBSWY3DPEHPK3PXP","otp":{"label":"y"}}"#;
        let hotp = r#"{"name":"H","secret":"JBSWY3DPEHPK3PXP","otp":{"account":"z",
            "tokenType":"HOTP","counter":42,"digits":7}}"#;
        let got = TwoFas
            .parse(
                &backup(&format!("{linked},{bare},{hotp}")),
                &mut Passwords::default(),
            )
            .unwrap();
        let e = &got[0].entry;
        assert_eq!(
            (e.digits, e.period, e.algorithm),
            (8, 60, Algorithm::SHA512)
        );
        assert_eq!(got[0].note.as_deref(), Some("groups: Work"));
        let e = &got[1].entry;
        assert_eq!((e.issuer.as_str(), e.account.as_str()), ("B", "y"));
        assert_eq!((e.digits, e.period, e.algorithm), (6, 30, Algorithm::SHA1));
        assert_eq!(got[1].note, None);
        let e = &got[2].entry;
        assert_eq!((e.kind, e.counter, e.digits), (Kind::Hotp, 42, 7));
    }

    #[test]
    fn unknown_token_types_are_named() {
        let odd = r#"{"name":"Y","secret":"JBSWY3DPEHPK3PXP","otp":{"account":"a",
            "tokenType":"YAOTP"}}"#;
        let (got, skipped) = read(&backup(odd), &mut Passwords::default()).unwrap();
        assert!(got.is_empty());
        assert_eq!(skipped[0].label, "Y:a");
        let err = TwoFas
            .parse(&backup(odd), &mut Passwords::default())
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("entry 1: Y:a") && err.contains("YAOTP"),
            "{err}"
        );
        assert!(!err.contains("JBSWY3DPEHPK3PXP"));
    }

    #[test]
    fn encrypted_backup_opens_with_the_password_only() {
        let bytes = fixture("twofas_encrypted.2fas");
        let (_dir, mut right) = password_file("test");
        let got = TwoFas.parse(&bytes, &mut right).unwrap();
        let plain = TwoFas
            .parse(&fixture("twofas_plain.2fas"), &mut Passwords::default())
            .unwrap();
        assert_eq!(got.len(), 9);
        for (a, b) in got.iter().zip(&plain) {
            assert_eq!(a.entry, b.entry);
            assert_eq!(a.note, b.note);
        }
        let (_dir, mut wrong) = password_file("wrong");
        let err = TwoFas.parse(&bytes, &mut wrong).unwrap_err();
        assert!(matches!(err, Error::Locked(_)), "{err}");
    }

    #[test]
    fn damaged_services_with_a_right_password_are_malformed() {
        let text = String::from_utf8(fixture("twofas_encrypted.2fas")).unwrap();
        let at = text.find("\"servicesEncrypted\":\"").unwrap() + 25;
        let mut bytes = text.into_bytes();
        bytes[at] = if bytes[at] == b'A' { b'B' } else { b'A' };
        let (_dir, mut right) = password_file("test");
        let err = TwoFas.parse(&bytes, &mut right).unwrap_err();
        assert!(matches!(err, Error::Malformed { .. }), "{err}");
        let err = TwoFas
            .parse(
                br#"{"services":[],"schemaVersion":4,"servicesEncrypted":"AAAA:BBBB"}"#,
                &mut right,
            )
            .unwrap_err();
        assert!(matches!(err, Error::Malformed { .. }), "{err}");
    }
}
