/*!
Merging two copies of a vault document: a pure function, the same whichever copy is "ours".

The document is read as a set of facts that only grow, so that merging is a union and copies
merged in any order, any number of times, end up the same (commutative, associative and
idempotent):

- A *version* is what one addition of an account, or one renewal of its key, became: it is
  named by the entry's id, the key's fingerprint and the time the key was put in the entry
  (`keyed`, or `created` when it was not renewed). The entries and
  the replaced-key records of a document are its versions. Two copies of one version merge
  field by field: the settings of the later change (`updated`, then `by`), the larger HOTP
  counter, the later rename and the later note (each on its own stamp), the union of the
  recovery codes (a code used on either side is used) and of the keys it replaced.
- A *tombstone* (a removal) is kept for good. It removes every version of its entry holding
  one of its keys put in before the removal: a removal wins over a change made to the
  same entry elsewhere meanwhile, while a key renewed elsewhere, or the account added again
  after the removal, stays. It keeps the highest HOTP counter of the keys it removed.
- Per entry, what is shown is derived from the versions that stay: the entry is the latest
  one that no other version was made to replace (a renewal beats the key it renewed); the
  others are kept as replaced-key records, and [`Document::replaced_keys`] tells which of
  those are worth showing (not the entry's own key, nor one a renewal replaced). One HOTP
  counter per key: the highest ever seen, on every version and tombstone holding it.

Nothing is pruned by a merge: a secret that loses is never dropped silently. Devices merge
per name, the later change winning. The result is ordered by creation time and id.
*/

use super::document::{Device, Document, Error, Removed, VERSION};
use crate::entry::{Entry, RecoveryCode};
use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};

/// What a merge changed, seen from the first document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Change {
    Added(String),
    Updated(String),
    Removed(String),
    /// A key that lost to a later change elsewhere, kept as a replaced-key record.
    KeptReplacedKey(String),
}

impl std::fmt::Display for Change {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Change::Added(label) => write!(f, "added {label}"),
            Change::Updated(label) => write!(f, "updated {label}"),
            Change::Removed(label) => write!(f, "removed {label}"),
            Change::KeptReplacedKey(label) => {
                write!(f, "kept the replaced key of {label} (see `otp list`)")
            }
        }
    }
}

/// Merges `theirs` into `ours`; the result, and what changed compared with `ours`.
/// Refuses a document written by a newer otp, whose fields it may not understand.
pub(crate) fn merge(ours: &Document, theirs: &Document) -> Result<(Document, Vec<Change>), Error> {
    for doc in [ours, theirs] {
        if doc.version > VERSION {
            return Err(Error::Newer(doc.version));
        }
    }
    let merged = merge_documents(ours, theirs);
    let changes = changes(ours, &merged);
    Ok((merged, changes))
}

/// A version's name: entry id, key fingerprint, time the key was put in the entry.
type VersionKey = (String, String, i64);

/// A tombstone's name: entry id, time and device of the removal.
type TombstoneKey = (String, i64, String);

fn merge_documents(a: &Document, b: &Document) -> Document {
    let mut removed: BTreeMap<TombstoneKey, Removed> = BTreeMap::new();
    for t in a.removed.iter().chain(&b.removed) {
        let key = (t.id.clone(), t.at, t.by.clone());
        let joined = match removed.get(&key) {
            Some(kept) => join_tombstones(kept, t),
            None => join_tombstones(t, t),
        };
        removed.insert(key, joined);
    }
    let mut versions: BTreeMap<VersionKey, Entry> = BTreeMap::new();
    for e in [a, b]
        .iter()
        .flat_map(|d| d.entries.iter().chain(&d.replaced))
    {
        let key = (e.id.clone(), e.secret.fingerprint(), e.keyed_at());
        let joined = match versions.get(&key) {
            Some(kept) => join_versions(kept, e),
            None => join_versions(e, e),
        };
        versions.insert(key, joined);
    }
    // One counter per entry and key: the highest held by any version or tombstone.
    let mut counters: BTreeMap<(String, String), u64> = BTreeMap::new();
    let mut raise = |id: &str, key: &str, counter: u64| {
        let c = counters
            .entry((id.to_string(), key.to_string()))
            .or_insert(0);
        *c = counter.max(*c);
    };
    for ((id, key, _), v) in &versions {
        raise(id, key, v.counter);
    }
    for t in removed.values() {
        for (key, c) in &t.counters {
            raise(&t.id, key, *c);
        }
    }
    let counter_of = |id: &str, key: &str| {
        counters
            .get(&(id.to_string(), key.to_string()))
            .copied()
            .unwrap_or(0)
    };
    for t in removed.values_mut() {
        for key in &t.keys {
            let c = counter_of(&t.id, key);
            if c > 0 {
                t.counters.insert(key.clone(), c);
            }
        }
    }
    let mut tombstones: BTreeMap<&str, Vec<&Removed>> = BTreeMap::new();
    for t in removed.values() {
        tombstones.entry(&t.id).or_default().push(t);
    }
    versions.retain(|(id, key, keyed), _| {
        !tombstones
            .get(id.as_str())
            .is_some_and(|ts| ts.iter().any(|t| *keyed < t.at && t.keys.contains(key)))
    });
    let mut by_id: BTreeMap<String, Vec<(String, Entry)>> = BTreeMap::new();
    for ((id, key, _), mut v) in versions {
        v.counter = counter_of(&id, &key);
        by_id.entry(id).or_default().push((key, v));
    }
    let mut entries = Vec::new();
    let mut replaced = Vec::new();
    for (_, group) in by_id {
        let shown = shown_version(&group);
        for (i, (_, v)) in group.into_iter().enumerate() {
            if i == shown {
                entries.push(v);
            } else {
                replaced.push(v);
            }
        }
    }
    entries.sort_by(|x, y| (x.created, &x.id).cmp(&(y.created, &y.id)));
    Document {
        version: VERSION,
        entries,
        removed: removed.into_values().collect(),
        replaced,
        devices: merge_devices(&a.devices, &b.devices),
    }
}

/// Which of an entry's versions (key fingerprint, version) is the entry: the latest of those
/// no other version (holding another key) was made to replace, or the latest of all when
/// every one was (a key renewed back to an older one).
fn shown_version(group: &[(String, Entry)]) -> usize {
    let replaced = |key: &str| {
        group
            .iter()
            .any(|(k, v)| k != key && v.replaces.iter().any(|r| r == key))
    };
    let stamp = |i: usize| {
        let (key, v) = &group[i];
        (v.updated, &v.by, key, v.keyed_at())
    };
    let latest = |candidates: Vec<usize>| {
        candidates
            .into_iter()
            .max_by(|&x, &y| stamp(x).cmp(&stamp(y)))
    };
    let current: Vec<usize> = (0..group.len())
        .filter(|&i| !replaced(&group[i].0))
        .collect();
    latest(current)
        .or_else(|| latest((0..group.len()).collect()))
        .unwrap_or(0)
}

/// One record per device name: the later change (stamp, then the record itself), so that a
/// removal holds unless the device was added again later.
fn merge_devices(a: &[Device], b: &[Device]) -> Vec<Device> {
    let mut by_name: BTreeMap<&str, &Device> = BTreeMap::new();
    for d in a.iter().chain(b) {
        let later = match by_name.get(d.name.as_str()) {
            Some(kept) => (kept.at, &kept.by, *kept) < (d.at, &d.by, d),
            None => true,
        };
        if later {
            by_name.insert(&d.name, d);
        }
    }
    by_name.into_values().cloned().collect()
}

/// Two records of one removal (same entry, time and device): the keys of both, the larger
/// counters.
fn join_tombstones(x: &Removed, y: &Removed) -> Removed {
    let mut t = x.clone();
    t.keys.extend(y.keys.iter().cloned());
    t.keys.sort();
    t.keys.dedup();
    for (key, c) in &y.counters {
        let kept = t.counters.entry(key.clone()).or_insert(0);
        *kept = (*c).max(*kept);
    }
    t
}

/// The order of two copies of one version's settings: stamp, then the settings' text, so
/// that every copy picks the same.
fn settings_order(x: &Entry, y: &Entry) -> Ordering {
    let settings = |e: &Entry| {
        serde_json::to_string(&(
            &e.kind,
            &e.algorithm,
            e.digits,
            e.period,
            e.created,
            e.keyed,
        ))
        .unwrap_or_default()
    };
    (x.updated, &x.by)
        .cmp(&(y.updated, &y.by))
        .then_with(|| settings(x).cmp(&settings(y)))
}

/// Two copies of one version (same entry, key and time added), field by field.
fn join_versions(x: &Entry, y: &Entry) -> Entry {
    let winner = if settings_order(x, y) == Ordering::Less {
        y
    } else {
        x
    };
    let mut merged = winner.clone();
    merged.counter = x.counter.max(y.counter);
    let names = |e: &Entry| (e.renamed, e.issuer.clone(), e.account.clone());
    (merged.renamed, merged.issuer, merged.account) = names(x).max(names(y));
    let note = |e: &Entry| (e.noted, e.note.clone());
    (merged.noted, merged.note) = note(x).max(note(y));
    merged.recovery = merge_recovery(&x.recovery, &y.recovery);
    let replaces: BTreeSet<&String> = x.replaces.iter().chain(&y.replaces).collect();
    merged.replaces = replaces.into_iter().cloned().collect();
    merged
}

/// The union of two lists of recovery codes; a code used on either side is used (the
/// earlier time). Lists holding the same codes in the same order keep it; otherwise the
/// codes are sorted, which is the one order every sequence of merges agrees on.
fn merge_recovery(x: &[RecoveryCode], y: &[RecoveryCode]) -> Vec<RecoveryCode> {
    let mut used: BTreeMap<&str, Option<i64>> = BTreeMap::new();
    for code in x.iter().chain(y) {
        let kept = used.entry(code.code.as_str()).or_insert(code.used);
        *kept = match (*kept, code.used) {
            (Some(p), Some(q)) => Some(p.min(q)),
            (p, q) => p.or(q),
        };
    }
    let (ox, oy) = (codes_in_order(x), codes_in_order(y));
    let codes = if ox == oy {
        ox
    } else {
        used.keys().copied().collect()
    };
    codes
        .into_iter()
        .map(|code| RecoveryCode {
            code: code.to_string(),
            used: used.get(code).copied().flatten(),
        })
        .collect()
}

/// The codes of a list, each once, in their order.
fn codes_in_order(list: &[RecoveryCode]) -> Vec<&str> {
    let mut seen = BTreeSet::new();
    list.iter()
        .map(|c| c.code.as_str())
        .filter(|c| seen.insert(*c))
        .collect()
}

fn changes(before: &Document, after: &Document) -> Vec<Change> {
    let mut out = Vec::new();
    for e in &after.entries {
        match before.get(&e.id) {
            None => out.push(Change::Added(e.label())),
            Some(old) if old != e => out.push(Change::Updated(e.label())),
            Some(_) => {}
        }
    }
    for e in &before.entries {
        if after.get(&e.id).is_none() {
            out.push(Change::Removed(e.label()));
        }
    }
    let shown_before = before.replaced_keys();
    for r in after.replaced_keys() {
        let known = shown_before
            .iter()
            .any(|o| o.id == r.id && o.secret == r.secret);
        if !known {
            out.push(Change::KeptReplacedKey(r.label()));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entry::{NewEntry, Secret};
    use crate::vault::Added;

    const KEYS: [&str; 3] = ["JBSWY3DPEHPK3PXP", "GEZDGNBVGY3TQOJQ", "MFRGGZDFMZTWQ2LK"];

    fn doc_with(entries: &[(&str, &str, i64)]) -> Document {
        let mut doc = Document::new();
        for (account, key, at) in entries {
            let new = NewEntry::totp("Site", account, Secret::parse(key).unwrap());
            doc.add(new, false, *at).unwrap();
        }
        doc
    }

    /// Applies `change` to a copy of `doc` as a command would, stamped by `device` at `now`.
    fn edit(
        doc: &Document,
        device: &str,
        now: i64,
        change: impl FnOnce(&mut Document),
    ) -> Document {
        let mut next = doc.clone();
        change(&mut next);
        next.stamp_changes(doc, now, device);
        next
    }

    fn id_of(doc: &Document, account: &str) -> String {
        doc.entries
            .iter()
            .find(|e| e.account == account)
            .unwrap()
            .id
            .clone()
    }

    #[test]
    fn added_on_either_side_is_kept() {
        let base = edit(&Document::new(), "a", 10, |d| {
            *d = doc_with(&[("one", KEYS[0], 10)]);
        });
        let ours = edit(&base, "a", 20, |d| {
            d.add(
                NewEntry::totp("Site", "two", Secret::parse(KEYS[1]).unwrap()),
                false,
                20,
            )
            .unwrap();
        });
        let theirs = edit(&base, "b", 21, |d| {
            d.add(
                NewEntry::totp("Site", "three", Secret::parse(KEYS[2]).unwrap()),
                false,
                21,
            )
            .unwrap();
        });
        let (merged, changes) = merge(&ours, &theirs).unwrap();
        assert_eq!(merged.entries.len(), 3);
        assert_eq!(changes, vec![Change::Added("Site:three".into())]);
        assert_eq!(merge(&theirs, &ours).unwrap().0, merged);
    }

    #[test]
    fn removed_on_one_side_and_untouched_on_the_other_is_removed() {
        let base = edit(&Document::new(), "a", 10, |d| {
            *d = doc_with(&[("one", KEYS[0], 10), ("two", KEYS[1], 10)]);
        });
        let id = id_of(&base, "one");
        let ours = edit(&base, "a", 20, |d| {
            d.remove(&id);
        });
        let (merged, _) = merge(&base, &ours).unwrap();
        assert!(merged.get(&id).is_none());
        assert_eq!(merged.removed.len(), 1);
        // Renewed elsewhere (another key) before the removal: the new key is kept.
        let renewed = edit(&base, "b", 15, |d| {
            d.get_mut(&id).unwrap().secret = Secret::parse(KEYS[2]).unwrap();
        });
        let (merged, _) = merge(&renewed, &ours).unwrap();
        assert_eq!(merged.get(&id).unwrap().secret.as_base32(), KEYS[2]);
        // Renamed after the removal elsewhere: the removal wins.
        let renamed = edit(&base, "b", 30, |d| {
            d.rename(&id, None, Some("uno"), 30).unwrap();
        });
        assert!(merge(&ours, &renamed).unwrap().0.get(&id).is_none());
        // Added again after the removal, with the same key: kept.
        let (gone, _) = merge(&base, &ours).unwrap();
        let again = edit(&gone, "b", 40, |d| {
            d.add(
                NewEntry::totp("Site", "one", Secret::parse(KEYS[0]).unwrap()),
                false,
                40,
            )
            .unwrap();
        });
        let (merged, _) = merge(&again, &base).unwrap();
        assert_eq!(merged.get(&id).unwrap().secret.as_base32(), KEYS[0]);
        assert_eq!(merge(&base, &again).unwrap().0, merged);
        // Renamed before the removal, same key: removed.
        let early = edit(&base, "b", 12, |d| {
            d.rename(&id, None, Some("uno"), 12).unwrap();
        });
        assert!(merge(&ours, &early).unwrap().0.get(&id).is_none());
    }

    #[test]
    fn later_change_wins_and_a_losing_key_is_kept() {
        let base = edit(&Document::new(), "a", 10, |d| {
            *d = doc_with(&[("one", KEYS[0], 10)]);
        });
        let id = id_of(&base, "one");
        let ours = edit(&base, "a", 20, |d| {
            d.add(
                NewEntry::totp("Site", "one", Secret::parse(KEYS[1]).unwrap()),
                true,
                20,
            )
            .unwrap();
        });
        let theirs = edit(&base, "b", 30, |d| {
            d.add(
                NewEntry::totp("Site", "one", Secret::parse(KEYS[2]).unwrap()),
                true,
                30,
            )
            .unwrap();
        });
        let (merged, changes) = merge(&ours, &theirs).unwrap();
        assert_eq!(merged.get(&id).unwrap().secret.as_base32(), KEYS[2]);
        let shown = merged.replaced_keys();
        assert_eq!(shown.len(), 1);
        assert_eq!(shown[0].secret.as_base32(), KEYS[1]);
        assert!(changes.contains(&Change::KeptReplacedKey("Site:one".into())));
        // A key renewed on one side only replaces the old one silently, even when the old
        // key's version has a later change elsewhere: a renewal beats the key it renewed.
        let (merged, changes) = merge(&base, &theirs).unwrap();
        assert!(merged.replaced_keys().is_empty(), "{changes:?}");
        assert_eq!(merge(&merged, &base).unwrap().0, merged);
        let noted = edit(&base, "c", 40, |d| {
            d.get_mut(&id).unwrap().note = Some("later".into());
        });
        let (merged, _) = merge(&noted, &theirs).unwrap();
        assert_eq!(merged.get(&id).unwrap().secret.as_base32(), KEYS[2]);
        assert!(merged.replaced_keys().is_empty());
        // Removed afterwards, every key of the entry goes, the kept ones too.
        let gone = edit(&merged, "a", 50, |d| {
            d.remove(&id);
        });
        assert!(gone.replaced.is_empty() && gone.entries.is_empty());
        for copy in [&base, &theirs, &noted] {
            assert!(merge(&gone, copy).unwrap().0.entries.is_empty());
        }
    }

    #[test]
    fn counters_recovery_and_notes() {
        let mut base = doc_with(&[("one", KEYS[0], 10)]);
        base.entries[0].kind = crate::entry::Kind::Hotp;
        base.entries[0].recovery = ["a", "b", "c"]
            .iter()
            .map(|c| RecoveryCode {
                code: c.to_string(),
                used: None,
            })
            .collect();
        let base = edit(&Document::new(), "a", 10, |d| *d = base.clone());
        let ours = edit(&base, "a", 20, |d| {
            let e = &mut d.entries[0];
            e.counter = 7;
            e.recovery[0].used = Some(20);
        });
        let theirs = edit(&base, "b", 30, |d| {
            let e = &mut d.entries[0];
            e.counter = 3;
            e.recovery[1].used = Some(30);
            e.note = Some("desk".into());
        });
        let (merged, _) = merge(&ours, &theirs).unwrap();
        let e = &merged.entries[0];
        assert_eq!(e.counter, 7);
        assert_eq!(e.note.as_deref(), Some("desk"));
        let used: Vec<_> = e.recovery.iter().map(|c| c.used).collect();
        assert_eq!(used, [Some(20), Some(30), None]);
    }

    #[test]
    fn a_removal_keeps_the_hotp_counter_of_its_key() {
        let mut base = doc_with(&[("one", KEYS[0], 10)]);
        base.entries[0].kind = crate::entry::Kind::Hotp;
        let base = edit(&Document::new(), "a", 10, |d| *d = base.clone());
        let id = id_of(&base, "one");
        let used = edit(&base, "a", 20, |d| d.get_mut(&id).unwrap().counter = 5);
        let removed = edit(&base, "b", 30, |d| {
            d.remove(&id);
        });
        let (gone, _) = merge(&used, &removed).unwrap();
        assert!(gone.get(&id).is_none());
        assert_eq!(gone.removed[0].counters.values().collect::<Vec<_>>(), [&5]);
        // The same key added again: its codes go on from where they were.
        let again = edit(&gone, "b", 40, |d| {
            let mut new = NewEntry::totp("Site", "one", Secret::parse(KEYS[0]).unwrap());
            new.kind = crate::entry::Kind::Hotp;
            d.add(new, false, 40).unwrap();
        });
        assert_eq!(again.get(&id).unwrap().counter, 5);
        let (merged, _) = merge(&again, &removed).unwrap();
        assert_eq!(merged.get(&id).unwrap().counter, 5);
        assert_eq!(merge(&used, &merged).unwrap().0, merged);
    }

    #[test]
    fn a_rename_and_a_later_note_elsewhere_both_hold() {
        let base = edit(&Document::new(), "a", 10, |d| {
            *d = doc_with(&[("one", KEYS[0], 10)]);
        });
        let id = id_of(&base, "one");
        let ours = edit(&base, "a", 20, |d| {
            d.rename(&id, None, Some("uno"), 20).unwrap();
        });
        let theirs = edit(&base, "b", 30, |d| {
            d.get_mut(&id).unwrap().note = Some("desk".into());
        });
        let (merged, _) = merge(&ours, &theirs).unwrap();
        let e = merged.get(&id).unwrap();
        assert_eq!(
            (e.account.as_str(), e.note.as_deref()),
            ("uno", Some("desk"))
        );
        assert_eq!(merge(&theirs, &ours).unwrap().0, merged);
    }

    #[test]
    fn devices_take_the_later_change_per_name() {
        let mut base = Document::new();
        base.set_device("desk", "age1desk", false, 10, "a");
        base.set_device("laptop", "age1laptop", false, 10, "a");
        let mut ours = base.clone();
        ours.set_device("laptop", "age1laptop", true, 20, "a");
        let mut theirs = base.clone();
        theirs.set_device("phone", "age1phone", false, 15, "b");
        let (merged, _) = merge(&ours, &theirs).unwrap();
        let live: Vec<&str> = merged.live_devices().map(|d| d.name.as_str()).collect();
        assert_eq!(live, ["desk", "phone"]);
        assert_eq!(merge(&theirs, &ours).unwrap().0, merged);
        assert_eq!(merge(&merged, &base).unwrap().0, merged, "a removal holds");
        // Added again later: back.
        let mut again = merged.clone();
        again.set_device("laptop", "age1laptop2", false, 30, "b");
        let (back, _) = merge(&merged, &again).unwrap();
        assert!(back.live_devices().any(|d| d.key == "age1laptop2"));
    }

    #[test]
    fn newer_documents_are_refused() {
        let mut newer = Document::new();
        newer.version = VERSION + 1;
        assert!(matches!(
            merge(&Document::new(), &newer),
            Err(Error::Newer(_))
        ));
    }

    /// Random edits on two to four copies, merged in random orders: merging is commutative,
    /// associative and idempotent, every order of syncs ends with the same vault, and no key
    /// that was added is lost unless it was removed, or renewed on the copy that held it.
    /// `OTP_TEST_MERGE_SEEDS` runs more seeds than the default 400.
    #[test]
    fn random_edits_converge_without_loss() {
        let accounts = ["a", "b", "c", "d"];
        let secrets: Vec<Secret> = (0u8..24)
            .map(|i| Secret::from_bytes(&[i.wrapping_mul(7).wrapping_add(1); 10]).unwrap())
            .collect();
        let seeds: u64 = std::env::var("OTP_TEST_MERGE_SEEDS")
            .ok()
            .and_then(|n| n.parse().ok())
            .unwrap_or(400);
        for seed in 0..seeds {
            let mut rng = fastrand::Rng::with_seed(seed);
            let mut copies = vec![Document::new(); rng.usize(2..5)];
            // Keys that must survive: (entry id, fingerprint).
            let mut alive: Vec<(String, String)> = Vec::new();
            // Half the seeds let several edits share a second. An addition on one copy and
            // a removal on another in the same second are concurrent, whatever the order
            // they are made in here: which one wins depends on their stamps, so only the
            // seeds whose clock moves between edits check that nothing was lost.
            let ties = seed % 2 == 1;
            let mut now = 100;
            for _ in 0..rng.usize(5..30) {
                now += if ties { rng.i64(0..3) } else { rng.i64(1..3) };
                let c = rng.usize(0..copies.len());
                let device = ["w", "x", "y", "z"][c];
                let account = accounts[rng.usize(0..accounts.len())];
                let secret = secrets[rng.usize(0..secrets.len())].clone();
                let op = rng.u8(0..10);
                if op >= 8 {
                    let other = rng.usize(0..copies.len());
                    let (m, _) = merge(&copies[c], &copies[other]).unwrap();
                    copies[c] = m;
                    continue;
                }
                let before = copies[c].clone();
                let mut doc = before.clone();
                let found = doc.entries.iter().position(|e| e.account == account);
                match (op, found) {
                    (0 | 1, _) => {
                        // Re-adding the same key changes nothing; a new key replaces the
                        // old one (a key renewal).
                        let new = NewEntry::totp("S", account, secret.clone());
                        if let Ok(added @ (Added::New(_) | Added::Replaced(_))) =
                            doc.add(new.clone(), true, now)
                        {
                            let id = added.id().to_string();
                            if let Some(old) = before.get(&id) {
                                let old = (id.clone(), old.secret.fingerprint());
                                alive.retain(|k| *k != old);
                            }
                            alive.push((id, new.secret.fingerprint()));
                        }
                    }
                    (2, Some(i)) => {
                        // The entry goes with the replaced keys kept beside it.
                        let gone = doc.entries.remove(i);
                        let keys: Vec<String> = std::iter::once(&gone)
                            .chain(doc.replaced.iter().filter(|r| r.id == gone.id))
                            .map(|e| e.secret.fingerprint())
                            .collect();
                        alive.retain(|k| k.0 != gone.id || !keys.contains(&k.1));
                    }
                    (3, Some(i)) => doc.entries[i].note = Some(format!("n{now}")),
                    (4, Some(i)) => doc.entries[i].counter += 1,
                    (5, Some(i)) => doc.entries[i].recovery.push(RecoveryCode {
                        code: format!("r{}", rng.u8(0..4)),
                        used: rng.bool().then_some(now),
                    }),
                    (6, Some(i)) => {
                        let issuer = format!("T{}", rng.u8(0..3));
                        let id = doc.entries[i].id.clone();
                        let _ = doc.rename(&id, Some(&issuer), None, now);
                    }
                    (7, Some(i)) => {
                        if let Some(code) = doc.entries[i]
                            .recovery
                            .iter_mut()
                            .find(|r| r.used.is_none())
                        {
                            code.used = Some(now);
                        }
                    }
                    _ => {}
                }
                doc.stamp_changes(&before, now, device);
                copies[c] = doc;
            }
            let m = |x: &Document, y: &Document| merge(x, y).unwrap().0;
            for x in &copies {
                for y in &copies {
                    for z in &copies {
                        assert_eq!(
                            m(&m(x, y), z),
                            m(x, &m(y, z)),
                            "seed {seed}: not associative"
                        );
                    }
                    let xy = m(x, y);
                    assert_eq!(xy, m(y, x), "seed {seed}: not commutative");
                    assert_eq!(m(&xy, &xy), xy, "seed {seed}: not idempotent");
                    assert_eq!(m(&xy, y), xy, "seed {seed}: not idempotent");
                }
            }
            // Every order of merging all copies gives one vault.
            let all = copies[1..]
                .iter()
                .fold(copies[0].clone(), |acc, d| m(&acc, d));
            for _ in 0..3 {
                let mut order: Vec<usize> = (0..copies.len()).collect();
                rng.shuffle(&mut order);
                let folded = order[1..]
                    .iter()
                    .fold(copies[order[0]].clone(), |acc, &i| m(&copies[i], &acc));
                assert_eq!(folded, all, "seed {seed}: the order of merges mattered");
            }
            // Synced through one remote in a random order, twice: every copy ends the same.
            let mut remote = Document::new();
            for _ in 0..2 {
                let mut order: Vec<usize> = (0..copies.len()).collect();
                rng.shuffle(&mut order);
                for i in order {
                    copies[i] = m(&copies[i], &remote);
                    remote = copies[i].clone();
                }
            }
            for copy in &copies {
                assert_eq!(*copy, all, "seed {seed}: did not converge");
            }
            let kept: Vec<(String, String)> = all
                .entries
                .iter()
                .chain(&all.replaced)
                .map(|e| (e.id.clone(), e.secret.fingerprint()))
                .collect();
            for key in alive.iter().filter(|_| !ties) {
                assert!(kept.contains(key), "seed {seed}: lost {key:?}");
            }
        }
    }
}
