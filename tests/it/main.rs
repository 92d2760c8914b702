//! The end-to-end tests, one module per concern, in one test binary: every test binary links
//! the whole crate, so one binary is built and linked once. `cargo test --test it MODULE::`
//! runs one module (`cargo test --test it cli::`); `common` is the shared test world.

mod common;

mod add_image;
mod backup;
mod bad_input;
mod cli;
mod clipboard;
mod completion;
mod crash;
mod device;
mod docs;
mod doctor;
mod export_apps;
mod faults;
mod fuzz_corpus;
mod identity_faults;
mod import_aegis_2fas;
mod import_andotp_freeotp_bitwarden;
mod import_ente_google;
mod import_fuzz;
mod key;
mod keyring;
mod merge;
mod oathtool;
mod pick;
mod plaintext;
mod qr;
mod qr_command;
mod recovery;
mod run;
mod storage;
mod sync;
mod terminal;
mod transcripts;
mod typing;
mod validation;
mod vault_armor;
mod watch;
