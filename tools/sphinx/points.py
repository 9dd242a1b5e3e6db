"""Sphinx extension: the instructor edition shows each exercise's points.

_config.yml's `course.grading` gives them (tools/grading, GRADING.md). Each exercise whose
chapter is assigned gets "Points: N." as its first line, on the instructor's site and PDF.
The student edition has none: its site and notebooks are the public book, read outside any
course too, and a course's points reach its students through the course (the LMS, the
feedback pages of `make grade`).
"""

from pathlib import Path

from docutils import nodes

from tools import settings


def points_text(given) -> str:
    if isinstance(given, dict):
        parts = [f"{given['tests']:g} for the code" if given.get("tests") else "",
                 f"{given['prose']:g} for the words" if given.get("prose") else ""]  # fmt: skip
        total = sum(v for v in given.values() if isinstance(v, int | float))
        return f"Points: {total:g} ({', '.join(p for p in parts if p)})."
    return f"Points: {given:g}."


def add_points(app, doctree) -> None:
    if getattr(app.config, "hide_solutions", False):
        return  # the student edition
    try:
        assignments = settings.grading(Path(app.srcdir)).assignments
    except settings.SettingsError:
        return  # a course without grading
    chapter = app.env.docname.rsplit("/", 1)[-1]
    points = assignments.get(chapter, {})
    for node in doctree.findall(nodes.Admonition):
        label = node.get("label")
        if type(node).__name__.startswith("exercise") and label in points:
            line = nodes.paragraph("", "", nodes.emphasis("", points_text(points[label])))
            line["classes"].append("exercise-points")
            section = next(iter(node.findall(nodes.section)), None)
            (section if section is not None else node).insert(0, line)


def setup(app):
    app.connect("doctree-read", add_points)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
