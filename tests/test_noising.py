"""Chapter 5's picture of diffusion: the forward row is the closed form at the levels the
reverse run passes, the reverse run starts from the forward row's last latents, and tiny-digits
brings them back to the digit it is asked for."""

import matplotlib
import pytest
import torch

from dlbook import digits, models, noising, schedule

matplotlib.use("Agg")
# tiny-digits loads through from_pretrained, which reads the hub's settings (HF_TOKEN).
pytestmark = pytest.mark.environment


@pytest.fixture(scope="module")
def strip_and_judge():
    models.quiet_loading()
    pipe = models.load_model(models.TINY, device="cpu").pipe
    train, held_out = digits.load()
    seven = int((held_out.labels == 7).nonzero()[0])
    image = held_out.images[seven : seven + 1]
    strip = noising.noise_and_denoise(pipe, image, "a handwritten seven")
    return pipe, strip, digits.classifier(train)


def test_the_columns_are_the_levels_ddim_passes(strip_and_judge):
    _, strip, _ = strip_and_judge
    # 20 steps from 951: after 4, 8, 12 and 16 steps the latents are at these levels
    assert strip.levels == [0, 151, 351, 551, 751, 951]
    assert strip.forward.shape == strip.reverse.shape == (6, 3, 16, 16)


def test_the_forward_row_is_the_closed_form(strip_and_judge):
    pipe, strip, _ = strip_and_judge
    alpha_bar = schedule.alphas_cumprod(schedule.scaled_linear_betas(pipe.scheduler.config))
    x0 = strip.forward_latents[0]
    noise = (strip.forward_latents[-1] - alpha_bar[951] ** 0.5 * x0) / (1 - alpha_bar[951]) ** 0.5
    for t, latents in zip(strip.levels, strip.forward_latents, strict=True):
        expected = schedule.add_noise(x0, noise, alpha_bar[t]) if t else x0
        torch.testing.assert_close(latents, expected, rtol=1e-4, atol=1e-4)


def test_the_reverse_row_starts_where_the_forward_row_ends(strip_and_judge):
    _, strip, _ = strip_and_judge
    assert strip.start is strip.forward_latents[-1]
    torch.testing.assert_close(strip.reverse[-1], strip.forward[-1])


def test_tiny_digits_brings_it_back_to_a_seven(strip_and_judge):
    _, strip, judge = strip_and_judge
    read = judge.predict(digits.features(strip.reverse[:1]))
    assert read.tolist() == [7]
    assert judge.predict(digits.features(strip.forward[-1:])).tolist() != [7]  # noise hides it


def test_the_figure_labels_each_column_with_its_level(strip_and_judge):
    _, strip, _ = strip_and_judge
    fig = noising.draw_noising(strip)
    titles = [ax.get_title() for ax in fig.axes]
    assert titles == [f"t = {t}" for t in strip.levels] * 2
