#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets from tests/fixtures into fuzz/corpus/TARGET.

Run from the repository root: python3 fuzz/seed.py DOCUMENT.json
(DOCUMENT.json: a vault document, as `otp export --format json --plaintext` writes it).
The committed corpora are these seeds plus what fuzzing found, minimised with `cargo fuzz cmin`.
"""
import base64, os, struct, sys, urllib.parse

APPS = "tests/fixtures/apps"
QR = "tests/fixtures/qr"
OUT = "fuzz/corpus"
# The order of otp::import::FORMATS; one more is auto-detection.
FORMATS = ["age", "aegis", "2fas", "andotp", "freeotp", "bitwarden", "ente", "json", "uris"]
AUTO = len(FORMATS)
IMPORTS = {
    "aegis_plain.json": "aegis", "aegis_encrypted.json": "aegis",
    "twofas_plain.2fas": "2fas", "twofas_encrypted.2fas": "2fas",
    "andotp_plain.json": "andotp", "andotp_encrypted.bin": "andotp",
    "freeotp_plus.json": "freeotp", "freeotp_plus_uris.txt": "freeotp",
    "bitwarden.json": "bitwarden", "bitwarden.csv": "bitwarden",
    "bitwarden_encrypted_pbkdf2.json": "bitwarden",
    "bitwarden_encrypted_argon2id.json": "bitwarden",
    "bitwarden_account_encrypted.json": "bitwarden",
    # ente_encrypted.json has the app's real Argon2 cost: seconds per run.
    "ente_plain.txt": "ente", "ente_encrypted_fastkdf.json": "ente",
    "otpauth_uris.txt": "uris", "aegis_uris.txt": "uris", "google_migration.txt": "uris",
    "unknown.json": "json",
}


def write(target, name, data):
    os.makedirs(f"{OUT}/{target}", exist_ok=True)
    with open(f"{OUT}/{target}/{name}", "wb") as f:
        f.write(data)


def lines(name):
    with open(f"{APPS}/{name}") as f:
        return [l.strip() for l in f if l.strip() and not l.startswith("#")]


def main():
    document = open(sys.argv[1], "rb").read()
    for name in ["otpauth_uris.txt", "aegis_uris.txt", "freeotp_plus_uris.txt"]:
        for i, line in enumerate(lines(name)):
            if line.startswith("otpauth://"):
                write("otpauth_uri", f"{name}-{i}", line.encode())
    for name in ["google_migration.txt", "google_migration_unescaped.txt", "bad_migration_base64.txt"]:
        for i, line in enumerate(lines(name)):
            write("migration_payload", f"{name}-{i}", line.encode())
            try:
                data = urllib.parse.parse_qs(urllib.parse.urlsplit(line).query)["data"][0]
                write("migration_payload", f"{name}-{i}.pb", b"\0" + base64.b64decode(data))
            except Exception:
                pass
    # The first byte: the format (or auto-detection), plus 128 for the password `test`.
    for name, fmt in IMPORTS.items():
        data = open(f"{APPS}/{name}", "rb").read()
        password = 128 if "encrypted" in name else 0
        write("import_file", name, bytes([FORMATS.index(fmt) + password]) + data)
        write("import_file", f"auto-{name}", bytes([AUTO + password]) + data)
    write("import_file", "json-document", bytes([FORMATS.index("json")]) + document)
    write("config_file", "full.toml", b'vault = "/tmp/v.age"\nbackend = "identity-file"\n'
          b'identity = "/tmp/id.txt"\n'
          b'recipients = ["age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p"]\n'
          b"clipboard_clear_seconds = 20\nkey_cache_seconds = 300\n")
    write("config_file", "keyring.toml", b'backend = "keyring"\n')
    write("config_file", "empty.toml", b"")
    for d in [QR, APPS]:
        for name in sorted(os.listdir(d)):
            path = f"{d}/{name}"
            if name.rsplit(".", 1)[-1] in ("png", "jpg", "gif", "bmp", "webp") and os.path.getsize(path) <= 64 * 1024:
                data = open(path, "rb").read()
                if name.endswith(".png"):
                    w, h = struct.unpack(">II", data[16:24])
                    if w * h > 512 * 512:
                        continue
                write("qr_image", name, data)
    for query in [b"github", b"0309", b"alice", b"acme", b"nothing"]:
        write("vault_read", query.decode(), query + b"\n" + document)


main()
