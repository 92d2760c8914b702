/*!
`otp import FILE`: bring entries in from a backup (`otp export`) or another app's export.

The file's format is detected (or named with `--format`) and read by its importer in
`crate::import`; then the duplicate rules of `otp add` apply to every entry before anything
is written: an identical entry is skipped, a different key for an existing account is an
error unless `--replace`, and one error means nothing is imported. `--dry-run` shows what
would happen and writes nothing.
*/

use super::Context;
use crate::error::{Error, Result, Usage};
use crate::import::{self, FORMATS, Imported, Passwords};
use crate::vault::{self, Added, Document, Vault};
use clap::builder::PossibleValuesParser;
use std::io::Read;
use std::path::PathBuf;
use zeroize::Zeroizing;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The file to import, or - for stdin
    pub file: PathBuf,
    /// The file's format [default: detected]
    #[arg(
        long,
        default_value = "auto",
        value_parser = format_names(),
        ignore_case = true,
        value_name = "FORMAT"
    )]
    pub format: String,
    /// Show what would be added, skipped or in conflict; write nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Replace the key of accounts that already exist with another key (key renewal)
    #[arg(long)]
    pub replace: bool,
    /// Read the password of an encrypted export from the first line of FILE
    #[arg(long, value_name = "FILE")]
    pub password_file: Option<PathBuf>,
    /// Read the password of an encrypted export from the first line of stdin
    #[arg(long, conflicts_with = "password_file")]
    pub password_stdin: bool,
}

/// The first line of stdin, for `--password-stdin`.
fn password_from_stdin() -> Result<::age::secrecy::SecretString> {
    let mut line = Zeroizing::new(String::new());
    std::io::stdin()
        .read_line(&mut line)
        .map_err(|e| Error::io("cannot read the password from stdin", e))?;
    let password = line.trim_end_matches(['\n', '\r']);
    if password.is_empty() {
        return Err(Usage::NoPasswordOnStdin.into());
    }
    Ok(::age::secrecy::SecretString::from(password.to_string()))
}

fn format_names() -> PossibleValuesParser {
    let names: Vec<&'static str> = std::iter::once("auto")
        .chain(FORMATS.iter().map(|f| f.name()))
        .collect();
    PossibleValuesParser::new(names)
}

/// What importing one entry does (or would do).
enum Outcome {
    Added(Added),
    Conflict(String),
}

pub(crate) fn run(ctx: &Context, args: Args) -> Result<()> {
    if args.password_stdin && args.file.as_os_str() == "-" {
        return Err(Usage::Together {
            first: "`-` (the file on stdin)",
            second: "--password-stdin",
            hint: "stdin holds one of them only: give the password with --password-file",
        }
        .into());
    }
    let shown = args.file.display().to_string();
    let bytes = read(&args)?;
    let rejected = |e: import::Error| -> Error {
        match e {
            import::Error::Locked(cause) => Error::ImportPassword {
                file: args.file.clone(),
                cause,
            },
            source => Error::Import {
                file: shown.clone(),
                source,
            },
        }
    };
    let format = import::format_for(&args.format, &bytes).map_err(rejected)?;
    let mut passwords = if args.password_stdin {
        Passwords::given(password_from_stdin()?)
    } else {
        Passwords::new(args.password_file.clone())
    };
    let (items, skipped) = format.parse_all(&bytes, &mut passwords).map_err(rejected)?;
    drop(bytes);
    // Entries otp cannot represent are listed, never dropped silently.
    let skipped_lines: String = skipped
        .iter()
        .map(|s| crate::output::sanitize(&format!("skipped   {} ({})", s.label, s.reason)) + "\n")
        .collect();
    if items.is_empty() {
        ctx.print(&skipped_lines)?;
        ctx.notice(&format!(
            "{shown} holds no entries otp can import; nothing imported"
        ));
        return Ok(());
    }
    if args.dry_run {
        ctx.print(&skipped_lines)?;
        return dry_run(ctx, &args, items);
    }

    let (mut vault, fallback) = Vault::open_or_create(&ctx.vault)?;
    if let Some(f) = &fallback {
        ctx.say_fallback(f);
    }
    let outcomes = apply(&mut vault.doc, items, args.replace, ctx.now);
    let conflicts = conflicts(&outcomes);
    if !conflicts.is_empty() {
        return Err(conflict_error(&conflicts, &shown, false));
    }
    vault.save()?;
    ctx.print(&(skipped_lines + &report(&vault.doc, &outcomes, false)))?;
    let new = count(&outcomes, |a| matches!(a, Added::New(_)));
    let not_importable = match skipped.len() {
        0 => String::new(),
        n => format!("; {n} not importable (listed as skipped)"),
    };
    ctx.notice(&format!(
        "Imported {new} new {} from {shown} ({format} format){not_importable}",
        if new == 1 { "entry" } else { "entries" },
        format = format.name()
    ));
    Ok(())
}

fn read(args: &Args) -> Result<Zeroizing<Vec<u8>>> {
    let mut bytes = Zeroizing::new(Vec::new());
    if args.file.as_os_str() == "-" {
        std::io::stdin()
            .read_to_end(&mut bytes)
            .map_err(|e| Error::io("cannot read stdin", e))?;
        return Ok(bytes);
    }
    let mut file = std::fs::File::open(&args.file)
        .map_err(|e| Error::io(format!("cannot read {}", args.file.display()), e))?;
    file.read_to_end(&mut bytes)
        .map_err(|e| Error::io(format!("cannot read {}", args.file.display()), e))?;
    Ok(bytes)
}

/// Applies the duplicate rules of `add` to every item, in order (an item may collide with
/// an earlier one of the same file). The caller writes only when there is no conflict.
fn apply(doc: &mut Document, items: Vec<Imported>, replace: bool, now: i64) -> Vec<Outcome> {
    items
        .into_iter()
        .map(|item| {
            let label = item.entry.label();
            match doc.add(item.entry, replace, now) {
                Ok(added) => {
                    // A new or renewed entry takes the file's note and recovery codes where
                    // it has none of its own; an identical one is left alone.
                    let fill = !matches!(added, Added::Identical(_));
                    if let Some(entry) = doc.get_mut(added.id()).filter(|_| fill) {
                        if entry.note.is_none() {
                            entry.note = item.note;
                        }
                        if entry.recovery.is_empty() {
                            entry.recovery = item.recovery;
                        }
                    }
                    Outcome::Added(added)
                }
                Err(_) => Outcome::Conflict(label),
            }
        })
        .collect()
}

fn conflicts(outcomes: &[Outcome]) -> Vec<&str> {
    outcomes
        .iter()
        .filter_map(|o| match o {
            Outcome::Conflict(label) => Some(label.as_str()),
            Outcome::Added(_) => None,
        })
        .collect()
}

fn count(outcomes: &[Outcome], pred: impl Fn(&Added) -> bool) -> usize {
    outcomes
        .iter()
        .filter(|o| matches!(o, Outcome::Added(a) if pred(a)))
        .count()
}

fn conflict_error(conflicts: &[&str], file: &str, dry_run: bool) -> Error {
    Error::ImportConflict {
        file: file.to_string(),
        conflicts: conflicts.iter().map(|c| c.to_string()).collect(),
        dry_run,
    }
}

/// One line per entry: what happened (or would happen) to it.
fn report(doc: &Document, outcomes: &[Outcome], dry_run: bool) -> String {
    let mut text = String::new();
    for outcome in outcomes {
        let line = match outcome {
            Outcome::Conflict(label) => {
                format!("conflict  {label} (already in the vault with a different secret)")
            }
            Outcome::Added(added) => {
                let label = doc.get(added.id()).map(|e| e.label()).unwrap_or_default();
                let id = added.id();
                match (added, dry_run) {
                    (Added::New(_), false) => format!("added     {label} [{id}]"),
                    (Added::New(_), true) => format!("add       {label}"),
                    (Added::Identical(_), _) => {
                        format!("skipped   {label} [{id}] (already in the vault with this key)")
                    }
                    (Added::Replaced(_), false) => {
                        format!("replaced  {label} [{id}] (key renewed)")
                    }
                    (Added::Replaced(_), true) => format!("replace   {label} [{id}] (key renewal)"),
                }
            }
        };
        text.push_str(&crate::output::sanitize(&line));
        text.push('\n');
    }
    text
}

fn dry_run(ctx: &Context, args: &Args, items: Vec<Imported>) -> Result<()> {
    // Read-only: no lock, no vault created. A missing vault is an empty one.
    let mut doc = match Vault::open(&ctx.vault) {
        Ok(vault) => vault.doc,
        Err(vault::Error::Missing(_)) => Document::new(),
        Err(e) => return Err(e.into()),
    };
    let outcomes = apply(&mut doc, items, args.replace, ctx.now);
    ctx.print(&report(&doc, &outcomes, true))?;
    let conflicts = conflicts(&outcomes);
    let shown = args.file.display().to_string();
    if !conflicts.is_empty() {
        return Err(conflict_error(&conflicts, &shown, true));
    }
    let new = count(&outcomes, |a| matches!(a, Added::New(_)));
    let same = count(&outcomes, |a| matches!(a, Added::Identical(_)));
    let renewed = count(&outcomes, |a| matches!(a, Added::Replaced(_)));
    ctx.notice(&format!(
        "Dry run: {new} to add, {same} identical to skip, {renewed} to replace; nothing was written"
    ));
    Ok(())
}
