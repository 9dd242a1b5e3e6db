"""Chapter 6's safety checker: our scores reproduce diffusers' verdicts, flagged images come back
black, and a DataLoader run reports the right dataset indices."""

import copy

import pytest
import torch
from torch.utils.data import DataLoader, TensorDataset

from dlbook import safety


@pytest.fixture(scope="module")
def inputs():
    return torch.randn(25, 3, 224, 224, generator=torch.Generator().manual_seed(0))


@pytest.fixture(scope="module")
def embeds(small_pipe, inputs):
    checker = small_pipe.safety_checker
    with torch.no_grad():
        return checker.visual_projection(checker.vision_model(inputs)[1])


def checker_flagging(small_pipe, embeds, indices, threshold=0.998):
    """A copy of the checker whose first concepts are the embeddings of `indices` exactly."""
    checker = copy.deepcopy(small_pipe.safety_checker)
    for concept, index in enumerate(indices):
        checker.concept_embeds.data[concept] = embeds[index]
        checker.concept_embeds_weights.data[concept] = threshold
    return checker


def test_random_checker_flags_nothing_and_scores_say_why(small_pipe, inputs):
    checker = small_pipe.safety_checker
    result = safety.scores(checker, inputs[:10])
    _, verdict = checker(images=inputs[:10].clone(), clip_input=inputs[:10])
    assert verdict == [False] * 10 and not result.flagged.any()
    assert (checker.concept_embeds_weights == 1).all()  # placeholders: similarity ≤ 1 = threshold
    assert (result.concept <= 0).all() and result.concept.shape == (10, 17)


def test_scores_reproduce_the_verdict_and_the_blackout(small_pipe, embeds, inputs):
    checker = checker_flagging(small_pipe, embeds, [3, 7])
    result = safety.scores(checker, inputs[:10])
    images, verdict = checker(images=inputs[:10].clone(), clip_input=inputs[:10])
    assert result.flagged.tolist() == verdict == [i in (3, 7) for i in range(10)]
    for i in range(10):
        assert bool((images[i] == 0).all()) == (i in (3, 7))


def test_special_care_makes_the_other_tests_stricter(small_pipe, embeds, inputs):
    checker = copy.deepcopy(small_pipe.safety_checker)
    checker.special_care_embeds.data[0] = embeds[2]
    checker.special_care_embeds_weights.data[0] = 0.998  # image 2 is "special care"
    similarity = safety.cosine_similarity(embeds[:10], checker.concept_embeds)[:, 0]
    # concept 0's threshold 0.005 above image 2's similarity: flagged only with the 0.01 adjustment
    checker.concept_embeds_weights.data[0] = similarity[2] + 0.005
    result = safety.scores(checker, inputs[:10])
    _, verdict = checker(images=inputs[:10].clone(), clip_input=inputs[:10])
    assert result.flagged.tolist() == verdict
    assert verdict[2] and (result.special[2] > 0).any()


def crafted_checker(small_pipe, embeds, generator):
    """Concepts near some images' embeddings, thresholds within about ±0.01 of the highest
    similarity: the 0.01 special-care adjustment and the rounding decide many verdicts."""
    checker = copy.deepcopy(small_pipe.safety_checker)
    for name, count in (("concept_embeds", 17), ("special_care_embeds", 3)):
        picks = torch.randint(0, len(embeds), (count,), generator=generator)
        noise = 0.3 * torch.randn(count, embeds.shape[1], generator=generator)
        getattr(checker, name).data[:] = embeds[picks] + noise * embeds.std()
        top = safety.cosine_similarity(embeds, getattr(checker, name)).max(dim=0).values
        offsets = 0.02 * torch.rand(count, generator=generator) - 0.008
        getattr(checker, name + "_weights").data[:] = top + offsets
    return checker


def test_one_pass_equals_diffusers_forward_on_crafted_embeddings(small_pipe, embeds, inputs):
    generator = torch.Generator().manual_seed(1)
    flagged = adjusted = special_hits = 0
    for _ in range(12):
        checker = crafted_checker(small_pipe, embeds, generator)
        result = safety.scores(checker, inputs)
        images, verdict = checker(images=inputs.clone(), clip_input=inputs)
        assert result.flagged.tolist() == verdict
        # What the checker hands back: each flagged image replaced by zeros.
        expected = torch.where(result.flagged.view(-1, 1, 1, 1), 0, inputs)
        assert torch.equal(expected, images)
        # What the verdict would be without the special-care adjustment:
        similarity = safety.cosine_similarity(embeds, checker.concept_embeds)
        plain = torch.round(similarity - checker.concept_embeds_weights, decimals=3) > 0
        adjusted += int((plain.any(dim=1) != result.flagged).sum())
        flagged += int(result.flagged.sum())
        special_hits += int((result.special > 0).any(dim=1).sum())
    # The crafted cases exercise every branch: flags, special-care hits, and the adjustment
    # deciding a verdict.
    assert flagged and special_hits and adjusted, (
        flagged,
        special_hits,
        adjusted,
    )
    assert flagged < 12 * len(inputs)


def test_check_dataset_reports_dataset_indices(small_pipe, embeds, inputs):
    checker = checker_flagging(small_pipe, embeds, [3, 12, 24])
    loader = DataLoader(TensorDataset(inputs, torch.zeros(25)), batch_size=10)
    report = safety.check_dataset(checker, loader, progress=False)
    assert report.images == 25 and report.flagged == [3, 12, 24]
    assert len(report.max_concept_score) == 25
    assert [i for i, score in enumerate(report.max_concept_score) if score > 0] == [3, 12, 24]
    assert torch.cat(report.concept_scores).shape == (25, 17)


def test_cosine_similarity_is_a_similarity():
    a = torch.tensor([[1.0, 0.0], [0.0, 2.0]])
    torch.testing.assert_close(safety.cosine_similarity(a, a), torch.eye(2))
    torch.testing.assert_close(safety.cosine_similarity(a, -a), -torch.eye(2))


def test_throughput_runs_as_the_chapter_runs_it(small_pipe, inputs):
    """The chapter's measurement, with worker processes, on this machine's device."""
    dataset = TensorDataset(inputs[:20], torch.zeros(20))
    rates = safety.throughput(small_pipe.safety_checker, dataset, "cpu", torch.float32, (0, 2), 20)
    assert list(rates) == [
        "model only",
        "loader, 0 workers",
        "loader, 2 workers",
    ]
    assert all(rate > 0 for rate in rates.values())


class Reads(TensorDataset):
    """A TensorDataset that remembers which indices were read."""

    def __init__(self, *tensors):
        super().__init__(*tensors)
        self.read = set()

    def __getitem__(self, index):
        self.read.add(index)
        return super().__getitem__(index)


def test_each_loader_rate_reads_only_the_images_it_is_timed_on(small_pipe, inputs):
    """At full size on a CPU an image costs about a second: each rate is taken over the first
    `images`, not over the whole set (chapter 6 holds 1,000)."""
    dataset = Reads(inputs, torch.zeros(len(inputs)))
    checker = small_pipe.safety_checker
    rates = safety.throughput(checker, dataset, "cpu", torch.float32, (0,), images=12)
    assert rates["loader, 0 workers"] > 0 and dataset.read == set(range(12))
    with pytest.raises(ValueError, match="images=0"):
        safety.loader_fed_rate(checker, dataset, "cpu", torch.float32, 0, images=0)


class Counts(TensorDataset):
    """A TensorDataset that counts how often each index is read."""

    def __init__(self, *tensors):
        super().__init__(*tensors)
        self.reads = [0] * len(self.tensors[0])

    def __getitem__(self, index):
        self.reads[index] += 1
        return super().__getitem__(index)


def test_a_small_set_is_cycled_to_the_images_timed(small_pipe, inputs):
    """Chapter 6's offline set has 16 images: a rate over 16 would mostly time the workers'
    start-up, so the loader goes round the set until it has read `images` of them."""
    dataset = Counts(inputs[:4], torch.zeros(4))
    checker = small_pipe.safety_checker
    safety.loader_fed_rate(checker, dataset, "cpu", torch.float32, 0, images=30)
    # a warm-up batch of 10 (indices 0-3, 0-3, 0-1), then 30 timed (0-3 seven times, 0-1)
    assert dataset.reads == [3 + 8, 3 + 8, 2 + 7, 2 + 7]


# Scores placed where diffusers' constants decide the verdict: the 0.01 special-care adjustment,
# the rounding to 3 decimals (of the special-care scores too) and the strict "> 0". Offsets are
# similarity − threshold; None leaves the special-care concepts at their placeholders (no hit).
BANDS = [
    # special, concept, flagged   what would flip it
    (0.005, -0.015, False),  # an adjustment of 0.02 (or more than 0.015)
    (0.005, -0.007, True),  # an adjustment below 0.007
    (None, -0.005, False),  # an adjustment without a special-care hit
    (0.0004, -0.005, False),  # special score unrounded (0.0004 > 0 would be a hit)
    (0.0006, -0.005, True),  # special score rounded to 0.001: a hit
    (None, 0.0004, False),  # 4 decimals, no rounding, or ">= 0" (0.000 is not > 0)
    (None, 0.0006, True),  # rounded to 0.001
]


@pytest.mark.parametrize(("special", "concept", "flagged"), BANDS)
def test_the_constants_that_decide_a_verdict_are_diffusers(
    small_pipe, embeds, inputs, special, concept, flagged
):
    """One image per case (random embeddings of noise are too alike to separate in a batch):
    concept 0, and special-care concept 0, point at it with thresholds set to the offsets."""
    index = BANDS.index((special, concept, flagged))
    image, embed = inputs[index : index + 1], embeds[index : index + 1]
    checker = copy.deepcopy(small_pipe.safety_checker)
    pairs = [("concept_embeds", concept), ("special_care_embeds", special)]
    for name, offset in pairs if special is not None else pairs[:1]:
        getattr(checker, name).data[0] = embed[0]
        similarity = safety.cosine_similarity(embed, getattr(checker, name))[0, 0]
        getattr(checker, name + "_weights").data[0] = similarity - offset
    result = safety.scores(checker, image)
    _, verdict = checker(images=image.clone(), clip_input=image)
    assert verdict == [flagged] == result.flagged.tolist()
    hit = special is not None and round(special, 3) > 0
    expected = round(concept + 0.01 * hit, 3)
    assert result.concept[0, 0].item() == pytest.approx(expected, abs=1e-9)


def test_special_care_scores_after_a_hit_carry_the_adjustment(small_pipe, embeds, inputs):
    """diffusers' loop raises its adjustment at the first special-care hit, so the special-care
    concepts after it are scored 0.01 higher (the verdict does not depend on it; the scores
    that `scores` reports do)."""
    checker = copy.deepcopy(small_pipe.safety_checker)
    for concept, offset in enumerate((-0.007, 0.005, -0.007)):
        checker.special_care_embeds.data[concept] = embeds[0]
        similarity = safety.cosine_similarity(embeds[:1], checker.special_care_embeds)[0, concept]
        checker.special_care_embeds_weights.data[concept] = similarity - offset
    special = safety.scores(checker, inputs[:1]).special[0].tolist()
    assert special == pytest.approx([-0.007, 0.005, 0.003], abs=1e-9)


def test_the_checker_refuses_an_image_that_is_not_224_by_224(small_pipe):
    """Why a transform without resize works only on 224 × 224 files (chapter 6)."""
    checker = small_pipe.safety_checker
    photo = torch.zeros(1, 3, 480, 640)
    with pytest.raises(ValueError, match=r"\(480\*640\) doesn't match model \(224\*224\)"):
        checker(images=[photo[0].numpy()], clip_input=photo)
    square = torch.zeros(1, 3, 224, 224)
    assert checker(images=[square[0].numpy()], clip_input=square)[1] == [False]
