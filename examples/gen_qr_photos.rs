//! Writes a deterministic set of photo-like QR images and their manifest, for
//! `scripts/bench-qr --photos` and for the committed subset `tests/fixtures/qr/photos/`.
//!
//! Usage: `cargo run --release --example gen_qr_photos -- OUT_DIR [--subset]`.
//! The full set (every category, several seeds, each in its four 90° rotations, a few
//! hundred images) is regenerated into a temporary directory by the benchmark and never
//! committed; `--subset` writes the small set the tests read (one image per category, at a
//! rotation that varies with the category) into OUT_DIR.
//!
//! Each image imitates a phone photo of a printed setup letter or of a screen: the codes of
//! the screenshot fixtures (their payloads come from `tests/fixtures/qr/expected.json`)
//! drawn on a sheet with text around it, on a cluttered desk, seen through a perspective,
//! then spoilt the way photos are: tilted far, rotated by any angle, out of focus, noisy,
//! in a shadow or in low light, with a glare spot, as a low-quality JPEG, small in a large
//! frame, on curved paper. Every random choice comes from a fixed-seed generator, so a run
//! writes the same bytes on every machine.

use image::codecs::jpeg::JpegEncoder;
use image::{GrayImage, Luma, imageops};
use serde_json::{Value, json};
use std::error::Error;
use std::f64::consts::PI;
use std::fs;
use std::path::{Path, PathBuf};

type Result<T> = std::result::Result<T, Box<dyn Error>>;

/// SplitMix64: a small, well-mixed generator with a fixed seed per image.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [lo, hi).
    fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * ((self.next() >> 11) as f64 / (1u64 << 53) as f64)
    }

    /// Roughly normal (sum of four uniforms), mean 0, standard deviation 1.
    fn normal(&mut self) -> f64 {
        let s: f64 = (0..4).map(|_| self.range(-1.0, 1.0)).sum();
        s * (3.0f64 / 4.0).sqrt()
    }
}

/// How one photo is taken. Distances are in output pixels unless said otherwise.
#[derive(Clone)]
struct Shot {
    width: u32,
    height: u32,
    /// Side of the code (with its quiet zone) in the image, before perspective.
    code_side: f64,
    /// In-plane rotation of the sheet, radians.
    angle: f64,
    /// Keystone strength: how far the far edge shrinks (0 = seen head-on).
    tilt: f64,
    /// Direction of the tilt, radians.
    tilt_dir: f64,
    /// Bulge of the sheet across its width, as a fraction of the code side.
    curve: f64,
    blur: f32,
    noise: f64,
    /// Lighting: brightness multiplier at the darkest side of a linear gradient.
    shadow: f64,
    /// Overall exposure multiplier and black level (low light lifts blacks, crushes whites).
    exposure: f64,
    black: f64,
    /// Glare: a bright spot over part of the code, as a fraction of full white.
    glare: f64,
    jpeg_quality: u8,
}

impl Shot {
    /// A plain phone photo: head-on-ish, sharp, well lit. Categories then spoil one thing.
    fn base(rng: &mut Rng) -> Shot {
        Shot {
            width: 1600,
            height: 1200,
            code_side: rng.range(380.0, 560.0),
            angle: rng.range(-0.12, 0.12),
            tilt: rng.range(0.0, 0.12),
            tilt_dir: rng.range(0.0, 2.0 * PI),
            curve: 0.0,
            blur: 0.7,
            noise: 3.0,
            shadow: 1.0,
            exposure: 0.92,
            black: 18.0,
            glare: 0.0,
            jpeg_quality: 88,
        }
    }
}

/// The categories of the benchmark, each spoiling the base photo one way, harder with `k`
/// (0 to 1 over the seeds of a category) so that each has easy and hard images.
const CATEGORIES: [&str; 10] = [
    "perspective",
    "rotation",
    "blur",
    "noise",
    "shadow",
    "low-light",
    "glare",
    "jpeg",
    "small",
    "curved",
];

fn shot(category: &str, rng: &mut Rng, k: f64) -> Shot {
    let mut s = Shot::base(rng);
    match category {
        "perspective" => {
            s.tilt = 0.35 + 0.4 * k;
            s.code_side = rng.range(420.0, 620.0);
        }
        "rotation" => {
            s.angle = rng.range(0.15, PI / 2.0 - 0.15);
            s.tilt = rng.range(0.05, 0.25);
        }
        "blur" => {
            s.blur = (1.6 + 2.2 * k) as f32;
            s.code_side = rng.range(420.0, 600.0);
        }
        "noise" => {
            s.noise = 14.0 + 22.0 * k;
            s.code_side = rng.range(300.0, 460.0);
        }
        "shadow" => {
            s.shadow = 0.45 - 0.3 * k;
            s.tilt = rng.range(0.05, 0.3);
        }
        "low-light" => {
            s.exposure = 0.3 - 0.15 * k;
            s.black = 6.0;
            s.noise = 6.0 + 6.0 * k;
            s.blur = 1.0;
        }
        "glare" => {
            s.glare = 0.6 + 0.4 * k;
            s.tilt = rng.range(0.05, 0.25);
        }
        "jpeg" => {
            s.jpeg_quality = (25.0 - 17.0 * k) as u8;
            s.code_side = rng.range(240.0, 340.0);
            s.noise = 5.0;
        }
        "small" => {
            s.width = 3264;
            s.height = 2448;
            s.code_side = 200.0 - 60.0 * k;
            s.blur = 0.8;
        }
        "curved" => {
            s.curve = 0.08 + 0.14 * k;
            s.tilt = rng.range(0.05, 0.3);
        }
        _ => {}
    }
    s
}

/// A QR code's modules, `true` for dark.
fn modules(text: &str) -> Result<(usize, Vec<bool>)> {
    let code = qrcode::QrCode::new(text.as_bytes())?;
    let n = code.width();
    let dark = code
        .to_colors()
        .iter()
        .map(|c| *c == qrcode::Color::Dark)
        .collect();
    Ok((n, dark))
}

/// 3×3 projective map, row-major, for (x, y, 1).
type Homography = [f64; 9];

/// The map from the unit square's corners (0,0), (1,0), (1,1), (0,1) to `q`.
fn square_to_quad(q: &[(f64, f64); 4]) -> Homography {
    let [(x0, y0), (x1, y1), (x2, y2), (x3, y3)] = *q;
    let (dx1, dx2, dy1, dy2) = (x1 - x2, x3 - x2, y1 - y2, y3 - y2);
    let (sx, sy) = (x0 - x1 + x2 - x3, y0 - y1 + y2 - y3);
    let den = dx1 * dy2 - dx2 * dy1;
    let g = (sx * dy2 - dx2 * sy) / den;
    let h = (dx1 * sy - sx * dy1) / den;
    [
        x1 - x0 + g * x1,
        x3 - x0 + h * x3,
        x0,
        y1 - y0 + g * y1,
        y3 - y0 + h * y3,
        y0,
        g,
        h,
        1.0,
    ]
}

fn invert(m: &Homography) -> Homography {
    let det = m[0] * (m[4] * m[8] - m[5] * m[7]) - m[1] * (m[3] * m[8] - m[5] * m[6])
        + m[2] * (m[3] * m[7] - m[4] * m[6]);
    [
        (m[4] * m[8] - m[5] * m[7]) / det,
        (m[2] * m[7] - m[1] * m[8]) / det,
        (m[1] * m[5] - m[2] * m[4]) / det,
        (m[5] * m[6] - m[3] * m[8]) / det,
        (m[0] * m[8] - m[2] * m[6]) / det,
        (m[2] * m[3] - m[0] * m[5]) / det,
        (m[3] * m[7] - m[4] * m[6]) / det,
        (m[1] * m[6] - m[0] * m[7]) / det,
        (m[0] * m[4] - m[1] * m[3]) / det,
    ]
}

/// A line of text on the sheet: its (v0, v1) band and the (u0, u1) extent of each word.
type TextLine = (f64, f64, Vec<(f64, f64)>);

/// The printed sheet: white paper with the code in the middle and lines of "text" around,
/// in sheet units where the code with its quiet zone spans [0, 1]².
struct Sheet {
    n: usize,
    dark: Vec<bool>,
    /// Lines of text: (v0, v1) and the (u0, u1) extents of its words, dark grey.
    text: Vec<TextLine>,
}

impl Sheet {
    fn new(payload: &str, rng: &mut Rng) -> Result<Sheet> {
        let (n, dark) = modules(payload)?;
        let mut text = Vec::new();
        // Lines of words above and below the code, as on a setup letter.
        for band in [(-0.9, -0.08), (1.08, 1.9)] {
            let mut v = band.0;
            while v < band.1 {
                let mut words = Vec::new();
                let mut u = -0.6;
                while u < 1.6 {
                    let len = rng.range(0.03, 0.16);
                    words.push((u, (u + len).min(1.6)));
                    u += len + 0.025;
                }
                text.push((v, v + 0.035, words));
                v += 0.075;
            }
        }
        Ok(Sheet { n, dark, text })
    }

    /// Reflectance at sheet point (u, v): 0 ink, 1 paper, `None` off the sheet.
    fn at(&self, u: f64, v: f64) -> Option<f64> {
        if !(-0.7..=1.7).contains(&u) || !(-1.0..=2.0).contains(&v) {
            return None;
        }
        // The quiet zone is 4 modules wide on each side.
        let side = self.n as f64 + 8.0;
        let (mx, my) = (u * side - 4.0, v * side - 4.0);
        let n = self.n as f64;
        if (0.0..n).contains(&mx) && (0.0..n).contains(&my) {
            let i = my as usize * self.n + mx as usize;
            return Some(if self.dark[i] { 0.06 } else { 0.97 });
        }
        let ink = self.text.iter().any(|(v0, v1, words)| {
            (*v0..*v1).contains(&v) && words.iter().any(|&(u0, u1)| (u0..u1).contains(&u))
        });
        Some(if ink { 0.2 } else { 0.95 })
    }
}

/// Renders one photo of `sheet` as `shot` describes, before its 90° rotation.
fn render(sheet: &Sheet, s: &Shot, rng: &mut Rng) -> GrayImage {
    let (w, h) = (f64::from(s.width), f64::from(s.height));
    // The code's square, centred near the middle, rotated, then keystoned along tilt_dir.
    let (cx, cy) = (
        w / 2.0 + rng.range(-0.12, 0.12) * w,
        h / 2.0 + rng.range(-0.12, 0.12) * h,
    );
    let half = s.code_side / 2.0;
    let (ca, sa) = (s.angle.cos(), s.angle.sin());
    let (tc, ts) = (s.tilt_dir.cos(), s.tilt_dir.sin());
    let mut quad = [(0.0, 0.0); 4];
    for (i, (u, v)) in [(-1.0, -1.0), (1.0, -1.0), (1.0, 1.0), (-1.0, 1.0)]
        .iter()
        .enumerate()
    {
        let (x, y) = (u * half, v * half);
        let (x, y) = (x * ca - y * sa, x * sa + y * ca);
        // Points farther along the tilt direction shrink towards the centre.
        let along = (x * tc + y * ts) / half;
        let scale = 1.0 - s.tilt * 0.5 * along;
        quad[i] = (cx + x * scale, cy + y * scale);
    }
    let inverse = invert(&square_to_quad(&quad));

    // The desk: a mid-grey with a few darker and lighter objects.
    let desk: Vec<(f64, f64, f64, f64, f64)> = (0..8)
        .map(|_| {
            let (x, y) = (rng.range(0.0, w), rng.range(0.0, h));
            (
                x,
                y,
                x + rng.range(80.0, 600.0),
                y + rng.range(80.0, 400.0),
                rng.range(0.15, 0.8),
            )
        })
        .collect();
    let desk_at = |x: f64, y: f64| {
        desk.iter()
            .rev()
            .find(|&&(x0, y0, x1, y1, _)| (x0..x1).contains(&x) && (y0..y1).contains(&y))
            .map_or(0.45, |d| d.4)
    };

    let light_dir = rng.range(0.0, 2.0 * PI);
    let (lc, ls) = (light_dir.cos(), light_dir.sin());
    let glare_at = (
        cx + rng.range(-0.3, 0.3) * s.code_side,
        cy + rng.range(-0.3, 0.3) * s.code_side,
    );
    let glare_r = s.code_side * rng.range(0.15, 0.3);
    let curve = s.curve;
    GrayImage::from_fn(s.width, s.height, |px, py| {
        // 2×2 supersampling, as a lens and sensor average.
        let mut sum = 0.0;
        for (ox, oy) in [(0.25, 0.25), (0.75, 0.25), (0.25, 0.75), (0.75, 0.75)] {
            let (x, y) = (f64::from(px) + ox, f64::from(py) + oy);
            let d = inverse[6] * x + inverse[7] * y + inverse[8];
            let u = (inverse[0] * x + inverse[1] * y + inverse[2]) / d;
            let mut v = (inverse[3] * x + inverse[4] * y + inverse[5]) / d;
            // Curved paper: rows of the sheet bow by up to `curve` code sides.
            v += curve * (PI * (u + 0.7) / 2.4).sin();
            sum += match (d > 0.0).then(|| sheet.at(u, v)).flatten() {
                Some(r) => r,
                None => desk_at(x, y),
            };
        }
        let reflect = sum / 4.0;
        let (x, y) = (f64::from(px), f64::from(py));
        // Linear shadow across the frame, from `shadow` to 1.
        let t = (((x - w / 2.0) * lc + (y - h / 2.0) * ls) / (0.5 * w.max(h)) + 1.0) / 2.0;
        let light = s.shadow + (1.0 - s.shadow) * t.clamp(0.0, 1.0);
        let mut value = s.black + (255.0 - s.black) * s.exposure * light * reflect;
        if s.glare > 0.0 {
            let d2 = ((x - glare_at.0).powi(2) + (y - glare_at.1).powi(2)) / glare_r.powi(2);
            value += 255.0 * s.glare * (-d2).exp() * 1.6;
        }
        Luma([value.clamp(0.0, 255.0) as u8])
    })
}

/// Blur, sensor noise and JPEG, in the order a camera applies them.
fn finish(image: GrayImage, s: &Shot, rng: &mut Rng) -> Result<Vec<u8>> {
    let mut image = if s.blur > 0.0 {
        imageops::blur(&image, s.blur)
    } else {
        image
    };
    for p in image.pixels_mut() {
        let v = f64::from(p[0]) + s.noise * rng.normal();
        p[0] = v.clamp(0.0, 255.0) as u8;
    }
    let mut bytes = Vec::new();
    JpegEncoder::new_with_quality(&mut bytes, s.jpeg_quality).encode_image(&image)?;
    Ok(bytes)
}

fn rotate(image: GrayImage, quarter_turns: u32) -> GrayImage {
    match quarter_turns % 4 {
        0 => image,
        1 => imageops::rotate90(&image),
        2 => imageops::rotate180(&image),
        _ => imageops::rotate270(&image),
    }
}

/// Every distinct single-code payload of the screenshot fixtures.
fn payloads(root: &Path) -> Result<Vec<String>> {
    let text = fs::read_to_string(root.join("tests/fixtures/qr/expected.json"))?;
    let manifest: Value = serde_json::from_str(&text)?;
    let mut out: Vec<String> = Vec::new();
    for fixture in manifest["fixtures"].as_array().ok_or("no fixtures")? {
        let list = fixture["payloads"].as_array().ok_or("no payloads")?;
        if let [one] = list.as_slice() {
            let one = one.as_str().ok_or("payload is not a string")?.to_string();
            if !out.contains(&one) {
                out.push(one);
            }
        }
    }
    Ok(out)
}

/// Seeds per category in the full set; each is written in four rotations.
const SEEDS: u32 = 3;

fn main() -> Result<()> {
    let mut args = std::env::args().skip(1);
    let out = PathBuf::from(
        args.next()
            .ok_or("usage: gen_qr_photos OUT_DIR [--subset]")?,
    );
    let subset = args.next().as_deref() == Some("--subset");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let payloads = payloads(root)?;
    fs::create_dir_all(&out)?;
    let mut manifest = Vec::new();
    for (c, category) in CATEGORIES.iter().enumerate() {
        let seeds: Vec<u32> = if subset {
            vec![1]
        } else {
            (0..SEEDS).collect()
        };
        for seed in seeds {
            let mut rng = Rng(0x07_9407_0000 + (c as u64) * 1000 + u64::from(seed));
            let payload = &payloads[(c * 7 + seed as usize) % payloads.len()];
            let k = f64::from(seed) / f64::from(SEEDS - 1);
            let mut s = shot(category, &mut rng, k);
            if subset {
                // Small enough to commit: a phone photo as a messaging app resizes it.
                s.width = s.width * 1000 / 1600;
                s.height = s.height * 1000 / 1600;
                s.code_side = s.code_side * 1000.0 / 1600.0;
            }
            let sheet = Sheet::new(payload, &mut rng)?;
            let base = render(&sheet, &s, &mut rng);
            let turns: Vec<u32> = if subset {
                vec![c as u32 % 4]
            } else {
                (0..4).collect()
            };
            for turn in turns {
                let mut noise_rng = Rng(rng.0 ^ u64::from(turn));
                let bytes = finish(rotate(base.clone(), turn), &s, &mut noise_rng)?;
                let name = format!("{category}-{seed}-r{}.jpg", turn * 90);
                fs::write(out.join(&name), bytes)?;
                manifest.push(json!({
                    "file": name,
                    "category": category,
                    "payloads": [payload],
                }));
            }
        }
    }
    let manifest = json!({
        "generator": "cargo run --release --example gen_qr_photos -- OUT_DIR [--subset]",
        "photos": manifest,
    });
    fs::write(
        out.join("expected.json"),
        serde_json::to_string_pretty(&manifest)? + "\n",
    )?;
    Ok(())
}
