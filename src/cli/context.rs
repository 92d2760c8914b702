//! The settled context every command runs in: paths, key backend, colour, terminals, time.

use super::{Cli, ColorChoice};
use crate::config::Config;
use crate::error::{Error, Result, Usage};
use crate::keys::Backend;
use crate::output::Style;
use crate::vault;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;

pub(crate) struct Context {
    pub vault: vault::Settings,
    /// The config file named by `--config` or `OTP_CONFIG` (none: the default one).
    pub config_path: Option<PathBuf>,
    pub style: Style,
    pub stdout_is_terminal: bool,
    pub stdin_is_terminal: bool,
    pub stderr_is_terminal: bool,
    /// Wall-clock unix seconds at start.
    pub now: i64,
    /// Seconds a copied code stays on the clipboard (config `clipboard_clear_seconds`;
    /// `--clear-after` overrides it per command). 0 means never clear.
    pub clipboard_clear_seconds: u64,
    /// Seconds a key from the OS keyring stays cached (config `key_cache_seconds`; 0: off).
    pub key_cache_seconds: u64,
}

/// docs/CONTRACT.md: a copied code is cleared after 20 s unless configured otherwise.
pub(crate) const DEFAULT_CLIPBOARD_CLEAR_SECONDS: u64 = 20;

fn dirs() -> Option<directories::ProjectDirs> {
    directories::ProjectDirs::from("", "", "otp")
}

impl Context {
    pub(crate) fn resolve(cli: &Cli) -> Result<Context> {
        let dirs = dirs();
        let (config_path, required) = match &cli.options.config {
            Some(p) => (p.clone(), true),
            None => (
                dirs.as_ref()
                    .map(|d| d.config_dir().join("config.toml"))
                    .unwrap_or_else(|| PathBuf::from("config.toml")),
                false,
            ),
        };
        let config = Config::load(&config_path, required)?;
        let no_home = || Error::from(Usage::NoHome);

        let vault_path = match (&cli.options.vault, &config.vault) {
            (Some(p), _) | (None, Some(p)) => p.clone(),
            (None, None) => dirs
                .as_ref()
                .ok_or_else(no_home)?
                .data_dir()
                .join("vault.age"),
        };
        let identity_path = match (&cli.options.identity, &config.identity) {
            (Some(p), _) | (None, Some(p)) => p.clone(),
            (None, None) => dirs
                .as_ref()
                .ok_or_else(no_home)?
                .config_dir()
                .join("identity.txt"),
        };
        // An explicit identity file selects its backend (docs/CONTRACT.md, "Paths and
        // settings").
        let backend = cli
            .options
            .backend
            .or(cli.options.identity.as_ref().map(|_| Backend::IdentityFile))
            .or(config.backend);

        let stdout_is_terminal = std::io::stdout().is_terminal();
        let color = match cli.options.color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                stdout_is_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
            }
        };
        Ok(Context {
            vault: vault::Settings {
                path: vault_path,
                backend,
                identity_path,
                recipients: config.recipients(),
            },
            config_path: cli.options.config.clone(),
            style: Style { color },
            stdout_is_terminal,
            stdin_is_terminal: std::io::stdin().is_terminal(),
            stderr_is_terminal: std::io::stderr().is_terminal(),
            now: jiff::Timestamp::now().as_second(),
            clipboard_clear_seconds: config
                .clipboard_clear_seconds
                .unwrap_or(DEFAULT_CLIPBOARD_CLEAR_SECONDS),
            key_cache_seconds: config
                .key_cache_seconds
                .unwrap_or(crate::keys::cache::DEFAULT_SECONDS),
        })
    }

    /// Writes to stdout; a closed pipe ends the program quietly.
    pub(crate) fn print(&self, text: &str) -> Result<()> {
        let mut out = std::io::stdout().lock();
        out.write_all(text.as_bytes())
            .and_then(|()| out.flush())
            .map_err(|e| Error::io("cannot write output", e))
    }

    /// Asks a yes/no question on the terminal (stderr), reading the answer from stdin.
    pub(crate) fn confirm(&self, question: &str) -> Result<bool> {
        let mut err = std::io::stderr();
        let _ = write!(err, "{question}");
        let _ = err.flush();
        let mut answer = String::new();
        std::io::stdin()
            .read_line(&mut answer)
            .map_err(|e| Error::io("cannot read the answer", e))?;
        Ok(matches!(answer.trim(), "y" | "Y" | "yes" | "YES" | "Yes"))
    }

    /// A line for the person at the terminal (notices, progress) on stderr.
    pub(crate) fn notice(&self, text: &str) {
        let _ = writeln!(std::io::stderr(), "{text}");
    }

    /// When no keyring answered as a vault was created, say so in one clear line.
    pub(crate) fn say_fallback(&self, f: &vault::Fallback) {
        self.notice(&format!(
            "otp: no OS keyring service answered; keeping the vault key in {} (identity-file \
             backend)",
            f.identity_path.display()
        ));
    }
}
