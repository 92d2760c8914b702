/*!
The optional configuration file (TOML, `~/.config/otp/config.toml`).

Unknown keys are an error that names the key, so a typo never silently does nothing.
*/

use crate::keys::Backend;
use crate::keys::cache::MAX_SECONDS as MAX_KEY_CACHE_SECONDS;
use serde::Deserialize;
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("cannot read config {}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("invalid config {}: {message}", path.display())]
    Invalid { path: PathBuf, message: String },
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Config {
    /// Vault file path.
    pub vault: Option<PathBuf>,
    /// Key backend: keyring, identity-file or passphrase.
    pub backend: Option<Backend>,
    /// Identity file of the identity-file backend.
    pub identity: Option<PathBuf>,
    /// Backup recipients (`age1…`): the vault is always encrypted to these as well.
    #[serde(default)]
    pub recipients: Vec<String>,
    /// Seconds after which a copied code is cleared from the clipboard (0: never).
    pub clipboard_clear_seconds: Option<u64>,
    /// Seconds a key fetched from the OS keyring stays cached in the kernel keyring (0: off).
    pub key_cache_seconds: Option<u64>,
}

impl Config {
    /// Reads the config at `path`. A missing file is an empty config unless `required`.
    pub(crate) fn load(path: &Path, required: bool) -> Result<Config, Error> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !required => {
                return Ok(Config::default());
            }
            Err(source) => {
                return Err(Error::Io {
                    path: path.to_path_buf(),
                    source,
                });
            }
        };
        Config::parse(&text, path)
    }

    /// Reads a config's text; `path` names it in errors.
    pub(crate) fn parse(text: &str, path: &Path) -> Result<Config, Error> {
        let invalid = |message: String| Error::Invalid {
            path: path.to_path_buf(),
            message,
        };
        let config: Config = toml::from_str(text).map_err(|e| invalid(e.message().to_string()))?;
        if let Some(s) = config
            .key_cache_seconds
            .filter(|&s| s > MAX_KEY_CACHE_SECONDS)
        {
            return Err(invalid(format!(
                "key_cache_seconds = {s} is above {MAX_KEY_CACHE_SECONDS} (a day): the cache \
                 is meant to be short-lived; 0 turns it off"
            )));
        }
        for r in &config.recipients {
            r.parse::<age::x25519::Recipient>()
                .map_err(|_| invalid(format!("recipient {r:?} is not an age1… public key")))?;
        }
        Ok(config)
    }

    /// The backup recipients, parsed (validated in [`Config::load`]).
    pub(crate) fn recipients(&self) -> Vec<age::x25519::Recipient> {
        self.recipients
            .iter()
            .filter_map(|r| r.parse().ok())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(text: &str) -> Result<Config, Error> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        std::fs::write(&path, text).unwrap();
        Config::load(&path, true)
    }

    #[test]
    fn known_keys() {
        let c = load("backend = \"identity-file\"\nrecipients = []\n").unwrap();
        assert_eq!(c.backend, Some(Backend::IdentityFile));
    }

    #[test]
    fn unknown_key_is_named() {
        let err = load("bakend = \"keyring\"\n").unwrap_err().to_string();
        assert!(err.contains("bakend"), "{err}");
    }

    #[test]
    fn key_cache_seconds() {
        assert_eq!(
            load("key_cache_seconds = 0\n").unwrap().key_cache_seconds,
            Some(0)
        );
        assert_eq!(
            load("key_cache_seconds = 86400\n")
                .unwrap()
                .key_cache_seconds,
            Some(86_400)
        );
        let err = load("key_cache_seconds = 86401\n").unwrap_err().to_string();
        assert!(err.contains("key_cache_seconds"), "{err}");
        assert!(load("key_cache_seconds = -1\n").is_err());
    }

    #[test]
    fn bad_recipient() {
        let err = load("recipients = [\"age1nope\"]\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("age1nope"), "{err}");
    }

    #[test]
    fn missing_file() {
        let dir = tempfile::tempdir().unwrap();
        assert!(Config::load(&dir.path().join("none.toml"), false).is_ok());
        assert!(Config::load(&dir.path().join("none.toml"), true).is_err());
    }
}
