//! `otp sync` over real git: two machines, each with its own key (joined with `otp device
//! add`), sharing a bare repository (in a temp dir) change their vaults offline and end up with the same entries; only ciphertext reaches the remote;
//! an unreachable remote is exit 1 with the vault untouched; `--clone` refuses to overwrite.

use crate::common;

use common::{GITHUB, GOOGLE, TestEnv, require_tool, stderr, stdout, succeeded};
use std::path::Path;
use std::process::{Command, Output};

const DROPBOX: &str = "otpauth://totp/Dropbox:alice?secret=MFRGGZDFMZTWQ2LKMFRGGZDF&issuer=Dropbox";

fn bare_repo(dir: &Path) -> String {
    let bare = dir.join("remote.git");
    let out = Command::new("git")
        .args(["init", "--quiet", "--bare"])
        .arg(&bare)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    bare.to_string_lossy().into_owned()
}

/// A second machine using the first one's identity file.
fn second_machine(first: &TestEnv) -> TestEnv {
    let second = TestEnv::new();
    std::fs::copy(&first.identity, &second.identity).unwrap();
    second
}

fn accounts(env: &TestEnv) -> Vec<String> {
    let out = succeeded(&env.run(&["list", "--json"]));
    let list: serde_json::Value = serde_json::from_str(&out).unwrap();
    let mut names: Vec<String> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["account"].as_str().unwrap().to_string())
        .collect();
    names.sort();
    names
}

#[test]
fn two_machines_converge_through_a_bare_repository() {
    if !require_tool("git") {
        return;
    }
    let a = TestEnv::new();
    a.add(&[GITHUB]);
    let url = bare_repo(a.dir.path());
    let out = succeeded(&a.run(&["sync", "--init", &url]));
    assert_eq!(out, "pulled 0 changes, pushed 1\n");

    // The second machine has its own key; the first adds it as a device.
    let b = TestEnv::new();
    let b_key = succeeded(&b.run(&["device", "id"]));
    assert!(
        b_key.starts_with("age1") && b_key.ends_with('\n'),
        "{b_key}"
    );
    assert!(b.identity.exists() && !b.vault.exists());
    assert_eq!(
        succeeded(&b.run(&["device", "id"])),
        b_key,
        "the same key every time"
    );
    assert_ne!(
        std::fs::read(&b.identity).unwrap(),
        std::fs::read(&a.identity).unwrap()
    );
    succeeded(&a.run(&["device", "add", b_key.trim(), "--name", "laptop"]));
    assert_eq!(succeeded(&a.run(&["sync"])), "pulled 0 changes, pushed 0\n");
    let out = succeeded(&b.run(&["sync", "--clone", &url]));
    assert!(out.contains("Cloned the vault (1 entry)"), "{out}");
    assert_eq!(accounts(&b), ["alice@example.com"]);
    let devices = succeeded(&b.run(&["device", "list"]));
    assert!(
        devices.contains(&format!("laptop  {}  (this machine)", b_key.trim())),
        "{devices}"
    );

    // Offline on both.
    b.add(&[GOOGLE]);
    a.add(&[DROPBOX]);
    succeeded(&a.run(&["rm", "github", "--yes"]));
    let out = succeeded(&a.run(&["sync"]));
    assert_eq!(out, "pulled 0 changes, pushed 2\n");
    let out = succeeded(&b.run(&["sync"]));
    assert_eq!(out, "pulled 2 changes, pushed 1\n");
    let out = succeeded(&a.run(&["sync"]));
    assert_eq!(out, "pulled 1 change, pushed 0\n");
    assert_eq!(accounts(&a), ["alice", "alice@gmail.com"]);
    assert_eq!(accounts(&a), accounts(&b));
    // Nothing left to do.
    assert_eq!(succeeded(&b.run(&["sync"])), "pulled 0 changes, pushed 0\n");
    // Each machine opens what the other wrote with its own key only.
    for env in [&a, &b] {
        let out = env.run(&["--backend", "identity-file", "list"]);
        assert!(out.status.success(), "{}", stderr(&out));
    }

    // Only ciphertext reached the remote: no secret or name in any object.
    let out = Command::new("git")
        .args(["-C", &url, "cat-file", "--batch-all-objects", "--batch"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let objects = String::from_utf8_lossy(&out.stdout);
    for needle in [
        "JBSWY3DPEHPK3PXP",
        "GEZDGNBVGY3TQOJQ",
        "MFRGGZDFMZTWQ2LK",
        "alice",
        "GitHub",
        "Google",
        "Dropbox",
    ] {
        assert!(!objects.contains(needle), "{needle} in the remote");
    }
    assert!(objects.contains("age-encryption.org"), "the vault is there");
}

#[test]
fn an_unreachable_remote_leaves_the_vault_untouched() {
    if !require_tool("git") {
        return;
    }
    let env = TestEnv::new();
    env.add(&[GITHUB]);
    let before = env.vault_bytes();
    let gone = env.dir.path().join("no-such-remote.git");
    let out = env.run(&["sync", "--init", gone.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("git fetch failed"),
        "{}",
        stderr(&out)
    );
    assert_eq!(env.vault_bytes(), before);
    let out = env.run(&["sync"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(env.vault_bytes(), before);
    assert_eq!(accounts(&env), ["alice@example.com"]);
}

#[test]
fn sync_needs_a_repository_and_clone_needs_no_vault() {
    if !require_tool("git") {
        return;
    }
    let env = TestEnv::new();
    env.add(&[GITHUB]);
    let out = env.run(&["sync"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("otp sync --init URL"),
        "{}",
        stderr(&out)
    );
    let url = bare_repo(env.dir.path());
    let out = env.run(&["sync", "--clone", &url]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("a vault already exists"),
        "{}",
        stderr(&out)
    );
    let empty = TestEnv::new();
    let out = empty.run(&["sync", "--clone", &url]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("holds no vault yet"),
        "{}",
        stderr(&out)
    );
    assert!(!empty.vault.exists());
}

#[test]
fn concurrent_and_killed_syncs_leave_a_vault_that_opens() {
    if !require_tool("git") {
        return;
    }
    let a = TestEnv::new();
    a.add(&[GITHUB]);
    let url = bare_repo(a.dir.path());
    succeeded(&a.run(&["sync", "--init", &url]));
    a.add(&[GOOGLE]);
    // Two at once: the vault's lock puts one after the other; both succeed.
    let first = spawn_sync(&a);
    let second = spawn_sync(&a);
    for child in [first, second] {
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
    }
    // Killed at various points, with a change from another machine to merge each time: the
    // vault still opens with every entry, and a later sync completes and merges.
    let b = second_machine(&a);
    succeeded(&b.run(&["sync", "--clone", &url]));
    let mut from_b = Vec::new();
    for (round, delay_ms) in [0u64, 5, 15, 40, 80, 150].into_iter().enumerate() {
        let account = format!("b{round}");
        b.add(&[&format!(
            "otpauth://totp/B:{account}?secret=KRSXG5CTMVRXEZLU&issuer=B"
        )]);
        succeeded(&b.run(&["sync"]));
        from_b.push(account);
        a.add(&[DROPBOX]);
        succeeded(&a.run(&["rm", "dropbox", "--yes"]));
        let before = accounts(&a);
        let mut child = spawn_sync(&a);
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        let _ = child.kill();
        let _ = child.wait();
        let now = accounts(&a);
        assert!(
            now == before || now.len() == before.len() + 1,
            "{before:?} then {now:?}"
        );
        let out = succeeded(&a.run(&["sync"]));
        assert!(out.starts_with("pulled "), "{out}");
        for account in &from_b {
            assert!(
                accounts(&a).contains(account),
                "{account} after round {round}"
            );
        }
        let status = Command::new("git")
            .args([
                "-C",
                a.vault.parent().unwrap().to_str().unwrap(),
                "status",
                "--porcelain",
            ])
            .output()
            .unwrap();
        assert_eq!(stdout(&status), "", "round {round}");
    }
    succeeded(&b.run(&["sync"]));
    assert_eq!(accounts(&b), accounts(&a));
}

/// `otp sync` in the world as a plain `std` command, which can be spawned and killed.
fn spawn_sync(env: &TestEnv) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_otp"))
        .arg("sync")
        .env("HOME", &env.home)
        .env("XDG_DATA_HOME", env.home.join(".local/share"))
        .env("XDG_CONFIG_HOME", env.home.join(".config"))
        .env("XDG_RUNTIME_DIR", env.home.join("run"))
        .env("OTP_VAULT", &env.vault)
        .env("OTP_IDENTITY_FILE", &env.identity)
        .env_remove("OTP_CONFIG")
        .env_remove("OTP_BACKEND")
        .env_remove("OTP_PASSPHRASE")
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn otp")
}

/// A machine of its own: its own home and key, its own device name in stamps.
struct Machine {
    env: TestEnv,
    name: String,
}

impl Machine {
    fn new(name: &str, vault_name: &str) -> Machine {
        let mut env = TestEnv::new();
        env.vault = env.home.join("sync").join(vault_name);
        Machine {
            env,
            name: name.to_string(),
        }
    }

    fn run(&self, args: &[&str]) -> Output {
        self.env
            .cmd()
            .env("OTP_DEVICE", &self.name)
            .args(args)
            .output()
            .expect("run otp")
    }

    fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "{} on {}: {}{}",
            args.join(" "),
            self.name,
            stdout(&out),
            stderr(&out)
        );
        stdout(&out)
    }

    /// The vault document, as `otp export --format json --plaintext` prints it.
    fn document(&self) -> serde_json::Value {
        let out = self.ok(&["export", "--format", "json", "--plaintext"]);
        serde_json::from_str(&out).unwrap()
    }

    /// The id of the entry for `account`, if the vault has one.
    fn id_of(&self, account: &str) -> Option<String> {
        let doc = self.document();
        doc["entries"]
            .as_array()?
            .iter()
            .find(|e| e["account"] == account)
            .map(|e| e["id"].as_str().unwrap().to_string())
    }

    /// `git ARGS` in the vault's folder as its user would run it.
    fn git(&self, args: &[&str], trace: bool) -> Output {
        let mut cmd = Command::new("git");
        cmd.arg("-C")
            .arg(self.env.vault.parent().unwrap())
            .args(args)
            .env("HOME", &self.env.home)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("XDG_CONFIG_HOME", self.env.home.join(".config"))
            .env("OTP_DEVICE", &self.name)
            .env("GIT_AUTHOR_NAME", "user")
            .env("GIT_AUTHOR_EMAIL", "user@example.com")
            .env("GIT_COMMITTER_NAME", "user")
            .env("GIT_COMMITTER_EMAIL", "user@example.com")
            .env_remove("OTP_VAULT")
            .env_remove("OTP_IDENTITY_FILE")
            .env_remove("OTP_BACKEND")
            .env_remove("OTP_CONFIG")
            .env_remove("DBUS_SESSION_BUS_ADDRESS");
        if trace {
            cmd.env("GIT_TRACE", "1");
        }
        cmd.output().expect("run git")
    }
}

/// Machines sharing one vault through the bare repository `url`: the first makes it
/// (holding `first_uri`) and adds the others' keys as devices; they clone it.
fn machines(
    dir: &Path,
    names: &[&str],
    vault_name: &str,
    first_uri: &str,
) -> (Vec<Machine>, String) {
    let url = bare_repo(dir);
    let all: Vec<Machine> = names.iter().map(|n| Machine::new(n, vault_name)).collect();
    all[0].ok(&["add", first_uri]);
    all[0].ok(&["sync", "--init", &url]);
    for m in &all[1..] {
        let key = m.ok(&["device", "id"]);
        all[0].ok(&["device", "add", key.trim(), "--name", &m.name]);
    }
    all[0].ok(&["sync"]);
    for m in &all[1..] {
        m.ok(&["sync", "--clone", &url]);
    }
    (all, url)
}

/// Every object in the remote, as one text: no secret, raw or in base32, and no name.
fn assert_only_ciphertext(url: &str, secrets: &[&str], names: &[&str]) {
    let out = Command::new("git")
        .args(["-C", url, "cat-file", "--batch-all-objects", "--batch"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let objects = &out.stdout;
    let contains = |needle: &[u8]| objects.windows(needle.len()).any(|w| w == needle);
    for secret in secrets {
        let raw = base32::decode(base32::Alphabet::Rfc4648 { padding: false }, secret).unwrap();
        assert!(!contains(secret.as_bytes()), "{secret} in the remote");
        assert!(!contains(&raw), "the raw bytes of {secret} in the remote");
    }
    for name in names {
        assert!(!contains(name.as_bytes()), "{name} in the remote");
    }
    assert!(contains(b"age-encryption.org"), "the vault is there");
}

#[test]
fn git_merges_the_vault_through_otp_even_in_a_plain_git_pull() {
    if !require_tool("git") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (m, url) = machines(dir.path(), &["desk", "laptop"], "work vault.age", GITHUB);
    let (desk, laptop) = (&m[0], &m[1]);
    // The repository says how the vault merges, in a form git reads back.
    let folder = desk.env.vault.parent().unwrap();
    let attributes = std::fs::read_to_string(folder.join(".gitattributes")).unwrap();
    assert_eq!(attributes, "\"/work vault.age\" -text -diff merge=otp\n");
    let check = desk.git(
        &["check-attr", "merge", "diff", "--", "work vault.age"],
        false,
    );
    assert_eq!(
        stdout(&check),
        "work vault.age: merge: otp\nwork vault.age: diff: unset\n"
    );
    let driver = stdout(&laptop.git(&["config", "merge.otp.driver"], false));
    assert!(driver.contains("__merge-driver %O %A %B"), "{driver}");
    assert!(driver.contains("--backend 'identity-file'"), "{driver}");

    // Changed on both; the laptop commits by hand and pulls with git itself.
    desk.ok(&["add", DROPBOX]);
    desk.ok(&["sync"]);
    laptop.ok(&["add", GOOGLE]);
    let out = laptop.git(&["commit", "--quiet", "-am", "google"], false);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = laptop.git(&["pull", "--no-rebase", "--no-edit"], true);
    assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));
    let trace = stderr(&out);
    assert!(
        trace.contains("__merge-driver .merge_file_"),
        "git did not run otp: {trace}"
    );
    let names = |m: &Machine| {
        let mut names: Vec<String> = m.document()["entries"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["issuer"].as_str().unwrap().to_string())
            .collect();
        names.sort();
        names
    };
    assert_eq!(names(laptop), ["Dropbox", "GitHub", "Google"]);
    let status = stdout(&laptop.git(&["status", "--porcelain"], false));
    assert_eq!(status, "", "the merge is committed");
    // otp sync carries git's merge on; the desk gets it.
    assert_eq!(laptop.ok(&["sync"]), "pulled 0 changes, pushed 1\n");
    assert_eq!(desk.ok(&["sync"]), "pulled 1 change, pushed 0\n");
    assert_eq!(desk.document(), laptop.document());

    // otp sync merges through git too: the trace of the git it runs shows the driver.
    desk.ok(&["rm", "dropbox", "--yes"]);
    desk.ok(&["sync"]);
    laptop.ok(&["note", "github", "desk drawer"]);
    let trace = dir.path().join("trace");
    let out = laptop
        .env
        .cmd()
        .env("OTP_DEVICE", "laptop")
        .env("GIT_TRACE", &trace)
        .args(["sync"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let trace = std::fs::read_to_string(&trace).unwrap();
    assert!(trace.contains("__merge-driver .merge_file_"), "{trace}");
    assert_eq!(stdout(&out), "pulled 1 change, pushed 1\n");
    desk.ok(&["sync"]);
    assert_eq!(desk.document(), laptop.document());
    assert_eq!(names(desk), ["GitHub", "Google"]);

    assert_only_ciphertext(
        &url,
        &[
            "JBSWY3DPEHPK3PXP",
            "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ",
            "MFRGGZDFMZTWQ2LKMFRGGZDF",
        ],
        &["alice", "GitHub", "Google", "Dropbox", "desk drawer"],
    );
}

#[test]
fn a_version_that_does_not_open_is_a_conflict_and_changes_nothing() {
    if !require_tool("git") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (m, url) = machines(dir.path(), &["desk", "laptop"], "vault.age", GITHUB);
    let (desk, laptop) = (&m[0], &m[1]);
    // A stranger (another key, not a device) pushes its own vault over the branch.
    let stranger = Machine::new("stranger", "vault.age");
    stranger.ok(&["add", GOOGLE]);
    let folder = stranger.env.vault.parent().unwrap();
    let remote = laptop.env.vault.parent().unwrap();
    let out = laptop.git(&["checkout", "--quiet", "-b", "side"], false);
    assert!(out.status.success(), "{}", stderr(&out));
    std::fs::copy(folder.join("vault.age"), remote.join("vault.age")).unwrap();
    let out = laptop.git(&["commit", "--quiet", "-am", "a stranger's vault"], false);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = laptop.git(
        &["push", "--quiet", "--force", "origin", "side:main"],
        false,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let out = laptop.git(&["checkout", "--quiet", "main"], false);
    assert!(out.status.success(), "{}", stderr(&out));

    // otp sync: the remote's vault does not open here; exit 5, the vault untouched.
    desk.ok(&["add", DROPBOX]);
    let before = desk.env.vault_bytes();
    let out = desk.run(&["sync"]);
    assert_eq!(out.status.code(), Some(5), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.starts_with("otp: cannot unlock copy origin/main:vault.age: "),
        "{err}"
    );
    assert_eq!(desk.env.vault_bytes(), before);
    // A plain git merge: a conflict, and the vault in the work tree stays this one.
    laptop.ok(&["add", DROPBOX]);
    let out = laptop.git(&["commit", "--quiet", "-am", "dropbox"], false);
    assert!(out.status.success(), "{}", stderr(&out));
    let before = laptop.env.vault_bytes();
    let out = laptop.git(&["merge", "--no-edit", "side"], false);
    assert!(!out.status.success());
    assert!(stdout(&out).contains("CONFLICT"), "{}", stdout(&out));
    assert!(stderr(&out).contains("otp: "), "{}", stderr(&out));
    assert_eq!(laptop.env.vault_bytes(), before);
    assert!(laptop.git(&["merge", "--abort"], false).status.success());
    laptop.ok(&["list"]);
    let _ = url;
}

#[test]
fn a_fast_forward_takes_the_remote_vault_as_it_is() {
    if !require_tool("git") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (m, _url) = machines(dir.path(), &["desk", "laptop"], "vault.age", GITHUB);
    let (desk, laptop) = (&m[0], &m[1]);
    desk.ok(&["add", GOOGLE, DROPBOX]);
    desk.ok(&["sync"]);
    laptop.ok(&["sync"]);
    // Removed in the reverse order of their ids: the tombstones are not in the order a merge
    // writes them, and the laptop has nothing of its own to add.
    let mut ids: Vec<String> = desk.document()["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_str().unwrap().to_string())
        .collect();
    ids.sort();
    for id in ids.iter().rev() {
        desk.ok(&["rm", id, "--yes"]);
    }
    assert_eq!(desk.ok(&["sync"]), "pulled 0 changes, pushed 3\n");
    assert_eq!(laptop.ok(&["sync"]), "pulled 3 changes, pushed 0\n");
    assert_eq!(laptop.env.vault_bytes(), desk.env.vault_bytes());
    let head = |m: &Machine| stdout(&m.git(&["rev-parse", "HEAD"], false));
    assert_eq!(head(laptop), head(desk), "a fast-forward, no merge commit");
    assert_eq!(desk.ok(&["sync"]), "pulled 0 changes, pushed 0\n");
    assert_eq!(head(laptop), head(desk));
}

#[test]
fn an_older_repository_gets_the_driver_on_its_next_sync() {
    if !require_tool("git") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (m, _url) = machines(dir.path(), &["desk"], "vault.age", GITHUB);
    let desk = &m[0];
    let folder = desk.env.vault.parent().unwrap();
    // As an otp before the driver left it.
    std::fs::remove_file(folder.join(".gitattributes")).unwrap();
    std::fs::write(folder.join(".gitignore"), "*\n!/.gitignore\n!/vault.age\n").unwrap();
    assert!(
        desk.git(&["config", "--unset", "merge.otp.driver"], false)
            .status
            .success()
    );
    desk.ok(&["sync"]);
    let driver = stdout(&desk.git(&["config", "merge.otp.driver"], false));
    assert!(driver.contains("__merge-driver"), "{driver}");
    let tracked = stdout(&desk.git(&["ls-files"], false));
    assert_eq!(tracked, ".gitattributes\n.gitignore\nvault.age\n");
    // The driver is internal: not in the help.
    let help = desk.ok(&["--help"]);
    assert!(!help.contains("merge-driver"), "{help}");
}

/// Random edits on two or three machines, each with its own key, synced with `otp sync` in
/// random orders through a bare repository: every machine ends with the same vault, and no
/// key that was added is lost unless its account was removed or the key renewed. A few
/// seeds by default; `OTP_TEST_SYNC_SEEDS=N` runs seeds 0 to N-1.
#[test]
fn random_edits_on_several_machines_converge_through_git() {
    if !require_tool("git") {
        return;
    }
    let seeds: Vec<u64> = match std::env::var("OTP_TEST_SYNC_SEEDS") {
        Ok(n) => (0..n.parse().unwrap()).collect(),
        Err(_) => vec![3, 11],
    };
    const SECRETS: [&str; 6] = [
        "JBSWY3DPEHPK3PXP",
        "GEZDGNBVGY3TQOJQ",
        "MFRGGZDFMZTWQ2LK",
        "KRSXG5CTMVRXEZLU",
        "ONSWG4TFOQYTEMZU",
        "NBSWY3DPO5XXE3DE",
    ];
    const ACCOUNTS: [&str; 4] = ["acct-one", "acct-two", "acct-three", "acct-four"];
    let uri = |account: usize, secret: &str| {
        let kind = if account < 2 { "hotp" } else { "totp" };
        format!(
            "otpauth://{kind}/Svc:{}?secret={secret}&issuer=Svc&counter=0",
            ACCOUNTS[account]
        )
    };
    for seed in seeds {
        let mut rng = fastrand::Rng::with_seed(seed);
        let dir = tempfile::tempdir().unwrap();
        let names = ["m0", "m1", "m2"];
        let count = rng.usize(2..=3);
        let (m, url) = machines(
            dir.path(),
            &names[..count],
            "vault.age",
            &uri(3, SECRETS[5]),
        );
        // (account, secret) added, and what was removed or renewed away.
        let mut added: Vec<(usize, &str)> = vec![(3, SECRETS[5])];
        let mut gone_accounts: Vec<usize> = Vec::new();
        let mut renewed: Vec<(usize, String)> = Vec::new();
        let mut log = Vec::new();
        for _ in 0..rng.usize(8..16) {
            let i = rng.usize(0..count);
            let machine = &m[i];
            let account = rng.usize(0..ACCOUNTS.len());
            let secret = SECRETS[rng.usize(0..SECRETS.len())];
            let id = machine.id_of(ACCOUNTS[account]);
            let op = rng.usize(0..8);
            log.push(format!(
                "{} op {op} {} {secret}",
                machine.name, ACCOUNTS[account]
            ));
            match (op, id) {
                (0 | 1, None) => {
                    machine.ok(&["add", &uri(account, secret)]);
                    added.push((account, secret));
                }
                (0 | 1, Some(id)) => {
                    let doc = machine.document();
                    let entry = doc["entries"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .find(|e| e["id"] == id.as_str())
                        .unwrap()
                        .clone();
                    let old = entry["secret"].as_str().unwrap().to_string();
                    machine.ok(&["add", "--replace", &uri(account, secret)]);
                    if old != secret {
                        renewed.push((account, old));
                        added.push((account, secret));
                    }
                }
                (2, Some(id)) => {
                    machine.ok(&["rm", &id, "--yes"]);
                    gone_accounts.push(account);
                }
                (3, Some(id)) => {
                    let issuer = format!("Svc{}", rng.u8(0..3));
                    let _ = machine.run(&["rename", &id, "--issuer", &issuer]);
                }
                (4, Some(id)) => {
                    machine.ok(&["note", &id, &format!("note {}", rng.u8(0..9))]);
                }
                (5, Some(id)) => {
                    // HOTP: uses the counter and stores the next; TOTP at a fixed time.
                    if account < 2 {
                        machine.ok(&["code", &id]);
                    } else {
                        machine.ok(&["code", &id, "--at", "1700000000"]);
                    }
                }
                (6, Some(id)) => {
                    let code = format!("rc{}", rng.u8(0..4));
                    machine.ok(&["recovery", &id, "add", &code]);
                    if rng.bool() {
                        let _ = machine.run(&["recovery", &id, "use"]);
                    }
                }
                _ => {
                    machine.ok(&["sync"]);
                }
            }
        }
        // Two rounds in a random order: every machine has seen every other.
        for _ in 0..2 {
            let mut order: Vec<usize> = (0..count).collect();
            rng.shuffle(&mut order);
            for i in order {
                m[i].ok(&["sync"]);
            }
        }
        let docs: Vec<serde_json::Value> = m.iter().map(Machine::document).collect();
        for (i, doc) in docs.iter().enumerate() {
            assert_eq!(
                *doc,
                docs[0],
                "seed {seed}: m{i} differs\n{}",
                log.join("\n")
            );
        }
        let kept: Vec<(String, String)> = ["entries", "replaced"]
            .iter()
            .filter_map(|k| docs[0][k].as_array())
            .flatten()
            .map(|e| {
                let text = |f: &str| e[f].as_str().unwrap_or("").to_string();
                (text("account"), text("secret"))
            })
            .collect();
        for (account, secret) in &added {
            if gone_accounts.contains(account)
                || renewed.iter().any(|(a, s)| a == account && s == secret)
            {
                continue;
            }
            let key = (ACCOUNTS[*account].to_string(), secret.to_string());
            assert!(
                kept.contains(&key),
                "seed {seed}: lost {key:?}\n{}",
                log.join("\n")
            );
        }
        let mut names: Vec<&str> = ACCOUNTS.to_vec();
        names.push("note ");
        assert_only_ciphertext(&url, &SECRETS, &names);
    }
}

/// A passphrase vault (every machine opens it with the passphrase): the driver git runs is
/// registered with `--backend passphrase` and takes the passphrase from where otp does.
#[test]
fn a_passphrase_vault_merges_through_the_driver() {
    if !require_tool("git") {
        return;
    }
    let (a, b) = (TestEnv::new(), TestEnv::new());
    let otp = |env: &TestEnv, args: &[&str]| {
        let out = env
            .cmd()
            .env("OTP_PASSPHRASE", "correct horse")
            .args(["--backend", "passphrase"])
            .args(args)
            .output()
            .unwrap();
        succeeded(&out)
    };
    otp(&a, &["add", GITHUB]);
    let url = bare_repo(a.dir.path());
    otp(&a, &["sync", "--init", &url]);
    otp(&b, &["sync", "--clone", &url]);
    otp(&a, &["add", GOOGLE]);
    otp(&a, &["sync"]);
    otp(&b, &["add", DROPBOX]);
    // (Each passphrase decryption is a deliberately slow scrypt: the test stops here.)
    assert_eq!(otp(&b, &["sync"]), "pulled 1 change, pushed 1\n");
}
