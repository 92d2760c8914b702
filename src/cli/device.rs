/*!
`otp device id|add|list|rm`: the machines a vault is shared with. Each machine keeps its own
key (no secret key is ever copied); the vault lists the other machines' public keys and every
write encrypts to all of them. The list lives in the encrypted vault itself, so it travels
with `otp sync` and `otp merge` and every machine encrypts to the same keys.
*/

use super::Context;
use crate::error::{Device, Result};
use crate::keys::Key;
use crate::vault::{self, Vault};

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub command: DeviceCommand,
}

#[derive(Debug, clap::Subcommand)]
pub enum DeviceCommand {
    /// Print this machine's public key (age1…), to add it on a machine that has the vault
    Id,
    /// Re-encrypt the vault to another machine's key too
    Add(AddArgs),
    /// Show the machines the vault is encrypted to
    List,
    /// Re-encrypt the vault without a machine's key
    Rm(RmArgs),
}

#[derive(Debug, clap::Args)]
pub struct AddArgs {
    /// The other machine's public key, as `otp device id` prints it there
    #[arg(value_name = "AGE1KEY")]
    pub key: String,
    /// A name for the machine
    #[arg(long)]
    pub name: String,
}

#[derive(Debug, clap::Args)]
pub struct RmArgs {
    /// The machine's name
    pub name: String,
}

pub(crate) fn run(ctx: &Context, args: Args) -> Result<()> {
    match args.command {
        DeviceCommand::Id => match vault::machine_key(&ctx.vault)? {
            Some(id) => ctx.print(&format!("{}\n", id.to_public())),
            None => Err(Device::PassphraseVault.into()),
        },
        DeviceCommand::Add(a) => add(ctx, &a),
        DeviceCommand::List => list(ctx),
        DeviceCommand::Rm(a) => rm(ctx, &a.name),
    }
}

fn own_key(vault: &Vault) -> Result<String> {
    match vault.key() {
        Key::Identity(id) => Ok(id.to_public().to_string()),
        Key::Passphrase(_) => Err(Device::PassphraseVault.into()),
    }
}

fn check_name(name: &str) -> Result<()> {
    let ok = !name.trim().is_empty()
        && name.chars().count() <= 64
        && !name.chars().any(char::is_control);
    if ok {
        Ok(())
    } else {
        Err(Device::BadName.into())
    }
}

fn add(ctx: &Context, args: &AddArgs) -> Result<()> {
    check_name(&args.name)?;
    let key: age::x25519::Recipient = args.key.trim().parse().map_err(|_| Device::BadKey)?;
    let key = key.to_string();
    let mut vault = Vault::open_for_update(&ctx.vault)?;
    let own = own_key(&vault)?;
    let now = jiff::Timestamp::now().as_second();
    let me = vault::device();
    if let Some(d) = vault.doc.live_devices().find(|d| d.key == key) {
        let what = if key == own {
            "this machine"
        } else {
            "a device"
        };
        return Err(Device::Known {
            what,
            name: d.name.clone(),
        }
        .into());
    }
    if key == own {
        return Err(Device::OwnKey.into());
    }
    if vault.doc.live_devices().any(|d| d.name == args.name) {
        return Err(Device::NameTaken(args.name.clone()).into());
    }
    // The first device: this machine joins the list too, or the other machine's writes
    // would not be encrypted to it.
    if !vault.doc.live_devices().any(|d| d.key == own) {
        let mut name = me.clone();
        while vault.doc.live_devices().any(|d| d.name == name) || name == args.name {
            name.push('~');
        }
        vault.doc.set_device(&name, &own, false, now, &me);
    }
    vault.doc.set_device(&args.name, &key, false, now, &me);
    vault.save()?;
    ctx.print(&format!(
        "Added device {}: the vault is now encrypted to its key too. Sync it there with \
         `otp sync` (or copy the vault).\n",
        crate::output::sanitize(&args.name)
    ))
}

fn list(ctx: &Context) -> Result<()> {
    let vault = Vault::open(&ctx.vault)?;
    let own = own_key(&vault)?;
    let mut out = String::new();
    for d in vault.doc.live_devices() {
        let this = if d.key == own { "  (this machine)" } else { "" };
        out.push_str(&format!(
            "{}  {}{this}\n",
            crate::output::sanitize(&d.name),
            d.key
        ));
    }
    if out.is_empty() {
        out = "No devices: the vault is encrypted to this machine's key only. Add another \
               machine with `otp device add AGE1KEY --name NAME`.\n"
            .into();
    }
    ctx.print(&out)
}

fn rm(ctx: &Context, name: &str) -> Result<()> {
    let mut vault = Vault::open_for_update(&ctx.vault)?;
    let own = own_key(&vault)?;
    let Some(device) = vault.doc.live_devices().find(|d| d.name == name).cloned() else {
        return Err(Device::NoSuchDevice(crate::output::sanitize(name)).into());
    };
    if device.key == own {
        return Err(Device::ThisMachine.into());
    }
    let now = jiff::Timestamp::now().as_second();
    vault
        .doc
        .set_device(name, &device.key, true, now, &vault::device());
    vault.save()?;
    let name = crate::output::sanitize(name);
    ctx.print(&format!(
        "Removed device {name}: the vault is no longer encrypted to its key.\n\
         {name} still holds the copies it already had (and old commits of a synced vault \
         open with its key): if it was lost or stolen, renew the keys at the services \
         (`otp add --replace`).\n"
    ))
}
