/*!
`otp export`: a backup of every entry, in one of the formats of [`crate::export`].

`json`, `uris` and `aegis` are plaintext and need `--plaintext`, a deliberate "yes, my
secrets in the clear". Files are written 0600. `google-qr` codes are drawn on the terminal one
at a time or written as PNGs (0600) with `--png-dir`; like `otp qr`, never to a pipe.
*/

use super::Context;
use crate::error::{Error, Refused, Result, Usage};
use crate::export::{self, Format, Output};
use crate::fsmode;
use crate::keys;
use crate::qr::encode::{Modules, png_bytes, terminal_drawing};
use crate::vault::Vault;
use std::io::Write;
use std::path::{Path, PathBuf};
use zeroize::Zeroizing;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Write to FILE (mode 0600) instead of stdout
    #[arg(short, long, value_name = "FILE", conflicts_with = "png_dir")]
    pub output: Option<PathBuf>,
    /// age: passphrase-encrypted vault document; json, uris, aegis: plaintext (need
    /// --plaintext); google-qr: Google Authenticator transfer QR codes
    #[arg(long, value_enum, default_value_t = ExportFormat::Age)]
    pub format: ExportFormat,
    /// Allow a plaintext format: whoever reads the output has your secrets
    #[arg(long)]
    pub plaintext: bool,
    /// google-qr: write the QR codes as PNG files (mode 0600) into DIR instead of drawing
    /// them on the terminal
    #[arg(long, value_name = "DIR")]
    pub png_dir: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    Age,
    Json,
    Uris,
    Aegis,
    GoogleQr,
}

pub(crate) fn run(ctx: &Context, args: Args) -> Result<()> {
    let name = match args.format {
        ExportFormat::Age => "age",
        ExportFormat::Json => "json",
        ExportFormat::Uris => "uris",
        ExportFormat::Aegis => "aegis",
        ExportFormat::GoogleQr => "google-qr",
    };
    if args.png_dir.is_some() && args.format != ExportFormat::GoogleQr {
        return Err(Usage::WrongFormat {
            option: "--png-dir",
            format: "google-qr",
            hint: "other formats write one file (-o FILE)",
        }
        .into());
    }
    if export::is_plaintext(name) && !args.plaintext {
        let target = if args.output.is_none() && ctx.stdout_is_terminal {
            "on the terminal"
        } else {
            "in the output"
        };
        return Err(Usage::PlaintextNotConfirmed {
            format: name,
            target,
        }
        .into());
    }
    let vault = Vault::open(&ctx.vault)?;
    let count = vault.doc.entries.len();
    let format: Box<dyn Format> = match args.format {
        ExportFormat::Age => Box::new(export::Age {
            passphrase: keys::passphrase::obtain("Passphrase for the backup: ", true)?,
        }),
        ExportFormat::Json => Box::new(export::Json),
        ExportFormat::Uris => Box::new(export::Uris),
        ExportFormat::Aegis => Box::new(export::Aegis),
        ExportFormat::GoogleQr => {
            if args.png_dir.is_none() && !ctx.stdout_is_terminal {
                return Err(Usage::NotOnTerminal {
                    what: "QR codes",
                    instead: "write images with `otp export --format google-qr --png-dir DIR`",
                }
                .into());
            }
            Box::new(export::GoogleQr { now: ctx.now })
        }
    };
    let bytes = match format.export(&vault.doc)? {
        Output::File(bytes) => bytes,
        Output::Codes { texts, skipped } => {
            for s in &skipped {
                ctx.notice(&crate::output::sanitize(&format!(
                    "skipped {} [{}]: {}",
                    s.label, s.id, s.reason
                )));
            }
            return show_codes(ctx, &args, texts, count - skipped.len());
        }
    };
    let Some(path) = &args.output else {
        let mut out = std::io::stdout().lock();
        return out
            .write_all(&bytes)
            .and_then(|()| out.flush())
            .map_err(|e| Error::io("cannot write output", e));
    };
    fsmode::write_private(path, &bytes)
        .map_err(|e| Error::io(format!("cannot write {}", path.display()), e))?;
    let how = if args.format == ExportFormat::Age {
        "encrypted with your passphrase; `otp import` or `age -d` opens it"
    } else {
        "PLAINTEXT: keep it offline and delete it when done"
    };
    ctx.notice(&format!(
        "Exported {count} {} to {} ({name}, {how})",
        if count == 1 { "entry" } else { "entries" },
        path.display()
    ));
    Ok(())
}

/// Draws the transfer codes or writes them as PNGs; `accounts` is how many they carry.
fn show_codes(
    ctx: &Context,
    args: &Args,
    texts: Vec<Zeroizing<String>>,
    accounts: usize,
) -> Result<()> {
    if texts.is_empty() {
        return Err(Refused::NothingToExport.into());
    }
    let codes = texts
        .iter()
        .map(|u| Modules::encode(u))
        .collect::<std::result::Result<Vec<_>, _>>()?;
    drop(texts);
    let count = codes.len();
    match &args.png_dir {
        Some(dir) => write_pngs(ctx, dir, &codes, accounts),
        None => draw_codes(ctx, &codes, accounts),
    }
    .map(|()| {
        if count > 1 {
            ctx.notice(&format!(
                "In Google Authenticator: Transfer accounts → Import accounts, and scan all \
                 {count} codes"
            ));
        }
    })
}

/// The PNG files' names: `otp-google-1-of-3.png`, …
fn png_names(count: usize) -> Vec<String> {
    (1..=count)
        .map(|i| format!("otp-google-{i}-of-{count}.png"))
        .collect()
}

fn write_pngs(ctx: &Context, dir: &Path, codes: &[Modules], accounts: usize) -> Result<()> {
    fsmode::create_dir_all(dir)
        .map_err(|e| Error::io(format!("cannot create {}", dir.display()), e))?;
    let paths: Vec<PathBuf> = png_names(codes.len()).iter().map(|n| dir.join(n)).collect();
    // Like `otp qr --png`: never replace a file (the user may not mean to lose it); check
    // them all first so a refusal leaves nothing half written.
    if let Some(existing) = paths.iter().find(|p| p.exists()) {
        return Err(Refused::Exists {
            path: existing.clone(),
            instead: "another --png-dir",
        }
        .into());
    }
    for (path, modules) in paths.iter().zip(codes) {
        fsmode::write_private(path, &png_bytes(modules)?)
            .map_err(|e| Error::io(format!("cannot write {}", path.display()), e))?;
    }
    ctx.print(&format!(
        "Wrote {} QR code{} of {accounts} account{} to {} (mode 0600).\n\
         They hold the secrets: delete them once the phone has scanned them.\n",
        codes.len(),
        if codes.len() == 1 { "" } else { "s" },
        if accounts == 1 { "" } else { "s" },
        dir.display()
    ))
}

fn draw_codes(ctx: &Context, codes: &[Modules], accounts: usize) -> Result<()> {
    ctx.notice(&format!(
        "otp: these QR codes hold the secrets of {accounts} account{}: anyone who sees them \
         can make codes. Clear the screen once the phone has scanned them.",
        if accounts == 1 { "" } else { "s" }
    ));
    let count = codes.len();
    for (i, modules) in codes.iter().enumerate() {
        if i > 0 && ctx.stdin_is_terminal {
            let mut line = String::new();
            ctx.notice(&format!("Press Enter for code {} of {count}", i + 1));
            std::io::stdin()
                .read_line(&mut line)
                .map_err(|e| Error::io("cannot read the answer", e))?;
            // Clear the screen so the camera cannot catch the previous code.
            ctx.print("\x1b[2J\x1b[H")?;
        }
        let mut drawing = Zeroizing::new(terminal_drawing(modules));
        drawing.push_str(&format!(
            "Google Authenticator transfer, code {} of {count}\n",
            i + 1
        ));
        ctx.print(&drawing)?;
    }
    Ok(())
}
