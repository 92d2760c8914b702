//! The generated documentation stays in step with the CLI: the shell
//! completions in `completions/` and the man pages in `man/` are what
//! `otp::cli::completions::generated_files()` produces from the clap definitions today, and
//! `otp completions SHELL` prints the same scripts.
//!
//! When they drift, regenerate them with:
//!
//! ```text
//! OTP_REGENERATE_DOCS=1 cargo test --test it docs::
//! ```
//!
//! which (re)writes every generated file and removes files in `completions/` and `man/` that
//! are no longer generated.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

const REGENERATE: &str = "OTP_REGENERATE_DOCS=1 cargo test --test it docs::";
const GENERATED_DIRS: [&str; 2] = ["completions", "man"];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Files currently under the generated directories, as repo-relative paths.
fn committed_files(root: &Path) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    for dir in GENERATED_DIRS {
        let Ok(read) = std::fs::read_dir(root.join(dir)) else {
            continue;
        };
        for entry in read {
            let entry = entry.expect("read generated dir");
            if entry.file_type().expect("file type").is_file() {
                found.insert(format!("{dir}/{}", entry.file_name().to_string_lossy()));
            }
        }
    }
    found
}

fn regenerate(root: &Path, files: &[(String, Vec<u8>)]) {
    let wanted: BTreeSet<&str> = files.iter().map(|(p, _)| p.as_str()).collect();
    for stale in committed_files(root) {
        if !wanted.contains(stale.as_str()) {
            std::fs::remove_file(root.join(&stale)).expect("remove stale file");
            eprintln!("removed {stale}");
        }
    }
    for (path, bytes) in files {
        let target = root.join(path);
        std::fs::create_dir_all(target.parent().expect("parent")).expect("create dir");
        if std::fs::read(&target).ok().as_deref() != Some(bytes.as_slice()) {
            std::fs::write(&target, bytes).expect("write generated file");
            eprintln!("wrote {path}");
        }
    }
}

#[test]
fn completions_and_man_pages_are_current() {
    let root = root();
    let files = otp::cli::completions::generated_files();
    for dir in GENERATED_DIRS {
        assert!(
            files.iter().any(|(p, _)| p.starts_with(&format!("{dir}/"))),
            "generated_files() produces nothing for {dir}/"
        );
    }
    if std::env::var("OTP_REGENERATE_DOCS").as_deref() == Ok("1") {
        regenerate(&root, &files);
    }

    let mut problems = Vec::new();
    for (path, bytes) in &files {
        match std::fs::read(root.join(path)) {
            Err(_) => problems.push(format!("{path} is missing")),
            Ok(committed) if committed != *bytes => {
                problems.push(format!("{path} differs from what the CLI generates"))
            }
            Ok(_) => {}
        }
    }
    let wanted: BTreeSet<&str> = files.iter().map(|(p, _)| p.as_str()).collect();
    for path in committed_files(&root) {
        if !wanted.contains(path.as_str()) {
            problems.push(format!("{path} is no longer generated"));
        }
    }
    assert!(
        problems.is_empty(),
        "the generated docs are out of date:\n  {}\nregenerate them with: {REGENERATE}",
        problems.join("\n  ")
    );
}

#[test]
fn every_shell_and_subcommand_is_covered() {
    let paths: BTreeSet<String> = otp::cli::completions::generated_files()
        .into_iter()
        .map(|(p, _)| p)
        .collect();
    for script in [
        "completions/otp.bash",
        "completions/_otp",
        "completions/otp.fish",
        "completions/otp.elv",
        "completions/_otp.ps1",
        "man/otp.1",
    ] {
        assert!(paths.contains(script), "{script} is not generated");
    }
    use clap::CommandFactory;
    // Hidden internals (the clipboard owner) get no page.
    for sub in otp::cli::Cli::command()
        .get_subcommands()
        .filter(|s| !s.is_hide_set())
    {
        let page = format!("man/otp-{}.1", sub.get_name());
        assert!(paths.contains(&page), "no man page {page}");
    }
}

#[test]
fn otp_completions_prints_the_generated_scripts() {
    let files = otp::cli::completions::generated_files();
    for (shell, path) in [
        ("bash", "completions/otp.bash"),
        ("zsh", "completions/_otp"),
        ("fish", "completions/otp.fish"),
        ("elvish", "completions/otp.elv"),
        ("powershell", "completions/_otp.ps1"),
    ] {
        let out = assert_cmd::Command::cargo_bin("otp")
            .expect("otp binary")
            .args(["completions", shell])
            .output()
            .expect("run otp completions");
        assert!(out.status.success(), "otp completions {shell} failed");
        let expected = files
            .iter()
            .find(|(p, _)| p == path)
            .map(|(_, b)| b.as_slice());
        assert_eq!(
            Some(out.stdout.as_slice()),
            expected,
            "`otp completions {shell}` differs from {path}"
        );
    }
}
