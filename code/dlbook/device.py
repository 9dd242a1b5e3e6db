"""Where the chapters run: one setting, ``DLBOOK_DEVICE``, and one dtype
rule (`dtype_for`: float16 on a GPU, float32 on a CPU).

- ``auto`` (the default): CUDA if torch can use a GPU, else the CPU;
- ``cpu``: the CPU, even where a GPU is present;
- ``cuda`` (or ``cuda:N``): a GPU or nothing. When torch cannot use one,
  stop at once with the reason, never fall back: a "GPU build" that quietly
  runs the real model on a CPU would run for hours before a timeout says
  anything.

From a shell::

    python -m dlbook.device  # the device, or why there is none (exit 1)
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import torch

SETTINGS = ("auto", "cpu", "cuda")


class DeviceError(RuntimeError):
    """The device that DLBOOK_DEVICE asks for cannot be used; the message
    says why."""


def choose(setting: str | None = None) -> str:
    """The device the chapters run on.

    Args:
        setting (`str`, *optional*):
            "auto", "cpu", "cuda" or "cuda:N" (see the module doc; case and
            spaces ignored). Defaults to DLBOOK_DEVICE, else "auto".

    Returns:
        `str`: "cpu", "cuda" or "cuda:N", a name torch accepts.

    Raises:
        `DeviceError`: an unknown setting, or a GPU asked for that torch
        cannot use; the message says why.
    """
    setting = (
        (setting or os.environ.get("DLBOOK_DEVICE") or "auto")
        .strip()
        .lower()
    )
    if setting == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if setting == "cpu":
        return "cpu"
    if re.fullmatch(r"cuda(:\d+)?", setting):
        require_cuda(setting)
        return setting
    raise DeviceError(
        f"DLBOOK_DEVICE={setting!r}: use one of {', '.join(SETTINGS)} "
        "or cuda:N"
    )


def require_cuda(setting: str = "cuda") -> None:
    if not torch.cuda.is_available():
        cuda = torch.version.cuda or "(none: a CPU build)"
        raise DeviceError(
            f"DLBOOK_DEVICE={setting} but torch cannot use a GPU: this "
            f"torch {torch.__version__} is built for CUDA {cuda}, and the "
            f"NVIDIA driver found is {driver_version() or 'none'}. "
            "CUDA 13 builds need driver 580 or newer."
        )
    index = int(setting.partition(":")[2] or 0)
    if index >= torch.cuda.device_count():
        raise DeviceError(
            f"DLBOOK_DEVICE={setting} but torch sees "
            f"{torch.cuda.device_count()} GPU(s)"
        )


def driver_version() -> str | None:
    """The NVIDIA kernel driver's version, from the kernel or nvidia-smi;
    None if there is none."""
    proc = Path("/proc/driver/nvidia/version")
    if proc.exists():
        found = re.search(
            r"Kernel Module\s+(?:for \S+\s+)?([\d.]+)", proc.read_text()
        )
        if found:
            return found.group(1)
    try:
        result = subprocess.run(
            [
                "nvidia-smi",
                "--query-gpu=driver_version",
                "--format=csv,noheader",
            ],
            capture_output=True,
            text=True,
            timeout=10,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    if result.returncode != 0:
        return None
    return result.stdout.split("\n")[0].strip() or None


def available_memory(cgroup: Path = Path("/sys/fs/cgroup")) -> int:
    """Bytes this process can still allocate: the machine's available memory,
    or less where a container's memory limit (cgroup v2, e.g. Binder's 2 GB)
    says so."""
    import psutil

    available = psutil.virtual_memory().available
    try:
        limit = (cgroup / "memory.max").read_text().strip()
        if limit != "max":
            used = int((cgroup / "memory.current").read_text())
            available = min(available, int(limit) - used)
    except (OSError, ValueError):
        pass  # no cgroup v2 limit here
    return available


def dtype_for(device: str) -> torch.dtype:
    """Half precision on a GPU (SD v1-4 publishes fp16 weights for it),
    float32 on a CPU."""
    return torch.float16 if device.startswith("cuda") else torch.float32


def describe(device: str) -> str:
    if device.startswith("cuda"):
        name = torch.cuda.get_device_name(torch.device(device))
        driver, cuda = driver_version(), torch.version.cuda
        return f"CUDA ({name}; driver {driver}, CUDA {cuda})"
    return f"CPU ({torch.get_num_threads()} threads)"


def main() -> None:
    try:
        print(f"dlbook.device: {describe(choose())}")
    except DeviceError as error:
        sys.exit(f"dlbook.device: {error}")


if __name__ == "__main__":
    main()
