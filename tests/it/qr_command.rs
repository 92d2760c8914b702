//! `otp qr` end to end: the PNG written by `--png` reads
//! back through `otp add` into a fresh vault as identical entries with identical codes
//! (TOTP, HOTP with its current counter, SHA512/8 digits, Steam), `zbarimg` reads it as the
//! same URI `otp uri` prints, and it is created 0600 and never overwrites a file; the terminal
//! drawing (on a pseudo-terminal via util-linux `script`) is black-on-white half blocks that,
//! turned back into an image here, `rqrr` decodes to that URI; off a terminal `otp qr`
//! refuses with a hint.

use crate::common;

use common::{AT, GITHUB, GOOGLE, TestEnv, otp_line, stderr, stdout};
use serde_json::Value;
use std::path::Path;
use std::process::Command;

/// HOTP, already used five times: the QR code must carry counter 5.
const BANK: &str = "otpauth://hotp/Bank:me?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Bank\
                    &counter=5&digits=8&algorithm=SHA256";
const VPN: &str = "otpauth://totp/ACME%20VPN:j%C3%BCrgen%2Bwork?secret=MFRGGZDFMZTWQ2LKNNWG23TPOBYXE43U\
                   &issuer=ACME%20VPN&algorithm=SHA512&digits=8&period=60";
const STEAM: &str = "otpauth://steam/Steam:gamer?secret=JBSWY3DPEHPK3PXP&issuer=Steam";
/// What the terminal drawing's lines are wrapped in.
const BLACK_ON_WHITE: &str = "\x1b[38;5;16;48;5;231m";
const RESET: &str = "\x1b[0m";

fn world() -> TestEnv {
    let env = TestEnv::new();
    env.add(&[GITHUB, GOOGLE, BANK, VPN, STEAM]);
    env
}

fn uri_of(env: &TestEnv, query: &str) -> String {
    env.ok(&["uri", query]).trim_end().to_string()
}

/// An entry as `list --json` shows it, without what differs between vaults.
fn entries(env: &TestEnv) -> Vec<Value> {
    let Value::Array(list) = serde_json::from_str(&env.ok(&["list", "--json"])).unwrap() else {
        panic!("list --json is not an array");
    };
    list.into_iter()
        .map(|mut e| {
            let o = e.as_object_mut().unwrap();
            for k in ["id", "created", "updated"] {
                o.remove(k);
            }
            e
        })
        .collect()
}

/// Runs `otp ARGS` with stdin, stdout and stderr on a pseudo-terminal; returns what it showed.
fn on_terminal(env: &TestEnv, args: &[&str]) -> (Option<i32>, String) {
    let out = env.on_pty(&otp_line(args)).output().expect("run script");
    (out.status.code(), stdout(&out).replace("\r\n", "\n"))
}

/// Reads the half-block drawing back into rows of modules (`true` = dark).
fn modules_of(screen: &str) -> Vec<Vec<bool>> {
    let mut rows = Vec::new();
    for line in screen.lines().filter(|l| l.starts_with(BLACK_ON_WHITE)) {
        let body = line[BLACK_ON_WHITE.len()..]
            .strip_suffix(RESET)
            .unwrap_or_else(|| panic!("the line is reset at its end: {line:?}"));
        let (top, bottom): (Vec<bool>, Vec<bool>) = body
            .chars()
            .map(|c| match c {
                '█' => (true, true),
                '▀' => (true, false),
                '▄' => (false, true),
                ' ' => (false, false),
                other => panic!("unexpected character {other:?} in the drawing"),
            })
            .unzip();
        rows.push(top);
        rows.push(bottom);
    }
    rows
}

/// Decodes modules with rqrr after scaling them up (4 px each) inside an extra white margin.
fn rqrr_decode(rows: &[Vec<bool>]) -> Vec<String> {
    const SCALE: usize = 4;
    const MARGIN: usize = 16;
    let width = rows[0].len() * SCALE + 2 * MARGIN;
    let height = rows.len() * SCALE + 2 * MARGIN;
    let mut image = rqrr::PreparedImage::prepare_from_greyscale(width, height, |x, y| {
        let (x, y) = (
            x.wrapping_sub(MARGIN) / SCALE,
            y.wrapping_sub(MARGIN) / SCALE,
        );
        match rows.get(y).and_then(|r| r.get(x)) {
            Some(true) => 0,
            _ => 255,
        }
    });
    image
        .detect_grids()
        .iter()
        .map(|g| g.decode().expect("rqrr decodes the grid").1)
        .collect()
}

#[test]
fn a_png_adds_back_as_the_identical_entry_with_the_same_codes() {
    let env = world();
    let fresh = TestEnv::new();
    for query in ["github", "google", "bank", "vpn", "steam"] {
        let png = env.dir.path().join(format!("{query}.png"));
        let said = env.ok(&["qr", query, "--png", png.to_str().unwrap()]);
        assert!(said.contains("mode 0600"), "{said}");
        assert!(said.contains("holds the secret"), "{said}");
        common::assert_mode(&png, 0o600); // the PNG holds the secret
        fresh.ok(&["add", png.to_str().unwrap()]);
        assert_eq!(uri_of(&fresh, query), uri_of(&env, query), "{query}");
    }
    assert_eq!(entries(&fresh), entries(&env));
    let at = format!("--at={AT}");
    for query in ["github", "google", "vpn", "steam"] {
        assert_eq!(
            fresh.ok(&["code", query, &at]),
            env.ok(&["code", query, &at]),
            "{query}: same code"
        );
    }
    // The HOTP copy starts at the counter the original had reached: the same next codes.
    for _ in 0..2 {
        assert_eq!(fresh.ok(&["code", "bank"]), env.ok(&["code", "bank"]));
    }
    let bank = entries(&fresh)
        .into_iter()
        .find(|e| e["issuer"] == "Bank")
        .unwrap();
    assert_eq!(
        bank["counter"], 7,
        "5 in the QR code, plus the two codes used"
    );
}

#[test]
fn zbarimg_reads_the_png_as_the_uri() {
    if !common::require_tool("zbarimg") {
        return;
    }
    let env = world();
    for query in ["github", "bank", "vpn"] {
        let png = env.dir.path().join(format!("{query}.png"));
        env.ok(&["qr", query, "--png", png.to_str().unwrap()]);
        let out = Command::new("zbarimg")
            .args(["-q", "--raw"])
            .arg(&png)
            .output()
            .expect("run zbarimg");
        assert!(out.status.success(), "zbarimg: {}", stderr(&out));
        assert_eq!(stdout(&out).trim_end(), uri_of(&env, query), "{query}");
    }
}

#[test]
fn the_png_has_8_pixel_modules_inside_a_quiet_zone() {
    let env = world();
    let png = env.dir.path().join("github.png");
    env.ok(&["qr", "github", "--png", png.to_str().unwrap()]);
    let image = image::open(&png).expect("a PNG").to_luma8();
    let (w, h) = image.dimensions();
    assert_eq!(w, h);
    assert_eq!(w % 8, 0, "{w}");
    let modules = w / 8;
    assert!((21 + 8..=177 + 8).contains(&modules), "{modules}");
    // Four light modules on every side; the finder pattern's corner is dark.
    for i in 0..w {
        for j in 0..4 * 8 {
            for (x, y) in [(i, j), (j, i), (i, w - 1 - j), (w - 1 - j, i)] {
                assert_eq!(
                    image.get_pixel(x, y).0[0],
                    255,
                    "({x},{y}) in the quiet zone"
                );
            }
        }
    }
    assert_eq!(image.get_pixel(4 * 8, 4 * 8).0[0], 0);
    assert_eq!(
        image.get_pixel(5 * 8 - 1, 5 * 8 - 1).0[0],
        0,
        "one module is 8 px"
    );
}

#[test]
fn an_existing_file_is_not_overwritten() {
    let env = world();
    let png = env.dir.path().join("taken.png");
    std::fs::write(&png, b"precious").unwrap();
    let out = env.run(&["qr", "github", "--png", png.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("exists"), "{}", stderr(&out));
    assert_eq!(std::fs::read(&png).unwrap(), b"precious");

    // A directory that does not exist: an error and no file anywhere.
    let nowhere = env.dir.path().join("no/such/dir/q.png");
    let out = env.run(&["qr", "github", "--png", nowhere.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(!nowhere.exists());
    assert!(!stderr(&out).contains("JBSWY3DP"), "no secret in errors");
}

#[test]
fn the_terminal_drawing_decodes_to_the_uri() {
    if !common::require_tool("script") {
        return;
    }
    let env = world();
    for query in ["github", "bank", "vpn"] {
        // NO_COLOR is set: the drawing's colours are part of the picture and stay.
        let (code, screen) = on_terminal(&env, &["qr", query]);
        assert_eq!(code, Some(0), "{screen}");
        assert!(screen.contains("holds the secret"), "warned: {screen}");
        let rows = modules_of(&screen);
        assert!(rows.len() > 21, "{screen}");
        assert!(rows.iter().all(|r| r.len() == rows[0].len()), "square");
        // A quiet zone of four light modules on the left and at the top.
        assert!(rows[..4].iter().all(|r| r.iter().all(|d| !d)));
        assert!(rows.iter().all(|r| r[..4].iter().all(|d| !d)));
        assert_eq!(rqrr_decode(&rows), vec![uri_of(&env, query)], "{query}");
    }
    let (_, screen) = on_terminal(&env, &["qr", "bank"]);
    assert!(screen.contains("counter (5)"), "HOTP note: {screen}");
}

#[test]
fn off_a_terminal_it_refuses_and_points_to_png() {
    let env = world();
    let before = env.vault_bytes();
    let out = env.run(&["qr", "github"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(out.stdout.is_empty(), "nothing drawn into a pipe");
    let err = stderr(&out);
    assert!(err.starts_with("otp: "), "{err}");
    assert!(
        err.contains("not a terminal") && err.contains("--png"),
        "{err}"
    );
    assert_eq!(env.vault_bytes(), before);
}

#[test]
fn queries_resolve_as_everywhere() {
    let env = world();
    let png = env.dir.path().join("x.png");
    let png = png.to_str().unwrap();
    let out = env.run(&["qr", "nothing-like-this", "--png", png]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let out = env.run(&["qr", "g", "--png", png]);
    assert_eq!(out.status.code(), Some(4), "ambiguous: {}", stderr(&out));
    assert!(!Path::new(png).exists(), "no file for a failed query");
}
