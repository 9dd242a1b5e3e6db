"""Retrain tiny-digits from scratch into a scratch folder and print how long it took against the
15-minute target on 2 CPU cores, with the final losses beside the shipped model's.

    python -m bench.train_tiny [--scale 1.0]
"""

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from dlbook import digits

ROOT = Path(__file__).resolve().parent.parent
TARGET_S = 15 * 60


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of the steps")
    args = parser.parse_args()
    shipped = json.loads((Path(str(digits.folder())) / "PROVENANCE.json").read_text())
    with tempfile.TemporaryDirectory() as scratch:
        command = [sys.executable, "-m", "tools.models.train_tiny_digits"]
        command += ["--out", scratch, "--scale", str(args.scale)]
        start = time.perf_counter()
        subprocess.run(command, cwd=ROOT, check=True, capture_output=True)
        seconds = time.perf_counter() - start
        fresh = json.loads((Path(scratch) / "PROVENANCE.json").read_text())
    share = seconds / TARGET_S
    print(f"training, {args.scale:g} of the steps: {seconds:6.1f} s ({share:.2f} of 15 min)")
    print(f"final losses: {fresh['final_loss']}  (shipped: {shipped['final_loss']})")


if __name__ == "__main__":
    main()
