
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'otp' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'otp'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'otp' {
            [CompletionResult]::new('--vault', '--vault', [CompletionResultType]::ParameterName, 'Vault file [default: ~/.local/share/otp/vault.age]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: ~/.config/otp/config.toml]')
            [CompletionResult]::new('--backend', '--backend', [CompletionResultType]::ParameterName, 'Where the vault key lives [default: keyring]')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'age identity file; selects the identity-file backend [default: ~/.config/otp/identity.txt]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (NO_COLOR is honoured)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('init', 'init', [CompletionResultType]::ParameterValue, 'Create an empty vault and its key')
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Add accounts from otpauth URIs, stdin, or by hand')
            [CompletionResult]::new('code', 'code', [CompletionResultType]::ParameterValue, 'Print the current code of an entry')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List entries')
            [CompletionResult]::new('ls', 'ls', [CompletionResultType]::ParameterValue, 'List entries')
            [CompletionResult]::new('rm', 'rm', [CompletionResultType]::ParameterValue, 'Remove an entry')
            [CompletionResult]::new('rename', 'rename', [CompletionResultType]::ParameterValue, 'Change an entry''s issuer or account name')
            [CompletionResult]::new('note', 'note', [CompletionResultType]::ParameterValue, 'Set (or, with empty TEXT, clear) an entry''s note')
            [CompletionResult]::new('uri', 'uri', [CompletionResultType]::ParameterValue, 'Print an entry''s otpauth URI (it contains the secret)')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'otp;init' {
            [CompletionResult]::new('--vault', '--vault', [CompletionResultType]::ParameterName, 'Vault file [default: ~/.local/share/otp/vault.age]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: ~/.config/otp/config.toml]')
            [CompletionResult]::new('--backend', '--backend', [CompletionResultType]::ParameterName, 'Where the vault key lives [default: keyring]')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'age identity file; selects the identity-file backend [default: ~/.config/otp/identity.txt]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (NO_COLOR is honoured)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'otp;add' {
            [CompletionResult]::new('--issuer', '--issuer', [CompletionResultType]::ParameterName, 'Manual entry: the service''s name')
            [CompletionResult]::new('--account', '--account', [CompletionResultType]::ParameterName, 'Manual entry: your account name at the service')
            [CompletionResult]::new('--type', '--type', [CompletionResultType]::ParameterName, 'Manual entry: totp, hotp or steam')
            [CompletionResult]::new('--algorithm', '--algorithm', [CompletionResultType]::ParameterName, 'Manual entry: SHA1, SHA256 or SHA512')
            [CompletionResult]::new('--digits', '--digits', [CompletionResultType]::ParameterName, 'Manual entry: code length, 6 to 10')
            [CompletionResult]::new('--period', '--period', [CompletionResultType]::ParameterName, 'Manual entry: seconds each TOTP code is valid')
            [CompletionResult]::new('--counter', '--counter', [CompletionResultType]::ParameterName, 'Manual entry: the next HOTP counter value')
            [CompletionResult]::new('--vault', '--vault', [CompletionResultType]::ParameterName, 'Vault file [default: ~/.local/share/otp/vault.age]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: ~/.config/otp/config.toml]')
            [CompletionResult]::new('--backend', '--backend', [CompletionResultType]::ParameterName, 'Where the vault key lives [default: keyring]')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'age identity file; selects the identity-file backend [default: ~/.config/otp/identity.txt]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (NO_COLOR is honoured)')
            [CompletionResult]::new('--replace', '--replace', [CompletionResultType]::ParameterName, 'Replace the key of an existing account (key renewal)')
            [CompletionResult]::new('--secret-stdin', '--secret-stdin', [CompletionResultType]::ParameterName, 'Manual entry: read the base32 secret from stdin instead of a hidden prompt')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'otp;code' {
            [CompletionResult]::new('--wait', '--wait', [CompletionResultType]::ParameterName, 'If fewer than N seconds remain, wait for the next code first')
            [CompletionResult]::new('--at', '--at', [CompletionResultType]::ParameterName, 'Time to compute the code for: unix seconds or RFC 3339 (2026-01-02T03:04:05Z)')
            [CompletionResult]::new('--vault', '--vault', [CompletionResultType]::ParameterName, 'Vault file [default: ~/.local/share/otp/vault.age]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: ~/.config/otp/config.toml]')
            [CompletionResult]::new('--backend', '--backend', [CompletionResultType]::ParameterName, 'Where the vault key lives [default: keyring]')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'age identity file; selects the identity-file backend [default: ~/.config/otp/identity.txt]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (NO_COLOR is honoured)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON: code, issuer, account, id, period, remaining, valid_until')
            [CompletionResult]::new('--next', '--next', [CompletionResultType]::ParameterName, 'The next period''s code instead of the current one')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'otp;list' {
            [CompletionResult]::new('--vault', '--vault', [CompletionResultType]::ParameterName, 'Vault file [default: ~/.local/share/otp/vault.age]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: ~/.config/otp/config.toml]')
            [CompletionResult]::new('--backend', '--backend', [CompletionResultType]::ParameterName, 'Where the vault key lives [default: keyring]')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'age identity file; selects the identity-file backend [default: ~/.config/otp/identity.txt]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (NO_COLOR is honoured)')
            [CompletionResult]::new('--codes', '--codes', [CompletionResultType]::ParameterName, 'Also show current codes and seconds left (HOTP codes are not generated)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'otp;ls' {
            [CompletionResult]::new('--vault', '--vault', [CompletionResultType]::ParameterName, 'Vault file [default: ~/.local/share/otp/vault.age]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: ~/.config/otp/config.toml]')
            [CompletionResult]::new('--backend', '--backend', [CompletionResultType]::ParameterName, 'Where the vault key lives [default: keyring]')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'age identity file; selects the identity-file backend [default: ~/.config/otp/identity.txt]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (NO_COLOR is honoured)')
            [CompletionResult]::new('--codes', '--codes', [CompletionResultType]::ParameterName, 'Also show current codes and seconds left (HOTP codes are not generated)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'otp;rm' {
            [CompletionResult]::new('--vault', '--vault', [CompletionResultType]::ParameterName, 'Vault file [default: ~/.local/share/otp/vault.age]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: ~/.config/otp/config.toml]')
            [CompletionResult]::new('--backend', '--backend', [CompletionResultType]::ParameterName, 'Where the vault key lives [default: keyring]')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'age identity file; selects the identity-file backend [default: ~/.config/otp/identity.txt]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (NO_COLOR is honoured)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Do not ask for confirmation (needed when stdin is not a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Do not ask for confirmation (needed when stdin is not a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'otp;rename' {
            [CompletionResult]::new('--issuer', '--issuer', [CompletionResultType]::ParameterName, 'New issuer (empty to remove it)')
            [CompletionResult]::new('--account', '--account', [CompletionResultType]::ParameterName, 'New account name')
            [CompletionResult]::new('--vault', '--vault', [CompletionResultType]::ParameterName, 'Vault file [default: ~/.local/share/otp/vault.age]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: ~/.config/otp/config.toml]')
            [CompletionResult]::new('--backend', '--backend', [CompletionResultType]::ParameterName, 'Where the vault key lives [default: keyring]')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'age identity file; selects the identity-file backend [default: ~/.config/otp/identity.txt]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (NO_COLOR is honoured)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'otp;note' {
            [CompletionResult]::new('--vault', '--vault', [CompletionResultType]::ParameterName, 'Vault file [default: ~/.local/share/otp/vault.age]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: ~/.config/otp/config.toml]')
            [CompletionResult]::new('--backend', '--backend', [CompletionResultType]::ParameterName, 'Where the vault key lives [default: keyring]')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'age identity file; selects the identity-file backend [default: ~/.config/otp/identity.txt]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (NO_COLOR is honoured)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'otp;uri' {
            [CompletionResult]::new('--vault', '--vault', [CompletionResultType]::ParameterName, 'Vault file [default: ~/.local/share/otp/vault.age]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: ~/.config/otp/config.toml]')
            [CompletionResult]::new('--backend', '--backend', [CompletionResultType]::ParameterName, 'Where the vault key lives [default: keyring]')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'age identity file; selects the identity-file backend [default: ~/.config/otp/identity.txt]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (NO_COLOR is honoured)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'otp;completions' {
            [CompletionResult]::new('--vault', '--vault', [CompletionResultType]::ParameterName, 'Vault file [default: ~/.local/share/otp/vault.age]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: ~/.config/otp/config.toml]')
            [CompletionResult]::new('--backend', '--backend', [CompletionResultType]::ParameterName, 'Where the vault key lives [default: keyring]')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'age identity file; selects the identity-file backend [default: ~/.config/otp/identity.txt]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (NO_COLOR is honoured)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'otp;help' {
            [CompletionResult]::new('init', 'init', [CompletionResultType]::ParameterValue, 'Create an empty vault and its key')
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Add accounts from otpauth URIs, stdin, or by hand')
            [CompletionResult]::new('code', 'code', [CompletionResultType]::ParameterValue, 'Print the current code of an entry')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List entries')
            [CompletionResult]::new('rm', 'rm', [CompletionResultType]::ParameterValue, 'Remove an entry')
            [CompletionResult]::new('rename', 'rename', [CompletionResultType]::ParameterValue, 'Change an entry''s issuer or account name')
            [CompletionResult]::new('note', 'note', [CompletionResultType]::ParameterValue, 'Set (or, with empty TEXT, clear) an entry''s note')
            [CompletionResult]::new('uri', 'uri', [CompletionResultType]::ParameterValue, 'Print an entry''s otpauth URI (it contains the secret)')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'otp;help;init' {
            break
        }
        'otp;help;add' {
            break
        }
        'otp;help;code' {
            break
        }
        'otp;help;list' {
            break
        }
        'otp;help;rm' {
            break
        }
        'otp;help;rename' {
            break
        }
        'otp;help;note' {
            break
        }
        'otp;help;uri' {
            break
        }
        'otp;help;completions' {
            break
        }
        'otp;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
