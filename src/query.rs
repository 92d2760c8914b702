/*!
Finding entries by what the user typed: every command that takes a query resolves it
the same way.

Stages, first match wins: exact id; exact `issuer:account`; exact issuer or exact account;
case-insensitive substring of `issuer:account`. Names compare case-insensitively, since
nobody remembers whether it was "Github" or "GitHub".
*/

use crate::entry::Entry;

/// What queries look at: implemented by [`Entry`] and by the names `otp code` reads from the vault.
pub(crate) trait Named {
    fn id(&self) -> &str;
    fn issuer(&self) -> &str;
    fn account(&self) -> &str;

    /// `Issuer:account`, or just the account when there is no issuer.
    fn label(&self) -> String {
        crate::entry::label_of(self.issuer(), self.account())
    }
}

impl<T: Named> Named for &T {
    fn id(&self) -> &str {
        (**self).id()
    }
    fn issuer(&self) -> &str {
        (**self).issuer()
    }
    fn account(&self) -> &str {
        (**self).account()
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
pub(crate) fn matching<T: Named>(entries: impl IntoIterator<Item = T>, query: &str) -> Vec<T> {
    let mut matches = Matches::new(query);
    entries.into_iter().for_each(|e| matches.offer(e));
    matches.found
}

/// The one entry the query names.
pub(crate) fn resolve<T: Named>(
    entries: impl IntoIterator<Item = T>,
    query: &str,
) -> Result<T, Error> {
    let mut matches = Matches::new(query);
    entries.into_iter().for_each(|e| matches.offer(e));
    matches.resolve()
}

/// The entries of the best stage so far, as entries are offered one at a time.
///
/// One pass, without allocating for ASCII names: `otp code` offers every entry of the vault
/// on each call, as it reads them.
pub(crate) struct Matches<'q, T> {
    query: Prepared<'q>,
    best: u8,
    found: Vec<T>,
}

impl<'q, T: Named> Matches<'q, T> {
    pub(crate) fn new(query: &'q str) -> Self {
        Matches {
            query: Prepared::new(query),
            best: NO_MATCH,
            found: Vec::new(),
        }
    }

    pub(crate) fn offer(&mut self, entry: T) {
        let s = self.query.stage(&entry);
        if s == NO_MATCH || s > self.best {
            return;
        }
        if s < self.best {
            self.best = s;
            self.found.clear();
        }
        self.found.push(entry);
    }

    /// The one entry the query names, or why there is not one.
    pub(crate) fn resolve(mut self) -> Result<T, Error> {
        match self.found.len() {
            0 => Err(Error::NoMatch(self.query.text.to_string())),
            1 => Ok(self.found.remove(0)),
            _ => Err(Error::Ambiguous {
                query: self.query.text.to_string(),
                candidates: self
                    .found
                    .iter()
                    .map(|e| format!("{}  {}", e.id(), e.label()))
                    .collect(),
            }),
        }
    }
}

const NO_MATCH: u8 = u8::MAX;

/// The query with what every comparison needs worked out once, not once per entry.
struct Prepared<'q> {
    text: &'q str,
    /// ASCII-lowercased, when `text` is ASCII; otherwise fully lowercased.
    lower: String,
    ascii: bool,
    colon: bool,
}

impl<'q> Prepared<'q> {
    fn new(text: &'q str) -> Prepared<'q> {
        let ascii = text.is_ascii();
        Prepared {
            text,
            lower: if ascii {
                text.to_ascii_lowercase()
            } else {
                text.to_lowercase()
            },
            ascii,
            colon: text.contains(':'),
        }
    }

    /// Which stage (0 best) `entry` matches in.
    fn stage(&self, entry: &impl Named) -> u8 {
        let (issuer, account) = (entry.issuer(), entry.account());
        if entry.id() == self.text {
            return 0;
        }
        if self.ascii && issuer.is_ascii() && account.is_ascii() {
            self.stage_ascii(issuer, account)
        } else {
            self.stage_unicode(entry)
        }
    }

    fn stage_ascii(&self, issuer: &str, account: &str) -> u8 {
        let q = self.lower.as_bytes();
        let n = issuer.len();
        // Strictly `issuer:account`: an issuer-less entry named "github" must not shadow the
        // GitHub entries when someone types "github".
        if q.len() == n + 1 + account.len()
            && q[n] == b':'
            && q[..n].eq_ignore_ascii_case(issuer.as_bytes())
            && q[n + 1..].eq_ignore_ascii_case(account.as_bytes())
        {
            return 1;
        }
        if q.eq_ignore_ascii_case(issuer.as_bytes()) || q.eq_ignore_ascii_case(account.as_bytes()) {
            return 2;
        }
        let contained = if self.colon {
            // The query may span the separator of the label.
            let label = crate::entry::label_of(issuer, account);
            contains_ascii_ci(label.as_bytes(), q)
        } else {
            contains_ascii_ci(issuer.as_bytes(), q) || contains_ascii_ci(account.as_bytes(), q)
        };
        if contained { 3 } else { NO_MATCH }
    }

    fn stage_unicode(&self, entry: &impl Named) -> u8 {
        let (issuer, account) = (entry.issuer(), entry.account());
        if format!("{issuer}:{account}").to_lowercase() == self.lower {
            return 1;
        }
        if issuer.to_lowercase() == self.lower || account.to_lowercase() == self.lower {
            return 2;
        }
        if entry.label().to_lowercase().contains(&self.lower) {
            3
        } else {
            NO_MATCH
        }
    }
}

/// Whether `needle` (already ASCII-lowercased) occurs in `haystack`, ignoring ASCII case.
fn contains_ascii_ci(haystack: &[u8], needle: &[u8]) -> bool {
    const ONES: u64 = u64::from_ne_bytes([1; 8]);
    const HIGH: u64 = ONES << 7;
    let Some(&first) = needle.first() else {
        return true;
    };
    let Some(last_start) = haystack.len().checked_sub(needle.len()) else {
        return false;
    };
    // Byte by byte, stopping at the first difference (most candidates differ at once).
    let found_at = |i: usize| {
        haystack.get(i..i + needle.len()).is_some_and(|h| {
            h.iter()
                .zip(needle)
                .all(|(&h, &n)| h.to_ascii_lowercase() == n)
        })
    };
    // Where the first byte may start a match, eight places at a time: `| 0x20` folds the
    // case of a letter (and of nothing else that could equal a lower-case letter). The zero
    // test may also flag a byte just above a true zero; every candidate is checked whole.
    let fold: u8 = if first.is_ascii_lowercase() { 0x20 } else { 0 };
    let mut i = 0;
    while i <= last_start {
        let Some(eight) = haystack
            .get(i..i + 8)
            .and_then(|eight| <[u8; 8]>::try_from(eight).ok())
        else {
            break;
        };
        let x = (u64::from_le_bytes(eight) | (ONES * u64::from(fold))) ^ (ONES * u64::from(first));
        let mut candidates = x.wrapping_sub(ONES) & !x & HIGH;
        while candidates != 0 {
            let at = i + (candidates.trailing_zeros() / 8) as usize;
            if at > last_start {
                return false;
            }
            if found_at(at) {
                return true;
            }
            candidates &= candidates - 1;
        }
        i += 8;
    }
    (i..=last_start).any(found_at)
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

    #[test]
    fn substring_search_agrees_with_lowercasing_everything() {
        // Letters of both cases, and the bytes that `| 0x20` maps onto letters and back.
        let alphabet = b"aAbBsSzZ@`[{:09 -_\x7f";
        let mut rng = fastrand::Rng::with_seed(4711);
        for _ in 0..20_000 {
            let hay: Vec<u8> = (0..rng.usize(0..40))
                .map(|_| alphabet[rng.usize(..alphabet.len())])
                .collect();
            let needle: Vec<u8> = if rng.bool() && !hay.is_empty() {
                let a = rng.usize(..hay.len());
                hay[a..rng.usize(a..=hay.len())].to_ascii_lowercase()
            } else {
                (0..rng.usize(0..4))
                    .map(|_| alphabet[rng.usize(..alphabet.len())].to_ascii_lowercase())
                    .collect()
            };
            let lower = hay.to_ascii_lowercase();
            let expected = needle.is_empty() || lower.windows(needle.len()).any(|w| w == needle);
            assert_eq!(
                contains_ascii_ci(&hay, &needle),
                expected,
                "{:?} in {:?}",
                String::from_utf8_lossy(&needle),
                String::from_utf8_lossy(&hay)
            );
        }
    }
}
