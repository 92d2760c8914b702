/*!
The `keyring` backend: the vault's age identity in the OS keyring.

We depend on `keyring-core` with explicit platform stores and set the default store ourselves
(the `keyring` crate's own default would override a mock store in tests). On Linux the store
talks to the Secret Service over D-Bus (GNOME Keyring, KWallet, KeePassXC). The Secret Service
is the only store of the key: we never fall back to a plaintext database, nor keep the key
only in the kernel keyring, whose keys expire. What the kernel keyring does hold is a
short-lived copy ([`super::cache`]), so that `otp code` need not ask D-Bus every time.
*/

use super::{Error, cache};
use age::secrecy::ExposeSecret;
use std::str::FromStr;
use std::sync::OnceLock;

const SERVICE: &str = "otp";

/// Connects to the platform store once per process.
fn connect() -> Result<(), Error> {
    static STORE: OnceLock<Result<(), String>> = OnceLock::new();
    STORE
        .get_or_init(|| {
            if keyring_core::get_default_store().is_some() {
                return Ok(()); // a test installed a mock store
            }
            let store = platform_store().map_err(|e| e.to_string())?;
            keyring_core::set_default_store(store);
            Ok(())
        })
        .clone()
        .map_err(Error::KeyringUnavailable)
}

#[cfg(any(target_os = "linux", target_os = "freebsd", target_os = "openbsd"))]
fn platform_store() -> keyring_core::Result<std::sync::Arc<keyring_core::CredentialStore>> {
    Ok(zbus_secret_service_keyring_store::Store::new()?)
}

#[cfg(target_os = "macos")]
fn platform_store() -> keyring_core::Result<std::sync::Arc<keyring_core::CredentialStore>> {
    Ok(apple_native_keyring_store::keychain::Store::new()?)
}

#[cfg(target_os = "windows")]
fn platform_store() -> keyring_core::Result<std::sync::Arc<keyring_core::CredentialStore>> {
    Ok(windows_native_keyring_store::Store::new()?)
}

#[cfg(any(target_os = "linux", target_os = "freebsd", target_os = "openbsd"))]
fn entry(vault: &str) -> Result<keyring_core::Entry, Error> {
    connect()?;
    // The label is what keyring browsers (Seahorse, KeePassXC) show for the item.
    let label = format!("otp vault key for {vault}");
    let modifiers = std::collections::HashMap::from([("label", label.as_str())]);
    keyring_core::Entry::new_with_modifiers(SERVICE, vault, &modifiers).map_err(map)
}

/// Keychain and Credential Manager take no label (their stores refuse the modifier as an
/// unknown key): they show the service and the user, `otp` and the vault path.
#[cfg(not(any(target_os = "linux", target_os = "freebsd", target_os = "openbsd")))]
fn entry(vault: &str) -> Result<keyring_core::Entry, Error> {
    connect()?;
    keyring_core::Entry::new(SERVICE, vault).map_err(map)
}

fn map(e: keyring_core::Error) -> Error {
    match e {
        keyring_core::Error::NoEntry => Error::NoKeyringKey,
        keyring_core::Error::NoStorageAccess(e) => Error::KeyringLocked(e.to_string()),
        keyring_core::Error::NoDefaultStore => Error::KeyringUnavailable("no store".into()),
        keyring_core::Error::PlatformFailure(e) => Error::KeyringUnavailable(e.to_string()),
        other => Error::Keyring(other.to_string()),
    }
}

/// The identity stored in the OS keyring for `vault`, never the cached copy: for callers that
/// must know what the keyring itself holds (restoring a key).
pub(crate) fn load_stored(vault: &str) -> Result<age::x25519::Identity, Error> {
    let secret = zeroize::Zeroizing::new(entry(vault)?.get_password().map_err(map)?);
    age::x25519::Identity::from_str(secret.trim()).map_err(|_| Error::BadKeyringKey)
}

/// Stores (or replaces) the identity for `vault`, and drops its cached copy (before, so that
/// a kill half-way leaves no copy of the old key, and after, for one a reader cached meanwhile).
pub(crate) fn save(vault: &str, identity: &age::x25519::Identity) -> Result<(), Error> {
    cache::forget(vault);
    let saved = entry(vault)?
        .set_password(identity.to_string().expose_secret())
        .map_err(map);
    cache::forget(vault);
    saved
}
