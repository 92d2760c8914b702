/*!
Conflict copies: the files a sync tool leaves beside the vault when two machines changed it
at once. Syncthing names them `vault.sync-conflict-20240102-030405-ABCDEFG.age`; Dropbox
`vault (Alice's conflicted copy 2024-01-02).age`; Nextcloud `vault (conflicted copy
2024-01-02 030405).age`. `otp merge` merges them into the vault.
*/

use std::path::{Path, PathBuf};

/// The conflict copies beside the vault at `vault`, sorted by name. A directory that cannot
/// be read has none.
pub(crate) fn find(vault: &Path) -> Vec<PathBuf> {
    let (Some(name), dir) = (vault.file_name(), vault.parent()) else {
        return Vec::new();
    };
    let dir = match dir {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let Ok(listing) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let name = name.to_string_lossy();
    let mut found: Vec<PathBuf> = listing
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .filter(|e| is_conflict_copy(&name, &e.file_name().to_string_lossy()))
        .map(|e| e.path())
        .collect();
    found.sort();
    found
}

/// Whether `candidate` is a sync tool's conflict copy of the file named `vault`.
pub(crate) fn is_conflict_copy(vault: &str, candidate: &str) -> bool {
    let (stem, ext) = match vault.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => (stem, format!(".{ext}")),
        _ => (vault, String::new()),
    };
    let Some(middle) = candidate
        .strip_prefix(stem)
        .and_then(|rest| rest.strip_suffix(ext.as_str()))
    else {
        return false;
    };
    let middle = middle.to_lowercase();
    middle.starts_with(".sync-conflict-")
        || (middle.starts_with(" (") && middle.ends_with(')') && middle.contains("conflicted copy"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_of_sync_tools() {
        for name in [
            "vault.sync-conflict-20240102-030405-ABCDEFG.age",
            "vault (Alice's conflicted copy 2024-01-02).age",
            "vault (conflicted copy 2024-01-02 030405).age",
        ] {
            assert!(is_conflict_copy("vault.age", name), "{name}");
        }
        for name in [
            "vault.age",
            "vault.age.bak",
            "vault.age.lock",
            "other.sync-conflict-20240102-030405-ABCDEFG.age",
            "vault.sync-conflict-20240102-030405-ABCDEFG.age.tmp",
            "vault (copy).age",
        ] {
            assert!(!is_conflict_copy("vault.age", name), "{name}");
        }
    }

    #[test]
    fn finds_them_beside_the_vault() {
        let dir = tempfile::tempdir().unwrap();
        let vault = dir.path().join("vault.age");
        for name in ["vault.age", "vault.sync-conflict-1-2-X.age", "notes.txt"] {
            std::fs::write(dir.path().join(name), b"x").unwrap();
        }
        assert_eq!(
            find(&vault),
            vec![dir.path().join("vault.sync-conflict-1-2-X.age")]
        );
    }
}
