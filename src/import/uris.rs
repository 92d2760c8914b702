//! `uris`: otpauth:// (and otpauth-migration://) URIs, one per line, as
//! `otp export --format uris --plaintext` writes them; blank lines and `#` comments are
//! skipped. Many apps export this shape as "plain text".

use super::{Error, Format, Imported, Passwords};
use crate::uri::Scheme;
use crate::{migration, uri};

pub(crate) struct Uris;

fn lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines()
        .enumerate()
        .map(|(n, l)| (n + 1, l.trim()))
        .filter(|(_, l)| !l.is_empty() && !l.starts_with('#'))
}

impl Format for Uris {
    fn name(&self) -> &'static str {
        "uris"
    }

    fn detect(&self, bytes: &[u8]) -> bool {
        let Ok(text) = std::str::from_utf8(bytes) else {
            return false;
        };
        lines(text)
            .next()
            .is_some_and(|(_, l)| uri::classify(l).is_some())
    }

    fn parse(&self, bytes: &[u8], _: &mut Passwords) -> Result<Vec<Imported>, Error> {
        let text = std::str::from_utf8(bytes).map_err(|_| Error::Malformed {
            format: "uris",
            reason: "it is not UTF-8 text".into(),
        })?;
        let mut out = Vec::new();
        for (n, line) in lines(text) {
            // Errors name the line, never its text: it holds a secret.
            let at_line = |reason: String| Error::Malformed {
                format: "uris",
                reason: format!("line {n}: {reason}"),
            };
            if uri::classify(line) == Some(Scheme::Transfer) {
                let batch = migration::parse(line).map_err(|e| at_line(e.to_string()))?;
                out.extend(batch.into_iter().map(Imported::from));
            } else {
                let entry = uri::parse(line).map_err(|e| at_line(e.to_string()))?;
                out.push(entry.into());
            }
        }
        if out.is_empty() {
            return Err(Error::Empty);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_uris_and_names_bad_lines_without_quoting_them() {
        let good = b"otpauth://totp/A:x?secret=JBSWY3DPEHPK3PXP\n\n# c\notpauth://hotp/B:y?secret=GEZDGNBVGY3TQOJQ&counter=4\n";
        let got = Uris.parse(good, &mut Passwords::default()).unwrap();
        assert_eq!(got.len(), 2);
        assert_eq!(got[1].entry.counter, 4);
        let bad = b"otpauth://totp/A:x?secret=JBSWY3DPEHPK3PXP\notpauth://totp/B:y?secret=JBSWY3DP!!&digits=6\n";
        let err = Uris
            .parse(bad, &mut Passwords::default())
            .unwrap_err()
            .to_string();
        assert!(err.contains("line 2"), "{err}");
        assert!(!err.contains("JBSWY3DP"), "{err}");
    }
}
