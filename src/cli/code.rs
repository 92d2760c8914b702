//! `otp code QUERY`: the current code, for a person or a script, or (`-c`) on the clipboard.

use super::Context;
use crate::clipboard::{self, CopyOptions};
use crate::entry::{Entry, Window};
use crate::error::{Error, Result, Usage};
use crate::handout;
use crate::output;
use crate::query;
use crate::vault::Vault;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Entry (id, issuer:account, issuer, account or part of the name)
    pub query: String,
    /// Print JSON: code, issuer, account, id, period, remaining, valid_until
    #[arg(long)]
    pub json: bool,
    /// The next period's code instead of the current one
    #[arg(long)]
    pub next: bool,
    /// If fewer than N seconds remain, wait for the next code first
    #[arg(long, value_name = "N", num_args = 0..=1, default_missing_value = "5")]
    pub wait: Option<u32>,
    /// Time to compute the code for: unix seconds or RFC 3339 (2026-01-02T03:04:05Z)
    #[arg(long, value_name = "TIME", allow_hyphen_values = true)]
    pub at: Option<String>,
    /// Put the code on the clipboard instead of printing it; it is cleared after a delay
    #[arg(short = 'c', long, conflicts_with = "json")]
    pub copy: bool,
    /// Seconds until the copied code is cleared, 0 for never
    /// [default: config clipboard_clear_seconds, or 20]
    #[arg(long, value_name = "S", requires = "copy")]
    pub clear_after: Option<u64>,
    /// Copy through the terminal (OSC 52 escape) even when a display is available
    #[arg(long, requires = "copy")]
    pub osc52: bool,
}

/// Parses `--at`: unix seconds, or an RFC 3339 timestamp with any offset.
pub(crate) fn parse_time(text: &str) -> Result<i64> {
    if let Ok(secs) = text.trim().parse::<i64>() {
        return Ok(secs);
    }
    text.trim()
        .parse::<jiff::Timestamp>()
        .map(|t| t.as_second())
        .map_err(|_| {
            Usage::Invalid {
                option: "--at",
                value: text.to_string(),
                why: "not a time".into(),
                hint: Some("give unix seconds or RFC 3339, like 2026-01-02T03:04:05Z"),
            }
            .into()
        })
}

pub(crate) fn run(ctx: &Context, args: Args) -> Result<()> {
    let at = args.at.as_deref().map(parse_time).transpose()?;
    if args.copy {
        // Before anything is consumed (an HOTP counter) for a copy that cannot happen.
        clipboard::method(&copy_options(ctx, &args)).map_err(|e| copy_error(&args, e))?;
    }
    // Read-only for time-based codes; HOTP needs the lock to store counter+1.
    let entry = Vault::find(&ctx.vault, &args.query)??;
    let entry = &entry;
    if entry.is_counter_based() {
        if args.next || at.is_some() || args.wait.is_some() {
            return Err(Usage::NotTimeBased {
                options: "--next, --at and --wait",
            }
            .into());
        }
        // Read again under the lock: the unlocked read above may already be stale, and a
        // counter must never be handed out twice. Only HOTP pays this second decryption.
        return hotp(ctx, &args, &entry.id);
    }

    let mut t = at.unwrap_or(ctx.now);
    if args.next {
        t = entry.window_at(t).valid_until();
    }
    if let Some(min) = args.wait {
        let fresh = handout::fresh_time(entry, t, min);
        if fresh != t && at.is_none() {
            handout::wait_until(fresh, ctx.stderr_is_terminal);
        }
        t = fresh;
    }
    let code = entry.code_at(t);
    let window = entry.window_at(t);
    if args.copy {
        return copy(ctx, &args, entry, code.as_str());
    }
    ctx.print(&render(ctx, &args, entry, code.as_str(), Some(&window)))
}

fn copy_options(ctx: &Context, args: &Args) -> CopyOptions {
    CopyOptions {
        clear_after: args.clear_after.unwrap_or(ctx.clipboard_clear_seconds),
        osc52: args.osc52,
    }
}

/// `-c`: the code goes to the clipboard, a line about it to a terminal's stderr, nothing to
/// stdout.
fn copy(ctx: &Context, args: &Args, entry: &Entry, code: &str) -> Result<()> {
    let copied =
        clipboard::copy(code, &copy_options(ctx, args)).map_err(|e| copy_error(args, e))?;
    if ctx.stderr_is_terminal {
        let name = if entry.issuer.is_empty() {
            entry.account.clone()
        } else {
            format!("{} {}", entry.issuer, entry.account)
        };
        let what = format!(
            "{} ({})",
            crate::entry::Code::grouped_str(code),
            output::sanitize(&name)
        );
        ctx.notice(&copied.describe(&what));
    }
    Ok(())
}

fn copy_error(args: &Args, e: clipboard::Error) -> Error {
    crate::error::Error::copy_failed(e, &format!("otp code {}", args.query))
}

fn hotp(ctx: &Context, args: &Args, id: &str) -> Result<()> {
    // Stored before it is shown: a code is never handed out twice.
    let (shown, code) = match handout::take_counter_code(&ctx.vault, id, ctx.now) {
        Ok(taken) => taken,
        Err(handout::Error::Vault(e)) => return Err(e.into()),
        Err(handout::Error::Query(_)) => {
            return Err(query::Error::NoMatch(args.query.clone()).into());
        }
    };
    if args.copy {
        return copy(ctx, args, &shown, code.as_str());
    }
    ctx.print(&render(ctx, args, &shown, code.as_str(), None))
}

fn render(
    ctx: &Context,
    args: &Args,
    entry: &Entry,
    code: &str,
    window: Option<&Window>,
) -> String {
    if args.json {
        let mut v = serde_json::json!({
            "code": code,
            "issuer": entry.issuer,
            "account": entry.account,
            "id": entry.id,
            "type": entry.kind.as_str(),
        });
        if let Some(w) = window {
            v["period"] = w.period.into();
            v["remaining"] = w.remaining.into();
            v["valid_until"] = w.valid_until().into();
        } else {
            v["counter"] = entry.counter.saturating_sub(1).into();
        }
        return format!("{v}\n");
    }
    if ctx.stdout_is_terminal {
        let grouped = crate::entry::Code::grouped_str(code);
        let mut line = output::code_line(entry, &grouped, window, ctx.style);
        // About to expire: show the next code too, so nobody types a dying one.
        if let Some(w) = window.filter(|w| w.remaining <= output::WARN_SECONDS) {
            let next = entry.code_at(w.valid_until()).grouped();
            line.push_str(&format!("  next {}", ctx.style.bold(&next)));
        }
        return format!("{line}\n");
    }
    format!("{code}\n")
}
