/*!
Finding entries by what the user typed (SPEC §5).

Stages, first match wins: exact id; exact `issuer:account`; exact issuer or exact account;
case-insensitive substring of `issuer:account`. Names compare case-insensitively, since
nobody remembers whether it was "Github" or "GitHub".
*/

use crate::entry::Entry;

/// What queries look at: implemented by [`Entry`] and by the vault's borrowed view.
pub trait Named {
    fn id(&self) -> &str;
    fn issuer(&self) -> &str;
    fn account(&self) -> &str;

    /// `Issuer:account`, or just the account when there is no issuer.
    fn label(&self) -> String {
        crate::entry::label_of(self.issuer(), self.account())
    }
}

impl Named for Entry {
    fn id(&self) -> &str {
        &self.id
    }
    fn issuer(&self) -> &str {
        &self.issuer
    }
    fn account(&self) -> &str {
        &self.account
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum Error {
    #[error("no entry matches {0:?}")]
    NoMatch(String),
    #[error("{query:?} matches {} entries; be more specific", candidates.len())]
    Ambiguous {
        query: String,
        /// `id  issuer:account` lines for the user to pick from.
        candidates: Vec<String>,
    },
}

/// The entries matched by the first stage that matches anything.
///
/// One pass, without allocating for ASCII names: `otp code` runs this over every entry of
/// the vault on each call.
pub fn matching<'a, T: Named>(entries: &'a [T], query: &str) -> Vec<&'a T> {
    let mut best = NO_MATCH;
    let mut found = Vec::new();
    for entry in entries {
        let s = stage(entry, query);
        if s < best {
            best = s;
            found.clear();
        }
        if s == best && s != NO_MATCH {
            found.push(entry);
        }
    }
    found
}

const NO_MATCH: u8 = u8::MAX;

/// Which stage (0 best) `entry` matches `query` in.
fn stage(entry: &impl Named, query: &str) -> u8 {
    if entry.id() == query {
        0
    } else if is_issuer_account(entry, query) {
        1
    } else if eq_ci(entry.issuer(), query) || eq_ci(entry.account(), query) {
        2
    } else if label_contains(entry, query) {
        3
    } else {
        NO_MATCH
    }
}

/// Strictly `issuer:account`: an issuer-less entry named "github" must not shadow the GitHub
/// entries when someone types "github".
fn is_issuer_account(entry: &impl Named, query: &str) -> bool {
    let (issuer, account) = (entry.issuer(), entry.account());
    let n = issuer.len();
    if query.is_ascii() && issuer.is_ascii() && account.is_ascii() {
        return query.len() == n + 1 + account.len()
            && query.as_bytes()[n] == b':'
            && query[..n].eq_ignore_ascii_case(issuer)
            && query[n + 1..].eq_ignore_ascii_case(account);
    }
    format!("{issuer}:{account}").to_lowercase() == query.to_lowercase()
}

fn eq_ci(a: &str, b: &str) -> bool {
    if a.is_ascii() && b.is_ascii() {
        return a.eq_ignore_ascii_case(b);
    }
    a.to_lowercase() == b.to_lowercase()
}

/// Case-insensitive substring of the label (`issuer:account`, or the account alone).
fn label_contains(entry: &impl Named, query: &str) -> bool {
    let (issuer, account) = (entry.issuer(), entry.account());
    let ascii = query.is_ascii() && issuer.is_ascii() && account.is_ascii();
    if ascii && !query.contains(':') {
        // Without a colon the query cannot span the separator.
        return contains_ascii_ci(issuer, query) || contains_ascii_ci(account, query);
    }
    entry.label().to_lowercase().contains(&query.to_lowercase())
}

fn contains_ascii_ci(haystack: &str, needle: &str) -> bool {
    needle.is_empty()
        || haystack
            .as_bytes()
            .windows(needle.len())
            .any(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}

/// The one entry the query names.
pub fn resolve<'a, T: Named>(entries: &'a [T], query: &str) -> Result<&'a T, Error> {
    match matching(entries, query).as_slice() {
        [] => Err(Error::NoMatch(query.to_string())),
        [one] => Ok(one),
        many => Err(Error::Ambiguous {
            query: query.to_string(),
            candidates: many
                .iter()
                .map(|e| format!("{}  {}", e.id(), e.label()))
                .collect(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entry::{NewEntry, Secret};

    fn entries() -> Vec<Entry> {
        let secret = || Secret::parse("JBSWY3DPEHPK3PXP").unwrap();
        [
            ("GitHub", "alice", "aaa111"),
            ("GitHub", "bob", "bbb222"),
            ("Google", "alice@gmail.com", "ccc333"),
            ("", "github", "ddd444"),
        ]
        .iter()
        .map(|(i, a, id)| NewEntry::totp(i, a, secret()).into_entry(id.to_string(), 0))
        .collect()
    }

    fn ids(q: &str) -> Vec<String> {
        matching(&entries(), q)
            .iter()
            .map(|e| e.id.clone())
            .collect()
    }

    #[test]
    fn stages_in_order() {
        assert_eq!(ids("ccc333"), ["ccc333"]);
        assert_eq!(ids("github:BOB"), ["bbb222"]);
        // exact issuer and exact account both count in stage three
        assert_eq!(ids("github"), ["aaa111", "bbb222", "ddd444"]);
        assert_eq!(ids("gmail"), ["ccc333"]);
        assert_eq!(ids("ALICE"), ["aaa111"]);
        assert!(ids("nothing").is_empty());
    }

    #[test]
    fn non_ascii_names_compare_case_insensitively() {
        let secret = Secret::parse("JBSWY3DPEHPK3PXP").unwrap();
        let all = vec![NewEntry::totp("Bücherei", "Leser 4711", secret).into_entry("e1".into(), 0)];
        assert_eq!(resolve(&all, "BÜCHEREI").unwrap().id, "e1");
        assert_eq!(resolve(&all, "bücherei:leser 4711").unwrap().id, "e1");
        assert_eq!(resolve(&all, "ÜCHER").unwrap().id, "e1");
        assert_eq!(resolve(&all, "rei:les").unwrap().id, "e1");
        assert!(resolve(&all, "zzz").is_err());
    }

    #[test]
    fn substring_may_span_the_colon() {
        let all = entries();
        assert_eq!(resolve(&all, "hub:al").unwrap().id, "aaa111");
    }

    #[test]
    fn resolve_reports_candidates() {
        let all = entries();
        assert_eq!(resolve(&all, "goo").unwrap().id, "ccc333");
        assert_eq!(resolve(&all, "zzz"), Err(Error::NoMatch("zzz".into())));
        match resolve(&all, "github") {
            Err(Error::Ambiguous { candidates, .. }) => assert_eq!(candidates.len(), 3),
            other => panic!("{other:?}"),
        }
    }
}
