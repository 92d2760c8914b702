# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_otp_global_optspecs
    string join \n vault= config= backend= identity= color= h/help V/version
end

function __fish_otp_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_otp_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_otp_using_subcommand
    set -l cmd (__fish_otp_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c otp -n "__fish_otp_needs_command" -l vault -d 'Vault file [default: ~/.local/share/otp/vault.age]' -r -F
complete -c otp -n "__fish_otp_needs_command" -l config -d 'Config file [default: ~/.config/otp/config.toml]' -r -F
complete -c otp -n "__fish_otp_needs_command" -l backend -d 'Where the vault key lives [default: keyring]' -r -f -a "keyring\t''
identity-file\t''
passphrase\t''"
complete -c otp -n "__fish_otp_needs_command" -l identity -d 'age identity file; selects the identity-file backend [default: ~/.config/otp/identity.txt]' -r -F
complete -c otp -n "__fish_otp_needs_command" -l color -d 'When to use colours (NO_COLOR is honoured)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c otp -n "__fish_otp_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c otp -n "__fish_otp_needs_command" -s V -l version -d 'Print version'
complete -c otp -n "__fish_otp_needs_command" -f -a "init" -d 'Create an empty vault and its key'
complete -c otp -n "__fish_otp_needs_command" -f -a "add" -d 'Add accounts from otpauth URIs, stdin, or by hand'
complete -c otp -n "__fish_otp_needs_command" -f -a "code" -d 'Print the current code of an entry'
complete -c otp -n "__fish_otp_needs_command" -f -a "list" -d 'List entries'
complete -c otp -n "__fish_otp_needs_command" -f -a "ls" -d 'List entries'
complete -c otp -n "__fish_otp_needs_command" -f -a "rm" -d 'Remove an entry'
complete -c otp -n "__fish_otp_needs_command" -f -a "rename" -d 'Change an entry\'s issuer or account name'
complete -c otp -n "__fish_otp_needs_command" -f -a "note" -d 'Set (or, with empty TEXT, clear) an entry\'s note'
complete -c otp -n "__fish_otp_needs_command" -f -a "uri" -d 'Print an entry\'s otpauth URI (it contains the secret)'
complete -c otp -n "__fish_otp_needs_command" -f -a "completions" -d 'Print a shell completion script'
complete -c otp -n "__fish_otp_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c otp -n "__fish_otp_using_subcommand init" -l vault -d 'Vault file [default: ~/.local/share/otp/vault.age]' -r -F
complete -c otp -n "__fish_otp_using_subcommand init" -l config -d 'Config file [default: ~/.config/otp/config.toml]' -r -F
complete -c otp -n "__fish_otp_using_subcommand init" -l backend -d 'Where the vault key lives [default: keyring]' -r -f -a "keyring\t''
identity-file\t''
passphrase\t''"
complete -c otp -n "__fish_otp_using_subcommand init" -l identity -d 'age identity file; selects the identity-file backend [default: ~/.config/otp/identity.txt]' -r -F
complete -c otp -n "__fish_otp_using_subcommand init" -l color -d 'When to use colours (NO_COLOR is honoured)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c otp -n "__fish_otp_using_subcommand init" -s h -l help -d 'Print help'
complete -c otp -n "__fish_otp_using_subcommand add" -l issuer -d 'Manual entry: the service\'s name' -r
complete -c otp -n "__fish_otp_using_subcommand add" -l account -d 'Manual entry: your account name at the service' -r
complete -c otp -n "__fish_otp_using_subcommand add" -l type -d 'Manual entry: totp, hotp or steam' -r
complete -c otp -n "__fish_otp_using_subcommand add" -l algorithm -d 'Manual entry: SHA1, SHA256 or SHA512' -r
complete -c otp -n "__fish_otp_using_subcommand add" -l digits -d 'Manual entry: code length, 6 to 10' -r
complete -c otp -n "__fish_otp_using_subcommand add" -l period -d 'Manual entry: seconds each TOTP code is valid' -r
complete -c otp -n "__fish_otp_using_subcommand add" -l counter -d 'Manual entry: the next HOTP counter value' -r
complete -c otp -n "__fish_otp_using_subcommand add" -l vault -d 'Vault file [default: ~/.local/share/otp/vault.age]' -r -F
complete -c otp -n "__fish_otp_using_subcommand add" -l config -d 'Config file [default: ~/.config/otp/config.toml]' -r -F
complete -c otp -n "__fish_otp_using_subcommand add" -l backend -d 'Where the vault key lives [default: keyring]' -r -f -a "keyring\t''
identity-file\t''
passphrase\t''"
complete -c otp -n "__fish_otp_using_subcommand add" -l identity -d 'age identity file; selects the identity-file backend [default: ~/.config/otp/identity.txt]' -r -F
complete -c otp -n "__fish_otp_using_subcommand add" -l color -d 'When to use colours (NO_COLOR is honoured)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c otp -n "__fish_otp_using_subcommand add" -l replace -d 'Replace the key of an existing account (key renewal)'
complete -c otp -n "__fish_otp_using_subcommand add" -l secret-stdin -d 'Manual entry: read the base32 secret from stdin instead of a hidden prompt'
complete -c otp -n "__fish_otp_using_subcommand add" -s h -l help -d 'Print help'
complete -c otp -n "__fish_otp_using_subcommand code" -l wait -d 'If fewer than N seconds remain, wait for the next code first' -r
complete -c otp -n "__fish_otp_using_subcommand code" -l at -d 'Time to compute the code for: unix seconds or RFC 3339 (2026-01-02T03:04:05Z)' -r
complete -c otp -n "__fish_otp_using_subcommand code" -l vault -d 'Vault file [default: ~/.local/share/otp/vault.age]' -r -F
complete -c otp -n "__fish_otp_using_subcommand code" -l config -d 'Config file [default: ~/.config/otp/config.toml]' -r -F
complete -c otp -n "__fish_otp_using_subcommand code" -l backend -d 'Where the vault key lives [default: keyring]' -r -f -a "keyring\t''
identity-file\t''
passphrase\t''"
complete -c otp -n "__fish_otp_using_subcommand code" -l identity -d 'age identity file; selects the identity-file backend [default: ~/.config/otp/identity.txt]' -r -F
complete -c otp -n "__fish_otp_using_subcommand code" -l color -d 'When to use colours (NO_COLOR is honoured)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c otp -n "__fish_otp_using_subcommand code" -l json -d 'Print JSON: code, issuer, account, id, period, remaining, valid_until'
complete -c otp -n "__fish_otp_using_subcommand code" -l next -d 'The next period\'s code instead of the current one'
complete -c otp -n "__fish_otp_using_subcommand code" -s h -l help -d 'Print help'
complete -c otp -n "__fish_otp_using_subcommand list" -l vault -d 'Vault file [default: ~/.local/share/otp/vault.age]' -r -F
complete -c otp -n "__fish_otp_using_subcommand list" -l config -d 'Config file [default: ~/.config/otp/config.toml]' -r -F
complete -c otp -n "__fish_otp_using_subcommand list" -l backend -d 'Where the vault key lives [default: keyring]' -r -f -a "keyring\t''
identity-file\t''
passphrase\t''"
complete -c otp -n "__fish_otp_using_subcommand list" -l identity -d 'age identity file; selects the identity-file backend [default: ~/.config/otp/identity.txt]' -r -F
complete -c otp -n "__fish_otp_using_subcommand list" -l color -d 'When to use colours (NO_COLOR is honoured)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c otp -n "__fish_otp_using_subcommand list" -l codes -d 'Also show current codes and seconds left (HOTP codes are not generated)'
complete -c otp -n "__fish_otp_using_subcommand list" -l json -d 'Print JSON'
complete -c otp -n "__fish_otp_using_subcommand list" -s h -l help -d 'Print help'
complete -c otp -n "__fish_otp_using_subcommand ls" -l vault -d 'Vault file [default: ~/.local/share/otp/vault.age]' -r -F
complete -c otp -n "__fish_otp_using_subcommand ls" -l config -d 'Config file [default: ~/.config/otp/config.toml]' -r -F
complete -c otp -n "__fish_otp_using_subcommand ls" -l backend -d 'Where the vault key lives [default: keyring]' -r -f -a "keyring\t''
identity-file\t''
passphrase\t''"
complete -c otp -n "__fish_otp_using_subcommand ls" -l identity -d 'age identity file; selects the identity-file backend [default: ~/.config/otp/identity.txt]' -r -F
complete -c otp -n "__fish_otp_using_subcommand ls" -l color -d 'When to use colours (NO_COLOR is honoured)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c otp -n "__fish_otp_using_subcommand ls" -l codes -d 'Also show current codes and seconds left (HOTP codes are not generated)'
complete -c otp -n "__fish_otp_using_subcommand ls" -l json -d 'Print JSON'
complete -c otp -n "__fish_otp_using_subcommand ls" -s h -l help -d 'Print help'
complete -c otp -n "__fish_otp_using_subcommand rm" -l vault -d 'Vault file [default: ~/.local/share/otp/vault.age]' -r -F
complete -c otp -n "__fish_otp_using_subcommand rm" -l config -d 'Config file [default: ~/.config/otp/config.toml]' -r -F
complete -c otp -n "__fish_otp_using_subcommand rm" -l backend -d 'Where the vault key lives [default: keyring]' -r -f -a "keyring\t''
identity-file\t''
passphrase\t''"
complete -c otp -n "__fish_otp_using_subcommand rm" -l identity -d 'age identity file; selects the identity-file backend [default: ~/.config/otp/identity.txt]' -r -F
complete -c otp -n "__fish_otp_using_subcommand rm" -l color -d 'When to use colours (NO_COLOR is honoured)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c otp -n "__fish_otp_using_subcommand rm" -s y -l yes -d 'Do not ask for confirmation (needed when stdin is not a terminal)'
complete -c otp -n "__fish_otp_using_subcommand rm" -s h -l help -d 'Print help'
complete -c otp -n "__fish_otp_using_subcommand rename" -l issuer -d 'New issuer (empty to remove it)' -r
complete -c otp -n "__fish_otp_using_subcommand rename" -l account -d 'New account name' -r
complete -c otp -n "__fish_otp_using_subcommand rename" -l vault -d 'Vault file [default: ~/.local/share/otp/vault.age]' -r -F
complete -c otp -n "__fish_otp_using_subcommand rename" -l config -d 'Config file [default: ~/.config/otp/config.toml]' -r -F
complete -c otp -n "__fish_otp_using_subcommand rename" -l backend -d 'Where the vault key lives [default: keyring]' -r -f -a "keyring\t''
identity-file\t''
passphrase\t''"
complete -c otp -n "__fish_otp_using_subcommand rename" -l identity -d 'age identity file; selects the identity-file backend [default: ~/.config/otp/identity.txt]' -r -F
complete -c otp -n "__fish_otp_using_subcommand rename" -l color -d 'When to use colours (NO_COLOR is honoured)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c otp -n "__fish_otp_using_subcommand rename" -s h -l help -d 'Print help'
complete -c otp -n "__fish_otp_using_subcommand note" -l vault -d 'Vault file [default: ~/.local/share/otp/vault.age]' -r -F
complete -c otp -n "__fish_otp_using_subcommand note" -l config -d 'Config file [default: ~/.config/otp/config.toml]' -r -F
complete -c otp -n "__fish_otp_using_subcommand note" -l backend -d 'Where the vault key lives [default: keyring]' -r -f -a "keyring\t''
identity-file\t''
passphrase\t''"
complete -c otp -n "__fish_otp_using_subcommand note" -l identity -d 'age identity file; selects the identity-file backend [default: ~/.config/otp/identity.txt]' -r -F
complete -c otp -n "__fish_otp_using_subcommand note" -l color -d 'When to use colours (NO_COLOR is honoured)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c otp -n "__fish_otp_using_subcommand note" -s h -l help -d 'Print help'
complete -c otp -n "__fish_otp_using_subcommand uri" -l vault -d 'Vault file [default: ~/.local/share/otp/vault.age]' -r -F
complete -c otp -n "__fish_otp_using_subcommand uri" -l config -d 'Config file [default: ~/.config/otp/config.toml]' -r -F
complete -c otp -n "__fish_otp_using_subcommand uri" -l backend -d 'Where the vault key lives [default: keyring]' -r -f -a "keyring\t''
identity-file\t''
passphrase\t''"
complete -c otp -n "__fish_otp_using_subcommand uri" -l identity -d 'age identity file; selects the identity-file backend [default: ~/.config/otp/identity.txt]' -r -F
complete -c otp -n "__fish_otp_using_subcommand uri" -l color -d 'When to use colours (NO_COLOR is honoured)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c otp -n "__fish_otp_using_subcommand uri" -s h -l help -d 'Print help'
complete -c otp -n "__fish_otp_using_subcommand completions" -l vault -d 'Vault file [default: ~/.local/share/otp/vault.age]' -r -F
complete -c otp -n "__fish_otp_using_subcommand completions" -l config -d 'Config file [default: ~/.config/otp/config.toml]' -r -F
complete -c otp -n "__fish_otp_using_subcommand completions" -l backend -d 'Where the vault key lives [default: keyring]' -r -f -a "keyring\t''
identity-file\t''
passphrase\t''"
complete -c otp -n "__fish_otp_using_subcommand completions" -l identity -d 'age identity file; selects the identity-file backend [default: ~/.config/otp/identity.txt]' -r -F
complete -c otp -n "__fish_otp_using_subcommand completions" -l color -d 'When to use colours (NO_COLOR is honoured)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c otp -n "__fish_otp_using_subcommand completions" -s h -l help -d 'Print help'
complete -c otp -n "__fish_otp_using_subcommand help; and not __fish_seen_subcommand_from init add code list rm rename note uri completions help" -f -a "init" -d 'Create an empty vault and its key'
complete -c otp -n "__fish_otp_using_subcommand help; and not __fish_seen_subcommand_from init add code list rm rename note uri completions help" -f -a "add" -d 'Add accounts from otpauth URIs, stdin, or by hand'
complete -c otp -n "__fish_otp_using_subcommand help; and not __fish_seen_subcommand_from init add code list rm rename note uri completions help" -f -a "code" -d 'Print the current code of an entry'
complete -c otp -n "__fish_otp_using_subcommand help; and not __fish_seen_subcommand_from init add code list rm rename note uri completions help" -f -a "list" -d 'List entries'
complete -c otp -n "__fish_otp_using_subcommand help; and not __fish_seen_subcommand_from init add code list rm rename note uri completions help" -f -a "rm" -d 'Remove an entry'
complete -c otp -n "__fish_otp_using_subcommand help; and not __fish_seen_subcommand_from init add code list rm rename note uri completions help" -f -a "rename" -d 'Change an entry\'s issuer or account name'
complete -c otp -n "__fish_otp_using_subcommand help; and not __fish_seen_subcommand_from init add code list rm rename note uri completions help" -f -a "note" -d 'Set (or, with empty TEXT, clear) an entry\'s note'
complete -c otp -n "__fish_otp_using_subcommand help; and not __fish_seen_subcommand_from init add code list rm rename note uri completions help" -f -a "uri" -d 'Print an entry\'s otpauth URI (it contains the secret)'
complete -c otp -n "__fish_otp_using_subcommand help; and not __fish_seen_subcommand_from init add code list rm rename note uri completions help" -f -a "completions" -d 'Print a shell completion script'
complete -c otp -n "__fish_otp_using_subcommand help; and not __fish_seen_subcommand_from init add code list rm rename note uri completions help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
