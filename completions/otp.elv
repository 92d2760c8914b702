
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
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
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
            cand --replace 'Replace the key of an existing account (key renewal)'
            cand --secret-stdin 'Manual entry: read the base32 secret from stdin instead of a hidden prompt'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'otp;code'= {
            cand --wait 'If fewer than N seconds remain, wait for the next code first'
            cand --at 'Time to compute the code for: unix seconds or RFC 3339 (2026-01-02T03:04:05Z)'
            cand --vault 'Vault file [default: ~/.local/share/otp/vault.age]'
            cand --config 'Config file [default: ~/.config/otp/config.toml]'
            cand --backend 'Where the vault key lives [default: keyring]'
            cand --identity 'age identity file; selects the identity-file backend [default: ~/.config/otp/identity.txt]'
            cand --color 'When to use colours (NO_COLOR is honoured)'
            cand --json 'Print JSON: code, issuer, account, id, period, remaining, valid_until'
            cand --next 'The next period''s code instead of the current one'
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
        &'otp;help;completions'= {
        }
        &'otp;help;help'= {
        }
    ]
    $completions[$command]
}
