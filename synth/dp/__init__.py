"""Differential privacy on the private records: DP marginals (:mod:`synth.dp.marginals`), their parameters and
budget split (:mod:`synth.dp.params`) and the DP percentile of contribution counts (:mod:`synth.dp.percentile`).
"""

from synth.dp.marginals import dp_aggregates
from synth.dp.params import DpParams

__all__ = ["DpParams", "dp_aggregates"]
