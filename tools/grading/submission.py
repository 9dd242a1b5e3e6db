"""One submitted notebook, graded in a worker process: read it, find its answers, run them.

What runs is built from the release, not from the submission: the release's context cells that
the exercise needs (depends.py), then per code exercise the student's answer (locate.py), the
release's self-check and the instructor's hidden tests. An answer that hangs or kills its
kernel costs its own exercise: the next one starts in a fresh kernel. The result is plain
data (the records as parsed JSON, never compared here: the expected values stay in the main
process, compare.py).
"""

import json
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from tools.grading import depends, kernel, locate
from tools.grading import plant as planting

MAX_BYTES = 32 * 2**20  # a notebook larger than this is not read
TEXT_CHARS = 20_000  # what a prose answer may fill in the grader's reports


@dataclass
class Plan:
    """What a worker needs to grade one assignment's notebooks: the release's cells and the
    exercises, hidden tests included (the expected values are not here)."""

    assignment: str
    release: list[tuple[str, str]]  # (cell type, source) of each release cell
    roles: list[dict]  # each release cell's grading metadata (release.py)
    exercises: list[dict]  # label, function, solution, hidden, tests, prose
    others: dict[str, set[str]] = field(default_factory=dict)  # other releases' code cells
    timeout: int = 60
    memory_gb: float = 4.0

    def index(self, label: str, role: str) -> int | None:
        found = [i for i, r in enumerate(self.roles) if r == {"exercise": label, "role": role}]
        return found[0] if found else None

    def context(self) -> list[int]:
        """Release code cells that are neither an answer nor a check."""
        return [
            i for i, (kind, _) in enumerate(self.release) if kind == "code" and not self.roles[i]
        ]


def read_cells(path: Path) -> tuple[list[tuple[str, str]], str | None, str]:
    """The notebook's (type, source) cells; else a status saying why there are none, and the
    details for the student's feedback."""
    if path.stat().st_size > MAX_BYTES:
        return [], "too large to grade", f"over {MAX_BYTES // 2**20} MB"
    data = path.read_bytes()
    try:
        notebook = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as error:
        kind = "broken JSON" if data.lstrip()[:1] in (b"{", b"[") else "not a notebook"
        return [], kind, str(error)[:200]
    if not isinstance(notebook, dict) or not isinstance(notebook.get("cells"), list):
        return [], "not a notebook", "JSON without a list of cells"
    cells = []
    for cell in notebook["cells"]:
        if not isinstance(cell, dict):
            continue
        source = cell.get("source", "")
        if isinstance(source, list):
            source = "".join(part for part in source if isinstance(part, str))
        if isinstance(source, str) and cell.get("cell_type") in ("code", "markdown", "raw"):
            cells.append((cell["cell_type"], source))
    if not any(source.strip() for _, source in cells):
        return [], "empty notebook", "no cell holds any text"
    return cells, None, ""


def chapter_of(plan: Plan, cells) -> str | None:
    """Another assignment's name if the notebook is plainly that chapter's, not this one's."""
    mine = {locate.normal(s) for kind, s in cells if kind == "code"}

    def share(sources: set[str]) -> float:
        return len(sources & mine) / max(1, len(sources))

    own = {locate.normal(plan.release[i][1]) for i in plan.context()}
    best = max(plan.others, key=lambda name: share(plan.others[name]), default=None)
    if best and share(own) < 0.3 and share(plan.others[best]) >= 0.6:
        return best
    return None


def grade(plan: Plan, path: Path, environment: kernel.Environment, plant: bool = False) -> dict:
    """Grade the notebook at `path`. Returns {"status": None or why it was not graded,
    "exercises": {label: ...}, "seconds": ...} (module doc). `plant`: also run each hidden
    test against a planted wrong answer (plant.py; make assignments, on the solutions)."""
    start = time.perf_counter()
    cells, status, detail = read_cells(path)
    if status is None and (other := chapter_of(plan, cells)):
        status, detail = "another chapter's notebook", f"it holds {other}, not {plan.assignment}"
    if status:
        seconds = time.perf_counter() - start
        return {"status": status, "detail": detail, "exercises": {}, "seconds": seconds}
    tests = [s for e in plan.exercises for s in e["hidden"]]
    tests += [plan.release[i][1] for i, r in enumerate(plan.roles) if r.get("role") == "check"]
    submission = locate.Submission(plan.release, cells, tests)
    results, units = {}, []
    for exercise in plan.exercises:
        label, result = exercise["label"], {}
        if exercise["prose"]:
            found = submission.prose_answer(plan.index(label, "prose"))
            text = "\n\n".join(found.cells)[:TEXT_CHARS]
            result["prose"] = {"status": found.status, "text": text}
        if exercise["tests"]:
            found = submission.code_answer(plan.index(label, "answer"), exercise["function"])
            result["code"] = {"status": found.status, "answer": found.cells}
            if found.status == "found":
                units.append(exercise)
        results[label] = result
    if units:
        run(plan, units, results, environment, plant)
    return {"status": None, "exercises": results, "seconds": time.perf_counter() - start}


def run(plan: Plan, units: list[dict], results: dict, environment, plant: bool = False) -> None:
    """Run the units (exercises with an answer) in kernels; fill in each one's code result."""
    checks = {
        e["label"]: [
            plan.release[i][1]
            for i, r in enumerate(plan.roles)
            if r == {"exercise": e["label"], "role": "check"}
        ]
        for e in units
    }
    users = [c for e in units for c in results[e["label"]]["code"]["answer"]]
    users += [c for e in units for c in checks[e["label"]] + e["hidden"] + [e["solution"]]]
    context = plan.context()
    needed = depends.needed([plan.release[i][1] for i in context], users)
    slice_ = [(context[i], source) for i, source in needed]
    scratch = Path(tempfile.mkdtemp(prefix="dlbook-grade-"))
    pending = list(units)
    try:
        while pending:  # a kernel per attempt: a hung or dead one ends its exercise only
            with kernel.Kernel(environment, scratch, plan.timeout, plan.memory_gb) as session:
                for index, source in slice_:
                    ran = session.run(source, timeout=max(300, plan.timeout))
                    if ran["stop"] or ran["error"]:
                        problem = ran["stop"] or ": ".join(ran["error"])
                        for exercise in pending:
                            results[exercise["label"]]["code"]["status"] = (
                                f"grader error: context cell {index} failed ({problem[:200]})"
                            )
                        return
                while pending:
                    exercise = pending.pop(0)
                    outcome = results[exercise["label"]]["code"]
                    if not run_unit(session, exercise, checks[exercise["label"]], outcome):
                        break  # that kernel is gone: a fresh one for the rest
                    if plant:
                        outcome["planted"] = planting.run(
                            session, exercise, checks[exercise["label"]]
                        )
                        if outcome["planted"]["stop"]:
                            break
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def run_unit(session: kernel.Kernel, exercise: dict, checks: list[str], outcome: dict) -> bool:
    """The answer, its self-check and hidden tests in `session`; False if the kernel stopped.

    Errors are kept as their type's name only: a message is the student's to write, and the
    feedback page must not carry what an answer read from the kernel (the hidden tests run
    there). The messages stay in `details`, for the instructor's autograded notebook."""
    outcome.update(status="ran", printed="", errors=[], check=None, hidden_error=None,
                   records=[], details=[])  # fmt: skip

    def note(error) -> str:
        outcome["details"].append(": ".join(error))
        return error[0]

    for source in outcome["answer"]:
        ran = session.run(source)
        outcome["printed"] += ran["outputs"]
        if ran["error"]:
            outcome["errors"].append(note(ran["error"]))
        if ran["stop"]:
            outcome["status"] = ran["stop"]
            return False
    for source in checks:
        ran = session.run(source)
        if ran["stop"]:
            outcome["status"] = ran["stop"]
            return False
        if ran["error"]:
            outcome["check"] = "failed: " + note(ran["error"])
        elif outcome["check"] is None:
            skipped = "self-check skipped" in ran["outputs"]
            passed = "self-check passed" in ran["outputs"]
            outcome["check"] = "skipped" if skipped else "passed" if passed else "no result"
    for source in exercise["hidden"]:
        ran = session.run(kernel.hidden_cell(source), history=False)
        for line in ran["records"].splitlines():
            try:
                outcome["records"].append(json.loads(line))
            except (ValueError, RecursionError):
                outcome["records"].append({"unreadable": True})
        if ran["stop"]:
            outcome["status"] = ran["stop"]
            return False
        if ran["error"]:
            outcome["hidden_error"] = note(ran["error"])
            break
    return True
