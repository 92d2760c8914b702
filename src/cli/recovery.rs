/*!
`otp recovery QUERY add|list|use|clear`: an account's recovery (backup) codes, kept in the vault
beside its key.

Services hand out a sheet of one-time codes at enrolment for the day the authenticator is gone.
`add` stores them (from arguments or, better, stdin: arguments show up in `ps` and the shell
history), `list` shows which are left, `use` hands out the next unused one and marks it used, and
`clear` drops them all when the service issues a new sheet.

Codes are secrets: they go to stdout only, never into an error message or a notice. Two codes
are the same when they differ only in case, spaces or dashes (`abcd-efgh` and `ABCD EFGH`), as
people retype them.
*/

use super::Context;
use crate::entry::{Entry, RecoveryCode};
use crate::error::{Error, Recovery, Result, Usage};
use crate::query;
use crate::vault::Vault;
use std::io::BufRead;
use zeroize::Zeroizing;

/// Longest recovery code accepted, in characters (real ones are 8 to 40).
const MAX_CODE_CHARS: usize = 256;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Entry whose codes to manage (id, issuer:account, issuer, account or part of the name)
    pub query: String,
    #[command(subcommand)]
    pub action: Action,
}

#[derive(Debug, clap::Subcommand)]
pub enum Action {
    /// Store recovery codes (already stored ones are skipped)
    Add {
        /// The codes; `-` or none reads them from stdin, one per line (preferred: arguments
        /// are visible to other users in `ps` and stay in the shell history)
        #[arg(value_name = "CODE")]
        codes: Vec<String>,
    },
    /// Show the codes; used ones are struck through (terminal) or marked `used DATE`
    List {
        /// Print JSON: the codes with when each was used (RFC 3339, or null)
        #[arg(long)]
        json: bool,
    },
    /// Print the first unused code (or CODE) and mark it used
    Use {
        /// A particular code to mark used (case, spaces and dashes do not matter)
        #[arg(value_name = "CODE")]
        code: Option<String>,
    },
    /// Remove all of the entry's recovery codes
    Clear {
        /// Do not ask for confirmation (needed when stdin is not a terminal)
        #[arg(short, long)]
        yes: bool,
    },
}

pub(crate) fn run(ctx: &Context, args: Args) -> Result<()> {
    match args.action {
        Action::Add { codes } => add(ctx, &args.query, codes),
        Action::List { json } => list(ctx, &args.query, json),
        Action::Use { code } => use_code(ctx, &args.query, code.map(Zeroizing::new)),
        Action::Clear { yes } => clear(ctx, &args.query, yes),
    }
}

// ---------------------------------------------------------------------------------------
// add

fn add(ctx: &Context, query: &str, args: Vec<String>) -> Result<()> {
    let args: Vec<Zeroizing<String>> = args.into_iter().map(Zeroizing::new).collect();
    let codes = match args.as_slice() {
        [] => read_stdin(ctx)?,
        [dash] if dash.as_str() == "-" => read_stdin(ctx)?,
        many if many.iter().any(|c| c.as_str() == "-") => {
            return Err(Usage::Together {
                first: "recovery codes as arguments",
                second: "`-` for stdin",
                hint: "give the codes as arguments, or `-` and the codes on stdin",
            }
            .into());
        }
        many => checked(
            many.iter()
                .enumerate()
                .map(|(n, c)| (format!("recovery code {}", n + 1), c.as_str())),
        )?,
    };
    if codes.is_empty() {
        return Err(Usage::NoRecoveryCodes.into());
    }

    let mut vault = Vault::open_for_update(&ctx.vault)?;
    let id = query::resolve(&vault.doc.entries, query)?.id.clone();
    let Some(entry) = vault.doc.get_mut(&id) else {
        return Err(query::Error::NoMatch(query.to_string()).into());
    };
    let label = entry.label();
    let (added, skipped) = store(&mut entry.recovery, codes);
    if added > 0 {
        entry.updated = ctx.now;
    }
    let unused = entry.unused_recovery_codes();
    vault.save()?;
    if skipped > 0 {
        ctx.notice(&format!(
            "otp: {skipped} of the codes {} already stored for {label}; skipped",
            if skipped == 1 { "was" } else { "were" }
        ));
    }
    if added == 0 {
        return ctx.print(&format!(
            "No new recovery codes for {label}; nothing changed.\n"
        ));
    }
    ctx.print(&format!(
        "Added {added} recovery {} to {label} ({unused} unused).\n",
        plural(added)
    ))
}

/// Reads codes from stdin, one per line; on a terminal, says how.
fn read_stdin(ctx: &Context) -> Result<Vec<Zeroizing<String>>> {
    if ctx.stdin_is_terminal {
        ctx.notice("Paste the recovery codes, one per line, then press Ctrl-D:");
    }
    let mut lines = Vec::new();
    for line in std::io::stdin().lock().lines() {
        lines.push(Zeroizing::new(
            line.map_err(|e| Error::io("cannot read stdin", e))?,
        ));
    }
    checked(
        lines
            .iter()
            .enumerate()
            .map(|(n, l)| (format!("stdin line {}", n + 1), l.as_str())),
    )
}

/// Trims the codes, drops blanks, and rejects what cannot be a code (naming where it came
/// from, never the text).
fn checked<'a>(codes: impl Iterator<Item = (String, &'a str)>) -> Result<Vec<Zeroizing<String>>> {
    let mut out = Vec::new();
    for (source, code) in codes {
        let code = code.trim();
        if code.is_empty() {
            continue;
        }
        if code.chars().any(char::is_control) {
            return Err(Error::input(
                source,
                "the recovery code contains control characters",
            ));
        }
        let chars = code.chars().count();
        if chars > MAX_CODE_CHARS {
            return Err(Error::input(
                source,
                format!(
                    "the recovery code is {chars} characters long; at most {MAX_CODE_CHARS} \
                     are allowed"
                ),
            ));
        }
        out.push(Zeroizing::new(code.to_string()));
    }
    Ok(out)
}

/// Appends the codes not already there; returns how many were added and skipped.
fn store(recovery: &mut Vec<RecoveryCode>, codes: Vec<Zeroizing<String>>) -> (usize, usize) {
    let (mut added, mut skipped) = (0, 0);
    for code in codes {
        if recovery.iter().any(|r| same_code(&r.code, &code)) {
            skipped += 1;
            continue;
        }
        recovery.push(RecoveryCode {
            code: code.to_string(),
            used: None,
        });
        added += 1;
    }
    (added, skipped)
}

/// Whether two spellings are the same code: case, spaces and dashes aside.
fn same_code(a: &str, b: &str) -> bool {
    let significant = |s: &str| -> Zeroizing<String> {
        Zeroizing::new(
            s.chars()
                .filter(|c| !c.is_whitespace() && *c != '-')
                .flat_map(char::to_lowercase)
                .collect(),
        )
    };
    significant(a) == significant(b)
}

// ---------------------------------------------------------------------------------------
// list

fn list(ctx: &Context, query: &str, json: bool) -> Result<()> {
    let vault = Vault::open(&ctx.vault)?;
    let entry = query::resolve(&vault.doc.entries, query)?;
    let text = Zeroizing::new(if json {
        list_json(&entry.recovery)
    } else if ctx.stdout_is_terminal {
        list_human(ctx, entry)
    } else {
        list_plain(&entry.recovery)
    });
    ctx.print(&text)
}

fn list_json(codes: &[RecoveryCode]) -> String {
    let list: Vec<serde_json::Value> = codes
        .iter()
        .map(|r| {
            serde_json::json!({
                "code": r.code,
                "used": r.used.map(timestamp),
            })
        })
        .collect();
    format!("{}\n", serde_json::Value::Array(list))
}

/// One code a line; used ones followed by a tab and `used <RFC 3339 time>`.
fn list_plain(codes: &[RecoveryCode]) -> String {
    let mut out = String::new();
    for r in codes {
        out.push_str(&r.code);
        if let Some(used) = r.used {
            out.push_str("\tused ");
            out.push_str(&timestamp(used));
        }
        out.push('\n');
    }
    out
}

fn list_human(ctx: &Context, entry: &Entry) -> String {
    let label = entry.label();
    if entry.recovery.is_empty() {
        return format!(
            "{label} has no recovery codes; store them with `otp recovery {} add -`.\n",
            entry.id
        );
    }
    let style = ctx.style;
    let mut out = format!(
        "{}  {} of {} unused\n",
        style.bold(&label),
        entry.unused_recovery_codes(),
        entry.recovery.len()
    );
    for r in &entry.recovery {
        match r.used {
            None => out.push_str(&format!("  {}\n", r.code)),
            Some(used) => {
                // Struck through where the terminal can show it; the words say it anyway.
                let code = if style.color {
                    format!("\x1b[9m{}\x1b[0m", r.code)
                } else {
                    r.code.clone()
                };
                out.push_str(&format!(
                    "  {code}  {}\n",
                    style.dim(&format!("used {}", date(used)))
                ));
            }
        }
    }
    out
}

// ---------------------------------------------------------------------------------------
// use

fn use_code(ctx: &Context, query: &str, named: Option<Zeroizing<String>>) -> Result<()> {
    let mut vault = Vault::open_for_update(&ctx.vault)?;
    let id = query::resolve(&vault.doc.entries, query)?.id.clone();
    let Some(entry) = vault.doc.get_mut(&id) else {
        return Err(query::Error::NoMatch(query.to_string()).into());
    };
    let label = entry.label();
    let index = pick(entry, named.as_deref().map(String::as_str))?;
    let code = &mut entry.recovery[index];
    code.used = Some(ctx.now);
    let printed = Zeroizing::new(format!("{}\n", code.code));
    entry.updated = ctx.now;
    let (left, total) = (entry.unused_recovery_codes(), entry.recovery.len());
    vault.save()?;

    ctx.print(&printed)?;
    if left == 0 {
        ctx.notice(&format!(
            "otp: warning: that was the last recovery code of {label}; none are left. Get a \
             new set from the service (usually under its security or two-factor settings) and \
             store it with `otp recovery {id} clear` and `otp recovery {id} add -`."
        ));
    } else if ctx.stderr_is_terminal {
        ctx.notice(&format!(
            "Marked used: {left} of {total} recovery codes of {label} left."
        ));
    }
    Ok(())
}

/// The code to use: the named one if it is unused, else the first unused one.
fn pick(entry: &Entry, named: Option<&str>) -> Result<usize> {
    let label = entry.label();
    if entry.recovery.is_empty() {
        return Err(Recovery::None {
            label,
            id: entry.id.clone(),
        }
        .into());
    }
    let Some(named) = named else {
        return entry
            .recovery
            .iter()
            .position(|r| r.used.is_none())
            .ok_or_else(|| Recovery::AllUsed { label }.into());
    };
    let index = entry
        .recovery
        .iter()
        .position(|r| same_code(&r.code, named))
        .ok_or_else(|| Recovery::NotOne {
            label: label.clone(),
            id: entry.id.clone(),
        })?;
    match entry.recovery[index].used {
        Some(used) => Err(Recovery::Used {
            label,
            date: date(used),
        }
        .into()),
        None => Ok(index),
    }
}

// ---------------------------------------------------------------------------------------
// clear

fn clear(ctx: &Context, query: &str, yes: bool) -> Result<()> {
    if !yes && !ctx.stdin_is_terminal {
        return Err(Usage::Unconfirmed {
            action: "remove recovery codes",
        }
        .into());
    }
    let mut vault = Vault::open_for_update(&ctx.vault)?;
    let id = query::resolve(&vault.doc.entries, query)?.id.clone();
    let Some(entry) = vault.doc.get_mut(&id) else {
        return Err(query::Error::NoMatch(query.to_string()).into());
    };
    let label = entry.label();
    let (total, unused) = (entry.recovery.len(), entry.unused_recovery_codes());
    if total == 0 {
        return ctx.print(&format!(
            "{label} has no recovery codes; nothing changed.\n"
        ));
    }
    if !yes
        && !ctx.confirm(&format!(
            "Remove all {total} recovery {} of {label} ({unused} unused)? [y/N] ",
            plural(total)
        ))?
    {
        ctx.notice("otp: nothing removed");
        return Ok(());
    }
    entry.recovery.clear();
    entry.updated = ctx.now;
    vault.save()?;
    ctx.print(&format!(
        "Removed {total} recovery {} of {label}.\n",
        plural(total)
    ))
}

// ---------------------------------------------------------------------------------------
// helpers

fn plural(n: usize) -> &'static str {
    if n == 1 { "code" } else { "codes" }
}

/// RFC 3339 in UTC: `2023-11-14T22:13:20Z`.
fn timestamp(secs: i64) -> String {
    jiff::Timestamp::from_second(secs)
        .map(|t| t.to_string())
        .unwrap_or_else(|_| secs.to_string())
}

/// The UTC date: `2023-11-14`.
fn date(secs: i64) -> String {
    jiff::Timestamp::from_second(secs)
        .map(|t| t.strftime("%Y-%m-%d").to_string())
        .unwrap_or_else(|_| secs.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entry::{NewEntry, Secret};

    fn entry(codes: &[(&str, Option<i64>)]) -> Entry {
        let mut e = NewEntry::totp(
            "GitHub",
            "alice",
            Secret::parse("JBSWY3DPEHPK3PXP").unwrap(),
        )
        .into_entry("abc".into(), 0);
        e.recovery = codes
            .iter()
            .map(|(c, used)| RecoveryCode {
                code: c.to_string(),
                used: *used,
            })
            .collect();
        e
    }

    fn z(codes: &[&str]) -> Vec<Zeroizing<String>> {
        codes
            .iter()
            .map(|c| Zeroizing::new(c.to_string()))
            .collect()
    }

    #[test]
    fn spellings_of_one_code_are_the_same_code() {
        assert!(same_code("abcd-efgh", "ABCD EFGH"));
        assert!(same_code("1234 5678", "12345678"));
        assert!(!same_code("abcd-efgh", "abcd-efgi"));
    }

    #[test]
    fn store_skips_duplicates_and_keeps_order() {
        let mut e = entry(&[("aaaa-1111", Some(5))]);
        let (added, skipped) = store(&mut e.recovery, z(&["bbbb-2222", "AAAA1111", "cccc"]));
        assert_eq!((added, skipped), (2, 1));
        let codes: Vec<&str> = e.recovery.iter().map(|r| r.code.as_str()).collect();
        assert_eq!(codes, ["aaaa-1111", "bbbb-2222", "cccc"]);
        assert_eq!(e.recovery[0].used, Some(5), "a used code stays used");
    }

    #[test]
    fn checked_trims_skips_blanks_and_rejects_control_characters() {
        let lines = ["  a-1  ", "", "   ", "b-2\r"];
        let got = checked(lines.iter().map(|l| ("x".to_string(), *l))).unwrap();
        let got: Vec<&str> = got.iter().map(|c| c.as_str()).collect();
        assert_eq!(got, ["a-1", "b-2"]);
        let err = checked([("stdin line 2".to_string(), "zq\x1bzq")].into_iter()).unwrap_err();
        let text = err.to_string();
        assert!(text.contains("stdin line 2"), "{text}");
        assert!(!text.contains("zq"), "no code in errors: {text}");
    }

    #[test]
    fn pick_takes_the_first_unused_or_the_named_one() {
        let e = entry(&[("a", Some(1)), ("b", None), ("c", None)]);
        assert_eq!(pick(&e, None).unwrap(), 1);
        assert_eq!(pick(&e, Some("C")).unwrap(), 2);
        let used = pick(&e, Some("a")).unwrap_err().to_string();
        assert!(used.contains("already used on 1970-01-01"), "{used}");
        assert!(pick(&e, Some("zzz")).is_err());
        assert!(pick(&entry(&[("a", Some(1))]), None).is_err(), "all used");
        assert!(pick(&entry(&[]), None).is_err(), "none stored");
    }

    #[test]
    fn plain_lines_mark_used_codes_with_an_rfc3339_time() {
        let e = entry(&[("a-1", None), ("b-2", Some(1_700_000_000))]);
        assert_eq!(
            list_plain(&e.recovery),
            "a-1\nb-2\tused 2023-11-14T22:13:20Z\n"
        );
        assert_eq!(date(1_700_000_000), "2023-11-14");
    }
}
