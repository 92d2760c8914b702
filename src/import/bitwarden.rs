/*!
`bitwarden`: Bitwarden's JSON and CSV exports, unencrypted or password-protected.

Bitwarden is a password manager: only login items with an authenticator key (`login.totp`,
CSV column `login_totp`) become entries. The other items (plain logins, notes, cards) are not
authenticator entries; they are listed as skipped by name, so nobody wonders where one went.
`login.totp` holds what the user pasted:
- an otpauth URI (its issuer and account win; the item's name and username fill the gaps),
- `steam://SECRET` for Steam Guard,
- or a bare base32 secret: the item's name is the issuer, its username the account, and the
  parameters are the defaults SHA1, 6 digits, 30 s (Bitwarden's own generator assumes them).

The item's folder and notes go into the entry's note.

A password-protected JSON export (`"encrypted": true, "passwordProtected": true`) wraps the
whole unencrypted export in `data`, an "EncString" of type 2: `2.iv|ciphertext|mac` (base64),
AES-256-CBC with PKCS#7 padding and HMAC-SHA256 over iv and ciphertext. Its keys come from the
export password, as Bitwarden's clients make them: PBKDF2-HMAC-SHA256 (`kdfType` 0) over the
`salt` text, or Argon2id (`kdfType` 1, `kdfMemory` in MiB) over SHA-256 of the salt text, gives
a master key, which HKDF-SHA256 expands (no extract step) with info `enc` and `mac` into the two
keys. `encKeyValidation_DO_NOT_EDIT` is a random string under the same keys: when its MAC does
not verify, the password is wrong. The MAC is always checked before anything is decrypted.
`tests/fixtures/apps/bitwarden_encrypted.py` writes such files and documents the layout.

An "account restricted" export (`"encrypted": true` without `passwordProtected`) is encrypted
with the Bitwarden account's own key, which never leaves Bitwarden: it is refused, saying how to
export one otp can read.
*/

use super::{Error, Format, Imported, Passwords, Skipped};
use crate::entry::{Kind, NewEntry, Secret};
use crate::uri;
use ::age::secrecy::ExposeSecret;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use cbc::cipher::block_padding::Pkcs7;
use cbc::cipher::{BlockModeDecrypt, KeyIvInit};
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use zeroize::{Zeroize, Zeroizing};

pub(crate) struct Bitwarden;

const NAME: &str = "bitwarden";

/// The CSV headers Bitwarden's exporters write: personal vault (current, then before
/// `reprompt` existed) and organization vault.
const CSV_HEADERS: &[&str] = &[
    "folder,favorite,type,name,notes,fields,reprompt,login_uri,login_username,login_password,login_totp",
    "folder,favorite,type,name,notes,fields,login_uri,login_username,login_password,login_totp",
    "collections,type,name,notes,fields,reprompt,login_uri,login_username,login_password,login_totp",
];

/// Bitwarden's upper bounds for its key derivation settings: a damaged or hostile file must
/// not make otp work for hours or allocate more than the app itself ever asks for.
const MAX_PBKDF2_ITERATIONS: u32 = 2_000_000;
const MAX_ARGON2_ITERATIONS: u32 = 10;
const MAX_ARGON2_MEMORY_MIB: u32 = 1024;
const MAX_ARGON2_PARALLELISM: u32 = 16;

/// The top level of a JSON export, for detection without copying a secret.
#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct Shape {
    encrypted: bool,
    #[serde(default)]
    password_protected: bool,
    items: Option<serde::de::IgnoredAny>,
    data: Option<serde::de::IgnoredAny>,
}

/// A password-protected export.
#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct Protected {
    salt: String,
    /// Exports written before Argon2id existed have no `kdfType`: they are PBKDF2.
    #[serde(default)]
    kdf_type: u32,
    kdf_iterations: u32,
    /// MiB; null for PBKDF2.
    #[serde(default)]
    kdf_memory: Option<u32>,
    #[serde(default)]
    kdf_parallelism: Option<u32>,
    #[serde(rename = "encKeyValidation_DO_NOT_EDIT")]
    key_validation: String,
    data: String,
}

#[derive(serde::Deserialize)]
struct Export {
    #[serde(default)]
    folders: Vec<Folder>,
    #[serde(default)]
    items: Vec<Item>,
}

#[derive(serde::Deserialize)]
struct Folder {
    id: String,
    name: String,
}

/// One item; passwords and the other fields are never read.
#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct Item {
    #[serde(rename = "type", default)]
    kind: Option<u32>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    notes: Option<String>,
    #[serde(default)]
    folder_id: Option<String>,
    #[serde(default)]
    login: Option<Login>,
}

#[derive(serde::Deserialize)]
struct Login {
    #[serde(default)]
    username: Option<String>,
    #[serde(default)]
    totp: Option<String>,
}

impl Drop for Login {
    fn drop(&mut self) {
        self.totp.zeroize();
    }
}

/// What one item contributes, from either export. `index` is its place among all the items,
/// counting from 1.
struct Row<'a> {
    index: usize,
    kind: &'static str,
    name: &'a str,
    username: &'a str,
    totp: &'a str,
    folder: &'a str,
    notes: &'a str,
}

impl Format for Bitwarden {
    fn name(&self) -> &'static str {
        NAME
    }

    fn detect(&self, bytes: &[u8]) -> bool {
        if bytes.trim_ascii_start().starts_with(b"{") {
            return serde_json::from_slice::<Shape>(bytes)
                .is_ok_and(|s| s.items.is_some() || s.data.is_some());
        }
        csv_header(bytes).is_some_and(|h| CSV_HEADERS.contains(&h))
    }

    /// Items without a TOTP key are no loss here: a password manager's logins are not
    /// authenticator entries, so unlike other formats' skipped entries they stop nothing.
    fn parse(&self, bytes: &[u8], passwords: &mut Passwords) -> Result<Vec<Imported>, Error> {
        let entries = read(bytes, passwords)?.0;
        if entries.is_empty() {
            return Err(malformed("no login item has an authenticator key (TOTP)"));
        }
        Ok(entries)
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

fn read(bytes: &[u8], passwords: &mut Passwords) -> Result<(Vec<Imported>, Vec<Skipped>), Error> {
    if !bytes.trim_ascii_start().starts_with(b"{") {
        return parse_csv(bytes);
    }
    // serde_json's messages give a position and an expectation, never the input.
    let shape: Shape = serde_json::from_slice(bytes).map_err(|e| malformed(e.to_string()))?;
    match (shape.encrypted, shape.password_protected) {
        (false, _) => parse_json(bytes),
        (true, true) => {
            let plain = decrypt(bytes, passwords)?;
            let shape: Shape = serde_json::from_slice(&plain)
                .map_err(|e| malformed(format!("its decrypted data: {e}")))?;
            if shape.encrypted {
                return Err(malformed(
                    "its decrypted data is itself an encrypted export",
                ));
            }
            parse_json(&plain)
        }
        (true, false) => Err(Error::Unsupported {
            kind: "an \"account restricted\" Bitwarden export".into(),
            reason: "it is encrypted with your Bitwarden account's own key, which never leaves \
                     Bitwarden; export the vault again with the export type \"Password \
                     protected\" (or as plain \"JSON\") and import that file"
                .into(),
        }),
    }
}

/// The first line without a byte-order mark or line ending.
fn csv_header(bytes: &[u8]) -> Option<&str> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let line = bytes.split(|b| *b == b'\n').next()?;
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    std::str::from_utf8(line).ok()
}

/// The item types of Bitwarden's `CipherType`, as the skipped list names them.
fn json_kind(kind: Option<u32>) -> &'static str {
    match kind {
        Some(1) => "login",
        Some(2) => "secure note",
        Some(3) => "card",
        Some(4) => "identity",
        Some(5) => "SSH key",
        _ => "item",
    }
}

fn parse_json(bytes: &[u8]) -> Result<(Vec<Imported>, Vec<Skipped>), Error> {
    let export: Export = serde_json::from_slice(bytes).map_err(|e| malformed(e.to_string()))?;
    let folders: HashMap<&str, &str> = export
        .folders
        .iter()
        .map(|f| (f.id.as_str(), f.name.as_str()))
        .collect();
    let rows = export.items.iter().enumerate().map(|(i, item)| {
        let login = item.login.as_ref();
        Row {
            index: i + 1,
            kind: json_kind(item.kind),
            name: item.name.as_deref().unwrap_or_default(),
            username: login
                .and_then(|l| l.username.as_deref())
                .unwrap_or_default(),
            totp: login.and_then(|l| l.totp.as_deref()).unwrap_or_default(),
            folder: item
                .folder_id
                .as_deref()
                .and_then(|id| folders.get(id).copied())
                .unwrap_or_default(),
            notes: item.notes.as_deref().unwrap_or_default(),
        }
    });
    convert_all(rows)
}

fn parse_csv(bytes: &[u8]) -> Result<(Vec<Imported>, Vec<Skipped>), Error> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut reader = csv::ReaderBuilder::new().from_reader(bytes);
    let headers = reader
        .headers()
        .map_err(|e| malformed(csv_reason(&e)))?
        .clone();
    let column = |name: &str| headers.iter().position(|h| h == name);
    let (Some(name), Some(username), Some(totp)) = (
        column("name"),
        column("login_username"),
        column("login_totp"),
    ) else {
        return Err(malformed(
            "it is neither a JSON export nor a CSV export with name, login_username and \
             login_totp columns",
        ));
    };
    let (folder, notes, kind) = (column("folder"), column("notes"), column("type"));
    let records = reader
        .records()
        .map(|r| r.map_err(|e| malformed(csv_reason(&e))))
        .collect::<Result<Vec<_>, _>>()?;
    let rows = records.iter().enumerate().map(|(i, r)| Row {
        index: i + 1,
        kind: match field(r, kind) {
            "login" => "login",
            "note" => "secure note",
            "card" => "card",
            "identity" => "identity",
            _ => "item",
        },
        name: field(r, Some(name)),
        username: field(r, Some(username)),
        totp: field(r, Some(totp)),
        folder: field(r, folder),
        notes: field(r, notes),
    });
    convert_all(rows)
}

fn field(record: &csv::StringRecord, column: Option<usize>) -> &str {
    column.and_then(|i| record.get(i)).unwrap_or_default()
}

/// A CSV error by position only: csv's own messages may quote a field (a password).
fn csv_reason(e: &csv::Error) -> String {
    let at = e
        .position()
        .map(|p| format!("line {}: ", p.line()))
        .unwrap_or_default();
    match e.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => {
            format!("{at}{len} fields where the header has {expected_len}")
        }
        csv::ErrorKind::Utf8 { .. } => format!("{at}it is not UTF-8 text"),
        _ => format!("{at}it is not valid CSV"),
    }
}

/// Items with a TOTP key become entries; the others are listed as skipped, by name only. An
/// export whose items all lack a key is read like other formats' files whose entries are all
/// skipped: nothing to import, every item listed.
fn convert_all<'a>(
    rows: impl Iterator<Item = Row<'a>>,
) -> Result<(Vec<Imported>, Vec<Skipped>), Error> {
    let (mut out, mut skipped) = (Vec::new(), Vec::new());
    let mut rows = rows.peekable();
    if rows.peek().is_none() {
        return Err(Error::Empty);
    }
    for row in rows {
        if row.totp.trim().is_empty() {
            let name = crate::output::sanitize(row.name.trim());
            skipped.push(Skipped {
                index: row.index,
                label: if name.is_empty() {
                    format!("item {}", row.index)
                } else {
                    name
                },
                reason: format!("{} without a TOTP key", row.kind),
            });
            continue;
        }
        // Errors count the items with a TOTP key, as `otp import` counts entries.
        out.push(convert(out.len() + 1, &row)?);
    }
    Ok((out, skipped))
}

/// One item with a TOTP field; `index` counts those items from 1.
fn convert(index: usize, row: &Row) -> Result<Imported, Error> {
    let fail = |reason: String| Error::Entry {
        index,
        reason: format!("item {:?}: {reason}", row.name),
    };
    let totp = row.totp.trim();
    let mut entry = if uri::is_otpauth(totp) {
        uri::parse(totp).map_err(|e| fail(e.to_string()))?
    } else {
        let (kind, secret) = match steam_secret(totp) {
            Some(secret) => (Kind::Steam, secret),
            None => (Kind::Totp, totp),
        };
        let secret = Secret::parse(secret).map_err(|e| fail(e.to_string()))?;
        NewEntry {
            kind,
            ..NewEntry::totp("", "", secret)
        }
    };
    if entry.issuer.is_empty() {
        entry.issuer = row.name.to_string();
    }
    if entry.account.is_empty() {
        entry.account = row.username.to_string();
    }
    let entry = super::validated(index, entry)?;
    let mut note = Vec::new();
    if !row.folder.trim().is_empty() {
        note.push(format!("folder: {}", row.folder.trim()));
    }
    if !row.notes.trim().is_empty() {
        note.push(row.notes.trim().to_string());
    }
    Ok(Imported {
        entry,
        note: (!note.is_empty()).then(|| note.join("; ")),
        recovery: Vec::new(),
    })
}

fn steam_secret(totp: &str) -> Option<&str> {
    const STEAM: &str = "steam://";
    totp.get(..STEAM.len())
        .filter(|p| p.eq_ignore_ascii_case(STEAM))
        .and_then(|_| totp.get(STEAM.len()..))
}

/// A type 2 EncString: AES-256-CBC ciphertext with its IV and HMAC-SHA256.
struct EncString {
    iv: Vec<u8>,
    data: Vec<u8>,
    mac: Vec<u8>,
}

impl EncString {
    /// `what` names the field in errors; the text itself is never quoted.
    fn parse(what: &str, text: &str) -> Result<EncString, Error> {
        let bad = |why: &str| malformed(format!("{what} {why}"));
        let rest = text.trim().strip_prefix("2.").ok_or_else(|| {
            bad("is not an encrypted string of type 2 (AES-256-CBC with HMAC-SHA256)")
        })?;
        let mut parts = rest.split('|');
        let (Some(iv), Some(data), Some(mac), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(bad("does not have the three parts iv|data|mac"));
        };
        let decode = |part: &str| {
            STANDARD
                .decode(part)
                .map_err(|e| bad(&format!("is not base64: {e}")))
        };
        let enc = EncString {
            iv: decode(iv)?,
            data: decode(data)?,
            mac: decode(mac)?,
        };
        if enc.iv.len() != 16 || enc.mac.len() != 32 {
            return Err(bad("has an IV or MAC of the wrong size"));
        }
        if enc.data.is_empty() || !enc.data.len().is_multiple_of(16) {
            return Err(bad("is cut short (not whole AES blocks)"));
        }
        Ok(enc)
    }

    /// Whether the MAC verifies (in constant time) under `mac_key`.
    fn authentic(&self, mac_key: &[u8]) -> bool {
        let Ok(mut mac) = <Hmac<Sha256> as Mac>::new_from_slice(mac_key) else {
            return false;
        };
        mac.update(&self.iv);
        mac.update(&self.data);
        mac.verify_slice(&self.mac).is_ok()
    }

    /// The plain text, or `None` when the padding is wrong. Call only once
    /// [`EncString::authentic`] has said yes: CBC alone does not notice changes.
    fn decrypt(&self, enc_key: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
        let cipher = cbc::Decryptor::<aes::Aes256>::new_from_slices(enc_key, &self.iv).ok()?;
        let mut buffer = Zeroizing::new(self.data.clone());
        let len = cipher.decrypt_padded::<Pkcs7>(&mut buffer).ok()?.len();
        buffer.truncate(len);
        Some(buffer)
    }
}

/// The derived keys: AES-256 and HMAC-SHA256.
struct Keys {
    enc: Zeroizing<[u8; 32]>,
    mac: Zeroizing<[u8; 32]>,
}

/// Decrypts a password-protected export to the unencrypted JSON export it holds.
fn decrypt(bytes: &[u8], passwords: &mut Passwords) -> Result<Zeroizing<Vec<u8>>, Error> {
    let export: Protected = serde_json::from_slice(bytes).map_err(|e| malformed(e.to_string()))?;
    // Everything is checked before the password is asked for.
    let validation = EncString::parse("encKeyValidation_DO_NOT_EDIT", &export.key_validation)?;
    let data = EncString::parse("data", &export.data)?;
    let kdf = Kdf::from_export(&export)?;

    let password = passwords.get("Password of the Bitwarden export: ")?;
    let keys = kdf.keys(password.expose_secret().as_bytes(), &export.salt)?;
    drop(password);

    // A wrong password and a changed check value look alike; both mean no key.
    if !validation.authentic(&*keys.mac) {
        return Err(Error::Locked(
            "wrong password (the export's key check does not verify with it)".into(),
        ));
    }
    if !data.authentic(&*keys.mac) {
        return Err(malformed(
            "its data was changed or damaged (the MAC does not verify)",
        ));
    }
    data.decrypt(&*keys.enc)
        .ok_or_else(|| malformed("its data does not decrypt (bad padding)"))
}

/// The key derivation an export names, within Bitwarden's bounds.
enum Kdf {
    Pbkdf2 { iterations: u32 },
    Argon2id(argon2::Params),
}

impl Kdf {
    fn from_export(export: &Protected) -> Result<Kdf, Error> {
        let iterations = export.kdf_iterations;
        match export.kdf_type {
            0 if (1..=MAX_PBKDF2_ITERATIONS).contains(&iterations) => {
                Ok(Kdf::Pbkdf2 { iterations })
            }
            0 => Err(malformed(format!(
                "kdfIterations {iterations} is out of range (1 to {MAX_PBKDF2_ITERATIONS} for \
                 PBKDF2)"
            ))),
            1 => {
                let memory = export.kdf_memory.unwrap_or(0);
                let parallelism = export.kdf_parallelism.unwrap_or(0);
                if !(1..=MAX_ARGON2_ITERATIONS).contains(&iterations)
                    || !(1..=MAX_ARGON2_MEMORY_MIB).contains(&memory)
                    || !(1..=MAX_ARGON2_PARALLELISM).contains(&parallelism)
                {
                    return Err(malformed(format!(
                        "Argon2id settings out of range (kdfIterations {iterations}, \
                         kdfMemory {memory} MiB, kdfParallelism {parallelism})"
                    )));
                }
                // Bitwarden gives the memory in MiB; Argon2 counts KiB.
                argon2::Params::new(memory * 1024, iterations, parallelism, Some(32))
                    .map(Kdf::Argon2id)
                    .map_err(|e| malformed(format!("Argon2id settings: {e}")))
            }
            other => Err(malformed(format!(
                "unknown kdfType {other} (otp reads 0, PBKDF2, and 1, Argon2id)"
            ))),
        }
    }

    /// The master key from `password`, stretched to the encryption and MAC keys.
    fn keys(&self, password: &[u8], salt: &str) -> Result<Keys, Error> {
        let mut master = Zeroizing::new([0u8; 32]);
        match self {
            // The salt is used as its text, not decoded.
            Kdf::Pbkdf2 { iterations } => {
                pbkdf2::pbkdf2_hmac::<Sha256>(password, salt.as_bytes(), *iterations, &mut *master)
            }
            Kdf::Argon2id(params) => {
                let salt = Sha256::digest(salt.as_bytes());
                argon2::Argon2::new(
                    argon2::Algorithm::Argon2id,
                    argon2::Version::V0x13,
                    params.clone(),
                )
                .hash_password_into(password, &salt, &mut *master)
                .map_err(|e| malformed(format!("cannot derive the key: {e}")))?;
            }
        }
        let hkdf = hkdf::Hkdf::<Sha256>::from_prk(&*master)
            .map_err(|_| malformed("cannot stretch the key"))?;
        let mut keys = Keys {
            enc: Zeroizing::new([0; 32]),
            mac: Zeroizing::new([0; 32]),
        };
        hkdf.expand(b"enc", &mut *keys.enc)
            .and_then(|()| hkdf.expand(b"mac", &mut *keys.mac))
            .map_err(|_| malformed("cannot stretch the key"))?;
        Ok(keys)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const JSON: &[u8] = br#"{"encrypted": false, "folders": [{"id": "f1", "name": "2FA"}],
        "items": [
          {"type": 1, "name": "Bare", "notes": "a, b\nc", "folderId": "f1",
           "login": {"username": "me", "password": "hunter2", "totp": "JBSWY3DPEHPK3PXP"}},
          {"type": 2, "name": "A secure note", "notes": "text"},
          {"type": 1, "name": "No TOTP", "login": {"username": "x", "totp": null}},
          {"type": 1, "name": "Steam", "folderId": null,
           "login": {"username": "gabe", "totp": "steam://JBSWY3DPEHPK3PXP"}},
          {"type": 1, "name": "Item name",
           "login": {"username": "user", "totp": "otpauth://totp/user2?secret=JBSWY3DPEHPK3PXP&digits=8"}}
        ]}"#;

    #[test]
    fn reads_uris_bare_secrets_and_steam_from_json() {
        assert!(Bitwarden.detect(JSON));
        let got = Bitwarden.parse(JSON, &mut Passwords::default()).unwrap();
        assert_eq!(got.len(), 3);
        assert_eq!(got[0].entry.issuer, "Bare");
        assert_eq!(got[0].entry.account, "me");
        assert_eq!((got[0].entry.digits, got[0].entry.period), (6, 30));
        assert_eq!(got[0].note.as_deref(), Some("folder: 2FA; a, b\nc"));
        assert_eq!(got[1].entry.kind, Kind::Steam);
        assert_eq!(got[1].note, None);
        // A URI without an issuer takes the item's name.
        assert_eq!(got[2].entry.issuer, "Item name");
        assert_eq!(got[2].entry.account, "user2");
        assert_eq!(got[2].entry.digits, 8);
    }

    #[test]
    fn reads_csv_with_quoted_multiline_notes() {
        let csv = "folder,favorite,type,name,notes,fields,reprompt,login_uri,login_username,login_password,login_totp\r\n\
                   2FA,1,login,Bare,\"line 1,\r\nline 2\",,0,https://x.example,me,pw,JBSWY3DPEHPK3PXP\r\n\
                   ,,login,Forum,,,0,https://y.example,alice,pw2,";
        assert!(Bitwarden.detect(csv.as_bytes()));
        let got = Bitwarden
            .parse(csv.as_bytes(), &mut Passwords::default())
            .unwrap();
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].entry.account, "me");
        assert_eq!(
            got[0].note.as_deref(),
            Some("folder: 2FA; line 1,\r\nline 2")
        );
    }

    #[test]
    fn errors_never_quote_secrets_or_passwords() {
        let csv = "folder,favorite,type,name,notes,fields,reprompt,login_uri,login_username,login_password,login_totp\n\
                   ,,login,A,,,0,,me,hunter2,JBSWY3DP!!\n";
        let err = Bitwarden
            .parse(csv.as_bytes(), &mut Passwords::default())
            .unwrap_err()
            .to_string();
        assert!(err.contains("entry 1") && err.contains("\"A\""), "{err}");
        assert!(
            !err.contains("JBSWY3DP") && !err.contains("hunter2"),
            "{err}"
        );
        let ragged = "folder,favorite,type,name,notes,fields,reprompt,login_uri,login_username,login_password,login_totp\n\
                      ,,login,A,hunter2\n";
        let err = Bitwarden
            .parse(ragged.as_bytes(), &mut Passwords::default())
            .unwrap_err()
            .to_string();
        assert!(err.contains("line 2"), "{err}");
        assert!(!err.contains("hunter2"), "{err}");
    }

    #[test]
    fn items_without_a_totp_key_are_listed_as_skipped_by_name() {
        let (got, skipped) = Bitwarden
            .parse_all(JSON, &mut Passwords::default())
            .unwrap();
        assert_eq!(got.len(), 3);
        let listed: Vec<(usize, &str, &str)> = skipped
            .iter()
            .map(|s| (s.index, s.label.as_str(), s.reason.as_str()))
            .collect();
        assert_eq!(
            listed,
            [
                (2, "A secure note", "secure note without a TOTP key"),
                (3, "No TOTP", "login without a TOTP key"),
            ]
        );
        // Errors still count the items with a key: the third of them here.
        let bad = String::from_utf8_lossy(JSON)
            .replace("user2?secret=JBSWY3DPEHPK3PXP", "user2?secret=!");
        let err = Bitwarden
            .parse(bad.as_bytes(), &mut Passwords::default())
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("entry 3") && err.contains("Item name"),
            "{err}"
        );

        let csv = "folder,favorite,type,name,notes,fields,reprompt,login_uri,login_username,login_password,login_totp\n\
                   ,,note,Wi-Fi,the password,,0,,,,\n\
                   ,,login,Forum,,,0,,alice,hunter2,\n\
                   ,,login,\u{1b}[2J,,,0,,bob,pw,\n\
                   ,,login,A,,,0,,me,pw,JBSWY3DPEHPK3PXP\n";
        let (got, skipped) = Bitwarden
            .parse_all(csv.as_bytes(), &mut Passwords::default())
            .unwrap();
        assert_eq!(got.len(), 1);
        let listed: Vec<String> = skipped
            .iter()
            .map(|s| format!("{} {} ({})", s.index, s.label, s.reason))
            .collect();
        assert_eq!(listed[0], "1 Wi-Fi (secure note without a TOTP key)");
        assert_eq!(listed[1], "2 Forum (login without a TOTP key)");
        // A name is shown without the terminal escapes it may hold.
        assert!(!listed[2].contains('\u{1b}'), "{listed:?}");
        let all = format!("{listed:?}");
        assert!(
            !all.contains("hunter2") && !all.contains("the password"),
            "{all}"
        );
    }

    #[test]
    fn nothing_with_a_totp_key_is_all_skipped_and_no_items_is_empty() {
        let text = br#"{"encrypted": false, "items": [{"type": 1, "name": "x", "login": {"username": "u"}}]}"#;
        let (got, skipped) = Bitwarden
            .parse_all(text, &mut Passwords::default())
            .unwrap();
        assert!(got.is_empty());
        assert_eq!(skipped[0].reason, "login without a TOTP key");
        // `parse` has no room for the skipped list: it says why nothing came.
        let err = Bitwarden
            .parse(text, &mut Passwords::default())
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("no login item has an authenticator key"),
            "{err}"
        );
        let none = br#"{"encrypted": false, "folders": [], "items": []}"#;
        let err = Bitwarden.parse_all(none, &mut Passwords::default());
        assert!(matches!(err, Err(Error::Empty)), "{:?}", err.map(|r| r.1));
        let csv = "folder,favorite,type,name,notes,fields,reprompt,login_uri,login_username,login_password,login_totp\n";
        let err = Bitwarden.parse_all(csv.as_bytes(), &mut Passwords::default());
        assert!(matches!(err, Err(Error::Empty)), "{:?}", err.map(|r| r.1));
    }

    fn fixture(name: &str) -> Vec<u8> {
        std::fs::read(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
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

    /// (issuer, account, note) of every entry, and the skipped labels.
    fn summary(read: (Vec<Imported>, Vec<Skipped>)) -> (Vec<String>, Vec<String>) {
        let entries = read
            .0
            .iter()
            .map(|i| format!("{:?} {:?}", i.entry, i.note))
            .collect();
        (entries, read.1.into_iter().map(|s| s.label).collect())
    }

    #[test]
    fn password_protected_exports_decrypt_to_the_plain_export() {
        let plain = summary(
            Bitwarden
                .parse_all(&fixture("bitwarden.json"), &mut Passwords::default())
                .unwrap(),
        );
        assert_eq!(plain.0.len(), 10);
        assert_eq!(plain.1, ["Example Forum"]);
        for file in [
            "bitwarden_encrypted_pbkdf2.json",
            "bitwarden_encrypted_argon2id.json",
        ] {
            let bytes = fixture(file);
            assert!(Bitwarden.detect(&bytes), "{file}");
            let (_dir, mut passwords) = password_file("test\n");
            let got = Bitwarden.parse_all(&bytes, &mut passwords).unwrap();
            assert_eq!(summary(got), plain, "{file}");

            let (_dir, mut wrong) = password_file("wrong\n");
            let err = Bitwarden.parse_all(&bytes, &mut wrong).unwrap_err();
            assert!(matches!(err, Error::Locked(_)), "{file}: {err}");
            assert!(err.to_string().contains("wrong password"), "{file}: {err}");
        }
    }

    #[test]
    fn a_changed_byte_in_the_data_fails_its_mac() {
        let text = String::from_utf8(fixture("bitwarden_encrypted_pbkdf2.json")).unwrap();
        let data: serde_json::Value = serde_json::from_str(&text).unwrap();
        let data = data["data"].as_str().unwrap();
        let (iv, rest) = data.split_once('|').unwrap();
        let (ct, mac) = rest.split_once('|').unwrap();
        let mut ct = STANDARD.decode(ct).unwrap();
        let (_dir, mut passwords) = password_file("test\n");
        for at in [0, ct.len() / 2, ct.len() - 1] {
            ct[at] ^= 0x01;
            let bad = format!("{iv}|{}|{mac}", STANDARD.encode(&ct));
            ct[at] ^= 0x01;
            let err = Bitwarden
                .parse_all(text.replace(data, &bad).as_bytes(), &mut passwords)
                .unwrap_err();
            assert!(
                matches!(err, Error::Malformed { .. }) && err.to_string().contains("MAC"),
                "byte {at}: {err}"
            );
        }
    }

    #[test]
    fn damaged_or_hostile_headers_are_refused_before_the_password() {
        let text = String::from_utf8(fixture("bitwarden_encrypted_argon2id.json")).unwrap();
        // No password source at all: any of these asking for one would fail differently.
        for (from, to, why) in [
            ("\"kdfType\": 1", "\"kdfType\": 7", "unknown kdfType 7"),
            ("\"kdfMemory\": 16", "\"kdfMemory\": 4096", "out of range"),
            ("\"kdfMemory\": 16", "\"kdfMemory\": null", "out of range"),
            (
                "\"kdfIterations\": 2",
                "\"kdfIterations\": 1000",
                "out of range",
            ),
            (
                "\"kdfParallelism\": 2",
                "\"kdfParallelism\": 0",
                "out of range",
            ),
            (
                "\"data\": \"2.",
                "\"data\": \"0.",
                "not an encrypted string of type 2",
            ),
            ("\"data\": \"2.", "\"data\": \"2.!", "not base64"),
            ("\"salt\"", "\"pepper\"", "missing field"),
        ] {
            assert!(text.contains(from), "{from}");
            let bad = text.replacen(from, to, 1);
            let err = Bitwarden
                .parse_all(bad.as_bytes(), &mut Passwords::default())
                .unwrap_err();
            assert!(
                matches!(err, Error::Malformed { .. }) && err.to_string().contains(why),
                "{to}: {err}"
            );
        }
        let pbkdf2 = String::from_utf8(fixture("bitwarden_encrypted_pbkdf2.json")).unwrap();
        let bad = pbkdf2.replacen("\"kdfIterations\": 5000", "\"kdfIterations\": 2000001", 1);
        let err = Bitwarden
            .parse_all(bad.as_bytes(), &mut Passwords::default())
            .unwrap_err()
            .to_string();
        assert!(err.contains("out of range"), "{err}");
    }

    #[test]
    fn account_restricted_exports_are_refused_with_what_to_do() {
        let bytes = fixture("bitwarden_account_encrypted.json");
        assert!(Bitwarden.detect(&bytes));
        let err = Bitwarden
            .parse_all(&bytes, &mut Passwords::default())
            .unwrap_err();
        assert!(matches!(err, Error::Unsupported { .. }), "{err}");
        let text = err.to_string();
        assert!(
            text.contains("account restricted") && text.contains("\"Password protected\""),
            "{text}"
        );
        assert!(!text.contains('\n'), "{text}");
    }
    #[test]
    fn detection_needs_the_exact_shape() {
        assert!(!Bitwarden.detect(br#"{"version": 1, "entries": []}"#));
        assert!(!Bitwarden.detect(br#"{"items": []}"#));
        assert!(!Bitwarden.detect(b"name,login_totp\nA,JBSWY3DPEHPK3PXP\n"));
        assert!(!Bitwarden.detect(b"otpauth://totp/A:b?secret=JBSWY3DPEHPK3PXP\n"));
    }
}
