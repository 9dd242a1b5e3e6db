"""dlbook.models: the model setting, what `auto` chooses, and the random and real loading
paths (the loading of trained weights itself: test_pretrained.py)."""

import pytest
import torch

from dlbook import diffusion, models, notice


@pytest.mark.environment
def test_saved_pipeline_loads_through_the_real_path(small_pipe, tmp_path, monkeypatch):
    """save_pretrained, then the same function readers use for hub ids: identical outputs."""
    small_pipe.save_pretrained(tmp_path)
    assert (tmp_path / "model_index.json").is_file()
    monkeypatch.setenv("DLBOOK_MODEL", str(tmp_path))
    loaded = models.load_model(device="cpu")
    assert loaded.mode == "real" and loaded.source == str(tmp_path)
    expected = diffusion.generate(small_pipe, "a red cube", steps=3, progress=False)
    actual = diffusion.generate(loaded.pipe, "a red cube", steps=3, progress=False)
    assert torch.equal(actual.image, expected.image)


@pytest.mark.environment
def test_auto_falls_back_to_random_small_without_hub(monkeypatch, tmp_path):
    from huggingface_hub import HfApi, constants

    from dlbook import device

    monkeypatch.setattr(device, "available_memory", lambda: 64 * 2**30)  # room for real weights
    # an empty cache: a machine that ran the semester build has the model cached, and auto
    # rightly takes it (the full-size rehearsal's `make check` found this test assuming none)
    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(tmp_path / "hub"))

    timeouts = []

    def unreachable(self, repo_id, timeout=None, **kwargs):
        timeouts.append(timeout)
        raise ConnectionError("simulated: no network")

    def not_cached(model, device, local_files_only=False):
        assert local_files_only, "auto must not download before the hub answered"
        raise models.ModelLoadError("not cached")

    monkeypatch.setattr(HfApi, "model_info", unreachable)
    monkeypatch.setattr(models, "pretrained_pipeline", not_cached)
    monkeypatch.delenv("DLBOOK_MODEL", raising=False)
    loaded = models.load_model(device="cpu")
    assert loaded.mode == "random-small" and loaded.random
    assert "neither cached nor reachable" in loaded.note
    assert timeouts and all(t is not None and t <= 10 for t in timeouts), "the probe must time out"
    assert "random weights" in notice.describe(loaded)
    assert "DLBOOK_MODEL=CompVis/stable-diffusion-v1-4" in notice.describe(loaded)


@pytest.mark.environment
def test_auto_takes_a_cached_model_without_asking_the_hub(monkeypatch, tmp_path):
    """The semester machine: the build downloaded the model, so auto loads it from the cache."""
    import huggingface_hub
    from huggingface_hub import constants

    from dlbook import device

    commit = "0" * 40
    repo = tmp_path / "hub" / f"models--{models.DEFAULT_MODEL_ID.replace('/', '--')}"
    (repo / "refs").mkdir(parents=True)
    (repo / "refs" / "main").write_text(commit)
    (repo / "snapshots" / commit).mkdir(parents=True)
    index = repo / "snapshots" / commit / "model_index.json"
    index.write_text("{}")
    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(tmp_path / "hub"))
    found = huggingface_hub.try_to_load_from_cache(models.DEFAULT_MODEL_ID, "model_index.json")
    assert found == str(index), "the cache this test wrote is not the one looked in"
    monkeypatch.setattr(device, "available_memory", lambda: 64 * 2**30)
    monkeypatch.setattr(models, "hub_reachable", lambda model: pytest.fail("asked the hub"))
    assert models.auto_choice("cpu") == (models.DEFAULT_MODEL_ID, "found in the local cache", True)


@pytest.mark.environment
def test_auto_keeps_real_weights_off_a_cpu_without_room(monkeypatch):
    """Binder or a small laptop: auto must not download 5.5 GB it cannot run."""
    from dlbook import device

    def no_probing(*args, **kwargs):
        raise AssertionError("auto looked for real weights on a CPU without room for them")

    monkeypatch.setattr(device, "available_memory", lambda: 2 * 2**30)
    monkeypatch.setattr(models, "pretrained_pipeline", no_probing)
    monkeypatch.setattr(models, "hub_reachable", no_probing)
    loaded = models.load_model("auto", device="cpu")
    assert loaded.mode == "random-small"
    assert "2.0 GB of memory is available" in loaded.note


@pytest.mark.environment
def test_a_model_without_a_needed_part_is_a_clear_error():
    """tiny-digits has no safety checker: chapters 4 and 6 say so instead of
    failing somewhere inside."""
    with pytest.raises(models.ModelLoadError, match="'tiny-digits' has no safety_checker"):
        models.load_model("tiny-digits", device="cpu", needs=("safety_checker",))


@pytest.mark.environment
def test_load_model_checks_a_device_it_is_given():
    """An explicit device is checked as DLBOOK_DEVICE is: a clear error before any loading."""
    from dlbook.device import DeviceError

    with pytest.raises(DeviceError, match="'tpu'"):
        models.load_model("random-small", device="tpu")
    if not torch.cuda.is_available():  # never a silent move to the CPU
        with pytest.raises(DeviceError, match="torch cannot use a GPU"):
            models.load_model("random-small", device="cuda")
