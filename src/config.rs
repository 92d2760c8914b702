/*!
The optional configuration file (TOML, `~/.config/otp/config.toml`).

Unknown keys are an error that names the key, so a typo never silently does nothing.
*/

use crate::keys::Backend;
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
pub struct Config {
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
}

impl Config {
    /// Reads the config at `path`. A missing file is an empty config unless `required`.
    pub fn load(path: &Path, required: bool) -> Result<Config, Error> {
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
        let invalid = |message: String| Error::Invalid {
            path: path.to_path_buf(),
            message,
        };
        let config: Config = toml::from_str(&text).map_err(|e| invalid(e.message().to_string()))?;
        for r in &config.recipients {
            r.parse::<age::x25519::Recipient>()
                .map_err(|_| invalid(format!("recipient {r:?} is not an age1… public key")))?;
        }
        Ok(config)
    }

    /// The backup recipients, parsed (validated in [`Config::load`]).
    pub fn recipients(&self) -> Vec<age::x25519::Recipient> {
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
