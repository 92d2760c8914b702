
use builtin;
use str;

set edit:completion:arg-completer[otp] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'otp'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'otp'= {
            cand --vault 'Vault file [default: ~/.local/share/otp/vault.age]'
            cand --config 'Config file [default: ~/.config/otp/config.toml]'
            cand --backend 'Where the vault key lives [default: keyring]'
            cand --identity 'age identity file; selects the identity-file backend [default: ~/.config/otp/identity.txt]'
            cand --color 'When to use colours (NO_COLOR is honoured)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand init 'Create an empty vault and its key'
            cand add 'Add accounts from otpauth URIs, stdin, or by hand'
            cand code 'Print the current code of an entry'
            cand list 'List entries'
            cand ls 'List entries'
            cand rm 'Remove an entry'
            cand rename 'Change an entry''s issuer or account name'
            cand note 'Set (or, with empty TEXT, clear) an entry''s note'
            cand uri 'Print an entry''s otpauth URI (it contains the secret)'
            cand watch 'Live view of codes with countdowns'
            cand qr 'Show an entry as a QR code, to enrol a second device'
            cand recovery 'Keep and use an account''s recovery (backup) codes'
            cand export 'Back up the vault (passphrase-encrypted by default)'
            cand import 'Bring entries in from a backup or another app''s export'
            cand key 'Recovery kit and key management'
            cand merge 'Merge other copies of the vault into it (sync conflict copies, backups)'
            cand sync 'Keep the vault in step with other machines through a git remote'
            cand device 'The machines the vault is shared with, each with its own key'
            cand doctor 'Check the vault, its key, permissions, clipboard and clock'
            cand lock 'Forget the vault''s key cached from the OS keyring, at once'
            cand run 'Run a command with a code in its environment, on its stdin, or typed at its prompts'
            cand pick 'Choose an entry by fuzzy search (or with a menu program) and copy or print its code'
            cand type 'Type an entry''s code into the focused window (wtype or xdotool)'
            cand completions 'Print a shell completion script'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'otp;init'= {
            cand --vault 'Vault file [default: ~/.local/share/otp/vault.age]'
            cand --config 'Config file [default: ~/.config/otp/config.toml]'
            cand --backend 'Where the vault key lives [default: keyring]'
            cand --identity 'age identity file; selects the identity-file backend [default: ~/.config/otp/identity.txt]'
            cand --color 'When to use colours (NO_COLOR is honoured)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'otp;add'= {
            cand --issuer 'Manual entry: the service''s name'
            cand --account 'Manual entry: your account name at the service'
            cand --type 'Manual entry: totp, hotp or steam'
            cand --algorithm 'Manual entry: SHA1, SHA256 or SHA512'
            cand --digits 'Manual entry: code length, 6 to 10'
            cand --period 'Manual entry: seconds each TOTP code is valid'
            cand --counter 'Manual entry: the next HOTP counter value'
            cand --vault 'Vault file [default: ~/.local/share/otp/vault.age]'
            cand --config 'Config file [default: ~/.config/otp/config.toml]'
            cand --backend 'Where the vault key lives [default: keyring]'
            cand --identity 'age identity file; selects the identity-file backend [default: ~/.config/otp/identity.txt]'
            cand --color 'When to use colours (NO_COLOR is honoured)'
            cand --clipboard 'Also read a screenshot of a QR code, or otpauth URIs as text, from the clipboard'
            cand --replace 'Replace the key of an existing account (key renewal)'
            cand --secret-stdin 'Manual entry: read the base32 secret from stdin instead of a hidden prompt'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'otp;code'= {
            cand --wait 'If fewer than N seconds remain, wait for the next code first'
            cand --at 'Time to compute the code for: unix seconds or RFC 3339 (2026-01-02T03:04:05Z)'
            cand --clear-after 'Seconds until the copied code is cleared, 0 for never [default: config clipboard_clear_seconds, or 20]'
            cand --vault 'Vault file [default: ~/.local/share/otp/vault.age]'
            cand --config 'Config file [default: ~/.config/otp/config.toml]'
            cand --backend 'Where the vault key lives [default: keyring]'
            cand --identity 'age identity file; selects the identity-file backend [default: ~/.config/otp/identity.txt]'
            cand --color 'When to use colours (NO_COLOR is honoured)'
            cand --json 'Print JSON: code, issuer, account, id, period, remaining, valid_until'
            cand --next 'The next period''s code instead of the current one'
            cand -c 'Put the code on the clipboard instead of printing it; it is cleared after a delay'
            cand --copy 'Put the code on the clipboard instead of printing it; it is cleared after a delay'
            cand --osc52 'Copy through the terminal (OSC 52 escape) even when a display is available'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'otp;list'= {
            cand --vault 'Vault file [default: ~/.local/share/otp/vault.age]'
            cand --config 'Config file [default: ~/.config/otp/config.toml]'
            cand --backend 'Where the vault key lives [default: keyring]'
            cand --identity 'age identity file; selects the identity-file backend [default: ~/.config/otp/identity.txt]'
            cand --color 'When to use colours (NO_COLOR is honoured)'
            cand --codes 'Also show current codes and seconds left (HOTP codes are not generated)'
            cand --json 'Print JSON'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'otp;ls'= {
            cand --vault 'Vault file [default: ~/.local/share/otp/vault.age]'
            cand --config 'Config file [default: ~/.config/otp/config.toml]'
            cand --backend 'Where the vault key lives [default: keyring]'
            cand --identity 'age identity file; selects the identity-file backend [default: ~/.config/otp/identity.txt]'
            cand --color 'When to use colours (NO_COLOR is honoured)'
            cand --codes 'Also show current codes and seconds left (HOTP codes are not generated)'
            cand --json 'Print JSON'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'otp;rm'= {
            cand --vault 'Vault file [default: ~/.local/share/otp/vault.age]'
            cand --config 'Config file [default: ~/.config/otp/config.toml]'
            cand --backend 'Where the vault key lives [default: keyring]'
            cand --identity 'age identity file; selects the identity-file backend [default: ~/.config/otp/identity.txt]'
            cand --color 'When to use colours (NO_COLOR is honoured)'
            cand -y 'Do not ask for confirmation (needed when stdin is not a terminal)'
            cand --yes 'Do not ask for confirmation (needed when stdin is not a terminal)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'otp;rename'= {
            cand --issuer 'New issuer (empty to remove it)'
            cand --account 'New account name'
            cand --vault 'Vault file [default: ~/.local/share/otp/vault.age]'
            cand --config 'Config file [default: ~/.config/otp/config.toml]'
            cand --backend 'Where the vault key lives [default: keyring]'
            cand --identity 'age identity file; selects the identity-file backend [default: ~/.config/otp/identity.txt]'
            cand --color 'When to use colours (NO_COLOR is honoured)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'otp;note'= {
            cand --vault 'Vault file [default: ~/.local/share/otp/vault.age]'
            cand --config 'Config file [default: ~/.config/otp/config.toml]'
            cand --backend 'Where the vault key lives [default: keyring]'
            cand --identity 'age identity file; selects the identity-file backend [default: ~/.config/otp/identity.txt]'
            cand --color 'When to use colours (NO_COLOR is honoured)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'otp;uri'= {
            cand --vault 'Vault file [default: ~/.local/share/otp/vault.age]'
            cand --config 'Config file [default: ~/.config/otp/config.toml]'
            cand --backend 'Where the vault key lives [default: keyring]'
            cand --identity 'age identity file; selects the identity-file backend [default: ~/.config/otp/identity.txt]'
            cand --color 'When to use colours (NO_COLOR is honoured)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'otp;watch'= {
            cand --vault 'Vault file [default: ~/.local/share/otp/vault.age]'
            cand --config 'Config file [default: ~/.config/otp/config.toml]'
            cand --backend 'Where the vault key lives [default: keyring]'
            cand --identity 'age identity file; selects the identity-file backend [default: ~/.config/otp/identity.txt]'
            cand --color 'When to use colours (NO_COLOR is honoured)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'otp;qr'= {
            cand --png 'Write a PNG image to FILE instead of drawing on the terminal (created with mode 0600; an existing file is not overwritten)'
            cand --vault 'Vault file [default: ~/.local/share/otp/vault.age]'
            cand --config 'Config file [default: ~/.config/otp/config.toml]'
            cand --backend 'Where the vault key lives [default: keyring]'
            cand --identity 'age identity file; selects the identity-file backend [default: ~/.config/otp/identity.txt]'
            cand --color 'When to use colours (NO_COLOR is honoured)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'otp;recovery'= {
            cand --vault 'Vault file [default: ~/.local/share/otp/vault.age]'
            cand --config 'Config file [default: ~/.config/otp/config.toml]'
            cand --backend 'Where the vault key lives [default: keyring]'
            cand --identity 'age identity file; selects the identity-file backend [default: ~/.config/otp/identity.txt]'
            cand --color 'When to use colours (NO_COLOR is honoured)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand add 'Store recovery codes (already stored ones are skipped)'
            cand list 'Show the codes; used ones are struck through (terminal) or marked `used DATE`'
            cand use 'Print the first unused code (or CODE) and mark it used'
            cand clear 'Remove all of the entry''s recovery codes'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'otp;recovery;add'= {
            cand --vault 'Vault file [default: ~/.local/share/otp/vault.age]'
            cand --config 'Config file [default: ~/.config/otp/config.toml]'
            cand --backend 'Where the vault key lives [default: keyring]'
            cand --identity 'age identity file; selects the identity-file backend [default: ~/.config/otp/identity.txt]'
            cand --color 'When to use colours (NO_COLOR is honoured)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'otp;recovery;list'= {
            cand --vault 'Vault file [default: ~/.local/share/otp/vault.age]'
            cand --config 'Config file [default: ~/.config/otp/config.toml]'
            cand --backend 'Where the vault key lives [default: keyring]'
            cand --identity 'age identity file; selects the identity-file backend [default: ~/.config/otp/identity.txt]'
            cand --color 'When to use colours (NO_COLOR is honoured)'
            cand --json 'Print JSON: the codes with when each was used (RFC 3339, or null)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'otp;recovery;use'= {
            cand --vault 'Vault file [default: ~/.local/share/otp/vault.age]'
            cand --config 'Config file [default: ~/.config/otp/config.toml]'
            cand --backend 'Where the vault key lives [default: keyring]'
            cand --identity 'age identity file; selects the identity-file backend [default: ~/.config/otp/identity.txt]'
            cand --color 'When to use colours (NO_COLOR is honoured)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'otp;recovery;clear'= {
            cand --vault 'Vault file [default: ~/.local/share/otp/vault.age]'
            cand --config 'Config file [default: ~/.config/otp/config.toml]'
            cand --backend 'Where the vault key lives [default: keyring]'
            cand --identity 'age identity file; selects the identity-file backend [default: ~/.config/otp/identity.txt]'
            cand --color 'When to use colours (NO_COLOR is honoured)'
            cand -y 'Do not ask for confirmation (needed when stdin is not a terminal)'
            cand --yes 'Do not ask for confirmation (needed when stdin is not a terminal)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'otp;recovery;help'= {
            cand add 'Store recovery codes (already stored ones are skipped)'
            cand list 'Show the codes; used ones are struck through (terminal) or marked `used DATE`'
            cand use 'Print the first unused code (or CODE) and mark it used'
            cand clear 'Remove all of the entry''s recovery codes'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'otp;recovery;help;add'= {
        }
        &'otp;recovery;help;list'= {
        }
        &'otp;recovery;help;use'= {
        }
        &'otp;recovery;help;clear'= {
        }
        &'otp;recovery;help;help'= {
        }
        &'otp;export'= {
            cand -o 'Write to FILE (mode 0600) instead of stdout'
            cand --output 'Write to FILE (mode 0600) instead of stdout'
            cand --format 'age: passphrase-encrypted vault document; json, uris, aegis: plaintext (need --plaintext); google-qr: Google Authenticator transfer QR codes'
            cand --png-dir 'google-qr: write the QR codes as PNG files (mode 0600) into DIR instead of drawing them on the terminal'
            cand --vault 'Vault file [default: ~/.local/share/otp/vault.age]'
            cand --config 'Config file [default: ~/.config/otp/config.toml]'
            cand --backend 'Where the vault key lives [default: keyring]'
            cand --identity 'age identity file; selects the identity-file backend [default: ~/.config/otp/identity.txt]'
            cand --color 'When to use colours (NO_COLOR is honoured)'
            cand --plaintext 'Allow a plaintext format: whoever reads the output has your secrets'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'otp;import'= {
            cand --format 'The file''s format [default: detected]'
            cand --password-file 'Read the password of an encrypted export from the first line of FILE'
            cand --vault 'Vault file [default: ~/.local/share/otp/vault.age]'
            cand --config 'Config file [default: ~/.config/otp/config.toml]'
            cand --backend 'Where the vault key lives [default: keyring]'
            cand --identity 'age identity file; selects the identity-file backend [default: ~/.config/otp/identity.txt]'
            cand --color 'When to use colours (NO_COLOR is honoured)'
            cand --dry-run 'Show what would be added, skipped or in conflict; write nothing'
            cand --replace 'Replace the key of accounts that already exist with another key (key renewal)'
            cand --password-stdin 'Read the password of an encrypted export from the first line of stdin'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'otp;key'= {
            cand --vault 'Vault file [default: ~/.local/share/otp/vault.age]'
            cand --config 'Config file [default: ~/.config/otp/config.toml]'
            cand --backend 'Where the vault key lives [default: keyring]'
            cand --identity 'age identity file; selects the identity-file backend [default: ~/.config/otp/identity.txt]'
            cand --color 'When to use colours (NO_COLOR is honoured)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand export 'Write a recovery kit: the vault''s key, encrypted with a passphrase'
            cand import 'Restore the vault''s key from a recovery kit into the key backend'
            cand rotate 'Make a new key and re-encrypt the vault (passphrase vaults: change the passphrase)'
            cand recipient 'Print the vault''s public key (age1…)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'otp;key;export'= {
            cand -o 'Write the kit to FILE (mode 0600) instead of stdout'
            cand --output 'Write the kit to FILE (mode 0600) instead of stdout'
            cand --vault 'Vault file [default: ~/.local/share/otp/vault.age]'
            cand --config 'Config file [default: ~/.config/otp/config.toml]'
            cand --backend 'Where the vault key lives [default: keyring]'
            cand --identity 'age identity file; selects the identity-file backend [default: ~/.config/otp/identity.txt]'
            cand --color 'When to use colours (NO_COLOR is honoured)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'otp;key;import'= {
            cand --vault 'Vault file [default: ~/.local/share/otp/vault.age]'
            cand --config 'Config file [default: ~/.config/otp/config.toml]'
            cand --backend 'Where the vault key lives [default: keyring]'
            cand --identity 'age identity file; selects the identity-file backend [default: ~/.config/otp/identity.txt]'
            cand --color 'When to use colours (NO_COLOR is honoured)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'otp;key;rotate'= {
            cand --vault 'Vault file [default: ~/.local/share/otp/vault.age]'
            cand --config 'Config file [default: ~/.config/otp/config.toml]'
            cand --backend 'Where the vault key lives [default: keyring]'
            cand --identity 'age identity file; selects the identity-file backend [default: ~/.config/otp/identity.txt]'
            cand --color 'When to use colours (NO_COLOR is honoured)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'otp;key;recipient'= {
            cand --vault 'Vault file [default: ~/.local/share/otp/vault.age]'
            cand --config 'Config file [default: ~/.config/otp/config.toml]'
            cand --backend 'Where the vault key lives [default: keyring]'
            cand --identity 'age identity file; selects the identity-file backend [default: ~/.config/otp/identity.txt]'
            cand --color 'When to use colours (NO_COLOR is honoured)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'otp;key;help'= {
            cand export 'Write a recovery kit: the vault''s key, encrypted with a passphrase'
            cand import 'Restore the vault''s key from a recovery kit into the key backend'
            cand rotate 'Make a new key and re-encrypt the vault (passphrase vaults: change the passphrase)'
            cand recipient 'Print the vault''s public key (age1…)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'otp;key;help;export'= {
        }
        &'otp;key;help;import'= {
        }
        &'otp;key;help;rotate'= {
        }
        &'otp;key;help;recipient'= {
        }
        &'otp;key;help;help'= {
        }
        &'otp;merge'= {
            cand --vault 'Vault file [default: ~/.local/share/otp/vault.age]'
            cand --config 'Config file [default: ~/.config/otp/config.toml]'
            cand --backend 'Where the vault key lives [default: keyring]'
            cand --identity 'age identity file; selects the identity-file backend [default: ~/.config/otp/identity.txt]'
            cand --color 'When to use colours (NO_COLOR is honoured)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'otp;sync'= {
            cand --init 'Make the vault''s folder a git repository with remote URL, commit and push'
            cand --clone 'On a new machine: fetch the vault from URL into the vault path'
            cand --vault 'Vault file [default: ~/.local/share/otp/vault.age]'
            cand --config 'Config file [default: ~/.config/otp/config.toml]'
            cand --backend 'Where the vault key lives [default: keyring]'
            cand --identity 'age identity file; selects the identity-file backend [default: ~/.config/otp/identity.txt]'
            cand --color 'When to use colours (NO_COLOR is honoured)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'otp;device'= {
            cand --vault 'Vault file [default: ~/.local/share/otp/vault.age]'
            cand --config 'Config file [default: ~/.config/otp/config.toml]'
            cand --backend 'Where the vault key lives [default: keyring]'
            cand --identity 'age identity file; selects the identity-file backend [default: ~/.config/otp/identity.txt]'
            cand --color 'When to use colours (NO_COLOR is honoured)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand id 'Print this machine''s public key (age1…), to add it on a machine that has the vault'
            cand add 'Re-encrypt the vault to another machine''s key too'
            cand list 'Show the machines the vault is encrypted to'
            cand rm 'Re-encrypt the vault without a machine''s key'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'otp;device;id'= {
            cand --vault 'Vault file [default: ~/.local/share/otp/vault.age]'
            cand --config 'Config file [default: ~/.config/otp/config.toml]'
            cand --backend 'Where the vault key lives [default: keyring]'
            cand --identity 'age identity file; selects the identity-file backend [default: ~/.config/otp/identity.txt]'
            cand --color 'When to use colours (NO_COLOR is honoured)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'otp;device;add'= {
            cand --name 'A name for the machine'
            cand --vault 'Vault file [default: ~/.local/share/otp/vault.age]'
            cand --config 'Config file [default: ~/.config/otp/config.toml]'
            cand --backend 'Where the vault key lives [default: keyring]'
            cand --identity 'age identity file; selects the identity-file backend [default: ~/.config/otp/identity.txt]'
            cand --color 'When to use colours (NO_COLOR is honoured)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'otp;device;list'= {
            cand --vault 'Vault file [default: ~/.local/share/otp/vault.age]'
            cand --config 'Config file [default: ~/.config/otp/config.toml]'
            cand --backend 'Where the vault key lives [default: keyring]'
            cand --identity 'age identity file; selects the identity-file backend [default: ~/.config/otp/identity.txt]'
            cand --color 'When to use colours (NO_COLOR is honoured)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'otp;device;rm'= {
            cand --vault 'Vault file [default: ~/.local/share/otp/vault.age]'
            cand --config 'Config file [default: ~/.config/otp/config.toml]'
            cand --backend 'Where the vault key lives [default: keyring]'
            cand --identity 'age identity file; selects the identity-file backend [default: ~/.config/otp/identity.txt]'
            cand --color 'When to use colours (NO_COLOR is honoured)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'otp;device;help'= {
            cand id 'Print this machine''s public key (age1…), to add it on a machine that has the vault'
            cand add 'Re-encrypt the vault to another machine''s key too'
            cand list 'Show the machines the vault is encrypted to'
            cand rm 'Re-encrypt the vault without a machine''s key'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'otp;device;help;id'= {
        }
        &'otp;device;help;add'= {
        }
        &'otp;device;help;list'= {
        }
        &'otp;device;help;rm'= {
        }
        &'otp;device;help;help'= {
        }
        &'otp;doctor'= {
            cand --ntp 'Also check the clock against an SNTP server [default server: pool.ntp.org]'
            cand --vault 'Vault file [default: ~/.local/share/otp/vault.age]'
            cand --config 'Config file [default: ~/.config/otp/config.toml]'
            cand --backend 'Where the vault key lives [default: keyring]'
            cand --identity 'age identity file; selects the identity-file backend [default: ~/.config/otp/identity.txt]'
            cand --color 'When to use colours (NO_COLOR is honoured)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'otp;lock'= {
            cand --vault 'Vault file [default: ~/.local/share/otp/vault.age]'
            cand --config 'Config file [default: ~/.config/otp/config.toml]'
            cand --backend 'Where the vault key lives [default: keyring]'
            cand --identity 'age identity file; selects the identity-file backend [default: ~/.config/otp/identity.txt]'
            cand --color 'When to use colours (NO_COLOR is honoured)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'otp;run'= {
            cand --env 'Put the code in this environment variable of CMD [default: OTP_CODE]'
            cand --answer 'Run CMD on a pseudo-terminal and type a code, then Enter, whenever its output matches REGEX'
            cand --fresh 'If fewer than S seconds of the code remain, wait for the next one first'
            cand --vault 'Vault file [default: ~/.local/share/otp/vault.age]'
            cand --config 'Config file [default: ~/.config/otp/config.toml]'
            cand --backend 'Where the vault key lives [default: keyring]'
            cand --identity 'age identity file; selects the identity-file backend [default: ~/.config/otp/identity.txt]'
            cand --color 'When to use colours (NO_COLOR is honoured)'
            cand --stdin 'Write the code and a newline to CMD''s standard input instead'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'otp;pick'= {
            cand --menu 'Choose with this menu program instead, run with `sh -c`: entry names on its stdin, the choice on its stdout (`rofi -dmenu`, `dmenu`, `fzf`, `wofi --dmenu`, `fuzzel --dmenu`)'
            cand --vault 'Vault file [default: ~/.local/share/otp/vault.age]'
            cand --config 'Config file [default: ~/.config/otp/config.toml]'
            cand --backend 'Where the vault key lives [default: keyring]'
            cand --identity 'age identity file; selects the identity-file backend [default: ~/.config/otp/identity.txt]'
            cand --color 'When to use colours (NO_COLOR is honoured)'
            cand --print 'Print the chosen code instead of copying it'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'otp;type'= {
            cand --fresh 'If fewer than S seconds of the code remain, wait for the next one first'
            cand --vault 'Vault file [default: ~/.local/share/otp/vault.age]'
            cand --config 'Config file [default: ~/.config/otp/config.toml]'
            cand --backend 'Where the vault key lives [default: keyring]'
            cand --identity 'age identity file; selects the identity-file backend [default: ~/.config/otp/identity.txt]'
            cand --color 'When to use colours (NO_COLOR is honoured)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'otp;completions'= {
            cand --vault 'Vault file [default: ~/.local/share/otp/vault.age]'
            cand --config 'Config file [default: ~/.config/otp/config.toml]'
            cand --backend 'Where the vault key lives [default: keyring]'
            cand --identity 'age identity file; selects the identity-file backend [default: ~/.config/otp/identity.txt]'
            cand --color 'When to use colours (NO_COLOR is honoured)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'otp;help'= {
            cand init 'Create an empty vault and its key'
            cand add 'Add accounts from otpauth URIs, stdin, or by hand'
            cand code 'Print the current code of an entry'
            cand list 'List entries'
            cand rm 'Remove an entry'
            cand rename 'Change an entry''s issuer or account name'
            cand note 'Set (or, with empty TEXT, clear) an entry''s note'
            cand uri 'Print an entry''s otpauth URI (it contains the secret)'
            cand watch 'Live view of codes with countdowns'
            cand qr 'Show an entry as a QR code, to enrol a second device'
            cand recovery 'Keep and use an account''s recovery (backup) codes'
            cand export 'Back up the vault (passphrase-encrypted by default)'
            cand import 'Bring entries in from a backup or another app''s export'
            cand key 'Recovery kit and key management'
            cand merge 'Merge other copies of the vault into it (sync conflict copies, backups)'
            cand sync 'Keep the vault in step with other machines through a git remote'
            cand device 'The machines the vault is shared with, each with its own key'
            cand doctor 'Check the vault, its key, permissions, clipboard and clock'
            cand lock 'Forget the vault''s key cached from the OS keyring, at once'
            cand run 'Run a command with a code in its environment, on its stdin, or typed at its prompts'
            cand pick 'Choose an entry by fuzzy search (or with a menu program) and copy or print its code'
            cand type 'Type an entry''s code into the focused window (wtype or xdotool)'
            cand completions 'Print a shell completion script'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'otp;help;init'= {
        }
        &'otp;help;add'= {
        }
        &'otp;help;code'= {
        }
        &'otp;help;list'= {
        }
        &'otp;help;rm'= {
        }
        &'otp;help;rename'= {
        }
        &'otp;help;note'= {
        }
        &'otp;help;uri'= {
        }
        &'otp;help;watch'= {
        }
        &'otp;help;qr'= {
        }
        &'otp;help;recovery'= {
            cand add 'Store recovery codes (already stored ones are skipped)'
            cand list 'Show the codes; used ones are struck through (terminal) or marked `used DATE`'
            cand use 'Print the first unused code (or CODE) and mark it used'
            cand clear 'Remove all of the entry''s recovery codes'
        }
        &'otp;help;recovery;add'= {
        }
        &'otp;help;recovery;list'= {
        }
        &'otp;help;recovery;use'= {
        }
        &'otp;help;recovery;clear'= {
        }
        &'otp;help;export'= {
        }
        &'otp;help;import'= {
        }
        &'otp;help;key'= {
            cand export 'Write a recovery kit: the vault''s key, encrypted with a passphrase'
            cand import 'Restore the vault''s key from a recovery kit into the key backend'
            cand rotate 'Make a new key and re-encrypt the vault (passphrase vaults: change the passphrase)'
            cand recipient 'Print the vault''s public key (age1…)'
        }
        &'otp;help;key;export'= {
        }
        &'otp;help;key;import'= {
        }
        &'otp;help;key;rotate'= {
        }
        &'otp;help;key;recipient'= {
        }
        &'otp;help;merge'= {
        }
        &'otp;help;sync'= {
        }
        &'otp;help;device'= {
            cand id 'Print this machine''s public key (age1…), to add it on a machine that has the vault'
            cand add 'Re-encrypt the vault to another machine''s key too'
            cand list 'Show the machines the vault is encrypted to'
            cand rm 'Re-encrypt the vault without a machine''s key'
        }
        &'otp;help;device;id'= {
        }
        &'otp;help;device;add'= {
        }
        &'otp;help;device;list'= {
        }
        &'otp;help;device;rm'= {
        }
        &'otp;help;doctor'= {
        }
        &'otp;help;lock'= {
        }
        &'otp;help;run'= {
        }
        &'otp;help;pick'= {
        }
        &'otp;help;type'= {
        }
        &'otp;help;completions'= {
        }
        &'otp;help;help'= {
        }
    ]
    $completions[$command]
}
