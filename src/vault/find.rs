/*!
The read-only path of `otp code`: the entry a query names, found in the decrypted document
without building the [`Document`].

serde reads the document once. Of each entry it keeps only the names a query looks at (id,
issuer, account: borrowed from the text unless they hold escapes) and where the entry starts;
every other member is skipped, checked only as JSON ([`IgnoredAny`]). The query runs on each
entry as it is read, and only the chosen entry is then parsed into a full [`Entry`]. This
keeps `otp code` fast on vaults of thousands of entries (docs/PERFORMANCE.md).

Everything is checked as JSON, as [`Document::from_json`] checks it. Of the entries that were
not chosen only the names are checked as values: a fault elsewhere in another entry (an
unknown `type`, say) does not stop `otp code` for this one, as it stops the commands that read
the whole document. Whatever this pass refuses, the whole document is then read by
[`Document::from_json`], which reads it or says what is wrong with it, and where.
*/

use super::document::{Document, Error};
use crate::entry::Entry;
use crate::query::{self, Matches};
use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::borrow::Cow;
use std::fmt;

/// The entry `query` names in a decrypted document. The outer error is a document that
/// cannot be read; the inner one, a query that names no single entry.
pub(crate) fn resolve(plaintext: &[u8], query: &str) -> Result<Result<Entry, query::Error>, Error> {
    let Ok(text) = std::str::from_utf8(plaintext) else {
        return Err(Error::Malformed("the document is not UTF-8".into()));
    };
    let mut matches = Matches::new(query);
    if names(text, &mut |entry| matches.offer(entry)).is_ok() {
        match matches.resolve() {
            Err(e) => return Ok(Err(e)),
            Ok(chosen) => {
                if let Some(entry) = entry_at(text, chosen.first_key) {
                    return Ok(Ok(entry));
                }
            }
        }
    }
    let doc = Document::from_json(plaintext)?;
    Ok(query::resolve(&doc.entries, query).cloned())
}

/// Reads the whole document `text`, handing the names of each entry to `each`.
fn names<'a>(text: &'a str, each: &mut dyn FnMut(Names<'a>)) -> serde_json::Result<()> {
    let mut de = serde_json::Deserializer::from_str(text);
    DocumentSeed(each).deserialize(&mut de)?;
    de.end()
}

/// The entry whose first key is `first_key` (a slice of `text`), in full; `None` if it is
/// not a valid entry.
fn entry_at(text: &str, first_key: Option<&str>) -> Option<Entry> {
    let key_at = (first_key?.as_ptr() as usize).checked_sub(text.as_ptr() as usize)?;
    let before = text.get(..key_at)?.strip_suffix('"')?;
    let open = before
        .trim_end_matches([' ', '\t', '\n', '\r'])
        .strip_suffix('{')?;
    // The document was read whole already: serde reads this one value and stops.
    let mut de = serde_json::Deserializer::from_str(text.get(open.len()..)?);
    Entry::deserialize(&mut de).ok()
}

/// What a query looks at in one entry, and where the entry is.
#[derive(Debug)]
struct Names<'a> {
    id: Cow<'a, str>,
    issuer: Cow<'a, str>,
    account: Cow<'a, str>,
    /// The entry's first key, as it stands in the document's text (unless it has escapes).
    first_key: Option<&'a str>,
}

impl query::Named for Names<'_> {
    fn id(&self) -> &str {
        &self.id
    }
    fn issuer(&self) -> &str {
        &self.issuer
    }
    fn account(&self) -> &str {
        &self.account
    }
}

/// The keys of an entry a query looks at, and the key's own text when serde could borrow it.
struct Key<'a> {
    field: Field,
    text: Option<&'a str>,
}

enum Field {
    Id,
    Issuer,
    Account,
    Other,
}

impl<'a> Deserialize<'a> for Key<'a> {
    fn deserialize<D: Deserializer<'a>>(de: D) -> Result<Self, D::Error> {
        de.deserialize_identifier(KeyVisitor)
    }
}

struct KeyVisitor;

impl KeyVisitor {
    fn field(key: &str) -> Field {
        match key {
            "id" => Field::Id,
            "issuer" => Field::Issuer,
            "account" => Field::Account,
            _ => Field::Other,
        }
    }
}

impl<'a> Visitor<'a> for KeyVisitor {
    type Value = Key<'a>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a key")
    }

    fn visit_borrowed_str<E: de::Error>(self, key: &'a str) -> Result<Key<'a>, E> {
        Ok(Key {
            field: Self::field(key),
            text: Some(key),
        })
    }

    fn visit_str<E: de::Error>(self, key: &str) -> Result<Key<'a>, E> {
        Ok(Key {
            field: Self::field(key),
            text: None,
        })
    }
}

impl<'a> Deserialize<'a> for Names<'a> {
    fn deserialize<D: Deserializer<'a>>(de: D) -> Result<Self, D::Error> {
        de.deserialize_map(NamesVisitor)
    }
}

struct NamesVisitor;

impl<'a> Visitor<'a> for NamesVisitor {
    type Value = Names<'a>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an entry")
    }

    fn visit_map<A: MapAccess<'a>>(self, mut map: A) -> Result<Names<'a>, A::Error> {
        let (mut id, mut issuer, mut account) = (None, None, None);
        let mut first_key = None;
        let mut first = true;
        while let Some(key) = map.next_key::<Key<'a>>()? {
            if first {
                first_key = key.text;
                first = false;
            }
            let (slot, name) = match key.field {
                Field::Id => (&mut id, "id"),
                Field::Issuer => (&mut issuer, "issuer"),
                Field::Account => (&mut account, "account"),
                Field::Other => {
                    map.next_value::<IgnoredAny>()?;
                    continue;
                }
            };
            if slot.is_some() {
                return Err(de::Error::duplicate_field(name));
            }
            *slot = Some(map.next_value::<Borrowed<'a>>()?.0);
        }
        Ok(Names {
            id: id.ok_or_else(|| de::Error::missing_field("id"))?,
            issuer: issuer.unwrap_or_default(),
            account: account.ok_or_else(|| de::Error::missing_field("account"))?,
            first_key,
        })
    }
}

/// A string, borrowed from the document unless it has escapes.
struct Borrowed<'a>(Cow<'a, str>);

impl<'a> Deserialize<'a> for Borrowed<'a> {
    fn deserialize<D: Deserializer<'a>>(de: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        struct Wrap<'a>(#[serde(borrow)] Cow<'a, str>);
        Wrap::deserialize(de).map(|w| Borrowed(w.0))
    }
}

/// The document's members, as [`Document`]'s derived `Deserialize` names them.
#[derive(Deserialize)]
#[serde(field_identifier, rename_all = "lowercase")]
enum Member {
    Version,
    Entries,
    #[serde(other)]
    Other,
}

/// `{"version": N, "entries": [...], ...}`, the names of each entry handed to the function.
struct DocumentSeed<'f, 'a>(&'f mut dyn FnMut(Names<'a>));

impl<'a> DeserializeSeed<'a> for DocumentSeed<'_, 'a> {
    type Value = ();

    fn deserialize<D: Deserializer<'a>>(self, de: D) -> Result<(), D::Error> {
        de.deserialize_map(self)
    }
}

impl<'a> Visitor<'a> for DocumentSeed<'_, 'a> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a vault document")
    }

    fn visit_map<A: MapAccess<'a>>(self, mut map: A) -> Result<(), A::Error> {
        let (mut version, mut entries) = (false, false);
        while let Some(member) = map.next_key()? {
            match member {
                Member::Version if !version => {
                    version = true;
                    map.next_value::<u32>()?;
                }
                Member::Entries if !entries => {
                    entries = true;
                    map.next_value_seed(EntriesSeed(&mut *self.0))?;
                }
                Member::Version => return Err(de::Error::duplicate_field("version")),
                Member::Entries => return Err(de::Error::duplicate_field("entries")),
                Member::Other => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        match (version, entries) {
            (true, true) => Ok(()),
            (false, _) => Err(de::Error::missing_field("version")),
            (_, false) => Err(de::Error::missing_field("entries")),
        }
    }
}

struct EntriesSeed<'f, 'a>(&'f mut dyn FnMut(Names<'a>));

impl<'a> DeserializeSeed<'a> for EntriesSeed<'_, 'a> {
    type Value = ();

    fn deserialize<D: Deserializer<'a>>(self, de: D) -> Result<(), D::Error> {
        de.deserialize_seq(self)
    }
}

impl<'a> Visitor<'a> for EntriesSeed<'_, 'a> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of entries")
    }

    fn visit_seq<A: SeqAccess<'a>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(names) = seq.next_element()? {
            (self.0)(names);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entry::{Kind, NewEntry, RecoveryCode, Secret};

    /// What the slow, certain path says: serde reads the whole document.
    fn by_serde(json: &[u8], query: &str) -> Result<Result<Entry, query::Error>, String> {
        let doc = Document::from_json(json).map_err(|e| e.to_string())?;
        Ok(query::resolve(&doc.entries, query).cloned())
    }

    fn by_find(json: &[u8], query: &str) -> Result<Result<Entry, query::Error>, String> {
        resolve(json, query).map_err(|e| e.to_string())
    }

    /// How many entries the one pass reads in `json` (rather than leaving it to
    /// `Document::from_json`).
    fn reads(json: &[u8]) -> Option<usize> {
        let text = std::str::from_utf8(json).ok()?;
        let mut n = 0;
        names(text, &mut |_| n += 1).ok()?;
        Some(n)
    }

    fn sample() -> Document {
        let secret = || Secret::parse("JBSWY3DPEHPK3PXP").unwrap();
        let mut doc = Document::new();
        let names = [
            ("GitHub", "alice"),
            ("GitHub", "bob"),
            ("", "github"),
            ("A \"quoted\" \\ issuer", "tab\there"),
            ("Bücherei", "Leser 4711"),
            ("Ünïcødé ✓", "ünï@example.com"),
            ("Ctrl\u{1}Chars", "line\nbreak"),
            ("Slash/Es", "a+b@example.com"),
        ];
        for (i, (issuer, account)) in names.iter().enumerate() {
            let mut new = NewEntry::totp(issuer, account, secret());
            if i == 1 {
                new.kind = Kind::Hotp;
                new.counter = 41;
                new.digits = 8;
            }
            doc.add(new, false, 1_700_000_000 + i as i64).unwrap();
        }
        doc.entries[0].note = Some("recovery codes in the safe {not json}".into());
        doc.entries[2].recovery = vec![
            RecoveryCode {
                code: "abcd-efgh".into(),
                used: Some(5),
            },
            RecoveryCode {
                code: "]}\",[{".into(),
                used: None,
            },
        ];
        doc
    }

    const QUERIES: &[&str] = &[
        "github",
        "GITHUB:BOB",
        ":github",
        "alice",
        "ali",
        "quoted",
        "a \"quoted\" \\ issuer:tab\there",
        "bücherei",
        "ÜNÏ",
        "ünïcødé ✓",
        "line\nbreak",
        "a+b",
        "es:a+",
        "nothing here",
        "",
        "hub:b",
    ];

    #[test]
    fn agrees_with_serde_on_every_query() {
        let doc = sample();
        let json = doc.to_json();
        assert_eq!(reads(&json), Some(doc.entries.len()));
        for id in doc.entries.iter().map(|e| e.id.as_str()) {
            assert_eq!(by_find(&json, id), by_serde(&json, id), "query {id:?}");
        }
        for query in QUERIES {
            assert_eq!(
                by_find(&json, query),
                by_serde(&json, query),
                "query {query:?}"
            );
        }
    }

    #[test]
    fn the_chosen_entry_is_whole() {
        let doc = sample();
        let json = doc.to_json();
        let found = by_find(&json, "github:alice").unwrap().unwrap();
        assert_eq!(&found, &doc.entries[0]);
        assert!(found.note.is_some());
        let found = by_find(&json, ":github").unwrap().unwrap();
        assert_eq!(found.recovery.len(), 2);
        assert_eq!(found.created, 1_700_000_002);
    }

    #[test]
    fn each_entry_is_found_where_it_starts() {
        let doc = sample();
        let compact = doc.to_json();
        let pretty = serde_json::to_vec_pretty(&doc).unwrap();
        for json in [&compact[..], &pretty[..]] {
            let text = std::str::from_utf8(json).unwrap();
            let mut keys = Vec::new();
            names(text, &mut |names| keys.push(names.first_key)).unwrap();
            let found: Vec<Option<Entry>> = keys.into_iter().map(|k| entry_at(text, k)).collect();
            let expected: Vec<Option<Entry>> = doc.entries.iter().cloned().map(Some).collect();
            assert_eq!(found, expected);
        }
        // An escaped first key is not where serde could borrow it from: no start is known,
        // and the whole document is read instead.
        let escaped = r#"{"version":1,"entries":[{"\u0069d":"aa1","account":"x","secret":"JBSWY3DPEHPK3PXP","created":1,"updated":1}]}"#;
        let mut keys = Vec::new();
        names(escaped, &mut |names| keys.push(names.first_key)).unwrap();
        assert_eq!(keys, [None]);
        assert_eq!(by_find(escaped.as_bytes(), "x").unwrap().unwrap().id, "aa1");
    }

    #[test]
    fn reads_pretty_printed_documents() {
        let doc = sample();
        let pretty = serde_json::to_vec_pretty(&doc).unwrap();
        assert_eq!(reads(&pretty), Some(doc.entries.len()));
        for query in QUERIES {
            assert_eq!(
                by_find(&pretty, query),
                by_serde(&pretty, query),
                "{query:?}"
            );
        }
        let empty = br#" { "entries" : [ ] , "version" : 1 } "#;
        assert_eq!(reads(empty), Some(0));
        assert_eq!(by_find(empty, "x"), by_serde(empty, "x"));
    }

    #[test]
    fn what_it_does_not_read_serde_decides() {
        let cases: &[&[u8]] = &[
            // Valid: an escaped key; an unknown member of every kind.
            br#"{"version":1,"entries":[{"\u0069d":"aa1","account":"x","secret":"JBSWY3DPEHPK3PXP","created":1,"updated":1}]}"#,
            br#"{"version":1,"future":{"a":[1,2.5e3,true,null]},"entries":[]}"#,
            // Keys that begin like the ones otp writes.
            br#"{"version":1,"entries":[{"idx":"zz9","id":"aa1","issuerx":"Q","i":0,"account":"x","secret":"JBSWY3DPEHPK3PXP","created":1,"updated":1,"notes":[]}]}"#,
            // Not valid, each in its own way.
            br#"{"version":1,"entries":[{"id":"aa1","id":"bb2","account":"x","secret":"JBSWY3DPEHPK3PXP","created":1,"updated":1}]}"#,
            br#"{"version":1,"entries":[{"id":"aa1","secret":"JBSWY3DPEHPK3PXP","created":1,"updated":1}]}"#,
            br#"{"version":1,"entries":[]"#,
            br#"{"version":1,"entries":[]} trailing"#,
            br#"{"entries":[]}"#,
            br#"{"version":-1,"entries":[]}"#,
            br#"{"version":1,"version":1,"entries":[]}"#,
            br#"{"version":1,"entries":[{"id":"aa1","account":"x\u0"}]}"#,
            br#"{"version":1,"entries":[{"id":"aa1","account":"raw	tab"}]}"#,
            br#"{"version":1,"entries":[{"id":"aa1","account":null}]}"#,
            br#"{"version":1,"entries":[01]}"#,
            br#"{"version":1,"entries":[],"x":tru}"#,
            // A known key missing its opening quote; a bad escape in a string never read.
            br#"{"version":1,"entries":[{id":"aa1","account":"x","secret":"JBSWY3DPEHPK3PXP","created":1,"updated":1}]}"#,
            br#"{"version":1,"entries":[{"id":"aa1","account":"x","secret":"JBSWY3DPEHPK3PXP","note":"\q","created":1,"updated":1}]}"#,
            br#"{"version":1,"entries":[],"x":"\ud800"}"#,
            br#"{"version":1,"entries":[],"x":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}"#,
            b"",
            b"\xff\xfe",
        ];
        for json in cases {
            for query in ["x", "aa1", "nothing"] {
                assert_eq!(
                    by_find(json, query),
                    by_serde(json, query),
                    "{} / {query}",
                    String::from_utf8_lossy(json)
                );
            }
        }
    }

    #[test]
    fn truncations_and_flipped_bytes() {
        let json = sample().to_json();
        for end in 0..json.len() {
            let cut = &json[..end];
            assert_eq!(
                by_find(cut, "github"),
                by_serde(cut, "github"),
                "cut at {end}"
            );
        }
        let mut rng = fastrand::Rng::with_seed(7);
        for _ in 0..2_000 {
            let mut bent = json.to_vec();
            let i = rng.usize(..bent.len());
            bent[i] = rng.u8(..);
            for query in ["github", "alice", "ünï"] {
                let (find, serde) = (by_find(&bent, query), by_serde(&bent, query));
                if serde.is_ok() || find.is_err() {
                    assert_eq!(find, serde, "byte {i}, query {query:?}");
                } else if let Ok(Ok(entry)) = find {
                    // Serde refuses the document for a fault in another entry, one the
                    // query does not look at; the chosen entry is whole and untouched.
                    let own = serde_json::to_vec(&entry).unwrap();
                    assert!(bent.windows(own.len()).any(|w| w == own), "byte {i}");
                }
            }
        }
    }
}
