"""Cold build time, no-change rebuild time, and their ratio.

Builds into a temporary folder, so the book in _build/ is left alone. Targets (2 CPU cores):
cold build ≤ 60 s for chapter 1 (≤ 120 s for the whole book), no-change rebuild ≤ 10 s.

    python -m bench.build_time   # from the repository's root (make bench), which imports tools
"""

import sys
import tempfile
import time
from pathlib import Path

from tools.book import build_book


def timed_build(output: Path) -> float:
    start = time.perf_counter()
    if build_book.build(output) != 0:
        sys.exit("build failed")
    return time.perf_counter() - start


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        cold = timed_build(Path(folder))
        warm = timed_build(Path(folder))
    print(f"cold build:        {cold:6.1f} s   (target ≤ 120 s for the book)")
    print(f"no-change rebuild: {warm:6.1f} s   (target ≤ 10 s)")
    print(f"rebuild / cold:    {warm / cold:6.2f}")


if __name__ == "__main__":
    main()
