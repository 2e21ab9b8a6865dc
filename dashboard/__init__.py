"""Dash dashboard over the published release (never the private input)."""
