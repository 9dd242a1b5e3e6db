"""Chapter 5's theory: the schedule, the forward process, the reverse update, PLMS and guidance,
each against diffusers or autograd."""

import pytest
import torch
from diffusers import DDIMScheduler, PNDMScheduler

from dlbook import schedule
from dlbook.networks import read_config

CONFIG = read_config("sd-v1-4", "scheduler")


def test_schedule_is_diffusers():
    reference = PNDMScheduler.from_config(CONFIG)
    betas = schedule.scaled_linear_betas(CONFIG)
    assert torch.equal(betas, reference.betas)
    assert torch.equal(schedule.alphas_cumprod(betas), reference.alphas_cumprod)
    # What the chapter prints: the ends of the schedule.
    assert betas[0].item() == pytest.approx(0.00085) and betas[-1].item() == pytest.approx(0.012)
    assert 0.004 < reference.alphas_cumprod[-1].item() < 0.005


def test_closed_form_is_the_one_step_chain():
    """q(x_t | x_0) = N(√ᾱ_t x_0, (1 − ᾱ_t) I): the mean and variance of t one-step noisings
    x_t = √(1 − β_t) x_{t−1} + √β_t ε_t, by their recursions (float64)."""
    betas = schedule.scaled_linear_betas(CONFIG).double()
    mean, variance = torch.tensor(1.0, dtype=torch.float64), torch.tensor(0.0, dtype=torch.float64)
    for beta in betas:
        mean, variance = (1 - beta).sqrt() * mean, (1 - beta) * variance + beta
    alpha_bar = schedule.alphas_cumprod(betas)[-1]
    torch.testing.assert_close(mean, alpha_bar.sqrt())
    torch.testing.assert_close(variance, 1 - alpha_bar)


def test_add_noise_is_diffusers():
    reference = PNDMScheduler.from_config(CONFIG)
    generator = torch.Generator().manual_seed(0)
    x0, noise = torch.randn(2, 3, 4, 4, 4, generator=generator)
    for t in (0, 500, 999):
        ours = schedule.add_noise(x0, noise, reference.alphas_cumprod[t])
        torch.testing.assert_close(ours, reference.add_noise(x0, noise, torch.tensor([t])))


def test_transfer_is_the_ddim_update():
    """PNDM's transfer equals DDIM with η = 0: x̂_0, then renoise to the earlier level."""
    ddim = DDIMScheduler.from_config(CONFIG)
    ddim.set_timesteps(50)
    generator = torch.Generator().manual_seed(1)
    x, eps = torch.randn(2, 1, 4, 8, 8, generator=generator)
    for t in (981, 501, 21):
        a, b = ddim.alphas_cumprod[t], ddim.alphas_cumprod[t - 20]
        ours = schedule.transfer(x, eps, a, b)
        x0 = (x - (1 - a).sqrt() * eps) / a.sqrt()
        torch.testing.assert_close(ours, b.sqrt() * x0 + (1 - b).sqrt() * eps)
        torch.testing.assert_close(ours, ddim.step(eps, t, x, eta=0.0).prev_sample)


@pytest.mark.parametrize("steps", [20, 33, 50])
def test_plms_is_pndm_over_a_whole_run(steps):
    reference, ours = PNDMScheduler.from_config(CONFIG), schedule.PLMS(CONFIG)
    reference.set_timesteps(steps)
    ours.set_timesteps(steps)
    assert torch.equal(ours.timesteps, reference.timesteps)
    generator = torch.Generator().manual_seed(steps)
    x = torch.randn(1, 4, 8, 8, generator=generator)
    y, target = x.clone(), torch.rand(1, 4, 8, 8, generator=generator) * 2 - 1
    for t in reference.timesteps:
        a = reference.alphas_cumprod[t]
        eps = (x - a.sqrt() * target) / (1 - a).sqrt()  # the ideal ε for one data point
        eps += 0.1 * torch.randn(eps.shape, generator=generator)  # and an imperfect model
        x = reference.step(eps, t, x).prev_sample
        y = ours.step(eps, t, y).prev_sample
        assert (x - y).abs().max() <= 1e-6
    assert ours.calls == steps + 1


def test_scheduler_facts_the_chapter_states():
    reference = PNDMScheduler.from_config(CONFIG)
    reference.set_timesteps(33)
    timesteps = reference.timesteps.tolist()
    assert timesteps[0] == 961 and len(timesteps) == 34
    assert timesteps[1] == timesteps[2] == 931  # the one repeated step
    assert reference.init_noise_sigma == schedule.PLMS.init_noise_sigma == 1.0
    x = torch.randn(1, 4, 8, 8, generator=torch.Generator().manual_seed(2))
    assert torch.equal(reference.scale_model_input(x, 961), x)


def test_ideal_noise_prediction_is_the_scaled_score():
    """For x_0 ~ N(μ, σ²), E[ε | x_t] = −√(1 − ᾱ) ∇ log p_t(x_t): by autograd, and by a
    least-squares fit of ε on x_t over samples."""
    mu, sigma, a = 0.7, 0.5, torch.tensor(0.3, dtype=torch.float64)
    marginal = torch.distributions.Normal(a.sqrt() * mu, (a * sigma**2 + 1 - a).sqrt())
    x = torch.linspace(-3, 3, 13, dtype=torch.float64, requires_grad=True)
    (score,) = torch.autograd.grad(marginal.log_prob(x).sum(), x)
    slope = (1 - a).sqrt() / (a * sigma**2 + 1 - a)
    ideal = slope * (x.detach() - a.sqrt() * mu)
    torch.testing.assert_close(ideal, -(1 - a).sqrt() * score)
    generator = torch.Generator().manual_seed(3)
    x0 = mu + sigma * torch.randn(200_000, generator=generator, dtype=torch.float64)
    eps = torch.randn(200_000, generator=generator, dtype=torch.float64)
    xt = schedule.add_noise(x0, eps, a)
    fitted = ((xt - xt.mean()) * eps).mean() / xt.var()
    assert abs(fitted - slope) < 0.01 * slope


def test_guidance_is_bayes_rule_on_scores():
    """Sampling p(x | c) p(c | x)^w has score (1 + w) ∇log p(x | c) − w ∇log p(x): guidance with
    s = 1 + w. Checked by autograd on a two-class Gaussian mixture."""
    means, prior, w = torch.tensor([-1.0, 2.0]), torch.tensor([0.3, 0.7]), 3.0
    x = torch.linspace(-4, 4, 17, dtype=torch.float32, requires_grad=True)

    def log_joint(x):  # log p(x, c) for both classes: (17, 2)
        return torch.distributions.Normal(means, 1.0).log_prob(x[:, None]) + prior.log()

    def grad(f):
        return torch.autograd.grad(f(x).sum(), x)[0]

    c = 1
    log_px = lambda x: torch.logsumexp(log_joint(x), dim=1)  # noqa: E731
    log_px_c = lambda x: log_joint(x)[:, c] - prior[c].log()  # noqa: E731
    log_pc_x = lambda x: log_joint(x)[:, c] - log_px(x)  # Bayes  # noqa: E731
    tilted = grad(log_px_c) + w * grad(log_pc_x)
    guided = grad(log_px) + (1 + w) * (grad(log_px_c) - grad(log_px))
    torch.testing.assert_close(tilted, guided)
    assert not torch.allclose(tilted, grad(log_px_c)), "w changes the score"
