import pytest

from dlbook.exercises import TODO, self_check


def test_self_check_passes_reports_todo_and_fails_wrong_answers(capsys):
    with self_check():
        assert 1 + 1 == 2
    assert capsys.readouterr().out == "self-check passed\n"
    with self_check():
        raise NotImplementedError(TODO)
    assert capsys.readouterr().out.startswith(f"self-check skipped: {TODO}")
    with pytest.raises(AssertionError, match="wrong"), self_check():
        raise AssertionError("wrong")
    assert capsys.readouterr().out == ""
