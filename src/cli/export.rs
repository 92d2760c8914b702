/*!
`otp export`: a backup of every entry.

`age` (the default) is the vault document sealed with a passphrase (age scrypt, armored): it
opens with `age -d` on any machine, without otp's key, and `otp import` reads it back. `json`
(the vault document) and `uris` (one otpauth URI per line, for other apps) are plaintext and
need `--plaintext`, a deliberate "yes, my secrets in the clear". Files are written 0600.
*/

use super::Context;
use crate::error::{Error, Result};
use crate::keys::{self, sealed};
use crate::uri;
use crate::vault::Vault;
use std::fs;
use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use zeroize::Zeroizing;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Write to FILE (mode 0600) instead of stdout
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// age: passphrase-encrypted vault document; json, uris: plaintext (need --plaintext)
    #[arg(long, value_enum, default_value_t = ExportFormat::Age)]
    pub format: ExportFormat,
    /// Allow a plaintext format: whoever reads the output has your secrets
    #[arg(long)]
    pub plaintext: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    Age,
    Json,
    Uris,
}

pub fn run(ctx: &Context, args: Args) -> Result<()> {
    let name = match args.format {
        ExportFormat::Age => "age",
        ExportFormat::Json => "json",
        ExportFormat::Uris => "uris",
    };
    if args.format != ExportFormat::Age && !args.plaintext {
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
    };
    let Some(path) = &args.output else {
        let mut out = std::io::stdout().lock();
        return out
            .write_all(&bytes)
            .and_then(|()| out.flush())
            .map_err(|e| Error::io("cannot write output", e));
    };
    write_private(path, &bytes)?;
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

/// Writes `bytes` to `path` with mode 0600, replacing it atomically: a temp file in the same
/// directory, created 0600 (never briefly readable by others), fsynced, renamed into place.
pub(super) fn write_private(path: &Path, bytes: &[u8]) -> Result<()> {
    let fail = |e: std::io::Error| Error::io(format!("cannot write {}", path.display()), e);
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut temp = tempfile::Builder::new()
        .prefix(".otp-export-")
        .suffix(".tmp")
        .permissions(fs::Permissions::from_mode(0o600))
        .tempfile_in(dir)
        .map_err(fail)?;
    temp.write_all(bytes).map_err(fail)?;
    temp.as_file().sync_all().map_err(fail)?;
    temp.persist(path).map_err(|e| fail(e.error))?;
    Ok(())
}
