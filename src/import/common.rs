//! Helpers the importers share: JSON errors that quote no values, labels and notes for the
//! imported entries, and recognising a JSON format from the shape of its keys.

use serde::de::{DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::fmt;

/// A serde_json error without the values it may quote (a secret in the wrong place).
pub(super) fn json(e: &serde_json::Error) -> String {
    let text = e.to_string();
    let mut out = String::with_capacity(text.len());
    let mut quoted = false;
    for c in text.chars() {
        if c == '"' {
            if !quoted {
                out.push_str("\"…\"");
            }
            quoted = !quoted;
        } else if !quoted {
            out.push(c);
        }
    }
    out
}

/// "Issuer:account" for messages.
pub(super) fn label(issuer: &str, account: &str) -> String {
    let text = match (issuer.is_empty(), account.is_empty()) {
        (true, _) => account.to_string(),
        (false, true) => issuer.to_string(),
        (false, false) => format!("{issuer}:{account}"),
    };
    crate::output::sanitize(&text)
}

/// The note otp keeps: the groups, then the app's own note ("groups: Work; text").
pub(super) fn note(groups: &[&str], text: Option<&str>) -> Option<String> {
    let text = text.map(str::trim).filter(|t| !t.is_empty());
    let groups = (!groups.is_empty()).then(|| format!("groups: {}", groups.join(", ")));
    match (groups, text) {
        (Some(g), Some(t)) => Some(format!("{g}; {t}")),
        (Some(g), None) => Some(g),
        (None, Some(t)) => Some(t.to_string()),
        (None, None) => None,
    }
}

/// What kind of JSON value [`outline`] saw.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum JsonKind {
    Null,
    Bool,
    Number,
    String,
    Array,
    Object,
}

/// The keys of a JSON object and of the objects directly inside it ("header.slots"), with
/// the kind of each value: enough to recognise a format without copying any value.
#[derive(Debug)]
pub(super) struct Outline {
    paths: Vec<(String, JsonKind)>,
    /// False when the text ends before the document does (a truncated file); the paths
    /// then are those seen before the end.
    pub complete: bool,
}

impl Outline {
    pub(crate) fn kind(&self, path: &str) -> Option<JsonKind> {
        self.paths.iter().find(|(p, _)| p == path).map(|(_, k)| *k)
    }
}

/// The outline of `bytes` if they are a JSON object (or the start of one, cut short).
pub(super) fn outline(bytes: &[u8]) -> Option<Outline> {
    if !bytes.trim_ascii_start().starts_with(b"{") {
        return None;
    }
    let mut paths = Vec::new();
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let seed = Walk {
        paths: &mut paths,
        path: String::new(),
        depth: 0,
    };
    let complete = match seed.deserialize(&mut de) {
        Ok(()) => de.end().is_ok().then_some(true)?,
        Err(e) if e.is_eof() => false,
        Err(_) => return None,
    };
    Some(Outline { paths, complete })
}

/// Records the kind of each value down to depth 2 and skips the rest.
struct Walk<'a> {
    paths: &'a mut Vec<(String, JsonKind)>,
    path: String,
    depth: u8,
}

impl Walk<'_> {
    fn seen(self, kind: JsonKind) {
        self.paths.push((self.path, kind));
    }
}

impl<'de> DeserializeSeed<'de> for Walk<'_> {
    type Value = ();

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Walk<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_unit<E>(self) -> Result<(), E> {
        self.seen(JsonKind::Null);
        Ok(())
    }

    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        self.seen(JsonKind::Bool);
        Ok(())
    }

    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        self.seen(JsonKind::Number);
        Ok(())
    }

    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        self.seen(JsonKind::Number);
        Ok(())
    }

    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        self.seen(JsonKind::Number);
        Ok(())
    }

    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        self.seen(JsonKind::String);
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        self.seen(JsonKind::Array);
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let Walk { paths, path, depth } = self;
        paths.push((path.clone(), JsonKind::Object));
        while let Some(key) = map.next_key::<String>()? {
            if depth < 2 {
                let path = if path.is_empty() {
                    key
                } else {
                    format!("{path}.{key}")
                };
                map.next_value_seed(Walk {
                    paths: &mut *paths,
                    path,
                    depth: depth + 1,
                })?;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outline_sees_two_levels_of_keys() {
        let o = outline(br#"{"a": {"b": [1], "c": {"d": 1}}, "e": "x"}"#).unwrap();
        assert!(o.complete);
        assert_eq!(o.kind("a"), Some(JsonKind::Object));
        assert_eq!(o.kind("a.b"), Some(JsonKind::Array));
        assert_eq!(o.kind("a.c"), Some(JsonKind::Object));
        assert_eq!(o.kind("a.c.d"), None);
        assert_eq!(o.kind("e"), Some(JsonKind::String));
        let o = outline(br#"{"a": null, "b": tr"#).unwrap();
        assert!(!o.complete);
        assert_eq!(o.kind("a"), Some(JsonKind::Null));
        assert!(outline(br#"{"a": 1} x"#).is_none());
        assert!(outline(b"{\"a\": ]").is_none());
    }
}
