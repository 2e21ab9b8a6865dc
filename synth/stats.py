"""Small statistics shared by the reports (synth) and the dashboard."""

#: z-score of a two-sided 95% normal interval, as the release format documents it (count ± 1.96·sd).
Z95 = 1.96


def pct(part: float, whole: float) -> float:
    """``part`` as a percentage of ``whole`` (0 when ``whole`` is 0)."""
    return 100.0 * float(part) / float(whole) if whole else 0.0
