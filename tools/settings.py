"""The facts the tools share, each read from the one place that states it.

- `course()`: _config.yml's course settings (title, semester, model, images, the semester
  build's model and images, the student repository and its tag): the one reader of that block,
  for every tool, the Sphinx extensions and tools/student/publish_student.sh
  (`python -m tools.settings student_tag`).
- `offline()`: offline.env, the settings tests, nbval's references and Binder run under (the
  Makefile, test.yml and binder/start read the same file; tests/test_offline.py fails when any
  other file restates a value).
- `grading()`: the course block's `grading:` (the graded homework: which chapters, each
  exercise's points, the limits and tolerances the grader applies; tools/grading, GRADING.md).
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
# Left behind by Python, pip and the tools in code/ (make lint writes code/.ruff_cache): never
# fingerprinted, copied or published.
GENERATED = (
    "__pycache__",
    "*.pyc",
    "*.egg-info",
    ".ruff_cache",
    ".pytest_cache",
    ".ipynb_checkpoints",
)
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


@dataclass(frozen=True)
class Grading:
    timeout: int  # seconds one cell of a submission may run
    memory_gb: float  # the most memory one submission's kernel may take
    rtol: float  # numpy.allclose's tolerances between an answer's values and the solution's
    atol: float
    # chapter (book/NN-topic without book/) -> exercise label -> points: a number, or
    # {"tests": N, "prose": M} for a code exercise that also asks for words
    assignments: dict


def grading(root: Path = ROOT) -> Grading:
    """The course block's `grading:`, checked; a bad field is named."""
    import yaml

    block = (yaml.safe_load((root / "_config.yml").read_text()).get("course") or {}).get("grading")
    if not isinstance(block, dict):
        raise SettingsError(f"{root / '_config.yml'}: course.grading is not set")
    limits = {}
    for name, kind in (("timeout", int), ("memory_gb", float), ("rtol", float), ("atol", float)):
        value = block.get(name)
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise SettingsError(f"course.grading.{name}: {value!r} is not a number >= 0")
        limits[name] = kind(value)
    assignments = block.get("assignments")
    if not isinstance(assignments, dict) or not assignments:
        raise SettingsError("course.grading.assignments: no chapter is assigned")
    for chapter, exercises in assignments.items():
        if not isinstance(exercises, dict) or not exercises:
            raise SettingsError(f"course.grading.assignments.{chapter}: no exercise has points")
        for label, points in exercises.items():
            parts = points if isinstance(points, dict) else {"points": points}
            valid = set(parts) <= {"points", "tests", "prose"} and all(
                isinstance(v, int | float) and not isinstance(v, bool) and v > 0
                for v in parts.values()
            )
            if not valid:
                raise SettingsError(
                    f"course.grading.assignments.{chapter}.{label}: {points!r} is not a positive "
                    "number of points or {tests: N, prose: M}"
                )
    return Grading(assignments=assignments, **limits)


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
