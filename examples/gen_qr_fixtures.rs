//! Writes the QR image fixtures in `tests/fixtures/qr/` and their manifest `expected.json`.
//!
//! Run `cargo run --release --example gen_qr_fixtures` after changing it, and commit the
//! output. It is deterministic (a fixed-seed LCG, no clock), so running it again on a clean
//! tree changes nothing; it is in Rust so that neither CI nor a contributor needs ImageMagick.
//!
//! The images imitate what users feed `otp add`: screenshots of a cluttered web page holding a
//! small 2FA code at 1080p and 4K, in light and dark mode, after JPEG, scaled and blurred, in
//! low contrast, several codes in one image, every supported format, and Google Authenticator
//! transfer codes. The accounts are test data; no secret here protects anything.

use image::codecs::jpeg::JpegEncoder;
use image::imageops::{self, FilterType};
use image::{DynamicImage, GrayImage, ImageFormat, Luma, Rgb, RgbImage, Rgba, RgbaImage};
use serde_json::{Value, json};
use std::error::Error;
use std::fs;
use std::io::Cursor;
use std::path::{Path, PathBuf};

type Result<T> = std::result::Result<T, Box<dyn Error>>;

const OUT: &str = "tests/fixtures/qr";

/// Numerical Recipes' 32-bit LCG: enough randomness for page clutter, identical everywhere.
struct Lcg(u32);

impl Lcg {
    fn next(&mut self) -> u32 {
        self.0 = self.0.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
        self.0 >> 8
    }

    fn below(&mut self, n: u32) -> u32 {
        self.next() % n.max(1)
    }

    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next() as u8).collect()
    }
}

/// One account as the fixtures hold it.
#[derive(Clone)]
struct Account {
    issuer: String,
    account: String,
    secret: Vec<u8>,
    kind: &'static str,
    algorithm: &'static str,
    digits: u8,
    period: u32,
    counter: u64,
}

impl Account {
    fn totp(rng: &mut Lcg, issuer: &str, account: &str, secret_len: usize) -> Account {
        Account {
            issuer: issuer.into(),
            account: account.into(),
            secret: rng.bytes(secret_len),
            kind: "totp",
            algorithm: "SHA1",
            digits: 6,
            period: 30,
            counter: 0,
        }
    }

    fn base32(&self) -> String {
        base32::encode(base32::Alphabet::Rfc4648 { padding: false }, &self.secret)
    }

    /// The URI as services print it (label `Issuer:account`, `@` left as it is).
    fn uri(&self) -> String {
        let enc = |s: &str| s.replace(' ', "%20").replace(':', "%3A");
        let mut uri = format!(
            "otpauth://{}/{}:{}?secret={}&issuer={}",
            self.kind,
            enc(&self.issuer),
            enc(&self.account),
            self.base32(),
            enc(&self.issuer)
        );
        if self.algorithm != "SHA1" {
            uri += &format!("&algorithm={}", self.algorithm);
        }
        if self.digits != 6 {
            uri += &format!("&digits={}", self.digits);
        }
        if self.kind == "hotp" {
            uri += &format!("&counter={}", self.counter);
        } else if self.period != 30 {
            uri += &format!("&period={}", self.period);
        }
        uri
    }

    fn expected(&self) -> Value {
        json!({
            "issuer": self.issuer,
            "account": self.account,
            "secret": self.base32(),
            "type": self.kind,
            "algorithm": self.algorithm,
            "digits": self.digits,
            "period": self.period,
            "counter": self.counter,
        })
    }
}

/// Protobuf writer for the Google Authenticator `MigrationPayload`, written by hand so the
/// fixtures do not depend on the decoder they test.
mod proto {
    pub fn varint(out: &mut Vec<u8>, mut v: u64) {
        while v >= 0x80 {
            out.push((v as u8) | 0x80);
            v >>= 7;
        }
        out.push(v as u8);
    }

    pub fn int(out: &mut Vec<u8>, tag: u64, v: i64) {
        if v != 0 {
            varint(out, tag << 3);
            // int32/int64 negatives are sign-extended to 64 bits: a 10-byte varint.
            varint(out, v as u64);
        }
    }

    pub fn bytes(out: &mut Vec<u8>, tag: u64, v: &[u8]) {
        varint(out, (tag << 3) | 2);
        varint(out, v.len() as u64);
        out.extend_from_slice(v);
    }
}

/// Google's enum values; `plain` leaves algorithm and digits UNSPECIFIED where they allow it.
fn migration_params(a: &Account, plain: bool) -> Vec<u8> {
    let mut out = Vec::new();
    proto::bytes(&mut out, 1, &a.secret);
    proto::bytes(&mut out, 2, a.account.as_bytes());
    proto::bytes(&mut out, 3, a.issuer.as_bytes());
    let algorithm = match a.algorithm {
        "SHA1" if plain => 0,
        "SHA1" => 1,
        "SHA256" => 2,
        _ => 3,
    };
    let digits = match a.digits {
        6 if plain => 0,
        6 => 1,
        _ => 2,
    };
    proto::int(&mut out, 4, algorithm);
    proto::int(&mut out, 5, digits);
    proto::int(&mut out, 6, if a.kind == "hotp" { 1 } else { 2 });
    proto::int(&mut out, 7, a.counter as i64);
    out
}

/// An `otpauth-migration://` URI; `escaped` percent-encodes `+`, `/` and `=` as Google's app
/// does, otherwise they appear raw as some other exporters (and hand-made URIs) have them.
fn migration_uri(accounts: &[(&Account, bool)], batch: (i64, i64, i64), escaped: bool) -> String {
    use base64::Engine as _;
    let mut payload = Vec::new();
    for (a, plain) in accounts {
        proto::bytes(&mut payload, 1, &migration_params(a, *plain));
    }
    let (size, index, id) = batch;
    proto::int(&mut payload, 2, 1);
    proto::int(&mut payload, 3, size);
    proto::int(&mut payload, 4, index);
    proto::int(&mut payload, 5, id);
    let data = base64::engine::general_purpose::STANDARD.encode(&payload);
    let data = if escaped {
        data.replace('+', "%2B")
            .replace('/', "%2F")
            .replace('=', "%3D")
    } else {
        data
    };
    format!("otpauth-migration://offline?data={data}")
}

/// The QR code of `text` as a greyscale image: `module` px per module, 4-module quiet zone.
fn qr(text: &str, module: u32) -> Result<GrayImage> {
    let code = qrcode::QrCode::new(text.as_bytes())?;
    let n = code.width() as u32;
    let colors = code.to_colors();
    let side = (n + 8) * module;
    Ok(GrayImage::from_fn(side, side, |x, y| {
        let (mx, my) = ((x / module) as i64 - 4, (y / module) as i64 - 4);
        let inside = (0..n as i64).contains(&mx) && (0..n as i64).contains(&my);
        let dark = inside && colors[(my as u32 * n + mx as u32) as usize] == qrcode::Color::Dark;
        Luma([if dark { 0 } else { 255 }])
    }))
}

/// Colours of a page theme.
struct Theme {
    background: Rgb<u8>,
    text: Rgb<u8>,
    panel: Rgb<u8>,
    accent: Rgb<u8>,
    /// Colour of dark and light QR modules.
    code: (Rgb<u8>, Rgb<u8>),
}

const LIGHT: Theme = Theme {
    background: Rgb([250, 250, 252]),
    text: Rgb([40, 42, 48]),
    panel: Rgb([232, 236, 242]),
    accent: Rgb([30, 100, 200]),
    code: (Rgb([0, 0, 0]), Rgb([255, 255, 255])),
};

const DARK: Theme = Theme {
    background: Rgb([24, 26, 30]),
    text: Rgb([210, 212, 218]),
    panel: Rgb([40, 44, 52]),
    accent: Rgb([90, 150, 250]),
    // Inverted: the code's dark modules are drawn light, on the page's dark ground.
    code: (Rgb([228, 230, 235]), Rgb([24, 26, 30])),
};

fn fill(img: &mut RgbImage, x: u32, y: u32, w: u32, h: u32, c: Rgb<u8>) {
    for yy in y..(y + h).min(img.height()) {
        for xx in x..(x + w).min(img.width()) {
            img.put_pixel(xx, yy, c);
        }
    }
}

/// A web-page-like screenshot: header bar, sidebar, paragraphs of "words", buttons, boxes.
/// Flat colours keep the PNGs small; `scale` keeps the layout proportional at 4K.
fn page(rng: &mut Lcg, w: u32, h: u32, theme: &Theme) -> RgbImage {
    let s = (w / 1920).max(1);
    let mut img = RgbImage::from_pixel(w, h, theme.background);
    fill(&mut img, 0, 0, w, 64 * s, theme.panel);
    fill(&mut img, 24 * s, 20 * s, 120 * s, 24 * s, theme.accent);
    fill(&mut img, 0, 64 * s, 280 * s, h, theme.panel);
    for i in 0..12 {
        fill(
            &mut img,
            24 * s,
            (100 + i * 40) * s,
            (120 + rng.below(120)) * s,
            12 * s,
            theme.text,
        );
    }
    // Paragraphs: rows of word blocks, like text at a normal reading size.
    let mut y = 110 * s;
    while y + 40 * s < h {
        let mut x = 320 * s;
        let right = w - 40 * s;
        while x < right {
            let word = (12 + rng.below(70)) * s;
            fill(&mut img, x, y, word.min(right - x), 10 * s, theme.text);
            x += word + 8 * s;
        }
        y += if rng.below(6) == 0 { 48 * s } else { 22 * s };
    }
    // A few coloured boxes (buttons, images).
    for _ in 0..6 {
        let (bw, bh) = ((80 + rng.below(300)) * s, (30 + rng.below(160)) * s);
        let (bx, by) = (
            320 * s + rng.below(w - 720 * s),
            80 * s + rng.below(h - 300 * s),
        );
        let c = Rgb([
            rng.below(256) as u8,
            rng.below(256) as u8,
            rng.below(256) as u8,
        ]);
        fill(&mut img, bx, by, bw, bh, c);
    }
    img
}

/// Draws a code onto the page inside a card with a margin, as a 2FA setup page shows it.
fn place(img: &mut RgbImage, code: &GrayImage, x: u32, y: u32, theme: &Theme) {
    let margin = code.width() / 10;
    fill(
        img,
        x - margin,
        y - margin,
        code.width() + 2 * margin,
        code.height() + 2 * margin,
        theme.code.1,
    );
    for (cx, cy, p) in code.enumerate_pixels() {
        let c = if p[0] < 128 {
            theme.code.0
        } else {
            theme.code.1
        };
        img.put_pixel(x + cx, y + cy, c);
    }
}

struct Writer {
    dir: PathBuf,
    manifest: Vec<Value>,
}

impl Writer {
    fn save(&mut self, name: &str, image: DynamicImage, format: ImageFormat) -> Result<()> {
        let mut bytes = Cursor::new(Vec::new());
        image.write_to(&mut bytes, format)?;
        fs::write(self.dir.join(name), bytes.into_inner())?;
        Ok(())
    }

    fn save_jpeg(&mut self, name: &str, image: &RgbImage, quality: u8) -> Result<()> {
        let mut bytes = Vec::new();
        JpegEncoder::new_with_quality(&mut bytes, quality).encode_image(image)?;
        fs::write(self.dir.join(name), bytes)?;
        Ok(())
    }

    /// Records what an image must yield: its payloads and the entries they hold.
    fn expect(
        &mut self,
        name: &str,
        case: &str,
        dark: bool,
        payloads: &[String],
        entries: &[&Account],
    ) {
        self.manifest.push(json!({
            "file": name,
            "case": case,
            "dark": dark,
            "payloads": payloads,
            "entries": entries.iter().map(|a| a.expected()).collect::<Vec<_>>(),
        }));
    }
}

fn main() -> Result<()> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(OUT);
    fs::create_dir_all(&dir)?;
    let mut out = Writer {
        dir,
        manifest: Vec::new(),
    };
    let mut rng = Lcg(0x0074_7000);

    // Screenshots of a cluttered page with one small code.
    let github = Account::totp(&mut rng, "GitHub", "octocat", 20);
    let mut aws = Account::totp(&mut rng, "Amazon Web Services", "root@example.com", 32);
    aws.algorithm = "SHA256";
    aws.digits = 8;
    let mut discord = Account::totp(&mut rng, "Discord", "wumpus#0001", 10);
    discord.period = 60;
    let paypal = Account::totp(&mut rng, "PayPal", "jane+shop@example.org", 10);

    let cases: [(&str, &str, u32, u32, u32, &Account, &Theme); 6] = [
        (
            "page-1080p-4px.png",
            "1080p page, 4-px modules",
            1920,
            1080,
            4,
            &github,
            &LIGHT,
        ),
        (
            "page-1080p-8px.png",
            "1080p page, 8-px modules",
            1920,
            1080,
            8,
            &aws,
            &LIGHT,
        ),
        (
            "page-4k-4px.png",
            "4K page, 4-px modules",
            3840,
            2160,
            4,
            &discord,
            &LIGHT,
        ),
        (
            "page-4k-8px.png",
            "4K page, 8-px modules",
            3840,
            2160,
            8,
            &paypal,
            &LIGHT,
        ),
        (
            "dark-1080p.png",
            "1080p dark mode, light modules on dark",
            1920,
            1080,
            5,
            &github,
            &DARK,
        ),
        (
            "dark-4k.png",
            "4K dark mode, light modules on dark",
            3840,
            2160,
            8,
            &aws,
            &DARK,
        ),
    ];
    for (name, case, w, h, module, account, theme) in cases {
        let mut img = page(&mut rng, w, h, theme);
        let code = qr(&account.uri(), module)?;
        // Anywhere right of the sidebar, clear of the edges.
        let room = |side: u32| side - 400 * (w / 1920) - code.width() * 6 / 5;
        let x = 360 * (w / 1920) + rng.below(room(w));
        let y = 100 * (w / 1920) + rng.below(room(h));
        place(&mut img, &code, x, y, theme);
        out.save(name, DynamicImage::ImageRgb8(img), ImageFormat::Png)?;
        out.expect(
            name,
            case,
            theme.code.0[0] > theme.code.1[0],
            &[account.uri()],
            &[account],
        );
    }

    // JPEG quality 70 at 1080p and 4K.
    for (name, w, h, module, account) in [
        ("page-1080p-q70.jpg", 1920, 1080, 4, &paypal),
        ("page-4k-q70.jpg", 3840, 2160, 6, &github),
    ] {
        let mut img = page(&mut rng, w, h, &LIGHT);
        place(&mut img, &qr(&account.uri(), module)?, w / 2, h / 3, &LIGHT);
        out.save_jpeg(name, &img, 70)?;
        out.expect(name, "JPEG quality 70", false, &[account.uri()], &[account]);
    }

    // A 1080p screenshot shown at 75 % (a HiDPI screen captured scaled) and slightly blurred.
    {
        let mut img = page(&mut rng, 1920, 1080, &LIGHT);
        place(&mut img, &qr(&discord.uri(), 4)?, 1100, 400, &LIGHT);
        let small = imageops::resize(&img, 1440, 810, FilterType::Triangle);
        let blurred = imageops::blur(&small, 0.8);
        let name = "scaled-blurred.png";
        out.save(name, DynamicImage::ImageRgb8(blurred), ImageFormat::Png)?;
        out.expect(
            name,
            "0.75x scaled and blurred (3-px modules)",
            false,
            &[discord.uri()],
            &[&discord],
        );
    }

    // 2-px modules after JPEG: rqrr finds them only 2x upscaled.
    {
        let mut img = page(&mut rng, 1920, 1080, &LIGHT);
        place(&mut img, &qr(&github.uri(), 2)?, 1300, 500, &LIGHT);
        let name = "jpeg-2px.jpg";
        out.save_jpeg(name, &img, 80)?;
        out.expect(
            name,
            "2-px modules after JPEG quality 80",
            false,
            &[github.uri()],
            &[&github],
        );
    }

    // Low contrast: a washed-out capture (a photo of a dim screen, a faded print) where the
    // whole image spans grey 214 to 236. rqrr's own threshold (95 % of the local mean) never
    // fires; a global threshold does.
    {
        let mut img = page(&mut rng, 1920, 1080, &LIGHT);
        place(&mut img, &qr(&aws.uri(), 5)?, 1000, 300, &LIGHT);
        let grey = DynamicImage::ImageRgb8(img).to_luma8();
        let washed = GrayImage::from_fn(1920, 1080, |x, y| {
            Luma([214 + (u32::from(grey.get_pixel(x, y)[0]) * 22 / 255) as u8])
        });
        let name = "low-contrast.png";
        out.save(name, DynamicImage::ImageLuma8(washed), ImageFormat::Png)?;
        out.expect(
            name,
            "low contrast: whole image within grey 214-236",
            false,
            &[aws.uri()],
            &[&aws],
        );
    }

    // Several codes in one image (a page listing backup devices).
    {
        let mut img = page(&mut rng, 1920, 1080, &LIGHT);
        let accounts = [&github, &discord, &paypal];
        for (i, a) in accounts.iter().enumerate() {
            place(
                &mut img,
                &qr(&a.uri(), 4 + i as u32)?,
                420 + 480 * i as u32,
                300 + 60 * i as u32,
                &LIGHT,
            );
        }
        let name = "several-codes.png";
        let payloads: Vec<String> = accounts.iter().map(|a| a.uri()).collect();
        out.save(name, DynamicImage::ImageRgb8(img), ImageFormat::Png)?;
        out.expect(
            name,
            "three codes in one 1080p page",
            false,
            &payloads,
            &accounts,
        );
    }

    // Every supported format: a bare code as a service's "download QR" link gives it.
    {
        let bank = Account::totp(&mut rng, "Bank", "12345678", 20);
        let code = qr(&bank.uri(), 6)?;
        for (name, format) in [
            ("format.gif", ImageFormat::Gif),
            ("format.bmp", ImageFormat::Bmp),
            ("format.webp", ImageFormat::WebP),
        ] {
            // The GIF encoder takes RGBA only.
            let image = DynamicImage::ImageRgba8(DynamicImage::ImageLuma8(code.clone()).to_rgba8());
            out.save(name, image, format)?;
            out.expect(
                name,
                "bare code, each supported format",
                false,
                &[bank.uri()],
                &[&bank],
            );
        }
        // Transparent background with black modules: the colour under alpha 0 is black too,
        // so only compositing over white reveals the code.
        let rgba = RgbaImage::from_fn(code.width(), code.height(), |x, y| {
            if code.get_pixel(x, y)[0] < 128 {
                Rgba([0, 0, 0, 255])
            } else {
                Rgba([0, 0, 0, 0])
            }
        });
        let name = "format-transparent.png";
        out.save(name, DynamicImage::ImageRgba8(rgba), ImageFormat::Png)?;
        out.expect(
            name,
            "RGBA PNG, transparent background",
            false,
            &[bank.uri()],
            &[&bank],
        );
    }

    migration_fixtures(&mut out, &mut rng)?;

    let manifest = json!({
        "generator": "cargo run --release --example gen_qr_fixtures",
        "fixtures": out.manifest,
    });
    fs::write(
        out.dir.join("expected.json"),
        serde_json::to_string_pretty(&manifest)? + "\n",
    )?;
    Ok(())
}

/// Google Authenticator "Transfer accounts" codes: 1 account, 4 accounts on a phone
/// screenshot, an export split in 2 batches (negative batch id), and HOTP inside.
fn migration_fixtures(out: &mut Writer, rng: &mut Lcg) -> Result<()> {
    let one = Account::totp(rng, "Example", "alice@example.com", 20);
    // Retry deterministically until the base64 holds both `+` and `/`, the characters a
    // form decoder would mangle.
    let mut four = Vec::new();
    let mut raw = String::new();
    for attempt in 0.. {
        let mut r = Lcg(0x4d16_0000 + attempt);
        let mut a = Account::totp(&mut r, "Google", "alice@gmail.com", 10);
        a.algorithm = "SHA1";
        let mut b = Account::totp(&mut r, "Fastmail", "alice@fastmail.com", 20);
        b.algorithm = "SHA256";
        b.digits = 8;
        let mut c = Account::totp(&mut r, "Proton", "alice@proton.me", 32);
        c.algorithm = "SHA512";
        let d = Account::totp(&mut r, "", "legacy-vpn", 16);
        raw = migration_uri(
            &[(&a, true), (&b, false), (&c, false), (&d, false)],
            (1, 0, 0),
            false,
        );
        four = vec![a, b, c, d];
        if raw.contains('+') && raw.contains('/') {
            break;
        }
    }
    let escaped = migration_uri(&[(&one, false)], (1, 0, 12345), true);

    let code = qr(&escaped, 5)?;
    let mut img = RgbImage::from_pixel(code.width() + 80, code.height() + 80, LIGHT.background);
    place(&mut img, &code, 40, 40, &LIGHT);
    out.save(
        "migration-1.png",
        DynamicImage::ImageRgb8(img),
        ImageFormat::Png,
    )?;
    out.expect(
        "migration-1.png",
        "transfer, 1 account, percent-escaped",
        false,
        &[escaped],
        &[&one],
    );

    // A 1080x2400 phone screenshot (above 2000 px: searched downscaled first).
    let mut phone = RgbImage::from_pixel(1080, 2400, Rgb([255, 255, 255]));
    fill(&mut phone, 0, 0, 1080, 200, Rgb([26, 115, 232]));
    for i in 0..6 {
        fill(
            &mut phone,
            80,
            260 + i * 50,
            400 + rng.below(500),
            22,
            LIGHT.text,
        );
    }
    fill(&mut phone, 340, 2150, 400, 110, Rgb([26, 115, 232]));
    place(&mut phone, &qr(&raw, 7)?, 140, 700, &LIGHT);
    let refs: Vec<&Account> = four.iter().collect();
    out.save(
        "migration-4.png",
        DynamicImage::ImageRgb8(phone),
        ImageFormat::Png,
    )?;
    out.expect(
        "migration-4.png",
        "transfer, 4 accounts, raw + and /, phone screenshot",
        false,
        &[raw],
        &refs,
    );

    // An export split over two QR codes sharing a negative batch id.
    let part: Vec<Account> = ["Slack", "Dropbox", "Atlassian"]
        .iter()
        .map(|issuer| Account::totp(rng, issuer, "bob@example.com", 20))
        .collect();
    let id = -1_836_273_645;
    let first = migration_uri(&[(&part[0], false), (&part[1], false)], (2, 0, id), true);
    let second = migration_uri(&[(&part[2], false)], (2, 1, id), true);
    for (name, uri, accounts) in [
        ("migration-batch-1of2.png", first, vec![&part[0], &part[1]]),
        ("migration-batch-2of2.png", second, vec![&part[2]]),
    ] {
        let code = qr(&uri, 5)?;
        let mut img = RgbImage::from_pixel(code.width() + 80, code.height() + 80, LIGHT.background);
        place(&mut img, &code, 40, 40, &LIGHT);
        out.save(name, DynamicImage::ImageRgb8(img), ImageFormat::Png)?;
        out.expect(
            name,
            "transfer split in 2 batches, negative batch id",
            false,
            &[uri],
            &accounts,
        );
    }

    // HOTP beside TOTP.
    let mut hotp = Account::totp(rng, "Yubico", "bob", 20);
    hotp.kind = "hotp";
    hotp.counter = 7;
    let totp = Account::totp(rng, "GitLab", "bob", 20);
    let uri = migration_uri(&[(&hotp, false), (&totp, false)], (1, 0, 42), true);
    let code = qr(&uri, 5)?;
    let mut img = RgbImage::from_pixel(code.width() + 80, code.height() + 80, LIGHT.background);
    place(&mut img, &code, 40, 40, &LIGHT);
    out.save(
        "migration-hotp.png",
        DynamicImage::ImageRgb8(img),
        ImageFormat::Png,
    )?;
    out.expect(
        "migration-hotp.png",
        "transfer with an HOTP account (counter 7)",
        false,
        &[uri],
        &[&hotp, &totp],
    );
    Ok(())
}
