"""The embedded sample: seeded realistic *private* case records (:mod:`synth.sample.generator`), so the project
runs without an external file."""

from synth.sample.generator import generate_sample, write_sample

__all__ = ["generate_sample", "write_sample"]
