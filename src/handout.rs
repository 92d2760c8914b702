/*!
Handing out codes: what `otp code`, `otp run`, `otp pick` and `otp type` share.

A time-based code can be asked to be *fresh* (at least N seconds left), in which case the
caller waits for the next period rather than give out a code about to die. A counter-based
(HOTP) code is only ever handed out after its counter has been advanced and stored under the
vault lock, so no value is used twice, even by two `otp` processes at once.
*/

use crate::entry::{Code, Entry};
use crate::query;
use crate::vault::{self, Settings, Vault};
use std::io::Write;
use std::time::Duration;

/// The time whose code has at least `min` seconds left: `t` itself, or the start of the next
/// period when fewer remain at `t`.
pub(crate) fn fresh_time(entry: &Entry, t: i64, min: u32) -> i64 {
    let window = entry.window_at(t);
    if window.remaining < min {
        window.valid_until()
    } else {
        t
    }
}

/// Sleeps until `until` (unix seconds); with `countdown`, shows one line on stderr, rewritten
/// each second, so a person knows why nothing happens.
pub(crate) fn wait_until(until: i64, countdown: bool) {
    let mut err = std::io::stderr();
    let mut shown = false;
    loop {
        let now = jiff::Timestamp::now();
        let left_ms = (until * 1000 - now.as_millisecond()).max(0);
        if left_ms == 0 {
            break;
        }
        if countdown {
            let secs = (left_ms + 999) / 1000;
            let back = if shown { "\r" } else { "" };
            let _ = write!(err, "{back}waiting {secs}s for a fresh code… ");
            let _ = err.flush();
            shown = true;
        }
        // Wake at each whole second of the countdown, and a little past the boundary.
        let step = match left_ms % 1000 {
            0 => 1000,
            part => part,
        };
        std::thread::sleep(Duration::from_millis(step as u64 + 20));
    }
    if shown {
        let _ = writeln!(err);
    }
}

/// The current code of a time-based entry, waiting first when fewer than `fresh` seconds are
/// left (a countdown on stderr with `countdown`).
pub(crate) fn current_code(entry: &Entry, fresh: Option<u32>, countdown: bool) -> Code {
    let now = jiff::Timestamp::now().as_second();
    let t = fresh.map_or(now, |min| fresh_time(entry, now, min));
    if t != now {
        wait_until(t, countdown);
    }
    entry.code_at(t)
}

/// Why a counter code could not be handed out.
#[derive(Debug, thiserror::Error)]
pub(crate) enum Error {
    #[error(transparent)]
    Vault(#[from] vault::Error),
    /// The entry was removed since it was found.
    #[error(transparent)]
    Query(#[from] query::Error),
}

impl From<Error> for crate::error::Error {
    fn from(e: Error) -> Self {
        match e {
            Error::Vault(e) => e.into(),
            Error::Query(e) => e.into(),
        }
    }
}

/// The code for the HOTP entry `id`'s stored counter, after counter+1 has been written: the
/// entry is read again under the lock (an earlier unlocked read may be stale) and the code is
/// returned only once the vault holds the advanced counter. `now` stamps the change.
pub(crate) fn take_counter_code(
    settings: &Settings,
    id: &str,
    now: i64,
) -> Result<(Entry, Code), Error> {
    let mut vault = Vault::open_for_update(settings)?;
    let Some(entry) = vault.doc.get_mut(id) else {
        return Err(query::Error::NoMatch(id.to_string()).into());
    };
    let code = entry.code_for_counter(entry.counter);
    entry.counter += 1;
    entry.updated = now;
    let shown = entry.clone();
    vault.save()?;
    Ok((shown, code))
}

/// A code of `entry` as it is at the moment: a fresh time-based one, or the next HOTP value.
pub(crate) fn code_now(
    settings: &Settings,
    entry: &Entry,
    fresh: Option<u32>,
    countdown: bool,
) -> Result<Code, Error> {
    if entry.is_counter_based() {
        let now = jiff::Timestamp::now().as_second();
        return take_counter_code(settings, &entry.id, now).map(|(_, code)| code);
    }
    Ok(current_code(entry, fresh, countdown))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2023-11-14T22:13:20Z: 20 s into a 30-s period, 10 s left.
    const AT: i64 = 1_700_000_000;

    fn entry() -> Entry {
        crate::uri::parse("otpauth://totp/A:b?secret=JBSWY3DPEHPK3PXP")
            .unwrap()
            .into_entry("t".into(), 0)
    }

    #[test]
    fn fresh_time_moves_to_the_next_period_only_when_too_few_seconds_are_left() {
        let e = entry();
        assert_eq!(fresh_time(&e, AT, 10), AT, "10 s left is enough for 10");
        assert_eq!(
            fresh_time(&e, AT, 11),
            AT + 10,
            "10 s left is not enough for 11"
        );
        assert_eq!(fresh_time(&e, AT, 0), AT);
    }
}
