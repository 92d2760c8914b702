//! Integration tests of QR import in the library (`otp::qr`, `otp::migration`): every fixture
//! in `tests/fixtures/qr/` (made by `examples/gen_qr_fixtures.rs`) yields exactly the
//! payloads and entries its manifest lists; broken inputs fail with clear errors; and otp
//! reads every fixture that `zbarimg` reads, to the same payloads.

use otp::entry::NewEntry;
use otp::{migration, qr, uri};
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/qr")
}

fn manifest() -> Vec<Value> {
    let text = std::fs::read_to_string(fixtures_dir().join("expected.json")).unwrap();
    let json: Value = serde_json::from_str(&text).unwrap();
    json["fixtures"].as_array().unwrap().clone()
}

fn strings(value: &Value) -> Vec<String> {
    value
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect()
}

fn entry_json(e: &NewEntry) -> Value {
    serde_json::json!({
        "issuer": e.issuer,
        "account": e.account,
        "secret": e.secret.as_base32(),
        "type": e.kind.as_str(),
        "algorithm": e.algorithm.as_str(),
        "digits": e.digits,
        "period": e.period,
        "counter": e.counter,
    })
}

fn entries_of(payload: &str) -> Vec<NewEntry> {
    if migration::is_migration(payload) {
        migration::parse(payload).unwrap()
    } else {
        vec![uri::parse(payload).unwrap()]
    }
}

#[test]
fn every_fixture_yields_its_payloads_and_entries() {
    let mut failures = Vec::new();
    for fixture in manifest() {
        let file = fixture["file"].as_str().unwrap();
        let want: BTreeSet<String> = strings(&fixture["payloads"]).into_iter().collect();
        let got = match qr::decode_file(&fixtures_dir().join(file)) {
            Ok(got) => got,
            Err(e) => {
                failures.push(format!("{file}: {e}"));
                continue;
            }
        };
        let unique: BTreeSet<String> = got.iter().cloned().collect();
        assert_eq!(unique.len(), got.len(), "{file}: duplicates");
        if unique != want {
            failures.push(format!(
                "{file}: got {} payload(s), wanted {}",
                got.len(),
                want.len()
            ));
            continue;
        }
        let entries: Vec<Value> = got
            .iter()
            .flat_map(|p| entries_of(p))
            .map(|e| entry_json(&e))
            .collect();
        let mut want_entries = fixture["entries"].as_array().unwrap().clone();
        let key = |v: &Value| v.to_string();
        let mut entries_sorted = entries.clone();
        entries_sorted.sort_by_key(key);
        want_entries.sort_by_key(key);
        if entries_sorted != want_entries {
            failures.push(format!(
                "{file}: entries differ:\n got {entries_sorted:?}\nwant {want_entries:?}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn several_codes_come_in_reading_order_and_batches_split() {
    let got = qr::decode_file(&fixtures_dir().join("several-codes.png")).unwrap();
    assert_eq!(got.len(), 3);
    // The generator places them left to right.
    let issuers: Vec<String> = got.iter().map(|p| uri::parse(p).unwrap().issuer).collect();
    assert_eq!(issuers, ["GitHub", "Discord", "PayPal"]);

    let mut ids = Vec::new();
    let mut total = 0;
    for part in ["migration-batch-1of2.png", "migration-batch-2of2.png"] {
        let payloads = qr::decode_file(&fixtures_dir().join(part)).unwrap();
        let batch = migration::parse_batch(&payloads[0]).unwrap();
        assert_eq!(batch.size, 2);
        ids.push(batch.id);
        total += batch.entries.len();
    }
    assert_eq!(ids, [-1_836_273_645, -1_836_273_645]);
    assert_eq!(total, 3);
}

#[test]
fn clipboard_rgba_decodes_like_the_file() {
    let path = fixtures_dir().join("format-transparent.png");
    let image = image::open(&path).unwrap().to_rgba8();
    let (w, h) = image.dimensions();
    let got = qr::decode_rgba(w, h, image.as_raw()).unwrap();
    assert_eq!(got, qr::decode_file(&path).unwrap());
}

#[test]
fn broken_migration_payloads_fail_cleanly() {
    let cases = [
        (
            "otpauth-migration://offline?data=!!!notbase64",
            "not base64",
        ),
        ("otpauth-migration://offline?data=CgUKAw", "not a valid"),
        (
            "otpauth-migration://offline?data=%E0%A4%A",
            "percent escape",
        ),
        ("otpauth-migration://offline?foo=bar", "no data"),
        ("otpauth-migration://offline?data=", "no accounts"),
        // An account whose type is 9: field 6 = 9 inside OtpParameters.
        (
            "otpauth-migration://offline?data=CgYKAgABMAk",
            "unsupported OTP type",
        ),
    ];
    for (uri, want) in cases {
        let err = migration::parse(uri).unwrap_err().to_string();
        assert!(err.contains(want), "{uri}: {err}");
    }
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

fn png_chunk(png: &mut Vec<u8>, kind: &[u8], data: &[u8]) {
    let mut chunk = kind.to_vec();
    chunk.extend(data);
    png.extend((data.len() as u32).to_be_bytes());
    png.extend(&chunk);
    png.extend(crc32(&chunk).to_be_bytes());
}

/// A PNG claiming `width`×`height` pixels, with a header and no pixel data.
fn png_header(width: u32, height: u32) -> Vec<u8> {
    let mut header = width.to_be_bytes().to_vec();
    header.extend(height.to_be_bytes());
    header.extend([8, 2, 0, 0, 0]);
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png_chunk(&mut png, b"IHDR", &header);
    png_chunk(&mut png, b"IDAT", &[]);
    png_chunk(&mut png, b"IEND", &[]);
    png
}

#[test]
fn images_above_100_megapixels_are_refused_from_the_header() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bomb.png");
    std::fs::write(&path, png_header(20_000, 20_000)).unwrap();
    let err = qr::decode_file(&path).unwrap_err();
    assert!(
        matches!(
            err,
            qr::Error::TooLarge {
                width: 20_000,
                height: 20_000
            }
        ),
        "{err}"
    );
    assert!(err.to_string().contains("100 megapixels"), "{err}");
    // A GIF header claiming 65535×65535.
    // A GIF claiming 65535×65535 (screen and first frame), with a one-pixel body.
    let mut gif = b"GIF89a\xff\xff\xff\xff\x00\x00\x00".to_vec();
    gif.extend(b"\x2c\x00\x00\x00\x00\xff\xff\xff\xff\x00\x02\x02\x44\x01\x00\x3b");
    let err = qr::decode_bytes(&gif).unwrap_err();
    assert!(matches!(err, qr::Error::TooLarge { .. }), "{err}");
    // Just under the limit, the header passes and the (missing) pixels are the problem.
    let err = qr::decode_bytes(&png_header(10_000, 10_000)).unwrap_err();
    assert!(matches!(err, qr::Error::Corrupt(_)), "{err}");
}

#[test]
fn non_images_and_missing_files_are_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let text = dir.path().join("notes.png");
    std::fs::write(&text, "otpauth://totp/x?secret=JBSWY3DPEHPK3PXP\n").unwrap();
    let err = qr::decode_file(&text).unwrap_err().to_string();
    assert!(err.starts_with("not an image"), "{err}");
    assert!(!err.contains("JBSWY3DP"), "{err}");

    let tiff = dir.path().join("scan.tif");
    std::fs::write(&tiff, b"II*\x00\x08\x00\x00\x00\x00\x00").unwrap();
    let err = qr::decode_file(&tiff).unwrap_err().to_string();
    assert!(
        err.contains("TIFF") && err.contains("not supported"),
        "{err}"
    );

    let missing = dir.path().join("missing.png");
    let err = qr::decode_file(&missing).unwrap_err().to_string();
    assert!(
        err.starts_with("cannot read") && err.contains("missing.png"),
        "{err}"
    );

    let blank = dir.path().join("blank.png");
    image::GrayImage::from_pixel(64, 64, image::Luma([255]))
        .save(&blank)
        .unwrap();
    let err = qr::decode_file(&blank).unwrap_err().to_string();
    assert!(
        err.starts_with("no QR code found") && err.contains("inverted"),
        "{err}"
    );
}

/// Payloads `zbarimg` reads from `path`, or None when it reads nothing (or cannot open it).
fn zbarimg(path: &Path, inverted: bool) -> Option<BTreeSet<String>> {
    let mut cmd = Command::new("zbarimg");
    cmd.args(["-q", "--raw"]);
    if inverted {
        cmd.arg("-Stest-inverted");
    }
    let out = cmd.arg(path).output().ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    let payloads: BTreeSet<String> = text
        .lines()
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect();
    (out.status.success() && !payloads.is_empty()).then_some(payloads)
}

#[test]
fn otp_reads_every_fixture_zbarimg_reads() {
    if Command::new("zbarimg").arg("--version").output().is_err() {
        // CI must have it (Debian: zbar-tools); elsewhere the cross-check is optional.
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "zbarimg is missing in CI: install zbar-tools"
        );
        eprintln!("note: zbarimg not found; skipping the zbarimg cross-check");
        return;
    }
    let mut failures = Vec::new();
    let mut read = 0;
    for fixture in manifest() {
        let file = fixture["file"].as_str().unwrap();
        let path = fixtures_dir().join(file);
        let dark = fixture["dark"].as_bool().unwrap();
        let Some(theirs) = zbarimg(&path, dark) else {
            continue;
        };
        read += 1;
        let ours: BTreeSet<String> = qr::decode_file(&path)
            .unwrap_or_default()
            .into_iter()
            .collect();
        // Every code zbarimg reads, otp reads too (otp may read more, e.g. several codes).
        if !theirs.is_subset(&ours) {
            failures.push(format!(
                "{file}: zbarimg read {} payload(s) otp did not",
                theirs.difference(&ours).count()
            ));
        }
    }
    assert!(read > 0, "zbarimg read no fixture at all: is it working?");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn jpegs_read_through_their_luma_as_through_rgb() {
    // JPEGs are decoded straight to their Y channel; the codes found must be those found in
    // the same image decoded to RGB and converted as every other format is.
    for name in ["page-1080p-q70.jpg", "jpeg-2px.jpg", "several-codes.png"] {
        let bytes = std::fs::read(fixtures_dir().join(name)).unwrap();
        let rgba = image::load_from_memory(&bytes).unwrap().into_rgba8();
        let via_rgb = qr::decode_rgba(rgba.width(), rgba.height(), rgba.as_raw()).unwrap();
        assert_eq!(qr::decode_bytes(&bytes).unwrap(), via_rgb, "{name}");
        // Cut short anywhere: a clear error or what the decoder could still read, no panic.
        for cut in [3, 200, bytes.len() / 3, bytes.len() / 2, bytes.len() - 2] {
            match qr::decode_bytes(&bytes[..cut]) {
                Ok(codes) => assert!(codes.iter().all(|c| !c.is_empty()), "{name} at {cut}"),
                Err(e) => assert!(
                    matches!(
                        e,
                        qr::Error::Corrupt(_)
                            | qr::Error::NoQrCode(_)
                            | qr::Error::Unreadable { .. }
                            | qr::Error::NotAnImage
                    ),
                    "{name} cut at {cut}: {e}"
                ),
            }
        }
    }
}
