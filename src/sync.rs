/*!
The git repository that carries the vault between machines (`otp sync`), driven through the
`git` program users already have. Only the encrypted vault (and the files that tell git to
ignore everything else and how to merge the vault) is ever added: the repository's
`.gitignore` ignores all but those.

git merges the vault through otp: `.gitattributes` names otp's merge driver for the vault
file, and the repository's config says how to run it ([`driver_command`]), so that a plain
`git pull` in the vault's folder merges it as `otp sync` does. `otp sync` itself asks git for
the merge without touching the work tree (`git merge-tree`), and writes the merged vault
through the vault's own locked, crash-safe path before it moves the branch.
*/

use std::path::{Path, PathBuf};
use std::process::Command;

/// The branch otp commits to and pushes.
pub(crate) const BRANCH: &str = "main";
const REMOTE: &str = "origin";

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("cannot run git: {0}")]
    NoGit(std::io::Error),
    #[error("git {what} failed: {message}")]
    Failed { what: String, message: String },
    /// git's merge of the remote branch failed (the merge driver's own message, or git's).
    #[error("git could not merge the vault with {REMOTE}/{BRANCH}: {0}")]
    Merge(String),
    /// git's merge left out something of the local vault (it never should).
    #[error("git's merge of the vault lost changes made here; the vault is untouched")]
    LostChanges,
}

impl Error {
    /// What the user can do about it.
    pub(crate) fn hint(&self) -> Option<&'static str> {
        match self {
            Error::NoGit(_) => Some("install git to use `otp sync`"),
            Error::Failed { .. } | Error::Merge(_) | Error::LostChanges => None,
        }
    }
}

/// A vault's folder as a git repository.
pub(crate) struct Repo {
    dir: PathBuf,
    /// The vault's file name inside the folder.
    file: String,
}

impl Repo {
    /// The repository of the vault at `vault` (which need not be one yet).
    pub(crate) fn of(vault: &Path) -> Repo {
        let dir = match vault.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let file = vault
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "vault.age".into());
        Repo { dir, file }
    }

    pub(crate) fn dir(&self) -> &Path {
        &self.dir
    }

    pub(crate) fn file(&self) -> &str {
        &self.file
    }

    /// Whether the folder is a repository of its own (not merely inside one).
    pub(crate) fn exists(&self) -> bool {
        self.dir.join(".git").exists()
    }

    fn git(&self) -> Command {
        let mut cmd = Command::new("git");
        cmd.arg("-C").arg(&self.dir);
        // Never stop to ask for credentials on a terminal nobody watches (cron, hooks).
        cmd.env("GIT_TERMINAL_PROMPT", "0");
        cmd
    }

    /// Runs git; its stdout on success, else an error with git's own message.
    fn run(&self, args: &[&str]) -> Result<Vec<u8>, Error> {
        // A git that an earlier, killed `otp sync` started may still be finishing and hold
        // one of git's lock files (the index, a ref) for a moment: wait for it, a few
        // seconds at most (a lock that stays is git's own message).
        let mut out = self.git().args(args).output().map_err(Error::NoGit)?;
        for _ in 0..50 {
            if out.status.success() || !holds_lock(&out.stderr) {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
            out = self.git().args(args).output().map_err(Error::NoGit)?;
        }
        if out.status.success() {
            return Ok(out.stdout);
        }
        let message = String::from_utf8_lossy(&out.stderr);
        let message = message
            .lines()
            .rfind(|l| !l.trim().is_empty())
            .unwrap_or("no message")
            .trim()
            .to_string();
        Err(Error::Failed {
            what: args.first().copied().unwrap_or("").to_string(),
            message,
        })
    }

    fn text(&self, args: &[&str]) -> Result<String, Error> {
        Ok(String::from_utf8_lossy(&self.run(args)?).trim().to_string())
    }

    /// Whether git succeeds (a yes/no question such as `merge-base --is-ancestor`).
    fn check(&self, args: &[&str]) -> Result<bool, Error> {
        let status = self
            .git()
            .args(args)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .map_err(Error::NoGit)?;
        Ok(status.success())
    }

    /// Makes the folder a repository whose remote is `url`, ignoring all but the vault.
    pub(crate) fn init(&self, url: &str) -> Result<(), Error> {
        std::fs::create_dir_all(&self.dir).map_err(|e| Error::Failed {
            what: "init".into(),
            message: e.to_string(),
        })?;
        if !self.exists() {
            self.run(&["init", "--quiet", "--initial-branch", BRANCH])?;
        }
        if self.check(&["remote", "get-url", REMOTE])? {
            self.run(&["remote", "set-url", REMOTE, url])?;
        } else {
            self.run(&["remote", "add", REMOTE, url])?;
        }
        Ok(())
    }

    /// Writes `.gitignore` (all but the vault and these two files) and `.gitattributes` (the
    /// vault is binary, merged by otp), and registers the merge driver in the repository's
    /// config as `driver` (see [`driver_command`]), with the remote branch as the one
    /// `git pull` merges. Done on every sync, so that a repository
    /// an older otp made, or an otp that moved, gets it too.
    pub(crate) fn register_driver(&self, driver: &str) -> Result<(), Error> {
        let ignore = format!(
            "*\n!/.gitignore\n!/.gitattributes\n!{}\n",
            path_pattern(&self.file)
        );
        let attributes = format!("{} -text -diff merge=otp\n", attribute_pattern(&self.file));
        for (name, text) in [(".gitignore", ignore), (".gitattributes", attributes)] {
            let path = self.dir.join(name);
            if std::fs::read_to_string(&path).is_ok_and(|t| t == text) {
                continue;
            }
            std::fs::write(&path, text).map_err(|e| Error::Failed {
                what: "config".into(),
                message: format!("{}: {e}", path.display()),
            })?;
        }
        // A plain `git pull` in the folder merges the remote branch (through the driver).
        for (key, value) in [
            ("merge.otp.name", "otp vault merge"),
            ("merge.otp.driver", driver),
            (&format!("branch.{BRANCH}.remote"), REMOTE),
            (
                &format!("branch.{BRANCH}.merge"),
                &format!("refs/heads/{BRANCH}"),
            ),
            ("pull.rebase", "false"),
        ] {
            self.run(&["config", key, value])?;
        }
        Ok(())
    }

    /// The vault file as the current commit holds it, if there is one.
    pub(crate) fn head_vault(&self) -> Result<Option<Vec<u8>>, Error> {
        let spec = format!("HEAD:{}", self.file);
        if !self.check(&["cat-file", "-e", &spec])? {
            return Ok(None);
        }
        self.run(&["cat-file", "blob", &spec]).map(Some)
    }

    /// Commits the vault (and the two files beside it) as they are on disk on top of the
    /// current commit. Whether a commit was made.
    pub(crate) fn commit_local(&self, message: &str) -> Result<bool, Error> {
        self.wait_for_index();
        self.run(&["add", "--", ".gitignore", ".gitattributes", &self.file])?;
        let tree = self.text(&["write-tree"])?;
        let head = self.head()?;
        if let Some(h) = &head
            && self.tree_of(h)? == tree
        {
            return Ok(false);
        }
        let mut args = vec!["commit-tree", tree.as_str(), "-m", message];
        if let Some(h) = &head {
            args.extend(["-p", h.as_str()]);
        }
        let commit = self.commit_tree(&args)?;
        self.run(&["update-ref", &format!("refs/heads/{BRANCH}"), &commit])?;
        Ok(true)
    }

    /// Whether the remote branch is already part of the current commit's history.
    pub(crate) fn has_remote(&self) -> Result<bool, Error> {
        match self.head()? {
            Some(h) => self.check(&["merge-base", "--is-ancestor", &remote_ref(), &h]),
            None => Ok(false),
        }
    }

    /// git's merge of the current commit and the remote branch, without touching the work
    /// tree or the index: the merged tree. git runs otp's merge driver for the vault; when
    /// the driver fails (a version that does not open), the error carries its message.
    pub(crate) fn merge_tree(&self) -> Result<String, Error> {
        let head = self.head()?.unwrap_or_else(|| "HEAD".into());
        let out = self
            .git()
            .args([
                "merge-tree",
                "--write-tree",
                "--allow-unrelated-histories",
                &head,
                &remote_ref(),
            ])
            .output()
            .map_err(Error::NoGit)?;
        let stdout = String::from_utf8_lossy(&out.stdout);
        if out.status.success() {
            return Ok(stdout.lines().next().unwrap_or("").trim().to_string());
        }
        let stderr = String::from_utf8_lossy(&out.stderr);
        let why = stderr
            .lines()
            .find(|l| l.starts_with("otp: "))
            .map(|l| l.trim_start_matches("otp: ").trim().to_string())
            .or_else(|| {
                stdout
                    .lines()
                    .chain(stderr.lines())
                    .find(|l| l.starts_with("CONFLICT") || l.starts_with("fatal:"))
                    .map(|l| l.trim().to_string())
            })
            .unwrap_or_else(|| "no message".into());
        Err(Error::Merge(why))
    }

    /// The vault file in tree (or commit) `tree`.
    pub(crate) fn vault_in(&self, tree: &str) -> Result<Vec<u8>, Error> {
        self.run(&["cat-file", "blob", &format!("{tree}:{}", self.file)])
    }

    /// Makes the merged `tree` (from [`Repo::merge_tree`]) the branch's commit: the remote
    /// branch itself when it already is that tree on top of ours, else a merge commit of
    /// ours and the remote's. The index follows; the work tree is the caller's (the vault is
    /// written through its own path first).
    pub(crate) fn finish_merge(&self, tree: &str, message: &str) -> Result<(), Error> {
        let remote = self.text(&["rev-parse", &remote_ref()])?;
        let head = self.head()?;
        let fast_forward = match &head {
            Some(h) => self.check(&["merge-base", "--is-ancestor", h, &remote])?,
            None => true,
        };
        let commit = if fast_forward && self.tree_of(&remote)? == tree {
            remote
        } else {
            let mut args = vec!["commit-tree", tree, "-m", message];
            if let Some(h) = &head {
                args.extend(["-p", h.as_str()]);
            }
            args.extend(["-p", remote.as_str()]);
            self.commit_tree(&args)?
        };
        self.run(&["update-ref", &format!("refs/heads/{BRANCH}"), &commit])?;
        self.wait_for_index();
        self.run(&["read-tree", "--quiet", &commit])?;
        Ok(())
    }

    fn head(&self) -> Result<Option<String>, Error> {
        if !self.check(&["rev-parse", "--verify", "--quiet", "HEAD"])? {
            return Ok(None);
        }
        self.text(&["rev-parse", "HEAD"]).map(Some)
    }

    fn tree_of(&self, commit: &str) -> Result<String, Error> {
        self.text(&["rev-parse", &format!("{commit}^{{tree}}")])
    }

    /// A git that an earlier, killed `otp sync` started may still be finishing: gives it a
    /// moment to release the index (git itself reports a lock that stays).
    fn wait_for_index(&self) {
        let index_lock = self.dir.join(".git/index.lock");
        for _ in 0..20 {
            if !index_lock.exists() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
    }

    /// Fetches the remote branch; whether it exists there.
    pub(crate) fn fetch(&self) -> Result<bool, Error> {
        self.run(&["fetch", "--quiet", REMOTE])?;
        self.check(&["rev-parse", "--verify", "--quiet", &remote_ref()])
    }

    /// The vault file as the remote branch holds it.
    pub(crate) fn remote_vault(&self) -> Result<Vec<u8>, Error> {
        self.run(&["show", &format!("{}:{}", remote_ref(), self.file)])
    }

    /// `git commit-tree`, with otp as the author when the user configured no identity.
    fn commit_tree(&self, args: &[&str]) -> Result<String, Error> {
        if self.check(&["config", "user.email"])? {
            return self.text(args);
        }
        let mut cmd = self.git();
        cmd.args(args);
        for (k, v) in [
            ("GIT_AUTHOR_NAME", "otp"),
            ("GIT_AUTHOR_EMAIL", "otp@localhost"),
            ("GIT_COMMITTER_NAME", "otp"),
            ("GIT_COMMITTER_EMAIL", "otp@localhost"),
        ] {
            cmd.env(k, v);
        }
        let out = cmd.output().map_err(Error::NoGit)?;
        if !out.status.success() {
            return Err(Error::Failed {
                what: "commit-tree".into(),
                message: String::from_utf8_lossy(&out.stderr).trim().to_string(),
            });
        }
        Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
    }

    /// Pushes the branch. False when the remote moved meanwhile (fetch and merge again).
    pub(crate) fn push(&self) -> Result<bool, Error> {
        match self.run(&["push", "--quiet", REMOTE, &format!("{BRANCH}:{BRANCH}")]) {
            Ok(_) => Ok(true),
            Err(Error::Failed { message, .. })
                if message.contains("rejected") || message.contains("fetch first") =>
            {
                Ok(false)
            }
            Err(e) => Err(e),
        }
    }

    /// Makes the working tree's files those of the remote branch (a new clone).
    pub(crate) fn checkout_remote(&self) -> Result<(), Error> {
        self.run(&["reset", "--quiet", "--hard", &remote_ref()])?;
        Ok(())
    }
}

/// Whether git failed because another git holds a lock file it needs.
fn holds_lock(stderr: &[u8]) -> bool {
    let text = String::from_utf8_lossy(stderr);
    text.contains(".lock': File exists") || text.contains("cannot lock ref")
}

fn remote_ref() -> String {
    format!("refs/remotes/{REMOTE}/{BRANCH}")
}

/// The remote branch, as a name for messages.
pub(crate) fn remote_name() -> String {
    format!("{REMOTE}/{BRANCH}")
}

/// The vault file's name as a `.gitignore` pattern: anchored to the folder, its wildcards
/// and trailing spaces escaped.
fn path_pattern(file: &str) -> String {
    let kept = file.trim_end_matches(' ');
    let mut pattern = String::from("/");
    for c in kept.chars() {
        if matches!(c, '*' | '?' | '[' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push_str(&"\\ ".repeat(file.len() - kept.len()));
    pattern
}

/// The same as a `.gitattributes` pattern, which is C-quoted when it holds a space.
fn attribute_pattern(file: &str) -> String {
    let pattern = path_pattern(file);
    if !file.contains(|c: char| c.is_whitespace() || c == '"') {
        return pattern;
    }
    let quoted = pattern.replace('\\', "\\\\").replace('"', "\\\"");
    format!("\"{quoted}\"")
}

/// The command git runs as the vault's merge driver: this otp (`exe`, an absolute path)
/// with the options that find the vault and its key here, then `__merge-driver %O %A %B`.
/// git runs it with the shell, so every word is quoted.
pub(crate) fn driver_command(exe: &Path, options: &[(&str, &Path)]) -> Result<String, Error> {
    let word = |p: &Path| {
        p.to_str()
            .map(|s| format!("'{}'", s.replace('\'', "'\\''")))
            .ok_or_else(|| Error::Failed {
                what: "config".into(),
                message: format!(
                    "{} is not UTF-8 text, which git's config needs",
                    p.display()
                ),
            })
    };
    let mut words = vec![word(exe)?];
    for (flag, value) in options {
        words.push(flag.to_string());
        words.push(word(value)?);
    }
    words.extend(["__merge-driver", "%O", "%A", "%B"].map(String::from));
    Ok(words.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn driver_commands_quote_every_path() {
        let cmd = driver_command(
            Path::new("/opt/o t p/otp"),
            &[("--vault", Path::new("/home/a'b/vault.age"))],
        )
        .unwrap();
        assert_eq!(
            cmd,
            "'/opt/o t p/otp' --vault '/home/a'\\''b/vault.age' __merge-driver %O %A %B"
        );
    }

    #[test]
    fn patterns_name_only_the_vault() {
        assert_eq!(path_pattern("vault.age"), "/vault.age");
        assert_eq!(attribute_pattern("vault.age"), "/vault.age");
        assert_eq!(path_pattern("v*[1].age "), "/v\\*\\[1].age\\ ");
        assert_eq!(attribute_pattern("my [work].age"), "\"/my \\\\[work].age\"");
    }
}
