/*!
The bodies of the fuzz targets in `fuzz/`, here so that `tests/fuzz_corpus.rs` replays the
committed corpora through exactly what the fuzzer ran, in every `cargo test`.

Each function takes arbitrary bytes. Any outcome but a panic is fine for a refused input; the
asserts state what must hold whenever the input is accepted. Not part of otp's interface.
*/

use crate::config::Config;
use crate::entry::{Kind, NewEntry};
use crate::import::{self, FORMATS, Passwords};
use crate::vault::{Document, find};
use crate::{migration, qr, query, uri};
use age::secrecy::SecretString;
use std::io::Cursor;
use std::path::Path;

/// Inputs above this are cut: the targets explore structure, not size.
const MAX_INPUT: usize = 64 * 1024;

/// Images above this many pixels are skipped: the target is about small images (the size
/// limit itself is tested in tests/qr.rs).
const MAX_FUZZ_PIXELS: u64 = 512 * 512;

fn capped(data: &[u8]) -> &[u8] {
    &data[..data.len().min(MAX_INPUT)]
}

/// What makes an entry's codes and name: a TOTP's counter and a HOTP's period are never
/// used, and its URI leaves them out.
fn meaning(entry: &NewEntry) -> NewEntry {
    let mut entry = entry.clone();
    match entry.kind {
        Kind::Hotp => entry.period = NewEntry::totp("", "", entry.secret.clone()).period,
        Kind::Totp | Kind::Steam => entry.counter = 0,
    }
    entry
}

/// `otpauth://` parsing: an accepted URI prints back to a URI that parses to the same entry.
pub fn otpauth_uri(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(capped(data)) else {
        return;
    };
    let Ok((entry, _note)) = uri::parse_noting(text) else {
        return;
    };
    let printed = uri::to_uri(&entry);
    match uri::parse(&printed) {
        Ok(again) => assert_eq!(
            meaning(&again),
            meaning(&entry),
            "{printed} reads back differently"
        ),
        Err(e) => panic!("otp's own URI of an accepted entry is refused: {e}"),
    }
}

/// Google's `otpauth-migration://` transfers. A first byte of 0 makes the rest the raw
/// protobuf payload (so the fuzzer mutates the message, not its base64); otherwise the input
/// is the URI text. Accepted entries that a transfer can carry go out and back unchanged.
pub fn migration_payload(data: &[u8]) {
    let data = capped(data);
    let text = match data.split_first() {
        Some((0, payload)) => {
            use base64::Engine;
            let b64 = base64::engine::general_purpose::STANDARD.encode(payload);
            let data =
                percent_encoding::utf8_percent_encode(&b64, percent_encoding::NON_ALPHANUMERIC);
            format!("otpauth-migration://offline?data={data}")
        }
        _ => match std::str::from_utf8(data) {
            Ok(text) => text.to_string(),
            Err(_) => return,
        },
    };
    let Ok(entries) = migration::parse(&text) else {
        return;
    };
    if entries.is_empty() || entries.iter().any(|e| migration::cannot_carry(e).is_some()) {
        return;
    }
    let mut back = Vec::new();
    for uri in migration::to_uris(&entries, 10, 1) {
        match migration::parse(&uri) {
            Ok(part) => back.extend(part),
            Err(e) => panic!("otp's own transfer of accepted entries is refused: {e}"),
        }
    }
    assert_eq!(back, entries, "a transfer reads back differently");
}

/// Every importer: the first byte picks the format (its low 7 bits; one past the last format
/// is auto-detection) and whether there is a password (its high bit), the rest is the file.
/// With a password, encrypted formats get the fixtures' one, `test`, and run their KDF;
/// without, they stop at asking for it, so the fuzzer spends its time in the parsers.
pub fn import_file(data: &[u8]) {
    let Some((&pick, bytes)) = capped(data).split_first() else {
        return;
    };
    let format = match FORMATS.get(usize::from(pick & 0x7f) % (FORMATS.len() + 1)) {
        Some(format) => *format,
        None => match import::detect(bytes) {
            Some(format) => format,
            None => return,
        },
    };
    let mut passwords = if pick & 0x80 != 0 {
        Passwords::given(SecretString::from("test".to_string()))
    } else {
        // A password file that is not there: refused at once, never a prompt.
        Passwords::new(Some("/nonexistent/otp-fuzzing/password".into()))
    };
    if let Ok((entries, _skipped)) = format.parse_all(bytes, &mut passwords) {
        for imported in entries {
            // What an importer returns is valid, as everything stored must be.
            if let Err(e) = imported.entry.clone().validated() {
                panic!("{} returned an invalid entry: {e}", format.name());
            }
        }
    }
}

/// The config file (TOML).
pub fn config_file(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(capped(data)) else {
        return;
    };
    if let Ok(config) = Config::parse(text, Path::new("config.toml")) {
        // Validated on reading: the recipients parse.
        assert_eq!(config.recipients().len(), config.recipients.len());
    }
}

/// QR decoding of small images in any format otp reads.
pub fn qr_image(data: &[u8]) {
    let data = capped(data);
    let small = image::ImageReader::new(Cursor::new(data))
        .with_guessed_format()
        .ok()
        .and_then(|r| r.into_dimensions().ok())
        .is_some_and(|(w, h)| u64::from(w) * u64::from(h) <= MAX_FUZZ_PIXELS);
    if small {
        let _ = qr::decode_bytes(data);
    }
}

/// The vault's read path. The input is a query, a newline, and a decrypted document.
/// `otp code`'s fast lookup refuses what is not JSON, and whenever serde reads the whole
/// document the lookup gives the entry (or the refusal) serde's entries give.
pub fn vault_read(data: &[u8]) {
    let data = capped(data);
    let Some(newline) = data.iter().position(|&b| b == b'\n') else {
        return;
    };
    let Ok(query) = std::str::from_utf8(&data[..newline]) else {
        return;
    };
    let plaintext = &data[newline + 1..];
    let found = find::resolve(plaintext, query);
    if serde_json::from_slice::<serde::de::IgnoredAny>(plaintext).is_err() {
        assert!(
            found.is_err(),
            "the lookup accepted a document that is not JSON"
        );
    }
    if let Ok(doc) = Document::from_json(plaintext) {
        let expected = query::resolve(&doc.entries, query).cloned();
        match found {
            Ok(found) => assert_eq!(found, expected, "the lookup and serde disagree"),
            Err(e) => panic!("the lookup refused a document serde reads: {e}"),
        }
    }
}
