"""How long a new machine waits for the virtual environment: uv from a cold cache, uv from a warm
one (both exactly as `make` builds .venv), and plain pip for comparison.

Targets on 2 cores: cold ≤ 90 s, warm ≤ 30 s. The cold run downloads the whole lock (several GB
with CUDA torch on Linux).

    python bench/install_time.py [--skip-pip]
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def seconds(command: list[str], **environment: str) -> float:
    start = time.perf_counter()
    subprocess.run(command, cwd=ROOT, check=True, env={**os.environ, **environment})
    return time.perf_counter() - start


def make_venv(where: Path, **environment: str) -> float:
    venv = where / ".venv"
    return seconds(["make", "-s", f"VENV={venv}", f"{venv}/.installed"], **environment)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-pip", action="store_true", help="pip takes minutes")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        cold = make_venv(scratch / "cold", UV_CACHE_DIR=str(scratch / "empty-cache"))
        print(f"uv, cold cache: {cold:6.1f} s   (target ≤ 90 s)", flush=True)
        warm = make_venv(scratch / "warm")
        print(f"uv, warm cache: {warm:6.1f} s   (target ≤ 30 s)", flush=True)
        if args.skip_pip:
            return
        venv = scratch / "pip" / ".venv"
        pip = seconds([sys.executable, "-m", "venv", str(venv)]) + seconds(
            [
                f"{venv}/bin/python",
                "-m",
                "pip",
                "install",
                "-q",
                "-r",
                "requirements.txt",
            ]
        )
        print(f"pip, its cache: {pip:6.1f} s   (uv warm is {pip / warm:.0f}× faster)")


if __name__ == "__main__":
    main()
