/*!
Google Authenticator "Transfer accounts" payloads: `otpauth-migration://offline?data=…`.

The `data` parameter is base64 of a protobuf `MigrationPayload` holding a batch of accounts
(the app splits a large export over several QR codes, each one batch). The schema is not
published by Google; the field numbers below are the ones every open-source importer uses
(e.g. github.com/dim13/otpauth, `migration.proto`). The message structs are written by hand
with `prost` derives, so the build needs no `protoc`.

Quirks handled here, all seen in real exports:
- The base64 may carry unescaped `+` and `/`: the query is percent-decoded but never
  form-decoded (`+` stays `+`); a space, which is never base64, is taken as a `+` that some
  earlier step form-decoded. Padding may be present or missing.
- `batch_id` is an `int32` and often negative, so it arrives as a 10-byte varint.
- Algorithm and digits may be UNSPECIFIED (0): SHA1 and 6 digits. There is no period field:
  Google Authenticator only supports 30 s.
*/

use crate::entry::{self, Algorithm, Kind, NewEntry, Secret};
use base64::Engine as _;
use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use percent_encoding::percent_decode_str;
use prost::Message;
use zeroize::Zeroizing;

const SCHEME: &str = "otpauth-migration://";

/// Why a transfer payload was rejected. Never includes the secret or the payload.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum Error {
    #[error(
        "not a Google Authenticator transfer URI (expected otpauth-migration://offline?data=…)"
    )]
    NotMigration,
    #[error("the transfer URI has no data parameter")]
    MissingData,
    #[error("the transfer data has a broken percent escape")]
    BadEscape,
    #[error("the transfer data is not base64: {0}")]
    NotBase64(String),
    #[error("the transfer data is not a valid Google Authenticator payload (protobuf): {0}")]
    NotProtobuf(String),
    #[error("the transfer holds no accounts")]
    Empty,
    #[error("account {index} of the transfer has an unsupported OTP type ({value})")]
    UnsupportedType { index: usize, value: i32 },
    #[error("account {index} of the transfer uses an unsupported algorithm ({name})")]
    UnsupportedAlgorithm { index: usize, name: String },
    #[error("account {index} of the transfer has an unsupported digit count ({value})")]
    UnsupportedDigits { index: usize, value: i32 },
    #[error("account {index} of the transfer: {source}")]
    Entry {
        index: usize,
        #[source]
        source: entry::Error,
    },
}

/// `MigrationPayload` from Google Authenticator's export format.
#[derive(Clone, PartialEq, prost::Message)]
struct Payload {
    #[prost(message, repeated, tag = "1")]
    otp_parameters: Vec<OtpParameters>,
    #[prost(int32, tag = "2")]
    version: i32,
    #[prost(int32, tag = "3")]
    batch_size: i32,
    #[prost(int32, tag = "4")]
    batch_index: i32,
    #[prost(int32, tag = "5")]
    batch_id: i32,
}

/// `MigrationPayload.OtpParameters`. Enums are kept as raw `int32` so that values this code
/// does not know yet produce a precise error instead of a silent default.
#[derive(Clone, PartialEq, prost::Message)]
struct OtpParameters {
    #[prost(bytes = "vec", tag = "1")]
    secret: Vec<u8>,
    #[prost(string, tag = "2")]
    name: String,
    #[prost(string, tag = "3")]
    issuer: String,
    /// 0 unspecified, 1 SHA1, 2 SHA256, 3 SHA512, 4 MD5.
    #[prost(int32, tag = "4")]
    algorithm: i32,
    /// 0 unspecified, 1 six, 2 eight.
    #[prost(int32, tag = "5")]
    digits: i32,
    /// 0 unspecified, 1 HOTP, 2 TOTP.
    #[prost(int32, tag = "6")]
    kind: i32,
    #[prost(int64, tag = "7")]
    counter: i64,
}

impl Drop for OtpParameters {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.secret);
    }
}

/// Why the transfer format cannot carry `entry`, if it cannot: it has no Steam type, no
/// period (30 s is implied) and only 6 or 8 digits.
pub(crate) fn cannot_carry(entry: &NewEntry) -> Option<String> {
    match entry.kind {
        Kind::Steam => Some("Steam Guard codes are not in the format".into()),
        Kind::Totp if entry.period != 30 => Some(format!(
            "its period is {} s; the format only has 30 s",
            entry.period
        )),
        _ if !matches!(entry.digits, 6 | 8) => Some(format!(
            "it has {} digits; the format only has 6 or 8",
            entry.digits
        )),
        _ => None,
    }
}

/// The transfer URIs for `entries` (which [`cannot_carry`] accepts): batches of at most
/// `batch` accounts sharing `batch_id`, as Google Authenticator's "Transfer accounts" makes.
pub fn to_uris(entries: &[NewEntry], batch: usize, batch_id: i32) -> Vec<Zeroizing<String>> {
    let chunks: Vec<&[NewEntry]> = entries.chunks(batch.max(1)).collect();
    let size = i32::try_from(chunks.len()).unwrap_or(i32::MAX);
    chunks
        .iter()
        .zip(0..)
        .map(|(chunk, index)| {
            let payload = Payload {
                otp_parameters: chunk.iter().map(parameters_of).collect(),
                version: 1,
                batch_size: size,
                batch_index: index,
                batch_id,
            };
            let bytes = Zeroizing::new(payload.encode_to_vec());
            let data = Zeroizing::new(base64::engine::general_purpose::STANDARD.encode(&*bytes));
            // Escaped as Google does: its reader form-decodes, so a raw `+` would be a space.
            let data = Zeroizing::new(
                data.replace('+', "%2B")
                    .replace('/', "%2F")
                    .replace('=', "%3D"),
            );
            Zeroizing::new(format!("{SCHEME}offline?data={}", &*data))
        })
        .collect()
}

fn parameters_of(entry: &NewEntry) -> OtpParameters {
    // An account with a colon and no issuer would be split at the colon when read back:
    // an empty issuer prefix keeps it whole (as `otp uri` does). One that starts with its own
    // issuer and a colon would lose that start, read back as a repeated prefix: the prefix
    // written out keeps it.
    let repeats_issuer = !entry.issuer.is_empty()
        && entry
            .account
            .get(..entry.issuer.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(&entry.issuer))
        && entry.account[entry.issuer.len()..].starts_with(':');
    let name = if entry.issuer.is_empty() && entry.account.contains(':') {
        format!(":{}", entry.account)
    } else if repeats_issuer {
        format!("{}:{}", entry.issuer, entry.account)
    } else {
        entry.account.clone()
    };
    OtpParameters {
        secret: entry.secret.bytes().to_vec(),
        name,
        issuer: entry.issuer.clone(),
        algorithm: match entry.algorithm {
            Algorithm::SHA1 => 1,
            Algorithm::SHA256 => 2,
            Algorithm::SHA512 => 3,
        },
        digits: if entry.digits == 8 { 2 } else { 1 },
        kind: if entry.kind == Kind::Hotp { 1 } else { 2 },
        counter: i64::try_from(entry.counter).unwrap_or(i64::MAX),
    }
}

/// One decoded transfer QR code: its accounts and where it sits in a multi-part export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Batch {
    pub entries: Vec<NewEntry>,
    /// Zero-based position of this QR code in the export.
    pub index: u32,
    /// How many QR codes the export has (1 when unsplit or unknown).
    pub size: u32,
    /// Identifies the export; the parts of one export share it.
    pub id: i32,
}

/// Whether `text` is an `otpauth-migration://` URI (any case).
pub fn is_migration(text: &str) -> bool {
    text.trim_start()
        .get(..SCHEME.len())
        .is_some_and(|s| s.eq_ignore_ascii_case(SCHEME))
}

/// Parses a transfer URI into its validated entries.
pub fn parse(uri: &str) -> Result<Vec<NewEntry>, Error> {
    parse_batch(uri).map(|batch| batch.entries)
}

/// Parses a transfer URI, keeping the batch position (to tell the user a part is missing).
pub fn parse_batch(uri: &str) -> Result<Batch, Error> {
    let uri = uri.trim();
    if !is_migration(uri) {
        return Err(Error::NotMigration);
    }
    let query = uri.split_once('?').map_or("", |(_, q)| q);
    let data = query
        .split('&')
        .find_map(|pair| {
            let (name, value) = pair.split_once('=')?;
            name.eq_ignore_ascii_case("data").then_some(value)
        })
        .ok_or(Error::MissingData)?;
    let bytes = Zeroizing::new(decode_base64(data)?);
    let payload =
        Payload::decode(bytes.as_slice()).map_err(|e| Error::NotProtobuf(e.to_string()))?;
    if payload.otp_parameters.is_empty() {
        return Err(Error::Empty);
    }
    let entries = payload
        .otp_parameters
        .iter()
        .enumerate()
        .map(|(i, p)| to_entry(i + 1, p))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Batch {
        entries,
        index: u32::try_from(payload.batch_index).unwrap_or(0),
        size: u32::try_from(payload.batch_size).unwrap_or(1).max(1),
        id: payload.batch_id,
    })
}

/// Percent-decodes (but does not form-decode) and base64-decodes the `data` value.
fn decode_base64(data: &str) -> Result<Vec<u8>, Error> {
    if has_broken_escape(data) {
        return Err(Error::BadEscape);
    }
    let text: Zeroizing<Vec<u8>> = Zeroizing::new(
        percent_decode_str(data)
            .filter(|b| !matches!(b, b'\n' | b'\r' | b'\t'))
            // A space is never base64: it is a `+` that something form-decoded on the way.
            .map(|b| if b == b' ' { b'+' } else { b })
            .collect(),
    );
    // Some exporters use the URL-safe alphabet; the two differ only in `+/` versus `-_`.
    let url_safe = text.iter().any(|b| matches!(b, b'-' | b'_'));
    let config =
        GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent);
    let engine = if url_safe {
        GeneralPurpose::new(&alphabet::URL_SAFE, config)
    } else {
        GeneralPurpose::new(&alphabet::STANDARD, config)
    };
    engine
        .decode(text.as_slice())
        .map_err(|e| Error::NotBase64(e.to_string()))
}

fn has_broken_escape(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.iter().enumerate().any(|(i, b)| {
        *b == b'%'
            && !bytes
                .get(i + 1..i + 3)
                .is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit))
    })
}

/// Turns one account of the payload into a validated entry; `index` is 1-based, for errors.
fn to_entry(index: usize, p: &OtpParameters) -> Result<NewEntry, Error> {
    let entry_error = |source| Error::Entry { index, source };
    let algorithm = match p.algorithm {
        0 | 1 => Algorithm::SHA1,
        2 => Algorithm::SHA256,
        3 => Algorithm::SHA512,
        4 => {
            return Err(Error::UnsupportedAlgorithm {
                index,
                name: "MD5".into(),
            });
        }
        n => {
            return Err(Error::UnsupportedAlgorithm {
                index,
                name: n.to_string(),
            });
        }
    };
    let digits = match p.digits {
        0 | 1 => 6,
        2 => 8,
        value => return Err(Error::UnsupportedDigits { index, value }),
    };
    // UNSPECIFIED is read as TOTP, like the algorithm and digits defaults: third-party
    // exporters omit the field, and TOTP is the only kind such apps write without a counter.
    let kind = match p.kind {
        0 | 2 => Kind::Totp,
        1 => Kind::Hotp,
        value => return Err(Error::UnsupportedType { index, value }),
    };
    let counter = u64::try_from(p.counter)
        .map_err(|_| entry_error(entry::Error::Counter(p.counter.to_string())))?;
    let secret = Secret::from_bytes(&p.secret).map_err(entry_error)?;
    let (issuer, account) = split_name(&p.issuer, &p.name);
    NewEntry {
        issuer,
        account,
        secret,
        kind,
        algorithm,
        digits,
        period: 30,
        counter,
    }
    .validated()
    .map_err(entry_error)
}

/// Google writes the name as `Issuer:account` when the original URI label had a prefix, and
/// the issuer separately when it had an `issuer` parameter; prefer the parameter, as
/// `uri::parse` does, and drop a prefix that repeats it.
fn split_name(issuer: &str, name: &str) -> (String, String) {
    if !issuer.is_empty() {
        let account = name
            .get(..issuer.len())
            .filter(|head| head.eq_ignore_ascii_case(issuer))
            .and_then(|_| name[issuer.len()..].strip_prefix(':'))
            .unwrap_or(name);
        return (issuer.to_string(), account.trim_start().to_string());
    }
    match name.split_once(':') {
        Some((prefix, account)) => (prefix.trim().to_string(), account.trim_start().to_string()),
        None => (String::new(), name.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD};

    fn params(name: &str, issuer: &str) -> OtpParameters {
        OtpParameters {
            secret: b"12345678901234567890".to_vec(),
            name: name.into(),
            issuer: issuer.into(),
            algorithm: 1,
            digits: 1,
            kind: 2,
            counter: 0,
        }
    }

    fn uri_of(payload: &Payload) -> String {
        format!(
            "otpauth-migration://offline?data={}",
            STANDARD.encode(payload.encode_to_vec())
        )
    }

    fn payload(otp_parameters: Vec<OtpParameters>) -> Payload {
        Payload {
            otp_parameters,
            version: 1,
            batch_size: 1,
            batch_index: 0,
            batch_id: -1_234_567,
        }
    }

    #[test]
    fn one_account() {
        let entries = parse(&uri_of(&payload(vec![params(
            "alice@example.com",
            "Example",
        )])))
        .unwrap();
        assert_eq!(entries.len(), 1);
        let e = &entries[0];
        assert_eq!(
            (e.issuer.as_str(), e.account.as_str()),
            ("Example", "alice@example.com")
        );
        assert_eq!(e.secret.as_base32(), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
        assert_eq!(
            (e.kind, e.algorithm, e.digits, e.period),
            (Kind::Totp, Algorithm::SHA1, 6, 30)
        );
    }

    #[test]
    fn negative_batch_id_is_a_ten_byte_varint() {
        let p = payload(vec![params("a", "")]);
        let bytes = p.encode_to_vec();
        // Tag 5 varint followed by ten bytes: how every negative int32 is encoded.
        let at = bytes.iter().rposition(|b| *b == 0x28).unwrap();
        assert_eq!(bytes.len() - at - 1, 10);
        let batch = parse_batch(&uri_of(&p)).unwrap();
        assert_eq!(batch.id, -1_234_567);
    }

    #[test]
    fn unspecified_means_sha1_six_digits_and_enum_values_map() {
        let mut a = params("a", "A");
        a.algorithm = 0;
        a.digits = 0;
        a.kind = 0;
        let mut b = params("b", "B");
        b.algorithm = 3;
        b.digits = 2;
        b.kind = 1;
        b.counter = 42;
        let mut c = params("c", "C");
        c.algorithm = 2;
        let entries = parse(&uri_of(&payload(vec![a, b, c]))).unwrap();
        let summary: Vec<_> = entries
            .iter()
            .map(|e| (e.kind, e.algorithm, e.digits, e.counter))
            .collect();
        assert_eq!(
            summary,
            vec![
                (Kind::Totp, Algorithm::SHA1, 6, 0),
                (Kind::Hotp, Algorithm::SHA512, 8, 42),
                (Kind::Totp, Algorithm::SHA256, 6, 0),
            ]
        );
    }

    #[test]
    fn plus_and_slash_are_kept_and_escapes_decoded() {
        // Secret bytes chosen so the base64 holds both `+` (0xFBEFBE) and `/` (0xFFFFFF).
        const SECRET: &[u8] = &[0xff, 0xff, 0xfb, 0xef, 0xbe, 0xff, 0xff, 0xff, 0xff, 0xff];
        let mut p = params("x", "y");
        p.secret = SECRET.to_vec();
        let data = STANDARD_NO_PAD.encode(payload(vec![p]).encode_to_vec());
        assert!(data.contains('+') && data.contains('/'), "{data}");
        let raw = format!("otpauth-migration://offline?data={data}");
        let escaped = format!(
            "otpauth-migration://offline?data={}",
            data.replace('+', "%2B").replace('/', "%2F")
        );
        let spaced = raw.replace('+', " ");
        let want = parse(&raw).unwrap();
        assert_eq!(want[0].secret.bytes().as_slice(), SECRET);
        assert_eq!(parse(&escaped).unwrap(), want);
        assert_eq!(parse(&spaced).unwrap(), want);
        let padded = format!("{raw}{}", "=".repeat((4 - data.len() % 4) % 4));
        assert_eq!(parse(&padded).unwrap(), want);
    }

    #[test]
    fn name_prefix_and_issuer() {
        assert_eq!(
            split_name("GitHub", "GitHub:me"),
            ("GitHub".into(), "me".into())
        );
        assert_eq!(split_name("", "ACME: bob"), ("ACME".into(), "bob".into()));
        assert_eq!(split_name("X", "bob"), ("X".into(), "bob".into()));
        assert_eq!(split_name("", "bob"), (String::new(), "bob".into()));
    }

    /// Found by fuzzing: an account that starts with its own issuer and a colon (`AWS` /
    /// `AWS:root`) came back from otp's own transfer without that start.
    #[test]
    fn an_account_starting_with_its_issuer_goes_out_and_back_whole() {
        for (issuer, account) in [("o", "o:"), ("AWS", "aws:root"), ("", "a:b"), ("X", "bob")] {
            let entries = parse(&uri_of(&payload(vec![params(
                &format!("{issuer}:{account}"),
                issuer,
            )])))
            .unwrap();
            assert_eq!(entries[0].account, account, "{issuer:?} {account:?}");
            let mut back = Vec::new();
            for uri in to_uris(&entries, 10, 1) {
                back.extend(parse(&uri).unwrap());
            }
            assert_eq!(back, entries, "{issuer:?} {account:?}");
        }
    }

    #[test]
    fn broken_payloads_fail_cleanly() {
        assert_eq!(
            parse("otpauth://totp/x?secret=AAAA"),
            Err(Error::NotMigration)
        );
        assert_eq!(
            parse("otpauth-migration://offline"),
            Err(Error::MissingData)
        );
        assert_eq!(
            parse("otpauth-migration://offline?data=%zz"),
            Err(Error::BadEscape)
        );
        assert!(matches!(
            parse("otpauth-migration://offline?data=***"),
            Err(Error::NotBase64(_))
        ));
        // Valid base64 of bytes that are not a MigrationPayload (a truncated field).
        assert!(matches!(
            parse("otpauth-migration://offline?data=CgUKAw"),
            Err(Error::NotProtobuf(_))
        ));
        assert_eq!(
            parse("otpauth-migration://offline?data="),
            Err(Error::Empty)
        );
        let mut p = params("a", "b");
        p.kind = 7;
        assert_eq!(
            parse(&uri_of(&payload(vec![params("ok", "x"), p]))),
            Err(Error::UnsupportedType { index: 2, value: 7 })
        );
        let mut p = params("a", "b");
        p.algorithm = 4;
        assert!(matches!(
            parse(&uri_of(&payload(vec![p]))),
            Err(Error::UnsupportedAlgorithm { index: 1, .. })
        ));
        let mut p = params("a", "b");
        p.secret.clear();
        assert_eq!(
            parse(&uri_of(&payload(vec![p]))),
            Err(Error::Entry {
                index: 1,
                source: entry::Error::EmptySecret
            })
        );
    }

    #[test]
    fn errors_never_show_the_secret() {
        let mut p = params("a", "b");
        p.kind = 9;
        let uri = uri_of(&payload(vec![p]));
        let message = parse(&uri).unwrap_err().to_string();
        assert!(!message.contains("GEZDGNBV") && !message.contains(&uri[35..]));
    }
}
