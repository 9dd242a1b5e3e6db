"""Chapter 6's DataLoader timeline: the schedule follows the DataLoader's rules (no process does
two things at once, a batch is checked after it is decoded and in order, at most prefetch × w
batches in flight), its long-run rate is the slower of the workers and the model, and a real
DataLoader keeps the pace it predicts."""

import itertools
import random
import time

import matplotlib
import pytest
import torch
from torch.utils.data import DataLoader, Dataset

from dlbook import loader_timeline as lt

matplotlib.use("Agg")


def random_settings(count=25, seed=0):
    rng = random.Random(seed)
    for _ in range(count):
        yield (
            rng.choice([1, 4, 10, 32]),  # batch size
            rng.uniform(0.001, 0.05),  # decode, s per image
            rng.uniform(0.005, 0.5),  # model, s per batch
            rng.choice([1, 2, 3, 8]),  # workers
        )


@pytest.mark.parametrize("workers", [0, 1, 2, 5])
def test_no_process_does_two_things_at_once(workers):
    spans = lt.schedule_batches(30, 10, 0.01, 0.07, workers, startup=0.2)
    for lane in {span.lane for span in spans}:
        mine = sorted((s for s in spans if s.lane == lane), key=lambda s: s.start)
        assert all(a.end <= b.start + 1e-12 for a, b in itertools.pairwise(mine)), lane
    decoded = {s.batch: s.end for s in spans if s.kind == "decode"}
    checked = [s for s in spans if s.kind == "model"]
    assert [s.batch for s in checked] == list(range(30))
    assert all(s.start >= decoded[s.batch] for s in checked)


def test_at_most_prefetch_times_workers_batches_in_flight():
    spans = lt.schedule_batches(40, 10, 0.001, 0.5, 2, prefetch=2)  # a slow model
    taken = {s.batch: s.start for s in spans if s.kind == "model"}
    for s in spans:
        if s.kind == "decode" and s.batch >= 4:
            assert s.start >= taken[s.batch - 4]


def test_without_workers_decoding_and_the_model_take_turns():
    for b, c, m, _ in random_settings():
        spans = lt.schedule_batches(50, b, c, m, 0)
        assert lt.images_per_second(spans, b) == pytest.approx(b / (b * c + m))


def test_with_workers_the_slower_side_sets_the_pace():
    for b, c, m, w in random_settings():
        spans = lt.schedule_batches(2000, b, c, m, w)
        expected = min(w / c, b / m)
        assert lt.images_per_second(spans, b) == pytest.approx(expected, rel=0.01)


def test_start_up_delays_but_does_not_slow_the_long_run():
    short = lt.schedule_batches(2, 10, 0.01, 0.01, 2, startup=1.0)
    long = lt.schedule_batches(2000, 10, 0.01, 0.01, 2, startup=1.0)
    assert lt.images_per_second(short, 10) < 0.2 * lt.images_per_second(long, 10)


class Sleepy(Dataset):
    """Items that take `decode` seconds to make, as decoding a file does (without the CPU)."""

    def __init__(self, count, decode):
        self.count, self.decode = count, decode

    def __len__(self):
        return self.count

    def __getitem__(self, index):
        time.sleep(self.decode)
        return torch.zeros(1)


@pytest.mark.slow  # two worker processes and about two seconds of sleeping
def test_a_real_dataloader_keeps_the_predicted_pace():
    b, c, m, w, batches = 4, 0.02, 0.05, 2, 24
    loader = DataLoader(Sleepy(b * batches, c), batch_size=b, num_workers=w)
    starts = []
    for _ in loader:
        starts.append(time.perf_counter())
        time.sleep(m)  # the model
    steady = (starts[-1] - starts[8]) / (len(starts) - 1 - 8)
    spans = lt.schedule_batches(batches, b, c, m, w)
    model = [s.start for s in spans if s.kind == "model"]
    predicted = (model[-1] - model[8]) / (len(model) - 1 - 8)
    assert steady == pytest.approx(predicted, rel=0.3)


def test_the_figure_has_a_row_per_process():
    timelines = {f"{w} workers": lt.schedule_batches(6, 10, 0.01, 0.06, w, 0.25) for w in (0, 2)}
    fig = lt.draw_timelines(timelines)
    rows = [[label.get_text() for label in ax.get_yticklabels()] for ax in fig.axes]
    assert rows == [["main"], ["worker 1", "worker 0", "main"]][: len(rows)]
    assert [ax.get_title(loc="left") for ax in fig.axes] == ["0 workers", "2 workers"]
