"""Hypothesis profiles of the fuzz suite: ``ci`` (default: fixed seed, bounded examples, a few seconds per test)
and ``long`` for deeper runs (``pytest tests/fuzz --hypothesis-profile=long``)."""

from hypothesis import HealthCheck, settings

_SLOW_OK = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much]
settings.register_profile("ci", max_examples=60, derandomize=True, deadline=None, suppress_health_check=_SLOW_OK)
settings.register_profile("long", max_examples=2_000, deadline=None, suppress_health_check=_SLOW_OK)
settings.load_profile("ci")
