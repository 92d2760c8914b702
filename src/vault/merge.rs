/*!
Merging two copies of a vault document: a pure function, the same whichever copy is "ours".

The rules (docs/SYNC.md explains them for users):

- Entries are matched by id. One on either side only is kept, unless a tombstone removes it.
- A tombstone removes an entry whose stamp (`updated`, then `by`) is not later than the
  removal, and only if the entry holds a key the tombstone removed: a key renewed on another
  copy is not removed by a removal of the old one.
- An entry on both sides: the later stamp wins (ties: the greater JSON text, so that every
  copy picks the same), except for the names and the note, which follow their own later
  change. The HOTP counter is the larger of the two when both hold the same key;
  recovery codes are the union, and a code used on either side is used. The losing copy's key,
  unless the winner's key is known to replace it, is kept as a replaced-key record.
- Tombstones and replaced-key records are unions. Devices: per name, the later change.

Merging is commutative and idempotent; the result is ordered by creation time and id.
*/

use super::document::{Device, Document, Error, Removed, VERSION};
use crate::entry::{Entry, RecoveryCode};
use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};

/// What a merge changed, seen from the first document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
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
pub fn merge(ours: &Document, theirs: &Document) -> Result<(Document, Vec<Change>), Error> {
    for doc in [ours, theirs] {
        if doc.version > VERSION {
            return Err(Error::Newer(doc.version));
        }
    }
    let merged = merge_documents(ours, theirs);
    let changes = changes(ours, &merged);
    Ok((merged, changes))
}

fn merge_documents(a: &Document, b: &Document) -> Document {
    let mut removed: BTreeMap<&str, Removed> = BTreeMap::new();
    for t in a.removed.iter().chain(&b.removed) {
        match removed.get_mut(t.id.as_str()) {
            Some(kept) => *kept = merge_tombstones(kept, t),
            None => {
                removed.insert(&t.id, normal_tombstone(t));
            }
        }
    }
    let mut replaced: Vec<Entry> = a.replaced.iter().chain(&b.replaced).cloned().collect();
    for record in &mut replaced {
        record.replaces.sort();
        record.replaces.dedup();
    }
    let ids: BTreeSet<&str> = a
        .entries
        .iter()
        .chain(&b.entries)
        .map(|e| e.id.as_str())
        .collect();
    let mut entries = Vec::new();
    for id in ids {
        let entry = match (a.get(id), b.get(id)) {
            (Some(x), Some(y)) => merge_entries(x, y, &mut replaced),
            (Some(x), None) | (None, Some(x)) => x.clone(),
            (None, None) => continue,
        };
        if removed.get(id).is_some_and(|t| removes(t, &entry)) {
            continue;
        }
        let mut entry = entry;
        entry.replaces.sort();
        entry.replaces.dedup();
        entries.push(entry);
    }
    entries.sort_by(|x, y| (x.created, &x.id).cmp(&(y.created, &y.id)));
    Document {
        version: VERSION,
        entries,
        removed: removed.into_values().collect(),
        replaced: merge_replaced(replaced),
        devices: merge_devices(&a.devices, &b.devices),
    }
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

/// The later of two tombstones of one entry, with the keys of both.
fn merge_tombstones(x: &Removed, y: &Removed) -> Removed {
    let later = if (x.at, &x.by) >= (y.at, &y.by) { x } else { y };
    let mut t = later.clone();
    t.keys.extend(x.keys.iter().chain(&y.keys).cloned());
    normal_tombstone(&t)
}

fn normal_tombstone(t: &Removed) -> Removed {
    let mut t = t.clone();
    t.keys.sort();
    t.keys.dedup();
    t
}

/// Whether tombstone `t` removes `entry`: it is not later, and holds a removed key.
fn removes(t: &Removed, entry: &Entry) -> bool {
    (entry.updated, &entry.by) <= (t.at, &t.by) && t.keys.contains(&entry.secret.fingerprint())
}

/// The order of two versions of one entry: stamp, then the JSON text.
fn order(x: &Entry, y: &Entry) -> Ordering {
    (x.updated, &x.by)
        .cmp(&(y.updated, &y.by))
        .then_with(|| json(x).cmp(&json(y)))
}

fn json(e: &Entry) -> zeroize::Zeroizing<Vec<u8>> {
    zeroize::Zeroizing::new(serde_json::to_vec(e).unwrap_or_default())
}

fn merge_entries(x: &Entry, y: &Entry, replaced: &mut Vec<Entry>) -> Entry {
    let (winner, loser) = if order(x, y) == Ordering::Less {
        (y, x)
    } else {
        (x, y)
    };
    let mut merged = winner.clone();
    for key in &loser.replaces {
        if !merged.replaces.contains(key) {
            merged.replaces.push(key.clone());
        }
    }
    merged.replaces.sort();
    if winner.secret == loser.secret {
        merged.counter = winner.counter.max(loser.counter);
    } else {
        let lost = loser.secret.fingerprint();
        if !merged.replaces.contains(&lost) {
            replaced.push(loser.clone());
            merged.replaces.push(lost);
            merged.replaces.sort();
        }
    }
    merged.recovery = merge_recovery(&winner.recovery, &loser.recovery);
    // Names and note follow their own later change, not the entry's.
    let names = |e: &Entry| (e.renamed, e.issuer.clone(), e.account.clone());
    let (renamed, issuer, account) = names(x).max(names(y));
    (merged.renamed, merged.issuer, merged.account) = (renamed, issuer, account);
    let note = |e: &Entry| (e.noted, e.note.clone());
    (merged.noted, merged.note) = note(x).max(note(y));
    merged
}

/// The winner's codes in its order, then the loser's others; used if used on either side
/// (the earlier time).
fn merge_recovery(winner: &[RecoveryCode], loser: &[RecoveryCode]) -> Vec<RecoveryCode> {
    let mut codes: Vec<RecoveryCode> = Vec::new();
    for code in winner.iter().chain(loser) {
        match codes.iter_mut().find(|c| c.code == code.code) {
            Some(kept) => {
                kept.used = match (kept.used, code.used) {
                    (Some(p), Some(q)) => Some(p.min(q)),
                    (p, q) => p.or(q),
                }
            }
            None => codes.push(code.clone()),
        }
    }
    codes
}

/// One record per entry and key (the later copy), ordered by id and key.
fn merge_replaced(records: Vec<Entry>) -> Vec<Entry> {
    let mut by_key: BTreeMap<(String, String), Entry> = BTreeMap::new();
    for record in records {
        let key = (record.id.clone(), record.secret.fingerprint());
        match by_key.get(&key) {
            Some(kept) if order(kept, &record) != Ordering::Less => {}
            _ => {
                by_key.insert(key, record);
            }
        }
    }
    by_key.into_values().collect()
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
    for r in &after.replaced {
        let known = before
            .replaced
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
        // Renamed after the removal: kept.
        let renamed = edit(&base, "b", 30, |d| {
            d.rename(&id, None, Some("uno"), 30).unwrap();
        });
        assert!(merge(&ours, &renamed).unwrap().0.get(&id).is_some());
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
        assert_eq!(merged.replaced.len(), 1);
        assert_eq!(merged.replaced[0].secret.as_base32(), KEYS[1]);
        assert!(changes.contains(&Change::KeptReplacedKey("Site:one".into())));
        // A key renewed on one side only replaces the old one silently.
        let (merged, _) = merge(&base, &theirs).unwrap();
        assert!(merged.replaced.is_empty());
        assert_eq!(merge(&merged, &base).unwrap().0, merged);
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

    /// Random edits on three copies, merged in random orders: merging is commutative and
    /// idempotent, all copies converge, and no key that was added is lost unless it was
    /// removed or renewed on the copy that held it.
    #[test]
    fn random_edits_converge_without_loss() {
        let accounts = ["a", "b", "c", "d"];
        let secrets: Vec<Secret> = (0u8..40)
            .map(|i| Secret::from_bytes(&[i.wrapping_mul(7).wrapping_add(1); 10]).unwrap())
            .collect();
        for seed in 0..300 {
            let mut rng = fastrand::Rng::with_seed(seed);
            let mut copies = vec![Document::new(), Document::new(), Document::new()];
            // Keys that must survive: (account, fingerprint).
            let mut alive: Vec<(String, String)> = Vec::new();
            let mut now = 100;
            for _ in 0..rng.usize(5..25) {
                now += rng.i64(0..3);
                let c = rng.usize(0..copies.len());
                let device = ["x", "y", "z"][c];
                let account = accounts[rng.usize(0..accounts.len())];
                let secret = secrets[rng.usize(0..secrets.len())].clone();
                let op = rng.u8(0..7);
                if op == 6 {
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
                        // Re-adding the same key changes nothing (a removal elsewhere
                        // still removes it); a new key replaces the old one.
                        let new = NewEntry::totp("S", account, secret.clone());
                        let old = found.map(|i| doc.entries[i].secret.fingerprint());
                        if let Ok(Added::New(_) | Added::Replaced(_)) =
                            doc.add(new.clone(), true, now)
                        {
                            alive.retain(|k| Some(&k.1) != old.as_ref() || k.0 != account);
                            alive.push((account.to_string(), new.secret.fingerprint()));
                        }
                    }
                    (2, Some(i)) => {
                        let gone = doc.entries.remove(i);
                        let old = (account.to_string(), gone.secret.fingerprint());
                        alive.retain(|k| *k != old);
                    }
                    (3, Some(i)) => doc.entries[i].note = Some(format!("n{now}")),
                    (4, Some(i)) => doc.entries[i].counter += 1,
                    (5, Some(i)) => doc.entries[i].recovery.push(RecoveryCode {
                        code: format!("r{}", rng.u8(0..4)),
                        used: rng.bool().then_some(now),
                    }),
                    _ => {}
                }
                doc.stamp_changes(&before, now, device);
                copies[c] = doc;
            }
            for x in &copies {
                for y in &copies {
                    let (xy, _) = merge(x, y).unwrap();
                    let (yx, _) = merge(y, x).unwrap();
                    assert_eq!(xy, yx, "seed {seed}: not commutative");
                    assert_eq!(
                        merge(&xy, &xy).unwrap().0,
                        xy,
                        "seed {seed}: not idempotent"
                    );
                    assert_eq!(merge(&xy, y).unwrap().0, xy, "seed {seed}: not idempotent");
                }
            }
            // Sync in a random order until every copy has seen every other.
            for _ in 0..2 {
                let mut order: Vec<usize> = (0..copies.len()).collect();
                rng.shuffle(&mut order);
                for w in order.windows(2) {
                    let (m, _) = merge(&copies[w[0]], &copies[w[1]]).unwrap();
                    copies[w[0]] = m.clone();
                    copies[w[1]] = m;
                }
                let first = order[0];
                let last = order[order.len() - 1];
                let (m, _) = merge(&copies[last], &copies[first]).unwrap();
                copies[first] = m;
            }
            let all = copies[1..]
                .iter()
                .fold(copies[0].clone(), |acc, d| merge(&acc, d).unwrap().0);
            for copy in &copies {
                assert_eq!(
                    merge(copy, &all).unwrap().0,
                    all,
                    "seed {seed}: did not converge"
                );
            }
            let kept: Vec<(String, String)> = all
                .entries
                .iter()
                .chain(&all.replaced)
                .map(|e| (e.account.clone(), e.secret.fingerprint()))
                .collect();
            for key in &alive {
                assert!(kept.contains(key), "seed {seed}: lost {key:?}");
            }
        }
    }
}
