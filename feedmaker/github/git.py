"""git as a subprocess: argument lists (never a shell), a deadline on every call, a token
only in the child's environment, and any failure as one line naming what failed."""

from __future__ import annotations

import base64
import os
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

from feedmaker.errors import FeedmakerError

LOCAL_TIMEOUT = 60     # seconds for work inside the scratch repository
NETWORK_TIMEOUT = 300  # a fetch or a push of a state store of some megabytes

# The commits that keep the state are made by the bot that runs the workflow.
BOT_NAME = "github-actions[bot]"
BOT_EMAIL = "41898282+github-actions[bot]@users.noreply.github.com"


class GitError(FeedmakerError):
    """git failed: missing, too slow, or the remote could not be read or written."""


def token_config(url: str, token: str | None) -> dict[str, str]:
    """Environment entries that make git send `token` to the host of `url` (an http(s)
    remote), as actions/checkout does, without writing it to any file or argument list."""
    parts = urlsplit(url)
    if not token or parts.scheme not in ("http", "https") or not parts.hostname:
        return {}
    count = int(os.environ.get("GIT_CONFIG_COUNT", "0") or 0)
    basic = base64.b64encode(f"x-access-token:{token}".encode()).decode()
    return {"GIT_CONFIG_COUNT": str(count + 1),
            f"GIT_CONFIG_KEY_{count}": f"http.{parts.scheme}://{parts.netloc}/.extraheader",
            f"GIT_CONFIG_VALUE_{count}": f"AUTHORIZATION: basic {basic}"}


class Git:
    """git on one bare repository (`git_dir`), talking to `remote` with `token` if given."""

    def __init__(self, git_dir: Path, remote: str, token: str | None = None) -> None:
        self.git_dir = git_dir
        self.remote = remote
        self.secret = token
        self.env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "GIT_AUTHOR_NAME": BOT_NAME,
                    "GIT_AUTHOR_EMAIL": BOT_EMAIL, "GIT_COMMITTER_NAME": BOT_NAME,
                    "GIT_COMMITTER_EMAIL": BOT_EMAIL, **token_config(remote, token)}

    def __call__(self, *args: str, input: bytes | None = None,
                 env: dict[str, str] | None = None, network: bool = False,
                 ok: tuple[int, ...] = (0,)) -> subprocess.CompletedProcess:
        """Run `git args...`; a status not in `ok` is a GitError with git's last line."""
        command = ["git", f"--git-dir={self.git_dir}", *args]
        timeout = NETWORK_TIMEOUT if network else LOCAL_TIMEOUT
        where = f"({self.remote}) " if network else ""
        try:
            done = subprocess.run(command, input=input, capture_output=True,
                                  env={**self.env, **(env or {})}, timeout=timeout,
                                  check=False)
        except FileNotFoundError:
            raise GitError("git is not installed; it is needed to keep the state store on "
                           "a branch") from None
        except subprocess.TimeoutExpired:
            raise GitError(f"git {args[0]} {where}did not finish in {timeout} s") from None
        if done.returncode not in ok:
            raise GitError(f"git {args[0]} {where}failed: {self._last_line(done.stderr)}")
        return done

    def text(self, *args: str, **kwargs) -> str:
        """The command's output, stripped."""
        return self(*args, **kwargs).stdout.decode("utf-8", "replace").strip()

    def _last_line(self, stderr: bytes) -> str:
        """git's last line of error output, never the token."""
        lines = [line.strip() for line in stderr.decode("utf-8", "replace").splitlines()
                 if line.strip()]
        # The reason ("[rejected] ... (stale info)", "fatal: ...") before the closing
        # "error: failed to push some refs".
        telling = [line for line in lines if "rejected" in line or line.startswith("fatal:")]
        line = (telling or lines or ["no message"])[0 if telling else -1]
        return line.replace(self.secret, "***") if self.secret else line
