/*!
Finding entries by what the user typed (SPEC §5).

Stages, first match wins: exact id; exact `issuer:account`; exact issuer or exact account;
case-insensitive substring of `issuer:account`. Names compare case-insensitively, since
nobody remembers whether it was "Github" or "GitHub".
*/

use crate::entry::Entry;

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
pub fn matching<'a>(entries: &'a [Entry], query: &str) -> Vec<&'a Entry> {
    let q = query.to_lowercase();
    let stages: [&dyn Fn(&Entry) -> bool; 4] = [
        &|e| e.id == query,
        // Strictly `issuer:account`: an issuer-less entry named "github" must not shadow
        // the GitHub entries when someone types "github".
        &|e| format!("{}:{}", e.issuer, e.account).to_lowercase() == q,
        &|e| e.issuer.to_lowercase() == q || e.account.to_lowercase() == q,
        &|e| e.label().to_lowercase().contains(&q),
    ];
    for stage in stages {
        let found: Vec<&Entry> = entries.iter().filter(|e| stage(e)).collect();
        if !found.is_empty() {
            return found;
        }
    }
    Vec::new()
}

/// The one entry the query names.
pub fn resolve<'a>(entries: &'a [Entry], query: &str) -> Result<&'a Entry, Error> {
    match matching(entries, query).as_slice() {
        [] => Err(Error::NoMatch(query.to_string())),
        [one] => Ok(one),
        many => Err(Error::Ambiguous {
            query: query.to_string(),
            candidates: many
                .iter()
                .map(|e| format!("{}  {}", e.id, e.label()))
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
