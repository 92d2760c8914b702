/*!
`otp`: a command-line TOTP/HOTP authenticator with an age-encrypted vault.

Data flows one way: input (URIs, QR images, manual entry) becomes [`entry::NewEntry`] values,
the [`vault`] stores them as [`entry::Entry`] values, and [`output`] shows them. The binary
(`src/main.rs`) only parses arguments, calls [`cli::run`] and maps errors to exit codes.
*/
#![forbid(unsafe_code)]

pub mod cli;
pub mod clipboard;
pub mod config;
pub mod entry;
pub mod error;
pub mod export;
pub mod fsmode;
#[doc(hidden)]
pub mod fuzzing;
pub mod handout;
pub mod harden;
pub mod import;
pub mod keys;
pub mod migration;
pub mod output;
pub mod qr;
pub mod query;
pub mod sntp;
pub mod sync;
pub mod uri;
pub mod vault;
