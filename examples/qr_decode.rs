//! Prints the text of every QR code in the given image files, one per line, using
//! `otp::qr::decode_file`: the library's QR pipeline alone, for `scripts/bench-qr` and for
//! checking a screenshot by hand. It prints payloads, which may be secrets: a debugging tool.

use std::path::Path;
use std::process::ExitCode;

fn main() -> ExitCode {
    let mut status = ExitCode::SUCCESS;
    for arg in std::env::args_os().skip(1) {
        let path = Path::new(&arg);
        match otp::qr::decode_file(path) {
            Ok(payloads) => payloads.iter().for_each(|p| println!("{p}")),
            Err(e) => {
                eprintln!("qr_decode: {}: {e}", path.display());
                status = ExitCode::FAILURE;
            }
        }
    }
    status
}
