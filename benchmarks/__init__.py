"""Benchmark scripts (run as files, ``python benchmarks/<script>.py``) and their fidelity metrics."""
