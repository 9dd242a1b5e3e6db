"""The by-hand loop of chapter 5 against diffusers' StableDiffusionPipeline.__call__.

Both start from the same latents and take the same 33 PNDM steps with guidance 7.5; the images
must agree (printed), and the ratio of their times says what writing the loop out costs
(target ≤ 1.02). The pipeline runs without its safety checker, which the hand loop does not have.

    python bench/sampling.py                                    # random-small, on this machine
    DLBOOK_DEVICE=cuda python bench/sampling.py --model random-full   # fp16 on a GPU
"""

import argparse
import statistics
import time

import torch
from diffusers import StableDiffusionPipeline

from dlbook import diffusion, models, safety

PROMPT = "a photograph of an astronaut riding a horse"


def timed(function, device: str, repeats: int) -> tuple[float, torch.Tensor]:
    """Median seconds of `repeats` calls after one warm-up, and the last result."""
    result = function()
    times = []
    for _ in range(repeats):
        safety.synchronize(device)
        start = time.perf_counter()
        result = function()
        safety.synchronize(device)
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="random-small", help="DLBOOK_MODEL")
    parser.add_argument("--steps", type=int, default=33)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    loaded = models.load_model(args.model)
    pipe = loaded.pipe
    device, dtype = str(pipe.device), pipe.unet.dtype
    components = {**pipe.components, "safety_checker": None}
    theirs_pipe = StableDiffusionPipeline(**components, requires_safety_checker=False)
    theirs_pipe.set_progress_bar_config(disable=True)
    latents = diffusion.initial_latents(0).to(device, dtype)

    def ours():
        run = diffusion.generate(pipe, PROMPT, steps=args.steps, progress=False)
        return run.image

    def theirs():
        output = theirs_pipe(
            PROMPT,
            num_inference_steps=args.steps,
            guidance_scale=7.5,
            latents=latents,
            output_type="pt",
        )
        return output.images.float().cpu()

    ours_s, ours_image = timed(ours, device, args.repeats)
    theirs_s, theirs_image = timed(theirs, device, args.repeats)
    difference = (ours_image - theirs_image).abs().max().item()
    print(f"{loaded.mode} on {device} ({dtype}), {args.steps} steps, median of {args.repeats}")
    print(f"diffusers' pipeline: {theirs_s:7.3f} s")
    print(f"the loop by hand:    {ours_s:7.3f} s")
    print(f"ratio by hand / pipeline: {ours_s / theirs_s:.3f}")
    print(f"largest difference between the images: {difference:.1e}")


if __name__ == "__main__":
    main()
