"""Chapter 5: the noise schedule, the forward process and the PLMS sampler,
by hand.

Stable Diffusion v1-4 ships diffusers' PNDMScheduler with `skip_prk_steps`:
the pseudo linear multistep (PLMS) method of Liu et al. (2022) as
Crowson's implementation for latent diffusion runs it. `PLMS` below is that
sampler written out; the tests hold it equal to PNDMScheduler.step.
"""

from dataclasses import dataclass

import torch


def scaled_linear_betas(config) -> torch.Tensor:
    """SD's "scaled_linear" βs: evenly spaced in √β, squared. float32, as
    diffusers computes them (the sampler must match it to the last bit).

    Args:
        config (`dict`-like):
            A scheduler config: beta_start, beta_end, num_train_timesteps.

    Returns:
        `torch.Tensor` of shape `(num_train_timesteps,)`.
    """
    start, end = config["beta_start"] ** 0.5, config["beta_end"] ** 0.5
    steps = config["num_train_timesteps"]
    return torch.linspace(start, end, steps, dtype=torch.float32) ** 2


def alphas_cumprod(betas: torch.Tensor) -> torch.Tensor:
    """ᾱ_t = ∏_{s ≤ t} (1 − β_s): the signal kept after t noising steps.

    Args:
        betas (`torch.Tensor` of shape `(T,)`):
            β_t for t = 0, ..., T − 1.

    Returns:
        `torch.Tensor` of shape `(T,)`.
    """
    return torch.cumprod(1 - betas, dim=0)


def add_noise(x0, noise, alpha_bar):
    """Sample q(x_t | x_0) in closed form: √ᾱ_t x_0 + √(1 − ᾱ_t) ε."""
    return alpha_bar**0.5 * x0 + (1 - alpha_bar) ** 0.5 * noise


def transfer(sample, eps, alpha_bar, alpha_bar_prev):
    """One deterministic step from ᾱ to ᾱ_prev given the noise estimate eps.

    Predict x̂_0 = (x − √(1 − ᾱ) ε) / √ᾱ, then noise it to the earlier
    level: √ᾱ_prev x̂_0 + √(1 − ᾱ_prev) ε (DDIM's update with η = 0). Written
    as PNDM writes it, which is the same number in float32 arithmetic.

    Args:
        sample (`torch.Tensor`):
            x at the noise level ᾱ.
        eps (`torch.Tensor`):
            The noise estimate, shaped like `sample`.
        alpha_bar, alpha_bar_prev (`torch.Tensor` or `float`):
            ᾱ now, and at the earlier (less noisy) level.

    Returns:
        `torch.Tensor`: x at ᾱ_prev, shaped like `sample`.
    """
    a, b = alpha_bar, alpha_bar_prev
    denominator = a * (1 - b) ** 0.5 + (a * (1 - a) * b) ** 0.5
    return (b / a) ** 0.5 * sample - (b - a) * eps / denominator


@dataclass
class Step:
    prev_sample: torch.Tensor


class PLMS:
    """PNDM with skip_prk_steps, as a drop-in for diffusers' scheduler.

    Args:
        config (`dict`-like):
            The pipeline's scheduler config (`pipe.scheduler.config`).
    """

    init_noise_sigma = 1.0  # x_T ~ N(0, I): ᾱ_T is close to 0

    def __init__(self, config):
        self.config = dict(config)
        self.alphas_cumprod = alphas_cumprod(scaled_linear_betas(config))
        # ᾱ before the first noising step: 1 would be exact; SD uses ᾱ_0.
        self.final = self.alphas_cumprod[0]

    def set_timesteps(self, steps: int, device=None):
        self.ratio = self.config["num_train_timesteps"] // steps
        offset = self.config["steps_offset"]
        leading = [offset + i * self.ratio for i in range(steps)][::-1]
        # The second timestep appears twice: the first step is a Heun step
        # that needs a second model call there.
        order = [leading[0], leading[1], *leading[1:]]
        self.timesteps = torch.tensor(order, device=device)
        self.history, self.first_sample, self.calls = [], None, 0

    def scale_model_input(self, sample, t):
        return sample  # PLMS works on x_t itself

    def alpha_bar(self, t: int):
        return self.alphas_cumprod[t] if t >= 0 else self.final

    def step(self, eps, t, sample) -> Step:
        t = int(t)
        if self.calls == 1:  # Heun: average the slopes at both ends, redo
            eps = (eps + self.history[-1]) / 2  # the first step with it
            t, sample = t + self.ratio, self.first_sample
        else:
            self.history = [*self.history[-3:], eps]
            eps = self.extrapolate(self.history)
            if self.calls == 0:
                self.first_sample = sample
        self.calls += 1
        a, a_prev = self.alpha_bar(t), self.alpha_bar(t - self.ratio)
        return Step(transfer(sample, eps, a, a_prev))

    @staticmethod
    def extrapolate(e):
        """Adams–Bashforth: the next slope from the last one to four."""
        if len(e) == 1:
            return e[-1]
        if len(e) == 2:
            return (3 * e[-1] - e[-2]) / 2
        if len(e) == 3:
            return (23 * e[-1] - 16 * e[-2] + 5 * e[-3]) / 12
        return (1 / 24) * (55 * e[-1] - 59 * e[-2] + 37 * e[-3] - 9 * e[-4])
