/*!
Terminal output: how codes, entries and errors look to a person.

Human layouts are used only when stdout is a terminal; pipes get plain lines
(docs/CONTRACT.md, "Output").
Colour follows `--color` and `NO_COLOR`. All functions here return strings; the commands
decide where they go.
*/

use crate::entry::{Entry, Window};

/// The code turns from green to yellow to red as its time runs out.
pub(crate) const WARN_SECONDS: u32 = 5;

/// How output is shaped for this run.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Style {
    pub color: bool,
}

impl Style {
    fn paint(&self, sgr: &str, text: &str) -> String {
        if self.color {
            format!("\x1b[{sgr}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }

    pub(crate) fn bold(&self, text: &str) -> String {
        self.paint("1", text)
    }

    pub(crate) fn dim(&self, text: &str) -> String {
        self.paint("2", text)
    }

    /// Green, then red in the last seconds of the window.
    pub(crate) fn urgency(&self, remaining: u32, text: &str) -> String {
        let sgr = if remaining <= WARN_SECONDS {
            "1;31"
        } else {
            "1;32"
        };
        self.paint(sgr, text)
    }
}

/// A bar of `width` cells, full at the start of the period, empty at its end.
pub(crate) fn countdown_bar(window: &Window, width: usize) -> String {
    let filled = (window.remaining as usize * width).div_ceil(window.period.max(1) as usize);
    let filled = filled.min(width);
    format!("{}{}", "█".repeat(filled), "░".repeat(width - filled))
}

/// `123 456  GitHub  alice  ██████░░░░ 17s` — one code as a person reads it.
pub(crate) fn code_line(
    entry: &Entry,
    code: &str,
    window: Option<&Window>,
    style: Style,
) -> String {
    let mut line = format!("{}  {}", style.bold(code), entry_name(entry, style));
    if let Some(w) = window {
        let bar = countdown_bar(w, 20);
        let left = format!("{:>2}s", w.remaining);
        line.push_str(&format!(
            "  {} {}",
            style.urgency(w.remaining, &bar),
            style.urgency(w.remaining, &left)
        ));
    }
    line
}

/// `GitHub  alice`, or just the account when there is no issuer.
pub(crate) fn entry_name(entry: &Entry, style: Style) -> String {
    if entry.issuer.is_empty() {
        entry.account.clone()
    } else {
        format!("{}  {}", entry.issuer, style.dim(&entry.account))
    }
}

/// `totp/SHA1/6/30s`, `hotp/SHA1/6/#3`, `steam`.
pub(crate) fn parameters(entry: &Entry) -> String {
    use crate::entry::Kind;
    match entry.kind {
        Kind::Steam => "steam".to_string(),
        Kind::Totp => format!(
            "totp/{}/{}/{}s",
            entry.algorithm.as_str(),
            entry.digits,
            entry.period
        ),
        Kind::Hotp => format!(
            "hotp/{}/{}/#{}",
            entry.algorithm.as_str(),
            entry.digits,
            entry.counter
        ),
    }
}

/// Lays out rows in columns separated by two spaces; widths count characters, not bytes,
/// and ignore colour escapes.
pub(crate) fn table(rows: &[Vec<String>]) -> String {
    let width = |s: &str| visible_width(s);
    let cols = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..cols)
        .map(|c| {
            rows.iter()
                .filter_map(|r| r.get(c))
                .map(|s| width(s))
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for row in rows {
        let mut line = String::new();
        for (c, cell) in row.iter().enumerate() {
            line.push_str(cell);
            if c + 1 < row.len() {
                line.push_str(&" ".repeat(widths[c] - width(cell) + 2));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

fn visible_width(s: &str) -> usize {
    let mut n = 0;
    let mut in_escape = false;
    for c in s.chars() {
        match (in_escape, c) {
            (false, '\x1b') => in_escape = true,
            (true, 'm') => in_escape = false,
            (true, _) => {}
            (false, _) => n += 1,
        }
    }
    n
}

/// Removes control characters from text that came from a file or URI before it reaches
/// the terminal, so a crafted issuer cannot move the cursor or retitle the window.
pub(crate) fn sanitize(text: &str) -> String {
    text.chars().filter(|c| !c.is_control()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bar_empties_with_time() {
        let w = |remaining| Window {
            start: 0,
            remaining,
            period: 30,
        };
        assert_eq!(countdown_bar(&w(30), 10), "██████████");
        assert_eq!(countdown_bar(&w(15), 10), "█████░░░░░");
        assert_eq!(countdown_bar(&w(1), 10), "█░░░░░░░░░");
    }

    #[test]
    fn table_aligns_visible_text() {
        let style = Style { color: true };
        let rows = vec![
            vec![style.bold("a"), "b".into()],
            vec!["ccc".into(), "d".into()],
        ];
        let out = table(&rows);
        let lines: Vec<&str> = out.lines().collect();
        assert!(lines[0].ends_with("    b"), "{out:?}");
        assert_eq!(lines[1], "ccc  d");
    }

    #[test]
    fn sanitize_drops_escapes() {
        assert_eq!(sanitize("Git\x1b]0;pwned\x07Hub"), "Git]0;pwnedHub");
    }
}
