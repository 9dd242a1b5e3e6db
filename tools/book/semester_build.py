"""The semester build, one script: what .github/workflows/book.yml runs on the GPU runner, and
what `make rehearsal` runs against loopback stand-ins on a CPU. The two cannot drift.

1. Preflight: the pinned environment, the device (nvidia-smi where a GPU is asked for), then
   `python -m dlbook.preflight`: the model resolved on the hub and downloaded (a gated model
   without a token, a rejected token or an unknown id stop here, within seconds), the image set
   downloaded and checked.
2. `make publish` with the model: both editions, their PDFs and the student repository's tree.
3. `make check`: lint and pytest against what was built (nbval's references are offline outputs).

The model and images are _config.yml's course.semester_model and course.semester_images (read
through tools/settings.py once the venv exists); DLBOOK_MODEL / DLBOOK_IMAGES in the environment
win, as everywhere, and so does --model. DLBOOK_DEVICE and HF_TOKEN come from the environment.
Stdlib only: it runs before the venv exists.
"""

import argparse
import os
import shlex
import shutil
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]  # tools/book/ -> the root
PYTHON = ROOT / ".venv" / "bin" / "python"
SETTINGS = {"DLBOOK_MODEL": "semester_model", "DLBOOK_IMAGES": "semester_images"}


def step(name: str, command: list[str], log: list[str]) -> None:
    print(f"\n=== semester build: {name}\n$ {shlex.join(command)}", flush=True)
    start = time.monotonic()
    result = subprocess.run(command, cwd=ROOT)
    seconds = time.monotonic() - start
    if result.returncode != 0:
        log.append(f"FAILED {name} (exit {result.returncode}, {seconds:.0f} s)")
        raise SystemExit(result.returncode)
    log.append(f"ok {name} ({seconds:.0f} s)")


def course_setting(field: str, log: list[str]) -> str:
    """One field of _config.yml's course block, read by the venv's Python (PyYAML lives there)."""
    command = [str(PYTHON), "-m", "tools.settings", field]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    if result.returncode != 0:  # the cause is the last line (a SettingsError names the field)
        cause = (result.stderr.strip().splitlines() or ["no output"])[-1]
        log.append(f"FAILED course.{field}: {cause}")
        raise SystemExit(result.returncode)
    return result.stdout.strip()


def preflight(log: list[str]) -> str:
    """Check environment, device, model and images; return the model the build runs with."""
    step("the pinned environment", ["make", "-s", ".venv/.installed"], log)
    # The course's choice, unless the environment says otherwise: the real model and the course's
    # images (auto would fall back to random weights or the offline samples in silence, and
    # chapter 6's 1,000-image comparison with the homework would not run).
    for variable, field in SETTINGS.items():
        if not os.environ.get(variable):
            os.environ[variable] = course_setting(field, log)
    log.append("settings: " + ", ".join(f"{v}={os.environ[v]}" for v in SETTINGS))
    if os.environ.get("DLBOOK_DEVICE", "").startswith("cuda"):
        if shutil.which("nvidia-smi") is None:
            log.append("FAILED preflight: DLBOOK_DEVICE asks for CUDA and nvidia-smi is missing")
            raise SystemExit(1)
        step("the GPU and its driver", ["nvidia-smi"], log)
    step("device, model and images", [str(PYTHON), "-m", "dlbook.preflight"], log)
    return os.environ["DLBOOK_MODEL"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", help="DLBOOK_MODEL (default: set, else course.semester_model)")
    args = parser.parse_args()
    if args.model:
        os.environ["DLBOOK_MODEL"] = args.model
    # Weights over plain HTTP, the download path the rehearsal proves (timeouts, not hangs);
    # huggingface_hub would otherwise take the Xet protocol, which no stand-in speaks.
    os.environ.setdefault("HF_HUB_DISABLE_XET", "1")
    log: list[str] = []
    start = time.monotonic()
    try:
        model = preflight(log)
        step(f"both editions, their PDFs, the student tree with {model}", ["make", "publish"], log)
        narrowed = os.environ.get("CHECK_ARGS")  # the fast rehearsal's; shown in the header
        check = ["make", "check", *([f"CHECK_ARGS={narrowed}"] if narrowed else [])]
        step("checks against the built book", check, log)
    finally:
        print(f"\n=== semester build ({time.monotonic() - start:.0f} s):")
        for line in log:
            print(f"  {line}")
        print(flush=True)


if __name__ == "__main__":
    main()
