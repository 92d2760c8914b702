/*!
`otp qr QUERY [--png FILE]`: the entry's otpauth URI as a QR code, for a second device to scan.

In the terminal the code is drawn with Unicode half blocks (two module rows per text line) in
explicit black on white: the colours are part of the picture, not decoration, so they are drawn
whatever `--color` and `NO_COLOR` say. Left to the theme, a dark terminal shows the code
inverted, and many phone scanners cannot read inverted codes. Black and white are the 256-colour
cube's 16 and 231, which themes do not remap (the 16 basic colours they do: "white" is often grey).

The code holds the secret, so it is only ever drawn on a terminal or written to a new file with
mode 0600; an existing file is never overwritten (its permissions could be wider than ours, and
the user may not mean to lose it).
*/

use super::Context;
use crate::entry::Kind;
use crate::error::{Error, Refused, Result, Usage};
use crate::qr::encode::{Modules, png_bytes, terminal_drawing};
use crate::vault::Vault;
use crate::{query, uri};
use std::io::Write;
use std::path::{Path, PathBuf};
use zeroize::Zeroizing;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Entry to show (id, issuer:account, issuer, account or part of the name)
    pub query: String,
    /// Write a PNG image to FILE instead of drawing on the terminal (created with mode 0600;
    /// an existing file is not overwritten)
    #[arg(long, value_name = "FILE")]
    pub png: Option<PathBuf>,
}

pub(crate) fn run(ctx: &Context, args: Args) -> Result<()> {
    if args.png.is_none() && !ctx.stdout_is_terminal {
        return Err(Usage::NotOnTerminal {
            what: "a QR code",
            instead: "write an image with `otp qr QUERY --png FILE`, or print the URI with \
                      `otp uri QUERY`",
        }
        .into());
    }
    let vault = Vault::open(&ctx.vault)?;
    let entry = query::resolve(&vault.doc.entries, &args.query)?;
    let label = entry.label();
    let text = Zeroizing::new(uri::to_uri(&entry.to_new()));
    let modules = Modules::encode(&text)?;
    drop(text);

    if entry.kind == Kind::Hotp {
        ctx.notice(&format!(
            "note: the code carries the current counter ({}); each device counts on its own \
             from there",
            entry.counter
        ));
    }
    match &args.png {
        Some(path) => {
            write_png(path, &modules)?;
            ctx.print(&format!(
                "Wrote the QR code of {label} to {} (mode 0600).\n\
                 It holds the secret: delete the file once the new device has scanned it.\n",
                path.display()
            ))
        }
        None => {
            warn_if_too_narrow(ctx, modules.size);
            ctx.notice(&format!(
                "otp: this QR code holds the secret of {label}: anyone who sees it can make \
                 codes. Clear the screen once the new device has scanned it."
            ));
            let mut drawing = Zeroizing::new(terminal_drawing(&modules));
            drawing.push_str(&format!("{label}\n"));
            ctx.print(&drawing)
        }
    }
}

/// Writes the PNG to a new file, readable by its owner only. On failure nothing is left.
fn write_png(path: &Path, modules: &Modules) -> Result<()> {
    let png = png_bytes(modules)?;
    let mut file = crate::fsmode::options()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|e| {
            if e.kind() == std::io::ErrorKind::AlreadyExists {
                Error::from(Refused::Exists {
                    path: path.to_path_buf(),
                    instead: "another name",
                })
            } else {
                Error::io(format!("cannot write {}", path.display()), e)
            }
        })?;
    if let Err(e) = file.write_all(&png).and_then(|()| file.sync_all()) {
        drop(file);
        let _ = std::fs::remove_file(path);
        return Err(Error::io(format!("cannot write {}", path.display()), e));
    }
    Ok(())
}

/// A code wider than the terminal wraps and cannot be scanned: say so (the size is unknown
/// under some terminals; then say nothing).
fn warn_if_too_narrow(ctx: &Context, columns_needed: usize) {
    if let Ok((columns, _)) = crossterm::terminal::size()
        && columns > 0
        && usize::from(columns) < columns_needed
    {
        ctx.notice(&format!(
            "otp: the terminal is {columns} columns wide and the QR code needs \
             {columns_needed}: widen the window, or write an image with --png FILE"
        ));
    }
}
