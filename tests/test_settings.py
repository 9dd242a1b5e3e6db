"""tools/settings.py, the one reader of _config.yml's course block, and set_repository, its one
writer: every tool and tools/student/publish_student.sh read the block through settings.course()."""

import re
import shutil
import subprocess
import sys

import pytest
import yaml

from helpers import ROOT
from tools import settings
from tools.student.set_repository import set_repository


def test_course_reads_the_block():
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    course = settings.course()
    assert course.title == config["title"]
    assert course.semester == str(config["course"]["semester"])
    assert course.student_repository == config["course"]["student_repository"]
    org, repo = course.student_repository.removeprefix("https://github.com/").split("/")
    assert course.student_slug == f"{org}/{repo}"
    assert course.student_site == f"https://{org}.github.io/{repo}/"


@pytest.mark.parametrize(
    ("setting", "value", "cause"),
    [
        ("student_repository", "https://gitlab.com/a/b", "is not https://github.com/ORG/REPO"),
        ("student_tag", "", "course.student_tag is not set"),
    ],
)
def test_a_bad_course_block_is_named(tmp_path, setting, value, cause):
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    config["course"][setting] = value
    (tmp_path / "_config.yml").write_text(yaml.safe_dump(config))
    with pytest.raises(settings.SettingsError, match=re.escape(cause)):
        settings.course(tmp_path)


@pytest.mark.environment
def test_the_shell_reads_the_same_loader():
    """publish_student.sh asks `python -m tools.settings FIELD`, and nothing else, for them."""
    script = (ROOT / "tools" / "student" / "publish_student.sh").read_text()
    assert "python -m tools.settings" in script and "yaml" not in script
    for field in ("semester", "student_tag", "student_slug"):
        printed = subprocess.run(
            [sys.executable, "-m", "tools.settings", field],
            cwd=ROOT, capture_output=True, text=True, check=True,
        ).stdout.strip()  # fmt: skip
        assert printed == getattr(settings.course(), field)


def test_set_repository_changes_the_values_and_keeps_everything_else(tmp_path):
    shutil.copy(ROOT / "_config.yml", tmp_path)
    before = (tmp_path / "_config.yml").read_text().splitlines()
    student, source = "https://github.com/acme/dl-students", "https://github.com/acme/book"
    set_repository(student=student, tag="spring-2027", source=source, root=tmp_path)
    after = (tmp_path / "_config.yml").read_text().splitlines()
    changed = [(old, new) for old, new in zip(before, after, strict=True) if old != new]
    # only the three values, each on its own line, with its indentation and comment
    assert [new.strip() for _, new in changed] == [
        f"student_repository: {student}",
        "student_tag: spring-2027",
        f"url: {source}",
    ]
    assert all(old.split(":")[0] == new.split(":")[0] for old, new in changed)
    assert sum("#" in line for line in after) == sum("#" in line for line in before) > 10
    course = settings.course(tmp_path)
    assert (course.student_repository, course.student_tag) == (student, "spring-2027")


def test_set_repository_refuses_what_is_not_a_repository(tmp_path):
    shutil.copy(ROOT / "_config.yml", tmp_path)
    with pytest.raises(SystemExit, match="is not https://github.com/ORG/REPO"):
        set_repository(student="github.com/acme", root=tmp_path)
    with pytest.raises(SystemExit, match="not a valid git tag"):
        set_repository(tag="spring 2027", root=tmp_path)
    assert (tmp_path / "_config.yml").read_text() == (ROOT / "_config.yml").read_text()


@pytest.mark.environment
def test_the_semester_build_runs_what_the_course_block_says():
    """book.yml and the rehearsal run semester_build, which reads course.semester_model and
    course.semester_images: no workflow, script or stand-in states them again."""
    from tools.book import semester_build

    course = settings.course()
    log = []
    assert semester_build.course_setting("semester_model", log) == course.semester_model
    assert semester_build.course_setting("semester_images", log) == course.semester_images
    assert log == []
    for workflow in (ROOT / ".github" / "workflows").glob("*.yml"):
        for job in yaml.safe_load(workflow.read_text())["jobs"].values():
            for scope in (job, *job["steps"]):  # job and step env:, and a run: line's own
                assert not set(scope.get("env", {})) & set(semester_build.SETTINGS), workflow
                run = scope.get("run", "")
                assert not [v for v in semester_build.SETTINGS if f"{v}=" in run], workflow
    scripts = [*(ROOT / "tools").rglob("*.py"), *(ROOT / "tools").rglob("*.sh")]
    restating = [p.name for p in scripts if course.semester_model in p.read_text()]
    assert not restating, f"{restating} restate course.semester_model"


@pytest.mark.environment
def test_the_semester_build_names_a_course_field_it_cannot_read():
    from tools.book import semester_build

    log = []
    with pytest.raises(SystemExit):
        semester_build.course_setting("semester_modle", log)
    assert log == [f"FAILED course.semester_modle: {settings.usage()}"]
