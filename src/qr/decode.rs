/*!
QR codes in images: screenshots, photos of screens, clipboard images.

[`decode_file`] and [`decode_rgba`] return the text of every QR code found in one image. The
caller decides what the texts mean (`uri::parse`, `migration::parse`); nothing here prints or
logs them, since they hold secrets.

The pipeline is tuned for speed on real screenshots (docs/CONTRACT.md, "Quality bars": a 4K
screenshot in under 0.3× the time of `zbarimg`) and for the cases plain `rqrr` misses:

1. The header is read first and images above [`MAX_PIXELS`] are refused before any pixel is
   decoded (decompression bombs).
2. Pixels are decoded once and turned into luma in place with integer arithmetic, so the
   RGBA buffer is the peak allocation (about 33 MB at 4K).
3. Passes, cheapest first, stopping at the first one that reads every code it detects:
   - downscaled normal and inverted, for images above [`DOWNSCALE_ABOVE`] pixels, by an
     integer factor only (a non-integer resize, e.g. to a fixed 1280 px, breaks rqrr's
     finder-pattern detection on real screenshots; see `downscale` for why it samples);
   - full resolution, normal then inverted (dark mode: light modules on a dark ground);
   - a global (Otsu) threshold, normal and inverted, for washed-out, low-contrast images
     (rqrr's own threshold, 95 % of a local mean, never fires below about 5 % contrast);
   - a block-wise local threshold (as ZXing's HybridBinarizer), for photos: shadows,
     low light, noise;
   - a contrast stretch, for low light and haze;
   - the image transposed, normal and local threshold: rqrr scans rows for finder
     patterns, and in some photos only a scan along the columns finds one;
   - every region where a grid was seen but not read, alone, at 2× and with other
     thresholds (after each of the passes above that left one);
   - 2× upscaled, for modules of about 2 px (rqrr loses them, especially after JPEG): the
     most expensive pass, so the last.
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
    use image::{ImageFormat, ImageReader};

    let mut reader = ImageReader::new(reader)
        .with_guessed_format()
        .map_err(ReadError::Io)?;
    // The size check below is ours (with a clear message); the library's allocation limit
    // would otherwise reject large but legal images first.
    reader.no_limits();
    match reader.format() {
        None => Err(Error::NotAnImage.into()),
        Some(ImageFormat::Jpeg) => {
            let mut bytes = Vec::new();
            reader
                .into_inner()
                .read_to_end(&mut bytes)
                .map_err(ReadError::Io)?;
            if let Some(luma) = read_jpeg_luma(&bytes)? {
                return Ok(luma);
            }
            let mut reader = ImageReader::with_format(Cursor::new(bytes), ImageFormat::Jpeg);
            reader.no_limits();
            decode_luma(reader)
        }
        Some(_) => decode_luma(reader),
    }
}

/// A JPEG straight to luma: its Y channel is the luma, so there is no conversion to RGB and
/// no RGB buffer three times the size (for a 4K screenshot, 8 MB of fresh pages instead of
/// 25 MB). `None` for the colour spaces whose luma the decoder does not give (CMYK, say):
/// `image` then decodes them to RGB.
fn read_jpeg_luma(bytes: &[u8]) -> Result<Option<Luma>, ReadError> {
    use zune_jpeg::zune_core::{
        bytestream::ZCursor, colorspace::ColorSpace, options::DecoderOptions,
    };
    let corrupt = |e: zune_jpeg::errors::DecodeErrors| Error::Corrupt(e.to_string());
    // As `image` sets them: lenient, and our own size limit instead of the decoder's.
    let options = DecoderOptions::default()
        .set_strict_mode(false)
        .set_max_width(usize::MAX)
        .set_max_height(usize::MAX)
        .jpeg_set_out_colorspace(ColorSpace::Luma);
    let mut decoder = zune_jpeg::JpegDecoder::new_with_options(ZCursor::new(bytes), options);
    decoder.decode_headers().map_err(corrupt)?;
    let (Some((w, h)), Some(input)) = (decoder.dimensions(), decoder.input_colorspace()) else {
        return Ok(None);
    };
    // JPEG dimensions are 16-bit.
    check_size(w as u32, h as u32)?;
    if !matches!(input, ColorSpace::YCbCr | ColorSpace::Luma) {
        return Ok(None);
    }
    let pixels = decoder.decode().map_err(corrupt)?;
    if pixels.len() != w * h {
        return Err(Error::Corrupt("inconsistent image header".into()).into());
    }
    Ok(Some(Luma {
        width: w,
        height: h,
        pixels,
    }))
}

/// Any other image: the decoder `image` picks, its pixels converted to luma in place.
fn decode_luma<R: BufRead + Seek>(reader: image::ImageReader<R>) -> Result<Luma, ReadError> {
    use image::{ColorType, ImageDecoder};

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
    let convert: fn(&mut [u8], usize) = match color {
        ColorType::L8 => |_, _| {},
        ColorType::La8 => |b, n| to_luma::<2>(b, n, |p| over_white(p[0], p[1])),
        ColorType::Rgb8 => |b, n| to_luma::<3>(b, n, |p| rgb_luma(p[0], p[1], p[2])),
        ColorType::Rgba8 => |b, n| to_luma::<4>(b, n, rgba_luma),
        // 16-bit samples come in native byte order; the high byte is enough for a threshold.
        ColorType::L16 => |b, n| to_luma::<2>(b, n, |p| high_byte(p, 0)),
        ColorType::La16 => {
            |b, n| to_luma::<4>(b, n, |p| over_white(high_byte(p, 0), high_byte(p, 1)))
        }
        ColorType::Rgb16 => |b, n| {
            to_luma::<6>(b, n, |p| {
                rgb_luma(high_byte(p, 0), high_byte(p, 1), high_byte(p, 2))
            })
        },
        ColorType::Rgba16 => |b, n| {
            to_luma::<8>(b, n, |p| {
                let l = rgb_luma(high_byte(p, 0), high_byte(p, 1), high_byte(p, 2));
                over_white(l, high_byte(p, 3))
            })
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
    convert(&mut buffer, w * h);
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

/// The high byte of the `i`th native-endian 16-bit sample of a pixel.
fn high_byte(pixel: &[u8], i: usize) -> u8 {
    (u16::from_ne_bytes([pixel[2 * i], pixel[2 * i + 1]]) >> 8) as u8
}

/// Converts `n` pixels of `BPP` bytes each to one luma byte each, in place at the front of
/// `buffer`. Pixel i's luma goes to byte i, at or before its own samples and those of every
/// later pixel, so nothing is overwritten before it is read. Generic over the pixel size so
/// that the per-pixel function is inlined (a function pointer here cost 15 ms at 4K).
fn to_luma<const BPP: usize>(buffer: &mut [u8], n: usize, luma: impl Fn(&[u8]) -> u8) {
    for i in 0..n.min(buffer.len() / BPP) {
        let start = i * BPP;
        let value = luma(&buffer[start..start + BPP]);
        buffer[i] = value;
    }
}

/// How a pass turns luma into what rqrr sees.
#[derive(Clone, Copy)]
enum Tone {
    Normal,
    Inverted,
    /// Global threshold: dark below it; `bool` inverts.
    Threshold(u8, bool),
    /// Block-wise local threshold (as ZXing's HybridBinarizer), for uneven light.
    Blocks,
}

/// What the passes found so far.
#[derive(Default)]
struct Found {
    /// Payload and its top-left corner in full-resolution coordinates.
    codes: Vec<(String, (i64, i64))>,
    /// Grids that were detected but did not decode, in the pass that found the most.
    unreadable: usize,
    /// Bounding boxes (x0, y0, x1, y1, full resolution) of grids that did not decode and
    /// have not been retried alone yet.
    regions: Vec<[i64; 4]>,
    passes: Passes,
}

impl Found {
    /// Runs one pass; returns whether the search can stop (it read every grid it saw).
    fn pass(&mut self, name: &'static str, image: &Luma, tone: Tone, scale: Scale) -> bool {
        if !self.passes.0.contains(&name) {
            self.passes.0.push(name);
        }
        let (w, h) = (image.width, image.height);
        let dark = dark_pixels(image, tone);
        let mut prepared = PreparedImage::prepare_from_bitmap(w, h, |x, y| dark[y * w + x]);
        drop(dark);
        let grids = prepared.detect_grids();
        let mut failed = 0;
        let mut read = 0;
        for grid in &grids {
            let mut text = Vec::new();
            if grid.decode_to(&mut text).is_err() {
                failed += 1;
                self.note_region(&grid.bounds, scale);
                continue;
            }
            read += 1;
            let corner = grid
                .bounds
                .iter()
                .map(|p| scale.point(p))
                .map(|(x, y)| (y, x))
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

    /// Remembers where an unreadable grid is, unless a known region already holds its centre.
    fn note_region(&mut self, bounds: &[rqrr::Point; 4], scale: Scale) {
        let xs = bounds.iter().map(|p| scale.point(p).0);
        let ys = bounds.iter().map(|p| scale.point(p).1);
        let (Some(x0), Some(x1), Some(y0), Some(y1)) =
            (xs.clone().min(), xs.max(), ys.clone().min(), ys.max())
        else {
            return;
        };
        let (cx, cy) = ((x0 + x1) / 2, (y0 + y1) / 2);
        let known = |r: &[i64; 4]| (r[0]..=r[2]).contains(&cx) && (r[1]..=r[3]).contains(&cy);
        if self.regions.len() < MAX_REGIONS && !self.regions.iter().any(known) {
            self.regions.push([x0, y0, x1, y1]);
        }
    }

    /// Retries every region where a grid was seen but not read, alone, at 2× and with other
    /// thresholds than the whole image had: a grid found means a code is there, and its
    /// modules are often only a few pixels, smeared or unevenly lit. Returns whether every
    /// region was read.
    fn retry_regions(&mut self, full: &Luma) -> bool {
        let regions = std::mem::take(&mut self.regions);
        let mut all = !regions.is_empty();
        for [x0, y0, x1, y1] in regions {
            // The code's corners plus a margin for its quiet zone and for corners rqrr placed
            // a little inside the code.
            let margin = (x1 - x0).max(y1 - y0) / 4 + 8;
            let clamp = |v: i64, max: usize| v.clamp(0, max as i64) as usize;
            let (cx0, cy0) = (
                clamp(x0 - margin, full.width),
                clamp(y0 - margin, full.height),
            );
            let (cx1, cy1) = (
                clamp(x1 + margin, full.width),
                clamp(y1 + margin, full.height),
            );
            let (w, h) = (cx1 - cx0, cy1 - cy0);
            if w < 21 || h < 21 || w * h * 4 > UPSCALE_MAX_PIXELS {
                all = false;
                continue;
            }
            let crop = Luma {
                width: w,
                height: h,
                pixels: full.pixels[cy0 * full.width..cy1 * full.width]
                    .chunks_exact(full.width)
                    .flat_map(|row| &row[cx0..cx1])
                    .copied()
                    .collect(),
            };
            let big = upscale2(&crop);
            let scale = Scale::region(cx0 as i64, cy0 as i64);
            let t = otsu(&big.pixels);
            let stretched = stretch(&big);
            let read = self.pass("region 2× local threshold", &big, Tone::Blocks, scale)
                || self.pass(
                    "region 2× global threshold",
                    &big,
                    Tone::Threshold(t, false),
                    scale,
                )
                || self.pass("region 2× stretched", &stretched, Tone::Normal, scale)
                || self.pass("region 2×", &big, Tone::Normal, scale);
            all &= read;
        }
        // Regions found by the retries themselves are not retried again.
        self.regions.clear();
        all
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

/// Which pixels rqrr sees as dark, row-major.
///
/// The adaptive tones follow rqrr's own `PreparedImage::prepare`: a pixel is dark below 95 %
/// of the mean of its row around it, about w/8 pixels either side. rqrr weighs that
/// neighbourhood with two exponential moving averages, a serial chain with two divisions per
/// pixel that took 16 ms of the 35 a 1080p screenshot needs; a box mean from prefix sums
/// takes about 2 ms and finds the same codes on every fixture.
fn dark_pixels(image: &Luma, tone: Tone) -> Vec<bool> {
    match tone {
        Tone::Normal => adaptive(image, image.width / 8, 95, |p| p),
        Tone::Inverted => adaptive(image, image.width / 8, 95, |p| 255 - p),
        Tone::Threshold(t, inverted) => image.pixels.iter().map(|&p| (p < t) != inverted).collect(),
        Tone::Blocks => blocks(image),
    }
}

/// Side of the blocks of [`blocks`], in pixels.
const BLOCK: usize = 8;

/// Dark: below the black point of the 5×5 blocks around the pixel's block. A block's black
/// point is the middle of its darkest and lightest pixel; a flat block (range under 24)
/// takes half its minimum, or its upper-left neighbours' point when that is lower, so that
/// flat paper stays light and flat ink stays dark (ZXing's HybridBinarizer).
fn blocks(image: &Luma) -> Vec<bool> {
    let (w, h) = (image.width, image.height);
    let (bw, bh) = (w.div_ceil(BLOCK), h.div_ceil(BLOCK));
    let mut points = vec![0u32; bw * bh];
    for by in 0..bh {
        for bx in 0..bw {
            let (mut lo, mut hi, mut sum, mut n) = (255u32, 0u32, 0u32, 0u32);
            for y in by * BLOCK..((by + 1) * BLOCK).min(h) {
                for &p in &image.pixels[y * w + bx * BLOCK..y * w + ((bx + 1) * BLOCK).min(w)] {
                    let p = u32::from(p);
                    lo = lo.min(p);
                    hi = hi.max(p);
                    sum += p;
                    n += 1;
                }
            }
            let mut point = sum / n.max(1);
            if hi - lo <= 24 {
                point = lo / 2;
                if by > 0 && bx > 0 {
                    let around = (points[(by - 1) * bw + bx]
                        + 2 * points[by * bw + bx - 1]
                        + points[(by - 1) * bw + bx - 1])
                        / 4;
                    if lo < around {
                        point = around;
                    }
                }
            }
            points[by * bw + bx] = point;
        }
    }
    let mut thresholds = vec![0u32; bw * bh];
    for by in 0..bh {
        for bx in 0..bw {
            let (y0, y1) = (by.saturating_sub(2), (by + 3).min(bh));
            let (x0, x1) = (bx.saturating_sub(2), (bx + 3).min(bw));
            let mut sum = 0;
            for row in points[y0 * bw..y1 * bw].chunks_exact(bw) {
                sum += row[x0..x1].iter().sum::<u32>();
            }
            thresholds[by * bw + bx] = sum / ((y1 - y0) * (x1 - x0)) as u32;
        }
    }
    image
        .pixels
        .iter()
        .enumerate()
        .map(|(i, &p)| u32::from(p) <= thresholds[(i / w / BLOCK) * bw + (i % w) / BLOCK])
        .collect()
}

/// Dark: below `percent` % of the mean of the row within `radius` pixels.
fn adaptive(image: &Luma, radius: usize, percent: u64, value: impl Fn(u8) -> u8) -> Vec<bool> {
    let w = image.width;
    let radius = radius.max(1);
    let mut dark = Vec::with_capacity(image.pixels.len());
    // prefix[x] is the sum of the row's first x values.
    let mut prefix = vec![0u64; w + 1];
    for row in image.pixels.chunks_exact(w) {
        let mut total = 0;
        for (slot, &p) in prefix[1..].iter_mut().zip(row) {
            total += u64::from(value(p));
            *slot = total;
        }
        dark.extend(row.iter().enumerate().map(|(x, &p)| {
            let (lo, hi) = (x.saturating_sub(radius), (x + radius + 1).min(w));
            let sum = prefix[hi] - prefix[lo];
            u64::from(value(p)) * (hi - lo) as u64 * 100 < sum * percent
        }));
    }
    dark
}

/// Maps pass coordinates back to the full-resolution image: `v * num / den`, plus the
/// origin of the pass's region.
#[derive(Clone, Copy)]
struct Scale {
    num: i64,
    den: i64,
    x0: i64,
    y0: i64,
    /// The pass saw the image transposed (x and y swapped).
    transposed: bool,
}

impl Scale {
    const HALF: Scale = Scale {
        num: 1,
        den: 2,
        x0: 0,
        y0: 0,
        transposed: false,
    };

    fn times(k: usize) -> Scale {
        Scale {
            num: k as i64,
            den: 1,
            x0: 0,
            y0: 0,
            transposed: false,
        }
    }

    /// A region of the full image with its origin at (x0, y0), upscaled 2×.
    fn region(x0: i64, y0: i64) -> Scale {
        Scale {
            x0,
            y0,
            ..Scale::HALF
        }
    }

    /// A pass's point (x, y) in full-resolution coordinates.
    fn point(self, p: &rqrr::Point) -> (i64, i64) {
        let (x, y) = if self.transposed {
            (p.y, p.x)
        } else {
            (p.x, p.y)
        };
        (
            self.x0 + i64::from(x) * self.num / self.den,
            self.y0 + i64::from(y) * self.num / self.den,
        )
    }
}

/// The image with x and y swapped.
fn transpose(image: &Luma) -> Luma {
    let (w, h) = (image.width, image.height);
    let mut pixels = vec![0u8; w * h];
    for (y, row) in image.pixels.chunks_exact(w).enumerate() {
        for (x, &p) in row.iter().enumerate() {
            pixels[x * h + y] = p;
        }
    }
    Luma {
        width: h,
        height: w,
        pixels,
    }
}

/// At most this many unreadable grids are retried alone.
const MAX_REGIONS: usize = 4;

/// Stretches the grey levels between the darkest and the lightest percent of the pixels to
/// the full range: a code under low light or haze keeps its shape but not the offset rqrr's
/// relative threshold (95 % of the local mean) needs.
fn stretch(image: &Luma) -> Luma {
    let mut histogram = [0usize; 256];
    for &p in &image.pixels {
        histogram[usize::from(p)] += 1;
    }
    let cut = image.pixels.len() / 100;
    let level = |levels: &mut dyn Iterator<Item = usize>| {
        let mut seen = 0;
        for l in levels {
            seen += histogram[l];
            if seen > cut {
                return l;
            }
        }
        0
    };
    let lo = level(&mut (0..256));
    let hi = level(&mut (0..256).rev()).max(lo + 1);
    let span = (hi - lo) as u32;
    let pixels = image
        .pixels
        .iter()
        .map(|&p| ((u32::from(p).saturating_sub(lo as u32) * 255) / span).min(255) as u8)
        .collect();
    Luma {
        width: image.width,
        height: image.height,
        pixels,
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
    let small = (factor > 1).then(|| downscale(full, factor));
    if let Some(small) = &small {
        let scale = Scale::times(factor);
        if found.pass("downscaled", small, Tone::Normal, scale)
            || found.pass("downscaled inverted", small, Tone::Inverted, scale)
        {
            return found.finish();
        }
    }
    let one = Scale::times(1);
    if found.pass("full resolution", full, Tone::Normal, one)
        || found.pass("full resolution inverted", full, Tone::Inverted, one)
    {
        return found.finish();
    }
    let work = small.as_ref().unwrap_or(full);
    let scale = Scale::times(if small.is_some() { factor } else { 1 });
    let t = otsu(&work.pixels);
    if found.pass("global threshold", work, Tone::Threshold(t, false), scale) {
        return found.finish();
    }
    if found.pass(
        "global threshold inverted",
        work,
        Tone::Threshold(t, true),
        scale,
    ) {
        return found.finish();
    }
    if found.pass("local threshold", work, Tone::Blocks, scale) || found.retry_regions(full) {
        return found.finish();
    }
    if found.codes.is_empty()
        && found.pass("contrast stretched", &stretch(work), Tone::Normal, scale)
        || found.retry_regions(full)
    {
        return found.finish();
    }
    // rqrr looks for finder patterns along rows only: in some photos it misses one that a
    // scan along the columns finds.
    if found.codes.is_empty() {
        let turned = transpose(work);
        let scale = Scale {
            transposed: true,
            ..scale
        };
        if found.pass("transposed", &turned, Tone::Normal, scale)
            || found.pass("transposed local threshold", &turned, Tone::Blocks, scale)
            || found.retry_regions(full)
        {
            return found.finish();
        }
    }
    if full.width * full.height <= UPSCALE_MAX_PIXELS {
        let big = upscale2(full);
        if !found.pass("2× upscaled", &big, Tone::Normal, Scale::HALF) {
            found.pass("2× upscaled inverted", &big, Tone::Inverted, Scale::HALF);
        }
        found.retry_regions(full);
    }
    found.finish()
}

/// Keeps the centre pixel of every k×k block (dropping partial blocks at the edges).
///
/// Sampling rather than averaging: a box average turns every module edge that falls inside
/// a block into a half-grey line, which rqrr's threshold reads as dark, and on our fixtures
/// that lost the code at some pixel alignments (8 of 28 fixture/offset cases, against none
/// for sampling). Screenshots are sharp, so sampling loses nothing there; blurred or noisy
/// images fall through to the full-resolution passes.
fn downscale(image: &Luma, k: usize) -> Luma {
    let (w, h) = (image.width / k, image.height / k);
    let mut pixels = Vec::with_capacity(w * h);
    for row in image
        .pixels
        .chunks_exact(image.width)
        .skip(k / 2)
        .step_by(k)
        .take(h)
    {
        pixels.extend(row.iter().skip(k / 2).step_by(k).take(w));
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
    fn downscale_samples_block_centres() {
        let image = luma(7, 6, |x, y| (10 * x + y) as u8);
        let small = downscale(&image, 3);
        assert_eq!((small.width, small.height), (2, 2));
        assert_eq!(small.pixels, vec![11, 41, 14, 44]);
    }

    #[test]
    fn upscale_doubles_and_interpolates() {
        let image = luma(2, 1, |x, _| if x == 0 { 0 } else { 200 });
        let big = upscale2(&image);
        assert_eq!((big.width, big.height), (4, 2));
        assert_eq!(&big.pixels[..4], &[0, 100, 200, 200]);
    }

    #[test]
    fn local_threshold_follows_uneven_light() {
        // Ink squares on paper, the right half in a shadow darker than the left half's ink.
        // Within 3 blocks of the shadow's sharp edge the neighbourhood mixes both sides.
        let image = luma(128, 64, |x, y| {
            let ink = (x / 4 + y / 4) % 2 == 0;
            match (x < 64, ink) {
                (true, true) => 150,
                (true, false) => 220,
                (false, true) => 40,
                (false, false) => 110,
            }
        });
        let dark = blocks(&image);
        for (i, &d) in dark.iter().enumerate() {
            let (x, y) = (i % 128, i / 128);
            if (40..88).contains(&x) {
                continue;
            }
            assert_eq!(d, (x / 4 + y / 4) % 2 == 0, "({x}, {y})");
        }
    }

    #[test]
    fn transpose_swaps_axes_and_points_map_back() {
        let image = luma(3, 2, |x, y| (10 * x + y) as u8);
        let turned = transpose(&image);
        assert_eq!((turned.width, turned.height), (2, 3));
        assert_eq!(turned.pixels, vec![0, 1, 10, 11, 20, 21]);
        let scale = Scale {
            transposed: true,
            ..Scale::times(2)
        };
        assert_eq!(scale.point(&rqrr::Point { x: 1, y: 2 }), (4, 2));
        assert_eq!(
            Scale::region(100, 50).point(&rqrr::Point { x: 10, y: 4 }),
            (105, 52)
        );
    }

    #[test]
    fn stretch_spans_the_full_range() {
        // Low light: everything between 20 and 60.
        let image = luma(100, 10, |x, _| (20 + (x * 40) / 99) as u8);
        let stretched = stretch(&image);
        assert_eq!(stretched.pixels.iter().min(), Some(&0));
        assert_eq!(stretched.pixels.iter().max(), Some(&255));
        let flat = stretch(&luma(4, 4, |_, _| 7));
        assert!(flat.pixels.iter().all(|&p| p == 0));
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
