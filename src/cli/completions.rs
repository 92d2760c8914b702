//! `otp completions SHELL`, and the generated files kept in `completions/` and `man/`.
//!
//! clap_complete writes the scripts from the clap definitions; to them we add the completion of
//! entry names (the QUERY of `otp code`, `otp run` …), which only the vault knows: the scripts
//! ask `otp __complete-names`, which prints them when the vault opens without asking anything
//! and prints nothing otherwise, quickly. (clap_complete's dynamic engine would also do this,
//! but replaces every script with a stub that runs `otp` on each Tab, and is still unstable.)

use super::{Cli, Context};
use crate::error::{Error, Result};
use crate::vault::{Settings, Vault, VaultFile, crypto};
use clap_complete::Shell;
use std::time::Duration;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// bash, zsh, fish, elvish or powershell
    pub shell: Shell,
}

/// `otp __complete-names` takes only the shared options.
#[derive(Debug, clap::Args)]
pub struct NamesArgs {}

pub(crate) fn run(args: &Args) -> Result<()> {
    let out = script(args.shell);
    use std::io::Write;
    std::io::stdout()
        .write_all(&out)
        .map_err(|e| Error::io("cannot write output", e))
}

/// Every generated file, by its path in the repository: completion scripts for each shell
/// and a man page for `otp` and each subcommand. A test keeps the committed copies current.
pub fn generated_files() -> Vec<(String, Vec<u8>)> {
    let mut files = Vec::new();
    for shell in [
        Shell::Bash,
        Shell::Zsh,
        Shell::Fish,
        Shell::Elvish,
        Shell::PowerShell,
    ] {
        let out = script(shell);
        let name = match shell {
            Shell::Bash => "otp.bash".to_string(),
            Shell::Zsh => "_otp".to_string(),
            Shell::Fish => "otp.fish".to_string(),
            Shell::Elvish => "otp.elv".to_string(),
            _ => "_otp.ps1".to_string(),
        };
        files.push((format!("completions/{name}"), out));
    }
    let mut cmd = super::full_command();
    cmd.build();
    files.push(("man/otp.1".to_string(), man_page(&cmd)));
    for sub in cmd
        .get_subcommands()
        .filter(|s| s.get_name() != "help" && !s.is_hide_set())
    {
        let name = format!("otp-{}", sub.get_name());
        let sub = sub.clone().name(name.clone());
        files.push((format!("man/{name}.1"), man_page(&sub)));
    }
    files
}

fn man_page(cmd: &clap::Command) -> Vec<u8> {
    let mut out = Vec::new();
    // Rendering into a Vec cannot fail.
    let _ = clap_mangen::Man::new(cmd.clone()).render(&mut out);
    out
}

/// The completion script for `shell`: clap_complete's, plus entry names where it has them.
fn script(shell: Shell) -> Vec<u8> {
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut visible_command(), "otp", &mut out);
    let text = String::from_utf8_lossy(&out).into_owned();
    let text = match shell {
        Shell::Bash => bash_with_names(&text),
        Shell::Zsh => zsh_with_names(&text),
        Shell::Fish => format!("{text}{FISH_NAMES}"),
        _ => text,
    };
    text.into_bytes()
}

/// The command tree without its hidden internal subcommands: clap_complete lists those too.
fn visible_command() -> clap::Command {
    let full = super::full_command();
    let mut root = clap::Command::new(full.get_name().to_string())
        .args(full.get_arguments().cloned())
        .subcommands(full.get_subcommands().filter(|s| !s.is_hide_set()).cloned());
    if let Some(version) = full.get_version() {
        root = root.version(version.to_string());
    }
    if let Some(about) = full.get_about() {
        root = root.about(about.clone());
    }
    root
}

/// The subcommands whose first positional argument is an entry (QUERY).
const NAMED: &str = "code run pick qr uri rm rename note recovery type";

/// Options, of `otp` or of one of [`NAMED`], that take a value as the next word: the word
/// after them is not the QUERY.
const VALUED: &str = "--vault --config --backend --identity --color --env --answer --fresh \
    --at --clear-after --menu --png --issuer --account";

/// clap's `_otp` becomes `_otp_clap`; the new `_otp` completes an entry name where one is
/// wanted and leaves everything else to it.
fn bash_with_names(text: &str) -> String {
    let renamed = text.replacen("_otp() {\n", "_otp_clap() {\n", 1);
    let names = BASH_NAMES.replace("@NAMED@", NAMED).replace(
        "@VALUED@",
        &VALUED.split_whitespace().collect::<Vec<_>>().join("|"),
    );
    format!("{renamed}\n{names}")
}

const BASH_NAMES: &str = r#"# Entry names for QUERY, from `otp __complete-names` (nothing when the vault would need a
# passphrase or a locked keyring), matched case-insensitively; anything else is _otp_clap's.
_otp() {
    local line
    if [[ -n ${COMP_LINE+set} ]]; then
        line=${COMP_LINE:0:${COMP_POINT:-${#COMP_LINE}}}
    else
        line="${COMP_WORDS[*]:0:COMP_CWORD+1}"
    fi
    local -a words
    read -r -a words <<<"$line"
    local cur=""
    if [[ $line != *[[:space:]] && ${#words[@]} -gt 0 ]]; then
        cur=${words[${#words[@]}-1]}
        unset 'words[${#words[@]}-1]'
    fi
    local i w sub="" positional=0 skip=0
    local -a global=()
    for ((i = 1; i < ${#words[@]}; i++)); do
        w=${words[i]}
        if ((skip)); then
            skip=0
            continue
        fi
        case $w in
            --) positional=2 ;;
            --vault | --config | --backend | --identity)
                global+=("$w" "${words[i + 1]}")
                skip=1
                ;;
            --vault=* | --config=* | --backend=* | --identity=*) global+=("$w") ;;
            @VALUED@) skip=1 ;;
            -*) ;;
            *)
                if [[ -z $sub ]]; then
                    sub=$w
                else
                    ((positional++))
                fi
                ;;
        esac
    done
    if [[ -n $sub && $positional -eq 0 && $cur != -* && " @NAMED@ " == *" $sub "* ]]; then
        local name lower=${cur,,} after=${cur##*:}
        local typed=$((${#cur} - ${#after}))
        COMPREPLY=()
        while IFS= read -r name; do
            if [[ ${name,,} == "$lower"* ]]; then
                # Bash splits words at ':' too: reply with the part after the last one typed.
                if [[ $cur == *:* && ${COMP_WORDBREAKS-:} == *:* && -n ${COMP_LINE+set} ]]; then
                    name=${name:typed}
                fi
                COMPREPLY+=("$(printf '%q' "$name")")
            fi
        done < <("${words[0]:-otp}" "${global[@]}" __complete-names 2>/dev/null)
        return 0
    fi
    if (($# >= 2)); then
        _otp_clap "$@"
    else
        _otp_clap "${words[0]:-otp}" "$cur" "${words[${#words[@]}-1]}"
    fi
}
"#;

/// The QUERY arguments complete with `_otp_entry_names` rather than files.
fn zsh_with_names(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + ZSH_NAMES.len());
    for line in text.split_inclusive('\n') {
        if line.starts_with("':query -- ") || line.starts_with("'::query -- ") {
            out.push_str(&line.replacen(":_default'", ":_otp_entry_names'", 1));
        } else {
            out.push_str(line);
        }
    }
    // Defined before the last lines, which run `_otp` straight away when autoloaded.
    let tail = "if [ \"$funcstack[1]\" = \"_otp\" ]; then";
    match out.rfind(tail) {
        Some(at) => format!("{}{ZSH_NAMES}\n{}", &out[..at], &out[at..]),
        None => format!("{out}{ZSH_NAMES}"),
    }
}

const ZSH_NAMES: &str = r#"# Entry names from `otp __complete-names` (nothing when the vault would need a passphrase or
# a locked keyring), matched case-insensitively. By the time a subcommand's arguments are
# completed, `words` starts at the subcommand: the command and the vault, config, backend and
# identity options typed anywhere on the line are read from the line itself.
(( $+functions[_otp_entry_names] )) ||
_otp_entry_names() {
    local -a names typed assign global
    local i word
    typed=(${(z)LBUFFER})
    # Variables set for this command alone (OTP_VAULT=… otp code) apply to the names asked.
    while [[ ${typed[1]} == [A-Za-z_][A-Za-z0-9_]#=* ]]; do
        word=${(Q)typed[1]#*=}
        assign+=(${typed[1]%%=*}=${(q)word/#\~\//$HOME/})
        shift typed
    done
    for (( i = 2; i <= $#typed; i++ )); do
        word=${(Q)typed[i]}
        case $word in
            --vault|--config|--backend|--identity)
                (( i < $#typed )) || break
                global+=($word ${(Q)typed[i + 1]})
                (( i++ ))
                ;;
            --vault=*|--config=*|--backend=*|--identity=*) global+=($word) ;;
        esac
    done
    # A leading ~/ as the shell would expand it.
    global=(${global/#\~\//$HOME/})
    global=(${global/#(#b)(--[a-z]##=)\~\//$match[1]$HOME/})
    names=(${(f)"$(_call_program entries $assign ${(q)${(Q)typed[1]:-otp}} ${(q)global[@]} __complete-names 2>/dev/null)"})
    compadd -M 'm:{a-zA-Z}={A-Za-z}' -a names
}
"#;

const FISH_NAMES: &str = r#"
# Entry names for QUERY, from `otp __complete-names` (nothing when the vault would need a
# passphrase or a locked keyring).
function __fish_otp_wants_entry_name
    set -l cmd (commandline -opc)
    set -e cmd[1]
    set -l positional
    set -l skip 0
    for word in $cmd
        if test $skip -eq 1
            set skip 0
            continue
        end
        switch $word
            case --
                return 1
            case --vault --config --backend --identity --color --env --answer --fresh --at --clear-after --menu --png --issuer --account
                set skip 1
            case '-*'
            case '*'
                set -a positional $word
        end
    end
    test (count $positional) -eq 1
    and contains -- $positional[1] code run pick qr uri rm rename note recovery type
end

function __fish_otp_entry_names
    set -l cmd (commandline -opc)
    # The vault and key named on the line are the ones asked.
    set -l global
    set -l take 0
    for word in $cmd[2..-1]
        if test $take -eq 1
            set -a global $word
            set take 0
            continue
        end
        switch $word
            case --vault --config --backend --identity
                set -a global $word
                set take 1
            case '--vault=*' '--config=*' '--backend=*' '--identity=*'
                set -a global $word
        end
    end
    $cmd[1] $global __complete-names 2>/dev/null
end

complete -c otp -n __fish_otp_wants_entry_name -f -a '(__fish_otp_entry_names)'
"#;

/// How long `otp __complete-names` waits for the vault's key (a keyring that does not answer)
/// before it gives up and prints nothing: a Tab must never hang the shell.
const NAMES_TIMEOUT: Duration = Duration::from_millis(1500);

/// `otp __complete-names`: the entries' `issuer:account` names, one per line, for the
/// completion scripts. Prints nothing, successfully, whenever the vault does not open quickly
/// without asking: no vault, a passphrase vault, a locked or absent keyring.
pub(crate) fn names(cli: &Cli) -> Result<()> {
    let Ok(ctx) = Context::resolve(cli) else {
        return Ok(());
    };
    let settings = ctx.vault.clone();
    let (tx, rx) = std::sync::mpsc::channel();
    // A keyring call can block for good; the thread is left behind when time is up, and ends
    // with the process.
    std::thread::spawn(move || {
        let _ = tx.send(read_names(&settings));
    });
    let Ok(Some(names)) = rx.recv_timeout(NAMES_TIMEOUT) else {
        return Ok(());
    };
    let mut text = String::new();
    for name in names {
        text.push_str(&name);
        text.push('\n');
    }
    ctx.print(&text)
}

/// The names, if the vault opens without a prompt.
fn read_names(settings: &Settings) -> Option<Vec<String>> {
    let bytes = VaultFile::new(settings.path.clone()).read().ok()??;
    // Even with OTP_PASSPHRASE set: scrypt costs a second or more of CPU, too much for a Tab.
    if crypto::lock_of(&bytes).ok()? == crypto::Lock::Passphrase {
        return None;
    }
    let vault = Vault::open(settings).ok()?;
    let mut names: Vec<String> = vault
        .doc
        .entries
        .iter()
        .map(|e| crate::output::sanitize(&e.label()))
        .collect();
    names.sort_by_cached_key(|n| n.to_lowercase());
    Some(names)
}
