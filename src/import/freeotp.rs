/*!
`freeotp`: FreeOTP+ exports.

- The JSON export (`SavedTokens`, written by Gson): `{"tokenOrder": [...], "tokens": [...]}`,
  each token with `secret` as a *signed* byte array (Java `byte[]`), `issuerExt`, `label`,
  `type` TOTP/HOTP, `algo`, `digits`, `period` and `counter`, which is already the counter
  of the next code (otp's meaning too). FreeOTP has no Steam type: it shows Steam codes for a
  TOTP token whose issuer is exactly `Steam` (5 digits), so that becomes a Steam entry.
- The "key URI file" export: otpauth lines, but with FreeOTP's conventions: the HOTP
  `counter` written is the stored counter plus one, and Steam is
  `otpauth://totp/Steam:…?digits=5`. Read as plain `uris`, the Steam line would be refused
  (5 digits) and the HOTP counter one ahead, so this importer undoes both. Auto-detection
  knows the file by the exact layout FreeOTP's `Token.toUri` writes on every line (see
  [`is_uri_file`]); a URI list in any other layout stays `uris`, and `--format freeotp`
  forces this reading.
*/

use super::{Error, Format, Imported, Passwords};
use crate::entry::{Algorithm, Kind, NewEntry, Secret};
use crate::uri;
use zeroize::Zeroize;

pub(crate) struct FreeOtp;

const NAME: &str = "freeotp";
/// The issuer FreeOTP(+) computes Steam codes for (`Token.getHOTP`).
const STEAM_ISSUER: &str = "Steam";

/// The top-level keys of `SavedTokens`, for detection without copying a secret.
#[derive(serde::Deserialize)]
#[allow(dead_code)]
struct Shape {
    #[serde(rename = "tokenOrder")]
    token_order: Vec<serde::de::IgnoredAny>,
    tokens: Vec<serde::de::IgnoredAny>,
}

#[derive(serde::Deserialize)]
struct Saved {
    tokens: Vec<Token>,
}

/// One token; unknown fields (image, color…) are ignored.
#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct Token {
    secret: Vec<i8>,
    #[serde(default)]
    issuer_ext: Option<String>,
    /// A name the user edited in the app; shown instead of `issuerExt` / `label`.
    #[serde(default)]
    issuer_alt: Option<String>,
    #[serde(default)]
    label: Option<String>,
    #[serde(default)]
    label_alt: Option<String>,
    #[serde(rename = "type", default)]
    kind: Option<String>,
    #[serde(default)]
    algo: Option<String>,
    #[serde(default)]
    digits: Option<u32>,
    #[serde(default)]
    period: Option<u64>,
    #[serde(default)]
    counter: Option<u64>,
}

impl Drop for Token {
    fn drop(&mut self) {
        self.secret.zeroize();
    }
}

impl Format for FreeOtp {
    fn name(&self) -> &'static str {
        NAME
    }

    fn detect(&self, bytes: &[u8]) -> bool {
        if bytes.trim_ascii_start().starts_with(b"{") {
            return serde_json::from_slice::<Shape>(bytes).is_ok();
        }
        is_uri_file(bytes)
    }

    fn parse(&self, bytes: &[u8], _: &mut Passwords) -> Result<Vec<Imported>, Error> {
        if bytes.trim_ascii_start().starts_with(b"{") {
            parse_json(bytes)
        } else {
            parse_uris(bytes)
        }
    }
}

fn malformed(reason: impl Into<String>) -> Error {
    Error::Malformed {
        format: NAME,
        reason: reason.into(),
    }
}

fn parse_json(bytes: &[u8]) -> Result<Vec<Imported>, Error> {
    // serde_json's messages give a position and an expectation, never the input.
    let saved: Saved = serde_json::from_slice(bytes).map_err(|e| malformed(e.to_string()))?;
    if saved.tokens.is_empty() {
        return Err(Error::Empty);
    }
    saved
        .tokens
        .iter()
        .enumerate()
        .map(|(i, t)| convert(i + 1, t).map(Imported::from))
        .collect()
}

fn non_empty(text: &Option<String>) -> Option<&str> {
    text.as_deref().filter(|s| !s.is_empty())
}

fn convert(index: usize, token: &Token) -> Result<NewEntry, Error> {
    let fail = |reason: String| Error::Entry { index, reason };
    let issuer_ext = token.issuer_ext.as_deref().unwrap_or_default();
    let issuer = non_empty(&token.issuer_alt).unwrap_or(issuer_ext);
    let account = non_empty(&token.label_alt)
        .or(token.label.as_deref())
        .unwrap_or_default();
    let name = if issuer.is_empty() {
        format!("{account:?}")
    } else {
        format!("{:?}", format!("{issuer}:{account}"))
    };
    let kind_text = token.kind.as_deref().unwrap_or("TOTP");
    let digits = token.digits.unwrap_or(6);
    let kind = match kind_text.to_ascii_uppercase().as_str() {
        "TOTP" if issuer_ext == STEAM_ISSUER && digits == 5 => Kind::Steam,
        "TOTP" | "HOTP" if issuer_ext == STEAM_ISSUER => {
            return Err(fail(format!(
                "{name}: FreeOTP shows Steam codes for it, but as a {kind_text} token of \
                 {digits} characters, which otp cannot represent"
            )));
        }
        "TOTP" => Kind::Totp,
        "HOTP" => Kind::Hotp,
        _ => {
            return Err(fail(format!(
                "{name} is of type {:?}, which otp cannot represent",
                kind_text.chars().take(16).collect::<String>()
            )));
        }
    };
    // Java bytes are signed; the key is their two's-complement bytes.
    let mut key: Vec<u8> = token.secret.iter().map(|b| b.cast_unsigned()).collect();
    let secret = Secret::from_bytes(&key);
    key.zeroize();
    let secret = secret.map_err(|e| fail(format!("{name}: {e}")))?;
    let algorithm = match &token.algo {
        Some(a) => Algorithm::parse(a).map_err(|e| fail(format!("{name}: {e}")))?,
        None => Algorithm::SHA1,
    };
    let entry = NewEntry {
        issuer: issuer.to_string(),
        account: account.to_string(),
        secret,
        kind,
        algorithm,
        // Out-of-range values are caught by `validated`.
        digits: u8::try_from(digits).unwrap_or(u8::MAX),
        period: u32::try_from(token.period.unwrap_or(30)).unwrap_or(u32::MAX),
        counter: token.counter.unwrap_or(0),
    };
    super::validated(index, entry)
}

fn uri_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines()
        .enumerate()
        .map(|(n, l)| (n + 1, l.trim()))
        .filter(|(_, l)| !l.is_empty() && !l.starts_with('#'))
}

/// Whether every line has the layout of FreeOTP's `Token.toUri`: `totp` or `hotp`, a label
/// that Android's `Uri.Builder` percent-encoded (so no raw `:`), and the parameters `secret`,
/// `issuer` (older versions only), `algorithm`, `digits`, `period`, then `counter` for HOTP,
/// in that order and nothing else. Other apps' lists (and otp's own export, whose label
/// keeps a raw `:` and whose HOTP lines have no period) differ, so they stay `uris`: reading
/// them with FreeOTP's counter convention would put a HOTP counter one behind.
fn is_uri_file(bytes: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return false;
    };
    let mut lines = uri_lines(text).peekable();
    lines.peek().is_some() && lines.all(|(_, line)| has_freeotp_layout(line))
}

fn has_freeotp_layout(line: &str) -> bool {
    const SCHEME: &str = "otpauth://";
    let Some(rest) = line
        .get(..SCHEME.len())
        .filter(|p| p.eq_ignore_ascii_case(SCHEME))
        .and_then(|_| line.get(SCHEME.len()..))
    else {
        return false;
    };
    let Some((kind, rest)) = rest.split_once('/') else {
        return false;
    };
    let Some((label, query)) = rest.split_once('?') else {
        return false;
    };
    if label.contains(':') {
        return false;
    }
    let mut names: Vec<&str> = query
        .split('&')
        .map(|p| p.split_once('=').map_or(p, |(k, _)| k))
        .collect();
    if names.get(1) == Some(&"issuer") {
        names.remove(1);
    }
    let expected: &[&str] = match kind {
        "totp" => &["secret", "algorithm", "digits", "period"],
        "hotp" => &["secret", "algorithm", "digits", "period", "counter"],
        _ => return false,
    };
    names == expected
}

/// The "key URI file": otpauth lines written by FreeOTP's `toUri`.
fn parse_uris(bytes: &[u8]) -> Result<Vec<Imported>, Error> {
    let text = std::str::from_utf8(bytes)
        .map_err(|_| malformed("it is neither FreeOTP+ JSON nor a list of otpauth URIs"))?;
    let mut out = Vec::new();
    for (n, line) in uri_lines(text) {
        // Errors name the line, never its text: it holds a secret.
        let at_line = |reason: String| malformed(format!("line {n}: {reason}"));
        if !uri::is_otpauth(line) {
            return Err(at_line("not an otpauth URI".into()));
        }
        let steam = steam_uri(line);
        let mut entry =
            uri::parse(steam.as_deref().unwrap_or(line)).map_err(|e| at_line(e.to_string()))?;
        if entry.kind == Kind::Hotp {
            // FreeOTP writes the stored counter plus one and subtracts one when reading.
            entry.counter = entry.counter.saturating_sub(1);
        }
        out.push(entry.into());
    }
    if out.is_empty() {
        return Err(Error::Empty);
    }
    Ok(out)
}

/// `otpauth://totp/Steam:…` (FreeOTP's Steam token) rewritten as `otpauth://steam/Steam:…`.
fn steam_uri(line: &str) -> Option<String> {
    const TOTP: &str = "otpauth://totp/";
    let rest = line
        .get(..TOTP.len())
        .filter(|p| p.eq_ignore_ascii_case(TOTP))
        .and_then(|_| line.get(TOTP.len()..))?;
    let (label, query) = rest.split_once('?').unwrap_or((rest, ""));
    let label = percent_encoding::percent_decode_str(label).decode_utf8_lossy();
    let label_issuer = label.split_once(':').map(|(i, _)| i.trim());
    let param_issuer = query.split('&').find_map(|p| {
        let (k, v) = p.split_once('=')?;
        k.eq_ignore_ascii_case("issuer").then_some(v)
    });
    let issuer = param_issuer.or(label_issuer)?;
    (issuer == STEAM_ISSUER).then(|| format!("otpauth://steam/{rest}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const JSON: &[u8] = br#"{"tokenOrder":["A:x","B:y","Steam:z"],"tokens":[{"algo":"SHA256","counter":0,"digits":8,"issuerExt":"A","label":"x","period":60,"secret":[-67,-30,51,32,-64,-12,-79,-107,-20,-95],"type":"TOTP"},{"algo":"SHA1","counter":42,"digits":6,"issuerExt":"B","issuerAlt":"Bee","label":"y","period":30,"secret":[1,2,3,4,5,6,7,8,9,10],"type":"HOTP"},{"algo":"SHA1","counter":0,"digits":5,"issuerExt":"Steam","label":"z","period":30,"secret":[1,2,3,4,5,6,7,8,9,10],"type":"TOTP"}]}"#;

    #[test]
    fn reads_signed_byte_secrets_and_steam_tokens() {
        assert!(FreeOtp.detect(JSON));
        let got = FreeOtp.parse(JSON, &mut Passwords::default()).unwrap();
        assert_eq!(got.len(), 3);
        assert_eq!(got[0].entry.secret.as_base32(), "XXRDGIGA6SYZL3FB");
        assert_eq!(got[0].entry.algorithm, Algorithm::SHA256);
        assert_eq!((got[0].entry.digits, got[0].entry.period), (8, 60));
        assert_eq!(got[1].entry.kind, Kind::Hotp);
        assert_eq!(got[1].entry.counter, 42);
        assert_eq!(got[1].entry.issuer, "Bee");
        assert_eq!(got[2].entry.kind, Kind::Steam);
    }

    #[test]
    fn tokens_otp_cannot_represent_are_named() {
        let text = br#"{"tokenOrder":["Steam:z"],"tokens":[{"digits":6,"issuerExt":"Steam","label":"z","secret":[1,2,3,4,5,6,7,8,9,10],"type":"HOTP"}]}"#;
        let err = FreeOtp
            .parse(text, &mut Passwords::default())
            .unwrap_err()
            .to_string();
        assert!(err.contains("entry 1") && err.contains("Steam:z"), "{err}");
    }

    #[test]
    fn uri_files_undo_freeotp_conventions() {
        let text = b"otpauth://hotp/ACME%3Ax?secret=JBSWY3DPEHPK3PXP&algorithm=SHA1&digits=6&period=30&counter=11\n\
                     otpauth://totp/Steam%3Agaben?secret=JBSWY3DPEHPK3PXP&algorithm=SHA1&digits=5&period=30\n\
                     \n# a comment\n\
                     otpauth://totp/Steamy%3Ab?secret=JBSWY3DPEHPK3PXP&issuer=Steamy&algorithm=SHA1&digits=6&period=30\n";
        assert!(FreeOtp.detect(text));
        let got = FreeOtp.parse(text, &mut Passwords::default()).unwrap();
        assert_eq!(got[0].entry.counter, 10);
        assert_eq!(got[1].entry.kind, Kind::Steam);
        assert_eq!(got[1].entry.issuer, "Steam");
        assert_eq!(got[2].entry.kind, Kind::Totp);
    }

    #[test]
    fn uri_lists_in_other_layouts_are_not_freeotp() {
        let not_ours: &[&[u8]] = &[
            // One line in another order is enough.
            b"otpauth://totp/A%3Ax?secret=JBSWY3DPEHPK3PXP&algorithm=SHA1&digits=6&period=30\n\
              otpauth://totp/B%3Ay?period=30&digits=6&algorithm=SHA1&secret=JBSWY3DPEHPK3PXP\n",
            // otp's own export: a raw ':' in the label, and HOTP without a period.
            b"otpauth://totp/A:x?secret=JBSWY3DPEHPK3PXP&issuer=A&algorithm=SHA1&digits=6&period=30\n",
            b"otpauth://hotp/x?secret=JBSWY3DPEHPK3PXP&algorithm=SHA1&digits=6&counter=3\n",
            // A counter on a TOTP line, an extra parameter, another type, nothing at all.
            b"otpauth://totp/x?secret=JBSWY3DPEHPK3PXP&algorithm=SHA1&digits=6&period=30&counter=1\n",
            b"otpauth://totp/x?secret=JBSWY3DPEHPK3PXP&algorithm=SHA1&digits=6&period=30&codeDisplay=%7B%7D\n",
            b"otpauth://steam/x?secret=JBSWY3DPEHPK3PXP&algorithm=SHA1&digits=5&period=30\n",
            b"# only a comment\n\n",
            b"\xff\xfe",
        ];
        for text in not_ours {
            assert!(!FreeOtp.detect(text), "{}", String::from_utf8_lossy(text));
        }
    }

    #[test]
    fn detection_needs_both_keys() {
        assert!(!FreeOtp.detect(br#"{"tokens": []}"#));
        assert!(!FreeOtp.detect(br#"{"version": 1, "entries": []}"#));
        assert!(FreeOtp.detect(br#"{"tokenOrder": [], "tokens": []}"#));
    }
}
