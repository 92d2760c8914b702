//! Replays the committed fuzz corpora (`fuzz/corpus/TARGET`) through the same functions the
//! fuzz targets in `fuzz/` call (`otp::fuzzing`), so every `cargo test` checks that no input
//! the fuzzer kept panics or breaks a target's assertions. Inputs that once crashed a target
//! are in the corpus too, and have their own tests next to the code they exercised.

use std::path::Path;

fn replay(target: &str, harness: fn(&[u8])) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/corpus")
        .join(target);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert!(files.len() >= 3, "{target}: only {} inputs", files.len());
    for file in files {
        let data = std::fs::read(&file).unwrap();
        let outcome = std::panic::catch_unwind(|| harness(&data));
        assert!(outcome.is_ok(), "{target} fails on {}", file.display());
    }
}

#[test]
fn otpauth_uri() {
    replay("otpauth_uri", otp::fuzzing::otpauth_uri);
}

#[test]
fn migration_payload() {
    replay("migration_payload", otp::fuzzing::migration_payload);
}

#[test]
fn import_file() {
    replay("import_file", otp::fuzzing::import_file);
}

#[test]
fn config_file() {
    replay("config_file", otp::fuzzing::config_file);
}

#[test]
fn qr_image() {
    replay("qr_image", otp::fuzzing::qr_image);
}

#[test]
fn vault_read() {
    replay("vault_read", otp::fuzzing::vault_read);
}

// What fuzzing found, each as it was found (or minimised), through the same harness.

/// The fast lookup of `otp code` took `bdigits"` for a key: it matched known keys from the
/// byte after the opening quote without checking that the quote was there.
#[test]
fn the_lookup_refuses_a_key_missing_its_opening_quote() {
    otp::fuzzing::vault_read(
        b"gt\n{\"version\":1,\"entries\":[{\"id\":\"03\",\"account\":\"\",bdigits\":8}]}",
    );
    otp::fuzzing::vault_read(
        b"github\n{\"version\":1,\"entries\":[{\"id\":\"0309e8\",\"issuer\":\"GitHub\",\
          \"account\":\"octocat\",\"secret\":\"JBSWY3DPEHPK3PXP\",digits\":6}]}",
    );
}

/// Invalid escapes in the strings of entries it does not choose (a fault a review suspected;
/// this build already refuses them): a guard for whatever reads the vault next.
#[test]
fn the_lookup_refuses_an_invalid_escape_in_another_entry() {
    for escape in [r"\q", r"\u12zz", r"\u", r"\"] {
        let doc = format!(
            "github\n{{\"version\":1,\"entries\":[\
             {{\"id\":\"a1\",\"issuer\":\"A\",\"account\":\"x\",\"secret\":\"JBSWY3DPEHPK3PXP\",\
             \"recovery\":[{{\"code\":\"{escape}\"}}],\"x\":[\"{escape}\"]}},\
             {{\"id\":\"b2\",\"issuer\":\"GitHub\",\"account\":\"y\",\
             \"secret\":\"JBSWY3DPEHPK3PXP\"}}]}}"
        );
        otp::fuzzing::vault_read(doc.as_bytes());
    }
}

/// A HOTP URI with a `period` (which HOTP never uses) printed back without it: the harness
/// compares what makes the codes, and this stays a test that the rest reads back.
#[test]
fn a_hotp_uri_with_a_period_reads_back() {
    otp::fuzzing::otpauth_uri(
        b"otpauth://hotp/ACME%20VPN%3Ahotp-token?secret=ZYTLVEVADX3MJB2E72JE2J3HAJ4RQAH5\
          &algorithm=SHA1&digits=6&period=29&counter=10301",
    );
}
