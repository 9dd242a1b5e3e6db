"""The Sphinx extensions Jupyter Book loads (_config.yml's local_extensions; build_pdf adds pdf).

Named `tools.sphinx`, which is safe only while `tools/` itself is never put on sys.path (the
root is): there, this folder would hide the real sphinx package.
"""
