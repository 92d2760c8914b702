/*!
QR codes in images: screenshots, photos of screens, clipboard images.

[`decode_file`] and [`decode_rgba`] return the text of every QR code found in one image. The
caller decides what the texts mean (`uri::parse`, `migration::parse`); nothing here prints or
logs them, since they hold secrets.

The pipeline is tuned for speed on real screenshots (SPEC §7: a 4K screenshot in under 0.3× the
time of `zbarimg`) and for the cases plain `rqrr` misses:

1. The header is read first and images above [`MAX_PIXELS`] are refused before any pixel is
   decoded (decompression bombs).
2. Pixels are decoded once and turned into luma in place with integer arithmetic, so the
   RGBA buffer is the peak allocation (about 33 MB at 4K).
3. Passes, cheapest first, stopping at the first one that reads every code it detects:
   - downscaled normal and inverted, for images above [`DOWNSCALE_ABOVE`] pixels: an integer
     k×k box filter (a non-integer resize, e.g. to a fixed 1280 px, breaks rqrr's finder
     pattern detection on several real screenshots);
   - full resolution, normal then inverted (dark mode: light modules on a dark ground);
   - 2× upscaled, for modules of about 2 px (rqrr loses them, especially after JPEG);
   - a global (Otsu) threshold, normal and inverted, for low contrast: rqrr's own threshold
     is 95 % of a moving average, which grey-on-grey codes never cross.
*/

use rqrr::PreparedImage;
use std::fmt;
use std::io::{BufRead, BufReader, Cursor, Seek};
use std::path::{Path, PathBuf};

/// Images with more pixels than this are refused from their header.
pub const MAX_PIXELS: u64 = 100_000_000;
/// Images whose longer side exceeds this many pixels are first searched downscaled.
pub const DOWNSCALE_ABOVE: usize = 2000;
/// The 2× upscale pass only runs on images up to this many pixels, to bound memory.
const UPSCALE_MAX_PIXELS: usize = 2_600_000;

/// Why no QR code text came out of an image. Never includes a payload.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("cannot read {}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("not an image (expected PNG, JPEG, GIF, BMP or WebP)")]
    NotAnImage,
    #[error("{0} images are not supported (expected PNG, JPEG, GIF, BMP or WebP)")]
    Unsupported(String),
    #[error(
        "the image is {width}×{height} pixels; images above {} megapixels are refused",
        MAX_PIXELS / 1_000_000
    )]
    TooLarge { width: u32, height: u32 },
    #[error("the image cannot be decoded: {0}")]
    Corrupt(String),
    #[error(
        "an RGBA image of {width}×{height} pixels needs {expected} bytes, but {actual} were given"
    )]
    BadBuffer {
        width: u32,
        height: u32,
        expected: u64,
        actual: usize,
    },
    #[error("no QR code found in the image (tried: {0})")]
    NoQrCode(Passes),
    #[error("found {found} QR code(s) in the image but could not read them (tried: {passes})")]
    Unreadable { found: usize, passes: Passes },
}

/// The search passes tried on an image, for error messages.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Passes(Vec<&'static str>);

impl fmt::Display for Passes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.join(", "))
    }
}

/// Every QR code text in the image file at `path`, deduplicated, in reading order
/// (top to bottom, then left to right).
pub fn decode_file(path: &Path) -> Result<Vec<String>, Error> {
    let io_error = |source| Error::Io {
        path: path.to_path_buf(),
        source,
    };
    let file = std::fs::File::open(path).map_err(io_error)?;
    let luma = read_luma(BufReader::new(file)).map_err(|e| match e {
        ReadError::Io(source) => io_error(source),
        ReadError::Qr(e) => e,
    })?;
    search(&luma)
}

/// Every QR code text in an image held in memory in any supported format.
pub fn decode_bytes(bytes: &[u8]) -> Result<Vec<String>, Error> {
    let luma = read_luma(Cursor::new(bytes)).map_err(|e| match e {
        ReadError::Io(source) => Error::Corrupt(source.to_string()),
        ReadError::Qr(e) => e,
    })?;
    search(&luma)
}

/// Every QR code text in an RGBA image (8 bits per channel, row-major, no padding), as
/// `arboard` returns clipboard images.
pub fn decode_rgba(width: u32, height: u32, rgba: &[u8]) -> Result<Vec<String>, Error> {
    check_size(width, height)?;
    let expected = u64::from(width) * u64::from(height) * 4;
    if rgba.len() as u64 != expected {
        return Err(Error::BadBuffer {
            width,
            height,
            expected,
            actual: rgba.len(),
        });
    }
    let pixels = rgba.chunks_exact(4).map(rgba_luma).collect();
    search(&Luma {
        width: width as usize,
        height: height as usize,
        pixels,
    })
}

/// An 8-bit greyscale image, row-major.
struct Luma {
    width: usize,
    height: usize,
    pixels: Vec<u8>,
}

enum ReadError {
    Io(std::io::Error),
    Qr(Error),
}

impl From<Error> for ReadError {
    fn from(e: Error) -> Self {
        ReadError::Qr(e)
    }
}

fn check_size(width: u32, height: u32) -> Result<(), Error> {
    if u64::from(width) * u64::from(height) > MAX_PIXELS {
        return Err(Error::TooLarge { width, height });
    }
    Ok(())
}

/// Reads the header, checks the size, then decodes the pixels straight into luma.
fn read_luma<R: BufRead + Seek>(reader: R) -> Result<Luma, ReadError> {
    use image::{ColorType, ImageDecoder, ImageReader};

    let mut reader = ImageReader::new(reader)
        .with_guessed_format()
        .map_err(ReadError::Io)?;
    // The size check below is ours (with a clear message); the library's allocation limit
    // would otherwise reject large but legal images first.
    reader.no_limits();
    if reader.format().is_none() {
        return Err(Error::NotAnImage.into());
    }
    // Building the decoder reads only the header: this is what `into_dimensions` does, kept
    // here so the file is read once.
    let decoder = reader.into_decoder().map_err(image_error)?;
    let (width, height) = decoder.dimensions();
    check_size(width, height)?;
    let color = decoder.color_type();
    let bytes =
        usize::try_from(decoder.total_bytes()).map_err(|_| Error::TooLarge { width, height })?;
    let (w, h) = (width as usize, height as usize);
    let bytes_per_pixel = usize::from(color.bytes_per_pixel());
    let luma_of: fn(&[u8]) -> u8 = match color {
        ColorType::L8 => |p| p[0],
        ColorType::La8 => |p| over_white(p[0], p[1]),
        ColorType::Rgb8 => |p| rgb_luma(p[0], p[1], p[2]),
        ColorType::Rgba8 => rgba_luma,
        // 16-bit samples come in native byte order; the high byte is enough for a threshold.
        ColorType::L16 => |p| high_byte(&p[0..2]),
        ColorType::La16 => |p| over_white(high_byte(&p[0..2]), high_byte(&p[2..4])),
        ColorType::Rgb16 => |p| {
            rgb_luma(
                high_byte(&p[0..2]),
                high_byte(&p[2..4]),
                high_byte(&p[4..6]),
            )
        },
        ColorType::Rgba16 => |p| {
            let l = rgb_luma(
                high_byte(&p[0..2]),
                high_byte(&p[2..4]),
                high_byte(&p[4..6]),
            );
            over_white(l, high_byte(&p[6..8]))
        },
        // Floating-point images (none of our formats produce them): let `image` convert.
        _ => {
            let image = image::DynamicImage::from_decoder(decoder).map_err(image_error)?;
            let luma = image.into_luma8();
            return Ok(Luma {
                width: w,
                height: h,
                pixels: luma.into_raw(),
            });
        }
    };
    if bytes_per_pixel == 0 || bytes != w * h * bytes_per_pixel {
        return Err(Error::Corrupt("inconsistent image header".into()).into());
    }
    let mut buffer = vec![0u8; bytes];
    decoder.read_image(&mut buffer).map_err(image_error)?;
    // In place: pixel i's luma goes to byte i, which its own and all later pixels' samples
    // lie at or after, so nothing is overwritten before it is read.
    for i in 0..w * h {
        let start = i * bytes_per_pixel;
        buffer[i] = luma_of(&buffer[start..start + bytes_per_pixel]);
    }
    buffer.truncate(w * h);
    buffer.shrink_to_fit();
    Ok(Luma {
        width: w,
        height: h,
        pixels: buffer,
    })
}

fn image_error(e: image::ImageError) -> ReadError {
    use image::ImageError;
    use image::error::ImageFormatHint;
    match e {
        ImageError::IoError(e) => ReadError::Io(e),
        ImageError::Unsupported(u) => ReadError::Qr(match u.format_hint() {
            ImageFormatHint::Exact(format) => {
                Error::Unsupported(format!("{format:?}").to_uppercase())
            }
            ImageFormatHint::Name(name) => Error::Unsupported(name),
            _ => Error::Corrupt(u.to_string()),
        }),
        other => ReadError::Qr(Error::Corrupt(other.to_string())),
    }
}

/// ITU-R BT.601 weights scaled to 256 (77 + 150 + 29), rounded.
fn rgb_luma(r: u8, g: u8, b: u8) -> u8 {
    ((77 * u32::from(r) + 150 * u32::from(g) + 29 * u32::from(b) + 128) >> 8) as u8
}

/// Composites over white: transparent areas of a screenshot or a QR code PNG are background.
/// (Their colour samples are often black, which would hide the code.)
fn over_white(luma: u8, alpha: u8) -> u8 {
    if alpha == 255 {
        return luma;
    }
    let (l, a) = (u32::from(luma), u32::from(alpha));
    ((l * a + 255 * (255 - a) + 127) / 255) as u8
}

fn rgba_luma(p: &[u8]) -> u8 {
    over_white(rgb_luma(p[0], p[1], p[2]), p[3])
}

fn high_byte(sample: &[u8]) -> u8 {
    (u16::from_ne_bytes([sample[0], sample[1]]) >> 8) as u8
}

/// How a pass turns luma into what rqrr sees.
#[derive(Clone, Copy)]
enum Tone {
    Normal,
    Inverted,
    /// Global threshold: dark below it; `bool` inverts.
    Threshold(u8, bool),
}

/// What the passes found so far.
#[derive(Default)]
struct Found {
    /// Payload and its top-left corner in full-resolution coordinates.
    codes: Vec<(String, (i64, i64))>,
    /// Grids that were detected but did not decode, in the pass that found the most.
    unreadable: usize,
    passes: Passes,
}

impl Found {
    /// Runs one pass; returns whether the search can stop (it read every grid it saw).
    fn pass(&mut self, name: &'static str, image: &Luma, tone: Tone, scale: Scale) -> bool {
        self.passes.0.push(name);
        let (w, h, px) = (image.width, image.height, &image.pixels);
        let mut prepared = match tone {
            Tone::Normal => PreparedImage::prepare_from_greyscale(w, h, |x, y| px[y * w + x]),
            Tone::Inverted => {
                PreparedImage::prepare_from_greyscale(w, h, |x, y| 255 - px[y * w + x])
            }
            Tone::Threshold(t, inverted) => {
                PreparedImage::prepare_from_bitmap(w, h, |x, y| (px[y * w + x] < t) != inverted)
            }
        };
        let grids = prepared.detect_grids();
        let mut failed = 0;
        let mut read = 0;
        for grid in &grids {
            let mut text = Vec::new();
            if grid.decode_to(&mut text).is_err() {
                failed += 1;
                continue;
            }
            read += 1;
            let corner = grid
                .bounds
                .iter()
                .map(|p| (scale.apply(p.y), scale.apply(p.x)))
                .min()
                .unwrap_or_default();
            let text = String::from_utf8_lossy(&text).into_owned();
            if !self.codes.iter().any(|(t, _)| *t == text) {
                self.codes.push((text, corner));
            }
        }
        self.unreadable = self.unreadable.max(failed);
        read > 0 && failed == 0
    }

    fn finish(mut self) -> Result<Vec<String>, Error> {
        if self.codes.is_empty() {
            return Err(match self.unreadable {
                0 => Error::NoQrCode(self.passes),
                found => Error::Unreadable {
                    found,
                    passes: self.passes,
                },
            });
        }
        self.codes.sort_by_key(|(_, corner)| *corner);
        Ok(self.codes.into_iter().map(|(text, _)| text).collect())
    }
}

/// Maps pass coordinates back to the full-resolution image.
#[derive(Clone, Copy)]
enum Scale {
    Times(i64),
    Half,
}

impl Scale {
    fn apply(self, v: i32) -> i64 {
        match self {
            Scale::Times(k) => i64::from(v) * k,
            Scale::Half => i64::from(v) / 2,
        }
    }
}

fn search(full: &Luma) -> Result<Vec<String>, Error> {
    let mut found = Found::default();
    let long_side = full.width.max(full.height);
    if full.width == 0 || full.height == 0 {
        return found.finish();
    }
    let factor = long_side.div_ceil(DOWNSCALE_ABOVE);
    // The working image for the cheap passes and the threshold passes.
    let small = (factor > 1).then(|| box_downscale(full, factor));
    if let Some(small) = &small {
        let scale = Scale::Times(factor as i64);
        if found.pass("downscaled", small, Tone::Normal, scale)
            || found.pass("downscaled inverted", small, Tone::Inverted, scale)
        {
            return found.finish();
        }
    }
    let one = Scale::Times(1);
    if found.pass("full resolution", full, Tone::Normal, one)
        || found.pass("full resolution inverted", full, Tone::Inverted, one)
    {
        return found.finish();
    }
    if full.width * full.height <= UPSCALE_MAX_PIXELS {
        let big = upscale2(full);
        if found.pass("2× upscaled", &big, Tone::Normal, Scale::Half)
            || found.pass("2× upscaled inverted", &big, Tone::Inverted, Scale::Half)
        {
            return found.finish();
        }
    }
    let work = small.as_ref().unwrap_or(full);
    let scale = Scale::Times(if small.is_some() { factor as i64 } else { 1 });
    let t = otsu(&work.pixels);
    if found.pass("global threshold", work, Tone::Threshold(t, false), scale) {
        return found.finish();
    }
    found.pass(
        "global threshold inverted",
        work,
        Tone::Threshold(t, true),
        scale,
    );
    found.finish()
}

/// Averages k×k blocks (dropping a partial block at the right and bottom edges).
fn box_downscale(image: &Luma, k: usize) -> Luma {
    let (w, h) = (image.width / k, image.height / k);
    let area = (k * k) as u32;
    let mut pixels = Vec::with_capacity(w * h);
    let mut sums = vec![0u32; w];
    for by in 0..h {
        sums.fill(0);
        for row in image.pixels.chunks_exact(image.width).skip(by * k).take(k) {
            for (sum, block) in sums.iter_mut().zip(row.chunks_exact(k)) {
                *sum += block.iter().map(|&v| u32::from(v)).sum::<u32>();
            }
        }
        pixels.extend(sums.iter().map(|&s| ((s + area / 2) / area) as u8));
    }
    Luma {
        width: w,
        height: h,
        pixels,
    }
}

/// Doubles the image with bilinear interpolation, which keeps the edges of 2-px modules
/// where rqrr's threshold can find them (pixel duplication keeps JPEG ringing as blocks).
fn upscale2(image: &Luma) -> Luma {
    let (w, h) = (image.width, image.height);
    let px = &image.pixels;
    let at = |x: usize, y: usize| u32::from(px[y.min(h - 1) * w + x.min(w - 1)]);
    let mut pixels = Vec::with_capacity(4 * w * h);
    for y in 0..2 * h {
        let (y0, y1) = (y / 2, (y / 2) + (y % 2));
        for x in 0..2 * w {
            let (x0, x1) = (x / 2, (x / 2) + (x % 2));
            let sum = at(x0, y0) + at(x1, y0) + at(x0, y1) + at(x1, y1);
            pixels.push(((sum + 2) / 4) as u8);
        }
    }
    Luma {
        width: 2 * w,
        height: 2 * h,
        pixels,
    }
}

/// Otsu's threshold: the grey level that best separates the histogram into two classes.
fn otsu(pixels: &[u8]) -> u8 {
    let mut histogram = [0u64; 256];
    for &p in pixels {
        histogram[usize::from(p)] += 1;
    }
    let total = pixels.len() as f64;
    let sum_all: f64 = histogram
        .iter()
        .enumerate()
        .map(|(i, &n)| i as f64 * n as f64)
        .sum();
    let (mut best, mut best_t) = (0.0, 128u8);
    let (mut weight_low, mut sum_low) = (0.0, 0.0);
    for (t, &n) in histogram.iter().enumerate() {
        weight_low += n as f64;
        sum_low += t as f64 * n as f64;
        let weight_high = total - weight_low;
        if weight_low == 0.0 || weight_high == 0.0 {
            continue;
        }
        let mean_low = sum_low / weight_low;
        let mean_high = (sum_all - sum_low) / weight_high;
        let between = weight_low * weight_high * (mean_low - mean_high).powi(2);
        if between > best {
            best = between;
            // Dark is "below the threshold", so the threshold is the first level above.
            best_t = (t + 1).min(255) as u8;
        }
    }
    best_t
}

#[cfg(test)]
mod tests {
    use super::*;

    fn luma(width: usize, height: usize, f: impl Fn(usize, usize) -> u8) -> Luma {
        let pixels = (0..height)
            .flat_map(|y| (0..width).map(move |x| (x, y)))
            .map(|(x, y)| f(x, y))
            .collect();
        Luma {
            width,
            height,
            pixels,
        }
    }

    #[test]
    fn luma_weights_and_alpha() {
        assert_eq!(rgb_luma(255, 255, 255), 255);
        assert_eq!(rgb_luma(0, 0, 0), 0);
        assert_eq!(rgb_luma(255, 0, 0), 77);
        assert_eq!(rgba_luma(&[0, 0, 0, 0]), 255, "transparent is background");
        assert_eq!(rgba_luma(&[0, 0, 0, 255]), 0);
        assert_eq!(over_white(0, 128), 127);
    }

    #[test]
    fn box_downscale_averages_whole_blocks() {
        let image = luma(5, 4, |x, y| if (x + y) % 2 == 0 { 0 } else { 200 });
        let small = box_downscale(&image, 2);
        assert_eq!((small.width, small.height), (2, 2));
        assert!(small.pixels.iter().all(|&p| p == 100));
    }

    #[test]
    fn upscale_doubles_and_interpolates() {
        let image = luma(2, 1, |x, _| if x == 0 { 0 } else { 200 });
        let big = upscale2(&image);
        assert_eq!((big.width, big.height), (4, 2));
        assert_eq!(&big.pixels[..4], &[0, 100, 200, 200]);
    }

    #[test]
    fn otsu_splits_two_levels() {
        let image = luma(10, 10, |x, _| if x < 5 { 200 } else { 220 });
        let t = otsu(&image.pixels);
        assert!(200 < t && t <= 220, "{t}");
    }

    #[test]
    fn rgba_buffer_size_is_checked() {
        assert!(matches!(
            decode_rgba(2, 2, &[0; 15]),
            Err(Error::BadBuffer { expected: 16, .. })
        ));
        assert!(matches!(
            decode_rgba(20_000, 20_000, &[]),
            Err(Error::TooLarge { .. })
        ));
    }

    #[test]
    fn blank_image_names_the_passes() {
        let err = decode_rgba(4, 4, &[255; 64]).unwrap_err().to_string();
        assert!(err.starts_with("no QR code found"), "{err}");
        assert!(err.contains("full resolution inverted") && err.contains("global threshold"));
    }

    #[test]
    fn non_image_is_a_clear_error() {
        assert!(matches!(
            decode_bytes(b"hello, world"),
            Err(Error::NotAnImage)
        ));
        let err = decode_bytes(b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR").unwrap_err();
        assert!(matches!(err, Error::Corrupt(_)), "{err}");
    }
}
