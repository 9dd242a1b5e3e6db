"""nbgrader's side: the course folder's config, its gradebook (SQLite) and the notebooks its
formgrader shows. Only the main process writes here, one submission at a time.

Per exercise the gradebook holds a grade cell named by its label: code (its hidden tests'
points, scored automatically, with a solution cell `<label>-answer`) or markdown (graded by
hand in formgrader: `needs_manual_grade` until a TA enters a score). A code exercise that
also asks for words has both: `<label>` and `<label>-prose`.
"""

import contextlib
import os
import shutil
import sys
import warnings
from pathlib import Path

import nbformat
from nbgrader.api import Gradebook, MissingEntry
from sqlalchemy.exc import SAWarning

from tools.grading import release

# nbgrader 0.9's add_submission builds its objects under SQLAlchemy 2's autoflush, which warns
# that they are not in the session yet; they are added right after (nbgrader/api.py).
warnings.filterwarnings("ignore", category=SAWarning)

CONFIG = """\
# nbgrader's configuration of this course folder (written by `make assignments`).
# Formgrader: `jupyter lab` (or `jupyter server`) started in this folder, then /formgrader.
c = get_config()  # noqa: F821
c.CourseDirectory.root = {root!r}
c.CourseDirectory.course_id = "foundations"
c.CourseDirectory.db_url = "sqlite:///{root}/gradebook.db"
"""


def cells(plan) -> list[tuple[str, str, float]]:
    """(grade cell name, "code" or "markdown", points) of each graded part, in order."""
    found = []
    for exercise in plan.exercises:
        label = exercise["label"]
        if exercise["tests"]:
            found.append((label, "code", float(exercise["tests"])))
        if exercise["prose"]:
            name = f"{label}-prose" if exercise["tests"] else label
            found.append((name, "markdown", float(exercise["prose"])))
    return found


def open_gradebook(folder: Path) -> Gradebook:
    # nbgrader runs the `alembic` command of its environment, found on PATH: put the venv's
    # bin/ there, since make calls .venv/bin/python without activating the venv.
    bin_ = str(Path(sys.executable).parent)
    if bin_ not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = bin_ + os.pathsep + os.environ.get("PATH", "")
    return Gradebook(f"sqlite:///{folder / 'gradebook.db'}", course_id="foundations")


def write_course(folder: Path, plans: dict) -> None:
    """nbgrader_config.py and the gradebook's assignments, notebooks and cells. An assignment
    that already has submissions keeps them, unless its graded parts changed: then stop."""
    (folder / "nbgrader_config.py").write_text(CONFIG.format(root=str(folder)))
    gradebook = open_gradebook(folder)
    try:
        for name, plan in plans.items():
            wanted = cells(plan)
            assignment = gradebook.update_or_create_assignment(name)
            notebook = gradebook.update_or_create_notebook(name, name)
            have = {(cell.name, cell.cell_type) for cell in notebook.grade_cells}
            if have and have != {(n, kind) for n, kind, _ in wanted}:
                if assignment.submissions:
                    raise RuntimeError(
                        f"{name}: its graded exercises changed, but the gradebook holds "
                        f"{len(assignment.submissions)} submissions of the old ones; to start "
                        f"over, delete {folder / 'gradebook.db'}"
                    )
                gradebook.remove_assignment(name)
                gradebook.update_or_create_assignment(name)
                gradebook.update_or_create_notebook(name, name)
            for cell_name, kind, points in wanted:
                gradebook.update_or_create_grade_cell(
                    cell_name, name, name, max_score=points, cell_type=kind
                )
                solution = f"{cell_name}-answer" if kind == "code" else cell_name
                gradebook.update_or_create_solution_cell(solution, name, name)
    finally:
        gradebook.close()


def nbgrader_metadata(grade_id: str, *, grade: bool, solution: bool, points: float = 0) -> dict:
    return {
        "grade": grade,
        "solution": solution,
        "grade_id": grade_id,
        "points": points,
        "locked": not solution,
        "schema_version": 3,
        "task": False,
    }


def autograded(plan, notebook, outcome: dict, words: dict) -> nbformat.NotebookNode:
    """The release with this student's answers in place and nbgrader's metadata on them, for
    formgrader (never a hidden test's source: nbgrader's feedback would show it).
    `words[label]` says what the hidden tests found."""
    notebook = nbformat.from_dict(notebook)
    by_label = {e["label"]: e for e in plan.exercises}
    out = []
    for cell in notebook.cells:
        role = release.role(cell)
        exercise = by_label.get(role.get("exercise"))
        result = outcome.get(role.get("exercise"), {})
        if exercise and role["role"] == "answer" and "code" in result:
            label = exercise["label"]
            cell.source = "\n\n".join(result["code"].get("answer", [])) or "# (no answer found)"
            cell.metadata["nbgrader"] = nbgrader_metadata(
                f"{label}-answer", grade=False, solution=True
            )
            if printed := result["code"].get("printed"):
                cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=printed)]
            out.append(cell)
            details = "".join(
                "\n# " + line[:300].replace("\n", " ") for line in result["code"].get("details", [])
            )
            summary = nbformat.v4.new_code_cell(
                f"# The grader's hidden tests: {words[label]}{details}"
            )
            summary.metadata["nbgrader"] = nbgrader_metadata(
                label, grade=True, solution=False, points=float(exercise["tests"])
            )
            out.append(summary)
            continue
        if exercise and role["role"] == "prose" and "prose" in result:
            label = exercise["label"]
            name = f"{label}-prose" if exercise["tests"] else label
            cell.source = result["prose"]["text"] or "*(no answer found)*"
            cell.metadata["nbgrader"] = nbgrader_metadata(
                name, grade=True, solution=True, points=float(exercise["prose"])
            )
        out.append(cell)
    notebook.cells = out
    return notebook


def record(folder: Path, gradebook, student: str, plan, path: Path, scores: dict) -> None:
    """Store one graded submission: its file under submitted/, its autograded notebook, its
    scores. A changed file is a new submission: its old grades, manual ones included, go.
    `scores[grade cell name]` is the automatic score, or None where a TA must grade."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SAWarning)  # see the filter above
        _record(folder, gradebook, student, plan, path, scores)


def _record(folder: Path, gradebook, student: str, plan, path: Path, scores: dict) -> None:
    name = plan.assignment
    kept = folder / "submitted" / student / name / f"{name}.ipynb"
    new = not kept.exists() or kept.read_bytes() != path.read_bytes()
    gradebook.update_or_create_student(student)
    if new:
        with contextlib.suppress(MissingEntry):  # a first submission
            gradebook.remove_submission(name, student)
        kept.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, kept)
    gradebook.update_or_create_submission(name, student)
    for cell_name, score in scores.items():
        grade = gradebook.find_grade(cell_name, name, name, student)
        grade.auto_score = score
        grade.needs_manual_grade = score is None and grade.manual_score is None
    gradebook.db.commit()


def manual_scores(gradebook, student: str, plan) -> dict:
    """The scores a TA entered (formgrader) for this submission's hand-graded cells."""
    found = {}
    for cell_name, kind, _ in cells(plan):
        if kind == "markdown":
            try:
                grade = gradebook.find_grade(cell_name, plan.assignment, plan.assignment, student)
            except MissingEntry:  # no submission yet
                continue
            if grade.manual_score is not None:
                found[cell_name] = grade.manual_score
    return found
