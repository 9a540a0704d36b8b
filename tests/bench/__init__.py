"""Benchmarks of issue 6: figures printed beside their goals, never asserted.

``.venv/bin/python -m tests.bench [--size-mib N] [--only NAME,...]`` runs
them against the running dev minicloud; ``doc/source/performance.rst``
records a measured run.
"""
