/*!
`otp doctor`: is everything in order? One line per check, `ok`, `warn` or `FAIL`:

- the vault: path, size, who can read the file and its directory (Unix: its mode, a warning
  when group or others have any access; Windows: whether it is under the user's profile,
  whose ACL keeps other users out), entry count;
- the key: which backend opens the vault, and who can read the identity file, or (keyring) whether
  the kernel key cache is on;
- backup recipients from the config;
- whether `-c` can reach a clipboard (a display, or an SSH session for OSC 52);
- with `--ntp`, the clock's offset from an SNTP server: above 5 s codes get rejected.

Exit status 0 when no check failed (warnings included), 1 otherwise.
*/

use super::Context;
use crate::error::{Refused, Result};
use crate::fsmode::{self, Protection};
use crate::keys::{Backend, cache};
use crate::sntp;
use crate::vault::{self, Vault, crypto};
use std::path::Path;
use std::time::Duration;

/// Offsets above this make codes fail at services that accept only the current period.
const MAX_OFFSET_SECONDS: f64 = 5.0;
const NTP_TIMEOUT: Duration = Duration::from_secs(2);

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Also check the clock against an SNTP server [default server: pool.ntp.org]
    #[arg(
        long,
        value_name = "SERVER[:PORT]",
        num_args = 0..=1,
        default_missing_value = "pool.ntp.org",
    )]
    pub ntp: Option<String>,
}

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Level {
    Ok,
    Warn,
    Fail,
}

struct Report {
    lines: Vec<(Level, String)>,
}

impl Report {
    fn add(&mut self, level: Level, text: impl Into<String>) {
        self.lines.push((level, text.into()));
    }

    fn render(&self) -> String {
        let mut out = String::new();
        for (level, text) in &self.lines {
            let tag = match level {
                Level::Ok => "ok  ",
                Level::Warn => "warn",
                Level::Fail => "FAIL",
            };
            out.push_str(&format!("{tag}  {}\n", crate::output::sanitize(text)));
        }
        out
    }
}

pub(crate) fn run(ctx: &Context, args: Args) -> Result<()> {
    let mut report = Report { lines: Vec::new() };
    check_vault(ctx, &mut report);
    check_clipboard(&mut report);
    if let Some(server) = &args.ntp {
        check_clock(server, &mut report);
    }
    ctx.print(&report.render())?;
    let failed = report
        .lines
        .iter()
        .filter(|(l, _)| *l == Level::Fail)
        .count();
    if failed > 0 {
        return Err(Refused::ChecksFailed { failed }.into());
    }
    Ok(())
}

/// A line about who can read a file or directory: on Unix its mode (a warning when group or
/// others have any access, with the `chmod` that fixes it); on Windows whether it is under
/// the user's profile, whose ACL keeps other users out.
fn check_mode(report: &mut Report, what: &str, path: &Path, want: u32) {
    let Some(protection) = fsmode::protection(path) else {
        return;
    };
    let shown = path.display();
    match protection {
        Protection::Mode(m) if protection.is_private() => {
            report.add(Level::Ok, format!("{what} {shown} is mode {m:04o}"));
        }
        Protection::Mode(m) => report.add(
            Level::Warn,
            format!("{what} {shown} is mode {m:04o}: others may read it; fix with `chmod {want:o} {shown}`"),
        ),
        Protection::Profile => report.add(
            Level::Ok,
            format!("{what} {shown} is in your user profile, which only you and the administrators can read"),
        ),
        Protection::OutsideProfile => report.add(
            Level::Warn,
            format!(
                "{what} {shown} is outside your user profile: its folder's permissions decide who \
                 can read it (check them under Properties > Security)"
            ),
        ),
    }
}

fn check_vault(ctx: &Context, report: &mut Report) {
    let path = &ctx.vault.path;
    let Ok(meta) = std::fs::metadata(path) else {
        report.add(
            Level::Fail,
            format!(
                "no vault at {}: create one with `otp init` or `otp add`",
                path.display()
            ),
        );
        return;
    };
    report.add(
        Level::Ok,
        format!("vault {} ({} bytes)", path.display(), meta.len()),
    );
    check_mode(report, "vault", path, fsmode::FILE_MODE);
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        check_mode(report, "vault directory", dir, fsmode::DIR_MODE);
    }
    let backup = vault::VaultFile::new(path.clone()).backup_path();
    if backup.exists() {
        check_mode(report, "previous vault", &backup, fsmode::FILE_MODE);
    }
    for copy in vault::conflicts::find(path) {
        report.add(
            Level::Warn,
            format!(
                "conflict copy {} (from a sync tool): merge it with `otp merge`",
                copy.display()
            ),
        );
    }
    if let Ok(vault) = Vault::open(&ctx.vault)
        && !vault.doc.replaced_keys().is_empty()
    {
        let n = vault.doc.replaced_keys().len();
        report.add(
            Level::Warn,
            format!(
                "{n} replaced {} kept from merges: see `otp list`",
                if n == 1 { "key" } else { "keys" }
            ),
        );
    }

    // A passphrase vault needs the passphrase to be checked: only when it can be had
    // without a prompt nobody can answer.
    let passphrase_vault = std::fs::read(path)
        .ok()
        .and_then(|b| crypto::lock_of(&b).ok())
        == Some(crypto::Lock::Passphrase);
    if passphrase_vault
        && std::env::var_os(crate::keys::passphrase::ENV).is_none()
        && !ctx.stdin_is_terminal
    {
        report.add(
            Level::Warn,
            "key: passphrase backend; not checked (no terminal to ask, OTP_PASSPHRASE unset)",
        );
        return;
    }
    match Vault::open(&ctx.vault) {
        Ok(vault) => {
            let n = vault.doc.entries.len();
            let backend = vault.backend();
            let place = match backend {
                Backend::Keyring => "in the OS keyring".to_string(),
                Backend::IdentityFile => ctx.vault.identity_path.display().to_string(),
                Backend::Passphrase => "your passphrase".to_string(),
            };
            report.add(
                Level::Ok,
                format!("key: {backend} backend ({place}) opens the vault"),
            );
            if backend == Backend::IdentityFile {
                check_mode(
                    report,
                    "identity file",
                    &ctx.vault.identity_path,
                    fsmode::FILE_MODE,
                );
            }
            if backend == Backend::Keyring {
                report.add(Level::Ok, key_cache_line(ctx));
            }
            report.add(
                Level::Ok,
                format!("{n} {}", if n == 1 { "entry" } else { "entries" }),
            );
        }
        Err(e) => {
            let hint = e.hint().map(|h| format!(" ({h})")).unwrap_or_default();
            report.add(Level::Fail, format!("{e}{hint}"));
        }
    }
    match ctx.vault.recipients.len() {
        0 => report.add(
            Level::Ok,
            "no backup recipients; keep a recovery kit (`otp key export`)",
        ),
        n => report.add(
            Level::Ok,
            format!(
                "also encrypted to {n} backup {}",
                if n == 1 { "recipient" } else { "recipients" }
            ),
        ),
    }
}

/// Whether `otp code` can skip the keyring service: the kernel key cache and its lifetime.
fn key_cache_line(ctx: &Context) -> String {
    match cache::status() {
        cache::Status::Active(s) => {
            let now = if cache::holds(&ctx.vault.keyring_user()) {
                "holds this vault's key now"
            } else {
                "holds nothing for this vault now"
            };
            format!(
                "key cache: on, {s} s in the kernel session keyring; {now} (`otp lock` forgets it)"
            )
        }
        cache::Status::Off => {
            "key cache: off (key_cache_seconds = 0): every command asks the OS keyring".into()
        }
        cache::Status::Unavailable(why) => {
            format!("key cache: unavailable ({why}): every command asks the OS keyring")
        }
    }
}

/// Presence is enough: `-c` needs a display, or an SSH session for OSC 52.
fn check_clipboard(report: &mut Report) {
    let set = |name: &str| std::env::var_os(name).is_some_and(|v| !v.is_empty());
    if cfg!(any(target_os = "macos", target_os = "windows")) {
        report.add(Level::Ok, "clipboard: the system clipboard");
    } else if set("WAYLAND_DISPLAY") {
        report.add(Level::Ok, "clipboard: Wayland display");
    } else if set("DISPLAY") {
        report.add(Level::Ok, "clipboard: X11 display");
    } else if set("SSH_CONNECTION") || set("SSH_TTY") {
        report.add(
            Level::Ok,
            "clipboard: none here, but -c uses OSC 52 to reach your terminal over SSH",
        );
    } else {
        report.add(
            Level::Warn,
            "clipboard: no display (DISPLAY, WAYLAND_DISPLAY) and no SSH session: -c cannot copy",
        );
    }
}

fn check_clock(server: &str, report: &mut Report) {
    match sntp::query(server, NTP_TIMEOUT) {
        Ok(sample) => {
            let offset = sample.offset;
            let direction = if offset >= 0.0 { "behind" } else { "ahead of" };
            let text = format!(
                "clock: {:.1} s {direction} {server} (round trip {:.0} ms)",
                offset.abs(),
                sample.delay * 1000.0
            );
            if offset.abs() > MAX_OFFSET_SECONDS {
                report.add(
                    Level::Fail,
                    format!(
                        "{text}: services will reject codes; fix the clock, e.g. \
                         `sudo timedatectl set-ntp true`"
                    ),
                );
            } else {
                report.add(Level::Ok, text);
            }
        }
        Err(e) => report.add(Level::Warn, format!("clock: not checked: {e}")),
    }
}
