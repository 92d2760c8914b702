/*!
`otp add [SOURCE…]`: enrol accounts.

Every source is read and checked before the vault is touched: one bad source and nothing is
added. Sources: otpauth and otpauth-migration URIs, `-` for URIs on stdin (one per line), or,
with no source, manual entry with the secret from a hidden prompt or `--secret-stdin`. On a
terminal, `-` reads pasted URIs without echoing them, until an empty line.

A URI given as an argument has its secret in the process's command line (readable by other
processes) and in the shell's history: on a terminal, `add` says so once and names the
ways that keep it out of both.
*/

use super::Context;
use crate::entry::{self, Algorithm, Kind, NewEntry, Secret};
use crate::error::{Error, Result, Usage};
use crate::uri::Scheme;
use crate::vault::{Added, Vault};
use crate::{clipboard, migration, qr, uri};
use std::io::Read;
use zeroize::Zeroizing;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// otpauth:// or otpauth-migration:// URIs, images holding QR codes (PNG, JPEG, GIF,
    /// BMP, WebP), or - to read URIs from stdin (on a terminal: pasted, not shown, until an
    /// empty line)
    pub sources: Vec<String>,
    /// Also read a screenshot of a QR code, or otpauth URIs as text, from the clipboard
    #[arg(long)]
    pub clipboard: bool,
    /// Replace the key of an existing account (key renewal)
    #[arg(long)]
    pub replace: bool,
    /// Manual entry: the service's name
    #[arg(long, conflicts_with_all = ["sources", "clipboard"])]
    pub issuer: Option<String>,
    /// Manual entry: your account name at the service
    #[arg(long, conflicts_with_all = ["sources", "clipboard"])]
    pub account: Option<String>,
    /// Manual entry: read the base32 secret from stdin instead of a hidden prompt
    #[arg(long, conflicts_with_all = ["sources", "clipboard"])]
    pub secret_stdin: bool,
    /// Manual entry: totp, hotp or steam
    #[arg(
        long = "type",
        value_name = "TYPE",
        default_value = "totp",
        conflicts_with_all = ["sources", "clipboard"]
    )]
    pub kind: String,
    /// Manual entry: SHA1, SHA256 or SHA512
    #[arg(long, default_value = "SHA1", conflicts_with_all = ["sources", "clipboard"])]
    pub algorithm: String,
    /// Manual entry: code length, 6 to 10
    #[arg(long, default_value_t = 6, conflicts_with_all = ["sources", "clipboard"])]
    pub digits: u32,
    /// Manual entry: seconds each TOTP code is valid
    #[arg(long, default_value_t = 30, conflicts_with_all = ["sources", "clipboard"])]
    pub period: u64,
    /// Manual entry: the next HOTP counter value
    #[arg(long, default_value_t = 0, conflicts_with_all = ["sources", "clipboard"])]
    pub counter: u64,
}

/// One entry read from a source, with a name for that source in messages (never the URI
/// itself, which holds the secret).
struct Input {
    from: String,
    entry: NewEntry,
    /// Something about how the source was read that the user should know (one line).
    note: Option<String>,
}

/// Said once when a secret came on the command line.
const ARGV_WARNING: &str = "otp: warning: a secret on the command line is visible to other \
     processes and kept in your shell history; next time use `otp add -` (paste), `otp add \
     qr.png` (a screenshot) or the hidden prompt (`otp add --account NAME`)";

pub(crate) fn run(ctx: &Context, args: Args) -> Result<()> {
    let inputs = if args.sources.is_empty() && !args.clipboard {
        vec![manual(ctx, &args)?]
    } else {
        let mut inputs = read_sources(ctx, &args.sources)?;
        if args.clipboard {
            read_clipboard(&mut inputs)?;
        }
        inputs
    };

    let (mut vault, fallback) = Vault::open_or_create(&ctx.vault)?;
    if let Some(f) = &fallback {
        ctx.say_fallback(f);
    }
    let mut outcomes = Vec::with_capacity(inputs.len());
    let mut notes = Vec::new();
    for input in inputs {
        if let Some(note) = &input.note {
            notes.push(format!("otp: note: {}: {note}", input.from));
        }
        let added = vault
            .doc
            .add(input.entry, args.replace, ctx.now)
            .map_err(|source| Error::Add {
                source_name: input.from.clone(),
                source,
            })?;
        outcomes.push(added);
    }
    vault.save()?;

    for note in notes {
        ctx.notice(&note);
    }
    let mut text = String::new();
    for added in &outcomes {
        let Some(entry) = vault.doc.get(added.id()) else {
            continue;
        };
        let label = entry.label();
        let id = &entry.id;
        let code = enrolment_code(ctx, entry);
        text.push_str(&match added {
            Added::New(_) => format!("Added {label} [{id}]{code}\n"),
            Added::Identical(_) => {
                format!("{label} [{id}] is already in the vault with this key; nothing changed\n")
            }
            Added::Replaced(_) => format!(
                "Renewed the key of {label} [{id}]{code}\nThe old key stops working at the \
                 service once it accepts a code from the new one; the previous vault is in {}\n",
                vault.backup_path().display()
            ),
        });
    }
    ctx.print(&text)
}

/// `: 123 456 (17s left)` so enrolment can be finished at once; the next code too when the
/// current one is about to expire.
fn enrolment_code(ctx: &Context, entry: &entry::Entry) -> String {
    if entry.is_counter_based() {
        return format!(" (HOTP: `otp code {}` gives the next code)", entry.id);
    }
    let window = entry.window_at(ctx.now);
    let code = entry.code_at(ctx.now).grouped();
    if window.remaining <= 5 {
        let next = entry.code_at(window.valid_until()).grouped();
        return format!(": {code} ({}s left; next {next})", window.remaining);
    }
    format!(": {code} ({}s left)", window.remaining)
}

fn read_sources(ctx: &Context, sources: &[String]) -> Result<Vec<Input>> {
    let mut inputs = Vec::new();
    let mut stdin_used = false;
    if ctx.stderr_is_terminal && sources.iter().any(|s| carries_secret(s)) {
        ctx.notice(ARGV_WARNING);
    }
    for (i, source) in sources.iter().enumerate() {
        if source == "-" {
            if stdin_used {
                return Err(Usage::StdinTwice.into());
            }
            stdin_used = true;
            let text = if ctx.stdin_is_terminal {
                paste_hidden()?
            } else {
                let mut text = Zeroizing::new(String::new());
                std::io::stdin()
                    .read_to_string(&mut text)
                    .map_err(|e| Error::io("cannot read stdin", e))?;
                text
            };
            for (n, line) in text.lines().enumerate() {
                let line = line.trim();
                if line.is_empty() || line.starts_with('#') {
                    continue;
                }
                parse_text(line, &format!("stdin line {}", n + 1), &mut inputs)?;
            }
        } else if uri::classify(source).is_some() {
            parse_text(source, &format!("source {} (URI)", i + 1), &mut inputs)?;
        } else if looks_like_uri(source) && !std::path::Path::new(source).exists() {
            // Never echo it: a mistyped URI still holds the secret. `uri::parse` names only
            // the scheme.
            let e = match uri::parse(source) {
                Err(e) => e,
                Ok(_) => uri::Error::NotOtpauth(String::new()),
            };
            return Err(Error::input(format!("source {} (URI)", i + 1), e));
        } else {
            read_image(source, &mut inputs)?;
        }
    }
    if stdin_used && inputs.is_empty() {
        return Err(Error::input("stdin", "it holds no otpauth URI"));
    }
    Ok(inputs)
}

/// URIs pasted at the terminal, one per line, read without echo so that their secrets stay
/// off the screen and out of its scrollback, until an empty line or Ctrl-D.
fn paste_hidden() -> Result<Zeroizing<String>> {
    let mut text = Zeroizing::new(String::new());
    let mut prompt = "Paste otpauth URIs, one per line (not shown; an empty line ends): ";
    loop {
        let line = match rpassword::prompt_password(prompt) {
            Ok(line) => Zeroizing::new(line),
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => break,
            Err(e) => return Err(Error::io("cannot read the pasted URIs", e)),
        };
        if line.trim().is_empty() {
            break;
        }
        text.push_str(&line);
        text.push('\n');
        prompt = "Next URI (an empty line ends): ";
    }
    Ok(text)
}

/// Whether a command-line argument is a URI holding a secret (an otpauth URI with a `secret`
/// parameter, or a Google Authenticator transfer).
fn carries_secret(source: &str) -> bool {
    match uri::classify(source) {
        Some(Scheme::Transfer) => true,
        Some(Scheme::Otpauth) => source.to_ascii_lowercase().contains("secret="),
        None => false,
    }
}

/// `scheme:…` with an RFC 3986 scheme of two or more characters (so `C:\…` is a path).
fn looks_like_uri(text: &str) -> bool {
    text.split_once(':').is_some_and(|(scheme, _)| {
        scheme.len() > 1
            && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+.-".contains(c))
    })
}

/// One line of text: an otpauth URI or a Google Authenticator transfer.
fn parse_text(text: &str, from: &str, inputs: &mut Vec<Input>) -> Result<()> {
    if uri::classify(text) == Some(Scheme::Transfer) {
        let entries = migration::parse(text).map_err(|e| Error::input(from, e))?;
        inputs.extend(entries.into_iter().map(|entry| Input {
            from: from.to_string(),
            entry,
            note: None,
        }));
        return Ok(());
    }
    let (entry, note) = uri::parse_noting(text).map_err(|e| Error::input(from, e))?;
    inputs.push(Input {
        from: from.to_string(),
        entry,
        note: note.map(|n| n.to_string()),
    });
    Ok(())
}

/// The clipboard: a screenshot holding QR codes, or text with otpauth URIs (one a line).
fn read_clipboard(inputs: &mut Vec<Input>) -> Result<()> {
    const FROM: &str = "the clipboard";
    match clipboard::read().map_err(|e| Error::input(FROM, e))? {
        clipboard::Content::Image {
            width,
            height,
            rgba,
        } => {
            let (w, h) = (to_u32(width)?, to_u32(height)?);
            let payloads = qr::decode_rgba(w, h, &rgba).map_err(|e| Error::input(FROM, e))?;
            add_payloads("the clipboard image", &payloads, inputs)
        }
        clipboard::Content::Text(text) => {
            let lines: Vec<&str> = text
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .collect();
            if lines.is_empty() {
                return Err(Error::input(FROM, "it is empty"));
            }
            for (n, line) in lines.iter().enumerate() {
                let from = format!("clipboard line {}", n + 1);
                if uri::classify(line).is_none() {
                    let what = describe(line);
                    return Err(Error::input(
                        from,
                        format!("it holds {what}, not an otpauth URI"),
                    ));
                }
                parse_text(line, &from, inputs)?;
            }
            Ok(())
        }
    }
}

fn to_u32(n: usize) -> Result<u32> {
    u32::try_from(n).map_err(|_| Error::input("the clipboard", "the image is too large"))
}

/// Every QR code in an image: each must hold an otpauth or otpauth-migration URI.
fn read_image(path: &str, inputs: &mut Vec<Input>) -> Result<()> {
    let file = std::path::Path::new(path);
    if !file.exists() {
        return Err(Error::input(
            path,
            "no such file, and not an otpauth:// or otpauth-migration:// URI",
        ));
    }
    let payloads = qr::decode_file(file).map_err(|e| Error::input(path, e))?;
    add_payloads(path, &payloads, inputs)
}

/// The contents of the QR codes found in one image.
fn add_payloads(from: &str, payloads: &[String], inputs: &mut Vec<Input>) -> Result<()> {
    for (n, payload) in payloads.iter().enumerate() {
        let from = match payloads.len() {
            1 => from.to_string(),
            _ => format!("{from} (QR code {} of {})", n + 1, payloads.len()),
        };
        if uri::classify(payload).is_none() {
            let what = describe(payload);
            return Err(Error::input(
                from,
                format!("the QR code holds {what}, not an otpauth URI"),
            ));
        }
        parse_text(payload, &from, inputs)?;
    }
    Ok(())
}

/// What kind of content a foreign QR code holds, without repeating it.
fn describe(payload: &str) -> &'static str {
    let lower = payload.get(..12).unwrap_or(payload).to_ascii_lowercase();
    match () {
        _ if lower.starts_with("http://") || lower.starts_with("https://") => "a web address",
        _ if lower.starts_with("wifi:") => "Wi-Fi network settings",
        _ if lower.starts_with("begin:vcard") => "a contact card",
        _ if lower.starts_with("mailto:") => "an e-mail address",
        _ if lower.starts_with("tel:") => "a phone number",
        _ if looks_like_uri(payload) => "a URI of another kind",
        _ => "plain text",
    }
}

fn manual(ctx: &Context, args: &Args) -> Result<Input> {
    let Some(account) = args.account.clone() else {
        return Err(Usage::NothingGiven {
            what: "add",
            give: "give an otpauth URI, an image, `-` for stdin, or --account (and --issuer) to \
                   type the secret in",
        }
        .into());
    };
    let invalid = |what| move |source| Error::Entry { what, source };
    let kind = Kind::parse(&args.kind).map_err(invalid("type"))?;
    let algorithm = Algorithm::parse(&args.algorithm).map_err(invalid("algorithm"))?;
    let digits = if kind == Kind::Steam {
        5
    } else {
        entry::check_digits(args.digits).map_err(invalid("digits"))?
    };
    let period = entry::check_period(args.period).map_err(invalid("period"))?;
    let secret = read_secret(ctx, args.secret_stdin)?;
    let entry = NewEntry {
        issuer: args.issuer.clone().unwrap_or_default(),
        account,
        secret,
        kind,
        algorithm,
        digits,
        period,
        counter: args.counter,
    }
    .validated()
    .map_err(invalid("entry"))?;
    Ok(Input {
        from: "the entry".into(),
        entry,
        note: None,
    })
}

fn read_secret(ctx: &Context, from_stdin: bool) -> Result<Secret> {
    let text = if from_stdin {
        let mut text = Zeroizing::new(String::new());
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| Error::io("cannot read the secret from stdin", e))?;
        text
    } else if ctx.stdin_is_terminal {
        Zeroizing::new(
            rpassword::prompt_password("Secret (base32, as the service shows it): ")
                .map_err(|e| Error::io("cannot read the secret", e))?,
        )
    } else {
        return Err(Usage::CannotPrompt {
            what: "the secret",
            instead: "pass the secret with --secret-stdin",
        }
        .into());
    };
    Secret::parse(text.trim()).map_err(|source| Error::Entry {
        what: "secret",
        source,
    })
}
