//! `json`: otp's own vault document (`{"version": 1, "entries": [...]}`), as
//! `otp export --format json --plaintext` writes it and `age -d vault.age` prints it. Notes
//! and recovery codes come along.

use super::{Error, Format, Imported, Passwords};
use crate::vault::{Document, document};

pub(crate) struct Json;

/// Only the top-level shape, so that detection copies no secret.
#[derive(serde::Deserialize)]
struct Shape {
    #[allow(dead_code)]
    version: u32,
    #[allow(dead_code)]
    entries: serde::de::IgnoredAny,
}

impl Format for Json {
    fn name(&self) -> &'static str {
        "json"
    }

    fn detect(&self, bytes: &[u8]) -> bool {
        bytes.trim_ascii_start().starts_with(b"{") && serde_json::from_slice::<Shape>(bytes).is_ok()
    }

    fn parse(&self, bytes: &[u8], _: &mut Passwords) -> Result<Vec<Imported>, Error> {
        // Reading the document checks every entry as the vault's own are checked (secrets
        // normalised, digits, period, type); the checks below add the input paths' rules.
        let doc = Document::from_json(bytes).map_err(|e| Error::Malformed {
            format: "json",
            reason: match e {
                document::Error::Malformed(reason) => reason,
                other => other.to_string(),
            },
        })?;
        doc.entries
            .iter()
            .enumerate()
            .map(|(i, e)| {
                Ok(Imported {
                    entry: super::validated(i + 1, e.to_new())?,
                    note: e.note.clone(),
                    recovery: e.recovery.clone(),
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notes_and_recovery_codes_come_along() {
        let text = br#"{"version": 1, "entries": [{"id": "abc123", "issuer": "A",
            "account": "x", "secret": "JBSWY3DPEHPK3PXP", "type": "totp",
            "algorithm": "SHA256", "digits": 8, "period": 60, "created": 1, "updated": 2,
            "note": "work", "recovery": [{"code": "1111"}, {"code": "2222", "used": 5}]}]}"#;
        assert!(Json.detect(text));
        let got = Json.parse(text, &mut Passwords::default()).unwrap();
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].entry.digits, 8);
        assert_eq!(got[0].entry.period, 60);
        assert_eq!(got[0].note.as_deref(), Some("work"));
        assert_eq!(got[0].recovery.len(), 2);
        assert_eq!(got[0].recovery[1].used, Some(5));
    }

    fn parse(text: &str) -> Result<Vec<Imported>, Error> {
        Json.parse(text.as_bytes(), &mut Passwords::default())
    }

    #[test]
    fn invalid_entries_are_named() {
        let text = r#"{"version": 1, "entries": [{"id": "a", "account": "x",
            "secret": "JBSWY3DPEHPK3PXP", "digits": 99, "created": 1, "updated": 2}]}"#;
        let err = parse(text).unwrap_err().to_string();
        assert!(
            err.starts_with("it is not a valid json file: entry a (x): digits must be between"),
            "{err}"
        );
        assert!(!err.contains("JBSWY3DPEHPK3PXP"));
        // What only the input paths refuse is named by position.
        let text = r#"{"version": 1, "entries": [{"id": "a", "account": "x\u0007",
            "secret": "JBSWY3DPEHPK3PXP", "created": 1, "updated": 2}]}"#;
        let err = parse(text).unwrap_err().to_string();
        assert!(
            err.starts_with("entry 1: the account name contains control"),
            "{err}"
        );
    }

    #[test]
    fn secrets_are_checked_and_normalised() {
        let entry = |secret: &str| {
            format!(
                r#"{{"version": 1, "entries": [{{"id": "a", "account": "x",
                "secret": "{secret}", "created": 1, "updated": 2}}]}}"#
            )
        };
        for printed in [
            "jbsw y3dp ehpk 3pxp",
            "JBSW-Y3DP-EHPK-3PXP",
            "JBSWY3DPEHPK3PXP==",
        ] {
            let got = parse(&entry(printed)).unwrap();
            assert_eq!(
                got[0].entry.secret.as_base32(),
                "JBSWY3DPEHPK3PXP",
                "{printed}"
            );
        }
        for (garbage, why) in [
            ("", "the secret is empty"),
            ("not a secret!", "not base32"),
            ("JBSWY3DPE", "not valid base32"),
        ] {
            let err = parse(&entry(garbage)).unwrap_err().to_string();
            assert!(err.contains(why), "{garbage:?}: {err}");
        }
    }
}
