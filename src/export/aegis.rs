//! `aegis`: an unencrypted Aegis vault (vault version 1, db version 3), entries in vault order.

use super::{Error, Result};
use super::{Format, Output};
use crate::entry::{Entry, Kind};
use crate::vault::Document;
use serde::Serialize;
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

pub(crate) struct Aegis;

impl Format for Aegis {
    fn export(&self, doc: &Document) -> Result<Output> {
        aegis_vault(&doc.entries).map(Output::File)
    }
}

/// An unencrypted Aegis vault (`header` slots and params null), entries in vault order.
fn aegis_vault(entries: &[Entry]) -> Result<Zeroizing<Vec<u8>>> {
    #[derive(Serialize)]
    struct Vault<'a> {
        version: u32,
        header: Header,
        db: Db<'a>,
    }
    #[derive(Serialize)]
    struct Header {
        slots: Option<()>,
        params: Option<()>,
    }
    #[derive(Serialize)]
    struct Db<'a> {
        version: u32,
        entries: Vec<AegisEntry<'a>>,
        groups: [(); 0],
    }
    #[derive(Serialize)]
    struct AegisEntry<'a> {
        #[serde(rename = "type")]
        kind: &'static str,
        uuid: String,
        name: &'a str,
        issuer: &'a str,
        note: &'a str,
        favorite: bool,
        icon: Option<()>,
        info: Info<'a>,
        groups: [(); 0],
    }
    #[derive(Serialize)]
    struct Info<'a> {
        secret: &'a str,
        algo: &'static str,
        digits: u8,
        #[serde(skip_serializing_if = "Option::is_none")]
        period: Option<u32>,
        #[serde(skip_serializing_if = "Option::is_none")]
        counter: Option<u64>,
    }
    let entries = entries
        .iter()
        .map(|e| AegisEntry {
            kind: e.kind.as_str(),
            uuid: aegis_uuid(&e.id),
            name: &e.account,
            issuer: &e.issuer,
            note: e.note.as_deref().unwrap_or(""),
            favorite: false,
            icon: None,
            info: Info {
                secret: e.secret.as_base32(),
                algo: e.algorithm.as_str(),
                digits: e.digits,
                period: (e.kind != Kind::Hotp).then_some(e.period),
                counter: (e.kind == Kind::Hotp).then_some(e.counter),
            },
            groups: [],
        })
        .collect();
    let vault = Vault {
        version: 1,
        header: Header {
            slots: None,
            params: None,
        },
        db: Db {
            version: 3,
            entries,
            groups: [],
        },
    };
    // Aegis writes four-space indents; any JSON reads, but the file looks like its own.
    let mut out = Zeroizing::new(Vec::with_capacity(4096));
    let formatter = serde_json::ser::PrettyFormatter::with_indent(b"    ");
    let mut serializer = serde_json::Serializer::with_formatter(&mut *out, formatter);
    vault.serialize(&mut serializer).map_err(Error::Aegis)?;
    out.push(b'\n');
    Ok(out)
}

/// A stable UUID for an entry (so exporting twice gives the same Aegis entries): the first
/// 16 bytes of SHA-256 of its id, shaped as a version-4 UUID.
fn aegis_uuid(id: &str) -> String {
    let hash = Sha256::digest(format!("otp aegis export uuid\0{id}").as_bytes());
    let mut b = [0u8; 16];
    b.copy_from_slice(&hash[..16]);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuids_are_stable_and_shaped_as_version_4() {
        let a = aegis_uuid("github");
        assert_eq!(a, aegis_uuid("github"));
        assert_ne!(a, aegis_uuid("google"));
        let parts: Vec<&str> = a.split('-').collect();
        assert_eq!(
            parts.iter().map(|p| p.len()).collect::<Vec<_>>(),
            [8, 4, 4, 4, 12]
        );
        assert!(parts[2].starts_with('4'), "{a}");
        assert!(matches!(&parts[3][..1], "8" | "9" | "a" | "b"), "{a}");
    }
}
