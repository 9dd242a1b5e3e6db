"""Chapter 6's image set: the course's download, or the offline samples when it cannot be
had (the download itself: test_downloads.py)."""

import pytest

from dlbook import data


@pytest.mark.environment
def test_image_set_falls_back_offline(monkeypatch, tmp_path):
    monkeypatch.setenv("DLBOOK_DATA", str(tmp_path))

    def unavailable(*args, **kwargs):
        raise data.DataError("simulated: no network")

    monkeypatch.setattr(data, "fetch_archive", unavailable)
    chosen = data.image_set("auto")
    assert chosen.name == "offline samples" and "simulated" in chosen.note
    assert len(list(chosen.root.rglob("*.*"))) == 16
    with pytest.raises(data.DataError, match="simulated"):
        data.image_set("coco_humans")
    with pytest.raises(data.DataError, match="DLBOOK_IMAGES"):
        data.image_set("everything")
