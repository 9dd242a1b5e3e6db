"""The facts the tools share, each read from the one place that states it.

- `course()`: _config.yml's course settings (title, semester, model, images, the semester
  build's model and images, the student repository and its tag): the one reader of that block,
  for every tool, the Sphinx extensions and tools/student/publish_student.sh
  (`python -m tools.settings student_tag`).
- `offline()`: offline.env, the settings tests, nbval's references and Binder run under (the
  Makefile, test.yml and binder/start read the same file; tests/test_offline.py fails when any
  other file restates a value).
- `python_version()`: the Python the book runs on (pyproject.toml's requires-python).
- `GITHUB`: the form of a repository URL; `GENERATED`: files a copy of code/ never takes.

Stdlib and PyYAML only: the Sphinx extensions import it inside Jupyter Book's process.
"""

import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OFFLINE = ROOT / "offline.env"
GITHUB = re.compile(r"https://github\.com/([\w.-]+)/([\w.-]+)")
# Left behind by Python and pip in code/: never fingerprinted, copied or published.
GENERATED = ("__pycache__", "*.pyc", "*.egg-info")
# The course settings the build exports, so that the chapters' kernels see them; the
# environment (or make book MODEL=...) wins over _config.yml.
ENVIRONMENT = {"model": "DLBOOK_MODEL", "images": "DLBOOK_IMAGES", "semester": "DLBOOK_SEMESTER"}


class SettingsError(ValueError):
    pass


@dataclass(frozen=True)
class Course:
    title: str
    semester: str
    model: str
    images: str
    semester_model: str
    semester_images: str
    student_repository: str
    student_tag: str

    @property
    def student_slug(self) -> str:
        """ORG/REPO of the student repository."""
        return "/".join(GITHUB.fullmatch(self.student_repository).groups())

    @property
    def student_site(self) -> str:
        """Where the student repository's GitHub Pages serve its docs/."""
        org, repo = self.student_slug.split("/")
        return f"https://{org}.github.io/{repo}/"


def course(root: Path = ROOT) -> Course:
    """The course settings of `root`/_config.yml, checked."""
    import yaml

    config = yaml.safe_load((root / "_config.yml").read_text())
    block = config.get("course") or {}
    fields = [name for name in Course.__dataclass_fields__ if name != "title"]
    if missing := [name for name in fields if block.get(name) in (None, "")]:
        raise SettingsError(f"{root / '_config.yml'}: course.{missing[0]} is not set")
    settings = Course(title=config["title"], **{name: str(block[name]) for name in fields})
    if not GITHUB.fullmatch(settings.student_repository):
        raise SettingsError(
            f"course.student_repository {settings.student_repository!r} is not "
            "https://github.com/ORG/REPO"
        )
    return settings


def export_course(root: Path = ROOT) -> None:
    """The course's model, image set and semester into the environment, unless already set."""
    settings = course(root)
    for field, variable in ENVIRONMENT.items():
        os.environ.setdefault(variable, getattr(settings, field))


def python_version(root: Path = ROOT) -> str:
    """The Python the book runs on: pyproject.toml's requires-python, ">=3.11" -> "3.11"."""
    import tomllib

    stated = tomllib.loads((root / "pyproject.toml").read_text())["project"]["requires-python"]
    if not re.fullmatch(r">=3\.\d+", stated):
        raise SettingsError(f"pyproject.toml: requires-python {stated!r} is not >=3.N")
    return stated.removeprefix(">=")


def offline(path: Path = OFFLINE) -> dict[str, str]:
    """offline.env's settings: one NAME=value a line; `#` starts a comment line."""
    found = {}
    for line in path.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, value = line.partition("=")
            found[name.strip()] = value.strip()
    return found


def usage() -> str:
    fields = [*Course.__dataclass_fields__, "student_slug", "student_site"]
    return f"usage: python -m tools.settings {{{'|'.join(fields)}}}"


if __name__ == "__main__":  # one course setting, for the shell: python -m tools.settings FIELD
    try:
        print(getattr(course(), sys.argv[1]))
    except (IndexError, AttributeError):
        sys.exit(usage())
