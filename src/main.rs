//! The `otp` binary: parse the command line, run it, map the outcome to an exit code.
//! Everything else lives in the library.

use clap::Parser;
use otp::error::Exit;
use std::io::Write;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = match otp::cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { Exit::Usage as u8 } else { 0 });
        }
    };
    match otp::cli::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let exit = e.exit();
            if exit != Exit::Success {
                let mut err = std::io::stderr().lock();
                let _ = writeln!(err, "otp: {e}");
                if let Some(hint) = e.hint() {
                    let _ = writeln!(err, "hint: {hint}");
                }
            }
            ExitCode::from(exit as u8)
        }
    }
}
