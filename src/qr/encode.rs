/*!
QR encoding: the modules of a code holding a text, drawn with Unicode half blocks for a
terminal or written as a PNG image.

The terminal drawing uses explicit black on white: the colours are part of the picture, not
decoration. Left to the theme, a dark terminal shows the code inverted, and many phone
scanners cannot read inverted codes. Black and white are the 256-colour cube's 16 and 231,
which themes do not remap (the 16 basic colours they do: "white" is often grey).

The code holds whatever the text holds (secrets, for otp): the modules are zeroized when
dropped and the drawing and PNG come back in zeroizing buffers.
*/

/// Why a code or its image could not be made.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("cannot make a QR code of this entry: {0}")]
    TooLong(qrcode::types::QrError),
    #[error("the QR code is too large")]
    TooLarge,
    #[error("cannot encode the PNG image: {0}")]
    Png(image::ImageError),
}

pub(crate) type Result<T> = std::result::Result<T, Error>;
use qrcode::{Color, QrCode};
use zeroize::{Zeroize, Zeroizing};

/// Light modules around the code: the QR specification asks for four.
pub(crate) const QUIET_ZONE: usize = 4;
/// Pixels per module in a written PNG: comfortably above what phone cameras need.
pub(crate) const PNG_MODULE_PIXELS: usize = 8;
/// Black foreground on a white background, from the 256-colour cube.
const BLACK_ON_WHITE: &str = "\x1b[38;5;16;48;5;231m";
const RESET: &str = "\x1b[0m";

/// The modules of a QR code with its quiet zone: `size` × `size`, row-major, `true` = dark.
pub(crate) struct Modules {
    pub size: usize,
    dark: Vec<bool>,
}

impl Modules {
    /// Encodes `text` (error correction level M, the smallest symbol that holds it).
    pub(crate) fn encode(text: &str) -> Result<Modules> {
        let code = QrCode::new(text.as_bytes()).map_err(Error::TooLong)?;
        Ok(Modules::from_colors(code.width(), &code.to_colors()))
    }

    fn from_colors(width: usize, colors: &[Color]) -> Modules {
        let size = width + 2 * QUIET_ZONE;
        let mut dark = vec![false; size * size];
        for (i, color) in colors.iter().enumerate() {
            let (y, x) = (i / width + QUIET_ZONE, i % width + QUIET_ZONE);
            dark[y * size + x] = *color == Color::Dark;
        }
        Modules { size, dark }
    }

    /// Whether the module at column `x`, row `y` is dark; outside the symbol is light.
    pub(crate) fn is_dark(&self, x: usize, y: usize) -> bool {
        x < self.size && y < self.size && self.dark[y * self.size + x]
    }
}

impl Drop for Modules {
    fn drop(&mut self) {
        // The pattern encodes the secret as surely as the URI does.
        self.dark.zeroize();
    }
}

/// The code as lines of half blocks, each wrapped in black-on-white and a reset (so the
/// background cannot bleed past the line). The line under an odd last row is light.
pub(crate) fn terminal_drawing(modules: &Modules) -> String {
    let mut out = String::new();
    for y in (0..modules.size).step_by(2) {
        out.push_str(BLACK_ON_WHITE);
        for x in 0..modules.size {
            out.push(match (modules.is_dark(x, y), modules.is_dark(x, y + 1)) {
                (true, true) => '█',
                (true, false) => '▀',
                (false, true) => '▄',
                (false, false) => ' ',
            });
        }
        out.push_str(RESET);
        out.push('\n');
    }
    out
}

/// A greyscale PNG of the code, [`PNG_MODULE_PIXELS`] per module, quiet zone included.
pub(crate) fn png_bytes(modules: &Modules) -> Result<Zeroizing<Vec<u8>>> {
    use image::ImageEncoder;
    let side = modules.size * PNG_MODULE_PIXELS;
    let mut pixels = Zeroizing::new(vec![255u8; side * side]);
    for (i, pixel) in pixels.iter_mut().enumerate() {
        let (y, x) = (i / side / PNG_MODULE_PIXELS, i % side / PNG_MODULE_PIXELS);
        if modules.is_dark(x, y) {
            *pixel = 0;
        }
    }
    let mut png = Zeroizing::new(Vec::new());
    let side = u32::try_from(side).map_err(|_| Error::TooLarge)?;
    image::codecs::png::PngEncoder::new(&mut *png)
        .write_image(&pixels, side, side, image::ExtendedColorType::L8)
        .map_err(Error::Png)?;
    Ok(png)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reads a drawing back into modules, as a scanner would see it.
    fn read_back(drawing: &str) -> Vec<Vec<bool>> {
        let mut rows = Vec::new();
        for line in drawing.lines() {
            let line = line
                .strip_prefix(BLACK_ON_WHITE)
                .and_then(|l| l.strip_suffix(RESET))
                .expect("every line is black on white");
            let (top, bottom): (Vec<bool>, Vec<bool>) = line
                .chars()
                .map(|c| match c {
                    '█' => (true, true),
                    '▀' => (true, false),
                    '▄' => (false, true),
                    ' ' => (false, false),
                    other => panic!("unexpected {other:?}"),
                })
                .unzip();
            rows.push(top);
            rows.push(bottom);
        }
        rows
    }

    #[test]
    fn the_drawing_holds_every_module_and_the_quiet_zone() {
        let modules = Modules::encode("otpauth://totp/A:b?secret=JBSWY3DPEHPK3PXP").unwrap();
        let rows = read_back(&terminal_drawing(&modules));
        assert_eq!(
            rows.len(),
            modules.size + 1,
            "odd size: one light row added"
        );
        for (y, row) in rows.iter().enumerate() {
            assert_eq!(row.len(), modules.size);
            for (x, &dark) in row.iter().enumerate() {
                assert_eq!(dark, modules.is_dark(x, y), "module {x},{y}");
            }
        }
        // Quiet zone: the first and last four rows and columns are light.
        let edge = |i: usize| i < QUIET_ZONE || i >= modules.size - QUIET_ZONE;
        for y in 0..modules.size {
            for x in 0..modules.size {
                if edge(x) || edge(y) {
                    assert!(!modules.is_dark(x, y), "{x},{y} in the quiet zone");
                }
            }
        }
        // The finder pattern's corner is dark.
        assert!(modules.is_dark(QUIET_ZONE, QUIET_ZONE));
    }

    #[test]
    fn the_png_decodes_to_the_text() {
        let text = "otpauth://totp/A:b?secret=JBSWY3DPEHPK3PXP&issuer=A";
        let png = png_bytes(&Modules::encode(text).unwrap()).unwrap();
        assert_eq!(
            crate::qr::decode::decode_bytes(&png).unwrap(),
            vec![text.to_string()]
        );
    }
}
