"""Differential privacy on the private records: DP marginals (:mod:`synth.dp.marginals`), their parameters and
budget split (:mod:`synth.dp.params`), the DP percentile of contribution counts (:mod:`synth.dp.percentile`) and
the DP quantile bin edges of numeric columns (:mod:`synth.dp.quantiles`).

Everything that spends privacy budget lives in this package.
"""

from synth.dp.marginals import dp_aggregates
from synth.dp.params import DpParams, checked_params, checked_params_of

__all__ = ["DpParams", "checked_params", "checked_params_of", "dp_aggregates"]
