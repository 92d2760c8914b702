//! `otp completions SHELL`, and the generated files kept in `completions/` and `man/`.

use crate::error::{Error, Result};
use clap_complete::Shell;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// bash, zsh, fish, elvish or powershell
    pub shell: Shell,
}

pub fn run(args: &Args) -> Result<()> {
    let mut out = Vec::new();
    clap_complete::generate(args.shell, &mut super::full_command(), "otp", &mut out);
    use std::io::Write;
    std::io::stdout()
        .write_all(&out)
        .map_err(|e| Error::io("cannot write output", e))
}

/// Every generated file, by its path in the repository: completion scripts for each shell
/// and a man page for `otp` and each subcommand. A test keeps the committed copies current.
pub fn generated_files() -> Vec<(String, Vec<u8>)> {
    let mut files = Vec::new();
    for shell in [
        Shell::Bash,
        Shell::Zsh,
        Shell::Fish,
        Shell::Elvish,
        Shell::PowerShell,
    ] {
        let mut out = Vec::new();
        clap_complete::generate(shell, &mut super::full_command(), "otp", &mut out);
        let name = match shell {
            Shell::Bash => "otp.bash".to_string(),
            Shell::Zsh => "_otp".to_string(),
            Shell::Fish => "otp.fish".to_string(),
            Shell::Elvish => "otp.elv".to_string(),
            _ => "_otp.ps1".to_string(),
        };
        files.push((format!("completions/{name}"), out));
    }
    let mut cmd = super::full_command();
    cmd.build();
    files.push(("man/otp.1".to_string(), man_page(&cmd)));
    for sub in cmd
        .get_subcommands()
        .filter(|s| s.get_name() != "help" && !s.is_hide_set())
    {
        let name = format!("otp-{}", sub.get_name());
        let sub = sub.clone().name(name.clone());
        files.push((format!("man/{name}.1"), man_page(&sub)));
    }
    files
}

fn man_page(cmd: &clap::Command) -> Vec<u8> {
    let mut out = Vec::new();
    // Rendering into a Vec cannot fail.
    let _ = clap_mangen::Man::new(cmd.clone()).render(&mut out);
    out
}
