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
mod init;
mod list;
mod note;
mod rename;
mod rm;
mod uri;

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
    /// Print a shell completion script
    Completions(completions::Args),
}

/// Runs the parsed command line.
pub fn run(cli: Cli) -> Result<()> {
    if let Command::Completions(args) = &cli.command {
        return completions::run(args);
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
        Command::Completions(_) => Ok(()),
    }
}
