/*!
QR codes: [`decode`] finds and reads them in images (screenshots, photos, clipboard images);
[`encode`] makes them, for a terminal or a PNG file.
*/

pub(crate) mod decode;
pub(crate) mod encode;

pub use decode::{
    DOWNSCALE_ABOVE, Error, MAX_PIXELS, Passes, decode_bytes, decode_file, decode_rgba,
};
