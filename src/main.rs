//! The `otp` binary: parse the command line, run it, map the outcome to an exit code.
//! Everything else lives in the library.

use otp::error::Exit;
use std::io::Write;
use std::process::ExitCode;

// musl's allocator maps every large block afresh and unmaps it when freed, so each buffer of
// `otp code` (age's 64 KiB chunks among them) costs new pages and two system calls;
// dlmalloc keeps freed memory for the next allocation (docs/PERFORMANCE.md).
#[cfg(all(target_os = "linux", target_env = "musl"))]
#[global_allocator]
static ALLOCATOR: dlmalloc::GlobalDlmalloc = dlmalloc::GlobalDlmalloc;

fn main() -> ExitCode {
    // Before anything can hold a key or a secret: no core dumps, no same-user tracing.
    otp::harden::harden_process();
    let cli = match otp::cli::parse() {
        Ok(cli) => cli,
        // --help and --version print as clap renders them.
        Err(e) if !e.use_stderr() => {
            let _ = e.print();
            return ExitCode::SUCCESS;
        }
        // Usage errors: one `otp: …` line, as every other error, and exit 2.
        Err(e) => {
            let rendered = e.render().to_string();
            // clap's first paragraph, on one line ("…not provided:\n  <QUERY>").
            let paragraph: Vec<&str> = rendered
                .lines()
                .take_while(|l| !l.trim().is_empty())
                .map(str::trim)
                .collect();
            let joined = paragraph.join(" ");
            let message = joined.strip_prefix("error: ").unwrap_or(&joined);
            let _ = writeln!(std::io::stderr(), "otp: {message}\nhint: see `otp --help`");
            return ExitCode::from(Exit::Usage as u8);
        }
    };
    match otp::cli::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            if e.is_reported() {
                let mut err = std::io::stderr().lock();
                let _ = writeln!(err, "otp: {e}");
                if let Some(hint) = e.hint() {
                    let _ = writeln!(err, "hint: {hint}");
                }
            }
            ExitCode::from(e.exit_code())
        }
    }
}
