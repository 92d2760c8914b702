/*!
The git repository that carries the vault between machines (`otp sync`), driven through the
`git` program users already have. Only the encrypted vault (and the files that tell git to
ignore everything else) is ever added: the repository's `.gitignore` ignores all but those.
*/

use std::path::{Path, PathBuf};
use std::process::Command;

/// The branch otp commits to and pushes.
pub const BRANCH: &str = "main";
const REMOTE: &str = "origin";

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("cannot run git: {0}")]
    NoGit(std::io::Error),
    #[error("git {what} failed: {message}")]
    Failed { what: String, message: String },
}

impl Error {
    /// What the user can do about it.
    pub fn hint(&self) -> Option<&'static str> {
        match self {
            Error::NoGit(_) => Some("install git to use `otp sync`"),
            Error::Failed { .. } => None,
        }
    }
}

/// A vault's folder as a git repository.
pub struct Repo {
    dir: PathBuf,
    /// The vault's file name inside the folder.
    file: String,
}

impl Repo {
    /// The repository of the vault at `vault` (which need not be one yet).
    pub fn of(vault: &Path) -> Repo {
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

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn file(&self) -> &str {
        &self.file
    }

    /// Whether the folder is a repository of its own (not merely inside one).
    pub fn exists(&self) -> bool {
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
        let out = self.git().args(args).output().map_err(Error::NoGit)?;
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
    pub fn init(&self, url: &str) -> Result<(), Error> {
        std::fs::create_dir_all(&self.dir).map_err(|e| Error::Failed {
            what: "init".into(),
            message: e.to_string(),
        })?;
        if !self.exists() {
            self.run(&["init", "--quiet", "--initial-branch", BRANCH])?;
        }
        let ignore = format!("*\n!/.gitignore\n!/{}\n", self.file);
        std::fs::write(self.dir.join(".gitignore"), ignore).map_err(|e| Error::Failed {
            what: "init".into(),
            message: e.to_string(),
        })?;
        if self.check(&["remote", "get-url", REMOTE])? {
            self.run(&["remote", "set-url", REMOTE, url])?;
        } else {
            self.run(&["remote", "add", REMOTE, url])?;
        }
        Ok(())
    }

    /// Fetches the remote branch; whether it exists there.
    pub fn fetch(&self) -> Result<bool, Error> {
        self.run(&["fetch", "--quiet", REMOTE])?;
        self.check(&["rev-parse", "--verify", "--quiet", &remote_ref()])
    }

    /// The vault file as the remote branch holds it.
    pub fn remote_vault(&self) -> Result<Vec<u8>, Error> {
        self.run(&["show", &format!("{}:{}", remote_ref(), self.file)])
    }

    /// Commits the vault as it is on disk, with the remote branch as a second parent when it
    /// is not already in the history, so that the push is a fast-forward. Whether a commit
    /// (or fast-forward) was made.
    pub fn commit(&self, remote_exists: bool, message: &str) -> Result<bool, Error> {
        // A git that an earlier, killed `otp sync` started may still be finishing: give it a
        // moment to release the index (git itself reports a lock that stays).
        let index_lock = self.dir.join(".git/index.lock");
        for _ in 0..20 {
            if !index_lock.exists() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        self.run(&["add", "--", ".gitignore", &self.file])?;
        let tree = self.text(&["write-tree"])?;
        let head = self
            .check(&["rev-parse", "--verify", "--quiet", "HEAD"])?
            .then(|| self.text(&["rev-parse", "HEAD"]))
            .transpose()?;
        let remote = if remote_exists {
            Some(self.text(&["rev-parse", &remote_ref()])?)
        } else {
            None
        };
        let tree_of = |c: &str| self.text(&["rev-parse", &format!("{c}^{{tree}}")]);
        let ancestor = |a: &str, b: &str| self.check(&["merge-base", "--is-ancestor", a, b]);
        let mut parents: Vec<String> = Vec::new();
        match (&head, &remote) {
            (Some(h), Some(r)) if ancestor(r, h)? => parents.push(h.clone()),
            (Some(h), Some(r)) if ancestor(h, r)? && tree_of(r)? == tree => {
                self.run(&["update-ref", &format!("refs/heads/{BRANCH}"), r])?;
                return Ok(true);
            }
            (Some(h), Some(r)) => parents.extend([h.clone(), r.clone()]),
            (None, Some(r)) if tree_of(r)? == tree => {
                self.run(&["update-ref", &format!("refs/heads/{BRANCH}"), r])?;
                return Ok(true);
            }
            (None, Some(r)) => parents.push(r.clone()),
            (Some(h), None) => parents.push(h.clone()),
            (None, None) => {}
        }
        if parents.len() == 1 && tree_of(&parents[0])? == tree {
            return Ok(false);
        }
        let mut args = vec!["commit-tree".to_string(), tree, "-m".into(), message.into()];
        for p in parents {
            args.extend(["-p".to_string(), p]);
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let commit = self.commit_tree(&args)?;
        self.run(&["update-ref", &format!("refs/heads/{BRANCH}"), &commit])?;
        Ok(true)
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
    pub fn push(&self) -> Result<bool, Error> {
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
    pub fn checkout_remote(&self) -> Result<(), Error> {
        self.run(&["reset", "--quiet", "--hard", &remote_ref()])?;
        Ok(())
    }
}

fn remote_ref() -> String {
    format!("refs/remotes/{REMOTE}/{BRANCH}")
}
