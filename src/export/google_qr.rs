//! `google-qr`: Google Authenticator "Transfer accounts" texts (`otpauth-migration://`), one QR
//! code each, batches of at most [`BATCH`] accounts with one shared batch id.

use super::Result;
use super::{Format, Output, Skipped};
use crate::entry::Entry;
use crate::migration;
use crate::vault::Document;
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

/// Accounts per Google Authenticator transfer QR code, as the app itself batches them.
pub(crate) const BATCH: usize = 10;

/// The transfer at time `now` (a Unix time: it seeds the batch id).
pub(crate) struct GoogleQr {
    pub now: i64,
}

impl Format for GoogleQr {
    fn export(&self, doc: &Document) -> Result<Output> {
        let mut entries = Vec::new();
        let mut skipped = Vec::new();
        for entry in &doc.entries {
            match google_cannot_carry(entry) {
                Some(reason) => skipped.push(Skipped {
                    label: entry.label(),
                    id: entry.id.clone(),
                    reason,
                }),
                None => entries.push(entry),
            }
        }
        if entries.is_empty() {
            return Ok(Output::Codes {
                texts: Vec::new(),
                skipped,
            });
        }
        let texts = google_uris(&entries, google_batch_id(&entries, self.now));
        Ok(Output::Codes { texts, skipped })
    }
}

/// Why Google Authenticator's transfer format cannot carry `entry`, if it cannot.
fn google_cannot_carry(entry: &Entry) -> Option<String> {
    migration::cannot_carry(&entry.to_new())
}

/// The transfer URIs for `entries`: batches of at most [`BATCH`], one batch id.
fn google_uris(entries: &[&Entry], batch_id: i32) -> Vec<Zeroizing<String>> {
    let entries: Vec<_> = entries.iter().map(|e| e.to_new()).collect();
    migration::to_uris(&entries, BATCH, batch_id)
}

/// One id for this transfer, from the time and the accounts: the app uses it to tell the
/// codes of one transfer from another's.
fn google_batch_id(entries: &[&Entry], now: i64) -> i32 {
    let mut hash = Sha256::new();
    hash.update(now.to_le_bytes());
    for e in entries {
        hash.update(e.id.as_bytes());
        hash.update([0]);
    }
    let digest = hash.finalize();
    i32::from_le_bytes([digest[0], digest[1], digest[2], digest[3]])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entry::{Algorithm, Kind, NewEntry};
    use crate::export::test_entry as entry;

    #[test]
    fn google_batches_read_back_through_the_migration_parser() {
        let entries: Vec<Entry> = (0..23)
            .map(|i| {
                entry(
                    &format!("e{i}"),
                    &format!("Issuer {i}"),
                    "me+you@example.com",
                )
            })
            .collect();
        let mut hotp = entry("h", "", "x:y");
        hotp.kind = Kind::Hotp;
        hotp.counter = 42;
        hotp.algorithm = Algorithm::SHA512;
        hotp.digits = 8;
        let mut refs: Vec<&Entry> = entries.iter().collect();
        refs.push(&hotp);
        let uris = google_uris(&refs, -5);
        assert_eq!(uris.len(), 3);
        let mut back = Vec::new();
        for (i, uri) in uris.iter().enumerate() {
            let data = uri.split_once("data=").unwrap().1;
            assert!(
                !data.contains(['+', '/', '=']),
                "escaped as Google does: {data}"
            );
            let batch = crate::migration::parse_batch(uri).unwrap();
            assert_eq!((batch.index, batch.size, batch.id), (i as u32, 3, -5));
            assert!(batch.entries.len() <= BATCH);
            back.extend(batch.entries);
        }
        let want: Vec<NewEntry> = refs.iter().map(|e| e.to_new()).collect();
        assert_eq!(back, want);
    }

    #[test]
    fn what_google_cannot_carry_is_named() {
        let ok = entry("a", "A", "a");
        assert_eq!(google_cannot_carry(&ok), None);
        let mut steam = entry("s", "Steam", "s");
        steam.kind = Kind::Steam;
        assert!(google_cannot_carry(&steam).unwrap().contains("Steam"));
        let mut slow = entry("p", "P", "p");
        slow.period = 60;
        assert!(google_cannot_carry(&slow).unwrap().contains("60 s"));
        let mut seven = entry("d", "D", "d");
        seven.digits = 7;
        assert!(google_cannot_carry(&seven).unwrap().contains("7 digits"));
    }
}
