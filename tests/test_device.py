"""dlbook.device: DLBOOK_DEVICE, the fail-fast CUDA check, and the one dtype rule."""

import subprocess
import sys

import pytest
import torch

from dlbook import device


@pytest.mark.parametrize("setting", [None, "auto", "AUTO ", "cpu"])
def test_auto_and_cpu(monkeypatch, setting):
    monkeypatch.delenv("DLBOOK_DEVICE", raising=False)
    expected = "cuda" if torch.cuda.is_available() and setting != "cpu" else "cpu"
    assert device.choose(setting) == expected


def test_unknown_setting_names_the_choices():
    with pytest.raises(device.DeviceError, match="DLBOOK_DEVICE='gpu'.*auto, cpu, cuda"):
        device.choose("gpu")


def test_cuda_without_a_usable_gpu_stops_and_says_why(monkeypatch):
    """The old-driver case: torch is a CUDA build, the driver is too old, is_available() is
    False. Asking for cuda must stop with both versions named, never fall back to the CPU."""
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(torch.version, "cuda", "13.0")
    monkeypatch.setattr(device, "driver_version", lambda: "535.104.05")
    monkeypatch.setenv("DLBOOK_DEVICE", "cuda")
    with pytest.raises(device.DeviceError) as error:
        device.choose()
    assert "CUDA 13.0" in str(error.value) and "535.104.05" in str(error.value)
    assert "580" in str(error.value)


def test_command_line_check_fails_fast_without_a_gpu():
    if torch.cuda.is_available():
        pytest.skip("this machine has a usable GPU")
    result = subprocess.run(
        [sys.executable, "-m", "dlbook.device"],
        env={"DLBOOK_DEVICE": "cuda", "PATH": ""},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "DLBOOK_DEVICE=cuda but torch cannot use a GPU" in result.stderr
    assert f"torch {torch.__version__}" in result.stderr


def test_driver_version_reads_the_kernel_module(monkeypatch, tmp_path):
    text = "NVRM version: NVIDIA UNIX Open Kernel Module for x86_64  580.65.06  Release Build\n"
    proc = tmp_path / "version"
    proc.write_text(text)
    monkeypatch.setattr(device, "Path", lambda _: proc)
    assert device.driver_version() == "580.65.06"


@pytest.mark.parametrize(
    ("name", "dtype"),
    [
        ("cpu", torch.float32),
        ("cuda", torch.float16),
        ("cuda:1", torch.float16),
    ],
)
def test_one_dtype_rule(name, dtype):
    assert device.dtype_for(name) == dtype


def test_available_memory_honours_a_container_limit(tmp_path):
    (tmp_path / "memory.max").write_text(f"{2 * 2**30}\n")  # Binder's 2 GB
    (tmp_path / "memory.current").write_text(f"{2**29}\n")
    assert device.available_memory(tmp_path) == 2 * 2**30 - 2**29
    (tmp_path / "memory.max").write_text("max\n")
    assert device.available_memory(tmp_path) > 0
