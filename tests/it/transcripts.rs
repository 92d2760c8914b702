//! Transcripts: every user-visible error and the main outputs of `otp`, pinned byte for byte.
//!
//! One scenario per file under `tests/cmd/`: a `.toml` naming the arguments, the stdin, the
//! environment and the exit code, with the expected `.stdout` and `.stderr` beside it. Each
//! runs in a fresh copy of a committed vault and its identity file (`tests/cmd/world.in/`,
//! `damaged.in/` for a damaged vault beside its backup), with a cleared environment, so the
//! keyring and the user's own vault are never touched. Regenerate the expected output after a
//! deliberate change with `TRYCMD=overwrite cargo test --test it transcripts`, and read the diff.

#[test]
fn transcripts() {
    trycmd::TestCases::new().case("tests/cmd/*.toml");
}
