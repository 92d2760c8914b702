/*!
`otp export`: a backup of every entry.

`age` (the default) is the vault document sealed with a passphrase (age scrypt, armored): it
opens with `age -d` on any machine, without otp's key, and `otp import` reads it back. `json`
(the vault document) and `uris` (one otpauth URI per line, for other apps) are plaintext and
need `--plaintext`, a deliberate "yes, my secrets in the clear". Files are written 0600.

For moving accounts to a phone:
- `aegis` (needs `--plaintext`): an unencrypted Aegis vault (vault version 1, db version 3), as
  Aegis's own "export without encryption" writes it; Aegis, 2FAS and Ente import it.
- `google-qr`: Google Authenticator "Transfer accounts" QR codes (`otpauth-migration://`,
  at most [`GOOGLE_BATCH`] accounts per code, one shared batch id), drawn on the terminal one
  at a time or written as PNGs (0600) with `--png-dir`. Like `otp qr`, never to a pipe. The
  format has no period or Steam field and only 6 or 8 digits: other accounts are listed as
  skipped.
*/

use super::Context;
use crate::entry::{Entry, Kind};
use crate::error::{Error, Result};
use crate::fsmode;
use crate::keys::{self, sealed};
use crate::qr::encode::{Modules, png_bytes, terminal_drawing};
use crate::vault::Vault;
use crate::{migration, uri};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::io::Write;
use std::path::{Path, PathBuf};
use zeroize::Zeroizing;

/// Accounts per Google Authenticator transfer QR code, as the app itself batches them.
pub const GOOGLE_BATCH: usize = 10;

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

pub fn run(ctx: &Context, args: Args) -> Result<()> {
    let name = match args.format {
        ExportFormat::Age => "age",
        ExportFormat::Json => "json",
        ExportFormat::Uris => "uris",
        ExportFormat::Aegis => "aegis",
        ExportFormat::GoogleQr => "google-qr",
    };
    if args.png_dir.is_some() && args.format != ExportFormat::GoogleQr {
        return Err(Error::Usage(
            "--png-dir is for --format google-qr; other formats write one file (-o FILE)".into(),
        ));
    }
    if !matches!(args.format, ExportFormat::Age | ExportFormat::GoogleQr) && !args.plaintext {
        let target = if args.output.is_none() && ctx.stdout_is_terminal {
            "on the terminal"
        } else {
            "in the output"
        };
        return Err(Error::Usage(format!(
            "--format {name} shows every secret in plaintext {target}: add --plaintext \
             (and -o FILE), or export the passphrase-encrypted default (--format age)"
        )));
    }
    let vault = Vault::open(&ctx.vault)?;
    let count = vault.doc.entries.len();
    let bytes: Zeroizing<Vec<u8>> = match args.format {
        ExportFormat::Age => {
            let passphrase = keys::passphrase::obtain("Passphrase for the backup: ", true)?;
            let sealed = sealed::seal(&vault.doc.to_json(), &passphrase)
                .map_err(|e| Error::Rejected(format!("cannot encrypt the backup: {e}")))?;
            Zeroizing::new(sealed)
        }
        ExportFormat::Json => vault.doc.to_json(),
        ExportFormat::Uris => {
            let mut text = Zeroizing::new(String::new());
            for entry in &vault.doc.entries {
                text.push_str(&uri::to_uri(&entry.to_new()));
                text.push('\n');
            }
            Zeroizing::new(text.as_bytes().to_vec())
        }
        ExportFormat::Aegis => aegis_vault(&vault.doc.entries)?,
        ExportFormat::GoogleQr => return google_qr(ctx, &args, &vault.doc.entries),
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

/// An unencrypted Aegis vault (`header` slots and params null), entries in vault order.
fn aegis_vault(entries: &[Entry]) -> Result<Zeroizing<Vec<u8>>> {
    #[derive(Serialize)]
    struct Vault<'a> {
        version: u32,
        header: Header,
        db: Db<'a>,
    }
    #[derive(Serialize)]
    struct Header {
        slots: Option<()>,
        params: Option<()>,
    }
    #[derive(Serialize)]
    struct Db<'a> {
        version: u32,
        entries: Vec<AegisEntry<'a>>,
        groups: [(); 0],
    }
    #[derive(Serialize)]
    struct AegisEntry<'a> {
        #[serde(rename = "type")]
        kind: &'static str,
        uuid: String,
        name: &'a str,
        issuer: &'a str,
        note: &'a str,
        favorite: bool,
        icon: Option<()>,
        info: Info<'a>,
        groups: [(); 0],
    }
    #[derive(Serialize)]
    struct Info<'a> {
        secret: &'a str,
        algo: &'static str,
        digits: u8,
        #[serde(skip_serializing_if = "Option::is_none")]
        period: Option<u32>,
        #[serde(skip_serializing_if = "Option::is_none")]
        counter: Option<u64>,
    }
    let entries = entries
        .iter()
        .map(|e| AegisEntry {
            kind: e.kind.as_str(),
            uuid: aegis_uuid(&e.id),
            name: &e.account,
            issuer: &e.issuer,
            note: e.note.as_deref().unwrap_or(""),
            favorite: false,
            icon: None,
            info: Info {
                secret: e.secret.as_base32(),
                algo: e.algorithm.as_str(),
                digits: e.digits,
                period: (e.kind != Kind::Hotp).then_some(e.period),
                counter: (e.kind == Kind::Hotp).then_some(e.counter),
            },
            groups: [],
        })
        .collect();
    let vault = Vault {
        version: 1,
        header: Header {
            slots: None,
            params: None,
        },
        db: Db {
            version: 3,
            entries,
            groups: [],
        },
    };
    // Aegis writes four-space indents; any JSON reads, but the file looks like its own.
    let mut out = Zeroizing::new(Vec::with_capacity(4096));
    let formatter = serde_json::ser::PrettyFormatter::with_indent(b"    ");
    let mut serializer = serde_json::Serializer::with_formatter(&mut *out, formatter);
    vault
        .serialize(&mut serializer)
        .map_err(|e| Error::Rejected(format!("cannot write the Aegis vault: {e}")))?;
    out.push(b'\n');
    Ok(out)
}

/// A stable UUID for an entry (so exporting twice gives the same Aegis entries): the first
/// 16 bytes of SHA-256 of its id, shaped as a version-4 UUID.
fn aegis_uuid(id: &str) -> String {
    let hash = Sha256::digest(format!("otp aegis export uuid\0{id}").as_bytes());
    let mut b = [0u8; 16];
    b.copy_from_slice(&hash[..16]);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

/// Why Google Authenticator's transfer format cannot carry `entry`, if it cannot.
fn google_cannot_carry(entry: &Entry) -> Option<String> {
    migration::cannot_carry(&entry.to_new())
}

/// The transfer URIs for `entries`: batches of at most [`GOOGLE_BATCH`], one batch id.
fn google_uris(entries: &[&Entry], batch_id: i32) -> Vec<Zeroizing<String>> {
    let entries: Vec<_> = entries.iter().map(|e| e.to_new()).collect();
    migration::to_uris(&entries, GOOGLE_BATCH, batch_id)
}

/// One id for this transfer, from the time and the accounts: the app uses it to tell the
/// codes of one transfer from another's.
fn google_batch_id(entries: &[&Entry], now: i64) -> i32 {
    let mut hash = Sha256::new();
    hash.update(now.to_le_bytes());
    for e in entries {
        hash.update(e.id.as_bytes());
        hash.update([0]);
    }
    let digest = hash.finalize();
    i32::from_le_bytes([digest[0], digest[1], digest[2], digest[3]])
}

fn google_qr(ctx: &Context, args: &Args, all: &[Entry]) -> Result<()> {
    if args.png_dir.is_none() && !ctx.stdout_is_terminal {
        return Err(Error::Usage(
            "refusing to draw QR codes: stdout is not a terminal; write images with \
             `otp export --format google-qr --png-dir DIR`"
                .into(),
        ));
    }
    let mut entries = Vec::new();
    for entry in all {
        match google_cannot_carry(entry) {
            Some(why) => ctx.notice(&crate::output::sanitize(&format!(
                "skipped {} [{}]: {why}",
                entry.label(),
                entry.id
            ))),
            None => entries.push(entry),
        }
    }
    if entries.is_empty() {
        return Err(Error::Rejected(
            "nothing to export: Google Authenticator's transfer format can carry none of the \
             entries"
                .into(),
        ));
    }
    let uris = google_uris(&entries, google_batch_id(&entries, ctx.now));
    let codes = uris
        .iter()
        .map(|u| Modules::encode(u))
        .collect::<Result<Vec<_>>>()?;
    drop(uris);
    let count = codes.len();
    match &args.png_dir {
        Some(dir) => write_pngs(ctx, dir, &codes, entries.len()),
        None => draw_codes(ctx, &codes, entries.len()),
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
        return Err(Error::Rejected(format!(
            "cannot write {}: the file exists; not overwriting it (remove it or choose \
             another --png-dir)",
            existing.display()
        )));
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entry::{Algorithm, NewEntry, Secret};

    fn entry(id: &str, issuer: &str, account: &str) -> Entry {
        NewEntry::totp(issuer, account, Secret::parse("JBSWY3DPEHPK3PXP").unwrap())
            .into_entry(id.into(), 0)
    }

    #[test]
    fn uuids_are_stable_and_shaped_as_version_4() {
        let a = aegis_uuid("github");
        assert_eq!(a, aegis_uuid("github"));
        assert_ne!(a, aegis_uuid("google"));
        let parts: Vec<&str> = a.split('-').collect();
        assert_eq!(
            parts.iter().map(|p| p.len()).collect::<Vec<_>>(),
            [8, 4, 4, 4, 12]
        );
        assert!(parts[2].starts_with('4'), "{a}");
        assert!(matches!(&parts[3][..1], "8" | "9" | "a" | "b"), "{a}");
    }

    #[test]
    fn google_batches_read_back_through_the_migration_parser() {
        let entries: Vec<Entry> = (0..23)
            .map(|i| {
                entry(
                    &format!("e{i}"),
                    &format!("Issuer {i}"),
                    "me+you@example.com",
                )
            })
            .collect();
        let mut hotp = entry("h", "", "x:y");
        hotp.kind = Kind::Hotp;
        hotp.counter = 42;
        hotp.algorithm = Algorithm::SHA512;
        hotp.digits = 8;
        let mut refs: Vec<&Entry> = entries.iter().collect();
        refs.push(&hotp);
        let uris = google_uris(&refs, -5);
        assert_eq!(uris.len(), 3);
        let mut back = Vec::new();
        for (i, uri) in uris.iter().enumerate() {
            let data = uri.split_once("data=").unwrap().1;
            assert!(
                !data.contains(['+', '/', '=']),
                "escaped as Google does: {data}"
            );
            let batch = crate::migration::parse_batch(uri).unwrap();
            assert_eq!((batch.index, batch.size, batch.id), (i as u32, 3, -5));
            assert!(batch.entries.len() <= GOOGLE_BATCH);
            back.extend(batch.entries);
        }
        let want: Vec<NewEntry> = refs.iter().map(|e| e.to_new()).collect();
        assert_eq!(back, want);
    }

    #[test]
    fn what_google_cannot_carry_is_named() {
        let ok = entry("a", "A", "a");
        assert_eq!(google_cannot_carry(&ok), None);
        let mut steam = entry("s", "Steam", "s");
        steam.kind = Kind::Steam;
        assert!(google_cannot_carry(&steam).unwrap().contains("Steam"));
        let mut slow = entry("p", "P", "p");
        slow.period = 60;
        assert!(google_cannot_carry(&slow).unwrap().contains("60 s"));
        let mut seven = entry("d", "D", "d");
        seven.digits = 7;
        assert!(google_cannot_carry(&seven).unwrap().contains("7 digits"));
    }
}
