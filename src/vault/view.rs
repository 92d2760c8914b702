/*!
The read-only path of `otp code`: find the entry a query names in the decrypted document
without building the [`Document`].

`otp code` runs often and must start fast on a vault of thousands of entries (SPEC §7). A
serde parse of every field of every entry was most of its time, so this reads the document
in one pass, takes from each entry only what a query looks at (id, issuer, account) and the
span of its text, and has serde parse just the chosen entry into a full [`Entry`].

The scanner is strict about what it reads: anything it does not expect (malformed JSON, a
duplicate or escaped key, a missing field) sends the whole document through serde instead,
and the chosen entry is serde's. Of the other entries it checks only the JSON, not the values
serde would check (an unknown `type`, say): such a fault does not stop `otp code` for another
entry, as it stops the commands that read the whole document.
*/

use super::document::{Document, Error};
use crate::entry::Entry;
use crate::query::{self, Matches};
use std::borrow::Cow;

/// The entry `query` names (SPEC §5) in a decrypted document. The outer error is a document
/// that cannot be read; the inner one, a query that names no single entry.
pub fn resolve(plaintext: &[u8], query: &str) -> Result<Result<Entry, query::Error>, Error> {
    let Ok(text) = std::str::from_utf8(plaintext) else {
        return Err(Error::Malformed("the document is not UTF-8".into()));
    };
    let mut matches = Matches::new(query);
    let mut scanner = Scanner {
        text,
        bytes: text.as_bytes(),
        pos: 0,
    };
    if scanner.document(&mut |entry| matches.offer(entry)).is_ok() {
        match matches.resolve() {
            Err(e) => return Ok(Err(e)),
            Ok(entry) => {
                if let Ok(entry) = Document::entry_from_json(entry.json) {
                    return Ok(Ok(entry));
                }
            }
        }
    }
    // Not a document the scanner reads, or the chosen entry is not one serde reads: serde
    // reads the whole document, or says what is wrong with it, where.
    let doc = Document::from_json(plaintext)?;
    Ok(query::resolve(&doc.entries, query).cloned())
}

/// One entry as the scanner found it: the names a query looks at, and its JSON text.
#[derive(Debug)]
struct EntryRef<'a> {
    id: Cow<'a, str>,
    issuer: Cow<'a, str>,
    account: Cow<'a, str>,
    json: &'a str,
}

impl query::Named for EntryRef<'_> {
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

/// Where the first `"`, `\\` or control character of `bytes` is: the end of a string's plain
/// run. Eight bytes at a time: strings are most of the document.
#[inline]
fn special_byte(bytes: &[u8]) -> Option<usize> {
    const ONES: u64 = u64::from_ne_bytes([1; 8]);
    const HIGH: u64 = ONES << 7;
    // A byte of `x` below `n` (or, with n = 1, zero) sets its high bit here; a borrow can set
    // bits only above a byte that truly matches, so the lowest set bit is exact.
    let below = |x: u64, n: u8| x.wrapping_sub(ONES * u64::from(n)) & !x & HIGH;
    let mut i = 0;
    while let Some(chunk) = bytes.get(i..i + 8) {
        let Ok(eight) = <[u8; 8]>::try_from(chunk) else {
            break;
        };
        let x = u64::from_le_bytes(eight);
        let found = below(x ^ (ONES * u64::from(b'"')), 1)
            | below(x ^ (ONES * u64::from(b'\\')), 1)
            | below(x, 0x20);
        if found != 0 {
            return Some(i + (found.trailing_zeros() / 8) as usize);
        }
        i += 8;
    }
    let tail = bytes.get(i..)?;
    let at = tail
        .iter()
        .position(|&b| b == b'"' || b == b'\\' || b < 0x20)?;
    Some(i + at)
}

/// The high bit of each byte of `x` that is not an ASCII digit (exact for every byte).
#[inline]
fn non_digits(x: u64) -> u64 {
    const ONES: u64 = u64::from_ne_bytes([1; 8]);
    const HIGH: u64 = ONES << 7;
    // With each byte's high bit cleared, adding up to 0x80 cannot carry into the next byte.
    let low = x & !HIGH;
    let at_least = |n: u8| (low + ONES * u64::from(0x80 - n)) & HIGH;
    (x & HIGH) | (at_least(b'0') ^ HIGH) | at_least(b'9' + 1)
}

/// A key this program writes, with `name"` as a little-endian word and the mask of its
/// bytes, when it fits in one.
struct Known {
    name: &'static str,
    word: u64,
    mask: Option<u64>,
}

impl Known {
    const fn new(name: &'static str) -> Known {
        let bytes = name.as_bytes();
        if bytes.len() >= 8 {
            return Known {
                name,
                word: 0,
                mask: None,
            };
        }
        let mut word = (b'"' as u64) << (8 * bytes.len());
        let mut i = 0;
        while i < bytes.len() {
            word |= (bytes[i] as u64) << (8 * i);
            i += 1;
        }
        Known {
            name,
            word,
            mask: Some(u64::MAX >> (8 * (7 - bytes.len()))),
        }
    }
}

const ID: Known = Known::new("id");
const ISSUER: Known = Known::new("issuer");
const ACCOUNT: Known = Known::new("account");
const ALGORITHM: Known = Known::new("algorithm");
const SECRET: Known = Known::new("secret");
const CREATED: Known = Known::new("created");
const COUNTER: Known = Known::new("counter");
const UPDATED: Known = Known::new("updated");
const TYPE: Known = Known::new("type");
const DIGITS: Known = Known::new("digits");
const PERIOD: Known = Known::new("period");
const NOTE: Known = Known::new("note");
const RECOVERY: Known = Known::new("recovery");
const VERSION: Known = Known::new("version");
const ENTRIES: Known = Known::new("entries");

/// Nesting deeper than this is left to serde (which refuses it too).
const MAX_DEPTH: usize = 64;

/// Why the scanner gave up. Never shown: serde then reads the document.
#[derive(Debug)]
struct Unexpected;

type Scan<T> = Result<T, Unexpected>;

struct Scanner<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Scanner<'a> {
    /// `{"version": N, "entries": [ENTRY, …], …}`, each entry handed to `each`.
    fn document(&mut self, each: &mut dyn FnMut(EntryRef<'a>)) -> Scan<()> {
        let (mut version, mut entries) = (false, false);
        self.ws();
        self.object(|s, key| {
            match key {
                "version" if !version => {
                    version = true;
                    s.number()?.parse::<u32>().map_err(|_| Unexpected)?;
                }
                "entries" if !entries => {
                    entries = true;
                    s.array(|s| {
                        let entry = s.entry()?;
                        each(entry);
                        Ok(())
                    })?;
                }
                "version" | "entries" => return Err(Unexpected),
                _ => s.value(1)?,
            }
            Ok(())
        })?;
        self.ws();
        if self.pos != self.bytes.len() || !version || !entries {
            return Err(Unexpected);
        }
        Ok(())
    }

    /// One entry object: its id, issuer and account, and its text.
    fn entry(&mut self) -> Scan<EntryRef<'a>> {
        let start = self.pos;
        let (mut id, mut issuer, mut account) = (None, None, None);
        self.object(|s, key| {
            let slot = match key {
                "id" => &mut id,
                "issuer" => &mut issuer,
                "account" => &mut account,
                _ => return s.value(2),
            };
            if slot.is_some() {
                return Err(Unexpected);
            }
            *slot = Some(s.string()?);
            Ok(())
        })?;
        Ok(EntryRef {
            id: id.ok_or(Unexpected)?,
            issuer: issuer.unwrap_or_default(),
            account: account.ok_or(Unexpected)?,
            json: &self.text[start..self.pos],
        })
    }

    /// `{ "key": value, … }`; `member` reads each value.
    fn object(&mut self, mut member: impl FnMut(&mut Self, &'a str) -> Scan<()>) -> Scan<()> {
        self.expect(b'{')?;
        self.ws();
        if self.eat(b'}') {
            return Ok(());
        }
        loop {
            self.ws();
            let key = self.key()?;
            self.ws();
            self.expect(b':')?;
            self.ws();
            member(self, key)?;
            // Compact documents go straight on; whitespace takes the longer way.
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(());
                }
                _ => {
                    self.ws();
                    if self.eat(b'}') {
                        return Ok(());
                    }
                    self.expect(b',')?;
                }
            }
        }
    }

    /// `[ value, … ]`; `element` reads each value.
    fn array(&mut self, mut element: impl FnMut(&mut Self) -> Scan<()>) -> Scan<()> {
        self.expect(b'[')?;
        self.ws();
        if self.eat(b']') {
            return Ok(());
        }
        loop {
            self.ws();
            element(self)?;
            self.ws();
            if self.eat(b']') {
                return Ok(());
            }
            self.expect(b',')?;
        }
    }

    /// Any value, read and skipped.
    fn value(&mut self, depth: usize) -> Scan<()> {
        if depth > MAX_DEPTH {
            return Err(Unexpected);
        }
        match self.peek().ok_or(Unexpected)? {
            b'"' => self.string_span().map(drop),
            b'{' => self.object(|s, _| s.value(depth + 1)),
            b'[' => self.array(|s| s.value(depth + 1)),
            b't' => self.literal("true"),
            b'f' => self.literal("false"),
            b'n' => self.literal("null"),
            _ => self.skip_number(),
        }
    }

    /// An object key: a string without escapes (an escaped key is left to serde).
    #[inline]
    fn key(&mut self) -> Scan<&'a str> {
        // The keys this program writes are recognised whole, without searching for the end
        // of the string: half the strings of a document are keys. Most are compared as one
        // word: the eight bytes after the opening quote.
        let rest = &self.bytes[self.pos..];
        let candidates: &[&Known] = match rest.get(1) {
            Some(b'i') => &[&ID, &ISSUER],
            Some(b'a') => &[&ACCOUNT, &ALGORITHM],
            Some(b's') => &[&SECRET],
            Some(b'c') => &[&CREATED, &COUNTER],
            Some(b'u') => &[&UPDATED],
            Some(b't') => &[&TYPE],
            Some(b'd') => &[&DIGITS],
            Some(b'p') => &[&PERIOD],
            Some(b'n') => &[&NOTE],
            Some(b'r') => &[&RECOVERY],
            Some(b'v') => &[&VERSION],
            Some(b'e') => &[&ENTRIES],
            _ => &[],
        };
        let word = rest
            .get(1..9)
            .and_then(|eight| <[u8; 8]>::try_from(eight).ok())
            .map(u64::from_le_bytes);
        for known in candidates {
            let n = known.name.len();
            let found = match (word, known.mask) {
                (Some(word), Some(mask)) => word & mask == known.word,
                _ => {
                    rest.get(1..=n) == Some(known.name.as_bytes()) && rest.get(n + 1) == Some(&b'"')
                }
            };
            if found {
                self.pos += n + 2;
                return Ok(known.name);
            }
        }
        let (raw, escaped) = self.string_span()?;
        if escaped {
            return Err(Unexpected);
        }
        Ok(raw)
    }

    /// A string value, borrowed unless it has escapes (which serde then decodes).
    #[inline]
    fn string(&mut self) -> Scan<Cow<'a, str>> {
        let start = self.pos;
        let (raw, escaped) = self.string_span()?;
        if !escaped {
            return Ok(Cow::Borrowed(raw));
        }
        serde_json::from_str::<String>(&self.text[start..self.pos])
            .map(Cow::Owned)
            .map_err(|_| Unexpected)
    }

    /// The text between a string's quotes, and whether it holds escapes.
    #[inline]
    fn string_span(&mut self) -> Scan<(&'a str, bool)> {
        self.expect(b'"')?;
        let start = self.pos;
        let mut escaped = false;
        loop {
            let rest = self.bytes.get(self.pos..).ok_or(Unexpected)?;
            self.pos += special_byte(rest).ok_or(Unexpected)?;
            match self.bytes[self.pos] {
                b'"' => break,
                b'\\' => {
                    escaped = true;
                    self.pos += 2;
                }
                _ => return Err(Unexpected),
            }
        }
        let raw = self.text.get(start..self.pos).ok_or(Unexpected)?;
        self.pos += 1;
        Ok((raw, escaped))
    }

    /// A JSON number's text: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
    fn number(&mut self) -> Scan<&'a str> {
        let start = self.pos;
        self.skip_number()?;
        self.text.get(start..self.pos).ok_or(Unexpected)
    }

    /// A number, read and skipped.
    #[inline]
    fn skip_number(&mut self) -> Scan<()> {
        self.eat(b'-');
        if !self.eat(b'0') && self.digits() == 0 {
            return Err(Unexpected);
        }
        if self.eat(b'.') && self.digits() == 0 {
            return Err(Unexpected);
        }
        if self.eat(b'e') || self.eat(b'E') {
            if !self.eat(b'+') {
                self.eat(b'-');
            }
            if self.digits() == 0 {
                return Err(Unexpected);
            }
        }
        Ok(())
    }

    #[inline]
    fn digits(&mut self) -> usize {
        let start = self.pos;
        // Eight at a time: every entry has two ten-digit timestamps.
        while let Some(eight) = self.bytes.get(self.pos..self.pos + 8) {
            let Ok(eight) = <[u8; 8]>::try_from(eight) else {
                break;
            };
            let other = non_digits(u64::from_le_bytes(eight));
            if other != 0 {
                self.pos += (other.trailing_zeros() / 8) as usize;
                return self.pos - start;
            }
            self.pos += 8;
        }
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.pos += 1;
        }
        self.pos - start
    }

    fn literal(&mut self, word: &str) -> Scan<()> {
        if !self.bytes[self.pos..].starts_with(word.as_bytes()) {
            return Err(Unexpected);
        }
        self.pos += word.len();
        Ok(())
    }

    #[inline]
    fn ws(&mut self) {
        // Compact documents have none: one comparison says so.
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = self.peek() {
            self.pos += 1;
        }
    }

    #[inline]
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    #[inline]
    fn eat(&mut self, byte: u8) -> bool {
        let found = self.peek() == Some(byte);
        self.pos += usize::from(found);
        found
    }

    #[inline]
    fn expect(&mut self, byte: u8) -> Scan<()> {
        if self.eat(byte) {
            Ok(())
        } else {
            Err(Unexpected)
        }
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

    fn by_view(json: &[u8], query: &str) -> Result<Result<Entry, query::Error>, String> {
        resolve(json, query).map_err(|e| e.to_string())
    }

    /// Whether the scanner itself reads `json` (rather than handing it to serde).
    fn scans(json: &[u8]) -> Option<usize> {
        let text = std::str::from_utf8(json).ok()?;
        let mut scanner = Scanner {
            text,
            bytes: text.as_bytes(),
            pos: 0,
        };
        let mut n = 0;
        scanner.document(&mut |_| n += 1).ok().map(|()| n)
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
    fn special_bytes_are_found_at_every_offset() {
        for len in 0..40 {
            for at in 0..=len {
                for special in [b'"', b'\\', 0, 0x1f] {
                    let mut bytes = vec![b'a'; len];
                    bytes.extend_from_slice("ü\x7f ~".as_bytes());
                    let want = (at < len).then_some(at);
                    if at < len {
                        bytes[at] = special;
                    }
                    // Plain bytes around it, high ones included, never match.
                    assert_eq!(special_byte(&bytes[..len]), want, "{len} {at} {special}");
                    assert_eq!(special_byte(&bytes), want.or(None), "{len} {at} {special}");
                }
            }
        }
        assert_eq!(
            special_byte(&[0x20, 0x80, 0xff, b'!', b'#', 0x5b, 0x5d, b'"']),
            Some(7)
        );
    }

    #[test]
    fn agrees_with_serde_on_every_query() {
        let doc = sample();
        let json = doc.to_json();
        assert_eq!(scans(&json), Some(doc.entries.len()));
        for id in doc.entries.iter().map(|e| e.id.as_str()) {
            assert_eq!(by_view(&json, id), by_serde(&json, id), "query {id:?}");
        }
        for query in QUERIES {
            assert_eq!(
                by_view(&json, query),
                by_serde(&json, query),
                "query {query:?}"
            );
        }
    }

    #[test]
    fn the_chosen_entry_is_whole() {
        let doc = sample();
        let json = doc.to_json();
        let found = by_view(&json, "github:alice").unwrap().unwrap();
        assert_eq!(&found, &doc.entries[0]);
        assert!(found.note.is_some());
        let found = by_view(&json, ":github").unwrap().unwrap();
        assert_eq!(found.recovery.len(), 2);
        assert_eq!(found.created, 1_700_000_002);
    }

    #[test]
    fn reads_pretty_printed_documents_itself() {
        let doc = sample();
        let pretty = serde_json::to_vec_pretty(&doc).unwrap();
        assert_eq!(scans(&pretty), Some(doc.entries.len()));
        for query in QUERIES {
            assert_eq!(
                by_view(&pretty, query),
                by_serde(&pretty, query),
                "{query:?}"
            );
        }
        let empty = br#" { "entries" : [ ] , "version" : 1 } "#;
        assert_eq!(scans(empty), Some(0));
        assert_eq!(by_view(empty, "x"), by_serde(empty, "x"));
    }

    #[test]
    fn what_it_does_not_read_serde_decides() {
        let cases: &[&[u8]] = &[
            // Valid: an escaped key (left to serde); an unknown member of every kind.
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
            br#"{"version":1,"entries":[],"x":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}"#,
            b"",
            b"\xff\xfe",
        ];
        for json in cases {
            for query in ["x", "aa1", "nothing"] {
                assert_eq!(
                    by_view(json, query),
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
                by_view(cut, "github"),
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
                let (view, serde) = (by_view(&bent, query), by_serde(&bent, query));
                if serde.is_ok() || view.is_err() {
                    assert_eq!(view, serde, "byte {i}, query {query:?}");
                } else if let Ok(Ok(entry)) = view {
                    // Serde refuses the document for a fault in another entry, one the
                    // query does not look at; the chosen entry is whole and untouched.
                    let own = serde_json::to_vec(&entry).unwrap();
                    assert!(bent.windows(own.len()).any(|w| w == own), "byte {i}");
                }
            }
        }
    }

    #[test]
    fn digits_are_told_eight_at_a_time() {
        for byte in 0..=255u8 {
            for at in 0..8 {
                let mut eight = *b"01234567";
                eight[at] = byte;
                let flagged = non_digits(u64::from_le_bytes(eight));
                let expected = if byte.is_ascii_digit() {
                    0
                } else {
                    0x80 << (8 * at)
                };
                assert_eq!(flagged, expected, "byte {byte:#x} at {at}");
            }
        }
    }

    #[test]
    fn known_keys_are_matched_whole() {
        for known in [
            &ID, &ISSUER, &ACCOUNT, &ALGORITHM, &SECRET, &CREATED, &COUNTER, &UPDATED, &TYPE,
            &DIGITS, &PERIOD, &NOTE, &RECOVERY, &VERSION, &ENTRIES,
        ] {
            let name = known.name;
            for (text, whole) in [
                (format!("\"{name}\":1,\"xxxxxxxxxx\""), true),
                (format!("\"{name}\""), true),
                (format!("\"{name}x\":1"), false),
                (format!("\"{name}\\u0041\":1"), false),
                (
                    format!("\"{}\":1,\"xxxxxxxxxx\"", &name[..name.len() - 1]),
                    false,
                ),
            ] {
                let mut scanner = Scanner {
                    text: &text,
                    bytes: text.as_bytes(),
                    pos: 0,
                };
                let key = scanner.key();
                assert_eq!(key.as_ref().ok() == Some(&name), whole, "{text}");
                if whole {
                    assert_eq!(scanner.pos, name.len() + 2, "{text}");
                }
            }
        }
    }
}
