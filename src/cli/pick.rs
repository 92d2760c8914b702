/*!
`otp pick [QUERY] [--print] [--menu CMD]`: choose an entry by fuzzy search, then copy its code
(as `otp code -c` does) or print it.

The picker runs on the terminal (drawn on stderr, so that `--print`'s stdout can go to a pipe):
type to filter, arrows to move, Enter to choose, Esc or Ctrl-C to leave with the terminal as it
was. Matching and ranking are nucleo-matcher's (Helix's fuzzy matcher). With `--menu CMD` an
external menu chooses instead (`rofi -dmenu`, `dmenu`, `fzf`, `wofi --dmenu`,
`fuzzel --dmenu`): the entry names go to its stdin, one `issuer:account` per line, and the line
it prints is the choice; a line that is no name is taken as a query. Choosing nothing is a quiet
exit 1, as menus themselves report it.

Once chosen, the code is handed out as `otp code` does it: an HOTP counter is stored before
its code is used, and a copy is cleared from the clipboard after the configured delay.
*/

use super::Context;
use crate::clipboard::{self, CopyOptions};
use crate::entry::Entry;
use crate::error::{Error, Refused, Result, Usage};
use crate::handout;
use crate::query;
use crate::vault::Vault;
use crossterm::event::{self, Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use crossterm::style::{Attribute, Print, SetAttribute};
use crossterm::{cursor, queue, terminal};
use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  \
    otp pick                          # type to filter, arrows to move, Enter copies, Esc leaves\n  \
    otp pick github --print\n  \
    otp pick --menu 'rofi -dmenu'     # for a key binding; exit 1 when nothing is chosen")]
pub struct Args {
    /// Only entries matching this (as `otp list` matches); all entries by default
    pub query: Option<String>,
    /// Print the chosen code instead of copying it
    #[arg(long)]
    pub print: bool,
    /// Choose with this menu program instead, run with `sh -c`: entry names on its stdin, the
    /// choice on its stdout (`rofi -dmenu`, `dmenu`, `fzf`, `wofi --dmenu`, `fuzzel --dmenu`)
    #[arg(long, value_name = "CMD")]
    pub menu: Option<String>,
}

pub(crate) fn run(ctx: &Context, args: Args) -> Result<()> {
    if args.menu.is_none() && !ctx.stderr_is_terminal {
        return Err(Usage::NeedsTerminal {
            command: "pick",
            stream: "stderr",
            instead: "choose with --menu CMD instead",
        }
        .into());
    }
    let copy = (!args.print).then_some(CopyOptions {
        clear_after: ctx.clipboard_clear_seconds,
        osc52: false,
    });
    if let Some(opts) = &copy {
        // Before anything is chosen or spent (an HOTP counter) for a copy that cannot happen.
        clipboard::method(opts).map_err(copy_error)?;
    }
    let mut entries = candidates(ctx, args.query.as_deref())?;
    entries.sort_by_cached_key(|e| e.label().to_lowercase());
    let names: Vec<String> = entries
        .iter()
        .map(|e| crate::output::sanitize(&e.label()))
        .collect();
    let chosen = match &args.menu {
        Some(menu) => from_menu(menu, &entries, &names)?,
        None => from_terminal(&names)?.map(|i| entries[i].clone()),
    };
    let Some(entry) = chosen else {
        // Left without a choice: nothing to say, but no code either.
        return Err(Error::NoChoice);
    };
    let code = handout::code_now(&ctx.vault, &entry, None, ctx.stderr_is_terminal)?;
    match &copy {
        None => ctx.print(&zeroize::Zeroizing::new(format!("{code}\n"))),
        Some(opts) => {
            let copied = clipboard::copy(code.as_str(), opts).map_err(copy_error)?;
            if ctx.stderr_is_terminal {
                let what = format!(
                    "{} ({})",
                    code.grouped(),
                    crate::output::sanitize(&entry.label())
                );
                ctx.notice(&copied.describe(&what));
            }
            Ok(())
        }
    }
}

fn copy_error(e: clipboard::Error) -> Error {
    crate::error::Error::copy_failed(e, "otp pick --print")
}

/// The entries to choose from: all, or those QUERY matches.
fn candidates(ctx: &Context, query: Option<&str>) -> Result<Vec<Entry>> {
    let vault = Vault::open(&ctx.vault)?;
    let entries = match query {
        None => vault.doc.entries,
        Some(q) => {
            let found: Vec<Entry> = query::matching(&vault.doc.entries, q)
                .into_iter()
                .cloned()
                .collect();
            if found.is_empty() {
                return Err(query::Error::NoMatch(q.to_string()).into());
            }
            found
        }
    };
    if entries.is_empty() {
        return Err(Refused::EmptyVault { what: "pick" }.into());
    }
    Ok(entries)
}

/// Runs the menu and returns the entry of the line it printed; `None` when it printed nothing
/// or failed (closed with Esc, as menus do).
fn from_menu(menu: &str, entries: &[Entry], names: &[String]) -> Result<Option<Entry>> {
    use std::process::{Command, Stdio};
    let mut child = Command::new("sh")
        .args(["-c", menu])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| Error::io(format!("cannot run the menu {menu:?}"), e))?;
    if let Some(mut input) = child.stdin.take() {
        let list: String = names.iter().map(|n| format!("{n}\n")).collect();
        // A menu that exits without reading everything closes the pipe; its output decides.
        let _ = input.write_all(list.as_bytes());
    }
    let out = child
        .wait_with_output()
        .map_err(|e| Error::io(format!("cannot run the menu {menu:?}"), e))?;
    let text = String::from_utf8_lossy(&out.stdout);
    let choice = text.lines().next().unwrap_or("").trim();
    if !out.status.success() || choice.is_empty() {
        return Ok(None);
    }
    if let Some(i) = names.iter().position(|n| n == choice) {
        return Ok(Some(entries[i].clone()));
    }
    // Typed into the menu rather than chosen: a query, resolved as everywhere else.
    Ok(Some(query::resolve(entries, choice)?.clone()))
}

/// What the picker shows: the names matching the filter, best first, and the selected one.
struct Picker<'a> {
    names: &'a [String],
    filter: String,
    /// Indexes into `names`, best match first.
    shown: Vec<usize>,
    selected: usize,
    matcher: nucleo_matcher::Matcher,
}

/// What a key asks the picker to do.
enum Step {
    Stay,
    Choose(usize),
    Leave,
}

impl<'a> Picker<'a> {
    fn new(names: &'a [String]) -> Picker<'a> {
        let mut picker = Picker {
            names,
            filter: String::new(),
            shown: Vec::new(),
            selected: 0,
            matcher: nucleo_matcher::Matcher::new(nucleo_matcher::Config::DEFAULT),
        };
        picker.refilter();
        picker
    }

    fn refilter(&mut self) {
        use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
        let pattern = Pattern::parse(&self.filter, CaseMatching::Ignore, Normalization::Smart);
        let indexed: Vec<(usize, &str)> = self
            .names
            .iter()
            .enumerate()
            .map(|(i, n)| (i, n.as_str()))
            .collect();
        self.shown = pattern
            .match_list(indexed.into_iter().map(Ranked), &mut self.matcher)
            .into_iter()
            .map(|(Ranked((i, _)), _)| i)
            .collect();
        self.selected = 0;
    }

    fn key(&mut self, key: KeyEvent) -> Step {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        match key.code {
            KeyCode::Esc => return Step::Leave,
            KeyCode::Char('c' | 'd' | 'g') if ctrl => return Step::Leave,
            KeyCode::Enter => {
                return match self.shown.get(self.selected) {
                    Some(&i) => Step::Choose(i),
                    None => Step::Stay,
                };
            }
            KeyCode::Up | KeyCode::BackTab => self.up(),
            KeyCode::Char('p' | 'k') if ctrl => self.up(),
            KeyCode::Down | KeyCode::Tab => self.down(),
            KeyCode::Char('n' | 'j') if ctrl => self.down(),
            KeyCode::Char('u') if ctrl => {
                self.filter.clear();
                self.refilter();
            }
            KeyCode::Backspace => {
                self.filter.pop();
                self.refilter();
            }
            KeyCode::Char(c) if !ctrl && !c.is_control() => {
                self.filter.push(c);
                self.refilter();
            }
            _ => {}
        }
        Step::Stay
    }

    fn up(&mut self) {
        self.selected = self.selected.saturating_sub(1);
    }

    fn down(&mut self) {
        if self.selected + 1 < self.shown.len() {
            self.selected += 1;
        }
    }

    /// The screen for `cols` × `rows`: the prompt line, a count, then the names, scrolled so
    /// that the selected one is visible.
    fn lines(&self, cols: usize, rows: usize) -> (Vec<String>, Option<usize>) {
        let max = cols.saturating_sub(1);
        let fit = |s: String| s.chars().take(max).collect::<String>();
        let mut lines = vec![
            fit(format!("> {}", self.filter)),
            fit(format!(
                "  {}/{} · Enter chooses · Esc leaves",
                self.shown.len(),
                self.names.len()
            )),
        ];
        let room = rows.saturating_sub(lines.len()).max(1);
        let first = (self.selected + 1).saturating_sub(room);
        let mut selected_row = None;
        for (row, &i) in self.shown.iter().enumerate().skip(first).take(room) {
            let mark = if row == self.selected {
                selected_row = Some(lines.len());
                "▶ "
            } else {
                "  "
            };
            lines.push(fit(format!("{mark}{}", self.names[i])));
        }
        (lines, selected_row)
    }
}

/// An item as nucleo-matcher sees it: its text, carrying its index along.
struct Ranked<'a>((usize, &'a str));

impl AsRef<str> for Ranked<'_> {
    fn as_ref(&self) -> &str {
        self.0.1
    }
}

/// The interactive picker; the index of the chosen name, or `None` when left without one.
fn from_terminal(names: &[String]) -> Result<Option<usize>> {
    let terminal_error = |e| Error::io("cannot drive the terminal", e);
    // SIGTERM leaves as Esc does, so the guard puts the terminal back.
    let stop = Arc::new(AtomicBool::new(false));
    signal_hook::flag::register(signal_hook::consts::SIGTERM, Arc::clone(&stop))
        .map_err(terminal_error)?;
    let guard = Screen::enter().map_err(terminal_error)?;
    let result = pick(names, &stop).map_err(terminal_error);
    drop(guard);
    result
}

fn pick(names: &[String], stop: &AtomicBool) -> std::io::Result<Option<usize>> {
    let mut picker = Picker::new(names);
    let mut err = std::io::stderr();
    let mut redraw = true;
    while !stop.load(Ordering::SeqCst) {
        if redraw {
            let (cols, rows) = terminal::size()?;
            let (lines, selected) = picker.lines(usize::from(cols), usize::from(rows));
            draw(&mut err, &lines, selected, picker.filter.chars().count())?;
            redraw = false;
        }
        if !event::poll(Duration::from_millis(200))? {
            continue;
        }
        match event::read()? {
            Event::Key(key) if key.kind != KeyEventKind::Release => match picker.key(key) {
                Step::Stay => redraw = true,
                Step::Choose(i) => return Ok(Some(i)),
                Step::Leave => return Ok(None),
            },
            Event::Resize(..) => redraw = true,
            _ => {}
        }
    }
    Ok(None)
}

fn draw(
    out: &mut impl Write,
    lines: &[String],
    selected: Option<usize>,
    typed: usize,
) -> std::io::Result<()> {
    queue!(out, terminal::Clear(terminal::ClearType::All))?;
    for (row, line) in lines.iter().enumerate() {
        let row = u16::try_from(row).unwrap_or(u16::MAX);
        queue!(out, cursor::MoveTo(0, row))?;
        if Some(usize::from(row)) == selected {
            queue!(
                out,
                SetAttribute(Attribute::Reverse),
                Print(line),
                SetAttribute(Attribute::Reset)
            )?;
        } else {
            queue!(out, Print(line))?;
        }
    }
    let column = u16::try_from(typed + 2).unwrap_or(u16::MAX);
    queue!(out, cursor::MoveTo(column, 0))?;
    out.flush()
}

/// Raw mode on the alternate screen (of stderr) until dropped: leaving puts back the screen
/// and the terminal settings of before.
struct Screen;

impl Screen {
    fn enter() -> std::io::Result<Screen> {
        // From here on a failure must still restore, so the guard exists before anything runs.
        let guard = Screen;
        terminal::enable_raw_mode()?;
        let mut err = std::io::stderr();
        queue!(err, terminal::EnterAlternateScreen)?;
        err.flush()?;
        Ok(guard)
    }
}

impl Drop for Screen {
    fn drop(&mut self) {
        let mut err = std::io::stderr();
        let _ = queue!(err, terminal::LeaveAlternateScreen);
        let _ = err.flush();
        let _ = terminal::disable_raw_mode();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    fn names() -> Vec<String> {
        ["GitHub:alice", "Google:alice", "Bank:carol"]
            .map(String::from)
            .to_vec()
    }

    fn shown(p: &Picker) -> Vec<String> {
        p.shown.iter().map(|&i| p.names[i].clone()).collect()
    }

    #[test]
    fn typing_filters_fuzzily_and_case_insensitively() {
        let names = names();
        let mut p = Picker::new(&names);
        assert_eq!(shown(&p).len(), 3);
        for c in "ggl".chars() {
            p.key(key(KeyCode::Char(c)));
        }
        assert_eq!(shown(&p), ["Google:alice"]);
        p.key(key(KeyCode::Backspace));
        p.key(key(KeyCode::Backspace));
        p.key(key(KeyCode::Char('H')));
        assert_eq!(shown(&p), ["GitHub:alice"]);
    }

    #[test]
    fn arrows_move_within_the_list_and_enter_chooses() {
        let names = names();
        let mut p = Picker::new(&names);
        p.key(key(KeyCode::Up));
        assert_eq!(p.selected, 0);
        for _ in 0..5 {
            p.key(key(KeyCode::Down));
        }
        assert_eq!(p.selected, 2);
        assert!(matches!(p.key(key(KeyCode::Enter)), Step::Choose(2)));
        assert!(matches!(p.key(key(KeyCode::Esc)), Step::Leave));
        let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
        assert!(matches!(p.key(ctrl_c), Step::Leave));
        // Nothing matches: Enter does nothing.
        for c in "zzz".chars() {
            p.key(key(KeyCode::Char(c)));
        }
        assert!(matches!(p.key(key(KeyCode::Enter)), Step::Stay));
    }

    #[test]
    fn the_selected_name_stays_on_a_small_screen() {
        let names: Vec<String> = (0..50).map(|i| format!("Issuer{i:02}:me")).collect();
        let mut p = Picker::new(&names);
        for _ in 0..30 {
            p.key(key(KeyCode::Down));
        }
        let (lines, selected) = p.lines(40, 10);
        assert_eq!(lines.len(), 10);
        let row = selected.expect("the selected row is shown");
        assert_eq!(lines[row], format!("▶ {}", names[30]));
    }
}
