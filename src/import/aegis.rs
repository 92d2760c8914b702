/*!
`aegis`: an Aegis Authenticator vault export (`aegis-export-*.json`), plain or encrypted with
the vault password.

The file is `{"version": 1, "header": {"slots", "params"}, "db": …}`. A plain export has
`"slots": null` and `db` as an object; an encrypted one has `db` as base64 ciphertext and, in
`header.slots`, the master key wrapped once per slot. A password slot (type 1) holds scrypt
parameters and a salt: scrypt(password) is the AES-256-GCM key that unwraps the master key,
which in turn decrypts `db` with `header.params` (as Aegis's `docs/decrypt.py` does). Every
password slot is tried; biometric and raw-key slots cannot be opened here.

Entries of type totp, hotp and steam come in; MOTP and Yandex entries (and unknown types) are
not something otp can represent and are reported by name. Group names and the entry's note go
into the note ("groups: Work; text").

This file also holds [`outline`] (a cheap look at a JSON document's keys, for detection), which
the `2fas` importer shares; AES-GCM opening is `super::gcm_open`, shared by every importer.
*/

use super::common::{JsonKind, json, label, note, outline};
use super::{Error, Format, Imported, Passwords, Skipped};
use crate::entry::{self, Algorithm, Kind, NewEntry, Secret};
use ::age::secrecy::ExposeSecret;
use base64::Engine;
use serde::Deserialize;
use zeroize::Zeroizing;

pub(crate) struct Aegis;

const NAME: &str = "aegis";

impl Format for Aegis {
    fn name(&self) -> &'static str {
        NAME
    }

    fn detect(&self, bytes: &[u8]) -> bool {
        let Some(o) = outline(bytes) else {
            return false;
        };
        let header = o.kind("version") == Some(JsonKind::Number)
            && o.kind("header") == Some(JsonKind::Object)
            && o.kind("header.slots").is_some()
            && o.kind("header.params").is_some();
        // A file cut short after its header is still recognisably Aegis: saying "this
        // Aegis file is truncated" is clearer than "unknown format".
        header && (!o.complete || matches!(o.kind("db"), Some(JsonKind::Object | JsonKind::String)))
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

/// Reads every entry, with the ones otp cannot represent listed apart.
pub(super) fn read(
    bytes: &[u8],
    passwords: &mut Passwords,
) -> Result<(Vec<Imported>, Vec<Skipped>), Error> {
    let shape = outline(bytes).ok_or_else(|| malformed("it is not a JSON object"))?;
    if !shape.complete {
        return Err(malformed("the file ends early (is it truncated?)"));
    }
    match shape.kind("db") {
        Some(JsonKind::Object) => {
            #[derive(Deserialize)]
            struct Plain {
                db: Db,
            }
            let plain: Plain = serde_json::from_slice(bytes).map_err(|e| malformed(json(&e)))?;
            entries(plain.db)
        }
        Some(JsonKind::String) => {
            #[derive(Deserialize)]
            struct Encrypted {
                header: Header,
                db: String,
            }
            let vault: Encrypted =
                serde_json::from_slice(bytes).map_err(|e| malformed(json(&e)))?;
            let plaintext = decrypt(&vault.header, &vault.db, passwords)?;
            let db: Db = serde_json::from_slice(&plaintext)
                .map_err(|e| malformed(format!("its decrypted contents: {}", json(&e))))?;
            entries(db)
        }
        _ => Err(malformed("it has no \"db\" object or ciphertext")),
    }
}

#[derive(Deserialize)]
struct Header {
    #[serde(default)]
    slots: Option<Vec<Slot>>,
    #[serde(default)]
    params: Option<CipherParams>,
}

#[derive(Deserialize)]
struct Slot {
    #[serde(rename = "type")]
    kind: u32,
    #[serde(default)]
    key: Option<String>,
    #[serde(default)]
    key_params: Option<CipherParams>,
    #[serde(default)]
    n: Option<u64>,
    #[serde(default)]
    r: Option<u32>,
    #[serde(default)]
    p: Option<u32>,
    #[serde(default)]
    salt: Option<String>,
}

#[derive(Deserialize)]
struct CipherParams {
    nonce: String,
    tag: String,
}

#[derive(Deserialize)]
struct Db {
    entries: Vec<RawEntry>,
    /// Since db version 3: the groups entries refer to by uuid.
    #[serde(default)]
    groups: Option<Vec<Group>>,
}

#[derive(Deserialize)]
struct Group {
    uuid: String,
    name: String,
}

#[derive(Deserialize)]
struct RawEntry {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    issuer: Option<String>,
    #[serde(default)]
    note: Option<String>,
    info: Info,
    /// db version 3: group uuids.
    #[serde(default)]
    groups: Option<Vec<String>>,
    /// db versions 1 and 2: one group name.
    #[serde(default)]
    group: Option<String>,
}

#[derive(Deserialize)]
struct Info {
    /// Base32 as Aegis stores it; validated by `Secret::parse` below.
    secret: super::RawSecret,
    #[serde(default)]
    algo: Option<String>,
    #[serde(default)]
    digits: Option<u32>,
    #[serde(default)]
    period: Option<u64>,
    #[serde(default)]
    counter: Option<u64>,
}

fn entries(db: Db) -> Result<(Vec<Imported>, Vec<Skipped>), Error> {
    let groups = db.groups.unwrap_or_default();
    let mut out = Vec::new();
    let mut skipped = Vec::new();
    for (i, raw) in db.entries.into_iter().enumerate() {
        let index = i + 1;
        let issuer = raw.issuer.unwrap_or_default();
        let account = raw.name.unwrap_or_default();
        let kind = match raw.kind.to_ascii_lowercase().as_str() {
            "totp" => Kind::Totp,
            "hotp" => Kind::Hotp,
            "steam" => Kind::Steam,
            other => {
                let reason = match other {
                    "motp" => "otp does not support MOTP (Mobile-OTP) entries".to_string(),
                    "yandex" => "otp does not support Yandex entries".to_string(),
                    _ => format!(
                        "unknown entry type {:?}",
                        crate::output::sanitize(&raw.kind)
                    ),
                };
                skipped.push(Skipped {
                    index,
                    label: label(&issuer, &account),
                    reason,
                });
                continue;
            }
        };
        let entry = new_entry(issuer, account, kind, raw.info).map_err(|e| Error::Entry {
            index,
            reason: e.to_string(),
        })?;
        let mut names: Vec<&str> = Vec::new();
        if let Some(name) = raw.group.as_deref().filter(|g| !g.is_empty()) {
            names.push(name);
        }
        for uuid in raw.groups.iter().flatten() {
            if let Some(g) = groups.iter().find(|g| &g.uuid == uuid) {
                names.push(&g.name);
            }
        }
        out.push(Imported {
            entry: super::validated(index, entry)?,
            note: note(&names, raw.note.as_deref()),
            recovery: Vec::new(),
        });
    }
    Ok((out, skipped))
}

fn new_entry(
    issuer: String,
    account: String,
    kind: Kind,
    info: Info,
) -> Result<NewEntry, entry::Error> {
    let secret = Secret::parse(info.secret.as_str())?;
    let algorithm = Algorithm::parse(info.algo.as_deref().unwrap_or("SHA1"))?;
    let digits = match kind {
        Kind::Steam => 5,
        _ => entry::check_digits(info.digits.unwrap_or(6))?,
    };
    Ok(NewEntry {
        issuer,
        account,
        secret,
        kind,
        algorithm,
        digits,
        period: entry::check_period(info.period.unwrap_or(30))?,
        counter: info.counter.unwrap_or(0),
    })
}

/// Unwraps the master key with the password and decrypts `db` with it.
fn decrypt(
    header: &Header,
    db: &str,
    passwords: &mut Passwords,
) -> Result<Zeroizing<Vec<u8>>, Error> {
    let params = header
        .params
        .as_ref()
        .ok_or_else(|| malformed("it is encrypted but its header has no \"params\""))?;
    let (nonce, tag) = cipher_params(params)?;
    let slots: Vec<&Slot> = header
        .slots
        .iter()
        .flatten()
        .filter(|s| s.kind == 1)
        .collect();
    if slots.is_empty() {
        return Err(malformed(
            "it is encrypted but has no password slot (only biometric or raw-key slots)",
        ));
    }
    // Check every slot's shape before asking for the password.
    let slots = slots
        .into_iter()
        .map(PasswordSlot::from_slot)
        .collect::<Result<Vec<_>, _>>()?;
    let ciphertext = base64::engine::general_purpose::STANDARD
        .decode(db.trim())
        .map_err(|_| malformed("its \"db\" is not valid base64"))?;

    let password = passwords.get("Password of the Aegis vault: ")?;
    let mut master = None;
    for slot in &slots {
        let mut key = Zeroizing::new([0u8; 32]);
        scrypt::scrypt(
            password.expose_secret().as_bytes(),
            &slot.salt,
            &slot.params,
            key.as_mut(),
        )
        .map_err(|_| malformed("a password slot has unusable scrypt parameters"))?;
        if let Some(m) = super::gcm_open(key.as_ref(), &slot.nonce, &slot.key, &slot.tag) {
            master = Some(m);
            break;
        }
    }
    drop(password);
    let master = master.ok_or_else(|| {
        Error::Locked("wrong password (it opens none of the vault's password slots)".into())
    })?;
    if master.len() != 32 {
        return Err(malformed("its master key is not 32 bytes long"));
    }
    super::gcm_open(&master, &nonce, &ciphertext, &tag).ok_or_else(|| {
        malformed("its contents do not decrypt with the vault's master key (the file is damaged)")
    })
}

/// A password slot, checked: scrypt parameters and the wrapped master key.
struct PasswordSlot {
    params: scrypt::Params,
    salt: Vec<u8>,
    key: Vec<u8>,
    nonce: Vec<u8>,
    tag: Vec<u8>,
}

impl PasswordSlot {
    fn from_slot(slot: &Slot) -> Result<PasswordSlot, Error> {
        let missing = |what: &str| malformed(format!("a password slot has no {what}"));
        let n = slot.n.ok_or_else(|| missing("\"n\""))?;
        let r = slot.r.ok_or_else(|| missing("\"r\""))?;
        let p = slot.p.ok_or_else(|| missing("\"p\""))?;
        if n < 2 || !n.is_power_of_two() {
            return Err(malformed(
                "a password slot's scrypt n is not a power of two",
            ));
        }
        // Aegis uses n=2^15, r=8, p=1 (32 MiB). Refuse what would take gigabytes or hours.
        let memory = 128u128 * u128::from(n) * u128::from(r);
        if r == 0 || p == 0 || memory > 1 << 30 || memory * u128::from(p) > 1 << 32 {
            return Err(malformed(
                "a password slot's scrypt parameters are out of range",
            ));
        }
        let log_n = u8::try_from(n.trailing_zeros()).unwrap_or(u8::MAX);
        let params = scrypt::Params::new(log_n, r, p, 32)
            .map_err(|_| malformed("a password slot's scrypt parameters are out of range"))?;
        let key_params = slot
            .key_params
            .as_ref()
            .ok_or_else(|| missing("\"key_params\""))?;
        let (nonce, tag) = cipher_params(key_params)?;
        Ok(PasswordSlot {
            params,
            salt: hex(slot.salt.as_deref().ok_or_else(|| missing("\"salt\""))?)
                .ok_or_else(|| malformed("a password slot's salt is not hex"))?,
            key: hex(slot.key.as_deref().ok_or_else(|| missing("\"key\""))?)
                .ok_or_else(|| malformed("a password slot's key is not hex"))?,
            nonce,
            tag,
        })
    }
}

/// The nonce and tag of `params`, checked for AES-GCM's sizes.
fn cipher_params(params: &CipherParams) -> Result<(Vec<u8>, Vec<u8>), Error> {
    let nonce = hex(&params.nonce).filter(|n| n.len() == 12);
    let tag = hex(&params.tag).filter(|t| t.len() == 16);
    match (nonce, tag) {
        (Some(nonce), Some(tag)) => Ok((nonce, tag)),
        _ => Err(malformed(
            "a nonce or tag is not hex of the right length (12 and 16 bytes)",
        )),
    }
}

fn hex(text: &str) -> Option<Vec<u8>> {
    let digits = text.as_bytes();
    if !digits.len().is_multiple_of(2) {
        return None;
    }
    let value = |c: u8| {
        char::from(c)
            .to_digit(16)
            .and_then(|d| u8::try_from(d).ok())
    };
    digits
        .chunks_exact(2)
        .map(|pair| match pair {
            [hi, lo] => Some(value(*hi)? << 4 | value(*lo)?),
            _ => None,
        })
        .collect()
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

    fn plain(entries: &str, groups: &str) -> Vec<u8> {
        format!(
            r#"{{"version": 1, "header": {{"slots": null, "params": null}},
                "db": {{"version": 3, "entries": [{entries}], "groups": [{groups}]}}}}"#
        )
        .into_bytes()
    }

    const TOTP: &str = r#"{"type": "totp", "name": "alice", "issuer": "A", "note": "",
        "info": {"secret": "JBSWY3DPEHPK3PXP", "algo": "SHA256", "digits": 8, "period": 60},
        "groups": []}"#;

    #[test]
    fn detects_plain_encrypted_and_truncated_vaults_only() {
        assert!(Aegis.detect(&fixture("aegis_plain.json")));
        assert!(Aegis.detect(&fixture("aegis_encrypted.json")));
        assert!(Aegis.detect(&fixture("truncated_aegis.json")));
        assert!(!Aegis.detect(br#"{"version": 1, "entries": []}"#));
        assert!(!Aegis.detect(br#"{"version": 1, "header": {}, "db": {"entries": []}}"#));
        assert!(!Aegis.detect(br#"{"version": 1, "header": {"slots": null, "params": null}}"#));
        assert!(!Aegis.detect(b"{\"version\": 1, \"header\": {\"slots\"]"));
        assert!(!Aegis.detect(b"[]"));
        assert!(!Aegis.detect(b""));
    }

    #[test]
    fn plain_entries_with_groups_and_notes() {
        let groups = r#"{"uuid": "g1", "name": "Work"}, {"uuid": "g2", "name": "Home"}"#;
        let hotp = r#"{"type": "hotp", "name": "bob", "issuer": "B", "note": "desk drawer",
            "info": {"secret": "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", "algo": "SHA1",
            "digits": 6, "counter": 7}, "groups": ["g2", "g1", "unknown"]}"#;
        let old = r#"{"type": "steam", "name": "gaben", "issuer": "Steam", "group": "Games",
            "info": {"secret": "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", "digits": 5}}"#;
        let bytes = plain(&format!("{TOTP}, {hotp}, {old}"), groups);
        assert!(Aegis.detect(&bytes));
        let got = Aegis.parse(&bytes, &mut Passwords::default()).unwrap();
        assert_eq!(got.len(), 3);
        let a = &got[0];
        assert_eq!(
            (a.entry.issuer.as_str(), a.entry.account.as_str()),
            ("A", "alice")
        );
        assert_eq!(a.entry.algorithm, Algorithm::SHA256);
        assert_eq!((a.entry.digits, a.entry.period), (8, 60));
        assert_eq!(a.note, None);
        assert_eq!(got[1].entry.kind, Kind::Hotp);
        assert_eq!(got[1].entry.counter, 7);
        assert_eq!(
            got[1].note.as_deref(),
            Some("groups: Home, Work; desk drawer")
        );
        assert_eq!(got[2].entry.kind, Kind::Steam);
        assert_eq!(got[2].note.as_deref(), Some("groups: Games"));
    }

    #[test]
    fn motp_and_yandex_entries_are_named_not_dropped() {
        let motp = r#"{"type": "motp", "name": "m", "issuer": "MO", "info": {"secret":
            "JBSWY3DPEHPK3PXP", "pin": "1234"}}"#;
        let yandex = r#"{"type": "yandex", "name": "y", "issuer": "Ya", "info": {"secret":
            "JBSWY3DPEHPK3PXP", "pin": "1234"}}"#;
        let bytes = plain(&format!("{TOTP}, {motp}, {yandex}"), "");
        let (entries, skipped) = read(&bytes, &mut Passwords::default()).unwrap();
        assert_eq!(entries.len(), 1);
        assert_eq!(
            skipped
                .iter()
                .map(|s| (s.index, s.label.as_str()))
                .collect::<Vec<_>>(),
            [(2, "MO:m"), (3, "Ya:y")]
        );
        assert!(skipped[0].reason.contains("MOTP"), "{:?}", skipped[0]);
        assert!(skipped[1].reason.contains("Yandex"), "{:?}", skipped[1]);
        let err = Aegis
            .parse(&bytes, &mut Passwords::default())
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("entry 2: MO:m cannot be imported"), "{err}");
        assert!(
            !err.contains("JBSWY3DPEHPK3PXP") && !err.contains("1234"),
            "{err}"
        );
    }

    #[test]
    fn bad_entries_are_named_without_their_secret() {
        let bad = TOTP.replace("\"digits\": 8", "\"digits\": 4");
        let err = Aegis
            .parse(&plain(&bad, ""), &mut Passwords::default())
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("entry 1: digits"), "{err}");
        // A value of the wrong type is not quoted back (it could be a secret).
        let bad = TOTP.replace("\"digits\": 8", "\"digits\": \"SECRETSECRET\"");
        let err = Aegis
            .parse(&plain(&bad, ""), &mut Passwords::default())
            .unwrap_err()
            .to_string();
        assert!(err.contains("not a valid aegis file"), "{err}");
        assert!(!err.contains("SECRETSECRET"), "{err}");
    }

    #[test]
    fn encrypted_vault_opens_with_the_password_only() {
        let bytes = fixture("aegis_encrypted.json");
        let (_dir, mut right) = password_file("test\n");
        let got = Aegis.parse(&bytes, &mut right).unwrap();
        let plain = Aegis
            .parse(&fixture("aegis_plain.json"), &mut Passwords::default())
            .unwrap();
        assert_eq!(got.len(), 10);
        for (a, b) in got.iter().zip(&plain) {
            assert_eq!(a.entry, b.entry);
            assert_eq!(a.note, b.note);
        }
        let (_dir, mut wrong) = password_file("wrong\n");
        let err = Aegis.parse(&bytes, &mut wrong).unwrap_err();
        assert!(matches!(err, Error::Locked(_)), "{err}");
    }

    #[test]
    fn truncated_and_damaged_vaults_are_malformed() {
        let (_dir, mut pw) = password_file("test\n");
        let err = Aegis
            .parse(&fixture("truncated_aegis.json"), &mut pw)
            .unwrap_err()
            .to_string();
        assert!(err.contains("truncated"), "{err}");
        // A changed byte of the ciphertext: the master key opens, the db does not.
        let text = String::from_utf8(fixture("aegis_encrypted.json")).unwrap();
        let at = text.find("\"db\": \"").unwrap() + 10;
        let mut bytes = text.into_bytes();
        bytes[at] = if bytes[at] == b'A' { b'B' } else { b'A' };
        let err = Aegis.parse(&bytes, &mut pw).unwrap_err();
        assert!(matches!(err, Error::Malformed { .. }), "{err}");
        // Costly scrypt parameters are refused before any work.
        let text = String::from_utf8(fixture("aegis_encrypted.json")).unwrap();
        let costly = text.replace("\"n\": 32768", "\"n\": 1073741824");
        let err = Aegis.parse(costly.as_bytes(), &mut pw).unwrap_err();
        assert!(err.to_string().contains("out of range"), "{err}");
    }

    #[test]
    fn hex_digits() {
        assert_eq!(hex("00ff7A"), Some(vec![0, 255, 122]));
        assert_eq!(hex("0"), None);
        assert_eq!(hex("zz"), None);
    }
}
