"""A folder committed to a throwaway git repository of its own: the rehearsal's copy of the
repository (a checkout, as the runner has) and the tests' copy of the published student tree
(tagged, as pip installs it from GitHub) are made by this one function."""

import os
import subprocess
from pathlib import Path

# Whoever runs it: no identity, signing, hooks or ignore rules of theirs (a global gitignore
# with `build/` in it would leave files out of the commit).
SETTINGS = ["-c", "user.name=dlbook", "-c", "user.email=dlbook@localhost"]
SETTINGS += ["-c", "commit.gpgsign=false", "-c", "tag.gpgsign=false", "-c", "core.hooksPath="]


def commit(folder: Path, message: str, tag: str | None = None) -> None:
    """Commit everything in `folder` to a new repository there, on branch main; tag it `tag`.

    Args:
        folder: the tree, which has no .git of its own yet.
        message: the commit message.
        tag: a lightweight tag on the commit, if given.
    Raises:
        RuntimeError: naming the git command and its error.
    """
    # git's own settings only: the system's and the user's files are not read
    env = {"PATH": os.environ["PATH"], "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull}
    commands = [["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-qm", message]]
    for command in commands + ([["tag", tag]] if tag else []):
        result = subprocess.run(
            ["git", *SETTINGS, *command], cwd=folder, env=env, capture_output=True, text=True
        )
        if result.returncode != 0:
            output = (result.stderr or result.stdout).strip()
            raise RuntimeError(f"git {' '.join(command)} in {folder}: {output}")
