
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
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
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
            [CompletionResult]::new('watch', 'watch', [CompletionResultType]::ParameterValue, 'Live view of codes with countdowns')
            [CompletionResult]::new('qr', 'qr', [CompletionResultType]::ParameterValue, 'Show an entry as a QR code, to enrol a second device')
            [CompletionResult]::new('recovery', 'recovery', [CompletionResultType]::ParameterValue, 'Keep and use an account''s recovery (backup) codes')
            [CompletionResult]::new('export', 'export', [CompletionResultType]::ParameterValue, 'Back up the vault (passphrase-encrypted by default)')
            [CompletionResult]::new('import', 'import', [CompletionResultType]::ParameterValue, 'Bring entries in from a backup or another app''s export')
            [CompletionResult]::new('key', 'key', [CompletionResultType]::ParameterValue, 'Recovery kit and key management')
            [CompletionResult]::new('merge', 'merge', [CompletionResultType]::ParameterValue, 'Merge other copies of the vault into it (sync conflict copies, backups)')
            [CompletionResult]::new('sync', 'sync', [CompletionResultType]::ParameterValue, 'Keep the vault in step with other machines through a git remote')
            [CompletionResult]::new('device', 'device', [CompletionResultType]::ParameterValue, 'The machines the vault is shared with, each with its own key')
            [CompletionResult]::new('doctor', 'doctor', [CompletionResultType]::ParameterValue, 'Check the vault, its key, permissions, clipboard and clock')
            [CompletionResult]::new('lock', 'lock', [CompletionResultType]::ParameterValue, 'Forget the vault''s key cached from the OS keyring, at once')
            [CompletionResult]::new('run', 'run', [CompletionResultType]::ParameterValue, 'Run a command with a code in its environment, on its stdin, or typed at its prompts')
            [CompletionResult]::new('pick', 'pick', [CompletionResultType]::ParameterValue, 'Choose an entry by fuzzy search (or with a menu program) and copy or print its code')
            [CompletionResult]::new('type', 'type', [CompletionResultType]::ParameterValue, 'Type an entry''s code into the focused window (wtype or xdotool)')
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
            [CompletionResult]::new('--clipboard', '--clipboard', [CompletionResultType]::ParameterName, 'Also read a screenshot of a QR code, or otpauth URIs as text, from the clipboard')
            [CompletionResult]::new('--replace', '--replace', [CompletionResultType]::ParameterName, 'Replace the key of an existing account (key renewal)')
            [CompletionResult]::new('--secret-stdin', '--secret-stdin', [CompletionResultType]::ParameterName, 'Manual entry: read the base32 secret from stdin instead of a hidden prompt')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'otp;code' {
            [CompletionResult]::new('--wait', '--wait', [CompletionResultType]::ParameterName, 'If fewer than N seconds remain, wait for the next code first')
            [CompletionResult]::new('--at', '--at', [CompletionResultType]::ParameterName, 'Time to compute the code for: unix seconds or RFC 3339 (2026-01-02T03:04:05Z)')
            [CompletionResult]::new('--clear-after', '--clear-after', [CompletionResultType]::ParameterName, 'Seconds until the copied code is cleared, 0 for never [default: config clipboard_clear_seconds, or 20]')
            [CompletionResult]::new('--vault', '--vault', [CompletionResultType]::ParameterName, 'Vault file [default: ~/.local/share/otp/vault.age]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: ~/.config/otp/config.toml]')
            [CompletionResult]::new('--backend', '--backend', [CompletionResultType]::ParameterName, 'Where the vault key lives [default: keyring]')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'age identity file; selects the identity-file backend [default: ~/.config/otp/identity.txt]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (NO_COLOR is honoured)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON: code, issuer, account, id, period, remaining, valid_until')
            [CompletionResult]::new('--next', '--next', [CompletionResultType]::ParameterName, 'The next period''s code instead of the current one')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Put the code on the clipboard instead of printing it; it is cleared after a delay')
            [CompletionResult]::new('--copy', '--copy', [CompletionResultType]::ParameterName, 'Put the code on the clipboard instead of printing it; it is cleared after a delay')
            [CompletionResult]::new('--osc52', '--osc52', [CompletionResultType]::ParameterName, 'Copy through the terminal (OSC 52 escape) even when a display is available')
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
        'otp;watch' {
            [CompletionResult]::new('--vault', '--vault', [CompletionResultType]::ParameterName, 'Vault file [default: ~/.local/share/otp/vault.age]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: ~/.config/otp/config.toml]')
            [CompletionResult]::new('--backend', '--backend', [CompletionResultType]::ParameterName, 'Where the vault key lives [default: keyring]')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'age identity file; selects the identity-file backend [default: ~/.config/otp/identity.txt]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (NO_COLOR is honoured)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'otp;qr' {
            [CompletionResult]::new('--png', '--png', [CompletionResultType]::ParameterName, 'Write a PNG image to FILE instead of drawing on the terminal (created with mode 0600; an existing file is not overwritten)')
            [CompletionResult]::new('--vault', '--vault', [CompletionResultType]::ParameterName, 'Vault file [default: ~/.local/share/otp/vault.age]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: ~/.config/otp/config.toml]')
            [CompletionResult]::new('--backend', '--backend', [CompletionResultType]::ParameterName, 'Where the vault key lives [default: keyring]')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'age identity file; selects the identity-file backend [default: ~/.config/otp/identity.txt]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (NO_COLOR is honoured)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'otp;recovery' {
            [CompletionResult]::new('--vault', '--vault', [CompletionResultType]::ParameterName, 'Vault file [default: ~/.local/share/otp/vault.age]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: ~/.config/otp/config.toml]')
            [CompletionResult]::new('--backend', '--backend', [CompletionResultType]::ParameterName, 'Where the vault key lives [default: keyring]')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'age identity file; selects the identity-file backend [default: ~/.config/otp/identity.txt]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (NO_COLOR is honoured)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Store recovery codes (already stored ones are skipped)')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'Show the codes; used ones are struck through (terminal) or marked `used DATE`')
            [CompletionResult]::new('use', 'use', [CompletionResultType]::ParameterValue, 'Print the first unused code (or CODE) and mark it used')
            [CompletionResult]::new('clear', 'clear', [CompletionResultType]::ParameterValue, 'Remove all of the entry''s recovery codes')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'otp;recovery;add' {
            [CompletionResult]::new('--vault', '--vault', [CompletionResultType]::ParameterName, 'Vault file [default: ~/.local/share/otp/vault.age]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: ~/.config/otp/config.toml]')
            [CompletionResult]::new('--backend', '--backend', [CompletionResultType]::ParameterName, 'Where the vault key lives [default: keyring]')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'age identity file; selects the identity-file backend [default: ~/.config/otp/identity.txt]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (NO_COLOR is honoured)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'otp;recovery;list' {
            [CompletionResult]::new('--vault', '--vault', [CompletionResultType]::ParameterName, 'Vault file [default: ~/.local/share/otp/vault.age]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: ~/.config/otp/config.toml]')
            [CompletionResult]::new('--backend', '--backend', [CompletionResultType]::ParameterName, 'Where the vault key lives [default: keyring]')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'age identity file; selects the identity-file backend [default: ~/.config/otp/identity.txt]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (NO_COLOR is honoured)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON: the codes with when each was used (RFC 3339, or null)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'otp;recovery;use' {
            [CompletionResult]::new('--vault', '--vault', [CompletionResultType]::ParameterName, 'Vault file [default: ~/.local/share/otp/vault.age]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: ~/.config/otp/config.toml]')
            [CompletionResult]::new('--backend', '--backend', [CompletionResultType]::ParameterName, 'Where the vault key lives [default: keyring]')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'age identity file; selects the identity-file backend [default: ~/.config/otp/identity.txt]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (NO_COLOR is honoured)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'otp;recovery;clear' {
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
        'otp;recovery;help' {
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Store recovery codes (already stored ones are skipped)')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'Show the codes; used ones are struck through (terminal) or marked `used DATE`')
            [CompletionResult]::new('use', 'use', [CompletionResultType]::ParameterValue, 'Print the first unused code (or CODE) and mark it used')
            [CompletionResult]::new('clear', 'clear', [CompletionResultType]::ParameterValue, 'Remove all of the entry''s recovery codes')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'otp;recovery;help;add' {
            break
        }
        'otp;recovery;help;list' {
            break
        }
        'otp;recovery;help;use' {
            break
        }
        'otp;recovery;help;clear' {
            break
        }
        'otp;recovery;help;help' {
            break
        }
        'otp;export' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Write to FILE (mode 0600) instead of stdout')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Write to FILE (mode 0600) instead of stdout')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'age: passphrase-encrypted vault document; json, uris, aegis: plaintext (need --plaintext); google-qr: Google Authenticator transfer QR codes')
            [CompletionResult]::new('--png-dir', '--png-dir', [CompletionResultType]::ParameterName, 'google-qr: write the QR codes as PNG files (mode 0600) into DIR instead of drawing them on the terminal')
            [CompletionResult]::new('--vault', '--vault', [CompletionResultType]::ParameterName, 'Vault file [default: ~/.local/share/otp/vault.age]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: ~/.config/otp/config.toml]')
            [CompletionResult]::new('--backend', '--backend', [CompletionResultType]::ParameterName, 'Where the vault key lives [default: keyring]')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'age identity file; selects the identity-file backend [default: ~/.config/otp/identity.txt]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (NO_COLOR is honoured)')
            [CompletionResult]::new('--plaintext', '--plaintext', [CompletionResultType]::ParameterName, 'Allow a plaintext format: whoever reads the output has your secrets')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'otp;import' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'The file''s format [default: detected]')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'Read the password of an encrypted export from the first line of FILE')
            [CompletionResult]::new('--vault', '--vault', [CompletionResultType]::ParameterName, 'Vault file [default: ~/.local/share/otp/vault.age]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: ~/.config/otp/config.toml]')
            [CompletionResult]::new('--backend', '--backend', [CompletionResultType]::ParameterName, 'Where the vault key lives [default: keyring]')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'age identity file; selects the identity-file backend [default: ~/.config/otp/identity.txt]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (NO_COLOR is honoured)')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Show what would be added, skipped or in conflict; write nothing')
            [CompletionResult]::new('--replace', '--replace', [CompletionResultType]::ParameterName, 'Replace the key of accounts that already exist with another key (key renewal)')
            [CompletionResult]::new('--password-stdin', '--password-stdin', [CompletionResultType]::ParameterName, 'Read the password of an encrypted export from the first line of stdin')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'otp;key' {
            [CompletionResult]::new('--vault', '--vault', [CompletionResultType]::ParameterName, 'Vault file [default: ~/.local/share/otp/vault.age]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: ~/.config/otp/config.toml]')
            [CompletionResult]::new('--backend', '--backend', [CompletionResultType]::ParameterName, 'Where the vault key lives [default: keyring]')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'age identity file; selects the identity-file backend [default: ~/.config/otp/identity.txt]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (NO_COLOR is honoured)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('export', 'export', [CompletionResultType]::ParameterValue, 'Write a recovery kit: the vault''s key, encrypted with a passphrase')
            [CompletionResult]::new('import', 'import', [CompletionResultType]::ParameterValue, 'Restore the vault''s key from a recovery kit into the key backend')
            [CompletionResult]::new('rotate', 'rotate', [CompletionResultType]::ParameterValue, 'Make a new key and re-encrypt the vault (passphrase vaults: change the passphrase)')
            [CompletionResult]::new('recipient', 'recipient', [CompletionResultType]::ParameterValue, 'Print the vault''s public key (age1…)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'otp;key;export' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Write the kit to FILE (mode 0600) instead of stdout')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Write the kit to FILE (mode 0600) instead of stdout')
            [CompletionResult]::new('--vault', '--vault', [CompletionResultType]::ParameterName, 'Vault file [default: ~/.local/share/otp/vault.age]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: ~/.config/otp/config.toml]')
            [CompletionResult]::new('--backend', '--backend', [CompletionResultType]::ParameterName, 'Where the vault key lives [default: keyring]')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'age identity file; selects the identity-file backend [default: ~/.config/otp/identity.txt]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (NO_COLOR is honoured)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'otp;key;import' {
            [CompletionResult]::new('--vault', '--vault', [CompletionResultType]::ParameterName, 'Vault file [default: ~/.local/share/otp/vault.age]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: ~/.config/otp/config.toml]')
            [CompletionResult]::new('--backend', '--backend', [CompletionResultType]::ParameterName, 'Where the vault key lives [default: keyring]')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'age identity file; selects the identity-file backend [default: ~/.config/otp/identity.txt]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (NO_COLOR is honoured)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'otp;key;rotate' {
            [CompletionResult]::new('--vault', '--vault', [CompletionResultType]::ParameterName, 'Vault file [default: ~/.local/share/otp/vault.age]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: ~/.config/otp/config.toml]')
            [CompletionResult]::new('--backend', '--backend', [CompletionResultType]::ParameterName, 'Where the vault key lives [default: keyring]')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'age identity file; selects the identity-file backend [default: ~/.config/otp/identity.txt]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (NO_COLOR is honoured)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'otp;key;recipient' {
            [CompletionResult]::new('--vault', '--vault', [CompletionResultType]::ParameterName, 'Vault file [default: ~/.local/share/otp/vault.age]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: ~/.config/otp/config.toml]')
            [CompletionResult]::new('--backend', '--backend', [CompletionResultType]::ParameterName, 'Where the vault key lives [default: keyring]')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'age identity file; selects the identity-file backend [default: ~/.config/otp/identity.txt]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (NO_COLOR is honoured)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'otp;key;help' {
            [CompletionResult]::new('export', 'export', [CompletionResultType]::ParameterValue, 'Write a recovery kit: the vault''s key, encrypted with a passphrase')
            [CompletionResult]::new('import', 'import', [CompletionResultType]::ParameterValue, 'Restore the vault''s key from a recovery kit into the key backend')
            [CompletionResult]::new('rotate', 'rotate', [CompletionResultType]::ParameterValue, 'Make a new key and re-encrypt the vault (passphrase vaults: change the passphrase)')
            [CompletionResult]::new('recipient', 'recipient', [CompletionResultType]::ParameterValue, 'Print the vault''s public key (age1…)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'otp;key;help;export' {
            break
        }
        'otp;key;help;import' {
            break
        }
        'otp;key;help;rotate' {
            break
        }
        'otp;key;help;recipient' {
            break
        }
        'otp;key;help;help' {
            break
        }
        'otp;merge' {
            [CompletionResult]::new('--vault', '--vault', [CompletionResultType]::ParameterName, 'Vault file [default: ~/.local/share/otp/vault.age]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: ~/.config/otp/config.toml]')
            [CompletionResult]::new('--backend', '--backend', [CompletionResultType]::ParameterName, 'Where the vault key lives [default: keyring]')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'age identity file; selects the identity-file backend [default: ~/.config/otp/identity.txt]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (NO_COLOR is honoured)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'otp;sync' {
            [CompletionResult]::new('--init', '--init', [CompletionResultType]::ParameterName, 'Make the vault''s folder a git repository with remote URL, commit and push')
            [CompletionResult]::new('--clone', '--clone', [CompletionResultType]::ParameterName, 'On a new machine: fetch the vault from URL into the vault path')
            [CompletionResult]::new('--vault', '--vault', [CompletionResultType]::ParameterName, 'Vault file [default: ~/.local/share/otp/vault.age]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: ~/.config/otp/config.toml]')
            [CompletionResult]::new('--backend', '--backend', [CompletionResultType]::ParameterName, 'Where the vault key lives [default: keyring]')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'age identity file; selects the identity-file backend [default: ~/.config/otp/identity.txt]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (NO_COLOR is honoured)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'otp;device' {
            [CompletionResult]::new('--vault', '--vault', [CompletionResultType]::ParameterName, 'Vault file [default: ~/.local/share/otp/vault.age]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: ~/.config/otp/config.toml]')
            [CompletionResult]::new('--backend', '--backend', [CompletionResultType]::ParameterName, 'Where the vault key lives [default: keyring]')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'age identity file; selects the identity-file backend [default: ~/.config/otp/identity.txt]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (NO_COLOR is honoured)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('id', 'id', [CompletionResultType]::ParameterValue, 'Print this machine''s public key (age1…), to add it on a machine that has the vault')
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Re-encrypt the vault to another machine''s key too')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'Show the machines the vault is encrypted to')
            [CompletionResult]::new('rm', 'rm', [CompletionResultType]::ParameterValue, 'Re-encrypt the vault without a machine''s key')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'otp;device;id' {
            [CompletionResult]::new('--vault', '--vault', [CompletionResultType]::ParameterName, 'Vault file [default: ~/.local/share/otp/vault.age]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: ~/.config/otp/config.toml]')
            [CompletionResult]::new('--backend', '--backend', [CompletionResultType]::ParameterName, 'Where the vault key lives [default: keyring]')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'age identity file; selects the identity-file backend [default: ~/.config/otp/identity.txt]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (NO_COLOR is honoured)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'otp;device;add' {
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'A name for the machine')
            [CompletionResult]::new('--vault', '--vault', [CompletionResultType]::ParameterName, 'Vault file [default: ~/.local/share/otp/vault.age]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: ~/.config/otp/config.toml]')
            [CompletionResult]::new('--backend', '--backend', [CompletionResultType]::ParameterName, 'Where the vault key lives [default: keyring]')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'age identity file; selects the identity-file backend [default: ~/.config/otp/identity.txt]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (NO_COLOR is honoured)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'otp;device;list' {
            [CompletionResult]::new('--vault', '--vault', [CompletionResultType]::ParameterName, 'Vault file [default: ~/.local/share/otp/vault.age]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: ~/.config/otp/config.toml]')
            [CompletionResult]::new('--backend', '--backend', [CompletionResultType]::ParameterName, 'Where the vault key lives [default: keyring]')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'age identity file; selects the identity-file backend [default: ~/.config/otp/identity.txt]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (NO_COLOR is honoured)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'otp;device;rm' {
            [CompletionResult]::new('--vault', '--vault', [CompletionResultType]::ParameterName, 'Vault file [default: ~/.local/share/otp/vault.age]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: ~/.config/otp/config.toml]')
            [CompletionResult]::new('--backend', '--backend', [CompletionResultType]::ParameterName, 'Where the vault key lives [default: keyring]')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'age identity file; selects the identity-file backend [default: ~/.config/otp/identity.txt]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (NO_COLOR is honoured)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'otp;device;help' {
            [CompletionResult]::new('id', 'id', [CompletionResultType]::ParameterValue, 'Print this machine''s public key (age1…), to add it on a machine that has the vault')
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Re-encrypt the vault to another machine''s key too')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'Show the machines the vault is encrypted to')
            [CompletionResult]::new('rm', 'rm', [CompletionResultType]::ParameterValue, 'Re-encrypt the vault without a machine''s key')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'otp;device;help;id' {
            break
        }
        'otp;device;help;add' {
            break
        }
        'otp;device;help;list' {
            break
        }
        'otp;device;help;rm' {
            break
        }
        'otp;device;help;help' {
            break
        }
        'otp;doctor' {
            [CompletionResult]::new('--ntp', '--ntp', [CompletionResultType]::ParameterName, 'Also check the clock against an SNTP server [default server: pool.ntp.org]')
            [CompletionResult]::new('--vault', '--vault', [CompletionResultType]::ParameterName, 'Vault file [default: ~/.local/share/otp/vault.age]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: ~/.config/otp/config.toml]')
            [CompletionResult]::new('--backend', '--backend', [CompletionResultType]::ParameterName, 'Where the vault key lives [default: keyring]')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'age identity file; selects the identity-file backend [default: ~/.config/otp/identity.txt]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (NO_COLOR is honoured)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'otp;lock' {
            [CompletionResult]::new('--vault', '--vault', [CompletionResultType]::ParameterName, 'Vault file [default: ~/.local/share/otp/vault.age]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: ~/.config/otp/config.toml]')
            [CompletionResult]::new('--backend', '--backend', [CompletionResultType]::ParameterName, 'Where the vault key lives [default: keyring]')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'age identity file; selects the identity-file backend [default: ~/.config/otp/identity.txt]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (NO_COLOR is honoured)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'otp;run' {
            [CompletionResult]::new('--env', '--env', [CompletionResultType]::ParameterName, 'Put the code in this environment variable of CMD [default: OTP_CODE]')
            [CompletionResult]::new('--answer', '--answer', [CompletionResultType]::ParameterName, 'Run CMD on a pseudo-terminal and type a code, then Enter, whenever its output matches REGEX')
            [CompletionResult]::new('--fresh', '--fresh', [CompletionResultType]::ParameterName, 'If fewer than S seconds of the code remain, wait for the next one first')
            [CompletionResult]::new('--vault', '--vault', [CompletionResultType]::ParameterName, 'Vault file [default: ~/.local/share/otp/vault.age]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: ~/.config/otp/config.toml]')
            [CompletionResult]::new('--backend', '--backend', [CompletionResultType]::ParameterName, 'Where the vault key lives [default: keyring]')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'age identity file; selects the identity-file backend [default: ~/.config/otp/identity.txt]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (NO_COLOR is honoured)')
            [CompletionResult]::new('--stdin', '--stdin', [CompletionResultType]::ParameterName, 'Write the code and a newline to CMD''s standard input instead')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'otp;pick' {
            [CompletionResult]::new('--menu', '--menu', [CompletionResultType]::ParameterName, 'Choose with this menu program instead, run with `sh -c`: entry names on its stdin, the choice on its stdout (`rofi -dmenu`, `dmenu`, `fzf`, `wofi --dmenu`, `fuzzel --dmenu`)')
            [CompletionResult]::new('--vault', '--vault', [CompletionResultType]::ParameterName, 'Vault file [default: ~/.local/share/otp/vault.age]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: ~/.config/otp/config.toml]')
            [CompletionResult]::new('--backend', '--backend', [CompletionResultType]::ParameterName, 'Where the vault key lives [default: keyring]')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'age identity file; selects the identity-file backend [default: ~/.config/otp/identity.txt]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (NO_COLOR is honoured)')
            [CompletionResult]::new('--print', '--print', [CompletionResultType]::ParameterName, 'Print the chosen code instead of copying it')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'otp;type' {
            [CompletionResult]::new('--fresh', '--fresh', [CompletionResultType]::ParameterName, 'If fewer than S seconds of the code remain, wait for the next one first')
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
            [CompletionResult]::new('watch', 'watch', [CompletionResultType]::ParameterValue, 'Live view of codes with countdowns')
            [CompletionResult]::new('qr', 'qr', [CompletionResultType]::ParameterValue, 'Show an entry as a QR code, to enrol a second device')
            [CompletionResult]::new('recovery', 'recovery', [CompletionResultType]::ParameterValue, 'Keep and use an account''s recovery (backup) codes')
            [CompletionResult]::new('export', 'export', [CompletionResultType]::ParameterValue, 'Back up the vault (passphrase-encrypted by default)')
            [CompletionResult]::new('import', 'import', [CompletionResultType]::ParameterValue, 'Bring entries in from a backup or another app''s export')
            [CompletionResult]::new('key', 'key', [CompletionResultType]::ParameterValue, 'Recovery kit and key management')
            [CompletionResult]::new('merge', 'merge', [CompletionResultType]::ParameterValue, 'Merge other copies of the vault into it (sync conflict copies, backups)')
            [CompletionResult]::new('sync', 'sync', [CompletionResultType]::ParameterValue, 'Keep the vault in step with other machines through a git remote')
            [CompletionResult]::new('device', 'device', [CompletionResultType]::ParameterValue, 'The machines the vault is shared with, each with its own key')
            [CompletionResult]::new('doctor', 'doctor', [CompletionResultType]::ParameterValue, 'Check the vault, its key, permissions, clipboard and clock')
            [CompletionResult]::new('lock', 'lock', [CompletionResultType]::ParameterValue, 'Forget the vault''s key cached from the OS keyring, at once')
            [CompletionResult]::new('run', 'run', [CompletionResultType]::ParameterValue, 'Run a command with a code in its environment, on its stdin, or typed at its prompts')
            [CompletionResult]::new('pick', 'pick', [CompletionResultType]::ParameterValue, 'Choose an entry by fuzzy search (or with a menu program) and copy or print its code')
            [CompletionResult]::new('type', 'type', [CompletionResultType]::ParameterValue, 'Type an entry''s code into the focused window (wtype or xdotool)')
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
        'otp;help;watch' {
            break
        }
        'otp;help;qr' {
            break
        }
        'otp;help;recovery' {
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Store recovery codes (already stored ones are skipped)')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'Show the codes; used ones are struck through (terminal) or marked `used DATE`')
            [CompletionResult]::new('use', 'use', [CompletionResultType]::ParameterValue, 'Print the first unused code (or CODE) and mark it used')
            [CompletionResult]::new('clear', 'clear', [CompletionResultType]::ParameterValue, 'Remove all of the entry''s recovery codes')
            break
        }
        'otp;help;recovery;add' {
            break
        }
        'otp;help;recovery;list' {
            break
        }
        'otp;help;recovery;use' {
            break
        }
        'otp;help;recovery;clear' {
            break
        }
        'otp;help;export' {
            break
        }
        'otp;help;import' {
            break
        }
        'otp;help;key' {
            [CompletionResult]::new('export', 'export', [CompletionResultType]::ParameterValue, 'Write a recovery kit: the vault''s key, encrypted with a passphrase')
            [CompletionResult]::new('import', 'import', [CompletionResultType]::ParameterValue, 'Restore the vault''s key from a recovery kit into the key backend')
            [CompletionResult]::new('rotate', 'rotate', [CompletionResultType]::ParameterValue, 'Make a new key and re-encrypt the vault (passphrase vaults: change the passphrase)')
            [CompletionResult]::new('recipient', 'recipient', [CompletionResultType]::ParameterValue, 'Print the vault''s public key (age1…)')
            break
        }
        'otp;help;key;export' {
            break
        }
        'otp;help;key;import' {
            break
        }
        'otp;help;key;rotate' {
            break
        }
        'otp;help;key;recipient' {
            break
        }
        'otp;help;merge' {
            break
        }
        'otp;help;sync' {
            break
        }
        'otp;help;device' {
            [CompletionResult]::new('id', 'id', [CompletionResultType]::ParameterValue, 'Print this machine''s public key (age1…), to add it on a machine that has the vault')
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Re-encrypt the vault to another machine''s key too')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'Show the machines the vault is encrypted to')
            [CompletionResult]::new('rm', 'rm', [CompletionResultType]::ParameterValue, 'Re-encrypt the vault without a machine''s key')
            break
        }
        'otp;help;device;id' {
            break
        }
        'otp;help;device;add' {
            break
        }
        'otp;help;device;list' {
            break
        }
        'otp;help;device;rm' {
            break
        }
        'otp;help;doctor' {
            break
        }
        'otp;help;lock' {
            break
        }
        'otp;help;run' {
            break
        }
        'otp;help;pick' {
            break
        }
        'otp;help;type' {
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
