"""The rehearsal starts from this checkout's execution cache, as book.yml's runner starts from
its own, and proves from the build's log that only the chapters its settings change ran."""

import contextlib
import sqlite3

import pytest

from tools.rehearsal import rehearse

MODEL = "CompVis/stable-diffusion-v1-4"
PAGES = ("book/01-one", *rehearse.CHAPTERS)


def log(executed: list[str]) -> str:
    """A semester build's log as myst-nb writes it, the copy's path in front."""
    lines = []
    for page in PAGES:
        how = "Executed notebook in 4.20 seconds" if page in executed else "Using cached notebook"
        lines.append(f"/tmp/dlbook-rehearsal-x/book/{page}.md: {how} [mystnb]")
    return "\n".join(lines) + "\n"


def built_book(root):
    """The copy as the semester build leaves it: chapters, their pages, both trees."""
    notice = f"real weights of <code>{MODEL}</code> a rehearsal: a loopback stand-in for the hub"
    for page in PAGES:
        (root / f"{page}.md").parent.mkdir(parents=True, exist_ok=True)
        (root / f"{page}.md").write_text("```{code-cell} ipython3\nimport dlbook\n```\n")
        html = root / "_build" / "html" / f"{page}.html"
        html.parent.mkdir(parents=True, exist_ok=True)
        html.write_text(f"{notice} DLBOOK_MODEL={MODEL} sanity hints: flagged here")
    for built in ("_build/student/_build/html/index.html", "_build/publish/docs/index.html"):
        (root / built).parent.mkdir(parents=True, exist_ok=True)
        (root / built).write_text("<html></html>")
    return root


def test_the_log_says_which_chapters_executed():
    runs = rehearse.chapters_run(log(["book/05-diffusion"]))
    assert runs == {page: "executed" if page == "book/05-diffusion" else "cache" for page in PAGES}


def test_from_the_cache_only_the_chapters_the_settings_change_may_run(tmp_path):
    book = built_book(tmp_path)
    proved = rehearse.read_back(book, log(list(rehearse.CHAPTERS)), MODEL, restored=True)
    assert "from the restored cache, not executed again: book/01-one" in proved
    with pytest.raises(AssertionError, match="executed .*book/01-one.*not only"):
        rehearse.read_back(book, log(PAGES), MODEL, restored=True)  # the cache was not used
    with pytest.raises(AssertionError, match="not only"):
        rehearse.read_back(book, log(["book/04-pipeline"]), MODEL, restored=True)
    # without a cache to start from (make rehearsal in a fresh clone) every chapter runs
    assert rehearse.read_back(book, log(PAGES), MODEL, restored=False)


def test_the_copy_gets_what_book_yml_restores(tmp_path, monkeypatch):
    checkout, copy = tmp_path / "checkout", tmp_path / "copy"
    for name in rehearse.RESTORED[:-1]:
        (checkout / name).mkdir(parents=True)
        (checkout / name / "kept").write_text(name)
    (checkout / "_build" / ".inputs-fingerprint").write_text("{}\n")
    # the cache's database, read (and so written) by make test's editions while this copies it
    cache = checkout / "_build" / ".jupyter_cache"
    with contextlib.closing(sqlite3.connect(cache / "global.db")) as database, database:
        database.execute("create table records (uri text)")
        database.execute("insert into records values ('book/01-one.md')")
    (cache / "global.db-journal").write_bytes(b"a writer's journal, gone a moment later")
    monkeypatch.setattr(rehearse, "ROOT", checkout)
    assert rehearse.restore_cache(copy) == list(rehearse.RESTORED)
    for name in rehearse.RESTORED[:-1]:
        assert (copy / name / "kept").read_text() == name
    copied = copy / "_build" / ".jupyter_cache"
    assert not (copied / "global.db-journal").exists()  # SQLite's backup, not the files
    with contextlib.closing(sqlite3.connect(copied / "global.db")) as database:
        assert database.execute("select uri from records").fetchall() == [("book/01-one.md",)]
    assert (copy / "_build" / ".inputs-fingerprint").read_text() == "{}\n"
    monkeypatch.setattr(rehearse, "ROOT", tmp_path / "fresh clone")
    assert rehearse.restore_cache(tmp_path / "other copy") == []
