"""From an LMS's export to `make grade`'s folder, and the grades back (GRADING.md).

    python -m tools.grading.lms canvas EXPORT.zip --assignment 01-power-rule --into DIR
    python -m tools.grading.lms gradescope EXPORT.zip --assignment 01-power-rule --into DIR
    python -m tools.grading.lms canvas-grades GRADEBOOK.csv --assignment 01-power-rule \
        --column "Homework 1 (12345)" [--grades _build/grades/grades.csv] --out UPLOAD.csv

Canvas's "Download Submissions" zip names each file
`<name>[_late|_LATE]_<user id>_<submission id>_<the student's file name>`, a resubmitted file
name with `-1`, `-2` before its extension; the student id is the Canvas user id, the number
the gradebook's export calls ID. Gradescope's "Export Submissions" zip holds a folder
`submission_<id>/` per submission and `submission_metadata.yml`, which names each one's
`:submitters:` (`:name:`, `:sid:`, `:email:`) and `:created_at:`; the student id is `:sid:`,
else the email's user part. A student's newest notebook wins; DIR/<student>/<assignment>.ipynb
is replaced by it. Nothing is extracted by the archive's own paths.
"""

import argparse
import csv
import re
import sys
import zipfile
from pathlib import Path, PurePosixPath

import yaml

from tools.grading.grade import STUDENT_ID
from tools.grading.submission import MAX_BYTES

CANVAS = re.compile(r"^(?P<name>[^_]+)_(?:late_|LATE_)?(?P<user>\d+)_(?P<sub>\d+)_(?P<file>.+)$")
RESUBMITTED = re.compile(r"^(?P<stem>.*?)-(?P<n>\d+)$")


class ExportError(ValueError):
    pass


def write(into: Path, student: str, assignment: str, data: bytes, log) -> None:
    if not STUDENT_ID.fullmatch(student):
        raise ExportError(f"{student!r} is no student id")
    target = into / student / f"{assignment}.ipynb"
    target.parent.mkdir(parents=True, exist_ok=True)
    log(f"lms: {'replaced' if target.exists() else 'wrote'} {student}/{target.name}")
    target.write_bytes(data)


def notebooks(archive: zipfile.ZipFile):
    """The archive's .ipynb members: (member, its path's parts), none larger than MAX_BYTES."""
    for member in archive.infolist():
        path = PurePosixPath(member.filename)
        if member.is_dir() or path.suffix != ".ipynb" or "__MACOSX" in path.parts:
            continue
        if member.file_size > MAX_BYTES:
            raise ExportError(f"{member.filename}: over {MAX_BYTES // 2**20} MB")
        yield member, path


def canvas(export: Path, assignment: str, into: Path, log=print) -> dict[str, str]:
    """Canvas's submissions zip into `into`; returns {student id: the file taken}."""
    chosen: dict[str, tuple] = {}
    with zipfile.ZipFile(export) as archive:
        for member, path in notebooks(archive):
            match = CANVAS.match(path.name)
            if not match:
                log(f"lms: {path.name}: not a Canvas submission's name, ignored")
                continue
            stem = PurePosixPath(match["file"]).stem
            again = RESUBMITTED.match(stem)
            count = int(again["n"]) if again else 0
            exact = (again["stem"] if again else stem) == assignment
            rank = (exact, int(match["sub"]), count)  # its own file name first, then newest
            if match["user"] not in chosen or rank > chosen[match["user"]][0]:
                chosen[match["user"]] = (rank, member)
        for student, (_, member) in sorted(chosen.items()):
            write(into, student, assignment, archive.read(member), log)
    return {student: member.filename for student, (_, member) in chosen.items()}


def gradescope(export: Path, assignment: str, into: Path, log=print) -> dict[str, str]:
    """Gradescope's submissions zip into `into`; returns {student id: the file taken}."""
    chosen: dict[str, tuple] = {}
    with zipfile.ZipFile(export) as archive:
        names = [
            n for n in archive.namelist() if PurePosixPath(n).name == "submission_metadata.yml"
        ]
        if len(names) != 1:
            raise ExportError(f"{export.name}: no submission_metadata.yml (a Gradescope export?)")
        root = PurePosixPath(names[0]).parent
        metadata = yaml.safe_load(archive.read(names[0])) or {}
        files = {}
        for member, path in notebooks(archive):
            parts = (
                path.parts
                if root == PurePosixPath(".")
                else (path.relative_to(root).parts if path.is_relative_to(root) else ())
            )
            if len(parts) > 1:
                files.setdefault(parts[0], []).append(member)
        for folder, entry in sorted(metadata.items()):
            members = sorted(files.get(folder, []), key=lambda m: m.filename)
            if not members:
                log(f"lms: {folder}: no notebook, ignored")
                continue
            own = [m for m in members if PurePosixPath(m.filename).stem == assignment]
            member = (own or members)[0]
            created = str(entry.get(":created_at:", ""))
            for person in entry.get(":submitters:", []):
                student = str(person.get(":sid:") or str(person.get(":email:", "")).split("@")[0])
                if student and (student not in chosen or created > chosen[student][0]):
                    chosen[student] = (created, member)
        for student, (_, member) in sorted(chosen.items()):
            write(into, student, assignment, archive.read(member), log)
    return {student: member.filename for student, (_, member) in chosen.items()}


def totals(grades: Path, assignment: str) -> dict[str, tuple[float, bool]]:
    """Each student's total on `assignment` from grades.csv, and whether it is final (no
    answer left to grade by hand)."""
    found: dict[str, tuple[float, bool]] = {}
    with open(grades, newline="") as file:
        for row in csv.DictReader(file):
            if row["assignment"] != assignment:
                continue
            total, final = found.get(row["student"], (0.0, True))
            found[row["student"]] = (total + float(row["score"] or 0), final and bool(row["score"]))
    return found


def canvas_grades(
    gradebook: Path, grades: Path, assignment: str, column: str, out: Path, log=print
):
    """Canvas's gradebook export with `column` filled from grades.csv, for Canvas's import.
    Students with answers still to grade by hand are left out (named), not half-graded."""
    with open(gradebook, newline="", encoding="utf-8-sig") as file:
        rows = list(csv.reader(file))
    header = rows[0]
    if "ID" not in header or column not in header:
        raise ExportError(f"{gradebook.name}: no column 'ID' and {column!r}; it has {header}")
    by_id, at = header.index("ID"), header.index(column)
    scores = totals(grades, assignment)
    for row in rows[1:]:
        if len(row) > max(by_id, at) and row[by_id] in scores:
            total, final = scores[row[by_id]]
            if final:
                row[at] = f"{total:g}"
            else:
                log(f"lms: {row[by_id]}: answers still to grade by hand, left out")
    with open(out, "w", newline="", encoding="utf-8") as file:
        csv.writer(file).writerows(rows)
    log(f"lms: wrote {out}: import it in Canvas (Grades → Import)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("kind", choices=("canvas", "gradescope", "canvas-grades"))
    parser.add_argument("export", type=Path, help="the LMS's zip, or Canvas's gradebook CSV")
    parser.add_argument("--assignment", required=True, help="e.g. 01-power-rule")
    parser.add_argument("--into", type=Path, help="the folder `make grade SUBMISSIONS=` reads")
    parser.add_argument("--column", help="canvas-grades: the assignment's column in the CSV")
    parser.add_argument("--grades", type=Path, default=Path("_build/grades/grades.csv"))
    parser.add_argument("--out", type=Path, help="canvas-grades: the CSV to import")
    args = parser.parse_args()
    try:
        if args.kind == "canvas-grades":
            if not (args.column and args.out):
                parser.error("canvas-grades needs --column and --out")
            canvas_grades(args.export, args.grades, args.assignment, args.column, args.out)
        else:
            if not args.into:
                parser.error(f"{args.kind} needs --into")
            (canvas if args.kind == "canvas" else gradescope)(
                args.export, args.assignment, args.into
            )
    except (ExportError, zipfile.BadZipFile, OSError, yaml.YAMLError) as error:
        sys.exit(f"lms: {error}")


if __name__ == "__main__":
    main()
