"""What `make grade` writes for people: grades.csv, a feedback page per student and
assignment (each check's result in words), and a summary on the terminal."""

import collections
import csv
import html
import io

COLUMNS = ["student", "assignment", "exercise", "score", "max_score", "status"]


def number(value) -> str:
    return "" if value is None else f"{value:g}"


def csv_text(rows: list[dict]) -> str:
    """Rows sorted by student, assignment and exercise: the same grading, the same file."""
    key = ("student", "assignment", "exercise")
    out = io.StringIO()
    writer = csv.DictWriter(out, COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in sorted(rows, key=lambda r: tuple(r[k] for k in key)):
        writer.writerow(
            row | {"score": number(row["score"]), "max_score": number(row["max_score"])}
        )
    return out.getvalue()


def summary(rows: list[dict]) -> str:
    """Per assignment: students, mean score, full marks, parts left to grade by hand, problems."""
    by_assignment = collections.defaultdict(lambda: collections.defaultdict(list))
    for row in rows:
        by_assignment[row["assignment"]][row["student"]].append(row)
    lines = [
        f"{'assignment':<16}{'students':>9}{'mean':>7}{'of':>5}{'full':>6}{'by hand':>9}"
        "  problems (rows)"
    ]
    for name in sorted(by_assignment):
        students = by_assignment[name]
        totals = [sum(r["score"] or 0 for r in rs) for rs in students.values()]
        top = sum(r["max_score"] for r in next(iter(students.values())))
        full = sum(total == top for total in totals)
        waiting = sum(r["status"] == "needs manual grading" for rs in students.values() for r in rs)
        problems = collections.Counter(
            r["status"]
            for rs in students.values()
            for r in rs
            if r["status"] not in ("correct", "needs manual grading", "graded by hand")
        )
        listed = "; ".join(f"{status}: {n}" for status, n in sorted(problems.items())) or "none"
        mean = sum(totals) / len(totals)
        lines.append(
            f"{name:<16}{len(students):>9}{mean:>7.1f}{top:>5g}{full:>6}{waiting:>9}  {listed}"
        )
    return "\n".join(lines)


STYLE = """
body { font-family: system-ui, sans-serif; max-width: 48rem; margin: 2rem auto;
       padding: 0 1rem; color: #1a1a1a; background: #ffffff; line-height: 1.5; }
table { border-collapse: collapse; margin: 1rem 0; }
th, td { border: 1px solid #6b6b6b; padding: 0.3rem 0.6rem; text-align: left; }
pre, blockquote { white-space: pre-wrap; background: #f3f3f3; padding: 0.5rem;
                  margin: 0.5rem 0; border-left: 4px solid #6b6b6b; }
"""


def html_page(title: str, body: str) -> str:
    """A page of its own (no script, no external resource), in English, titled."""
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)}</title>
<style>{STYLE}</style>
</head>
<body>
<main>
<h1>{html.escape(title)}</h1>
{body}
</main>
</body>
</html>
"""


def feedback_page(student: str, assignment: str, parts: list[dict]) -> str:
    """One student's feedback on one assignment. `parts`: per graded part, {"exercise",
    "title", "score", "max_score", "status", "lines": sentences, "text": their prose or ""}."""
    e = html.escape
    got = sum(p["score"] or 0 for p in parts)
    top = sum(p["max_score"] for p in parts)
    waiting = sum(p["max_score"] for p in parts if p["score"] is None)
    rows = "\n".join(
        f"<tr><td>{e(p['title'])}</td><td>{number(p['score']) or '–'} of {number(p['max_score'])}"
        f"</td><td>{e(p['status'])}</td></tr>"
        for p in parts
    )
    sections = []
    for p in parts:
        body = "".join(f"<p>{e(line)}</p>" for line in p["lines"])
        if p["text"]:
            body += (
                f"<p>Your answer, as the grader read it:</p><blockquote>{e(p['text'])}</blockquote>"
            )
        sections.append(f"<section><h2>{e(p['title'])}</h2>{body}</section>")
    pending = f" ({number(waiting)} points still to be graded by hand)" if waiting else ""
    return html_page(
        f"Feedback on {assignment} for {student}",
        f"<p>Total: {number(got)} of {number(top)} points{pending}.</p>\n<table>\n"
        "<caption>Points per exercise</caption>\n"
        '<thead><tr><th scope="col">Exercise</th><th scope="col">Points</th>'
        f'<th scope="col">Result</th></tr></thead>\n<tbody>\n{rows}\n</tbody>\n</table>\n'
        + "".join(sections),
    )


def by_hand_page(assignment: str, answers: dict[str, list[tuple[str, str]]]) -> str:
    """For the TAs: every written answer of `assignment` still to grade, by exercise
    ({exercise title: [(student, text)]}), for graders without formgrader."""
    e = html.escape
    sections = [
        f"<section><h2>{e(title)} ({len(found)} answers)</h2>"
        + "".join(
            f"<h3>{e(student)}</h3><blockquote>{e(text)}</blockquote>" for student, text in found
        )
        + "</section>"
        for title, found in answers.items()
    ]
    return html_page(f"{assignment}: answers to grade by hand", "".join(sections))


def code_lines(outcome: dict, status: str, same: int, total: int, timeout: int) -> list[str]:
    """A code exercise's checks, in words, for the student."""
    lines = []
    if outcome.get("errors"):
        lines.append("Your cells raised " + ", ".join(outcome["errors"])[:200] + ".")
    check = outcome.get("check")
    if check == "passed":
        lines.append("Your answer passed the self-check under the exercise.")
    elif check == "skipped":
        lines.append("The self-check under the exercise found it still a TODO.")
    elif check and check.startswith("failed"):
        lines.append(f"The self-check under the exercise failed ({check[8:]}).")
    if status == "correct":
        lines.append(
            f"The grader's hidden tests called your function on inputs the page does "
            f"not show: all {total} results agree with the solution's."
        )
    elif status.startswith("incorrect"):
        lines.append(
            f"The grader's hidden tests called your function on inputs the page does "
            f"not show: {same} of {total} results agree with the solution's."
        )
    elif status.startswith("error in the hidden"):
        lines.append(
            f"Your function raised {outcome.get('hidden_error')} on an input the grader tried."
        )
    elif status.startswith("timed out"):
        lines.append(
            f"A cell ran longer than {timeout} s (an endless loop?), so the grader "
            "stopped it; your other exercises were graded in a fresh kernel."
        )
    elif status == "not answered":
        lines.append("The answer is still the TODO the notebook came with.")
    elif status == "answer cell not found":
        lines.append("The grader found no cell defining the function this exercise asks for.")
    else:
        lines.append(f"Not graded: {status}.")
    lines.append("Points come from the hidden tests; the self-check is there to help you.")
    return lines


def prose_lines(status: str, score) -> list[str]:
    if status == "graded by hand":
        return [f"Graded by hand: {number(score)} points."]
    if status == "needs manual grading":
        return ["A teaching assistant grades this answer by hand."]
    if status == "not answered":
        return ["The answer is still the placeholder the notebook came with."]
    return [f"Not graded: {status}."]
