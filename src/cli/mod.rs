/*!
The command line: clap definitions, the resolved [`Context`], and one file per command.

Arguments are parsed by clap into [`Cli`], then settled once into a [`Context`] (vault path,
key backend, colour, terminal detection, the time). Commands receive the context and never
look at flags, the environment or the config themselves.
*/

mod add;
mod code;
pub mod completions;
mod context;
mod device;
mod doctor;
mod export;
mod import;
mod init;
mod key;
mod list;
mod lock;
mod merge;
mod merge_driver;
mod note;
mod pick;
mod qr;
mod recovery;
mod rename;
mod rm;
// Signals, exit statuses and the pseudo-terminal are Unix's here; not yet ported to Windows.
#[cfg(unix)]
mod run;
mod serve_clipboard;
mod sync;
mod type_;
mod uri;
mod watch;

pub(crate) use context::Context;

use crate::keys::Backend;
use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};

#[derive(Debug, Parser)]
#[command(
    name = "otp",
    version,
    about = "TOTP/HOTP authenticator with an age-encrypted vault",
    long_about = "TOTP/HOTP authenticator with an age-encrypted vault.\n\n\
        Add an account from the otpauth URI a service shows (or its QR code), then ask for \
        codes by any part of its name:\n\n    \
        otp add 'otpauth://totp/GitHub:alice?secret=…'\n    otp code github",
    after_help = "Exit codes: 0 success, 1 error, 2 usage error, 3 no entry matches, \
        4 query is ambiguous, 5 the vault cannot be unlocked."
)]
pub struct Cli {
    #[command(flatten)]
    pub options: Options,

    #[command(subcommand)]
    pub command: Command,
}

/// The options every command takes, before or after its name (`otp --vault V code x` or
/// `otp code x --vault V`). Listed after a command's own options.
#[derive(Debug, Clone, clap::Args)]
pub struct Options {
    /// Vault file [default: ~/.local/share/otp/vault.age]
    #[arg(long, env = "OTP_VAULT", value_name = "PATH", display_order = 100)]
    pub vault: Option<PathBuf>,

    /// Config file [default: ~/.config/otp/config.toml]
    #[arg(long, env = "OTP_CONFIG", value_name = "PATH", display_order = 101)]
    pub config: Option<PathBuf>,

    /// Where the vault key lives [default: keyring]
    #[arg(long, env = "OTP_BACKEND", value_enum, display_order = 102)]
    pub backend: Option<Backend>,

    /// age identity file; selects the identity-file backend
    /// [default: ~/.config/otp/identity.txt]
    #[arg(
        long,
        env = "OTP_IDENTITY_FILE",
        value_name = "PATH",
        display_order = 103
    )]
    pub identity: Option<PathBuf>,

    /// When to use colours (NO_COLOR is honoured)
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, display_order = 104)]
    pub color: ColorChoice,
}

impl Options {
    /// The options as arguments of a subcommand, and (`global`) of the subcommands below it.
    fn added_to(cmd: clap::Command) -> clap::Command {
        let options = <Options as clap::Args>::augment_args(clap::Command::new("otp"));
        options
            .get_arguments()
            .fold(cmd, |cmd, arg| cmd.arg(arg.clone().global(true)))
    }

    /// Takes over the options given on the command line after the subcommand's name.
    fn update_from_subcommand(&mut self, sub: &clap::ArgMatches) -> Result<(), clap::Error> {
        use clap::FromArgMatches;
        use clap::parser::ValueSource;
        let given = Options::from_arg_matches(sub)?;
        let after = |id: &str| sub.value_source(id) == Some(ValueSource::CommandLine);
        if after("vault") {
            self.vault = given.vault;
        }
        if after("config") {
            self.config = given.config;
        }
        if after("backend") {
            self.backend = given.backend;
        }
        if after("identity") {
            self.identity = given.identity;
        }
        if after("color") {
            self.color = given.color;
        }
        Ok(())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create an empty vault and its key
    Init(Deferred<init::Args>),
    /// Add accounts from otpauth URIs, stdin, or by hand
    Add(Deferred<add::Args>),
    /// Print the current code of an entry
    Code(Deferred<code::Args>),
    /// List entries
    #[command(visible_alias = "ls")]
    List(Deferred<list::Args>),
    /// Remove an entry
    Rm(Deferred<rm::Args>),
    /// Change an entry's issuer or account name
    Rename(Deferred<rename::Args>),
    /// Set (or, with empty TEXT, clear) an entry's note
    Note(Deferred<note::Args>),
    /// Print an entry's otpauth URI (it contains the secret)
    Uri(Deferred<uri::Args>),
    /// Live view of codes with countdowns
    Watch(Deferred<watch::Args>),
    /// Show an entry as a QR code, to enrol a second device
    Qr(Deferred<qr::Args>),
    /// Keep and use an account's recovery (backup) codes
    Recovery(Deferred<recovery::Args>),
    /// Back up the vault (passphrase-encrypted by default)
    Export(Deferred<export::Args>),
    /// Bring entries in from a backup or another app's export
    Import(Deferred<import::Args>),
    /// Recovery kit and key management
    Key(Deferred<key::Args>),
    /// Merge other copies of the vault into it (sync conflict copies, backups)
    ///
    /// Entries are matched by id: added on either side are kept, removed on one side are
    /// removed (a key renewed on the other stays), changed on both take the later change. A
    /// key that loses to a later change elsewhere is kept and shown by `otp list`. Without FILE, merges
    /// the conflict copies a sync tool (Syncthing, Dropbox, Nextcloud) left beside the vault,
    /// and deletes them once merged.
    Merge(Deferred<merge::Args>),
    /// Keep the vault in step with other machines through a git remote
    ///
    /// `--init URL` makes the vault's folder a git repository with remote URL (any URL git
    /// accepts); `--clone URL` fetches the vault on a new machine. Then `otp sync` commits,
    /// fetches, merges the remote's vault into this one (as `otp merge` does), and pushes.
    /// Only the encrypted vault is committed. git merges the vault through otp, which it
    /// registers as the repository's merge driver, so a plain `git pull` merges it too.
    Sync(Deferred<sync::Args>),
    /// The machines the vault is shared with, each with its own key
    ///
    /// `otp device id` prints this machine's public key; on a machine that has the vault,
    /// `otp device add AGE1KEY --name NAME` re-encrypts it to that key too, and every later
    /// write keeps encrypting to all devices. No secret key leaves its machine.
    Device(Deferred<device::Args>),
    /// Check the vault, its key, permissions, clipboard and clock
    Doctor(Deferred<doctor::Args>),
    /// Forget the vault's key cached from the OS keyring, at once
    ///
    /// A key fetched from the OS keyring is kept a few minutes (config key_cache_seconds,
    /// default 300; 0 turns this off) in the kernel's session keyring, so that `otp code`
    /// need not ask the keyring service every time. `otp lock` drops that copy now; the key
    /// in the OS keyring stays.
    Lock(Deferred<lock::Args>),
    /// Run a command with a code in its environment, on its stdin, or typed at its prompts
    #[cfg(unix)]
    Run(Deferred<run::Args>),
    /// Choose an entry by fuzzy search (or with a menu program) and copy or print its code
    Pick(Deferred<pick::Args>),
    /// Type an entry's code into the focused window (wtype or xdotool)
    Type(Deferred<type_::Args>),
    /// Internal: the detached process that serves a copied code (`code -c`)
    #[command(name = "__serve-clipboard", hide = true)]
    ServeClipboard(Deferred<serve_clipboard::Args>),
    /// Internal: git's merge driver for the vault file (`otp sync` registers it)
    #[command(name = "__merge-driver", hide = true)]
    MergeDriver(Deferred<merge_driver::Args>),
    /// Print a shell completion script
    Completions(Deferred<completions::Args>),
    /// Internal: entry names for the completion scripts, or nothing if that needs a prompt
    #[command(name = "__complete-names", hide = true)]
    CompleteNames(Deferred<completions::NamesArgs>),
}

/// A subcommand's arguments, defined only when that subcommand is the one being run (or
/// when help, completions or man pages need them all).
///
/// clap builds every argument of every subcommand before it parses anything; `otp code`
/// runs often and must start fast (docs/CONTRACT.md, "Quality bars"), so each subcommand's
/// arguments are deferred, the shared [`Options`] among them. (Declared `global`, clap would copy the five options
/// into all seventeen subcommands on every run: 85 copies, with their help texts.)
#[derive(Debug)]
pub struct Deferred<T>(pub T);

/// Whether [`Deferred`] defers. Completion scripts walk the whole tree, `otp help key …`
/// included, which clap lays out before deferred arguments exist: [`full_command`] turns
/// deferral off.
static DEFER: AtomicBool = AtomicBool::new(true);

/// The whole command tree, nothing deferred: for completions and man pages. The shared
/// options are global there, as they are in effect.
pub(crate) fn full_command() -> clap::Command {
    DEFER.store(false, Ordering::Relaxed);
    <Cli as clap::CommandFactory>::command().mut_args(|arg| arg.global(true))
}

/// Parses the command line: the shared options may come before or after the subcommand.
pub fn parse() -> Result<Cli, clap::Error> {
    use clap::FromArgMatches;
    let matches = <Cli as clap::CommandFactory>::command().try_get_matches()?;
    let mut cli = Cli::from_arg_matches(&matches)?;
    if let Some((_, sub)) = matches.subcommand() {
        cli.options.update_from_subcommand(sub)?;
    }
    Ok(cli)
}

impl<T: clap::Args> clap::Args for Deferred<T> {
    fn group_id() -> Option<clap::Id> {
        T::group_id()
    }
    fn augment_args(cmd: clap::Command) -> clap::Command {
        if DEFER.load(Ordering::Relaxed) {
            cmd.defer(|cmd| Options::added_to(T::augment_args(cmd)))
        } else {
            T::augment_args(cmd)
        }
    }
    fn augment_args_for_update(cmd: clap::Command) -> clap::Command {
        if DEFER.load(Ordering::Relaxed) {
            cmd.defer(|cmd| Options::added_to(T::augment_args_for_update(cmd)))
        } else {
            T::augment_args_for_update(cmd)
        }
    }
}

impl<T: clap::FromArgMatches> clap::FromArgMatches for Deferred<T> {
    fn from_arg_matches(matches: &clap::ArgMatches) -> std::result::Result<Self, clap::Error> {
        T::from_arg_matches(matches).map(Deferred)
    }
    fn from_arg_matches_mut(
        matches: &mut clap::ArgMatches,
    ) -> std::result::Result<Self, clap::Error> {
        T::from_arg_matches_mut(matches).map(Deferred)
    }
    fn update_from_arg_matches(
        &mut self,
        matches: &clap::ArgMatches,
    ) -> std::result::Result<(), clap::Error> {
        self.0.update_from_arg_matches(matches)
    }
    fn update_from_arg_matches_mut(
        &mut self,
        matches: &mut clap::ArgMatches,
    ) -> std::result::Result<(), clap::Error> {
        self.0.update_from_arg_matches_mut(matches)
    }
}

/// Says once, on stderr, that a sync tool left conflict copies beside the vault.
fn notice_conflict_copies(ctx: &Context) {
    let found = crate::vault::conflicts::find(&ctx.vault.path);
    if found.is_empty() {
        return;
    }
    let copies = if found.len() == 1 { "copy" } else { "copies" };
    let text = format!(
        "otp: {} conflict {copies} of the vault beside it (from a sync tool); merge with `otp merge`",
        found.len()
    );
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "{text}");
}

/// Runs the parsed command line.
pub fn run(cli: Cli) -> crate::error::Result<()> {
    match &cli.command {
        Command::Completions(args) => return completions::run(&args.0),
        Command::ServeClipboard(args) => return serve_clipboard::run(&args.0),
        Command::CompleteNames(_) => return completions::names(&cli),
        _ => {}
    }
    let ctx = Context::resolve(&cli)?;
    crate::keys::cache::set_lifetime(ctx.key_cache_seconds);
    if !matches!(
        cli.command,
        Command::Merge(_) | Command::Doctor(_) | Command::MergeDriver(_)
    ) {
        notice_conflict_copies(&ctx);
    }
    match cli.command {
        Command::Init(args) => init::run(&ctx, args.0),
        Command::Add(args) => add::run(&ctx, args.0),
        Command::Code(args) => code::run(&ctx, args.0),
        Command::List(args) => list::run(&ctx, args.0),
        Command::Rm(args) => rm::run(&ctx, args.0),
        Command::Rename(args) => rename::run(&ctx, args.0),
        Command::Note(args) => note::run(&ctx, args.0),
        Command::Uri(args) => uri::run(&ctx, args.0),
        Command::Watch(args) => watch::run(&ctx, args.0),
        Command::Qr(args) => qr::run(&ctx, args.0),
        Command::Recovery(args) => recovery::run(&ctx, args.0),
        Command::Export(args) => export::run(&ctx, args.0),
        Command::Import(args) => import::run(&ctx, args.0),
        Command::Key(args) => key::run(&ctx, args.0),
        Command::Doctor(args) => doctor::run(&ctx, args.0),
        Command::Lock(args) => lock::run(&ctx, args.0),
        #[cfg(unix)]
        Command::Run(args) => run::run(&ctx, args.0),
        Command::Pick(args) => pick::run(&ctx, args.0),
        Command::Type(args) => type_::run(&ctx, args.0),
        Command::Merge(args) => merge::run(&ctx, args.0),
        Command::Sync(args) => sync::run(&ctx, args.0),
        Command::MergeDriver(args) => merge_driver::run(&ctx, args.0),
        Command::Device(args) => device::run(&ctx, args.0),
        Command::Completions(_) | Command::ServeClipboard(_) | Command::CompleteNames(_) => Ok(()),
    }
}
