//! Fuzz-style robustness of every importer: each file in `tests/fixtures/apps`,
//! truncated at seeded points and with single bits flipped at seeded positions, goes through
//! the library's detection and parsing (`otp::import::detect`, and the fixture's own format
//! forced with `format_for`), with the fixtures' password available. Whatever the outcome, no
//! importer may panic or hang.
//!
//! Formats behind a password KDF (scrypt, PBKDF2, Argon2) run it on most mutations, so they
//! get fewer; the Ente export with the app's real Argon2 cost only gets truncations, which
//! break its JSON before the KDF. The whole file runs in seconds in a debug build.

use otp::import::{self, Format, Passwords};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

/// How many truncations and bit flips each fixture gets.
fn budget(name: &str) -> (usize, usize) {
    match name {
        // Argon2id with 256 MiB and 16 passes: seconds per attempt.
        "ente_encrypted.json" => (60, 0),
        // PBKDF2-HMAC-SHA1 with 147,913 iterations: over a second per attempt in a debug
        // build (the generic loop is compiled in otp, unoptimised). Every mutation of the
        // ciphertext fails at the GCM tag, so a handful covers the path; andotp_plain.json's
        // mutations cover the parser behind it.
        "andotp_encrypted.bin" | "truncated_andotp.bin" => (2, 1),
        // scrypt N=32768; PBKDF2-HMAC-SHA256 with 10,000 iterations: tens of milliseconds.
        "aegis_encrypted.json" | "truncated_aegis.json" => (50, 50),
        "twofas_encrypted.2fas" => (40, 40),
        // Argon2id with 8 MiB and 2 passes: a few milliseconds.
        "ente_encrypted_fastkdf.json" => (200, 200),
        // Argon2id (16 MiB, 2 passes, 2 lanes) and PBKDF2-HMAC-SHA256 (5,000 iterations,
        // tens of milliseconds unoptimised): most mutations of the data fail at its MAC, and
        // bitwarden.json's mutations cover the parser behind it.
        "bitwarden_encrypted_argon2id.json" => (100, 100),
        "bitwarden_encrypted_pbkdf2.json" => (40, 40),
        _ => (300, 300),
    }
}

/// No single mutated file may take longer than this (a KDF cost taken from a damaged file
/// must be bounded by the importer).
const PER_FORMAT_LIMIT: Duration = Duration::from_secs(60);

fn fixtures() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/apps");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let name = p.file_name().unwrap().to_str().unwrap();
            // The scripts that wrote or checked the fixtures are no exports.
            name != "README.md"
                && name != "accounts.json"
                && !name.ends_with(".py")
                && !name.ends_with(".js")
        })
        .collect();
    files.sort();
    files
}

/// Deterministic mutations of `bytes`: `(description, mutated bytes)`.
fn mutations(name: &str, bytes: &[u8], seed: u64) -> Vec<(String, Vec<u8>)> {
    let (cuts, flips) = budget(name);
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut out = Vec::new();
    if bytes.is_empty() {
        return out;
    }
    // Always the empty file and the file without its last byte, then seeded cut points.
    let mut points = vec![0, bytes.len() - 1];
    points.extend((0..cuts.saturating_sub(2)).map(|_| rng.usize(0..bytes.len())));
    for at in points {
        out.push((format!("truncated at {at}"), bytes[..at].to_vec()));
    }
    for _ in 0..flips {
        let at = rng.usize(0..bytes.len());
        let bit = rng.u8(0..8);
        let mut flipped = bytes.to_vec();
        flipped[at] ^= 1 << bit;
        out.push((format!("bit {bit} of byte {at} flipped"), flipped));
    }
    out
}

/// Detects and parses `bytes`; also parses them as `own` when detection picks something else.
/// Errors are fine; panics fail the test (with the mutation named by the caller).
fn exercise(bytes: &[u8], own: Option<&'static dyn Format>, passwords: &mut Passwords) {
    let detected = import::detect(bytes);
    if let Some(format) = detected {
        let _ = format.parse(bytes, passwords);
    }
    if let Some(own) = own
        && detected.map(|d| d.name()) != Some(own.name())
    {
        let _ = own.parse(bytes, passwords);
    }
}

#[test]
fn mutated_fixtures_never_panic_or_hang() {
    let dir = tempfile::tempdir().unwrap();
    let password = dir.path().join("password");
    std::fs::write(&password, "test\n").unwrap();

    let mut total = 0;
    for (n, path) in fixtures().into_iter().enumerate() {
        let name = path.file_name().unwrap().to_str().unwrap().to_string();
        let bytes = std::fs::read(&path).unwrap();
        let own = import::detect(&bytes);
        let cases = mutations(&name, &bytes, 0x6f74_7000 + n as u64);
        total += cases.len();
        // Each fixture in its own thread, so that a hang fails the test instead of stalling it.
        let started = std::time::Instant::now();
        let count = cases.len();
        let (done, finished) = mpsc::channel();
        let password = password.clone();
        let worker_name = name.clone();
        let worker = std::thread::spawn(move || {
            let mut passwords = Passwords::new(Some(password));
            for (what, case) in &cases {
                let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    exercise(case, own, &mut passwords)
                }));
                if result.is_err() {
                    let _ = done.send(Err(format!("{worker_name}, {what}: the importer panicked")));
                    return;
                }
            }
            let _ = done.send(Ok(()));
        });
        match finished.recv_timeout(PER_FORMAT_LIMIT) {
            Ok(Ok(())) => {
                worker.join().unwrap();
                eprintln!("{name}: {count} mutations in {:?}", started.elapsed());
            }
            Ok(Err(message)) => panic!("{message}"),
            Err(_) => {
                panic!("{name}: mutations took over {PER_FORMAT_LIMIT:?} (unbounded KDF cost?)")
            }
        }
    }
    assert!(total > 8000, "only {total} mutations");
}

#[test]
fn mutations_are_deterministic_and_varied() {
    let bytes: Vec<u8> = (0..=255).collect();
    let a = mutations("x", &bytes, 7);
    assert_eq!(a, mutations("x", &bytes, 7));
    assert_eq!(a.len(), 600);
    let distinct: std::collections::HashSet<_> = a.iter().map(|(w, _)| w).collect();
    assert!(distinct.len() > 400, "{}", distinct.len());
    assert!(a.iter().all(|(_, m)| m != &bytes));
}
