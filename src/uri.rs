/*!
otpauth URIs: parsing and printing.

The Key Uri Format (github.com/google/google-authenticator/wiki/Key-Uri-Format) as services
actually write it: case-insensitive names and values, `%3A` as the label separator, spaces
after the separator, `+` as a literal plus (these are not form-encoded), and an `issuer`
parameter that wins when it disagrees with the label prefix (Microsoft 365 does that; the
disagreement is returned as an [`IssuerNote`] for `otp add` to mention).

Lenient, not careless: a parameter that decides the key or the codes (`secret`, `digits`, …)
given twice is refused, since which one the service meant cannot be known, and taking the
last one (as many parsers do) would store a key or parameters the service may not use.
*/

use crate::entry::{self, Algorithm, Kind, NewEntry, Secret};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};

/// Why a URI was rejected. Never includes the secret.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum Error {
    #[error("not an otpauth URI (it starts with {0:?})")]
    NotOtpauth(String),
    #[error("unknown OTP type {0:?} (expected totp, hotp or steam)")]
    UnknownType(String),
    #[error("the URI has no secret parameter")]
    MissingSecret,
    #[error("the {0} has percent escapes that are not UTF-8")]
    NotUtf8(&'static str),
    #[error("the {0} has a broken percent escape")]
    BadEscape(&'static str),
    #[error("the {0} parameter is given more than once; it is unclear which one is meant")]
    Repeated(&'static str),
    #[error("{0}")]
    Entry(#[from] entry::Error),
}

const SCHEME: &str = "otpauth://";

/// Characters left as they are in printed labels and parameter values.
const ENCODE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'@');

/// Whether `text` looks like an otpauth URI (any case), as opposed to a file name.
pub(crate) fn is_otpauth(text: &str) -> bool {
    text.get(..SCHEME.len())
        .is_some_and(|s| s.eq_ignore_ascii_case(SCHEME))
}

/// What a URI that carries accounts is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scheme {
    /// `otpauth://`: one account ([`parse`]).
    Otpauth,
    /// `otpauth-migration://`: a Google Authenticator transfer ([`crate::migration::parse`]).
    Transfer,
}

/// Whether `text` is an otpauth URI, a Google Authenticator transfer, or neither: the one
/// place that tells them apart, for `otp add` and the importers.
pub(crate) fn classify(text: &str) -> Option<Scheme> {
    if crate::migration::is_migration(text) {
        Some(Scheme::Transfer)
    } else if is_otpauth(text) {
        Some(Scheme::Otpauth)
    } else {
        None
    }
}

/// Parameters that may appear once: each decides the key, the codes or the account's name.
const SINGLE: [&str; 6] = [
    "secret",
    "issuer",
    "algorithm",
    "digits",
    "period",
    "counter",
];

/// The label names one issuer and the `issuer` parameter another; the parameter was kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct IssuerNote {
    pub label: String,
    pub parameter: String,
}

impl std::fmt::Display for IssuerNote {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Debug quoting escapes control characters: the label issuer was never validated.
        let cut = |t: &str| t.chars().take(64).collect::<String>();
        let (label, parameter) = (cut(&self.label), cut(&self.parameter));
        write!(
            f,
            "the label names the issuer {label:?} but the issuer parameter {parameter:?}; \
             keeping {parameter:?}"
        )
    }
}

/// Parses one `otpauth://` URI into a validated entry.
pub fn parse(uri: &str) -> Result<NewEntry, Error> {
    parse_noting(uri).map(|(entry, _)| entry)
}

/// [`parse`], also telling when the label's issuer and the `issuer` parameter disagree (for
/// a person adding the URI; importers and transfers stay quiet about it).
pub(crate) fn parse_noting(uri: &str) -> Result<(NewEntry, Option<IssuerNote>), Error> {
    let uri = uri.trim();
    if !is_otpauth(uri) {
        let scheme: String = uri.chars().take_while(|c| *c != ':').take(32).collect();
        return Err(Error::NotOtpauth(format!("{scheme}:")));
    }
    let rest = &uri[SCHEME.len()..];
    let (kind_text, rest) = rest.split_once('/').unwrap_or((rest, ""));
    let (label, query) = rest.split_once('?').unwrap_or((rest, ""));

    let mut kind = match kind_text.to_ascii_lowercase().as_str() {
        "totp" => Kind::Totp,
        "hotp" => Kind::Hotp,
        "steam" => Kind::Steam,
        _ => return Err(Error::UnknownType(kind_text.chars().take(32).collect())),
    };

    let label = decode(label, "label")?;

    let mut secret = None;
    let mut issuer = None;
    let mut algorithm = Algorithm::SHA1;
    let mut digits = None;
    let mut period = 30;
    let mut counter = 0;
    let mut seen = [false; SINGLE.len()];
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        let name = name.to_ascii_lowercase();
        if let Some(i) = SINGLE.iter().position(|s| *s == name) {
            if seen[i] {
                return Err(Error::Repeated(SINGLE[i]));
            }
            seen[i] = true;
        }
        match name.as_str() {
            "secret" => secret = Some(Secret::parse(&decode(value, "secret")?)?),
            // Parameter values are form-encoded by some apps (Ente, Dart's Uri): `+` is a
            // space there, and a literal plus arrives as %2B. The label keeps `+`: it is not form-encoded.
            "issuer" => issuer = Some(decode(&value.replace('+', " "), "issuer")?),
            "algorithm" => {
                algorithm = Algorithm::parse(&decode(&value.replace('+', " "), "algorithm")?)?
            }
            "digits" => digits = Some(number(value).ok_or(entry::Error::Digits(shown(value)))?),
            "period" => {
                let p = number(value).ok_or(entry::Error::Period(shown(value)))?;
                period = entry::check_period(p)?;
            }
            "counter" => counter = number(value).ok_or(entry::Error::Counter(shown(value)))?,
            "encoder" if value.eq_ignore_ascii_case("steam") => kind = Kind::Steam,
            _ => {} // image, color and other app extensions
        }
    }

    // Split the label at the first `:`, unless the issuer parameter itself holds one and
    // prefixes the label (our own printed URIs for such issuers).
    let prefixed = issuer.as_deref().and_then(|i| {
        let head = label.get(..i.len())?;
        (head.eq_ignore_ascii_case(i) && label[i.len()..].starts_with(':')).then_some(i.len())
    });
    let (label_issuer, account) = match (prefixed, label.split_once(':')) {
        (Some(n), _) => (label[..n].to_string(), label[n + 1..].trim_start()),
        (None, Some((issuer, account))) => (issuer.trim().to_string(), account.trim_start()),
        (None, None) => (String::new(), label.as_str()),
    };
    let digits = match (kind, digits) {
        (Kind::Steam, _) => 5,
        (_, None) => 6,
        (_, Some(d)) => entry::check_digits(u32::try_from(d).unwrap_or(u32::MAX))?,
    };
    let note = match &issuer {
        Some(parameter)
            if !label_issuer.is_empty()
                && !parameter.trim().is_empty()
                && label_issuer.to_lowercase() != parameter.trim().to_lowercase() =>
        {
            Some(IssuerNote {
                label: label_issuer.clone(),
                parameter: parameter.trim().to_string(),
            })
        }
        _ => None,
    };
    let entry = NewEntry {
        issuer: issuer.unwrap_or(label_issuer),
        account: account.to_string(),
        secret: secret.ok_or(Error::MissingSecret)?,
        kind,
        algorithm,
        digits,
        period,
        counter,
    };
    Ok((entry.validated()?, note))
}

fn decode(text: &str, what: &'static str) -> Result<String, Error> {
    // A `%` not followed by two hex digits is kept literally by percent_decode; reject it,
    // since such a URI was mangled on its way to us.
    let bytes = text.as_bytes();
    for (i, b) in bytes.iter().enumerate() {
        if *b == b'%' {
            let ok = bytes
                .get(i + 1..i + 3)
                .is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit));
            if !ok {
                return Err(Error::BadEscape(what));
            }
        }
    }
    percent_decode_str(text)
        .decode_utf8()
        .map(|s| s.into_owned())
        .map_err(|_| Error::NotUtf8(what))
}

fn number(text: &str) -> Option<u64> {
    text.trim().parse().ok()
}

/// A parameter value for an error message: short, since it may be attacker-sized.
fn shown(text: &str) -> String {
    text.chars().take(20).collect()
}

/// Prints the URI for an entry: what a phone scans or another app imports.
pub(crate) fn to_uri(entry: &NewEntry) -> String {
    let NewEntry {
        issuer,
        account,
        secret,
        kind,
        algorithm,
        digits,
        period,
        counter,
    } = entry;
    let enc = |s: &str| utf8_percent_encode(s, ENCODE).to_string();
    let label = if issuer.is_empty() && account.contains(':') {
        // An empty issuer prefix keeps the account's own colon from reading as a separator.
        format!(":{}", enc(account))
    } else if issuer.is_empty() {
        enc(account)
    } else {
        format!("{}:{}", enc(issuer), enc(account))
    };
    let mut uri = format!(
        "otpauth://{}/{label}?secret={}",
        kind.as_str(),
        secret.as_base32()
    );
    if !issuer.is_empty() {
        uri.push_str(&format!("&issuer={}", enc(issuer)));
    }
    match kind {
        Kind::Steam => {}
        Kind::Totp => uri.push_str(&format!(
            "&algorithm={}&digits={digits}&period={period}",
            algorithm.as_str()
        )),
        Kind::Hotp => uri.push_str(&format!(
            "&algorithm={}&digits={digits}&counter={counter}",
            algorithm.as_str()
        )),
    }
    uri
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(uri: &str) -> NewEntry {
        parse(uri).unwrap_or_else(|e| panic!("{uri}: {e}"))
    }

    #[test]
    fn classify_tells_otpauth_from_transfers() {
        assert_eq!(
            classify("otpauth://totp/A:b?secret=JBSWY3DPEHPK3PXP"),
            Some(Scheme::Otpauth)
        );
        assert_eq!(classify("OTPAUTH://hotp/x"), Some(Scheme::Otpauth));
        assert_eq!(
            classify("otpauth-migration://offline?data=AA"),
            Some(Scheme::Transfer)
        );
        assert_eq!(classify("https://example.com"), None);
        assert_eq!(classify("shot.png"), None);
    }

    #[test]
    fn key_uri_format_example() {
        let e = p("otpauth://totp/Example:alice@google.com?secret=JBSWY3DPEHPK3PXP&issuer=Example");
        assert_eq!(e.issuer, "Example");
        assert_eq!(e.account, "alice@google.com");
        assert_eq!(e.secret.as_base32(), "JBSWY3DPEHPK3PXP");
        assert_eq!(
            (e.kind, e.algorithm, e.digits, e.period),
            (Kind::Totp, Algorithm::SHA1, 6, 30)
        );
    }

    #[test]
    fn case_insensitive_names_and_values() {
        let e = p(
            "OTPAUTH://TOTP/ACME:bob?SECRET=jbswy3dpehpk3pxp&Algorithm=sha256&DIGITS=8&Period=60",
        );
        assert_eq!(
            (e.algorithm, e.digits, e.period),
            (Algorithm::SHA256, 8, 60)
        );
    }

    #[test]
    fn encoded_separator_spaces_and_plus() {
        let e = p("otpauth://totp/ACME%20Co%3A%20john+doe@example.com?secret=JBSWY3DPEHPK3PXP");
        assert_eq!(e.issuer, "ACME Co");
        assert_eq!(e.account, "john+doe@example.com");
    }

    #[test]
    fn issuer_parameter_wins() {
        let e = p(
            "otpauth://totp/Microsoft:me@corp.com?secret=JBSWY3DPEHPK3PXP&issuer=Microsoft%20365",
        );
        assert_eq!(e.issuer, "Microsoft 365");
        let e = p("otpauth://totp/github:me?secret=JBSWY3DPEHPK3PXP&issuer=GitHub");
        assert_eq!(e.issuer, "GitHub");
    }

    #[test]
    fn a_disagreeing_label_issuer_is_noted() {
        let (e, note) = parse_noting(
            "otpauth://totp/Microsoft:me@corp.com?secret=JBSWY3DPEHPK3PXP&issuer=Microsoft%20365",
        )
        .unwrap();
        assert_eq!(e.issuer, "Microsoft 365");
        let note = note.expect("a note");
        assert_eq!(
            note.to_string(),
            "the label names the issuer \"Microsoft\" but the issuer parameter \"Microsoft 365\"; \
             keeping \"Microsoft 365\""
        );
        // Agreement, differing only in case, or one side missing: nothing to say.
        for uri in [
            "otpauth://totp/GitHub:me?secret=JBSWY3DPEHPK3PXP&issuer=GitHub",
            "otpauth://totp/github:me?secret=JBSWY3DPEHPK3PXP&issuer=GitHub",
            "otpauth://totp/me?secret=JBSWY3DPEHPK3PXP&issuer=GitHub",
            "otpauth://totp/GitHub:me?secret=JBSWY3DPEHPK3PXP",
            "otpauth://totp/A%3AB:c?secret=JBSWY3DPEHPK3PXP&issuer=A%3AB",
        ] {
            assert_eq!(parse_noting(uri).unwrap().1, None, "{uri}");
        }
    }

    #[test]
    fn repeated_parameters_are_refused() {
        for name in [
            "secret",
            "SECRET",
            "digits",
            "Period",
            "algorithm",
            "counter",
            "issuer",
        ] {
            let uri = format!(
                "otpauth://hotp/x:y?secret=JBSWY3DPEHPK3PXP&digits=6&period=30&algorithm=SHA1\
                 &counter=1&issuer=x&{name}=GEZDGNBVGY3TQOJQ"
            );
            let err = parse(&uri).expect_err(&uri).to_string();
            let want = format!(
                "the {} parameter is given more than once",
                name.to_lowercase()
            );
            assert!(err.contains(&want), "{uri}: {err}");
            assert!(
                !err.contains("JBSWY3DP") && !err.contains("GEZDGNBV"),
                "{err}"
            );
        }
        // Extensions an app repeats are none of our business.
        p("otpauth://totp/x:y?secret=JBSWY3DPEHPK3PXP&image=a&image=b&color=1&color=2");
    }

    #[test]
    fn hotp_and_steam() {
        let e = p("otpauth://hotp/x:y?secret=JBSWY3DPEHPK3PXP&counter=42");
        assert_eq!((e.kind, e.counter), (Kind::Hotp, 42));
        let e = p("otpauth://totp/Steam:me?secret=JBSWY3DPEHPK3PXP&encoder=steam");
        assert_eq!((e.kind, e.digits), (Kind::Steam, 5));
        let e = p("otpauth://steam/Steam:me?secret=JBSWY3DPEHPK3PXP");
        assert_eq!(e.kind, Kind::Steam);
    }

    #[test]
    fn rejections_name_the_reason() {
        let bad = [
            ("http://example.com", "not an otpauth URI"),
            (
                "otpauth://motp/x?secret=JBSWY3DPEHPK3PXP",
                "unknown OTP type",
            ),
            ("otpauth://totp/x:y", "no secret"),
            ("otpauth://totp/x:y?secret=", "empty"),
            ("otpauth://totp/x:y?secret=JBSWY3DPEHPK3PX!", "not base32"),
            (
                "otpauth://totp/x:y?secret=JBSWY3DPEHPK3PXP&digits=99",
                "digits",
            ),
            (
                "otpauth://totp/x:y?secret=JBSWY3DPEHPK3PXP&period=0",
                "period",
            ),
            (
                "otpauth://totp/x:y?secret=JBSWY3DPEHPK3PXP&algorithm=MD5",
                "algorithm",
            ),
            (
                "otpauth://totp/%FF%FE:y?secret=JBSWY3DPEHPK3PXP",
                "not UTF-8",
            ),
            (
                "otpauth://totp/%zz:y?secret=JBSWY3DPEHPK3PXP",
                "percent escape",
            ),
        ];
        for (uri, why) in bad {
            let err = parse(uri).expect_err(uri).to_string();
            assert!(err.contains(why), "{uri}: {err}");
            assert!(!err.contains("JBSWY3DP"), "{uri}: secret leaked in {err}");
        }
        let long = format!(
            "otpauth://totp/{}?secret=JBSWY3DPEHPK3PXP",
            "a".repeat(10_000)
        );
        assert!(
            parse(&long)
                .unwrap_err()
                .to_string()
                .contains("at most 256")
        );
    }

    #[test]
    fn printed_uris_parse_back() {
        let e = p(
            "otpauth://totp/ACME%20Co:john+doe@example.com?secret=JBSWY3DPEHPK3PXP&issuer=ACME%20Co&digits=8&algorithm=SHA512&period=60",
        );
        let uri = to_uri(&e);
        assert_eq!(p(&uri), e);
        let e = p("otpauth://hotp/A%3AB:c%3Ad?secret=JBSWY3DPEHPK3PXP&issuer=A%3AB&counter=7");
        let uri = to_uri(&e);
        assert_eq!(p(&uri), e);
    }
}
