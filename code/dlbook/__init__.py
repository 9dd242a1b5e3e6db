"""dlbook: the code of the Foundations book, which its chapters show and
call. Modules are named for what they compute; most serve one chapter, a few
(the model's loading and device) serve chapters 4-6 together. The README's
table maps each chapter to its modules.
"""

from importlib import metadata

try:
    # pyproject.toml states the version once; installing dlbook (editable
    # here, from git on Colab) records it in the package's metadata.
    __version__ = metadata.version("dlbook")
except metadata.PackageNotFoundError:  # imported from a bare source tree
    __version__ = "0+unknown"
