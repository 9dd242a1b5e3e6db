"""Chapter 6's picture of a DataLoader at work: which process decodes each
batch when, and when the model runs on it.

`schedule_batches` computes that timeline from four costs, following the
rules torch's DataLoader keeps: with no workers the main process decodes a
batch, then runs the model on it; with `w` workers, worker k decodes
batches k, k + w, k + 2w, ..., and the main process hands out a new batch
index only as it takes a finished batch, so that at most `prefetch × w`
batches are ever in flight. It is an idealised schedule: every process has
a core of its own, and the costs never vary.
"""

from dataclasses import dataclass

import matplotlib.pyplot as plt
from matplotlib.patches import Rectangle


@dataclass(frozen=True)
class Span:
    lane: str  # "main" or "worker k"
    kind: str  # "start-up", "decode" or "model"
    batch: int  # the batch's number; -1 for a worker's start-up
    start: float  # seconds
    end: float


def schedule_batches(
    batches, batch_size, decode, model, workers, startup=0.0, prefetch=2
):
    """When each batch is decoded and checked, as torch's DataLoader would
    schedule it on idle cores.

    Args:
        batches (`int`):
            How many batches the loop takes.
        batch_size (`int`):
            Images per batch.
        decode (`float`):
            Seconds to read, decode and transform one image.
        model (`float`):
            Seconds the model takes per batch.
        workers (`int`):
            Worker processes; 0 decodes in the main process.
        startup (`float`, defaults to 0.0):
            Seconds before a worker process can start decoding.
        prefetch (`int`, defaults to 2):
            DataLoader's `prefetch_factor`: batches in flight per worker.

    Returns:
        `list[Span]`: every start-up, decode and model span.
    """
    per_batch = batch_size * decode
    spans, clock = [], 0.0
    if workers == 0:
        for j in range(batches):
            spans.append(Span("main", "decode", j, clock, clock + per_batch))
            clock += per_batch
            spans.append(Span("main", "model", j, clock, clock + model))
            clock += model
        return spans
    free = [startup] * workers  # when each worker can take its next batch
    for k in range(workers):
        if startup:
            spans.append(Span(f"worker {k}", "start-up", -1, 0.0, startup))
    taken, model_end = [], 0.0  # when main took each batch
    for j in range(batches):
        worker = j % workers
        # index j is sent when batch j - prefetch × workers has been taken
        sent = (
            taken[j - prefetch * workers] if j >= prefetch * workers else 0
        )
        begin = max(free[worker], sent)
        ready = begin + per_batch
        free[worker] = ready
        spans.append(Span(f"worker {worker}", "decode", j, begin, ready))
        start = max(ready, model_end)
        taken.append(start)
        model_end = start + model
        spans.append(Span("main", "model", j, start, model_end))
    return spans


def images_per_second(spans, batch_size) -> float:
    """The rate the whole loop achieved: images over the time to the last
    model span's end."""
    models = [span for span in spans if span.kind == "model"]
    return len(models) * batch_size / max(span.end for span in models)


STYLE = {  # greyscale: fill and hatching tell the kinds apart
    "decode": {"facecolor": "white", "hatch": "///"},
    "model": {"facecolor": "0.35", "hatch": None},
    "start-up": {"facecolor": "white", "hatch": "..."},
}


def draw_timelines(timelines: dict[str, list[Span]]):
    """One panel per setting, one row per process, one bar per span.

    Args:
        timelines (`dict[str, list[Span]]`):
            A title (e.g. "0 workers") for each `schedule_batches` result.

    Returns:
        `matplotlib.figure.Figure`.
    """
    end = max(span.end for spans in timelines.values() for span in spans)
    rows = sum(len({s.lane for s in spans}) for spans in timelines.values())
    fig, axes = plt.subplots(
        len(timelines),
        1,
        figsize=(9, 1.0 + 0.55 * rows),
        layout="constrained",
        sharex=True,
        height_ratios=[len({s.lane for s in v}) for v in timelines.values()],
    )
    for ax, (title, spans) in zip(axes, timelines.items(), strict=True):
        lanes = sorted({span.lane for span in spans}, reverse=True)
        for span in spans:
            row = lanes.index(span.lane)
            width = span.end - span.start
            ax.add_patch(
                Rectangle(
                    (span.start, row - 0.35),
                    width,
                    0.7,
                    edgecolor="black",
                    **STYLE[span.kind],
                )
            )
            if span.batch >= 0 and width > 0.035 * end:
                dark = span.kind == "model"
                ax.text(
                    span.start + width / 2,
                    row,
                    str(span.batch),
                    ha="center",
                    va="center",
                    fontsize=9,
                    color="white" if dark else "black",
                    backgroundcolor="none" if dark else "white",
                )
        ax.set(yticks=range(len(lanes)), ylim=(-0.6, len(lanes) - 0.4))
        ax.set_yticklabels(lanes)
        ax.set_title(title, fontsize=10, loc="left")
    axes[-1].set(xlim=(0, end * 1.02), xlabel="seconds")
    handles = [
        Rectangle((0, 0), 1, 1, edgecolor="black", **STYLE[kind])
        for kind in STYLE
    ]
    labels = [
        "decode + transform",
        "model (safety checker)",
        "worker start-up",
    ]
    fig.legend(handles, labels, loc="outside lower center", ncols=3)
    return fig
