"""Benchmarks: scripts that measure the archive's figures (``docs/`` quotes them).

A package, installed with the project, so that code two benchmarks share lives in a
module of its own (``benchmarks.latency``) and every benchmark imports the project as
installed, whether run as ``python benchmarks/X.py`` or ``python -m benchmarks.X``.
"""
