/*!
The plaintext vault document: `{"version": 1, "entries": [...]}`.

JSON rather than TOML because `otp code` reads the document on every call (why, and how
fast: docs/PERFORMANCE.md; [`super::find`] is that read path). This module owns the rules about the
collection of entries: unique ids, one entry per issuer+account, identical re-adds being
no-ops, and version checks.
*/

use crate::entry::{Entry, NewEntry};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use zeroize::Zeroizing;

/// The document version this program writes and fully understands. Version 2 added what
/// merging copies needs (each entry's `by`, `replaces`, the document's `removed` and
/// `replaced`); version 3 the `devices` whose keys every write encrypts to (an older otp
/// would write the vault back without them, locking the other machines out, so it must
/// refuse). An older document is read as is and written as the current version.
pub const VERSION: u32 = 3;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("the vault document is not valid: {0}")]
    Malformed(String),
    #[error(
        "the vault was written by a newer otp (format version {0}, this otp knows {VERSION}); it is read-only here"
    )]
    Newer(u32),
    #[error("{0} already exists with a different secret")]
    Conflict(String),
    #[error("{0} already exists")]
    Exists(String),
}

impl Error {
    /// What the user can do about it.
    pub(crate) fn hint(&self) -> Option<&'static str> {
        match self {
            Error::Conflict(_) => Some("use --replace to renew its key"),
            Error::Newer(_) => Some("update otp to change this vault"),
            Error::Malformed(_) | Error::Exists(_) => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Document {
    pub version: u32,
    pub entries: Vec<Entry>,
    /// Tombstones: which entries were removed, when and where, so that a merge removes
    /// them from other copies too instead of bringing them back.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub removed: Vec<Removed>,
    /// Keys that lost a merge to a later change of the same entry on another copy: kept,
    /// never dropped silently (`otp list` shows them).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub replaced: Vec<Entry>,
    /// The machines the vault is encrypted to (`otp device`), removed ones included as
    /// tombstones so that a merge does not bring them back.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub devices: Vec<Device>,
}

/// A machine whose key the vault is encrypted to, or its removal.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Device {
    /// The name given with `otp device add --name`; unique among live devices.
    pub name: String,
    /// Unix seconds; with `by`, the stamp of the last change (the later one wins a merge).
    pub at: i64,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub by: String,
    /// The device's public key (`age1…`): never a secret key.
    pub key: String,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub removed: bool,
}

/// A removed entry's tombstone.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Removed {
    pub id: String,
    /// Unix seconds; with `by`, the removal's stamp, compared with entries' stamps.
    pub at: i64,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub by: String,
    /// Fingerprints of the keys removed: the entry's key, those it had replaced and the
    /// replaced keys kept beside it. A copy of the entry holding another key (renewed
    /// elsewhere), or added again after the removal, is not removed by this.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub keys: Vec<String>,
    /// The highest HOTP counter seen for each removed key (by fingerprint), so that the same
    /// key added again never offers a code that was used before the removal.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub counters: BTreeMap<String, u64>,
}

/// What adding one entry did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Added {
    /// A new entry with this id.
    New(String),
    /// The same account with the same key was already there: nothing changed.
    Identical(String),
    /// The account existed with another key, which was replaced (key renewal).
    Replaced(String),
}

impl Added {
    pub(crate) fn id(&self) -> &str {
        match self {
            Added::New(id) | Added::Identical(id) | Added::Replaced(id) => id,
        }
    }
}

impl Document {
    pub(crate) fn new() -> Document {
        Document {
            version: VERSION,
            entries: Vec::new(),
            removed: Vec::new(),
            replaced: Vec::new(),
            devices: Vec::new(),
        }
    }

    /// The devices the vault is encrypted to (not the removed ones).
    pub(crate) fn live_devices(&self) -> impl Iterator<Item = &Device> {
        self.devices.iter().filter(|d| !d.removed)
    }

    /// The live devices' keys, parsed; an error names a device whose key does not parse.
    pub(crate) fn device_recipients(&self) -> Result<Vec<age::x25519::Recipient>, Error> {
        self.live_devices()
            .map(|d| {
                d.key.parse().map_err(|_| {
                    Error::Malformed(format!("device {:?} has no valid age public key", d.name))
                })
            })
            .collect()
    }

    /// Records device `name` with public key `key` (or its removal), stamped later than the
    /// device's previous record.
    pub(crate) fn set_device(&mut self, name: &str, key: &str, removed: bool, now: i64, by: &str) {
        let record = Device {
            name: name.to_string(),
            at: now,
            by: by.to_string(),
            key: key.to_string(),
            removed,
        };
        match self.devices.iter_mut().find(|d| d.name == name) {
            Some(d) => {
                let at = now.max(d.at.saturating_add(1));
                *d = Device { at, ..record };
            }
            None => self.devices.push(record),
        }
    }

    /// Stamps what changed since `before` (the document as read), for merging: a changed or
    /// new entry gets `device` and a time after its previous stamp; a renewed key records the
    /// key it replaced; a removed entry leaves a tombstone, which also removes the replaced
    /// keys kept beside it. The document becomes the current version. `now` is the wall
    /// clock in unix seconds.
    pub(crate) fn stamp_changes(&mut self, before: &Document, now: i64, device: &str) {
        self.version = self.version.max(VERSION);
        for entry in &mut self.entries {
            match before.get(&entry.id) {
                Some(old) if old == entry => {}
                Some(old) => {
                    entry.by = device.to_string();
                    entry.updated = entry.updated.max(now).max(old.updated.saturating_add(1));
                    if (&old.issuer, &old.account) != (&entry.issuer, &entry.account) {
                        entry.renamed = entry.updated;
                    }
                    if old.note != entry.note {
                        entry.noted = entry.updated;
                    }
                    if old.secret != entry.secret {
                        entry.keyed = entry.updated;
                        let fingerprint = old.secret.fingerprint();
                        for key in old.replaces.iter().chain([&fingerprint]) {
                            if !entry.replaces.contains(key) {
                                entry.replaces.push(key.clone());
                            }
                        }
                        entry.replaces.sort();
                    }
                }
                None => {
                    entry.by = device.to_string();
                    entry.updated = entry.updated.max(now);
                    // Added again after a removal: made later than every tombstone of its id,
                    // which then no longer removes it, and never behind the HOTP counter the
                    // same key had reached before.
                    let key = entry.secret.fingerprint();
                    for t in self.removed.iter().filter(|t| t.id == entry.id) {
                        entry.created = entry.created.max(t.at.saturating_add(1));
                        entry.updated = entry.updated.max(entry.created);
                        if let Some(&counter) = t.counters.get(&key) {
                            entry.counter = entry.counter.max(counter);
                        }
                    }
                }
            }
        }
        for old in &before.entries {
            if self.get(&old.id).is_some() {
                continue;
            }
            // The entry and the replaced keys kept beside it go together.
            let kept: Vec<&Entry> = before.replaced.iter().filter(|r| r.id == old.id).collect();
            let mut keys = old.replaces.clone();
            let mut counters = BTreeMap::new();
            let mut at = now;
            for e in std::iter::once(old).chain(kept.iter().copied()) {
                let fingerprint = e.secret.fingerprint();
                if e.counter > 0 {
                    let c = counters.entry(fingerprint.clone()).or_insert(0);
                    *c = e.counter.max(*c);
                }
                keys.push(fingerprint);
                at = at
                    .max(e.updated.saturating_add(1))
                    .max(e.keyed_at().saturating_add(1));
            }
            keys.sort();
            keys.dedup();
            let tombstone = Removed {
                id: old.id.clone(),
                at,
                by: device.to_string(),
                keys,
                counters,
            };
            self.replaced.retain(|r| r.id != old.id);
            match self
                .removed
                .iter_mut()
                .find(|t| (&t.id, t.at, &t.by) == (&tombstone.id, tombstone.at, &tombstone.by))
            {
                Some(t) => {
                    t.keys.extend(tombstone.keys);
                    t.keys.sort();
                    t.keys.dedup();
                    for (k, c) in tombstone.counters {
                        let kept = t.counters.entry(k).or_insert(0);
                        *kept = c.max(*kept);
                    }
                }
                None => self.removed.push(tombstone),
            }
        }
    }

    /// The replaced keys worth showing: those kept beside an entry that hold another key
    /// than the entry's and that no key of the entry (or of another kept record) was made to
    /// replace; one per key. A merge keeps every record (so that merges in any order agree);
    /// this is what `otp list`, `otp doctor` and merge reports show of them.
    pub(crate) fn replaced_keys(&self) -> Vec<&Entry> {
        let mut shown: BTreeMap<(&str, String), &Entry> = BTreeMap::new();
        for record in &self.replaced {
            let Some(entry) = self.get(&record.id) else {
                continue;
            };
            let key = record.secret.fingerprint();
            if key == entry.secret.fingerprint() {
                continue;
            }
            let covered = std::iter::once(entry)
                .chain(self.replaced.iter().filter(|r| r.id == record.id))
                .any(|e| e.replaces.contains(&key) && e.secret.fingerprint() != key);
            if covered {
                continue;
            }
            let slot = shown.entry((&record.id, key)).or_insert(record);
            if (slot.updated, &slot.by) < (record.updated, &record.by) {
                *slot = record;
            }
        }
        shown.into_values().collect()
    }

    /// Parses a decrypted document. A newer version is parsed as far as we understand it;
    /// writing it back is refused by [`Document::check_writable`].
    pub fn from_json(bytes: &[u8]) -> Result<Document, Error> {
        // Checking UTF-8 once up front lets serde_json skip the check for every string
        // (docs/PERFORMANCE.md).
        let text = std::str::from_utf8(bytes)
            .map_err(|_| Error::Malformed("the document is not UTF-8".into()))?;
        serde_json::from_str(text).map_err(|e| malformed(&e))
    }

    /// The document as compact JSON, in a zeroizing buffer allocated once at its exact size.
    pub fn to_json(&self) -> Zeroizing<Vec<u8>> {
        // Compact: a third fewer bytes to decrypt and parse on every `otp code` than
        // pretty-printed (`age -d vault.age | jq` shows it nicely). A buffer that grew as it
        // was written would leave copies of the secrets in the blocks it freed on the way, so
        // the size is counted first and the text written into a slice, which cannot grow.
        // Serialising plain structs of strings and numbers cannot fail.
        let mut count = ByteCount(0);
        if serde_json::to_writer(&mut count, self).is_err() {
            return Zeroizing::new(Vec::new());
        }
        let mut json = Zeroizing::new(vec![0; count.0]);
        let mut rest: &mut [u8] = &mut json;
        let whole = serde_json::to_writer(&mut rest, self).is_ok() && rest.is_empty();
        if !whole {
            return Zeroizing::new(Vec::new());
        }
        json
    }

    /// Whether this otp may write the document back: not one a newer otp wrote.
    pub(crate) fn check_writable(&self) -> Result<(), Error> {
        if self.version > VERSION {
            return Err(Error::Newer(self.version));
        }
        Ok(())
    }

    pub(crate) fn get(&self, id: &str) -> Option<&Entry> {
        self.entries.iter().find(|e| e.id == id)
    }

    pub(crate) fn get_mut(&mut self, id: &str) -> Option<&mut Entry> {
        self.entries.iter_mut().find(|e| e.id == id)
    }

    fn find_account(&self, issuer: &str, account: &str) -> Option<usize> {
        self.entries
            .iter()
            .position(|e| e.same_account(issuer, account))
    }

    /// Adds an entry: one entry per issuer+account, an identical re-add is a no-op, and a
    /// different key replaces the old one only when `replace` is set.
    pub(crate) fn add(&mut self, new: NewEntry, replace: bool, now: i64) -> Result<Added, Error> {
        let Some(i) = self.find_account(&new.issuer, &new.account) else {
            let id = self.fresh_id(&new.issuer, &new.account);
            self.entries.push(new.into_entry(id.clone(), now));
            return Ok(Added::New(id));
        };
        let old = &mut self.entries[i];
        if old.same_key(&new) {
            return Ok(Added::Identical(old.id.clone()));
        }
        if !replace {
            return Err(Error::Conflict(old.label()));
        }
        old.secret = new.secret;
        old.kind = new.kind;
        old.algorithm = new.algorithm;
        old.digits = new.digits;
        old.period = new.period;
        old.counter = new.counter;
        old.updated = now;
        Ok(Added::Replaced(old.id.clone()))
    }

    pub(crate) fn remove(&mut self, id: &str) -> Option<Entry> {
        let i = self.entries.iter().position(|e| e.id == id)?;
        Some(self.entries.remove(i))
    }

    /// Renames an entry, keeping issuer+account unique.
    pub(crate) fn rename(
        &mut self,
        id: &str,
        issuer: Option<&str>,
        account: Option<&str>,
        now: i64,
    ) -> Result<bool, Error> {
        let Some(current) = self.get(id) else {
            return Ok(false);
        };
        let issuer = issuer.unwrap_or(&current.issuer).to_string();
        let account = account.unwrap_or(&current.account).to_string();
        if let Some(other) = self
            .entries
            .iter()
            .find(|e| e.id != id && e.same_account(&issuer, &account))
        {
            return Err(Error::Exists(other.label()));
        }
        let Some(entry) = self.get_mut(id) else {
            return Ok(false);
        };
        if entry.issuer == issuer && entry.account == account {
            return Ok(false);
        }
        entry.issuer = issuer;
        entry.account = account;
        entry.updated = now;
        Ok(true)
    }

    /// A short id derived from the account's name (stable across exports and machines), made
    /// longer on the rare collision. Derived from the name only: never from the secret.
    fn fresh_id(&self, issuer: &str, account: &str) -> String {
        let seed = format!("{}:{}", issuer.to_lowercase(), account.to_lowercase());
        let mut hash = Sha256::digest(seed.as_bytes()).to_vec();
        let mut hex: String = hash.iter().map(|b| format!("{b:02x}")).collect();
        let mut len = 6;
        loop {
            let candidate = &hex[..len.min(hex.len())];
            if self.get(candidate).is_none() {
                return candidate.to_string();
            }
            if len < hex.len() {
                len += 2;
            } else {
                hash = Sha256::digest(&hash).to_vec();
                hex = hash.iter().map(|b| format!("{b:02x}")).collect();
                len = 6;
            }
        }
    }
}

/// A writer that only counts what is written to it.
struct ByteCount(usize);

impl std::io::Write for ByteCount {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0 += bytes.len();
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// serde_json's own messages may quote a value of the document (a secret in the wrong
/// field, say), so only their category and position are kept. An entry refused by its own
/// checks ([`crate::entry::InvalidEntry`]) says which entry and which field, quoting no
/// secret: that message is kept whole.
fn malformed(e: &serde_json::Error) -> Error {
    let text = e.to_string();
    let position = format!(" at line {} column {}", e.line(), e.column());
    if e.classify() == serde_json::error::Category::Data
        && text.starts_with(crate::entry::INVALID_ENTRY)
    {
        let message = text.strip_suffix(&position).unwrap_or(&text);
        return Error::Malformed(format!(
            "{message} (line {}, column {})",
            e.line(),
            e.column()
        ));
    }
    Error::Malformed(format!("{}{position}", classify(e)))
}

fn classify(e: &serde_json::Error) -> &'static str {
    match e.classify() {
        serde_json::error::Category::Io => "read error",
        serde_json::error::Category::Syntax => "syntax error",
        serde_json::error::Category::Data => "unexpected data",
        serde_json::error::Category::Eof => "unexpected end",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entry::Secret;

    fn new(issuer: &str, account: &str, secret: &str) -> NewEntry {
        NewEntry::totp(issuer, account, Secret::parse(secret).unwrap())
    }

    #[test]
    fn duplicate_rules() {
        let mut doc = Document::new();
        let a = doc
            .add(new("GitHub", "alice", "JBSWY3DPEHPK3PXP"), false, 1)
            .unwrap();
        assert!(matches!(a, Added::New(_)));
        let again = doc
            .add(new("github", "ALICE", "JBSWY3DPEHPK3PXP"), false, 2)
            .unwrap();
        assert_eq!(again, Added::Identical(a.id().to_string()));
        let err = doc.add(new("GitHub", "alice", "GEZDGNBVGY3TQOJQ"), false, 3);
        assert!(matches!(err, Err(Error::Conflict(_))));
        let r = doc
            .add(new("GitHub", "alice", "GEZDGNBVGY3TQOJQ"), true, 4)
            .unwrap();
        assert_eq!(r, Added::Replaced(a.id().to_string()));
        assert_eq!(doc.entries.len(), 1);
        assert_eq!(doc.entries[0].secret.as_base32(), "GEZDGNBVGY3TQOJQ");
        assert_eq!((doc.entries[0].created, doc.entries[0].updated), (1, 4));
    }

    #[test]
    fn ids_are_unique_and_stable() {
        let mut doc = Document::new();
        let a = doc
            .add(new("A", "x", "JBSWY3DPEHPK3PXP"), false, 0)
            .unwrap();
        let mut other = Document::new();
        let b = other
            .add(new("a", "X", "GEZDGNBVGY3TQOJQ"), false, 0)
            .unwrap();
        assert_eq!(a.id(), b.id());
        assert_eq!(a.id().len(), 6);
        // Force a collision: the same name hashes to the same id, so it must grow.
        let id = doc.fresh_id("A", "x");
        assert_ne!(id, a.id());
        assert!(id.starts_with(a.id()));
    }

    #[test]
    fn newer_versions_are_read_only() {
        let doc = Document::from_json(br#"{"version": 4, "entries": [], "future": true}"#).unwrap();
        assert!(matches!(doc.check_writable(), Err(Error::Newer(4))));
    }

    #[test]
    fn round_trip() {
        let mut doc = Document::new();
        doc.add(new("A", "x", "JBSWY3DPEHPK3PXP"), false, 5)
            .unwrap();
        let back = Document::from_json(&doc.to_json()).unwrap();
        assert_eq!(back, doc);
    }

    /// A document holding one entry with `fields` (JSON members) after its names.
    fn one(fields: &str) -> Result<Document, Error> {
        let json = format!(
            r#"{{"version":1,"entries":[{{"id":"abc123","issuer":"Bank","account":"me",{fields},"created":1,"updated":2}}]}}"#
        );
        Document::from_json(json.as_bytes())
    }

    #[test]
    fn stored_secrets_are_normalised_as_services_print_them() {
        for secret in [
            "jbsw y3dp ehpk 3pxp",
            "JBSW-Y3DP-EHPK-3PXP",
            "JBSWY3DPEHPK3PXP====",
        ] {
            let doc = one(&format!(r#""secret":"{secret}""#)).unwrap();
            let entry = &doc.entries[0];
            assert_eq!(entry.secret.as_base32(), "JBSWY3DPEHPK3PXP", "{secret}");
            // RFC 6238 style check against the key decoded by the input path.
            let want = Secret::parse("JBSWY3DPEHPK3PXP").unwrap();
            assert_eq!(entry.secret.bytes(), want.bytes());
        }
    }

    #[test]
    fn invalid_stored_entries_name_the_entry_and_field() {
        let cases = [
            (r#""secret":"""#, "the secret is empty"),
            (r#""secret":"   ""#, "the secret is empty"),
            (r#""secret":"JBSWY3DPEHPK3PX!""#, "not base32"),
            (r#""secret":"JBSWY3DPE""#, "not valid base32"),
            (r#""secret":12345"#, "the secret is not text"),
            (
                r#""secret":"JBSWY3DPEHPK3PXP","digits":99"#,
                "digits must be between 6 and 10, not 99",
            ),
            (r#""secret":"JBSWY3DPEHPK3PXP","digits":0"#, "digits"),
            (r#""secret":"JBSWY3DPEHPK3PXP","digits":-6"#, "not -6"),
            (r#""secret":"JBSWY3DPEHPK3PXP","digits":"8""#, "digits"),
            (r#""secret":"JBSWY3DPEHPK3PXP","digits":1e300"#, "not 1e300"),
            (
                r#""secret":"JBSWY3DPEHPK3PXP","type":"steam","digits":6"#,
                "Steam entry must be 5",
            ),
            (r#""secret":"JBSWY3DPEHPK3PXP","period":0"#, "period"),
            (r#""secret":"JBSWY3DPEHPK3PXP","period":3601"#, "period"),
            (r#""secret":"JBSWY3DPEHPK3PXP","period":null"#, "period"),
            (r#""secret":"JBSWY3DPEHPK3PXP","counter":-1"#, "counter"),
            (
                r#""secret":"JBSWY3DPEHPK3PXP","algorithm":"MD5""#,
                "unknown algorithm \"MD5\"",
            ),
            (
                r#""secret":"JBSWY3DPEHPK3PXP","type":"motp""#,
                "unknown type \"motp\"",
            ),
            (
                r#""secret":"JBSWY3DPEHPK3PXP","type":["totp"]"#,
                "unknown type",
            ),
        ];
        for (fields, why) in cases {
            let err = one(fields).expect_err(fields).to_string();
            assert!(err.contains("entry abc123 (Bank:me): "), "{fields}: {err}");
            assert!(err.contains(why), "{fields}: {err}");
            assert!(err.contains("(line 1, column "), "{fields}: {err}");
            assert!(!err.contains("JBSWY3DP"), "{fields}: secret in {err}");
        }
        assert!(one(r#""secret":"JBSWY3DPEHPK3PXP","future":[1]"#).is_ok());
    }

    #[test]
    fn long_names_are_refused_and_shortened_in_the_message() {
        let json = format!(
            r#"{{"version":1,"entries":[{{"id":"abc123","issuer":"{}","account":"me","secret":"JBSWY3DPEHPK3PXP","created":1,"updated":2}}]}}"#,
            "I".repeat(300)
        );
        let err = Document::from_json(json.as_bytes())
            .unwrap_err()
            .to_string();
        assert!(err.contains("the issuer is 300 characters long"), "{err}");
        assert!(err.len() < 300, "{err}");
    }

    #[test]
    fn serdes_own_messages_stay_hidden() {
        // serde would quote the string it found where a number belongs.
        let err = one(r#""secret":"JBSWY3DPEHPK3PXP","created":"JBSWY3DPEHPK3PXP""#)
            .unwrap_err()
            .to_string();
        assert!(!err.contains("JBSWY3DP"), "{err}");
        assert!(err.contains("unexpected data"), "{err}");
    }

    #[test]
    fn to_json_allocates_once_at_the_exact_size() {
        let mut doc = Document::new();
        for i in 0..300 {
            let mut entry = new(
                &format!("Issuer \"{i}\"\t"),
                "ünï@example.com",
                "JBSWY3DPEHPK3PXP",
            );
            entry.digits = 8;
            doc.add(entry, false, 1_700_000_000 + i).unwrap();
        }
        doc.entries[7].note = Some("line\nbreak, \\ and \u{1}".into());
        let json = doc.to_json();
        assert_eq!(&json[..], &serde_json::to_vec(&doc).unwrap()[..]);
        // A buffer that had grown would have more capacity than bytes.
        assert_eq!(json.capacity(), json.len());
        assert_eq!(Document::from_json(&json).unwrap(), doc);
    }

    #[test]
    fn rename_keeps_accounts_unique() {
        let mut doc = Document::new();
        let a = doc
            .add(new("A", "x", "JBSWY3DPEHPK3PXP"), false, 0)
            .unwrap();
        doc.add(new("B", "y", "JBSWY3DPEHPK3PXP"), false, 0)
            .unwrap();
        assert!(matches!(
            doc.rename(a.id(), Some("b"), Some("Y"), 1),
            Err(Error::Exists(_))
        ));
        assert!(doc.rename(a.id(), Some("C"), None, 1).unwrap());
        assert_eq!(doc.get(a.id()).unwrap().label(), "C:x");
    }
}
