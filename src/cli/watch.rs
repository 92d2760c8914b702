/*!
`otp watch [QUERY]`: a live view of codes with countdowns, for keeping open beside your work.

The vault is read once: codes are pure functions of the time, so the view only needs a clock.
It redraws just after every whole second — every period boundary falls on one — and whenever
the terminal is resized. HOTP entries are listed without generating a code, since showing
one would use up a counter value.

The terminal is put into raw mode on the alternate screen with the cursor hidden, and put back
by a guard on every way out: `q`, Esc or Ctrl-C, an error (the guard's `Drop`) and a panic (a
panic hook, so the message lands on the normal screen) and SIGTERM (a flag the loop checks).
*/

use super::Context;
use crate::entry::{Entry, Kind};
use crate::error::{Error, Result, Usage};
use crate::output::{self, Style};
use crate::query;
use crate::vault::Vault;
use crossterm::event::{self, Event, KeyCode, KeyEventKind, KeyModifiers};
use crossterm::{cursor, queue, style::Print, terminal};
use std::io::{IsTerminal, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Only entries matching this (as `otp list` matches); all entries by default
    pub query: Option<String>,
}

/// The widest countdown bar, and the narrowest it shrinks to on a small terminal.
const BAR_WIDTH: usize = 20;
const MIN_BAR_WIDTH: usize = 8;
/// Lines above the codes: the title and a blank line.
const HEADER_LINES: usize = 2;

pub(crate) fn run(ctx: &Context, args: Args) -> Result<()> {
    // Refuse before unlocking anything: a live view in a pipe or a file is only noise.
    if !ctx.stdout_is_terminal {
        return Err(Usage::NeedsTerminal {
            command: "watch",
            stream: "stdout",
            instead: "for scripts: `otp list --codes`",
        }
        .into());
    }
    let vault = Vault::open(&ctx.vault)?;
    let mut entries: Vec<Entry> = match &args.query {
        None => vault.doc.entries.clone(),
        Some(q) => {
            let found = query::matching(&vault.doc.entries, q);
            if found.is_empty() {
                return Err(query::Error::NoMatch(q.clone()).into());
            }
            found.into_iter().cloned().collect()
        }
    };
    drop(vault);
    if entries.is_empty() {
        return ctx.print("The vault is empty: add an account with `otp add URI` or `otp add`.\n");
    }
    entries.sort_by_cached_key(|e| (e.issuer.to_lowercase(), e.account.to_lowercase()));

    let guard = TerminalGuard::enter().map_err(terminal_error)?;
    leave_on_hangup();
    let result = view(&entries, ctx.style).map_err(terminal_error);
    drop(guard);
    result
}

/// Ends the program when its terminal goes away (the window closed, the SSH session dropped)
/// and SIGHUP did not end it, as when SIGHUP is ignored (`nohup otp watch`).
///
/// Once its terminal is gone, crossterm's event reader keeps reading a descriptor that is
/// always readable and never returns, not even from `poll` with a timeout: one CPU at 100%
/// for good (crossterm-rs/crossterm#793, open in 0.29). The view cannot notice, so a thread
/// looks at the terminal once a second. There is nothing left to restore.
fn leave_on_hangup() {
    std::thread::spawn(|| {
        loop {
            std::thread::sleep(Duration::from_secs(1));
            if !std::io::stdout().is_terminal() {
                std::process::exit(crate::error::Exit::Failure as i32);
            }
        }
    });
}

fn terminal_error(e: std::io::Error) -> Error {
    Error::io("cannot drive the terminal", e)
}

/// The redraw loop: draw, then wait for a key, a resize or the next whole second.
fn view(entries: &[Entry], style: Style) -> std::io::Result<()> {
    // SIGTERM ends the view as `q` does, within a second, so the guard restores the terminal.
    // (Not SIGHUP: its terminal is gone, nothing to restore, and the default is right.)
    let stop = Arc::new(AtomicBool::new(false));
    signal_hook::flag::register(signal_hook::consts::SIGTERM, Arc::clone(&stop))?;
    let mut out = std::io::stdout();
    let mut clear_all = true;
    while !stop.load(Ordering::SeqCst) {
        let now = jiff::Timestamp::now();
        let (cols, rows) = terminal::size()?;
        let lines = screen(
            entries,
            now.as_second(),
            style,
            usize::from(cols),
            usize::from(rows),
        );
        draw(&mut out, &lines, clear_all)?;
        clear_all = false;

        // A couple of milliseconds past the boundary, so the next frame shows the new second.
        let to_next_second =
            Duration::from_nanos(1_000_000_000 - u64::from(now.subsec_nanosecond().unsigned_abs()))
                + Duration::from_millis(2);
        if !event::poll(to_next_second)? {
            continue;
        }
        match event::read()? {
            Event::Key(key) if key.kind != KeyEventKind::Release => {
                let ctrl_c =
                    key.code == KeyCode::Char('c') && key.modifiers.contains(KeyModifiers::CONTROL);
                if ctrl_c || matches!(key.code, KeyCode::Char('q' | 'Q') | KeyCode::Esc) {
                    return Ok(());
                }
            }
            Event::Resize(..) => clear_all = true,
            _ => {}
        }
    }
    Ok(())
}

/// Writes the frame line by line over the previous one (clearing everything only after a
/// resize), which avoids the flicker of clearing the whole screen every second.
fn draw(out: &mut impl Write, lines: &[String], clear_all: bool) -> std::io::Result<()> {
    if clear_all {
        queue!(out, terminal::Clear(terminal::ClearType::All))?;
    }
    for (row, line) in lines.iter().enumerate() {
        let row = u16::try_from(row).unwrap_or(u16::MAX);
        queue!(
            out,
            cursor::MoveTo(0, row),
            Print(line),
            terminal::Clear(terminal::ClearType::UntilNewLine)
        )?;
    }
    queue!(out, terminal::Clear(terminal::ClearType::FromCursorDown))?;
    out.flush()
}

/// How a piece of a line is coloured.
#[derive(Clone, Copy)]
enum Paint {
    Plain,
    Dim,
    /// Green, turning red in the last [`output::WARN_SECONDS`] of the period.
    Urgent(u32),
}

/// One piece of a line: plain text and how to colour it.
struct Cell {
    text: String,
    paint: Paint,
}

impl Cell {
    fn new(text: impl Into<String>, paint: Paint) -> Cell {
        Cell {
            text: text.into(),
            paint,
        }
    }
}

/// The whole frame at unix time `now` for a `cols` × `rows` terminal, one string per line.
///
/// Lines stay within `cols - 1` visible characters: nothing wraps, and the last column is
/// left alone so clearing to the end of the line never erases a character.
fn screen(entries: &[Entry], now: i64, style: Style, cols: usize, rows: usize) -> Vec<String> {
    let max = cols.saturating_sub(1);
    let count = match entries.len() {
        1 => "1 code".to_string(),
        n => format!("{n} codes"),
    };
    let title = format!("otp watch · {count} · q quits");
    let mut lines = vec![paint_line(&[Cell::new(title, Paint::Dim)], max, style)];
    lines.push(String::new());

    let room = rows.saturating_sub(HEADER_LINES).max(1);
    let (shown, hidden) = if entries.len() <= room {
        (entries, 0)
    } else {
        let shown = room - 1;
        (&entries[..shown], entries.len() - shown)
    };
    let table = Table::fit(shown, now, max);
    lines.extend(
        shown
            .iter()
            .map(|e| paint_line(&table.row(e, now), max, style)),
    );
    if hidden > 0 {
        let more = format!("… and {hidden} more: narrow the view with `otp watch QUERY`");
        lines.push(paint_line(&[Cell::new(more, Paint::Dim)], max, style));
    }
    lines
}

/// Column widths chosen for the entries on screen and the terminal's width.
struct Table {
    code: usize,
    issuer: usize,
    account: usize,
    bar: usize,
}

impl Table {
    fn fit(entries: &[Entry], now: i64, max: usize) -> Table {
        let width = |f: &dyn Fn(&Entry) -> String| {
            entries
                .iter()
                .map(|e| f(e).chars().count())
                .max()
                .unwrap_or(0)
        };
        let code = width(&|e| code_text(e, now));
        let mut issuer = width(&|e| output::sanitize(&e.issuer));
        let mut account = width(&|e| output::sanitize(&e.account));
        // code, 2 spaces, issuer, 2, account, 2, bar, " 30s"
        let fixed = code + 2 + 2 + 2 + 4;
        let mut bar = BAR_WIDTH;
        let names = issuer + account;
        if fixed + bar + names > max {
            bar = max
                .saturating_sub(fixed + names)
                .clamp(MIN_BAR_WIDTH, BAR_WIDTH);
        }
        let room = max.saturating_sub(fixed + bar);
        if names > room {
            // Shorten the longer name first; give each at least half the room if both are long.
            let half = room / 2;
            (issuer, account) = if issuer <= half {
                (issuer, room - issuer)
            } else if account <= room - half {
                (room - account, account)
            } else {
                (half, room - half)
            };
        }
        Table {
            code,
            issuer,
            account,
            bar,
        }
    }

    fn row(&self, entry: &Entry, now: i64) -> Vec<Cell> {
        let pad = |text: &str, width: usize| format!("{:<width$}", truncate(text, width));
        let issuer = pad(&output::sanitize(&entry.issuer), self.issuer);
        let account = pad(&output::sanitize(&entry.account), self.account);
        let code = pad(&code_text(entry, now), self.code);
        if entry.kind == Kind::Hotp {
            return vec![
                Cell::new(code + "  ", Paint::Dim),
                Cell::new(issuer + "  ", Paint::Plain),
                Cell::new(account + "  ", Paint::Dim),
                Cell::new(
                    format!("counter-based: `otp code {}`", entry.id),
                    Paint::Dim,
                ),
            ];
        }
        let window = entry.window_at(now);
        let urgent = Paint::Urgent(window.remaining);
        vec![
            Cell::new(code, urgent),
            Cell::new("  ", Paint::Plain),
            Cell::new(issuer + "  ", Paint::Plain),
            Cell::new(account, Paint::Dim),
            Cell::new("  ", Paint::Plain),
            Cell::new(output::countdown_bar(&window, self.bar), urgent),
            Cell::new(format!(" {:>2}s", window.remaining), urgent),
        ]
    }
}

/// The grouped code for time-based entries; HOTP entries get no code (it would spend one).
fn code_text(entry: &Entry, now: i64) -> String {
    match entry.kind {
        Kind::Hotp => "hotp".to_string(),
        Kind::Totp | Kind::Steam => entry.code_at(now).grouped(),
    }
}

/// Cuts `text` to `width` characters, marking the cut with `…`.
fn truncate(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_string();
    }
    if width == 0 {
        return String::new();
    }
    let mut cut: String = text.chars().take(width - 1).collect();
    cut.push('…');
    cut
}

/// Joins the cells, clipped to `max` visible characters, each coloured as it asks.
fn paint_line(cells: &[Cell], max: usize, style: Style) -> String {
    let mut line = String::new();
    let mut left = max;
    for cell in cells {
        if left == 0 {
            break;
        }
        let text: String = cell.text.chars().take(left).collect();
        left -= text.chars().count();
        line.push_str(&match cell.paint {
            Paint::Plain => text,
            Paint::Dim => style.dim(&text),
            Paint::Urgent(remaining) => style.urgency(remaining, &text),
        });
    }
    line.trim_end().to_string()
}

/// Set while the terminal is in raw mode on the alternate screen.
static ACTIVE: AtomicBool = AtomicBool::new(false);

/// Raw mode, the alternate screen, no cursor and no line wrap while it lives; the terminal as
/// it was when it is dropped or when the program panics.
struct TerminalGuard;

impl TerminalGuard {
    fn enter() -> std::io::Result<TerminalGuard> {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            restore();
            previous(info);
        }));
        ACTIVE.store(true, Ordering::SeqCst);
        // From here on a failure must still restore, so the guard exists before anything runs.
        let guard = TerminalGuard;
        terminal::enable_raw_mode()?;
        let mut out = std::io::stdout();
        queue!(
            out,
            terminal::EnterAlternateScreen,
            terminal::DisableLineWrap,
            cursor::Hide
        )?;
        out.flush()?;
        Ok(guard)
    }
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore();
    }
}

/// Puts the terminal back, once, whoever asks first (the guard or the panic hook).
fn restore() {
    if !ACTIVE.swap(false, Ordering::SeqCst) {
        return;
    }
    let mut out = std::io::stdout();
    let _ = queue!(
        out,
        cursor::Show,
        terminal::EnableLineWrap,
        terminal::LeaveAlternateScreen
    );
    let _ = out.flush();
    let _ = terminal::disable_raw_mode();
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::uri;

    /// 2023-11-14T22:13:20Z: 20 s into a 30-s period.
    const AT: i64 = 1_700_000_000;
    const PLAIN: Style = Style { color: false };

    fn entry(uri_text: &str, id: &str) -> Entry {
        uri::parse(uri_text).unwrap().into_entry(id.into(), 0)
    }

    fn github() -> Entry {
        entry(
            "otpauth://totp/GitHub:alice@example.com?secret=JBSWY3DPEHPK3PXP",
            "gh1",
        )
    }

    fn counter() -> Entry {
        entry(
            "otpauth://hotp/Bank:me?secret=JBSWY3DPEHPK3PXP&counter=7",
            "bk1",
        )
    }

    #[test]
    fn shows_grouped_codes_bars_and_seconds() {
        let lines = screen(&[github()], AT, PLAIN, 100, 30);
        assert_eq!(lines[0], "otp watch · 1 code · q quits");
        // `oathtool --totp -b JBSWY3DPEHPK3PXP -N @1700000000` = 324550; 10 s of 30 left.
        let bar = format!("{}{}", "█".repeat(7), "░".repeat(13));
        assert_eq!(
            lines[2],
            format!("324 550  GitHub  alice@example.com  {bar} 10s")
        );
    }

    #[test]
    fn hotp_entries_get_no_code() {
        let lines = screen(&[counter(), github()], AT, PLAIN, 100, 30);
        let bank = lines.iter().find(|l| l.contains("Bank")).unwrap();
        assert!(bank.starts_with("hotp     Bank"), "{bank:?}");
        assert!(bank.ends_with("counter-based: `otp code bk1`"), "{bank:?}");
        assert!(!bank.contains('█'));
    }

    #[test]
    fn colour_turns_in_the_last_seconds() {
        let colour = Style { color: true };
        let calm = screen(&[github()], AT, colour, 100, 30).remove(2);
        assert!(calm.contains("\x1b[1;32m324 550"), "{calm:?}");
        let urgent = screen(&[github()], AT + 6, colour, 100, 30).remove(2);
        assert!(urgent.contains("\x1b[1;31m324 550"), "{urgent:?}");
        assert!(urgent.contains("\x1b[1;31m  4s"), "{urgent:?}");
        assert!(!screen(&[github()], AT + 6, PLAIN, 100, 30)[2].contains('\x1b'));
    }

    #[test]
    fn narrow_terminals_shorten_names_not_codes() {
        let long = entry(
            &format!(
                "otpauth://totp/{}:{}?secret=JBSWY3DPEHPK3PXP",
                "I".repeat(60),
                "a".repeat(60)
            ),
            "long",
        );
        for cols in [20, 40, 60, 80] {
            for line in screen(&[long.clone(), counter()], AT, PLAIN, cols, 30) {
                assert!(line.chars().count() < cols, "{cols}: {line:?}");
            }
        }
        let line = screen(&[long], AT, PLAIN, 60, 30).remove(2);
        assert!(line.starts_with("324 550  III"), "{line:?}");
        assert!(line.contains('…') && line.ends_with("10s"), "{line:?}");
    }

    #[test]
    fn too_many_entries_say_how_many_are_hidden() {
        let many: Vec<Entry> = (0..10)
            .map(|i| {
                entry(
                    &format!("otpauth://totp/Site{i}:me?secret=JBSWY3DPEHPK3PXP"),
                    &format!("id{i}"),
                )
            })
            .collect();
        let lines = screen(&many, AT, PLAIN, 100, 6);
        assert_eq!(lines.len(), 6);
        assert!(lines[4].contains("Site2"));
        assert!(lines[5].starts_with("… and 7 more"), "{:?}", lines[5]);
    }

    #[test]
    fn crafted_names_cannot_reach_the_terminal() {
        let mut e = github();
        e.issuer = "Git\x1b]0;pwned\x07Hub".into();
        let lines = screen(&[e], AT, PLAIN, 100, 30);
        assert!(!lines[2].contains('\x1b') && !lines[2].contains('\x07'));
    }
}
