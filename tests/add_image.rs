//! `otp add IMAGE…` end to end: every fixture image enrols exactly the entries its manifest
//! lists (secrets checked through `otp uri`), a transfer split over two images comes in with
//! one call, and bad images or foreign QR contents fail in one line with nothing written.

mod common;

use common::{TestEnv, stderr};
use otp::entry::NewEntry;
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/qr")
}

fn manifest() -> Vec<Value> {
    let text = std::fs::read_to_string(fixtures().join("expected.json")).unwrap();
    let json: Value = serde_json::from_str(&text).unwrap();
    json["fixtures"].as_array().unwrap().clone()
}

/// One entry as the manifest writes it.
fn key(e: &NewEntry) -> Value {
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

/// What the vault holds, read back through the CLI (`list --json`, then `uri` per entry).
fn vault_entries(env: &TestEnv) -> BTreeSet<String> {
    let out = env.run(&["list", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let list: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    list.iter()
        .map(|item| {
            let id = item["id"].as_str().unwrap();
            let out = env.run(&["uri", id]);
            assert!(out.status.success(), "{}", stderr(&out));
            let uri = String::from_utf8(out.stdout).unwrap();
            key(&otp::uri::parse(uri.trim()).unwrap()).to_string()
        })
        .collect()
}

fn path(file: &str) -> String {
    fixtures().join(file).to_string_lossy().into_owned()
}

#[test]
fn every_fixture_enrols_its_entries() {
    for fixture in manifest() {
        let file = fixture["file"].as_str().unwrap();
        let env = TestEnv::new();
        let out = env.run(&["add", &path(file)]);
        assert!(out.status.success(), "{file}: {}", stderr(&out));
        let want: BTreeSet<String> = fixture["entries"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e.to_string())
            .collect();
        // serde_json orders object keys, so both sides print alike.
        let want: BTreeSet<String> = want
            .iter()
            .map(|s| serde_json::from_str::<Value>(s).unwrap().to_string())
            .collect();
        assert_eq!(vault_entries(&env), want, "{file}");
        let added = String::from_utf8_lossy(&out.stdout);
        assert_eq!(
            added.matches("Added ").count(),
            want.len(),
            "{file}: {added}"
        );
    }
}

#[test]
fn a_split_transfer_comes_in_with_one_call() {
    let env = TestEnv::new();
    let out = env.run(&[
        "add",
        &path("migration-batch-1of2.png"),
        &path("migration-batch-2of2.png"),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let both: usize = manifest()
        .iter()
        .filter(|f| f["file"].as_str().unwrap().starts_with("migration-batch-"))
        .map(|f| f["entries"].as_array().unwrap().len())
        .sum();
    assert_eq!(vault_entries(&env).len(), both);
}

/// Writes a PNG holding one QR code with `text`, 8 px per module, on a white quiet zone.
fn qr_png(dir: &Path, name: &str, text: &str) -> String {
    let code = qrcode::QrCode::new(text.as_bytes()).unwrap();
    let width = code.width();
    let colors = code.to_colors();
    let (scale, quiet) = (8u32, 4u32);
    let side = (width as u32 + 2 * quiet) * scale;
    let img = image::GrayImage::from_fn(side, side, |x, y| {
        let (mx, my) = (x / scale, y / scale);
        let dark = mx >= quiet
            && my >= quiet
            && mx < quiet + width as u32
            && my < quiet + width as u32
            && colors[((my - quiet) * width as u32 + (mx - quiet)) as usize] == qrcode::Color::Dark;
        image::Luma([if dark { 0 } else { 255 }])
    });
    let file = dir.join(name);
    img.save(&file).unwrap();
    file.to_string_lossy().into_owned()
}

fn assert_refused(env: &TestEnv, args: &[&str], why: &str) {
    let before = env.vault_bytes();
    let out = env.run(args);
    assert_eq!(out.status.code(), Some(1), "{args:?}: {}", stderr(&out));
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.starts_with("otp: ") && err.contains(why), "{err}");
    assert!(!err.contains("JBSWY3DP"), "secret echoed: {err}");
    assert!(out.stdout.is_empty());
    assert_eq!(env.vault_bytes(), before, "{args:?} changed the vault");
}

#[test]
fn bad_images_and_foreign_codes_add_nothing() {
    let env = TestEnv::new();
    env.add(&[common::GITHUB]);
    let dir = env.dir.path();

    let web = qr_png(dir, "web.png", "https://example.com/login");
    assert_refused(&env, &["add", &web], "holds a web address");
    let wifi = qr_png(dir, "wifi.png", "WIFI:S:home;T:WPA;P:hunter22;;");
    assert_refused(&env, &["add", &wifi], "Wi-Fi");

    let blank = dir.join("blank.png");
    image::GrayImage::from_pixel(400, 300, image::Luma([255]))
        .save(&blank)
        .unwrap();
    assert_refused(&env, &["add", blank.to_str().unwrap()], "no QR code found");

    let text = dir.join("notes.png");
    std::fs::write(&text, "not really a png").unwrap();
    assert_refused(&env, &["add", text.to_str().unwrap()], "not an image");

    // One good image and one bad URI in the same call: nothing is added.
    let bad = "otpauth://totp/X:y?secret=JBSWY3DPEHPK3PX1";
    assert_refused(
        &env,
        &["add", &path("page-1080p-4px.png"), bad],
        "not base32",
    );
    let good = qr_png(
        dir,
        "good.png",
        "otpauth://totp/Good:me?secret=GEZDGNBVGY3TQOJQ",
    );
    assert_refused(&env, &["add", &good, &web], "web address");
}
