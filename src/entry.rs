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
pub const MAX_NAME_CHARS: usize = 256;
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
    #[error("digits must be between 6 and 10, not {0}")]
    Digits(String),
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

/// A base32 shared secret, normalised (upper case, no spaces, dashes or padding).
///
/// The text is wiped from memory when dropped, and `Debug` never shows it.
#[derive(Clone, PartialEq, Eq, Zeroize, ZeroizeOnDrop, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    /// Accepts a secret as services print it: lower case, spaces, dashes, missing padding.
    pub fn parse(text: &str) -> Result<Secret, Error> {
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
        let secret = Secret(std::mem::take(&mut *normal));
        let bits = secret.bytes().len() * 8;
        if bits < 80 {
            return Err(Error::SecretTooShort(bits));
        }
        Ok(secret)
    }

    /// Wraps raw key bytes (from a migration payload or a key renewal).
    pub fn from_bytes(bytes: &[u8]) -> Result<Secret, Error> {
        if bytes.is_empty() {
            return Err(Error::EmptySecret);
        }
        let encoded = base32::encode(base32::Alphabet::Rfc4648 { padding: false }, bytes);
        Ok(Secret(encoded))
    }

    /// A secret read back from the vault, where it was stored normalised.
    pub fn from_normalised(text: &str) -> Secret {
        Secret(text.to_string())
    }

    /// The normalised base32 text, as it goes into URIs and the vault.
    pub fn as_base32(&self) -> &str {
        &self.0
    }

    /// The key bytes. Wiped when the returned buffer is dropped.
    pub fn bytes(&self) -> Zeroizing<Vec<u8>> {
        // `parse` only admits characters of the alphabet and valid lengths, so decoding
        // fails only for a hand-edited vault; an empty key then yields wrong codes, not a panic.
        Zeroizing::new(
            base32::decode(base32::Alphabet::Rfc4648 { padding: false }, &self.0)
                .unwrap_or_default(),
        )
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
    pub fn parse(text: &str) -> Result<Kind, Error> {
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
    pub fn parse(text: &str) -> Result<Algorithm, Error> {
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
pub fn check_digits(digits: u32) -> Result<u8, Error> {
    match u8::try_from(digits) {
        Ok(d @ 6..=10) => Ok(d),
        _ => Err(Error::Digits(digits.to_string())),
    }
}

/// Checks a TOTP period in seconds.
pub fn check_period(period: u64) -> Result<u32, Error> {
    match u32::try_from(period) {
        Ok(p @ 1..=3600) => Ok(p),
        _ => Err(Error::Period(period.to_string())),
    }
}

/// Checks an issuer or account name, after any percent-decoding.
pub fn check_name(what: &'static str, name: &str) -> Result<(), Error> {
    let chars = name.chars().count();
    if chars > MAX_NAME_CHARS {
        return Err(Error::NameTooLong(what, chars));
    }
    if name.chars().any(char::is_control) {
        return Err(Error::ControlCharacters(what));
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

/// One account. The field names are the vault's JSON format (SPEC §4).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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
    pub fn totp(issuer: &str, account: &str, secret: Secret) -> NewEntry {
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
    pub fn label(&self) -> String {
        label_of(&self.issuer, &self.account)
    }

    /// Validates names and parameters; Steam entries get Steam's fixed parameters.
    pub fn validated(mut self) -> Result<NewEntry, Error> {
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
    pub fn grouped_str(s: &str) -> String {
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
    // 10^9 and 10^10 exceed 31 bits: the value is already smaller, so just pad.
    let modulus = 10u64.pow(u32::from(digits));
    let v = u64::from(value) % modulus;
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
    pub fn valid_until(&self) -> i64 {
        self.start + i64::from(self.period)
    }
}

/// `Issuer:account`, or just the account when there is no issuer: how an account is named in
/// every message and listing.
pub fn label_of(issuer: &str, account: &str) -> String {
    if issuer.is_empty() {
        account.to_string()
    } else {
        format!("{issuer}:{account}")
    }
}

impl Entry {
    /// `Issuer:account`, or just the account when there is no issuer.
    pub fn label(&self) -> String {
        label_of(&self.issuer, &self.account)
    }

    /// The account and key parameters, as an input path would produce them.
    pub fn to_new(&self) -> NewEntry {
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

    pub fn is_counter_based(&self) -> bool {
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
    pub fn same_account(&self, issuer: &str, account: &str) -> bool {
        self.issuer.to_lowercase() == issuer.to_lowercase()
            && self.account.to_lowercase() == account.to_lowercase()
    }

    /// Whether `new` carries exactly this entry's key and parameters.
    pub fn same_key(&self, new: &NewEntry) -> bool {
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
