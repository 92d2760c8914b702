/*!
The unlocked-key cache: a vault's identity, once fetched from the OS keyring, kept for a few
minutes in the Linux kernel's session keyring, the way ssh-agent and gpg-agent keep keys.

Why: asking the Secret Service costs a D-Bus connection, a session with its Diffie-Hellman
negotiation and a lookup, several milliseconds on every `otp code`, against about one for the
rest of the command. The kernel answers in microseconds.

What is kept, and how it is bounded:
- one key of type `user` per vault, described `otp:vault-key:<canonical vault path>`, holding
  the age identity and the times it was cached and expires, in the session keyring (where a
  process has no session keyring of its own the kernel gives it the per-user session keyring);
- possessor-only permissions: only processes that hold that session keyring read it, not
  other processes of the same user outside the session;
- a kernel timeout of the configured lifetime (config `key_cache_seconds`), and the same
  deadline inside the payload, checked on every read, so that a key whose timeout could not
  be set is still never used after it;
- kernel memory only: never on disk, never swapped, zeroed when freed; gone at reboot at the
  latest, and with the login session where the session keyring is per login.

The Secret Service stays the store of record: the cache is filled only from it and never
written back; storing or deleting a key drops the vault's cached key, and so does `otp lock`.
Any failure of the kernel keyring (none in this kernel, or a sandbox that forbids it) reads as
an empty cache: the caller asks the Secret Service as before. On systems other than Linux
nothing is cached.
*/

use std::sync::atomic::{AtomicU64, Ordering};

/// The lifetime unless the config says otherwise: long enough for a burst of logins, short
/// enough that a key left behind is not left for long.
pub(crate) const DEFAULT_SECONDS: u64 = 300;
/// The longest lifetime the config accepts: a cache is a convenience, not a second store.
pub(crate) const MAX_SECONDS: u64 = 86_400;

/// Seconds a fetched key stays cached; 0 turns the cache off. The library starts with it
/// off; the command line sets it once from the config ([`set_lifetime`]).
static LIFETIME: AtomicU64 = AtomicU64::new(0);

/// Sets the lifetime of keys cached from now on (capped at [`MAX_SECONDS`]); 0 turns the
/// cache off, for reading too.
pub(crate) fn set_lifetime(seconds: u64) {
    LIFETIME.store(seconds.min(MAX_SECONDS), Ordering::Relaxed);
}

pub(crate) fn lifetime() -> u64 {
    LIFETIME.load(Ordering::Relaxed)
}

/// Whether the cache can work here, for `otp doctor`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Status {
    /// Keys are kept this many seconds.
    Active(u64),
    /// `key_cache_seconds = 0`.
    Off,
    /// No usable kernel keyring (or not Linux): why.
    Unavailable(String),
}

#[cfg(target_os = "linux")]
fn description(vault: &str) -> String {
    format!("otp:vault-key:{vault}")
}

#[cfg(target_os = "linux")]
fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// The payload: a version line, then `<cached at> <expires at>` (unix seconds), then the
/// identity. Only the identity is secret. (Built and read on Linux only; unit-tested anywhere.)
#[cfg(any(target_os = "linux", test))]
const MAGIC: &str = "otp-key-cache-v1";

#[cfg(any(target_os = "linux", test))]
fn payload(
    identity: &age::x25519::Identity,
    cached: u64,
    expires: u64,
) -> zeroize::Zeroizing<String> {
    use age::secrecy::ExposeSecret;
    let mut text = zeroize::Zeroizing::new(String::with_capacity(256));
    text.push_str(&format!("{MAGIC}\n{cached} {expires}\n"));
    text.push_str(identity.to_string().expose_secret());
    text
}

/// The identity in a payload, if it is still within both its own deadline and the lifetime
/// configured now (a lifetime shortened since the key was cached applies at once).
#[cfg(any(target_os = "linux", test))]
fn parse(text: &str, now: u64, lifetime: u64) -> Option<age::x25519::Identity> {
    let mut lines = text.splitn(3, '\n');
    if lines.next()? != MAGIC {
        return None;
    }
    let (cached, expires) = lines.next()?.split_once(' ')?;
    let (cached, expires) = (cached.parse::<u64>().ok()?, expires.parse::<u64>().ok()?);
    // A clock set back before the key was cached could otherwise stretch its life.
    let fresh = cached <= now && now < expires && now < cached.saturating_add(lifetime);
    if !fresh {
        return None;
    }
    lines.next()?.trim().parse().ok()
}

#[cfg(target_os = "linux")]
mod kernel {
    use linux_keyutils::{
        Key, KeyError, KeyPermissionsBuilder, KeyRing, KeyRingIdentifier, Permission,
    };

    /// The caller's session keyring. Never created: asked to create one, the kernel would make
    /// a new keyring for this process alone, which would die with it. Without one of its own a
    /// process gets the per-user session keyring.
    pub(crate) fn session() -> Result<KeyRing, KeyError> {
        KeyRing::from_special_id(KeyRingIdentifier::Session, false)
    }

    pub(crate) fn find(description: &str) -> Option<Key> {
        session().ok()?.search(description).ok()
    }

    /// Reads a key's payload into a buffer that is zeroed when dropped.
    pub(crate) fn read(key: &Key) -> Option<zeroize::Zeroizing<String>> {
        let mut buf = zeroize::Zeroizing::new([0u8; 512]);
        let len = key.read(&mut *buf).ok()?;
        let bytes = buf.get(..len)?;
        Some(zeroize::Zeroizing::new(
            std::str::from_utf8(bytes).ok()?.to_string(),
        ))
    }

    pub(crate) fn add(description: &str, payload: &str, timeout: u64) -> Result<(), KeyError> {
        let key = session()?.add_key(description, payload.as_bytes())?;
        // Possessor-only: other processes of the user outside this session see nothing.
        let perms = KeyPermissionsBuilder::builder()
            .posessor(Permission::ALL)
            .build();
        let limited = key
            .set_perms(perms)
            .and_then(|()| key.set_timeout(timeout.try_into().unwrap_or(usize::MAX)));
        if limited.is_err() {
            // Not kept at all rather than kept too widely or too long.
            let _ = key.invalidate();
        }
        limited
    }
}

/// The cached identity of `vault` (its canonical path), if there is a live one.
pub(crate) fn get(vault: &str) -> Option<age::x25519::Identity> {
    let lifetime = lifetime();
    if lifetime == 0 {
        return None;
    }
    #[cfg(target_os = "linux")]
    {
        let key = kernel::find(&description(vault))?;
        let text = kernel::read(&key)?;
        let found = parse(&text, now(), lifetime);
        if found.is_none() {
            // Stale or not ours to read: out of the way of the next fill.
            let _ = key.invalidate();
        }
        found
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = vault;
        None
    }
}

/// Caches `identity` for `vault` for the configured lifetime; does nothing when the cache is
/// off or the kernel keyring is not usable.
pub(crate) fn put(vault: &str, identity: &age::x25519::Identity) {
    let lifetime = lifetime();
    if lifetime == 0 {
        return;
    }
    #[cfg(target_os = "linux")]
    {
        let now = now();
        let text = payload(identity, now, now.saturating_add(lifetime));
        let _ = kernel::add(&description(vault), &text, lifetime);
    }
    #[cfg(not(target_os = "linux"))]
    let _ = (vault, identity);
}

/// Drops the cached key of `vault`; true if there was one. Works whatever the lifetime, so
/// that turning the cache off and `otp lock` still clear what an earlier run kept.
pub(crate) fn forget(vault: &str) -> bool {
    #[cfg(target_os = "linux")]
    {
        kernel::find(&description(vault)).is_some_and(|key| key.invalidate().is_ok())
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = vault;
        false
    }
}

/// Whether a live key of `vault` is cached now.
pub(crate) fn holds(vault: &str) -> bool {
    #[cfg(target_os = "linux")]
    {
        kernel::find(&description(vault))
            .and_then(|key| kernel::read(&key))
            .is_some_and(|text| parse(&text, now(), lifetime()).is_some())
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = vault;
        false
    }
}

pub(crate) fn status() -> Status {
    if cfg!(not(target_os = "linux")) {
        return Status::Unavailable("only Linux has a kernel keyring".into());
    }
    let lifetime = lifetime();
    if lifetime == 0 {
        return Status::Off;
    }
    #[cfg(target_os = "linux")]
    if let Err(e) = kernel::session() {
        return Status::Unavailable(format!("no kernel session keyring ({e})"));
    }
    Status::Active(lifetime)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payload_round_trip_within_its_lifetime() {
        let id = age::x25519::Identity::generate();
        let text = payload(&id, 1000, 1300);
        let back = parse(&text, 1299, 300).expect("live");
        assert_eq!(back.to_public().to_string(), id.to_public().to_string());
    }

    #[test]
    fn expired_shortened_or_future_payloads_are_not_used() {
        let id = age::x25519::Identity::generate();
        let text = payload(&id, 1000, 1300);
        assert!(parse(&text, 1300, 300).is_none(), "past its deadline");
        assert!(
            parse(&text, 1100, 60).is_none(),
            "lifetime shortened to 60 s"
        );
        assert!(parse(&text, 999, 300).is_none(), "clock set back");
        assert!(parse("something else\n1 2\nx", 1, 300).is_none());
        assert!(parse(&text.replace("1300", "x"), 1100, 300).is_none());
    }

    #[test]
    fn lifetime_is_capped() {
        set_lifetime(u64::MAX);
        assert_eq!(lifetime(), MAX_SECONDS);
        set_lifetime(0);
        if cfg!(target_os = "linux") {
            assert_eq!(status(), Status::Off);
        } else {
            assert!(matches!(status(), Status::Unavailable(_)));
        }
    }
}
