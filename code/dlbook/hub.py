"""Talking to the Hugging Face Hub: the token, a probe that never hangs, and
errors that name their cause.

diffusers' ``from_pretrained`` wraps the hub's answer (gated, not found, a
rejected token) in a generic ``OSError``. Asking the hub first, and reading
the whole chain of a failure, lets the book say in one sentence what went
wrong. (huggingface_hub removes its own partial files when a download
breaks off; tests/test_rehearsal.py checks that none stay.)
"""

import os

PROBE_TIMEOUT_S = 5.0
# The hub's message for a token it does not know (huggingface_hub tests it).
INVALID_TOKEN = "Invalid credentials in Authorization header"


class HubError(RuntimeError):
    """The hub refused or failed a request; the message says why."""


def hf_token() -> str | None:
    """HF_TOKEN from the environment only, never from a page. Empty means
    none: an unset Actions secret arrives as "", and huggingface_hub would
    send it as a bare `Bearer ` header."""
    return os.environ.get("HF_TOKEN", "").strip() or None


def reachable(model: str, timeout: float = PROBE_TIMEOUT_S) -> bool:
    """Whether the hub answers for `model` within `timeout` seconds (never
    hangs)."""
    from huggingface_hub import HfApi

    try:
        HfApi().model_info(model, timeout=timeout, token=hf_token())
    # unreachable, unknown, gated: in every case auto falls back
    except Exception:
        return False
    return True


def causes(error: BaseException | None):
    """`error`, then what caused it, and so on, each once (diffusers wraps
    the hub's errors; a chain can loop)."""
    seen = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        yield error
        error = error.__cause__ or error.__context__


def explain(model: str, error: BaseException) -> str | None:
    """One sentence for a hub failure anywhere in `error`'s chain, or None
    when the chain holds none (diffusers re-raises them as OSError)."""
    import httpx2

    if reason := refusal(model, error):
        return reason
    for cause in causes(error):
        if isinstance(cause, httpx2.TimeoutException):
            return (
                f"the hub stopped answering while {model!r} was being "
                f"fetched ({type(cause).__name__}; HF_HUB_DOWNLOAD_TIMEOUT "
                "sets the limit): try again later"
            )
        if isinstance(cause, httpx2.TransportError):
            return f"could not reach the hub for {model!r} ({cause})"
    return None


def refusal(model: str, error: BaseException) -> str | None:
    """The hub's own answer in `error`'s chain (gated, unknown id, rejected
    token) as a sentence; None if it holds none."""
    from huggingface_hub import errors

    for cause in causes(error):
        if isinstance(cause, errors.GatedRepoError):
            if hf_token() is None:
                return (
                    f"{model!r} is gated: accept its license on the Hugging "
                    "Face Hub, then set HF_TOKEN"
                )
            return (
                f"{model!r} is gated, and the account of this HF_TOKEN has "
                "not been granted access: accept its license on the hub"
            )
        response = getattr(cause, "response", None)
        status = getattr(response, "status_code", None)
        message = response.headers.get("X-Error-Message") if status else None
        if status == 401 and message == INVALID_TOKEN:
            return (
                "the hub rejected HF_TOKEN (invalid or expired): create a "
                f"new read token and set HF_TOKEN to load {model!r}"
            )
        if isinstance(cause, errors.RepositoryNotFoundError):
            return (
                f"model id {model!r} was not found on the Hugging Face Hub "
                "(a typo, or a private repository that needs HF_TOKEN)"
            )
    return None


def check_access(model: str, timeout: float = PROBE_TIMEOUT_S):
    """Ask the hub for `model` before downloading it: its info (with the
    commit it resolves to); None if the hub cannot be asked (offline, or no
    answer: the cache may still hold it); HubError if the hub refuses.

    A gated repository's info is public on the hub; its files are not, so
    the first file a download needs is asked for too (a HEAD request)."""
    from huggingface_hub import (
        HfApi,
        constants,
        get_hf_file_metadata,
        hf_hub_url,
    )

    if constants.HF_HUB_OFFLINE:
        return None
    try:
        info = HfApi().model_info(model, timeout=timeout, token=hf_token())
        url = hf_hub_url(model, "model_index.json", revision=info.sha)
        get_hf_file_metadata(url, token=hf_token(), timeout=timeout)
        return info
    except Exception as error:
        reason = refusal(model, error)
        if reason is None:
            return None
        raise HubError(reason) from error


def stand_in_note() -> str:
    """What a page says when its 'real' weights came from a loopback stand-in
    for the hub (a rehearsal of the semester build), else ""."""
    from urllib.parse import urlsplit

    from huggingface_hub import constants

    from dlbook.downloads import LOOPBACK

    if urlsplit(constants.ENDPOINT).hostname not in LOOPBACK:
        return ""
    return (
        "a rehearsal: a loopback stand-in for the hub at "
        f"{constants.ENDPOINT} served random weights under this id"
    )
