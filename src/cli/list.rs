//! `otp list [QUERY]`: the entries, as a table, tab-separated lines, or JSON.
//!
//! Each row ends with how many recovery codes are left unused (`otp recovery`): last, so
//! that the columns before it keep their places when `--codes` adds two.

use super::Context;
use crate::entry::{Entry, Kind};
use crate::error::Result;
use crate::output;
use crate::query;
use crate::vault::Vault;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Only entries matching this (as `otp code` matches)
    pub query: Option<String>,
    /// Also show current codes and seconds left (HOTP codes are not generated)
    #[arg(long)]
    pub codes: bool,
    /// Print JSON
    #[arg(long)]
    pub json: bool,
}

pub(crate) fn run(ctx: &Context, args: Args) -> Result<()> {
    let vault = Vault::open(&ctx.vault)?;
    let mut entries: Vec<&Entry> = match &args.query {
        None => vault.doc.entries.iter().collect(),
        Some(q) => {
            let found = query::matching(&vault.doc.entries, q);
            if found.is_empty() {
                return Err(query::Error::NoMatch(q.clone()).into());
            }
            found
        }
    };
    entries.sort_by_cached_key(|e| (e.issuer.to_lowercase(), e.account.to_lowercase()));
    let codes: Vec<Option<(String, u32)>> = entries
        .iter()
        .map(|e| {
            (args.codes && e.kind != Kind::Hotp).then(|| {
                let code = e.code_at(ctx.now);
                (code.as_str().to_string(), e.window_at(ctx.now).remaining)
            })
        })
        .collect();

    let mut text = if args.json {
        json(&entries, &codes, args.codes)
    } else if ctx.stdout_is_terminal {
        human(ctx, &entries, &codes, args.codes)
    } else {
        plain(&entries, &codes, args.codes)
    };
    let replaced = vault.doc.replaced_keys();
    if !replaced.is_empty() && args.query.is_none() {
        if ctx.stdout_is_terminal && !args.json {
            text.push_str(&replaced_keys(&replaced));
        } else {
            use std::io::Write;
            let _ = writeln!(
                std::io::stderr(),
                "otp: {} replaced {} kept from merges (`otp list` on a terminal shows them)",
                replaced.len(),
                if replaced.len() == 1 { "key" } else { "keys" }
            );
        }
    }
    ctx.print(&text)
}

/// The keys that lost a merge to a later change made on another copy: kept, never dropped.
fn replaced_keys(replaced: &[&Entry]) -> String {
    let mut out = String::from(
        "\nKeys replaced by a later change on another copy (kept by `otp merge`; \
         `otp export --format json --plaintext` holds them under \"replaced\"):\n",
    );
    for e in replaced {
        let when = jiff::Timestamp::from_second(e.updated)
            .map(|t| t.strftime("%Y-%m-%d %H:%M UTC").to_string())
            .unwrap_or_default();
        out.push_str(&format!(
            "  {} (id {}, changed {when})\n",
            output::sanitize(&e.label()),
            output::sanitize(&e.id)
        ));
    }
    out
}

fn json(entries: &[&Entry], codes: &[Option<(String, u32)>], with_codes: bool) -> String {
    let list: Vec<serde_json::Value> = entries
        .iter()
        .zip(codes)
        .map(|(e, code)| {
            let mut v = serde_json::json!({
                "id": e.id,
                "issuer": e.issuer,
                "account": e.account,
                "type": e.kind.as_str(),
                "algorithm": e.algorithm.as_str(),
                "digits": e.digits,
                "note": e.note,
                "created": e.created,
                "updated": e.updated,
            });
            match e.kind {
                Kind::Hotp => v["counter"] = e.counter.into(),
                _ => v["period"] = e.period.into(),
            }
            if with_codes {
                v["code"] = code.as_ref().map(|c| c.0.clone()).into();
                v["remaining"] = code.as_ref().map(|c| c.1).into();
            }
            v["recovery_left"] = e.unused_recovery_codes().into();
            v["recovery_total"] = e.recovery.len().into();
            v
        })
        .collect();
    format!("{}\n", serde_json::Value::Array(list))
}

fn plain(entries: &[&Entry], codes: &[Option<(String, u32)>], with_codes: bool) -> String {
    let mut out = String::new();
    for (e, code) in entries.iter().zip(codes) {
        let period = match e.kind {
            Kind::Hotp => "-".to_string(),
            _ => e.period.to_string(),
        };
        let mut fields = vec![
            e.issuer.clone(),
            e.account.clone(),
            e.kind.as_str().to_string(),
            e.algorithm.as_str().to_string(),
            e.digits.to_string(),
            period,
            e.id.clone(),
        ];
        if with_codes {
            match code {
                Some((c, left)) => fields.extend([c.clone(), left.to_string()]),
                None => fields.extend(["-".to_string(), "-".to_string()]),
            }
        }
        fields.push(e.unused_recovery_codes().to_string());
        // Names cannot hold tabs or newlines (control characters are rejected on input).
        out.push_str(&fields.join("\t"));
        out.push('\n');
    }
    out
}

fn human(
    ctx: &Context,
    entries: &[&Entry],
    codes: &[Option<(String, u32)>],
    with_codes: bool,
) -> String {
    if entries.is_empty() {
        return "The vault is empty: add an account with `otp add URI` or `otp add`.\n".into();
    }
    let style = ctx.style;
    let mut header: Vec<String> = ["ISSUER", "ACCOUNT", "TYPE", "ID"]
        .iter()
        .map(|h| style.dim(h))
        .collect();
    if with_codes {
        header.extend([style.dim("CODE"), style.dim("LEFT")]);
    }
    header.push(style.dim("RECOVERY"));
    let mut rows = vec![header];
    for (e, code) in entries.iter().zip(codes) {
        let mut row = vec![
            e.issuer.clone(),
            e.account.clone(),
            output::parameters(e),
            e.id.clone(),
        ];
        if with_codes {
            match code {
                Some((c, left)) => row.extend([
                    style.bold(&crate::entry::Code::grouped_str(c)),
                    style.urgency(*left, &format!("{left}s")),
                ]),
                None => row.extend(["-".to_string(), String::new()]),
            }
        }
        row.push(match e.recovery.len() {
            0 => "-".to_string(),
            total => format!("{}/{total}", e.unused_recovery_codes()),
        });
        rows.push(row);
    }
    output::table(&rows)
}
