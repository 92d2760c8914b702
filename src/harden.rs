/*!
Process hardening, done first thing in `main`: no core dumps, and no reading of this process's
memory or environment by other processes of the same user.

A core file or a debugger attached to `otp` would hold the vault's X25519 identity, a
passphrase and decrypted secrets; and the release build aborts on panic, which dumps core
where cores are enabled. On Linux, clearing the "dumpable" flag also makes `/proc/PID/environ`
and `/proc/PID/mem` readable by root only, which keeps `OTP_PASSPHRASE` from other processes
of the same user, and refuses `ptrace` from them. Elsewhere on Unix the core size limit is set
to zero (FreeBSD also has a trace-control switch, used as well); other systems get nothing.

Removing `OTP_PASSPHRASE` from the environment after reading it is not done: Rust's
`std::env::remove_var` is unsafe in a process that may have other threads, and this crate
forbids unsafe code.

Tested end to end on a running `otp` in tests/validation.rs.
*/

/// Turns off core dumps and same-user tracing. Failures are ignored: each step only narrows
/// what can leak, and refusing to run would not make a system without it safer.
pub fn harden_process() {
    #[cfg(unix)]
    {
        use rustix::process::{Resource, Rlimit, getrlimit, setrlimit};
        // Only the soft limit: children (`otp run`'s command, git, a menu) inherit it, and
        // keeping the hard one lets them raise it again if they want cores.
        let limit = Rlimit {
            current: Some(0),
            maximum: getrlimit(Resource::Core).maximum,
        };
        let _ = setrlimit(Resource::Core, limit);
    }
    #[cfg(any(target_os = "linux", target_os = "android"))]
    {
        let _ =
            rustix::process::set_dumpable_behavior(rustix::process::DumpableBehavior::NotDumpable);
    }
    #[cfg(target_os = "freebsd")]
    {
        let _ = rustix::process::set_dumpable_behavior(
            None,
            rustix::process::DumpableBehavior::NotDumpable,
        );
    }
}
