"""dlbook.samples: the offline photographs, the same bytes on every run."""

import hashlib

from dlbook import samples


def test_sample_folder_is_deterministic(tmp_path):
    first = samples.make_sample_folder(tmp_path / "first")
    again = samples.make_sample_folder(tmp_path / "again")

    def digests(root):
        return {
            p.relative_to(root): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in root.rglob("*.*")
        }

    assert digests(first) == digests(again)
    assert len(digests(first)) == len(samples.SAMPLES) == 16
