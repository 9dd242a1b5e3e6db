"""Every semester's student edition online: the student repository's docs/ (its GitHub Pages).

    docs/                the newest edition (what the notebooks' "this chapter online" links open)
    docs/<tag>/          each semester's edition, at its tag, kept as it was published
    docs/switcher.json   the editions, newest first: every page's version switcher reads it
                         (tools/sphinx/editions.py)

`make publish` lays the new edition out at the root and at its tag (`lay_out`);
publish_student.sh then runs `python -m tools.student.archive TREE CLONE`: the published tree
goes into the clone of the student repository, whose docs/<tag>/ folders of earlier semesters
are left untouched, file for file, and switcher.json lists them after the new edition.
"""

import json
import shutil
import sys
from pathlib import Path

from tools.settings import Course

SWITCHER = "switcher.json"


class ArchiveError(RuntimeError):
    pass


def entry(course: Course) -> dict:
    """This semester's edition as pydata-sphinx-theme's switcher lists it."""
    url = f"{course.student_site}{course.student_tag}/"
    return {"name": course.semester, "version": course.student_tag, "url": url, "preferred": True}


def lay_out(site: Path, docs: Path, tag: str) -> None:
    """The student site at docs/ and again at docs/<tag>/ (git stores each file once)."""
    if (site / tag).exists():
        raise ArchiveError(f"the site has a top-level {tag!r}: it cannot be the tag's folder")
    shutil.copytree(site, docs)
    shutil.copytree(site, docs / tag, ignore=shutil.ignore_patterns(SWITCHER))


def editions(docs: Path) -> list[dict]:
    path = docs / SWITCHER
    return json.loads(path.read_text()) if path.exists() else []


def merge(tree: Path, clone: Path) -> list[dict]:
    """Make `clone` (a student repository's work tree) hold `tree` (make publish's) plus the
    earlier editions' folders of its docs/, untouched; return the editions now listed."""
    new = editions(tree / "docs")
    if len(new) != 1:
        raise ArchiveError(f"{tree / 'docs' / SWITCHER} should list this edition alone: {new}")
    current = new[0]["version"]
    earlier = [e for e in editions(clone / "docs") if e["version"] != current]
    gone = [e["version"] for e in earlier if not (clone / "docs" / e["version"]).is_dir()]
    if gone:
        print(f"archive: no docs/ folder for {', '.join(gone)}: left out of the list")
    earlier = [e for e in earlier if e["version"] not in gone]
    taken = {p.name for p in (tree / "docs").iterdir()}
    if clashing := [e["version"] for e in earlier if e["version"] in taken]:
        raise ArchiveError(f"an earlier edition's folder {clashing} is a name the new site uses")
    kept = {Path("docs") / e["version"] for e in earlier}
    for path in clone.iterdir():  # what the last publish wrote, but the earlier editions
        if path.name == ".git":
            continue
        if path.name != "docs":
            shutil.rmtree(path) if path.is_dir() else path.unlink()
            continue
        for child in path.iterdir():
            if child.relative_to(clone) not in kept:
                shutil.rmtree(child) if child.is_dir() else child.unlink()
    shutil.copytree(tree, clone, dirs_exist_ok=True, ignore=shutil.ignore_patterns(".git"))
    listed = [*new, *({**e, "preferred": False} for e in earlier)]
    (clone / "docs" / SWITCHER).write_text(json.dumps(listed, indent=2) + "\n")
    return listed


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: python -m tools.student.archive PUBLISHED_TREE STUDENT_REPOSITORY_CLONE")
    try:
        listed = merge(Path(sys.argv[1]), Path(sys.argv[2]))
    except ArchiveError as error:
        sys.exit(f"archive: {error}")
    names = ", ".join(
        f"{e['version']}{' (new, also at the root)' * e['preferred']}" for e in listed
    )
    print(f"archive: docs/ holds {names}")
