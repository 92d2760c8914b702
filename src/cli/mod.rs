/*!
The command line: clap definitions, the resolved [`Context`], and one file per command.

Arguments are parsed by clap into [`Cli`], then settled once into a [`Context`] (vault path,
key backend, colour, terminal detection, the time). Commands receive the context and never
look at flags, the environment or the config themselves.
*/

mod add;
mod code;
pub mod completions;
mod context;
mod doctor;
mod export;
mod import;
mod init;
mod key;
mod list;
mod note;
mod qr;
mod recovery;
mod rename;
mod rm;
mod serve_clipboard;
mod uri;
mod watch;

pub use context::Context;

use crate::error::Result;
use crate::keys::Backend;
use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "otp",
    version,
    about = "TOTP/HOTP authenticator with an age-encrypted vault",
    long_about = "TOTP/HOTP authenticator with an age-encrypted vault.\n\n\
        Add an account from the otpauth URI a service shows (or its QR code), then ask for \
        codes by any part of its name:\n\n    \
        otp add 'otpauth://totp/GitHub:alice?secret=…'\n    otp code github",
    after_help = "Exit codes: 0 success, 1 error, 2 usage error, 3 no entry matches, \
        4 query is ambiguous, 5 the vault cannot be unlocked."
)]
pub struct Cli {
    /// Vault file [default: ~/.local/share/otp/vault.age]
    #[arg(long, global = true, env = "OTP_VAULT", value_name = "PATH")]
    pub vault: Option<PathBuf>,

    /// Config file [default: ~/.config/otp/config.toml]
    #[arg(long, global = true, env = "OTP_CONFIG", value_name = "PATH")]
    pub config: Option<PathBuf>,

    /// Where the vault key lives [default: keyring]
    #[arg(long, global = true, env = "OTP_BACKEND", value_enum)]
    pub backend: Option<Backend>,

    /// age identity file; selects the identity-file backend
    /// [default: ~/.config/otp/identity.txt]
    #[arg(long, global = true, env = "OTP_IDENTITY_FILE", value_name = "PATH")]
    pub identity: Option<PathBuf>,

    /// When to use colours (NO_COLOR is honoured)
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create an empty vault and its key
    Init(init::Args),
    /// Add accounts from otpauth URIs, stdin, or by hand
    Add(add::Args),
    /// Print the current code of an entry
    Code(code::Args),
    /// List entries
    #[command(visible_alias = "ls")]
    List(list::Args),
    /// Remove an entry
    Rm(rm::Args),
    /// Change an entry's issuer or account name
    Rename(rename::Args),
    /// Set (or, with empty TEXT, clear) an entry's note
    Note(note::Args),
    /// Print an entry's otpauth URI (it contains the secret)
    Uri(uri::Args),
    /// Live view of codes with countdowns
    Watch(watch::Args),
    /// Show an entry as a QR code, to enrol a second device
    Qr(qr::Args),
    /// Keep and use an account's recovery (backup) codes
    Recovery(recovery::Args),
    /// Back up the vault (passphrase-encrypted by default)
    Export(export::Args),
    /// Bring entries in from a backup or another app's export
    Import(import::Args),
    /// Recovery kit and key management
    Key(key::Args),
    /// Check the vault, its key, permissions, clipboard and clock
    Doctor(doctor::Args),
    /// Internal: the detached process that serves a copied code (`code -c`)
    #[command(name = "__serve-clipboard", hide = true)]
    ServeClipboard(serve_clipboard::Args),
    /// Print a shell completion script
    Completions(completions::Args),
}

/// Runs the parsed command line.
pub fn run(cli: Cli) -> Result<()> {
    match &cli.command {
        Command::Completions(args) => return completions::run(args),
        Command::ServeClipboard(args) => return serve_clipboard::run(args),
        _ => {}
    }
    let ctx = Context::resolve(&cli)?;
    match cli.command {
        Command::Init(args) => init::run(&ctx, args),
        Command::Add(args) => add::run(&ctx, args),
        Command::Code(args) => code::run(&ctx, args),
        Command::List(args) => list::run(&ctx, args),
        Command::Rm(args) => rm::run(&ctx, args),
        Command::Rename(args) => rename::run(&ctx, args),
        Command::Note(args) => note::run(&ctx, args),
        Command::Uri(args) => uri::run(&ctx, args),
        Command::Watch(args) => watch::run(&ctx, args),
        Command::Qr(args) => qr::run(&ctx, args),
        Command::Recovery(args) => recovery::run(&ctx, args),
        Command::Export(args) => export::run(&ctx, args),
        Command::Import(args) => import::run(&ctx, args),
        Command::Key(args) => key::run(&ctx, args),
        Command::Doctor(args) => doctor::run(&ctx, args),
        Command::Completions(_) | Command::ServeClipboard(_) => Ok(()),
    }
}
