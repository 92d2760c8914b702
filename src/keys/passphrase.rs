/*!
The `passphrase` backend: the vault is encrypted with age's scrypt recipient.

The passphrase comes from a hidden prompt on the terminal, or from `OTP_PASSPHRASE` for
scripts (weaker: the environment of a process can be read by the same user).
*/

use super::Error;
use age::secrecy::SecretString;
use zeroize::Zeroizing;

pub(crate) const ENV: &str = "OTP_PASSPHRASE";
/// The new passphrase when `otp key rotate` changes it, for scripts (as weak as [`ENV`]).
pub(crate) const NEW_ENV: &str = "OTP_NEW_PASSPHRASE";

/// Reads the passphrase; `confirm` asks twice (when creating a vault or export).
pub(crate) fn obtain(prompt: &str, confirm: bool) -> Result<SecretString, Error> {
    if let Some(value) = std::env::var_os(ENV) {
        let value = Zeroizing::new(value.to_string_lossy().into_owned());
        return nonempty(&value);
    }
    // rpassword reads /dev/tty; without a controlling terminal there is nobody to ask.
    let first = Zeroizing::new(rpassword::prompt_password(prompt).map_err(no_tty)?);
    if confirm {
        let second = Zeroizing::new(rpassword::prompt_password("Repeat it: ").map_err(no_tty)?);
        if *first != *second {
            return Err(Error::PassphraseMismatch);
        }
    }
    nonempty(&first)
}

/// Reads a new passphrase (asked twice), from [`NEW_ENV`] or the terminal; never from
/// [`ENV`], which holds the current one.
pub(crate) fn obtain_new(prompt: &str) -> Result<SecretString, Error> {
    if let Some(value) = std::env::var_os(NEW_ENV) {
        let value = Zeroizing::new(value.to_string_lossy().into_owned());
        return nonempty(&value);
    }
    let first = Zeroizing::new(rpassword::prompt_password(prompt).map_err(no_tty)?);
    let second = Zeroizing::new(rpassword::prompt_password("Repeat it: ").map_err(no_tty)?);
    if *first != *second {
        return Err(Error::PassphraseMismatch);
    }
    nonempty(&first)
}

fn nonempty(text: &str) -> Result<SecretString, Error> {
    if text.is_empty() {
        return Err(Error::EmptyPassphrase);
    }
    Ok(SecretString::from(text.to_string()))
}

fn no_tty(e: std::io::Error) -> Error {
    match e.raw_os_error() {
        Some(6) /* ENXIO */ | Some(25) /* ENOTTY */ => Error::NoPassphrase,
        _ if e.kind() == std::io::ErrorKind::NotFound => Error::NoPassphrase,
        _ => Error::PassphraseIo(e),
    }
}

/// The most scrypt work a passphrase file may ask for: N = 2^22 (4 GiB of memory, seconds of
/// work). age's own bound is measured on the machine at the time (about 16 times the work it
/// can do in a second): a vault or kit made on a fast, idle machine could then be refused on
/// a slow or busy one, locking its owner out. A fixed bound opens every file age makes on
/// today's machines and still stops a hostile file from asking for hours of work.
pub(crate) const MAX_SCRYPT_WORK_FACTOR: u8 = 22;

/// age's scrypt identity for `passphrase`, with the fixed bound above.
pub(crate) fn scrypt_identity(passphrase: &SecretString) -> age::scrypt::Identity {
    let mut identity = age::scrypt::Identity::new(passphrase.clone());
    identity.set_max_work_factor(MAX_SCRYPT_WORK_FACTOR);
    identity
}
