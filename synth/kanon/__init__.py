"""k-anonymity (not DP): synthesizers that read the private records (:mod:`synth.kanon.synthesizers`) and the
one-off bundle writer (:mod:`synth.kanon.release`). Their output is never served by the dashboard."""
