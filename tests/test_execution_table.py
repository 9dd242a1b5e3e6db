"""tools/sphinx/execution.py without a build: what the execution table's Method says, and the
student edition's records. (test_site_controls.py reads the built tables of both editions.)"""

import json
from types import SimpleNamespace

from myst_nb.sphinx_ import NbMetadataCollector

from tools.sphinx import execution


def app_reading(docname: str, started: float, tmp_path, mode: str = "cache"):
    env = SimpleNamespace(docname=docname, found_docs={docname})
    config = SimpleNamespace(nb_execution_mode=mode)
    return SimpleNamespace(
        env=env, config=config, srcdir=str(tmp_path), dlbook_build_started=started
    )


def record(mtime: float, method: str = "cache") -> dict:
    return {"mtime": mtime, "runtime": 2.5, "method": method, "succeeded": True, "error": None,
            "traceback": None}  # fmt: skip


def test_a_chapter_run_in_this_build_says_executed_and_one_from_the_cache_says_cache(tmp_path):
    app = app_reading("book/01-x", started=1000.0, tmp_path=tmp_path)
    for mtime, said in ((1200.0, "executed"), (400.0, "cache")):
        NbMetadataCollector.set_exec_data(app.env, "book/01-x", record(mtime))
        execution.name_the_method(app, doctree=None)
        assert NbMetadataCollector.get_exec_data(app.env, "book/01-x")["method"] == said


def test_the_student_edition_takes_the_instructor_builds_records(tmp_path):
    records = {"book/01-x": record(400.0), "book/09-gone": record(500.0)}
    (tmp_path / execution.RECORDS).write_text(json.dumps(records))
    app = app_reading("book/01-x", started=1000.0, tmp_path=tmp_path, mode="off")
    execution.instructor_runs(app, app.env)
    assert NbMetadataCollector.get_exec_data(app.env, "book/01-x") == records["book/01-x"]
    assert NbMetadataCollector.get_exec_data(app.env, "book/09-gone") is None  # not a page here
    assert NbMetadataCollector.new_exec_data(app.env)  # so myst-nb rewrites the table's page
    executed = app_reading("book/01-x", started=1000.0, tmp_path=tmp_path)
    execution.instructor_runs(executed, executed.env)  # an executing build keeps its own
    assert NbMetadataCollector.get_exec_data(executed.env, "book/01-x") is None
