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
complete -c otp -n "__fish_otp_needs_command" -s h -l help -d 'Print help'
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
complete -c otp -n "__fish_otp_needs_command" -f -a "watch" -d 'Live view of codes with countdowns'
complete -c otp -n "__fish_otp_needs_command" -f -a "qr" -d 'Show an entry as a QR code, to enrol a second device'
complete -c otp -n "__fish_otp_needs_command" -f -a "recovery" -d 'Keep and use an account\'s recovery (backup) codes'
complete -c otp -n "__fish_otp_needs_command" -f -a "export" -d 'Back up the vault (passphrase-encrypted by default)'
complete -c otp -n "__fish_otp_needs_command" -f -a "import" -d 'Bring entries in from a backup or another app\'s export'
complete -c otp -n "__fish_otp_needs_command" -f -a "key" -d 'Recovery kit and key management'
complete -c otp -n "__fish_otp_needs_command" -f -a "merge" -d 'Merge other copies of the vault into it (sync conflict copies, backups)'
complete -c otp -n "__fish_otp_needs_command" -f -a "sync" -d 'Keep the vault in step with other machines through a git remote'
complete -c otp -n "__fish_otp_needs_command" -f -a "device" -d 'The machines the vault is shared with, each with its own key'
complete -c otp -n "__fish_otp_needs_command" -f -a "doctor" -d 'Check the vault, its key, permissions, clipboard and clock'
complete -c otp -n "__fish_otp_needs_command" -f -a "lock" -d 'Forget the vault\'s key cached from the OS keyring, at once'
complete -c otp -n "__fish_otp_needs_command" -f -a "run" -d 'Run a command with a code in its environment, on its stdin, or typed at its prompts'
complete -c otp -n "__fish_otp_needs_command" -f -a "pick" -d 'Choose an entry by fuzzy search (or with a menu program) and copy or print its code'
complete -c otp -n "__fish_otp_needs_command" -f -a "type" -d 'Type an entry\'s code into the focused window (wtype or xdotool)'
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
complete -c otp -n "__fish_otp_using_subcommand add" -l clipboard -d 'Also read a screenshot of a QR code, or otpauth URIs as text, from the clipboard'
complete -c otp -n "__fish_otp_using_subcommand add" -l replace -d 'Replace the key of an existing account (key renewal)'
complete -c otp -n "__fish_otp_using_subcommand add" -l secret-stdin -d 'Manual entry: read the base32 secret from stdin instead of a hidden prompt'
complete -c otp -n "__fish_otp_using_subcommand add" -s h -l help -d 'Print help'
complete -c otp -n "__fish_otp_using_subcommand code" -l wait -d 'If fewer than N seconds remain, wait for the next code first' -r
complete -c otp -n "__fish_otp_using_subcommand code" -l at -d 'Time to compute the code for: unix seconds or RFC 3339 (2026-01-02T03:04:05Z)' -r
complete -c otp -n "__fish_otp_using_subcommand code" -l clear-after -d 'Seconds until the copied code is cleared, 0 for never [default: config clipboard_clear_seconds, or 20]' -r
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
complete -c otp -n "__fish_otp_using_subcommand code" -s c -l copy -d 'Put the code on the clipboard instead of printing it; it is cleared after a delay'
complete -c otp -n "__fish_otp_using_subcommand code" -l osc52 -d 'Copy through the terminal (OSC 52 escape) even when a display is available'
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
complete -c otp -n "__fish_otp_using_subcommand watch" -l vault -d 'Vault file [default: ~/.local/share/otp/vault.age]' -r -F
complete -c otp -n "__fish_otp_using_subcommand watch" -l config -d 'Config file [default: ~/.config/otp/config.toml]' -r -F
complete -c otp -n "__fish_otp_using_subcommand watch" -l backend -d 'Where the vault key lives [default: keyring]' -r -f -a "keyring\t''
identity-file\t''
passphrase\t''"
complete -c otp -n "__fish_otp_using_subcommand watch" -l identity -d 'age identity file; selects the identity-file backend [default: ~/.config/otp/identity.txt]' -r -F
complete -c otp -n "__fish_otp_using_subcommand watch" -l color -d 'When to use colours (NO_COLOR is honoured)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c otp -n "__fish_otp_using_subcommand watch" -s h -l help -d 'Print help'
complete -c otp -n "__fish_otp_using_subcommand qr" -l png -d 'Write a PNG image to FILE instead of drawing on the terminal (created with mode 0600; an existing file is not overwritten)' -r -F
complete -c otp -n "__fish_otp_using_subcommand qr" -l vault -d 'Vault file [default: ~/.local/share/otp/vault.age]' -r -F
complete -c otp -n "__fish_otp_using_subcommand qr" -l config -d 'Config file [default: ~/.config/otp/config.toml]' -r -F
complete -c otp -n "__fish_otp_using_subcommand qr" -l backend -d 'Where the vault key lives [default: keyring]' -r -f -a "keyring\t''
identity-file\t''
passphrase\t''"
complete -c otp -n "__fish_otp_using_subcommand qr" -l identity -d 'age identity file; selects the identity-file backend [default: ~/.config/otp/identity.txt]' -r -F
complete -c otp -n "__fish_otp_using_subcommand qr" -l color -d 'When to use colours (NO_COLOR is honoured)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c otp -n "__fish_otp_using_subcommand qr" -s h -l help -d 'Print help'
complete -c otp -n "__fish_otp_using_subcommand recovery; and not __fish_seen_subcommand_from add list use clear help" -l vault -d 'Vault file [default: ~/.local/share/otp/vault.age]' -r -F
complete -c otp -n "__fish_otp_using_subcommand recovery; and not __fish_seen_subcommand_from add list use clear help" -l config -d 'Config file [default: ~/.config/otp/config.toml]' -r -F
complete -c otp -n "__fish_otp_using_subcommand recovery; and not __fish_seen_subcommand_from add list use clear help" -l backend -d 'Where the vault key lives [default: keyring]' -r -f -a "keyring\t''
identity-file\t''
passphrase\t''"
complete -c otp -n "__fish_otp_using_subcommand recovery; and not __fish_seen_subcommand_from add list use clear help" -l identity -d 'age identity file; selects the identity-file backend [default: ~/.config/otp/identity.txt]' -r -F
complete -c otp -n "__fish_otp_using_subcommand recovery; and not __fish_seen_subcommand_from add list use clear help" -l color -d 'When to use colours (NO_COLOR is honoured)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c otp -n "__fish_otp_using_subcommand recovery; and not __fish_seen_subcommand_from add list use clear help" -s h -l help -d 'Print help'
complete -c otp -n "__fish_otp_using_subcommand recovery; and not __fish_seen_subcommand_from add list use clear help" -a "add" -d 'Store recovery codes (already stored ones are skipped)'
complete -c otp -n "__fish_otp_using_subcommand recovery; and not __fish_seen_subcommand_from add list use clear help" -a "list" -d 'Show the codes; used ones are struck through (terminal) or marked `used DATE`'
complete -c otp -n "__fish_otp_using_subcommand recovery; and not __fish_seen_subcommand_from add list use clear help" -a "use" -d 'Print the first unused code (or CODE) and mark it used'
complete -c otp -n "__fish_otp_using_subcommand recovery; and not __fish_seen_subcommand_from add list use clear help" -a "clear" -d 'Remove all of the entry\'s recovery codes'
complete -c otp -n "__fish_otp_using_subcommand recovery; and not __fish_seen_subcommand_from add list use clear help" -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c otp -n "__fish_otp_using_subcommand recovery; and __fish_seen_subcommand_from add" -l vault -d 'Vault file [default: ~/.local/share/otp/vault.age]' -r -F
complete -c otp -n "__fish_otp_using_subcommand recovery; and __fish_seen_subcommand_from add" -l config -d 'Config file [default: ~/.config/otp/config.toml]' -r -F
complete -c otp -n "__fish_otp_using_subcommand recovery; and __fish_seen_subcommand_from add" -l backend -d 'Where the vault key lives [default: keyring]' -r -f -a "keyring\t''
identity-file\t''
passphrase\t''"
complete -c otp -n "__fish_otp_using_subcommand recovery; and __fish_seen_subcommand_from add" -l identity -d 'age identity file; selects the identity-file backend [default: ~/.config/otp/identity.txt]' -r -F
complete -c otp -n "__fish_otp_using_subcommand recovery; and __fish_seen_subcommand_from add" -l color -d 'When to use colours (NO_COLOR is honoured)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c otp -n "__fish_otp_using_subcommand recovery; and __fish_seen_subcommand_from add" -s h -l help -d 'Print help'
complete -c otp -n "__fish_otp_using_subcommand recovery; and __fish_seen_subcommand_from list" -l vault -d 'Vault file [default: ~/.local/share/otp/vault.age]' -r -F
complete -c otp -n "__fish_otp_using_subcommand recovery; and __fish_seen_subcommand_from list" -l config -d 'Config file [default: ~/.config/otp/config.toml]' -r -F
complete -c otp -n "__fish_otp_using_subcommand recovery; and __fish_seen_subcommand_from list" -l backend -d 'Where the vault key lives [default: keyring]' -r -f -a "keyring\t''
identity-file\t''
passphrase\t''"
complete -c otp -n "__fish_otp_using_subcommand recovery; and __fish_seen_subcommand_from list" -l identity -d 'age identity file; selects the identity-file backend [default: ~/.config/otp/identity.txt]' -r -F
complete -c otp -n "__fish_otp_using_subcommand recovery; and __fish_seen_subcommand_from list" -l color -d 'When to use colours (NO_COLOR is honoured)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c otp -n "__fish_otp_using_subcommand recovery; and __fish_seen_subcommand_from list" -l json -d 'Print JSON: the codes with when each was used (RFC 3339, or null)'
complete -c otp -n "__fish_otp_using_subcommand recovery; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c otp -n "__fish_otp_using_subcommand recovery; and __fish_seen_subcommand_from use" -l vault -d 'Vault file [default: ~/.local/share/otp/vault.age]' -r -F
complete -c otp -n "__fish_otp_using_subcommand recovery; and __fish_seen_subcommand_from use" -l config -d 'Config file [default: ~/.config/otp/config.toml]' -r -F
complete -c otp -n "__fish_otp_using_subcommand recovery; and __fish_seen_subcommand_from use" -l backend -d 'Where the vault key lives [default: keyring]' -r -f -a "keyring\t''
identity-file\t''
passphrase\t''"
complete -c otp -n "__fish_otp_using_subcommand recovery; and __fish_seen_subcommand_from use" -l identity -d 'age identity file; selects the identity-file backend [default: ~/.config/otp/identity.txt]' -r -F
complete -c otp -n "__fish_otp_using_subcommand recovery; and __fish_seen_subcommand_from use" -l color -d 'When to use colours (NO_COLOR is honoured)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c otp -n "__fish_otp_using_subcommand recovery; and __fish_seen_subcommand_from use" -s h -l help -d 'Print help'
complete -c otp -n "__fish_otp_using_subcommand recovery; and __fish_seen_subcommand_from clear" -l vault -d 'Vault file [default: ~/.local/share/otp/vault.age]' -r -F
complete -c otp -n "__fish_otp_using_subcommand recovery; and __fish_seen_subcommand_from clear" -l config -d 'Config file [default: ~/.config/otp/config.toml]' -r -F
complete -c otp -n "__fish_otp_using_subcommand recovery; and __fish_seen_subcommand_from clear" -l backend -d 'Where the vault key lives [default: keyring]' -r -f -a "keyring\t''
identity-file\t''
passphrase\t''"
complete -c otp -n "__fish_otp_using_subcommand recovery; and __fish_seen_subcommand_from clear" -l identity -d 'age identity file; selects the identity-file backend [default: ~/.config/otp/identity.txt]' -r -F
complete -c otp -n "__fish_otp_using_subcommand recovery; and __fish_seen_subcommand_from clear" -l color -d 'When to use colours (NO_COLOR is honoured)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c otp -n "__fish_otp_using_subcommand recovery; and __fish_seen_subcommand_from clear" -s y -l yes -d 'Do not ask for confirmation (needed when stdin is not a terminal)'
complete -c otp -n "__fish_otp_using_subcommand recovery; and __fish_seen_subcommand_from clear" -s h -l help -d 'Print help'
complete -c otp -n "__fish_otp_using_subcommand recovery; and __fish_seen_subcommand_from help" -f -a "add" -d 'Store recovery codes (already stored ones are skipped)'
complete -c otp -n "__fish_otp_using_subcommand recovery; and __fish_seen_subcommand_from help" -f -a "list" -d 'Show the codes; used ones are struck through (terminal) or marked `used DATE`'
complete -c otp -n "__fish_otp_using_subcommand recovery; and __fish_seen_subcommand_from help" -f -a "use" -d 'Print the first unused code (or CODE) and mark it used'
complete -c otp -n "__fish_otp_using_subcommand recovery; and __fish_seen_subcommand_from help" -f -a "clear" -d 'Remove all of the entry\'s recovery codes'
complete -c otp -n "__fish_otp_using_subcommand recovery; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c otp -n "__fish_otp_using_subcommand export" -s o -l output -d 'Write to FILE (mode 0600) instead of stdout' -r -F
complete -c otp -n "__fish_otp_using_subcommand export" -l format -d 'age: passphrase-encrypted vault document; json, uris, aegis: plaintext (need --plaintext); google-qr: Google Authenticator transfer QR codes' -r -f -a "age\t''
json\t''
uris\t''
aegis\t''
google-qr\t''"
complete -c otp -n "__fish_otp_using_subcommand export" -l png-dir -d 'google-qr: write the QR codes as PNG files (mode 0600) into DIR instead of drawing them on the terminal' -r -F
complete -c otp -n "__fish_otp_using_subcommand export" -l vault -d 'Vault file [default: ~/.local/share/otp/vault.age]' -r -F
complete -c otp -n "__fish_otp_using_subcommand export" -l config -d 'Config file [default: ~/.config/otp/config.toml]' -r -F
complete -c otp -n "__fish_otp_using_subcommand export" -l backend -d 'Where the vault key lives [default: keyring]' -r -f -a "keyring\t''
identity-file\t''
passphrase\t''"
complete -c otp -n "__fish_otp_using_subcommand export" -l identity -d 'age identity file; selects the identity-file backend [default: ~/.config/otp/identity.txt]' -r -F
complete -c otp -n "__fish_otp_using_subcommand export" -l color -d 'When to use colours (NO_COLOR is honoured)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c otp -n "__fish_otp_using_subcommand export" -l plaintext -d 'Allow a plaintext format: whoever reads the output has your secrets'
complete -c otp -n "__fish_otp_using_subcommand export" -s h -l help -d 'Print help'
complete -c otp -n "__fish_otp_using_subcommand import" -l format -d 'The file\'s format [default: detected]' -r -f -a "auto\t''
age\t''
aegis\t''
2fas\t''
andotp\t''
freeotp\t''
bitwarden\t''
ente\t''
json\t''
uris\t''"
complete -c otp -n "__fish_otp_using_subcommand import" -l password-file -d 'Read the password of an encrypted export from the first line of FILE' -r -F
complete -c otp -n "__fish_otp_using_subcommand import" -l vault -d 'Vault file [default: ~/.local/share/otp/vault.age]' -r -F
complete -c otp -n "__fish_otp_using_subcommand import" -l config -d 'Config file [default: ~/.config/otp/config.toml]' -r -F
complete -c otp -n "__fish_otp_using_subcommand import" -l backend -d 'Where the vault key lives [default: keyring]' -r -f -a "keyring\t''
identity-file\t''
passphrase\t''"
complete -c otp -n "__fish_otp_using_subcommand import" -l identity -d 'age identity file; selects the identity-file backend [default: ~/.config/otp/identity.txt]' -r -F
complete -c otp -n "__fish_otp_using_subcommand import" -l color -d 'When to use colours (NO_COLOR is honoured)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c otp -n "__fish_otp_using_subcommand import" -l dry-run -d 'Show what would be added, skipped or in conflict; write nothing'
complete -c otp -n "__fish_otp_using_subcommand import" -l replace -d 'Replace the key of accounts that already exist with another key (key renewal)'
complete -c otp -n "__fish_otp_using_subcommand import" -l password-stdin -d 'Read the password of an encrypted export from the first line of stdin'
complete -c otp -n "__fish_otp_using_subcommand import" -s h -l help -d 'Print help'
complete -c otp -n "__fish_otp_using_subcommand key; and not __fish_seen_subcommand_from export import rotate recipient help" -l vault -d 'Vault file [default: ~/.local/share/otp/vault.age]' -r -F
complete -c otp -n "__fish_otp_using_subcommand key; and not __fish_seen_subcommand_from export import rotate recipient help" -l config -d 'Config file [default: ~/.config/otp/config.toml]' -r -F
complete -c otp -n "__fish_otp_using_subcommand key; and not __fish_seen_subcommand_from export import rotate recipient help" -l backend -d 'Where the vault key lives [default: keyring]' -r -f -a "keyring\t''
identity-file\t''
passphrase\t''"
complete -c otp -n "__fish_otp_using_subcommand key; and not __fish_seen_subcommand_from export import rotate recipient help" -l identity -d 'age identity file; selects the identity-file backend [default: ~/.config/otp/identity.txt]' -r -F
complete -c otp -n "__fish_otp_using_subcommand key; and not __fish_seen_subcommand_from export import rotate recipient help" -l color -d 'When to use colours (NO_COLOR is honoured)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c otp -n "__fish_otp_using_subcommand key; and not __fish_seen_subcommand_from export import rotate recipient help" -s h -l help -d 'Print help'
complete -c otp -n "__fish_otp_using_subcommand key; and not __fish_seen_subcommand_from export import rotate recipient help" -f -a "export" -d 'Write a recovery kit: the vault\'s key, encrypted with a passphrase'
complete -c otp -n "__fish_otp_using_subcommand key; and not __fish_seen_subcommand_from export import rotate recipient help" -f -a "import" -d 'Restore the vault\'s key from a recovery kit into the key backend'
complete -c otp -n "__fish_otp_using_subcommand key; and not __fish_seen_subcommand_from export import rotate recipient help" -f -a "rotate" -d 'Make a new key and re-encrypt the vault (passphrase vaults: change the passphrase)'
complete -c otp -n "__fish_otp_using_subcommand key; and not __fish_seen_subcommand_from export import rotate recipient help" -f -a "recipient" -d 'Print the vault\'s public key (age1…)'
complete -c otp -n "__fish_otp_using_subcommand key; and not __fish_seen_subcommand_from export import rotate recipient help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c otp -n "__fish_otp_using_subcommand key; and __fish_seen_subcommand_from export" -s o -l output -d 'Write the kit to FILE (mode 0600) instead of stdout' -r -F
complete -c otp -n "__fish_otp_using_subcommand key; and __fish_seen_subcommand_from export" -l vault -d 'Vault file [default: ~/.local/share/otp/vault.age]' -r -F
complete -c otp -n "__fish_otp_using_subcommand key; and __fish_seen_subcommand_from export" -l config -d 'Config file [default: ~/.config/otp/config.toml]' -r -F
complete -c otp -n "__fish_otp_using_subcommand key; and __fish_seen_subcommand_from export" -l backend -d 'Where the vault key lives [default: keyring]' -r -f -a "keyring\t''
identity-file\t''
passphrase\t''"
complete -c otp -n "__fish_otp_using_subcommand key; and __fish_seen_subcommand_from export" -l identity -d 'age identity file; selects the identity-file backend [default: ~/.config/otp/identity.txt]' -r -F
complete -c otp -n "__fish_otp_using_subcommand key; and __fish_seen_subcommand_from export" -l color -d 'When to use colours (NO_COLOR is honoured)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c otp -n "__fish_otp_using_subcommand key; and __fish_seen_subcommand_from export" -s h -l help -d 'Print help'
complete -c otp -n "__fish_otp_using_subcommand key; and __fish_seen_subcommand_from import" -l vault -d 'Vault file [default: ~/.local/share/otp/vault.age]' -r -F
complete -c otp -n "__fish_otp_using_subcommand key; and __fish_seen_subcommand_from import" -l config -d 'Config file [default: ~/.config/otp/config.toml]' -r -F
complete -c otp -n "__fish_otp_using_subcommand key; and __fish_seen_subcommand_from import" -l backend -d 'Where the vault key lives [default: keyring]' -r -f -a "keyring\t''
identity-file\t''
passphrase\t''"
complete -c otp -n "__fish_otp_using_subcommand key; and __fish_seen_subcommand_from import" -l identity -d 'age identity file; selects the identity-file backend [default: ~/.config/otp/identity.txt]' -r -F
complete -c otp -n "__fish_otp_using_subcommand key; and __fish_seen_subcommand_from import" -l color -d 'When to use colours (NO_COLOR is honoured)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c otp -n "__fish_otp_using_subcommand key; and __fish_seen_subcommand_from import" -s h -l help -d 'Print help'
complete -c otp -n "__fish_otp_using_subcommand key; and __fish_seen_subcommand_from rotate" -l vault -d 'Vault file [default: ~/.local/share/otp/vault.age]' -r -F
complete -c otp -n "__fish_otp_using_subcommand key; and __fish_seen_subcommand_from rotate" -l config -d 'Config file [default: ~/.config/otp/config.toml]' -r -F
complete -c otp -n "__fish_otp_using_subcommand key; and __fish_seen_subcommand_from rotate" -l backend -d 'Where the vault key lives [default: keyring]' -r -f -a "keyring\t''
identity-file\t''
passphrase\t''"
complete -c otp -n "__fish_otp_using_subcommand key; and __fish_seen_subcommand_from rotate" -l identity -d 'age identity file; selects the identity-file backend [default: ~/.config/otp/identity.txt]' -r -F
complete -c otp -n "__fish_otp_using_subcommand key; and __fish_seen_subcommand_from rotate" -l color -d 'When to use colours (NO_COLOR is honoured)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c otp -n "__fish_otp_using_subcommand key; and __fish_seen_subcommand_from rotate" -s h -l help -d 'Print help'
complete -c otp -n "__fish_otp_using_subcommand key; and __fish_seen_subcommand_from recipient" -l vault -d 'Vault file [default: ~/.local/share/otp/vault.age]' -r -F
complete -c otp -n "__fish_otp_using_subcommand key; and __fish_seen_subcommand_from recipient" -l config -d 'Config file [default: ~/.config/otp/config.toml]' -r -F
complete -c otp -n "__fish_otp_using_subcommand key; and __fish_seen_subcommand_from recipient" -l backend -d 'Where the vault key lives [default: keyring]' -r -f -a "keyring\t''
identity-file\t''
passphrase\t''"
complete -c otp -n "__fish_otp_using_subcommand key; and __fish_seen_subcommand_from recipient" -l identity -d 'age identity file; selects the identity-file backend [default: ~/.config/otp/identity.txt]' -r -F
complete -c otp -n "__fish_otp_using_subcommand key; and __fish_seen_subcommand_from recipient" -l color -d 'When to use colours (NO_COLOR is honoured)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c otp -n "__fish_otp_using_subcommand key; and __fish_seen_subcommand_from recipient" -s h -l help -d 'Print help'
complete -c otp -n "__fish_otp_using_subcommand key; and __fish_seen_subcommand_from help" -f -a "export" -d 'Write a recovery kit: the vault\'s key, encrypted with a passphrase'
complete -c otp -n "__fish_otp_using_subcommand key; and __fish_seen_subcommand_from help" -f -a "import" -d 'Restore the vault\'s key from a recovery kit into the key backend'
complete -c otp -n "__fish_otp_using_subcommand key; and __fish_seen_subcommand_from help" -f -a "rotate" -d 'Make a new key and re-encrypt the vault (passphrase vaults: change the passphrase)'
complete -c otp -n "__fish_otp_using_subcommand key; and __fish_seen_subcommand_from help" -f -a "recipient" -d 'Print the vault\'s public key (age1…)'
complete -c otp -n "__fish_otp_using_subcommand key; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c otp -n "__fish_otp_using_subcommand merge" -l vault -d 'Vault file [default: ~/.local/share/otp/vault.age]' -r -F
complete -c otp -n "__fish_otp_using_subcommand merge" -l config -d 'Config file [default: ~/.config/otp/config.toml]' -r -F
complete -c otp -n "__fish_otp_using_subcommand merge" -l backend -d 'Where the vault key lives [default: keyring]' -r -f -a "keyring\t''
identity-file\t''
passphrase\t''"
complete -c otp -n "__fish_otp_using_subcommand merge" -l identity -d 'age identity file; selects the identity-file backend [default: ~/.config/otp/identity.txt]' -r -F
complete -c otp -n "__fish_otp_using_subcommand merge" -l color -d 'When to use colours (NO_COLOR is honoured)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c otp -n "__fish_otp_using_subcommand merge" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c otp -n "__fish_otp_using_subcommand sync" -l init -d 'Make the vault\'s folder a git repository with remote URL, commit and push' -r
complete -c otp -n "__fish_otp_using_subcommand sync" -l clone -d 'On a new machine: fetch the vault from URL into the vault path' -r
complete -c otp -n "__fish_otp_using_subcommand sync" -l vault -d 'Vault file [default: ~/.local/share/otp/vault.age]' -r -F
complete -c otp -n "__fish_otp_using_subcommand sync" -l config -d 'Config file [default: ~/.config/otp/config.toml]' -r -F
complete -c otp -n "__fish_otp_using_subcommand sync" -l backend -d 'Where the vault key lives [default: keyring]' -r -f -a "keyring\t''
identity-file\t''
passphrase\t''"
complete -c otp -n "__fish_otp_using_subcommand sync" -l identity -d 'age identity file; selects the identity-file backend [default: ~/.config/otp/identity.txt]' -r -F
complete -c otp -n "__fish_otp_using_subcommand sync" -l color -d 'When to use colours (NO_COLOR is honoured)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c otp -n "__fish_otp_using_subcommand sync" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c otp -n "__fish_otp_using_subcommand device; and not __fish_seen_subcommand_from id add list rm help" -l vault -d 'Vault file [default: ~/.local/share/otp/vault.age]' -r -F
complete -c otp -n "__fish_otp_using_subcommand device; and not __fish_seen_subcommand_from id add list rm help" -l config -d 'Config file [default: ~/.config/otp/config.toml]' -r -F
complete -c otp -n "__fish_otp_using_subcommand device; and not __fish_seen_subcommand_from id add list rm help" -l backend -d 'Where the vault key lives [default: keyring]' -r -f -a "keyring\t''
identity-file\t''
passphrase\t''"
complete -c otp -n "__fish_otp_using_subcommand device; and not __fish_seen_subcommand_from id add list rm help" -l identity -d 'age identity file; selects the identity-file backend [default: ~/.config/otp/identity.txt]' -r -F
complete -c otp -n "__fish_otp_using_subcommand device; and not __fish_seen_subcommand_from id add list rm help" -l color -d 'When to use colours (NO_COLOR is honoured)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c otp -n "__fish_otp_using_subcommand device; and not __fish_seen_subcommand_from id add list rm help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c otp -n "__fish_otp_using_subcommand device; and not __fish_seen_subcommand_from id add list rm help" -f -a "id" -d 'Print this machine\'s public key (age1…), to add it on a machine that has the vault'
complete -c otp -n "__fish_otp_using_subcommand device; and not __fish_seen_subcommand_from id add list rm help" -f -a "add" -d 'Re-encrypt the vault to another machine\'s key too'
complete -c otp -n "__fish_otp_using_subcommand device; and not __fish_seen_subcommand_from id add list rm help" -f -a "list" -d 'Show the machines the vault is encrypted to'
complete -c otp -n "__fish_otp_using_subcommand device; and not __fish_seen_subcommand_from id add list rm help" -f -a "rm" -d 'Re-encrypt the vault without a machine\'s key'
complete -c otp -n "__fish_otp_using_subcommand device; and not __fish_seen_subcommand_from id add list rm help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c otp -n "__fish_otp_using_subcommand device; and __fish_seen_subcommand_from id" -l vault -d 'Vault file [default: ~/.local/share/otp/vault.age]' -r -F
complete -c otp -n "__fish_otp_using_subcommand device; and __fish_seen_subcommand_from id" -l config -d 'Config file [default: ~/.config/otp/config.toml]' -r -F
complete -c otp -n "__fish_otp_using_subcommand device; and __fish_seen_subcommand_from id" -l backend -d 'Where the vault key lives [default: keyring]' -r -f -a "keyring\t''
identity-file\t''
passphrase\t''"
complete -c otp -n "__fish_otp_using_subcommand device; and __fish_seen_subcommand_from id" -l identity -d 'age identity file; selects the identity-file backend [default: ~/.config/otp/identity.txt]' -r -F
complete -c otp -n "__fish_otp_using_subcommand device; and __fish_seen_subcommand_from id" -l color -d 'When to use colours (NO_COLOR is honoured)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c otp -n "__fish_otp_using_subcommand device; and __fish_seen_subcommand_from id" -s h -l help -d 'Print help'
complete -c otp -n "__fish_otp_using_subcommand device; and __fish_seen_subcommand_from add" -l name -d 'A name for the machine' -r
complete -c otp -n "__fish_otp_using_subcommand device; and __fish_seen_subcommand_from add" -l vault -d 'Vault file [default: ~/.local/share/otp/vault.age]' -r -F
complete -c otp -n "__fish_otp_using_subcommand device; and __fish_seen_subcommand_from add" -l config -d 'Config file [default: ~/.config/otp/config.toml]' -r -F
complete -c otp -n "__fish_otp_using_subcommand device; and __fish_seen_subcommand_from add" -l backend -d 'Where the vault key lives [default: keyring]' -r -f -a "keyring\t''
identity-file\t''
passphrase\t''"
complete -c otp -n "__fish_otp_using_subcommand device; and __fish_seen_subcommand_from add" -l identity -d 'age identity file; selects the identity-file backend [default: ~/.config/otp/identity.txt]' -r -F
complete -c otp -n "__fish_otp_using_subcommand device; and __fish_seen_subcommand_from add" -l color -d 'When to use colours (NO_COLOR is honoured)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c otp -n "__fish_otp_using_subcommand device; and __fish_seen_subcommand_from add" -s h -l help -d 'Print help'
complete -c otp -n "__fish_otp_using_subcommand device; and __fish_seen_subcommand_from list" -l vault -d 'Vault file [default: ~/.local/share/otp/vault.age]' -r -F
complete -c otp -n "__fish_otp_using_subcommand device; and __fish_seen_subcommand_from list" -l config -d 'Config file [default: ~/.config/otp/config.toml]' -r -F
complete -c otp -n "__fish_otp_using_subcommand device; and __fish_seen_subcommand_from list" -l backend -d 'Where the vault key lives [default: keyring]' -r -f -a "keyring\t''
identity-file\t''
passphrase\t''"
complete -c otp -n "__fish_otp_using_subcommand device; and __fish_seen_subcommand_from list" -l identity -d 'age identity file; selects the identity-file backend [default: ~/.config/otp/identity.txt]' -r -F
complete -c otp -n "__fish_otp_using_subcommand device; and __fish_seen_subcommand_from list" -l color -d 'When to use colours (NO_COLOR is honoured)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c otp -n "__fish_otp_using_subcommand device; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c otp -n "__fish_otp_using_subcommand device; and __fish_seen_subcommand_from rm" -l vault -d 'Vault file [default: ~/.local/share/otp/vault.age]' -r -F
complete -c otp -n "__fish_otp_using_subcommand device; and __fish_seen_subcommand_from rm" -l config -d 'Config file [default: ~/.config/otp/config.toml]' -r -F
complete -c otp -n "__fish_otp_using_subcommand device; and __fish_seen_subcommand_from rm" -l backend -d 'Where the vault key lives [default: keyring]' -r -f -a "keyring\t''
identity-file\t''
passphrase\t''"
complete -c otp -n "__fish_otp_using_subcommand device; and __fish_seen_subcommand_from rm" -l identity -d 'age identity file; selects the identity-file backend [default: ~/.config/otp/identity.txt]' -r -F
complete -c otp -n "__fish_otp_using_subcommand device; and __fish_seen_subcommand_from rm" -l color -d 'When to use colours (NO_COLOR is honoured)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c otp -n "__fish_otp_using_subcommand device; and __fish_seen_subcommand_from rm" -s h -l help -d 'Print help'
complete -c otp -n "__fish_otp_using_subcommand device; and __fish_seen_subcommand_from help" -f -a "id" -d 'Print this machine\'s public key (age1…), to add it on a machine that has the vault'
complete -c otp -n "__fish_otp_using_subcommand device; and __fish_seen_subcommand_from help" -f -a "add" -d 'Re-encrypt the vault to another machine\'s key too'
complete -c otp -n "__fish_otp_using_subcommand device; and __fish_seen_subcommand_from help" -f -a "list" -d 'Show the machines the vault is encrypted to'
complete -c otp -n "__fish_otp_using_subcommand device; and __fish_seen_subcommand_from help" -f -a "rm" -d 'Re-encrypt the vault without a machine\'s key'
complete -c otp -n "__fish_otp_using_subcommand device; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c otp -n "__fish_otp_using_subcommand doctor" -l ntp -d 'Also check the clock against an SNTP server [default server: pool.ntp.org]' -r
complete -c otp -n "__fish_otp_using_subcommand doctor" -l vault -d 'Vault file [default: ~/.local/share/otp/vault.age]' -r -F
complete -c otp -n "__fish_otp_using_subcommand doctor" -l config -d 'Config file [default: ~/.config/otp/config.toml]' -r -F
complete -c otp -n "__fish_otp_using_subcommand doctor" -l backend -d 'Where the vault key lives [default: keyring]' -r -f -a "keyring\t''
identity-file\t''
passphrase\t''"
complete -c otp -n "__fish_otp_using_subcommand doctor" -l identity -d 'age identity file; selects the identity-file backend [default: ~/.config/otp/identity.txt]' -r -F
complete -c otp -n "__fish_otp_using_subcommand doctor" -l color -d 'When to use colours (NO_COLOR is honoured)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c otp -n "__fish_otp_using_subcommand doctor" -s h -l help -d 'Print help'
complete -c otp -n "__fish_otp_using_subcommand lock" -l vault -d 'Vault file [default: ~/.local/share/otp/vault.age]' -r -F
complete -c otp -n "__fish_otp_using_subcommand lock" -l config -d 'Config file [default: ~/.config/otp/config.toml]' -r -F
complete -c otp -n "__fish_otp_using_subcommand lock" -l backend -d 'Where the vault key lives [default: keyring]' -r -f -a "keyring\t''
identity-file\t''
passphrase\t''"
complete -c otp -n "__fish_otp_using_subcommand lock" -l identity -d 'age identity file; selects the identity-file backend [default: ~/.config/otp/identity.txt]' -r -F
complete -c otp -n "__fish_otp_using_subcommand lock" -l color -d 'When to use colours (NO_COLOR is honoured)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c otp -n "__fish_otp_using_subcommand lock" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c otp -n "__fish_otp_using_subcommand run" -l env -d 'Put the code in this environment variable of CMD [default: OTP_CODE]' -r
complete -c otp -n "__fish_otp_using_subcommand run" -l answer -d 'Run CMD on a pseudo-terminal and type a code, then Enter, whenever its output matches REGEX' -r
complete -c otp -n "__fish_otp_using_subcommand run" -l fresh -d 'If fewer than S seconds of the code remain, wait for the next one first' -r
complete -c otp -n "__fish_otp_using_subcommand run" -l vault -d 'Vault file [default: ~/.local/share/otp/vault.age]' -r -F
complete -c otp -n "__fish_otp_using_subcommand run" -l config -d 'Config file [default: ~/.config/otp/config.toml]' -r -F
complete -c otp -n "__fish_otp_using_subcommand run" -l backend -d 'Where the vault key lives [default: keyring]' -r -f -a "keyring\t''
identity-file\t''
passphrase\t''"
complete -c otp -n "__fish_otp_using_subcommand run" -l identity -d 'age identity file; selects the identity-file backend [default: ~/.config/otp/identity.txt]' -r -F
complete -c otp -n "__fish_otp_using_subcommand run" -l color -d 'When to use colours (NO_COLOR is honoured)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c otp -n "__fish_otp_using_subcommand run" -l stdin -d 'Write the code and a newline to CMD\'s standard input instead'
complete -c otp -n "__fish_otp_using_subcommand run" -s h -l help -d 'Print help'
complete -c otp -n "__fish_otp_using_subcommand pick" -l menu -d 'Choose with this menu program instead, run with `sh -c`: entry names on its stdin, the choice on its stdout (`rofi -dmenu`, `dmenu`, `fzf`, `wofi --dmenu`, `fuzzel --dmenu`)' -r
complete -c otp -n "__fish_otp_using_subcommand pick" -l vault -d 'Vault file [default: ~/.local/share/otp/vault.age]' -r -F
complete -c otp -n "__fish_otp_using_subcommand pick" -l config -d 'Config file [default: ~/.config/otp/config.toml]' -r -F
complete -c otp -n "__fish_otp_using_subcommand pick" -l backend -d 'Where the vault key lives [default: keyring]' -r -f -a "keyring\t''
identity-file\t''
passphrase\t''"
complete -c otp -n "__fish_otp_using_subcommand pick" -l identity -d 'age identity file; selects the identity-file backend [default: ~/.config/otp/identity.txt]' -r -F
complete -c otp -n "__fish_otp_using_subcommand pick" -l color -d 'When to use colours (NO_COLOR is honoured)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c otp -n "__fish_otp_using_subcommand pick" -l print -d 'Print the chosen code instead of copying it'
complete -c otp -n "__fish_otp_using_subcommand pick" -s h -l help -d 'Print help'
complete -c otp -n "__fish_otp_using_subcommand type" -l fresh -d 'If fewer than S seconds of the code remain, wait for the next one first' -r
complete -c otp -n "__fish_otp_using_subcommand type" -l vault -d 'Vault file [default: ~/.local/share/otp/vault.age]' -r -F
complete -c otp -n "__fish_otp_using_subcommand type" -l config -d 'Config file [default: ~/.config/otp/config.toml]' -r -F
complete -c otp -n "__fish_otp_using_subcommand type" -l backend -d 'Where the vault key lives [default: keyring]' -r -f -a "keyring\t''
identity-file\t''
passphrase\t''"
complete -c otp -n "__fish_otp_using_subcommand type" -l identity -d 'age identity file; selects the identity-file backend [default: ~/.config/otp/identity.txt]' -r -F
complete -c otp -n "__fish_otp_using_subcommand type" -l color -d 'When to use colours (NO_COLOR is honoured)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c otp -n "__fish_otp_using_subcommand type" -s h -l help -d 'Print help'
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
complete -c otp -n "__fish_otp_using_subcommand help; and not __fish_seen_subcommand_from init add code list rm rename note uri watch qr recovery export import key merge sync device doctor lock run pick type completions help" -f -a "init" -d 'Create an empty vault and its key'
complete -c otp -n "__fish_otp_using_subcommand help; and not __fish_seen_subcommand_from init add code list rm rename note uri watch qr recovery export import key merge sync device doctor lock run pick type completions help" -f -a "add" -d 'Add accounts from otpauth URIs, stdin, or by hand'
complete -c otp -n "__fish_otp_using_subcommand help; and not __fish_seen_subcommand_from init add code list rm rename note uri watch qr recovery export import key merge sync device doctor lock run pick type completions help" -f -a "code" -d 'Print the current code of an entry'
complete -c otp -n "__fish_otp_using_subcommand help; and not __fish_seen_subcommand_from init add code list rm rename note uri watch qr recovery export import key merge sync device doctor lock run pick type completions help" -f -a "list" -d 'List entries'
complete -c otp -n "__fish_otp_using_subcommand help; and not __fish_seen_subcommand_from init add code list rm rename note uri watch qr recovery export import key merge sync device doctor lock run pick type completions help" -f -a "rm" -d 'Remove an entry'
complete -c otp -n "__fish_otp_using_subcommand help; and not __fish_seen_subcommand_from init add code list rm rename note uri watch qr recovery export import key merge sync device doctor lock run pick type completions help" -f -a "rename" -d 'Change an entry\'s issuer or account name'
complete -c otp -n "__fish_otp_using_subcommand help; and not __fish_seen_subcommand_from init add code list rm rename note uri watch qr recovery export import key merge sync device doctor lock run pick type completions help" -f -a "note" -d 'Set (or, with empty TEXT, clear) an entry\'s note'
complete -c otp -n "__fish_otp_using_subcommand help; and not __fish_seen_subcommand_from init add code list rm rename note uri watch qr recovery export import key merge sync device doctor lock run pick type completions help" -f -a "uri" -d 'Print an entry\'s otpauth URI (it contains the secret)'
complete -c otp -n "__fish_otp_using_subcommand help; and not __fish_seen_subcommand_from init add code list rm rename note uri watch qr recovery export import key merge sync device doctor lock run pick type completions help" -f -a "watch" -d 'Live view of codes with countdowns'
complete -c otp -n "__fish_otp_using_subcommand help; and not __fish_seen_subcommand_from init add code list rm rename note uri watch qr recovery export import key merge sync device doctor lock run pick type completions help" -f -a "qr" -d 'Show an entry as a QR code, to enrol a second device'
complete -c otp -n "__fish_otp_using_subcommand help; and not __fish_seen_subcommand_from init add code list rm rename note uri watch qr recovery export import key merge sync device doctor lock run pick type completions help" -f -a "recovery" -d 'Keep and use an account\'s recovery (backup) codes'
complete -c otp -n "__fish_otp_using_subcommand help; and not __fish_seen_subcommand_from init add code list rm rename note uri watch qr recovery export import key merge sync device doctor lock run pick type completions help" -f -a "export" -d 'Back up the vault (passphrase-encrypted by default)'
complete -c otp -n "__fish_otp_using_subcommand help; and not __fish_seen_subcommand_from init add code list rm rename note uri watch qr recovery export import key merge sync device doctor lock run pick type completions help" -f -a "import" -d 'Bring entries in from a backup or another app\'s export'
complete -c otp -n "__fish_otp_using_subcommand help; and not __fish_seen_subcommand_from init add code list rm rename note uri watch qr recovery export import key merge sync device doctor lock run pick type completions help" -f -a "key" -d 'Recovery kit and key management'
complete -c otp -n "__fish_otp_using_subcommand help; and not __fish_seen_subcommand_from init add code list rm rename note uri watch qr recovery export import key merge sync device doctor lock run pick type completions help" -f -a "merge" -d 'Merge other copies of the vault into it (sync conflict copies, backups)'
complete -c otp -n "__fish_otp_using_subcommand help; and not __fish_seen_subcommand_from init add code list rm rename note uri watch qr recovery export import key merge sync device doctor lock run pick type completions help" -f -a "sync" -d 'Keep the vault in step with other machines through a git remote'
complete -c otp -n "__fish_otp_using_subcommand help; and not __fish_seen_subcommand_from init add code list rm rename note uri watch qr recovery export import key merge sync device doctor lock run pick type completions help" -f -a "device" -d 'The machines the vault is shared with, each with its own key'
complete -c otp -n "__fish_otp_using_subcommand help; and not __fish_seen_subcommand_from init add code list rm rename note uri watch qr recovery export import key merge sync device doctor lock run pick type completions help" -f -a "doctor" -d 'Check the vault, its key, permissions, clipboard and clock'
complete -c otp -n "__fish_otp_using_subcommand help; and not __fish_seen_subcommand_from init add code list rm rename note uri watch qr recovery export import key merge sync device doctor lock run pick type completions help" -f -a "lock" -d 'Forget the vault\'s key cached from the OS keyring, at once'
complete -c otp -n "__fish_otp_using_subcommand help; and not __fish_seen_subcommand_from init add code list rm rename note uri watch qr recovery export import key merge sync device doctor lock run pick type completions help" -f -a "run" -d 'Run a command with a code in its environment, on its stdin, or typed at its prompts'
complete -c otp -n "__fish_otp_using_subcommand help; and not __fish_seen_subcommand_from init add code list rm rename note uri watch qr recovery export import key merge sync device doctor lock run pick type completions help" -f -a "pick" -d 'Choose an entry by fuzzy search (or with a menu program) and copy or print its code'
complete -c otp -n "__fish_otp_using_subcommand help; and not __fish_seen_subcommand_from init add code list rm rename note uri watch qr recovery export import key merge sync device doctor lock run pick type completions help" -f -a "type" -d 'Type an entry\'s code into the focused window (wtype or xdotool)'
complete -c otp -n "__fish_otp_using_subcommand help; and not __fish_seen_subcommand_from init add code list rm rename note uri watch qr recovery export import key merge sync device doctor lock run pick type completions help" -f -a "completions" -d 'Print a shell completion script'
complete -c otp -n "__fish_otp_using_subcommand help; and not __fish_seen_subcommand_from init add code list rm rename note uri watch qr recovery export import key merge sync device doctor lock run pick type completions help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c otp -n "__fish_otp_using_subcommand help; and __fish_seen_subcommand_from recovery" -f -a "add" -d 'Store recovery codes (already stored ones are skipped)'
complete -c otp -n "__fish_otp_using_subcommand help; and __fish_seen_subcommand_from recovery" -f -a "list" -d 'Show the codes; used ones are struck through (terminal) or marked `used DATE`'
complete -c otp -n "__fish_otp_using_subcommand help; and __fish_seen_subcommand_from recovery" -f -a "use" -d 'Print the first unused code (or CODE) and mark it used'
complete -c otp -n "__fish_otp_using_subcommand help; and __fish_seen_subcommand_from recovery" -f -a "clear" -d 'Remove all of the entry\'s recovery codes'
complete -c otp -n "__fish_otp_using_subcommand help; and __fish_seen_subcommand_from key" -f -a "export" -d 'Write a recovery kit: the vault\'s key, encrypted with a passphrase'
complete -c otp -n "__fish_otp_using_subcommand help; and __fish_seen_subcommand_from key" -f -a "import" -d 'Restore the vault\'s key from a recovery kit into the key backend'
complete -c otp -n "__fish_otp_using_subcommand help; and __fish_seen_subcommand_from key" -f -a "rotate" -d 'Make a new key and re-encrypt the vault (passphrase vaults: change the passphrase)'
complete -c otp -n "__fish_otp_using_subcommand help; and __fish_seen_subcommand_from key" -f -a "recipient" -d 'Print the vault\'s public key (age1…)'
complete -c otp -n "__fish_otp_using_subcommand help; and __fish_seen_subcommand_from device" -f -a "id" -d 'Print this machine\'s public key (age1…), to add it on a machine that has the vault'
complete -c otp -n "__fish_otp_using_subcommand help; and __fish_seen_subcommand_from device" -f -a "add" -d 'Re-encrypt the vault to another machine\'s key too'
complete -c otp -n "__fish_otp_using_subcommand help; and __fish_seen_subcommand_from device" -f -a "list" -d 'Show the machines the vault is encrypted to'
complete -c otp -n "__fish_otp_using_subcommand help; and __fish_seen_subcommand_from device" -f -a "rm" -d 'Re-encrypt the vault without a machine\'s key'

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
