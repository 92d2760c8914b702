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
