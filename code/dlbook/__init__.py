"""dlbook: the code of the Foundations book, one module per chapter."""

__version__ = "0.1.0"
