"""The rehearsal's stand-in hub under load: huggingface_hub downloads a weight file of SD v1-4's
size from it, on an idle machine and beside a busy one (a CPU hog per core at nice 0, while the
hub runs niced, as in a rehearsal run beside other work). Prints each run's seconds and MB/s
(or its error), and the hub process's CPU seconds and peak memory while serving.

    python -m bench.standin_hub [--size-mb 3400] [--nice 10] [--client-nice 0]

The hub runs in a process of its own, as in the rehearsal (tools/rehearsal/rehearse.py serves
from the process that runs the build); the client is huggingface_hub's hf_hub_download with its
default timeouts, each download into an empty cache.
"""

import argparse
import json
import multiprocessing
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_ID = "bench/stand-in"
WEIGHTS = "unet/diffusion_pytorch_model.safetensors"  # SD v1-4's UNet: 3,438 MB in float32
TICK = os.sysconf("SC_CLK_TCK")


def write_repository(folder: Path, size_mb: int) -> Path:
    (folder / "unet").mkdir(parents=True, exist_ok=True)
    (folder / "model_index.json").write_text('{"_class_name": "StableDiffusionPipeline"}')
    with open(folder / WEIGHTS, "wb") as weights:
        for _ in range(size_mb):
            weights.write(os.urandom(2**20))
    return folder


def serve(folder: str, nice: int) -> None:
    """The child: the loopback hub, niced, until stdin closes; prints its URL first."""
    from tools.rehearsal.standins import hub

    os.nice(nice)
    with hub.LoopbackHub([hub.Repo(REPO_ID, folder)]) as loopback:
        print(loopback.url, flush=True)
        sys.stdin.read()


def download(url: str, cache: str, nice: int) -> None:
    """The child: one download with huggingface_hub's defaults, niced; prints JSON."""
    os.nice(nice)
    from huggingface_hub import hf_hub_download

    start = time.monotonic()
    try:
        path = hf_hub_download(REPO_ID, WEIGHTS, endpoint=url, cache_dir=cache)
        outcome = {"seconds": time.monotonic() - start, "bytes": os.path.getsize(path)}
    except Exception as error:  # the bench reports it: the hub stopped answering, say
        outcome = {"seconds": time.monotonic() - start, "error": f"{type(error).__name__}: "
                   f"{str(error).splitlines()[0][:160]}"}  # fmt: skip
    print(json.dumps(outcome), flush=True)


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK  # utime, stime


def peak_memory_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text().splitlines()
    return int(next(line for line in status if line.startswith("VmHWM:")).split()[1]) / 1024


def spin() -> None:
    while True:
        pass


def measure(url: str, server: int, work: Path, nice: int, label: str) -> str:
    cache = tempfile.mkdtemp(dir=work, prefix="cache-")
    before = cpu_seconds(server)
    env = {**os.environ, "HF_HUB_DISABLE_XET": "1", "HF_HUB_DISABLE_PROGRESS_BARS": "1"}
    command = [sys.executable, "-m", "bench.standin_hub", "--download", url, cache, str(nice)]
    try:
        result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=900)
        outcome = json.loads(result.stdout.strip().splitlines()[-1])
    except subprocess.TimeoutExpired:
        outcome = {"seconds": 900, "error": "still downloading: stopped"}
    served = cpu_seconds(server) - before
    shutil.rmtree(cache)
    if "error" in outcome:
        return f"{label}: FAILED after {outcome['seconds']:.0f} s: {outcome['error']}"
    rate = outcome["bytes"] / 2**20 / outcome["seconds"]
    return (f"{label}: {outcome['seconds']:.1f} s, {rate:.0f} MB/s; "
            f"the hub used {served:.1f} CPU-s")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=int, default=3400)
    parser.add_argument("--nice", type=int, default=10, help="the hub's niceness")
    parser.add_argument("--client-nice", type=int, default=0, help="the client's niceness")
    parser.add_argument("--serve", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--download", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        return serve(args.serve[0], int(args.serve[1]))
    if args.download:
        return download(args.download[0], args.download[1], int(args.download[2]))
    with tempfile.TemporaryDirectory(prefix="bench-hub-") as scratch:
        work = Path(scratch)
        folder = write_repository(work / "repo", args.size_mb)
        command = [sys.executable, "-m", "bench.standin_hub", "--serve", folder, str(args.nice)]
        hub = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        url = hub.stdout.readline().strip()
        Path(f"/proc/{hub.pid}/clear_refs").write_text("5")  # its peak from here: serving only
        load = os.getloadavg()[0]
        print(f"{args.size_mb:,} MB of weights, hub at nice {args.nice}, client at "
              f"{args.client_nice}, "
              f"{os.cpu_count()} cores, load average {load:.1f} before the hogs")  # fmt: skip
        print(" ", measure(url, hub.pid, work, args.client_nice, "idle"), flush=True)
        hogs = [multiprocessing.Process(target=spin, daemon=True) for _ in range(os.cpu_count())]
        for hog in hogs:
            hog.start()
        try:
            label = f"{len(hogs)} CPU hogs at nice 0"
            print(" ", measure(url, hub.pid, work, args.client_nice, label), flush=True)
        finally:
            for hog in hogs:
                hog.terminate()
        print(f"  the hub's peak memory while serving: {peak_memory_mb(hub.pid):,.0f} MB")
        hub.stdin.close()
        hub.wait()


if __name__ == "__main__":
    main()
