/*!
The entry model and code generation.

An [`Entry`] is one account: who issued it, the shared secret, and the parameters that turn the
secret into codes. Everything here is pure: no I/O, no clock. Callers pass the time in, which
keeps code generation testable against the RFC vectors and `oathtool`.

Codes come from one RFC 4226 function ([`hotp`]): TOTP (RFC 6238) is HOTP of the time step and
Steam Guard is HOTP with a different final encoding. We do not use `totp-rs` because it rejects
80-bit secrets (GitHub, Discord and PayPal issue them) and panics on 9 or 10 digits.
*/

use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use std::fmt;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

/// Longest issuer or account name we accept, in characters.
pub(crate) const MAX_NAME_CHARS: usize = 256;
/// Codes of Steam Guard entries are five characters of this alphabet.
const STEAM_ALPHABET: &[u8] = b"23456789BCDFGHJKMNPQRTVWXY";
const STEAM_DIGITS: u8 = 5;

/// Why an entry or one of its fields was rejected.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum Error {
    #[error("the secret is empty")]
    EmptySecret,
    #[error("the secret is not base32 (letters A-Z and digits 2-7): found {0:?}")]
    SecretNotBase32(char),
    #[error("the secret is not valid base32: its length does not decode to whole bytes")]
    SecretBadLength,
    #[error("the secret is too short: {0} bits, at least 80 are needed")]
    SecretTooShort(usize),
    #[error("the secret is not text")]
    SecretNotText,
    #[error("digits must be between 6 and 10, not {0}")]
    Digits(String),
    #[error("digits of a Steam entry must be 5, not {0}")]
    SteamDigits(String),
    #[error("period must be between 1 and 3600 seconds, not {0}")]
    Period(String),
    #[error("counter must be a whole number, not {0:?}")]
    Counter(String),
    #[error("unknown algorithm {0:?} (expected SHA1, SHA256 or SHA512)")]
    Algorithm(String),
    #[error("unknown type {0:?} (expected totp, hotp or steam)")]
    Kind(String),
    #[error("the {0} is {1} characters long; at most {MAX_NAME_CHARS} are allowed")]
    NameTooLong(&'static str, usize),
    #[error("the account name is empty")]
    EmptyAccount,
    #[error("the {0} contains control characters")]
    ControlCharacters(&'static str),
}

/// A base32 shared secret, normalised (upper case, no spaces, dashes or padding), with the key
/// bytes it decodes to.
///
/// Every constructor checks the text, and the key is decoded once, there: a `Secret` that
/// exists always has a key, so no code is ever made from a key that failed to decode. Both
/// are wiped from memory when dropped, and `Debug` never shows them.
#[derive(Clone, PartialEq, Eq, Zeroize, ZeroizeOnDrop)]
pub struct Secret {
    text: String,
    key: Vec<u8>,
}

impl Secret {
    /// Accepts a secret as services print it: lower case, spaces, dashes, missing padding.
    /// Keys shorter than 80 bits are refused (RFC 4226 asks for at least 128).
    pub(crate) fn parse(text: &str) -> Result<Secret, Error> {
        let secret = Secret::from_stored(text)?;
        let bits = secret.key.len() * 8;
        if bits < 80 {
            return Err(Error::SecretTooShort(bits));
        }
        Ok(secret)
    }

    /// A secret read back from a vault or an otp document: normalised as [`Secret::parse`]
    /// does, and refused when empty or not base32. Shorter keys than `parse` allows are kept:
    /// a Google Authenticator transfer may have stored one, and refusing it here would lock
    /// the user out of their vault.
    pub(crate) fn from_stored(text: &str) -> Result<Secret, Error> {
        let mut normal = Zeroizing::new(String::with_capacity(text.len()));
        for c in text.chars() {
            match c {
                ' ' | '\t' | '-' | '\n' | '\r' | '=' => {}
                'a'..='z' => normal.push(c.to_ascii_uppercase()),
                'A'..='Z' | '2'..='7' => normal.push(c),
                other => return Err(Error::SecretNotBase32(other)),
            }
        }
        if normal.is_empty() {
            return Err(Error::EmptySecret);
        }
        // A base32 string of n characters carries 5n bits; lengths 1, 3 and 6 (mod 8) leave
        // a dangling partial byte and are not valid RFC 4648 encodings.
        if matches!(normal.len() % 8, 1 | 3 | 6) {
            return Err(Error::SecretBadLength);
        }
        let key = base32::decode(base32::Alphabet::Rfc4648 { padding: false }, &normal)
            .ok_or(Error::SecretBadLength)?;
        Ok(Secret {
            text: std::mem::take(&mut *normal),
            key,
        })
    }

    /// Wraps raw key bytes (from a migration payload or a key renewal).
    pub(crate) fn from_bytes(bytes: &[u8]) -> Result<Secret, Error> {
        if bytes.is_empty() {
            return Err(Error::EmptySecret);
        }
        Ok(Secret {
            text: base32::encode(base32::Alphabet::Rfc4648 { padding: false }, bytes),
            key: bytes.to_vec(),
        })
    }

    /// The normalised base32 text, as it goes into URIs and the vault.
    pub fn as_base32(&self) -> &str {
        &self.text
    }

    /// A short, stable name for this key that does not reveal it: the first 64 bits of the
    /// SHA-256 of the key bytes, in hex. Kept inside the encrypted vault only, to tell which
    /// keys an entry's key replaced.
    pub(crate) fn fingerprint(&self) -> String {
        use sha2::{Digest, Sha256};
        let hash = Sha256::digest(&self.key);
        hash[..8].iter().map(|b| format!("{b:02x}")).collect()
    }

    /// The key bytes. Wiped when the returned buffer is dropped.
    pub(crate) fn bytes(&self) -> Zeroizing<Vec<u8>> {
        Zeroizing::new(self.key.clone())
    }
}

impl Serialize for Secret {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.text)
    }
}

/// Checked as [`Secret::from_stored`] checks it: a document can no more hold a secret that
/// fails to decode than an input path can.
impl<'de> Deserialize<'de> for Secret {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Secret, D::Error> {
        match Scalar::deserialize(deserializer)? {
            Scalar::Text(text) => Secret::from_stored(&text).map_err(serde::de::Error::custom),
            _ => Err(serde::de::Error::custom(Error::SecretNotText)),
        }
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

/// How codes are made from the secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// Time-based (RFC 6238).
    #[default]
    Totp,
    /// Counter-based (RFC 4226).
    Hotp,
    /// Steam Guard: TOTP, SHA1, 30 s, five characters of Steam's alphabet.
    Steam,
}

impl Kind {
    pub(crate) fn parse(text: &str) -> Result<Kind, Error> {
        match text.to_ascii_lowercase().as_str() {
            "totp" => Ok(Kind::Totp),
            "hotp" => Ok(Kind::Hotp),
            "steam" => Ok(Kind::Steam),
            _ => Err(Error::Kind(text.to_string())),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Totp => "totp",
            Kind::Hotp => "hotp",
            Kind::Steam => "steam",
        }
    }
}

/// The HMAC hash function.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum Algorithm {
    #[default]
    SHA1,
    SHA256,
    SHA512,
}

impl Algorithm {
    /// Accepts `sha1`, `SHA-256`, `HmacSHA512` and the like, case-insensitively.
    pub(crate) fn parse(text: &str) -> Result<Algorithm, Error> {
        let t = text.to_ascii_uppercase().replace('-', "");
        match t.trim_start_matches("HMAC") {
            "SHA1" => Ok(Algorithm::SHA1),
            "SHA256" => Ok(Algorithm::SHA256),
            "SHA512" => Ok(Algorithm::SHA512),
            _ => Err(Error::Algorithm(text.to_string())),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Algorithm::SHA1 => "SHA1",
            Algorithm::SHA256 => "SHA256",
            Algorithm::SHA512 => "SHA512",
        }
    }
}

/// Checks a digit count for TOTP/HOTP.
pub(crate) fn check_digits(digits: u32) -> Result<u8, Error> {
    match u8::try_from(digits) {
        Ok(d @ 6..=10) => Ok(d),
        _ => Err(Error::Digits(digits.to_string())),
    }
}

/// Checks a TOTP period in seconds.
pub(crate) fn check_period(period: u64) -> Result<u32, Error> {
    match u32::try_from(period) {
        Ok(p @ 1..=3600) => Ok(p),
        _ => Err(Error::Period(period.to_string())),
    }
}

/// Checks an issuer or account name, after any percent-decoding.
pub(crate) fn check_name(what: &'static str, name: &str) -> Result<(), Error> {
    check_length(what, name)?;
    if name.chars().any(char::is_control) {
        return Err(Error::ControlCharacters(what));
    }
    Ok(())
}

/// Checks that a name is at most [`MAX_NAME_CHARS`] characters long.
fn check_length(what: &'static str, name: &str) -> Result<(), Error> {
    let chars = name.chars().count();
    if chars > MAX_NAME_CHARS {
        return Err(Error::NameTooLong(what, chars));
    }
    Ok(())
}

/// A recovery (backup) code kept with its account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Zeroize, ZeroizeOnDrop)]
pub struct RecoveryCode {
    pub code: String,
    /// When it was used (unix seconds), if it was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub used: Option<i64>,
}

/// One account. The field names are the vault's JSON format (see `Document`).
///
/// Reading one checks every value as the input paths do (see [`StoredEntry`]): an entry that
/// could only make wrong codes, or none, is refused with its name and the field at fault.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "StoredEntry")]
pub struct Entry {
    pub id: String,
    #[serde(default)]
    pub issuer: String,
    pub account: String,
    pub secret: Secret,
    // The common values (totp, SHA1, 6 digits, 30 s, counter 0) are left out of the JSON:
    // `otp code` parses every entry on each call, and a third less text is a third less work.
    #[serde(rename = "type", default, skip_serializing_if = "is_default")]
    pub kind: Kind,
    #[serde(default, skip_serializing_if = "is_default")]
    pub algorithm: Algorithm,
    #[serde(default = "default_digits", skip_serializing_if = "is_default_digits")]
    pub digits: u8,
    #[serde(default = "default_period", skip_serializing_if = "is_default_period")]
    pub period: u32,
    #[serde(default, skip_serializing_if = "is_default")]
    pub counter: u64,
    /// Unix seconds.
    pub created: i64,
    /// Unix seconds.
    pub updated: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub recovery: Vec<RecoveryCode>,
    /// The device that made the last change: with `updated`, the entry's modification
    /// stamp, which decides which of two changes made on different machines wins a merge.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub by: String,
    /// Fingerprints ([`Secret::fingerprint`]) of the keys this entry's key replaced: a merge
    /// drops an older copy's key silently only when it is one of these.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub replaces: Vec<String>,
    /// When the issuer or account name last changed (unix seconds; 0: not since it was
    /// added): a merge takes the names of the later rename, whatever else changed later.
    #[serde(default, skip_serializing_if = "is_default")]
    pub renamed: i64,
    /// When the note last changed (0: never): a merge takes the later note.
    #[serde(default, skip_serializing_if = "is_default")]
    pub noted: i64,
    /// When the entry got its current key by a renewal (0: when it was created): with the
    /// id and the key, it names the version a removal elsewhere may remove.
    #[serde(default, skip_serializing_if = "is_default")]
    pub keyed: i64,
}

impl Entry {
    /// When this entry's key was put in it: the renewal, or the addition.
    pub fn keyed_at(&self) -> i64 {
        if self.keyed != 0 {
            self.keyed
        } else {
            self.created
        }
    }
}

pub(crate) fn default_period() -> u32 {
    30
}

pub(crate) fn default_digits() -> u8 {
    6
}

fn is_default<T: Default + PartialEq>(value: &T) -> bool {
    *value == T::default()
}

fn is_default_period(period: &u32) -> bool {
    *period == default_period()
}

fn is_default_digits(digits: &u8) -> bool {
    *digits == default_digits()
}

/// An entry as a document holds it, before its values are checked. The values that decide
/// codes are read loosely (any JSON scalar) so that a wrong one is reported by this module,
/// naming the entry and the field, rather than by serde as "unexpected data".
#[derive(Deserialize)]
struct StoredEntry {
    id: String,
    #[serde(default)]
    issuer: String,
    account: String,
    secret: Scalar,
    #[serde(rename = "type", default)]
    kind: Scalar,
    #[serde(default)]
    algorithm: Scalar,
    #[serde(default)]
    digits: Scalar,
    #[serde(default)]
    period: Scalar,
    #[serde(default)]
    counter: Scalar,
    created: i64,
    updated: i64,
    #[serde(default)]
    note: Option<String>,
    #[serde(default)]
    recovery: Vec<RecoveryCode>,
    #[serde(default)]
    by: String,
    #[serde(default)]
    replaces: Vec<String>,
    #[serde(default)]
    renamed: i64,
    #[serde(default)]
    noted: i64,
    #[serde(default)]
    keyed: i64,
}

/// A stored entry that was refused: which one, and why.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("{INVALID_ENTRY}{id} ({label}): {source}")]
pub(crate) struct InvalidEntry {
    pub id: String,
    /// `issuer:account`, shortened and without control characters.
    pub label: String,
    pub source: Error,
}

/// How the message of an [`InvalidEntry`] begins; `Document` keeps such messages and drops
/// serde's own, which may quote a value.
pub(crate) const INVALID_ENTRY: &str = "entry ";

/// One JSON value where a scalar is expected. Text is wiped when dropped: it may be a secret.
#[derive(Default)]
enum Scalar {
    #[default]
    Absent,
    Number(u64),
    Text(Zeroizing<String>),
    /// Anything else, described for a message (`-1`, `2.5`, `true`, `null`, `a list`).
    Other(String),
}

impl Scalar {
    /// The value for an error message, shortened: it may be attacker-sized.
    fn shown(&self) -> String {
        match self {
            Scalar::Absent => "missing".into(),
            Scalar::Number(n) => n.to_string(),
            Scalar::Text(t) => format!("{:?}", short(t)),
            Scalar::Other(what) => what.clone(),
        }
    }
}

/// At most 20 characters of a value, for a message.
fn short(text: &str) -> String {
    text.chars().take(20).collect()
}

impl<'de> Deserialize<'de> for Scalar {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Scalar, D::Error> {
        deserializer.deserialize_any(ScalarVisitor)
    }
}

struct ScalarVisitor;

impl<'de> serde::de::Visitor<'de> for ScalarVisitor {
    type Value = Scalar;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string or a number")
    }

    fn visit_u64<E>(self, v: u64) -> Result<Scalar, E> {
        Ok(Scalar::Number(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Scalar, E> {
        Ok(u64::try_from(v).map_or_else(|_| Scalar::Other(v.to_string()), Scalar::Number))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Scalar, E> {
        // `1e300` rather than its 301 digits.
        Ok(Scalar::Other(format!("{v:e}")))
    }

    fn visit_bool<E>(self, v: bool) -> Result<Scalar, E> {
        Ok(Scalar::Other(v.to_string()))
    }

    fn visit_str<E>(self, v: &str) -> Result<Scalar, E> {
        Ok(Scalar::Text(Zeroizing::new(v.to_string())))
    }

    fn visit_unit<E>(self) -> Result<Scalar, E> {
        Ok(Scalar::Other("null".into()))
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Scalar, A::Error> {
        while seq.next_element::<serde::de::IgnoredAny>()?.is_some() {}
        Ok(Scalar::Other("a list".into()))
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Scalar, A::Error> {
        while map
            .next_entry::<serde::de::IgnoredAny, serde::de::IgnoredAny>()?
            .is_some()
        {}
        Ok(Scalar::Other("an object".into()))
    }
}

/// The values that make codes, checked.
struct Checked {
    secret: Secret,
    kind: Kind,
    algorithm: Algorithm,
    digits: u8,
    period: u32,
    counter: u64,
}

impl StoredEntry {
    /// The same rules as the input paths, except what cannot make a wrong code (control
    /// characters in a name, a short key): refusing those would lock a user out of a vault
    /// an earlier otp wrote.
    fn check(&self) -> Result<Checked, Error> {
        check_length("issuer", &self.issuer)?;
        check_length("account name", &self.account)?;
        let secret = match &self.secret {
            Scalar::Text(text) => Secret::from_stored(text)?,
            _ => return Err(Error::SecretNotText),
        };
        let kind = match &self.kind {
            Scalar::Absent => Kind::default(),
            Scalar::Text(text) => Kind::parse(text).map_err(|_| Error::Kind(short(text)))?,
            other => return Err(Error::Kind(other.shown())),
        };
        let algorithm = match &self.algorithm {
            Scalar::Absent => Algorithm::default(),
            Scalar::Text(text) => {
                Algorithm::parse(text).map_err(|_| Error::Algorithm(short(text)))?
            }
            other => return Err(Error::Algorithm(other.shown())),
        };
        let digits = match (kind, &self.digits) {
            (Kind::Steam, Scalar::Absent | Scalar::Number(5)) => STEAM_DIGITS,
            (Kind::Steam, other) => return Err(Error::SteamDigits(other.shown())),
            (_, Scalar::Absent) => default_digits(),
            (_, Scalar::Number(n)) => check_digits(u32::try_from(*n).unwrap_or(u32::MAX))?,
            (_, other) => return Err(Error::Digits(other.shown())),
        };
        let period = match &self.period {
            Scalar::Absent => default_period(),
            Scalar::Number(n) => check_period(*n)?,
            other => return Err(Error::Period(other.shown())),
        };
        let counter = match &self.counter {
            Scalar::Absent => 0,
            Scalar::Number(n) => *n,
            other => return Err(Error::Counter(other.shown())),
        };
        Ok(Checked {
            secret,
            kind,
            algorithm,
            digits,
            period,
            counter,
        })
    }
}

impl TryFrom<StoredEntry> for Entry {
    type Error = InvalidEntry;

    fn try_from(stored: StoredEntry) -> Result<Entry, InvalidEntry> {
        let checked = stored.check().map_err(|source| {
            let label: String = label_of(&stored.issuer, &stored.account)
                .chars()
                .filter(|c| !c.is_control())
                .take(64)
                .collect();
            InvalidEntry {
                id: stored
                    .id
                    .chars()
                    .filter(|c| !c.is_control())
                    .take(64)
                    .collect(),
                label,
                source,
            }
        })?;
        Ok(Entry {
            id: stored.id,
            issuer: stored.issuer,
            account: stored.account,
            secret: checked.secret,
            kind: checked.kind,
            algorithm: checked.algorithm,
            digits: checked.digits,
            period: checked.period,
            counter: checked.counter,
            created: stored.created,
            updated: stored.updated,
            note: stored.note,
            recovery: stored.recovery,
            by: stored.by,
            replaces: stored.replaces,
            renamed: stored.renamed,
            noted: stored.noted,
            keyed: stored.keyed,
        })
    }
}

/// What an entry is made of before it has an id and timestamps: the output of every input
/// path (URI, QR, manual entry, imports).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEntry {
    pub issuer: String,
    pub account: String,
    pub secret: Secret,
    pub kind: Kind,
    pub algorithm: Algorithm,
    pub digits: u8,
    pub period: u32,
    pub counter: u64,
}

impl NewEntry {
    /// A TOTP entry with the common defaults (SHA1, 6 digits, 30 s).
    pub(crate) fn totp(issuer: &str, account: &str, secret: Secret) -> NewEntry {
        NewEntry {
            issuer: issuer.to_string(),
            account: account.to_string(),
            secret,
            kind: Kind::Totp,
            algorithm: Algorithm::SHA1,
            digits: 6,
            period: 30,
            counter: 0,
        }
    }

    /// `Issuer:account`, or just the account when there is no issuer.
    pub(crate) fn label(&self) -> String {
        label_of(&self.issuer, &self.account)
    }

    /// Validates names and parameters; Steam entries get Steam's fixed parameters.
    pub(crate) fn validated(mut self) -> Result<NewEntry, Error> {
        // Names typed by hand may carry stray spaces; URIs drop them after the separator.
        self.issuer = self.issuer.trim().to_string();
        self.account = self.account.trim().to_string();
        check_name("issuer", &self.issuer)?;
        check_name("account name", &self.account)?;
        if self.account.is_empty() && self.issuer.is_empty() {
            return Err(Error::EmptyAccount);
        }
        if self.kind == Kind::Steam {
            self.algorithm = Algorithm::SHA1;
            self.digits = STEAM_DIGITS;
            self.period = 30;
        } else {
            check_digits(u32::from(self.digits))?;
        }
        check_period(u64::from(self.period))?;
        Ok(self)
    }

    /// Turns this into a stored entry with the given id and creation time.
    pub fn into_entry(self, id: String, now: i64) -> Entry {
        Entry {
            id,
            issuer: self.issuer,
            account: self.account,
            secret: self.secret,
            kind: self.kind,
            algorithm: self.algorithm,
            digits: self.digits,
            period: self.period,
            counter: self.counter,
            created: now,
            updated: now,
            note: None,
            recovery: Vec::new(),
            by: String::new(),
            replaces: Vec::new(),
            renamed: 0,
            noted: 0,
            keyed: 0,
        }
    }
}

/// A generated one-time code.
#[derive(Clone, PartialEq, Eq, Zeroize, ZeroizeOnDrop)]
pub struct Code(String);

impl Code {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The code split in two halves for reading aloud or typing: `123 456`, `1234 5678`.
    pub fn grouped(&self) -> String {
        Code::grouped_str(&self.0)
    }

    /// [`Code::grouped`] for a code already turned into text.
    pub(crate) fn grouped_str(s: &str) -> String {
        if s.len() < 6 || !s.is_ascii() {
            return s.to_string();
        }
        let (a, b) = s.split_at(s.len() / 2 + s.len() % 2);
        format!("{a} {b}")
    }
}

impl fmt::Debug for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Code(<redacted>)")
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// RFC 4226 HOTP: HMAC of the big-endian counter, dynamic truncation to 31 bits.
pub fn hotp(key: &[u8], counter: u64, algorithm: Algorithm) -> u32 {
    let msg = counter.to_be_bytes();
    // HMAC takes keys of any length, so `new_from_slice` cannot fail; the fallback keeps
    // this function total rather than trusting that with a panic.
    macro_rules! mac {
        ($hash:ty) => {
            match <Hmac<$hash> as Mac>::new_from_slice(key) {
                Ok(mut m) => {
                    m.update(&msg);
                    m.finalize().into_bytes().to_vec()
                }
                Err(_) => return 0,
            }
        };
    }
    let mac: Zeroizing<Vec<u8>> = Zeroizing::new(match algorithm {
        Algorithm::SHA1 => mac!(sha1::Sha1),
        Algorithm::SHA256 => mac!(sha2::Sha256),
        Algorithm::SHA512 => mac!(sha2::Sha512),
    });
    let offset = usize::from(mac[mac.len() - 1] & 0x0f);
    let word = [
        mac[offset],
        mac[offset + 1],
        mac[offset + 2],
        mac[offset + 3],
    ];
    u32::from_be_bytes(word) & 0x7fff_ffff
}

/// Formats a truncated HOTP value as `digits` decimal digits.
fn decimal(value: u32, digits: u8) -> String {
    // 10^9 and 10^10 exceed 31 bits: the value is already smaller, so just pad. Entries are
    // checked to 6..=10 digits; a count past u64 leaves the value whole rather than panic.
    let v = match 10u64.checked_pow(u32::from(digits)) {
        Some(modulus) => u64::from(value) % modulus,
        None => u64::from(value),
    };
    format!("{v:0width$}", width = usize::from(digits))
}

fn steam(mut value: u32) -> String {
    let n = STEAM_ALPHABET.len() as u32;
    (0..STEAM_DIGITS)
        .map(|_| {
            let c = STEAM_ALPHABET[(value % n) as usize] as char;
            value /= n;
            c
        })
        .collect()
}

/// Where a time-based code stands within its period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    /// Seconds since the epoch at which the code became valid.
    pub start: i64,
    /// Seconds left until it expires (1..=period).
    pub remaining: u32,
    pub period: u32,
}

impl Window {
    pub(crate) fn valid_until(&self) -> i64 {
        self.start + i64::from(self.period)
    }
}

/// `Issuer:account`, or just the account when there is no issuer: how an account is named in
/// every message and listing.
pub(crate) fn label_of(issuer: &str, account: &str) -> String {
    if issuer.is_empty() {
        account.to_string()
    } else {
        format!("{issuer}:{account}")
    }
}

impl Entry {
    /// How many of the entry's recovery codes are still unused.
    pub(crate) fn unused_recovery_codes(&self) -> usize {
        self.recovery.iter().filter(|r| r.used.is_none()).count()
    }

    /// `Issuer:account`, or just the account when there is no issuer.
    pub(crate) fn label(&self) -> String {
        label_of(&self.issuer, &self.account)
    }

    /// The account and key parameters, as an input path would produce them.
    pub(crate) fn to_new(&self) -> NewEntry {
        NewEntry {
            issuer: self.issuer.clone(),
            account: self.account.clone(),
            secret: self.secret.clone(),
            kind: self.kind,
            algorithm: self.algorithm,
            digits: self.digits,
            period: self.period,
            counter: self.counter,
        }
    }

    pub(crate) fn is_counter_based(&self) -> bool {
        self.kind == Kind::Hotp
    }

    /// The time step at unix time `at` (negative times count as 0).
    fn step(&self, at: i64) -> u64 {
        (at.max(0) as u64) / u64::from(self.period.max(1))
    }

    /// The code valid at unix time `at` (TOTP, Steam), or for the stored counter (HOTP).
    pub fn code_at(&self, at: i64) -> Code {
        let counter = match self.kind {
            Kind::Hotp => self.counter,
            Kind::Totp | Kind::Steam => self.step(at),
        };
        self.code_for_counter(counter)
    }

    /// The code for a given counter value or time step.
    pub fn code_for_counter(&self, counter: u64) -> Code {
        let key = self.secret.bytes();
        let value = hotp(&key, counter, self.algorithm);
        Code(match self.kind {
            Kind::Steam => steam(value),
            Kind::Totp | Kind::Hotp => decimal(value, self.digits),
        })
    }

    /// The validity window of the code at `at`.
    pub fn window_at(&self, at: i64) -> Window {
        let period = self.period.max(1);
        let at = at.max(0);
        let start = at - at % i64::from(period);
        Window {
            start,
            remaining: (start + i64::from(period) - at) as u32,
            period,
        }
    }

    /// Whether `other` is the same account (issuer and account, case-insensitively).
    pub(crate) fn same_account(&self, issuer: &str, account: &str) -> bool {
        self.issuer.to_lowercase() == issuer.to_lowercase()
            && self.account.to_lowercase() == account.to_lowercase()
    }

    /// Whether `new` carries exactly this entry's key and parameters.
    pub(crate) fn same_key(&self, new: &NewEntry) -> bool {
        self.secret == new.secret
            && self.kind == new.kind
            && self.algorithm == new.algorithm
            && self.digits == new.digits
            && (self.kind == Kind::Hotp || self.period == new.period)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RFC4226_KEY: &[u8] = b"12345678901234567890";

    #[test]
    fn rfc4226_appendix_d() {
        let expected = [
            755224, 287082, 359152, 969429, 338314, 254676, 287922, 162583, 399871, 520489,
        ];
        for (counter, want) in expected.iter().enumerate() {
            let v = hotp(RFC4226_KEY, counter as u64, Algorithm::SHA1);
            assert_eq!(decimal(v, 6), format!("{want:06}"), "counter {counter}");
        }
    }

    fn rfc6238_entry(algorithm: Algorithm) -> Entry {
        let key: &[u8] = match algorithm {
            Algorithm::SHA1 => b"12345678901234567890",
            Algorithm::SHA256 => b"12345678901234567890123456789012",
            Algorithm::SHA512 => {
                b"1234567890123456789012345678901234567890123456789012345678901234"
            }
        };
        let mut e = NewEntry::totp("RFC", "6238", Secret::from_bytes(key).unwrap())
            .into_entry("x".into(), 0);
        e.algorithm = algorithm;
        e.digits = 8;
        e
    }

    #[test]
    fn rfc6238_appendix_b() {
        let table: &[(i64, &str, &str, &str)] = &[
            (59, "94287082", "46119246", "90693936"),
            (1111111109, "07081804", "68084774", "25091201"),
            (1111111111, "14050471", "67062674", "99943326"),
            (1234567890, "89005924", "91819424", "93441116"),
            (2000000000, "69279037", "90698825", "38618901"),
            (20000000000, "65353130", "77737706", "47863826"),
        ];
        for &(t, sha1, sha256, sha512) in table {
            assert_eq!(rfc6238_entry(Algorithm::SHA1).code_at(t).as_str(), sha1);
            assert_eq!(rfc6238_entry(Algorithm::SHA256).code_at(t).as_str(), sha256);
            assert_eq!(rfc6238_entry(Algorithm::SHA512).code_at(t).as_str(), sha512);
        }
    }

    #[test]
    fn ten_digits_are_zero_padded_31_bit_values() {
        let v = hotp(RFC4226_KEY, 0, Algorithm::SHA1);
        assert_eq!(decimal(v, 10), format!("{v:010}"));
        assert_eq!(decimal(v, 9).len(), 9);
    }

    #[test]
    fn secrets_as_services_print_them() {
        let want = Secret::parse("JBSWY3DPEHPK3PXP").unwrap();
        for text in [
            "jbsw y3dp ehpk 3pxp",
            "JBSW-Y3DP-EHPK-3PXP",
            "jbswy3dpehpk3pxp",
        ] {
            assert_eq!(Secret::parse(text).unwrap(), want, "{text}");
        }
        // 80-bit secret, 16 characters, no padding needed.
        assert_eq!(Secret::parse("JBSWY3DPEHPK3PXP").unwrap().bytes().len(), 10);
        // A padded 160-bit secret.
        let padded = Secret::parse("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ======").unwrap();
        assert_eq!(padded.bytes().len(), 20);
    }

    #[test]
    fn bad_secrets_say_why() {
        assert_eq!(Secret::parse(""), Err(Error::EmptySecret));
        assert_eq!(Secret::parse("  - "), Err(Error::EmptySecret));
        assert_eq!(
            Secret::parse("JBSWY3DPEHPK3PX1"),
            Err(Error::SecretNotBase32('1'))
        );
        assert_eq!(Secret::parse("JBSWY3DPE"), Err(Error::SecretBadLength));
        assert_eq!(Secret::parse("JBSWY3DP"), Err(Error::SecretTooShort(40)));
    }

    #[test]
    fn reading_a_secret_checks_and_normalises_it() {
        let read = |json: &str| serde_json::from_str::<Secret>(json).map_err(|e| e.to_string());
        let want = Secret::parse("JBSWY3DPEHPK3PXP").unwrap();
        for json in [r#""jbsw y3dp ehpk 3pxp""#, r#""JBSWY3DPEHPK3PXP====""#] {
            let got = read(json).unwrap();
            assert_eq!(got, want, "{json}");
            assert_eq!(got.bytes(), want.bytes(), "{json}");
            assert_eq!(
                serde_json::to_string(&got).unwrap(),
                r#""JBSWY3DPEHPK3PXP""#
            );
        }
        for (json, why) in [
            (r#""""#, "the secret is empty"),
            (r#""JBSWY3DPEHPK3PX!""#, "not base32"),
            (r#""JBSWY3DPE""#, "not valid base32"),
            ("12345", "the secret is not text"),
            ("null", "the secret is not text"),
        ] {
            let err = read(json).unwrap_err();
            assert!(err.contains(why), "{json}: {err}");
        }
        // A short key read back is kept (a transfer may have stored one), never emptied.
        let short = read(r#""JBSWY3DP""#).unwrap();
        assert_eq!(short.bytes().as_slice(), b"Hello");
        assert_eq!(Secret::from_stored("JBSWY3DP").unwrap(), short);
    }

    #[test]
    fn secret_debug_is_redacted() {
        let s = Secret::parse("JBSWY3DPEHPK3PXP").unwrap();
        assert!(!format!("{s:?}").contains("JBSW"));
    }

    #[test]
    fn steam_codes_use_steams_alphabet() {
        let mut e = NewEntry::totp("Steam", "me", Secret::parse("JBSWY3DPEHPK3PXP").unwrap());
        e.kind = Kind::Steam;
        let e = e.validated().unwrap().into_entry("s".into(), 0);
        let code = e.code_at(1_700_000_000);
        assert_eq!(code.as_str().len(), 5);
        assert!(code.as_str().bytes().all(|b| STEAM_ALPHABET.contains(&b)));
    }

    #[test]
    fn window_counts_down_to_one() {
        let e = rfc6238_entry(Algorithm::SHA1);
        assert_eq!(e.window_at(60).remaining, 30);
        assert_eq!(e.window_at(89).remaining, 1);
        assert_eq!(e.window_at(89).valid_until(), 90);
    }

    #[test]
    fn grouping() {
        let e = rfc6238_entry(Algorithm::SHA1);
        assert_eq!(e.code_at(59).grouped(), "9428 7082");
        assert_eq!(Code("123456".into()).grouped(), "123 456");
        assert_eq!(Code("1234567".into()).grouped(), "1234 567");
    }

    #[test]
    fn parameters_are_checked() {
        assert!(check_digits(5).is_err());
        assert!(check_digits(99).is_err());
        assert_eq!(check_digits(10), Ok(10));
        assert!(check_period(0).is_err());
        assert!(check_period(3601).is_err());
        assert!(Algorithm::parse("md5").is_err());
        assert_eq!(Algorithm::parse("sha-256"), Ok(Algorithm::SHA256));
        assert!(check_name("issuer", &"x".repeat(257)).is_err());
    }
}
