/*!
`bitwarden`: Bitwarden's unencrypted exports, JSON and CSV.

Bitwarden is a password manager: only login items with an authenticator key (`login.totp`,
CSV column `login_totp`) become entries; the other items (plain logins, notes, cards) are
not authenticator entries and are left out. `login.totp` holds what the user pasted:
- an otpauth URI (its issuer and account win; the item's name and username fill the gaps),
- `steam://SECRET` for Steam Guard,
- or a bare base32 secret: the item's name is the issuer, its username the account, and the
  parameters are the defaults SHA1, 6 digits, 30 s (Bitwarden's own generator assumes them).

The item's folder and notes go into the entry's note. Password-protected and account-encrypted
JSON exports are recognised but refused: they need Bitwarden's key derivation, which this
importer does not implement.
*/

use super::{Error, Format, Imported, Passwords};
use crate::entry::{Kind, NewEntry, Secret};
use crate::uri;
use std::collections::HashMap;
use zeroize::Zeroize;

pub struct Bitwarden;

const NAME: &str = "bitwarden";

/// The CSV headers Bitwarden's exporters write: personal vault (current, then before
/// `reprompt` existed) and organization vault.
const CSV_HEADERS: &[&str] = &[
    "folder,favorite,type,name,notes,fields,reprompt,login_uri,login_username,login_password,login_totp",
    "folder,favorite,type,name,notes,fields,login_uri,login_username,login_password,login_totp",
    "collections,type,name,notes,fields,reprompt,login_uri,login_username,login_password,login_totp",
];

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

/// What one item contributes, from either export.
struct Row<'a> {
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

    fn parse(&self, bytes: &[u8], _: &mut Passwords) -> Result<Vec<Imported>, Error> {
        if bytes.trim_ascii_start().starts_with(b"{") {
            parse_json(bytes)
        } else {
            parse_csv(bytes)
        }
    }
}

fn malformed(reason: impl Into<String>) -> Error {
    Error::Malformed {
        format: NAME,
        reason: reason.into(),
    }
}

/// The first line without a byte-order mark or line ending.
fn csv_header(bytes: &[u8]) -> Option<&str> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let line = bytes.split(|b| *b == b'\n').next()?;
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    std::str::from_utf8(line).ok()
}

fn parse_json(bytes: &[u8]) -> Result<Vec<Imported>, Error> {
    // serde_json's messages give a position and an expectation, never the input.
    let shape: Shape = serde_json::from_slice(bytes).map_err(|e| malformed(e.to_string()))?;
    if shape.encrypted || shape.password_protected {
        return Err(malformed(
            "it is an encrypted export; export the vault again as \"JSON\" (not \"JSON \
             (Encrypted)\") to import it",
        ));
    }
    let export: Export = serde_json::from_slice(bytes).map_err(|e| malformed(e.to_string()))?;
    let folders: HashMap<&str, &str> = export
        .folders
        .iter()
        .map(|f| (f.id.as_str(), f.name.as_str()))
        .collect();
    let rows = export.items.iter().filter_map(|item| {
        let login = item.login.as_ref()?;
        let totp = login.totp.as_deref().filter(|t| !t.trim().is_empty())?;
        Some(Row {
            name: item.name.as_deref().unwrap_or_default(),
            username: login.username.as_deref().unwrap_or_default(),
            totp,
            folder: item
                .folder_id
                .as_deref()
                .and_then(|id| folders.get(id).copied())
                .unwrap_or_default(),
            notes: item.notes.as_deref().unwrap_or_default(),
        })
    });
    convert_all(rows)
}

fn parse_csv(bytes: &[u8]) -> Result<Vec<Imported>, Error> {
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
    let (folder, notes) = (column("folder"), column("notes"));
    let records = reader
        .records()
        .map(|r| r.map_err(|e| malformed(csv_reason(&e))))
        .collect::<Result<Vec<_>, _>>()?;
    let rows = records.iter().filter_map(|r| {
        let totp = field(r, Some(totp));
        (!totp.trim().is_empty()).then(|| Row {
            name: field(r, Some(name)),
            username: field(r, Some(username)),
            totp,
            folder: field(r, folder),
            notes: field(r, notes),
        })
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

fn convert_all<'a>(rows: impl Iterator<Item = Row<'a>>) -> Result<Vec<Imported>, Error> {
    let out = rows
        .enumerate()
        .map(|(i, row)| convert(i + 1, &row))
        .collect::<Result<Vec<_>, _>>()?;
    if out.is_empty() {
        return Err(malformed("no login item has an authenticator key (TOTP)"));
    }
    Ok(out)
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
    fn encrypted_exports_are_recognised_and_refused() {
        let text = br#"{"encrypted": true, "passwordProtected": true, "salt": "x", "data": "y"}"#;
        assert!(Bitwarden.detect(text));
        let err = Bitwarden
            .parse(text, &mut Passwords::default())
            .unwrap_err()
            .to_string();
        assert!(err.contains("encrypted export"), "{err}");
    }

    #[test]
    fn detection_needs_the_exact_shape() {
        assert!(!Bitwarden.detect(br#"{"version": 1, "entries": []}"#));
        assert!(!Bitwarden.detect(br#"{"items": []}"#));
        assert!(!Bitwarden.detect(b"name,login_totp\nA,JBSWY3DPEHPK3PXP\n"));
        assert!(!Bitwarden.detect(b"otpauth://totp/A:b?secret=JBSWY3DPEHPK3PXP\n"));
    }
}
